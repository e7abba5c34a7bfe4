#include "evaluator/analysis/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "dsl/base/text.hpp"
#include "evaluator/ir/walk.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/run/probe.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

class Explainer {
public:
    Explainer(const Plan& plan, const dsl::SourceManager& sm, Session& session, std::size_t director,
              const Outcome& state, std::string record = {})
        : plan_(plan), sm_(sm), session_(session), probe_(session), director_(director), state_(state),
          record_(std::move(record)) {}

    std::string visit(std::uint32_t slot, int grant);
    Explanation take(std::string root) {
        out_.root = std::move(root);
        return std::move(out_);
    }
    bool failed() const { return failure_.has_value(); }
    dsl::Diagnostics failure() { return std::move(*failure_); }

private:
    std::string id_of(std::uint32_t slot, int grant) const {
        const Slot& s = plan_.slots[slot];
        if (s.scope == Scope::plan) return s.name;
        if (is_other(s.scope)) return s.name + "@" + record_;
        const std::string& who = state_.directors[director_].id;
        if (s.scope == Scope::director) return s.name + "@" + who;
        return fmt::format("{}@{}#{}", s.name, who, grant + 1);
    }
    std::string text(const dsl::SourceRange& r) const {
        if (!r.valid) return {};
        const std::string& t = sm_.file(r.file).text();
        return collapse_blanks(std::string_view(t).substr(r.begin, r.end - r.begin));
    }
    std::string location(const dsl::SourceRange& r) const {
        if (!r.valid) return {};
        const auto& f = sm_.file(r.file);
        return fmt::format("{}:{}", f.path(), f.line_col(r.begin).line);
    }
    std::optional<Value> value_of(std::uint32_t node, int grant) {
        auto v = probe_.node_value(node, director_, grant);
        if (!v) {
            if (!failure_) failure_ = v.error();
            return std::nullopt;
        }
        return *v;
    }
    std::string show(const Type& t, const Value& v) const {
        std::string shown = display_value(plan_, state_, t, v);
        if (t.kind == Kind::number && !v.number.terminates() &&
            !(t.dimensionless() && t.style == RatioStyle::percent))
            shown += " ≈ " + approximate_decimal(v.number, 6);
        return shown;
    }
    /// A row's bounds on table `t`'s parameter, named as the table declares it, each bound
    /// as the row writes it: a percent as a percent (`5% ≤ g ≤ 15%` for `from 5% to 15%`),
    /// another number exactly, as the parameter's values are shown.
    std::string row_bounds(const Table& t, const TableRow& r) const;
    /// "1 share", "100 shares", "¥1" style: the value with its unit.
    std::string with_unit(const Type& t, const Value& v) const { return display_with_unit(plan_, state_, t, v); }
    std::string show_node(std::uint32_t node, int grant) {
        auto v = value_of(node, grant);
        return v ? show(plan_.nodes[node].type, *v) : std::string("?");
    }
    void walk(std::uint32_t node, int grant, ExplainStep& step, std::vector<std::pair<std::uint32_t, int>>& uses);
    /// " (limit NAME)", " (limits A, B)": the plan's limits that scaled `slot` by `f`, those
    /// allocating it that were exceeded before scaling (one factor for them all, the smallest).
    std::string scaled_by(std::uint32_t slot, const Rational& f) const;
    /// The allocation (rounding) of the first limit whose factor f scaled `slot`.
    const Allocation* allocation_of(std::uint32_t slot, const Rational& f) const;
    /// The limits whose pro rata allocation scaled `slot` by `f`, and how f follows from them.
    void derive_factor(std::uint32_t slot, const Rational& f, ExplainStep& step) const;
    std::string exact(const Rational& r) const {
        return r.terminates() ? group_digits(r.to_string()) : r.to_string() + " ≈ " + approximate_decimal(r, 6);
    }

    const Plan& plan_;
    const dsl::SourceManager& sm_;
    Session& session_;
    SessionProbe probe_;   // what only explaining needs: node values, presence, the ledger, scaling
    std::size_t director_;
    const Outcome& state_;
    std::string record_;   // explaining a record of a further collection: its key
    Explanation out_;
    std::map<std::string, std::size_t> seen_;
    std::optional<dsl::Diagnostics> failure_;
};

std::string Explainer::row_bounds(const Table& t, const TableRow& r) const {
    auto bound = [&](const Rational& b, bool percent) {
        return percent ? (b * Rational(100)).to_string() + "%" : show(t.parameter_type, Value{b, 0});
    };
    std::string lo, hi;
    if (r.low) lo = fmt::format("{} {} ", bound(*r.low, r.low_percent), r.low_inclusive ? "≤" : "<");
    if (r.high) hi = fmt::format(" {} {}", r.high_inclusive ? "≤" : "<", bound(*r.high, r.high_percent));
    return lo + t.parameter + hi;
}

void Explainer::walk(std::uint32_t n, int grant, ExplainStep& step, std::vector<std::pair<std::uint32_t, int>>& uses) {
    if (n == none || failed()) return;
    const Node& node = plan_.nodes[n];
    switch (node.kind) {
        case NodeKind::constant: return;
        case NodeKind::slot: {
            const Slot& target = plan_.slots[node.aux];
            uses.emplace_back(node.aux, target.scope == Scope::grant || is_other(target.scope) ? grant : -1);
            return;
        }
        case NodeKind::present: {
            const Slot& target = plan_.slots[node.aux];
            int g = target.scope == Scope::grant || is_other(target.scope) ? grant : -1;
            bool here = probe_.present(node.aux, director_, g);
            step.details.push_back(fmt::format("{} is {}in the inputs", target.name, here ? "" : "not "));
            if (here) uses.emplace_back(node.aux, g);
            return;
        }
        case NodeKind::if_: {
            auto cond = value_of(node.a, grant);
            if (!cond) return;
            step.details.push_back(fmt::format("if {}: {} → {}", text(plan_.nodes[node.a].range),
                                               cond->word ? "true" : "false",
                                               collapse_blanks(text(plan_.nodes[cond->word ? node.b : node.c].range))));
            walk(node.a, grant, step, uses);
            walk(cond->word ? node.b : node.c, grant, step, uses);
            return;
        }
        case NodeKind::and_:
        case NodeKind::or_: {
            // Only what was evaluated (the second operand may have been skipped).
            auto a = value_of(node.a, grant);
            walk(node.a, grant, step, uses);
            if (a && ((node.kind == NodeKind::and_) == (a->word != 0))) walk(node.b, grant, step, uses);
            return;
        }
        case NodeKind::table: {
            const Table& t = plan_.tables[node.aux];
            auto x = value_of(node.a, grant);
            auto result = value_of(n, grant);
            if (x && result) {
                std::string shown_x = show(plan_.nodes[node.a].type, *x);
                const TableRow* row =
                    !t.keyed() ? find_row(t, x->number)
                               : find_key_row(t, x->word, t.parameter_type.kind == Kind::text ? shown_x : "");
                std::string how = !row       ? std::string("no row")
                                  : t.keyed() ? fmt::format("row `{}`", collapse_blanks(row->text))
                                              : fmt::format("row `{}` ({})", collapse_blanks(row->text),
                                                            row_bounds(t, *row));
                step.details.push_back(fmt::format("{}({} = {}): {} → {}", t.name, t.parameter, shown_x, how,
                                                   show(t.result_type, *result)));
            }
            walk(node.a, grant, step, uses);
            return;
        }
        case NodeKind::round: {
            auto before = value_of(node.a, grant);
            auto after = value_of(n, grant);
            if (before && after) {
                step.details.push_back(fmt::format("round {} to {}: {} → {}", to_string(node.mode),
                                                   with_unit(node.type, Value{plan_.constants[node.aux].number, 0}),
                                                   show(node.type, *before), show(node.type, *after)));
            }
            walk(node.a, grant, step, uses);
            return;
        }
        case NodeKind::clamp: {
            auto x = value_of(node.a, grant);
            auto r = value_of(n, grant);
            if (x && r && !(x->number == r->number)) {
                step.details.push_back(fmt::format("clamp({}, {}, {}): {} is outside, → {}",
                                                   text(plan_.nodes[node.a].range), show_node(node.b, grant),
                                                   show_node(node.c, grant), show(node.type, *x),
                                                   show(node.type, *r)));
            }
            walk(node.a, grant, step, uses);
            walk(node.b, grant, step, uses);
            walk(node.c, grant, step, uses);
            return;
        }
        case NodeKind::last_before:
        case NodeKind::last_date: {
            auto d = value_of(node.a, grant);
            if (d) {
                Date date{static_cast<std::int32_t>(d->word)};
                auto entry = probe_.last_before(node.aux, date);
                const Series& s = plan_.series[node.aux];
                if (entry)
                    step.details.push_back(fmt::format("last {} before {}: {} on {}", s.name, date.to_string(),
                                                       show(s.type, entry->second), entry->first.to_string()));
            }
            walk(node.a, grant, step, uses);
            return;
        }
        case NodeKind::series_window: {
            auto result = value_of(n, grant);
            const Series& s = plan_.series[node.aux];
            if (result) {
                std::string what = collapse_blanks(text(node.range));
                step.details.push_back(fmt::format("{} = {}", what,
                                                   show(node.window == WindowOp::last_date ? Type::date() : s.type,
                                                        *result)));
                // The entries it read, each with the line it is written on (a long window:
                // its first and last three and how many there are).
                auto entries = probe_.window_entries(n, director_, grant);
                auto entry = [&](const SessionProbe::WindowEntry& e) {
                    std::string at = location(e.at);
                    return fmt::format("{} {}{}", e.date.to_string(), show(s.type, e.value), at.empty() ? "" : " (" + at + ")");
                };
                std::string read;
                for (std::size_t i = 0; i < entries.size(); ++i) {
                    if (entries.size() > 8 && i >= 3 && i + 3 < entries.size()) {
                        if (i == 3) read += ", …";
                        continue;
                    }
                    read += (read.empty() ? "" : ", ") + entry(entries[i]);
                }
                if (!entries.empty())
                    step.details.push_back(fmt::format("{} {} of {} read: {}", entries.size(),
                                                       entries.size() == 1 ? "entry" : "entries", s.name, read));
            }
            walk(node.a, grant, step, uses);
            walk(node.b, grant, step, uses);
            walk(node.c, grant, step, uses);
            return;
        }
        case NodeKind::product: {
            step.details.push_back(fmt::format("product of {} after {} up to {} = {}", plan_.series[node.aux].name,
                                               show_node(node.a, grant), show_node(node.b, grant),
                                               show_node(n, grant)));
            walk(node.a, grant, step, uses);
            walk(node.b, grant, step, uses);
            return;
        }
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over:
        case NodeKind::mean_over:
        case NodeKind::product_over:
        case NodeKind::rank_over:
        case NodeKind::percentile_over: {
            if (node.aux == 1 && grant < 0) {
                // Over this director's ledger entries: explain each one.
                auto grants = probe_.grants_of(director_);
                step.details.push_back(fmt::format("{} over {} {} of {} = {}", text(node.range), grants.size(),
                                                   grants.size() == 1 ? plan_.grants.noun : plan_.grants.plural,
                                                   state_.directors[director_].id, show_node(n, grant)));
                for (int g : grants) {
                    walk(node.b, g, step, uses);
                    walk(node.a, g, step, uses);
                }
            } else {
                const auto& c = node.aux == 0 ? plan_.directors : node.aux == 1 ? plan_.grants : plan_.others[node.aux - 2];
                step.details.push_back(fmt::format("{} = {} (plan-wide, over every {})", text(node.range),
                                                   show_node(n, grant), c.noun));
                // A rank or percentile: how many records it places the value below, beside
                // and above, so that the number can be counted again by hand.
                if (node.kind == NodeKind::rank_over || node.kind == NodeKind::percentile_over)
                    if (auto p = probe_.place_counts(n, director_, grant)) {
                        const std::int64_t all = p->below + p->equal + p->above;
                        auto of = [&](std::int64_t k) { return fmt::format("{} {}", k, k == 1 ? c.noun : c.plural); };
                        std::string how;
                        if (node.kind == NodeKind::percentile_over) {
                            const std::string above_them = node.rule == 0   ? fmt::format("({} + {})", p->below, p->equal)
                                                           : node.rule == 1 ? fmt::format("{}", p->below)
                                                                            : fmt::format("({} + {}/2)", p->below, p->equal);
                            how = fmt::format("{} / ({} − 1)", above_them, all);
                        } else {
                            const bool worst = (node.rule & 1) != 0, lowest_first = (node.rule & 2) != 0;
                            how = fmt::format("1 + {}{}", lowest_first ? p->below : p->above,
                                              worst ? fmt::format(" + {}", p->equal) : "");
                        }
                        step.details.push_back(fmt::format("{} among {}: {} below, {} equal, {} above; {} = {}",
                                                           show_node(node.c, grant), of(all), p->below, p->equal, p->above,
                                                           how, show_node(n, grant)));
                    }
            }
            walk(node.c, grant, step, uses);   // rank, percentile: the value placed
            return;
        }
        // Nothing to say of these but what their operands say.
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul:
        case NodeKind::div:
        case NodeKind::neg:
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
        case NodeKind::not_:
        case NodeKind::min:
        case NodeKind::max:
        case NodeKind::is:
        case NodeKind::year_before:
        case NodeKind::months_inclusive:
        case NodeKind::date_calc:
        case NodeKind::within: break;
    }
    for_each_child(plan_, node, [&](std::uint32_t child) { walk(child, grant, step, uses); });
}

std::string Explainer::scaled_by(std::uint32_t slot, const Rational& f) const {
    std::vector<std::string> names;
    for (const auto& lo : state_.limits) {
        const Limit& l = plan_.limits[lo.limit];
        if (!l.allocation || !lo.factor || !(*lo.factor == f)) continue;
        const auto& outs = l.allocation->outputs;
        if (std::find(outs.begin(), outs.end(), slot) == outs.end()) continue;
        if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
    }
    if (names.empty()) return {};
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return fmt::format(" (limit{} {})", names.size() == 1 ? "" : "s", list);
}

const Allocation* Explainer::allocation_of(std::uint32_t slot, const Rational& f) const {
    for (const auto& lo : state_.limits) {
        const Limit& l = plan_.limits[lo.limit];
        if (!l.allocation || !lo.factor || !(*lo.factor == f)) continue;
        const auto& outs = l.allocation->outputs;
        if (std::find(outs.begin(), outs.end(), slot) != outs.end()) return &*l.allocation;
    }
    return nullptr;
}

void Explainer::derive_factor(std::uint32_t slot, const Rational& f, ExplainStep& step) const {
    for (const auto& lo : state_.limits) {
        const Limit& l = plan_.limits[lo.limit];
        if (!l.allocation || !lo.factor) continue;
        const auto& outs = l.allocation->outputs;
        if (std::find(outs.begin(), outs.end(), slot) == outs.end()) continue;
        auto unit = [&](const Rational& x) {
            return l.type.dimensionless() ? std::string() : " " + plan_.amount_unit(l.type, x);
        };
        // The total before scaling as it was (bound ÷ factor only where it was not kept).
        Rational before = lo.before ? *lo.before : lo.bound.number / *lo.factor;
        step.factor_derivation.push_back(fmt::format("limit {} ({}): {} {} {}{}", l.name, location(l.name_range),
                                                     text(plan_.nodes[l.value].range), l.strict ? "<" : "≤",
                                                     exact(lo.bound.number), unit(lo.bound.number)));
        step.factor_derivation.push_back(fmt::format("total before scaling: {}{} — over the bound", exact(before),
                                                     unit(before)));
        const Rational own = lo.bound.number / before;
        step.factor_derivation.push_back(fmt::format("factor for this limit: {} ÷ {} = {}", exact(lo.bound.number),
                                                     exact(before), exact(own)));
        for (const auto& c : l.sources) step.factor_sources.push_back(c);
    }
    if (!step.factor_derivation.empty())
        step.factor_derivation.push_back(fmt::format("factor applied (the smallest of the limits' factors): {}", exact(f)));
}

std::string Explainer::visit(std::uint32_t slot, int grant) {
    std::string id = id_of(slot, grant);
    if (seen_.count(id) || failed()) return id;
    const Slot& s = plan_.slots[slot];
    seen_[id] = out_.steps.size();
    out_.steps.emplace_back();
    ExplainStep step;
    step.id = id;
    step.name = s.name;
    step.scope = s.scope == Scope::plan       ? "plan"
                 : is_other(s.scope)           ? fmt::format("{} {}", plan_.others[other_index(s.scope)].noun, record_)
                 : s.scope == Scope::director ? fmt::format("{} {}", plan_.directors.noun,
                                                            state_.directors[director_].id)
                                              : fmt::format("{} {} of `{}` ({})", plan_.grants.noun, grant + 1,
                                                            plan_.grants.input.path_text,
                                                            state_.directors[director_].id);
    step.kind = s.kind == SlotKind::param ? "param" : s.kind == SlotKind::input ? "input"
                : s.kind == SlotKind::output ? "output" : "value";
    step.type = plan_.type_name(s.type);
    step.location = location(s.decl_range);
    step.sources = s.sources;
    step.notes = s.notes;
    auto v = session_.value(slot, director_, grant);
    if (!v) {
        if (!failure_) failure_ = v.error();
        return id;
    }
    step.value = value_text(plan_, state_, s.type, *v);
    step.display = show(s.type, *v);
    if (s.type.kind == Kind::number && !s.type.dimensionless()) step.display += " " + plan_.amount_unit(s.type, v->number);
    std::vector<std::pair<std::uint32_t, int>> uses;
    if (s.kind == SlotKind::input) {
        step.formula = "from the inputs: " + s.input.path_text;
        dsl::SourceRange at = probe_.input_range(slot, director_, grant);
        if (at.valid) {
            const auto& f = sm_.file(at.file);
            // A record carried from an earlier result (--carry, --register) is not in the
            // inputs file: say where it is, as the file it is shown as.
            if (at.file != probe_.inputs_file()) step.formula = "carried from " + f.path() + ": " + s.input.path_text;
            auto line = f.line_col(at.begin).line;
            step.read_from = fmt::format("{}:{}", f.path(), line);
            step.read_line = std::string(f.line_text(line));
            // A carried value a register's event changed: the carried line says which, beside
            // the value as recorded (output/carried.cpp writes it as a comment).
            if (at.file != probe_.inputs_file()) {
                auto hash = step.read_line.rfind("   # ");
                if (hash != std::string::npos) {
                    std::string note = step.read_line.substr(hash + 5);
                    if (note.rfind("recorded ", 0) == 0 || note.rfind("not in the recorded result", 0) == 0)
                        step.notes.push_back("changed after it was recorded: " + note);
                }
            }
        } else if (!probe_.input_node(slot, director_, grant)) {
            // (Absent from the inputs: the value is the declaration's default.)
            step.formula = "the declared default (not in the inputs: " + s.input.path_text + ")";
        }
    } else {
        step.formula = collapse_blanks(s.formula);
        std::uint32_t root = s.root;
        if (s.kind == SlotKind::param) {
            root = s.versions.back().node;
            // A dated param: the version the evaluation took, its own line, and the date
            // that chose it (its value above was computed the same way).
            if (auto in_force = probe_.param_in_force(slot); in_force && in_force->on) {
                const ParamVersion& version = s.versions[in_force->version];
                root = version.node;
                step.formula = collapse_blanks(text(plan_.nodes[root].range));
                step.location = location(plan_.nodes[root].range);
                step.details.push_back(version.from ? fmt::format("the value in force on {} (from {})", in_force->on->to_string(),
                                                                  version.from->to_string())
                                                    : fmt::format("the value in force on {} (the first, in force before any "
                                                                  "dated one)",
                                                                  in_force->on->to_string()));
            }
        }
        walk(root, grant, step, uses);
        if (auto f = probe_.scale_factor(slot)) {
            auto raw = value_of(root, grant);
            if (raw) {
                // The exact product, then the limit's rounding, as every other rounding is shown.
                std::string rounding;
                if (const Allocation* a = allocation_of(slot, *f))
                    rounding = fmt::format(" = {}, round {} to {}", show(s.type, Value{raw->number * *f, 0}), to_string(a->mode),
                                           with_unit(s.type, Value{a->unit, 0}));
                step.details.push_back(fmt::format("scaled pro rata by {}{}: {} × {}{} → {}",
                                                   f->terminates() ? f->to_string() : f->to_string() + " ≈ " + approximate_decimal(*f, 6),
                                                   scaled_by(slot, *f), show(s.type, *raw), f->to_string(), rounding,
                                                   step.display));
            }
            derive_factor(slot, *f, step);
        }
    }
    std::set<std::string> listed;
    for (const auto& [child, g] : uses) {
        std::string cid = visit(child, g);
        if (listed.insert(cid).second) step.uses.push_back(cid);
    }
    out_.steps[seen_[id]] = std::move(step);
    return id;
}

}  // namespace

namespace {

/// The derivation of `roots` for the record named `key` (a further collection's record at
/// `at`, or -1: a director), with a synthetic root listing them when there are several.
Result<Explanation> derive(Explainer& x, const Plan& plan, const std::vector<std::uint32_t>& roots,
                           const std::string& key, int at) {
    if (roots.empty()) {
        dsl::Diagnostics diags;
        diags.error(dsl::SourceRange{}, "`{}` has nothing to explain: the plan gives it no outputs", key);
        return diags;
    }
    std::string first;
    for (std::uint32_t r : roots) {
        std::string id = x.visit(r, is_other(plan.slots[r].scope) ? at : -1);
        if (first.empty()) first = id;
    }
    if (x.failed()) return x.failure();
    Explanation e = x.take(first);
    if (roots.size() > 1) {
        ExplainStep all;
        all.id = "outputs@" + key;
        all.name = "outputs";
        for (std::uint32_t r : roots) all.uses.push_back(plan.slots[r].name + "@" + key);
        e.root = all.id;
        e.steps.insert(e.steps.begin(), std::move(all));
    }
    return e;
}

}  // namespace

std::optional<std::string> limit_or_requirement(const Plan& plan, std::string_view name) {
    auto named = [&](std::uint32_t node) {
        std::vector<std::string> names;
        auto visit = [&](auto&& self, std::uint32_t n) -> void {
            if (n == none) return;
            const Node& nd = plan.nodes[n];
            if (nd.kind == NodeKind::slot && nd.aux < plan.slots.size() &&
                std::find(names.begin(), names.end(), plan.slots[nd.aux].name) == names.end())
                names.push_back(plan.slots[nd.aux].name);
            for_each_child(plan, nd, [&](std::uint32_t child) { self(self, child); });
        };
        visit(visit, node);
        std::string out;
        for (const auto& n : names) out += (out.empty() ? "" : ", ") + ("--value " + n);
        return out;
    };
    for (const auto& l : plan.limits)
        if (l.name == name) {
            std::string what = named(l.value), bound = named(l.bound);
            return fmt::format("`{}` is a limit, not a definition: explain what it compares, its total ({}){}", name,
                               what.empty() ? "a constant" : what,
                               bound.empty() ? " against a constant bound" : fmt::format(" and its bound ({})", bound));
        }
    for (const auto& r : plan.requirements)
        if (r.name == name) {
            std::string reads = named(r.condition);
            return fmt::format("`{}` is a requirement, not a definition: explain what its condition reads ({}){}", name,
                               reads.empty() ? "constants only" : reads,
                               r.scope == Scope::plan ? "" : fmt::format(", with --director ID for the {} it fails for",
                                                                          plan.directors.noun));
        }
    return std::nullopt;
}

Result<Explanation> explain(const Plan& plan, const dsl::SourceManager& sm, Session& session,
                            const std::string& director_id, const std::string& value) {
    auto ran = session.run();   // a copy: what explaining evaluates cannot change it
    if (!ran) return ran.error();
    return explain(plan, sm, session, *ran, director_id, value);
}

std::optional<Explanation> explain_record(const Plan& plan, const dsl::SourceManager& sm, Session& session,
                                          const Outcome& state, std::size_t k, std::size_t index) {
    if (k >= state.others.size() || index >= state.others[k].records.size()) return std::nullopt;
    int at = 0;
    for (std::size_t j = 0; j < k; ++j) at += static_cast<int>(state.others[j].records.size());
    at += static_cast<int>(index);
    std::vector<std::uint32_t> roots = plan.other_outputs[k];
    if (roots.empty())
        for (std::uint32_t s = 0; s < plan.slots.size(); ++s)
            if (plan.slots[s].scope == other_scope(k) && plan.slots[s].kind == SlotKind::value) roots.push_back(s);
    // Neither (a peer given its TSR): its inputs, each traced to its line, so that what is
    // computed over the records can be re-derived from them.
    if (roots.empty())
        for (std::uint32_t s = 0; s < plan.slots.size(); ++s)
            if (plan.slots[s].scope == other_scope(k) && plan.slots[s].kind == SlotKind::input) roots.push_back(s);
    if (roots.empty()) return std::nullopt;
    const std::string& id = state.others[k].records[index].id;
    Explainer x(plan, sm, session, 0, state, id);
    auto e = derive(x, plan, roots, id, at);
    if (!e) return std::nullopt;
    return std::move(*e);
}

Result<Explanation> explain(const Plan& plan, const dsl::SourceManager& sm, Session& session, const Outcome& state,
                            const std::string& director_id, const std::string& value) {
    std::optional<std::size_t> director;
    for (std::size_t d = 0; d < state.directors.size(); ++d) {
        if (state.directors[d].id == director_id) director = d;
    }
    dsl::Diagnostics diags;
    auto wanted = value.empty() ? std::nullopt : plan.find_slot(value);
    // Records of the further collections (a peer company, a fiscal year) named by the key:
    // (collection, global record index).
    std::vector<std::pair<std::size_t, int>> others;
    if (!director_id.empty()) {
        int global = 0;
        for (std::size_t k = 0; k < state.others.size(); ++k) {
            const auto& records = state.others[k].records;
            for (std::size_t i = 0; i < records.size(); ++i)
                if (records[i].id == director_id) others.emplace_back(k, global + static_cast<int>(i));
            global += static_cast<int>(records.size());
        }
    }
    // A key naming records of several collections: the value asked for says which; without
    // one, the director (the record `--director` names first), else it is unclear.
    if (!others.empty() && (director || others.size() > 1)) {
        if (wanted && plan.slots[*wanted].scope != Scope::plan) {
            Scope sc = plan.slots[*wanted].scope;
            if (is_other(sc)) {
                director.reset();
                std::erase_if(others, [&](const auto& o) { return other_scope(o.first) != sc; });
            } else {
                others.clear();
            }
        } else if (director) {
            others.clear();
        } else {
            std::string which;
            for (const auto& [k, at] : others)
                which += (which.empty() ? "a " : " and a ") + plan.others[k].noun;
            auto& d = diags.error(dsl::SourceRange{}, "`{}` names {}: which one to explain is unclear", director_id, which);
            d.hint = "say which with --value NAME, one of that record's definitions";
            return diags;
        }
    }
    if (!director && !others.empty()) {
        auto [k, at] = others.front();
        const DirectorsSpec& c = plan.others[k];
        std::vector<std::uint32_t> roots = plan.other_outputs[k];
        if (!value.empty()) {
            if (!wanted || (plan.slots[*wanted].scope != other_scope(k) && plan.slots[*wanted].scope != Scope::plan)) {
                diags.error(dsl::SourceRange{}, "no definition `{}` of a {} to explain", value, c.noun);
                return diags;
            }
            roots = {*wanted};
        }
        if (roots.empty()) {
            // No outputs: explain what the plan derives for the record, its values.
            for (std::uint32_t s = 0; s < plan.slots.size(); ++s)
                if (plan.slots[s].scope == other_scope(k) && plan.slots[s].kind == SlotKind::value) roots.push_back(s);
        }
        if (roots.empty()) {
            std::string inputs;
            for (std::uint32_t s = 0; s < plan.slots.size(); ++s)
                if (plan.slots[s].scope == other_scope(k)) inputs += (inputs.empty() ? "" : ", ") + plan.slots[s].name;
            auto& d = diags.error(dsl::SourceRange{}, "the {} `{}` has no outputs or values to explain, only what the inputs give it",
                                  c.noun, director_id);
            d.hint = inputs.empty() ? fmt::format("explain a {} with --director ID", plan.directors.noun)
                                    : fmt::format("explain one of its inputs with --value NAME: {}", inputs);
            return diags;
        }
        Explainer x(plan, sm, session, 0, state, director_id);
        return derive(x, plan, roots, director_id, at);
    }
    // A plan-wide value needs no director.
    if (!director && director_id.empty() && wanted && plan.slots[*wanted].scope == Scope::plan) director = 0;
    if (!director && director_id.empty()) {
        diags.error(dsl::SourceRange{}, "say which {} with --director (or explain a plan-wide value)",
                    plan.directors.noun);
        return diags;
    }
    if (!director) {
        std::string ids;
        for (const auto& d : state.directors) ids += (ids.empty() ? "" : ", ") + d.id;
        auto& d = diags.error(dsl::SourceRange{}, "no {} `{}` in the inputs", plan.directors.noun, director_id);
        d.hint = "the inputs list: " + ids;
        return diags;
    }
    std::vector<std::uint32_t> roots;
    if (value.empty()) {
        roots = plan.director_outputs;
    } else {
        auto slot = plan.find_slot(value);
        if (slot && is_other(plan.slots[*slot].scope)) {
            // A definition of each record of another collection: explained for one of them.
            const std::size_t k = other_index(plan.slots[*slot].scope);
            const DirectorsSpec& spec = plan.others[k];
            auto& d = diags.error(dsl::SourceRange{}, "`{}` is a per-{} definition, not one of {} `{}`", value, spec.noun,
                                  plan.directors.noun, director_id);
            const bool any = k < state.others.size() && !state.others[k].records.empty();
            std::string id = any ? dsl::printable(state.others[k].records.front().id) : std::string("ID");
            if (id.find_first_of(" '\"") != std::string::npos) id = "'" + id + "'";
            d.hint = fmt::format("explain it for a {}: --director {} --value {}", spec.noun, id, value);
            return diags;
        }
        if (!slot || plan.slots[*slot].scope == Scope::grant) {
            if (auto what = limit_or_requirement(plan, value)) {
                diags.error(dsl::SourceRange{}, "{}", *what);
                return diags;
            }
            auto& d = diags.error(dsl::SourceRange{}, "no definition `{}` to explain", value);
            std::string outs;
            for (std::uint32_t s : plan.director_outputs) outs += (outs.empty() ? "" : ", ") + plan.slots[s].name;
            std::string plan_wide;
            for (std::uint32_t s : plan.plan_outputs) plan_wide += (plan_wide.empty() ? "" : ", ") + plan.slots[s].name;
            d.hint = "the outputs are: " + outs + (plan_wide.empty() ? "" : "; plan-wide: " + plan_wide);
            return diags;
        }
        roots.push_back(*slot);
    }
    Explainer x(plan, sm, session, *director, state);
    return derive(x, plan, roots, director_id, -1);
}

}  // namespace hoshu::eval
