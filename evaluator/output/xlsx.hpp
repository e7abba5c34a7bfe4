// Workbooks for Excel (`--format xlsx`): sheets of rows, each cell text or an exact number.
// The only user of libxlsxwriter.
//
// A cell marked numeric is written as an Excel number only when the number is exactly a
// binary double — an integer of at most 2^53 in magnitude (every share count, every yen
// amount a plan produces), or a fraction whose denominator is a power of two (0.5, 0.9375)
// — and as text otherwise ("8712/10385", 0.1, an integer past 2^53), so that no value is
// ever rounded on its way into the sheet. No arithmetic on binary doubles happens: the
// double is built from the exact integer numerator by a power-of-two scaling.
//
//   Sheet s{"results", {{"director", "annual_rs_shares"}, {"D03", "4846"}}, {false, true}};
//   Result<std::string> bytes = xlsx_workbook({s});   // the .xlsx file's bytes
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dsl/base/result.hpp"

namespace hoshu::eval {

struct Sheet {
    std::string name;                               // at most 31 characters
    std::vector<std::vector<std::string>> rows;     // the first row is the header (bold)
    std::vector<bool> numeric;                      // per column: write exact numbers as numbers
};

/// The double equal to the exact number `text` (an integer, a decimal, a fraction), when
/// there is one; none otherwise.
std::optional<double> exact_double(const std::string& text);

/// The workbook's bytes. Errors: the library cannot write its temporary file.
Result<std::string> xlsx_workbook(const std::vector<Sheet>& sheets);

}  // namespace hoshu::eval
