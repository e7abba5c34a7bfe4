// hoshu test PLAN [--update]: run the tests written in the plan's rule files. Each test
// names a TOML input file and expected values (exact), optionally expected violations;
// every violation reported must be expected. Ends with `N passed, N failed`; exit 1 on any
// failure.
//
// --update rewrites the expected value of each failing `expect NAME [for ID] = VALUE` with
// the actual value, written as a literal of its type (`4,709 shares`, `¥2,800 per share`,
// `85.5%`, `8712/10385`): only the characters of VALUE change in the rule file. Before
// anything is written the rewritten rule files are checked again and the tests they touch
// run again: every rewritten expectation must pass. Each file is then replaced whole (as
// `--out` writes). Violations, unreadable inputs, evaluation errors and unknown records
// are left for a hand edit and still fail.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/output/explain_report.hpp"
#include "evaluator/output/carried.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/run/inputs.hpp"

namespace hoshu::cli {

namespace {

/// " (did you mean `X`?)" for an id one or two edits from one of `ids`, else nothing.
std::string did_you_mean(const std::string& id, const std::vector<std::string>& ids) {
    auto best = dsl::closest(id, ids, 2);
    return best ? fmt::format(" (did you mean `{}`?)", *best) : std::string();
}

/// A rewrite of one expected value: the bytes [begin, end) of a rule file become `text`.
struct Edit {
    dsl::FileId file = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    std::string text;
    std::size_t expectation = 0;   // index in its test's expectations
    std::string shown;             // "file:line: name for ID: old → new"
    std::size_t report_at = 0;     // where in its run's report it is listed (expectation order)
};

/// What running one test found.
struct TestRun {
    std::string report;                      // the failures (empty: the test passes)
    std::vector<std::size_t> failed_values;  // indexes of the `expect NAME = VALUE` that failed
    std::vector<Edit> edits;                 // with --update: the failed values rewritten
};

/// The expected value's text in `expect NAME [for ID] = VALUE`, whose whole text is
/// [begin, end): after the `=` and the blanks and comments that follow it, to the end.
std::optional<std::pair<std::uint32_t, std::uint32_t>> value_span(std::string_view text, std::uint32_t begin,
                                                                   std::uint32_t end) {
    std::uint32_t i = begin;
    bool found = false;
    while (i < end && !found) {
        char c = text[i];
        if (c == '#') {   // a comment, to the end of its line
            while (i < end && text[i] != '\n') ++i;
        } else if (c == '"') {   // a quoted record id, with escapes
            for (++i; i < end && text[i] != '"'; ++i) {
                if (text[i] == '\\') ++i;
            }
            ++i;
        } else {
            found = c == '=';
            ++i;
        }
    }
    if (!found) return std::nullopt;
    while (i < end) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
        } else if (text[i] == '#') {
            while (i < end && text[i] != '\n') ++i;
        } else {
            break;
        }
    }
    while (end > i && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    if (i >= end) return std::nullopt;
    return std::pair{i, end};
}

/// A number as a rule file writes it in its type: `4,709 shares`, `¥2,800 per share`,
/// `¥1,000 / 3`, `85.5%` (a percent, or a ratio written as one before: `old`), `8712/10385`.
/// An amount of a currency with minor amounts shows its minor decimals, as the plan's values
/// are shown elsewhere: `£41,152.50`, `£11,250.00` (an amount finer than the minor one as it is).
/// nullopt for a unit no literal has (shares × months).
std::optional<std::string> number_literal(const eval::Plan& plan, const eval::Type& type, const eval::Rational& r,
                                          std::string_view old) {
    const std::vector<eval::UnitDef>& plan_units = plan.units;
    if (type.dimensionless()) {
        if (type.style == eval::RatioStyle::percent || old.ends_with('%')) {
            eval::Rational percent = r * eval::Rational(100);
            if (percent.terminates()) return percent.to_string() + "%";
        }
        return r.to_string();   // "4709", "0.855", "-3/4", "8712/10385": no commas without a unit
    }
    struct Unit {
        int exponent;
        const std::string& plural;
        const std::string& singular;
        const std::string& symbol;
    };
    std::vector<Unit> units;
    for (std::size_t i = 0; i < plan_units.size() && i < eval::max_units; ++i)
        units.push_back({type.dim.e[i], plan_units[i].name, plan_units[i].singular, plan_units[i].symbol});
    const Unit* top = nullptr;
    const Unit* per = nullptr;
    for (const auto& u : units) {
        if (u.exponent == 1 && top == nullptr) {
            top = &u;
        } else if (u.exponent == -1 && per == nullptr) {
            per = &u;
        } else if (u.exponent != 0) {
            return std::nullopt;
        }
    }
    if (top == nullptr) return std::nullopt;
    eval::Rational magnitude = r.abs();
    std::string digits, divisor;
    const int places = eval::minor_places(plan, type);
    eval::Rational scale(1);
    for (int i = 0; i < places; ++i) scale = scale * eval::Rational(10);
    if (places > 0 && (magnitude * scale).is_integer()) {
        digits = eval::grouped_decimal(magnitude, places);
    } else if (magnitude.terminates()) {
        std::string s = magnitude.to_string();
        auto dot = s.find('.');
        digits = group_digits(s.substr(0, dot)) + (dot == std::string::npos ? "" : s.substr(dot));
    } else {
        digits = group_digits(magnitude.numerator_string());
        divisor = " / " + magnitude.denominator_string();
    }
    std::string suffix = per ? std::string(" per ") + per->singular : std::string();
    std::string literal = !top->symbol.empty() ? top->symbol + digits + suffix
                          : digits + " " + (magnitude == eval::Rational(1) ? top->singular : top->plural) + suffix;
    return (r.sign() < 0 ? "-" : "") + literal + divisor;
}

/// The value as a literal of its type: a number (above), `2024-03-29`, `true`, `"FY2023"`.
/// nullopt when it has none: a text with a control character other than a tab or a line break.
std::optional<std::string> literal(const eval::Plan& plan, const eval::Outcome& outcome, const eval::Type& type,
                                   const eval::Value& v, std::string_view old) {
    switch (type.kind) {
        case eval::Kind::number: return number_literal(plan, type, v.number, old);
        case eval::Kind::date:
        case eval::Kind::boolean: return eval::value_text(plan, outcome, type, v);
        case eval::Kind::text: {
            std::string quoted = "\"";
            for (char c : outcome.text(plan, v.word)) {
                auto u = static_cast<unsigned char>(c);
                if (c == '"' || c == '\\') {
                    quoted += '\\';
                    quoted += c;
                } else if (c == '\n') {
                    quoted += "\\n";
                } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
                    return std::nullopt;
                } else {
                    quoted += c;
                }
            }
            return quoted + "\"";
        }
        case eval::Kind::choice: return std::nullopt;   // the checker refuses such expectations
    }
    return std::nullopt;
}

/// `text` on one line: each run of blanks and line breaks as one space.
std::string one_line(std::string_view text) {
    std::string out;
    bool blank = false;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            blank = true;
            continue;
        }
        if (blank && !out.empty()) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

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

/// The records carried into a test's inputs by `carry from "earlier.toml"`: the plan
/// evaluated on the earlier inputs — themselves carried from what a test of the plan on
/// those inputs names, if one does — and its carried records taken in memory.
std::optional<std::vector<eval::InputFile::Carried>> carried_from(const eval::Plan& plan, dsl::SourceManager& sm,
                                                                  const std::string& path, dsl::SourceRange where,
                                                                  std::string& report, int depth = 0) {
    dsl::Diagnostics ds;
    if (depth > 50) {
        ds.error(where, "`carry from` goes round in a circle through `{}`", path);
        report = dsl::render(sm, ds);
        return std::nullopt;
    }
    std::string text, why;
    if (!dsl::read_regular_file(path, text, why)) {
        ds.error(where, "cannot read the inputs this test carries from, `{}`: {}", path, why);
        report = dsl::render(sm, ds);
        return std::nullopt;
    }
    std::vector<eval::InputFile::Carried> earlier;
    for (const auto& t : plan.tests) {
        if (t.inputs != path || t.carry_from.empty()) continue;
        auto e = carried_from(plan, sm, t.carry_from, t.carry_from_range, report, depth + 1);
        if (!e) return std::nullopt;
        earlier = std::move(*e);
        break;
    }
    auto inputs = eval::InputFile::parse_with_carried(sm, path, std::move(text), earlier);
    if (!inputs) {
        report = dsl::render(sm, inputs.error());
        return std::nullopt;
    }
    eval::EvalOptions options;
    options.carry = true;
    auto outcome = eval::evaluate(plan, *inputs, options);
    if (!outcome) {
        ds.error(where, "the evaluation of `{}`, which this test carries from, fails:", path);
        report = dsl::render(sm, ds) + dsl::render(sm, outcome.error());
        return std::nullopt;
    }
    return eval::carried_records(*outcome, path);
}

/// Run one test. With `update`, a failed expected value that can be written as a literal
/// becomes an edit instead of a failure.
TestRun run_one(const eval::Plan& plan, dsl::SourceManager& sm, const eval::PlanTest& test, bool update) {
    TestRun run;
    std::string text, why;
    if (!dsl::read_regular_file(test.inputs, text, why)) {   // missing, a folder, a FIFO: never waits
        dsl::Diagnostics ds;
        ds.error(test.inputs_range, "cannot read the inputs of this test, `{}`: {}", test.inputs, why);
        run.report = dsl::render(sm, ds);
        return run;
    }
    std::vector<eval::InputFile::Carried> carried;
    if (!test.carry_from.empty()) {
        auto c = carried_from(plan, sm, test.carry_from, test.carry_from_range, run.report);
        if (!c) return run;
        carried = std::move(*c);
    }
    auto inputs = eval::InputFile::parse_with_carried(sm, test.inputs, std::move(text), carried);
    if (!inputs) {
        run.report = dsl::render(sm, inputs.error());
        return run;
    }
    eval::Session session(plan, *inputs);
    auto outcome = session.run();
    if (!outcome) {
        run.report = dsl::render(sm, outcome.error());
        return run;
    }
    std::string& report = run.report;
    std::set<std::size_t> expected_violations;
    for (std::size_t index = 0; index < test.expectations.size(); ++index) {
        const auto& ex = test.expectations[index];
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
        std::optional<std::size_t> other_position;
        if (ex.record && eval::is_other(s.scope)) {
            const std::size_t k = eval::other_index(s.scope);
            const auto& records = outcome->others[k].records;
            for (std::size_t i = 0; i < records.size(); ++i)
                if (records[i].id == *ex.record) other_position = i;
            if (!other_position) {
                std::vector<std::string> ids;
                for (const auto& r : records) ids.push_back(r.id);
                report += fmt::format("{}: no {} `{}` in {}{}\n", at, plan.others[k].noun, *ex.record, test.inputs,
                                      did_you_mean(*ex.record, ids));
                continue;
            }
        } else if (ex.record) {
            bool found = false;
            for (std::size_t d = 0; d < outcome->directors.size(); ++d) {
                if (outcome->directors[d].id == *ex.record) {
                    director = d;
                    found = true;
                }
            }
            if (!found) {
                std::vector<std::string> ids;
                for (const auto& r : outcome->directors) ids.push_back(r.id);
                report += fmt::format("{}: no {} `{}` in {}{}\n", at, plan.directors.noun, *ex.record, test.inputs,
                                      did_you_mean(*ex.record, ids));
                continue;
            }
        }
        auto actual = other_position ? session.record_value(ex.slot, eval::other_index(s.scope), *other_position)
                                     : session.value(ex.slot, director);
        if (!actual) {
            report += dsl::render(sm, actual.error());
            continue;
        }
        bool same = s.type.kind == eval::Kind::number ? actual->number == ex.expected.number
                    : s.type.kind == eval::Kind::text
                        ? outcome->text(plan, actual->word) == outcome->text(plan, ex.expected.word)
                        : actual->word == ex.expected.word;
        if (same) continue;
        run.failed_values.push_back(index);
        if (update) {   // the value as written is replaced by the actual one, when it has a literal
            auto span = value_span(where.text(), ex.range.begin, ex.range.end);
            std::string_view old;
            if (span) old = std::string_view(where.text()).substr(span->first, span->second - span->first);
            if (auto written = span ? literal(plan, *outcome, s.type, *actual, old) : std::nullopt) {
                run.edits.push_back(Edit{ex.range.file, span->first, span->second, *written, index,
                                         fmt::format("{}:{}: {}{}: {} → {}", where.path(),
                                                     where.line_col(span->first).line, s.name,
                                                     ex.record ? " for " + *ex.record : "", one_line(old), *written),
                                         report.size()});
                continue;
            }
        }
        auto shown = [&](const eval::Value& v) { return eval::display_with_unit(plan, *outcome, s.type, v); };
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
    return run;
}

/// The rule files with the edits made, by file (edits of one file do not overlap: each is
/// the value of another expectation).
std::map<dsl::FileId, std::string> rewrite(const dsl::SourceManager& sm, std::vector<Edit> edits) {
    std::sort(edits.begin(), edits.end(),
              [](const Edit& a, const Edit& b) { return std::tie(a.file, a.begin) > std::tie(b.file, b.begin); });
    std::map<dsl::FileId, std::string> files;
    for (const auto& e : edits) {   // from the end of each file, so that earlier offsets hold
        auto it = files.try_emplace(e.file, sm.file(e.file).text()).first;
        it->second.replace(e.begin, e.end - e.begin, e.text);
    }
    return files;
}

/// Check the rewritten rule files as the plan and run again each test that has edits:
/// every rewritten expectation must now pass. Empty when they do, else what went wrong.
std::string recheck(const eval::Plan& plan, const dsl::SourceManager& sm,
                    const std::map<dsl::FileId, std::string>& rewritten,
                    const std::map<std::size_t, std::vector<Edit>>& edits_by_test) {
    dsl::SourceManager fresh;
    std::vector<dsl::FileId> ids;
    for (dsl::FileId id : plan.file_ids) {
        auto it = rewritten.find(id);
        ids.push_back(fresh.add(sm.file(id).path(), it != rewritten.end() ? it->second : sm.file(id).text()));
    }
    dsl::Diagnostics diags;
    auto again = eval::check_files(fresh, ids, diags);
    if (!again || diags.has_errors()) return "the rewritten rule files do not check:\n" + dsl::render(fresh, diags);
    if (again->tests.size() != plan.tests.size()) return "the rewritten rule files do not have the same tests";
    for (const auto& [t, edits] : edits_by_test) {
        const auto& test = again->tests[t];
        if (test.title != plan.tests[t].title || test.expectations.size() != plan.tests[t].expectations.size())
            return fmt::format("the rewritten test \"{}\" is not the same test", test.title);
        TestRun run = run_one(*again, fresh, test, false);
        for (const auto& e : edits) {
            if (std::find(run.failed_values.begin(), run.failed_values.end(), e.expectation) != run.failed_values.end())
                return fmt::format("{}: the value written, `{}`, does not pass", e.shown, e.text);
        }
    }
    return {};
}

}  // namespace

int run_test(const TestArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    std::size_t passed = 0, updated = 0, failed = 0, failed_in_part = 0;
    std::map<std::size_t, std::vector<Edit>> edits_by_test;
    OutputFile out;   // standard output, a line per test as it runs
    std::string error;
    if (!out.open("", error)) return output_failed(error);
    for (std::size_t t = 0; t < plan->tests.size(); ++t) {
        const auto& test = plan->tests[t];
        TestRun run = run_one(*plan, sm, test, args.update);
        // The changes and the failures in the order of the test's expectations: each change
        // goes in the report where its expectation was checked (from the last, so that the
        // positions of the earlier ones hold).
        std::string listing = run.report;
        for (auto e = run.edits.rbegin(); e != run.edits.rend(); ++e) listing.insert(e->report_at, e->shown + "\n");
        const bool changes = !run.edits.empty();
        if (changes) edits_by_test[t] = std::move(run.edits);
        std::string line;
        if (run.report.empty() && !changes) {
            ++passed;
            line = fmt::format("PASS  {}\n", dsl::printable(test.title));
        } else if (run.report.empty()) {
            ++updated;
            line = fmt::format("UPDATE  {}\n{}", dsl::printable(test.title),
                               dsl::printable(indent(listing, "      "), true));
        } else {
            ++failed;
            if (changes) ++failed_in_part;
            if (args.update)
                listing += "--update rewrites expected values only: the other failures need a hand edit\n";
            line = fmt::format("FAIL  {}\n{}", dsl::printable(test.title),
                               dsl::printable(indent(listing, "      "), true));
        }
        if (!out.write(line, error)) return output_failed(error);
    }
    // The summary counts what is written: a test updated only when its values are; a
    // failing test whose expected values are rewritten all the same is said to be.
    auto summary = [&](bool written) {
        if (!args.update) return fmt::format("{} passed, {} failed\n", passed, failed);
        if (!written) return fmt::format("{} passed, 0 updated, {} failed\n", passed, failed + updated);
        return fmt::format("{} passed, {} updated, {} failed{}\n", passed, updated, failed,
                           failed_in_part == 0 ? std::string()
                                               : fmt::format(" ({} of them updated in part)", failed_in_part));
    };
    if (edits_by_test.empty() && !out.write(summary(true), error)) return output_failed(error);
    if (!edits_by_test.empty()) {
        std::vector<Edit> edits;
        for (const auto& [t, es] : edits_by_test) edits.insert(edits.end(), es.begin(), es.end());
        auto rewritten = rewrite(sm, edits);
        std::string wrong = recheck(*plan, sm, rewritten, edits_by_test);
        if (!wrong.empty()) {
            if (!out.write(summary(false), error) || !out.commit(error)) return output_failed(error);
            std::fprintf(stderr, "hoshu: error: --update wrote nothing: %s\n", dsl::printable(wrong, true).c_str());
            return Exit::failure;
        }
        if (!out.write(summary(true), error)) return output_failed(error);
        for (const auto& [id, text] : rewritten) {
            const std::string& path = sm.file(id).path();
            std::string now, why;   // a file edited while the tests ran is not overwritten
            if (!dsl::read_regular_file(path, now, why) || now != sm.file(id).text()) {
                if (!out.commit(error)) return output_failed(error);
                std::fprintf(stderr, "hoshu: error: cannot update `%s`: %s\n", dsl::printable(path).c_str(),
                             why.empty() ? "it changed while the tests ran" : why.c_str());
                return Exit::usage;
            }
            if (!write_output(path, text, error)) return output_failed(error);
            std::size_t n = 0;
            for (const auto& e : edits) n += e.file == id ? 1 : 0;
            if (!out.write(fmt::format("updated {}: {} expected value{}\n", dsl::printable(path), n, n == 1 ? "" : "s"),
                           error))
                return output_failed(error);
        }
    }
    if (!out.commit(error)) return output_failed(error);
    return failed == 0 ? Exit::success : Exit::failure;
}

}  // namespace hoshu::cli
