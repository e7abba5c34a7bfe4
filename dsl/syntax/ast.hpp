// The syntax tree of a rule file, as the parser builds it. Internal to the front end
// and the checker: the evaluator never sees it (it runs the checked IR).
//
// Every node that can be the subject of a diagnostic derives from Located and carries
// the byte range it was parsed from; line and column are computed only for display.
#pragma once

#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hoshu::dsl::ast {

namespace x3 = boost::spirit::x3;

struct Located {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
};

struct Nil {};

struct Name : Located {
    std::string text;
    Name() = default;
    Name(std::string s) : text(std::move(s)) {}   // NOLINT: the parser assigns strings
};

struct StringLit : Located {
    std::string value;
    StringLit() = default;
    StringLit(std::string s) : value(std::move(s)) {}   // NOLINT
};

struct DateLit : Located {
    std::string text;   // YYYY-MM-DD
    DateLit() = default;
    DateLit(std::string s) : text(std::move(s)) {}   // NOLINT
};

struct BoolLit : Located {
    bool value = false;
    BoolLit() = default;
    BoolLit(bool b) : value(b) {}   // NOLINT
};

/// A number with its unit as written: `¥16,000,000` is {"¥", "16,000,000", ""},
/// `85%` is {"", "85", "%"}, `2,850 JPY/share` is {"", "2,850", "JPY/share"}, `$0.01 per
/// share` is {"$", "0.01", " per share"}, `0.5` is {"", "0.5", ""}. A unit word is any name
/// right after the numeral on the same line; the checker knows which units exist.
struct NumberLit : Located {
    std::string prefix;   // a currency sign ("¥", "$", "€", "£") or ""
    std::string digits;
    std::string unit;
};

/// A dotted path into the TOML inputs, as written: `years[fiscal_year].revenue`.
struct InputPath : Located {
    std::string text;
    InputPath() = default;
    InputPath(std::string s) : text(std::move(s)) {}   // NOLINT
};

struct Expression;
struct Unary;
struct Call;
struct IfExpr;
struct RoundExpr;
struct LastBefore;
struct Aggregate;
struct SeriesProduct;
struct SeriesWindow;

struct Operand : x3::variant<Nil, NumberLit, DateLit, StringLit, BoolLit, Name, x3::forward_ast<Unary>,
                             x3::forward_ast<Call>, x3::forward_ast<IfExpr>, x3::forward_ast<RoundExpr>,
                             x3::forward_ast<LastBefore>, x3::forward_ast<Aggregate>, x3::forward_ast<SeriesProduct>,
                             x3::forward_ast<SeriesWindow>, x3::forward_ast<Expression>> {
    using base_type::base_type;
    using base_type::operator=;
};

/// One step of a binary chain: `* rate`, `is executive` (the operand is then a Name).
struct Operation : Located {
    std::string op;
    Operand operand;
};

/// A chain of operators of one precedence level: first (op operand)*.
struct Expression : Located {
    Operand first;
    std::vector<Operation> rest;
};

struct Unary : Located {
    std::string op;   // "-" or "not"
    Operand operand;
};

struct Call : Located {
    Name callee;
    std::vector<Expression> args;
};

struct IfExpr : Located {
    Expression condition;
    Expression then_branch;
    Expression else_branch;
};

/// `round down(x, 1 share)`; mode is "down", "up", "half up" or "half even".
struct RoundExpr : Located {
    std::string mode;
    Expression value;
    Expression unit;
};

/// `last share_price before period_start`: the latest entry strictly before a date (C10);
/// `last close up to d`: on or before it.
struct LastBefore : Located {
    bool want_date = false;   // `date of last …`: the entry's date rather than its value
    Name series;
    std::string bound;        // "before" or "up to"
    Operand date;
};

/// A window of a series: `close on d` (the entry dated d), `mean of last 20 close before d`
/// (or `up to d`), `sum of dividend from d1 up to d2` (`after`/`from`, `before`/`up to`).
struct SeriesWindow : Located {
    std::string function;              // "on", "mean" or "sum"
    boost::optional<Operand> count;    // mean: how many entries
    Name series;
    std::string from_kind;             // sum: "after" or "from"; otherwise empty
    boost::optional<Operand> from;
    std::string to_kind;               // "on", "before" or "up to"
    Operand to;
};

/// `product of split_ratio after d1 up to d2`: the product of a series' entries dated in (d1, d2].
struct SeriesProduct : Located {
    Name series;
    Operand after;
    Operand up_to;
};

/// `sum of X over directors [where C]`, `count of grants [where C]`: over a collection the
/// plan declares (its plural). `rank of V among X over C [where F], highest first, ties worst`
/// and `percentile of V among X over C [where F], ties not lower` place V among the X.
struct Aggregate : Located {
    std::string function;               // "sum", "count", "min", "max", "mean", "rank", "percentile"
    boost::optional<Expression> value;  // absent for count; V for rank and percentile
    boost::optional<Expression> among;  // rank and percentile: X, computed per record
    Name over;                          // the collection's plural: "directors", "grants", "peers"
    boost::optional<Expression> where;
    std::string order;                  // rank: "highest first" or "lowest first"
    std::string ties;                   // rank: "best", "worst"; percentile: "lower", "not lower", "half"
};

/// `source C8 "…"`, `note "…"`, `message "…"` lines under a declaration.
struct Annotation : Located {
    std::string keyword;
    boost::optional<Name> clause;
    boost::optional<StringLit> text;
};
using Annotations = std::vector<Annotation>;

/// `JPY`, `shares`, `JPY per share`, `JPY/share`, `ratio`, `date`, `role`, …
struct TypeRef : Located {
    Name base;
    boost::optional<Name> per;
};

/// `plan "title" [effective DATE] [as of NAME] [inputs shared with "PLAN"] [outputs a, b, c]
/// [grants d, e]`: the outputs list orders the report; the grants list names the outputs the
/// register records as grants.
struct PlanDecl : Located {
    StringLit title;
    boost::optional<DateLit> effective;
    boost::optional<Name> as_of;      // `as of grant_date`: the date that picks dated params
    boost::optional<StringLit> shared_inputs;   // `inputs shared with "../iij"`: that plan's keys are known
    std::vector<Name> outputs;
    std::vector<Name> grants;
    Annotations annotations;
};

struct ImportDecl : Located {
    StringLit path;
    Annotations annotations;
};

/// `per director` opens a block of declarations evaluated once per record of the collection
/// whose singular is named; `end` closes it.
struct ScopeDecl : Located {
    std::string keyword;   // "per" or "end"
    Name record;           // `per director`: the collection's singular; empty for `end`
    Annotations annotations;
};

/// `unit USD currency "$" minor 0.01`, `unit point plural points whole`.
struct UnitDecl : Located {
    Name name;
    boost::optional<StringLit> symbol;    // `currency "$"`
    boost::optional<std::string> minor;   // `minor 0.01`: the numeral as written
    boost::optional<Name> plural;         // `plural points`
    bool whole = false;
    Annotations annotations;
};

struct TypeDecl : Located {
    Name name;
    std::vector<Name> members;
    Annotations annotations;
};

struct ParamValue : Located {
    Expression value;
    boost::optional<DateLit> from;
};

struct ParamDecl : Located {
    Name name;
    TypeRef type;
    std::vector<ParamValue> values;
    Annotations annotations;
};

/// The values an input or a definition may take, both ends included: `range ¥0 to
/// ¥1,000,000,000`, or one end only: `range from 0 shares`, `range up to granted_shares`.
struct RangeSpec : Located {
    boost::optional<Expression> low;
    boost::optional<Expression> high;
};

/// `input x: T at PATH …`, and `info x: T at PATH …`: a key the plan documents for the
/// people who read the inputs (a director's title) but does not compute with.
struct InputDecl : Located {
    std::string keyword;              // "input" or "info"
    Name name;
    TypeRef type;
    InputPath path;
    boost::optional<RangeSpec> range;
    bool optional = false;            // `optional`: may be absent; test with present(x)
    boost::optional<Expression> default_value;
    Annotations annotations;
};

struct SeriesDecl : Located {
    Name name;
    TypeRef type;
    InputPath path;
    Name date_key;
    Name value_key;
    Annotations annotations;
};

/// `belongs to director by director`: each record names its parent record by a field.
struct CollectionParent : Located {
    Name singular;   // the parent collection's singular
    Name field;      // the field of this record that holds the parent's key
};

/// `collection directors: director at directors key id` and
/// `collection grants: grant at ledger` + `belongs to director by director`.
struct CollectionDecl : Located {
    Name plural;
    Name singular;
    InputPath path;
    std::vector<Name> keys;                      // the fields that name a record; none: by position
    boost::optional<CollectionParent> parent;
    Annotations annotations;
};

/// `value x: T = e [range LOW to HIGH]` and `output x: T = e …`.
struct ValueDecl : Located {
    std::string keyword;
    Name name;
    TypeRef type;
    Expression value;
    boost::optional<RangeSpec> range;   // checked whenever the value is computed
    Annotations annotations;
};

/// One bound of a table row: kind is "from" (≥), "above" (>), "to" (≤), "to below" (<),
/// "below" (<, no lower bound), "up to" (≤, no lower bound).
struct Bound : Located {
    std::string kind;
    Expression value;
};

/// A row of a table: bounds on a number (`from 80% to 100%`), or the key it stands for
/// (`会長`, a member of the parameter's choice type; `"Tokyo"`, a text).
struct TableRow : Located {
    std::vector<Bound> bounds;
    boost::optional<std::string> key;   // as written: a name, or a text in quotes with its quotes
    bool linear = false;
    Expression value;
    boost::optional<Expression> value_to;
};

struct TableDecl : Located {
    Name name;
    Name parameter;
    TypeRef parameter_type;
    TypeRef result_type;
    bool monotone = false;   // `monotone`: the lint checks the rows never decrease nor jump
    std::vector<TableRow> rows;
    Annotations annotations;
};

/// `allocate pro rata a, b, c round down to 1 share`
struct Allocation : Located {
    std::vector<Name> outputs;
    std::string mode;
    Expression unit;
};

struct LimitDecl : Located {
    Name name;
    Expression condition;
    boost::optional<Allocation> allocation;
    Annotations annotations;
};

struct RequireDecl : Located {
    Name name;
    Expression condition;
    Annotations annotations;
};

/// `expect annual_rs_shares for D03 = 4,709 shares` or `expect violation rs1_agrees [for D03]`.
struct Expectation : Located {
    bool violation = false;
    Name name;
    boost::optional<std::string> record;
    boost::optional<Expression> expected;
};

/// `test "worked example" inputs "tests/worked.toml" [carry from "earlier.toml"]` and its
/// expectations: with `carry from`, the plan is first evaluated on the earlier inputs and
/// the records its `carry` declaration writes are read as these inputs' carried records.
struct TestDecl : Located {
    StringLit title;
    StringLit inputs;
    boost::optional<StringLit> carry_from;
    std::vector<Expectation> expectations;
    Annotations annotations;
};

/// One field of a carried record: `restricted = restricted_shares - grant_clawback`. The
/// field is a key of the records at the carried path (any word, as in the inputs).
struct CarryField : Located {
    Name field;
    Expression value;
};

/// `for each grant where restricted_shares > 0 shares: year = grant_year, …`: one record
/// per record of the scope that passes the condition.
struct CarryClause : Located {
    std::string record;                   // "director", "item" or "grant"
    boost::optional<Expression> where;
    std::vector<CarryField> fields;
};

/// `carry ledger` and its clauses: what a year's result hands to the next year's evaluation
/// as the records at that path of its inputs (`hoshu eval … --carry LAST_YEAR.json`).
struct CarryDecl : Located {
    InputPath path;
    std::vector<CarryClause> clauses;
    Annotations annotations;
};

struct Declaration : x3::variant<PlanDecl, ImportDecl, ScopeDecl, UnitDecl, TypeDecl, ParamDecl, InputDecl, SeriesDecl,
                                 CollectionDecl, ValueDecl, TableDecl, LimitDecl, RequireDecl, TestDecl, CarryDecl> {
    using base_type::base_type;
    using base_type::operator=;
};

/// A parsed rule file: its declarations in order, with their byte ranges.
struct File {
    std::vector<Declaration> declarations;
    /// The names of declarations the parser cut short at a syntax error (`value divs: …`
    /// that failed to parse): already reported, so their uses are no error of their own.
    std::vector<std::string> cut_short;
};

}  // namespace hoshu::dsl::ast
