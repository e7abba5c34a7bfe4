// What the register hands to the next year: the events recorded after the carried-from
// result, in date order; each kind applied to the carried records it names (director, year,
// grant), and a note for what changes no record.
#include "evaluator/register/carry.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "evaluator/output/seal.hpp"

using namespace hoshu::eval;

namespace {

RecordedResult prior_with(const std::string& carry) {
    auto json = read_json_exact(R"({"carry": {"ledger": )" + carry + "}}");
    REQUIRE(json.ok());
    RecordedResult r;
    r.json = std::move(*json);
    return r;
}

const JsonValue& record(const RecordedResult& r, std::size_t i) { return r.json.find("carry")->find("ledger")->items[i]; }

std::string field(const RecordedResult& r, std::size_t i, const char* key) {
    const JsonValue* v = record(r, i).find(key);
    return v ? v->text : "(none)";
}

StoredEvent event(std::int64_t seq, EventKind kind, std::string director, std::string date) {
    StoredEvent e;
    e.id = e.seq = seq;
    e.kind = kind;
    e.director = std::move(director);
    e.date = std::move(date);
    return e;
}

const char* ledger = R"([
  {"year": "FY2024", "director": "D04", "component": "annual", "restricted": 5452},
  {"year": "FY2025", "director": "D04", "component": "midterm", "restricted": 5887},
  {"year": "FY2025", "director": "D07", "component": "annual", "restricted": 5116},
  {"year": "FY2025", "director": "D07", "component": "midterm", "restricted": 4331}
])";

}  // namespace

TEST_CASE("the events recorded after the carried-from result apply, in date order", "[register]") {
    StoredResult prior;
    prior.seq = 5;
    std::vector<StoredEvent> events{event(4, EventKind::lift, "D01", "2026-01-01"), event(6, EventKind::rate, "D01", "2027-05-01"),
                                    event(7, EventKind::lift, "D02", "2026-09-01")};
    auto since = events_since(prior, events);
    REQUIRE(since.size() == 2);
    CHECK(since[0].seq == 7);   // dated first
    CHECK(since[1].seq == 6);
}

TEST_CASE("a rate event writes reassessed_rate on the records of its director, year and grant", "[register]") {
    auto r = prior_with(ledger);
    auto e = event(1, EventKind::rate, "D04", "2027-05-18");
    e.fiscal_year = "FY2025";
    e.grant = "midterm_rs_shares";
    e.rate = "0.70";
    auto notes = apply_events(r, {e});
    REQUIRE(notes.ok());
    CHECK(notes->empty());
    CHECK(field(r, 1, "reassessed_rate") == "0.70");
    CHECK(record(r, 1).find("reassessed_rate")->kind == JsonValue::Kind::string);
    CHECK(field(r, 0, "reassessed_rate") == "(none)");   // another year
    CHECK(field(r, 3, "reassessed_rate") == "(none)");   // another director
}

TEST_CASE("lift, clawback and leave lower what is restricted", "[register]") {
    auto r = prior_with(ledger);
    auto lift = event(1, EventKind::lift, "D07", "2027-01-31");
    lift.grant = "annual_rs_shares";
    lift.shares = "5116";
    auto claw = event(2, EventKind::clawback, "D04", "2027-06-01");
    claw.fiscal_year = "FY2025";
    claw.grant = "midterm_rs_shares";
    claw.shares = "1466";
    auto notes = apply_events(r, {lift, claw});
    REQUIRE(notes.ok());
    CHECK(field(r, 2, "restricted") == "0");
    CHECK(field(r, 3, "restricted") == "4331");   // the other grant of D07
    CHECK(field(r, 1, "restricted") == "4421");
    CHECK(field(r, 0, "restricted") == "5452");
    auto leave = event(3, EventKind::leave, "D04", "2027-07-01");
    leave.shares = "9873";
    REQUIRE(apply_events(r, {leave}).ok());
    CHECK(field(r, 0, "restricted") == "0");
    CHECK(field(r, 1, "restricted") == "0");
    CHECK(field(r, 3, "restricted") == "4331");
}

TEST_CASE("an event that changes no carried record is noted, not applied", "[register]") {
    auto r = prior_with(ledger);
    auto add = event(1, EventKind::additional, "D04", "2027-06-25");
    add.fiscal_year = "FY2026";
    add.shares = "100";
    auto none = event(2, EventKind::rate, "D99", "2027-05-18");
    none.rate = "0.5";
    auto notes = apply_events(r, {add, none});
    REQUIRE(notes.ok());
    REQUIRE(notes->size() == 2);
    CHECK((*notes)[0].find("event 1 (additional D04 FY2026 on 2027-06-25) is not carried") == 0);
    CHECK((*notes)[1].find("event 2 (rate D99 on 2027-05-18) changes no carried record: none is of D99") == 0);
}

TEST_CASE("a carried restricted that is not a whole number of shares is an error", "[register]") {
    auto r = prior_with(R"([{"year": "FY2024", "director": "D04", "restricted": "1/2"}])");
    auto lift = event(1, EventKind::lift, "D04", "2027-01-31");
    lift.shares = "1";
    auto notes = apply_events(r, {lift});
    REQUIRE_FALSE(notes.ok());
    CHECK(notes.error().items()[0].message.find("not a whole number of shares") != std::string::npos);
}

TEST_CASE("a count past 18 digits is said to be one, not \"not a whole number\"", "[register]") {
    // (An earlier version recorded a director's grants past 18 digits and a leave of them.)
    auto r = prior_with(R"([{"year": "FY2024", "director": "D04", "restricted": 5}])");
    auto leave = event(1, EventKind::leave, "D04", "2027-01-31");
    leave.shares = "1000000000000000999";
    auto notes = apply_events(r, {leave});
    REQUIRE_FALSE(notes.ok());
    CHECK(notes.error().items()[0].message ==
          "event 1 (leave D04 on 2027-01-31): its shares `1000000000000000999` are more than 999999999999999999, not a count "
          "the register reads: a count is a whole number from 0 to 999999999999999999 (at most 18 digits)");
    auto big = prior_with(R"([{"year": "FY2024", "director": "D04", "restricted": 1000000000000000999}])");
    auto lift = event(2, EventKind::lift, "D04", "2027-01-31");
    lift.shares = "1";
    auto lifted = apply_events(big, {lift});
    REQUIRE_FALSE(lifted.ok());
    CHECK(lifted.error().items()[0].message.find("has `restricted` 1000000000000000999, more than 999999999999999999 shares") !=
          std::string::npos);
}

TEST_CASE("a fiscal year follows the one before it, as far as the names tell", "[register]") {
    CHECK(fiscal_year_follows("FY2024", "FY2025"));
    CHECK_FALSE(fiscal_year_follows("FY2024", "FY2026"));
    CHECK_FALSE(fiscal_year_follows("FY2025", "FY2025"));
    CHECK(fiscal_year_follows("FY2099", "FY2100"));
    CHECK(fiscal_year_follows("2024/25", "2025/26"));   // cannot tell
    CHECK(fiscal_year_follows("FY2024", "year 2025"));   // cannot tell
}

TEST_CASE("an event naming a grant the carried records cannot name is an error, not a silent difference", "[register]") {
    // A plan whose carried records say no grant (no text field is an output's name or its
    // first word): the register applied the event to that grant alone, the plan could not.
    auto json = read_json_exact(R"({"directors": [{"id": "D1", "award_units": 26809, "vested_units": 0}],
        "carry": {"ledger": [{"director": "D1", "year": "FY2025", "grant_date": "2025-03-15", "restricted": 26809}]}})");
    REQUIRE(json.ok());
    RecordedResult r;
    r.json = std::move(*json);
    auto lift = event(1, EventKind::lift, "D1", "2026-01-10");
    lift.fiscal_year = "FY2025";
    lift.grant = "award_units";
    lift.shares = "20000";
    auto notes = apply_events(r, {lift});
    REQUIRE_FALSE(notes.ok());
    CHECK(notes.error().items()[0].message.find("event 1 (lift D1 FY2025 award_units on 2026-01-10) cannot be applied to the "
                                                "carried records of D1: none of its 1 record in `ledger` names a grant") == 0);
    CHECK(field(r, 0, "restricted") == "26809");
    // Records that do name grants, only not this one: the grant is not carried (a note).
    auto named = read_json_exact(R"({"directors": [{"id": "D1", "annual_rs_shares": 10, "midterm_rs_shares": 5}],
        "carry": {"ledger": [{"director": "D1", "year": "FY2025", "component": "annual", "restricted": 10}]}})");
    REQUIRE(named.ok());
    RecordedResult n;
    n.json = std::move(*named);
    lift.grant = "midterm_rs_shares";
    auto noted = apply_events(n, {lift});
    REQUIRE(noted.ok());
    REQUIRE(noted->size() == 1);
    CHECK((*noted)[0].find("changes no carried record") != std::string::npos);
}

TEST_CASE("a rate the plan cannot read is named, with the percent meant", "[register]") {
    CHECK(rate_outside(nullptr, "0.7").empty());
    CHECK(rate_outside(nullptr, "1").empty());
    CHECK(rate_outside(nullptr, "0").empty());
    CHECK(rate_outside(nullptr, "70%").empty());
    CHECK(rate_outside(nullptr, "70") == "outside 0 to 1, the range of a rate (write `70%` if 70 percent is meant)");
    CHECK(rate_outside(nullptr, "7/5") == "outside 0 to 1, the range of a rate");
    CHECK_FALSE(rate_outside(nullptr, "1.0000000000000000000000000000001").empty());   // exact: past 1 by 10^-31
    // The percent hint only for what reads as a percent written without `%`: past 1, at most
    // 100, at most two decimals.
    CHECK(rate_outside(nullptr, "1.0000000000000000000001") == "outside 0 to 1, the range of a rate");
    CHECK(rate_outside(nullptr, "12.5") == "outside 0 to 1, the range of a rate (write `12.5%` if 12.5 percent is meant)");
    CHECK(rate_outside(nullptr, "99.99") == "outside 0 to 1, the range of a rate (write `99.99%` if 99.99 percent is meant)");
    CHECK(rate_outside(nullptr, "100") == "outside 0 to 1, the range of a rate (write `100%` if 100 percent is meant)");
    CHECK(rate_outside(nullptr, "12.345") == "outside 0 to 1, the range of a rate");
    CHECK(rate_outside(nullptr, "101") == "outside 0 to 1, the range of a rate");
    CHECK(rate_outside(nullptr, "150%") == "outside 0 to 1, the range of a rate");
}

TEST_CASE("a leaver's records a leave closed are left out when the inputs do not list the leaver", "[register]") {
    const char* closed = R"([
      {"year": "FY2024", "director": "D04", "restricted": 0},
      {"year": "FY2025", "director": "D07", "restricted": 4331},
      {"year": "FY2025", "director": "D04", "restricted": 0}
    ])";
    auto leave = event(3, EventKind::leave, "D04", "2026-02-15");
    std::map<std::string, std::string> leavers{{"D04", "event 3 (leave D04 on 2026-02-15)"}};
    SECTION("not listed: left out, the notes of the records that stay moved with them") {
        auto r = prior_with(closed);
        r.carry_notes[carry_note_key("ledger", 1, "restricted")] = "recorded 4400";
        auto notes = drop_leavers(r, "ledger", leavers, {"D07"});
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == "event 3 (leave D04 on 2026-02-15): nothing of `D04`'s is still restricted and the inputs do not list "
                          "`D04`, so 2 carried records in `ledger` are left out (a leaver need not be listed in the years after)");
        REQUIRE(r.json.find("carry")->find("ledger")->items.size() == 1);
        CHECK(field(r, 0, "director") == "D07");
        CHECK(r.carry_notes.size() == 1);
        CHECK(r.carry_notes.count(carry_note_key("ledger", 0, "restricted")) == 1);
    }
    SECTION("listed: kept, the plan computes on them as before") {
        auto r = prior_with(closed);
        CHECK(drop_leavers(r, "ledger", leavers, {"D04", "D07"}).empty());
        CHECK(r.json.find("carry")->find("ledger")->items.size() == 3);
    }
    SECTION("something still restricted, or a record without `restricted`: kept, the inputs must list the director") {
        for (const char* open : {R"([{"year": "FY2024", "director": "D04", "restricted": 0},
                                     {"year": "FY2026", "director": "D04", "restricted": 10}])",
                                 R"([{"year": "FY2024", "director": "D04", "restricted": 0},
                                     {"year": "FY2026", "director": "D04"}])"}) {
            auto r = prior_with(open);
            CHECK(drop_leavers(r, "ledger", leavers, {"D07"}).empty());
            CHECK(r.json.find("carry")->find("ledger")->items.size() == 2);
        }
    }
    SECTION("only a director who left by a register event") {
        auto r = prior_with(closed);
        CHECK(drop_leavers(r, "ledger", {}, {"D07"}).empty());
        StoredResult prior;
        auto lift = event(2, EventKind::lift, "D07", "2026-01-10");
        auto found = register_leavers(prior, {}, {}, {lift, leave});
        REQUIRE(found.size() == 1);
        CHECK(found.at("D04") == "event 3 (leave D04 on 2026-02-15)");
    }
}

namespace {

StoredResult stored_result(std::int64_t id, std::string year, std::string json, std::optional<std::int64_t> superseded_by = {}) {
    StoredResult r;
    r.id = r.seq = id;
    r.fiscal_year = std::move(year);
    r.result_json = std::move(json);
    r.superseded_by = superseded_by;
    return r;
}

}  // namespace

TEST_CASE("the same bytes recorded twice: a result carried from them is of the record current when it was recorded",
          "[register]") {
    // FY2024 recorded (1), recorded again with the same bytes to name its grants (2), carried
    // from by FY2025 (3), then restated (5 supersedes 2).
    const std::string fy2024 = R"({"fiscal_year": "FY2024"})";
    std::vector<StoredResult> results{stored_result(1, "FY2024", fy2024, 2), stored_result(2, "FY2024", fy2024, 5),
                                      stored_result(3, "FY2025", R"({"fiscal_year": "FY2025"})"),
                                      stored_result(5, "FY2024", R"({"fiscal_year": "FY2024", "restated": true})")};
    const std::string sha = sha256_hex(fy2024);
    CHECK(result_with_sha256(results, sha, 3)->id == 2);    // current when record 3 was recorded
    CHECK(result_with_sha256(results, sha, 2)->id == 1);    // record 2 itself carried from record 1's
    CHECK(result_with_sha256(results, sha)->id == 2);       // none current: the latest
    CHECK(result_with_sha256(results, sha256_hex("{}")) == nullptr);
    // While one of them is current, its figures are the year's: that one.
    results[1].superseded_by.reset();
    CHECK(result_with_sha256(results, sha, 3)->id == 2);
    results[1].superseded_by = 5;
    results[0].superseded_by.reset();
    CHECK(result_with_sha256(results, sha, 3)->id == 1);
}

TEST_CASE("a stale record names the record it was computed from and the one that supersedes what it rests on",
          "[register]") {
    StoredResult r2 = stored_result(2, "FY2024", "{}", 5), r3 = stored_result(3, "FY2025", "{}");
    CHECK(stale_reason(Staleness{&r2, &r2}) == "computed from record 2 (FY2024), which record 5 supersedes");
    CHECK(stale_reason(Staleness{&r3, &r2}) ==
          "computed from record 3 (FY2025), which rests on record 2 (FY2024), which record 5 supersedes");
    CHECK(stale_reason(Staleness{&r2, &r2}, "the new record") ==
          "computed from record 2 (FY2024), which the new record supersedes");
    CHECK(stale_reason(Staleness{}).empty());
}
