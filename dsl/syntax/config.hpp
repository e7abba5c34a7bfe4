#pragma once

#include <string>

#include "dsl/syntax/grammar.hpp"

namespace hoshu::dsl::parser {

using iterator_type = std::string::const_iterator;
using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type = x3::context<position_tag, iterator_type const, phrase_context_type>;

}  // namespace hoshu::dsl::parser
