// hoshu verify RESULT.json: confirm that a result written by `hoshu eval --format json`
// came from the rules and inputs it names. The seal (SHA-256 of every rule file and of the
// inputs) is recomputed, the plan is evaluated again, and every value is compared.
// Exit 0 when everything agrees; 1 with the differences; 2 when the file cannot be read.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "evaluator/check.hpp"
#include "evaluator/evaluate.hpp"
#include "evaluator/inputs.hpp"
#include "evaluator/report.hpp"

namespace hoshu::cli {

namespace {

using nlohmann::json;

/// Every leaf of `recorded` that differs from `recomputed`, as "path: recorded X, recomputed Y".
void compare(const json& recorded, const json& recomputed, const std::string& path, std::vector<std::string>& out) {
    if (recorded.is_object() && recomputed.is_object()) {
        for (auto it = recorded.begin(); it != recorded.end(); ++it) {
            std::string p = path.empty() ? it.key() : path + "." + it.key();
            if (!recomputed.contains(it.key())) out.push_back(fmt::format("{}: recorded {}, not in the recomputed result", p, it.value().dump()));
            else compare(it.value(), recomputed.at(it.key()), p, out);
        }
        for (auto it = recomputed.begin(); it != recomputed.end(); ++it) {
            if (!recorded.contains(it.key()))
                out.push_back(fmt::format("{}.{}: missing from the recorded result (recomputed {})", path, it.key(),
                                          it.value().dump()));
        }
        return;
    }
    if (recorded.is_array() && recomputed.is_array()) {
        if (recorded.size() != recomputed.size())
            out.push_back(fmt::format("{}: recorded {} entries, recomputed {}", path, recorded.size(), recomputed.size()));
        for (std::size_t i = 0; i < std::min(recorded.size(), recomputed.size()); ++i) {
            // Name array entries by their id or name where they have one: directors[D03].
            std::string key = std::to_string(i);
            if (recorded[i].is_object() && recorded[i].contains("id")) key = recorded[i]["id"].dump();
            else if (recorded[i].is_object() && recorded[i].contains("name")) key = recorded[i]["name"].dump();
            compare(recorded[i], recomputed[i], path + "[" + key + "]", out);
        }
        return;
    }
    if (recorded != recomputed)
        out.push_back(fmt::format("{}: recorded {}, recomputed {}", path, recorded.dump(), recomputed.dump()));
}

}  // namespace

int run_verify(const VerifyArgs& args) {
    std::ifstream in(args.result, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "hoshu: error: cannot read `%s`\n", args.result.c_str());
        return Exit::usage;
    }
    std::stringstream text;
    text << in.rdbuf();
    json recorded = json::parse(text.str(), nullptr, false);
    if (recorded.is_discarded() || !recorded.is_object() || !recorded.contains("seal") ||
        !recorded["seal"].contains("plan") || !recorded["seal"].contains("inputs")) {
        std::fprintf(stderr, "hoshu: error: `%s` is not a result written by `hoshu eval --format json`\n",
                     args.result.c_str());
        return Exit::usage;
    }
    const json& seal = recorded["seal"];
    std::string plan_dir = seal["plan"].get<std::string>();
    std::string inputs_path = seal["inputs"].get<std::string>();
    eval::EvalOptions options;
    if (seal.contains("as_of")) options.as_of = eval::Date::parse(seal["as_of"].get<std::string>());

    dsl::SourceManager sm;
    int exit = Exit::success;
    auto loaded = load_plan_and_inputs(sm, plan_dir, inputs_path, exit);
    if (!loaded) return exit;
    const eval::Plan* plan = &loaded->plan;
    const eval::InputFile* inputs = &loaded->inputs;
    auto outcome = eval::evaluate(*plan, *inputs, options);
    if (!outcome) {
        print_diagnostics(sm, outcome.error());
        return Exit::failure;
    }
    auto now = eval::make_seal(*plan, sm, plan_dir, *inputs, options);
    json recomputed = json::parse(eval::format_json(*plan, *outcome, now, eval::fiscal_year(*plan, *outcome, *inputs)));

    std::vector<std::string> differences;
    // The seal first: which files changed, by name.
    if (seal.value("inputs_sha256", "") != now.inputs_sha256)
        differences.push_back(fmt::format("the inputs {} changed: recorded sha256 {}, now {}", inputs_path,
                                          seal.value("inputs_sha256", "?"), now.inputs_sha256));
    if (seal.value("rules_sha256", "") != now.rules_sha256) {
        differences.push_back(fmt::format("the rules in {} changed: recorded sha256 {}, now {}", plan_dir,
                                          seal.value("rules_sha256", "?"), now.rules_sha256));
        std::map<std::string, std::string> before;
        if (seal.contains("rule_files")) {
            for (const auto& f : seal["rule_files"]) before[f.value("path", "")] = f.value("sha256", "");
        }
        for (const auto& f : now.rule_files) {
            auto it = before.find(f.path);
            if (it == before.end()) differences.push_back(fmt::format("  {} was added", f.path));
            else if (it->second != f.sha256) differences.push_back(fmt::format("  {} was changed", f.path));
            if (it != before.end()) before.erase(it);
        }
        for (const auto& [path, hash] : before) differences.push_back(fmt::format("  {} was removed", path));
    }
    json recorded_values = recorded;
    json recomputed_values = recomputed;
    recorded_values.erase("seal");
    recomputed_values.erase("seal");
    compare(recorded_values, recomputed_values, "", differences);

    std::string report;
    if (differences.empty()) {
        report = fmt::format("verified: {} matches rules {} (sha256 {}) and inputs {} (sha256 {})\n", args.result,
                             plan_dir, now.rules_sha256, inputs_path, now.inputs_sha256);
    } else {
        report = fmt::format("NOT verified: {} differs in {} place{}\n", args.result, differences.size(),
                             differences.size() == 1 ? "" : "s");
        for (const auto& d : differences) report += "  " + d + "\n";
    }
    std::string error;
    if (!write_output("", report, error)) return output_failed(error);
    return differences.empty() ? Exit::success : Exit::failure;
}

}  // namespace hoshu::cli
