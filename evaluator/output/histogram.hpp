// Histograms of simulated share counts as one SVG document, for
// `hoshu simulate --histogram FILE.svg`: a grid of small multiples, one row per director,
// one column per output.
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
#include "evaluator/whatif/tallies.hpp"

namespace hoshu::eval {

struct HistogramPanel {
    std::string director;   // "D03"
    std::string output;     // "annual_rs_shares"
    std::string unit;       // "shares": the x axis caption
    /// Value → number of paths, sorted by value, no zero counts.
    std::vector<std::pair<std::int64_t, std::uint64_t>> counts{};
    /// A vertical dashed line (e.g. the median), labelled `marker_label` and the value:
    /// marker_label "P50", marker 4709 → "P50 4,709". Not drawn outside the binned range.
    std::optional<std::int64_t> marker{};
    std::string marker_label{};
};

/// An SVG document (UTF-8; all text XML-escaped). Panels are placed in a grid: a row per
/// director and a column per output, both in order of first appearance; a director without
/// a panel for an output leaves that cell empty (a second panel for the same director and
/// output starts a new row). Each panel bins its values into at most 60 bars of equal
/// integer width (1, 2, 5 × 10^k), each `<rect class="bar" data-count="N">`; bar heights and
/// the y axis are shares of `paths` (or of the panel's own total, if that is larger).
/// With no panels the document says "no varying outputs".
std::string histogram_svg(std::string_view title, std::uint64_t paths, const std::vector<HistogramPanel>& panels);

/// The panels of a simulation: one per director and output in shares that is not the same
/// on every path, marked at its median (P50).
std::vector<HistogramPanel> histogram_panels(const Plan& plan, const SimulationResult& r);

}  // namespace hoshu::eval
