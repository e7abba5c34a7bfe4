// Lints: warnings with a one-line hint (`hoshu check --strict` makes them errors) — weights
// that do not add up to 100%, monotone tables that drop or jump, definitions never used,
// inputs without a declared range, and (strict) declarations that cite no clause.
#include "evaluator/check/checker.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"

namespace hoshu::eval {

void Checker::used_slots(std::uint32_t n, std::vector<bool>& used) const {
    if (n == none) return;
    const Node& node = plan_.nodes[n];
    if (traits(node.kind).reads_slot) used[node.aux] = true;
    for_each_child(plan_, node, [&](std::uint32_t child) { used_slots(child, used); });
}

/// A weighted sum — `30% * a + 30% * b + 15% * c + 25% * d` — whose weights (percent
/// constants or percent params) do not add up to 100%.
void Checker::lint_weights(std::uint32_t n, std::set<std::uint32_t>& seen) {
    if (n == none || !seen.insert(n).second) return;
    const Node& node = plan_.nodes[n];
    if (node.kind == NodeKind::add) {
        std::vector<std::uint32_t> terms;
        std::function<void(std::uint32_t)> flatten = [&](std::uint32_t t) {
            if (plan_.nodes[t].kind == NodeKind::add) {
                seen.insert(t);
                flatten(plan_.nodes[t].a);
                flatten(plan_.nodes[t].b);
            } else {
                terms.push_back(t);
            }
        };
        flatten(n);
        // A weight's value on a day: a dated param's version in force then (none: the first).
        auto weight_of = [&](std::uint32_t t, const std::optional<Date>& on) -> std::optional<Rational> {
            const Node& m = plan_.nodes[t];
            if (m.kind != NodeKind::mul) return std::nullopt;
            for (std::uint32_t f : {m.a, m.b}) {
                const Node& factor = plan_.nodes[f];
                if (!factor.type.dimensionless() || factor.type.style != RatioStyle::percent) continue;
                if (traits(factor.kind).reads_slot && factor.aux < plan_.slots.size() &&
                    plan_.slots[factor.aux].kind == SlotKind::param && plan_.slots[factor.aux].versions.size() > 1) {
                    const ParamVersion* in_force = nullptr;
                    for (const auto& v : plan_.slots[factor.aux].versions)
                        if (!v.from || (on && *v.from <= *on))
                            if (!in_force || (v.from && (!in_force->from || *in_force->from < *v.from))) in_force = &v;
                    if (in_force == nullptr) return std::nullopt;
                    if (auto v = fold(in_force->node)) return v->number;
                    continue;
                }
                if (auto v = fold(f)) return v->number;
            }
            return std::nullopt;
        };
        // The days the weights change: each dated version's first day, and before them all.
        std::set<Date> changes;
        for (std::uint32_t t : terms) {
            const Node& m = plan_.nodes[t];
            if (m.kind != NodeKind::mul) continue;
            for (std::uint32_t f : {m.a, m.b}) {
                const Node& factor = plan_.nodes[f];
                if (traits(factor.kind).reads_slot && factor.aux < plan_.slots.size() &&
                    plan_.slots[factor.aux].kind == SlotKind::param)
                    for (const auto& v : plan_.slots[factor.aux].versions)
                        if (v.from) changes.insert(*v.from);
            }
        }
        std::vector<std::optional<Date>> days{std::nullopt};
        days.insert(days.end(), changes.begin(), changes.end());
        for (const auto& on : days) {
            Rational total;
            bool all = terms.size() >= 2;
            for (std::uint32_t t : terms) {
                auto w = weight_of(t, on);
                if (!w) {
                    all = false;
                    break;
                }
                total += *w;
            }
            if (!all || total == Rational(1)) continue;
            auto& d = diags_.warning(node.range, "the weights of this weighted sum add up to {}%{}, not 100%",
                                     (total * Rational(100)).to_string(),
                                     on ? fmt::format(" from {}", on->to_string()) : std::string());
            d.hint = "check each weight against the policy, or write the parts that are not weights without a percent";
            break;
        }
        for (std::uint32_t t : terms) lint_weights(t, seen);
        return;
    }
    for_each_child(plan_, node, [&](std::uint32_t child) { lint_weights(child, seen); });
}

/// A `monotone` table must never decrease, and its linear segments must join without a
/// jump (a step up from a constant row, such as a threshold, is deliberate). Values are
/// shown in the table's unit: 150%, not 1.5.
void Checker::lint_table(const Table& t) {
    const bool percent = t.result_type.dimensionless() && t.result_type.style == RatioStyle::percent;
    auto shown = [&](const Rational& x) { return percent ? (x * Rational(100)).to_string() + "%" : x.to_string(); };
    std::vector<const TableRow*> rows;
    for (const auto& r : t.rows) rows.push_back(&r);
    std::sort(rows.begin(), rows.end(), [](const TableRow* a, const TableRow* b) {
        if (!a->low) return b->low.has_value();
        if (!b->low) return false;
        return *a->low < *b->low;
    });
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const TableRow& r = *rows[i];
        if (r.linear && r.value_to < r.value) {
            auto& d = diags_.warning(r.range, "table `{}` is declared monotone, but this row decreases", t.name);
            d.hint = "a monotone payout curve never goes down as its argument goes up";
        }
        if (i == 0) continue;
        const TableRow& p = *rows[i - 1];
        Rational end = p.linear ? p.value_to : p.value;
        if (r.value < end) {
            auto& d = diags_.warning(r.range, "table `{}` is declared monotone, but it drops from {} to {} here",
                                     t.name, shown(end), shown(r.value));
            d.hint = "a monotone payout curve never goes down as its argument goes up";
        } else if (r.value != end && p.linear) {
            auto& d = diags_.warning(r.range, "table `{}` jumps from {} to {} here", t.name, shown(end),
                                     shown(r.value));
            d.hint = "make the rows meet, or drop `monotone` if the jump is meant";
        }
    }
}

std::string Checker::range_example(const Type& t) const {
    // In the input's own unit: a yen range suggested for a count of shares is a unit error.
    if (t.kind == Kind::date) return "range 2000-01-01 to 2100-12-31";
    const std::string unit = plan_.type_name(t);
    if (unit == "JPY") return "range ¥0 to ¥100,000,000";
    if (unit == "percent") return "range 0% to 100%";
    // A ratio is a fraction (0.5 is 50%): `range 0 to 100` would allow 10000%.
    if (unit == "ratio") return "range 0 to 1";
    if (unit == "count") return "range 0 to 100";
    return fmt::format("range 0 {0} to 100 {0}", unit);
}

/// Whether the input `sl` is one its plan's reader of the records at `path` reads from
/// their key `key` (what a `carry` of those records writes).
bool Checker::reads_carried(const Slot& sl, const std::string& path, const std::string& key) const {
    for (auto [spec, scope] : {std::pair{&plan_.grants, Scope::grant}, std::pair{&plan_.directors, Scope::director}}) {
        if (!spec->declared || spec->input.absolute || spec->input.path_text != path || sl.scope != scope) continue;
        const InputSpec& in = sl.input;
        if (!in.absolute && in.path.size() == 1 && in.path[0].slot == none && !in.path[0].index &&
            in.path[0].key == key)
            return true;
    }
    return false;
}

void Checker::lint_optional_reads(std::uint32_t root, std::set<std::uint32_t>& warned) {
    if (root == none) return;
    // The reads of optional inputs in the formula, and in every value it always evaluates, in
    // its scope or another (`sum of g over grants` evaluates the `per grant` value g for every
    // grant, and g may read its person's inputs). A value read only under a condition — a
    // branch of an `if`, the right of `and`/`or`, the values of a `where` — is not entered:
    // that condition may be the guard (`if is_retired then … months_worked …`, where a
    // requirement ties the departure to its date), as for a value nothing reads.
    std::vector<std::uint32_t> reads;
    std::vector<std::pair<std::uint32_t, bool>> stack{{root, false}};   // (node, under a condition)
    std::set<std::pair<std::uint32_t, bool>> visited;
    while (!stack.empty()) {
        auto [n, conditional] = stack.back();
        stack.pop_back();
        if (n == none || !visited.insert({n, conditional}).second) continue;
        const Node& node = plan_.nodes[n];
        if (node.kind == NodeKind::present) continue;
        if (node.kind == NodeKind::slot) {
            const Slot& sl = plan_.slots[node.aux];
            if (sl.kind == SlotKind::input && sl.input.optional && sl.input.default_node == none) reads.push_back(n);
            if (sl.kind == SlotKind::value && !conditional) stack.emplace_back(sl.root, false);
            continue;
        }
        const bool lazy_b = node.kind == NodeKind::if_ || node.kind == NodeKind::and_ || node.kind == NodeKind::or_;
        const bool filtered = traits(node.kind).aggregate && node.b != none;
        if (node.a != none) stack.emplace_back(node.a, conditional || filtered);
        if (node.b != none) stack.emplace_back(node.b, conditional || lazy_b);
        if (node.c != none) stack.emplace_back(node.c, conditional || node.kind == NodeKind::if_);
        for (std::uint32_t i = 0; i < node.args_count; ++i)
            stack.emplace_back(plan_.args[node.args_begin + i], conditional);
    }
    // The optional inputs tested with present(…) there, or in any value it reads (`if
    // left_early then … left_on …`, where `left_early` tests present(left_on)).
    std::set<std::uint32_t> tested;
    std::set<std::uint32_t> seen_nodes;
    std::vector<std::uint32_t> more{root};
    while (!more.empty()) {
        std::uint32_t n = more.back();
        more.pop_back();
        if (n == none || !seen_nodes.insert(n).second) continue;
        const Node& node = plan_.nodes[n];
        if (node.kind == NodeKind::present) tested.insert(node.aux);
        if (node.kind == NodeKind::slot) {
            const Slot& sl = plan_.slots[node.aux];
            if (sl.kind == SlotKind::value) more.push_back(sl.root);
            continue;
        }
        for_each_child(plan_, node, [&](std::uint32_t child) { more.push_back(child); });
    }
    // One warning per input for each formula, and one per place that reads it for the plan
    // (a value read by several outputs is warned about once).
    std::set<std::uint32_t> named;
    std::sort(reads.begin(), reads.end());
    for (std::uint32_t n : reads) {
        const std::uint32_t s = plan_.nodes[n].aux;
        if (tested.count(s) || named.count(s) || !warned.insert(n).second) continue;
        named.insert(s);
        const std::string& name = plan_.slots[s].name;
        auto& d = diags_.warning(plan_.nodes[n].range,
                                 "`{}` is optional, and this reads it without testing `present({})`: a record that "
                                 "lacks it fails here",
                                 name, name);
        d.hint = fmt::format("as in: if present({}) then … else …; or give the input a `default`", name);
    }
}

void Checker::lint() {
    // Optional inputs read where nothing tests that they are there. Outputs, limits and
    // requirements are evaluated for every record, with the values they always read.
    std::set<std::uint32_t> warned_reads;
    for (const auto& s : plan_.slots)
        if (s.kind == SlotKind::output) lint_optional_reads(s.root, warned_reads);
    for (const auto& l : plan_.limits) lint_optional_reads(l.value, warned_reads);
    for (const auto& r : plan_.requirements) lint_optional_reads(r.condition, warned_reads);
    // Weighted sums.
    std::set<std::uint32_t> seen;
    for (const auto& s : plan_.slots) lint_weights(s.root, seen);
    // Tables.
    for (const auto& t : plan_.tables) {
        if (t.monotone) lint_table(t);
    }
    // Unused params, inputs and definitions: used by an output, a limit, a requirement,
    // a test, an input path or the `as of` date, directly or through others.
    std::vector<bool> used(plan_.slots.size(), false);
    std::vector<std::uint32_t> stack;
    auto mark = [&](std::uint32_t s) {
        if (!used[s]) {
            used[s] = true;
            stack.push_back(s);
        }
    };
    std::vector<bool> direct(plan_.slots.size(), false);
    for (const auto& l : plan_.limits) {
        used_slots(l.value, direct);
        used_slots(l.bound, direct);
    }
    for (const auto& r : plan_.requirements) {
        used_slots(r.condition, direct);
        for (const auto& m : r.message_slots) direct[m.second] = true;
    }
    for (const auto& t : plan_.tests) {
        for (const auto& e : t.expectations) {
            if (e.slot != none) direct[e.slot] = true;
        }
    }
    for (const auto& s : plan_.series) {
        for (const auto& step : s.input.path) {
            if (step.slot != none) direct[step.slot] = true;
        }
    }
    if (plan_.as_of_slot != none) direct[plan_.as_of_slot] = true;
    // A `carry` reads its conditions and fields, and each field it writes is read back by
    // an input or info of the records' reader: removing either breaks the carry.
    for (const auto& carry : plan_.carries) {
        for (const auto& cl : carry.clauses) {
            used_slots(cl.where, direct);
            for (const auto& f : cl.fields) {
                used_slots(f.node, direct);
                for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
                    const Slot& sl = plan_.slots[s];
                    if (sl.kind == SlotKind::input && reads_carried(sl, carry.path, f.name)) direct[s] = true;
                }
            }
        }
    }
    for (std::uint32_t n : constant_nodes_) used_slots(n, direct);
    // The exports read a plan-wide grant date and grant-time price by name: used whenever
    // they are there.
    auto read_by_name = [](const Slot& sl) {
        return sl.scope == Scope::plan && (sl.name == grant_date_name || sl.name == grant_price_name);
    };
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        const Slot& sl = plan_.slots[s];
        // A plan-wide text input `fiscal_year` names the year of every result (as an output would).
        const bool year = sl.name == "fiscal_year" && sl.kind == SlotKind::input && sl.scope == Scope::plan &&
                          sl.type.kind == Kind::text;
        // An input whose declared range reads other definitions is a check of the inputs (a
        // deduction's month within the offering): used, as what its range reads is.
        const bool check = sl.kind == SlotKind::input && (sl.input.low_node != none || sl.input.high_node != none);
        if (direct[s] || sl.kind == SlotKind::output || year || read_by_name(sl) || check) mark(s);
    }
    // A param's every dated version and an input's default and range count too: collect their
    // references once, then follow everything from the roots.
    std::vector<std::vector<std::uint32_t>> extra(plan_.slots.size());
    {
        std::vector<bool> scratch(plan_.slots.size(), false);
        for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
            const Slot& sl = plan_.slots[s];
            if (sl.versions.size() <= 1 && sl.input.default_node == none && sl.input.low_node == none &&
                sl.input.high_node == none)
                continue;
            std::fill(scratch.begin(), scratch.end(), false);
            for (const auto& v : sl.versions) used_slots(v.node, scratch);
            used_slots(sl.input.default_node, scratch);
            used_slots(sl.input.low_node, scratch);
            used_slots(sl.input.high_node, scratch);
            for (std::uint32_t t = 0; t < scratch.size(); ++t) {
                if (scratch[t]) extra[s].push_back(t);
            }
        }
    }
    while (!stack.empty()) {
        std::uint32_t s = stack.back();
        stack.pop_back();
        for (const auto& [t, where] : deps_[s]) mark(t);
        for (std::uint32_t t : extra[s]) mark(t);
    }
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        const Slot& sl = plan_.slots[s];
        if (!used[s]) {
            const char* what = sl.kind == SlotKind::param ? "param" : sl.kind == SlotKind::input ? "input" : "value";
            auto& d = diags_.warning(sl.name_range, "{} `{}` is never used", what, sl.name);
            d.hint = "no output, limit, requirement or test depends on it: remove it, or use it";
        }
        const bool ranged = sl.input.low || sl.input.high || sl.input.low_node != none || sl.input.high_node != none;
        if (sl.kind == SlotKind::input && (sl.type.is_number() || sl.type.kind == Kind::date) && !ranged) {
            auto& d = diags_.warning(sl.name_range, "input `{}` has no declared range", sl.name);
            d.hint = fmt::format("add one, as in: {}, so that a wrong figure is caught when it is read",
                                 range_example(sl.type));
        }
        if (options_.strict && sl.kind != SlotKind::input && sl.sources.empty()) {
            auto& d = diags_.warning(sl.name_range, "`{}` cites no clause", sl.name);
            d.hint = "add a `source CLAUSE \"quoted text\"` line under it";
        }
    }
    // Two tests of one title: their results cannot be told apart but by line.
    for (std::size_t i = 0; i < plan_.tests.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (plan_.tests[j].title == plan_.tests[i].title) {
                auto& d = diags_.warning(plan_.tests[i].range, "two tests are titled \"{}\"", plan_.tests[i].title);
                d.hint = "give each test a title of its own: `hoshu test` reports them by title";
                break;
            }
    // A strict limit allocated pro rata: scaling brings the total down to the bound, which
    // `<` does not allow — still violated whenever it lands on the bound exactly.
    for (const auto& l : plan_.limits) {
        if (!l.strict || !l.allocation) continue;
        auto& d = diags_.warning(l.name_range,
                                 "limit `{}` is strict (`<`) and allocated pro rata: scaling brings the total down to "
                                 "the bound, which `<` does not allow, so the limit stays violated whenever the "
                                 "scaled total lands on the bound exactly",
                                 l.name);
        d.hint = "write `<=` if the bound itself is allowed";
    }
    if (options_.strict) {
        for (const auto& t : plan_.tables) {
            if (t.sources.empty()) diags_.warning(t.name_range, "table `{}` cites no clause", t.name).hint =
                "add a `source CLAUSE \"quoted text\"` line under it";
        }
        for (const auto& l : plan_.limits) {
            if (l.sources.empty()) diags_.warning(l.name_range, "limit `{}` cites no clause", l.name).hint =
                "add a `source CLAUSE \"quoted text\"` line under it";
        }
    }
}

}  // namespace hoshu::eval
