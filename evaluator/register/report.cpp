#include "evaluator/register/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "dsl/base/source.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/numbers/rational.hpp"
#include "evaluator/output/columns.hpp"
#include "evaluator/output/xlsx.hpp"
#include "evaluator/register/carry.hpp"

namespace hoshu::eval {

namespace {

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') out += std::string("\\") + ch;
        else if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04x}", c);
        else out += ch;
    }
    return out + "\"";
}

/// Shares × the grant-time price, exact ("14634580", or a fraction); empty without a price.
std::string grant_value(std::int64_t shares, const std::string& price) {
    if (price.empty()) return "";
    auto p = Rational::parse(price);
    if (!p) return "";
    return (Rational(shares) * *p).to_string();
}

/// The `info` fields of each director, from the latest current record that has them.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> infos(const std::vector<StoredResult>& results) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
    for (const auto& r : results) {
        if (r.superseded_by) continue;
        std::map<std::string, std::vector<std::pair<std::string, std::string>>> here;
        for (const auto& l : r.lines)
            if (l.kind == "info") here[l.director].push_back({l.name, l.value});
        for (auto& [d, fields] : here) out[d] = std::move(fields);
    }
    return out;
}

std::vector<std::string> info_names(const std::vector<StoredResult>& results) {
    std::vector<std::string> names;
    for (const auto& r : results)
        for (const auto& l : r.lines)
            if (l.kind == "info" && std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
    return names;
}

bool shown(const RegisterView& v, const std::string& director) { return v.director.empty() || v.director == director; }

/// The word of the currency of the grant-time price a result was recorded with ("yen",
/// "eur"), or empty (recorded without it: an earlier version of hoshu).
std::string price_currency(const StoredResult& r) {
    for (const auto& l : r.lines)
        if (l.kind == "price" && l.name == "grant_price") return l.unit;
    return "";
}

/// Whether the grant-time price of `r` values a grant counted in `unit`: the price is per
/// that unit (`JPY per share` values shares, not RSUs, and never an amount of yen). A record
/// made before the register kept what its price is per: any unit but the price's currency.
bool price_values(const StoredResult& r, const std::string& unit) {
    for (const auto& l : r.lines)
        if (l.kind == "price" && l.name == "grant_price_per") return l.unit == unit;
    const std::string currency = price_currency(r);
    std::string lower;
    for (char c : unit) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower != currency && !(currency == "yen" && lower == "jpy") && unit.find(" per ") == std::string::npos;
}

/// How the grants' value (shares × grant-time price) is labelled: one column named by the
/// currency of every price shown (`value_yen`, `value_eur`, as eval's CSV names values); or,
/// when the prices are in more than one currency or one is not known, `value` and a
/// `currency` column beside it; `value` alone when no grant shown has a price.
struct ValueColumns {
    std::string name = "value";
    bool currency_column = false;
};

/// What each director's leave forfeits now, as the balances count it (a director leaves once,
/// and only a leave forfeits): more than the leave recorded when a year recorded after it, or
/// a restatement, granted more by its date.
std::unordered_map<std::string, std::int64_t> forfeited_now(const RegisterView& v) {
    std::unordered_map<std::string, std::int64_t> out;
    for (const auto& g : v.grants) out[g.director] += g.forfeited;
    return out;
}

/// A leave's count now ("25204"), beside the one it recorded; empty for another event.
std::string leave_now(const StoredEvent& e, const std::unordered_map<std::string, std::int64_t>& now) {
    if (e.kind != EventKind::leave || !e.shares) return "";
    auto it = now.find(e.director);
    return std::to_string(it == now.end() ? 0 : it->second);
}

}  // namespace

RegisterTable register_table(const RegisterView& view) {
    RegisterTable t;
    std::map<std::int64_t, std::string> currencies;   // per result id
    std::map<std::int64_t, const StoredResult*> by_id;
    for (const auto& r : view.results) {
        currencies[r.id] = price_currency(r);
        by_id[r.id] = &r;
    }
    auto currency_of = [&](const GrantBalance& g) {
        auto it = currencies.find(g.result_id);
        return it == currencies.end() ? std::string() : it->second;
    };
    const GrantUnits units_of(view.results);
    // A grant's value at the grant-time price: only in the unit the price is per.
    auto valued = [&](const GrantBalance& g) {
        auto it = by_id.find(g.result_id);
        return !g.grant_price.empty() && it != by_id.end() && price_values(*it->second, units_of.of(g));
    };
    // The value column is named by the currencies of the register's priced grants (of the
    // director shown), whatever the date: an export as of a day before every grant has the
    // header of any other.
    ValueColumns value;
    {
        std::set<std::string> seen;
        bool priced = false;
        for (const auto& r : view.results) {
            if (r.superseded_by || r.grant_price.empty()) continue;
            for (const auto& l : r.lines)
                if (l.kind == "grant" && shown(view, l.director) && share_count(l.value) && price_values(r, l.unit)) {
                    priced = true;
                    seen.insert(price_currency(r));
                    break;
                }
        }
        if (seen.size() == 1 && !seen.begin()->empty()) value.name = "value_" + *seen.begin();
        else value.currency_column = priced;
    }
    auto names = info_names(view.results);
    auto by_director = infos(view.results);
    t.header = {"fiscal_year", view.key};
    t.numeric = {false, false};
    for (const auto& n : names) {
        t.header.push_back(n);
        t.numeric.push_back(false);
    }
    std::vector<std::string> columns{"grant", "grant_date", "grant_price", "shares", value.name};
    if (value.currency_column) columns.push_back("currency");
    for (const char* h : {"restricted", "lifted", "forfeited", "clawed_back", "by_plan", "record", "balance_record", "stale",
                          "rules_sha256", "inputs_sha256"})
        columns.push_back(h);
    for (const auto& h : columns) {
        t.header.push_back(h);
        t.numeric.push_back(h != "grant" && h != "grant_date" && h != "currency" && h != "rules_sha256" && h != "inputs_sha256");
    }
    for (const auto& g : view.grants) {
        if (!shown(view, g.director)) continue;
        std::vector<std::string> row{g.fiscal_year, g.director};
        const auto& fields = by_director[g.director];
        for (const auto& n : names) {
            std::string value;
            for (const auto& [k, v] : fields)
                if (k == n) value = v;
            row.push_back(value);
        }
        auto found = by_id.find(g.result_id);
        const StoredResult* r = found == by_id.end() ? nullptr : found->second;
        const bool has_value = valued(g);
        row.push_back(g.grant);
        row.push_back(g.grant_date);
        row.push_back(g.grant_price);
        row.push_back(std::to_string(g.granted));
        row.push_back(has_value ? grant_value(g.granted, g.grant_price) : "");
        if (value.currency_column) row.push_back(has_value ? currency_of(g) : "");
        row.push_back(std::to_string(g.restricted));
        row.push_back(std::to_string(g.lifted));
        row.push_back(std::to_string(g.forfeited));
        row.push_back(std::to_string(g.clawed_back));
        row.push_back(std::to_string(g.by_plan));
        row.push_back(r ? std::to_string(r->id) : "");
        row.push_back(g.balance_record ? std::to_string(g.balance_record) : "");
        row.push_back(g.stale_record ? std::to_string(g.stale_record) : "");
        row.push_back(r ? r->rules_sha256 : "");
        row.push_back(r ? r->inputs_sha256 : "");
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string format_register_csv(const RegisterView& view, bool bom) {
    RegisterTable t = register_table(view);
    std::string out = bom ? utf8_bom : "";
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
        out += "\n";
    };
    line(t.header);
    for (const auto& r : t.rows) line(r);
    return out;
}

std::string format_register_json(const RegisterView& view) {
    RegisterTable t = register_table(view);
    std::string out = "{\n  \"as_of\": " + (view.as_of.empty() ? std::string("null") : json_quote(view.as_of)) + ",\n";
    out += "  \"records\": [";
    bool first = true;
    for (const auto& r : view.results) {
        out += first ? "\n" : ",\n";
        first = false;
        out += fmt::format("    {{\"record\": {}, \"fiscal_year\": {}, \"recorded_at\": {}, \"recorded_by\": {}, "
                           "\"rules_sha256\": {}, \"inputs_sha256\": {}, \"supersedes\": {}, \"superseded_by\": {}, \"reason\": {}, "
                           "\"hash\": {}}}",
                           r.id, json_quote(r.fiscal_year), json_quote(r.recorded_at), json_quote(r.recorded_by),
                           json_quote(r.rules_sha256), json_quote(r.inputs_sha256),
                           r.supersedes ? std::to_string(*r.supersedes) : "null",
                           r.superseded_by ? std::to_string(*r.superseded_by) : "null", json_quote(r.reason), json_quote(r.hash));
    }
    out += first ? "],\n" : "\n  ],\n";
    out += "  \"grants\": [";
    first = true;
    for (const auto& row : t.rows) {
        out += first ? "\n    {" : ",\n    {";
        first = false;
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::string value = t.numeric[i] && !row[i].empty() && row[i].find('/') == std::string::npos ? row[i]
                                : row[i].empty() && t.numeric[i]                                        ? "null"
                                                                                                        : json_quote(row[i]);
            out += fmt::format("{}{}: {}", i ? ", " : "", json_quote(t.header[i]), value);
        }
        out += "}";
    }
    out += first ? "],\n" : "\n  ],\n";
    out += "  \"events\": [";
    first = true;
    const auto now = forfeited_now(view);
    for (const auto& e : view.events) {
        if (!shown(view, e.director) || (!view.as_of.empty() && e.date > view.as_of)) continue;
        out += first ? "\n" : ",\n";
        first = false;
        out += fmt::format("    {{\"event\": {}, {}: {}, \"kind\": {}, \"date\": {}, \"fiscal_year\": {}, \"grant\": {}, "
                           "\"shares\": {}, \"shares_now\": {}, \"rate\": {}, \"reason\": {}, \"recorded_by\": {}, \"recorded_at\": {}, "
                           "\"hash\": {}}}",
                           e.id, json_quote(view.key), json_quote(e.director), json_quote(to_string(e.kind)), json_quote(e.date),
                           json_quote(e.fiscal_year), json_quote(e.grant), e.shares ? *e.shares : "null",
                           e.kind == EventKind::leave && e.shares ? leave_now(e, now) : "null", e.rate ? json_quote(*e.rate) : "null", json_quote(e.reason), json_quote(e.recorded_by),
                           json_quote(e.recorded_at), json_quote(e.hash));
    }
    out += first ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

std::string format_register_xlsx(const RegisterView& view, std::string* error) {
    RegisterTable t = register_table(view);
    Sheet grants{"grants", {t.header}, t.numeric};
    for (const auto& h : t.header) grants.labels.push_back(h == "record" || h == "balance_record" || h == "stale");
    for (auto& r : t.rows) grants.rows.push_back(r);
    Sheet records{"records",
                  {{"record", "fiscal_year", "recorded_at", "recorded_by", "rules_sha256", "inputs_sha256", "engine", "supersedes",
                    "superseded_by", "reason", "hash"}},
                  {true, false, false, false, false, false, false, true, true, false, false},
                  {},
                  {true, false, false, false, false, false, false, true, true, false, false}};
    for (const auto& r : view.results)
        records.rows.push_back({std::to_string(r.id), r.fiscal_year, r.recorded_at, r.recorded_by, r.rules_sha256, r.inputs_sha256,
                                r.engine, r.supersedes ? std::to_string(*r.supersedes) : "",
                                r.superseded_by ? std::to_string(*r.superseded_by) : "", r.reason, r.hash});
    Sheet events{"events",
                 {{"event", view.key, "kind", "date", "fiscal_year", "grant", "shares", "shares_now", "rate", "reason",
                   "recorded_by", "recorded_at", "hash"}},
                 {true, false, false, false, false, false, true, true, false, false, false, false, false},
                 {},
                 {true}};
    const auto now = forfeited_now(view);
    for (const auto& e : view.events) {
        if (!shown(view, e.director) || (!view.as_of.empty() && e.date > view.as_of)) continue;
        events.rows.push_back({std::to_string(e.id), e.director, to_string(e.kind), e.date, e.fiscal_year, e.grant,
                               e.shares.value_or(""), leave_now(e, now), e.rate.value_or(""), e.reason, e.recorded_by, e.recorded_at, e.hash});
    }
    auto bytes = xlsx_workbook({grants, records, events});
    if (!bytes && error != nullptr && !bytes.error().items().empty()) *error = bytes.error().items().front().message;
    return bytes ? *bytes : std::string();
}

std::string format_register_text(const RegisterView& view) {
    std::string out;
    out += "records\n";
    std::vector<std::vector<std::string>> rows{{"record", "year", "recorded", "by", "rules sha256", "status"}};
    for (const auto& r : view.results) {
        std::string status = r.superseded_by ? fmt::format("superseded by record {}", *r.superseded_by) : "current";
        if (r.supersedes) status += fmt::format(" (supersedes record {}: {})", *r.supersedes, r.reason);
        if (const Staleness stale = r.superseded_by ? Staleness{} : superseded_ancestor(r, view.results))
            status += fmt::format(" -- STALE: {}: evaluate {} again (--register) and record it with --supersede",
                                  stale_reason(stale), r.fiscal_year);
        rows.push_back({std::to_string(r.id), r.fiscal_year, r.recorded_at, r.recorded_by, r.rules_sha256.substr(0, 16), status});
    }
    out += format_columns(rows, {true, false, false, false, false, false}, "  ");
    auto by_director = infos(view.results);
    const GrantUnits units_of(view.results);
    // Each director shown once, in the order first met (the grants', then the events' by the
    // date shown: a director with only a later event has nothing to show), with its grants
    // and events in their order.
    std::vector<std::string> directors;
    std::unordered_map<std::string, std::vector<const GrantBalance*>> grants_of;
    std::unordered_map<std::string, std::vector<const StoredEvent*>> events_of;
    for (const auto& g : view.grants) {
        if (!shown(view, g.director)) continue;
        if (!grants_of.count(g.director) && !events_of.count(g.director)) directors.push_back(g.director);
        grants_of[g.director].push_back(&g);
    }
    for (const auto& e : view.events) {
        if (!shown(view, e.director) || (!view.as_of.empty() && e.date > view.as_of)) continue;
        if (!grants_of.count(e.director) && !events_of.count(e.director)) directors.push_back(e.director);
        events_of[e.director].push_back(&e);
    }
    static const std::vector<const GrantBalance*> no_grants;
    static const std::vector<const StoredEvent*> no_events;
    out += fmt::format("\ngrants {}\n", view.as_of.empty() ? std::string("after every event recorded") : "as of " + view.as_of);
    if (directors.empty()) out += "  (none)\n";
    std::map<std::int64_t, std::string> stale_said;   // each stale record said of, and under whom first
    for (const auto& d : directors) {
        std::string title;
        for (const auto& [k, v] : by_director[d]) title += (title.empty() ? "" : ", ") + v;
        out += fmt::format("\n{}{}\n", d, title.empty() ? "" : "  " + title);
        // The counts are in the unit of the grant output (`shares`, a plan's own `RSUs`): the
        // column is named by it when the director's grants share one, else each count says its own.
        auto gi = grants_of.find(d);
        auto ei = events_of.find(d);
        const auto& its_grants = gi == grants_of.end() ? no_grants : gi->second;
        const auto& its_events = ei == events_of.end() ? no_events : ei->second;
        // A grant of 0 holds no balance: named on one line under the table (a director whose
        // every grant is 0 has that line alone), not given a row of zeros.
        std::string zeros;   // "FY2024 additional_shares; FY2025 matching_shares, bonus_shares"
        std::string zeros_year;
        std::set<std::string> units;
        for (const GrantBalance* g : its_grants) {
            if (g->granted == 0) {
                zeros += g->fiscal_year == zeros_year ? ", " + g->grant
                                                      : (zeros.empty() ? "" : "; ") + g->fiscal_year + " " + g->grant;
                zeros_year = g->fiscal_year;
                continue;
            }
            units.insert(units_of.of(*g));
        }
        const bool one_unit = units.size() <= 1;
        std::vector<std::int64_t> stale_records;   // the stale records the rows await, in the order met
        std::vector<std::vector<std::string>> g_rows{{"year", "grant", "granted on",
                                                      one_unit && !units.empty() ? *units.begin() : "granted",
                                                      "restricted", "lifted", "forfeited", "clawed back", "by plan"}};
        for (const GrantBalance* gp : its_grants) {
            const GrantBalance& g = *gp;
            if (g.granted == 0) continue;
            std::string granted = std::to_string(g.granted);
            if (!one_unit) granted += " " + units_of.of(g);
            g_rows.push_back({g.fiscal_year, g.grant, g.grant_date, granted, std::to_string(g.restricted),
                              std::to_string(g.lifted), std::to_string(g.forfeited), std::to_string(g.clawed_back),
                              // (The record only where the plan released or forfeited some.)
                              (g.by_plan > 0 && g.balance_record ? fmt::format("{} (record {})", g.by_plan, g.balance_record)
                                                                 : std::to_string(g.by_plan)) +
                                  (g.stale_record ? fmt::format(" STALE (record {})", g.stale_record) : "")});
            if (g.stale_record && std::find(stale_records.begin(), stale_records.end(), g.stale_record) == stale_records.end())
                stale_records.push_back(g.stale_record);
        }
        if (g_rows.size() > 1) out += format_columns(g_rows, {false, false, false, true, true, true, true, true, false}, "  ");
        // What a STALE row awaits: the balances leave that record's carried figures out (they
        // rest on a superseded record), so nothing is counted released by its plan.
        for (std::int64_t id : stale_records) {
            auto r = std::find_if(view.results.begin(), view.results.end(), [&](const StoredResult& x) { return x.id == id; });
            if (r == view.results.end()) continue;
            if (auto said = stale_said.find(id); said != stale_said.end()) {
                out += fmt::format("  STALE: record {} ({}), as under {} above\n", id, r->fiscal_year, said->second);
                continue;
            }
            stale_said.emplace(id, d);
            out += fmt::format("  STALE: record {} ({}) was computed from a superseded record: what it grants may change, and "
                               "these balances leave out what it carries (nothing counted by plan from it) until {} is "
                               "evaluated again (--register) and recorded with --supersede\n",
                               id, r->fiscal_year, r->fiscal_year);
        }
        if (!zeros.empty()) out += "  granted 0: " + zeros + "\n";
        bool any = false;
        for (const StoredEvent* ep : its_events) {
            const StoredEvent& e = *ep;
            if (!any) out += "  events\n";
            any = true;
            std::string what = to_string(e.kind);
            if (!e.fiscal_year.empty()) what += " " + e.fiscal_year;
            if (!e.grant.empty()) what += " " + e.grant;
            if (e.shares) what += " " + *e.shares + " " + units_of.of_director(e.director, e.grant);
            // A leave forfeits the grants made by its date that a record since added or grew
            // (a year recorded after it, a restatement): its count is what it forfeited when
            // recorded, the balances count what it forfeits now (a director leaves once, and
            // only a leave forfeits).
            if (e.kind == EventKind::leave && e.shares)
                if (auto recorded = share_count(*e.shares)) {
                    std::int64_t now = 0;
                    for (const GrantBalance* g : its_grants) now += g->forfeited;
                    if (now != *recorded) what += fmt::format(" (now {} with the grants recorded since)", now);
                }
            if (e.rate) what += " rate " + *e.rate;
            out += fmt::format("    {}  {}: {} (recorded by {}, {})\n", e.date, what, e.reason, e.recorded_by, e.recorded_at);
        }
    }
    // (A text recorded before events' texts were checked may hold an escape sequence: shown
    // escaped, never sent to the terminal.)
    return dsl::printable(out, true);
}

}  // namespace hoshu::eval
