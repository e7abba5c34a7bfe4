// The evaluator: runs a checked plan against one TOML input file, exactly.
//
//   auto outcome = eval::evaluate(plan, inputs, {});
//   if (!outcome) { fputs(render(sm, outcome.error()).c_str(), stderr); return 1; }
//   for (auto& d : outcome->directors) …
//
// Definitions are evaluated on demand and at most once per director, so an input that
// no formula needs in this year (a final-year figure, say) is never computed with. The
// inputs file is still checked whole, once per session, before anything is evaluated:
// every key is one the plan reads, every value a declaration reads has its type and lies
// in its range (input_keys.hpp).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"

namespace hoshu::eval {

struct EvalOptions {
    /// Evaluate with the rules as they stood on this date (dated params). Default: the
    /// latest value of each param.
    std::optional<Date> as_of;
    /// Keys this plan reads are known too: `hoshu diff` evaluates two plans on one inputs
    /// file, in which a key either plan reads is in its place. Its values are not checked.
    const Plan* other_plan = nullptr;
    /// Also compute the records the plan's `carry` declarations hand to the next year
    /// (Outcome::carried), after the outputs and limits: what `eval`, `verify` and `test`
    /// need, and what-if runs do not.
    bool carry = false;
};

Result<Outcome> evaluate(const Plan& plan, const InputFile& inputs, const EvalOptions& options);

/// A value put in place of one written in the inputs file, for what-if runs: the exact
/// text of a CSV cell ("316.8e9", "15.4%", "2025-06-26", "executive"), or an exact number
/// (then `text` is unused for numbers). `where` locates it in messages.
struct InputOverride {
    InputFile::Node node;   // from InputFile::find
    std::string text;
    std::optional<Rational> number;
    dsl::SourceRange where;
};

/// An evaluation kept open: inputs are read once, definitions are computed on demand and
/// remembered until reset(). For what-if runs, tests, benchmarks; explaining a value looks
/// further inside through a SessionProbe (probe.hpp).
///
///   Session session(plan, inputs, {});
///   auto shares = session.value(*plan.find_slot("annual_rs_shares"), 0);   // director 0
///   session.reset();   // forget computed definitions, keep the inputs read
class Session {
public:
    Session(const Plan& plan, const InputFile& inputs, EvalOptions options = {});
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    ~Session();

    /// Every output, limit and requirement (what `hoshu eval` prints).
    Result<Outcome> run();
    /// The same without copying the outcome; it stays valid until the next call.
    Result<const Outcome*> run_in_place();
    /// Evaluate with these values in place of the inputs file's; earlier overrides are
    /// dropped. Only the definitions that depend on a changed value are recomputed.
    void set_overrides(std::span<const InputOverride> overrides);
    /// For many evaluations that differ in a few overridden values (simulate): remember how
    /// each evaluation went — which definitions it computed, in which order, and which way
    /// each branch went — and replay that straight through on the next one, falling back
    /// to the usual evaluation where a branch goes the other way. The results are the same
    /// as without it; only faster.
    void remember_paths();
    /// From now on, keep which series entries' values the evaluations read
    /// (SessionProbe::entry_read says): simulate refuses a close the plan reads whose value
    /// the model leaves as the inputs have it.
    void record_entry_reads();
    /// The value of one definition; `director` is ignored for plan-wide definitions, and
    /// `grant` (a ledger entry) is needed for per-grant ones.
    Result<Value> value(std::uint32_t slot, std::size_t director, int grant = -1);
    /// The value of a definition of a further collection (Plan::others[collection]) for
    /// its record at `position` (as in Outcome::others).
    Result<Value> record_value(std::uint32_t slot, std::size_t collection, std::size_t position);
    /// The directors listed in the inputs (their ids), and texts read so far.
    Result<const Outcome*> state();
    /// The values that identify records — each director's id, each ledger entry's
    /// director, the key of each record of a further collection (a peer's name), each
    /// series entry's date — with what each is ("the id of director D03", "the `name` of
    /// peer Beta", "the date of an entry of series `close`"). A what-if run cannot
    /// change them: the records are read once.
    Result<std::vector<std::pair<InputFile::Node, std::string>>> record_keys();
    /// Forget every computed definition; inputs already read are kept.
    void reset();

private:
    friend class SessionProbe;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hoshu::eval
