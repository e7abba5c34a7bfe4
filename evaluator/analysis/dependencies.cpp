#include "evaluator/analysis/dependencies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"

namespace hoshu::eval {

namespace {

const char* kind_name(SlotKind k) {
    switch (k) {
        case SlotKind::param: return "param";
        case SlotKind::input: return "input";
        case SlotKind::value: return "value";
        case SlotKind::output: return "output";
    }
    return "value";
}

class Closure {
public:
    Closure(const Plan& plan, bool through_limits)
        : plan_(plan), through_limits_(through_limits), seen_slots_(plan.slots.size(), false) {}

    void slot(std::uint32_t s) {
        if (s == none || seen_slots_[s]) return;
        seen_slots_[s] = true;
        const Slot& d = plan_.slots[s];
        out.emplace(kind_name(d.kind), d.name);
        node(d.root);
        for (const auto& v : d.versions) node(v.node);
        if (d.kind == SlotKind::input) {
            node(d.input.default_node);
            node(d.input.low_node);
            node(d.input.high_node);
            for (const auto& step : d.input.path) slot(step.slot);
        }
        // The limits that scale it, and what they read.
        for (const auto& l : plan_.limits) {
            if (!through_limits_ || !l.allocation) continue;
            const auto& outs = l.allocation->outputs;
            if (std::find(outs.begin(), outs.end(), s) == outs.end()) continue;
            if (!out.emplace("limit", l.name).second) continue;
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
            if (t.reads_series) out.emplace("series", plan_.series[x.aux].name);
            if (t.reads_table) out.emplace("table", plan_.tables[x.aux].name);
            for_each_child(plan_, x, [&](std::uint32_t c) { stack.push_back(c); });
        }
    }

    std::set<std::pair<std::string, std::string>> out;

private:
    const Plan& plan_;
    bool through_limits_;
    std::vector<bool> seen_slots_;
};

}  // namespace

std::set<std::pair<std::string, std::string>> dependency_closure(const Plan& plan, std::uint32_t slot, bool through_limits) {
    Closure c(plan, through_limits);
    c.slot(slot);
    return std::move(c.out);
}

std::vector<AwardCause> award_causes(const Plan& base, const Plan& head, const RulesDiff& rules) {
    std::vector<AwardCause> out;
    std::vector<std::uint32_t> outputs = head.director_outputs;
    outputs.insert(outputs.end(), head.plan_outputs.begin(), head.plan_outputs.end());
    for (std::uint32_t s : outputs) {
        const std::string& name = head.slots[s].name;
        auto in_base = base.find_slot(name);
        if (!in_base || base.slots[*in_base].kind != SlotKind::output) continue;
        auto h = dependency_closure(head, s);
        auto b = dependency_closure(base, *in_base);
        AwardCause cause{name, {}};
        std::size_t added = 0, removed = 0;
        for (const auto& c : rules.changes) {
            if (c.annotations_only) continue;
            bool hit = (c.head && h.count({c.head->kind, c.head->name})) || (c.base && b.count({c.base->kind, c.base->name}));
            if (!hit) continue;
            // Added and removed declarations are counted (a new plan adds many); changed
            // ones are named.
            if (c.change == DeclarationDiff::Kind::added) ++added;
            else if (c.change == DeclarationDiff::Kind::removed) ++removed;
            else cause.changed.push_back(c.head->kind + " " + c.head->name);
        }
        if (added) cause.changed.push_back(fmt::format("{} added declaration{}", added, added == 1 ? "" : "s"));
        if (removed) cause.changed.push_back(fmt::format("{} removed declaration{}", removed, removed == 1 ? "" : "s"));
        if (!cause.changed.empty()) out.push_back(std::move(cause));
    }
    return out;
}

}  // namespace hoshu::eval
