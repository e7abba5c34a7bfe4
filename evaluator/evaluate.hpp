// The evaluator: runs a checked plan against one TOML input file, exactly.
//
//   auto outcome = eval::evaluate(plan, inputs, {});
//   if (!outcome) { fputs(render(sm, outcome.error()).c_str(), stderr); return 1; }
//   for (auto& d : outcome->directors) …
//
// Definitions are evaluated on demand and at most once per director, so an input that
// no formula needs in this year (a final-year figure, say) is never read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dsl/result.hpp"
#include "evaluator/inputs.hpp"
#include "evaluator/plan.hpp"

namespace hoshu::eval {

struct EvalOptions {
    /// Evaluate with the rules as they stood on this date (dated params). Default: the
    /// latest value of each param.
    std::optional<Date> as_of;
};

enum class LimitStatus { ok, scaled, violated };
const char* to_string(LimitStatus s);

struct DirectorOutcome {
    std::string id;
    std::vector<Value> outputs;   // parallel to Plan::director_outputs
};

struct LimitOutcome {
    std::uint32_t limit = 0;      // index in Plan::limits
    Value value, bound;
    LimitStatus status = LimitStatus::ok;
};

struct Violation {
    std::string rule;
    std::string director;         // empty for a plan-wide rule
    std::string message;
    std::vector<Citation> sources;
};

struct Outcome {
    std::vector<DirectorOutcome> directors;
    std::vector<Value> plan_outputs;   // parallel to Plan::plan_outputs
    std::vector<LimitOutcome> limits;
    std::vector<Violation> violations;
    std::vector<std::string> texts;    // texts read from the inputs (ids from Plan::texts.size() on)

    const std::string& text(const Plan& plan, std::int64_t id) const;
};

Result<Outcome> evaluate(const Plan& plan, const InputFile& inputs, const EvalOptions& options);

/// A value as exact text for its type: "4709", "8712/10385", "2024-04-01", "true", "executive".
std::string value_text(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v);

}  // namespace hoshu::eval
