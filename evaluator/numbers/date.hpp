// Date: a calendar day (proleptic Gregorian), stored as days since 1970-01-01.
//
//   auto d = Date::from_ymd(2024, 4, 1);   // std::optional<Date>
//   d->to_string();                        // "2024-04-01"
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
    void to_ymd(int& year, int& month, int& day) const;
    int year() const;
    int month() const;
    std::string to_string() const;
    /// Months from this date's month to other's month, both counted: 2024-04 .. 2024-06 is 3.
    int months_inclusive(Date other) const;

    friend auto operator<=>(Date, Date) = default;
};

}  // namespace hoshu::eval
