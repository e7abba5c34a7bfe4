// A value of an evaluation as text: exact (for JSON, CSV and comparisons) or for people
// (grouped digits, percentages). The evaluator's own messages use them, and every report.
//
//   value_text(plan, outcome, Type::ratio(), v)     // "8712/10385"
//   display_value(plan, outcome, shares, v)         // "4,709"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "evaluator/ir/plan.hpp"
#include "evaluator/run/outcome.hpp"

namespace hoshu::eval {

/// A value as exact text for its type: "4709", "8712/10385", "2024-04-01", "true", "executive".
std::string value_text(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v);
/// Human display of a value: integers of JPY and shares grouped ("48,000,000"),
/// percentages as exact percent ("12.5%"; one whose decimal does not end as its exact
/// fraction, as a rule file or the inputs write it, and the percent it rounds to:
/// "4/7 ≈ 57.1429%"), a currency's amounts with its minor decimals ("135.30",
/// "11,250.00"; JPY, whose minor amount is whole, as "11,250"),
/// other exact values as decimal or fraction.
std::string display_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v);
/// The decimals of a currency's minor amount (USD with `minor 0.01`: 2), for the currency
/// and for a price in it (USD per share); 0 for a type that is neither, or whose minor
/// amount is whole.
int minor_places(const Plan& plan, const Type& type);
/// The currency a report names beside a column or a total of `type` called `name`: the
/// currency's name ("GBP") for an amount of money, the price's unit ("GBP per share") for a
/// price in one, whose name does not already say the currency as one of its `_` words
/// (`fixed_cash_yen` says JPY's word, `total_gbp` GBP's, `price_usd` USD's); empty otherwise
/// (shares, ratios, texts).
std::string unnamed_currency(const Plan& plan, const Type& type, std::string_view name);
/// display_value() followed by the unit of a number that has one, singular for exactly one:
/// "4,709 shares", "1 share", "1 share per PSU", "0.5" (a ratio), "12.5%".
std::string display_with_unit(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v);

/// A percentage ("85%") written for an input whose type is an amount (money, shares, any
/// unit): a percentage is a ratio, no amount of it. The message refusing it and its hint
/// (`what` names the input, as "`salary`"); none when the text is no percentage or the
/// type is a ratio. Inputs files, scenarios and models refuse it alike.
struct Refusal {
    std::string message, hint;
};
std::optional<Refusal> percent_for_amount(const Plan& plan, const Type& type, std::string_view text, std::string_view what);

/// The forms a number of an input may be written in, as the hint under a value that is
/// none: a percentage only where one is accepted (`percent_accepted`: a ratio's input; an
/// amount of money, shares or any unit takes none, percent_for_amount). The inputs'
/// values, batch's cells and --grid's numbers are hinted alike.
///   number_forms_hint(false) == "write an integer, a decimal, 3.168e11 or a fraction (3/4)"
std::string number_forms_hint(bool percent_accepted);

/// What an input's number must be for its unit: a whole unit (shares, a declared `whole`
/// unit), a count and a currency whose minor amount is 1 (JPY) take whole numbers; another
/// currency takes multiples of its minor amount (`minor`); anything else any number. Only
/// for a type that is exactly that unit.
struct UnitRule {
    enum class Kind : std::uint8_t { any, whole, multiple } kind = Kind::any;
    const UnitDef* unit = nullptr;   // multiple: the unit whose minor amount it is
};
UnitRule unit_rule(const Plan& plan, const Type& type);
/// What is wrong with an input's number for its unit (unit_rule()), if anything.
std::optional<std::string> not_in_units(const Plan& plan, const Type& type, const Rational& x);

}  // namespace hoshu::eval
