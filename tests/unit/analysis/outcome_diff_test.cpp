// What two versions of a plan award on the same inputs: each change exact and shown signed,
// an output in one plan only a change unless it is zero, a unit that changed, violations
// on one side or both.
#include "evaluator/analysis/outcome_diff.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"

using namespace hoshu;
using Side = eval::ViolationLine::Side;

namespace {

struct Compared {
    dsl::SourceManager sm;
    std::optional<eval::Plan> base, head;
    std::optional<eval::InputFile> inputs;
    eval::InputsDiff diff;
    Compared(const std::string& base_text, const std::string& head_text, const std::string& toml,
             const std::string& price = {}) {
        dsl::Diagnostics diags;
        base = eval::check_files(sm, {sm.add("base/a.hoshu", base_text)}, diags);
        head = eval::check_files(sm, {sm.add("head/a.hoshu", head_text)}, diags);
        INFO(dsl::render(sm, diags));
        REQUIRE(base);
        REQUIRE(head);
        auto in = eval::InputFile::parse(sm, "in.toml", toml);
        REQUIRE(in);
        inputs.emplace(std::move(*in));
        diff = eval::diff_on_inputs(*base, *head, *inputs, {}, price);
        INFO(dsl::render(sm, diff.base.errors) + dsl::render(sm, diff.head.errors));
        REQUIRE(diff.ran());
    }
    const eval::ValueDiff& value(std::size_t director, const std::string& name) const {
        const auto& vs = diff.directors.at(director).values;
        auto it = std::find_if(vs.begin(), vs.end(), [&](const auto& v) { return v.name == name; });
        REQUIRE(it != vs.end());
        return *it;
    }
};

const std::string toml = R"(a = 5
[[directors]]
id = "D01"
pay = 1000
[[directors]]
id = "D02"
pay = 3000
)";

const std::string base_rules = R"(plan "P"
input a: JPY at a range ¥0 to ¥10
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥1,000,000
  output award: shares = round down(pay / 2 yen * 1 share, 1 share)
  output zero: shares = 0 shares
  output cash: JPY = pay
  require small: pay < ¥2,000
end
)";

}  // namespace

TEST_CASE("outcome diff: each change exact, shown signed and grouped", "[outcome_diff]") {
    std::string head = base_rules;
    head.replace(head.find("pay / 2 yen"), 11, "pay / 4 yen");
    Compared c(base_rules, head, toml);
    const auto& d01 = c.value(0, "award");
    CHECK(d01.changed);
    CHECK(d01.base.exact == "500");
    CHECK(d01.head.exact == "250");
    REQUIRE(d01.change);
    CHECK(*d01.change == eval::Rational(-250));
    CHECK(d01.change_display == "-250");
    const auto& d02 = c.value(1, "award");
    CHECK(d02.change_display == "-750");
    CHECK_FALSE(c.value(0, "cash").changed);
    CHECK(c.value(0, "cash").change_display.empty());
}

TEST_CASE("outcome diff: an output in one plan only is a change unless it is zero", "[outcome_diff]") {
    std::string head = base_rules;
    head.replace(head.find("  output zero: shares = 0 shares\n"), 33, "  output extra: shares = 1,409 shares\n");
    Compared c(base_rules, head, toml);
    CHECK(c.diff.outputs_only_base == std::vector<std::string>{"zero"});
    CHECK(c.diff.outputs_only_head == std::vector<std::string>{"extra"});
    CHECK_FALSE(c.value(0, "zero").changed);   // only in the base, and 0
    CHECK_FALSE(c.value(0, "zero").head.present);
    const auto& extra = c.value(0, "extra");
    CHECK(extra.changed);
    CHECK_FALSE(extra.base.present);
    CHECK(extra.head.display == "1,409");
}

TEST_CASE("outcome diff: a unit that changed is named, no change computed", "[outcome_diff]") {
    std::string head = base_rules;
    head.replace(head.find("output cash: JPY = pay"), 22, "output cash: shares = pay / 1 yen * 1 share");
    Compared c(base_rules, head, toml);
    const auto& cash = c.value(0, "cash");
    CHECK(cash.unit_changed);
    CHECK(cash.changed);
    CHECK_FALSE(cash.change);
    CHECK(cash.unit == "shares");
    CHECK(cash.base_unit == "JPY");
}

TEST_CASE("outcome diff: awards valued at a price in any currency per any counted unit", "[outcome_diff]") {
    // A US plan: units in PSUs valued at a price in USD per PSU; its shares and its cash
    // are not in the unit the price is per, so they are not valued.
    const std::string rules = R"(plan "P"
unit USD currency "$" minor 0.01
unit PSU plural PSUs whole
collection directors: director at directors key id
input unit_price: USD per PSU at unit_price range $0.01 per PSU to $1,000 per PSU
per director
  input pay: USD at pay range $0 to $1,000,000
  output units: PSUs = round down(pay / unit_price, 1 PSU)
  output shares_too: shares = 3 shares
  output cash: USD = pay
end
)";
    const std::string in = R"(unit_price = 12.50
[[directors]]
id = "D01"
pay = 1000.10
[[directors]]
id = "D02"
pay = 3000
)";
    std::string head = rules;
    head.replace(head.find("pay / unit_price"), 16, "2 * pay / unit_price");
    Compared c(rules, head, in, "unit_price");
    const auto& units = c.value(0, "units");
    CHECK(units.valued);
    CHECK(units.base.exact == "80");    // 1000.10 / 12.50 = 80.008
    CHECK(units.head.exact == "160");
    REQUIRE(units.base.value);
    REQUIRE(units.head.value);
    CHECK(*units.base.value == eval::Rational(1000));
    CHECK(*units.head.value == eval::Rational(2000));
    REQUIRE(units.value_change);
    CHECK(*units.value_change == eval::Rational(1000));
    CHECK(units.base.value_display.find("1,000") != std::string::npos);
    CHECK(c.value(1, "units").head.value == eval::Rational(6000));
    for (const char* other : {"shares_too", "cash"}) {
        INFO(other);
        CHECK_FALSE(c.value(0, other).valued);
        CHECK_FALSE(c.value(0, other).base.value);
        CHECK(c.value(0, other).base.value_display.empty());
    }
    // A definition per director, or in money alone, is no price.
    CHECK(eval::price_problem(*c.base, "unit_price").empty());
    CHECK_FALSE(eval::price_problem(*c.base, "pay").empty());
}

TEST_CASE("outcome diff: an award the same under both plans has a change in value too", "[outcome_diff]") {
    // The units do not change; the price does in the head, so their value changes: the
    // change is known (zero at the same price), never left out because the units are equal.
    // The records are named as the plan's collection is.
    const std::string rules = R"(plan "P"
unit USD currency "$" minor 0.01
unit PSU plural PSUs whole
collection officers: officer at officers key id
input listed: USD per PSU at unit_price range $0.01 per PSU to $1,000 per PSU
value price: USD per PSU = listed
per officer
  output units: PSUs = 10 PSUs
end
)";
    const std::string in = R"(unit_price = 12.50
[[officers]]
id = "CEO"
)";
    Compared same(rules, rules, in, "price");
    CHECK(same.diff.noun == "officer");
    CHECK(same.diff.plural == "officers");
    const auto& kept = same.value(0, "units");
    CHECK_FALSE(kept.changed);
    REQUIRE(kept.value_change);
    CHECK(*kept.value_change == eval::Rational(0));
    std::string head = rules;
    head.replace(head.find("= listed"), 8, "= listed * 2");
    Compared repriced(rules, head, in, "price");
    const auto& units = repriced.value(0, "units");
    CHECK_FALSE(units.changed);
    REQUIRE(units.value_change);
    CHECK(*units.value_change == eval::Rational(125));   // 10 × ($25 − $12.50)
    CHECK(units.value_change_display.find("125") != std::string::npos);
}

TEST_CASE("outcome diff: violations on one side or both", "[outcome_diff]") {
    std::string head = base_rules;
    const std::string old_rule = "require small: pay < ¥2,000";
    head.replace(head.find(old_rule), old_rule.size(), "require small: pay < ¥500");
    Compared c(base_rules, head, toml);
    // base: D02 breaks `small`; head: D01 and D02 do (the messages are the same text).
    REQUIRE(c.diff.violations.size() == 2);
    CHECK(c.diff.violations[0].director == "D02");
    CHECK(c.diff.violations[0].side == Side::both);
    CHECK(c.diff.violations[1].director == "D01");
    CHECK(c.diff.violations[1].side == Side::head);
}
