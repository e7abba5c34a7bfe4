// Comparing two versions of a plan: what each director is awarded under each on the same
// inputs, and which declarations were added, removed or changed. Printing is the CLI's
// (cli/diff.cpp); this computes what to print, exactly.
//
//   auto run = eval::diff_on_inputs(base_plan, head_plan, inputs, {});
//   for (const auto& d : run.directors)
//       if (d.changed()) for (const auto& v : d.values) if (v.changed) …   // v.base, v.head, v.change
//   auto rules = eval::diff_rules(base_plan, "rules/iij-2023", head_plan, "rules/iij", sm);
//   for (const auto& c : rules.changes) …   // c.base, c.head, c.lines (a line diff)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// One side's value of an output (or a limit's value or bound).
struct SideValue {
    bool present = false;             // the plan has this output
    Kind kind = Kind::number;
    std::string exact;                // value_text: "4709", "8712/10385", "executive"
    std::string display;              // display_value: "4,709", "83.89%"
    std::optional<Rational> number;   // for numbers
};

/// An output under both plans.
struct ValueDiff {
    std::string name;
    std::string unit;                 // the type's name (head's when present)
    SideValue base, head;
    bool unit_changed = false;        // present in both with different types: no change computed
    std::optional<Rational> change;   // head − base, both numbers of one unit
    std::string change_display;       // "+409", "-1,986", "+2.5%"
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
    std::vector<DirectorDiff> directors;   // base's order, then directors only in the head
    std::vector<ValueDiff> totals;         // plan-wide outputs of either plan
    std::vector<LimitDiff> limits;
    std::vector<ViolationLine> violations;
    bool ran() const { return base.ok && head.ok; }
};

/// Evaluate both plans on `inputs` and compare every output, total, limit and violation.
/// A plan that fails to evaluate is reported in `base`/`head`, never thrown.
InputsDiff diff_on_inputs(const Plan& base, const Plan& head, const InputFile& inputs, const EvalOptions& options);

/// A named declaration of a plan, as written in its rule file.
struct DeclarationText {
    std::string kind;                 // param, input, value, output, table, series, limit, require, type,
                                      // plan, import, directors, grants, test
    std::string name;                 // the declared name; `plan`; a test's title; an import's path
    Scope scope = Scope::plan;
    std::string file;                 // relative to the plan folder
    std::uint32_t line = 0;           // 1-based
    std::string text;                 // the declaration's lines, dedented
    std::string body;                 // without `source`/`note` lines and comments, blanks collapsed
};

struct DeclarationDiff {
    enum class Kind { added, removed, changed };
    Kind change = Kind::changed;
    std::optional<DeclarationText> base, head;
    /// Only citations (`source`), notes, comments or layout differ: the meaning is the same.
    bool annotations_only = false;
    /// A line diff of the declaration's text: lines starting "- ", "+ " or "  ", and "…"
    /// where unchanged lines are left out.
    std::vector<std::string> lines;
};

struct RulesDiff {
    std::vector<DeclarationDiff> changes;   // added, removed, then changed; each in kind order
    std::size_t unchanged = 0;
};

/// Every named declaration of `plan` (from its rule files in `sm`), in file order.
std::vector<DeclarationText> declarations(const Plan& plan, const std::string& plan_dir,
                                          const dsl::SourceManager& sm);

/// Which declarations were added, removed or changed from `base` to `head`, matched by
/// kind and name (a value that became an output is a change, not a removal and an addition).
RulesDiff diff_rules(const Plan& base, const std::string& base_dir, const Plan& head, const std::string& head_dir,
                     const dsl::SourceManager& sm);

/// A line diff of two texts: "- " removed, "+ " added, "  " kept. Kept lines farther than
/// `context` lines from a change are left out, each run of them shown as one "…" line;
/// identical texts are returned whole (all kept).
///
///   line_diff("a\nb\nc", "a\nB\nc")   // {"  a", "- b", "+ B", "  c"}
std::vector<std::string> line_diff(std::string_view a, std::string_view b, std::size_t context = 2);

}  // namespace hoshu::eval
