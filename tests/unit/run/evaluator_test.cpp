// The evaluator through its public face (Session, evaluate): laziness, dated params, the
// messages of runtime errors, optional inputs, aggregates over directors and grants, pro rata
// scaling, requirement messages, every kind computed outside the programs (eval_rare), and
// what-if runs recomputing what an override reaches — plan-wide parts included.
#include "evaluator/run/session.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "support/plan_fixture.hpp"

using namespace hoshu;
using eval::InputOverride;
using eval::Session;

namespace {

/// The first error's message of a failed result.
template <class T>
std::string first_error(const Result<T>& r) {
    REQUIRE_FALSE(r.ok());
    REQUIRE_FALSE(r.error().items().empty());
    return r.error().items().front().message;
}

const std::string people = R"(plan "eval"
input use_b: boolean at use_b
input a: JPY at a range ¥0 to ¥100
input b: JPY at b range ¥0 to ¥100
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥1,000
  input left_on: date at left_on range 2000-01-01 to 2100-12-31 optional
  value share: ratio = pay / a
    source C5 "share"
  output kept: JPY = if use_b then b else a
  output left: boolean = present(left_on)
  output left_when: date = left_on
end
)";

}  // namespace

TEST_CASE("evaluator: a missing record input names the record by its collection's singular", "[evaluator]") {
    test::PlanFixture f(R"(plan "officers"
collection officers: officer at officers key id
per officer
  input target: shares at target_psus range 0 shares to 1,000,000 shares
  output granted: shares = target
end
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("[[officers]]\nid = \"CEO\"\n", "officers.toml");
    Session s(*f.plan, in);
    CHECK(first_error(s.value(f.slot("granted"), 0)) ==
          "missing input `target_psus` for officer CEO: `target` needs `target_psus`");
}

TEST_CASE("evaluator: an input read only by the branch not taken may be missing", "[evaluator]") {
    test::PlanFixture f(people);
    REQUIRE(f.ok());
    const auto& in = f.inputs("use_b = false\na = 5\n[[directors]]\nid = \"D01\"\npay = 10\n");
    Session s(*f.plan, in);
    auto kept = s.value(f.slot("kept"), 0);
    REQUIRE(kept.ok());
    CHECK(f.text(*kept, "kept") == "5");
    // The other way, b is needed and missing.
    const auto& in_b = f.inputs("use_b = true\na = 5\n[[directors]]\nid = \"D01\"\npay = 10\n", "b.toml");
    Session t(*f.plan, in_b);
    CHECK(first_error(t.value(f.slot("kept"), 0)) == "missing input `b` at the top level of b.toml");
}

/// The messages of a failed result's errors, in order.
template <class T>
std::vector<std::string> errors(const Result<T>& r) {
    REQUIRE_FALSE(r.ok());
    std::vector<std::string> out;
    for (const auto& d : r.error().items())
        if (d.severity == dsl::Severity::error) out.push_back(d.message);
    return out;
}

const std::string fees = R"(plan "fees"
input use_b: boolean at use_b
input a: JPY at a range ¥0 to ¥100
input b: JPY at b range ¥0 to ¥100
input c: JPY at c range ¥0 to ¥100
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥1,000
  output paid: JPY = pay + c + (if use_b then b else a)
end
)";

TEST_CASE("evaluator: every missing input the evaluation reads is reported in one run", "[evaluator]") {
    test::PlanFixture f(fees);
    REQUIRE(f.ok());
    // D01 and D03 lack `pay`, the top level `a`; `b` is missing too, but no branch taken reads it.
    const auto& in = f.inputs("use_b = false\nc = 1\n[[directors]]\nid = \"D01\"\n[[directors]]\nid = \"D02\"\npay = 10\n"
                              "[[directors]]\nid = \"D03\"\n");
    CHECK(errors(eval::evaluate(*f.plan, in, {})) ==
          std::vector<std::string>{"missing input `pay` for director D01", "missing input `a` at the top level of in.toml",
                                   "missing input `pay` for director D03"});
}

TEST_CASE("evaluator: missing inputs are reported with the other problems of the inputs", "[evaluator]") {
    test::PlanFixture f(fees);
    REQUIRE(f.ok());
    // A value out of range, two directors without `pay`, and `c`, which every director's
    // `paid` reads after `pay`: one run names all four.
    const auto& in = f.inputs("use_b = false\na = 500\n[[directors]]\nid = \"D01\"\n[[directors]]\nid = \"D02\"\n");
    CHECK(errors(eval::evaluate(*f.plan, in, {})) ==
          std::vector<std::string>{"`a` is 500, outside its declared range ¥0 to ¥100", "missing input `pay` for director D01",
                                   "missing input `c` at the top level of in.toml", "missing input `pay` for director D02"});
}

TEST_CASE("evaluator: a runtime error names the definition, its clauses and the director", "[evaluator]") {
    test::PlanFixture f(people);
    REQUIRE(f.ok());
    const auto& in = f.inputs("use_b = false\na = 0\n[[directors]]\nid = \"D01\"\npay = 10\n");
    Session s(*f.plan, in);
    CHECK(first_error(s.value(f.slot("share"), 0)) == "division by zero in `share` (C5) for director D01");
    // The session stays usable: another value still evaluates.
    auto kept = s.value(f.slot("kept"), 0);
    REQUIRE(kept.ok());
    CHECK(f.text(*kept, "kept") == "0");
}

TEST_CASE("evaluator: a value outside its declared range names value, range and record", "[evaluator]") {
    test::PlanFixture f(people);
    REQUIRE(f.ok());
    const auto& in = f.inputs("use_b = false\na = 5\n[[directors]]\nid = \"D01\"\npay = 2000\n");
    auto outcome = eval::evaluate(*f.plan, in, {});
    CHECK(first_error(outcome) == "`pay` for director D01 is 2000, outside its declared range ¥0 to ¥1,000");
}

TEST_CASE("evaluator: an optional input absent: present() is false, reading it is an error", "[evaluator]") {
    test::PlanFixture f(people);
    REQUIRE(f.ok());
    const auto& in = f.inputs("use_b = false\na = 5\n[[directors]]\nid = \"D01\"\npay = 10\n"
                              "[[directors]]\nid = \"D02\"\npay = 20\nleft_on = 2024-03-31\n");
    Session s(*f.plan, in);
    CHECK(f.text(*s.value(f.slot("left"), 0), "left") == "false");
    CHECK(f.text(*s.value(f.slot("left"), 1), "left") == "true");
    CHECK(f.text(*s.value(f.slot("left_when"), 1), "left_when") == "2024-03-31");
    std::string absent = first_error(s.value(f.slot("left_when"), 0));
    CHECK(absent.starts_with("`left_on` is absent from the inputs"));
    CHECK(absent.ends_with("for director D01"));
}

TEST_CASE("evaluator: dated params take the value in force on the as-of date", "[evaluator]") {
    test::PlanFixture f(R"(plan "dated"
param rate: ratio
  = 10% from 2024-01-01
  = 20% from 2025-01-01
output r: ratio = rate
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("");
    auto at = [&](const char* date) {
        eval::EvalOptions o;
        o.as_of = eval::Date::parse(date);
        Session s(*f.plan, in, o);
        return s.value(f.slot("r"), 0);
    };
    CHECK(f.text(*at("2024-06-30"), "r") == "0.1");
    CHECK(f.text(*at("2025-01-01"), "r") == "0.2");
    CHECK(first_error(at("2023-12-31")) == "`rate` has no value in force on 2023-12-31");
    // No date to choose by: an error at the param (the latest value was taken silently).
    Session undated(*f.plan, in);
    CHECK(first_error(undated.value(f.slot("r"), 0)) ==
          "`rate` has values in force from different dates, and nothing says which date to take");
}

TEST_CASE("evaluator: the plan's `as of` input chooses the params' version", "[evaluator]") {
    test::PlanFixture f(R"(plan "dated" as of grant_date
input grant_date: date at grant_date range 2000-01-01 to 2100-12-31
param rate: ratio
  = 10% from 2024-01-01
  = 20% from 2025-01-01
output r: ratio = rate
)");
    REQUIRE(f.ok());
    Session s(*f.plan, f.inputs("grant_date = 2024-07-01\n"));
    CHECK(f.text(*s.value(f.slot("r"), 0), "r") == "0.1");
}

namespace {

const std::string ledger = R"(plan "ledger"
input label: text at label
input since: date at since range 2000-01-01 to 2100-12-31
input until: date at until range 2000-01-01 to 2100-12-31
series price: JPY per share at prices(date, close)
series split: ratio at splits(date, ratio)
collection directors: director at directors key id
collection grants: grant at ledger
  belongs to director by director
per grant
  input granted: shares at shares range 0 shares to 1,000 shares
end
per director
  output held: shares = sum of granted over grants
  output biggest: shares = max of granted over grants
  output smallest: shares = min of granted over grants
end
output all_held: shares = sum of granted over grants
output counted: count = count of grants where granted > 100 shares
output earlier: text = year_before(label)
output months: months = months_inclusive(since, until)
output close: JPY per share = last price before until
output close_date: date = date of last price before until
output splits: ratio = product of split after since up to until
)";

const std::string ledger_inputs = R"(label = "FY2024"
since = 2024-04-15
until = 2025-03-01
[[directors]]
id = "D01"
[[directors]]
id = "D02"
[[ledger]]
director = "D01"
shares = 100
[[ledger]]
director = "D01"
shares = 300
[[ledger]]
director = "D02"
shares = 50
[[prices]]
date = 2025-01-10
close = 2900
[[prices]]
date = 2025-02-27
close = 3020
[[prices]]
date = 2025-03-03
close = 3100
[[splits]]
date = 2024-10-01
ratio = 2
[[splits]]
date = 2025-06-01
ratio = 3
)";

}  // namespace

TEST_CASE("evaluator: aggregates per director and plan-wide, and the kinds eval_rare computes", "[evaluator]") {
    test::PlanFixture f(ledger);
    REQUIRE(f.ok());
    const auto& in = f.inputs(ledger_inputs);
    Session s(*f.plan, in);
    auto v = [&](const char* name, std::size_t director = 0) {
        auto r = s.value(f.slot(name), director);
        if (!r) FAIL(f.render(r.error()));
        return f.text(*r, name, **s.state());   // texts made by the evaluation are the session's
    };
    CHECK(v("held", 0) == "400");
    CHECK(v("held", 1) == "50");
    CHECK(v("biggest", 0) == "300");
    CHECK(v("smallest", 0) == "100");
    CHECK(v("all_held") == "450");
    CHECK(v("counted") == "1");
    CHECK(v("earlier") == "FY2023");
    CHECK(v("months") == "12");   // April 2024 to March 2025, both counted
    CHECK(v("close") == "3020");
    CHECK(v("close_date") == "2025-02-27");
    CHECK(v("splits") == "2");    // only the split dated after `since`, up to `until`
}

TEST_CASE("evaluator: eval_rare's errors: no year before year 0, no entry before a date, nothing to take the max of",
          "[evaluator]") {
    test::PlanFixture f(ledger);
    REQUIRE(f.ok());
    std::string text = ledger_inputs;
    text.replace(text.find("\"FY2024\""), 8, "\"FY0\"");
    text.replace(text.find("until = 2025-03-01"), 18, "until = 2024-12-01");
    text += "[[directors]]\nid = \"D03\"\n";   // no ledger entry
    const auto& in = f.inputs(text);
    Session s(*f.plan, in);
    CHECK(first_error(s.value(f.slot("earlier"), 0)) ==
          "no year comes before \"FY0\" (`year_before` of year 0) in `earlier`");
    CHECK(first_error(s.value(f.slot("close"), 0)) == "series `price` has no entry before 2024-12-01 in `close`");
    CHECK(first_error(s.value(f.slot("biggest"), 2)) == "nothing to take the min or max of in `biggest` for director D03");
}

namespace {

// The means are values: a mean of shares is no count of shares, and an output in shares
// must be whole.
const std::string placing = R"(plan "placing"
input mine: shares at mine
collection directors: director at directors key id
collection grants: grant at ledger
  belongs to director by director
per grant
  input granted: shares at shares range 0 shares to 1,000 shares
end
per director
  value average: shares = mean of granted over grants
  value big_average: shares = mean of granted over grants where granted > 100 shares
  output place: ratio = percentile of mine among granted over grants, ties lower
end
value mean_all: shares = mean of granted over grants
output lower: ratio = percentile of mine among granted over grants, ties lower
output not_lower: ratio = percentile of mine among granted over grants, ties not lower
output halves: ratio = percentile of mine among granted over grants, ties half
output best: count = rank of mine among granted over grants, highest first, ties best
output worst: count = rank of mine among granted over grants, highest first, ties worst
output low_best: count = rank of mine among granted over grants, lowest first, ties best
output low_worst: count = rank of mine among granted over grants, lowest first, ties worst
output none_above: count = rank of mine among granted over grants where granted > 500 shares, highest first, ties worst
)";

}  // namespace

TEST_CASE("evaluator: mean, percentile and rank with every tie rule", "[evaluator]") {
    test::PlanFixture f(placing);
    REQUIRE(f.ok());
    // Grants 100, 300, 300 (D01) and 50, 300 (D02); mine is 300: none above, two below, three equal.
    const auto& in = f.inputs(
        "mine = 300\n[[directors]]\nid = \"D01\"\n[[directors]]\nid = \"D02\"\n[[directors]]\nid = \"D03\"\n"
        "[[ledger]]\ndirector = \"D01\"\nshares = 100\n[[ledger]]\ndirector = \"D01\"\nshares = 300\n"
        "[[ledger]]\ndirector = \"D01\"\nshares = 300\n[[ledger]]\ndirector = \"D02\"\nshares = 50\n"
        "[[ledger]]\ndirector = \"D02\"\nshares = 300\n");
    Session s(*f.plan, in);
    auto v = [&](const char* name, std::size_t director = 0) {
        auto r = s.value(f.slot(name), director);
        if (!r) FAIL(f.render(r.error()));
        return f.text(*r, name, **s.state());
    };
    CHECK(v("average", 0) == "700/3");
    CHECK(v("average", 1) == "175");
    CHECK(v("big_average", 0) == "300");
    CHECK(v("mean_all") == "210");
    CHECK(v("lower") == "1.25");       // (2 below + 3 equal) / (5 - 1): above 100%
    CHECK(v("not_lower") == "0.5");    // 2 / 4
    CHECK(v("halves") == "0.875");       // (2 + 3/2) / 4
    CHECK(v("best") == "1");           // highest first: nobody above
    CHECK(v("worst") == "4");          // 1 + 0 above + 3 equal
    CHECK(v("low_best") == "3");       // lowest first: 1 + 2 below
    CHECK(v("low_worst") == "6");      // 1 + 2 below + 3 equal
    CHECK(v("none_above") == "1");     // no grant over 500 shares: first
    CHECK(v("place", 0) == "1.5");     // D01's own three grants: (1 + 2) / 2
    // D03 has no grants: no mean, and no percentile among fewer than two.
    CHECK(first_error(s.value(f.slot("average"), 2)) ==
          "nothing to take the mean of: no record is counted in `average` for director D03");
    CHECK(v("big_average", 1) == "300");
    CHECK(first_error(s.value(f.slot("place"), 2)) ==
          "a percentile needs at least 2 records to place a value among; there are 0 in `place` for director D03");
}

TEST_CASE("evaluator: a limit over two directors scales their outputs pro rata, the bound kept", "[evaluator]") {
    test::PlanFixture f(R"(plan "scaled"
collection directors: director at directors key id
per director
  input asked: shares at asked range 0 shares to 1,000 shares
  output granted: shares = asked
end
output total: shares = sum of granted over directors
limit cap: sum of granted over directors <= 100 shares
  allocate pro rata granted round down to 1 share
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("[[directors]]\nid = \"D01\"\nasked = 100\n[[directors]]\nid = \"D02\"\nasked = 50\n");
    auto outcome = eval::evaluate(*f.plan, in, {});
    if (!outcome) FAIL(f.render(outcome.error()));
    REQUIRE(outcome->limits.size() == 1);
    const auto& cap = outcome->limits[0];
    CHECK(cap.status == eval::LimitStatus::scaled);
    REQUIRE(cap.factor);
    CHECK(cap.factor->to_string() == "2/3");
    CHECK(f.text(outcome->directors[0].outputs[0], "granted", *outcome) == "66");   // 100 × 2/3, rounded down
    CHECK(f.text(outcome->directors[1].outputs[0], "granted", *outcome) == "33");
    CHECK(outcome->violations.empty());
}

TEST_CASE("evaluator: a requirement's message names its definitions' values, per director", "[evaluator]") {
    test::PlanFixture f(R"(plan "required"
collection directors: director at directors key id
per director
  input share: percent at share range 0% to 100%
  require fourteen: share == 14%
    message "{share} is not 14%"
    source C9 "14%"
end
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("[[directors]]\nid = \"D01\"\nshare = \"14%\"\n[[directors]]\nid = \"D02\"\nshare = \"15%\"\n");
    auto outcome = eval::evaluate(*f.plan, in, {});
    if (!outcome) FAIL(f.render(outcome.error()));
    REQUIRE(outcome->violations.size() == 1);
    CHECK(outcome->violations[0].rule == "fourteen");
    CHECK(outcome->violations[0].director == "D02");
    CHECK(outcome->violations[0].message == "15% is not 14%");
    REQUIRE(outcome->violations[0].sources.size() == 1);
    CHECK(outcome->violations[0].sources[0].clause == "C9");
}

TEST_CASE("evaluator: a percent whose decimal does not end is shown as its exact fraction, then rounded and marked",
          "[evaluator]") {
    test::PlanFixture f(R"(plan "shown"
collection directors: director at directors key id
per director
  input share: percent at share range 0% to 100%
  require fourteen: share == 14%
    message "{share} is not 14%"
end
output vesting: percent = 4 / 7
output fall: percent = -1 / 35
output eighth: percent = 1 / 8
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("[[directors]]\nid = \"D01\"\nshare = \"1/7\"\n");
    auto outcome = eval::evaluate(*f.plan, in, {});
    if (!outcome) FAIL(f.render(outcome.error()));
    auto shown = [&](const std::string& name) {
        const auto s = f.slot(name);
        for (std::size_t i = 0; i < f.plan->plan_outputs.size(); ++i)
            if (f.plan->plan_outputs[i] == s)
                return eval::display_value(*f.plan, *outcome, f.plan->slots[s].type, outcome->plan_outputs[i]);
        FAIL("no plan-wide output " << name);
        return std::string();
    };
    // Never the rounded figure alone: 4/7 and 571429/1000000 both round to 57.1429%.
    CHECK(shown("vesting") == "4/7 ≈ 57.1429%");
    CHECK(shown("fall") == "-1/35 ≈ -2.8571%");
    CHECK(shown("eighth") == "12.5%");
    CHECK(eval::display_value(*f.plan, *outcome, eval::Type::ratio(eval::RatioStyle::percent),
                              eval::Value{*eval::Rational::parse("0.571429"), 0}) == "57.1429%");
    // The exact text stays exact.
    CHECK(f.text(outcome->plan_outputs[0], "vesting") == "4/7");
    REQUIRE(outcome->violations.size() == 1);
    CHECK(outcome->violations[0].message == "1/7 ≈ 14.2857% is not 14%");
}

TEST_CASE("evaluator: an override of a plan-wide input recomputes the plan-wide part of a per-director formula",
          "[evaluator]") {
    // `rate * 2` reads only plan-wide definitions: it is computed once per evaluation and
    // shared by every director; an override of `rate` must make it computed again.
    test::PlanFixture f(R"(plan "hoisted"
input rate: ratio at rate range 0 to 10
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥1,000
  output got: JPY = pay * (rate * 2)
end
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("rate = 1\n[[directors]]\nid = \"D01\"\npay = 10\n[[directors]]\nid = \"D02\"\npay = 20\n");
    Session s(*f.plan, in);
    s.remember_paths();
    auto first = s.run();
    REQUIRE(first.ok());
    CHECK(f.text(first->directors[1].outputs[0], "got", *first) == "40");
    std::string why;
    auto node = in.find("rate", &why);
    REQUIRE(node);
    for (const char* rate : {"3", "1/2", "3"}) {
        CAPTURE(rate);
        std::vector<InputOverride> o{InputOverride{node, rate, std::nullopt, {}}};
        s.set_overrides(o);
        auto r = s.run();
        REQUIRE(r.ok());
        const auto expected = eval::Rational(20) * *eval::Rational::parse(rate) * eval::Rational(2);
        CHECK(r->directors[1].outputs[0].number == expected);
    }
}

TEST_CASE("evaluator: reset() forgets computed values and keeps the inputs read", "[evaluator]") {
    test::PlanFixture f(ledger);
    REQUIRE(f.ok());
    const auto& in = f.inputs(ledger_inputs);
    Session s(*f.plan, in);
    auto before = s.run();
    REQUIRE(before.ok());
    s.reset();
    auto after = s.run();
    REQUIRE(after.ok());
    CHECK(after->directors[0].outputs[0].number == before->directors[0].outputs[0].number);
    CHECK(after->plan_outputs.size() == before->plan_outputs.size());
}
