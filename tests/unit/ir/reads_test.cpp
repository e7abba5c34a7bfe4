// What a definition depends on, in the IR (ir/reads.hpp): what `hoshu diff` names as the
// causes of a changed award, and what simulate asks of a plan-wide output (does a modelled
// value reach it?).
#include "evaluator/ir/reads.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "support/plan_fixture.hpp"

using namespace hoshu;

namespace {

std::uint32_t series_index(const eval::Plan& plan, const std::string& name) {
    for (std::uint32_t i = 0; i < plan.series.size(); ++i)
        if (plan.series[i].name == name) return i;
    FAIL("no series " << name);
    return 0;
}

}  // namespace

TEST_CASE("reads: a definition's closure, through values, series and tables, not past what it reads", "[reads]") {
    test::PlanFixture f(
        "plan \"t\"\n"
        "input d: date at d range 2000-01-01 to 2100-12-31\n"
        "input a: JPY at a range ¥0 to ¥100\n"
        "input b: JPY at b range ¥0 to ¥100\n"
        "series close: JPY per share at closes(date, close)\n"
        "value price: JPY per share = last close before d\n"
        "output option_price: JPY per share = round down(price * 80%, ¥1 per share)\n"
        "output total: JPY = a + b\n");
    REQUIRE(f.ok());
    const eval::Plan& plan = *f.plan;
    const eval::ReadsClosure price = eval::reads_closure(plan, f.slot("option_price"));
    CHECK(price.slots[f.slot("option_price")]);   // itself
    CHECK(price.slots[f.slot("price")]);
    CHECK(price.slots[f.slot("d")]);
    CHECK(price.series[series_index(plan, "close")]);
    CHECK_FALSE(price.slots[f.slot("a")]);
    CHECK_FALSE(price.slots[f.slot("total")]);
    const eval::ReadsClosure total = eval::reads_closure(plan, f.slot("total"));
    CHECK(total.slots[f.slot("a")]);
    CHECK(total.slots[f.slot("b")]);
    CHECK_FALSE(total.slots[f.slot("d")]);
    CHECK_FALSE(total.series[series_index(plan, "close")]);
}

TEST_CASE("reads: what makes an output no grant of its own — another grant, the carried records' restricted", "[reads]") {
    const std::string head =
        "plan \"t\"\n"
        "input year: text at fiscal_year\n"
        "collection directors: director at directors key id\n"
        "collection grants: grant at ledger\n"
        "  belongs to director by director\n"
        "per grant\n"
        "  input g_year: text at year\n"
        "  input g_shares: shares at shares range 0 shares to 1,000 shares\n"
        "  input g_restricted: shares at restricted range 0 shares to g_shares\n"
        "  value g_vested: shares = g_restricted\n"
        "  value g_topup: shares = round down(g_shares / 10, 1 share)\n"
        "end\n"
        "per director\n"
        "  input pay: JPY at pay range ¥0 to ¥1,000,000\n"
        "  output award_shares: shares = round down(pay / ¥1,000 per share, 1 share)\n"
        "  output matching_shares: shares = round down(award_shares / 2, 1 share)\n"
        "  output vested_shares: shares = sum of g_vested over grants\n"
        "  output topup_shares: shares = sum of g_topup over grants\n"
        "end\n";
    const std::string carry =
        "carry ledger\n"
        "  for each grant:\n"
        "    year = g_year, director = id, shares = g_shares, restricted = g_restricted - g_vested\n";
    test::PlanFixture f(head + carry);
    REQUIRE(f.ok());
    const eval::Plan& plan = *f.plan;
    CHECK(eval::carried_restricted_input(plan) == f.slot("g_restricted"));
    const std::vector<std::uint32_t> all{f.slot("award_shares"), f.slot("matching_shares"), f.slot("vested_shares"),
                                         f.slot("topup_shares")};
    const auto matching = eval::grant_computed_from(plan, f.slot("matching_shares"), all);
    CHECK(matching.grants == std::vector<std::uint32_t>{f.slot("award_shares")});
    CHECK(matching.carried == eval::none);
    // The shares released of the grants carried in: not a new grant.
    const auto vested = eval::grant_computed_from(plan, f.slot("vested_shares"), all);
    CHECK(vested.grants.empty());
    CHECK(vested.carried == f.slot("g_restricted"));
    // A new grant computed from what the carried records granted (not their `restricted`).
    CHECK(eval::grant_computed_from(plan, f.slot("topup_shares"), all).carried == eval::none);
    CHECK(eval::grant_computed_from(plan, f.slot("award_shares"), all).grants.empty());
    // Records no `carry` writes are not the register's carried records.
    test::PlanFixture uncarried(head);
    REQUIRE(uncarried.ok());
    CHECK(eval::carried_restricted_input(*uncarried.plan) == eval::none);
}
