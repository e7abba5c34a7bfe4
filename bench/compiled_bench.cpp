// The peer kit's rule (bench/peer/plan.hoshu) on random director-years, evaluated through
// the plan compiled to machine code (eval::Kernel) and through the interpreter (a Session
// with overrides). Before either is timed, every scenario's two share counts from both
// must equal an independent exact reference — the kit's formula hand-written here over
// Boost's cpp_rational, which shares no code with hoshu's numbers — and the compiled plan
// must have taken every scenario: a fast wrong answer, or a kernel that gives up, is a
// failure.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <array>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "evaluator/check/check.hpp"
#include "evaluator/native/kernel.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"

namespace {

using namespace hoshu;
using eval::Rational;
using Exact = boost::multiprecision::cpp_rational;

// revenue_actual, revenue_target, revenue_prev, op_actual, op_target, op_prev,
// engagement_score, base_price, grant_price, then the director's division_score and
// monthly_fixed_pay: the columns of the kit and the paths of bench/peer/base.toml.
const char* const paths[] = {"revenue_actual",   "revenue_target", "revenue_prev",
                             "op_actual",        "op_target",      "op_prev",
                             "engagement_score", "base_price",     "grant_price",
                             "directors.kit.division_score", "directors.kit.monthly_fixed_pay"};
constexpr std::size_t columns = 11;
using Scenario = std::array<std::int64_t, columns>;

std::vector<Scenario> scenarios(std::size_t n) {
    std::mt19937_64 rng(20240611);
    auto in = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
    std::vector<Scenario> out;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t rt = in(1000, 5000), ot = in(50, 500), base = in(1000, 10000);
        out.push_back(Scenario{in(rt * 6 / 10, rt * 14 / 10), rt, in(rt * 7 / 10, rt * 13 / 10), in(ot * 6 / 10, ot * 14 / 10),
                               ot, in(ot * 7 / 10, ot * 13 / 10), in(0, 100), base, in(base * 3 / 10, base * 3), in(0, 100),
                               in(200, 3000) * 1000});
    }
    return out;
}

// ---- the reference: the kit's formula over Boost rationals ----

Exact coef(const Exact& x) {
    if (x < Exact(4, 5)) return 0;
    if (x <= 1) return Exact(1, 2) + (x - Exact(4, 5)) * Exact(5, 2);
    if (x <= Exact(6, 5)) return x;
    return Exact(6, 5);
}

std::pair<std::int64_t, std::int64_t> reference(const Scenario& s) {
    auto ratio = [](std::int64_t a, std::int64_t b) { return Exact(a, b); };
    const Exact c_rt = coef(ratio(s[0], s[1])), c_rp = coef(ratio(s[0], s[2]));
    const Exact c_ot = coef(ratio(s[3], s[4])), c_op = coef(ratio(s[3], s[5]));
    auto least = [](const Exact& a, const Exact& b) { return b < a ? b : a; };
    const Exact single = least(1, Exact(c_rt * c_rp * c_ot * c_op));
    const Exact midterm = least(1, Exact(Exact(3, 10) * c_rt + Exact(3, 10) * c_ot +
                                         Exact(3, 20) * least(Exact(6, 5), ratio(s[6], 80)) +
                                         Exact(1, 4) * least(Exact(6, 5), ratio(s[9], 80))));
    const std::int64_t base = s[7], grant = s[8];
    auto shares = [&](const Exact& rate) {
        Exact x = Exact(4 * s[10]) * rate / base;
        if (grant > 2 * base) x = x * Exact(2 * base, grant);
        using boost::multiprecision::cpp_int;
        cpp_int q = numerator(x) / denominator(x);   // x ≥ 0: truncation is floor
        return static_cast<std::int64_t>(q);
    };
    return {shares(single), shares(midterm)};
}

struct Loaded {
    dsl::SourceManager sm;
    std::optional<eval::Plan> plan;
    std::optional<eval::InputFile> inputs;
    std::vector<eval::InputFile::Node> nodes;
    std::size_t single = 0, midterm = 0;   // positions among the director outputs
    std::string cache, error;
    std::vector<Scenario> cases = scenarios(4000);
    std::vector<std::pair<std::int64_t, std::int64_t>> expected;

    Loaded() {
        const std::string dir = std::string(HOSHU_SOURCE_DIR) + "/bench/peer";
        dsl::Diagnostics diags;
        plan = eval::load_plan(sm, dir, diags);
        if (!plan) {
            error = dsl::render(sm, diags);
            return;
        }
        auto in = eval::InputFile::load(sm, dir + "/base.toml");
        if (!in) {
            error = dsl::render(sm, in.error());
            return;
        }
        inputs.emplace(std::move(*in));
        for (const char* p : paths) {
            std::string why;
            nodes.push_back(inputs->find(p, &why));
            if (!nodes.back()) error = std::string(p) + ": " + why;
        }
        for (std::size_t k = 0; k < plan->director_outputs.size(); ++k) {
            const std::string& name = plan->slots[plan->director_outputs[k]].name;
            if (name == "single_year_shares") single = k;
            if (name == "midterm_shares") midterm = k;
        }
        std::string pattern = (std::filesystem::temp_directory_path() / "hoshu-bench-XXXXXX").string();
        if (::mkdtemp(pattern.data())) cache = pattern;
        for (const auto& s : cases) expected.push_back(reference(s));
    }
    ~Loaded() {
        std::error_code ec;
        if (!cache.empty()) std::filesystem::remove_all(cache, ec);
    }
};

Loaded& loaded() {
    static Loaded l;
    return l;
}

std::pair<std::int64_t, std::int64_t> shares_of(const eval::Outcome& o, const Loaded& l) {
    const auto& out = o.directors.at(0).outputs;
    return {out[l.single].number.to_int64().value_or(-1), out[l.midterm].number.to_int64().value_or(-1)};
}

void BM_peer_rule_compiled(benchmark::State& state) {
    Loaded& l = loaded();
    if (!l.error.empty()) return state.SkipWithError(l.error.c_str());
    eval::Session session(*l.plan, *l.inputs);
    eval::KernelOptions options;
    options.cache_dir = l.cache;
    auto kernel = eval::Kernel::build(*l.plan, session, l.nodes, options);
    if (!kernel) return state.SkipWithError(dsl::render(l.sm, kernel.error()).c_str());
    auto evaluate = [&](const Scenario& s) {
        for (std::size_t i = 0; i < columns; ++i)
            if (!kernel->set(i, Rational(s[i]))) return false;
        return kernel->run();
    };
    for (std::size_t i = 0; i < l.cases.size(); ++i) {
        if (!evaluate(l.cases[i])) return state.SkipWithError("the compiled plan gave a scenario up");
        if (shares_of(kernel->outcome(), l) != l.expected[i])
            return state.SkipWithError("the compiled plan disagrees with the exact reference");
    }
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(evaluate(l.cases[i]));
        if (++i == l.cases.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_peer_rule_compiled);

void BM_peer_rule_interpreted(benchmark::State& state) {
    Loaded& l = loaded();
    if (!l.error.empty()) return state.SkipWithError(l.error.c_str());
    eval::Session session(*l.plan, *l.inputs);
    std::vector<eval::InputOverride> overrides;
    for (const auto& node : l.nodes) overrides.push_back(eval::InputOverride{node, {}, Rational(), {}});
    auto evaluate = [&](const Scenario& s) {
        for (std::size_t i = 0; i < columns; ++i) overrides[i].number = Rational(s[i]);
        session.set_overrides(overrides);
        return session.run_in_place();
    };
    for (std::size_t i = 0; i < l.cases.size(); ++i) {
        auto o = evaluate(l.cases[i]);
        if (!o) return state.SkipWithError(dsl::render(l.sm, o.error()).c_str());
        if (shares_of(**o, l) != l.expected[i]) return state.SkipWithError("the interpreter disagrees with the exact reference");
    }
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(evaluate(l.cases[i]));
        if (++i == l.cases.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_peer_rule_interpreted);

}  // namespace
