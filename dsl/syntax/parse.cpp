#include "dsl/syntax/parse.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/diagnostics.hpp"

#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/config.hpp"
#include "dsl/syntax/keywords.hpp"
#include "dsl/syntax/letters.hpp"

namespace hoshu::dsl {

namespace {

using parser::iterator_type;

bool is_word_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_';
}

/// Skip blanks and comments from `i`.
std::size_t skip_blank(std::string_view text, std::size_t i) {
    while (i < text.size()) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            ++i;
        } else if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else {
            break;
        }
    }
    return i;
}

/// Whether the word at `i` starts a declaration (keywords.hpp).
bool starts_declaration(std::string_view text, std::size_t i) {
    std::size_t j = i;
    while (j < text.size() && is_word_char(text[j])) ++j;
    return j > i && dsl::starts_declaration(text.substr(i, j - i));
}

/// The next line (after the one holding `i`) whose first token starts a declaration.
std::size_t resync(std::string_view text, std::size_t i) {
    while (true) {
        auto nl = text.find('\n', i);
        if (nl == std::string_view::npos) return text.size();
        std::size_t j = nl + 1;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
        if (starts_declaration(text, j)) return j;
        i = nl + 1;
    }
}

/// The token at i, for "found '…'": a word, a number, a quoted string start or one character.
std::string_view token_at(std::string_view text, std::size_t i) {
    if (i >= text.size()) return {};
    std::size_t j = i;
    if (name_char_length(text.data(), j, text.size(), false) != 0) {
        std::size_t len;
        while ((len = name_char_length(text.data(), j, text.size(), false)) != 0) j += len;
    } else {
        ++j;
        while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;  // whole code point
    }
    return text.substr(i, j - i);
}

/// Where to point for an error found at `where`: the next token if it is on the same line,
/// else the end of the line (the error is "at end of line").
struct ErrorPlace {
    std::size_t begin, end;
    std::string found;
};

ErrorPlace place_error(std::string_view text, std::size_t where) {
    std::size_t next = skip_blank(text, where);
    bool same_line = text.substr(where, next - where).find('\n') == std::string_view::npos &&
                     (next >= text.size() || text[next] != '\n');
    if (next >= text.size()) {
        std::size_t at = where;
        while (at > 0 && (text[at - 1] == '\n' || text[at - 1] == ' ')) --at;
        return {at, at, "at end of file"};
    }
    if (!same_line) {
        std::size_t eol = text.find('\n', where);
        if (eol == std::string_view::npos) eol = text.size();
        // Trailing blanks and comments stay on the line; point just after the last token.
        std::size_t at = where;
        while (at < eol && (text[at] == ' ' || text[at] == '\t')) ++at;
        if (at < eol && text[at] == '#') at = where;
        if (at == eol) at = where;
        return {at, at, "at end of line"};
    }
    auto tok = token_at(text, next);
    return {next, next + tok.size(), "found '" + std::string(tok) + "'"};
}

/// The record words this file declares (`collection officers: officer …`), for hints.
std::vector<std::string> records_of(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while ((i = text.find("collection", i)) != std::string_view::npos) {
        bool at_start = i == 0 || text[i - 1] == '\n' || text[i - 1] == ' ' || text[i - 1] == '\t';
        i += 10;
        if (!at_start || i >= text.size() || text[i] != ' ') continue;
        std::size_t n = skip_blank(text, i);
        auto plural = token_at(text, n);
        std::size_t colon = skip_blank(text, n + plural.size());
        if (plural.empty() || colon >= text.size() || text[colon] != ':') continue;
        std::size_t s = skip_blank(text, colon + 1);
        if (s < text.size() && name_char_length(text.data(), s, text.size(), true) != 0) {
            std::string word(token_at(text, s));
            if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
        }
    }
    return out;
}

/// The name a declaration declares, if it has one.
std::string declared_name(const ast::Declaration& d) {
    return boost::apply_visitor(
        [](const auto& x) -> std::string {
            if constexpr (requires { x.name.text; }) return x.name.text;
            else return {};
        },
        d.get());
}

/// The rest of the line from `i`, without trailing blanks.
std::string_view rest_of_line(std::string_view text, std::size_t i) {
    std::size_t eol = text.find('\n', i);
    if (eol == std::string_view::npos) eol = text.size();
    auto r = text.substr(i, eol - i);
    while (!r.empty() && (r.back() == ' ' || r.back() == '\t' || r.back() == '\r')) r.remove_suffix(1);
    return r;
}

/// A token that is no declaration, found where the last declaration ended (`source P4 good
/// leaver …`, `message too many units`, `linear 0.50, to 1.00`, `unit PSU plurl PSUs`, a
/// unit on the line after its number, carry fields without their comma): one error that
/// says what the declaration before it is missing. The declaration is mended where the
/// intent is plain, or dropped with its name counted as declared, so that the checker says
/// nothing more of it. False when the token is no such case.
bool stray_after_declaration(std::string_view view, FileId file, std::size_t pos, std::size_t parsed_to,
                             ast::File& result, Diagnostics& diags) {
    if (parsed_to == std::string_view::npos || result.declarations.empty() || skip_blank(view, parsed_to) != pos)
        return false;
    auto tok = token_at(view, pos);
    SourceRange at =
        SourceRange::in(file, static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(pos + tok.size()));
    // Where the last declaration's text ends (the parser has skipped the blanks after it).
    const std::size_t last_end = std::min<std::size_t>(
        pos, boost::apply_visitor([](const auto& x) -> std::size_t { return x.end; }, result.declarations.back().get()));
    parsed_to = last_end;
    const bool same_line = view.substr(parsed_to, pos - parsed_to).find('\n') == std::string_view::npos;
    const bool is_word = name_char_length(view.data(), pos, view.size(), true) != 0;
    ast::Declaration& last = result.declarations.back();
    auto drop_last = [&] {
        auto name = declared_name(last);
        if (!name.empty()) result.cut_short.push_back(name);
        result.declarations.pop_back();
    };
    auto annotations_of = [](ast::Declaration& d) -> ast::Annotations* {
        return boost::apply_visitor(
            [](auto& x) -> ast::Annotations* {
                if constexpr (requires { x.annotations; }) return &x.annotations;
                else return nullptr;
            },
            d.get());
    };
    // `source P4 good leaver …`, `message too many units`: the text is not quoted.
    if (same_line && is_word) {
        if (auto* as = annotations_of(last); as && !as->empty() && !as->back().text) {
            auto& a = as->back();
            auto& d = diags.error(at, "the text of `{}` goes in quotes", a.keyword);
            std::string words = a.clause ? a.clause->text + " " : std::string();
            words += std::string(rest_of_line(view, pos));
            if (a.keyword == "source") {
                d.hint = fmt::format("as in: source {} \"{}\"", a.clause ? a.clause->text : std::string("C8"),
                                     rest_of_line(view, pos));
                a.text = ast::StringLit();
                a.text->value = std::string(rest_of_line(view, pos));
            } else {
                if (a.clause) d.range = SourceRange::in(file, a.clause->begin, static_cast<std::uint32_t>(pos + tok.size()));
                d.hint = fmt::format("as in: {} \"{}\"", a.keyword, words);
                a.text = ast::StringLit();
                a.text->value = words;
                a.clause.reset();
            }
            return true;
        }
    }
    // `linear 0.50, to 1.00`: the two ends are written without a comma.
    if (same_line && tok == ",") {
        if (auto* t = boost::get<ast::TableDecl>(&last.get());
            t && !t->rows.empty() && t->rows.back().linear && !t->rows.back().value_to) {
            auto& d = diags.error(at, "`linear` needs both ends, with no comma between them");
            d.hint = "as in: from 5% to 15% -> linear 0.50 to 1.50";
            drop_last();
            return true;
        }
    }
    // `unit PSU plurl PSUs whole`: a misspelt word of the unit's declaration.
    if (same_line && is_word) {
        if (auto* u = boost::get<ast::UnitDecl>(&last.get())) {
            std::vector<std::string> words{"currency", "minor", "plural", "whole"};
            if (auto best = closest(tok, words, 2)) {
                auto& d = diags.error(at, "expected 'currency', 'minor', 'plural' or 'whole', found '{}'", tok);
                d.hint = fmt::format("did you mean `{}`? A unit reads: unit NAME [currency \"$\" minor 0.01] "
                                     "[plural NAME] [whole]",
                                     *best);
                // Mend it as meant, so that its uses are no second error.
                std::size_t n = skip_blank(view, pos + tok.size());
                if (*best == "plural" && !u->plural && n < view.size() &&
                    name_char_length(view.data(), n, view.size(), true) != 0) {
                    u->plural = ast::Name(std::string(token_at(view, n)));
                    u->plural->begin = static_cast<std::uint32_t>(n);
                    u->plural->end = static_cast<std::uint32_t>(n + u->plural->text.size());
                    n = skip_blank(view, n + u->plural->text.size());
                    if (token_at(view, n) == "whole") u->whole = true;
                } else if (*best == "whole") {
                    u->whole = true;
                }
                return true;
            }
        }
    }
    // A number's unit on the next line (`= 30000` / `PSUs`).
    if (!same_line && is_word) {
        std::size_t before = parsed_to;
        while (before > 0 && (view[before - 1] == ' ' || view[before - 1] == '\t')) --before;
        std::size_t after = skip_blank(view, pos + tok.size());
        bool ends_in_number = before > 0 && view[before - 1] >= '0' && view[before - 1] <= '9';
        bool word_alone = after >= view.size() || view.substr(pos + tok.size(), after - pos - tok.size()).find('\n') !=
                                                      std::string_view::npos;
        bool a_unit = false;
        static const char* const builtin[] = {"JPY", "shares", "share", "months", "month", "days", "day",
                                              "years", "year", "percent"};
        for (const char* b : builtin) a_unit = a_unit || tok == b;
        for (const auto& decl : result.declarations)
            if (auto* u = boost::get<ast::UnitDecl>(&decl.get()))
                a_unit = a_unit || tok == u->name.text || (u->plural && tok == u->plural->text);
        if (ends_in_number && word_alone && a_unit && !declared_name(last).empty()) {
            auto& d = diags.error(at, "a number's unit goes on the number's line");
            // (The number as written: `1,234,567`, `1_234_567`, `0.5`.)
            std::size_t b = before;
            while (b > 0 && ((view[b - 1] >= '0' && view[b - 1] <= '9') || view[b - 1] == ',' || view[b - 1] == '.' ||
                             view[b - 1] == '_'))
                --b;
            d.hint = fmt::format("write it right after the number: `{} {}`", view.substr(b, before - b), tok);
            drop_last();
            return true;
        }
    }
    // Carry fields continued on the next line without their comma.
    if (!same_line && is_word) {
        if (boost::get<ast::CarryDecl>(&last.get()) != nullptr) {
            std::size_t after = skip_blank(view, pos + tok.size());
            if (after < view.size() && view[after] == '=' && (after + 1 >= view.size() || view[after + 1] != '=')) {
                auto& d = diags.error(at, "the fields of a carry are separated by commas: a `,` is missing before `{}`",
                                      tok);
                d.hint = "end the line before with a comma, as in: id = id, level = level,";
                return true;
            }
        }
    }
    return false;
}

/// `digits` (a numeral without its `_` and `,`, perhaps with a point) times ten to the
/// `exponent`, written in full: ("1.5", 3) is "1500", ("1", -3) is "0.001". Exact: the
/// point moves, nothing is computed.
std::string shift_point(std::string_view digits, int exponent) {
    const std::size_t dot = std::min(digits.find('.'), digits.size());
    std::string all(digits.substr(0, dot));
    if (dot < digits.size()) all += digits.substr(dot + 1);
    const long point = static_cast<long>(dot) + exponent;   // where the point goes in `all`
    std::string whole, fraction;
    if (point <= 0) {
        whole = "0";
        fraction = std::string(static_cast<std::size_t>(-point), '0') + all;
    } else if (static_cast<std::size_t>(point) >= all.size()) {
        whole = all + std::string(static_cast<std::size_t>(point) - all.size(), '0');
    } else {
        whole = all.substr(0, static_cast<std::size_t>(point));
        fraction = all.substr(static_cast<std::size_t>(point));
    }
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
    fraction.erase(std::min(fraction.find_last_not_of('0') + 1, fraction.size()));
    return fraction.empty() ? whole : whole + "." + fraction;
}

/// The currency signs a number may open with (grammar_def.hpp's `currency_sign`).
constexpr std::string_view currency_signs[] = {"¥", "￥", "$", "€", "£"};

/// `1e-30`, `3e11`, `¥1e6`: the grammar refused an exponent at `e_at`, right after a
/// number's digits. One error at the whole number, whose hint writes it in full — digits
/// grouped by `_` in threes (`300_000_000_000`), or by commas after a currency sign
/// (`¥1,000,000`), as each is written in a rule file.
void scientific_notation(std::string_view text, FileId file, std::size_t e_at, Diagnostics& diags) {
    auto is_digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
    // The digits before the `e`: `1_000.5`, `1,000` (a comma only between digits, three after it).
    std::size_t begin = e_at;
    while (begin > 0 && (is_digit(begin - 1) || text[begin - 1] == '_' || text[begin - 1] == '.' ||
                         (text[begin - 1] == ',' && begin >= 2 && is_digit(begin - 2) && is_digit(begin))))
        --begin;
    while (begin < e_at && !is_digit(begin)) ++begin;
    std::string_view sign;
    for (auto s : currency_signs)
        if (text.substr(0, begin).ends_with(s)) sign = s;
    std::size_t end = e_at + 1;
    if (end < text.size() && (text[end] == '+' || text[end] == '-')) ++end;
    const std::size_t exponent_digits = end;
    while (is_digit(end)) ++end;
    const std::string_view written = text.substr(begin - sign.size(), end - (begin - sign.size()));
    auto& d = diags.error(SourceRange::in(file, static_cast<std::uint32_t>(begin - sign.size()),
                                          static_cast<std::uint32_t>(end)),
                          "`{}` is scientific notation, which a rule file does not read", written);
    std::string digits(text.substr(begin, e_at - begin));
    digits.erase(std::remove_if(digits.begin(), digits.end(), [](char ch) { return ch == '_' || ch == ','; }),
                 digits.end());
    // Past 10^±40 the number in full helps no one: say how, not what.
    std::string_view exponent = text.substr(exponent_digits, end - exponent_digits);
    exponent.remove_prefix(std::min(exponent.find_first_not_of('0'), exponent.size()));
    if (exponent.size() > 2 || (!exponent.empty() && std::stoi(std::string(exponent)) > 40)) {
        d.hint = sign.empty() ? "write the number in full (digits may be grouped with `_`)"
                              : "write the number in full (digits may be grouped with `,`)";
        return;
    }
    const int power = exponent.empty() ? 0 : std::stoi(std::string(exponent));
    std::string full = shift_point(digits, text[e_at + 1] == '-' ? -power : power);
    // Integer digits grouped in threes: `300_000_000_000`, `¥1,000,000`.
    const std::size_t point = std::min(full.find('.'), full.size());
    if (point > (sign.empty() ? 4 : 3))
        for (std::size_t i = point; i > 3; i -= 3) full.insert(i - 3, sign.empty() ? "_" : ",");
    d.hint = fmt::format("write the number in full: `{}{}`", sign, full);
}

/// Full-width lookalikes of ASCII punctuation that an input method slips in (`payout（g）`):
/// each is one error, at the first on its line, and is read as its ASCII character (the
/// same number of bytes: the character and blanks), so that nothing else is reported of it.
std::string ascii_lookalikes(std::string_view text, FileId file, Diagnostics& diags) {
    static const std::pair<std::string_view, char> lookalikes[] = {
        {"\xEF\xBC\x88", '('}, {"\xEF\xBC\x89", ')'}, {"\xEF\xBC\x8C", ','}, {"\xEF\xBC\x9A", ':'},
        {"\xEF\xBC\x9D", '='}, {"\xEF\xBC\x85", '%'}, {"\xEF\xBC\x9C", '<'}, {"\xEF\xBC\x9E", '>'},
        {"\xEF\xBC\x8B", '+'}, {"\xEF\xBC\x8D", '-'}, {"\xEF\xBC\x8A", '*'}, {"\xEF\xBC\x8F", '/'},
    };
    std::string out;
    Diagnostic* on_line = nullptr;
    std::string others;   // the other lookalikes of the line, for its hint
    auto close_line = [&] {
        if (on_line && !others.empty()) on_line->hint += "; likewise " + others + " on this line";
        on_line = nullptr;
        others.clear();
    };
    bool quoted = false, comment = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (ch == '\n') {
            comment = quoted = false;
            close_line();
            continue;
        }
        if (comment) continue;
        if (ch == '"') quoted = !quoted;
        if (quoted) continue;
        if (ch == '#') {
            comment = true;
            continue;
        }
        if (static_cast<unsigned char>(ch) != 0xEF) continue;
        for (const auto& [wide, ascii] : lookalikes) {
            if (text.substr(i, wide.size()) != wide) continue;
            if (out.empty()) out = std::string(text);
            out[i] = ascii;
            out[i + 1] = out[i + 2] = ' ';
            if (on_line == nullptr) {
                on_line = &diags.error(SourceRange::in(file, static_cast<std::uint32_t>(i),
                                                       static_cast<std::uint32_t>(i + wide.size())),
                                       "`{}` is a full-width character: write the ASCII `{}`", wide, ascii);
                on_line->hint = fmt::format("`{}` and `{}` look alike; the rules are written in ASCII outside quotes and "
                                            "comments",
                                            wide, ascii);
            } else if (others.find(wide) == std::string::npos) {
                others += (others.empty() ? "" : ", ") + fmt::format("`{}` for `{}`", wide, ascii);
            }
            i += wide.size() - 1;
            break;
        }
    }
    close_line();
    return out;
}

}  // namespace

const char* declaration_keywords() {
    static const std::string list = declaration_keywords(std::vector<std::string>());
    return list.c_str();
}

std::string declaration_keywords(const std::vector<std::string>& records) {
    std::string out;
    for (const auto& w : declaration_words) {
        std::string shown(w.shown);
        if (w.word == "per") {
            // The plan's own record words when this file names them (`per officer`).
            shown = "per RECORD";
            if (!records.empty()) {
                shown += " (";
                for (std::size_t i = 0; i < records.size() && i < 2; ++i) shown += "per " + records[i] + ", ";
                shown += "…)";
            }
        }
        out += (out.empty() ? "" : ", ") + shown;
    }
    return out;
}

std::shared_ptr<ast::File> parse_file(const SourceManager& sm, FileId file, Diagnostics& diags) {
    auto result = std::make_shared<ast::File>();
    const std::string mended = ascii_lookalikes(sm.file(file).text(), file, diags);
    const std::string& text = mended.empty() ? sm.file(file).text() : mended;
    std::string_view view(text);
    iterator_type const file_begin = text.begin();
    // A UTF-8 byte order mark that opens the file is not part of the text.
    std::size_t pos = view.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    std::size_t parsed_to = std::string_view::npos;   // where the last declaration parsed ended
    while (true) {
        pos = skip_blank(view, pos);
        if (pos >= view.size()) break;
        iterator_type it = text.begin() + static_cast<std::ptrdiff_t>(pos);
        ast::Declaration decl;
        bool ok = false;
        try {
            ok = boost::spirit::x3::phrase_parse(
                it, text.end(), boost::spirit::x3::with<parser::position_tag>(file_begin)[declaration_rule()],
                parser::skipper, decl);
        } catch (boost::spirit::x3::expectation_failure<iterator_type> const& e) {
            auto where = static_cast<std::size_t>(e.where() - file_begin);
            auto place = place_error(view, where);
            auto range = SourceRange::in(file, static_cast<std::uint32_t>(place.begin),
                                         static_cast<std::uint32_t>(place.end));
            auto word = view.substr(place.begin, place.end - place.begin);
            if (e.which() == "no scientific notation") {
                scientific_notation(view, file, where, diags);
            } else if (e.which().rfind("an escape", 0) == 0 && where > 0 && view[where - 1] == '\\' &&
                       where < view.size() && view[where] != '\n' && view[where] != '\r') {
                // `"a\there"`: the backslash and the one character after it, by name.
                std::size_t len = 1;   // the whole code point after the backslash
                while (where + len < view.size() && (static_cast<unsigned char>(view[where + len]) & 0xC0) == 0x80) ++len;
                const auto bad = SourceRange::in(file, static_cast<std::uint32_t>(where - 1),
                                                 static_cast<std::uint32_t>(where + len));
                auto& d = diags.error(bad, "`{}` is not an escape in text in quotes", printable(view.substr(where - 1, len + 1)));
                d.hint = view[where] == 't' ? "a tab is written as it is, or as spaces; the escapes are \\\" \\\\ and \\n"
                                            : "the escapes are \\\" \\\\ and \\n; a backslash itself is written \\\\";
            } else if (e.which().find("name") != std::string::npos && is_reserved_word(word)) {
                auto& d = diags.error(range, "`{}` is a reserved word; choose another name", word);
                d.hint = "docs/LANGUAGE.md lists the reserved words";
            } else if (word == "=" && (e.which() == "'then'" || e.which() == "'else'")) {
                // `if a = b then …`
                auto& d = diags.error(range, "a single `=` does not compare: to compare, write `==`");
                d.hint = "`=` only starts a definition's formula, as in: value x: shares = …";
            } else {
                auto& d = diags.error(range, "expected {}, {}", e.which(), place.found);
                // `from grant_date - 1 year up to …`: the window's start ended at its first
                // operand; a formula there goes in parentheses.
                // A table row whose first word is misspelt (`abov 15% -> 1.50`), or `=>` for `->`.
                if (e.which() == "'->'") {
                    std::size_t b = place.begin;
                    while (b > 0 && (view[b - 1] == ' ' || view[b - 1] == '\t')) --b;
                    std::size_t a = b;
                    while (a > 0 && is_word_char(view[a - 1])) --a;
                    std::vector<std::string> row_words{"above", "below", "from", "up"};
                    auto best = a < b ? closest(view.substr(a, b - a), row_words, 2) : std::nullopt;
                    if (word == "=")
                        d.hint = "a row's value follows `->`, as in: below 5% -> 0";
                    else if (best && view.substr(a, b - a) != *best)
                        d.hint = fmt::format("did you mean `{}`? A row starts with `below`, `up to`, `from` or `above`",
                                             *best);
                }
                if (e.which() == "'before' or 'up to'" && (word == "-" || word == "+" || word == "*" || word == "/"))
                    d.hint = "a window's start that is a formula goes in parentheses, as in: sum of dividend from "
                             "(grant_date - 1 year) up to grant_date";
            }
            // The name the declaration cut short declares (`value divs: …`): its uses are no
            // second error.
            {
                auto keyword = token_at(view, pos);
                std::size_t n = skip_blank(view, pos + keyword.size());
                if (dsl::starts_declaration(keyword) && n < view.size() &&
                    name_char_length(view.data(), n, view.size(), true) != 0)
                    result->cut_short.emplace_back(token_at(view, n));
                // A `plan` declaration cut short is no missing one (the word is reserved: no
                // name declared elsewhere is `plan`).
                if (keyword == "plan") result->cut_short.emplace_back("plan");
            }
            // Resume at the next declaration: the one the error ran into, if it starts a line.
            std::size_t next = skip_blank(view, where);
            std::size_t line_start = view.rfind('\n', next == 0 ? 0 : next - 1);
            line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
            bool at_line_start = view.substr(line_start, next - line_start).find_first_not_of(" \t") ==
                                 std::string_view::npos;
            pos = next > pos && next < view.size() && at_line_start && starts_declaration(view, next)
                      ? next
                      : resync(view, where);
            continue;
        }
        if (ok) {
            result->declarations.push_back(std::move(decl));
            pos = parsed_to = static_cast<std::size_t>(it - file_begin);
            continue;
        }
        auto tok = token_at(view, pos);
        const SourceRange at = SourceRange::in(file, static_cast<std::uint32_t>(pos),
                                               static_cast<std::uint32_t>(pos + tok.size()));
        if (tok == "=") {
            // Right after a limit's total (`limit cap: total = 300 shares`): its bound meant;
            // after a condition (`require r: a = b`): a comparison. The checker says nothing
            // more of the declaration cut short here.
            const bool after_limit = parsed_to != std::string_view::npos && skip_blank(view, parsed_to) == pos &&
                                     !result->declarations.empty() &&
                                     boost::get<ast::LimitDecl>(&result->declarations.back().get()) != nullptr;
            if (after_limit) {
                auto& d = diags.error(at, "a single `=` does not bound a limit: write `<=` (or `<`)");
                d.hint = "a limit reads `total <= bound`, as in: limit cap: sum of granted over directors <= 300 shares";
            } else {
                auto& d = diags.error(at, "a single `=` does not compare: to compare, write `==`");
                d.hint = "`=` only starts a definition's formula, as in: value x: shares = …";
                // The declaration before it ended at its left operand (`… where a = b`): the
                // checker says nothing more of it.
                if (parsed_to != std::string_view::npos && skip_blank(view, parsed_to) == pos &&
                    !result->declarations.empty()) {
                    auto name = declared_name(result->declarations.back());
                    if (!name.empty()) {
                        result->cut_short.push_back(name);
                        result->declarations.pop_back();
                    }
                }
            }
            pos = resync(view, pos);
            continue;
        }
        if (tok == "≈") {
            // `expect vesting = 4/7 ≈ 57.1429%`: a value copied whole as a report shows it.
            auto& d = diags.error(at, "`≈` marks a figure rounded for display: a rule file holds exact values");
            d.hint = "write the exact value shown before `≈`, as in: expect vesting = 4/7";
            pos = resync(view, pos);
            continue;
        }
        if (tok == "minor") {
            // After `unit penny plural pence`: a minor amount belongs to a currency.
            auto& d = diags.error(at, "`minor` is a currency's smallest amount: a unit that is no currency has none");
            d.hint = "as in: unit GBP currency \"£\" minor 0.01 (a counted unit may be `whole`)";
            pos = resync(view, pos);
            continue;
        }
        if (stray_after_declaration(view, file, pos, parsed_to, *result, diags)) {
            pos = resync(view, pos);
            continue;
        }
        auto& d = diags.error(at, "expected a declaration, found '{}'", tok);
        d.hint = std::string("a declaration starts with one of: ") + declaration_keywords(records_of(view));
        // A misspelt declaration word (`ouput target_units: …`): say which, and the name it
        // would declare counts as declared, so that its uses are no second error.
        if (name_char_length(view.data(), pos, view.size(), true) != 0 && !starts_declaration(view, pos)) {
            std::vector<std::string> words;
            for (const auto& w : declaration_words) words.emplace_back(w.word);
            if (auto best = closest(tok, words, tok.size() > 4 ? 2 : 1))
                d.hint = fmt::format("did you mean `{}`? A declaration starts with one of: {}", *best,
                                     declaration_keywords(records_of(view)));
            std::size_t n = skip_blank(view, pos + tok.size());
            if (n < view.size() && name_char_length(view.data(), n, view.size(), true) != 0) {
                auto name = token_at(view, n);
                std::size_t after = skip_blank(view, n + name.size());
                if (after < view.size() && (view[after] == ':' || view[after] == '(')) result->cut_short.emplace_back(name);
            }
        }
        pos = resync(view, pos);
    }
    // The blocks: `per …` … `end`, not nested. An error here is a syntax error (the checker
    // and `hoshu fmt` both refuse the file: fmt would indent what follows a missing `end`
    // into the block, and the mistake would look intended).
    {
        bool open = false;
        SourceRange opened;
        for (const auto& d : result->declarations) {
            auto const* s = boost::get<ast::ScopeDecl>(&d.get());
            if (s == nullptr) continue;
            auto at = SourceRange::in(file, s->begin, s->end);
            if (s->keyword == "end") {
                if (!open) diags.error(at, "`end` without `per …`");
                open = false;
                continue;
            }
            if (open) {
                diags.error(at, "`per {}` inside another `per` block", s->record.text);
                diags.note(opened, "the block opened here is not closed with `end`");
            }
            open = true;
            opened = at;
        }
        if (open) {
            auto& d = diags.error(opened, "this `per` block is not closed with `end`");
            // Where it probably ends: before the first declaration written no further in than
            // `per`, after one written further in. The block is taken to end there, so that
            // what follows is not also reported as inside it.
            auto begin_of = [](const ast::Declaration& decl) {
                return boost::apply_visitor([](const auto& x) -> std::uint32_t { return x.begin; }, decl.get());
            };
            auto column_of = [&](std::size_t at) {
                std::size_t line_start = at == 0 ? std::string_view::npos : view.rfind('\n', at - 1);
                return at - (line_start == std::string_view::npos ? 0 : line_start + 1);
            };
            auto& decls = result->declarations;
            std::size_t per_index = decls.size();
            for (std::size_t i = decls.size(); i-- > 0;) {
                if (auto const* s = boost::get<ast::ScopeDecl>(&decls[i].get()); s && s->keyword == "per") {
                    per_index = i;
                    break;
                }
            }
            const std::size_t per_column = column_of(opened.begin);
            bool indented = false;
            for (std::size_t i = per_index + 1; i < decls.size(); ++i) {
                std::size_t column = column_of(begin_of(decls[i]));
                if (column > per_column) {
                    indented = true;
                    continue;
                }
                if (!indented) break;
                auto line = sm.file(file).line_col(begin_of(decls[i])).line;
                d.hint = fmt::format("it probably ends before line {}, the first declaration after it that is not "
                                     "indented: write `end` there",
                                     line);
                ast::ScopeDecl end;
                end.keyword = "end";
                end.begin = end.end = begin_of(decls[i]);
                decls.insert(decls.begin() + static_cast<std::ptrdiff_t>(i), ast::Declaration(end));
                break;
            }
        }
    }
    return result;
}

}  // namespace hoshu::dsl
