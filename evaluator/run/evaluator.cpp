#include "evaluator/run/session.hpp"

#include "dsl/base/text.hpp"
#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/program.hpp"
#include "evaluator/ir/walk.hpp"
#include "evaluator/run/input_keys.hpp"
#include "evaluator/run/values.hpp"

#include <algorithm>
#include <cassert>
#include <deque>
#include <map>
#include <unordered_map>
#include <utility>

namespace hoshu::eval {

using dsl::SourceRange;

namespace {

/// Thrown inside the evaluator only; the Session turns it into diagnostics.
struct EvalFailure {
    dsl::Diagnostics diags;
};

/// Where a formula is evaluated: plan-wide (-1, -1), for a director (d, -1), or for one
/// grant of the ledger (its director, g).
struct Where {
    int director = -1;
    int grant = -1;
};

}  // namespace

class Evaluator {
public:
    Evaluator(const Plan& plan, const InputFile& in, const EvalOptions& options)
        : plan_(plan), in_(in), options_(options) {}

    const Outcome& run();
    /// Read the directors and the ledger and check the inputs, once; what fails is
    /// reported again on every later call.
    void start();
    void reset();
    void set_overrides(std::span<const InputOverride> overrides);
    const Value& slot_value(std::uint32_t s, int director, int grant) { return slot(s, Where{director, grant}); }
    bool slot_present(std::uint32_t s, int director, int grant) {
        return ensure(s, Where{director, grant}) != State::absent;
    }
    Value node_value(std::uint32_t n, int director, int grant) { return eval(n, Where{director, grant}); }
    std::vector<int> grants_of(int director) const {
        return director >= 0 && static_cast<std::size_t>(director) < grants_of_.size()
                   ? grants_of_[static_cast<std::size_t>(director)]
                   : std::vector<int>{};
    }
    std::optional<Rational> scale_factor(std::uint32_t s) const {
        auto it = scale_.find(s);
        if (it == scale_.end()) return std::nullopt;
        return it->second.first;
    }
    std::optional<std::pair<Date, Value>> last_entry(std::uint32_t index, Date date) {
        const auto& entries = series(index);
        auto it = std::lower_bound(entries.begin(), entries.end(), date,
                                   [](const auto& e, Date x) { return e.first < x; });
        if (it == entries.begin()) return std::nullopt;
        return *std::prev(it);
    }
    const Outcome& state() const { return out_; }
    std::vector<std::pair<InputFile::Node, std::string>> record_keys() const {
        std::vector<std::pair<InputFile::Node, std::string>> out;
        for (std::size_t d = 0; d < records_.size(); ++d)
            out.emplace_back(in_.child(records_[d], plan_.directors.id_key),
                             fmt::format("the id of {} {}", plan_.directors.noun, out_.directors[d].id));
        for (std::size_t g = 0; g < grant_records_.size(); ++g)
            out.emplace_back(in_.child(grant_records_[g], plan_.grants.id_key),
                             fmt::format("the {} of ledger entry {}", plan_.directors.noun, g + 1));
        return out;
    }

private:
    enum class State : std::uint8_t { pending, running, done, absent };
    void prepare();

    Where where_of(int director) const { return Where{director, -1}; }
    [[noreturn]] void fail(SourceRange where, std::string message, std::string hint = {}) {
        EvalFailure f;
        auto& d = f.diags.add(dsl::Severity::error, where, std::move(message));
        d.hint = std::move(hint);
        throw f;
    }
    /// "in `annual_rate` (C5) for director D03": where an error happened.
    std::string context(Where w) const;
    [[noreturn]] void fail_in(SourceRange where, const std::string& what, Where w) {
        fail(where, what + " " + context(w));
    }

    void load_directors();
    void load_grants();
    void check_record_key(InputFile::Node node, const std::string& key, const std::string& what);
    /// Check the whole inputs file once, before anything is evaluated: every key is one the
    /// plan reads, and every value a declaration reads — needed this year or not — has
    /// its type and lies in its declared range; every series entry is read.
    void check_inputs();
    /// Whether an input's value lies in its declared range; the failure names the input,
    /// the record and the clauses. `w` is where the range's computed ends are evaluated
    /// (nullopt: not known, and only constant ends are checked).
    void check_input_range(const Slot& s, const Value& v, std::optional<Where> w, SourceRange at);
    /// One check of a value of the inputs (or its override) by a declaration that reads it:
    /// its type and range, for the record it belongs to when known.
    struct ValueCheck {
        KeyPatterns::Reader reader;
        std::optional<Where> w;
    };
    void check_value(const ValueCheck& c, InputFile::Node node);
    /// Check again what overrides changed since the last run: the values overridden (read
    /// or not), and values whose range has an end computed from a changed definition.
    void check_changed_values();
    /// The row of memo_ and state_ that holds a definition's value for `w`.
    std::size_t row(const Slot& s, Where w) const {
        switch (s.scope) {
            case Scope::plan: return 0;
            case Scope::director:
                assert(w.director >= 0);
                return 1 + static_cast<std::size_t>(w.director);
            case Scope::grant:
                assert(w.grant >= 0);
                return 1 + records_.size() + static_cast<std::size_t>(w.grant);
        }
        return 0;
    }
    State ensure(std::uint32_t s, Where w);
    /// A definition's value, computed first if it is not known yet.
    const Value& slot(std::uint32_t s, Where w) {
        const std::size_t at = row(plan_.slots[s], w) * plan_.slots.size() + s;
        if (state_[at] != State::done) [[unlikely]] return compute(s, w, at);
        return memo_[at];
    }
    const Value& compute(std::uint32_t s, Where w, std::size_t at);
    /// The value of node n: its compiled program run (compiled on first use), or the
    /// remembered value of a plan-wide part.
    Value eval(std::uint32_t n, Where w, bool computing_hoisted = false);
    /// The value of node n, read in place when it is a constant or a definition (no program
    /// run for a formula that only names one), otherwise eval(n, w).
    Value value_of(std::uint32_t n, Where w) {
        const Node& node = plan_.nodes[n];
        if (node.kind == NodeKind::constant) return plan_.constants[node.aux];
        if (node.kind == NodeKind::slot) return slot(node.aux, w);
        return eval(n, w);
    }
    Value run(const Program& p, std::uint32_t root, Where w);
    /// run() as recorded (Record) or not; `record` is the open record it writes to.
    template <bool Record>
    Value run_program(const Program& p, std::uint32_t root, Where w, int record);
    /// What one instruction found wrong, reported by run() (replay gives up instead).
    enum class Fault : std::uint8_t { none, division_by_zero, clamp_crossed, no_row, out_of_range };
    /// The arithmetic, comparisons and choices of one instruction: `out` is its target
    /// register, x, y (and z, the divisor of a fused product) its operands in place.
    /// Shared by run() and replay.
    inline Fault step(const Instr& in, Value& out, const Value& x, const Value& y, const Value& z) const;
    [[noreturn, gnu::cold, gnu::noinline]] void fail_step(Fault f, const Instr& in, const Value& out, const Value& x,
                                                          const Value& y, Where w);
    bool op_present(const Instr& in, Where w);
    Value op_hoisted(const Instr& in, Where w);
    std::optional<Value> read_input(const Slot& s, Where w, std::size_t at);
    const InputOverride* override_of(InputFile::Node n) const {
        if (override_index_.empty()) return nullptr;
        auto it = override_index_.find(n.ptr);
        return it == override_index_.end() ? nullptr : &overrides_[it->second];
    }
    /// The start of the inputs file: where a key missing at its top level is reported.
    SourceRange top_of_file() const { return SourceRange::in(in_.file(), 0, 0); }
    SourceRange where_of(InputFile::Node n) const {
        const InputOverride* ov = override_of(n);
        return ov ? ov->where : in_.range(n);
    }
    /// A value of the inputs (or its override) as `type`.
    Value read_value(const InputFile::Node& node, const Type& type, const std::string& what);
    Value convert_override(const InputOverride& ov, const Type& type, const std::string& what);
    void build_dependents();
    /// Mark the plan-wide parts of per-director and per-grant formulas (a subexpression
    /// that reads only plan-wide definitions): each is computed once per evaluation and
    /// shared by every director, not once per director.
    void build_hoists();
    Value eval_hoisted(std::uint32_t n, Where w);
    /// Whether node n is a plan-wide part (evaluated once, through eval_hoisted()).
    bool hoisted(std::uint32_t n) const { return !hoist_of_node_.empty() && hoist_of_node_[n] != none; }
    [[gnu::noinline]] Value eval_rare(std::uint32_t n, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_too_deep(const Node& node, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_division(const Node& node, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_clamp(const Node& node, const Value& lo, const Value& hi, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_range(const Node& node, const Value& v, const Value& lo,
                                                           const Value& hi, Where w);
    /// Forget the definitions that depend on these (and the given input reads).
    void invalidate(const std::vector<std::uint32_t>& slots, const std::vector<std::uint32_t>& series, bool seeds_too);
    InputFile::Node walk(const InputSpec& spec, InputFile::Node base, Where w, const std::string& what,
                         InputFile::Node* parent_out, std::string* missing_key);
    Value convert(const InputFile::Node& node, const Type& type, const std::string& what);
    const std::vector<std::pair<Date, Value>>& series(std::uint32_t index);
    std::optional<Date> as_of();
    void evaluate_all();
    /// A text read or made during evaluation, interned: the same text has the same id, so
    /// repeated evaluations (what-if runs) do not grow the table.
    std::int64_t add_text(std::string s) {
        auto it = text_ids_.find(s);
        if (it != text_ids_.end()) return it->second;
        auto id = static_cast<std::int64_t>(plan_.texts.size() + out_.texts.size());
        text_ids_.emplace(s, id);
        out_.texts.push_back(std::move(s));
        return id;
    }
    const std::string& text(std::int64_t id) const { return out_.text(plan_, id); }
    std::string show(const Type& t, const Value& v) const { return value_text(plan_, out_, t, v); }
    int compare(Kind kind, const Value& a, const Value& b) const;
    int compare(const Type& t, const Value& a, const Value& b) const { return compare(t.kind, a, b); }

    const Plan& plan_;
    const InputFile& in_;
    EvalOptions options_;
    Outcome out_;
    bool started_ = false;
    std::optional<dsl::Diagnostics> start_failure_;   // what start() found wrong, reported on every call
    // The checks of every value a declaration reads (by the value's node), those whose
    // range has a computed end, and what overrides changed since they were last run.
    std::unordered_map<const void*, std::vector<ValueCheck>> value_checks_;
    std::vector<std::pair<const void*, ValueCheck>> computed_range_checks_;
    std::vector<const void*> overrides_to_check_;
    std::vector<std::uint8_t> recheck_range_;   // per slot: an input whose computed range end changed
    bool any_recheck_ = false;
    std::vector<InputFile::Node> records_;          // directors
    std::vector<InputFile::Node> grant_records_;    // ledger
    std::vector<std::vector<int>> grants_of_;       // per director
    std::vector<Value> memo_;                       // rows (plan, directors, grants) × slots
    std::vector<State> state_;
    std::vector<std::uint32_t> active_;             // definitions being evaluated (for messages)
    std::map<std::uint32_t, std::vector<std::pair<Date, Value>>> series_;
    std::map<std::uint32_t, std::pair<Rational, const Allocation*>> scale_;   // pro rata factors
    std::optional<std::optional<Date>> as_of_;
    int depth_ = 0;
    std::map<std::string, std::int64_t> text_ids_;
    // How messages name each definition ("`revenue`") and series ("series `prices`").
    std::vector<std::string> slot_what_, series_what_;
    // Compiled formulas (per node, on first use; a deque keeps them in place) and the
    // register stack their runs share.
    std::vector<const Program*> program_of_node_;
    std::deque<Program> programs_;
    std::vector<Value> regs_;
    std::size_t top_ = 0;
    std::vector<std::uint32_t> recomputed_;   // slots reset() forgets: not inputs, not params
    // What-if runs: overrides of input values, which memo entries read which input value,
    // and which definitions depend (directly) on each definition and series.
    std::vector<InputOverride> overrides_;
    std::unordered_map<const void*, std::size_t> override_index_;
    std::unordered_map<const void*, std::vector<std::size_t>> input_reads_;
    struct SeriesRead {
        std::uint32_t series = 0, entry = 0;
        bool date = false;
    };
    std::unordered_map<const void*, SeriesRead> series_reads_;
    std::vector<std::vector<const void*>> series_changed_;   // per series: value nodes to read again
    // Scratch lists of set_overrides() and invalidate(), kept to run without allocating.
    std::vector<const void*> changed_;
    std::vector<std::uint32_t> seed_slots_, seed_series_, work_, dirty_list_;
    std::vector<std::vector<std::uint32_t>> slot_dependents_, series_dependents_;
    std::vector<std::uint8_t> dirty_;
    bool dependents_built_ = false;
    std::vector<std::uint32_t> hoist_of_node_;   // per node: its index among the plan-wide parts, or none
    std::vector<Value> hoist_value_;
    std::vector<std::uint8_t> hoist_valid_;
    std::vector<std::vector<std::uint32_t>> hoists_of_slot_, hoists_of_series_;   // what each part reads
    // Per-director requirements: per requirement × director, 0 unknown, 1 holds, 2 fails;
    // and the requirements whose condition reads each definition and series.
    std::vector<std::uint8_t> requirement_held_;
    std::vector<std::vector<std::uint32_t>> requirements_of_slot_, requirements_of_series_;
    void forget_requirement(std::uint32_t i) {
        const std::size_t n = records_.size();
        std::fill(requirement_held_.begin() + static_cast<std::ptrdiff_t>(i * n),
                  requirement_held_.begin() + static_cast<std::ptrdiff_t>((i + 1) * n), 0);
    }
    static constexpr int max_eval_depth = 50'000;

    // Replay (remember_paths()). An evaluation is recorded as the definitions and
    // plan-wide parts it computed, in the order they were finished, each with the
    // instructions its program executed: operands found in place, each branch a check that
    // it goes the same way. The next evaluation replays a record straight through before
    // anything else: a definition already known is skipped, one whose branch goes the
    // other way ends that record (what it computed so far stands), and whatever is still
    // unknown is then evaluated as usual — and recorded, for the paths that go that way.
    // Replay computes nothing that is not a definition's value, and gives up rather than
    // report a failure, which the usual evaluation reports if the outputs need that value.
public:
    void remember_paths();
    void replay();

private:
    struct TraceOp {
        Instr in;                          // jumps are left out; a branch keeps which way it went in `aux`
        std::uint32_t xat = 0, yat = 0;    // where an operand that is a definition is kept in memo_
        Mode zm = Mode::reg;               // mul_div, mul_div_round: the divisor, as X and Y are given
        std::uint32_t z = 0, zat = 0;
    };
    struct TraceCell {
        enum class Kind : std::uint8_t { slot, hoist, requirement, other } kind = Kind::slot;
        std::uint32_t index = 0;           // the slot, the plan-wide part, or the requirement
        Where w;
        std::uint32_t at = 0;              // slot: where its value is kept in memo_; requirement: in requirement_held_
        std::uint32_t first = 0, count = 0;   // its instructions in Trace::ops
        std::uint16_t registers = 0;
    };
    struct Trace {
        std::vector<TraceCell> cells;
        std::vector<TraceOp> ops;
    };
    struct OpenRecord {
        TraceCell cell;
        std::vector<TraceOp> ops;
    };
    void open_record(TraceCell cell);
    void close_record();
    void record_other(std::uint32_t s, Where w);
    void stop_recording();
    void keep_recording();
    /// Replay trace t; the number of its cells it went through (all, or up to the one
    /// whose branch went the other way).
    std::uint32_t replay_trace(std::size_t t);
    bool replay_cell(const Trace& trace, const TraceCell& c);
    static constexpr std::size_t max_traces = 8;
    /// Whether a per-director requirement holds for a director (recorded when recording).
    bool holds(std::uint32_t requirement, Where w);
    bool replay_on_ = false;
    bool recording_on_ = false;
    bool fresh_ = true;                         // nothing computed yet (start, reset): nothing to record
    std::vector<Trace> traces_;                 // most recently useful first
    Trace recorded_;                            // the evaluation being recorded
    std::vector<OpenRecord> recording_;         // definitions being recorded, innermost last
    std::size_t open_records_ = 0;
    int record_into_ = -1;                      // the open record the next run() writes to
    Value replay_held_;                         // a replayed requirement's result
    std::vector<std::pair<std::uint32_t, std::uint32_t>> replayed_;   // (trace, cells it went through) this time
};

namespace {
std::string clause_list(const std::vector<Citation>& sources) {
    std::string clauses;
    for (const auto& c : sources) {
        if (clauses.find(c.clause) == std::string::npos) clauses += (clauses.empty() ? "" : ", ") + c.clause;
    }
    return clauses;
}
}  // namespace

std::string Evaluator::context(Where w) const {
    std::string out;
    if (!active_.empty()) {
        const Slot& s = plan_.slots[active_.back()];
        out = fmt::format("in `{}`", s.name);
        std::string clauses = clause_list(s.sources);
        if (!clauses.empty()) out += fmt::format(" ({})", clauses);
    }
    if (w.director >= 0) {
        out += fmt::format("{}for {} {}", out.empty() ? "" : " ", plan_.directors.noun,
                           out_.directors[static_cast<std::size_t>(w.director)].id);
    }
    if (w.grant >= 0) out += fmt::format(", ledger entry {}", w.grant + 1);
    return out;
}

int Evaluator::compare(Kind kind, const Value& a, const Value& b) const {
    if (kind == Kind::number) {
        auto c = a.number <=> b.number;
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (kind == Kind::text) {
        int c = text(a.word).compare(text(b.word));
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return a.word < b.word ? -1 : a.word > b.word ? 1 : 0;
}

void Evaluator::load_directors() {
    if (!plan_.directors.declared) return;
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(plan_.directors.input, in_.root(), {}, "the list of directors", &parent, &missing);
    if (!list) {
        // Located in the inputs file: in the table that lacks the key, or at its top.
        fail(parent && parent.ptr != in_.root().ptr ? in_.range(parent) : top_of_file(),
             fmt::format("the inputs have no `{}`: the list of {}s ([[{}]] records)", missing,
                         plan_.directors.noun, plan_.directors.input.path_text));
    }
    if (in_.kind(list) != InputKind::array) {
        fail(in_.range(list), fmt::format("`{}` must list the directors as [[{}]] records, but it is {}",
                                          plan_.directors.input.path_text, plan_.directors.input.path_text,
                                          describe(in_.kind(list))));
    }
    std::map<std::string, InputFile::Node> seen;
    for (std::size_t i = 0; i < in_.size(list); ++i) {
        InputFile::Node rec = in_.element(list, i);
        if (in_.kind(rec) != InputKind::table)
            fail(in_.range(rec), fmt::format("a director must be a table, not {}", describe(in_.kind(rec))));
        InputFile::Node id_node = in_.child(rec, plan_.directors.id_key);
        if (!id_node)
            fail(in_.range(rec), fmt::format("director number {} has no `{}`", i + 1, plan_.directors.id_key));
        auto id = in_.text(id_node);
        if (!id) throw EvalFailure{id.error()};
        if (id->empty()) fail(in_.range(id_node), "a director's id must not be empty");
        check_record_key(id_node, *id, "the " + plan_.directors.noun + " id");
        auto [it, inserted] = seen.emplace(*id, id_node);
        if (!inserted) {
            EvalFailure f;
            f.diags.error(in_.range(id_node), "director `{}` is listed twice", *id);
            f.diags.note(in_.range(it->second), "first listed here");
            throw f;
        }
        records_.push_back(rec);
        out_.directors.push_back(DirectorOutcome{*id, {}});
    }
    grants_of_.assign(records_.size(), {});
}

void Evaluator::load_grants() {
    if (!plan_.grants.declared) return;
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(plan_.grants.input, in_.root(), {}, "the ledger", &parent, &missing);
    if (!list) return;   // no ledger in this year's inputs: no earlier grants
    if (in_.kind(list) != InputKind::array) {
        fail(in_.range(list), fmt::format("`{}` must list grants as [[{}]] records, but it is {}",
                                          plan_.grants.input.path_text, plan_.grants.input.path_text,
                                          describe(in_.kind(list))));
    }
    for (std::size_t i = 0; i < in_.size(list); ++i) {
        InputFile::Node rec = in_.element(list, i);
        if (in_.kind(rec) != InputKind::table)
            fail(in_.range(rec), fmt::format("a ledger entry must be a table, not {}", describe(in_.kind(rec))));
        InputFile::Node key = in_.child(rec, plan_.grants.id_key);
        if (!key) fail(in_.range(rec), fmt::format("ledger entry {} has no `{}`", i + 1, plan_.grants.id_key));
        auto id = in_.text(key);
        if (!id) throw EvalFailure{id.error()};
        check_record_key(key, *id, "the director named");
        int director = -1;
        for (std::size_t d = 0; d < out_.directors.size(); ++d) {
            if (out_.directors[d].id == *id) director = static_cast<int>(d);
        }
        if (director < 0)
            fail(in_.range(key), fmt::format("ledger entry {} names director `{}`, who is not listed", i + 1, *id));
        grants_of_[static_cast<std::size_t>(director)].push_back(static_cast<int>(grant_records_.size()));
        grant_records_.push_back(rec);
        out_.grant_director.push_back(director);
    }
}

/// A record's key (a director's id, the director a ledger entry names) is printed in every
/// report and matched exactly: no control, bidirectional or zero-width character may hide
/// in it.
void Evaluator::check_record_key(InputFile::Node node, const std::string& key, const std::string& what) {
    if (auto h = dsl::find_hidden_character(key)) {
        fail(in_.range(node),
             fmt::format("{} \"{}\" holds the hidden character {}", what, dsl::printable(key),
                         dsl::describe_hidden(h->code_point)),
             "an id is written with visible characters only");
    }
}

InputFile::Node Evaluator::walk(const InputSpec& spec, InputFile::Node base, Where w, const std::string& what,
                                InputFile::Node* parent_out, std::string* missing_key) {
    InputFile::Node node = spec.absolute ? in_.root() : base;
    for (const auto& step : spec.path) {
        InputFile::Node next;
        std::string key = step.key;
        if (step.index) {
            if (in_.kind(node) != InputKind::array)
                fail(in_.range(node), fmt::format("{} is read from `{}`, but this is {}, not an array", what,
                                                  spec.path_text, describe(in_.kind(node))));
            auto n = static_cast<std::int64_t>(in_.size(node));
            std::int64_t i = *step.index < 0 ? n + *step.index : *step.index;
            if (i >= 0 && i < n) next = in_.element(node, static_cast<std::size_t>(i));
        } else {
            if (step.slot != none) key = show(plan_.slots[step.slot].type, slot(step.slot, w));
            if (node && node.ptr != in_.root().ptr && in_.kind(node) != InputKind::table) {
                fail(in_.range(node), fmt::format("{} is read from `{}`, but this is {}, not a table", what,
                                                  spec.path_text, describe(in_.kind(node))));
            }
            next = in_.child(node, key);
        }
        if (!next) {
            *parent_out = node;
            *missing_key = key;
            return {};
        }
        node = next;
    }
    return node;
}

Value Evaluator::read_value(const InputFile::Node& node, const Type& type, const std::string& what) {
    if (const InputOverride* ov = override_of(node)) return convert_override(*ov, type, what);
    return convert(node, type, what);
}

Value Evaluator::convert_override(const InputOverride& ov, const Type& type, const std::string& what) {
    Value v;
    switch (type.kind) {
        case Kind::number: {
            if (ov.number) {
                v.number = *ov.number;
            } else if (auto r = Rational::parse(ov.text)) {
                v.number = *r;
            } else {
                fail(ov.where, fmt::format("{} is a number; \"{}\" is not one", what, ov.text),
                     "write an integer, a decimal, 3.168e11, a percentage (15.4%) or a fraction (3/4)");
            }
            if ((type.dim == Dimension{1, 0, 0} || type.dim == Dimension{0, 1, 0}) && !v.number.is_integer()) {
                fail(ov.where, fmt::format("{} is {}: it must be a whole number, not {}", what, plan_.type_name(type),
                                           v.number.to_string()));
            }
            return v;
        }
        case Kind::date: {
            auto d = Date::parse(ov.text);
            if (!d) fail(ov.where, fmt::format("{} is a date; \"{}\" is not one (YYYY-MM-DD)", what, ov.text));
            v.word = d->days;
            return v;
        }
        case Kind::boolean: {
            if (ov.text != "true" && ov.text != "false")
                fail(ov.where, fmt::format("{} is true or false, not \"{}\"", what, ov.text));
            v.word = ov.text == "true" ? 1 : 0;
            return v;
        }
        case Kind::text: v.word = add_text(ov.text); return v;
        case Kind::choice: {
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(type.choice)];
            auto it = std::find(ct.members.begin(), ct.members.end(), ov.text);
            if (it == ct.members.end()) {
                fail(ov.where, fmt::format("unknown {} \"{}\" for {}", ct.name, ov.text, what),
                     fmt::format("a {} is one of: {}", ct.name, join(ct.members)));
            }
            v.word = it - ct.members.begin();
            return v;
        }
    }
    return v;
}

void Evaluator::build_dependents() {
    if (dependents_built_) return;
    dependents_built_ = true;
    slot_dependents_.assign(plan_.slots.size(), {});
    series_dependents_.assign(plan_.series.size(), {});
    std::vector<std::uint32_t> stack;
    auto add = [](std::vector<std::uint32_t>& to, std::uint32_t s) {
        if (to.empty() || to.back() != s) to.push_back(s);
    };
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        const Slot& sl = plan_.slots[s];
        stack.clear();
        if (sl.root != none) stack.push_back(sl.root);
        if (sl.checked != none) stack.push_back(sl.checked);
        for (const auto& v : sl.versions) stack.push_back(v.node);
        if (sl.kind == SlotKind::input) {
            if (sl.input.default_node != none) stack.push_back(sl.input.default_node);
            if (sl.input.low_node != none) stack.push_back(sl.input.low_node);
            if (sl.input.high_node != none) stack.push_back(sl.input.high_node);
            for (const auto& step : sl.input.path) {
                if (step.slot != none) add(slot_dependents_[step.slot], s);
            }
        }
        while (!stack.empty()) {
            std::uint32_t n = stack.back();
            stack.pop_back();
            if (n == none) continue;
            const Node& node = plan_.nodes[n];
            const NodeTraits t = traits(node.kind);
            if (t.reads_slot) add(slot_dependents_[node.aux], s);
            if (t.reads_series) add(series_dependents_[node.aux], s);
            for_each_child(plan_, node, [&](std::uint32_t c) { stack.push_back(c); });
        }
    }
    for (auto& list : slot_dependents_) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    for (auto& list : series_dependents_) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
}

void Evaluator::invalidate(const std::vector<std::uint32_t>& seeds, const std::vector<std::uint32_t>& series,
                           bool seeds_too) {
    build_dependents();
    if (dirty_.size() != plan_.slots.size()) dirty_.assign(plan_.slots.size(), 0);   // all 0 between calls
    auto& dirty = dirty_list_;
    auto& work = work_;
    dirty.clear();
    work.clear();
    auto mark = [&](std::uint32_t s) {
        if (!dirty_[s]) {
            dirty_[s] = 1;
            dirty.push_back(s);
            work.push_back(s);
        }
    };
    if (seeds_too) {
        for (auto s : seeds) mark(s);
    } else {
        work.assign(seeds.begin(), seeds.end());
    }
    for (auto i : series) {
        for (auto s : series_dependents_[i]) mark(s);
        if (i < hoists_of_series_.size())
            for (auto k : hoists_of_series_[i]) hoist_valid_[k] = 0;
        if (i < requirements_of_series_.size())
            for (auto r : requirements_of_series_[i]) forget_requirement(r);
    }
    while (!work.empty()) {
        std::uint32_t s = work.back();
        work.pop_back();
        for (auto d : slot_dependents_[s]) mark(d);
        if (s < hoists_of_slot_.size())
            for (auto k : hoists_of_slot_[s]) hoist_valid_[k] = 0;
        if (s < requirements_of_slot_.size())
            for (auto r : requirements_of_slot_[s]) forget_requirement(r);
        if (s == plan_.as_of_slot && as_of_) {
            // Which version of each param is in force may have changed.
            as_of_.reset();
            for (std::uint32_t p = 0; p < plan_.slots.size(); ++p) {
                if (plan_.slots[p].kind == SlotKind::param) mark(p);
            }
        }
    }
    const std::size_t n = plan_.slots.size();
    const std::size_t directors = records_.size(), rows = n ? state_.size() / n : 0;
    for (auto s : dirty) {
        dirty_[s] = 0;
        if (plan_.slots[s].kind == SlotKind::input &&
            (plan_.slots[s].input.low_node != none || plan_.slots[s].input.high_node != none) &&
            s < recheck_range_.size()) {
            recheck_range_[s] = 1;
            any_recheck_ = true;
        }
        std::size_t first = 0, last = 1;
        if (plan_.slots[s].scope == Scope::director) first = 1, last = 1 + directors;
        if (plan_.slots[s].scope == Scope::grant) first = 1 + directors, last = rows;
        for (std::size_t r = first; r < last && r < rows; ++r) {
            auto& st = state_[r * n + s];
            if (st != State::running) st = State::pending;
        }
    }
}

void Evaluator::build_hoists() {
    const std::size_t n_nodes = plan_.nodes.size();
    hoist_of_node_.assign(n_nodes, none);
    hoists_of_slot_.assign(plan_.slots.size(), {});
    hoists_of_series_.assign(plan_.series.size(), {});
    auto children = [&](const Node& node, auto&& f) { for_each_child(plan_, node, f); };
    // Whether a subexpression reads only plan-wide definitions (memoised per node).
    std::vector<std::int8_t> known(n_nodes, -1);
    auto invariant = [&](auto&& self, std::uint32_t n) -> bool {
        if (n == none) return true;
        if (known[n] >= 0) return known[n] != 0;
        const Node& node = plan_.nodes[n];
        const NodeTraits t = traits(node.kind);
        bool r = !t.aggregate;
        if (t.reads_slot) r = plan_.slots[node.aux].scope == Scope::plan;
        children(node, [&](std::uint32_t c) { r = self(self, c) && r; });
        known[n] = r ? 1 : 0;
        return r;
    };
    auto trivial = [&](std::uint32_t n) {
        auto k = plan_.nodes[n].kind;
        return k == NodeKind::constant || k == NodeKind::slot || k == NodeKind::present;
    };
    // Record `k` in the lists of every definition and series the expression at `root` reads.
    using Lists = std::vector<std::vector<std::uint32_t>>;
    auto record_reads = [&](std::uint32_t root, std::uint32_t k, Lists& of_slot, Lists& of_series) {
        std::vector<std::uint32_t> stack{root};
        while (!stack.empty()) {
            std::uint32_t n = stack.back();
            stack.pop_back();
            if (n == none) continue;
            const Node& node = plan_.nodes[n];
            const NodeTraits t = traits(node.kind);
            if (t.reads_slot) of_slot[node.aux].push_back(k);
            if (t.reads_series) of_series[node.aux].push_back(k);
            children(node, [&](std::uint32_t c) { stack.push_back(c); });
        }
    };
    auto reads = [&](std::uint32_t root, std::uint32_t k) { record_reads(root, k, hoists_of_slot_, hoists_of_series_); };
    auto mark = [&](auto&& self, std::uint32_t n) -> void {
        if (n == none) return;
        if (!trivial(n) && invariant(invariant, n)) {
            if (hoist_of_node_[n] != none) return;
            auto k = static_cast<std::uint32_t>(hoist_value_.size());
            hoist_of_node_[n] = k;
            hoist_value_.emplace_back();
            reads(n, k);
            return;
        }
        children(plan_.nodes[n], [&](std::uint32_t c) { self(self, c); });
    };
    for (const Slot& sl : plan_.slots) {
        if (sl.scope == Scope::plan) continue;
        if (sl.kind == SlotKind::value || sl.kind == SlotKind::output)
            mark(mark, sl.checked != none ? sl.checked : sl.root);
        if (sl.kind == SlotKind::input) mark(mark, sl.input.default_node);
    }
    // Limits and plan-wide requirements are evaluated plan-wide only: their expressions
    // (sums over directors, typically) are remembered like definitions.
    auto whole = [&](std::uint32_t n) {
        if (n == none || trivial(n) || hoist_of_node_[n] != none) return;
        auto k = static_cast<std::uint32_t>(hoist_value_.size());
        hoist_of_node_[n] = k;
        hoist_value_.emplace_back();
        reads(n, k);
    };
    for (const Limit& l : plan_.limits) {
        whole(l.value);
        whole(l.bound);
    }
    for (const Requirement& r : plan_.requirements) {
        if (r.scope == Scope::plan) whole(r.condition);
    }
    requirement_held_.assign(plan_.requirements.size() * records_.size(), 0);
    requirements_of_slot_.assign(plan_.slots.size(), {});
    requirements_of_series_.assign(plan_.series.size(), {});
    for (std::uint32_t i = 0; i < plan_.requirements.size(); ++i) {
        if (plan_.requirements[i].scope == Scope::director)
            record_reads(plan_.requirements[i].condition, i, requirements_of_slot_, requirements_of_series_);
    }
    hoist_valid_.assign(hoist_value_.size(), 0);
    if (hoist_value_.empty()) hoist_of_node_.clear();
}

void Evaluator::set_overrides(std::span<const InputOverride> overrides) {
    auto& changed = changed_;
    changed.clear();
    bool same_places = overrides.size() == overrides_.size();
    for (std::size_t i = 0; same_places && i < overrides.size(); ++i) same_places = overrides[i].node.ptr == overrides_[i].node.ptr;
    if (same_places) {
        for (std::size_t i = 0; i < overrides.size(); ++i) {
            InputOverride& old = overrides_[i];
            const InputOverride& now = overrides[i];
            if (old.text != now.text || old.number != now.number) changed.push_back(now.node.ptr);
            old.text = now.text;
            old.number = now.number;
            old.where = now.where;
        }
    } else {
        for (const auto& o : overrides_) changed.push_back(o.node.ptr);
        overrides_.assign(overrides.begin(), overrides.end());
        override_index_.clear();
        for (std::size_t i = 0; i < overrides_.size(); ++i) {
            override_index_[overrides_[i].node.ptr] = i;
            changed.push_back(overrides_[i].node.ptr);
        }
    }
    if (changed.empty() || !started_) return;
    // Values overridden are checked like the file's, read or not (on the next run).
    overrides_to_check_.insert(overrides_to_check_.end(), changed.begin(), changed.end());
    auto& slots = seed_slots_;
    auto& series = seed_series_;
    slots.clear();
    series.clear();
    if (series_changed_.size() < plan_.series.size()) series_changed_.resize(plan_.series.size());
    const std::size_t n = plan_.slots.size();
    for (const void* p : changed) {
        if (auto it = input_reads_.find(p); it != input_reads_.end()) {
            for (std::size_t at : it->second) {
                if (state_[at] != State::running) state_[at] = State::pending;
                slots.push_back(static_cast<std::uint32_t>(at % n));
            }
        }
        if (auto it = series_reads_.find(p); it != series_reads_.end()) {
            const SeriesRead& read = it->second;
            if (read.date) {
                series_.erase(read.series);   // the order may change: read it all again
                series_changed_[read.series].clear();
            } else if (series_.count(read.series)) {
                series_changed_[read.series].push_back(p);
            }
            series.push_back(read.series);
        }
    }
    invalidate(slots, series, false);
}

Value Evaluator::convert(const InputFile::Node& node, const Type& type, const std::string& what) {
    Value v;
    switch (type.kind) {
        case Kind::number: {
            auto r = in_.number(node);
            if (!r) throw EvalFailure{r.error()};
            v.number = *r;
            if ((type.dim == Dimension{1, 0, 0} || type.dim == Dimension{0, 1, 0}) && !v.number.is_integer()) {
                fail(in_.range(node), fmt::format("{} is {}: it must be a whole number, not {}", what,
                                                  plan_.type_name(type), v.number.to_string()));
            }
            return v;
        }
        case Kind::date: {
            auto r = in_.date(node);
            if (!r) throw EvalFailure{r.error()};
            v.word = r->days;
            return v;
        }
        case Kind::boolean: {
            auto r = in_.boolean(node);
            if (!r) throw EvalFailure{r.error()};
            v.word = *r ? 1 : 0;
            return v;
        }
        case Kind::text: {
            auto r = in_.text(node);
            if (!r) throw EvalFailure{r.error()};
            v.word = add_text(*r);
            return v;
        }
        case Kind::choice: {
            auto r = in_.text(node);
            if (!r) throw EvalFailure{r.error()};
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(type.choice)];
            auto it = std::find(ct.members.begin(), ct.members.end(), *r);
            if (it == ct.members.end()) {
                fail(in_.range(node), fmt::format("unknown {} \"{}\" for {}", ct.name, *r, what),
                     fmt::format("a {} is one of: {}", ct.name, join(ct.members)));
            }
            v.word = it - ct.members.begin();
            return v;
        }
    }
    return v;
}

std::optional<Value> Evaluator::read_input(const Slot& s, Where w, std::size_t at) {
    InputFile::Node base = s.scope == Scope::director ? records_[static_cast<std::size_t>(w.director)]
                           : s.scope == Scope::grant  ? grant_records_[static_cast<std::size_t>(w.grant)]
                                                      : in_.root();
    const std::string& what = slot_what_[static_cast<std::size_t>(&s - plan_.slots.data())];
    InputFile::Node parent;
    std::string missing;
    InputFile::Node node = walk(s.input, base, w, what, &parent, &missing);
    if (!node) {
        if (s.input.default_node != none) return eval(s.input.default_node, w);
        if (s.input.optional) return std::nullopt;
        EvalFailure f;
        std::string owner;
        if (s.scope == Scope::director && !s.input.absolute)
            owner = fmt::format(" for director {}", out_.directors[static_cast<std::size_t>(w.director)].id);
        if (s.scope == Scope::grant && !s.input.absolute) owner = fmt::format(" in ledger entry {}", w.grant + 1);
        SourceRange where = parent && parent.ptr != in_.root().ptr ? in_.range(parent)
                            : s.scope != Scope::plan && !s.input.absolute ? in_.range(base)
                                                                          : top_of_file();
        f.diags.error(where, "missing input `{}`{}: {} needs `{}`", missing, owner, what, s.input.path_text);
        f.diags.note(s.decl_range, "`{}` is declared here", s.name);
        throw f;
    }
    auto& reads = input_reads_[node.ptr];
    if (std::find(reads.begin(), reads.end(), at) == reads.end()) reads.push_back(at);
    Value v = read_value(node, s.type, what);
    check_input_range(s, v, w, where_of(node));
    return v;
}

void Evaluator::check_input_range(const Slot& s, const Value& v, std::optional<Where> w, SourceRange at) {
    if (s.type.kind != Kind::number && s.type.kind != Kind::date) return;
    const InputSpec& in = s.input;
    const bool computed = in.low_node != none || in.high_node != none;
    std::optional<Value> low = in.low, high = in.high;
    if (computed && w) {
        if (in.low_node != none) low = value_of(in.low_node, *w);
        if (in.high_node != none) high = value_of(in.high_node, *w);
    }
    bool low_ok = !low || compare(s.type, v, *low) >= 0;
    bool high_ok = !high || compare(s.type, v, *high) <= 0;
    if (low_ok && high_ok) return;
    std::string who;
    if (w && s.scope == Scope::director)
        who = fmt::format(" for {} {}", plan_.directors.noun, out_.directors[static_cast<std::size_t>(w->director)].id);
    if (w && s.scope == Scope::grant)
        who = fmt::format(" for {} {}, ledger entry {}", plan_.directors.noun,
                          out_.directors[static_cast<std::size_t>(w->director)].id, w->grant + 1);
    std::string here;
    if (computed && w) {
        if (low && high) here = fmt::format(" (here {} to {})", show(s.type, *low), show(s.type, *high));
        else if (low) here = fmt::format(" (here from {})", show(s.type, *low));
        else here = fmt::format(" (here up to {})", show(s.type, *high));
    }
    std::string clauses = clause_list(s.sources);
    fail(at, fmt::format("`{}`{} is {}, outside its declared range {}{}{}", s.name, who, show(s.type, v),
                         in.range_text, here, clauses.empty() ? "" : " (" + clauses + ")"));
}

void Evaluator::check_value(const ValueCheck& c, InputFile::Node node) {
    if (c.reader.kind == KeyPatterns::Reader::Kind::info) {
        const Info& info = plan_.infos[c.reader.index];
        Value v = read_value(node, info.type, fmt::format("`{}`", info.name));
        const InputSpec& spec = info.input;
        if ((spec.low && compare(info.type, v, *spec.low) < 0) || (spec.high && compare(info.type, v, *spec.high) > 0))
            fail(where_of(node), fmt::format("`{}` is {}, outside its declared range {}", info.name, show(info.type, v),
                                             spec.range_text));
        return;
    }
    const Slot& s = plan_.slots[c.reader.index];
    Value v = read_value(node, s.type, slot_what_[c.reader.index]);
    check_input_range(s, v, c.w, where_of(node));
}

void Evaluator::check_changed_values() {
    // A value this evaluation read was checked when it was read; the others are checked
    // here. Kept until they pass: a run that fails here fails again while the values stay.
    // Whether c's definition read this value (not another one of the same pattern) in
    // this evaluation; `reads` are the places that read it.
    auto read = [&](const ValueCheck& c, const std::vector<std::size_t>* reads) {
        if (!reads || c.reader.kind != KeyPatterns::Reader::Kind::input || !c.w) return false;
        const std::size_t at = row(plan_.slots[c.reader.index], *c.w) * plan_.slots.size() + c.reader.index;
        return state_[at] == State::done && std::find(reads->begin(), reads->end(), at) != reads->end();
    };
    auto reads_of = [&](const void* p) -> const std::vector<std::size_t>* {
        auto it = input_reads_.find(p);
        return it == input_reads_.end() ? nullptr : &it->second;
    };
    for (const void* p : overrides_to_check_) {
        auto it = value_checks_.find(p);
        if (it == value_checks_.end()) continue;
        const auto* reads = reads_of(p);
        for (const ValueCheck& c : it->second) {
            if (!read(c, reads)) check_value(c, InputFile::Node{p});
        }
    }
    overrides_to_check_.clear();
    if (!any_recheck_) return;
    for (const auto& [p, c] : computed_range_checks_) {
        if (recheck_range_[c.reader.index] && !read(c, reads_of(p))) check_value(c, InputFile::Node{p});
    }
    std::fill(recheck_range_.begin(), recheck_range_.end(), 0);
    any_recheck_ = false;
}

void Evaluator::check_inputs() {
    dsl::Diagnostics diags;
    constexpr std::size_t max_errors = 50;
    auto keep = [&](EvalFailure& f) {
        // The evaluation that failed (a computed range end, say) stopped part way.
        for (auto& st : state_) {
            if (st == State::running) st = State::pending;
        }
        active_.clear();
        depth_ = 0;
        top_ = 0;
        if (diags.error_count() >= max_errors) return;
        // A value that is wrong is reported once, however many checks read it.
        for (auto& d : f.diags.items()) {
            bool seen = false;
            for (const auto& e : diags.items()) {
                seen = seen || (e.range.valid == d.range.valid && e.range.file == d.range.file &&
                                e.range.begin == d.range.begin && e.message == d.message);
            }
            if (seen && d.severity == dsl::Severity::error) return;
        }
        diags.append(std::move(f.diags));
    };
    // Every entry of every series: its date and value, positive, in date order.
    for (std::uint32_t i = 0; i < plan_.series.size(); ++i) {
        try {
            series(i);
        } catch (EvalFailure& f) {
            keep(f);
        }
    }
    KeyPatterns keys(plan_);
    if (plan_.shared_inputs) keys.add_keys_of(*plan_.shared_inputs);
    if (options_.other_plan) keys.add_keys_of(*options_.other_plan);
    recheck_range_.assign(plan_.slots.size(), 0);
    keys.check(in_, diags, [&](const KeyPatterns::Reader& r, InputFile::Node node, KeyPatterns::Record record) {
        ValueCheck c{r, std::nullopt};
        if (r.kind == KeyPatterns::Reader::Kind::input) {
            const Slot& s = plan_.slots[r.index];
            // The record the value belongs to, when the input is read relative to it.
            if (s.scope == Scope::plan) c.w = Where{};
            if (s.scope == Scope::director && record.scope == Scope::director && !s.input.absolute)
                c.w = Where{static_cast<int>(record.index), -1};
            if (s.scope == Scope::grant && record.scope == Scope::grant && !s.input.absolute)
                c.w = Where{out_.grant_director[record.index], static_cast<int>(record.index)};
            if (c.w && (s.input.low_node != none || s.input.high_node != none))
                computed_range_checks_.emplace_back(node.ptr, c);
        }
        value_checks_[node.ptr].push_back(c);
        if (diags.error_count() >= max_errors) return;
        try {
            check_value(c, node);
        } catch (EvalFailure& f) {
            keep(f);
        }
    });
    if (diags.error_count() >= max_errors)
        diags.note(SourceRange{}, "stopped after {} problems in {}", max_errors, in_.path());
    if (diags.has_errors()) throw EvalFailure{std::move(diags)};
}

std::optional<Date> Evaluator::as_of() {
    if (!as_of_) {
        if (options_.as_of) {
            as_of_ = options_.as_of;
        } else if (plan_.as_of_slot != none) {
            as_of_ = std::optional<Date>(Date{static_cast<std::int32_t>(slot(plan_.as_of_slot, {}).word)});
        } else {
            as_of_ = std::optional<Date>();
        }
    }
    return *as_of_;
}

Evaluator::State Evaluator::ensure(std::uint32_t s, Where w) {
    const Slot& sl = plan_.slots[s];
    std::size_t at = row(sl, w) * plan_.slots.size() + s;
    if (state_[at] == State::done || state_[at] == State::absent) return state_[at];
    // The checker rejects cycles, so `running` here would be an engine bug.
    assert(state_[at] == State::pending);
    state_[at] = State::running;
    Where inner = w;
    if (sl.scope == Scope::plan) inner = Where{};
    if (sl.scope == Scope::director) inner.grant = -1;
    active_.push_back(s);
    Value v;
    bool absent = false;
    switch (sl.kind) {
        case SlotKind::param: {
            std::uint32_t node = sl.versions.back().node;
            if (sl.versions.size() > 1 || sl.versions.front().from) {
                if (auto date = as_of()) {
                    node = none;
                    for (const auto& version : sl.versions) {
                        if (!version.from || *version.from <= *date) node = version.node;
                    }
                    if (node == none)
                        fail(sl.name_range, fmt::format("`{}` has no value in force on {}", sl.name, date->to_string()));
                }
            }
            v = eval(node, inner);
            if (recording_on_) record_other(s, w);
            break;
        }
        case SlotKind::input: {
            auto read = read_input(sl, inner, at);
            if (read) v = std::move(*read);
            else absent = true;
            if (recording_on_) record_other(s, w);
            break;
        }
        case SlotKind::value:
        case SlotKind::output: {
            const std::uint32_t formula = sl.checked != none ? sl.checked : sl.root;
            if (recording_on_ && !hoisted(formula)) {
                open_record(TraceCell{TraceCell::Kind::slot, s, inner, static_cast<std::uint32_t>(at), 0, 0, 0});
                v = eval(formula, inner);
                close_record();
            } else {
                v = eval(formula, inner);
                if (recording_on_) record_other(s, w);
            }
            break;
        }
    }
    if (auto it = scale_.find(s); it != scale_.end()) {
        v.number = (v.number * it->second.first).round_to(it->second.second->mode, it->second.second->unit);
    }
    active_.pop_back();
    memo_[at] = std::move(v);
    state_[at] = absent ? State::absent : State::done;
    return state_[at];
}

const Value& Evaluator::compute(std::uint32_t s, Where w, std::size_t at) {
    if (ensure(s, w) == State::absent) {
        const Slot& sl = plan_.slots[s];
        fail_in(sl.name_range, fmt::format("`{}` is absent from the inputs", sl.name), w);
    }
    return memo_[at];
}

const std::vector<std::pair<Date, Value>>& Evaluator::series(std::uint32_t index) {
    auto it = series_.find(index);
    if (it != series_.end()) {
        if (index >= series_changed_.size() || series_changed_[index].empty()) return it->second;
        // Only values were overridden: read those entries again, in place.
        const Series& s = plan_.series[index];
        for (const void* p : series_changed_[index]) {
            InputFile::Node vn{p};
            Value v = read_value(vn, s.type, series_what_[index]);
            if (v.number.sign() <= 0)
                fail(where_of(vn), fmt::format("an entry of series `{}` must be positive, not {}", s.name,
                                               v.number.to_string()));
            it->second[series_reads_.at(p).entry].second = std::move(v);
        }
        series_changed_[index].clear();
        return it->second;
    }
    const Series& s = plan_.series[index];
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(s.input, in_.root(), {}, series_what_[index], &parent, &missing);
    std::vector<std::pair<Date, Value>> entries;
    if (!list) return series_.emplace(index, std::move(entries)).first->second;   // no entries at all
    if (in_.kind(list) != InputKind::array)
        fail(in_.range(list), fmt::format("series `{}` must be [[{}]] records, not {}", s.name, s.input.path_text,
                                          describe(in_.kind(list))));
    for (std::size_t i = 0; i < in_.size(list); ++i) {
        InputFile::Node rec = in_.element(list, i);
        if (in_.kind(rec) != InputKind::table)
            fail(in_.range(rec), fmt::format("an entry of `{}` must be a table, not {}", s.input.path_text,
                                             describe(in_.kind(rec))));
        InputFile::Node dn = in_.child(rec, s.date_key);
        InputFile::Node vn = in_.child(rec, s.value_key);
        if (!dn || !vn)
            fail(in_.range(rec), fmt::format("an entry of `{}` needs `{}` and `{}`", s.input.path_text, s.date_key,
                                             s.value_key));
        series_reads_[dn.ptr] = SeriesRead{index, static_cast<std::uint32_t>(entries.size()), true};
        series_reads_[vn.ptr] = SeriesRead{index, static_cast<std::uint32_t>(entries.size()), false};
        Date date{static_cast<std::int32_t>(read_value(dn, Type::date(), series_what_[index]).word)};
        Value v = read_value(vn, s.type, series_what_[index]);
        if (v.number.sign() <= 0)
            fail(where_of(vn), fmt::format("an entry of series `{}` must be positive, not {}", s.name,
                                            v.number.to_string()));
        if (!entries.empty() && !(entries.back().first < date)) {
            fail(where_of(dn), fmt::format("entries of `{}` must be in date order without repeats: {} comes after {}",
                                           s.input.path_text, date.to_string(), entries.back().first.to_string()));
        }
        entries.emplace_back(date, std::move(v));
    }
    return series_.emplace(index, std::move(entries)).first->second;
}

Value Evaluator::eval_hoisted(std::uint32_t n, Where w) {
    std::uint32_t k = hoist_of_node_[n];
    if (hoist_valid_[k]) return hoist_value_[k];
    if (recording_on_) open_record(TraceCell{TraceCell::Kind::hoist, k, w, 0, 0, 0, 0});
    Value v = eval(n, w, true);
    if (recording_on_) close_record();
    hoist_value_[k] = v;
    hoist_valid_[k] = 1;
    return v;
}

Value Evaluator::eval(std::uint32_t n, Where w, bool computing_hoisted) {
    if (!computing_hoisted && hoisted(n)) return eval_hoisted(n, w);
    const Program* p = program_of_node_[n];
    if (!p) p = program_of_node_[n] = &programs_.emplace_back(compile_formula(plan_, n, hoist_of_node_));
    return run(*p, n, w);
}

namespace {

void set_word(Value& v, bool b) {
    v.number = Rational();
    v.word = b;
}

const Value one{Rational(1), 0};

}  // namespace

[[gnu::always_inline]] inline Evaluator::Fault Evaluator::step(const Instr& in, Value& out, const Value& x,
                                                               const Value& y, const Value& z) const {
    switch (in.op) {
        case Op::load: out = x; break;
        case Op::add: out.number.set_sum(x.number, y.number); break;
        case Op::sub: out.number.set_difference(x.number, y.number); break;
        case Op::mul: out.number.set_product(x.number, y.number); break;
        case Op::div:
            if (y.number.is_zero()) return Fault::division_by_zero;
            out.number.set_quotient(x.number, y.number);
            break;
        case Op::compare: {
            int c = compare(static_cast<Kind>(in.flag >> 4), x, y);
            bool holds = false;
            switch (static_cast<Comparison>(in.flag & 15)) {
                case Comparison::lt: holds = c < 0; break;
                case Comparison::le: holds = c <= 0; break;
                case Comparison::gt: holds = c > 0; break;
                case Comparison::ge: holds = c >= 0; break;
                case Comparison::eq: holds = c == 0; break;
                case Comparison::ne: holds = c != 0; break;
            }
            set_word(out, holds);
            break;
        }
        case Op::neg: out.number = -out.number; break;
        case Op::not_: set_word(out, !out.word); break;
        case Op::is: set_word(out, out.word == static_cast<std::int64_t>(in.aux)); break;
        case Op::min:
        case Op::max: {
            int c = compare(static_cast<Kind>(in.flag), x, out);
            if (in.op == Op::min ? c < 0 : c > 0) out = x;
            break;
        }
        case Op::clamp: {
            const auto kind = static_cast<Kind>(in.flag);
            if (compare(kind, x, y) > 0) return Fault::clamp_crossed;
            if (compare(kind, out, x) < 0) out = x;
            else if (compare(kind, out, y) > 0) out = y;
            break;
        }
        case Op::within: {
            const auto kind = static_cast<Kind>(in.flag & 15);
            bool below = false, above = false;
            if (kind == Kind::number) {
                below = in.flag & within_low_zero ? out.number.sign() < 0
                                                  : !(in.flag & within_low_open) && out.number < x.number;
                above = !(in.flag & within_high_open) && y.number < out.number;
            } else {
                below = !(in.flag & within_low_open) && compare(kind, out, x) < 0;
                above = !(in.flag & within_high_open) && compare(kind, out, y) > 0;
            }
            if (below || above) return Fault::out_of_range;
            break;
        }
        case Op::round:
            out.number = out.number.round_to(static_cast<RoundingMode>(in.flag), plan_.constants[in.aux].number);
            break;
        // Fused when recorded (only replay meets them): the values of the steps they stand for.
        case Op::mul_div:
            if (z.number.is_zero()) return Fault::division_by_zero;
            out.number.set_product(x.number, y.number);
            out.number.set_quotient(out.number, z.number);
            break;
        case Op::div_round:       // x × 1 / y, rounded
        case Op::mul_div_round: {   // x × y / z, rounded
            const bool quotient = in.op == Op::div_round;
            const Value& factor = quotient ? one : y;
            const Value& divisor = quotient ? y : z;
            if (divisor.number.is_zero()) return Fault::division_by_zero;
            out.number.set_rounded(x.number, factor.number, divisor.number, static_cast<RoundingMode>(in.flag),
                                   plan_.constants[in.aux].number);
            break;
        }
        case Op::table: {
            const TableRow* row = find_row(plan_.tables[in.aux], out.number);
            if (!row) return Fault::no_row;
            // value + (x - low) × (value_to - value) / (high - low), exactly
            out.number = row->linear ? row->value + (out.number - *row->low) * row->slope : row->value;
            out.word = 0;
            break;
        }
        case Op::present:
        case Op::hoisted:
        case Op::call:
        case Op::jump:
        case Op::jump_if_false:
        case Op::jump_if_true: assert(false); break;
    }
    return Fault::none;
}

void Evaluator::fail_step(Fault f, const Instr& in, const Value& out, const Value& x, const Value& y, Where w) {
    const Node& node = plan_.nodes[in.node];
    switch (f) {
        case Fault::division_by_zero: fail_division(node, w);
        case Fault::clamp_crossed: fail_clamp(node, x, y, w);
        case Fault::out_of_range: fail_range(node, out, x, y, w);
        case Fault::no_row:
        case Fault::none: break;
    }
    fail_in(node.range, fmt::format("no row of table `{}` covers {}", plan_.tables[in.aux].name,
                                    out.number.to_string()), w);
}

bool Evaluator::op_present(const Instr& in, Where w) { return ensure(in.aux, w) != State::absent; }

Value Evaluator::op_hoisted(const Instr& in, Where w) {
    return hoist_valid_[in.aux] ? hoist_value_[in.aux] : eval_hoisted(in.node, w);
}

Value Evaluator::run(const Program& p, std::uint32_t root, Where w) {
    if (record_into_ < 0) return run_program<false>(p, root, w, -1);
    return run_program<true>(p, root, w, std::exchange(record_into_, -1));
}

template <bool Record>
Value Evaluator::run_program(const Program& p, std::uint32_t root, Where w, int record) {
    // Definitions that depend on each other tens of thousands deep (a generated or hostile
    // plan) end in an error, not a stack overflow. hoshu's command line runs on a large
    // stack; this bound keeps well inside it.
    if (depth_ >= max_eval_depth) fail_too_deep(plan_.nodes[root], w);
    // The registers of this run sit on the evaluator's register stack, above its caller's.
    const std::size_t base = top_;
    top_ += p.registers;
    if (regs_.size() < top_) regs_.resize(std::max(top_, 2 * regs_.size()));
    ++depth_;
    struct Leave {
        Evaluator& e;
        std::size_t base;
        ~Leave() {
            --e.depth_;
            e.top_ = base;
        }
    } leave{*this, base};
    if constexpr (Record) recording_[static_cast<std::size_t>(record)].cell.registers = p.registers;
    Value* r = regs_.data() + base;   // fetched again after anything that may run another program
    const std::size_t n_slots = plan_.slots.size();
    // An operand in place: a constant, or a definition's value (computed first if it is not
    // known yet, which may run other programs), and where that value is kept (`at`).
    // nullptr for a register: that address is taken only once every operand is ready.
    auto fetch = [&](Mode m, std::uint32_t i, std::uint32_t& at_out) __attribute__((always_inline)) -> const Value* {
        std::size_t at = i;
        switch (m) {
            case Mode::reg: return nullptr;
            case Mode::constant: return &plan_.constants[i];
            case Mode::plan_slot: break;
            case Mode::director_slot: at += (1 + static_cast<std::size_t>(w.director)) * n_slots; break;
            case Mode::grant_slot: at += (1 + records_.size() + static_cast<std::size_t>(w.grant)) * n_slots; break;
        }
        if (state_[at] != State::done) {
            slot(i, w);
            r = regs_.data() + base;
        }
        at_out = static_cast<std::uint32_t>(at);
        return &memo_[at];
    };
    auto note = [&](const Instr& in, std::uint32_t xat, std::uint32_t yat) {
        if constexpr (Record) recording_[static_cast<std::size_t>(record)].ops.push_back(TraceOp{in, xat, yat});
    };
    const Instr* code = p.code.data();
    const std::size_t size = p.code.size();
    for (std::size_t pc = 0; pc < size; ++pc) {
        const Instr& in = code[pc];
        switch (in.op) {
            case Op::present: {
                const bool present = op_present(in, w);
                r = regs_.data() + base;
                set_word(r[in.d], present);
                note(in, 0, 0);
                break;
            }
            case Op::hoisted: {
                Value v = op_hoisted(in, w);
                r = regs_.data() + base;
                r[in.d] = std::move(v);
                note(in, 0, 0);
                break;
            }
            case Op::call: {
                Value v = eval_rare(in.node, w);
                r = regs_.data() + base;
                r[in.d] = std::move(v);
                note(in, 0, 0);
                break;
            }
            case Op::jump: pc = in.aux - 1; break;
            case Op::jump_if_false:
            case Op::jump_if_true: {
                std::uint32_t xat = 0;
                const Value* xp = fetch(in.xm, in.x, xat);
                const bool taken = ((xp ? *xp : r[in.x]).word != 0) == (in.op == Op::jump_if_true);
                if constexpr (Record) {
                    Instr guard = in;   // replayed as a check that the branch goes the same way
                    guard.aux = taken ? 1 : 0;
                    note(guard, xat, 0);
                }
                if (taken) pc = in.aux - 1;
                break;
            }
            // The computing instructions, one dispatch through step().
            case Op::load:
            case Op::add:
            case Op::sub:
            case Op::mul:
            case Op::div:
            case Op::neg:
            case Op::compare:
            case Op::not_:
            case Op::is:
            case Op::min:
            case Op::max:
            case Op::clamp:
            case Op::within:
            case Op::round:
            case Op::table:
            case Op::div_round:
            case Op::mul_div:
            case Op::mul_div_round: {
                std::uint32_t xat = 0, yat = 0;
                const Value* xp = fetch(in.xm, in.x, xat);
                const Value* yp = fetch(in.ym, in.y, yat);
                const Value& x = xp ? *xp : r[in.x];
                const Value& y = yp ? *yp : r[in.y];
                if constexpr (Record) {
                    // A quotient rounded at once is replayed as one step (its value in lowest
                    // terms is never seen).
                    auto& ops = recording_[static_cast<std::size_t>(record)].ops;
                    TraceOp* last = ops.empty() || ops.back().in.d != in.d ? nullptr : &ops.back();
                    if (last && in.op == Op::div && last->in.op == Op::mul && in.xm == Mode::reg && in.x == in.d &&
                        !(in.ym == Mode::reg && in.y == in.d)) {
                        // `r = a × b; r = r / c`: the divisor becomes the step's third operand.
                        last->in.op = Op::mul_div;
                        last->zm = in.ym;
                        last->z = in.y;
                        last->zat = yat;
                    } else if (last && in.op == Op::round && (last->in.op == Op::div || last->in.op == Op::mul_div)) {
                        last->in.op = last->in.op == Op::div ? Op::div_round : Op::mul_div_round;
                        last->in.aux = in.aux;
                        last->in.flag = in.flag;
                    } else {
                        note(in, xat, yat);
                    }
                }
                if (Fault f = step(in, r[in.d], x, y, y); f != Fault::none) fail_step(f, in, r[in.d], x, y, w);
                break;
            }
        }
    }
    return std::move(r[0]);
}

// ---- replay ----

void Evaluator::remember_paths() { replay_on_ = true; }

void Evaluator::open_record(TraceCell cell) {
    if (open_records_ == recording_.size()) recording_.emplace_back();
    OpenRecord& o = recording_[open_records_];
    o.cell = cell;
    o.ops.clear();
    record_into_ = static_cast<int>(open_records_);
    ++open_records_;
}

void Evaluator::close_record() {
    OpenRecord& o = recording_[--open_records_];
    o.cell.first = static_cast<std::uint32_t>(recorded_.ops.size());
    o.cell.count = static_cast<std::uint32_t>(o.ops.size());
    recorded_.ops.insert(recorded_.ops.end(), o.ops.begin(), o.ops.end());
    recorded_.cells.push_back(o.cell);
}

void Evaluator::record_other(std::uint32_t s, Where w) {
    recorded_.cells.push_back(TraceCell{TraceCell::Kind::other, s, w, 0, 0, 0, 0});
}

void Evaluator::stop_recording() {
    recording_on_ = false;
    open_records_ = 0;
    record_into_ = -1;
    recorded_.cells.clear();
    recorded_.ops.clear();
}

void Evaluator::keep_recording() {
    if (recording_on_ && open_records_ == 0 && !recorded_.cells.empty()) {
        if (traces_.size() == max_traces) traces_.pop_back();
        traces_.insert(traces_.begin(), std::move(recorded_));
        recorded_ = Trace{};
    }
    stop_recording();
}

bool Evaluator::holds(std::uint32_t i, Where w) {
    const std::uint32_t root = plan_.requirements[i].condition;
    const bool record = recording_on_ && !hoisted(root);
    if (record) {
        const auto at = static_cast<std::uint32_t>(i * records_.size() + static_cast<std::size_t>(w.director));
        open_record(TraceCell{TraceCell::Kind::requirement, i, w, at, 0, 0, 0});
    }
    const bool held = eval(root, w).word != 0;
    if (record) close_record();
    return held;
}

[[gnu::always_inline]] inline bool Evaluator::replay_cell(const Trace& trace, const TraceCell& c) {
    const std::size_t base = top_;
    top_ += c.registers;
    if (regs_.size() < top_) regs_.resize(std::max(top_, 2 * regs_.size()));
    struct Leave {
        Evaluator& e;
        std::size_t base;
        ~Leave() { e.top_ = base; }
    } leave{*this, base};
    Value* r = regs_.data() + base;
    const Where w = c.w;
    // Register 0, the result, is the definition's (or plan-wide part's) own place: no move
    // at the end, and no reading back of a value just written.
    Value* const result = c.kind == TraceCell::Kind::slot    ? &memo_[c.at]
                          : c.kind == TraceCell::Kind::hoist ? &hoist_value_[c.index]
                                                             : &replay_held_;
    auto reg = [&](std::uint32_t i) __attribute__((always_inline)) -> Value& { return i == 0 ? *result : r[i]; };
    // As in run(), but the place of a definition's value was found when it was recorded.
    // (Tests rather than a switch: no indirect jump to mispredict.)
    auto fetch = [&](Mode m, std::uint32_t i, std::uint32_t at) __attribute__((always_inline)) -> const Value* {
        if (m == Mode::reg) return nullptr;
        if (m == Mode::constant) return &plan_.constants[i];
        if (state_[at] != State::done) {
            slot(i, w);
            r = regs_.data() + base;
        }
        return &memo_[at];
    };
    const TraceOp* ops = trace.ops.data() + c.first;
    for (std::uint32_t k = 0; k < c.count; ++k) {
        const Instr& in = ops[k].in;
        // Computing instructions first, with one dispatch (in step()); then branches.
        constexpr std::uint32_t other = 1u << static_cast<int>(Op::present) | 1u << static_cast<int>(Op::hoisted) |
                                        1u << static_cast<int>(Op::call) | 1u << static_cast<int>(Op::jump) |
                                        1u << static_cast<int>(Op::jump_if_false) |
                                        1u << static_cast<int>(Op::jump_if_true);
        if (!(other >> static_cast<int>(in.op) & 1u)) {
            const Value* xp = fetch(in.xm, in.x, ops[k].xat);
            const Value* yp = fetch(in.ym, in.y, ops[k].yat);
            const bool divisor = in.op == Op::mul_div || in.op == Op::mul_div_round;
            const Value* zp = divisor ? fetch(ops[k].zm, ops[k].z, ops[k].zat) : nullptr;
            const Value& x = xp ? *xp : reg(in.x);
            const Value& y = yp ? *yp : reg(in.y);
            const Value& z = zp ? *zp : divisor ? reg(ops[k].z) : y;
            // A fault is reported by the evaluation that needs this value, if any does.
            if (step(in, reg(in.d), x, y, z) != Fault::none) return false;
            continue;
        }
        switch (in.op) {
            case Op::jump_if_false:
            case Op::jump_if_true: {
                const Value* xp = fetch(in.xm, in.x, ops[k].xat);
                const bool taken = ((xp ? *xp : reg(in.x)).word != 0) == (in.op == Op::jump_if_true);
                if (taken != (in.aux != 0)) return false;   // the branch goes the other way this time
                break;
            }
            case Op::present: {
                const bool present = op_present(in, w);
                r = regs_.data() + base;
                set_word(reg(in.d), present);
                break;
            }
            case Op::hoisted: {
                Value v = op_hoisted(in, w);
                r = regs_.data() + base;
                reg(in.d) = std::move(v);
                break;
            }
            case Op::call: {
                Value v = eval_rare(in.node, w);
                r = regs_.data() + base;
                reg(in.d) = std::move(v);
                break;
            }
            case Op::jump: break;   // never recorded
            // Computed above, before this switch.
            case Op::load:
            case Op::add:
            case Op::sub:
            case Op::mul:
            case Op::div:
            case Op::neg:
            case Op::compare:
            case Op::not_:
            case Op::is:
            case Op::min:
            case Op::max:
            case Op::clamp:
            case Op::within:
            case Op::round:
            case Op::table:
            case Op::div_round:
            case Op::mul_div:
            case Op::mul_div_round: break;
        }
    }
    switch (c.kind) {
        case TraceCell::Kind::slot: state_[c.at] = State::done; break;
        case TraceCell::Kind::hoist: hoist_valid_[c.index] = 1; break;
        case TraceCell::Kind::requirement: requirement_held_[c.at] = replay_held_.word ? 1 : 2; break;
        case TraceCell::Kind::other: break;
    }
    return true;
}

std::uint32_t Evaluator::replay_trace(std::size_t t) {
    const Trace& trace = traces_[t];
    const auto size = static_cast<std::uint32_t>(trace.cells.size());
    for (std::uint32_t i = 0; i < size; ++i) {
        const TraceCell& c = trace.cells[i];
        bool unknown = false;
        switch (c.kind) {
            case TraceCell::Kind::slot: unknown = state_[c.at] == State::pending; break;
            case TraceCell::Kind::hoist: unknown = !hoist_valid_[c.index]; break;
            case TraceCell::Kind::requirement: unknown = !requirement_held_[c.at]; break;
            case TraceCell::Kind::other: {
                const std::size_t at = row(plan_.slots[c.index], c.w) * plan_.slots.size() + c.index;
                if (state_[at] == State::pending) ensure(c.index, c.w);
                break;
            }
        }
        if (unknown && !replay_cell(trace, c)) return i;   // one call site: replay_cell is inlined here
    }
    return size;
}

void Evaluator::replay() {
    keep_recording();
    replayed_.clear();
    try {
        for (std::size_t t = 0; t < traces_.size(); ++t) {
            const std::uint32_t reached = replay_trace(t);
            replayed_.emplace_back(static_cast<std::uint32_t>(t), reached);
            if (reached == traces_[t].cells.size()) {
                // The most recently useful trace is tried first.
                std::rotate(traces_.begin(), traces_.begin() + static_cast<std::ptrdiff_t>(t),
                            traces_.begin() + static_cast<std::ptrdiff_t>(t) + 1);
                return;
            }
        }
    } catch (EvalFailure&) {
        // Something replayed failed: evaluate from scratch, which reports the failure if
        // the outputs need that value.
        reset();
    }
    // No trace went all the way: record this evaluation, starting with what was replayed
    // (not a first one, which computes everything, the same on every path or not).
    if (fresh_) return;
    recording_on_ = true;
    for (const auto& [t, reached] : replayed_) {
        // What each trace replayed up to where it stopped (with what it found known: a
        // known definition is skipped when this record is replayed).
        const Trace& from = traces_[t];
        for (std::uint32_t i = 0; i < reached; ++i) {
            TraceCell c = from.cells[i];
            const auto first = from.ops.begin() + c.first;
            c.first = static_cast<std::uint32_t>(recorded_.ops.size());
            recorded_.ops.insert(recorded_.ops.end(), first, first + c.count);
            recorded_.cells.push_back(c);
        }
    }
    replayed_.clear();
}

/// The node kinds met less often, apart so that eval()'s frame stays small.
Value Evaluator::eval_rare(std::uint32_t n, Where w) {
    const Node& node = plan_.nodes[n];
    switch (node.kind) {
        case NodeKind::last_before:
        case NodeKind::last_date: {
            Value d = value_of(node.a, w);
            const auto& entries = series(node.aux);
            Date date{static_cast<std::int32_t>(d.word)};
            auto it = std::lower_bound(entries.begin(), entries.end(), date,
                                       [](const auto& e, Date x) { return e.first < x; });
            if (it == entries.begin()) {
                fail_in(node.range, fmt::format("series `{}` has no entry before {}", plan_.series[node.aux].name,
                                                date.to_string()), w);
            }
            if (node.kind == NodeKind::last_date) {
                Value v;
                v.word = std::prev(it)->first.days;
                return v;
            }
            return std::prev(it)->second;
        }
        case NodeKind::product: {
            Date after{static_cast<std::int32_t>(value_of(node.a, w).word)};
            Date up_to{static_cast<std::int32_t>(value_of(node.b, w).word)};
            Value v;
            v.number = 1;
            for (const auto& [date, value] : series(node.aux)) {
                if (after < date && date <= up_to) v.number *= value.number;
            }
            return v;
        }
        case NodeKind::months_inclusive: {
            Date a{static_cast<std::int32_t>(value_of(node.a, w).word)};
            Date b{static_cast<std::int32_t>(value_of(node.b, w).word)};
            Value v;
            v.number = a.months_inclusive(b);
            return v;
        }
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over: {
            Value acc;
            bool any = false;
            // `sum of total_rs_shares over directors`: a definition read in place.
            const bool definition = node.kind == NodeKind::sum && plan_.nodes[node.a].kind == NodeKind::slot;
            const std::uint32_t item = definition ? plan_.nodes[node.a].aux : none;
            auto visit = [&](Where each) {
                if (node.b != none && !value_of(node.b, each).word) return;
                if (node.kind == NodeKind::count) {
                    acc.number += Rational(1);
                    return;
                }
                if (definition) {
                    acc.number += slot(item, each).number;
                    any = true;
                    return;
                }
                Value v = value_of(node.a, each);
                if (node.kind == NodeKind::sum) {
                    acc.number += v.number;
                } else if (!any || (node.kind == NodeKind::min_over ? v.number < acc.number : v.number > acc.number)) {
                    acc = std::move(v);
                }
                any = true;
            };
            if (node.aux == 0) {
                for (std::size_t d = 0; d < records_.size(); ++d) visit(Where{static_cast<int>(d), -1});
            } else if (w.director >= 0) {
                for (int g : grants_of_[static_cast<std::size_t>(w.director)]) visit(Where{w.director, g});
            } else {
                for (std::size_t g = 0; g < grant_records_.size(); ++g)
                    visit(Where{out_.grant_director[g], static_cast<int>(g)});
            }
            if (!any && (node.kind == NodeKind::min_over || node.kind == NodeKind::max_over))
                fail_in(node.range, "nothing to take the min or max of", w);
            return acc;
        }
        case NodeKind::year_before: {
            Value label = value_of(node.a, w);
            std::string s = text(label.word);
            std::size_t end = s.size(), start = end;
            while (start > 0 && s[start - 1] >= '0' && s[start - 1] <= '9') --start;
            if (start == end || end - start > 9)
                fail_in(node.range, fmt::format("`year_before` needs a label ending in a year, not \"{}\"", s), w);
            long year = std::stol(s.substr(start));
            if (year == 0)
                fail_in(node.range, fmt::format("no year comes before \"{}\" (`year_before` of year 0)", s), w);
            std::string prev = s.substr(0, start) + fmt::format("{:0{}}", year - 1, end - start);
            Value v;
            v.word = add_text(std::move(prev));
            return v;
        }
        // Computed by the programs' own instructions, never called (traits(kind).call is false).
        case NodeKind::constant:
        case NodeKind::slot:
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul:
        case NodeKind::div:
        case NodeKind::neg:
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
        case NodeKind::and_:
        case NodeKind::or_:
        case NodeKind::not_:
        case NodeKind::if_:
        case NodeKind::min:
        case NodeKind::max:
        case NodeKind::clamp:
        case NodeKind::round:
        case NodeKind::table:
        case NodeKind::is:
        case NodeKind::present:
        case NodeKind::within: assert(!traits(node.kind).call); break;
    }
    return Value{};
}

void Evaluator::fail_too_deep(const Node& node, Where w) {
    fail_in(node.range, fmt::format("the evaluation is nested too deeply (more than {} steps)", max_eval_depth), w);
}

void Evaluator::fail_division(const Node& node, Where w) { fail_in(node.range, "division by zero", w); }

void Evaluator::fail_range(const Node& node, const Value& v, const Value& lo, const Value& hi, Where w) {
    // `grant_forfeited` for director D07, ledger entry 39 is 3,047 shares, outside its
    // declared range 0 shares to restricted_shares (here 0 to 2,285 shares) (P9)
    const ValueRange& range = plan_.value_ranges[node.aux];
    const Slot& s = plan_.slots[range.slot];
    auto shown = [&](const Value& x) {
        std::string text = display_value(plan_, out_, node.type, x);
        if (node.type.kind == Kind::number && !node.type.dimensionless()) text += " " + plan_.type_name(node.type);
        return text;
    };
    // The declared ends' values: computed ones as the check found them, constant ones
    // (the check may leave out an end that cannot fail) as written.
    auto constant = [&](std::uint32_t e) { return e == none || plan_.nodes[e].kind == NodeKind::constant; };
    auto end = [&](std::uint32_t declared, std::uint32_t checked, const Value& found) {
        return checked != none ? shown(found) : shown(plan_.constants[plan_.nodes[declared].aux]);
    };
    std::string here;
    if (!constant(range.low) || !constant(range.high)) {
        if (range.low != none && range.high != none)
            here = fmt::format(" (here {} to {})", end(range.low, node.b, lo), end(range.high, node.c, hi));
        else if (range.low != none) here = fmt::format(" (here from {})", end(range.low, node.b, lo));
        else here = fmt::format(" (here up to {})", end(range.high, node.c, hi));
    }
    std::string who;
    if (w.director >= 0)
        who = fmt::format(" for {} {}", plan_.directors.noun, out_.directors[static_cast<std::size_t>(w.director)].id);
    if (w.grant >= 0) who += fmt::format(", ledger entry {}", w.grant + 1);
    std::string clauses = clause_list(s.sources);
    fail(node.range, fmt::format("`{}`{} is {}, outside its declared range {}{}{}", s.name, who, shown(v),
                                 range.text, here, clauses.empty() ? "" : " (" + clauses + ")"));
}

void Evaluator::fail_clamp(const Node& node, const Value& lo, const Value& hi, Where w) {
    fail_in(node.range, fmt::format("clamp's lower end {} is above its upper end {}", show(node.type, lo),
                                    show(node.type, hi)),
            w);
}

void Evaluator::start() {
    if (started_) {
        if (start_failure_) throw EvalFailure{*start_failure_};
        return;
    }
    started_ = true;
    // The file is read and checked as it is; overrides given before are applied after,
    // and checked on each run like any override (a bad one fails that run, not the session).
    std::vector<InputOverride> given;
    given.swap(overrides_);
    override_index_.clear();
    try {
        prepare();
    } catch (EvalFailure& f) {
        start_failure_ = f.diags;
        throw;
    }
    if (!given.empty()) set_overrides(given);
}

void Evaluator::prepare() {
    load_directors();
    load_grants();
    std::size_t rows = 1 + records_.size() + grant_records_.size();
    memo_.assign(rows * plan_.slots.size(), Value{});
    state_.assign(rows * plan_.slots.size(), State::pending);
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        if (plan_.slots[s].kind != SlotKind::input && plan_.slots[s].kind != SlotKind::param) recomputed_.push_back(s);
        slot_what_.push_back(fmt::format("`{}`", plan_.slots[s].name));
    }
    for (const Series& s : plan_.series) series_what_.push_back(fmt::format("series `{}`", s.name));
    build_hoists();
    // Programs are compiled on first use, after the hoists they refer to are known.
    program_of_node_.assign(plan_.nodes.size(), nullptr);
    check_inputs();
}

void Evaluator::reset() {
    fresh_ = true;
    stop_recording();
    replayed_.clear();
    active_.clear();
    depth_ = 0;
    top_ = 0;
    std::fill(hoist_valid_.begin(), hoist_valid_.end(), 0);
    std::fill(requirement_held_.begin(), requirement_held_.end(), 0);
    // Inputs are kept (they are read from the same file), and so are params: a param's
    // value depends only on constants and the `as of` date, itself an input.
    std::size_t n = plan_.slots.size();
    for (std::size_t row = 0; row * n < state_.size(); ++row) {
        for (std::uint32_t s : recomputed_) state_[row * n + s] = State::pending;
    }
    for (auto& st : state_) {
        if (st == State::running) st = State::pending;   // an evaluation that failed part way
    }
}

void Evaluator::evaluate_all() {
    out_.plan_outputs.clear();
    out_.limits.clear();
    out_.violations.clear();
    const std::size_t n_outputs = plan_.director_outputs.size();
    for (std::size_t d = 0; d < records_.size(); ++d) {
        auto& outputs = out_.directors[d].outputs;
        outputs.resize(n_outputs);
        for (std::size_t k = 0; k < n_outputs; ++k) outputs[k] = slot(plan_.director_outputs[k], Where{static_cast<int>(d), -1});
    }
    for (std::uint32_t s : plan_.plan_outputs) out_.plan_outputs.push_back(slot(s, {}));
    for (std::uint32_t i = 0; i < plan_.limits.size(); ++i) {
        const Limit& l = plan_.limits[i];
        LimitOutcome lo;
        lo.limit = i;
        lo.value = value_of(l.value, {});
        lo.bound = value_of(l.bound, {});
        bool within = l.strict ? lo.value.number < lo.bound.number : lo.value.number <= lo.bound.number;
        lo.status = within ? LimitStatus::ok : LimitStatus::violated;
        out_.limits.push_back(std::move(lo));
    }
}

const Outcome& Evaluator::run() {
    start();
    if (!scale_.empty()) {
        // The last run scaled some outputs: forget them and what depends on them.
        std::vector<std::uint32_t> scaled;
        for (const auto& [s, factor] : scale_) scaled.push_back(s);
        scale_.clear();
        invalidate(scaled, {}, true);
    }
    if (replay_on_) replay();
    evaluate_all();
    if (!overrides_to_check_.empty() || any_recheck_) check_changed_values();
    // Pro rata allocation (one factor per set of outputs): the largest factor with which
    // every limit of the set holds before rounding; each scaled result is then rounded as
    // the limit says, which keeps the limits holding.
    std::map<std::vector<std::uint32_t>, Rational> factors;
    for (const auto& lo : out_.limits) {
        const Limit& l = plan_.limits[lo.limit];
        if (!l.allocation || lo.status == LimitStatus::ok) continue;
        if (lo.bound.number.sign() < 0 || lo.value.number.sign() <= 0)
            fail(l.name_range, fmt::format("limit `{}` cannot be met by scaling: its bound is {}", l.name,
                                           lo.bound.number.to_string()));
        Rational f = lo.bound.number / lo.value.number;
        auto [it, inserted] = factors.emplace(l.allocation->outputs, f);
        if (!inserted && f < it->second) it->second = f;
    }
    if (!factors.empty()) {
        std::vector<bool> bound;
        for (const auto& lo : out_.limits) bound.push_back(lo.status == LimitStatus::violated);
        for (const auto& lo : out_.limits) {
            const Limit& l = plan_.limits[lo.limit];
            if (!l.allocation) continue;
            auto it = factors.find(l.allocation->outputs);
            if (it == factors.end()) continue;
            for (std::uint32_t s : l.allocation->outputs) scale_.emplace(s, std::make_pair(it->second, &*l.allocation));
        }
        reset();
        evaluate_all();
        // The limits that were exceeded before scaling are the ones that bound: they show
        // the factor; the others of the set show their (scaled) value as ok.
        for (std::size_t i = 0; i < out_.limits.size(); ++i) {
            LimitOutcome& lo = out_.limits[i];
            const Limit& l = plan_.limits[lo.limit];
            if (!l.allocation || !bound[i]) continue;
            auto it = factors.find(l.allocation->outputs);
            if (it == factors.end()) continue;
            lo.factor = it->second;
            if (lo.status == LimitStatus::ok) lo.status = LimitStatus::scaled;
        }
    }
    for (const auto& lo : out_.limits) {
        if (lo.status != LimitStatus::violated) continue;
        const Limit& l = plan_.limits[lo.limit];
        auto with_unit = [&](const Value& v) {
            std::string shown = display_value(plan_, out_, l.type, v);
            return l.type.dimensionless() ? shown : shown + " " + plan_.type_name(l.type);
        };
        out_.violations.push_back(Violation{
            l.name, "", fmt::format("{} exceeds the limit of {}", with_unit(lo.value), with_unit(lo.bound)),
            l.sources});
    }
    auto message = [&](const Requirement& r, Where w) {
        std::string m = r.message;
        for (const auto& [name, s] : r.message_slots) {
            std::string shown = display_value(plan_, out_, plan_.slots[s].type, slot(s, w));
            std::string key = "{" + name + "}";
            for (auto at = m.find(key); at != std::string::npos; at = m.find(key, at + shown.size()))
                m.replace(at, key.size(), shown);
        }
        return m;
    };
    for (const auto& r : plan_.requirements) {
        if (r.scope == Scope::plan) {
            if (!eval(r.condition, {}).word) out_.violations.push_back(Violation{r.name, "", message(r, {}), r.sources});
        } else if (r.scope == Scope::director) {
            const auto i = static_cast<std::size_t>(&r - plan_.requirements.data());
            for (std::size_t d = 0; d < records_.size(); ++d) {
                Where w{static_cast<int>(d), -1};
                // Remembered per director until something the condition reads changes.
                std::uint8_t& held = requirement_held_[i * records_.size() + d];
                if (held == 0) held = holds(i, w) ? 1 : 2;
                if (held == 2)
                    out_.violations.push_back(Violation{r.name, out_.directors[d].id, message(r, w), r.sources});
            }
        } else {
            for (std::size_t g = 0; g < grant_records_.size(); ++g) {
                int d = out_.grant_director[g];
                Where w{d, static_cast<int>(g)};
                if (!eval(r.condition, w).word)
                    out_.violations.push_back(Violation{r.name, out_.directors[static_cast<std::size_t>(d)].id,
                                                        fmt::format("{} (ledger entry {})", message(r, w), g + 1),
                                                        r.sources});
            }
        }
    }
    fresh_ = false;
    return out_;
}

Result<Outcome> evaluate(const Plan& plan, const InputFile& inputs, const EvalOptions& options) {
    Session session(plan, inputs, options);
    return session.run();
}

struct Session::Impl {
    Evaluator evaluator;
    const Plan& plan;
};

Session::Session(const Plan& plan, const InputFile& inputs, EvalOptions options)
    : impl_(std::make_unique<Impl>(Impl{Evaluator(plan, inputs, options), plan})) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Result<Outcome> Session::run() {
    try {
        return impl_->evaluator.run();
    } catch (EvalFailure& f) {
        impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

Result<const Outcome*> Session::run_in_place() {
    try {
        return &impl_->evaluator.run();
    } catch (EvalFailure& f) {
        impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

void Session::set_overrides(std::span<const InputOverride> overrides) { impl_->evaluator.set_overrides(overrides); }

void Session::remember_paths() { impl_->evaluator.remember_paths(); }

bool Session::present(std::uint32_t slot, std::size_t director, int grant) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.slot_present(slot, static_cast<int>(director), grant);
    } catch (EvalFailure&) {
        impl_->evaluator.reset();
        return false;
    }
}

Result<Value> Session::value(std::uint32_t slot, std::size_t director, int grant) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.slot_value(slot, static_cast<int>(director), grant);
    } catch (EvalFailure& f) {
        impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

Result<Value> Session::node_value(std::uint32_t node, std::size_t director, int grant) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.node_value(node, static_cast<int>(director), grant);
    } catch (EvalFailure& f) {
        impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

Result<const Outcome*> Session::state() {
    try {
        impl_->evaluator.start();
        return &impl_->evaluator.state();
    } catch (EvalFailure& f) {
        return std::move(f.diags);
    }
}

Result<std::vector<std::pair<InputFile::Node, std::string>>> Session::record_keys() {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.record_keys();
    } catch (EvalFailure& f) {
        return std::move(f.diags);
    }
}

const TableRow* Session::table_row(std::uint32_t table, const Rational& x) const {
    return find_row(impl_->plan.tables[table], x);
}

void Session::reset() { impl_->evaluator.reset(); }

std::vector<int> Session::grants_of(std::size_t director) {
    return impl_->evaluator.grants_of(static_cast<int>(director));
}

std::optional<Rational> Session::scale_factor(std::uint32_t slot) const { return impl_->evaluator.scale_factor(slot); }

std::optional<std::pair<Date, Value>> Session::last_before(std::uint32_t series, Date date) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.last_entry(series, date);
    } catch (EvalFailure&) {
        return std::nullopt;
    }
}

}  // namespace hoshu::eval
