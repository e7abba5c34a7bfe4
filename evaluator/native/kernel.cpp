// kernel.hpp: which input slots the varied values are, the base values the kernel reads,
// the checks an override passes before the kernel takes it, and the outputs it hands back.
#include "evaluator/native/kernel.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <numeric>

#include <fmt/format.h>

#include "evaluator/native/codegen.hpp"
#include "evaluator/native/toolchain.hpp"
#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"
#include "evaluator/run/probe.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

/// The inputs check of one input slot, on raw parts: what not_in_units() and the declared
/// range say, decided on 64-bit parts where they fit and on a Rational otherwise.
struct Check {
    std::uint32_t slot = 0;
    bool whole = false;         // a count, a whole unit, a currency whose minor amount is 1
    bool multiple = false;      // a multiple of a minor amount mn/md: n·md divisible by d·mn
    bool low = false, high = false;
    bool positive = false;      // a series entry's value: more than 0
    bool fits = true;           // the minor amount and the ends fit 64 bits
    std::int64_t mn = 1, md = 1, low_n = 0, low_d = 1, high_n = 0, high_d = 1;

    /// n/d (d > 0, both fitting 64 bits) passes, when `fits`.
    bool passes(std::int64_t n, std::int64_t d) const {
        using i128 = __int128;
        if (whole && d != 1) return false;
        if (positive && n <= 0) return false;
        if (multiple && (static_cast<i128>(n) * md) % (static_cast<i128>(d) * mn) != 0) return false;
        // n/d against an end e/f (f > 0): n·f against e·d, exact in 128 bits.
        if (low && static_cast<i128>(n) * low_d < static_cast<i128>(low_n) * d) return false;
        if (high && static_cast<i128>(high_n) * d < static_cast<i128>(n) * high_d) return false;
        return true;
    }
    /// The same on any value.
    bool passes(const Plan& plan, const Rational& value) const {
        const Slot& s = plan.slots[slot];
        if (not_in_units(plan, s.type, value)) return false;
        if (positive && value.sign() <= 0) return false;
        if (low && value < s.input.low->number) return false;
        if (high && s.input.high->number < value) return false;
        return true;
    }
};

bool fits64(__int128 x) { return x == static_cast<std::int64_t>(x); }

Check check_of(const Plan& plan, std::uint32_t s) {
    const Slot& slot = plan.slots[s];
    Check c;
    c.slot = s;
    auto parts = [&](const Rational& v, std::int64_t& n, std::int64_t& d) {
        if (!v.is_small()) {
            c.fits = false;
            return;
        }
        auto [vn, vd] = v.small_parts();
        if (!fits64(vn) || !fits64(vd)) c.fits = false;
        n = static_cast<std::int64_t>(vn);
        d = static_cast<std::int64_t>(vd);
    };
    const UnitRule rule = unit_rule(plan, slot.type);
    c.whole = rule.kind == UnitRule::Kind::whole;
    c.multiple = rule.kind == UnitRule::Kind::multiple;
    if (c.multiple) parts(*rule.unit->minor, c.mn, c.md);
    if (c.mn <= 0) c.fits = false;   // (a minor amount is positive: the plan's check says so)
    c.positive = slot.kind != SlotKind::input;   // a definition taking a series entry's value
    c.low = slot.input.low.has_value();
    c.high = slot.input.high.has_value();
    if (c.low) parts(slot.input.low->number, c.low_n, c.low_d);
    if (c.high) parts(slot.input.high->number, c.high_n, c.high_d);
    return c;
}

/// The checks of a varied value's readers on a whole number x, folded into one: x within
/// [low, high] and a multiple of `step`. Set when every end and minor amount fits 64 bits.
struct WholeGate {
    bool fast = false;
    std::int64_t low = INT64_MIN, high = INT64_MAX, step = 1;
};

/// floor(n/d) and ceil(n/d), d > 0.
__int128 floor_div(__int128 n, __int128 d) { return n / d - (n % d != 0 && n < 0 ? 1 : 0); }
__int128 ceil_div(__int128 n, __int128 d) { return n / d + (n % d != 0 && n > 0 ? 1 : 0); }

WholeGate whole_gate(const std::vector<Check>& checks) {
    WholeGate g;
    for (const auto& c : checks) {
        if (!c.fits) return g;
        if (c.multiple) {
            // x·md divisible by mn: x a multiple of mn / gcd(mn, md).
            const std::int64_t step = c.mn / std::gcd(c.mn, c.md);
            const __int128 l = static_cast<__int128>(g.step) / std::gcd(g.step, step) * step;   // lcm
            if (!fits64(l)) return g;
            g.step = static_cast<std::int64_t>(l);
        }
        if (c.positive && g.low < 1) g.low = 1;
        if (c.low) {
            const __int128 e = ceil_div(c.low_n, c.low_d);
            if (e > INT64_MAX) return g;   // no whole number of 64 bits passes: the Rational path says no
            if (e > g.low) g.low = static_cast<std::int64_t>(e);
        }
        if (c.high) {
            const __int128 e = floor_div(c.high_n, c.high_d);
            if (e < INT64_MIN) return g;
            if (e < g.high) g.high = static_cast<std::int64_t>(e);
        }
    }
    g.fast = true;
    return g;
}

/// A place where the plan reads series `series`'s entry of `date`'s value: `slot` when it
/// is a definition whose whole formula is the lookup (node), for `record`; none when it is
/// read otherwise — a window, a product, an aggregate, a default, a limit, another
/// collection — which only the interpreter computes. A lookup of one entry is `last … before
/// d`, `last … up to d` or `… on d`; one that finds another entry than the changed one does
/// not read it.
struct EntryRead {
    std::uint32_t node = none, slot = none;
    int record = 0;
};

std::vector<EntryRead> series_readers(const Plan& plan, SessionProbe& probe, std::size_t records, bool carried,
                                      std::uint32_t series, Date date) {
    std::vector<EntryRead> out;
    auto one_entry = [](const Node& node) {
        if (node.kind == NodeKind::last_before) return true;
        return node.kind == NodeKind::series_window && node.b == none && node.c == none &&
               (node.window == WindowOp::on || (node.window == WindowOp::last && node.to_inclusive));
    };
    // Whether the lookup at n finds the entry for a record: its date evaluated there.
    auto finds = [&](const Node& node, std::size_t director, int grant) {
        auto d = probe.node_value(node.a, director, grant);
        if (!d) return true;   // not known: taken as read
        Date at{static_cast<std::int32_t>(d->word)};
        if (node.kind == NodeKind::series_window) {
            if (node.window == WindowOp::on) return at.days == date.days;
            at.days += 1;   // up to: the latest entry before the next day
        }
        auto entry = probe.last_before(series, at);
        return entry && entry->first.days == date.days;
    };
    auto visit = [&](auto&& self, std::uint32_t n, std::uint32_t owner, Scope scope, bool whole, bool in_aggregate) -> void {
        if (n == none) return;
        const Node& node = plan.nodes[n];
        if (traits(node.kind).reads_series && node.aux == series && node.kind != NodeKind::last_date) {
            if (!one_entry(node) || in_aggregate || is_other(scope)) {
                out.push_back({n, none, 0});
            } else if (scope == Scope::grant) {
                for (std::size_t d = 0; d < records; ++d)
                    for (int g : probe.grants_of(d))
                        if (finds(node, d, g)) out.push_back({n, none, 0});
            } else {
                const std::size_t count = scope == Scope::plan ? 1 : records;
                for (std::size_t d = 0; d < count; ++d) {
                    if (!finds(node, d, -1)) continue;
                    out.push_back({n, whole ? owner : none, static_cast<int>(d)});
                }
            }
        }
        const bool aggregate = traits(node.kind).aggregate;
        for_each_child(plan, node, [&](std::uint32_t child) { self(self, child, owner, scope, false, in_aggregate || aggregate); });
    };
    for (std::uint32_t s = 0; s < plan.slots.size(); ++s) {
        const Slot& slot = plan.slots[s];
        switch (slot.kind) {
            case SlotKind::value:
            case SlotKind::output:
                if (slot.checked != none) visit(visit, slot.checked, none, slot.scope, false, false);
                else visit(visit, slot.root, s, slot.scope, true, false);
                break;
            case SlotKind::input:
                visit(visit, slot.input.default_node, none, slot.scope, false, false);
                visit(visit, slot.input.low_node, none, slot.scope, false, false);
                visit(visit, slot.input.high_node, none, slot.scope, false, false);
                break;
            case SlotKind::param:
                for (const auto& v : slot.versions) visit(visit, v.node, none, Scope::plan, false, false);
                break;
        }
    }
    for (const auto& l : plan.limits) {
        visit(visit, l.value, none, Scope::plan, false, false);
        visit(visit, l.bound, none, Scope::plan, false, false);
    }
    for (const auto& r : plan.requirements) visit(visit, r.condition, none, r.scope, false, false);
    for (const auto& c : plan.carries) {
        if (!carried) break;
        for (const auto& clause : c.clauses) {
            visit(visit, clause.where, none, clause.scope, false, false);
            for (const auto& f : clause.fields) visit(visit, f.node, none, clause.scope, false, false);
        }
    }
    return out;
}

/// Whether the formula at n reads a definition the kernel computes or a run changes.
bool reaches(const Plan& plan, const Layout& layout, std::uint32_t n) {
    if (n == none) return false;
    const Node& node = plan.nodes[n];
    if ((node.kind == NodeKind::slot || node.kind == NodeKind::present) &&
        (layout.computed[node.aux] || layout.varied[node.aux]))
        return true;
    bool any = false;
    for_each_child(plan, node, [&](std::uint32_t child) { any = any || reaches(plan, layout, child); });
    return any;
}

KernelValue to_kernel(const Type& type, const Value& v) {
    if (type.kind != Kind::number) return KernelValue{v.word, 1};
    if (!v.number.is_small()) return KernelValue{0, -1};   // not available: a run reading it is given up
    auto [n, d] = v.number.small_parts();
    return KernelValue{n, d};
}

}  // namespace

struct Kernel::Impl {
    explicit Impl(const Plan& p) : plan(p) {}
    const Plan& plan;
    Layout layout;
    LoadedKernel loaded;
    std::vector<KernelValue> table;
    std::vector<std::vector<Check>> checks;         // per varied value: one per slot reading it
    // Per varied value: its checks on a whole number x — x passes when x − low ≤ span (as
    // 64-bit unsigned numbers: low ≤ x ≤ low + span) and x is a multiple of step, when
    // `fast` — and its places in the table, varied_at[first, last).
    struct Gate {
        std::int64_t low = 0;
        std::uint64_t span = 0;
        std::int64_t step = 1;
        std::uint32_t first = 0, last = 0;
        std::uint32_t only = none;   // its one place in the table, when it has one
        bool fast = false;           // the checks fold into low, span and step
        bool passes(std::int64_t x) const {
            return static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(low) <= span &&
                   (step == 1 || x % step == 0);
        }
    };
    std::vector<Gate> gates;
    std::size_t count = 0;   // the varied values
    // The straight-line code reads some places as whole numbers without checking them
    // (Layout::trusted_at): per varied value whether one of its places is such a place
    // (`unchecked`), whether what its places hold is not a whole number of 64 bits there
    // (`bad`) and whether its base value is not (`base_bad`); `bad_count` counts the bad
    // ones, and 1 more when a place no run changes holds one. run() writes the word.
    std::vector<std::uint8_t> unchecked, bad, base_bad;
    std::size_t bad_count = 0, fixed_bad = 0;
    static bool whole64(const KernelValue& kv) { return kv.d == 1 && fits64(kv.n); }
    void set_bad(std::size_t i, bool b) {
        if (!unchecked[i] || bad[i] == b) return;
        bad[i] = b;
        if (b) ++bad_count;
        else --bad_count;
    }
    /// Varied values [0, n) set to whole numbers of 64 bits.
    [[gnu::noinline]] void good_first(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) set_bad(i, false);
    }
    void bases_back() {
        bad = base_bad;
        bad_count = fixed_bad + static_cast<std::size_t>(std::count(bad.begin(), bad.end(), 1));
    }
    // When every gate is fast, of step 1 and with one place, an input's (`simple`),
    // set(span) checks and writes through these: per varied value its low, span and place.
    bool simple = false;
    std::vector<std::int64_t> lows;
    std::vector<std::uint64_t> spans;
    std::vector<KernelValue*> places;
    // (simple) Every varied place holds a denominator of 1: set(span) writes numerators
    // only. Kept by every write of another denominator, and by put_back() and clear()
    // unless every base value there is whole (base_whole).
    bool dens_one = false;
    bool base_whole = false;
    // Bits per varied value (64 a word): set since the last run; its places hold another
    // value than the base inputs'. run() puts back the base values of those moved and not set.
    std::vector<std::uint64_t> set_bits, moved_bits;
    // Where the varied values go in the table (one place per slot and record reading each),
    // with the base inputs' value at each: what set() writes and run() and clear() put back.
    std::vector<std::uint32_t> varied_at;
    std::vector<KernelValue> base_values;
    Outcome base, outcome;
    std::vector<std::size_t> output_index;          // per slot: its index in Plan::director_outputs / plan_outputs
    // The outputs the kernel computes: where each is in the table and in the outcome.
    struct Out {
        Value* value = nullptr;
        bool number = false;
    };
    std::vector<Out> outs;
    // Where each out is in the table, then each checked limit's factor (of limit_outs).
    std::vector<const KernelValue*> froms;
    std::vector<LimitOutcome*> limit_outs;   // parallel to Layout::limits
    std::size_t limits_from = 0;             // the first limit's value in outs (its bound follows)
    // The last successful run's outputs as the kernel left them (parallel to froms; a
    // denominator of 0 before any), and whether the outcome is yet to be given them:
    // run() copies (unless keep_last is false), settle() writes the outcome when it is read.
    std::vector<KernelValue> last;
    bool stale = false;
    bool keep_last = true;   // KernelOptions::keep_last; false: the outputs are read in the table
    const KernelValue& kept(std::size_t k) const { return keep_last ? last[k] : *froms[k]; }
    // Per output_handle(): the output's value in the outcome, and its index in `last` when
    // the kernel computes it (else -1).
    struct Handle {
        const Value* value = nullptr;
        std::int64_t raw = -1;
    };
    std::vector<Handle> handles;
    // Per value_handle(): the slot and record, its place in the table (none: the base's
    // value, `fixed`) and whether it is a number.
    struct Read {
        std::uint32_t slot = none;
        std::size_t record = 0;
        std::uint32_t place = none;
        bool number = false;
        Value fixed;
    };
    std::vector<Read> reads;

    void settle() {
        if (stale) write_outcome();
    }
    // (Out of line, as put_back_moved(): what is left inline in run() and whole_output()
    // then needs no registers saved.)
    [[gnu::noinline]] void write_outcome() {
        for (std::size_t k = 0; k < outs.size(); ++k) {
            const KernelValue& kv = kept(k);
            Value& v = *outs[k].value;
            if (!outs[k].number) v.word = static_cast<std::int64_t>(kv.n);
            else if (whole64(kv)) v.number.set_integer(static_cast<std::int64_t>(kv.n));
            else v.number = Rational::from_parts(kv.n, kv.d);
        }
        for (std::size_t k = 0; k < limit_outs.size(); ++k) {
            const KernelValue& kv = kept(outs.size() + k);
            LimitOutcome& lo = *limit_outs[k];
            if (kv.d > 0) {
                lo.status = LimitStatus::scaled;
                lo.factor = Rational::from_parts(kv.n, kv.d);
            } else {
                lo.status = LimitStatus::ok;
                lo.factor.reset();
            }
        }
        stale = false;
    }

    void mark(std::size_t i) { set_bits[i / 64] |= std::uint64_t{1} << (i % 64); }
    std::uint64_t all_bits = 0;   // the bits of every varied value, when they fit one word
    /// Varied values [0, n) set.
    void mark_first(std::size_t n) {
        std::size_t w = 0;
        for (; w < n / 64; ++w) set_bits[w] = ~std::uint64_t{0};
        if (n % 64) set_bits[w] |= (std::uint64_t{1} << (n % 64)) - 1;
    }
    void write(const Gate& g, const KernelValue& kv) {
        if (kv.d != 1) dens_one = false;
        set_bad(static_cast<std::size_t>(&g - gates.data()), !whole64(kv));
        if (g.only != none) table[g.only] = kv;
        else
            for (std::uint32_t k = g.first; k < g.last; ++k) table[varied_at[k]] = kv;
    }
    void put_back(const Gate& g) {
        if (!base_whole) dens_one = false;
        const auto i = static_cast<std::size_t>(&g - gates.data());
        set_bad(i, base_bad[i] != 0);
        for (std::uint32_t k = g.first; k < g.last; ++k) table[varied_at[k]] = base_values[k];
    }
    /// run() on more than 64 varied values: put back those moved and not set.
    [[gnu::noinline]] void start_words() {
        for (std::size_t w = 0; w < set_bits.size(); ++w) {
            if (const std::uint64_t back = moved_bits[w] & ~set_bits[w]) put_back_moved(w, back);
            moved_bits[w] = set_bits[w];
            set_bits[w] = 0;
        }
    }
    /// The base values back for the varied values of bits `back` of word w.
    [[gnu::noinline]] void put_back_moved(std::size_t w, std::uint64_t back) {
        for (; back != 0; back &= back - 1) put_back(gates[w * 64 + static_cast<std::size_t>(std::countr_zero(back))]);
    }
    /// set(span) refusing varied value i: the values before it set.
    [[gnu::noinline]] bool refuse_at(std::size_t i) {
        mark_first(i);
        if (bad_count != fixed_bad) good_first(i);
        return false;
    }
    /// set(span) but for every value of a simple kernel whose places hold denominators of 1.
    [[gnu::noinline]] bool set_each(Kernel& k, std::span<const std::int64_t> wholes) {
        const std::size_t n = wholes.size();
        if (n > count) return false;
        if (!simple) {
            for (std::size_t i = 0; i < n; ++i)
                if (!k.set(i, wholes[i])) return false;
            return true;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t x = wholes[i];
            if (static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(lows[i]) > spans[i]) return refuse_at(i);
            *places[i] = KernelValue{x, 1};
        }
        if (n == count) dens_one = true;
        mark_first(n);
        if (bad_count != fixed_bad) good_first(n);
        return true;
    }
    /// A number as the kernel left it (n/d, d > 0, not in lowest terms) as a 64-bit integer:
    /// nullopt when it is not whole (d does not divide n) or does not fit.
    static std::optional<std::int64_t> whole_kv(const KernelValue& kv) {
        if (whole64(kv)) return static_cast<std::int64_t>(kv.n);
        if (kv.d <= 1 || kv.n % kv.d != 0) return std::nullopt;
        const __int128 q = kv.n / kv.d;
        if (!fits64(q)) return std::nullopt;
        return static_cast<std::int64_t>(q);
    }
    [[gnu::noinline]] std::optional<std::int64_t> whole_of(const Value& v) {
        settle();
        return v.number.to_int64();
    }
};

Kernel::Kernel() = default;
Kernel::Kernel(Kernel&&) noexcept = default;
Kernel& Kernel::operator=(Kernel&&) noexcept = default;
Kernel::~Kernel() = default;

Result<Kernel> Kernel::build(const Plan& plan, Session& session, std::span<const InputFile::Node> varied,
                             const KernelOptions& options) {
    auto base = session.run();
    if (!base) {
        dsl::Diagnostics diags = base.error();
        diags.note(dsl::SourceRange{}, "a compiled plan starts from the base inputs' values, and these do not evaluate");
        return diags;
    }
    const std::size_t records = base->directors.size();
    SessionProbe probe(session);
    dsl::Diagnostics diags;
    std::vector<std::uint8_t> varied_slots(plan.slots.size(), 0);
    std::vector<std::vector<std::pair<std::uint32_t, int>>> readers(varied.size());   // (slot, record)
    std::vector<dsl::SourceRange> slot_changed_at(plan.slots.size());
    // The definitions that take a series entry's value whole (`last S before D`, D a date no
    // run changes), with their lookup's date node: read like inputs.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> lookups;
    // What the kernel cannot read: one error per place and reason, noting where the first
    // value it reads is changed (and how many more there are).
    struct Refusal {
        dsl::SourceRange range;
        std::string message;
        dsl::SourceRange changed_at;
        std::size_t more = 0;
    };
    std::vector<Refusal> refusals;
    for (std::size_t i = 0; i < varied.size(); ++i) {
        const dsl::SourceRange at = i < options.changed_at.size() ? options.changed_at[i] : dsl::SourceRange{};
        auto refuse = [&](dsl::SourceRange range, std::string message) {
            for (auto& r : refusals)
                if (r.range.file == range.file && r.range.begin == range.begin && r.range.valid == range.valid &&
                    r.message == message) {
                    ++r.more;
                    return;
                }
            refusals.push_back(Refusal{range, std::move(message), at, 0});
        };
        auto take = [&](std::uint32_t s, int record) {
            varied_slots[s] = 1;
            if (!slot_changed_at[s].valid) slot_changed_at[s] = at;
            readers[i].emplace_back(s, record);
        };
        if (auto entry = probe.series_entry(varied[i])) {
            const Series& series = plan.series[entry->series];
            if (entry->is_date) {
                refuse(series.name_range,
                       fmt::format("a value a run changes is the date of an entry of the series `{}`, which only the interpreter reads",
                                   series.name));
                continue;
            }
            for (const auto& read : series_readers(plan, probe, records, !base->carried.empty(), entry->series, entry->date)) {
                if (read.slot == none) {
                    refuse(plan.nodes[read.node].range,
                           fmt::format("a value a run changes is an entry of the series `{}`, read here as only the interpreter reads it",
                                       series.name));
                    continue;
                }
                take(read.slot, read.record);
                if (std::none_of(lookups.begin(), lookups.end(), [&](const auto& l) { return l.first == read.slot; }))
                    lookups.emplace_back(read.slot, plan.nodes[read.node].a);
            }
            continue;
        }
        for (const auto& r : probe.readers(varied[i])) {
            const std::string name = r.input ? plan.slots[r.index].name : plan.infos[r.index].name;
            if (!r.input) {
                refuse(plan.infos[r.index].name_range, fmt::format("a value a run changes is read by the info `{}`", name));
                continue;
            }
            const Slot& s = plan.slots[r.index];
            // The records whose input is this value: found by following the input's path for
            // the record the inputs check found it in (or for each record, when the path is
            // absolute). One of a ledger entry or another collection's record is not
            // the kernel's; a path no record's input follows to this value reads nothing.
            std::vector<int> reading;
            bool elsewhere = false;
            if (s.scope == Scope::plan || s.scope == Scope::director) {
                // (The inputs check matches a path's pattern: `years[previous_year].revenue`
                // matches every year's revenue. The path followed says which it reads.)
                std::size_t d = 0, count = s.scope == Scope::plan ? 1 : records;
                if (r.known && s.scope == Scope::director) d = static_cast<std::size_t>(r.record), count = d + 1;
                for (; d < count; ++d)
                    if (probe.input_node(r.index, d).ptr == varied[i].ptr) reading.push_back(static_cast<int>(d));
            } else if (s.scope == Scope::grant) {
                for (std::size_t d = 0; d < records && !elsewhere; ++d)
                    for (int g : probe.grants_of(d))
                        if (probe.input_node(r.index, d, g).ptr == varied[i].ptr) elsewhere = true;
            } else {
                elsewhere = true;
            }
            if (elsewhere) {
                refuse(s.name_range,
                       fmt::format("a value a run changes is read by `{}`, which is neither plan-wide nor one per record of {}",
                                   name, plan.directors.plural));
            } else if (reading.empty()) {
                continue;
            } else if (s.type.kind != Kind::number) {
                refuse(s.name_range, fmt::format("a value a run changes is read by `{}`, which is not a number", name));
            } else if (s.input.low_node != none || s.input.high_node != none) {
                refuse(s.name_range, fmt::format("a value a run changes is read by `{}`, whose range is computed", name));
            } else {
                for (int record : reading) take(r.index, record);
            }
        }
    }
    for (const auto& r : refusals) {
        diags.error(r.range, "{}", r.message);
        if (r.changed_at.valid) diags.note(r.changed_at, "the value is changed here");
        if (r.more) diags.note(dsl::SourceRange{}, "and {} more value{} the run changes, read there too", r.more, r.more == 1 ? "" : "s");
    }
    if (!diags.empty()) return diags;

    Kernel k;
    k.impl_ = std::make_unique<Impl>(plan);
    Impl& m = *k.impl_;
    // The pro rata limits the base inputs bind: the values the kernel does not compute must
    // not be scaled ones, so it computes what their scaling changes (or refuses the plan).
    std::vector<std::uint8_t> bound_in_base(plan.limits.size(), 0);
    for (const auto& lo : base->limits)
        if (lo.factor) bound_in_base[lo.limit] = 1;
    if (!plan_layout(plan, varied_slots, records, !base->carried.empty(), m.layout, diags, slot_changed_at, bound_in_base))
        return diags;
    for (auto s : options.read_slots)
        if (m.layout.computed[s] && std::find(m.layout.wanted.begin(), m.layout.wanted.end(), s) == m.layout.wanted.end())
            m.layout.wanted.push_back(s);
    for (auto [s, date] : lookups) {
        if (!reaches(plan, m.layout, date)) continue;
        diags.error(plan.nodes[date].range,
                    "`{}` looks up a series entry a run changes, on a date that depends on a value the run changes",
                    plan.slots[s].name);
    }
    if (!diags.empty()) return diags;

    // What the kernel reads and does not compute: the base inputs' values.
    m.table.assign(m.layout.size, KernelValue{});
    for (std::uint32_t s = 0; s < plan.slots.size(); ++s) {
        if (m.layout.offset[s] == none || m.layout.computed[s]) continue;
        const Slot& slot = plan.slots[s];
        const std::size_t count = slot.scope == Scope::plan ? 1 : records;
        for (std::size_t r = 0; r < count; ++r) {
            KernelValue kv{0, -1};
            const bool there = slot.kind != SlotKind::input || probe.present(s, r);
            if (there) {
                if (auto v = session.value(s, r)) kv = to_kernel(slot.type, *v);
            }
            m.table[m.layout.offset[s] + r] = kv;
        }
    }
    // The parts computed once: the base inputs' values (for each record where computed per
    // record; not available where the interpreter cannot compute one — a run reading it is
    // given up).
    for (std::size_t k = 0; k < m.layout.frozen.size(); ++k) {
        const std::uint32_t node = m.layout.frozen[k];
        const std::size_t count = m.layout.frozen_per_record[k] ? records : 1;
        for (std::size_t r = 0; r < count; ++r) {
            KernelValue kv{0, -1};
            if (auto v = probe.node_value(node, r)) kv = to_kernel(plan.nodes[node].type, *v);
            m.table[m.layout.frozen_at[k] + r] = kv;
        }
    }
    for (std::uint32_t s = 0; s < plan.slots.size(); ++s) {
        if (m.layout.presence[s] == none) continue;
        const std::size_t count = plan.slots[s].scope == Scope::plan ? 1 : records;
        for (std::size_t r = 0; r < count; ++r)
            m.table[m.layout.presence[s] + r] = KernelValue{probe.present(s, r) ? 1 : 0, 1};
    }
    m.checks.resize(varied.size());
    std::vector<std::uint32_t> first;   // varied value i's places: varied_at[first[i], first[i + 1])
    for (std::size_t i = 0; i < varied.size(); ++i) {
        first.push_back(static_cast<std::uint32_t>(m.varied_at.size()));
        for (auto [s, r] : readers[i]) {
            const std::uint32_t at = m.layout.offset[s] + static_cast<std::uint32_t>(r);
            m.varied_at.push_back(at);
            m.base_values.push_back(m.table[at]);
            const std::uint32_t slot = s;
            if (std::none_of(m.checks[i].begin(), m.checks[i].end(), [&](const Check& c) { return c.slot == slot; }))
                m.checks[i].push_back(check_of(plan, s));
        }
    }
    first.push_back(static_cast<std::uint32_t>(m.varied_at.size()));
    m.simple = true;
    for (std::size_t i = 0; i < varied.size(); ++i) {
        const WholeGate w = whole_gate(m.checks[i]);
        Impl::Gate g;
        g.first = first[i];
        g.last = first[i + 1];
        if (g.last == g.first + 1) g.only = m.varied_at[g.first];
        // No whole number passes when low > high: the Rational path says no.
        g.fast = w.fast && w.low <= w.high;
        if (g.fast) {
            g.low = w.low;
            g.span = static_cast<std::uint64_t>(w.high) - static_cast<std::uint64_t>(w.low);
            g.step = w.step;
        }
        if (!g.fast || g.step != 1 || g.only == none) m.simple = false;
        m.gates.push_back(g);
    }
    m.count = varied.size();
    m.base_whole = std::all_of(m.base_values.begin(), m.base_values.end(), [](const KernelValue& kv) { return kv.d == 1; });
    // (An input's place, never one the kernel writes: what set(span) leaves there stays.)
    for (auto at : m.varied_at)
        if (at >= m.layout.computed_begin) m.simple = false;
    if (m.simple) {
        m.dens_one = m.base_whole;
        for (const auto& g : m.gates) {
            m.lows.push_back(g.low);
            m.spans.push_back(g.span);
            m.places.push_back(m.table.data() + g.only);
        }
    }
    m.set_bits.assign((varied.size() + 63) / 64, 0);
    if (m.set_bits.size() == 1) m.all_bits = varied.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << varied.size()) - 1;
    m.moved_bits.assign(m.set_bits.size(), 0);
    m.base = *base;
    // The limits and requirements the kernel checks hold whenever it finishes a run: their
    // violations in the base are not the run's.
    auto checked = [&](const std::string& rule) {
        for (auto i : m.layout.limits)
            if (plan.limits[i].name == rule) return true;
        for (auto i : m.layout.requirements)
            if (plan.requirements[i].name == rule) return true;
        return false;
    };
    std::erase_if(m.base.violations, [&](const Violation& v) { return checked(v.rule); });
    for (auto i : m.layout.limits) {
        m.base.limits[i].status = LimitStatus::ok;
        m.base.limits[i].factor.reset();
    }
    m.outcome = m.base;
    m.output_index.assign(plan.slots.size(), 0);
    for (std::size_t i = 0; i < plan.director_outputs.size(); ++i) m.output_index[plan.director_outputs[i]] = i;
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) m.output_index[plan.plan_outputs[i]] = i;
    // (The table and the outcome stay where they are for the kernel's life: run() writes
    // through pointers into both.)
    auto number = [&](std::uint32_t s) { return plan.slots[s].type.kind == Kind::number; };
    const KernelValue* table = m.table.data();
    auto out = [&](std::size_t at, Value* value, bool number) {
        m.froms.push_back(table + at);
        m.outs.push_back({value, number});
    };
    for (auto s : m.layout.plan_outputs) out(m.layout.offset[s], &m.outcome.plan_outputs[m.output_index[s]], number(s));
    for (auto s : m.layout.director_outputs)
        for (std::size_t d = 0; d < m.layout.records; ++d)
            out(m.layout.offset[s] + d, &m.outcome.directors[d].outputs[m.output_index[s]], number(s));
    m.limits_from = m.outs.size();
    for (std::size_t k = 0; k < m.layout.limits.size(); ++k) {
        LimitOutcome& lo = m.outcome.limits[m.layout.limits[k]];
        const bool n = plan.limits[m.layout.limits[k]].type.kind == Kind::number;
        out(m.layout.limit_at[k], &lo.value, n);
        out(m.layout.limit_at[k] + 1, &lo.bound, n);
    }
    // Then each checked limit's factor (a denominator 0: none, the limit ok; else scaled).
    for (std::size_t k = 0; k < m.layout.limits.size(); ++k) {
        m.froms.push_back(table + m.layout.limit_at[k] + 2);
        m.limit_outs.push_back(&m.outcome.limits[m.layout.limits[k]]);
    }
    m.last.assign(m.froms.size(), KernelValue{0, 0});
    m.keep_last = options.keep_last;
    auto handle = [&](std::uint32_t s, const Value* value) {
        Impl::Handle h{number(s) ? value : nullptr, -1};
        for (std::size_t k = 0; k < m.outs.size(); ++k)
            if (m.outs[k].value == value) h.raw = static_cast<std::int64_t>(k);
        m.handles.push_back(h);
    };
    for (std::size_t k = 0; k < plan.plan_outputs.size(); ++k) handle(plan.plan_outputs[k], &m.outcome.plan_outputs[k]);
    for (std::size_t d = 0; d < records; ++d)
        for (std::size_t k = 0; k < plan.director_outputs.size(); ++k)
            handle(plan.director_outputs[k], &m.outcome.directors[d].outputs[k]);

    std::vector<std::uint32_t> readable = options.read_slots;
    readable.insert(readable.end(), plan.plan_outputs.begin(), plan.plan_outputs.end());
    readable.insert(readable.end(), plan.director_outputs.begin(), plan.director_outputs.end());
    for (auto s : readable) {
        const Slot& slot = plan.slots[s];
        if (slot.scope != Scope::plan && slot.scope != Scope::director) continue;
        const std::size_t count = slot.scope == Scope::plan ? 1 : records;
        for (std::size_t r = 0; r < count; ++r) {
            Impl::Read read{s, r, none, slot.type.kind == Kind::number, {}};
            if (m.layout.offset[s] != none) {
                read.place = m.layout.offset[s] + static_cast<std::uint32_t>(r);
            } else if (auto v = session.value(s, r)) {
                read.fixed = *v;
            } else {
                continue;   // no value in the base: not readable
            }
            m.reads.push_back(std::move(read));
        }
    }

    ToolchainOptions tools{options.compiler, options.cache_dir, options.cached_only};
    std::vector<std::uint32_t> unchecked;
    const std::string source = kernel_source(plan, m.layout, unchecked);
    {
        std::vector<std::uint8_t> at(m.table.size(), 0);
        for (auto u : unchecked) at[u] = 1;
        m.unchecked.assign(m.count, 0);
        m.base_bad.assign(m.count, 0);
        std::vector<std::uint8_t> varied_place(m.table.size(), 0);
        for (std::size_t i = 0; i < m.count; ++i) {
            for (std::uint32_t k = m.gates[i].first; k < m.gates[i].last; ++k) {
                varied_place[m.varied_at[k]] = 1;
                if (!at[m.varied_at[k]]) continue;
                m.unchecked[i] = 1;
                if (!Impl::whole64(m.base_values[k])) m.base_bad[i] = 1;
            }
        }
        for (auto u : unchecked)
            if (!varied_place[u] && !Impl::whole64(m.table[u])) m.fixed_bad = 1;
        m.bases_back();
        m.table[m.layout.trusted_at] = KernelValue{0, 1};
    }
    auto loaded = load_kernel(source, tools);
    if (!loaded) return loaded.error();
    m.loaded = std::move(*loaded);
    // The base inputs through the kernel must give the base outcome: a kernel that does
    // not agree with the interpreter there is not used. (One that gives them up — a limit
    // the base exceeds and the kernel does not scale, say — is: the interpreter evaluates
    // such runs.)
    if (k.run()) {
        m.settle();
        for (auto i : m.layout.limits) {
            const LimitOutcome& got = m.outcome.limits[i];
            const LimitOutcome& want = base->limits[i];
            if (got.status != want.status || got.factor != want.factor)
                return dsl::one_error({}, "the compiled plan does not agree with the interpreter on the base inputs");
        }
        for (std::size_t d = 0; d < records; ++d) {
            for (std::size_t o = 0; o < plan.director_outputs.size(); ++o) {
                const Value& got = m.outcome.directors[d].outputs[o];
                const Value& want = base->directors[d].outputs[o];
                // A number's word and a word's number mean nothing: compare what the type holds.
                const bool number = plan.slots[plan.director_outputs[o]].type.kind == Kind::number;
                if (number ? !(got.number == want.number) : got.word != want.word)
                    return dsl::one_error({}, "the compiled plan does not agree with the interpreter on the base inputs");
            }
        }
    }
    return k;
}

bool Kernel::set(std::size_t i, std::int64_t whole) {
    Impl& m = *impl_;
    const Impl::Gate& g = m.gates[i];
    if (!g.fast) return set(i, Rational(whole));
    if (!g.passes(whole)) return false;
    m.write(g, KernelValue{whole, 1});
    m.mark(i);
    return true;
}

bool Kernel::set(std::span<const std::int64_t> wholes) {
    Impl& m = *impl_;
    if (wholes.size() != m.count || !m.dens_one) return m.set_each(*this, wholes);
    // Every varied value, each with one place holding a denominator of 1 and a gate of
    // step 1: a range check and a numerator written each.
    const std::int64_t* lows = m.lows.data();
    const std::uint64_t* spans = m.spans.data();
    KernelValue* const* places = m.places.data();
#pragma GCC unroll 4
    for (std::size_t i = 0; i < wholes.size(); ++i) {
        const std::int64_t x = wholes[i];
        if (static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(lows[i]) > spans[i]) return m.refuse_at(i);
        places[i]->n = x;
    }
    if (m.set_bits.size() == 1) m.set_bits[0] = m.all_bits;
    else m.mark_first(m.count);
    if (m.bad_count != m.fixed_bad) m.good_first(m.count);
    return true;
}

bool Kernel::set(std::size_t i, const Rational& value) {
    Impl& m = *impl_;
    if (!value.is_small()) return false;
    auto [n, d] = value.small_parts();
    const Impl::Gate& g = m.gates[i];
    if (d == 1 && fits64(n) && g.fast) return set(i, static_cast<std::int64_t>(n));
    const bool small = fits64(n) && fits64(d);
    for (const auto& c : m.checks[i]) {
        const bool ok = small && c.fits ? c.passes(static_cast<std::int64_t>(n), static_cast<std::int64_t>(d))
                                        : c.passes(m.plan, value);
        if (!ok) return false;
    }
    m.write(g, KernelValue{n, d});
    m.mark(i);
    return true;
}

bool Kernel::set_text(std::size_t i, std::string_view text) {
    // A plain whole number of at most 18 digits without leading zeros ("0", "-42"): what
    // Rational::parse() reads it as, without the general scanner.
    const std::size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
    const std::size_t digits = text.size() - sign;
    if (digits >= 1 && digits <= 18 && (text[sign] != '0' || (digits == 1 && sign == 0))) {
        std::int64_t x = 0;
        bool plain = true;
        for (std::size_t k = sign; k < text.size() && plain; ++k) {
            const char c = text[k];
            plain = c >= '0' && c <= '9';
            x = x * 10 + (c - '0');
        }
        if (plain) return set(i, sign ? -x : x);
    }
    // A percentage is no amount of a unit: the interpreter names the cell ("85%" for USD).
    if (!text.empty() && text.back() == '%') {
        const Impl& m = *impl_;
        for (const auto& c : m.checks[i])
            if (!m.plan.slots[c.slot].type.dimensionless()) return false;
    }
    auto r = Rational::parse(text);
    return r && set(i, *r);
}

void Kernel::clear() {
    Impl& m = *impl_;
    for (std::size_t k = 0; k < m.varied_at.size(); ++k) m.table[m.varied_at[k]] = m.base_values[k];
    m.dens_one = m.simple && m.base_whole;
    m.bases_back();
    std::fill(m.set_bits.begin(), m.set_bits.end(), 0);
    std::fill(m.moved_bits.begin(), m.moved_bits.end(), 0);
}

bool Kernel::run() {
    Impl& m = *impl_;
    if (m.set_bits.size() == 1) {
        const std::uint64_t set = m.set_bits[0];
        if (const std::uint64_t back = m.moved_bits[0] & ~set) m.put_back_moved(0, back);
        m.moved_bits[0] = set;
        m.set_bits[0] = 0;
    } else {
        m.start_words();
    }
    m.table[m.layout.trusted_at].n = m.bad_count == 0 ? 1 : 0;
    if (m.loaded.entry(m.table.data()) != 0) {
        if (!m.keep_last) m.stale = false;   // the table holds no run's outputs now
        return false;
    }
    // The outputs kept as they are (a later run that gives up may overwrite the table's):
    // the outcome is given them when it is read.
    if (m.keep_last) {
        KernelValue* last = m.last.data();
        const KernelValue* const* froms = m.froms.data();
        for (std::size_t k = 0; k < m.froms.size(); ++k) last[k] = *froms[k];
    }
    m.stale = true;
    return true;
}

const Outcome& Kernel::outcome() const {
    impl_->settle();
    return impl_->outcome;
}

std::optional<std::size_t> Kernel::output_handle(std::uint32_t slot, std::size_t record) const {
    const Impl& m = *impl_;
    const Plan& plan = m.plan;
    for (std::size_t k = 0; k < plan.plan_outputs.size(); ++k)
        if (plan.plan_outputs[k] == slot && record == 0 && m.handles[k].value) return k;
    if (record >= m.outcome.directors.size()) return std::nullopt;
    for (std::size_t k = 0; k < plan.director_outputs.size(); ++k) {
        const std::size_t h = plan.plan_outputs.size() + record * plan.director_outputs.size() + k;
        if (plan.director_outputs[k] == slot && m.handles[h].value) return h;
    }
    return std::nullopt;
}

std::optional<std::int64_t> Kernel::whole_output(std::size_t handle) const {
    Impl& m = *impl_;
    const Impl::Handle& h = m.handles[handle];
    // Not the kernel's: as the outcome has it.
    if (h.raw >= 0) return Impl::whole_kv(m.kept(static_cast<std::size_t>(h.raw)));
    return m.whole_of(*h.value);
}

bool Kernel::whole_outputs(std::span<const std::size_t> handles, std::int64_t* out) const {
    const Impl& m = *impl_;
    const Impl::Handle* hs = m.handles.data();
    for (std::size_t i = 0; i < handles.size(); ++i) {
        const Impl::Handle& h = hs[handles[i]];
        if (h.raw >= 0) [[likely]] {
            const KernelValue& kv = m.kept(static_cast<std::size_t>(h.raw));
            const auto n = static_cast<std::int64_t>(kv.n);
            if (kv.d == 1 && kv.n == n) [[likely]] {
                out[i] = n;
                continue;
            }
        }
        auto w = whole_output(handles[i]);   // 6/2, say, or not the kernel's
        if (!w) return false;
        out[i] = *w;
    }
    return true;
}

const KernelValue* Kernel::output_place(std::size_t handle) const {
    const Impl& m = *impl_;
    const std::int64_t raw = m.handles[handle].raw;
    if (raw < 0 || m.keep_last) return nullptr;
    return m.froms[static_cast<std::size_t>(raw)];
}

bool Kernel::changes(std::size_t handle) const { return impl_->handles[handle].raw >= 0; }

std::optional<std::size_t> Kernel::limit_handle(std::uint32_t limit) const {
    const auto& limits = impl_->layout.limits;
    for (std::size_t k = 0; k < limits.size(); ++k)
        if (limits[k] == limit) return k;
    return std::nullopt;
}

bool Kernel::limit_scaled(std::size_t handle) const {
    const Impl& m = *impl_;
    return m.kept(m.outs.size() + handle).d > 0;
}

std::optional<std::int64_t> Kernel::whole_bound(std::size_t handle) const {
    Impl& m = *impl_;
    const std::size_t at = m.limits_from + 2 * handle + 1;
    if (!m.outs[at].number) return std::nullopt;
    return Impl::whole_kv(m.kept(at));
}

std::pair<const KernelValue*, const KernelValue*> Kernel::limit_places(std::size_t handle) const {
    const Impl& m = *impl_;
    if (m.keep_last) return {nullptr, nullptr};
    return {m.froms[m.outs.size() + handle], m.froms[m.limits_from + 2 * handle + 1]};
}

Rational Kernel::bound(std::size_t handle) const {
    const KernelValue& kv = impl_->kept(impl_->limits_from + 2 * handle + 1);
    if (Impl::whole64(kv)) return Rational(static_cast<std::int64_t>(kv.n));
    return Rational::from_parts(kv.n, kv.d);
}

std::optional<std::size_t> Kernel::value_handle(std::uint32_t slot, std::size_t record) const {
    const Impl& m = *impl_;
    for (std::size_t k = 0; k < m.reads.size(); ++k)
        if (m.reads[k].slot == slot && m.reads[k].record == record) return k;
    return std::nullopt;
}

Value Kernel::value(std::size_t handle) const {
    const Impl::Read& read = impl_->reads[handle];
    if (read.place == none) return read.fixed;
    const KernelValue& kv = impl_->table[read.place];
    Value v;
    if (!read.number) v.word = static_cast<std::int64_t>(kv.n);
    else if (Impl::whole64(kv)) v.number.set_integer(static_cast<std::int64_t>(kv.n));
    else v.number = Rational::from_parts(kv.n, kv.d);
    return v;
}

void Kernel::words(std::span<const std::size_t> handles, std::int64_t* out) const {
    const Impl::Read* reads = impl_->reads.data();
    const KernelValue* table = impl_->table.data();
    for (std::size_t i = 0; i < handles.size(); ++i) {
        const Impl::Read& read = reads[handles[i]];
        out[i] = read.place == none ? read.fixed.word : static_cast<std::int64_t>(table[read.place].n);
    }
}

const KernelValue* Kernel::word_place(std::size_t handle) const {
    const Impl::Read& read = impl_->reads[handle];
    return read.place == none ? nullptr : &impl_->table[read.place];
}

std::optional<std::int64_t> Kernel::whole_value(std::size_t handle) const {
    const Impl::Read& read = impl_->reads[handle];
    if (read.place == none) {
        if (!read.number) return read.fixed.word;
        return read.fixed.number.to_int64();
    }
    const KernelValue& kv = impl_->table[read.place];
    if (!read.number) return static_cast<std::int64_t>(kv.n);
    return Impl::whole_kv(kv);
}

}  // namespace hoshu::eval
