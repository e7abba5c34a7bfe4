#include "evaluator/output/histogram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <map>

#include "dsl/base/text.hpp"
#include "evaluator/output/html.hpp"
#include "evaluator/whatif/simulate.hpp"
#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

namespace {

using i128 = __int128;
using R = Rational;   // coordinates are exact too, printed to a tenth of a pixel

// Geometry, in px. A cell holds one panel; the plot area is inside it.
constexpr int cell_width = 360;
constexpr int cell_height = 232;
constexpr int header_height = 40;
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

Bins make_bins(const std::vector<std::pair<std::int64_t, std::uint64_t>>& counts) {
    assert(!counts.empty());
    i128 lo = counts.front().first, hi = counts.back().first;
    Bins bins;
    for (i128 w : round_steps()) {
        if (floor_div(hi, w) - floor_div(lo, w) + 1 <= max_bins) {
            bins.width = w;
            break;
        }
    }
    bins.first = floor_div(lo, bins.width);
    bins.counts.assign(static_cast<std::size_t>(floor_div(hi, bins.width) - bins.first + 1), 0);
    for (const auto& [value, n] : counts) {
        assert(value >= lo && value <= hi && "counts must be sorted by value");
        bins.counts[static_cast<std::size_t>(floor_div(value, bins.width) - bins.first)] += n;
    }
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
std::vector<i128> x_ticks(const Bins& bins) {
    if (bins.counts.size() == 1 && bins.width == 1) return {bins.start() + (bins.slots - 1) / 2};   // the one value
    i128 lo = bins.start(), hi = bins.end();
    std::size_t widest = std::max(grouped(lo).size(), grouped(hi).size());
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
    int places = 2;
    for (R scaled = p * R(100); scaled < R(100); scaled *= R(10)) ++places;
    std::string text = p.to_decimal(places);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text + "%";
}

std::string bin_text(const Bins& bins, std::size_t k) {
    i128 a = (bins.first + static_cast<i128>(k)) * bins.width;
    return bins.width == 1 ? grouped(a) : grouped(a) + "–" + grouped(a + bins.width - 1);
}

void draw_panel(std::string& out, const HistogramPanel& p, std::uint64_t paths, int x, int y) {
    std::uint64_t total = 0;
    for (const auto& [value, n] : p.counts) total += n;

    out += fmt::format("<g class=\"panel\" transform=\"translate({},{})\">\n", x, y);
    out += fmt::format("<text class=\"title\" x=\"12\" y=\"20\">{} · {}</text>\n", escape_xml(p.director),
                       escape_xml(p.output));
    if (total == 0) {
        out += "<text class=\"note\" x=\"12\" y=\"36\">no paths</text>\n</g>\n";
        return;
    }

    std::int64_t lo = p.counts.front().first, hi = p.counts.back().first;
    std::string n_text = total == paths ? fmt::format("n = {} paths", grouped(total))
                                        : fmt::format("n = {} of {} paths", grouped(total), grouped(paths));
    out += fmt::format("<text class=\"note\" x=\"12\" y=\"36\">{} · min {} · max {}</text>\n", n_text, grouped(lo),
                       grouped(hi));

    std::uint64_t denominator = std::max(paths, total);
    Bins bins = make_bins(p.counts);
    YAxis yaxis = make_y_axis(*std::max_element(bins.counts.begin(), bins.counts.end()), denominator);
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

    // Bars: only non-empty bins, each carrying its exact count.
    const R bin_px = R(plot_width) / exact(bins.slots);
    const R gap = bin_px >= R(4) ? R(1) : R(0);
    out += "<g class=\"bars\">\n";
    for (std::size_t k = 0; k < bins.counts.size(); ++k) {
        std::uint64_t n = bins.counts[k];
        if (n == 0) continue;
        R percent = R(static_cast<std::int64_t>(n)) * R(100) / R(static_cast<std::int64_t>(denominator));
        R height = std::max(R::fraction(1, 2), R(plot_height) * percent / top);   // a path is never invisible
        R bx = R(plot_left) + bin_px * exact(bins.slot_of(k)) + gap / R(2);
        out += fmt::format(
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" data-count=\"{}\">"
            "<title>{}: {} paths ({})</title></rect>\n",
            px(bx), px(R(plot_bottom) - height), px(bin_px - gap), px(height), n, bin_text(bins, k), grouped(n),
            percent_text(n, denominator));
    }
    out += "</g>\n";

    // X axis, ticks and caption.
    out += "<g class=\"x-axis\">\n";
    out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(plot_left),
                       px(plot_bottom), px(plot_right), px(plot_bottom));
    for (i128 t : x_ticks(bins)) {
        std::string tx = px(x_of(bins, t));
        out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", tx, px(plot_bottom), tx,
                           px(plot_bottom + 4));
        out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", tx,
                           px(plot_bottom + 15), grouped(t));
    }
    std::string caption = escape_xml(p.unit);
    if (bins.width > 1) caption += (caption.empty() ? "" : " ") + fmt::format("(bins of {})", grouped(bins.width));
    if (!caption.empty())
        out += fmt::format("<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                           px(R(plot_left) + R::fraction(plot_width, 2)), px(plot_bottom + 32), caption);
    out += "</g>\n";

    // Marker.
    if (p.marker && *p.marker >= bins.start() && *p.marker <= bins.end()) {
        R mx = x_of(bins, *p.marker);
        bool right_half = mx > R(plot_left) + R::fraction(plot_width, 2);
        std::string label = p.marker_label.empty() ? grouped(*p.marker)
                                                   : escape_xml(p.marker_label) + " " + grouped(*p.marker);
        out += "<g class=\"marker\">\n";
        out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke-dasharray=\"4 3\"/>\n", px(mx),
                           px(plot_top - 12), px(mx), px(plot_bottom));
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>\n", px(right_half ? mx - R(4) : mx + R(4)),
                           px(plot_top - 4), right_half ? "end" : "start", label);
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
    ".marker line{stroke:#e15759;stroke-width:1.5}\n"
    ".marker text{font-size:10px;fill:#e15759}\n"
    "</style>\n";

}  // namespace

std::string histogram_svg(std::string_view title, std::uint64_t paths, const std::vector<HistogramPanel>& panels) {
    // Grid: columns are outputs, rows directors, both in order of first appearance.
    std::vector<std::string> columns;
    std::map<std::string, std::size_t> column_of;
    std::map<std::string, std::size_t> row_of;   // a director's latest row
    std::vector<std::vector<const HistogramPanel*>> rows;
    for (const HistogramPanel& p : panels) {
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

    int width = cell_width * static_cast<int>(std::max<std::size_t>(1, columns.size()));
    int height = header_height + (rows.empty() ? 40 : cell_height * static_cast<int>(rows.size()));
    std::string out = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family='{2}'>\n",
        width, height, html_font_stack);
    out += fmt::format("<title>{}</title>\n", escape_xml(title));
    out += style;
    out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#fff\"/>\n", width, height);
    out += fmt::format("<text x=\"12\" y=\"26\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">{}</text>\n",
                       escape_xml(title));
    if (rows.empty()) {
        out += fmt::format("<text class=\"note\" x=\"12\" y=\"{}\">no varying outputs</text>\n", header_height + 16);
    }
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t c = 0; c < rows[r].size(); ++c)
            if (rows[r][c])
                draw_panel(out, *rows[r][c], paths, cell_width * static_cast<int>(c),
                           header_height + cell_height * static_cast<int>(r));
    out += "</svg>\n";
    return out;
}

/// One panel per director and output in shares that is not the same on every path.
std::vector<HistogramPanel> histogram_panels(const Plan& plan, const SimulationResult& r) {
    std::vector<HistogramPanel> out;
    for (const auto& t : r.outputs) {
        const auto& type = plan.slots[t.slot].type;
        if (!(type.kind == Kind::number && type.dim == Dimension{0, 1, 0})) continue;
        auto values = t.counts.sorted();
        if (values.size() < 2) continue;
        HistogramPanel p;
        p.director = r.directors[t.director];
        p.output = plan.slots[t.slot].name;
        p.unit = plan.type_name(type);
        for (const auto& [v, n] : values) {
            if (auto i = v.to_int64()) p.counts.emplace_back(*i, n);
        }
        auto s = summarize(r, t);
        if (auto m = s.p50.to_int64()) {
            p.marker = *m;
            p.marker_label = "P50";
        }
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace hoshu::eval
