#include "dsl/diagnostics.hpp"

#include <algorithm>

namespace hoshu::dsl {

Diagnostic& Diagnostics::add(Severity s, SourceRange r, std::string message) {
    items_.push_back(Diagnostic{s, r, std::move(message), {}});
    return items_.back();
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::append(Diagnostics&& other) {
    for (auto& d : other.items_) items_.push_back(std::move(d));
    other.items_.clear();
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Severity::error;
    }));
}

void Diagnostics::sort() {
    // A note belongs to the diagnostic before it: sort groups (diagnostic + its notes).
    std::vector<std::vector<Diagnostic>> groups;
    for (auto& d : items_) {
        if (d.severity == Severity::note && !groups.empty()) groups.back().push_back(std::move(d));
        else groups.push_back({std::move(d)});
    }
    std::stable_sort(groups.begin(), groups.end(), [](const auto& ga, const auto& gb) {
        const Diagnostic& a = ga.front();
        const Diagnostic& b = gb.front();
        if (a.range.valid != b.range.valid) return a.range.valid;  // located first
        if (a.range.file != b.range.file) return a.range.file < b.range.file;
        return a.range.begin < b.range.begin;
    });
    items_.clear();
    for (auto& g : groups) {
        for (auto& d : g) items_.push_back(std::move(d));
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates,
                                   std::size_t max_distance) {
    std::optional<std::string> best;
    std::size_t best_distance = max_distance + 1;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(c, word);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

namespace {

const char* severity_name(Severity s) {
    switch (s) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::note: return "note";
    }
    return "error";
}

const char* severity_color(Severity s) {
    switch (s) {
        case Severity::error: return "\x1b[1;31m";
        case Severity::warning: return "\x1b[1;35m";
        case Severity::note: return "\x1b[1;36m";
    }
    return "";
}

/// Text as a terminal can show it, one column per character as the caret counts them: a
/// tab as one space (in a source line), any other control character (NUL, ESC, …) as its
/// picture, U+2400 ␀ to U+241F, and DEL as U+2421 ␡. Nothing is cut or left out: a NUL
/// in a CSV cell would otherwise end the message wherever C strings carry it.
std::string visible(std::string_view s, bool tab_as_space) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\t' && tab_as_space) {
            out += ' ';
        } else if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7F) {
            const char32_t picture = u == 0x7F ? 0x2421 : 0x2400 + u;   // three UTF-8 bytes
            out += static_cast<char>(0xE0 | (picture >> 12));
            out += static_cast<char>(0x80 | ((picture >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (picture & 0x3F));
        } else {
            out += c;
        }
    }
    return out;
}

std::string untab(std::string_view s) { return visible(s, true); }

}  // namespace

std::string render(const SourceManager& sm, const Diagnostic& d, RenderOptions opt) {
    const char* bold = opt.color ? "\x1b[1m" : "";
    const char* reset = opt.color ? "\x1b[0m" : "";
    const char* sev = opt.color ? severity_color(d.severity) : "";
    const char* green = opt.color ? "\x1b[1;32m" : "";
    std::string out;
    const std::string message = visible(d.message, false), hint = visible(d.hint, false);
    if (!d.range.valid || d.range.file >= sm.size()) {
        out = fmt::format("{}hoshu:{} {}{}:{} {}{}{}\n", bold, reset, sev, severity_name(d.severity), reset, bold,
                          message, reset);
        if (!hint.empty()) out += fmt::format("  hint: {}\n", hint);
        return out;
    }
    const SourceFile& f = sm.file(d.range.file);
    LineCol lc = f.line_col(d.range.begin);
    out = fmt::format("{}{}:{}:{}:{} {}{}:{} {}{}{}\n", bold, visible(f.path(), false), lc.line, lc.column, reset,
                      sev, severity_name(d.severity), reset, bold, message, reset);
    std::string_view line = f.line_text(lc.line);
    std::uint32_t line_begin = f.offset_of({lc.line, 1});
    std::size_t col_byte = std::min<std::size_t>(d.range.begin - line_begin, line.size());
    // The caret covers the range, cut at the end of the first line (at least one column).
    std::size_t end_byte = d.range.end > d.range.begin ? d.range.end - line_begin : col_byte;
    end_byte = std::min(end_byte, line.size());
    // A very long line (generated or hostile input) is shown as a window around the caret.
    constexpr std::size_t window = 60;
    std::string prefix, suffix;
    if (line.size() > 4 * window) {
        auto back_to_char = [&](std::size_t i) {
            while (i > 0 && i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) --i;
            return i;
        };
        std::size_t from = col_byte > window ? back_to_char(col_byte - window) : 0;
        std::size_t to = std::min(line.size(), back_to_char(std::min(line.size(), std::max(end_byte, col_byte) + window)));
        if (to < line.size() && to <= col_byte) to = line.size();
        if (from > 0) prefix = "…";
        if (to < line.size()) suffix = "…";
        line = line.substr(from, to - from);
        col_byte -= from;
        end_byte = std::min(end_byte - std::min(end_byte, from), line.size());
    }
    std::size_t lead = display_width(prefix) + display_width(line.substr(0, col_byte));
    std::size_t width = end_byte > col_byte ? display_width(line.substr(col_byte, end_byte - col_byte)) : 1;
    out += fmt::format("  {}{}{}\n", prefix, untab(line), suffix);
    out += fmt::format("  {}{}^{}{}\n", std::string(lead, ' '), green, std::string(width - 1, '~'), reset);
    if (!hint.empty()) out += fmt::format("  hint: {}\n", hint);
    return out;
}

std::string render(const SourceManager& sm, const Diagnostics& ds, RenderOptions opt) {
    std::string out;
    for (const auto& d : ds.items()) out += render(sm, d, opt);
    return out;
}

}  // namespace hoshu::dsl
