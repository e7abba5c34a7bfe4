#include "cli/common.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "evaluator/check.hpp"

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

OutputFile::~OutputFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(temp_.c_str());
    }
}

bool OutputFile::open(const std::string& path, std::string& error) {
    path_ = path;
    if (path.empty() || path == "-") return true;
    namespace fs = std::filesystem;
    fs::path target(path);
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    fd_ = mkstemp(name.data());
    if (fd_ < 0) {
        error = fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
        return false;
    }
    temp_ = name.data();
    return true;
}

bool OutputFile::write(std::string_view text, std::string& error) {
    if (fd_ < 0) {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
            error = fmt::format("cannot write to standard output: {}", std::strerror(errno));
            return false;
        }
        return true;
    }
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = fmt::format("cannot write `{}`: {}", path_, std::strerror(errno));
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

bool OutputFile::commit(std::string& error) {
    if (fd_ < 0) {
        std::fflush(stdout);
        return true;
    }
    int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        error = fmt::format("cannot write `{}`: {}", path_, std::strerror(errno));
        ::unlink(temp_.c_str());
        return false;
    }
    ::chmod(temp_.c_str(), 0644);
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
        error = fmt::format("cannot write `{}`: {}", path_, std::strerror(errno));
        ::unlink(temp_.c_str());
        return false;
    }
    return true;
}

int output_failed(const std::string& error) {
    std::fprintf(stderr, "hoshu: error: %s\n", error.c_str());
    return Exit::usage;
}

bool write_output(const std::string& path, const std::string& text, std::string& error) {
    OutputFile out;
    return out.open(path, error) && out.write(text, error) && out.commit(error);
}

}  // namespace hoshu::cli
