// hoshu report PLAN --inputs FILE [--director ID …] [--out FILE.html] [--as-of DATE]
#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/analysis/explain.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/html.hpp"
#include "evaluator/output/seal.hpp"

namespace hoshu::cli {

namespace {

/// An argument as a POSIX shell reads it back: bare when it is made of safe characters,
/// else in single quotes.
std::string shell_word(const std::string& s) {
    bool safe = !s.empty();
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
        if (!ok) safe = false;
    }
    if (safe) return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

int run_report(const ReportArgs& args) {
    eval::EvalOptions options;
    if (!parse_as_of(args.as_of, options)) return Exit::usage;
    dsl::SourceManager sm;
    int exit = Exit::success;
    CarryUsed carried;
    auto loaded = load_plan_and_inputs(sm, args.plan, args.inputs, CarryFrom{args.carry, args.register_db}, carried, exit);
    if (!loaded) return exit;
    const eval::Plan& plan = loaded->plan;
    eval::Session session(plan, loaded->inputs, options);
    auto outcome = session.run();
    if (!outcome) {
        print_diagnostics(sm, outcome.error());
        return Exit::failure;
    }
    auto seal = eval::make_seal(plan, sm, args.plan, loaded->inputs, options);
    if (!seal) {
        print_diagnostics(sm, seal.error());
        return Exit::usage;
    }
    seal_carried(*seal, carried, std::string());
    eval::WorkingPaper paper;
    paper.plan_title = plan.title;
    paper.fiscal_year = eval::fiscal_year(plan, session);
    paper.seal = *seal;
    paper.findings = eval::outcome_findings(plan, *outcome);
    paper.command = "hoshu report " + shell_word(args.plan) + " --inputs " + shell_word(args.inputs);
    if (!args.carry.empty()) paper.command += " --carry " + shell_word(args.carry);
    if (!args.register_db.empty()) paper.command += " --register " + shell_word(args.register_db);
    for (const auto& d : args.directors) paper.command += " --director " + shell_word(d);
    if (!args.as_of.empty()) paper.command += " --as-of " + shell_word(args.as_of);
    paper.command += " --out " + shell_word(args.out.empty() || args.out == "-" ? "report.html" : args.out);
    // (A director named twice is shown once, where first named.)
    std::vector<std::string> ids;
    for (const auto& d : args.directors)
        if (std::find(ids.begin(), ids.end(), d) == ids.end()) ids.push_back(d);
    if (ids.empty())
        for (const auto& d : outcome->directors) ids.push_back(d.id);
    dsl::Diagnostics problems;
    for (const auto& id : ids) {
        auto e = eval::explain(plan, sm, session, *outcome, id, "");
        if (!e) {
            problems.append(std::move(e.error()));
            continue;
        }
        paper.directors.push_back({id, "", std::move(*e)});
    }
    // Without --director: the records of the further collections too (each peer company with
    // what the plan derives for it and the inputs it read, each traced to its line), so that
    // a value computed over them (a percentile among the peers) can be re-derived from the paper.
    if (args.directors.empty())
        for (std::size_t k = 0; k < plan.others.size() && k < outcome->others.size(); ++k)
            for (std::size_t i = 0; i < outcome->others[k].records.size(); ++i)
                if (auto e = eval::explain_record(plan, sm, session, *outcome, k, i))
                    paper.directors.push_back({outcome->others[k].records[i].id, plan.others[k].noun, std::move(*e)});
    if (problems.has_errors()) {
        print_diagnostics(sm, problems);
        return Exit::failure;
    }
    std::string error;
    if (!write_output(args.out, eval::render_working_paper(paper), error, files_read(sm, {args.carry, args.register_db})))
        return output_failed(error);
    // As eval: a violation fails the command (the paper, which lists it, is written).
    return outcome->violations.empty() ? Exit::success : Exit::failure;
}

}  // namespace hoshu::cli
