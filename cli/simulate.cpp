// hoshu simulate PLAN --inputs BASE.toml --model MODEL.toml --paths N --seed S [--threads T]
//                     [--format table|json] [--out FILE] [--histogram FILE.svg]
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
    Progress(std::atomic<std::uint64_t>& done, std::uint64_t total) : done_(done), total_(total) {
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
        std::fprintf(stderr, "\r[%s] %3d%%  %llu / %llu paths", bar.c_str(),
                     static_cast<int>(done * 100 / std::max<std::uint64_t>(total_, 1)),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_));
        std::fflush(stderr);
    }
    std::atomic<std::uint64_t>& done_;
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
    auto loaded = load_plan_and_inputs(sm, args.plan, args.inputs, exit);
    if (!loaded) return exit;
    const eval::Plan& plan = loaded->plan;
    const eval::InputFile& inputs = loaded->inputs;
    auto model = eval::load_model(sm, args.model);
    if (!model) {
        print_diagnostics(sm, model.error());
        return Exit::usage;
    }
    auto sim = eval::Simulation::prepare(plan, inputs, *model, options);
    if (!sim) {
        print_diagnostics(sm, sim.error());
        return Exit::usage;
    }
    // The outputs are checked before the run (the temporary files it leaves on a signal are
    // removed), and written only when everything succeeded.
    std::string error;
    OutputFile out, histogram;
    if (!out.open(args.out, error)) return output_failed(error);
    if (!args.histogram.empty()) {
        if (!histogram.open(args.histogram, error)) return output_failed(error);
        if (histogram.same_target(out)) {
            auto shown = [](const std::string& p) { return p.empty() || p == "-" ? "standard output" : "`" + p + "`"; };
            std::fprintf(stderr, "hoshu: error: --histogram and --out name the same file (%s, %s)\n",
                         shown(args.histogram).c_str(), shown(args.out).c_str());
            return Exit::usage;
        }
    }
    unsigned threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> done{0};
    eval::SimulationOptions run{args.paths, args.seed, threads, options, &done};
    auto result = [&] {
        Progress progress(done, args.paths);
        return sim->run(run);
    }();
    if (!result) {
        print_diagnostics(sm, result.error());
        return Exit::failure;
    }
    auto seal = eval::make_seal(plan, sm, args.plan, inputs, options);
    if (!seal) {
        print_diagnostics(sm, seal.error());
        return Exit::usage;
    }
    eval::SimulationHeader header{std::move(*seal), args.model,
                                  eval::sha256_hex(sm.file(model->file).text()), args.seed};
    std::string text = args.format == "json" ? eval::format_simulation_json(plan, *result, header)
                                             : eval::format_simulation_table(plan, *result, header);
    if (!args.histogram.empty()) {
        std::string title = (plan.title.empty() ? "" : plan.title + " — ") +
                            fmt::format("{} paths, seed {}", group_digits(std::to_string(result->paths)), args.seed);
        std::string svg = eval::histogram_svg(title, result->paths, eval::histogram_panels(plan, *result));
        if (!histogram.write(svg, error) || !histogram.finish(error)) return output_failed(error);
    }
    // The report first (on standard output, it cannot be taken back), then the histogram.
    if (!out.write(text, error) || !out.commit(error)) return output_failed(error);
    if (!args.histogram.empty() && !histogram.commit(error)) return output_failed(error);
    return Exit::success;
}

}  // namespace hoshu::cli
