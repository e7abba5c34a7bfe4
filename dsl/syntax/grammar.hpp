// The rule-file grammar's public face inside the front end: the rule that parses one
// declaration, and the skipper. Only the grammar files include Spirit X3.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "dsl/syntax/ast.hpp"

namespace hoshu::dsl::parser {

namespace x3 = boost::spirit::x3;

/// The context carries the file's first iterator under this tag, so that nodes can be
/// annotated with byte offsets.
struct position_tag;

/// Blanks, newlines and `#` comments separate tokens.
inline auto const skipper = x3::ascii::space | x3::lexeme['#' >> *(x3::char_ - x3::eol)];
using skipper_type = std::remove_const_t<decltype(skipper)>;

struct declaration_class;
using declaration_type = x3::rule<declaration_class, ast::Declaration>;
BOOST_SPIRIT_DECLARE(declaration_type)

}  // namespace hoshu::dsl::parser

namespace hoshu::dsl {
parser::declaration_type const& declaration_rule();
}
