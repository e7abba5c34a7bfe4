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
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/whatif/model.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/output/eval_report.hpp"

namespace hoshu::eval {

/// Exact counts of the values one output took over the paths. Integers of a moderate
/// range are counted in an array; anything else in an ordered map. Memory depends on the
/// number of distinct values, not on the number of paths.
class ValueCounts {
public:
    void add(const Rational& v) {
        // Most values are integers within the range counted so far.
        if (auto i = v.to_int64(); i && *i >= low_ && *i - low_ < static_cast<std::int64_t>(dense_.size())) {
            ++dense_[static_cast<std::size_t>(*i - low_)];
            ++total_;
            return;
        }
        add_other(v);
    }
    void merge(const ValueCounts& other);
    std::uint64_t total() const { return total_; }
    /// Every value with its count, in increasing order.
    std::vector<std::pair<Rational, std::uint64_t>> sorted() const;
    /// Every value counted is 0 (and there is at least one).
    bool only_zero() const;

private:
    void add_other(const Rational& v);
    void add_integer(std::int64_t v, std::uint64_t n);
    std::int64_t low_ = 0;
    std::vector<std::uint64_t> dense_;
    std::map<Rational, std::uint64_t> sparse_;
    std::uint64_t total_ = 0;
};

/// A sum of exact values, on 128-bit integers while they are integers that fit.
class ExactSum {
public:
    void add(const Rational& v);
    void add_product(const Rational& a, const Rational& b) {
        if (!a.is_zero()) add_nonzero_product(a, b);   // no shares, nothing to add
    }
    void merge(const ExactSum& other);
    Rational value() const;

private:
    void add_nonzero_product(const Rational& a, const Rational& b);
    __int128 small_ = 0;
    Rational rest_;
};

struct OutputTally {
    std::size_t director = 0;
    std::uint32_t slot = 0;            // a director output
    ValueCounts counts;
    ExactSum value_times_price;        // for outputs in shares: Σ shares × grant-time price
};

struct EventTally {
    std::uint32_t slot = 0;            // a boolean definition
    std::optional<std::size_t> director;   // none: plan-wide
    std::uint64_t count = 0;           // paths where it was true
};

struct LimitTally {
    std::uint32_t limit = 0;
    std::uint64_t scaled = 0, violated = 0;
};

struct SimulationResult {
    std::uint64_t paths = 0;
    std::vector<std::string> directors;    // ids, as the plan lists them
    std::vector<OutputTally> outputs;      // every director × every director output
    std::vector<EventTally> events;
    std::vector<LimitTally> limits;
    ExactSum price_sum;                    // Σ grant-time price (when the model names it)
    bool has_price = false;
    /// exp(-r·T) for the model's risk-free rate and the time from the price's start to its
    /// last simulated date, as an exact decimal of 30 places (empty when there is no price).
    std::optional<Rational> discount;
    std::int32_t days = 0;                 // T in days (the factor uses T = days / 365)
};

struct SimulationOptions {
    std::uint64_t paths = 10'000;
    std::uint64_t seed = 1;
    unsigned threads = 1;
    EvalOptions eval;
    /// Paths finished so far, updated as blocks finish (for a progress bar).
    std::atomic<std::uint64_t>* progress = nullptr;
};

class Simulation {
public:
    /// Check the model against the plan and the inputs: every path names a value of the
    /// inputs, every price date is a record of the series, events are boolean definitions.
    static Result<Simulation> prepare(const Plan& plan, const InputFile& inputs, const Model& model,
                                      EvalOptions options);
    /// Run the paths. An evaluation error on a path stops the run and is returned, with
    /// the path's sampled values in a note.
    Result<SimulationResult> run(const SimulationOptions& options) const;

private:
    Simulation(const Plan& plan, const InputFile& inputs, const Model& model) : plan_(&plan), inputs_(&inputs), model_(&model) {}
    const Plan* plan_;
    const InputFile* inputs_;
    const Model* model_;
    std::vector<InputFile::Node> input_nodes_;   // parallel to model.inputs
    std::vector<InputFile::Node> price_nodes_;   // parallel to model.price->dates
    std::vector<std::string> override_paths_;    // the inputs' paths, then the closes', for messages
    Rational start_price_;
    std::vector<std::uint32_t> event_slots_;
    std::uint32_t price_slot_ = none;
};

/// Summary numbers of a tally, exact or (for the standard deviation and discounted values)
/// computed in 50-digit decimal arithmetic and rounded for display.
struct OutputSummary {
    Rational mean;
    std::string sd;                         // sample standard deviation, 2 decimals
    Rational p5, p25, p50, p75, p95, min, max;
    Rational p_zero;                        // fraction of paths
    std::optional<Rational> fair_value_grant, fair_value_share;   // discounted, exact to 30 decimals
};
OutputSummary summarize(const SimulationResult& r, const OutputTally& t);

/// What a report says it was computed from.
struct SimulationHeader {
    Seal seal;                 // rules and inputs
    std::string model_path, model_sha256;
    std::uint64_t seed = 0;
};
std::string format_simulation_table(const Plan& plan, const SimulationResult& r, const SimulationHeader& h);
std::string format_simulation_json(const Plan& plan, const SimulationResult& r, const SimulationHeader& h);

}  // namespace hoshu::eval
