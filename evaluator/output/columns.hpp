// Text in aligned columns, for every table a report prints.
//
//   format_columns({{"limit", "value"}, {"director_cash", "417,600,000"}}, {false, true}, "")
//   // "limit                value\ndirector_cash  417,600,000\n"
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace hoshu::eval {

/// Rows as aligned columns (display width, so Japanese text lines up); `right[i]`
/// right-aligns column i. A cell wider than `max_width` does not widen its column.
std::string format_columns(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                           const std::string& indent, std::size_t max_width = 1000);

/// `s` padded with spaces to `width` columns of display, on the right or on the left.
std::string pad_right(const std::string& s, std::size_t width);
std::string pad_left(const std::string& s, std::size_t width);

}  // namespace hoshu::eval
