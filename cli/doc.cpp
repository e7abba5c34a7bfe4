// hoshu doc PLAN [--against BASE_PLAN] [--out FILE.html]: the literate plan — each
// declaration beside the clauses it encodes, tables as charts; with --against, what a
// revision changes. Exit 1 when a plan does not check, 2 on usage or an output error.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/output/html.hpp"
#include "evaluator/output/seal.hpp"

namespace hoshu::cli {

namespace {

std::optional<std::string> rules_hash(const eval::Plan& plan, const dsl::SourceManager& sm, const std::string& dir) {
    auto files = eval::seal_rule_files(plan, sm, dir);
    if (!files) {
        print_diagnostics(sm, files.error());
        return std::nullopt;
    }
    return eval::sha256_hex(eval::seal_listing(*files));
}

}  // namespace

int run_doc(const DocArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, false, exit);
    if (!plan) return exit;
    std::optional<eval::Plan> base;
    if (!args.against.empty()) {
        base = load_base_plan(sm, args.against, exit);
        if (!base) return exit;
    }
    eval::PlanDocument doc;
    doc.plan = &*plan;
    doc.plan_dir = args.plan;
    doc.sm = &sm;
    auto hash = rules_hash(*plan, sm, args.plan);
    if (!hash) return Exit::usage;
    doc.rules_sha256 = *hash;
    doc.command = "hoshu doc " + args.plan;
    if (base) {
        doc.base = &*base;
        doc.base_dir = args.against;
        auto base_hash = rules_hash(*base, sm, args.against);
        if (!base_hash) return Exit::usage;
        doc.base_rules_sha256 = *base_hash;
        doc.command += " --against " + args.against;
    }
    doc.command += " --out " + (args.out.empty() || args.out == "-" ? std::string("plan.html") : args.out);
    std::string error;
    if (!write_output(args.out, eval::render_plan_document(doc), error, files_read(sm))) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
