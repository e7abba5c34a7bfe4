// HTML documents people file and read: the auditor's working paper (`hoshu report`) —
// what the evaluation found (every violation, the limits, the plan-wide outputs), then
// one self-contained page per director (inline CSS, no script, no network, made to print
// on A4) with the seal, each output's derivation as a tree back to its clauses and to the
// lines of the inputs file, and an index from clause to every step that cites it.
// Every text from the rules or the inputs is escaped.
//
//   WorkingPaper paper{plan.title, "FY2024", command, *seal, {}};
//   paper.directors.push_back({"D03", *explain(plan, sm, session, "D03", "")});
//   std::string html = render_working_paper(paper);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "evaluator/analysis/explain.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/seal.hpp"

namespace hoshu::eval {

/// The text as HTML character data or an attribute value: `& < > " '` escaped, and the
/// characters a reader cannot see (bidirectional controls, zero-width, control
/// characters) shown escaped as `\u{202e}`.
std::string html_escape(std::string_view text);

/// Clause ids in the order people read them: letters, then the number without leading
/// zeros (C2 before C10, P02 as P2), then the rest.
bool clause_less(const std::string& a, const std::string& b);

/// The font families named by every document and picture hoshu draws: ones that show
/// Japanese first.
extern const char* const html_font_stack;

struct WorkingPaper {
    std::string plan_title;
    std::string fiscal_year;
    std::string command;                   // the command that reproduces the document
    Seal seal;
    OutcomeFindings findings;              // the plan-wide outputs, limits and violations, as eval shows them
    struct Director {
        std::string id;
        std::string noun;                  // a record of a further collection: its noun ("peer"); else empty
        Explanation derivation;            // every output of the director (explain with no value)
    };
    std::vector<Director> directors;
};

std::string render_working_paper(const WorkingPaper& paper);

/// The literate plan (`hoshu doc`): each declaration in the plan's own order (its rule
/// files, each from top to bottom) beside the clauses it cites and their quoted text;
/// every table drawn as an SVG chart (its rows as segments, ends marked filled when
/// included and hollow when not); the plan's tests with what they expect; an index from
/// clause to the declarations citing it. With a base plan (`--against`): the declarations
/// added or changed marked, with their line diffs, those removed listed, and a changed
/// table drawn with the base's curve and the revision's in one chart.
struct PlanDocument {
    const Plan* plan = nullptr;
    std::string plan_dir;
    const Plan* base = nullptr;           // --against, or none
    std::string base_dir;
    const dsl::SourceManager* sm = nullptr;   // holds both plans' files
    std::string rules_sha256, base_rules_sha256;
    std::string command;                  // the command that reproduces the document
};

std::string render_plan_document(const PlanDocument& doc);

/// A table's chart as an SVG element (for the literate plan): `tables` drawn on the same
/// axes, the first solid (the plan), the others dashed (a base plan's); each row a
/// segment from its low end to its high end (an open end runs to the chart's edge), each
/// finite end a dot, filled when the end is included and hollow when not.
std::string table_chart_svg(const Plan& plan, const std::vector<const Table*>& tables,
                            const std::vector<std::string>& captions);

}  // namespace hoshu::eval
