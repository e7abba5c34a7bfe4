#include "evaluator/register/carry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

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
    return result_with_sha256(results, seal->seal.carried_sha256);
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
    std::vector<StoredEvent> out;
    for (const auto& e : events) {
        if (e.seq < taken_before || waits_for_later_year(e, prior)) continue;
        if (std::find(applied.begin(), applied.end(), e.id) != applied.end()) continue;
        out.push_back(e);
    }
    std::stable_sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
        return a.date != b.date ? a.date < b.date : a.seq < b.seq;
    });
    return out;
}

const StoredResult* superseded_ancestor(const StoredResult& r, const std::vector<StoredResult>& results) {
    const StoredResult* at = &r;
    for (std::size_t guard = 0; guard <= results.size(); ++guard) {
        const StoredResult* from = carried_from(*at, results, nullptr);
        if (from == nullptr || from == at) return nullptr;
        if (from->superseded_by) return from;
        at = from;
    }
    return nullptr;
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

const StoredResult* result_with_sha256(const std::vector<StoredResult>& results, const std::string& sha256) {
    const StoredResult* found = nullptr;
    for (const auto& r : results)
        if (sha256_hex(r.result_json) == sha256 && (found == nullptr || (found->superseded_by && !r.superseded_by))) found = &r;
    return found;
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
        if (records.empty()) {
            notes.push_back(describe(e) + " changes no carried record: none is of that director" +
                            (e.fiscal_year.empty() ? "" : ", year") + (e.grant.empty() ? "" : " and grant"));
            continue;
        }
        std::optional<std::int64_t> shares;
        if (e.shares) {
            shares = share_count(*e.shares);
            if (!shares) return dsl::one_error({}, fmt::format("{}: its shares `{}` are not a whole number", describe(e), *e.shares));
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
            if (!now) return dsl::one_error({}, fmt::format("a carried record of {} has `restricted` {}, not a whole number of shares",
                                                            e.director, json_text(*restricted)));
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

}  // namespace hoshu::eval
