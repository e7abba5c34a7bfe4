// hoshu inputs PLAN [--out FILE.toml]: the inputs template — a commented TOML document of
// every key the plan reads, the file HR fills in each year. Exit 1 when the plan does not
// check, 2 on usage or an output error.
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/inputs_template.hpp"

namespace hoshu::cli {

int run_inputs(const InputsArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    std::string error;
    if (!write_output(args.out, eval::render_inputs_template(*plan), error, files_read(sm))) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
