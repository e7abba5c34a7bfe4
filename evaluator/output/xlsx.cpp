#include "evaluator/output/xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

std::optional<double> exact_double(const std::string& text) {
    auto r = Rational::parse(text);
    if (!r) return std::nullopt;
    // numerator / 2^k with |numerator| < 2^53: exactly a double.
    std::string num = r->numerator_string(), den = r->denominator_string();
    bool negative = !num.empty() && num[0] == '-';
    if (negative) num.erase(0, 1);
    if (num.size() > 16 || den.size() > 16) return std::nullopt;
    std::uint64_t n = std::stoull(num), d = std::stoull(den);
    if (n > (std::uint64_t{1} << 53) || d == 0 || (d & (d - 1)) != 0) return std::nullopt;
    int k = 0;
    while ((std::uint64_t{1} << k) < d) ++k;
    double v = std::ldexp(static_cast<double>(n), -k);   // n < 2^53: exact; a power-of-two scaling: exact
    return negative ? -v : v;
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
    for (const Sheet& s : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
        for (std::size_t r = 0; r < s.rows.size(); ++r) {
            for (std::size_t c = 0; c < s.rows[r].size(); ++c) {
                const std::string& cell = s.rows[r][c];
                auto row = static_cast<lxw_row_t>(r);
                auto col = static_cast<lxw_col_t>(c);
                std::optional<double> number;
                if (r > 0 && c < s.numeric.size() && s.numeric[c] && !cell.empty()) number = exact_double(cell);
                if (number) worksheet_write_number(ws, row, col, *number, nullptr);
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
