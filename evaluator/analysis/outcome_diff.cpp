#include "evaluator/analysis/outcome_diff.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "evaluator/run/values.hpp"

namespace hoshu::eval {

bool DirectorDiff::changed() const {
    if (!in_base || !in_head) return true;
    return std::any_of(values.begin(), values.end(), [](const ValueDiff& v) { return v.changed; });
}

namespace {

// --------------------------------------------------------------------------------------
// Outcomes

SideValue side_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    SideValue s;
    s.present = true;
    s.kind = type.kind;
    s.exact = value_text(plan, outcome, type, v);
    s.display = display_value(plan, outcome, type, v);
    if (type.is_number()) s.number = v.number;
    return s;
}

/// Names of both lists in one order: the base's, with the head's names placed before the
/// first shared name that follows them in the head ("a, x, b" and "a, b, y" give "a, x, b, y").
std::vector<std::string> merge_names(const std::vector<std::string>& base, const std::vector<std::string>& head) {
    std::vector<std::string> out;
    std::set<std::string> emitted;
    std::set<std::string> in_head(head.begin(), head.end());
    std::size_t h = 0;
    for (const auto& name : base) {
        if (in_head.count(name)) {
            while (h < head.size()) {
                const std::string& next = head[h++];
                if (emitted.insert(next).second) out.push_back(next);
                if (next == name) break;
            }
        } else if (emitted.insert(name).second) {
            out.push_back(name);
        }
    }
    for (; h < head.size(); ++h) {
        if (emitted.insert(head[h]).second) out.push_back(head[h]);
    }
    return out;
}

std::vector<std::string> slot_names(const Plan& plan, const std::vector<std::uint32_t>& slots) {
    std::vector<std::string> names;
    for (std::uint32_t s : slots) names.push_back(plan.slots[s].name);
    return names;
}

/// Where each name is in a list of slots (the first, were one listed twice): looked up
/// once per record and output, so found without a scan.
class Positions {
public:
    Positions(const Plan& plan, const std::vector<std::uint32_t>& slots) {
        for (std::size_t i = 0; i < slots.size(); ++i) at_.emplace(plan.slots[slots[i]].name, i);
    }
    std::optional<std::size_t> of(std::string_view name) const {
        auto it = at_.find(name);
        if (it == at_.end()) return std::nullopt;
        return it->second;
    }

private:
    std::unordered_map<std::string_view, std::size_t> at_;
};

std::string signed_display(const Plan& plan, const Outcome& outcome, const Type& type, const Rational& r) {
    std::string text = display_value(plan, outcome, type, Value{r, 0});
    if (r.sign() <= 0) return text;
    // Both forms of a percent that does not end carry the sign: "+1/35 ≈ +2.8571%".
    const std::string approx = " ≈ ";
    if (auto at = text.find(approx); at != std::string::npos) text.insert(at + approx.size(), "+");
    return "+" + text;
}

/// Compare one output: `b`/`h` are null when that plan does not have it.
ValueDiff compare_value(std::string name, const Plan& base, const Outcome& bo, const Type* bt, const Value* b,
                        const Plan& head, const Outcome& ho, const Type* ht, const Value* h) {
    ValueDiff d;
    d.name = std::move(name);
    if (b) d.base = side_value(base, bo, *bt, *b);
    if (h) d.head = side_value(head, ho, *ht, *h);
    d.unit = h ? head.type_name(*ht) : b ? base.type_name(*bt) : std::string();
    if (b && h) {
        bool same_unit = bt->kind == Kind::choice && ht->kind == Kind::choice
                             ? base.type_name(*bt) == head.type_name(*ht)   // choice indices are per plan
                             : bt->same(*ht);
        if (!same_unit) {
            d.unit_changed = true;
            d.base_unit = base.type_name(*bt);
            d.changed = true;
        } else if (bt->is_number()) {
            Rational change = h->number - b->number;
            d.changed = !change.is_zero();
            if (d.changed) d.change_display = signed_display(head, ho, *ht, change);
            d.change = std::move(change);
        } else {
            d.changed = d.base.exact != d.head.exact;
        }
    } else if (b || h) {
        const SideValue& only = b ? d.base : d.head;
        d.changed = !(only.number && only.number->is_zero());
    }
    return d;
}

LimitSide limit_side(const Plan& plan, const Outcome& outcome, const LimitOutcome& l) {
    LimitSide s;
    s.present = true;
    const Limit& limit = plan.limits[l.limit];
    s.value = side_value(plan, outcome, limit.type, l.value);
    s.bound = side_value(plan, outcome, limit.type, l.bound);
    s.status = to_string(l.status);
    if (l.factor) s.factor = l.factor->to_string();
    return s;
}

}  // namespace

std::string price_problem(const Plan& plan, const std::string& name) {
    auto s = plan.find_slot(name);
    if (!s) return fmt::format("no definition `{}`", name);
    const Slot& slot = plan.slots[*s];
    if (slot.scope != Scope::plan) return fmt::format("`{}` is not plan-wide", name);
    if (!price_units(slot.type, plan.units))
        return fmt::format("`{}` is {}, not a currency per share or other counted unit", name, plan.type_name(slot.type));
    return {};
}

namespace {

/// A plan's price: its units, and its value on some inputs if the plan computes it.
struct Price {
    std::optional<Rational> value;
    PriceUnits units;
};

/// The price a plan defines, computed on these inputs.
std::optional<Price> price_of(const Plan& plan, const InputFile& inputs, const EvalOptions& options, const std::string& name) {
    if (name.empty() || !price_problem(plan, name).empty()) return std::nullopt;
    const std::uint32_t slot = *plan.find_slot(name);
    Price p{std::nullopt, *price_units(plan.slots[slot].type, plan.units)};
    Session session(plan, inputs, options);
    if (auto v = session.value(slot, 0)) p.value = v->number;
    return p;
}

/// Value `d` on each side at that side's price, when it is in the unit that price is per.
void value_awards(ValueDiff& d, const Plan& base, const Outcome& bo, const std::optional<Price>& bp, const Plan& head,
                  const Outcome& ho, const std::optional<Price>& hp) {
    auto value = [&](SideValue& side, const Plan& plan, const Outcome& o, const std::optional<Price>& p) {
        if (!p || !p->value || !side.present || !side.number || d.unit != plan.type_name(p->units.valued())) return false;
        side.value = *side.number * *p->value;
        side.value_display = display_value(plan, o, p->units.money(), Value{*side.value, 0});
        return true;
    };
    const bool bv = value(d.base, base, bo, bp);
    const bool hv = value(d.head, head, ho, hp);
    if (hv) d.value_currency = head.units[hp->units.currency].name;
    else if (bv) d.value_currency = base.units[bp->units.currency].name;
    d.valued = (bp && d.unit == base.type_name(bp->units.valued())) || (hp && d.unit == head.type_name(hp->units.valued()));
    // (A change in one currency: both prices in it, or the one side valued.)
    const bool one_currency = !bp || !hp || base.type_name(bp->units.money()) == head.type_name(hp->units.money());
    // The change in value: a side without the award counts zero; a side with it but no
    // value (its price not computed) leaves the change unknown. An award the same in both
    // plans has a change too (zero, or the prices' difference).
    const bool known = (bv || !d.base.present) && (hv || !d.head.present);
    if ((bv || hv) && known && one_currency) {
        Rational change = (hv ? *d.head.value : Rational(0)) - (bv ? *d.base.value : Rational(0));
        d.value_change_display = signed_display(hv ? head : base, hv ? ho : bo, (hv ? hp : bp)->units.money(), change);
        d.value_change = change;
    }
}

}  // namespace

InputsDiff diff_on_inputs(const Plan& base, const Plan& head, const InputFile& inputs, const EvalOptions& options,
                          const std::string& price) {
    InputsDiff r;
    r.inputs_path = inputs.path();
    if (head.directors.declared) {
        r.noun = head.directors.noun;
        r.plural = head.directors.plural;
    }
    // One inputs file for both plans: a key either plan reads is in its place.
    EvalOptions base_options = options, head_options = options;
    base_options.other_plan = &head;
    head_options.other_plan = &base;
    auto bo = evaluate(base, inputs, base_options);
    auto ho = evaluate(head, inputs, head_options);
    r.base.ok = bo.ok();
    r.head.ok = ho.ok();
    if (!bo) r.base.errors = bo.error();
    if (!ho) r.head.errors = ho.error();
    if (ho) r.fiscal_year = fiscal_year(head, *ho, inputs, head_options);
    if (r.fiscal_year.empty() && bo) r.fiscal_year = fiscal_year(base, *bo, inputs, base_options);
    if (!r.ran()) return r;
    const Outcome& b = *bo;
    const Outcome& h = *ho;
    const auto base_price = price_of(base, inputs, base_options, price);
    const auto head_price = price_of(head, inputs, head_options, price);

    // Per-director outputs.
    auto base_names = slot_names(base, base.director_outputs);
    auto head_names = slot_names(head, head.director_outputs);
    {
        const std::set<std::string_view> in_base(base_names.begin(), base_names.end());
        const std::set<std::string_view> in_head(head_names.begin(), head_names.end());
        for (const auto& n : base_names)
            if (!in_head.count(n)) r.outputs_only_base.push_back(n);
        for (const auto& n : head_names)
            if (!in_base.count(n)) r.outputs_only_head.push_back(n);
    }

    // The records of one collection under both plans, matched by key: each output of
    // either plan compared.
    auto records = [&](const std::vector<DirectorOutcome>& brs, const std::vector<std::uint32_t>& bouts,
                       const std::vector<DirectorOutcome>& hrs, const std::vector<std::uint32_t>& houts) {
        const auto names = merge_names(slot_names(base, bouts), slot_names(head, houts));
        // The base's records in order, then the head's new ones; each side's by its key.
        std::unordered_map<std::string_view, const DirectorOutcome*> base_of, head_of;
        std::vector<std::string> ids;
        for (const auto& d : brs)
            if (base_of.emplace(d.id, &d).second) ids.push_back(d.id);
        for (const auto& d : hrs)
            if (head_of.emplace(d.id, &d).second && !base_of.count(d.id)) ids.push_back(d.id);
        auto find = [](const auto& of, const std::string& id) -> const DirectorOutcome* {
            auto it = of.find(id);
            return it == of.end() ? nullptr : it->second;
        };
        const Positions base_at(base, bouts), head_at(head, houts);
        std::vector<DirectorDiff> out;
        for (const auto& id : ids) {
            DirectorDiff dd;
            dd.id = id;
            const DirectorOutcome* bd = find(base_of, id);
            const DirectorOutcome* hd = find(head_of, id);
            dd.in_base = bd != nullptr;
            dd.in_head = hd != nullptr;
            for (const auto& name : names) {
                auto bi = base_at.of(name);
                auto hi = head_at.of(name);
                const Type* bt = bi ? &base.slots[bouts[*bi]].type : nullptr;
                const Type* ht = hi ? &head.slots[houts[*hi]].type : nullptr;
                const Value* bv = bd && bi ? &bd->outputs[*bi] : nullptr;
                const Value* hv = hd && hi ? &hd->outputs[*hi] : nullptr;
                dd.values.push_back(compare_value(name, base, b, bt, bv, head, h, ht, hv));
                dd.values.back().currency = ht ? unnamed_currency(head, *ht, name) : unnamed_currency(base, *bt, name);
                value_awards(dd.values.back(), base, b, base_price, head, h, head_price);
            }
            out.push_back(std::move(dd));
        }
        return out;
    };
    r.directors = records(b.directors, base.director_outputs, h.directors, head.director_outputs);
    // The plans' further collections, matched by name.
    static const std::vector<DirectorOutcome> no_records;
    static const std::vector<std::uint32_t> no_outputs;
    auto other_named = [](const Plan& plan, const std::string& plural) -> std::optional<std::size_t> {
        for (std::size_t k = 0; k < plan.others.size(); ++k)
            if (plan.others[k].plural == plural) return k;
        return std::nullopt;
    };
    std::vector<std::string> plurals;
    for (const auto& o : base.others) plurals.push_back(o.plural);
    for (const auto& o : head.others)
        if (std::find(plurals.begin(), plurals.end(), o.plural) == plurals.end()) plurals.push_back(o.plural);
    for (const auto& plural : plurals) {
        auto bk = other_named(base, plural);
        auto hk = other_named(head, plural);
        CollectionDiff c;
        c.plural = plural;
        c.noun = hk ? head.others[*hk].noun : base.others[*bk].noun;
        c.records = records(bk ? b.others[*bk].records : no_records, bk ? base.other_outputs[*bk] : no_outputs,
                            hk ? h.others[*hk].records : no_records, hk ? head.other_outputs[*hk] : no_outputs);
        if (!(bk ? base.other_outputs[*bk] : no_outputs).empty() || !(hk ? head.other_outputs[*hk] : no_outputs).empty())
            r.others.push_back(std::move(c));
    }

    // Plan-wide outputs (the year is the heading, not a total).
    const Positions base_total_at(base, base.plan_outputs), head_total_at(head, head.plan_outputs);
    for (const auto& name : merge_names(slot_names(base, base.plan_outputs), slot_names(head, head.plan_outputs))) {
        if (name == "fiscal_year") continue;
        auto bi = base_total_at.of(name);
        auto hi = head_total_at.of(name);
        const Type* bt = bi ? &base.slots[base.plan_outputs[*bi]].type : nullptr;
        const Type* ht = hi ? &head.slots[head.plan_outputs[*hi]].type : nullptr;
        r.totals.push_back(compare_value(name, base, b, bt, bi ? &b.plan_outputs[*bi] : nullptr, head, h, ht,
                                         hi ? &h.plan_outputs[*hi] : nullptr));
    }

    // Limits, matched by name.
    std::vector<std::string> base_limits, head_limits;
    for (const auto& l : b.limits) base_limits.push_back(base.limits[l.limit].name);
    for (const auto& l : h.limits) head_limits.push_back(head.limits[l.limit].name);
    for (const auto& name : merge_names(base_limits, head_limits)) {
        LimitDiff ld;
        ld.name = name;
        for (const auto& l : b.limits)
            if (base.limits[l.limit].name == name) ld.base = limit_side(base, b, l);
        for (const auto& l : h.limits)
            if (head.limits[l.limit].name == name) ld.head = limit_side(head, h, l);
        ld.changed = ld.base.present != ld.head.present || ld.base.value.exact != ld.head.value.exact ||
                     ld.base.bound.exact != ld.head.bound.exact || ld.base.status != ld.head.status ||
                     ld.base.factor != ld.head.factor;
        r.limits.push_back(std::move(ld));
    }

    // Violations: the same rule, director and message on both sides is one line.
    auto key = [](const Violation& v) { return v.rule + "\x1f" + v.director + "\x1f" + v.message; };
    std::set<std::string> in_head;
    for (const auto& v : h.violations) in_head.insert(key(v));
    std::set<std::string> in_base;
    for (const auto& v : b.violations) {
        in_base.insert(key(v));
        auto side = in_head.count(key(v)) ? ViolationLine::Side::both : ViolationLine::Side::base;
        r.violations.push_back({side, v.rule, v.director, v.message});
    }
    for (const auto& v : h.violations)
        if (!in_base.count(key(v))) r.violations.push_back({ViolationLine::Side::head, v.rule, v.director, v.message});
    return r;
}

}  // namespace hoshu::eval
