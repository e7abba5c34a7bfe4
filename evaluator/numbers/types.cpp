#include "evaluator/numbers/types.hpp"

#include <fmt/format.h>

namespace hoshu::eval {

Type multiply(const Type& a, const Type& b) {
    Dimension d{static_cast<std::int8_t>(a.dim.yen + b.dim.yen),
                static_cast<std::int8_t>(a.dim.shares + b.dim.shares),
                static_cast<std::int8_t>(a.dim.months + b.dim.months)};
    Type t = Type::number(d);
    if (a.dimensionless() && b.dimensionless()) t.style = a.style == b.style ? a.style : RatioStyle::ratio;
    return t;
}

Type divide(const Type& a, const Type& b) {
    Dimension d{static_cast<std::int8_t>(a.dim.yen - b.dim.yen),
                static_cast<std::int8_t>(a.dim.shares - b.dim.shares),
                static_cast<std::int8_t>(a.dim.months - b.dim.months)};
    return Type::number(d);
}

namespace {

std::string power(const char* unit, int e) { return e == 1 ? unit : fmt::format("{}^{}", unit, e); }

std::string product(int yen, int shares, int months) {
    std::string out;
    auto add = [&](const char* u, int e) {
        if (e == 0) return;
        if (!out.empty()) out += "·";
        out += power(u, e);
    };
    add("JPY", yen);
    add(shares == 1 || shares == -1 ? "share" : "shares", shares);
    add(months == 1 || months == -1 ? "month" : "months", months);
    return out;
}

}  // namespace

std::string type_name(const Type& t, std::string_view choice_name) {
    switch (t.kind) {
        case Kind::date: return "date";
        case Kind::boolean: return "boolean";
        case Kind::text: return "text";
        case Kind::choice: return choice_name.empty() ? std::string("choice") : std::string(choice_name);
        case Kind::number: break;
    }
    const Dimension d = t.dim;
    if (d == Dimension{}) {
        switch (t.style) {
            case RatioStyle::percent: return "percent";
            case RatioStyle::count: return "count";
            case RatioStyle::ratio: return "ratio";
        }
    }
    if (d == Dimension{1, 0, 0}) return "JPY";
    if (d == Dimension{0, 1, 0}) return "shares";
    if (d == Dimension{0, 0, 1}) return "months";
    int ny = d.yen > 0 ? d.yen : 0, ns = d.shares > 0 ? d.shares : 0, nm = d.months > 0 ? d.months : 0;
    int dy = d.yen < 0 ? -d.yen : 0, ds = d.shares < 0 ? -d.shares : 0, dm = d.months < 0 ? -d.months : 0;
    std::string num = product(ny, ns, nm);
    std::string den = product(dy, ds, dm);
    if (num.empty()) num.push_back('1');   // not `= "1"`: g++ 12 warns wrongly (-Wrestrict) once inlined
    if (den.empty()) return num;
    bool single = (dy != 0) + (ds != 0) + (dm != 0) == 1 && dy <= 1 && ds <= 1 && dm <= 1;
    return single ? fmt::format("{} per {}", num, den) : fmt::format("{} per ({})", num, den);
}

std::optional<Type> builtin_type(std::string_view base, std::string_view per) {
    auto unit = [](std::string_view w) -> std::optional<Dimension> {
        if (w == "JPY" || w == "yen") return Dimension{1, 0, 0};
        if (w == "shares" || w == "share") return Dimension{0, 1, 0};
        if (w == "months" || w == "month") return Dimension{0, 0, 1};
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

}  // namespace hoshu::eval
