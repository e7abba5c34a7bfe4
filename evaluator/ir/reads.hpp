// What a definition's value can be traced back to in the IR: the definitions its formula
// reads (and theirs, transitively), the series and tables it looks up, every dated version
// of a param, an input's default, range and computed keys, and the limits whose pro rata
// allocation scales it (with what they read). The one walk behind `hoshu diff`'s causes of a
// changed award (analysis/dependencies.hpp) and simulate's outputs no modelled value reaches.
//
//   ReadsClosure r = reads_closure(plan, *plan.find_slot("option_price"));
//   r.series[*plan.find_series("close")];   // 1: it reads the closes
#pragma once

#include <cstdint>
#include <vector>

#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// Flags parallel to the plan's slots, series, tables and limits: 1 for each one read.
struct ReadsClosure {
    std::vector<std::uint8_t> slots, series, tables, limits;
};

/// Everything `slot` depends on, itself included. Without `through_limits`, only what its
/// formulas read: not the limits whose allocation scales a definition (which read every
/// output they scale).
ReadsClosure reads_closure(const Plan& plan, std::uint32_t slot, bool through_limits = true);

}  // namespace hoshu::eval
