// The small text helpers, each written once.
#include "dsl/base/text.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

TEST_CASE("group_digits groups the integer digits and keeps the sign and the fraction", "[text]") {
    auto [numeral, grouped] = GENERATE(table<std::string, std::string>({
        {"0", "0"},
        {"999", "999"},
        {"1000", "1,000"},
        {"-1234567", "-1,234,567"},
        {"1234.5", "1,234.5"},
        {"-0.25", "-0.25"},
        {"100000000", "100,000,000"},
        {"1234567.125", "1,234,567.125"},
    }));
    CAPTURE(numeral);
    CHECK(hoshu::group_digits(numeral) == grouped);
}

TEST_CASE("csv_field quotes only when it must", "[text]") {
    using hoshu::csv_field;
    CHECK(csv_field("plain text") == "plain text");
    CHECK(csv_field("") == "");
    CHECK(csv_field("1,000") == "\"1,000\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("a\nb") == "\"a\nb\"");
    CHECK(csv_field("a\rb") == "\"a\rb\"");
    CHECK(csv_field("日本") == "日本");
}

TEST_CASE("csv_field keeps a spreadsheet from running a text as a formula", "[text]") {
    using hoshu::csv_field;
    CHECK(csv_field("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_field("+1+1") == "'+1+1");
    CHECK(csv_field("-1+1") == "'-1+1");
    CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_field("\tx") == "'\tx");
    CHECK(csv_field("\rx") == "\"'\rx\"");
    CHECK(csv_field("-") == "'-");
    CHECK(csv_field("- 5") == "'- 5");
    // Numbers as hoshu writes and reads them stay numbers.
    for (const char* n : {"-12", "+12", "-1.5", "-8712/10385", "-1e3", "-2.5E-3", "-35%", "-1_000", "0", "12"})
        CHECK(csv_field(n) == n);
    for (const char* t : {"-1.", "-.5", "-1e", "-1/", "-1_", "-_1", "--1", "-1x"}) {
        INFO(t);
        CHECK(csv_field(t) == std::string("'") + t);
    }
    // Only the first character counts.
    CHECK(csv_field("a=b") == "a=b");
    CHECK(csv_field("代表取締役") == "代表取締役");
}

TEST_CASE("append_csv_field appends what csv_field gives, after what is there", "[text]") {
    for (const std::string& field : std::vector<std::string>{"", "plain", "1,000", "say \"hi\"", "\"", "\"\"", ",", "a\nb", "a\rb", "日本",
                              "tab\there", "-1234/5", std::string("nul\0in", 6)}) {
        std::string row = "x,";
        hoshu::append_csv_field(row, field);
        CAPTURE(field);
        CHECK(row == "x," + hoshu::csv_field(field));
    }
    CHECK(hoshu::csv_field(std::string("nul\0in", 6)) == std::string("nul\0in", 6));
}

TEST_CASE("collapse_blanks makes one line of any layout", "[text]") {
    CHECK(hoshu::collapse_blanks(" a \n\t b ") == "a b");
    CHECK(hoshu::collapse_blanks("a\r\n\r\nb") == "a b");
    CHECK(hoshu::collapse_blanks("  \n ") == "");
    CHECK(hoshu::collapse_blanks("one") == "one");
}

TEST_CASE("join puts the separator between items only", "[text]") {
    CHECK(hoshu::join({}) == "");
    CHECK(hoshu::join({"a"}) == "a");
    CHECK(hoshu::join({"a", "b", "c"}) == "a, b, c");
    CHECK(hoshu::join({"a", "b"}, " × ") == "a × b");
}
