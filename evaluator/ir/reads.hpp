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

/// What a director's output is computed from that makes it no grant of its own: each of
/// `grants` (other than itself) its formulas read — the same shares counted twice, as the
/// vested part of an award — and the carried records' `restricted` (the input of the grants
/// collection at a path a `carry` writes, keyed `restricted`): shares of the grants the
/// register already holds, released, forfeited or clawed back by the plan
/// (`vested_shares = sum of g_vested over grants`), not a new grant. A new grant computed
/// from what the carried records granted (IIJ's `additional_shares`, from `shares` and the
/// rates) reads no `restricted`. Without limits (which read every output they scale).
///
///   auto from = grant_computed_from(plan, *plan.find_slot("vested_shares"), plan.director_outputs);
///   from.carried;   // the `restricted` input it reads (none: it reads none)
struct GrantComputedFrom {
    std::vector<std::uint32_t> grants;   // the slots of `grants` it reads, in their order
    std::uint32_t carried = none;        // the carried records' `restricted` input it reads
};
GrantComputedFrom grant_computed_from(const Plan& plan, std::uint32_t slot, const std::vector<std::uint32_t>& grants);

/// The input of the carried records' `restricted` (the grants collection's records at a path
/// a `carry` writes, the key `restricted`), or none: the shares the register holds restricted.
std::uint32_t carried_restricted_input(const Plan& plan);

}  // namespace hoshu::eval
