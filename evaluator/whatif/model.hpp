// Model: how `hoshu simulate` varies the inputs — a TOML file of distributions, a share
// price process and correlations — and Sampler, which draws paths from it.
//
// Every parameter is read exactly (a Rational). Binary floating point exists only inside
// the sampler (and the Cholesky factor and to_double that feed it), between the random
// numbers and the rounding of each sampled value: a sampled double is converted to the
// exact Rational it denotes (no decimal text) and rounded half-even to the declared
// precision. What the plan sees is always exact.
//
//   dsl::SourceManager sm;
//   auto model = load_model(sm, "examples/iij/model.toml");
//   if (!model) { fputs(render(sm, model.error()).c_str(), stderr); return 2; }
//   Sampler s(*model, /*seed=*/42);
//   std::vector<Rational> values, closes;
//   s.start_block(0);                      // paths 0 … 1023
//   s.draw(Rational(2850), values, closes);
//
// The model file:
//
//   [[input]]                              # one per sampled value of the inputs file
//   path = "years.FY2024.revenue"          # resolved against the inputs by the caller
//   distribution = "triangular"            # fixed | uniform | triangular | normal | lognormal
//   low = 290e9                            # fixed: value; uniform: low, high;
//   mode = 316.8e9                         # triangular: low, mode, high; normal: mean, sd;
//   high = 340e9                           # lognormal: log_mean, log_sd (of log X);
//   precision = 1                          # normal, lognormal: optional low, high (clamp)
//
//   [price]                                # geometric Brownian motion of the share price
//   start = 2024-03-29                     # series, date_key, value_key default to
//   dates = [2025-06-25]                   # "prices", "date", "close"
//   volatility = "35%"
//   risk_free_rate = "0.5%"
//   dividend_yield = "1.5%"
//   precision = 1
//
//   [[correlation]]                        # Gaussian copula; "price" names the price
//   between = ["years.FY2024.revenue", "price"]
//   rho = 0.6
//
//   [report]
//   events = ["annual_at_ceiling"]         # boolean definitions whose probability is reported
//   grant_price = "grant_price"            # the definition that is the grant-time price (needs [price])
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

enum class Distribution { fixed, uniform, triangular, normal, lognormal };

/// "fixed", "uniform", … as written in a model file.
const char* to_string(Distribution d);

/// Limits of a model file, each a located error when exceeded. They keep every sampled
/// double finite: |value|, |low|, |high|, |mode|, |mean|, sd at most 1e18; |log_mean| at
/// most 40 and log_sd at most 5; volatility at most 500%, |rates| at most 100%, the last
/// simulated date at most 50 years after the start.
inline constexpr std::size_t max_model_inputs = 1000;

struct ModelInput {
    std::string path;                  // a path in the inputs file (InputFile::find)
    dsl::SourceRange path_range;       // the path's string in the model file
    dsl::SourceRange range;            // the [[input]] header
    Distribution dist = Distribution::fixed;
    Rational value;                    // fixed
    Rational low, high;                // uniform (each multiple of precision from low to high as likely),
                                       // triangular; normal and lognormal: optional bounds
    bool has_low = false, has_high = false;
    Rational mode;                     // triangular
    Rational mean, sd;                 // normal
    Rational log_mean, log_sd;         // lognormal: mean and standard deviation of log X
    Rational precision = 1;            // every sample is a multiple of this (not used by fixed)
    dsl::SourceRange precision_range;  // where `precision` is written
    /// The values in the unit of the samples written as percentages ("10%": `value`, `low`,
    /// `mode`, `high`, `mean`, `sd`, `precision`), and where: a percentage is no amount of
    /// money or shares, so the value sampled must be a ratio (checked against the plan).
    struct Percent {
        std::string text;              // as written, without quotes: "10%"
        dsl::SourceRange range;
    };
    std::vector<Percent> percents;
    /// Errors of values written in percent that hold only if the percentages are read as
    /// ratios (a precision coarser than the spread, a bound not a multiple of the
    /// precision): reported with the model unless a percentage is refused for this input
    /// (simulate: "a percentage is no amount of it", the cause to name).
    std::vector<dsl::Diagnostic> unless_percent_refused;
};

struct PriceModel {
    std::string series = "prices";     // the array of records in the inputs
    std::string date_key = "date";
    std::string value_key = "close";
    dsl::SourceRange range;            // the [price] header
    Date start;                        // the valuation date; its close in the inputs is S0
    dsl::SourceRange start_range;
    std::vector<Date> dates;           // closes to simulate, increasing, after start
    std::vector<dsl::SourceRange> date_ranges;
    dsl::SourceRange dates_range;      // the `dates` key
    Rational volatility, risk_free, dividend_yield;   // annual; Δt = days / 365
    Rational precision = 1;
    dsl::SourceRange precision_range;
};

struct Correlation {
    std::size_t a = 0, b = 0;          // indices over inputs, then the price (inputs.size())
    Rational rho;
    dsl::SourceRange range;            // the [[correlation]] header
};

struct Model {
    dsl::FileId file = 0;
    std::vector<ModelInput> inputs;
    std::optional<PriceModel> price;
    std::vector<Correlation> correlations;
    /// The lower-triangular Cholesky factor L of the correlation matrix over the inputs,
    /// then the price: row i lists its nonzero entries (column j ≤ i, L_ij), the diagonal
    /// last. An uncorrelated value has the single entry (i, 1).
    std::vector<std::vector<std::pair<std::uint32_t, double>>> cholesky;
    std::vector<std::string> events;
    std::vector<dsl::SourceRange> event_ranges;
    std::string grant_price;           // empty when not given
    dsl::SourceRange grant_price_range;

    /// Number of correlated standard normals per path: the inputs, and the price if any.
    std::size_t dimension() const { return inputs.size() + (price ? 1 : 0); }
};

/// Read and check a model file; every error is located in it.
Result<Model> load_model(dsl::SourceManager& sm, const std::string& path);
/// The same for `text` as if read from `path` (tests).
Result<Model> parse_model(dsl::SourceManager& sm, std::string path, std::string text);

/// The exact value of a finite double: m·2^e, built without decimal text.
/// rational_from_double(0.1) == 3602879701896397/36028797018963968.
Rational rational_from_double(double x);
/// rational_from_double(x), clamped to [low, high] (either may be null), rounded half-even
/// to a multiple of `unit` (positive): a sampled value as the plan sees it. Computed on
/// 64-bit integers where every number fits, else on 128-bit ones, else through Rational.
Rational rounded_sample(double x, const Rational* low, const Rational* high, const Rational& unit);
/// The same into `out` (a sampler's value, written in place).
void rounded_sample(double x, const Rational* low, const Rational* high, const Rational& unit, Rational& out);
/// The double nearest to x (ties to even), computed exactly; ±inf beyond the double range.
double to_double(const Rational& x);

/// Draws paths from a model. Path p uses the random stream of block p / block_size,
/// seeded from (seed, block) only: results do not depend on how blocks are shared out
/// among threads. One Sampler per thread; draw() does not allocate after its first call.
///
/// Per path: one independent standard normal per dimension, multiplied by the Cholesky
/// factor (Gaussian copula), then each value's marginal: normal mean + sd·z; lognormal
/// exp(log_mean + log_sd·z); triangular its inverse CDF at Φ(z); fixed its value. A uniform
/// takes each multiple of its precision from low to high with the same probability: a
/// whole number of steps drawn from the random stream in its normal's place (exactly
/// uniform), or, when correlated, the step at Φ(z)'s rank among them. The price follows
/// S_k = S_{k-1}·exp((r − q − σ²/2)·Δt + σ·√Δt·z_k), the first step with the price's
/// correlated normal, later steps with fresh independent ones.
class Sampler {
public:
    static constexpr std::uint64_t block_size = 1024;

    /// `m` must outlive the sampler. Starts at block 0.
    Sampler(const Model& m, std::uint64_t seed);

    /// Start the random stream of block b (paths b·block_size … ).
    void start_block(std::uint64_t b);
    /// Draw one path: out_inputs[i] is model.inputs[i]'s sample (clamped to its bounds,
    /// rounded half-even to its precision); out_prices[k] is the close on price.dates[k]
    /// given S0 = s0, rounded half-even to price.precision and at least one precision (a
    /// close is positive). Both are resized.
    void draw(const Rational& s0, std::vector<Rational>& out_inputs, std::vector<Rational>& out_prices);

    Sampler(Sampler&&) noexcept;
    Sampler& operator=(Sampler&&) noexcept;
    ~Sampler();

private:
    struct Impl;   // Boost.Random state and precomputed constants; in model.cpp
    std::unique_ptr<Impl> impl_;
};

}  // namespace hoshu::eval
