// hoshu eval PLAN --inputs FILE [--carry LAST_YEAR.json | --register FILE.db] [--format table|json|csv] [--out FILE] [--as-of DATE]
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::cli {

int run_eval(const EvalArgs& args) {
    eval::EvalOptions options;
    if (!parse_as_of(args.as_of, options)) return Exit::usage;
    const eval::EvalFormat format = eval::eval_format(args.format).value_or(eval::EvalFormat::table);
    if (format == eval::EvalFormat::xlsx && binary_to_terminal(args.out)) return Exit::usage;
    dsl::SourceManager sm;
    int exit = Exit::success;
    CarryUsed carried;
    auto loaded = load_plan_and_inputs(sm, args.plan, args.inputs, CarryFrom{args.carry, args.register_db}, carried, exit);
    if (!loaded) return exit;
    const eval::Plan* plan = &loaded->plan;
    const eval::InputFile* inputs = &loaded->inputs;
    options.carry = true;
    auto outcome = eval::evaluate(*plan, *inputs, options);
    if (!outcome) {
        print_diagnostics(sm, outcome.error());
        return Exit::failure;
    }
    // A JSON result written to a file names its plan and inputs relative to that file's
    // folder, so that `hoshu verify` finds them from wherever it runs.
    bool to_file = format == eval::EvalFormat::json && !args.out.empty() && args.out != "-";
    auto seal = eval::make_seal(*plan, sm, args.plan, *inputs, options, to_file ? args.out : std::string());
    if (!seal) {
        print_diagnostics(sm, seal.error());
        return Exit::usage;
    }
    seal_carried(*seal, carried, to_file ? args.out : std::string());
    std::string year = eval::fiscal_year(*plan, *outcome, *inputs, options);
    eval::ReportExtras extras;
    if (format == eval::EvalFormat::csv || format == eval::EvalFormat::xlsx)
        extras = eval::report_extras(*plan, *inputs, *outcome, options);
    extras.csv_bom = args.csv_bom;
    std::string text, why;
    if (format == eval::EvalFormat::xlsx) text = eval::format_xlsx(*plan, *outcome, *seal, year, extras, &why);
    else text = eval::render(format, *plan, *outcome, *seal, year, extras);
    if (format == eval::EvalFormat::xlsx && text.empty()) {
        std::fprintf(stderr, "hoshu: error: --format xlsx: %s: nothing is written (--format csv holds it whole)\n",
                     dsl::printable(why.empty() ? std::string("cannot write the workbook") : why).c_str());
        return Exit::usage;
    }
    std::string error;
    if (!write_output(args.out, text, error, files_read(sm, {args.carry, args.register_db}))) return output_failed(error);
    return outcome->violations.empty() ? Exit::success : Exit::failure;
}

}  // namespace hoshu::cli
