// histogram_svg: binning, escaping, layout and determinism of the simulation histograms.
#include "evaluator/output/histogram.hpp"

#include "dsl/base/source.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using hoshu::eval::histogram_svg;
using hoshu::eval::HistogramPanel;

namespace {

std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

// The data-count of every bar, in document order.
std::vector<std::uint64_t> bar_counts(const std::string& svg) {
    std::vector<std::uint64_t> counts;
    const std::string bar = "<rect class=\"bar\"";
    const std::string attribute = "data-count=\"";
    for (auto at = svg.find(bar); at != std::string::npos; at = svg.find(bar, at + 1)) {
        auto end = svg.find('>', at);
        auto a = svg.find(attribute, at);
        REQUIRE(a < end);
        counts.push_back(std::stoull(svg.substr(a + attribute.size())));
    }
    return counts;
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) {
    std::uint64_t s = 0;
    for (auto x : v) s += x;
    return s;
}

void require_well_formed(const std::string& svg) {
    REQUIRE(svg.rfind("<svg", 0) == 0);
    REQUIRE(svg.size() >= 7);
    REQUIRE(svg.substr(svg.size() - 7) == "</svg>\n");
    CHECK(occurrences(svg, "<svg") == 1);
    CHECK(occurrences(svg, "<g ") + occurrences(svg, "<g>") == occurrences(svg, "</g>"));
    CHECK(occurrences(svg, "<text") == occurrences(svg, "</text>"));
    CHECK(svg.find("-0.0") == std::string::npos);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
}

HistogramPanel uniform(std::string director, std::string output, std::int64_t lo, std::int64_t hi, std::uint64_t n) {
    HistogramPanel p{.director = std::move(director), .output = std::move(output), .unit = "shares"};
    for (std::int64_t v = lo; v <= hi; ++v) p.counts.emplace_back(v, n);
    return p;
}

}  // namespace

TEST_CASE("histogram: panels, titles and well-formedness", "[histogram]") {
    std::vector<HistogramPanel> panels = {
        uniform("D01", "annual_rs_shares", 3120, 7269, 3),
        uniform("D01", "midterm_psu_shares", 0, 40, 10),
        uniform("D02", "annual_rs_shares", 100, 200, 1),
    };
    panels[0].marker = 4709;
    panels[0].marker_label = "P50";
    std::string svg = histogram_svg("FY2025 シミュレーション", 12'450, panels);
    require_well_formed(svg);
    // Font families that show Japanese (the title and the plan's texts may be Japanese).
    CHECK(svg.find("font-family='\"Noto Sans CJK JP\"") != std::string::npos);
    CHECK(svg.find("FY2025 シミュレーション") != std::string::npos);   // UTF-8 unchanged
    CHECK(svg.find("D01 · annual_rs_shares") != std::string::npos);
    CHECK(svg.find("D01 · midterm_psu_shares") != std::string::npos);
    CHECK(svg.find("D02 · annual_rs_shares") != std::string::npos);
    CHECK(svg.find("min 3,120 · max 7,269") != std::string::npos);
    CHECK(svg.find("n = 12,450 paths") != std::string::npos);
    CHECK(svg.find("P50 4,709") != std::string::npos);
    // Two columns (outputs) × two rows (directors); D02's midterm cell stays empty.
    CHECK(svg.find("width=\"720\"") != std::string::npos);
    CHECK(occurrences(svg, "<g class=\"panel\"") == 3);
    CHECK(svg.find("translate(0,272)") != std::string::npos);   // D02, first column, second row
}

TEST_CASE("histogram: XML is escaped in all text", "[histogram]") {
    HistogramPanel p = uniform("D<&>", "a\"b", 1, 3, 1);
    p.unit = "<unit>";
    p.marker = 2;
    p.marker_label = "P50 & <co>";
    std::string svg = histogram_svg("Plan <A&B> \"x\"", 3, {p});
    require_well_formed(svg);
    CHECK(svg.find("Plan &lt;A&amp;B&gt; &quot;x&quot;") != std::string::npos);
    CHECK(svg.find("D&lt;&amp;&gt; · a&quot;b") != std::string::npos);
    CHECK(svg.find("&lt;unit&gt;") != std::string::npos);
    CHECK(svg.find("P50 &amp; &lt;co&gt; 2") != std::string::npos);
    CHECK(svg.find("<A&B>") == std::string::npos);
    CHECK(svg.find("D<&>") == std::string::npos);
}

TEST_CASE("histogram: binning keeps every path", "[histogram]") {
    using Row = std::tuple<std::int64_t, std::int64_t, std::uint64_t>;
    auto [lo, hi, per_value] = GENERATE(table<std::int64_t, std::int64_t, std::uint64_t>({
        Row{1, 1000, 1},
        Row{1, 60, 7},
        Row{1, 61, 7},
        Row{-250, 250, 2},
        Row{0, 1, 500'000},
        Row{1'000'000'000, 1'000'123'456, 1},
    }));
    HistogramPanel p = uniform("D01", "x", lo, hi, per_value);
    std::uint64_t total = static_cast<std::uint64_t>(hi - lo + 1) * per_value;
    std::string svg = histogram_svg("t", total, {p});
    require_well_formed(svg);
    auto counts = bar_counts(svg);
    CHECK(counts.size() <= 60);
    CHECK(counts.size() >= 2);
    CHECK(sum(counts) == total);
}

TEST_CASE("histogram: 1..1000 uniformly gives at most 60 bars", "[histogram]") {
    std::string svg = histogram_svg("t", 1000, {uniform("D01", "x", 1, 1000, 1)});
    auto counts = bar_counts(svg);
    CHECK(counts.size() <= 60);
    CHECK(counts.size() >= 20);
    CHECK(sum(counts) == 1000);
    CHECK(svg.find("(bins of ") != std::string::npos);
}

TEST_CASE("histogram: a single value is one bar", "[histogram]") {
    HistogramPanel p{.director = "D03", .output = "annual_rs_shares", .unit = "shares", .counts = {{4709, 1'000'000}}};
    std::string svg = histogram_svg("t", 1'000'000, {p});
    require_well_formed(svg);
    auto counts = bar_counts(svg);
    REQUIRE(counts.size() == 1);
    CHECK(counts[0] == 1'000'000);
    CHECK(svg.find("n = 1,000,000 paths · min 4,709 · max 4,709") != std::string::npos);
    CHECK(svg.find(">4,709</text>") != std::string::npos);   // its x tick
    CHECK(svg.find(">100%</text>") != std::string::npos);    // the y axis tops at 100 %
}

TEST_CASE("histogram: sparse, extreme and partial inputs", "[histogram]") {
    HistogramPanel wide{.director = "D01", .output = "x", .unit = "JPY",
                        .counts = {{INT64_MIN, 1}, {0, 5}, {INT64_MAX, 2}}};
    HistogramPanel few{.director = "D02", .output = "x", .unit = "shares", .counts = {{10, 1}, {20, 1}}};
    std::string svg = histogram_svg("t", 10, {wide, few});
    require_well_formed(svg);
    auto counts = bar_counts(svg);
    CHECK(sum(counts) == 10);
    CHECK(counts.size() == 5);
    CHECK(svg.find("n = 8 of 10 paths") != std::string::npos);
    CHECK(svg.find("n = 2 of 10 paths") != std::string::npos);
}

TEST_CASE("histogram: the same input gives the same bytes", "[histogram]") {
    std::vector<HistogramPanel> panels = {uniform("D01", "a", 3120, 7269, 241), uniform("D02", "b", -5, 5, 1)};
    panels[1].marker = 0;
    panels[1].marker_label = "P50";
    CHECK(histogram_svg("t", 1'000'000, panels) == histogram_svg("t", 1'000'000, panels));
}

TEST_CASE("histogram: no panels", "[histogram]") {
    std::string svg = histogram_svg("FY2025", 1'000'000, {});
    require_well_formed(svg);
    CHECK(svg.find("no varying outputs") != std::string::npos);
    CHECK(bar_counts(svg).empty());
}

TEST_CASE("histogram: two plans overlaid, a legend, a limit, plan-wide panels below", "[histogram]") {
    HistogramPanel d = uniform("D03", "annual_rs_shares", 4000, 5000, 2);
    for (std::int64_t v = 3000; v <= 9000; v += 10) d.base_counts.emplace_back(v, 3);
    HistogramPanel total = uniform("", "rs_shares", 60'000, 120'000, 1);
    total.limit = 140'000;
    total.limit_label = "limit rs_share_count";
    std::string svg = histogram_svg("FY2024", 100'000, {d, total},
                                    hoshu::eval::HistogramLegend{"rules/old — 改定前", "rules/new — 改定"});
    require_well_formed(svg);
    // Both distributions, each bar with its exact count: every path of each is drawn.
    std::uint64_t base_total = 0;
    const std::string base_bar = "<rect class=\"bar-base\" x=";
    for (auto at = svg.find(base_bar); at != std::string::npos; at = svg.find(base_bar, at + 1)) {
        auto a = svg.find("data-count=\"", at);
        base_total += std::stoull(svg.substr(a + 12));
    }
    CHECK(base_total == 601 * 3);
    CHECK(sum(bar_counts(svg)) == 1001 * 2 + 60'001);
    CHECK(svg.find("base: rules/old — 改定前") != std::string::npos);
    CHECK(svg.find("head: rules/new — 改定") != std::string::npos);
    CHECK(svg.find("id=\"base-hatch\"") != std::string::npos);
    CHECK(svg.find("base 3,000–9,000 · head 4,000–5,000") != std::string::npos);
    // The limit is drawn, labelled, inside an axis widened to reach it.
    CHECK(occurrences(svg, "<g class=\"limit\">") == 1);
    CHECK(svg.find(">limit rs_share_count 140,000<") != std::string::npos);
    CHECK(svg.find(">140,000<") != std::string::npos);   // a tick at the limit
    // The plan-wide panel starts its own row at the left.
    CHECK(svg.find("plan-wide · rs_shares") != std::string::npos);
    CHECK(svg.find("translate(0,300)") != std::string::npos);   // 40 title + 28 legend + 232
}

TEST_CASE("histogram: a limit far from the distribution is named at the edge, the axis the distribution's", "[histogram]") {
    // A plan-wide total of 0, 130 or 260 shares under a limit of 1,000,000: an axis widened
    // to the limit would draw every path as one bar.
    HistogramPanel total{.director = "", .output = "total_units", .unit = "shares"};
    total.counts = {{0, 268}, {130, 501}, {260, 231}};
    total.limit = 1'000'000;
    total.limit_label = "limit unit_cap";
    total.marker = 130;
    total.marker_label = "P50";
    std::string svg = histogram_svg("Echo", 1000, {total});
    require_well_formed(svg);
    CHECK(bar_counts(svg) == std::vector<std::uint64_t>{268, 501, 231});
    CHECK(svg.find("data-off-axis=\"right\">limit unit_cap 1,000,000 →<") != std::string::npos);
    CHECK(svg.find("<g class=\"limit\">\n<line") == std::string::npos);   // no line for the limit
    CHECK(svg.find(">P50 130<") != std::string::npos);
    CHECK(svg.find(">1,000,000<") == std::string::npos);   // no tick out there

    // A limit below the distribution, as far: named at the left edge.
    total.limit = -1'000'000;
    svg = histogram_svg("Echo", 1000, {total});
    CHECK(svg.find("data-off-axis=\"left\">← limit unit_cap -1,000,000<") != std::string::npos);

    // A limit as far from the distribution as it is wide: on the axis, a line, no median.
    total.limit = 520;
    svg = histogram_svg("Echo", 1000, {total});
    CHECK(svg.find("data-off-axis") == std::string::npos);
    CHECK(svg.find(">limit unit_cap 520<") != std::string::npos);
    CHECK(svg.find("<g class=\"marker\">") == std::string::npos);
    total.limit = 521;
    svg = histogram_svg("Echo", 1000, {total});
    CHECK(svg.find("data-off-axis=\"right\"") != std::string::npos);
}

TEST_CASE("histogram: no legend, no overlay", "[histogram]") {
    HistogramPanel d = uniform("D03", "annual_rs_shares", 4000, 5000, 2);
    d.base_counts.emplace_back(4500, 1);   // ignored without a legend
    std::string svg = histogram_svg("FY2024", 2002, {d});
    require_well_formed(svg);
    CHECK(svg.find("class=\"bar-base\"") == std::string::npos);
    CHECK(svg.find("base-hatch\"") == std::string::npos);
    CHECK(svg.find("class=\"legend\"") == std::string::npos);
}

TEST_CASE("histogram: counts per granule fill whole bars, captioned with the values' own extremes", "[histogram]") {
    // Past a simulation's cap of distinct values an output is counted per 2^k-wide granule:
    // (v, n) counts the values in [v, v + 4096). A bar is a whole number of granules wide,
    // so no granule's count is split between bars.
    HistogramPanel p{.director = "D01", .output = "total", .unit = "shares", .granule = 4096,
                     .range = std::make_pair<std::int64_t, std::int64_t>(1'000'123, 1'418'000)};
    std::uint64_t total = 0;
    for (std::int64_t g = 1'000'123 / 4096; g <= 1'418'000 / 4096; ++g) {
        p.counts.emplace_back(g * 4096, static_cast<std::uint64_t>(g % 7 + 1));
        total += static_cast<std::uint64_t>(g % 7 + 1);
    }
    std::string svg = histogram_svg("t", total, {p});
    require_well_formed(svg);
    auto counts = bar_counts(svg);
    CHECK(counts.size() <= 60);
    CHECK(counts.size() >= 20);
    CHECK(sum(counts) == total);
    CHECK(svg.find("min 1,000,123 · max 1,418,000") != std::string::npos);
    CHECK(svg.find("(bins of 8,192)") != std::string::npos);   // 2 granules: the least that gives 60 bars or fewer
}

TEST_CASE("histogram: a title longer than a one-panel picture is wrapped, whole", "[histogram]") {
    // One panel: 360 px. The title's end (the paths and the seed) makes the picture
    // reproducible: no part of it may fall outside the picture.
    const std::string title = "Example plc Long Term Incentive Plan 2025 — 2,000 paths, seed 3";
    std::string svg = histogram_svg(title, 2'000, {uniform("CEO", "vested_shares", 25'000, 100'000, 1)});
    require_well_formed(svg);
    CHECK(svg.find("width=\"360\"") != std::string::npos);
    // Every line of the title within the picture (at 9 px a column, from x = 12 to 348).
    std::string joined;
    for (auto at = svg.find("font-weight=\"bold\""); at != std::string::npos; at = svg.find("font-weight=\"bold\"", at + 1)) {
        auto begin = svg.find('>', at) + 1;
        std::string line = svg.substr(begin, svg.find("</text>", begin) - begin);
        CHECK(hoshu::dsl::display_width(line) * 9 <= 336);
        joined += (joined.empty() ? "" : " ") + line;
    }
    CHECK(joined == title);
    CHECK(occurrences(svg, "font-weight=\"bold\"") == 2);
    // The panels move down by the extra line: the picture is one line taller.
    CHECK(svg.find("height=\"292\"") != std::string::npos);
    // A title that fits stays one line, and the picture its height.
    std::string short_svg = histogram_svg("LTIP — 2,000 paths, seed 3", 2'000, {uniform("CEO", "vested_shares", 1, 9, 1)});
    CHECK(occurrences(short_svg, "font-weight=\"bold\"") == 1);
    CHECK(short_svg.find("height=\"272\"") != std::string::npos);
}

TEST_CASE("histogram: a unit that is not whole, in tenths, and values between the units of its grid", "[histogram]") {
    // 0.5, 1.5 and 2.5 DSUs, counted in tenths: every path in a bar labelled with its value.
    HistogramPanel tenths{.director = "B01", .output = "credited", .unit = "DSUs"};
    tenths.counts = {{5, 100}, {15, 500}, {25, 400}};
    tenths.decimals = 1;
    tenths.marker = 15;
    tenths.marker_label = "P50";
    std::string svg = histogram_svg("tenths", 1'000, {tenths});
    require_well_formed(svg);
    CHECK(sum(bar_counts(svg)) == 1'000);
    CHECK(svg.find("n = 1,000 paths · min 0.5 · max 2.5") != std::string::npos);
    CHECK(svg.find("<title>0.5: 100 paths (10.0%)</title>") != std::string::npos);
    CHECK(svg.find(">P50 1.5<") != std::string::npos);
    CHECK(svg.find("(bins of") == std::string::npos);   // a bar per value

    // Sevenths of a DSU, counted per whole DSU: the bars say "from … to under …", the range and
    // the median are the exact values, marked where four decimals do not end them.
    HistogramPanel sevenths{.director = "B01", .output = "u", .unit = "DSUs"};
    sevenths.counts = {{2420, 3}, {2421, 5}, {2423, 2}};
    sevenths.between = true;
    sevenths.exact_range = std::make_pair(hoshu::eval::Rational::fraction(16941, 7),
                                          hoshu::eval::Rational::fraction(16964, 7));
    sevenths.marker = 2421;
    sevenths.exact_marker = hoshu::eval::Rational::fraction(4843, 2);
    sevenths.marker_label = "P50";
    svg = histogram_svg("sevenths", 10, {sevenths});
    require_well_formed(svg);
    CHECK(sum(bar_counts(svg)) == 10);
    CHECK(svg.find("n = 10 paths · min ≈2,420.1429 · max ≈2,423.4286") != std::string::npos);
    CHECK(svg.find("<title>2,420 to under 2,421: 3 paths (30.0%)</title>") != std::string::npos);
    CHECK(svg.find(">P50 2,421.5<") != std::string::npos);
    CHECK(svg.find("DSUs (bins of 1)") != std::string::npos);
}
