// A diff of two plans (analysis/outcome_diff.hpp, rules_diff.hpp) as `hoshu diff` prints it:
// text for reviewers (text.cpp), JSON for tools (json.cpp).
//
//   DiffSide base{"rules/iij-2023", base_plan.title, base_seal.rules_sha256}, head{…};
//   std::vector<DiffInputs> inputs{{"examples/iij/fy2024.toml", &run, sha256_hex(bytes)}};
//   std::string text = format_diff_text(base, head, inputs, diff_rules(…));
#pragma once

#include <string>
#include <vector>

#include "dsl/base/source.hpp"
#include "evaluator/analysis/dependencies.hpp"
#include "evaluator/analysis/outcome_diff.hpp"
#include "evaluator/analysis/rules_diff.hpp"

namespace hoshu::eval {

/// One of the two plans compared.
struct DiffSide {
    std::string dir;            // the plan folder as given
    std::string title;          // the plan's title
    std::string rules_sha256;   // empty when no inputs file could be read (no seal)
};

/// One --inputs argument, in the order given: its comparison, or none when it could not be
/// read (the text says so; the JSON lists it among the unreadable inputs).
struct DiffInputs {
    std::string path;
    const InputsDiff* run = nullptr;
    std::string sha256;
};

/// `causes` (analysis/dependencies.hpp): for each output, the changed declarations it
/// depends on; listed under each input file's awards for the outputs that changed there.
std::string format_diff_text(const DiffSide& base, const DiffSide& head, const std::vector<DiffInputs>& inputs,
                             const RulesDiff& rules, const std::vector<AwardCause>& causes = {});
/// `sm` renders the errors of an evaluation that failed. As the text: with `price` (the
/// --price definition's name), every output in shares has `base_value`, `head_value` and
/// `value_change` in money (exact; null on a side not valued); each changed award of both
/// plans has `depends_on_changed` (its causes), and `award_causes` lists them all.
std::string format_diff_json(const DiffSide& base, const DiffSide& head, const std::vector<DiffInputs>& inputs,
                             const RulesDiff& rules, const dsl::SourceManager& sm,
                             const std::vector<AwardCause>& causes = {}, const std::string& price = {});

}  // namespace hoshu::eval
