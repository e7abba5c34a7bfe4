// Reading what an earlier year's result carries (`hoshu eval … --carry LAST_YEAR.json`): the
// records its `carry` declarations wrote under "carry", turned into the TOML the inputs
// reader reads as the records at their path. The result must have been verified first
// (cli: the result's seal, rules and inputs, every value recomputed); this only reads it.
//
//   auto prior = read_result(text);                      // a result of `hoshu eval --format json`
//   auto carried = carried_records(*prior, plan, "fy2024.json");
//   auto inputs = InputFile::parse_with_carried(sm, "fy2025.toml", toml_text, *carried);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/run/inputs.hpp"

namespace hoshu::eval {

/// For each `carry PATH` of `plan`, the records the result carries at PATH, as TOML (an
/// array of tables under PATH, one commented with its position per record). `shown` names
/// the result in messages and in the name of the carried records' file ("fy2024.json,
/// carry.ledger"). Errors (unlocated, naming the result): it carries no records at a path
/// the plan carries; a record that is not an object; a field that is null, an array or an
/// object.
Result<std::vector<InputFile::Carried>> carried_records(const RecordedResult& prior, const Plan& plan,
                                                        const std::string& shown);

/// One carried record (an object of `carry` section PATH) as carried_records() writes it: a
/// `[[PATH]]` table of its fields. None when it is not an object or a field is not a value.
std::optional<std::string> record_toml(std::string_view path, const JsonValue& record);

/// The records an evaluation carries (Outcome::carried, evaluated with EvalOptions::carry),
/// as the same TOML, without a result file between: `test … carry from "fy2025.toml"`.
std::vector<InputFile::Carried> carried_records(const Outcome& outcome, const std::string& shown);

}  // namespace hoshu::eval
