// The register's hash chain and canonical form; fiscal years in order; balances from
// results and events; the register file itself (a temporary SQLite file): record,
// supersede, events, the chain verified and an edit behind its back named.
#include "evaluator/register/chain.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "evaluator/register/balances.hpp"
#include "evaluator/register/register.hpp"
#include "evaluator/register/report.hpp"

using namespace hoshu::eval;

TEST_CASE("the canonical form tells apart what a separator could confuse", "[register]") {
    CanonicalRow a, b, c, d;
    a.field("x", "1\ny:1:2");
    b.field("x", "1").field("y", "2");
    CHECK(a.text() != b.text());
    c.field("x", "");
    d.null("x");
    CHECK(c.text() != d.text());
    CHECK(c.text() == "x:0:\n");
    CHECK(d.text() == "x!\n");
}

TEST_CASE("each hash covers the previous hash and the row", "[register]") {
    CanonicalRow row;
    row.field("fiscal_year", "FY2024");
    std::string h1 = chain_hash(chain_origin(), row);
    CHECK(h1.size() == 64);
    CHECK(h1 == chain_hash(chain_origin(), row));
    CHECK(h1 != chain_hash(h1, row));
    CanonicalRow edited;
    edited.field("fiscal_year", "FY2025");
    CHECK(h1 != chain_hash(chain_origin(), edited));
    CHECK(chain_origin() == std::string(64, '0'));
}

TEST_CASE("fiscal years compare by their number", "[register]") {
    CHECK(fiscal_year_before("FY2024", "FY2025"));
    CHECK_FALSE(fiscal_year_before("FY2025", "FY2024"));
    CHECK(fiscal_year_before("FY999", "FY2024"));
    CHECK_FALSE(fiscal_year_before("FY2024", "FY2024"));
}

namespace {

StoredResult result(std::int64_t id, std::string year, std::string date, std::string director, std::string shares) {
    StoredResult r;
    r.id = id;
    r.fiscal_year = std::move(year);
    r.grant_date = std::move(date);
    r.grant_price = "3020";
    r.lines.push_back({director, "grant", "annual_rs_shares", "shares", std::move(shares)});
    r.lines.push_back({director, "output", "forfeited_shares", "shares", "0"});
    return r;
}

StoredEvent stored(EventEntry e, std::int64_t seq) {
    StoredEvent s;
    static_cast<EventEntry&>(s) = std::move(e);
    s.id = s.seq = seq;
    return s;
}

}  // namespace

TEST_CASE("balances: lift, leave, clawback, additional, on any date", "[register]") {
    std::vector<StoredResult> results{result(1, "FY2024", "2025-06-26", "D03", "4846"),
                                      result(2, "FY2025", "2026-06-26", "D03", "4900")};
    std::vector<StoredEvent> events;
    EventEntry lift{"D03", EventKind::lift, "2026-06-26", "FY2024", "", std::nullopt, std::nullopt, "12 months", "hr", "t"};
    auto checked = check_event(results, events, lift);
    REQUIRE(checked);
    CHECK(*checked->shares == "4846");
    events.push_back(stored(*checked, 1));
    EventEntry leave{"D03", EventKind::leave, "2026-09-30", "", "", std::nullopt, std::nullopt, "resigned", "hr", "t"};
    checked = check_event(results, events, leave);
    REQUIRE(checked);
    CHECK(*checked->shares == "4900");   // what is still restricted is forfeited
    events.push_back(stored(*checked, 2));

    auto before = grant_balances(results, events, "2026-06-25");
    REQUIRE(before);
    REQUIRE(before->size() == 1);   // FY2025's grant is not made yet
    CHECK((*before)[0].restricted == 4846);
    auto after = grant_balances(results, events, "");
    REQUIRE(after);
    REQUIRE(after->size() == 2);
    CHECK((*after)[0].lifted == 4846);
    CHECK((*after)[0].restricted == 0);
    CHECK((*after)[1].forfeited == 4900);

    EventEntry late{"D03", EventKind::lift, "2026-01-01", "", "", std::nullopt, std::nullopt, "x", "hr", "t"};
    CHECK_FALSE(check_event(results, events, late));   // before the director's last event
    EventEntry claw{"D03", EventKind::clawback, "2026-10-01", "FY2025", "", std::string("1"), std::nullopt, "x", "hr", "t"};
    CHECK_FALSE(check_event(results, events, claw));   // nothing restricted is left
    EventEntry nobody{"D99", EventKind::leave, "2026-10-01", "", "", std::nullopt, std::nullopt, "x", "hr", "t"};
    CHECK_FALSE(check_event(results, events, nobody));
    EventEntry more{"D03", EventKind::additional, "2026-10-01", "FY2026", "", std::string("120"), std::nullopt, "P7", "hr", "t"};
    checked = check_event(results, events, more);
    REQUIRE(checked);
    events.push_back(stored(*checked, 3));
    auto last = grant_balances(results, events, "");
    REQUIRE(last);
    REQUIRE(last->size() == 3);
    CHECK((*last)[2].grant == "additional");
    CHECK((*last)[2].restricted == 120);
}

TEST_CASE("balances: a lift or clawback of N shares takes them from the grant it was checked against, not a later year's",
          "[register]") {
    // Both recorded while only FY2024 was, dated after FY2025's grant date: FY2025's grant,
    // recorded later, reaches their dates; the next year's evaluation takes the shares from
    // the FY2024 records it carries in, and so does the register (it lifted both grants whole
    // and clawed back nothing).
    std::vector<StoredResult> results{result(1, "FY2024", "2025-06-26", "D03", "4846")};
    std::vector<StoredEvent> events;
    EventEntry lift{"D03", EventKind::lift, "2026-07-01", "", "", std::string("100"), std::nullopt, "part", "hr", "t"};
    auto checked = check_event(results, events, lift);
    REQUIRE(checked);
    events.push_back(stored(*checked, 2));
    EventEntry claw{"D03", EventKind::clawback, "2026-07-02", "", "", std::string("50"), std::nullopt, "x", "hr", "t"};
    checked = check_event(results, events, claw);
    REQUIRE(checked);
    events.push_back(stored(*checked, 3));
    results.push_back(result(4, "FY2025", "2026-06-26", "D03", "4900"));
    auto after = grant_balances(results, events, "");
    REQUIRE(after);
    REQUIRE(after->size() == 2);
    CHECK((*after)[0].lifted == 100);
    CHECK((*after)[0].clawed_back == 50);
    CHECK((*after)[0].restricted == 4696);
    CHECK((*after)[1].lifted == 0);
    CHECK((*after)[1].clawed_back == 0);
    CHECK((*after)[1].restricted == 4900);
}

TEST_CASE("an event's --year is a fiscal year the register holds", "[register]") {
    std::vector<StoredResult> results{result(1, "FY2024", "2025-06-26", "D03", "4846")};
    std::vector<StoredEvent> events;
    auto event = [&](EventKind kind, std::string year) {
        EventEntry e{"D03", kind, "2026-06-26", std::move(year), "", std::string("100"), std::nullopt, "x", "hr", "t"};
        return check_event(results, events, e);
    };
    auto message = [](const hoshu::Result<EventEntry>& r) { return r ? std::string() : r.error().items().front().message; };
    CHECK(event(EventKind::clawback, "FY2024"));
    CHECK(event(EventKind::additional, "FY2024"));
    CHECK(event(EventKind::additional, "FY2025"));   // the year after the latest recorded: the final year's reassessment
    CHECK(message(event(EventKind::additional, "banana")) ==
          "--year banana: an additional grant is for a fiscal year the register holds, or the one after the latest recorded, "
          "FY2025 (FY2024, FY2025)");
    CHECK(message(event(EventKind::additional, "fy2024")).ends_with("; did you mean FY2024?"));
    CHECK(message(event(EventKind::additional, "FY2205")).ends_with("; did you mean FY2025?"));
    CHECK_FALSE(event(EventKind::additional, "FY2019"));   // before the register's first year
    CHECK_FALSE(event(EventKind::additional, "FY2026"));   // two years past the latest
    CHECK(message(event(EventKind::clawback, "FY2025")) ==
          "--year FY2025: the register holds no fiscal year of that name (FY2024); did you mean FY2024?");
    // An additional grant's year is one the register holds from then on.
    auto more = event(EventKind::additional, "FY2025");
    REQUIRE(more);
    events.push_back(stored(*more, 1));
    CHECK(event(EventKind::clawback, "FY2025"));
}

TEST_CASE("an event's rate is a number and its texts read as they are", "[register]") {
    std::vector<StoredResult> results{result(1, "FY2024", "2025-06-26", "D03", "4846")};
    std::vector<StoredEvent> events;
    auto rate = [&](std::string r) {
        EventEntry e{"D03", EventKind::rate, "2026-05-18", "FY2024", "", std::nullopt, std::move(r), "P7", "hr", "t"};
        return check_event(results, events, e);
    };
    CHECK(rate("0.70"));
    CHECK(rate("70%"));
    CHECK(rate("7/10"));
    CHECK(rate("0"));
    CHECK_FALSE(rate("abc"));   // was recorded, for good, and broke every later --register
    CHECK_FALSE(rate("-5"));
    CHECK_FALSE(rate("1/0"));
    CHECK_FALSE(rate(" 0.7"));
    auto lift = [&](std::string director, std::string reason, std::string by) {
        EventEntry e{std::move(director), EventKind::lift, "2026-06-26", "", "", std::nullopt, std::nullopt,
                     std::move(reason), std::move(by), "t"};
        return check_event(results, events, e);
    };
    CHECK(lift("D03", "12 months (C12) 任期満了", "hr-sato"));
    auto hidden = lift("D03", "ok\x1b[2Jcleared", "hr");   // an escape sequence `register show` printed as is
    REQUIRE_FALSE(hidden);
    CHECK(hidden.error().items().front().message ==
          "--reason ok\\x1b[2Jcleared: holds the hidden character U+001B (a control character); write it on one line "
          "with visible characters");
    CHECK_FALSE(lift("D03", "two\nlines", "hr"));
    CHECK_FALSE(lift("D03", "x", "hr\u202e"));
    CHECK_FALSE(lift("D03\x1b[31m", "x", "hr"));
    CHECK_FALSE(lift("D03", "caf\xe9", "hr"));
}

TEST_CASE("a register file: record, supersede, verify, an edit named", "[register]") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("hoshu_register_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::string path = (dir / "r.db").string();
    fs::remove(path);
    {
        auto reg = Register::create(path);
        REQUIRE(reg);
        CHECK_FALSE(Register::create(path));   // never over an existing file
        ResultEntry e;
        e.fiscal_year = "FY2024";
        e.result_json = R"({"fiscal_year": "FY2024", "directors": [{"id": "D03", "annual_rs_shares": 4846}]})";
        e.lines.push_back({"D03", "grant", "annual_rs_shares", "shares", "4846"});
        e.recorded_by = "hr";
        e.recorded_at = "2025-07-01T00:00:00Z";
        REQUIRE(reg->record(e, false));
        CHECK_FALSE(reg->record(e, false));   // the year again needs supersede
        e.reason = "corrected inputs";
        auto second = reg->record(e, true);
        REQUIRE(second);
        auto all = reg->results();
        REQUIRE(all);
        REQUIRE(all->size() == 2);
        CHECK((*all)[0].superseded_by == *second);
        auto prior = reg->latest_result_before("FY2025");
        REQUIRE(prior);
        REQUIRE(prior->has_value());
        CHECK((*prior)->id == *second);
        CHECK((*prior)->result_json == e.result_json);
        auto none = reg->latest_result_before("FY2024");
        REQUIRE(none);
        CHECK_FALSE(none->has_value());
        auto problems = reg->verify_chain();
        REQUIRE(problems);
        CHECK(problems->empty());
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE result_lines SET value = '4847'", nullptr, nullptr, nullptr) != SQLITE_OK);   // append-only
    REQUIRE(sqlite3_exec(db, "DROP TRIGGER lines_append_only_u; UPDATE result_lines SET value = '4847' WHERE result_id = 1",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    {
        auto reg = Register::open(path);
        REQUIRE(reg);
        auto problems = reg->verify_chain();
        REQUIRE(problems);
        REQUIRE(problems->size() == 3);
        // The schema first: the append-only trigger dropped to make the edit.
        CHECK((*problems)[0] == "the schema has no trigger lines_append_only_u, which hoshu creates (the register is append-only through it)");
        CHECK((*problems)[1] == "results row id 1 (FY2024): result_lines says D03 annual_rs_shares = 4847, its result says 4846");
        CHECK((*problems)[2] == "results row id 1 (FY2024, seq 1): its content does not match its hash (edited after it was recorded)");
    }
    fs::remove_all(dir);
}

TEST_CASE("register show: a text recorded with an escape sequence is shown escaped", "[register]") {
    // (A register written before events' texts were checked may hold one.)
    std::vector<StoredResult> results;
    std::vector<StoredEvent> events(1);
    events[0].director = "D03";
    events[0].kind = EventKind::lift;
    events[0].date = "2025-07-01";
    events[0].reason = "board\x1b]0;owned\x07 resolution \x1b[31mred";
    events[0].recorded_by = "hr\x1b[2J";
    events[0].recorded_at = "2025-07-01T00:00:00Z";
    std::vector<GrantBalance> grants;
    const std::string text = format_register_text(RegisterView{results, events, grants, "", ""});
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find("resolution") != std::string::npos);
    CHECK(text.find("D03") != std::string::npos);
}

TEST_CASE("a grant's count is one the register holds: a whole number from 0 to 18 nines", "[register]") {
    auto [value, problem] = GENERATE(table<std::string, std::string>({
        {"0", ""},
        {"4846", ""},
        {"999999999999999999", ""},
        {"4028.846", "not a whole number"},
        {"1/3", "not a whole number"},
        {"-4.5", "not a whole number"},
        {"", "not a whole number"},
        {"-5", "below 0"},
        {"1000000000000000000", "more than 999999999999999999"},
        {"12345678901234567890123", "more than 999999999999999999"},
    }));
    CAPTURE(value);
    CHECK(grant_count_problem(value) == problem);
    CHECK(share_count(value).has_value() == problem.empty());
}

TEST_CASE("an event's messages name a record in the plan's word for one", "[register]") {
    std::vector<StoredResult> results{result(1, "FY2024", "2025-06-26", "E1", "999999999999999000")};
    std::vector<StoredEvent> events;
    auto message = [](const hoshu::Result<EventEntry>& r) { return r ? std::string() : r.error().items().front().message; };
    EventEntry more{"E1", EventKind::additional, "2026-06-26", "FY2024", "", std::string("1000"), std::nullopt, "x", "hr", "t"};
    CHECK(message(check_event(results, events, more, "employee")) ==
          "E1's grants with this one would come to more than 999999999999999999 shares (at most 18 digits), the most the "
          "register counts for one employee");
    CHECK(message(check_event(results, events, more)).ends_with("for one director"));   // (no plan word given)
    EventEntry leave{"E1", EventKind::leave, "2026-06-26", "FY2024", "", std::nullopt, std::nullopt, "x", "hr", "t"};
    CHECK(message(check_event(results, events, leave, "employee")) == "a leave forfeits every grant at once: no --year or --grant");
}
