// Units: which types are prices (a currency per a counted unit) and counts, and the word
// that names a currency in reports.
#include "evaluator/numbers/types.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace hoshu::eval;

namespace {

// The built-in units, then a plan's: USD (a currency), PSU (counted, whole), EUR.
const std::vector<UnitDef>& units() {
    static const std::vector<UnitDef> u = [] {
        auto all = builtin_unit_defs();
        all.push_back({"USD", "USD", "$", true, Rational::fraction(1, 100), false});
        all.push_back({"PSUs", "PSU", "", false, std::nullopt, true});
        all.push_back({"EUR", "EUR", "€", true, Rational::fraction(1, 100), false});
        return all;
    }();
    return u;
}
constexpr std::size_t usd = builtin_units, psu = builtin_units + 1, eur = builtin_units + 2;

Type per(std::size_t top, std::size_t bottom) {
    Dimension d;
    d.e[top] = 1;
    d.e[bottom] = -1;
    return Type::number(d);
}

}  // namespace

TEST_CASE("types: a price is a currency per a counted unit", "[types]") {
    auto jpy_share = price_units(per(unit_jpy, unit_shares), units());
    REQUIRE(jpy_share);
    CHECK(jpy_share->currency == unit_jpy);
    CHECK(jpy_share->counted == unit_shares);
    CHECK(jpy_share->valued().dim == Dimension::of(unit_shares));
    CHECK(jpy_share->money().dim == Dimension::of(unit_jpy));

    auto usd_psu = price_units(per(usd, psu), units());
    REQUIRE(usd_psu);
    CHECK(usd_psu->currency == usd);
    CHECK(usd_psu->counted == psu);
    CHECK(price_units(per(eur, unit_shares), units()));

    // Not prices: a rate in time, a currency per a currency, a count per a currency, one
    // unit alone, a ratio, a squared unit, three units, a date.
    CHECK_FALSE(price_units(per(unit_jpy, unit_months), units()));
    CHECK_FALSE(price_units(per(unit_jpy, unit_days), units()));
    CHECK_FALSE(price_units(per(usd, unit_jpy), units()));
    CHECK_FALSE(price_units(per(unit_shares, unit_jpy), units()));
    CHECK_FALSE(price_units(per(psu, unit_shares), units()));
    CHECK_FALSE(price_units(Type::number(Dimension::of(unit_jpy)), units()));
    CHECK_FALSE(price_units(Type::ratio(), units()));
    Dimension squared;
    squared.e[unit_jpy] = 2;
    squared.e[unit_shares] = -1;
    CHECK_FALSE(price_units(Type::number(squared), units()));
    Dimension per_share_month;
    per_share_month.e[unit_jpy] = 1;
    per_share_month.e[unit_shares] = -1;
    per_share_month.e[unit_months] = -1;
    CHECK_FALSE(price_units(Type::number(per_share_month), units()));
    CHECK_FALSE(price_units(Type::date(), units()));
    // A unit index past the plan's units is no price.
    CHECK_FALSE(price_units(per(usd, psu), builtin_unit_defs()));
}

TEST_CASE("types: counted units and the words of currencies", "[types]") {
    CHECK(counted(Type::number(Dimension::of(unit_shares)), units()));
    CHECK(counted(Type::number(Dimension::of(psu)), units()));
    CHECK_FALSE(counted(Type::number(Dimension::of(unit_jpy)), units()));
    CHECK_FALSE(counted(Type::number(Dimension::of(usd)), units()));
    CHECK_FALSE(counted(Type::number(Dimension::of(unit_months)), units()));
    CHECK_FALSE(counted(Type::number(Dimension::of(unit_days)), units()));
    CHECK_FALSE(counted(per(unit_jpy, unit_shares), units()));
    CHECK_FALSE(counted(Type::ratio(RatioStyle::count), units()));

    CHECK(currency_word(units()[unit_jpy]) == "yen");
    CHECK(currency_word(units()[usd]) == "usd");
    CHECK(currency_word(units()[eur]) == "eur");
}

TEST_CASE("types: a number in money is an amount or a price of a currency", "[types]") {
    CHECK(in_money(Type::number(Dimension::of(unit_jpy)), units()));
    CHECK(in_money(Type::number(Dimension::of(eur)), units()));
    CHECK(in_money(per(usd, psu), units()));
    CHECK_FALSE(in_money(Type::number(Dimension::of(unit_shares)), units()));
    CHECK_FALSE(in_money(Type::number(Dimension::of(unit_months)), units()));
    CHECK_FALSE(in_money(Type::ratio(RatioStyle::percent), units()));
    CHECK_FALSE(in_money(Type::ratio(RatioStyle::ratio), units()));
    CHECK_FALSE(in_money(Type::ratio(RatioStyle::count), units()));
    CHECK_FALSE(in_money(Type::date(), units()));
}

TEST_CASE("types: the unit after an amount is singular for exactly one", "[types]") {
    Type shares = Type::number(Dimension::of(unit_shares));
    Type psus = Type::number(Dimension::of(psu));
    CHECK(amount_unit(shares, units(), Rational(1)) == "share");
    CHECK(amount_unit(shares, units(), Rational(-1)) == "share");
    CHECK(amount_unit(shares, units(), Rational(0)) == "shares");
    CHECK(amount_unit(shares, units(), Rational(2)) == "shares");
    CHECK(amount_unit(shares, units(), Rational::fraction(3, 2)) == "shares");
    CHECK(amount_unit(psus, units(), Rational(1)) == "PSU");
    CHECK(amount_unit(psus, units(), Rational(7)) == "PSUs");
    CHECK(amount_unit(Type::number(Dimension::of(unit_months)), units(), Rational(1)) == "month");
    // A rate: the unit on top in the singular, the one below as it always is.
    CHECK(amount_unit(per(unit_shares, psu), units(), Rational(1)) == "share per PSU");
    CHECK(amount_unit(per(unit_shares, psu), units(), Rational(2)) == "shares per PSU");
    CHECK(amount_unit(per(unit_jpy, unit_shares), units(), Rational(1)) == "JPY per share");
    // No single unit on top: unchanged.
    Dimension squared;
    squared.e[unit_shares] = 2;
    CHECK(amount_unit(Type::number(squared), units(), Rational(1)) == type_name(Type::number(squared), units()));
    CHECK(amount_unit(Type::ratio(), units(), Rational(1)) == "ratio");
}
