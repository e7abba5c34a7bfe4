// What-if runs: overrides of input values, and the definitions they reach — a static
// dependency graph over the IR — forgotten so that only those are recomputed; the plan-wide
// parts of per-record formulas, computed once per evaluation.
#include "evaluator/run/evaluator.hpp"

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"

namespace hoshu::eval {

void Evaluator::build_dependents() {
    if (dependents_built_) return;
    dependents_built_ = true;
    slot_dependents_.assign(plan_.slots.size(), {});
    series_dependents_.assign(plan_.series.size(), {});
    // A definition of a director that reads another of a director outside any aggregate
    // reads it in its own record only (`local`): when that changes for some directors,
    // only theirs is computed again (invalidate_rows()).
    std::vector<std::vector<std::uint32_t>> cross(plan_.slots.size());
    std::vector<std::pair<std::uint32_t, bool>> stack;   // node, under an aggregate
    auto add = [](std::vector<std::uint32_t>& to, std::uint32_t s) {
        if (to.empty() || to.back() != s) to.push_back(s);
    };
    auto director = [&](std::uint32_t s) { return plan_.slots[s].scope == Scope::director; };
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        const Slot& sl = plan_.slots[s];
        stack.clear();
        if (sl.root != none) stack.emplace_back(sl.root, false);
        if (sl.checked != none) stack.emplace_back(sl.checked, false);
        for (const auto& v : sl.versions) stack.emplace_back(v.node, false);
        if (sl.kind == SlotKind::input) {
            if (sl.input.default_node != none) stack.emplace_back(sl.input.default_node, false);
            if (sl.input.low_node != none) stack.emplace_back(sl.input.low_node, false);
            if (sl.input.high_node != none) stack.emplace_back(sl.input.high_node, false);
            for (const auto& step : sl.input.path) {
                if (step.slot != none) {
                    add(slot_dependents_[step.slot], s);
                    add(cross[step.slot], s);
                }
            }
        }
        while (!stack.empty()) {
            auto [n, under] = stack.back();
            stack.pop_back();
            if (n == none) continue;
            const Node& node = plan_.nodes[n];
            const NodeTraits t = traits(node.kind);
            if (t.reads_slot) {
                add(slot_dependents_[node.aux], s);
                if (under || !director(s) || !director(node.aux)) add(cross[node.aux], s);
            }
            if (t.reads_series) add(series_dependents_[node.aux], s);
            const bool inner = under || t.aggregate;
            for_each_child(plan_, node, [&](std::uint32_t c) { stack.emplace_back(c, inner); });
        }
    }
    auto sort_unique = [](std::vector<std::uint32_t>& list) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    };
    slot_dependent_local_.assign(plan_.slots.size(), {});
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        sort_unique(slot_dependents_[s]);
        sort_unique(cross[s]);
        for (std::uint32_t d : slot_dependents_[s])
            slot_dependent_local_[s].push_back(!std::binary_search(cross[s].begin(), cross[s].end(), d));
    }
    for (auto& list : series_dependents_) sort_unique(list);
    // The same for the per-director requirements: those that read a definition of a
    // director outside any aggregate (and nothing else across records).
    requirement_cross_of_slot_.assign(plan_.slots.size(), {});
    for (std::uint32_t i = 0; i < plan_.requirements.size(); ++i) {
        if (plan_.requirements[i].scope != Scope::director) continue;
        stack.assign(1, {plan_.requirements[i].condition, false});
        while (!stack.empty()) {
            auto [n, under] = stack.back();
            stack.pop_back();
            if (n == none) continue;
            const Node& node = plan_.nodes[n];
            const NodeTraits t = traits(node.kind);
            if (t.reads_slot && (under || !director(node.aux))) add(requirement_cross_of_slot_[node.aux], i);
            const bool inner = under || t.aggregate;
            for_each_child(plan_, node, [&](std::uint32_t c) { stack.emplace_back(c, inner); });
        }
    }
    for (auto& list : requirement_cross_of_slot_) sort_unique(list);
}

void Evaluator::recheck_range_of(std::uint32_t s) {
    // A forgotten input whose range is computed: its range is checked again on the next run.
    if (plan_.slots[s].kind == SlotKind::input &&
        (plan_.slots[s].input.low_node != none || plan_.slots[s].input.high_node != none) &&
        s < recheck_range_.size()) {
        recheck_range_[s] = 1;
        any_recheck_ = true;
    }
}

void Evaluator::invalidate(const std::vector<std::uint32_t>& seeds, const std::vector<std::uint32_t>& series,
                           bool seeds_too) {
    build_dependents();
    if (dirty_.size() != plan_.slots.size()) dirty_.assign(plan_.slots.size(), 0);   // all 0 between calls
    auto& dirty = dirty_list_;
    auto& work = work_;
    dirty.clear();
    work.clear();
    auto mark = [&](std::uint32_t s) {
        if (!dirty_[s]) {
            dirty_[s] = 1;
            dirty.push_back(s);
            work.push_back(s);
        }
    };
    if (seeds_too) {
        for (auto s : seeds) mark(s);
    } else {
        work.assign(seeds.begin(), seeds.end());
    }
    for (auto i : series) {
        for (auto s : series_dependents_[i]) mark(s);
        if (i < hoists_of_series_.size())
            for (auto k : hoists_of_series_[i]) hoist_valid_[k] = 0;
        if (i < requirements_of_series_.size())
            for (auto r : requirements_of_series_[i]) forget_requirement(r);
    }
    while (!work.empty()) {
        std::uint32_t s = work.back();
        work.pop_back();
        for (auto d : slot_dependents_[s]) mark(d);
        if (s < hoists_of_slot_.size())
            for (auto k : hoists_of_slot_[s]) hoist_valid_[k] = 0;
        if (s < requirements_of_slot_.size())
            for (auto r : requirements_of_slot_[s]) forget_requirement(r);
        if (s == plan_.as_of_slot && as_of_) {
            // Which version of each param is in force may have changed.
            as_of_.reset();
            for (std::uint32_t p = 0; p < plan_.slots.size(); ++p) {
                if (plan_.slots[p].kind == SlotKind::param) mark(p);
            }
        }
    }
    const std::size_t n = plan_.slots.size();
    for (auto s : dirty) {
        dirty_[s] = 0;
        recheck_range_of(s);
        const auto [first, last] = rows_of(plan_.slots[s].scope);
        for (std::size_t r = first; r < last; ++r) {
            auto& st = state_[r * n + s];
            if (st != State::running) st = State::pending;
        }
    }
}

void Evaluator::invalidate_rows(const std::vector<std::uint32_t>& seeds, const std::vector<std::uint8_t>& seed_rows,
                                const std::vector<std::uint32_t>& whole) {
    build_dependents();
    const std::size_t n = plan_.slots.size(), directors = records_.size();
    row_marks_.assign(n * directors, 0);
    all_rows_.assign(n, 0);
    if (dirty_.size() != n) dirty_.assign(n, 0);   // all 0 between calls
    auto& dirty = dirty_list_;
    auto& work = work_;
    dirty.clear();
    work.clear();
    // listed_ (dirty_): in the worklist now. A definition met again with more records is
    // worked through again.
    auto push = [&](std::uint32_t s) {
        if (!dirty_[s]) {
            dirty_[s] = 1;
            work.push_back(s);
        }
    };
    auto reached = [&](std::uint32_t t) {
        if (!reached_[t]) {
            reached_[t] = 1;
            dirty.push_back(t);
        }
    };
    if (reached_.size() != n) reached_.assign(n, 0);   // all 0 between calls
    auto mark_all = [&](std::uint32_t t) {
        if (all_rows_[t]) return;
        all_rows_[t] = 1;
        reached(t);
        push(t);
    };
    auto rows_of_slot = [&](std::uint32_t s) { return row_marks_.data() + static_cast<std::size_t>(s) * directors; };
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        const std::uint32_t s = seeds[i];
        if (plan_.slots[s].scope == Scope::director) {
            const auto first = seed_rows.begin() + static_cast<std::ptrdiff_t>(i * directors);
            if (std::find(first, first + static_cast<std::ptrdiff_t>(directors), 1) == first + static_cast<std::ptrdiff_t>(directors))
                continue;   // changed in no record
            std::copy(first, first + static_cast<std::ptrdiff_t>(directors), rows_of_slot(s));
        } else {
            all_rows_[s] = 1;
        }
        push(s);
    }
    for (std::uint32_t s : whole) mark_all(s);
    while (!work.empty()) {
        const std::uint32_t s = work.back();
        work.pop_back();
        dirty_[s] = 0;
        const std::uint8_t* from = rows_of_slot(s);
        const auto& dependents = slot_dependents_[s];
        for (std::size_t i = 0; i < dependents.size(); ++i) {
            const std::uint32_t t = dependents[i];
            if (all_rows_[t]) continue;
            if (all_rows_[s] || !slot_dependent_local_[s][i]) {
                mark_all(t);
                continue;
            }
            std::uint8_t* to = rows_of_slot(t);
            bool grew = false;
            for (std::size_t d = 0; d < directors; ++d) {
                if (from[d] && !to[d]) {
                    to[d] = 1;
                    grew = true;
                }
            }
            if (grew) {
                reached(t);
                push(t);
            }
        }
        if (s < hoists_of_slot_.size())
            for (auto k : hoists_of_slot_[s]) hoist_valid_[k] = 0;
        if (s < requirements_of_slot_.size()) {
            const auto& cross = requirement_cross_of_slot_[s];
            for (auto r : requirements_of_slot_[s]) {
                if (all_rows_[s] || plan_.requirements[r].scope != Scope::director ||
                    std::binary_search(cross.begin(), cross.end(), r)) {
                    forget_requirement(r);
                } else {
                    for (std::size_t d = 0; d < directors; ++d)
                        if (from[d]) requirement_held_[r * directors + d] = 0;
                }
            }
        }
        if (s == plan_.as_of_slot && as_of_) {
            as_of_.reset();
            for (std::uint32_t p = 0; p < n; ++p) {
                if (plan_.slots[p].kind == SlotKind::param) mark_all(p);
            }
        }
    }
    for (auto t : dirty) {
        reached_[t] = 0;
        recheck_range_of(t);
        const auto [first, last] = rows_of(plan_.slots[t].scope);
        const std::uint8_t* marks = rows_of_slot(t);
        for (std::size_t r = first; r < last; ++r) {
            if (!all_rows_[t] && !marks[r - 1]) continue;   // only a director's are marked by record
            auto& st = state_[r * n + t];
            if (st != State::running) st = State::pending;
        }
    }
}

void Evaluator::build_hoists() {
    const std::size_t n_nodes = plan_.nodes.size();
    hoist_of_node_.assign(n_nodes, none);
    hoists_of_slot_.assign(plan_.slots.size(), {});
    hoists_of_series_.assign(plan_.series.size(), {});
    auto children = [&](const Node& node, auto&& f) { for_each_child(plan_, node, f); };
    // Whether a subexpression reads only plan-wide definitions (memoised per node).
    std::vector<std::int8_t> known(n_nodes, -1);
    auto invariant = [&](auto&& self, std::uint32_t n) -> bool {
        if (n == none) return true;
        if (known[n] >= 0) return known[n] != 0;
        const Node& node = plan_.nodes[n];
        const NodeTraits t = traits(node.kind);
        bool r = !t.aggregate;
        if (t.reads_slot) r = plan_.slots[node.aux].scope == Scope::plan;
        children(node, [&](std::uint32_t c) { r = self(self, c) && r; });
        known[n] = r ? 1 : 0;
        return r;
    };
    auto trivial = [&](std::uint32_t n) {
        auto k = plan_.nodes[n].kind;
        return k == NodeKind::constant || k == NodeKind::slot || k == NodeKind::present;
    };
    // Record `k` in the lists of every definition and series the expression at `root` reads.
    using Lists = std::vector<std::vector<std::uint32_t>>;
    auto record_reads = [&](std::uint32_t root, std::uint32_t k, Lists& of_slot, Lists& of_series) {
        std::vector<std::uint32_t> stack{root};
        while (!stack.empty()) {
            std::uint32_t n = stack.back();
            stack.pop_back();
            if (n == none) continue;
            const Node& node = plan_.nodes[n];
            const NodeTraits t = traits(node.kind);
            if (t.reads_slot) of_slot[node.aux].push_back(k);
            if (t.reads_series) of_series[node.aux].push_back(k);
            children(node, [&](std::uint32_t c) { stack.push_back(c); });
        }
    };
    auto reads = [&](std::uint32_t root, std::uint32_t k) { record_reads(root, k, hoists_of_slot_, hoists_of_series_); };
    auto mark = [&](auto&& self, std::uint32_t n) -> void {
        if (n == none) return;
        if (!trivial(n) && invariant(invariant, n)) {
            if (hoist_of_node_[n] != none) return;
            auto k = static_cast<std::uint32_t>(hoist_value_.size());
            hoist_of_node_[n] = k;
            hoist_value_.emplace_back();
            reads(n, k);
            return;
        }
        children(plan_.nodes[n], [&](std::uint32_t c) { self(self, c); });
    };
    for (const Slot& sl : plan_.slots) {
        if (sl.scope == Scope::plan) continue;
        if (sl.kind == SlotKind::value || sl.kind == SlotKind::output)
            mark(mark, sl.checked != none ? sl.checked : sl.root);
        if (sl.kind == SlotKind::input) mark(mark, sl.input.default_node);
    }
    // Limits and plan-wide requirements are evaluated plan-wide only: their expressions
    // (sums over directors, typically) are remembered like definitions.
    auto whole = [&](std::uint32_t n) {
        if (n == none || trivial(n) || hoist_of_node_[n] != none) return;
        auto k = static_cast<std::uint32_t>(hoist_value_.size());
        hoist_of_node_[n] = k;
        hoist_value_.emplace_back();
        reads(n, k);
    };
    for (const Limit& l : plan_.limits) {
        whole(l.value);
        whole(l.bound);
    }
    for (const Requirement& r : plan_.requirements) {
        if (r.scope == Scope::plan) whole(r.condition);
    }
    requirement_held_.assign(plan_.requirements.size() * records_.size(), 0);
    requirements_of_slot_.assign(plan_.slots.size(), {});
    requirements_of_series_.assign(plan_.series.size(), {});
    for (std::uint32_t i = 0; i < plan_.requirements.size(); ++i) {
        if (plan_.requirements[i].scope == Scope::director)
            record_reads(plan_.requirements[i].condition, i, requirements_of_slot_, requirements_of_series_);
    }
    hoist_valid_.assign(hoist_value_.size(), 0);
    if (hoist_value_.empty()) hoist_of_node_.clear();
}

void Evaluator::set_overrides(std::span<const InputOverride> overrides) {
    auto& changed = changed_;
    changed.clear();
    bool same_places = overrides.size() == overrides_.size();
    for (std::size_t i = 0; same_places && i < overrides.size(); ++i) same_places = overrides[i].node.ptr == overrides_[i].node.ptr;
    if (same_places) {
        for (std::size_t i = 0; i < overrides.size(); ++i) {
            InputOverride& old = overrides_[i];
            const InputOverride& now = overrides[i];
            if (old.text != now.text || old.number != now.number) changed.push_back(now.node.ptr);
            old.text = now.text;
            old.number = now.number;
            old.where = now.where;
        }
    } else {
        for (const auto& o : overrides_) changed.push_back(o.node.ptr);
        overrides_.assign(overrides.begin(), overrides.end());
        override_index_.clear();
        for (std::size_t i = 0; i < overrides_.size(); ++i) {
            override_index_[overrides_[i].node.ptr] = i;
            changed.push_back(overrides_[i].node.ptr);
        }
    }
    if (changed.empty() || !started_) return;
    // Values overridden are checked like the file's, read or not (on the next run).
    overrides_to_check_.insert(overrides_to_check_.end(), changed.begin(), changed.end());
    auto& slots = seed_slots_;
    auto& series = seed_series_;
    slots.clear();
    series.clear();
    if (series_changed_.size() < plan_.series.size()) series_changed_.resize(plan_.series.size());
    const std::size_t n = plan_.slots.size();
    for (const void* p : changed) {
        if (auto it = input_reads_.find(p); it != input_reads_.end()) {
            for (std::size_t at : it->second) {
                if (state_[at] != State::running) state_[at] = State::pending;
                slots.push_back(static_cast<std::uint32_t>(at % n));
            }
        }
        if (auto it = series_reads_.find(p); it != series_reads_.end()) {
            const SeriesRead& read = it->second;
            if (read.date) {
                series_.erase(read.series);   // the order may change: read it all again
                series_changed_[read.series].clear();
            } else if (series_.count(read.series)) {
                series_changed_[read.series].push_back(p);
            }
            series.push_back(read.series);
        }
    }
    invalidate(slots, series, false);
}

}  // namespace hoshu::eval
