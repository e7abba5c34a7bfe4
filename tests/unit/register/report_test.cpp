// The register's export: the grants' value column is named by the currency of the
// grant-time prices (as eval's CSV names values), or is `value` with a `currency` column
// when the prices shown are in more than one currency or one was recorded without it.
// `register show`: a director's granted counts are labelled with the grant output's unit.
// Grants of 0: listed by export (one row per grant recorded, in the record's order) and named
// by show on a line of their own, never reached by an event. `show --as-of` before every grant shows no one, a director with
// only a later event included. A stale record (computed from a superseded one) gives no
// balance, and every row that awaits it says so; a leave's export carries its count now.
#include "evaluator/register/report.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "evaluator/output/seal.hpp"
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

namespace {

/// A year granting E1 `matching` and `bonus` shares (a grant of 0 when "0"), E2 nothing.
StoredResult zeros_year(std::int64_t id, std::string year, std::string date, std::string matching, std::string bonus) {
    StoredResult r;
    r.id = id;
    r.seq = id;
    r.fiscal_year = std::move(year);
    r.grant_date = std::move(date);
    r.lines.push_back({"E1", "grant", "matching_shares", "shares", std::move(matching)});
    r.lines.push_back({"E1", "grant", "bonus_shares", "shares", std::move(bonus)});
    r.lines.push_back({"E2", "grant", "matching_shares", "shares", "0"});
    r.lines.push_back({"E2", "grant", "bonus_shares", "shares", "0"});
    return r;
}

StoredEvent stored_event(EventEntry e, std::int64_t id) {
    StoredEvent s;
    static_cast<EventEntry&>(s) = std::move(e);
    s.id = s.seq = 10 + id;
    return s;
}

std::vector<std::string> listed(const std::vector<GrantBalance>& grants) {
    std::vector<std::string> out;
    for (const auto& g : grants) out.push_back(g.director + " " + g.fiscal_year + " " + g.grant + " " + std::to_string(g.granted));
    return out;
}

}  // namespace

TEST_CASE("register show and export: every grant recorded, those of 0 too", "[register]") {
    const std::vector<StoredResult> results{zeros_year(1, "FY2026", "2026-03-31", "0", "3")};
    std::vector<StoredEvent> events;
    SECTION("listed at 0, in the record's order; left out of the balances' own reckoning") {
        auto all = grant_balances(results, events, "", ZeroGrants::listed);
        REQUIRE(all);
        CHECK(listed(*all) == std::vector<std::string>{"E1 FY2026 matching_shares 0", "E1 FY2026 bonus_shares 3",
                                                       "E2 FY2026 matching_shares 0", "E2 FY2026 bonus_shares 0"});
        for (const auto& g : *all) CHECK(g.restricted == g.granted);
        auto holding = grant_balances(results, events, "");
        REQUIRE(holding);
        CHECK(listed(*holding) == std::vector<std::string>{"E1 FY2026 bonus_shares 3"});
        auto before = grant_balances(results, events, "2026-03-30", ZeroGrants::listed);
        REQUIRE(before);
        CHECK(before->empty());
    }
    SECTION("an event reaches the grant holding shares only") {
        // One grant of FY2026 holds shares: a clawback of the year need not name it.
        EventEntry clawback{"E1", EventKind::clawback, "2026-06-30", "FY2026", "", std::string("2"), std::nullopt, "malus", "hr", "t"};
        auto checked = check_event(results, events, clawback);
        REQUIRE(checked);
        events.push_back(stored_event(*checked, 1));
        EventEntry leave{"E1", EventKind::leave, "2026-09-30", "", "", std::nullopt, std::nullopt, "resigned", "hr", "t"};
        checked = check_event(results, events, leave);
        REQUIRE(checked);
        CHECK(*checked->shares == "1");
        events.push_back(stored_event(*checked, 2));
        EventEntry lift{"E2", EventKind::lift, "2026-09-30", "", "", std::nullopt, std::nullopt, "x", "hr", "t"};
        CHECK_FALSE(check_event(results, events, lift));   // nothing restricted to lift
        auto all = grant_balances(results, events, "", ZeroGrants::listed);
        REQUIRE(all);
        REQUIRE(all->size() == 4);
        const GrantBalance& bonus = (*all)[1];
        CHECK((bonus.granted == 3 && bonus.clawed_back == 2 && bonus.forfeited == 1 && bonus.restricted == 0));
        for (std::size_t i : {0, 2, 3})
            CHECK(((*all)[i].restricted == 0 && (*all)[i].forfeited == 0 && (*all)[i].clawed_back == 0 && (*all)[i].lifted == 0));
        auto t = register_table(RegisterView{results, events, *all, "", ""});
        REQUIRE(t.rows.size() == 4);
        CHECK(t.rows[2][column(t, "director")] == "E2");
        CHECK(t.rows[2][column(t, "shares")] == "0");
        CHECK(t.rows[3][column(t, "restricted")] == "0");
        auto text = format_register_text(RegisterView{results, events, *all, "", ""});
        CHECK(text.find("\nE2\n  granted 0: FY2026 matching_shares, bonus_shares\n") != std::string::npos);
        CHECK(text.find("       1            2  0\n  granted 0: FY2026 matching_shares\n  events\n") != std::string::npos);
    }
}

TEST_CASE("register show --as-of: no one with nothing by then", "[register]") {
    const std::vector<StoredResult> results{zeros_year(1, "FY2026", "2026-03-31", "4", "3")};
    std::vector<StoredEvent> events{stored_event({"E1", EventKind::leave, "2026-09-30", "", "", std::string("7"), std::nullopt,
                                                  "resigned", "hr", "t"},
                                                 1)};
    auto text_as_of = [&](const std::string& as_of, const std::string& director) {
        auto grants = grant_balances(results, events, as_of, ZeroGrants::listed);
        REQUIRE(grants);
        return format_register_text(RegisterView{results, events, *grants, as_of, director});
    };
    for (const std::string director : {"", "E1"}) {
        auto before = text_as_of("2026-01-01", director);
        CHECK(before.find("grants as of 2026-01-01\n  (none)\n") != std::string::npos);
        CHECK(before.find("E1") == std::string::npos);
    }
    auto between = text_as_of("2026-06-30", "");
    CHECK(between.find("\nE1\n") != std::string::npos);
    CHECK(between.find("events") == std::string::npos);
    CHECK(text_as_of("", "E1").find("leave 7 shares: resigned") != std::string::npos);
}

namespace {

/// A sealed result of `year` (as `eval --format json` writes one, reduced to what the register
/// reads) whose carried records are `ledger`, carried from the result `from` (its bytes; empty:
/// from nothing).
std::string sealed(const std::string& year, const std::string& ledger, const std::string& from) {
    std::string seal = "\"rules_sha256\": \"" + std::string(64, 'a') + "\", \"inputs_sha256\": \"" + std::string(64, 'b') +
                       "\", \"engine\": \"hoshu 0.1.0\", \"plan\": \"p\", \"inputs\": \"in.toml\", \"relative_to\": \"result\", "
                       "\"rule_files\": []";
    if (!from.empty()) seal += ", \"carried_from\": \"prev.json\", \"carried_sha256\": \"" + sha256_hex(from) + "\"";
    return "{\"fiscal_year\": \"" + year + "\", \"seal\": {" + seal +
           "}, \"plan\": \"Vest\", \"totals\": {}, \"limits\": {}, \"violations\": [], \"carry\": {\"ledger\": " + ledger + "}}";
}

StoredResult vest_year(std::int64_t id, std::string year, std::string date, std::string shares, std::string json) {
    StoredResult r;
    r.id = r.seq = id;
    r.fiscal_year = std::move(year);
    r.grant_date = std::move(date);
    r.lines.push_back({"B", "grant", "award_shares", "shares", std::move(shares)});
    r.result_json = std::move(json);
    return r;
}

std::string ledger_of(std::initializer_list<std::pair<const char*, int>> restricted) {
    std::string out = "[";
    for (const auto& [year, n] : restricted)
        out += std::string(out.size() > 1 ? ", " : "") + "{\"year\": \"" + year + "\", \"director\": \"B\", \"restricted\": " +
               std::to_string(n) + "}";
    return out + "]";
}

const GrantBalance& of_year(const std::vector<GrantBalance>& grants, const std::string& year) {
    auto it = std::find_if(grants.begin(), grants.end(), [&](const GrantBalance& g) { return g.fiscal_year == year; });
    REQUIRE(it != grants.end());
    return *it;
}

}  // namespace

TEST_CASE("a stale record's carried figures are not counted by plan: the balance stays the last current view, flagged",
          "[register]") {
    // FY2024-FY2026 recorded (a grant vests two years on: FY2026 releases FY2024's), then FY2025
    // restated (4 supersedes 2: B's grant 2000 -> 4000). FY2026 (3) was computed from record 2.
    const std::string j1 = sealed("FY2024", ledger_of({{"FY2024", 2000}}), "");
    const std::string j2 = sealed("FY2025", ledger_of({{"FY2024", 2000}, {"FY2025", 2000}}), j1);
    const std::string j3 = sealed("FY2026", ledger_of({{"FY2024", 0}, {"FY2025", 2000}, {"FY2026", 2000}}), j2);
    const std::string j4 = sealed("FY2025", ledger_of({{"FY2024", 2000}, {"FY2025", 4000}}), j1);
    std::vector<StoredResult> results{vest_year(1, "FY2024", "2024-06-30", "2000", j1),
                                      vest_year(2, "FY2025", "2025-06-30", "2000", j2),
                                      vest_year(3, "FY2026", "2026-06-30", "2000", j3),
                                      vest_year(4, "FY2025", "2025-06-30", "4000", j4)};
    results[1].superseded_by = 4;
    results[3].supersedes = 2;
    std::vector<StoredEvent> events;
    auto grants = grant_balances(results, events, "", ZeroGrants::listed);
    REQUIRE(grants);
    REQUIRE(grants->size() == 3);
    const GrantBalance& fy2025 = of_year(*grants, "FY2025");
    CHECK(fy2025.granted == 4000);
    CHECK(fy2025.restricted == 4000);   // not 2000 from the stale record
    CHECK(fy2025.by_plan == 0);
    CHECK(fy2025.stale_record == 3);
    const GrantBalance& fy2024 = of_year(*grants, "FY2024");
    CHECK(fy2024.restricted == 2000);   // FY2026's vesting rests on the superseded FY2025: not taken yet
    CHECK(fy2024.by_plan == 0);
    CHECK(fy2024.balance_record == 4);
    CHECK(fy2024.stale_record == 3);
    CHECK(of_year(*grants, "FY2026").stale_record == 3);   // granted by the stale record itself

    RegisterView view{results, events, *grants, "", ""};
    auto t = register_table(view);
    REQUIRE(has(t, "stale"));
    CHECK(column(t, "stale") == column(t, "balance_record") + 1);
    for (const auto& row : t.rows) CHECK(row[column(t, "stale")] == "3");
    CHECK(format_register_json(view).find("\"stale\": 3") != std::string::npos);
    const std::string text = format_register_text(view);
    CHECK(text.find("0 STALE (record 3)") != std::string::npos);
    CHECK(text.find("STALE: record 3 (FY2026) was computed from a superseded record") != std::string::npos);

    SECTION("FY2026 evaluated again and recorded: its figures count, nothing stale") {
        const std::string j5 = sealed("FY2026", ledger_of({{"FY2024", 0}, {"FY2025", 4000}, {"FY2026", 2000}}), j4);
        results[2].superseded_by = 5;
        results.push_back(vest_year(5, "FY2026", "2026-06-30", "2000", j5));
        results.back().supersedes = 3;
        auto again = grant_balances(results, events, "", ZeroGrants::listed);
        REQUIRE(again);
        CHECK(of_year(*again, "FY2024").by_plan == 2000);
        CHECK(of_year(*again, "FY2024").balance_record == 5);
        CHECK(of_year(*again, "FY2025").restricted == 4000);
        for (const auto& g : *again) CHECK(g.stale_record == 0);
        RegisterView fresh{results, events, *again, "", ""};
        auto t2 = register_table(fresh);
        for (const auto& row : t2.rows) CHECK(row[column(t2, "stale")].empty());
        CHECK(format_register_json(fresh).find("\"stale\": null") != std::string::npos);
        CHECK(format_register_text(fresh).find("STALE") == std::string::npos);
    }
}

TEST_CASE("a leave's export carries the count it recorded and the count the balances forfeit now", "[register]") {
    std::vector<StoredResult> results{granted_in(1, "FY2025", {{"annual_rs_shares", "shares"}})};
    StoredEvent leave;
    leave.id = leave.seq = 2;
    leave.director = "E1";
    leave.kind = EventKind::leave;
    leave.date = "2025-09-01";
    leave.shares = "60";   // recorded when E1's grants were fewer (a restatement grew them since)
    StoredEvent lift = leave;
    lift.id = lift.seq = 1;
    lift.kind = EventKind::lift;
    lift.date = "2025-08-01";
    lift.shares = "10";
    lift.fiscal_year = "FY2025";
    lift.grant = "annual_rs_shares";
    std::vector<StoredEvent> events{lift, leave};
    auto grants = grant_balances(results, events, "");
    REQUIRE(grants);
    RegisterView view{results, events, *grants, "", ""};
    const std::string json = format_register_json(view);
    CHECK(json.find("\"shares\": 60, \"shares_now\": 90,") != std::string::npos);
    CHECK(json.find("\"shares\": 10, \"shares_now\": null,") != std::string::npos);   // a lift: its count is what it did
    CHECK(format_register_text(view).find("leave 60 shares (now 90 with the grants recorded since)") != std::string::npos);
}
