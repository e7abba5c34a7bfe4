// Reports of an evaluation: a table for people, JSON for systems and auditors (with the
// SHA-256 seal of the rules and inputs that produced it), CSV for payroll.
//
//   Seal seal = make_seal(plan, sm, "rules/iij", inputs);
//   std::string json = format_json(plan, outcome, seal);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/source.hpp"
#include "evaluator/evaluate.hpp"

namespace hoshu::eval {

struct SealedFile {
    std::string path;     // relative to the plan folder
    std::string sha256;
};

struct Seal {
    /// SHA-256 of the manifest `sha256sum` prints for the rule files, run in the plan
    /// folder: one line "<hex>  <path>\n" per file, sorted by path. An auditor can redo it
    /// with: (cd rules/iij && sha256sum *.hoshu | sha256sum)
    std::string rules_sha256;
    std::string inputs_sha256;   // SHA-256 of the input file's bytes
    std::string inputs_path;
    std::string plan_path;       // the plan folder as named on the command line
    std::string as_of;           // --as-of, if given
    std::string engine;          // "hoshu 0.1.0"
    std::vector<SealedFile> rule_files;
};

std::string sha256_hex(std::string_view bytes);
Seal make_seal(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir, const InputFile& inputs,
               const EvalOptions& options = {});

/// The year the outcome is for: the plan's text value `fiscal_year`, if it has one.
std::string fiscal_year(const Plan& plan, const Outcome& outcome, const InputFile& inputs);

std::string format_table(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year);
std::string format_json(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year);
std::string format_csv(const Plan& plan, const Outcome& outcome);

/// Rows as aligned columns (display width, so Japanese text lines up); `right[i]`
/// right-aligns column i. A cell wider than `max_width` does not widen its column.
std::string format_columns(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                           const std::string& indent, std::size_t max_width = 1000);


}  // namespace hoshu::eval
