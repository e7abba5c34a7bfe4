#include "evaluator/check/check.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "dsl/syntax/ast.hpp"
#include "dsl/base/files.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "dsl/syntax/parse.hpp"

namespace hoshu::eval {

namespace fs = std::filesystem;
namespace ast = dsl::ast;
namespace x3 = boost::spirit::x3;
using dsl::SourceRange;

namespace {

// --------------------------------------------------------------------------------------
// Small helpers

/// Unwrap expression levels that hold a single operand: `((x))` → x.
const ast::Operand& unwrap(const ast::Operand& op) {
    if (auto const* e = boost::get<x3::forward_ast<ast::Expression>>(&op.get())) {
        if (e->get().rest.empty()) return unwrap(e->get().first);
    }
    return op;
}

/// The comparison at the top of an expression, if it is one: `a <= b`.
const ast::Expression* top_comparison(const ast::Expression& e) {
    if (e.rest.size() == 1 && !e.rest[0].op.empty()) {
        const std::string& op = e.rest[0].op;
        if (op == "<=" || op == "<" || op == ">=" || op == ">" || op == "==" || op == "!=") return &e;
    }
    if (e.rest.empty()) {
        if (auto const* inner = boost::get<x3::forward_ast<ast::Expression>>(&e.first.get()))
            return top_comparison(inner->get());
    }
    return nullptr;
}

std::vector<std::string> unit_words(const std::string& text) {
    std::string s;
    for (char c : text) {
        if (c == '/') s += " per ";
        else s += c;
    }
    std::istringstream in(s);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

/// Compare two values of a number or date type.
int compare_values(const Type& t, const Value& a, const Value& b) {
    if (t.kind == Kind::number) return a.number < b.number ? -1 : b.number < a.number ? 1 : 0;
    return a.word < b.word ? -1 : a.word > b.word ? 1 : 0;
}

const char* scope_word(Scope s) {
    return s == Scope::plan ? "plan-wide" : s == Scope::director ? "per-director" : "per-grant";
}

// --------------------------------------------------------------------------------------
// The checker

class Checker {
public:
    Checker(dsl::SourceManager& sm, dsl::Diagnostics& diags, CheckOptions options)
        : sm_(sm), diags_(diags), options_(options) {}

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
    };
    // A declaration with the file and scope it was found in.
    struct Entry {
        dsl::FileId file;
        Scope scope;
        const ast::Declaration* decl;
    };

    SourceRange rng(dsl::FileId f, const ast::Located& l) const { return SourceRange::in(f, l.begin, l.end); }
    std::string text_of(dsl::FileId f, const ast::Located& l) const {
        return sm_.file(f).text().substr(l.begin, l.end - l.begin);
    }

    void collect(const std::vector<dsl::FileId>& files);
    bool declare(const std::string& name, SymbolKind kind, std::uint32_t index, SourceRange range);
    std::optional<Type> resolve_type(dsl::FileId f, const ast::TypeRef& t);
    void annotations(dsl::FileId f, const ast::Annotations& as, std::vector<Citation>* sources,
                     std::vector<std::string>* notes, std::string* message, const char* what);
    InputSpec input_path(dsl::FileId f, const ast::InputPath& p, Scope scope, std::uint32_t slot);

    void define_slots();
    void compile_slot(const Entry& e);
    void compile_info(const Entry& e, const ast::InputDecl& d, Info& info);
    /// A declared range's ends, compiled in `c` as values of type `t`; each end is either a
    /// constant (folded) or a node evaluated when the range is checked.
    struct RangeEnds {
        std::optional<Value> low, high;
        std::uint32_t low_node = none, high_node = none;
        bool ok = true;
    };
    RangeEnds compile_range(const ast::RangeSpec& r, const Ctx& c, const Type& t, bool constant_only);
    void compile_table(const Entry& e, const ast::TableDecl& t);
    void compile_limit(const Entry& e, const ast::LimitDecl& l);
    void compile_require(const Entry& e, const ast::RequireDecl& r);
    void compile_test(const Entry& e, const ast::TestDecl& t);
    void check_cycles();

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

    std::uint32_t compile(const ast::Expression& e, const Ctx& c);
    std::uint32_t compile(const ast::Operand& o, const Ctx& c);
    std::uint32_t compile_number(const ast::NumberLit& n, const Ctx& c);
    std::uint32_t compile_name(const ast::Name& n, const Ctx& c);
    std::uint32_t compile_call(const ast::Call& call, const Ctx& c);
    std::uint32_t compile_binary(const std::string& op, std::uint32_t l, std::uint32_t r, SourceRange where);
    std::uint32_t expect_type(std::uint32_t n, const Type& want, const std::string& what);
    bool adapt_zero(std::uint32_t& a, std::uint32_t& b);
    std::optional<Value> fold(std::uint32_t n, int depth = 0) const;
    std::optional<Value> constant_of(const ast::Expression& e, const Ctx& c, const Type& want, const char* what);

    void lint();
    void lint_weights(std::uint32_t node, std::set<std::uint32_t>& seen);
    void lint_table(const Table& t);
    void used_slots(std::uint32_t node, std::vector<bool>& used) const;

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
    bool plan_declared_ = false;
    bool grants_declared_ = false;
    std::vector<std::pair<std::string, SourceRange>> record_words_;
    std::vector<std::uint32_t> constant_nodes_;   // table bounds, ranges, rounding units (for the unused lint)   // `per director` / `per item` as written
    const ast::PlanDecl* plan_decl_ = nullptr;
    dsl::FileId plan_decl_file_ = 0;

    void order_outputs();
    void report_overlaps(const Table& table, const std::vector<const TableRow*>& sorted);
    void share_inputs(const ast::StringLit& path);

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
    std::vector<std::optional<Interval>> slot_bounds_;   // per slot, once known
    std::vector<std::uint8_t> bounding_;                  // per slot: being bounded (cycle guard)
    std::vector<std::uint8_t> scaled_;                    // per slot: scaled pro rata by a limit
};

Checker::Interval Checker::slot_bounds(std::uint32_t s) {
    if (slot_bounds_[s]) return *slot_bounds_[s];
    if (bounding_[s]) return {};
    bounding_[s] = 1;
    const Slot& sl = plan_.slots[s];
    Interval out;
    if (sl.type.kind == Kind::number) {
        switch (sl.kind) {
            case SlotKind::param:
                if (sl.versions.size() == 1 && !sl.versions[0].from) out = bounds(sl.versions[0].node);
                break;
            case SlotKind::input:
                // Checked on every read, overrides included; a default may lie outside.
                if (sl.input.default_node == none) {
                    if (sl.input.low) out.lo = sl.input.low->number;
                    if (sl.input.high) out.hi = sl.input.high->number;
                }
                break;
            case SlotKind::value:
            case SlotKind::output:
                // A declared range holds (it is checked, or proven): the formula's bounds, narrowed.
                out = bounds(sl.checked != none ? sl.checked : sl.root);
                break;
        }
        if (scaled_[s]) {
            // Scaled pro rata by a factor below 1, then rounded: towards 0 from a value that
            // is not negative, and no more is known.
            const bool non_negative = out.lo && out.lo->sign() >= 0;
            out = {};
            if (non_negative) out.lo = Rational();
        }
    }
    bounding_[s] = 0;
    slot_bounds_[s] = out;
    return out;
}

Checker::Interval Checker::bounds(std::uint32_t n) {
    if (n == none) return {};
    const Node& node = plan_.nodes[n];
    if (node.type.kind != Kind::number) return {};
    auto at_least_zero = [](const Interval& i) { return i.lo && i.lo->sign() >= 0; };
    auto lower = [](const std::optional<Rational>& a, const std::optional<Rational>& b) -> std::optional<Rational> {
        if (!a || !b) return std::nullopt;
        return *a < *b ? *a : *b;
    };
    auto upper = [](const std::optional<Rational>& a, const std::optional<Rational>& b) -> std::optional<Rational> {
        if (!a || !b) return std::nullopt;
        return *a < *b ? *b : *a;
    };
    Interval out;
    switch (node.kind) {
        case NodeKind::constant:
            out.lo = out.hi = plan_.constants[node.aux].number;
            break;
        case NodeKind::slot: out = slot_bounds(node.aux); break;
        case NodeKind::last_before:
        case NodeKind::product:
        case NodeKind::count: out.lo = Rational(); break;   // series entries are positive
        case NodeKind::neg: {
            Interval a = bounds(node.a);
            if (a.hi) out.lo = -*a.hi;
            if (a.lo) out.hi = -*a.lo;
            break;
        }
        case NodeKind::add:
        case NodeKind::sub: {
            Interval a = bounds(node.a), b = bounds(node.b);
            const bool add = node.kind == NodeKind::add;
            const auto& blo = add ? b.lo : b.hi;
            const auto& bhi = add ? b.hi : b.lo;
            if (a.lo && blo) out.lo = add ? *a.lo + *blo : *a.lo - *blo;
            if (a.hi && bhi) out.hi = add ? *a.hi + *bhi : *a.hi - *bhi;
            break;
        }
        case NodeKind::mul: {
            Interval a = bounds(node.a), b = bounds(node.b);
            if (at_least_zero(a) && at_least_zero(b)) {
                out.lo = *a.lo * *b.lo;
                if (a.hi && b.hi) out.hi = *a.hi * *b.hi;
            }
            break;
        }
        case NodeKind::div: {
            // A quotient that does not fail has a divisor other than 0.
            Interval a = bounds(node.a), b = bounds(node.b);
            if (at_least_zero(a) && at_least_zero(b)) out.lo = Rational();
            break;
        }
        case NodeKind::if_: {
            Interval b = bounds(node.b), c = bounds(node.c);
            out.lo = lower(b.lo, c.lo);
            out.hi = upper(b.hi, c.hi);
            break;
        }
        case NodeKind::min:
        case NodeKind::max: {
            const bool is_min = node.kind == NodeKind::min;
            for (std::uint32_t i = 0; i < node.args_count; ++i) {
                Interval a = bounds(plan_.args[node.args_begin + i]);
                if (i == 0) {
                    out = a;
                } else if (is_min) {
                    out.lo = lower(out.lo, a.lo);
                    out.hi = !out.hi ? a.hi : !a.hi ? out.hi : lower(out.hi, a.hi);
                } else {
                    out.lo = !out.lo ? a.lo : !a.lo ? out.lo : upper(out.lo, a.lo);
                    out.hi = upper(out.hi, a.hi);
                }
            }
            break;
        }
        case NodeKind::clamp: {
            Interval a = bounds(node.a), lo = bounds(node.b), hi = bounds(node.c);
            out.lo = lo.lo ? lo.lo : a.lo;
            out.hi = hi.hi ? hi.hi : a.hi;
            break;
        }
        case NodeKind::round: {
            Interval a = bounds(node.a);
            const Rational& unit = plan_.constants[node.aux].number;
            if (a.lo) out.lo = a.lo->round_to(RoundingMode::down, unit);
            if (a.hi) out.hi = a.hi->round_to(RoundingMode::up, unit);
            break;
        }
        case NodeKind::table: {
            const Table& t = plan_.tables[node.aux];
            for (std::size_t i = 0; i < t.rows.size(); ++i) {
                const TableRow& r = t.rows[i];
                Rational lo = r.value, hi = r.value;
                if (r.linear) {
                    if (r.value_to < lo) lo = r.value_to;
                    if (hi < r.value_to) hi = r.value_to;
                }
                out.lo = i == 0 ? std::optional<Rational>(lo) : lower(out.lo, lo);
                out.hi = i == 0 ? std::optional<Rational>(hi) : upper(out.hi, hi);
            }
            break;
        }
        case NodeKind::sum: {
            if (at_least_zero(bounds(node.a))) out.lo = Rational();
            break;
        }
        case NodeKind::within: {
            out = bounds(node.a);
            Interval lo = bounds(node.b), hi = bounds(node.c);
            if (node.b != none && lo.lo) out.lo = out.lo ? upper(out.lo, lo.lo) : lo.lo;
            if (node.c != none && hi.hi) out.hi = out.hi ? lower(out.hi, hi.hi) : hi.hi;
            break;
        }
        default: break;
    }
    return out;
}

void Checker::drop_proven_range_checks() {
    slot_bounds_.assign(plan_.slots.size(), std::nullopt);
    bounding_.assign(plan_.slots.size(), 0);
    scaled_.assign(plan_.slots.size(), 0);
    for (const Limit& l : plan_.limits) {
        if (l.allocation)
            for (std::uint32_t s : l.allocation->outputs) scaled_[s] = 1;
    }
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        Slot& sl = plan_.slots[s];
        if (sl.checked == none || sl.type.kind != Kind::number) continue;
        Node& w = plan_.nodes[sl.checked];
        const Interval f = bounds(w.a);
        auto constant = [&](std::uint32_t e) -> std::optional<Rational> {
            if (e == none || plan_.nodes[e].kind != NodeKind::constant) return std::nullopt;
            return plan_.constants[plan_.nodes[e].aux].number;
        };
        if (auto lo = constant(w.b); lo && f.lo && !(*f.lo < *lo)) w.b = none;
        if (auto hi = constant(w.c); hi && f.hi && !(*hi < *f.hi)) w.c = none;
        if (w.b == none && w.c == none) sl.checked = none;
    }
}

/// How deeply plans are being checked for `inputs shared with`: a shared plan's own
/// `inputs shared with` is not followed (two plans may name each other).
thread_local int sharing_depth = 0;

/// `plan … inputs shared with "../iij"`: check that plan too (relative to this rule file's
/// folder), and keep it for the keys it reads.
void Checker::share_inputs(const ast::StringLit& path) {
    if (sharing_depth > 0) return;
    const SourceRange where = rng(plan_decl_file_, path);
    fs::path dir = fs::path(sm_.file(plan_decl_file_).path()).parent_path() / path.value;
    dsl::Diagnostics theirs;
    ++sharing_depth;
    std::optional<Plan> other;
    try {
        other = load_plan(sm_, dir.lexically_normal().string(), theirs, {});
    } catch (...) {
        --sharing_depth;
        throw;
    }
    --sharing_depth;
    if (!other) {
        diags_.error(where, "cannot read the plan `{}` whose inputs this plan shares", path.value);
        for (auto& d : theirs.items()) {
            if (d.severity != dsl::Severity::warning) diags_.add(d.severity == dsl::Severity::error ? dsl::Severity::note : d.severity, d.range, d.message);
        }
        return;
    }
    plan_.shared_inputs = std::make_shared<const Plan>(std::move(*other));
}

/// `plan … outputs a, b, c` puts those outputs first, in that order; the rest follow in
/// the order they are declared.
void Checker::order_outputs() {
    if (!plan_decl_ || plan_decl_->outputs.empty()) return;
    std::vector<std::uint32_t> director_first, plan_first;
    for (const auto& n : plan_decl_->outputs) {
        auto it = symbols_.find(n.text);
        auto is_output = [&](std::uint32_t s) { return plan_.slots[s].kind == SlotKind::output; };
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot || !is_output(it->second.index)) {
            diags_.error(rng(plan_decl_file_, n), "`{}` is not an output", n.text);
            continue;
        }
        std::uint32_t s = it->second.index;
        auto& first = plan_.slots[s].scope == Scope::director ? director_first : plan_first;
        if (std::find(first.begin(), first.end(), s) != first.end()) {
            diags_.error(rng(plan_decl_file_, n), "`{}` is listed twice", n.text);
            continue;
        }
        first.push_back(s);
    }
    auto reorder = [](std::vector<std::uint32_t>& all, std::vector<std::uint32_t> first) {
        for (std::uint32_t s : all) {
            if (std::find(first.begin(), first.end(), s) == first.end()) first.push_back(s);
        }
        all = std::move(first);
    };
    reorder(plan_.director_outputs, std::move(director_first));
    reorder(plan_.plan_outputs, std::move(plan_first));
}

// --------------------------------------------------------------------------------------
// Declarations

bool Checker::declare(const std::string& name, SymbolKind kind, std::uint32_t index, SourceRange range) {
    auto& table = kind == SymbolKind::choice ? types_ : symbols_;
    auto [it, inserted] = table.emplace(name, Symbol{kind, index, range});
    if (!inserted) {
        diags_.error(range, "`{}` is already defined", name);
        diags_.note(it->second.range, "`{}` was first defined here", name);
        return false;
    }
    return true;
}

std::optional<Type> Checker::resolve_type(dsl::FileId f, const ast::TypeRef& t) {
    std::string per = t.per ? t.per->text : std::string();
    if (auto b = builtin_type(t.base.text, per)) return b;
    if (!t.per) {
        auto it = types_.find(t.base.text);
        if (it != types_.end())
            return Type::of_choice(static_cast<std::int32_t>(it->second.index));
    }
    auto& d = diags_.error(rng(f, t), "unknown type `{}`", text_of(f, t));
    d.hint = "types are JPY, shares, months, JPY per share, JPY per month, ratio, percent, count, date, boolean, "
             "text, or a `type` declared in the plan";
    return std::nullopt;
}

void Checker::annotations(dsl::FileId f, const ast::Annotations& as, std::vector<Citation>* sources,
                          std::vector<std::string>* notes, std::string* message, const char* what) {
    for (const auto& a : as) {
        if (a.keyword == "source") {
            if (!a.clause) {
                diags_.error(rng(f, a), "`source` needs a clause id, as in: source C8 \"基準報酬は…\"");
                continue;
            }
            if (sources) sources->push_back({a.clause->text, a.text ? a.text->value : std::string(), rng(f, a)});
        } else if (a.keyword == "note") {
            if (!a.text || a.clause) {
                diags_.error(rng(f, a), "`note` takes a text in quotes, as in: note \"illustrative\"");
                continue;
            }
            if (notes) notes->push_back(a.text->value);
        } else if (a.keyword == "message") {
            if (!message) {
                diags_.error(rng(f, a), "a {} has no `message`; only `require` does", what);
                continue;
            }
            if (!a.text || a.clause) {
                diags_.error(rng(f, a), "`message` takes a text in quotes");
                continue;
            }
            *message = a.text->value;
        }
    }
}

void Checker::collect(const std::vector<dsl::FileId>& files) {
    for (dsl::FileId f : files) {
        auto file = dsl::parse_file(sm_, f, diags_);
        asts_.push_back(file);
        Scope scope = Scope::plan;
        SourceRange opened;
        for (const auto& d : file->declarations) {
            if (auto const* s = boost::get<ast::ScopeDecl>(&d.get())) {
                if (s->keyword == "end") {
                    if (scope == Scope::plan) diags_.error(rng(f, *s), "`end` without `per director` or `per grant`");
                    scope = Scope::plan;
                } else {
                    if (scope != Scope::plan) {
                        diags_.error(rng(f, *s), "`{}` inside another `per` block", s->keyword);
                        diags_.note(opened, "the block opened here is not closed with `end`");
                    }
                    scope = s->keyword == "per grant" ? Scope::grant : Scope::director;
                    if (s->keyword != "per grant") record_words_.push_back({s->keyword.substr(4), rng(f, *s)});
                    opened = rng(f, *s);
                }
                continue;
            }
            entries_.push_back(Entry{f, scope, &d});
        }
        if (scope != Scope::plan) diags_.error(opened, "this `per` block is not closed with `end`");
    }
}

InputSpec Checker::input_path(dsl::FileId f, const ast::InputPath& p, Scope scope, std::uint32_t slot) {
    InputSpec spec;
    spec.path_text = p.text;
    const std::string& s = p.text;
    std::size_t i = 0;
    if (!s.empty() && s[0] == '/') {
        spec.absolute = true;
        i = 1;
    }
    while (i < s.size()) {
        if (s[i] == '.') {
            ++i;
            continue;
        }
        PathStep step;
        if (s[i] == '[') {
            std::size_t close = s.find(']', i);
            std::string name = s.substr(i + 1, close - i - 1);
            step.range = SourceRange::in(f, p.begin + static_cast<std::uint32_t>(i + 1),
                                         p.begin + static_cast<std::uint32_t>(close));
            auto it = symbols_.find(name);
            if (!name.empty() && (name[0] == '-' || (name[0] >= '0' && name[0] <= '9'))) {
                step.index = std::stoll(name);
            } else if (it == symbols_.end() || it->second.kind != SymbolKind::slot) {
                diags_.error(step.range, "unknown name `{}` in an input path", name);
            } else {
                const Slot& target = plan_.slots[it->second.index];
                if (target.type.kind != Kind::text && target.type.kind != Kind::choice) {
                    diags_.error(step.range, "`{}` is {}, but a key in an input path must be text", name,
                                 tname(target.type));
                } else if (target.scope > scope) {
                    diags_.error(step.range, "`{}` is a {} value and cannot choose a {} input", name,
                                 scope_word(target.scope), scope_word(scope));
                } else {
                    step.slot = it->second.index;
                    if (slot != none) deps_[slot].push_back({it->second.index, step.range});
                }
            }
            step.key = name;
            i = close + 1;
        } else {
            std::size_t end = s.find_first_of(".[", i);
            if (end == std::string::npos) end = s.size();
            step.key = s.substr(i, end - i);
            step.range = SourceRange::in(f, p.begin + static_cast<std::uint32_t>(i),
                                         p.begin + static_cast<std::uint32_t>(end));
            i = end;
        }
        spec.path.push_back(std::move(step));
    }
    return spec;
}

void Checker::define_slots() {
    // Choice types first: any declaration may use them.
    for (const auto& e : entries_) {
        if (auto const* t = boost::get<ast::TypeDecl>(&e.decl->get())) {
            if (e.scope != Scope::plan) diags_.error(rng(e.file, *t), "a `type` cannot be inside a `per` block");
            ChoiceType c;
            c.name = t->name.text;
            c.name_range = rng(e.file, t->name);
            std::set<std::string> seen;
            for (const auto& m : t->members) {
                if (!seen.insert(m.text).second) diags_.error(rng(e.file, m), "`{}` is listed twice", m.text);
                c.members.push_back(m.text);
            }
            if (builtin_type(c.name, "")) {
                diags_.error(c.name_range, "`{}` is a built-in type", c.name);
                continue;
            }
            if (declare(c.name, SymbolKind::choice, static_cast<std::uint32_t>(plan_.choices.size()), c.name_range))
                plan_.choices.push_back(std::move(c));
        }
    }
    for (const auto& e : entries_) {
        const auto& d = e.decl->get();
        auto add_slot = [&](const ast::Name& name, SlotKind kind, const ast::TypeRef& type, const ast::Located& whole,
                            const ast::Annotations& as) {
            Slot s;
            s.name = name.text;
            s.kind = kind;
            s.scope = e.scope;
            s.name_range = rng(e.file, name);
            s.decl_range = rng(e.file, whole);
            auto t = resolve_type(e.file, type);
            s.type = t ? *t : Type::ratio();
            annotations(e.file, as, &s.sources, &s.notes, nullptr,
                        kind == SlotKind::param ? "param" : kind == SlotKind::input ? "input" : "value");
            auto index = static_cast<std::uint32_t>(plan_.slots.size());
            if (!declare(s.name, SymbolKind::slot, index, s.name_range)) return;
            plan_.slots.push_back(std::move(s));
            slot_entries_.push_back(e);
            deps_.emplace_back();
            if (!t) plan_.slots.back().kind = kind;   // keep going; the type error is reported
        };
        if (auto const* p = boost::get<ast::ParamDecl>(&d)) {
            if (e.scope != Scope::plan)
                diags_.error(rng(e.file, *p), "a `param` is plan-wide; declare it outside `per` blocks");
            add_slot(p->name, SlotKind::param, p->type, *p, p->annotations);
        } else if (auto const* i = boost::get<ast::InputDecl>(&d); i && i->keyword == "info") {
            Info info;
            info.name = i->name.text;
            info.scope = e.scope;
            info.name_range = rng(e.file, i->name);
            auto t = resolve_type(e.file, i->type);
            info.type = t ? *t : Type::text();
            annotations(e.file, i->annotations, &info.sources, &info.notes, nullptr, "info");
            if (declare(info.name, SymbolKind::info, static_cast<std::uint32_t>(plan_.infos.size()), info.name_range)) {
                plan_.infos.push_back(std::move(info));
                info_entries_.push_back(e);
            }
        } else if (auto const* i = boost::get<ast::InputDecl>(&d)) {
            add_slot(i->name, SlotKind::input, i->type, *i, i->annotations);
        } else if (auto const* v = boost::get<ast::ValueDecl>(&d)) {
            add_slot(v->name, v->keyword == "output" ? SlotKind::output : SlotKind::value, v->type, *v,
                     v->annotations);
        } else if (auto const* t = boost::get<ast::TableDecl>(&d)) {
            if (e.scope != Scope::plan) diags_.error(rng(e.file, *t), "a `table` cannot be inside a `per` block");
            Table table;
            table.name = t->name.text;
            table.monotone = t->monotone;
            table.parameter = t->parameter.text;
            table.name_range = rng(e.file, t->name);
            auto pt = resolve_type(e.file, t->parameter_type);
            auto rt = resolve_type(e.file, t->result_type);
            table.parameter_type = pt ? *pt : Type::ratio();
            table.result_type = rt ? *rt : Type::ratio();
            if (pt && !pt->is_number())
                diags_.error(rng(e.file, t->parameter_type), "a table's parameter must be a number, not {}",
                             tname(*pt));
            if (rt && !rt->is_number())
                diags_.error(rng(e.file, t->result_type), "a table's result must be a number, not {}", tname(*rt));
            annotations(e.file, t->annotations, &table.sources, &table.notes, nullptr, "table");
            if (declare(table.name, SymbolKind::table, static_cast<std::uint32_t>(plan_.tables.size()),
                        table.name_range))
                plan_.tables.push_back(std::move(table));
        } else if (auto const* s = boost::get<ast::SeriesDecl>(&d)) {
            if (e.scope != Scope::plan) diags_.error(rng(e.file, *s), "a `series` cannot be inside a `per` block");
            Series series;
            series.name = s->name.text;
            series.name_range = rng(e.file, s->name);
            auto t = resolve_type(e.file, s->type);
            series.type = t ? *t : Type::ratio();
            if (t && !t->is_number())
                diags_.error(rng(e.file, s->type), "a series holds numbers, not {}", tname(*t));
            series.date_key = s->date_key.text;
            series.value_key = s->value_key.text;
            annotations(e.file, s->annotations, &series.sources, nullptr, nullptr, "series");
            if (declare(series.name, SymbolKind::series, static_cast<std::uint32_t>(plan_.series.size()),
                        series.name_range))
                plan_.series.push_back(std::move(series));
        } else if (auto const* gd = boost::get<ast::DirectorsDecl>(&d)) {
            if (gd->keyword == "grants") grants_declared_ = true;
        } else if (auto const* pd = boost::get<ast::PlanDecl>(&d)) {
            if (plan_declared_) diags_.error(rng(e.file, *pd), "the plan is already declared");
            if (e.scope != Scope::plan) diags_.error(rng(e.file, *pd), "`plan` cannot be inside a `per` block");
            plan_declared_ = true;
            plan_.title = pd->title.value;
            if (pd->effective) {
                plan_.effective = Date::parse(pd->effective->text);
                if (!plan_.effective)
                    diags_.error(rng(e.file, *pd->effective), "`{}` is not a calendar date", pd->effective->text);
            }
            annotations(e.file, pd->annotations, &plan_.sources, nullptr, nullptr, "plan");
            plan_decl_file_ = e.file;
            plan_decl_ = pd;
        }
    }
}

// --------------------------------------------------------------------------------------
// Expressions

std::optional<Value> Checker::fold(std::uint32_t n, int depth) const {
    if (depth > 64) return std::nullopt;   // a param defined through itself: the cycle check reports it
    const Node& node = plan_.nodes[n];
    switch (node.kind) {
        case NodeKind::constant: return plan_.constants[node.aux];
        case NodeKind::slot: {
            // An undated param is a constant too.
            const Slot& s = plan_.slots[node.aux];
            if (s.kind != SlotKind::param || s.versions.size() != 1 || s.versions[0].from ||
                s.versions[0].node == none)
                return std::nullopt;
            return fold(s.versions[0].node, depth + 1);
        }
        case NodeKind::neg: {
            auto v = fold(node.a, depth + 1);
            if (!v) return std::nullopt;
            v->number = -v->number;
            return v;
        }
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul:
        case NodeKind::div: {
            auto a = fold(node.a, depth + 1);
            auto b = fold(node.b, depth + 1);
            if (!a || !b) return std::nullopt;
            Value out;
            switch (node.kind) {
                case NodeKind::add: out.number = a->number + b->number; break;
                case NodeKind::sub: out.number = a->number - b->number; break;
                case NodeKind::mul: out.number = a->number * b->number; break;
                default:
                    if (b->number.is_zero()) return std::nullopt;
                    out.number = a->number / b->number;
            }
            return out;
        }
        default: return std::nullopt;
    }
}

std::optional<Value> Checker::constant_of(const ast::Expression& e, const Ctx& c, const Type& want,
                                          const char* what) {
    std::uint32_t n = compile(e, c);
    if (n == none) return std::nullopt;
    n = expect_type(n, want, what);
    if (n == none) return std::nullopt;
    constant_nodes_.push_back(n);   // params used in constants count as used
    auto v = fold(n);
    if (!v) diags_.error(range_of(n), "{} must be a constant (a number with its unit)", what);
    return v;
}

/// A dimensionless literal 0 takes the unit of the other side: `if c then base else 0`.
bool Checker::adapt_zero(std::uint32_t& a, std::uint32_t& b) {
    auto is_plain_zero = [&](std::uint32_t n) {
        const Node& node = plan_.nodes[n];
        return node.kind == NodeKind::constant && node.type.dimensionless() &&
               plan_.constants[node.aux].number.is_zero();
    };
    if (type_of(a).is_number() && type_of(b).is_number() && !type_of(a).same(type_of(b))) {
        if (is_plain_zero(a)) {
            plan_.nodes[a].type = type_of(b);
            return true;
        }
        if (is_plain_zero(b)) {
            plan_.nodes[b].type = type_of(a);
            return true;
        }
    }
    return false;
}

std::uint32_t Checker::expect_type(std::uint32_t n, const Type& want, const std::string& what) {
    if (n == none) return none;
    const Node& node = plan_.nodes[n];
    if (node.type.same(want)) return n;
    if (want.is_number() && node.kind == NodeKind::constant && node.type.dimensionless() &&
        plan_.constants[node.aux].number.is_zero()) {
        plan_.nodes[n].type = want;
        return n;
    }
    diags_.error(node.range, "{} is declared {}, but this gives {}", what, tname(want), tname(node.type));
    return none;
}

std::uint32_t Checker::compile(const ast::Expression& e, const Ctx& c) {
    std::uint32_t acc = compile(e.first, c);
    for (const auto& op : e.rest) {
        if (op.op == "is" || op.op == "is not") {
            if (acc == none) continue;
            auto const* member = boost::get<ast::Name>(&op.operand.get());
            const Type& t = type_of(acc);
            SourceRange where = SourceRange::span(range_of(acc), rng(c.file, op));
            if (t.kind != Kind::choice) {
                diags_.error(where, "`is` tests a choice such as a role, but the left side is {}", tname(t));
                acc = none;
                continue;
            }
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(t.choice)];
            auto it = std::find(ct.members.begin(), ct.members.end(), member->text);
            if (it == ct.members.end()) {
                auto& d = diags_.error(rng(c.file, *member), "`{}` is not a {}", member->text, ct.name);
                d.hint = fmt::format("a {} is one of: {}", ct.name, join(ct.members));
                acc = none;
                continue;
            }
            Node n;
            n.kind = NodeKind::is;
            n.a = acc;
            n.aux = static_cast<std::uint32_t>(it - ct.members.begin());
            n.type = Type::boolean();
            n.range = where;
            acc = add_node(n);
            if (op.op == "is not") {
                Node neg;
                neg.kind = NodeKind::not_;
                neg.a = acc;
                neg.type = Type::boolean();
                neg.range = where;
                acc = add_node(neg);
            }
            continue;
        }
        std::uint32_t rhs = compile(op.operand, c);
        if (acc == none || rhs == none) {
            acc = none;
            continue;
        }
        acc = compile_binary(op.op, acc, rhs, SourceRange::span(range_of(acc), range_of(rhs)));
    }
    return acc;
}

std::uint32_t Checker::compile_binary(const std::string& op, std::uint32_t l, std::uint32_t r, SourceRange where) {
    Node n;
    n.a = l;
    n.b = r;
    n.range = where;
    const Type& lt = type_of(l);
    const Type& rt = type_of(r);
    auto numbers = [&](const char* verb) {
        if (!lt.is_number() || !rt.is_number()) {
            diags_.error(where, "cannot {} {} and {}", verb, tname(lt), tname(rt));
            return false;
        }
        return true;
    };
    if (op == "+" || op == "-") {
        if (!numbers(op == "+" ? "add" : "subtract")) return none;
        adapt_zero(l, r);
        if (!type_of(l).same(type_of(r))) {
            diags_.error(where, "cannot {} {} and {}", op == "+" ? "add" : "subtract", tname(type_of(l)),
                         tname(type_of(r)));
            return none;
        }
        n.kind = op == "+" ? NodeKind::add : NodeKind::sub;
        n.type = type_of(l);
        if (type_of(l).dimensionless() && type_of(r).dimensionless() && type_of(l).style != type_of(r).style)
            n.type.style = RatioStyle::ratio;
    } else if (op == "*" || op == "/") {
        if (!numbers(op == "*" ? "multiply" : "divide")) return none;
        n.kind = op == "*" ? NodeKind::mul : NodeKind::div;
        n.type = op == "*" ? multiply(lt, rt) : divide(lt, rt);
        if (op == "/" && lt.dimensionless() && rt.dimensionless()) n.type.style = RatioStyle::ratio;
    } else if (op == "and" || op == "or") {
        if (lt.kind != Kind::boolean || rt.kind != Kind::boolean) {
            diags_.error(where, "`{}` joins conditions (true or false), not {} and {}", op, tname(lt), tname(rt));
            return none;
        }
        n.kind = op == "and" ? NodeKind::and_ : NodeKind::or_;
        n.type = Type::boolean();
    } else {
        adapt_zero(l, r);
        const Type& a = type_of(l);
        const Type& b = type_of(r);
        bool ordered = op == "<" || op == "<=" || op == ">" || op == ">=";
        if (!a.same(b)) {
            diags_.error(where, "cannot compare {} with {}", tname(a), tname(b));
            return none;
        }
        if (ordered && a.kind != Kind::number && a.kind != Kind::date) {
            diags_.error(where, "`{}` orders numbers or dates, not {}", op, tname(a));
            return none;
        }
        n.kind = op == "<"    ? NodeKind::lt
                 : op == "<=" ? NodeKind::le
                 : op == ">"  ? NodeKind::gt
                 : op == ">=" ? NodeKind::ge
                 : op == "==" ? NodeKind::eq
                              : NodeKind::ne;
        n.type = Type::boolean();
    }
    n.a = l;
    n.b = r;
    return add_node(n);
}

std::uint32_t Checker::compile_number(const ast::NumberLit& lit, const Ctx& c) {
    SourceRange where = rng(c.file, lit);
    if (lit.prefix.empty() && lit.unit.empty() && lit.digits.find(',') != std::string::npos) {
        auto& d = diags_.error(where, "`{}`: commas group digits only in a number with a unit", lit.digits);
        d.hint = "separate arguments with a comma and a space, or write the unit: `¥1,000`, `1,000 shares`";
        return none;
    }
    auto value = Rational::parse(lit.digits);
    if (!value) {
        diags_.error(where, "`{}` is not a number", lit.digits);
        return none;
    }
    Type t = Type::ratio();
    if (!lit.prefix.empty()) {
        t = Type::number({1, 0, 0});
        auto words = unit_words(lit.unit);   // "per share"
        if (words.size() == 2) {
            auto per = builtin_type("JPY", words[1]);
            if (!per) {
                diags_.error(where, "unknown unit `{}`", lit.unit);
                return none;
            }
            t = *per;
        }
    } else if (lit.unit == "%") {
        *value = *value / Rational(100);
        t = Type::ratio(RatioStyle::percent);
    } else if (!lit.unit.empty()) {
        auto words = unit_words(lit.unit);
        std::optional<Type> ut = words.size() == 1   ? builtin_type(words[0], "")
                                 : words.size() == 3 ? builtin_type(words[0], words[2])
                                                     : std::nullopt;
        if (!ut) {
            diags_.error(where, "unknown unit `{}`", lit.unit);
            return none;
        }
        t = *ut;
    }
    Value v;
    v.number = *value;
    return constant(std::move(v), t, where);
}

std::uint32_t Checker::compile_name(const ast::Name& name, const Ctx& c) {
    SourceRange where = rng(c.file, name);
    auto it = symbols_.find(name.text);
    if (it == symbols_.end()) {
        auto& d = diags_.error(where, "unknown name `{}`", name.text);
        std::string best;
        std::size_t best_distance = 3;
        for (const auto& [candidate, sym] : symbols_) {
            std::size_t dist = dsl::edit_distance(candidate, name.text);
            if (dist < best_distance) {
                best_distance = dist;
                best = candidate;
            }
        }
        if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
        return none;
    }
    const Symbol& sym = it->second;
    if (sym.kind == SymbolKind::info) {
        auto& d = diags_.error(where, "`{}` is an `info` key, kept in the inputs for people: formulas cannot use it",
                               name.text);
        d.hint = fmt::format("declare it as an `input` to compute with it: input {}: …", name.text);
        return none;
    }
    if (sym.kind != SymbolKind::slot) {
        const char* what = sym.kind == SymbolKind::table    ? "a table; call it with an argument"
                           : sym.kind == SymbolKind::series ? "a series; read it with `last … before …`"
                                                            : "a type";
        diags_.error(where, "`{}` is {}", name.text, what);
        return none;
    }
    const Slot& target = plan_.slots[sym.index];
    if (target.scope > c.scope) {
        auto& d = diags_.error(where, "`{}` is a {} value; a {} formula cannot use it directly", name.text,
                               scope_word(target.scope), scope_word(c.scope));
        d.hint = fmt::format("use an aggregate, as in: sum of {} over {}", name.text,
                             target.scope == Scope::director ? "directors" : "grants");
        return none;
    }
    if (c.slot != none) deps_[c.slot].push_back({sym.index, where});
    Node n;
    n.kind = NodeKind::slot;
    n.aux = sym.index;
    n.type = target.type;
    n.range = where;
    return add_node(n);
}

std::uint32_t Checker::compile_call(const ast::Call& call, const Ctx& c) {
    SourceRange where = rng(c.file, call);
    const std::string& f = call.callee.text;
    std::vector<std::uint32_t> args;
    bool ok = true;
    for (const auto& a : call.args) {
        args.push_back(compile(a, c));
        ok = ok && args.back() != none;
    }
    if (!ok) return none;   // the arguments' own errors are reported
    auto arity = [&](std::size_t lo, std::size_t hi) {
        if (args.size() < lo || args.size() > hi) {
            if (lo == hi)
                diags_.error(where, "`{}` takes {} argument{}, not {}", f, lo, lo == 1 ? "" : "s", args.size());
            else
                diags_.error(where, "`{}` takes at least {} arguments, not {}", f, lo, args.size());
            return false;
        }
        return true;
    };
    Node n;
    n.range = where;
    if (f == "min" || f == "max" || f == "clamp") {
        bool is_clamp = f == "clamp";
        if (!(is_clamp ? arity(3, 3) : arity(2, 64)) || !ok) return none;
        for (std::size_t i = 1; i < args.size(); ++i) adapt_zero(args[0], args[i]);
        for (std::size_t i = 1; i < args.size(); ++i) adapt_zero(args[i], args[0]);
        const Type& t = type_of(args[0]);
        if (!t.is_number() && t.kind != Kind::date) {
            diags_.error(where, "`{}` works on numbers or dates, not {}", f, tname(t));
            return none;
        }
        for (std::size_t i = 1; i < args.size(); ++i) {
            if (!type_of(args[i]).same(t)) {
                diags_.error(range_of(args[i]), "`{}` needs arguments of one unit: {} and {}", f, tname(t),
                             tname(type_of(args[i])));
                return none;
            }
        }
        n.type = t;
        if (is_clamp) {
            n.kind = NodeKind::clamp;
            n.a = args[0];
            n.b = args[1];
            n.c = args[2];
        } else {
            n.kind = f == "min" ? NodeKind::min : NodeKind::max;
            n.args_begin = static_cast<std::uint32_t>(plan_.args.size());
            n.args_count = static_cast<std::uint32_t>(args.size());
            plan_.args.insert(plan_.args.end(), args.begin(), args.end());
        }
        return add_node(n);
    }
    if (f == "present") {
        auto const* arg = call.args.size() == 1 && call.args[0].rest.empty()
                              ? boost::get<ast::Name>(&unwrap(call.args[0].first).get())
                              : nullptr;
        auto it = arg ? symbols_.find(arg->text) : symbols_.end();
        if (!arg || it == symbols_.end() || it->second.kind != SymbolKind::slot ||
            plan_.slots[it->second.index].kind != SlotKind::input) {
            diags_.error(where, "`present` takes the name of an `optional` input, as in: present(left_on)");
            return none;
        }
        const Slot& target = plan_.slots[it->second.index];
        if (!target.input.optional) {
            diags_.error(where, "`{}` is not declared `optional`, so it is always present", arg->text);
            return none;
        }
        if (target.scope > c.scope) {
            diags_.error(where, "`{}` is a {} input", arg->text, scope_word(target.scope));
            return none;
        }
        n.kind = NodeKind::present;
        n.aux = it->second.index;
        n.type = Type::boolean();
        return add_node(n);
    }
    if (f == "months_inclusive") {
        if (!arity(2, 2) || !ok) return none;
        if (type_of(args[0]).kind != Kind::date || type_of(args[1]).kind != Kind::date) {
            diags_.error(where, "`months_inclusive` takes two dates, the first month and the last");
            return none;
        }
        n.kind = NodeKind::months_inclusive;
        n.a = args[0];
        n.b = args[1];
        n.type = Type::number({0, 0, 1});
        return add_node(n);
    }
    if (f == "year_before") {
        if (!arity(1, 1) || !ok) return none;
        if (type_of(args[0]).kind != Kind::text) {
            diags_.error(range_of(args[0]), "`year_before` takes a year label (text) such as \"FY2024\"");
            return none;
        }
        n.kind = NodeKind::year_before;
        n.a = args[0];
        n.type = Type::text();
        return add_node(n);
    }
    auto it = symbols_.find(f);
    if (it == symbols_.end() || it->second.kind != SymbolKind::table) {
        auto& d = diags_.error(rng(c.file, call.callee), "unknown function `{}`", f);
        d.hint = "functions are min, max, clamp, present, months_inclusive, year_before, and the plan's tables";
        return none;
    }
    const Table& table = plan_.tables[it->second.index];
    if (!arity(1, 1) || !ok) return none;
    if (!type_of(args[0]).same(table.parameter_type)) {
        diags_.error(range_of(args[0]), "table `{}` takes {}, but this gives {}", f, tname(table.parameter_type),
                     tname(type_of(args[0])));
        return none;
    }
    n.kind = NodeKind::table;
    n.a = args[0];
    n.aux = it->second.index;
    n.type = table.result_type;
    return add_node(n);
}

std::uint32_t Checker::compile(const ast::Operand& op, const Ctx& c) {
    const auto& v = op.get();
    if (auto const* n = boost::get<ast::NumberLit>(&v)) return compile_number(*n, c);
    if (auto const* d = boost::get<ast::DateLit>(&v)) {
        auto date = Date::parse(d->text);
        if (!date) {
            diags_.error(rng(c.file, *d), "`{}` is not a calendar date", d->text);
            return none;
        }
        Value val;
        val.word = date->days;
        return constant(std::move(val), Type::date(), rng(c.file, *d));
    }
    if (auto const* s = boost::get<ast::StringLit>(&v)) {
        plan_.texts.push_back(s->value);
        Value val;
        val.word = static_cast<std::int64_t>(plan_.texts.size() - 1);
        return constant(std::move(val), Type::text(), rng(c.file, *s));
    }
    if (auto const* b = boost::get<ast::BoolLit>(&v)) {
        Value val;
        val.word = b->value ? 1 : 0;
        return constant(std::move(val), Type::boolean(), rng(c.file, *b));
    }
    if (auto const* name = boost::get<ast::Name>(&v)) return compile_name(*name, c);
    if (auto const* e = boost::get<x3::forward_ast<ast::Expression>>(&v)) return compile(e->get(), c);
    if (auto const* u = boost::get<x3::forward_ast<ast::Unary>>(&v)) {
        const ast::Unary& un = u->get();
        std::uint32_t a = compile(un.operand, c);
        if (a == none) return none;
        Node n;
        n.a = a;
        n.range = rng(c.file, un);
        if (un.op == "not") {
            if (type_of(a).kind != Kind::boolean) {
                diags_.error(n.range, "`not` negates a condition, not {}", tname(type_of(a)));
                return none;
            }
            n.kind = NodeKind::not_;
            n.type = Type::boolean();
        } else {
            if (!type_of(a).is_number()) {
                diags_.error(n.range, "cannot negate {}", tname(type_of(a)));
                return none;
            }
            n.kind = NodeKind::neg;
            n.type = type_of(a);
        }
        return add_node(n);
    }
    if (auto const* call = boost::get<x3::forward_ast<ast::Call>>(&v)) return compile_call(call->get(), c);
    if (auto const* ie = boost::get<x3::forward_ast<ast::IfExpr>>(&v)) {
        const ast::IfExpr& x = ie->get();
        std::uint32_t cond = compile(x.condition, c);
        std::uint32_t a = compile(x.then_branch, c);
        std::uint32_t b = compile(x.else_branch, c);
        if (cond == none || a == none || b == none) return none;
        if (type_of(cond).kind != Kind::boolean) {
            diags_.error(range_of(cond), "the condition after `if` must be true or false, not {}",
                         tname(type_of(cond)));
            return none;
        }
        adapt_zero(a, b);
        if (!type_of(a).same(type_of(b))) {
            diags_.error(rng(c.file, x), "the branches of `if` differ: {} after `then`, {} after `else`",
                         tname(type_of(a)), tname(type_of(b)));
            return none;
        }
        Node n;
        n.kind = NodeKind::if_;
        n.a = cond;
        n.b = a;
        n.c = b;
        n.type = type_of(a);
        n.range = rng(c.file, x);
        return add_node(n);
    }
    if (auto const* re = boost::get<x3::forward_ast<ast::RoundExpr>>(&v)) {
        const ast::RoundExpr& x = re->get();
        std::uint32_t a = compile(x.value, c);
        std::uint32_t u = compile(x.unit, c);
        if (a == none || u == none) return none;
        if (!type_of(a).is_number()) {
            diags_.error(range_of(a), "cannot round {}", tname(type_of(a)));
            return none;
        }
        if (!type_of(u).same(type_of(a))) {
            diags_.error(range_of(u), "the rounding unit is {}, but the value rounded is {}", tname(type_of(u)),
                         tname(type_of(a)));
            return none;
        }
        auto unit = fold(u);
        if (!unit || unit->number.sign() <= 0) {
            diags_.error(range_of(u), "the rounding unit must be a positive constant, as in `1 share`");
            return none;
        }
        plan_.constants.push_back(*unit);
        Node n;
        n.kind = NodeKind::round;
        n.mode = rounding_mode(x.mode).value_or(RoundingMode::half_even);
        n.a = a;
        n.b = u;   // the unit as written (evaluated once here; kept for lints and explain)
        n.aux = static_cast<std::uint32_t>(plan_.constants.size() - 1);
        n.type = type_of(a);
        n.range = rng(c.file, x);
        return add_node(n);
    }
    if (auto const* lb = boost::get<x3::forward_ast<ast::LastBefore>>(&v)) {
        const ast::LastBefore& x = lb->get();
        auto it = symbols_.find(x.series.text);
        if (it == symbols_.end() || it->second.kind != SymbolKind::series) {
            diags_.error(rng(c.file, x.series), "`{}` is not a series (declare it with `series`)", x.series.text);
            return none;
        }
        std::uint32_t d = compile(x.date, c);
        if (d == none) return none;
        if (type_of(d).kind != Kind::date) {
            diags_.error(range_of(d), "`last … before` needs a date, not {}", tname(type_of(d)));
            return none;
        }
        Node n;
        n.kind = x.want_date ? NodeKind::last_date : NodeKind::last_before;
        n.a = d;
        n.aux = it->second.index;
        n.type = x.want_date ? Type::date() : plan_.series[it->second.index].type;
        n.range = rng(c.file, x);
        return add_node(n);
    }
    if (auto const* sp = boost::get<x3::forward_ast<ast::SeriesProduct>>(&v)) {
        const ast::SeriesProduct& x = sp->get();
        auto it = symbols_.find(x.series.text);
        if (it == symbols_.end() || it->second.kind != SymbolKind::series) {
            diags_.error(rng(c.file, x.series), "`{}` is not a series (declare it with `series`)", x.series.text);
            return none;
        }
        if (!plan_.series[it->second.index].type.dimensionless()) {
            diags_.error(rng(c.file, x.series), "`product of` multiplies ratios, but `{}` is {}", x.series.text,
                         tname(plan_.series[it->second.index].type));
            return none;
        }
        std::uint32_t a = compile(x.after, c);
        std::uint32_t b = compile(x.up_to, c);
        if (a == none || b == none) return none;
        if (type_of(a).kind != Kind::date || type_of(b).kind != Kind::date) {
            diags_.error(rng(c.file, x), "`product of … after … up to …` needs two dates");
            return none;
        }
        Node n;
        n.kind = NodeKind::product;
        n.a = a;
        n.b = b;
        n.aux = it->second.index;
        n.type = Type::ratio();
        n.range = rng(c.file, x);
        return add_node(n);
    }
    if (auto const* ag = boost::get<x3::forward_ast<ast::Aggregate>>(&v)) {
        const ast::Aggregate& x = ag->get();
        SourceRange where = rng(c.file, x);
        bool over_grants = x.over == "grants";
        if (!over_grants) record_words_.push_back({x.over.substr(0, x.over.size() - 1), where});
        if (!over_grants && c.scope != Scope::plan) {
            diags_.error(where, "`{} of … over directors` is a plan-wide total; it cannot be used {}", x.function,
                         scope_word(c.scope));
            return none;
        }
        if (over_grants && c.scope == Scope::grant) {
            diags_.error(where, "`{} of … over grants` cannot be used per grant", x.function);
            return none;
        }
        if (over_grants && !plan_.grants.declared && !grants_declared_) {
            diags_.error(where, "the plan has no ledger of grants: declare one, as in `grants at ledger(director)`");
            return none;
        }
        Ctx inner = c;
        inner.scope = over_grants ? Scope::grant : Scope::director;
        Node n;
        n.range = where;
        n.aux = over_grants ? 1 : 0;
        if (x.where) {
            n.b = compile(*x.where, inner);
            if (n.b == none) return none;
            if (type_of(n.b).kind != Kind::boolean) {
                diags_.error(range_of(n.b), "`where` needs a condition, not {}", tname(type_of(n.b)));
                return none;
            }
        }
        if (x.function == "count") {
            n.kind = NodeKind::count;
            n.type = Type::ratio(RatioStyle::count);
            return add_node(n);
        }
        n.a = compile(*x.value, inner);
        if (n.a == none) return none;
        if (!type_of(n.a).is_number()) {
            diags_.error(range_of(n.a), "cannot {} {}", x.function, tname(type_of(n.a)));
            return none;
        }
        n.kind = x.function == "sum" ? NodeKind::sum : x.function == "min" ? NodeKind::min_over : NodeKind::max_over;
        n.type = type_of(n.a);
        return add_node(n);
    }
    return none;
}

// --------------------------------------------------------------------------------------
// Declarations' bodies

void Checker::compile_slot(const Entry& e) {
    auto index = static_cast<std::uint32_t>(&e - slot_entries_.data());
    Ctx c{e.file, e.scope, index, false};
    const auto& d = e.decl->get();
    Slot& s = plan_.slots[index];
    const std::string what = fmt::format("`{}`", s.name);
    if (auto const* p = boost::get<ast::ParamDecl>(&d)) {
        std::optional<Date> previous;
        for (std::size_t i = 0; i < p->values.size(); ++i) {
            const auto& pv = p->values[i];
            ParamVersion version;
            if (pv.from) {
                version.from = Date::parse(pv.from->text);
                if (!version.from) diags_.error(rng(e.file, *pv.from), "`{}` is not a calendar date", pv.from->text);
                else if (previous && *version.from <= *previous)
                    diags_.error(rng(e.file, *pv.from), "dated values must be in order, each later than the last");
                if (version.from) previous = version.from;
            } else if (i > 0) {
                diags_.error(rng(e.file, pv), "every value after the first needs `from DATE`");
            }
            std::uint32_t n = compile(pv.value, c);
            version.node = expect_type(n, plan_.slots[index].type, what);
            plan_.slots[index].versions.push_back(version);
        }
        plan_.slots[index].formula = text_of(e.file, p->values.front().value);
    } else if (auto const* in = boost::get<ast::InputDecl>(&d)) {
        Type t = s.type;
        InputSpec spec = input_path(e.file, in->path, e.scope, index);
        spec.optional = in->optional;
        if (in->optional && in->default_value)
            diags_.error(rng(e.file, *in->default_value),
                         "an input is either `optional` or has a `default`, not both");
        if (in->range) {
            RangeEnds ends = compile_range(*in->range, c, t, false);
            spec.low = std::move(ends.low);
            spec.high = std::move(ends.high);
            spec.low_node = ends.low_node;
            spec.high_node = ends.high_node;
            spec.range_text = text_of(e.file, *in->range);
        }
        if (in->default_value) {
            std::uint32_t n = compile(*in->default_value, c);
            spec.default_node = expect_type(n, t, fmt::format("the default of `{}`", s.name));
        }
        plan_.slots[index].input = std::move(spec);
        plan_.slots[index].formula = text_of(e.file, in->path);
    } else if (auto const* v = boost::get<ast::ValueDecl>(&d)) {
        std::uint32_t n = compile(v->value, c);
        plan_.slots[index].root = expect_type(n, plan_.slots[index].type, what);
        plan_.slots[index].formula = text_of(e.file, v->value);
        if (v->range) {
            const Type t = plan_.slots[index].type;
            RangeEnds ends = compile_range(*v->range, c, t, false);
            if (ends.ok && plan_.slots[index].root != none) {
                // The formula, checked: a `within` node whose bounds are constants or
                // formulas of their own.
                auto end_node = [&](const std::optional<Value>& value, std::uint32_t node) {
                    return value ? constant(*value, t, rng(e.file, *v->range)) : node;
                };
                Node w;
                w.kind = NodeKind::within;
                w.a = plan_.slots[index].root;
                w.b = end_node(ends.low, ends.low_node);
                w.c = end_node(ends.high, ends.high_node);
                w.aux = static_cast<std::uint32_t>(plan_.value_ranges.size());
                w.type = t;
                w.range = rng(e.file, *v->range);
                plan_.value_ranges.push_back(ValueRange{index, text_of(e.file, *v->range), w.b, w.c});
                plan_.slots[index].checked = add_node(w);
            }
        }
        if (v->keyword == "output" && e.scope == Scope::grant) {
            auto& d = diags_.error(s.name_range, "an output must be per {} or plan-wide; `{}` is per grant",
                                   plan_.directors.noun, s.name);
            d.hint = fmt::format("make it a `value` and report a total, as in: output total_{0}: … = sum of {0} "
                                 "over grants (inside `per {1}`)",
                                 s.name, plan_.directors.noun);
        } else if (v->keyword == "output") {
            (e.scope == Scope::director ? plan_.director_outputs : plan_.plan_outputs).push_back(index);
        }
    }
}

/// Overlaps: any value covered by two rows is an error (the rows are fixed numbers). One
/// sweep over the rows in order of their lower bounds (`sorted`): a row overlaps an earlier
/// one exactly when it starts before the furthest end reached so far. The first few are
/// located errors, the rest a count, so that a table of thousands of overlapping rows
/// costs n log n and a few lines.
void Checker::report_overlaps(const Table& table, const std::vector<const TableRow*>& sorted) {
    constexpr std::size_t shown = 5;
    auto below = [](const TableRow& a, const TableRow& b) {   // a ends before b starts
        if (!a.high || !b.low) return false;
        if (*a.high < *b.low) return true;
        return *a.high == *b.low && !(a.high_inclusive && b.low_inclusive);
    };
    auto reaches_further = [](const TableRow& a, const TableRow& b) {   // a's end is beyond b's
        if (!b.high) return false;
        if (!a.high) return true;
        return *a.high > *b.high || (*a.high == *b.high && a.high_inclusive && !b.high_inclusive);
    };
    const TableRow* furthest = nullptr;
    std::size_t overlaps = 0;
    for (const TableRow* row : sorted) {
        if (furthest && !below(*furthest, *row)) {
            if (++overlaps <= shown) {
                // The error at the row written later, the note at the other.
                bool row_later = row > furthest;
                const TableRow& later = row_later ? *row : *furthest;
                const TableRow& earlier = row_later ? *furthest : *row;
                auto& d = diags_.error(later.range, "this row overlaps an earlier row of table `{}`", table.name);
                d.hint = "make one bound exclusive: `from X to below Y` or `above X to Y`";
                diags_.note(earlier.range, "the earlier row");
            }
        }
        if (!furthest || reaches_further(*row, *furthest)) furthest = row;
    }
    if (overlaps > shown)
        diags_.error(table.name_range, "table `{}` has {} rows that overlap an earlier row; the first {} follow",
                     table.name, overlaps, shown);
}

Checker::RangeEnds Checker::compile_range(const ast::RangeSpec& r, const Ctx& c, const Type& t, bool constant_only) {
    RangeEnds out;
    const SourceRange where = rng(c.file, r);
    if (!t.is_number() && t.kind != Kind::date) {
        diags_.error(where, "only numbers and dates have a range, not {}", tname(t));
        out.ok = false;
        return out;
    }
    auto end = [&](const ast::Expression& x, const char* what, std::optional<Value>& value, std::uint32_t& node) {
        if (constant_only) {
            value = constant_of(x, c, t, what);
            out.ok = out.ok && value.has_value();
            return;
        }
        std::uint32_t n = expect_type(compile(x, c), t, what);
        if (n == none) {
            out.ok = false;
            return;
        }
        constant_nodes_.push_back(n);   // params used in a range count as used
        if (auto v = fold(n)) value = std::move(*v);
        else node = n;
    };
    if (r.low) end(*r.low, "the range's low end", out.low, out.low_node);
    if (r.high) end(*r.high, "the range's high end", out.high, out.high_node);
    if (out.low && out.high && compare_values(t, *out.low, *out.high) > 0) {
        diags_.error(where, "the range is empty: its low end is above its high end");
        out.ok = false;
    }
    return out;
}

void Checker::compile_info(const Entry& e, const ast::InputDecl& d, Info& info) {
    Ctx c{e.file, e.scope, none, false};
    info.input = input_path(e.file, d.path, e.scope, none);
    info.input.optional = true;
    if (d.optional) {
        diags_.error(rng(e.file, d.name), "an `info` key is always optional; drop `optional`");
    }
    if (d.default_value) {
        diags_.error(rng(e.file, *d.default_value), "an `info` key has no default: nothing computes with it");
    }
    if (d.range) {
        RangeEnds ends = compile_range(*d.range, c, info.type, true);
        info.input.low = std::move(ends.low);
        info.input.high = std::move(ends.high);
        info.input.range_text = text_of(e.file, *d.range);
    }
}

void Checker::compile_table(const Entry& e, const ast::TableDecl& t) {
    auto it = symbols_.find(t.name.text);
    if (it == symbols_.end() || it->second.kind != SymbolKind::table) return;
    Table& table = plan_.tables[it->second.index];
    Ctx c{e.file, Scope::plan, none, false};
    for (const auto& row : t.rows) {
        TableRow r;
        r.range = rng(e.file, row);
        r.text = text_of(e.file, row);
        auto bound_value = [&](const ast::Bound& b) {
            return constant_of(b.value, c, table.parameter_type, "a row bound");
        };
        const auto& bs = row.bounds;
        bool shape_ok = true;
        if (bs.size() == 1) {
            const std::string& k = bs[0].kind;
            auto v = bound_value(bs[0]);
            if (k == "from" || k == "above") {
                r.low = v ? std::optional<Rational>(v->number) : std::nullopt;
                r.low_inclusive = k == "from";
            } else if (k == "below" || k == "up to") {
                r.high = v ? std::optional<Rational>(v->number) : std::nullopt;
                r.high_inclusive = k == "up to";
            } else {
                shape_ok = false;
            }
            if (!v) continue;
        } else if (bs.size() == 2 && (bs[0].kind == "from" || bs[0].kind == "above") &&
                   (bs[1].kind == "to" || bs[1].kind == "to below")) {
            auto lo = bound_value(bs[0]);
            auto hi = bound_value(bs[1]);
            if (!lo || !hi) continue;
            r.low = lo->number;
            r.low_inclusive = bs[0].kind == "from";
            r.high = hi->number;
            r.high_inclusive = bs[1].kind == "to";
            if (*r.low > *r.high || (*r.low == *r.high && !(r.low_inclusive && r.high_inclusive))) {
                diags_.error(r.range, "this row covers no value: its lower bound is not below its upper bound");
                continue;
            }
        } else {
            shape_ok = false;
        }
        if (!shape_ok) {
            auto& d = diags_.error(r.range, "a row is `below X`, `up to X`, `from X`, `above X`, or a lower and "
                                            "an upper bound: `from X to Y`, `from X to below Y`, `above X to Y`");
            (void)d;
            continue;
        }
        auto v = constant_of(row.value, c, table.result_type, "a row's value");
        if (!v) continue;
        r.value = v->number;
        r.linear = row.linear;
        if (row.linear) {
            if (!row.value_to) {
                diags_.error(r.range, "`linear` needs both ends: `linear 0.50 to 1.00`");
                continue;
            }
            if (!r.low || !r.high) {
                diags_.error(r.range, "a `linear` row needs a lower and an upper bound");
                continue;
            }
            auto to = constant_of(*row.value_to, c, table.result_type, "a row's value");
            if (!to) continue;
            r.value_to = to->number;
            if (*r.low == *r.high) {
                // Kept as a plain row, so that the coverage checks below say nothing more.
                diags_.error(r.range, "a `linear` row needs its lower bound below its upper bound: it runs "
                                      "from one value to another");
                r.linear = false;
            } else {
                r.slope = (r.value_to - r.value) / (*r.high - *r.low);
            }
        } else if (row.value_to) {
            diags_.error(r.range, "`to` after a row's value is only for `linear` rows");
            continue;
        }
        table.rows.push_back(std::move(r));
    }
    // Rows in order of their lower bounds (unbounded first; at the same bound, the one that
    // includes it first).
    std::vector<const TableRow*> sorted;
    for (const auto& r : table.rows) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(), [](const TableRow* a, const TableRow* b) {
        if (!a->low) return b->low.has_value();
        if (!b->low) return false;
        return *a->low < *b->low || (*a->low == *b->low && a->low_inclusive && !b->low_inclusive);
    });
    report_overlaps(table, sorted);
    // Gaps between consecutive rows (in order of their lower bounds) are a warning.
    for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
        const TableRow& a = *sorted[i];
        const TableRow& b = *sorted[i + 1];
        if (!a.high || !b.low) continue;
        bool gap = *a.high < *b.low || (*a.high == *b.low && !a.high_inclusive && !b.low_inclusive);
        if (gap && *a.high == *b.low)
            diags_.warning(b.range, "table `{}` has no row for exactly {} (between `{}` and `{}`)", table.name,
                           a.high->to_string(), a.text, b.text);
        else if (gap)
            diags_.warning(b.range, "table `{}` has no row for values between {} and {} (between `{}` and `{}`)",
                           table.name, a.high->to_string(), b.low->to_string(), a.text, b.text);
    }
}

void Checker::compile_limit(const Entry& e, const ast::LimitDecl& l) {
    Limit limit;
    limit.name = l.name.text;
    limit.name_range = rng(e.file, l.name);
    if (e.scope == Scope::director) diags_.error(rng(e.file, l), "a `limit` is plan-wide; declare it outside `per director`");
    annotations(e.file, l.annotations, &limit.sources, &limit.notes, nullptr, "limit");
    const ast::Expression* cmp = top_comparison(l.condition);
    if (!cmp || (cmp->rest[0].op != "<=" && cmp->rest[0].op != "<")) {
        diags_.error(rng(e.file, l.condition), "a limit reads `total <= bound` (or `<`)");
        return;
    }
    Ctx c{e.file, Scope::plan, none, false};
    std::uint32_t a = compile(cmp->first, c);
    std::uint32_t b = compile(cmp->rest[0].operand, c);
    if (a == none || b == none) return;
    adapt_zero(a, b);
    if (!type_of(a).is_number() || !type_of(a).same(type_of(b))) {
        diags_.error(rng(e.file, *cmp), "cannot compare {} with {}", tname(type_of(a)), tname(type_of(b)));
        return;
    }
    limit.value = a;
    limit.bound = b;
    limit.strict = cmp->rest[0].op == "<";
    limit.type = type_of(a);
    if (l.allocation) {
        const ast::Allocation& al = *l.allocation;
        Allocation alloc;
        for (const auto& n : al.outputs) {
            auto it = symbols_.find(n.text);
            if (it == symbols_.end() || it->second.kind != SymbolKind::slot ||
                plan_.slots[it->second.index].kind != SlotKind::output ||
                plan_.slots[it->second.index].scope != Scope::director) {
                diags_.error(rng(e.file, n), "`{}` is not a per-director output; only those can be scaled", n.text);
                continue;
            }
            const Slot& out = plan_.slots[it->second.index];
            if (!out.type.is_number()) {
                diags_.error(rng(e.file, n), "`{}` is {}; only numbers can be scaled", n.text, tname(out.type));
                continue;
            }
            alloc.outputs.push_back(it->second.index);
        }
        alloc.mode = rounding_mode(al.mode).value_or(RoundingMode::half_even);
        std::uint32_t u = compile(al.unit, c);
        auto unit = u == none ? std::nullopt : fold(u);
        if (u != none && (!unit || unit->number.sign() <= 0)) {
            diags_.error(range_of(u), "the rounding unit must be a positive constant, as in `1 share`");
        } else if (unit) {
            for (std::uint32_t o : alloc.outputs) {
                if (!plan_.slots[o].type.same(type_of(u)))
                    diags_.error(range_of(u), "the rounding unit is {}, but `{}` is {}", tname(type_of(u)),
                                 plan_.slots[o].name, tname(plan_.slots[o].type));
            }
            alloc.unit = unit->number;
        }
        std::sort(alloc.outputs.begin(), alloc.outputs.end());
        limit.allocation = std::move(alloc);
    }
    for (const auto& other : plan_.limits) {
        if (other.name == limit.name) diags_.error(limit.name_range, "limit `{}` is already defined", limit.name);
    }
    plan_.limits.push_back(std::move(limit));
}

void Checker::compile_require(const Entry& e, const ast::RequireDecl& r) {
    Requirement req;
    req.name = r.name.text;
    req.name_range = rng(e.file, r.name);
    req.scope = e.scope;
    annotations(e.file, r.annotations, &req.sources, nullptr, &req.message, "require");
    Ctx c{e.file, e.scope, none, false};
    std::uint32_t n = compile(r.condition, c);
    if (n == none) return;
    if (type_of(n).kind != Kind::boolean) {
        diags_.error(range_of(n), "a requirement is a condition (true or false), not {}", tname(type_of(n)));
        return;
    }
    req.condition = n;
    if (req.message.empty()) req.message = fmt::format("requirement `{}` does not hold", req.name);
    for (std::size_t at = req.message.find('{'); at != std::string::npos; at = req.message.find('{', at + 1)) {
        std::size_t close = req.message.find('}', at);
        if (close == std::string::npos) break;
        std::string name = req.message.substr(at + 1, close - at - 1);
        auto it = symbols_.find(name);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot) {
            diags_.error(req.name_range, "the message of `{}` names `{{{}}}`, which is not a definition", req.name, name);
            continue;
        }
        if (plan_.slots[it->second.index].scope > e.scope) {
            diags_.error(req.name_range, "the message of `{}` names `{}`, a {} value", req.name, name,
                         scope_word(plan_.slots[it->second.index].scope));
            continue;
        }
        req.message_slots.push_back({name, it->second.index});
    }
    plan_.requirements.push_back(std::move(req));
}

void Checker::compile_test(const Entry& e, const ast::TestDecl& t) {
    PlanTest test;
    test.title = t.title.value;
    test.range = rng(e.file, t);
    if (e.scope != Scope::plan) diags_.error(test.range, "a `test` cannot be inside a `per` block");
    fs::path base = fs::path(sm_.file(e.file).path()).parent_path();
    test.inputs = (base / t.inputs.value).lexically_normal().string();
    test.inputs_range = rng(e.file, t.inputs);
    annotations(e.file, t.annotations, &test.sources, nullptr, nullptr, "test");
    Ctx c{e.file, Scope::plan, none, false};
    for (const auto& x : t.expectations) {
        Expectation ex;
        ex.violation = x.violation;
        ex.name = x.name.text;
        ex.range = rng(e.file, x);
        if (x.record) ex.record = *x.record;
        if (x.violation) {
            bool known = false;
            for (const auto& r : plan_.requirements) known = known || r.name == ex.name;
            for (const auto& l : plan_.limits) known = known || l.name == ex.name;
            if (!known) diags_.error(rng(e.file, x.name), "`{}` is not a `require` or a `limit`", ex.name);
            test.expectations.push_back(std::move(ex));
            continue;
        }
        auto it = symbols_.find(ex.name);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot) {
            diags_.error(rng(e.file, x.name), "unknown name `{}`", ex.name);
            continue;
        }
        const Slot& s = plan_.slots[it->second.index];
        if (s.scope == Scope::grant) {
            diags_.error(rng(e.file, x.name), "`{}` is a per-grant value; expect its total per director instead",
                         ex.name);
            continue;
        }
        if (s.scope == Scope::director && !x.record) {
            diags_.error(rng(e.file, x.name), "`{}` is a per-{} value: say whose, as in `expect {} for D03 = …`",
                         ex.name, plan_.directors.noun, ex.name);
            continue;
        }
        if (s.scope == Scope::plan && x.record) {
            diags_.error(rng(e.file, x.name), "`{}` is plan-wide: it has no `for`", ex.name);
            continue;
        }
        ex.slot = it->second.index;
        ex.type = s.type;
        if (s.type.kind == Kind::choice) {
            diags_.error(rng(e.file, x.name), "expectations on a {} are not supported; expect a test of it instead",
                         tname(s.type));
            continue;
        }
        std::uint32_t n = compile(*x.expected, c);
        n = expect_type(n, s.type, fmt::format("`{}`", ex.name));
        if (n == none) continue;
        auto v = fold(n);
        if (!v) {
            diags_.error(range_of(n), "an expected value must be a constant");
            continue;
        }
        ex.expected = *v;
        test.expectations.push_back(std::move(ex));
    }
    plan_.tests.push_back(std::move(test));
}

// --------------------------------------------------------------------------------------
// Lints: warnings with a one-line hint (`hoshu check --strict` makes them errors).

void Checker::used_slots(std::uint32_t n, std::vector<bool>& used) const {
    if (n == none) return;
    const Node& node = plan_.nodes[n];
    if (node.kind == NodeKind::slot || node.kind == NodeKind::present) used[node.aux] = true;
    used_slots(node.a, used);
    used_slots(node.b, used);
    used_slots(node.c, used);
    for (std::uint32_t i = 0; i < node.args_count; ++i) used_slots(plan_.args[node.args_begin + i], used);
}

/// A weighted sum — `30% * a + 30% * b + 15% * c + 25% * d` — whose weights (percent
/// constants or percent params) do not add up to 100%.
void Checker::lint_weights(std::uint32_t n, std::set<std::uint32_t>& seen) {
    if (n == none || !seen.insert(n).second) return;
    const Node& node = plan_.nodes[n];
    if (node.kind == NodeKind::add) {
        std::vector<std::uint32_t> terms;
        std::function<void(std::uint32_t)> flatten = [&](std::uint32_t t) {
            if (plan_.nodes[t].kind == NodeKind::add) {
                seen.insert(t);
                flatten(plan_.nodes[t].a);
                flatten(plan_.nodes[t].b);
            } else {
                terms.push_back(t);
            }
        };
        flatten(n);
        auto weight_of = [&](std::uint32_t t) -> std::optional<Rational> {
            const Node& m = plan_.nodes[t];
            if (m.kind != NodeKind::mul) return std::nullopt;
            for (std::uint32_t f : {m.a, m.b}) {
                const Node& factor = plan_.nodes[f];
                if (factor.type.dimensionless() && factor.type.style == RatioStyle::percent) {
                    if (auto v = fold(f)) return v->number;
                }
            }
            return std::nullopt;
        };
        Rational total;
        bool all = terms.size() >= 2;
        for (std::uint32_t t : terms) {
            auto w = weight_of(t);
            if (!w) {
                all = false;
                break;
            }
            total += *w;
        }
        if (all && total != Rational(1)) {
            auto& d = diags_.warning(node.range, "the weights of this weighted sum add up to {}%, not 100%",
                                     (total * Rational(100)).to_string());
            d.hint = "check each weight against the policy, or write the parts that are not weights without a percent";
        }
        for (std::uint32_t t : terms) lint_weights(t, seen);
        return;
    }
    lint_weights(node.a, seen);
    lint_weights(node.b, seen);
    lint_weights(node.c, seen);
    for (std::uint32_t i = 0; i < node.args_count; ++i) lint_weights(plan_.args[node.args_begin + i], seen);
}

/// A `monotone` table must never decrease, and its linear segments must join without a
/// jump (a step up from a constant row, such as a threshold, is deliberate).
void Checker::lint_table(const Table& t) {
    std::vector<const TableRow*> rows;
    for (const auto& r : t.rows) rows.push_back(&r);
    std::sort(rows.begin(), rows.end(), [](const TableRow* a, const TableRow* b) {
        if (!a->low) return b->low.has_value();
        if (!b->low) return false;
        return *a->low < *b->low;
    });
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const TableRow& r = *rows[i];
        if (r.linear && r.value_to < r.value) {
            auto& d = diags_.warning(r.range, "table `{}` is declared monotone, but this row decreases", t.name);
            d.hint = "a monotone payout curve never goes down as its argument goes up";
        }
        if (i == 0) continue;
        const TableRow& p = *rows[i - 1];
        Rational end = p.linear ? p.value_to : p.value;
        if (r.value < end) {
            auto& d = diags_.warning(r.range, "table `{}` is declared monotone, but it drops from {} to {} here",
                                     t.name, end.to_string(), r.value.to_string());
            d.hint = "a monotone payout curve never goes down as its argument goes up";
        } else if (r.value != end && p.linear) {
            auto& d = diags_.warning(r.range, "table `{}` jumps from {} to {} here", t.name, end.to_string(),
                                     r.value.to_string());
            d.hint = "make the rows meet, or drop `monotone` if the jump is meant";
        }
    }
}

void Checker::lint() {
    // Weighted sums.
    std::set<std::uint32_t> seen;
    for (const auto& s : plan_.slots) lint_weights(s.root, seen);
    // Tables.
    for (const auto& t : plan_.tables) {
        if (t.monotone) lint_table(t);
    }
    // Unused params, inputs and definitions: used by an output, a limit, a requirement,
    // a test, an input path or the `as of` date, directly or through others.
    std::vector<bool> used(plan_.slots.size(), false);
    std::vector<std::uint32_t> stack;
    auto mark = [&](std::uint32_t s) {
        if (!used[s]) {
            used[s] = true;
            stack.push_back(s);
        }
    };
    std::vector<bool> direct(plan_.slots.size(), false);
    for (const auto& l : plan_.limits) {
        used_slots(l.value, direct);
        used_slots(l.bound, direct);
    }
    for (const auto& r : plan_.requirements) {
        used_slots(r.condition, direct);
        for (const auto& m : r.message_slots) direct[m.second] = true;
    }
    for (const auto& t : plan_.tests) {
        for (const auto& e : t.expectations) {
            if (e.slot != none) direct[e.slot] = true;
        }
    }
    for (const auto& s : plan_.series) {
        for (const auto& step : s.input.path) {
            if (step.slot != none) direct[step.slot] = true;
        }
    }
    if (plan_.as_of_slot != none) direct[plan_.as_of_slot] = true;
    for (std::uint32_t n : constant_nodes_) used_slots(n, direct);
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        if (direct[s] || plan_.slots[s].kind == SlotKind::output) mark(s);
    }
    // A param's every dated version and an input's default count too: collect their
    // references once, then follow everything from the roots.
    std::vector<std::vector<std::uint32_t>> extra(plan_.slots.size());
    {
        std::vector<bool> scratch(plan_.slots.size(), false);
        for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
            const Slot& sl = plan_.slots[s];
            if (sl.versions.size() <= 1 && sl.input.default_node == none) continue;
            std::fill(scratch.begin(), scratch.end(), false);
            for (const auto& v : sl.versions) used_slots(v.node, scratch);
            used_slots(sl.input.default_node, scratch);
            for (std::uint32_t t = 0; t < scratch.size(); ++t) {
                if (scratch[t]) extra[s].push_back(t);
            }
        }
    }
    while (!stack.empty()) {
        std::uint32_t s = stack.back();
        stack.pop_back();
        for (const auto& [t, where] : deps_[s]) mark(t);
        for (std::uint32_t t : extra[s]) mark(t);
    }
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        const Slot& sl = plan_.slots[s];
        if (!used[s]) {
            const char* what = sl.kind == SlotKind::param ? "param" : sl.kind == SlotKind::input ? "input" : "value";
            auto& d = diags_.warning(sl.name_range, "{} `{}` is never used", what, sl.name);
            d.hint = "no output, limit, requirement or test depends on it: remove it, or use it";
        }
        const bool ranged = sl.input.low || sl.input.high || sl.input.low_node != none || sl.input.high_node != none;
        if (sl.kind == SlotKind::input && (sl.type.is_number() || sl.type.kind == Kind::date) && !ranged) {
            auto& d = diags_.warning(sl.name_range, "input `{}` has no declared range", sl.name);
            d.hint = "add one, as in: range ¥0 to ¥100,000,000, so that a wrong figure is caught when it is read";
        }
        if (options_.strict && sl.kind != SlotKind::input && sl.sources.empty()) {
            auto& d = diags_.warning(sl.name_range, "`{}` cites no clause", sl.name);
            d.hint = "add a `source CLAUSE \"quoted text\"` line under it";
        }
    }
    if (options_.strict) {
        for (const auto& t : plan_.tables) {
            if (t.sources.empty()) diags_.warning(t.name_range, "table `{}` cites no clause", t.name).hint =
                "add a `source CLAUSE \"quoted text\"` line under it";
        }
        for (const auto& l : plan_.limits) {
            if (l.sources.empty()) diags_.warning(l.name_range, "limit `{}` cites no clause", l.name).hint =
                "add a `source CLAUSE \"quoted text\"` line under it";
        }
    }
}

void Checker::check_cycles() {
    enum class Mark { none, visiting, done };
    std::vector<Mark> mark(plan_.slots.size(), Mark::none);
    std::vector<std::uint32_t> stack;
    std::function<void(std::uint32_t)> visit = [&](std::uint32_t s) {
        mark[s] = Mark::visiting;
        stack.push_back(s);
        for (const auto& [t, where] : deps_[s]) {
            if (mark[t] == Mark::visiting) {
                auto start = std::find(stack.begin(), stack.end(), t);
                std::string path;
                for (auto i = start; i != stack.end(); ++i) path += plan_.slots[*i].name + " → ";
                path += plan_.slots[t].name;
                if (t == s)
                    diags_.error(where, "`{}` refers to itself", plan_.slots[s].name);
                else
                    diags_.error(where, "definitions refer to each other in a cycle: {}", path);
            } else if (mark[t] == Mark::none) {
                visit(t);
            }
        }
        stack.pop_back();
        mark[s] = Mark::done;
    };
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        if (mark[s] == Mark::none) visit(s);
    }
}

std::optional<Plan> Checker::run(const std::vector<dsl::FileId>& files) {
    collect(files);
    define_slots();
    // Params first, so that constant folding (rounding units, table bounds) can see them.
    for (const auto& e : slot_entries_) {
        if (boost::get<ast::ParamDecl>(&e.decl->get())) compile_slot(e);
    }
    for (const auto& e : slot_entries_) {
        if (!boost::get<ast::ParamDecl>(&e.decl->get())) compile_slot(e);
    }
    for (std::size_t i = 0; i < info_entries_.size(); ++i)
        compile_info(info_entries_[i], boost::get<ast::InputDecl>(info_entries_[i].decl->get()), plan_.infos[i]);
    for (const auto& e : entries_) {
        const auto& d = e.decl->get();
        if (auto const* t = boost::get<ast::TableDecl>(&d)) compile_table(e, *t);
        if (auto const* l = boost::get<ast::LimitDecl>(&d)) compile_limit(e, *l);
        if (auto const* r = boost::get<ast::RequireDecl>(&d)) compile_require(e, *r);
        if (auto const* s = boost::get<ast::SeriesDecl>(&d)) {
            auto it = symbols_.find(s->name.text);
            if (it != symbols_.end() && it->second.kind == SymbolKind::series)
                plan_.series[it->second.index].input = input_path(e.file, s->path, Scope::plan, none);
        }
        if (auto const* dd = boost::get<ast::DirectorsDecl>(&d)) {
            DirectorsSpec& spec = dd->keyword == "grants" ? plan_.grants : plan_.directors;
            spec.noun = dd->keyword == "grants" ? "grant" : dd->keyword == "items" ? "item" : "director";
            if (spec.declared) diags_.error(rng(e.file, *dd), "`{}` is already declared", dd->keyword);
            if (e.scope != Scope::plan)
                diags_.error(rng(e.file, *dd), "`{}` cannot be inside a `per` block", dd->keyword);
            spec.declared = true;
            spec.input = input_path(e.file, dd->path, Scope::plan, none);
            spec.id_key = dd->id_key.text;
            spec.range = rng(e.file, *dd);
        }
    }
    for (const auto& e : entries_) {
        if (auto const* t = boost::get<ast::TestDecl>(&e.decl->get())) compile_test(e, *t);
    }
    check_cycles();
    order_outputs();
    if (!diags_.has_errors()) drop_proven_range_checks();
    if (plan_decl_ && plan_decl_->as_of) {
        const ast::Name& n = *plan_decl_->as_of;
        auto it = symbols_.find(n.text);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot ||
            plan_.slots[it->second.index].kind != SlotKind::input ||
            plan_.slots[it->second.index].scope != Scope::plan ||
            plan_.slots[it->second.index].type.kind != Kind::date) {
            diags_.error(rng(plan_decl_file_, n), "`as of` names a plan-wide date input, as in: as of grant_date");
        } else {
            plan_.as_of_slot = it->second.index;
        }
    }
    if (plan_decl_ && plan_decl_->shared_inputs) share_inputs(*plan_decl_->shared_inputs);
    for (const auto& [word, where] : record_words_) {
        if (plan_.directors.declared && word != plan_.directors.noun)
            diags_.error(where, "the records of this plan are {}s (`{} at …`), not {}s", plan_.directors.noun,
                         plan_.directors.noun + "s", word);
    }
    bool uses_grants = false;
    for (const auto& s : plan_.slots) uses_grants = uses_grants || s.scope == Scope::grant;
    if (uses_grants && !plan_.grants.declared) {
        auto& d = diags_.error(SourceRange{}, "the plan has per-grant declarations but no `grants at …`");
        d.hint = "say where the ledger of grants is, as in: grants at ledger(director)";
    }
    bool uses_directors = false;
    for (const auto& s : plan_.slots) uses_directors = uses_directors || s.scope == Scope::director;
    if (uses_directors && !plan_.directors.declared && !files.empty()) {
        auto& d = diags_.error(SourceRange{}, "the plan has per-director declarations but no `directors at …`");
        d.hint = "say where the directors are listed, as in: directors at directors(id)";
    }
    if (!plan_declared_ && !files.empty()) {
        auto& d = diags_.error(SourceRange{}, "no `plan` declaration in the rule files");
        d.hint = "add one, as in: plan \"Director compensation 2024\" effective 2024-06-27";
    }
    if (!diags_.has_errors()) lint();
    for (dsl::FileId f : files) {
        plan_.files.push_back(sm_.file(f).path());
        plan_.file_ids.push_back(f);
    }
    if (diags_.has_errors()) return std::nullopt;
    return std::move(plan_);
}

/// A file or folder as the system knows it, whatever the path that names it: (device, inode).
using FileKey = std::pair<std::uint64_t, std::uint64_t>;

std::optional<FileKey> file_key(const fs::path& p) {
    struct ::stat st {};
    if (::stat(p.c_str(), &st) != 0) return std::nullopt;
    return FileKey{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

/// Why a path cannot be read as a rule file (empty when it can): a symbolic link that
/// loops or leads nowhere, a FIFO, a device. A folder is "a folder".
std::string unreadable_reason(const fs::path& p) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec) return ec.message();
    if (fs::is_regular_file(st)) return {};
    if (fs::is_directory(st)) return "a folder, not a file";
    return fs::is_fifo(st) ? "not a regular file (a FIFO)" : "not a regular file";
}

/// The .hoshu files of a folder, in name order, each folder listed once (`visited`: a folder
/// reached again through a symbolic link or a second import adds nothing). An entry named
/// *.hoshu that cannot be read — a looping or dangling symbolic link, a FIFO — is an error
/// naming it (at `where`, the import, if any); a folder named *.hoshu is passed over.
std::vector<fs::path> list_rule_files(const fs::path& dir, std::set<FileKey>& visited, dsl::Diagnostics& diags,
                                      SourceRange where) {
    std::vector<fs::path> out;
    if (auto key = file_key(dir); key && !visited.insert(*key).second) return out;
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() != ".hoshu") continue;
        std::string why = unreadable_reason(p);
        if (why == "a folder, not a file") continue;
        if (!why.empty()) {
            diags.error(where, "cannot read rule file `{}`: {}", p.string(), why);
            continue;
        }
        out.push_back(p);
    }
    if (ec) diags.error(where, "cannot read folder `{}`: {}", dir.string(), ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

/// Warn about characters that a reviewer does not see, or sees other than hoshu reads
/// them ("Trojan Source": bidirectional controls that reorder the text on screen, zero-width
/// characters, other control characters): the first few of each file, then a count. A byte
/// order mark that opens the file is allowed.
void warn_hidden_characters(const dsl::SourceFile& f, dsl::FileId id, dsl::Diagnostics& diags) {
    constexpr std::size_t shown = 5;
    const std::string& text = f.text();
    std::size_t from = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    std::size_t count = 0;
    while (auto h = dsl::find_hidden_character(text, from, false)) {
        from = h->offset + h->length;
        if (++count > shown) continue;
        auto& d = diags.warning(SourceRange::in(id, static_cast<std::uint32_t>(h->offset), static_cast<std::uint32_t>(from)),
                                "hidden character {} in a rule file", dsl::describe_hidden(h->code_point));
        d.hint = "it can make the text show differently from what hoshu reads (\"Trojan Source\"); remove it";
    }
    if (count > shown)
        diags.warning(SourceRange::in(id, 0, 0), "{} more hidden characters in this file", count - shown);
}

}  // namespace

std::optional<Plan> check_files(dsl::SourceManager& sm, const std::vector<dsl::FileId>& files,
                                dsl::Diagnostics& diags, CheckOptions options) {
    for (dsl::FileId f : files) warn_hidden_characters(sm.file(f), f, diags);
    Checker checker(sm, diags, options);
    auto plan = checker.run(files);
    diags.sort();
    return plan;
}

std::optional<Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, dsl::Diagnostics& diags,
                              CheckOptions options) {
    std::error_code ec;
    fs::path root(dir);
    if (!fs::is_directory(root, ec)) {
        if (fs::is_regular_file(root, ec) && root.extension() == ".hoshu") {
            root = root.parent_path().empty() ? fs::path(".") : root.parent_path();
        } else {
            diags.error(SourceRange{}, "cannot read plan `{}`: not a folder of .hoshu files", dir);
            return std::nullopt;
        }
    }
    std::set<FileKey> folders;
    std::vector<fs::path> paths = list_rule_files(root, folders, diags, SourceRange{});
    if (paths.empty() && !diags.has_errors()) {
        diags.error(SourceRange{}, "no .hoshu rule files in `{}`", dir);
        return std::nullopt;
    }
    // Imports: `import "../common"` brings in a file or every .hoshu file of a folder,
    // relative to the importing file. Followed transitively, each file and folder once.
    std::vector<dsl::FileId> ids;
    std::set<FileKey> seen;
    std::vector<fs::path> queue = paths;
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
        fs::path p = queue[qi].lexically_normal();
        if (auto key = file_key(p); key && !seen.insert(*key).second) continue;
        std::string text, why;
        if (!dsl::read_regular_file(p.string(), text, why)) {
            diags.error(SourceRange{}, "cannot read rule file `{}`: {}", p.string(), why);
            continue;
        }
        std::size_t bad = 0;
        dsl::FileId id = sm.add(p.string(), std::move(text));
        if (!dsl::valid_utf8(sm.file(id).text(), &bad)) {
            diags.error(SourceRange::in(id, static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad + 1)),
                        "this file is not valid UTF-8");
            continue;
        }
        ids.push_back(id);
        // Find import declarations cheaply: the checker reports their syntax errors.
        std::istringstream lines(sm.file(id).text());
        std::uint32_t offset = 0;
        for (std::string line; std::getline(lines, line); offset += static_cast<std::uint32_t>(line.size() + 1)) {
            auto start = line.find_first_not_of(" \t", offset == 0 && line.starts_with("\xEF\xBB\xBF") ? 3 : 0);
            if (start == std::string::npos || line.compare(start, 7, "import ") != 0) continue;
            auto q1 = line.find('"', start);
            auto q2 = q1 == std::string::npos ? q1 : line.find('"', q1 + 1);
            if (q2 == std::string::npos) continue;
            fs::path target = p.parent_path() / line.substr(q1 + 1, q2 - q1 - 1);
            SourceRange where = SourceRange::in(id, offset + static_cast<std::uint32_t>(q1),
                                                offset + static_cast<std::uint32_t>(q2 + 1));
            std::string reason = unreadable_reason(target);
            if (reason == "a folder, not a file") {
                auto more = list_rule_files(target, folders, diags, where);
                queue.insert(queue.end(), more.begin(), more.end());
            } else if (reason.empty()) {
                queue.push_back(target);
            } else {
                diags.error(where, "cannot import `{}`: {}", target.string(), reason);
            }
        }
    }
    if (diags.has_errors()) {
        diags.sort();
        return std::nullopt;
    }
    return check_files(sm, ids, diags, options);
}

}  // namespace hoshu::eval
