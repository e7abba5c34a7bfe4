// The evaluator's hot path, in one translation unit so that it inlines as one: the memo
// (ensure, compute), the compiled programs' interpreter (run_program, step), the node
// kinds met less often (eval_rare), and replay. What runs once per input, per path or per
// evaluation is in records.cpp, incremental.cpp and limits.cpp.
#include "evaluator/run/evaluator.hpp"

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/numbers/date.hpp"

namespace hoshu::eval {

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
    if (w.grant >= 0 && w.director < 0 && static_cast<std::size_t>(w.grant) < other_at_.size()) {
        auto [k, i] = other_at_[static_cast<std::size_t>(w.grant)];
        out += fmt::format("{}for {} {}", out.empty() ? "" : " ", plan_.others[k].noun, out_.others[k].records[i].id);
    } else if (w.grant >= 0) {
        out += fmt::format(", {} {} of `{}`", plan_.grants.noun, w.grant + 1, plan_.grants.input.path_text);
    }
    return out;
}

int Evaluator::compare_words(Kind kind, const Value& a, const Value& b) const {
    if (kind == Kind::text) {
        int c = text(a.word).compare(text(b.word));
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return a.word < b.word ? -1 : a.word > b.word ? 1 : 0;
}

std::size_t Evaluator::param_version(const Slot& sl) {
    if (sl.versions.size() == 1 && !sl.versions.front().from) return 0;
    auto date = as_of();
    if (!date)
        fail(sl.name_range,
             fmt::format("`{}` has values in force from different dates, and nothing says which date to take", sl.name),
             "give the plan the date it is evaluated on (`as of grant_date` under `plan`), or evaluate with --as-of DATE");
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < sl.versions.size(); ++i)
        if (!sl.versions[i].from || *sl.versions[i].from <= *date) found = i;
    if (!found) fail(sl.name_range, fmt::format("`{}` has no value in force on {}", sl.name, date->to_string()));
    return *found;
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
    if (is_other(sl.scope)) inner.director = -1;
    active_.push_back(s);
    Value v;
    bool absent = false;
    switch (sl.kind) {
        case SlotKind::param: {
            v = eval(sl.versions[param_version(sl)].node, inner);
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
    if (const ScaledOutput* o = scaled_output(s)) {
        scale(v.number, *o);
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
            const Table& t = plan_.tables[in.aux];
            const TableRow* row = !t.keyed() ? find_row(t, out.number)
                                  : find_key_row(t, out.word, t.parameter_type.kind == Kind::text
                                                                  ? std::string_view(text(out.word))
                                                                  : std::string_view());
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
    const Table& t = plan_.tables[in.aux];
    fail_in(node.range, fmt::format("no row of table `{}` covers {}", t.name,
                                    t.keyed() ? show(t.parameter_type, out) : out.number.to_string()), w);
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
            case Mode::other_slot:
                at += (1 + records_.size() + grant_records_.size() + static_cast<std::size_t>(w.grant)) * n_slots;
                break;
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
        auto& traces = recording_scaled_ ? scaled_traces_ : traces_;
        if (traces.size() == max_traces) traces.pop_back();
        traces.insert(traces.begin(), std::move(recorded_));
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
        case TraceCell::Kind::slot:
            if (!scale_.empty()) [[unlikely]] {
                // After scaling: a scaled output is scaled as ensure() scales it.
                if (const ScaledOutput* o = scaled_output(c.index)) scale(result->number, *o);
            }
            state_[c.at] = State::done;
            break;
        case TraceCell::Kind::hoist: hoist_valid_[c.index] = 1; break;
        case TraceCell::Kind::requirement: requirement_held_[c.at] = replay_held_.word ? 1 : 2; break;
        case TraceCell::Kind::other: break;
    }
    return true;
}

std::uint32_t Evaluator::replay_trace(const Trace& trace) {
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

void Evaluator::replay(bool scaled) {
    keep_recording();
    replayed_.clear();
    auto& traces = scaled ? scaled_traces_ : traces_;
    try {
        for (std::size_t t = 0; t < traces.size(); ++t) {
            const std::uint32_t reached = replay_trace(traces[t]);
            replayed_.emplace_back(static_cast<std::uint32_t>(t), reached);
            if (reached == traces[t].cells.size()) {
                // The most recently useful trace is tried first.
                std::rotate(traces.begin(), traces.begin() + static_cast<std::ptrdiff_t>(t),
                            traces.begin() + static_cast<std::ptrdiff_t>(t) + 1);
                return;
            }
        }
    } catch (EvalFailure&) {
        // Something replayed failed: evaluate from scratch, which reports the failure if
        // the outputs need that value. (After scaling, everything is computed again, the
        // scaled outputs scaled: the values that do not depend on them come out the same.)
        reset();
    }
    // No trace went all the way: record this evaluation, starting with what was replayed
    // (not a first one, which computes everything, the same on every path or not).
    if (fresh_) return;
    recording_on_ = true;
    recording_scaled_ = scaled;
    // What each trace replayed up to where it stopped (with what it found known: a known
    // definition is skipped when this record is replayed), each cell once. The traces tried
    // share their beginnings: copying each whole made every record longer than the last,
    // path after path, when the paths go more ways than there are records (1.9 GB for 800
    // paths of two four-branch payouts); each cell once keeps a record within one evaluation.
    copied_.clear();
    auto first_time = [&](const TraceCell& c) {
        std::uint64_t key = 0;
        switch (c.kind) {
            case TraceCell::Kind::slot: key = c.at; break;
            case TraceCell::Kind::other:   // (the place of the definition's value, as a slot's)
                key = row(plan_.slots[c.index], c.w) * plan_.slots.size() + c.index;
                break;
            case TraceCell::Kind::hoist: key = std::uint64_t{1} << 62 | c.index; break;
            case TraceCell::Kind::requirement: key = std::uint64_t{2} << 62 | c.at; break;
        }
        return copied_.insert(key).second;
    };
    for (const auto& [t, reached] : replayed_) {
        const Trace& from = traces[t];
        for (std::uint32_t i = 0; i < reached; ++i) {
            TraceCell c = from.cells[i];
            if (!first_time(c)) continue;
            const auto first = from.ops.begin() + c.first;
            c.first = static_cast<std::uint32_t>(recorded_.ops.size());
            recorded_.ops.insert(recorded_.ops.end(), first, first + c.count);
            recorded_.cells.push_back(c);
        }
    }
    replayed_.clear();
}

template <class F>
void Evaluator::for_each_record(const Node& node, Where w, F&& f) {
    if (node.aux == 0) {
        for (std::size_t d = 0; d < records_.size(); ++d) f(Where{static_cast<int>(d), -1});
    } else if (node.aux >= 2) {
        for (int r : others_of_[node.aux - 2]) f(Where{-1, r});
    } else if (w.director >= 0) {
        for (int g : grants_of_[static_cast<std::size_t>(w.director)]) f(Where{w.director, g});
    } else {
        for (std::size_t g = 0; g < grant_records_.size(); ++g) f(Where{out_.grant_director[g], static_cast<int>(g)});
    }
}

Evaluator::Placing Evaluator::place_counts(std::uint32_t n, int director, int grant) {
    const Node& node = plan_.nodes[n];
    const Where w{director, grant};
    const Rational v = value_of(node.c, w).number;
    Placing p;
    for_each_record(node, w, [&](Where each) {
        if (node.b != none && !value_of(node.b, each).word) return;
        const Rational x = value_of(node.a, each).number;
        if (x < v) ++p.below;
        else if (v < x) ++p.above;
        else ++p.equal;
    });
    return p;
}

Value Evaluator::place_among(std::uint32_t n, Where w) {
    const Node& node = plan_.nodes[n];
    const auto [below, equal, above] = place_counts(n, w.director, w.grant);
    Value out;
    if (node.kind == NodeKind::rank_over) {
        const bool worst = (node.rule & 1) != 0, lowest_first = (node.rule & 2) != 0;
        out.number = Rational(1 + (lowest_first ? below : above) + (worst ? equal : 0));
        return out;
    }
    const std::int64_t count = below + equal + above;
    if (count < 2)
        fail_in(node.range,
                fmt::format("a percentile needs at least 2 records to place a value among; there {} {}",
                            count == 1 ? "is" : "are", count),
                w);
    Rational ties = node.rule == 0 ? Rational(equal) : node.rule == 1 ? Rational(0) : Rational(equal) / Rational(2);
    out.number = (Rational(below) + ties) / Rational(count - 1);
    return out;
}

/// A window of a series: the latest entry up to a date, the entry on a date, the mean of
/// the last N entries, the sum of the entries between two dates.
Value Evaluator::series_window(const Node& node, Where w) {
    const auto& entries = series(node.aux);
    const std::string& name = plan_.series[node.aux].name;
    Date to{static_cast<std::int32_t>(value_of(node.a, w).word)};
    auto by_date = [](const auto& e, Date x) { return e.first < x; };
    auto after_date = [](Date x, const auto& e) { return x < e.first; };
    // One past the last entry in the window.
    auto end = node.to_inclusive ? std::upper_bound(entries.begin(), entries.end(), to, after_date)
                                 : std::lower_bound(entries.begin(), entries.end(), to, by_date);
    const char* bound = node.to_inclusive ? "up to" : "before";
    Value v;
    switch (node.window) {
        case WindowOp::last:
        case WindowOp::last_date:
            if (end == entries.begin())
                fail_in(node.range, fmt::format("series `{}` has no entry {} {}", name, bound, to.to_string()), w);
            if (node.window == WindowOp::last_date) {
                v.word = std::prev(end)->first.days;
                return v;
            }
            entries_read(node.aux, static_cast<std::size_t>(end - entries.begin()) - 1,
                         static_cast<std::size_t>(end - entries.begin()));
            return std::prev(end)->second;
        case WindowOp::on:
            if (end == entries.begin() || !(std::prev(end)->first == to))
                fail_in(node.range, fmt::format("series `{}` has no entry dated {}", name, to.to_string()), w);
            entries_read(node.aux, static_cast<std::size_t>(end - entries.begin()) - 1,
                         static_cast<std::size_t>(end - entries.begin()));
            return std::prev(end)->second;
        case WindowOp::mean: {
            Rational n = value_of(node.c, w).number;
            if (!n.is_integer() || n < Rational(1))
                fail_in(node.range, fmt::format("the mean of the last N entries needs a whole N of at least 1, not {}",
                                                n.to_string()), w);
            auto have = static_cast<std::int64_t>(end - entries.begin());
            if (Rational(have) < n)
                fail_in(node.range, fmt::format("the mean of the last {} entries of `{}` {} {}: there are only {}",
                                                n.to_string(), name, bound, to.to_string(), have), w);
            auto count = static_cast<std::int64_t>(std::stoll(n.to_string()));
            entries_read(node.aux, static_cast<std::size_t>(end - count - entries.begin()),
                         static_cast<std::size_t>(end - entries.begin()));
            for (auto i = end - count; i != end; ++i) v.number += i->second.number;
            v.number = v.number / n;
            return v;
        }
        case WindowOp::sum: {
            Date from{static_cast<std::int32_t>(value_of(node.b, w).word)};
            auto begin = node.from_inclusive ? std::lower_bound(entries.begin(), entries.end(), from, by_date)
                                             : std::upper_bound(entries.begin(), entries.end(), from, after_date);
            if (begin < end)
                entries_read(node.aux, static_cast<std::size_t>(begin - entries.begin()),
                             static_cast<std::size_t>(end - entries.begin()));
            for (auto i = begin; i < end; ++i) v.number += i->second.number;
            return v;
        }
    }
    return v;
}

std::vector<Evaluator::WindowEntry> Evaluator::window_entries(std::uint32_t n, int director, int grant) {
    const Node& node = plan_.nodes[n];
    const Where w{director, grant};
    const auto& entries = series(node.aux);
    Date to{static_cast<std::int32_t>(value_of(node.a, w).word)};
    auto by_date = [](const auto& e, Date x) { return e.first < x; };
    auto after_date = [](Date x, const auto& e) { return x < e.first; };
    // The same window series_window() computes over.
    auto end = node.to_inclusive ? std::upper_bound(entries.begin(), entries.end(), to, after_date)
                                 : std::lower_bound(entries.begin(), entries.end(), to, by_date);
    auto begin = end;
    switch (node.window) {
        case WindowOp::last:
        case WindowOp::last_date:
        case WindowOp::on:
            if (end != entries.begin()) begin = std::prev(end);
            break;
        case WindowOp::mean: {
            auto count = value_of(node.c, w).number.to_int64();
            if (count && *count >= 1 && *count <= end - entries.begin()) begin = end - *count;
            break;
        }
        case WindowOp::sum: {
            Date from{static_cast<std::int32_t>(value_of(node.b, w).word)};
            begin = node.from_inclusive ? std::lower_bound(entries.begin(), entries.end(), from, by_date)
                                        : std::upper_bound(entries.begin(), entries.end(), from, after_date);
            if (begin > end) begin = end;
            break;
        }
    }
    const auto first = static_cast<std::uint32_t>(begin - entries.begin());
    const auto last = static_cast<std::uint32_t>(end - entries.begin());
    std::vector<WindowEntry> out;
    for (auto i = begin; i != end; ++i) out.push_back({i->first, i->second, {}});
    // Each entry's value where the inputs (or an override) wrote it.
    for (const auto& [ptr, read] : series_reads_)
        if (read.series == node.aux && !read.date && read.entry >= first && read.entry < last)
            out[read.entry - first].at = where_of(InputFile::Node{ptr});
    return out;
}

/// Date arithmetic: `d + 30 days`, `d - 1 month`, days_between, months_between, month_end.
Value Evaluator::date_calc(const Node& node, Where w) {
    Date a{static_cast<std::int32_t>(value_of(node.a, w).word)};
    Value v;
    auto op = static_cast<DateOp>(node.aux);
    switch (op) {
        case DateOp::plus_days:
        case DateOp::minus_days:
        case DateOp::plus_months:
        case DateOp::minus_months: {
            Rational n = value_of(node.b, w).number;
            bool months = op == DateOp::plus_months || op == DateOp::minus_months;
            if (!n.is_integer())
                fail_in(node.range, fmt::format("a date moves by whole {}, not {}", months ? "months" : "days",
                                                n.to_string()), w);
            if (op == DateOp::minus_days || op == DateOp::minus_months) n = -n;
            std::optional<Date> moved;
            if (n.abs() < Rational(4000000)) {
                auto k = static_cast<std::int64_t>(std::stoll(n.to_string()));
                if (months) {
                    moved = a.plus_months(k);
                } else {
                    moved = Date{static_cast<std::int32_t>(a.days + k)};
                    int y, m, d;
                    moved->to_ymd(y, m, d);
                    if (y < 1 || y > 9999) moved.reset();
                }
            }
            if (!moved)
                fail_in(node.range, fmt::format("{} moved by {} {} is not a date of years 1 to 9999", a.to_string(),
                                                n.to_string(), months ? "months" : "days"), w);
            v.word = moved->days;
            return v;
        }
        case DateOp::days_between: {
            Date b{static_cast<std::int32_t>(value_of(node.b, w).word)};
            v.number = Rational(static_cast<std::int64_t>(b.days) - a.days);
            return v;
        }
        case DateOp::months_between: {
            Date b{static_cast<std::int32_t>(value_of(node.b, w).word)};
            v.number = Rational(a.months_until(b));
            return v;
        }
        case DateOp::month_end: v.word = a.month_end().days; return v;
    }
    return v;
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
            entries_read(node.aux, static_cast<std::size_t>(it - entries.begin()) - 1,
                         static_cast<std::size_t>(it - entries.begin()));
            return std::prev(it)->second;
        }
        case NodeKind::product: {
            Date after{static_cast<std::int32_t>(value_of(node.a, w).word)};
            Date up_to{static_cast<std::int32_t>(value_of(node.b, w).word)};
            Value v;
            v.number = 1;
            const auto& entries = series(node.aux);
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (!(after < entries[i].first && entries[i].first <= up_to)) continue;
                entries_read(node.aux, i, i + 1);
                v.number *= entries[i].second.number;
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
        case NodeKind::date_calc: return date_calc(node, w);
        case NodeKind::series_window: return series_window(node, w);
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over:
        case NodeKind::mean_over:
        case NodeKind::product_over: {
            Value acc;
            if (node.kind == NodeKind::product_over) acc.number = Rational(1);   // (over no record: 1)
            bool any = false;
            std::int64_t counted = 0;
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
                    const Rational& x = slot(item, each).number;
                    if (!x.is_zero()) acc.number += x;   // x + 0 is x: nothing to add
                    any = true;
                    return;
                }
                Value v = value_of(node.a, each);
                ++counted;
                if (node.kind == NodeKind::sum || node.kind == NodeKind::mean_over) {
                    acc.number += v.number;
                } else if (node.kind == NodeKind::product_over) {
                    acc.number *= v.number;
                } else if (!any || (node.kind == NodeKind::min_over ? v.number < acc.number : v.number > acc.number)) {
                    acc = std::move(v);
                }
                any = true;
            };
            for_each_record(node, w, visit);
            if (!any && (node.kind == NodeKind::min_over || node.kind == NodeKind::max_over))
                fail_in(node.range, "nothing to take the min or max of", w);
            if (node.kind == NodeKind::mean_over) {
                if (counted == 0) fail_in(node.range, "nothing to take the mean of: no record is counted", w);
                acc.number /= Rational(counted);
            }
            return acc;
        }
        case NodeKind::rank_over:
        case NodeKind::percentile_over: return place_among(n, w);
        case NodeKind::year_before: {
            Value label = value_of(node.a, w);
            std::string s = text(label.word);
            auto prev = year_label_moved(s, -1);
            if (!prev && !ends_in_year(s))
                fail_in(node.range, fmt::format("`year_before` needs a label ending in a year, not \"{}\"", s), w);
            if (!prev) fail_in(node.range, fmt::format("no year comes before \"{}\" (`year_before` of year 0)", s), w);
            Value v;
            v.word = add_text(std::move(*prev));
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
    auto shown = [&](const Value& x) { return display_with_unit(plan_, out_, node.type, x); };
    // The declared ends' values: computed ones as the check found them, constant ones
    // (the check may leave out an end that cannot fail) as written.
    auto constant = [&](std::uint32_t e) { return e == none || plan_.nodes[e].kind == NodeKind::constant; };
    auto end = [&](std::uint32_t declared, std::uint32_t checked, const Value& found) {
        return checked != none ? shown(found) : shown(plan_.constants[plan_.nodes[declared].aux]);
    };
    std::string here;
    if (!constant(range.low) || !constant(range.high) || range.named) {   // (a param's name: its value too)
        if (range.low != none && range.high != none)
            here = fmt::format(" (here {} to {})", end(range.low, node.b, lo), end(range.high, node.c, hi));
        else if (range.low != none) here = fmt::format(" (here from {})", end(range.low, node.b, lo));
        else here = fmt::format(" (here up to {})", end(range.high, node.c, hi));
    }
    std::string who;
    if (w.director >= 0)
        who = fmt::format(" for {} {}", plan_.directors.noun, out_.directors[static_cast<std::size_t>(w.director)].id);
    if (w.grant >= 0) who += fmt::format(", {} {} of `{}`", plan_.grants.noun, w.grant + 1, plan_.grants.input.path_text);
    std::string clauses = clause_list(s.sources);
    fail(node.range, fmt::format("`{}`{} is {}, outside its declared range {}{}{}", s.name, who, brief(shown(v)),
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

}  // namespace hoshu::eval
