// Rational: the one exact number type of hoshu. Every value from input to output is a
// Rational; there is no binary floating point anywhere on that path.
//
// Representation: a fast path of __int128 numerator/denominator (denominator > 0, in
// lowest terms) with overflow-checked arithmetic, and an arbitrary-precision fallback
// (Boost.Multiprecision cpp_int) used only when a fast-path result would overflow.
// A value never wraps and never loses precision.
//
//   auto r = Rational::parse("21353/23800");        // std::optional<Rational>
//   Rational shares = (Rational(16'000'000) * *r / Rational(2850)).floor();
//   r->to_string();                                  // "21353/23800"
//   Rational::parse("0.9375")->to_string();          // "0.9375"
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hoshu::eval {

enum class RoundingMode { down, up, half_up, half_even };

class Rational {
public:
    Rational() = default;                               // 0
    Rational(std::int64_t n);                           // NOLINT: implicit from an integer
    /// n/d; d must not be zero (asserted). Normalises sign and lowest terms.
    static Rational fraction(std::int64_t n, std::int64_t d);

    /// Exact parse of: an integer ("-12", "16_000_000", "16,000,000" with groups of three),
    /// a decimal ("0.9375", "-1.05", ".5" is rejected), scientific ("3.168e11", "300E9"),
    /// a percentage ("15.4%" = 154/1000), a fraction ("21353/23800", "-3/4"; no zero denominator).
    /// Leading/trailing blanks are not accepted. Returns nullopt on anything else.
    static std::optional<Rational> parse(std::string_view text);

    Rational(const Rational& o) : num_(o.num_), den_(o.den_) {
        if (o.big_) copy_big(o);
    }
    Rational(Rational&& o) noexcept = default;
    Rational& operator=(const Rational& o) {
        if (!o.big_ && !big_) {
            num_ = o.num_;
            den_ = o.den_;
            return *this;
        }
        return assign_big(o);
    }
    Rational& operator=(Rational&& o) noexcept = default;
    /// *this = n, in place: no temporary built and destroyed.
    void set_integer(std::int64_t n) {
        if (big_) big_.reset();
        num_ = n;
        den_ = 1;
    }
    ~Rational() = default;

    friend Rational operator+(const Rational& a, const Rational& b);
    friend Rational operator-(const Rational& a, const Rational& b);
    friend Rational operator*(const Rational& a, const Rational& b);
    /// b must not be zero (asserted): callers check and report division by zero themselves.
    friend Rational operator/(const Rational& a, const Rational& b);
    Rational operator-() const;
    /// *this = a + b (a − b, a × b, a ÷ b), written in place rather than through a
    /// temporary; a and b may be *this. For b = 0, set_quotient asserts, as operator/.
    /// Integers of 64 bits are added and multiplied here, inline (the result cannot
    /// overflow 128 bits, nor be its minimum); anything else out of line.
    void set_sum(const Rational& a, const Rational& b) {
        if (both_int64(a, b) && !big_) {
            num_ = a.num_ + b.num_;
            den_ = 1;
            return;
        }
        add_general(a, b, false);
    }
    void set_difference(const Rational& a, const Rational& b) {
        if (both_int64(a, b) && !big_) {
            num_ = a.num_ - b.num_;
            den_ = 1;
            return;
        }
        add_general(a, b, true);
    }
    void set_product(const Rational& a, const Rational& b) {
        if (both_int64(a, b) && !big_) {
            num_ = a.num_ * b.num_;
            den_ = 1;
            return;
        }
        mul_general(a, b);
    }
    void set_quotient(const Rational& a, const Rational& b);
    /// *this = (a × b / c).round_to(mode, unit), without putting a × b or a × b / c in
    /// lowest terms first (rounding does not need it): one division instead of the gcds of a
    /// product and a quotient. c must not be zero, unit must be positive (both asserted).
    void set_rounded(const Rational& a, const Rational& b, const Rational& c, RoundingMode mode, const Rational& unit);
    Rational& operator+=(const Rational& b) {
        set_sum(*this, b);
        return *this;
    }
    Rational& operator-=(const Rational& b) {
        set_difference(*this, b);
        return *this;
    }
    Rational& operator*=(const Rational& b) {
        set_product(*this, b);
        return *this;
    }
    Rational& operator/=(const Rational& b) {
        set_quotient(*this, b);
        return *this;
    }

    friend bool operator==(const Rational& a, const Rational& b) {
        // One representation per value: a small and a big value are never equal.
        if (!a.big_ && !b.big_) return a.num_ == b.num_ && a.den_ == b.den_;
        return equal_big(a, b);
    }
    friend std::strong_ordering operator<=>(const Rational& a, const Rational& b) {
        // On the fast path with one denominator (two integers, say), the numerators decide.
        if (!a.big_ && !b.big_ && a.den_ == b.den_) return a.num_ <=> b.num_;
        return compare_general(a, b);
    }

    int sign() const { return big_ ? sign_big() : num_ < 0 ? -1 : num_ > 0 ? 1 : 0; }   // -1, 0, 1
    bool is_zero() const { return sign() == 0; }
    bool is_integer() const { return big_ ? is_integer_big() : den_ == 1; }
    Rational abs() const;

    Rational floor() const;
    Rational ceil() const;
    /// To an integer with the given mode: down = toward -inf, up = toward +inf,
    /// half_up = nearest, ties away from zero, half_even = nearest, ties to even.
    Rational round(RoundingMode mode) const;
    /// To a multiple of `unit` (unit > 0): unit * round(x / unit).
    Rational round_to(RoundingMode mode, const Rational& unit) const;

    /// Exact text: an integer ("4709"), a terminating decimal ("0.9375", "-1.05"), or
    /// otherwise a fraction in lowest terms ("8712/10385"). parse(to_string()) == *this.
    std::string to_string() const;
    /// Decimal text rounded half-up to `places` digits after the point (display only;
    /// the digits are computed exactly). places = 0 gives an integer.
    std::string to_decimal(int places) const;
    /// True when the decimal expansion terminates (denominator has only factors 2 and 5).
    bool terminates() const;

    std::string numerator_string() const;
    std::string denominator_string() const;
    /// The value as int64 when it is an integer that fits.
    std::optional<std::int64_t> to_int64() const {
        if (big_ || den_ != 1 || num_ < INT64_MIN || num_ > INT64_MAX) return std::nullopt;
        return static_cast<std::int64_t>(num_);
    }
    /// True while the value is held on the __int128 fast path.
    bool is_small() const { return !big_; }
    /// The fast path's numerator and denominator (in lowest terms, denominator > 0); only
    /// while is_small(). For code that computes on raw fractions (a compiled plan).
    std::pair<__int128, __int128> small_parts() const { return {num_, den_}; }
    /// n/d from raw parts, d != 0 (asserted), in any terms: put in lowest terms here.
    static Rational from_parts(__int128 n, __int128 d);
    /// *this = n/d, in place, for n/d already in lowest terms with d > 0 (both asserted).
    void set_lowest_terms(std::int64_t n, std::int64_t d);
    /// Number of decimal digits of max(|numerator|, denominator) (for resource limits).
    std::size_t digits() const;

private:
    struct Big;   // cpp_int numerator/denominator; defined in rational.cpp
    // Deletes a Big out of line, so that unique_ptr works on the incomplete type in every
    // translation unit (std::default_delete<Big> would need Big's definition).
    struct BigDeleter {
        void operator()(Big* p) const noexcept;
    };
    /// Both integers on the fast path whose value fits 64 bits.
    static bool both_int64(const Rational& a, const Rational& b) {
        return !a.big_ && !b.big_ && a.den_ == 1 && b.den_ == 1 && a.num_ == static_cast<std::int64_t>(a.num_) &&
               b.num_ == static_cast<std::int64_t>(b.num_);
    }
    void add_general(const Rational& a, const Rational& b, bool subtract);
    void mul_general(const Rational& a, const Rational& b);
    static bool equal_big(const Rational& a, const Rational& b);
    static std::strong_ordering compare_general(const Rational& a, const Rational& b);
    void copy_big(const Rational& o);
    Rational& assign_big(const Rational& o);
    int sign_big() const;
    bool is_integer_big() const;
    __int128 num_ = 0;   // meaningful only while big_ is null (then 0/1 while big)
    __int128 den_ = 1;
    std::unique_ptr<Big, BigDeleter> big_;   // set only when the value does not fit the fast path

    friend struct RationalAccess;
};

}  // namespace hoshu::eval
