// libFuzzer target: parse and check one rule file. Any input must give diagnostics or a
// plan — never a crash, a hang, a leak or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hoshu::dsl::SourceManager sm;
    auto id = sm.add("fuzz.hoshu", std::string(reinterpret_cast<const char*>(data), size));
    hoshu::dsl::Diagnostics diags;
    std::size_t bad = 0;
    if (!hoshu::dsl::valid_utf8(sm.file(id).text(), &bad)) return 0;   // load_plan rejects these first
    auto plan = hoshu::eval::check_files(sm, {id}, diags);
    (void)hoshu::dsl::render(sm, diags);
    return 0;
}
