// Texts compared in Unicode NFC: the one facility (dsl/base/unicode.hpp).
#include "dsl/base/unicode.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "dsl/base/source.hpp"

using namespace hoshu::dsl;

TEST_CASE("ASCII text is NFC as it is and never reaches ICU", "[unicode]") {
    const std::uint64_t before = normalizer_calls();
    for (std::string s : {"", "D03", "Zurich", "a longer text of more than eight bytes, with punctuation: 1,234 %"}) {
        CHECK(is_ascii(s));
        CHECK(is_nfc(s));
        CHECK(nfc(s) == s);
        const char* data = s.data();
        to_nfc(s);
        CHECK(s.data() == data);   // untouched, not reassigned
    }
    CHECK(normalizer_calls() == before);
    CHECK_FALSE(is_ascii("Z\u00fcrich"));
    CHECK_FALSE(is_ascii("12345678\xc3\xa9"));   // the non-ASCII byte past the first eight
}

TEST_CASE("nfc composes a letter and its combining mark", "[unicode]") {
    auto [written, composed] = GENERATE(table<std::string, std::string>({
        {"Zu\u0308rich", "Z\u00fcrich"},                  // u + combining diaeresis
        {"Re\u0301", "R\u00e9"},                           // e + combining acute
        {"\u30ab\u3099", "\u30ac"},                        // カ + combining voiced mark: ガ
        {"\u212b", "\u00c5"},                              // ANGSTROM SIGN is canonically Å
        {"\u1100\u1161", "\uac00"},                        // Hangul jamo: 가
        {"q\u0307\u0323", "q\u0323\u0307"},                // marks put in canonical order
    }));
    CAPTURE(written);
    const std::uint64_t before = normalizer_calls();
    CHECK_FALSE(is_nfc(written));
    CHECK(nfc(written) == composed);
    std::string s = written;
    to_nfc(s);
    CHECK(s == composed);
    CHECK(normalizer_calls() > before);
}

TEST_CASE("text already in NFC is left as it is", "[unicode]") {
    for (std::string s : {"Z\u00fcrich", "R\u00e9", "\u4f1a\u9577", "\u30ac", "\u00c5ngstr\u00f6m", "\U0001F600"}) {
        CAPTURE(s);
        CHECK(is_nfc(s));
        CHECK(nfc(s) == s);
        const char* data = s.data();
        to_nfc(s);
        CHECK(s.data() == data);
    }
}

TEST_CASE("nfc is no compatibility mapping: NFKC forms keep their meaning", "[unicode]") {
    // Full-width letters and digits, circled digits, half-width katakana, ligatures: each is
    // NFC already and stays what it is (NFKC would make them A, 1, カ, fi).
    for (std::string s : {"\uff21", "\uff11", "\u2460", "\uff76", "\ufb01", "x\u00b2"}) {
        CAPTURE(s);
        CHECK(nfc(s) == s);
    }
}

TEST_CASE("bytes that are not UTF-8 are never changed (every reader validates first)", "[unicode]") {
    // The readers (rule files, TOML inputs, CSV rows) refuse invalid UTF-8 before any text is
    // normalised; were one to reach it, its bytes stay as they are for the error to show.
    for (std::string s : {std::string("Zu\xcc"), std::string("\xe9t\xe9"), std::string("e\xcc\x81\xff")}) {
        CHECK_FALSE(valid_utf8(s, nullptr));
        CHECK(is_nfc(s));
        CHECK(nfc(s) == s);
        std::string t = s;
        to_nfc(t);
        CHECK(t == s);
    }
}

TEST_CASE("white space at either end of an id", "[unicode]") {
    CHECK_FALSE(edge_space("D03"));
    CHECK_FALSE(edge_space(""));
    CHECK_FALSE(edge_space("a b"));
    auto end = edge_space("D03 ");
    REQUIRE(end);
    CHECK_FALSE(end->at_start);
    CHECK(end->offset == 3);
    CHECK(end->length == 1);
    CHECK(end->code_point == U' ');
    auto start = edge_space("\u3000D03");
    REQUIRE(start);
    CHECK(start->at_start);
    CHECK(start->length == 3);
    CHECK(start->code_point == 0x3000);
    auto nbsp = edge_space("D03\u00a0");
    REQUIRE(nbsp);
    CHECK(nbsp->offset == 3);
    CHECK(nbsp->code_point == 0xA0);
    CHECK(trim_white_space(" \t D03\u00a0 ") == "D03");
    CHECK(trim_white_space("   ").empty());
    CHECK(describe_space(0x20) == "a space");
    CHECK(describe_space(0x3000) == "U+3000 (ideographic space)");
}

TEST_CASE("id_problem names a hidden character or the blanks around an id", "[unicode]") {
    CHECK_FALSE(id_problem("the director id", "D03"));
    CHECK_FALSE(id_problem("the director id", "R\u00e9"));
    auto spaced = id_problem("the director id", "D03 ");
    REQUIRE(spaced);
    CHECK(spaced->message == "the director id \"D03 \" ends with a space");
    CHECK(spaced->hint == "an id has no blanks around it: write \"D03\"");
    auto leading = id_problem("the scenario id", "\u00a0s1");
    REQUIRE(leading);
    CHECK(leading->message == "the scenario id \"\u00a0s1\" starts with U+00A0 (no-break space)");
    auto control = id_problem("the director id", "D0\x1b" "3");
    REQUIRE(control);
    CHECK(control->message == "the director id \"D0\\x1b3\" holds the hidden character U+001B (a control character)");
    auto tab = id_problem("the director id", "D03\t");
    REQUIRE(tab);   // a tab is hidden first
    CHECK(tab->hint == "an id is written with visible characters only");
}
