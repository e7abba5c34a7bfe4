// Source text of rule files and input files: the text, its line starts, and the
// conversion of byte offsets to 1-based line and column (columns in code points).
//
//   hoshu::dsl::SourceManager sm;
//   auto id = sm.add("rules/iij/annual.hoshu", text);
//   auto lc = sm.file(id).line_col(42);   // {line, column}
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
    SourceFile(std::string path, std::string text);

    const std::string& path() const { return path_; }
    const std::string& text() const { return text_; }
    std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

    /// 1-based line and code-point column of a byte offset (clamped to the text).
    LineCol line_col(std::uint32_t offset) const;
    /// Byte offset of the start of a 1-based line and column.
    std::uint32_t offset_of(LineCol lc) const;
    /// The text of a 1-based line, without its line terminator.
    std::string_view line_text(std::uint32_t line) const;

private:
    std::string path_;
    std::string text_;
    std::vector<std::uint32_t> line_starts_;
};

class SourceManager {
public:
    FileId add(std::string path, std::string text);
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
