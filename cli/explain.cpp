// hoshu explain PLAN --inputs FILE [--carry LAST_YEAR.json | --register FILE.db] --director ID [--value NAME] [--format text|json]
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/explain_report.hpp"
#include "evaluator/run/inputs.hpp"

namespace hoshu::cli {

int run_explain(const ExplainArgs& args) {
    eval::EvalOptions options;
    if (!parse_as_of(args.as_of, options)) return Exit::usage;
    dsl::SourceManager sm;
    int exit = Exit::success;
    CarryUsed carried;
    auto loaded = load_plan_and_inputs(sm, args.plan, args.inputs, CarryFrom{args.carry, args.register_db}, carried, exit);
    if (!loaded) return exit;
    // Without --director only a plan-wide value can be explained: anything else is a usage
    // error, as a missing required option is.
    if (args.director.empty()) {
        auto slot = args.value.empty() ? std::nullopt : loaded->plan.find_slot(args.value);
        if (!slot && !args.value.empty()) {
            if (auto what = eval::limit_or_requirement(loaded->plan, args.value)) {
                std::fprintf(stderr, "hoshu: error: %s\n", what->c_str());
                return Exit::usage;
            }
        }
        if (!slot || loaded->plan.slots[*slot].scope != eval::Scope::plan) {
            std::fprintf(stderr, "hoshu: error: say which %s with --director (or explain a plan-wide value with --value)\n",
                         loaded->plan.directors.noun.c_str());
            return Exit::usage;
        }
    }
    eval::Session session(loaded->plan, loaded->inputs, options);
    auto e = eval::explain(loaded->plan, sm, session, args.director, args.value);
    if (!e) {
        print_diagnostics(sm, e.error());
        return Exit::failure;
    }
    std::string text = args.format == "json" ? eval::explanation_json(*e) : eval::render_explanation(*e);
    std::string error;
    if (!write_output("", text, error)) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
