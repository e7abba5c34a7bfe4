// The words of the language (keywords.hpp): every word is reserved, the parser resumes at
// every declaration word, the hint lists them, the rules diff orders its kinds by them.
#include "dsl/syntax/keywords.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "dsl/syntax/parse.hpp"
#include "dsl/syntax/print.hpp"

namespace dsl = hoshu::dsl;

namespace {

/// One declaration that parses, for each word that starts one.
const std::map<std::string, std::string> example_of = {
    {"plan", "plan \"P\""},
    {"import", "import \"../common\""},
    {"per", "per director\nend"},   // a block is closed (an unclosed one is a syntax error)
    {"end", "end"},                  // inside a block (a stray `end` is a syntax error)
    {"unit", "unit USD currency \"$\" minor 0.01"},
    {"type", "type role = executive | outside"},
    {"param", "param p: ratio = 1"},
    {"input", "input i: JPY at i"},
    {"info", "info t: text at title"},
    {"series", "series s: JPY per share at prices(date, close)"},
    {"collection", "collection directors: director at directors key id"},
    {"value", "value v: ratio = 1"},
    {"output", "output o: ratio = 1"},
    {"table", "table t(a: ratio) -> ratio\n  below 1 -> 0"},
    {"limit", "limit l: a <= b"},
    {"require", "require r: a"},
    {"test", "test \"t\" inputs \"in.toml\"\n  expect a = 1"},
    {"carry", "carry ledger\n  for each grant:\n    shares = granted"},
};

}  // namespace

TEST_CASE("keywords: every word is reserved: no definition may be named so", "[keywords]") {
    std::vector<std::string_view> words;
    for (const auto& w : dsl::declaration_words) words.push_back(w.word);
    for (auto w : dsl::other_reserved_words) words.push_back(w);
    for (auto w : words) {
        CAPTURE(w);
        std::string errors;
        dsl::print_declarations("value " + std::string(w) + ": ratio = 1\n", errors);
        CHECK_FALSE(errors.empty());
    }
    // Not a keyword: any other name.
    std::string errors;
    dsl::print_declarations("value planned: ratio = 1\n", errors);
    CHECK(errors.empty());
}

TEST_CASE("keywords: a reserved word used as a name is named in the error", "[keywords]") {
    auto [text, expected] = GENERATE(table<std::string, std::string>({
        {"value from: ratio = 1\n", "`from` is a reserved word; choose another name"},
        {"param carry: ratio = 1\n", "`carry` is a reserved word; choose another name"},
        {"type position = end | 会長\n", "`end` is a reserved word; choose another name"},
        {"input unit: JPY at pay\n", "`unit` is a reserved word; choose another name"},
    }));
    CAPTURE(text);
    std::string errors;
    dsl::print_declarations(text, errors);
    CHECK(errors.find(expected) != std::string::npos);
}

TEST_CASE("keywords: names and members in any script, symbols and operators are not letters", "[keywords]") {
    std::string errors;
    std::string tree = dsl::print_declarations(
        "type position = 会長 | 社長 | 副社長 | Präsident | président | председатель\n"
        "value 基本ポイント: ratio = 1\n"
        "value ok: boolean = position is 会長\n",
        errors);
    CHECK(errors == "");
    CHECK(tree.find("会長 社長 副社長 Präsident président председатель") != std::string::npos);
    CHECK(tree.find("基本ポイント") != std::string::npos);
    for (const char* bad : {"value a€: ratio = 1\n", "value a≤b: ratio = 1\n", "value a\u200bb: ratio = 1\n",
                            "value ¥a: ratio = 1\n", "value a・b: ratio = 1\n", "value a→b: ratio = 1\n"}) {
        CAPTURE(bad);
        std::string e;
        dsl::print_declarations(bad, e);
        CHECK_FALSE(e.empty());
    }
}

TEST_CASE("keywords: docs/LANGUAGE.md lists exactly the reserved words", "[keywords]") {
    std::ifstream in(std::string(HOSHU_SOURCE_DIR) + "/docs/LANGUAGE.md", std::ios::binary);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    const std::string open = "<!-- reserved words: generated from dsl/syntax/keywords.hpp -->";
    auto begin = doc.find(open);
    REQUIRE(begin != std::string::npos);
    begin += open.size();
    auto end = doc.find("<!-- end of reserved words -->", begin);
    REQUIRE(end != std::string::npos);
    std::set<std::string> listed;
    std::string body = doc.substr(begin, end - begin);
    for (std::size_t i = body.find('`'); i != std::string::npos; i = body.find('`', i)) {
        auto close = body.find('`', i + 1);
        REQUIRE(close != std::string::npos);
        listed.insert(body.substr(i + 1, close - i - 1));
        i = close + 1;
    }
    std::set<std::string> reserved;
    for (const auto& w : dsl::declaration_words) reserved.insert(std::string(w.word));
    for (auto w : dsl::other_reserved_words) reserved.insert(std::string(w));
    CHECK(listed == reserved);
}

TEST_CASE("keywords: after a syntax error, the parser resumes at a line starting with any declaration word",
          "[keywords]") {
    REQUIRE(example_of.size() == std::size(dsl::declaration_words));
    for (const auto& w : dsl::declaration_words) {
        CAPTURE(w.word);
        REQUIRE(example_of.count(std::string(w.word)));
        const std::string example = example_of.at(std::string(w.word));
        const std::string opening = w.word == std::string_view("end") ? "per director\n" : "";
        std::string alone_errors;
        const std::string alone = dsl::print_declarations(opening + example + "\n", alone_errors);
        REQUIRE(alone_errors.empty());
        std::string errors;
        const std::string after =
            dsl::print_declarations(opening + "value a: JPY = b *\n" + example + "\n", errors);
        CHECK(after == alone);   // the declaration after the error is parsed, whole
        CHECK(errors.find("expected operand") != std::string::npos);
        CHECK(dsl::starts_declaration(w.word));
    }
    CHECK_FALSE(dsl::starts_declaration("source"));
    CHECK_FALSE(dsl::starts_declaration("director"));
}

TEST_CASE("keywords: the hint lists the declaration words in one order", "[keywords]") {
    CHECK(std::string(dsl::declaration_keywords()) ==
          "plan, import, per RECORD, end, unit, type, param, input, info, series, "
          "collection, value, output, table, limit, require, test, carry");
}

TEST_CASE("keywords: the rules diff lists kinds in this order", "[keywords]") {
    const char* order[] = {"plan", "import", "type",  "collection", "series",  "param", "input",
                           "info", "value",  "output", "table",     "limit", "require", "test"};
    for (std::size_t i = 0; i + 1 < std::size(order); ++i) {
        CAPTURE(order[i], order[i + 1]);
        CHECK(dsl::declaration_rank(order[i]) < dsl::declaration_rank(order[i + 1]));
    }
    CHECK(dsl::declaration_rank("no such kind") > dsl::declaration_rank("test"));
}
