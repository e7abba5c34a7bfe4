// The seal leaves tests out: adding, editing or removing a `test` declaration (with its
// comments), or a file of tests only, leaves the rules' hash as it was; any change to
// anything else — a definition, a note, a comment, another file — still changes it, and
// nothing that can change a computed value is ever left out.
#include "evaluator/output/seal.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "dsl/base/source.hpp"

namespace dsl = hoshu::dsl;
namespace eval = hoshu::eval;

namespace {

const std::string plan_text =
    "plan \"t\"\n"
    "input fiscal_year: text at fiscal_year\n"
    "collection people: person at people key id\n"
    "\n"
    "# Twice the shares held.\n"
    "per person\n"
    "  input n: shares at n range 0 shares to 1,000 shares\n"
    "  output g: shares = n * 2\n"
    "    note \"doubled\"\n"
    "end\n";

const std::string one_test =
    "\n"
    "# The worked example.\n"
    "test \"one\"\n"
    "  inputs \"a.toml\"\n"
    "  # P1 holds 10 shares.\n"
    "  expect g for P1 = 20 shares   # twice 10\n"
    "  # expect g for P2 = 0 shares  (no P2 yet)\n";

/// The seal's hash of a folder of rule files (path, text), as eval::seal_rule_files()
/// lists them: the SHA-256 of the sha256sum listing.
std::string rules_sha256(const std::vector<std::pair<std::string, std::string>>& files) {
    dsl::SourceManager sm;
    std::vector<dsl::FileId> ids;
    for (const auto& [path, text] : files) ids.push_back(sm.add(path, text));
    auto sealed = eval::seal_rule_files(ids, sm, ".");
    REQUIRE(sealed.ok());
    return eval::sha256_hex(eval::seal_listing(*sealed));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a file without tests is sealed byte for byte", "[seal]") {
    CHECK(eval::sealed_rule_text("plan.hoshu", plan_text) == plan_text);
    CHECK(eval::sealed_rule_file_sha256("plan.hoshu", plan_text) == eval::sha256_hex(plan_text));
}

TEST_CASE("a test, its comments and the blank line before it are left out", "[seal]") {
    CHECK(eval::sealed_rule_text("plan.hoshu", plan_text + one_test) == plan_text);
    // Between two declarations, set apart by blank lines: the text reads as without it.
    const std::string before = "plan \"t\"\n\nparam k: shares = 2 shares\n";
    const std::string with = "plan \"t\"\n\n# why\ntest \"x\"\n  inputs \"a.toml\"\n  expect k = 2 shares\n\nparam k: shares = 2 shares\n";
    CHECK(eval::sealed_rule_text("p.hoshu", with) == before);
    // Two tests in a row, the last without a line end.
    const std::string two = plan_text + one_test + "\ntest \"two\"\n  inputs \"a.toml\"\n  expect g for P1 = 20 shares";
    CHECK(eval::sealed_rule_text("plan.hoshu", two) == plan_text);
    // A test that opens the file takes the blank lines after it.
    CHECK(eval::sealed_rule_text("p.hoshu", "test \"x\"\n  inputs \"a.toml\"\n  expect k = 2 shares\n\n" + before) ==
          before);
}

TEST_CASE("adding, editing or removing a test leaves the seal as it was", "[seal]") {
    const std::string base = rules_sha256({{"plan.hoshu", plan_text}});
    // A test added to the plan's file, with its comments.
    CHECK(rules_sha256({{"plan.hoshu", plan_text + one_test}}) == base);
    // A test edited: its title, inputs, expected value, a comment inside it, the comment
    // right above it.
    const std::string with = rules_sha256({{"plan.hoshu", plan_text + one_test}});
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "\"one\"", "\"first\"")}}) == with);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "a.toml", "b.toml")}}) == with);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "= 20 shares", "= 21 shares")}}) == with);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "P1 holds 10", "P1 holds ten")}}) == with);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "(no P2 yet)", "(none)")}}) == with);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "# The worked example.", "# Worked.")}}) == with);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + replaced(one_test, "# twice 10", "# 2 x 10")}}) == with);
    // A file of tests only, added or removed, and edited.
    const std::string tests = "# Tests of the plan.\n" + one_test;
    CHECK(rules_sha256({{"plan.hoshu", plan_text}, {"tests.hoshu", tests}}) == base);
    CHECK(rules_sha256({{"plan.hoshu", plan_text}, {"tests.hoshu", tests + one_test}}) == base);
    CHECK(rules_sha256({{"plan.hoshu", plan_text}, {"tests.hoshu", replaced(tests, "20", "22")}}) == base);
    CHECK_FALSE(eval::sealed_rule_text("tests.hoshu", tests).has_value());
}

TEST_CASE("any change but to a test still changes the seal", "[seal]") {
    const std::string base = rules_sha256({{"plan.hoshu", plan_text + one_test}});
    auto changed = [&](const std::string& text) { return rules_sha256({{"plan.hoshu", text + one_test}}) != base; };
    CHECK(changed(replaced(plan_text, "n * 2", "n * 3")));               // a definition
    CHECK(changed(replaced(plan_text, "1,000 shares", "1,001 shares")));  // a range
    CHECK(changed(replaced(plan_text, "\"doubled\"", "\"twice\"")));      // a note
    CHECK(changed(replaced(plan_text, "# Twice the", "# Two times the")));  // a comment
    CHECK(changed(replaced(plan_text, "n * 2\n", "n * 2 \n")));          // a blank
    CHECK(changed(plan_text + "param k: shares = 1 share\n"));              // a declaration added
    // A comment set apart from the test by a blank line is the plan's, not the test's.
    CHECK(rules_sha256({{"plan.hoshu", plan_text + "\n# Tests.\n" + one_test}}) != base);
    // Another rule file added: of definitions, or of comments only.
    CHECK(rules_sha256({{"plan.hoshu", plan_text + one_test}, {"more.hoshu", "param k: shares = 1 share\n"}}) != base);
    CHECK(rules_sha256({{"plan.hoshu", plan_text + one_test}, {"notes.hoshu", "# to do\n"}}) != base);
    // A test turned into a declaration: `value` where `test` was.
    CHECK(rules_sha256({{"plan.hoshu", plan_text + one_test + "param k: shares = 1 share\n"}}) != base);
}

TEST_CASE("nothing that computes is ever left out", "[seal]") {
    // A test that shares a line with another declaration: the file is sealed whole.
    const std::string same_line = "plan \"t\"\nparam k: shares = 2 shares test \"x\" inputs \"a.toml\" expect k = 2 shares\n";
    CHECK(eval::sealed_rule_text("p.hoshu", same_line) == same_line);
    const std::string after = "plan \"t\"\ntest \"x\" inputs \"a.toml\" expect k = 2 shares param k: shares = 2 shares\n";
    CHECK(eval::sealed_rule_text("p.hoshu", after) == after);
    // A file that does not parse is sealed whole.
    const std::string broken = "plan \"t\"\ntest \"x\"\n  inputs\n";
    CHECK(eval::sealed_rule_text("p.hoshu", broken) == broken);
    // Without its tests, the text reads as the same other declarations (a declaration
    // whose text a left-out line would cut is never cut: the file is sealed whole).
    const std::string text = plan_text + one_test;
    auto sealed = eval::sealed_rule_text("plan.hoshu", text);
    REQUIRE(sealed.has_value());
    CHECK(sealed->find("per person") != std::string::npos);
    CHECK(sealed->find("test") == std::string::npos);
}

TEST_CASE("a file of comments only or an empty file is sealed whole but one of tests and comments is not", "[seal]") {
    CHECK(eval::sealed_rule_text("c.hoshu", "# nothing yet\n") == std::string("# nothing yet\n"));
    CHECK(eval::sealed_rule_text("e.hoshu", "") == std::string());
    CHECK(eval::sealed_rule_text("b.hoshu", "this is not a rule\n") == std::string("this is not a rule\n"));
    CHECK_FALSE(eval::sealed_rule_text("t.hoshu", "# Tests.\n\ntest \"x\"\n  inputs \"a.toml\"\n  expect k = 2 shares\n# end\n")
                    .has_value());
}
