// Scenarios for `hoshu batch`: rows of input overrides, read from a CSV file as a stream or
// built as the cartesian product of `--grid` ranges. This layer only reads: each scenario is
// a list of (input path, value text) assignments with where they were written; resolving the
// paths and reading the values as numbers, dates or text is the caller's job.
//
//   hoshu::dsl::SourceManager sm;
//   auto csv = CsvScenarios::open(sm, "scenarios.csv");   // header: scenario,years.FY2024.revenue
//   if (!csv) return fail(csv.error());
//   hoshu::eval::Scenario row;                            // reused: no allocation per row
//   for (;;) {
//       auto more = csv->next(row);
//       if (!more) { report(more.error()); continue; }     // a malformed row; the next one follows
//       if (!*more) break;                                 // the end
//       evaluate(row.id, row.set);
//   }
//
//   auto grid = Grid::parse(sm, {"years.FY2024.revenue=300e9..340e9:5e9"});
//   for (std::uint64_t i = 0; i < grid->size(); ++i) evaluate(grid->at(i));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

/// One override: the input at `path` takes the value written `value` (the cell's text,
/// unquoted and trimmed; never empty).
struct Assignment {
    std::size_t column = 0;   // the index of the path in the reader's or the grid's columns()
    std::string_view path;    // columns()[column]: valid while the reader or the grid lives
    std::string value;
    dsl::SourceRange where;   // the cell as written (with its quotes), or the grid value
};

struct Scenario {
    std::string id;                // the `scenario`/`id` column, else "1", "2", … (data rows)
    std::vector<Assignment> set;   // in column order; empty cells are left out
    std::uint64_t line = 0;        // the line the CSV row starts at (0 for a grid scenario)
};

/// A CSV file of scenarios (RFC 4180), read one row at a time: memory stays flat whatever
/// the number of rows. The header names the input paths; a column named `scenario` or `id`
/// gives the scenario's id. Blank lines and lines starting with `#` are skipped; a UTF-8 byte
/// order mark at the start is skipped; LF, CRLF or lone-CR line ends (Excel for Mac's
/// "CSV (Macintosh)"); a quoted field may span lines (holding \n for each line end).
/// A scenario id may hold no control character (it is copied into the output).
///
/// The header is added to the SourceManager once (a fragment starting at its line); each row
/// replaces the text of one other file of the SourceManager (SourceManager::replace), so the
/// ranges of a row, and of its diagnostics, are valid until the next call to next().
class CsvScenarios {
public:
    /// Opens the file and reads the header. Errors: an unreadable file (no location), an
    /// empty file, a bad header (an empty or duplicate name, two id columns, a malformed row,
    /// no input column),
    /// a header followed by no row (blank and comment lines aside).
    static Result<CsvScenarios> open(dsl::SourceManager& sm, const std::string& path);

    /// The input paths of the header, in order (without the id column).
    const std::vector<std::string>& columns() const { return columns_; }
    /// Where the header names column i (valid for as long as the SourceManager lives).
    dsl::SourceRange column_range(std::size_t i) const { return column_ranges_.at(i); }

    /// The next row; std::nullopt at the end of the file. A malformed row (wrong number of
    /// cells, a bad quote, invalid UTF-8, an empty or repeated id) gives one located error, and the
    /// reader stays usable: the next call reads the following row.
    Result<std::optional<Scenario>> next();
    /// The same, read into `into` (whose buffers are reused from row to row): true for a
    /// row, false at the end of the file. After an error, `into` holds nothing of use.
    Result<bool> next(Scenario& into);

    /// The number of data rows read so far, malformed ones included.
    std::uint64_t rows_read() const { return rows_; }

    CsvScenarios(CsvScenarios&&) noexcept;
    CsvScenarios& operator=(CsvScenarios&&) noexcept;
    ~CsvScenarios();

private:
    struct Reader;   // the byte stream and the RFC 4180 record scanner (scenarios.cpp)

    CsvScenarios(dsl::SourceManager& sm, std::string path, std::unique_ptr<Reader> reader);

    dsl::SourceManager* sm_;
    std::string path_;
    std::unique_ptr<Reader> reader_;
    std::vector<std::string> columns_;
    std::vector<dsl::SourceRange> column_ranges_;
    std::vector<std::size_t> column_of_cell_;   // cell index -> column index (npos: the id cell)
    std::optional<std::size_t> id_cell_;        // the cell index of the id column
    dsl::SourceRange id_range_;                 // where the header names it
    std::size_t cells_ = 0;                     // cells in the header
    dsl::FileId row_file_ = 0;
    std::uint64_t rows_ = 0;
    bool done_ = false;
    bool first_read_ = false;                   // open() has read the first row into reader_
};

/// Scenarios as the cartesian product of axes, one per spec:
///
///   PATH=LOW..HIGH:STEP   LOW, LOW+STEP, …, HIGH: HIGH − LOW a whole number of steps (exact numbers as Rational::parse
///                         reads them: 300e9, 316_800_000_000, 1.05, 3/4, and 15.4% for a ratio)
///   PATH=v1,v2,v3         the values as written (numbers, dates or text; blanks trimmed)
///
/// Each spec is added to the SourceManager as a file named "--grid", so errors are located
/// with a caret under the bad part. Scenario i (ids "1".."N") takes the axes' values in
/// mixed radix, the last spec varying fastest.
class Grid {
public:
    static constexpr std::uint64_t max_axis = 1'000'000;       // values in one axis
    static constexpr std::uint64_t max_size = 100'000'000;     // scenarios in all

    /// Errors: a missing `=`, an empty path or value, a bad number, a step <= 0, LOW > HIGH,
    /// a STEP that does not divide HIGH − LOW (the hint gives the nearest ranges that work),
    /// more than max_axis values in one axis, more than max_size scenarios, a path given twice.
    /// `percent_accepted(path)` says whether the value at a spec's path takes a percentage
    /// (a ratio does, an amount does not): the forms a bad number's hint lists
    /// (number_forms_hint). Without it, a percentage is listed.
    static Result<Grid> parse(dsl::SourceManager& sm, const std::vector<std::string>& specs,
                              const std::function<bool(std::string_view path)>& percent_accepted = {});

    const std::vector<std::string>& columns() const { return columns_; }
    /// Where spec i names its path.
    dsl::SourceRange column_range(std::size_t i) const { return column_ranges_.at(i); }
    /// The product of the axes' lengths (1 for no spec at all).
    std::uint64_t size() const { return size_; }
    /// Scenario i, 0 <= i < size(): id std::to_string(i + 1), one assignment per axis, range
    /// values as exact text (Rational::to_string), each located at its text: LOW, HIGH, or
    /// the whole range for a value in between.
    Scenario at(std::uint64_t i) const;

private:
    struct Axis {
        std::uint64_t count = 0;
        // A range: value k is low + step * k, located at `where` (the first at LOW as
        // written, the last at HIGH: the values in between are written nowhere).
        std::optional<Rational> low, step;
        bool percent = false;   // written in percent (`10%..20%:5%`): its values are written so too
        dsl::SourceRange where, low_where, high_where;
        // A list: the values and where each is written.
        std::vector<std::string> values;
        std::vector<dsl::SourceRange> value_ranges;
    };

    std::vector<std::string> columns_;
    std::vector<dsl::SourceRange> column_ranges_;
    std::vector<Axis> axes_;
    std::uint64_t size_ = 1;
};

}  // namespace hoshu::eval
