// RS II + RS III for one director (the worked example of PRODUCT.md §3): through hoshu's
// evaluator, and through a hand-written exact C++ function of the same formulas. Both
// must agree before either is timed; a fast wrong answer is a failure.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"

namespace {

using hoshu::eval::Rational;

const char* const worked_example = R"(
fiscal_year  = "FY2024"
period_start = 2024-04-01
grant_date   = 2025-06-26
committee_consulted_on = 2025-05-20
ledger = []
[midterm]
years = ["FY2024", "FY2025", "FY2026"]
start = 2024-04-01
[years.FY2023]
revenue          = 276_100_000_000
operating_profit =  29_000_000_000
[years.FY2024]
revenue          = 316_800_000_000
operating_profit =  30_100_000_000
engagement_index = 71.5
[targets.FY2024]
revenue          = 310_000_000_000
operating_profit =  33_500_000_000
[midterm_targets.FY2024]
revenue          = 320_000_000_000
operating_profit =  34_000_000_000
engagement_index = 70
[[prices]]
date  = 2024-03-29
close = 2_850
[[prices]]
date  = 2025-06-25
close = 3_020
[[directors]]
id               = "D03"
role             = "executive"
monthly_fixed    = 4_000_000
months_in_office = 12
division_score   = 0.95
)";

// ---- the hand-written reference: the same formulas as rules/iij, in plain C++ -------

struct Figures {
    Rational revenue, operating_profit, previous_revenue, previous_operating_profit;
    Rational revenue_budget, revenue_budget_low, operating_profit_budget, operating_profit_budget_low;
    Rational target_point;
    Rational midterm_revenue_target, midterm_operating_profit_target, engagement, engagement_target;
    Rational monthly_fixed, division_score;
    Rational base_price, midterm_base_price, grant_price;
    bool executive = true;
    std::optional<int> left_on;                         // days
    int grant_day = 0, base_close_day = 0;
    std::vector<std::pair<int, Rational>> splits;       // (day, ratio)
    std::string year = "FY2024", final_year = "FY2026";
    std::optional<Rational> roe, roe_target;
};

Rational pct(std::int64_t p) { return Rational::fraction(p, 100); }

Rational linear(const Rational& x, const Rational& lo, const Rational& hi, const Rational& v0, const Rational& v1) {
    return v0 + (x - lo) * (v1 - v0) / (hi - lo);
}

Rational achievement(const Rational& a) {   // P1
    if (a < pct(80)) return 0;
    if (a <= pct(100)) return linear(a, pct(80), pct(100), pct(50), pct(100));
    if (a <= pct(120)) return linear(a, pct(100), pct(120), pct(100), pct(120));
    return pct(120);
}

Rational growth(const Rational& g) {   // P2
    if (g < pct(90)) return pct(50);
    if (g < pct(100)) return pct(80);
    if (g < pct(110)) return pct(100);
    return pct(110);
}

Rational midterm_score(const Rational& a) {   // P3
    if (a < pct(80)) return 0;
    if (a <= pct(100)) return linear(a, pct(80), pct(100), pct(50), pct(100));
    if (a <= pct(125)) return linear(a, pct(100), pct(125), pct(100), pct(125));
    return pct(125);
}

Rational clamp01(const Rational& x) { return x < Rational(0) ? Rational(0) : x > Rational(1) ? Rational(1) : x; }

Rational capped(const Rational& formula_shares, const Rational& base_price, const Rational& grant_price) {
    if (grant_price > Rational(2) * base_price)
        return (formula_shares * (Rational(2) * base_price) / grant_price).floor();
    return formula_shares;
}

/// Product of the split ratios effective after `after`, up to and including `up_to` (P10).
Rational split_product(const std::vector<std::pair<int, Rational>>& splits, int after, int up_to) {
    Rational p = 1;
    for (const auto& [day, ratio] : splits) {
        if (after < day && day <= up_to) p *= ratio;
    }
    return p;
}

std::pair<Rational, Rational> hand_written(const Figures& f) {
    // The same steps as the rules: who receives RS, split-adjusted base prices, the
    // final year's gates and ceiling.
    bool receives_rs = f.executive && (!f.left_on || *f.left_on >= f.grant_day);
    Rational base_price = f.base_price / split_product(f.splits, f.base_close_day, f.grant_day);
    Rational midterm_base_price = f.midterm_base_price / split_product(f.splits, f.base_close_day, f.grant_day);
    bool final_year = f.year == f.final_year;
    bool gates = final_year && f.roe && f.roe_target && *f.roe >= *f.roe_target;
    Rational ceiling = gates ? pct(125) : Rational(1);
    Rational revenue_target = f.revenue_budget_low + f.target_point * (f.revenue_budget - f.revenue_budget_low);
    Rational op_target = f.operating_profit_budget_low +
                         f.target_point * (f.operating_profit_budget - f.operating_profit_budget_low);
    Rational annual_rate = clamp01(achievement(f.revenue / revenue_target) * growth(f.revenue / f.previous_revenue) *
                                   achievement(f.operating_profit / op_target) *
                                   growth(f.operating_profit / f.previous_operating_profit));
    Rational base_comp = f.monthly_fixed * Rational(4);
    Rational annual = receives_rs ? capped((base_comp * annual_rate / base_price).floor(), base_price, f.grant_price)
                                  : Rational(0);

    Rational company = pct(30) * midterm_score(f.revenue / f.midterm_revenue_target) +
                       pct(30) * midterm_score(f.operating_profit / f.midterm_operating_profit_target) +
                       pct(15) * midterm_score(f.engagement / f.engagement_target);
    Rational midterm_rate = company + pct(25) * f.division_score;
    midterm_rate = midterm_rate < Rational(0) ? Rational(0) : midterm_rate > ceiling ? ceiling : midterm_rate;
    Rational midterm = receives_rs ? capped((base_comp * midterm_rate / midterm_base_price).floor(),
                                            midterm_base_price, f.grant_price)
                                   : Rational(0);
    return {annual, midterm};
}

Figures worked_figures() {
    auto r = [](const char* s) { return *Rational::parse(s); };
    Figures f;
    f.revenue = r("316800000000");
    f.operating_profit = r("30100000000");
    f.previous_revenue = r("276100000000");
    f.previous_operating_profit = r("29000000000");
    f.revenue_budget = f.revenue_budget_low = r("310000000000");
    f.operating_profit_budget = f.operating_profit_budget_low = r("33500000000");
    f.target_point = 1;
    f.midterm_revenue_target = r("320000000000");
    f.midterm_operating_profit_target = r("34000000000");
    f.engagement = r("71.5");
    f.engagement_target = 70;
    f.monthly_fixed = 4'000'000;
    f.division_score = r("0.95");
    f.base_price = f.midterm_base_price = 2850;
    f.grant_price = 3020;
    f.grant_day = 20265;        // 2025-06-26
    f.base_close_day = 19811;   // 2024-03-29
    return f;
}

// ---- hoshu --------------------------------------------------------------------------

struct Loaded {
    hoshu::dsl::SourceManager sm;
    std::optional<hoshu::eval::Plan> plan;
    std::optional<hoshu::eval::InputFile> inputs;
    std::uint32_t annual = 0, midterm = 0;
};

Loaded& loaded() {
    static Loaded l = [] {
        Loaded x;
        hoshu::dsl::Diagnostics diags;
        x.plan = hoshu::eval::load_plan(x.sm, std::string(HOSHU_SOURCE_DIR) + "/rules/iij", diags);
        auto in = hoshu::eval::InputFile::parse(x.sm, "worked-example.toml", worked_example);
        if (!diags.empty()) std::fputs(hoshu::dsl::render(x.sm, diags).c_str(), stderr);
        if (x.plan && in) {
            x.inputs.emplace(std::move(*in));
            x.annual = *x.plan->find_slot("annual_rs_shares");
            x.midterm = *x.plan->find_slot("midterm_rs_shares");
        }
        return x;
    }();
    return l;
}

/// Whether hoshu gives the hand-written reference's answer (4,709 shares) on the worked
/// example; when not, the benchmark is marked failed, with hoshu's error if it has one.
bool agrees(benchmark::State& state, Loaded& l, hoshu::eval::Session& session) {
    auto expected = hand_written(worked_figures());
    auto a = session.value(l.annual, 0);
    auto m = session.value(l.midterm, 0);
    if (!a || !m) {
        std::fputs(hoshu::dsl::render(l.sm, !a ? a.error() : m.error()).c_str(), stderr);
        state.SkipWithError("hoshu could not evaluate the worked example");
        return false;
    }
    if (a->number != expected.first || m->number != expected.second || a->number != Rational(4709)) {
        state.SkipWithError("hoshu and the hand-written reference disagree");
        return false;
    }
    return true;
}

/// A session on the IIJ plan and the worked example, once hoshu is seen to agree with the
/// hand-written reference; nothing (the benchmark marked failed) otherwise.
std::optional<hoshu::eval::Session> checked_session(benchmark::State& state, Loaded& l) {
    if (!l.plan || !l.inputs) {
        state.SkipWithError("rules/iij or the inputs did not load");
        return std::nullopt;
    }
    hoshu::eval::Session session(*l.plan, *l.inputs);
    if (!agrees(state, l, session)) return std::nullopt;
    return session;
}

/// RS II + RS III through hoshu, everything recomputed from the inputs.
void rs2_rs3_hoshu(Loaded& l, hoshu::eval::Session& session) {
    session.reset();
    auto annual = session.value(l.annual, 0);
    auto midterm = session.value(l.midterm, 0);
    benchmark::DoNotOptimize(annual);
    benchmark::DoNotOptimize(midterm);
}

void BM_rs2_rs3_hoshu(benchmark::State& state) {
    Loaded& l = loaded();
    auto session = checked_session(state, l);
    if (!session) return;
    for (auto _ : state) rs2_rs3_hoshu(l, *session);
}
BENCHMARK(BM_rs2_rs3_hoshu);

void BM_rs2_rs3_hand_written(benchmark::State& state) {
    Figures f = worked_figures();
    auto result = hand_written(f);
    if (result.first != Rational(4709)) {
        state.SkipWithError("the hand-written reference does not give 4,709 shares");
        return;
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(f);
        auto r = hand_written(f);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_rs2_rs3_hand_written);

// The two side by side on a machine whose speed drifts (a shared virtual machine): short
// batches of each, alternated, and the median of the batch-by-batch ratios, so that both
// sides of each ratio ran under the same conditions. Reported as the counter `ratio`
// (hoshu's time ÷ the hand-written function's; the target is at most 2).
void BM_rs2_rs3_ratio(benchmark::State& state) {
    Loaded& l = loaded();
    auto session = checked_session(state, l);
    if (!session) return;
    Figures f = worked_figures();
    constexpr int batch = 200;
    using clock = std::chrono::steady_clock;
    std::vector<double> ratios;
    for (auto _ : state) {
        auto t0 = clock::now();
        for (int i = 0; i < batch; ++i) rs2_rs3_hoshu(l, *session);
        auto t1 = clock::now();
        for (int i = 0; i < batch; ++i) {
            benchmark::DoNotOptimize(f);
            auto r = hand_written(f);
            benchmark::DoNotOptimize(r);
        }
        auto t2 = clock::now();
        ratios.push_back(std::chrono::duration<double>(t1 - t0).count() / std::chrono::duration<double>(t2 - t1).count());
    }
    std::sort(ratios.begin(), ratios.end());
    state.counters["ratio"] = ratios[ratios.size() / 2];
}
BENCHMARK(BM_rs2_rs3_ratio);

}  // namespace
