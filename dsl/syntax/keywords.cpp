#include "dsl/syntax/keywords.hpp"

#include <iterator>

namespace hoshu::dsl {

bool starts_declaration(std::string_view word) {
    for (const auto& w : declaration_words) {
        if (w.word == word) return true;
    }
    return false;
}

bool is_reserved_word(std::string_view word) {
    if (word.empty()) return false;
    if (starts_declaration(word)) return true;
    for (auto w : other_reserved_words) {
        if (w == word) return true;
    }
    return false;
}

int declaration_rank(std::string_view kind) {
    for (const auto& w : declaration_words) {
        if (w.word == kind && w.diff_rank >= 0) return w.diff_rank;
    }
    return static_cast<int>(std::size(declaration_words));
}

}  // namespace hoshu::dsl
