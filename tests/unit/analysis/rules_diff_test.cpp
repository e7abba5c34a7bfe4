// Which declarations changed between two versions of a plan: matched by kind and name, a
// value that became an output one change, citations or notes alone marked as such, the
// lists in the kind order of keywords.hpp, a change of scope reported.
#include "evaluator/analysis/rules_diff.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"

using namespace hoshu;
using Kind = eval::DeclarationDiff::Kind;

namespace {

struct TwoPlans {
    dsl::SourceManager sm;
    std::optional<eval::Plan> base, head;
    eval::RulesDiff diff;
    TwoPlans(const std::string& base_text, const std::string& head_text) {
        dsl::Diagnostics diags;
        base = eval::check_files(sm, {sm.add("base/a.hoshu", base_text)}, diags);
        head = eval::check_files(sm, {sm.add("head/a.hoshu", head_text)}, diags);
        INFO(dsl::render(sm, diags));
        REQUIRE(base);
        REQUIRE(head);
        diff = eval::diff_rules(*base, "base", *head, "head", sm);
    }
};

const std::string base_rules = R"(plan "P"
collection directors: director at directors key id
input a: JPY at a range ¥0 to ¥10
param rate: ratio = 10%
  note "old"
per director
  input pay: JPY at pay range ¥0 to ¥10
  value bonus: JPY = pay * rate
end
output paid: JPY = sum of bonus over directors
output gone: JPY = a
)";

}  // namespace

TEST_CASE("rules diff: a value that became an output is one change, not a removal and an addition",
          "[rules_diff]") {
    std::string head = base_rules;
    head.replace(head.find("  value bonus"), 13, "  output bonus");
    TwoPlans t(base_rules, head);
    REQUIRE(t.diff.changes.size() == 1);
    const auto& c = t.diff.changes[0];
    CHECK(c.change == Kind::changed);
    CHECK(c.base->kind == "value");
    CHECK(c.head->kind == "output");
    CHECK(c.head->name == "bonus");
    CHECK_FALSE(c.annotations_only);
    CHECK(c.lines == std::vector<std::string>{"- value bonus: JPY = pay * rate", "+ output bonus: JPY = pay * rate"});
}

TEST_CASE("rules diff: a note or a comment alone changes no meaning", "[rules_diff]") {
    std::string head = base_rules;
    head.replace(head.find("note \"old\""), 10, "note \"new\"  # reworded");
    TwoPlans t(base_rules, head);
    REQUIRE(t.diff.changes.size() == 1);
    CHECK(t.diff.changes[0].head->name == "rate");
    CHECK(t.diff.changes[0].annotations_only);
}

TEST_CASE("rules diff: added and removed declarations, in kind order, the unchanged counted", "[rules_diff]") {
    std::string head = base_rules;
    head.replace(head.find("output gone: JPY = a\n"), 21, "output new: JPY = a\nparam extra: ratio = 1\n");
    TwoPlans t(base_rules, head);
    REQUIRE(t.diff.changes.size() == 3);
    CHECK(t.diff.changes[0].change == Kind::added);
    CHECK(t.diff.changes[0].head->name == "extra");   // a param is listed before an output
    CHECK(t.diff.changes[1].change == Kind::added);
    CHECK(t.diff.changes[1].head->name == "new");
    CHECK(t.diff.changes[2].change == Kind::removed);
    CHECK(t.diff.changes[2].base->name == "gone");
    CHECK(t.diff.unchanged == 7);
}

TEST_CASE("rules diff: a definition moved out of `per director` is a change of scope", "[rules_diff]") {
    std::string head = base_rules;
    head.replace(head.find("  input pay: JPY at pay range ¥0 to ¥10\n  value bonus: JPY = pay * rate\nend\n"),
                 std::string("  input pay: JPY at pay range ¥0 to ¥10\n  value bonus: JPY = pay * rate\nend\n").size(),
                 "  input pay: JPY at pay range ¥0 to ¥10\nend\nvalue bonus: JPY = a * rate\n");
    head.replace(head.find("sum of bonus over directors"), 27, "bonus");
    TwoPlans t(base_rules, head);
    const eval::DeclarationDiff* bonus = nullptr;
    for (const auto& c : t.diff.changes)
        if (c.head && c.head->name == "bonus") bonus = &c;
    REQUIRE(bonus);
    CHECK(bonus->base->scope == "director");
    CHECK(bonus->head->scope.empty());
}
