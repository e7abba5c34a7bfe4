// `hoshu verify`'s checks, for the commands that act only on a result that verifies
// (`hoshu register record`): verify_result_file() reads the result named by `args`,
// recomputes its seal and every value, prints what differs or why it cannot be verified,
// and hands a result that verifies to `on_verified` (whose return is the exit code).
//
//   return verify_result_file(args, [&](const Verified& v) { return store(v.text, v.plan, v.outcome); });
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/register.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::cli {

struct Verified {
    const std::string& text;                 // the result, byte-exact
    const eval::RecordedResult& recorded;
    const eval::Plan& plan;
    const dsl::SourceManager& sm;            // the rule files the plan was loaded from
    const eval::InputFile& inputs;
    const eval::Outcome& outcome;
    const eval::Seal& seal_now;
    const std::string& plan_dir;             // where the rules were found
    const std::string& inputs_path;
    const eval::EvalOptions& options;
};
using OnVerified = std::function<int(const Verified&)>;

/// Verify the result named by args.result (read from that file).
int verify_result_file(const VerifyArgs& args, const OnVerified& on_verified);

/// Verify the result whose text is `text` (args.result names it, and locates the files its
/// seal names): its seal against the files as they are, then every value recomputed. A
/// result that verifies goes to `on_verified`, whose return is the exit code; else 1 with
/// `differences` (or a failure printed), 2 when a file cannot be read or it is not an eval
/// result (printed to stderr).
int verify_result(const VerifyArgs& args, const std::string& text, std::vector<std::string>& differences,
                  const OnVerified& on_verified);

/// Verify a result stored in the register `db` again, as `hoshu verify` would, against the
/// rule files and inputs stored with it (written to a temporary folder) and, for a result
/// that carried from an earlier one, that result as the register holds it (`all`). True when
/// it verifies; else `note` says why (the first differences) — or, when the copies could not
/// be written (no temporary folder: $TMPDIR missing or full), `io_error` says so, naming the
/// path and the reason: that is no verdict on the stored result.
bool reverify_recorded(const eval::StoredResult& r, const std::vector<eval::StoredResult>& all, const std::string& db,
                       std::string& note, std::string& io_error);

}  // namespace hoshu::cli
