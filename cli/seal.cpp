// hoshu seal PLAN: the listing `sha256sum` prints for every rule file the plan loads (those
// of the folder, hidden ones too, and what they import), run in the plan folder, sorted by
// path. Its SHA-256 is the seal's rules_sha256, so an auditor can redo the seal with
// standard tools:
//   hoshu seal rules/iij | sha256sum                       # = seal.rules_sha256
//   hoshu seal rules/iij | (cd rules/iij && sha256sum -c)  # each file, hashed by sha256sum
// A file holding tests is hashed without them (tests compute nothing; eval::sealed_rule_text):
//   hoshu seal rules/x --text plan.hoshu | sha256sum       # = its line of the listing
//   hoshu seal rules/x --text plan.hoshu | diff rules/x/plan.hoshu -   # only test lines
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/eval_report.hpp"

namespace hoshu::cli {

int run_seal(const SealArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    std::string error;
    if (!args.text.empty()) {
        auto text = eval::sealed_text_of(*plan, sm, args.plan, args.text);
        if (!text) {
            print_diagnostics(sm, text.error());
            return Exit::usage;
        }
        if (!write_output("", *text, error)) return output_failed(error);
        return Exit::success;
    }
    auto files = eval::seal_rule_files(*plan, sm, args.plan);
    if (!files) {
        print_diagnostics(sm, files.error());
        return Exit::usage;
    }
    if (!write_output("", eval::seal_listing(*files), error)) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
