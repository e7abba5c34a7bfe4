#include "evaluator/register/carry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>

#include "dsl/base/source.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/numbers/rational.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/register/balances.hpp"

namespace hoshu::eval {

namespace {

using JKind = JsonValue::Kind;

JsonValue* field(JsonValue& record, std::string_view key) {
    for (std::size_t k = 0; k < record.keys.size(); ++k)
        if (record.keys[k] == key) return &record.items[k];
    return nullptr;
}

bool text_is(const JsonValue& record, std::string_view key, const std::string& want) {
    const JsonValue* v = record.find(key);
    return v != nullptr && v->kind == JKind::string && v->text == want;
}

/// `grant` (an output's name) names the record: one of its text fields is that name, or
/// the word before the name's first `_`.
bool names_grant(const JsonValue& record, const std::string& grant) {
    std::string word = grant.substr(0, grant.find('_'));
    for (const auto& v : record.items)
        if (v.kind == JKind::string && (v.text == grant || v.text == word)) return true;
    return false;
}

}  // namespace

bool record_names_grant(const JsonValue& record, const std::string& grant) { return names_grant(record, grant); }

namespace {
/// The outputs of a result's records (its main collection, the first list; the key aside):
/// the names a grant can have.
std::vector<std::string> output_names(const JsonValue& result) {
    std::vector<std::string> out;
    for (const JsonValue& list : result.items) {
        if (list.kind != JKind::array) continue;
        for (const JsonValue& r : list.items)
            for (std::size_t k = 1; k < r.keys.size(); ++k)
                if (std::find(out.begin(), out.end(), r.keys[k]) == out.end()) out.push_back(r.keys[k]);
        break;
    }
    return out;
}

/// The records of `director` (of `year`, when given) in a result's carry; `named` counts
/// those that name some output, i.e. that can say which grant they are.
std::size_t carried_of(const JsonValue* carry, const std::string& director, const std::string& year,
                       const std::vector<std::string>& outputs, std::size_t& named, std::string& list_name) {
    std::size_t n = 0;
    named = 0;
    if (carry == nullptr || carry->kind != JKind::object) return 0;
    for (std::size_t k = 0; k < carry->items.size(); ++k) {
        const JsonValue& list = carry->items[k];
        if (list.kind != JKind::array) continue;
        for (const auto& r : list.items) {
            if (r.kind != JKind::object || !text_is(r, "director", director)) continue;
            if (!year.empty() && !text_is(r, "year", year)) continue;
            if (n++ == 0) list_name = carry->keys[k];
            if (std::any_of(outputs.begin(), outputs.end(), [&](const std::string& o) { return names_grant(r, o); })) ++named;
        }
    }
    return n;
}

bool matches(const JsonValue& record, const StoredEvent& e) {
    if (record.kind != JKind::object || !text_is(record, "director", e.director)) return false;
    if (!e.fiscal_year.empty() && !text_is(record, "year", e.fiscal_year)) return false;
    if (!e.grant.empty() && !names_grant(record, e.grant)) return false;
    return true;
}

std::string describe(const StoredEvent& e) {
    std::string what = fmt::format("event {} ({} {}", e.id, to_string(e.kind), e.director);
    if (!e.fiscal_year.empty()) what += " " + e.fiscal_year;
    if (!e.grant.empty()) what += " " + e.grant;
    return what + " on " + e.date + ")";
}

}  // namespace

std::vector<StoredEvent> events_since(const StoredResult& prior, const std::vector<StoredEvent>& events) {
    std::vector<StoredEvent> out;
    for (const auto& e : events)
        if (e.seq > prior.seq) out.push_back(e);
    std::stable_sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
        return a.date != b.date ? a.date < b.date : a.seq < b.seq;
    });
    return out;
}

namespace {

/// The first record of `r`'s fiscal year: `r` followed back by `supersedes`.
const StoredResult& first_record(const StoredResult& r, const std::vector<StoredResult>& results) {
    const StoredResult* at = &r;
    for (std::size_t guard = 0; at->supersedes && guard <= results.size(); ++guard) {
        auto it = std::find_if(results.begin(), results.end(), [&](const StoredResult& x) { return x.id == *at->supersedes; });
        if (it == results.end()) break;
        at = &*it;
    }
    return *at;
}

/// The result `r` carried its records from (in the register), or nullptr.
const StoredResult* carried_from(const StoredResult& r, const std::vector<StoredResult>& results,
                                 std::vector<std::int64_t>* applied) {
    auto seal = read_result(r.result_json);
    if (!seal || seal->seal.carried_sha256.empty()) return nullptr;
    if (applied)
        for (const auto& e : seal->seal.carried_events) applied->push_back(e.id);
    return result_with_sha256(results, seal->seal.carried_sha256, r.seq);
}

bool waits_for_later_year(const StoredEvent& e, const StoredResult& prior) {
    return !e.fiscal_year.empty() && fiscal_year_before(prior.fiscal_year, e.fiscal_year);
}

}  // namespace

std::vector<StoredEvent> events_to_carry(const StoredResult& prior, const std::vector<StoredResult>& results,
                                         const std::vector<StoredEvent>& events) {
    // The events the chain applied, and the sequence before which the chain's start took
    // every event in.
    std::vector<std::int64_t> applied;
    const StoredResult* at = &prior;
    std::int64_t taken_before = 0;
    for (std::size_t guard = 0; at != nullptr && guard <= results.size(); ++guard) {
        const StoredResult* from = carried_from(*at, results, &applied);
        if (from == nullptr || from == at) {
            taken_before = first_record(*at, results).seq;
            break;
        }
        at = from;
    }
    const std::unordered_set<std::int64_t> applied_ids(applied.begin(), applied.end());
    std::vector<StoredEvent> out;
    for (const auto& e : events) {
        if (e.seq < taken_before || waits_for_later_year(e, prior)) continue;
        if (applied_ids.count(e.id)) continue;
        out.push_back(e);
    }
    std::stable_sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
        return a.date != b.date ? a.date < b.date : a.seq < b.seq;
    });
    return out;
}

YearEvents events_for_year(const StoredResult& prior, const std::vector<StoredResult>& results,
                           const std::vector<StoredEvent>& events, const std::string& year, const std::string& last_day) {
    YearEvents out;
    // The year evaluated again (a restatement): its current record, the first of its year,
    // and the events that record applied.
    const StoredResult* current = nullptr;
    for (const auto& r : results)
        if (!r.superseded_by && r.fiscal_year == year) current = &r;
    std::int64_t first_seq = 0;
    std::vector<std::int64_t> applied;
    if (current != nullptr) {
        first_seq = first_record(*current, results).seq;
        carried_from(*current, results, &applied);
    }
    const std::unordered_set<std::int64_t> applied_ids(applied.begin(), applied.end());
    for (const auto& e : events_to_carry(prior, results, events)) {
        if (!last_day.empty()) {
            // An event recorded after the year was first recorded, dated on or after the
            // year's grant date, was taken by the register on the balances the year's record
            // left (what the year vested, the register's balances no longer held restricted:
            // a leave forfeited the rest): the year evaluated again does as its record did,
            // and the next year applies it on top of the year's carried records.
            const bool after_record = current != nullptr && e.seq > first_seq &&
                                      std::find(applied.begin(), applied.end(), e.id) == applied.end() &&
                                      (current->grant_date.empty() || e.date >= current->grant_date);
            if (e.date <= last_day && !after_record) {
                out.apply.push_back(e);
                continue;
            }
            if (e.date > last_day)
                out.left.push_back(describe(e) + fmt::format(" is dated after {}'s last day, {}: it is left to the next year", year, last_day));
            else
                out.left.push_back(describe(e) + fmt::format(
                                                     " was recorded after {} was first recorded (record {}) and is dated on or after "
                                                     "its grant date{}: the register took it on the balances that record left (what "
                                                     "{} vested before it stays vested), so it is left to the next year",
                                                     year, first_record(*current, results).id,
                                                     current->grant_date.empty() ? "" : ", " + current->grant_date, year));
        } else {
            if (current == nullptr || e.seq < first_seq || applied_ids.count(e.id)) {
                out.apply.push_back(e);
                continue;
            }
            out.left.push_back(describe(e) + fmt::format(
                                                 " was recorded after {} was first recorded (record {}), and the plan names no "
                                                 "`year_end` to tell whether it falls within {}: it is left to the next year",
                                                 year, first_record(*current, results).id, year));
        }
    }
    return out;
}

std::vector<StoredEvent> own_year_leaves(const StoredResult& prior, const std::vector<StoredEvent>& events) {
    std::vector<StoredEvent> out;
    std::vector<std::int64_t> applied;
    auto seal = read_result(prior.result_json);
    if (!seal) return out;
    for (const auto& e : seal->seal.carried_events) applied.push_back(e.id);
    const std::unordered_set<std::int64_t> applied_ids(applied.begin(), applied.end());
    // The directors the year grants, as the register counts its grants (a grant line of more
    // than 0 shares).
    std::unordered_set<std::string> granted;
    for (const auto& l : prior.lines)
        if (l.kind == "grant" && share_count(l.value).value_or(0) > 0) granted.insert(l.director);
    for (const auto& e : events) {
        if (e.kind != EventKind::leave || !applied_ids.count(e.id) || !granted.count(e.director)) continue;
        if (!prior.grant_date.empty() && e.date < prior.grant_date) continue;   // (before the year's grants: none to forfeit)
        StoredEvent own = e;
        own.fiscal_year = prior.fiscal_year;
        out.push_back(std::move(own));
    }
    std::stable_sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
        return a.date != b.date ? a.date < b.date : a.seq < b.seq;
    });
    return out;
}

Staleness superseded_ancestor(const StoredResult& r, const std::vector<StoredResult>& results) {
    const StoredResult* at = &r;
    const StoredResult* first = nullptr;
    for (std::size_t guard = 0; guard <= results.size(); ++guard) {
        const StoredResult* from = carried_from(*at, results, nullptr);
        if (from == nullptr || from == at) return {};
        if (first == nullptr) first = from;
        if (from->superseded_by) return {first, from};
        at = from;
    }
    return {};
}

std::string stale_reason(const Staleness& stale, const std::string& superseded_by) {
    if (!stale) return {};
    const StoredResult& s = *stale.superseded;
    const std::string by = superseded_by.empty() ? fmt::format("record {}", *s.superseded_by) : superseded_by;
    std::string text = fmt::format("computed from record {} ({})", stale.from->id, stale.from->fiscal_year);
    if (stale.from != stale.superseded) text += fmt::format(", which rests on record {} ({})", s.id, s.fiscal_year);
    return text + fmt::format(", which {} supersedes", by);
}

bool fiscal_year_follows(std::string_view earlier, std::string_view later) {
    auto split = [](std::string_view s) {
        std::size_t i = s.size();
        while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') --i;
        return std::pair{s.substr(0, i), s.substr(i)};
    };
    auto [prefix_a, digits_a] = split(earlier);
    auto [prefix_b, digits_b] = split(later);
    if (prefix_a != prefix_b || digits_a.empty() || digits_b.empty() || digits_a.size() > 9 || digits_b.size() > 9) return true;
    return std::stoll(std::string(digits_b)) == std::stoll(std::string(digits_a)) + 1;
}

const StoredResult* result_with_sha256(const std::vector<StoredResult>& results, const std::string& sha256,
                                       std::int64_t recorded_before) {
    const StoredResult *current = nullptr, *before = nullptr, *latest = nullptr;
    for (const auto& r : results) {
        if (sha256_hex(r.result_json) != sha256) continue;
        if (!r.superseded_by) current = &r;
        if (r.seq < recorded_before && (before == nullptr || r.seq > before->seq)) before = &r;
        if (latest == nullptr || r.seq > latest->seq) latest = &r;
    }
    return current ? current : before ? before : latest;
}

std::string grant_not_carried(const std::vector<StoredResult>& results, const EventEntry& event) {
    if (event.grant.empty()) return {};
    const StoredResult* latest = nullptr;
    for (const auto& r : results)
        if (!r.superseded_by && (latest == nullptr || !fiscal_year_before(r.fiscal_year, latest->fiscal_year))) latest = &r;
    if (latest == nullptr) return {};
    auto recorded = read_result(latest->result_json);
    if (!recorded) return {};
    std::size_t named = 0;
    std::string list;
    const std::size_t n =
        carried_of(recorded->json.find("carry"), event.director, event.fiscal_year, output_names(recorded->json), named, list);
    if (n == 0 || named > 0) return {};
    const std::string word = event.grant.substr(0, event.grant.find('_'));
    const std::string which = event.fiscal_year.empty() ? "" : " " + event.fiscal_year;
    return fmt::format("--grant {}: the records of `{}`{} that the {} result carries (`{}`) have no text field naming a grant "
                       "(`{}`{}), so the next year's evaluation could not apply the {} to that grant alone: leave out --grant "
                       "(the event then applies to the {} carried record{} of `{}`{}), or carry a field naming the grant",
                       event.grant, dsl::printable(event.director), which, latest->fiscal_year, list, event.grant,
                       word == event.grant ? "" : fmt::format(" or `{}`", word), to_string(event.kind), n, n == 1 ? "" : "s",
                       dsl::printable(event.director), which);
}

namespace {

/// Whether a rate written `text` (the number `rate`) reads as a percent written without its
/// `%`: past 1 and at most 100, in digits with at most two decimals ("70", "12.5"). Not
/// "7/5", nor "1.0000000000000000000001" (a rate just past 1, mistyped or not, is no percent).
bool looks_like_percent(const std::string& text, const Rational& rate) {
    if (!(Rational(1) < rate) || Rational(100) < rate) return false;
    const std::size_t point = text.find('.');
    const std::string whole = text.substr(0, point);
    const std::string decimals = point == std::string::npos ? "" : text.substr(point + 1);
    auto digits = [](const std::string& t) { return t.find_first_not_of("0123456789") == std::string::npos; };
    return !whole.empty() && digits(whole) && digits(decimals) && decimals.size() <= 2 &&
           (point == std::string::npos || !decimals.empty());
}

}  // namespace

std::string rate_outside(const Plan* plan, const std::string& rate_text) {
    auto rate = Rational::parse(rate_text);
    if (!rate) return {};   // not a number: check_event says so
    std::string why;
    bool declared = false;
    if (plan != nullptr)
        for (const Slot& s : plan->slots) {
            const std::string& path = s.input.path_text;
            if (s.kind != SlotKind::input || (path != "reassessed_rate" && !path.ends_with(".reassessed_rate"))) continue;
            if (!s.input.low && !s.input.high) continue;
            declared = true;
            if ((s.input.low && *rate < s.input.low->number) || (s.input.high && s.input.high->number < *rate)) {
                why = fmt::format("outside the range {} the plan declares for `{}`, which reads it", s.input.range_text, s.name);
                break;
            }
        }
    if (!declared && (rate->sign() < 0 || Rational(1) < *rate)) why = "outside 0 to 1, the range of a rate";
    if (!why.empty() && looks_like_percent(rate_text, *rate))
        why += fmt::format(" (write `{}%` if {} percent is meant)", rate_text, rate_text);
    return why;
}

std::vector<LedgerContradiction> ledger_contradictions(const std::vector<StoredResult>& results, const StoredResult& prior,
                                                       const JsonValue* expected, const std::vector<JsonValue>& typed,
                                                       const std::map<std::string, std::vector<std::string>>& count_fields,
                                                       const std::set<std::string>& carry_fields,
                                                       const std::map<std::string, std::string>& defaults,
                                                       const std::string& year) {
    // The register's grants of the years before `year`: its current records' grant lines.
    struct Grant {
        std::string director, fiscal_year, grant;
        std::int64_t granted = 0;
    };
    std::vector<Grant> grants;
    std::set<std::string> names;
    std::map<std::pair<std::string, std::string>, std::size_t> that_year;   // (director, year) → grants
    std::map<std::string, const StoredResult*> recorded;                   // the years so recorded, each's record
    for (const auto& r : results) {
        if (r.superseded_by || !fiscal_year_before(r.fiscal_year, year)) continue;
        recorded.emplace(r.fiscal_year, &r);
        for (const auto& l : r.lines) {
            if (l.kind != "grant") continue;
            auto n = share_count(l.value);
            if (!n || *n == 0) continue;
            grants.push_back({l.director, r.fiscal_year, l.name, *n});
            names.insert(l.name);
            ++that_year[{l.director, r.fiscal_year}];
        }
    }
    // The records each side gives, by director and year; whether they name grants at all.
    using Index = std::map<std::pair<std::string, std::string>, std::vector<std::size_t>>;
    auto index_of = [](const std::vector<const JsonValue*>& recs) {
        Index index;
        for (std::size_t i = 0; i < recs.size(); ++i) {
            const JsonValue* d = recs[i]->find("director");
            const JsonValue* y = recs[i]->find("year");
            if (d && y && d->kind == JKind::string && y->kind == JKind::string) index[{d->text, y->text}].push_back(i);
        }
        return index;
    };
    auto names_any = [&](const std::vector<const JsonValue*>& recs) {
        for (const JsonValue* rec : recs)
            for (const auto& name : names)
                if (names_grant(*rec, name)) return true;
        return false;
    };
    std::vector<const JsonValue*> exp, typ;
    if (expected != nullptr && expected->kind == JKind::object)
        for (const auto& list : expected->items)
            if (list.kind == JKind::array)
                for (const auto& rec : list.items)
                    if (rec.kind == JKind::object) exp.push_back(&rec);
    for (const auto& rec : typed)
        if (rec.kind == JKind::object) typ.push_back(&rec);
    const Index exp_index = index_of(exp), typ_index = index_of(typ);
    const bool exp_names = names_any(exp), typ_names = names_any(typ);
    const bool exp_own_year = std::any_of(exp.begin(), exp.end(), [&](const JsonValue* r) { return text_is(*r, "year", prior.fiscal_year); });
    static const std::vector<std::size_t> none;
    // The records of `g` among `recs` (by `index`); false when they cannot be told apart.
    auto records_of = [&](const Grant& g, const std::vector<const JsonValue*>& recs, const Index& index, bool named,
                          std::vector<std::size_t>& out) {
        out.clear();
        if (!named && that_year[{g.director, g.fiscal_year}] != 1) return false;
        auto found = index.find({g.director, g.fiscal_year});
        for (std::size_t i : found == index.end() ? none : found->second)
            if (!named || names_grant(*recs[i], g.grant)) out.push_back(i);
        return true;
    };
    // The sum of a whole-number field over records; none when no record has it, "" text when
    // one is not a whole number (its text is given instead).
    auto sum_of = [](const std::vector<const JsonValue*>& recs, const std::vector<std::size_t>& which, const std::string& key,
                     bool& any) -> std::string {
        any = false;
        std::int64_t total = 0;
        for (std::size_t i : which) {
            const JsonValue* v = recs[i]->find(key);
            if (v == nullptr) continue;
            any = true;
            auto n = v->kind == JKind::number ? share_count(v->text) : std::nullopt;
            if (!n || __builtin_add_overflow(total, *n, &total)) return json_text(*v);
        }
        return std::to_string(total);
    };
    // The fields of typed record t, but `restricted` and those of `skip`, that carried record
    // c gives otherwise (a number equal as a number: 3020 and 3_020, 0.5 and 1/2), or that
    // one of them gives and the other does not (the plan would read its default instead). A
    // field no `carry` of the plan writes is an input of the year (a committee's reassessed
    // rate): not compared.
    auto raw = [](const JsonValue& v) {
        return v.kind == JKind::string || v.kind == JKind::number || v.kind == JKind::boolean ? v.text : json_text(v);
    };
    // Two values alike: the same text, or the same number as the inputs may write it (`1.10`,
    // `"110%"`, `"11/10"`).
    auto same_number = [](std::string_view a, std::string_view b) {
        if (a == b) return true;
        auto number = [](std::string_view text) -> std::optional<Rational> {
            if (!text.ends_with('%')) return Rational::parse(text);
            auto r = Rational::parse(text.substr(0, text.size() - 1));
            if (r) *r = *r / Rational(100);
            return r;
        };
        auto x = number(a), y = number(b);
        return x && y && *x == *y;
    };
    auto differing = [&](const JsonValue& t, const JsonValue& c, const std::vector<std::string>* skip) {
        std::vector<std::string> out;
        for (std::size_t k = 0; k < t.keys.size(); ++k) {
            const std::string& key = t.keys[k];
            if (key == "restricted" || (skip && std::find(skip->begin(), skip->end(), key) != skip->end())) continue;
            const JsonValue* w = c.find(key);
            if (w == nullptr) {
                // (Where the register carries none the plan reads its default: the same value
                // written out is no difference.)
                if (carry_fields.count(key) == 0) continue;
                if (auto d = defaults.find(key); d != defaults.end() && same_number(d->second, raw(t.items[k]))) continue;
                out.push_back(key);
                continue;
            }
            if (!same_number(raw(*w), raw(t.items[k]))) out.push_back(key);
        }
        for (std::size_t k = 0; k < c.keys.size(); ++k) {
            const std::string& key = c.keys[k];
            // (`restricted` too: left out, the plan reads its default, not the shares held.)
            if ((skip && std::find(skip->begin(), skip->end(), key) != skip->end()) || t.find(key) != nullptr) continue;
            // (Left out where the plan reads a default: the same when the register carries it.)
            if (auto d = defaults.find(key); d != defaults.end() && same_number(d->second, raw(c.items[k]))) continue;
            out.push_back(key);
        }
        return out;
    };
    // A field's value in a record as a message gives it ("nothing": the record has none).
    auto value_in = [&](const JsonValue* r, const std::string& key) -> std::string {
        const JsonValue* v = r ? r->find(key) : nullptr;
        return v ? raw(*v) : "nothing";
    };
    // Each typed record of `mine` paired with a carried one of `theirs` that gives its fields
    // alike (differing() empty); for one with none, on_unpaired(typed, the nearest carried
    // record or null, the fields that differ there). Returns the pairs (typed, carried).
    auto pair_up = [&](const std::vector<std::size_t>& mine, const std::vector<std::size_t>& theirs,
                       const std::vector<std::string>* skip, const auto& on_unpaired) {
        std::vector<std::pair<std::size_t, std::size_t>> pairs;
        std::vector<char> used(theirs.size(), 0);
        for (std::size_t i : mine) {
            std::size_t best = theirs.size();
            std::vector<std::string> best_differ;
            for (std::size_t j = 0; j < theirs.size(); ++j) {
                if (used[j]) continue;
                auto d = differing(*typ[i], *exp[theirs[j]], skip);
                // (The nearest: one of the same director and year before one of fewer differences.)
                auto score = [](const std::vector<std::string>& fields) {
                    std::size_t n = fields.size();
                    for (const auto& f : fields)
                        if (f == "director" || f == "year" || f == "fiscal_year") n += 1000;
                    return n;
                };
                if (best == theirs.size() || score(d) < score(best_differ)) {
                    best = j;
                    best_differ = std::move(d);
                }
                if (best_differ.empty()) break;
            }
            if (best < theirs.size() && best_differ.empty()) {
                used[best] = 1;
                pairs.emplace_back(i, theirs[best]);
            } else {
                on_unpaired(i, best < theirs.size() ? exp[theirs[best]] : nullptr, best_differ);
            }
        }
        return pairs;
    };
    auto at = [&](std::size_t i) { return static_cast<std::size_t>(typ[i] - &typed.front()); };
    std::vector<LedgerContradiction> out;
    std::vector<std::size_t> mine, theirs;
    auto first = [&]() -> std::optional<std::size_t> {
        if (mine.empty()) return std::nullopt;
        return at(mine.front());
    };
    // The typed records of a grant (`mine`) against those the register hands the year
    // (`theirs`), all but the counts of `counted` (compared apart). No more records of it than
    // the register carries (an extra one, even of no shares, can make shares: a reassessment
    // reads its rate), each giving every other field the register would hand the year (its
    // grant date, price, rate) alike; no more restricted. (Fewer: a record left out counts as
    // released when it holds shares restricted; one of no `restricted` — points that vest,
    // say — is no release, and the year would read none of it.)
    auto compare_records = [&](const std::string& director, const std::string& fy, const std::string& grant,
                               const std::vector<std::string>* counted) {
        const bool restricting =
            std::any_of(theirs.begin(), theirs.end(), [&](std::size_t j) { return exp[j]->find("restricted") != nullptr; });
        if (mine.size() > theirs.size() || (mine.size() < theirs.size() && !restricting)) {
            out.push_back({director, fy, grant, "records", std::to_string(mine.size()), std::to_string(theirs.size()),
                           first(), false, false});
            return;
        }
        const auto pairs = pair_up(mine, theirs, counted,
                                   [&](std::size_t i, const JsonValue* nearest, const std::vector<std::string>& differ) {
                                       for (const auto& key : differ)
                                           out.push_back({director, fy, grant, key, value_in(typ[i], key),
                                                          value_in(nearest, key), at(i), false, false});
                                   });
        bool any_exp = false, any_typ = false;
        const std::string registered = sum_of(exp, theirs, "restricted", any_exp);
        const std::string given = sum_of(typ, mine, "restricted", any_typ);
        if (!any_typ && !mine.empty()) return;   // (the ledger's records of it hold no `restricted`)
        auto reg = share_count(registered), typ_n = share_count(given);
        if (!reg || !typ_n) {
            if (registered != given) out.push_back({director, fy, grant, "restricted", given, registered, first()});
            return;
        }
        if (*typ_n > *reg) {
            out.push_back({director, fy, grant, "restricted", given, registered, first()});
        } else if (*typ_n < *reg) {
            out.push_back({director, fy, grant, "restricted", given, registered, first(), true});
            std::set<std::size_t> paired;
            for (const auto& [i, j] : pairs) {
                paired.insert(j);
                const JsonValue* held = exp[j]->find("restricted");
                const JsonValue* gave = typ[i]->find("restricted");
                if (held != nullptr && (gave == nullptr || !same_number(raw(*gave), raw(*held))))
                    out.back().restore_restricted.emplace_back(at(i), raw(*held));
            }
            for (std::size_t j : theirs)
                if (paired.count(j) == 0) out.back().restore_records.push_back(exp[j]);
        }
    };
    for (const Grant& g : grants) {
        if (!records_of(g, typ, typ_index, typ_names, mine)) continue;
        // The count granted.
        if (auto fields = count_fields.find(g.grant); fields != count_fields.end())
            for (const auto& field : fields->second) {
                bool any = false;
                const std::string sum = sum_of(typ, mine, field, any);
                if (any && sum != std::to_string(g.granted))
                    out.push_back({g.director, g.fiscal_year, g.grant, field, sum, std::to_string(g.granted), first()});
            }
        // What is still restricted of it as the year opens.
        if (g.fiscal_year == prior.fiscal_year && !exp_own_year) continue;
        if (!records_of(g, exp, exp_index, exp_names, theirs)) continue;
        const auto counted = count_fields.find(g.grant);
        compare_records(g.director, g.fiscal_year, g.grant,
                        counted == count_fields.end() ? nullptr : &counted->second);   // (counts compared above)
    }
    // A director's records of a year of several grants that name none of them cannot be told
    // apart by grant: they are compared all at once, each field of each (the counts too)
    // against the records the register hands the year, and what they hold restricted together.
    if (!typ_names) {
        std::set<std::pair<std::string, std::string>> compared;
        for (const Grant& g : grants) {
            const std::pair<std::string, std::string> key{g.director, g.fiscal_year};
            if (that_year[key] <= 1 || !compared.insert(key).second) continue;
            if (g.fiscal_year == prior.fiscal_year && !exp_own_year) continue;
            std::string made;   // (the grants, named together)
            for (const Grant& h : grants)
                if (h.director == g.director && h.fiscal_year == g.fiscal_year) made += (made.empty() ? "" : ", ") + h.grant;
            const auto t = typ_index.find(key);
            const auto e = exp_index.find(key);
            mine = t == typ_index.end() ? none : t->second;
            theirs = e == exp_index.end() ? none : e->second;
            compare_records(g.director, g.fiscal_year, made, nullptr);
        }
    }
    // Records of a form that names no director's grant of a year (no `director` and `year`
    // texts: a balance of points by director and fiscal year): each paired with a record the
    // records handed the year carry, every field alike; one left out warned of (the year then
    // reads none of it).
    {
        auto plain = [](const JsonValue* r) {
            const JsonValue* d = r->find("director");
            const JsonValue* y = r->find("year");
            return !(d && y && d->kind == JKind::string && y->kind == JKind::string);
        };
        std::vector<std::size_t> gen_typ, gen_exp;
        for (std::size_t i = 0; i < typ.size(); ++i)
            if (plain(typ[i])) gen_typ.push_back(i);
        for (std::size_t j = 0; j < exp.size(); ++j)
            if (plain(exp[j])) gen_exp.push_back(j);
        auto text_of = [](const JsonValue* r, std::initializer_list<const char*> keys) {
            for (const char* k : keys)
                if (const JsonValue* v = r->find(k); v && v->kind == JKind::string) return v->text;
            return std::string();
        };
        auto other = [&](const JsonValue* r, std::string field, std::string got, std::string want, std::optional<std::size_t> i,
                         bool less) {
            LedgerContradiction c{text_of(r, {"director"}), text_of(r, {"fiscal_year", "year"}), "", std::move(field),
                                  std::move(got), std::move(want), i, less, false};
            c.other = true;
            out.push_back(std::move(c));
        };
        const auto pairs = pair_up(gen_typ, gen_exp, nullptr,
                                   [&](std::size_t i, const JsonValue* nearest, const std::vector<std::string>& differ) {
                                       if (nearest == nullptr) {
                                           other(typ[i], "", "", "", at(i), false);
                                           return;
                                       }
                                       for (const auto& f : differ)
                                           other(typ[i], f, value_in(typ[i], f), value_in(nearest, f), at(i), false);
                                   });
        std::set<std::size_t> paired;
        for (const auto& [i, j] : pairs) paired.insert(j);
        if (pairs.size() == gen_typ.size())
            for (std::size_t j : gen_exp)
                if (paired.count(j) == 0) {
                    other(exp[j], "", "", json_text(*exp[j]), std::nullopt, true);
                    out.back().restore_records.push_back(exp[j]);
                }
    }
    // Each typed record must besides be of a grant the register holds: of a year it records, a
    // grant that year's record makes the director; of a year before the first it records (a
    // grant made before the register began), a record the records handed the year carry, with
    // the same fields and no more restricted. Any other (a director or grant the year's record
    // does not grant, a year spelt otherwise, a later year), even of no shares, would enter the
    // chain unseen: the plan would read it (a reassessment makes shares of a rate) and the
    // next year carry it, while `show` never counts it.
    if (recorded.empty()) return out;
    std::string first_year = recorded.begin()->first;
    for (const auto& [fy, r] : recorded)
        if (fiscal_year_before(fy, first_year)) first_year = fy;
    std::vector<std::string> share_fields;   // the fields that count a grant
    for (const auto& [output, fields] : count_fields)
        for (const auto& f : fields)
            if (std::find(share_fields.begin(), share_fields.end(), f) == share_fields.end()) share_fields.push_back(f);
    auto restricted_of = [&](const JsonValue& rec) -> std::optional<std::int64_t> {
        const JsonValue* v = rec.find("restricted");
        if (v == nullptr) return std::int64_t{0};
        return v->kind == JKind::number ? share_count(v->text) : std::nullopt;
    };
    for (const auto& [key, which] : typ_index) {
        const std::string& director = key.first;   // (named: lambdas below capture them)
        const std::string& fy = key.second;
        auto unheld = [&](std::size_t i, std::string why) {
            LedgerContradiction c{director, fy, "", "year", fy, std::move(why), at(i)};
            c.unheld = true;
            out.push_back(std::move(c));
        };
        auto carried = [&](LedgerContradiction c) {
            c.unheld = true;
            c.carried = true;
            out.push_back(std::move(c));
        };
        if (auto r = recorded.find(fy); r != recorded.end()) {
            // A year the register records: each record one of its grants of the director.
            std::vector<std::string> made;
            for (const Grant& g : grants)
                if (g.director == director && g.fiscal_year == fy) made.push_back(g.grant);
            for (std::size_t i : which) {
                const bool named = std::any_of(names.begin(), names.end(), [&](const auto& n) { return names_grant(*typ[i], n); });
                const bool held = std::any_of(made.begin(), made.end(), [&](const auto& g) { return !named || names_grant(*typ[i], g); });
                if (held) continue;
                std::string list;
                for (const auto& g : made) list += (list.empty() ? "" : ", ") + g;
                // (A record of no grants at all: recorded without them, as a plan whose grants
                // are in no shares is unless named with --grants.)
                const bool none_at_all = std::none_of(r->second->lines.begin(), r->second->lines.end(),
                                                      [](const auto& l) { return l.kind == "grant"; });
                unheld(i, made.empty() ? fmt::format("record {} of {} grants `{}` nothing{}", r->second->id, fy, director,
                                                     none_at_all ? " (it records no grants at all: it was recorded without "
                                                                   "--grants)"
                                                                 : "")
                                       : fmt::format("record {} of {} grants `{}` {} alone", r->second->id, fy, director, list));
            }
            continue;
        }
        if (!fiscal_year_before(fy, first_year)) {
            // Not a year the register records, nor one before it began.
            std::string years;
            for (const auto& [y, r] : recorded) years += (years.empty() ? "`" : ", `") + y + "`";
            unheld(which.front(), fmt::format("the register records no year `{}` before {} (it records {}: a grant made "
                                              "before it began is of a year before `{}`)",
                                              fy, year, years, first_year));
            continue;
        }
        // A grant made before the register began: a record the records handed the year carry.
        auto theirs_at = exp_index.find(key);
        if (theirs_at == exp_index.end()) {
            unheld(which.front(), fmt::format("it began with {}, and the records it hands {} (record {}, {}, with the "
                                              "events since) carry none of `{}`'s {} grants",
                                              first_year, year, prior.id, prior.fiscal_year, director, fy));
            continue;
        }
        const std::vector<std::size_t>& carried_recs = theirs_at->second;
        if (which.size() > carried_recs.size()) {
            carried({director, fy, "", "records", std::to_string(which.size()), std::to_string(carried_recs.size()),
                     at(which.front()), false, false});
            continue;
        }
        const auto pairs = pair_up(which, carried_recs, nullptr,
                                   [&](std::size_t i, const JsonValue* nearest, const std::vector<std::string>& differ) {
                                       for (const auto& f : differ)
                                           carried({director, fy, "", f, value_in(typ[i], f), value_in(nearest, f), at(i), false,
                                                    std::find(share_fields.begin(), share_fields.end(), f) != share_fields.end()});
                                   });
        std::set<std::size_t> paired;
        for (const auto& [i, j] : pairs) {
            paired.insert(j);
            const auto given = restricted_of(*typ[i]), held = restricted_of(*exp[j]);
            if (given && held && *given == *held) continue;
            const bool fewer = given && held && *given < *held;
            carried({director, fy, "", "restricted", given ? std::to_string(*given) : raw(*typ[i]->find("restricted")),
                     held ? std::to_string(*held) : raw(*exp[j]->find("restricted")), at(i), fewer, false});
            if (fewer) out.back().restore_restricted.emplace_back(at(i), std::to_string(*held));
        }
        // (Unpaired because of another field: refused above; left out: below.)
        if (pairs.size() != which.size()) continue;
        for (std::size_t j : carried_recs) {
            if (paired.count(j) != 0) continue;
            if (exp[j]->find("restricted") == nullptr) {   // (no release: see above)
                carried({director, fy, "", "records", std::to_string(which.size()), std::to_string(carried_recs.size()),
                         at(which.front()), false, false});
                break;
            }
            const auto held = restricted_of(*exp[j]);
            if (held && *held > 0) {
                carried({director, fy, "", "restricted", "", std::to_string(*held), std::nullopt, true, false});
                out.back().restore_records.push_back(exp[j]);
            }
        }
    }
    // A grant made before the register began that the records handed the year hold shares of
    // restricted and the typed records leave out: taken as released, as above (warned of).
    for (const auto& [key, theirs_here] : exp_index) {
        const auto& [director, fy] = key;
        if (!fiscal_year_before(fy, first_year) || recorded.count(fy) != 0 || typ_index.count(key) != 0) continue;
        for (std::size_t j : theirs_here) {
            if (exp[j]->find("restricted") == nullptr) {   // (no release: refused)
                LedgerContradiction d{director, fy, "", "records", "0", std::to_string(theirs_here.size()), std::nullopt};
                d.unheld = true;
                d.carried = true;
                out.push_back(std::move(d));
                break;
            }
            const auto held = restricted_of(*exp[j]);
            if (!held || *held == 0) continue;
            LedgerContradiction d{director, fy, "", "restricted", "", std::to_string(*held), std::nullopt, true};
            d.unheld = true;
            d.carried = true;
            d.restore_records.push_back(exp[j]);
            out.push_back(std::move(d));
        }
    }
    return out;
}

Result<std::vector<std::string>> apply_events(RecordedResult& prior, const std::vector<StoredEvent>& events) {
    std::vector<std::string> notes;
    JsonValue* carry = nullptr;
    for (std::size_t k = 0; k < prior.json.keys.size(); ++k)
        if (prior.json.keys[k] == "carry") carry = &prior.json.items[k];
    for (const StoredEvent& e : events) {
        if (e.kind == EventKind::additional) {
            notes.push_back(describe(e) + " is not carried: an additional grant outside a result is not a record the plan carries");
            continue;
        }
        std::vector<JsonValue*> records;
        std::vector<std::pair<std::string, std::size_t>> where;   // each record's list and index
        if (carry != nullptr && carry->kind == JKind::object)
            for (std::size_t l = 0; l < carry->items.size(); ++l) {
                auto& list = carry->items[l];
                if (list.kind == JKind::array)
                    for (std::size_t i = 0; i < list.items.size(); ++i)
                        if (matches(list.items[i], e)) {
                            records.push_back(&list.items[i]);
                            where.emplace_back(carry->keys[l], i);
                        }
            }
        // What the event made of a carried value, beside the value as recorded (explain and
        // report show it with the value read).
        auto note = [&](std::size_t k, std::string_view key, const std::string& was, const std::string& now) {
            std::string& text = prior.carry_notes[carry_note_key(where[k].first, where[k].second, key)];
            if (text.empty()) text = was.empty() ? "not in the recorded result" : "recorded " + was;
            text += fmt::format("; {} made it {}", describe(e), now);
        };
        if (records.empty() && !e.grant.empty()) {
            // The register applied it to that grant alone; carried records that cannot say
            // which grant they are cannot take it: an error, never a silent difference.
            std::size_t named = 0;
            std::string list;
            const std::size_t n = carried_of(carry, e.director, e.fiscal_year, output_names(prior.json), named, list);
            if (n > 0 && named == 0)
                return dsl::one_error(
                    {}, fmt::format("{} cannot be applied to the carried records of {}: none of its {} record{} in `{}` names a "
                                    "grant (a text field `{}` or `{}`), and the register applied it to the grant {} alone",
                                    describe(e), e.director, n, n == 1 ? "" : "s", list, e.grant,
                                    e.grant.substr(0, e.grant.find('_')), e.grant));
        }
        if (records.empty()) {
            // (Named by the event's own words, not "director": a plan's records may be employees'.)
            notes.push_back(describe(e) + " changes no carried record: none is of " + e.director +
                            (e.fiscal_year.empty() ? "" : " " + e.fiscal_year) + (e.grant.empty() ? "" : " " + e.grant));
            continue;
        }
        std::optional<std::int64_t> shares;
        if (e.shares) {
            shares = share_count(*e.shares);
            // (A count past 18 digits is one an earlier version recorded: said as it is, not
            // as "not a whole number".)
            if (!shares)
                return dsl::one_error({}, fmt::format("{}: its shares `{}` are {}, not a count the register reads: a count is {}", describe(e),
                                                      *e.shares, grant_count_problem(*e.shares), grant_count_rule()));
        }
        std::int64_t to_take = shares.value_or(0);   // lift, clawback: from the records in turn
        bool lowered = false;                        // a record's `restricted` was there to change
        for (std::size_t k = 0; k < records.size(); ++k) {
            JsonValue* r = records[k];
            if (e.kind == EventKind::rate) {
                if (!e.rate || e.rate->empty()) return dsl::one_error({}, fmt::format("{}: it has no rate", describe(e)));
                JsonValue rate;
                rate.kind = JKind::string;
                rate.text = *e.rate;
                if (JsonValue* v = field(*r, "reassessed_rate")) {
                    note(k, "reassessed_rate", json_text(*v), *e.rate);
                    *v = rate;
                } else {
                    note(k, "reassessed_rate", "", *e.rate);
                    r->keys.push_back("reassessed_rate");
                    r->items.push_back(rate);
                }
                continue;
            }
            JsonValue* restricted = field(*r, "restricted");
            if (restricted == nullptr) continue;
            auto now = restricted->kind == JKind::number ? share_count(restricted->text) : std::nullopt;
            if (!now) {
                const std::string why = restricted->kind == JKind::number ? grant_count_problem(restricted->text) : "";
                if (why.empty() || why == "not a whole number")
                    return dsl::one_error({}, fmt::format("a carried record of {} has `restricted` {}, not a whole number of shares",
                                                          e.director, json_text(*restricted)));
                return dsl::one_error({}, fmt::format("a carried record of {} has `restricted` {}, {} shares, not a count the "
                                                      "register reads: a count is {}",
                                                      e.director, json_text(*restricted), why, grant_count_rule()));
            }
            std::int64_t left = 0;
            switch (e.kind) {
                case EventKind::lift:
                case EventKind::clawback: {
                    std::int64_t take = std::min(*now, to_take);
                    to_take -= take;
                    left = *now - take;
                    break;
                }
                case EventKind::leave: left = 0; break;
                case EventKind::rate:
                case EventKind::additional: left = *now; break;
            }
            if (left != *now) note(k, "restricted", restricted->text, std::to_string(left));
            restricted->text = std::to_string(left);
            lowered = true;
        }
        // The director's records are carried but hold no `restricted` to lower: the event
        // would be lost without a word (a forfeiture carried on as a balance).
        if (e.kind != EventKind::rate && !lowered)
            return dsl::one_error(
                {}, fmt::format("{} cannot be applied to the carried records of {}: none has a field `restricted`, the "
                                "restricted shares a register event lowers (name the plan's carried field `restricted`, "
                                "or type the carried records in the inputs instead of carrying them)",
                                describe(e), e.director));
    }
    return notes;
}

std::map<std::string, std::string> register_leavers(const StoredResult& prior, const std::vector<StoredResult>& results,
                                       const std::vector<StoredEvent>& events, const std::vector<StoredEvent>& applied) {
    std::map<std::string, std::string> out;
    for (const auto& e : applied)
        if (e.kind == EventKind::leave) out.emplace(e.director, describe(e));
    std::vector<std::int64_t> chain;   // the events the chain `prior` rests on applied
    const StoredResult* at = &prior;
    for (std::size_t guard = 0; at != nullptr && guard <= results.size(); ++guard) {
        const StoredResult* from = carried_from(*at, results, &chain);
        if (from == at) break;
        at = from;
    }
    for (const auto& e : events)
        if (e.kind == EventKind::leave && std::find(chain.begin(), chain.end(), e.id) != chain.end())
            out.emplace(e.director, describe(e));
    return out;
}

std::vector<std::string> drop_leavers(RecordedResult& prior, const std::string& list, const std::map<std::string, std::string>& leavers,
                                      const std::set<std::string>& listed) {
    std::vector<std::string> notes;
    JsonValue* carry = field(prior.json, "carry");
    if (carry == nullptr || carry->kind != JKind::object) return notes;
    JsonValue* records = field(*carry, list);
    if (records == nullptr || records->kind != JKind::array) return notes;
    // Whether `director`'s carried records are all closed: each has `restricted` 0.
    auto closed = [&](const std::string& director) {
        std::size_t n = 0;
        for (const JsonValue& l : carry->items) {
            if (l.kind != JKind::array) continue;
            for (const JsonValue& r : l.items) {
                if (r.kind != JKind::object || !text_is(r, "director", director)) continue;
                const JsonValue* restricted = r.find("restricted");
                if (restricted == nullptr || restricted->kind != JKind::number || share_count(restricted->text) != 0) return false;
                ++n;
            }
        }
        return n > 0;
    };
    std::map<std::string, std::size_t> dropped;   // director → records taken out
    for (const auto& [d, left] : leavers)
        if (!listed.count(d) && closed(d)) dropped[d] = 0;
    if (dropped.empty()) return notes;
    // The records that stay, and the notes of their values under their new places.
    std::vector<JsonValue> kept;
    std::map<std::string, std::string> moved;
    const std::string prefix = list + '\x1f';
    for (const auto& [key, text] : prior.carry_notes)
        if (key.compare(0, prefix.size(), prefix) != 0) moved.emplace(key, text);
    for (std::size_t i = 0; i < records->items.size(); ++i) {
        JsonValue& r = records->items[i];
        const JsonValue* d = r.kind == JKind::object ? r.find("director") : nullptr;
        if (d != nullptr && d->kind == JKind::string && dropped.count(d->text)) {
            ++dropped[d->text];
            continue;
        }
        for (std::size_t k = 0; k < r.keys.size(); ++k)
            if (auto it = prior.carry_notes.find(carry_note_key(list, i, r.keys[k])); it != prior.carry_notes.end())
                moved.emplace(carry_note_key(list, kept.size(), r.keys[k]), it->second);
        kept.push_back(std::move(r));
    }
    records->items = std::move(kept);
    prior.carry_notes = std::move(moved);
    for (const auto& [d, n] : dropped)
        notes.push_back(fmt::format("{}: nothing of `{}`'s is still restricted and the inputs do not list `{}`, so {} carried "
                                    "record{} in `{}` {} left out (a leaver need not be listed in the years after)",
                                    leavers.at(d), d, d, n, n == 1 ? "" : "s", list, n == 1 ? "is" : "are"));
    return notes;
}

}  // namespace hoshu::eval
