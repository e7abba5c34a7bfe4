// One whole evaluation: every output of every record, the limits — pro rata allocation,
// statuses — and the violations, with the requirements' messages.
#include "evaluator/run/evaluator.hpp"

namespace hoshu::eval {

void Evaluator::evaluate_all() {
    out_.plan_outputs.clear();
    out_.limits.clear();
    out_.violations.clear();
    const std::size_t n_outputs = plan_.director_outputs.size();
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
    for (std::uint32_t s : plan_.plan_outputs) out_.plan_outputs.push_back(slot(s, {}));
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
        // The last run scaled some outputs: forget them and what depends on them.
        std::vector<std::uint32_t> scaled;
        for (const auto& [s, factor] : scale_) scaled.push_back(s);
        scale_.clear();
        invalidate(scaled, {}, true);
    }
    if (replay_on_) replay();
    evaluate_all();
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
        // Only the scaled outputs and what depends on them are computed again (the rest
        // stands). What was recorded so far is the evaluation before scaling — what the
        // next path evaluates first too, its scaling undone — so it is kept, and the
        // scaled outputs are not recorded.
        std::vector<std::uint32_t> scaled;
        for (const auto& [s, factor] : scale_) scaled.push_back(s);
        keep_recording();
        invalidate(scaled, {}, true);
        evaluate_all();
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
