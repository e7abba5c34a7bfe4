#include "evaluator/whatif/simulate.hpp"

#include "dsl/base/threads.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/multiprecision/cpp_dec_float.hpp>
#include <mutex>

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

}  // namespace

// ---------------------------------------------------------------------------------------
// Preparing: the model's names against the plan and the inputs

Result<Simulation> Simulation::prepare(const Plan& plan, const InputFile& inputs, const Model& model,
                                       EvalOptions options) {
    Simulation sim(plan, inputs, model);
    dsl::Diagnostics bad;
    auto resolve = [&](const std::string& path, dsl::SourceRange where) {
        std::string why;
        InputFile::Node node = inputs.find(path, &why);
        if (!node) {
            bad.error(where, "`{}` is not a value of the inputs: {}", path, why);
        } else if (auto k = inputs.kind(node); k == InputKind::table || k == InputKind::array) {
            bad.error(where, "`{}` is {} in the inputs; name one value in it", path, describe(k));
        }
        return node;
    };
    std::map<const void*, std::string> modelled;   // one value, one distribution
    auto once = [&](InputFile::Node node, const std::string& path, dsl::SourceRange where) {
        if (!node) return;
        auto [it, fresh] = modelled.emplace(node.ptr, path);
        if (!fresh) bad.error(where, "`{}` is the same value of the inputs as `{}`, which the model already samples", path, it->second);
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
            } else {
                sim.start_price_ = *s0;
            }
        }
        for (std::size_t k = 0; k < p.dates.size(); ++k) {
            std::string path = price_path(p.dates[k]);
            InputFile::Node node = close_of(p.dates[k], p.date_ranges[k]);
            once(node, path, p.date_ranges[k]);
            sim.price_nodes_.push_back(node);
            sim.override_paths_.push_back(std::move(path));
        }
    }
    for (std::size_t i = 0; i < model.events.size(); ++i) {
        auto slot = plan.find_slot(model.events[i]);
        if (!slot) {
            bad.error(model.event_ranges[i], "the plan has no definition `{}`", model.events[i]);
        } else if (plan.slots[*slot].type.kind != Kind::boolean) {
            bad.error(model.event_ranges[i], "`{}` is {}, not a boolean: an event is true or false on each path",
                      model.events[i], plan.type_name(plan.slots[*slot].type));
        } else if (plan.slots[*slot].scope == Scope::grant) {
            bad.error(model.event_ranges[i], "`{}` is defined per ledger grant; an event is plan-wide or per director",
                      model.events[i]);
        } else {
            sim.event_slots_.push_back(*slot);
        }
    }
    if (!model.grant_price.empty()) {
        auto slot = plan.find_slot(model.grant_price);
        if (!slot) {
            bad.error(model.grant_price_range, "the plan has no definition `{}`", model.grant_price);
        } else if (plan.slots[*slot].type.kind != Kind::number || !(plan.slots[*slot].type.dim == Dimension{1, -1, 0}) ||
                   plan.slots[*slot].scope != Scope::plan) {
            bad.error(model.grant_price_range, "`{}` is {}; the grant-time price is a plan-wide JPY per share",
                      model.grant_price, plan.type_name(plan.slots[*slot].type));
        } else {
            sim.price_slot_ = *slot;
        }
    }
    if (!bad.empty()) return bad;
    (void)options;
    return sim;
}

// ---------------------------------------------------------------------------------------
// Running

Result<SimulationResult> Simulation::run(const SimulationOptions& options) const {
    const Plan& plan = *plan_;
    const Model& model = *model_;
    const std::uint64_t block = Sampler::block_size;
    const std::uint64_t blocks = (options.paths + block - 1) / block;
    const unsigned threads =
        static_cast<unsigned>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(options.threads ? options.threads : 1, blocks)));

    struct Failure {
        std::uint64_t path = 0;
        dsl::Diagnostics diags;
    };
    struct Partial {
        SimulationResult result;
        std::optional<Failure> failure;
    };
    std::vector<Partial> partials(threads);
    std::atomic<std::uint64_t> next_block{0};
    std::atomic<bool> stop{false};
    std::vector<std::string> directors;
    std::optional<dsl::Diagnostics> setup_error;
    std::mutex setup_mutex;

    auto worker = [&](unsigned w) {
        Partial& part = partials[w];
        SimulationResult& r = part.result;
        Session session(plan, *inputs_, options.eval);
        session.remember_paths();
        auto state = session.state();
        if (!state) {
            std::lock_guard lock(setup_mutex);
            if (!setup_error) setup_error = state.error();
            stop = true;
            return;
        }
        const std::size_t n_directors = (*state)->directors.size();
        const std::size_t n_outputs = plan.director_outputs.size();
        if (w == 0) {
            for (const auto& d : (*state)->directors) directors.push_back(d.id);
        }
        for (std::size_t d = 0; d < n_directors; ++d) {
            for (std::size_t k = 0; k < n_outputs; ++k) r.outputs.push_back(OutputTally{d, plan.director_outputs[k], {}, {}});
        }
        for (auto s : event_slots_) {
            if (plan.slots[s].scope == Scope::plan) {
                r.events.push_back(EventTally{s, std::nullopt, 0});
            } else {
                for (std::size_t d = 0; d < n_directors; ++d) r.events.push_back(EventTally{s, d, 0});
            }
        }
        for (std::uint32_t i = 0; i < plan.limits.size(); ++i) r.limits.push_back(LimitTally{i, 0, 0});
        std::vector<std::uint8_t> in_shares(n_outputs), numeric(n_outputs);   // not vector<bool>: read per path
        for (std::size_t k = 0; k < n_outputs; ++k) {
            const Type& t = plan.slots[plan.director_outputs[k]].type;
            numeric[k] = t.kind == Kind::number;
            in_shares[k] = numeric[k] && t.dim == Dimension{0, 1, 0};
        }

        std::vector<std::uint8_t> event_true(r.events.size());
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
                for (std::size_t i = 0; i < sampled_inputs.size(); ++i) overrides[i].number = sampled_inputs[i];
                for (std::size_t i = 0; i < sampled_prices.size(); ++i)
                    overrides[sampled_inputs.size() + i].number = sampled_prices[i];
                session.set_overrides(overrides);
                auto outcome = session.run_in_place();
                std::optional<Rational> price;
                if (outcome && price_slot_ != none) {
                    auto v = session.value(price_slot_, 0);
                    if (v) price = v->number;
                    else outcome = v.error();
                }
                for (std::size_t i = 0; outcome && i < r.events.size(); ++i) {
                    auto v = session.value(r.events[i].slot, r.events[i].director.value_or(0));
                    if (v) event_true[i] = v->word != 0;
                    else outcome = v.error();
                }
                if (!outcome) {
                    dsl::Diagnostics diags = outcome.error();
                    std::string values;
                    for (std::size_t i = 0; i < overrides.size(); ++i) {
                        values += fmt::format("{}{} = {}", values.empty() ? "" : ", ", override_paths_[i],
                                              overrides[i].number->to_string());
                    }
                    diags.note(dsl::SourceRange{}, "on path {} of {} (seed {}): {}", path + 1, options.paths, options.seed, values);
                    part.failure = Failure{path, std::move(diags)};
                    stop = true;
                    break;
                }
                const Outcome& o = **outcome;
                for (std::size_t d = 0; d < n_directors; ++d) {
                    for (std::size_t k = 0; k < n_outputs; ++k) {
                        if (!numeric[k]) continue;
                        OutputTally& t = r.outputs[d * n_outputs + k];
                        const Rational& v = o.directors[d].outputs[k].number;
                        t.counts.add(v);
                        if (price && in_shares[k]) t.value_times_price.add_product(v, *price);
                    }
                }
                if (price) r.price_sum.add(*price);
                for (std::size_t i = 0; i < r.events.size(); ++i) r.events[i].count += event_true[i];
                for (std::size_t i = 0; i < o.limits.size(); ++i) {
                    r.limits[i].scaled += o.limits[i].status == LimitStatus::scaled;
                    r.limits[i].violated += o.limits[i].status == LimitStatus::violated;
                }
                ++r.paths;
            }
            if (part.failure) break;
            if (options.progress) options.progress->fetch_add(last - first, std::memory_order_relaxed);
        }
    };
    run_on_large_stacks(threads, std::size_t{256} << 20, worker);

    if (setup_error) return *setup_error;
    const Failure* first_failure = nullptr;
    for (const auto& p : partials) {
        if (p.failure && (!first_failure || p.failure->path < first_failure->path)) first_failure = &*p.failure;
    }
    if (first_failure) return first_failure->diags;

    SimulationResult total = std::move(partials[0].result);
    for (unsigned w = 1; w < threads; ++w) {
        const SimulationResult& r = partials[w].result;
        total.paths += r.paths;
        for (std::size_t i = 0; i < total.outputs.size() && i < r.outputs.size(); ++i) {
            total.outputs[i].counts.merge(r.outputs[i].counts);
            total.outputs[i].value_times_price.merge(r.outputs[i].value_times_price);
        }
        for (std::size_t i = 0; i < total.events.size() && i < r.events.size(); ++i) total.events[i].count += r.events[i].count;
        for (std::size_t i = 0; i < total.limits.size() && i < r.limits.size(); ++i) {
            total.limits[i].scaled += r.limits[i].scaled;
            total.limits[i].violated += r.limits[i].violated;
        }
        total.price_sum.merge(r.price_sum);
    }
    total.directors = std::move(directors);
    total.has_price = price_slot_ != none;
    if (model.price && !model.price->dates.empty()) {
        const PriceModel& p = *model.price;
        Rational years = Rational::fraction(p.dates.back().days - p.start.days, 365);
        Decimal df = boost::multiprecision::exp(-to_decimal(p.risk_free) * to_decimal(years));
        total.discount = to_rational(df, 30);
        total.days = p.dates.back().days - p.start.days;
    }
    return total;
}

// ---------------------------------------------------------------------------------------
// Summaries

OutputSummary summarize(const SimulationResult& r, const OutputTally& t) {
    OutputSummary s;
    auto values = t.counts.sorted();
    const std::uint64_t n = t.counts.total();
    if (n == 0) return s;
    Rational sum, sum_sq;
    for (const auto& [v, c] : values) {
        Rational count(static_cast<std::int64_t>(c));
        sum += v * count;
        sum_sq += v * v * count;
        if (v.is_zero()) s.p_zero = Rational::fraction(static_cast<std::int64_t>(c), static_cast<std::int64_t>(n));
    }
    Rational total(static_cast<std::int64_t>(n));
    s.mean = sum / total;
    if (n > 1) {
        Rational variance = (sum_sq - sum * sum / total) / Rational(static_cast<std::int64_t>(n - 1));
        s.sd = boost::multiprecision::sqrt(to_decimal(variance)).str(2, std::ios_base::fixed);
    } else {
        s.sd = "0.00";
    }
    // Nearest rank: the smallest value with at least ceil(p·n) paths at or below it.
    auto percentile = [&](int p) {
        std::uint64_t rank = (static_cast<std::uint64_t>(p) * n + 99) / 100;
        if (rank == 0) rank = 1;
        std::uint64_t seen = 0;
        for (const auto& [v, c] : values) {
            seen += c;
            if (seen >= rank) return v;
        }
        return values.back().first;
    };
    s.p5 = percentile(5);
    s.p25 = percentile(25);
    s.p50 = percentile(50);
    s.p75 = percentile(75);
    s.p95 = percentile(95);
    s.min = values.front().first;
    s.max = values.back().first;
    if (r.has_price && r.discount) {
        Rational mean_value = t.value_times_price.value() / total;
        s.fair_value_grant = mean_value * *r.discount;
        if (!s.mean.is_zero()) s.fair_value_share = *s.fair_value_grant / s.mean;
    }
    return s;
}

}  // namespace hoshu::eval
