// The text renderers, for people: an evaluation's table, a simulation's table, an
// explanation's tree, a diff. Every text goes through dsl::printable() before it is shown.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "dsl/base/text.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/output/columns.hpp"
#include "evaluator/output/diff_report.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/explain_report.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/output/simulation_report.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

// --------------------------------------------------------------------------------------
// An evaluation

namespace {

/// Where the carried records came from, a line under the hashes (none without --carry or
/// --register): a result file, or a register's recorded result and the events applied to it.
std::string carry_line(const Seal& seal) {
    if (seal.carried_from.empty()) return "";
    if (seal.carried_from_register)
        return fmt::format("carry  {}  result sha256 {}, {} event{} since\n", seal.carried_from, seal.carried_sha256,
                           seal.carried_events.size(), seal.carried_events.size() == 1 ? "" : "s");
    return fmt::format("carry  {}  sha256 {}\n", seal.carried_from, seal.carried_sha256);
}

}  // namespace

OutcomeFindings outcome_findings(const Plan& plan, const Outcome& outcome) {
    OutcomeFindings found;
    for (std::size_t i = 0; i < plan.plan_outputs.size() && i < outcome.plan_outputs.size(); ++i) {
        const Slot& s = plan.slots[plan.plan_outputs[i]];
        if (s.name == "fiscal_year") continue;
        // An amount of money whose name does not say its currency is shown with it.
        const std::string currency = unnamed_currency(plan, s.type, s.name);
        found.totals.push_back(
            {s.name, display_value(plan, outcome, s.type, outcome.plan_outputs[i]) + (currency.empty() ? "" : " " + currency)});
    }
    for (const auto& l : outcome.limits) {
        const Limit& limit = plan.limits[l.limit];
        std::string status = to_string(l.status);
        if (l.factor) {
            // (Scaled, and still violated: the factor it was scaled by.)
            status += (l.status == LimitStatus::violated ? " after scaling by " : " by ") + l.factor->to_string();
            if (!l.factor->terminates()) status += fmt::format(" ≈ {}", approximate_decimal(*l.factor, 6));
            // A limit exceeded but not the tightest of its set is scaled by another's factor:
            // named, so that the factor is not read as this limit's own bound ÷ total.
            auto own = [&](const LimitOutcome& o) {
                return o.factor && o.before && !o.before->is_zero() && *o.factor == o.bound.number / *o.before;
            };
            if (!own(l)) {
                for (const auto& other : outcome.limits)
                    if (&other != &l && own(other) && *other.factor == *l.factor) {
                        status += fmt::format(" (set by {})", plan.limits[other.limit].name);
                        break;
                    }
            }
        }
        found.limits.push_back({limit.name, display_value(plan, outcome, limit.type, l.value),
                                display_value(plan, outcome, limit.type, l.bound), std::move(status)});
    }
    for (const auto& v : outcome.violations) {
        std::string clauses;
        for (const auto& c : v.sources) clauses += (clauses.empty() ? "" : ", ") + c.clause;
        found.violations.push_back(fmt::format("{}{}: {}{}", v.rule, v.director.empty() ? "" : " [" + v.director + "]",
                                               v.message, clauses.empty() ? "" : " (" + clauses + ")"));
    }
    return found;
}

std::string format_table(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year) {
    std::string out = plan.title;
    if (!year.empty()) out += fmt::format(" — {}", year);
    out += "\n";
    out += fmt::format("inputs {}  sha256 {}\nrules  sha256 {}\n", seal.inputs_path, seal.inputs_sha256,
                       seal.rules_sha256);
    out += carry_line(seal);
    // One table per collection with outputs: the plan's main one, then the others.
    auto records_table = [&](const std::string& noun, const std::vector<std::uint32_t>& outputs,
                             const std::vector<DirectorOutcome>& records) {
        if (records.empty() || (outputs.empty() && &records != &outcome.directors)) return;
        std::vector<std::vector<std::string>> rows;
        std::vector<bool> right{false};
        std::vector<std::string> header{noun};
        for (std::uint32_t s : outputs) {
            // An amount of money says its currency: `award_value (GBP)`.
            const std::string currency = unnamed_currency(plan, plan.slots[s].type, plan.slots[s].name);
            header.push_back(currency.empty() ? plan.slots[s].name : plan.slots[s].name + " (" + currency + ")");
            right.push_back(plan.slots[s].type.is_number());
        }
        rows.push_back(header);
        // A column of amounts with cents shows every amount with them (0.00, not 0), so that
        // the decimal points line up.
        std::vector<int> cents(outputs.size(), 0);
        for (std::size_t i = 0; i < outputs.size(); ++i) {
            const int places = minor_places(plan, plan.slots[outputs[i]].type);
            for (const auto& d : records)
                if (places > 0 && i < d.outputs.size() && !d.outputs[i].number.is_integer()) cents[i] = places;
        }
        for (const auto& d : records) {
            std::vector<std::string> row{d.id};
            for (std::size_t i = 0; i < d.outputs.size(); ++i) {
                const Value& v = d.outputs[i];
                row.push_back(cents[i] && v.number.is_integer()
                                  ? grouped_decimal(v.number, cents[i])
                                  : display_value(plan, outcome, plan.slots[outputs[i]].type, v));
            }
            rows.push_back(std::move(row));
        }
        out += "\n" + format_columns(rows, right, "");
    };
    records_table(plan.directors.noun, plan.director_outputs, outcome.directors);
    for (std::size_t k = 0; k < plan.others.size() && k < outcome.others.size(); ++k)
        records_table(plan.others[k].noun, plan.other_outputs[k], outcome.others[k].records);
    const OutcomeFindings found = outcome_findings(plan, outcome);
    if (!found.totals.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& [name, value] : found.totals) rows.push_back({name, value});
        out += "\ntotals\n" + format_columns(rows, {false, true}, "  ");
    }
    if (!found.limits.empty()) {
        std::vector<std::vector<std::string>> rows{{"limit", "value", "bound", "status"}};
        for (const auto& l : found.limits) rows.push_back({l.name, l.value, l.bound, l.status});
        out += "\n" + format_columns(rows, {false, true, true, false}, "");
    }
    if (!found.violations.empty()) {
        out += fmt::format("\n{} violation{}\n", found.violations.size(), found.violations.size() == 1 ? "" : "s");
        for (const auto& v : found.violations) out += "  " + v + "\n";
    } else {
        out += "\nno violations\n";
    }
    return dsl::printable(out, true);   // titles, messages and texts come from the rules and inputs
}

// --------------------------------------------------------------------------------------
// A simulation

std::string path_percent(const Rational& fraction) {
    std::string shown = (fraction * Rational(100)).to_decimal(2);
    if (shown == "0.00" && !fraction.is_zero()) return "<0.01%";
    if (shown == "100.00" && fraction != Rational(1)) return ">99.99%";
    return shown + "%";
}

std::string path_percent(std::uint64_t count, std::uint64_t total) {
    if (total == 0) return "-";
    return path_percent(Rational::fraction(static_cast<std::int64_t>(count), static_cast<std::int64_t>(total)));
}

namespace {


bool always_zero(const OutputTally& t) { return t.counts.only_zero(); }

/// Per director: whether an output in shares (or another counted unit) is other than 0 on
/// some path.
std::vector<bool> receives_shares(const Plan& plan, const SimulationResult& r) {
    std::vector<bool> receives(r.directors.size(), false);
    for (const auto& t : r.outputs) {
        if (counted(plan.slots[t.slot].type, plan.units) && t.counts.total() && !always_zero(t))
            receives[t.director] = true;
    }
    return receives;
}

/// An amount of a price's currency as the simulation tables show it, its sign (if any)
/// first: "¥1,234", "-$5.50", "1,234 CHF".
std::string money(const Plan& plan, const PriceUnits& u, std::string amount) {
    const UnitDef& c = plan.units[u.currency];
    if (c.symbol.empty()) return amount + " " + c.name;
    amount.insert(!amount.empty() && (amount.front() == '+' || amount.front() == '-') ? 1 : 0, c.symbol);
    return amount;
}

/// Whether a simulation values `slot`'s tallies at its grant-time price.
bool valued(const Plan& plan, const SimulationResult& r, std::uint32_t slot) { return r.valued(plan.slots[slot].type); }

/// The note under a table of fair values.
std::string fair_value_note(const Plan& plan, const SimulationResult& r) {
    const UnitDef& counted = plan.units[r.price_units.counted];
    std::string note = fmt::format("fair value/grant = mean({0} × grant-time price) × factor; fair value/{1} = that ÷ mean({0})\n",
                                   counted.name, counted.singular);
    if (r.price_fixed())
        note += "note: the grant-time price is the same on every path (no value the model samples reaches it), and "
                "discounted all the same, as a price of the last simulated date; for a price known at the valuation "
                "date, divide the fair values by the factor\n";
    return note;
}

std::string event_name(const Plan& plan, const SimulationResult& r, const EventTally& e) {
    return e.director ? plan.slots[e.slot].name + " (" + r.directors[*e.director] + ")" : plan.slots[e.slot].name;
}

}  // namespace

namespace {

std::string signed_decimal(const Rational& v, int places) {
    std::string text = grouped_decimal(v, places);
    bool zero = text.find_first_not_of("0.,-") == std::string::npos;
    if (zero) return text[0] == '-' ? text.substr(1) : text;
    return v.sign() > 0 ? "+" + text : text;
}

/// The statistics of an output of `type` as text: its mean to two decimals, its
/// percentiles whole (shares, counts); an output in a currency with minor amounts shows
/// every one of them to its minor decimals at least (990.09 USD, not 990); a percent's in
/// percent to two decimals ("53.57%") and a ratio's to four, a percentile that is not
/// exactly that marked as rounded ("≈53.57%"; the JSON has it exactly). The percentiles of
/// another number (a unit that is not whole: DSUs) take the fewest decimals, up to four,
/// that show all five exactly ("0.5", "3,378.3432"); a percentile that no such decimal
/// ends — an amount finer than its currency's minor one, a third of a DSU — is marked as
/// rounded too ("≈768,518.51", "≈324,857.8571"). `sign`: a change between two plans, a
/// rise with its `+`. The standard deviation of one path is "—".
std::vector<std::string> statistic_cells(const Plan& plan, const Type& type, const OutputSummary& s, bool sign) {
    auto decimal = [&](const Rational& v, int places) {
        return sign ? signed_decimal(v, places) : grouped_decimal(v, places);
    };
    if (type.kind == Kind::number && type.dimensionless() && type.style != RatioStyle::count) {
        const bool percent = type.style == RatioStyle::percent;
        const Rational scale(percent ? 100 : 1);
        const int places = percent ? 2 : 4;
        const Rational digits(percent ? 100 : 10000);
        const std::string suffix = percent ? "%" : "";
        auto value = [&](const Rational& v) {
            const Rational x = v * scale;
            return ((x * digits).is_integer() ? "" : "≈") + decimal(x, places) + suffix;
        };
        return {decimal(s.mean * scale, places) + suffix,
                s.sd ? group_digits(standard_deviation(s.variance * scale * scale, places)) + suffix : "—",
                value(s.p5), value(s.p25), value(s.p50), value(s.p75), value(s.p95), path_percent(s.p_zero)};
    }
    const int minor = minor_places(plan, type);
    const int mean = std::max(2, minor);
    // Money shows its minor decimals; any other number as few as show every percentile.
    int places = minor;
    if (!in_money(type, plan.units)) {
        constexpr int most = 4;
        for (const Rational* v : {&s.p5, &s.p25, &s.p50, &s.p75, &s.p95})
            places = std::max(places, decimal_places(*v, most).value_or(most));
    }
    auto value = [&](const Rational& v) { return (decimal_places(v, places) ? "" : "≈") + decimal(v, places); };
    return {decimal(s.mean, mean), s.sd ? grouped_decimal(*Rational::parse(*s.sd), 2) : "—", value(s.p5),
            value(s.p25), value(s.p50), value(s.p75), value(s.p95), path_percent(s.p_zero)};
}

/// The plan-wide outputs a simulation counted (every number but those in money),
/// summarised as the per-record ones are; those 0 on every path counted; the numeric ones
/// not counted named.
std::string plan_wide_sections(const Plan& plan, const SimulationResult& r) {
    std::string out;
    std::vector<std::vector<std::string>> rows = {
        {"plan-wide output", "mean", "sd", "p5", "p25", "p50", "p75", "p95", "P(zero)"}};
    std::size_t hidden = 0;
    for (const auto& t : r.plan_outputs) {
        if (t.counts.total() == 0) continue;
        if (always_zero(t)) {
            ++hidden;
            continue;
        }
        std::vector<std::string> row{plan.slots[t.slot].name};
        for (auto& cell : statistic_cells(plan, plan.slots[t.slot].type, summarize(t.counts), false))
            row.push_back(std::move(cell));
        rows.push_back(std::move(row));
    }
    if (rows.size() > 1) {
        std::vector<bool> right(rows[0].size(), true);
        right[0] = false;
        out += "\n" + format_columns(rows, right, "");
    }
    if (hidden) out += fmt::format("({} plan-wide output{} 0 on every path and not shown)\n", hidden, hidden == 1 ? " is" : "s are");
    // A plan-wide output in money (a total in yen, a price) that a modelled value reaches is
    // not counted: it can take a new value on nearly every path, and its percentiles would
    // take further passes over them (one that none reaches is the same on every path, and
    // counted: simulate.cpp).
    std::string unsummarised;
    for (const auto& t : r.plan_outputs)
        if (t.counts.total() == 0 && plan.slots[t.slot].type.kind == Kind::number)
            unsummarised += (unsummarised.empty() ? "" : ", ") + plan.slots[t.slot].name;
    if (!unsummarised.empty())
        out += fmt::format("{}(plan-wide outputs in money not summarised: {} — an amount in money that a modelled value "
                           "reaches can take a new value on nearly every path, and past --distinct-values its percentiles take further passes over "
                           "all the paths; `batch` gives their values scenario by scenario)\n",
                           rows.size() > 1 || hidden ? "" : "\n", unsummarised);
    return out;
}

/// One row of the requirements of a simulation: its name (per record: and the record's
/// id, or "every NOUN" for a requirement that failed for no record) and on how many paths
/// it failed.
struct RequirementRow {
    std::string label;
    std::uint64_t failed = 0;
};

/// The names of the per-record requirements of `r` that failed for some record on some path.
std::set<std::string> failing_per_record(const Plan& plan, const SimulationResult& r) {
    std::set<std::string> names;
    for (const auto& t : r.requirements)
        if (t.director && t.failed) names.insert(plan.requirements[t.requirement].name);
    return names;
}

/// The requirements of `r` in the plan's order, each per-record one in `failing` with a row
/// per record, the others in one row (the JSON has each record).
std::vector<RequirementRow> requirement_rows(const Plan& plan, const SimulationResult& r,
                                             const std::set<std::string>& failing) {
    std::vector<RequirementRow> rows;
    for (std::size_t i = 0; i < r.requirements.size();) {
        const auto& q = r.requirements[i];
        std::size_t end = i + 1;
        while (end < r.requirements.size() && r.requirements[end].requirement == q.requirement) ++end;
        const std::string& name = plan.requirements[q.requirement].name;
        if (q.director && !failing.count(name)) {
            rows.push_back({name + " (every " + plan.directors.noun + ")", 0});
        } else {
            for (std::size_t k = i; k < end; ++k) {
                const auto& t = r.requirements[k];
                rows.push_back({t.director ? name + " (" + r.directors[*t.director] + ")" : name, t.failed});
            }
        }
        i = end;
    }
    return rows;
}

}  // namespace

std::string format_simulation_table(const Plan& plan, const SimulationResult& r, const SimulationHeader& h) {
    std::string out = plan.title.empty() ? "" : plan.title + " — simulation\n";
    out += fmt::format("inputs {}  sha256 {}\n", h.seal.inputs_path, h.seal.inputs_sha256) + carry_line(h.seal);
    out += fmt::format("model  {}  sha256 {}\nrules  sha256 {}\n", h.model_path, h.model_sha256, h.seal.rules_sha256);
    out += fmt::format("paths {}  seed {}  (the same numbers for any --threads)\n", group_digits(std::to_string(r.paths)),
                       h.seed);

    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head = {plan.directors.noun, "output", "mean", "sd", "p5", "p25", "p50", "p75", "p95", "P(zero)"};
    if (r.has_price) {
        head.push_back("fair value/" + plan.units[r.price_units.counted].singular);
        head.push_back("fair value/grant");
    }
    rows.push_back(head);
    std::size_t hidden = 0;
    for (const auto& t : r.outputs) {
        if (t.counts.total() == 0) continue;
        if (always_zero(t)) {
            ++hidden;
            continue;
        }
        OutputSummary s = summarize(r, t);
        std::vector<std::string> row = {r.directors[t.director], plan.slots[t.slot].name};
        for (auto& cell : statistic_cells(plan, plan.slots[t.slot].type, s, false))
            row.push_back(std::move(cell));
        if (r.has_price) {
            const bool v = valued(plan, r, t.slot);
            row.push_back(v && s.fair_value_share ? money(plan, r.price_units, grouped_decimal(*s.fair_value_share, 2)) : "");
            row.push_back(v && s.fair_value_grant ? money(plan, r.price_units, grouped_decimal(*s.fair_value_grant, 0)) : "");
        }
        rows.push_back(std::move(row));
    }
    std::vector<bool> right(head.size(), true);
    right[0] = right[1] = false;
    if (plan.directors.declared) out += "\n" + format_columns(rows, right, "");   // (a plan without a collection: none)
    if (hidden) out += fmt::format("({} outputs are 0 on every path and not shown)\n", hidden);

    if (!r.events.empty()) {
        // Per-director events of records that receive no shares on any path (outside
        // directors, auditors) are left out when never true; the JSON has them all.
        std::vector<bool> receives = receives_shares(plan, r);
        std::vector<std::vector<std::string>> ev = {{"event", "probability"}};
        for (const auto& e : r.events) {
            if (e.director && e.count == 0 && !receives[*e.director]) continue;
            ev.push_back({event_name(plan, r, e), path_percent(e.count, r.paths)});
        }
        out += "\n" + format_columns(ev, {false, true}, "");
    }
    if (!r.limits.empty()) {
        std::vector<std::vector<std::string>> lim = {{"limit", "scaled", "violated"}};
        for (const auto& l : r.limits)
            lim.push_back({plan.limits[l.limit].name, path_percent(l.scaled, r.paths), path_percent(l.violated, r.paths)});
        out += "\n" + format_columns(lim, {false, true, true}, "");
    }
    if (r.has_price && r.discount) {
        Rational mean_price = r.price_sum.value() / Rational(static_cast<std::int64_t>(r.paths));
        out += fmt::format("\ngrant-time price: mean {}; discounted at the risk-free rate over {} days: factor {}\n",
                           money(plan, r.price_units, grouped_decimal(mean_price, 2)), r.days, r.discount->to_decimal(6));
        out += fair_value_note(plan, r);
    }
    out += plan_wide_sections(plan, r);
    if (!r.requirements.empty()) {
        std::vector<std::vector<std::string>> req = {{"requirement", "failed"}};
        for (const auto& row : requirement_rows(plan, r, failing_per_record(plan, r)))
            req.push_back({row.label, path_percent(row.failed, r.paths)});
        out += "\n" + format_columns(req, {false, true}, "");
    }
    return dsl::printable(out, true);
}

// --------------------------------------------------------------------------------------
// Two plans on the same paths

std::string format_comparison_table(const Plan& base, const Plan& head, const ComparedSimulation& c,
                                    const SimulationHeader& h, const ComparisonSide& b) {
    std::string out = fmt::format("{} — simulation against {}\n", head.title.empty() ? h.seal.plan_path : head.title,
                                  base.title.empty() ? b.plan_path : base.title);
    out += fmt::format("inputs {}  sha256 {}\n", h.seal.inputs_path, h.seal.inputs_sha256) + carry_line(h.seal);
    out += fmt::format("model  {}  sha256 {}\n", h.model_path, h.model_sha256);
    out += fmt::format("base   {}  rules sha256 {}\nhead   {}  rules sha256 {}\n", b.plan_path, b.rules_sha256,
                       h.seal.plan_path, h.seal.rules_sha256);
    out += fmt::format("paths {}  seed {}  (each path's sampled values go to both plans; the same numbers for any "
                       "--threads)\n",
                       group_digits(std::to_string(c.head.paths)), h.seed);

    const bool priced = c.base.has_price || c.head.has_price;
    std::vector<std::string> columns = {head.directors.noun, "output", "plan", "mean", "sd", "p5", "p25",
                                        "p50", "p75", "p95", "P(zero)"};
    if (priced) {
        const Plan& plan = c.head.has_price ? head : base;
        columns.push_back("fair value/" + plan.units[(c.head.has_price ? c.head : c.base).price_units.counted].singular);
        columns.push_back("fair value/grant");
    }
    // An output's statistics as the head plan declares its type (else the base).
    auto stats = [&](const ComparedOutput& o, const OutputSummary& s, bool sign) {
        if (o.head) return statistic_cells(head, head.slots[o.head->slot].type, s, sign);
        return statistic_cells(base, base.slots[o.base->slot].type, s, sign);
    };
    auto table = [&](bool per_director) {
        std::vector<std::vector<std::string>> rows{columns};
        std::size_t hidden = 0;
        for (const auto& o : compared_outputs(base, head, c)) {
            if (o.director.has_value() != per_director) continue;
            if (o.always_zero) {
                ++hidden;
                continue;
            }
            // Fair values: of grants in the unit each side's price values (per director; a
            // plan-wide total has none).
            const bool base_valued = per_director && o.base && valued(base, c.base, o.base->slot);
            const bool head_valued = per_director && o.head && valued(head, c.head, o.head->slot);
            // An output the revision leaves the same on every path: one row.
            const bool same = o.change && o.change->counts.only_zero();
            bool first = true;
            std::optional<OutputSummary> bs, hs;
            for (const auto* side : {&c.base, &c.head}) {
                const OutputTally* t = side == &c.base ? o.base : o.head;
                if (!t || (same && side == &c.base)) continue;
                OutputSummary s = summarize(*side, *t);
                std::string which = side == &c.base ? "base" : "head";
                if (!(side == &c.base ? o.head : o.base)) which += " only";
                if (same) which = "both";
                std::vector<std::string> row{first ? o.director_id : "", first ? o.output : "", which};
                auto cells = stats(o, s, false);
                row.insert(row.end(), cells.begin(), cells.end());
                if (priced) {
                    const Plan& plan = side == &c.base ? base : head;
                    const bool v = side == &c.base ? base_valued : head_valued;
                    row.push_back(v && s.fair_value_share ? money(plan, side->price_units, grouped_decimal(*s.fair_value_share, 2)) : "");
                    row.push_back(v && s.fair_value_grant ? money(plan, side->price_units, grouped_decimal(*s.fair_value_grant, 0)) : "");
                }
                (side == &c.base ? bs : hs) = s;
                rows.push_back(std::move(row));
                first = false;
            }
            if (o.change && !same) {
                std::vector<std::string> row{"", "", "change"};
                auto cells = stats(o, summarize(o.change->counts), true);
                row.insert(row.end(), cells.begin(), cells.end());
                if (priced) {
                    row.push_back("");
                    std::string fair;
                    // (A change in one currency: both sides valued in it.)
                    const bool one_currency = base_valued && head_valued &&
                                              base.units[c.base.price_units.currency].name ==
                                                  head.units[c.head.price_units.currency].name;
                    if (one_currency && bs && hs && bs->fair_value_grant && hs->fair_value_grant) {
                        Rational d = *hs->fair_value_grant - *bs->fair_value_grant;
                        fair = money(head, c.head.price_units, signed_decimal(d, 0));
                    }
                    row.push_back(fair);
                }
                rows.push_back(std::move(row));
            }
        }
        std::vector<bool> right(columns.size(), true);
        right[0] = right[1] = right[2] = false;
        if (!per_director) {
            // No director column, and no fair values of totals.
            for (auto& row : rows) {
                row.erase(row.begin());
                if (priced) row.resize(row.size() - 2);
            }
            right.erase(right.begin());
            if (priced) right.resize(right.size() - 2);
        }
        std::string text = rows.size() > 1 ? format_columns(rows, right, "") : "";
        if (hidden)
            text += fmt::format("({} output{} 0 on every path under both plans and not shown)\n", hidden,
                                hidden == 1 ? " is" : "s are");
        return text;
    };
    // (Neither plan with a collection: no table per record, not even a blank line for it.)
    if (std::string records = table(true); !records.empty()) out += "\n" + records;
    std::string wide = table(false);
    if (!wide.empty()) out += "\nplan-wide\n" + wide;
    out += "change: head − base on each path (its P(zero): the paths where the revision changes nothing); "
           "both: the same on every path\n";

    // Events and limits by name, under each plan.
    auto event_key = [](const Plan& plan, const SimulationResult& r, const EventTally& e) { return event_name(plan, r, e); };
    std::vector<std::string> event_order;
    std::map<std::string, std::pair<std::string, std::string>> events;
    for (const auto* side : {&c.head, &c.base}) {
        const Plan& plan = side == &c.base ? base : head;
        auto receives = receives_shares(plan, *side);
        for (const auto& e : side->events) {
            if (e.director && e.count == 0 && !receives[*e.director]) continue;
            std::string name = event_key(plan, *side, e);
            auto [it, fresh] = events.try_emplace(name, "—", "—");
            if (fresh) event_order.push_back(name);
            (side == &c.base ? it->second.first : it->second.second) = path_percent(e.count, side->paths);
        }
    }
    if (!event_order.empty()) {
        std::vector<std::vector<std::string>> ev{{"event", "base", "head"}};
        for (const auto& name : event_order) ev.push_back({name, events[name].first, events[name].second});
        out += "\n" + format_columns(ev, {false, true, true}, "");
    }
    std::vector<std::string> limit_order;
    std::map<std::string, std::vector<std::string>> limits;
    for (const auto* side : {&c.head, &c.base}) {
        const Plan& plan = side == &c.base ? base : head;
        for (const auto& l : side->limits) {
            const std::string& name = plan.limits[l.limit].name;
            auto [it, fresh] = limits.try_emplace(name, std::vector<std::string>{"—", "", "—", ""});
            if (fresh) limit_order.push_back(name);
            std::size_t at = side == &c.base ? 0 : 2;
            it->second[at] = path_percent(l.scaled, side->paths);
            it->second[at + 1] = path_percent(l.violated, side->paths);
        }
    }
    if (!limit_order.empty()) {
        std::vector<std::vector<std::string>> lim{{"limit", "base scaled", "violated", "head scaled", "violated"}};
        for (const auto& name : limit_order) {
            std::vector<std::string> row{name};
            row.insert(row.end(), limits[name].begin(), limits[name].end());
            lim.push_back(std::move(row));
        }
        out += "\n" + format_columns(lim, {false, true, true, true, true}, "");
    }
    // Requirements by name (per record: and record) under each plan: a per-record one
    // that failed for no record under either plan is one row.
    std::set<std::string> failing = failing_per_record(base, c.base);
    failing.merge(failing_per_record(head, c.head));
    std::vector<std::string> requirement_order;
    std::map<std::string, std::pair<std::string, std::string>> requirements;
    for (const auto* side : {&c.head, &c.base}) {
        for (const auto& row : requirement_rows(side == &c.base ? base : head, *side, failing)) {
            auto [it, fresh] = requirements.try_emplace(row.label, "—", "—");
            if (fresh) requirement_order.push_back(row.label);
            (side == &c.base ? it->second.first : it->second.second) = path_percent(row.failed, side->paths);
        }
    }
    if (!requirement_order.empty()) {
        std::vector<std::vector<std::string>> req{{"requirement", "base failed", "head failed"}};
        for (const auto& label : requirement_order)
            req.push_back({label, requirements[label].first, requirements[label].second});
        out += "\n" + format_columns(req, {false, true, true}, "");
    }
    for (const auto* side : {&c.base, &c.head}) {
        if (!side->has_price || !side->discount) continue;
        Rational mean_price = side->price_sum.value() / Rational(static_cast<std::int64_t>(side->paths));
        out += fmt::format("{}{} grant-time price: mean {}; discounted at the risk-free rate over {} days: factor {}\n",
                           side == &c.base || !c.base.has_price ? "\n" : "", side == &c.base ? "base" : "head",
                           money(side == &c.base ? base : head, side->price_units, grouped_decimal(mean_price, 2)),
                           side->days, side->discount->to_decimal(6));
    }
    if (priced) out += c.head.has_price ? fair_value_note(head, c.head) : fair_value_note(base, c.base);
    return dsl::printable(out, true);
}

// --------------------------------------------------------------------------------------
// An explanation

namespace {

/// Steps nest at most this deep in the text. A derivation that goes deeper continues in a
/// section of its own after the tree, so the text stays linear in the derivation (an
/// indentation growing with the depth would make a long chain of definitions quadratic).
constexpr int max_text_depth = 16;

enum class Shown { printed, deferred };

struct TextRenderer {
    const Explanation& e;
    std::map<std::string, std::size_t> index;
    std::map<std::string, Shown> shown;
    std::vector<std::string> later;   // deferred steps, printed after the tree in this order
    std::string out;

    void step(const std::string& id, int depth) {
        const ExplainStep& s = e.steps[index.at(id)];
        std::string pad(static_cast<std::size_t>(depth) * 4, ' ');
        if (auto it = shown.find(id); it != shown.end()) {
            out += fmt::format("{}{} = {}  (see {})\n", pad, s.name, s.display,
                               it->second == Shown::printed ? "above" : "below");
            return;
        }
        if (depth > max_text_depth) {
            shown[id] = Shown::deferred;
            later.push_back(id);
            out += fmt::format("{}{} = {}  (continued below)\n", pad, s.name, s.display);
            return;
        }
        shown[id] = Shown::printed;
        out += fmt::format("{}{} = {}    [{}, {}]\n", pad, s.name, s.display, s.kind, s.scope);
        out += fmt::format("{}  {}   {}\n", pad, s.kind == "input" ? "read" : "rule", s.formula);
        if (!s.location.empty()) out += fmt::format("{}  at     {}\n", pad, s.location);
        for (const auto& c : s.sources)
            out += fmt::format("{}  source {}{}\n", pad, c.clause, c.quote.empty() ? "" : " 「" + c.quote + "」");
        for (const auto& n : s.notes) out += fmt::format("{}  note   {}\n", pad, n);
        for (const auto& d : s.details) out += fmt::format("{}  step   {}\n", pad, d);
        for (const auto& u : s.uses) step(u, depth + 1);
    }
    /// The deferred steps, each a tree of its own (which may defer more).
    void continuations() {
        for (std::size_t k = 0; k < later.size(); ++k) {
            std::string id = later[k];
            shown.erase(id);
            out += "\n";
            step(id, 0);
        }
    }
};

}  // namespace

std::string render_explanation(const Explanation& e) {
    TextRenderer r{e, {}, {}, {}, {}};
    for (std::size_t i = 0; i < e.steps.size(); ++i) r.index[e.steps[i].id] = i;
    const ExplainStep& root = e.steps[r.index.at(e.root)];
    if (root.name == "outputs" && root.kind.empty()) {
        for (const auto& u : root.uses) {
            r.step(u, 0);
            r.out += "\n";
        }
    } else {
        r.step(e.root, 0);
    }
    r.continuations();
    return dsl::printable(r.out, true);
}

// --------------------------------------------------------------------------------------
// A diff of two plans

namespace {

const char* const absent = "—";

std::string shown(const SideValue& v) { return v.present ? v.display : absent; }

std::string change_text(const ValueDiff& v) {
    if (!v.base.present) return "only in head";
    if (!v.head.present) return "only in base";
    if (v.unit_changed) return fmt::format("unit changed: {} → {}", v.base_unit, v.unit);
    if (!v.changed) return "";
    return v.change_display.empty() ? "changed" : v.change_display;
}

std::string location(const DeclarationDiff& d) {
    if (!d.base) return fmt::format("{}:{}", d.head->file, d.head->line);
    if (!d.head) return fmt::format("{}:{}", d.base->file, d.base->line);
    if (d.base->file == d.head->file && d.base->line == d.head->line) return fmt::format("{}:{}", d.head->file, d.head->line);
    return fmt::format("{}:{} → {}:{}", d.base->file, d.base->line, d.head->file, d.head->line);
}

std::string kind_text(const DeclarationDiff& d) {
    if (d.base && d.head && d.base->kind != d.head->kind) return d.base->kind + " → " + d.head->kind;
    return d.head ? d.head->kind : d.base->kind;
}

/// A changed declaration as the rules diff names it: `table payout`, `input → param cut`;
/// the plan declaration, which has no name of its own, as `plan`.
std::string declaration_text(const DeclarationDiff& d) {
    const DeclarationText& named = d.head ? *d.head : *d.base;
    if (named.kind == "plan") return kind_text(d);
    return kind_text(d) + " " + named.name;
}

std::string scope_text(const std::string& record) {
    return record.empty() ? "plan-wide" : "per " + record;
}

/// The changed outputs of each record of a collection under two plans: one row per changed
/// output (with its values in money when `valued`), and which records did not change.
std::string changed_records(const std::string& noun, const std::vector<DirectorDiff>& records, bool valued,
                            const char* what) {
    std::string out;
    std::vector<std::vector<std::string>> rows{{noun, "output", "base", "head", "change"}};
    // The values at the price say their currency (one for the table when every value is in
    // it; else each value does).
    std::set<std::string> currencies;
    for (const auto& dd : records)
        for (const auto& v : dd.values)
            if (v.changed && !v.value_currency.empty()) currencies.insert(v.value_currency);
    const std::string in_one = currencies.size() == 1 ? " (" + *currencies.begin() + ")" : "";
    if (valued) rows[0].insert(rows[0].end(), {"base value" + in_one, "head value" + in_one, "value change" + in_one});
    auto valued_text = [&](const ValueDiff& v, const std::string& text) {
        return in_one.empty() && !text.empty() && !v.value_currency.empty() ? text + " " + v.value_currency : text;
    };
    std::vector<std::string> unchanged;
    for (const auto& dd : records) {
        if (!dd.changed()) {
            unchanged.push_back(dd.id);
            continue;
        }
        std::string id = dd.id;
        if (!dd.in_base) id += " (only in head)";
        if (!dd.in_head) id += " (only in base)";
        bool first = true;
        for (const auto& v : dd.values) {
            if (!v.changed) continue;
            // An amount of money says its currency: `award_value (GBP)`.
            rows.push_back({first ? id : "", v.currency.empty() ? v.name : v.name + " (" + v.currency + ")", shown(v.base),
                            shown(v.head), change_text(v)});
            if (valued)
                rows.back().insert(rows.back().end(), {valued_text(v, v.base.value_display), valued_text(v, v.head.value_display),
                                                       valued_text(v, v.value_change_display)});
            first = false;
        }
        if (first) rows.push_back({id, "", "", "", ""});
        if (first && valued) rows.back().insert(rows.back().end(), {"", "", ""});
    }
    std::vector<bool> right{false, false, true, true, true};
    if (valued) right.insert(right.end(), {true, true, true});
    if (rows.size() > 1) out += format_columns(rows, right, "");
    if (rows.size() == 1) out += fmt::format("no {}'s {} changed\n", noun, what);
    else if (!unchanged.empty()) out += "no change: " + join(unchanged) + "\n";
    return out;
}

std::string text_inputs(const InputsDiff& d, const std::string& inputs_sha256, const DiffSide& base,
                        const DiffSide& head, const std::vector<AwardCause>& causes) {
    std::string out = fmt::format("\n== {}{}  sha256 {}\n", d.inputs_path,
                                  d.fiscal_year.empty() ? "" : " — " + d.fiscal_year, inputs_sha256);
    for (const auto* s : {&d.base, &d.head}) {
        if (s->ok) continue;
        const DiffSide& side = s == &d.base ? base : head;
        std::string first = s->errors.items().empty() ? "" : s->errors.items().front().message;
        out += fmt::format("{} {} could not be evaluated: {}\n", s == &d.base ? "base" : "head", side.dir, first);
    }
    if (!d.ran()) return out;
    if (!d.outputs_only_base.empty()) out += "outputs only in base: " + join(d.outputs_only_base) + "\n";
    if (!d.outputs_only_head.empty()) out += "outputs only in head: " + join(d.outputs_only_head) + "\n";

    // Shares valued at the plan's price (diff --price): three more columns.
    bool valued = false;
    for (const auto& dd : d.directors)
        for (const auto& v : dd.values)
            if (v.changed && (!v.base.value_display.empty() || !v.head.value_display.empty())) valued = true;
    out += "\n" + changed_records(d.noun, d.directors, valued, "award");
    // The further collections' records (a peer's TSR), each in a table of its own.
    for (const auto& c : d.others) out += "\n" + changed_records(c.noun, c.records, false, "output");
    // Which of the revision's changes each changed award depends on.
    std::set<std::string> moved;
    for (const auto& dd : d.directors)
        for (const auto& v : dd.values)
            if (v.changed && v.base.present && v.head.present) moved.insert(v.name);
    for (const auto& v : d.totals)
        if (v.changed && v.base.present && v.head.present) moved.insert(v.name);
    std::vector<std::vector<std::string>> why;
    for (const auto& c : causes)
        if (moved.count(c.output)) why.push_back({c.output, join(c.changed)});
    if (!why.empty()) {
        why.insert(why.begin(), {"changed award", "depends on these changed declarations"});
        out += "\n" + format_columns(why, {false, false}, "");
    }

    if (!d.totals.empty()) {
        std::vector<std::vector<std::string>> t{{"total", "base", "head", "change"}};
        for (const auto& v : d.totals) t.push_back({v.name, shown(v.base), shown(v.head), change_text(v)});
        out += "\n" + format_columns(t, {false, true, true, true}, "");
    }
    if (!d.limits.empty()) {
        // A side without any limit gets no columns, but a line saying so.
        bool base_has = std::any_of(d.limits.begin(), d.limits.end(), [](const auto& l) { return l.base.present; });
        bool head_has = std::any_of(d.limits.begin(), d.limits.end(), [](const auto& l) { return l.head.present; });
        std::vector<std::vector<std::string>> t{{"limit"}};
        std::vector<bool> right{false};
        if (base_has) {
            t[0].insert(t[0].end(), {"base", "bound", "status"});
            right.insert(right.end(), {true, true, false});
        }
        if (head_has) {
            t[0].insert(t[0].end(), {"head", "bound", "status"});
            right.insert(right.end(), {true, true, false});
        }
        auto cells = [](const LimitSide& s, std::vector<std::string>& row) {
            if (!s.present) {
                row.insert(row.end(), {absent, "", ""});
                return;
            }
            row.insert(row.end(), {s.value.display, s.bound.display,
                                   s.factor.empty()           ? s.status
                                   : s.status == "violated" ? s.status + " after scaling by " + s.factor
                                                            : s.status + " by " + s.factor});
        };
        for (const auto& l : d.limits) {
            std::vector<std::string> row{l.name};
            if (base_has) cells(l.base, row);
            if (head_has) cells(l.head, row);
            t.push_back(std::move(row));
        }
        out += "\n" + format_columns(t, right, "");
        if (!base_has) out += "(the base plan has no limits)\n";
        if (!head_has) out += "(the head plan has no limits)\n";
    }
    if (d.violations.empty()) {
        out += "\nno violations under either plan\n";
    } else {
        out += "\nviolations\n";
        std::vector<std::vector<std::string>> t;
        for (const auto& v : d.violations) {
            const char* side = v.side == ViolationLine::Side::both ? "both"
                               : v.side == ViolationLine::Side::base ? "base only"
                                                                            : "head only";
            t.push_back({side, v.rule + (v.director.empty() ? "" : " [" + v.director + "]") + ": " + v.message});
        }
        out += format_columns(t, {false, false}, "  ");
    }
    return out;
}

std::string text_rules(const RulesDiff& r, const DiffSide& base, const DiffSide& head) {
    std::size_t added = 0, removed = 0, changed = 0, annotations = 0;
    for (const auto& c : r.changes) {
        if (c.change == DeclarationDiff::Kind::added) ++added;
        else if (c.change == DeclarationDiff::Kind::removed) ++removed;
        else if (c.annotations_only) ++annotations;
        else ++changed;
    }
    if (r.changes.empty())
        return fmt::format("\n== rules {} → {}: no declaration changed ({} unchanged)\n", base.dir, head.dir,
                           r.unchanged);
    std::string out = fmt::format("\n== rules {} → {}: {} changed, {} added, {} removed, {} changed in citations, "
                                  "notes or comments only, {} unchanged\n",
                                  base.dir, head.dir, changed, added, removed, annotations, r.unchanged);
    auto changed_block = [&](bool annotations_only) {
        std::string block;
        for (const auto& c : r.changes) {
            if (c.change != DeclarationDiff::Kind::changed || c.annotations_only != annotations_only) continue;
            block += fmt::format("  {}  {}\n", declaration_text(c), location(c));
            if (c.base->scope != c.head->scope)
                block += fmt::format("    {} → {}\n", scope_text(c.base->scope), scope_text(c.head->scope));
            for (const auto& line : c.lines) block += "    " + line + "\n";
        }
        return block;
    };
    auto listed = [&](DeclarationDiff::Kind kind) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : r.changes) {
            if (c.change != kind) continue;
            const auto& d = c.head ? *c.head : *c.base;
            rows.push_back({d.kind, d.kind == "plan" ? std::string() : d.name, location(c)});
        }
        return format_columns(rows, {false, false, false}, "  ", 40);
    };
    if (changed > 0) out += "\nchanged\n" + changed_block(false);
    if (added > 0) out += "\nadded\n" + listed(DeclarationDiff::Kind::added);
    if (removed > 0) out += "\nremoved\n" + listed(DeclarationDiff::Kind::removed);
    if (annotations > 0) out += "\nchanged in citations, notes or comments only\n" + changed_block(true);
    return out;
}

}  // namespace

std::string format_diff_text(const DiffSide& base, const DiffSide& head, const std::vector<DiffInputs>& inputs,
                             const RulesDiff& rules, const std::vector<AwardCause>& causes) {
    std::vector<std::vector<std::string>> header;
    for (const DiffSide* s : {&base, &head}) {
        std::vector<std::string> row{s == &base ? "base" : "head", s->dir, s->title};
        if (!s->rules_sha256.empty()) row.push_back("rules sha256 " + s->rules_sha256);
        header.push_back(std::move(row));
    }
    std::string text = format_columns(header, {}, "");
    for (const auto& in : inputs) {
        if (!in.run) {
            text += fmt::format("\n== {}\ncould not be read (see the error above)\n", in.path);
            continue;
        }
        text += text_inputs(*in.run, in.sha256, base, head, causes);
    }
    text += text_rules(rules, base, head);
    return dsl::printable(text, true);   // texts and declarations come from the rules and inputs
}

}  // namespace hoshu::eval
