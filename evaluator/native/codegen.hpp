// The C++ source of a compiled plan (private to native/): which definitions a what-if run
// recomputes, where each value lives in the kernel's table, and the text of the kernel.
//
//   Layout layout = plan_layout(plan, varied_slots, records, diags);   // what is recomputed
//   std::string source = kernel_source(plan, layout, unchecked);        // compiled by toolchain.hpp
//
// The kernel works on one table of raw fractions (numerator, denominator, both __int128,
// the denominator positive and the fraction not necessarily in lowest terms; a word —
// date, boolean, choice — is its numerator over 1). A definition that no varied value
// reaches (nor a pro rata scaling the kernel computes) is computed once by the
// interpreter and put in the table; the others are the
// kernel's, recomputed on each run, each once per record: as straight-line code in the
// order they depend on each other (with aggregates, in phases: plan-wide definitions, a
// loop over the records, the plan-wide totals of those — a sum, count or mean summed in
// the loop computing its terms —, another loop…; a requirement checked where what it reads
// is computed), and when the straight-line code gives up as functions computed on first
// use, as the interpreter computes them. A fraction is computed on 64-bit parts first (a
// step that overflows tried again in lowest terms), on __int128 when they overflow. A part of a record's formula no record changes is computed once per run
// (Layout::hoisted; the straight-line code reads its 64-bit parts into a local once, on
// first use, for every record); a part the kernel cannot compute that no run changes is read as a
// value the interpreter computed once (Layout::frozen). A denominator 0 in the table means "not computed yet", a
// negative one "not available" (the interpreter could not compute it): reading it makes
// the kernel give the run up, and so does any overflow, division by zero, value out of its
// range or table without a row — the interpreter then evaluates that run and reports.
// After the outputs, the limits: one exceeded gives the run up unless it allocates pro
// rata what the kernel computes (every allocated output and what depends on it are then
// the kernel's): then its factor (bound / value, the smallest of the limits on one set of
// outputs) scales each allocated output with the rounding of the set's first limit — in
// place, or, for one depending on another scaled output, computed again and scaled —
// what depends on them is computed again (by the straight-line code run again, what
// scaling does not change read back from the table; by the functions when it gives up),
// and the limits they reach are checked again (one still exceeded gives the run up).
// The straight-line code reads each input once (a whole one unchecked while the host's
// word at Layout::trusted_at says every such value is a whole number of 64 bits). Both
// compute a product or quotient rounded to a whole unit as one fraction: its factors'
// numerators multiplied, their denominators multiplied, one division (constant factors
// folded, a divisor multiplied by again left out after it is checked not zero).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

/// One raw fraction of the kernel's table (the same layout as the generated code's).
struct KernelValue {
    __int128 n = 0;
    __int128 d = 0;
};

struct Layout {
    std::size_t records = 0;   // the directors
    /// Per slot: where its values start in the table (none: not in it), one entry for a
    /// plan-wide definition, one per director for a director's.
    std::vector<std::uint32_t> offset;
    std::vector<std::uint8_t> computed;    // per slot: recomputed by the kernel
    std::vector<std::uint8_t> varied;      // per slot: an input a run changes
    /// Per slot whose presence a formula asks (`present(x)`): where the answers are (as
    /// offset), a word 1 or 0 per record; none when no formula asks.
    std::vector<std::uint32_t> presence;
    /// A word the host writes before each run: 1 when every value the straight-line code
    /// reads unchecked as a whole number (kernel_source() says which) is one of 64 bits,
    /// 0 when one is not (the functions, which check what they read, then compute the run).
    std::uint32_t trusted_at = 0;
    /// Parts of the formulas the kernel computes that it cannot compute itself but no run
    /// changes — a sum over the ledger, a series entry on a fixed date, a rank — computed
    /// once by the interpreter on the base inputs: node frozen[k]'s value is at frozen_at[k]
    /// (+ the record when frozen_per_record[k]: in a director's definition or an aggregate's
    /// terms).
    std::vector<std::uint32_t> frozen, frozen_at;
    std::vector<std::uint8_t> frozen_per_record;
    std::uint32_t computed_begin = 0;      // the kernel's own entries: [computed_begin, size)
    /// The parts of formulas computed once per record (a director's definitions, an
    /// aggregate's terms) that no record changes — `weight × score(revenue / target)` in a
    /// director's rate, a sum over the directors read in each one's share — each computed
    /// once per run, on first use, and kept at hoisted_at[k] (among the kernel's entries).
    std::vector<std::uint32_t> hoisted, hoisted_at;
    std::uint32_t size = 0;
    /// The outputs the kernel computes (plan-wide, then per director).
    std::vector<std::uint32_t> plan_outputs, director_outputs;
    /// Further definitions the kernel computes whose values the host reads after a run
    /// (set by the host after plan_layout()): every run computes them and leaves them in
    /// the table, as it does the outputs.
    std::vector<std::uint32_t> wanted;
    /// The limits and requirements a varied value reaches (and the pro rata limits whose
    /// outputs it reaches or the base inputs bind): the kernel checks them and gives the
    /// run up when a requirement or a limit it does not scale does not hold (the
    /// interpreter reports). Each limit's value, bound and pro rata factor (a denominator
    /// 0: none) are kept at limit_at[k], limit_at[k] + 1 and limit_at[k] + 2.
    std::vector<std::uint32_t> limits, limit_at, requirements;
    /// Per limit of `limits`: the set of outputs (of `sets`) it scales when exceeded, or
    /// none when it is not pro rata or the kernel does not compute what scaling changes
    /// (then it gives the run up).
    std::vector<std::uint32_t> limit_set;
    /// One set of outputs scaled by one factor: its outputs are those of the plan's first
    /// limit allocating exactly them (whose rounding mode and unit they are scaled with);
    /// the factor of the run at `at` (a denominator 0: none).
    struct ScaleSet {
        std::uint32_t limit = 0;
        std::uint32_t at = 0;
    };
    std::vector<ScaleSet> sets;
    std::uint32_t scaling_at = 0;   // a word: 1 while a run computes again after scaling
};

/// Which definitions depend on the varied input slots, and the table's layout; errors
/// (located) when the plan uses, on that path, what the kernel does not compute.
/// `carried`: the evaluation hands records to the next year (what `carry` writes must
/// then not depend on a varied value). `changed_at` (optional, per slot): where a varied
/// slot's value is changed from (a column of scenarios); an error then notes where the
/// change it depends on comes from. `bound_in_base` (optional, per limit): the pro rata
/// limits the base inputs bind — the kernel then computes what their scaling changes
/// (the base's values of it are scaled ones), or refuses the plan when it cannot.
/// The outputs a pro rata limit the kernel checks allocates, and what depends on them,
/// are the kernel's too (a run's factor changes them), when it computes all of them.
bool plan_layout(const Plan& plan, const std::vector<std::uint8_t>& varied_slots, std::size_t records, bool carried,
                 Layout& out, dsl::Diagnostics& diags, const std::vector<dsl::SourceRange>& changed_at = {},
                 const std::vector<std::uint8_t>& bound_in_base = {});

/// The kernel's C++ source: `extern "C" int hoshu_kernel_v1(KernelValue* table)`, 0 when
/// every output was computed into the table, 1 when the run was given up. `unchecked`:
/// the table's places the straight-line code reads as whole numbers without checking
/// them (a denominator 1, a numerator of 64 bits), trusting the word at trusted_at.
std::string kernel_source(const Plan& plan, const Layout& layout, std::vector<std::uint32_t>& unchecked);

}  // namespace hoshu::eval
