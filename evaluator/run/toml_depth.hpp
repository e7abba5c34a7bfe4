// How deeply a TOML text nests, measured before toml++ parses it. toml++ descends once per
// part of a dotted key and per nested table or array, so a hostile file — a key of two
// million dotted parts — would exhaust the stack inside the parser. Every TOML file hoshu
// reads (inputs, simulation models) is measured first, and one that nests deeper than
// max_toml_depth is a located error.
//
// The depth of a value is the number of keys and containers above it: the parts of its
// table header (`[years.FY2024]`: 2, `[[directors]]`: 2, one more for the array), the parts
// of its dotted key, and one for each array or inline table around it.
//
//   auto at = toml_too_deep("a.b.c = [[1]]");   // nullopt: depth 5
//   if (at) error(at->offset, "nests more than {} levels", max_toml_depth);
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hoshu::eval {

/// No real inputs file comes near: IIJ's go three levels deep.
inline constexpr std::size_t max_toml_depth = 64;

/// The byte offset of the first key part, table header or bracket of `text` that nests
/// deeper than `limit`; nullopt when nothing does. Linear in the text and never fails:
/// text that is not TOML is measured as far as it makes sense (toml++ reports its errors).
std::optional<std::size_t> toml_too_deep(std::string_view text, std::size_t limit = max_toml_depth);

}  // namespace hoshu::eval
