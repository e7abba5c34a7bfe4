// The sections of a simulation's table after the per-record outputs and the limits: the
// plan-wide outputs counted (in shares or another counted unit), summarised as the
// per-record ones are, the others named, and the requirements with the
// share of paths on which each failed (format_simulation_sections, simulation_report.hpp).
#include <fmt/format.h>

#include <algorithm>

#include "dsl/base/text.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/output/columns.hpp"
#include "evaluator/output/simulation_report.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

std::string format_simulation_sections(const Plan& plan, const SimulationResult& r) {
    std::string out;
    std::vector<std::vector<std::string>> rows = {
        {"plan-wide output", "mean", "sd", "p5", "p25", "p50", "p75", "p95", "P(zero)"}};
    std::size_t hidden = 0;
    for (const auto& t : r.plan_outputs) {
        if (t.counts.total() == 0) continue;
        if (t.counts.only_zero()) {
            ++hidden;
            continue;
        }
        const OutputSummary s = summarize(t.counts);
        const int places = minor_places(plan, plan.slots[t.slot].type);
        const int mean = std::max(2, places);
        rows.push_back({plan.slots[t.slot].name, grouped_decimal(s.mean, mean), grouped_decimal(*Rational::parse(s.sd), 2),
                        grouped_decimal(s.p5, places), grouped_decimal(s.p25, places), grouped_decimal(s.p50, places),
                        grouped_decimal(s.p75, places), grouped_decimal(s.p95, places),
                        path_percent(s.p_zero)});
    }
    if (rows.size() > 1) {
        std::vector<bool> right(rows[0].size(), true);
        right[0] = false;
        out += "\n" + format_columns(rows, right, "");
    }
    if (hidden) out += fmt::format("({} plan-wide output{} 0 on every path and not shown)\n", hidden, hidden == 1 ? " is" : "s are");
    // A numeric plan-wide output not in a counted unit (a total in money, a count) is not
    // counted: a total in money can take a new value on nearly every path, and memory would
    // grow with the paths.
    std::string unsummarised;
    for (const auto& t : r.plan_outputs)
        if (t.counts.total() == 0 && plan.slots[t.slot].type.kind == Kind::number)
            unsummarised += (unsummarised.empty() ? "" : ", ") + plan.slots[t.slot].name;
    if (!unsummarised.empty())
        out += fmt::format("{}(plan-wide outputs not summarised, as only those in shares or another counted unit are "
                           "(a total in money can take a new value on nearly every path): {}; `batch` gives their "
                           "values scenario by scenario)\n",
                           rows.size() > 1 || hidden ? "" : "\n", unsummarised);
    if (!r.requirements.empty()) {
        std::vector<std::vector<std::string>> req = {{"requirement", "failed"}};
        // A per-record requirement that failed for no record is one row; the JSON has each.
        for (std::size_t i = 0; i < r.requirements.size();) {
            const auto& q = r.requirements[i];
            std::size_t end = i + 1;
            while (end < r.requirements.size() && r.requirements[end].requirement == q.requirement) ++end;
            const std::string& name = plan.requirements[q.requirement].name;
            const bool never = std::all_of(r.requirements.begin() + static_cast<std::ptrdiff_t>(i),
                                           r.requirements.begin() + static_cast<std::ptrdiff_t>(end),
                                           [](const RequirementTally& t) { return t.failed == 0; });
            if (q.director && never) {
                req.push_back({name + " (every " + plan.directors.noun + ")", path_percent(0, r.paths)});
            } else {
                for (std::size_t k = i; k < end; ++k) {
                    const auto& t = r.requirements[k];
                    req.push_back({t.director ? name + " (" + r.directors[*t.director] + ")" : name,
                                   path_percent(t.failed, r.paths)});
                }
            }
            i = end;
        }
        out += "\n" + format_columns(req, {false, true}, "");
    }
    return dsl::printable(out, true);
}

}  // namespace hoshu::eval
