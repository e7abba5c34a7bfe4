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
#include <string_view>
#include <vector>

#include "dsl/base/source.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/numbers/rational.hpp"
#include "evaluator/numbers/types.hpp"

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
    sum, count, min_over, max_over, mean_over,   // over directors (aux 0), grants (aux 1) or others[aux - 2]: value a, filter b (or none)
    product_over,   // as sum: the product of the ratios a (1 over no record)
    rank_over, percentile_over,   // c among the values a over aux (as above), filter b; the rule in Node::rule
    year_before,   // the label a with its trailing number decreased by one ("FY2024" → "FY2023")
    last_date,     // series[aux]: the date of the latest entry strictly before date a
    product,       // series[aux]: product of the entries dated after a, up to and including b
    present,       // whether optional input slots[aux] is in the inputs
    months_inclusive,   // months from a's month to b's month, both counted
    within,        // a, checked to lie in [b, c] (either may be none: open); aux: Plan::value_ranges[aux]
    date_calc,     // date arithmetic on a (and b): aux is a DateOp
    series_window, // series[aux] in a window ending at date a (from date b; c entries): op is a WindowOp
};

/// What a series_window node computes; `to_inclusive`: the window ends on date a (`up to`,
/// `on`) rather than before it; `from_inclusive`: it starts on date b (`from`) rather than after.
enum class WindowOp : std::uint8_t {
    last,        // the latest entry in the window
    last_date,   // its date
    on,          // the entry dated a
    mean,        // the mean of the last c entries
    sum,         // the sum of the entries dated from or after b, before or up to a
};

/// What a date_calc node computes.
enum class DateOp : std::uint8_t {
    plus_days, minus_days,       // date a ± b days
    plus_months, minus_months,   // date a ± b months, clamped to the month's end
    days_between,                // whole days from a to b
    months_between,              // whole months from a to b: the largest n with a + n months ≤ b
    month_end,                   // the last day of a's month
};

struct Node {
    NodeKind kind = NodeKind::constant;
    RoundingMode mode = RoundingMode::down;
    WindowOp window = WindowOp::last;              // series_window
    bool from_inclusive = false, to_inclusive = false;   // series_window
    std::uint32_t a = none, b = none, c = none;
    std::uint32_t aux = 0;
    /// rank_over: bit 0 set for `ties worst`, bit 1 for `lowest first`;
    /// percentile_over: 0 `ties lower`, 1 `ties not lower`, 2 `ties half`.
    std::uint8_t rule = 0;
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
/// Where a definition is evaluated: once for the plan, once per director, or once per
/// grant of the ledger (a grant belongs to a director). A scope may use its own and the
/// enclosing scopes' definitions; the inner ones only through aggregates.
///
/// Beyond these, each further top-level collection of the plan (`collection peers: peer at
/// peers key name`, beside the directors) is a scope of its own, `other_scope(k)` for
/// Plan::others[k]: its records' definitions see the plan-wide ones and their own.
enum class Scope : std::uint8_t { plan, director, grant };
inline constexpr Scope other_scope(std::size_t k) { return static_cast<Scope>(3 + k); }
inline constexpr bool is_other(Scope s) { return static_cast<std::uint8_t>(s) >= 3; }
inline constexpr std::size_t other_index(Scope s) { return static_cast<std::size_t>(s) - 3; }

/// One step of an input path: a key as written, or a key computed from a text slot.
struct PathStep {
    std::string key;
    std::uint32_t slot = none;
    std::optional<std::int64_t> index;   // [0], [-1]: an array element (negative: from the end)
    dsl::SourceRange range;
};

struct InputSpec {
    bool absolute = false;             // `/years…`: from the root even inside a scope
    bool optional = false;             // may be absent: present(x) tells
    std::vector<PathStep> path;
    std::string path_text;
    std::optional<Value> low, high;    // declared valid range, both ends included (constant ends)
    std::uint32_t low_node = none, high_node = none;   // ends that are not constants: computed per record
    std::string range_text;            // as written, for messages
    bool range_named = false;          // a constant end written as a name (a param): messages give its value
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
    std::uint32_t checked = none;         // value, output with a `range`: a `within` node over root
    std::vector<ParamVersion> versions;   // param
    InputSpec input;                      // input
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
    dsl::SourceRange decl_range;
    std::string formula;                  // the formula as written (for explain)
};

/// `info title: text at title`: a key of the inputs the plan documents for the people who
/// read them (a director's title) and never computes with. Always optional; a value that is
/// there is checked against the type and range like an input's.
struct Info {
    std::string name;
    Scope scope = Scope::plan;
    Type type;
    InputSpec input;
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
};

/// The declared range of a value or output (`range 0 shares to granted_shares`).
struct ValueRange {
    std::uint32_t slot = none;
    std::string text;                      // as written, for messages
    std::uint32_t low = none, high = none; // its ends as declared (the `within` node drops those proven)
    bool named = false;                    // a constant end written as a name (a param)
};

struct TableRow {
    /// A keyed table's row: the member index of the parameter's choice type, or (a text
    /// parameter) the text in `key_text`; none for a row of bounds on a number.
    std::optional<std::int64_t> key;
    std::string key_text;
    std::optional<Rational> low, high;   // absent: unbounded
    bool low_inclusive = false, high_inclusive = false;
    bool low_percent = false, high_percent = false;   // the bound written as a percent: `from 5%`
    bool linear = false;
    Rational value, value_to;
    Rational slope;                      // linear: (value_to - value) / (high - low)
    dsl::SourceRange range;
    std::string text;                    // the row as written
};

struct Table {
    std::string name;
    bool monotone = false;   // declared `monotone`: the checker lints decreases and jumps
    std::string parameter;
    Type parameter_type, result_type;
    std::vector<TableRow> rows;
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
    /// Keyed by a choice type or a text (`table base_points(p: position) -> points`), not
    /// by ranges of a number.
    bool keyed() const { return parameter_type.kind == Kind::choice || parameter_type.kind == Kind::text; }
};

/// The row of `t` that covers x (the first, in the order written), or nullptr. Inline: the
/// evaluator's table instruction calls it on every run.
inline const TableRow* find_row(const Table& t, const Rational& x) {
    for (const auto& row : t.rows) {
        if (row.low && (x < *row.low || (x == *row.low && !row.low_inclusive))) continue;
        if (row.high && (x > *row.high || (x == *row.high && !row.high_inclusive))) continue;
        return &row;
    }
    return nullptr;
}

/// A keyed table's row for key x (a choice member's index, or a text), or nullptr.
inline const TableRow* find_key_row(const Table& t, std::int64_t member, std::string_view text) {
    const bool by_text = t.parameter_type.kind == Kind::text;
    for (const auto& row : t.rows) {
        if (by_text ? row.key_text == text : row.key == member) return &row;
    }
    return nullptr;
}

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

struct Allocation {
    std::vector<std::uint32_t> outputs;   // per-director output slots scaled by one factor
    RoundingMode mode = RoundingMode::down;
    Rational unit;
};

struct Limit {
    std::string name;
    std::uint32_t value = none;   // plan-scope node
    std::uint32_t bound = none;
    bool strict = false;          // `<` rather than `<=`
    Type type;
    std::optional<Allocation> allocation;   // pro rata scaling; absent: a breach is a violation
    std::vector<Citation> sources;
    std::vector<std::string> notes;
    dsl::SourceRange name_range;
};

struct Requirement {
    std::string name;
    Scope scope = Scope::plan;
    std::uint32_t condition = none;
    std::string message;                 // may name definitions in braces: "{rs1_share} is not 14%"
    std::vector<std::pair<std::string, std::uint32_t>> message_slots;
    std::vector<Citation> sources;
    dsl::SourceRange name_range;
};

/// One `expect` line of a test.
struct Expectation {
    bool violation = false;
    std::string name;
    std::optional<std::string> record;   // the director (or item) id
    std::uint32_t slot = none;           // for a value
    Value expected;
    Type type;
    dsl::SourceRange range;
};

/// `test "title" inputs "file.toml"` with its expectations.
struct PlanTest {
    std::string title;
    std::string inputs;   // path of the TOML inputs (resolved against the rule file's folder)
    dsl::SourceRange inputs_range;   // the path as written
    /// `carry from "earlier.toml"`: evaluate the plan on these inputs first and read the
    /// records its `carry` declarations write as this test's carried records (empty: none).
    std::string carry_from;
    dsl::SourceRange carry_from_range;
    std::vector<Expectation> expectations;
    std::vector<Citation> sources;
    dsl::SourceRange range;
};

/// One field of a carried record: `restricted = restricted_shares - grant_clawback`.
struct CarryField {
    std::string name;                 // the key of the record in the inputs
    std::uint32_t node = none;        // evaluated in the clause's scope; none: the record's director id
    Type type;
    dsl::SourceRange range;
};

/// `for each grant [where C]: field = e, …`: one record per record of the scope passing C.
struct CarryClause {
    Scope scope = Scope::director;
    std::uint32_t where = none;       // a boolean node, or none: every record
    std::vector<CarryField> fields;
    dsl::SourceRange range;
};

/// `carry ledger …`: what a year's result hands to the next year's evaluation, read there
/// as the records at `path` of its inputs (`hoshu eval … --carry LAST_YEAR.json`).
struct Carry {
    std::string path;                 // a record path the plan reads: "ledger"
    std::vector<CarryClause> clauses;
    std::vector<Citation> sources;
    dsl::SourceRange range;
};

/// The plan-wide definitions the exports (`hoshu eval --format csv|xlsx`, the grant
/// register) read by name, when the plan has them: the grant date and the grant-time price.
inline constexpr std::string_view grant_date_name = "grant_date";
inline constexpr std::string_view grant_price_name = "grant_price";

struct DirectorsSpec {
    bool declared = false;
    std::string noun = "director";   // what a record is called: its collection's singular
    std::string plural = "directors";   // the collection's name
    InputSpec input;
    std::string id_key;
    /// A collection belonging to another whose key is the field naming the parent (`key
    /// director`): at most one record per parent record.
    bool one_per_parent = false;
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
    std::vector<Info> infos;
    std::vector<ValueRange> value_ranges;   // the `within` nodes' ranges
    std::vector<Table> tables;
    std::vector<Series> series;
    std::vector<ChoiceType> choices;
    std::vector<UnitDef> units = builtin_unit_defs();   // the built-in units, then the plan's
    std::vector<Limit> limits;
    std::vector<Requirement> requirements;
    DirectorsSpec directors;
    DirectorsSpec grants;                  // the collection belonging to it: `collection grants: grant at ledger`
    /// The further top-level collections (`collection peers: peer at peers key name`): their
    /// records are evaluated in scope other_scope(k), read by plan-wide aggregates, and
    /// their outputs (other_outputs[k]) reported per record.
    std::vector<DirectorsSpec> others;
    std::vector<std::vector<std::uint32_t>> other_outputs;
    std::uint32_t as_of_slot = none;       // `plan … as of grant_date`
    /// `plan … inputs shared with "../iij"`: the plan whose inputs this one reads too; a
    /// key that plan reads is in its place in this plan's inputs.
    std::shared_ptr<const Plan> shared_inputs;
    std::vector<PlanTest> tests;
    std::vector<Carry> carries;           // at most one per path

    std::vector<std::uint32_t> director_outputs;   // slot indices, in declaration order
    std::vector<std::uint32_t> plan_outputs;
    /// `plan … grants a, b`: the outputs the register records as grants, as listed (each a
    /// director's output counting a unit granted); empty when the plan does not say.
    std::vector<std::uint32_t> grant_outputs;

    std::optional<std::uint32_t> find_slot(std::string_view name) const;
    /// The `carry` declaration that writes the records at `path`, if one does.
    const Carry* carry_of(std::string_view path) const;
    /// Once every slot is added (the checker's last step): find_slot() searches the slots
    /// sorted by name instead of scanning them (a plan of 100,000 definitions looked up
    /// one by one in `hoshu doc` was quadratic). Slots added later are found by the scan.
    void index_slots();
    std::vector<std::uint32_t> slots_by_name;   // index_slots(): slot indices, by name
    std::string type_name(const Type& t) const;
    /// What `hoshu inputs` writes for a value of type `t` to be filled in: "<JPY>",
    /// "<YYYY-MM-DD>", "<true or false>", "<text>", a choice's members "<a | b>". An
    /// evaluation refuses an input value that is still one (or a record's key "<id>").
    std::string placeholder(const Type& t) const;
    /// The unit written after `amount` of type `t` (the plan's units; singular for one).
    std::string amount_unit(const Type& t, const Rational& amount) const { return eval::amount_unit(t, units, amount); }
};

}  // namespace hoshu::eval
