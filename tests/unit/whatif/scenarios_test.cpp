// Scenarios for `hoshu batch`: the streaming CSV reader, the --grid product, source fragments.
#include "evaluator/whatif/scenarios.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "dsl/base/diagnostics.hpp"

using hoshu::eval::CsvScenarios;
using hoshu::eval::Grid;
using hoshu::eval::Scenario;
namespace dsl = hoshu::dsl;
namespace fs = std::filesystem;

namespace {

// A folder of its own under the temporary directory, removed with everything in it.
class TempDir {
public:
    TempDir() : dir_(fs::temp_directory_path() / ("hoshu_scenarios_test_" + std::to_string(::getpid()))) {
        fs::create_directories(dir_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    // Writes `bytes` exactly to dir/name and returns the path.
    std::string write(const std::string& name, const std::string& bytes) const {
        fs::path p = dir_ / name;
        std::ofstream out(p, std::ios::binary);
        out << bytes;
        return p.string();
    }

private:
    fs::path dir_;
};

// "id: path=value path=value …" for a scenario, ranges aside.
std::string show(const Scenario& s) {
    std::string out = s.id + ":";
    for (const auto& a : s.set) out += " " + std::string(a.path) + "=" + a.value;
    return out;
}

// Rendered diagnostics with the temporary file's path shown as s.csv.
std::string relative(std::string text, const std::string& path) {
    for (std::size_t at = text.find(path); at != std::string::npos; at = text.find(path)) {
        text.replace(at, path.size(), "s.csv");
    }
    return text;
}

// Every row of a CSV file: shown scenarios, and errors rendered (relative to the temp folder).
// Read twice: a fresh Scenario per row, then one Scenario reused for every row (as batch
// reads), which must give the same rows and errors, each assignment naming its column.
std::vector<std::string> read_all(const std::string& bytes) {
    TempDir dir;
    std::string path = dir.write("s.csv", bytes);
    dsl::SourceManager sm;
    auto csv = CsvScenarios::open(sm, path);
    if (!csv) FAIL(dsl::render(sm, csv.error()));
    std::vector<std::string> out;
    for (;;) {
        auto row = csv->next();
        if (!row) {
            out.push_back(relative(dsl::render(sm, row.error()), path));
            continue;
        }
        if (!*row) break;
        out.push_back(show(**row));
    }

    dsl::SourceManager sm2;
    auto again = CsvScenarios::open(sm2, path);
    REQUIRE(again);
    std::vector<std::string> reused;
    Scenario s;
    for (;;) {
        auto more = again->next(s);
        if (!more) {
            reused.push_back(relative(dsl::render(sm2, more.error()), path));
            continue;
        }
        if (!*more) break;
        for (const auto& a : s.set) {
            REQUIRE(a.column < again->columns().size());
            CHECK(a.path == again->columns()[a.column]);
        }
        reused.push_back(show(s));
    }
    CHECK(reused == out);
    return out;
}

// What open() reports for a file, rendered with the file shown as s.csv.
std::string open_error(const std::string& bytes) {
    TempDir dir;
    std::string path = dir.write("s.csv", bytes);
    dsl::SourceManager sm;
    auto csv = CsvScenarios::open(sm, path);
    if (csv) return "opened";
    return relative(dsl::render(sm, csv.error()), path);
}

std::string grid_error(const std::vector<std::string>& specs) {
    dsl::SourceManager sm;
    auto g = Grid::parse(sm, specs);
    return g ? "parsed" : dsl::render(sm, g.error());
}

}  // namespace

TEST_CASE("a source fragment reports the lines of the whole file", "[scenarios]") {
    dsl::SourceManager sm;
    auto id = sm.add("s.csv", "a,b\n\"x\ny\",日本\n", 100);
    const dsl::SourceFile& f = sm.file(id);
    CHECK(f.first_line() == 100);
    CHECK(f.line_col(0).line == 100);
    CHECK(f.line_col(2).line == 100);
    CHECK(f.line_col(2).column == 3);
    CHECK(f.line_col(4).line == 101);
    CHECK(f.line_col(7).line == 102);   // y
    CHECK(f.line_col(10).column == 4);  // 日 after `y",`
    CHECK(f.line_text(100) == "a,b");
    CHECK(f.line_text(102) == "y\",日本");
    CHECK(f.line_text(99).empty());
    CHECK(f.line_text(104).empty());
    CHECK(f.line_text(1).empty());
    CHECK(f.offset_of({101, 1}) == 4);
    CHECK(f.offset_of({102, 4}) == 10);
    CHECK(f.offset_of({5, 1}) == f.text().size());

    dsl::Diagnostics ds;
    ds.error(dsl::SourceRange::in(id, 10, 16), "not a number");
    CHECK(dsl::render(sm, ds) ==
          "s.csv:102:4: error: not a number\n"
          "  y\",日本\n"
          "     ^~~~\n");

    // The same FileId, another row.
    sm.replace(id, "c,d\r\n", 7);
    CHECK(sm.file(id).path() == "s.csv");
    CHECK(sm.file(id).line_text(7) == "c,d");
    dsl::Diagnostics ds2;
    ds2.error(dsl::SourceRange::in(id, 2, 3), "bad");
    CHECK(dsl::render(sm, ds2) ==
          "s.csv:7:3: error: bad\n"
          "  c,d\n"
          "    ^\n");
    // A whole file still starts at line 1.
    CHECK(sm.file(sm.add("t", "x\ny")).line_col(2).line == 2);
}

TEST_CASE("CSV rows give assignments in column order", "[scenarios]") {
    CHECK(read_all("years.FY2024.revenue,directors.D03.division_score\n"
                   "300e9,1.05\n"
                   " 310e9 ,\t0.95\t\n") ==
          std::vector<std::string>{"1: years.FY2024.revenue=300e9 directors.D03.division_score=1.05",
                                   "2: years.FY2024.revenue=310e9 directors.D03.division_score=0.95"});
}

TEST_CASE("CSV quoting follows RFC 4180", "[scenarios]") {
    CHECK(read_all("a,b,c\n"
                   "\"1,000\",\"say \"\"hi\"\"\",\"  padded  \"\n"
                   "  \"x\"  ,y,\"\"\"\"\n") ==
          std::vector<std::string>{"1: a=1,000 b=say \"hi\" c=  padded  ", "2: a=x b=y c=\""});
}

TEST_CASE("CSV comments, blank lines, CRLF and a byte order mark", "[scenarios]") {
    CHECK(read_all("\xEF\xBB\xBF# scenarios for the board\r\n"
                   "\r\n"
                   "scenario,a\r\n"
                   "  # a comment after blanks\r\n"
                   "low,1\r\n"
                   "   \t\r\n"
                   "high,2") == std::vector<std::string>{"low: a=1", "high: a=2"});
    // The byte order mark is not a column: the header's first cell is at column 1.
    TempDir dir;
    dsl::SourceManager sm;
    auto csv = CsvScenarios::open(sm, dir.write("bom.csv", "\xEF\xBB\xBF" "a,b\n1,2\n"));
    REQUIRE(csv);
    CHECK(csv->columns() == std::vector<std::string>{"a", "b"});
    const dsl::SourceFile& header = sm.file(csv->column_range(0).file);
    CHECK(header.line_col(csv->column_range(0).begin).column == 1);
    CHECK(header.line_col(csv->column_range(1).begin).column == 3);
}

TEST_CASE("the id column names the scenarios, wherever it is", "[scenarios]") {
    CHECK(read_all("a,id,b\n1,base,2\n3,up,\n") ==
          std::vector<std::string>{"base: a=1 b=2", "up: a=3"});
    // Case-sensitive: `ID` is an input path like any other.
    CHECK(read_all("ID,a\nx,1\n") == std::vector<std::string>{"1: ID=x a=1"});
    // An id column of its own would evaluate the base inputs under other names: an error.
    CHECK(open_error("scenario\nbase\n") ==
          "s.csv:1:9: error: the header names no input: every scenario would evaluate the base inputs unchanged\n"
          "  scenario\n"
          "          ^\n"
          "  hint: after the `scenario` column, name the input paths the scenarios change, for example: "
          "scenario,years.FY2024.revenue\n");
}

TEST_CASE("empty cells are no override, data rows are numbered", "[scenarios]") {
    CHECK(read_all("a,b,c\n,,\n1,,\n# comment\n\n,2,\"\"\n") ==
          std::vector<std::string>{"1:", "2: a=1", "3: b=2"});
}

TEST_CASE("a reused scenario takes each row whole: fewer cells, longer values, a tab inside", "[scenarios]") {
    const std::string long_value(40, '9');
    CHECK(read_all("scenario,a,b,c\n"
                   "one," + long_value + "," + long_value + ",3\n"
                   "two,,,\n"
                   "three,1,,\n"
                   "four,a\tb , \t x y ,\"q,r\"\n"
                   "five," + long_value + ",2,3") ==
          std::vector<std::string>{"one: a=" + long_value + " b=" + long_value + " c=3", "two:", "three: a=1",
                                   "four: a=a\tb b=x y c=q,r", "five: a=" + long_value + " b=2 c=3"});
    // Rows across the reader's 64 KiB buffer: a value cut by the refill is read whole.
    std::string bytes = "a,b\n";
    std::vector<std::string> want;
    for (int i = 0; bytes.size() < (std::size_t{3} << 16); ++i) {
        const std::string v = std::to_string(i) + std::string(static_cast<std::size_t>(i % 37), '7');
        bytes += v + "," + (i % 3 == 0 ? "" : "x" + v) + "\n";
        want.push_back(std::to_string(i + 1) + ": a=" + v + (i % 3 == 0 ? "" : " b=x" + v));
    }
    CHECK(read_all(bytes) == want);
}

namespace {

// Each row as show() gives it with every assignment's range, or its error rendered.
std::vector<std::string> rows_with_ranges(const std::string& bytes) {
    TempDir dir;
    std::string path = dir.write("s.csv", bytes);
    dsl::SourceManager sm;
    auto csv = CsvScenarios::open(sm, path);
    if (!csv) return {relative(dsl::render(sm, csv.error()), path)};
    std::vector<std::string> out;
    Scenario s;
    for (;;) {
        auto more = csv->next(s);
        if (!more) {
            out.push_back(relative(dsl::render(sm, more.error()), path));
            continue;
        }
        if (!*more) break;
        std::string row = show(s) + " @" + std::to_string(s.line);
        for (const auto& a : s.set) {
            const dsl::SourceFile& f = sm.file(a.where.file);
            row += " [" + std::to_string(a.where.begin) + "," + std::to_string(a.where.end) + ") " +
                   std::to_string(f.line_col(a.where.begin).line) + ":" + std::to_string(f.line_col(a.where.begin).column);
        }
        out.push_back(row);
    }
    return out;
}

}  // namespace

TEST_CASE("a plain line is read as the byte-by-byte scanner reads it", "[scenarios]") {
    // A line ended by a line feed is read at once; the last line of a file without one goes
    // byte by byte. Same values, ranges and errors either way. (Bytes that are not UTF-8 are
    // an error of the whole file: "a file not in UTF-8 is one error".)
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"a,b,c", {"1,2,3", " 1 , 2 ,3 ", "\t1\t,,", ",,", "1,2", "1,2,3,4", "1,2,3,,,", "  ,x,", "1 2, 3\t4 ,5",
                   "\xC3\xA9,\xE6\x97\xA5\xE6\x9C\xAC,x", "   1,2,3", "1,,  ", ",,,", "x", " \t x"}},
        {"id,a,b", {",1,2", " s1 ,1,2", "s2 , , 2", "  ,1,2", "s3,1"}},
        {"scenario,a", {"only,1", " spaced id ,"}},
    };
    for (const auto& [header, rows] : cases) {
        for (const auto& row : rows) {
            for (const char* eol : {"\n", "\r\n", "\r"}) {
                const std::string lead = header + eol + "# a comment" + eol + "1,1,1" + eol;
                INFO(header << " / " << dsl::printable(row) << " / " << dsl::printable(eol));
                const auto at_once = rows_with_ranges(lead + row + eol + "7,8,9" + eol);
                const auto byte_by_byte = rows_with_ranges(lead + row + eol + "7,8,9");
                const auto last = rows_with_ranges(lead + row);
                REQUIRE(at_once.size() == 3);
                CHECK(at_once == byte_by_byte);
                CHECK(at_once[1] == last.at(1));
            }
        }
    }
}

TEST_CASE("lone CRs end lines, as Excel for Mac's \"CSV (Macintosh)\" writes them", "[scenarios]") {
    // Read as the same file with LF line ends: the header was once read as one line
    // holding every row ("no scenarios: the header is followed by no row").
    CHECK(read_all("scenario,a,b\r# a comment\rlow,1,2\r\rhigh,3,\r") ==
          std::vector<std::string>{"low: a=1 b=2", "high: a=3"});
    CHECK(read_all("scenario,a\rlow,1\r\nmid,2\nhigh,3") ==   // mixed: each a line end
          std::vector<std::string>{"low: a=1", "mid: a=2", "high: a=3"});
    // A quoted field spanning CR line ends holds line feeds, as one spanning CRLF does.
    CHECK(read_all("scenario,note,a\rone,\"x\ry\",1\r") == std::vector<std::string>{"one: note=x\ny a=1"});
    // Errors are located on their own line.
    CHECK(rows_with_ranges("scenario,a,b\r\rone,1,2\rtwo,3\rthree, 4 ,5\r") ==
          std::vector<std::string>{
              "one: a=1 b=2 @3 [4,5) 3:5 [6,7) 3:7",
              "s.csv:4:6: error: row has 2 cells, the header has 3\n"
              "  two,3\n"
              "       ^\n"
              "s.csv:1:12: note: no value for `b`\n"
              "  scenario,a,b\n"
              "             ^\n",
              "three: a=4 b=5 @5 [7,8) 5:8 [10,11) 5:11"});
    // Bytes that are not UTF-8 ahead: the line they are on.
    CHECK(open_error("a,b\r1,2\r3,\xff\r") ==
          "s.csv:3:3: error: the file is not UTF-8: unexpected byte 0xFF\n"
          "  3,\\xff\n"
          "    ^~~~\n"
          "  hint: save it as UTF-8 (Excel: \"CSV UTF-8 (comma delimited)\")\n");
}

TEST_CASE("a quoted field may span lines, rows keep their own line numbers", "[scenarios]") {
    TempDir dir;
    std::string path = dir.write("s.csv",
                                 "scenario,note,a\n"         // 1
                                 "one,\"first\n"            // 2
                                 "second\r\n"               // 3
                                 "third\",10\n"             // 4
                                 "two,plain,  20\n");       // 5
    dsl::SourceManager sm;
    auto csv = CsvScenarios::open(sm, path);
    REQUIRE(csv);
    CHECK(csv->columns() == std::vector<std::string>{"note", "a"});

    auto one = csv->next();
    REQUIRE(one);
    REQUIRE(*one);
    const Scenario& s1 = **one;
    CHECK(s1.id == "one");
    CHECK(s1.line == 2);
    REQUIRE(s1.set.size() == 2);
    CHECK(s1.set[0].value == "first\nsecond\nthird");
    const dsl::SourceFile& row = sm.file(s1.set[1].where.file);
    CHECK(row.line_col(s1.set[1].where.begin).line == 4);
    CHECK(row.line_col(s1.set[1].where.begin).column == 8);
    CHECK(row.line_col(s1.set[0].where.begin).line == 2);
    CHECK(row.line_col(s1.set[0].where.end).line == 4);

    auto two = csv->next();
    REQUIRE(two);
    REQUIRE(*two);
    CHECK((*two)->line == 5);
    CHECK((*two)->set[1].value == "20");
    // The row reuses the FileId of the row before; the cell is where it is written.
    CHECK((*two)->set[1].where.file == s1.set[1].where.file);
    dsl::Diagnostics ds;
    ds.error((*two)->set[1].where, "not a number");
    CHECK(dsl::render(sm, ds) == path + ":5:13: error: not a number\n"
                                        "  two,plain,  20\n"
                                        "              ^~\n");

    auto end = csv->next();
    REQUIRE(end);
    CHECK_FALSE(*end);
    auto again = csv->next();
    REQUIRE(again);
    CHECK_FALSE(*again);
    CHECK(csv->rows_read() == 2);
}

TEST_CASE("a row with the wrong number of cells is located, and reading goes on", "[scenarios]") {
    auto rows = read_all("scenario,a,b,c\n"
                         "x,1,2,3\n"
                         "y,1,2\n"
                         "z,1,2,3,4,5\n"
                         "w,4,5,6\n");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == "x: a=1 b=2 c=3");
    CHECK(rows[1] ==
          "s.csv:3:6: error: row has 3 cells, the header has 4\n"
          "  y,1,2\n"
          "       ^\n"
          "s.csv:1:14: note: no value for `c`\n"
          "  scenario,a,b,c\n"
          "               ^\n");
    CHECK(rows[2] ==
          "s.csv:4:9: error: row has 6 cells, the header has 4\n"
          "  z,1,2,3,4,5\n"
          "          ^~~\n");
    CHECK(rows[3] == "w: a=4 b=5 c=6");
}

TEST_CASE("quote errors are located in the file's own lines", "[scenarios]") {
    auto rows = read_all("a,b\n"          // 1
                         "# note\n"       // 2
                         "1,2\n"          // 3
                         "\n"             // 4
                         "3,x\"y\n"       // 5
                         "4,\"p\"q\n"     // 6
                         "5,6\n");        // 7
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == "1: a=1 b=2");
    CHECK(rows[1] ==
          "s.csv:5:4: error: quote inside an unquoted field\n"
          "  3,x\"y\n"
          "     ^\n"
          "  hint: quote the whole field and write the quote twice: \"a \"\"b\"\" c\"\n");
    CHECK(rows[2] ==
          "s.csv:6:6: error: text after the closing quote of a quoted field\n"
          "  4,\"p\"q\n"
          "       ^\n"
          "  hint: a quote inside a quoted field is written twice: \"a \"\"b\"\" c\"\n");
    CHECK(rows[3] == "4: a=5 b=6");   // the fourth data row
}

TEST_CASE("an unterminated quote runs to the end of the file", "[scenarios]") {
    auto rows = read_all("a,b\n"
                         "1,2\n"
                         "3,\"open\n"
                         "4,5\n"
                         "6,7\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == "1: a=1 b=2");
    CHECK(rows[1] ==
          "s.csv:3:3: error: unterminated quote: the quoted field starting here is not closed\n"
          "  3,\"open\n"
          "    ^\n"
          "  hint: a quote inside a quoted field is written twice: \"a \"\"b\"\" c\"\n");
}

TEST_CASE("a file not in UTF-8 is one error, located at the bad byte", "[scenarios]") {
    // Within the first 64 KiB: an error of the file, before any row is read.
    CHECK(open_error("a,b\n日本,x\xFFy\n1,2\n") ==
          "s.csv:2:5: error: the file is not UTF-8: unexpected byte 0xFF\n"
          "  日本,x\\xffy\n"   // the bad byte escaped, the caret under it
          "        ^~~~\n"
          "  hint: save it as UTF-8 (Excel: \"CSV UTF-8 (comma delimited)\")\n");
    // Bytes that read as Shift-JIS (a Japanese spreadsheet's "CSV (comma delimited)").
    CHECK(open_error("id,a\nx,1\n\x94\x84\x8f\xe3,2\n").find("it looks like Shift-JIS") != std::string::npos);
    // In the header.
    CHECK(open_error("\x94\x84,a\nx,1\n").find("s.csv:1:1: error: the file is not UTF-8") == 0);
    // Past the first 64 KiB: an error at its row, after which nothing more is read.
    std::string big = "a\n";
    for (int i = 0; i < 10'000; ++i) big += "1234567\n";
    auto rows = read_all(big + "x\xFFy\n7\n");
    REQUIRE(rows.size() == 10'001);
    CHECK(rows[9'999] == "10000: a=1234567");
    CHECK(rows.back().find("s.csv:10002:2: error: the file is not UTF-8: unexpected byte 0xFF\n") == 0);
}

TEST_CASE("a repeated scenario id is read as another scenario: nothing is kept of the rows read", "[scenarios]") {
    // (Memory stays flat in the scenarios: telling a repeated id would keep every id.)
    auto rows = read_all("id,a\nx,1\ny,2\nx,3\nz,4\n");
    CHECK(rows == std::vector<std::string>{"x: a=1", "y: a=2", "x: a=3", "z: a=4"});
}

TEST_CASE("an empty scenario id is an error", "[scenarios]") {
    auto rows = read_all("id,a\n,1\nb,2\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] ==
          "s.csv:2:1: error: empty scenario id\n"
          "  ,1\n"
          "  ^\n");
    CHECK(rows[1] == "b: a=2");
}

TEST_CASE("header errors", "[scenarios]") {
    CHECK(open_error("a,b,a\n1,2,3\n") ==
          "s.csv:1:5: error: duplicate column `a`\n"
          "  a,b,a\n"
          "      ^\n"
          "s.csv:1:1: note: `a` is first named here\n"
          "  a,b,a\n"
          "  ^\n");
    CHECK(open_error("# scenarios\n\na, ,b\n") ==
          "s.csv:3:3: error: empty column name\n"
          "  a, ,b\n"
          "    ^\n"
          "  hint: each column names an input path (years.FY2024.revenue), or is the `scenario` or `id` column\n");
    CHECK(open_error("id,a,scenario\n") ==
          "s.csv:1:6: error: a second id column: `id` and `scenario` both name the scenarios\n"
          "  id,a,scenario\n"
          "       ^~~~~~~~\n"
          "s.csv:1:1: note: the id column is `id`\n"
          "  id,a,scenario\n"
          "  ^~\n");
    CHECK(open_error("a,\"b\n") ==
          "s.csv:1:3: error: unterminated quote: the quoted field starting here is not closed\n"
          "  a,\"b\n"
          "    ^\n"
          "  hint: a quote inside a quoted field is written twice: \"a \"\"b\"\" c\"\n");
    CHECK(open_error("") ==
          "s.csv:1:1: error: empty file: the first row must name the input paths\n"
          "  \n"
          "  ^\n"
          "  hint: for example: scenario,years.FY2024.revenue,directors.D03.division_score\n");
    CHECK(open_error("# only\n# comments\n").starts_with("s.csv:3:1: error: empty file"));
}

TEST_CASE("a header with no row after it is an error", "[scenarios]") {
    const std::string no_rows =
        "s.csv:2:13: error: no scenarios: the header is followed by no row\n"
        "  scenario,a,b\n"
        "              ^\n"
        "  hint: each line after the header is one scenario, a cell for each of its 3 columns (an empty cell "
        "keeps the inputs' value)\n";
    CHECK(open_error("# scenarios\nscenario,a,b\n") == no_rows);
    CHECK(open_error("# scenarios\nscenario,a,b") == no_rows);
    CHECK(open_error("# scenarios\nscenario,a,b\r\n\r\n  \n# none yet\n\n") == no_rows);
    CHECK(open_error("a\n").starts_with("s.csv:1:2: error: no scenarios"));
    CHECK(open_error("a\n").find("each of its 1 column (") != std::string::npos);
    // A header error comes first; a row, even a bad one, is a scenario (its error is next()'s).
    CHECK(open_error("a,a\n").starts_with("s.csv:1:3: error: duplicate column `a`"));
    CHECK(open_error("a,b\n1\n") == "opened");
    CHECK(read_all("a\n\n# one\n7\n") == std::vector<std::string>{"1: a=7"});
}

TEST_CASE("an unreadable file has no location", "[scenarios]") {
    dsl::SourceManager sm;
    auto missing = CsvScenarios::open(sm, "/nonexistent/hoshu/s.csv");
    REQUIRE_FALSE(missing);
    CHECK(dsl::render(sm, missing.error()) ==
          "hoshu: error: cannot read /nonexistent/hoshu/s.csv: No such file or directory\n");
    auto dir = CsvScenarios::open(sm, "/");
    REQUIRE_FALSE(dir);
    CHECK(dsl::render(sm, dir.error()) == "hoshu: error: cannot read /: Is a directory\n");
}

TEST_CASE("many rows reuse one source file", "[scenarios]") {
    std::string bytes = "scenario,a\n";
    for (int i = 0; i < 10'000; ++i) bytes += "s" + std::to_string(i) + "," + std::to_string(i) + "\n";
    TempDir dir;
    dsl::SourceManager sm;
    auto csv = CsvScenarios::open(sm, dir.write("many.csv", bytes));
    REQUIRE(csv);
    std::size_t files = sm.size();
    std::uint64_t n = 0;
    std::string last;
    for (;;) {
        auto row = csv->next();
        REQUIRE(row);
        if (!*row) break;
        ++n;
        last = show(**row);
    }
    CHECK(n == 10'000);
    CHECK(last == "s9999: a=9999");
    CHECK(sm.size() == files);
}

TEST_CASE("a row longer than the limit is an error, and the next row is read", "[scenarios]") {
    std::string huge(3u << 20, 'x');
    auto rows = read_all("a\n" + huge + "\n7\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].starts_with("s.csv:2:1: error: row longer than 1,048,576 bytes\n"));
    CHECK(rows[1] == "2: a=7");
}

TEST_CASE("grid ranges and lists make the cartesian product, last spec fastest", "[scenarios]") {
    dsl::SourceManager sm;
    auto g = Grid::parse(sm, {"years.FY2024.revenue=300e9..310e9:5e9", "prices.2025-06-25.close = 2000, 2100.5",
                              "directors.D03.note=a,b c"});
    if (!g) FAIL(dsl::render(sm, g.error()));
    CHECK(g->columns() ==
          std::vector<std::string>{"years.FY2024.revenue", "prices.2025-06-25.close", "directors.D03.note"});
    CHECK(g->size() == 12);
    std::vector<std::string> all;
    for (std::uint64_t i = 0; i < g->size(); ++i) all.push_back(show(g->at(i)));
    CHECK(all[0] == "1: years.FY2024.revenue=300000000000 prices.2025-06-25.close=2000 directors.D03.note=a");
    CHECK(all[1] == "2: years.FY2024.revenue=300000000000 prices.2025-06-25.close=2000 directors.D03.note=b c");
    CHECK(all[2] == "3: years.FY2024.revenue=300000000000 prices.2025-06-25.close=2100.5 directors.D03.note=a");
    CHECK(all[4] == "5: years.FY2024.revenue=305000000000 prices.2025-06-25.close=2000 directors.D03.note=a");
    CHECK(all[11] == "12: years.FY2024.revenue=310000000000 prices.2025-06-25.close=2100.5 directors.D03.note=b c");

    // Each value is located in its own --grid spec.
    Scenario s = g->at(6);   // (305e9: within the range, written nowhere)
    dsl::Diagnostics ds;
    ds.error(s.set[1].where, "not a price");
    ds.error(s.set[0].where, "out of range");
    CHECK(dsl::render(sm, ds) ==
          "--grid:2:33: error: not a price\n"
          "  prices.2025-06-25.close = 2000, 2100.5\n"
          "                                  ^~~~~~\n"
          "--grid:1:22: error: out of range\n"
          "  years.FY2024.revenue=300e9..310e9:5e9\n"
          "                       ^~~~~~~~~~~~~~~~\n");
    CHECK(sm.file(g->column_range(2).file).text() == "directors.D03.note=a,b c");

    // A range's first value is located at LOW as written, its last at HIGH; one in between
    // is written nowhere: the whole range (above).
    dsl::Diagnostics ends;
    ends.error(g->at(0).set[0].where, "too low");
    ends.error(g->at(11).set[0].where, "too high");
    CHECK(dsl::render(sm, ends) ==
          "--grid:1:22: error: too low\n"
          "  years.FY2024.revenue=300e9..310e9:5e9\n"
          "                       ^~~~~\n"
          "--grid:1:29: error: too high\n"
          "  years.FY2024.revenue=300e9..310e9:5e9\n"
          "                              ^~~~~\n");
}

TEST_CASE("grid ranges are exact", "[scenarios]") {
    dsl::SourceManager sm;
    auto g = Grid::parse(sm, {"x=0..1:1/3", "y=15.4%..15.6%:0.1%", "z=316_800_000_000..316,800,000,001:1"});
    if (!g) FAIL(dsl::render(sm, g.error()));
    CHECK(g->size() == 4 * 3 * 2);
    // A range written in percent gives percentages (exact: 15.4% is 0.154).
    CHECK(show(g->at(0)) == "1: x=0 y=15.4% z=316800000000");
    CHECK(show(g->at(6 + 2 * 2 + 1)) == "12: x=1/3 y=15.6% z=316800000001");
    CHECK(show(g->at(23)) == "24: x=1 y=15.6% z=316800000001");
    // Any part in percent (here only the step) makes the range one of percentages, so that
    // a step in percent for an amount is refused as a bound in percent is.
    auto p = Grid::parse(sm, {"w=0.1..0.2:5%"});
    REQUIRE(p);
    CHECK(show(p->at(1)) == "2: w=15%");
    auto q = Grid::parse(sm, {"v=60..62:50%"});
    REQUIRE(q);
    CHECK(show(q->at(1)) == "2: v=6050%");
    // HIGH is reached by a whole number of steps, exactly.
    auto h = Grid::parse(sm, {"x=1..2:0.25"});
    REQUIRE(h);
    CHECK(h->size() == 5);
    CHECK(show(h->at(4)) == "5: x=2");
    // No spec: one scenario that overrides nothing.
    auto none = Grid::parse(sm, {});
    REQUIRE(none);
    CHECK(none->size() == 1);
    CHECK(show(none->at(0)) == "1:");
}

TEST_CASE("grid errors are located in their spec", "[scenarios]") {
    CHECK(grid_error({"years.FY2024.revenue 300e9"}) ==
          "--grid:1:1: error: missing `=` in grid spec\n"
          "  years.FY2024.revenue 300e9\n"
          "  ^~~~~~~~~~~~~~~~~~~~~~~~~~\n"
          "  hint: a grid spec is PATH=LOW..HIGH:STEP or PATH=v1,v2,…\n");
    CHECK(grid_error({" =1,2"}) ==
          "--grid:1:2: error: empty path before `=`\n"
          "   =1,2\n"
          "   ^\n"
          "  hint: a grid spec is PATH=LOW..HIGH:STEP or PATH=v1,v2,…\n");
    CHECK(grid_error({"a=300e9..3X0e9:5e9"}) ==
          "--grid:1:10: error: `3X0e9` is not a number\n"
          "  a=300e9..3X0e9:5e9\n"
          "           ^~~~~\n"
          "  hint: write an integer, a decimal, 3.168e11, a percentage (15.4%) or a fraction (3/4)\n");
    // The forms the value at the path takes: no percentage for an amount.
    {
        dsl::SourceManager sm;
        std::vector<std::string> asked;
        auto g = Grid::parse(sm, {"pay=1O0..300:100", "rate=1..x:1"}, [&](std::string_view path) {
            asked.emplace_back(path);
            return path == "rate";
        });
        REQUIRE_FALSE(g);
        CHECK(dsl::render(sm, g.error()) ==
              "--grid:1:5: error: `1O0` is not a number\n"
              "  pay=1O0..300:100\n"
              "      ^~~\n"
              "  hint: write an integer, a decimal, 3.168e11 or a fraction (3/4)\n"
              "--grid:2:9: error: `x` is not a number\n"
              "  rate=1..x:1\n"
              "          ^\n"
              "  hint: write an integer, a decimal, 3.168e11, a percentage (15.4%) or a fraction (3/4)\n");
        CHECK(asked == std::vector<std::string>{"pay", "rate"});
    }
    CHECK(grid_error({"a=1..2:0"}) ==
          "--grid:1:8: error: the step must be greater than 0\n"
          "  a=1..2:0\n"
          "         ^\n");
    CHECK(grid_error({"a=1..2:-1/2"}) ==
          "--grid:1:8: error: the step must be greater than 0\n"
          "  a=1..2:-1/2\n"
          "         ^~~~\n");
    CHECK(grid_error({"a=5..2:1"}) ==
          "--grid:1:3: error: empty range: 5 is greater than 2\n"
          "  a=5..2:1\n"
          "    ^~~~\n");
    // A step that does not reach HIGH: refused, with the nearest ranges that do, written as
    // HIGH is (in percent, with its exponent, grouped by `_`).
    CHECK(grid_error({"a=1..2:0.3"}) ==
          "--grid:1:6: error: 2 is not 1 plus a whole number of steps of 0.3: the range would stop at 1.9\n"
          "  a=1..2:0.3\n"
          "       ^\n"
          "  hint: the nearest ranges that end on a step: 1..1.9:0.3 or 1..2.2:0.3\n");
    CHECK(grid_error({"a=80%..125%:10%"}).find("hint: the nearest ranges that end on a step: 80%..120%:10% or "
                                               "80%..130%:10%\n") != std::string::npos);
    CHECK(grid_error({"a=300e9..330e9:7e9"}).find("300e9..328e9:7e9 or 300e9..335e9:7e9\n") != std::string::npos);
    CHECK(grid_error({"a=0..1_000_000:300_000"}).find("0..900_000:300_000 or 0..1_200_000:300_000\n") !=
          std::string::npos);
    CHECK(grid_error({"a=-1..1:3/4"}).find("the range would stop at 0.5\n") != std::string::npos);
    CHECK(grid_error({"a=330e9..300e9:15e9"}) ==   // the ends as written, not 330000000000
          "--grid:1:3: error: empty range: 330e9 is greater than 300e9\n"
          "  a=330e9..300e9:15e9\n"
          "    ^~~~~~~~~~~~\n");
    CHECK(grid_error({"a=1..5"}) ==
          "--grid:1:7: error: missing `:STEP` after the range\n"
          "  a=1..5\n"
          "        ^\n"
          "  hint: a grid spec is PATH=LOW..HIGH:STEP or PATH=v1,v2,…\n");
    CHECK(grid_error({"a=0..1000000:1"}) ==
          "--grid:1:3: error: this range has 1,000,001 values, more than the 1,000,000 allowed in one axis\n"
          "  a=0..1000000:1\n"
          "    ^~~~~~~~~~~~\n");
    CHECK(grid_error({"a=1,,2"}) ==
          "--grid:1:5: error: empty value in the list\n"
          "  a=1,,2\n"
          "      ^\n"
          "  hint: a grid spec is PATH=LOW..HIGH:STEP or PATH=v1,v2,…\n");
    // Every spec is a file of its own; errors in several specs are all reported.
    CHECK(grid_error({"a=1,2", "b=x", "a = 3"}) ==
          "--grid:3:1: error: `a` is given by two grid specs\n"
          "  a = 3\n"
          "  ^\n"
          "--grid:1:1: note: first given here\n"
          "  a=1,2\n"
          "  ^\n");
    CHECK(grid_error({"a=0..999999:1", "b=1..101:1", "c=x"}) ==
          "--grid:2:3: error: the grid has more than 100,000,000 scenarios (1,000,000 × 101 × 1)\n"
          "  b=1..101:1\n"
          "    ^~~~~~~~\n");
    dsl::SourceManager sm;
    auto ok = Grid::parse(sm, {"a=0..999999:1", "b=1..100:1"});
    REQUIRE(ok);
    CHECK(ok->size() == 100'000'000);
    CHECK(show(ok->at(99'999'999)) == "100000000: a=999999 b=100");
}
