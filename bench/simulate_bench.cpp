// `hoshu simulate` of the full IIJ plan (examples/iij/fy2024.toml, examples/iij/model.toml):
// every director, every output, limits and events, on all cores. Before timing, a
// simulation of a few thousand paths on one and on two threads must equal, count for
// count, a reference that evaluates each path afresh (a new Session, nothing reused):
// a fast wrong answer is a failure. BM_simulate_iij_over_limits does the same with every
// director's monthly pay tripled: the RS grants exceed the limits on most paths and are
// scaled pro rata, and the cash limits are violated.
//
// HOSHU_BENCH_PATHS sets the number of timed paths (default 1,000,000).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "evaluator/check/check.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/whatif/model.hpp"
#include "evaluator/whatif/simulate.hpp"

namespace {

using namespace hoshu;
using eval::Rational;

struct Loaded {
    dsl::SourceManager sm;
    std::optional<eval::Plan> plan;
    std::optional<eval::InputFile> inputs, over_limits;
    std::optional<eval::Model> model;
    std::string error;
};

/// fy2024.toml with every `monthly_fixed` tripled.
std::string tripled_pay(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string out;
    for (std::string line; std::getline(f, line);) {
        if (line.rfind("monthly_fixed", 0) == 0) {
            std::string digits;
            for (char c : line.substr(line.find('=') + 1))
                if (c >= '0' && c <= '9') digits += c;
            line = "monthly_fixed = " + std::to_string(std::stoll(digits) * 3);
        }
        out += line + "\n";
    }
    return out;
}

Loaded& shipped() {
    static Loaded l = [] {
        Loaded l;
        const std::string root = HOSHU_SOURCE_DIR;
        dsl::Diagnostics diags;
        l.plan = eval::load_plan(l.sm, root + "/rules/iij", diags);
        auto in = eval::InputFile::load(l.sm, root + "/examples/iij/fy2024.toml");
        auto m = eval::load_model(l.sm, root + "/examples/iij/model.toml");
        if (!l.plan || !in || !m) {
            l.error = "cannot load the shipped plan, inputs or model";
            return l;
        }
        auto over = eval::InputFile::parse(l.sm, "fy2024-tripled-pay.toml", tripled_pay(root + "/examples/iij/fy2024.toml"));
        if (!over) {
            l.error = "cannot read the inputs with the pay tripled";
            return l;
        }
        l.inputs.emplace(std::move(*in));
        l.over_limits.emplace(std::move(*over));
        l.model.emplace(std::move(*m));
        return l;
    }();
    return l;
}

/// Every count of a result, as text, to compare two results exactly.
std::string fingerprint(const eval::SimulationResult& r) {
    std::string s = std::to_string(r.paths) + "\n";
    for (const auto& t : r.outputs) {
        s += std::to_string(t.director) + "/" + std::to_string(t.slot) + ":";
        for (const auto& [v, n] : t.counts.sorted()) s += " " + v.to_string() + "x" + std::to_string(n);
        s += " vp=" + t.value_times_price.value().to_string() + "\n";
    }
    for (const auto& e : r.events) s += "event " + std::to_string(e.slot) + " " + std::to_string(e.count) + "\n";
    for (const auto& l : r.limits)
        s += "limit " + std::to_string(l.limit) + " " + std::to_string(l.scaled) + " " + std::to_string(l.violated) + "\n";
    return s;
}

/// The reference: each path drawn by the same sampler and evaluated by a new Session.
std::string reference(const Loaded& l, const eval::InputFile& inputs, std::uint64_t paths, std::uint64_t seed) {
    const eval::Plan& plan = *l.plan;
    const eval::Model& model = *l.model;
    std::vector<eval::InputFile::Node> nodes;
    std::string why;
    for (const auto& in : model.inputs) nodes.push_back(inputs.find(in.path, &why));
    auto close = [&](eval::Date d) {
        return inputs.find(model.price->series + "." + d.to_string() + "." + model.price->value_key, &why);
    };
    Rational s0 = *inputs.number(close(model.price->start));
    for (auto d : model.price->dates) nodes.push_back(close(d));
    auto grant_price = *plan.find_slot(model.grant_price);

    eval::SimulationResult r;
    std::vector<std::uint32_t> events;
    for (const auto& name : model.events) events.push_back(*plan.find_slot(name));
    eval::Sampler sampler(model, seed);
    std::vector<Rational> values, prices;
    for (std::uint64_t p = 0; p < paths; ++p) {
        if (p % eval::Sampler::block_size == 0) sampler.start_block(p / eval::Sampler::block_size);
        sampler.draw(s0, values, prices);
        std::vector<eval::InputOverride> overrides;
        for (std::size_t i = 0; i < values.size(); ++i) overrides.push_back({nodes[i], {}, values[i], {}});
        for (std::size_t i = 0; i < prices.size(); ++i) overrides.push_back({nodes[values.size() + i], {}, prices[i], {}});
        eval::Session session(plan, inputs);
        session.set_overrides(overrides);
        auto o = session.run();
        if (!o) return "evaluation error on path " + std::to_string(p);
        Rational price = session.value(grant_price, 0)->number;
        const std::size_t k_outputs = plan.director_outputs.size();
        if (r.outputs.empty()) {
            for (std::size_t d = 0; d < o->directors.size(); ++d)
                for (std::size_t k = 0; k < k_outputs; ++k) r.outputs.push_back({d, plan.director_outputs[k], {}, {}});
            for (auto s : events) {
                if (plan.slots[s].scope == eval::Scope::plan) r.events.push_back({s, std::nullopt, 0});
                else
                    for (std::size_t d = 0; d < o->directors.size(); ++d) r.events.push_back({s, d, 0});
            }
            for (std::uint32_t i = 0; i < plan.limits.size(); ++i) r.limits.push_back({i, 0, 0, {}});
        }
        for (std::size_t d = 0; d < o->directors.size(); ++d) {
            for (std::size_t k = 0; k < k_outputs; ++k) {
                auto& t = r.outputs[d * k_outputs + k];
                const Rational& v = o->directors[d].outputs[k].number;
                t.counts.add(v);
                if (plan.slots[t.slot].type.dim == eval::Dimension{0, 1, 0}) t.value_times_price.add_product(v, price);
            }
        }
        for (auto& e : r.events) e.count += session.value(e.slot, e.director.value_or(0))->word != 0;
        for (std::size_t i = 0; i < o->limits.size(); ++i) {
            r.limits[i].scaled += o->limits[i].status == eval::LimitStatus::scaled;
            r.limits[i].violated += o->limits[i].status == eval::LimitStatus::violated;
        }
        ++r.paths;
    }
    return fingerprint(r);
}

void simulate_iij(benchmark::State& state, bool over_limits, eval::SimulationEngine engine) {
    Loaded& l = shipped();
    if (!l.error.empty()) {
        state.SkipWithError(l.error.c_str());
        return;
    }
    const eval::InputFile& inputs = over_limits ? *l.over_limits : *l.inputs;
    auto sim = eval::Simulation::prepare(*l.plan, inputs, *l.model, {});
    if (!sim) {
        state.SkipWithError("the model does not fit the plan");
        return;
    }
    // Correctness first: 3,000 paths (three blocks, the last one partial), on one and two
    // threads, against the reference.
    const std::uint64_t check_paths = 3000, seed = 42;
    std::string expected = reference(l, inputs, check_paths, seed);
    if (over_limits) {
        // The paths must scale: a limit line of the fingerprint with a count of scaled paths.
        bool scaled = false;
        std::istringstream lines(expected);
        for (std::string line; std::getline(lines, line);) {
            unsigned long limit = 0, n_scaled = 0, n_violated = 0;
            if (std::sscanf(line.c_str(), "limit %lu %lu %lu", &limit, &n_scaled, &n_violated) == 3 && n_scaled > 0)
                scaled = true;
        }
        if (!scaled) {
            state.SkipWithError("the inputs over the limits scale nothing");
            return;
        }
    }
    auto options = [&](std::uint64_t paths, unsigned threads) {
        eval::SimulationOptions o;
        o.paths = paths;
        o.seed = seed;
        o.threads = threads;
        o.engine = engine;
        return o;
    };
    for (unsigned threads : {1u, 2u}) {
        auto r = sim->run(options(check_paths, threads));
        if (!r && engine == eval::SimulationEngine::compiled) {
            state.SkipWithError("the plan does not compile for the model (is a C++ compiler installed?)");
            return;
        }
        if (!r || fingerprint(*r) != expected) {
            state.SkipWithError("the simulation disagrees with the path-by-path reference");
            return;
        }
    }
    std::uint64_t paths = 1'000'000;
    if (const char* env = std::getenv("HOSHU_BENCH_PATHS")) paths = std::strtoull(env, nullptr, 10);
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (auto _ : state) {
        auto r = sim->run(options(paths, threads));
        if (!r || r->paths != paths) {
            state.SkipWithError("the timed simulation failed");
            return;
        }
        benchmark::DoNotOptimize(r->outputs.data());
    }
    state.counters["paths"] = static_cast<double>(paths);
    state.counters["threads"] = threads;
}
// The interpreter, then the plan compiled to machine code (the interpreter taking the
// paths it gives up).
void BM_simulate_iij(benchmark::State& state) { simulate_iij(state, false, eval::SimulationEngine::interpreter); }
void BM_simulate_iij_over_limits(benchmark::State& state) { simulate_iij(state, true, eval::SimulationEngine::interpreter); }
void BM_simulate_iij_compiled(benchmark::State& state) { simulate_iij(state, false, eval::SimulationEngine::compiled); }
void BM_simulate_iij_compiled_over_limits(benchmark::State& state) {
    simulate_iij(state, true, eval::SimulationEngine::compiled);
}
BENCHMARK(BM_simulate_iij)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_simulate_iij_over_limits)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_simulate_iij_compiled)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_simulate_iij_compiled_over_limits)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
