// Comparing two versions of a plan's rules: which declarations were added, removed or
// changed, matched by kind and name, each changed one with a line diff of its text. The
// awards under each are outcome_diff.hpp's; printing is output/diff_report.hpp's.
//
//   auto rules = eval::diff_rules(base_plan, "rules/iij-2023", head_plan, "rules/iij", sm);
//   for (const auto& c : rules.changes) …   // c.base, c.head, c.lines (a line diff)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/source.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// A named declaration of a plan, as written in its rule file.
struct DeclarationText {
    std::string kind;                 // param, input, value, output, table, series, limit, require, type,
                                      // plan, import, collection, test
    std::string name;                 // the declared name; `plan`; a test's title; an import's path
    std::string scope;                // the record it is per (`director`); empty: plan-wide
    std::string file;                 // relative to the plan folder
    std::uint32_t line = 0;           // 1-based
    std::string text;                 // the declaration's lines, dedented
    std::string body;                 // without `source`/`note` lines and comments, blanks collapsed
    std::vector<Citation> sources;    // its `source` lines, as written: every kind of declaration
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

}  // namespace hoshu::eval
