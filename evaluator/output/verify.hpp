// Verifying a result written by `hoshu eval --format json`: read it exactly (every number
// as written, never through a binary double; a key written twice anywhere is refused),
// then name every way it differs from the result recomputed now — the seal (each rule
// file and its hash, the inputs' hash, the engine, as_of) and every value, exactly.
// `hoshu verify` reads the files and evaluates; these functions only compare, so a fuzzer
// can feed them any bytes.
//
//   auto recorded = read_result(text);             // not JSON, a duplicate key, not an eval result…
//   if (!recorded) { print(recorded.error()); return 2; }
//   auto now = make_seal(plan, sm, plan_dir, inputs, options);
//   std::vector<std::string> diffs = result_differences(*recorded, plan, outcome, *now, year);
//   // diffs: {"directors[\"D03\"].annual_rs_shares: recorded 4847, recomputed 4846"}
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/output/eval_report.hpp"

namespace hoshu::eval {

/// A JSON value as written: a number keeps its text ("4846", "1e16", "4846.0"), a string
/// its decoded value, an object its keys in the order written.
struct JsonValue {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    std::string text;                  // a number's token, a string's value, "true" / "false"
    std::vector<std::string> keys;     // an object's keys, parallel to items
    std::vector<JsonValue> items;      // an array's elements, an object's values

    /// The value under `key` of an object; nullptr when absent or not an object.
    const JsonValue* find(std::string_view key) const;
};

/// Bounds on what read_json_exact() accepts. A result hoshu writes is four levels deep and
/// has about ten values per director: a million values is a hundred thousand directors.
struct JsonLimits {
    std::size_t depth = 64;
    std::size_t values = std::size_t{1} << 20;
};

/// Read JSON exactly. Errors are unlocated and quote nothing of the text (it may be any
/// file): a syntax error (with its line and column), a key written twice in one object at
/// any depth (with where), nesting or a number of values past `limits`.
Result<JsonValue> read_json_exact(std::string_view text, JsonLimits limits = {});

/// A value as compact JSON for a message: numbers as written; strings quoted with control
/// characters escaped (a result may hold anything); cut with "…" past `limit` bytes.
std::string json_text(const JsonValue& v, std::size_t limit = 120);

/// A result of `hoshu eval --format json`, read: its JSON and the seal it records.
struct RecordedResult {
    JsonValue json;
    Seal seal;                   // every field read and type-checked
    std::optional<Date> as_of;   // seal.as_of, when recorded
    /// What changed a carried value after the result was recorded (a grant register's
    /// events, register/carry.hpp), by carry_note_key(list, record index, field).
    std::map<std::string, std::string> carry_notes;
};

inline std::string carry_note_key(std::string_view list, std::size_t index, std::string_view field) {
    return std::string(list) + '\x1f' + std::to_string(index) + '\x1f' + std::string(field);
}

/// Read a result. Errors: not JSON or a key twice (as read_json_exact); JSON that is not a
/// result of `hoshu eval --format json` (a simulate, diff or explain result is named as
/// such); a seal field missing or of the wrong type (hashes must be 64 hexadecimal digits,
/// as_of a date YYYY-MM-DD, relative_to "working directory" or "result").
Result<RecordedResult> read_result(std::string_view text);

/// How the recorded seal differs from `now`: the inputs' hash; the rules' hash, with each
/// rule file added, changed or removed (and one listed twice or out of order); the engine.
/// `now.as_of` is taken to be the recorded one (it is what the evaluation used).
std::vector<std::string> seal_differences(const Seal& recorded, const Seal& now);

/// Every difference between `recorded` and the result hoshu writes now for `outcome`
/// sealed by `now`: seal_differences(), then every key and value (a key the recorded
/// result lacks or has in excess, a value of another type, a number written otherwise than
/// hoshu writes it). Empty when the result verifies.
std::vector<std::string> result_differences(const RecordedResult& recorded, const Plan& plan, const Outcome& outcome,
                                            const Seal& now, std::string_view year);

/// How value_differences() names its two sides: each a format of the value ("recorded {}"),
/// and each whole ("the recorded result").
struct Sides {
    std::string first = "recorded {}", second = "recomputed {}";
    std::string first_result = "the recorded result", second_result = "the recomputed result";
};

/// Every value in which two JSON documents differ, as result_differences() names them
/// (`directors["D04"].clawback_shares: recorded 0, recomputed 1466`), but under the top-level
/// keys of `skip`.
std::vector<std::string> value_differences(const JsonValue& first, const JsonValue& second,
                                           const std::set<std::string_view>& skip = {}, const Sides& sides = {});

}  // namespace hoshu::eval
