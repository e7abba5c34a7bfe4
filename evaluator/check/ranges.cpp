// What is known of a number before anything runs (an interval, either end possibly
// unknown), and the declared range checks it proves cannot fail, dropped.
#include "evaluator/check/checker.hpp"

#include <algorithm>



namespace hoshu::eval {

Checker::Interval Checker::slot_bounds(std::uint32_t s) {
    if (slot_bounds_[s]) return *slot_bounds_[s];
    if (bounding_[s]) return {};
    bounding_[s] = 1;
    const Slot& sl = plan_.slots[s];
    Interval out;
    if (sl.type.kind == Kind::number) {
        switch (sl.kind) {
            case SlotKind::param:
                if (sl.versions.size() == 1 && !sl.versions[0].from) out = bounds(sl.versions[0].node);
                break;
            case SlotKind::input:
                // Checked on every read, overrides included; a default may lie outside.
                if (sl.input.default_node == none) {
                    if (sl.input.low) out.lo = sl.input.low->number;
                    if (sl.input.high) out.hi = sl.input.high->number;
                }
                break;
            case SlotKind::value:
            case SlotKind::output:
                // A declared range holds (it is checked, or proven): the formula's bounds, narrowed.
                out = bounds(sl.checked != none ? sl.checked : sl.root);
                break;
        }
        if (scaled_[s]) {
            // Scaled pro rata by a factor below 1, then rounded: towards 0 from a value that
            // is not negative, and no more is known.
            const bool non_negative = out.lo && out.lo->sign() >= 0;
            out = {};
            if (non_negative) out.lo = Rational();
        }
    }
    bounding_[s] = 0;
    slot_bounds_[s] = out;
    return out;
}

Checker::Interval Checker::bounds(std::uint32_t n) {
    if (n == none) return {};
    const Node& node = plan_.nodes[n];
    if (node.type.kind != Kind::number) return {};
    auto at_least_zero = [](const Interval& i) { return i.lo && i.lo->sign() >= 0; };
    auto lower = [](const std::optional<Rational>& a, const std::optional<Rational>& b) -> std::optional<Rational> {
        if (!a || !b) return std::nullopt;
        return *a < *b ? *a : *b;
    };
    auto upper = [](const std::optional<Rational>& a, const std::optional<Rational>& b) -> std::optional<Rational> {
        if (!a || !b) return std::nullopt;
        return *a < *b ? *b : *a;
    };
    Interval out;
    switch (node.kind) {
        case NodeKind::constant:
            out.lo = out.hi = plan_.constants[node.aux].number;
            break;
        case NodeKind::slot: out = slot_bounds(node.aux); break;
        case NodeKind::last_before:
        case NodeKind::product:
        case NodeKind::count: out.lo = Rational(); break;   // series entries are positive
        case NodeKind::neg: {
            Interval a = bounds(node.a);
            if (a.hi) out.lo = -*a.hi;
            if (a.lo) out.hi = -*a.lo;
            break;
        }
        case NodeKind::add:
        case NodeKind::sub: {
            Interval a = bounds(node.a), b = bounds(node.b);
            const bool add = node.kind == NodeKind::add;
            const auto& blo = add ? b.lo : b.hi;
            const auto& bhi = add ? b.hi : b.lo;
            if (a.lo && blo) out.lo = add ? *a.lo + *blo : *a.lo - *blo;
            if (a.hi && bhi) out.hi = add ? *a.hi + *bhi : *a.hi - *bhi;
            break;
        }
        case NodeKind::mul: {
            Interval a = bounds(node.a), b = bounds(node.b);
            if (at_least_zero(a) && at_least_zero(b)) {
                out.lo = *a.lo * *b.lo;
                if (a.hi && b.hi) out.hi = *a.hi * *b.hi;
            }
            break;
        }
        case NodeKind::div: {
            // A quotient that does not fail has a divisor other than 0.
            Interval a = bounds(node.a), b = bounds(node.b);
            if (at_least_zero(a) && at_least_zero(b)) out.lo = Rational();
            break;
        }
        case NodeKind::if_: {
            Interval b = bounds(node.b), c = bounds(node.c);
            out.lo = lower(b.lo, c.lo);
            out.hi = upper(b.hi, c.hi);
            break;
        }
        case NodeKind::min:
        case NodeKind::max: {
            const bool is_min = node.kind == NodeKind::min;
            for (std::uint32_t i = 0; i < node.args_count; ++i) {
                Interval a = bounds(plan_.args[node.args_begin + i]);
                if (i == 0) {
                    out = a;
                } else if (is_min) {
                    out.lo = lower(out.lo, a.lo);
                    out.hi = !out.hi ? a.hi : !a.hi ? out.hi : lower(out.hi, a.hi);
                } else {
                    out.lo = !out.lo ? a.lo : !a.lo ? out.lo : upper(out.lo, a.lo);
                    out.hi = upper(out.hi, a.hi);
                }
            }
            break;
        }
        case NodeKind::clamp: {
            Interval a = bounds(node.a), lo = bounds(node.b), hi = bounds(node.c);
            out.lo = lo.lo ? lo.lo : a.lo;
            out.hi = hi.hi ? hi.hi : a.hi;
            break;
        }
        case NodeKind::round: {
            Interval a = bounds(node.a);
            const Rational& unit = plan_.constants[node.aux].number;
            if (a.lo) out.lo = a.lo->round_to(RoundingMode::down, unit);
            if (a.hi) out.hi = a.hi->round_to(RoundingMode::up, unit);
            break;
        }
        case NodeKind::table: {
            const Table& t = plan_.tables[node.aux];
            for (std::size_t i = 0; i < t.rows.size(); ++i) {
                const TableRow& r = t.rows[i];
                Rational lo = r.value, hi = r.value;
                if (r.linear) {
                    if (r.value_to < lo) lo = r.value_to;
                    if (hi < r.value_to) hi = r.value_to;
                }
                out.lo = i == 0 ? std::optional<Rational>(lo) : lower(out.lo, lo);
                out.hi = i == 0 ? std::optional<Rational>(hi) : upper(out.hi, hi);
            }
            break;
        }
        case NodeKind::sum: {
            if (at_least_zero(bounds(node.a))) out.lo = Rational();
            break;
        }
        case NodeKind::within: {
            out = bounds(node.a);
            Interval lo = bounds(node.b), hi = bounds(node.c);
            if (node.b != none && lo.lo) out.lo = out.lo ? upper(out.lo, lo.lo) : lo.lo;
            if (node.c != none && hi.hi) out.hi = out.hi ? lower(out.hi, hi.hi) : hi.hi;
            break;
        }
        // Nothing known: what is not a number (returned above), and the numbers below.
        case NodeKind::min_over:
        case NodeKind::max_over:
        case NodeKind::mean_over:
        case NodeKind::product_over:
        case NodeKind::rank_over:
        case NodeKind::percentile_over:
        case NodeKind::months_inclusive:
        case NodeKind::date_calc:
        case NodeKind::series_window:
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
        case NodeKind::and_:
        case NodeKind::or_:
        case NodeKind::not_:
        case NodeKind::is:
        case NodeKind::year_before:
        case NodeKind::last_date:
        case NodeKind::present: break;
    }
    return out;
}

void Checker::drop_proven_range_checks() {
    slot_bounds_.assign(plan_.slots.size(), std::nullopt);
    bounding_.assign(plan_.slots.size(), 0);
    scaled_.assign(plan_.slots.size(), 0);
    for (const Limit& l : plan_.limits) {
        if (l.allocation)
            for (std::uint32_t s : l.allocation->outputs) scaled_[s] = 1;
    }
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        Slot& sl = plan_.slots[s];
        if (sl.checked == none || sl.type.kind != Kind::number) continue;
        Node& w = plan_.nodes[sl.checked];
        const Interval f = bounds(w.a);
        auto constant = [&](std::uint32_t e) -> std::optional<Rational> {
            if (e == none || plan_.nodes[e].kind != NodeKind::constant) return std::nullopt;
            return plan_.constants[plan_.nodes[e].aux].number;
        };
        if (auto lo = constant(w.b); lo && f.lo && !(*f.lo < *lo)) w.b = none;
        if (auto hi = constant(w.c); hi && f.hi && !(*hi < *f.hi)) w.c = none;
        if (w.b == none && w.c == none) sl.checked = none;
    }
}

namespace {

bool is_integer(const Rational& r) { return r.is_integer(); }

/// The unit of `t` when `t` is exactly one unit counted whole (`shares`, `unit PSU … whole`);
/// with `read`, a currency whose minor amount is 1 too (an input of it is read whole).
const UnitDef* whole_unit(const Plan& plan, const Type& t, bool read) {
    auto u = single_unit(t);
    if (!u) return nullptr;
    const UnitDef& unit = plan.units[*u];
    if (unit.whole || (read && unit.minor && *unit.minor == Rational(1))) return &unit;
    return nullptr;
}

bool is_count(const Type& t) { return t.dimensionless() && t.style == RatioStyle::count; }

}  // namespace

bool Checker::whole_slot(std::uint32_t s) {
    std::int8_t& known = whole_slots_[s];
    if (known == 0 || known == 1) return known == 1;
    if (known == 2) return false;   // a cycle: reported elsewhere
    known = 2;
    const Slot& sl = plan_.slots[s];
    bool out = false;
    if (sl.type.kind == Kind::number) {
        switch (sl.kind) {
            case SlotKind::param:
                out = !sl.versions.empty();
                for (const auto& v : sl.versions) out = out && whole(v.node);
                break;
            case SlotKind::input:
                // Read and checked whole when its type is exactly a whole unit (or a count);
                // a default is the default's formula.
                out = (is_count(sl.type) || whole_unit(plan_, sl.type, true)) &&
                      (sl.input.default_node == none || whole(sl.input.default_node));
                break;
            case SlotKind::value: out = whole(sl.root); break;
            // An output declared in a unit counted whole (or a count) is whole where it is
            // read: check_whole_outputs() holds its own formula to that, so an unrounded one
            // is one error, not one more at every output that reads it.
            case SlotKind::output:
                out = is_count(sl.type) || whole_unit(plan_, sl.type, false) ? true : whole(sl.root);
                break;
        }
        // Scaled pro rata, it is rounded to the allocation's unit: check_whole_outputs() holds
        // that unit to whole units, at the limit.
    }
    known = out ? 1 : 0;
    return out;
}

bool Checker::whole(std::uint32_t n) {
    if (n == none) return false;
    const Node& node = plan_.nodes[n];
    if (node.type.kind != Kind::number) return false;
    auto all_args = [&] {
        for (std::uint32_t i = 0; i < node.args_count; ++i)
            if (!whole(plan_.args[node.args_begin + i])) return false;
        return node.args_count > 0;
    };
    switch (node.kind) {
        case NodeKind::constant: return is_integer(plan_.constants[node.aux].number);
        case NodeKind::slot: return whole_slot(node.aux);
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul: return whole(node.a) && whole(node.b);
        case NodeKind::div: {
            // A change of unit (`pay / 1 yen * 1 share`): a quotient by a constant 1 or -1.
            if (node.b == none || plan_.nodes[node.b].kind != NodeKind::constant) return false;
            const Node& d = plan_.nodes[node.b];
            const Rational& q = plan_.constants[d.aux].number;
            return (q == Rational(1) || q == Rational(-1)) && whole(node.a);
        }
        case NodeKind::neg:
        case NodeKind::within:
        case NodeKind::sum:
        case NodeKind::min_over:
        case NodeKind::max_over: return whole(node.a);
        case NodeKind::if_: return whole(node.b) && whole(node.c);
        case NodeKind::min:
        case NodeKind::max: return all_args();
        case NodeKind::clamp: return whole(node.a) && whole(node.b) && whole(node.c);
        case NodeKind::round: return is_integer(plan_.constants[node.aux].number);
        case NodeKind::table: {
            const Table& t = plan_.tables[node.aux];
            for (const auto& r : t.rows)
                if (!is_integer(r.value) || (r.linear && !(r.value == r.value_to))) return false;
            return !t.rows.empty();
        }
        case NodeKind::count:
        case NodeKind::rank_over:
        case NodeKind::months_inclusive: return true;
        // An entry of a series of a whole unit (checked whole when read), or a sum of them.
        case NodeKind::last_before: {
            const Series& sr = plan_.series[node.aux];
            return is_count(sr.type) || whole_unit(plan_, sr.type, true);
        }
        case NodeKind::series_window: {
            const Series& sr = plan_.series[node.aux];
            return node.window != WindowOp::mean && node.window != WindowOp::last_date &&
                   (is_count(sr.type) || whole_unit(plan_, sr.type, true));
        }
        case NodeKind::date_calc:
            return static_cast<DateOp>(node.aux) == DateOp::days_between ||
                   static_cast<DateOp>(node.aux) == DateOp::months_between;
        // Not known to be whole: a mean or percentile, a series' entries, and what is not a
        // number (returned above).
        case NodeKind::mean_over:
        case NodeKind::percentile_over:
        case NodeKind::product:
        case NodeKind::product_over:
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
        case NodeKind::and_:
        case NodeKind::or_:
        case NodeKind::not_:
        case NodeKind::is:
        case NodeKind::year_before:
        case NodeKind::last_date:
        case NodeKind::present: return false;
    }
    return false;
}

void Checker::check_whole_outputs() {
    whole_slots_.assign(plan_.slots.size(), -1);
    for (const Limit& l : plan_.limits) {
        if (!l.allocation || is_integer(l.allocation->unit)) continue;
        for (std::uint32_t s : l.allocation->outputs) {
            const Slot& sl = plan_.slots[s];
            const UnitDef* counted = whole_unit(plan_, sl.type, false);
            if (!counted && !is_count(sl.type)) continue;
            auto& d = counted ? diags_.error(l.name_range,
                                             "`{}` rounds `{}` to {} {} when it scales it, but {} are counted whole",
                                             l.name, sl.name, l.allocation->unit.to_string(), counted->name,
                                             counted->name)
                              : diags_.error(l.name_range,
                                             "`{}` rounds `{}` to {} when it scales it, but a count is a whole number",
                                             l.name, sl.name, l.allocation->unit.to_string());
            d.hint = counted ? fmt::format("round to whole units, as in: round down to 1 {}", counted->singular)
                             : std::string("round to whole numbers, as in: round down to 1");
            break;
        }
    }
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        const Slot& sl = plan_.slots[s];
        if (sl.kind != SlotKind::output || sl.type.kind != Kind::number || sl.root == none) continue;
        const UnitDef* counted = whole_unit(plan_, sl.type, false);
        if (!counted && !is_count(sl.type)) continue;
        if (whole(sl.root)) continue;
        if (!counted) {
            auto& d = diags_.error(plan_.nodes[sl.root].range,
                                   "`{}` is a count, a whole number, but its formula can give a fraction", sl.name);
            d.hint = "say how the plan rounds it, as in: round down(…, 1)";
            continue;
        }
        auto& d = diags_.error(plan_.nodes[sl.root].range,
                               "`{}` is in {}, counted whole, but its formula can give a part of a {}", sl.name,
                               counted->name, counted->singular);
        d.hint = fmt::format("say how the plan rounds it, as in: round down(…, 1 {})", counted->singular);
    }
}

}  // namespace hoshu::eval
