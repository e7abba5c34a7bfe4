// Monte Carlo over a plan: sample the model's inputs and share price, evaluate the whole
// plan exactly on each path, and count what happened.
//
//   auto model = load_model(sm, "examples/iij/model.toml");
//   auto sim = Simulation::prepare(plan, inputs, *model, {});     // resolves the model's paths
//   auto result = sim->run({.paths = 1'000'000, .seed = 42, .threads = 2});
//
// Every path's values are exact: a sampled number is rounded to its declared precision
// before the plan sees it. The counts are exact integers and are merged in any order to
// the same totals, so the statistics do not depend on the number of threads: path i
// always draws from the random stream of its block (i / Sampler::block_size).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/whatif/model.hpp"
#include "evaluator/whatif/tallies.hpp"

namespace hoshu::eval {

/// How the paths are evaluated. `compiled`: through the plan compiled to machine code
/// (native/kernel.hpp), the interpreter evaluating every path the compiled plan gives up —
/// an error when the plan cannot be compiled for the model's values; `automatic`: the same
/// when a plan compiled before is in the cache or `compile` says so, else the interpreter;
/// `interpreter`: never compiled. The numbers are the same whichever evaluates.
enum class SimulationEngine { interpreter, automatic, compiled };

struct SimulationOptions {
    std::uint64_t paths = 10'000;
    std::uint64_t seed = 1;
    unsigned threads = 1;
    EvalOptions eval;
    /// Paths finished so far, updated as blocks finish (for a progress bar), and the pass
    /// over them (1, then 2, 3… while the percentiles of counts past distinct_cap are
    /// sought; `progress` starts again from 0 with each).
    std::atomic<std::uint64_t>* progress = nullptr;
    std::atomic<unsigned>* pass = nullptr;
    SimulationEngine engine = SimulationEngine::interpreter;
    bool compile = false;        // automatic: run the compiler when no compiled plan is cached
    std::string compiler, cache_dir;   // empty: as KernelOptions says
    /// Distinct values an output's counts hold before giving way to moments and bins (the
    /// percentiles are then found by further passes over the same paths).
    std::size_t distinct_cap = ValueCounts::default_cap;
};

/// The change of one output from the base plan to this one, path by path (head − base).
struct OutputChange {
    std::optional<std::size_t> director;   // index in the head's directors; none: plan-wide
    std::string output;
    ValueCounts counts;
};

/// Two plans on the same paths.
struct ComparedSimulation {
    SimulationResult base, head;
    /// Every output of both plans that is a number of one unit in both, for every director
    /// of both (the head's order; directors matched by id), then the plan-wide outputs.
    std::vector<OutputChange> changes;
};

class Simulation {
public:
    static constexpr const char* not_compiled = "the plan cannot be compiled for the values the model samples";
    /// Check the model against the plan and the inputs: every path names a value of the
    /// inputs, every price date is a record of the series, events are boolean definitions,
    /// and every close after the price's start the plan reads is one the model simulates
    /// (found by evaluating the base inputs; when these do not evaluate, run() checks it on
    /// the first path's values before any path is counted).
    /// `base`: the base plan of a comparison (run_against), whose report leaves out the
    /// model's events and grant-time price it has no definition of (the table shows "—").
    static Result<Simulation> prepare(const Plan& plan, const InputFile& inputs, const Model& model,
                                      EvalOptions options, bool base = false);
    /// Run the paths. An evaluation error on a path stops the run and is returned, with
    /// the path's sampled values in a note. Under SimulationEngine::compiled, a plan that
    /// cannot be compiled for the model's values is an error whose last note is
    /// `not_compiled`.
    Result<SimulationResult> run(const SimulationOptions& options) const;
    /// `simulate --against BASE`: this plan and `base` (prepared on the same inputs and
    /// model) on the same paths — each path's sampled values are given to both — and the
    /// change of every output both have, path by path. `base_eval` is the base plan's
    /// evaluation options (`options.eval` this plan's).
    Result<ComparedSimulation> run_against(const Simulation& base, const EvalOptions& base_eval,
                                           const SimulationOptions& options) const;

private:
    Result<std::vector<SimulationResult>> run_plans(const std::vector<const Simulation*>& sims,
                                                    const std::vector<EvalOptions>& evals,
                                                    const SimulationOptions& options,
                                                    std::vector<OutputChange>* changes) const;
    /// One pass over the paths; `focus`: a later pass, which counts (in the order of
    /// each_counts) only the values in these ranges.
    Result<std::vector<SimulationResult>> run_paths(
        const std::vector<const Simulation*>& sims, const std::vector<EvalOptions>& evals,
        const SimulationOptions& options, std::vector<OutputChange>* changes,
        const std::vector<std::vector<std::pair<Rational, Rational>>>* focus) const;
    Simulation(const Plan& plan, const InputFile& inputs, const Model& model) : plan_(&plan), inputs_(&inputs), model_(&model) {}
    const Plan* plan_;
    const InputFile* inputs_;
    const Model* model_;
    std::vector<InputFile::Node> input_nodes_;   // parallel to model.inputs
    std::vector<InputFile::Node> price_nodes_;   // parallel to model.price->dates
    std::vector<std::string> override_paths_;    // the inputs' paths, then the closes', for messages
    Rational start_price_;
    std::vector<std::uint32_t> event_slots_;
    /// Whether the closes the plan reads are still to be checked against the model's
    /// dates (on the first path's values): the base inputs did not evaluate.
    bool closes_unchecked_ = false;
    std::uint32_t price_slot_ = none;
    PriceUnits price_units_;                     // the price's: what it values, in what
};

/// Summary numbers of a tally, exact or (for the standard deviation and discounted values)
/// computed in 50-digit decimal arithmetic and rounded for display.
struct OutputSummary {
    Rational mean;
    /// The sample standard deviation, 2 decimals; none for a single path, whose sample
    /// standard deviation is undefined (shown as absent values are: "—", JSON null).
    std::optional<std::string> sd;
    Rational variance;                      // sample variance, exact (sd = its square root; 0 for one path)
    Rational p5, p25, p50, p75, p95, min, max;
    Rational p_zero;                        // fraction of paths
    std::optional<Rational> fair_value_grant, fair_value_share;   // discounted, exact to 30 decimals
};
OutputSummary summarize(const SimulationResult& r, const OutputTally& t);
/// The same without fair values (e.g. of a change between two plans).
OutputSummary summarize(const ValueCounts& counts);
/// The square root of `variance` to `places` decimals ("0.41"), computed as the summaries'
/// `sd` is: a percent's spread in percent is `standard_deviation(variance * 10000, 2)`.
std::string standard_deviation(const Rational& variance, int places);

}  // namespace hoshu::eval
