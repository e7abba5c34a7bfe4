// Reports of a simulation: a table for the committee (text.cpp), JSON for the accountants
// (json.cpp), each headed by what it was computed from.
//
//   SimulationHeader h{*seal, "examples/iij/model.toml", sha256_hex(model_text), 42};
//   std::string text = format_simulation_table(plan, *result, h);
#pragma once

#include <cstdint>
#include <string>

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
std::string format_simulation_table(const Plan& plan, const SimulationResult& r, const SimulationHeader& h);
std::string format_simulation_json(const Plan& plan, const SimulationResult& r, const SimulationHeader& h);

}  // namespace hoshu::eval
