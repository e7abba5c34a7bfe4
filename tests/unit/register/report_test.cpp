// The register's export: the grants' value column is named by the currency of the
// grant-time prices (as eval's CSV names values), or is `value` with a `currency` column
// when the prices shown are in more than one currency or one was recorded without it.
// `register show`: a director's granted counts are labelled with the grant output's unit.
#include "evaluator/register/report.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "evaluator/register/balances.hpp"
#include "evaluator/register/register.hpp"

using namespace hoshu::eval;

namespace {

StoredResult priced(std::int64_t id, std::string year, std::string director, std::string price, std::string currency) {
    StoredResult r;
    r.id = id;
    r.fiscal_year = std::move(year);
    r.grant_date = "2025-06-26";
    r.grant_price = price;
    r.lines.push_back({director, "grant", "annual_rs_shares", "shares", "100"});
    if (!currency.empty()) r.lines.push_back({"", "price", "grant_price", std::move(currency), std::move(price)});
    return r;
}

RegisterTable table_of(const std::vector<StoredResult>& results) {
    std::vector<StoredEvent> events;
    auto grants = grant_balances(results, events, "");
    REQUIRE(grants);
    return register_table(RegisterView{results, events, *grants, "", ""});
}

std::size_t column(const RegisterTable& t, const std::string& name) {
    return static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), name) - t.header.begin());
}

bool has(const RegisterTable& t, const std::string& name) { return column(t, name) < t.header.size(); }

}  // namespace

TEST_CASE("register export: the value column is named by the price's currency", "[register]") {
    SECTION("one currency: value_yen, value_eur") {
        auto yen = table_of({priced(1, "FY2024", "D01", "3020", "yen")});
        CHECK(has(yen, "value_yen"));
        CHECK_FALSE(has(yen, "currency"));
        REQUIRE(yen.rows.size() == 1);
        CHECK(yen.rows[0][column(yen, "value_yen")] == "302000");
        auto eur = table_of({priced(1, "FY2026", "P01", "41.25", "eur"), priced(2, "FY2027", "P01", "40", "eur")});
        CHECK(has(eur, "value_eur"));
        CHECK_FALSE(has(eur, "value_yen"));
        CHECK(eur.numeric[column(eur, "value_eur")]);
        CHECK(eur.rows[0][column(eur, "value_eur")] == "4125");
    }
    SECTION("two currencies: value and a currency column") {
        auto t = table_of({priced(1, "FY2024", "D01", "3020", "yen"), priced(2, "FY2025", "D01", "20", "eur")});
        REQUIRE(has(t, "value"));
        REQUIRE(has(t, "currency"));
        CHECK(column(t, "currency") == column(t, "value") + 1);
        CHECK_FALSE(t.numeric[column(t, "currency")]);
        REQUIRE(t.rows.size() == 2);
        CHECK(t.rows[0][column(t, "currency")] == "yen");
        CHECK(t.rows[1][column(t, "currency")] == "eur");
        CHECK(t.rows[1][column(t, "value")] == "2000");
        for (const auto& row : t.rows) CHECK(row.size() == t.header.size());
    }
    SECTION("a price recorded without its currency (an earlier hoshu): value and an empty currency") {
        auto t = table_of({priced(1, "FY2024", "D01", "3020", "")});
        REQUIRE(has(t, "currency"));
        CHECK(t.rows[0][column(t, "currency")].empty());
        CHECK(t.rows[0][column(t, "value")] == "302000");
    }
    SECTION("no price: value, empty, no currency column") {
        auto t = table_of({priced(1, "FY2024", "D01", "", "")});
        CHECK(has(t, "value"));
        CHECK_FALSE(has(t, "currency"));
        CHECK(t.rows[0][column(t, "value")].empty());
    }
}

namespace {

StoredResult granted_in(std::int64_t id, std::string year, std::vector<std::pair<std::string, std::string>> grants) {
    StoredResult r;
    r.id = id;
    r.fiscal_year = std::move(year);
    r.grant_date = "2025-03-15";
    for (auto& [name, unit] : grants) r.lines.push_back({"E1", "grant", name, unit, "100"});
    return r;
}

std::string shown_text(const std::vector<StoredResult>& results) {
    std::vector<StoredEvent> events;
    auto grants = grant_balances(results, events, "");
    REQUIRE(grants);
    return format_register_text(RegisterView{results, events, *grants, "", ""});
}

}  // namespace

TEST_CASE("register show: the granted column is labelled with the grant output's unit", "[register]") {
    SECTION("shares") {
        auto text = shown_text({granted_in(1, "FY2025", {{"annual_rs_shares", "shares"}})});
        CHECK(text.find("granted on  shares  restricted") != std::string::npos);
    }
    SECTION("a plan's own unit: RSUs, not shares") {
        auto text = shown_text({granted_in(1, "FY2025", {{"award_units", "RSUs"}}),
                                granted_in(2, "FY2026", {{"award_units", "RSUs"}})});
        CHECK(text.find("granted on  RSUs  restricted") != std::string::npos);
        CHECK(text.find("shares") == std::string::npos);
    }
    SECTION("grants in two units: each count says its own") {
        auto text = shown_text({granted_in(1, "FY2025", {{"award_units", "RSUs"}, {"matched_shares", "shares"}})});
        CHECK(text.find("granted on     granted  restricted") != std::string::npos);
        CHECK(text.find("100 RSUs") != std::string::npos);
        CHECK(text.find("100 shares") != std::string::npos);
    }
}
