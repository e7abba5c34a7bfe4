// What each kind of IR node is, in one exhaustive switch: which definition, series or table
// it reads (through `aux`), whether it aggregates over records, and whether a compiled program
// computes it with an instruction of its own or calls back into the evaluator. The walks
// that build dependencies, plan-wide parts and lints ask this, not a list of kinds of their
// own, so that a new kind is described once — and the compiler names this switch.
//
//   traits(NodeKind::last_before).reads_series   // true: series[aux]
//   traits(NodeKind::sum).aggregate              // true: over directors or grants
//   traits(NodeKind::year_before).call           // true: computed by the evaluator (eval_rare)
#pragma once

#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

struct NodeTraits {
    bool reads_slot = false;     // slots[aux]: its value (slot) or whether it is present (present)
    bool reads_series = false;   // series[aux]
    bool reads_table = false;    // tables[aux]
    bool aggregate = false;      // over records: directors (aux 0) or grants (aux 1)
    bool call = false;           // a program computes it by calling the evaluator (Op::call)
};

constexpr NodeTraits traits(NodeKind kind) {
    switch (kind) {
        case NodeKind::slot:
        case NodeKind::present: return {.reads_slot = true};
        case NodeKind::last_before:
        case NodeKind::last_date:
        case NodeKind::product:
        case NodeKind::series_window: return {.reads_series = true, .call = true};
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over:
        case NodeKind::mean_over:
        case NodeKind::product_over:
        case NodeKind::rank_over:
        case NodeKind::percentile_over: return {.aggregate = true, .call = true};
        case NodeKind::year_before:
        case NodeKind::months_inclusive:
        case NodeKind::date_calc: return {.call = true};
        case NodeKind::table: return {.reads_table = true};
        case NodeKind::constant:
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul:
        case NodeKind::div:
        case NodeKind::neg:
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
        case NodeKind::and_:
        case NodeKind::or_:
        case NodeKind::not_:
        case NodeKind::if_:
        case NodeKind::min:
        case NodeKind::max:
        case NodeKind::clamp:
        case NodeKind::round:
        case NodeKind::is:
        case NodeKind::within: return {};
    }
    return {};
}

}  // namespace hoshu::eval
