#include "evaluator/whatif/tallies.hpp"

#include <algorithm>
#include <limits>

namespace hoshu::eval {

namespace {

/// Integers are counted in an array while the span of values stays below this.
constexpr std::int64_t dense_span = std::int64_t{1} << 20;

}  // namespace

// ---------------------------------------------------------------------------------------
// Exact tallies

void ValueCounts::add_integer(std::int64_t v, std::uint64_t n) {
    total_ += n;
    if (dense_.empty()) {
        low_ = v;
        dense_.assign(1, n);
        return;
    }
    if (offset(v) < dense_.size()) {
        dense_[offset(v)] += n;
        return;
    }
    const std::int64_t high = low_ + (static_cast<std::int64_t>(dense_.size()) - 1);   // (the last value held: no overflow)
    std::int64_t new_low = std::min(low_, v), new_high = std::max(high, v);
    // Both ends are in int64, so the span fits in unsigned arithmetic.
    std::uint64_t span = static_cast<std::uint64_t>(new_high) - static_cast<std::uint64_t>(new_low);
    if (span >= static_cast<std::uint64_t>(dense_span)) {
        sparse_[Rational(v)] += n;
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
}

void ValueCounts::add_other(const Rational& v) {
    if (auto i = v.to_int64()) {
        add_integer(*i, 1);
        return;
    }
    ++total_;
    ++sparse_[v];
}

void ValueCounts::add(const Rational& v, std::uint64_t n) {
    if (n == 0) return;
    if (auto i = v.to_int64()) {
        add_integer(*i, n);
        return;
    }
    total_ += n;
    sparse_[v] += n;
}

void ValueCounts::merge(const ValueCounts& other) {
    for (std::size_t i = 0; i < other.dense_.size(); ++i) {
        if (other.dense_[i]) add_integer(other.low_ + static_cast<std::int64_t>(i), other.dense_[i]);
    }
    for (const auto& [v, n] : other.sparse_) {
        sparse_[v] += n;
        total_ += n;
    }
}

std::vector<std::pair<Rational, std::uint64_t>> ValueCounts::sorted() const {
    // Both parts are in order already: merge them.
    std::vector<std::pair<Rational, std::uint64_t>> all;
    auto sparse = sparse_.begin();
    for (std::size_t i = 0; i < dense_.size(); ++i) {
        if (!dense_[i]) continue;
        Rational v(low_ + static_cast<std::int64_t>(i));
        for (; sparse != sparse_.end() && sparse->first < v; ++sparse) all.emplace_back(sparse->first, sparse->second);
        all.emplace_back(std::move(v), dense_[i]);
    }
    for (; sparse != sparse_.end(); ++sparse) all.emplace_back(sparse->first, sparse->second);
    return all;
}

bool ValueCounts::only_zero() const {
    if (total_ == 0 || !sparse_.empty() || low_ > 0 || low_ + static_cast<std::int64_t>(dense_.size()) <= 0) return false;
    return dense_[static_cast<std::size_t>(-low_)] == total_;
}

void ExactSum::add(const Rational& v) {
    if (auto i = v.to_int64()) {
        __int128 next;
        if (!__builtin_add_overflow(small_, static_cast<__int128>(*i), &next)) {
            small_ = next;
            return;
        }
    }
    rest_ += v;
}

Rational from_int128(__int128 v) { return Rational::from_parts(v, 1); }

void ExactSum::merge(const ExactSum& other) {
    __int128 next;
    if (!__builtin_add_overflow(small_, other.small_, &next)) {
        small_ = next;
    } else {
        rest_ += from_int128(other.small_);
    }
    rest_ += other.rest_;
}

Rational ExactSum::value() const { return from_int128(small_) + rest_; }

}  // namespace hoshu::eval
