// The syntax tree as compact S-expressions, for table-driven parser tests: it shows the
// structure the parser built (precedence, grouping, units as written), not the grammar's
// levels — an expression level holding a single operand is printed as that operand.
//
//   std::string errors;
//   std::string tree = hoshu::dsl::print_declarations("value x: JPY = a + b * 2\n", errors);
//   // tree == "(value x JPY (+ a (* b 2)))", errors == ""
//
// Notation (one line per declaration):
//
//   numbers      as written, unit in brackets: 0.5  85[%]  ¥16,000,000  ¥2,850[per share]
//                16_000_000[JPY]  2,850[JPY/share]  1[share]
//   dates        2024-04-01        text  "FY2024" (\" \\ \n escaped)     true  false
//   operators    (+ a b) (- a b) (* a b) (/ a b) (< a b) (<= a b) (> a b) (>= a b) (== a b)
//                (!= a b) (and a b) (or a b), left-associative: a - b - c is (- (- a b) c);
//                the Unicode forms print as their ASCII ones (× is *, ≤ is <=, − is -)
//   unary        (- x)  (not c)
//   is           (is role executive)  (is-not role executive)
//   call         (f a b)            (names are never operators or keywords)
//   if           (if c a b)
//   round        (round down x 1[share])  (round up …)  (round half-up …)  (round half-even …)
//   last         (last-before share_price period_start)  (date-of-last-before share_price d)
//   product      (product-of split_ratio (after d1) (up-to d2))
//   aggregate    (sum-of directors x)  (sum-of directors x (where c))  (min-of grants x)
//                (max-of items x)  (count-of directors (where c)): the records aggregated first
//   types        JPY  shares  JPY/share  role
//   declarations (plan "title" (effective D) (as-of name) (outputs a b) …)  (import "path")
//                (per-director)  (per-grant)  (per-item)  (end)  (type role (executive outside))
//                (param name T (= V) (= V from D))
//                (input name T (at path) (range LOW HIGH) (optional) (default E))
//                (series name T (at path date close))  (directors (at path id))
//                (grants (at ledger director))  (items (at path id))  (value name T E)  (output name T E)
//                (table name (a T) T [(monotone)] (row (below X) V) (row (from X) (to Y) (linear V W)) …)
//                  bounds: (from X) (above X) (to X) (to-below X) (below X) (up-to X)
//                (limit name C)  (limit name C (allocate pro-rata (a b) (round down 1[share])))
//                (require name C)
//                (test "title" (inputs "file.toml") (expect name (for "D03") V) (expect-violation name))
//   annotations  last in a declaration: (source C8 "…")  (note "…")  (message "…")
#pragma once

#include <string>
#include <string_view>

namespace hoshu::dsl {

namespace ast {
struct Declaration;
struct Expression;
}  // namespace ast

/// One declaration on one line, in the notation above.
std::string print(const ast::Declaration& declaration);

/// One expression, in the notation above: `a + b * 2` is `(+ a (* b 2))`.
std::string print(const ast::Expression& expression);

/// Parse `rule_text` as a rule file named "test.hoshu" and print each declaration that
/// parsed, one per line (lines joined by '\n', no newline after the last). The rendered
/// diagnostics of the syntax errors (dsl::render, no colour) go to `errors`; empty when
/// the text parsed cleanly.
///
///   std::string errors;
///   print_declarations("value x: shares = round down(y, 1 share)\n", errors);
///   // "(value x shares (round down y 1[share]))"
std::string print_declarations(std::string_view rule_text, std::string& errors);

/// A text as a rule-file string literal: quoted, with `"`, `\` and line breaks escaped.
std::string quote_string(std::string_view text);

/// A unit as written (`JPY  per share`), its blanks and line breaks collapsed to one space.
std::string unit_as_written(std::string_view unit);

}  // namespace hoshu::dsl
