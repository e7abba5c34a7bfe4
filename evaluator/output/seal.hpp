// The seal of a result: the SHA-256 of the rule files (as `sha256sum` lists them), of the
// inputs, the engine and the paths, so that anyone can tell which rules and inputs produced
// it and redo the hashes with standard tools. The only user of OpenSSL.
//
//   Result<Seal> seal = make_seal(plan, sm, "rules/iij", inputs);
//   seal->rules_sha256;   // = `hoshu seal rules/iij | sha256sum`
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::eval {

/// An event of a grant register applied to the carried records (`hoshu eval --register`):
/// its id in the register and its hash in the register's chain.
struct SealedEvent {
    std::int64_t id = 0;
    std::string hash;
};

struct SealedFile {
    std::string path;     // relative to the plan folder ("../common/x.hoshu" for an import from outside it)
    std::string sha256;
};

/// What the seal's `plan` and `inputs` paths are relative to: the folder `hoshu eval` ran
/// in (a result written to standard output), or the folder of the result file (`--out`),
/// so that the result names its rules and inputs from wherever it is read.
enum class SealPaths { working_directory, result };
const char* to_string(SealPaths p);   // "working directory", "result"

struct Seal {
    /// SHA-256 of the listing `sha256sum` prints for the rule files, run in the plan
    /// folder: one line "<hex>  <path>\n" per file the loader read (imports and hidden files
    /// too), sorted by path bytes; `seal_listing()` writes it and `hoshu seal PLAN` prints it.
    /// Tests compute nothing and are not sealed (sealed_rule_text()): a file's hex is that of
    /// its text without its `test` declarations, and a file of tests only is not listed.
    std::string rules_sha256;
    std::string inputs_sha256;   // SHA-256 of the input file's bytes
    std::string inputs_path;     // relative to `relative_to`
    std::string plan_path;       // the plan folder, relative to `relative_to`
    SealPaths relative_to = SealPaths::working_directory;
    std::string as_of;           // --as-of, if given
    /// --carry: the earlier result the carried records were read from (relative like
    /// inputs_path) and the SHA-256 of its bytes; empty without --carry.
    std::string carried_from;
    std::string carried_sha256;
    /// --register: carried_from names the grant register, carried_sha256 the recorded result
    /// read from it, and carried_events the register's events applied to that result's
    /// carried records (none, possibly); written as "carried_events" (present only then).
    bool carried_from_register = false;
    std::vector<SealedEvent> carried_events;
    std::string engine;          // "hoshu 0.1.0"
    std::vector<SealedFile> rule_files;   // sorted by path
};

std::string sha256_hex(std::string_view bytes);

/// The text of a rule file as the seal hashes it: the file without its `test`
/// declarations, which compute nothing. A test leaves out its lines (a comment after its
/// last token included), the comment lines indented into it after them, the comment lines
/// right above it and the blank lines above those (after it, for a test that opens the
/// file) — so that adding, editing or removing a test, with its comments, leaves the text
/// as it was. Everything else stays byte for byte: every other declaration, its notes and
/// sources, the other comments and blank lines. The file is sealed whole (its bytes) when
/// it does not parse, when a test shares a line with another declaration, or when the text
/// without its tests would not read as the same other declarations. nullopt: the file
/// declares tests and nothing else, and is not sealed (a file that declares nothing at
/// all, comments only, is sealed whole as any other).
std::optional<std::string> sealed_rule_text(std::string_view path, std::string_view text);
/// The SHA-256 of sealed_rule_text(); nullopt when the file is not sealed.
std::optional<std::string> sealed_rule_file_sha256(std::string_view path, std::string_view text);

/// How seal_rule_files() hashes each file: without its tests (the seal's definition), or
/// whole, as hoshu sealed results before tests were left out (a result sealed so, whose
/// files are byte for byte the same, still verifies).
enum class SealTests { left_out, whole_files };

/// The rule files of `plan`, each with its SHA-256, as the seal lists them: every file the
/// loader read but those of tests only, by its path relative to the plan folder
/// `plan_dir`, sorted by path bytes; each hash is that of sealed_rule_text().
/// Errors: a file name with a control character or that is not UTF-8 (the listing could
/// not be redone with `sha256sum` the same way everywhere, nor be written in JSON).
Result<std::vector<SealedFile>> seal_rule_files(const Plan& plan, const dsl::SourceManager& sm,
                                                const std::string& plan_dir);

/// The same for rule files read into `sm` but not (or not yet) checked: those
/// eval::read_rule_files() finds for the plan as it is now.
Result<std::vector<SealedFile>> seal_rule_files(const std::vector<dsl::FileId>& ids, const dsl::SourceManager& sm,
                                                const std::string& plan_dir, SealTests tests = SealTests::left_out);

/// sealed_rule_text() of the rule file `plan` loads that the seal lists as `path`
/// (relative to the plan folder): `hoshu seal PLAN --text PATH`. Errors: the plan loads
/// no such file, or it declares nothing but tests (not sealed).
Result<std::string> sealed_text_of(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir,
                                   const std::string& path);

/// A rule file the plan loads that the seal does not list (it declares tests only), with
/// its text: kept beside the sealed files wherever the plan must load again as it was (a
/// register's record), since a sealed file may import it.
struct UnsealedFile {
    std::string path;   // relative to the plan folder, as the seal's paths are
    std::string text;
};
std::vector<UnsealedFile> unsealed_rule_files(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir);

/// The listing `sha256sum` prints for `files` in the plan folder: "<hex>  <path>\n" each; a
/// path with a backslash is escaped as sha256sum escapes it (the line starts with `\`, and
/// each `\` is doubled). rules_sha256 is the SHA-256 of this text.
std::string seal_listing(const std::vector<SealedFile>& files);

/// The folder a result written to `result_path` is in, as the file system finds it: a
/// symbolic link (to the file, or to a folder on the way) followed, so that paths relative to
/// it lead from the file itself, wherever it is reached from. "." for a bare name.
std::string result_folder(const std::string& result_path);

/// The seal of an evaluation of `plan_dir` on `inputs`. With `result_path` (the file the
/// result is written to), the plan and inputs paths are recorded relative to its folder.
/// Errors: as seal_rule_files, and a plan or inputs path that is not UTF-8.
Result<Seal> make_seal(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir,
                       const InputFile& inputs, const EvalOptions& options = {}, const std::string& result_path = {});

/// Record in `seal` that the carried records were read from the result `carry_path`
/// (whose bytes are `carry_bytes`), relative to the result's folder as make_seal() does
/// with the inputs when `result_path` is given.
void seal_carry(Seal& seal, const std::string& carry_path, std::string_view carry_bytes,
                const std::string& result_path = {});

}  // namespace hoshu::eval
