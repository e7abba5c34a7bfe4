// Explaining a value: the derivation of one output (or any definition) for one director,
// as a tree an auditor can follow back to the clauses — each definition's formula as
// written (with file:line), the values it used, the table row that fired and why, each
// rounding with the value before and after, the price-cap branch taken, the pro rata
// factor of a limit, and the citations.
//
//   eval::Session session(plan, inputs);
//   auto trace = eval::explain(plan, sm, session, "D03", "annual_rs_shares");
//   fputs(eval::render_explanation(*trace).c_str(), stdout);   // output/explain_report.hpp
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::eval {

/// One definition in a derivation.
struct ExplainStep {
    std::string id;            // "annual_rs_shares@D03", "annual_rate" (plan-wide), "grant_clawback@D03#2"
    std::string name;
    std::string scope;         // "plan", "director D03", "ledger entry 2 of D03"
    std::string kind;          // "param", "input", "value", "output"
    std::string type;          // "shares", "JPY per share", …
    std::string value;         // exact: "4709", "8712/10385"
    std::string display;       // for people: "4,709", "8712/10385 ≈ 0.838902"
    std::string formula;       // as written; for an input, its path in the TOML file
    std::string location;      // "rules/iij/annual.hoshu:88"
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    std::vector<std::string> details;    // table rows fired, roundings, branches, scaling
    std::vector<std::string> uses;       // ids of the definitions this one used, in order
    // An input: where its value is written in the inputs file ("examples/iij/fy2024.toml:31")
    // and that line as written; empty when absent (an optional input, a default taken).
    std::string read_from;
    std::string read_line;
    // A scaled output: how the pro rata factor was derived, step by step, and the
    // clauses the limit cites.
    std::vector<std::string> factor_derivation;
    std::vector<Citation> factor_sources;
};

struct Explanation {
    std::string root;                    // id of the value explained
    std::vector<ExplainStep> steps;      // root first, each definition once
};

/// Explain `value` (an output or any definition; empty: every output of the director).
/// For a plan-wide value `director_id` may be empty.
/// When `name` is a limit or a requirement (no definition to explain): what to say, naming
/// the definitions it compares or reads, each of which explain can derive.
std::optional<std::string> limit_or_requirement(const Plan& plan, std::string_view name);

Result<Explanation> explain(const Plan& plan, const dsl::SourceManager& sm, Session& session,
                            const std::string& director_id, const std::string& value);
/// The same with `ran`, what `session.run()` gave: a report explains every director from
/// one run (running again, and copying the outcome, for each one made it quadratic).
Result<Explanation> explain(const Plan& plan, const dsl::SourceManager& sm, Session& session, const Outcome& ran,
                            const std::string& director_id, const std::string& value);
/// Every output (else every value, else every input) of record `index` of the further
/// collection `k` (a peer company): what the working paper shows for it. None when the
/// record has none of them.
std::optional<Explanation> explain_record(const Plan& plan, const dsl::SourceManager& sm, Session& session,
                                          const Outcome& ran, std::size_t k, std::size_t index);

}  // namespace hoshu::eval
