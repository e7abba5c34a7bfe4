#include "dsl/base/diagnostics.hpp"

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

Diagnostics one_error(SourceRange range, std::string message, std::string hint) {
    Diagnostics ds;
    ds.add(Severity::error, range, std::move(message)).hint = std::move(hint);
    return ds;
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

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap) {
    // Only the cells within `cap` of the diagonal can hold a distance up to cap: a band, so
    // that a long name costs its length times the cap, not its length squared.
    const std::size_t far = cap + 1;
    if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > cap) return far;
    // (Rows kept from call to call: a file of thousands of misspelt names asks for millions.)
    thread_local std::vector<std::size_t> prev, cur;
    prev.assign(b.size() + 1, far);
    cur.assign(b.size() + 1, far);
    for (std::size_t j = 0; j <= std::min(b.size(), cap); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        const std::size_t lo = i > cap ? i - cap : 0, hi = std::min(b.size(), i + cap);
        std::size_t best = far;
        if (lo == 0) cur[0] = best = std::min(i, far);
        else cur[lo - 1] = far;
        for (std::size_t j = std::max<std::size_t>(lo, 1); j <= hi; ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), far});
            best = std::min(best, cur[j]);
        }
        if (hi < b.size()) cur[hi + 1] = far;
        if (best >= far) return far;
        std::swap(prev, cur);
    }
    return std::min(prev[b.size()], far);
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates,
                                   std::size_t max_distance) {
    std::optional<std::string> best;
    std::size_t best_distance = max_distance + 1;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(c, word, max_distance);
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

std::string untab(std::string_view s) {
    std::string out(s);
    std::replace(out.begin(), out.end(), '\t', ' ');
    return out;
}

}  // namespace

std::string render(const SourceManager& sm, const Diagnostic& d, RenderOptions opt) {
    const char* bold = opt.color ? "\x1b[1m" : "";
    const char* reset = opt.color ? "\x1b[0m" : "";
    const char* sev = opt.color ? severity_color(d.severity) : "";
    const char* green = opt.color ? "\x1b[1;32m" : "";
    // Everything taken from the input (paths, quoted names, the source line) is shown with
    // its control, bidirectional and zero-width characters escaped: a diagnostic cannot
    // drive the terminal or show text other than what hoshu read.
    const std::string message = printable(d.message);
    const std::string hint = printable(d.hint);
    std::string out;
    if (!d.range.valid || d.range.file >= sm.size()) {
        out = fmt::format("{}hoshu:{} {}{}:{} {}{}{}\n", bold, reset, sev, severity_name(d.severity), reset, bold,
                          message, reset);
        if (!hint.empty()) out += fmt::format("  hint: {}\n", hint);
        return out;
    }
    const SourceFile& f = sm.file(d.range.file);
    LineCol lc = f.line_col(d.range.begin);
    out = fmt::format("{}{}:{}:{}:{} {}{}:{} {}{}{}\n", bold, printable(f.path()), lc.line, lc.column, reset, sev,
                      severity_name(d.severity), reset, bold, message, reset);
    std::string_view line = f.line_text(lc.line);
    std::uint32_t line_begin = f.offset_of({lc.line, 1});
    // (A range that starts within a byte order mark, before the first line's text: from its
    // first column.)
    const std::uint32_t begin = std::max(d.range.begin, line_begin);
    std::size_t col_byte = std::min<std::size_t>(begin - line_begin, line.size());
    // The caret covers the range, cut at the end of the first line (at least one column).
    std::size_t end_byte = d.range.end > begin ? d.range.end - line_begin : col_byte;
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
    // The line in three parts (before the range, the range, after it), each escaped, so
    // that the caret stays under the range.
    end_byte = std::max(end_byte, col_byte);
    const std::string before = printable(untab(line.substr(0, col_byte)));
    const std::string marked = printable(untab(line.substr(col_byte, end_byte - col_byte)));
    const std::string after = printable(untab(line.substr(end_byte)));
    std::size_t lead = display_width(prefix) + display_width(before);
    std::size_t width = std::max<std::size_t>(display_width(marked), 1);
    out += fmt::format("  {}{}{}{}{}\n", prefix, before, marked, after, suffix);
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
