// A line diff of two texts (longest common subsequence of lines), with the unchanged lines
// far from any change cut to "…": what `hoshu diff` shows of a changed declaration.
//
//   line_diff("a\nb\nc", "a\nB\nc")   // {"  a", "- b", "+ B", "  c"}
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hoshu::eval {

/// A line diff of two texts: "- " removed, "+ " added, "  " kept. Kept lines farther than
/// `context` lines from a change are left out, each run of them shown as one "…" line;
/// identical texts are returned whole (all kept).
///
///   line_diff("a\nb\nc", "a\nB\nc")   // {"  a", "- b", "+ B", "  c"}
std::vector<std::string> line_diff(std::string_view a, std::string_view b, std::size_t context = 2);

}  // namespace hoshu::eval
