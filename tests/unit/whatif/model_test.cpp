// Model files (located errors) and the Monte Carlo sampler (determinism, exactness,
// distributions, correlation, the share price process).
#include "evaluator/whatif/model.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"

using hoshu::eval::Date;
using hoshu::eval::Distribution;
using hoshu::eval::Model;
using hoshu::eval::Rational;
using hoshu::eval::Sampler;
namespace dsl = hoshu::dsl;
namespace eval = hoshu::eval;

namespace {

Model model_of(dsl::SourceManager& sm, const std::string& text) {
    auto m = eval::parse_model(sm, "model.toml", text);
    if (!m) FAIL(dsl::render(sm, m.error()));
    return std::move(*m);
}

// What reading `text` reports, rendered without colour ("ok" when it reads).
std::string model_error(const std::string& text) {
    dsl::SourceManager sm;
    auto m = eval::parse_model(sm, "model.toml", text);
    return m ? "ok" : dsl::render(sm, m.error(), {.color = false});
}

double mean_of(const std::vector<double>& xs) {
    double s = 0;
    for (double x : xs) s += x;
    return s / static_cast<double>(xs.size());
}

double correlation_of(const std::vector<double>& xs, const std::vector<double>& ys) {
    const double mx = mean_of(xs), my = mean_of(ys);
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        sxy += (xs[i] - mx) * (ys[i] - my);
        sxx += (xs[i] - mx) * (xs[i] - mx);
        syy += (ys[i] - my) * (ys[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

// `n` paths of a model, from block 0 on, as doubles (for statistics only).
std::vector<std::vector<double>> sample(const Model& m, std::uint64_t seed, std::size_t n,
                                        const Rational& s0 = Rational(100)) {
    Sampler s(m, seed);
    std::vector<std::vector<double>> columns(m.inputs.size() + (m.price ? m.price->dates.size() : 0));
    std::vector<Rational> values, closes;
    for (std::size_t p = 0; p < n; ++p) {
        if (p % Sampler::block_size == 0) s.start_block(p / Sampler::block_size);
        s.draw(s0, values, closes);
        for (std::size_t i = 0; i < values.size(); ++i) columns[i].push_back(eval::to_double(values[i]));
        for (std::size_t k = 0; k < closes.size(); ++k) columns[values.size() + k].push_back(eval::to_double(closes[k]));
    }
    return columns;
}

const std::string two_normals = R"(
[[input]]
path = "a"
distribution = "normal"
mean = 0
sd = 1
precision = "0.000001"

[[input]]
path = "b"
distribution = "normal"
mean = 100
sd = 10
precision = "0.0001"

[[correlation]]
between = ["a", "b"]
rho = 0.6
)";

}  // namespace

TEST_CASE("the IIJ example model reads", "[model]") {
    dsl::SourceManager sm;
    auto m = eval::load_model(sm, HOSHU_SOURCE_DIR "/examples/iij/model.toml");
    if (!m) FAIL(dsl::render(sm, m.error()));
    REQUIRE(m->inputs.size() == 3);
    const auto& revenue = m->inputs[0];
    CHECK(revenue.path == "years.FY2024.revenue");
    CHECK(revenue.dist == Distribution::triangular);
    CHECK(revenue.low == Rational(290'000'000'000));
    CHECK(revenue.mode == Rational(316'800'000'000));
    CHECK(revenue.high == Rational(340'000'000'000));
    CHECK(revenue.precision == Rational(1));
    const auto& profit = m->inputs[1];
    CHECK(profit.dist == Distribution::normal);
    CHECK(profit.mean == Rational(30'100'000'000));
    CHECK(profit.sd == Rational(2'000'000'000));
    CHECK(!profit.has_low);
    CHECK(profit.precision == Rational(1'000'000));
    const auto& score = m->inputs[2];
    CHECK(score.path == "directors.D03.division_score");
    CHECK(score.dist == Distribution::uniform);
    CHECK(score.low == Rational::fraction(4, 5));
    CHECK(score.high == Rational::fraction(6, 5));
    CHECK(score.precision == Rational::fraction(1, 100));

    REQUIRE(m->price);
    CHECK(m->price->series == "prices");
    CHECK(m->price->date_key == "date");
    CHECK(m->price->value_key == "close");
    CHECK(m->price->start == *Date::from_ymd(2024, 3, 29));
    CHECK(m->price->dates == std::vector<Date>{*Date::from_ymd(2025, 6, 25)});
    CHECK(m->price->volatility == Rational::fraction(35, 100));
    CHECK(m->price->risk_free == Rational::fraction(5, 1000));
    CHECK(m->price->dividend_yield == Rational::fraction(15, 1000));
    CHECK(m->price->precision == Rational(1));

    REQUIRE(m->correlations.size() == 1);
    CHECK(m->correlations[0].a == 0);
    CHECK(m->correlations[0].b == 1);
    CHECK(m->correlations[0].rho == Rational::fraction(3, 5));
    REQUIRE(m->cholesky.size() == 4);   // three inputs and the price
    CHECK(m->cholesky[0] == std::vector<std::pair<std::uint32_t, double>>{{0, 1.0}});
    REQUIRE(m->cholesky[1].size() == 2);
    CHECK(m->cholesky[1][0].first == 0);
    CHECK(m->cholesky[1][0].second == Approx(0.6));
    CHECK(m->cholesky[1][1].second == Approx(0.8));
    CHECK(m->cholesky[3] == std::vector<std::pair<std::uint32_t, double>>{{3, 1.0}});

    CHECK(m->events == std::vector<std::string>{"annual_at_ceiling", "annual_price_capped", "midterm_price_capped",
                                                "midterm_at_ceiling"});
    CHECK(m->grant_price == "grant_price");
}

TEST_CASE("model errors are located in the model file", "[model]") {
    auto [text, expected] = GENERATE(table<std::string, std::string>({
        {"[price]\nstart = 2024-03-29\ndates = [2025-06-25]\nvolatilty = \"35%\"\nvolatility = \"35%\"\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:4:1: error: unknown key `volatilty` in [price]; expected one of: series, date_key, value_key, start, dates, volatility, risk_free_rate, dividend_yield, precision\n  volatilty = \"35%\"\n  ^~~~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1\nsd = 1\nmode = 1\nprecision = 1\n",
         "model.toml:6:1: error: unknown key `mode` in a normal [[input]]; expected one of: path, distribution, mean, sd, low, high, precision\n  mode = 1\n  ^~~~\n"},
        {"[[inputs]]\npath = \"a\"\n",
         "model.toml:1:3: error: unknown key `inputs` in the model; expected one of: input, price, correlation, report\n  [[inputs]]\n    ^~~~~~\n"},
        {"[[input]]\ndistribution = \"fixed\"\nvalue = 1\n",
         "model.toml:1:1: error: missing key `path` in [[input]]\n  [[input]]\n  ^~~~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"gamma\"\n",
         "model.toml:3:16: error: unknown distribution \"gamma\"; expected one of: fixed, uniform, triangular, normal, lognormal\n  distribution = \"gamma\"\n                 ^~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1\nprecision = 1\n",
         "model.toml:3:16: error: missing key `sd`: a normal distribution needs `mean`, `sd` and `precision`\n  distribution = \"normal\"\n                 ^~~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 2\nhigh = 1\nprecision = 1\n",
         "model.toml:5:8: error: `low` must be less than `high`, found low = 2 and high = 1\n  high = 1\n         ^\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"triangular\"\nlow = 1\nmode = 5\nhigh = 3\nprecision = 1\n",
         "model.toml:5:8: error: `mode` must lie between `low` and `high` (1 to 3), found 5\n  mode = 5\n         ^\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1\nsd = 0\nprecision = 1\n",
         "model.toml:5:6: error: `sd` must be positive, found 0\n  sd = 0\n       ^\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"lognormal\"\nlog_mean = 1\nlog_sd = -1\nprecision = 1\n",
         "model.toml:5:10: error: `log_sd` must be positive, found -1\n  log_sd = -1\n           ^~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = \"0%\"\n",
         "model.toml:6:13: error: `precision` must be positive, found \"0%\"\n  precision = \"0%\"\n              ^~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0.805\nhigh = 1.2\nprecision = 0.01\n",
         "model.toml:4:7: error: `low` must be a multiple of `precision` (0.01), found 0.805\n  low = 0.805\n        ^~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = -1e18\nhigh = 1e18\nprecision = \"1/16\"\n",
         "model.toml:6:13: error: `precision` \"1/16\" is too fine for this uniform: `low` to `high` holds 32000000000000000001 multiples of it, more than the 2^64 a uniform draws among\n  precision = \"1/16\"\n              ^~~~~~\n  hint: a uniform draws each multiple of `precision` from `low` to `high` with the same probability\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1e19\nsd = 1\nprecision = 1\n",
         "model.toml:4:8: error: `mean` is too large for sampling: at most 1e18 in magnitude, found 1e19\n  mean = 1e19\n         ^~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1\nsd = \"abc\"\nprecision = 1\n",
         "model.toml:5:6: error: expected an exact number (\"0.9375\", \"15.4%\" or \"21353/23800\"), found \"abc\"\n  sd = \"abc\"\n       ^~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"fixed\"\nvalue = 1\nprecision = 1\n",
         "model.toml:5:1: error: unknown key `precision` in a fixed [[input]]; expected one of: path, distribution, value\n  precision = 1\n  ^~~~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"fixed\"\nvalue = 1\n[[input]]\npath = \"a\"\ndistribution = \"fixed\"\nvalue = 2\n",
         "model.toml:6:8: error: `a` is modelled twice\n  path = \"a\"\n         ^~~\nmodel.toml:2:8: note: first modelled here\n  path = \"a\"\n         ^~~\n"},
        {"[input]\npath = \"a\"\n",
         "model.toml:1:1: error: `input` must be an array of tables ([[input]]), found a table\n  [input]\n  ^~~~~~~\n"},
        {"[price]\nstart = 2024-03-29\ndates = [2025-06-25]\nvolatility = \"-5%\"\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:4:14: error: `volatility` must be between 0% and 500%, found \"-5%\"\n  volatility = \"-5%\"\n               ^~~~~\n"},
        {"[price]\nstart = 2024-03-29\ndates = [2025-06-25]\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:1:1: error: missing key `volatility` in [price]\n  [price]\n  ^~~~~~~\n"},
        {"[price]\nstart = 2024-03-29\ndates = [2025-06-25, 2025-06-25]\nvolatility = 0\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:3:22: error: `dates` must be strictly increasing: 2025-06-25 is not after 2025-06-25\n  dates = [2025-06-25, 2025-06-25]\n                       ^~~~~~~~~~\n"},
        {"[price]\nstart = 2024-03-29\ndates = [2024-03-29]\nvolatility = 0\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:3:10: error: 2024-03-29 is not after `start` (2024-03-29)\n  dates = [2024-03-29]\n           ^~~~~~~~~~\n"},
        {"[price]\nstart = 2024-03-29\ndates = []\nvolatility = 0\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:3:9: error: `dates` must list at least one date to simulate\n  dates = []\n          ^~\n"},
        {"[price]\nstart = 2024-03-29\ndates = [2080-01-01]\nvolatility = 0\nrisk_free_rate = 0\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:3:10: error: 2080-01-01 is more than 50 years after `start` (2024-03-29)\n  dates = [2080-01-01]\n           ^~~~~~~~~~\n"},
        {"[price]\nstart = 2024-03-29\ndates = [2025-06-25]\nvolatility = 0\nrisk_free_rate = \"150%\"\ndividend_yield = 0\nprecision = 1\n",
         "model.toml:5:18: error: `risk_free_rate` must be between -100% and 100%, found \"150%\"\n  risk_free_rate = \"150%\"\n                   ^~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"d\"]\nrho = 0.5\n",
         "model.toml:20:17: error: `d` is not the path of an [[input]] of this model, nor `price`\n  between = [\"a\", \"d\"]\n                  ^~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"a\"]\nrho = 0.5\n",
         "model.toml:20:17: error: a value cannot be correlated with itself\n  between = [\"a\", \"a\"]\n                  ^~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = 1.5\n",
         "model.toml:21:7: error: `rho` must be between -1 and 1, found 1.5\n  rho = 1.5\n        ^~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = 0.5\n[[correlation]]\nbetween = [\"b\", \"a\"]\nrho = 0.5\n",
         "model.toml:22:1: error: the correlation between `a` and `b` is given twice\n  [[correlation]]\n  ^~~~~~~~~~~~~~~\nmodel.toml:19:1: note: first given here\n  [[correlation]]\n  ^~~~~~~~~~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"b\", \"c\"]\nrho = 0.5\n",
         "model.toml:20:11: error: `between` must name two values, as in [\"years.FY2024.revenue\", \"price\"]\n  between = [\"a\", \"b\", \"c\"]\n            ^~~~~~~~~~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"price\"]\nrho = 0.5\n",
         "model.toml:20:17: error: `price` is not modelled: the model has no [price]\n  between = [\"a\", \"price\"]\n                  ^~~~~~~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = 0.5\n[[correlation]]\nbetween = [\"b\", \"c\"]\nrho = 0.5\n[[correlation]]\nbetween = [\"a\", \"c\"]\nrho = -0.9\n",
         "model.toml:25:1: error: with this correlation the correlation matrix is not positive definite\n  [[correlation]]\n  ^~~~~~~~~~~~~~~\n  hint: the correlations given up to here contradict one another (a~b 0.9 and a~c 0.9 need b~c above 0.62)\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = 1\n",
         "model.toml:19:1: error: with this correlation the correlation matrix is not positive definite\n  [[correlation]]\n  ^~~~~~~~~~~~~~~\n  hint: a correlation of 1 or -1 makes two values one; use a value strictly between -1 and 1\n"},
        {"[report]\nevents = [\"x\", \"y\", \"x\"]\ngrant = \"p\"\n",
         "model.toml:2:21: error: event `x` is listed twice\n  events = [\"x\", \"y\", \"x\"]\n                      ^~~\nmodel.toml:2:11: note: first listed here\n  events = [\"x\", \"y\", \"x\"]\n            ^~~\nmodel.toml:3:1: error: unknown key `grant` in [report]; expected one of: events, grant_price\n  grant = \"p\"\n  ^~~~~\n"},
    }));
    CAPTURE(text);
    CHECK(model_error(text) == expected);
}

TEST_CASE("a correlation naming an [[input]] in error adds no error of its own", "[model]") {
    const std::string good = "[[input]]\npath = \"b\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n";   // lines 1-6
    auto [bad, error] = GENERATE(table<std::string, std::string>({
        {"[[input]]\npath = \"a\"\ndistribution = \"normall\"\nmean = 1\nsd = 1\nprecision = 1\n",
         "model.toml:9:16: error: unknown distribution \"normall\"; expected one of: fixed, uniform, triangular, normal, lognormal\n"
         "  distribution = \"normall\"\n                 ^~~~~~~~~\n  hint: did you mean \"normal\"?\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1\nsd = -1\nprecision = 1\n",
         "model.toml:11:6: error: `sd` must be positive, found -1\n  sd = -1\n       ^~\n"},
        {"[[input]]\npath = \"a\"\ndistribution = \"normal\"\nmean = 1\nprecision = 1\n",
         "model.toml:9:16: error: missing key `sd`: a normal distribution needs `mean`, `sd` and `precision`\n"
         "  distribution = \"normal\"\n                 ^~~~~~~~\n"},
    }));
    CAPTURE(bad);
    // Then the bad [[input]] `a`: two correlations name it, one of them with a
    // coefficient out of range, and one names `z`, which no [[input]] has.
    const std::string correlations =
        "[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = 0.5\n"
        "[[correlation]]\nbetween = [\"b\", \"a\"]\nrho = 2\n"
        "[[correlation]]\nbetween = [\"z\", \"b\"]\nrho = 0.5\n";
    std::string text = good + bad;
    const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    auto at = [&](int line) { return "model.toml:" + std::to_string(lines + line) + ":"; };
    CHECK(model_error(text + correlations) ==
          error + at(6) + "7: error: `rho` must be between -1 and 1, found 2\n  rho = 2\n        ^\n" + at(8) +
              "12: error: `z` is not the path of an [[input]] of this model, nor `price`\n"
              "  between = [\"z\", \"b\"]\n             ^~~\n");
    CHECK(model_error(text + correlations.substr(0, correlations.find("[[correlation]]", 1))) == error);
}

TEST_CASE("a model samples at most 1000 inputs", "[model]") {
    std::string text;
    for (int i = 0; i < 1001; ++i) text += fmt::format("[[input]]\npath = \"v{}\"\ndistribution = \"fixed\"\nvalue = 1\n", i);
    CHECK(model_error(text) ==
          "model.toml:4001:1: error: too many [[input]]s: a model samples at most 1000 values\n"
          "  [[input]]\n"
          "  ^~~~~~~~~\n");
    text.resize(text.rfind("[[input]]"));
    CHECK(model_error(text) == "ok");
}

TEST_CASE("the correlation matrix is checked whole, the error is where it first broke", "[model]") {
    // (Sampled inputs: a correlation with a fixed one is refused.)
    // a~b 0.9 and a~c 0.9 with b~c still 0 is not positive definite; b~c 0.9 mends it.
    std::string text;
    for (auto p : {"a", "b", "c"}) text += fmt::format("[[input]]\npath = \"{}\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n", p);
    for (auto [x, y] : {std::pair{"a", "b"}, std::pair{"a", "c"}, std::pair{"b", "c"}})
        text += fmt::format("[[correlation]]\nbetween = [\"{}\", \"{}\"]\nrho = 0.9\n", x, y);
    CHECK(model_error(text) == "ok");
    // With b~c 0 the whole fails: the error is at a~c, the second [[correlation]].
    std::string bad = text;
    bad.replace(bad.rfind("rho = 0.9"), 9, "rho = 0");
    CHECK_THAT(model_error(bad), Catch::StartsWith("model.toml:22:1: error: with this correlation the correlation "
                                                   "matrix is not positive definite"));
}

TEST_CASE("a correlation closer to 1 or -1 than the sampler resolves is named as such, with the limit", "[model]") {
    // |rho| < 1 is positive definite, but a Cholesky pivot of 1 - rho^2 at most 10^-12 is
    // past the doubles the draws are made of: not a contradiction between correlations.
    std::string two;
    for (auto p : {"a", "b"}) two += fmt::format("[[input]]\npath = \"{}\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n", p);
    auto with = [&](const char* rho) { return two + fmt::format("[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = {}\n", rho); };
    CHECK(model_error(with("0.999999999999")) == "ok");
    CHECK(model_error(with("-0.999999999999")) == "ok");
    CHECK(model_error(with("0.9999999999999")) ==
          "model.toml:13:1: error: this correlation, 0.9999999999999, is too close to 1 for the sampler's precision\n"
          "  [[correlation]]\n  ^~~~~~~~~~~~~~~\n"
          "  hint: a correlation must lie between -0.9999999999995 and 0.9999999999995 (1 - rho^2 above 10^-12)\n");
    CHECK_THAT(model_error(with("-0.9999999999999")),
               Catch::StartsWith("model.toml:13:1: error: this correlation, -0.9999999999999, is too close to -1"));
    // In a group, a correlation that close is the cause too.
    std::string three = two + "[[input]]\npath = \"c\"\ndistribution = \"uniform\"\nlow = 0\nhigh = 1\nprecision = 1\n" +
                        "[[correlation]]\nbetween = [\"a\", \"c\"]\nrho = 0.5\n" +
                        "[[correlation]]\nbetween = [\"a\", \"b\"]\nrho = 0.99999999999999\n";
    CHECK_THAT(model_error(three), Catch::StartsWith("model.toml:22:1: error: this correlation, 0.99999999999999, is too close to 1"));
}

TEST_CASE("an error that holds only if a percentage is a ratio waits for the plan's word", "[model]") {
    // `sd = "10%"` is 0.1: coarser than that is `precision` 1_000_000 only if the value
    // sampled is a ratio. For yen the percentage is the error (simulate names it), so the
    // model reads, the error held back with the input.
    dsl::SourceManager sm;
    Model m = model_of(sm, "[[input]]\npath = \"r\"\ndistribution = \"normal\"\nmean = 316.8e9\nsd = \"10%\"\n"
                           "precision = 1_000_000\n"
                           "[[input]]\npath = \"s\"\ndistribution = \"uniform\"\nlow = \"90.5%\"\nhigh = 2\nprecision = 1\n");
    REQUIRE(m.inputs.size() == 2);
    REQUIRE(m.inputs[0].unless_percent_refused.size() == 1);
    CHECK(m.inputs[0].unless_percent_refused[0].message.starts_with("`precision` 1_000_000 is coarser than the spread"));
    REQUIRE(m.inputs[1].unless_percent_refused.size() == 1);
    CHECK(m.inputs[1].unless_percent_refused[0].message == "`low` must be a multiple of `precision` (1), found \"90.5%\"");
    // Written without a percentage, the same errors are the model's own.
    CHECK_THAT(model_error("[[input]]\npath = \"r\"\ndistribution = \"normal\"\nmean = 316.8e9\nsd = 0.1\nprecision = 1_000_000\n"),
               Catch::StartsWith("model.toml:6:13: error: `precision` 1_000_000 is coarser than the spread of the draws"));
}

TEST_CASE("doubles convert to the exact rationals they denote", "[model]") {
    CHECK(eval::rational_from_double(0.1) == *Rational::parse("3602879701896397/36028797018963968"));
    CHECK(eval::rational_from_double(-0.1) == *Rational::parse("-3602879701896397/36028797018963968"));
    CHECK(eval::rational_from_double(0.0) == Rational(0));
    CHECK(eval::rational_from_double(316.8e9) == Rational(316'800'000'000));
    CHECK(eval::rational_from_double(1.5) == Rational::fraction(3, 2));
    CHECK(eval::rational_from_double(std::ldexp(1.0, 80)) == *Rational::parse("1208925819614629174706176"));
    CHECK(eval::rational_from_double(std::ldexp(1.0, -70)) == Rational(1) / *Rational::parse("1180591620717411303424"));
    for (double x : {0.1, -2.5e-7, 1.0 / 3.0, 316.8e9, 1e18, 5e-324, 1.7976931348623157e308, 2850.0}) {
        CAPTURE(x);
        CHECK(eval::to_double(eval::rational_from_double(x)) == x);
    }
}

TEST_CASE("a sample is clamped and rounded half-even to its precision, exactly", "[model]") {
    // rounded_sample (on 128-bit integers where it can) against the definition: the exact
    // value of the double, clamped, then Rational::round_to.
    auto reference = [](double x, const Rational* low, const Rational* high, const Rational& unit) {
        Rational r = eval::rational_from_double(x);
        if (low && r < *low) r = *low;
        if (high && r > *high) r = *high;
        return r.round_to(eval::RoundingMode::half_even, unit);
    };
    const std::vector<Rational> units = {Rational(1), Rational(1'000'000), Rational::fraction(1, 100), Rational::fraction(1, 3),
                                         Rational::fraction(5, 2), Rational::fraction(1, 4)};
    const Rational low = Rational(290'000'000'000), high = *Rational::parse("340000000000.5");
    const Rational low_small = Rational::fraction(8, 10), high_small = Rational::fraction(6, 5);
    std::uint64_t state = 12345;
    auto next = [&]() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 11;
    };
    std::vector<double> xs = {0.0, 0.5, 1.5, 2.5, -2.5, -0.5, 0.125, 0.375, 0.005, 0.015, 1.0 / 3.0, 0.5 / 3.0,
                              316.8e9, 290e9, 340e9, 340000000000.5, 340000000000.25, 1e18, 1e19, -1e19, 5e-324,
                              std::ldexp(1.0, 62), std::ldexp(1.0, 63), std::ldexp(1.0, -62), std::ldexp(1.0, -63),
                              1.7976931348623157e308, 2849.999999, 0.805, 1.195};
    for (int i = 0; i < 4000; ++i) {
        const double mantissa = static_cast<double>(next() % 10'000'000) / 1000.0;   // ties on 0.5, 0.25, 0.01 …
        const int scale = static_cast<int>(next() % 30) - 12;
        xs.push_back((next() % 2 ? -1 : 1) * std::ldexp(mantissa, scale));
        xs.push_back(std::ldexp(static_cast<double>(next() % 4096), static_cast<int>(next() % 8)) / 8.0);
    }
    std::size_t compared = 0;
    for (double x : xs) {
        for (const auto& unit : units) {
            for (int bounds = 0; bounds < 3; ++bounds) {
                const Rational* lo = bounds == 1 ? &low : bounds == 2 ? &low_small : nullptr;
                const Rational* hi = bounds == 1 ? &high : bounds == 2 ? &high_small : nullptr;
                CAPTURE(x, unit.to_string(), bounds);
                REQUIRE(eval::rounded_sample(x, lo, hi, unit) == reference(x, lo, hi, unit));
                ++compared;
            }
        }
    }
    CHECK(compared == xs.size() * units.size() * 3);
}

TEST_CASE("exact values convert to the nearest double", "[model]") {
    CHECK(eval::to_double(Rational::fraction(1, 10)) == 0.1);
    CHECK(eval::to_double(Rational::fraction(-7, 20)) == -0.35);
    CHECK(eval::to_double(Rational::fraction(1, 3)) == 1.0 / 3.0);
    CHECK(eval::to_double(Rational(316'800'000'000)) == 316.8e9);
    CHECK(eval::to_double(Rational(0)) == 0.0);
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: to even.
    CHECK(eval::to_double(Rational(9'007'199'254'740'993)) == 9'007'199'254'740'992.0);
    CHECK(eval::to_double(Rational(9'007'199'254'740'995)) == 9'007'199'254'740'996.0);
    CHECK(eval::to_double(*Rational::parse("123456789012345678901234567890/7")) == 123456789012345678901234567890.0 / 7);
}

TEST_CASE("the same seed and block give the same draws, other blocks and seeds differ", "[model]") {
    dsl::SourceManager sm;
    auto m = eval::load_model(sm, HOSHU_SOURCE_DIR "/examples/iij/model.toml");
    if (!m) FAIL(dsl::render(sm, m.error()));
    auto paths = [&](std::uint64_t seed, std::uint64_t block, std::uint64_t warm_up_block) {
        Sampler s(*m, seed);
        std::vector<Rational> values, closes;
        s.start_block(warm_up_block);   // a stream used before must not matter
        for (int i = 0; i < 10; ++i) s.draw(Rational(2850), values, closes);
        s.start_block(block);
        std::vector<std::string> out;
        for (int i = 0; i < 50; ++i) {
            s.draw(Rational(2850), values, closes);
            std::string row;
            for (const auto& v : values) row += v.to_string() + " ";
            for (const auto& c : closes) row += c.to_string() + " ";
            out.push_back(row);
        }
        return out;
    };
    const auto a = paths(42, 3, 0);
    CHECK(a == paths(42, 3, 7));
    CHECK(a != paths(42, 4, 0));
    CHECK(a != paths(43, 3, 0));
    // Distinct paths within a block.
    CHECK(a[0] != a[1]);
}

TEST_CASE("every sample is a multiple of its precision and within its bounds", "[model]") {
    dsl::SourceManager sm;
    Model m = model_of(sm, R"(
[[input]]
path = "tri"
distribution = "triangular"
low = 290e9
mode = 316.8e9
high = 340e9
precision = 1
[[input]]
path = "pct"
distribution = "uniform"
low = "10%"
high = "20%"
precision = "0.01%"
[[input]]
path = "clamped"
distribution = "normal"
mean = 1
sd = 0.5
low = 0.5
high = 1.25
precision = 0.05
[[input]]
path = "ln"
distribution = "lognormal"
log_mean = 8
log_sd = 0.3
precision = "1/3"
[[input]]
path = "fixed"
distribution = "fixed"
value = "21353/23800"
[price]
start = 2024-03-29
dates = [2024-06-28, 2025-06-25]
volatility = "35%"
risk_free_rate = "0.5%"
dividend_yield = "1.5%"
precision = 0.5
)");
    Sampler s(m, 7);
    std::vector<Rational> values, closes;
    bool saw_low = false, saw_high = false;
    for (int i = 0; i < 20'000; ++i) {
        s.draw(Rational(2850), values, closes);
        REQUIRE(values.size() == 5);
        REQUIRE(closes.size() == 2);
        for (std::size_t k = 0; k < 4; ++k) {
            CAPTURE(k, values[k].to_string());
            REQUIRE((values[k] / m.inputs[k].precision).is_integer());
        }
        REQUIRE(values[0] >= Rational(290'000'000'000));
        REQUIRE(values[0] <= Rational(340'000'000'000));
        REQUIRE(values[1] >= Rational::fraction(1, 10));
        REQUIRE(values[1] <= Rational::fraction(2, 10));
        REQUIRE(values[2] >= Rational::fraction(1, 2));
        REQUIRE(values[2] <= Rational::fraction(5, 4));
        saw_low = saw_low || values[2] == Rational::fraction(1, 2);
        saw_high = saw_high || values[2] == Rational::fraction(5, 4);
        REQUIRE(values[3] > Rational(0));
        REQUIRE(values[4] == Rational::fraction(21353, 23800));
        for (const auto& c : closes) REQUIRE((c * Rational(2)).is_integer());
    }
    CHECK(saw_low);    // P(N(1, 0.5) < 0.5) ≈ 16%: clamped to the bound itself
    CHECK(saw_high);
}

TEST_CASE("uniform, triangular and lognormal samples have the right means", "[model]") {
    dsl::SourceManager sm;
    Model m = model_of(sm, R"(
[[input]]
path = "u"
distribution = "uniform"
low = 0.8
high = 1.2
precision = "0.000001"
[[input]]
path = "t"
distribution = "triangular"
low = 0
mode = 1
high = 5
precision = "0.000001"
[[input]]
path = "l"
distribution = "lognormal"
log_mean = 0
log_sd = 0.25
precision = "0.000001"
)");
    auto cols = sample(m, 1, 200'000);
    CHECK(std::abs(mean_of(cols[0]) - 1.0) < 0.002);
    CHECK(std::abs(mean_of(cols[1]) - 2.0) < 0.01);                                // (0 + 1 + 5) / 3; sd ≈ 1.03
    CHECK(std::abs(mean_of(cols[2]) - std::exp(0.25 * 0.25 / 2)) < 0.002);           // sd ≈ 0.26
    CHECK(*std::min_element(cols[0].begin(), cols[0].end()) < 0.801);
    CHECK(*std::max_element(cols[0].begin(), cols[0].end()) > 1.199);
}

TEST_CASE("a uniform draws each multiple of its precision as often, its ends too", "[model]") {
    // Three multiples, 1, 2 and 3: each a third of the draws. (Rounding a continuous
    // uniform on [1, 3] to the nearest whole number would give the ends a quarter each.)
    // Over 300,000 draws a count's standard deviation is about 258: ±3,000 is over 11 of them.
    auto check_thirds = [](const std::vector<double>& xs) {
        std::size_t count[3] = {0, 0, 0};
        for (double x : xs) {
            REQUIRE((x == 1 || x == 2 || x == 3));
            ++count[static_cast<int>(x) - 1];
        }
        for (std::size_t c : count) {
            CAPTURE(count[0], count[1], count[2]);
            CHECK(c > 97'000);
            CHECK(c < 103'000);
        }
    };
    const std::string three = "[[input]]\npath = \"u\"\ndistribution = \"uniform\"\nlow = 1\nhigh = 3\nprecision = 1\n";
    SECTION("drawn as a whole number of steps") {
        dsl::SourceManager sm;
        check_thirds(sample(model_of(sm, three), 3, 300'000)[0]);
    }
    SECTION("correlated: the step at the copula's rank") {
        dsl::SourceManager sm;
        Model correlated = model_of(sm, three + two_normals + "[[correlation]]\nbetween = [\"u\", \"b\"]\nrho = 0.5\n");
        REQUIRE(correlated.inputs.size() == 3);
        auto cols = sample(correlated, 3, 300'000);
        check_thirds(cols[0]);
        CHECK(correlation_of(cols[0], cols[2]) > 0.35);   // about 0.5 × 0.89: of three steps with z
    }
    SECTION("multiples past 64 bits are exact") {
        // 10^18 − (3 − k)·10^-21 = (10^39 − 3 + k)·10^-21: steps from past 128 bits.
        dsl::SourceManager sm;
        Model m = model_of(sm, "[[input]]\npath = \"u\"\ndistribution = \"uniform\"\n"
                               "low = \"999999999999999999.999999999999999999997\"\nhigh = 1e18\nprecision = \"1e-21\"\n");
        Sampler s(m, 9);
        std::vector<Rational> values, closes;
        std::set<std::string> seen;
        for (int i = 0; i < 400; ++i) {
            s.draw(Rational(1), values, closes);
            REQUIRE((values[0] / m.inputs[0].precision).is_integer());
            REQUIRE(values[0] >= m.inputs[0].low);
            REQUIRE(values[0] <= m.inputs[0].high);
            seen.insert(values[0].to_string());
        }
        CHECK(seen.size() == 4);
    }
}

TEST_CASE("correlated inputs have the declared correlation", "[model]") {
    dsl::SourceManager sm;
    Model m = model_of(sm, two_normals);
    auto cols = sample(m, 5, 200'000);
    CHECK(std::abs(mean_of(cols[0])) < 0.01);
    CHECK(std::abs(mean_of(cols[1]) - 100) < 0.1);
    CHECK(std::abs(correlation_of(cols[0], cols[1]) - 0.6) < 0.02);

    // Without the correlation: about zero.
    std::string independent = two_normals.substr(0, two_normals.find("[[correlation]]"));
    dsl::SourceManager sm2;
    Model m2 = model_of(sm2, independent);
    auto cols2 = sample(m2, 5, 200'000);
    CHECK(std::abs(correlation_of(cols2[0], cols2[1])) < 0.02);
}

TEST_CASE("an input correlated with the price moves with the first simulated close", "[model]") {
    dsl::SourceManager sm;
    Model m = model_of(sm, R"(
[[input]]
path = "a"
distribution = "normal"
mean = 0
sd = 1
precision = "0.000001"
[price]
start = 2024-03-29
dates = [2025-03-29, 2026-03-29]
volatility = "30%"
risk_free_rate = 0
dividend_yield = 0
precision = "0.000001"
[[correlation]]
between = ["price", "a"]
rho = -0.5
)");
    auto cols = sample(m, 9, 100'000);
    std::vector<double> log_return(cols[1].size()), second_step(cols[1].size());
    for (std::size_t i = 0; i < cols[1].size(); ++i) {
        log_return[i] = std::log(cols[1][i] / 100);
        second_step[i] = std::log(cols[2][i] / cols[1][i]);
    }
    CHECK(std::abs(correlation_of(cols[0], log_return) + 0.5) < 0.02);
    CHECK(std::abs(correlation_of(cols[0], second_step)) < 0.02);   // later steps are independent
    // E[S_T] = S0·exp((r − q)·T) = S0 when r = q.
    CHECK(std::abs(mean_of(cols[1]) - 100) < 0.5);
}

TEST_CASE("with no volatility the price is the exact forward, rounded", "[model]") {
    auto model = [](const char* rates, const char* precision) {
        return fmt::format(R"(
[price]
start = 2024-03-29
dates = [2025-06-25, 2025-12-22]
volatility = 0
{}
precision = {}
)",
                           rates, precision);
    };
    std::vector<Rational> values, closes;
    {
        // 2850·exp(−1%·453/365) = 2814.8473573…; then ·exp(−1%·180/365) = 2801.0000903…
        dsl::SourceManager sm;
        Model m = model_of(sm, model("risk_free_rate = \"0.5%\"\ndividend_yield = \"1.5%\"", "0.01"));
        Sampler s(m, 1);
        for (int i = 0; i < 100; ++i) {
            s.draw(Rational(2850), values, closes);
            REQUIRE(values.empty());
            REQUIRE(closes == std::vector<Rational>{Rational::fraction(281485, 100), Rational(2801)});
        }
        Model whole = model_of(sm, model("risk_free_rate = \"0.5%\"\ndividend_yield = \"1.5%\"", "1"));
        Sampler w(whole, 1);
        w.draw(Rational(2850), values, closes);
        CHECK(closes == std::vector<Rational>{Rational(2815), Rational(2801)});
    }
    {
        // r = q: exactly S0, whatever the dates.
        dsl::SourceManager sm;
        Model m = model_of(sm, model("risk_free_rate = \"1%\"\ndividend_yield = \"1%\"", "\"0.0001\""));
        Sampler s(m, 1);
        s.draw(*Rational::parse("2850.5"), values, closes);
        CHECK(closes == std::vector<Rational>{*Rational::parse("2850.5"), *Rational::parse("2850.5")});
    }
}

TEST_CASE("a close is at least one step of its precision, never 0", "[model]") {
    // From 10 at a volatility of 500% over a year most closes fall below half a step of 5:
    // each such close is 5, the least positive close in steps of 5.
    dsl::SourceManager sm;
    Model m = model_of(sm, R"(
[price]
start = 2025-01-02
dates = [2025-07-01, 2026-01-02]
volatility = "500%"
risk_free_rate = 0
dividend_yield = 0
precision = 5
)");
    Sampler s(m, 4);
    std::vector<Rational> values, closes;
    std::size_t least = 0;
    for (int i = 0; i < 2000; ++i) {
        s.draw(Rational(10), values, closes);
        for (const auto& c : closes) {
            REQUIRE(c >= Rational(5));
            REQUIRE((c / Rational(5)).is_integer());
            least += c == Rational(5);
        }
    }
    CHECK(least > 2000);   // of 4,000 closes: the median first close is 10·e^−6.2, 0.02
}
