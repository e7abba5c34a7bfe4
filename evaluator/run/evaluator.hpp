// The evaluator's class, private to run/ (session.hpp is its public face). What it does:
// reads the inputs (records.cpp), computes definitions on demand, once per record, by
// running their compiled programs (evaluator.cpp, the hot path), recomputes only what a
// what-if change reaches (incremental.cpp), replays recorded evaluations (evaluator.cpp),
// and applies the limits (limits.cpp). Members that every file calls per value (slot(),
// row(), value_of()) are inline here, so that reading a known value costs no call.
//
//   Evaluator e(plan, inputs, options);
//   const Outcome& outcome = e.run();   // throws EvalFailure; Session catches it
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/ir/program.hpp"
#include "evaluator/run/input_keys.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/probe.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

using dsl::SourceRange;

/// Thrown inside the evaluator only; the Session turns it into diagnostics.
struct EvalFailure {
    dsl::Diagnostics diags;
    bool missing_input = false;   // a required input the inputs lack (find_input())
};

/// Where a formula is evaluated: plan-wide (-1, -1), for a director (d, -1), or for one
/// grant of the ledger (its director, g).
struct Where {
    int director = -1;
    int grant = -1;
};

class Evaluator {
public:
    Evaluator(const Plan& plan, const InputFile& in, const EvalOptions& options)
        : plan_(plan), in_(in), options_(options) {}

    const InputFile& inputs() const { return in_; }

    const Outcome& run();
    /// Read the directors and the ledger and check the inputs, once; what fails is
    /// reported again on every later call.
    void start();
    void reset();
    void set_overrides(std::span<const InputOverride> overrides);
    const Value& slot_value(std::uint32_t s, int director, int grant) { return slot(s, Where{director, grant}); }
    const Value& record_value(std::uint32_t s, std::size_t collection, std::size_t position) {
        return slot(s, Where{-1, others_of_.at(collection).at(position)});
    }
    bool slot_present(std::uint32_t s, int director, int grant) {
        return ensure(s, Where{director, grant}) != State::absent;
    }
    Value node_value(std::uint32_t n, int director, int grant) { return eval(n, Where{director, grant}); }
    /// The entries a series window (`mean of last 3 close before d`, `sum of … after … up
    /// to …`, `last …`, `… on …`) at node `n` reads: each one's date, value and where its
    /// value is written (invalid when it is not in a file).
    struct WindowEntry {
        Date date;
        Value value;
        SourceRange at;
    };
    std::vector<WindowEntry> window_entries(std::uint32_t n, int director, int grant);
    /// How a rank or percentile at node `n` places its value: the records (those its filter
    /// keeps) whose value is below it, equal to it and above it.
    struct Placing {
        std::int64_t below = 0, equal = 0, above = 0;
    };
    Placing place_counts(std::uint32_t n, int director, int grant);
    /// Where input slot `s` is written in the inputs file for this director (or grant);
    /// invalid when it is absent (an optional input, or its default taken).
    SourceRange input_range(std::uint32_t s, int director, int grant);
    /// The value of the inputs file input slot `s` reads for this director (or grant);
    /// none when it is absent.
    InputFile::Node input_node(std::uint32_t s, int director, int grant);
    std::vector<int> grants_of(int director) const {
        return director >= 0 && static_cast<std::size_t>(director) < grants_of_.size()
                   ? grants_of_[static_cast<std::size_t>(director)]
                   : std::vector<int>{};
    }
    /// The version of param `sl` in force on the evaluation date (the plan's `as of`, or
    /// --as-of): its index in sl.versions. A param of one undated value needs no date; one
    /// dated, with no date to choose by or none in force on it, is an error at the param.
    std::size_t param_version(const Slot& sl);
    std::optional<Date> evaluation_date() { return as_of(); }
    std::optional<Rational> scale_factor(std::uint32_t s) const {
        const ScaledOutput* o = scaled_output(s);
        if (!o) return std::nullopt;
        return o->factor;
    }
    std::optional<std::pair<Date, Value>> last_entry(std::uint32_t index, Date date) {
        const auto& entries = series(index);
        auto it = std::lower_bound(entries.begin(), entries.end(), date,
                                   [](const auto& e, Date x) { return e.first < x; });
        if (it == entries.begin()) return std::nullopt;
        return *std::prev(it);
    }
    const Outcome& state() const { return out_; }
    std::vector<SessionProbe::Reader> readers_of(InputFile::Node node) const {
        std::vector<SessionProbe::Reader> out;
        auto it = value_checks_.find(node.ptr);
        if (it == value_checks_.end()) return out;
        for (const auto& c : it->second) {
            SessionProbe::Reader r;
            r.input = c.reader.kind == KeyPatterns::Reader::Kind::input;
            r.index = c.reader.index;
            r.known = c.w.has_value() && c.w->grant < 0;
            r.record = c.w ? c.w->director : -1;
            out.push_back(r);
        }
        return out;
    }
    std::optional<std::uint32_t> read_by_series(InputFile::Node node) const {
        auto it = series_reads_.find(node.ptr);
        if (it == series_reads_.end()) return std::nullopt;
        return it->second.series;
    }
    /// From now on, keep which series entries' values the evaluations read (a lookup, a
    /// window, a product over dates): entry_value_read() says.
    void record_entry_reads() { entry_reads_on_ = true; }
    /// Whether an evaluation since record_entry_reads() read the value of the series entry
    /// whose value is written at `node`.
    bool entry_value_read(InputFile::Node node) const {
        auto it = series_reads_.find(node.ptr);
        if (it == series_reads_.end() || it->second.date) return false;
        const SeriesRead read = it->second;
        return read.series < entry_reads_.size() && read.entry < entry_reads_[read.series].size() &&
               entry_reads_[read.series][read.entry] != 0;
    }
    std::optional<SessionProbe::SeriesEntry> series_entry(InputFile::Node node) {
        auto it = series_reads_.find(node.ptr);
        if (it == series_reads_.end()) return std::nullopt;
        const SeriesRead read = it->second;
        return SessionProbe::SeriesEntry{read.series, series(read.series).at(read.entry).first, read.date};
    }
    std::vector<std::pair<InputFile::Node, std::string>> record_keys() {
        std::vector<std::pair<InputFile::Node, std::string>> out;
        // A series entry is named by its date (`prices.2025-06-25.close`): its date says which
        // entry is which, as an id does.
        for (std::uint32_t i = 0; i < plan_.series.size(); ++i) {
            const Series& s = plan_.series[i];
            InputFile::Node list;
            try {
                InputFile::Node parent;
                std::string missing;
                list = walk(s.input, in_.root(), {}, series_what_[i], &parent, &missing);
            } catch (EvalFailure&) {
                continue;   // reported where the series is read
            }
            if (!list || in_.kind(list) != InputKind::array) continue;
            for (std::size_t k = 0; k < in_.size(list); ++k) {
                InputFile::Node rec = in_.element(list, k);
                if (in_.kind(rec) != InputKind::table) continue;
                if (InputFile::Node dn = in_.child(rec, s.date_key))
                    out.emplace_back(dn, fmt::format("the date of an entry of series `{}`", s.name));
            }
        }
        for (std::size_t d = 0; d < records_.size(); ++d)
            out.emplace_back(in_.child(records_[d], plan_.directors.id_key),
                             fmt::format("the id of {} {}", plan_.directors.noun, out_.directors[d].id));
        for (std::size_t g = 0; g < grant_records_.size(); ++g)
            out.emplace_back(in_.child(grant_records_[g], plan_.grants.id_key),
                             fmt::format("the {} of ledger entry {}", plan_.directors.noun, g + 1));
        // Each further collection's key (a peer's `name`): two peers of one name are one
        // peer listed twice, as the inputs file may not say either.
        for (std::size_t k = 0; k < plan_.others.size(); ++k) {
            const DirectorsSpec& spec = plan_.others[k];
            for (std::size_t i = 0; i < others_of_[k].size(); ++i)
                out.emplace_back(in_.child(other_records_[static_cast<std::size_t>(others_of_[k][i])], spec.id_key),
                                 fmt::format("the `{}` of {} {}", spec.id_key, spec.noun, out_.others[k].records[i].id));
        }
        return out;
    }

private:
    enum class State : std::uint8_t { pending, running, done, absent };
    void prepare();
    /// run()'s evaluation, once started.
    const Outcome& evaluate_started();

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

    /// Every placeholder `hoshu inputs` writes for this plan: "<JPY>", "<YYYY-MM-DD>", "<id>".
    std::set<std::string> template_placeholders() const;
    void refuse_placeholders(dsl::Diagnostics& diags, std::set<const void*>& at);
    void refuse_percent_for_amount(SourceRange where, const Type& type, std::string_view text, const std::string& what);
    void load_directors();
    void load_grants();
    /// The records of the plan's further collections (Plan::others), into other_records_.
    void load_others();
    /// The inputs table a definition of `scope` reads from, for the record `w`.
    InputFile::Node record_node(Scope scope, Where w) const {
        switch (scope) {
            case Scope::plan: return in_.root();
            case Scope::director: return records_[static_cast<std::size_t>(w.director)];
            case Scope::grant: return grant_records_[static_cast<std::size_t>(w.grant)];
            default: return other_records_[static_cast<std::size_t>(w.grant)];
        }
    }
    void check_record_key(InputFile::Node node, const std::string& key, const std::string& what);
    /// Check the whole inputs file once, before anything is evaluated: every key is one the
    /// plan reads, and every value a declaration reads — needed this year or not — has
    /// its type and lies in its declared range; every series entry is read.
    void check_inputs();
    /// Every required input the evaluation reads and the inputs lack, each an error added
    /// to `diags` (once, up to `max_errors` errors in all): each output, limit and
    /// requirement of each record is evaluated on its own, so that a missing input stops
    /// only what reads it. The failure path only: a run that met one missing input, or
    /// check_inputs() with other problems, reports them all together.
    /// What else fails, after a failure in diags: each output, limit and requirement is
    /// evaluated on its own, and what fails that diags does not hold yet is added (at most
    /// max_errors): the required inputs missing only, or every failure.
    enum class Failures : std::uint8_t { missing_inputs, all };
    void add_failures(dsl::Diagnostics& diags, std::size_t max_errors, Failures which);
    /// After a failure part way: nothing is left running.
    void recover_from_failure();
    static constexpr std::size_t max_input_errors = 50;
    /// Whether an input's value lies in its declared range; the failure names the input,
    /// the record and the clauses. `w` is where the range's computed ends are evaluated
    /// (nullopt: not known, and only constant ends are checked). A percent written as a
    /// bare number past 1 (`10`, 1000%) is told to be written with its sign (`10%`).
    std::string whose(const Slot& s, std::optional<Where> w) const;
    void check_input_range(const Slot& s, const Value& v, std::optional<Where> w, InputFile::Node node);
    /// Whether the value at `node`, or the CSV cell overriding it, is a number written
    /// without `%`.
    bool written_without_percent(InputFile::Node node) const;
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
            default:   // a further collection's record: w.grant indexes other_records_
                assert(w.grant >= 0);
                return 1 + records_.size() + grant_records_.size() + static_cast<std::size_t>(w.grant);
        }
    }
    /// The rows of memo_ that hold a definition of this scope: [first, last).
    std::pair<std::size_t, std::size_t> rows_of(Scope scope) const {
        const std::size_t directors = records_.size(), grants = grant_records_.size();
        const std::size_t rows = plan_.slots.empty() ? 0 : state_.size() / plan_.slots.size();
        std::size_t first = 0, last = 1;
        if (scope == Scope::director) first = 1, last = 1 + directors;
        if (scope == Scope::grant) first = 1 + directors, last = 1 + directors + grants;
        if (is_other(scope)) first = 1 + directors + grants, last = rows;
        return {first, std::min(last, rows)};
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
    /// Walk an input's path: its node, null when it is absent and optional or defaulted;
    /// a required input that is absent is an error.
    InputFile::Node find_input(const Slot& s, Where w, const std::string& what);
    const InputOverride* override_of(InputFile::Node n) const {
        if (override_index_.empty()) return nullptr;
        auto it = override_index_.find(n.ptr);
        return it == override_index_.end() ? nullptr : &overrides_[it->second];
    }
    /// Where a key missing from the inputs is reported: the table that lacks it (`parent`,
    /// located); at the top level no place in the file — its first line is as likely a
    /// comment as a key — and `*top` is " at the top level of FILE", for the message.
    SourceRange missing_at(InputFile::Node parent, std::string* top) const {
        if (parent && parent.ptr != in_.root().ptr) return in_.range(parent);
        *top = " at the top level of " + in_.path();
        return {};
    }
    /// Notes at each place the inputs give a key `key` that `parent` (a table, null: the top
    /// level) lacks, in another table (`[[change.directors]]`, a key after a [table] header):
    /// the plan reads it at `read_at`.
    void note_given_elsewhere(dsl::Diagnostics& diags, InputFile::Node parent, const std::string& key,
                              const std::string& read_at) const;
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
    /// Calls f(each) for every record an aggregate node ranges over, seen from `w`.
    template <class F>
    void for_each_record(const Node& node, Where w, F&& f);
    /// `rank of V among X over C` and `percentile of …`: V placed among the X.
    Value place_among(std::uint32_t n, Where w);
    Value date_calc(const Node& node, Where w);
    Value series_window(const Node& node, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_too_deep(const Node& node, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_division(const Node& node, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_clamp(const Node& node, const Value& lo, const Value& hi, Where w);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_range(const Node& node, const Value& v, const Value& lo,
                                                           const Value& hi, Where w);
    /// Forget the definitions that depend on these (and the given input reads).
    void invalidate(const std::vector<std::uint32_t>& slots, const std::vector<std::uint32_t>& series, bool seeds_too);
    /// invalidate() record by record: `seeds` changed in the records marked in seed_rows
    /// (per seed, one mark per director; a seed not of a director changed whole), and
    /// `whole` in every record; forget, in the records it reads them from, whatever
    /// depends on them (not the seeds themselves; `whole` too). The slots forgotten are
    /// left in dirty_list_.
    void invalidate_rows(const std::vector<std::uint32_t>& seeds, const std::vector<std::uint8_t>& seed_rows,
                         const std::vector<std::uint32_t>& whole);
    /// An input among the definitions forgotten whose range is computed: checked again.
    void recheck_range_of(std::uint32_t s);
    InputFile::Node walk(const InputSpec& spec, InputFile::Node base, Where w, const std::string& what,
                         InputFile::Node* parent_out, std::string* missing_key);
    Value convert(const InputFile::Node& node, const Type& type, const std::string& what);
    const std::vector<std::pair<Date, Value>>& series(std::uint32_t index);
    std::optional<Date> as_of();
    /// Every output read into out_ (or, changed_only, those flagged in changed_slot_),
    /// and the limits checked.
    void evaluate_all(bool changed_only);
    /// carry.cpp: the records of the plan's `carry` declarations, into out_.carried.
    void carry_records();
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
    /// A value's text in a message: whole when it is short, else its first and last digits
    /// and its length ("10000000000000000000…0000 (10001 characters)").
    static std::string brief(std::string text) {
        if (text.size() <= 64) return text;
        return fmt::format("{}…{} ({} characters)", text.substr(0, 20), text.substr(text.size() - 4), text.size());
    }
    /// -1, 0 or 1 as a is less than, equal to or more than b; numbers inline (the hot case).
    int compare(Kind kind, const Value& a, const Value& b) const {
        if (kind == Kind::number) {
            const auto c = a.number <=> b.number;
            return c < 0 ? -1 : c > 0 ? 1 : 0;
        }
        return compare_words(kind, a, b);
    }
    int compare_words(Kind kind, const Value& a, const Value& b) const;
    int compare(const Type& t, const Value& a, const Value& b) const { return compare(t.kind, a, b); }

    const Plan& plan_;
    const InputFile& in_;
    EvalOptions options_;
    Outcome out_;
    bool started_ = false;
    dsl::Diagnostics missing_carried_;   // load_grants(): carried records absent, reported by check_inputs()
    /// load_grants(): a record names its director by the template's placeholder ("<director>"),
    /// which check_inputs() reports with the others; no record is linked meanwhile.
    bool grants_unlinked_ = false;
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
    std::vector<InputFile::Node> other_records_;    // the further collections' records, one after the other
    std::vector<std::vector<int>> others_of_;       // per further collection: its records' indices there
    std::vector<std::pair<std::size_t, std::size_t>> other_at_;   // per such record: (collection, position)
    std::vector<Value> memo_;                       // rows (plan, directors, grants) × slots
    std::vector<State> state_;
    std::vector<std::uint32_t> active_;             // definitions being evaluated (for messages)
    std::map<std::uint32_t, std::vector<std::pair<Date, Value>>> series_;
    // Pro rata factors: the outputs the last run() scaled, by slot (kept, not freed,
    // from run to run).
    struct ScaledOutput {
        std::uint32_t slot = 0;
        Rational factor;
        const Allocation* allocation = nullptr;
        // factor = p/q, unit u: p and q·u on 64 bits, when they fit (small).
        bool small = false;
        std::int64_t p = 0, den = 1, unit = 1;
    };
    static ScaledOutput scaled_by(std::uint32_t s, const Rational& factor, const Allocation& a);
    /// v scaled pro rata: (v × factor) rounded as the allocation says; whether it changed.
    static bool scale(Rational& v, const ScaledOutput& o);
    /// scaled_again_: per output of scale_, whether it depends on another (then it is
    /// computed again, and scaled, rather than scaled in place). Found once per set.
    void find_scaled_again();
    std::vector<std::uint32_t> scaled_again_key_;
    std::vector<std::uint8_t> scaled_again_;
    std::vector<std::uint32_t> in_place_, again_slots_;   // run(): the outputs scaled in place, computed again
    std::vector<std::uint8_t> in_place_rows_;              // per output scaled in place, per director: changed
    std::vector<ScaledOutput> scale_;
    const ScaledOutput* scaled_output(std::uint32_t s) const {
        for (const auto& o : scale_)
            if (o.slot == s) return &o;
        return nullptr;
    }
    // Scratch of run(), kept to run without allocating: the factor of each set of scaled
    // outputs, which limits bound, and the slots scaled.
    std::vector<std::pair<const std::vector<std::uint32_t>*, Rational>> factors_;
    std::vector<std::uint8_t> bound_;
    std::vector<Rational> before_;                // each limit's total before scaling
    std::vector<std::uint32_t> scaled_slots_;
    std::vector<std::uint32_t> output_index_;    // per slot: its index among the director outputs, or none
    std::vector<std::uint32_t> reread_;          // run(): scaled outputs evaluate_all() reads again
    // Per violation of out_: the rule name and record id it was written from.
    std::vector<std::pair<const std::string*, const std::string*>> violation_from_;
    const std::string empty_;                    // the record of a plan-wide violation
    std::vector<std::size_t> changed_outputs_;   // evaluate_all(): the director outputs scaling changed
    // The message of each limit violated, kept with the values it shows: the same values
    // on the next run give the same message, not formatted again.
    struct LimitMessage {
        Value value, bound;
        std::string text;
        bool known = false;
    };
    std::vector<LimitMessage> limit_messages_;
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
    // Where an input whose path is all written keys (no `[name]` step) was found: per slot,
    // one entry for a plan-wide or absolute path, one per director for a director's. The
    // file's shape never changes (an override changes a value, not a key), so reading the
    // input again — every evaluation of a what-if run — does not walk its path again.
    std::vector<std::vector<const void*>> input_nodes_;
    struct SeriesRead {
        std::uint32_t series = 0, entry = 0;
        bool date = false;
    };
    std::unordered_map<const void*, SeriesRead> series_reads_;
    // record_entry_reads(): per series, per entry, whether its value was read.
    bool entry_reads_on_ = false;
    std::vector<std::vector<std::uint8_t>> entry_reads_;
    /// Entries [first, last) of series `index` had their values read (when recording).
    void entries_read(std::uint32_t index, std::size_t first, std::size_t last) {
        if (!entry_reads_on_ || first >= last) return;
        if (entry_reads_.size() <= index) entry_reads_.resize(index + 1);
        auto& read = entry_reads_[index];
        if (read.size() < last) read.resize(last, 0);
        std::fill(read.begin() + static_cast<std::ptrdiff_t>(first), read.begin() + static_cast<std::ptrdiff_t>(last),
                  std::uint8_t{1});
    }
    std::vector<std::vector<const void*>> series_changed_;   // per series: value nodes to read again
    // Scratch lists of set_overrides() and invalidate(), kept to run without allocating.
    std::vector<const void*> changed_;
    std::vector<std::uint32_t> seed_slots_, seed_series_, work_, dirty_list_;
    std::vector<std::vector<std::uint32_t>> slot_dependents_, series_dependents_;
    // Per slot, per dependent: whether it reads the slot in its own record only; per slot,
    // the per-director requirements that read it otherwise (sorted). Scratch of
    // invalidate_rows(): the records marked per slot (× directors), whole slots, reached.
    std::vector<std::vector<std::uint8_t>> slot_dependent_local_;
    std::vector<std::vector<std::uint32_t>> requirement_cross_of_slot_;
    std::vector<std::uint8_t> row_marks_, all_rows_, reached_;
    std::vector<std::uint8_t> dirty_;
    std::vector<std::uint8_t> changed_slot_;   // per slot: changed by the last scaling (run())
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
    // An evaluation on which a pro rata limit binds has two records: the one before
    // scaling (with the free evaluations', in traces_) and the one of what is computed
    // again after scaling, up to the next evaluation (in scaled_traces_), each replayed
    // on the next evaluation's matching pass; a scaled output replayed is scaled as
    // ensure() scales it.
public:
    void remember_paths();
    /// The cells (definitions, plan-wide parts, requirements) all records hold together.
    std::size_t recorded_cells() const {
        std::size_t n = 0;
        for (const auto* traces : {&traces_, &scaled_traces_})
            for (const Trace& t : *traces) n += t.cells.size();
        return n;
    }
    /// Replay the records of one pass (the evaluation before scaling, or after it), then
    /// record the rest of that pass if no record went all the way.
    void replay(bool scaled);

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
    std::uint32_t replay_trace(const Trace& trace);
    bool replay_cell(const Trace& trace, const TraceCell& c);
    static constexpr std::size_t max_traces = 8;
    /// Whether a per-director requirement holds for a director (recorded when recording).
    bool holds(std::uint32_t requirement, Where w);
    bool replay_on_ = false;
    bool recording_on_ = false;
    bool fresh_ = true;                         // nothing computed yet (start, reset): nothing to record
    std::vector<Trace> traces_;                 // most recently useful first
    std::vector<Trace> scaled_traces_;          // the same, of the passes after scaling
    bool recording_scaled_ = false;             // recorded_ is of a pass after scaling
    Trace recorded_;                            // the evaluation being recorded
    std::vector<OpenRecord> recording_;         // definitions being recorded, innermost last
    std::size_t open_records_ = 0;
    int record_into_ = -1;                      // the open record the next run() writes to
    Value replay_held_;                         // a replayed requirement's result
    std::vector<std::pair<std::uint32_t, std::uint32_t>> replayed_;   // (trace, cells it went through) this time
    std::unordered_set<std::uint64_t> copied_;  // replay(): the cells copied into the new record
};

/// "C8, P5": the clauses a definition cites, each once, for messages.
inline std::string clause_list(const std::vector<Citation>& sources) {
    std::string clauses;
    for (const auto& c : sources) {
        if (clauses.find(c.clause) == std::string::npos) clauses += (clauses.empty() ? "" : ", ") + c.clause;
    }
    return clauses;
}

}  // namespace hoshu::eval
