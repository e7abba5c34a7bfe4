// column_numbers: a workbook's column of numbers is numbers throughout, or text throughout.
#include "evaluator/output/xlsx.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

using hoshu::eval::column_numbers;

namespace {

std::string shown(double v, int places) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", places, v);
    return text;
}

}  // namespace

TEST_CASE("xlsx: a column of pence is numbers at two decimals, each showing its exact amount", "[xlsx]") {
    auto c = column_numbers({"15000", "15000.01", "15000.15", "15000.07", "", "-0.05"}, 2);
    REQUIRE(c);
    CHECK(c->places == 2);
    REQUIRE(c->numbers.size() == 6);
    CHECK(shown(*c->numbers[0], 2) == "15000.00");
    CHECK(shown(*c->numbers[1], 2) == "15000.01");
    CHECK(shown(*c->numbers[2], 2) == "15000.15");
    CHECK(shown(*c->numbers[3], 2) == "15000.07");
    CHECK_FALSE(c->numbers[4]);   // an empty cell stays empty
    CHECK(shown(*c->numbers[5], 2) == "-0.05");
    // The double nearest the exact amount: 15000.07 is not a double, the nearest one is.
    CHECK(*c->numbers[3] == 15000.07);
}

TEST_CASE("xlsx: the column's decimals are the most any value needs, at least the minimum", "[xlsx]") {
    auto whole = column_numbers({"4846", "48000000"}, 0);
    REQUIRE(whole);
    CHECK(whole->places == 0);
    CHECK(*whole->numbers[1] == 48000000.0);
    auto halves = column_numbers({"0.5", "1", "0.9375"}, 0);
    REQUIRE(halves);
    CHECK(halves->places == 4);
    auto pounds = column_numbers({"15000", "16000"}, 2);   // whole pounds of a pence currency
    REQUIRE(pounds);
    CHECK(pounds->places == 2);
}

TEST_CASE("xlsx: one value that cannot be a number makes the whole column text", "[xlsx]") {
    CHECK_FALSE(column_numbers({"0.5", "1/3"}, 0));             // no terminating decimal
    CHECK_FALSE(column_numbers({"1", "x"}, 0));                 // no number
    CHECK_FALSE(column_numbers({"1", "1234567890123456"}, 0));  // 16 digits: Excel shows 15
    CHECK(column_numbers({"999999999999999"}, 0));              // 15 digits
    // 15 digits at the column's decimals: 9,999,999,999,999.99 has 15; one more does not fit.
    CHECK(column_numbers({"9999999999999.99"}, 2));
    CHECK_FALSE(column_numbers({"99999999999999.99"}, 2));
    CHECK_FALSE(column_numbers({"12345678901234", "0.01"}, 0));   // 0.01 asks 2 decimals of all
    CHECK_FALSE(column_numbers({"0.0000000000000001"}, 0));       // 16 decimals
}

TEST_CASE("xlsx: a text longer than a cell holds, or more rows than a sheet, is refused by its cell", "[xlsx]") {
    using hoshu::eval::Sheet;
    using hoshu::eval::xlsx_workbook;
    Sheet fits{"results", {{"director", "title"}, {"D01", std::string(32'767, 'a')}}, {false, false}};
    CHECK(xlsx_workbook({fits}));
    // 32,767 characters of two bytes each: characters are counted, not bytes.
    std::string accents;
    for (int i = 0; i < 32'767; ++i) accents += "\xc3\xa9";
    Sheet wide{"results", {{"director", "title"}, {"D01", accents}}, {false, false}};
    CHECK(xlsx_workbook({wide}));
    Sheet too_long{"results", {{"director", "title"}, {"D01", "x"}, {"D03", std::string(32'768, 'a')}}, {false, false}};
    auto refused = xlsx_workbook({too_long});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().items().front().message ==
          "the cell results!B3 (title, director D03) holds 32,768 characters, more than the 32,767 a cell of a workbook holds "
          "(Excel's limit, which counts a character past U+FFFF as two)");
    // Excel counts UTF-16 units: a character past U+FFFF (an emoji, a rare kanji) counts two.
    std::string emoji;
    for (int i = 0; i < 16'383; ++i) emoji += "\xf0\x9f\x98\x80";
    Sheet half{"results", {{"director", "title"}, {"D01", emoji}}, {false, false}};
    CHECK(xlsx_workbook({half}));
    emoji += "\xf0\x9f\x98\x80";
    Sheet over{"results", {{"director", "title"}, {"D01", emoji}}, {false, false}};
    auto surrogates = xlsx_workbook({over});
    REQUIRE_FALSE(surrogates);
    CHECK(surrogates.error().items().front().message ==
          "the cell results!B2 (title, director D01) holds 32,768 characters, more than the 32,767 a cell of a workbook "
          "holds (Excel's limit, which counts a character past U+FFFF as two)");
    Sheet rows{"inputs", {{"line", "text"}}, {true, false}};
    rows.rows.resize(1'048'577, {"1", ""});
    auto many = xlsx_workbook({rows});
    REQUIRE_FALSE(many);
    CHECK(many.error().items().front().message ==
          "the inputs sheet would have 1,048,577 rows, more than the 1,048,576 a worksheet holds (Excel's limit)");
}

TEST_CASE("xlsx: a text holding `_xHHHH_` is written so that Excel shows it as it is", "[xlsx]") {
    using hoshu::eval::cell_text;
    CHECK(cell_text("D01") == "D01");
    CHECK(cell_text("D_x0030_1") == "D_x005F_x0030_1");
    CHECK(cell_text("CEO_x000D_") == "CEO_x005F_x000D_");
    CHECK(cell_text("_X00aF_") == "_x005F_X00aF_");
    // Overlapping: the `_` closing one opens the next, and each is escaped.
    CHECK(cell_text("_x0041_x0042_") == "_x005F_x0041_x005F_x0042_");
    // Not the form: too few digits, a letter that is no hex digit, no closing `_`.
    CHECK(cell_text("_x004_") == "_x004_");
    CHECK(cell_text("_x00G1_") == "_x00G1_");
    CHECK(cell_text("_x0041") == "_x0041");
    CHECK(cell_text("株式_x5F0F_") == "株式_x005F_x5F0F_");
}
