// Source text: hidden characters, escaping for the terminal, reading files, and the
// diagnostic renderer showing hostile text escaped with the caret still in place.
#include "dsl/base/source.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/diagnostics.hpp"

namespace dsl = hoshu::dsl;

TEST_CASE("hidden characters: controls, bidirectional controls, zero-width characters", "[source]") {
    using Row = std::tuple<std::string, std::size_t, std::size_t, char32_t>;   // text, offset, length, code point
    auto [text, offset, length, cp] = GENERATE(table<std::string, std::size_t, std::size_t, char32_t>({
        Row{"ab\x1b" "c", 2, 1, 0x1B},
        Row{"x\x7f", 1, 1, 0x7F},
        Row{"x\xC2\x85y", 1, 2, 0x85},                    // C1: next line
        Row{"a\xE2\x80\xAE" "b", 1, 3, 0x202E},           // right-to-left override
        Row{"a\xE2\x81\xA6" "b", 1, 3, 0x2066},           // left-to-right isolate
        Row{"a\xE2\x81\xA9", 1, 3, 0x2069},               // pop directional isolate
        Row{"\xD8\x9C", 0, 2, 0x061C},                    // Arabic letter mark
        Row{"a\xE2\x80\x8B", 1, 3, 0x200B},               // zero width space
        Row{"a\xE2\x80\x8F", 1, 3, 0x200F},               // right-to-left mark
        Row{"a\xE2\x81\xA0", 1, 3, 0x2060},               // word joiner
        Row{"日本\xEF\xBB\xBF", 6, 3, 0xFEFF},            // zero width no-break space
        Row{"a\xE2\x80\xA8", 1, 3, 0x2028},               // line separator
        Row{"rate\xE3\x85\xA4", 4, 3, 0x3164},            // Hangul filler (a letter: it may end a name)
        Row{"a\xE1\xA0\x8E" "b", 1, 3, 0x180E},           // Mongolian vowel separator
        Row{"a\xCD\x8F" "b", 1, 2, 0x034F},               // combining grapheme joiner
        Row{"a\xC2\xAD" "b", 1, 2, 0x00AD},               // soft hyphen
        Row{"\xE8\x91\x9B\xF3\xA0\x84\x80", 3, 4, 0xE0100},   // an ideographic variation selector
        Row{"ok\xEF\xBF\xBE", 2, 3, 0xFFFE},           // noncharacters
        Row{"\xEF\xB7\x90", 0, 3, 0xFDD0},
        Row{"a\xF0\x9F\xBF\xBF", 1, 4, 0x1FFFF},
    }));
    CHECK(dsl::describe_hidden(0xFFFE) == "U+FFFE (a noncharacter)");
    auto h = dsl::find_hidden_character(text);
    REQUIRE(h);
    CHECK(h->offset == offset);
    CHECK(h->length == length);
    CHECK(h->code_point == cp);
}

TEST_CASE("hidden characters: ordinary text has none, layout only when asked", "[source]") {
    CHECK_FALSE(dsl::find_hidden_character("IIJ 取締役報酬制度 — ¥2,850 « » € ‐ ’"));
    CHECK_FALSE(dsl::find_hidden_character("ひらがな カタカナ 한국어 \xE1\x84\x80 ᠠ 🙂"));   // kana, Hangul, a jamo, Mongolian, an emoji
    CHECK_FALSE(dsl::find_hidden_character("a\tb\r\nc", 0, false));
    CHECK(dsl::find_hidden_character("a\rb\r\n", 0, false)->offset == 1);   // a carriage return ending no line
    CHECK(dsl::find_hidden_character("ab\r", 0, false)->offset == 2);
    CHECK(dsl::describe_hidden(0x0D) == "U+000D (carriage return)");
    CHECK(dsl::find_hidden_character("a\tb", 0, true)->offset == 1);
    CHECK_FALSE(dsl::find_hidden_character("bad \xFF byte \xE2\x80"));   // invalid UTF-8 is not this function's business
    CHECK(dsl::find_hidden_character("\x1b" "a\x1b", 1)->offset == 2);
    CHECK(dsl::describe_hidden(0x202E) == "U+202E (right-to-left override)");
    CHECK(dsl::describe_hidden(0x1B) == "U+001B (a control character)");
}

TEST_CASE("printable: hidden characters and invalid bytes escaped, the rest unchanged", "[source]") {
    CHECK(dsl::printable("D03") == "D03");
    CHECK(dsl::printable("取締役 ¥2,850 \\ \"q\"") == "取締役 ¥2,850 \\ \"q\"");
    CHECK(dsl::printable("a\x1b[2Jb") == "a\\x1b[2Jb");
    CHECK(dsl::printable(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(dsl::printable("a\nb\r\tc") == "a\\nb\\r\\tc");
    CHECK(dsl::printable("a\nb\r", true) == "a\nb\\r");
    CHECK(dsl::printable("user\xE2\x80\xAE" "fdp.exe") == "user\\u{202e}fdp.exe");
    CHECK(dsl::printable("x\xC2\x9By") == "x\\u{9b}y");
    CHECK(dsl::printable("caf\xE9") == "caf\\xe9");
    // Escaping twice changes nothing more.
    std::string once = dsl::printable("\x1b\xE2\x80\x8B\xFF\n");
    CHECK(dsl::printable(once) == once);
}

TEST_CASE("the diagnostic renderer escapes the message and the source line, the caret stays under the range",
          "[source][diagnostics]") {
    dsl::SourceManager sm;
    // NUL, ESC and CR inside the line, a right-to-left override in the range.
    std::string line = std::string("a\0b", 3) + "\x1b[2J\rx = \xE2\x80\xAE" "evil";
    dsl::FileId f = sm.add("p\x1b.hoshu", line + "\n");
    dsl::Diagnostics ds;
    auto begin = static_cast<std::uint32_t>(line.find("\xE2\x80\xAE"));
    ds.error(dsl::SourceRange::in(f, begin, begin + 7), "bad `{}`", "\x1b]0;title\x07");
    CHECK(dsl::render(sm, ds) ==
          "p\\x1b.hoshu:1:13: error: bad `\\x1b]0;title\\x07`\n"
          "  a\\x00b\\x1b[2J\\rx = \\u{202e}evil\n"
          "                     ^~~~~~~~~~~~\n");
}

namespace {

// valid_utf8 as it is specified, a code point at a time with no shortcut: the reference
// its ASCII fast path must agree with.
bool reference_valid_utf8(std::string_view s, std::size_t* bad) {
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len != 0 && i + len <= s.size();
        char32_t cp = c & (0x7F >> len);
        for (std::size_t k = 1; ok && k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            ok = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (ok && len > 1) ok = cp >= min_for_len[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (!ok) {
            *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

void check_like_reference(const std::string& s) {
    std::size_t bad = 12345, want_bad = 12345;
    const bool want = reference_valid_utf8(s, &want_bad);
    INFO("bytes: " << dsl::printable(s) << " (" << s.size() << ")");
    CHECK(dsl::valid_utf8(s, &bad) == want);
    if (!want) CHECK(bad == want_bad);
}

}  // namespace

TEST_CASE("valid_utf8: the ASCII fast path finds the same first bad byte as a plain decoder", "[source][utf8]") {
    const std::vector<std::string> pieces = {
        "\xC3\xA9",           // é
        "\xE2\x82\xAC",       // €
        "\xF0\x9F\x98\x80",   // an emoji
        "\xEF\xBF\xBD",       // U+FFFD written out: valid
        "\x80",               // a lone continuation byte
        "\xC3",               // a lead byte cut short
        "\xE2\x82",           // three bytes cut short
        "\xC0\xAF",           // overlong
        "\xE0\x80\xAF",       // overlong
        "\xED\xA0\x80",       // a surrogate
        "\xF4\x90\x80\x80",   // past U+10FFFF
        "\xFF",
        "\xF8\x88\x80\x80\x80",
        "\x7F",
        std::string(1, '\0'),
    };
    // Each piece after 0..19 ASCII bytes (every place in and across 8-byte words), then
    // followed by ASCII or by the end of the text.
    for (const auto& piece : pieces) {
        for (std::size_t before = 0; before < 20; ++before) {
            const std::string head(before, 'a');
            check_like_reference(head + piece);
            check_like_reference(head + piece + "bcdefghijklmnop");
            check_like_reference(head + piece + piece);
            check_like_reference(head + piece.substr(0, piece.size() / 2 + 1) + "12345678");
        }
    }
    for (std::size_t n = 0; n < 40; ++n) check_like_reference(std::string(n, 'x'));

    // Random mixtures of ASCII runs and the pieces, fixed seed.
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (int round = 0; round < 3000; ++round) {
        std::string s;
        const int parts = static_cast<int>(next() % 6);
        for (int p = 0; p < parts; ++p) {
            s += std::string(next() % 17, static_cast<char>('A' + next() % 26));
            if (next() % 3 != 0) s += pieces[next() % pieces.size()];
        }
        check_like_reference(s);
    }
}

TEST_CASE("SourceManager::replace: a row's text, lines and path, buffers reused", "[source]") {
    dsl::SourceManager sm;
    const auto id = sm.add("s.csv", "a,b\n", 100);
    CHECK(sm.file(id).line_col(2).line == 100);
    CHECK(sm.file(id).line_col(2).column == 3);
    sm.replace(id, "c,\"d\ne\"\nf", 7);
    CHECK(sm.file(id).path() == "s.csv");
    CHECK(sm.file(id).text() == "c,\"d\ne\"\nf");
    CHECK(sm.file(id).line_count() == 3);
    CHECK(sm.file(id).first_line() == 7);
    CHECK(sm.file(id).line_col(5).line == 8);
    CHECK(sm.file(id).line_text(9) == "f");
    sm.replace(id, "x", 0);   // first_line is at least 1
    CHECK(sm.file(id).line_count() == 1);
    CHECK(sm.file(id).first_line() == 1);
    CHECK(sm.file(id).line_text(1) == "x");
    CHECK(sm.file(id).line_text(2).empty());
}

TEST_CASE("a leading byte order mark is no part of line 1: columns count after it, its text leaves it out",
          "[source]") {
    dsl::SourceManager sm;
    const auto id = sm.add("p.hoshu", "\xEF\xBB\xBFplan \"t\"\nx");
    const auto& f = sm.file(id);
    CHECK(f.text().size() == 13);   // the bytes stay as they are
    CHECK(f.line_text(1) == "plan \"t\"");
    CHECK(f.line_col(3).column == 1);   // `p`
    CHECK(f.line_col(8).column == 6);   // `"`
    CHECK(f.line_col(0).column == 1);   // inside the mark
    CHECK(f.line_col(0).line == 1);
    CHECK(f.offset_of({1, 1}) == 3);
    CHECK(f.offset_of({1, 6}) == 8);
    CHECK(f.line_col(12).line == 2);   // `x`
    CHECK(f.line_col(12).column == 1);
    // Past the start of a file (a fragment from line 2 on), U+FEFF is a character of the line.
    const auto frag = sm.add("s.csv", "\xEF\xBB\xBF" "a\n", 2);
    CHECK(sm.file(frag).line_text(2) == "\xEF\xBB\xBF" "a");
    CHECK(sm.file(frag).line_col(3).column == 2);
}

TEST_CASE("edit_distance: the Levenshtein distance up to its cap, any greater one as cap + 1", "[diagnostics]") {
    // Against the whole table, on random words of a small alphabet (so that they are near).
    auto full = [](std::string_view a, std::string_view b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i)
            for (std::size_t j = 1; j <= b.size(); ++j)
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        return d[a.size()][b.size()];
    };
    std::uint64_t state = 20261207;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::size_t>(state >> 33);
    };
    for (int round = 0; round < 3000; ++round) {
        std::string a, b;
        const std::size_t na = next() % 9, nb = next() % 9;
        for (std::size_t i = 0; i < na; ++i) a += static_cast<char>('a' + next() % 3);
        for (std::size_t i = 0; i < nb; ++i) b += static_cast<char>('a' + next() % 3);
        const std::size_t cap = next() % 5;
        const std::size_t want = std::min(full(a, b), cap + 1);
        INFO(a << " / " << b << " cap " << cap);
        CHECK(dsl::edit_distance(a, b, cap) == want);
    }
    CHECK(dsl::edit_distance("divison_score", "division_score") == 1);
    CHECK(dsl::edit_distance("", "abc") == 3);
    CHECK(dsl::edit_distance("", "abcd") == 4);   // (the cap, 3, plus one)
    // A long name against another: the band, not the whole table (80,000² cells would not end
    // in the time the suite allows).
    const std::string long_name(80000, 'a');
    CHECK(dsl::edit_distance(long_name, long_name.substr(1)) == 1);
    CHECK(dsl::edit_distance(long_name, std::string(80000, 'b')) == 4);
}
