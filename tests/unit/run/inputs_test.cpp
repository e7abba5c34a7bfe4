// InputFile: exact numbers from TOML, located errors, file order of keys.
#include "evaluator/run/inputs.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/run/values.hpp"

using hoshu::eval::Date;
using hoshu::eval::InputFile;
using hoshu::eval::InputKind;
using hoshu::eval::Rational;
namespace dsl = hoshu::dsl;

namespace {

// The value under a dotted path of table keys ("years.FY2024.revenue").
InputFile::Node at(const InputFile& in, std::string_view path) {
    InputFile::Node n = in.root();
    while (!path.empty()) {
        auto dot = path.find('.');
        n = in.child(n, path.substr(0, dot));
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return n;
}

Rational number_of(const std::string& toml, std::string_view path) {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", toml);
    if (!in) FAIL(dsl::render(sm, in.error()));
    auto r = in->number(at(*in, path));
    if (!r) FAIL(dsl::render(sm, r.error()));
    return *r;
}

// What a reader reports for the value at `path`, rendered.
enum class Reader { number, date, boolean, text };

std::string read_error(const std::string& toml, std::string_view path, Reader reader) {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", toml);
    if (!in) FAIL(dsl::render(sm, in.error()));
    InputFile::Node n = at(*in, path);
    switch (reader) {
        case Reader::number: {
            auto r = in->number(n);
            return r ? "ok " + r->to_string() : dsl::render(sm, r.error());
        }
        case Reader::date: {
            auto r = in->date(n);
            return r ? "ok " + r->to_string() : dsl::render(sm, r.error());
        }
        case Reader::boolean: {
            auto r = in->boolean(n);
            return r ? "ok" : dsl::render(sm, r.error());
        }
        case Reader::text: {
            auto r = in->text(n);
            return r ? "ok " + *r : dsl::render(sm, r.error());
        }
    }
    return "";
}

std::string parse_error(const std::string& toml) {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", toml);
    if (in) return "parsed";
    return dsl::render(sm, in.error());
}

// The text of the file covered by a range.
std::string covered(const InputFile& in, dsl::SourceRange r) {
    REQUIRE(r.valid);
    REQUIRE(r.file == in.file());
    REQUIRE(r.begin <= r.end);
    REQUIRE(r.end <= in.bytes().size());
    return in.bytes().substr(r.begin, r.end - r.begin);
}

}  // namespace

TEST_CASE("TOML floats are read as the decimal written", "[inputs]") {
    auto [literal, num, den] = GENERATE(table<std::string, std::int64_t, std::int64_t>({
        {"1.05", 105, 100},
        {"0.1", 1, 10},
        {"0.95", 19, 20},
        {"71.5", 143, 2},
        {"3.168e11", 316'800'000'000, 1},
        {"3.168E+11", 316'800'000'000, 1},
        {"1_000.5", 2001, 2},
        {"+1_000.5e+3", 1'000'500, 1},
        {"-2.5e-3", -25, 10'000},
        {"1e06", 1'000'000, 1},
        {"-0.0", 0, 1},
        {"0.30000000000000004", 30'000'000'000'000'004, 100'000'000'000'000'000},
    }));
    CAPTURE(literal);
    CHECK(number_of("x = " + literal + "  # comment\n", "x") == Rational::fraction(num, den));
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", "a = [1, " + literal + ",3]\nt = {x=" + literal + "}\n");
    REQUIRE(in);
    CHECK(*in->number(in->element(at(*in, "a"), 1)) == Rational::fraction(num, den));
    CHECK(*in->number(at(*in, "t.x")) == Rational::fraction(num, den));
}

TEST_CASE("floats inside arrays and inline tables keep their exact value", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", "a = [0.1,1.05]\nt = {x=0.3}\n");
    REQUIRE(in);
    auto a = at(*in, "a");
    REQUIRE(in->size(a) == 2);
    CHECK(*in->number(in->element(a, 0)) == Rational::fraction(1, 10));
    CHECK(*in->number(in->element(a, 1)) == Rational::fraction(105, 100));
    CHECK(*in->number(at(*in, "t.x")) == Rational::fraction(3, 10));
}

TEST_CASE("integers are exact, including the extremes and other bases", "[inputs]") {
    CHECK(number_of("x = 316_800_000_000\n", "x") == Rational(316'800'000'000));
    CHECK(number_of("x = 9_223_372_036_854_775_807\n", "x") == Rational(std::numeric_limits<std::int64_t>::max()));
    CHECK(number_of("x = -9223372036854775808\n", "x") == Rational(std::numeric_limits<std::int64_t>::min()));
    CHECK(number_of("x = +42\n", "x") == Rational(42));
    CHECK(number_of("x = 0xFF\n", "x") == Rational(255));
    CHECK(number_of("x = 0o17\n", "x") == Rational(15));
    CHECK(number_of("x = 0b101\n", "x") == Rational(5));
}

TEST_CASE("strings hold exact decimals, percentages and fractions", "[inputs]") {
    CHECK(number_of("x = \"0.9375\"\n", "x") == Rational::fraction(15, 16));
    CHECK(number_of("x = \"15.4%\"\n", "x") == Rational::fraction(154, 1000));
    CHECK(number_of("x = \"21353/23800\"\n", "x") == Rational::fraction(21353, 23800));
    CHECK(number_of("x = '-3/4'\n", "x") == Rational::fraction(-3, 4));
    CHECK(number_of("x = \"16_000_000\"\n", "x") == Rational(16'000'000));
}

TEST_CASE("a value of the wrong kind gives a located error", "[inputs]") {
    auto [toml, path, reader, expected] = GENERATE(table<std::string, std::string, Reader, std::string>({
        {"flag = true\n", "flag", Reader::number,
         "x.toml:1:8: error: expected a number, found a boolean\n"
         "  flag = true\n"
         "         ^~~~\n"},
        {"a = 1\nname = \"abc\"\n", "name", Reader::number,
         "x.toml:2:8: error: expected an exact number (\"0.9375\", \"15.4%\" or \"21353/23800\"), found \"abc\"\n"
         "  name = \"abc\"\n"
         "         ^~~~~\n"},
        {"s = 'a\"b\\c'\n", "s", Reader::number,
         "x.toml:1:5: error: expected an exact number (\"0.9375\", \"15.4%\" or \"21353/23800\"), found \"a\\\"b\\\\c\"\n"
         "  s = 'a\"b\\c'\n"
         "      ^~~~~~~\n"},
        {"s = \" 0.5\"\n", "s", Reader::number,
         "x.toml:1:5: error: expected an exact number (\"0.9375\", \"15.4%\" or \"21353/23800\"), found \" 0.5\"\n"
         "  s = \" 0.5\"\n"
         "      ^~~~~~\n"},
        {"x = 1\n[t]\ny = 2\n", "t", Reader::number,
         "x.toml:2:1: error: expected a number, found a table\n"
         "  [t]\n"
         "  ^~~\n"},
        {"a = [1, 2]  # c\n", "a", Reader::number,
         "x.toml:1:5: error: expected a number, found an array\n"
         "  a = [1, 2]  # c\n"
         "      ^~~~~~\n"},
        {"x = -inf\n", "x", Reader::number,
         "x.toml:1:5: error: expected a finite number, found -inf\n"
         "  x = -inf\n"
         "      ^~~~\n"},
        {"x = nan # not a number\n", "x", Reader::number,
         "x.toml:1:5: error: expected a finite number, found nan\n"
         "  x = nan # not a number\n"
         "      ^~~\n"},
        {"when = 2024-04-01T09:00:00\n", "when", Reader::number,
         "x.toml:1:8: error: expected a number, found a date-time\n"
         "  when = 2024-04-01T09:00:00\n"
         "         ^~~~~~~~~~~~~~~~~~~\n"},
        {"r = { name = \"日本語\", v = true }\n", "r.v", Reader::number,
         "x.toml:1:25: error: expected a number, found a boolean\n"
         "  r = { name = \"日本語\", v = true }\n"
         "                             ^~~~\n"},
        {"d = 1979-05-27 07:32:00Z # c\n", "d", Reader::date,
         "x.toml:1:5: error: expected a date (YYYY-MM-DD), found a date-time\n"
         "  d = 1979-05-27 07:32:00Z # c\n"
         "      ^~~~~~~~~~~~~~~~~~~~\n"},
        {"t = 07:32:00\n", "t", Reader::date,
         "x.toml:1:5: error: expected a date (YYYY-MM-DD), found a time\n"
         "  t = 07:32:00\n"
         "      ^~~~~~~~\n"},
        // Written YYYY-MM-DD but no day: said as --as-of and a batch cell say it.
        {"bad = \"2025-02-29\"\n", "bad", Reader::date,
         "x.toml:1:7: error: 2025-02-29 does not exist: 2025 is not a leap year (February has 28 days)\n"
         "  bad = \"2025-02-29\"\n"
         "        ^~~~~~~~~~~~\n"},
        {"bad = \"2026-04-31\"\n", "bad", Reader::date,
         "x.toml:1:7: error: 2026-04-31 does not exist: April has 30 days\n"
         "  bad = \"2026-04-31\"\n"
         "        ^~~~~~~~~~~~\n"},
        // The same written bare: toml++ refuses it as it parses; the file is read, and the
        // date refused as the one in quotes is (exit 1 with the file's other problems, not 2).
        {"bad = 2025-02-29\n", "bad", Reader::date,
         "x.toml:1:7: error: 2025-02-29 does not exist: 2025 is not a leap year (February has 28 days)\n"
         "  bad = 2025-02-29\n"
         "        ^~~~~~~~~~\n"},
        {"d = 2026-04-31 # c\n", "d", Reader::date,
         "x.toml:1:5: error: 2026-04-31 does not exist: April has 30 days\n"
         "  d = 2026-04-31 # c\n"
         "      ^~~~~~~~~~\n"},
        {"a = 2026-04-30\nd = [2024-04-01, 2026-13-01]\n", "d", Reader::date,
         "x.toml:2:5: error: expected a date (YYYY-MM-DD), found an array\n"
         "  d = [2024-04-01, 2026-13-01]\n"
         "      ^~~~~~~~~~~~~~~~~~~~~~~~\n"},
        {"bad = \"29/02/2029\"\n", "bad", Reader::date,
         "x.toml:1:7: error: expected a date (YYYY-MM-DD), found \"29/02/2029\"\n"
         "  bad = \"29/02/2029\"\n"
         "        ^~~~~~~~~~~~\n"},
        {"n = 20240401\n", "n", Reader::date,
         "x.toml:1:5: error: expected a date (YYYY-MM-DD), found an integer\n"
         "  n = 20240401\n"
         "      ^~~~~~~~\n"},
        {"esg_met = \"yes\"\n", "esg_met", Reader::boolean,
         "x.toml:1:11: error: expected a boolean (true or false), found a string\n"
         "  esg_met = \"yes\"\n"
         "            ^~~~~\n"},
        {"id = 3\n", "id", Reader::text,
         "x.toml:1:6: error: expected a string, found an integer\n"
         "  id = 3\n"
         "       ^\n"},
        {"score = 0.95\n", "score", Reader::text,
         "x.toml:1:9: error: expected a string, found a float\n"
         "  score = 0.95\n"
         "          ^~~~\n"},
        {"x = 1\n", "absent", Reader::number, "hoshu: error: expected a number, found nothing\n"},
        {"x = 1\n", "absent", Reader::date, "hoshu: error: expected a date (YYYY-MM-DD), found nothing\n"},
    }));
    CAPTURE(toml);
    CHECK(read_error(toml, path, reader) == expected);
}

TEST_CASE("readers accept the right kinds", "[inputs]") {
    CHECK(read_error("d = 2024-04-01\n", "d", Reader::date) == "ok 2024-04-01");
    CHECK(read_error("d = \"2024-04-01\"\n", "d", Reader::date) == "ok 2024-04-01");
    CHECK(read_error("b = false\n", "b", Reader::boolean) == "ok");
    CHECK(read_error("s = \"\"\"\nFY\\u0032024\"\"\"\n", "s", Reader::text) == "ok FY2024");
}

TEST_CASE("TOML syntax errors are located where toml++ places them", "[inputs]") {
    auto [toml, expected] = GENERATE(table<std::string, std::string>({
        {"a = 1\nb = \"x\" = 2\n",
         "x.toml:2:9: error: invalid TOML in a key-value pair: expected a comment or whitespace, saw '='\n"
         "  b = \"x\" = 2\n"
         "          ^\n"},
        // toml++ counts columns in code points: 11 here, not the 17th byte.
        {"b = \"日本語\" = 3\n",
         "x.toml:1:11: error: invalid TOML in a key-value pair: expected a comment or whitespace, saw '='\n"
         "  b = \"日本語\" = 3\n"
         "               ^\n"},
        {"a = 1\r\nb = \"é\" x\r\n",
         "x.toml:2:9: error: invalid TOML in a key-value pair: expected a comment or whitespace, saw 'x'\n"
         "  b = \"é\" x\n"
         "          ^\n"},
        {"\ta\t=\t\"日\"\t日\n",
         "x.toml:1:10: error: invalid TOML in a key-value pair: expected a comment or whitespace, saw '日'\n"
         "   a = \"日\" 日\n"
         "            ^~\n"},
        {"a = 1\na = 2\n",
         "x.toml:2:5: error: invalid TOML in a key-value pair: cannot redefine existing integer 'a'\n"
         "  a = 2\n"
         "      ^\n"},
        {"a = ",
         "x.toml:1:5: error: invalid TOML in a key-value pair: encountered end-of-file\n"
         "  a = \n"
         "      ^\n"},
        // toml++ 3.3 aborts on this in a build with its assertions enabled (see inputs.cpp).
        {"a = [1,}]\n",
         "x.toml:1:8: error: invalid TOML in a value: could not determine value type\n"
         "  a = [1,}]\n"
         "         ^\n"},
        // TOML integers are 64-bit; toml++ places the error just after the digits: the
        // number underlined as written, and how to give it exactly.
        {"big = 9_223_372_036_854_775_808\n",
         "x.toml:1:7: error: 9_223_372_036_854_775_808 is past the 64 bits a TOML integer holds\n"
         "  big = 9_223_372_036_854_775_808\n"
         "        ^~~~~~~~~~~~~~~~~~~~~~~~~\n"
         "  hint: write it in quotes, \"9_223_372_036_854_775_808\": hoshu reads a number in quotes exactly\n"},
        // A date-time whose date names no day is said as every date is, the whole value
        // underlined (a bare date that names none is read, and refused when read as a date);
        // another error of a date (a time past 23:59) keeps toml++'s words.
        // A bare date toml++ still refuses once it is read past (a stray letter after it).
        {"d = 2029-02-29x\n",
         "x.toml:1:5: error: 2029-02-29 does not exist: 2029 is not a leap year (February has 28 days)\n"
         "  d = 2029-02-29x\n"
         "      ^~~~~~~~~~\n"},
        {"d = 2029-02-29T10:00:00\n",
         "x.toml:1:5: error: 2029-02-29 does not exist: 2029 is not a leap year (February has 28 days)\n"
         "  d = 2029-02-29T10:00:00\n"
         "      ^~~~~~~~~~~~~~~~~~~\n"},
        {"small = -92233720368547758090\n",
         "x.toml:1:9: error: -92233720368547758090 is past the 64 bits a TOML integer holds\n"
         "  small = -92233720368547758090\n"
         "          ^~~~~~~~~~~~~~~~~~~~~\n"
         "  hint: write it in quotes, \"-92233720368547758090\": hoshu reads a number in quotes exactly\n"},
    }));
    CAPTURE(toml);
    CHECK(parse_error(toml) == expected);
}

TEST_CASE("bare dates that name no day: the file is read, each refused where it is read as a date", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml",
                               "# dates\na = 2029-02-29\nb = 2024-02-29\n[[prices]]\ndate = 2026-04-31\nclose = 1\n"
                               "[[prices]]\ndate = 2026-13-01\nclose = 2\n");
    if (!in) FAIL(dsl::render(sm, in.error()));
    auto a = in->date(at(*in, "a"));
    REQUIRE_FALSE(a);
    CHECK(dsl::render(sm, a.error()) ==
          "x.toml:2:5: error: 2029-02-29 does not exist: 2029 is not a leap year (February has 28 days)\n"
          "  a = 2029-02-29\n"
          "      ^~~~~~~~~~\n");
    CHECK(in->date(at(*in, "b"))->to_string() == "2024-02-29");   // a day that is: read as it is
    // A record is found by the date as written, and its date still refused.
    std::string why;
    auto close = in->find("prices.2026-13-01.close", &why);
    REQUIRE(close);
    CHECK(in->number(close)->to_string() == "2");
    auto first = in->find("prices[0].date", &why);
    CHECK(in->scalar_text(first) == "2026-04-31");
    auto d = in->date(first);
    REQUIRE_FALSE(d);
    CHECK(d.error().items().front().message == "2026-04-31 does not exist: April has 30 days");
    // A date-time that names no day stays a TOML error.
    CHECK(parse_error("a = 2029-02-29\nt = 2029-02-29T10:00:00\n").starts_with(
        "x.toml:2:5: error: 2029-02-29 does not exist"));
}

TEST_CASE("a byte order mark does not shift toml++ positions", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", "\xEF\xBB\xBF" "a = 1 = 2\n");
    REQUIRE_FALSE(in);
    REQUIRE(in.error().items().size() == 1);
    CHECK(in.error().items()[0].range.begin == 9);   // the second '=', after 3 bytes of BOM

    dsl::SourceManager sm2;
    auto ok = InputFile::parse(sm2, "x.toml", "\xEF\xBB\xBF" "x = 1.5\n");
    REQUIRE(ok);
    CHECK(*ok->number(at(*ok, "x")) == Rational::fraction(3, 2));
}

TEST_CASE("invalid UTF-8 is reported at the first bad byte", "[inputs]") {
    CHECK(parse_error("a = 1\nb = \"x\xFFy\"\n") ==
          "x.toml:2:7: error: invalid UTF-8: unexpected byte 0xFF\n"
          "  b = \"x\\xffy\"\n"   // the bad byte escaped, the caret under it
          "        ^~~~\n");
    // A truncated sequence: the first two bytes of 日 followed by a quote.
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", "s = \"日\xE6\x97\"\n");
    REQUIRE_FALSE(in);
    CHECK(in.error().items()[0].range.begin == 8);
    CHECK(in.error().items()[0].message == "invalid UTF-8: unexpected byte 0xE6");
}

TEST_CASE("keys come in the order they are written", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml",
                               "zeta = 1\n"
                               "alpha = \"a\"\n"
                               "[years.FY2024]\n"
                               "revenue = 1\n"
                               "operating_profit = 2\n"
                               "engagement_index = 71.5\n"
                               "[years.FY2023]\n"
                               "revenue = 3\n"
                               "[[prices]]\n"
                               "date = 2024-03-29\n"
                               "close = 2_850\n"
                               "[[prices]]\n"
                               "close = 3_020\n"
                               "date = 2025-06-25\n"
                               "[midterm]\n"
                               "start = 2024-04-01\n"
                               "b.c = 1\n"
                               "\"a b\" = 2\n"
                               "[midterm.x]\n");
    REQUIRE(in);
    using V = std::vector<std::string>;
    CHECK(in->keys(in->root()) == V{"zeta", "alpha", "years", "prices", "midterm"});
    CHECK(in->keys(at(*in, "years")) == V{"FY2024", "FY2023"});
    CHECK(in->keys(at(*in, "years.FY2024")) == V{"revenue", "operating_profit", "engagement_index"});
    CHECK(in->keys(in->element(at(*in, "prices"), 0)) == V{"date", "close"});
    CHECK(in->keys(in->element(at(*in, "prices"), 1)) == V{"close", "date"});
    CHECK(in->keys(at(*in, "midterm")) == V{"start", "b", "a b", "x"});
    CHECK(in->keys(at(*in, "zeta")).empty());
    CHECK(in->keys(InputFile::Node{}).empty());
    CHECK(in->size(in->root()) == 5);
    CHECK(in->size(at(*in, "years.FY2024")) == 3);
}

TEST_CASE("arrays of tables", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml",
                               "fiscal_year = \"FY2024\"\n"
                               "\n"
                               "[[directors]]\n"
                               "id = \"D03\"\n"
                               "monthly_fixed = 4_000_000\n"
                               "\n"
                               "[[directors]]  # second\n"
                               "id = \"D07\"\n"
                               "division_score = \"0.95\"\n");
    REQUIRE(in);
    auto directors = at(*in, "directors");
    CHECK(in->kind(directors) == InputKind::array);
    REQUIRE(in->size(directors) == 2);
    CHECK(*in->text(in->child(in->element(directors, 0), "id")) == "D03");
    CHECK(*in->number(in->child(in->element(directors, 0), "monthly_fixed")) == Rational(4'000'000));
    CHECK(*in->text(in->child(in->element(directors, 1), "id")) == "D07");
    CHECK(*in->number(in->child(in->element(directors, 1), "division_score")) == Rational::fraction(19, 20));
    CHECK_FALSE(in->element(directors, 2));
    CHECK_FALSE(in->element(at(*in, "fiscal_year"), 0));
    CHECK_FALSE(in->child(in->element(directors, 1), "monthly_fixed"));
    // The array points at its first header, each element at its own.
    CHECK(covered(*in, in->range(directors)) == "[[directors]]");
    CHECK(sm.file(in->file()).line_col(in->range(directors).begin).line == 3);
    CHECK(covered(*in, in->range(in->element(directors, 1))) == "[[directors]]");
    CHECK(sm.file(in->file()).line_col(in->range(in->element(directors, 1)).begin).line == 7);
    // Error on an element of an array of tables.
    auto r = in->number(in->element(directors, 1));
    REQUIRE_FALSE(r);
    CHECK(dsl::render(sm, r.error()) ==
          "x.toml:7:1: error: expected a number, found a table\n"
          "  [[directors]]  # second\n"
          "  ^~~~~~~~~~~~~\n");
}

TEST_CASE("ranges cover exactly the token written", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml",
                               "first = 1\n"
                               "s = \"\"\"ab\n"
                               "cd\"\"\"\"\n"
                               "lit = 'C:\\dir'   # c\n"
                               "esc = \"a\\\"b\"\n"
                               "v = [ [1, \"]\"], { a = \"}\" } ] # ]\n"
                               "w = [\n"
                               "  1, # ]\n"
                               "  2,\n"
                               "]\n"
                               "d = 1979-05-27 07:32:00Z # c\n"
                               "t = 07:32:00.5\n"
                               "\"q k\" = 1.5e3\n"
                               "p.q = true\n"
                               "[ x . \"y ]\" ]\n"
                               "z = {}\n");
    REQUIRE(in);
    CHECK(covered(*in, in->range(at(*in, "first"))) == "1");
    CHECK(covered(*in, in->range(at(*in, "s"))) == "\"\"\"ab\ncd\"\"\"\"");
    CHECK(*in->text(at(*in, "s")) == "ab\ncd\"");
    CHECK(covered(*in, in->range(at(*in, "lit"))) == "'C:\\dir'");
    CHECK(covered(*in, in->range(at(*in, "esc"))) == "\"a\\\"b\"");
    CHECK(covered(*in, in->range(at(*in, "v"))) == "[ [1, \"]\"], { a = \"}\" } ]");
    CHECK(covered(*in, in->range(in->element(at(*in, "v"), 1))) == "{ a = \"}\" }");
    CHECK(covered(*in, in->range(at(*in, "w"))) == "[\n  1, # ]\n  2,\n]");
    CHECK(covered(*in, in->range(at(*in, "d"))) == "1979-05-27 07:32:00Z");
    CHECK(covered(*in, in->range(at(*in, "t"))) == "07:32:00.5");
    CHECK(covered(*in, in->range(at(*in, "q k"))) == "1.5e3");
    CHECK(*in->number(at(*in, "q k")) == Rational(1500));
    CHECK(covered(*in, in->range(at(*in, "p.q"))) == "true");
    CHECK(covered(*in, in->range(at(*in, "p"))) == "p");
    CHECK(covered(*in, in->range(at(*in, "x"))) == "[ x . \"y ]\" ]");
    CHECK(covered(*in, in->range(at(*in, "x.y ]"))) == "[ x . \"y ]\" ]");
    CHECK(covered(*in, in->range(at(*in, "x.y ].z"))) == "{}");
    CHECK(covered(*in, in->range(in->root())) == "first");
    CHECK_FALSE(in->range(InputFile::Node{}).valid);

    CHECK(covered(*in, in->key_range(in->root(), "q k")) == "\"q k\"");
    CHECK(covered(*in, in->key_range(in->root(), "first")) == "first");
    CHECK(covered(*in, in->key_range(at(*in, "x"), "y ]")) == "\"y ]\"");
    CHECK(covered(*in, in->key_range(at(*in, "p"), "q")) == "q");
    CHECK_FALSE(in->key_range(in->root(), "nope").valid);
    CHECK_FALSE(in->key_range(at(*in, "first"), "nope").valid);
}

TEST_CASE("kinds and their descriptions", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml",
                               "s = \"x\"\ni = 1\nf = 1.5\nb = true\nd = 2024-01-01\nt = 10:00:00\n"
                               "dt = 2024-01-01T10:00:00\na = []\ntb = {}\n");
    REQUIRE(in);
    auto kind_text = [&](std::string_view key) { return std::string(describe(in->kind(at(*in, key)))); };
    CHECK(kind_text("s") == "a string");
    CHECK(kind_text("i") == "an integer");
    CHECK(kind_text("f") == "a float");
    CHECK(kind_text("b") == "a boolean");
    CHECK(kind_text("d") == "a date");
    CHECK(kind_text("t") == "a time");
    CHECK(kind_text("dt") == "a date-time");
    CHECK(kind_text("a") == "an array");
    CHECK(kind_text("tb") == "a table");
    CHECK(kind_text("none") == "nothing");
    CHECK(in->kind(in->root()) == InputKind::table);
    CHECK_FALSE(in->child(InputFile::Node{}, "s"));
    CHECK_FALSE(in->child(at(*in, "s"), "s"));
    CHECK(in->size(at(*in, "s")) == 0);
    CHECK(in->size(InputFile::Node{}) == 0);
}

TEST_CASE("load reads the file's exact bytes", "[inputs]") {
    const std::string bytes = "a = 1\r\nb = \"日本\"\r\nc = 0.1\r\n";
    auto path = std::filesystem::temp_directory_path() /
                ("hoshu_inputs_test_" + std::to_string(::getpid()) + ".toml");
    {
        std::ofstream out(path, std::ios::binary);
        out << bytes;
    }
    dsl::SourceManager sm;
    auto in = InputFile::load(sm, path.string());
    std::filesystem::remove(path);
    REQUIRE(in);
    CHECK(in->bytes() == bytes);
    CHECK(in->path() == path.string());
    CHECK(*in->text(at(*in, "b")) == "日本");
    CHECK(*in->number(at(*in, "c")) == Rational::fraction(1, 10));

    // Moving keeps the handles valid.
    auto c = at(*in, "c");
    InputFile moved = std::move(*in);
    CHECK(*moved.number(c) == Rational::fraction(1, 10));
}

TEST_CASE("load reports an unreadable file without a location", "[inputs]") {
    dsl::SourceManager sm;
    auto missing = InputFile::load(sm, "/nonexistent/hoshu/x.toml");
    REQUIRE_FALSE(missing);
    CHECK(dsl::render(sm, missing.error()) ==
          "hoshu: error: cannot read /nonexistent/hoshu/x.toml: No such file or directory\n");
    auto dir = InputFile::load(sm, "/");
    REQUIRE_FALSE(dir);
    CHECK(dsl::render(sm, dir.error()) == "hoshu: error: cannot read /: Is a directory\n");
    CHECK(sm.size() == 0);
}

TEST_CASE("the input example of the product spec reads exactly", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "examples/iij/fy2024.toml", R"(fiscal_year  = "FY2024"        # the year evaluated
period_start = 2024-04-01      # its first day
grant_date   = 2025-06-26
committee_consulted_on = 2025-05-20

[midterm]
years = ["FY2024", "FY2025", "FY2026"]
start = 2024-04-01

[years.FY2023]
revenue          = 276_100_000_000
operating_profit =  29_000_000_000

[years.FY2024]
revenue          = 316_800_000_000
operating_profit =  30_100_000_000
engagement_index = 71.5

[[prices]]
date  = 2024-03-29
close = 2_850

[[directors]]
id               = "D03"
role             = "executive"
monthly_fixed    = 4_000_000
months_in_office = 12
division_score   = 0.95

[[ledger]]
year          = "FY2024"
rate          = "21353/23800"  # the payout rate granted (exact)
)");
    REQUIRE(in);
    CHECK(in->keys(in->root()) == std::vector<std::string>{"fiscal_year", "period_start", "grant_date",
                                                           "committee_consulted_on", "midterm", "years",
                                                           "prices", "directors", "ledger"});
    CHECK(*in->date(at(*in, "period_start")) == *Date::from_ymd(2024, 4, 1));
    CHECK(*in->date(at(*in, "midterm.start")) == *Date::from_ymd(2024, 4, 1));
    CHECK(in->size(at(*in, "midterm.years")) == 3);
    CHECK(*in->text(in->element(at(*in, "midterm.years"), 2)) == "FY2026");
    CHECK(*in->number(at(*in, "years.FY2024.revenue")) == Rational(316'800'000'000));
    CHECK(*in->number(at(*in, "years.FY2024.engagement_index")) == Rational::fraction(143, 2));
    auto director = in->element(at(*in, "directors"), 0);
    CHECK(*in->number(in->child(director, "division_score")) == Rational::fraction(95, 100));
    CHECK(*in->number(in->child(in->element(at(*in, "ledger"), 0), "rate")) == Rational::fraction(21353, 23800));

    auto r = in->boolean(at(*in, "years.FY2024.engagement_index"));
    REQUIRE_FALSE(r);
    CHECK(dsl::render(sm, r.error()) ==
          "examples/iij/fy2024.toml:17:20: error: expected a boolean (true or false), found a float\n"
          "  engagement_index = 71.5\n"
          "                     ^~~~\n");
}

TEST_CASE("a number with a currency sign or code gets a hint, another currency's a conversion", "[inputs]") {
    using hoshu::eval::number_text_hint;
    CHECK(number_text_hint("12.5 %") == "no space before the `%`: write \"12.5%\"");
    CHECK(number_text_hint("£1,234.50") == "write the figure alone, \"1,234.50\": the rule file declares the input's unit");
    // The value's own currency, by sign or code: the figure alone.
    CHECK(number_text_hint("$12,000", "USD", "$") == "write the figure alone, \"12,000\": the rule file declares the input's unit");
    CHECK(number_text_hint("12000 USD", "USD", "$") == "write the figure alone, \"12000\": the rule file declares the input's unit");
    CHECK(number_text_hint("US$ 40", "USD", "$") == "write the figure alone, \"40\": the rule file declares the input's unit");
    CHECK(number_text_hint("￥1,500", "JPY", "¥") == "write the figure alone, \"1,500\": the rule file declares the input's unit");
    // Another currency's: converted, not copied.
    CHECK(number_text_hint("£2,400,000.00", "USD", "$") ==
          "`£` is not USD, the currency this value is in: convert the amount to USD, then write the figure alone");
    CHECK(number_text_hint("12500 EUR", "GBP", "£") ==
          "`EUR` is not GBP, the currency this value is in: convert the amount to GBP, then write the figure alone");
    CHECK(number_text_hint("¥1,500,000", "USD", "$").starts_with("`¥` is not USD"));
    // A word that is no currency, or a sign on both sides: the figure alone.
    CHECK(number_text_hint("about 40", "USD", "$") == "write the figure alone, \"40\": the rule file declares the input's unit");
    CHECK(number_text_hint("£40 EUR", "USD", "$") == "write the figure alone, \"40\": the rule file declares the input's unit");
    CHECK(number_text_hint("forty", "USD", "$").empty());
}

TEST_CASE("a percentage written with a space before its `%`", "[inputs]") {
    using hoshu::eval::spaced_percent;
    CHECK(spaced_percent("12.5 %") == "12.5%");
    CHECK(spaced_percent(" 3/4\t% ") == "3/4%");
    CHECK_FALSE(spaced_percent("12.5%"));   // no space: read as it is
    CHECK_FALSE(spaced_percent("abc %"));
    CHECK_FALSE(spaced_percent(" %"));
}

TEST_CASE("the number reader lists a percentage among the forms only where one is accepted", "[inputs]") {
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", "eps = \"abc\"\n");
    REQUIRE(in);
    auto amount = in->number(at(*in, "eps"), false);
    REQUIRE_FALSE(amount);
    CHECK(dsl::render(sm, amount.error()) ==
          "x.toml:1:7: error: expected an exact number (\"0.9375\" or \"21353/23800\"), found \"abc\"\n"
          "  eps = \"abc\"\n"
          "        ^~~~~\n");
    auto ratio = in->number(at(*in, "eps"));
    REQUIRE_FALSE(ratio);
    CHECK(dsl::render(sm, ratio.error()).starts_with(
        "x.toml:1:7: error: expected an exact number (\"0.9375\", \"15.4%\" or \"21353/23800\"), found \"abc\"\n"));
}

TEST_CASE("texts and keys are read in Unicode NFC, the bytes and the positions as written", "[inputs][unicode]") {
    // "Zürich" and "café" written with combining marks (NFD), a key in NFD, one in NFC.
    const std::string toml = "office = \"Zu\xcc\x88rich\"\n"
                             "[years.\"Anne\xcc\x81" "e\"]\n"
                             "revenue = 100\n"
                             "[[directors]]\n"
                             "id = \"R\xc3\xa9\"\n"
                             "[[directors]]\n"
                             "id = \"Ze\xcc\x81\"\n";
    dsl::SourceManager sm;
    auto in = InputFile::parse(sm, "x.toml", toml);
    if (!in) FAIL(dsl::render(sm, in.error()));
    CHECK(in->bytes() == toml);   // what a seal hashes
    auto office = in->text(in->child(in->root(), "office"));
    REQUIRE(office);
    CHECK(*office == "Z\xc3\xbcrich");
    // The key is found by its NFC spelling, listed so, and located where it is written.
    InputFile::Node years = in->child(in->root(), "years");
    CHECK(in->keys(years) == std::vector<std::string>{"Ann\xc3\xa9" "e"});
    InputFile::Node year = in->child(years, "Ann\xc3\xa9" "e");
    REQUIRE(year);
    auto revenue = in->number(in->child(year, "revenue"));
    REQUIRE(revenue);
    CHECK(*revenue == Rational(100));
    CHECK(covered(*in, in->key_range(years, "Ann\xc3\xa9" "e")) == "\"Anne\xcc\x81" "e\"");
    CHECK(covered(*in, in->range(in->child(year, "revenue"))) == "100");
    // find() reads its steps in NFC too: a record named in either form.
    std::string why;
    CHECK(in->find("directors.Re\xcc\x81.id", &why));
    CHECK(in->find("directors.Z\xc3\xa9.id", &why));
    CHECK(in->find("years.\"Anne\xcc\x81" "e\".revenue", &why));
    CHECK(in->scalar_text(in->find("directors[1].id", &why)) == "Z\xc3\xa9");
}

TEST_CASE("two keys of a table that are one text in NFC are an error at the later one", "[inputs][unicode]") {
    CHECK(parse_error("[rates]\n\"caf\xc3\xa9\" = 1\n\"cafe\xcc\x81\" = 2\n") ==
          "x.toml:3:1: error: the key `caf\xc3\xa9` is given twice in this table\n"
          "  \"cafe\xcc\x81\" = 2\n"
          "  ^~~~~~\n"
          "  hint: the two are the same text written in two Unicode forms (a letter and a combining mark, or the "
          "letter precomposed): hoshu compares keys and texts in NFC; keep one\n"
          "x.toml:2:1: note: first given here\n"
          "  \"caf\xc3\xa9\" = 1\n"
          "  ^~~~~~\n");
    // The NFD one first: still the later in the file is the one given again.
    CHECK(parse_error("\"cafe\xcc\x81\" = 2\n\"caf\xc3\xa9\" = 1\n").find("x.toml:2:1: error: the key") == 0);
}

TEST_CASE("the forms a number is written in: a percentage only where one is accepted", "[inputs]") {
    using hoshu::eval::number_forms_hint;
    CHECK(number_forms_hint(true) == "write an integer, a decimal, 3.168e11, a percentage (15.4%) or a fraction (3/4)");
    CHECK(number_forms_hint(false) == "write an integer, a decimal, 3.168e11 or a fraction (3/4)");
    CHECK(number_forms_hint(false).find('%') == std::string::npos);
}
