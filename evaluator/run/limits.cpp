// One whole evaluation: every output of every record, the limits — pro rata allocation,
// statuses — and the violations, with the requirements' messages.
#include "evaluator/run/evaluator.hpp"

namespace hoshu::eval {

void Evaluator::scale(Rational& v, const Rational& factor, const Allocation& a) {
    // Whole numbers of a whole unit (shares) on 64 bits: v × p/q to a multiple of u is
    // round((v·p) / (q·u)) · u, rounded as Rational::round_to rounds.
    if (auto n = v.to_int64(); n && factor.is_small() && a.unit.is_small()) {
        const auto [p128, q128] = factor.small_parts();
        const auto [u128, one] = a.unit.small_parts();
        std::int64_t num = 0, den = 0, k = 0;
        if (one == 1 && u128 > 0 && p128 >= INT64_MIN && p128 <= INT64_MAX && q128 <= INT64_MAX && u128 <= INT64_MAX &&
            !__builtin_mul_overflow(*n, static_cast<std::int64_t>(p128), &num) &&
            !__builtin_mul_overflow(static_cast<std::int64_t>(q128), static_cast<std::int64_t>(u128), &den)) {
            std::int64_t q = num / den, r = num % den;   // den > 0
            if (r < 0) {
                q -= 1;
                r += den;
            }
            if (r != 0 && a.mode != RoundingMode::down) {
                bool up = true;
                if (a.mode != RoundingMode::up) {
                    const auto twice = static_cast<std::uint64_t>(r) * 2;   // r < den < 2^63
                    up = twice > static_cast<std::uint64_t>(den);
                    if (twice == static_cast<std::uint64_t>(den))
                        up = a.mode == RoundingMode::half_up ? num > 0 : (q & 1) != 0;
                }
                q += up;
            }
            if (!__builtin_mul_overflow(q, static_cast<std::int64_t>(u128), &k)) {
                v = Rational(k);
                return;
            }
        }
    }
    v.set_rounded(v, factor, Rational(1), a.mode, a.unit);
}

void Evaluator::evaluate_all(bool changed_only) {
    // changed_only (after scaling): only the outputs flagged in changed_ are read again,
    // in the same order; the others stand as they are.
    auto read = [&](Value& to, std::uint32_t s, Where w) {
        if (!changed_only || changed_slot_[s]) to = slot(s, w);
    };
    if (!changed_only) out_.plan_outputs.resize(plan_.plan_outputs.size());
    out_.limits.clear();
    out_.violations.clear();
    const std::size_t n_outputs = plan_.director_outputs.size();
    for (std::size_t d = 0; d < records_.size(); ++d) {
        auto& outputs = out_.directors[d].outputs;
        outputs.resize(n_outputs);
        for (std::size_t k = 0; k < n_outputs; ++k)
            read(outputs[k], plan_.director_outputs[k], Where{static_cast<int>(d), -1});
    }
    for (std::size_t k = 0; k < plan_.others.size(); ++k) {
        const auto& outputs = plan_.other_outputs[k];
        for (std::size_t i = 0; i < others_of_[k].size(); ++i) {
            auto& values = out_.others[k].records[i].outputs;
            values.resize(outputs.size());
            for (std::size_t o = 0; o < outputs.size(); ++o) read(values[o], outputs[o], Where{-1, others_of_[k][i]});
        }
    }
    for (std::size_t k = 0; k < plan_.plan_outputs.size(); ++k) read(out_.plan_outputs[k], plan_.plan_outputs[k], {});
    for (std::uint32_t i = 0; i < plan_.limits.size(); ++i) {
        const Limit& l = plan_.limits[i];
        LimitOutcome lo;
        lo.limit = i;
        lo.value = value_of(l.value, {});
        lo.bound = value_of(l.bound, {});
        bool within = l.strict ? lo.value.number < lo.bound.number : lo.value.number <= lo.bound.number;
        lo.status = within ? LimitStatus::ok : LimitStatus::violated;
        out_.limits.push_back(std::move(lo));
    }
}

const Outcome& Evaluator::run() {
    start();
    if (!scale_.empty()) {
        // The last run scaled some outputs: keep the record of what it computed after
        // scaling, and forget them and what depends on them.
        keep_recording();
        std::vector<std::uint32_t> scaled;
        for (const auto& [s, factor] : scale_) scaled.push_back(s);
        scale_.clear();
        invalidate(scaled, {}, true);
    }
    if (replay_on_) replay(false);
    evaluate_all(false);
    if (!overrides_to_check_.empty() || any_recheck_) check_changed_values();
    // Pro rata allocation (one factor per set of outputs): the largest factor with which
    // every limit of the set holds before rounding; each scaled result is then rounded as
    // the limit says, which keeps the limits holding.
    std::map<std::vector<std::uint32_t>, Rational> factors;
    for (const auto& lo : out_.limits) {
        const Limit& l = plan_.limits[lo.limit];
        if (!l.allocation || lo.status == LimitStatus::ok) continue;
        if (lo.bound.number.sign() < 0 || lo.value.number.sign() <= 0)
            fail(l.name_range, fmt::format("limit `{}` cannot be met by scaling: its bound is {}", l.name,
                                           lo.bound.number.to_string()));
        Rational f = lo.bound.number / lo.value.number;
        auto [it, inserted] = factors.emplace(l.allocation->outputs, f);
        if (!inserted && f < it->second) it->second = f;
    }
    if (!factors.empty()) {
        std::vector<bool> bound;
        for (const auto& lo : out_.limits) bound.push_back(lo.status == LimitStatus::violated);
        for (const auto& lo : out_.limits) {
            const Limit& l = plan_.limits[lo.limit];
            if (!l.allocation) continue;
            auto it = factors.find(l.allocation->outputs);
            if (it == factors.end()) continue;
            for (std::uint32_t s : l.allocation->outputs) scale_.emplace(s, std::make_pair(it->second, &*l.allocation));
        }
        // Only what depends on the scaled outputs is computed again (the rest stands);
        // a scaled output is scaled in place, its value before scaling being known —
        // unless it depends on another scaled output, when it is computed again (and
        // scaled by ensure()). What was recorded so far is the evaluation before
        // scaling — what the next path evaluates first too, its scaling undone — so it
        // is kept; what is computed from here on is replayed, and recorded, as a pass of
        // its own.
        std::vector<std::uint32_t> scaled;
        for (const auto& [s, factor] : scale_) scaled.push_back(s);
        keep_recording();
        invalidate(scaled, {}, false);
        const std::size_t n = plan_.slots.size();
        changed_slot_.assign(n, 0);
        for (std::uint32_t s : dirty_list_) changed_slot_[s] = 1;
        for (const auto& [s, factor] : scale_) {
            const bool again = changed_slot_[s];
            changed_slot_[s] = 1;
            if (again) continue;
            const auto [first, last] = rows_of(plan_.slots[s].scope);
            for (std::size_t r = first; r < last; ++r) {
                const std::size_t at = r * n + s;
                if (state_[at] != State::done) continue;   // computed, and scaled, if needed
                scale(memo_[at].number, factor.first, *factor.second);
            }
        }
        if (replay_on_) replay(true);
        // After a replay that gave up and started afresh (and on the first evaluation),
        // every output is read again.
        evaluate_all(!fresh_);
        // The limits that were exceeded before scaling are the ones that bound: they show
        // the factor; the others of the set show their (scaled) value as ok.
        for (std::size_t i = 0; i < out_.limits.size(); ++i) {
            LimitOutcome& lo = out_.limits[i];
            const Limit& l = plan_.limits[lo.limit];
            if (!l.allocation || !bound[i]) continue;
            auto it = factors.find(l.allocation->outputs);
            if (it == factors.end()) continue;
            lo.factor = it->second;
            if (lo.status == LimitStatus::ok) lo.status = LimitStatus::scaled;
        }
    }
    for (const auto& lo : out_.limits) {
        if (lo.status != LimitStatus::violated) continue;
        const Limit& l = plan_.limits[lo.limit];
        auto with_unit = [&](const Value& v) {
            std::string shown = display_value(plan_, out_, l.type, v);
            return l.type.dimensionless() ? shown : shown + " " + plan_.type_name(l.type);
        };
        out_.violations.push_back(Violation{
            l.name, "", fmt::format("{} exceeds the limit of {}", with_unit(lo.value), with_unit(lo.bound)),
            l.sources});
    }
    auto message = [&](const Requirement& r, Where w) {
        std::string m = r.message;
        for (const auto& [name, s] : r.message_slots) {
            std::string shown = display_value(plan_, out_, plan_.slots[s].type, slot(s, w));
            std::string key = "{" + name + "}";
            for (auto at = m.find(key); at != std::string::npos; at = m.find(key, at + shown.size()))
                m.replace(at, key.size(), shown);
        }
        return m;
    };
    for (const auto& r : plan_.requirements) {
        if (r.scope == Scope::plan) {
            if (!eval(r.condition, {}).word) out_.violations.push_back(Violation{r.name, "", message(r, {}), r.sources});
        } else if (r.scope == Scope::director) {
            const auto i = static_cast<std::size_t>(&r - plan_.requirements.data());
            for (std::size_t d = 0; d < records_.size(); ++d) {
                Where w{static_cast<int>(d), -1};
                // Remembered per director until something the condition reads changes.
                std::uint8_t& held = requirement_held_[i * records_.size() + d];
                if (held == 0) held = holds(i, w) ? 1 : 2;
                if (held == 2)
                    out_.violations.push_back(Violation{r.name, out_.directors[d].id, message(r, w), r.sources});
            }
        } else if (is_other(r.scope)) {
            const std::size_t k = other_index(r.scope);
            for (std::size_t i = 0; i < others_of_[k].size(); ++i) {
                Where w{-1, others_of_[k][i]};
                if (!eval(r.condition, w).word)
                    out_.violations.push_back(
                        Violation{r.name, out_.others[k].records[i].id, message(r, w), r.sources});
            }
        } else {
            for (std::size_t g = 0; g < grant_records_.size(); ++g) {
                int d = out_.grant_director[g];
                Where w{d, static_cast<int>(g)};
                if (!eval(r.condition, w).word)
                    out_.violations.push_back(Violation{r.name, out_.directors[static_cast<std::size_t>(d)].id,
                                                        fmt::format("{} (ledger entry {})", message(r, w), g + 1),
                                                        r.sources});
            }
        }
    }
    out_.carried.clear();
    if (options_.carry && !plan_.carries.empty()) carry_records();
    fresh_ = false;
    return out_;
}

}  // namespace hoshu::eval
