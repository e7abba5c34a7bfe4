// hoshu as a peer of the peer benchmark kit (its README, "Adding a peer"), in process:
// the kit's rule (bench/peer/plan.hoshu) is checked once, and every scenario of the kit's
// CSV is evaluated through a Session with the scenario's values as overrides of
// bench/peer/base.toml — what `hoshu batch` does for each row, without reading or
// writing text. Called by the kit as
//
//   hoshu_peer SCENARIOS.csv OUT_DIR REPS MIN_TIME_S [--rules DIR] [--replay]
//
// it reads the scenarios (untimed), evaluates all of them once to check they evaluate,
// then times REPS reps (each as many full passes as fit in MIN_TIME_S, at least one) after
// a warm-up pass, writes OUT_DIR/NAME.shares.csv and prints the kit's line
// `PEER name=hoshu-in-process n=… sps_median=… sps_runs=… checksum=…`. `--replay` uses
// Session::remember_paths() (as `hoshu simulate` does), named hoshu-in-process-replay;
// `--compiled` evaluates through the plan compiled to machine code (eval::Kernel, as
// `hoshu batch --engine compiled` does; a scenario it gives up goes through the Session),
// named hoshu-in-process-compiled.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/native/kernel.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/session.hpp"

namespace {

using hoshu::eval::InputOverride;
using hoshu::eval::Rational;

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    return cells;
}

int fail(const std::string& why) {
    std::fprintf(stderr, "hoshu_peer: %s\n", why.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args;
    std::string rules = std::string(HOSHU_SOURCE_DIR) + "/bench/peer";
    bool replay = false, compiled = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--rules" && i + 1 < argc) rules = argv[++i];
        else if (a == "--replay") replay = true;
        else if (a == "--compiled") compiled = true;
        else args.push_back(a);
    }
    if (args.size() != 4) return fail("usage: hoshu_peer SCENARIOS.csv OUT_DIR REPS MIN_TIME_S [--rules DIR] [--replay|--compiled]");
    const std::string name = compiled ? "hoshu-in-process-compiled"
                             : replay ? "hoshu-in-process-replay"
                                      : "hoshu-in-process";
    const int reps = std::max(1, std::stoi(args[2]));
    const double min_time = std::stod(args[3]);

    // The scenarios: one integer per column named as the input it overrides (`kind` is
    // the kit's label of the scenario, not an input).
    std::ifstream csv(args[0]);
    if (!csv) return fail("cannot read " + args[0]);
    std::string line;
    std::getline(csv, line);
    std::vector<std::string> header = split(line);
    std::vector<std::size_t> columns;
    for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c] != "kind") columns.push_back(c);
    std::vector<std::vector<Rational>> scenarios;
    // The same as 64-bit integers, for the compiled plan's whole-number setter, row after
    // row in one array as the hand-written peers keep theirs (`width` values a row; a row
    // with a value that is not one is not `whole` and is set value by value).
    const std::size_t width = columns.size();
    std::vector<std::int64_t> wholes;
    std::vector<std::uint8_t> whole_row;
    while (std::getline(csv, line)) {
        if (line.empty()) continue;
        std::vector<std::string> cells = split(line);
        if (cells.size() != header.size()) return fail("a row without " + std::to_string(header.size()) + " cells: " + line);
        std::vector<Rational> row;
        std::vector<std::int64_t> whole;
        for (std::size_t c : columns) {
            auto v = Rational::parse(cells[c]);
            if (!v) return fail("not a number: " + cells[c]);
            row.push_back(*v);
            if (auto w = v->to_int64(); w && v->is_integer()) whole.push_back(*w);
        }
        const bool all = whole.size() == row.size();
        whole.resize(width, 0);
        scenarios.push_back(std::move(row));
        wholes.insert(wholes.end(), whole.begin(), whole.end());
        whole_row.push_back(all ? 1 : 0);
    }
    if (scenarios.empty()) return fail("no scenarios in " + args[0]);

    hoshu::dsl::SourceManager sm;
    hoshu::dsl::Diagnostics diags;
    auto plan = hoshu::eval::load_plan(sm, rules, diags);
    if (!diags.empty()) std::fputs(hoshu::dsl::render(sm, diags).c_str(), stderr);
    if (!plan) return fail("the rules in " + rules + " did not load");
    auto inputs = hoshu::eval::InputFile::load(sm, rules + "/base.toml");
    if (!inputs) {
        std::fputs(hoshu::dsl::render(sm, inputs.error()).c_str(), stderr);
        return 1;
    }
    std::vector<InputOverride> overrides;
    for (std::size_t c : columns) {
        std::string why;
        // A company figure is a top-level key; the director's own under directors.kit.
        auto node = inputs->find(header[c], &why);
        if (!node) node = inputs->find("directors.kit." + header[c], &why);
        if (!node) return fail("the column " + header[c] + " is no value of base.toml: " + why);
        overrides.push_back(InputOverride{node, {}, Rational(), {}});
    }
    auto single_slot = plan->find_slot("single_year_shares");
    auto midterm_slot = plan->find_slot("midterm_shares");
    if (!single_slot || !midterm_slot) return fail("the rules have no single_year_shares or midterm_shares");

    hoshu::eval::Session session(*plan, *inputs);
    if (replay) session.remember_paths();
    std::optional<hoshu::eval::Kernel> kernel;
    std::size_t single_at = 0, midterm_at = 0;   // the kernel's handles of the two outputs
    if (compiled) {
        std::vector<hoshu::eval::InputFile::Node> nodes;
        for (const auto& o : overrides) nodes.push_back(o.node);
        auto built = hoshu::eval::Kernel::build(*plan, session, nodes);
        if (!built) {
            std::fputs(hoshu::dsl::render(sm, built.error()).c_str(), stderr);
            return fail("the rules could not be compiled");
        }
        kernel.emplace(std::move(*built));
        auto single = kernel->output_handle(*single_slot, 0);
        auto midterm = kernel->output_handle(*midterm_slot, 0);
        if (!single || !midterm) return fail("single_year_shares or midterm_shares is not a number output");
        single_at = *single;
        midterm_at = *midterm;
    }
    std::vector<std::int64_t> shares(2 * scenarios.size());
    // Scenario s through the session; false (with the error shown) when it does not evaluate.
    auto interpret = [&](std::size_t s) {
        for (std::size_t i = 0; i < overrides.size(); ++i) overrides[i].number = scenarios[s][i];
        session.set_overrides(overrides);
        auto a = session.value(*single_slot, 0);
        auto m = session.value(*midterm_slot, 0);
        if (!a || !m) {
            std::fputs(hoshu::dsl::render(sm, !a ? a.error() : m.error()).c_str(), stderr);
            return false;
        }
        auto ai = a->number.to_int64();
        auto mi = m->number.to_int64();
        if (!ai || !mi || !a->number.is_integer() || !m->number.is_integer()) return false;
        shares[2 * s] = *ai;
        shares[2 * s + 1] = *mi;
        return true;
    };
    // One pass over every scenario; false when one does not evaluate.
    auto pass = [&]() {
        const std::size_t n = scenarios.size();
        if (!kernel) {
            for (std::size_t s = 0; s < n; ++s)
                if (!interpret(s)) return false;
            return true;
        }
        hoshu::eval::Kernel& k = *kernel;
        std::int64_t* out = shares.data();
        for (std::size_t s = 0; s < n; ++s) {
            bool taken = true;
            if (whole_row[s]) taken = k.set(std::span<const std::int64_t>(wholes.data() + s * width, width));
            else
                for (std::size_t i = 0; i < overrides.size() && taken; ++i) taken = k.set(i, scenarios[s][i]);
            if (taken && k.run()) {
                auto ai = k.whole_output(single_at);
                auto mi = k.whole_output(midterm_at);
                if (!ai || !mi) return false;
                out[2 * s] = *ai;
                out[2 * s + 1] = *mi;
                continue;
            }
            k.clear();   // the scenario the kernel does not take, through the session
            if (!interpret(s)) return false;
        }
        return true;
    };
    if (!pass()) return fail("a scenario did not evaluate");   // the warm-up, checked

    using clock = std::chrono::steady_clock;
    std::vector<double> runs;
    for (int r = 0; r < reps; ++r) {
        auto t0 = clock::now();
        std::size_t evaluated = 0;
        double elapsed = 0;
        do {
            if (!pass()) return fail("a scenario did not evaluate");
            evaluated += scenarios.size();
            elapsed = std::chrono::duration<double>(clock::now() - t0).count();
        } while (elapsed < min_time);
        runs.push_back(static_cast<double>(evaluated) / elapsed);
    }

    std::ofstream out(args[1] + "/" + name + ".shares.csv");
    out << "single_year_shares,midterm_shares\n";
    std::int64_t checksum = 0;
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        out << shares[2 * s] << ',' << shares[2 * s + 1] << '\n';
        checksum += shares[2 * s] + shares[2 * s + 1];
    }
    out.close();
    if (!out) return fail("cannot write " + args[1] + "/" + name + ".shares.csv");

    std::vector<double> sorted = runs;
    std::sort(sorted.begin(), sorted.end());
    std::ostringstream line_out;
    line_out << "PEER name=" << name << " n=" << scenarios.size()
             << " sps_median=" << static_cast<long long>(sorted[sorted.size() / 2]) << " sps_runs=";
    for (std::size_t i = 0; i < runs.size(); ++i) line_out << (i ? "," : "") << static_cast<long long>(runs[i]);
    line_out << " checksum=" << checksum;
    std::cout << line_out.str() << std::endl;
    return 0;
}
