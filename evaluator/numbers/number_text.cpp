#include "evaluator/numbers/number_text.hpp"

#include "dsl/base/text.hpp"

namespace hoshu::eval {

std::string grouped_decimal(const Rational& r, int places) { return group_digits(r.to_decimal(places)); }

std::string approximate_decimal(const Rational& r, int places, int digits) {
    if (r.is_zero()) return r.to_decimal(places);
    Rational least(1);   // 10^(digits - 1): |r| × 10^places at least this shows `digits` digits
    for (int i = 1; i < digits; ++i) least = least * Rational(10);
    Rational scaled = r.abs();
    for (int i = 0; i < places; ++i) scaled = scaled * Rational(10);
    for (; scaled < least; scaled = scaled * Rational(10)) ++places;
    return r.to_decimal(places);
}

std::optional<int> decimal_places(const Rational& r, int most) {
    Rational x = r;
    for (int places = 0; places <= most; ++places) {
        if (x.is_integer()) return places;
        if (places < most) x = x * Rational(10);
    }
    return std::nullopt;
}

const char* to_string(RoundingMode mode) {
    switch (mode) {
        case RoundingMode::down: return "down";
        case RoundingMode::up: return "up";
        case RoundingMode::half_up: return "half up";
        case RoundingMode::half_even: return "half even";
    }
    return "down";
}

std::optional<RoundingMode> rounding_mode(std::string_view words) {
    for (RoundingMode m : {RoundingMode::down, RoundingMode::up, RoundingMode::half_up, RoundingMode::half_even}) {
        if (words == to_string(m)) return m;
    }
    return std::nullopt;
}

}  // namespace hoshu::eval
