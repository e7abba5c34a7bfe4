// hoshu explain PLAN --inputs FILE --director ID [--value NAME] [--format text|json]
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/explain.hpp"
#include "evaluator/inputs.hpp"

namespace hoshu::cli {

int run_explain(const ExplainArgs& args) {
    eval::EvalOptions options;
    if (!args.as_of.empty()) {
        options.as_of = eval::Date::parse(args.as_of);
        if (!options.as_of) {
            std::fprintf(stderr, "hoshu: error: --as-of takes a date as YYYY-MM-DD, not `%s`\n", args.as_of.c_str());
            return Exit::usage;
        }
    }
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    auto inputs = eval::InputFile::load(sm, args.inputs);
    if (!inputs) {
        print_diagnostics(sm, inputs.error());
        return Exit::usage;
    }
    eval::Session session(*plan, *inputs, options);
    auto e = eval::explain(*plan, sm, session, args.director, args.value);
    if (!e) {
        print_diagnostics(sm, e.error());
        return Exit::failure;
    }
    std::string text = args.format == "json" ? eval::explanation_json(*e) : eval::render_explanation(*e);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return Exit::success;
}

}  // namespace hoshu::cli
