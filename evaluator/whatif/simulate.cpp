#include "evaluator/whatif/simulate.hpp"

#include "dsl/base/threads.hpp"
#include "evaluator/native/codegen.hpp"
#include "evaluator/ir/reads.hpp"
#include "evaluator/native/kernel.hpp"
#include "evaluator/run/probe.hpp"
#include "evaluator/run/values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <boost/multiprecision/cpp_dec_float.hpp>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace hoshu::eval {

namespace {

using Decimal = boost::multiprecision::cpp_dec_float_50;

Decimal to_decimal(const Rational& r) {
    return Decimal(r.numerator_string()) / Decimal(r.denominator_string());
}

/// `x` rounded half-up to `places` decimals, as an exact Rational.
Rational to_rational(const Decimal& x, int places) {
    std::string text = x.str(places, std::ios_base::fixed);
    auto r = Rational::parse(text);
    return r ? *r : Rational();
}

/// Counting a compiled plan's runs without writing their outcome: what a run changes (the
/// outputs it recomputes, the limits it checks, the events and the grant-time price) is read
/// from the kernel as whole numbers on each path; an output or limit no run changes is the
/// base outcome's on every path, and is counted once for all those paths (flush()). An
/// output a run may change but that has kept one value on every path counted so far (a
/// director's shares under a guard no path changes, say) is only compared on each path,
/// and counted for all of them when it first changes, or at flush().
class KernelCounts {
public:
    /// `numeric`, `valued` (per director output) and `plan_numeric` (per plan-wide output)
    /// say which outputs are counted, as the interpreter's paths count them.
    KernelCounts(const Kernel& k, const Plan& plan, SimulationResult& r, std::size_t n_directors,
                 const std::vector<std::uint8_t>& numeric, const std::vector<std::uint8_t>& valued,
                 const std::vector<std::uint8_t>& plan_numeric, std::optional<std::size_t> price,
                 std::vector<std::size_t> events)
        : price_(price) {
        const Outcome& base = k.outcome();   // the base inputs' run: what no run changes
        // (The tallies stay where they are: r is not resized after this.)
        auto output = [&](std::uint32_t slot, std::size_t record, OutputTally& tally, bool valued, const Value& value) {
            auto h = k.output_handle(slot, record);
            if (h && k.changes(*h)) {
                valued_.push_back(valued);
                handles_.push_back(*h);
                places_.push_back(k.output_place(*h));
                if (!places_.back()) read_all_ = false;
                tallies_.push_back(&tally);
            } else {
                fixed_.push_back(Fixed{&tally, valued, value.number});
            }
        };
        const std::size_t n_outputs = plan.director_outputs.size();
        for (std::size_t d = 0; d < n_directors; ++d)
            for (std::size_t o = 0; o < n_outputs; ++o)
                if (numeric[o])
                    output(plan.director_outputs[o], d, r.outputs[d * n_outputs + o], valued[o] != 0,
                           base.directors[d].outputs[o]);
        for (std::size_t o = 0; o < plan.plan_outputs.size(); ++o)
            if (plan_numeric[o]) output(plan.plan_outputs[o], 0, r.plan_outputs[o], false, base.plan_outputs[o]);
        for (std::uint32_t i = 0; i < r.limits.size(); ++i) {
            const bool number = plan.limits[i].type.kind == Kind::number;
            if (auto h = k.limit_handle(i)) {
                const auto [factor, bound] = k.limit_places(*h);
                limits_.push_back(Limit{i, *h, number, factor, bound});
            }
            else fixed_limits_.push_back(FixedLimit{i, base.limits[i].status, number, base.limits[i].bound.number});
        }
        wholes_.resize(handles_.size());
        // Events no run changes are counted at flush(); the others straight from the table.
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (const KernelValue* at = k.word_place(events[i])) {
                event_places_.push_back(EventPlace{at, &r.events[i].count});
            } else {
                std::int64_t word = 0;
                k.words(std::span(&events[i], 1), &word);
                if (word != 0) fixed_events_.push_back(&r.events[i].count);
            }
        }
    }

    /// Count the last successful run of `k`: false, with nothing counted, when an output or
    /// the price is not a whole 64-bit number (the caller counts that run from k.outcome()).
    bool add(const Kernel& k, SimulationResult& r) {
        // Once every output has a place and this block of paths has begun: the outputs that
        // kept one value so far are compared where the kernel left them, the others read.
        if (!read_all_ || paths_ == 0 || !read_moving()) return add_read_all(k, r);
        // Each steady output's place against the image of its value, 16 bytes at a time; only
        // when one differs, which.
        changed_.clear();
        Words16 differ{0, 0};
#pragma GCC unroll 4
        for (const Steady& o : steady_) {
            const auto* at = reinterpret_cast<const Words16*>(o.place);
            differ |= (at[0] ^ o.image[0]) | (at[1] ^ o.image[1]);
        }
        if ((differ[0] | differ[1]) != 0) [[unlikely]]
            for (std::size_t j = 0, n = steady_.size(); j < n; ++j) {
                const KernelValue& kv = *steady_[j].place;
                if (kv.d != 1 || kv.n != steady_[j].value) changed_.push_back(j);
            }
        for (const std::size_t j : changed_) {
            const KernelValue& kv = *steady_[j].place;
            if (kv.d != 1 || kv.n != static_cast<std::int64_t>(kv.n)) return add_read_all(k, r);   // 6/2, say
        }
        std::int64_t price = 0;
        if (price_ && !read_price(k, price)) return false;
        // Those that changed now move (last first, so that each j still names its output).
        for (auto j = changed_.rbegin(); j != changed_.rend(); ++j) {
            const std::size_t i = steady_[*j].index;
            settle(i, steady_[*j].value);   // its value on the paths before this one
            start_moving(i, static_cast<std::int64_t>(places_[i]->n));
            steady_[*j] = steady_.back();
            steady_.pop_back();
        }
        count(k, r, price);
        return true;
    }

    /// Count what no run changes for every path add() counted since the last flush().
    void flush(SimulationResult& r) {
        if (paths_ == 0) return;
        for (const Steady& o : steady_) settle(o.index, o.value);
        const Rational price_sum = price_sum_.value();
        for (const Fixed& f : fixed_) {
            f.tally->counts.add(f.value, paths_);
            if (price_ && f.valued && !f.value.is_zero()) f.tally->value_times_price.add(f.value * price_sum);
        }
        for (std::uint64_t* count : fixed_events_) *count += paths_;
        if (price_) {
            if (price_low_ != price_high_) r.price_varies = true;
            else r.note_price(Rational(price_low_));
            price_low_ = std::numeric_limits<std::int64_t>::max();
            price_high_ = std::numeric_limits<std::int64_t>::min();
        }
        for (const FixedLimit& l : fixed_limits_) {
            LimitTally& t = r.limits[l.limit];
            if (l.status == LimitStatus::scaled) t.scaled += paths_;
            if (l.status == LimitStatus::violated) t.violated += paths_;
            if (l.number) t.bounds.add(l.bound, paths_);
        }
        paths_ = 0;
        price_sum_ = ExactSum();
    }

private:
    /// The moving outputs' values where the kernel left them into moving_values_: false when
    /// one is not a whole 64-bit number.
    bool read_moving() {
        std::int64_t* out = moving_values_.data();
        __int128 bad = 0;   // (what a value lacks of a whole 64-bit number, gathered: no branch a value)
#pragma GCC unroll 4
        for (const Moving& m : moving_) {
            const KernelValue& kv = *m.place;
            const auto v = static_cast<std::int64_t>(kv.n);
            bad |= (kv.n ^ v) | (kv.d ^ 1);
            *out++ = v;
        }
        return bad == 0;
    }
    bool read_price(const Kernel& k, std::int64_t& price) const {
        auto v = k.whole_value(*price_);
        if (!v) return false;
        price = *v;
        return true;
    }
    /// Output i moves from this run on, its value there `value`: the three moving vectors
    /// grow together, whichever of add() and add_read_all() found it changed.
    void start_moving(std::size_t i, std::int64_t value) {
        moving_.push_back(Moving{places_[i], tallies_[i], price_ && valued_[i]});
        moving_index_.push_back(i);
        moving_values_.push_back(value);
    }
    /// add() reading every output the run changes, whether or not it has a place.
    bool add_read_all(const Kernel& k, SimulationResult& r) {
        if (read_all_) {
            // Straight from the kernel's table: whole values (d = 1) that fit 64 bits.
            const KernelValue* const* places = places_.data();
            std::int64_t* out = wholes_.data();
            for (std::size_t i = 0, n = places_.size(); i < n; ++i) {
                const KernelValue& kv = *places[i];
                const auto v = static_cast<std::int64_t>(kv.n);
                if (kv.d != 1 || kv.n != v) [[unlikely]] {
                    if (!k.whole_outputs(handles_, wholes_.data())) return false;   // 6/2, say
                    break;
                }
                out[i] = v;
            }
        } else if (!k.whole_outputs(handles_, wholes_.data())) {
            return false;
        }
        std::int64_t price = 0;
        if (price_ && !read_price(k, price)) return false;
        const std::int64_t* w = wholes_.data();
        if (paths_ == 0) {
            // The first path since flush(): every output holds its value so far.
            steady_.clear();
            moving_.clear();
            moving_index_.clear();
            moving_values_.clear();
            for (std::size_t i = 0; i < handles_.size(); ++i) steady_.push_back(Steady(places_[i], w[i], i));
        }
        for (std::size_t j = 0; j < moving_.size(); ++j) moving_values_[j] = w[moving_index_[j]];
        for (std::size_t j = 0; j < steady_.size();) {
            const std::size_t i = steady_[j].index;
            if (w[i] == steady_[j].value) [[likely]] {
                ++j;
                continue;
            }
            settle(i, steady_[j].value);   // its value on the paths before this one
            start_moving(i, w[i]);
            steady_[j] = steady_.back();
            steady_.pop_back();
        }
        count(k, r, price);
        return true;
    }
    /// Count one run whose moving outputs' values are in moving_values_.
    void count(const Kernel& k, SimulationResult& r, std::int64_t price) {
        const std::int64_t* v = moving_values_.data();
        for (std::size_t j = 0, n = moving_.size(); j < n; ++j) {
            const Moving& m = moving_[j];
            m.tally->counts.add(v[j]);
            if (m.priced && v[j] != 0) m.tally->value_times_price.add_product(v[j], price);
        }
        for (const Limit& l : limits_) {
            LimitTally& t = r.limits[l.limit];
            if (l.factor == nullptr) {
                t.scaled += k.limit_scaled(l.handle);
                if (!l.number) continue;
                if (auto b = k.whole_bound(l.handle)) t.bounds.add(*b);
                else t.bounds.add(k.bound(l.handle));
                continue;
            }
            // (Straight from the kernel's table.)
            t.scaled += l.factor->d > 0;
            if (!l.number) continue;
            const KernelValue& b = *l.bound;
            const auto whole = static_cast<std::int64_t>(b.n);
            if (b.d == 1 && b.n == whole) [[likely]] t.bounds.add(whole);
            else if (auto w = k.whole_bound(l.handle)) t.bounds.add(*w);
            else t.bounds.add(k.bound(l.handle));
        }
        if (price_) {
            r.price_sum.add(price);
            price_sum_.add(price);
            price_low_ = std::min(price_low_, price);
            price_high_ = std::max(price_high_, price);
        }
        for (const EventPlace& e : event_places_) *e.count += e.place->n != 0;
        ++r.paths;
        ++paths_;
    }
    /// Changing output i's one value v on every path counted since flush(), counted for them.
    void settle(std::size_t i, std::int64_t v) {
        tallies_[i]->counts.add(Rational(v), paths_);
        if (price_ && valued_[i] && v != 0) tallies_[i]->value_times_price.add(Rational(v) * price_sum_.value());
    }
    struct Moving {
        const KernelValue* place = nullptr;   // null unless read_all_
        OutputTally* tally = nullptr;
        bool priced = false;                  // in shares, with a price to multiply
    };
    /// Two 64-bit words, compared and combined at once (one SSE register on x86-64).
    using Words16 = std::int64_t __attribute__((vector_size(16), may_alias));
    struct alignas(16) Steady {
        Steady(const KernelValue* at, std::int64_t v, std::size_t i) : place(at), value(v), index(i) {
            const KernelValue kv{v, 1};
            std::memcpy(image, &kv, sizeof kv);
        }
        Words16 image[2];                     // the place's bytes while it holds `value`
        const KernelValue* place = nullptr;   // null unless read_all_
        std::int64_t value = 0;               // its one value so far
        std::size_t index = 0;
    };
    static_assert(sizeof(KernelValue) == 2 * sizeof(Words16), "a kernel value is two 16-byte halves");
    struct EventPlace {
        const KernelValue* place = nullptr;
        std::uint64_t* count = nullptr;
    };
    struct Fixed {
        OutputTally* tally = nullptr;
        bool valued = false;
        Rational value;
    };
    struct Limit {
        std::uint32_t limit = 0;
        std::size_t handle = 0;
        bool number = false;
        const KernelValue* factor = nullptr;   // where runs leave it (null unless read_all_)
        const KernelValue* bound = nullptr;
    };
    struct FixedLimit {
        std::uint32_t limit = 0;
        LimitStatus status = LimitStatus::ok;
        bool number = false;
        Rational bound;
    };
    std::optional<std::size_t> price_;
    // The outputs runs change: their handles and tallies.
    std::vector<std::size_t> handles_;
    std::vector<OutputTally*> tallies_;
    std::vector<const KernelValue*> places_;   // where each run leaves them (KernelOptions::keep_last false)
    bool read_all_ = true;                     // every one has a place
    std::vector<std::uint8_t> valued_;       // whether each is valued at the grant-time price
    // Since flush(): the outputs that kept one value on every path (steady_), the others.
    // moving_[j] is output moving_index_[j], its value in the run being counted moving_values_[j].
    std::vector<Steady> steady_;
    std::vector<std::size_t> moving_index_, changed_;
    std::vector<Moving> moving_;
    std::vector<std::int64_t> moving_values_;
    std::vector<EventPlace> event_places_;        // events runs change
    std::vector<std::uint64_t*> fixed_events_;    // events true on every run
    std::vector<Fixed> fixed_;
    std::vector<Limit> limits_;
    std::vector<FixedLimit> fixed_limits_;
    std::vector<std::int64_t> wholes_;    // one run's values, read before any is counted
    std::uint64_t paths_ = 0;             // counted by add() since the last flush()
    ExactSum price_sum_;                  // their grant-time prices
    std::int64_t price_low_ = std::numeric_limits<std::int64_t>::max(), price_high_ = std::numeric_limits<std::int64_t>::min();
};

/// The closes an evaluation of `session` (recording entry reads) read that are dated
/// after the price's start and not simulated: each would keep the inputs' value on every
/// path while the simulated closes vary around it. One error each, at the model's `dates`.
void check_closes_read(const InputFile& inputs, const PriceModel& p, Session& session, dsl::Diagnostics& bad) {
    InputFile::Node series = inputs.find(p.series, nullptr);
    if (!series || inputs.kind(series) != InputKind::array) return;
    SessionProbe probe(session);
    for (std::size_t k = 0; k < inputs.size(series); ++k) {
        InputFile::Node record = inputs.element(series, k);
        InputFile::Node date_node = inputs.child(record, p.date_key), value = inputs.child(record, p.value_key);
        if (!date_node || !value) continue;
        auto date = inputs.date(date_node);
        if (!date || *date <= p.start) continue;   // history: the closes up to the start are known
        if (std::find(p.dates.begin(), p.dates.end(), *date) != p.dates.end()) continue;
        if (!probe.entry_read(value)) continue;
        const dsl::SourceRange at = inputs.range(value);
        auto& d = bad.error(p.dates_range,
                            "the plan reads the close of {} (`{}.{}.{}`, record {} of `{}`), which `dates` does not "
                            "list: it would keep the inputs' value, {}, on every path while the simulated closes vary",
                            date->to_string(), p.series, date->to_string(), p.value_key, k + 1, p.series,
                            inputs.bytes().substr(at.begin, at.end - at.begin));
        d.hint = fmt::format("add {} to `dates`: every close after `start` ({}) that the plan reads is simulated",
                             date->to_string(), p.start.to_string());
        bad.note(at, "the close of {} in the inputs", date->to_string());
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Preparing: the model's names against the plan and the inputs

Result<Simulation> Simulation::prepare(const Plan& plan, const InputFile& inputs, const Model& model,
                                       EvalOptions options, bool base) {
    Simulation sim(plan, inputs, model);
    dsl::Diagnostics bad;
    auto resolve = [&](const std::string& path, dsl::SourceRange where) {
        std::string why;
        InputFile::Miss miss;
        InputFile::Node node = inputs.find(path, &why, &miss);
        if (!node) {
            auto& d = bad.error(miss.narrow(where, path), "`{}` is not a value of the inputs: {}", path, why);
            if (std::string fix = miss.corrected(path); !fix.empty()) d.hint = fmt::format("did you mean `{}`?", fix);
        } else if (auto k = inputs.kind(node); k == InputKind::table || k == InputKind::array) {
            bad.error(where, "`{}` is {} in the inputs; name one value in it", path, describe(k));
        }
        return node;
    };
    std::map<const void*, std::pair<std::string, dsl::SourceRange>> modelled;   // one value, one distribution
    auto once = [&](InputFile::Node node, const std::string& path, dsl::SourceRange where, bool price_date = false) {
        if (!node) return;
        auto [it, fresh] = modelled.emplace(node.ptr, std::pair{path, where});
        if (fresh) return;
        if (price_date) {   // (the [[input]]s are read first)
            // An [[input]] that names a close the [price] simulates: the error is at the
            // [[input]] just written, the date of [price] a note.
            auto& d = bad.error(it->second.second, "`{}` is a close the [price] simulates: one value, one distribution",
                                it->second.first);
            d.hint = "remove this [[input]], or remove the date from the [price]'s `dates`";
            bad.note(where, "[price] simulates the close of this date");
            return;
        }
        bad.error(where, "`{}` is the same value of the inputs as `{}`, which the model already samples", path,
                  it->second.first);
    };
    for (const auto& in : model.inputs) {
        InputFile::Node node = resolve(in.path, in.path_range);
        if (node) {
            auto k = inputs.kind(node);
            if (k != InputKind::integer && k != InputKind::floating && k != InputKind::table && k != InputKind::array &&
                !(k == InputKind::string && inputs.number(node)))
                bad.error(in.path_range, "`{}` is {} in the inputs; a model samples numbers", in.path, describe(k));
        }
        once(node, in.path, in.path_range);
        sim.input_nodes_.push_back(node);
        sim.override_paths_.push_back(in.path);
    }
    if (model.price) {
        const PriceModel& p = *model.price;
        auto price_path = [&](Date d) { return fmt::format("{}.{}.{}", p.series, d.to_string(), p.value_key); };
        // The close of a date: the `value_key` of the one record of `series` whose `date_key`
        // is that date.
        auto close_of = [&](Date d, dsl::SourceRange where) -> InputFile::Node {
            std::string why;
            InputFile::Node series = inputs.find(p.series, &why);
            InputFile::Node record, value;
            std::size_t matches = 0;
            if (series && inputs.kind(series) != InputKind::array) {
                why = fmt::format("`{}` is {}, not an array of records", p.series, describe(inputs.kind(series)));
            } else if (series) {
                const std::string date = d.to_string();
                for (std::size_t k = 0; k < inputs.size(series); ++k) {
                    InputFile::Node rec = inputs.element(series, k);
                    if (inputs.scalar_text(inputs.child(rec, p.date_key)) != date) continue;
                    if (++matches == 1) record = rec;
                }
                if (matches == 0) {
                    why = fmt::format("no record of `{}` has `{}` equal to {}", p.series, p.date_key, date);
                } else if (matches > 1) {
                    why = fmt::format("{} records of `{}` have `{}` equal to {}", matches, p.series, p.date_key, date);
                } else if (!(value = inputs.child(record, p.value_key))) {
                    why = fmt::format("the record of `{}` with `{}` equal to {} has no `{}`", p.series, p.date_key,
                                      date, p.value_key);
                }
            }
            if (!value) {
                bad.error(where, "`{}` is not a value of the inputs: {}", price_path(d), why);
            } else if (auto k = inputs.kind(value); k == InputKind::table || k == InputKind::array) {
                bad.error(where, "`{}` is {} in the inputs; name one value in it", price_path(d), describe(k));
            }
            return value && matches == 1 ? value : InputFile::Node{};
        };
        InputFile::Node start = close_of(p.start, p.start_range);
        if (start) {
            auto s0 = inputs.number(start);
            if (!s0) {
                bad.append(s0.error());
            } else if (s0->sign() <= 0) {
                bad.error(inputs.range(start), "the starting price must be positive, not {}", s0->to_string());
            } else if (!(*s0 / p.precision).is_integer()) {
                // The closes are simulated in steps of the precision: steps the inputs' own
                // close does not take are coarser than the closes are (and a close below half
                // a step would be 0, which no share price is).
                auto& d = bad.error(p.precision_range,
                                    "`precision` {} is coarser than the closes: the close on `start` ({}) is {}, not "
                                    "a multiple of it",
                                    p.precision.to_string(), p.start.to_string(),
                                    inputs.bytes().substr(inputs.range(start).begin,
                                                          inputs.range(start).end - inputs.range(start).begin));
                d.hint = "the closes are simulated in steps of `precision` (1 for whole yen, 0.01 for cents); use a "
                         "step the close on `start` is a multiple of";
                bad.note(inputs.range(start), "the close on `start`");
            } else {
                sim.start_price_ = *s0;
            }
        }
        for (std::size_t k = 0; k < p.dates.size(); ++k) {
            std::string path = price_path(p.dates[k]);
            InputFile::Node node = close_of(p.dates[k], p.date_ranges[k]);
            once(node, path, p.date_ranges[k], true);
            sim.price_nodes_.push_back(node);
            sim.override_paths_.push_back(std::move(path));
        }
    }
    for (std::size_t i = 0; i < model.events.size(); ++i) {
        auto slot = plan.find_slot(model.events[i]);
        if (!slot && base) continue;
        const bool requirement = std::any_of(plan.requirements.begin(), plan.requirements.end(),
                                             [&](const Requirement& q) { return q.name == model.events[i]; });
        if (!slot && requirement) {
            auto& d = bad.error(model.event_ranges[i], "`{}` is a requirement, not a definition: it is no event",
                                model.events[i]);
            d.hint = "every requirement is reported without being named, with the share of paths on which it "
                     "failed (`requirement` in the table, `requirements` in the JSON); remove it from `events`";
        } else if (!slot) {
            bad.error(model.event_ranges[i], "the plan has no definition `{}`", model.events[i]);
        } else if (plan.slots[*slot].type.kind != Kind::boolean) {
            bad.error(model.event_ranges[i], "`{}` is {}, not a boolean: an event is true or false on each path",
                      model.events[i], plan.type_name(plan.slots[*slot].type));
        } else if (plan.slots[*slot].scope == Scope::grant || is_other(plan.slots[*slot].scope)) {
            bad.error(model.event_ranges[i], "`{}` is defined per {}; an event is plan-wide or per {}", model.events[i],
                      is_other(plan.slots[*slot].scope) ? plan.others[other_index(plan.slots[*slot].scope)].noun
                                                        : plan.grants.noun,
                      plan.directors.noun);
        } else {
            sim.event_slots_.push_back(*slot);
        }
    }
    if (!model.grant_price.empty()) {
        auto slot = plan.find_slot(model.grant_price);
        if (!slot && base) {
            // no fair values for the base
        } else if (!slot) {
            bad.error(model.grant_price_range, "the plan has no definition `{}`", model.grant_price);
        } else if (auto units = price_units(plan.slots[*slot].type, plan.units); !units) {
            auto& d = bad.error(model.grant_price_range,
                                "`{}` is {}; the grant-time price is a currency per share or other counted unit",
                                model.grant_price, plan.type_name(plan.slots[*slot].type));
            d.hint = "as `JPY per share` or `USD per PSU`: every output in that unit is then valued at it";
        } else if (const Scope scope = plan.slots[*slot].scope; scope != Scope::plan) {
            bad.error(model.grant_price_range, "`{}` is defined per {}; the grant-time price is plan-wide", model.grant_price,
                      is_other(scope) ? plan.others[other_index(scope)].noun
                                      : scope == Scope::grant ? plan.grants.noun : plan.directors.noun);
        } else if (!model.price) {
            // A fair value is discounted at [price]'s risk-free rate over the time to its
            // last date: without them the outputs would be shown unvalued, and no one told why.
            auto& d = bad.error(model.grant_price_range,
                                "`grant_price` values the outputs at grant, discounted at the risk-free rate of "
                                "[price] to its last date; the model has no [price]");
            d.hint = "add a [price] section (start, dates, volatility, risk_free_rate, dividend_yield), "
                     "or remove `grant_price` from [report]";
        } else {
            sim.price_slot_ = *slot;
            sim.price_units_ = *units;
        }
    }
    // A value the model writes in percent: the declarations that read the value it samples
    // must take a ratio, as for a value of the inputs file or a scenario's (a percentage is
    // no amount of money or shares). Refused here, whichever engine runs the paths.
    // The model's errors that hold only if its percentages are ratios (a `precision` coarser
    // than an `sd` of "10%") are reported where no percentage is refused: for an amount, the
    // percentage is the error to name.
    if (!bad.has_errors() && std::any_of(model.inputs.begin(), model.inputs.end(),
                                         [](const ModelInput& in) { return !in.percents.empty(); })) {
        Session session(plan, inputs, options);
        SessionProbe probe(session);
        for (std::size_t i = 0; i < model.inputs.size(); ++i) {
            const ModelInput& in = model.inputs[i];
            if (in.percents.empty()) continue;
            std::optional<std::pair<Type, std::string>> amount;   // the first reader of an amount
            if (sim.input_nodes_[i]) {
                for (const auto& r : probe.readers(sim.input_nodes_[i])) {
                    if (!r.input || plan.slots[r.index].type.dimensionless()) continue;
                    amount.emplace(plan.slots[r.index].type, fmt::format("`{}`", plan.slots[r.index].name));
                    break;
                }
                if (auto series = probe.read_by_series(sim.input_nodes_[i]); !amount && series)
                    amount.emplace(plan.series[*series].type, fmt::format("series `{}`", plan.series[*series].name));
            }
            bool refused_here = false;
            for (const auto& p : in.percents) {
                if (!amount) break;
                if (auto refused = percent_for_amount(plan, amount->first, p.text, amount->second)) {
                    bad.error(p.range, "{}", refused->message).hint = refused->hint;
                    refused_here = true;
                }
            }
            if (!refused_here)
                for (const auto& d : in.unless_percent_refused) bad.add(d.severity, d.range, d.message).hint = d.hint;
        }
    }
    // A precision finer than the unit of the value sampled (0.001 for an amount in cents)
    // would give samples that are no amount of it: refused with the model, not on a path.
    if (!bad.has_errors()) {
        Session session(plan, inputs, options);
        SessionProbe probe(session);
        auto check = [&](InputFile::Node node, std::optional<Type> type, const Rational& precision,
                         dsl::SourceRange where) {
            if (!node || !where.valid) return;
            for (const auto& r : probe.readers(node)) {   // as the first declaration that reads it takes it
                if (type || !r.input) continue;
                type = plan.slots[r.index].type;
            }
            if (auto series = probe.read_by_series(node); !type && series) type = plan.series[*series].type;
            if (!type) return;
            const UnitRule rule = unit_rule(plan, *type);
            if (rule.kind == UnitRule::Kind::whole && !precision.is_integer()) {
                bad.error(where, "`precision` {} is finer than the value sampled takes: it is {}, a whole number",
                          precision.to_string(), plan.type_name(*type))
                    .hint = "use a whole number (1, or a multiple of it)";
            } else if (rule.kind == UnitRule::Kind::multiple && !(precision / *rule.unit->minor).is_integer()) {
                bad.error(where, "`precision` {} is finer than the value sampled takes: it is {}, a multiple of {} {}",
                          precision.to_string(), plan.type_name(*type), rule.unit->minor->to_string(),
                          rule.unit->name)
                    .hint = fmt::format("use a multiple of {} ({}'s minor unit)", rule.unit->minor->to_string(),
                                        rule.unit->name);
            }
        };
        for (std::size_t i = 0; i < model.inputs.size(); ++i) {
            if (model.inputs[i].dist == Distribution::fixed) continue;
            check(sim.input_nodes_[i], std::nullopt, model.inputs[i].precision, model.inputs[i].precision_range);
        }
        if (model.price && !sim.price_nodes_.empty()) {
            std::optional<Type> type;   // the series the closes are the entries of
            for (const Series& s : plan.series) {
                if (s.input.path_text == model.price->series && s.value_key == model.price->value_key) type = s.type;
            }
            check(sim.price_nodes_.front(), type, model.price->precision, model.price->precision_range);
        }
    }
    // A close the plan reads after the start that the model does not simulate: found on the
    // base inputs' evaluation (which closes a plan reads can depend on its values: when
    // they do not evaluate, on the first path's, before any path is counted).
    if (!bad.has_errors() && model.price) {
        Session session(plan, inputs, options);
        session.record_entry_reads();
        const bool evaluated = static_cast<bool>(session.run_in_place());
        check_closes_read(inputs, *model.price, session, bad);
        sim.closes_unchecked_ = !evaluated && !bad.has_errors();
    }
    if (!bad.empty()) return bad;
    return sim;
}

// ---------------------------------------------------------------------------------------
// Running

namespace {

/// Every ValueCounts of the results (then of the changes), in one order for any run.
template <class F>
void each_counts(std::vector<SimulationResult>& results, std::vector<OutputChange>* changes, F&& f) {
    for (SimulationResult& r : results) {
        for (OutputTally& t : r.outputs) f(t.counts);
        for (OutputTally& t : r.plan_outputs) f(t.counts);
        for (LimitTally& l : r.limits) f(l.bounds);
    }
    if (changes)
        for (OutputChange& c : *changes) f(c.counts);
}

/// Per plan-wide output of `plan` (Plan::plan_outputs): 1 when no value at `varied` can
/// reach it — none of the inputs reading one, nor the series one is an entry of, is among
/// what it depends on (ir/reads.hpp) — so that it is the same on every path (a price from
/// closes the model does not simulate). All 0 when what reads them cannot be told.
std::vector<std::uint8_t> plan_outputs_unreached(const Plan& plan, Session& session, std::span<const InputFile::Node> varied) {
    std::vector<std::uint8_t> unreached(plan.plan_outputs.size(), 0);
    SessionProbe probe(session);
    std::vector<std::uint8_t> read_slot(plan.slots.size(), 0), read_series(plan.series.size(), 0);
    for (InputFile::Node node : varied) {
        if (!node) continue;
        const auto readers = probe.readers(node);
        const auto series = probe.read_by_series(node);
        if (readers.empty() && !series) return unreached;   // (read by nothing the check found)
        for (const auto& r : readers)
            if (r.input) read_slot[r.index] = 1;
        if (series) read_series[*series] = 1;
    }
    // A varied date the plan is evaluated as of chooses every dated param's version.
    if (plan.as_of_slot != none && read_slot[plan.as_of_slot]) return unreached;
    for (std::size_t k = 0; k < plan.plan_outputs.size(); ++k) {
        const ReadsClosure reads = reads_closure(plan, plan.plan_outputs[k]);
        bool reached = false;
        for (std::size_t i = 0; i < reads.slots.size() && !reached; ++i) reached = reads.slots[i] && read_slot[i];
        for (std::size_t i = 0; i < reads.series.size() && !reached; ++i) reached = reads.series[i] && read_series[i];
        unreached[k] = !reached;
    }
    return unreached;
}

}  // namespace

Result<SimulationResult> Simulation::run(const SimulationOptions& options) const {
    auto results = run_plans({this}, {options.eval}, options, nullptr);
    if (!results) return results.error();
    return std::move(results->front());
}

Result<ComparedSimulation> Simulation::run_against(const Simulation& base, const EvalOptions& base_eval,
                                                   const SimulationOptions& options) const {
    ComparedSimulation c;
    auto results = run_plans({&base, this}, {base_eval, options.eval}, options, &c.changes);
    if (!results) return results.error();
    c.base = std::move((*results)[0]);
    c.head = std::move((*results)[1]);
    return c;
}

namespace {

/// An output whose change between two plans is tallied: its index in each plan's
/// director (or plan-wide) outputs.
struct ChangePair {
    std::size_t base = 0, head = 0;
};

/// The outputs both plans have as numbers of one unit, in `head`'s order.
std::vector<ChangePair> change_pairs(const Plan& base, const std::vector<std::uint32_t>& base_outputs,
                                     const Plan& head, const std::vector<std::uint32_t>& head_outputs) {
    std::vector<ChangePair> pairs;
    for (std::size_t h = 0; h < head_outputs.size(); ++h) {
        const Slot& hs = head.slots[head_outputs[h]];
        if (hs.type.kind != Kind::number) continue;
        for (std::size_t b = 0; b < base_outputs.size(); ++b) {
            const Slot& bs = base.slots[base_outputs[b]];
            if (bs.name == hs.name && bs.type.kind == Kind::number && bs.type.dim == hs.type.dim)
                pairs.push_back({b, h});
        }
    }
    return pairs;
}

}  // namespace

Result<std::vector<SimulationResult>> Simulation::run_plans(const std::vector<const Simulation*>& sims,
                                                            const std::vector<EvalOptions>& evals,
                                                            const SimulationOptions& options,
                                                            std::vector<OutputChange>* changes) const {
    auto totals = run_paths(sims, evals, options, changes, nullptr);
    if (!totals) return totals;
    // Counts past their cap know their moments but not their percentiles: look at the same
    // paths again, counting only the values near each rank sought, until all are found.
    for (unsigned n = 2;; ++n) {
        std::vector<std::vector<std::pair<Rational, Rational>>> focus;
        bool any = false;
        each_counts(*totals, changes, [&](ValueCounts& c) {
            focus.push_back(c.pending_ranges(percentile_ranks(c.total())));
            any = any || !focus.back().empty();
        });
        if (!any) return totals;
        std::vector<OutputChange> focused_changes;
        if (options.progress) options.progress->store(0);
        if (options.pass) options.pass->store(n);
        auto pass = run_paths(sims, evals, options, changes ? &focused_changes : nullptr, &focus);
        if (!pass) return pass.error();
        std::vector<ValueCounts*> sought;
        each_counts(*totals, changes, [&](ValueCounts& c) { sought.push_back(&c); });
        std::size_t i = 0;
        each_counts(*pass, changes ? &focused_changes : nullptr, [&](ValueCounts& c) {
            if (!focus[i].empty()) sought[i]->refine(c);
            ++i;
        });
    }
}

Result<std::vector<SimulationResult>> Simulation::run_paths(
    const std::vector<const Simulation*>& sims, const std::vector<EvalOptions>& evals, const SimulationOptions& options,
    std::vector<OutputChange>* changes, const std::vector<std::vector<std::pair<Rational, Rational>>>* focus) const {
    // The sampled values go to every plan: the first one's model and nodes (all were
    // prepared on the same inputs and model) draw them.
    const Model& model = *model_;
    const std::uint64_t block = Sampler::block_size;
    const std::uint64_t blocks = (options.paths + block - 1) / block;
    const unsigned threads =
        static_cast<unsigned>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(options.threads ? options.threads : 1, blocks)));
    const std::size_t n_plans = sims.size();
    const bool compare = changes != nullptr && n_plans == 2;

    struct Failure {
        std::uint64_t path = 0;
        dsl::Diagnostics diags;
    };
    struct Partial {
        std::vector<SimulationResult> results;
        std::vector<OutputChange> changes;
        std::optional<Failure> failure;
    };
    std::vector<Partial> partials(threads);
    std::atomic<std::uint64_t> next_block{0};
    std::atomic<bool> stop{false};
    std::vector<std::vector<std::string>> directors(n_plans);
    std::optional<dsl::Diagnostics> setup_error;
    std::mutex setup_mutex;

    // One plan as a worker runs it.
    struct Lane {
        const Simulation* sim = nullptr;
        std::optional<Session> session;
        std::size_t n_directors = 0, n_outputs = 0;
        std::vector<std::uint8_t> valued, numeric, plan_numeric;   // not vector<bool>: read per path
        std::vector<std::uint8_t> event_true;
        std::vector<std::size_t> requirement_at;   // per requirement: its first tally in the result
        std::unordered_map<std::string, std::size_t> director_at;   // a record's id: its index (the first of that id)
        const Outcome* outcome = nullptr;
        // The compiled plan, when it evaluates the paths: the handles of the grant-time
        // price and of the events (parallel to the result's events).
        std::optional<Kernel> kernel;
        std::optional<std::size_t> price_handle;
        std::vector<std::size_t> event_handles;
        // Its runs counted without their outcome (not when plans are compared: the change
        // from one plan to the other is counted from both outcomes).
        std::optional<KernelCounts> counts;
    };

    // The closes each plan reads, on the first path's values, where its base inputs did not
    // evaluate (prepare()): a close read but not simulated is refused before any path counts.
    if (!focus) {
        dsl::Diagnostics bad;
        for (std::size_t p = 0; p < n_plans; ++p) {
            const Simulation& sim = *sims[p];
            if (!sim.closes_unchecked_ || !model.price) continue;
            Sampler sampler(model, options.seed);   // (block 0: path 1)
            std::vector<Rational> values, closes;
            sampler.draw(start_price_, values, closes);
            std::vector<InputOverride> overrides;
            for (std::size_t i = 0; i < input_nodes_.size(); ++i)
                overrides.push_back(InputOverride{input_nodes_[i], {}, values[i], model.inputs[i].path_range});
            for (std::size_t i = 0; i < price_nodes_.size(); ++i)
                overrides.push_back(InputOverride{price_nodes_[i], {}, closes[i], model.price->date_ranges[i]});
            Session session(*sim.plan_, *inputs_, evals[p]);
            session.record_entry_reads();
            session.set_overrides(overrides);
            (void)session.run_in_place();   // (a failure is the first path's: the workers report it)
            check_closes_read(*inputs_, *model.price, session, bad);
            if (bad.has_errors() && compare && p == 0) bad.note(dsl::SourceRange{}, "under the base plan (--against)");
            if (bad.has_errors()) return bad;
        }
    }

    // The compiled plans: built (and compiled, when they may be) once here, so that the
    // workers only load them from the cache.
    std::vector<std::uint8_t> compiled(n_plans, 0);
    std::vector<InputFile::Node> varied = input_nodes_;
    varied.insert(varied.end(), price_nodes_.begin(), price_nodes_.end());
    std::vector<dsl::SourceRange> varied_at;
    for (const auto& in : model.inputs) varied_at.push_back(in.path_range);
    if (model.price) varied_at.insert(varied_at.end(), model.price->date_ranges.begin(), model.price->date_ranges.end());
    auto kernel_options = [&](const Simulation& sim, bool cached_only) {
        KernelOptions k;
        k.compiler = options.compiler;
        k.cache_dir = options.cache_dir;
        k.cached_only = cached_only;
        k.changed_at = varied_at;
        k.read_slots = sim.event_slots_;
        k.keep_last = false;   // each run is counted before the next
        if (sim.price_slot_ != none) k.read_slots.push_back(sim.price_slot_);
        return k;
    };
    if (options.engine != SimulationEngine::interpreter) {
        for (std::size_t p = 0; p < n_plans; ++p) {
            Session session(*sims[p]->plan_, *inputs_, evals[p]);
            const bool cached_only = options.engine == SimulationEngine::automatic && !options.compile;
            auto built = Kernel::build(*sims[p]->plan_, session, varied, kernel_options(*sims[p], cached_only));
            if (built) {
                compiled[p] = 1;
            } else if (options.engine == SimulationEngine::compiled) {
                dsl::Diagnostics diags = built.error();
                if (compare && p == 0) diags.note(dsl::SourceRange{}, "under the base plan (--against)");
                diags.note(dsl::SourceRange{}, "{}", not_compiled);
                return diags;
            }
        }
    }

    // A plan-wide amount in money that no modelled value reaches is the same on every path:
    // counted as any other plan-wide number (one value: no further passes), not left out.
    std::vector<std::vector<std::uint8_t>> unreached(n_plans);
    for (std::size_t p = 0; p < n_plans; ++p) {
        Session session(*sims[p]->plan_, *inputs_, evals[p]);
        unreached[p] = plan_outputs_unreached(*sims[p]->plan_, session, varied);
    }

    auto worker = [&](unsigned w) {
        Partial& part = partials[w];
        part.results.resize(n_plans);
        std::vector<Lane> lanes(n_plans);
        for (std::size_t p = 0; p < n_plans; ++p) {
            Lane& lane = lanes[p];
            lane.sim = sims[p];
            const Plan& plan = *lane.sim->plan_;
            SimulationResult& r = part.results[p];
            lane.session.emplace(plan, *inputs_, evals[p]);
            lane.session->remember_paths();
            auto state = lane.session->state();
            if (!state) {
                std::lock_guard lock(setup_mutex);
                if (!setup_error) {
                    setup_error = state.error();
                    if (compare && p == 0) setup_error->note(dsl::SourceRange{}, "under the base plan (--against)");
                }
                stop = true;
                return;
            }
            lane.n_directors = (*state)->directors.size();
            for (std::size_t d = 0; d < lane.n_directors; ++d) lane.director_at.emplace((*state)->directors[d].id, d);
            lane.n_outputs = plan.director_outputs.size();
            if (w == 0) {
                for (const auto& d : (*state)->directors) directors[p].push_back(d.id);
            }
            for (std::size_t d = 0; d < lane.n_directors; ++d) {
                for (std::size_t k = 0; k < lane.n_outputs; ++k)
                    r.outputs.push_back(OutputTally{d, plan.director_outputs[k], {}, {}});
            }
            for (auto slot : plan.plan_outputs) r.plan_outputs.push_back(OutputTally{0, slot, {}, {}});
            for (auto s : lane.sim->event_slots_) {
                if (plan.slots[s].scope == Scope::plan) {
                    r.events.push_back(EventTally{s, std::nullopt, 0});
                } else {
                    for (std::size_t d = 0; d < lane.n_directors; ++d) r.events.push_back(EventTally{s, d, 0});
                }
            }
            for (std::uint32_t i = 0; i < plan.limits.size(); ++i) r.limits.push_back(LimitTally{i, 0, 0, {}});
            for (std::uint32_t i = 0; i < plan.requirements.size(); ++i) {
                lane.requirement_at.push_back(r.requirements.size());
                if (plan.requirements[i].scope == Scope::plan) {
                    r.requirements.push_back(RequirementTally{i, std::nullopt, 0});
                } else {
                    for (std::size_t d = 0; d < lane.n_directors; ++d) r.requirements.push_back(RequirementTally{i, d, 0});
                }
            }
            lane.valued.resize(lane.n_outputs);
            lane.numeric.resize(lane.n_outputs);
            for (std::size_t k = 0; k < lane.n_outputs; ++k) {
                const Type& t = plan.slots[plan.director_outputs[k]].type;
                lane.numeric[k] = t.kind == Kind::number;
                lane.valued[k] = lane.numeric[k] && lane.sim->price_slot_ != none && t.dim == lane.sim->price_units_.valued().dim;
            }
            // A plan-wide number is counted as a director's output is (its values up to the
            // cap, then bins: memory stays flat) — a percentile, a payout percent, a total in
            // shares — but for one in money (a total in yen or dollars, a price) that a
            // modelled value reaches on its own: it can take a new value on nearly every path,
            // and past the cap its percentiles take further passes over all the paths. One
            // that none reaches is the same on every path, and counted. Under --against,
            // where plans are compared, every one is counted; so in a plan without a
            // collection, whose plan-wide outputs are all it has (they cost what a record's
            // outputs cost in another). The reports name those left out.
            for (std::size_t k = 0; k < plan.plan_outputs.size(); ++k) {
                const Type& t = plan.slots[plan.plan_outputs[k]].type;
                lane.plan_numeric.push_back(t.kind == Kind::number && (compare || !plan.directors.declared ||
                                                                       !in_money(t, plan.units) || unreached[p][k]));
            }
            lane.event_true.resize(r.events.size());
            if (compiled[p]) {
                auto built = Kernel::build(plan, *lane.session, varied, kernel_options(*lane.sim, true));
                if (built) {
                    lane.kernel.emplace(std::move(*built));
                    if (lane.sim->price_slot_ != none) lane.price_handle = lane.kernel->value_handle(lane.sim->price_slot_);
                    for (const auto& e : r.events) {
                        auto h = lane.kernel->value_handle(e.slot, e.director.value_or(0));
                        if (!h) {
                            lane.kernel.reset();
                            break;
                        }
                        lane.event_handles.push_back(*h);
                    }
                    if (lane.sim->price_slot_ != none && !lane.price_handle) lane.kernel.reset();
                    if (lane.kernel && !compare)
                        lane.counts.emplace(*lane.kernel, plan, r, lane.n_directors, lane.numeric, lane.valued,
                                            lane.plan_numeric, lane.price_handle, lane.event_handles);
                }
            }
        }

        // What changes from the base plan (lane 0) to the head (lane 1): per director
        // (matched by id) and output, then plan-wide outputs.
        struct DirectorPair {
            std::size_t base = 0, head = 0;
        };
        std::vector<DirectorPair> director_pairs;
        std::vector<ChangePair> output_pairs, plan_pairs;
        if (compare) {
            const Plan& bp = *lanes[0].sim->plan_;
            const Plan& hp = *lanes[1].sim->plan_;
            const Outcome& bs = **lanes[0].session->state();
            const Outcome& hs = **lanes[1].session->state();
            for (std::size_t h = 0; h < hs.directors.size(); ++h)
                for (std::size_t b = 0; b < bs.directors.size(); ++b)
                    if (bs.directors[b].id == hs.directors[h].id) director_pairs.push_back({b, h});
            output_pairs = change_pairs(bp, bp.director_outputs, hp, hp.director_outputs);
            plan_pairs = change_pairs(bp, bp.plan_outputs, hp, hp.plan_outputs);
            for (const auto& d : director_pairs)
                for (const auto& o : output_pairs)
                    part.changes.push_back(OutputChange{d.head, hp.slots[hp.director_outputs[o.head]].name, {}});
            for (const auto& o : plan_pairs)
                part.changes.push_back(OutputChange{std::nullopt, hp.slots[hp.plan_outputs[o.head]].name, {}});
        }

        // Every count holds its values up to the cap; on a later pass, only those in the
        // ranges it looks into.
        std::size_t at = 0;
        each_counts(part.results, compare ? &part.changes : nullptr, [&](ValueCounts& c) {
            if (focus) c = ValueCounts::focused((*focus)[at++], options.distinct_cap);
            else c.set_cap(options.distinct_cap);
        });

        // One path's outcome of one plan, counted.
        auto tally = [](const Lane& lane, SimulationResult& r, const Outcome& o, const std::optional<Rational>& price) {
            const Plan& plan = *lane.sim->plan_;
            for (std::size_t d = 0; d < lane.n_directors; ++d) {
                for (std::size_t k = 0; k < lane.n_outputs; ++k) {
                    if (!lane.numeric[k]) continue;
                    OutputTally& t = r.outputs[d * lane.n_outputs + k];
                    const Rational& v = o.directors[d].outputs[k].number;
                    t.counts.add(v);
                    if (price && lane.valued[k]) t.value_times_price.add_product(v, *price);
                }
            }
            for (std::size_t k = 0; k < r.plan_outputs.size(); ++k)
                if (lane.plan_numeric[k]) r.plan_outputs[k].counts.add(o.plan_outputs[k].number);
            if (price) {
                r.price_sum.add(*price);
                r.note_price(*price);
            }
            for (std::size_t i = 0; i < r.events.size(); ++i) r.events[i].count += lane.event_true[i];
            for (std::size_t i = 0; i < o.limits.size(); ++i) {
                r.limits[i].scaled += o.limits[i].status == LimitStatus::scaled;
                r.limits[i].violated += o.limits[i].status == LimitStatus::violated;
                if (plan.limits[i].type.kind == Kind::number) r.limits[i].bounds.add(o.limits[i].bound.number);
            }
            // A requirement that fails is a violation of its name (the compiled plan gives up
            // on such a path: the session's outcome has it). Only a path with violations looks.
            for (const Violation& v : o.violations) {
                for (std::size_t q = 0; q < plan.requirements.size(); ++q) {
                    if (plan.requirements[q].name != v.rule) continue;
                    std::size_t at = lane.requirement_at[q];
                    if (plan.requirements[q].scope != Scope::plan) {
                        auto d = lane.director_at.find(v.director);
                        if (d == lane.director_at.end()) break;
                        at += d->second;
                    }
                    ++r.requirements[at].failed;
                    break;
                }
            }
            ++r.paths;
        };
        Sampler sampler(model, options.seed);
        std::vector<Rational> sampled_inputs, sampled_prices;
        std::vector<InputOverride> overrides;
        for (std::size_t i = 0; i < input_nodes_.size(); ++i)
            overrides.push_back(InputOverride{input_nodes_[i], {}, Rational(), model.inputs[i].path_range});
        for (std::size_t i = 0; i < price_nodes_.size(); ++i)
            overrides.push_back(InputOverride{price_nodes_[i], {}, Rational(), model.price->date_ranges[i]});

        while (!stop.load(std::memory_order_relaxed)) {
            const std::uint64_t b = next_block.fetch_add(1);
            if (b >= blocks) break;
            sampler.start_block(b);
            const std::uint64_t first = b * block, last = std::min(options.paths, first + block);
            for (std::uint64_t path = first; path < last; ++path) {
                sampler.draw(start_price_, sampled_inputs, sampled_prices);
                // The overrides are written only for a session to evaluate the path.
                bool overridden = false;
                auto override_all = [&] {
                    if (overridden) return;
                    for (std::size_t i = 0; i < sampled_inputs.size(); ++i) overrides[i].number = sampled_inputs[i];
                    for (std::size_t i = 0; i < sampled_prices.size(); ++i)
                        overrides[sampled_inputs.size() + i].number = sampled_prices[i];
                    overridden = true;
                };
                for (std::size_t p = 0; p < n_plans; ++p) {
                    Lane& lane = lanes[p];
                    Session& session = *lane.session;
                    SimulationResult& r = part.results[p];
                    // The compiled plan first; the session evaluates a path it does not take
                    // or gives up (and reports an error there).
                    if (lane.kernel) {
                        Kernel& k = *lane.kernel;
                        bool taken = true;
                        const std::size_t n_inputs = sampled_inputs.size();
                        // (A whole sample through the whole-number setter: no fraction to look at.)
                        auto set = [&](std::size_t i, const Rational& v) {
                            if (auto whole = v.to_int64()) return k.set(i, *whole);
                            return k.set(i, v);
                        };
                        for (std::size_t i = 0; taken && i < n_inputs; ++i) taken = set(i, sampled_inputs[i]);
                        for (std::size_t i = 0; taken && i < sampled_prices.size(); ++i)
                            taken = set(n_inputs + i, sampled_prices[i]);
                        if (taken && k.run()) {
                            if (lane.counts && lane.counts->add(k, r)) continue;
                            const Outcome& o = k.outcome();
                            lane.outcome = &o;
                            std::optional<Rational> price;
                            if (lane.price_handle) price = k.value(*lane.price_handle).number;
                            for (std::size_t i = 0; i < r.events.size(); ++i)
                                lane.event_true[i] = k.value(lane.event_handles[i]).word != 0;
                            tally(lane, r, o, price);
                            continue;
                        }
                        if (!taken) k.clear();
                    }
                    override_all();
                    session.set_overrides(overrides);
                    auto outcome = session.run_in_place();
                    std::optional<Rational> price;
                    if (outcome && lane.sim->price_slot_ != none) {
                        auto v = session.value(lane.sim->price_slot_, 0);
                        if (v) price = v->number;
                        else outcome = v.error();
                    }
                    for (std::size_t i = 0; outcome && i < r.events.size(); ++i) {
                        auto v = session.value(r.events[i].slot, r.events[i].director.value_or(0));
                        if (v) lane.event_true[i] = v->word != 0;
                        else outcome = v.error();
                    }
                    if (!outcome) {
                        dsl::Diagnostics diags = outcome.error();
                        if (compare && p == 0) diags.note(dsl::SourceRange{}, "under the base plan (--against)");
                        std::string values;
                        for (std::size_t i = 0; i < overrides.size(); ++i) {
                            values += fmt::format("{}{} = {}", values.empty() ? "" : ", ", override_paths_[i],
                                                  overrides[i].number->to_string());
                        }
                        diags.note(dsl::SourceRange{}, "on path {} of {} (seed {}): {}", path + 1, options.paths,
                                   options.seed, values);
                        part.failure = Failure{path, std::move(diags)};
                        stop = true;
                        break;
                    }
                    const Outcome& o = **outcome;
                    lane.outcome = &o;
                    tally(lane, r, o, price);
                }
                if (part.failure) break;
                if (compare) {
                    // The outcomes stay valid until the sessions run again.
                    const Outcome& bo = *lanes[0].outcome;
                    const Outcome& ho = *lanes[1].outcome;
                    std::size_t c = 0;
                    for (const auto& d : director_pairs)
                        for (const auto& k : output_pairs)
                            part.changes[c++].counts.add(ho.directors[d.head].outputs[k.head].number -
                                                         bo.directors[d.base].outputs[k.base].number);
                    for (const auto& k : plan_pairs)
                        part.changes[c++].counts.add(ho.plan_outputs[k.head].number - bo.plan_outputs[k.base].number);
                }
            }
            if (part.failure) break;
            if (options.progress) options.progress->fetch_add(last - first, std::memory_order_relaxed);
        }
        for (std::size_t p = 0; p < n_plans; ++p)
            if (lanes[p].counts) lanes[p].counts->flush(part.results[p]);
    };
    run_on_large_stacks(threads, std::size_t{256} << 20, [&](unsigned w) {
        try {
            worker(w);
        } catch (...) {   // (out of memory, say: the other workers stop too, and it is thrown again)
            stop = true;
            throw;
        }
    });

    if (setup_error) return *setup_error;
    const Failure* first_failure = nullptr;
    for (const auto& p : partials) {
        if (p.failure && (!first_failure || p.failure->path < first_failure->path)) first_failure = &*p.failure;
    }
    if (first_failure) return first_failure->diags;

    std::vector<SimulationResult> totals = std::move(partials[0].results);
    for (unsigned w = 1; w < threads; ++w) {
        for (std::size_t p = 0; p < n_plans; ++p) {
            SimulationResult& total = totals[p];
            const SimulationResult& r = partials[w].results[p];
            total.paths += r.paths;
            for (std::size_t i = 0; i < total.outputs.size() && i < r.outputs.size(); ++i) {
                total.outputs[i].counts.merge(r.outputs[i].counts);
                total.outputs[i].value_times_price.merge(r.outputs[i].value_times_price);
            }
            for (std::size_t i = 0; i < total.plan_outputs.size() && i < r.plan_outputs.size(); ++i)
                total.plan_outputs[i].counts.merge(r.plan_outputs[i].counts);
            for (std::size_t i = 0; i < total.events.size() && i < r.events.size(); ++i)
                total.events[i].count += r.events[i].count;
            for (std::size_t i = 0; i < total.limits.size() && i < r.limits.size(); ++i) {
                total.limits[i].scaled += r.limits[i].scaled;
                total.limits[i].violated += r.limits[i].violated;
                total.limits[i].bounds.merge(r.limits[i].bounds);
            }
            for (std::size_t i = 0; i < total.requirements.size() && i < r.requirements.size(); ++i)
                total.requirements[i].failed += r.requirements[i].failed;
            total.price_sum.merge(r.price_sum);
            if (r.price_varies) total.price_varies = true;
            else if (r.price_seen) total.note_price(*r.price_seen);
        }
        if (compare) {
            for (std::size_t i = 0; i < partials[0].changes.size() && i < partials[w].changes.size(); ++i)
                partials[0].changes[i].counts.merge(partials[w].changes[i].counts);
        }
    }
    if (compare) *changes = std::move(partials[0].changes);
    for (std::size_t p = 0; p < n_plans; ++p) {
        SimulationResult& total = totals[p];
        total.directors = std::move(directors[p]);
        total.has_price = sims[p]->price_slot_ != none;
        total.price_units = sims[p]->price_units_;
        if (model.price && !model.price->dates.empty()) {
            const PriceModel& pm = *model.price;
            Rational years = Rational::fraction(pm.dates.back().days - pm.start.days, 365);
            Decimal df = boost::multiprecision::exp(-to_decimal(pm.risk_free) * to_decimal(years));
            total.discount = to_rational(df, 30);
            total.days = pm.dates.back().days - pm.start.days;
        }
    }
    return totals;
}

// ---------------------------------------------------------------------------------------
// Summaries

OutputSummary summarize(const SimulationResult& r, const OutputTally& t) {
    OutputSummary s = summarize(t.counts);
    const std::uint64_t n = t.counts.total();
    if (n == 0) return s;
    if (r.has_price && r.discount) {
        Rational mean_value = t.value_times_price.value() / Rational(static_cast<std::int64_t>(n));
        s.fair_value_grant = mean_value * *r.discount;
        if (!s.mean.is_zero()) s.fair_value_share = *s.fair_value_grant / s.mean;
    }
    return s;
}

namespace {

/// A sum of products a·b on 128-bit integers while they fit, exact beyond.
class ProductSum {
public:
    void add(__int128 a, __int128 b) {
        __int128 p, next;
        if (!__builtin_mul_overflow(a, b, &p) && !__builtin_add_overflow(small_, p, &next)) {
            small_ = next;
            return;
        }
        rest_.add(from_int128(a) * from_int128(b));
    }
    void add(const Rational& a, const Rational& b) { rest_.add(a * b); }
    Rational value() const { return from_int128(small_) + rest_.value(); }

private:
    __int128 small_ = 0;
    FractionSum rest_;   // (pairwise: see FractionSum)
};

}  // namespace

namespace {

/// The mean and the sample standard deviation from n, Σv and Σv² (none for one path: the
/// sample standard deviation divides by n − 1).
void moments(OutputSummary& s, std::uint64_t n, const Rational& sum_v, const Rational& sum_sq) {
    Rational total(static_cast<std::int64_t>(n));
    s.mean = sum_v / total;
    if (n > 1) {
        s.variance = (sum_sq - sum_v * sum_v / total) / Rational(static_cast<std::int64_t>(n - 1));
        s.sd = standard_deviation(s.variance, 2);
    } else {
        s.sd.reset();
    }
}

}  // namespace

std::string standard_deviation(const Rational& variance, int places) {
    return boost::multiprecision::sqrt(to_decimal(variance)).str(places, std::ios_base::fixed);
}

OutputSummary summarize(const ValueCounts& counts) {
    OutputSummary s;
    const std::uint64_t n = counts.total();
    if (n == 0) return s;
    Rational* at[] = {&s.p5, &s.p25, &s.p50, &s.p75, &s.p95};
    const std::vector<std::uint64_t> rank = percentile_ranks(n);
    if (!counts.exact()) {
        // Past the cap: exact moments, and the percentiles the later passes found.
        s.min = counts.least();
        s.max = counts.greatest();
        if (counts.zeros() != 0)
            s.p_zero = Rational::fraction(static_cast<std::int64_t>(counts.zeros()), static_cast<std::int64_t>(n));
        for (std::size_t k = 0; k < rank.size(); ++k) {
            auto v = counts.at_rank(rank[k]);
            assert(v && "a percentile not found by the passes over the paths");
            if (v) *at[k] = *v;
        }
        moments(s, n, counts.sum().value(), counts.sum_of_squares().value());
        return s;
    }
    // One pass over the values in increasing order: the sums of values and of squares,
    // the share of zeros, the extremes and the percentiles by nearest rank (the smallest
    // value with at least ceil(p·n) paths at or below it).
    ProductSum sum, sum_sq;
    std::uint64_t seen = 0;
    std::size_t next = 0;
    bool first = true;
    auto each = [&](std::uint64_t c, auto&& value) {
        if (first) {
            s.min = value();
            first = false;
        }
        seen += c;
        for (; next < rank.size() && seen >= rank[next]; ++next) *at[next] = value();
        if (seen == n) s.max = value();
    };
    counts.visit(
        [&](std::int64_t v, std::uint64_t c) {
            const auto cc = static_cast<__int128>(c);
            sum.add(v, cc);
            sum_sq.add(static_cast<__int128>(v) * v, cc);   // |v²| < 2^126
            if (v == 0) s.p_zero = Rational::fraction(static_cast<std::int64_t>(c), static_cast<std::int64_t>(n));
            each(c, [&] { return Rational(v); });
        },
        [&](const Rational& v, std::uint64_t c) {
            Rational count(static_cast<std::int64_t>(c));
            if (v.is_zero()) s.p_zero = Rational::fraction(static_cast<std::int64_t>(c), static_cast<std::int64_t>(n));
            sum.add(v, count);
            sum_sq.add(v * v, count);
            each(c, [&] { return v; });
        });
    moments(s, n, sum.value(), sum_sq.value());
    return s;
}

}  // namespace hoshu::eval
