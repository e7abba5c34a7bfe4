// What the commands share: colour decisions, printing diagnostics, loading a plan,
// writing output whole or not at all.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dsl/diagnostics.hpp"
#include "evaluator/evaluate.hpp"
#include "evaluator/inputs.hpp"
#include "evaluator/plan.hpp"

namespace hoshu::cli {

/// Exit codes: 0 success; 1 evaluated and something failed (a violation, a failing test,
/// a check error); 2 usage or unreadable input.
enum Exit : int { success = 0, failure = 1, usage = 2 };

/// Colour on a terminal only, and never when NO_COLOR is set.
bool color_for(int fd);

void print_diagnostics(const dsl::SourceManager& sm, const dsl::Diagnostics& diags);

/// Load and check a plan; prints diagnostics. `exit` is set when it returns nullopt.
std::optional<eval::Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, bool strict, int& exit);

/// `--as-of DATE` into options (empty: none). On a bad date prints the error and returns false.
bool parse_as_of(const std::string& text, eval::EvalOptions& options);

/// A checked plan and the inputs it is evaluated on.
struct PlanAndInputs {
    eval::Plan plan;
    eval::InputFile inputs;
};

/// Load and check `plan_dir`, then read `inputs_path`; prints diagnostics. On failure `exit`
/// is set: 1 for a plan that does not check, 2 for unreadable inputs.
std::optional<PlanAndInputs> load_plan_and_inputs(dsl::SourceManager& sm, const std::string& plan_dir,
                                                  const std::string& inputs_path, int& exit);

/// An output written piece by piece that appears whole or not at all: the pieces go to a
/// temporary file in the target's folder, renamed over the target by commit(); without
/// commit() (an error, an early return) the temporary file is removed. An empty path or
/// "-" is standard output.
class OutputFile {
public:
    OutputFile() = default;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile();
    bool open(const std::string& path, std::string& error);
    bool write(std::string_view text, std::string& error);
    bool commit(std::string& error);

private:
    std::string path_, temp_;
    int fd_ = -1;
};

/// Print an output error ("hoshu: error: cannot write …") and give the exit code for it.
int output_failed(const std::string& error);

/// Write `text` to `path` (stdout when empty). A file appears whole or not at all: the
/// text goes to a temporary file in the same folder, which is then renamed over `path`.
bool write_output(const std::string& path, const std::string& text, std::string& error);

}  // namespace hoshu::cli
