// What a definition depends on: every declaration its value can be traced back to — the
// definitions its formula reads (and theirs, transitively), the tables and series it looks
// up, every dated version of a param, an input's default and computed keys, and the limits
// whose pro rata allocation scales it (with what they read). `hoshu diff` intersects this
// with the declarations a revision changed, to say which changes moved an award. The walk
// itself is the IR's (ir/reads.hpp, which simulate uses too); this names what it finds.
//
//   auto deps = eval::dependency_closure(plan, *plan.find_slot("annual_rs_shares"));
//   deps.count({"table", "achievement_coefficient"});   // 1
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "evaluator/analysis/rules_diff.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// (kind, name) of every declaration `slot` depends on, itself included; kinds as the
/// rules diff names them: param, input, value, output, table, series, limit. Without
/// `through_limits`, only what its formulas read: not the limits whose allocation scales
/// a definition (which read every output they scale).
std::set<std::pair<std::string, std::string>> dependency_closure(const Plan& plan, std::uint32_t slot,
                                                                 bool through_limits = true);

/// An output of both plans and the declarations the revision changed that it depends on —
/// in either plan: each changed one named ("table achievement_coefficient", in the rules
/// diff's order), then how many were added and removed ("72 added declarations").
/// Changes of citations, notes or layout only are left out.
struct AwardCause {
    std::string output;
    std::vector<std::string> changed;
};

/// One AwardCause per output of both plans that depends on a changed declaration, in the
/// head's order (per-director outputs, then plan-wide ones).
std::vector<AwardCause> award_causes(const Plan& base, const Plan& head, const RulesDiff& rules);

}  // namespace hoshu::eval
