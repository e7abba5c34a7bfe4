// Which characters a name may hold. Names and choice members may use letters of any
// script, decoded from UTF-8; without a Unicode database the rule is an approximation,
// written once here and in docs/LANGUAGE.md ("Names"):
//
// - a name starts with an ASCII letter, `_`, or a non-ASCII letter, and goes on with those,
//   ASCII digits and combining marks;
// - a non-ASCII code point is a letter unless it lies in a block of punctuation, symbols,
//   spaces or invisible characters: Latin-1 punctuation and signs (except ª µ º), × ÷,
//   U+2000–U+2BFF (general punctuation, bidi and zero-width marks, currency signs such as
//   € and £, arrows, mathematical operators such as ≤ ≥ ≠, shapes, dingbats),
//   U+2E00–U+2E7F, CJK punctuation U+3000–U+3004 and U+3008–U+303F, the katakana middle
//   dot ・, variation selectors, U+FE10–U+FE6F, the BOM, full-width punctuation and signs
//   (U+FF01–U+FF0F, U+FF1A–U+FF20, U+FF3B–U+FF40, U+FF5B–U+FF65, U+FFE0–U+FFFF, ￥ among
//   them), surrogates, private use areas, emoji and symbol planes (U+1F000–U+1FAFF), tags.
//
//   name_char_length("会長", 0, 6, true)   // 3: 会 is a letter
//   name_char_length("≤ 1", 0, 5, true)    // 0: ≤ is an operator
#pragma once

#include <cstddef>
#include <cstdint>

namespace hoshu::dsl {

/// The code point at `s[i]` (of `n` bytes) and its length in bytes; length 0 when the
/// bytes there are not well-formed UTF-8.
inline std::size_t decode_utf8(const char* s, std::size_t i, std::size_t n, char32_t& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (i >= n) return 0;
    unsigned char c = b(0);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n) return 0;
    cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3F);
    }
    return len;
}

/// Whether a code point of U+0080 and above counts as a letter of a name (see above).
constexpr bool non_ascii_letter(char32_t c) {
    if (c < 0x80) return false;
    if (c <= 0xBF) return c == 0xAA || c == 0xB5 || c == 0xBA;
    if (c == 0xD7 || c == 0xF7) return false;
    if (c >= 0x0300 && c <= 0x036F) return false;   // combining marks: not first (see name_mark)
    if (c >= 0x2000 && c <= 0x2BFF) return false;
    if (c >= 0x2E00 && c <= 0x2E7F) return false;
    if (c >= 0x3000 && c <= 0x3004) return false;
    if (c >= 0x3008 && c <= 0x303F) return false;
    if (c == 0x30FB) return false;
    if (c >= 0xD800 && c <= 0xF8FF) return false;   // surrogates, private use
    if (c >= 0xFE00 && c <= 0xFE0F) return false;
    if (c >= 0xFE10 && c <= 0xFE6F) return false;
    if (c == 0xFEFF) return false;
    if (c >= 0xFF01 && c <= 0xFF0F) return false;
    if (c >= 0xFF1A && c <= 0xFF20) return false;
    if (c >= 0xFF3B && c <= 0xFF40) return false;
    if (c >= 0xFF5B && c <= 0xFF65) return false;
    if (c >= 0xFFE0 && c <= 0xFFFF) return false;
    if (c >= 0x1F000 && c <= 0x1FAFF) return false;
    if (c >= 0xE0000) return false;   // tags, variation selectors, private use planes
    return true;
}

/// Combining marks may follow a letter (é written as e + U+0301).
constexpr bool name_mark(char32_t c) { return c >= 0x0300 && c <= 0x036F; }

/// The length in bytes of the name character at `s[i]`: an ASCII letter, digit (when not
/// `first`) or `_`, or a non-ASCII letter (a combining mark when not `first`); 0 if none.
inline std::size_t name_char_length(const char* s, std::size_t i, std::size_t n, bool first) {
    if (i >= n) return 0;
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        return letter || (!first && c >= '0' && c <= '9') ? 1 : 0;
    }
    char32_t cp = 0;
    std::size_t len = decode_utf8(s, i, n, cp);
    if (len == 0) return 0;
    return non_ascii_letter(cp) || (!first && name_mark(cp)) ? len : 0;
}

}  // namespace hoshu::dsl
