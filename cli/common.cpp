#include "cli/common.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/verified.hpp"
#include "evaluator/output/carried.hpp"
#include "evaluator/output/verify.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "evaluator/check/check.hpp"

namespace hoshu::cli {

bool color_for(int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && no_color[0] != '\0') return false;
    return isatty(fd) != 0;
}

void print_diagnostics(const dsl::SourceManager& sm, const dsl::Diagnostics& diags) {
    std::string text = dsl::render(sm, diags, {color_for(2)});
    std::fputs(text.c_str(), stderr);
}

std::optional<eval::Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, bool strict, int& exit) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::fprintf(stderr, "hoshu: error: no plan at `%s` (name a folder of .hoshu rule files)\n", dir.c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    dsl::Diagnostics diags;
    auto plan = eval::load_plan(sm, dir, diags, eval::CheckOptions{strict});
    if (strict) {
        for (auto& d : diags.items()) {
            if (d.severity == dsl::Severity::warning) d.severity = dsl::Severity::error;
        }
    }
    print_diagnostics(sm, diags);
    if (!plan || diags.has_errors()) {
        std::size_t n = diags.error_count();
        std::fprintf(stderr, "%zu error%s\n", n, n == 1 ? "" : "s");
        exit = Exit::failure;
        return std::nullopt;
    }
    return plan;
}

std::optional<eval::Plan> load_base_plan(dsl::SourceManager& sm, const std::string& dir, int& exit) {
    auto base = load_plan(sm, dir, false, exit);
    if (!base && exit == Exit::failure)
        std::fprintf(stderr, "hoshu: error: the base plan `%s` (--against) does not check\n", dir.c_str());
    return base;
}

bool parse_as_of(const std::string& text, eval::EvalOptions& options) {
    if (text.empty()) return true;
    options.as_of = eval::Date::parse(text);
    if (!options.as_of) {
        std::fprintf(stderr, "hoshu: error: --as-of takes a date as YYYY-MM-DD, not `%s`\n", text.c_str());
        return false;
    }
    return true;
}

std::optional<PlanAndInputs> load_plan_and_inputs(dsl::SourceManager& sm, const std::string& plan_dir,
                                                  const std::string& inputs_path, int& exit) {
    auto plan = load_plan(sm, plan_dir, false, exit);
    if (!plan) return std::nullopt;
    auto inputs = eval::InputFile::load(sm, inputs_path);
    if (!inputs) {
        print_diagnostics(sm, inputs.error());
        exit = Exit::usage;
        return std::nullopt;
    }
    return PlanAndInputs{std::move(*plan), std::move(*inputs)};
}

std::optional<std::vector<eval::InputFile::Carried>> read_carry(dsl::SourceManager& sm, const eval::Plan& plan,
                                                                 const std::string& path, const std::string& text,
                                                                 int& exit) {
    const std::string shown = dsl::printable(path);
    VerifyArgs args;
    args.result = path;
    std::vector<std::string> differences;
    int verify_exit = verify_result(args, text, differences, [](const Verified&) { return static_cast<int>(Exit::success); });
    if (verify_exit != Exit::success || !differences.empty()) {
        if (!differences.empty()) {
            std::string report = fmt::format("hoshu: error: --carry {}: the result does not verify, so nothing is carried from it ({} difference{}):\n",
                                             shown, differences.size(), differences.size() == 1 ? "" : "s");
            for (const auto& d : differences) report += "  " + d + "\n";
            std::fputs(report.c_str(), stderr);
        } else {
            std::fprintf(stderr, "hoshu: error: --carry %s: the result could not be verified\n", shown.c_str());
        }
        exit = verify_exit == Exit::usage ? Exit::usage : Exit::failure;
        return std::nullopt;
    }
    auto prior = eval::read_result(text);
    if (!prior) {   // verified above, so read before
        exit = Exit::usage;
        return std::nullopt;
    }
    auto records = eval::carried_records(*prior, plan, path);
    if (!records) {
        print_diagnostics(sm, records.error());
        exit = Exit::usage;
        return std::nullopt;
    }
    return std::move(*records);
}

std::optional<PlanAndInputs> load_plan_and_inputs(dsl::SourceManager& sm, const std::string& plan_dir,
                                                  const std::string& inputs_path, const std::string& carry_path,
                                                  std::string& carry_bytes, int& exit) {
    if (carry_path.empty()) return load_plan_and_inputs(sm, plan_dir, inputs_path, exit);
    auto plan = load_plan(sm, plan_dir, false, exit);
    if (!plan) return std::nullopt;
    if (plan->carries.empty()) {
        std::fprintf(stderr, "hoshu: error: --carry: the plan %s carries nothing from year to year (it has no `carry` declaration)\n",
                     dsl::printable(plan_dir).c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    std::string why;
    if (!dsl::read_regular_file_at_most(carry_path, std::size_t{64} << 20, carry_bytes, why)) {
        std::fprintf(stderr, "hoshu: error: cannot read the carried result `%s`: %s\n", dsl::printable(carry_path).c_str(),
                     why.c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    auto carried = read_carry(sm, *plan, carry_path, carry_bytes, exit);
    if (!carried) return std::nullopt;
    std::string text, error;
    if (!dsl::read_file(inputs_path, text, error)) {
        std::fprintf(stderr, "hoshu: error: cannot read %s: %s\n", dsl::printable(inputs_path).c_str(), error.c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    auto inputs = eval::InputFile::parse_with_carried(sm, inputs_path, std::move(text), *carried);
    if (!inputs) {
        print_diagnostics(sm, inputs.error());
        exit = Exit::usage;
        return std::nullopt;
    }
    return PlanAndInputs{std::move(*plan), std::move(*inputs)};
}

}  // namespace hoshu::cli
