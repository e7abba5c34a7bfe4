// Numbers as people read them, and the words of rounding: written once for every report
// and message.
//
//   grouped_decimal(Rational::fraction(70123456, 10000), 2)   // "7,012.35"
//   approximate_decimal(Rational::fraction(1, 3000000), 6)    // "0.0000003333"
//   to_string(RoundingMode::half_up)                          // "half up"
//   rounding_mode("half even")                                // RoundingMode::half_even
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

/// `r` rounded half-up to `places` decimals, its integer digits grouped by three.
std::string grouped_decimal(const Rational& r, int places);

/// `r` to `places` decimals, or to more where those would show fewer than `digits`
/// significant digits, so that a small value is not shown as 0: what follows "≈" after a
/// fraction no decimal ends. approximate_decimal(1/3, 6) is "0.333333",
/// approximate_decimal(1/500664645730, 6) "0.000000000001997".
std::string approximate_decimal(const Rational& r, int places, int digits = 4);

/// The fewest decimals, at most `most`, that write `r` exactly: decimal_places(5/2, 4) is
/// 1, decimal_places(1/7, 4) none.
std::optional<int> decimal_places(const Rational& r, int most);

/// The words a rule file writes a rounding mode with: "down", "up", "half up", "half even".
const char* to_string(RoundingMode mode);
/// The rounding mode those words name, if they name one.
std::optional<RoundingMode> rounding_mode(std::string_view words);

}  // namespace hoshu::eval
