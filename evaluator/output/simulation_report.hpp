// Reports of a simulation: a table for the committee (text.cpp), JSON for the accountants
// (json.cpp), each headed by what it was computed from.
//
//   SimulationHeader h{*seal, "examples/iij/model.toml", sha256_hex(model_text), 42};
//   std::string text = format_simulation_table(plan, *result, h);
//
// `simulate --against BASE` (Simulation::run_against): both plans side by side, each output
// as three rows — base, head and the change path by path.
//
//   ComparisonSide base{"rules/iij-2023", base_rules_sha256};
//   std::string text = format_comparison_table(base_plan, plan, *compared, h, base);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evaluator/ir/plan.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/whatif/simulate.hpp"

namespace hoshu::eval {

/// What a report says it was computed from.
struct SimulationHeader {
    Seal seal;                 // rules and inputs
    std::string model_path, model_sha256;
    std::uint64_t seed = 0;
};
/// The table: the per-record outputs, events, limits, the grant-time price; then the
/// plan-wide outputs counted (in shares or another counted unit, or counts), summarised as
/// the per-record ones are (the numeric ones not counted named), and each requirement (per
/// record: each record's) with the share of paths on which it failed.
std::string format_simulation_table(const Plan& plan, const SimulationResult& r, const SimulationHeader& h);
std::string format_simulation_json(const Plan& plan, const SimulationResult& r, const SimulationHeader& h);
/// A probability as a percentage to 0.01%: never "0.00%" for something that happened nor
/// "100.00%" for something that did not always happen; of a count of paths, "-" of none.
std::string path_percent(const Rational& fraction);
std::string path_percent(std::uint64_t count, std::uint64_t total);

/// The base plan of a comparison (the head's is the header's seal).
struct ComparisonSide {
    std::string plan_path;
    std::string rules_sha256;
};

/// One output of a comparison: the base's tally, the head's, the change (null where a
/// plan lacks the output, or they differ in unit).
struct ComparedOutput {
    std::optional<std::size_t> director;   // index in the head's (else the base's) directors; none: plan-wide
    std::string director_id;
    std::string output, unit;
    const OutputTally* base = nullptr;
    const OutputTally* head = nullptr;
    const OutputChange* change = nullptr;
    bool always_zero = false;   // 0 on every path in each plan that has it
};
/// Every numeric output of either plan, per director (the head's directors and outputs
/// in order, then what only the base has), then the plan-wide ones.
std::vector<ComparedOutput> compared_outputs(const Plan& base, const Plan& head, const ComparedSimulation& c);

std::string format_comparison_table(const Plan& base, const Plan& head, const ComparedSimulation& c,
                                    const SimulationHeader& h, const ComparisonSide& b);
std::string format_comparison_json(const Plan& base, const Plan& head, const ComparedSimulation& c,
                                   const SimulationHeader& h, const ComparisonSide& b);

}  // namespace hoshu::eval
