// The words of the language, each written once. The words that start a declaration, with
// how the "expected a declaration" hint shows each and where `hoshu diff` lists its kind;
// then the other reserved words. From these tables the grammar reserves every word (no
// name may be one), the parser resumes after a syntax error at a line that starts with a
// declaration word, the hint lists them, and the rules diff orders its kinds.
//
//   declaration_rank("output")    // 10: diff lists outputs after values, before tables
//   starts_declaration("info")    // true
//
// A new kind of declaration is one row of declaration_words; a new reserved word one entry
// of other_reserved_words.
#pragma once

#include <string_view>

namespace hoshu::dsl {

struct DeclarationWord {
    std::string_view word;    // the first word: "param", "per"
    std::string_view shown;   // as the hint lists it: "param"; "per RECORD (per director, …)"
    int diff_rank;            // where the rules diff lists this kind; -1: no kind of its own (per, end)
};

/// In the order the hint lists them.
inline constexpr DeclarationWord declaration_words[] = {
    {"plan", "plan", 0},
    {"import", "import", 1},
    {"per", "per RECORD", -1},   // the hint adds the plan's own record words (parse.cpp)
    {"end", "end", -1},
    {"unit", "unit", 2},
    {"type", "type", 2},
    {"param", "param", 6},
    {"input", "input", 7},
    {"info", "info", 8},
    {"series", "series", 5},
    {"collection", "collection", 3},
    {"value", "value", 9},
    {"output", "output", 10},
    {"table", "table", 11},
    {"limit", "limit", 12},
    {"require", "require", 13},
    {"test", "test", 14},
    {"carry", "carry", 16},
};

/// Every other reserved word: no definition, table, series or type may be named so.
inline constexpr std::string_view other_reserved_words[] = {
    "effective", "from",   "at",     "range",    "to",    "default",  "linear", "above", "below",
    "up",        "source",   "note",   "message", "if",      "then",  "else",     "and",    "or",    "not",
    "is",        "round",    "down",   "half",   "even",     "last",  "before",   "of",     "over",  "where",
    "true",      "false",    "optional", "allocate", "after", "expect", "violation", "monotone",
};

/// Whether `word` is reserved: a declaration word or one of the others.
bool is_reserved_word(std::string_view word);

/// Whether `word` starts a declaration.
bool starts_declaration(std::string_view word);

/// Where the rules diff lists declarations of `kind` (a declaration word); an unknown kind
/// after all others.
int declaration_rank(std::string_view kind);

}  // namespace hoshu::dsl
