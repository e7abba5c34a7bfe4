// A product or quotient rounded to a whole unit in the loop over the records, some of whose
// factors are plan-wide: those factors are combined once per run (with the constant) into
// one fraction in lowest terms on 64 bits, formed when a record first reaches the formula,
// and each record multiplies its own factors into it. Where that fraction cannot be formed
// (its parts pass 64 bits, a plan-wide divisor is zero) or a record's product passes 128
// bits, the formula is computed as before. On random scenarios — plan-wide fractions whose
// combination passes 64 bits, zero and negative divisors, ties, a divisor that cancels, a
// formula no record reaches or only a later record does — every value equals the
// interpreter's, and every scenario the interpreter refuses is one the kernel does not
// answer.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "support/kernel_agreement.hpp"
#include "support/plan_fixture.hpp"

namespace {

// `rate` is a plan-wide definition (computed: on 64-bit parts, on Q when they overflow); a,
// b, price and grant plan-wide inputs; `total` an aggregate, so that the records' loop is one
// phase of several.
const char* const fixed_rules = R"(plan "fixed"
  outputs lower, upper, halved, evened, hundreds, thirds, total
  source T "a test"
input a: ratio at a range -1000 to 1000
input b: ratio at b range -1000 to 1000
input price: JPY per share at price range ¥0 per share to ¥10,000,000 per share
input grant: JPY per share at grant range ¥0 per share to ¥10,000,000 per share
value rate: ratio = a / b
collection directors: director at directors key id
per director
  input eligible: boolean at eligible optional
  input pay: JPY at pay range -¥1,000,000,000,000 to ¥1,000,000,000,000
  input part: ratio at part range -1000 to 1000
  value gets: boolean = present(eligible) and eligible
  output lower: shares = if gets then round down(pay * rate / price, 1 share) else 0 shares
    source T "down, a plan-wide definition and input"
  output upper: shares = if gets then round up(pay * part * a * b / price, 1 share) else 0 shares
    source T "up, three plan-wide inputs and a record's fraction"
  output halved: JPY = round half up(pay * rate * 3 / 7, 1 yen)
    source T "half up, a constant folded in"
  output evened: shares = if gets then round half even(pay * a / price * (2 * price) / grant, 1 share) else 0 shares
    source T "half even, a plan-wide divisor that cancels"
  output hundreds: shares = if gets then round half even(pay / b * a / price, 100 shares) else 0 shares
    source T "to the hundred"
  output thirds: JPY = round down(pay * grant / price / 3, 1 yen)
    source T "a constant divisor"
end
output total: shares = sum of lower over directors
  source T "the records' sum"
)";

// D1 has no word (no formula behind `gets` reached there), D2 false; D3 and D4 reach them.
const char* const fixed_inputs = R"(a = 1
b = 2
price = 1000
grant = 2500
[[directors]]
id = "D1"
pay = 1_000_000
part = 1
[[directors]]
id = "D2"
eligible = false
pay = 2_500_001
part = "1/3"
[[directors]]
id = "D3"
eligible = true
pay = -7_000_001
part = "-5/7"
[[directors]]
id = "D4"
eligible = true
pay = 3
part = 2
)";

/// A random cell for a, b, price, grant, D3's pay, D4's pay, D4's part.
std::string random_fixed_cell(std::mt19937_64& rng, std::size_t column) {
    std::uniform_int_distribution<int> kind(0, 19);
    std::uniform_int_distribution<long long> small(-40, 40), big(-1'000'000'000'000LL, 1'000'000'000'000LL), price(0, 20'000);
    const int k = kind(rng);
    switch (column) {
        case 0:
        case 1:
            if (k == 0) return "0";
            if (k < 4) return std::to_string(small(rng)) + "/2";
            if (k < 6) return std::to_string(small(rng)) + "/3";
            if (k == 6) return "999999999989/1000000000039";    // parts of 40 bits: their products pass 64
            if (k == 7) return "-1000000000039/999999999937";
            if (k == 8) return "4294967311/4294967291";        // primes past 2^32: a product of two passes 64 bits
            if (k == 9) return "-999/1000";
            return std::to_string(small(rng));
        case 2:
        case 3:
            if (k == 0) return "0";
            if (k < 4) return std::to_string(price(rng)) + "/7";
            if (k == 4) return "9999999/9999991";
            if (k == 5) return "1";
            if (k == 6) return "2";
            return std::to_string(price(rng) + 1);
        case 6:
            if (k == 0) return "0";
            if (k < 8) return std::to_string(small(rng)) + "/" + std::to_string(std::abs(small(rng)) + 1);
            if (k == 8) return "999999999989/1000000000039";
            return std::to_string(small(rng));
        default:
            if (k == 0) return "0";
            if (k == 1) return "1000000000000";
            if (k == 2) return "-999999999999";
            if (k < 10) return std::to_string(small(rng));   // ties where a, b are halves and price small
            return std::to_string(big(rng));
    }
}

}  // namespace

TEST_CASE("a rounded product's plan-wide factors combined once per run agree with the interpreter", "[native]") {
    hoshu::test::PlanFixture f(fixed_rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(fixed_inputs);
    const auto got = hoshu::test::kernel_agreement(f, in, {"a", "b", "price", "grant", "directors.D3.pay", "directors.D4.pay", "directors.D4.part"},
                                                   6000, 20261207, random_fixed_cell);
    INFO(hoshu::test::describe(got));
    CHECK(got.taken > 3000);
    CHECK(got.errors > 300);   // zero divisors
}

TEST_CASE("a rounded product's plan-wide factors: ties, signs and zero on fixed scenarios", "[native]") {
    hoshu::test::PlanFixture f(fixed_rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(fixed_inputs);
    // Each row: a, b, price, grant, D3's pay, D4's pay.
    const std::vector<std::vector<std::string>> rows = {
        {"1", "2", "1", "1", "5", "-5"},                                     // ties of both signs
        {"1", "2", "1", "1", "7", "-7"},
        {"-1", "2", "3", "7", "21", "-21"},                                  // negative factors
        {"1", "2", "0", "7", "21", "1"},                                     // a zero price reached: refused
        {"0", "2", "3", "7", "21", "1"},                                     // a zero factor
        {"1", "0", "3", "7", "21", "1"},                                     // a zero divisor inside `rate`
        {"999999999989/1000000000039", "-1000000000039/999999999937", "9999999/9999991", "9999999/9999991", "999999999999",
         "-999999999999"},                                                   // the combination past 64 bits
        {"4294967311/4294967291", "4294967291/4294967311", "2", "1", "999999999999", "1"},   // in lowest terms: 1/1
        {"4294967311/4294967291", "4294967311/4294967291", "9999999/9999991", "1", "1000000000000", "-1000000000000"},
    };
    std::size_t i = 0;
    const auto got = hoshu::test::kernel_agreement(f, in, {"a", "b", "price", "grant", "directors.D3.pay", "directors.D4.pay"},
                                                   static_cast<int>(rows.size()), 1,
                                                   [&](std::mt19937_64&, std::size_t column) {
                                                       const std::string cell = rows[i][column];
                                                       if (column == 5) ++i;
                                                       return cell;
                                                   });
    INFO(hoshu::test::describe(got));
    CHECK(got.taken >= 5);
    CHECK(got.errors >= 2);
}

TEST_CASE("a plan-wide divisor that cancels is still checked not zero when the factors are combined once per run",
          "[native]") {
    // Only this formula divides by price: with price zero the interpreter refuses the run,
    // and so must the kernel (the combined fraction leaves price out, but not its check).
    hoshu::test::PlanFixture f(R"(plan "cancelled"
  outputs evened
  source T "a test"
input price: JPY per share at price range ¥0 per share to ¥10,000,000 per share
input grant: JPY per share at grant range ¥1 per share to ¥10,000,000 per share
collection directors: director at directors key id
per director
  input pay: JPY at pay range -¥1,000,000,000,000 to ¥1,000,000,000,000
  output evened: shares = round half even(pay / price * (2 * price) / grant, 1 share)
    source T "half even, a plan-wide divisor that cancels"
end
)");
    REQUIRE(f.ok());
    const auto& in = f.inputs("price = 1000\ngrant = 3\n[[directors]]\nid = \"D1\"\npay = 7\n[[directors]]\nid = \"D2\"\npay = -9\n");
    const std::vector<std::vector<std::string>> rows = {
        {"0", "3", "7"}, {"1000", "4", "-9"}, {"7/2", "4", "9"}, {"0", "1", "1"}, {"9999999/9999991", "9999999/9999991", "-1000000000000"},
    };
    std::size_t i = 0;
    const auto got = hoshu::test::kernel_agreement(f, in, {"price", "grant", "directors.D2.pay"}, static_cast<int>(rows.size()), 1,
                                                   [&](std::mt19937_64&, std::size_t column) {
                                                       const std::string cell = rows[i][column];
                                                       if (column == 2) ++i;
                                                       return cell;
                                                   });
    INFO(hoshu::test::describe(got));
    CHECK(got.errors == 2);
    CHECK(got.taken == 3);
}

namespace {

// Products and sums on 64-bit parts that overflow as they stand: a · b is not in lowest
// terms when b's numerator is a's denominator (a product that fits, unreduced), and its
// product with c or sum with c fits only after that is reduced, or after c shares a
// factor, or not at all (then on Q).
const char* const parts_rules = R"(plan "parts"
  outputs product, total, both, quotient
  source T "a test"
input a: ratio at a range -10_000_000_000 to 10_000_000_000
input b: ratio at b range -10_000_000_000 to 10_000_000_000
input c: ratio at c range -10_000_000_000 to 10_000_000_000
output product: ratio = a * b * c
  source T "a product"
output total: ratio = a * b + c
  source T "a sum"
output both: ratio = a * b * c + a / c + b
  source T "both"
output quotient: ratio = a * b / c - c / a
  source T "a quotient"
)";

/// A random cell for a, b, c: primes near 2^31 over each other, their negatives, small
/// fractions, zero.
std::string random_parts_cell(std::mt19937_64& rng, std::size_t) {
    static const char* const primes[] = {"2147483647", "2147483629", "2147483587", "2147483579", "4294967291", "3", "1"};
    std::uniform_int_distribution<int> kind(0, 9), pick(0, 6);
    std::uniform_int_distribution<long long> small(-40, 40);
    const int k = kind(rng);
    if (k == 0) return "0";
    if (k < 3) return std::to_string(small(rng)) + "/" + std::to_string(std::abs(small(rng)) + 1);
    std::string cell = std::string(k % 2 ? "-" : "") + primes[pick(rng)] + "/" + primes[pick(rng)];
    return cell;
}

}  // namespace

TEST_CASE("64-bit parts that overflow are tried again with shared factors, then in lowest terms, then on Q",
          "[native]") {
    hoshu::test::PlanFixture f(parts_rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs("a = 1\nb = 2\nc = 3\n");
    const auto got = hoshu::test::kernel_agreement(f, in, {"a", "b", "c"}, 6000, 20261208, random_parts_cell);
    INFO(hoshu::test::describe(got));
    CHECK(got.taken > 4000);
    CHECK(got.errors > 100);   // c or a zero
}
