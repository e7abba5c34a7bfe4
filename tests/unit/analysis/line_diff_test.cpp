// The line diff of a changed declaration: removed, added and kept lines, unchanged lines far
// from a change cut to "…".
#include "evaluator/analysis/line_diff.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

using hoshu::eval::line_diff;
using Lines = std::vector<std::string>;

TEST_CASE("line_diff: removed, added and kept lines in order", "[line_diff]") {
    auto [a, b, expected] = GENERATE(table<std::string, std::string, Lines>({
        {"a\nb\nc", "a\nb\nc", {"  a", "  b", "  c"}},               // identical: kept whole
        {"a\nb\nc", "a\nB\nc", {"  a", "- b", "+ B", "  c"}},        // the header's example
        {"b\nc", "a\nb\nc", {"+ a", "  b", "  c"}},                  // inserted at the start
        {"a\nb", "a\nb\nc", {"  a", "  b", "+ c"}},                  // inserted at the end
        {"a\nb", "", {"- a", "- b", "+"}},                           // all removed (an empty line left)
        {"", "x", {"- ", "+ x"}},
    }));
    CAPTURE(a, b);
    Lines got = line_diff(a, b);
    for (auto& l : expected) {
        while (!l.empty() && l.back() == ' ') l.pop_back();   // lines carry no trailing blanks
    }
    CHECK(got == expected);
}

TEST_CASE("line_diff: unchanged lines beyond the context are one …", "[line_diff]") {
    std::string a = "x\n", b = "X\n";
    for (int i = 0; i < 10; ++i) {
        a += "k" + std::to_string(i) + "\n";
        b += "k" + std::to_string(i) + "\n";
    }
    a += "y";
    b += "Y";
    CHECK(line_diff(a, b, 2) == Lines{"- x", "+ X", "  k0", "  k1", "…", "  k8", "  k9", "- y", "+ Y"});
    CHECK(line_diff(a, b, 0) == Lines{"- x", "+ X", "…", "- y", "+ Y"});
}
