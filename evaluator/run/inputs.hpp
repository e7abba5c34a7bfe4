// InputFile: one TOML input file, read exactly. The only part of hoshu that sees toml++.
//
// Numbers are exact: an integer `16_000_000`; a TOML fractional number `1.05` or `3.168e11`
// as the shortest decimal that round-trips to it (`1.05` is 105/100); or a string holding
// an exact value: "0.9375", "15.4%", "21353/23800". Nothing is computed in binary.
// Every conversion error is located in the TOML file (file:line:col, caret). Texts — string
// values and keys — are read in Unicode NFC (dsl/base/unicode.hpp), as hoshu compares every
// text; bytes() stays the file as written.
//
//   dsl::SourceManager sm;
//   auto in = InputFile::load(sm, "examples/iij/fy2024.toml");
//   if (!in) { fputs(render(sm, in.error()).c_str(), stderr); return 2; }
//   auto node = in->child(in->child(in->root(), "years"), "FY2024");
//   Result<Rational> revenue = in->number(in->child(node, "revenue"));
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

enum class InputKind { missing, string, integer, floating, boolean, date, time, date_time, array, table };

/// "a string", "an integer", "a table", … for messages.
const char* describe(InputKind k);

/// For a number written as text that does not read as one, how to write it when it is one
/// with decoration a spreadsheet adds: a space before `%` ("12.5 %"), a currency sign or
/// code around it ("£1,234.50", "12500 EUR", "USD 40"). Empty when it is not that. With
/// the currency the value is in (its name and sign: "USD", "$"), a sign or code of another
/// currency is said to be one: the amount is converted, not copied without its sign.
std::string number_text_hint(std::string_view text, std::string_view currency = {}, std::string_view sign = {});
/// A percentage written with blanks before its `%` ("12.5 %"), as it is written without them
/// ("12.5%"); nullopt for any other text.
std::optional<std::string> spaced_percent(std::string_view text);

class InputFile {
public:
    /// An opaque handle to a value in the file; null when absent.
    struct Node {
        const void* ptr = nullptr;
        explicit operator bool() const { return ptr != nullptr; }
    };

    /// Read and parse `path`. Its text is added to `sm` (so diagnostics can show it).
    /// Errors: unreadable file (unlocated), invalid UTF-8, TOML syntax errors, two keys of
    /// a table that are one text in NFC (located).
    static Result<InputFile> load(dsl::SourceManager& sm, const std::string& path);
    /// Parse `text` as if read from `path` (for tests and for `hoshu test` inline inputs).
    static Result<InputFile> parse(dsl::SourceManager& sm, std::string path, std::string text);

    /// Records read from elsewhere than the inputs file: `hoshu eval … --carry LAST.json`
    /// gives the records at `key` (say "ledger") written as TOML (`toml`, an array of tables
    /// under `key`), shown in messages as the file `shown` ("fy2024.json, carry.ledger").
    struct Carried {
        std::string key;
        std::string shown;
        std::string toml;
    };
    /// Parse `text` as the inputs file `path`, with the carried records in place under
    /// their keys. Errors: as parse(), in either text; the inputs file giving a carried key
    /// itself (located at that key) — unless `added`: then the carried records follow the
    /// inputs' own list of them (a list that is not one is an error there).
    static Result<InputFile> parse_with_carried(dsl::SourceManager& sm, std::string path, std::string text,
                                                const std::vector<Carried>& carried, bool added = false);

    InputFile(InputFile&&) noexcept;
    InputFile& operator=(InputFile&&) noexcept;
    ~InputFile();

    dsl::FileId file() const { return file_; }
    const std::string& path() const;
    /// The exact bytes of the file (what the seal hashes).
    const std::string& bytes() const;

    Node root() const;
    /// The value under `key` in a table; null if `table` is null, not a table, or has no such key.
    Node child(Node table, std::string_view key) const;
    /// Element i of an array; null if not an array or out of range.
    Node element(Node array, std::size_t i) const;
    std::size_t size(Node array_or_table) const;
    /// The keys of a table, in the order they are written in the file.
    std::vector<std::string> keys(Node table) const;
    InputKind kind(Node n) const;
    /// Where the value is written (its first character to the end of its token; for a
    /// table, its header line). Invalid for a null node.
    dsl::SourceRange range(Node n) const;
    /// The value at a path as people write it in a CSV header or a model file:
    /// `years.FY2024.revenue`; in an array of tables a step names the record that has a
    /// string or date field equal to it (`directors.D03.division_score`,
    /// `prices.2025-06-25.close`) or its position (`prices[0].close`); a step may be quoted
    /// (`"a.b"`). Null, with *why saying which step failed, when there is no such value.
    /// With `miss`, a failed step is located (its bytes in `path`) and, when a key or a
    /// record's field is one or two edits from the step, named in `suggestion` ("did you mean").
    struct Miss {
        std::size_t begin = 0, end = 0;   // the failed step in `path` (end 0: not located)
        std::string suggestion;
        /// `path` with the failed step replaced by the suggestion (empty without one).
        std::string corrected(std::string_view path) const;
        /// `where` (where `path` is written, bare or in quotes) narrowed to the failed step.
        dsl::SourceRange narrow(dsl::SourceRange where, std::string_view path) const;
    };
    Node find(std::string_view path, std::string* why, Miss* miss = nullptr) const;
    /// The text of a date or a string value (for matching a record by one of its fields).
    std::optional<std::string> scalar_text(Node n) const;
    /// Where the key of `key` in `table` is written (for "duplicate id" or "unknown key" notes).
    dsl::SourceRange key_range(Node table, std::string_view key) const;

    /// An exact number: an integer, a TOML fractional number (its shortest round-trip
    /// decimal), or a string holding a decimal, percentage or fraction. Anything else: a located error saying what was found,
    /// and the forms to write, a percentage among them only when `percent_accepted` (an amount's input takes none).
    Result<Rational> number(Node n, bool percent_accepted = true) const;
    /// A TOML local date (2024-04-01) or a string "2024-04-01".
    Result<Date> date(Node n) const;
    Result<bool> boolean(Node n) const;
    Result<std::string> text(Node n) const;

private:
    struct Impl;
    InputFile(dsl::SourceManager& sm, dsl::FileId file, std::unique_ptr<Impl> impl);
    const dsl::SourceManager* sm_ = nullptr;
    dsl::FileId file_ = 0;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hoshu::eval
