// Histograms of simulated share counts as one SVG document, for
// `hoshu simulate --histogram FILE.svg`: a grid of small multiples, one row per director,
// one column per output, then the plan-wide totals with the plan's limits on them; with
// `--against`, both plans' distributions overlaid in each panel.
//
//   HistogramPanel p{.director = "D03", .output = "annual_rs_shares", .unit = "shares",
//                    .counts = {{4700, 120}, {4709, 880}}, .marker = 4709, .marker_label = "P50"};
//   std::string svg = histogram_svg("FY2025 simulation", 1'000, {p});
//
// The drawing uses doubles for coordinates only; counts, bins and tick values are integers.
// The same input always gives the same bytes (no dates, no random ids).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/ir/plan.hpp"
#include "evaluator/whatif/simulate.hpp"
#include "evaluator/whatif/tallies.hpp"

namespace hoshu::eval {

struct HistogramPanel {
    std::string director;   // "D03"; empty for a plan-wide output
    std::string output;     // "annual_rs_shares"
    std::string unit;       // "shares": the x axis caption
    /// Value → number of paths, sorted by value, no zero counts.
    std::vector<std::pair<std::int64_t, std::uint64_t>> counts{};
    /// A vertical dashed line (e.g. the median), labelled `marker_label` and the value:
    /// marker_label "P50", marker 4709 → "P50 4,709". Not drawn outside the binned range,
    /// nor when a limit is drawn on the axis (its label takes the marker's place).
    std::optional<std::int64_t> marker{};
    std::string marker_label{};
    /// A second distribution overlaid on the first (the base plan of a comparison), drawn as
    /// hatched outlines, each `<rect class="bar-base" data-count="N">`, on the same bins.
    std::vector<std::pair<std::int64_t, std::uint64_t>> base_counts{};
    /// A limit: a solid vertical line, labelled `limit_label` and the value ("limit
    /// rs_share_count 140,000"); the x axis is widened to show it when the distribution
    /// keeps at least half of the axis. A limit farther off is named at the panel's edge,
    /// "limit rs_share_count 1,000,000 →" (`data-off-axis="right"`), the axis the
    /// distribution's own.
    std::optional<std::int64_t> limit{};
    std::string limit_label{};
    /// Counts per granule rather than per value (an output that took more distinct values
    /// than a simulation holds): each pair (v, n) counts the n values in [v, v + granule),
    /// and every bar is a whole number of granules wide. `range` and `base_range` are then
    /// the least and the greatest value of each.
    std::int64_t granule = 1;
    std::optional<std::pair<std::int64_t, std::int64_t>> range{}, base_range{};
    /// Values in tenths, hundredths, … of the unit (one that is not whole: DSUs): the counts'
    /// values, the marker, the limit and the ranges count units of 10^-decimals (0.5 DSU with
    /// decimals 1: 5), and the labels show them as decimals ("0.5").
    int decimals = 0;
    /// Some values lie between two such units (a seventh of a DSU): each (v, n) counts the
    /// values from v to under v + granule, and each bar is labelled as from one value to
    /// under the next. The exact values below are then shown for the range, the marker and
    /// the limit, marked as rounded where the decimals do not end them ("≈324,857.1429").
    bool between = false;
    std::optional<std::pair<Rational, Rational>> exact_range{}, exact_base_range{};
    std::optional<Rational> exact_marker{}, exact_limit{};
};

/// The two plans of an overlay, for the legend: "base  rules/iij-2023 — title".
struct HistogramLegend {
    std::string base, head;
};

/// An SVG document (UTF-8; all text XML-escaped). Panels are placed in a grid: a row per
/// director and a column per output, both in order of first appearance; a director without
/// a panel for an output leaves that cell empty (a second panel for the same director and
/// output starts a new row); panels without a director (plan-wide totals) follow in rows of
/// their own, from the left. Each panel bins its values into at most 60 bars of equal
/// integer width (1, 2, 5 × 10^k), each `<rect class="bar" data-count="N">`; bar heights and
/// the y axis are shares of `paths` (or of the panel's own total, if that is larger).
/// With no panels the document says "no varying outputs".
/// With a legend, the panels overlay two distributions (`base_counts` beside `counts`) and
/// the legend names each.
std::string histogram_svg(std::string_view title, std::uint64_t paths, const std::vector<HistogramPanel>& panels,
                          const std::optional<HistogramLegend>& legend = std::nullopt);

/// The panels of a simulation: one per director and output in shares (or another counted
/// unit: PSUs, points, DSUs that are not whole) that is not the same on every path, every
/// path counted, marked at its median (P50); then
/// one per plan-wide output in such a unit that varies, marked at the bound of the plan's
/// limit whose value is that output (the smallest bound of any path), else at its median.
std::vector<HistogramPanel> histogram_panels(const Plan& plan, const SimulationResult& r);

/// The panels of a comparison (Simulation::run_against): each output in shares (or another
/// counted unit) of either plan that varies under one of them, the head's distribution over
/// the base's, marked at the head's limits (else the base's).
std::vector<HistogramPanel> histogram_panels(const Plan& base, const Plan& head, const ComparedSimulation& c);

}  // namespace hoshu::eval
