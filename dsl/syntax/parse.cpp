#include "dsl/syntax/parse.hpp"

#include <string_view>

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

}  // namespace

const char* declaration_keywords() {
    static const std::string list = [] {
        std::string out;
        for (const auto& w : declaration_words) out += (out.empty() ? "" : ", ") + std::string(w.shown);
        return out;
    }();
    return list.c_str();
}

std::shared_ptr<ast::File> parse_file(const SourceManager& sm, FileId file, Diagnostics& diags) {
    auto result = std::make_shared<ast::File>();
    const std::string& text = sm.file(file).text();
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
            if (e.which().find("name") != std::string::npos && is_reserved_word(word)) {
                auto& d = diags.error(range, "`{}` is a reserved word; choose another name", word);
                d.hint = "docs/LANGUAGE.md lists the reserved words";
            } else {
                auto& d = diags.error(range, "expected {}, {}", e.which(), place.found);
                // `from grant_date - 1 year up to …`: the window's start ended at its first
                // operand; a formula there goes in parentheses.
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
            }
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
        auto& d = diags.error(at, "expected a declaration, found '{}'", tok);
        d.hint = std::string("a declaration starts with one of: ") + declaration_keywords();
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
