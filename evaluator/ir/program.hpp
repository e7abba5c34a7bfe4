// A formula compiled to a flat program: the evaluator runs a list of instructions over a
// small register file instead of walking the IR tree one recursive call per node.
//
//   Program p = compile_formula(plan, slot.root, hoist_of_node);
//   // p.code: `div r0 ← revenue / target; table r0 ← achievement(r0); …`
//   // the result is left in register 0.
//
// The program keeps the IR's laziness: `if`, `and` and `or` jump over the branch not
// taken, so an input read only by that branch is never read. Definitions, plan-wide parts
// (hoists) and the rare node kinds (aggregates, series, dates) are calls back into the
// evaluator, which runs their own programs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// Where an instruction's operand is: a register of the program, a constant of the plan,
/// or a definition's value (plan-wide, the director's, the grant's).
enum class Mode : std::uint8_t { reg, constant, plan_slot, director_slot, grant_slot, other_slot };

/// `X` and `Y` are an instruction's operands (Mode, index); `r[d]` its target register.
enum class Op : std::uint8_t {
    load,            // r[d] = X
    present,         // r[d] = whether optional input slots[aux] is present
    hoisted,         // r[d] = plan-wide part number aux (the subexpression at `node`)
    call,            // r[d] = the evaluator's value of `node` (a rare kind)
    add, sub, mul,   // r[d] = X op Y
    div,             // r[d] = X / Y; division by zero is an error at `node`
    neg,             // r[d] = -r[d]
    compare,         // r[d] = X cmp Y (flag: Comparison | Kind << 4)
    not_,            // r[d] = !r[d]
    is,              // r[d] = (r[d] == member aux)
    min, max,        // r[d] = X if it is less (more) than r[d] (flag: Kind)
    clamp,           // r[d] = clamp(r[d], X, Y) (flag: Kind); X above Y is an error
    within,          // r[d] unchanged; below X or above Y is an error (flag: Kind | within_…)
    round,           // r[d] = r[d] rounded to constants[aux] (flag: RoundingMode)
    table,           // r[d] = tables[aux](r[d]); no row covering it is an error at `node`
    jump,            // go to aux
    jump_if_false,   // go to aux when X is false
    jump_if_true,    // go to aux when X is true
    // Fused when an evaluation is recorded, for replay only (a value in between is never seen):
    div_round,       // r[d] = X / Y rounded to constants[aux] (flag: RoundingMode): `div`, then `round`
    mul_div,         // r[d] = X × Y / Z (Z: the third operand of a recorded step): `mul`, then `div`
    mul_div_round,   // r[d] = X × Y / Z rounded as `round` says: `mul`, `div`, then `round`
};

enum class Comparison : std::uint8_t { lt, le, gt, ge, eq, ne };

/// `within`'s flag, above the Kind: the low end is the constant 0 (a sign test), or an end
/// is open (its operand is not read).
inline constexpr std::uint8_t within_low_zero = 16, within_low_open = 32, within_high_open = 64;

struct Instr {
    Op op = Op::load;
    std::uint8_t flag = 0;
    Mode xm = Mode::reg, ym = Mode::reg;
    std::uint16_t d = 0;
    std::uint32_t x = 0, y = 0;
    std::uint32_t aux = 0;
    std::uint32_t node = 0;   // the IR node this computes (for messages and calls)
};

struct Program {
    std::vector<Instr> code;
    std::uint16_t registers = 1;   // the result is in register 0
};

/// Compile the formula at node `root`. `hoist_of_node` (empty, or one entry per node) names
/// the plan-wide parts: a subexpression with an entry other than `none` becomes one
/// `hoisted` instruction, except the root itself.
Program compile_formula(const Plan& plan, std::uint32_t root, std::span<const std::uint32_t> hoist_of_node);

}  // namespace hoshu::eval
