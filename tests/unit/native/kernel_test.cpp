// The compiled plan against the interpreter: on random scenarios (negative values,
// fractions, ties for rounding, zero divisors, numbers too large for __int128) every value
// the kernel computes equals the session's, and every scenario it does not take or gives
// up is one the interpreter must answer (an error, or numbers beyond 128 bits).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "evaluator/native/kernel.hpp"
#include "evaluator/run/session.hpp"
#include "support/kernel_agreement.hpp"
#include "support/kernel_cache.hpp"
#include "support/plan_fixture.hpp"

namespace {

using hoshu::eval::InputOverride;
using hoshu::eval::Kernel;
using hoshu::eval::Rational;
using hoshu::eval::Session;

using Cache = hoshu::test::KernelCache;

using hoshu::test::nodes_at;

const char* const rules = R"(plan "kernel"
type band = low | mid | high
table curve(x: ratio) -> ratio
  below 80%           -> 0
  from 80% to 100%    -> linear 0.50 to 1.00
  above 100% to 120%  -> linear 1.00 to 1.20
  above 130%          -> 1.50
table weight(b: band) -> ratio
  low  -> 1/3
  mid  -> 1/2
  high -> 1
input a: ratio at a range -1000 to 1000
input b: ratio at b range -1000 to 1000
input c: count at c range 0 to 1000000000000000000
input big: ratio at big
collection directors: director at directors key id
value ratio_ab: ratio = a / b
value curved: ratio = curve(ratio_ab)
value ahead: boolean = a > b and not (c == 0) or a == 0
value total_pay: JPY = sum of pay over directors
per director
  input pay: JPY at pay range ¥0 to ¥1,000,000,000,000
  input band: band at band
  value tier: ratio = clamp(a, -1 * b, b)
    range -1000 to 1000
  output floor_shares: shares = round down(pay * curved * weight(band) / 1,000 yen per share, 1 share)
  output up_third: ratio = round up(a * pay / 7 yen, 1/3)
  output half_up: ratio = round half up(a / 2, 1)
  output half_even: ratio = round half even(b / 2, 1)
  output hundreds: JPY = round half even(pay * a / 3, 100 yen)
  output picked: ratio = if ahead then max(a, b, tier, 0) else min(a, b, -1 * tier)
  output high_band: boolean = band is high and a >= 0
  output product: ratio = big * big * big * c * a / 3
  output share_of_pay: ratio = pay / total_pay
  output quotients: ratio = a / b + b / (a - 1/2) - 1 / (b - a)
end
)";

const char* const inputs = R"(a = 1
b = 2
c = 3
big = 5
[[directors]]
id = "D1"
pay = 1_000_000
band = "low"
[[directors]]
id = "D2"
pay = 2_500_001
band = "high"
[[directors]]
id = "D3"
pay = 0
band = "mid"
)";

/// A random exact number for column `column` (a, b, c, big, D2's pay): small integers,
/// halves and thirds (ties for rounding), negative values, zero, decimals; now and then
/// one out of its range, not whole where a whole number is asked, or one whose products
/// go beyond 128 bits.
std::string random_number(std::mt19937_64& rng, std::size_t column) {
    std::uniform_int_distribution<int> kind(0, 19);
    std::uniform_int_distribution<long long> small(-40, 40), positive(0, 1'000'000'000'000LL);
    const int k = kind(rng);
    switch (column) {
        case 0:
        case 1:
            if (k == 0) return "0";
            if (k == 1) return "5000";   // out of range
            if (k < 6) return std::to_string(small(rng)) + "/2";
            if (k < 10) return std::to_string(small(rng)) + "/3";
            if (k < 12) return std::to_string(small(rng)) + "." + std::to_string(std::abs(small(rng)));
            return std::to_string(small(rng));
        case 2:
            if (k == 0) return "1/2";    // a count is whole
            if (k == 1) return "100000000000000000";
            return std::to_string(std::abs(small(rng)));
        case 3:
            if (k < 3) return "123456789012345678901234567";   // its cube is beyond 128 bits
            return std::to_string(small(rng)) + "/" + std::to_string(1 + std::abs(small(rng)));
        default:
            if (k == 0) return "-1";     // below its range
            return std::to_string(positive(rng));
    }
}

}  // namespace

TEST_CASE("a compiled plan agrees with the interpreter on every scenario it takes", "[native]") {
    hoshu::test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    const auto got = hoshu::test::kernel_agreement(f, in, {"a", "b", "c", "big", "directors.D2.pay"}, 3000, 20261205,
                                                   random_number);
    INFO(hoshu::test::describe(got));
    // Each kind happens: most scenarios compiled, some beyond 128 bits, some errors.
    CHECK(got.taken > 700);
    CHECK(got.given_up > 50);
    CHECK(got.errors > 100);
}

TEST_CASE("a compiled plan refuses what only the interpreter computes, located", "[native]") {
    hoshu::test::PlanFixture f(R"(plan "ranked"
input a: ratio at a range 0 to 10
collection directors: director at directors key id
per director
  input score: ratio at score range 0 to 10
end
output place: count = rank of a among score over directors, highest first, ties best
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("a = 1\n[[directors]]\nid = \"D1\"\nscore = 2\n");
    std::string why;
    auto node = in.find("a", &why);
    REQUIRE(node);
    Cache cache;
    Session session(*f.plan, in);
    std::vector<hoshu::eval::InputFile::Node> nodes = {node};
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    REQUIRE_FALSE(kernel);
    const std::string shown = f.render(kernel.error());
    CHECK_THAT(shown, Catch::Contains("test.hoshu:7:23:"));
    CHECK_THAT(shown, Catch::Contains("`place` depends on a value the run changes and uses what only the interpreter computes"));
}

TEST_CASE("a compiled plan takes only values the inputs check takes", "[native]") {
    hoshu::test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    const auto nodes = nodes_at(in, {"c", "directors.D1.pay", "a"});
    Cache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    CHECK_FALSE(kernel->set_text(0, "1/2"));      // a count is whole
    CHECK_FALSE(kernel->set_text(0, "-1"));       // below its range
    CHECK_FALSE(kernel->set_text(1, "0.001"));    // finer than a yen
    CHECK_FALSE(kernel->set_text(2, "1000.5"));   // above its range
    CHECK_FALSE(kernel->set_text(2, "x"));        // not a number
    CHECK(kernel->set_text(2, "-1000"));
    CHECK(kernel->set_text(1, "¥5") == false);    // a cell is a number as the inputs write it
    kernel->clear();
    // b = 2 in the base: a / b is fine; the base values back after every run.
    REQUIRE(kernel->set_text(2, "3/2"));
    REQUIRE(kernel->run());
    CHECK(f.text(kernel->outcome().directors[0].outputs[2], "half_up") == "1");   // round half up(3/4)
    REQUIRE(kernel->run());
    CHECK(f.text(kernel->outcome().directors[0].outputs[2], "half_up") == "1");   // round half up(1/2): a = 1 again
}

TEST_CASE("a whole number set takes just what the inputs check takes", "[native]") {
    // Ends that are not whole, a minor amount that is not, a range below zero: set(i, x)
    // takes x exactly when the interpreter's inputs check does, and computes the same.
    hoshu::test::PlanFixture f(R"(plan "gates"
  outputs total
  source T "a test"
unit EUR currency "€" minor 2.5
input n: count at n range 3/2 to 61/2
input m: EUR at m range -40 EUR to 45 EUR
input r: ratio at r range -7/3 to 7/3
output total: ratio = n * 100 + m / 1 EUR + r / 1000
  source T "every input"
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("n = 2\nm = 5\nr = 0\n");
    const auto nodes = nodes_at(in, {"n", "m", "r"});
    std::vector<InputOverride> overrides;
    for (const auto& node : nodes) overrides.push_back(InputOverride{node, {}, Rational(), {}});
    Cache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    auto slot = f.plan->find_slot("total");
    REQUIRE(slot);
    int taken = 0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        for (std::int64_t x = -50; x <= 50; ++x) {
            for (auto& o : overrides) o.number = Rational();
            std::vector<InputOverride> one = {overrides[i]};
            one[0].number = Rational(x);
            session.set_overrides(one);
            auto want = session.value(*slot, 0);
            INFO("input " << i << " = " << x);
            CHECK(kernel->set_text(i, std::to_string(x)) == static_cast<bool>(want));   // the cell's text
            kernel->clear();
            const bool took = kernel->set(i, x);
            CHECK(took == static_cast<bool>(want));
            if (!took) {
                kernel->clear();
                continue;
            }
            ++taken;
            REQUIRE(kernel->run());
            CHECK(kernel->outcome().plan_outputs[0].number == want->number);
        }
    }
    // n: 2..30 (29), m: multiples of 5 in -40..45 (18), r: -2..2 (5).
    CHECK(taken == 29 + 18 + 5);

    // All at once: the same checks, the same result.
    const std::vector<std::int64_t> all = {7, -15, 2};
    REQUIRE(kernel->set(std::span<const std::int64_t>(all)));
    REQUIRE(kernel->run());
    CHECK(kernel->outcome().plan_outputs[0].number == Rational(685) + Rational(2) / Rational(1000));
    for (const auto& bad : {std::vector<std::int64_t>{31, 5, 0}, std::vector<std::int64_t>{7, 6, 0},
                            std::vector<std::int64_t>{7, 5, 3}}) {
        CHECK_FALSE(kernel->set(std::span<const std::int64_t>(bad)));
        kernel->clear();
    }
    const std::vector<std::int64_t> four = {7, 5, 0, 1};   // one more than the kernel varies
    CHECK_FALSE(kernel->set(std::span<const std::int64_t>(four)));
    REQUIRE(kernel->run());   // the base inputs again: n = 2, m = 5, r = 0
    CHECK(kernel->outcome().plan_outputs[0].number == Rational(205));
}

TEST_CASE("a definition only an untaken branch needs does not give the run up", "[native]") {
    // The straight-line code computes q = a / b even when b = 0, where `guarded` does not
    // need it: the run is then finished by the functions, which compute only what is
    // reached, and agrees with the interpreter.
    hoshu::test::PlanFixture f(R"(plan "branches"
  outputs guarded
  source T "a test"
input a: ratio at a range -10 to 10
input b: ratio at b range -10 to 10
value q: ratio = a / b
output guarded: ratio = if b > 0 then q * 2 else a
  source T "q only where b is positive"
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("a = 3\nb = 2\n");
    const auto nodes = nodes_at(in, {"a", "b"});
    Cache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    for (std::int64_t b : {2, 0, -1, 5}) {
        REQUIRE(kernel->set(1, b));
        REQUIRE(kernel->run());
        const Rational want = b > 0 ? Rational(3) / Rational(b) * Rational(2) : Rational(3);
        CHECK(kernel->outcome().plan_outputs[0].number == want);
    }
}

TEST_CASE("a value not set again is the base inputs' in the next run", "[native]") {
    // Whole values set all at once (numerators only while every place holds a denominator
    // of 1), one at a time, as fractions, refused: each run starts from the base inputs
    // (a = 0.5, a fraction, b = 3) for what was not set for it.
    hoshu::test::PlanFixture f(R"(plan "resets"
  outputs total
  source T "a test"
input a: ratio at a range -100 to 100
input b: ratio at b range -100 to 100
input c: count at c range 0 to 100
output total: ratio = a * 10000 + b * 100 + c
  source T "every input"
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("a = 0.5\nb = 3\nc = 4\n");
    const auto nodes = nodes_at(in, {"a", "b", "c"});
    Cache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    auto total = [&](Rational a, std::int64_t b, std::int64_t c) { return a * Rational(10000) + Rational(b * 100 + c); };
    auto all = [&](std::vector<std::int64_t> values) { return kernel->set(std::span<const std::int64_t>(values)); };
    const Rational half = Rational(1) / Rational(2);
    auto result = [&]() { return kernel->outcome().plan_outputs[0].number; };

    REQUIRE(all({7, 8, 9}));
    REQUIRE(kernel->run());
    CHECK(result() == total(7, 8, 9));
    REQUIRE(kernel->run());   // nothing set: the base
    CHECK(result() == total(half, 3, 4));
    REQUIRE(all({-7, -8, 9}));
    REQUIRE(kernel->run());
    CHECK(result() == total(-7, -8, 9));
    REQUIRE(kernel->set(1, std::int64_t{5}));   // b alone: a = 0.5 put back
    REQUIRE(kernel->run());
    CHECK(result() == total(half, 5, 4));
    REQUIRE(all({2, 6, 1}));   // a whole again over the base's 0.5
    REQUIRE(kernel->run());
    CHECK(result() == total(2, 6, 1));
    REQUIRE(kernel->set(0, Rational(5) / Rational(4)));   // a fraction set, then wholes over it
    REQUIRE(kernel->set(1, std::int64_t{3}));
    REQUIRE(kernel->set(2, std::int64_t{4}));
    REQUIRE(kernel->run());
    CHECK(result() == total(Rational(5) / Rational(4), 3, 4));
    REQUIRE(all({3, 2, 1}));
    REQUIRE(kernel->run());
    CHECK(result() == total(3, 2, 1));
    REQUIRE(all({10, 20}));   // fewer values than varied: c = 4 put back
    REQUIRE(kernel->run());
    CHECK(result() == total(10, 20, 4));
    CHECK_FALSE(all({11, 200, 5}));   // b out of range: refused, then cleared
    kernel->clear();
    REQUIRE(kernel->run());
    CHECK(result() == total(half, 3, 4));
    REQUIRE(all({1, 1, 1}));
    CHECK_FALSE(all({12, 13, 101}));   // c out of range after a and b were written
    kernel->clear();
    REQUIRE(kernel->run());
    CHECK(result() == total(half, 3, 4));
}

TEST_CASE("outputs read after a run that gave up are the last finished run's", "[native]") {
    hoshu::test::PlanFixture f(R"(plan "outs"
  outputs quot, halved, other
  source T "a test"
input a: ratio at a range -100 to 100
input b: ratio at b range -100 to 100
input k: ratio at k range -100 to 100
output quot: ratio = round down(a / b, 1)
  source T "a over b"
output halved: ratio = a / 2
  source T "half of a"
output other: ratio = k * 3
  source T "not changed by a run"
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("a = 1\nb = 1\nk = 5\n");
    const auto nodes = nodes_at(in, {"a", "b"});
    Cache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    auto slot = [&](const char* name) {
        auto s = f.plan->find_slot(name);
        REQUIRE(s);
        return *s;
    };
    const auto quot = kernel->output_handle(slot("quot"));
    const auto halved = kernel->output_handle(slot("halved"));
    const auto other = kernel->output_handle(slot("other"));
    REQUIRE(quot);
    REQUIRE(halved);
    REQUIRE(other);
    CHECK_FALSE(kernel->output_handle(slot("quot"), 1));   // a plan-wide output has one record
    CHECK_FALSE(kernel->output_handle(slot("a")));      // an input, not an output

    // Before any run: the base outcome.
    CHECK(kernel->whole_output(*quot) == 1);
    CHECK(kernel->whole_output(*other) == 15);
    const std::vector<std::int64_t> seven = {7, 2};
    REQUIRE(kernel->set(std::span<const std::int64_t>(seven)));
    REQUIRE(kernel->run());
    const std::vector<std::int64_t> by_zero = {9, 0};
    REQUIRE(kernel->set(std::span<const std::int64_t>(by_zero)));
    CHECK_FALSE(kernel->run());   // a / 0: given up, nothing read in between
    CHECK(kernel->whole_output(*quot) == 3);
    CHECK_FALSE(kernel->whole_output(*halved));   // 7/2
    CHECK(kernel->whole_output(*other) == 15);
    CHECK(kernel->outcome().plan_outputs[0].number == Rational(3));
    CHECK(kernel->outcome().plan_outputs[1].number == Rational(7) / Rational(2));
    // A run that gives up right after one whose outcome was read.
    REQUIRE(kernel->set(std::span<const std::int64_t>(seven)));
    REQUIRE(kernel->run());
    CHECK(kernel->whole_output(*quot) == 3);
    REQUIRE(kernel->set(std::span<const std::int64_t>(by_zero)));
    CHECK_FALSE(kernel->run());
    CHECK(kernel->whole_output(*quot) == 3);
    CHECK(kernel->outcome().plan_outputs[1].number == Rational(7) / Rational(2));
    // Whole however the kernel leaves it (6/2, say).
    const std::vector<std::int64_t> six = {6, 4};
    REQUIRE(kernel->set(std::span<const std::int64_t>(six)));
    REQUIRE(kernel->run());
    CHECK(kernel->whole_output(*halved) == 3);
    CHECK(kernel->whole_output(*quot) == 1);
    REQUIRE(kernel->run());   // the base again
    CHECK(kernel->whole_output(*quot) == 1);
    CHECK_FALSE(kernel->whole_output(*halved));   // 1/2
}
