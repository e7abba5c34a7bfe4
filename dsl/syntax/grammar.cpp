// The one translation unit that instantiates the grammar.
#include "dsl/syntax/config.hpp"
#include "dsl/syntax/grammar_def.hpp"

namespace hoshu::dsl::parser {
BOOST_SPIRIT_INSTANTIATE(declaration_type, iterator_type, context_type)
}

namespace hoshu::dsl {
parser::declaration_type const& declaration_rule() { return parser::declaration; }
}  // namespace hoshu::dsl
