// ValueCounts: the exact tally of a simulated output (dense counts for integers near each
// other, a sorted map for the rest), and its merge of both parts in order.
#include "evaluator/whatif/simulate.hpp"

#include <boost/multiprecision/cpp_dec_float.hpp>
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

namespace {

// The summary as its definition reads, on the sorted values and exact Rationals.
hoshu::eval::OutputSummary reference_summary(const ValueCounts& counts) {
    using Decimal = boost::multiprecision::cpp_dec_float_50;
    hoshu::eval::OutputSummary s;
    auto values = counts.sorted();
    const auto n = static_cast<std::int64_t>(counts.total());
    Rational sum, sum_sq;
    for (const auto& [v, c] : values) {
        sum += v * Rational(static_cast<std::int64_t>(c));
        sum_sq += v * v * Rational(static_cast<std::int64_t>(c));
        if (v.is_zero()) s.p_zero = Rational::fraction(static_cast<std::int64_t>(c), n);
    }
    s.mean = sum / Rational(n);
    if (n > 1) {   // (the sample standard deviation of one path is undefined)
        Rational variance = (sum_sq - sum * sum / Rational(n)) / Rational(n - 1);
        s.sd = boost::multiprecision::sqrt(Decimal(variance.numerator_string()) / Decimal(variance.denominator_string()))
                   .str(2, std::ios_base::fixed);
    }
    auto percentile = [&](std::int64_t p) {
        const auto rank = std::max<std::int64_t>(1, static_cast<std::int64_t>((static_cast<__int128>(p) * n + 99) / 100));
        std::int64_t seen = 0;
        for (const auto& [v, c] : values)
            if ((seen += static_cast<std::int64_t>(c)) >= rank) return v;
        return values.back().first;
    };
    s.p5 = percentile(5), s.p25 = percentile(25), s.p50 = percentile(50), s.p75 = percentile(75), s.p95 = percentile(95);
    s.min = values.front().first;
    s.max = values.back().first;
    return s;
}

void check_same(const hoshu::eval::OutputSummary& got, const hoshu::eval::OutputSummary& want) {
    CHECK(got.mean == want.mean);
    CHECK(got.sd == want.sd);
    CHECK(got.p_zero == want.p_zero);
    CHECK(got.min == want.min);
    CHECK(got.p5 == want.p5);
    CHECK(got.p25 == want.p25);
    CHECK(got.p50 == want.p50);
    CHECK(got.p75 == want.p75);
    CHECK(got.p95 == want.p95);
    CHECK(got.max == want.max);
}

void check_summary(const ValueCounts& c) { check_same(hoshu::eval::summarize(c), reference_summary(c)); }

}  // namespace

TEST_CASE("summaries agree with their definition on the sorted values", "[value_counts][summary]") {
    std::mt19937_64 random(11);
    SECTION("integers near each other, counted one and n at a time") {
        ValueCounts c;
        for (int i = 0; i < 3000; ++i) {
            auto v = static_cast<std::int64_t>(random() % 700) - 200;
            if (i % 3) c.add(v);
            else c.add(Rational(v), random() % 5 + 1);
        }
        check_summary(c);
    }
    SECTION("fractions, integers far apart and zeros") {
        ValueCounts c;
        for (int i = 0; i < 2000; ++i) {
            auto k = static_cast<std::int64_t>(random() % 4000) - 2000;
            c.add(random() % 4 == 0 ? Rational::fraction(k, 7) : random() % 7 == 0 ? Rational(k * 10'000'000) : Rational(k % 3));
        }
        check_summary(c);
    }
    SECTION("values at the ends of 64 bits, whose squares and sums pass 128 bits") {
        const auto max = std::numeric_limits<std::int64_t>::max(), min = std::numeric_limits<std::int64_t>::min();
        ValueCounts c;
        c.add(Rational(max), std::uint64_t{1} << 40);
        c.add(Rational(min), std::uint64_t{1} << 39);
        c.add(Rational(max - 1), 3);
        c.add(Rational(0), 5);
        c.add(Rational(min + 7));
        check_summary(c);
        ValueCounts far;   // only far apart: none in the array
        far.add(Rational(max), 2);
        far.add(Rational(-5), 1);
        far.add(Rational(min), std::uint64_t{1} << 62);
        check_summary(far);
    }
    SECTION("one path; one value on every path") {
        ValueCounts one;
        one.add(Rational::fraction(-7, 3));
        check_summary(one);
        CHECK_FALSE(hoshu::eval::summarize(one).sd.has_value());
        ValueCounts same;
        same.add(Rational(4709), 1000);
        check_summary(same);
        CHECK(hoshu::eval::summarize(same).sd == "0.00");
    }
}

TEST_CASE("exact sums are exact up to and past 128 bits", "[value_counts][summary]") {
    const auto max = std::numeric_limits<std::int64_t>::max(), min = std::numeric_limits<std::int64_t>::min();
    hoshu::eval::ExactSum s;
    s.add_product(max, max);   // about 2^126: on the 128-bit sum
    CHECK(s.value() == Rational(max) * Rational(max));
    s.add_product(min, min);   // 2^126 more: past 128 bits
    s.add_product(min, max);
    CHECK(s.value() == Rational(max) * Rational(max) + Rational(min) * Rational(min) + Rational(min) * Rational(max));
    hoshu::eval::ExactSum t;
    t.add_product(min, max);
    t.merge(s);
    CHECK(t.value() == s.value() + Rational(min) * Rational(max));
    const __int128 lowest = -(__int128{1} << 126) * 2;   // -2^127
    CHECK(hoshu::eval::from_int128(lowest) == Rational(min) * Rational(min) * Rational(-2));
    CHECK(hoshu::eval::from_int128(-(lowest + 1)) == Rational(min) * Rational(min) * Rational(2) - Rational(1));
}

TEST_CASE("a sum of fractions of unrelated denominators, added pairwise, is the exact sum", "[value_counts][summary]") {
    // Amounts divided by prices 1, 2, 3, …: each value's denominator new to the sum.
    std::vector<Rational> values;
    for (std::int64_t i = 1; i <= 300; ++i)
        values.push_back(Rational(1'000'003 * i - 7 * i * i) / Rational(i * 6 + 1) / Rational(i % 17 + 2));
    Rational sequential;
    for (const auto& v : values) sequential += v;
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{255},
                              std::size_t{256}, values.size()}) {
        hoshu::eval::FractionSum pairwise;
        Rational expected;
        for (std::size_t i = 0; i < count; ++i) {
            pairwise.add(values[i]);
            expected += values[i];
        }
        CHECK(pairwise.value() == expected);
    }
    // Merged in parts, as threads' tallies are: the same sum, whatever the split.
    for (std::size_t parts : {2, 3, 7}) {
        std::vector<hoshu::eval::FractionSum> part(parts);
        for (std::size_t i = 0; i < values.size(); ++i) part[i * parts / values.size()].add(values[i]);
        for (std::size_t p = 1; p < parts; ++p) part[0].merge(part[p]);
        CHECK(part[0].value() == sequential);
    }
    // A sum of few values merged with one of many (more levels than it has), either way.
    for (std::size_t few : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
        hoshu::eval::FractionSum small, large;
        Rational expected;
        for (std::size_t i = 0; i < values.size(); ++i) {
            (i < few ? small : large).add(values[i]);
            expected += values[i];
        }
        hoshu::eval::FractionSum small_first = small, large_first = large;
        small_first.merge(large);
        large_first.merge(small);
        CHECK(small_first.value() == expected);
        CHECK(large_first.value() == expected);
    }
    // Zeros and values that cancel: nothing lost.
    hoshu::eval::FractionSum cancel;
    for (const auto& v : values) {
        cancel.add(v);
        cancel.add(Rational());
        cancel.add(-v);
    }
    CHECK(cancel.value().is_zero());
    hoshu::eval::ExactSum exact;
    for (const auto& v : values) exact.add(v);
    exact.add(std::numeric_limits<std::int64_t>::max());
    CHECK(exact.value() == sequential + Rational(std::numeric_limits<std::int64_t>::max()));
}

namespace {

/// `values` counted as a simulation does past `cap`: split into `parts` (as threads would
/// take blocks of paths), each part's counts merged in turn, then further passes over the
/// same values, each focused on the ranges still sought, until every percentile is found.
ValueCounts capped_passes(const std::vector<Rational>& values, std::size_t cap, std::size_t parts, int& passes) {
    auto count = [&](auto&& make) {
        std::vector<ValueCounts> part(parts);
        for (auto& p : part) make(p);
        for (std::size_t i = 0; i < values.size(); ++i) part[i * parts / values.size()].add(values[i]);
        for (std::size_t p = 1; p < parts; ++p) part[0].merge(part[p]);
        return part[0];
    };
    ValueCounts counts = count([&](ValueCounts& c) { c.set_cap(cap); });
    passes = 1;
    for (;;) {
        auto ranges = counts.pending_ranges(hoshu::eval::percentile_ranks(counts.total()));
        if (ranges.empty()) return counts;
        counts.refine(count([&](ValueCounts& c) { c = ValueCounts::focused(ranges, cap); }));
        ++passes;
        REQUIRE(passes < 200);
    }
}

}  // namespace

TEST_CASE("past the cap, summaries are those of every value held, however the paths were split",
          "[value_counts][summary]") {
    std::mt19937_64 random(29);
    std::vector<Rational> cents, wide, clustered;
    for (int i = 0; i < 4000; ++i) {
        // Dollars and cents (a new value on nearly every path), some zeros and negatives.
        const auto c = static_cast<std::int64_t>(random() % 2'000'000'000) - 300'000'000;
        cents.push_back(i % 17 == 0 ? Rational(0) : Rational::fraction(c, 100));
        // Integers too far apart for the array (yen totals), with a few outliers past 64 bits.
        const auto w = static_cast<std::int64_t>(random() >> 2);
        wide.push_back(i % 500 == 0 ? Rational(w) * Rational(w) : Rational(w));
        // Values close together beside one far away: most land in one bin, narrowed pass after pass.
        clustered.push_back(i == 0 ? Rational(1'000'000'000) : Rational::fraction(static_cast<std::int64_t>(random() % 100'000), 7919));
    }
    for (const auto* values : {&cents, &wide, &clustered}) {
        ValueCounts all;
        for (const auto& v : *values) all.add(v);
        REQUIRE(all.exact());
        const auto want = hoshu::eval::summarize(all);
        for (std::size_t cap : {4, 5, 64, 1000}) {
            for (std::size_t parts : {1, 2, 3}) {
                INFO("cap " << cap << ", " << parts << " parts");
                int passes = 0;
                const ValueCounts counts = capped_passes(*values, cap, parts, passes);
                CHECK_FALSE(counts.exact());
                CHECK(counts.total() == values->size());
                CHECK(passes >= 2);
                check_same(hoshu::eval::summarize(counts), want);
                CHECK_FALSE(counts.only_zero());
                CHECK(counts.varies());
            }
        }
    }
}

TEST_CASE("integers within the array's span stay held exactly past the cap", "[value_counts]") {
    ValueCounts c;
    c.set_cap(4);
    for (std::int64_t v = 0; v < 20'000; v += 2) c.add(v);
    c.add(Rational(1'000'000), 3);   // still within the array's span
    CHECK(c.exact());
    CHECK(c.sorted().size() == 10'001);
    CHECK(c.least() == Rational(0));
    c.add(Rational::fraction(1, 2));   // not an integer: the counts give way to bins
    CHECK_FALSE(c.exact());
    CHECK(c.total() == 10'004);
    CHECK(c.least() == Rational(0));
    CHECK(c.greatest() == Rational(1'000'000));

    // The array grew past the values (room to spread into), so a value below them is held
    // apart from it; the values still span less than the array may, and stay held.
    ValueCounts apart;
    apart.set_cap(4);
    for (std::int64_t v = 0; v <= 300'000; ++v) apart.add(v);
    apart.add(std::int64_t{-740'000});
    CHECK(apart.exact());
    CHECK(apart.least() == Rational(-740'000));
    apart.add(std::int64_t{-800'000});   // now past the span: bins
    CHECK_FALSE(apart.exact());
}

TEST_CASE("the bins of counts past the cap hold every value, a power of two wide", "[value_counts]") {
    ValueCounts c;
    c.set_cap(64);
    std::mt19937_64 random(5);
    std::uint64_t total = 0;
    for (int i = 0; i < 5000; ++i) {
        c.add(static_cast<std::int64_t>(random() % 4'000'000'000));
        ++total;
    }
    REQUIRE_FALSE(c.exact());
    std::int64_t width = 0, previous = -1;
    std::uint64_t counted = 0;
    std::size_t bins = 0;
    REQUIRE(c.visit_bins(
        [&](std::int64_t low, std::uint64_t n) {
            CHECK(low > previous);
            CHECK(low % width == 0);
            previous = low;
            counted += n;
            ++bins;
        },
        width));
    CHECK((width & (width - 1)) == 0);
    CHECK(width > 1);
    CHECK(bins <= 64);
    CHECK(counted == total);
    CHECK(c.least() <= Rational(previous + width - 1));
}

TEST_CASE("the bins of fractions past the cap hold every value, a fraction of a power of two wide", "[value_counts]") {
    // Values a thousandth apart within 3 (a unit that is not whole): past the cap the bins are
    // narrower than 1, which the whole-number visit cannot give; the exact one counts them all.
    ValueCounts c;
    c.set_cap(16);
    std::uint64_t total = 0;
    for (std::int64_t i = 0; i < 3000; ++i) {
        c.add(Rational::fraction(i, 1000));
        ++total;
    }
    REQUIRE_FALSE(c.exact());
    std::int64_t whole_width = 0;
    CHECK_FALSE(c.visit_bins([](std::int64_t, std::uint64_t) {}, whole_width));
    Rational width, previous(-1);
    std::uint64_t counted = 0;
    REQUIRE(c.visit_bins(
        [&](const Rational& low, std::uint64_t n) {
            CHECK(previous < low);
            CHECK((low / width).is_integer());
            previous = low;
            counted += n;
        },
        width));
    CHECK(width < Rational(1));
    CHECK(counted == total);
}
