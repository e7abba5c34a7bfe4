#include "evaluator/numbers/date.hpp"

#include <fmt/format.h>

namespace hoshu::eval {

namespace {
// Howard Hinnant's days_from_civil / civil_from_days.
std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(std::int32_t z, int& y, int& m, int& d) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(yoe) + era * 400 + (m <= 2);
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
}  // namespace

std::optional<Date> Date::from_ymd(int year, int month, int day) {
    static constexpr int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return std::nullopt;
    int max = mdays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
    if (day > max) return std::nullopt;
    return Date{days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))};
}

std::optional<Date> Date::parse(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len, int& out) {
        out = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    int y = 0, m = 0, d = 0;
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
    return from_ymd(y, m, d);
}

std::string Date::why_no_such_day(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || parse(s)) return {};
    int y = 0, m = 0, d = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        if (i == 4 || i == 7) continue;
        if (s[i] < '0' || s[i] > '9') return {};
        int& part = i < 4 ? y : i < 7 ? m : d;
        part = part * 10 + (s[i] - '0');
    }
    static constexpr const char* names[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
    static constexpr int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    std::string why;
    if (y < 1) why = "the years run from 0001 to 9999";
    else if (m < 1 || m > 12) why = fmt::format("there is no month {}", m);
    else if (d < 1) why = "the days of a month start at 01";
    else if (m == 2 && d == 29) why = fmt::format("{} is not a leap year (February has 28 days)", y);
    else why = fmt::format("{} has {} days", names[m - 1], mdays[m - 1] + (m == 2 && leap(y) ? 1 : 0));
    return fmt::format("{} does not exist: {}", s, why);
}

void Date::to_ymd(int& year, int& month, int& day) const { civil_from_days(days, year, month, day); }

int Date::year() const { int y, m, d; to_ymd(y, m, d); return y; }
int Date::month() const { int y, m, d; to_ymd(y, m, d); return m; }

std::string Date::to_string() const {
    int y, m, d;
    to_ymd(y, m, d);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::optional<Date> Date::plus_months(std::int64_t n) const {
    static constexpr int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    to_ymd(y, m, d);
    std::int64_t total = static_cast<std::int64_t>(y) * 12 + (m - 1) + n;
    if (total < 12 || total >= 10000 * 12) return std::nullopt;
    int ny = static_cast<int>(total / 12), nm = static_cast<int>(total % 12) + 1;
    int max = mdays[nm - 1] + (nm == 2 && leap(ny) ? 1 : 0);
    return from_ymd(ny, nm, d < max ? d : max);
}

std::int64_t Date::months_until(Date other) const {
    // Start from the difference of the months and step to the largest n that fits.
    int y1, m1, d1, y2, m2, d2;
    to_ymd(y1, m1, d1);
    other.to_ymd(y2, m2, d2);
    std::int64_t n = (static_cast<std::int64_t>(y2) - y1) * 12 + (m2 - m1) + 1;
    auto fits = [&](std::int64_t k) {
        auto moved = plus_months(k);
        return moved && *moved <= other;
    };
    while (!fits(n) && n > -120000) --n;
    return n;
}

Date Date::month_end() const {
    int y, m, d;
    to_ymd(y, m, d);
    static constexpr int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return *from_ymd(y, m, mdays[m - 1] + (m == 2 && leap(y) ? 1 : 0));
}

int Date::months_inclusive(Date other) const {
    return (other.year() - year()) * 12 + (other.month() - month()) + 1;
}

namespace {

/// Where the year's digits begin in `label`: as many as end it.
std::size_t year_start(std::string_view label) {
    std::size_t start = label.size();
    while (start > 0 && label[start - 1] >= '0' && label[start - 1] <= '9') --start;
    return start;
}

}  // namespace

bool ends_in_year(std::string_view label) {
    const std::size_t digits = label.size() - year_start(label);
    return digits > 0 && digits <= 9;
}

std::optional<std::string> year_label_moved(std::string_view label, long by) {
    if (!ends_in_year(label)) return std::nullopt;
    const std::size_t start = year_start(label);
    const std::string_view digits = label.substr(start);
    const long year = std::stol(std::string(digits)) + by;
    if (year < 0) return std::nullopt;
    return std::string(label.substr(0, start)) + fmt::format("{:0{}}", year, digits.size());
}

}  // namespace hoshu::eval
