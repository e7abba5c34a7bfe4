// hoshu eval PLAN --inputs FILE [--format table|json|csv] [--out FILE] [--as-of DATE]
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/evaluate.hpp"
#include "evaluator/inputs.hpp"
#include "evaluator/report.hpp"

namespace hoshu::cli {

int run_eval(const EvalArgs& args) {
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
    auto outcome = eval::evaluate(*plan, *inputs, options);
    if (!outcome) {
        print_diagnostics(sm, outcome.error());
        return Exit::failure;
    }
    auto seal = eval::make_seal(*plan, sm, args.plan, *inputs, options);
    std::string year = eval::fiscal_year(*plan, *outcome, *inputs);
    std::string text = args.format == "json" ? eval::format_json(*plan, *outcome, seal, year)
                       : args.format == "csv" ? eval::format_csv(*plan, *outcome)
                                              : eval::format_table(*plan, *outcome, seal, year);
    std::string error;
    if (!write_output(args.out, text, error)) {
        std::fprintf(stderr, "hoshu: error: %s\n", error.c_str());
        return Exit::usage;
    }
    return outcome->violations.empty() ? Exit::success : Exit::failure;
}

}  // namespace hoshu::cli
