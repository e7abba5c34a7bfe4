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

Result<std::string> xlsx_workbook(const std::vector<Sheet>& sheets) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = fs::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string path = (dir / fmt::format("hoshu-{}-XXXXXX", ::getpid())).string();
    int fd = ::mkstemp(path.data());
    if (fd < 0) return dsl::one_error({}, fmt::format("cannot create a temporary file for the workbook in {}", dir.string()));
    ::close(fd);
    const SignalCleanup on_signal = SignalCleanup::file(path);   // the workbook holds the figures
    lxw_workbook_options options{};
    options.tmpdir = const_cast<char*>(dir.c_str());
    lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
    if (wb == nullptr) {
        ::unlink(path.c_str());
        return dsl::one_error({}, "cannot start a workbook");
    }
    // A fixed creation time: the same result gives the same workbook.
    lxw_doc_properties props{};
    props.created = 0;
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) props.created = static_cast<time_t>(std::strtoll(epoch, nullptr, 10));
    workbook_set_properties(wb, &props);
    lxw_format* bold = workbook_add_format(wb);
    format_set_bold(bold);
    // One number format per count of decimals: "#,##0.00" for 2, "#,##0" for none.
    std::map<int, lxw_format*> fixed;
    auto format_for = [&](int places) -> lxw_format* {
        auto& f = fixed[places];
        if (f == nullptr) {
            f = workbook_add_format(wb);
            format_set_num_format(
                f, places == 0 ? "#,##0" : ("#,##0." + std::string(static_cast<std::size_t>(places), '0')).c_str());
        }
        return f;
    };
    for (const Sheet& s : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
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
                if (number) worksheet_write_number(ws, row, col, *number, label ? nullptr : format_for(columns[c]->places));
                else if (!cell.empty()) worksheet_write_string(ws, row, col, cell.c_str(), r == 0 ? bold : nullptr);
            }
        }
    }
    lxw_error err = workbook_close(wb);
    std::string bytes;
    if (err == LXW_NO_ERROR) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        bytes = ss.str();
    }
    ::unlink(path.c_str());
    if (err != LXW_NO_ERROR || bytes.empty())
        return dsl::one_error({}, fmt::format("cannot write the workbook: {}", lxw_strerror(err)));
    return bytes;
}

}  // namespace hoshu::eval
