// Workbooks for Excel (`--format xlsx`): sheets of rows, each cell text or a number.
// The only user of libxlsxwriter.
//
// A column marked numeric is decided whole — every value in it a number, or every value
// text, never a mix (a spreadsheet's SUM skips text cells without a word). It is written
// as numbers when every value is a terminating decimal which, at the column's decimals
// (the most any value needs, at least the column's min_places: a currency's minor
// decimals), has at most 15 digits — what Excel shows of a number — and whose double,
// printed back at those decimals, gives the value's exact digits. The numbers then carry
// the number format `#,##0.00` (as many 0s after the point as the column's decimals; a
// column of integers `#,##0`, and a column of record numbers — `labels`: a record's,
// an event's or a line's number — none). Otherwise the whole column is the exact text ("8712/10385",
// "15000.07"). The double is the one nearest the exact value: the integer value × 10^d
// (below 10^15, exact) divided by 10^d (exact), one correctly rounded division; it differs
// from the exact value by less than half a unit in its 16th digit, never in a digit shown.
// libxlsxwriter writes it at 16 significant digits, which may end in a stray digit
// (15000.070000000001); that text is checked to read back as the same double — the one
// Excel holds when the exact value is typed in.
//
//   Sheet s{"results", {{"director", "bonus"}, {"A", "15000.07"}}, {false, true}, {0, 2}};
//   Result<std::string> bytes = xlsx_workbook({s});   // the .xlsx file's bytes
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"

namespace hoshu::eval {

struct Sheet {
    std::string name;                               // at most 31 characters
    std::vector<std::vector<std::string>> rows;     // the first row is the header (bold)
    std::vector<bool> numeric;                      // per column: numbers when the whole column can be
    std::vector<int> min_places = {};               // per column: decimals shown at least (absent: 0)
    std::vector<bool> labels = {};                  // per column: numbers that name (no thousands separator)
};

/// A numeric column as Excel numbers: its decimals and each cell's double (none for an
/// empty cell). None when the column is to be text (see the top of this file).
struct ColumnNumbers {
    int places = 0;
    std::vector<std::optional<double>> numbers;
};
std::optional<ColumnNumbers> column_numbers(const std::vector<std::string>& cells, int min_places);

/// A text as a workbook's cell holds it to be read back as written: each `_xHHHH_` in it
/// (four hex digits: the form a workbook gives a character XML cannot hold, which Excel
/// decodes on opening) with its `_` written `_x005F_`, so that `D_x0030_1` stays
/// `D_x0030_1` and is not shown as `D01` (ECMA-376 Part 1, 22.4.2.4). Overlapping ones
/// (`_x0041_x0042_`) are each escaped.
std::string cell_text(std::string_view text);

/// The workbook's bytes, built in a private temporary folder ($TMPDIR/hoshu-xlsx-XXXXXX,
/// with the library's own temporary files) removed on return and by a signal that ends
/// the command. Errors (nothing written): a sheet of more rows (1,048,576) or columns
/// (16,384) than a worksheet holds, a text of more characters than a cell holds (32,767) —
/// named by its cell, `results!F4 (title, director D03)`; the temporary folder or the
/// library failing.
Result<std::string> xlsx_workbook(const std::vector<Sheet>& sheets);

}  // namespace hoshu::eval
