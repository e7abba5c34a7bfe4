// One whole evaluation: every output of every record, the limits — pro rata allocation,
// statuses — and the violations, with the requirements' messages.
#include "evaluator/run/evaluator.hpp"

namespace hoshu::eval {

Evaluator::ScaledOutput Evaluator::scaled_by(std::uint32_t s, const Rational& factor, const Allocation& a) {
    ScaledOutput o{s, factor, &a};
    // v × p/q to a multiple of u is round((v·p) / (q·u)) · u: on 64 bits when p, q·u and
    // u fit (and, per value, v·p and the result).
    if (factor.is_small() && a.unit.is_small()) {
        const auto [p, q] = factor.small_parts();
        const auto [u, one] = a.unit.small_parts();
        std::int64_t den = 0;
        if (one == 1 && u > 0 && p >= INT64_MIN && p <= INT64_MAX && q <= INT64_MAX && u <= INT64_MAX &&
            !__builtin_mul_overflow(static_cast<std::int64_t>(q), static_cast<std::int64_t>(u), &den)) {
            o.small = true;
            o.p = static_cast<std::int64_t>(p);
            o.den = den;
            o.unit = static_cast<std::int64_t>(u);
        }
    }
    return o;
}

bool Evaluator::scale(Rational& v, const ScaledOutput& o) {
    if (auto n = v.to_int64(); n && o.small) {
        std::int64_t num = 0, k = 0;
        if (!__builtin_mul_overflow(*n, o.p, &num)) {
            // Rounded as Rational::round_to rounds.
            std::int64_t q = num / o.den, r = num % o.den;   // den > 0
            if (r < 0) {
                q -= 1;
                r += o.den;
            }
            const RoundingMode mode = o.allocation->mode;
            if (r != 0 && mode != RoundingMode::down) {
                bool up = true;
                if (mode != RoundingMode::up) {
                    const auto twice = static_cast<std::uint64_t>(r) * 2;   // r < den < 2^63
                    up = twice > static_cast<std::uint64_t>(o.den);
                    if (twice == static_cast<std::uint64_t>(o.den))
                        up = mode == RoundingMode::half_up ? num > 0 : (q & 1) != 0;
                }
                q += up;
            }
            if (!__builtin_mul_overflow(q, o.unit, &k)) {
                if (k == *n) return false;
                v = Rational(k);
                return true;
            }
        }
    }
    Rational scaled;
    scaled.set_rounded(v, o.factor, Rational(1), o.allocation->mode, o.allocation->unit);
    if (scaled == v) return false;
    v = std::move(scaled);
    return true;
}

void Evaluator::find_scaled_again() {
    if (scaled_again_key_ == scaled_slots_ && scaled_again_.size() == scale_.size()) return;
    // Known for this set of scaled outputs: which of them depend on another.
    build_dependents();
    scaled_again_key_ = scaled_slots_;
    std::vector<std::uint8_t> seen(plan_.slots.size(), 0);
    std::vector<std::uint32_t> work;
    for (std::uint32_t s : scaled_slots_)
        for (std::uint32_t t : slot_dependents_[s]) work.push_back(t);
    while (!work.empty()) {
        const std::uint32_t s = work.back();
        work.pop_back();
        if (seen[s]) continue;
        seen[s] = 1;
        for (std::uint32_t t : slot_dependents_[s]) work.push_back(t);
    }
    scaled_again_.clear();
    for (std::uint32_t s : scaled_slots_) scaled_again_.push_back(seen[s]);
}

void Evaluator::evaluate_all(bool changed_only) {
    const std::size_t n_outputs = plan_.director_outputs.size();
    if (changed_only) {
        // After scaling: only the outputs flagged in changed_slot_ are read again, in the
        // same order; the others stand as they are.
        changed_outputs_.clear();
        for (std::size_t k = 0; k < n_outputs; ++k)
            if (changed_slot_[plan_.director_outputs[k]]) changed_outputs_.push_back(k);
        for (std::size_t d = 0; d < records_.size(); ++d) {
            auto& outputs = out_.directors[d].outputs;
            for (std::size_t k : changed_outputs_) outputs[k] = slot(plan_.director_outputs[k], Where{static_cast<int>(d), -1});
        }
        for (std::size_t k = 0; k < plan_.others.size(); ++k) {
            const auto& outputs = plan_.other_outputs[k];
            for (std::size_t i = 0; i < others_of_[k].size(); ++i) {
                auto& values = out_.others[k].records[i].outputs;
                for (std::size_t o = 0; o < outputs.size(); ++o)
                    if (changed_slot_[outputs[o]]) values[o] = slot(outputs[o], Where{-1, others_of_[k][i]});
            }
        }
        for (std::size_t k = 0; k < plan_.plan_outputs.size(); ++k)
            if (changed_slot_[plan_.plan_outputs[k]]) out_.plan_outputs[k] = slot(plan_.plan_outputs[k], {});
    } else {
        for (std::size_t d = 0; d < records_.size(); ++d) {
            auto& outputs = out_.directors[d].outputs;
            outputs.resize(n_outputs);
            for (std::size_t k = 0; k < n_outputs; ++k) outputs[k] = slot(plan_.director_outputs[k], Where{static_cast<int>(d), -1});
        }
        for (std::size_t k = 0; k < plan_.others.size(); ++k) {
            const auto& outputs = plan_.other_outputs[k];
            for (std::size_t i = 0; i < others_of_[k].size(); ++i) {
                auto& values = out_.others[k].records[i].outputs;
                values.resize(outputs.size());
                for (std::size_t o = 0; o < outputs.size(); ++o) values[o] = slot(outputs[o], Where{-1, others_of_[k][i]});
            }
        }
        out_.plan_outputs.resize(plan_.plan_outputs.size());
        for (std::size_t k = 0; k < plan_.plan_outputs.size(); ++k) out_.plan_outputs[k] = slot(plan_.plan_outputs[k], {});
    }
    // The limits, written over the last run's.
    out_.limits.resize(plan_.limits.size());
    for (std::uint32_t i = 0; i < plan_.limits.size(); ++i) {
        const Limit& l = plan_.limits[i];
        LimitOutcome& lo = out_.limits[i];
        lo.limit = i;
        lo.value = value_of(l.value, {});
        lo.bound = value_of(l.bound, {});
        lo.factor.reset();
        lo.before.reset();
        bool within = l.strict ? lo.value.number < lo.bound.number : lo.value.number <= lo.bound.number;
        lo.status = within ? LimitStatus::ok : LimitStatus::violated;
    }
}

const Outcome& Evaluator::run() {
    start();
    try {
        return evaluate_started();
    } catch (EvalFailure& f) {
        // One input missing, or one value that cannot be computed (a division by zero for a
        // director): every other one the evaluation meets is named with it, so that the
        // inputs are put right at one go.
        reset();
        add_failures(f.diags, max_input_errors, Failures::all);
        if (f.diags.error_count() >= max_input_errors)
            f.diags.note(SourceRange{}, "stopped after {} problems in {}", max_input_errors, in_.path());
        throw;
    }
}

const Outcome& Evaluator::evaluate_started() {
    if (!scale_.empty()) {
        // The last run scaled some outputs: keep the record of what it computed after
        // scaling, and forget them and what depends on them.
        keep_recording();
        scaled_slots_.clear();
        for (const auto& o : scale_) scaled_slots_.push_back(o.slot);
        scale_.clear();
        invalidate(scaled_slots_, {}, true);
    }
    if (replay_on_) replay(false);
    evaluate_all(false);
    if (!overrides_to_check_.empty() || any_recheck_) check_changed_values();
    // Pro rata allocation (one factor per set of outputs): the largest factor with which
    // every limit of the set holds before rounding; each scaled result is then rounded as
    // the limit says, which keeps the limits holding.
    auto factor_of = [&](const std::vector<std::uint32_t>& outputs) -> Rational* {
        for (auto& [set, f] : factors_)
            if (*set == outputs) return &f;
        return nullptr;
    };
    factors_.clear();
    for (const auto& lo : out_.limits) {
        const Limit& l = plan_.limits[lo.limit];
        if (!l.allocation || lo.status == LimitStatus::ok) continue;
        if (lo.bound.number.sign() < 0 || lo.value.number.sign() <= 0)
            fail(l.name_range, fmt::format("limit `{}` cannot be met by scaling: its bound is {}", l.name,
                                           lo.bound.number.to_string()));
        Rational f = lo.bound.number / lo.value.number;
        if (Rational* known = factor_of(l.allocation->outputs)) {
            if (f < *known) *known = std::move(f);
        } else {
            factors_.emplace_back(&l.allocation->outputs, std::move(f));
        }
    }
    if (!factors_.empty()) {
        bound_.clear();
        before_.clear();
        for (const auto& lo : out_.limits) {
            bound_.push_back(lo.status == LimitStatus::violated);
            before_.push_back(lo.value.number);
        }
        for (const auto& lo : out_.limits) {
            const Limit& l = plan_.limits[lo.limit];
            if (!l.allocation) continue;
            const Rational* f = factor_of(l.allocation->outputs);
            if (!f) continue;
            for (std::uint32_t s : l.allocation->outputs)
                if (!scaled_output(s)) scale_.push_back(scaled_by(s, *f, *l.allocation));
        }
        // Only what depends on the scaled outputs is computed again (the rest stands);
        // a scaled output is scaled in place, its value before scaling being known —
        // unless it depends on another scaled output, when it is computed again (and
        // scaled by ensure()). What was recorded so far is the evaluation before
        // scaling — what the next path evaluates first too, its scaling undone — so it
        // is kept; what is computed from here on is replayed, and recorded, as a pass of
        // its own.
        // A director's definitions that read a scaled output in its own record only are
        // computed again only for the directors whose output scaling changed (not those
        // of no shares, say).
        scaled_slots_.clear();
        for (const auto& o : scale_) scaled_slots_.push_back(o.slot);
        keep_recording();
        find_scaled_again();
        const std::size_t n = plan_.slots.size(), directors = records_.size();
        in_place_.clear();
        again_slots_.clear();
        in_place_rows_.clear();
        reread_.clear();
        if (output_index_.size() != n) {
            output_index_.assign(n, none);
            for (std::size_t k = 0; k < plan_.director_outputs.size(); ++k)
                output_index_[plan_.director_outputs[k]] = static_cast<std::uint32_t>(k);
        }
        for (std::size_t i = 0; i < scale_.size(); ++i) {
            const ScaledOutput& o = scale_[i];
            if (scaled_again_[i]) {
                again_slots_.push_back(o.slot);
                continue;
            }
            in_place_.push_back(o.slot);
            in_place_rows_.resize(in_place_rows_.size() + directors, 0);
            std::uint8_t* changed = in_place_rows_.data() + in_place_rows_.size() - directors;
            const bool by_director = plan_.slots[o.slot].scope == Scope::director;
            // A director's output is written to the outcome here, not read again.
            const std::size_t k = by_director && !fresh_ ? output_index_[o.slot] : none;
            const auto [first, last] = rows_of(plan_.slots[o.slot].scope);
            for (std::size_t r = first; r < last; ++r) {
                const std::size_t at = r * n + o.slot;
                if (state_[at] != State::done) {
                    // Computed, and scaled, when needed; read again, and changed.
                    if (by_director) changed[r - first] = 1;
                    reread_.push_back(o.slot);
                    continue;
                }
                if (memo_[at].number.is_zero() || !scale(memo_[at].number, o)) continue;   // 0 stays 0
                if (by_director) changed[r - first] = 1;
                if (k != none) out_.directors[r - first].outputs[k] = memo_[at];
                else reread_.push_back(o.slot);
            }
        }
        invalidate_rows(in_place_, in_place_rows_, again_slots_);
        changed_slot_.assign(n, 0);
        for (std::uint32_t s : dirty_list_) changed_slot_[s] = 1;
        for (std::uint32_t s : reread_) changed_slot_[s] = 1;
        if (replay_on_) replay(true);
        // After a replay that gave up and started afresh (and on the first evaluation),
        // every output is read again.
        evaluate_all(!fresh_);
        // The limits that were exceeded before scaling are the ones that bound: they show
        // the factor; the others of the set show their (scaled) value as ok.
        for (std::size_t i = 0; i < out_.limits.size(); ++i) {
            LimitOutcome& lo = out_.limits[i];
            const Limit& l = plan_.limits[lo.limit];
            if (!l.allocation || !bound_[i]) continue;
            const Rational* f = factor_of(l.allocation->outputs);
            if (!f) continue;
            lo.factor = *f;
            lo.before = before_[i];
            if (lo.status == LimitStatus::ok) lo.status = LimitStatus::scaled;
        }
    }
    // The violations are written over those of the last run (their texts' room reused).
    // What each was written from is kept beside it (violation_from_): the same rule of the
    // same record needs no copy of its name and sources.
    std::size_t n_violations = 0;
    auto violation = [&](const std::string& rule, const std::string& record,
                         const std::vector<Citation>& sources) -> std::string& {
        if (n_violations == out_.violations.size()) {
            out_.violations.emplace_back();
            violation_from_.emplace_back(nullptr, nullptr);
        }
        Violation& v = out_.violations[n_violations];
        auto& from = violation_from_[n_violations++];
        if (from.first != &rule || from.second != &record) {
            v.rule = rule;
            v.director = record;
            v.sources = sources;
            from = {&rule, &record};
        }
        return v.message;
    };
    limit_messages_.resize(plan_.limits.size());
    for (const auto& lo : out_.limits) {
        if (lo.status != LimitStatus::violated) continue;
        const Limit& l = plan_.limits[lo.limit];
        LimitMessage& shown = limit_messages_[lo.limit];
        if (!shown.known || lo.value.number != shown.value.number || lo.value.word != shown.value.word ||
            lo.bound.number != shown.bound.number || lo.bound.word != shown.bound.word) {
            auto with_unit = [&](const Value& v) { return display_with_unit(plan_, out_, l.type, v); };
            // (A strict limit's value on the bound itself does not exceed it: it fails to stay below.)
            const bool on_bound = l.strict && lo.value.number == lo.bound.number && lo.value.word == lo.bound.word;
            shown.text = on_bound ? fmt::format("{} is not below the limit of {} (`<`: the bound itself is not allowed)",
                                                with_unit(lo.value), with_unit(lo.bound))
                                  : fmt::format("{} exceeds the limit of {}", with_unit(lo.value), with_unit(lo.bound));
            shown.value = lo.value;
            shown.bound = lo.bound;
            shown.known = true;
        }
        std::string& message = violation(l.name, empty_, l.sources);
        if (message != shown.text) message = shown.text;
    }
    auto message = [&](const Requirement& r, Where w) {
        std::string m = r.message;
        for (const auto& [name, s] : r.message_slots) {
            // As the results table shows the value, with its unit: `35 months`, `2.50 GBP per share`.
            std::string shown = display_with_unit(plan_, out_, plan_.slots[s].type, slot(s, w));
            std::string key = "{" + name + "}";
            for (auto at = m.find(key); at != std::string::npos; at = m.find(key, at + shown.size()))
                m.replace(at, key.size(), shown);
        }
        return m;
    };
    for (const auto& r : plan_.requirements) {
        if (r.scope == Scope::plan) {
            if (!eval(r.condition, {}).word) violation(r.name, empty_, r.sources) = message(r, {});
        } else if (r.scope == Scope::director) {
            const auto i = static_cast<std::size_t>(&r - plan_.requirements.data());
            for (std::size_t d = 0; d < records_.size(); ++d) {
                Where w{static_cast<int>(d), -1};
                // Remembered per director until something the condition reads changes.
                std::uint8_t& held = requirement_held_[i * records_.size() + d];
                if (held == 0) held = holds(i, w) ? 1 : 2;
                if (held == 2) violation(r.name, out_.directors[d].id, r.sources) = message(r, w);
            }
        } else if (is_other(r.scope)) {
            const std::size_t k = other_index(r.scope);
            for (std::size_t i = 0; i < others_of_[k].size(); ++i) {
                Where w{-1, others_of_[k][i]};
                if (!eval(r.condition, w).word) violation(r.name, out_.others[k].records[i].id, r.sources) = message(r, w);
            }
        } else {
            for (std::size_t g = 0; g < grant_records_.size(); ++g) {
                int d = out_.grant_director[g];
                Where w{d, static_cast<int>(g)};
                if (!eval(r.condition, w).word)
                    violation(r.name, out_.directors[static_cast<std::size_t>(d)].id, r.sources) =
                        fmt::format("{} ({} {} of `{}`)", message(r, w), plan_.grants.noun, g + 1,
                                    plan_.grants.input.path_text);
            }
        }
    }
    out_.violations.resize(n_violations);
    violation_from_.resize(n_violations);
    out_.carried.clear();
    if (options_.carry && !plan_.carries.empty()) carry_records();
    fresh_ = false;
    return out_;
}

}  // namespace hoshu::eval
