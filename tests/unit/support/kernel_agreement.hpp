// A compiled plan against the interpreter on random scenarios: each scenario's cells (one
// per varied input path, from `random_cell`) set in a session and in a kernel built on the
// same inputs; every value the kernel computes must equal the session's (through
// outcome() and, for a whole output, whole_output()) — the outputs, plan-wide and per
// record, and each limit's value, bound, status and pro rata factor — and every scenario
// the interpreter refuses must be one the kernel does not answer. Returns how many
// scenarios went which way, and of those where a pro rata limit bound (the interpreter
// scaled), how many the kernel computed and how many it gave up.
// (And nodes_at(): the input values at some paths, the test failing when one is missing.)
//
//   auto got = hoshu::test::kernel_agreement(f, in, {"a", "b"}, 3000, 20261205, random_cell);
//   CHECK(got.taken > 700);
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "evaluator/native/kernel.hpp"
#include "evaluator/run/session.hpp"
#include "support/kernel_cache.hpp"
#include "support/plan_fixture.hpp"

namespace hoshu::test {

/// The values at `paths` in the inputs (the test fails, saying why, when one is missing).
inline std::vector<eval::InputFile::Node> nodes_at(const eval::InputFile& in, const std::vector<std::string>& paths) {
    std::vector<eval::InputFile::Node> nodes;
    for (const auto& p : paths) {
        std::string why;
        nodes.push_back(in.find(p, &why));
        INFO(p << ": " << why);
        REQUIRE(nodes.back());
    }
    return nodes;
}

struct Agreement {
    int taken = 0, given_up = 0, errors = 0;
    // Scenarios where a pro rata limit bound: computed by the kernel; given up though the
    // interpreter reports no violation; given up where it reports one (a limit still
    // exceeded after scaling, say).
    int bound_taken = 0, bound_given_up = 0, bound_violated = 0;
    // Scenarios the interpreter reports a violation on (a requirement or a limit that does
    // not hold), whoever computed them.
    int violated = 0;
};

/// The counts as one line, for a test's INFO.
inline std::string describe(const Agreement& a) {
    return std::to_string(a.taken) + " taken, " + std::to_string(a.given_up) + " given up, " + std::to_string(a.errors) +
           " refused by the interpreter, " + std::to_string(a.violated) + " with a violation; bound: " +
           std::to_string(a.bound_taken) + " taken, " + std::to_string(a.bound_given_up) + " given up, " +
           std::to_string(a.bound_violated) + " violated";
}

/// Whether the interpreter scaled outputs pro rata in this outcome.
inline bool scaled(const eval::Outcome& o) {
    for (const auto& l : o.limits)
        if (l.factor) return true;
    return false;
}

inline Agreement kernel_agreement(PlanFixture& f, const eval::InputFile& in, const std::vector<std::string>& paths,
                                  int scenarios, std::uint64_t seed,
                                  const std::function<std::string(std::mt19937_64&, std::size_t)>& random_cell) {
    const std::vector<eval::InputFile::Node> nodes = nodes_at(in, paths);
    KernelCache cache;
    eval::Session base(*f.plan, in);
    auto kernel = eval::Kernel::build(*f.plan, base, nodes, cache.options());
    if (!kernel) FAIL(f.render(kernel.error()));

    eval::Session session(*f.plan, in);
    std::mt19937_64 rng(seed);
    Agreement a;
    for (int n = 0; n < scenarios; ++n) {
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < paths.size(); ++i) cells.push_back(random_cell(rng, i));
        std::vector<eval::InputOverride> overrides;
        for (std::size_t i = 0; i < paths.size(); ++i) overrides.push_back(eval::InputOverride{nodes[i], cells[i], {}, {}});
        session.set_overrides(overrides);
        auto expected = session.run();

        bool set = true;
        for (std::size_t i = 0; i < cells.size() && set; ++i) set = kernel->set_text(i, cells[i]);
        const bool ran = set && kernel->run();
        if (!set) kernel->clear();
        std::string scenario = "scenario " + std::to_string(n) + ":";
        for (std::size_t i = 0; i < paths.size(); ++i) scenario += " " + paths[i] + "=" + cells[i];
        INFO(scenario);
        if (!expected) {
            ++a.errors;
            INFO("the interpreter refuses it (" << f.render(expected.error()) << "); the kernel must not answer it");
            CHECK_FALSE(ran);
            continue;
        }
        const bool bound = scaled(*expected);
        if (!expected->violations.empty()) ++a.violated;
        if (!ran) {
            ++a.given_up;
            if (bound && expected->violations.empty()) ++a.bound_given_up;
            if (bound && !expected->violations.empty()) ++a.bound_violated;
            continue;
        }
        ++a.taken;
        if (bound) ++a.bound_taken;
        // whole_output() before outcome() is asked (from what the kernel left), then the same
        // through the outcome.
        std::vector<std::optional<std::int64_t>> wholes;
        for (std::size_t d = 0; d < expected->directors.size(); ++d)
            for (std::size_t k = 0; k < f.plan->director_outputs.size(); ++k)
                if (auto h = kernel->output_handle(f.plan->director_outputs[k], d)) wholes.push_back(kernel->whole_output(*h));
        const auto& got = kernel->outcome();
        std::size_t w = 0;
        for (std::size_t d = 0; d < got.directors.size(); ++d)
            for (std::size_t k = 0; k < f.plan->director_outputs.size(); ++k)
                if (kernel->output_handle(f.plan->director_outputs[k], d)) {
                    INFO("output " << k << " of record " << d);
                    REQUIRE(w < wholes.size());
                    CHECK(wholes[w++] == got.directors[d].outputs[k].number.to_int64());
                }
        CHECK(w == wholes.size());
        REQUIRE(got.directors.size() == expected->directors.size());
        for (std::size_t d = 0; d < got.directors.size(); ++d) {
            for (std::size_t k = 0; k < f.plan->director_outputs.size(); ++k) {
                const std::string name = f.plan->slots[f.plan->director_outputs[k]].name;
                INFO(name << " of " << got.directors[d].id);
                CHECK(f.text(got.directors[d].outputs[k], name) == f.text(expected->directors[d].outputs[k], name));
            }
        }
        REQUIRE(got.plan_outputs.size() == expected->plan_outputs.size());
        for (std::size_t k = 0; k < got.plan_outputs.size(); ++k) {
            const std::string name = f.plan->slots[f.plan->plan_outputs[k]].name;
            INFO(name);
            CHECK(f.text(got.plan_outputs[k], name) == f.text(expected->plan_outputs[k], name));
        }
        REQUIRE(got.limits.size() == expected->limits.size());
        for (std::size_t i = 0; i < got.limits.size(); ++i) {
            const auto& g = got.limits[i];
            const auto& e = expected->limits[i];
            INFO("limit " << f.plan->limits[i].name);
            CHECK(eval::to_string(g.status) == std::string(eval::to_string(e.status)));
            CHECK(g.factor.has_value() == e.factor.has_value());
            if (g.factor && e.factor) CHECK(g.factor->to_string() == e.factor->to_string());
            CHECK(g.value.number.to_string() == e.value.number.to_string());
            CHECK(g.bound.number.to_string() == e.bound.number.to_string());
        }
        CHECK(got.violations.size() == expected->violations.size());
    }
    INFO(a.taken << " taken, " << a.given_up << " given up, " << a.errors << " refused by the interpreter");
    INFO("where a pro rata limit bound: " << a.bound_taken << " taken, " << a.bound_given_up << " given up, "
                                           << a.bound_violated << " violated");
    return a;
}

}  // namespace hoshu::test
