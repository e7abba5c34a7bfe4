#include "dsl/base/text.hpp"

#include <array>

namespace hoshu {

std::string group_digits(std::string_view s) {
    std::string sign;
    if (!s.empty() && s[0] == '-') {
        sign = "-";
        s.remove_prefix(1);
    }
    std::string_view fraction;
    if (auto dot = s.find('.'); dot != std::string_view::npos) {
        fraction = s.substr(dot);
        s = s.substr(0, dot);
    }
    std::string out;
    std::size_t n = s.size();
    for (std::size_t i = 0; i < n; ++i) {
        out += s[i];
        std::size_t left = n - i - 1;
        if (left > 0 && left % 3 == 0) out += ',';
    }
    return sign + out + std::string(fraction);
}

std::string csv_field(std::string_view s) {
    std::string out;
    append_csv_field(out, s);
    return out;
}

namespace {

/// Whether `s` is a number as hoshu writes and reads them: a sign, digits (with `_`), a
/// decimal part, an exponent, `%`, a denominator ("-12", "-1.5", "-8712/10385", "-1e3").
bool numeral(std::string_view s) {
    std::size_t i = 0;
    auto digits = [&]() {
        const std::size_t from = i;
        auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
        while (digit(i) || (i > from && i < s.size() && s[i] == '_' && digit(i + 1))) ++i;
        return i > from;
    };
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        if (!digits()) return false;
    }
    if (i < s.size() && s[i] == '%') ++i;
    if (i < s.size() && s[i] == '/' && (++i, !digits())) return false;
    return i == s.size();
}

}  // namespace

void append_csv_field(std::string& out, std::string_view s) {
    // A text a spreadsheet would take for a formula (`=HYPERLINK(…)`, `+1+1`, `@SUM(…)`,
    // or after a tab or CR) starts with a `'`, which shows it as text; a number stays a number.
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') &&
        !numeral(s)) {
        std::string guarded = "'";
        guarded.append(s);
        return append_csv_field(out, guarded);
    }
    static constexpr auto special = [] {
        std::array<bool, 256> t{};
        t[','] = t['"'] = t['\r'] = t['\n'] = true;
        return t;
    }();
    bool plain = true;
    for (char c : s) {
        if (special[static_cast<unsigned char>(c)]) {
            plain = false;
            break;
        }
    }
    if (plain) {
        out.append(s);
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

std::string collapse_blanks(std::string_view text) {
    std::string out;
    bool blank = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            blank = !out.empty();
        } else {
            if (blank) out += ' ';
            blank = false;
            out += c;
        }
    }
    return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += separator;
        out += s;
    }
    return out;
}

}  // namespace hoshu
