#include "evaluator/run/outcome.hpp"

#include "evaluator/run/inputs.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

const char* to_string(LimitStatus s) {
    switch (s) {
        case LimitStatus::ok: return "ok";
        case LimitStatus::scaled: return "scaled";
        case LimitStatus::violated: return "violated";
    }
    return "ok";
}

const std::string& Outcome::text(const Plan& plan, std::int64_t id) const {
    auto i = static_cast<std::size_t>(id);
    return i < plan.texts.size() ? plan.texts[i] : texts[i - plan.texts.size()];
}

std::string fiscal_year(const Plan& plan, const Outcome& outcome, const InputFile& inputs) {
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
        const Slot& s = plan.slots[plan.plan_outputs[i]];
        if (s.name == "fiscal_year") return value_text(plan, outcome, s.type, outcome.plan_outputs[i]);
    }
    // Or a plan-wide text input of that name (`input fiscal_year: text at fiscal_year`), read
    // where the evaluation read it: a path of plain keys.
    for (const Slot& s : plan.slots) {
        if (s.name != "fiscal_year" || s.kind != SlotKind::input || s.scope != Scope::plan ||
            s.type.kind != Kind::text)
            continue;
        InputFile::Node node = inputs.root();
        for (const auto& step : s.input.path) {
            if (step.slot != none || step.index) return {};
            node = inputs.child(node, step.key);
        }
        if (!node) return {};
        auto text = inputs.text(node);
        return text ? *text : std::string();
    }
    return {};
}

}  // namespace hoshu::eval
