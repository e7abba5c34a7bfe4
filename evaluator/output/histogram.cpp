#include "evaluator/output/histogram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dsl/base/source.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/output/html.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/numbers/rational.hpp"
#include "evaluator/output/simulation_report.hpp"
#include "evaluator/whatif/simulate.hpp"

namespace hoshu::eval {

namespace {

using i128 = __int128;
using R = Rational;   // coordinates are exact too, printed to a tenth of a pixel

// Geometry, in px. A cell holds one panel; the plot area is inside it.
constexpr int cell_width = 360;
constexpr int cell_height = 232;
constexpr int header_height = 40;
constexpr int legend_height = 28;   // an overlay's legend, under the title
constexpr std::int64_t plot_left = 54;
constexpr std::int64_t plot_right = 346;
constexpr std::int64_t plot_top = 60;
constexpr std::int64_t plot_bottom = 190;
constexpr std::int64_t plot_width = plot_right - plot_left;
constexpr std::int64_t plot_height = plot_bottom - plot_top;
constexpr int max_bins = 60;
constexpr int min_slots = 9;   // fewer bins are centred among empty slots, so no bar is too wide
constexpr int max_x_ticks = 5;
constexpr int max_y_steps = 4;

constexpr int title_left = 12;
constexpr int title_line_height = 20;
constexpr int title_column_px = 9;   // a column of the title (15 px bold; a wide character is two)

/// The title in lines that fit `px` (at title_column_px a display column), broken at spaces:
/// a picture one panel wide keeps the whole title (the paths and the seed at its end make the
/// picture reproducible). A word longer than a line is a line of its own.
std::vector<std::string> wrap_title(std::string_view title, int px) {
    const std::size_t columns = static_cast<std::size_t>(std::max(1, px / title_column_px));
    std::vector<std::string> lines;
    std::string line;
    std::size_t at = 0;
    while (at <= title.size()) {
        std::size_t space = title.find(' ', at);
        if (space == std::string_view::npos) space = title.size();
        std::string_view word = title.substr(at, space - at);
        if (!line.empty() && dsl::display_width(line) + 1 + dsl::display_width(word) > columns) {
            lines.push_back(std::move(line));
            line.clear();
        }
        if (!line.empty()) line += ' ';
        line += word;
        at = space + 1;
    }
    lines.push_back(std::move(line));
    return lines;
}

std::string escape_xml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // Control characters are not allowed in XML 1.0; UTF-8 bytes pass unchanged.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

// 4709 → "4709"; values of the axes may exceed 64 bits.
std::string decimal(i128 v) {
    bool negative = v < 0;
    unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
    std::string digits;
    do {
        digits += static_cast<char>('0' + static_cast<int>(u % 10));
        u /= 10;
    } while (u != 0);
    if (negative) digits += '-';
    std::reverse(digits.begin(), digits.end());
    return digits;
}

// 4709 → "4,709"; -1200000 → "-1,200,000".
std::string grouped(i128 v) { return group_digits(decimal(v)); }

R exact(i128 v) { return *R::parse(decimal(v)); }

i128 pow10(int e);

/// "2.50" → "2.5", "4,709.00" → "4,709".
std::string without_trailing_zeros(std::string text) {
    if (text.find('.') == std::string::npos) return text;
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

// v units of 10^-decimals, grouped, without trailing zeros: (25, 1) → "2.5"; (4709, 0) → "4,709".
std::string scaled_text(i128 v, int decimals) {
    if (decimals == 0) return grouped(v);
    return without_trailing_zeros(grouped_decimal(exact(v) / exact(pow10(decimals)), decimals));
}

// An exact value to `decimals`: as it is where they end it, else rounded and marked
// "≈" (never a rounded figure shown as the value): "2.5", "≈324,857.1429".
std::string exact_text(const R& v, int decimals) {
    const std::string text = without_trailing_zeros(grouped_decimal(v, decimals));
    return decimal_places(v, decimals) ? text : "≈" + text;
}

std::string px(const R& v) { return v.to_decimal(1); }
std::string px(std::int64_t v) { return px(R(v)); }

i128 floor_div(i128 a, i128 b) {
    i128 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

i128 ceil_div(i128 a, i128 b) { return -floor_div(-a, b); }

i128 pow10(int e) {
    i128 r = 1;
    for (int i = 0; i < e; ++i) r *= 10;
    return r;
}

// The round steps 1, 2, 5, 10, 20, 50, … up to 5 × 10^18, in increasing order.
const std::vector<i128>& round_steps() {
    static const std::vector<i128> steps = [] {
        std::vector<i128> s;
        for (int e = 0; e <= 18; ++e)
            for (int m : {1, 2, 5}) s.push_back(m * pow10(e));
        return s;
    }();
    return steps;
}

// Values binned by an integer width: bin k holds the values
// [(first + k) * width, (first + k + 1) * width - 1]. The x axis shows `slots` bins from
// index `view_first` (at least `min_slots`, the data's bins in the middle).
struct Bins {
    i128 width = 1;
    i128 first = 0;   // the first bin's index on the value line (its first value / width)
    std::vector<std::uint64_t> counts;
    i128 view_first = 0;
    i128 slots = 1;

    i128 start() const { return view_first * width; }         // first value on the axis
    i128 end() const { return (view_first + slots) * width - 1; }   // last value on the axis
    i128 span() const { return slots * width; }
    i128 slot_of(std::size_t k) const { return first - view_first + static_cast<i128>(k); }
};

using Counts = std::vector<std::pair<std::int64_t, std::uint64_t>>;

// The counts of a distribution on the bins of `bins` (its values inside their range).
std::vector<std::uint64_t> binned(const Bins& bins, const Counts& counts) {
    std::vector<std::uint64_t> out(bins.counts.size(), 0);
    for (const auto& [value, n] : counts) {
        i128 k = floor_div(value, bins.width) - bins.first;
        assert(k >= 0 && k < static_cast<i128>(out.size()) && "a value outside the binned range");
        out[static_cast<std::size_t>(k)] += n;
    }
    return out;
}

// Bins over [lo, hi]; `counts` (sorted by value, inside the range) fill them. Counts per
// granule (granule > 1, a power of two) get bins of a power of two granules, so that no
// granule straddles two bins.
Bins make_bins(i128 lo, i128 hi, const Counts& counts, i128 granule) {
    Bins bins;
    auto fits = [&](i128 w) { return floor_div(hi, w) - floor_div(lo, w) + 1 <= max_bins; };
    if (granule > 1) {
        bins.width = granule;
        while (!fits(bins.width)) bins.width *= 2;
    } else {
        for (i128 w : round_steps()) {
            if (fits(w)) {
                bins.width = w;
                break;
            }
        }
    }
    bins.first = floor_div(lo, bins.width);
    bins.counts.assign(static_cast<std::size_t>(floor_div(hi, bins.width) - bins.first + 1), 0);
    bins.counts = binned(bins, counts);
    i128 n = static_cast<i128>(bins.counts.size());
    bins.slots = std::max<i128>(n, min_slots);
    bins.view_first = bins.first - (bins.slots - n) / 2;
    return bins;
}

// x of the middle of value v's unit slot.
R x_of(const Bins& bins, i128 v) {
    return R(plot_left) + R(plot_width) * (exact(v - bins.start()) + R::fraction(1, 2)) / exact(bins.span());
}

// Round tick values inside the binned range: the smallest round step giving 3 to 5 ticks
// whose labels fit side by side; failing that, the smallest giving at most 5 that fit.
std::vector<i128> x_ticks(const Bins& bins, int decimals) {
    if (bins.counts.size() == 1 && bins.width == 1) return {bins.start() + (bins.slots - 1) / 2};   // the one value
    i128 lo = bins.start(), hi = bins.end();
    std::size_t widest = std::max(scaled_text(lo, decimals).size(), scaled_text(hi, decimals).size());
    const i128 label_width = 6 * static_cast<i128>(widest) + 10;
    i128 fallback = 0;
    for (i128 s : round_steps()) {
        i128 n = floor_div(hi, s) - ceil_div(lo, s) + 1;
        // n labels fit when n · width ≤ plot width + width / 2.
        if (n > max_x_ticks || 2 * n * label_width > 2 * plot_width + label_width) continue;
        if (fallback == 0) fallback = s;
        if (n >= 3) {
            fallback = s;
            break;
        }
    }
    if (fallback == 0) return {};
    std::vector<i128> ticks;
    for (i128 k = ceil_div(lo, fallback); k * fallback <= hi; ++k) ticks.push_back(k * fallback);
    if (ticks.empty()) ticks.push_back(lo);   // cannot happen with step 1, kept for safety
    return ticks;
}

// The y axis in percent of `denominator`: steps of mantissa × 10^exponent percent.
struct YAxis {
    int mantissa = 1;     // 1, 2 or 5
    int exponent = 0;     // -12 … 2
    int steps = 1;        // the axis tops at steps × step
    R top_percent() const {
        R step = R(mantissa);
        for (int e = 0; e < exponent; ++e) step *= R(10);
        for (int e = exponent; e < 0; ++e) step /= R(10);
        return step * R(steps);
    }
};

// The finest round step (≥ 10^-12 %) such that at most `max_y_steps` steps cover the
// largest bin. Exact: compares maxbin × 100 × 10^12 with steps × m × 10^(e+12) × denominator.
YAxis make_y_axis(std::uint64_t max_bin, std::uint64_t denominator) {
    i128 lhs = static_cast<i128>(max_bin) * 100 * pow10(12);
    for (int e = -12; e <= 2; ++e) {
        for (int m : {1, 2, 5}) {
            i128 step = static_cast<i128>(m) * pow10(e + 12) * static_cast<i128>(denominator);
            i128 n = std::max<i128>(1, ceil_div(lhs, step));
            if (n <= max_y_steps) return {m, e, static_cast<int>(n)};
        }
    }
    return {1, 2, 1};   // 100 %: unreachable while max_bin ≤ denominator
}

// k × m × 10^e formatted with max(0, -e) decimals: "0.5%", "12%".
std::string y_label(const YAxis& y, int k) {
    i128 n = static_cast<i128>(k) * y.mantissa;
    if (y.exponent >= 0) return grouped(n * pow10(y.exponent)) + "%";
    int decimals = -y.exponent;
    std::string digits = grouped(n / pow10(decimals));
    std::string frac = fmt::format("{:0>{}}", static_cast<std::uint64_t>(n % pow10(decimals)), decimals);
    return digits + "." + frac + "%";
}

// "12.5%" at 1% and above; below, three significant digits without trailing zeros: "0.0123%".
std::string percent_text(std::uint64_t n, std::uint64_t denominator) {
    R p = R(static_cast<std::int64_t>(n)) * R(100) / R(static_cast<std::int64_t>(denominator));
    if (p >= R(1) || p.is_zero()) return p.to_decimal(1) + "%";
    std::string text = approximate_decimal(p, 2, 3);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text + "%";
}

// A bar's values: "4,709", "4,700–4,709"; values between the units of 10^-decimals as
// "2.5 to under 3".
std::string bin_text(const Bins& bins, std::size_t k, int decimals, bool between) {
    i128 a = (bins.first + static_cast<i128>(k)) * bins.width;
    if (between) return scaled_text(a, decimals) + " to under " + scaled_text(a + bins.width, decimals);
    return bins.width == 1 ? scaled_text(a, decimals)
                           : scaled_text(a, decimals) + "–" + scaled_text(a + bins.width - 1, decimals);
}

std::uint64_t total_of(const Counts& counts) {
    std::uint64_t total = 0;
    for (const auto& [value, n] : counts) total += n;
    return total;
}

void draw_panel(std::string& out, const HistogramPanel& p, std::uint64_t paths, int x, int y, bool overlay) {
    static const Counts none;
    const Counts& base_counts = overlay ? p.base_counts : none;   // drawn only with a legend
    const std::uint64_t total = total_of(p.counts), base_total = total_of(base_counts);

    out += fmt::format("<g class=\"panel\" transform=\"translate({},{})\">\n", x, y);
    out += fmt::format("<text class=\"title\" x=\"12\" y=\"20\">{}</text>\n",
                       (p.director.empty() ? std::string("plan-wide") : escape_xml(p.director)) + " · " +
                           escape_xml(p.output));
    if (total == 0 && base_total == 0) {
        out += "<text class=\"note\" x=\"12\" y=\"36\">no paths</text>\n</g>\n";
        return;
    }

    // The least and greatest value of a distribution (given when it is counted per granule).
    auto extremes = [](const Counts& c, const std::optional<std::pair<std::int64_t, std::int64_t>>& given) {
        return given ? *given : std::make_pair(c.front().first, c.back().first);
    };
    i128 lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& [c, given] : {std::make_pair(&p.counts, &p.range), std::make_pair(&base_counts, &p.base_range)}) {
        if (c->empty()) continue;
        const auto [least, greatest] = extremes(*c, *given);
        lo = std::min<i128>(lo, least);
        hi = std::max<i128>(hi, greatest);
    }
    // A value of the axis as text (in units of 10^-decimals).
    auto at = [&](i128 v) { return scaled_text(v, p.decimals); };
    // An exact value between the units of the grid: to four decimals at least, as the table
    // shows such a percentile.
    const int places = p.between ? std::max(p.decimals, 4) : p.decimals;
    auto exact_or = [&](const std::optional<R>& given, i128 v) { return given ? exact_text(*given, places) : at(v); };
    std::string range = fmt::format("min {} · max {}", at(lo), at(hi));
    if (!overlay && p.exact_range)
        range = fmt::format("min {} · max {}", exact_text(p.exact_range->first, places),
                            exact_text(p.exact_range->second, places));
    if (overlay) {
        auto side = [&](const Counts& c, const std::optional<std::pair<std::int64_t, std::int64_t>>& given,
                        const std::optional<std::pair<R, R>>& given_exact) {
            if (c.empty()) return std::string("—");
            if (given_exact) return exact_text(given_exact->first, places) + "–" + exact_text(given_exact->second, places);
            const auto [least, greatest] = extremes(c, given);
            return at(least) + "–" + at(greatest);
        };
        range = fmt::format("base {} · head {}", side(base_counts, p.base_range, p.exact_base_range),
                            side(p.counts, p.range, p.exact_range));
    }
    std::uint64_t most = std::max(total, base_total);
    std::string n_text = most == paths ? fmt::format("n = {} paths", grouped(most))
                                       : fmt::format("n = {} of {} paths", grouped(most), grouped(paths));
    out += fmt::format("<text class=\"note\" x=\"12\" y=\"36\">{} · {}</text>\n", n_text, range);
    // The axis reaches the limit when the distribution keeps at least half of it; a limit
    // farther off would squeeze the distribution into a bar or two: it is named at the edge
    // of the panel instead, its value with an arrow.
    bool limit_on_axis = false;
    if (p.limit) {
        const i128 limit = *p.limit;
        const i128 distance = limit > hi ? limit - hi : limit < lo ? lo - limit : 0;
        limit_on_axis = distance <= hi - lo;
        if (limit_on_axis) {
            lo = std::min<i128>(lo, limit);
            hi = std::max<i128>(hi, limit);
        }
    }

    std::uint64_t denominator = std::max(paths, most);
    Bins bins = make_bins(lo, hi, p.counts, p.granule);
    std::vector<std::uint64_t> base_bins = binned(bins, base_counts);
    std::uint64_t max_bin = std::max(*std::max_element(bins.counts.begin(), bins.counts.end()),
                                     *std::max_element(base_bins.begin(), base_bins.end()));
    YAxis yaxis = make_y_axis(std::max<std::uint64_t>(max_bin, 1), denominator);
    const R top = yaxis.top_percent();

    // Y grid and labels.
    out += "<g class=\"y-axis\">\n";
    for (int k = 0; k <= yaxis.steps; ++k) {
        R ty = R(plot_bottom) - R::fraction(plot_height * k, yaxis.steps);
        out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(plot_left), px(ty),
                           px(plot_right), px(ty));
        out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                           px(R(plot_left - 6)), px(ty + R::fraction(7, 2)), y_label(yaxis, k));
    }
    out += "</g>\n";

    // Bars: only non-empty bins, each carrying its exact count; the base's behind the head's.
    const R bin_px = R(plot_width) / exact(bins.slots);
    const R gap = bin_px >= R(4) ? R(1) : R(0);
    auto bars = [&](const std::vector<std::uint64_t>& counts, const char* cls, const char* who) {
        out += fmt::format("<g class=\"{}s\">\n", cls);
        for (std::size_t k = 0; k < counts.size(); ++k) {
            std::uint64_t n = counts[k];
            if (n == 0) continue;
            R percent = R(static_cast<std::int64_t>(n)) * R(100) / R(static_cast<std::int64_t>(denominator));
            R height = std::max(R::fraction(1, 2), R(plot_height) * percent / top);   // a path is never invisible
            R bx = R(plot_left) + bin_px * exact(bins.slot_of(k)) + gap / R(2);
            out += fmt::format(
                "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" data-count=\"{}\">"
                "<title>{}{}: {} paths ({})</title></rect>\n",
                cls, px(bx), px(R(plot_bottom) - height), px(bin_px - gap), px(height), n, who,
                bin_text(bins, k, p.decimals, p.between),
                grouped(n), percent_text(n, denominator));
        }
        out += "</g>\n";
    };
    if (overlay) bars(base_bins, "bar-base", "base ");
    bars(bins.counts, "bar", overlay ? "head " : "");

    // X axis, ticks and caption.
    out += "<g class=\"x-axis\">\n";
    out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(plot_left),
                       px(plot_bottom), px(plot_right), px(plot_bottom));
    for (i128 t : x_ticks(bins, p.decimals)) {
        std::string tx = px(x_of(bins, t));
        out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", tx, px(plot_bottom), tx,
                           px(plot_bottom + 4));
        out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", tx,
                           px(plot_bottom + 15), at(t));
    }
    std::string caption = escape_xml(p.unit);
    if (bins.width > 1 || p.between)
        caption += (caption.empty() ? "" : " ") + fmt::format("(bins of {})", at(bins.width));
    if (!caption.empty())
        out += fmt::format("<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                           px(R(plot_left) + R::fraction(plot_width, 2)), px(plot_bottom + 32), caption);
    out += "</g>\n";

    // Marker (not with a limit on the axis: its label would take the marker's place).
    if (p.marker && !limit_on_axis && *p.marker >= bins.start() && *p.marker <= bins.end()) {
        R mx = x_of(bins, *p.marker);
        bool right_half = mx > R(plot_left) + R::fraction(plot_width, 2);
        const std::string value = exact_or(p.exact_marker, *p.marker);
        std::string label = p.marker_label.empty() ? value : escape_xml(p.marker_label) + " " + value;
        out += "<g class=\"marker\">\n";
        out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke-dasharray=\"4 3\"/>\n", px(mx),
                           px(plot_top - 12), px(mx), px(plot_bottom));
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>\n", px(right_half ? mx - R(4) : mx + R(4)),
                           px(plot_top - 4), right_half ? "end" : "start", label);
        out += "</g>\n";
    }
    // The limit: a solid line, labelled where the median's would be (a panel has one or the other).
    if (p.limit && !limit_on_axis) {
        const bool above = *p.limit > bins.end();
        out += "<g class=\"limit\">\n";
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" data-off-axis=\"{}\">{}{} {}{}</text>\n",
                           px(R(above ? plot_right : plot_left)), px(plot_top - 12), above ? "end" : "start",
                           above ? "right" : "left", above ? "" : "← ", escape_xml(p.limit_label),
                           exact_or(p.exact_limit, *p.limit),
                           above ? " →" : "");
        out += "</g>\n";
    } else if (p.limit) {
        R lx = x_of(bins, *p.limit);
        bool right_half = lx > R(plot_left) + R::fraction(plot_width, 2);
        out += "<g class=\"limit\">\n";
        out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(lx), px(plot_top - 12), px(lx),
                           px(plot_bottom));
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{} {}</text>\n",
                           px(right_half ? lx - R(4) : lx + R(4)), px(plot_top - 4), right_half ? "end" : "start",
                           escape_xml(p.limit_label), exact_or(p.exact_limit, *p.limit));
        out += "</g>\n";
    }
    out += "</g>\n";
}

constexpr std::string_view style =
    "<style>\n"
    ".title{font-size:12px;font-weight:bold;fill:#222}\n"
    ".note{font-size:10px;fill:#555}\n"
    ".tick{font-size:10px;fill:#444}\n"
    ".grid{stroke:#e4e4e4;stroke-width:1}\n"
    ".axis{stroke:#888;stroke-width:1}\n"
    ".bar{fill:#4e79a7}\n"
    ".bar-base{fill:url(#base-hatch);stroke:#e8853a;stroke-width:1}\n"
    ".bars rect{fill-opacity:0.8}\n"
    ".legend{font-size:11px;fill:#333}\n"
    ".limit line{stroke:#b22222;stroke-width:2}\n"
    ".limit text{font-size:10px;font-weight:bold;fill:#b22222}\n"
    ".marker line{stroke:#e15759;stroke-width:1.5}\n"
    ".marker text{font-size:10px;fill:#e15759}\n"
    "</style>\n";

}  // namespace

std::string histogram_svg(std::string_view title, std::uint64_t paths, const std::vector<HistogramPanel>& panels,
                          const std::optional<HistogramLegend>& legend) {
    // Grid: columns are outputs, rows directors, both in order of first appearance.
    std::vector<std::string> columns;
    std::map<std::string, std::size_t> column_of;
    std::map<std::string, std::size_t> row_of;   // a director's latest row
    std::vector<std::vector<const HistogramPanel*>> rows;
    for (const HistogramPanel& p : panels) {
        if (p.director.empty()) continue;   // plan-wide: below
        auto [col, new_column] = column_of.try_emplace(p.output, columns.size());
        if (new_column) columns.push_back(p.output);
        auto row = row_of.find(p.director);
        if (row == row_of.end() || (rows[row->second].size() > col->second && rows[row->second][col->second])) {
            row = row_of.insert_or_assign(p.director, rows.size()).first;
            rows.emplace_back();
        }
        auto& cells = rows[row->second];
        if (cells.size() <= col->second) cells.resize(col->second + 1, nullptr);
        cells[col->second] = &p;
    }
    // Plan-wide panels (no director) after the directors', row by row from the left.
    const std::size_t per_row = std::max<std::size_t>(1, columns.size());
    std::size_t placed = 0;
    for (const HistogramPanel& p : panels) {
        if (!p.director.empty()) continue;
        if (placed++ % per_row == 0) rows.emplace_back();
        rows.back().push_back(&p);
        if (columns.empty()) columns.push_back(p.output);
    }

    int width = cell_width * static_cast<int>(std::max<std::size_t>(1, columns.size()));
    const std::vector<std::string> title_lines = wrap_title(title, width - 2 * title_left);
    const int top = header_height + title_line_height * static_cast<int>(title_lines.size() - 1) + (legend ? legend_height : 0);
    int height = top + (rows.empty() ? 40 : cell_height * static_cast<int>(rows.size()));
    std::string out = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family='{2}'>\n",
        width, height, html_font_stack);
    out += fmt::format("<title>{}</title>\n", escape_xml(title));
    out += style;
    if (legend) {
        out += "<defs><pattern id=\"base-hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" "
               "patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"#fbe3cf\"/>"
               "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#e8853a\" stroke-width=\"2\"/></pattern></defs>\n";
    }
    out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#fff\"/>\n", width, height);
    for (std::size_t i = 0; i < title_lines.size(); ++i)
        out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">{}</text>\n",
                           title_left, 26 + title_line_height * static_cast<int>(i), escape_xml(title_lines[i]));
    if (legend) {
        // A line for each side: a swatch of its bars and the plan.
        const int ly = top - legend_height + 4;
        out += "<g class=\"legend\">\n";
        out += fmt::format("<rect class=\"swatch bar-base\" x=\"12\" y=\"{}\" width=\"14\" height=\"10\"/>\n", ly - 9);
        out += fmt::format("<text x=\"32\" y=\"{}\">base: {}</text>\n", ly, escape_xml(legend->base));
        out += fmt::format("<rect class=\"swatch bar\" x=\"12\" y=\"{}\" width=\"14\" height=\"10\"/>\n", ly + 7);
        out += fmt::format("<text x=\"32\" y=\"{}\">head: {}</text>\n", ly + 16, escape_xml(legend->head));
        out += "</g>\n";
    }
    if (rows.empty()) {
        out += fmt::format("<text class=\"note\" x=\"12\" y=\"{}\">no varying outputs</text>\n", top + 16);
    }
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t c = 0; c < rows[r].size(); ++c)
            if (rows[r][c])
                draw_panel(out, *rows[r][c], paths, cell_width * static_cast<int>(c), top + cell_height * static_cast<int>(r),
                           legend.has_value());
    out += "</svg>\n";
    return out;
}

namespace {

/// The grid a panel's values are drawn on: units of 10^-decimals, and whether some values
/// lie between two of them.
struct Grid {
    int decimals = 0;
    bool between = false;
};

constexpr int most_decimals = 6;

R ten_to(int d) { return exact(pow10(d)); }

/// Whether the type's values are whole numbers (shares, a `whole` unit).
bool whole_unit(const Plan& plan, const Type& type) {
    auto u = single_unit(type);
    return u && plan.units[*u].whole;
}

/// The grid of the distributions `sides` (null: a plan without the output) of an output of
/// `type`: whole numbers as they are; decimals that end within six places on the fewest
/// places that hold them all (0.5, 1.5: tenths); any other values (sevenths, counts per
/// bin of a fraction's width) between the units of enough places to give the panel its
/// bars (about as many units as bars, at most six places; a bin's width whole in them).
Grid grid_of(const Plan& plan, const Type& type, std::initializer_list<const ValueCounts*> sides) {
    if (whole_unit(plan, type)) return {};
    Grid g;
    std::optional<R> lo, hi;
    bool ends = true;
    int places = 0, binned_places = 0;
    for (const ValueCounts* c : sides) {
        if (!c || c->total() == 0) continue;
        if (c->exact()) {
            for (const auto& [v, n] : c->sorted()) {
                if (!lo || v < *lo) lo = v;
                if (!hi || *hi < v) hi = v;
                if (!ends) continue;
                if (auto needed = decimal_places(v, most_decimals)) places = std::max(places, *needed);
                else ends = false;
            }
        } else {
            ends = false;
            R width;
            c->visit_bins([](const R&, std::uint64_t) {}, width);
            binned_places = std::max(binned_places, decimal_places(width, most_decimals).value_or(most_decimals));
            if (!lo || c->least() < *lo) lo = c->least();
            if (!hi || *hi < c->greatest()) hi = c->greatest();
        }
    }
    if (ends) return {places, false};
    g.between = true;
    g.decimals = binned_places;
    if (lo && hi)
        while (g.decimals < most_decimals &&
               ((*hi * ten_to(g.decimals)).floor() - (*lo * ten_to(g.decimals)).floor()) < R(max_bins))
            ++g.decimals;
    return g;
}

/// The counts of a distribution in shares (or another counted unit) on the grid `g`: per
/// value, per unit of the grid, or per granule past the cap of distinct values (then
/// `granule` and `range` say so; an earlier granule, of the other side of an overlay,
/// divides or is divided by this one: the panel takes the wider). Every path is counted.
Counts integer_counts(const ValueCounts& counts, const Grid& g, std::int64_t& granule,
                      std::optional<std::pair<std::int64_t, std::int64_t>>& range) {
    Counts out;
    const R scale = ten_to(g.decimals);
    auto scaled = [&](const R& v) { return (v * scale).floor().to_int64(); };
    if (counts.exact()) {
        for (const auto& [v, n] : counts.sorted()) {
            auto i = scaled(v);
            if (!i) return {};
            if (!out.empty() && out.back().first == *i) out.back().second += n;   // one unit of the grid
            else out.emplace_back(*i, n);
        }
        return out;
    }
    R width;
    auto least = scaled(counts.least()), greatest = scaled(counts.greatest());
    bool fits = least && greatest;
    if (!fits || !counts.visit_bins(
                     [&](const R& first, std::uint64_t n) {
                         auto i = scaled(first);
                         if (!i) fits = false;
                         else out.emplace_back(*i, n);
                     },
                     width))
        return {};
    auto w = (width * scale).to_int64();
    if (!fits || !w || !(width * scale).is_integer()) return {};
    granule = std::max(granule, *w);
    range = std::make_pair(*least, *greatest);
    return out;
}

/// The least and the greatest value counted, exactly (for a panel whose values lie between
/// the units of its grid).
std::pair<R, R> exact_range(const ValueCounts& counts) {
    if (counts.exact()) {
        auto sorted = counts.sorted();
        return {sorted.front().first, sorted.back().first};
    }
    return {counts.least(), counts.greatest()};
}

/// A value (a median, a bound) on the panel's grid: its unit of the grid, and the value
/// itself where it is not one (to be shown as it is, or marked as rounded).
void place(const R& v, const Grid& g, std::optional<std::int64_t>& at, std::optional<R>& exact_value) {
    const R scaled = v * ten_to(g.decimals);
    at = scaled.floor().to_int64();
    if (at && !scaled.is_integer()) exact_value = v;
}

/// The limits of `plan` on the plan-wide output `slot` whose value is that output and
/// whose bound is in shares (or another counted unit): "limit NAME" and the smallest bound
/// of any path.
std::optional<std::pair<std::string, R>> limit_on(const Plan& plan, const SimulationResult& r, std::uint32_t slot) {
    for (const auto& l : r.limits) {
        const Limit& limit = plan.limits[l.limit];
        const Node& value = plan.nodes[limit.value];
        if (value.kind != NodeKind::slot || value.aux != slot || !counted(limit.type, plan.units)) continue;
        if (l.bounds.total() == 0) continue;
        std::string label = "limit " + limit.name;
        if (l.bounds.varies()) label += " (lowest)";
        return std::make_pair(label, l.bounds.least());
    }
    return std::nullopt;
}

}  // namespace

/// One panel per director and output in shares (or another counted unit) that is not the
/// same on every path.
std::vector<HistogramPanel> histogram_panels(const Plan& plan, const SimulationResult& r) {
    std::vector<HistogramPanel> out;
    auto add = [&](const OutputTally& t, std::string director) {
        const auto& type = plan.slots[t.slot].type;
        if (!counted(type, plan.units) || !t.counts.varies()) return;
        HistogramPanel p;
        p.director = std::move(director);
        p.output = plan.slots[t.slot].name;
        p.unit = plan.type_name(type);
        const Grid g = grid_of(plan, type, {&t.counts});
        p.decimals = g.decimals;
        p.between = g.between;
        p.counts = integer_counts(t.counts, g, p.granule, p.range);
        if (g.between) p.exact_range = exact_range(t.counts);
        auto l = p.director.empty() ? limit_on(plan, r, t.slot) : std::nullopt;
        if (l) {
            p.limit_label = l->first;
            place(l->second, g, p.limit, p.exact_limit);
        }
        // Drawn unless the limit is on the axis.
        place(summarize(r, t).p50, g, p.marker, p.exact_marker);
        if (p.marker) p.marker_label = "P50";
        out.push_back(std::move(p));
    };
    for (const auto& t : r.outputs) add(t, r.directors[t.director]);
    for (const auto& t : r.plan_outputs) add(t, "");
    return out;
}

std::vector<HistogramPanel> histogram_panels(const Plan& base, const Plan& head, const ComparedSimulation& c) {
    std::vector<HistogramPanel> out;
    for (const auto& o : compared_outputs(base, head, c)) {
        const OutputTally* shown = o.head ? o.head : o.base;
        const Plan& plan = o.head ? head : base;
        if (!counted(plan.slots[shown->slot].type, plan.units)) continue;
        if ((!o.head || !o.head->counts.varies()) && (!o.base || !o.base->counts.varies())) continue;
        HistogramPanel p;
        p.director = o.director ? o.director_id : "";
        p.output = o.output;
        p.unit = o.unit;
        const Grid g = grid_of(plan, plan.slots[shown->slot].type,
                               {o.head ? &o.head->counts : nullptr, o.base ? &o.base->counts : nullptr});
        p.decimals = g.decimals;
        p.between = g.between;
        if (o.head) p.counts = integer_counts(o.head->counts, g, p.granule, p.range);
        if (o.base) p.base_counts = integer_counts(o.base->counts, g, p.granule, p.base_range);
        if (g.between && o.head && o.head->counts.total()) p.exact_range = exact_range(o.head->counts);
        if (g.between && o.base && o.base->counts.total()) p.exact_base_range = exact_range(o.base->counts);
        if (!o.director) {
            auto l = o.head ? limit_on(head, c.head, o.head->slot) : std::nullopt;
            if (!l && o.base) l = limit_on(base, c.base, o.base->slot);
            if (l) {
                p.limit_label = l->first;
                place(l->second, g, p.limit, p.exact_limit);
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace hoshu::eval
