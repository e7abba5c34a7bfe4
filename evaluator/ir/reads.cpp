#include "evaluator/ir/reads.hpp"

#include <algorithm>

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"

namespace hoshu::eval {

namespace {

class Closure {
public:
    Closure(const Plan& plan, bool through_limits) : plan_(plan), through_limits_(through_limits) {
        out.slots.assign(plan.slots.size(), 0);
        out.series.assign(plan.series.size(), 0);
        out.tables.assign(plan.tables.size(), 0);
        out.limits.assign(plan.limits.size(), 0);
    }

    void slot(std::uint32_t s) {
        if (s == none || out.slots[s]) return;
        out.slots[s] = 1;
        const Slot& d = plan_.slots[s];
        node(d.root);
        for (const auto& v : d.versions) node(v.node);
        if (d.kind == SlotKind::input) {
            node(d.input.default_node);
            node(d.input.low_node);
            node(d.input.high_node);
            for (const auto& step : d.input.path) slot(step.slot);
        }
        // The limits that scale it, and what they read.
        for (std::size_t i = 0; i < plan_.limits.size(); ++i) {
            const Limit& l = plan_.limits[i];
            if (!through_limits_ || !l.allocation || out.limits[i]) continue;
            const auto& outs = l.allocation->outputs;
            if (std::find(outs.begin(), outs.end(), s) == outs.end()) continue;
            out.limits[i] = 1;
            node(l.value);
            node(l.bound);
        }
    }

    void node(std::uint32_t n) {
        if (n == none) return;
        std::vector<std::uint32_t> stack{n};
        while (!stack.empty()) {
            std::uint32_t at = stack.back();
            stack.pop_back();
            const Node& x = plan_.nodes[at];
            const NodeTraits t = traits(x.kind);
            if (t.reads_slot) slot(x.aux);
            if (t.reads_series) out.series[x.aux] = 1;
            if (t.reads_table) out.tables[x.aux] = 1;
            for_each_child(plan_, x, [&](std::uint32_t c) { stack.push_back(c); });
        }
    }

    ReadsClosure out;

private:
    const Plan& plan_;
    bool through_limits_;
};

}  // namespace

ReadsClosure reads_closure(const Plan& plan, std::uint32_t slot, bool through_limits) {
    Closure c(plan, through_limits);
    c.slot(slot);
    return std::move(c.out);
}

std::uint32_t carried_restricted_input(const Plan& plan) {
    if (!plan.grants.declared || plan.carry_of(plan.grants.input.path_text) == nullptr) return none;
    for (std::uint32_t s = 0; s < plan.slots.size(); ++s) {
        const Slot& d = plan.slots[s];
        if (d.kind == SlotKind::input && d.scope == Scope::grant && !d.input.absolute && d.input.path.size() == 1 &&
            d.input.path[0].slot == none && !d.input.path[0].index && d.input.path[0].key == "restricted")
            return s;
    }
    return none;
}

GrantComputedFrom grant_computed_from(const Plan& plan, std::uint32_t slot, const std::vector<std::uint32_t>& grants) {
    const ReadsClosure r = reads_closure(plan, slot, false);
    GrantComputedFrom out;
    for (std::uint32_t t : grants)
        if (t != slot && t < r.slots.size() && r.slots[t]) out.grants.push_back(t);
    if (std::uint32_t c = carried_restricted_input(plan); c != none && r.slots[c]) out.carried = c;
    return out;
}

}  // namespace hoshu::eval
