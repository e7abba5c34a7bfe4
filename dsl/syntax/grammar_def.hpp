// The rule-file grammar. Conventions (from the Spirit X3 examples): `>` once the parser
// is committed to a construct, `>>` where backtracking is fine; keywords in a symbol
// table; every rule has a human name, because that name appears in error messages.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include <type_traits>

#include "dsl/base/unicode.hpp"
#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/ast_adapted.hpp"
#include "dsl/syntax/grammar.hpp"
#include "dsl/syntax/keywords.hpp"
#include "dsl/syntax/letters.hpp"

namespace hoshu::dsl::parser {

using x3::attr;
using x3::lexeme;
using x3::lit;
using x3::raw;
using x3::repeat;
namespace ascii = x3::ascii;

/// Records each node's byte range (relative to the start of the file).
struct annotate {
    template <typename T, typename Iterator, typename Context>
    void on_success(Iterator const& first, Iterator const& last, T& node, Context const& context) {
        if constexpr (std::is_base_of_v<ast::Located, T>) {
            auto const& file_begin = x3::get<position_tag>(context);
            node.begin = static_cast<std::uint32_t>(first - file_begin);
            node.end = static_cast<std::uint32_t>(last - file_begin);
        }
    }
};

// ---------------------------------------------------------------------------------------
// Words

// Every reserved word (keywords.hpp): a name cannot be one.
struct keyword_table : x3::symbols<> {
    keyword_table() {
        for (const auto& w : declaration_words) add(std::string(w.word));
        for (auto w : other_reserved_words) add(std::string(w));
    }
} const keywords;

/// One character of a name (letters.hpp: letters of any script, digits, `_`). With
/// First, not a digit nor a combining mark. With Whole, the characters of a whole name are
/// the attribute, in Unicode NFC (unicode.hpp): `rate_é` written with a precomposed é and
/// written e + U+0301 is one name.
template <bool First, bool Whole>
struct name_char_parser : x3::parser<name_char_parser<First, Whole>> {
    using attribute_type = std::conditional_t<Whole, std::string, x3::unused_type>;
    static bool const has_attribute = Whole;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
        Iterator i = first;
        x3::skip_over(i, last, context);
        const char* s = &*i;
        auto n = static_cast<std::size_t>(last - i);
        if (i == last) return false;
        std::size_t len = name_char_length(s, 0, n, First);
        if (len == 0) return false;
        if constexpr (Whole) {
            std::size_t more;
            while ((more = name_char_length(s, len, n, false)) != 0) len += more;
            x3::traits::move_to(nfc(std::string_view(s, len)), attr);
        }
        first = i + static_cast<std::ptrdiff_t>(len);
        return true;
    }
};

auto const word_char = name_char_parser<false, false>{};

/// A whole keyword: `kw("per")` does not match the start of `period_start`. With
/// WithAttribute, the keyword itself is the attribute. Named `'per'` in error messages.
template <bool WithAttribute>
struct keyword_parser : x3::parser<keyword_parser<WithAttribute>> {
    using attribute_type = std::conditional_t<WithAttribute, std::string, x3::unused_type>;
    static bool const has_attribute = WithAttribute;
    char const* word;
    explicit constexpr keyword_parser(char const* w) : word(w) {}

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
        // Skip on a copy: a keyword that is not there must not consume blanks and comments
        // (they would end up inside the range of the declaration before them).
        Iterator i = first;
        x3::skip_over(i, last, context);
        for (char const* p = word; *p; ++p, ++i) {
            if (i == last || *i != *p) return false;
        }
        if (i != last && name_char_length(&*i, 0, static_cast<std::size_t>(last - i), false) != 0) return false;
        first = i;
        if constexpr (WithAttribute) x3::traits::move_to(std::string(word), attr);
        return true;
    }
};
/// Nesting guard: every level of an expression passes through it; past the bound the parse
/// fails with a located error instead of exhausting the stack (a hostile or generated file
/// with 100,000 nested parentheses must get an error, not a crash).
inline thread_local int nesting_depth = 0;
inline constexpr int max_nesting_depth = 600;   // three counts per level: about 200 levels

template <typename Subject>
struct nesting_directive : x3::unary_parser<Subject, nesting_directive<Subject>> {
    using base_type = x3::unary_parser<Subject, nesting_directive<Subject>>;
    static bool const is_pass_through_unary = true;
    explicit constexpr nesting_directive(Subject const& subject) : base_type(subject) {}

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& context, RContext& rcontext,
               Attribute& attr) const {
        if (nesting_depth >= max_nesting_depth)
            boost::throw_exception(
                x3::expectation_failure<Iterator>(first, "an expression nested less deeply (at most 200 levels)"));
        ++nesting_depth;
        struct leave {
            ~leave() { --nesting_depth; }
        } on_exit;
        return this->subject.parse(first, last, context, rcontext, attr);
    }
};

struct nesting_gen {
    template <typename Subject>
    constexpr nesting_directive<typename x3::extension::as_parser<Subject>::value_type> operator[](
        Subject const& subject) const {
        return nesting_directive<typename x3::extension::as_parser<Subject>::value_type>(x3::as_parser(subject));
    }
};
inline constexpr nesting_gen nested{};

inline keyword_parser<false> kw(char const* s) { return keyword_parser<false>(s); }
inline keyword_parser<true> kw_string(char const* s) { return keyword_parser<true>(s); }

auto const ident_chars = lexeme[name_char_parser<true, true>{}];

x3::rule<class identifier_class, std::string> const identifier = "name";
auto const identifier_def = !lexeme[keywords >> !word_char] >> ident_chars;

struct name_class : annotate {};
x3::rule<name_class, ast::Name> const name = "name";
auto const name_def = identifier;

// ---------------------------------------------------------------------------------------
// Literals

// Numerals: `_` may separate digits anywhere; `,` separates groups of three. The checker
// accepts commas only in a literal that carries a unit (`¥16,000,000`, `140,000 shares`),
// so `min(1,000)` is an error rather than the number 1000.
auto const digit = ascii::digit;
auto const digits = +digit;
x3::rule<class numeral_class, std::string> const numeral = "digits";
// Scientific notation (`1e-30`, `3e11`, `¥1e6`), which the inputs take, is no rule-file
// number: refused at the exponent right after the digits, wherever a number is read (a
// table row's bound, an amount, a param), as a syntax error that parse.cpp words.
x3::rule<class scientific_notation_class> const scientific_notation = "no scientific notation";
auto const scientific_notation_def = !x3::eps;
auto const exponent = &((lit('e') | lit('E')) >> -(lit('+') | lit('-')) >> +digit >> !word_char);
auto const numeral_def = raw[lexeme[digits >> *((',' >> repeat(3)[digit] >> !digit) | ('_' >> digits)) >>
                                    -('.' >> digits >> *('_' >> digits)) >> !(exponent > scientific_notation)]];

// A unit word is any name that is not reserved (`shares`, `USD`, `points`, `会長`): the
// checker knows which units the plan has. Units are contextual: only right after a numeral.
x3::rule<class unit_word_class, std::string> const unit_word = "unit";
auto const unit_word_def = lexeme[!(keywords >> !word_char) >> name_char_parser<true, true>{}];

x3::rule<class unit_suffix_class, std::string> const unit_suffix = "unit";
// A unit is written on one line: `JPY per share`, `JPY/share` (no comment inside it).
auto const per_word = (+ascii::blank >> lit("per") >> +ascii::blank) | (*ascii::blank >> lit('/') >> *ascii::blank);
auto const unit_suffix_def = x3::string("%") | raw[lexeme[unit_word >> -(per_word >> unit_word)]];
// The unit of a numeral is on its line: `10 -> 1,000` then `会長 -> 2,000` on the next
// line is not the number 10 in units of 会長.
// `50 %` is refused (as a syntax error, so that `hoshu fmt` refuses it too): the sign
// follows its number, `50%`.
x3::rule<class percent_after_blank_class> const percent_after_blank = "no blank before '%' (write 50%, not 50 %)";
auto const percent_after_blank_def = !x3::eps;
auto const same_line_unit = !(x3::no_skip[+ascii::blank >> &lit('%')] > percent_after_blank) >>
                            x3::no_skip[*ascii::blank >> unit_suffix];

x3::rule<class per_suffix_class, std::string> const per_suffix = "unit";
auto const per_suffix_def = raw[lexeme[*ascii::blank >> (lit("per") >> +ascii::blank | lit('/') >> *ascii::blank) >>
                                      unit_word]];

struct number_class : annotate {};
x3::rule<number_class, ast::NumberLit> const number = "number";
auto const currency_sign = x3::string("¥") | x3::string("￥") | x3::string("$") | x3::string("€") | x3::string("£");
// An amount's `per …` is on its line too: `$10` then `per officer` on the next line is the
// amount $10 and a `per` block.
auto const number_def = ((currency_sign > numeral) >> (x3::no_skip[per_suffix] | attr(std::string()))) |
                        (attr(std::string()) >> numeral >> (same_line_unit | attr(std::string())));

struct date_class : annotate {};
x3::rule<date_class, ast::DateLit> const date = "date";
x3::rule<class date_text_class, std::string> const date_text = "date";
auto const date_text_def = raw[lexeme[repeat(4)[digit] >> '-' >> repeat(2)[digit] >> '-' >> repeat(2)[digit] >>
                                      !word_char]];
auto const date_def = date_text;

x3::rule<class string_chars_class, std::string> const string_chars = "text in quotes";
x3::rule<class escaped_class, char> const escaped = "an escape: \\\" \\\\ or \\n";
auto const escaped_def = x3::char_('"') | x3::char_('\\') | (lit('n') >> attr('\n'));
auto const escape = lit('\\') > escaped;
auto const string_chars_def = lexeme['"' > *(escape | (x3::char_ - '"' - '\\' - x3::eol)) > '"'];

struct string_class : annotate {};
x3::rule<string_class, ast::StringLit> const string_lit = "text in quotes";
auto const string_lit_def = string_chars;

struct bool_class : annotate {};
x3::rule<bool_class, ast::BoolLit> const boolean = "true or false";
auto const boolean_def = (kw("true") >> attr(true)) | (kw("false") >> attr(false));

// ---------------------------------------------------------------------------------------
// Expressions

struct expression_class : annotate {};
struct or_class : annotate {};
struct and_class : annotate {};
struct comparison_class : annotate {};
struct additive_class : annotate {};
struct multiplicative_class : annotate {};
struct call_class : annotate {};
struct if_class : annotate {};
struct round_class : annotate {};
struct last_class : annotate {};

x3::rule<expression_class, ast::Expression> const expression = "expression";
x3::rule<or_class, ast::Expression> const or_expr = "expression";
x3::rule<and_class, ast::Expression> const and_expr = "expression";
x3::rule<class not_expr_class, ast::Operand> const not_expr = "expression";
x3::rule<comparison_class, ast::Expression> const comparison = "expression";
x3::rule<additive_class, ast::Expression> const additive = "expression";
x3::rule<multiplicative_class, ast::Expression> const multiplicative = "expression";
x3::rule<class negation_class, ast::Operand> const negation = "operand";
x3::rule<class primary_class, ast::Operand> const primary = "operand";
struct not_unary_class : annotate {};
x3::rule<not_unary_class, ast::Unary> const not_unary = "'not' expression";
struct minus_unary_class : annotate {};
x3::rule<minus_unary_class, ast::Unary> const minus_unary = "negative operand";
x3::rule<call_class, ast::Call> const call = "call";
x3::rule<if_class, ast::IfExpr> const if_expr = "if-then-else";
x3::rule<round_class, ast::RoundExpr> const round_expr = "rounding";
x3::rule<last_class, ast::LastBefore> const last_expr = "'last … before …'";
struct sum_expr_class : annotate {};
x3::rule<sum_expr_class, ast::Aggregate> const sum_expr = "sum";
struct product_aggregate_class : annotate {};
x3::rule<product_aggregate_class, ast::Aggregate> const product_aggregate = "product";
struct count_expr_class : annotate {};
x3::rule<count_expr_class, ast::Aggregate> const count_expr = "count";

struct or_operation_class : annotate {};
x3::rule<or_operation_class, ast::Operation> const or_operation = "'or' operand";
struct and_operation_class : annotate {};
x3::rule<and_operation_class, ast::Operation> const and_operation = "'and' operand";
struct comparison_operation_class : annotate {};
x3::rule<comparison_operation_class, ast::Operation> const comparison_operation = "comparison";
struct additive_operation_class : annotate {};
x3::rule<additive_operation_class, ast::Operation> const additive_operation = "'+' or '-' operand";
struct multiplicative_operation_class : annotate {};
x3::rule<multiplicative_operation_class, ast::Operation> const multiplicative_operation = "'*' or '/' operand";

struct comparison_op_table : x3::symbols<std::string> {
    comparison_op_table() {
        add("<=", "<=")(">=", ">=")("<", "<")(">", ">")("==", "==")("!=", "!=")("≤", "<=")(
            "≥", ">=")("≠", "!=");
    }
} const comparison_op;

auto const minus_sign = (lit('-') >> !lit('>') >> attr(std::string("-"))) | (lit("−") >> attr(std::string("-")));
auto const add_op = (lit('+') >> attr(std::string("+"))) | minus_sign;
auto const mul_op = (lit('*') >> attr(std::string("*"))) | (lit("×") >> attr(std::string("*"))) |
                    (lit('/') >> attr(std::string("/"))) | (lit("÷") >> attr(std::string("/")));
auto const is_op = (kw("is") >> kw("not") >> attr(std::string("is not"))) | (kw("is") >> attr(std::string("is")));

auto const expression_def = or_expr;
auto const or_operation_def = (kw("or") >> attr(std::string("or"))) > and_expr;
auto const or_expr_def = and_expr >> *or_operation;
auto const and_operation_def = (kw("and") >> attr(std::string("and"))) > not_expr;
auto const and_expr_def = not_expr >> *and_operation;
auto const not_unary_def = (kw("not") >> attr(std::string("not"))) > not_expr;
auto const not_expr_def = nested[not_unary | comparison];
auto const comparison_operation_def = (comparison_op > additive) | (is_op > name);
auto const comparison_def = additive >> *comparison_operation;
auto const additive_operation_def = add_op > multiplicative;
auto const additive_def = multiplicative >> *additive_operation;
auto const multiplicative_operation_def = mul_op > negation;
auto const multiplicative_def = negation >> *multiplicative_operation;
auto const minus_unary_def = minus_sign > negation;
auto const negation_def = nested[minus_unary | primary];

x3::rule<class arguments_class, std::vector<ast::Expression>> const arguments = "arguments";
auto const arguments_def = expression % ',';
auto const call_def = name >> ('(' > arguments > ')');
auto const if_expr_def = kw("if") > expression > kw("then") > expression > kw("else") > expression;
x3::rule<class half_mode_class, std::string> const half_mode = "'up' or 'even'";
auto const half_mode_def = (kw("up") >> attr(std::string("half up"))) | (kw("even") >> attr(std::string("half even")));
x3::rule<class round_mode_class, std::string> const round_mode =
    "rounding mode ('down', 'up', 'half up' or 'half even')";
auto const round_mode_def = (kw("down") >> attr(std::string("down"))) | (kw("up") >> attr(std::string("up"))) |
                            (kw("half") > half_mode);
auto const round_expr_def = kw("round") > round_mode > '(' > expression > ',' > expression > ')';
x3::rule<class window_to_class, std::string> const window_to = "'before' or 'up to'";
auto const window_to_def = (kw("before") >> attr(std::string("before"))) | (kw("up") > kw("to") > attr(std::string("up to")));
x3::rule<class window_from_class, std::string> const window_from = "'after' or 'from'";
auto const window_from_def = (kw("after") >> attr(std::string("after"))) | (kw("from") >> attr(std::string("from")));
auto const last_expr_def = x3::matches[lit("date") >> kw("of") >> &kw("last")] >> kw("last") > name > window_to >
                          negation;
struct plain_number_class : annotate {};
x3::rule<plain_number_class, ast::NumberLit> const plain_number = "a whole number";
auto const plain_number_def = attr(std::string()) >> numeral >> attr(std::string());
x3::rule<class window_count_class, ast::Operand> const window_count = "how many entries (a number or a name)";
auto const window_count_def = plain_number | name;
struct window_class : annotate {};
x3::rule<window_class, ast::SeriesWindow> const series_on = "'SERIES on DATE'";
auto const series_on_def = attr(std::string("on")) >> attr(boost::optional<ast::Operand>()) >> name >>
                           attr(std::string()) >> attr(boost::optional<ast::Operand>()) >>
                           (kw("on") >> attr(std::string("on"))) > negation;
struct mean_window_class : annotate {};
x3::rule<mean_window_class, ast::SeriesWindow> const mean_window = "'mean of last N SERIES before DATE'";
auto const mean_window_def = lexeme[x3::string("mean") >> !word_char] >> kw("of") >> kw("last") >
                             window_count > name > attr(std::string()) > attr(boost::optional<ast::Operand>()) >
                             window_to > negation;
struct sum_window_class : annotate {};
x3::rule<sum_window_class, ast::SeriesWindow> const sum_window = "'sum of SERIES from DATE up to DATE'";
auto const sum_window_def = lexeme[x3::string("sum") >> !word_char] >> kw("of") >>
                            attr(boost::optional<ast::Operand>()) >> name >> window_from > negation > window_to >
                            negation;
struct product_expr_class : annotate {};
x3::rule<product_expr_class, ast::SeriesProduct> const product_expr = "'product of … after … up to …'";
// (`product of NAME after`: a series' entries; otherwise `product of … over` a collection.)
auto const product_expr_def = lexeme[lit("product") >> !word_char] >> kw("of") >> name >> kw("after") > negation >
                              kw("up") > kw("to") > negation;
auto const aggregate_function = x3::string("sum") | x3::string("min") | x3::string("max") | x3::string("mean");
x3::rule<class over_what_class, ast::Name> const over_what = "a collection (its plural, as in: directors)";
auto const over_what_def = name;
auto const no_expression = attr(boost::optional<ast::Expression>());
auto const no_word = attr(std::string());
auto const sum_expr_def = lexeme[aggregate_function >> !word_char] >> kw("of") > expression > no_expression >
                          kw("over") > over_what > -(kw("where") > expression) >> no_word >> no_word;
// `product of … over` a collection; what follows `product of NAME` where neither `over` nor
// `after` does is named as both (product_expr takes `after`: a series' entries).
x3::rule<class over_or_after_class> const over_or_after = "'over' or 'after'";
auto const over_or_after_def = kw("over");
auto const product_aggregate_def = lexeme[x3::string("product") >> !word_char] >> kw("of") > expression >
                                   no_expression > over_or_after > over_what > -(kw("where") > expression) >>
                                   no_word >> no_word;
auto const count_expr_def = lexeme[x3::string("count") >> !word_char] >> kw("of") >> no_expression >>
                            no_expression >> over_what > -(kw("where") > expression) >> no_word >> no_word;
// The words after `,` and `ties` are rules of their own: an expectation names what it
// expects by its rule's name (an unnamed alternative would be named by its C++ type).
x3::rule<class rank_order_class, std::string> const rank_order = "the order (', highest first' or ', lowest first')";
x3::rule<class rank_order_word_class, std::string> const rank_order_word = "'highest first' or 'lowest first'";
auto const rank_order_word_def = (kw("highest") > kw("first") > attr(std::string("highest first"))) |
                                 (kw("lowest") > kw("first") > attr(std::string("lowest first")));
auto const rank_order_def = lit(',') > rank_order_word;
x3::rule<class rank_ties_class, std::string> const rank_ties = "the tie rule (', ties best' or ', ties worst')";
x3::rule<class rank_ties_word_class, std::string> const rank_ties_word = "'best' or 'worst' (after 'ties')";
auto const rank_ties_word_def = (kw("best") >> attr(std::string("best"))) | (kw("worst") >> attr(std::string("worst")));
auto const rank_ties_def = lit(',') > kw("ties") > rank_ties_word;
x3::rule<class percentile_ties_class, std::string> const percentile_ties =
    "the tie rule (', ties lower', ', ties not lower' or ', ties half')";
x3::rule<class percentile_ties_word_class, std::string> const percentile_ties_word =
    "'lower', 'not lower' or 'half' (after 'ties')";
auto const percentile_ties_word_def = (kw("lower") >> attr(std::string("lower"))) |
                                      (kw("not") > kw("lower") > attr(std::string("not lower"))) |
                                      (kw("half") >> attr(std::string("half")));
auto const percentile_ties_def = lit(',') > kw("ties") > percentile_ties_word;
struct rank_expr_class : annotate {};
x3::rule<rank_expr_class, ast::Aggregate> const rank_expr = "'rank of … among … over …'";
auto const rank_expr_def = lexeme[x3::string("rank") >> !word_char] >> kw("of") > expression > kw("among") >
                           expression > kw("over") > over_what > -(kw("where") > expression) > rank_order >
                           rank_ties;
struct percentile_expr_class : annotate {};
x3::rule<percentile_expr_class, ast::Aggregate> const percentile_expr = "'percentile of … among … over …'";
auto const percentile_expr_def = lexeme[x3::string("percentile") >> !word_char] >> kw("of") > expression >
                                 kw("among") > expression > kw("over") > over_what >
                                 -(kw("where") > expression) >> no_word > percentile_ties;

auto const primary_def = nested[if_expr | round_expr | last_expr | product_expr | mean_window | sum_window | sum_expr | product_aggregate |
                                count_expr | rank_expr | percentile_expr | date | number | string_lit | boolean | call |
                                series_on | name | ('(' > expression > ')')];

// ---------------------------------------------------------------------------------------
// Declarations

struct annotation_class : annotate {};
struct type_ref_class : annotate {};
struct path_class : annotate {};
struct param_value_class : annotate {};
struct range_class : annotate {};
struct bound_class : annotate {};
struct row_class : annotate {};

x3::rule<annotation_class, ast::Annotation> const annotation = "'source', 'note' or 'message' line";
x3::rule<class annotations_class, ast::Annotations> const annotations = "citations";
x3::rule<type_ref_class, ast::TypeRef> const type_ref = "type";
x3::rule<path_class, ast::InputPath> const input_path = "input path";
struct plan_decl_class : annotate {};
x3::rule<plan_decl_class, ast::PlanDecl> const plan_decl = "plan";
struct import_decl_class : annotate {};
x3::rule<import_decl_class, ast::ImportDecl> const import_decl = "import";
struct scope_decl_class : annotate {};
x3::rule<scope_decl_class, ast::ScopeDecl> const scope_decl = "'per RECORD' or 'end'";
struct per_decl_class : annotate {};
x3::rule<per_decl_class, ast::ScopeDecl> const per_decl = "'per RECORD'";
struct end_decl_class : annotate {};
x3::rule<end_decl_class, ast::ScopeDecl> const end_decl = "'end'";
struct unit_decl_class : annotate {};
x3::rule<unit_decl_class, ast::UnitDecl> const unit_decl = "unit declaration";
struct type_decl_class : annotate {};
x3::rule<type_decl_class, ast::TypeDecl> const type_decl = "type declaration";
x3::rule<param_value_class, ast::ParamValue> const param_value = "'= value'";
struct param_decl_class : annotate {};
x3::rule<param_decl_class, ast::ParamDecl> const param_decl = "param";
x3::rule<range_class, ast::RangeSpec> const range_spec = "range ('LOW to HIGH', 'from LOW' or 'up to HIGH')";
struct input_decl_class : annotate {};
x3::rule<input_decl_class, ast::InputDecl> const input_decl = "input";
struct series_decl_class : annotate {};
x3::rule<series_decl_class, ast::SeriesDecl> const series_decl = "series";
struct collection_decl_class : annotate {};
x3::rule<collection_decl_class, ast::CollectionDecl> const collection_decl = "collection";
struct collection_parent_class : annotate {};
x3::rule<collection_parent_class, ast::CollectionParent> const collection_parent = "'belongs to RECORD by FIELD'";
struct value_decl_class : annotate {};
x3::rule<value_decl_class, ast::ValueDecl> const value_decl = "value";
x3::rule<bound_class, ast::Bound> const bound = "row bound ('from', 'above', 'to', 'below', 'up to')";
x3::rule<row_class, ast::TableRow> const table_row = "table row";
struct table_decl_class : annotate {};
x3::rule<table_decl_class, ast::TableDecl> const table_decl = "table";
struct limit_decl_class : annotate {};
x3::rule<limit_decl_class, ast::LimitDecl> const limit_decl = "limit";
struct require_decl_class : annotate {};
x3::rule<require_decl_class, ast::RequireDecl> const require_decl = "require";
declaration_type const declaration = "declaration";

auto const annotation_keyword = kw_string("source") | kw_string("note") | kw_string("message");
auto const annotation_def = annotation_keyword > -name > -string_lit;
auto const annotations_def = *annotation;

auto const type_ref_def = name >> -((kw("per") | lit('/')) > name);

auto const path_key = lexeme[+(ascii::alnum | x3::char_('_') | x3::char_('-'))];
x3::rule<class path_text_class, std::string> const path_text = "input path";
auto const path_index = ident_chars | (-x3::char_('-') >> +digit);
auto const path_text_def = raw[lexeme[-lit('/') >> path_key >> *(('.' >> path_key) | ('[' >> path_index >> ']'))]];
auto const input_path_def = path_text;

x3::rule<class output_names_class, std::vector<ast::Name>> const output_names = "output names separated by ','";
auto const output_names_def = name % ',';
auto const plan_decl_def = kw("plan") > string_lit > -(kw("effective") > date) > -(kw("as") > kw("of") > name) >
                           -(kw("inputs") > kw("shared") > kw("with") > string_lit) >
                           -(kw("outputs") > output_names) > -(kw("grants") > output_names) > annotations;
auto const import_decl_def = kw("import") > string_lit > annotations;
x3::rule<class per_what_class, ast::Name> const per_what = "a record (a collection's singular, as in: director)";
auto const per_what_def = x3::no_skip[x3::omit[*ascii::blank] >> name];
// The record is named on the line of `per` (`¥1 per` + a new line is a unit cut short, not a block).
auto const per_decl_def = kw_string("per") > per_what > annotations;
auto const end_decl_def = kw_string("end") >> attr(ast::Name()) > annotations;
auto const scope_decl_def = per_decl | end_decl;
x3::rule<class members_class, std::vector<ast::Name>> const type_members = "names separated by '|'";
auto const type_members_def = name % '|';
auto const type_decl_def = kw("type") > name > '=' > type_members > annotations;
// `currency`, `minor`, `plural` and `whole` are words of this declaration only, not reserved.
auto const unit_decl_def = kw("unit") > name > -(kw("currency") > string_lit) > -(kw("minor") > numeral) >
                           -(kw("plural") > name) > x3::matches[kw("whole")] > annotations;
auto const param_value_def = lit('=') > expression > -(kw("from") > date);
x3::rule<class param_values_class, std::vector<ast::ParamValue>> const param_values = "'= value'";
auto const param_values_def = +param_value;
auto const param_decl_def = kw("param") > name > ':' > type_ref > param_values > annotations;
// `range LOW to HIGH`, `range from LOW`, `range up to HIGH`: both ends included.
auto const no_bound = attr(boost::optional<ast::Expression>());
auto const range_spec_def = (kw("from") > additive > no_bound) | (no_bound >> kw("up") > kw("to") > additive) |
                            (additive > kw("to") > additive);
auto const input_decl_def = (kw_string("input") | kw_string("info")) > name > ':' > type_ref > kw("at") >
                            input_path > -(kw("range") > range_spec) > x3::matches[kw("optional")] >
                            -(kw("default") > expression) > annotations;
// A key of the TOML records: any word, keywords included (`ledger(director)`).
struct key_name_class : annotate {};
x3::rule<key_name_class, ast::Name> const key_name = "key";
x3::rule<class key_text_class, std::string> const key_text = "key";
auto const key_text_def = ident_chars;
auto const key_name_def = key_text;
auto const series_decl_def = kw("series") > name > ':' > type_ref > kw("at") > input_path > '(' > key_name > ',' >
                             key_name > ')' > annotations;
x3::rule<class key_names_class, std::vector<ast::Name>> const key_names = "key fields separated by ','";
auto const key_names_def = key_name % ',';
auto const collection_parent_def = kw("belongs") > kw("to") > name > kw("by") > key_name;
auto const collection_decl_def = kw("collection") > name > ':' > name > kw("at") > input_path >
                                 -(kw("key") > key_names) > -collection_parent > annotations;
auto const value_decl_def = (kw_string("value") | kw_string("output")) > name > ':' > type_ref > '=' > expression >
                            -(kw("range") > range_spec) > annotations;

auto const bound_kind = (kw("from") >> attr(std::string("from"))) | (kw("above") >> attr(std::string("above"))) |
                        (kw("to") >> kw("below") >> attr(std::string("to below"))) |
                        (kw("to") >> attr(std::string("to"))) | (kw("below") >> attr(std::string("below"))) |
                        (kw("up") > kw("to") > attr(std::string("up to")));
auto const bound_def = bound_kind > additive;
x3::rule<class arrow_class> const arrow = "'->'";
auto const arrow_def = lit("->") | lit("→");
x3::rule<class bounds_class, std::vector<ast::Bound>> const bounds = "row bounds";
auto const bounds_def = +bound;
x3::rule<class rows_class, std::vector<ast::TableRow>> const table_rows = "table rows ('below 80% -> 0', …)";
auto const table_rows_def = +table_row;
// A row is bounds on a number, or a key: a member of a choice type, or a text in quotes.
x3::rule<class row_key_class, std::string> const row_key = "a row's key (a member of the parameter's type, or a text in quotes)";
auto const row_key_def = raw[string_chars] | identifier;
x3::rule<class bound_row_class, ast::TableRow> const bound_row = "table row";
auto const bound_row_def = bounds >> attr(boost::optional<std::string>()) > arrow > x3::matches[kw("linear")] >
                           additive > -(kw("to") > additive);
x3::rule<class key_row_class, ast::TableRow> const key_row = "table row";
auto const key_row_def = attr(std::vector<ast::Bound>()) >> row_key > arrow > x3::matches[kw("linear")] > additive >
                         -(kw("to") > additive);
auto const table_row_def = bound_row | key_row;
auto const table_decl_def = kw("table") > name > '(' > name > ':' > type_ref > ')' > arrow > type_ref >
                            x3::matches[kw("monotone")] > table_rows > annotations;
struct allocation_class : annotate {};
x3::rule<allocation_class, ast::Allocation> const allocation = "'allocate pro rata …'";
auto const allocation_def = kw("pro") > kw("rata") > output_names > kw("round") > round_mode > kw("to") > additive;
auto const limit_decl_def = kw("limit") > name > ':' > expression > -(kw("allocate") > allocation) > annotations;
auto const require_decl_def = kw("require") > name > ':' > expression > annotations;

x3::rule<class record_id_class, std::string> const record_id = "an id, such as D03 or \"1\"";
auto const record_id_def = string_chars | lexeme[+(ascii::alnum | x3::char_('_') | x3::char_('-'))];
struct expectation_class : annotate {};
x3::rule<expectation_class, ast::Expectation> const expectation = "'expect …'";
x3::rule<class expect_body_class, ast::Expectation> const expect_body = "a value's name or 'violation'";
auto const expect_violation = kw("violation") >> attr(true) > name > -(kw("for") > record_id) >>
                              attr(boost::optional<ast::Expression>());
auto const expect_value = attr(false) >> name >> -(kw("for") > record_id) > '=' > expression;
auto const expect_body_def = expect_violation | expect_value;
auto const expectation_def = kw("expect") > expect_body;
x3::rule<class expectations_class, std::vector<ast::Expectation>> const expectations = "'expect …' lines";
auto const expectations_def = +expectation;
struct test_decl_class : annotate {};
x3::rule<test_decl_class, ast::TestDecl> const test_decl = "test";
auto const test_decl_def = kw("test") > string_lit > kw("inputs") > string_lit >
                           -(kw("carry") > kw("from") > string_lit) > expectations > annotations;

// `carry ledger` + `for each grant [where C]: field = e, …` clauses.
struct carry_field_class : annotate {};
x3::rule<carry_field_class, ast::CarryField> const carry_field = "'field = value'";
auto const carry_field_def = key_name > '=' > expression;
x3::rule<class carry_fields_class, std::vector<ast::CarryField>> const carry_fields =
    "carried fields ('field = value', separated by ',')";
auto const carry_fields_def = carry_field % ',';
x3::rule<class carry_record_class, std::string> const carry_record = "a record (the singular of a collection, as in: grant)";
auto const carry_record_def = identifier;
struct carry_clause_class : annotate {};
x3::rule<carry_clause_class, ast::CarryClause> const carry_clause = "'for each …:'";
auto const carry_clause_def = kw("for") > kw("each") > carry_record > -(kw("where") > expression) > ':' > carry_fields;
x3::rule<class carry_clauses_class, std::vector<ast::CarryClause>> const carry_clauses = "'for each …:' clauses";
auto const carry_clauses_def = +carry_clause;
struct carry_decl_class : annotate {};
x3::rule<carry_decl_class, ast::CarryDecl> const carry_decl = "carry";
auto const carry_decl_def = kw("carry") > input_path > carry_clauses > annotations;

auto const declaration_def = plan_decl | import_decl | scope_decl | unit_decl | type_decl | param_decl | input_decl |
                             series_decl | collection_decl | value_decl | table_decl | limit_decl | require_decl |
                             test_decl | carry_decl;

BOOST_SPIRIT_DEFINE(identifier, name, unit_word, unit_suffix, per_suffix, number, date, string_chars, string_lit,
                    boolean, expression, or_expr, and_expr, not_expr, comparison, additive, multiplicative,
                    negation, primary, not_unary, minus_unary, call, if_expr, round_expr, last_expr, sum_expr,
                    count_expr, or_operation, and_operation, comparison_operation, additive_operation,
                    multiplicative_operation)
BOOST_SPIRIT_DEFINE(carry_field, carry_fields, carry_record, carry_clause, carry_clauses, carry_decl)
BOOST_SPIRIT_DEFINE(numeral, escaped, record_id, expectation, expect_body, expectations, test_decl, key_text, key_name, product_expr, product_aggregate, over_or_after, over_what, per_what, rank_order, rank_order_word, rank_ties, rank_ties_word, percentile_ties, percentile_ties_word, rank_expr, percentile_expr, allocation, output_names, path_text, date_text, arguments, half_mode, round_mode, type_members, param_values, arrow, bounds, table_rows, row_key, bound_row, key_row)
BOOST_SPIRIT_DEFINE(annotation, annotations, type_ref, input_path, plan_decl, import_decl, scope_decl,
                    unit_decl, type_decl, param_value, param_decl, range_spec, input_decl, series_decl, collection_decl, collection_parent, key_names, per_decl, end_decl,
                    value_decl, bound, table_row, table_decl, limit_decl, require_decl, declaration)
BOOST_SPIRIT_DEFINE(percent_after_blank, scientific_notation)
BOOST_SPIRIT_DEFINE(window_to, window_from, plain_number, window_count, series_on, mean_window, sum_window)

}  // namespace hoshu::dsl::parser

namespace boost::spirit::x3 {
template <bool W>
struct get_info<hoshu::dsl::parser::keyword_parser<W>> {
    using result_type = std::string;
    std::string operator()(hoshu::dsl::parser::keyword_parser<W> const& p) const {
        return "'" + std::string(p.word) + "'";
    }
};
}  // namespace boost::spirit::x3
