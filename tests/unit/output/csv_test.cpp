// The CSV for payroll and the share registrar: each output in the unit the plan's
// `grant_price` is per is valued at it, in its currency, named after it.
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/batch_report.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "evaluator/run/session.hpp"
#include "support/plan_fixture.hpp"

using namespace hoshu;

namespace {

/// The CSV's cells for `rules` on `toml`.
std::vector<std::vector<std::string>> rows_of(const std::string& rules, const std::string& toml) {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(toml);
    auto outcome = eval::evaluate(*f.plan, in, {});
    if (!outcome) FAIL(dsl::render(f.sm, outcome.error()));
    const auto extras = eval::report_extras(*f.plan, in, *outcome, {});
    return eval::csv_rows(*f.plan, *outcome, eval::Seal{}, "FY2026", extras);
}

std::string cell(const std::vector<std::vector<std::string>>& rows, std::size_t row, const std::string& column) {
    const auto& header = rows.front();
    auto at = std::find(header.begin(), header.end(), column);
    INFO("no column " << column);
    REQUIRE(at != header.end());
    return rows.at(row).at(static_cast<std::size_t>(at - header.begin()));
}

const std::string toml = R"(price = 12.50
[[directors]]
id = "D01"
pay = 1000.10
)";

}  // namespace

TEST_CASE("csv: awards valued at the grant-time price, in its currency, per its counted unit", "[csv]") {
    const auto rows = rows_of(R"(plan "P"
unit USD currency "$" minor 0.01
unit PSU plural PSUs whole
collection directors: director at directors key id
input price: USD per PSU at price range $0.01 per PSU to $1,000 per PSU
value grant_price: USD per PSU = price
per director
  input pay: USD at pay range $0 to $1,000,000
  output units: PSUs = round down(pay / grant_price, 1 PSU)
  output shares_too: shares = 3 shares
  output cash: USD = pay
end
)",
                              toml);
    const auto& header = rows.front();
    CHECK(cell(rows, 1, "units") == "80");
    CHECK(cell(rows, 1, "grant_price") == "12.5");
    CHECK(cell(rows, 1, "units_value_usd") == "1000");
    // Only the PSUs are valued: no column for the shares or the cash, none in yen.
    for (const char* absent : {"shares_too_value_usd", "cash_value_usd", "units_value_yen", "shares_too_value_yen"})
        CHECK(std::find(header.begin(), header.end(), absent) == header.end());
}

TEST_CASE("csv: a grant_price that is no price values nothing", "[csv]") {
    const auto rows = rows_of(R"(plan "P"
unit USD currency "$" minor 0.01
collection directors: director at directors key id
input price: USD at price range $0 to $1,000
value grant_price: USD = price
per director
  input pay: USD at pay range $0 to $1,000,000
  output award: shares = round down(pay / grant_price * 1 share, 1 share)
end
)",
                              toml);
    const auto& header = rows.front();
    CHECK(cell(rows, 1, "award") == "80");
    CHECK(cell(rows, 1, "grant_price") == "12.5");
    CHECK(std::none_of(header.begin(), header.end(),
                       [](const std::string& h) { return h.find("_value_") != std::string::npos; }));
}

TEST_CASE("csv: each record's info fields, read from its record by its key", "[csv]") {
    const auto rows = rows_of(R"(plan "P"
collection directors: director at directors key id
per director
  info title: text at title
  info team: text at org.team
  input pay: JPY at pay range ¥0 to ¥1,000,000
  output award: shares = round down(pay / 100 yen * 1 share, 1 share)
end
)",
                              R"([[directors]]
id = "D02"
title = "Director"
pay = 900
org = { team = "Audit" }
[[directors]]
id = "D01"
pay = 1000
title = "Chair, \"founder\""
[[directors]]
id = "D03"
pay = 300
org = {}
)");
    REQUIRE(rows.size() == 4);
    CHECK(cell(rows, 1, "director") == "D02");
    CHECK(cell(rows, 1, "title") == "Director");
    CHECK(cell(rows, 1, "team") == "Audit");
    CHECK(cell(rows, 2, "title") == "Chair, \"founder\"");
    CHECK(cell(rows, 2, "team").empty());   // no `org`
    CHECK(cell(rows, 3, "title").empty());  // no `title`
    CHECK(cell(rows, 3, "team").empty());   // `org` without `team`
    CHECK(cell(rows, 3, "award") == "3");
}

TEST_CASE("csv: a plan without a collection has one row, its plan-wide outputs, and no record column", "[csv]") {
    const auto rows = rows_of(R"(plan "P"
unit USD currency "$" minor 0.01
input price: USD per share at price range $0.01 per share to $1,000 per share
input pool: USD at pool range $0 to $1,000,000
value grant_price: USD per share = price
output pool_shares: shares = round down(pool / grant_price, 1 share)
output per_head: USD = pool / 4
)",
                              "price = 12.50\npool = 1000.10\n");
    REQUIRE(rows.size() == 2);   // the header and the plan's row, not a header alone
    const auto& header = rows.front();
    CHECK(header.front() == "pool_shares");   // no record column
    CHECK(std::find(header.begin(), header.end(), "director") == header.end());
    CHECK(rows[1].size() == header.size());
    CHECK(cell(rows, 1, "pool_shares") == "80");
    CHECK(cell(rows, 1, "per_head") == "250.025");
    CHECK(cell(rows, 1, "grant_price") == "12.5");
    CHECK(cell(rows, 1, "pool_shares_value_usd") == "1000");
}

TEST_CASE("csv: an output named as a column after the outputs gives that column once", "[csv]") {
    const auto rows = rows_of(R"(plan "P"
unit USD currency "$" minor 0.01
input price: USD per share at price range $0.01 per share to $1,000 per share
output grant_price: USD per share = price
output fiscal_year: text = "FY2026"
)",
                              "price = 12.50\n");
    REQUIRE(rows.size() == 2);
    const auto& header = rows.front();
    CHECK(std::count(header.begin(), header.end(), "grant_price") == 1);
    CHECK(std::count(header.begin(), header.end(), "fiscal_year") == 1);
    CHECK(cell(rows, 1, "grant_price") == "12.5");
    CHECK(cell(rows, 1, "fiscal_year") == "FY2026");
}

TEST_CASE("batch: the columns written after a scenario's, named as the header names them", "[csv]") {
    test::PlanFixture f(R"(plan "P"
unit USD currency "$" minor 0.01
input pay: USD at salary range $0 to $1,000,000
output salary: USD = pay * 2
)");
    REQUIRE(f.ok());
    const auto columns = eval::batch_result_columns(*f.plan);
    REQUIRE(columns.size() == 2);   // no record column: the plan has no collection
    CHECK(columns[0].name == "salary");
    CHECK(columns[0].output);
    CHECK(columns[0].what == "a plan-wide output");
    CHECK(columns[1].name == "violations");
    CHECK_FALSE(columns[1].output);
    CHECK(eval::batch_csv_header(*f.plan, {"salary"}) == "scenario,salary,salary,violations\n");
    const auto compared = eval::batch_compare_columns(*f.plan, *f.plan);
    std::vector<std::string> names;
    for (const auto& c : compared) names.push_back(c.name);
    CHECK(names == std::vector<std::string>{"base.salary", "salary", "change.salary", "base.violations", "violations"});
    CHECK(eval::batch_compare_header(*f.plan, *f.plan, {"x"}) ==
          "scenario,x,base.salary,salary,change.salary,base.violations,violations\n");
}
