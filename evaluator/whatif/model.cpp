// Model files and the Monte Carlo sampler.
//
// Reading: every table and key is checked against what it may hold, every error is
// located in the model file, and reading goes on after an error so that one run reports
// every problem. The correlation matrix is factored per connected group of correlated
// values, so a model of 1000 inputs with a few correlations costs little per path.
//
// Sampling: Boost.Random's mt19937_64 and normal_distribution, whose values are the same
// on every platform (std::normal_distribution's are not). Binary floating point is used
// only here, from the random numbers to the sampled double; the double is then turned
// into the exact Rational it denotes and rounded half-even to its precision.
#include "evaluator/whatif/model.hpp"

#include <boost/math/special_functions/erf.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/seed_seq.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string_view>
#include <tuple>

#include "evaluator/run/inputs.hpp"

namespace hoshu::eval {

namespace {

using dsl::SourceRange;
using Node = InputFile::Node;

constexpr std::int32_t max_price_days = 18'262;   // 50 years of 365.25 days
constexpr double not_positive_definite = 1e-12;    // a Cholesky pivot at most this fails
constexpr double inv_sqrt2 = 0.70710678118654752440;   // Φ(z) = erfc(−z/√2) / 2

/// Φ(x) and 1 − Φ(x) of the standard normal, each without cancellation.
double normal_below(double x) { return 0.5 * std::erfc(-x * inv_sqrt2); }
double normal_above(double x) { return 0.5 * std::erfc(x * inv_sqrt2); }

/// A normal or lognormal input's `low` and `high` in standard units ((low − mean) / sd, or
/// of log low for a lognormal); −∞ and +∞ where it has none (a lognormal's low of 0 or less
/// bounds nothing).
std::pair<double, double> standard_bounds(const ModelInput& in);

/// The share of a standard normal's draws in [lo, hi] (from the nearer tail).
double share_between(double lo, double hi) {
    return lo > 0 ? normal_above(lo) - normal_above(hi) : normal_below(hi) - normal_below(lo);
}

// ---- exact <-> double ----

/// 2^k exactly, for any k.
Rational pow2(int k) {
    if (k < 0) return Rational(1) / pow2(-k);
    Rational r = 1;
    for (; k > 62; k -= 62) r *= Rational(std::int64_t{1} << 62);
    return r * Rational(std::int64_t{1} << k);
}

// ---- reading ----

std::string join(const std::vector<std::string_view>& words) {
    std::string out;
    for (auto w : words) {
        if (!out.empty()) out += ", ";
        out += w;
    }
    return out;
}

/// "`a`, `b` and `c`".
std::string listed(const std::vector<std::string_view>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += i + 1 == words.size() ? " and " : ", ";
        out += fmt::format("`{}`", words[i]);
    }
    return out;
}

struct DistributionKeys {
    Distribution dist;
    const char* name;
    std::vector<std::string_view> allowed;    // in the order the message lists them
    std::vector<std::string_view> required;
};

const std::vector<DistributionKeys>& distribution_keys() {
    static const std::vector<DistributionKeys> table = {
        {Distribution::fixed, "fixed", {"path", "distribution", "value"}, {"value"}},
        {Distribution::uniform, "uniform", {"path", "distribution", "low", "high", "precision"},
         {"low", "high", "precision"}},
        {Distribution::triangular, "triangular", {"path", "distribution", "low", "mode", "high", "precision"},
         {"low", "mode", "high", "precision"}},
        {Distribution::normal, "normal", {"path", "distribution", "mean", "sd", "low", "high", "precision"},
         {"mean", "sd", "precision"}},
        {Distribution::lognormal, "lognormal",
         {"path", "distribution", "log_mean", "log_sd", "low", "high", "precision"},
         {"log_mean", "log_sd", "precision"}},
    };
    return table;
}

const std::vector<std::string_view> any_input_keys = {"path", "distribution", "value", "low", "mode", "high",
                                                       "mean", "sd", "log_mean", "log_sd", "precision"};
const std::vector<std::string_view> top_keys = {"input", "price", "correlation", "report"};
const std::vector<std::string_view> price_keys = {"series", "date_key", "value_key", "start",
                                                  "dates", "volatility", "risk_free_rate", "dividend_yield",
                                                  "precision"};
const std::vector<std::string_view> correlation_keys = {"between", "rho"};
const std::vector<std::string_view> report_keys = {"events", "grant_price"};

class Reader {
public:
    Reader(const InputFile& in, dsl::Diagnostics& diags) : in_(in), diags_(diags) {}

    const InputFile& in() const { return in_; }
    dsl::Diagnostics& diags() { return diags_; }

    /// The value's text as written in the model file ("35%" with its quotes).
    std::string written(Node n) const {
        SourceRange r = in_.range(n);
        if (!r.valid) return "?";
        return in_.bytes().substr(r.begin, r.end - r.begin);
    }

    std::optional<Rational> number(Node n) {
        auto r = in_.number(n);
        if (!r) {
            diags_.append(r.error());
            return std::nullopt;
        }
        return std::move(*r);
    }
    std::optional<Date> date(Node n) {
        auto r = in_.date(n);
        if (!r) {
            diags_.append(r.error());
            return std::nullopt;
        }
        return *r;
    }
    /// A non-empty string.
    std::optional<std::string> text(Node n, std::string_view key) {
        auto r = in_.text(n);
        if (!r) {
            diags_.append(r.error());
            return std::nullopt;
        }
        if (r->empty()) {
            diags_.error(in_.range(n), "`{}` must not be empty", key);
            return std::nullopt;
        }
        return std::move(*r);
    }

    /// Every key of `table` not in `allowed` is an error.
    void check_keys(Node table, const std::vector<std::string_view>& allowed, std::string_view where) {
        for (const auto& key : in_.keys(table)) {
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            diags_.error(in_.key_range(table, key), "unknown key `{}` in {}; expected one of: {}", key, where,
                         join(allowed));
        }
    }

    /// The value under `key`, or an error at the table when it is missing.
    Node required(Node table, std::string_view key, std::string_view where) {
        Node n = in_.child(table, key);
        if (!n) diags_.error(in_.range(table), "missing key `{}` in {}", key, where);
        return n;
    }

    /// The number under `key` if present (no error when absent).
    std::optional<Rational> optional_number(Node table, std::string_view key) {
        Node n = in_.child(table, key);
        return n ? number(n) : std::nullopt;
    }

    /// An error at the value under `key` unless |x| ≤ limit.
    bool within(Node table, std::string_view key, const Rational& x, const Rational& limit, std::string_view shown) {
        if (x.abs() <= limit) return true;
        Node n = in_.child(table, key);
        diags_.error(in_.range(n), "`{}` is too large for sampling: at most {} in magnitude, found {}", key, shown,
                     written(n));
        return false;
    }

private:
    const InputFile& in_;
    dsl::Diagnostics& diags_;
};

/// Array-of-tables check for `input` and `correlation`.
bool is_table_array(Reader& rd, Node n, std::string_view key) {
    const InputFile& in = rd.in();
    bool ok = in.kind(n) == InputKind::array;
    for (std::size_t i = 0; ok && i < in.size(n); ++i) ok = in.kind(in.element(n, i)) == InputKind::table;
    if (!ok) {
        rd.diags().error(in.range(n), "`{}` must be an array of tables ([[{}]]), found {}", key, key,
                         in.kind(n) == InputKind::array ? "an array of other values" : describe(in.kind(n)));
    }
    return ok;
}

using Names = std::map<std::string, std::size_t, std::less<>>;

/// One [[input]] into m.inputs and `seen` (path -> index); an [[input]] in error goes into
/// `failed` instead (by its path, when it has one), so that a correlation naming it adds no
/// error of its own.
void read_input(Reader& rd, Node t, Model& m, Names& seen, std::set<std::string, std::less<>>& failed) {
    const InputFile& in = rd.in();
    dsl::Diagnostics& diags = rd.diags();
    ModelInput mi;
    mi.range = in.range(t);
    bool ok = true;

    Node path = rd.required(t, "path", "[[input]]");
    if (path) {
        auto p = rd.text(path, "path");
        if (p) {
            mi.path = std::move(*p);
            mi.path_range = in.range(path);
        } else {
            ok = false;
        }
    } else {
        ok = false;
    }

    const DistributionKeys* keys = nullptr;
    Node dist = rd.required(t, "distribution", "[[input]]");
    if (dist) {
        if (auto name = in.text(dist); !name) {
            diags.append(name.error());
        } else {
            for (const auto& k : distribution_keys())
                if (*name == k.name) keys = &k;
            if (!keys) {
                auto& d = diags.error(in.range(dist), "unknown distribution {}; expected one of: fixed, uniform, "
                                      "triangular, normal, lognormal", rd.written(dist));
                std::vector<std::string> names;
                for (const auto& k : distribution_keys()) names.emplace_back(k.name);
                // (Three edits: "triangle" for triangular; the five names are far apart.)
                if (auto best = dsl::closest(*name, names, 3)) d.hint = fmt::format("did you mean \"{}\"?", *best);
            }
        }
    }
    if (!keys) {
        rd.check_keys(t, any_input_keys, "[[input]]");
        if (!mi.path.empty()) failed.insert(mi.path);
        return;
    }
    mi.dist = keys->dist;
    const std::string where = fmt::format("a {} [[input]]", keys->name);
    rd.check_keys(t, keys->allowed, where);
    for (auto key : keys->required) {
        if (!in.child(t, key)) {
            diags.error(in.range(dist), "missing key `{}`: a {} distribution needs {}", key, keys->name,
                        listed(keys->required));
            ok = false;
        }
    }

    const Rational big = Rational(1'000'000'000'000'000'000);
    auto read = [&](std::string_view key, Rational& into, const Rational& limit, std::string_view shown) {
        if (std::find(keys->allowed.begin(), keys->allowed.end(), key) == keys->allowed.end()) return false;
        auto v = rd.optional_number(t, key);
        if (!v) {
            if (in.child(t, key)) ok = false;
            return false;
        }
        into = std::move(*v);
        if (!rd.within(t, key, into, limit, shown)) ok = false;
        return true;
    };
    read("value", mi.value, big, "1e18");
    mi.has_low = read("low", mi.low, big, "1e18");
    mi.has_high = read("high", mi.high, big, "1e18");
    const bool has_mode = read("mode", mi.mode, big, "1e18");
    read("mean", mi.mean, big, "1e18");
    const bool has_sd = read("sd", mi.sd, big, "1e18");
    read("log_mean", mi.log_mean, Rational(40), "40");
    const bool has_log_sd = read("log_sd", mi.log_sd, Rational(5), "5");
    const bool has_precision = read("precision", mi.precision, big, "1e18");
    if (Node n = in.child(t, "precision")) mi.precision_range = in.range(n);

    std::set<std::string_view> in_percent;   // the keys written as percentages
    for (std::string_view key : {"value", "low", "mode", "high", "mean", "sd", "precision"}) {
        Node n = in.child(t, key);
        if (!n || in.kind(n) != InputKind::string) continue;
        auto text = in.text(n);
        if (text && !text->empty() && text->back() == '%') {
            mi.percents.push_back({*text, in.range(n)});
            in_percent.insert(key);
        }
    }
    // An error of values of which one is a percentage: held back until the plan says
    // whether a percentage is an amount of the value sampled (simulate checks it).
    auto percent_error = [&](const std::vector<std::string_view>& keys, SourceRange where,
                             std::string message) -> dsl::Diagnostic& {
        for (auto key : keys) {
            if (!in_percent.contains(key)) continue;
            auto& d = mi.unless_percent_refused.emplace_back();
            d.range = where;
            d.message = std::move(message);
            return d;
        }
        ok = false;
        return diags.error(where, "{}", message);
    };

    auto positive = [&](bool has, std::string_view key, const Rational& x) {
        if (has && x.sign() <= 0) {
            Node n = in.child(t, key);
            diags.error(in.range(n), "`{}` must be positive, found {}", key, rd.written(n));
            ok = false;
        }
    };
    positive(has_sd, "sd", mi.sd);
    positive(has_log_sd, "log_sd", mi.log_sd);
    positive(has_precision, "precision", mi.precision);
    if (mi.has_low && mi.has_high && mi.low >= mi.high) {
        diags.error(in.range(in.child(t, "high")), "`low` must be less than `high`, found low = {} and high = {}",
                    rd.written(in.child(t, "low")), rd.written(in.child(t, "high")));
        ok = false;
    } else if (has_mode && mi.has_low && mi.has_high && (mi.mode < mi.low || mi.mode > mi.high)) {
        diags.error(in.range(in.child(t, "mode")), "`mode` must lie between `low` and `high` ({} to {}), found {}",
                    rd.written(in.child(t, "low")), rd.written(in.child(t, "high")),
                    rd.written(in.child(t, "mode")));
        ok = false;
    }
    // A normal or lognormal is truncated to its bounds: they must hold some of its draws.
    const bool bell = mi.dist == Distribution::normal || mi.dist == Distribution::lognormal;
    if (ok && bell && (mi.has_low || mi.has_high)) {
        const auto [lo, hi] = standard_bounds(mi);
        if (!(share_between(lo, hi) >= 1e-6)) {
            Node n = in.child(t, mi.has_low ? "low" : "high");
            auto& d = diags.error(in.range(n),
                                  "`low` and `high` hold less than one in a million of this {}'s draws (which are "
                                  "drawn within them)",
                                  mi.dist == Distribution::normal ? "normal" : "lognormal");
            d.hint = mi.dist == Distribution::normal ? "check `mean` and `sd`, or the bounds"
                                                     : "check `log_mean` and `log_sd` (of the logarithm), or the bounds";
            ok = false;
        }
    }
    // A precision coarser than the spread of the draws rounds them all to one or two values.
    if (ok && has_precision && mi.dist != Distribution::fixed) {
        std::optional<Rational> spread;
        std::string what;
        std::vector<std::string_view> keys = {"precision"};
        if (mi.dist == Distribution::normal) {
            spread = mi.sd;
            keys = {"precision", "sd"};
            what = fmt::format("`sd` {}", rd.written(in.child(t, "sd")));
        } else if (mi.dist == Distribution::lognormal) {
            // The standard deviation of X: e^(μ + σ²/2) · √(e^(σ²) − 1), to 6 significant digits.
            const double s = to_double(mi.log_sd), sd = std::exp(to_double(mi.log_mean) + s * s / 2) * std::sqrt(std::expm1(s * s));
            if (std::isfinite(sd) && sd > 0) {
                spread = Rational::parse(fmt::format("{:.6e}", sd));
                what = fmt::format("the draws' standard deviation, about {}", fmt::format("{:.6g}", sd));
            }
        } else if (mi.has_low && mi.has_high) {
            spread = mi.high - mi.low;
            keys = {"precision", "low", "high"};
            what = fmt::format("`high` − `low`, {}", spread->to_string());
        }
        if (spread && mi.precision > *spread) {
            auto& d = percent_error(keys, in.range(in.child(t, "precision")),
                                    fmt::format("`precision` {} is coarser than the spread of the draws ({}): every "
                                                "sample would round to one of a few multiples of it",
                                                rd.written(in.child(t, "precision")), what));
            d.hint = "the precision is the step the samples are rounded to (0.01 for cents, 1_000_000 for millions)";
        }
    }
    // Bounds that are multiples of the precision keep clamped, rounded samples inside them.
    if (has_precision && mi.precision.sign() > 0) {
        for (auto [key, has, x] : {std::tuple{"low", mi.has_low, &mi.low}, std::tuple{"high", mi.has_high, &mi.high}}) {
            if (has && !(*x / mi.precision).is_integer()) {
                Node n = in.child(t, key);
                percent_error({key, "precision"}, in.range(n),
                              fmt::format("`{}` must be a multiple of `precision` ({}), found {}", key,
                                          rd.written(in.child(t, "precision")), rd.written(n)));
            }
        }
    }

    // A uniform draws one of the multiples of its precision from `low` to `high` (both
    // multiples, low < high: at least two), each as likely, by a whole number of steps
    // drawn on 64 bits.
    if (ok && mi.dist == Distribution::uniform &&
        (mi.high - mi.low) / mi.precision > Rational::from_parts(std::numeric_limits<std::uint64_t>::max(), 1)) {
        auto& d = diags.error(in.range(in.child(t, "precision")),
                              "`precision` {} is too fine for this uniform: `low` to `high` holds {} multiples of it, "
                              "more than the 2^64 a uniform draws among",
                              rd.written(in.child(t, "precision")),
                              ((mi.high - mi.low) / mi.precision + Rational(1)).to_string());
        d.hint = "a uniform draws each multiple of `precision` from `low` to `high` with the same probability";
        ok = false;
    }

    if (!mi.path.empty()) {
        if (auto it = seen.find(mi.path); it != seen.end()) {
            diags.error(mi.path_range, "`{}` is modelled twice", mi.path);
            diags.note(m.inputs[it->second].path_range, "first modelled here");
            return;
        }
    }
    if (!ok) {
        if (!mi.path.empty()) failed.insert(mi.path);
        return;
    }
    seen.emplace(mi.path, m.inputs.size());
    m.inputs.push_back(std::move(mi));
}

void read_price(Reader& rd, Node t, Model& m) {
    const InputFile& in = rd.in();
    dsl::Diagnostics& diags = rd.diags();
    if (in.kind(t) != InputKind::table) {
        diags.error(in.range(t), "`price` must be a table ([price]), found {}", describe(in.kind(t)));
        return;
    }
    rd.check_keys(t, price_keys, "[price]");
    PriceModel p;
    p.range = in.range(t);
    bool ok = true;
    for (auto [key, into] : {std::pair{"series", &p.series}, std::pair{"date_key", &p.date_key},
                             std::pair{"value_key", &p.value_key}}) {
        if (Node n = in.child(t, key)) {
            if (auto s = rd.text(n, key)) {
                *into = std::move(*s);
            } else {
                ok = false;
            }
        }
    }

    bool have_start = false;
    if (Node n = rd.required(t, "start", "[price]")) {
        if (auto d = rd.date(n)) {
            p.start = *d;
            p.start_range = in.range(n);
            have_start = true;
        }
    }
    ok = ok && have_start;
    if (Node n = rd.required(t, "dates", "[price]")) {
        p.dates_range = in.key_range(t, "dates");
        if (in.kind(n) != InputKind::array) {
            diags.error(in.range(n), "`dates` must be an array of dates, found {}", describe(in.kind(n)));
            ok = false;
        } else if (in.size(n) == 0) {
            diags.error(in.range(n), "`dates` must list at least one date to simulate");
            ok = false;
        }
        for (std::size_t k = 0; in.kind(n) == InputKind::array && k < in.size(n); ++k) {
            Node e = in.element(n, k);
            auto d = rd.date(e);
            if (!d) {
                ok = false;
                continue;
            }
            if (have_start) {
                if (p.dates.empty() && *d <= p.start) {
                    diags.error(in.range(e), "{} is not after `start` ({})", d->to_string(), p.start.to_string());
                    ok = false;
                } else if (!p.dates.empty() && *d <= p.dates.back()) {
                    diags.error(in.range(e), "`dates` must be strictly increasing: {} is not after {}",
                                d->to_string(), p.dates.back().to_string());
                    ok = false;
                } else if (d->days - p.start.days > max_price_days) {
                    diags.error(in.range(e), "{} is more than 50 years after `start` ({})", d->to_string(),
                                p.start.to_string());
                    ok = false;
                }
            }
            p.dates.push_back(*d);
            p.date_ranges.push_back(in.range(e));
        }
    } else {
        ok = false;
    }

    auto rate = [&](std::string_view key, Rational& into, const Rational& low, const Rational& high,
                    std::string_view shown) {
        Node n = rd.required(t, key, "[price]");
        if (!n) {
            ok = false;
            return;
        }
        auto v = rd.number(n);
        if (!v) {
            ok = false;
            return;
        }
        if (*v < low || *v > high) {
            diags.error(in.range(n), "`{}` must be between {}, found {}", key, shown, rd.written(n));
            ok = false;
        }
        into = std::move(*v);
    };
    rate("volatility", p.volatility, Rational(0), Rational(5), "0% and 500%");
    rate("risk_free_rate", p.risk_free, Rational(-1), Rational(1), "-100% and 100%");
    rate("dividend_yield", p.dividend_yield, Rational(-1), Rational(1), "-100% and 100%");
    if (Node n = rd.required(t, "precision", "[price]")) {
        p.precision_range = in.range(n);
        if (auto v = rd.number(n)) {
            if (v->sign() <= 0) {
                diags.error(in.range(n), "`precision` must be positive, found {}", rd.written(n));
                ok = false;
            }
            p.precision = std::move(*v);
        } else {
            ok = false;
        }
    } else {
        ok = false;
    }
    if (ok) m.price = std::move(p);
}

/// The index (over inputs, then the price) named in a [[correlation]]'s `between`; nothing,
/// without an error of its own, for an [[input]] in error (`failed`).
std::optional<std::size_t> correlated_value(Reader& rd, Node n, const Model& m, bool has_price, const Names& seen,
                                            const std::set<std::string, std::less<>>& failed) {
    auto name = rd.text(n, "between");
    if (!name) return std::nullopt;
    if (*name == "price") {
        if (m.price) return m.inputs.size();
        if (!has_price) rd.diags().error(rd.in().range(n), "`price` is not modelled: the model has no [price]");
        return std::nullopt;   // [price] has errors of its own
    }
    if (auto it = seen.find(*name); it != seen.end()) {
        // A fixed value is not sampled: a correlation with it would have no effect.
        if (it->second < m.inputs.size() && m.inputs[it->second].dist == Distribution::fixed) {
            auto& d = rd.diags().error(rd.in().range(n), "`{}` is `fixed`: a fixed value cannot be correlated", *name);
            d.hint = "a correlation has an effect only between two sampled values; remove this [[correlation]] "
                     "or give the value a distribution";
            return std::nullopt;
        }
        return it->second;
    }
    if (failed.contains(*name)) return std::nullopt;   // the [[input]] has errors of its own
    rd.diags().error(rd.in().range(n), "`{}` is not the path of an [[input]] of this model, nor `price`", *name);
    return std::nullopt;
}

/// Cholesky factor of the correlation matrix restricted to `members` (increasing
/// indices); false when it is not positive definite, or so nearly singular that a pivot is
/// at most not_positive_definite (then *pivot is that pivot). rows[i] gets the entries of
/// member i's row.
bool factor_group(const std::vector<std::size_t>& members,
                  const std::map<std::pair<std::size_t, std::size_t>, double>& rho,
                  std::vector<std::vector<std::pair<std::uint32_t, double>>>* rows, double* pivot = nullptr) {
    const std::size_t n = members.size();
    std::vector<double> l(n * n, 0.0);
    auto a = [&](std::size_t i, std::size_t j) {
        if (i == j) return 1.0;
        auto it = rho.find({std::min(members[i], members[j]), std::max(members[i], members[j])});
        return it == rho.end() ? 0.0 : it->second;
    };
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j <= i; ++j) {
            double s = a(i, j);
            for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
            if (i == j) {
                if (!(s > not_positive_definite)) {
                    if (pivot) *pivot = s;
                    return false;
                }
                l[i * n + i] = std::sqrt(s);
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    if (rows) {
        for (std::size_t i = 0; i < n; ++i) {
            auto& row = (*rows)[members[i]];
            row.clear();
            for (std::size_t j = 0; j <= i; ++j)
                if (l[i * n + j] != 0.0 || j == i) row.emplace_back(static_cast<std::uint32_t>(members[j]), l[i * n + j]);
        }
    }
    return true;
}

struct Groups {
    std::vector<std::size_t> parent;
    explicit Groups(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }
    void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
    std::vector<std::size_t> members(std::size_t i) {
        std::vector<std::size_t> out;
        const std::size_t g = find(i);
        for (std::size_t k = 0; k < parent.size(); ++k)
            if (find(k) == g) out.push_back(k);
        return out;
    }
};

/// Factor the correlation matrix into m.cholesky; when it is not positive definite, the
/// error is at the first [[correlation]] after which it no longer is.
void factor(Model& m, dsl::Diagnostics& diags) {
    const std::size_t n = m.dimension();
    m.cholesky.assign(n, {});
    for (std::size_t i = 0; i < n; ++i) m.cholesky[i] = {{static_cast<std::uint32_t>(i), 1.0}};
    if (m.correlations.empty()) return;

    std::map<std::pair<std::size_t, std::size_t>, double> rho;
    Groups groups(n);
    for (const auto& c : m.correlations) {
        rho[{std::min(c.a, c.b), std::max(c.a, c.b)}] = to_double(c.rho);
        groups.join(c.a, c.b);
    }
    bool all = true;
    std::vector<bool> done(n, false);
    for (std::size_t i = 0; i < n && all; ++i) {
        if (done[groups.find(i)]) continue;
        done[groups.find(i)] = true;
        auto members = groups.members(i);
        if (members.size() > 1) all = factor_group(members, rho, &m.cholesky);
    }
    if (all) return;

    // Add the correlations in file order; each one can only break its own group.
    std::map<std::pair<std::size_t, std::size_t>, double> so_far;
    Groups prefix(n);
    for (const auto& c : m.correlations) {
        so_far[{std::min(c.a, c.b), std::max(c.a, c.b)}] = to_double(c.rho);
        prefix.join(c.a, c.b);
        double pivot = 0;
        if (factor_group(prefix.members(c.a), so_far, nullptr, &pivot)) continue;
        // Positive definite while |rho| < 1, but the draws are computed in doubles: a pivot
        // this close to 0 is refused, as past their precision. Alone with its pair, or
        // that close to ±1 in any company, the correlation is the cause.
        const bool pair_only = prefix.members(c.a).size() == 2;
        if (c.rho.abs() != Rational(1) &&
            (pair_only || Rational(1) - c.rho * c.rho <= Rational(1) / Rational(1'000'000'000'000))) {
            auto& d = diags.error(c.range, "this correlation, {}, is too close to {} for the sampler's precision",
                                  c.rho.to_string(), c.rho < Rational(0) ? "-1" : "1");
            d.hint = "a correlation must lie between -0.9999999999995 and 0.9999999999995 (1 - rho^2 above 10^-12)";
            return;
        }
        if (pivot > 0) {
            auto& d = diags.error(c.range, "with this correlation the correlation matrix is too nearly singular for the "
                                           "sampler's precision");
            d.hint = "the correlations given up to here all but make one value a combination of the others "
                     "(a pivot of the matrix's Cholesky factor is at most 10^-12): move one away from the others";
            return;
        }
        auto& d = diags.error(c.range, "with this correlation the correlation matrix is not positive definite");
        d.hint = c.rho.abs() == Rational(1)
                     ? "a correlation of 1 or -1 makes two values one; use a value strictly between -1 and 1"
                     : "the correlations given up to here contradict one another (a~b 0.9 and a~c 0.9 need b~c above 0.62)";
        return;
    }
    assert(false && "the whole matrix failed but no prefix did");
}

void read_correlations(Reader& rd, Node arr, Model& m, bool has_price, const Names& seen,
                       const std::set<std::string, std::less<>>& failed) {
    const InputFile& in = rd.in();
    dsl::Diagnostics& diags = rd.diags();
    std::map<std::pair<std::size_t, std::size_t>, SourceRange> pairs;
    bool ok = true;
    for (std::size_t i = 0; i < in.size(arr); ++i) {
        Node t = in.element(arr, i);
        rd.check_keys(t, correlation_keys, "[[correlation]]");
        Correlation c;
        c.range = in.range(t);
        bool good = true;
        Node between = rd.required(t, "between", "[[correlation]]");
        std::optional<std::size_t> a, b;
        if (between) {
            if (in.kind(between) != InputKind::array || in.size(between) != 2) {
                diags.error(in.range(between), "`between` must name two values, as in [\"years.FY2024.revenue\", \"price\"]");
                good = false;
            } else {
                a = correlated_value(rd, in.element(between, 0), m, has_price, seen, failed);
                b = correlated_value(rd, in.element(between, 1), m, has_price, seen, failed);
                if (a && b && *a == *b) {
                    diags.error(in.range(in.element(between, 1)), "a value cannot be correlated with itself");
                    good = false;
                }
            }
        }
        good = good && a && b;
        if (Node r = rd.required(t, "rho", "[[correlation]]")) {
            if (auto v = rd.number(r)) {
                if (*v < Rational(-1) || *v > Rational(1)) {
                    diags.error(in.range(r), "`rho` must be between -1 and 1, found {}", rd.written(r));
                    good = false;
                }
                c.rho = std::move(*v);
            } else {
                good = false;
            }
        } else {
            good = false;
        }
        if (a && b && *a != *b) {
            auto key = std::pair{std::min(*a, *b), std::max(*a, *b)};
            if (auto it = pairs.find(key); it != pairs.end()) {
                auto name = [&](std::size_t k) { return k == m.inputs.size() ? std::string("price") : m.inputs[k].path; };
                diags.error(c.range, "the correlation between `{}` and `{}` is given twice", name(key.first),
                            name(key.second));
                diags.note(it->second, "first given here");
                good = false;
            } else {
                pairs.emplace(key, c.range);
            }
        }
        if (!good) {
            ok = false;
            continue;
        }
        c.a = *a;
        c.b = *b;
        m.correlations.push_back(std::move(c));
    }
    if (!ok) m.correlations.clear();
}

void read_report(Reader& rd, Node t, Model& m) {
    const InputFile& in = rd.in();
    dsl::Diagnostics& diags = rd.diags();
    if (in.kind(t) != InputKind::table) {
        diags.error(in.range(t), "`report` must be a table ([report]), found {}", describe(in.kind(t)));
        return;
    }
    rd.check_keys(t, report_keys, "[report]");
    if (Node events = in.child(t, "events")) {
        if (in.kind(events) != InputKind::array) {
            diags.error(in.range(events), "`events` must be an array of definition names, found {}",
                        describe(in.kind(events)));
        }
        for (std::size_t i = 0; in.kind(events) == InputKind::array && i < in.size(events); ++i) {
            Node e = in.element(events, i);
            auto name = rd.text(e, "events");
            if (!name) continue;
            auto it = std::find(m.events.begin(), m.events.end(), *name);
            if (it != m.events.end()) {
                diags.error(in.range(e), "event `{}` is listed twice", *name);
                diags.note(m.event_ranges[static_cast<std::size_t>(it - m.events.begin())], "first listed here");
                continue;
            }
            m.events.push_back(std::move(*name));
            m.event_ranges.push_back(in.range(e));
        }
    }
    if (Node g = in.child(t, "grant_price")) {
        if (auto name = rd.text(g, "grant_price")) {
            m.grant_price = std::move(*name);
            m.grant_price_range = in.range(g);
        }
    }
}

Result<Model> read_model(const InputFile& in) {
    dsl::Diagnostics diags;
    Reader rd(in, diags);
    Model m;
    m.file = in.file();
    Node root = in.root();
    {
        // A file with keys and none of a model's is another kind of file (an inputs file
        // given for the model): one error, not one per key.
        const std::vector<std::string> keys = in.keys(root);
        const bool model_key = std::any_of(keys.begin(), keys.end(), [](const std::string& k) {
            // (A misspelt model key, `[[inputs]]`, is one too: its own error names the right one.)
            return std::any_of(top_keys.begin(), top_keys.end(),
                               [&](std::string_view t) { return dsl::edit_distance(k, t) <= 2; });
        });
        if (!keys.empty() && !model_key) {
            std::string has;
            for (std::size_t i = 0; i < keys.size() && i < 4; ++i) has += (i ? ", " : "") + keys[i];
            if (keys.size() > 4) has += ", …";
            diags.error(in.key_range(root, keys.front()),
                        "this is not a model: it has none of a model's keys ({}), but {}", join(top_keys), has)
                .hint = "a model has [[input]]s and a [price] to sample; is this an inputs file?";
            return diags;
        }
    }
    rd.check_keys(root, top_keys, "the model");

    Names seen;
    std::set<std::string, std::less<>> failed;   // the paths of [[input]]s in error
    if (Node arr = in.child(root, "input"); arr && is_table_array(rd, arr, "input")) {
        for (std::size_t i = 0; i < in.size(arr); ++i) {
            if (i == max_model_inputs) {
                diags.error(in.range(in.element(arr, i)), "too many [[input]]s: a model samples at most {} values",
                            max_model_inputs);
                break;
            }
            read_input(rd, in.element(arr, i), m, seen, failed);
        }
    }
    Node price = in.child(root, "price");
    if (price) read_price(rd, price, m);
    if (Node arr = in.child(root, "correlation"); arr && is_table_array(rd, arr, "correlation"))
        read_correlations(rd, arr, m, static_cast<bool>(price), seen, failed);
    if (Node report = in.child(root, "report")) read_report(rd, report, m);
    if (!diags.has_errors() && m.inputs.empty() && !m.price) {
        // (Every path would be the base inputs' evaluation: a model left empty or unfinished.)
        diags.error(dsl::SourceRange::in(in.file(), 0, 0), "the model samples nothing: it has no [[input]] and no [price]")
            .hint = "sample a value of the inputs ([[input]] with path, distribution, …) or the share price ([price])";
    }

    if (!diags.has_errors()) factor(m, diags);
    if (diags.has_errors()) {
        diags.sort();
        return diags;
    }
    return m;
}

}  // namespace

const char* to_string(Distribution d) {
    for (const auto& k : distribution_keys())
        if (k.dist == d) return k.name;
    return "?";
}

Result<Model> load_model(dsl::SourceManager& sm, const std::string& path) {
    auto in = InputFile::load(sm, path);
    if (!in) return std::move(in).error();
    return read_model(*in);
}

Result<Model> parse_model(dsl::SourceManager& sm, std::string path, std::string text) {
    auto in = InputFile::parse(sm, std::move(path), std::move(text));
    if (!in) return std::move(in).error();
    return read_model(*in);
}

namespace {

/// A finite, nonzero x as mant·2^e exactly, mant odd (|mant| < 2^53).
void double_parts(double x, std::int64_t& mant, int& e) {
    // IEEE 754 binary64: sign, 11 bits of biased exponent, 52 bits of fraction.
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const int biased = static_cast<int>((bits >> 52) & 0x7ff);
    std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
    if (biased == 0) {
        e = -1074;                            // subnormal: 0.fraction · 2^-1022
    } else {
        m |= std::uint64_t{1} << 52;          // normal: 1.fraction · 2^(biased − 1023)
        e = biased - 1075;
    }
    const int zeros = std::countr_zero(m);   // m ≠ 0: x is nonzero
    m >>= zeros;
    e += zeros;
    mant = (bits >> 63) ? -static_cast<std::int64_t>(m) : static_cast<std::int64_t>(m);
}

}  // namespace

Rational rational_from_double(double x) {
    assert(std::isfinite(x));
    if (x == 0) return Rational();
    std::int64_t mant = 0;
    int e = 0;
    double_parts(x, mant, e);
    if (e >= 0) return Rational(mant) * pow2(e);
    if (-e <= 62) return Rational::fraction(mant, std::int64_t{1} << -e);
    return Rational(mant) * pow2(e);
}

namespace {

/// r as a 64-bit numerator and denominator, when both fit.
bool small64(const Rational& r, std::int64_t& n, std::int64_t& d) {
    if (!r.is_small()) return false;
    auto [rn, rd] = r.small_parts();
    if (rn != static_cast<std::int64_t>(rn) || rd != static_cast<std::int64_t>(rd)) return false;
    n = static_cast<std::int64_t>(rn);
    d = static_cast<std::int64_t>(rd);
    return true;
}

/// A sample's clamp bounds and unit as 64-bit numerators and denominators, found once for
/// every draw: `fits` false when one does not fit (rounded_sample() then takes its wider
/// ways).
struct Rounding64 {
    bool fits = false, has_low = false, has_high = false;
    std::int64_t ln = 0, ld = 1, hn = 0, hd = 1, un = 1, ud = 1;
};

Rounding64 rounding_64(const Rational* low, const Rational* high, const Rational& unit) {
    Rounding64 r;
    r.has_low = low != nullptr;
    r.has_high = high != nullptr;
    r.fits = (!low || small64(*low, r.ln, r.ld)) && (!high || small64(*high, r.hn, r.hd)) && small64(unit, r.un, r.ud);
    return r;
}

/// rounded_sample() into `out` on 64-bit integers (each product of two on 128 bits, which
/// holds it), for `b.fits`; false when a number does not fit.
bool rounded_sample_64(double x, const Rounding64& b, Rational& out) {
    using i128 = __int128;
    std::int64_t n = 0, d = 1;   // x = n / d exactly, d a power of two
    if (x != 0) {
        std::int64_t mant = 0;
        int e = 0;
        double_parts(x, mant, e);
        if (e < -62 || e > 9) return false;   // |mant| < 2^53: mant·2^9 stays below 2^62
        if (e >= 0) n = mant * (std::int64_t{1} << e);
        else n = mant, d = std::int64_t{1} << -e;
    }
    if (b.has_low && static_cast<i128>(n) * b.ld < static_cast<i128>(b.ln) * d) n = b.ln, d = b.ld;
    if (b.has_high && static_cast<i128>(n) * b.hd > static_cast<i128>(b.hn) * d) n = b.hn, d = b.hd;
    const std::int64_t un = b.un, ud = b.ud;   // un > 0
    // q = n·ud / (d·un) rounded half-even; the value is q·un / ud.
    const i128 num = static_cast<i128>(n) * ud, den = static_cast<i128>(d) * un;
    if (num != static_cast<std::int64_t>(num) || den != static_cast<std::int64_t>(den)) return false;
    const auto num64 = static_cast<std::int64_t>(num), den64 = static_cast<std::int64_t>(den);   // den64 > 0
    std::int64_t q = num64 / den64, r = num64 % den64;
    if (r < 0) q -= 1, r += den64;
    const auto twice = static_cast<std::uint64_t>(r) * 2;   // r < den64 < 2^63
    if (twice > static_cast<std::uint64_t>(den64) || (twice == static_cast<std::uint64_t>(den64) && (q & 1) != 0)) q += 1;
    std::int64_t value = 0;
    if (__builtin_mul_overflow(q, un, &value)) return false;
    if (ud == 1) {
        out.set_integer(value);
        return true;
    }
    // In lowest terms on 64 bits.
    const std::uint64_t magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    const auto g = static_cast<std::int64_t>(std::gcd(magnitude, static_cast<std::uint64_t>(ud)));
    if (value == 0) out.set_integer(0);
    else out.set_lowest_terms(value / g, ud / g);
    return true;
}

/// rounded_sample() on 128-bit integers, where rounded_sample_64() does not fit; nullopt
/// when a number does not fit these either.
std::optional<Rational> rounded_sample_small(double x, const Rational* low, const Rational* high, const Rational& unit) {
    using i128 = __int128;
    // x = n / d exactly, d a power of two.
    i128 n = 0, d = 1;
    if (x != 0) {
        std::int64_t mant = 0;
        int e = 0;
        double_parts(x, mant, e);
        if (e > 62 || e < -62) return std::nullopt;
        if (e >= 0) n = static_cast<i128>(mant) << e;   // |mant| < 2^53: below 2^115
        else n = mant, d = static_cast<i128>(1) << -e;
    }
    // a·b; nullopt on overflow.
    auto product = [](i128 a, i128 b) -> std::optional<i128> {
        i128 p;
        if (__builtin_mul_overflow(a, b, &p)) return std::nullopt;
        return p;
    };
    // a/b against c/e (b, e > 0): the sign of a·e − c·b; nullopt on overflow.
    auto order = [&product](i128 a, i128 b, i128 c, i128 e) -> std::optional<int> {
        auto l = product(a, e), r = product(c, b);
        if (!l || !r) return std::nullopt;
        return *l < *r ? -1 : *l > *r ? 1 : 0;
    };
    for (int side = 0; side < 2; ++side) {
        const Rational* end = side == 0 ? low : high;
        if (!end) continue;
        if (!end->is_small()) return std::nullopt;
        auto [en, ed] = end->small_parts();
        auto o = order(n, d, en, ed);
        if (!o) return std::nullopt;
        if ((side == 0 && *o < 0) || (side == 1 && *o > 0)) n = en, d = ed;
    }
    if (!unit.is_small()) return std::nullopt;
    auto [un, ud] = unit.small_parts();   // un > 0
    // q = n·ud / (d·un) rounded half-even; the value is q·un / ud.
    auto num_p = product(n, ud), den_p = product(d, un);
    if (!num_p || !den_p || *den_p <= 0) return std::nullopt;
    const i128 num = *num_p, den = *den_p;
    i128 q = num / den, r = num % den;
    if (r < 0) q -= 1, r += den;
    const auto twice = static_cast<unsigned __int128>(r) * 2;   // r < den < 2^127
    if (twice > static_cast<unsigned __int128>(den) || (twice == static_cast<unsigned __int128>(den) && (q & 1) != 0)) q += 1;
    auto value_p = product(q, un);
    if (!value_p) return std::nullopt;
    const i128 value = *value_p;
    if (ud == 1 && value == static_cast<std::int64_t>(value)) {
        Rational out;
        out.set_integer(static_cast<std::int64_t>(value));
        return out;
    }
    return Rational::from_parts(value, ud);
}

/// rounded_sample() past 64 bits.
[[gnu::noinline]] void rounded_sample_wide(double x, const Rational* low, const Rational* high, const Rational& unit,
                                           Rational& out) {
    if (auto fast = rounded_sample_small(x, low, high, unit)) {
        out = std::move(*fast);
        return;
    }
    Rational r = rational_from_double(x);
    if (low && r < *low) r = *low;
    if (high && r > *high) r = *high;
    out = r.round_to(RoundingMode::half_even, unit);
}

/// rounded_sample() with its bounds and unit also as `b`, their 64-bit parts.
void rounded_sample(double x, const Rounding64& b, const Rational* low, const Rational* high, const Rational& unit,
                    Rational& out) {
    if (!b.fits || !rounded_sample_64(x, b, out)) rounded_sample_wide(x, low, high, unit, out);
}

}  // namespace

void rounded_sample(double x, const Rational* low, const Rational* high, const Rational& unit, Rational& out) {
    rounded_sample(x, rounding_64(low, high, unit), low, high, unit, out);
}

Rational rounded_sample(double x, const Rational* low, const Rational* high, const Rational& unit) {
    Rational r;
    rounded_sample(x, low, high, unit, r);
    return r;
}

double to_double(const Rational& x) {
    if (x.is_zero()) return 0.0;
    const Rational a = x.abs();
    // floor(log2 a), estimated from the digit counts (within ±4), then made exact.
    const auto digits = static_cast<long>(a.numerator_string().size()) -
                        static_cast<long>(a.denominator_string().size());
    int e = static_cast<int>(std::floor(static_cast<double>(digits) * 3.321928094887362));
    while (a < pow2(e)) --e;
    while (a >= pow2(e + 1)) ++e;
    if (e > 1023) return x.sign() < 0 ? -HUGE_VAL : HUGE_VAL;
    const int shift = std::min(52 - e, 1074);   // below 2^-1022 the double has fewer bits
    const Rational scaled = (a * pow2(shift)).round(RoundingMode::half_even);   // ≤ 2^53
    const double v = std::ldexp(static_cast<double>(*scaled.to_int64()), -shift);
    return x.sign() < 0 ? -v : v;
}

namespace {

/// (first + k)·unit into `out`, `first` a whole number: a uniform's k-th multiple of its
/// precision from its low end. On 128-bit integers where they hold it, else exactly.
void multiple_of(const Rational& first, std::uint64_t k, const Rational& unit, Rational& out) {
    using i128 = __int128;
    if (first.is_small() && unit.is_small()) {
        const i128 f = first.small_parts().first;   // (its denominator is 1)
        const auto [un, ud] = unit.small_parts();    // un > 0
        i128 t = 0, v = 0;
        if (!__builtin_add_overflow(f, static_cast<i128>(k), &t) && !__builtin_mul_overflow(t, un, &v)) {
            if (v == static_cast<std::int64_t>(v) && ud == static_cast<std::int64_t>(ud)) {
                const auto v64 = static_cast<std::int64_t>(v), d64 = static_cast<std::int64_t>(ud);
                if (d64 == 1 || v64 == 0) {
                    out.set_integer(v64);
                    return;
                }
                const std::uint64_t magnitude =
                    v64 < 0 ? 0 - static_cast<std::uint64_t>(v64) : static_cast<std::uint64_t>(v64);
                const auto g = static_cast<std::int64_t>(std::gcd(magnitude, static_cast<std::uint64_t>(d64)));
                out.set_lowest_terms(v64 / g, d64 / g);
                return;
            }
            out = Rational::from_parts(v, ud);
            return;
        }
    }
    out = (first + Rational::from_parts(static_cast<i128>(k), 1)) * unit;
}

}  // namespace

// ---- the sampler ----

struct Sampler::Impl {
    struct Marginal {
        Distribution dist = Distribution::fixed;
        double a = 0, b = 0, c = 0, d = 0, e = 0;   // see draw()
        const Rational* low = nullptr;   // clamp bounds, when the distribution has them
        const Rational* high = nullptr;
        // A normal or lognormal truncated to its bounds: their standard units, Φ and 1 − Φ there.
        bool truncated = false;
        double lo = 0, hi = 0, lo_below = 0, hi_below = 0, lo_above = 0, hi_above = 0;
        /// z's rank among the standard normal's draws, moved to the same rank among those
        /// between the bounds: a draw of the normal truncated to [lo, hi], on the copula's z.
        double truncate(double z) const {
            double t = 0;
            if (lo > 0) {   // both bounds above the mean: by 1 − Φ, without cancellation
                const double q = hi_above + normal_above(z) * (lo_above - hi_above);
                t = q > 0 ? std::sqrt(2.0) * boost::math::erfc_inv(2 * q) : hi;
            } else {
                const double p = lo_below + normal_below(z) * (hi_below - lo_below);
                t = p <= 0 ? lo : p >= 1 ? hi : -std::sqrt(2.0) * boost::math::erfc_inv(2 * p);
            }
            return std::clamp(t, lo, hi);
        }
        Rounding64 round;                // low, high and the precision on 64 bits
        // A uniform: its values are (first + k)·precision for k from 0 to `last`, each as
        // likely. `whole`: k is drawn from the engine as a whole number (no correlation
        // involves the value); else it is the one at Φ(z)'s rank among them (the copula's).
        Rational first;
        std::uint64_t last = 0;
        bool whole = false;
        std::uint64_t step_at(double z) const {
            const double u = 0.5 * std::erfc(-z * inv_sqrt2);   // Φ(z), in [0, 1]
            const double k = std::floor(u * (static_cast<double>(last) + 1.0));
            return k >= static_cast<double>(last) ? last : static_cast<std::uint64_t>(k);
        }
    };
    struct Step {
        double drift = 0, diffusion = 0;   // (r − q − σ²/2)·Δt and σ·√Δt
    };

    const Model* model;
    std::uint64_t seed;
    boost::random::mt19937_64 engine;
    boost::random::normal_distribution<double> normal;
    std::vector<Marginal> marginals;
    Rounding64 price_round;   // the price's precision on 64 bits
    std::vector<Step> steps;
    std::vector<double> z, correlated;
    std::vector<std::uint64_t> steps_drawn;   // per dimension: a whole uniform's k
    Rational last_s0;
    double s0 = 0;
    bool have_s0 = false;
};

namespace {

std::pair<double, double> standard_bounds(const ModelInput& in) {
    const double inf = std::numeric_limits<double>::infinity();
    double lo = -inf, hi = inf;
    if (in.dist == Distribution::normal) {
        if (in.has_low) lo = to_double((in.low - in.mean) / in.sd);
        if (in.has_high) hi = to_double((in.high - in.mean) / in.sd);
    } else {
        const double mu = to_double(in.log_mean), sigma = to_double(in.log_sd);
        if (in.has_low && in.low.sign() > 0) lo = (std::log(to_double(in.low)) - mu) / sigma;
        if (in.has_high) hi = in.high.sign() > 0 ? (std::log(to_double(in.high)) - mu) / sigma : -inf;
    }
    return {lo, hi};
}

}  // namespace

Sampler::Sampler(const Model& m, std::uint64_t seed) : impl_(std::make_unique<Impl>()) {
    Impl& s = *impl_;
    s.model = &m;
    s.seed = seed;
    std::vector<bool> correlated(m.dimension(), false);
    for (const auto& c : m.correlations) correlated[c.a] = correlated[c.b] = true;
    for (std::size_t i = 0; i < m.inputs.size(); ++i) {
        const ModelInput& in = m.inputs[i];
        Impl::Marginal g;
        g.dist = in.dist;
        switch (in.dist) {
            case Distribution::fixed: break;
            case Distribution::uniform: {
                // low and high are multiples of the precision (load_model): high − low is a
                // whole number of steps, at most 2^64 − 1.
                g.first = in.low / in.precision;
                const Rational steps = (in.high - in.low) / in.precision;
                const auto [n, d] = steps.small_parts();
                assert(steps.is_small() && d == 1 && n > 0 && n <= std::numeric_limits<std::uint64_t>::max());
                g.last = static_cast<std::uint64_t>(n);
                g.whole = !correlated[i];
                break;
            }
            case Distribution::triangular:
                // u < c: low + sqrt(u·d); else high − sqrt((1 − u)·e).
                g.a = to_double(in.low);
                g.b = to_double(in.high);
                g.c = to_double((in.mode - in.low) / (in.high - in.low));
                g.d = to_double((in.high - in.low) * (in.mode - in.low));
                g.e = to_double((in.high - in.low) * (in.high - in.mode));
                break;
            case Distribution::normal:
                g.a = to_double(in.mean);
                g.b = to_double(in.sd);
                break;
            case Distribution::lognormal:
                g.a = to_double(in.log_mean);
                g.b = to_double(in.log_sd);
                break;
        }
        if ((in.dist == Distribution::normal || in.dist == Distribution::lognormal) && (in.has_low || in.has_high)) {
            g.truncated = true;
            std::tie(g.lo, g.hi) = standard_bounds(in);
            g.lo_below = normal_below(g.lo), g.hi_below = normal_below(g.hi);
            g.lo_above = normal_above(g.lo), g.hi_above = normal_above(g.hi);
        }
        const bool bounded = in.dist == Distribution::uniform || in.dist == Distribution::triangular;
        if (bounded || in.has_low) g.low = &in.low;
        if (bounded || in.has_high) g.high = &in.high;
        g.round = rounding_64(g.low, g.high, in.precision);
        s.marginals.push_back(g);
    }
    if (m.price) {
        const PriceModel& p = *m.price;
        s.price_round = rounding_64(nullptr, nullptr, p.precision);
        const double sigma = to_double(p.volatility);
        const double mu = to_double(p.risk_free) - to_double(p.dividend_yield) - 0.5 * sigma * sigma;
        Date prev = p.start;
        for (Date d : p.dates) {
            const double dt = static_cast<double>(d.days - prev.days) / 365.0;
            s.steps.push_back({mu * dt, sigma * std::sqrt(dt)});
            prev = d;
        }
    }
    s.z.resize(m.dimension());
    s.correlated.resize(m.dimension());
    s.steps_drawn.resize(m.dimension());
    start_block(0);
}

Sampler::Sampler(Sampler&&) noexcept = default;
Sampler& Sampler::operator=(Sampler&&) noexcept = default;
Sampler::~Sampler() = default;

void Sampler::start_block(std::uint64_t b) {
    Impl& s = *impl_;
    boost::random::seed_seq seq{static_cast<std::uint32_t>(s.seed), static_cast<std::uint32_t>(s.seed >> 32),
                                static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)};
    s.engine.seed(seq);
    s.normal.reset();
}

void Sampler::draw(const Rational& s0, std::vector<Rational>& out_inputs, std::vector<Rational>& out_prices) {
    Impl& s = *impl_;
    const Model& m = *s.model;
    const std::size_t n = m.dimension();

    // Independent standard normals (a whole number of steps for an uncorrelated uniform, in
    // its place in the stream), then correlated ones: correlated = L·z.
    for (std::size_t i = 0; i < n; ++i) {
        if (i < s.marginals.size() && s.marginals[i].whole) {
            s.steps_drawn[i] = boost::random::uniform_int_distribution<std::uint64_t>(0, s.marginals[i].last)(s.engine);
            s.z[i] = 0;   // (no other row of the factor reads it)
        } else {
            s.z[i] = s.normal(s.engine);
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (const auto& [j, l] : m.cholesky[i]) sum += l * s.z[j];
        s.correlated[i] = sum;
    }

    out_inputs.resize(m.inputs.size());
    for (std::size_t i = 0; i < m.inputs.size(); ++i) {
        const ModelInput& in = m.inputs[i];
        const Impl::Marginal& g = s.marginals[i];
        if (g.dist == Distribution::fixed) {
            out_inputs[i] = in.value;
            continue;
        }
        if (g.dist == Distribution::uniform) {
            multiple_of(g.first, g.whole ? s.steps_drawn[i] : g.step_at(s.correlated[i]), in.precision, out_inputs[i]);
            continue;
        }
        const double z = s.correlated[i];
        double x = 0;
        switch (g.dist) {
            case Distribution::fixed: break;
            case Distribution::normal: x = g.a + g.b * (g.truncated ? g.truncate(z) : z); break;
            case Distribution::lognormal: x = std::exp(g.a + g.b * (g.truncated ? g.truncate(z) : z)); break;
            case Distribution::uniform: break;   // (above)
            case Distribution::triangular: {
                const double u = 0.5 * std::erfc(-z * inv_sqrt2);   // Φ(z)
                const double v = 0.5 * std::erfc(z * inv_sqrt2);    // 1 − Φ(z), without cancellation
                x = u < g.c ? g.a + std::sqrt(u * g.d) : g.b - std::sqrt(v * g.e);
                break;
            }
        }
        rounded_sample(x, g.round, g.low, g.high, in.precision, out_inputs[i]);
    }

    if (!m.price) {
        out_prices.clear();
        return;
    }
    if (!s.have_s0 || !(s.last_s0 == s0)) {
        s.last_s0 = s0;
        s.s0 = to_double(s0);
        s.have_s0 = true;
    }
    out_prices.resize(s.steps.size());
    double price = s.s0;
    for (std::size_t k = 0; k < s.steps.size(); ++k) {
        const double z = k == 0 ? s.correlated[n - 1] : s.normal(s.engine);
        price *= std::exp(s.steps[k].drift + s.steps[k].diffusion * z);
        // Within the model's limits only an astronomically large S0 can overflow.
        const double shown = std::isfinite(price) ? price : std::numeric_limits<double>::max();
        rounded_sample(shown, s.price_round, nullptr, nullptr, m.price->precision, out_prices[k]);
        // A close is positive: one below half a step is the least close there is, one step
        // (rounded to 0 it would be no share price).
        if (out_prices[k].sign() <= 0) [[unlikely]] out_prices[k] = m.price->precision;
    }
}

}  // namespace hoshu::eval
