// A value of an evaluation as text: exact (for JSON, CSV and comparisons) or for people
// (grouped digits, percentages). The evaluator's own messages use them, and every report.
//
//   value_text(plan, outcome, Type::ratio(), v)     // "8712/10385"
//   display_value(plan, outcome, shares, v)         // "4,709"
#pragma once

#include <string>

#include "evaluator/ir/plan.hpp"
#include "evaluator/run/outcome.hpp"

namespace hoshu::eval {

/// A value as exact text for its type: "4709", "8712/10385", "2024-04-01", "true", "executive".
std::string value_text(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v);
/// Human display of a value: integers of JPY and shares grouped ("48,000,000"),
/// percentages as exact percent, a currency's amounts with its minor decimals ("135.30"),
/// other exact values as decimal or fraction.
std::string display_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v);

}  // namespace hoshu::eval
