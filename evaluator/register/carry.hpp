// What a grant register hands to the next year's evaluation (`hoshu eval PLAN --inputs
// FY.toml --register FILE.db`): the records the prior year's recorded result carries (its
// "carry" section, as `--carry` of that result reads them), with the register's events
// recorded since that result applied to them. The register knows a carried record by three
// of its fields, whatever the plan: `director`, `year` (the fiscal year of its grant) and
// `restricted` (its shares still restricted); a `rate` event writes `reassessed_rate`:
//
//   lift        restricted less the shares lifted (all of them: restricted 0)
//   clawback    restricted less the shares clawed back
//   leave       restricted 0 on every record of the director (what was restricted is forfeited)
//               (and, first, on the carried-from year's own records of a director it
//               left after that year's grant date: own_year_leaves)
//   rate        reassessed_rate = the committee's rate, on the records of that year (and grant)
//   additional  nothing: a grant made outside a result is not a carried record
//
// An event names its records by director, and by --year and --grant when given: a grant
// (an output's name, `midterm_rs_shares`) names the records one of whose fields is that
// name or the word before its first `_` (`component = "midterm"`).
//
//   auto since = events_since(*prior, events);         // recorded after the prior result
//   auto prior_json = read_result(prior->result_json);
//   auto notes = apply_events(*prior_json, since);     // the carried records, amended
//   auto carried = carried_records(*prior_json, plan, "grants.db, FY2024 record 1");
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/register.hpp"

namespace hoshu::eval {

struct Plan;

/// The events recorded after `prior` (later in the register's chain), in the order they
/// apply: by date, then as recorded.
std::vector<StoredEvent> events_since(const StoredResult& prior, const std::vector<StoredEvent>& events);

/// The events the next year's evaluation applies to the records `prior` carries: every
/// event that no result of the chain `prior` rests on applied — the chain followed by the
/// seal's `carried_sha256` back to a result computed without carrying, whose inputs gave
/// the records as they stood when its fiscal year was first recorded (the events recorded
/// before that first record are its). A record that supersedes another thus takes on the
/// events recorded since the year was first recorded: a restatement of a year's inputs does
/// not undo what happened to its grants. An event of a later fiscal year (`--year`) than
/// `prior`'s waits for that year's records. In the order they apply: by date, then as recorded.
std::vector<StoredEvent> events_to_carry(const StoredResult& prior, const std::vector<StoredResult>& results,
                                         const std::vector<StoredEvent>& events);

/// The events an evaluation of the fiscal year `year` from the register applies to the
/// records `prior` (the year before's record) carries, out of events_to_carry(prior, …): those
/// dated by `last_day`, the year's last day (eval::year_last_day: the plan's `year_end`, or
/// its grant date when later). An event dated after it happened after the year: the year's
/// opening balances do not take it (a restatement of the year does not lose what vested
/// before it), and the next year's evaluation applies it, as the year's record has not. So is,
/// when `year` is already recorded (it is evaluated again), an event recorded after the year
/// was first recorded, dated on or after the year's grant date and not applied by its current
/// record: the register took it on the balances that record left (a leave forfeited what the
/// year had not vested), and the year evaluated again does as its record did. When
/// `last_day` is empty (the plan names no `year_end`) and `year` is already recorded (it is
/// evaluated again), the events recorded after the year was first recorded are left to the
/// next year too, save those its current record applied: what the year saw stays what it
/// saw; a year not yet recorded applies them all. `left` says, per event left, why.
///
///   auto year = events_for_year(*prior, results, events, "FY2025", "2025-12-31");
///   apply_events(prior_json, year.apply);
struct YearEvents {
    std::vector<StoredEvent> apply;   // in the order they apply
    std::vector<std::string> left;
};
YearEvents events_for_year(const StoredResult& prior, const std::vector<StoredResult>& results,
                           const std::vector<StoredEvent>& events, const std::string& year, const std::string& last_day);

/// Why a record is stale: it was computed from `from` (the record it carried from), which
/// is `superseded` or rests on it — the first record of the chain of results it carried
/// from that a later record supersedes.
struct Staleness {
    const StoredResult* from = nullptr;
    const StoredResult* superseded = nullptr;
    explicit operator bool() const { return superseded != nullptr; }
};

/// The record `r` rests on that a later record supersedes: following the chain of results
/// it carried from (by `carried_sha256`), the first one that is superseded, with the record
/// `r` carried from; empty when none is (or `r` carried from nothing).
///
///   if (auto stale = superseded_ancestor(r, results)) say(stale_reason(stale));
Staleness superseded_ancestor(const StoredResult& r, const std::vector<StoredResult>& results);

/// What a stale record was computed from, in words: "computed from record 2 (FY2024), which
/// record 5 supersedes", or, further back, "computed from record 3 (FY2025), which rests on
/// record 2 (FY2024), which record 5 supersedes". `superseded_by` names what supersedes it
/// instead of "record 5" ("the new record").
std::string stale_reason(const Staleness& stale, const std::string& superseded_by = "");

/// Whether `record` (a carried record) names the grant `grant` (an output's name): one of
/// its text fields is that name, or the word before the name's first `_`.
bool record_names_grant(const JsonValue& record, const std::string& grant);

/// Whether the fiscal year `later` is the one right after `earlier`, as far as their names
/// tell: "FY2025" follows "FY2024", not "FY2023". Names that are not the same text followed
/// by a number ("2024/25") cannot tell: true.
bool fiscal_year_follows(std::string_view earlier, std::string_view later);

/// The stored result whose bytes have the SHA-256 `sha256`; nullptr when none. When the same
/// bytes were recorded more than once (a year recorded again to name its grants): the current
/// record (its figures are still the year's), else the latest recorded before the sequence
/// `recorded_before` — the one current when a result recorded there carried from them — else
/// the latest.
const StoredResult* result_with_sha256(const std::vector<StoredResult>& results, const std::string& sha256,
                                       std::int64_t recorded_before = INT64_MAX);

/// Why `event`, which names a grant (--grant), could not be applied to that grant by the
/// next year's evaluation: the latest current result carries records of its director (and
/// year), but none of them names the grant (a text field that is the grant's name or the word
/// before its first `_`). Empty when it can be, or when nothing of the director is carried.
std::string grant_not_carried(const std::vector<StoredResult>& results, const EventEntry& event);

/// Whether `rate` (a `rate` event's, as recorded) is a value the plan can read: within the
/// declared range of each input reading a carried record's `reassessed_rate`, or, when the
/// plan declares none, 0 to 1. Empty when it is; else what it is outside (the input and its
/// range), with "write `70%`" for a number that reads as a percent written without `%` (past
/// 1 and at most 100, with at most two decimals: `70`, `12.5`; not `1.0000000000000000000001`).
std::string rate_outside(const Plan* plan, const std::string& rate);

/// The leaves that `prior`'s own evaluation applied to the records it carried in (its seal's
/// `carried_events`) and that are dated on or after its grant date, each narrowed to
/// `prior`'s fiscal year (`fiscal_year` set to it), for the directors `prior` grants: a
/// `leave` forfeits everything restricted on its date, and the year's own grants were made
/// by then, but the plan made them after the leave had been applied to its inputs, so its
/// carried records still hold them restricted. The next year's evaluation applies these to
/// the records it carries from `prior` before the events since (`register show` forfeits
/// those grants on the leave's date: one balance). In date order.
///
///   auto own = own_year_leaves(*prior, events);   // leave D1 FY2026 on 2026-06-01
///   apply_events(prior_json, own);                // D1's FY2026 records: restricted 0
std::vector<StoredEvent> own_year_leaves(const StoredResult& prior, const std::vector<StoredEvent>& events);

/// A grant the register holds that a year's typed carried records (a `[[ledger]]` in its
/// inputs, not carried from the register) say otherwise of: its count (`field`: a field the
/// plan's `carry` sets from the grant output itself, `shares = annual_rs_shares`) or its
/// `restricted` shares. `record` indexes the typed records (the first of the grant's; none:
/// the ledger has no record of it).
struct LedgerContradiction {
    std::string director, fiscal_year, grant;
    std::string field;        // "restricted", or the count's field ("shares")
    std::string typed;        // what the ledger gives (its sum over the grant's records)
    std::string registered;   // what the register holds
    std::optional<std::size_t> record;
    bool less = false;        // fewer restricted than the register holds (none, for no record): not refused
    bool counted = true;      // `field` is a count granted (else another field the register carries)
    /// A record of a grant the register does not hold: `registered` says why (field "year"),
    /// or, with `carried`, a grant made before the register began whose `field` sums to
    /// `typed` where the records handed the year carry `registered` of it.
    bool unheld = false;
    bool carried = false;
    /// A record of another form (no director's grant of a year: a balance of points):
    /// `field` differs from the nearest record the register hands the year (`registered`);
    /// no field: none is like it; `less`: the register's record (`registered`, as JSON) is
    /// left out.
    bool other = false;
    /// With `less`: what would give the typed records what the register holds (to evaluate
    /// the year both ways, as fewer shares restricted is a release only if nothing the year
    /// computes turns on it): typed records (indexes into `typed`), each with the
    /// `restricted` of the register's record paired with it, and the register's records
    /// (of `expected`) they leave out.
    std::vector<std::pair<std::size_t, std::string>> restore_restricted{};
    std::vector<const JsonValue*> restore_records{};
};

/// Where `typed` (the carried records a result of the fiscal year `year` read from its inputs,
/// each an object of its fields: texts as strings, the counts and `restricted` as whole
/// numbers) contradicts the register: for each grant of a year before `year` that a current
/// record grants, the typed records of it (found as the register finds a carried record's
/// grant: a text field naming it, or the director's records of that year when the director
/// has one grant that year) must give
///   - in each field of `count_fields[grant]` (the fields the plan's carry sets from the grant
///     output), the count the register records granted;
///   - in `restricted`, at most what `expected` (the carry of `prior`, the register's latest
///     record before `year`, with the events an evaluation of `year` from the register
///     applies) holds restricted of it: shares restricted that the register does not hold
///     would enter the chain unseen. Fewer (none, for a grant the records leave out) are
///     taken as released (`show` counts them `by plan` in the year's record, as the next
///     year carries them), and listed with `less` set: the caller warns of them. A grant of `prior`'s own
///     year when `expected` carries no record of that year is not compared.
/// A grant whose records cannot be told apart (several that year, none naming one) is not
/// compared. Each typed record that holds shares (a count or `restricted` not zero) must
/// besides be of a grant the register holds (listed with `unheld` set): of a year a current
/// record before `year` records, a grant that record makes the director; of a year before
/// the first one recorded (a grant made before the register began), one `expected` carries,
/// with the same count and no more restricted (fewer: `less`). Empty: no contradiction.
std::vector<LedgerContradiction> ledger_contradictions(const std::vector<StoredResult>& results, const StoredResult& prior,
                                                       const JsonValue* expected, const std::vector<JsonValue>& typed,
                                                       const std::map<std::string, std::vector<std::string>>& count_fields,
                                                       const std::set<std::string>& carry_fields,
                                                       const std::map<std::string, std::string>& defaults,
                                                       const std::string& year);

/// Apply `events` (in order) to the records `prior` carries (prior.json's "carry"). Returns
/// a note for each event that changes no carried record (an additional grant; an event whose
/// director, year or grant no carried record has). Errors: a carried `restricted` that is
/// not a whole number of shares, an event's share count or rate that is not one.
Result<std::vector<std::string>> apply_events(RecordedResult& prior, const std::vector<StoredEvent>& events);

/// The directors who left by a register event, each with that event ("event 3 (leave D2 on
/// 2026-02-15)"): a `leave` among `applied` (the events an evaluation applies to the records
/// `prior` carries) or among those the chain of results `prior` rests on applied (each
/// result's seal names them).
std::map<std::string, std::string> register_leavers(const StoredResult& prior, const std::vector<StoredResult>& results,
                                       const std::vector<StoredEvent>& events, const std::vector<StoredEvent>& applied);

/// Take out of the records `prior` carries at `list` (its "carry") those of each director in
/// `leavers` whom `listed` (the directors the year's inputs list) does not name and none of
/// whose carried records (in any list) has anything still restricted: every one has a
/// `restricted` of 0. What the leave forfeited is gone and nothing is left for the plan to
/// compute, so a leaver recorded by a register event need not be listed in the years after.
/// A director with a record still restricted, or one without `restricted`, keeps them all
/// (the inputs must list the director); a director listed keeps them too (the plan computes
/// on them as before). The notes of the carried values (carry_notes) follow the records that
/// stay. Returns a note per director taken out.
///
///   auto notes = drop_leavers(prior_json, "ledger", register_leavers(…), {"D1", "D3"});
std::vector<std::string> drop_leavers(RecordedResult& prior, const std::string& list, const std::map<std::string, std::string>& leavers,
                                      const std::set<std::string>& listed);

}  // namespace hoshu::eval
