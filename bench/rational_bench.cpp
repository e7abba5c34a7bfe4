// Microbenchmarks of the exact number type on the values the evaluator sees most: yen
// amounts around 1e7, share prices in the thousands, and ratios like 8712/10385.
#include "evaluator/numbers/rational.hpp"

#include <benchmark/benchmark.h>
#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "evaluator/whatif/tallies.hpp"

using hoshu::eval::Rational;
using hoshu::eval::RoundingMode;

namespace {

const Rational kAmount(16'000'000);
const Rational kPrice(2850);
const Rational kRatio = Rational::fraction(8712, 10385);
const Rational kOtherRatio = Rational::fraction(21353, 23800);
const Rational kShares = Rational::fraction(185'856'000, 39'463);
const Rational kHuge = *Rational::parse("123456789012345678901234567890123456789012345/7");

void add_integers(benchmark::State& state) {
    Rational a = kAmount, b(2'850'000);
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a + b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(add_integers);

void add_fractions(benchmark::State& state) {
    Rational a = kRatio, b = kOtherRatio;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a + b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(add_fractions);

void add_integer_and_fraction(benchmark::State& state) {
    Rational a = kAmount, b = kShares;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a + b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(add_integer_and_fraction);

void mul_integers(benchmark::State& state) {
    Rational a = kAmount, b = kPrice;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a * b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(mul_integers);

void mul_amount_by_ratio(benchmark::State& state) {
    Rational a = kAmount, b = kRatio;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a * b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(mul_amount_by_ratio);

void div_by_price(benchmark::State& state) {
    Rational a = kAmount * kRatio, b = kPrice;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a / b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(div_by_price);

void floor_shares(benchmark::State& state) {
    Rational a = kShares;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        Rational r = a.floor();
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(floor_shares);

void round_half_even(benchmark::State& state) {
    Rational a = kShares;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        Rational r = a.round(RoundingMode::half_even);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(round_half_even);

void compare_fractions(benchmark::State& state) {
    Rational a = kRatio, b = kOtherRatio;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        bool less = a < b;
        benchmark::DoNotOptimize(less);
    }
}
BENCHMARK(compare_fractions);

/// The share-count formula end to end: floor(amount x ratio / price).
void shares_formula(benchmark::State& state) {
    Rational amount = kAmount, ratio = kRatio, price = kPrice;
    for (auto _ : state) {
        benchmark::DoNotOptimize(amount);
        benchmark::DoNotOptimize(ratio);
        benchmark::DoNotOptimize(price);
        Rational r = (amount * ratio / price).floor();
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(shares_formula);

void copy_small(benchmark::State& state) {
    Rational a = kShares;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        Rational r = a;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(copy_small);

void parse_decimal(benchmark::State& state) {
    for (auto _ : state) {
        auto r = Rational::parse("0.855");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(parse_decimal);

void parse_grouped_integer(benchmark::State& state) {
    for (auto _ : state) {
        auto r = Rational::parse("16,000,000");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(parse_grouped_integer);

void to_string_fraction(benchmark::State& state) {
    Rational a = kShares;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        std::string s = a.to_string();
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(to_string_fraction);

void to_decimal_2(benchmark::State& state) {
    Rational a = kShares;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        std::string s = a.to_decimal(2);
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(to_decimal_2);

/// For scale: the arbitrary-precision fallback.
void mul_big(benchmark::State& state) {
    Rational a = kHuge, b = kRatio;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        Rational r = a * b;
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(mul_big);

/// A simulation's exact mean of an amount divided by a sampled price: thousands of
/// fractions whose denominators have little in common. Added one after another, each
/// addition costs the size of the sum so far (a simulation of 4,000 paths of such amounts
/// took 39 s, four to five times as long for each doubling); added pairwise (FractionSum),
/// 0.6 s. Checked first against the sum over the least common denominator, computed apart
/// on Boost's integers.
void sum_unrelated_fractions(benchmark::State& state) {
    const auto n = static_cast<std::int64_t>(state.range(0));
    std::vector<std::pair<std::int64_t, std::int64_t>> parts;   // amount, price
    std::uint64_t x = 88172645463325252ULL;
    for (std::int64_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        parts.emplace_back(static_cast<std::int64_t>(x % 2'000'000'000) - 1'000'000'000,
                           static_cast<std::int64_t>(x >> 40) % 100'000 + 1);
    }
    using boost::multiprecision::cpp_int;
    cpp_int lcm = 1, numerator = 0;
    for (const auto& [a, p] : parts) lcm = boost::multiprecision::lcm(lcm, cpp_int(p));
    for (const auto& [a, p] : parts) numerator += cpp_int(a) * (lcm / p);
    const auto reference = Rational::parse(numerator.str() + "/" + lcm.str());
    auto sum = [&] {
        hoshu::eval::FractionSum s;
        for (const auto& [a, p] : parts) s.add(Rational(a) / Rational(p));
        return s.value();
    };
    if (!reference || sum() != *reference) return state.SkipWithError("the pairwise sum is not the exact sum");
    for (auto _ : state) {
        Rational r = sum();
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(sum_unrelated_fractions)->Arg(4000)->Unit(benchmark::kMillisecond);

}  // namespace
