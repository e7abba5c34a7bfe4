// libFuzzer target: a TOML input file against the shipped IIJ rules. Any input must give
// a result or located diagnostics.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "dsl/diagnostics.hpp"
#include "evaluator/check.hpp"
#include "evaluator/evaluate.hpp"
#include "evaluator/inputs.hpp"
#include "evaluator/report.hpp"

namespace {
struct Loaded {
    hoshu::dsl::SourceManager sm;
    std::optional<hoshu::eval::Plan> plan;
};
Loaded& iij() {
    static Loaded l = [] {
        Loaded x;
        hoshu::dsl::Diagnostics diags;
        x.plan = hoshu::eval::load_plan(x.sm, std::string(HOSHU_SOURCE_DIR) + "/rules/iij", diags);
        return x;
    }();
    return l;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Loaded& l = iij();
    if (!l.plan) __builtin_trap();   // the shipped rules must check
    hoshu::dsl::SourceManager sm = l.sm;
    auto in = hoshu::eval::InputFile::parse(sm, "fuzz.toml", std::string(reinterpret_cast<const char*>(data), size));
    if (!in) {
        (void)hoshu::dsl::render(sm, in.error());
        return 0;
    }
    auto outcome = hoshu::eval::evaluate(*l.plan, *in, {});
    if (!outcome) {
        (void)hoshu::dsl::render(sm, outcome.error());
        return 0;
    }
    (void)hoshu::eval::format_csv(*l.plan, *outcome);
    return 0;
}
