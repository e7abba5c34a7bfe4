#include "evaluator/run/values.hpp"

#include <fmt/format.h>

#include "dsl/base/text.hpp"
#include "evaluator/numbers/number_text.hpp"

namespace hoshu::eval {

std::string value_text(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    switch (type.kind) {
        case Kind::number: return v.number.to_string();
        case Kind::date: return Date{static_cast<std::int32_t>(v.word)}.to_string();
        case Kind::boolean: return v.word ? "true" : "false";
        case Kind::text: return outcome.text(plan, v.word);
        case Kind::choice:
            return plan.choices[static_cast<std::size_t>(type.choice)].members[static_cast<std::size_t>(v.word)];
    }
    return {};
}

std::string display_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    if (type.kind != Kind::number) return value_text(plan, outcome, type, v);
    const Rational& r = v.number;
    if (type.dimensionless() && type.style == RatioStyle::percent) {
        Rational pct = r * Rational(100);
        if (pct.terminates()) return pct.to_string() + "%";
        return pct.to_decimal(4) + "%";
    }
    // A currency's amounts show its minor decimals: 135.3 USD as 135.30 (whole amounts as they are).
    if (auto u = single_unit(type); u && !r.is_integer() && plan.units[*u].minor) {
        Rational scale(1);
        int places = 0;
        while (places < 6 && !(*plan.units[*u].minor * scale).is_integer()) {
            scale = scale * Rational(10);
            ++places;
        }
        if (places > 0 && (r * scale).is_integer()) return grouped_decimal(r, places);
    }
    if (r.terminates()) return group_digits(r.to_string());   // integers too
    return r.to_string();
}

/// What is wrong with an input's number for its unit, if anything: a whole unit (shares,
/// a declared `whole` unit) and a count take whole numbers; a currency takes multiples of
/// its minor amount (JPY: whole yen). Only for a type that is exactly that unit.
std::optional<std::string> not_in_units(const Plan& plan, const Type& type, const Rational& x) {
    if (type.dimensionless() && type.style == RatioStyle::count) {
        if (!x.is_integer()) return fmt::format("it must be a whole number, not {}", x.to_string());
        return std::nullopt;
    }
    auto u = single_unit(type);
    if (!u) return std::nullopt;
    const UnitDef& unit = plan.units[*u];
    if (unit.whole || (unit.minor && *unit.minor == Rational(1))) {
        if (!x.is_integer()) return fmt::format("it must be a whole number, not {}", x.to_string());
    } else if (unit.minor && !(x / *unit.minor).is_integer()) {
        return fmt::format("it must be a multiple of {} {}, not {}", unit.minor->to_string(), unit.name, x.to_string());
    }
    return std::nullopt;
}

}  // namespace hoshu::eval
