// Source text: hidden characters, escaping for the terminal, reading files, and the
// diagnostic renderer showing hostile text escaped with the caret still in place.
#include "dsl/base/source.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

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
    }));
    auto h = dsl::find_hidden_character(text);
    REQUIRE(h);
    CHECK(h->offset == offset);
    CHECK(h->length == length);
    CHECK(h->code_point == cp);
}

TEST_CASE("hidden characters: ordinary text has none; layout only when asked", "[source]") {
    CHECK_FALSE(dsl::find_hidden_character("IIJ 取締役報酬制度 — ¥2,850 « » € ‐ ’"));
    CHECK_FALSE(dsl::find_hidden_character("a\tb\r\nc", 0, false));
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
