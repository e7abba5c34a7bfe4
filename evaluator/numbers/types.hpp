// Types with units. A number's type is a dimension: exponents over the plan's units — the
// built-in JPY, shares, months and days, then those the plan declares (`unit USD currency
// "$" minor 0.01`, `unit point plural points whole`) — so `JPY / (JPY per share)` is shares
// and `JPY per month × months` is JPY. Dimensionless numbers are ratios (shown as `ratio`,
// `percent` or `count` as declared).
//
//   Type jpy = Type::number({1, 0, 0});
//   Type price = Type::number({1, -1, 0});        // "JPY per share"
//   divide(jpy, price) == Type::number({0, 1, 0}) // shares
//   type_name(Type::number(Dimension::of(4)), units)   // "USD" when units[4] is USD
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

/// The built-in units' indices; a plan's own units follow, up to max_units in all.
inline constexpr std::size_t unit_jpy = 0, unit_shares = 1, unit_months = 2, unit_days = 3;
inline constexpr std::size_t builtin_units = 4;
inline constexpr std::size_t max_units = 12;

/// Exponents over the units, by index: `Dimension{1, -1}` is JPY per share.
struct Dimension {
    std::array<std::int8_t, max_units> e{};
    static Dimension of(std::size_t unit) {
        Dimension d;
        d.e[unit] = 1;
        return d;
    }
    friend bool operator==(const Dimension&, const Dimension&) = default;
};

/// A unit: built in (JPY, shares, months, days) or declared by the plan.
struct UnitDef {
    std::string name;       // as types and reports write it: "JPY", "shares", "USD", "points"
    std::string singular;   // "share", "point"; a currency's name again
    std::string symbol;     // a currency's sign written before its amounts: "¥", "$"; else empty
    bool currency = false;
    std::optional<Rational> minor;   // a currency's smallest amount: inputs are multiples of it
    bool whole = false;     // inputs, outputs and allocations of it are whole numbers
};

/// The built-in units, in index order.
const std::vector<UnitDef>& builtin_unit_defs();

enum class Kind : std::uint8_t { number, date, boolean, text, choice };

/// How a dimensionless number was declared; only affects display.
enum class RatioStyle : std::uint8_t { ratio, percent, count };

struct Type {
    Kind kind = Kind::number;
    Dimension dim{};
    RatioStyle style = RatioStyle::ratio;
    std::int32_t choice = -1;   // index of the choice type (`type role = …`) when kind == choice

    static Type number(Dimension d) { return Type{Kind::number, d, RatioStyle::ratio, -1}; }
    static Type ratio(RatioStyle s = RatioStyle::ratio) { return Type{Kind::number, {}, s, -1}; }
    static Type date() { return Type{Kind::date, {}, RatioStyle::ratio, -1}; }
    static Type boolean() { return Type{Kind::boolean, {}, RatioStyle::ratio, -1}; }
    static Type text() { return Type{Kind::text, {}, RatioStyle::ratio, -1}; }
    static Type of_choice(std::int32_t index) { return Type{Kind::choice, {}, RatioStyle::ratio, index}; }

    bool is_number() const { return kind == Kind::number; }
    bool dimensionless() const { return kind == Kind::number && dim == Dimension{}; }
    /// Same kind and unit (display style aside).
    bool same(const Type& o) const { return kind == o.kind && dim == o.dim && choice == o.choice; }
};

Type multiply(const Type& a, const Type& b);
Type divide(const Type& a, const Type& b);

/// The unit as people write it: "JPY", "shares", "JPY per share", "JPY per month",
/// "months", "ratio", "percent", "count", "date", "boolean", "text"; otherwise a product
/// such as "JPY·shares" or "JPY per (share·month)". Choice types need their name: pass it.
/// `units` names the plan's units (the built-in ones when omitted).
std::string type_name(const Type& t, const std::vector<UnitDef>& units, std::string_view choice_name = {});
std::string type_name(const Type& t, std::string_view choice_name = {});

/// The unit written after an amount of type `t`: type_name(), with the unit on top in its
/// singular when the amount is exactly one (or minus one): "1 share", "1 share per PSU",
/// "1 point", but "0 shares", "2 PSUs", "1.5 shares".
std::string amount_unit(const Type& t, const std::vector<UnitDef>& units, const Rational& amount);

/// The unit a word names among `units` (its name, singular or plural: `shares`, `share`,
/// `USD`, `point`), if any.
std::optional<std::size_t> find_unit(const std::vector<UnitDef>& units, std::string_view word);

/// A unit or type word as written in a rule file (`JPY`, `shares`, `months`, `percent`, …),
/// with an optional `per` word. nullopt when the words are not a type.
std::optional<Type> unit_type(const std::vector<UnitDef>& units, std::string_view base, std::string_view per);
std::optional<Type> builtin_type(std::string_view base, std::string_view per);

/// The unit of a type that is exactly one unit (exponent 1, nothing else), if it is.
std::optional<std::size_t> single_unit(const Type& t);

/// Whether `unit` counts things: neither a currency nor months or days (shares, PSUs, points).
bool counted_unit(std::size_t unit, const std::vector<UnitDef>& units);
/// Whether `t` is a number of one counted unit: shares, PSUs, points.
bool counted(const Type& t, const std::vector<UnitDef>& units);

/// Whether `t` is a number in money: its unit holds a currency (an amount, `JPY`, `USD`;
/// a price, `USD per share`).
bool in_money(const Type& t, const std::vector<UnitDef>& units);

/// A price's units: a currency per a counted unit (`JPY per share`, `USD per PSU`): what
/// one of the counted unit is worth. `valued` is the counted unit's
/// type, that of the awards the price values; `money` the currency's.
struct PriceUnits {
    std::size_t currency = unit_jpy, counted = unit_shares;
    Type money() const { return Type::number(Dimension::of(currency)); }
    Type valued() const { return Type::number(Dimension::of(counted)); }
};
/// The units of `t` when it is a price, else nullopt.
std::optional<PriceUnits> price_units(const Type& t, const std::vector<UnitDef>& units);

/// The word naming a currency where a report's keys and columns name it: `yen` for JPY,
/// else its name in lower case (`usd`, `eur`).
std::string currency_word(const UnitDef& currency);

}  // namespace hoshu::eval
