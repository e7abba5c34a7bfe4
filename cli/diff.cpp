// hoshu diff BASE_PLAN HEAD_PLAN --inputs FILE… [--carry LAST_YEAR.json | --register FILE.db] [--format text|json]
//
// For the compensation committee's what-if and for reviewers of a rule change: on each
// input file, every director's awards under both plans and what changed; then, once, the
// declarations added, removed or changed, with a line diff of each changed one.
// Exit 0 when the comparison ran (differences are its result, not a failure), 1 when a
// plan does not check or an evaluation fails, 2 on usage or an unreadable input file.
#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/analysis/dependencies.hpp"
#include "evaluator/analysis/outcome_diff.hpp"
#include "evaluator/analysis/rules_diff.hpp"
#include "evaluator/output/diff_report.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/run/inputs.hpp"

namespace hoshu::cli {

namespace {

struct Side {
    std::string dir;
    std::optional<eval::Plan> plan;
    std::string rules_sha256;
};

}  // namespace

int run_diff(const DiffArgs& args) {
    if (args.inputs.empty()) {
        std::fprintf(stderr, "hoshu: error: diff needs at least one --inputs file\n");
        return Exit::usage;
    }
    dsl::SourceManager sm;
    Side base{args.base, std::nullopt, {}}, head{args.head, std::nullopt, {}};
    int base_exit = Exit::success, head_exit = Exit::success;
    base.plan = load_plan(sm, args.base, false, base_exit);
    if (!base.plan && base_exit == Exit::failure)
        std::fprintf(stderr, "hoshu: error: the base plan `%s` does not check\n", args.base.c_str());
    head.plan = load_plan(sm, args.head, false, head_exit);
    if (!head.plan && head_exit == Exit::failure)
        std::fprintf(stderr, "hoshu: error: the head plan `%s` does not check\n", args.head.c_str());
    if (!base.plan || !head.plan) return std::max(base_exit, head_exit);

    if (!args.price.empty()) {
        // The price must be one both plans define, plan-wide, in money per share.
        bool bad = false;
        for (const auto* side : {&base, &head}) {
            std::string why = eval::price_problem(*side->plan, args.price);
            if (why.empty()) continue;
            std::fprintf(stderr, "hoshu: error: --price %s: %s in the %s plan `%s`\n", args.price.c_str(), why.c_str(),
                         side == &base ? "base" : "head", side->dir.c_str());
            bad = true;
        }
        if (bad) return Exit::usage;
    }
    int exit = Exit::success;
    std::vector<eval::InputFile> inputs;
    std::vector<int> order;   // per --inputs argument: its index in `inputs`, or -1 when unreadable
    const CarryFrom from{args.carry, args.register_db};
    const bool carrying = !from.result.empty() || !from.register_db.empty();
    if (carrying) {
        // Both plans read one set of inputs: the records the head plan carries, which the base
        // plan must carry too (the same `carry` declarations, by path).
        auto paths = [](const eval::Plan& plan) {
            std::vector<std::string> out;
            for (const auto& c : plan.carries) out.push_back(c.path);
            std::sort(out.begin(), out.end());
            return out;
        };
        if (paths(*base.plan) != paths(*head.plan)) {
            std::fprintf(stderr,
                         "hoshu: error: the base plan `%s` and the head plan `%s` carry different records from year to "
                         "year: they cannot be compared on one set of carried inputs (evaluate each with eval)\n",
                         dsl::printable(base.dir).c_str(), dsl::printable(head.dir).c_str());
            return Exit::usage;
        }
    }
    for (const auto& path : args.inputs) {
        if (carrying) {
            CarryUsed used;
            int carry_exit = Exit::success;
            auto in = load_carried_inputs(sm, *head.plan, head.dir, path, from, used, carry_exit);
            if (!in) {
                order.push_back(-1);
                exit = std::max(exit, carry_exit);
                continue;
            }
            order.push_back(static_cast<int>(inputs.size()));
            inputs.push_back(std::move(*in));
            continue;
        }
        auto in = eval::InputFile::load(sm, path);
        if (!in) {
            print_diagnostics(sm, in.error());
            order.push_back(-1);
            exit = Exit::usage;
            continue;
        }
        order.push_back(static_cast<int>(inputs.size()));
        inputs.push_back(std::move(*in));
    }
    if (!inputs.empty()) {
        for (auto* side : {&base, &head}) {
            auto seal = eval::make_seal(*side->plan, sm, side->dir, inputs.front());
            if (!seal) {
                print_diagnostics(sm, seal.error());
                return Exit::usage;
            }
            side->rules_sha256 = seal->rules_sha256;
        }
    }

    std::vector<eval::InputsDiff> runs;
    std::vector<std::string> inputs_sha256;
    for (const auto& in : inputs) {
        inputs_sha256.push_back(eval::sha256_hex(in.bytes()));
        runs.push_back(eval::diff_on_inputs(*base.plan, *head.plan, in, {}, args.price));
        const auto& r = runs.back();
        for (const auto* s : {&r.base, &r.head}) {
            if (s->ok) continue;
            print_diagnostics(sm, s->errors);
            std::fprintf(stderr, "hoshu: error: the %s plan `%s` could not be evaluated on `%s`\n",
                         s == &r.base ? "base" : "head", (s == &r.base ? base.dir : head.dir).c_str(),
                         r.inputs_path.c_str());
            if (exit == Exit::success) exit = Exit::failure;
        }
    }
    auto rules = eval::diff_rules(*base.plan, base.dir, *head.plan, head.dir, sm);

    std::vector<eval::DiffInputs> listed;
    for (std::size_t a = 0; a < order.size(); ++a) {
        if (order[a] < 0) {
            listed.push_back({args.inputs[a], nullptr, {}});
            continue;
        }
        auto i = static_cast<std::size_t>(order[a]);
        listed.push_back({args.inputs[a], &runs[i], inputs_sha256[i]});
    }
    const eval::DiffSide base_side{base.dir, base.plan->title, base.rules_sha256};
    const eval::DiffSide head_side{head.dir, head.plan->title, head.rules_sha256};
    const auto causes = eval::award_causes(*base.plan, *head.plan, rules);
    std::string text = args.format == "json"
                           ? eval::format_diff_json(base_side, head_side, listed, rules, sm, causes, args.price)
                           : eval::format_diff_text(base_side, head_side, listed, rules, causes);
    std::string error;
    if (!write_output("", text, error)) return output_failed(error);
    return exit;
}

}  // namespace hoshu::cli
