// The grant register: a system of record, in one SQLite file, of every sealed result a
// company's plan produced year after year and of what happened to the grants afterwards
// (restrictions lifting, a director leaving, clawbacks, additional grants, a committee's
// reassessed rate). The only user of SQLite.
//
// Append-only and tamper-evident: rows are only ever inserted, each one (a result, an
// event) carrying a hash chained to the row before it (chain.hpp) over its whole content,
// the result's normalized lines included; verify_chain() recomputes every hash. A year
// recorded again supersedes the earlier record, which stays. Each write is one transaction
// (BEGIN IMMEDIATE, with a busy timeout: writers queue, none is lost; a process killed in
// the middle leaves the file as it was), begun by lock_for_write() before the caller reads
// what the write is checked against, so that the check and the write are one. The schema is versioned (PRAGMA user_version) and
// the file marked as a hoshu register (PRAGMA application_id): a file that is not one, or of
// a newer schema, is refused.
//
//   auto reg = Register::create("grants.db");              // a new file; refuses an existing one
//   auto reg = Register::open("grants.db");                // an existing register
//   reg->lock_for_write();                                 // what is read now is what is written after
//   auto id = reg->record(entry, /*supersede=*/false);     // FY recorded twice: an error
//   auto problems = reg->verify_chain();                   // empty: every hash holds
//   auto prior = reg->latest_result_before("FY2025");      // the FY2024 result, byte-exact
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/base/result.hpp"

namespace hoshu::eval {

/// The schema this build writes and reads (PRAGMA user_version).
constexpr int register_schema_version = 1;

/// One normalized line of a recorded result: a record's (director's) output or `info`
/// field; or (kind "price", no director) the plan's `grant_price`, its unit the word of its
/// currency as column names write it ("yen", "eur").
struct ResultLine {
    std::string director;
    std::string kind;    // "output", "grant", "info" or "price"
    std::string name;    // annual_rs_shares, title, grant_price
    std::string unit;    // the type's name: "shares", "JPY", "text", …; of a price: its currency's word
    std::string value;   // as the JSON result writes it (a number's exact text), or the info's text
};

/// A file the result was computed from, kept so that the result can be verified again
/// when the files on disk have moved on: a rule file (its path relative to the plan
/// folder, as the seal lists it) or the inputs.
struct RecordedFile {
    std::string role;    // "rules" or "inputs"
    std::string path;
    std::string bytes;
};

/// What `record` stores.
struct ResultEntry {
    std::string fiscal_year;       // "FY2024" (the result's fiscal_year)
    std::string result_json;       // the sealed result, byte-exact
    std::string rules_sha256, inputs_sha256, engine;
    std::string grant_date;        // the plan's `grant_date`, YYYY-MM-DD, or empty
    std::string grant_price;       // the plan's `grant_price` (exact), or empty
    std::vector<ResultLine> lines;
    std::vector<RecordedFile> files;        // the rule files and the inputs, byte-exact
    std::string recorded_by, recorded_at;   // recorded_at: UTC, YYYY-MM-DDTHH:MM:SSZ
    std::optional<std::int64_t> supersedes; // the record this one replaces
    std::string reason;                     // why (required to supersede)
};

struct StoredResult : ResultEntry {
    std::int64_t id = 0;
    std::int64_t seq = 0;          // its place in the chain
    std::string hash;
    std::optional<std::int64_t> superseded_by;
};

enum class EventKind { lift, leave, clawback, additional, rate };
const char* to_string(EventKind k);
std::optional<EventKind> event_kind(std::string_view name);

/// Something that happened to a director's grants after they were made.
struct EventEntry {
    std::string director;
    EventKind kind = EventKind::lift;
    std::string date;               // YYYY-MM-DD: when it takes effect
    std::string fiscal_year;        // the grants of this year only (empty: every year)
    std::string grant;              // this grant (output name) only (empty: every grant)
    std::optional<std::string> shares;   // lift (part of), clawback, additional: whole shares; leave: what was forfeited
    std::optional<std::string> rate;     // rate: the reassessed rate, exactly as given
    std::string reason;
    std::string recorded_by, recorded_at;
};

struct StoredEvent : EventEntry {
    std::int64_t id = 0;
    std::int64_t seq = 0;
    std::string hash;
};

class Register {
public:
    /// A new register at `path` (created with mode 0666 less the umask). Refuses a path that exists.
    static Result<Register> create(const std::string& path);
    /// An existing register: refuses a file that is not a hoshu register, or of a schema
    /// newer than this build's; migrates an older schema.
    static Result<Register> open(const std::string& path);

    Register(Register&&) noexcept;
    Register& operator=(Register&&) noexcept;
    ~Register();

    /// Take the write lock now (BEGIN IMMEDIATE, waiting up to the busy timeout for another
    /// writer to finish), before reading what a write is checked against: the balances an
    /// event must fit, the records a result carries from or supersedes. What is read from
    /// here on is then what the next record() or add_event() writes after — two processes
    /// checking and writing at once are serialized, the second reading what the first
    /// wrote. That write's commit (or its failure) releases the lock; so does closing the
    /// register without writing, which leaves it unchanged.
    Result<bool> lock_for_write();
    /// Record a result. A fiscal year already recorded needs `supersede` (and a reason); the
    /// entry then supersedes the year's current record. Returns the new record's id.
    Result<std::int64_t> record(ResultEntry entry, bool supersede);
    /// Record an event (checked against the balances by the caller, see balances.hpp, after
    /// lock_for_write()).
    Result<std::int64_t> add_event(const EventEntry& event);

    /// Every result, oldest first; every event, oldest first.
    Result<std::vector<StoredResult>> results() const;
    Result<std::vector<StoredEvent>> events() const;

    /// The current (not superseded) result of the latest fiscal year before `fiscal_year`
    /// (years compared by their digits, then as text): what the next year's evaluation carries
    /// from. None when there is none.
    Result<std::optional<StoredResult>> latest_result_before(std::string_view fiscal_year) const;

    /// The file checked by SQLite (PRAGMA integrity_check) and its schema against the one
    /// hoshu creates (tables, indexes, the append-only triggers); then the chain recomputed:
    /// every row's hash over its content and the previous row's hash, the sequence without
    /// gaps, each result's lines against its JSON. Each problem names the row, or what of the
    /// file or schema failed. Empty when the register is intact.
    Result<std::vector<std::string>> verify_chain() const;
    /// The last row's hash (to note down: a truncated register shows a different head).
    Result<std::string> head() const;

    struct Impl;   // the connection (register.cpp)

private:
    explicit Register(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Why a result of `fiscal_year`, which record `current` records already, is not recorded
/// without --supersede.
std::string already_recorded(std::string_view fiscal_year, std::int64_t current);

/// Orders fiscal years: "FY2024" < "FY2025" < "FY2100" (the digits as a number, then the text).
bool fiscal_year_before(std::string_view a, std::string_view b);

}  // namespace hoshu::eval
