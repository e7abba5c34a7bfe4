// Comparing what two versions of a plan award on the same inputs: every director's outputs,
// the plan-wide totals, the limits and the violations, exactly, with the change of each
// number. Printing is output/diff_report.hpp's; this computes what to print.
//
//   auto run = eval::diff_on_inputs(base_plan, head_plan, inputs, {});
//   for (const auto& d : run.directors)
//       if (d.changed()) for (const auto& v : d.values) if (v.changed) …   // v.base, v.head, v.change
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::eval {

/// One side's value of an output (or a limit's value or bound).
struct SideValue {
    bool present = false;             // the plan has this output
    Kind kind = Kind::number;
    std::string exact;                // value_text: "4709", "8712/10385", "executive"
    std::string display;              // display_value: "4,709", "83.89%"
    std::optional<Rational> number;   // for numbers
    /// A number of shares (or of the counted unit the price is per) valued at the plan's
    /// price (diff_on_inputs' `price`): "14,634,920" style, as the plan shows its currency;
    /// empty when not valued.
    std::string value_display;
    std::optional<Rational> value;    // that value, exact (money)
};

/// An output under both plans.
struct ValueDiff {
    std::string name;
    std::string unit;                 // the type's name (head's when present)
    /// The currency a report names beside the output (unnamed_currency(): "GBP" for
    /// `award_value`, "GBP per share" for `option_price`; empty for shares or a name that
    /// says it).
    std::string currency;
    /// The currency the values at the price are in (diff --price), when valued.
    std::string value_currency;
    SideValue base, head;
    bool unit_changed = false;        // present in both with different types: no change computed
    std::string base_unit;            // then the base's type's name (`unit` is the head's)
    std::optional<Rational> change;   // head − base, both numbers of one unit
    std::string change_display;       // "+409", "-1,986", "+2.5%"
    bool valued = false;              // in the unit a side's price is per: valued in money
    std::string value_change_display; // the change in money when either side is valued
    std::optional<Rational> value_change;   // that change, exact
    /// The values differ, or the output is in one plan only with a value other than zero
    /// (an award that one plan does not have is a change; a zero one is not).
    bool changed = false;
};

struct DirectorDiff {
    std::string id;
    bool in_base = false, in_head = false;
    std::vector<ValueDiff> values;    // one per output of either plan (see InputsDiff::outputs)
    bool changed() const;
};

struct LimitSide {
    bool present = false;
    SideValue value, bound;
    std::string status;               // ok | scaled | violated
    std::string factor;               // the pro rata factor, when scaled
};

struct LimitDiff {
    std::string name;
    LimitSide base, head;
    bool changed = false;             // value, bound or status differ, or one side only
};

struct ViolationLine {
    enum class Side { base, head, both };
    Side side = Side::both;
    std::string rule, director, message;
};

/// The records of one of the plans' further collections (`peers`), matched by key.
struct CollectionDiff {
    std::string noun, plural;
    std::vector<DirectorDiff> records;
};

/// One plan's evaluation on one input file: whether it ran, and why not.
struct SideRun {
    bool ok = false;
    dsl::Diagnostics errors;          // when !ok
};

/// The comparison of the two plans on one input file.
struct InputsDiff {
    std::string inputs_path;
    std::string fiscal_year;          // the head's `fiscal_year` output (else the base's)
    SideRun base, head;               // the rest is filled only when both ran
    std::vector<std::string> outputs_only_base, outputs_only_head;   // per-director outputs
    std::string noun = "director";         // what the head plan calls its main collection's records
    std::string plural = "directors";      // and that collection's name (JSON's key for them)
    std::vector<DirectorDiff> directors;   // base's order, then directors only in the head
    std::vector<CollectionDiff> others;    // the further collections with outputs, each likewise
    std::vector<ValueDiff> totals;         // plan-wide outputs of either plan
    std::vector<LimitDiff> limits;
    std::vector<ViolationLine> violations;
    bool ran() const { return base.ok && head.ok; }
};

/// Evaluate both plans on `inputs` and compare every output, total, limit and violation.
/// A plan that fails to evaluate is reported in `base`/`head`, never thrown. With `price`
/// (the name of a plan-wide definition in a currency per share or other counted unit, e.g.
/// the grant-time price), every output in that unit is also valued at that price as each
/// plan computes it.
InputsDiff diff_on_inputs(const Plan& base, const Plan& head, const InputFile& inputs, const EvalOptions& options,
                          const std::string& price = {});

/// Whether `plan` has a plan-wide definition `name` in money per share: an empty string,
/// or what is wrong ("no plan-wide definition `x`", "`x` is JPY, not money per share").
std::string price_problem(const Plan& plan, const std::string& name);

}  // namespace hoshu::eval
