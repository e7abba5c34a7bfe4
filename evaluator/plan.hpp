// The checked plan: the typed IR that the evaluator runs. It is built only by the
// checker (check.hpp), so everything in it has been resolved and unit-checked.
//
// Expressions are flat arrays of nodes that refer to each other by index; a definition
// (param, input, value, output) is a Slot whose formula is a root node.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "evaluator/date.hpp"
#include "evaluator/rational.hpp"
#include "evaluator/types.hpp"

namespace hoshu::eval {

inline constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

/// A runtime value. What it holds depends on the static type: numbers in `number`; dates
/// (days since 1970-01-01), booleans (0/1), choices (member index) and texts (text id) in `word`.
struct Value {
    Rational number;
    std::int64_t word = 0;
};

enum class NodeKind : std::uint8_t {
    constant,      // constants[aux]
    slot,          // the value of slots[aux]
    add, sub, mul, div, neg,
    lt, le, gt, ge, eq, ne,
    and_, or_, not_,
    if_,           // a ? b : c
    min, max,      // over args
    clamp,         // clamp(a, b, c)
    round,         // round a to a multiple of constants[aux] with `mode`
    table,         // tables[aux](a)
    last_before,   // series[aux]: latest entry strictly before date a
    is,            // a (a choice) is member aux
    sum, count, min_over, max_over,   // over directors: value a (director scope), filter b (or none)
    year_before,   // the label a with its trailing number decreased by one ("FY2024" → "FY2023")
};

struct Node {
    NodeKind kind = NodeKind::constant;
    RoundingMode mode = RoundingMode::down;
    std::uint32_t a = none, b = none, c = none;
    std::uint32_t aux = 0;
    std::uint32_t args_begin = 0, args_count = 0;   // into Plan::args (min, max)
    Type type;
    dsl::SourceRange range;
};

struct Citation {
    std::string clause;   // "C8", "P5", …
    std::string quote;    // the quoted source text, may be empty
    dsl::SourceRange range;
};

enum class SlotKind : std::uint8_t { param, input, value, output };
enum class Scope : std::uint8_t { plan, director };

/// One step of an input path: a key as written, or a key computed from a text slot.
struct PathStep {
    std::string key;
    std::uint32_t slot = none;
    dsl::SourceRange range;
};

struct InputSpec {
    std::vector<PathStep> path;
    std::string path_text;
    std::optional<Value> low, high;    // declared valid range, both ends included
    std::string range_text;            // as written, for messages
    std::uint32_t default_node = none;
};

struct ParamVersion {
    std::optional<Date> from;   // effective from this date (none: from the beginning)
    std::uint32_t node = none;
};

struct Slot {
    std::string name;
    SlotKind kind = SlotKind::value;
    Scope scope = Scope::plan;
    Type type;
    std::uint32_t root = none;            // value, output
    std::vector<ParamVersion> versions;   // param
    InputSpec input;                      // input
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
    dsl::SourceRange decl_range;
    std::string formula;                  // the formula as written (for explain)
};

struct TableRow {
    std::optional<Rational> low, high;   // absent: unbounded
    bool low_inclusive = false, high_inclusive = false;
    bool linear = false;
    Rational value, value_to;
    dsl::SourceRange range;
    std::string text;                    // the row as written
};

struct Table {
    std::string name;
    std::string parameter;
    Type parameter_type, result_type;
    std::vector<TableRow> rows;
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
};

struct Series {
    std::string name;
    Type type;
    InputSpec input;       // where the records are
    std::string date_key, value_key;
    std::vector<Citation> sources;
    dsl::SourceRange name_range;
};

struct ChoiceType {
    std::string name;
    std::vector<std::string> members;
    dsl::SourceRange name_range;
};

struct Limit {
    std::string name;
    std::uint32_t value = none;   // plan-scope node
    std::uint32_t bound = none;
    bool strict = false;          // `<` rather than `<=`
    Type type;
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
};

struct Requirement {
    std::string name;
    Scope scope = Scope::plan;
    std::uint32_t condition = none;
    std::string message;
    std::vector<Citation> sources;
    dsl::SourceRange name_range;
};

struct DirectorsSpec {
    bool declared = false;
    InputSpec input;
    std::string id_key;
    dsl::SourceRange range;
};

struct Plan {
    std::string title;
    std::optional<Date> effective;
    std::vector<Citation> sources;
    std::vector<std::string> files;        // the rule files, sorted (what the seal hashes)
    std::vector<dsl::FileId> file_ids;     // parallel to files

    std::vector<Node> nodes;
    std::vector<std::uint32_t> args;
    std::vector<Value> constants;
    std::vector<std::string> texts;        // text constants; ids >= texts.size() belong to an evaluation

    std::vector<Slot> slots;
    std::vector<Table> tables;
    std::vector<Series> series;
    std::vector<ChoiceType> choices;
    std::vector<Limit> limits;
    std::vector<Requirement> requirements;
    DirectorsSpec directors;

    std::vector<std::uint32_t> director_outputs;   // slot indices, in declaration order
    std::vector<std::uint32_t> plan_outputs;

    std::optional<std::uint32_t> find_slot(std::string_view name) const;
    std::string type_name(const Type& t) const;
};

}  // namespace hoshu::eval
