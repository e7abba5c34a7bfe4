// Numbers as people read them, and the words of rounding.
#include "evaluator/numbers/number_text.hpp"

#include <catch2/catch.hpp>

using namespace hoshu::eval;

TEST_CASE("grouped_decimal rounds half up to the places asked and groups the integer digits", "[number_text]") {
    CHECK(grouped_decimal(Rational::fraction(70123456, 10000), 2) == "7,012.35");
    CHECK(grouped_decimal(Rational(1234567), 0) == "1,234,567");
    CHECK(grouped_decimal(Rational(-1234567), 2) == "-1,234,567.00");
    CHECK(grouped_decimal(Rational::fraction(1, 3), 4) == "0.3333");
    CHECK(grouped_decimal(Rational::fraction(5, 2), 0) == "3");
}

TEST_CASE("rounding modes have one set of words, read and written", "[number_text]") {
    for (RoundingMode m : {RoundingMode::down, RoundingMode::up, RoundingMode::half_up, RoundingMode::half_even}) {
        CAPTURE(to_string(m));
        REQUIRE(rounding_mode(to_string(m)));
        CHECK(*rounding_mode(to_string(m)) == m);
    }
    CHECK(std::string(to_string(RoundingMode::half_even)) == "half even");
    CHECK_FALSE(rounding_mode("sideways"));
    CHECK_FALSE(rounding_mode("half"));
}

TEST_CASE("decimal_places: the fewest decimals that write a value exactly, up to a most", "[number_text]") {
    CHECK(decimal_places(Rational(4709), 4) == 0);
    CHECK(decimal_places(Rational::fraction(5, 2), 4) == 1);
    CHECK(decimal_places(Rational::fraction(-1, 8), 4) == 3);
    CHECK(decimal_places(Rational::fraction(1, 16), 4) == 4);
    CHECK_FALSE(decimal_places(Rational::fraction(1, 32), 4));
    CHECK_FALSE(decimal_places(Rational::fraction(1, 7), 6));
    CHECK(decimal_places(Rational::fraction(1, 4), 0) == std::nullopt);
}

TEST_CASE("approximate_decimal: the places asked, more for a value they would show as 0", "[number_text]") {
    CHECK(approximate_decimal(Rational::fraction(1, 3), 6) == "0.333333");
    CHECK(approximate_decimal(Rational::fraction(300, 1627), 6) == "0.184388");
    CHECK(approximate_decimal(Rational::fraction(1, 500664645730), 6) == "0.000000000001997");
    CHECK(approximate_decimal(Rational::fraction(-1, 3000000), 6) == "-0.0000003333");
    CHECK(approximate_decimal(Rational::fraction(1, 30000), 6, 3) == "0.0000333");
    CHECK(approximate_decimal(Rational::fraction(10, 3), 4) == "3.3333");
    CHECK(approximate_decimal(Rational(0), 6) == "0.000000");
}
