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

void append_csv_field(std::string& out, std::string_view s) {
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
