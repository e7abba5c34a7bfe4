// Verifying a result: JSON read exactly (numbers as written, duplicate keys refused,
// nothing of the text quoted), the seal's fields checked, every value compared exactly;
// the seal listing as sha256sum prints it.
#include "evaluator/output/verify.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <tuple>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/run/inputs.hpp"

namespace dsl = hoshu::dsl;
namespace eval = hoshu::eval;
using eval::JsonValue;

namespace {

std::string error_of(const hoshu::Result<JsonValue>& r) {
    REQUIRE_FALSE(r.ok());
    return r.error().items().front().message;
}

std::string error_of(const hoshu::Result<eval::RecordedResult>& r) {
    REQUIRE_FALSE(r.ok());
    return r.error().items().front().message;
}

/// The shipped plan evaluated on the FY2024 example, and its JSON result as hoshu writes it.
struct Evaluated {
    dsl::SourceManager sm;
    std::optional<eval::Plan> plan;
    std::optional<eval::InputFile> inputs;
    std::optional<eval::Outcome> outcome;
    std::optional<eval::Seal> seal;
    std::string year;
    std::string json;
};

Evaluated& fy2024() {
    static Evaluated e = [] {
        Evaluated x;
        dsl::Diagnostics diags;
        std::string dir = std::string(HOSHU_SOURCE_DIR) + "/rules/iij";
        x.plan = eval::load_plan(x.sm, dir, diags);
        auto in = eval::InputFile::load(x.sm, std::string(HOSHU_SOURCE_DIR) + "/examples/iij/fy2024.toml");
        x.inputs.emplace(std::move(*in));
        auto outcome = eval::evaluate(*x.plan, *x.inputs, {});
        x.outcome.emplace(std::move(*outcome));
        auto seal = eval::make_seal(*x.plan, x.sm, dir, *x.inputs, {});
        x.seal.emplace(std::move(*seal));
        x.year = eval::fiscal_year(*x.plan, *x.outcome, *x.inputs, {});
        x.json = eval::format_json(*x.plan, *x.outcome, *x.seal, x.year);
        return x;
    }();
    REQUIRE(e.plan);
    return e;
}

std::vector<std::string> differences(const std::string& json) {
    auto& e = fy2024();
    auto recorded = eval::read_result(json);
    if (!recorded) FAIL(recorded.error().items().front().message);
    return eval::result_differences(*recorded, *e.plan, *e.outcome, *e.seal, e.year);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("JSON numbers keep the text they are written with", "[verify]") {
    auto v = eval::read_json_exact(R"({"a": 10000000000000001, "b": 1e16, "c": 4846.0000000000001, "d": -7,
                                        "e": 18446744073709551616, "f": "x", "g": [true, null]})");
    REQUIRE(v.ok());
    CHECK(v->find("a")->text == "10000000000000001");
    CHECK(v->find("b")->text == "1e16");
    CHECK(v->find("c")->text == "4846.0000000000001");
    CHECK(v->find("d")->text == "-7");
    CHECK(v->find("e")->text == "18446744073709551616");
    CHECK(v->find("f")->kind == JsonValue::Kind::string);
    CHECK(eval::json_text(*v->find("g")) == "[true, null]");
}

TEST_CASE("a key written twice is refused at any depth", "[verify]") {
    using Case = std::tuple<std::string, std::string>;
    auto [json, message] = GENERATE(table<std::string, std::string>({
        Case{R"({"a": 1, "a": 2})", R"(the key "a" is written twice in the top-level object)"},
        Case{R"({"d": [{"x": 1}, {"y": 1, "y": 1}]})", R"(the key "y" is written twice in d[1])"},
        Case{R"({"s": {"f": [{"p": {"odd key": 1, "odd key": 2}}]}})", R"(the key "odd key" is written twice in s.f[0].p)"},
        Case{R"({"we ird": {"k": 1, "k": 1}})", R"(the key "k" is written twice in ["we ird"])"},
    }));
    CHECK(error_of(eval::read_json_exact(json)).find(message) == 0);
}

TEST_CASE("a syntax error is located but quotes nothing of the text", "[verify]") {
    std::string message = error_of(eval::read_json_exact("{\"a\": 1,\n  secret-text}"));
    CHECK(message.find("not JSON: a syntax error at line 2, column") == 0);
    CHECK(message.find("secret") == std::string::npos);
    CHECK(error_of(eval::read_json_exact("root:x:0:0:root:/root:/bin/bash")).find("root") == std::string::npos);
}

TEST_CASE("a byte order mark before the JSON is refused, as hoshu never writes one", "[verify]") {
    // The parser passes over it; JSON has none, and a result with one was not written by hoshu.
    CHECK(error_of(eval::read_json_exact("\xef\xbb\xbf{\"a\": 1}")) ==
          "not JSON: a byte order mark at line 1, column 1; hoshu writes none");
    CHECK(eval::read_json_exact("{\"a\": \"\xef\xbb\xbf\"}"));   // inside a string: text
}

TEST_CASE("nesting and size are bounded", "[verify]") {
    std::string deep(100000, '[');
    CHECK(error_of(eval::read_json_exact(deep)).find("nested deeper than 64 levels") == 0);
    CHECK(eval::read_json_exact("[[[1]]]", {3, 10}).ok());
    CHECK(error_of(eval::read_json_exact("[[[[1]]]]", {3, 10})).find("nested deeper than 3 levels") == 0);
    CHECK(eval::read_json_exact("[0, 1, 2, {\"a\": 4}]", {8, 6}).ok());
    CHECK(error_of(eval::read_json_exact("[0, 1, 2, {\"a\": 4, \"b\": 5}]", {8, 6})).find("more than 6 values") == 0);
}

TEST_CASE("strings in messages cannot drive the terminal", "[verify]") {
    auto v = eval::read_json_exact(R"(["a\u001b[31mb\u009bc\"d"])");
    REQUIRE(v.ok());
    CHECK(eval::json_text(v->items[0]) == R"("a\u001b[31mb\u009bc\"d")");
    CHECK(dsl::printable("x\ny\x1b") == "x\\ny\\x1b");
}

TEST_CASE("a result as hoshu writes it has no differences", "[verify]") {
    CHECK(differences(fy2024().json).empty());
}

TEST_CASE("every value compares exactly, as hoshu writes it", "[verify]") {
    const std::string& json = fy2024().json;
    using Case = std::tuple<std::string, std::string, std::string>;
    auto [from, to, message] = GENERATE(table<std::string, std::string, std::string>({
        Case{"\"annual_rs_shares\": 4846", "\"annual_rs_shares\": 4846.0000000000001",
             "directors[\"D03\"].annual_rs_shares: recorded 4846.0000000000001, recomputed 4846"},
        Case{"\"annual_rs_shares\": 4846", "\"annual_rs_shares\": 4.846e3",
             "directors[\"D03\"].annual_rs_shares: recorded 4.846e3, recomputed 4846 (the same value, but not written as "
             "hoshu writes it)"},
        Case{"\"annual_rs_shares\": 4846", "\"annual_rs_shares\": \"4846\"",
             "directors[\"D03\"].annual_rs_shares: recorded \"4846\", recomputed 4846"},
        Case{"\"fiscal_year\": \"FY2024\"", "\"fiscal_year\": null", "fiscal_year: recorded null, recomputed \"FY2024\""},
        Case{"\"violations\": []", "\"violations\": [], \"extra\": {}", "extra: recorded {}, not in the recomputed result"},
        Case{"\"relative_to\": \"working directory\",", "\"relative_to\": \"working directory\", \"x\": 1,",
             "seal.x: recorded 1, not in the recomputed result"},
    }));
    auto diffs = differences(replaced(json, from, to));
    REQUIRE(diffs.size() == 1);
    CHECK(diffs[0] == message);
}

TEST_CASE("the seal's fields are read and type-checked", "[verify]") {
    const std::string& json = fy2024().json;
    using Case = std::tuple<std::string, std::string, std::string>;
    auto [from, to, message] = GENERATE(table<std::string, std::string, std::string>({
        Case{"\"engine\": \"hoshu", "\"engine\": 5, \"x\": \"", "seal.engine is a number"},
        Case{"\"relative_to\": \"working directory\"", "\"relative_to\": \"home\"",
             "seal.relative_to is neither \"working directory\" nor \"result\""},
        Case{"\"relative_to\": \"working directory\",", "\"relative_to\": \"working directory\", \"as_of\": \"2024-6-26\",",
             "seal.as_of is not a date written YYYY-MM-DD"},
        Case{"\"rule_files\": [", "\"rule_files\": [{\"path\": \"x.hoshu\"}, ", "seal.rule_files[0] is not"},
        Case{"\"rules_sha256\": \"", "\"rules_sha256\": \"A", "seal.rules_sha256 is not a SHA-256"},
        Case{"\"seal\": {", "\"seal\": 1, \"old\": {", "seal is a number"},
    }));
    CHECK(error_of(eval::read_result(replaced(json, from, to))).find(message) == 0);
}

TEST_CASE("other results are named", "[verify]") {
    CHECK(error_of(eval::read_result(R"({"plan": "x", "seal": {}, "paths": 10, "seed": 1, "outputs": []})"))
              .find("a result of `hoshu simulate`") == 0);
    CHECK(error_of(eval::read_result(R"({"base": {}, "head": {}})")).find("a result of `hoshu diff`") == 0);
    CHECK(error_of(eval::read_result("[]")).find("not a result of `hoshu eval --format json`: it is an array") == 0);
}

TEST_CASE("seal differences name each rule file, the inputs and the engine", "[verify]") {
    eval::Seal recorded = *fy2024().seal;
    eval::Seal now = recorded;
    CHECK(eval::seal_differences(recorded, now).empty());
    now.rule_files[1].sha256 = std::string(64, '0');
    now.rule_files.push_back({"z.hoshu", std::string(64, '1')});
    now.rules_sha256 = eval::sha256_hex(eval::seal_listing(now.rule_files));
    now.inputs_sha256 = std::string(64, '2');
    now.engine = "hoshu 9";
    auto d = eval::seal_differences(recorded, now);
    REQUIRE(d.size() == 5);
    CHECK(d[0].find("the inputs ") == 0);
    CHECK(d[1].find("the rules in ") == 0);
    CHECK(d[2] == "  " + recorded.rule_files[1].path + " was changed");
    CHECK(d[3] == "  z.hoshu was added");
    CHECK(d[4].find("seal.engine: the result was written by") == 0);
    // A listing forged to another order, with the same hash recorded, is caught too.
    now = recorded;
    std::swap(now.rule_files[0], now.rule_files[1]);
    d = eval::seal_differences(now, recorded);
    REQUIRE(d.size() == 2);
    CHECK(d[1] == "  seal.rule_files is not sorted by path, as hoshu writes it");
}

TEST_CASE("the seal listing is what sha256sum prints", "[verify]") {
    std::string h(64, 'a');
    CHECK(eval::seal_listing({{"a b.hoshu", h}, {"back\\slash.hoshu", h}}) ==
          h + "  a b.hoshu\n\\" + h + "  back\\\\slash.hoshu\n");
}
