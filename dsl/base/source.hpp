// Source text of rule files and input files: the text, its line starts, and the
// conversion of byte offsets to 1-based line and column (columns in code points).
//
//   hoshu::dsl::SourceManager sm;
//   auto id = sm.add("rules/iij/annual.hoshu", text);
//   auto lc = sm.file(id).line_col(42);   // {line, column}
//
// A file may also be a fragment of a bigger file (one row of a CSV file read as a stream):
// its text starts at line `first_line` of that file, and every line number in and out of
// SourceFile is a line of the whole file, so diagnostics render like any other.
//
//   auto row = sm.add("s.csv", "a,b\n", 100);   // line 100 of s.csv
//   sm.file(row).line_col(2);                    // {100, 3}
//   sm.replace(row, "c,d\n", 101);              // the same FileId, now line 101
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hoshu::dsl {

using FileId = std::uint32_t;

struct LineCol {
    std::uint32_t line = 1;    // 1-based
    std::uint32_t column = 1;  // 1-based, in code points
};

/// A half-open byte range [begin, end) inside one source file.
struct SourceRange {
    FileId file = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    bool valid = false;

    static SourceRange in(FileId f, std::uint32_t b, std::uint32_t e) { return {f, b, e, true}; }
    /// The range covering both a and b (same file).
    static SourceRange span(SourceRange a, SourceRange b);
};

class SourceFile {
public:
    /// `first_line` (1-based, at least 1): the line of the whole file the text starts at.
    SourceFile(std::string path, std::string text, std::uint32_t first_line = 1);

    const std::string& path() const { return path_; }
    const std::string& text() const { return text_; }
    /// Number of lines in the text (not the last line number: see first_line()).
    std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }
    /// The line of the whole file the text starts at (1 unless the text is a fragment).
    std::uint32_t first_line() const { return first_line_; }

    /// 1-based line (of the whole file) and code-point column of a byte offset (clamped
    /// to the text).
    LineCol line_col(std::uint32_t offset) const;
    /// Byte offset of a line (of the whole file) and column; the end of the text for a line
    /// outside the fragment.
    std::uint32_t offset_of(LineCol lc) const;
    /// The text of a line (of the whole file), without its line terminator; empty for a
    /// line outside the fragment.
    std::string_view line_text(std::uint32_t line) const;

private:
    friend class SourceManager;
    /// New text in place (SourceManager::replace): the path is kept, the buffers reused.
    void assign(std::string_view text, std::uint32_t first_line);
    void find_line_starts();
    /// 1-based index into line_starts_ of a line of the whole file; 0 when outside.
    std::uint32_t local_line(std::uint32_t line) const;

    std::string path_;
    std::string text_;
    std::uint32_t first_line_ = 1;
    std::vector<std::uint32_t> line_starts_;
};

class SourceManager {
public:
    /// A file, or a fragment of one starting at line `first_line`.
    FileId add(std::string path, std::string text, std::uint32_t first_line = 1);
    /// Swaps the text of a file (same path), e.g. the next row of a streamed CSV file; the
    /// text is copied into the file's own buffers, which are reused from row to row.
    /// Ranges into the old text no longer mean anything: render their diagnostics first.
    void replace(FileId id, std::string_view text, std::uint32_t first_line);
    const SourceFile& file(FileId id) const { return files_.at(id); }
    std::size_t size() const { return files_.size(); }

private:
    std::vector<SourceFile> files_;
};

/// Number of code points in a UTF-8 string (invalid bytes count one each).
std::size_t code_points(std::string_view s);
/// Its length in UTF-16 code units, as Excel counts a cell's characters (a code point past
/// U+FFFF counts two).
std::size_t utf16_units(std::string_view s);
/// Terminal display width of a UTF-8 string (East Asian wide characters count two, combining
/// marks none: unicode.hpp zero_width_mark).
std::size_t display_width(std::string_view s);
/// True when s is well-formed UTF-8; otherwise sets *bad_offset to the first bad byte.
bool valid_utf8(std::string_view s, std::size_t* bad_offset);

/// A character that shows nothing, or shows something other than what a program reads: a
/// control character (C0, DEL, C1), a bidirectional control (U+202A–U+202E, U+2066–U+2069,
/// U+200E, U+200F, U+061C: the "Trojan Source" reorderings), a zero-width character
/// (U+200B–U+200D, U+2060, U+FEFF), a line or paragraph separator (U+2028, U+2029), another
/// character that draws nothing, or a noncharacter (U+FFFE).
struct HiddenCharacter {
    std::size_t offset = 0;   // byte offset of its first byte
    std::size_t length = 0;   // its length in bytes
    char32_t code_point = 0;
};

/// The first hidden character of `s` at or after byte `from`; tab, line feed and carriage
/// return count as hidden only when `layout_too`. Linear; invalid UTF-8 is skipped.
///
///   find_hidden_character("a\u202Eb", 0, false)   // {1, 3, 0x202E}
std::optional<HiddenCharacter> find_hidden_character(std::string_view s, std::size_t from = 0,
                                                     bool layout_too = true);
/// "U+202E (right-to-left override)": the character for a message.
std::string describe_hidden(char32_t code_point);

/// The text as it may be written to a terminal: every hidden character escaped — `\n`,
/// `\r`, `\t`, `\x1b` (other C0 controls and DEL), `\u{202e}` — and every byte that is not
/// valid UTF-8 as `\xe9`. Everything else, a backslash included, is unchanged, so escaping
/// twice gives the same text. `keep_newlines` leaves line feeds alone (a whole report).
///
///   printable("D03\x1b[2J")   // "D03\\x1b[2J"
std::string printable(std::string_view s, bool keep_newlines = false);

}  // namespace hoshu::dsl
