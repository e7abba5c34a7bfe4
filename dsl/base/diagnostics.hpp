// Diagnostics in one format for rule files and input files alike:
//
//   rules/iij/annual.hoshu:12:18: error: cannot add JPY and shares
//     annual_rs: shares = base_comp + annual_formula_shares
//                         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
//   hoshu::dsl::Diagnostics ds;
//   ds.error(range, "cannot add {} and {}", "JPY", "shares");
//   std::string text = render(sm, ds, {.color = false});
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/base/source.hpp"

namespace hoshu::dsl {

enum class Severity { error, warning, note };

struct Diagnostic {
    Severity severity = Severity::error;
    SourceRange range;     // may be invalid: then only the message is printed
    std::string message;
    std::string hint;      // optional one-line help printed after the caret
};

class Diagnostics {
public:
    template <class... Args>
    Diagnostic& error(SourceRange r, fmt::format_string<Args...> f, Args&&... args) {
        return add(Severity::error, r, fmt::format(f, std::forward<Args>(args)...));
    }
    template <class... Args>
    Diagnostic& warning(SourceRange r, fmt::format_string<Args...> f, Args&&... args) {
        return add(Severity::warning, r, fmt::format(f, std::forward<Args>(args)...));
    }
    template <class... Args>
    Diagnostic& note(SourceRange r, fmt::format_string<Args...> f, Args&&... args) {
        return add(Severity::note, r, fmt::format(f, std::forward<Args>(args)...));
    }
    Diagnostic& add(Severity s, SourceRange r, std::string message);
    void append(const Diagnostics& other);
    void append(Diagnostics&& other);

    bool has_errors() const;
    std::size_t error_count() const;
    bool empty() const { return items_.empty(); }
    const std::vector<Diagnostic>& items() const { return items_; }
    std::vector<Diagnostic>& items() { return items_; }
    /// Sort by file, then position (stable: equal positions keep insertion order).
    void sort();

private:
    std::vector<Diagnostic> items_;
};

/// A list of one error (with an optional hint): what a function that stops at its first
/// problem returns.   return one_error(range, "expected a date (YYYY-MM-DD), found a string");
Diagnostics one_error(SourceRange range, std::string message, std::string hint = {});

struct RenderOptions {
    bool color = false;
};

/// The Levenshtein distance between two words (bytes), for "did you mean …?" hints, up to
/// `cap`: a greater one is given as cap + 1 (in time the words' length times the cap).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap = 3);
/// The candidate closest to `word`, if one is within `max_distance` edits (the first of
/// equally close ones): `closest("divison_score", keys, 2)` is "division_score".
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates,
                                   std::size_t max_distance = 2);

/// One diagnostic as `file:line:col: severity: message`, the source line, a caret line.
std::string render(const SourceManager& sm, const Diagnostic& d, RenderOptions opt = {});
std::string render(const SourceManager& sm, const Diagnostics& ds, RenderOptions opt = {});

}  // namespace hoshu::dsl
