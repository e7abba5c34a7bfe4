// libFuzzer target: arbitrary bytes as a result of `hoshu eval --format json`, verified
// against the shipped IIJ rules evaluated on the bundled example inputs (the ones whose
// hash the result records, else FY2024) — the comparison `hoshu verify` makes once it has
// read the files. Any input must be refused with a message or compared value by value;
// a result exactly as hoshu writes it must verify (checked).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/verify.hpp"
#include "fuzz/shipped_plan.hpp"

namespace {

namespace eval = hoshu::eval;

struct Example {
    eval::InputFile inputs;
    eval::Outcome outcome;
    eval::Seal seal;
    std::string year;
    std::string json;   // as hoshu writes it
};

struct Examples {
    hoshu::dsl::SourceManager sm;
    std::vector<Example> list;
};

Examples& examples() {
    static Examples x = [] {
        namespace fs = std::filesystem;
        auto& shipped = hoshu::fuzz::iij_plan();
        Examples e;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(std::string(HOSHU_SOURCE_DIR) + "/examples/iij")) {
            if (entry.path().extension() == ".toml") files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
            return (a.filename() == "fy2024.toml") > (b.filename() == "fy2024.toml");   // the default first
        });
        for (const auto& path : files) {
            auto in = eval::InputFile::load(e.sm, path.string());
            if (!in) continue;   // model.toml is not an inputs file
            auto outcome = eval::evaluate(*shipped.plan, *in, {});
            if (!outcome) continue;
            auto seal = eval::make_seal(*shipped.plan, shipped.sm, std::string(HOSHU_SOURCE_DIR) + "/rules/iij", *in);
            if (!seal) __builtin_trap();
            // As `hoshu eval rules/iij --inputs examples/iij/….toml --format json` records
            // them from the repository's root: then the shipped *.expected.json are these.
            seal->plan_path = "rules/iij";
            seal->inputs_path = "examples/iij/" + path.filename().string();
            std::string year = eval::fiscal_year(*shipped.plan, *outcome, *in, {});
            std::string json = eval::format_json(*shipped.plan, *outcome, *seal, year);
            e.list.push_back({std::move(*in), std::move(*outcome), std::move(*seal), std::move(year), std::move(json)});
        }
        if (e.list.empty()) __builtin_trap();
        return e;
    }();
    return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& shipped = hoshu::fuzz::iij_plan();
    auto& e = examples();
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto recorded = eval::read_result(text);
    if (!recorded) {
        if (recorded.error().items().empty()) __builtin_trap();   // a refusal always says why
        return 0;
    }
    const Example* example = &e.list.front();
    for (const auto& x : e.list) {
        if (x.seal.inputs_sha256 == recorded->seal.inputs_sha256) example = &x;
    }
    const eval::Outcome* outcome = &example->outcome;
    std::optional<eval::Outcome> dated;
    eval::Seal now = example->seal;
    if (recorded->as_of) {
        eval::EvalOptions options;
        options.as_of = recorded->as_of;
        auto r = eval::evaluate(*shipped.plan, example->inputs, options);
        if (!r) return 0;
        dated.emplace(std::move(*r));
        outcome = &*dated;
        now.as_of = recorded->as_of->to_string();
    }
    auto differences = eval::result_differences(*recorded, *shipped.plan, *outcome, now, example->year);
    for (const auto& d : differences) {
        if (d.empty()) __builtin_trap();
    }
    if (text == example->json && !differences.empty()) __builtin_trap();   // hoshu's own result verifies
    return 0;
}
