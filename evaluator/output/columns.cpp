#include "evaluator/output/columns.hpp"

#include <algorithm>

#include "dsl/base/source.hpp"

namespace hoshu::eval {

std::string pad_right(const std::string& s, std::size_t width) {
    std::size_t w = dsl::display_width(s);
    return s + std::string(width > w ? width - w : 0, ' ');
}

std::string pad_left(const std::string& s, std::size_t width) {
    std::size_t w = dsl::display_width(s);
    return std::string(width > w ? width - w : 0, ' ') + s;
}

std::string format_columns(const std::vector<std::vector<std::string>>& shown_rows, const std::vector<bool>& right,
                           const std::string& indent, std::size_t max_width) {
    // Cells hold text from the inputs and the rules: escaped before they are measured.
    std::vector<std::vector<std::string>> rows = shown_rows;
    for (auto& row : rows) {
        for (auto& cell : row) cell = dsl::printable(cell);
    }
    std::vector<std::size_t> width;
    for (const auto& row : rows) {
        if (width.size() < row.size()) width.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::size_t w = dsl::display_width(row[i]);
            if (w <= max_width) width[i] = std::max(width[i], w);
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += "  ";
            bool r = i < right.size() && right[i];
            line += r ? pad_left(row[i], width[i]) : pad_right(row[i], width[i]);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

}  // namespace hoshu::eval
