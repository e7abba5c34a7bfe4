// The public face of the evaluator: evaluate(), Session and SessionProbe. An EvalFailure
// thrown inside becomes the diagnostics of a Result here, and the session stays usable.
#include "evaluator/run/evaluator.hpp"
#include "evaluator/run/probe.hpp"

namespace hoshu::eval {

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
void Session::record_entry_reads() { impl_->evaluator.record_entry_reads(); }

Result<Value> Session::value(std::uint32_t slot, std::size_t director, int grant) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.slot_value(slot, static_cast<int>(director), grant);
    } catch (EvalFailure& f) {
        impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

Result<Value> Session::record_value(std::uint32_t slot, std::size_t collection, std::size_t position) {
    try {
        impl_->evaluator.start();
        return impl_->evaluator.record_value(slot, collection, position);
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

void Session::reset() { impl_->evaluator.reset(); }

Result<Value> SessionProbe::node_value(std::uint32_t node, std::size_t director, int grant) {
    try {
        session_.impl_->evaluator.start();
        return session_.impl_->evaluator.node_value(node, static_cast<int>(director), grant);
    } catch (EvalFailure& f) {
        session_.impl_->evaluator.reset();
        return std::move(f.diags);
    }
}

bool SessionProbe::present(std::uint32_t slot, std::size_t director, int grant) {
    try {
        session_.impl_->evaluator.start();
        return session_.impl_->evaluator.slot_present(slot, static_cast<int>(director), grant);
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return false;
    }
}

dsl::FileId SessionProbe::inputs_file() const { return session_.impl_->evaluator.inputs().file(); }

dsl::SourceRange SessionProbe::input_range(std::uint32_t slot, std::size_t director, int grant) {
    try {
        session_.impl_->evaluator.start();
        return session_.impl_->evaluator.input_range(slot, static_cast<int>(director), grant);
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return {};
    }
}

InputFile::Node SessionProbe::input_node(std::uint32_t slot, std::size_t director, int grant) {
    try {
        session_.impl_->evaluator.start();
        return session_.impl_->evaluator.input_node(slot, static_cast<int>(director), grant);
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return {};
    }
}

std::optional<SessionProbe::SeriesEntry> SessionProbe::series_entry(InputFile::Node node) {
    try {
        return session_.impl_->evaluator.series_entry(node);
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return std::nullopt;
    }
}

std::vector<int> SessionProbe::grants_of(std::size_t director) {
    return session_.impl_->evaluator.grants_of(static_cast<int>(director));
}

std::optional<SessionProbe::ParamInForce> SessionProbe::param_in_force(std::uint32_t slot) {
    try {
        Evaluator& e = session_.impl_->evaluator;
        e.start();
        const Slot& sl = session_.impl_->plan.slots[slot];
        ParamInForce p;
        p.version = e.param_version(sl);
        if (sl.versions.size() > 1 || sl.versions.front().from) p.on = e.evaluation_date();
        return p;
    } catch (EvalFailure&) {
        return std::nullopt;
    }
}

std::size_t SessionProbe::recorded_cells() const { return session_.impl_->evaluator.recorded_cells(); }

std::optional<Rational> SessionProbe::scale_factor(std::uint32_t slot) const { return session_.impl_->evaluator.scale_factor(slot); }

std::vector<SessionProbe::WindowEntry> SessionProbe::window_entries(std::uint32_t node, std::size_t director, int grant) {
    try {
        session_.impl_->evaluator.start();
        std::vector<WindowEntry> out;
        for (auto& e : session_.impl_->evaluator.window_entries(node, static_cast<int>(director), grant))
            out.push_back({e.date, std::move(e.value), e.at});
        return out;
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return {};
    }
}

std::optional<SessionProbe::Placing> SessionProbe::place_counts(std::uint32_t node, std::size_t director, int grant) {
    try {
        session_.impl_->evaluator.start();
        auto p = session_.impl_->evaluator.place_counts(node, static_cast<int>(director), grant);
        return Placing{p.below, p.equal, p.above};
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return std::nullopt;
    }
}

std::optional<std::pair<Date, Value>> SessionProbe::last_before(std::uint32_t series, Date date) {
    try {
        session_.impl_->evaluator.start();
        return session_.impl_->evaluator.last_entry(series, date);
    } catch (EvalFailure&) {
        return std::nullopt;
    }
}

std::vector<SessionProbe::Reader> SessionProbe::readers(InputFile::Node node) {
    try {
        session_.impl_->evaluator.start();
    } catch (EvalFailure&) {
        session_.impl_->evaluator.reset();
        return {};
    }
    return session_.impl_->evaluator.readers_of(node);
}

std::optional<std::uint32_t> SessionProbe::read_by_series(InputFile::Node node) { return session_.impl_->evaluator.read_by_series(node); }

bool SessionProbe::entry_read(InputFile::Node node) const { return session_.impl_->evaluator.entry_value_read(node); }

}  // namespace hoshu::eval
