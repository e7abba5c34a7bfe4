#include "evaluator/output/xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dsl/base/interrupt.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

namespace {

constexpr int max_column_places = 15;

/// Digits after the point of an exact decimal's text ("15000.07": 2; "4846": 0).
int places_of(const std::string& decimal) {
    auto dot = decimal.find('.');
    return dot == std::string::npos ? 0 : static_cast<int>(decimal.size() - dot - 1);
}

/// The exact decimal text of `n` / 10^places ("1500007", 2: "15000.07"; "-5", 2: "-0.05").
std::string scaled_text(std::int64_t n, int places) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    if (places > 0) {
        if (digits.size() <= static_cast<std::size_t>(places)) digits.insert(0, places + 1 - digits.size(), '0');
        digits.insert(digits.size() - places, ".");
    }
    return n < 0 ? "-" + digits : digits;
}

}  // namespace

std::optional<ColumnNumbers> column_numbers(const std::vector<std::string>& cells, int min_places) {
    // The column's decimals: the most any value needs (every value a terminating decimal),
    // at least min_places.
    std::vector<std::optional<Rational>> values;
    int places = std::max(0, min_places);
    for (const auto& cell : cells) {
        if (cell.empty()) {
            values.emplace_back();
            continue;
        }
        auto r = Rational::parse(cell);
        if (!r || !r->terminates()) return std::nullopt;
        places = std::max(places, places_of(r->to_string()));
        if (places > max_column_places) return std::nullopt;
        values.push_back(std::move(r));
    }
    Rational scale(1);
    for (int i = 0; i < places; ++i) scale = scale * Rational(10);
    ColumnNumbers out{places, {}};
    for (const auto& r : values) {
        if (!r) {
            out.numbers.emplace_back();
            continue;
        }
        // Shown at `places` decimals the value has at most 15 digits (what Excel shows of a
        // number): the integer n = value × 10^places is below 10^15 < 2^53, so it and
        // 10^places (places <= 15 < 23) are exact doubles, and their quotient is the one
        // correctly rounded IEEE division: the double nearest the exact value.
        auto n = (*r * scale).to_int64();
        if (!n || *n >= 1'000'000'000'000'000 || *n <= -1'000'000'000'000'000) return std::nullopt;
        double power = 1;
        for (int i = 0; i < places; ++i) power *= 10;   // 10^k, k <= 22: every product exact
        const double v = static_cast<double>(*n) / power;
        // What the cell shows at its number format must be the exact value's text: printed
        // back at the column's decimals, the double gives the same digits.
        char shown[64];
        std::snprintf(shown, sizeof shown, "%.*f", places, v);
        if (scaled_text(*n, places) != shown) return std::nullopt;
        // The file holds the text libxlsxwriter prints, 16 significant digits ("%.16G"),
        // which may end in a stray digit (15000.070000000001): it must read back as this
        // same double, so that Excel holds what typing the exact value would give it.
        char written[64];
        std::snprintf(written, sizeof written, "%.16G", v);
        if (std::strtod(written, nullptr) != v) return std::nullopt;
        out.numbers.emplace_back(v);
    }
    return out;
}

namespace {

/// What a worksheet holds (Excel's limits; libxlsxwriter refuses more, and a refused cell
/// would be left empty): characters per cell, rows and columns per sheet.
constexpr std::size_t max_cell_chars = 32'767;
constexpr std::size_t max_rows = 1'048'576;
constexpr std::size_t max_columns = 16'384;

/// A column's letters: 0 → A, 26 → AA.
std::string column_letters(std::size_t c) {
    std::string out;
    for (++c; c > 0; c = (c - 1) / 26) out.insert(out.begin(), static_cast<char>('A' + (c - 1) % 26));
    return out;
}

std::string thousands(std::size_t n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

/// The cell `r`, `c` of `s` named for a message: `results!D4 (title of D03)` — the column's
/// header and the row's first cell, when they are not the cell itself.
std::string cell_name(const Sheet& s, std::size_t r, std::size_t c) {
    std::string out = fmt::format("{}!{}{}", s.name, column_letters(c), r + 1);
    auto short_text = [](const std::string& t) { return t.size() <= 64 ? dsl::printable(t) : std::string(); };
    const std::string header = r > 0 && !s.rows.empty() && c < s.rows[0].size() ? short_text(s.rows[0][c]) : "";
    const std::string key_name = r > 0 && c > 0 && !s.rows[0].empty() ? short_text(s.rows[0][0]) : "";
    const std::string key = r > 0 && c > 0 && !s.rows[r].empty() ? short_text(s.rows[r][0]) : "";
    if (!header.empty() && !key.empty()) out += fmt::format(" ({}, {} {})", header, key_name, key);
    else if (!header.empty()) out += fmt::format(" ({})", header);
    return out;
}

/// Why the sheets cannot be written whole, or empty: a sheet past Excel's rows or columns,
/// a text past its characters per cell. The workbook is then not written at all: a cell
/// left empty would be lost without a word.
std::string too_large(const std::vector<Sheet>& sheets) {
    for (const Sheet& s : sheets) {
        if (s.rows.size() > max_rows)
            return fmt::format("the {} sheet would have {} rows, more than the {} a worksheet holds (Excel's limit)", s.name,
                               thousands(s.rows.size()), thousands(max_rows));
        for (std::size_t r = 0; r < s.rows.size(); ++r) {
            if (s.rows[r].size() > max_columns)
                return fmt::format("row {} of the {} sheet would have {} columns, more than the {} a worksheet holds (Excel's "
                                   "limit)",
                                   r + 1, s.name, thousands(s.rows[r].size()), thousands(max_columns));
            for (std::size_t c = 0; c < s.rows[r].size(); ++c) {
                const std::string& cell = s.rows[r][c];
                if (cell.size() <= max_cell_chars) continue;   // (a character is at least a byte)
                if (const std::size_t n = dsl::utf16_units(cell); n > max_cell_chars)
                    return fmt::format("the cell {} holds {} characters, more than the {} a cell of a workbook holds (Excel's "
                                       "limit, which counts a character past U+FFFF as two)",
                                       cell_name(s, r, c), thousands(n), thousands(max_cell_chars));
            }
        }
    }
    return {};
}

}  // namespace

std::string cell_text(std::string_view text) {
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool escaped = text[i] == '_' && i + 7 <= text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
                             hex(text[i + 2]) && hex(text[i + 3]) && hex(text[i + 4]) && hex(text[i + 5]) &&
                             text[i + 6] == '_';
        if (escaped) out += "_x005F";
        out += text[i];
    }
    return out;
}

Result<std::string> xlsx_workbook(const std::vector<Sheet>& sheets) {
    if (std::string why = too_large(sheets); !why.empty()) return dsl::one_error({}, why);
    // Built in a private folder (0700) with the library's own temporary files: removed on
    // return, and by a signal that ends the command — the workbook holds the figures.
    TempFolder folder;
    std::string error;
    if (!folder.make("hoshu-xlsx", error)) return dsl::one_error({}, error);
    const std::string path = folder.path() + "/workbook.xlsx";
    std::string tmpdir = folder.path();
    lxw_workbook_options options{};
    options.tmpdir = tmpdir.data();
    lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
    if (wb == nullptr) return dsl::one_error({}, "cannot start a workbook (out of memory)");
    // Every call checked: a cell the library refuses is never left out silently.
    lxw_error failed = LXW_NO_ERROR;
    std::string where;
    auto check = [&](lxw_error e, const std::string& what) {
        if (e != LXW_NO_ERROR && failed == LXW_NO_ERROR) {
            failed = e;
            where = what;
        }
    };
    auto give_up = [&]() -> Result<std::string> {
        workbook_close(wb);   // frees it; the folder, and what it wrote there, goes with `folder`
        return dsl::one_error({}, fmt::format("cannot write {}: {}", where, lxw_strerror(failed)));
    };
    // A fixed creation time: the same result gives the same workbook.
    lxw_doc_properties props{};
    props.created = 0;
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) props.created = static_cast<time_t>(std::strtoll(epoch, nullptr, 10));
    check(workbook_set_properties(wb, &props), "the workbook's properties");
    lxw_format* bold = workbook_add_format(wb);
    if (bold == nullptr) check(LXW_ERROR_MEMORY_MALLOC_FAILED, "a cell format");
    else format_set_bold(bold);
    // One number format per count of decimals: "#,##0.00" for 2, "#,##0" for none.
    std::map<int, lxw_format*> fixed;
    auto format_for = [&](int places) -> lxw_format* {
        auto& f = fixed[places];
        if (f == nullptr) {
            f = workbook_add_format(wb);
            if (f == nullptr) {
                check(LXW_ERROR_MEMORY_MALLOC_FAILED, "a number format");
                return nullptr;
            }
            format_set_num_format(
                f, places == 0 ? "#,##0" : ("#,##0." + std::string(static_cast<std::size_t>(places), '0')).c_str());
        }
        return f;
    };
    if (failed != LXW_NO_ERROR) return give_up();
    for (const Sheet& s : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
        if (ws == nullptr) {
            check(LXW_ERROR_MEMORY_MALLOC_FAILED, "the " + s.name + " sheet");
            return give_up();
        }
        // Each numeric column is decided whole: all its values numbers, or all text.
        std::size_t width = 0;
        for (const auto& row : s.rows) width = std::max(width, row.size());
        std::vector<std::optional<ColumnNumbers>> columns(width);
        for (std::size_t c = 0; c < width && c < s.numeric.size(); ++c) {
            if (!s.numeric[c]) continue;
            std::vector<std::string> cells;
            for (std::size_t r = 1; r < s.rows.size(); ++r) cells.push_back(c < s.rows[r].size() ? s.rows[r][c] : "");
            columns[c] = column_numbers(cells, c < s.min_places.size() ? s.min_places[c] : 0);
        }
        for (std::size_t r = 0; r < s.rows.size(); ++r) {
            for (std::size_t c = 0; c < s.rows[r].size(); ++c) {
                const std::string& cell = s.rows[r][c];
                auto row = static_cast<lxw_row_t>(r);
                auto col = static_cast<lxw_col_t>(c);
                std::optional<double> number;
                if (r > 0 && columns[c]) number = columns[c]->numbers[r - 1];
                const bool label = c < s.labels.size() && s.labels[c];
                lxw_error e = LXW_NO_ERROR;
                if (number) e = worksheet_write_number(ws, row, col, *number, label ? nullptr : format_for(columns[c]->places));
                else if (!cell.empty())
                    e = worksheet_write_string(ws, row, col, cell_text(cell).c_str(), r == 0 ? bold : nullptr);
                if (e != LXW_NO_ERROR) check(e, "the cell " + cell_name(s, r, c));
                if (failed != LXW_NO_ERROR) return give_up();
            }
        }
    }
    if (lxw_error err = workbook_close(wb); err != LXW_NO_ERROR)
        return dsl::one_error({}, fmt::format("cannot write the workbook in {}: {}", folder.path(), lxw_strerror(err)));
    pause_for_test("HOSHU_TEST_PAUSE_IN_WORKBOOK");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    if (!in || bytes.empty()) return dsl::one_error({}, fmt::format("cannot read back the workbook written in {}", folder.path()));
    return bytes;
}

}  // namespace hoshu::eval
