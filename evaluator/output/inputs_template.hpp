// The inputs template of a plan (`hoshu inputs PLAN`): one TOML document with every key the
// plan reads, each preceded by comments saying what it is (its declaration and notes), its
// type and unit, its range, whether it may be left out, and the clauses it serves with
// their quoted text. HR fills it in instead of reading the `input … at` lines of the rule
// files.
//
// Keys are grouped by where they live: the top level, then each table, then each list of
// records (`[[directors]]`, `[[closes]]`) with one example record. A required key has a
// placeholder whose type is obvious (`0`, `1970-01-01`, `""`, `false`, a choice's first
// member); an optional key, or one with a default, is commented out (`# left_on = …`). A
// key computed from another input (`years[fiscal_year].revenue`) is shown as a quoted
// placeholder (`[years."<year>"]`; the text itself when a text constant names it) with a
// comment naming the definitions that name it. The records a `carry` declaration writes
// are not asked for: a comment says they come from last year's result (`--carry`,
// `--register`). Every key in the template is one the plan reads, so the file passes the
// inputs reader's check of unknown keys.
//
//   std::string toml = render_inputs_template(plan);
//   // # year (input): text
//   // #   the fiscal year evaluated, as "FY2024"
//   // fiscal_year = ""
#pragma once

#include <string>

#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// The commented TOML template of every key `plan` reads.
std::string render_inputs_template(const Plan& plan);

}  // namespace hoshu::eval
