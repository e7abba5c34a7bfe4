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

TEST_CASE("date: why a day written YYYY-MM-DD does not exist", "[date]") {
    CHECK(eval::Date::why_no_such_day("2025-02-29") == "2025-02-29 does not exist: 2025 is not a leap year (February has 28 days)");
    CHECK(eval::Date::why_no_such_day("2024-02-30") == "2024-02-30 does not exist: February has 29 days");
    CHECK(eval::Date::why_no_such_day("2025-04-31") == "2025-04-31 does not exist: April has 30 days");
    CHECK(eval::Date::why_no_such_day("2025-13-01") == "2025-13-01 does not exist: there is no month 13");
    CHECK(eval::Date::why_no_such_day("2025-00-10") == "2025-00-10 does not exist: there is no month 0");
    CHECK(eval::Date::why_no_such_day("2025-01-00") == "2025-01-00 does not exist: the days of a month start at 01");
    CHECK(eval::Date::why_no_such_day("0000-01-01") == "0000-01-01 does not exist: the years run from 0001 to 9999");
    CHECK(eval::Date::why_no_such_day("1900-02-29") == "1900-02-29 does not exist: 1900 is not a leap year (February has 28 days)");
    CHECK(eval::Date::why_no_such_day("2024-02-29").empty());   // a date
    CHECK(eval::Date::why_no_such_day("2025-2-28").empty());    // not written YYYY-MM-DD
    CHECK(eval::Date::why_no_such_day("2025-02-2x").empty());
}

TEST_CASE("a label ending in a year, moved by years, its digits as wide as written", "[date]") {
    using hoshu::eval::ends_in_year;
    using hoshu::eval::year_label_moved;
    CHECK(year_label_moved("FY2025", -1) == "FY2024");
    CHECK(year_label_moved("FY2024", 1) == "FY2025");
    CHECK(year_label_moved("2024", 1) == "2025");
    CHECK(year_label_moved("FY9", 1) == "FY10");
    CHECK(year_label_moved("FY09", 1) == "FY10");
    CHECK(year_label_moved("FY10", -1) == "FY09");
    CHECK(year_label_moved("FY0", -1) == std::nullopt);   // no year before year 0
    CHECK(year_label_moved("banana", 1) == std::nullopt);
    CHECK(year_label_moved("FY1234567890", 1) == std::nullopt);   // more than 9 digits
    CHECK(ends_in_year("FY0"));
    CHECK_FALSE(ends_in_year("FY"));
    CHECK_FALSE(ends_in_year("FY1234567890"));
}
