#include "evaluator/register/register.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "dsl/base/files.hpp"
#include "dsl/base/interrupt.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/chain.hpp"

namespace hoshu::eval {

using dsl::Diagnostics;

const char* to_string(EventKind k) {
    switch (k) {
        case EventKind::lift: return "lift";
        case EventKind::leave: return "leave";
        case EventKind::clawback: return "clawback";
        case EventKind::additional: return "additional";
        case EventKind::rate: return "rate";
    }
    return "";
}

std::optional<EventKind> event_kind(std::string_view name) {
    for (EventKind k : {EventKind::lift, EventKind::leave, EventKind::clawback, EventKind::additional, EventKind::rate})
        if (name == to_string(k)) return k;
    return std::nullopt;
}

std::string already_recorded(std::string_view fiscal_year, std::int64_t current) {
    return fmt::format("{} is already recorded (record {}); to replace it, record again with --supersede --reason TEXT (the "
                       "earlier record stays, marked superseded)",
                       fiscal_year, current);
}

bool fiscal_year_before(std::string_view a, std::string_view b) {
    auto digits = [](std::string_view s) {
        std::string d;
        for (char c : s)
            if (c >= '0' && c <= '9') d += c;
        d.erase(0, std::min(d.find_first_not_of('0'), d.size()));
        return d;
    };
    std::string da = digits(a), db = digits(b);
    if (da.size() != db.size()) return da.size() < db.size();
    if (da != db) return da < db;
    return a < b;
}

namespace {

/// "hosh": PRAGMA application_id of a hoshu register.
constexpr std::int32_t application_id = 0x686f7368;

Diagnostics error_of(std::string message) { return dsl::one_error(dsl::SourceRange{}, std::move(message)); }

/// Each migration takes the schema from version i to i + 1.
const char* const migrations[] = {
    R"sql(
CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  fiscal_year TEXT NOT NULL,
  result_json BLOB NOT NULL,
  rules_sha256 TEXT NOT NULL,
  inputs_sha256 TEXT NOT NULL,
  engine TEXT NOT NULL,
  grant_date TEXT NOT NULL,
  grant_price TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  supersedes INTEGER REFERENCES results(id),
  reason TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE TABLE result_lines (
  result_id INTEGER NOT NULL REFERENCES results(id),
  position INTEGER NOT NULL,
  director TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  unit TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (result_id, position));
CREATE TABLE record_files (
  result_id INTEGER NOT NULL REFERENCES results(id),
  position INTEGER NOT NULL,
  role TEXT NOT NULL,
  path TEXT NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (result_id, position));
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  director TEXT NOT NULL,
  kind TEXT NOT NULL,
  date TEXT NOT NULL,
  fiscal_year TEXT NOT NULL,
  grant_name TEXT NOT NULL,
  shares TEXT,
  rate TEXT,
  reason TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE TRIGGER results_append_only_u BEFORE UPDATE ON results BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER results_append_only_d BEFORE DELETE ON results BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER lines_append_only_u BEFORE UPDATE ON result_lines BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER lines_append_only_d BEFORE DELETE ON result_lines BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER files_append_only_u BEFORE UPDATE ON record_files BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER files_append_only_d BEFORE DELETE ON record_files BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER events_append_only_d BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
)sql",
};
constexpr int migration_count = sizeof(migrations) / sizeof(migrations[0]);
static_assert(migration_count == register_schema_version);

/// A prepared statement, finalized when it goes.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(stmt_); }
    bool ok() const { return stmt_ != nullptr; }

    Statement& bind(int i, std::string_view text) {
        sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind_blob(int i, std::string_view bytes) {
        sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, std::int64_t n) {
        sqlite3_bind_int64(stmt_, i, n);
        return *this;
    }
    Statement& bind(int i, const std::optional<std::string>& text) {
        if (text) return bind(i, std::string_view(*text));
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    Statement& bind(int i, const std::optional<std::int64_t>& n) {
        if (n) return bind(i, *n);
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(stmt_); }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::string text(int col) const {
        const void* p = sqlite3_column_blob(stmt_, col);
        int n = sqlite3_column_bytes(stmt_, col);
        return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
    }
    std::optional<std::string> optional_text(int col) const {
        if (is_null(col)) return std::nullopt;
        return text(col);
    }
    std::optional<std::int64_t> optional_integer(int col) const {
        if (is_null(col)) return std::nullopt;
        return integer(col);
    }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

CanonicalRow canonical(const StoredResult& r) {
    CanonicalRow row;
    row.field("row", "result")
        .field("id", std::to_string(r.id))
        .field("seq", std::to_string(r.seq))
        .field("fiscal_year", r.fiscal_year)
        .field("result_json", r.result_json)
        .field("rules_sha256", r.rules_sha256)
        .field("inputs_sha256", r.inputs_sha256)
        .field("engine", r.engine)
        .field("grant_date", r.grant_date)
        .field("grant_price", r.grant_price)
        .field("recorded_by", r.recorded_by)
        .field("recorded_at", r.recorded_at);
    if (r.supersedes) row.field("supersedes", std::to_string(*r.supersedes));
    else row.null("supersedes");
    row.field("reason", r.reason).field("lines", std::to_string(r.lines.size()));
    for (const auto& l : r.lines)
        row.field("director", l.director).field("kind", l.kind).field("name", l.name).field("unit", l.unit).field("value", l.value);
    row.field("files", std::to_string(r.files.size()));
    for (const auto& f : r.files) row.field("role", f.role).field("path", f.path).field("bytes", f.bytes);
    return row;
}

CanonicalRow canonical(const StoredEvent& e) {
    CanonicalRow row;
    row.field("row", "event")
        .field("id", std::to_string(e.id))
        .field("seq", std::to_string(e.seq))
        .field("director", e.director)
        .field("kind", to_string(e.kind))
        .field("date", e.date)
        .field("fiscal_year", e.fiscal_year)
        .field("grant", e.grant)
        .optional_field("shares", e.shares)
        .optional_field("rate", e.rate)
        .field("reason", e.reason)
        .field("recorded_by", e.recorded_by)
        .field("recorded_at", e.recorded_at);
    return row;
}

/// A test hook: HOSHU_TEST_PAUSE_IN_WRITE=MARKER:SECONDS makes a write, inside its
/// transaction, create the file MARKER and wait SECONDS, so that a test can kill the
/// process there or start a second writer.
void test_pause() { pause_for_test("HOSHU_TEST_PAUSE_IN_WRITE"); }

}  // namespace

struct Register::Impl {
    sqlite3* db = nullptr;
    std::string path;

    ~Impl() {
        if (db) sqlite3_close(db);
    }

    Diagnostics fail(std::string_view what) const {
        int code = sqlite3_extended_errcode(db);
        std::string message = fmt::format("register `{}`: {}: {}", path, what, sqlite3_errmsg(db));
        if ((code & 0xff) == SQLITE_NOTADB) message = fmt::format("`{}` is not a hoshu register (not an SQLite database)", path);
        if ((code & 0xff) == SQLITE_BUSY)
            message = fmt::format("register `{}`: {}: another process kept the register busy for more than 30 seconds", path, what);
        return error_of(std::move(message));
    }

    bool exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

    std::optional<std::int64_t> pragma(const char* name) {
        Statement s(db, fmt::format("PRAGMA {}", name).c_str());
        if (!s.ok() || s.step() != SQLITE_ROW) return std::nullopt;
        return s.integer(0);
    }

    /// BEGIN IMMEDIATE: the write lock now, waiting for another writer up to the busy timeout;
    /// nothing when lock_for_write() began the transaction already.
    Result<bool> begin() {
        if (sqlite3_get_autocommit(db) == 0) return true;
        if (!exec("BEGIN IMMEDIATE")) return fail("cannot start a transaction");
        return true;
    }
    Result<bool> commit() {
        if (!exec("COMMIT")) {
            Diagnostics d = fail("cannot commit");
            exec("ROLLBACK");
            return d;
        }
        return true;
    }
    void rollback() { exec("ROLLBACK"); }

    Result<bool> migrate(int from) {
        for (int v = from; v < register_schema_version; ++v) {
            if (!exec(migrations[v])) return fail(fmt::format("cannot migrate the schema to version {}", v + 1));
        }
        if (!exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}", application_id,
                              register_schema_version).c_str()))
            return fail("cannot write the schema version");
        return true;
    }

    std::int64_t next(const char* sql) {
        Statement s(db, sql);
        return s.ok() && s.step() == SQLITE_ROW ? s.integer(0) + 1 : 1;
    }
    std::int64_t next_seq() {
        return next("SELECT max(coalesce((SELECT max(seq) FROM results), 0), coalesce((SELECT max(seq) FROM events), 0))");
    }
    std::string last_hash() {
        Statement s(db, "SELECT hash FROM (SELECT seq, hash FROM results UNION ALL SELECT seq, hash FROM events) ORDER BY seq DESC LIMIT 1");
        if (s.ok() && s.step() == SQLITE_ROW) return s.text(0);
        return chain_origin();
    }
};

Register::Register(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Register::Register(Register&&) noexcept = default;
Register& Register::operator=(Register&&) noexcept = default;
Register::~Register() = default;

namespace {

Result<std::unique_ptr<Register::Impl>> connect(const std::string& path, int flags) {
    auto impl = std::make_unique<Register::Impl>();
    impl->path = path;
    if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
        std::string why = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
        return error_of(fmt::format("cannot open the register `{}`: {}", path, why));
    }
    sqlite3_extended_result_codes(impl->db, 1);
    sqlite3_busy_timeout(impl->db, 30'000);
    impl->exec("PRAGMA foreign_keys = ON");
    impl->exec("PRAGMA synchronous = FULL");
    return impl;
}

}  // namespace

Result<Register> Register::create(const std::string& path) {
    // From the file's creation to the commit, a signal that ends the command waits: a
    // register half made (an empty file, its schema's transaction in a journal beside it) is
    // removed, file and journal, before the process ends, as on any failure here.
    SignalsHeld held;
    // The file first, as any Unix tool creates one (0666 less the umask), and only if it
    // does not exist: `init` never touches an existing file.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EEXIST) return error_of(fmt::format("`{}` already exists; `hoshu register init` creates a new register only", path));
        return error_of(fmt::format("cannot create the register `{}`: {}", path, std::strerror(errno)));
    }
    ::close(fd);
    auto impl = connect(path, SQLITE_OPEN_READWRITE);
    if (!impl) {
        ::unlink(path.c_str());
        return std::move(impl).error();
    }
    Impl& db = **impl;
    auto begun = db.begin();
    if (begun) {
        auto migrated = db.migrate(0);
        test_pause();
        if (migrated && held.arrived()) migrated = error_of("interrupted");   // (the process ends as `held` goes)
        if (migrated) {
            auto committed = db.commit();
            if (committed) return Register(std::move(*impl));
            begun = std::move(committed).error();
        } else {
            db.rollback();
            begun = std::move(migrated).error();
        }
    }
    Diagnostics d = std::move(begun).error();
    impl->reset();
    ::unlink(path.c_str());
    ::unlink((path + "-journal").c_str());   // (none after a rollback; one a failed commit may leave)
    return d;
}

Result<Register> Register::open(const std::string& path) {
    // Every command that opens a register (show, export, verify, event, record, eval and
    // verify --register) refuses what is not a regular file here, in the words every reader
    // of files uses: SQLite would call a FIFO a "disk I/O error".
    if (std::string why = dsl::not_a_regular_file(path); !why.empty())
        return error_of(fmt::format("cannot open the register `{}`: {}", path, why));
    auto impl = connect(path, SQLITE_OPEN_READWRITE);
    if (!impl) return std::move(impl).error();
    Impl& db = **impl;
    auto app = db.pragma("application_id");
    if (!app) return db.fail("cannot read the file");
    auto version = db.pragma("user_version");
    if (!version) return db.fail("cannot read the schema version");
    if (*app != application_id)
        return error_of(fmt::format("`{}` is not a hoshu register (an SQLite database of another application{})", path,
                                    *app == 0 && *version == 0 ? ", or an empty one" : ""));
    if (*version > register_schema_version)
        return error_of(fmt::format("the register `{}` has schema version {}, newer than this hoshu reads ({}): use a newer hoshu",
                                    path, *version, register_schema_version));
    if (*version < 1)
        return error_of(fmt::format("the register `{}` has an unknown schema version {}", path, *version));
    if (*version < register_schema_version) {
        auto begun = db.begin();
        if (!begun) return std::move(begun).error();
        SignalsHeld held;   // as in record(): the migration is committed or rolled back, no journal left
        // Read again under the lock: another process may have migrated it meanwhile.
        version = db.pragma("user_version");
        if (!version) {
            Diagnostics d = db.fail("cannot read the schema version");
            db.rollback();
            return d;
        }
        auto migrated = db.migrate(static_cast<int>(*version));
        if (migrated && held.arrived()) migrated = error_of("interrupted");   // (the process ends as `held` goes)
        if (!migrated) {
            db.rollback();
            return std::move(migrated).error();
        }
        auto committed = db.commit();
        if (!committed) return std::move(committed).error();
    }
    return Register(std::move(*impl));
}

Result<bool> Register::lock_for_write() { return impl_->begin(); }

Result<std::int64_t> Register::record(ResultEntry entry, bool supersede) {
    Impl& db = *impl_;
    auto begun = db.begin();
    if (!begun) return std::move(begun).error();
    auto abort = [&](Diagnostics d) -> Result<std::int64_t> {
        db.rollback();
        return d;
    };
    // The year's current record, if any.
    std::optional<std::int64_t> current;
    {
        Statement s(db.db, "SELECT id FROM results r WHERE fiscal_year = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM results n WHERE n.supersedes = r.id) ORDER BY seq DESC LIMIT 1");
        if (!s.ok()) return abort(db.fail("cannot read the register"));
        s.bind(1, std::string_view(entry.fiscal_year));
        int rc = s.step();
        if (rc == SQLITE_ROW) current = s.integer(0);
        else if (rc != SQLITE_DONE) return abort(db.fail("cannot read the register"));
    }
    if (current && !supersede)
        return abort(error_of(already_recorded(entry.fiscal_year, *current)));
    if (!current && supersede)
        return abort(error_of(fmt::format("--supersede: {} is not recorded yet, there is nothing to supersede", entry.fiscal_year)));
    entry.supersedes = current;

    // From the first row written to the commit, a signal that ends the command waits: the
    // transaction is rolled back instead of committed, and SQLite removes its journal, which a
    // process ended in the middle would leave beside the register.
    SignalsHeld held;
    StoredResult r;
    static_cast<ResultEntry&>(r) = std::move(entry);
    r.id = db.next("SELECT max(id) FROM results");
    r.seq = db.next_seq();
    std::string prev = db.last_hash();
    r.hash = chain_hash(prev, canonical(r));
    {
        Statement s(db.db,
                    "INSERT INTO results (id, seq, fiscal_year, result_json, rules_sha256, inputs_sha256, engine, grant_date, "
                    "grant_price, recorded_by, recorded_at, supersedes, reason, prev_hash, hash) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
        if (!s.ok()) return abort(db.fail("cannot write the register"));
        s.bind(1, r.id).bind(2, r.seq).bind(3, std::string_view(r.fiscal_year)).bind_blob(4, r.result_json);
        s.bind(5, std::string_view(r.rules_sha256)).bind(6, std::string_view(r.inputs_sha256)).bind(7, std::string_view(r.engine));
        s.bind(8, std::string_view(r.grant_date)).bind(9, std::string_view(r.grant_price));
        s.bind(10, std::string_view(r.recorded_by)).bind(11, std::string_view(r.recorded_at)).bind(12, r.supersedes);
        s.bind(13, std::string_view(r.reason)).bind(14, std::string_view(prev)).bind(15, std::string_view(r.hash));
        if (s.step() != SQLITE_DONE) return abort(db.fail("cannot write the register"));
    }
    Statement line(db.db, "INSERT INTO result_lines (result_id, position, director, kind, name, unit, value) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!line.ok()) return abort(db.fail("cannot write the register"));
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const ResultLine& l = r.lines[i];
        line.bind(1, r.id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(l.director));
        line.bind(4, std::string_view(l.kind)).bind(5, std::string_view(l.name)).bind(6, std::string_view(l.unit));
        line.bind(7, std::string_view(l.value));
        if (line.step() != SQLITE_DONE) return abort(db.fail("cannot write the register"));
        line.reset();
    }
    Statement file(db.db, "INSERT INTO record_files (result_id, position, role, path, bytes) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!file.ok()) return abort(db.fail("cannot write the register"));
    for (std::size_t i = 0; i < r.files.size(); ++i) {
        const RecordedFile& f = r.files[i];
        file.bind(1, r.id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(f.role));
        file.bind(4, std::string_view(f.path)).bind_blob(5, f.bytes);
        if (file.step() != SQLITE_DONE) return abort(db.fail("cannot write the register"));
        file.reset();
    }
    test_pause();
    if (held.arrived()) return abort(error_of("interrupted"));   // (the process ends as `held` goes)
    auto committed = db.commit();
    if (!committed) return std::move(committed).error();
    return r.id;
}

Result<std::int64_t> Register::add_event(const EventEntry& event) {
    Impl& db = *impl_;
    auto begun = db.begin();
    if (!begun) return std::move(begun).error();
    SignalsHeld held;   // as in record()
    StoredEvent e;
    static_cast<EventEntry&>(e) = event;
    e.id = db.next("SELECT max(id) FROM events");
    e.seq = db.next_seq();
    std::string prev = db.last_hash();
    e.hash = chain_hash(prev, canonical(e));
    Statement s(db.db,
                "INSERT INTO events (id, seq, director, kind, date, fiscal_year, grant_name, shares, rate, reason, "
                "recorded_by, recorded_at, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    if (!s.ok()) {
        Diagnostics d = db.fail("cannot write the register");
        db.rollback();
        return d;
    }
    s.bind(1, e.id).bind(2, e.seq).bind(3, std::string_view(e.director)).bind(4, std::string_view(to_string(e.kind)));
    s.bind(5, std::string_view(e.date)).bind(6, std::string_view(e.fiscal_year)).bind(7, std::string_view(e.grant));
    s.bind(8, e.shares).bind(9, e.rate).bind(10, std::string_view(e.reason)).bind(11, std::string_view(e.recorded_by));
    s.bind(12, std::string_view(e.recorded_at)).bind(13, std::string_view(prev)).bind(14, std::string_view(e.hash));
    if (s.step() != SQLITE_DONE) {
        Diagnostics d = db.fail("cannot write the register");
        db.rollback();
        return d;
    }
    test_pause();
    if (held.arrived()) {
        db.rollback();
        return error_of("interrupted");   // (the process ends as `held` goes)
    }
    auto committed = db.commit();
    if (!committed) return std::move(committed).error();
    return e.id;
}

namespace {

struct RawResult {
    StoredResult result;
    std::string prev_hash;
};
struct RawEvent {
    StoredEvent event;
    std::string prev_hash;
    std::string kind_text;
};

/// A stored result's main collection, whatever the plan calls it: hoshu writes it as the
/// first list of the result, each record's key field first (json.cpp).
const JsonValue* main_collection(const JsonValue& result) {
    for (const JsonValue& v : result.items)
        if (v.kind == JsonValue::Kind::array) return &v;
    return nullptr;
}

}  // namespace

// Reading: every row as stored (with the hash it claims to follow).
static Result<std::vector<RawResult>> read_results(Register::Impl& db) {
    std::vector<RawResult> out;
    std::map<std::int64_t, std::size_t> by_id;
    {
        Statement s(db.db, "SELECT id, seq, fiscal_year, result_json, rules_sha256, inputs_sha256, engine, grant_date, grant_price, "
                           "recorded_by, recorded_at, supersedes, reason, prev_hash, hash FROM results ORDER BY seq, id");
        if (!s.ok()) return db.fail("cannot read the register");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            RawResult raw;
            StoredResult& r = raw.result;
            r.id = s.integer(0);
            r.seq = s.integer(1);
            r.fiscal_year = s.text(2);
            r.result_json = s.text(3);
            r.rules_sha256 = s.text(4);
            r.inputs_sha256 = s.text(5);
            r.engine = s.text(6);
            r.grant_date = s.text(7);
            r.grant_price = s.text(8);
            r.recorded_by = s.text(9);
            r.recorded_at = s.text(10);
            r.supersedes = s.optional_integer(11);
            r.reason = s.text(12);
            raw.prev_hash = s.text(13);
            r.hash = s.text(14);
            by_id[r.id] = out.size();
            out.push_back(std::move(raw));
        }
        if (rc != SQLITE_DONE) return db.fail("cannot read the register");
    }
    Statement s(db.db, "SELECT result_id, director, kind, name, unit, value FROM result_lines ORDER BY result_id, position");
    if (!s.ok()) return db.fail("cannot read the register");
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        auto it = by_id.find(s.integer(0));
        ResultLine l{s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
        if (it == by_id.end()) {
            // A line of no result: kept aside as a result of id 0 so that verify names it.
            RawResult orphan;
            orphan.result.id = -s.integer(0);
            orphan.result.lines.push_back(std::move(l));
            out.push_back(std::move(orphan));
            continue;
        }
        out[it->second].result.lines.push_back(std::move(l));
    }
    if (rc != SQLITE_DONE) return db.fail("cannot read the register");
    Statement f(db.db, "SELECT result_id, role, path, bytes FROM record_files ORDER BY result_id, position");
    if (!f.ok()) return db.fail("cannot read the register");
    while ((rc = f.step()) == SQLITE_ROW) {
        auto it = by_id.find(f.integer(0));
        if (it == by_id.end()) {
            RawResult orphan;
            orphan.result.id = -f.integer(0);
            orphan.result.lines.push_back({f.text(2), "file", "", "", ""});
            out.push_back(std::move(orphan));
            continue;
        }
        out[it->second].result.files.push_back({f.text(1), f.text(2), f.text(3)});
    }
    if (rc != SQLITE_DONE) return db.fail("cannot read the register");
    for (auto& a : out)
        for (const auto& b : out)
            if (b.result.supersedes && *b.result.supersedes == a.result.id) a.result.superseded_by = b.result.id;
    return out;
}

static Result<std::vector<RawEvent>> read_events(Register::Impl& db) {
    std::vector<RawEvent> out;
    Statement s(db.db, "SELECT id, seq, director, kind, date, fiscal_year, grant_name, shares, rate, reason, recorded_by, "
                       "recorded_at, prev_hash, hash FROM events ORDER BY seq, id");
    if (!s.ok()) return db.fail("cannot read the register");
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        RawEvent raw;
        StoredEvent& e = raw.event;
        e.id = s.integer(0);
        e.seq = s.integer(1);
        e.director = s.text(2);
        raw.kind_text = s.text(3);
        e.kind = event_kind(raw.kind_text).value_or(EventKind::rate);
        e.date = s.text(4);
        e.fiscal_year = s.text(5);
        e.grant = s.text(6);
        e.shares = s.optional_text(7);
        e.rate = s.optional_text(8);
        e.reason = s.text(9);
        e.recorded_by = s.text(10);
        e.recorded_at = s.text(11);
        raw.prev_hash = s.text(12);
        e.hash = s.text(13);
        out.push_back(std::move(raw));
    }
    if (rc != SQLITE_DONE) return db.fail("cannot read the register");
    return out;
}

Result<std::vector<StoredResult>> Register::results() const {
    auto raw = read_results(*impl_);
    if (!raw) return std::move(raw).error();
    std::vector<StoredResult> out;
    for (auto& r : *raw)
        if (r.result.id > 0) out.push_back(std::move(r.result));
    return out;
}

Result<std::vector<StoredEvent>> Register::events() const {
    auto raw = read_events(*impl_);
    if (!raw) return std::move(raw).error();
    std::vector<StoredEvent> out;
    for (auto& e : *raw) out.push_back(std::move(e.event));
    return out;
}

Result<std::optional<StoredResult>> Register::latest_result_before(std::string_view fiscal_year) const {
    auto all = results();
    if (!all) return std::move(all).error();
    std::optional<StoredResult> best;
    for (auto& r : *all) {
        if (r.superseded_by || !fiscal_year_before(r.fiscal_year, fiscal_year)) continue;
        if (!best || fiscal_year_before(best->fiscal_year, r.fiscal_year)) best = std::move(r);
    }
    return best;
}

Result<std::string> Register::head() const {
    return impl_->last_hash();
}

namespace {

/// What SQLite's own check of the file finds (PRAGMA integrity_check: a damaged page, a row
/// its index does not hold — a reader through the index and one through the table then see
/// different registers), and how the schema differs from the one hoshu's create statements
/// produce: each of its tables, indexes and triggers (the append-only ones) present with the
/// same statement, and no trigger or index of another's on its tables. Another
/// application's tables and views beside them are left alone.
std::vector<std::string> file_problems(sqlite3* db) {
    std::vector<std::string> problems;
    {
        Statement s(db, "PRAGMA integrity_check(100)");
        int rc = s.ok() ? s.step() : SQLITE_ERROR;
        for (; rc == SQLITE_ROW; rc = s.step())
            if (std::string line = s.text(0); line != "ok") problems.push_back("the file fails SQLite's integrity check: " + line);
        if (rc != SQLITE_DONE)
            problems.push_back(fmt::format("the file fails SQLite's integrity check: {}", sqlite3_errmsg(db)));
    }
    struct Object {
        std::string type, table;
        std::optional<std::string> sql;
    };
    auto schema = [](sqlite3* d, std::map<std::string, Object>& out) {
        Statement s(d, "SELECT type, name, tbl_name, sql FROM sqlite_master");
        if (!s.ok()) return false;
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) out[s.text(1)] = Object{s.text(0), s.text(2), s.optional_text(3)};
        return rc == SQLITE_DONE;
    };
    // What the create statements produce, in a database of their own.
    std::map<std::string, Object> expected, present;
    sqlite3* fresh = nullptr;
    bool made = sqlite3_open_v2(":memory:", &fresh, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK;
    for (int v = 0; made && v < migration_count; ++v) made = sqlite3_exec(fresh, migrations[v], nullptr, nullptr, nullptr) == SQLITE_OK;
    made = made && schema(fresh, expected);
    sqlite3_close(fresh);
    if (!made) {
        problems.push_back("the schema hoshu creates could not be made to compare the register's with");
        return problems;
    }
    if (!schema(db, present)) {
        problems.push_back(fmt::format("the schema cannot be read: {}", sqlite3_errmsg(db)));
        return problems;
    }
    std::set<std::string> tables;
    for (const auto& [name, o] : expected)
        if (o.type == "table") tables.insert(name);
    for (const auto& [name, o] : expected) {
        auto it = present.find(name);
        if (it == present.end())
            problems.push_back(fmt::format("the schema has no {} {}, which hoshu creates{}", o.type, name,
                                           o.type == "trigger" ? " (the register is append-only through it)" : ""));
        else if (it->second.type != o.type || it->second.table != o.table || it->second.sql != o.sql)
            problems.push_back(fmt::format("the schema's {} {} is not the one hoshu creates (its statement was changed)", o.type, name));
    }
    for (const auto& [name, o] : present)
        if (!expected.count(name) && (o.type == "trigger" || o.type == "index") && tables.count(o.table))
            problems.push_back(fmt::format("the schema has a {} {} on {}, which hoshu does not create", o.type, name, o.table));
    return problems;
}

}  // namespace

Result<std::vector<std::string>> Register::verify_chain() const {
    // The file itself first: its rows read below are read through its indexes.
    std::vector<std::string> problems = file_problems(impl_->db);
    auto results = read_results(*impl_);
    if (!results) return std::move(results).error();
    auto events = read_events(*impl_);
    if (!events) return std::move(events).error();
    struct Row {
        std::int64_t seq;
        std::string name, prev_hash, hash;
        CanonicalRow canonical;
    };
    std::vector<Row> rows;
    for (const auto& raw : *results) {
        const StoredResult& r = raw.result;
        if (r.id <= 0) {
            problems.push_back(fmt::format("{}: a row names result {}, which is not in the register",
                                           r.lines.front().kind == "file" ? "record_files" : "result_lines", -r.id));
            continue;
        }
        rows.push_back({r.seq, fmt::format("results row id {} ({}, seq {})", r.id, r.fiscal_year, r.seq), raw.prev_hash, r.hash, canonical(r)});
        // The normalized lines say what the JSON says.
        auto json = read_json_exact(r.result_json);
        if (!json) {
            problems.push_back(fmt::format("results row id {} ({}): its result_json is not JSON", r.id, r.fiscal_year));
            continue;
        }
        std::map<std::pair<std::string, std::string>, std::string> recorded;
        if (const JsonValue* records = main_collection(*json)) {
            for (const JsonValue& d : records->items) {
                if (d.kind != JsonValue::Kind::object || d.keys.empty()) continue;
                for (std::size_t k = 1; k < d.keys.size(); ++k) recorded[{d.items[0].text, d.keys[k]}] = d.items[k].text;
            }
        }
        std::size_t outputs = 0;
        for (const ResultLine& l : r.lines) {
            if (l.kind != "output" && l.kind != "grant") continue;
            ++outputs;
            auto it = recorded.find({l.director, l.name});
            if (it == recorded.end())
                problems.push_back(fmt::format("results row id {} ({}): result_lines has {} {}, which its result does not",
                                               r.id, r.fiscal_year, l.director, l.name));
            else if (it->second != l.value)
                problems.push_back(fmt::format("results row id {} ({}): result_lines says {} {} = {}, its result says {}", r.id,
                                               r.fiscal_year, l.director, l.name, l.value, it->second));
        }
        if (outputs != recorded.size())
            problems.push_back(fmt::format("results row id {} ({}): result_lines has {} outputs, its result {}", r.id,
                                           r.fiscal_year, outputs, recorded.size()));
    }
    for (const auto& raw : *events) {
        const StoredEvent& e = raw.event;
        std::string name = fmt::format("events row id {} ({} {} {}, seq {})", e.id, raw.kind_text, e.director, e.date, e.seq);
        if (!event_kind(raw.kind_text)) problems.push_back(fmt::format("{}: unknown kind", name));
        rows.push_back({e.seq, name, raw.prev_hash, e.hash, canonical(e)});
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.seq < b.seq; });
    std::string previous = chain_origin();
    std::int64_t expected_seq = 1;
    for (const Row& row : rows) {
        if (row.seq != expected_seq)
            problems.push_back(fmt::format("{}: expected seq {} (a row removed, added or renumbered)", row.name, expected_seq));
        if (row.prev_hash != previous)
            problems.push_back(fmt::format("{}: does not follow the row before it (its prev_hash is not that row's hash)", row.name));
        if (chain_hash(row.prev_hash, row.canonical) != row.hash)
            problems.push_back(fmt::format("{}: its content does not match its hash (edited after it was recorded)", row.name));
        previous = row.hash;
        expected_seq = row.seq + 1;
    }
    return problems;
}

}  // namespace hoshu::eval
