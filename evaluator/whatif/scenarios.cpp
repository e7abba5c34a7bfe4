// Scenarios for `hoshu batch`: a streaming RFC 4180 reader and the `--grid` product.
//
// The CSV reader holds one record at a time. It reads the file through its own buffer
// (std::fread) rather than std::getline, so that a single enormous line, or a quote left
// open at the top of a huge file, costs no more than max_row_bytes of memory, and so that a
// read error (a folder given as the file, an I/O error) is reported instead of looking like
// the end of the file.
#include "evaluator/whatif/scenarios.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "dsl/base/files.hpp"
#include "dsl/base/source.hpp"
#include "dsl/base/text.hpp"
#include "dsl/base/unicode.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

using dsl::SourceRange;

constexpr std::size_t max_row_bytes = std::size_t{1} << 20;   // text kept of one record
constexpr std::size_t buffer_bytes = std::size_t{1} << 16;
constexpr auto npos = std::string_view::npos;

bool is_blank(int c) { return c == ' ' || c == '\t'; }

dsl::Diagnostics unreadable(const std::string& path, int err) {
    return dsl::one_error({}, fmt::format("cannot read {}: {}", path, std::strerror(err)));
}

std::uint32_t line32(std::uint64_t line) {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(line, std::numeric_limits<std::uint32_t>::max()));
}

std::uint32_t off32(std::size_t offset) { return static_cast<std::uint32_t>(offset); }

// A file that is not UTF-8 is one error (not one per row), saying how to save it as UTF-8.
// Bytes from `bad` that read as a Shift-JIS character (a lead byte and a trail byte) are
// most likely a Japanese spreadsheet's "CSV (comma delimited)".
std::string not_utf8_message(std::string_view text, std::size_t bad) {
    return fmt::format("the file is not UTF-8: unexpected byte 0x{:02X}",
                       static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
}
std::string not_utf8_hint(std::string_view text, std::size_t bad) {
    const auto lead = static_cast<unsigned char>(text[bad]);
    const int trail = bad + 1 < text.size() ? static_cast<unsigned char>(text[bad + 1]) : -1;
    const bool sjis = ((lead >= 0x81 && lead <= 0x9F) || (lead >= 0xE0 && lead <= 0xFC)) &&
                      ((trail >= 0x40 && trail <= 0x7E) || (trail >= 0x80 && trail <= 0xFC));
    if (sjis) {
        return "it looks like Shift-JIS, as a Japanese spreadsheet saves \"CSV (comma delimited)\": save it as "
               "\"CSV UTF-8 (comma delimited)\" (Excel: ファイルの種類 → CSV UTF-8)";
    }
    return "save it as UTF-8 (Excel: \"CSV UTF-8 (comma delimited)\")";
}

// The first control character of a scenario id (C0, DEL, C1), which would be copied raw
// into the rows written for it.
std::optional<dsl::HiddenCharacter> control_character(std::string_view s) {
    for (auto h = dsl::find_hidden_character(s, 0, true); h; h = dsl::find_hidden_character(s, h->offset + h->length, true)) {
        if (h->code_point < 0x20 || (h->code_point >= 0x7f && h->code_point <= 0x9f)) return h;
    }
    return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The byte stream and the record scanner.

struct CsvScenarios::Reader {
    struct FileCloser {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };

    struct Cell {
        std::string value;        // unquoted, unescaped; blanks around an unquoted cell trimmed
        std::uint32_t begin = 0;  // the cell as written (quotes included, blanks around excluded)
        std::uint32_t end = 0;
        bool verbatim = false;    // the value is the record's text[begin, end), `value` unused
    };
    struct Problem {
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
        std::string message;
        std::string hint;
    };
    struct Record {
        std::string text;             // the record's lines joined by '\n' (CR dropped), capped
        std::uint64_t first_line = 0;
        std::vector<Cell> cells;      // all cells, unless the text was cut (too_long)
        std::size_t cell_count = 0;   // counted even past the cut
        bool too_long = false;        // longer than max_row_bytes: the text was cut
        std::optional<Problem> problem;

        // A cell's value (Cell::value, or its text when verbatim).
        std::string_view value(const Cell& c) const {
            return c.verbatim ? std::string_view(text).substr(c.begin, c.end - c.begin) : std::string_view(c.value);
        }
        // Every value in its cell, for a record whose text is to be moved away.
        void own_values() {
            for (Cell& c : cells) {
                if (!c.verbatim) continue;
                c.value.assign(value(c));
                c.verbatim = false;
            }
        }
        // Empty again, keeping the memory of its text and cells for the next record.
        void clear() {
            text.clear();
            first_line = 0;
            cells.clear();
            cell_count = 0;
            too_long = false;
            problem.reset();
        }
    };

    std::unique_ptr<std::FILE, FileCloser> file;
    std::vector<char> buf = std::vector<char>(buffer_bytes);
    std::size_t pos = 0;
    std::size_t len = 0;
    bool eof = false;
    int error = 0;               // errno of a failed read
    std::uint64_t line = 1;      // the line about to be read
    bool cr_lines = false;       // a line was ended by a lone CR (an old Mac spreadsheet's CSV)
    Record record;               // the data row being read (its buffers reused row to row)

    // Makes `need` bytes available from pos, if the file has them.
    bool fill(std::size_t need) {
        if (len - pos >= need) return true;
        if (eof) return false;
        std::memmove(buf.data(), buf.data() + pos, len - pos);
        len -= pos;
        pos = 0;
        while (len < need && !eof) {
            std::size_t n = std::fread(buf.data() + len, 1, buf.size() - len, file.get());
            if (n == 0) {
                if (std::ferror(file.get())) error = errno != 0 ? errno : EIO;
                eof = true;
            }
            len += n;
        }
        return len - pos >= need;
    }
    int peek(std::size_t k = 0) {
        if (pos + k >= len && !fill(k + 1)) return EOF;
        return static_cast<unsigned char>(buf[pos + k]);
    }
    int get() {
        int c = peek();
        if (c != EOF) ++pos;
        return c;
    }
    // At "\n", "\r\n" or a lone '\r' (the line end of "CSV (Macintosh)", which Excel for
    // Mac writes; RFC 4180 has no CR outside a quoted field but in CRLF).
    bool at_line_end() {
        int c = peek();
        return c == '\n' || c == '\r';
    }
    // Consumes the line end at pos (nothing at the end of the file).
    void end_line() {
        int c = get();
        if (c == EOF) return;
        assert(c == '\n' || c == '\r');
        if (c == '\r') {
            if (peek() == '\n') get();
            else cr_lines = true;
        }
        ++line;
    }

    // The common record at once: one line, already in the buffer and ended by "\n" or
    // "\r\n" (by a lone '\r' followed by more in the buffer, in a file whose lines end so),
    // with no quote and no other line end, within max_row_bytes. Its text and cells are
    // what the byte-by-byte scanner below makes of it (the blanks around a cell are kept in
    // the text and trimmed from the value; an empty cell is located where it starts). False,
    // having read nothing, for any other line.
    bool read_plain_line(Record& r) {
        const char* const b = buf.data() + pos;
        const char* nl = nullptr;   // the line end's last byte
        std::size_t n = 0;          // the line's length
        if (cr_lines) {
            nl = static_cast<const char*>(std::memchr(b, '\r', len - pos));
            if (!nl || nl + 1 == buf.data() + len || nl[1] == '\n') return false;
            n = static_cast<std::size_t>(nl - b);
            if (std::memchr(b, '\n', n)) return false;
        } else {
            nl = static_cast<const char*>(std::memchr(b, '\n', len - pos));
            if (!nl) return false;
            n = static_cast<std::size_t>(nl - b);
            if (n > 0 && b[n - 1] == '\r') --n;
            if (std::memchr(b, '\r', n)) return false;
        }
        if (r.text.size() + n > max_row_bytes) return false;
        if (std::memchr(b, '"', n)) return false;

        const std::size_t base = r.text.size();
        r.text.append(b, n);
        const char* const t = r.text.data();
        std::size_t i = base;
        const std::size_t end = base + n;
        for (;;) {  // one cell per turn
            const std::size_t start = i;
            while (i < end && is_blank(t[i])) ++i;
            const std::size_t first = i;
            while (i < end && t[i] != ',') ++i;
            std::size_t last = i;
            while (last > first && is_blank(t[last - 1])) --last;
            Cell& cell = r.cells.emplace_back();
            cell.verbatim = true;   // the value is t[first, last)
            cell.begin = off32(last == first ? start : first);
            cell.end = cell.begin + off32(last - first);
            ++r.cell_count;
            if (i == end) break;
            ++i;   // the comma
        }
        pos = static_cast<std::size_t>(nl - buf.data()) + 1;
        ++line;
        return true;
    }

    // The next record, skipping blank and comment lines; false at the end of the file.
    // A malformed record is read to its end all the same (to the end of the line where the
    // problem is), with the first problem found.
    bool read_record(Record& r) {
        r.clear();
        auto keep = [&](char ch) {
            if (r.text.size() < max_row_bytes) r.text.push_back(ch);
            else r.too_long = true;
        };
        auto here = [&] { return off32(r.text.size()); };
        auto fail = [&](std::uint32_t b, std::uint32_t e, std::string message, std::string hint = {}) {
            if (!r.problem && e <= r.text.size()) r.problem = Problem{b, e, std::move(message), std::move(hint)};
        };
        auto skip_line = [&] {
            while (peek() != EOF && !at_line_end()) keep(static_cast<char>(get()));
            end_line();
        };

        // Blank lines and comments; the blanks that start the record are part of its text.
        for (;;) {
            r.text.clear();
            r.too_long = false;
            while (is_blank(peek())) keep(static_cast<char>(get()));
            if (peek() == EOF) return false;
            if (at_line_end()) {
                end_line();
                continue;
            }
            if (peek() == '#') {
                while (peek() != EOF && !at_line_end()) get();
                end_line();
                continue;
            }
            break;
        }
        r.first_line = line;
        if (read_plain_line(r)) return true;

        for (;;) {  // one cell per turn
            const std::uint32_t start = here();   // an empty cell is located here
            while (is_blank(peek())) keep(static_cast<char>(get()));
            Cell cell;
            cell.begin = here();
            auto value = [&](char ch) {
                if (!r.too_long) cell.value.push_back(ch);
            };
            bool record_ends = false;
            if (peek() == '"') {
                std::uint32_t quote = here();
                keep(static_cast<char>(get()));
                bool closed = false;
                while (!closed) {
                    int c = peek();
                    if (c == EOF) break;
                    if (c == '"') {
                        keep(static_cast<char>(get()));
                        if (peek() == '"') {
                            keep(static_cast<char>(get()));
                            value('"');
                        } else {
                            closed = true;
                        }
                    } else if (at_line_end()) {
                        end_line();
                        keep('\n');
                        value('\n');
                    } else {
                        keep(static_cast<char>(get()));
                        value(static_cast<char>(c));
                    }
                }
                cell.end = here();
                if (!closed) {
                    fail(quote, quote + 1, "unterminated quote: the quoted field starting here is not closed",
                         "a quote inside a quoted field is written twice: \"a \"\"b\"\" c\"");
                    record_ends = true;
                } else {
                    while (is_blank(peek())) keep(static_cast<char>(get()));
                    if (peek() != ',' && peek() != EOF && !at_line_end()) {
                        std::uint32_t at = here();
                        keep(static_cast<char>(get()));
                        fail(at, at + 1, "text after the closing quote of a quoted field",
                             "a quote inside a quoted field is written twice: \"a \"\"b\"\" c\"");
                        skip_line();
                        record_ends = true;
                    }
                }
            } else {
                for (;;) {
                    // A run of plain bytes straight from the buffer, as the loop below would
                    // take them one by one while the text stays under its cap.
                    // (Never past the cap: each byte is looked at once.)
                    if (!r.too_long) {
                        const std::size_t stop = pos + std::min(len - pos, max_row_bytes - r.text.size());
                        std::size_t j = pos;
                        while (j < stop) {
                            const char ch = buf[j];
                            if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') break;
                            ++j;
                        }
                        if (j > pos) {
                            r.text.append(buf.data() + pos, j - pos);
                            cell.value.append(buf.data() + pos, j - pos);
                            pos = j;
                        }
                    }
                    int c = peek();
                    if (c == ',' || c == EOF || at_line_end()) break;
                    std::uint32_t at = here();
                    keep(static_cast<char>(get()));
                    if (c == '"') {
                        fail(at, at + 1, "quote inside an unquoted field",
                             "quote the whole field and write the quote twice: \"a \"\"b\"\" c\"");
                        skip_line();
                        record_ends = true;
                        break;
                    }
                    value(static_cast<char>(c));
                }
                while (!cell.value.empty() && is_blank(cell.value.back())) cell.value.pop_back();
                if (cell.value.empty()) cell.begin = start;
                cell.end = cell.begin + off32(cell.value.size());
            }
            ++r.cell_count;
            if (!r.too_long) r.cells.push_back(std::move(cell));
            if (record_ends) return true;
            if (peek() == ',') {
                keep(static_cast<char>(get()));
                continue;
            }
            end_line();
            return true;
        }
    }
    // A byte that is not UTF-8 in what the buffer holds ahead (the first 64 KiB of the file
    // after the header): the file's encoding is wrong, an error before any row is run. Its
    // line (lines end as the reader ends them: LF, CRLF or a lone CR) is added to sm for the
    // caret.
    std::optional<dsl::Diagnostics> not_utf8_ahead(dsl::SourceManager& sm, const std::string& path) {
        fill(buf.size());
        const std::string_view ahead(buf.data() + pos, len - pos);
        std::size_t bad = 0;
        if (dsl::valid_utf8(ahead, &bad)) return std::nullopt;
        if (!eof && bad + 4 > ahead.size()) return std::nullopt;   // a character cut by the buffer's end
        std::size_t start = 0;
        std::uint64_t lines = 0;
        for (std::size_t i = 0; i < bad; ++i) {
            if (ahead[i] != '\n' && ahead[i] != '\r') continue;
            if (ahead[i] == '\r' && i + 1 < ahead.size() && ahead[i + 1] == '\n') ++i;
            ++lines;
            start = i + 1;
        }
        std::size_t end = ahead.find_first_of("\r\n", bad);
        if (end == npos) end = ahead.size();
        const std::string_view text = ahead.substr(start, end - start);
        const dsl::FileId id = sm.add(path, std::string(text), line32(line + lines));
        const auto b = off32(bad - start);
        return dsl::one_error(SourceRange::in(id, b, b + 1), not_utf8_message(text, bad - start),
                              not_utf8_hint(text, bad - start));
    }

    // The first problem of a record (the scanner's, or invalid UTF-8) as a diagnostic; the
    // record's text is already `file` of sm.
    static std::optional<dsl::Diagnostics> problem_of(const dsl::SourceManager& sm, dsl::FileId file,
                                                      const Record& r) {
        const std::string& text = sm.file(file).text();
        if (r.too_long && !r.problem) {
            return dsl::one_error(SourceRange::in(file, 0, 0),
                             fmt::format("row longer than {} bytes", group_digits(std::to_string(max_row_bytes))),
                             "is a quote left open?");
        }
        std::size_t bad = 0;
        const bool utf8 = dsl::valid_utf8(text, &bad);
        if (!utf8 && (!r.problem || bad < r.problem->begin)) {
            auto b = off32(bad);
            return dsl::one_error(SourceRange::in(file, b, b + 1), not_utf8_message(text, bad),
                                  not_utf8_hint(text, bad));
        }
        if (r.problem) {
            return dsl::one_error(SourceRange::in(file, r.problem->begin, r.problem->end), r.problem->message, r.problem->hint);
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
// CsvScenarios

CsvScenarios::CsvScenarios(dsl::SourceManager& sm, std::string path, std::unique_ptr<Reader> reader)
    : sm_(&sm), path_(std::move(path)), reader_(std::move(reader)) {}
CsvScenarios::CsvScenarios(CsvScenarios&&) noexcept = default;
CsvScenarios& CsvScenarios::operator=(CsvScenarios&&) noexcept = default;
CsvScenarios::~CsvScenarios() = default;

Result<CsvScenarios> CsvScenarios::open(dsl::SourceManager& sm, const std::string& path) {
    // Never waiting in the open (a FIFO nobody writes to reads as empty) nor reading a
    // device that never ends (/dev/zero) or waits for typing (a terminal).
    bool pipe = false;
    std::string why;
    const int fd = dsl::open_to_read(path, true, pipe, why);
    if (fd < 0) return dsl::one_error({}, fmt::format("cannot read {}: {}", dsl::printable(path), why));
    std::FILE* f = ::fdopen(fd, "rb");
    if (!f) {
        const int err = errno;
        ::close(fd);
        return unreadable(path, err);
    }
    auto reader = std::make_unique<Reader>();
    reader->file.reset(f);
    if (reader->peek(0) == 0xEF && reader->peek(1) == 0xBB && reader->peek(2) == 0xBF) {
        for (int i = 0; i < 3; ++i) reader->get();
    }

    Reader::Record header;
    const bool found = reader->read_record(header);
    header.own_values();   // the text goes to the SourceManager
    if (reader->error != 0) return unreadable(path, reader->error);
    if (!found) {
        dsl::FileId id = sm.add(path, "", line32(reader->line));
        return dsl::one_error(SourceRange::in(id, 0, 0), "empty file: the first row must name the input paths",
                         "for example: scenario,years.FY2024.revenue,directors.D03.division_score");
    }

    CsvScenarios csv(sm, path, std::move(reader));
    dsl::FileId hid = sm.add(path, std::move(header.text), line32(header.first_line));
    if (auto problem = Reader::problem_of(sm, hid, header)) return std::move(*problem);
    if (auto problem = csv.reader_->not_utf8_ahead(sm, path)) return std::move(*problem);

    dsl::Diagnostics diags;
    std::map<std::string, std::size_t, std::less<>> seen;   // name -> cell index
    csv.column_of_cell_.assign(header.cells.size(), npos);
    for (std::size_t i = 0; i < header.cells.size(); ++i) {
        Reader::Cell& cell = header.cells[i];
        SourceRange where = SourceRange::in(hid, cell.begin, cell.end);
        dsl::to_nfc(cell.value);   // a path names keys and ids, which are compared in NFC
        if (cell.value.empty()) {
            diags.error(where, "empty column name").hint =
                "each column names an input path (years.FY2024.revenue), or is the `scenario` or `id` column";
            continue;
        }
        auto [it, fresh] = seen.emplace(cell.value, i);
        if (!fresh) {
            diags.error(where, "duplicate column `{}`", cell.value);
            const Reader::Cell& first = header.cells[it->second];
            diags.note(SourceRange::in(hid, first.begin, first.end), "`{}` is first named here", cell.value);
            continue;
        }
        if (cell.value == "scenario" || cell.value == "id") {
            if (csv.id_cell_) {
                const Reader::Cell& first = header.cells[*csv.id_cell_];
                diags.error(where, "a second id column: `{}` and `{}` both name the scenarios", first.value,
                            cell.value);
                diags.note(SourceRange::in(hid, first.begin, first.end), "the id column is `{}`", first.value);
                continue;
            }
            csv.id_cell_ = i;
            csv.id_range_ = where;
            continue;
        }
        csv.column_of_cell_[i] = csv.columns_.size();
        csv.columns_.push_back(cell.value);
        csv.column_ranges_.push_back(where);
    }
    if (diags.has_errors()) return diags;
    if (csv.columns_.empty()) {
        // Only an id column: every scenario would be the base inputs under another name.
        const auto end = off32(sm.file(hid).text().size());
        return dsl::one_error(SourceRange::in(hid, end, end),
                              "the header names no input: every scenario would evaluate the base inputs unchanged",
                              fmt::format("after the `{}` column, name the input paths the scenarios change, for "
                                          "example: {},years.FY2024.revenue",
                                          header.cells.front().value, header.cells.front().value));
    }
    csv.cells_ = header.cells.size();
    csv.row_file_ = sm.add(path, "", line32(header.first_line) + 1);

    // The first row is read now (next() takes it from here): a file of scenarios without
    // one is an error before anything is written. A read error is next()'s to report.
    const bool row = csv.reader_->read_record(csv.reader_->record);
    if (row || csv.reader_->error != 0) {
        csv.first_read_ = true;
        return csv;
    }
    const auto end = off32(sm.file(hid).text().size());
    const std::size_t n = header.cells.size();
    return dsl::one_error(SourceRange::in(hid, end, end), "no scenarios: the header is followed by no row",
                          fmt::format("each line after the header is one scenario, a cell for each of its {} "
                                      "column{} (an empty cell keeps the inputs' value)",
                                      n, n == 1 ? "" : "s"));
}

Result<std::optional<Scenario>> CsvScenarios::next() {
    Scenario s;
    auto more = next(s);
    if (!more) return std::move(more).error();
    if (!*more) return std::optional<Scenario>{};
    return std::optional<Scenario>(std::move(s));
}

Result<bool> CsvScenarios::next(Scenario& s) {
    if (done_) return false;
    Reader::Record& r = reader_->record;
    const bool found = first_read_ || reader_->read_record(r);
    first_read_ = false;
    if (reader_->error != 0) {
        done_ = true;
        return unreadable(path_, reader_->error);
    }
    if (!found) {
        done_ = true;
        return false;
    }
    ++rows_;
    sm_->replace(row_file_, r.text, line32(r.first_line));
    if (auto problem = Reader::problem_of(*sm_, row_file_, r)) {
        // A file not in UTF-8 is so throughout: one error, and no row after it is read.
        std::size_t bad = 0;
        if (!dsl::valid_utf8(r.text, &bad) && (!r.problem || bad < r.problem->begin)) done_ = true;
        return std::move(*problem);
    }

    if (r.cells.size() != cells_) {
        dsl::Diagnostics diags;
        std::string message = fmt::format("row has {} cell{}, the header has {}", r.cells.size(),
                                          r.cells.size() == 1 ? "" : "s", cells_);
        if (r.cells.size() > cells_) {
            diags.error(SourceRange::in(row_file_, r.cells[cells_].begin, r.cells.back().end), "{}", message);
        } else {
            std::uint32_t end = r.cells.back().end;
            diags.error(SourceRange::in(row_file_, end, end), "{}", message);
            std::size_t missing = r.cells.size();
            if (column_of_cell_[missing] != npos) {
                diags.note(column_ranges_[column_of_cell_[missing]], "no value for `{}`",
                           columns_[column_of_cell_[missing]]);
            } else {
                diags.note(id_range_, "no value for the scenario id");
            }
        }
        return diags;
    }

    s.line = r.first_line;
    if (!id_cell_) {
        char digits[24];
        const auto printed = std::to_chars(digits, digits + sizeof digits, rows_);
        s.id.assign(digits, printed.ptr);
    }
    std::size_t n = 0;   // assignments made; those of s.set past n are left from an earlier row
    // Texts in NFC, as every text is compared; a row all in ASCII (the common case: numbers)
    // is so as it is, checked once for the row rather than cell by cell.
    const bool ascii = dsl::is_ascii(r.text);
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
        const Reader::Cell& cell = r.cells[i];
        SourceRange where = SourceRange::in(row_file_, cell.begin, cell.end);
        if (id_cell_ && i == *id_cell_) {
            const std::string_view id = r.value(cell);
            if (id.empty()) return dsl::one_error(where, "empty scenario id");
            if (auto control = control_character(id)) {
                // A line break in a quoted cell is read as "\n" whichever the file wrote
                // (LF, CRLF or a lone CR), so it is named as a line break, not by its bytes.
                const std::string_view which = id.substr(control->offset, control->length);
                return dsl::one_error(where,
                                      which == "\n"
                                          ? fmt::format("the scenario id `{}` holds a line break", dsl::printable(id))
                                          : fmt::format("the scenario id `{}` holds a control character, `{}`",
                                                        dsl::printable(id), dsl::printable(which)),
                                      "the id is copied into every row written for the scenario: write it without "
                                      "control characters (a line break, a tab, a NUL)");
            }
            if (auto problem = dsl::id_problem("the scenario id", id))
                return dsl::one_error(where, std::move(problem->message), std::move(problem->hint));
            s.id.assign(id);
            if (!ascii) dsl::to_nfc(s.id);
            continue;
        }
        const std::string_view value = r.value(cell);
        if (value.empty()) continue;   // no override in this row
        if (n == s.set.size()) s.set.emplace_back();
        Assignment& a = s.set[n++];
        a.column = column_of_cell_[i];
        a.path = columns_[a.column];
        a.value.clear();   // clear and append: cheaper than assign for a short value
        a.value.append(value);
        if (!ascii) dsl::to_nfc(a.value);
        a.where = where;
    }
    s.set.resize(n);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Grid

namespace {

// [b, e) of s without the blanks around it.
std::pair<std::size_t, std::size_t> trimmed(std::string_view s, std::size_t b, std::size_t e) {
    while (b < e && is_blank(s[b])) ++b;
    while (e > b && is_blank(s[e - 1])) --e;
    return {b, e};
}

constexpr const char* grid_hint = "a grid spec is PATH=LOW..HIGH:STEP or PATH=v1,v2,…";
// A value of a range written as the range's HIGH is: in percent (`125%`), with its
// exponent (`335e9`), grouped by `_`, or as exact text.
std::string range_value_text(const Rational& v, std::string_view high_text, bool percent) {
    if (percent) {
        const Rational pct = v * Rational(100);
        if (pct.terminates()) return pct.to_string() + "%";
    }
    const std::size_t e = high_text.find_first_of("eE");
    if (e != npos && !percent) {
        int exponent = 0;
        const std::string_view digits = high_text.substr(e + 1);
        const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
        if (parsed.ec == std::errc{} && parsed.ptr == digits.data() + digits.size() && exponent > 0 &&
            exponent <= 30) {
            Rational scale(1);
            for (int i = 0; i < exponent; ++i) scale = scale * Rational(10);
            const Rational mantissa = v / scale;
            if (mantissa.terminates()) return mantissa.to_string() + "e" + std::to_string(exponent);
        }
    }
    std::string text = v.to_string();
    if (high_text.find('_') != npos && v.is_integer()) {
        // Grouped as HIGH is: 31_200_000_000.
        const std::size_t sign = text[0] == '-' ? 1 : 0;
        for (std::size_t i = text.size(); i > sign + 3; i -= 3) text.insert(i - 3, "_");
    }
    return text;
}

}  // namespace

Result<Grid> Grid::parse(dsl::SourceManager& sm, const std::vector<std::string>& specs,
                         const std::function<bool(std::string_view path)>& percent_accepted) {
    Grid g;
    dsl::Diagnostics diags;
    std::map<std::string, SourceRange, std::less<>> seen;
    std::vector<SourceRange> axis_where;   // the value part of each axis's spec
    for (std::size_t number = 0; number < specs.size(); ++number) {
        const std::string& spec = specs[number];
        // Each spec a line of its own: `--grid:2:15` is in the second spec given.
        const dsl::FileId id = sm.add("--grid", spec, line32(number + 1));
        const std::string_view s = sm.file(id).text();
        auto at = [&](std::size_t b, std::size_t e) { return SourceRange::in(id, off32(b), off32(e)); };

        const std::size_t eq = s.find('=');
        if (eq == npos) {
            diags.error(at(0, s.size()), "missing `=` in grid spec").hint = grid_hint;
            continue;
        }
        auto [pb, pe] = trimmed(s, 0, eq);
        if (pb == pe) {
            diags.error(at(eq, eq + 1), "empty path before `=`").hint = grid_hint;
            continue;
        }
        std::string path(s.substr(pb, pe - pb));
        auto [vb, ve] = trimmed(s, eq + 1, s.size());
        if (vb == ve) {
            diags.error(at(eq, eq + 1), "no values after `=`").hint = grid_hint;
            continue;
        }
        if (auto [it, fresh] = seen.emplace(path, at(pb, pe)); !fresh) {
            diags.error(at(pb, pe), "`{}` is given by two grid specs", path);
            diags.note(it->second, "first given here");
            continue;
        }

        Axis axis;
        bool ok = true;
        const std::size_t dots = s.substr(0, ve).find("..", vb);
        if (dots != npos) {
            // LOW..HIGH:STEP
            axis.where = at(vb, ve);
            const std::size_t colon = s.substr(0, ve).find(':', dots + 2);
            if (colon == npos) {
                diags.error(at(ve, ve), "missing `:STEP` after the range").hint = grid_hint;
                continue;
            }
            auto number = [&](std::size_t b, std::size_t e, const char* what) -> std::optional<Rational> {
                auto [nb, ne] = trimmed(s, b, e);
                if (nb == ne) {
                    diags.error(at(nb, ne), "missing {}", what).hint = grid_hint;
                    return std::nullopt;
                }
                std::string_view text = s.substr(nb, ne - nb);
                auto r = Rational::parse(text);
                // The forms the value at the path takes: no percentage for an amount.
                if (!r)
                    diags.error(at(nb, ne), "`{}` is not a number", text).hint =
                        number_forms_hint(!percent_accepted || percent_accepted(path));
                return r;
            };
            auto low = number(vb, dots, "the low end of the range");
            auto high = number(dots + 2, colon, "the high end of the range");
            auto step = number(colon + 1, ve, "the step");
            if (!low || !high || !step) continue;
            if (step->sign() <= 0) {
                auto [sb, se] = trimmed(s, colon + 1, ve);
                diags.error(at(sb, se), "the step must be greater than 0");
                continue;
            }
            if (*low > *high) {
                // As written: "330e9 is greater than 300e9", not the digits of each.
                auto [lb, le] = trimmed(s, vb, dots);
                auto [hb, he] = trimmed(s, dots + 2, colon);
                diags.error(at(vb, colon), "empty range: {} is greater than {}", s.substr(lb, le - lb),
                            s.substr(hb, he - hb));
                continue;
            }
            const Rational steps = (*high - *low) / *step;
            if (!steps.is_integer()) {
                // HIGH is what the analyst asked to see: a range that would stop short of it
                // (or pass it) is refused, with the two nearest ranges that end on a step.
                auto [lb, le] = trimmed(s, vb, dots);
                auto [hb, he] = trimmed(s, dots + 2, colon);
                auto [sb, se] = trimmed(s, colon + 1, ve);
                const std::string_view low_text = s.substr(lb, le - lb), high_text = s.substr(hb, he - hb),
                                       step_text = s.substr(sb, se - sb);
                const bool pct = low_text.ends_with('%') || high_text.ends_with('%') || step_text.ends_with('%');
                const Rational below = *low + *step * steps.floor();
                const Rational above = below + *step;
                auto show = [&](const Rational& v) { return range_value_text(v, high_text, pct); };
                diags.error(at(hb, he), "{} is not {} plus a whole number of steps of {}: the range would stop at {}",
                            high_text, low_text, step_text, show(below))
                    .hint = fmt::format("the nearest ranges that end on a step: {}..{}:{} or {}..{}:{}", low_text,
                                        show(below), step_text, low_text, show(above), step_text);
                continue;
            }
            Rational count = steps + Rational(1);
            if (count > Rational(static_cast<std::int64_t>(max_axis))) {
                diags.error(axis.where, "this range has {} values, more than the {} allowed in one axis",
                            group_digits(count.to_string()), group_digits(std::to_string(max_axis)));
                continue;
            }
            axis.count = static_cast<std::uint64_t>(*count.to_int64());
            {
                // (Any part in percent makes the range one of percentages: a step of 50% for
                // an amount is refused as a bound of 60% is.)
                auto in_percent = [&](std::size_t b, std::size_t e) {
                    auto [tb, te] = trimmed(s, b, e);
                    return te > tb && s[te - 1] == '%';
                };
                axis.percent = in_percent(vb, dots) || in_percent(dots + 2, colon) || in_percent(colon + 1, ve);
            }
            axis.low = std::move(low);
            axis.step = std::move(step);
            {
                auto [lb, le] = trimmed(s, vb, dots);
                auto [hb, he] = trimmed(s, dots + 2, colon);
                axis.low_where = at(lb, le);
                axis.high_where = at(hb, he);
            }
        } else {
            // v1,v2,…
            std::size_t b = vb;
            for (;;) {
                std::size_t comma = s.substr(0, ve).find(',', b);
                std::size_t e = comma == npos ? ve : comma;
                auto [ib, ie] = trimmed(s, b, e);
                if (ib == ie) {
                    diags.error(at(ib, ie), "empty value in the list").hint = grid_hint;
                    ok = false;
                    break;
                }
                if (axis.values.size() == max_axis) {
                    diags.error(at(vb, ve), "this list has more than the {} values allowed in one axis",
                                group_digits(std::to_string(max_axis)));
                    ok = false;
                    break;
                }
                axis.values.push_back(dsl::nfc(s.substr(ib, ie - ib)));   // (a text in NFC, as a CSV cell)
                axis.value_ranges.push_back(at(ib, ie));
                if (comma == npos) break;
                b = comma + 1;
            }
            if (!ok) continue;
            axis.count = axis.values.size();
        }
        g.columns_.push_back(std::move(path));
        g.column_ranges_.push_back(at(pb, pe));
        g.axes_.push_back(std::move(axis));
        axis_where.push_back(at(vb, ve));
    }
    if (diags.has_errors()) return diags;

    // Each axis has at most max_axis values, so the running product is checked before it
    // can overflow.
    for (std::size_t k = 0; k < g.axes_.size(); ++k) {
        g.size_ *= g.axes_[k].count;
        if (g.size_ > max_size) {
            std::string counts;
            for (const Axis& a : g.axes_) counts += (counts.empty() ? "" : " × ") + group_digits(std::to_string(a.count));
            diags.error(axis_where[k], "the grid has more than {} scenarios ({})", group_digits(std::to_string(max_size)),
                        counts);
            return diags;
        }
    }
    return g;
}

Scenario Grid::at(std::uint64_t i) const {
    assert(i < size_);
    Scenario s;
    s.id = std::to_string(i + 1);
    std::vector<std::uint64_t> index(axes_.size());
    for (std::size_t k = axes_.size(); k-- > 0;) {
        index[k] = i % axes_[k].count;
        i /= axes_[k].count;
    }
    s.set.reserve(axes_.size());
    for (std::size_t k = 0; k < axes_.size(); ++k) {
        const Axis& a = axes_[k];
        if (a.low) {
            Rational v = *a.low + *a.step * Rational(static_cast<std::int64_t>(index[k]));
            // A range written in percent gives percentages, read as the cells of a CSV are
            // (a percentage is no amount of money or shares).
            const Rational pct = v * Rational(100);
            std::string text = a.percent && pct.terminates() ? pct.to_string() + "%" : v.to_string();
            const dsl::SourceRange where = index[k] == 0               ? a.low_where
                                           : index[k] + 1 == a.count ? a.high_where
                                                                       : a.where;
            s.set.push_back(Assignment{k, columns_[k], std::move(text), where});
        } else {
            s.set.push_back(Assignment{k, columns_[k], a.values[index[k]], a.value_ranges[index[k]]});
        }
    }
    return s;
}

}  // namespace hoshu::eval
