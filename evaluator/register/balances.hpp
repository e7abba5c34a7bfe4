// Each grant's balance on a date, from the register's results and events: a grant is a
// share output a recorded result names as one (`record --grants`), or an `additional`
// event; it is restricted from its grant date until a `lift` event releases it, a `leave`
// event forfeits what is still restricted, a `clawback` takes shares back. Events apply in
// date order (then in the order recorded); only the current (not superseded) record of each
// fiscal year counts.
//
//   auto grants = grant_balances(results, events, "2025-06-30");   // as of that day
//   for (const auto& g : *grants) use(g.director, g.grant, g.restricted);
//   auto effect = check_event(results, events, event);   // what it does, or why it cannot be
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/register/register.hpp"

namespace hoshu::eval {

struct GrantBalance {
    std::string director;
    std::string fiscal_year;
    std::string grant;          // the output's name (annual_rs_shares), or "additional"
    std::string grant_date;     // YYYY-MM-DD (empty when the result has none)
    std::string grant_price;    // the grant-time price per share, exact (empty when none)
    std::int64_t result_id = 0; // 0 for an additional grant
    std::int64_t event_id = 0;  // the additional grant's event
    std::int64_t granted = 0;
    std::int64_t restricted = 0;
    std::int64_t lifted = 0;
    std::int64_t forfeited = 0;
    std::int64_t clawed_back = 0;
    /// No longer restricted by the plan's own computation in a later year: the shares the
    /// later recorded results' carried records for the grant no longer hold as restricted
    /// (vested or forfeited by the plan), and the latest record whose carry gives the
    /// balance (0: none), with what it carries for the grant.
    std::int64_t by_plan = 0;
    std::int64_t balance_record = 0;
    std::int64_t balance_carried = 0;
    /// A current record computed from a record since superseded (`show`'s STALE) that this
    /// grant's figures await: the record that made the grant, or a later one whose carried
    /// records speak of the grant with shares still restricted (0: none). Such a record's
    /// carried records are not taken (they rest on superseded figures): the balance stays the
    /// last view of a record that is not stale, and nothing is counted `by_plan` from it,
    /// until its year is evaluated again and recorded with --supersede.
    std::int64_t stale_record = 0;
};

/// Every grant with its balances as of `as_of` (YYYY-MM-DD; empty: after every event),
/// ordered by director, fiscal year and grant. Grants made after `as_of` are left out.
/// The current records that carry records (`director`, `year`, `restricted`) and whose
/// grant date is by `as_of` are taken year after year: before each, the events its chain
/// applied; then, for a grant of an earlier year with shares still restricted, the balance
/// the plan computed: the record's carried `restricted` for it (the records naming the
/// grant, as an event's --grant names them, or all the director's records of that year when
/// the director has one grant that year; none: 0), the rest counted `by_plan`. The events the
/// latest record's chain had not applied go on top — as the next year's `eval --register`
/// sees it. A stale record (computed from a record since superseded) gives no balance: the
/// grants it would speak of keep the view of the records before it, marked `stale_record`,
/// as are the grants it made. Each event applies once, to the balances as they stood when it
/// happened: a grant a leave brought to 0 keeps its forfeiture and the earlier record's `by_plan`
/// whatever a later record carries. An additional grant, which no record carries, is made in
/// date order whichever record's events apply around it: a leave dated after it forfeits it.
/// Grants of 0 (a result recorded with nothing granted to a director) hold no balance and
/// no event applies to them: left out, unless `zeros` lists them (what `show` and `export`
/// list: one row per grant recorded, each at 0), in their record's order.
/// Errors: a grant's count in the register that is not one it holds (grant_count_problem()).
enum class ZeroGrants { left_out, listed };
Result<std::vector<GrantBalance>> grant_balances(const std::vector<StoredResult>& results,
                                                 const std::vector<StoredEvent>& events, const std::string& as_of,
                                                 ZeroGrants zeros = ZeroGrants::left_out);

/// Whether `event` can be recorded after `events`, and with what: a leave's `shares` set
/// to what it forfeits, a lift's to what it lifts. Errors name why: no such director or
/// grant, nothing restricted, more shares than restricted, a date before the director's
/// last event, a missing --shares or --rate.
/// Why a text the register keeps for good (an event's or a restatement's reason, a name)
/// cannot be recorded as `option` gives it, or empty: not UTF-8, a hidden character or a line
/// break, or longer than a workbook cell holds (32,767 UTF-16 units: `register export
/// --format xlsx` writes every one into a cell).
std::string recorded_text_problem(const char* option, const std::string& text);

/// `noun` is the plan's word for a record of its collection (`director`, `employee`), as
/// the messages name one.
Result<EventEntry> check_event(const std::vector<StoredResult>& results, const std::vector<StoredEvent>& events,
                               EventEntry event, const std::string& noun = "director");

/// Why `event` (as check_event() returns it: a lift's or leave's `shares` set) would not take
/// effect in the register as recorded, though it fits the balances of its date: the balances
/// after every record and event (what `show` counts, what the next `eval --register` reads)
/// with it would count fewer shares lifted, forfeited or clawed back than it says — a record
/// of a year granted after its date, which did not see it, released or forfeited the grant —
/// or, for a `rate`, every grant it names is left with nothing restricted by such a record.
/// Empty when it takes effect as recorded (an additional grant always does).
std::string event_not_applied(const std::vector<StoredResult>& results, const std::vector<StoredEvent>& events,
                              const EventEntry& event);

/// Whether a recorded result names `director`. When none does, `message` says so, the id
/// quoted (a trailing space shows), with the closest id the register names ("did you mean").
bool director_recorded(const std::vector<StoredResult>& results, const std::string& director, std::string& message);

/// What an event's count is counted in: the unit of the director's grants it names (the
/// grant `grant`, else every grant of the director) when they are all in one, else "shares".
std::string grant_unit(const std::vector<StoredResult>& results, const std::string& director, const std::string& grant);

/// What grants' counts are counted in, looked up rather than searched for (a register of
/// many directors: each grant and event finds its unit at once).
class GrantUnits {
public:
    explicit GrantUnits(const std::vector<StoredResult>& results);
    /// grant_unit(results, director, grant).
    std::string of_director(const std::string& director, const std::string& grant) const;
    /// What a grant's counts are counted in: the unit its grant output was recorded with
    /// (`shares`, `RSUs`); an additional grant's, that of the director's grants.
    std::string of(const GrantBalance& g) const;

private:
    std::map<std::tuple<std::int64_t, std::string, std::string>, std::string> of_line_;   // (record, director, grant)
    std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> by_director_;   // (grant, unit) pairs
};

/// The most digits a count of shares the register reads has (a count fits in 64 bits).
inline constexpr std::size_t max_share_digits = 18;

/// A whole number of shares written in digits ("4846"), at most max_share_digits of them;
/// none for anything else.
std::optional<std::int64_t> share_count(const std::string& text);

/// What a grant's count must be for the register to hold it: "a whole number from 0 to
/// 999999999999999999 (at most 18 digits)".
std::string grant_count_rule();

/// Why a grant's count, as a result writes it, is not one the register holds (share_count()
/// reads none from it): "not a whole number" (`4028.846`), "below 0" (`-5`), "more than
/// 999999999999999999" (`12345678901234567890123`); empty when it is one (`0`, `4846`).
///
///   if (auto why = grant_count_problem(line.value); !why.empty()) refuse(line, why);
std::string grant_count_problem(const std::string& value);

}  // namespace hoshu::eval
