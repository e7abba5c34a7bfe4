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
    /// Swaps the text of a file (same path), e.g. the next row of a streamed CSV file.
    /// Ranges into the old text no longer mean anything: render their diagnostics first.
    void replace(FileId id, std::string text, std::uint32_t first_line);
    const SourceFile& file(FileId id) const { return files_.at(id); }
    std::size_t size() const { return files_.size(); }

private:
    std::vector<SourceFile> files_;
};

/// Number of code points in a UTF-8 string (invalid bytes count one each).
std::size_t code_points(std::string_view s);
/// Terminal display width of a UTF-8 string (East Asian wide characters count two).
std::size_t display_width(std::string_view s);
/// True when s is well-formed UTF-8; otherwise sets *bad_offset to the first bad byte.
bool valid_utf8(std::string_view s, std::size_t* bad_offset);

}  // namespace hoshu::dsl
