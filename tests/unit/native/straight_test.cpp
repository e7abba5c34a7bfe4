// A compiled plan without aggregates runs as straight-line code: its inputs read once, and a
// product or quotient rounded to a whole unit computed as one fraction (constant factors
// folded, a divisor the formula multiplies by again left out and checked not zero). On
// random scenarios — zero and negative divisors, fractions, ties, numbers beyond 128 bits —
// every value it computes equals the interpreter's, and every scenario the interpreter
// refuses is one the kernel does not answer.
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

using hoshu::eval::Kernel;
using hoshu::eval::Session;

const char* const rules = R"(plan "straight"
  outputs shares, hundreds, thirds, twice, mixed
  source T "a test"
table curve(x: ratio) -> ratio
  below 80%           -> 0
  from 80% to 100%    -> linear 0.50 to 1.00
  above 100% to 120%  -> linear 1.00 to 1.20
  above 120%          -> 1.20
input a: ratio at a range -1000 to 1000
input b: ratio at b range -1000 to 1000
input c: count at c range -1_000_000 to 1_000_000_000_000_000_000
input price: JPY per share at price range ¥0 per share to ¥10,000,000 per share
input grant: JPY per share at grant range ¥0 per share to ¥10,000,000 per share
collection directors: director at directors key id
value rate: ratio = min(1, curve(a / b) * curve(b / a))
value capped: boolean = grant > 2 * price
per director
  input pay: JPY at pay range ¥0 to ¥1,000,000,000,000
  output shares: shares =
      if capped then round down(pay * rate / price * (2 * price) / grant, 1 share)
      else round down(pay * rate / price, 1 share)
    source T "a share count, the price cancelled where it is capped"
  output hundreds: JPY = round half even(pay * a / b, 100 yen)
    source T "to the hundred"
  output thirds: ratio = round up(a / b / c * 3, 1)
    source T "a whole divisor"
  output twice: ratio = round half up(a / b * (b / a) * c / 7, 10)
    source T "divisors that cancel"
  output mixed: ratio = round down(3/7 * c * a / (b * c), 1)
    source T "a whole divisor that cancels"
end
)";

const char* const inputs = R"(a = 1
b = 2
c = 3
price = 1000
grant = 2500
[[directors]]
id = "D1"
pay = 1_000_000
[[directors]]
id = "D2"
pay = 2_500_001
)";

/// A random exact number for column `column` (a, b, c, price, grant, D2's pay).
std::string random_number(std::mt19937_64& rng, std::size_t column) {
    std::uniform_int_distribution<int> kind(0, 19);
    std::uniform_int_distribution<long long> small(-40, 40), positive(0, 1'000'000'000'000LL), price(0, 20'000);
    const int k = kind(rng);
    switch (column) {
        case 0:
        case 1:
            if (k == 0) return "0";
            if (k < 5) return std::to_string(small(rng)) + "/2";
            if (k < 8) return std::to_string(small(rng)) + "/3";
            if (k < 10) return std::to_string(small(rng)) + "." + std::to_string(std::abs(small(rng)));
            if (k == 10) return "999/1000";
            return std::to_string(small(rng));
        case 2:
            if (k == 0) return "0";
            if (k == 1) return "1000000000000000000";   // products beyond 64 bits
            if (k == 2) return "-7";
            return std::to_string(std::abs(small(rng)) + 1);
        case 3:
        case 4:
            if (k == 0) return "0";
            if (k < 3) return std::to_string(price(rng)) + "/7";
            if (k == 3) return "10000000";
            return std::to_string(price(rng) + 1);
        default:
            if (k == 0) return "0";
            if (k == 1) return "999999999999/7";
            return std::to_string(positive(rng));
    }
}

}  // namespace

TEST_CASE("straight-line code agrees with the interpreter on every scenario it takes", "[native]") {
    hoshu::test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    const auto got = hoshu::test::kernel_agreement(f, in, {"a", "b", "c", "price", "grant", "directors.D2.pay"}, 4000,
                                                   20261205, random_number);
    INFO(hoshu::test::describe(got));
    CHECK(got.taken > 2000);
    CHECK(got.errors > 300);   // zero divisors, cancelled or not
}

TEST_CASE("straight-line code reads a whole number unchecked only when every one it reads is whole and of 64 bits",
          "[native]") {
    // c is read as a 64-bit integer; k too, though only an untaken branch needs it and the
    // base inputs do not have it. The host says whether every such value is one: when c is
    // set beyond 64 bits, or while k is missing, the functions (which check each value they
    // read) compute the run, or give it to the interpreter.
    hoshu::test::PlanFixture f(R"(plan "unchecked"
  outputs twice, picked
  source T "a test"
input c: count at c range 0 to 1_000_000_000_000_000_000_000_000_000_000
input k: count at k range 0 to 100
output twice: ratio = c * 2
  source T "c"
output picked: ratio = if c > 3 then k else c
  source T "k only where c is above 3"
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("c = 2\n");
    const auto nodes = hoshu::test::nodes_at(in, {"c"});
    hoshu::test::KernelCache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    using hoshu::eval::Rational;
    auto outputs = [&]() { return kernel->outcome().plan_outputs; };

    REQUIRE(kernel->set(0, std::int64_t{3}));
    REQUIRE(kernel->run());
    CHECK(outputs()[0].number == Rational(6));
    CHECK(outputs()[1].number == Rational(3));
    REQUIRE(kernel->set(0, std::int64_t{5}));
    CHECK_FALSE(kernel->run());   // k is missing: the interpreter reports it

    // 2^70: a count the inputs check takes, not a 64-bit integer.
    const Rational big = Rational(std::int64_t{1} << 35) * Rational(std::int64_t{1} << 35);
    REQUIRE(kernel->set(0, big));
    CHECK_FALSE(kernel->run());   // the functions give it up (c > 3 needs k), never a truncated c
    REQUIRE(kernel->set(0, std::int64_t{1}));
    REQUIRE(kernel->run());
    CHECK(outputs()[0].number == Rational(2));
    REQUIRE(kernel->run());       // the base inputs again: c = 2
    CHECK(outputs()[0].number == Rational(4));
}

TEST_CASE("a whole number beyond 64 bits is computed by the functions, not read truncated", "[native]") {
    hoshu::test::PlanFixture f(R"(plan "wide"
  outputs twice
  source T "a test"
input c: count at c range 0 to 1_000_000_000_000_000_000_000_000_000_000
input a: ratio at a range 0 to 10
output twice: ratio = c * 2 + a
  source T "c"
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("c = 2\na = 1\n");
    const auto nodes = hoshu::test::nodes_at(in, {"c", "a"});
    hoshu::test::KernelCache cache;
    Session session(*f.plan, in);
    auto kernel = Kernel::build(*f.plan, session, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));
    using hoshu::eval::Rational;
    const Rational big = Rational(std::int64_t{1} << 35) * Rational(std::int64_t{1} << 35);
    REQUIRE(kernel->set(0, big));
    REQUIRE(kernel->set(1, std::int64_t{3}));
    // c·2 does not fit 64 bits: the run is given up, or computed right.
    if (kernel->run()) CHECK(kernel->outcome().plan_outputs[0].number == big * Rational(2) + Rational(3));
    const std::vector<std::int64_t> both = {7, 1};
    REQUIRE(kernel->set(std::span<const std::int64_t>(both)));
    REQUIRE(kernel->run());
    CHECK(kernel->outcome().plan_outputs[0].number == Rational(15));
    REQUIRE(kernel->set(0, big));
    const bool ran = kernel->run();
    if (ran) CHECK(kernel->outcome().plan_outputs[0].number == big * Rational(2) + Rational(1));
    REQUIRE(kernel->set(std::span<const std::int64_t>(both)));   // whole again: straight-line code
    REQUIRE(kernel->run());
    CHECK(kernel->outcome().plan_outputs[0].number == Rational(15));
}

namespace {

// A director's word (an optional boolean, absent for one director) read by several
// definitions of a record, and quotients rounded to a whole unit in every mode whose
// factors' denominators are not 1 (a fraction of pay, a price in sevenths) and whose
// products pass 64 bits.
const char* const words_rules = R"(plan "words"
  outputs lower, upper, halved, evened, hundreds
  source T "a test"
input a: ratio at a range -1000 to 1000
input b: ratio at b range -1000 to 1000
input price: JPY per share at price range ¥0 per share to ¥10,000,000 per share
collection directors: director at directors key id
per director
  input eligible: boolean at eligible optional
  input pay: JPY at pay range -¥1,000,000,000,000 to ¥1,000,000,000,000
  value gets: boolean = present(eligible) and eligible
  output lower: shares = if gets then round down(pay * a / b / price, 1 share) else 0 shares
    source T "down"
  output upper: shares = if gets then round up(pay * a / b / price, 1 share) else 0 shares
    source T "up"
  output halved: JPY = if present(eligible) and eligible then round half up(pay * a / b, 1 yen) else ¥0
    source T "half up"
  output evened: JPY = if gets and a > 0 then round half even(pay * a / b * (b / a), 1 yen) else ¥0
    source T "half even, a divisor that cancels"
  output hundreds: shares = if gets then round half even(pay * a / price, 100 shares) else 0 shares
    source T "to the hundred"
end
)";

const char* const words_inputs = R"(a = 1
b = 2
price = 1000
[[directors]]
id = "D1"
pay = 1_000_000
[[directors]]
id = "D2"
eligible = false
pay = 2_500_001
[[directors]]
id = "D3"
eligible = true
pay = -7_000_001
)";

/// A random cell for a, b, price, D3's pay.
std::string random_words_cell(std::mt19937_64& rng, std::size_t column) {
    std::uniform_int_distribution<int> kind(0, 19);
    std::uniform_int_distribution<long long> small(-40, 40), big(-1'000'000'000'000LL, 1'000'000'000'000LL), price(0, 20'000);
    const int k = kind(rng);
    switch (column) {
        case 0:
        case 1:
            if (k == 0) return "0";
            if (k < 5) return std::to_string(small(rng)) + "/2";
            if (k < 8) return std::to_string(small(rng)) + "/3";
            if (k < 10) return "999999999989/1000000000039";   // numerator and denominator of 40 bits
            if (k == 10) return "-999/1000";
            return std::to_string(small(rng));
        case 2:
            if (k == 0) return "0";
            if (k < 4) return std::to_string(price(rng)) + "/7";
            if (k == 4) return "9999999/9999991";
            return std::to_string(price(rng) + 1);
        default:
            if (k == 0) return "0";
            if (k < 3) return std::to_string(big(rng)) + "/3";
            if (k == 3) return "-999999999999";
            return std::to_string(big(rng));
    }
}

}  // namespace

TEST_CASE("straight-line code reads a record's word once and rounds products past 64 bits as the interpreter does",
          "[native]") {
    hoshu::test::PlanFixture f(words_rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(words_inputs);
    const auto got = hoshu::test::kernel_agreement(f, in, {"a", "b", "price", "directors.D3.pay"},
                                                   4000, 20261206, random_words_cell);
    INFO(hoshu::test::describe(got));
    CHECK(got.taken > 2000);
    CHECK(got.errors > 100);   // zero divisors
}
