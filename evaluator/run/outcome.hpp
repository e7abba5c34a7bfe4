// What an evaluation produced: each director's outputs, the plan-wide outputs, each limit
// with its status (and pro rata factor), the violations with their clauses. Every report,
// comparison and check reads this.
//
//   Result<Outcome> outcome = session.run();
//   for (const auto& d : outcome->directors) …          // d.id, d.outputs (Plan::director_outputs)
//   for (const auto& l : outcome->limits) to_string(l.status);   // "ok", "scaled", "violated"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

class InputFile;
class Session;
struct EvalOptions;

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
    std::optional<Rational> factor;   // the pro rata factor applied, when scaled
    /// The total before scaling, when scaled (not bound ÷ factor: a limit exceeded but not
    /// the tightest of its set is scaled by the set's smaller factor).
    std::optional<Rational> before;
};

struct Violation {
    std::string rule;
    std::string director;         // empty for a plan-wide rule
    std::string message;
    std::vector<Citation> sources;
};

/// One field of a record a `carry` declaration writes: its value, and for a date, a text
/// or a choice the text the result writes ("2025-06-26", "FY2024", "tenure").
struct CarriedField {
    std::string name;
    Type type;
    Value value;
    std::string text;
};

/// The records one `carry PATH` declaration hands to the next year, in order.
struct CarriedRecords {
    std::string path;
    std::vector<std::vector<CarriedField>> records;
};

/// The records of one of the plan's further collections (Plan::others[k]): each record's
/// key and its outputs (parallel to Plan::other_outputs[k]).
struct RecordsOutcome {
    std::vector<DirectorOutcome> records;
};

struct Outcome {
    std::vector<DirectorOutcome> directors;
    std::vector<RecordsOutcome> others;   // parallel to Plan::others
    std::vector<std::int32_t> grant_director;   // the director of each ledger grant
    std::vector<Value> plan_outputs;   // parallel to Plan::plan_outputs
    std::vector<LimitOutcome> limits;
    std::vector<Violation> violations;
    std::vector<std::string> texts;    // texts read from the inputs (ids from Plan::texts.size() on)
    /// What the plan's `carry` declarations hand to the next year (EvalOptions::carry).
    std::vector<CarriedRecords> carried;

    const std::string& text(const Plan& plan, std::int64_t id) const;
};

/// The year an evaluation is for: the plan's `fiscal_year` — a plan-wide output, or a
/// plan-wide text input — as the evaluation had it (an input the inputs omit: its default;
/// an overridden one: the override). Empty when the plan has none or it cannot be had.
std::string fiscal_year(const Plan& plan, Session& session);
/// The same for an outcome of evaluate(plan, inputs, options).
std::string fiscal_year(const Plan& plan, const Outcome& outcome, const InputFile& inputs, const EvalOptions& options);
/// The last day whose events belong to the year an evaluation is for, as the grant register
/// applies them (`eval --register`): the plan's plan-wide date `year_end` (an input, value or
/// output), or its plan-wide date `grant_date` when that is later (a year whose grants are
/// made after it closes is evaluated as of its grant date). Empty when the plan has no
/// `year_end` or it cannot be had: the year's dates cannot be told.
///
///   year_last_day(plan, session)   // "2025-12-31" (year_end = year_start + 1 year - 1 day)
std::string year_last_day(const Plan& plan, Session& session);
/// Where the inputs write the year: the plan-wide text input `fiscal_year` is, or is a copy
/// of (an output defined as an input, as `output fiscal_year: text = year`). Invalid when
/// the year is computed otherwise or the inputs do not write it.
dsl::SourceRange fiscal_year_range(const Plan& plan, const InputFile& inputs);

}  // namespace hoshu::eval
