// Reports of a simulation: a table for the committee, JSON for the accountants.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "dsl/base/text.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/whatif/simulate.hpp"

namespace hoshu::eval {

namespace {

/// A probability as a percentage to 0.01%; never "0.00%" for something that happened nor
/// "100.00%" for something that did not always happen.
std::string percent(const Rational& fraction) {
    std::string shown = (fraction * Rational(100)).to_decimal(2);
    if (shown == "0.00" && !fraction.is_zero()) return "<0.01%";
    if (shown == "100.00" && fraction != Rational(1)) return ">99.99%";
    return shown + "%";
}

std::string percent(std::uint64_t count, std::uint64_t total) {
    if (total == 0) return "-";
    return percent(Rational::fraction(static_cast<std::int64_t>(count), static_cast<std::int64_t>(total)));
}

bool always_zero(const OutputTally& t) { return t.counts.only_zero(); }

std::string event_name(const Plan& plan, const SimulationResult& r, const EventTally& e) {
    return e.director ? plan.slots[e.slot].name + " (" + r.directors[*e.director] + ")" : plan.slots[e.slot].name;
}

}  // namespace

std::string format_simulation_table(const Plan& plan, const SimulationResult& r, const SimulationHeader& h) {
    std::string out = plan.title.empty() ? "" : plan.title + " — simulation\n";
    out += fmt::format("inputs {}  sha256 {}\nmodel  {}  sha256 {}\nrules  sha256 {}\n", h.seal.inputs_path,
                       h.seal.inputs_sha256, h.model_path, h.model_sha256,
                       h.seal.rules_sha256);
    out += fmt::format("paths {}  seed {}  (the same numbers for any --threads)\n", group_digits(std::to_string(r.paths)),
                       h.seed);

    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head = {plan.directors.noun, "output", "mean", "sd", "p5", "p25", "p50", "p75", "p95", "P(zero)"};
    if (r.has_price) {
        head.push_back("fair value/share");
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
        std::vector<std::string> row = {r.directors[t.director], plan.slots[t.slot].name, grouped_decimal(s.mean, 2),
                                        grouped_decimal(*Rational::parse(s.sd), 2), grouped_decimal(s.p5, 0), grouped_decimal(s.p25, 0),
                                        grouped_decimal(s.p50, 0), grouped_decimal(s.p75, 0), grouped_decimal(s.p95, 0), percent(s.p_zero)};
        if (r.has_price) {
            bool shares = plan.slots[t.slot].type.dim == Dimension{0, 1, 0};
            row.push_back(shares && s.fair_value_share ? "¥" + grouped_decimal(*s.fair_value_share, 2) : "");
            row.push_back(shares && s.fair_value_grant ? "¥" + grouped_decimal(*s.fair_value_grant, 0) : "");
        }
        rows.push_back(std::move(row));
    }
    std::vector<bool> right(head.size(), true);
    right[0] = right[1] = false;
    out += "\n" + format_columns(rows, right, "");
    if (hidden) out += fmt::format("({} outputs are 0 on every path and not shown)\n", hidden);

    if (!r.events.empty()) {
        // Per-director events of records that receive no shares on any path (outside
        // directors, auditors) are left out when never true; the JSON has them all.
        std::vector<bool> receives(r.directors.size(), false);
        for (const auto& t : r.outputs) {
            if (plan.slots[t.slot].type.dim == Dimension{0, 1, 0} && t.counts.total() && !always_zero(t))
                receives[t.director] = true;
        }
        std::vector<std::vector<std::string>> ev = {{"event", "probability"}};
        for (const auto& e : r.events) {
            if (e.director && e.count == 0 && !receives[*e.director]) continue;
            ev.push_back({event_name(plan, r, e), percent(e.count, r.paths)});
        }
        out += "\n" + format_columns(ev, {false, true}, "");
    }
    if (!r.limits.empty()) {
        std::vector<std::vector<std::string>> lim = {{"limit", "scaled", "violated"}};
        for (const auto& l : r.limits)
            lim.push_back({plan.limits[l.limit].name, percent(l.scaled, r.paths), percent(l.violated, r.paths)});
        out += "\n" + format_columns(lim, {false, true, true}, "");
    }
    if (r.has_price && r.discount) {
        Rational mean_price = r.price_sum.value() / Rational(static_cast<std::int64_t>(r.paths));
        out += fmt::format("\ngrant-time price: mean ¥{}; discounted at the risk-free rate over {} days: factor {}\n",
                           grouped_decimal(mean_price, 2), r.days, r.discount->to_decimal(6));
        out += "fair value/grant = mean(shares × grant-time price) × factor; fair value/share = that ÷ mean(shares)\n";
    }
    return dsl::printable(out, true);
}

std::string format_simulation_json(const Plan& plan, const SimulationResult& r, const SimulationHeader& h) {
    using nlohmann::ordered_json;
    ordered_json j;
    j["plan"] = plan.title;
    ordered_json seal;
    seal["engine"] = h.seal.engine;
    seal["plan"] = h.seal.plan_path;
    seal["rules_sha256"] = h.seal.rules_sha256;
    seal["inputs"] = h.seal.inputs_path;
    seal["inputs_sha256"] = h.seal.inputs_sha256;
    seal["model"] = h.model_path;
    seal["model_sha256"] = h.model_sha256;
    if (!h.seal.as_of.empty()) seal["as_of"] = h.seal.as_of;
    j["seal"] = seal;
    j["paths"] = r.paths;
    j["seed"] = h.seed;
    auto exact = [](const Rational& v) { return v.to_string(); };
    ordered_json outputs = ordered_json::array();
    for (const auto& t : r.outputs) {
        if (t.counts.total() == 0) continue;
        OutputSummary s = summarize(r, t);
        ordered_json o;
        o[plan.directors.noun] = r.directors[t.director];
        o["output"] = plan.slots[t.slot].name;
        o["unit"] = plan.type_name(plan.slots[t.slot].type);
        o["mean"] = exact(s.mean);
        o["mean_display"] = s.mean.to_decimal(2);
        o["sd"] = s.sd;
        o["min"] = exact(s.min);
        o["p5"] = exact(s.p5);
        o["p25"] = exact(s.p25);
        o["p50"] = exact(s.p50);
        o["p75"] = exact(s.p75);
        o["p95"] = exact(s.p95);
        o["max"] = exact(s.max);
        o["p_zero"] = exact(s.p_zero);
        if (s.fair_value_grant && plan.slots[t.slot].type.dim == Dimension{0, 1, 0}) {
            o["fair_value_grant_yen"] = s.fair_value_grant->to_decimal(2);
            if (s.fair_value_share) o["fair_value_share_yen"] = s.fair_value_share->to_decimal(4);
        }
        outputs.push_back(o);
    }
    j["outputs"] = outputs;
    ordered_json events = ordered_json::array();
    for (const auto& e : r.events) {
        ordered_json o;
        o["event"] = plan.slots[e.slot].name;
        if (e.director) o[plan.directors.noun] = r.directors[*e.director];
        o["paths"] = e.count;
        o["probability"] =
            Rational::fraction(static_cast<std::int64_t>(e.count), static_cast<std::int64_t>(std::max<std::uint64_t>(r.paths, 1)))
                .to_string();
        events.push_back(o);
    }
    j["events"] = events;
    ordered_json limits = ordered_json::array();
    for (const auto& l : r.limits) {
        ordered_json o;
        o["limit"] = plan.limits[l.limit].name;
        o["scaled_paths"] = l.scaled;
        o["violated_paths"] = l.violated;
        limits.push_back(o);
    }
    j["limits"] = limits;
    if (r.has_price && r.discount) {
        j["grant_price_mean"] = (r.price_sum.value() / Rational(static_cast<std::int64_t>(r.paths))).to_string();
        j["discount_factor"] = r.discount->to_decimal(30);
        j["discount_days"] = r.days;
    }
    return j.dump(2) + "\n";
}

}  // namespace hoshu::eval
