#include "evaluator/ir/plan.hpp"

#include <algorithm>

namespace hoshu::eval {

const Carry* Plan::carry_of(std::string_view path) const {
    for (const Carry& c : carries)
        if (c.path == path) return &c;
    return nullptr;
}

std::optional<std::uint32_t> Plan::find_slot(std::string_view name) const {
    if (!slots_by_name.empty() && slots_by_name.size() == slots.size()) {
        auto it = std::lower_bound(slots_by_name.begin(), slots_by_name.end(), name,
                                   [&](std::uint32_t s, std::string_view n) { return slots[s].name < n; });
        if (it != slots_by_name.end() && slots[*it].name == name) return *it;
        return std::nullopt;
    }
    for (std::uint32_t i = 0; i < slots.size(); ++i) {
        if (slots[i].name == name) return i;
    }
    return std::nullopt;
}

void Plan::index_slots() {
    slots_by_name.resize(slots.size());
    for (std::uint32_t i = 0; i < slots.size(); ++i) slots_by_name[i] = i;
    // Stable: were two slots ever to share a name, the first is found, as by the scan.
    std::stable_sort(slots_by_name.begin(), slots_by_name.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return slots[a].name < slots[b].name; });
}

std::string Plan::placeholder(const Type& t) const {
    switch (t.kind) {
        case Kind::number: return "<" + type_name(t) + ">";
        case Kind::date: return "<YYYY-MM-DD>";
        case Kind::boolean: return "<true or false>";
        case Kind::text: return "<text>";
        case Kind::choice: {
            if (t.choice < 0 || static_cast<std::size_t>(t.choice) >= choices.size()) return "<text>";
            std::string members;
            for (const auto& m : choices[static_cast<std::size_t>(t.choice)].members)
                members += (members.empty() ? "" : " | ") + m;
            return "<" + members + ">";
        }
    }
    return "<text>";
}

std::string Plan::type_name(const Type& t) const {
    if (t.kind == Kind::choice && t.choice >= 0 && static_cast<std::size_t>(t.choice) < choices.size())
        return choices[static_cast<std::size_t>(t.choice)].name;
    return eval::type_name(t, units);
}

}  // namespace hoshu::eval
