// Plans and inputs for unit tests, from text: rule text checked as one file, TOML text read
// as the inputs, a session on both; when the rules do not check, the rendered diagnostics.
//
//   hoshu::test::PlanFixture f("plan \"t\"\ninput a: JPY at a range ¥0 to ¥10\n"
//                              "output b: JPY = a * 2\n");
//   REQUIRE(f.ok());                              // else f.diagnostics says why
//   auto& in = f.inputs("a = 5\n");
//   hoshu::eval::Session s(*f.plan, in);
//   CHECK(f.text(*s.value(f.slot("b"), 0), "b") == "10");
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <optional>
#include <string>

#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::test {

class PlanFixture {
public:
    /// Check `rules` as the file "test.hoshu".
    explicit PlanFixture(const std::string& rules, const std::string& name = "test.hoshu") {
        dsl::Diagnostics diags;
        plan = eval::check_files(sm, {sm.add(name, rules)}, diags);
        diagnostics = dsl::render(sm, diags);
        if (!plan) UNSCOPED_INFO(diagnostics);   // shown with the REQUIRE(f.ok()) that fails
    }
    PlanFixture(const PlanFixture&) = delete;              // inputs point at sm
    PlanFixture& operator=(const PlanFixture&) = delete;

    bool ok() const { return plan.has_value(); }

    /// The inputs read from `toml` (kept for the fixture's lifetime); REQUIREs that it parses.
    const eval::InputFile& inputs(const std::string& toml, const std::string& name = "in.toml") {
        auto in = eval::InputFile::parse(sm, name, toml);
        if (!in) FAIL(dsl::render(sm, in.error()));
        return inputs_.emplace_back(std::move(*in));
    }

    /// The index of a definition; REQUIREs that there is one.
    std::uint32_t slot(const std::string& name) const {
        auto s = plan->find_slot(name);
        INFO("no definition `" << name << "`");
        REQUIRE(s);
        return *s;
    }

    /// A value of definition `name` as exact text (a text made by an evaluation, such as
    /// year_before's, is in that evaluation's outcome: pass it).
    std::string text(const eval::Value& v, const std::string& name, const eval::Outcome& outcome = {}) const {
        return eval::value_text(*plan, outcome, plan->slots[slot(name)].type, v);
    }

    /// Rendered diagnostics, for messages.
    std::string render(const dsl::Diagnostics& diags) const { return dsl::render(sm, diags); }

    dsl::SourceManager sm;
    std::optional<eval::Plan> plan;
    std::string diagnostics;

private:
    std::deque<eval::InputFile> inputs_;
};

}  // namespace hoshu::test
