// What a simulation counts, exactly: the values each output took (ValueCounts), sums of
// exact values on 128-bit integers (ExactSum), how often each event held and each limit
// scaled or broke. Tallies of blocks of paths merge in any order to the same totals.
//
//   ValueCounts c;
//   c.add(Rational(4709));
//   c.add(Rational(4709));
//   c.sorted();   // {{4709, 2}}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "evaluator/numbers/rational.hpp"
#include "evaluator/numbers/types.hpp"

namespace hoshu::eval {

/// Exact counts of the values one output took over the paths. Integers of a moderate
/// range are counted in an array; anything else in an ordered map. Memory depends on the
/// number of distinct values, not on the number of paths.
class ValueCounts {
public:
    void add(const Rational& v) {
        // Most values are integers within the range counted so far.
        if (auto i = v.to_int64(); i && offset(*i) < dense_.size()) {
            ++dense_[offset(*i)];
            ++total_;
            return;
        }
        add_other(v);
    }
    void add(std::int64_t i) {
        if (offset(i) < dense_.size()) {
            ++dense_[offset(i)];
            ++total_;
            return;
        }
        add_integer(i, 1);
    }
    /// v counted n times.
    void add(const Rational& v, std::uint64_t n);
    void merge(const ValueCounts& other);
    std::uint64_t total() const { return total_; }
    /// Every value with its count, in increasing order.
    std::vector<std::pair<Rational, std::uint64_t>> sorted() const;
    /// Every value with its count, in increasing order, without making a Rational of the
    /// integers counted in the array: whole(int64, count) for those, other(Rational, count)
    /// for the rest.
    template <class Whole, class Other>
    void visit(Whole&& whole, Other&& other) const {
        auto sparse = sparse_.begin();
        for (std::size_t i = 0; i < dense_.size(); ++i) {
            if (!dense_[i]) continue;
            const std::int64_t v = static_cast<std::int64_t>(static_cast<std::uint64_t>(low_) + i);
            for (; sparse != sparse_.end() && sparse->first < Rational(v); ++sparse) other(sparse->first, sparse->second);
            whole(v, dense_[i]);
        }
        for (; sparse != sparse_.end(); ++sparse) other(sparse->first, sparse->second);
    }
    /// Every value counted is 0 (and there is at least one).
    bool only_zero() const;

private:
    /// i's place in dense_: i − low_, in unsigned arithmetic (no overflow); beyond the array
    /// when i is below low_.
    std::size_t offset(std::int64_t i) const {
        return static_cast<std::size_t>(static_cast<std::uint64_t>(i) - static_cast<std::uint64_t>(low_));
    }
    void add_other(const Rational& v);
    void add_integer(std::int64_t v, std::uint64_t n);
    std::int64_t low_ = 0;
    std::vector<std::uint64_t> dense_;
    std::map<Rational, std::uint64_t> sparse_;
    std::uint64_t total_ = 0;
};

/// A sum of exact values, on 128-bit integers while they are integers that fit.
class ExactSum {
public:
    void add(const Rational& v);
    void add(std::int64_t v) {
        __int128 next;
        if (!__builtin_add_overflow(small_, static_cast<__int128>(v), &next)) small_ = next;
        else rest_ += Rational(v);
    }
    void add_product(std::int64_t a, std::int64_t b) {
        __int128 next;   // |a·b| ≤ 2^126: the product fits
        if (!__builtin_add_overflow(small_, static_cast<__int128>(a) * b, &next)) small_ = next;
        else rest_ += Rational(a) * Rational(b);
    }
    void add_product(const Rational& a, const Rational& b) {
        if (!a.is_zero()) add_nonzero_product(a, b);   // no shares, nothing to add
    }
    void merge(const ExactSum& other);
    Rational value() const;

private:
    // Inline: a simulation adds one product per path and output in shares.
    void add_nonzero_product(const Rational& a, const Rational& b) {
        auto x = a.to_int64(), y = b.to_int64();
        if (x && y) {
            __int128 p = static_cast<__int128>(*x) * *y, next;   // |x·y| < 2^126: no overflow
            if (!__builtin_add_overflow(small_, p, &next)) {
                small_ = next;
                return;
            }
        }
        rest_ += a * b;
    }
    __int128 small_ = 0;
    Rational rest_;
};

struct OutputTally {
    std::size_t director = 0;
    std::uint32_t slot = 0;            // a director output
    ValueCounts counts;
    ExactSum value_times_price;        // for outputs in shares: Σ shares × grant-time price
};

struct EventTally {
    std::uint32_t slot = 0;            // a boolean definition
    std::optional<std::size_t> director;   // none: plan-wide
    std::uint64_t count = 0;           // paths where it was true
};

struct LimitTally {
    std::uint32_t limit = 0;
    std::uint64_t scaled = 0, violated = 0;
    ValueCounts bounds;                // the bound on each path (numeric limits)
};

/// A `require` of the plan: on how many paths it failed, per record when it is per record.
struct RequirementTally {
    std::uint32_t requirement = 0;     // index in Plan::requirements
    std::optional<std::size_t> director;   // per record: the record (index in directors)
    std::uint64_t failed = 0;
};

struct SimulationResult {
    std::uint64_t paths = 0;
    std::vector<std::string> directors;    // ids, as the plan lists them
    std::vector<OutputTally> outputs;      // every director × every director output
    std::vector<OutputTally> plan_outputs; // every plan-wide output (director unused)
    std::vector<EventTally> events;
    std::vector<LimitTally> limits;
    /// Every requirement (per record: one per record), in the plan's order.
    std::vector<RequirementTally> requirements;
    ExactSum price_sum;                    // Σ grant-time price (when the model names it)
    bool has_price = false;
    PriceUnits price_units;                // its units: outputs in price_units.counted are valued
    /// Whether an output of type `t` is valued at the grant-time price (in its counted unit).
    bool valued(const Type& t) const {
        return has_price && t.kind == Kind::number && t.dim == price_units.valued().dim;
    }
    /// exp(-r·T) for the model's risk-free rate and the time from the price's start to its
    /// last simulated date, as an exact decimal of 30 places (empty when there is no price).
    std::optional<Rational> discount;
    std::int32_t days = 0;                 // T in days (the factor uses T = days / 365)
};

/// An exact Rational of a 128-bit integer.
Rational from_int128(__int128 v);

}  // namespace hoshu::eval
