// Date arithmetic: month steps clamp to the month's end, leap years, going back, and the
// whole months between two dates (the largest n with a + n months ≤ b).
#include "evaluator/numbers/date.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace eval = hoshu::eval;

namespace {
eval::Date day(const char* text) { return *eval::Date::parse(text); }
std::string plus_months(const char* d, int n) { return day(d).plus_months(n)->to_string(); }
}  // namespace

TEST_CASE("date: month steps clamp to the month's end", "[date]") {
    CHECK(plus_months("2024-01-31", 1) == "2024-02-29");   // leap year
    CHECK(plus_months("2023-01-31", 1) == "2023-02-28");
    CHECK(plus_months("2024-03-31", -1) == "2024-02-29");
    CHECK(plus_months("2024-02-29", 12) == "2025-02-28");
    CHECK(plus_months("2024-02-29", 48) == "2028-02-29");
    CHECK(plus_months("2024-12-15", 1) == "2025-01-15");
    CHECK(plus_months("2025-01-15", -1) == "2024-12-15");
    CHECK(plus_months("2024-04-01", 36) == "2027-04-01");
    CHECK(plus_months("2024-05-31", 0) == "2024-05-31");
    CHECK_FALSE(day("9999-12-01").plus_months(1));
    CHECK_FALSE(day("0001-01-01").plus_months(-1));
}

TEST_CASE("date: whole months between two dates", "[date]") {
    CHECK(day("2024-01-01").months_until(day("2025-09-01")) == 20);   // A9: left after 2025-08-31
    CHECK(day("2024-01-01").months_until(day("2025-08-31")) == 19);
    CHECK(day("2024-01-31").months_until(day("2024-02-29")) == 1);    // 01-31 + 1 month = 02-29
    CHECK(day("2024-01-31").months_until(day("2024-02-28")) == 0);
    CHECK(day("2024-04-01").months_until(day("2024-04-01")) == 0);
    CHECK(day("2024-04-15").months_until(day("2024-03-16")) == -1);   // going back: 04-15 - 1 month ≤ 03-16
    CHECK(day("2024-04-15").months_until(day("2024-03-14")) == -2);
}

TEST_CASE("date: the end of the month", "[date]") {
    CHECK(day("2024-02-10").month_end().to_string() == "2024-02-29");
    CHECK(day("2023-02-10").month_end().to_string() == "2023-02-28");
    CHECK(day("1900-02-01").month_end().to_string() == "1900-02-28");
    CHECK(day("2000-02-01").month_end().to_string() == "2000-02-29");
    CHECK(day("2024-12-31").month_end().to_string() == "2024-12-31");
}
