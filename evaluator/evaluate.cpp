#include "evaluator/evaluate.hpp"

#include <algorithm>
#include <map>

namespace hoshu::eval {

using dsl::SourceRange;

const char* to_string(LimitStatus s) {
    switch (s) {
        case LimitStatus::ok: return "ok";
        case LimitStatus::scaled: return "scaled";
        case LimitStatus::violated: return "violated";
    }
    return "ok";
}

const std::string& Outcome::text(const Plan& plan, std::int64_t id) const {
    auto i = static_cast<std::size_t>(id);
    return i < plan.texts.size() ? plan.texts[i] : texts[i - plan.texts.size()];
}

std::string value_text(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    switch (type.kind) {
        case Kind::number: return v.number.to_string();
        case Kind::date: return Date{static_cast<std::int32_t>(v.word)}.to_string();
        case Kind::boolean: return v.word ? "true" : "false";
        case Kind::text: return outcome.text(plan, v.word);
        case Kind::choice:
            return plan.choices[static_cast<std::size_t>(type.choice)].members[static_cast<std::size_t>(v.word)];
    }
    return {};
}

namespace {

/// Thrown inside the evaluator only; evaluate() turns it into diagnostics.
struct EvalFailure {
    dsl::Diagnostics diags;
};

}  // namespace

class Evaluator {
public:
    Evaluator(const Plan& plan, const InputFile& in, const EvalOptions& options)
        : plan_(plan), in_(in), options_(options) {}

    Outcome run();
    void start();
    void reset();
    const Value& slot_value(std::uint32_t s, int director) { return slot(s, director); }
    Value node_value(std::uint32_t n, int director) { return eval(n, director); }
    const Outcome& state() const { return out_; }
    const TableRow* find_row(const Table& t, const Rational& x) const;

private:
    enum class State : std::uint8_t { pending, running, done };

    [[noreturn]] void fail(SourceRange where, std::string message, std::string hint = {}) {
        EvalFailure f;
        auto& d = f.diags.add(dsl::Severity::error, where, std::move(message));
        d.hint = std::move(hint);
        throw f;
    }
    /// "in `annual_rate` for director D03 (source C5)": where an error happened.
    std::string context(int director) const;
    [[noreturn]] void fail_in(SourceRange where, const std::string& what, int director) {
        fail(where, what + " " + context(director));
    }

    void load_directors();
    const Value& slot(std::uint32_t s, int director);
    Value eval(std::uint32_t n, int director);
    Value read_input(const Slot& s, std::uint32_t index, int director);
    InputFile::Node walk(const InputSpec& spec, InputFile::Node base, int director, const std::string& what,
                         InputFile::Node* parent_out, std::string* missing_key);
    Value convert(const InputFile::Node& node, const Type& type, const std::string& what);
    const std::vector<std::pair<Date, Value>>& series(std::uint32_t index);
    Value table(const Table& t, const Value& x, std::uint32_t node, int director);
    std::int64_t add_text(std::string s) {
        out_.texts.push_back(std::move(s));
        return static_cast<std::int64_t>(plan_.texts.size() + out_.texts.size() - 1);
    }
    const std::string& text(std::int64_t id) const { return out_.text(plan_, id); }
    std::string show(const Type& t, const Value& v) const { return value_text(plan_, out_, t, v); }
    int compare(const Type& t, const Value& a, const Value& b) const;

    const Plan& plan_;
    const InputFile& in_;
    EvalOptions options_;
    Outcome out_;
    std::vector<InputFile::Node> records_;
    std::vector<Value> memo_;         // (1 + directors) × slots
    std::vector<State> state_;
    std::vector<std::pair<std::uint32_t, int>> active_;   // definitions being evaluated (for messages)
    std::map<std::uint32_t, std::vector<std::pair<Date, Value>>> series_;
};

std::string Evaluator::context(int director) const {
    std::string out;
    if (!active_.empty()) {
        const Slot& s = plan_.slots[active_.back().first];
        out = fmt::format("in `{}`", s.name);
        if (!s.sources.empty()) {
            std::string clauses;
            for (const auto& c : s.sources) clauses += (clauses.empty() ? "" : ", ") + c.clause;
            out += fmt::format(" ({})", clauses);
        }
    }
    if (director >= 0) {
        out += fmt::format("{}for director {}", out.empty() ? "" : " ", out_.directors[static_cast<std::size_t>(director)].id);
    }
    return out;
}

int Evaluator::compare(const Type& t, const Value& a, const Value& b) const {
    if (t.kind == Kind::number) {
        auto c = a.number <=> b.number;
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (t.kind == Kind::text) {
        int c = text(a.word).compare(text(b.word));
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return a.word < b.word ? -1 : a.word > b.word ? 1 : 0;
}

void Evaluator::load_directors() {
    if (!plan_.directors.declared) return;
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(plan_.directors.input, in_.root(), -1, "the list of directors", &parent, &missing);
    if (!list) {
        fail(parent ? in_.range(parent) : SourceRange{},
             fmt::format("the inputs have no `{}`: the list of directors ([[{}]] records)", missing,
                         plan_.directors.input.path_text));
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
}

InputFile::Node Evaluator::walk(const InputSpec& spec, InputFile::Node base, int director, const std::string& what,
                                InputFile::Node* parent_out, std::string* missing_key) {
    InputFile::Node node = base;
    for (const auto& step : spec.path) {
        std::string key = step.key;
        if (step.slot != none) {
            const Value& v = slot(step.slot, plan_.slots[step.slot].scope == Scope::director ? director : -1);
            key = show(plan_.slots[step.slot].type, v);
        }
        InputFile::Node next = in_.child(node, key);
        if (!next) {
            if (node && in_.kind(node) != InputKind::table && node.ptr != in_.root().ptr) {
                fail(in_.range(node), fmt::format("{} is read from `{}`, but this is {}, not a table", what,
                                                  spec.path_text, describe(in_.kind(node))));
            }
            *parent_out = node;
            *missing_key = key;
            return {};
        }
        node = next;
    }
    return node;
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
                std::string list;
                for (const auto& m : ct.members) list += (list.empty() ? "" : ", ") + m;
                fail(in_.range(node), fmt::format("unknown {} \"{}\" for {}", ct.name, *r, what),
                     fmt::format("a {} is one of: {}", ct.name, list));
            }
            v.word = it - ct.members.begin();
            return v;
        }
    }
    return v;
}

Value Evaluator::read_input(const Slot& s, std::uint32_t index, int director) {
    InputFile::Node base = s.scope == Scope::director ? records_[static_cast<std::size_t>(director)] : in_.root();
    std::string what = fmt::format("`{}`", s.name);
    InputFile::Node parent;
    std::string missing;
    InputFile::Node node = walk(s.input, base, director, what, &parent, &missing);
    if (!node) {
        if (s.input.default_node != none) return eval(s.input.default_node, director);
        EvalFailure f;
        std::string where_text;
        if (s.scope == Scope::director)
            where_text = fmt::format("director {}", out_.directors[static_cast<std::size_t>(director)].id);
        auto& d = f.diags.error(parent && parent.ptr != in_.root().ptr ? in_.range(parent)
                                : s.scope == Scope::director          ? in_.range(base)
                                                                      : SourceRange{},
                                "missing input `{}`{}: {} needs `{}`", missing,
                                where_text.empty() ? "" : " for " + where_text, what, s.input.path_text);
        (void)d;
        f.diags.note(s.decl_range, "`{}` is declared here", s.name);
        throw f;
    }
    Value v = convert(node, s.type, what);
    if (s.type.kind == Kind::number || s.type.kind == Kind::date) {
        bool low_ok = !s.input.low || compare(s.type, v, *s.input.low) >= 0;
        bool high_ok = !s.input.high || compare(s.type, v, *s.input.high) <= 0;
        if (!low_ok || !high_ok) {
            fail(in_.range(node), fmt::format("{} is {}, outside its declared range {}", what, show(s.type, v),
                                              s.input.range_text));
        }
    }
    (void)index;
    return v;
}

const Value& Evaluator::slot(std::uint32_t s, int director) {
    const Slot& sl = plan_.slots[s];
    std::size_t row = sl.scope == Scope::director ? static_cast<std::size_t>(director) + 1 : 0;
    std::size_t at = row * plan_.slots.size() + s;
    if (state_[at] == State::done) return memo_[at];
    // The checker rejects cycles, so `running` here would be an engine bug.
    assert(state_[at] == State::pending);
    state_[at] = State::running;
    int d = sl.scope == Scope::director ? director : -1;
    active_.emplace_back(s, d);
    Value v;
    switch (sl.kind) {
        case SlotKind::param: {
            std::uint32_t node = sl.versions.back().node;
            if (options_.as_of) {
                node = none;
                for (const auto& version : sl.versions) {
                    if (!version.from || *version.from <= *options_.as_of) node = version.node;
                }
                if (node == none)
                    fail(sl.name_range, fmt::format("`{}` has no value in force on {}", sl.name,
                                                    options_.as_of->to_string()));
            }
            v = eval(node, d);
            break;
        }
        case SlotKind::input: v = read_input(sl, s, d); break;
        case SlotKind::value:
        case SlotKind::output: v = eval(sl.root, d); break;
    }
    active_.pop_back();
    memo_[at] = std::move(v);
    state_[at] = State::done;
    return memo_[at];
}

const std::vector<std::pair<Date, Value>>& Evaluator::series(std::uint32_t index) {
    auto it = series_.find(index);
    if (it != series_.end()) return it->second;
    const Series& s = plan_.series[index];
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(s.input, in_.root(), -1, fmt::format("series `{}`", s.name), &parent, &missing);
    std::vector<std::pair<Date, Value>> entries;
    if (!list) {
        fail(parent && parent.ptr != in_.root().ptr ? in_.range(parent) : SourceRange{},
             fmt::format("missing input `{}`: series `{}` needs [[{}]] records", missing, s.name, s.input.path_text));
    }
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
        auto date = in_.date(dn);
        if (!date) throw EvalFailure{date.error()};
        Value v = convert(vn, s.type, fmt::format("series `{}`", s.name));
        if (v.number.sign() <= 0 && s.type.dim == Dimension{1, -1, 0})
            fail(in_.range(vn), fmt::format("a share price must be positive, not {}", v.number.to_string()));
        if (!entries.empty() && !(entries.back().first < *date)) {
            fail(in_.range(dn), fmt::format("entries of `{}` must be in date order without repeats: {} comes after {}",
                                            s.input.path_text, date->to_string(), entries.back().first.to_string()));
        }
        entries.emplace_back(*date, std::move(v));
    }
    return series_.emplace(index, std::move(entries)).first->second;
}

const TableRow* Evaluator::find_row(const Table& t, const Rational& x) const {
    for (const auto& row : t.rows) {
        if (row.low && (x < *row.low || (x == *row.low && !row.low_inclusive))) continue;
        if (row.high && (x > *row.high || (x == *row.high && !row.high_inclusive))) continue;
        return &row;
    }
    return nullptr;
}

Value Evaluator::table(const Table& t, const Value& x, std::uint32_t node, int director) {
    if (const TableRow* row = find_row(t, x.number)) {
        Value v;
        if (!row->linear) {
            v.number = row->value;
        } else {
            // value + (x - low) × (value_to - value) / (high - low)
            v.number = row->value + (x.number - *row->low) * (row->value_to - row->value) / (*row->high - *row->low);
        }
        return v;
    }
    fail_in(plan_.nodes[node].range,
            fmt::format("no row of table `{}` covers {}", t.name, x.number.to_string()), director);
}

Value Evaluator::eval(std::uint32_t n, int director) {
    const Node& node = plan_.nodes[n];
    switch (node.kind) {
        case NodeKind::constant: return plan_.constants[node.aux];
        case NodeKind::slot: return slot(node.aux, director);
        case NodeKind::add: {
            Value v = eval(node.a, director);
            v.number += eval(node.b, director).number;
            return v;
        }
        case NodeKind::sub: {
            Value v = eval(node.a, director);
            v.number -= eval(node.b, director).number;
            return v;
        }
        case NodeKind::mul: {
            Value v = eval(node.a, director);
            v.number *= eval(node.b, director).number;
            return v;
        }
        case NodeKind::div: {
            Value v = eval(node.a, director);
            Value d = eval(node.b, director);
            if (d.number.is_zero()) fail_in(node.range, "division by zero", director);
            v.number /= d.number;
            return v;
        }
        case NodeKind::neg: {
            Value v = eval(node.a, director);
            v.number = -v.number;
            return v;
        }
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne: {
            Value a = eval(node.a, director);
            Value b = eval(node.b, director);
            int c = compare(plan_.nodes[node.a].type, a, b);
            bool r = node.kind == NodeKind::lt   ? c < 0
                     : node.kind == NodeKind::le ? c <= 0
                     : node.kind == NodeKind::gt ? c > 0
                     : node.kind == NodeKind::ge ? c >= 0
                     : node.kind == NodeKind::eq ? c == 0
                                                 : c != 0;
            Value v;
            v.word = r;
            return v;
        }
        case NodeKind::and_: {
            if (!eval(node.a, director).word) return Value{};
            return eval(node.b, director);
        }
        case NodeKind::or_: {
            Value a = eval(node.a, director);
            if (a.word) return a;
            return eval(node.b, director);
        }
        case NodeKind::not_: {
            Value v;
            v.word = !eval(node.a, director).word;
            return v;
        }
        case NodeKind::if_: return eval(eval(node.a, director).word ? node.b : node.c, director);
        case NodeKind::min:
        case NodeKind::max: {
            const Type& t = node.type;
            Value best = eval(plan_.args[node.args_begin], director);
            for (std::uint32_t i = 1; i < node.args_count; ++i) {
                Value v = eval(plan_.args[node.args_begin + i], director);
                int c = compare(t, v, best);
                if (node.kind == NodeKind::min ? c < 0 : c > 0) best = std::move(v);
            }
            return best;
        }
        case NodeKind::clamp: {
            Value x = eval(node.a, director);
            Value lo = eval(node.b, director);
            Value hi = eval(node.c, director);
            if (compare(node.type, lo, hi) > 0)
                fail_in(node.range, fmt::format("clamp's lower end {} is above its upper end {}",
                                                show(node.type, lo), show(node.type, hi)), director);
            if (compare(node.type, x, lo) < 0) return lo;
            if (compare(node.type, x, hi) > 0) return hi;
            return x;
        }
        case NodeKind::round: {
            Value v = eval(node.a, director);
            v.number = v.number.round_to(node.mode, plan_.constants[node.aux].number);
            return v;
        }
        case NodeKind::table: {
            Value x = eval(node.a, director);
            return table(plan_.tables[node.aux], x, n, director);
        }
        case NodeKind::last_before: {
            Value d = eval(node.a, director);
            const auto& entries = series(node.aux);
            Date date{static_cast<std::int32_t>(d.word)};
            auto it = std::lower_bound(entries.begin(), entries.end(), date,
                                       [](const auto& e, Date x) { return e.first < x; });
            if (it == entries.begin()) {
                fail_in(node.range, fmt::format("series `{}` has no entry before {}", plan_.series[node.aux].name,
                                                date.to_string()), director);
            }
            return std::prev(it)->second;
        }
        case NodeKind::is: {
            Value v;
            v.word = eval(node.a, director).word == static_cast<std::int64_t>(node.aux);
            return v;
        }
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over: {
            Value acc;
            bool any = false;
            for (std::size_t d = 0; d < records_.size(); ++d) {
                int di = static_cast<int>(d);
                if (node.b != none && !eval(node.b, di).word) continue;
                if (node.kind == NodeKind::count) {
                    acc.number += Rational(1);
                    continue;
                }
                Value v = eval(node.a, di);
                if (node.kind == NodeKind::sum) {
                    acc.number += v.number;
                } else if (!any || (node.kind == NodeKind::min_over ? v.number < acc.number : v.number > acc.number)) {
                    acc = std::move(v);
                }
                any = true;
            }
            if (!any && (node.kind == NodeKind::min_over || node.kind == NodeKind::max_over))
                fail_in(node.range, "no director to take the min or max of", -1);
            return acc;
        }
        case NodeKind::year_before: {
            Value label = eval(node.a, director);
            std::string s = text(label.word);
            std::size_t end = s.size(), start = end;
            while (start > 0 && s[start - 1] >= '0' && s[start - 1] <= '9') --start;
            if (start == end || end - start > 9)
                fail_in(node.range, fmt::format("`year_before` needs a label ending in a year, not \"{}\"", s),
                        director);
            long year = std::stol(s.substr(start));
            std::string prev = s.substr(0, start) + fmt::format("{:0{}}", year - 1, end - start);
            Value v;
            v.word = add_text(std::move(prev));
            return v;
        }
    }
    return Value{};
}

void Evaluator::start() {
    if (!memo_.empty() || plan_.slots.empty()) return;
    load_directors();
    std::size_t rows = 1 + records_.size();
    memo_.assign(rows * plan_.slots.size(), Value{});
    state_.assign(rows * plan_.slots.size(), State::pending);
}

void Evaluator::reset() {
    active_.clear();
    for (std::size_t i = 0; i < state_.size(); ++i) {
        const Slot& s = plan_.slots[i % plan_.slots.size()];
        if (s.kind != SlotKind::input || state_[i] == State::running) state_[i] = State::pending;
    }
}

Outcome Evaluator::run() {
    start();
    out_.plan_outputs.clear();
    out_.limits.clear();
    out_.violations.clear();
    for (auto& d : out_.directors) d.outputs.clear();
    for (std::size_t d = 0; d < records_.size(); ++d) {
        for (std::uint32_t s : plan_.director_outputs)
            out_.directors[d].outputs.push_back(slot(s, static_cast<int>(d)));
    }
    for (std::uint32_t s : plan_.plan_outputs) out_.plan_outputs.push_back(slot(s, -1));
    for (std::uint32_t i = 0; i < plan_.limits.size(); ++i) {
        const Limit& l = plan_.limits[i];
        LimitOutcome lo;
        lo.limit = i;
        lo.value = eval(l.value, -1);
        lo.bound = eval(l.bound, -1);
        bool within = l.strict ? lo.value.number < lo.bound.number : lo.value.number <= lo.bound.number;
        lo.status = within ? LimitStatus::ok : LimitStatus::violated;
        if (!within) {
            out_.violations.push_back(Violation{
                l.name, "",
                fmt::format("{} exceeds the limit of {}", show(l.type, lo.value), show(l.type, lo.bound)), l.sources});
        }
        out_.limits.push_back(std::move(lo));
    }
    for (const auto& r : plan_.requirements) {
        if (r.scope == Scope::plan) {
            if (!eval(r.condition, -1).word) out_.violations.push_back(Violation{r.name, "", r.message, r.sources});
        } else {
            for (std::size_t d = 0; d < records_.size(); ++d) {
                if (!eval(r.condition, static_cast<int>(d)).word)
                    out_.violations.push_back(Violation{r.name, out_.directors[d].id, r.message, r.sources});
            }
        }
    }
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

Result<Value> Session::value(std::uint32_t slot, std::size_t director) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.slot_value(slot, static_cast<int>(director));
    } catch (EvalFailure& f) {
        impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

Result<Value> Session::node_value(std::uint32_t node, std::size_t director) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.node_value(node, static_cast<int>(director));
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

const TableRow* Session::table_row(std::uint32_t table, const Rational& x) const {
    return impl_->evaluator.find_row(impl_->plan.tables[table], x);
}

void Session::reset() { impl_->evaluator.reset(); }

}  // namespace hoshu::eval
