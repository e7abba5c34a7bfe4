#include "evaluator/numbers/types.hpp"

#include <fmt/format.h>

namespace hoshu::eval {

Type multiply(const Type& a, const Type& b) {
    Dimension d;
    for (std::size_t i = 0; i < max_units; ++i) d.e[i] = static_cast<std::int8_t>(a.dim.e[i] + b.dim.e[i]);
    Type t = Type::number(d);
    if (a.dimensionless() && b.dimensionless()) t.style = a.style == b.style ? a.style : RatioStyle::ratio;
    return t;
}

Type divide(const Type& a, const Type& b) {
    Dimension d;
    for (std::size_t i = 0; i < max_units; ++i) d.e[i] = static_cast<std::int8_t>(a.dim.e[i] - b.dim.e[i]);
    return Type::number(d);
}

const std::vector<UnitDef>& builtin_unit_defs() {
    static const std::vector<UnitDef> units = {
        {"JPY", "JPY", "¥", true, Rational(1), false},
        {"shares", "share", "", false, std::nullopt, true},
        {"months", "month", "", false, std::nullopt, false},
        {"days", "day", "", false, std::nullopt, false},
    };
    return units;
}

namespace {

std::string power(const std::string& unit, int e) { return e == 1 ? unit : fmt::format("{}^{}", unit, e); }

/// The units with a positive exponent (or, with `negative`, the negated negative ones).
std::string product(const Dimension& d, const std::vector<UnitDef>& units, bool negative) {
    std::string out;
    for (std::size_t i = 0; i < max_units && i < units.size(); ++i) {
        int e = negative ? -d.e[i] : d.e[i];
        if (e <= 0) continue;
        if (!out.empty()) out += "·";
        out += power(e == 1 ? units[i].singular : units[i].name, e);
    }
    return out;
}

int count_units(const Dimension& d, bool negative, bool& all_one) {
    int n = 0;
    all_one = true;
    for (auto x : d.e) {
        int e = negative ? -x : x;
        if (e > 0) {
            ++n;
            if (e != 1) all_one = false;
        }
    }
    return n;
}

}  // namespace

std::string type_name(const Type& t, std::string_view choice_name) {
    return type_name(t, builtin_unit_defs(), choice_name);
}

std::string type_name(const Type& t, const std::vector<UnitDef>& units, std::string_view choice_name) {
    switch (t.kind) {
        case Kind::date: return "date";
        case Kind::boolean: return "boolean";
        case Kind::text: return "text";
        case Kind::choice: return choice_name.empty() ? std::string("choice") : std::string(choice_name);
        case Kind::number: break;
    }
    const Dimension& d = t.dim;
    if (d == Dimension{}) {
        switch (t.style) {
            case RatioStyle::percent: return "percent";
            case RatioStyle::count: return "count";
            case RatioStyle::ratio: return "ratio";
        }
    }
    if (auto u = single_unit(t); u && *u < units.size()) return units[*u].name;
    bool num_one = true, den_one = true;
    int nn = count_units(d, false, num_one);
    int nd = count_units(d, true, den_one);
    // A single unit on top reads in the plural or as the currency: "JPY per share", "shares per point".
    std::string num;
    if (nn == 1 && num_one) {
        for (std::size_t i = 0; i < max_units && i < units.size(); ++i)
            if (d.e[i] == 1) num = units[i].name;
    } else {
        num = product(d, units, false);
    }
    std::string den = product(d, units, true);
    if (num.empty()) num.push_back('1');   // not `= "1"`: g++ 12 warns wrongly (-Wrestrict) once inlined
    if (den.empty()) return num;
    bool single = nd == 1 && den_one;
    return single ? fmt::format("{} per {}", num, den) : fmt::format("{} per ({})", num, den);
}

std::string amount_unit(const Type& t, const std::vector<UnitDef>& units, const Rational& amount) {
    std::string name = type_name(t, units);
    if (t.kind != Kind::number || !(amount.abs() == Rational(1))) return name;
    bool num_one = true;
    if (count_units(t.dim, false, num_one) != 1 || !num_one) return name;
    for (std::size_t i = 0; i < max_units && i < units.size(); ++i) {
        if (t.dim.e[i] != 1) continue;
        // type_name() writes a single unit on top by its name, first: "shares", "shares per PSU".
        const std::string& plural = units[i].name;
        if (name.compare(0, plural.size(), plural) == 0 &&
            (name.size() == plural.size() || name.compare(plural.size(), 5, " per ") == 0))
            return units[i].singular + name.substr(plural.size());
    }
    return name;
}

std::optional<std::size_t> single_unit(const Type& t) {
    if (t.kind != Kind::number) return std::nullopt;
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < max_units; ++i) {
        if (t.dim.e[i] == 0) continue;
        if (t.dim.e[i] != 1 || found) return std::nullopt;
        found = i;
    }
    return found;
}

bool counted_unit(std::size_t unit, const std::vector<UnitDef>& units) {
    return unit < units.size() && !units[unit].currency && unit != unit_months && unit != unit_days;
}

bool counted(const Type& t, const std::vector<UnitDef>& units) {
    auto u = single_unit(t);
    return u && counted_unit(*u, units);
}

bool in_money(const Type& t, const std::vector<UnitDef>& units) {
    if (t.kind != Kind::number) return false;
    for (std::size_t i = 0; i < max_units && i < units.size(); ++i)
        if (t.dim.e[i] != 0 && units[i].currency) return true;
    return false;
}

std::optional<PriceUnits> price_units(const Type& t, const std::vector<UnitDef>& units) {
    if (t.kind != Kind::number) return std::nullopt;
    std::optional<std::size_t> up, down;
    for (std::size_t i = 0; i < max_units; ++i) {
        const int e = t.dim.e[i];
        if (e == 0) continue;
        if (i >= units.size() || (e != 1 && e != -1)) return std::nullopt;
        auto& found = e == 1 ? up : down;
        if (found) return std::nullopt;
        found = i;
    }
    if (!up || !down || !units[*up].currency || !counted_unit(*down, units)) return std::nullopt;
    return PriceUnits{*up, *down};
}

std::string currency_word(const UnitDef& currency) {
    if (currency.name == "JPY") return "yen";
    std::string w = currency.name;
    for (auto& c : w)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return w;
}

std::optional<std::size_t> find_unit(const std::vector<UnitDef>& units, std::string_view word) {
    if (word == "yen") return unit_jpy;
    for (std::size_t i = 0; i < units.size(); ++i) {
        const UnitDef& u = units[i];
        if (u.name == word || u.singular == word) return i;
    }
    return std::nullopt;
}

std::optional<Type> unit_type(const std::vector<UnitDef>& units, std::string_view base, std::string_view per) {
    auto unit = [&](std::string_view w) -> std::optional<Dimension> {
        if (auto i = find_unit(units, w)) return Dimension::of(*i);
        return std::nullopt;
    };
    if (per.empty()) {
        if (auto d = unit(base)) return Type::number(*d);
        if (base == "ratio") return Type::ratio(RatioStyle::ratio);
        if (base == "percent") return Type::ratio(RatioStyle::percent);
        if (base == "count") return Type::ratio(RatioStyle::count);
        if (base == "date") return Type::date();
        if (base == "boolean") return Type::boolean();
        if (base == "text") return Type::text();
        return std::nullopt;
    }
    auto b = unit(base);
    auto p = unit(per);
    if (!b || !p) return std::nullopt;
    return divide(Type::number(*b), Type::number(*p));
}

std::optional<Type> builtin_type(std::string_view base, std::string_view per) {
    return unit_type(builtin_unit_defs(), base, per);
}

}  // namespace hoshu::eval
