// The canonical printer of rule files (`hoshu fmt`): one layout for every file, whatever
// its author's spacing, so that a diff between two versions shows only what changed.
//
//   dsl::SourceManager sm;
//   auto id = sm.add("rules/iij/annual.hoshu", text);
//   Result<std::string> r = dsl::format_rule_file(sm, id);
//   if (!r) print(r.error());          // syntax errors: the file is left as it is
//   else if (*r != text) write(*r);
//
// The layout, in short (docs/LANGUAGE.md shows it):
//
// - One declaration after another. Blank lines between declarations and comments are
//   kept where the author had one or more (collapsed to one); there are none inside a
//   declaration.
// - Declarations inside `per director` / `per item` / `per grant` … `end` are indented by
//   2. Continuation lines of a declaration (`source`, `note`, `message`, table rows,
//   `allocate …`, `inputs`/`expect …`, dated param values `= V from D`, the `effective`,
//   `as of` and `outputs` lines of a plan) are indented 2 more.
// - A formula stays on its declaration's line when the whole line fits in 100 columns;
//   otherwise it starts on the next line, indented 4 more than the declaration, where an
//   `if` is always laid out on several lines. A formula that does not fit breaks before
//   every operator of its loosest chain (`+`, `*`, `and`, `or`, …), each operand on its
//   own line aligned with the first; calls break after a comma, aligned after the `(`;
//   `if C then A else B` becomes `if C` / `then A` / `else B`, and an `else if` chain one
//   line per arm. An `input` that does not fit puts `range …` and `default …` on lines of
//   their own, indented 4.
// - Expressions are re-printed with one space around binary operators (`a + b * c`), none
//   inside parentheses or before commas (`f(x, y)`, `round down(x, 1 share)`); a division
//   of two plain integers is written as a fraction (`8712/10385`). Parentheses stay
//   where the author wrote them; the printer adds them only where leaving them out would
//   change the meaning. Operators are printed in ASCII (`×` as `*`, `≤` as `<=`).
// - Numbers and units exactly as written (`¥16,000,000`, `2,850 JPY/share`,
//   `16_000_000 JPY`), blanks inside a unit collapsed to one (`JPY per share`); `JPY per
//   share` and `JPY/share` in types as written; text re-escaped (`\"`, `\\`, `\n`).
// - Table rows align their `->`.
// - Every comment is kept, in order. A comment on a line of its own stays before the line
//   that follows it (indented like it; before `end`, like the block). A comment after code
//   stays at the end of the re-printed line holding the code before it (two spaces, then
//   `#`). A formula, list or type with a comment between two of its operands is never
//   joined onto one line: it breaks there. A comment written after a keyword or operator
//   (`=`, `then`, `+`, `(`) goes with the operand before it. A second comment that would
//   end the same line goes on a line of its own below it.
//
// Formatting is idempotent: format(format(x)) == format(x). The result is checked before
// it is returned: it must parse to the same declarations as the original and keep every
// comment, else the file is reported, not rewritten. A comment inside a number's unit
// (`¥1 per # …` then `share` on the next line) is reported as an error: the parser reads
// it as part of the unit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"

namespace hoshu::dsl {

struct FormatOptions {
    std::size_t width = 100;   // columns (East Asian wide characters count two)
};

/// The canonical text of one rule file, or the syntax errors that prevent formatting it.
Result<std::string> format_rule_file(const SourceManager& sm, FileId file, FormatOptions options = {});

/// The `#` comments of a rule file's text, in order, each without its line break and
/// trailing blanks (`#` inside quoted text is not a comment). For tests and checks.
std::vector<std::string> comments_of(std::string_view rule_text);

}  // namespace hoshu::dsl
