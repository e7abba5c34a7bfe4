// libFuzzer target: a TOML input file against the shipped IIJ rules. Any input must give
// a result or located diagnostics.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"
#include "fuzz/shipped_plan.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/output/eval_report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& l = hoshu::fuzz::iij_plan();
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
    auto extras = hoshu::eval::report_extras(*l.plan, *in, *outcome, {});
    (void)hoshu::eval::format_csv(*l.plan, *outcome, hoshu::eval::Seal{}, "", extras);
    return 0;
}
