// What explaining a value needs to look inside an evaluation, beyond a definition's value:
// the value of any node of the IR, whether an optional input is present, a director's
// ledger entries, the pro rata factor a limit applied, the series entry `last … before`
// found. A narrow view of a Session, for analysis/explain.
//
//   Session session(plan, inputs);
//   SessionProbe probe(session);
//   auto v = probe.node_value(plan.slots[s].root, 0);   // the formula of s, for director 0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "dsl/base/result.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/ir/plan.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::eval {

class SessionProbe {
public:
    explicit SessionProbe(Session& session) : session_(session) {}

    /// The value of any node of the plan's IR, in the scope of `director` (or plan-wide);
    /// for per-grant nodes, `grant` is the ledger entry (an index into the ledger).
    Result<Value> node_value(std::uint32_t node, std::size_t director, int grant = -1);
    /// Whether an optional input is present (for per-grant inputs, pass the grant).
    bool present(std::uint32_t slot, std::size_t director, int grant = -1);
    /// Where an input is written in the inputs file for this director (or grant): the
    /// value's file, line and column; invalid when it is absent or its default was taken.
    dsl::SourceRange input_range(std::uint32_t slot, std::size_t director, int grant = -1);
    /// The inputs file's own file: a range in another file is in records carried into it
    /// (`--carry`, `--register`), shown as that file ("fy2024.json, carry.ledger").
    dsl::FileId inputs_file() const;
    /// The ledger entries of a director (indices into the ledger).
    std::vector<int> grants_of(std::size_t director);
    /// The version of a param in force (its index in Slot::versions) and the date it was
    /// chosen by (none for a param of one undated value); none when no version can be chosen.
    struct ParamInForce {
        std::size_t version = 0;
        std::optional<Date> on;
    };
    std::optional<ParamInForce> param_in_force(std::uint32_t slot);
    /// What the records of Session::remember_paths() hold, all together: the definitions,
    /// plan-wide parts and requirements recorded (each record at most one evaluation's).
    std::size_t recorded_cells() const;
    /// The pro rata factor applied to a scaled output by the last run(), if any.
    std::optional<Rational> scale_factor(std::uint32_t slot) const;
    /// A declaration that reads a value of the inputs: an input (`input` true, Plan::slots)
    /// or an info (Plan::infos), for the record the value belongs to (`record`: the
    /// director's position, -1 plan-wide; `known` false when the value's record is not
    /// the declaration's own, as for an absolute path read per director).
    struct Reader {
        bool input = true;
        std::uint32_t index = 0;
        int record = -1;
        bool known = true;
    };
    /// Every declaration that reads the value at `node` (what the inputs check found), and
    /// the series that reads it (an entry's date or value), if one does.
    std::vector<Reader> readers(InputFile::Node node);
    std::optional<std::uint32_t> read_by_series(InputFile::Node node);
    /// The entry of a series the value at `node` is (once the series was read): the
    /// series, the entry's date, and whether `node` is its date or its value.
    struct SeriesEntry {
        std::uint32_t series = 0;
        Date date;
        bool is_date = false;
    };
    std::optional<SeriesEntry> series_entry(InputFile::Node node);
    /// Whether an evaluation since Session::record_entry_reads() read the value of the
    /// series entry whose value is at `node` (a lookup, a window, a product over dates).
    bool entry_read(InputFile::Node node) const;
    /// The value of the inputs file that input `slot` reads for this director (or grant):
    /// none when it is absent (or its path cannot be followed).
    InputFile::Node input_node(std::uint32_t slot, std::size_t director, int grant = -1);
    /// The entries of a series a window node reads (Evaluator::window_entries); none when
    /// the window cannot be evaluated.
    struct WindowEntry {
        Date date;
        Value value;
        dsl::SourceRange at;   // where its value is written; invalid when in no file
    };
    std::vector<WindowEntry> window_entries(std::uint32_t node, std::size_t director, int grant = -1);
    /// How a rank or percentile node places its value among the records: below, equal,
    /// above (Evaluator::place_counts); none when it cannot be evaluated.
    struct Placing {
        std::int64_t below = 0, equal = 0, above = 0;
    };
    std::optional<Placing> place_counts(std::uint32_t node, std::size_t director, int grant = -1);
    /// The entry of a series found by `last … before date`, if any.
    std::optional<std::pair<Date, Value>> last_before(std::uint32_t series, Date date);

private:
    Session& session_;
};

}  // namespace hoshu::eval
