// The checker: parse every rule file of a plan, resolve names, check types and units,
// and build the IR the evaluator runs. It reports every problem it finds, not just the first.
//
//   dsl::SourceManager sm;
//   dsl::Diagnostics diags;
//   std::optional<eval::Plan> plan = eval::load_plan(sm, "rules/iij", diags);
//   fputs(render(sm, diags).c_str(), stderr);   // warnings too, even when plan is set
#pragma once

#include <optional>
#include <string>

#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

struct CheckOptions {
    /// Also warn about definitions, params, tables and limits without a `source` citation.
    bool strict = false;
};

/// Load the plan in folder `dir` (every `*.hoshu` file in it, plus what they import).
/// Returns the plan when no error was found; diagnostics (errors and warnings, with the
/// lints: weights, tables, unused definitions, inputs without a range) go to `diags`.
std::optional<Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, dsl::Diagnostics& diags,
                              CheckOptions options = {});

/// The rule files a plan in folder `dir` reads, as load_plan() finds them (every `*.hoshu`
/// file in it, plus what they import, transitively), each added to `sm`, without checking
/// them: what the seal of the plan as it is now hashes, even when the rules no longer
/// check. Every file read is returned, one not UTF-8 too; what cannot be read (a file, an
/// import, the folder) is an error in `diags`.
std::vector<dsl::FileId> read_rule_files(dsl::SourceManager& sm, const std::string& dir, dsl::Diagnostics& diags);

/// An entry named `*.hoshu` that cannot be read as a rule file — a folder, a FIFO, a
/// symbolic link that loops or leads nowhere: an error naming it (at `where`, an import, if
/// any), as load_plan() refuses it in a plan folder, and true. `hoshu fmt` refuses a folder
/// so named in the same words.
///
///   if (!refuse_unreadable_rule_file("plan/notes.hoshu", diags)) files.push_back(…);
bool refuse_unreadable_rule_file(const std::string& path, dsl::Diagnostics& diags, dsl::SourceRange where = {});

/// Check rule files already added to `sm` (for tests): the files form one plan.
std::optional<Plan> check_files(dsl::SourceManager& sm, const std::vector<dsl::FileId>& files,
                                dsl::Diagnostics& diags, CheckOptions options = {});

}  // namespace hoshu::eval
