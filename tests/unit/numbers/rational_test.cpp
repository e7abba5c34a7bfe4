// Tests of the exact number type. Table tests for the documented text forms and rounding
// modes; property tests against an independent reference (Boost's cpp_rational); and the
// share-count cases where binary floating point gets the answer wrong.
#include "evaluator/numbers/rational.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>
#include <catch2/catch.hpp>

using hoshu::eval::Rational;
using hoshu::eval::RoundingMode;
using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

namespace {

Rational q(const std::string& text) {
    auto r = Rational::parse(text);
    INFO("parsing " << text);
    REQUIRE(r.has_value());
    return *r;
}

const cpp_int kMax128 = (cpp_int(1) << 127) - 1;   // the largest __int128

Rational from_ref(const cpp_rational& v) {
    return q(numerator(v).str() + "/" + denominator(v).str());
}

bool fits_fast_path(const cpp_rational& v) {
    return abs(numerator(v)) <= kMax128 && denominator(v) <= kMax128;
}

/// got must be exactly want, in lowest terms, and on the fast path exactly when it fits.
void require_same(const Rational& got, const cpp_rational& want) {
    INFO("want " << want << ", got " << got.numerator_string() << "/" << got.denominator_string());
    REQUIRE(got.numerator_string() == numerator(want).str());
    REQUIRE(got.denominator_string() == denominator(want).str());
    REQUIRE(got.is_small() == fits_fast_path(want));
}

cpp_int floor_ref(const cpp_rational& v) {
    const cpp_int n = numerator(v), d = denominator(v);
    cpp_int f = n / d;   // truncates toward zero
    if (f * d > n) f -= 1;
    return f;
}
cpp_int ceil_ref(const cpp_rational& v) { return -floor_ref(-v); }
cpp_int half_up_ref(const cpp_rational& v) {
    const cpp_rational half(1, 2);
    return v >= 0 ? floor_ref(v + half) : cpp_int(-floor_ref(-v + half));
}
cpp_int half_even_ref(const cpp_rational& v) {
    const cpp_int f = floor_ref(v);
    const cpp_rational diff = v - cpp_rational(f);
    const cpp_rational half(1, 2);
    if (diff < half) return f;
    if (diff > half) return f + 1;
    return f % 2 == 0 ? f : cpp_int(f + 1);
}
cpp_int round_ref(const cpp_rational& v, RoundingMode mode) {
    switch (mode) {
        case RoundingMode::down: return floor_ref(v);
        case RoundingMode::up: return ceil_ref(v);
        case RoundingMode::half_up: return half_up_ref(v);
        case RoundingMode::half_even: return half_even_ref(v);
    }
    return 0;
}

bool terminates_ref(const cpp_rational& v) {
    cpp_int d = denominator(v);
    while (d % 2 == 0) d /= 2;
    while (d % 5 == 0) d /= 5;
    return d == 1;
}

// ---- random values across magnitudes ----

cpp_int random_bits(std::mt19937_64& rng, unsigned bits) {
    cpp_int v = 0;
    for (unsigned have = 0; have < bits; have += 64) {
        v <<= 64;
        v += rng();
    }
    return v >> (((bits + 63) / 64) * 64 - bits);
}

std::int64_t uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

cpp_rational random_value(std::mt19937_64& rng) {
    const bool negative = rng() & 1;
    cpp_int n, d = 1;
    switch (uniform(rng, 0, 12)) {
        case 0: n = uniform(rng, 0, 1000); break;                                     // small integers
        case 1: n = cpp_int(rng() >> 1); break;                                       // int64
        case 2: n = (cpp_int(1) << 63) + uniform(rng, -1000, 1000); break;            // near 2^63
        case 3: n = (cpp_int(1) << 126) + random_bits(rng, 64) - random_bits(rng, 64); break;  // near 2^126
        case 4: n = kMax128 - uniform(rng, -2, 1000); break;                          // around 2^127
        case 5:                                                                        // small fractions
            n = uniform(rng, 0, 1'000'000);
            d = uniform(rng, 1, 1'000'000);
            break;
        case 6:                                                                        // 64-bit fractions
            n = cpp_int(rng() >> 1);
            d = cpp_int(rng() >> 1) + 1;
            break;
        case 7:                                                                        // ~2^100 / ~2^60
            n = random_bits(rng, 100);
            d = random_bits(rng, 60) + 1;
            break;
        case 8:                                                                        // beyond the fast path
            n = random_bits(rng, 200);
            d = random_bits(rng, 130) + 1;
            break;
        case 9:                                                                        // decimals
            n = uniform(rng, 0, 100'000'000);
            d = pow(cpp_int(10), static_cast<unsigned>(uniform(rng, 0, 12)));
            break;
        case 10:                                                                       // binary fractions
            n = cpp_int(rng() >> uniform(rng, 1, 63));
            d = cpp_int(1) << static_cast<unsigned>(uniform(rng, 0, 126));
            break;
        case 11:                                                                       // yen amounts
            n = uniform(rng, 0, 100'000'000'000LL);
            break;
        default:                                                                       // ratios like 8712/10385
            n = uniform(rng, 1, 100'000);
            d = n + uniform(rng, 0, 100'000);
            break;
    }
    cpp_rational v(n, d);
    return negative ? cpp_rational(-v) : v;
}

std::strong_ordering ref_order(const cpp_rational& a, const cpp_rational& b) {
    if (a < b) return std::strong_ordering::less;
    if (a > b) return std::strong_ordering::greater;
    return std::strong_ordering::equal;
}

constexpr RoundingMode kModes[] = {RoundingMode::down, RoundingMode::up, RoundingMode::half_up,
                                   RoundingMode::half_even};

}  // namespace

namespace Catch {
template <>
struct StringMaker<Rational> {
    static std::string convert(const Rational& r) { return r.to_string(); }
};
}  // namespace Catch

// ---------------------------------------------------------------------------------------
// Parsing and printing
// ---------------------------------------------------------------------------------------

TEST_CASE("parse accepts the documented forms", "[rational][parse]") {
    auto [input, printed] = GENERATE(table<std::string, std::string>({
        {"0", "0"},
        {"-0", "0"},
        {"12", "12"},
        {"-12", "-12"},
        {"007", "7"},
        {"16_000_000", "16000000"},
        {"16,000,000", "16000000"},
        {"1,000", "1000"},
        {"999", "999"},
        {"1,234.5", "1234.5"},
        {"0.9375", "0.9375"},
        {"-1.05", "-1.05"},
        {"1.050", "1.05"},
        {"0.5", "0.5"},
        {"0.1", "0.1"},
        {"0.000001", "0.000001"},
        {"1_000.000_1", "1000.0001"},
        {"3.168e11", "316800000000"},
        {"300E9", "300000000000"},
        {"1e+3", "1000"},
        {"1E-3", "0.001"},
        {"12.5e-1", "1.25"},
        {"1e00003", "1000"},
        {"15.4%", "0.154"},
        {"50%", "0.5"},
        {"-5%", "-0.05"},
        {"100%", "1"},
        {"1e2%", "1"},
        {"21353/23800", "21353/23800"},
        {"8712/10385", "8712/10385"},
        {"-3/4", "-0.75"},
        {"6/4", "1.5"},
        {"2/6", "1/3"},
        {"-2/6", "-1/3"},
        {"-0/7", "0"},
        {"16_000_000/3", "16000000/3"},
        {"170141183460469231731687303715884105727", "170141183460469231731687303715884105727"},
        {"-170141183460469231731687303715884105728", "-170141183460469231731687303715884105728"},
        {"1e40", "10000000000000000000000000000000000000000"},
        {"1e-40", "0.0000000000000000000000000000000000000001"},
        {"1/170141183460469231731687303715884105727", "1/170141183460469231731687303715884105727"},
        {"1/170141183460469231731687303715884105728",   // 2^-127 terminates: 127 places
         "0.0000000000000000000000000000000000000058774717541114375398436826861112283890933277838604"
         "376075437585313920862972736358642578125"},
    }));
    INFO(input);
    auto r = Rational::parse(input);
    REQUIRE(r.has_value());
    CHECK(r->to_string() == printed);
    CHECK(Rational::parse(r->to_string()) == r);
}

TEST_CASE("parse rejects everything else", "[rational][parse]") {
    auto input = GENERATE(as<std::string>{}, "", "-", ".5", "-.5", "5.", "1.e5", "1e", "1e+", "1e-", "--1",
                          "+1", "-+1", "1/0", "1/00", "-1/0", "1/-2", "-1/-2", "1/2/3", "1/", "/2", " 1",
                          "1 ", "1 000", "\t1", "0x10", "0b1", "1_", "_1", "1__0", "1_.5", "1._5", "1.5_",
                          "1.5__5", "1,00", "1,0000", "1234,567", "1,", ",1", "1,,000", "1,000_000",
                          "1_000,000", "1.000,5", "inf", "-inf", "nan", "NaN", "infinity", "1.5/2", "1/2.5",
                          "1/2%", "1e2/3", "1%%", "%", "-%", "1e10001", "1e-10001", "1e99999999999999999999",
                          "1.2.3", "1e5.5", "1e1_0", "0.5e", "1.0e+-1", "1e--1", "１", "1\n", "12a",
                          "a12", "1/1_", "1/_1", std::string("1\0", 2));
    INFO('"' << input << '"');
    CHECK_FALSE(Rational::parse(input).has_value());
}

TEST_CASE("parse's plain-integer fast path agrees with the general path", "[rational][parse]") {
    // "e0" sends the same number through the general scan: value, representation and
    // printing must be the same whatever the length (the fast path takes up to 18 digits).
    auto input = GENERATE(as<std::string>{}, "0", "-0", "00", "000000000000000000", "-000000000000000000",
                          "0000000000000000000", "1", "9", "-9", "10", "007", "-007", "340000", "2900000",
                          "123456789012345678", "-123456789012345678", "999999999999999999",
                          "-999999999999999999", "1000000000000000000", "9223372036854775807",
                          "-9223372036854775808", "9999999999999999999", "-99999999999999999999",
                          "170141183460469231731687303715884105727", "99999999999999999999999999999999999999999");
    INFO(input);
    auto fast = Rational::parse(input);
    auto general = Rational::parse(input + "e0");
    REQUIRE(fast.has_value());
    REQUIRE(general.has_value());
    CHECK(*fast == *general);
    CHECK(fast->is_small() == general->is_small());
    if (fast->is_small()) CHECK(fast->small_parts() == general->small_parts());
    CHECK(fast->to_string() == general->to_string());
}

TEST_CASE("parse rejects near-integers the fast path must not take", "[rational][parse]") {
    // The bytes either side of the digits ('/' and ':'), signs, blanks and non-ASCII digits
    // at every place of a short integer.
    auto input = GENERATE(as<std::string>{}, "1/", "/1", "12:", ":12", "1:2", "-", "-/", "-:", "--5", "+5",
                          "5-", "1-2", "12 ", " 12", "1\t", "12\n", "1２", "123456789012345678/",
                          "12345678901234567:", "-12345678901234567 ", std::string("12\0", 3),
                          std::string("\xff" "1"), "1\x80");
    INFO('"' << input << '"');
    CHECK_FALSE(Rational::parse(input).has_value());
}

TEST_CASE("parse bounds the exponent and the number of digits", "[rational][parse]") {
    const Rational big = q("1e10000");
    CHECK_FALSE(big.is_small());
    CHECK(big.digits() == 10001);
    const Rational tiny = q("1e-10000");
    CHECK(tiny.digits() == 10001);
    CHECK(big * tiny == Rational(1));
    CHECK((big * tiny).is_small());

    const std::string max_digits(100'000, '7');
    const Rational long_value = q(max_digits);
    CHECK(long_value.digits() == 100'000);
    CHECK(long_value.to_string() == max_digits);
    CHECK_FALSE(Rational::parse(max_digits + "7").has_value());
    CHECK_FALSE(Rational::parse("0." + max_digits).has_value());
    CHECK(Rational::parse("0." + max_digits.substr(1)).has_value());
}

TEST_CASE("to_string prints integers, shortest decimals, or lowest-term fractions", "[rational][print]") {
    auto [value, printed] = GENERATE(table<Rational, std::string>({
        {Rational(4709), "4709"},
        {Rational(-12), "-12"},
        {Rational(), "0"},
        {Rational::fraction(15, 16), "0.9375"},
        {Rational::fraction(-105, 100), "-1.05"},
        {Rational::fraction(1, 2), "0.5"},
        {Rational::fraction(3, -4), "-0.75"},
        {Rational::fraction(-3, 7), "-3/7"},
        {Rational::fraction(3, -7), "-3/7"},
        {Rational::fraction(-6, -14), "3/7"},
        {Rational::fraction(2, 6), "1/3"},
        {Rational::fraction(1, 1024), "0.0009765625"},
        {Rational::fraction(185'856'000, 39'463), "185856000/39463"},
        {Rational::fraction(INT64_MIN, 1), "-9223372036854775808"},
        {Rational::fraction(INT64_MIN, -1), "9223372036854775808"},
        {Rational::fraction(1, INT64_MIN), "-0.000000000000000000108420217248550443400745280086994171142578125"},
        {Rational::fraction(INT64_MIN, INT64_MAX), "-9223372036854775808/9223372036854775807"},
        {Rational::fraction(INT64_MAX, INT64_MIN), "-0.999999999999999999891579782751449556599254719913005828857421875"},
        {Rational::fraction(1, 3) * Rational::fraction(1, 3), "1/9"},
    }));
    CHECK(value.to_string() == printed);
    CHECK(Rational::parse(printed) == value);
}

TEST_CASE("to_decimal rounds half up exactly", "[rational][print]") {
    auto [value, places, printed] = GENERATE(table<std::string, int, std::string>({
        {"2.675", 2, "2.68"},       // a double holds 2.67499999…
        {"1.005", 2, "1.01"},       // a double holds 1.00499999…
        {"-1.005", 2, "-1.01"},
        {"-0.001", 2, "0.00"},      // never "-0.00"
        {"-0.0049", 2, "0.00"},
        {"-0.005", 2, "-0.01"},
        {"0.004", 2, "0.00"},
        {"1/3", 5, "0.33333"},
        {"-1/3", 3, "-0.333"},
        {"2/3", 3, "0.667"},
        {"2/3", 0, "1"},
        {"-2/3", 0, "-1"},
        {"0.5", 0, "1"},
        {"-0.5", 0, "-1"},
        {"-0.4", 0, "0"},
        {"2.5", 0, "3"},
        {"12", 2, "12.00"},
        {"-12", 1, "-12.0"},
        {"0", 3, "0.000"},
        {"185856000/39463", 4, "4709.6267"},
        {"185856000/39463", 0, "4710"},
        {"0.9375", 6, "0.937500"},
        {"1e-40", 39, "0.000000000000000000000000000000000000000"},
        {"5e-40", 39, "0.000000000000000000000000000000000000001"},
        {"-5e-40", 39, "-0.000000000000000000000000000000000000001"},
        {"123456789012345678901234567890123456789012.125", 2, "123456789012345678901234567890123456789012.13"},
    }));
    INFO(value << " to " << places << " places");
    CHECK(q(value).to_decimal(places) == printed);
}

// ---------------------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------------------

TEST_CASE("each rounding mode, including negative values and exact ties", "[rational][round]") {
    auto [value, down, up, half_up, half_even] =
        GENERATE(table<std::string, std::string, std::string, std::string, std::string>({
            {"2.5", "2", "3", "3", "2"},
            {"-2.5", "-3", "-2", "-3", "-2"},
            {"3.5", "3", "4", "4", "4"},
            {"-3.5", "-4", "-3", "-4", "-4"},
            {"0.5", "0", "1", "1", "0"},
            {"-0.5", "-1", "0", "-1", "0"},
            {"1.5", "1", "2", "2", "2"},
            {"-1.5", "-2", "-1", "-2", "-2"},
            {"2.4", "2", "3", "2", "2"},
            {"2.6", "2", "3", "3", "3"},
            {"-2.4", "-3", "-2", "-2", "-2"},
            {"-2.6", "-3", "-2", "-3", "-3"},
            {"1/3", "0", "1", "0", "0"},
            {"-1/3", "-1", "0", "0", "0"},
            {"2/3", "0", "1", "1", "1"},
            {"-2/3", "-1", "0", "-1", "-1"},
            {"3", "3", "3", "3", "3"},
            {"-3", "-3", "-3", "-3", "-3"},
            {"0", "0", "0", "0", "0"},
            {"4709.5", "4709", "4710", "4710", "4710"},
            {"4710.5", "4710", "4711", "4711", "4710"},
            {"185856000/39463", "4709", "4710", "4710", "4710"},
            // around the edge of the fast path: 2^127 - 1 is odd
            {"170141183460469231731687303715884105727.5", "170141183460469231731687303715884105727",
             "170141183460469231731687303715884105728", "170141183460469231731687303715884105728",
             "170141183460469231731687303715884105728"},
            {"-170141183460469231731687303715884105727.5", "-170141183460469231731687303715884105728",
             "-170141183460469231731687303715884105727", "-170141183460469231731687303715884105728",
             "-170141183460469231731687303715884105728"},
            {"-170141183460469231731687303715884105726.5", "-170141183460469231731687303715884105727",
             "-170141183460469231731687303715884105726", "-170141183460469231731687303715884105727",
             "-170141183460469231731687303715884105726"},
        }));
    INFO(value);
    const Rational x = q(value);
    CHECK(x.round(RoundingMode::down) == q(down));
    CHECK(x.floor() == q(down));
    CHECK(x.round(RoundingMode::up) == q(up));
    CHECK(x.ceil() == q(up));
    CHECK(x.round(RoundingMode::half_up) == q(half_up));
    CHECK(x.round(RoundingMode::half_even) == q(half_even));
}

TEST_CASE("round_to rounds to a multiple of the unit", "[rational][round]") {
    auto [value, mode, unit, expected] = GENERATE(table<std::string, RoundingMode, std::string, std::string>({
        {"1234", RoundingMode::down, "100", "1200"},
        {"1234", RoundingMode::up, "100", "1300"},
        {"1250", RoundingMode::half_up, "100", "1300"},
        {"1250", RoundingMode::half_even, "100", "1200"},
        {"1350", RoundingMode::half_even, "100", "1400"},
        {"-1250", RoundingMode::half_up, "100", "-1300"},
        {"-1250", RoundingMode::down, "100", "-1300"},
        {"1.005", RoundingMode::half_up, "0.01", "1.01"},
        {"1.005", RoundingMode::half_even, "0.01", "1"},
        {"4709.6", RoundingMode::down, "1", "4709"},
        {"7", RoundingMode::up, "1/3", "7"},
        {"7.1", RoundingMode::up, "1/3", "22/3"},
        {"0.125", RoundingMode::half_even, "0.25", "0"},
        {"0.375", RoundingMode::half_even, "0.25", "0.5"},
        {"16000000", RoundingMode::down, "1000", "16000000"},
        // A whole unit (shares, yen) takes a shorter path: every mode, both signs, halves,
        // and a value beyond 128 bits.
        {"-4709.2", RoundingMode::down, "1", "-4710"},
        {"-4709.2", RoundingMode::up, "1", "-4709"},
        {"-4709.5", RoundingMode::half_up, "1", "-4710"},
        {"-4709.5", RoundingMode::half_even, "1", "-4710"},
        {"4710.5", RoundingMode::half_even, "1", "4710"},
        {"4710.5", RoundingMode::half_up, "1", "4711"},
        {"21353/23800", RoundingMode::half_up, "1", "1"},
        {"-7", RoundingMode::up, "1", "-7"},
        {"1234567890123456789012345678901234567890123.5", RoundingMode::down, "1",
         "1234567890123456789012345678901234567890123"},
        {"1234567890123456789012345678901234567890123.5", RoundingMode::half_even, "1",
         "1234567890123456789012345678901234567890124"},
    }));
    INFO(value << " to " << unit);
    CHECK(q(value).round_to(mode, q(unit)) == q(expected));
}

// ---------------------------------------------------------------------------------------
// Share counts where binary floating point is wrong
// ---------------------------------------------------------------------------------------

TEST_CASE("worked example: 16,000,000 x 8712/10385 / 2,850", "[rational][shares]") {
    const Rational ratio = q("8712/10385");
    const Rational x = Rational(16'000'000) * ratio / Rational(2850);
    CHECK(x.to_string() == "185856000/39463");
    CHECK(x == Rational::fraction(185'856'000, 39'463));
    CHECK(x.floor() == Rational(4709));
    CHECK(x.floor().to_int64() == 4709);
    CHECK(x.is_small());
}

TEST_CASE("price cap: floor(10,000,000 x 0.855 / 1,990), then x (2 x 1990) / 4500", "[rational][shares]") {
    const Rational first = (Rational(10'000'000) * q("0.855") / Rational(1990)).floor();
    CHECK(first == Rational(4296));
    const Rational second = (first * (Rational(2) * Rational(1990)) / Rational(4500)).floor();
    CHECK(second == Rational(3799));
    CHECK(second.to_string() == "3799");
}

TEST_CASE("decimal inputs are exact", "[rational][shares]") {
    CHECK(q("0.1") + q("0.2") == q("0.3"));
    CHECK((q("0.3") - q("0.1") - q("0.2")).is_zero());
    CHECK(((q("0.1") + q("0.2")) * Rational(10)).floor() == Rational(3));
    // each of these is off by one ulp in binary floating point, below the integer
    CHECK((q("0.29") * Rational(100)).floor() == Rational(29));
    CHECK((q("1.15") * Rational(100)).floor() == Rational(115));
    CHECK((q("4.35") * Rational(100)).floor() == Rational(435));
    CHECK((q("0.57") * Rational(100)).floor() == Rational(57));
    CHECK((q("1.005") * Rational(100)).round(RoundingMode::half_up) == Rational(101));
    const Rational r = q("1.05");
    CHECK(r == Rational::fraction(105, 100));
    CHECK(r.numerator_string() == "21");
    CHECK(r.denominator_string() == "20");
    CHECK(r.to_string() == "1.05");
}

TEST_CASE("amount x p/q / price landing exactly on an integer or a half", "[rational][shares]") {
    std::mt19937_64 rng(20240401);
    for (int i = 0; i < 5000; ++i) {
        const std::int64_t p = uniform(rng, 1, 1'000'000);
        const std::int64_t qq = uniform(rng, 1, 1'000'000);
        const std::int64_t price = uniform(rng, 1, 100'000);
        const std::int64_t n = uniform(rng, 0, 1'000'000'000);
        const Rational ratio = Rational::fraction(p, qq);
        INFO("p=" << p << " q=" << qq << " price=" << price << " n=" << n);

        // amount x p/q / (price x p) = n exactly
        const Rational whole = Rational(n) * Rational(price) * Rational(qq) * ratio / (Rational(price) * Rational(p));
        REQUIRE(whole.is_integer());
        REQUIRE(whole.floor() == Rational(n));
        REQUIRE(whole.ceil() == Rational(n));
        for (RoundingMode m : kModes) REQUIRE(whole.round(m) == Rational(n));

        // … = n + 1/2 exactly
        const Rational half = Rational(2 * n + 1) * Rational(price) * Rational(qq) * ratio /
                              (Rational(2) * Rational(price) * Rational(p));
        REQUIRE(half == Rational(n) + Rational::fraction(1, 2));
        REQUIRE(half.floor() == Rational(n));
        REQUIRE(half.ceil() == Rational(n + 1));
        REQUIRE(half.round(RoundingMode::half_up) == Rational(n + 1));
        REQUIRE(half.round(RoundingMode::half_even) == Rational(n % 2 == 0 ? n : n + 1));
        REQUIRE((-half).round(RoundingMode::half_up) == Rational(-n - 1));
        REQUIRE((-half).round(RoundingMode::half_even) == Rational(n % 2 == 0 ? -n : -n - 1));

        // a hair either side of the integer
        const Rational eps = Rational::fraction(1, price) * Rational::fraction(1, p) * Rational::fraction(1, qq);
        REQUIRE((whole - eps).floor() == Rational(n - 1));
        REQUIRE((whole + eps).floor() == Rational(n));
        REQUIRE((whole + eps).ceil() == Rational(n + 1));
        REQUIRE((half - eps).round(RoundingMode::half_up) == Rational(n));
        REQUIRE((half + eps).round(RoundingMode::half_even) == Rational(n + 1));
    }
}

// ---------------------------------------------------------------------------------------
// The fast path's edges
// ---------------------------------------------------------------------------------------

TEST_CASE("overflow goes to the big path and comes back", "[rational][big]") {
    const Rational max = q("170141183460469231731687303715884105727");   // 2^127 - 1
    CHECK(max.is_small());
    const Rational over = max + Rational(1);
    CHECK_FALSE(over.is_small());
    CHECK(over.to_string() == "170141183460469231731687303715884105728");
    CHECK((over - Rational(1)).is_small());
    CHECK(over - Rational(1) == max);

    // -2^127 fits __int128 but cannot be negated there: it is held on the big path.
    const Rational min = -over;
    CHECK_FALSE(min.is_small());
    CHECK(min.to_string() == "-170141183460469231731687303715884105728");
    CHECK(min == q("-170141183460469231731687303715884105728"));
    CHECK(-min == over);
    CHECK((min + Rational(1)).is_small());
    CHECK(min + Rational(1) == -max);
    CHECK((max * Rational(-1) - Rational(1)) == min);
    CHECK(min < -max);
    CHECK(min.abs() == over);
    CHECK(Rational(1) / min == q("-1/170141183460469231731687303715884105728"));
    CHECK_FALSE((Rational(1) / min).is_small());

    const Rational i64max(INT64_MAX);
    const Rational cube = i64max * i64max * i64max;
    CHECK_FALSE(cube.is_small());
    CHECK(cube / i64max / i64max == i64max);
    CHECK((cube / i64max / i64max).is_small());
    CHECK((cube / cube).is_small());
    CHECK(cube / cube == Rational(1));
    CHECK((cube - cube).is_zero());
    CHECK((cube - cube).is_small());
    CHECK(cube > i64max);
    CHECK(-cube < -i64max);

    const Rational two126 = q("85070591730234615865843651857942052864");
    CHECK(two126.is_small());
    CHECK_FALSE((two126 + two126).is_small());
    CHECK((two126 + two126 - two126).is_small());
    CHECK(Rational(1) / two126 + Rational(1) / two126 == Rational(2) / two126);
    CHECK((Rational(1) / two126 * two126).is_small());
}

TEST_CASE("the inline paths of 64-bit integers and of one denominator agree with cpp_rational", "[rational][inline]") {
    // set_sum, set_difference and set_product take two integers of 64 bits inline, and
    // == and <=> two fast-path values of one denominator: their edges, and the values just
    // past them, which go out of line.
    const std::vector<std::string> edges = {
        "0", "1", "-1", "2", "-2", "3037000499", "3037000500", "-3037000500",
        "9223372036854775807", "-9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "85070591730234615865843651857942052864",          // 2^126
        "170141183460469231731687303715884105727",         // 2^127 - 1
        "-170141183460469231731687303715884105727",
        "170141183460469231731687303715884105728",         // 2^127: big
        "-170141183460469231731687303715884105728",        // -2^127: big
        "1/2", "-1/2", "9223372036854775807/2", "-9223372036854775808/3", "5/9223372036854775807"};
    for (const auto& ta : edges) {
        for (const auto& tb : edges) {
            const Rational a = q(ta), b = q(tb);
            const cpp_rational ra{ta}, rb{tb};
            INFO(ta << " and " << tb);
            Rational r;
            r.set_sum(a, b);
            require_same(r, ra + rb);
            r.set_difference(a, b);
            require_same(r, ra - rb);
            r.set_product(a, b);
            require_same(r, ra * rb);
            CHECK((a == b) == (ra == rb));
            CHECK((a < b) == (ra < rb));
            CHECK((a > b) == (ra > rb));
            CHECK((a <= b) == (ra <= rb));
            // In place, the target one of the operands, and a target that was big before.
            Rational x = a;
            x.set_sum(x, b);
            require_same(x, ra + rb);
            Rational y = b;
            y.set_product(a, y);
            require_same(y, ra * rb);
            Rational big = q("340282366920938463463374607431768211456");   // 2^128
            REQUIRE_FALSE(big.is_small());
            big.set_difference(a, b);
            require_same(big, ra - rb);
            Rational big2 = q("-340282366920938463463374607431768211456");
            big2.set_product(a, b);
            require_same(big2, ra * rb);
        }
    }
}

TEST_CASE("digits counts the larger of numerator and denominator", "[rational][limits]") {
    CHECK(Rational().digits() == 1);
    CHECK(Rational(9).digits() == 1);
    CHECK(Rational(10).digits() == 2);
    CHECK(Rational(-4709).digits() == 4);
    CHECK(q("0.001").digits() == 4);
    CHECK(q("8712/10385").digits() == 5);
    CHECK(q("1e38").digits() == 39);
    CHECK(q("170141183460469231731687303715884105727").digits() == 39);
    CHECK(q("1e39").digits() == 40);
    CHECK((q("1e39") - Rational(1)).digits() == 39);
    CHECK((q("1e200") - Rational(1)).digits() == 200);
    CHECK(q("1e200").digits() == 201);
    CHECK((Rational(1) / q("1e200")).digits() == 201);
}

TEST_CASE("copies are deep and moves leave a valid value", "[rational]") {
    const Rational big = q("1e50") + q("1/3");
    Rational copy = big;
    copy += Rational(1);
    CHECK(copy != big);
    CHECK(copy - big == Rational(1));

    Rational a = Rational(5);
    a = big;
    CHECK(a == big);
    a = Rational(7);
    CHECK(a == Rational(7));
    CHECK(a.is_small());
    Rational& self = a;
    a = self;
    CHECK(a == Rational(7));

    Rational moved = std::move(copy);
    CHECK(moved - big == Rational(1));
    copy = Rational(3);   // a moved-from value can be assigned to
    CHECK(copy == Rational(3));

    Rational b = big;
    b = big;   // big into big
    CHECK(b == big);
}

TEST_CASE("set_integer writes a whole number in place, over any value", "[rational]") {
    Rational r = q("1e50") + q("1/3");   // big
    r.set_integer(-42);
    CHECK(r.is_small());
    CHECK(r == Rational(-42));
    CHECK(r.to_string() == "-42");
    r = q("7/3");
    r.set_integer(INT64_MIN);
    CHECK(r == Rational(INT64_MIN));
    CHECK(r.is_integer());
    r.set_integer(INT64_MAX);
    CHECK(r + Rational(1) == Rational(INT64_MAX) + Rational(1));
    r.set_integer(0);
    CHECK(r.is_zero());
    CHECK(r == Rational());
}

TEST_CASE("to_int64 and terminates", "[rational]") {
    CHECK(Rational(4709).to_int64() == 4709);
    CHECK(Rational(INT64_MIN).to_int64() == INT64_MIN);
    CHECK_FALSE((Rational(INT64_MAX) + Rational(1)).to_int64().has_value());
    CHECK_FALSE(q("1/2").to_int64().has_value());
    CHECK(q("0.9375").terminates());
    CHECK(q("1/1024").terminates());
    CHECK_FALSE(q("1/3").terminates());
    CHECK_FALSE(q("8712/10385").terminates());
    CHECK(q("1e-100").terminates());
    CHECK_FALSE((q("1e-100") / Rational(3)).terminates());
}

// ---------------------------------------------------------------------------------------
// Properties against Boost's cpp_rational
// ---------------------------------------------------------------------------------------

TEST_CASE("arithmetic, comparison, rounding and printing agree with cpp_rational", "[rational][property]") {
    std::mt19937_64 rng(0x5eed'1234'abcd'0001ULL);
    for (int i = 0; i < 20'000; ++i) {
        const cpp_rational a = random_value(rng);
        const cpp_rational b = random_value(rng);
        INFO("iteration " << i << ": a = " << a << ", b = " << b);
        const Rational x = from_ref(a);
        const Rational y = from_ref(b);
        require_same(x, a);
        require_same(y, b);

        require_same(x + y, a + b);
        require_same(x - y, a - b);
        require_same(x * y, a * b);
        if (b != 0) require_same(x / y, a / b);
        require_same(-x, -a);
        require_same(x.abs(), abs(a));
        {
            Rational z = x;
            z += y;
            z *= y;
            z -= x;
            require_same(z, (a + b) * b - a);
        }

        REQUIRE((x <=> y) == ref_order(a, b));
        REQUIRE((y <=> x) == ref_order(b, a));
        REQUIRE((x == y) == (a == b));
        REQUIRE(x == x);
        REQUIRE((x <=> x) == std::strong_ordering::equal);
        REQUIRE(x.sign() == (a > 0 ? 1 : a < 0 ? -1 : 0));
        REQUIRE(x.is_integer() == (denominator(a) == 1));
        REQUIRE(x.terminates() == terminates_ref(a));

        require_same(x.floor(), cpp_rational(floor_ref(a)));
        require_same(x.ceil(), cpp_rational(ceil_ref(a)));
        for (RoundingMode m : kModes) require_same(x.round(m), cpp_rational(round_ref(a, m)));
        if (b > 0) {
            const RoundingMode m = kModes[i % 4];
            require_same(x.round_to(m, y), b * cpp_rational(round_ref(a / b, m)));
        }
        require_same(x.round_to(kModes[i % 4], Rational(1)), cpp_rational(round_ref(a, kModes[i % 4])));
        {
            // x × y / c rounded at once (replay's fused step), against rounding the reduced value;
            // c and the unit are whole, as a price and a share are; some land on exact halves.
            const cpp_rational c = (i % 5 == 0) ? cpp_rational(2) : b == 0 ? cpp_rational(7) : cpp_rational(floor_ref(b) == 0 ? 3 : floor_ref(b));
            const cpp_rational unit = (i % 3 == 0) ? cpp_rational(1) : cpp_rational(static_cast<std::int64_t>(uniform(rng, 1, 1000)));
            const RoundingMode m = kModes[(i / 4) % 4];
            Rational r;
            r.set_rounded(x, y, from_ref(c), m, from_ref(unit));
            require_same(r, unit * cpp_rational(round_ref(a * b / c / unit, m)));
            Rational self = x;   // the operands may be the result
            self.set_rounded(self, self, from_ref(c), m, from_ref(unit));
            require_same(self, unit * cpp_rational(round_ref(a * a / c / unit, m)));
        }

        const std::string text = x.to_string();
        INFO("to_string: " << text);
        REQUIRE(Rational::parse(text) == x);
        REQUIRE((text.find('/') == std::string::npos) == terminates_ref(a));
        REQUIRE((text.find('.') == std::string::npos) == (denominator(a) == 1 || !terminates_ref(a)));

        const int places = static_cast<int>(uniform(rng, 0, 8));
        const std::string dec = x.to_decimal(places);
        INFO("to_decimal(" << places << "): " << dec);
        const cpp_rational scale(pow(cpp_int(10), static_cast<unsigned>(places)));
        REQUIRE(q(dec) == from_ref(cpp_rational(half_up_ref(a * scale)) / scale));
        const auto point = dec.find('.');
        REQUIRE((places == 0 ? point == std::string::npos : dec.size() - point - 1 == std::size_t(places)));
        if (half_up_ref(a * scale) == 0) REQUIRE(dec[0] != '-');   // never "-0.00"

        const cpp_int biggest = abs(numerator(a)) > denominator(a) ? abs(numerator(a)) : denominator(a);
        REQUIRE(x.digits() == biggest.str().size());
    }
}

TEST_CASE("long chains stay exact", "[rational][property]") {
    // Harmonic numbers: the denominators outgrow __int128 around H(100) and the sum must
    // still be exact; subtracting the terms back returns to zero on the fast path.
    Rational sum;
    cpp_rational ref;
    for (int k = 1; k <= 150; ++k) {
        sum += Rational::fraction(1, k);
        ref += cpp_rational(1, k);
        require_same(sum, ref);
    }
    CHECK_FALSE(sum.is_small());
    for (int k = 150; k >= 1; --k) {
        sum -= Rational::fraction(1, k);
        ref -= cpp_rational(1, k);
        require_same(sum, ref);
    }
    CHECK(sum.is_zero());
    CHECK(sum.is_small());

    // a product that grows and shrinks back
    Rational p(1);
    for (int k = 0; k < 40; ++k) p *= Rational::fraction(1'000'003, 999'983);
    CHECK_FALSE(p.is_small());
    for (int k = 0; k < 40; ++k) p /= Rational::fraction(1'000'003, 999'983);
    CHECK(p == Rational(1));
    CHECK(p.is_small());
}
