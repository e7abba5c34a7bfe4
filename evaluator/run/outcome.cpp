#include "evaluator/run/outcome.hpp"

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
    (void)inputs;
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
        const Slot& s = plan.slots[plan.plan_outputs[i]];
        if (s.name == "fiscal_year") return value_text(plan, outcome, s.type, outcome.plan_outputs[i]);
    }
    return {};
}

}  // namespace hoshu::eval
