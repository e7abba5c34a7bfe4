// `hoshu verify`'s checks, for the commands that act only on a result that verifies
// (`hoshu register record`): verify_result_file() reads the result named by `args`,
// recomputes its seal and every value, prints what differs or why it cannot be verified,
// and hands a result that verifies to `on_verified` (whose return is the exit code).
//
//   return verify_result_file(args, [&](const Verified& v) { return store(v.text, v.plan, v.outcome); });
#pragma once

#include <functional>
#include <string>

#include "cli/commands.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::cli {

struct Verified {
    const std::string& text;                 // the result, byte-exact
    const eval::RecordedResult& recorded;
    const eval::Plan& plan;
    const eval::InputFile& inputs;
    const eval::Outcome& outcome;
    const eval::Seal& seal_now;
    const std::string& plan_dir;             // where the rules were found
    const std::string& inputs_path;
    const eval::EvalOptions& options;
};
using OnVerified = std::function<int(const Verified&)>;

int verify_result_file(const VerifyArgs& args, const OnVerified& on_verified);

}  // namespace hoshu::cli
