// `hoshu batch`'s CSV (csv.cpp): a header naming the scenario, its columns, the director,
// every director output, every plan-wide output, every limit and the violations; then one row per scenario and
// director, written as each scenario is evaluated. A plan without a collection has no
// director column and one row per scenario.
//
//   std::string header = batch_csv_header(plan, {"years.FY2024.revenue"});
//   batch_csv_rows(text, plan, outcome, "s1", {"316.8e9"});   // appends one row per director
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "evaluator/ir/plan.hpp"
#include "evaluator/run/outcome.hpp"

namespace hoshu::eval {

/// A column batch writes after the scenario's own: its name in the header and what it holds
/// ("an output", "the record column" …, for an error about a scenario column of that name).
struct BatchColumn {
    std::string name;
    std::string what;
    bool output = false;   // an output's value, its name the output's
};
/// The columns after the scenario's: the record column, every director output, every
/// plan-wide output, `limit.NAME` for every limit, `violations`.
std::vector<BatchColumn> batch_result_columns(const Plan& plan);
/// `scenario`, the scenario's columns, then batch_result_columns.
std::string batch_csv_header(const Plan& plan, const std::vector<std::string>& columns);

/// Append to `out` the rows of one scenario: its id, the values of its columns (`cells`,
/// empty where it sets none), then per director its id, outputs (exact), the plan-wide
/// outputs (exact, the same on each of the scenario's rows), each limit's status
/// and the number of violations that concern it (the plan-wide ones included). A plan
/// without a collection: one row, without the director's id.
void batch_csv_rows(std::string& out, const Plan& plan, const Outcome& outcome, std::string_view scenario,
                    const std::vector<std::string_view>& cells);

/// `hoshu batch --against BASE`: both plans on each scenario, side by side. The header names,
/// for every per-director output of either plan (the head's order, then the base's own),
/// `base.NAME`, `NAME` (the head's) and `change.NAME` (head − base, exact, when both are
/// numbers of one unit); the same for every plan-wide output of either plan; then for every
/// limit of either plan `base.limit.NAME` and `limit.NAME` (its status: ok, scaled …; empty
/// under a plan without it); then `base.violations` and `violations`.
std::vector<BatchColumn> batch_compare_columns(const Plan& base, const Plan& head);
/// `scenario`, the scenario's columns, then batch_compare_columns.
std::string batch_compare_header(const Plan& base, const Plan& head, const std::vector<std::string>& columns);
/// One row per director of either outcome (the head's order, then the base's own); a
/// side that lacks the director or the output leaves its cell empty. The plan-wide outputs
/// and limits are the same on each of the scenario's rows.
void batch_compare_rows(std::string& out, const Plan& base, const Outcome& bo, const Plan& head, const Outcome& ho,
                        std::string_view scenario, const std::vector<std::string_view>& cells);

}  // namespace hoshu::eval
