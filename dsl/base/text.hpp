// Small text helpers every stage uses, written once: digit grouping, CSV fields, blank
// collapsing, joining. Nothing here knows the rule language.
//
//   group_digits("-1234567.5")            // "-1,234,567.5"
//   csv_field("say \"hi\"")               // "\"say \"\"hi\"\"\""
//   append_csv_field(row, "a,b")          // row += "\"a,b\""
//   collapse_blanks(" a \n\t b ")         // "a b"
//   join({"a", "b", "c"})                 // "a, b, c"
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hoshu {

/// A numeral with its integer digits grouped by three: an optional `-`, digits, and an
/// optional fraction that is kept as it is. "1234567" → "1,234,567", "-1234.5" → "-1,234.5".
std::string group_digits(std::string_view numeral);

/// A CSV field: quoted (with quotes doubled) when it holds a comma, a quote, CR or LF;
/// otherwise as is. csv_field("a,b") == "\"a,b\"". A text a spreadsheet would run as a
/// formula (starting with = + - @, a tab or CR, and not a number) is written after a `'`:
/// csv_field("=1+1") == "'=1+1", csv_field("-12.5") == "-12.5".
std::string csv_field(std::string_view s);
/// csv_field(s) appended to `out`, with no string of its own (a writer's row buffer).
void append_csv_field(std::string& out, std::string_view s);

/// Runs of spaces, tabs, CRs and LFs as one space, none at either end.
std::string collapse_blanks(std::string_view text);

/// The items with `separator` between them.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace hoshu
