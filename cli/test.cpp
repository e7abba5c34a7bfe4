// hoshu test PLAN: run the tests written in the plan's rule files. Each test names a TOML
// input file and expected values (exact), optionally expected violations; every violation
// reported must be expected. Ends with `N passed, N failed`; exit 1 on any failure.
#include <cstdio>
#include <set>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/explain_report.hpp"
#include "evaluator/run/inputs.hpp"

namespace hoshu::cli {

namespace {

std::string indent(const std::string& text, const std::string& pad) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        out += pad + text.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return out;
}

/// Run one test; returns the failure report (empty when it passes).
std::string run_one(const eval::Plan& plan, dsl::SourceManager& sm, const eval::PlanTest& test) {
    std::string text, why;
    if (!dsl::read_regular_file(test.inputs, text, why)) {   // missing, a folder, a FIFO: never waits
        dsl::Diagnostics ds;
        ds.error(test.inputs_range, "cannot read the inputs of this test, `{}`: {}", test.inputs, why);
        return dsl::render(sm, ds);
    }
    auto inputs = eval::InputFile::parse(sm, test.inputs, std::move(text));
    if (!inputs) return dsl::render(sm, inputs.error());
    eval::Session session(plan, *inputs);
    auto outcome = session.run();
    if (!outcome) return dsl::render(sm, outcome.error());
    std::string report;
    std::set<std::size_t> expected_violations;
    for (const auto& ex : test.expectations) {
        const auto& where = sm.file(ex.range.file);
        std::string at = fmt::format("{}:{}", where.path(), where.line_col(ex.range.begin).line);
        if (ex.violation) {
            bool found = false;
            for (std::size_t i = 0; i < outcome->violations.size(); ++i) {
                const auto& v = outcome->violations[i];
                if (v.rule == ex.name && (!ex.record || v.director == *ex.record)) {
                    found = true;
                    expected_violations.insert(i);
                }
            }
            if (!found)
                report += fmt::format("{}: expected violation `{}`{} was not reported\n", at, ex.name,
                                      ex.record ? " for " + *ex.record : "");
            continue;
        }
        const eval::Slot& s = plan.slots[ex.slot];
        std::size_t director = 0;
        if (ex.record) {
            bool found = false;
            for (std::size_t d = 0; d < outcome->directors.size(); ++d) {
                if (outcome->directors[d].id == *ex.record) {
                    director = d;
                    found = true;
                }
            }
            if (!found) {
                report += fmt::format("{}: no {} `{}` in {}\n", at, plan.directors.noun, *ex.record, test.inputs);
                continue;
            }
        }
        auto actual = session.value(ex.slot, director);
        if (!actual) {
            report += dsl::render(sm, actual.error());
            continue;
        }
        bool same = s.type.kind == eval::Kind::number ? actual->number == ex.expected.number
                    : s.type.kind == eval::Kind::text
                        ? outcome->text(plan, actual->word) == outcome->text(plan, ex.expected.word)
                        : actual->word == ex.expected.word;
        if (same) continue;
        auto shown = [&](const eval::Value& v) {
            std::string text = eval::display_value(plan, *outcome, s.type, v);
            if (s.type.kind == eval::Kind::number && !s.type.dimensionless()) text += " " + plan.type_name(s.type);
            return text;
        };
        report += fmt::format("{}: {}{}: expected {}, got {}\n", at, s.name, ex.record ? " for " + *ex.record : "",
                              shown(ex.expected), shown(*actual));
        std::string who = s.scope == eval::Scope::plan || outcome->directors.empty()
                              ? std::string()
                              : outcome->directors[director].id;
        auto trace = eval::explain(plan, sm, session, who, s.name);
        if (trace) report += indent(eval::render_explanation(*trace), "    ");
    }
    for (std::size_t i = 0; i < outcome->violations.size(); ++i) {
        if (expected_violations.count(i)) continue;
        const auto& v = outcome->violations[i];
        report += fmt::format("unexpected violation `{}`{}: {}\n", v.rule, v.director.empty() ? "" : " for " + v.director,
                              v.message);
    }
    return report;
}

}  // namespace

int run_test(const TestArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    std::size_t passed = 0, failed = 0;
    OutputFile out;   // standard output, a line per test as it runs
    std::string error;
    if (!out.open("", error)) return output_failed(error);
    for (const auto& test : plan->tests) {
        std::string report = run_one(*plan, sm, test);
        std::string line;
        if (report.empty()) {
            ++passed;
            line = fmt::format("PASS  {}\n", dsl::printable(test.title));
        } else {
            ++failed;
            line = fmt::format("FAIL  {}\n{}", dsl::printable(test.title), dsl::printable(indent(report, "      "), true));
        }
        if (!out.write(line, error)) return output_failed(error);
    }
    if (!out.write(fmt::format("{} passed, {} failed\n", passed, failed), error) || !out.commit(error))
        return output_failed(error);
    return failed == 0 ? Exit::success : Exit::failure;
}

}  // namespace hoshu::cli
