// What explaining needs to look inside an evaluation (SessionProbe), and a session that
// stays usable after a failure.
#include "evaluator/run/probe.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "evaluator/run/session.hpp"
#include "support/plan_fixture.hpp"

using namespace hoshu;
using eval::Session;
using eval::SessionProbe;

namespace {

const std::string rules = R"(plan "probe"
input until: date at until range 2000-01-01 to 2100-12-31
series price: JPY per share at prices(date, close)
collection directors: director at directors key id
collection grants: grant at ledger
  belongs to director by director
per grant
  input granted: shares at shares range 0 shares to 1,000 shares
end
per director
  input left_on: date at left_on range 2000-01-01 to 2100-12-31 optional
  input asked: shares at asked range 0 shares to 1,000 shares
  output got: shares = asked + sum of granted over grants
end
output close: JPY per share = last price before until
limit cap: sum of got over directors <= 300 shares
  allocate pro rata got round down to 1 share
)";

const std::string inputs = R"(until = 2025-03-01
[[directors]]
id = "D01"
asked = 100
left_on = 2025-01-31
[[directors]]
id = "D02"
asked = 200
[[ledger]]
director = "D02"
shares = 50
[[ledger]]
director = "D02"
shares = 50
[[prices]]
date = 2025-02-27
close = 3020
)";

}  // namespace

TEST_CASE("session probe: node values, presence, ledger entries, series entries, scaling", "[session]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    Session s(*f.plan, in);
    auto outcome = s.run();   // 400 shares asked for 300: scaled by 3/4
    if (!outcome) FAIL(f.render(outcome.error()));
    SessionProbe probe(s);

    // Any node: the sum inside `got`, for director D02.
    const auto& got = f.plan->slots[f.slot("got")];
    const std::uint32_t sum = f.plan->nodes[got.root].b;
    auto v = probe.node_value(sum, 1);
    REQUIRE(v.ok());
    CHECK(v->number == eval::Rational(100));

    CHECK(probe.present(f.slot("left_on"), 0));
    CHECK_FALSE(probe.present(f.slot("left_on"), 1));
    CHECK(probe.grants_of(0).empty());
    CHECK(probe.grants_of(1) == std::vector<int>{0, 1});

    auto factor = probe.scale_factor(f.slot("got"));
    REQUIRE(factor);
    CHECK(*factor == eval::Rational::fraction(3, 4));
    CHECK_FALSE(probe.scale_factor(f.slot("asked")));

    auto entry = probe.last_before(0, *eval::Date::parse("2025-03-01"));
    REQUIRE(entry);
    CHECK(entry->first.to_string() == "2025-02-27");
    CHECK(entry->second.number == eval::Rational(3020));
    CHECK_FALSE(probe.last_before(0, *eval::Date::parse("2025-01-01")));
}

TEST_CASE("session: a failed run leaves the session usable for the next one", "[session]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    std::string text = inputs;
    text.replace(text.find("until = 2025-03-01"), 18, "until = 2025-01-01");   // no price before it
    const auto& in = f.inputs(text);
    Session s(*f.plan, in);
    auto failed = s.run();
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().items().front().message == "series `price` has no entry before 2025-01-01 in `close`");
    // An override that puts the date after the price: the same session evaluates.
    std::string why;
    auto node = in.find("until", &why);
    REQUIRE(node);
    std::vector<eval::InputOverride> o{eval::InputOverride{node, "2025-03-01", std::nullopt, {}}};
    s.set_overrides(o);
    auto ok = s.run();
    if (!ok) FAIL(f.render(ok.error()));
    CHECK(ok->plan_outputs[0].number == eval::Rational(3020));
}

TEST_CASE("session: inputs read again under new overrides are each record's own, and a keyed path follows its key",
          "[session]") {
    // An input whose path is all written keys is found once and read from there afterwards
    // (per director for a director's); one with a `[year]` step is walked each time.
    test::PlanFixture f(R"(plan "positions"
input year: text at year
input revenue: JPY at years[year].revenue
input fixed: JPY at company.fixed
collection directors: director at directors key id
per director
  input pay: JPY at pay
  output total: JPY = pay + fixed + revenue
end
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs(R"(year = "FY1"
[company]
fixed = 1
[years.FY1]
revenue = 10
[years.FY2]
revenue = 20
[[directors]]
id = "D01"
pay = 100
[[directors]]
id = "D02"
pay = 200
)");
    Session s(*f.plan, in);
    auto totals = [&](std::vector<eval::InputOverride> o) {
        s.set_overrides(o);
        auto out = s.run();
        if (!out) FAIL(f.render(out.error()));
        return std::vector<eval::Rational>{out->directors[0].outputs[0].number, out->directors[1].outputs[0].number};
    };
    auto at = [&](const char* path, const char* text) {
        std::string why;
        auto node = in.find(path, &why);
        REQUIRE(node);
        return eval::InputOverride{node, text, std::nullopt, {}};
    };
    CHECK(totals({}) == std::vector<eval::Rational>{111, 211});
    CHECK(totals({at("directors.D02.pay", "300")}) == std::vector<eval::Rational>{111, 311});
    CHECK(totals({at("year", "FY2"), at("directors.D01.pay", "500")}) == std::vector<eval::Rational>{521, 221});
    CHECK(totals({at("company.fixed", "2")}) == std::vector<eval::Rational>{112, 212});
    CHECK(totals({}) == std::vector<eval::Rational>{111, 211});
}

TEST_CASE("fiscal_year: the year as the evaluation had it (a default, an override, a computed path)", "[session]") {
    // An input the inputs omit takes its default; an overridden one its override (batch);
    // one read through a computed key the value at that key.
    test::PlanFixture f(R"(plan "year"
input fiscal_year: text at fiscal_year default "FY2030"
collection directors: director at directors key id
per director
  input asked: shares at asked range 0 shares to 1,000 shares
  output got: shares = asked
end
)");
    REQUIRE(f.ok());
    const std::string directors = "[[directors]]\nid = \"D01\"\nasked = 1\n";
    {
        const auto& in = f.inputs(directors);
        auto outcome = eval::evaluate(*f.plan, in, {});
        REQUIRE(outcome.ok());
        CHECK(eval::fiscal_year(*f.plan, *outcome, in, {}) == "FY2030");
        Session s(*f.plan, in);
        CHECK(eval::fiscal_year(*f.plan, s) == "FY2030");
    }
    {
        const auto& in = f.inputs("fiscal_year = \"FY2024\"\n" + directors);
        auto outcome = eval::evaluate(*f.plan, in, {});
        REQUIRE(outcome.ok());
        CHECK(eval::fiscal_year(*f.plan, *outcome, in, {}) == "FY2024");
        Session s(*f.plan, in);
        std::string why;
        auto node = in.find("fiscal_year", &why);
        REQUIRE(node);
        std::vector<eval::InputOverride> o{eval::InputOverride{node, "FY2027", std::nullopt, {}}};
        s.set_overrides(o);
        REQUIRE(s.run().ok());
        CHECK(eval::fiscal_year(*f.plan, s) == "FY2027");
    }

    test::PlanFixture keyed(R"(plan "keyed year"
input which: text at which
input fiscal_year: text at years[which].name
collection directors: director at directors key id
per director
  input asked: shares at asked range 0 shares to 1,000 shares
  output got: shares = asked
end
)");
    REQUIRE(keyed.ok());
    const auto& in = keyed.inputs("which = \"b\"\n[years.a]\nname = \"FY2024\"\n[years.b]\nname = \"FY2025\"\n" + directors);
    auto outcome = eval::evaluate(*keyed.plan, in, {});
    REQUIRE(outcome.ok());
    CHECK(eval::fiscal_year(*keyed.plan, *outcome, in, {}) == "FY2025");

    test::PlanFixture none(R"(plan "no year"
collection directors: director at directors key id
per director
  input asked: shares at asked range 0 shares to 1,000 shares
  output got: shares = asked
end
)");
    REQUIRE(none.ok());
    Session s(*none.plan, none.inputs(directors));
    CHECK(eval::fiscal_year(*none.plan, s).empty());
}

TEST_CASE("session: the series entries whose values an evaluation reads, when recorded", "[session]") {
    // Each way of reading a series: a lookup, an entry on a date, a mean of the last N, a sum
    // between dates, a product; an entry's date alone (`date of last`) is no read of its value.
    test::PlanFixture f(
        "plan \"t\"\n"
        "input d: date at d range 2000-01-01 to 2100-12-31\n"
        "series close: JPY per share at closes(date, close)\n"
        "series split: ratio at splits(date, ratio)\n"
        "value looked: JPY per share = last close before d\n"
        "value first_date: date = date of last close before 2025-01-03\n"
        "value on: JPY per share = close on 2025-01-08\n"
        "value averaged: JPY per share = mean of last 2 close up to 2025-01-07\n"
        "value summed: JPY per share = sum of close after 2025-01-08 up to 2025-01-10\n"
        "value splits: ratio = product of split after 2025-01-01 up to 2025-01-09\n"
        "output total: JPY per share = looked + on + averaged + summed + splits * looked\n"
        "output shown: date = first_date\n");
    REQUIRE(f.ok());
    const auto& in = f.inputs(
        "d = 2025-01-05\n"
        "closes = [\n"
        "  { date = 2025-01-02, close = 100 },\n"   // its date only (first_date)
        "  { date = 2025-01-03, close = 101 },\n"   // looked (last before 01-05)
        "  { date = 2025-01-06, close = 102 },\n"   // averaged
        "  { date = 2025-01-07, close = 103 },\n"   // averaged
        "  { date = 2025-01-08, close = 104 },\n"   // on
        "  { date = 2025-01-09, close = 105 },\n"   // summed
        "  { date = 2025-01-10, close = 106 },\n"   // summed
        "  { date = 2025-01-13, close = 107 },\n"   // not read
        "]\n"
        "splits = [ { date = 2025-01-01, ratio = 2 }, { date = 2025-01-09, ratio = 3 }, { date = 2025-01-10, ratio = 5 } ]\n");
    auto read = [&](Session& s, const char* list) {
        SessionProbe probe(s);
        std::string out;
        auto series = in.find(list, nullptr);
        for (std::size_t k = 0; k < in.size(series); ++k)
            out += probe.entry_read(in.child(in.element(series, k), std::string(list) == "closes" ? "close" : "ratio"))
                       ? '1' : '0';
        return out;
    };
    Session s(*f.plan, in);
    s.record_entry_reads();
    auto outcome = s.run();
    if (!outcome) FAIL(f.render(outcome.error()));
    CHECK(read(s, "closes") == "01111110");
    CHECK(read(s, "splits") == "010");
    // Not recorded: nothing is known read.
    Session quiet(*f.plan, in);
    REQUIRE(quiet.run());
    CHECK(read(quiet, "closes") == "00000000");
}

TEST_CASE("session: record keys name every collection's key, a further collection's too", "[session]") {
    // A what-if run (batch) may change none of them: a peer renamed to another peer's name
    // would be one peer listed twice.
    test::PlanFixture f(R"(plan "keys"
collection participants: participant at participants key id
collection peers: peer at peers key name
input company_tsr: ratio at company_tsr range -1 to 10
per peer
  input peer_tsr: ratio at tsr range -1 to 10
end
output tsr_percentile: percent = percentile of company_tsr among peer_tsr over peers, ties half
per participant
  input award: shares at award range 0 shares to 1,000 shares
  output vested: shares = round down(award * min(tsr_percentile, 100%), 1 share)
end
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("company_tsr = 0.18\n[[participants]]\nid = \"CEO\"\naward = 10\n"
                              "[[peers]]\nname = \"Alpha\"\ntsr = 0.1\n[[peers]]\nname = \"Beta\"\ntsr = 0.2\n");
    Session s(*f.plan, in);
    auto keys = s.record_keys();
    REQUIRE(keys.ok());
    std::vector<std::string> what;
    for (const auto& [node, description] : *keys) {
        CHECK(node);
        what.push_back(description);
    }
    CHECK(what == std::vector<std::string>{"the id of participant CEO", "the `name` of peer Alpha", "the `name` of peer Beta"});
}
