#include "evaluator/numbers/rational.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <numeric>
#include <utility>

#include <boost/multiprecision/cpp_int.hpp>

namespace hoshu::eval {

namespace mp = boost::multiprecision;
using BigInt = mp::cpp_int;
using i128 = __int128;
using u128 = unsigned __int128;

// Invariants:
//  * fast path (big_ == nullptr): den_ > 0, gcd(|num_|, den_) == 1, num_ != kMin;
//  * big path: big->den > 0, lowest terms, and the value does NOT fit the fast path
//    (|num| > kMax or den > kMax); then num_ == 0 and den_ == 1.
// So every value has exactly one representation, and a small and a big value always differ.
struct Rational::Big {
    BigInt num;
    BigInt den;
};

void Rational::BigDeleter::operator()(Big* p) const noexcept { delete p; }

namespace {

constexpr i128 kMax = static_cast<i128>(~static_cast<u128>(0) >> 1);
constexpr i128 kMin = -kMax - 1;

/// Parse limits: a hostile input can neither allocate without bound nor take quadratic time
/// on megabytes of digits.
constexpr std::size_t kMaxParseDigits = 100'000;
constexpr int kMaxExponent = 10'000;

constexpr std::uint64_t kTen19 = 10'000'000'000'000'000'000ULL;

constexpr u128 pow10_u128(int k) {
    u128 r = 1;
    for (int i = 0; i < k; ++i) r *= 10;
    return r;
}

/// 10^0 .. 10^38 (10^38 < 2^127 - 1 < 10^39).
constexpr auto kPow10 = [] {
    struct Table {
        u128 v[39];
    } t{};
    for (int k = 0; k < 39; ++k) t.v[k] = pow10_u128(k);
    return t;
}();

inline bool fits64(i128 v) { return v == static_cast<std::int64_t>(v); }
inline bool fits_u64(u128 v) { return (v >> 64) == 0; }

inline u128 uabs(i128 v) { return v < 0 ? -static_cast<u128>(v) : static_cast<u128>(v); }

inline int ctz128(u128 v) {
    const auto lo = static_cast<std::uint64_t>(v);
    return lo != 0 ? __builtin_ctzll(lo) : 64 + __builtin_ctzll(static_cast<std::uint64_t>(v >> 64));
}

/// Binary (Stein) gcd on 64 bits; gcd(0, b) = b. The trailing zeros of the difference are
/// counted while min and |difference| are formed, which keeps the loop's dependency chain
/// short (the "gcdwikipedia7fast" variant from Daniel Lemire's comparison).
inline std::uint64_t gcd64(std::uint64_t a, std::uint64_t b) {
    if (a == 0) return b;
    if (b == 0) return a;
    // Operands of very different sizes (an amount against a denominator): one division
    // saves the many subtract-and-shift steps that would only shrink the larger one.
    if (a < b) std::swap(a, b);
    if ((a >> 6) > b) {
        a %= b;
        if (a == 0) return b;
    }
    const int az = __builtin_ctzll(a);
    int bz = __builtin_ctzll(b);
    const int shift = std::min(az, bz);
    a >>= az;
    for (;;) {
        b >>= bz;   // a and b odd
        const std::uint64_t diff = b - a;
        if (diff == 0) break;
        bz = __builtin_ctzll(diff);   // the same for -diff
        const std::uint64_t abs_diff = b > a ? diff : a - b;
        a = std::min(a, b);
        b = abs_diff;
    }
    return a << shift;
}

/// Binary gcd on 128 bits, dropping to 64 bits as soon as both operands fit.
inline u128 gcd128(u128 a, u128 b) {
    if (a < b) std::swap(a, b);
    if (fits_u64(b)) {   // then one division brings a below 2^64 too
        if (b == 0) return a;
        if (!fits_u64(a)) a %= b;
        return gcd64(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b));
    }
    const int shift = ctz128(a | b);
    a >>= ctz128(a);
    do {
        b >>= ctz128(b);
        if (a > b) std::swap(a, b);
        b -= a;
        if (fits_u64(b) && fits_u64(a))
            return static_cast<u128>(gcd64(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b))) << shift;
    } while (b != 0);
    return a << shift;
}

/// x / g for g > 0 dividing x exactly; one 64-bit unsigned division when both fit.
[[gnu::always_inline]] inline i128 div_exact(i128 x, u128 g) {
    const u128 m = uabs(x);
    const u128 q = fits_u64(m) && fits_u64(g)
                       ? static_cast<u128>(static_cast<std::uint64_t>(m) / static_cast<std::uint64_t>(g))
                       : m / g;
    return x < 0 ? -static_cast<i128>(q) : static_cast<i128>(q);
}

/// Checked products and sums that also refuse the minimum value (its negation overflows).
inline bool mul_ok(i128 a, i128 b, i128& out) {
    if (fits64(a) && fits64(b)) {   // cannot overflow; one imul
        out = a * b;
        return out != kMin;
    }
    return !__builtin_mul_overflow(a, b, &out) && out != kMin;
}
inline bool add_ok(i128 a, i128 b, i128& out) { return !__builtin_add_overflow(a, b, &out) && out != kMin; }

// ---- cpp_int conversions ----

BigInt to_big(i128 v) {
    const u128 m = uabs(v);
    BigInt r = static_cast<std::uint64_t>(m >> 64);
    r <<= 64;
    r |= static_cast<std::uint64_t>(m);
    if (v < 0) r = -r;
    return r;
}

/// The value of v if |v| <= kMax.
bool from_big(const BigInt& v, i128& out) {
    if (v.is_zero()) {
        out = 0;
        return true;
    }
    const BigInt m = mp::abs(v);
    if (mp::msb(m) >= 127) return false;
    static const BigInt mask64 = BigInt(~std::uint64_t{0});
    const auto lo = static_cast<std::uint64_t>(BigInt(m & mask64));
    const auto hi = static_cast<std::uint64_t>(BigInt(m >> 64));
    const i128 mag = static_cast<i128>((static_cast<u128>(hi) << 64) | lo);
    out = v.sign() < 0 ? -mag : mag;
    return true;
}

// ---- decimal text ----

void append_u64(std::string& out, std::uint64_t v) {
    char buf[20];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

void append_u64_padded19(std::string& out, std::uint64_t v) {
    char buf[19];
    for (int i = 18; i >= 0; --i) {
        buf[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    out.append(buf, 19);
}

void append_u128(std::string& out, u128 v) {
    if (fits_u64(v)) return append_u64(out, static_cast<std::uint64_t>(v));
    const u128 hi = v / kTen19;
    const auto lo = static_cast<std::uint64_t>(v % kTen19);
    append_u128(out, hi);
    append_u64_padded19(out, lo);
}

std::string i128_string(i128 v) {
    std::string s;
    if (v < 0) s.push_back('-');
    append_u128(s, uabs(v));
    return s;
}

std::size_t digit_count(u128 v) {
    std::size_t n = 1;
    while (n < 39 && v >= kPow10.v[n]) ++n;
    return n;
}

/// Digits of v >= 0 without converting it to text (which is quadratic): estimate from the
/// bit length, then correct against an exact power of ten.
std::size_t digit_count(const BigInt& v) {
    if (v.is_zero()) return 1;
    const std::uint64_t bits = mp::msb(v) + 1;   // 2^(bits-1) <= v < 2^bits
    // floor((bits - 1) * log10(2)) + 1 with log10(2) ~ 0.3010299956639811952 (to 1e-19); an
    // estimate off by one is corrected below.
    const u128 scaled = static_cast<u128>(bits - 1) * static_cast<u128>(3010299956639811952ULL);
    auto n = static_cast<std::size_t>(scaled / kPow10.v[19]) + 1;
    BigInt p = mp::pow(BigInt(10), static_cast<unsigned>(n));   // candidate: v < 10^n
    while (v >= p) {
        p *= 10;
        ++n;
    }
    while (n > 1) {
        BigInt lower = p / 10;
        if (v >= lower) break;
        p = std::move(lower);
        --n;
    }
    return n;
}

/// Places a decimal point k digits from the right of `digits` (magnitude text).
std::string with_point(const std::string& digits, std::size_t k, bool negative) {
    std::string s;
    if (negative) s.push_back('-');
    if (k == 0) {
        s += digits;
        return s;
    }
    if (digits.size() <= k) {
        s += "0.";
        s.append(k - digits.size(), '0');
        s += digits;
    } else {
        s.append(digits, 0, digits.size() - k);
        s.push_back('.');
        s.append(digits, digits.size() - k, std::string::npos);
    }
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Scans an integer numeral at s[pos]: digits, either with single '_' between digits or with
/// ',' thousands separators (first group 1-3 digits, then groups of exactly 3), not both.
/// Returns the end position or npos.
std::size_t scan_integer(std::string_view s, std::size_t pos) {
    const std::size_t n = s.size();
    if (pos >= n || !is_digit(s[pos])) return std::string_view::npos;
    std::size_t i = pos;
    while (i < n && is_digit(s[i])) ++i;
    if (i < n && s[i] == ',') {
        if (i - pos > 3) return std::string_view::npos;
        while (i < n && s[i] == ',') {
            std::size_t j = i + 1;
            while (j < n && is_digit(s[j])) ++j;
            if (j - (i + 1) != 3) return std::string_view::npos;
            i = j;
        }
        return i;
    }
    while (i < n && s[i] == '_') {
        if (i + 1 >= n || !is_digit(s[i + 1])) return std::string_view::npos;
        i += 1;
        while (i < n && is_digit(s[i])) ++i;
    }
    return i;
}

/// Digits with single '_' between digits (the fractional part).
std::size_t scan_digits(std::string_view s, std::size_t pos) {
    const std::size_t n = s.size();
    if (pos >= n || !is_digit(s[pos])) return std::string_view::npos;
    std::size_t i = pos;
    for (;;) {
        while (i < n && is_digit(s[i])) ++i;
        if (i < n && s[i] == '_' && i + 1 < n && is_digit(s[i + 1])) {
            ++i;
            continue;
        }
        if (i < n && s[i] == '_') return std::string_view::npos;
        return i;
    }
}

std::size_t count_digits(std::string_view seg) {
    return static_cast<std::size_t>(std::count_if(seg.begin(), seg.end(), is_digit));
}

/// The value of the digits in the given segments (separators skipped), as u128 while it stays
/// <= kMax; `overflow` is set otherwise.
u128 small_value(std::initializer_list<std::string_view> segs, bool& overflow) {
    u128 acc = 0;
    overflow = false;
    for (std::string_view seg : segs) {
        for (char c : seg) {
            if (!is_digit(c)) continue;
            if (__builtin_mul_overflow(acc, u128{10}, &acc) ||
                __builtin_add_overflow(acc, static_cast<u128>(c - '0'), &acc) || acc > static_cast<u128>(kMax)) {
                overflow = true;
                return 0;
            }
        }
    }
    return acc;
}

BigInt big_value(std::initializer_list<std::string_view> segs) {
    BigInt acc;
    std::uint64_t chunk = 0;
    std::uint64_t scale = 1;
    for (std::string_view seg : segs) {
        for (char c : seg) {
            if (!is_digit(c)) continue;
            chunk = chunk * 10 + static_cast<std::uint64_t>(c - '0');
            scale *= 10;
            if (scale == kTen19) {
                acc *= scale;
                acc += chunk;
                chunk = 0;
                scale = 1;
            }
        }
    }
    if (scale != 1) {
        acc *= scale;
        acc += chunk;
    }
    return acc;
}

BigInt big_pow10(unsigned k) { return mp::pow(BigInt(10), k); }

}  // namespace

// ---- construction helpers (friends of Rational) ----

struct RationalAccess {
    /// From parts already normalised for the fast path.
    static Rational small(i128 n, i128 d) {
        Rational r;
        r.num_ = n;
        r.den_ = d;
        return r;
    }

    /// From n/d in lowest terms with d > 0; demotes to the fast path when both fit.
    static Rational reduced(BigInt n, BigInt d) {
        i128 sn, sd;
        if (from_big(n, sn) && from_big(d, sd)) return small(sn, sd);
        Rational r;
        r.big_.reset(new Rational::Big{std::move(n), std::move(d)});
        return r;
    }

    /// From any n/d with d != 0.
    static Rational normalise(BigInt n, BigInt d) {
        assert(!d.is_zero());
        if (d.sign() < 0) {
            n = -n;
            d = -d;
        }
        if (n.is_zero()) return Rational();
        BigInt g = mp::gcd(mp::abs(n), d);
        if (g != 1) {
            n /= g;
            d /= g;
        }
        return reduced(std::move(n), std::move(d));
    }

    /// From magnitude n, denominator d > 0 (both <= kMax) and a sign.
    static Rational normalise(bool negative, u128 n, u128 d) {
        assert(d != 0 && n <= static_cast<u128>(kMax) && d <= static_cast<u128>(kMax));
        if (n == 0) return Rational();
        if (d != 1) {
            const u128 g = gcd128(n, d);
            if (g != 1) {
                n /= g;
                d /= g;
            }
        }
        const auto sn = static_cast<i128>(n);
        return small(negative ? -sn : sn, static_cast<i128>(d));
    }

    static BigInt num(const Rational& r) { return r.big_ ? r.big_->num : to_big(r.num_); }
    static BigInt den(const Rational& r) { return r.big_ ? r.big_->den : to_big(r.den_); }

    static Rational pow10(unsigned k) {
        if (k <= 38) return small(static_cast<i128>(kPow10.v[k]), 1);
        return reduced(big_pow10(k), BigInt(1));
    }

    // ---- fast-path arithmetic: false when an intermediate would overflow ----

    /// an/ad + bn/bd (both normalised). Always inlined: out-parameters of __int128 written
    /// through memory and read back as one 16-byte load stall store forwarding.
    [[gnu::always_inline]] static bool add_small(i128 an, i128 ad, i128 bn, i128 bd, i128& n, i128& d) {
        if (ad == bd) {
            i128 t;
            if (!add_ok(an, bn, t)) return false;
            if (ad == 1 || t == 0) {
                n = t;
                d = t == 0 ? 1 : ad;
                return true;
            }
            const u128 g = gcd128(uabs(t), static_cast<u128>(ad));
            n = div_exact(t, g);
            d = div_exact(ad, g);
            return true;
        }
        if (ad == 1) {   // an + bn/bd = (an*bd + bn)/bd, already in lowest terms
            i128 t;
            if (!mul_ok(an, bd, t) || !add_ok(t, bn, n)) return false;
            d = bd;
            return true;
        }
        if (bd == 1) {
            i128 t;
            if (!mul_ok(bn, ad, t) || !add_ok(t, an, n)) return false;
            d = ad;
            return true;
        }
        const u128 g = gcd128(static_cast<u128>(ad), static_cast<u128>(bd));
        if (g == 1) {
            i128 x, y;
            if (!mul_ok(an, bd, x) || !mul_ok(bn, ad, y) || !add_ok(x, y, n) || !mul_ok(ad, bd, d)) return false;
            return true;
        }
        const i128 adg = div_exact(ad, g);
        const i128 bdg = div_exact(bd, g);
        i128 x, y, t;
        if (!mul_ok(an, bdg, x) || !mul_ok(bn, adg, y) || !add_ok(x, y, t)) return false;
        if (t == 0) {
            n = 0;
            d = 1;
            return true;
        }
        const u128 g2 = gcd128(uabs(t), g);
        n = div_exact(t, g2);
        return mul_ok(adg, div_exact(bd, g2), d);
    }

    /// (an/ad) * (bn/bd) (both normalised, ad > 0 and bd > 0).
    [[gnu::always_inline]] static bool mul_small(i128 an, i128 ad, i128 bn, i128 bd, i128& n, i128& d) {
        if (an == 0 || bn == 0) {
            n = 0;
            d = 1;
            return true;
        }
        // A numerator of ±1 (a division by an integer, say) shares no factor: no gcd.
        if (bd != 1 && an != 1 && an != -1) {
            const u128 g = gcd128(uabs(an), static_cast<u128>(bd));
            if (g != 1) {
                an = div_exact(an, g);
                bd = div_exact(bd, g);
            }
        }
        if (ad != 1 && bn != 1 && bn != -1) {
            const u128 g = gcd128(uabs(bn), static_cast<u128>(ad));
            if (g != 1) {
                bn = div_exact(bn, g);
                ad = div_exact(ad, g);
            }
        }
        return mul_ok(an, bn, n) && mul_ok(ad, bd, d);
    }

    // ---- arbitrary precision ----

    static Rational add_big(const Rational& a, const Rational& b, bool subtract) {
        const BigInt an = num(a), ad = den(a), bd = den(b);
        BigInt bn = num(b);
        if (subtract) bn = -bn;
        BigInt g = mp::gcd(ad, bd);
        if (g == 1) return reduced(an * bd + bn * ad, ad * bd);
        BigInt adg = ad / g;
        BigInt t = an * (bd / g) + bn * adg;
        if (t.is_zero()) return Rational();
        BigInt g2 = mp::gcd(mp::abs(t), g);
        return reduced(t / g2, adg * (bd / g2));
    }

    static Rational mul_big(BigInt an, BigInt ad, BigInt bn, BigInt bd) {
        if (an.is_zero() || bn.is_zero()) return Rational();
        BigInt g1 = mp::gcd(mp::abs(an), bd);
        if (g1 != 1) {
            an /= g1;
            bd /= g1;
        }
        BigInt g2 = mp::gcd(mp::abs(bn), ad);
        if (g2 != 1) {
            bn /= g2;
            ad /= g2;
        }
        return reduced(an * bn, ad * bd);
    }

    /// r = n/d on the fast path, in place (r may have been big).
    [[gnu::always_inline]] static void put(Rational& r, i128 n, i128 d) {
        if (r.big_) r.big_.reset();
        r.num_ = n;
        r.den_ = d;
    }

    /// out = a ± b; out may be a or b.
    static void add(Rational& out, const Rational& a, const Rational& b, bool subtract) {
        if (!a.big_ && !b.big_) {
            // b.num_ != kMin, so its negation cannot overflow.
            const i128 bn = subtract ? -b.num_ : b.num_;
            if (a.den_ == 1 && b.den_ == 1) {
                i128 s;
                if (add_ok(a.num_, bn, s)) return put(out, s, 1);
            } else {
                i128 n, d;
                if (add_small(a.num_, a.den_, bn, b.den_, n, d)) return put(out, n, d);
            }
        }
        out = add_big(a, b, subtract);
    }

    /// out = (an/ad) × (bn/bd) for the values of a and b (b's possibly inverted by the
    /// caller); out may be a or b.
    static void mul(Rational& out, const Rational& a, const Rational& b) {
        if (!a.big_ && !b.big_) {
            i128 n, d;
            if (a.den_ == 1 && b.den_ == 1) {
                if (mul_ok(a.num_, b.num_, n)) return put(out, n, 1);
            } else if (mul_small(a.num_, a.den_, b.num_, b.den_, n, d)) {
                return put(out, n, d);
            }
        }
        out = mul_big(num(a), den(a), num(b), den(b));
    }

    static void div(Rational& out, const Rational& a, const Rational& b) {
        assert(!b.is_zero());
        if (!a.big_ && !b.big_) {
            // a * (1/b); b.num_ != kMin, so negating it is safe.
            const i128 bn = b.num_ < 0 ? -b.den_ : b.den_;
            const i128 bd = b.num_ < 0 ? -b.num_ : b.num_;
            i128 n, d;
            if (mul_small(a.num_, a.den_, bn, bd, n, d)) return put(out, n, d);
        }
        BigInt bn = den(b), bd = num(b);
        if (bd.sign() < 0) {
            bn = -bn;
            bd = -bd;
        }
        out = mul_big(num(a), den(a), std::move(bn), std::move(bd));
    }

    /// n/d (d > 0, not necessarily in lowest terms) rounded to an integer with `mode`.
    static i128 round_quotient(i128 n, i128 d, RoundingMode mode) {
        i128 q, r;
        floor_qr(n, d, q, r);
        if (r == 0 || mode == RoundingMode::down) return q;
        if (mode == RoundingMode::up) return q + 1;
        // x = q + r/d with 0 < r < d: compare 2r with d.
        const u128 twice = static_cast<u128>(r) * 2;   // r < d <= kMax: no overflow
        bool up = twice > static_cast<u128>(d);
        if (twice == static_cast<u128>(d)) up = mode == RoundingMode::half_up ? n > 0 : (q & 1) != 0;
        return up ? q + 1 : q;
    }

    /// floor (toward -inf) of n/d, d > 0, with the remainder in [0, d).
    [[gnu::always_inline]] static void floor_qr(i128 n, i128 d, i128& q, i128& r) {
        if (fits64(n) && fits64(d)) {
            const auto n64 = static_cast<std::int64_t>(n), d64 = static_cast<std::int64_t>(d);
            q = n64 / d64;
            r = n64 % d64;
        } else {
            q = n / d;
            r = n % d;
        }
        if (r < 0) {
            q -= 1;
            r += d;
        }
    }
    static void floor_qr(const BigInt& n, const BigInt& d, BigInt& q, BigInt& r) {
        mp::divide_qr(n, d, q, r);
        if (r.sign() < 0) {
            q -= 1;
            r += d;
        }
    }
};

using RA = RationalAccess;

// ---- construction ----

Rational::Rational(std::int64_t n) : num_(n) {}

Rational Rational::fraction(std::int64_t n, std::int64_t d) {
    assert(d != 0);
    const bool negative = (n < 0) != (d < 0);
    return RA::normalise(negative, uabs(n), uabs(d));
}

void Rational::set_lowest_terms(std::int64_t n, std::int64_t d) {
    assert(d > 0 && std::gcd(static_cast<std::uint64_t>(n < 0 ? -static_cast<i128>(n) : n), static_cast<std::uint64_t>(d)) == 1);
    big_.reset();
    num_ = n;
    den_ = d;
}

Rational Rational::from_parts(__int128 n, __int128 d) {
    assert(d != 0);
    if (n == kMin || d == kMin) return RA::normalise(to_big(n), to_big(d));
    const bool negative = (n < 0) != (d < 0);
    return RA::normalise(negative, static_cast<u128>(n < 0 ? -n : n), static_cast<u128>(d < 0 ? -d : d));
}

void Rational::copy_big(const Rational& o) { big_.reset(new Big(*o.big_)); }

Rational& Rational::assign_big(const Rational& o) {
    if (this == &o) return *this;
    num_ = o.num_;
    den_ = o.den_;
    if (!o.big_)
        big_.reset();
    else if (big_)
        *big_ = *o.big_;
    else
        big_.reset(new Big(*o.big_));
    return *this;
}


// ---- parsing ----

namespace {

// Every form parse() accepts, the plain short integer included.
[[gnu::noinline]] std::optional<Rational> parse_general(std::string_view s) {
    constexpr auto npos = std::string_view::npos;
    std::size_t i = 0;
    const bool negative = !s.empty() && s[0] == '-';
    if (negative) i = 1;

    const std::size_t int_end = scan_integer(s, i);
    if (int_end == npos) return std::nullopt;
    const std::string_view int_part = s.substr(i, int_end - i);
    i = int_end;

    if (i < s.size() && s[i] == '/') {   // fraction a/b
        const std::size_t den_end = scan_integer(s, i + 1);
        if (den_end != s.size()) return std::nullopt;
        const std::string_view den_part = s.substr(i + 1, den_end - i - 1);
        if (count_digits(int_part) + count_digits(den_part) > kMaxParseDigits) return std::nullopt;
        bool n_over, d_over;
        const u128 n = small_value({int_part}, n_over);
        const u128 d = small_value({den_part}, d_over);
        if (!n_over && !d_over) {
            if (d == 0) return std::nullopt;
            return RA::normalise(negative, n, d);
        }
        BigInt bd = big_value({den_part});
        if (bd.is_zero()) return std::nullopt;
        BigInt bn = big_value({int_part});
        if (negative) bn = -bn;
        return RA::normalise(std::move(bn), std::move(bd));
    }

    std::string_view frac_part;
    if (i < s.size() && s[i] == '.') {
        const std::size_t frac_end = scan_digits(s, i + 1);
        if (frac_end == npos) return std::nullopt;
        frac_part = s.substr(i + 1, frac_end - i - 1);
        i = frac_end;
    }

    long exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            exp_negative = s[i] == '-';
            ++i;
        }
        if (i >= s.size() || !is_digit(s[i])) return std::nullopt;
        for (; i < s.size() && is_digit(s[i]); ++i) {
            exponent = exponent * 10 + (s[i] - '0');
            if (exponent > kMaxExponent) return std::nullopt;
        }
        if (exp_negative) exponent = -exponent;
    }

    const bool percent = i < s.size() && s[i] == '%';
    if (percent) ++i;
    if (i != s.size()) return std::nullopt;

    const std::size_t frac_digits = count_digits(frac_part);
    if (count_digits(int_part) + frac_digits > kMaxParseDigits) return std::nullopt;
    // value = mantissa * 10^scale
    const long scale = exponent - static_cast<long>(frac_digits) - (percent ? 2 : 0);

    bool over;
    const u128 m = small_value({int_part, frac_part}, over);
    if (!over) {
        if (m == 0) return Rational();
        if (scale < 0 && scale >= -38) return RA::normalise(negative, m, kPow10.v[-scale]);
        if (scale >= 0 && scale <= 38) {
            u128 v;
            if (!__builtin_mul_overflow(m, kPow10.v[scale], &v) && v <= static_cast<u128>(kMax)) {
                const auto sv = static_cast<i128>(v);
                return RA::small(negative ? -sv : sv, 1);
            }
        }
    }
    BigInt bm = over ? big_value({int_part, frac_part}) : to_big(static_cast<i128>(m));
    if (negative) bm = -bm;
    if (scale >= 0) return RA::reduced(bm * big_pow10(static_cast<unsigned>(scale)), BigInt(1));
    return RA::normalise(std::move(bm), big_pow10(static_cast<unsigned>(-scale)));
}

}  // namespace

std::optional<Rational> Rational::parse(std::string_view s) {
    const bool negative = !s.empty() && s[0] == '-';
    const std::size_t i = negative ? 1 : 0;

    // The common case first: a plain integer of at most 18 digits ("340000", "-12", "007"),
    // which fits an int64 whatever its digits: the value parse_general gives it.
    if (const std::size_t digits = s.size() - i; digits >= 1 && digits <= 18) {
        std::int64_t v = 0;
        std::size_t j = i;
        for (; j < s.size(); ++j) {
            const auto d = static_cast<unsigned>(static_cast<unsigned char>(s[j])) - unsigned{'0'};
            if (d > 9) break;
            v = v * 10 + static_cast<std::int64_t>(d);
        }
        if (j == s.size()) {
            if (v == 0) return Rational();
            return RA::small(negative ? -v : v, 1);
        }
    }

    return parse_general(s);
}

// ---- arithmetic ----

void Rational::add_general(const Rational& a, const Rational& b, bool subtract) { RA::add(*this, a, b, subtract); }
void Rational::mul_general(const Rational& a, const Rational& b) { RA::mul(*this, a, b); }
void Rational::set_quotient(const Rational& a, const Rational& b) { RA::div(*this, a, b); }

void Rational::set_rounded(const Rational& a, const Rational& b, const Rational& c, RoundingMode mode,
                           const Rational& unit) {
    assert(!c.is_zero() && unit.sign() > 0);
    if (!a.big_ && !b.big_ && !c.big_ && !unit.big_ && unit.den_ == 1) {
        // (an/ad)(bn/bd) / (cn/cd) / u = (an·bn·cd) / (ad·bd·cn·u); mul_ok refuses the
        // minimum value, so the sign can be moved to the numerator.
        i128 n, d, k;
        if (mul_ok(a.num_, b.num_, n) && mul_ok(n, c.den_, n) && mul_ok(a.den_, b.den_, d) && mul_ok(d, c.num_, d) &&
            mul_ok(d, unit.num_, d)) {
            if (d < 0) {
                n = -n;
                d = -d;
            }
            if (mul_ok(RA::round_quotient(n, d, mode), unit.num_, k)) return RA::put(*this, k, 1);
        }
    }
    Rational t;   // a, b or c may be *this
    t.set_product(a, b);
    t.set_quotient(t, c);
    *this = t.round_to(mode, unit);
}

Rational operator+(const Rational& a, const Rational& b) {
    Rational r;
    r.set_sum(a, b);
    return r;
}
Rational operator-(const Rational& a, const Rational& b) {
    Rational r;
    r.set_difference(a, b);
    return r;
}
Rational operator*(const Rational& a, const Rational& b) {
    Rational r;
    r.set_product(a, b);
    return r;
}
Rational operator/(const Rational& a, const Rational& b) {
    Rational r;
    r.set_quotient(a, b);
    return r;
}

Rational Rational::operator-() const {
    if (!big_) return RA::small(-num_, den_);
    Rational r;
    r.big_.reset(new Big{-big_->num, big_->den});
    return r;
}

// ---- comparison ----

bool Rational::equal_big(const Rational& a, const Rational& b) {
    if (a.big_ && b.big_) return a.big_->num == b.big_->num && a.big_->den == b.big_->den;
    return false;
}

std::strong_ordering Rational::compare_general(const Rational& a, const Rational& b) {
    const int sa = a.sign(), sb = b.sign();
    if (sa != sb) return sa <=> sb;
    if (sa == 0) return std::strong_ordering::equal;
    if (!a.big_ && !b.big_) {
        if (a.den_ == b.den_) return a.num_ <=> b.num_;
        i128 x, y;
        if (mul_ok(a.num_, b.den_, x) && mul_ok(b.num_, a.den_, y)) return x <=> y;
    }
    const BigInt x = RA::num(a) * RA::den(b);
    const BigInt y = RA::num(b) * RA::den(a);
    const int c = x.compare(y);
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
}

// ---- queries ----

int Rational::sign_big() const { return big_->num.sign(); }

bool Rational::is_integer_big() const { return big_->den == 1; }

Rational Rational::abs() const { return sign() < 0 ? -*this : *this; }

bool Rational::terminates() const {
    if (!big_) {
        u128 d = static_cast<u128>(den_);
        d >>= ctz128(d);
        while (!fits_u64(d) && d % 5 == 0) d /= 5;
        if (!fits_u64(d)) return false;
        auto d64 = static_cast<std::uint64_t>(d);
        while (d64 % 5 == 0) d64 /= 5;
        return d64 == 1;
    }
    BigInt d = big_->den;
    d >>= mp::lsb(d);
    BigInt q, r;
    for (;;) {
        mp::divide_qr(d, BigInt(5), q, r);
        if (!r.is_zero()) break;
        d = std::move(q);
    }
    return d == 1;
}

std::string Rational::numerator_string() const { return big_ ? big_->num.str() : i128_string(num_); }
std::string Rational::denominator_string() const { return big_ ? big_->den.str() : i128_string(den_); }


std::size_t Rational::digits() const {
    if (!big_) return digit_count(std::max(uabs(num_), static_cast<u128>(den_)));
    const BigInt n = mp::abs(big_->num);
    return digit_count(n > big_->den ? n : big_->den);
}

// ---- rounding ----

Rational Rational::floor() const {
    if (!big_) {
        if (den_ == 1) return *this;
        i128 q, r;
        RA::floor_qr(num_, den_, q, r);
        return RA::small(q, 1);
    }
    if (big_->den == 1) return *this;
    BigInt q, r;
    RA::floor_qr(big_->num, big_->den, q, r);
    return RA::reduced(std::move(q), BigInt(1));
}

Rational Rational::ceil() const {
    if (!big_) {
        if (den_ == 1) return *this;
        i128 q, r;
        RA::floor_qr(num_, den_, q, r);
        return RA::small(q + 1, 1);   // den_ >= 2, so |q| < kMax / 2 + 1
    }
    if (big_->den == 1) return *this;
    BigInt q, r;
    RA::floor_qr(big_->num, big_->den, q, r);
    return RA::reduced(q + 1, BigInt(1));
}

Rational Rational::round(RoundingMode mode) const {
    if (!big_) return RA::small(RA::round_quotient(num_, den_, mode), 1);
    if (mode == RoundingMode::down) return floor();
    if (mode == RoundingMode::up) return ceil();
    if (is_integer()) return *this;
    // x = q + r/d with 0 < r < d: compare 2r with d.
    BigInt q, r;
    RA::floor_qr(big_->num, big_->den, q, r);
    const int c = BigInt(r * 2).compare(big_->den);
    bool up = c > 0;
    if (c == 0) up = mode == RoundingMode::half_up ? big_->num.sign() > 0 : mp::bit_test(q, 0);
    if (up) q += 1;
    return RA::reduced(std::move(q), BigInt(1));
}

Rational Rational::round_to(RoundingMode mode, const Rational& unit) const {
    assert(unit.sign() > 0);
    // A whole unit (1 share, 1 yen) is the common case: no division, no product.
    if (!unit.big_ && unit.num_ == 1 && unit.den_ == 1) return round(mode);
    return unit * (*this / unit).round(mode);
}

// ---- text ----

std::string Rational::to_string() const {
    if (is_integer()) return numerator_string();
    if (!terminates()) return numerator_string() + "/" + denominator_string();
    // den = 2^a 5^b: the shortest exact decimal has k = max(a, b) places;
    // its digits are |num| * 10^k / den = |num| * 2^(k-a) * 5^(k-b).
    if (!big_) {
        const auto d = static_cast<u128>(den_);
        const int a = ctz128(d);
        u128 rest = d >> a;
        int b = 0;
        while (rest != 1) {
            rest /= 5;
            ++b;
        }
        const int k = std::max(a, b);
        u128 mult = 1;
        bool ok = true;
        for (int i = 0; i < k - a && ok; ++i) ok = !__builtin_mul_overflow(mult, u128{2}, &mult);
        for (int i = 0; i < k - b && ok; ++i) ok = !__builtin_mul_overflow(mult, u128{5}, &mult);
        u128 scaled;
        if (ok && !__builtin_mul_overflow(uabs(num_), mult, &scaled)) {
            std::string digits;
            append_u128(digits, scaled);
            return with_point(digits, static_cast<std::size_t>(k), num_ < 0);
        }
    }
    const BigInt n = RA::num(*this);
    BigInt d = RA::den(*this);
    const unsigned a = mp::lsb(d);
    d >>= a;
    unsigned b = 0;
    while (d != 1) {
        d /= 5;
        ++b;
    }
    const unsigned k = std::max(a, b);
    const BigInt scaled = mp::abs(n) * mp::pow(BigInt(2), k - a) * mp::pow(BigInt(5), k - b);
    return with_point(scaled.str(), k, n.sign() < 0);
}

std::string Rational::to_decimal(int places) const {
    assert(places >= 0);
    const Rational q = (*this * RA::pow10(static_cast<unsigned>(places))).round(RoundingMode::half_up);
    const std::string n = q.numerator_string();
    const bool negative = n[0] == '-';   // q == 0 prints without a sign: never "-0.00"
    return with_point(negative ? n.substr(1) : n, static_cast<std::size_t>(places), negative);
}

}  // namespace hoshu::eval
