// libFuzzer target: evaluation of the shipped IIJ rules on generated figures. The fuzzer's
// bytes choose each director's pay, division score and the year's results; the evaluation
// must give a result or a located error, and the result must be exact (checked: every RS
// grant is a whole number of shares, never negative).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"
#include "fuzz/shipped_plan.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"

namespace {
struct Bytes {
    const std::uint8_t* p;
    std::size_t n;
    std::uint64_t next(std::uint64_t modulo) {
        std::uint64_t v = 0;
        for (int i = 0; i < 4 && n > 0; ++i, ++p, --n) v = (v << 8) | *p;
        return modulo ? v % modulo : v;
    }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& l = hoshu::fuzz::iij_plan();
    Bytes b{data, size};
    std::string toml = fmt::format(
        "fiscal_year = \"FY2024\"\nperiod_start = 2024-04-01\ngrant_date = 2025-06-26\n"
        "committee_consulted_on = 2025-05-20\nledger = []\n"
        "[midterm]\nyears = [\"FY2024\", \"FY2025\", \"FY2026\"]\nstart = 2024-04-01\n"
        "[years.FY2023]\nrevenue = {}\noperating_profit = {}\n"
        "[years.FY2024]\nrevenue = {}\noperating_profit = {}\nengagement_index = {}\n"
        "[targets.FY2024]\nrevenue = {}\noperating_profit = {}\n"
        "[midterm_targets.FY2024]\nrevenue = {}\noperating_profit = {}\nengagement_index = {}\n"
        "[[prices]]\ndate = 2024-03-29\nclose = {}\n[[prices]]\ndate = 2025-06-25\nclose = {}\n",
        1 + b.next(1'000'000'000'000), b.next(100'000'000'000), 1 + b.next(1'000'000'000'000),
        b.next(100'000'000'000), 1 + b.next(200), 1 + b.next(1'000'000'000'000), 1 + b.next(100'000'000'000),
        1 + b.next(1'000'000'000'000), 1 + b.next(100'000'000'000), 1 + b.next(200), 1 + b.next(100'000),
        1 + b.next(100'000));
    int directors = 1 + static_cast<int>(b.next(12));
    for (int d = 0; d < directors; ++d) {
        const char* roles[] = {"executive", "outside", "auditor"};
        toml += fmt::format("[[directors]]\nid = \"D{}\"\nrole = \"{}\"\nmonthly_fixed = {}\nmonths_in_office = {}\n"
                            "division_score = \"{}/100\"\n",
                            d, d == 0 ? "outside" : roles[b.next(3)], b.next(10'000'000), b.next(13),
                            b.next(126));
    }
    hoshu::dsl::SourceManager sm = l.sm;
    auto in = hoshu::eval::InputFile::parse(sm, "generated.toml", toml);
    if (!in) __builtin_trap();   // the generator writes valid TOML
    auto outcome = hoshu::eval::evaluate(*l.plan, *in, {});
    if (!outcome) return 0;      // a located error (a limit breach, say) is a fine answer
    for (const auto& d : outcome->directors) {
        for (std::size_t i = 0; i < d.outputs.size(); ++i) {
            const auto& slot = l.plan->slots[l.plan->director_outputs[i]];
            if (slot.type.kind != hoshu::eval::Kind::number) continue;
            if (!d.outputs[i].number.is_integer() || d.outputs[i].number.sign() < 0) __builtin_trap();
        }
    }
    return 0;
}
