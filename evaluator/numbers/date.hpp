// Date: a calendar day (proleptic Gregorian), stored as days since 1970-01-01.
//
//   auto d = Date::from_ymd(2024, 4, 1);   // std::optional<Date>
//   d->to_string();                        // "2024-04-01"
//   Date::parse("2024-01-31")->plus_months(1)->to_string()   // "2024-02-29"
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hoshu::eval {

struct Date {
    std::int32_t days = 0;   // since 1970-01-01

    /// nullopt when the day does not exist (2025-02-29, month 13, …).
    static std::optional<Date> from_ymd(int year, int month, int day);
    /// "YYYY-MM-DD" exactly; nullopt otherwise.
    static std::optional<Date> parse(std::string_view text);
    /// For text written YYYY-MM-DD that parse() refuses, why no such day exists:
    /// "2025-02-29 does not exist: 2025 is not a leap year (February has 28 days)",
    /// "2025-04-31 does not exist: April has 30 days", "2025-13-01 does not exist: there is no
    /// month 13". Empty for a date parse() reads, and for text not written YYYY-MM-DD.
    static std::string why_no_such_day(std::string_view text);
    void to_ymd(int& year, int& month, int& day) const;
    int year() const;
    int month() const;
    std::string to_string() const;
    /// Months from this date's month to other's month, both counted: 2024-04 .. 2024-06 is 3.
    int months_inclusive(Date other) const;
    /// This date `n` months later (earlier when negative), the day clamped to the month's
    /// end: 2024-01-31 + 1 month is 2024-02-29. nullopt outside years 1–9999.
    std::optional<Date> plus_months(std::int64_t n) const;
    /// Whole months from this date to other: the largest n with this + n months ≤ other
    /// (negative when other is earlier). 2024-01-31 to 2024-02-29 is 1.
    std::int64_t months_until(Date other) const;
    /// The last day of this date's month.
    Date month_end() const;

    friend auto operator<=>(Date, Date) = default;
};

/// A label ending in a year ("FY2025", "2024") with that year moved by `by`, its digits as
/// wide as written ("FY2024" for "FY2025" and -1, "FY10" for "FY9" and +1); nullopt when the
/// label does not end in 1 to 9 digits, or the year would fall below 0.
std::optional<std::string> year_label_moved(std::string_view label, long by);
/// Whether `label` ends in a year as year_label_moved() reads one (1 to 9 digits).
bool ends_in_year(std::string_view label);

}  // namespace hoshu::eval
