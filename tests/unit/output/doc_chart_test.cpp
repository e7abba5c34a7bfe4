// table_chart_svg: the axes of a table's chart say each value in its own type and unit, as
// the table's rows write it (a count as a count, an amount with its currency's minor
// decimals, a percent as a percentage).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "evaluator/output/html.hpp"
#include "support/plan_fixture.hpp"

namespace {

const std::string tables = R"(plan "axes"
unit USD currency "$" minor 0.01
table by_count(s: count) -> percent monotone
  below 50 -> 0%
  from 50 to below 70 -> 80%
  from 70 -> 100%
table by_price(p: USD) -> percent monotone
  below $10.25 -> 0%
  from $10.25 to below $20.50 -> 50%
  from $20.50 -> 100%
table by_yen(y: JPY) -> shares monotone
  below ¥1,000 -> 0 shares
  from ¥1,000 to below ¥2,500 -> 10 shares
  from ¥2,500 -> 25 shares
table by_percent(r: percent) -> USD monotone
  below 5% -> $0
  from 5% to below 12.5% -> $1.50
  from 12.5% -> $3
table by_ratio(r: ratio) -> ratio monotone
  below 80% -> 0
  from 80% -> 1
)";

/// The text of every <text> element of the chart of table `name`, in document order
/// (the x-axis ticks, the y-axis ticks, then the x-axis caption).
std::vector<std::string> labels(const hoshu::eval::Plan& plan, const std::string& name) {
    const hoshu::eval::Table* table = nullptr;
    for (const auto& t : plan.tables)
        if (t.name == name) table = &t;
    REQUIRE(table);
    const std::string svg = hoshu::eval::table_chart_svg(plan, {table}, {name});
    std::vector<std::string> out;
    for (auto at = svg.find("<text"); at != std::string::npos; at = svg.find("<text", at + 1)) {
        auto begin = svg.find('>', at) + 1;
        out.push_back(svg.substr(begin, svg.find("</text>", begin) - begin));
    }
    return out;
}

}  // namespace

TEST_CASE("doc chart: axis ticks in the key's own type and unit", "[doc]") {
    hoshu::test::PlanFixture f(tables);
    REQUIRE(f.ok());
    const auto& plan = *f.plan;
    // A count: the numbers themselves (not 5,000%).
    CHECK(labels(plan, "by_count") ==
          std::vector<std::string>{"50", "70", "0%", "80%", "100%", "s (count)"});
    // An amount of a currency with cents: its cents.
    CHECK(labels(plan, "by_price") ==
          std::vector<std::string>{"10.25", "20.50", "0%", "50%", "100%", "p (USD)"});
    // An amount of a currency without minor amounts, and shares: grouped whole numbers.
    CHECK(labels(plan, "by_yen") ==
          std::vector<std::string>{"1,000", "2,500", "0", "10", "25", "y (JPY)"});
    // A percent as a percentage; an amount on the y axis with its cents (whole ones as they are).
    CHECK(labels(plan, "by_percent") ==
          std::vector<std::string>{"5%", "12.5%", "0", "1.50", "3", "r (percent)"});
    // A ratio is charted as the rows write it: a percentage.
    CHECK(labels(plan, "by_ratio") == std::vector<std::string>{"80%", "0%", "100%", "r (ratio)"});
}
