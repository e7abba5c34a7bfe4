// A plan compiled to machine code for what-if runs: the definitions that the varied input
// values reach, written as C++ over exact numbers (whole ones as 64-bit integers, fractions
// on 64-bit parts first and on __int128 when a step overflows, every step checked, not put
// in lowest terms at every step), built by the system's C++ compiler into a cached shared
// object and run in place of the interpreter for each scenario.
//
//   auto k = Kernel::build(plan, session, {revenue_node, profit_node});
//   if (!k) { …the interpreter alone: k.error() says why… }
//   k->set(0, Rational(316'800'000'000));      // false: not a value the kernel takes
//   if (k->set(1, profit) && k->run()) use(k->outcome());
//   else { k->clear(); …evaluate this scenario through the session, which reports… }
//   k->set(std::span<const std::int64_t>(wholes));   // every varied value at once
//   auto h = k->output_handle(*plan.find_slot("shares"), 0);   // once; after each run:
//   if (k->run()) use(k->whole_output(*h));                    // std::optional<std::int64_t>
//   // Built with KernelOptions::keep_last false (each run read before the next), a caller
//   // reading many outputs after every run finds each where the run leaves it:
//   const KernelValue* p = k->output_place(*h);                 // n/d after each run
//
// The interpreter stays the reference and both agree on every scenario: what the kernel
// computes it computes exactly as the interpreter does — a pro rata limit that binds
// included: the factor, the allocated outputs scaled with the limit's rounding, what
// depends on them computed again, each limit's status and factor in the outcome — and
// whatever it cannot — an intermediate beyond __int128 even in lowest terms, a division by
// zero, a value out of its declared range, a table without a row, a requirement or a limit
// that does not hold (a pro rata one still exceeded after scaling, or whose scaling changes
// what the kernel does not compute), a value the inputs check would refuse — makes set()
// or run() return false, and the caller evaluates that scenario through the session (which
// reports the error, or computes with numbers of any size). build() refuses (with located
// errors) a plan whose varied path uses, in a way the varied values change, what only the
// interpreter computes: series, date steps, rank and percentile, texts, values of the
// ledger or of another collection, a pro rata limit the base inputs bind whose scaling
// changes such a value. (Where no varied value changes such a part, the interpreter
// computes it once, on the base inputs, and the kernel reads it.) An input read through a
// path with a named step (`/years[grant_year].revenue`) is varied for the records whose
// path reaches the varied value, and only for those.
// A varied value may be an entry of a series, when what reads it is a definition whose
// whole formula is `last SERIES before DATE` on a date no run changes: that definition is
// then varied as an input is, its value checked as the series' entries are (positive).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/base/result.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::eval {

struct KernelValue;   // evaluator/native/codegen.hpp

struct KernelOptions {
    std::string compiler;       // empty: $HOSHU_CXX, $CXX, c++
    std::string cache_dir;      // empty: $HOSHU_CACHE_DIR, $XDG_CACHE_HOME/hoshu, ~/.cache/hoshu
    bool cached_only = false;   // use a kernel compiled before; never run the compiler
    // Where each varied value is changed from (a column of scenarios), noted in a refusal.
    std::vector<dsl::SourceRange> changed_at;
    // Plan-wide or per-director definitions besides the outputs that the caller reads with
    // value() after each run.
    std::vector<std::uint32_t> read_slots;
    // Whether a successful run's outputs stay readable after a later run that gives up
    // (outcome() and the whole_…() reads give the last successful run's). False: they are
    // read in place, valid only until the next run, which saves copying them every run.
    bool keep_last = true;
};

class Kernel {
public:
    /// Compile the plan for runs that change the values at `varied` (nodes of the inputs the
    /// session reads, as InputFile::find gives them). The session's inputs, evaluated
    /// unchanged, are the base every run starts from; the session is not changed.
    static Result<Kernel> build(const Plan& plan, Session& session, std::span<const InputFile::Node> varied,
                                const KernelOptions& options = {});

    /// Put `value` in place of varied value i for the next run: false when it is not one the
    /// kernel takes (it fails the inputs check — type, unit, range — or is too large).
    bool set(std::size_t i, const Rational& value);
    /// The same for a whole number: the inputs check folded into a range and a step.
    bool set(std::size_t i, std::int64_t whole);
    /// Varied values 0, 1, … all at once, all whole: false at the first one not taken (or
    /// for more values than the kernel varies).
    bool set(std::span<const std::int64_t> wholes);
    /// The same from a cell's text, read as the interpreter reads an override's.
    bool set_text(std::size_t i, std::string_view text);
    /// Evaluate with the values set since the last run (the others as in the base inputs);
    /// false when the kernel gave up. Either way the next run starts from the base inputs.
    bool run();
    /// Every varied value back to the base inputs' (after a set() that returned false).
    void clear();
    /// The last successful run's outcome: the base outcome with the outputs it recomputed.
    /// (They are written into it when it is asked for: read each run's through outcome()
    /// or whole_output(), not through a reference kept from an earlier call. Like set()
    /// and run(), not for two threads at once.)
    const Outcome& outcome() const;
    /// A number output for whole_output(): `slot` (of Plan::plan_outputs, with record 0, or
    /// of Plan::director_outputs) of record `record`; nullopt when there is no such output.
    std::optional<std::size_t> output_handle(std::uint32_t slot, std::size_t record = 0) const;
    /// That output of the last successful run, as outcome() has it, as a 64-bit integer:
    /// nullopt when it is not whole or does not fit. Read straight from what the kernel
    /// left, without writing the outcome. `handle` must be one output_handle() gave.
    std::optional<std::int64_t> whole_output(std::size_t handle) const;
    /// whole_output() of each of `handles` into out[0, handles.size()): false when one is
    /// nullopt (out then means nothing).
    bool whole_outputs(std::span<const std::size_t> handles, std::int64_t* out) const;
    /// Where each run leaves output `handle` in the kernel's table, for a caller that reads
    /// many outputs after every run: n/d (d > 0, not necessarily in lowest terms), valid
    /// after a successful run until the next run. nullptr unless runs change the output and
    /// the kernel was built with KernelOptions::keep_last false (read whole_output() then).
    const KernelValue* output_place(std::size_t handle) const;

    /// Whether runs may change output `handle`. When they do not, it is on every successful
    /// run what the base outcome has: a caller counting runs may count it once for all.
    bool changes(std::size_t handle) const;
    /// Limit `limit` (of Plan::limits) for limit_scaled() and whole_bound(); nullopt when runs
    /// leave it as the base outcome has it (status, value and bound).
    std::optional<std::size_t> limit_handle(std::uint32_t limit) const;
    /// Whether that limit was scaled in the last successful run (else it held).
    bool limit_scaled(std::size_t handle) const;
    /// Its bound in the last successful run as a 64-bit integer, read as whole_output()
    /// reads an output: nullopt when it is not whole or does not fit (outcome() has it).
    std::optional<std::int64_t> whole_bound(std::size_t handle) const;
    /// Its bound in the last successful run, whole or not (a number limit's).
    Rational bound(std::size_t handle) const;
    /// Where each run leaves that limit's pro rata factor (a denominator above 0: the run
    /// scaled it) and its bound (n/d, d > 0, not necessarily in lowest terms), for a caller
    /// that reads them after every run, as output_place(): valid after a successful run
    /// until the next run; nullptr, nullptr when the kernel was built with
    /// KernelOptions::keep_last true (read limit_scaled() and whole_bound() then).
    std::pair<const KernelValue*, const KernelValue*> limit_places(std::size_t handle) const;

    /// A definition of KernelOptions::read_slots (or an output) for value(): `slot` of
    /// record `record` (0 for a plan-wide one); nullopt when it is not one of those.
    std::optional<std::size_t> value_handle(std::uint32_t slot, std::size_t record = 0) const;
    /// Its value in the last run, which must have returned true (and no set() since).
    Value value(std::size_t handle) const;
    /// The same without building a Value: a boolean's word (0 or 1), or a number as a 64-bit
    /// integer — nullopt when it is not whole or does not fit (value() has it).
    std::optional<std::int64_t> whole_value(std::size_t handle) const;
    /// The words of booleans (value handles) into out[0, handles.size()).
    void words(std::span<const std::size_t> handles, std::int64_t* out) const;
    /// Where each run leaves a boolean's word (value handle) in the kernel's table, for a
    /// caller that reads it after every run: its n, valid after a successful run until the
    /// next run. nullptr when no run changes it (words() and whole_value() have it then).
    const KernelValue* word_place(std::size_t handle) const;

    Kernel(Kernel&&) noexcept;
    Kernel& operator=(Kernel&&) noexcept;
    ~Kernel();

private:
    Kernel();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hoshu::eval
