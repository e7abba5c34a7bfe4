// Types with units. A number's type is a dimension over three base units — yen, shares
// and months — so `JPY / (JPY per share)` is shares and `JPY per month × months` is JPY.
// Dimensionless numbers are ratios (shown as `ratio`, `percent` or `count` as declared).
//
//   Type jpy = Type::number({1, 0, 0});
//   Type price = Type::number({1, -1, 0});        // "JPY per share"
//   divide(jpy, price) == Type::number({0, 1, 0}) // shares
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hoshu::eval {

struct Dimension {
    std::int8_t yen = 0;
    std::int8_t shares = 0;
    std::int8_t months = 0;
    friend bool operator==(Dimension, Dimension) = default;
};

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
std::string type_name(const Type& t, std::string_view choice_name = {});

/// A unit or type word as written in a rule file (`JPY`, `shares`, `months`, `percent`, …),
/// with an optional `per` word. nullopt when the words are not a built-in type.
std::optional<Type> builtin_type(std::string_view base, std::string_view per);

}  // namespace hoshu::eval
