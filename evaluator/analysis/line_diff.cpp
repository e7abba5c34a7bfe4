#include "evaluator/analysis/line_diff.hpp"

#include <algorithm>
#include <cstdint>

namespace hoshu::eval {

std::vector<std::string> line_diff(std::string_view a, std::string_view b, std::size_t context) {
    auto split = [](std::string_view s) {
        std::vector<std::string_view> lines;
        std::size_t pos = 0;
        while (pos <= s.size()) {
            std::size_t nl = s.find('\n', pos);
            lines.push_back(s.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
            if (nl == std::string_view::npos) break;
            pos = nl + 1;
        }
        return lines;
    };
    auto x = split(a);
    auto y = split(b);
    // Longest common subsequence of lines; declarations are short, so O(n·m) is fine.
    std::size_t n = x.size(), m = y.size();
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    struct Line {
        char op;
        std::string_view text;
    };
    std::vector<Line> all;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && x[i] == y[j]) {
            all.push_back({' ', x[i]});
            ++i, ++j;
        } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
            all.push_back({'+', y[j++]});
        } else {
            all.push_back({'-', x[i++]});
        }
    }
    // Keep `context` unchanged lines around each change; cut the rest to "…". With no
    // change at all (a declaration that only moved), keep every line.
    bool any = std::any_of(all.begin(), all.end(), [](const Line& l) { return l.op != ' '; });
    std::vector<bool> keep(all.size(), !any);
    for (std::size_t k = 0; k < all.size(); ++k) {
        if (all[k].op == ' ') continue;
        std::size_t from = k >= context ? k - context : 0;
        std::size_t to = std::min(all.size(), k + context + 1);
        for (std::size_t q = from; q < to; ++q) keep[q] = true;
    }
    std::vector<std::string> out;
    bool cut = false;
    for (std::size_t k = 0; k < all.size(); ++k) {
        if (!keep[k]) {
            if (!cut) out.push_back("…");
            cut = true;
            continue;
        }
        cut = false;
        out.push_back(std::string(1, all[k].op) + " " + std::string(all[k].text));
    }
    for (auto& line : out) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
    }
    return out;
}

}  // namespace hoshu::eval
