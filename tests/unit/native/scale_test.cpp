// Scaling pro rata in a compiled plan, on its fast paths and their edges: a whole output
// (and a number that is whole) scaled by a factor whose parts fit 64 bits (a 128-bit
// product and one division), a number scaled to a unit of 1/3, with every rounding (down,
// up, half up, half even; ties exactly half way, on positive and negative values), values
// of 0, values near 2^63 (whose quotient or product does not fit: the general path),
// factors of 0 and factors whose parts pass 64 bits (the general path) — each run against
// the interpreter.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "support/kernel_agreement.hpp"
#include "support/plan_fixture.hpp"

namespace {

// No aggregate in a definition: the straight-line code, run again after scaling, scales
// each output as it reads it back. (points_cap, at 1,000,000, leaves the bounds of matched
// and counted at match_cap; a fraction of it makes their factors' parts pass 64 bits.) `halves` and `points` are numbers (not proven whole)
// with a denominator of 2 and 7; `counted` one whose denominator is 1.
const std::string rules = R"(plan "pro rata, scaling edges"
  source T "a test"
input cap: shares at cap range -10 shares to 9,000,000,000,000,000,000 shares
input match_cap: shares at match_cap range -10 shares to 9,000,000,000,000,000,000 shares
input yen_cap: JPY at yen_cap range -¥10 to ¥9,000,000,000,000,000,000
input points_cap: ratio at points_cap range -1 to 9_000_000_000_000_000_000
collection directors: director at directors key id
per director
  input units: shares at units range -9,000,000,000,000,000,000 shares to 9,000,000,000,000,000,000 shares
  input pay: JPY at pay range -¥9,000,000,000,000,000,000 to ¥9,000,000,000,000,000,000
  output shares: shares = units
  output matched: shares = units
  output cash: JPY = pay
  output halves: ratio = pay / 2 yen
  output points: ratio = pay / 1 yen / 7
  output counted: ratio = units / 1 share
end
limit share_pool: sum of shares over directors <= cap
  allocate pro rata shares round half up to 1 share
limit matched_pool: sum of matched over directors <= match_cap * points_cap / 1_000_000
  allocate pro rata matched round half even to 1 share
limit cash_pool: sum of cash over directors <= yen_cap
  allocate pro rata cash round up to 100 yen
limit halves_pool: sum of halves over directors <= points_cap
  allocate pro rata halves round half up to 1
limit points_pool: sum of points over directors <= points_cap * 1000
  allocate pro rata points round down to 1/3
limit counted_pool: sum of counted over directors <= match_cap / 1 share * points_cap / 1_000_000
  allocate pro rata counted round half even to 1
)";

const char* const inputs = R"(cap = 1_000_000
match_cap = 1_000_000
yen_cap = 1_000_000
points_cap = 1_000_000
[[directors]]
id = "D1"
units = 3
pay = 1_000
[[directors]]
id = "D2"
units = 5
pay = 2_001
)";

const std::vector<std::string> columns = {"cap",         "match_cap",          "yen_cap",          "points_cap",
                                          "directors.D1.units", "directors.D2.units", "directors.D1.pay", "directors.D2.pay"};

/// Scenarios as rows of cells, handed out in order by a random_cell() that ignores the
/// generator.
std::function<std::string(std::mt19937_64&, std::size_t)> rows(std::vector<std::vector<std::string>> table) {
    auto at = std::make_shared<std::size_t>(0);
    return [table = std::move(table), at](std::mt19937_64&, std::size_t column) {
        const auto& row = table[*at / columns.size() % table.size()];
        ++*at;
        return row[column];
    };
}

}  // namespace

TEST_CASE("a compiled plan scales pro rata on 64-bit parts as the interpreter does: ties, signs, zero", "[native]") {
    hoshu::test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    // cap, match_cap, yen_cap, points_cap, D1 units, D2 units, D1 pay, D2 pay
    const std::string big = "1000000";
    const std::vector<std::vector<std::string>> table = {
        // Factor 1/2 on 3 and 5 shares, half even: ties, 1.5 and 2.5 to 2 and 2.
        {big, "4", big, big, "3", "5", "1000", "2000"},
        // Factor 1/2 on -3 and 5 (a sum of 2, a cap of 1): -1.5 and 2.5, half up -2 and 3,
        // half even -2 and 2.
        {"1", "1", big, big, "-3", "5", "1000", "2000"},
        // Factor 1/4 on 6 and 10: 1.5 and 2.5, half even.
        {big, "4", big, big, "6", "10", "1000", "2000"},
        // Factor 1/2 on -7 and 9: -3.5 and 4.5 (half up -4 and 5; half even -4 and 4).
        {"1", "1", big, big, "-7", "9", "1000", "2000"},
        // Caps of 0: a factor of 0, every scaled value 0.
        {"0", "0", big, big, "3", "5", "1000", "2000"},
        // Zero units beside others.
        {"2", "2", big, big, "0", "5", "1000", "2000"},
        // Cash rounded up to 100 yen: a third of 1,000 and 2,000 yen (400 and 700: still
        // exceeded, violated), of -1,000 and 4,000 (-300 and 1,400: violated), of 1,500 and
        // 3,000 (exact: held).
        {big, big, "1000", big, "3", "5", "1000", "2000"},
        {big, big, "1000", big, "3", "5", "-1000", "4000"},
        {big, big, "1500", big, "3", "5", "1500", "3000"},
        // Halves (pay / 2) rounded half up to 1 and points (pay / 7) down to 1/3, of either
        // sign.
        {big, big, big, "750", "3", "5", "2000", "1002"},
        {big, big, big, "751", "3", "5", "2001", "1003"},
        {big, big, big, "1", "3", "5", "-1001", "1005"},
        {big, big, big, "5", "3", "5", "-7000", "70000"},
        {big, big, big, "2", "3", "5", "7001", "7002"},
        // Factors whose parts pass 64 bits: caps with a large denominator (the general path)
        // for the halves and points, and for the matched and counted (whole) shares.
        {big, big, big, "1000000000000000/3000000007", "3000000000000", "5000000000001", "1000000000000", "2000000000001"},
        {big, big, big, "1/3000000007", "3000000000000", "5000000000001", "1000", "2000"},
        // Values near 2^63: the product fits 128 bits, the quotient 64.
        {"4000000000000000000", "4000000000000000000", big, big, "4500000000000000001", "-1", "1000", "2000"},
        {"1", big, big, big, "8999999999999999999", "-8999999999999999997", "1000", "2000"},
        // Cash near 2^63 to 100 yen: the factor's denominator times 100 past 64 bits.
        {big, big, "4611686018427387904", big, "3", "5", "8999999999999999999", "-100"},
        // A sum past 64 bits: the first pass gives up, the functions scale.
        {"100", "100", big, big, "8999999999999999999", "8999999999999999999", "1000", "2000"},
        // Not binding.
        {big, big, big, big, "3", "5", "1000", "2000"},
    };
    const auto got = hoshu::test::kernel_agreement(f, in, columns, static_cast<int>(table.size()), 1, rows(table));
    INFO(hoshu::test::describe(got));
    // (Those rounded up past their cap — cash, twice — or half up past it: violated, as the
    // interpreter reports.)
    CHECK(got.bound_taken == 16);
    CHECK(got.bound_violated == 4);
    CHECK(got.bound_given_up == 0);
}

TEST_CASE("a compiled plan scales pro rata as the interpreter does on random edges", "[native]") {
    hoshu::test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& in = f.inputs(inputs);
    auto cell = [](std::mt19937_64& rng, std::size_t column) -> std::string {
        std::uniform_int_distribution<int> kind(0, 9);
        auto upto = [&](long long n) { return std::uniform_int_distribution<long long>(0, n)(rng); };
        const int k = kind(rng);
        if (column < 4) {   // a cap: small (binding), 0, a fraction, huge
            if (k == 0) return "0";
            if (k == 1) return std::to_string(upto(50)) + "/" + std::to_string(1 + upto(3'000'000'000LL));
            if (k == 2) return "9000000000000000000";
            return std::to_string(upto(60));
        }
        // units and pay: small of either sign, 0, near 2^63
        if (k == 0) return "0";
        if (k == 1) return std::to_string(8'999'999'999'999'999'000LL + upto(999));
        if (k == 2) return "-" + std::to_string(upto(40));
        return std::to_string(upto(40));
    };
    const auto got = hoshu::test::kernel_agreement(f, in, columns, 3000, 20261205, cell);
    INFO(hoshu::test::describe(got));
    CHECK(got.bound_taken > 900);
    CHECK(got.bound_given_up == 0);
}
