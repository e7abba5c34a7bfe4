// Reports of an evaluation: a table for people, JSON for systems and auditors (with the
// SHA-256 seal of the rules and inputs that produced it), CSV for payroll. One renderer per
// format (text.cpp, json.cpp, csv.cpp); `render` is the one switch over the formats, so a
// new format is named by the compiler wherever it must be handled.
//
//   Result<Seal> seal = make_seal(plan, sm, "rules/iij", inputs);
//   auto format = eval_format("json");   // from --format
//   ReportExtras extras = report_extras(plan, inputs, outcome, options);   // titles, grant date and price
//   std::string text = render(*format, plan, outcome, *seal, fiscal_year(plan, outcome, inputs), extras);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/ir/plan.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::eval {

enum class EvalFormat { table, json, csv, xlsx };

/// The format's name on the command line ("table", "json", "csv"); nullptr for a value that
/// is no format.
const char* to_string(EvalFormat format);
/// Every format's name, in the order declared (for --format's help and check).
std::vector<std::string> eval_format_names();
/// The format a name stands for, if any.
std::optional<EvalFormat> eval_format(std::string_view name);

/// What payroll and the share registrar need beside the outputs (CSV and xlsx): each
/// record's `info` fields from the inputs (a director's name, title), the plan's grant date
/// and grant-time price — its plan-wide values named `grant_date` and `grant_price`, when it
/// has them — and the inputs' text (xlsx's inputs sheet).
struct ReportExtras {
    std::vector<std::string> info_names;               // the `info` fields of a record
    std::vector<std::vector<std::string>> info_values; // per record of the outcome, parallel to info_names ("" when absent)
    std::string grant_date;                            // YYYY-MM-DD, or empty
    std::string grant_price;                           // exact, or empty
    std::string grant_price_currency;                  // the word of its currency, as columns name it ("yen", "eur"), or empty
    std::string inputs_text;
    bool csv_bom = true;                               // CSV: start with the UTF-8 byte-order mark (Excel needs it)
};
ReportExtras report_extras(const Plan& plan, const InputFile& inputs, const Outcome& outcome, const EvalOptions& options);

/// The report in `format` (xlsx: the workbook's bytes; empty when it cannot be written).
std::string render(EvalFormat format, const Plan& plan, const Outcome& outcome, const Seal& seal,
                   std::string_view year, const ReportExtras& extras = {});

/// What an evaluation found beside its records' outputs, as every report for people shows
/// it (eval's table, the working paper): the plan-wide outputs, each limit (value, bound,
/// status and the factor it scaled by), each violation as one line ("rule [D01]: message (C4)").
struct OutcomeFindings {
    struct Total {
        std::string name, value;
    };
    struct LimitRow {
        std::string name, value, bound, status;
    };
    std::vector<Total> totals;
    std::vector<LimitRow> limits;
    std::vector<std::string> violations;
};
OutcomeFindings outcome_findings(const Plan& plan, const Outcome& outcome);

std::string format_table(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year);
std::string format_json(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year);
/// One row per record: the record's id and outputs, then fiscal_year, its `info` fields,
/// grant_date, grant_price, the value of each output in the unit the grant-time price is per
/// (shares × grant-time price, exact; `<output>_value_yen`, `_value_usd` …), and the seal
/// (rules_sha256, inputs_sha256). A plan without a collection: one row of its plan-wide
/// outputs and the same columns after them, no record column (as batch writes it). A
/// column after the outputs that an output of that name gives (`grant_price`) is left out.
std::string format_csv(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year,
                       const ReportExtras& extras);
/// The CSV's cells: a header row and one row per record (one for a plan without a collection); `numeric` marks exact-number columns,
/// `places` the decimals each column shows at least (a currency's or a price's minor ones).
std::vector<std::vector<std::string>> csv_rows(const Plan& plan, const Outcome& outcome, const Seal& seal,
                                               std::string_view year, const ReportExtras& extras, std::vector<bool>* numeric = nullptr,
                                               std::vector<int>* places = nullptr);
/// A workbook: a results sheet (the CSV's cells; a column of numbers as numbers when every
/// value in it can be, see xlsx.hpp), the inputs used (the file, line by line) and the seal.
/// Empty when it cannot be written (a text longer than a cell holds…), with `error` saying why.
std::string format_xlsx(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year,
                        const ReportExtras& extras, std::string* error = nullptr);

}  // namespace hoshu::eval
