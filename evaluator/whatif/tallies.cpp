#include "evaluator/whatif/tallies.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace hoshu::eval {

namespace {

/// Integers are counted in an array while the span of values stays below this.
constexpr std::int64_t dense_span = std::int64_t{1} << 20;

/// 2^e, e ≥ 0.
Rational power_of_two(int e) {
    Rational p(1);
    for (; e >= 62; e -= 62) p *= Rational(std::int64_t{1} << 62);
    return p * Rational(std::int64_t{1} << e);
}

/// The e with 2^e ≤ x < 2^(e+1), for x > 0.
int floor_log2(const Rational& x) {
    int e = 0;
    Rational p(1);
    if (x >= p) {
        for (Rational twice = p * Rational(2); twice <= x; twice = p * Rational(2)) {
            p = twice;
            ++e;
        }
    } else {
        while (p > x) {
            p /= Rational(2);
            --e;
        }
    }
    return e;
}

/// floor(b / 2) of an integer b.
Rational halve(const Rational& b) {
    if (auto i = b.to_int64()) return Rational(*i >> 1);   // (>> is floor division on negatives too)
    return (b / Rational(2)).floor();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Exact tallies

struct ValueCounts::Range {
    Rational low, high;
    ValueCounts inside;
};

ValueCounts::ValueCounts() = default;
ValueCounts::ValueCounts(const ValueCounts&) = default;
ValueCounts::ValueCounts(ValueCounts&&) noexcept = default;
ValueCounts& ValueCounts::operator=(const ValueCounts&) = default;
ValueCounts& ValueCounts::operator=(ValueCounts&&) noexcept = default;
ValueCounts::~ValueCounts() = default;

void ValueCounts::set_cap(std::size_t cap) {
    cap_ = std::max<std::size_t>(cap, 4);   // (at least 4: a bin then never holds every value)
    if (mode_ == Mode::exact && distinct_ > cap_ && !sparse_.empty()) spill_unless_dense();
}

void ValueCounts::spill_unless_dense() {
    // Integers within the array's span stay in it, however many (its memory is bounded).
    if (fractions_ == 0) {
        Rational least = sparse_.begin()->first, greatest = sparse_.rbegin()->first;
        std::size_t first = 0, last = dense_.size();
        while (first < dense_.size() && dense_[first] == 0) ++first;
        while (last > first && dense_[last - 1] == 0) --last;
        if (first < last) {
            least = std::min(least, Rational(low_ + static_cast<std::int64_t>(first)));
            greatest = std::max(greatest, Rational(low_ + static_cast<std::int64_t>(last - 1)));
        }
        if (greatest - least < Rational(dense_span)) return;
    }
    spill();
}

void ValueCounts::add_integer(std::int64_t v, std::uint64_t n) {
    if (mode_ != Mode::exact) {
        add_past_cap(Rational(v), n);
        return;
    }
    total_ += n;
    if (dense_.empty()) {
        low_ = v;
        dense_.assign(1, n);
        one_more_distinct();
        return;
    }
    if (offset(v) < dense_.size()) {
        const bool first = dense_[offset(v)] == 0;
        dense_[offset(v)] += n;
        if (first) one_more_distinct();
        return;
    }
    const std::int64_t high = low_ + (static_cast<std::int64_t>(dense_.size()) - 1);   // (the last value held: no overflow)
    std::int64_t new_low = std::min(low_, v), new_high = std::max(high, v);
    // Both ends are in int64, so the span fits in unsigned arithmetic.
    std::uint64_t span = static_cast<std::uint64_t>(new_high) - static_cast<std::uint64_t>(new_low);
    if (span >= static_cast<std::uint64_t>(dense_span)) {
        auto [at, inserted] = sparse_.try_emplace(Rational(v), 0);
        at->second += n;
        if (inserted) one_more_distinct();
        return;
    }
    // The array grows by at least half its size (within the span) so that values spreading
    // out one by one cost a copy of it only now and then.
    const std::int64_t slack = std::min<std::int64_t>(static_cast<std::int64_t>(dense_.size() / 2),
                                                      dense_span - 1 - static_cast<std::int64_t>(span));
    if (new_low < low_) {
        const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
        new_low = new_low < lowest + slack ? lowest : new_low - slack;
        dense_.insert(dense_.begin(), static_cast<std::size_t>(low_ - new_low), 0);
        low_ = new_low;
    } else if (new_high > high) {
        const std::int64_t highest = std::numeric_limits<std::int64_t>::max();
        new_high = new_high > highest - slack ? highest : new_high + slack;
        dense_.resize(static_cast<std::size_t>(new_high - low_ + 1), 0);
    }
    dense_[static_cast<std::size_t>(v - low_)] += n;
    one_more_distinct();
}

void ValueCounts::add_other(const Rational& v) {
    if (auto i = v.to_int64()) {
        add_integer(*i, 1);
        return;
    }
    add(v, 1);
}

void ValueCounts::add(const Rational& v, std::uint64_t n) {
    if (n == 0) return;
    if (auto i = v.to_int64()) {
        add_integer(*i, n);
        return;
    }
    if (mode_ != Mode::exact) {
        add_past_cap(v, n);
        return;
    }
    total_ += n;
    auto [at, inserted] = sparse_.try_emplace(v, 0);
    at->second += n;
    if (inserted) {
        ++fractions_;
        one_more_distinct();
    }
}

void ValueCounts::add_past_cap(const Rational& v, std::uint64_t n) {
    if (mode_ == Mode::focus) {
        for (Range& r : ranges_) {
            if (r.low <= v && v < r.high) {
                r.inside.add(v, n);
                return;
            }
        }
        return;
    }
    assert(n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    const auto times = static_cast<std::int64_t>(n);
    total_ += n;
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
    if (v.is_zero()) {
        zeros_ += n;
    } else if (auto i = v.to_int64()) {
        sum_.add_product(*i, times);
        constexpr std::int64_t root = 3'037'000'499;   // floor(sqrt(2^63 − 1)): i² fits 64 bits
        if (*i > -root && *i < root) sum_sq_.add_product(*i * *i, times);
        else sum_sq_.add_product(v * v, Rational(times));
    } else {
        sum_.add_product(v, Rational(times));
        sum_sq_.add_product(v * v, Rational(times));
    }
    auto [at, inserted] = bins_.try_emplace(bin_of(v), 0);
    at->second += n;
    if (inserted && bins_.size() > cap_) coarsen();
}

Rational ValueCounts::bin_of(const Rational& v) const {
    if (scale_ >= 0) {
        if (auto i = v.to_int64()) return Rational(scale_ >= 63 ? (*i < 0 ? -1 : 0) : *i >> scale_);
        return (v / power_of_two(scale_)).floor();
    }
    return (v * power_of_two(-scale_)).floor();
}

void ValueCounts::coarsen() {
    while (bins_.size() > cap_) {
        // Bins twice as wide: floor(floor(v / w) / 2) = floor(v / 2w).
        std::map<Rational, std::uint64_t> wider;
        for (const auto& [b, n] : bins_) wider[halve(b)] += n;
        bins_.swap(wider);
        ++scale_;
    }
}

void ValueCounts::spill() {
    auto values = sorted();
    mode_ = Mode::binned;
    dense_ = {};
    sparse_ = {};
    distinct_ = 0;
    fractions_ = 0;
    const std::uint64_t total = total_;
    total_ = 0;
    min_ = values.front().first;
    max_ = values.back().first;
    // Bins of width 2^scale with span / width < 2^h ≤ cap − 1: at most cap − 1 bins, and
    // the least and the greatest value in different bins.
    const int h = floor_log2(Rational(static_cast<std::int64_t>(cap_ - 1)));
    scale_ = floor_log2(max_ - min_) + 1 - h;
    for (const auto& [v, n] : values) add_past_cap(v, n);
    assert(total_ == total);
    (void)total;
}

void ValueCounts::merge(const ValueCounts& other) {
    if (mode_ == Mode::focus) {   // (the other counts are focused on the same ranges)
        assert(other.mode_ == Mode::focus && other.ranges_.size() == ranges_.size());
        for (std::size_t i = 0; i < ranges_.size(); ++i) ranges_[i].inside.merge(other.ranges_[i].inside);
        return;
    }
    if (other.mode_ == Mode::exact) {
        other.visit([&](std::int64_t v, std::uint64_t n) { add_integer(v, n); },
                    [&](const Rational& v, std::uint64_t n) { add(v, n); });
        return;
    }
    if (mode_ == Mode::exact) {
        ValueCounts mine = std::move(*this);
        *this = other;
        merge(mine);
        return;
    }
    // Both past the cap: on the wider bins of the two.
    ValueCounts narrower;
    const ValueCounts* o = &other;
    if (other.scale_ < scale_) {
        narrower = other;
        while (narrower.scale_ < scale_) {
            std::map<Rational, std::uint64_t> wider;
            for (const auto& [b, n] : narrower.bins_) wider[halve(b)] += n;
            narrower.bins_.swap(wider);
            ++narrower.scale_;
        }
        o = &narrower;
    }
    while (scale_ < o->scale_) {
        std::map<Rational, std::uint64_t> wider;
        for (const auto& [b, n] : bins_) wider[halve(b)] += n;
        bins_.swap(wider);
        ++scale_;
    }
    total_ += o->total_;
    sum_.merge(o->sum_);
    sum_sq_.merge(o->sum_sq_);
    zeros_ += o->zeros_;
    if (o->min_ < min_) min_ = o->min_;
    if (o->max_ > max_) max_ = o->max_;
    for (const auto& [b, n] : o->bins_) bins_[b] += n;
    coarsen();
}

std::vector<std::pair<Rational, std::uint64_t>> ValueCounts::sorted() const {
    assert(mode_ == Mode::exact);
    // Both parts are in order already: merge them.
    std::vector<std::pair<Rational, std::uint64_t>> all;
    visit([&](std::int64_t v, std::uint64_t n) { all.emplace_back(Rational(v), n); },
          [&](const Rational& v, std::uint64_t n) { all.emplace_back(v, n); });
    return all;
}

bool ValueCounts::only_zero() const {
    if (mode_ == Mode::binned) return total_ > 0 && zeros_ == total_;
    if (total_ == 0 || !sparse_.empty() || low_ > 0 || low_ + static_cast<std::int64_t>(dense_.size()) <= 0) return false;
    return dense_[static_cast<std::size_t>(-low_)] == total_;
}

bool ValueCounts::varies() const { return mode_ == Mode::binned || distinct_ > 1; }

Rational ValueCounts::least() const {
    if (mode_ == Mode::binned) return min_;
    std::optional<Rational> first;
    visit(
        [&](std::int64_t v, std::uint64_t) {
            if (!first) first = Rational(v);
        },
        [&](const Rational& v, std::uint64_t) {
            if (!first) first = v;
        });
    assert(first);
    return *first;
}

bool ValueCounts::visit_bins(const std::function<void(std::int64_t, std::uint64_t)>& whole, std::int64_t& width) const {
    if (mode_ != Mode::binned || scale_ < 0 || scale_ > 61) return false;
    width = std::int64_t{1} << scale_;
    for (const auto& [b, n] : bins_) {
        auto i = b.to_int64();
        if (!i || *i > std::numeric_limits<std::int64_t>::max() / width || *i < std::numeric_limits<std::int64_t>::min() / width)
            return false;
    }
    for (const auto& [b, n] : bins_) whole(*b.to_int64() * width, n);
    return true;
}

bool ValueCounts::visit_bins(const std::function<void(const Rational&, std::uint64_t)>& each, Rational& width) const {
    if (mode_ != Mode::binned) return false;
    width = scale_ >= 0 ? power_of_two(scale_) : Rational(1) / power_of_two(-scale_);
    for (const auto& [b, n] : bins_) each(b * width, n);
    return true;
}

std::optional<Rational> ValueCounts::at_rank(std::uint64_t r) const {
    for (const auto& [rank, v] : found_)
        if (rank == r) return v;
    return std::nullopt;
}

std::vector<ValueCounts::Window> ValueCounts::windows(const std::vector<std::uint64_t>& ranks, const Rational& low,
                                                      const Rational& high, std::uint64_t below) const {
    assert(mode_ == Mode::binned);
    std::vector<Window> out;
    const Rational width = scale_ >= 0 ? power_of_two(scale_) : Rational(1) / power_of_two(-scale_);
    std::uint64_t seen = below;
    std::size_t k = 0;
    for (const auto& [b, n] : bins_) {
        if (k == ranks.size()) break;
        if (ranks[k] > seen + n) {
            seen += n;
            continue;
        }
        // This bin holds ranks[k] and maybe the next: [b·width, (b+1)·width) within the range.
        Window w{std::max(b * width, low), std::min((b + Rational(1)) * width, high), seen, {}};
        for (; k < ranks.size() && ranks[k] <= seen + n; ++k) w.ranks.push_back(ranks[k]);
        out.push_back(std::move(w));
        seen += n;
    }
    assert(k == ranks.size());
    return out;
}

std::vector<std::pair<Rational, Rational>> ValueCounts::pending_ranges(const std::vector<std::uint64_t>& ranks) {
    if (mode_ != Mode::binned) return {};
    if (!windowed_) {
        windows_ = windows(ranks, min_, max_ + Rational(1), 0);
        windowed_ = true;
    }
    std::vector<std::pair<Rational, Rational>> out;
    for (const Window& w : windows_) out.emplace_back(w.low, w.high);
    return out;
}

ValueCounts ValueCounts::focused(const std::vector<std::pair<Rational, Rational>>& ranges, std::size_t cap) {
    ValueCounts f;
    f.mode_ = Mode::focus;
    f.cap_ = std::max<std::size_t>(cap, 4);
    for (const auto& [low, high] : ranges) {
        f.ranges_.push_back(Range{low, high, {}});
        f.ranges_.back().inside.set_cap(f.cap_);
    }
    return f;
}

void ValueCounts::refine(const ValueCounts& focused) {
    assert(focused.mode_ == Mode::focus && focused.ranges_.size() == windows_.size());
    std::vector<Window> next;
    for (std::size_t j = 0; j < windows_.size(); ++j) {
        const Window& w = windows_[j];
        const ValueCounts& in = focused.ranges_[j].inside;
        if (in.exact()) {
            std::uint64_t seen = w.below;
            std::size_t k = 0;
            auto each = [&](const Rational& v, std::uint64_t n) {
                seen += n;
                for (; k < w.ranks.size() && w.ranks[k] <= seen; ++k) found_.emplace_back(w.ranks[k], v);
            };
            in.visit([&](std::int64_t v, std::uint64_t n) { each(Rational(v), n); }, each);
            assert(k == w.ranks.size() && "a pass over the same paths counted other values");
        } else {
            for (Window& narrower : in.windows(w.ranks, w.low, w.high, w.below)) next.push_back(std::move(narrower));
        }
    }
    windows_ = std::move(next);
}

std::vector<std::uint64_t> percentile_ranks(std::uint64_t n) {
    std::vector<std::uint64_t> ranks;
    for (unsigned p : {5U, 25U, 50U, 75U, 95U})   // (p·n on 128 bits: past 2^64 / 100 paths it would wrap)
        ranks.push_back(std::max<std::uint64_t>(1, static_cast<std::uint64_t>((static_cast<unsigned __int128>(p) * n + 99) / 100)));
    return ranks;
}

void ExactSum::add(const Rational& v) {
    if (auto i = v.to_int64()) {
        __int128 next;
        if (!__builtin_add_overflow(small_, static_cast<__int128>(*i), &next)) {
            small_ = next;
            return;
        }
    }
    rest_.add(v);
}

Rational from_int128(__int128 v) { return Rational::from_parts(v, 1); }

void FractionSum::add_at(std::size_t k, Rational v) {
    for (;; ++k) {
        if (k >= levels_.size()) {   // (merged from a sum of more levels: those between are empty)
            levels_.resize(k);
            levels_.push_back(std::move(v));
            return;
        }
        if (levels_[k].is_zero()) {
            levels_[k] = std::move(v);
            return;
        }
        v = levels_[k] + v;   // the two sums of 2^k, one of 2^(k+1)
        levels_[k] = Rational();
    }
}

Rational FractionSum::value() const {
    Rational total;
    for (const Rational& level : levels_) total += level;   // the smallest first
    return total;
}

void ExactSum::merge(const ExactSum& other) {
    __int128 next;
    if (!__builtin_add_overflow(small_, other.small_, &next)) {
        small_ = next;
    } else {
        rest_.add(from_int128(other.small_));
    }
    rest_.merge(other.rest_);
}

Rational ExactSum::value() const { return from_int128(small_) + rest_.value(); }

}  // namespace hoshu::eval
