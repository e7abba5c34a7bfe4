#include "cli/common.hpp"

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

}  // namespace hoshu::cli
