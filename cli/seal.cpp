// hoshu seal PLAN: the listing `sha256sum` prints for every rule file the plan loads (those
// of the folder, hidden ones too, and what they import), run in the plan folder, sorted by
// path. Its SHA-256 is the seal's rules_sha256, so an auditor can redo the seal with
// standard tools:
//   hoshu seal rules/iij | sha256sum                       # = seal.rules_sha256
//   hoshu seal rules/iij | (cd rules/iij && sha256sum -c)  # each file, hashed by sha256sum
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/eval_report.hpp"

namespace hoshu::cli {

int run_seal(const SealArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    auto files = eval::seal_rule_files(*plan, sm, args.plan);
    if (!files) {
        print_diagnostics(sm, files.error());
        return Exit::usage;
    }
    std::string error;
    if (!write_output("", eval::seal_listing(*files), error)) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
