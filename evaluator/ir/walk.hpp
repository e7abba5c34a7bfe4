// The one walk over a node's operands in the IR: a, b, c, then the arguments of min and max,
// in that order, leaving out the operands a kind does not have. The checker's lints, the
// evaluator's dependency graph and plan-wide parts, and explain all walk with it.
//
//   for_each_child(plan, plan.nodes[n], [&](std::uint32_t child) { visit(child); });
#pragma once

#include <cstdint>

#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

template <class F>
inline void for_each_child(const Plan& plan, const Node& node, F&& f) {
    if (node.a != none) f(node.a);
    if (node.b != none) f(node.b);
    if (node.c != none) f(node.c);
    for (std::uint32_t i = 0; i < node.args_count; ++i) f(plan.args[node.args_begin + i]);
}

}  // namespace hoshu::eval
