#include "evaluator/register/balances.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/numbers/rational.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/carry.hpp"

namespace hoshu::eval {

using dsl::Diagnostics;

namespace {

Diagnostics error_of(std::string message) { return dsl::one_error(dsl::SourceRange{}, std::move(message)); }

bool matches(const GrantBalance& g, const EventEntry& e) {
    return g.director == e.director && (e.fiscal_year.empty() || g.fiscal_year == e.fiscal_year) &&
           (e.grant.empty() || g.grant == e.grant);
}

/// Whether `e` applies to `g`: it names the grant, made by the event's date.
bool reaches(const GrantBalance& g, const EventEntry& e) {
    return matches(g, e) && (g.grant_date.empty() || g.grant_date <= e.date);
}

/// The grants in `grants` that `e` applies to and that were made by its date.
std::vector<GrantBalance*> targets(std::vector<GrantBalance>& grants, const EventEntry& e) {
    std::vector<GrantBalance*> out;
    for (auto& g : grants)
        if (reaches(g, e)) out.push_back(&g);
    return out;
}

/// The grants with each director's, by their place in the list (in list order): an event
/// looks at its director's grants only, not at every grant of the register.
using DirectorIndex = std::unordered_map<std::string, std::vector<std::size_t>>;

DirectorIndex index_by_director(const std::vector<GrantBalance>& grants) {
    DirectorIndex index;
    for (std::size_t i = 0; i < grants.size(); ++i) index[grants[i].director].push_back(i);
    return index;
}

/// targets(grants, e), found through the index (the same grants, in the same order).
std::vector<GrantBalance*> targets(std::vector<GrantBalance>& grants, const DirectorIndex& index, const EventEntry& e) {
    std::vector<GrantBalance*> out;
    auto it = index.find(e.director);
    if (it == index.end()) return out;
    for (std::size_t i : it->second) {
        GrantBalance& g = grants[i];
        if (reaches(g, e)) out.push_back(&g);
    }
    return out;
}

/// Apply one event (already checked) to the balances; `index` (of `grants`) kept up to date.
void apply(std::vector<GrantBalance>& grants, DirectorIndex& index, const StoredEvent& e) {
    switch (e.kind) {
        case EventKind::lift:
        case EventKind::clawback: {
            // The event's shares, taken from its grants in turn, the earliest first (as the
            // next year's evaluation takes them from the carried records): a grant of a year
            // recorded after the event, made before its date, is not one it was checked
            // against, and takes only what the earlier grants do not (a lift of everything
            // records their shares). A lift recorded without shares lifts all.
            auto ts = targets(grants, index, e);
            std::stable_sort(ts.begin(), ts.end(), [](const GrantBalance* a, const GrantBalance* b) {
                if (a->fiscal_year != b->fiscal_year) return fiscal_year_before(a->fiscal_year, b->fiscal_year);
                return a->grant_date < b->grant_date;
            });
            std::optional<std::int64_t> n = e.shares ? share_count(*e.shares) : std::nullopt;
            if (!n && e.kind == EventKind::clawback) n = 0;
            std::int64_t to_take = n.value_or(0);
            for (GrantBalance* g : ts) {
                std::int64_t amount = n ? std::min(to_take, g->restricted) : g->restricted;
                to_take -= amount;
                g->restricted -= amount;
                (e.kind == EventKind::lift ? g->lifted : g->clawed_back) += amount;
            }
            break;
        }
        case EventKind::leave:
            for (GrantBalance* g : targets(grants, index, e)) {
                g->forfeited += g->restricted;
                g->restricted = 0;
            }
            break;
        case EventKind::additional: {
            GrantBalance g;
            g.director = e.director;
            g.fiscal_year = e.fiscal_year;
            g.grant = "additional";
            g.grant_date = e.date;
            g.event_id = e.id;
            g.granted = g.restricted = e.shares ? share_count(*e.shares).value_or(0) : 0;
            index[g.director].push_back(grants.size());
            grants.push_back(std::move(g));
            break;
        }
        case EventKind::rate: break;
    }
}

std::string find_year(const std::vector<StoredResult>& results, std::int64_t id) {
    for (const auto& r : results)
        if (r.id == id) return r.fiscal_year;
    return "";
}

std::vector<const StoredEvent*> in_date_order(const std::vector<StoredEvent>& events) {
    std::vector<const StoredEvent*> order;
    for (const auto& e : events) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [](const StoredEvent* a, const StoredEvent* b) {
        return std::tie(a->date, a->seq) < std::tie(b->date, b->seq);
    });
    return order;
}

/// The grants the current records make, in their order: those of 0 only when `zeros` is
/// true (and then only those: a grant of 0 has no balance for the others to share).
Result<std::vector<GrantBalance>> recorded_grants(const std::vector<StoredResult>& results, bool zeros = false) {
    std::vector<GrantBalance> grants;
    for (const auto& r : results) {
        if (r.superseded_by) continue;
        for (const auto& l : r.lines) {
            if (l.kind != "grant") continue;
            auto n = share_count(l.value);
            if (!n)
                return error_of(fmt::format("results row id {} ({}): the grant {} of {} is {} {}, {}: a grant is {}", r.id,
                                            r.fiscal_year, l.name, l.director, l.value, l.unit.empty() ? "shares" : l.unit,
                                            grant_count_problem(l.value), grant_count_rule()));
            if ((*n == 0) != zeros) continue;
            GrantBalance g;
            g.director = l.director;
            g.fiscal_year = r.fiscal_year;
            g.grant = l.name;
            g.grant_date = r.grant_date;
            g.grant_price = r.grant_price;
            g.result_id = r.id;
            g.granted = g.restricted = *n;
            grants.push_back(std::move(g));
        }
    }
    return grants;
}

/// By director, fiscal year and grant date; then a record's grants in its order, before the
/// additional grants of that date (the order they are made in).
void sort_grants(std::vector<GrantBalance>& grants, const std::vector<StoredResult>& results) {
    std::map<std::tuple<std::int64_t, std::string, std::string>, std::size_t> line_of;   // (record, director, grant)
    for (const auto& r : results) {
        if (r.superseded_by) continue;
        for (std::size_t i = 0; i < r.lines.size(); ++i)
            if (r.lines[i].kind == "grant") line_of.emplace(std::make_tuple(r.id, r.lines[i].director, r.lines[i].name), i);
    }
    auto place = [&](const GrantBalance& g) -> std::pair<bool, std::size_t> {
        if (g.result_id == 0) return {true, 0};
        auto it = line_of.find(std::make_tuple(g.result_id, g.director, g.grant));
        return {false, it == line_of.end() ? 0 : it->second};
    };
    std::stable_sort(grants.begin(), grants.end(), [&](const GrantBalance& a, const GrantBalance& b) {
        if (a.director != b.director) return a.director < b.director;
        if (a.fiscal_year != b.fiscal_year) return fiscal_year_before(a.fiscal_year, b.fiscal_year);
        if (a.grant_date != b.grant_date) return a.grant_date < b.grant_date;
        return place(a) < place(b);
    });
}

}  // namespace

std::optional<std::int64_t> share_count(const std::string& text) {
    if (text.empty() || text.size() > max_share_digits || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
}

std::string grant_count_rule() {
    return fmt::format("a whole number from 0 to {} (at most {} digits)", std::string(max_share_digits, '9'), max_share_digits);
}

std::string grant_count_problem(const std::string& value) {
    if (share_count(value)) return {};
    const bool minus = !value.empty() && value[0] == '-';
    const std::string digits = value.substr(minus ? 1 : 0);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return "not a whole number";
    if (minus) return "below 0";
    return fmt::format("more than {}", std::string(max_share_digits, '9'));
}

namespace {

/// The carried records of a result (every list of its "carry") that the register reads as
/// grants: with a text `director`, a text `year` and a whole-number `restricted`.
std::vector<JsonValue> carried_grant_records(const StoredResult& r) {
    std::vector<JsonValue> out;
    auto read = read_result(r.result_json);
    if (!read) return out;
    const JsonValue* carry = read->json.find("carry");
    if (carry == nullptr || carry->kind != JsonValue::Kind::object) return out;
    for (const auto& list : carry->items) {
        if (list.kind != JsonValue::Kind::array) continue;
        for (const auto& rec : list.items) {
            const JsonValue* d = rec.find("director");
            const JsonValue* y = rec.find("year");
            const JsonValue* n = rec.find("restricted");
            if (d && y && n && d->kind == JsonValue::Kind::string && y->kind == JsonValue::Kind::string &&
                n->kind == JsonValue::Kind::number && share_count(n->text))
                out.push_back(rec);
        }
    }
    return out;
}

/// The current records whose grant date is by `as_of` and that carry grant records, each
/// with those records, in fiscal-year order.
std::vector<std::pair<const StoredResult*, std::vector<JsonValue>>> carrying_records(const std::vector<StoredResult>& results,
                                                                                   const std::string& as_of) {
    std::vector<std::pair<const StoredResult*, std::vector<JsonValue>>> out;
    for (const auto& r : results) {
        if (r.superseded_by || (!as_of.empty() && !r.grant_date.empty() && r.grant_date > as_of)) continue;
        auto recs = carried_grant_records(r);
        if (!recs.empty()) out.emplace_back(&r, std::move(recs));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return fiscal_year_before(a.first->fiscal_year, b.first->fiscal_year); });
    return out;
}

/// What `record` carries for the grants of years before its own, and of its own year when
/// it carries records of that year (a plan that hands on this year's grants with what is
/// still restricted of them: a grant the year itself forfeited, or released on retirement,
/// is not carried): each grant's `restricted` becomes the carried one (its records naming
/// the grant, or the director's records of that year when the director has one grant that
/// year; none: 0), the difference counted as released or forfeited by the plan, in that
/// record. A grant with nothing restricted left (an earlier record or the events brought it
/// to 0) is left as it is: the record has nothing to say of it, and what brought it to 0
/// stays as it was counted. A `stale` record (computed from a record since superseded) gives
/// no balance: each grant it would speak of with shares still restricted keeps its balance,
/// marked as awaiting it (`stale_record`); a record that is not stale and gives a grant's
/// balance after it clears that mark.
void take_carried(std::vector<GrantBalance>& grants, const StoredResult& record, const std::vector<JsonValue>& carried,
                  bool stale) {
    // (Each carried record looked at once per grant name, and each grant at its director's
    // records of its year only: linear in the grants and records, not their product.)
    std::set<std::string> grant_names;
    std::map<std::pair<std::string, std::string>, std::size_t> grants_that_year;   // (director, year): grants of results
    for (const auto& g : grants) {
        if (g.result_id == 0) continue;
        grant_names.insert(g.grant);
        ++grants_that_year[{g.director, g.fiscal_year}];
    }
    std::set<std::string> named;   // the grant names some carried record names
    for (const auto& name : grant_names)
        for (const auto& rec : carried)
            if (record_names_grant(rec, name)) {
                named.insert(name);
                break;
            }
    const bool names_any = !named.empty();
    bool carries_own_year = false;
    std::map<std::pair<std::string, std::string>, std::vector<const JsonValue*>> by_director_year;
    for (const auto& rec : carried) {
        carries_own_year = carries_own_year || rec.find("year")->text == record.fiscal_year;
        by_director_year[{rec.find("director")->text, rec.find("year")->text}].push_back(&rec);
    }
    static const std::vector<const JsonValue*> none;
    for (auto& g : grants) {
        if (g.result_id == 0 || fiscal_year_before(record.fiscal_year, g.fiscal_year)) continue;
        if (g.fiscal_year == record.fiscal_year && !carries_own_year) continue;
        const bool kind_named = named.count(g.grant) > 0;
        const std::size_t that_year = grants_that_year[{g.director, g.fiscal_year}];
        // Which record is whose cannot be told (several grants, records naming none), or
        // the plan's records name grants but never this one (a grant it does not carry).
        if (!kind_named && that_year != 1) continue;
        if (!kind_named && names_any) continue;
        auto found = by_director_year.find({g.director, g.fiscal_year});
        const auto& recs = found == by_director_year.end() ? none : found->second;
        std::int64_t restricted = 0;
        for (const JsonValue* rec : recs) {
            if (kind_named && !record_names_grant(*rec, g.grant)) continue;
            restricted += *share_count(rec->find("restricted")->text);
        }
        if (g.restricted == 0) continue;            // (nothing left for the plan to release or forfeit)
        if (stale) {
            // (Its carried figures rest on a superseded record: what it no longer carries
            // restricted is not known to be released by the plan.)
            g.stale_record = record.id;
            continue;
        }
        g.stale_record = 0;
        if (restricted > g.restricted) continue;    // (more than the register holds: the register's own count stands)
        g.by_plan += g.restricted - restricted;
        g.restricted = restricted;
        g.balance_record = record.id;
        g.balance_carried = restricted;
    }
}

}  // namespace

Result<std::vector<GrantBalance>> grant_balances(const std::vector<StoredResult>& results,
                                                 const std::vector<StoredEvent>& events, const std::string& as_of,
                                                 ZeroGrants zeros) {
    auto grants = recorded_grants(results);
    if (!grants) return grants;
    // Year after year, as the plan saw them: before each carrying record, the events its
    // chain applied (its carried records hold them) and that are not applied yet, then its
    // carried balances; last, the events no record applied. Each event applies once, to the
    // balances as they stood when it happened: a leave forfeits what the plan had not
    // released by then, whatever a later record no longer carries. An additional grant is
    // no carried record: no record's carry holds it or takes it (take_carried), so none waits
    // for it — it is made in date order, before the events dated after it (a leave forfeits
    // it, whichever record applied the leave first).
    std::unordered_set<std::int64_t> applied;
    DirectorIndex index = index_by_director(*grants);
    const std::vector<const StoredEvent*> ordered = in_date_order(events);
    auto apply_events_where = [&](auto&& belongs) {
        for (const StoredEvent* e : ordered) {
            if (!as_of.empty() && e->date > as_of) break;
            if (applied.count(e->id) || (e->kind != EventKind::additional && !belongs(*e))) continue;
            apply(*grants, index, *e);
            applied.insert(e->id);
        }
    };
    std::unordered_set<std::int64_t> stale;   // the current records computed from a record since superseded
    for (const auto& r : results)
        if (!r.superseded_by && superseded_ancestor(r, results)) stale.insert(r.id);
    for (const auto& [record, carried] : carrying_records(results, as_of)) {
        if (stale.count(record->id)) {
            // (Its events go on with the next record's, or on top: in date order all the same.)
            take_carried(*grants, *record, carried, true);
            continue;
        }
        std::unordered_set<std::int64_t> pending;   // the events its chain had not applied
        for (const auto& e : events_to_carry(*record, results, events)) pending.insert(e.id);
        const std::string& year = record->fiscal_year;   // (a structured binding is not captured by every compiler)
        apply_events_where([&](const StoredEvent& e) {
            // (An event of a later year than the record's waits for that year's records.)
            const bool later_year = !e.fiscal_year.empty() && fiscal_year_before(year, e.fiscal_year);
            return !later_year && !pending.count(e.id);
        });
        take_carried(*grants, *record, carried, false);
    }
    apply_events_where([](const StoredEvent&) { return true; });
    // A grant a stale record made: its count rests on superseded figures too.
    for (auto& g : *grants)
        if (g.stale_record == 0 && stale.count(g.result_id)) g.stale_record = g.result_id;
    if (zeros == ZeroGrants::listed) {
        // (Added after the balances are taken: no event or carried record reaches them.)
        auto zero = recorded_grants(results, true);
        if (!zero) return zero;
        for (auto& g : *zero) {
            if (stale.count(g.result_id)) g.stale_record = g.result_id;
            grants->push_back(std::move(g));
        }
    }
    if (!as_of.empty())
        grants->erase(std::remove_if(grants->begin(), grants->end(),
                                     [&](const GrantBalance& g) { return !g.grant_date.empty() && g.grant_date > as_of; }),
                      grants->end());
    sort_grants(*grants, results);
    return grants;
}

namespace {

/// Where a balance the plan computed comes from, said after a refusal: the vesting a
/// plan computes is in its next recorded result, never recorded again as an event.
std::string plan_note(const std::vector<StoredResult>& results, const std::vector<GrantBalance*>& ts) {
    for (const GrantBalance* g : ts)
        if (g->balance_record != 0 && g->by_plan > 0)
            return fmt::format(" (record {} ({}) carries the {} grant with {} restricted: its plan released or forfeited {}; "
                               "what the plan computes is not recorded again as an event)",
                               g->balance_record, find_year(results, g->balance_record), g->fiscal_year, g->balance_carried,
                               g->by_plan);
    return "";
}

/// Why the event's --year names no fiscal year the register knows: one recorded, or one an
/// additional grant is recorded for; an additional grant may also be for the year after the
/// latest recorded (the final year's reassessment, before that year is recorded). Empty
/// when it does; else what the register's years are, with the closest ("did you mean").
std::string unknown_year(const std::vector<StoredResult>& results, const std::vector<StoredEvent>& events,
                         const EventEntry& event) {
    if (event.fiscal_year.empty()) return {};
    std::vector<std::string> years;
    auto add = [&](const std::string& y) {
        if (!y.empty() && std::find(years.begin(), years.end(), y) == years.end()) years.push_back(y);
    };
    for (const auto& r : results) add(r.fiscal_year);
    for (const auto& e : events)
        if (e.kind == EventKind::additional) add(e.fiscal_year);
    if (years.empty()) return {};   // (no result yet: the director is unknown, said so)
    std::string latest;
    for (const auto& r : results)
        if (latest.empty() || fiscal_year_before(latest, r.fiscal_year)) latest = r.fiscal_year;
    std::optional<std::string> next = event.kind == EventKind::additional ? year_label_moved(latest, 1) : std::nullopt;
    if (next) add(*next);
    if (std::find(years.begin(), years.end(), event.fiscal_year) != years.end()) return {};
    std::sort(years.begin(), years.end(), [](const std::string& a, const std::string& b) { return fiscal_year_before(a, b); });
    std::string listed;
    for (std::size_t i = 0; i < years.size() && i < 20; ++i) listed += (i ? ", " : "") + dsl::printable(years[i]);
    if (years.size() > 20) listed += fmt::format(" and {} more", years.size() - 20);
    std::string message =
        event.kind == EventKind::additional
            ? fmt::format("--year {}: an additional grant is for a fiscal year the register holds{} ({})",
                          dsl::printable(event.fiscal_year),
                          next ? fmt::format(", or the one after the latest recorded, {}", dsl::printable(*next)) : "", listed)
            : fmt::format("--year {}: the register holds no fiscal year of that name ({})", dsl::printable(event.fiscal_year),
                          listed);
    if (auto best = dsl::closest(event.fiscal_year, years)) message += fmt::format("; did you mean {}?", dsl::printable(*best));
    return message;
}

}  // namespace

std::string recorded_text_problem(const char* option, const std::string& text) {
    constexpr std::size_t cell = 32'767;
    std::size_t bad = 0;
    if (!dsl::valid_utf8(text, &bad)) return fmt::format("{} {}: not valid UTF-8", option, dsl::printable(text));
    if (auto h = dsl::find_hidden_character(text))
        return fmt::format("{} {}: holds the hidden character {}; write it on one line with visible characters", option,
                           dsl::printable(text), dsl::describe_hidden(h->code_point));
    if (const std::size_t n = dsl::utf16_units(text); n > cell)
        return fmt::format("{} holds {} characters, more than the {} a workbook cell holds, where `register export "
                           "--format xlsx` writes it; the register keeps it for good: shorten it",
                           option, group_digits(std::to_string(n)), group_digits(std::to_string(cell)));
    return {};
}

Result<EventEntry> check_event(const std::vector<StoredResult>& results, const std::vector<StoredEvent>& events,
                               EventEntry event, const std::string& noun) {
    // What an event records is kept for good and shown by `register show` and `export`:
    // each text must read as it is (no control, bidirectional or zero-width character, no
    // line break), and a rate must be a number the inputs can read.
    const std::pair<const char*, const std::string*> texts[] = {{"--director", &event.director},
                                                                {"--year", &event.fiscal_year},
                                                                {"--grant", &event.grant},
                                                                {"--reason", &event.reason},
                                                                {"--by", &event.recorded_by}};
    for (const auto& [option, text] : texts)
        if (std::string why = recorded_text_problem(option, *text); !why.empty()) return error_of(why);
    if (event.rate) {
        auto rate = Rational::parse(*event.rate);
        if (!rate || rate->sign() < 0)
            return error_of(fmt::format("--rate {}: a rate is an exact number, not negative, as the inputs write one "
                                        "(0.70, 70% or 7/10)",
                                        dsl::printable(*event.rate)));
    }
    if (std::string why = unknown_year(results, events, event); !why.empty()) return error_of(why);
    for (const auto& e : events)
        if (e.director == event.director && e.date > event.date)
            return error_of(fmt::format("{} has an event dated {} already: {}'s events are recorded in date order",
                                        event.director, e.date, event.director));
    auto grants = grant_balances(results, events, event.date);
    if (!grants) return std::move(grants).error();
    bool known = std::any_of(grants->begin(), grants->end(), [&](const GrantBalance& g) { return g.director == event.director; });
    if (std::string unknown; !director_recorded(results, event.director, unknown)) return error_of(unknown);
    // A grant the plan's carried records cannot name: the register would apply the event to
    // it, the next year's evaluation could not.
    if (event.kind != EventKind::additional)
        if (std::string why = grant_not_carried(results, event); !why.empty()) return error_of(why);
    // An event dated before a grant it applies to: the register would leave that grant as it
    // is (an event applies to the grants made by its date), while the next year's evaluation
    // applies it to every carried record it names — the two would differ. Refused.
    if (event.kind != EventKind::additional) {
        auto all = recorded_grants(results);
        if (!all) return std::move(all).error();
        for (const auto& g : *all)
            if (matches(g, event) && !g.grant_date.empty() && g.grant_date > event.date)
                return error_of(fmt::format(
                    "--date {} is before the grant date {} of `{}`'s {} {}, which the {} applies to: an event takes effect on "
                    "grants already made (is the date mistyped?{})",
                    event.date, g.grant_date, dsl::printable(event.director), g.fiscal_year, g.grant, to_string(event.kind),
                    event.kind == EventKind::leave || !event.fiscal_year.empty() ? ""
                                                                                  : " else name the earlier grants with --year and --grant"));
    }
    auto ts = targets(*grants, event);
    // A lift or clawback takes shares from balances that a STALE record would set: the year
    // evaluated again may release them, leaving the event counting nothing. Refused until then.
    if (event.kind == EventKind::lift || event.kind == EventKind::clawback)
        for (const GrantBalance* g : ts)
            if (g->stale_record != 0) {
                auto r = std::find_if(results.begin(), results.end(), [&](const StoredResult& x) { return x.id == g->stale_record; });
                const std::string year = r == results.end() ? std::string("its year") : r->fiscal_year;
                return error_of(fmt::format("`{}`'s {} {} awaits record {} ({}), computed from a record since superseded: "
                                            "what that year's plan releases of it is not known, and a {} now could count "
                                            "nothing once it is; evaluate {} again (--register) and record it with "
                                            "--supersede first",
                                            dsl::printable(event.director), g->fiscal_year, g->grant, g->stale_record, year,
                                            to_string(event.kind), year));
            }
    std::int64_t restricted = 0;
    for (GrantBalance* g : ts)
        if (__builtin_add_overflow(restricted, g->restricted, &restricted))
            return error_of(fmt::format("{}'s restricted shares add up to more than the register counts (a 64-bit count)", event.director));
    std::string which = event.director;
    if (!event.fiscal_year.empty()) which += " " + event.fiscal_year;
    if (!event.grant.empty()) which += " " + event.grant;
    // Counted in the unit of the grants the event names (RSUs, for a plan in its own unit), as
    // `show` counts them.
    const std::string unit = grant_unit(results, event.director, event.grant);
    std::optional<std::int64_t> n;
    if (event.shares) {
        n = share_count(*event.shares);
        if (!n || *n == 0)
            return error_of(fmt::format("--shares {}: a whole number of {} from 1 to {} (at most {} digits)",
                                        dsl::printable(*event.shares), unit, std::string(max_share_digits, '9'), max_share_digits));
        *event.shares = std::to_string(*n);
    }
    switch (event.kind) {
        case EventKind::lift:
            if (restricted == 0)
                return error_of(fmt::format("{} has no restricted {} on {} to lift{}", which, unit, event.date, plan_note(results, ts)));
            if (n && ts.size() != 1)
                return error_of(fmt::format("--shares lifts part of one grant: {} names {} grants (name one with --year and --grant)",
                                            which, ts.size()));
            if (n && *n > restricted)
                return error_of(fmt::format("{} has {} restricted {} on {}, fewer than --shares {}{}", which, restricted, unit,
                                            event.date, *n, plan_note(results, ts)));
            if (!n) event.shares = std::to_string(restricted);
            break;
        case EventKind::leave:
            if (!event.fiscal_year.empty() || !event.grant.empty())
                return error_of("a leave forfeits every grant at once: no --year or --grant");
            if (n) return error_of("a leave forfeits what is restricted on its date: no --shares");
            if (restricted == 0) {
                // Nothing left to forfeit: a second leave, or the plan's own computation in a
                // later recorded year already took it (a leaver rule): the register would
                // record a forfeiture that did not happen here.
                for (const auto& e : events)
                    if (e.director == event.director && e.kind == EventKind::leave)
                        return error_of(fmt::format("{} left already (event {} on {}): nothing is restricted on {} to forfeit",
                                                    event.director, e.id, e.date, event.date));
                for (GrantBalance* g : ts)
                    if (g->balance_record != 0 && g->by_plan > 0)
                        return error_of(fmt::format(
                            "{} has nothing restricted on {} to forfeit: record {} ({}) carries none of the {} {} grant, its "
                            "plan released or forfeited them (a leaver the plan computes is in that year's inputs, not an event)",
                            event.director, event.date, g->balance_record, find_year(results, g->balance_record), g->fiscal_year,
                            g->grant));
            }
            event.shares = std::to_string(restricted);   // what is forfeited
            break;
        case EventKind::clawback:
            if (!n) return error_of("a clawback needs --shares N");
            if (ts.size() != 1)
                return error_of(fmt::format("a clawback takes {} from one grant: {} names {} grants (name one with --year and --grant)",
                                            unit, which, ts.size()));
            if (*n > restricted)
                return error_of(fmt::format("{} has {} restricted {} on {}, fewer than the clawback's {}{}", which, restricted, unit,
                                            event.date, *n, plan_note(results, ts)));
            break;
        case EventKind::additional:
            if (!n) return error_of("an additional grant needs --shares N");
            if (event.fiscal_year.empty()) return error_of("an additional grant needs --year: the fiscal year it is granted for");
            if (!event.grant.empty()) return error_of("an additional grant is a new grant: no --grant");
            {
                // Every sum of a director's shares stays a count the register holds: the
                // director's grants with this one at most what one --shares may be.
                std::int64_t total = *n;
                bool over = false;
                for (const auto& g : *grants)
                    if (g.director == event.director) over = over || __builtin_add_overflow(total, g.granted, &total);
                if (over || total > 999'999'999'999'999'999)
                    return error_of(fmt::format("{}'s grants with this one would come to more than 999999999999999999 {} (at "
                                                "most 18 digits), the most the register counts for one {}",
                                                event.director, unit, noun));
            }
            break;
        case EventKind::rate:
            if (!event.rate || event.rate->empty()) return error_of("a reassessed rate needs --rate R");
            if (n) return error_of("a reassessed rate changes no balance: no --shares");
            break;
    }
    if (event.kind != EventKind::rate && event.kind != EventKind::additional && event.rate)
        return error_of("--rate goes with --kind rate only");
    (void)known;
    return event;
}

std::string event_not_applied(const std::vector<StoredResult>& results, const std::vector<StoredEvent>& events,
                              const EventEntry& event) {
    if (event.kind == EventKind::additional) return {};
    auto before = grant_balances(results, events, "");
    if (!before) return {};   // (check_event said what is wrong)
    // The grant a later record released without the event: one it names, made by its date,
    // whose balance a record granted after the event's date gives with shares the plan
    // released or forfeited.
    auto released = [&]() -> const GrantBalance* {
        for (const auto& g : *before) {
            if (!reaches(g, event) || g.balance_record == 0 || g.by_plan == 0) continue;
            for (const auto& r : results)
                if (r.id == g.balance_record && !r.grant_date.empty() && r.grant_date > event.date) return &g;
        }
        return nullptr;
    };
    auto why = [&](const GrantBalance& g, const std::string& effect) {
        const StoredResult* r = nullptr;
        for (const auto& x : results)
            if (x.id == g.balance_record) r = &x;
        return fmt::format(
            "{}: record {} ({}, granted {}) released `{}`'s {} {} after {} without this {}: it carries {} of it still restricted, "
            "its plan released or forfeited {}; the register applies an event recorded since to the balances that record "
            "left, so {} (an event is recorded before the year granted after its date is; a year recorded without it is "
            "restated with --supersede from inputs that give it)",
            to_string(event.kind), r->id, r->fiscal_year, r->grant_date, dsl::printable(g.director), g.fiscal_year, g.grant,
            event.date, to_string(event.kind), g.balance_carried, g.by_plan, effect);
    };
    if (event.kind == EventKind::rate) {
        // A year granted after the rate's date, of grants later than those it reassesses, is
        // recorded without it: that year read the rates as they stood (the final year's
        // reassessment), and evaluated again it leaves an event recorded since to the next.
        for (const auto& r : results)
            if (!r.superseded_by && !r.grant_date.empty() && r.grant_date > event.date &&
                (event.fiscal_year.empty() || fiscal_year_before(event.fiscal_year, r.fiscal_year)))
                return fmt::format("rate: record {} ({}, granted {}) is recorded without this rate, dated {} before it: {} read "
                                   "the rates as they stood, and the register would hand this one only to the year after it "
                                   "(a rate is recorded before the year granted after its date is; a year recorded without it "
                                   "is restated with --supersede from inputs that give it)",
                                   r.id, r.fiscal_year, r.grant_date, event.date, r.fiscal_year);
        bool restricted = false;
        for (const auto& g : *before) restricted = restricted || (reaches(g, event) && g.restricted > 0);
        if (restricted) return {};
        if (const GrantBalance* g = released())
            return why(*g, "nothing is left restricted for the reassessed rate to apply to, and no later year reads it");
        return {};
    }
    std::optional<std::int64_t> claimed = event.shares ? share_count(*event.shares) : std::nullopt;
    if (!claimed) return {};
    std::vector<StoredEvent> with = events;
    StoredEvent added;
    static_cast<EventEntry&>(added) = event;
    for (const auto& e : events) added.id = std::max(added.id, e.id), added.seq = std::max(added.seq, e.seq);
    for (const auto& r : results) added.seq = std::max(added.seq, r.seq);
    ++added.id;
    ++added.seq;
    with.push_back(added);
    auto after = grant_balances(results, with, "");
    if (!after || after->size() != before->size()) return {};
    std::int64_t counted = 0;
    for (std::size_t i = 0; i < after->size(); ++i) {
        const GrantBalance &a = (*after)[i], &b = (*before)[i];
        switch (event.kind) {
            case EventKind::lift: counted += a.lifted - b.lifted; break;
            case EventKind::leave: counted += a.forfeited - b.forfeited; break;
            case EventKind::clawback: counted += a.clawed_back - b.clawed_back; break;
            case EventKind::additional:
            case EventKind::rate: break;
        }
    }
    if (counted == *claimed) return {};
    const std::string unit = grant_unit(results, event.director, event.grant);
    const std::string effect = fmt::format("the {} would count {} {} where it says {}", to_string(event.kind), counted, unit, *claimed);
    if (const GrantBalance* g = released()) return why(*g, effect);
    return fmt::format("{}: the register would count {} {} {} where the event says {}", to_string(event.kind), counted, unit,
                       event.kind == EventKind::leave ? "forfeited" : event.kind == EventKind::lift ? "lifted" : "clawed back",
                       *claimed);
}

bool director_recorded(const std::vector<StoredResult>& results, const std::string& director, std::string& message) {
    std::vector<std::string> ids;          // in the order first named
    std::unordered_set<std::string> seen;  // (a director has many lines: each id looked up, not searched for)
    for (const auto& r : results)
        for (const auto& l : r.lines) {
            if (l.director.empty()) continue;   // (a line of the result as a whole: its currency)
            if (l.director == director) return true;
            if (seen.insert(l.director).second) ids.push_back(l.director);
        }
    message = fmt::format("no recorded result names `{}`", dsl::printable(director));
    if (ids.empty()) {
        message += ": the register holds no result yet";
    } else if (auto best = dsl::closest(director, ids)) {
        message += fmt::format("; did you mean `{}`?", dsl::printable(*best));
    } else {
        std::sort(ids.begin(), ids.end());
        std::string listed;
        for (std::size_t i = 0; i < ids.size() && i < 20; ++i) listed += (i ? ", " : "") + dsl::printable(ids[i]);
        if (ids.size() > 20) listed += fmt::format(" and {} more", ids.size() - 20);
        message += "; the register names " + listed;
    }
    return false;
}

std::string grant_unit(const std::vector<StoredResult>& results, const std::string& director, const std::string& grant) {
    return GrantUnits(results).of_director(director, grant);
}

GrantUnits::GrantUnits(const std::vector<StoredResult>& results) {
    for (const auto& r : results)
        for (const auto& l : r.lines) {
            if (l.kind != "grant" || l.unit.empty()) continue;
            of_line_.emplace(std::make_tuple(r.id, l.director, l.name), l.unit);   // (the first such line)
            auto& seen = by_director_[l.director];
            if (std::find(seen.begin(), seen.end(), std::make_pair(l.name, l.unit)) == seen.end()) seen.emplace_back(l.name, l.unit);
        }
}

std::string GrantUnits::of_director(const std::string& director, const std::string& grant) const {
    std::string unit;
    if (auto it = by_director_.find(director); it != by_director_.end())
        for (const auto& [name, u] : it->second) {
            if (!grant.empty() && name != grant) continue;
            if (!unit.empty() && unit != u) return "shares";
            unit = u;
        }
    return unit.empty() ? "shares" : unit;
}

std::string GrantUnits::of(const GrantBalance& g) const {
    if (auto it = of_line_.find(std::make_tuple(g.result_id, g.director, g.grant)); it != of_line_.end()) return it->second;
    return of_director(g.director, "");
}

}  // namespace hoshu::eval
