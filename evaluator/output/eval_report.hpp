// Reports of an evaluation: a table for people, JSON for systems and auditors (with the
// SHA-256 seal of the rules and inputs that produced it), CSV for payroll. One renderer per
// format (text.cpp, json.cpp, csv.cpp); `render` is the one switch over the formats, so a
// new format is named by the compiler wherever it must be handled.
//
//   Result<Seal> seal = make_seal(plan, sm, "rules/iij", inputs);
//   auto format = eval_format("json");   // from --format
//   std::string text = render(*format, plan, outcome, *seal, fiscal_year(plan, outcome, inputs));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/ir/plan.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/run/outcome.hpp"

namespace hoshu::eval {

enum class EvalFormat { table, json, csv };

/// The format's name on the command line ("table", "json", "csv"); nullptr for a value that
/// is no format.
const char* to_string(EvalFormat format);
/// Every format's name, in the order declared (for --format's help and check).
std::vector<std::string> eval_format_names();
/// The format a name stands for, if any.
std::optional<EvalFormat> eval_format(std::string_view name);

/// The report in `format`.
std::string render(EvalFormat format, const Plan& plan, const Outcome& outcome, const Seal& seal,
                   std::string_view year);

std::string format_table(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year);
std::string format_json(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year);
std::string format_csv(const Plan& plan, const Outcome& outcome);

}  // namespace hoshu::eval
