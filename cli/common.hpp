// What the commands share: colour decisions, printing diagnostics, loading a plan, reading
// files (dsl/base/files.hpp), writing output (cli/output.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output.hpp"
#include "dsl/base/diagnostics.hpp"
#include "dsl/base/files.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/values.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/register.hpp"

namespace hoshu::cli {

/// Exit codes: 0 success; 1 evaluated and something failed (a violation, a failing test,
/// a check error); 2 usage, unreadable input, output that could not be written, or memory
/// that ran out.
enum Exit : int { success = 0, failure = 1, usage = 2 };

/// Colour on a terminal only, and never when NO_COLOR is set.
bool color_for(int fd);

void print_diagnostics(const dsl::SourceManager& sm, const dsl::Diagnostics& diags);

/// Whether `dir` is what a plan is read from — a folder, or a .hoshu file — else says why
/// (a device, a pipe, another file): "" when it is (or is not there at all).
std::string not_a_plan_path(const std::string& dir);

/// Load and check a plan; prints diagnostics (its warnings only when `warnings`: a plan
/// loaded again for a check of the caller's, whose warnings the caller has printed). `exit`
/// is set when it returns nullopt.
std::optional<eval::Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, bool strict, int& exit,
                                    bool warnings = true);

/// The base plan of a comparison (`--against DIR`): load_plan(), and when it does not
/// check, a last line saying it is the base plan that does not.
std::optional<eval::Plan> load_base_plan(dsl::SourceManager& sm, const std::string& dir, int& exit);

/// A workbook (`--format xlsx`) bound for a terminal: `out` names standard output (empty or
/// "-") and it is a terminal. Prints the usage error (write it with --out FILE) and returns true.
bool binary_to_terminal(const std::string& out);

/// What is wrong with `text` given to a date option (`--as-of`, `--date`): a day that does
/// not exist named as such ("--date: 2025-02-29 does not exist: 2025 is not a leap year
/// (February has 28 days)"), anything else as not written YYYY-MM-DD. Every date option says it so.
std::string date_option_error(std::string_view option, const std::string& text);

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

/// The records an earlier year's result hands on (`--carry LAST_YEAR.json`), for the
/// plan's `carry` declarations. The result (its text; `path` names it and locates the
/// files its seal names) is verified first, as `hoshu verify` does; one that does not
/// verify is refused. Prints what is wrong; on failure `exit` is set: 1 for a result that
/// does not verify, 2 for one that cannot be read or carries nothing for this plan.
/// `fiscal_year`, when given, gets the result's `fiscal_year` (empty: it has none).
std::optional<std::vector<eval::InputFile::Carried>> read_carry(dsl::SourceManager& sm, const eval::Plan& plan,
                                                                 const std::string& path, const std::string& text,
                                                                 int& exit, std::string* fiscal_year = nullptr);

/// Where the records a plan carries come from: the result of `--carry LAST_YEAR.json`, or the
/// grant register of `--register FILE.db` (at most one of them; neither: the inputs alone).
struct CarryFrom {
    std::string result;
    std::string register_db;
};

/// What was carried, for the seal: the file read (the result, or the register) and the
/// bytes of the result carried from; from a register, the events applied to its records.
struct CarryUsed {
    std::string path;
    std::string bytes;
    bool from_register = false;
    std::vector<eval::SealedEvent> events;
};

/// load_plan_and_inputs() with the carried records in place. From a register: its hash
/// chain is checked, the current recorded result of the latest fiscal year before the
/// inputs' (the plan's `fiscal_year` output) is verified again from the files stored with
/// it, and the events recorded since it are applied to what it carries
/// (evaluator/register/carry.hpp). Prints what is wrong and sets `exit`.
std::optional<PlanAndInputs> load_plan_and_inputs(dsl::SourceManager& sm, const std::string& plan_dir,
                                                  const std::string& inputs_path, const CarryFrom& from,
                                                  CarryUsed& used, int& exit);

/// The inputs of `inputs_path` with the records `plan` (of `plan_dir`) carries in place, from
/// `from` (a result or a register, as load_plan_and_inputs()). A result of `--carry` must be
/// of the year before the inputs' fiscal year (as the register's is), when both are known and
/// their names tell. Prints what is wrong and sets `exit`.
std::optional<eval::InputFile> load_carried_inputs(dsl::SourceManager& sm, const eval::Plan& plan,
                                                   const std::string& plan_dir, const std::string& inputs_path,
                                                   const CarryFrom& from, CarryUsed& used, int& exit);

/// The records of the directors who left by a register `leave` event with nothing still
/// restricted (eval::register_leavers, eval::drop_leavers), taken out of `prior` — what the
/// register's result `from` carries, the events `applied` applied — when the inputs
/// (`inputs_text`, read alone) do not list them: `eval --register` and `verify` both do it,
/// and the same way. Returns a note per director taken out.
std::vector<std::string> drop_register_leavers(const eval::Plan& plan, eval::RecordedResult& prior,
                                               const eval::StoredResult& from, const std::vector<eval::StoredResult>& results,
                                               const std::vector<eval::StoredEvent>& events,
                                               const std::vector<eval::StoredEvent>& applied, const std::string& inputs_path,
                                               const std::string& inputs_text);

/// Record in `seal` what was carried (`used`), relative to `result_path` as make_seal() does.
void seal_carried(eval::Seal& seal, const CarryUsed& used, const std::string& result_path);

}  // namespace hoshu::cli
