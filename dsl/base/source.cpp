#include "dsl/base/source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "dsl/base/unicode.hpp"

namespace hoshu::dsl {

SourceRange SourceRange::span(SourceRange a, SourceRange b) {
    if (!a.valid) return b;
    if (!b.valid || a.file != b.file) return a;
    return in(a.file, std::min(a.begin, b.begin), std::max(a.end, b.end));
}

SourceFile::SourceFile(std::string path, std::string text, std::uint32_t first_line)
    : path_(std::move(path)), text_(std::move(text)), first_line_(std::max<std::uint32_t>(first_line, 1)) {
    find_line_starts();
}

void SourceFile::find_line_starts() {
    line_starts_.clear();
    // A UTF-8 byte order mark at the start of a file is no part of its first line: columns
    // count from after it and the line's text leaves it out (the text keeps its bytes).
    const bool bom = first_line_ == 1 && text_.starts_with("\xEF\xBB\xBF");
    line_starts_.push_back(bom ? 3 : 0);
    const char* const data = text_.data();
    const char* const end = data + text_.size();
    for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))));) {
        ++p;
        line_starts_.push_back(static_cast<std::uint32_t>(p - data));
    }
}

namespace {
bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
}  // namespace

LineCol SourceFile::line_col(std::uint32_t offset) const {
    offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
    offset = std::max(offset, line_starts_[0]);   // within a byte order mark: column 1
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    auto line = static_cast<std::uint32_t>(it - line_starts_.begin());  // 1-based, in the text
    std::uint32_t start = line_starts_[line - 1];
    std::uint32_t column = 1;
    for (std::uint32_t i = start; i < offset; ++i) {
        if (!is_continuation(static_cast<unsigned char>(text_[i]))) ++column;
    }
    return {line + (first_line_ - 1), column};
}

std::uint32_t SourceFile::local_line(std::uint32_t line) const {
    if (line < first_line_) return 0;
    std::uint32_t local = line - first_line_ + 1;
    return local <= line_starts_.size() ? local : 0;
}

std::uint32_t SourceFile::offset_of(LineCol lc) const {
    std::uint32_t line = local_line(lc.line);
    if (line == 0) return static_cast<std::uint32_t>(text_.size());
    std::uint32_t i = line_starts_[line - 1];
    std::uint32_t column = 1;
    while (i < text_.size() && text_[i] != '\n' && column < lc.column) {
        ++i;
        while (i < text_.size() && is_continuation(static_cast<unsigned char>(text_[i]))) ++i;
        ++column;
    }
    return i;
}

std::string_view SourceFile::line_text(std::uint32_t whole_line) const {
    std::uint32_t line = local_line(whole_line);
    if (line == 0) return {};
    std::uint32_t begin = line_starts_[line - 1];
    std::uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1
                                                   : static_cast<std::uint32_t>(text_.size());
    std::string_view s(text_.data() + begin, end - begin);
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
}

FileId SourceManager::add(std::string path, std::string text, std::uint32_t first_line) {
    files_.emplace_back(std::move(path), std::move(text), first_line);
    return static_cast<FileId>(files_.size() - 1);
}

void SourceManager::replace(FileId id, std::string_view text, std::uint32_t first_line) {
    files_.at(id).assign(text, first_line);
}

void SourceFile::assign(std::string_view text, std::uint32_t first_line) {
    text_.clear();
    text_.append(text);
    first_line_ = std::max<std::uint32_t>(first_line, 1);
    find_line_starts();
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if (!is_continuation(c)) ++n;
    }
    return n;
}

std::size_t utf16_units(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if (!is_continuation(c)) ++n;
        if (c >= 0xF0) ++n;   // a code point past U+FFFF: a surrogate pair
    }
    return n;
}

namespace {
// Decode one code point; returns its length in bytes (1 for an invalid byte, cp = 0xFFFD).
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    std::size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) { cp = 0xFFFD; return 1; }
    if (len == 1) { cp = c; return 1; }
    cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if (!is_continuation(cc)) { cp = 0xFFFD; return 1; }
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFD;
        return 1;
    }
    return len;
}

bool is_wide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}
}  // namespace

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        i += decode(s, i, cp);
        w += is_wide(cp) ? 2 : cp >= 0x300 && zero_width_mark(cp) ? 0 : 1;
    }
    return w;
}

bool valid_utf8(std::string_view s, std::size_t* bad_offset) {
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        // ASCII, 8 bytes at a time, then byte by byte up to the next non-ASCII byte.
        while (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, s.data() + i, 8);
            if (word & 0x8080808080808080ULL) break;
            i += 8;
        }
        while (i < n && static_cast<unsigned char>(s[i]) < 0x80) ++i;
        if (i == n) break;
        char32_t cp = 0;
        std::size_t len = decode(s, i, cp);
        if (cp == 0xFFFD && !(len == 3 && s.substr(i, 3) == "\xEF\xBF\xBD")) {
            if (bad_offset) *bad_offset = i;
            return false;
        }
        i += len;
    }
    return true;
}

}  // namespace hoshu::dsl

namespace hoshu::dsl {

namespace {

bool is_hidden_code_point(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) ||                        // C1 controls
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||   // bidi embeddings, isolates
           cp == 0x200E || cp == 0x200F || cp == 0x061C ||      // bidi marks
           (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||   // zero width
           cp == 0x2028 || cp == 0x2029 ||                      // line and paragraph separators
           // Characters that draw nothing (default-ignorable), some of them letters a name
           // may hold: `rate` and `rate` + a Hangul filler would look alike.
           cp == 0x00AD || cp == 0x034F ||                      // soft hyphen, combining grapheme joiner
           cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||   // Hangul fillers
           cp == 0x17B4 || cp == 0x17B5 ||                      // Khmer inherent vowels
           (cp >= 0x180B && cp <= 0x180F) ||                    // Mongolian variation selectors, vowel separator
           (cp >= 0x2061 && cp <= 0x2064) || (cp >= 0x206A && cp <= 0x206F) ||   // invisible operators, deprecated formats
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFFF9 && cp <= 0xFFFB) ||   // variation selectors, annotations
           (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
           (cp >= 0xE0000 && cp <= 0xE0FFF) ||                  // tags, variation selectors supplement
           // Noncharacters, which no text is to hold (U+FDD0–U+FDEF, U+FFFE and U+FFFF of every plane).
           (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

bool is_layout(char c) { return c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<HiddenCharacter> find_hidden_character(std::string_view s, std::size_t from, bool layout_too) {
    for (std::size_t i = from; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) {
            // (A carriage return that ends no line — not before a line feed — shows the text
            // after it over the line's start on a terminal.)
            const bool lone_cr = c == '\r' && (i + 1 == s.size() || s[i + 1] != '\n');
            if (layout_too || lone_cr || !is_layout(static_cast<char>(c))) return HiddenCharacter{i, 1, c};
            ++i;
            continue;
        }
        // Every hidden character past ASCII starts with one of these bytes.
        if (c != 0xC2 && c != 0xCD && c != 0xD8 && c != 0xE1 && c != 0xE2 && c != 0xE3 && c != 0xEF && c != 0xF0 && c != 0xF3) {
            ++i;
            continue;
        }
        char32_t cp = 0;
        std::size_t len = decode(s, i, cp);
        if (len > 1 && is_hidden_code_point(cp)) return HiddenCharacter{i, len, cp};
        i += len;
    }
    return std::nullopt;
}

std::string describe_hidden(char32_t cp) {
    const char* name = nullptr;
    switch (cp) {
        case 0x202A: name = "left-to-right embedding"; break;
        case 0x202B: name = "right-to-left embedding"; break;
        case 0x202C: name = "pop directional formatting"; break;
        case 0x202D: name = "left-to-right override"; break;
        case 0x202E: name = "right-to-left override"; break;
        case 0x2066: name = "left-to-right isolate"; break;
        case 0x2067: name = "right-to-left isolate"; break;
        case 0x2068: name = "first strong isolate"; break;
        case 0x2069: name = "pop directional isolate"; break;
        case 0x200E: name = "left-to-right mark"; break;
        case 0x200F: name = "right-to-left mark"; break;
        case 0x061C: name = "Arabic letter mark"; break;
        case 0x200B: name = "zero width space"; break;
        case 0x200C: name = "zero width non-joiner"; break;
        case 0x200D: name = "zero width joiner"; break;
        case 0x2060: name = "word joiner"; break;
        case 0xFEFF: name = "zero width no-break space"; break;
        case 0x2028: name = "line separator"; break;
        case 0x2029: name = "paragraph separator"; break;
        case 0x000D: name = "carriage return"; break;
        case 0x00AD: name = "soft hyphen"; break;
        case 0x034F: name = "combining grapheme joiner"; break;
        case 0x115F: name = "Hangul choseong filler"; break;
        case 0x1160: name = "Hangul jungseong filler"; break;
        case 0x3164: name = "Hangul filler"; break;
        case 0xFFA0: name = "halfwidth Hangul filler"; break;
        case 0x180E: name = "Mongolian vowel separator"; break;
        default:
            name = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)      ? "a control character"
                   : (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE ? "a noncharacter"
                                                                                : nullptr;
    }
    if (!name) return fmt::format("U+{:04X}", static_cast<std::uint32_t>(cp));
    return fmt::format("U+{:04X} ({})", static_cast<std::uint32_t>(cp), name);
}

std::string printable(std::string_view s, bool keep_newlines) {
    std::string out;
    out.reserve(s.size());
    std::size_t done = 0;   // s[done, i) is copied as it is
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::string escaped;
        std::size_t len = 1;
        if (c < 0x20 || c == 0x7F) {
            if (c == '\n' && keep_newlines) {
                ++i;
                continue;
            }
            escaped = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : fmt::format("\\x{:02x}", c);
        } else if (c < 0x80) {
            ++i;
            continue;
        } else {
            char32_t cp = 0;
            len = decode(s, i, cp);
            bool invalid = cp == 0xFFFD && len == 1;
            if (invalid) {
                escaped = fmt::format("\\x{:02x}", c);
            } else if (is_hidden_code_point(cp)) {
                escaped = fmt::format("\\u{{{:x}}}", static_cast<std::uint32_t>(cp));
            } else {
                i += len;
                continue;
            }
        }
        out.append(s.substr(done, i - done));
        out += escaped;
        i += len;
        done = i;
    }
    out.append(s.substr(done));
    return out;
}

}  // namespace hoshu::dsl
