// The bodies of declarations: params (dated values), inputs and infos (paths, ranges,
// defaults), values and outputs (formulas, declared ranges), limits, requirements, tests.
#include "evaluator/check/checker.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <fmt/format.h>

#include "dsl/base/unicode.hpp"
#include "evaluator/numbers/number_text.hpp"

namespace hoshu::eval {

namespace {

namespace fs = std::filesystem;

/// The comparison at the top of an expression, if it is one: `a <= b`.
const ast::Expression* top_comparison(const ast::Expression& e) {
    if (e.rest.size() == 1 && !e.rest[0].op.empty()) {
        const std::string& op = e.rest[0].op;
        if (op == "<=" || op == "<" || op == ">=" || op == ">" || op == "==" || op == "!=") return &e;
    }
    if (e.rest.empty()) {
        if (auto const* inner = boost::get<x3::forward_ast<ast::Expression>>(&e.first.get()))
            return top_comparison(inner->get());
    }
    return nullptr;
}

/// Compare two values of a number or date type.
int compare_values(const Type& t, const Value& a, const Value& b) {
    if (t.kind == Kind::number) return a.number < b.number ? -1 : b.number < a.number ? 1 : 0;
    return a.word < b.word ? -1 : a.word > b.word ? 1 : 0;
}

}  // namespace

std::uint32_t Checker::compile_expected(const ast::Expression& e, const Ctx& c, const Type& want,
                                        const std::string& what, const char* role) {
    if (auto member = choice_member(e, c.file, want)) return *member;
    std::uint32_t n = compile(e, wanting(c, e, want));
    warn_bare_percent(n, want, role);
    return expect_type(n, want, what);
}

void Checker::compile_slot(const Entry& e) {
    auto index = static_cast<std::uint32_t>(&e - slot_entries_.data());
    Ctx c{e.file, e.scope, index, false};
    const auto& d = e.decl->get();
    Slot& s = plan_.slots[index];
    const std::string what = fmt::format("`{}`", s.name);
    // One case per kind of definition: a new kind must say how its body is compiled.
    switch (s.kind) {
        case SlotKind::param: {
            auto const* p = &boost::get<ast::ParamDecl>(d);
            std::optional<Date> previous;
            for (std::size_t i = 0; i < p->values.size(); ++i) {
                const auto& pv = p->values[i];
                ParamVersion version;
                if (pv.from) {
                    version.from = Date::parse(pv.from->text);
                    if (!version.from) diags_.error(rng(e.file, *pv.from), "{}", no_such_date(pv.from->text));
                    else if (previous && *version.from <= *previous)
                        diags_.error(rng(e.file, *pv.from), "dated values must be in order, each later than the last");
                    if (version.from) previous = version.from;
                } else if (i > 0) {
                    diags_.error(rng(e.file, pv), "every value after the first needs `from DATE`");
                }
                version.node = compile_expected(pv.value, c, plan_.slots[index].type, what, "the value");
                plan_.slots[index].versions.push_back(version);
            }
            plan_.slots[index].formula = text_of(e.file, p->values.front().value);
            break;
        }
        case SlotKind::input: {
            auto const* in = &boost::get<ast::InputDecl>(d);
            Type t = s.type;
            InputSpec spec = input_path(e.file, in->path, e.scope, index);
            spec.optional = in->optional;
            if (in->optional && in->default_value)
                diags_.error(rng(e.file, *in->default_value),
                             "an input is either `optional` or has a `default`, not both");
            if (in->range) {
                RangeEnds ends = compile_range(*in->range, c, t, false);
                spec.low = std::move(ends.low);
                spec.high = std::move(ends.high);
                spec.low_node = ends.low_node;
                spec.high_node = ends.high_node;
                spec.range_text = text_of(e.file, *in->range);
                spec.range_named = ends.named;
            }
            if (in->default_value) {
                spec.default_node = compile_expected(*in->default_value, c, t, fmt::format("the default of `{}`", s.name),
                                                     "the default");
            }
            plan_.slots[index].input = std::move(spec);
            plan_.slots[index].formula = text_of(e.file, in->path);
            break;
        }
        case SlotKind::value:
        case SlotKind::output: {
            auto const* v = &boost::get<ast::ValueDecl>(d);
            std::uint32_t n = none;
            if (auto member = choice_member(v->value, e.file, plan_.slots[index].type)) n = *member;
            else n = compile(v->value, wanting(c, v->value, plan_.slots[index].type));
            plan_.slots[index].root = expect_type(n, plan_.slots[index].type, what);
            plan_.slots[index].formula = text_of(e.file, v->value);
            if (v->range) {
                const Type t = plan_.slots[index].type;
                RangeEnds ends = compile_range(*v->range, c, t, false);
                if (ends.ok && plan_.slots[index].root != none) {
                    // The formula, checked: a `within` node whose bounds are constants or
                    // formulas of their own.
                    auto end_node = [&](const std::optional<Value>& value, std::uint32_t node) {
                        return value ? constant(*value, t, rng(e.file, *v->range)) : node;
                    };
                    Node w;
                    w.kind = NodeKind::within;
                    w.a = plan_.slots[index].root;
                    w.b = end_node(ends.low, ends.low_node);
                    w.c = end_node(ends.high, ends.high_node);
                    w.aux = static_cast<std::uint32_t>(plan_.value_ranges.size());
                    w.type = t;
                    w.range = rng(e.file, *v->range);
                    plan_.value_ranges.push_back(ValueRange{index, text_of(e.file, *v->range), w.b, w.c, ends.named});
                    plan_.slots[index].checked = add_node(w);
                }
            }
            if (v->keyword == "output" && e.scope == Scope::grant) {
                // In the plan's own words: its collections are named by the plan.
                auto& d = diags_.error(s.name_range, "an output must be per {} or plan-wide; `{}` is per {}",
                                       plan_.directors.noun, s.name, plan_.grants.noun);
                d.hint = fmt::format("make it a `value` and report a total, as in: output total_{0}: … = sum of {0} "
                                     "over {2} (inside `per {1}`)",
                                     s.name, plan_.directors.noun, plan_.grants.plural);
            } else if (v->keyword == "output" && is_other(e.scope)) {
                plan_.other_outputs[other_index(e.scope)].push_back(index);
            } else if (v->keyword == "output") {
                (e.scope == Scope::director ? plan_.director_outputs : plan_.plan_outputs).push_back(index);
            }
            break;
        }
    }
}

Checker::RangeEnds Checker::compile_range(const ast::RangeSpec& r, const Ctx& c, const Type& t, bool constant_only) {
    RangeEnds out;
    const SourceRange where = rng(c.file, r);
    if (!t.is_number() && t.kind != Kind::date) {
        diags_.error(where, "only numbers and dates have a range, not {}", tname(t));
        out.ok = false;
        return out;
    }
    auto end = [&](const ast::Expression& x, const char* what, std::optional<Value>& value, std::uint32_t& node) {
        if (constant_only) {
            value = constant_of(x, c, t, what);
            out.ok = out.ok && value.has_value();
            return;
        }
        std::uint32_t n = compile(x, wanting(c, x, t));
        warn_bare_percent(n, t, what);
        n = expect_type(n, t, what);
        if (n == none) {
            out.ok = false;
            return;
        }
        constant_nodes_.push_back(n);   // params used in a range count as used
        if (auto v = fold(n)) {
            // (a name among what it reads: `-10%` folds too, but says its value already)
            auto names = [&](auto&& self, std::uint32_t k) -> bool {
                if (k == none) return false;
                const Node& x = plan_.nodes[k];
                return x.kind == NodeKind::slot || self(self, x.a) || self(self, x.b) || self(self, x.c);
            };
            out.named = out.named || names(names, n);
            value = std::move(*v);
        } else {
            node = n;
        }
    };
    if (r.low) end(*r.low, "the range's low end", out.low, out.low_node);
    if (r.high) end(*r.high, "the range's high end", out.high, out.high_node);
    if (out.low && out.high && compare_values(t, *out.low, *out.high) > 0) {
        diags_.error(where, "the range is empty: its low end is above its high end");
        out.ok = false;
    }
    return out;
}

void Checker::compile_info(const Entry& e, const ast::InputDecl& d, Info& info) {
    Ctx c{e.file, e.scope, none, false};
    info.input = input_path(e.file, d.path, e.scope, none);
    info.input.optional = true;
    if (d.optional) {
        diags_.error(rng(e.file, d.name), "an `info` key is always optional; drop `optional`");
    }
    if (d.default_value) {
        diags_.error(rng(e.file, *d.default_value), "an `info` key has no default: nothing computes with it");
    }
    if (d.range) {
        RangeEnds ends = compile_range(*d.range, c, info.type, true);
        info.input.low = std::move(ends.low);
        info.input.high = std::move(ends.high);
        info.input.range_text = text_of(e.file, *d.range);
    }
}

void Checker::compile_series(const Entry& e, const ast::SeriesDecl& s) {
    auto it = symbols_.find(s.name.text);
    if (it != symbols_.end() && it->second.kind == SymbolKind::series)
        plan_.series[it->second.index].input = input_path(e.file, s.path, Scope::plan, none);
}

void Checker::compile_collection(const Entry& e, const ast::CollectionDecl& dd) {
    if (e.scope != Scope::plan) diags_.error(rng(e.file, dd), "a `collection` cannot be inside a `per` block");
    const CollectionEntry* c = collection_named(dd.plural.text, true);
    if (c == nullptr || c->decl != &dd || !c->scope) return;   // a duplicate or not evaluated: reported
    DirectorsSpec& spec = is_other(*c->scope)          ? plan_.others[other_index(*c->scope)]
                          : *c->scope == Scope::grant ? plan_.grants
                                                      : plan_.directors;
    spec.declared = true;
    spec.input = input_path(e.file, dd.path, Scope::plan, none);
    spec.range = rng(e.file, dd);
    if (*c->scope == Scope::grant) {
        // Named by position within the ledger ("ledger entry 3"); the field names the parent.
        // `key` naming that same field: at most one record per parent, named by it.
        if (dd.keys.size() == 1 && dd.keys.front().text == dd.parent->field.text) {
            spec.one_per_parent = true;
        } else if (!dd.keys.empty()) {
            auto& d = diags_.error(rng(e.file, dd.keys.front()),
                                   "the records of a collection that belongs to another are named by their position, "
                                   "or by the field that names their {} (at most one each)",
                                   dd.parent->singular.text);
            d.hint = fmt::format("drop `key`, or write `key {}`", dd.parent->field.text);
        }
        spec.id_key = dd.parent->field.text;
        return;
    }
    if (dd.keys.size() != 1) {
        auto& d = diags_.error(dd.keys.empty() ? rng(e.file, dd.path) : rng(e.file, dd.keys[1]),
                               "the records of `{}` need one key field that names each", dd.plural.text);
        d.hint = fmt::format("as in: collection {}: {} at {} key id", dd.plural.text, dd.singular.text, dd.path.text);
        return;
    }
    spec.id_key = dd.keys.front().text;
}

void Checker::compile_limit(const Entry& e, const ast::LimitDecl& l) {
    Limit limit;
    limit.name = l.name.text;
    limit.name_range = rng(e.file, l.name);
    if (e.scope == Scope::director) diags_.error(rng(e.file, l), "a `limit` is plan-wide; declare it outside `per {}`",
                                                     plan_.directors.noun);
    annotations(e.file, l.annotations, &limit.sources, &limit.notes, nullptr, "limit");
    const ast::Expression* cmp = top_comparison(l.condition);
    if (!cmp || (cmp->rest[0].op != "<=" && cmp->rest[0].op != "<")) {
        // `total = bound`: the parser has said so at the `=`.
        if (!cmp && cut_at_single_eq(rng(e.file, l.condition))) return;
        auto& d = diags_.error(rng(e.file, l.condition), "a limit reads `total <= bound` (or `<`)");
        // (`sum of s over execs where outside <= 200 shares`: the `where` took the comparison.)
        const ast::Expression* whole = &l.condition;
        while (whole->rest.empty())
            if (const auto* inner = boost::get<x3::forward_ast<ast::Expression>>(&whole->first.get())) whole = &inner->get();
            else break;
        if (whole->rest.empty())
            if (const auto* agg = boost::get<x3::forward_ast<ast::Aggregate>>(&whole->first.get()))
                if (agg->get().where && top_comparison(*agg->get().where))
                    d.hint = fmt::format("the `where` of `{} of … over {}` took the comparison into its condition: "
                                         "name the total first (`value NAME: … = {} of … over {} where …`, then "
                                         "`limit {}: NAME <= …`), or put the total in parentheses",
                                         agg->get().function, agg->get().over.text, agg->get().function,
                                         agg->get().over.text, l.name.text);
        return;
    }
    Ctx c{e.file, Scope::plan, none, false};
    std::uint32_t a = compile(cmp->first, c);
    std::uint32_t b = compile(cmp->rest[0].operand, c);
    if (a == none || b == none) return;
    adapt_zero(a, b);
    if (!type_of(a).is_number() || !type_of(a).same(type_of(b))) {
        diags_.error(rng(e.file, *cmp), "cannot compare {} with {}", tname(type_of(a)), tname(type_of(b)));
        return;
    }
    limit.value = a;
    limit.bound = b;
    limit.strict = cmp->rest[0].op == "<";
    limit.type = type_of(a);
    if (l.allocation) {
        const ast::Allocation& al = *l.allocation;
        Allocation alloc;
        std::vector<const ast::Name*> named;   // parallel to alloc.outputs
        for (const auto& n : al.outputs) {
            auto it = symbols_.find(n.text);
            if (it == symbols_.end() || it->second.kind != SymbolKind::slot ||
                plan_.slots[it->second.index].kind != SlotKind::output ||
                plan_.slots[it->second.index].scope != Scope::director) {
                auto& d = diags_.error(rng(e.file, n), "`{}` is not a {} output; only those can be scaled", n.text,
                                       scope_word(Scope::director));
                std::string best;
                std::size_t best_distance = 3;
                for (const auto& slot : plan_.slots) {
                    if (slot.kind != SlotKind::output || slot.scope != Scope::director) continue;
                    std::size_t dist = dsl::edit_distance(slot.name, n.text);
                    if (dist < best_distance) {
                        best_distance = dist;
                        best = slot.name;
                    }
                }
                if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
                continue;
            }
            const Slot& out = plan_.slots[it->second.index];
            if (!out.type.is_number()) {
                diags_.error(rng(e.file, n), "`{}` is {}; only numbers can be scaled", n.text, tname(out.type));
                continue;
            }
            alloc.outputs.push_back(it->second.index);
            named.push_back(&n);
        }
        for (std::size_t i = 0; i < alloc.outputs.size(); ++i)
            allocated_.push_back({plan_.limits.size(), alloc.outputs[i], rng(e.file, *named[i])});
        alloc.mode = rounding_mode(al.mode).value_or(RoundingMode::half_even);
        std::uint32_t u = compile(al.unit, c);
        auto unit = u == none ? std::nullopt : fold(u);
        if (u != none && (!unit || unit->number.sign() <= 0)) {
            diags_.error(range_of(u), "the rounding unit must be a positive constant, as in `1 share`");
        } else if (unit) {
            for (std::uint32_t o : alloc.outputs) {
                if (!plan_.slots[o].type.same(type_of(u)))
                    diags_.error(range_of(u), "the rounding unit is {}, but `{}` is {}", tname(type_of(u)),
                                 plan_.slots[o].name, tname(plan_.slots[o].type));
            }
            alloc.unit = unit->number;
        }
        std::sort(alloc.outputs.begin(), alloc.outputs.end());
        limit.allocation = std::move(alloc);
    }
    for (const auto& other : plan_.limits) {
        if (other.name == limit.name) diags_.error(limit.name_range, "limit `{}` is already defined", limit.name);
    }
    plan_.limits.push_back(std::move(limit));
}

void Checker::check_allocations() {
    // The slots each limit's total depends on (the definitions are all compiled).
    std::vector<std::vector<bool>> reach(plan_.limits.size());
    for (std::size_t l = 0; l < plan_.limits.size(); ++l) {
        if (!plan_.limits[l].allocation) continue;
        auto& r = reach[l];
        r.assign(plan_.slots.size(), false);
        used_slots(plan_.limits[l].value, r);
        std::vector<std::uint32_t> stack;
        for (std::uint32_t s = 0; s < r.size(); ++s)
            if (r[s]) stack.push_back(s);
        while (!stack.empty()) {
            std::uint32_t s = stack.back();
            stack.pop_back();
            for (const auto& [t, where] : deps_[s])
                if (!r[t]) r[t] = true, stack.push_back(t);
        }
    }
    // An allocated output no limit that allocates it adds up: scaling it cannot bring any
    // total within its bound. (Limits naming the same outputs share one factor, so one
    // whose total leaves an output out may still scale it: the smaller factor wins.)
    for (const auto& a : allocated_) {
        bool counted = false;
        for (const auto& b : allocated_)
            if (b.slot == a.slot && reach[b.limit][a.slot]) counted = true;
        if (counted) continue;
        const Limit& limit = plan_.limits[a.limit];
        std::string summed;
        for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
            const Slot& sl = plan_.slots[s];
            if (reach[a.limit][s] && sl.kind == SlotKind::output && sl.scope == Scope::director && sl.type.is_number())
                summed += (summed.empty() ? "`" : ", `") + sl.name + "`";
        }
        auto& d = diags_.error(a.where,
                               "`{}` is allocated pro rata by `{}`, whose total does not depend on it: scaling it "
                               "cannot bring the total within the bound",
                               plan_.slots[a.slot].name, limit.name);
        d.hint = summed.empty() ? "allocate the outputs the total adds up"
                                : fmt::format("allocate the outputs the total adds up: {}", summed);
    }
    // Limits share one factor, the smallest of theirs, where they allocate the same outputs,
    // each output rounded once. Two that allocate some outputs in common and others apart, or
    // the same ones rounded otherwise, would scale or round a share by whichever limit is
    // written first.
    auto names = [&](const std::vector<std::uint32_t>& slots) {
        std::string out;
        for (std::uint32_t s : slots) out += (out.empty() ? "" : ", ") + plan_.slots[s].name;
        return out;
    };
    // (The unit as written, with the outputs' unit: "down to 1 share", "half up to 100 JPY".)
    auto rounding = [&](const Allocation& a) {
        const Type& t = plan_.slots[a.outputs.front()].type;
        return fmt::format("{} to {}{}", to_string(a.mode), a.unit.to_string(),
                           t.kind != Kind::number || t.dimensionless() ? "" : " " + plan_.amount_unit(t, a.unit));
    };
    for (std::size_t a = 0; a < plan_.limits.size(); ++a) {
        if (!plan_.limits[a].allocation) continue;
        const Limit& first = plan_.limits[a];
        for (std::size_t b = a + 1; b < plan_.limits.size(); ++b) {
            if (!plan_.limits[b].allocation) continue;
            const Limit& second = plan_.limits[b];
            const auto& x = first.allocation->outputs;
            const auto& y = second.allocation->outputs;   // (both sorted)
            std::vector<std::uint32_t> both, either;
            std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(both));
            if (both.empty()) continue;
            if (x != y) {
                std::set_union(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(either));
                SourceRange at = second.name_range;
                for (const auto& named : allocated_)
                    if (named.limit == b && named.slot == both.front()) at = named.where;
                auto& d = diags_.error(at,
                                       "`{}` is allocated pro rata by `{}` and by `{}`, which allocate other outputs "
                                       "apart: limits scale an output by one factor, the smallest of theirs, only where "
                                       "they allocate the same outputs",
                                       plan_.slots[both.front()].name, first.name, second.name);
                d.hint = fmt::format("allocate the same outputs in both (`allocate pro rata {}`), or each output in "
                                     "one limit only",
                                     names(either));
            } else if (first.allocation->mode != second.allocation->mode ||
                       first.allocation->unit != second.allocation->unit) {
                auto& d = diags_.error(second.name_range,
                                       "`{}` allocates the outputs `{}` allocates, rounded {}, where `{}` rounds them "
                                       "{}: the two scale them by one factor, and each is rounded once",
                                       second.name, first.name, rounding(*second.allocation), first.name,
                                       rounding(*first.allocation));
                d.hint = "round them alike in both";
            }
        }
    }
}

void Checker::compile_require(const Entry& e, const ast::RequireDecl& r) {
    Requirement req;
    req.name = r.name.text;
    req.name_range = rng(e.file, r.name);
    req.scope = e.scope;
    annotations(e.file, r.annotations, &req.sources, nullptr, &req.message, "require");
    Ctx c{e.file, e.scope, none, false};
    c.require = &r;
    std::uint32_t n = compile(r.condition, c);
    if (n == none) return;
    if (type_of(n).kind != Kind::boolean) {
        // `a = b` meant as a comparison: the parser has said so at the `=`. (The condition
        // as written: `(a) = b` ends at its parenthesis, not at `a`.)
        if (!cut_at_single_eq(rng(e.file, r.condition)))
            diags_.error(range_of(n), "a requirement is a condition (true or false), not {}", tname(type_of(n)));
        return;
    }
    req.condition = n;
    // Where `{name}` is written, when the message's text in quotes is its value as is (no
    // escape before it); else the requirement's name.
    const ast::StringLit* written = nullptr;
    for (const auto& a : r.annotations)
        if (a.keyword == "message" && a.text) written = &*a.text;
    auto where = [&](std::size_t at, std::size_t close) {
        if (!written) return req.name_range;
        const std::string_view source = sm_.file(e.file).text();
        const std::size_t begin = written->begin + 1;
        if (begin + close + 1 > source.size() || source.substr(begin, close + 1) != std::string_view(req.message).substr(0, close + 1))
            return req.name_range;
        return SourceRange::in(e.file, static_cast<std::uint32_t>(begin + at), static_cast<std::uint32_t>(begin + close + 1));
    };
    if (req.message.empty()) req.message = fmt::format("requirement `{}` does not hold", req.name);
    for (std::size_t at = req.message.find('{'); at != std::string::npos; at = req.message.find('{', at + 1)) {
        std::size_t close = req.message.find('}', at);
        if (close == std::string::npos) break;
        std::string name = req.message.substr(at + 1, close - at - 1);
        auto it = symbols_.find(name);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot) {
            auto& d = diags_.error(where(at, close), "the message of `{}` names `{{{}}}`, which is not a definition",
                                   req.name, name);
            std::vector<std::string> names;
            for (const auto& sl : plan_.slots) names.push_back(sl.name);
            const bool info = std::any_of(plan_.infos.begin(), plan_.infos.end(),
                                          [&](const Info& i) { return i.name == name; });
            if (info) d.hint = fmt::format("`{}` is an `info` key, which nothing computes with or shows in a message", name);
            else if (auto best = dsl::closest(name, names, 2)) d.hint = fmt::format("did you mean `{{{}}}`?", *best);
            continue;
        }
        if (plan_.slots[it->second.index].scope > e.scope) {
            diags_.error(where(at, close), "the message of `{}` names `{}`, a {} value", req.name, name,
                         scope_word(plan_.slots[it->second.index].scope));
            continue;
        }
        req.message_slots.push_back({name, it->second.index});
    }
    plan_.requirements.push_back(std::move(req));
}

void Checker::compile_test(const Entry& e, const ast::TestDecl& t) {
    PlanTest test;
    test.title = t.title.value;
    test.range = rng(e.file, t);
    if (e.scope != Scope::plan) diags_.error(test.range, "a `test` cannot be inside a `per` block");
    fs::path base = fs::path(sm_.file(e.file).path()).parent_path();
    test.inputs = (base / t.inputs.value).lexically_normal().string();
    test.inputs_range = rng(e.file, t.inputs);
    if (t.carry_from) {
        test.carry_from = (base / t.carry_from->value).lexically_normal().string();
        test.carry_from_range = rng(e.file, *t.carry_from);
    }
    annotations(e.file, t.annotations, &test.sources, nullptr, nullptr, "test");
    Ctx c{e.file, Scope::plan, none, false};
    for (const auto& x : t.expectations) {
        Expectation ex;
        ex.violation = x.violation;
        ex.name = x.name.text;
        ex.range = rng(e.file, x);
        if (x.record) ex.record = dsl::nfc(*x.record);   // (ids are compared in NFC)
        if (x.violation) {
            bool known = false;
            bool plan_wide = false;   // a limit, or a requirement on plan-wide values: no record's
            for (const auto& r : plan_.requirements) {
                if (r.name != ex.name) continue;
                known = true;
                plan_wide = r.scope == Scope::plan;
            }
            for (const auto& l : plan_.limits) {
                if (l.name != ex.name) continue;
                known = true;
                plan_wide = true;
            }
            if (!known) {
                auto& d = diags_.error(rng(e.file, x.name), "`{}` is not a `require` or a `limit`", ex.name);
                // The nearest name of a requirement or a limit, if one is near.
                std::vector<std::string> names;
                for (const auto& r : plan_.requirements) names.push_back(r.name);
                for (const auto& l : plan_.limits) names.push_back(l.name);
                if (auto best = dsl::closest(ex.name, names)) d.hint = fmt::format("did you mean `{}`?", *best);
            } else if (plan_wide && x.record) {
                // It is reported for the plan, never for a record: the expectation could not hold.
                auto& d = diags_.error(rng(e.file, x), "`{}` is plan-wide: its violation has no `for`", ex.name);
                d.hint = fmt::format("expect violation {}", ex.name);
                continue;
            }
            test.expectations.push_back(std::move(ex));
            continue;
        }
        auto it = symbols_.find(ex.name);
        if (it == symbols_.end() && cut_short_.count(ex.name)) continue;   // its declaration failed to parse
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot) {
            auto& d = diags_.error(rng(e.file, x.name), "unknown name `{}`", ex.name);
            std::vector<std::string> names;
            for (const auto& sl : plan_.slots) names.push_back(sl.name);
            if (auto best = dsl::closest(ex.name, names, 2)) d.hint = fmt::format("did you mean `{}`?", *best);
            continue;
        }
        const Slot& s = plan_.slots[it->second.index];
        if (s.scope == Scope::grant) {
            diags_.error(rng(e.file, x.name), "`{}` is a {} value; expect its total per {} instead", ex.name,
                         scope_word(Scope::grant), plan_.directors.noun);
            continue;
        }
        if ((s.scope == Scope::director || is_other(s.scope)) && !x.record) {
            // An id of these records that the tests already name, else a stand-in.
            std::optional<std::string> id;
            auto look = [&](const std::vector<Expectation>& xs) {
                for (const auto& y : xs) {
                    if (!id && y.record && y.slot != none && plan_.slots[y.slot].scope == s.scope) id = *y.record;
                }
            };
            look(test.expectations);
            for (const auto& pt : plan_.tests) look(pt.expectations);
            diags_.error(rng(e.file, x.name), "`{}` is a {} value: say whose, as in `expect {} for {} = …`",
                         ex.name, scope_word(s.scope), ex.name, id ? *id : std::string("ID"));
            continue;
        }
        if (s.scope == Scope::plan && x.record) {
            diags_.error(rng(e.file, x.name), "`{}` is plan-wide: it has no `for`", ex.name);
            continue;
        }
        ex.slot = it->second.index;
        ex.type = s.type;
        if (s.type.kind == Kind::choice) {
            diags_.error(rng(e.file, x.name), "expectations on a {} are not supported; expect a test of it instead",
                         tname(s.type));
            continue;
        }
        std::uint32_t n = compile(*x.expected, wanting(c, *x.expected, s.type));
        n = expect_type(n, s.type, fmt::format("`{}`", ex.name));
        if (n == none) continue;
        auto v = fold(n);
        if (!v) {
            diags_.error(range_of(n), "an expected value must be a constant");
            continue;
        }
        ex.expected = *v;
        test.expectations.push_back(std::move(ex));
    }
    plan_.tests.push_back(std::move(test));
}

}  // namespace hoshu::eval
