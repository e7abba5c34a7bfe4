// The depth of a TOML text, measured before toml++ sees it.
#include "evaluator/run/toml_depth.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/run/inputs.hpp"

namespace eval = hoshu::eval;

namespace {
std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}
}  // namespace

TEST_CASE("toml depth: exactly at the limit passes, one more is located", "[inputs][depth]") {
    using Row = std::tuple<std::string, std::size_t, std::optional<std::size_t>>;   // text, limit, offset
    auto [text, limit, offset] = GENERATE(table<std::string, std::size_t, std::optional<std::size_t>>({
        Row{"a = 1\n", 1, std::nullopt},
        Row{"a.b = 1\n", 1, 2},                                  // the second part of the key
        Row{"a.b.c = 1\n", 3, std::nullopt},
        Row{"a . \"b.c\" . 'd' = 1\n", 2, 12},                   // quoted parts count one each
        Row{"[x.y]\na = 1\n", 2, 6},                             // under a header
        Row{"[[x]]\na = 1\n", 2, 6},                             // an array of tables is one more
        Row{"[[x]]\na = 1\n", 3, std::nullopt},
        Row{"a = [[1]]\n", 3, std::nullopt},
        Row{"a = [[[1]]]\n", 3, 6},                              // the third bracket
        Row{"a = {b = {c = 1}}\n", 3, std::nullopt},
        Row{"a = {b.c = {d = 1}}\n", 3, 11},
        Row{"a = [\n  1.5, 2.5, # [[[[\n  [3.5],\n]\n", 3, std::nullopt},   // floats and comments are no keys
        Row{"a = \"[[[[ a.b.c.d\"\nb = '''\n{{{{\n'''\n", 1, std::nullopt},
        Row{"a = [ {b.c = 1}, {d = [1]} ]\n", 4, std::nullopt},
        Row{"a = [ {b.c = 1}, {d = [[1]]} ]\n", 4, 23},
        Row{"[a.b\nc.d.e = 1\n", 2, 5},                         // broken TOML: still measured, never stuck
        Row{"= = = [ } ] {\n\"unclosed\n", 1, std::nullopt},
    }));
    CAPTURE(text, limit);
    CHECK(eval::toml_too_deep(text, limit) == offset);
}

TEST_CASE("toml depth: two million dotted parts are an error before toml++ parses", "[inputs][depth]") {
    std::string text = "a" + repeat(".a", 2'000'000) + " = 1\n";
    hoshu::dsl::SourceManager sm;
    auto in = eval::InputFile::parse(sm, "deep.toml", std::move(text));
    REQUIRE_FALSE(in);
    std::string shown = hoshu::dsl::render(sm, in.error());
    CHECK(shown.starts_with("deep.toml:1:129: error: the TOML nests more than 64 levels deep here"));
    // A million nested arrays, and a hundred thousand nested inline tables.
    hoshu::dsl::SourceManager sm2;
    CHECK_FALSE(eval::InputFile::parse(sm2, "a.toml", "a = " + repeat("[", 1'000'000) + repeat("]", 1'000'000)));
    CHECK_FALSE(eval::InputFile::parse(sm2, "b.toml", "a = " + repeat("{b=", 100'000) + "1" + repeat("}", 100'000)));
    // The IIJ inputs go nowhere near the limit.
    CHECK(eval::InputFile::load(sm2, std::string(HOSHU_SOURCE_DIR) + "/examples/iij/fy2024.toml"));
}
