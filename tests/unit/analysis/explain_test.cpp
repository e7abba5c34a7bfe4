// Explaining a value: the derivation's steps, root first and each definition once, with
// what each used, the table row that fired, each rounding, the branch taken, the pro rata
// factor, and the hints when the director or the value is unknown.
#include "evaluator/analysis/explain.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "support/plan_fixture.hpp"

using namespace hoshu;

namespace {

const std::string rules = R"(plan "explained"
table payout(x: ratio) -> ratio
  below 50% -> 0
  from 50% to 100% -> linear 0 to 1
  above 100% -> 1
input target: JPY at target range ¥1 to ¥1,000
collection directors: director at directors key id
per director
  input sales: JPY at sales range ¥0 to ¥1,000
  input executive: boolean at executive
  value achieved: ratio = sales / target
    source C5 "achievement"
  output shares: shares = if executive then round down(payout(achieved) * 75 shares, 1 share) else 0 shares
end
output total: shares = sum of shares over directors
limit cap: sum of shares over directors <= 40 shares
  allocate pro rata shares round down to 1 share
)";

const std::string inputs = R"(target = 200
[[directors]]
id = "D01"
sales = 150
executive = true
[[directors]]
id = "D02"
sales = 190
executive = true
[[directors]]
id = "D03"
sales = 100
executive = false
)";

const eval::ExplainStep& step(const eval::Explanation& e, const std::string& id) {
    auto it = std::find_if(e.steps.begin(), e.steps.end(), [&](const auto& s) { return s.id == id; });
    INFO("no step " << id);
    REQUIRE(it != e.steps.end());
    return *it;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("explain: root first, each definition once, what each used", "[explain]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    eval::Session session(*f.plan, in);
    auto e = eval::explain(*f.plan, f.sm, session, "D01", "shares");
    if (!e) FAIL(f.render(e.error()));
    CHECK(e->root == "shares@D01");
    REQUIRE_FALSE(e->steps.empty());
    CHECK(e->steps.front().id == "shares@D01");
    const auto& shares = step(*e, "shares@D01");
    CHECK(shares.kind == "output");
    CHECK(shares.scope == "director D01");
    CHECK(shares.uses == std::vector<std::string>{"executive@D01", "achieved@D01"});
    const auto& achieved = step(*e, "achieved@D01");
    CHECK(achieved.uses == std::vector<std::string>{"sales@D01", "target"});   // target is plan-wide
    CHECK(achieved.value == "0.75");
    REQUIRE(achieved.sources.size() == 1);
    CHECK(achieved.sources[0].clause == "C5");
    CHECK(step(*e, "target").scope == "plan");
    CHECK(step(*e, "sales@D01").formula == "from the inputs: sales");
    // Each definition once, however often it is used.
    std::vector<std::string> ids;
    for (const auto& s : e->steps) ids.push_back(s.id);
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("explain: the branch taken, the row that fired, the rounding, the scaling", "[explain]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    eval::Session session(*f.plan, in);
    auto e = eval::explain(*f.plan, f.sm, session, "D01", "shares");
    if (!e) FAIL(f.render(e.error()));
    const auto& d = step(*e, "shares@D01").details;
    INFO(Catch::Detail::stringify(d));
    CHECK(has(d, "if executive: true → round down(payout(achieved) * 75 shares, 1 share)"));
    CHECK(has(d, "payout(x = 0.75): row `from 50% to 100% -> linear 0 to 1` (50% ≤ x ≤ 100%) → 0.5"));
    CHECK(has(d, "round down to 1 share: 37.5 → 37"));
    // 37 + 67 = 104 shares for a cap of 40: every director's shares scaled by 40/104 = 5/13.
    CHECK(has(d, "scaled pro rata by 5/13 ≈ 0.384615 (limit cap): 37 × 5/13 = 185/13 ≈ 14.230769, round down to 1 share → 14 shares"));
    auto not_executive = eval::explain(*f.plan, f.sm, session, "D03", "shares");
    REQUIRE(not_executive.ok());
    CHECK(has(step(*not_executive, "shares@D03").details, "if executive: false → 0 shares"));
}

TEST_CASE("explain: the scaling names the plan's limits that scaled the value", "[explain]") {
    // 104 shares before scaling: three limits over their bound scale them by one factor,
    // the smallest (40/104 = 5/13, of cap and also_cap); a fourth, not exceeded, is not named.
    std::string two = rules + R"(limit also_cap: sum of shares over directors <= 40 shares
  allocate pro rata shares round down to 1 share
limit softer: sum of shares over directors <= 52 shares
  allocate pro rata shares round down to 1 share
limit loose: sum of shares over directors <= 200 shares
  allocate pro rata shares round down to 1 share
)";
    test::PlanFixture f(two);
    REQUIRE(f.ok());
    eval::Session session(*f.plan, f.inputs(inputs));
    auto e = eval::explain(*f.plan, f.sm, session, "D01", "shares");
    if (!e) FAIL(f.render(e.error()));
    const auto& d = step(*e, "shares@D01").details;
    INFO(Catch::Detail::stringify(d));
    CHECK(has(d, "scaled pro rata by 5/13 ≈ 0.384615 (limits cap, also_cap, softer): 37 × 5/13 = 185/13 ≈ 14.230769, round down to 1 share → 14 shares"));
    // Each limit's own total and factor, as computed before scaling; the softer one's factor
    // is not the one applied, and the derivation says which is.
    const auto& f2 = step(*e, "shares@D01").factor_derivation;
    INFO(Catch::Detail::stringify(f2));
    CHECK(std::count(f2.begin(), f2.end(), std::string("total before scaling: 104 shares — over the bound")) == 3);
    CHECK(has(f2, "factor for this limit: 52 ÷ 104 = 0.5"));
    CHECK(has(f2, "factor for this limit: 40 ÷ 104 = 5/13 ≈ 0.384615"));
    CHECK(has(f2, "factor applied (the smallest of the limits' factors): 5/13 ≈ 0.384615"));
}

TEST_CASE("explain: a plan-wide value needs no director", "[explain]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    eval::Session session(*f.plan, f.inputs(inputs));
    auto e = eval::explain(*f.plan, f.sm, session, "", "total");
    if (!e) FAIL(f.render(e.error()));
    CHECK(e->root == "total");
    CHECK(step(*e, "total").scope == "plan");
}

TEST_CASE("explain: an unknown director or value is an error listing what there is", "[explain]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    eval::Session session(*f.plan, f.inputs(inputs));
    auto who = eval::explain(*f.plan, f.sm, session, "D09", "shares");
    REQUIRE_FALSE(who.ok());
    CHECK(who.error().items()[0].message == "no director `D09` in the inputs");
    CHECK(who.error().items()[0].hint == "the inputs list: D01, D02, D03");
    auto what = eval::explain(*f.plan, f.sm, session, "D01", "bonus");
    REQUIRE_FALSE(what.ok());
    CHECK(what.error().items()[0].message == "no definition `bonus` to explain");
    CHECK(what.error().items()[0].hint == "the outputs are: shares; plan-wide: total");
    auto nobody = eval::explain(*f.plan, f.sm, session, "", "shares");
    REQUIRE_FALSE(nobody.ok());
    CHECK(nobody.error().items()[0].message == "say which director with --director (or explain a plan-wide value)");
}

TEST_CASE("explain: a value of a record carried from an earlier result says where it was carried from", "[explain]") {
    test::PlanFixture f(R"(plan "carried"
collection directors: director at directors key id
collection tranches: tranche at tranches
  belongs to director by director
per tranche
  input tranche_points: shares at points range 0 shares to 1,000 shares
end
per director
  input bonus: shares at bonus range 0 shares to 1,000 shares
  output unvested: shares = bonus + sum of tranche_points over tranches
end
)");
    REQUIRE(f.ok());
    const std::vector<eval::InputFile::Carried> carried{
        {"tranches", "fy2024.json, carry.tranches", "[[tranches]]\ndirector = \"D01\"\npoints = 7\n"}};
    auto in = eval::InputFile::parse_with_carried(f.sm, "fy2025.toml", "[[directors]]\nid = \"D01\"\nbonus = 3\n",
                                                  carried);
    if (!in) FAIL(f.render(in.error()));
    eval::Session session(*f.plan, *in);
    auto e = eval::explain(*f.plan, f.sm, session, "D01", "unvested");
    if (!e) FAIL(f.render(e.error()));
    CHECK(step(*e, "unvested@D01").value == "10");
    // Read from the inputs file: said so.
    CHECK(step(*e, "bonus@D01").formula == "from the inputs: bonus");
    // Carried: not in the inputs file, but in the result it was carried from.
    const auto& points = step(*e, "tranche_points@D01#1");
    CHECK(points.formula == "carried from fy2024.json, carry.tranches: points");
    CHECK(points.read_from.rfind("fy2024.json, carry.tranches:", 0) == 0);
}

TEST_CASE("explain: a record of a further collection with inputs alone is explained by its inputs", "[explain]") {
    // A peer given its TSR: the working paper's page for it shows the input and its line.
    test::PlanFixture f(R"(plan "peers"
collection directors: director at directors key id
collection peers: peer at peers key name
input company_tsr: ratio at company_tsr range -1 to 10
per peer
  input peer_tsr: ratio at tsr range -1 to 10
end
output tsr_percentile: percent = percentile of company_tsr among peer_tsr over peers, ties half
per director
  input award: shares at award range 0 shares to 1,000 shares
  output vested: shares = round down(award * min(tsr_percentile, 100%), 1 share)
end
)");
    REQUIRE(f.ok());
    eval::Session session(*f.plan, f.inputs("company_tsr = \"18%\"\n[[directors]]\nid = \"CEO\"\naward = 100\n"
                                            "[[peers]]\nname = \"Alpha\"\ntsr = \"10%\"\n"
                                            "[[peers]]\nname = \"Beta\"\ntsr = \"20%\"\n"));
    auto ran = session.run();
    if (!ran) FAIL(f.render(ran.error()));
    auto e = eval::explain_record(*f.plan, f.sm, session, *ran, 0, 1);
    REQUIRE(e);
    CHECK(e->root == "peer_tsr@Beta");
    const auto& tsr = step(*e, "peer_tsr@Beta");
    CHECK(tsr.kind == "input");
    CHECK(tsr.value == "0.2");
    CHECK(tsr.read_from == "in.toml:10");
    CHECK(tsr.read_line == "tsr = \"20%\"");
}
