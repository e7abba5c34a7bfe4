// An explanation (analysis/explain.hpp) for people — a tree of definitions with their rules,
// citations and steps (text.cpp) — or as JSON (json.cpp).
//
//   auto e = explain(plan, sm, session, "D03", "annual_rs_shares");
//   fputs(render_explanation(*e).c_str(), stdout);
#pragma once

#include <string>

#include "evaluator/analysis/explain.hpp"

namespace hoshu::eval {

std::string render_explanation(const Explanation& e);
std::string explanation_json(const Explanation& e);

}  // namespace hoshu::eval
