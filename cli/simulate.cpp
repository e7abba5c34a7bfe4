// hoshu simulate PLAN --inputs BASE.toml --model MODEL.toml --paths N --seed S [--threads T]
//                     [--format table|json] [--out FILE] [--histogram FILE.svg] [--against BASE_PLAN]
//
// With --against, the base plan is evaluated on the same paths (each path's sampled values
// go to both plans) and the report sets them side by side with the change.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/output/histogram.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/output/simulation_report.hpp"
#include "evaluator/whatif/model.hpp"
#include "evaluator/whatif/simulate.hpp"

namespace hoshu::cli {

namespace {

/// A progress bar on stderr while `done` counts up to `total`; only on a terminal.
class Progress {
public:
    Progress(std::atomic<std::uint64_t>& done, std::atomic<unsigned>& pass, std::uint64_t total)
        : done_(done), pass_(pass), total_(total) {
        if (!isatty(STDERR_FILENO)) return;
        thread_ = std::thread([this] {
            std::unique_lock lock(mutex_);
            while (!finished_) {
                draw();
                wake_.wait_for(lock, std::chrono::milliseconds(200));
            }
            std::fputs("\r\033[K", stderr);
        });
    }
    ~Progress() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

private:
    void draw() const {
        constexpr int width = 30;
        std::uint64_t done = std::min(done_.load(), total_);
        int filled = static_cast<int>(done * width / std::max<std::uint64_t>(total_, 1));
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.append(static_cast<std::size_t>(width - filled), '.');
        // Later passes look at the same paths again for the percentiles of outputs that took
        // more than --distinct-values values.
        const unsigned pass = pass_.load();
        std::string what = pass > 1 ? fmt::format("  (pass {}: percentiles past --distinct-values)", pass) : "";
        std::fprintf(stderr, "\r[%s] %3d%%  %llu / %llu paths%s\033[K", bar.c_str(),
                     static_cast<int>(done * 100 / std::max<std::uint64_t>(total_, 1)),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), what.c_str());
        std::fflush(stderr);
    }
    std::atomic<std::uint64_t>& done_;
    std::atomic<unsigned>& pass_;
    std::uint64_t total_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool finished_ = false;
};

}  // namespace

int run_simulate(const SimulateArgs& args) {
    eval::EvalOptions options;
    if (!parse_as_of(args.as_of, options)) return Exit::usage;
    dsl::SourceManager sm;
    int exit = Exit::success;
    CarryUsed carried;
    auto loaded = load_plan_and_inputs(sm, args.plan, args.inputs, CarryFrom{args.carry, args.register_db}, carried, exit);
    if (!loaded) return exit;
    const eval::Plan& plan = loaded->plan;
    const eval::InputFile& inputs = loaded->inputs;
    auto model = eval::load_model(sm, args.model);
    if (!model) {
        print_diagnostics(sm, model.error());
        const auto root = inputs.root();
        if (inputs.child(root, "input") || inputs.child(root, "price")) {
            std::fprintf(stderr, "hoshu: note: the --inputs file %s has %s, as a model does: did you swap --inputs and "
                                 "--model?\n",
                         dsl::printable(args.inputs).c_str(), inputs.child(root, "input") ? "[[input]]" : "[price]");
        }
        return Exit::usage;
    }
    // --against: the base plan, on the same inputs and paths (a key either plan reads is in
    // its place for both, as in `hoshu batch --against`).
    std::optional<eval::Plan> base;
    if (!args.against.empty()) {
        base = load_base_plan(sm, args.against, exit);
        if (!base) return exit;
        options.other_plan = &*base;
    }
    eval::EvalOptions base_options = options;
    base_options.other_plan = &plan;
    auto sim = eval::Simulation::prepare(plan, inputs, *model, options);
    if (!sim) {
        print_diagnostics(sm, sim.error());
        return Exit::usage;
    }
    std::optional<eval::Simulation> base_sim;
    if (base) {
        auto prepared = eval::Simulation::prepare(*base, inputs, *model, base_options, true);
        if (!prepared) {
            print_diagnostics(sm, prepared.error());
            std::fprintf(stderr, "hoshu: error: the model does not fit the base plan `%s` (--against)\n",
                         args.against.c_str());
            return Exit::usage;
        }
        base_sim.emplace(std::move(*prepared));
    }
    // The outputs are checked before the run (the temporary files it leaves on a signal are
    // removed), and written only when everything succeeded.
    std::string error;
    OutputFile out, histogram;
    const std::vector<std::string> read = files_read(sm, {args.carry, args.register_db});
    if (!out.open(args.out, error, read)) return output_failed(error);
    if (!args.histogram.empty()) {
        if (!histogram.open(args.histogram, error, read)) return output_failed(error);
        if (histogram.same_target(out)) {
            auto shown = [](const std::string& p) { return p.empty() || p == "-" ? "standard output" : "`" + p + "`"; };
            std::fprintf(stderr, "hoshu: error: --histogram and --out name the same file (%s, %s)\n",
                         shown(args.histogram).c_str(), shown(args.out).c_str());
            return Exit::usage;
        }
    }
    unsigned threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> done{0};
    std::atomic<unsigned> pass{1};
    eval::SimulationOptions run;
    run.paths = args.paths;
    run.seed = args.seed;
    run.threads = threads;
    run.distinct_cap = static_cast<std::size_t>(args.distinct_values);
    run.eval = options;
    run.progress = &done;
    run.pass = &pass;
    run.engine = args.engine == "compiled"      ? eval::SimulationEngine::compiled
                 : args.engine == "interpreter" ? eval::SimulationEngine::interpreter
                                                : eval::SimulationEngine::automatic;
    // (auto: compiling the plan takes a second or two, which a quarter of a million paths repay.)
    run.compile = args.paths >= 250'000;
    std::optional<eval::SimulationResult> result;
    std::optional<eval::ComparedSimulation> compared;
    {
        Progress progress(done, pass, args.paths);
        // An error stops the run: an evaluation error on a path (its values noted), or a
        // plan --engine compiled cannot compile (a usage error, as in `batch`).
        auto failed = [&](dsl::Diagnostics diags) {
            auto& items = diags.items();
            const bool refused = !items.empty() && items.back().message == eval::Simulation::not_compiled;
            if (refused) items.pop_back();
            print_diagnostics(sm, diags);
            if (!refused) return Exit::failure;
            std::fprintf(stderr, "hoshu: error: --engine compiled cannot run this model's paths (above); "
                                 "--engine interpreter evaluates them\n");
            return Exit::usage;
        };
        if (base_sim) {
            auto r = sim->run_against(*base_sim, base_options, run);
            if (!r) return failed(r.error());
            compared.emplace(std::move(*r));
        } else {
            auto r = sim->run(run);
            if (!r) return failed(r.error());
            result.emplace(std::move(*r));
        }
    }
    auto seal = eval::make_seal(plan, sm, args.plan, inputs, options);
    if (!seal) {
        print_diagnostics(sm, seal.error());
        return Exit::usage;
    }
    seal_carried(*seal, carried, std::string());
    eval::SimulationHeader header{std::move(*seal), args.model,
                                  eval::sha256_hex(sm.file(model->file).text()), args.seed};
    std::string text;
    eval::ComparisonSide base_side;
    if (compared) {
        auto base_seal = eval::make_seal(*base, sm, args.against, inputs, base_options);
        if (!base_seal) {
            print_diagnostics(sm, base_seal.error());
            return Exit::usage;
        }
        base_side = {args.against, base_seal->rules_sha256};
        text = args.format == "json" ? eval::format_comparison_json(*base, plan, *compared, header, base_side)
                                     : eval::format_comparison_table(*base, plan, *compared, header, base_side);
    } else {
        text = args.format == "json" ? eval::format_simulation_json(plan, *result, header)
                                     : eval::format_simulation_table(plan, *result, header);
    }
    if (!args.histogram.empty()) {
        const std::uint64_t paths = compared ? compared->head.paths : result->paths;
        std::string title = (plan.title.empty() ? "" : plan.title + " — ") +
                            fmt::format("{} paths, seed {}", group_digits(std::to_string(paths)), args.seed);
        std::string svg;
        if (compared) {
            auto named = [](const std::string& dir, const std::string& title) {
                return title.empty() ? dir : dir + " — " + title;
            };
            eval::HistogramLegend legend{named(args.against, base->title), named(args.plan, plan.title)};
            svg = eval::histogram_svg(title, paths, eval::histogram_panels(*base, plan, *compared), legend);
        } else {
            svg = eval::histogram_svg(title, paths, eval::histogram_panels(plan, *result));
        }
        if (!histogram.write(svg, error) || !histogram.finish(error)) return output_failed(error);
    }
    // The report first (on standard output, it cannot be taken back), then the histogram.
    if (!out.write(text, error) || !out.commit(error)) return output_failed(error);
    if (!args.histogram.empty() && !histogram.commit(error)) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
