// The checker's class, private to check/ (check.hpp is its public face). Its members are
// defined in the file of their concern:
//
//   checker.cpp       the phases in their order (run), collecting declarations by scope,
//                     the output order, cycles, the plan-wide checks at the end
//   names.cpp         declaring names, types and annotations; the definitions' slots; input paths
//   lower.cpp         expressions: AST → IR with types and units checked, constants folded
//   builtins.cpp      calls: the built-in functions and the plan's tables
//   declarations.cpp  the bodies of params, inputs, infos, values, limits, requirements, tests
//   tables.cpp        table rows, their overlaps and gaps
//   ranges.cpp        what is known of a number before anything runs; range checks that cannot fail
//   lints.cpp         warnings: weights, monotone tables, unused definitions, inputs without a range
//   carry.cpp         `carry PATH`: the records a result hands to the next year, checked against their reader
//   load.cpp          a plan folder and its imports; a plan whose inputs this one shares
//
//   Checker checker(sm, diags, options);
//   std::optional<Plan> plan = checker.run(files);   // diagnostics in diags
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"
#include "dsl/syntax/ast.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

namespace ast = dsl::ast;
namespace x3 = boost::spirit::x3;
using dsl::SourceRange;

inline const char* scope_word(Scope s) {
    return s == Scope::plan ? "plan-wide" : s == Scope::director ? "per-director" : s == Scope::grant ? "per-grant" : "per-record";
}

/// builtins.cpp: whether `name` is a built-in function (`max`, `present`, …), and their
/// names ("min, max, …").
bool is_builtin_function(std::string_view name);
std::string builtin_function_names();

class Checker {
public:
    Checker(dsl::SourceManager& sm, dsl::Diagnostics& diags, CheckOptions options)
        : sm_(sm), diags_(diags), options_(options) {}

    /// checker.cpp: every phase, in an order that the diagnostics follow.
    std::optional<Plan> run(const std::vector<dsl::FileId>& files);

private:
    enum class SymbolKind { slot, table, series, choice, info };
    struct Symbol {
        SymbolKind kind;
        std::uint32_t index;
        SourceRange range;
    };
    struct Ctx {
        dsl::FileId file = 0;
        Scope scope = Scope::plan;
        std::uint32_t slot = none;    // the slot whose formula this is (for dependencies)
        bool in_aggregate = false;    // inside `sum of … over directors`
        /// The declared type of the whole expression when it is one number (`expect
        /// granted = 348,181`, set by wanting()): the unit a grouped number is written with.
        const Type* want = nullptr;
        /// The requirement whose condition this is: a hint may rewrite it whole.
        const ast::RequireDecl* require = nullptr;
    };
    // A declaration with the file and scope it was found in.
    struct Entry {
        dsl::FileId file;
        Scope scope;
        const ast::Declaration* decl;
    };

    /// How a formula of scope `c` reads `name`, a `target` value of each record of `spec`
    /// it cannot read directly: a hint whose form checks for the value's type (`sum of` a
    /// number; `count of … where …` a choice, boolean, text or date; a requirement moved
    /// into the records' `per` block).
    std::string per_record_hint(const std::string& name, const Slot& target, const DirectorsSpec& spec, const Ctx& c) const;
    SourceRange rng(dsl::FileId f, const ast::Located& l) const { return SourceRange::in(f, l.begin, l.end); }
    /// Why a date literal of the rules names no day, as every date is said to
    /// ("2029-02-29 does not exist: 2029 is not a leap year (February has 28 days)").
    static std::string no_such_date(std::string_view text) {
        std::string why = Date::why_no_such_day(text);
        return why.empty() ? fmt::format("`{}` is not a calendar date", text) : why;
    }
    std::string text_of(dsl::FileId f, const ast::Located& l) const {
        return sm_.file(f).text().substr(l.begin, l.end - l.begin);
    }
    /// Whether a single `=` follows `r` on its line: a declaration the parser cut short
    /// there, having said what was meant (`==`, `<=`).
    bool cut_at_single_eq(SourceRange r) const {
        const std::string_view text = sm_.file(r.file).text();
        std::size_t after = r.end;
        while (after < text.size() && (text[after] == ' ' || text[after] == '\t')) ++after;
        return after < text.size() && text[after] == '=' && (after + 1 >= text.size() || text[after + 1] != '=');
    }
    std::uint32_t add_node(Node n) {
        plan_.nodes.push_back(std::move(n));
        return static_cast<std::uint32_t>(plan_.nodes.size() - 1);
    }
    std::uint32_t constant(Value v, Type t, SourceRange r) {
        plan_.constants.push_back(std::move(v));
        Node n;
        n.kind = NodeKind::constant;
        n.aux = static_cast<std::uint32_t>(plan_.constants.size() - 1);
        n.type = t;
        n.range = r;
        return add_node(n);
    }
    const Type& type_of(std::uint32_t n) const { return plan_.nodes[n].type; }
    SourceRange range_of(std::uint32_t n) const { return plan_.nodes[n].range; }
    std::string tname(const Type& t) const { return plan_.type_name(t); }
    std::string unit_mismatch_hint(const Type& a, const Type& b) const;

    // checker.cpp
    struct CollectVisitor;
    struct BodiesVisitor;
    void collect(const std::vector<dsl::FileId>& files);
    void order_outputs();
    void declare_grants();
    void check_cycles();
    /// A plan-wide input or info whose path runs into a list of records (a collection's, a
    /// series'): it could never be given.
    void check_paths_into_lists();

    // names.cpp
    bool declare(const std::string& name, SymbolKind kind, std::uint32_t index, SourceRange range);
    std::optional<Type> resolve_type(dsl::FileId f, const ast::TypeRef& t);
    void annotations(dsl::FileId f, const ast::Annotations& as, std::vector<Citation>* sources,
                     std::vector<std::string>* notes, std::string* message, const char* what);
    InputSpec input_path(dsl::FileId f, const ast::InputPath& p, Scope scope, std::uint32_t slot);
    /// Every name the declarations define (types first), with what is known before formulas.
    void define_slots();
    void define_unit(const Entry& e, const ast::UnitDecl& u);
    struct DefineVisitor;
    void add_slot(const Entry& e, const ast::Name& name, SlotKind kind, const ast::TypeRef& type,
                  const ast::Located& whole, const ast::Annotations& as);
    void define(const Entry& e, const ast::PlanDecl& d);
    void define(const Entry& e, const ast::ParamDecl& d);
    void define(const Entry& e, const ast::InputDecl& d);   // an input, or an info
    void define(const Entry& e, const ast::SeriesDecl& d);
    void define(const Entry& e, const ast::CollectionDecl& d);
    void define(const Entry& e, const ast::ValueDecl& d);
    void define(const Entry& e, const ast::TableDecl& d);

    // lower.cpp
    std::uint32_t compile(const ast::Expression& e, const Ctx& c);
    std::uint32_t compile(const ast::Operand& o, const Ctx& c);
    struct OperandVisitor;
    std::uint32_t compile_number(const ast::NumberLit& n, const Ctx& c);
    /// `c` for compiling `e` where a value of type `want` is expected: `want` when `e` is a
    /// number alone, so that a mistake in it is told in that type's unit.
    static Ctx wanting(const Ctx& c, const ast::Expression& e, const Type& want);
    /// `digits` as a number of type `t` is written in a rule file — `£348,181`, `348,181
    /// shares`, `£12.50 per share`, `15%`, or with `_` grouping the digits of a ratio or a
    /// count (`348_181`); empty when `t` is not written with a number.
    std::string written_as(const std::string& digits, const Type& t) const;
    std::uint32_t compile_date(const ast::DateLit& d, const Ctx& c);
    std::uint32_t compile_text(const ast::StringLit& s, const Ctx& c);
    std::uint32_t compile_bool(const ast::BoolLit& b, const Ctx& c);
    std::uint32_t compile_name(const ast::Name& n, const Ctx& c);
    std::uint32_t compile_unary(const ast::Unary& u, const Ctx& c);
    std::uint32_t compile_if(const ast::IfExpr& x, const Ctx& c);
    std::uint32_t compile_round(const ast::RoundExpr& x, const Ctx& c);
    std::uint32_t compile_last(const ast::LastBefore& x, const Ctx& c);
    std::uint32_t compile_product(const ast::SeriesProduct& x, const Ctx& c);
    std::uint32_t compile_window(const ast::SeriesWindow& x, const Ctx& c);
    std::uint32_t compile_aggregate(const ast::Aggregate& x, const Ctx& c);
    std::uint32_t compile_binary(const std::string& op, std::uint32_t l, std::uint32_t r, SourceRange where);
    std::uint32_t expect_type(std::uint32_t n, const Type& want, const std::string& what);
    bool adapt_zero(std::uint32_t& a, std::uint32_t& b);
    std::optional<Value> fold(std::uint32_t n, int depth = 0) const;
    /// The constant `e` as a value of type `want`. A bare number where a percent is wanted
    /// is warned of past 10 (warn_bare_percent); with `bare`, it is set there instead (and
    /// the caller decides). With `percent`, whether `e` is written as a percent (`5%`).
    struct BareNumber {
        Rational value;
        SourceRange where;
    };
    std::optional<Value> constant_of(const ast::Expression& e, const Ctx& c, const Type& want, const char* what,
                                     std::optional<BareNumber>* bare = nullptr, bool* percent = nullptr);

    // builtins.cpp
    std::uint32_t compile_call(const ast::Call& call, const Ctx& c);

    // declarations.cpp
    void compile_slot(const Entry& e);
    void compile_info(const Entry& e, const ast::InputDecl& d, Info& info);
    /// A declared range's ends, compiled in `c` as values of type `t`; each end is either a
    /// constant (folded) or a node evaluated when the range is checked.
    struct RangeEnds {
        std::optional<Value> low, high;
        std::uint32_t low_node = none, high_node = none;
        bool ok = true;
        bool named = false;   // an end written as a name (a param) whose value is constant
    };
    RangeEnds compile_range(const ast::RangeSpec& r, const Ctx& c, const Type& t, bool constant_only);
    void compile_series(const Entry& e, const ast::SeriesDecl& s);
    void compile_collection(const Entry& e, const ast::CollectionDecl& d);
    void compile_limit(const Entry& e, const ast::LimitDecl& l);
    void compile_require(const Entry& e, const ast::RequireDecl& r);
    void compile_test(const Entry& e, const ast::TestDecl& t);

    // carry.cpp
    void compile_carry(const Entry& e, const ast::CarryDecl& d);
    /// A choice member written bare where a value of that choice is expected (`default
    /// good`): its constant; `none` (an error given) for a word that is no member; nullopt
    /// when `want` is no choice or `e` is not a bare word the plan leaves undeclared.
    std::optional<std::uint32_t> choice_member(const ast::Expression& e, dsl::FileId file, const Type& want);
    /// `e` compiled where a value of type `want` is expected (a param's value, an input's
    /// default, a formula): a bare choice member is that member, and a bare number where a
    /// percent is meant is warned of past 10 (`role`: "the value", "the default").
    std::uint32_t compile_expected(const ast::Expression& e, const Ctx& c, const Type& want, const std::string& what,
                                   const char* role);

    // tables.cpp
    void compile_table(const Entry& e, const ast::TableDecl& t);
    void compile_keyed_table(const Entry& e, const ast::TableDecl& t, Table& table);
    /// `bare_hint`, per row of `table`: when a bound of it is a bare number past 1 on a
    /// percent key among bounds written in percent, the hint to write it in percent, given
    /// for an overlap or a gap it makes instead of the usual one.
    void report_overlaps(const Table& table, const std::vector<const TableRow*>& sorted,
                         const std::vector<std::string>& bare_hint);

    // ranges.cpp
    /// What is known of a number before anything runs: a closed interval, either end
    /// possibly unknown.
    struct Interval {
        std::optional<Rational> lo, hi;
    };
    Interval bounds(std::uint32_t n);
    Interval slot_bounds(std::uint32_t s);
    /// Drop the ends of declared definition ranges that hold whatever the inputs are
    /// (`range from 0 shares` on a rounded product of non-negative numbers, a rate already
    /// clamped to [0%, 100%]): those checks cannot fail, and cost time on every evaluation.
    void drop_proven_range_checks();
    /// Whether node `n` is a whole number whatever the inputs are: whole constants, inputs of
    /// a whole unit, sums, products and roundings to whole units of them.
    bool whole(std::uint32_t n);
    bool whole_slot(std::uint32_t s);
    /// An output in a unit counted whole (`shares`, `unit PSU … whole`, a count) whose
    /// formula can give a part of one: an error, with the rounding to write.
    void check_whole_outputs();
    /// A warning where a formula, or a value it always evaluates (in any scope), reads an
    /// optional input (no default) that nothing it reads tests with present(…); `warned`:
    /// the reads already warned about.
    void lint_optional_reads(std::uint32_t root, std::set<std::uint32_t>& warned);
    /// A warning for a bare number past `past` (10) given where a percent is meant (`below 50`).
    void warn_bare_percent(std::uint32_t n, const Type& want, const char* what, const Rational& past = Rational(10));
    /// The number at node `n` when it is a bare number (a ratio constant) and `want` a percent.
    std::optional<Rational> bare_number_for_percent(std::uint32_t n, const Type& want) const;
    /// "write `5%` if 5 percent is meant".
    static std::string bare_percent_hint(const Rational& x);
    /// An output a limit allocates pro rata that no total of a limit allocating it depends
    /// on: an error at its name.
    void check_allocations();
    struct Allocated {
        std::size_t limit;
        std::uint32_t slot;
        SourceRange where;
    };
    std::vector<Allocated> allocated_;   // each output named by an `allocate`, in order

    // lints.cpp
    void lint();
    /// A `range …` to suggest for an input of type `t`, written in its unit.
    std::string range_example(const Type& t) const;
    bool reads_carried(const Slot& sl, const std::string& path, const std::string& key) const;
    void lint_weights(std::uint32_t node, std::set<std::uint32_t>& seen);
    void lint_table(const Table& t);
    void used_slots(std::uint32_t node, std::vector<bool>& used) const;

    // load.cpp
    void share_inputs(const ast::StringLit& path);

    dsl::SourceManager& sm_;
    dsl::Diagnostics& diags_;
    CheckOptions options_;
    Plan plan_;
    std::map<std::string, Symbol> symbols_;   // values, tables, series
    std::map<std::string, Symbol> types_;     // choice types: a separate namespace
    std::vector<Entry> entries_;
    std::vector<Entry> slot_entries_;   // parallel to plan_.slots
    std::vector<Entry> info_entries_;   // parallel to plan_.infos
    std::vector<std::vector<std::pair<std::uint32_t, SourceRange>>> deps_;
    std::vector<std::shared_ptr<ast::File>> asts_;
    std::vector<SourceRange> declared_units_;   // parallel to plan_.units past the built-in ones
    bool plan_declared_ = false;
    /// The collections the plan declares, found before anything else (a `per` block may
    /// come before its collection's declaration, in another file). The first top-level one
    /// is evaluated in the director scope, one belonging to it in the grant scope.
    struct CollectionEntry {
        const ast::CollectionDecl* decl = nullptr;
        dsl::FileId file = 0;
        std::optional<Scope> scope;   // none: not evaluated (an error has said why)
    };
    std::vector<CollectionEntry> collections_;
    void declare_collections();
    const CollectionEntry* collection_named(const std::string& word, bool plural) const;
    /// "plan-wide", or "per-officer": a scope named by its collection's records.
    std::string scope_word(Scope s) const { return s == Scope::plan ? "plan-wide" : "per-" + scope_noun(s); }
    /// What a record of a per-record scope is called ("officer").
    const std::string& scope_noun(Scope s) const {
        const DirectorsSpec& spec = is_other(s)            ? plan_.others[other_index(s)]
                                    : s == Scope::director ? plan_.directors
                                                           : plan_.grants;
        return spec.noun;
    }
    /// The scope of `per WORD` / `over WORD`, or none after a located error.
    std::optional<Scope> collection_scope(const ast::Name& word, dsl::FileId f, bool plural);
    /// Tables whose parameter type is in error (reported where declared): their rows are not
    /// compiled, each would only repeat it.
    std::set<std::string> tables_in_error_;
    std::set<std::string> refused_units_;   // units past the most a plan declares: reported once
    /// Calls whose argument is not the type the table declares, reported once every table is
    /// compiled: a table whose rows are all in another type (`(g: USD)` over rows in percent)
    /// is one error at its parameter, and is taken as keyed by its rows' type.
    struct TableArgument {
        std::uint32_t table;
        SourceRange range;
        Type given;
    };
    std::vector<TableArgument> table_arguments_;
    void report_table_arguments();
    /// Names of declarations the parser cut short (reported there): a use of one is no error.
    std::set<std::string> cut_short_;
    /// Unknown names given a "did you mean" so far: past a hundred, none is looked for (a
    /// file of thousands would compare each with every name of the plan).
    std::size_t names_suggested_ = 0;
    std::vector<std::uint32_t> constant_nodes_;   // table bounds, ranges, rounding units (for the unused lint)
    const ast::PlanDecl* plan_decl_ = nullptr;
    dsl::FileId plan_decl_file_ = 0;
    std::vector<std::optional<Interval>> slot_bounds_;   // per slot, once known
    std::vector<std::uint8_t> bounding_;                  // per slot: being bounded (cycle guard)
    std::vector<std::uint8_t> scaled_;                    // per slot: scaled pro rata by a limit
    std::vector<std::int8_t> whole_slots_;                // per slot: -1 unknown, 0 no, 1 yes, 2 being proven
};

}  // namespace hoshu::eval
