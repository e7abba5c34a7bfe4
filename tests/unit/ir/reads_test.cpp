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
