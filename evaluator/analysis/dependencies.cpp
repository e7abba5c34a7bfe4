#include "evaluator/analysis/dependencies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "evaluator/ir/reads.hpp"

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

}  // namespace

std::set<std::pair<std::string, std::string>> dependency_closure(const Plan& plan, std::uint32_t slot, bool through_limits) {
    const ReadsClosure r = reads_closure(plan, slot, through_limits);
    std::set<std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; i < r.slots.size(); ++i)
        if (r.slots[i]) out.emplace(kind_name(plan.slots[i].kind), plan.slots[i].name);
    for (std::size_t i = 0; i < r.series.size(); ++i)
        if (r.series[i]) out.emplace("series", plan.series[i].name);
    for (std::size_t i = 0; i < r.tables.size(); ++i)
        if (r.tables[i]) out.emplace("table", plan.tables[i].name);
    for (std::size_t i = 0; i < r.limits.size(); ++i)
        if (r.limits[i]) out.emplace("limit", plan.limits[i].name);
    return out;
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
