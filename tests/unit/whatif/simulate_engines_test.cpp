// simulate's engines agree: the compiled plan (counted straight from the kernel's table,
// evaluator/whatif/simulate.cpp's KernelCounts) counts every path as the interpreter does,
// with one thread and with two.
#include "evaluator/whatif/simulate.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "support/kernel_cache.hpp"
#include "support/plan_fixture.hpp"

using namespace hoshu;

namespace {

std::vector<std::pair<std::string, std::uint64_t>> texts(const eval::ValueCounts& c) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [v, n] : c.sorted()) out.emplace_back(v.to_string(), n);
    return out;
}

/// Every count of `got` equal to `expected`'s (the counts hold every value: few paths).
void check_same(const test::PlanFixture& f, const eval::SimulationResult& got, const eval::SimulationResult& expected) {
    CHECK(got.paths == expected.paths);
    REQUIRE(got.outputs.size() == expected.outputs.size());
    for (std::size_t i = 0; i < got.outputs.size(); ++i) {
        const auto& g = got.outputs[i];
        INFO(f.plan->slots[g.slot].name << " of record " << g.director);
        REQUIRE(g.counts.exact());
        REQUIRE(expected.outputs[i].counts.exact());
        CHECK(texts(g.counts) == texts(expected.outputs[i].counts));
        CHECK(g.value_times_price.value().to_string() == expected.outputs[i].value_times_price.value().to_string());
    }
    REQUIRE(got.plan_outputs.size() == expected.plan_outputs.size());
    for (std::size_t i = 0; i < got.plan_outputs.size(); ++i) {
        INFO(f.plan->slots[got.plan_outputs[i].slot].name);
        CHECK(texts(got.plan_outputs[i].counts) == texts(expected.plan_outputs[i].counts));
    }
    REQUIRE(got.limits.size() == expected.limits.size());
    for (std::size_t i = 0; i < got.limits.size(); ++i) {
        INFO("limit " << f.plan->limits[i].name);
        CHECK(got.limits[i].scaled == expected.limits[i].scaled);
        CHECK(got.limits[i].violated == expected.limits[i].violated);
        CHECK(texts(got.limits[i].bounds) == texts(expected.limits[i].bounds));
    }
    REQUIRE(got.events.size() == expected.events.size());
    for (std::size_t i = 0; i < got.events.size(); ++i) CHECK(got.events[i].count == expected.events[i].count);
    REQUIRE(got.requirements.size() == expected.requirements.size());
    for (std::size_t i = 0; i < got.requirements.size(); ++i)
        CHECK(got.requirements[i].failed == expected.requirements[i].failed);
    CHECK(got.price_sum.value().to_string() == expected.price_sum.value().to_string());
}

}  // namespace

// Negative amounts, a ratio sampled in sevenths and an amount drawn either side of zero:
// outputs that first keep one value and then move, some whole, some fractions (and some
// whole numbers the kernel holds as fractions, 14/7, say), path after path. The compiled
// engine once crashed here (an output that began to move on a path read from the kernel's
// table had no index among the moving outputs: a later path that read every output read
// past the end of those indices).
TEST_CASE("simulate: the compiled plan counts what the interpreter counts, outputs moving path after path",
          "[simulate][compiled]") {
    test::PlanFixture f(R"(plan "Hostile compiled"
  outputs a_out, b_out, c_out, d_out, e_out, f_out

collection directors: director at directors key id

input k: ratio at k range -10 to 10
input big: JPY at big range -¥10,000,000 to ¥10,000,000
input price: JPY per share at price range ¥1 per share to ¥1,000,000,000,000,000,000,000,000,000,000,000,000,000 per share

table t(x: ratio) -> ratio
  below -1 -> -3
  from -1 to 1 -> linear -2 to 2
  above 1 -> 5

per director
  input pay: JPY at pay range -¥10,000,000 to ¥10,000,000
  input r: ratio at r range -100 to 100
  output a_out: shares = round half even(pay * r / price, 1 share)
  output b_out: shares = round half up(pay * k / price, 1 share)
  output c_out: shares = round up(pay * t(r) / price, 1 share)
  output d_out: shares = round down(-pay / price, 1 share)
  output e_out: JPY = max(pay * r, big) - min(pay, -big)
  output f_out: shares = round half even(pay / (price * 3), 1 share)
end

output tot: shares = sum of a_out over directors + sum of b_out over directors

limit cap: tot <= 1000 shares
  allocate pro rata a_out, b_out round up to 1 share
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs(R"(k = 0.5
big = 100
price = 7
[[directors]]
id = "A"
pay = 1000
r = 0.25
[[directors]]
id = "B"
pay = -2001
r = -1.5
)");
    auto model = eval::parse_model(f.sm, "model.toml", R"([[input]]
path = "directors.B.r"
distribution = "normal"
mean = 0
sd = 2
precision = "1/7"

[[input]]
path = "big"
distribution = "uniform"
low = -1e6
high = 1e6
precision = 1
)");
    if (!model) FAIL(f.render(model.error()));
    auto sim = eval::Simulation::prepare(*f.plan, in, *model, {});
    if (!sim) FAIL(f.render(sim.error()));

    test::KernelCache cache;
    for (unsigned threads : {1u, 2u}) {
        INFO("threads " << threads);
        eval::SimulationOptions options;
        options.paths = 1000;
        options.seed = 1;
        options.threads = threads;
        options.cache_dir = cache.dir;
        options.engine = eval::SimulationEngine::interpreter;
        auto expected = sim->run(options);
        if (!expected) FAIL(f.render(expected.error()));
        options.engine = eval::SimulationEngine::compiled;
        auto got = sim->run(options);
        if (!got) FAIL(f.render(got.error()));
        check_same(f, *got, *expected);
    }
}
