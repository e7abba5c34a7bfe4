#include "evaluator/output/eval_report.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "evaluator/output/diff_report.hpp"
#include "evaluator/output/explain_report.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/output/simulation_report.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

using nlohmann::ordered_json;

/// A number as every result writes it: a JSON integer when it is one that fits in 64 bits,
/// otherwise its exact text ("8712/10385", "0.9375"), never a binary double.
ordered_json json_number(const Rational& r) {
    if (auto i = r.to_int64()) return *i;
    return r.to_string();
}

/// A value of an evaluation: numbers as json_number, booleans as booleans, the rest as text.
ordered_json json_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    switch (type.kind) {
        case Kind::number: return json_number(v.number);
        case Kind::boolean: return v.word != 0;
        case Kind::date:
        case Kind::text:
        case Kind::choice: return value_text(plan, outcome, type, v);
    }
    return nullptr;
}

}  // namespace

namespace {

/// The seal's record of where the carried records came from (nothing without --carry or
/// --register).
void seal_carried_json(nlohmann::ordered_json& s, const Seal& seal) {
    if (seal.carried_from.empty()) return;
    s["carried_from"] = seal.carried_from;
    s["carried_sha256"] = seal.carried_sha256;
    if (seal.carried_from_register) {
        nlohmann::ordered_json events = nlohmann::ordered_json::array();
        for (const auto& e : seal.carried_events) events.push_back({{"id", e.id}, {"hash", e.hash}});
        s["carried_events"] = events;
    }
}

}  // namespace

std::string format_json(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year) {
    ordered_json j;
    j["plan"] = plan.title;
    j["fiscal_year"] = year.empty() ? ordered_json(nullptr) : ordered_json(std::string(year));
    ordered_json s;
    s["rules_sha256"] = seal.rules_sha256;
    s["inputs_sha256"] = seal.inputs_sha256;
    s["engine"] = seal.engine;
    s["plan"] = seal.plan_path;
    s["inputs"] = seal.inputs_path;
    s["relative_to"] = to_string(seal.relative_to);
    if (!seal.as_of.empty()) s["as_of"] = seal.as_of;
    seal_carried_json(s, seal);
    ordered_json files = ordered_json::array();
    for (const auto& f : seal.rule_files) files.push_back({{"path", f.path}, {"sha256", f.sha256}});
    s["rule_files"] = files;
    j["seal"] = s;
    ordered_json directors = ordered_json::array();
    for (const auto& d : outcome.directors) {
        ordered_json o;
        o[plan.directors.id_key] = d.id;   // the key field: `id`, `name`
        for (std::size_t i = 0; i < d.outputs.size(); ++i) {
            const Slot& sl = plan.slots[plan.director_outputs[i]];
            o[sl.name] = json_value(plan, outcome, sl.type, d.outputs[i]);
        }
        directors.push_back(o);
    }
    j[plan.directors.plural] = directors;
    // The plan's further collections, each under its own name, with their outputs.
    for (std::size_t k = 0; k < plan.others.size() && k < outcome.others.size(); ++k) {
        if (plan.other_outputs[k].empty()) continue;   // figures read, nothing reported per record
        ordered_json records = ordered_json::array();
        for (const auto& r : outcome.others[k].records) {
            ordered_json o;
            o[plan.others[k].id_key] = r.id;
            for (std::size_t i = 0; i < r.outputs.size(); ++i) {
                const Slot& sl = plan.slots[plan.other_outputs[k][i]];
                o[sl.name] = json_value(plan, outcome, sl.type, r.outputs[i]);
            }
            records.push_back(o);
        }
        j[plan.others[k].plural] = records;
    }
    ordered_json totals = ordered_json::object();
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
        const Slot& sl = plan.slots[plan.plan_outputs[i]];
        if (sl.name == "fiscal_year") continue;
        totals[sl.name] = json_value(plan, outcome, sl.type, outcome.plan_outputs[i]);
    }
    j["totals"] = totals;
    ordered_json limits = ordered_json::array();
    for (const auto& l : outcome.limits) {
        const Limit& limit = plan.limits[l.limit];
        ordered_json o;
        o["name"] = limit.name;
        o["value"] = json_value(plan, outcome, limit.type, l.value);
        o["bound"] = json_value(plan, outcome, limit.type, l.bound);
        o["status"] = to_string(l.status);
        if (l.factor) o["factor"] = l.factor->to_string();
        limits.push_back(o);
    }
    j["limits"] = limits;
    ordered_json violations = ordered_json::array();
    for (const auto& v : outcome.violations) {
        ordered_json o;
        o["rule"] = v.rule;
        o["director"] = v.director.empty() ? ordered_json(nullptr) : ordered_json(v.director);
        o["message"] = v.message;
        violations.push_back(o);
    }
    j["violations"] = violations;
    // What the year hands to the next (`carry` declarations): read back by `--carry`.
    if (!outcome.carried.empty()) {
        ordered_json carry = ordered_json::object();
        for (const auto& c : outcome.carried) {
            ordered_json records = ordered_json::array();
            for (const auto& record : c.records) {
                ordered_json o = ordered_json::object();
                for (const auto& f : record) {
                    switch (f.type.kind) {
                        case Kind::number: o[f.name] = json_number(f.value.number); break;
                        case Kind::boolean: o[f.name] = f.value.word != 0; break;
                        case Kind::date:
                        case Kind::text:
                        case Kind::choice: o[f.name] = f.text; break;
                    }
                }
                records.push_back(o);
            }
            carry[c.path] = records;
        }
        j["carry"] = carry;
    }
    return j.dump(2) + "\n";
}

// --------------------------------------------------------------------------------------
// A simulation

namespace {

/// The statistics of one tally of an output of `type` (or of a change between two plans:
/// no fair values). `currency`: the word naming the currency its fair values are in
/// (currency_word()), when the output is valued at the grant-time price. A percent's or a
/// ratio's figures are ratios, as its exact ones are: its standard deviation to 4 decimals
/// (a percent's to 2 decimals of a percent), its mean shown as the table shows it
/// ("38.73%", a ratio to 4 decimals).
nlohmann::ordered_json json_summary(const OutputSummary& s, const Type& type, const std::string& currency = {}) {
    auto exact = [](const Rational& v) { return v.to_string(); };
    const bool proportion = type.kind == Kind::number && type.dimensionless() && type.style != RatioStyle::count;
    const bool percent = proportion && type.style == RatioStyle::percent;
    nlohmann::ordered_json o;
    o["mean"] = exact(s.mean);
    o["mean_display"] = percent ? (s.mean * Rational(100)).to_decimal(2) + "%" : s.mean.to_decimal(proportion ? 4 : 2);
    if (!s.sd)
        o["sd"] = nullptr;   // none for one path
    else
        o["sd"] = proportion ? standard_deviation(s.variance, 4) : *s.sd;
    o["min"] = exact(s.min);
    o["p5"] = exact(s.p5);
    o["p25"] = exact(s.p25);
    o["p50"] = exact(s.p50);
    o["p75"] = exact(s.p75);
    o["p95"] = exact(s.p95);
    o["max"] = exact(s.max);
    o["p_zero"] = exact(s.p_zero);
    if (s.fair_value_grant && !currency.empty()) {
        o["fair_value_grant_" + currency] = s.fair_value_grant->to_decimal(2);
        if (s.fair_value_share) o["fair_value_share_" + currency] = s.fair_value_share->to_decimal(4);
    }
    return o;
}

/// The currency word of `slot`'s fair values in `r`, or empty when it is not valued.
std::string valued_in(const Plan& plan, const SimulationResult& r, std::uint32_t slot) {
    if (!r.valued(plan.slots[slot].type)) return {};
    return currency_word(plan.units[r.price_units.currency]);
}

/// Each requirement of a simulation (per record: each record's) and the paths it failed on.
nlohmann::ordered_json requirements_json(const Plan& plan, const SimulationResult& r) {
    nlohmann::ordered_json requirements = nlohmann::ordered_json::array();
    for (const auto& q : r.requirements) {
        nlohmann::ordered_json o;
        o["requirement"] = plan.requirements[q.requirement].name;
        if (q.director) o[plan.directors.noun] = r.directors[*q.director];
        o["failed_paths"] = q.failed;
        o["share"] = Rational::fraction(static_cast<std::int64_t>(q.failed),
                                        static_cast<std::int64_t>(std::max<std::uint64_t>(r.paths, 1)))
                         .to_string();
        requirements.push_back(o);
    }
    return requirements;
}

}  // namespace

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
    seal_carried_json(seal, h.seal);
    seal["model"] = h.model_path;
    seal["model_sha256"] = h.model_sha256;
    if (!h.seal.as_of.empty()) seal["as_of"] = h.seal.as_of;
    j["seal"] = seal;
    j["paths"] = r.paths;
    j["seed"] = h.seed;
    ordered_json outputs = ordered_json::array();
    for (const auto& t : r.outputs) {
        if (t.counts.total() == 0) continue;
        OutputSummary s = summarize(r, t);
        ordered_json o;
        o[plan.directors.noun] = r.directors[t.director];
        o["output"] = plan.slots[t.slot].name;
        o["unit"] = plan.type_name(plan.slots[t.slot].type);
        o.update(json_summary(s, plan.slots[t.slot].type, valued_in(plan, r, t.slot)));
        outputs.push_back(o);
    }
    j["outputs"] = outputs;
    ordered_json wide = ordered_json::array();   // the plan-wide outputs, as the per-record ones
    for (const auto& t : r.plan_outputs) {
        if (t.counts.total() == 0) continue;
        ordered_json o;
        o["output"] = plan.slots[t.slot].name;
        o["unit"] = plan.type_name(plan.slots[t.slot].type);
        o.update(json_summary(summarize(t.counts), plan.slots[t.slot].type));   // not valued: no fair value
        wide.push_back(o);
    }
    j["plan_outputs"] = wide;
    // A plan-wide output in money (a total in yen, a price) that a modelled value reaches is
    // not counted (it can take a new value on nearly every path, and its percentiles would take
    // further passes over them): named, so that none is left out silently.
    ordered_json unsummarised = ordered_json::array();
    for (const auto& t : r.plan_outputs)
        if (t.counts.total() == 0 && plan.slots[t.slot].type.kind == Kind::number)
            unsummarised.push_back(plan.slots[t.slot].name);
    j["plan_outputs_not_summarised"] = unsummarised;
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
    j["requirements"] = requirements_json(plan, r);
    if (r.has_price && r.discount) {
        j["grant_price_mean"] = (r.price_sum.value() / Rational(static_cast<std::int64_t>(r.paths))).to_string();
        j["discount_factor"] = r.discount->to_decimal(30);
        j["discount_days"] = r.days;
        j["grant_price_fixed"] = r.price_fixed();   // the same on every path
    }
    return j.dump(2) + "\n";
}

std::string format_comparison_json(const Plan& base, const Plan& head, const ComparedSimulation& c,
                                   const SimulationHeader& h, const ComparisonSide& b) {
    using nlohmann::ordered_json;
    ordered_json j;
    ordered_json seal;
    seal["engine"] = h.seal.engine;
    seal["inputs"] = h.seal.inputs_path;
    seal["inputs_sha256"] = h.seal.inputs_sha256;
    seal_carried_json(seal, h.seal);
    seal["model"] = h.model_path;
    seal["model_sha256"] = h.model_sha256;
    if (!h.seal.as_of.empty()) seal["as_of"] = h.seal.as_of;
    j["seal"] = seal;
    for (const auto* side : {&c.base, &c.head}) {
        ordered_json p;
        p["plan"] = side == &c.base ? b.plan_path : h.seal.plan_path;
        p["title"] = (side == &c.base ? base : head).title;
        p["rules_sha256"] = side == &c.base ? b.rules_sha256 : h.seal.rules_sha256;
        j[side == &c.base ? "base" : "head"] = p;
    }
    j["paths"] = c.head.paths;
    j["seed"] = h.seed;
    ordered_json outputs = ordered_json::array(), wide = ordered_json::array();
    for (const auto& o : compared_outputs(base, head, c)) {
        ordered_json row;
        if (o.director) row[head.directors.noun] = o.director_id;
        row["output"] = o.output;
        row["unit"] = o.unit;
        for (const auto* side : {&c.base, &c.head}) {
            const OutputTally* t = side == &c.base ? o.base : o.head;
            const Plan& plan = side == &c.base ? base : head;
            row[side == &c.base ? "base" : "head"] =
                t ? json_summary(summarize(*side, *t), plan.slots[t->slot].type, valued_in(plan, *side, t->slot))
                  : ordered_json(nullptr);
        }
        if (o.change) {
            const Type& type = o.head ? head.slots[o.head->slot].type : base.slots[o.base->slot].type;
            row["change"] = json_summary(summarize(o.change->counts), type);
        } else {
            row["change"] = nullptr;
        }
        (o.director ? outputs : wide).push_back(row);
    }
    j["outputs"] = outputs;
    j["plan_outputs"] = wide;
    auto probability = [](std::uint64_t n, std::uint64_t paths) {
        return Rational::fraction(static_cast<std::int64_t>(n), static_cast<std::int64_t>(std::max<std::uint64_t>(paths, 1)))
            .to_string();
    };
    for (const auto* side : {&c.base, &c.head}) {
        const Plan& plan = side == &c.base ? base : head;
        ordered_json part;
        ordered_json events = ordered_json::array();
        for (const auto& e : side->events) {
            ordered_json o;
            o["event"] = plan.slots[e.slot].name;
            if (e.director) o[plan.directors.noun] = side->directors[*e.director];
            o["paths"] = e.count;
            o["probability"] = probability(e.count, side->paths);
            events.push_back(o);
        }
        part["events"] = events;
        ordered_json limits = ordered_json::array();
        for (const auto& l : side->limits) {
            ordered_json o;
            o["limit"] = plan.limits[l.limit].name;
            o["scaled_paths"] = l.scaled;
            o["violated_paths"] = l.violated;
            limits.push_back(o);
        }
        part["limits"] = limits;
        part["requirements"] = requirements_json(plan, *side);
        if (side->has_price && side->discount) {
            part["grant_price_mean"] = (side->price_sum.value() / Rational(static_cast<std::int64_t>(side->paths))).to_string();
            part["discount_factor"] = side->discount->to_decimal(30);
            part["discount_days"] = side->days;
            part["grant_price_fixed"] = side->price_fixed();
        }
        j[side == &c.base ? "base_report" : "head_report"] = part;
    }
    return j.dump(2) + "\n";
}

// --------------------------------------------------------------------------------------
// An explanation

std::string explanation_json(const Explanation& e) {
    nlohmann::ordered_json j;
    j["root"] = e.root;
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const auto& s : e.steps) {
        nlohmann::ordered_json o;
        o["id"] = s.id;
        o["name"] = s.name;
        o["scope"] = s.scope;
        o["kind"] = s.kind;
        o["type"] = s.type;
        o["value"] = s.value;
        o["formula"] = s.formula;
        o["location"] = s.location;
        nlohmann::ordered_json sources = nlohmann::ordered_json::array();
        for (const auto& c : s.sources) sources.push_back({{"clause", c.clause}, {"quote", c.quote}});
        o["sources"] = sources;
        o["notes"] = s.notes;
        o["steps"] = s.details;
        o["uses"] = s.uses;
        steps.push_back(o);
    }
    j["steps"] = steps;
    return j.dump(2) + "\n";
}

// --------------------------------------------------------------------------------------
// A diff of two plans

namespace {

ordered_json json_value(const SideValue& v) {
    if (!v.present) return nullptr;
    if (v.number) return json_number(*v.number);
    if (v.kind == Kind::boolean) return v.exact == "true";
    return v.exact;
}

/// The changed declarations each output depends on (analysis/dependencies.hpp).
using Causes = std::map<std::string, const AwardCause*>;

/// `priced`: diff --price was given, so outputs in the unit the price is per (shares) carry
/// their value in money.
ordered_json json_value_diff(const ValueDiff& v, const char* key, bool priced, const Causes& causes) {
    ordered_json o;
    o[key] = v.name;
    o["unit"] = v.unit;
    o["base"] = json_value(v.base);
    o["head"] = json_value(v.head);
    if (v.change) {
        o["change"] = json_number(*v.change);
    } else {
        o["change"] = nullptr;
    }
    o["changed"] = v.changed;
    if (v.unit_changed) {
        o["unit_changed"] = true;
        o["base_unit"] = v.base_unit;
    }
    if (priced && v.valued) {
        o["base_value"] = v.base.value ? json_number(*v.base.value) : ordered_json(nullptr);
        o["head_value"] = v.head.value ? json_number(*v.head.value) : ordered_json(nullptr);
        o["value_change"] = v.value_change ? json_number(*v.value_change) : ordered_json(nullptr);
    }
    // As the text: the causes of an award that changed and is in both plans.
    if (v.changed && v.base.present && v.head.present) {
        if (auto c = causes.find(v.name); c != causes.end()) o["depends_on_changed"] = c->second->changed;
    }
    return o;
}

ordered_json json_limit_side(const LimitSide& s) {
    if (!s.present) return nullptr;
    ordered_json o;
    o["value"] = json_value(s.value);
    o["bound"] = json_value(s.bound);
    o["status"] = s.status;
    if (!s.factor.empty()) o["factor"] = s.factor;
    return o;
}

ordered_json json_run(const SideRun& s, const dsl::SourceManager& sm) {
    ordered_json o;
    o["ok"] = s.ok;
    if (!s.ok) {
        ordered_json errors = ordered_json::array();
        for (const auto& d : s.errors.items()) errors.push_back(dsl::render(sm, d, {false}));
        o["errors"] = errors;
    }
    return o;
}

ordered_json json_inputs(const InputsDiff& d, const std::string& inputs_sha256, const dsl::SourceManager& sm,
                         bool priced, const Causes& causes) {
    ordered_json o;
    o["inputs"] = d.inputs_path;
    o["inputs_sha256"] = inputs_sha256;
    o["fiscal_year"] = d.fiscal_year.empty() ? ordered_json(nullptr) : ordered_json(d.fiscal_year);
    o["base"] = json_run(d.base, sm);
    o["head"] = json_run(d.head, sm);
    if (!d.ran()) return o;
    o["outputs_only_base"] = d.outputs_only_base;
    o["outputs_only_head"] = d.outputs_only_head;
    // Each record of a collection under both plans (`valued`: its shares in money too).
    auto records = [&](const std::vector<DirectorDiff>& list, bool valued) {
        ordered_json out = ordered_json::array();
        for (const auto& dd : list) {
            ordered_json j;
            j["id"] = dd.id;
            j["in_base"] = dd.in_base;
            j["in_head"] = dd.in_head;
            j["changed"] = dd.changed();
            ordered_json values = ordered_json::array();
            for (const auto& v : dd.values) values.push_back(json_value_diff(v, "output", valued, causes));
            j["values"] = values;
            out.push_back(j);
        }
        return out;
    };
    o[d.plural] = records(d.directors, priced);
    // The further collections' records (a peer's TSR), under each collection's name.
    if (!d.others.empty()) {
        ordered_json collections = ordered_json::object();
        for (const auto& c : d.others) collections[c.plural] = records(c.records, false);
        o["collections"] = collections;
    }
    ordered_json totals = ordered_json::array();
    for (const auto& v : d.totals) totals.push_back(json_value_diff(v, "total", priced, causes));
    o["totals"] = totals;
    ordered_json limits = ordered_json::array();
    for (const auto& l : d.limits) {
        ordered_json j;
        j["name"] = l.name;
        j["base"] = json_limit_side(l.base);
        j["head"] = json_limit_side(l.head);
        j["changed"] = l.changed;
        limits.push_back(j);
    }
    o["limits"] = limits;
    ordered_json violations = ordered_json::array();
    for (const auto& v : d.violations) {
        ordered_json j;
        j["side"] = v.side == ViolationLine::Side::both ? "both"
                    : v.side == ViolationLine::Side::base ? "base"
                                                                 : "head";
        j["rule"] = v.rule;
        j["director"] = v.director.empty() ? ordered_json(nullptr) : ordered_json(v.director);
        j["message"] = v.message;
        violations.push_back(j);
    }
    o["violations"] = violations;
    return o;
}

ordered_json json_declaration(const std::optional<DeclarationText>& d) {
    if (!d) return nullptr;
    ordered_json o;
    o["kind"] = d->kind;
    o["scope"] = d->scope.empty() ? std::string("plan") : d->scope;
    o["file"] = d->file;
    o["line"] = d->line;
    return o;
}

ordered_json json_rules(const RulesDiff& r) {
    ordered_json o;
    o["unchanged"] = r.unchanged;
    ordered_json changes = ordered_json::array();
    for (const auto& c : r.changes) {
        ordered_json j;
        j["change"] = c.change == DeclarationDiff::Kind::added     ? "added"
                      : c.change == DeclarationDiff::Kind::removed ? "removed"
                                                                         : "changed";
        j["kind"] = c.head ? c.head->kind : c.base->kind;
        j["name"] = c.head ? c.head->name : c.base->name;
        if (c.change == DeclarationDiff::Kind::changed) j["annotations_only"] = c.annotations_only;
        j["base"] = json_declaration(c.base);
        j["head"] = json_declaration(c.head);
        if (c.change == DeclarationDiff::Kind::changed) j["diff"] = c.lines;
        changes.push_back(j);
    }
    o["changes"] = changes;
    return o;
}

ordered_json json_side(const DiffSide& s) {
    ordered_json o;
    o["plan"] = s.dir;
    o["title"] = s.title;
    o["rules_sha256"] = s.rules_sha256.empty() ? ordered_json(nullptr) : ordered_json(s.rules_sha256);
    return o;
}

}  // namespace

std::string format_diff_json(const DiffSide& base, const DiffSide& head, const std::vector<DiffInputs>& inputs,
                             const RulesDiff& rules, const dsl::SourceManager& sm,
                             const std::vector<AwardCause>& causes, const std::string& price) {
    ordered_json j;
    j["base"] = json_side(base);
    j["head"] = json_side(head);
    j["engine"] = std::string("hoshu ") + HOSHU_VERSION;
    j["price"] = price.empty() ? ordered_json(nullptr) : ordered_json(price);
    Causes by_output;
    for (const auto& c : causes) by_output.emplace(c.output, &c);
    ordered_json in = ordered_json::array();
    std::vector<std::string> unreadable;
    for (const auto& i : inputs) {
        if (i.run) in.push_back(json_inputs(*i.run, i.sha256, sm, !price.empty(), by_output));
        else unreadable.push_back(i.path);
    }
    j["inputs"] = in;
    j["unreadable_inputs"] = unreadable;
    j["rules"] = json_rules(rules);
    ordered_json all = ordered_json::array();
    for (const auto& c : causes) {
        ordered_json o;
        o["output"] = c.output;
        o["depends_on_changed"] = c.changed;
        all.push_back(o);
    }
    j["award_causes"] = all;
    return j.dump(2) + "\n";
}

}  // namespace hoshu::eval
