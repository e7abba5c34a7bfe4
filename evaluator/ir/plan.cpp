#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

std::optional<std::uint32_t> Plan::find_slot(std::string_view name) const {
    for (std::uint32_t i = 0; i < slots.size(); ++i) {
        if (slots[i].name == name) return i;
    }
    return std::nullopt;
}

std::string Plan::type_name(const Type& t) const {
    if (t.kind == Kind::choice && t.choice >= 0 && static_cast<std::size_t>(t.choice) < choices.size())
        return choices[static_cast<std::size_t>(t.choice)].name;
    return eval::type_name(t, units);
}

}  // namespace hoshu::eval
