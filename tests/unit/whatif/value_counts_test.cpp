// ValueCounts: the exact tally of a simulated output (dense counts for integers near each
// other, a sorted map for the rest), and its merge of both parts in order.
#include "evaluator/whatif/simulate.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

using hoshu::eval::Rational;
using hoshu::eval::ValueCounts;

namespace {

std::vector<std::pair<std::string, std::uint64_t>> texts(const ValueCounts& c) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [v, n] : c.sorted()) out.emplace_back(v.to_string(), n);
    return out;
}

}  // namespace

TEST_CASE("value counts list every value once, in increasing order", "[value_counts]") {
    ValueCounts c;
    for (const char* v : {"5", "3", "1/2", "5", "-2", "2000000", "7/3", "-3000000", "3"}) c.add(*Rational::parse(v));
    using Row = std::pair<std::string, std::uint64_t>;
    CHECK(texts(c) == std::vector<Row>{{"-3000000", 1}, {"-2", 1}, {"0.5", 1}, {"7/3", 1}, {"3", 2}, {"5", 2},
                                       {"2000000", 1}});
    CHECK(c.total() == 9);
    CHECK_FALSE(c.only_zero());
}

TEST_CASE("value counts agree with a plain map, merged or not", "[value_counts]") {
    std::mt19937_64 random(7);
    std::map<Rational, std::uint64_t> reference;
    ValueCounts left, right;
    for (int i = 0; i < 5000; ++i) {
        auto k = static_cast<std::int64_t>(random() % 4000) - 2000;
        Rational v = random() % 5 == 0 ? Rational::fraction(k, 7) : random() % 9 == 0 ? Rational(k * 1'000'000) : Rational(k);
        ++reference[v];
        (i % 2 ? left : right).add(v);
    }
    left.merge(right);
    auto got = left.sorted();
    REQUIRE(got.size() == reference.size());
    std::size_t i = 0;
    for (const auto& [v, n] : reference) {
        CHECK(got[i].first == v);
        CHECK(got[i].second == n);
        ++i;
    }
    CHECK(left.total() == 5000);
}

TEST_CASE("value counts tell an output that was always zero", "[value_counts]") {
    ValueCounts none;
    CHECK_FALSE(none.only_zero());
    ValueCounts zeros;
    for (int i = 0; i < 3; ++i) zeros.add(Rational(0));
    CHECK(zeros.only_zero());
    zeros.add(Rational(1));
    CHECK_FALSE(zeros.only_zero());
    ValueCounts far;
    far.add(Rational(5'000'000));
    far.add(Rational(0));
    CHECK_FALSE(far.only_zero());
    ValueCounts fraction;
    fraction.add(Rational(0));
    fraction.add(Rational::fraction(1, 3));
    CHECK_FALSE(fraction.only_zero());
}

TEST_CASE("value counts grow their range either way, up to the ends of 64 bits", "[value_counts]") {
    // Negative values climbing, then falling: the array grows past each end it reaches.
    const std::int64_t lowest = std::numeric_limits<std::int64_t>::min(), highest = std::numeric_limits<std::int64_t>::max();
    std::map<Rational, std::uint64_t> reference;
    ValueCounts c;
    auto add = [&](std::int64_t v, std::uint64_t n) {
        reference[Rational(v)] += n;
        if (n == 1 && v % 2) c.add(v);
        else c.add(Rational(v), n);
    };
    for (std::int64_t v = -2416; v <= -2004; v += 3) add(v, 1);
    for (std::int64_t v = -2004; v >= -9000; v -= 7) add(v, 2);
    for (std::int64_t k = 0; k < 40; ++k) {
        add(lowest + k * 5, 1);
        add(highest - k * 5, 3);
    }
    c.add(Rational(0), 0);   // counted no times: not listed
    auto got = c.sorted();
    REQUIRE(got.size() == reference.size());
    std::size_t i = 0;
    std::uint64_t total = 0;
    for (const auto& [v, n] : reference) {
        CHECK(got[i].first == v);
        CHECK(got[i].second == n);
        total += n;
        ++i;
    }
    CHECK(c.total() == total);
}
