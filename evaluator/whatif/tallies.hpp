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
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "evaluator/numbers/rational.hpp"
#include "evaluator/numbers/types.hpp"

namespace hoshu::eval {

/// A sum of exact fractions, added pairwise as a binary counter adds: level k holds the sum
/// of 2^k of them (or nothing). Added one after another, fractions of unrelated
/// denominators (an amount divided by a sampled price) grow the sum's denominator with each,
/// and each addition costs the size of the sum so far: quadratic in the paths in the
/// additions, cubic in their reductions (6,000 paths took two minutes). Pairwise, each is
/// added to a sum of its own size. The value is the same exact sum.
class FractionSum {
public:
    void add(Rational v) { add_at(0, std::move(v)); }
    void merge(const FractionSum& other) {
        for (std::size_t k = 0; k < other.levels_.size(); ++k)
            if (!other.levels_[k].is_zero()) add_at(k, other.levels_[k]);
    }
    Rational value() const;

private:
    void add_at(std::size_t k, Rational v);
    std::vector<Rational> levels_;   // a zero: no sum at that level
};

/// A sum of exact values, on 128-bit integers while they are integers that fit.
class ExactSum {
public:
    void add(const Rational& v);
    void add(std::int64_t v) {
        __int128 next;
        if (!__builtin_add_overflow(small_, static_cast<__int128>(v), &next)) small_ = next;
        else rest_.add(Rational(v));
    }
    void add_product(std::int64_t a, std::int64_t b) {
        __int128 next;   // |a·b| ≤ 2^126: the product fits
        if (!__builtin_add_overflow(small_, static_cast<__int128>(a) * b, &next)) small_ = next;
        else rest_.add(Rational(a) * Rational(b));
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
        rest_.add(a * b);
    }
    __int128 small_ = 0;
    FractionSum rest_;
};

/// Exact counts of the values one output took over the paths. Integers of a moderate
/// range are counted in an array; anything else in an ordered map.
///
/// Memory stays flat in the paths: past `cap` distinct values (unless all are integers within
/// the array's span, whose memory is bounded) the counts give way to exact
/// moments (count, sum, sum of squares, zeros, least and greatest) and to counts per bin of
/// width 2^k. The percentiles are then found exactly by looking at the same paths again:
/// each pass counts only the values inside the bins that hold the ranks sought
/// (pending_ranges(), focused(), refine()), until every rank's value is known. Every number
/// a summary shows is the same whichever way the paths were split between threads.
class ValueCounts {
public:
    /// Distinct values held exactly before the counts give way to bins.
    static constexpr std::size_t default_cap = std::size_t{1} << 16;

    ValueCounts();
    ValueCounts(const ValueCounts& o);
    ValueCounts(ValueCounts&&) noexcept;
    ValueCounts& operator=(const ValueCounts& o);
    ValueCounts& operator=(ValueCounts&&) noexcept;
    ~ValueCounts();

    void add(const Rational& v) {
        // Most values are integers within the range counted so far.
        if (auto i = v.to_int64(); i && offset(*i) < dense_.size()) {
            ++total_;
            if (dense_[offset(*i)]++ == 0) one_more_distinct();
            return;
        }
        add_other(v);
    }
    void add(std::int64_t i) {
        if (offset(i) < dense_.size()) {
            ++total_;
            if (dense_[offset(i)]++ == 0) one_more_distinct();
            return;
        }
        add_integer(i, 1);
    }
    /// v counted n times.
    void add(const Rational& v, std::uint64_t n);
    void merge(const ValueCounts& other);
    std::uint64_t total() const { return total_; }
    /// The distinct values held exactly before bins take over (at least 2; for tests).
    void set_cap(std::size_t cap);
    /// Every value is held with its count (fewer than `cap` distinct values so far).
    bool exact() const { return mode_ == Mode::exact; }
    /// Every value with its count, in increasing order (only while exact()).
    std::vector<std::pair<Rational, std::uint64_t>> sorted() const;
    /// Every value with its count, in increasing order, without making a Rational of the
    /// integers counted in the array: whole(int64, count) for those, other(Rational, count)
    /// for the rest (only while exact()).
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
    /// More than one distinct value was counted.
    bool varies() const;
    /// The least value counted (there is at least one).
    Rational least() const;

    // Past the cap (!exact()): exact moments, counts per bin, and the percentiles found.
    const ExactSum& sum() const { return sum_; }
    const ExactSum& sum_of_squares() const { return sum_sq_; }
    std::uint64_t zeros() const { return zeros_; }
    const Rational& greatest() const { return max_; }
    /// The counts per bin: bin b holds the values in [b·width, (b+1)·width), width = 2^scale.
    /// For a chart: whole(first value of the bin, count) in increasing order, and the width,
    /// when the bins are whole numbers of at least 1 and fit 64 bits.
    bool visit_bins(const std::function<void(std::int64_t, std::uint64_t)>& whole, std::int64_t& width) const;
    /// The same for any width (2^scale, 1/8 too): each bin's first value and count, in
    /// increasing order, and the width.
    bool visit_bins(const std::function<void(const Rational&, std::uint64_t)>& each, Rational& width) const;
    /// The value of rank r (1 = the least) once a pass has found it.
    std::optional<Rational> at_rank(std::uint64_t r) const;

    /// The ranges [low, high) still to be looked into for `ranks` (past the cap; empty when
    /// every rank's value is known). The first call works them out from the bins.
    std::vector<std::pair<Rational, Rational>> pending_ranges(const std::vector<std::uint64_t>& ranks);
    /// Counts that keep only the values inside `ranges` (each exactly, up to `cap`);
    /// no ranges: counts that keep nothing.
    static ValueCounts focused(const std::vector<std::pair<Rational, Rational>>& ranges, std::size_t cap);
    /// What a pass over the same paths counted in pending_ranges(): the values of the ranks
    /// inside the ranges that held them exactly, narrower ranges for the others.
    void refine(const ValueCounts& focused);

private:
    enum class Mode : std::uint8_t { exact, binned, focus };
    struct Window {
        Rational low, high;              // the values in [low, high)
        std::uint64_t below = 0;         // how many values are less than low
        std::vector<std::uint64_t> ranks;
    };
    struct Range;                        // a focused range and the values counted in it
    /// i's place in dense_: i − low_, in unsigned arithmetic (no overflow); beyond the array
    /// when i is below low_.
    std::size_t offset(std::int64_t i) const {
        return static_cast<std::size_t>(static_cast<std::uint64_t>(i) - static_cast<std::uint64_t>(low_));
    }
    /// Past the cap, the values give way to moments and bins, unless they are integers that
    /// the array holds (all within its span: its memory is bounded however many there are).
    /// Whether they do depends only on the values counted, not on the order they came in.
    void one_more_distinct() {
        if (++distinct_ > cap_ && !sparse_.empty()) spill_unless_dense();
    }
    void spill_unless_dense();
    void add_other(const Rational& v);
    void add_integer(std::int64_t v, std::uint64_t n);
    void add_past_cap(const Rational& v, std::uint64_t n);
    /// Exact counts past the cap: to moments and bins.
    void spill();
    Rational bin_of(const Rational& v) const;
    void coarsen();
    /// The bins holding `ranks` (ranks among all the values; `below` of them are less than
    /// every value counted here), each as a window within [low, high).
    std::vector<Window> windows(const std::vector<std::uint64_t>& ranks, const Rational& low, const Rational& high,
                                std::uint64_t below) const;

    Mode mode_ = Mode::exact;
    std::size_t cap_ = default_cap;
    std::uint64_t total_ = 0;
    // Exact: every distinct value and its count.
    std::int64_t low_ = 0;
    std::vector<std::uint64_t> dense_;
    std::map<Rational, std::uint64_t> sparse_;
    std::size_t distinct_ = 0;
    std::size_t fractions_ = 0;          // distinct values that are not integers
    // Past the cap: exact moments; counts per bin of width 2^scale_.
    ExactSum sum_, sum_sq_;
    Rational min_, max_;
    std::uint64_t zeros_ = 0;
    int scale_ = 0;
    std::map<Rational, std::uint64_t> bins_;
    bool windowed_ = false;
    std::vector<Window> windows_;
    std::vector<std::pair<std::uint64_t, Rational>> found_;
    // Focused: the ranges kept.
    std::vector<Range> ranges_;
};

/// The ranks of the percentiles a summary shows (5, 25, 50, 75, 95) among n values, by
/// nearest rank: ceil(p·n / 100), at least 1.
std::vector<std::uint64_t> percentile_ranks(std::uint64_t n);

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
    // Whether the grant-time price differed between paths; one price a path had.
    bool price_varies = false;
    std::optional<Rational> price_seen;
    void note_price(const Rational& p) {
        if (price_varies) return;
        if (!price_seen) price_seen = p;
        else if (!(*price_seen == p)) price_varies = true;
    }
    /// The grant-time price was the same on every path (as when no value the model samples reaches it).
    bool price_fixed() const { return has_price && paths > 1 && !price_varies && price_seen.has_value(); }
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
