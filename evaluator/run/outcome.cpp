#include "evaluator/run/outcome.hpp"

#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"
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

namespace {

/// The plan's slot that names the year: a plan-wide output, or a plan-wide text input,
/// called `fiscal_year`.
std::optional<std::uint32_t> year_slot(const Plan& plan) {
    for (std::uint32_t s : plan.plan_outputs)
        if (plan.slots[s].name == "fiscal_year") return s;
    for (std::size_t i = 0; i < plan.slots.size(); ++i) {
        const Slot& s = plan.slots[i];
        if (s.name == "fiscal_year" && s.kind == SlotKind::input && s.scope == Scope::plan && s.type.kind == Kind::text)
            return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;
}

}  // namespace

std::string fiscal_year(const Plan& plan, Session& session) {
    auto slot = year_slot(plan);
    if (!slot) return {};
    // Evaluated as any definition is: an input the inputs omit takes its default, an
    // overridden one its override, one at a computed path the key it is read under.
    auto value = session.value(*slot, 0);
    if (!value) return {};
    auto state = session.state();
    if (!state) return {};
    return value_text(plan, **state, plan.slots[*slot].type, *value);
}

namespace {

/// A plan-wide date of the plan named `name` (an input, value or output), as the evaluation
/// has it ("2025-12-31"); empty when the plan has none or it cannot be had.
std::string plan_date(const Plan& plan, Session& session, std::string_view name) {
    auto slot = plan.find_slot(name);
    if (!slot || plan.slots[*slot].scope != Scope::plan || plan.slots[*slot].type.kind != Kind::date) return {};
    auto value = session.value(*slot, 0);
    if (!value) return {};
    auto state = session.state();
    if (!state) return {};
    return value_text(plan, **state, plan.slots[*slot].type, *value);
}

}  // namespace

std::string year_last_day(const Plan& plan, Session& session) {
    std::string end = plan_date(plan, session, "year_end");
    if (end.empty()) return {};
    std::string grant = plan_date(plan, session, "grant_date");
    return grant > end ? grant : end;   // (dates as YYYY-MM-DD compare as text)
}

dsl::SourceRange fiscal_year_range(const Plan& plan, const InputFile& inputs) {
    auto slot = year_slot(plan);
    // (Through definitions that are another slot as they stand, to the input.)
    for (std::size_t step = 0; slot && step < plan.slots.size(); ++step) {
        const Slot& s = plan.slots[*slot];
        if (s.kind == SlotKind::input) {
            if (s.scope != Scope::plan || s.input.path_text.empty()) break;
            std::string_view path = s.input.path_text;
            if (path.front() == '/') path.remove_prefix(1);
            auto node = inputs.find(path, nullptr);
            return node ? inputs.range(node) : dsl::SourceRange{};
        }
        if (s.root == none || s.checked != none || plan.nodes[s.root].kind != NodeKind::slot) break;
        slot = plan.nodes[s.root].aux;
    }
    return {};
}

std::string fiscal_year(const Plan& plan, const Outcome& outcome, const InputFile& inputs, const EvalOptions& options) {
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
        const Slot& s = plan.slots[plan.plan_outputs[i]];
        if (s.name == "fiscal_year") return value_text(plan, outcome, s.type, outcome.plan_outputs[i]);
    }
    if (!year_slot(plan)) return {};
    Session session(plan, inputs, options);
    return fiscal_year(plan, session);
}

}  // namespace hoshu::eval
