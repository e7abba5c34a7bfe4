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
        // No decimal ends it: the exact value (what `expect` and the inputs take, `4/7`), then
        // the percent it rounds to, marked as rounded. Never a rounded figure alone, which a
        // reader would take for the value (and two values may round to the same figure).
        return r.to_string() + " ≈ " + approximate_decimal(pct, 4) + "%";
    }
    // A currency's amounts show its minor decimals, whole ones too: 135.3 USD as 135.30,
    // 11,250 GBP as 11,250.00 (an amount finer than the minor one as it is).
    if (const int places = minor_places(plan, type); places > 0) {
        Rational scale(1);
        for (int i = 0; i < places; ++i) scale = scale * Rational(10);
        if ((r * scale).is_integer()) return grouped_decimal(r, places);
    }
    if (r.terminates()) return group_digits(r.to_string());   // integers too
    return r.to_string();
}

int minor_places(const Plan& plan, const Type& type) {
    // A currency, or a price in it (a currency per share or other counted unit): 11.1 GBP
    // per share is shown as 11.10 GBP per share.
    auto u = single_unit(type);
    if (!u)
        if (auto price = price_units(type, plan.units)) u = price->currency;
    if (!u || !plan.units[*u].minor) return 0;
    Rational scale(1);
    int places = 0;
    while (places < 6 && !(*plan.units[*u].minor * scale).is_integer()) {
        scale = scale * Rational(10);
        ++places;
    }
    return (*plan.units[*u].minor * scale).is_integer() ? places : 0;
}

std::string unnamed_currency(const Plan& plan, const Type& type, std::string_view name) {
    auto u = single_unit(type);
    std::string shown;
    if (u && plan.units[*u].currency) {
        shown = plan.units[*u].name;
    } else if (auto price = price_units(type, plan.units); price && plan.units[price->currency].currency) {
        // A price says its unit, as its amounts would say their currency: `GBP per share`.
        u = price->currency;
        shown = plan.type_name(type);
    } else {
        return "";
    }
    const UnitDef& unit = plan.units[*u];
    std::string lower(name);
    for (auto& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    std::string code = unit.name;
    for (auto& c : code)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const std::string padded = "_" + lower + "_";
    for (const std::string& word : {currency_word(unit), code})
        if (padded.find("_" + word + "_") != std::string::npos) return "";
    return shown;
}

std::string display_with_unit(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    std::string shown = display_value(plan, outcome, type, v);
    if (type.kind != Kind::number || type.dimensionless()) return shown;
    return shown + " " + plan.amount_unit(type, v.number);
}

UnitRule unit_rule(const Plan& plan, const Type& type) {
    if (type.dimensionless() && type.style == RatioStyle::count) return {UnitRule::Kind::whole, nullptr};
    auto u = single_unit(type);
    if (!u) return {};
    const UnitDef& unit = plan.units[*u];
    if (unit.whole || (unit.minor && *unit.minor == Rational(1))) return {UnitRule::Kind::whole, &unit};
    if (unit.minor) return {UnitRule::Kind::multiple, &unit};
    return {};
}

std::optional<std::string> not_in_units(const Plan& plan, const Type& type, const Rational& x) {
    const UnitRule rule = unit_rule(plan, type);
    switch (rule.kind) {
        case UnitRule::Kind::any: break;
        case UnitRule::Kind::whole:
            if (!x.is_integer()) return fmt::format("it must be a whole number, not {}", x.to_string());
            break;
        case UnitRule::Kind::multiple:
            if (!(x / *rule.unit->minor).is_integer())
                return fmt::format("it must be a multiple of {} {}, not {}", rule.unit->minor->to_string(),
                                   rule.unit->name, x.to_string());
            break;
    }
    return std::nullopt;
}

}  // namespace hoshu::eval

namespace hoshu::eval {

std::string number_forms_hint(bool percent_accepted) {
    return percent_accepted ? "write an integer, a decimal, 3.168e11, a percentage (15.4%) or a fraction (3/4)"
                            : "write an integer, a decimal, 3.168e11 or a fraction (3/4)";
}

std::optional<Refusal> percent_for_amount(const Plan& plan, const Type& type, std::string_view text, std::string_view what) {
    std::string_view written = text;   // (blanks after the `%` of "12.5 % " are no part of it)
    while (!written.empty() && (written.back() == ' ' || written.back() == '\t')) written.remove_suffix(1);
    if (type.dimensionless() || written.empty() || written.back() != '%') return std::nullopt;
    return Refusal{fmt::format("{} is {}: a percentage (\"{}\") is no amount of it", what, plan.type_name(type), text),
                   "write the amount itself, in the unit"};
}

}  // namespace hoshu::eval
