// What-if evaluation: input paths, overrides, and recomputing only what an override changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "evaluator/check/check.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/values.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/probe.hpp"

using namespace hoshu;
using eval::InputFile;

namespace {

/// The value at `path` in the inputs (the test fails, saying why, when there is none).
auto node_at(const InputFile& in, const std::string& path) {
    std::string why;
    auto n = in.find(path, &why);
    INFO(path << ": " << why);
    REQUIRE(n);
    return n;
}

std::string read(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

const std::string root = HOSHU_SOURCE_DIR;

struct Fixture {
    dsl::SourceManager sm;
    eval::Plan plan;
    InputFile inputs;

    Fixture(const std::string& inputs_path = root + "/examples/iij/fy2024.toml")
        : plan(load(sm)), inputs(std::move(*InputFile::load(sm, inputs_path))) {}

    static eval::Plan load(dsl::SourceManager& sm) {
        dsl::Diagnostics diags;
        auto p = eval::load_plan(sm, root + "/rules/iij", diags);
        REQUIRE(p);
        return std::move(*p);
    }
    InputFile::Node at(const std::string& path) {
        std::string why;
        auto n = inputs.find(path, &why);
        INFO(path << ": " << why);
        REQUIRE(n);
        return n;
    }
};

/// Everything an evaluation reports, as text, to compare two evaluations.
std::string summary(const eval::Plan& plan, const eval::Outcome& o) {
    std::string s;
    for (const auto& d : o.directors) {
        s += d.id;
        for (std::size_t k = 0; k < d.outputs.size(); ++k)
            s += " " + eval::value_text(plan, o, plan.slots[plan.director_outputs[k]].type, d.outputs[k]);
        s += "\n";
    }
    for (const auto& l : o.limits) s += std::string(eval::to_string(l.status)) + " " + l.value.number.to_string() + "\n";
    for (const auto& v : o.violations) s += v.rule + " " + v.director + " " + v.message + "\n";
    return s;
}

}  // namespace

TEST_CASE("whatif: find names values by path, record field or position", "[whatif]") {
    Fixture f;
    auto& in = f.inputs;
    CHECK(*in.number(f.at("years.FY2024.revenue")) == eval::Rational(316'800'000'000));
    CHECK(*in.number(f.at("directors.D03.division_score")) == *eval::Rational::parse("0.95"));
    CHECK(*in.number(f.at("prices.2025-06-25.close")) == eval::Rational(3020));
    CHECK(*in.number(f.at("prices[1].close")) == eval::Rational(2850));
    CHECK(*in.date(f.at("\"grant_date\"")) == *eval::Date::parse("2025-06-26"));

    std::string why;
    CHECK_FALSE(in.find("years.FY2099.revenue", &why));
    CHECK(why == "`years` has no `FY2099`");
    CHECK_FALSE(in.find("directors.D99.division_score", &why));
    CHECK(why == "no record of `directors` has a field equal to `D99`");
    CHECK_FALSE(in.find("prices[99].close", &why));
    CHECK(why == "`prices` has 4 entries; there is no [99]");
    CHECK_FALSE(in.find("fiscal_year.x", &why));
    CHECK(why == "`fiscal_year` is a string, which has no `x`");
    CHECK_FALSE(in.find("years..revenue", &why));
    CHECK(why == "`years..revenue`: empty step");
    // Several directors are executives: a role is not an id.
    CHECK_FALSE(in.find("directors.executive.monthly_fixed", &why));
    CHECK(why.find("records of `directors` have a field equal to `executive`") != std::string::npos);
}

TEST_CASE("whatif: an override gives the same outcome as the edited file", "[whatif]") {
    std::string text = read(root + "/examples/iij/fy2024.toml");
    std::string edited = text;
    auto at = edited.find("revenue          = 316_800_000_000");
    REQUIRE(at != std::string::npos);
    edited.replace(at, std::string("revenue          = 316_800_000_000").size(), "revenue          = 300_000_000_000");

    Fixture f;
    dsl::SourceManager sm2;
    auto edited_inputs = InputFile::parse(sm2, "edited.toml", edited);
    REQUIRE(edited_inputs);
    auto expected = eval::evaluate(f.plan, *edited_inputs, {});
    REQUIRE(expected);

    eval::Session session(f.plan, f.inputs);
    auto base = session.run();
    REQUIRE(base);
    std::vector<eval::InputOverride> o = {{f.at("years.FY2024.revenue"), "300e9", std::nullopt, {}}};
    session.set_overrides(o);
    auto changed = session.run();
    REQUIRE(changed);
    CHECK(summary(f.plan, *changed) == summary(f.plan, *expected));
    CHECK(summary(f.plan, *changed) != summary(f.plan, *base));

    // Dropping the override brings back the base outcome.
    session.set_overrides({});
    auto again = session.run();
    REQUIRE(again);
    CHECK(summary(f.plan, *again) == summary(f.plan, *base));
}

TEST_CASE("whatif: recomputing only what changed equals evaluating afresh", "[whatif]") {
    // A long-lived session that recomputes only what depends on the changed values must
    // agree with a new session on every path, including paths where limits scale and
    // price caps bind.
    for (const char* file : {"fy2024.toml", "fy2026-limits.toml"}) {
        Fixture f(root + "/examples/iij/" + file);
        std::vector<std::string> paths;
        for (std::string p : {"prices.2025-06-25.close", "prices.2027-06-23.close", "prices.2026-03-31.close",
                              "prices.2024-03-29.close",
                              "directors.D03.division_score", "directors.D05.months_in_office"}) {
            std::string why;
            if (f.inputs.find(p, &why)) paths.push_back(p);
        }
        std::string year = std::string(file).substr(0, 6) == "fy2024" ? "FY2024" : "FY2026";
        for (std::string p : {"years." + year + ".revenue", "years." + year + ".operating_profit"}) paths.push_back(p);
        REQUIRE(paths.size() >= 4);

        eval::Session long_lived(f.plan, f.inputs);
        eval::Session replaying(f.plan, f.inputs);   // and one that replays recorded paths
        replaying.remember_paths();
        std::mt19937_64 rng(7);
        int scaled_runs = 0;
        for (int run = 0; run < 60; ++run) {
            std::vector<eval::InputOverride> overrides;
            for (const auto& p : paths) {
                if (rng() % 3 == 0) continue;   // some paths keep the base value
                auto base = *f.inputs.number(f.at(p));
                // From 50% to 150% of the base, in 1/20 steps; scores as ratios, others whole.
                auto factor = eval::Rational::fraction(static_cast<std::int64_t>(10 + rng() % 21), 20);
                auto v = base * factor;
                if (p.find("division_score") == std::string::npos) v = v.floor();
                if (p.find("months_in_office") != std::string::npos) v = eval::Rational(static_cast<std::int64_t>(1 + rng() % 12));
                overrides.push_back({f.at(p), {}, v, {}});
            }
            long_lived.set_overrides(overrides);
            auto incremental = long_lived.run();
            replaying.set_overrides(overrides);
            auto replayed = replaying.run();
            eval::Session fresh(f.plan, f.inputs);
            fresh.set_overrides(overrides);
            auto expected = fresh.run();
            REQUIRE(incremental.ok() == expected.ok());
            REQUIRE(replayed.ok() == expected.ok());
            if (expected) {
                INFO(file << " run " << run);
                CHECK(summary(f.plan, *incremental) == summary(f.plan, *expected));
                CHECK(summary(f.plan, *replayed) == summary(f.plan, *expected));
                scaled_runs += std::any_of(expected->limits.begin(), expected->limits.end(),
                                           [](const auto& l) { return l.status == eval::LimitStatus::scaled; });
            }
        }
        // The limits file scales its grants on many paths (only the scaled outputs and what
        // depends on them are computed again there).
        if (std::string(file) == "fy2026-limits.toml") CHECK(scaled_runs >= 10);
    }
}

TEST_CASE("whatif: replaying recorded paths equals evaluating afresh, faults and errors included", "[whatif]") {
    // Branches that go either way from path to path (per director and plan-wide), a
    // definition that divides by zero on the paths that do not need it (replay must not
    // report it), one that fails on the paths that do (the same error as afresh), a table,
    // a requirement that fails on some paths, and a sum over directors.
    dsl::SourceManager sm;
    auto rules = sm.add("replay.hoshu", R"(plan "replay"
  outputs shares, adj

type role = executive | outside

collection directors: director at directors key id

input price: JPY per share at price range ¥1 per share to ¥100,000 per share
input budget: JPY at budget range ¥0 to ¥100,000,000
input units: ratio at units range 0 to 1000
input mode: ratio at mode range 0 to 2

table factor(a: ratio) -> ratio monotone
  below 50%          -> 0
  from 50% to 100%   -> linear 0.5 to 1
  above 100%         -> 1

value per_unit: JPY = budget / units
output safe: JPY = if units > 0 then per_unit else ¥0
output risky: JPY = if mode > 1 then per_unit else ¥0
value f: ratio = factor(units)
output scaled: JPY = round down(budget * f, ¥1)
value capped: boolean = price > ¥2,000 per share

per director
  input role: role at role
  input pay: JPY at pay range ¥0 to ¥100,000,000
  output shares: shares = if role is executive then round down(pay / price, 1 share) else 0 shares
  output adj: shares =
      if capped then round down(shares * (¥2,000 per share) / price, 1 share) else shares
  require paid: pay > ¥0 or not (role is executive)
    message "an executive is paid"
end

output total: shares = sum of adj over directors
)");
    dsl::Diagnostics diags;
    auto plan = eval::check_files(sm, {rules}, diags);
    REQUIRE(plan);
    auto inputs = InputFile::parse(sm, "in.toml", R"(price = 1500
budget = 1_000_000
units = 3
mode = 0

[[directors]]
id = "E1"
role = "executive"
pay = 5_000_000

[[directors]]
id = "E2"
role = "executive"
pay = 7_000_000

[[directors]]
id = "O1"
role = "outside"
pay = 1_000_000
)");
    REQUIRE(inputs);
    auto at = [&](const char* path) { return node_at(*inputs, path); };
    auto everything = [&](const eval::Outcome& o) {
        std::string s = summary(*plan, o);
        for (std::size_t k = 0; k < o.plan_outputs.size(); ++k)
            s += eval::value_text(*plan, o, plan->slots[plan->plan_outputs[k]].type, o.plan_outputs[k]) + "\n";
        return s;
    };
    auto shown = [&](const dsl::Diagnostics& d) { return dsl::render(sm, d, {.color = false}); };

    eval::Session replaying(*plan, *inputs);
    replaying.remember_paths();
    std::mt19937_64 rng(11);
    int failed = 0, capped = 0;
    for (int run = 0; run < 400; ++run) {
        const std::int64_t price = 500 + static_cast<std::int64_t>(rng() % 3500);
        capped += price > 2000;
        std::vector<eval::InputOverride> overrides = {
            {at("price"), {}, eval::Rational(price), {}},
            {at("units"), {}, eval::Rational::fraction(static_cast<std::int64_t>(rng() % 5), 2), {}},
            {at("mode"), {}, eval::Rational(static_cast<std::int64_t>(rng() % 3)), {}},
            {at("directors.E1.pay"), {}, eval::Rational(static_cast<std::int64_t>(rng() % 4) * 2'000'000), {}},
            {at("directors.O1.role"), rng() % 2 ? "executive" : "outside", std::nullopt, {}},
        };
        replaying.set_overrides(overrides);
        auto replayed = replaying.run();
        eval::Session fresh(*plan, *inputs);
        fresh.set_overrides(overrides);
        auto expected = fresh.run();
        INFO("run " << run);
        REQUIRE(replayed.ok() == expected.ok());
        if (expected) {
            CHECK(everything(*replayed) == everything(*expected));
        } else {
            ++failed;
            CHECK(shown(replayed.error()) == shown(expected.error()));
        }
    }
    // The runs went both ways: some failed, some had the cap binding, most did neither.
    CHECK(failed > 10);
    CHECK(failed < 200);
    CHECK(capped > 100);
}

TEST_CASE("whatif: paths that go more ways than there are records keep each record within one evaluation",
          "[whatif]") {
    // Two payouts of four branches each: sixteen ways a path can go, more than the records
    // kept, so that nearly every path is recorded, from what the records it tried computed.
    // Those share their beginnings: a record that copied each of them whole grew with every
    // path recorded (1.9 GB for 800 paths of `hoshu simulate`).
    dsl::SourceManager sm;
    auto rules = sm.add("ways.hoshu", R"(plan "ways"
unit GBP currency "£" minor 0.01
input a: GBP at a range £0 to £1,000,000,000
input b: GBP at b range £0 to £1,000,000,000
value pa: percent =
    if a < £480 then 0%
    else if a < £500 then 50% + 50% * (a - £480) / (£500 - £480)
    else if a < £540 then 100% + 100% * (a - £500) / (£540 - £500)
    else 200%
value pb: percent =
    if b < £60 then 0%
    else if b < £66 then 50% + 50% * (b - £60) / (£66 - £60)
    else if b < £75 then 100% + 100% * (b - £66) / (£75 - £66)
    else 200%
collection employees: employee at employees key id
per employee
  input salary: GBP at salary range £0 to £1,000,000
  output bonus: GBP = round down(salary * (pa + pb), £0.01)
end
)");
    dsl::Diagnostics diags;
    auto plan = eval::check_files(sm, {rules}, diags);
    REQUIRE(plan);
    auto inputs = InputFile::parse(sm, "in.toml", R"(a = "512.34"
b = "61"
[[employees]]
id = "E1"
salary = "185000"
[[employees]]
id = "E2"
salary = "92500"
)");
    REQUIRE(inputs);
    eval::Session replaying(*plan, *inputs);
    replaying.remember_paths();
    eval::SessionProbe probe(replaying);
    // Eight records of at most every definition for every record (and plan-wide) each.
    const std::size_t one_evaluation = plan->slots.size() * 3;
    std::mt19937_64 rng(3);
    std::size_t most = 0;
    for (int run = 0; run < 500; ++run) {
        const std::vector<eval::InputOverride> overrides = {
            {node_at(*inputs, "a"), {}, eval::Rational::fraction(static_cast<std::int64_t>(46'000 + rng() % 10'000), 100), {}},
            {node_at(*inputs, "b"), {}, eval::Rational(static_cast<std::int64_t>(55 + rng() % 25)), {}},
        };
        replaying.set_overrides(overrides);
        auto replayed = replaying.run();
        REQUIRE(replayed);
        most = std::max(most, probe.recorded_cells());
        INFO("run " << run << ": cells recorded " << most << ", one evaluation at most " << one_evaluation);
        REQUIRE(most <= 8 * one_evaluation);   // (before the records grow out of bounds)
        if (run % 10 != 0) continue;
        eval::Session fresh(*plan, *inputs);
        fresh.set_overrides(overrides);
        auto expected = fresh.run();
        REQUIRE(expected);
        INFO("run " << run);
        CHECK(summary(*plan, *replayed) == summary(*plan, *expected));
    }
    CHECK(most > 0);
}

/// Every output, limit (with its factor) and violation, plan-wide outputs included.
std::string everything(const eval::Plan& plan, const eval::Outcome& o) {
    std::string s = summary(plan, o);
    for (std::size_t k = 0; k < o.plan_outputs.size(); ++k)
        s += eval::value_text(plan, o, plan.slots[plan.plan_outputs[k]].type, o.plan_outputs[k]) + "\n";
    for (const auto& l : o.limits) s += "factor " + (l.factor ? l.factor->to_string() : "-") + "\n";
    return s;
}

TEST_CASE("whatif: replaying paths on which every limit binds equals evaluating afresh", "[whatif]") {
    // The IIJ plan with every director's monthly pay tripled: its RS grants exceed the
    // limits on most paths (they are scaled), and its cash limits are violated. A session
    // that replays both passes (before and after scaling) must agree with a new session on
    // every path — the outputs, limits, violations, and the values read after the run
    // (events, per-director values that depend on the scaled outputs).
    dsl::SourceManager sm;
    eval::Plan plan = Fixture::load(sm);
    std::string text = read(root + "/examples/iij/fy2024.toml"), tripled;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("monthly_fixed", 0) == 0) {
            const auto eq = line.find('=');
            std::string digits;
            for (char c : line.substr(eq + 1))
                if (c >= '0' && c <= '9') digits += c;
            line = "monthly_fixed = " + std::to_string(std::stoll(digits) * 3);
        }
        tripled += line + "\n";
    }
    auto inputs = InputFile::parse(sm, "fy2024-tripled.toml", tripled);
    REQUIRE(inputs);
    auto at = [&](const std::string& path) { return node_at(*inputs, path); };
    std::vector<std::string> paths = {"prices.2025-06-25.close", "prices.2024-03-29.close", "prices.2025-06-24.close",
                                      "directors.D03.division_score", "years.FY2024.revenue",
                                      "years.FY2024.operating_profit"};
    std::vector<std::uint32_t> after;   // read after each run, as simulate reads its events
    for (const char* name : {"annual_at_ceiling", "midterm_at_ceiling", "total_rs_shares", "rs_value_yen", "grant_price"})
        after.push_back(*plan.find_slot(name));

    eval::Session replaying(plan, *inputs);
    replaying.remember_paths();
    std::mt19937_64 rng(5);
    int scaled_runs = 0, runs = 0;
    for (int run = 0; run < 80; ++run) {
        std::vector<eval::InputOverride> overrides;
        for (const auto& p : paths) {
            if (rng() % 4 == 0) continue;
            auto base = *inputs->number(at(p));
            auto v = base * eval::Rational::fraction(static_cast<std::int64_t>(14 + rng() % 13), 20);
            if (p.find("division_score") == std::string::npos) v = v.floor();
            overrides.push_back({at(p), {}, v, {}});
        }
        replaying.set_overrides(overrides);
        auto replayed = replaying.run();
        eval::Session fresh(plan, *inputs);
        fresh.set_overrides(overrides);
        auto expected = fresh.run();
        INFO("run " << run);
        REQUIRE(replayed.ok() == expected.ok());
        if (!expected) continue;
        ++runs;
        CHECK(everything(plan, *replayed) == everything(plan, *expected));
        for (std::uint32_t s : after) {
            const std::size_t n = plan.slots[s].scope == eval::Scope::director ? expected->directors.size() : 1;
            for (std::size_t d = 0; d < n; ++d) {
                auto a = replaying.value(s, d), b = fresh.value(s, d);
                REQUIRE(a.ok() == b.ok());
                if (a) CHECK(eval::value_text(plan, *expected, plan.slots[s].type, *a) ==
                             eval::value_text(plan, *expected, plan.slots[s].type, *b));
            }
        }
        scaled_runs += std::any_of(expected->limits.begin(), expected->limits.end(),
                                   [](const auto& l) { return l.status == eval::LimitStatus::scaled; });
    }
    CHECK(runs == 80);
    CHECK(scaled_runs >= 60);
}

TEST_CASE("whatif: after scaling, only the records whose scaled outputs changed are computed again", "[whatif]") {
    // Outputs scaled pro rata where one depends on another (computed again, then scaled),
    // directors with nothing to scale (their definitions stand), a per-director value that
    // reads a plan-wide total of the scaled outputs (computed again for every director), a
    // requirement on a scaled output, and a violated limit without allocation. Replayed
    // and fresh evaluations must agree on every run, the cap binding or not.
    dsl::SourceManager sm;
    auto rules = sm.add("scaling.hoshu", R"(plan "scaling"
  outputs a, b, c, part, worth, total, paid

collection directors: director at directors key id

input price: JPY per share at price range ¥1 per share to ¥100,000 per share
input cap: shares at cap range 0 shares to 1,000,000 shares

per director
  input pay: JPY at pay range ¥0 to ¥100,000,000
  output a: shares = round down(pay / price, 1 share)
  output b: shares = round down(a / 2, 1 share)
  output c: shares = a + b
  output part: ratio = if total > 0 shares then c / total else 0
  output worth: JPY = c * price
  require small: a < 3,000 shares
    message "a grant of at most 3,000 shares"
end

output total: shares = sum of c over directors
output paid: JPY = sum of pay over directors

limit cap_shares: total <= cap
  allocate pro rata a, b round down to 1 share

limit pay_cap: paid <= ¥12,000,000
)");
    dsl::Diagnostics diags;
    auto plan = eval::check_files(sm, {rules}, diags);
    REQUIRE(plan);
    auto inputs = InputFile::parse(sm, "in.toml", R"(price = 1500
cap = 3000

[[directors]]
id = "E1"
pay = 5_000_000

[[directors]]
id = "E2"
pay = 0

[[directors]]
id = "E3"
pay = 2_000_000

[[directors]]
id = "E4"
pay = 3_000_000
)");
    REQUIRE(inputs);
    auto at = [&](const char* path) { return node_at(*inputs, path); };
    eval::Session replaying(*plan, *inputs);
    replaying.remember_paths();
    std::mt19937_64 rng(3);
    int scaled = 0, violated = 0, failed = 0;
    for (int run = 0; run < 300; ++run) {
        auto pay = [&] { return eval::Rational(rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng() % 8) * 1'000'000); };
        std::vector<eval::InputOverride> overrides = {
            {at("price"), {}, eval::Rational(500 + static_cast<std::int64_t>(rng() % 3500)), {}},
            {at("cap"), {}, eval::Rational(static_cast<std::int64_t>(rng() % 9000)), {}},
            {at("directors.E1.pay"), {}, pay(), {}},
            {at("directors.E3.pay"), {}, pay(), {}},
        };
        replaying.set_overrides(overrides);
        auto replayed = replaying.run();
        eval::Session fresh(*plan, *inputs);
        fresh.set_overrides(overrides);
        auto expected = fresh.run();
        INFO("run " << run);
        REQUIRE(replayed.ok() == expected.ok());
        if (!expected) {
            ++failed;
            continue;
        }
        CHECK(everything(*plan, *replayed) == everything(*plan, *expected));
        scaled += expected->limits[0].status == eval::LimitStatus::scaled;
        violated += !expected->violations.empty();
    }
    CHECK(failed == 0);
    CHECK(scaled > 50);
    CHECK(scaled < 280);
    CHECK(violated > 20);
}

TEST_CASE("whatif: a bad override is an error located where it was written", "[whatif]") {
    Fixture f;
    auto cell = f.sm.add("scenarios.csv", "scenario,years.FY2024.revenue\n1,lots\n");
    eval::Session session(f.plan, f.inputs);
    std::vector<eval::InputOverride> o = {{f.at("years.FY2024.revenue"), "lots", std::nullopt,
                                           dsl::SourceRange::in(cell, 32, 36)}};
    session.set_overrides(o);
    auto r = session.run();
    REQUIRE_FALSE(r);
    std::string text = dsl::render(f.sm, r.error(), {.color = false});
    CHECK(text.find("scenarios.csv:2:3: error: `revenue` is a number; \"lots\" is not one") == 0);

    // The session is usable again with a good value.
    o[0].text = "320e9";
    session.set_overrides(o);
    CHECK(session.run().ok());
}
