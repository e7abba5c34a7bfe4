// hoshu register init FILE.db
// hoshu register record FILE.db RESULT.json [--supersede --reason TEXT] [--by NAME] [--grants A,B…]
//                                           [--rules DIR] [--inputs FILE]
// hoshu register event FILE.db --director ID --kind lift|leave|clawback|additional|rate --date D
//                              --reason TEXT [--year FY] [--grant NAME] [--shares N] [--rate R] [--by NAME]
// hoshu register verify FILE.db
// hoshu register show FILE.db [--director ID] [--as-of DATE]
// hoshu register export FILE.db [--format csv|json|xlsx] [--out FILE] [--as-of DATE] [--no-csv-bom]
//
// The grant register (evaluator/register/): a result is recorded only when it verifies as
// `hoshu verify` verifies it; each write is one transaction.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/verified.hpp"
#include "dsl/base/interrupt.hpp"
#include "dsl/base/source.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/ir/reads.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/register/balances.hpp"
#include "evaluator/register/carry.hpp"
#include "evaluator/register/register.hpp"
#include "evaluator/register/report.hpp"
#include "evaluator/output/carried.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/session.hpp"

namespace hoshu::cli {

namespace {

int fail(const dsl::Diagnostics& d) {
    for (const auto& item : d.items()) std::fprintf(stderr, "hoshu: error: %s\n", dsl::printable(item.message, true).c_str());
    return Exit::usage;
}

int usage(const std::string& message) {
    std::fprintf(stderr, "hoshu: error: %s\n", dsl::printable(message, true).c_str());
    return Exit::usage;
}

/// Now, in UTC (SOURCE_DATE_EPOCH when set, for reproducible records).
std::string now_utc() {
    std::time_t t = std::time(nullptr);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) t = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// --by, else the login name; `from` says where the name came from when --by is not given.
std::string who(const std::string& by, std::string* from = nullptr) {
    if (!by.empty()) return by;
    if (const char* user = std::getenv("USER"); user && *user) {
        if (from) *from = "$USER";
        return user;
    }
    if (from) *from = "the login name of the user id";
    if (const passwd* pw = getpwuid(getuid())) return pw->pw_name;
    return "uid " + std::to_string(getuid());
}

/// The unit of a count of `n`: `shares` in the singular for one ("1 share", "2 shares").
std::string unit_for(const std::string& n, const std::string& unit) { return n == "1" && unit == "shares" ? "share" : unit; }
std::string count_of(const std::string& n, const std::string& unit) { return n + " " + unit_for(n, unit); }

bool valid_date(const std::string& text) { return eval::Date::parse(text).has_value() && text.size() == 10; }

int write(const std::string& path, const std::string& text, const std::vector<std::string>& read = {}) {
    std::string error;
    if (!write_output(path, text, error, read)) return output_failed(error);
    return Exit::success;
}

std::string describe_event(const eval::StoredEvent& e) {
    std::string what = fmt::format("event {} ({} {}", e.id, eval::to_string(e.kind), e.director);
    if (!e.fiscal_year.empty()) what += " " + e.fiscal_year;
    if (!e.grant.empty()) what += " " + e.grant;
    if (e.shares && e.kind != eval::EventKind::leave) what += " " + *e.shares;
    if (e.rate) what += " rate " + *e.rate;
    return what + " on " + e.date + ")";
}

/// Refuses (exit 2, nothing written) a result whose grants the register cannot hold, each
/// named (the director, the output, the value and why) with what a grant must be
/// (eval::grant_count_rule()). A grant of 0 is a grant of nothing, and held.
int refuse_uncountable_grants(const eval::ResultEntry& entry, const eval::Plan& plan, const RegisterArgs& args) {
    std::string listed;
    std::size_t n = 0;
    std::string fraction_of;   // the unit of the first grant in fractions ("DSU"), for the hint
    bool negative = false;
    for (const auto& l : entry.lines) {
        if (l.kind != "grant") continue;
        const std::string why = eval::grant_count_problem(l.value);
        if (why.empty()) continue;
        if (why == "not a whole number" && fraction_of.empty()) {
            auto slot = plan.find_slot(l.name);
            fraction_of = slot ? plan.amount_unit(plan.slots[*slot].type, 1) : "share";
        }
        negative = negative || why == "below 0";
        if (++n <= 10)
            listed += fmt::format("  {} `{}`, {}: {}, {}\n", plan.directors.noun, l.director, l.name,
                                  count_of(l.value, l.unit.empty() ? "shares" : l.unit), why);
    }
    if (n == 0) return Exit::success;
    if (n > 10) listed += fmt::format("  and {} more\n", n - 10);
    std::string hint;
    if (!fraction_of.empty())
        hint += fmt::format("round the grant to a whole {} in the rules (`round down(…, 1 {})`), or name with --grants only "
                            "outputs that count whole units",
                            fraction_of, fraction_of);
    if (negative)
        hint += std::string(hint.empty() ? "" : "; ") +
                "a grant gives: shares taken back are an event (hoshu register event … --kind clawback --shares N)";
    if (hint.empty()) hint = "a count of more than that is not a grant: check the output's unit and the inputs it is computed from";
    std::fputs(dsl::printable(fmt::format("hoshu: error: `{}` ({}) grants what the register cannot hold, so nothing is recorded: "
                                          "a grant is {}, which {} not:\n{}hint: {}\n",
                                          dsl::printable(args.result), dsl::printable(entry.fiscal_year),
                                          eval::grant_count_rule(), n == 1 ? "1 grant is" : fmt::format("{} grants are", n),
                                          listed, hint),
                              true)
                   .c_str(),
               stderr);
    return Exit::usage;
}

/// Refuses (exit 2, nothing written) a result that takes a record holder's grants in the
/// register past what it counts for one (999999999999999999, as `register event` refuses an
/// additional grant): the grants of the other years' current records (a superseded one, and
/// the year's own current one that `entry` replaces, left out), the additional grants, and
/// `entry`'s. Recorded, a leave would record a count no later evaluation can read.
int refuse_totals_past_limit(const eval::ResultEntry& entry, const std::vector<eval::StoredResult>& stored,
                             const std::vector<eval::StoredEvent>& events, const eval::Plan& plan, const RegisterArgs& args) {
    constexpr std::int64_t most = 999'999'999'999'999'999;
    struct Total {
        std::int64_t granted = 0;   // by `entry`
        std::int64_t held = 0;      // by the register's other years and additional grants
        bool over = false;          // (a sum past 64 bits)
        std::string unit;           // the entry's grants' unit ("shares" when they are in several)
    };
    std::map<std::string, Total> totals;   // the directors the entry grants to
    for (const auto& l : entry.lines) {
        if (l.kind != "grant") continue;
        auto n = eval::share_count(l.value);
        if (!n || *n == 0) continue;
        Total& t = totals[l.director];
        const std::string unit = l.unit.empty() ? "shares" : l.unit;
        t.unit = t.unit.empty() || t.unit == unit ? unit : "shares";
        t.over = t.over || __builtin_add_overflow(t.granted, *n, &t.granted);
    }
    if (totals.empty()) return Exit::success;
    auto hold = [&](const std::string& director, const std::string& value) {
        auto it = totals.find(director);
        if (it == totals.end()) return;
        Total& t = it->second;
        t.over = t.over || __builtin_add_overflow(t.held, eval::share_count(value).value_or(0), &t.held);
    };
    for (const auto& r : stored) {
        if (r.superseded_by || r.fiscal_year == entry.fiscal_year) continue;
        for (const auto& l : r.lines)
            if (l.kind == "grant") hold(l.director, l.value);
    }
    for (const auto& e : events)
        if (e.kind == eval::EventKind::additional && e.shares) hold(e.director, *e.shares);
    std::string listed;
    std::size_t n = 0;
    for (const auto& [director, t] : totals) {
        std::int64_t sum = 0;
        if (!t.over && !__builtin_add_overflow(t.held, t.granted, &sum) && sum <= most) continue;
        if (++n <= 10)
            listed += fmt::format("  `{}`'s grants with this year's would come to more than {} {} (at most {} digits), the most "
                                  "the register counts for one {}{}\n",
                                  director, most, t.unit, eval::max_share_digits, plan.directors.noun,
                                  t.over ? std::string()
                                         : fmt::format(": it holds {} of other years, {} grants {}", t.held, entry.fiscal_year,
                                                       t.granted));
    }
    if (n == 0) return Exit::success;
    if (n > 10) listed += fmt::format("  and {} more\n", n - 10);
    std::fputs(dsl::printable(fmt::format("hoshu: error: `{}` ({}) grants what the register cannot count, so nothing is recorded:\n"
                                          "{}hint: a leave or an export would count more than the register holds; check the "
                                          "grant outputs' unit and the inputs they are computed from\n",
                                          dsl::printable(args.result), dsl::printable(entry.fiscal_year), listed),
                              true)
                   .c_str(),
               stderr);
    return Exit::usage;
}

/// `entry` is to supersede its fiscal year's current record: the events recorded since the
/// year was first recorded (that concern its grants) apply to it as they did to the record it
/// replaces. Named in a note; refused (exit 2, naming them) when one no longer fits the new
/// record's balances (a clawback of more than it grants).
int check_superseding(const eval::ResultEntry& entry, const std::vector<eval::StoredResult>& stored,
                      const std::vector<eval::StoredEvent>& events, const std::string& noun) {
    const eval::StoredResult* current = nullptr;
    for (const auto& r : stored)
        if (r.fiscal_year == entry.fiscal_year && !r.superseded_by) current = &r;
    if (current == nullptr) return Exit::success;   // (the register refuses it)
    std::int64_t first_seq = current->seq;
    for (const eval::StoredResult* at = current; at->supersedes;) {
        auto it = std::find_if(stored.begin(), stored.end(), [&](const eval::StoredResult& x) { return x.id == *at->supersedes; });
        if (it == stored.end()) break;
        at = &*it;
        first_seq = at->seq;
    }
    // The register as it will be: the new record in place of the current one.
    std::vector<eval::StoredResult> after = stored;
    std::int64_t next_id = 1, next_seq = 1;
    for (const auto& r : stored) next_id = std::max(next_id, r.id + 1), next_seq = std::max(next_seq, r.seq + 1);
    for (const auto& e : events) next_seq = std::max(next_seq, e.seq + 1);
    eval::StoredResult replacing;
    static_cast<eval::ResultEntry&>(replacing) = entry;
    replacing.id = next_id;
    replacing.seq = next_seq;
    replacing.supersedes = current->id;
    for (auto& r : after)
        if (r.id == current->id) r.superseded_by = replacing.id;
    after.push_back(replacing);
    // Another plan's result (another title) would put that plan's grants in place of this
    // one's, its events left against grants no record holds.
    {
        auto was = eval::read_result(current->result_json);
        auto now = eval::read_result(entry.result_json);
        const eval::JsonValue* a = was ? was->json.find("plan") : nullptr;
        const eval::JsonValue* b = now ? now->json.find("plan") : nullptr;
        if (a && b && a->kind == eval::JsonValue::Kind::string && b->kind == eval::JsonValue::Kind::string && a->text != b->text) {
            std::fputs(dsl::printable(fmt::format("hoshu: error: --supersede: the {} record {} is a result of the plan \"{}\", and "
                                                  "the new result is of the plan \"{}\": a restatement of a year is a result of "
                                                  "the same plan (its grants and the events recorded against them stay the "
                                                  "year's); record another plan's results in a register of their own\n",
                                                  entry.fiscal_year, current->id, a->text, b->text),
                                      true)
                           .c_str(),
                       stderr);
            return Exit::usage;
        }
    }
    // Whether a record's lines grant `e`'s director (the grant `e` names, when it names one)
    // a whole number of shares above 0.
    auto grants_to = [](const std::vector<eval::ResultLine>& lines, const eval::StoredEvent& e) {
        for (const auto& l : lines) {
            if (l.kind != "grant" || l.director != e.director || (!e.grant.empty() && l.name != e.grant)) continue;
            if (auto n = eval::share_count(l.value); n && *n > 0) return true;
        }
        return false;
    };
    std::vector<std::string> carried, misfits;
    std::vector<eval::StoredEvent> before, leaves;
    std::set<std::string> granted;   // the directors the new record grants to
    for (const auto& l : entry.lines)
        if (l.kind == "grant") granted.insert(l.director);
    for (const auto& e : events) {
        const bool of_year = e.seq > first_seq && (e.fiscal_year.empty() || e.fiscal_year == entry.fiscal_year) &&
                             e.kind != eval::EventKind::additional;
        const bool has_grant = granted.count(e.director) > 0;
        // An event the register applied to a grant of the year (granted by the record
        // replaced, made by the event's date) that the new record does not grant at all: it
        // would stand against shares no record holds.
        const bool reached = of_year && grants_to(current->lines, e) && (current->grant_date.empty() || current->grant_date <= e.date);
        if (reached && !grants_to(entry.lines, e)) {
            misfits.push_back(describe_event(e) + fmt::format(": the new record grants {} no {} {}", e.director, entry.fiscal_year,
                                                              e.grant.empty() ? "shares" : e.grant));
        } else if (of_year && has_grant) {
            carried.push_back(describe_event(e));
            if (e.kind == eval::EventKind::leave) leaves.push_back(e);
            eval::EventEntry again = e;
            if (again.kind == eval::EventKind::leave) again.shares.reset();   // (what it forfeits: computed again)
            auto fits = eval::check_event(after, before, again, noun);
            if (!fits) {
                std::string why;
                for (const auto& d : fits.error().items()) why += (why.empty() ? "" : "; ") + d.message;
                misfits.push_back(describe_event(e) + ": " + why);
            }
        }
        before.push_back(e);
    }
    if (!misfits.empty()) {
        std::string text = fmt::format("hoshu: error: --supersede: the events recorded against {}'s grants since it was first "
                                       "recorded apply to the new record too, and {} no longer fit{} it:\n",
                                       entry.fiscal_year, misfits.size() == 1 ? "one" : std::to_string(misfits.size()),
                                       misfits.size() == 1 ? "s" : "");
        for (const auto& m : misfits) text += "  " + m + "\n";
        text += "hint: a restatement of the year's inputs does not undo what happened to its grants; record the year's "
                "result with grants these events fit, or correct the events first\n";
        std::fputs(dsl::printable(text, true).c_str(), stderr);
        return Exit::usage;
    }
    for (const auto& r : after) {
        if (r.superseded_by || r.id == replacing.id) continue;
        if (const eval::Staleness stale = eval::superseded_ancestor(r, after); stale && stale.superseded->id == current->id)
            std::fprintf(stderr, "hoshu: warning: record %lld (%s) was %s: evaluate %s again (--register) and record it with "
                                 "--supersede\n",
                         static_cast<long long>(r.id), dsl::printable(r.fiscal_year).c_str(),
                         dsl::printable(eval::stale_reason(stale, "the new record")).c_str(), dsl::printable(r.fiscal_year).c_str());
    }
    if (!carried.empty()) {
        std::string ids;
        for (const auto& c : carried) ids += (ids.empty() ? "" : ", ") + c;
        std::fprintf(stderr, "hoshu: note: the event%s recorded against %s's grants since it was first recorded appl%s to the new "
                             "record as to record %lld: %s\n",
                     carried.size() == 1 ? "" : "s", dsl::printable(entry.fiscal_year).c_str(), carried.size() == 1 ? "ies" : "y",
                     static_cast<long long>(current->id), dsl::printable(ids).c_str());
    }
    // A leave forfeits what the new record grants by its date: when that is more (or less)
    // than it recorded, `show` and `export` count the new figure under it.
    if (!leaves.empty())
        if (auto balances = eval::grant_balances(after, events, ""))
            for (const auto& e : leaves) {
                std::int64_t now = 0;
                for (const auto& g : *balances)
                    if (g.director == e.director) now += g.forfeited;
                const auto recorded = e.shares ? eval::share_count(*e.shares) : std::nullopt;
                if (recorded && now != *recorded)
                    std::fputs(dsl::printable(fmt::format("hoshu: note: {} recorded {} {} forfeited; with the new record it forfeits "
                                                          "{}, as `show` and `export` count it\n",
                                                          describe_event(e), *recorded,
                                                          eval::grant_unit(after, e.director, e.grant), now),
                                              true)
                                   .c_str(),
                               stderr);
            }
    return Exit::success;
}

/// A register whose hash chain does not verify is neither shown, exported nor appended to:
/// `doing` says what is refused. Prints the places `register verify` names and returns
/// Exit::failure; Exit::success when the chain holds (an unreadable register: Exit::usage).
int refuse_broken_chain(const eval::Register& reg, const std::string& db, const char* doing) {
    auto problems = reg.verify_chain();
    if (!problems) return fail(problems.error());
    if (problems->empty()) return Exit::success;
    const std::string shown = dsl::printable(db);
    std::fprintf(stderr, "hoshu: error: the register %s was changed behind hoshu's back in %zu place%s, so %s:\n", shown.c_str(),
                 problems->size(), problems->size() == 1 ? "" : "s", doing);
    for (const auto& p : *problems) std::fprintf(stderr, "  %s\n", dsl::printable(p).c_str());
    std::fprintf(stderr, "hoshu: note: restore the register from a backup that `hoshu register verify` finds intact\n");
    return Exit::failure;
}

/// Where a record's stored plan folder goes in a temporary folder, so that its rule files
/// imported from outside it (`../common/x.hoshu`) have as many folders above it: F/…/F/F, one
/// F per `..` and one for the plan. F is a name that no stored path names right after its
/// `..`s, so that each file lands where no other does (a plan importing `../plan/x.hoshu`
/// beside its own x.hoshu, or `../x.hoshu` beside `../../up/x.hoshu`, keeps both).
std::filesystem::path stored_plan_folder(const std::vector<eval::RecordedFile>& files) {
    std::size_t depth = 0;
    std::set<std::string> named;   // the first name after each path's `..`s
    for (const auto& f : files) {
        std::size_t d = 0;
        std::string_view p = f.path;
        for (; p.substr(0, 3) == "../"; p.remove_prefix(3)) ++d;
        depth = std::max(depth, d);
        if (d > 0) named.insert(std::string(p.substr(0, p.find('/'))));
    }
    std::string name = "plan";
    for (int i = 1; named.count(name); ++i) name = fmt::format("plan-{}", i);
    std::filesystem::path plan;
    for (std::size_t i = 0; i < depth; ++i) plan /= name;
    return plan / name;
}

/// The plan of the latest current record, loaded from the rule files stored with it (so
/// that what an event writes is checked against what the plan reads); none when the register
/// has no record with its files, or they do not load.
std::optional<eval::Plan> recorded_plan(const std::vector<eval::StoredResult>& results, dsl::SourceManager& sm) {
    namespace fs = std::filesystem;
    const eval::StoredResult* latest = nullptr;
    for (const auto& r : results)
        if (!r.superseded_by && !r.files.empty() && (latest == nullptr || !eval::fiscal_year_before(r.fiscal_year, latest->fiscal_year)))
            latest = &r;
    if (latest == nullptr) return std::nullopt;
    // A private folder (0700, its files 0600), removed on return and by a signal that ends
    // the command: the rules hold the plan's figures.
    TempFolder root;
    std::string error;
    if (!root.make("hoshu-plan", error)) return std::nullopt;
    const fs::path plan = stored_plan_folder(latest->files);
    bool written = true;
    for (const auto& f : latest->files)
        if (f.role != "inputs") written = written && root.write((plan / f.path).string(), f.bytes, error);
    pause_for_test("HOSHU_TEST_PAUSE_WITH_TEMP_FILES");
    std::optional<eval::Plan> loaded;
    if (written) {
        dsl::Diagnostics diags;
        loaded = eval::load_plan(sm, (fs::path(root.path()) / plan).string(), diags, eval::CheckOptions{false});
        if (diags.has_errors()) loaded.reset();
    }
    return loaded;
}

/// The result's fiscal year (its `fiscal_year`), or empty.
std::string result_year(const Verified& v) {
    const eval::JsonValue* year = v.recorded.json.find("fiscal_year");
    return year && year->kind == eval::JsonValue::Kind::string ? year->text : std::string();
}

/// A fiscal year not yet recorded, before one that is: refused (exit 2). The later year was
/// not carried from it, so the two could say different things of the same grants — `show`
/// giving one balance, the next year's evaluation reading another.
int check_year_order(const RegisterArgs& args, const Verified& v, const std::vector<eval::StoredResult>& stored) {
    const std::string fy = result_year(v);
    if (fy.empty() || args.supersede) return Exit::success;
    const eval::StoredResult* later = nullptr;
    for (const auto& r : stored) {
        if (r.superseded_by) continue;
        if (r.fiscal_year == fy) return Exit::success;   // (recorded already: the register says so)
        if (eval::fiscal_year_before(fy, r.fiscal_year) && (later == nullptr || eval::fiscal_year_before(r.fiscal_year, later->fiscal_year)))
            later = &r;
    }
    if (later == nullptr) return Exit::success;
    const std::string year = dsl::printable(fy), then = dsl::printable(later->fiscal_year);
    std::fputs(dsl::printable(fmt::format("hoshu: error: `{}` is of {}, before {}, which the register records already (record {}): "
                                          "a register records its years in order, each carried into the next, and {}'s records "
                                          "were not carried from {}'s, so the two could differ on the same grants (the "
                                          "balances `show` gives against those the next year carries)\n"
                                          "hint: record {} first in a new register, then {} evaluated from it (--register)\n",
                                          dsl::printable(args.result), year, then, later->id, then, year, year, then),
                              true)
                   .c_str(),
               stderr);
    return Exit::usage;
}

/// The fields the plan's `carry` sets from a director's output itself (`shares =
/// annual_rs_shares`), by output: a grant's count as its carried records give it. Not
/// `restricted`, which is the shares still restricted.
std::map<std::string, std::vector<std::string>> count_fields(const eval::Plan& plan) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& c : plan.carries)
        for (const auto& clause : c.clauses) {
            if (clause.scope != eval::Scope::director) continue;
            for (const auto& f : clause.fields) {
                if (f.name == "restricted" || f.node == eval::none || f.node >= plan.nodes.size()) continue;
                const eval::Node& n = plan.nodes[f.node];
                if (n.kind != eval::NodeKind::slot || n.aux >= plan.slots.size()) continue;
                // (A director's output counting a unit: a grant; not `year = year`.)
                if (std::find(plan.director_outputs.begin(), plan.director_outputs.end(), n.aux) == plan.director_outputs.end() ||
                    !eval::counted(plan.slots[n.aux].type, plan.units))
                    continue;
                auto& fields = out[plan.slots[n.aux].name];
                if (std::find(fields.begin(), fields.end(), f.name) == fields.end()) fields.push_back(f.name);
            }
        }
    return out;
}

/// What a contradiction of ledger_contradictions() says: `fy` the year evaluated, `from` the
/// record it carries from ("record 2, FY2025").
std::string ledger_message(const eval::LedgerContradiction& c, const std::string& fy, const std::string& from,
                           bool released = true) {
    // (Where a difference counts as released: said after each, unless the year computes
    // otherwise with the register's records, and it is refused.)
    auto as_released = [&](std::string_view what) { return released ? fmt::format(": recorded, {}", what) : std::string(); };
    const bool count = c.field != "restricted" && c.counted;
    // (A year as the ledger spells it, quoted: `FY2024 ` shows its space.)
    const std::string year_of = fmt::format("`{}`", dsl::printable(c.fiscal_year));
    const std::string early =
        fmt::format("`{}`'s {} grants, made before the register began", dsl::printable(c.director), year_of);
    const std::string other_rec = fmt::format(
        "a carried record{}{}", c.director.empty() ? "" : fmt::format(" of `{}`", dsl::printable(c.director)),
        c.fiscal_year.empty() ? "" : fmt::format(" of {}", year_of));
    if (c.field == "restricted" && c.typed == "nothing" && !c.other && !c.less)
        return fmt::format("{}: the inputs' carried records give {} no `restricted`, so the plan reads its default, where "
                           "the records handed {} carry {} restricted ({}, with the events since)",
                           c.unheld ? early : fmt::format("`{}`'s {} {}", dsl::printable(c.director), c.fiscal_year, c.grant),
                           c.unheld ? "one" : "it", fy, c.registered, from);
    if (c.other && c.less)
        return fmt::format(
            "the inputs' carried records leave out one the records handed {} carry, {} ({}, with the events "
            "since){}",
            fy, dsl::printable(c.registered), from, as_released("the year reads none of it"));
    if (c.other && c.field.empty())
        return fmt::format("{}: the records handed {} carry none like it ({}, with the events since)", other_rec, fy,
                           from);
    if (c.other)
        return fmt::format(
            "{}: the inputs' carried records give it `{}` {}, where the records handed {} carry `{}` {} "
            "({}, with the events since)",
            other_rec, c.field, dsl::printable(c.typed), fy, c.field, dsl::printable(c.registered), from);
    if (c.unheld && !c.carried && c.field == "year")
        return fmt::format(
            "`{}`'s record of {}: the inputs' carried records give a grant the register does not hold: {}",
            dsl::printable(c.director), year_of, dsl::printable(c.registered));
    if (c.unheld && c.field == "records")
        return fmt::format(
            "{}: the inputs' carried records give {} records of them, where the records handed {} carry {} "
            "({}, with the events since)",
            early, c.typed, fy, c.registered, from);
    if (c.unheld && c.typed.empty())
        return fmt::format(
            "{}: the inputs' carried records leave out one that the records handed {} carry {} restricted of "
            "({}, with the events since){}",
            early, fy, c.registered, from, as_released("they count as released by the plan"));
    if (c.unheld && c.field == "restricted")
        return fmt::format(
            "{}: the inputs' carried records give one `restricted` {}, {} the records handed {} carry of it, {} "
            "({}, with the events since){}",
            early, c.typed, c.less ? "fewer than" : "more than", fy, c.registered, from,
            c.less ? as_released("the difference counts as released by the plan") : "");
    if (c.unheld)
        return fmt::format(
            "{}: the inputs' carried records give one `{}` {}, where the records handed {} carry `{}` {} "
            "({}, with the events since)",
            early, c.field, dsl::printable(c.typed), fy, c.field, dsl::printable(c.registered), from);
    if (c.field == "records")
        return fmt::format(
            "`{}`'s {} {}: the inputs' carried records give {} records of it, where the register carries {} "
            "({}, with the events since)",
            dsl::printable(c.director), c.fiscal_year, c.grant, c.typed, c.registered, from);
    if (count)
        return fmt::format("`{}`'s {} {}: the inputs' carried records give it `{}` {}, the register records {} granted",
                           dsl::printable(c.director), c.fiscal_year, c.grant, c.field, c.typed, c.registered);
    if (c.field != "restricted")
        return fmt::format(
            "`{}`'s {} {}: the inputs' carried records give it `{}` {}, where the register hands {} `{}` {} "
            "({}, with the events since)",
            dsl::printable(c.director), c.fiscal_year, c.grant, c.field, dsl::printable(c.typed), fy, c.field,
            dsl::printable(c.registered), from);
    if (c.less && !c.record)
        return fmt::format(
            "`{}`'s {} {}: the inputs' carried records leave it out, while the register holds {} of it "
            "restricted as {} opens ({}, with the events since){}",
            dsl::printable(c.director), c.fiscal_year, c.grant, c.registered, fy, from,
            as_released("they count as released by the plan"));
    if (c.less)
        return fmt::format(
            "`{}`'s {} {}: the inputs' carried records give it `restricted` {}, fewer than the register "
            "holds restricted of it as {} opens, {} ({}, with the events since){}",
            dsl::printable(c.director), c.fiscal_year, c.grant, c.typed, fy, c.registered, from,
            as_released("the difference counts as released by the plan"));
    return fmt::format(
        "`{}`'s {} {}: the inputs' carried records give it `restricted` {}, more than the register "
        "holds restricted of it as {} opens, {} ({}, with the events since)",
        dsl::printable(c.director), c.fiscal_year, c.grant, c.typed, fy, c.registered, from);
}

/// What the year computes otherwise where the typed records give fewer shares restricted
/// than the register holds: the inputs again, each such `restricted` written as the
/// register's record holds it and each record they leave out given back (`restore`),
/// evaluated; every figure of the result (a director's output, a total, a limit, a
/// violation — not the records it carries on) that then differs. A difference that turns
/// nothing the year computes is the release the plan counts; one that changes a clawback
/// or a forfeiture is a figure the register never held; so is a year that does not evaluate
/// with the register's records (a director left out with them). None when it cannot be
/// told: inputs that do not read back so.
std::optional<std::vector<std::string>> figures_otherwise(const Verified& v, const std::string& fy,
                                                          const std::vector<std::map<std::string, dsl::SourceRange>>& where,
                                                          const eval::JsonValue& carry,
                                                          const std::vector<const eval::LedgerContradiction*>& restore) {
    struct Edit {
        std::uint32_t begin = 0, end = 0;
        std::string text;
    };
    std::vector<Edit> edits;
    std::vector<const eval::JsonValue*> left_out;
    for (const eval::LedgerContradiction* c : restore) {
        for (const auto& [record, held] : c->restore_restricted) {
            if (record >= where.size()) return std::nullopt;
            const auto at = where[record].find("restricted");
            if (at == where[record].end() || !at->second.valid || at->second.file != v.inputs.file()) return std::nullopt;
            edits.push_back({at->second.begin, at->second.end, held});
        }
        left_out.insert(left_out.end(), c->restore_records.begin(), c->restore_records.end());
    }
    std::string text = v.inputs.bytes();
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    for (const auto& e : edits) {
        if (e.end < e.begin || e.end > text.size()) return std::nullopt;
        text.replace(e.begin, e.end - e.begin, e.text);
    }
    // (Each record left out given back after the inputs' own, as the register carries it.)
    std::vector<eval::InputFile::Carried> given_back;
    for (const eval::JsonValue* record : left_out) {
        // (Its list: the `carry` section's array holding it.)
        std::string path;
        for (std::size_t k = 0; k < carry.keys.size(); ++k) {
            const auto& items = carry.items[k].items;
            if (carry.items[k].kind == eval::JsonValue::Kind::array && !items.empty() && record >= &items.front() &&
                record <= &items.back())
                path = carry.keys[k];
        }
        auto toml = eval::record_toml(path, *record);
        if (path.empty() || !toml) return std::nullopt;
        auto list = std::find_if(given_back.begin(), given_back.end(), [&](const auto& c) { return c.key == path; });
        if (list == given_back.end())
            list = given_back.insert(given_back.end(), {path, "the register's records", std::string()});
        list->toml += *toml;
    }
    dsl::SourceManager sm;
    auto inputs = eval::InputFile::parse_with_carried(sm, v.inputs_path, std::move(text), given_back, true);
    if (!inputs) return std::nullopt;
    auto outcome = eval::evaluate(v.plan, *inputs, v.options);
    if (!outcome) {
        // (The register's records give no result at all: a figure of every kind differs.)
        std::string why = "it gives no result";
        for (const auto& d : outcome.error().items())
            if (d.severity == dsl::Severity::error) {
                why = d.message;
                break;
            }
        return std::vector<std::string>{fmt::format("with the register's records the year does not evaluate: {}", why)};
    }
    auto theirs = eval::read_json_exact(eval::format_json(v.plan, *outcome, v.seal_now, fy));
    if (!theirs) return std::nullopt;
    return eval::value_differences(v.recorded.json, *theirs, {"seal", "carry"},
                                   eval::Sides{"{} in this result", "{} with the register's records", "this result",
                                               "the result with the register's records"});
}

/// A result computed from carried records its inputs type (`[[ledger]]`), of a year after a
/// recorded one: each grant the register holds must be what the register says of it — the
/// count granted, and the shares the register would hand the year as restricted (the
/// record before, with the events an evaluation from the register applies). Else the result
/// is refused, exit 2, each contradiction located at the ledger's value: recorded, the next
/// year would carry the ledger's figures while `show` gives the register's.
int check_typed_ledger(const RegisterArgs& args, const Verified& v, const eval::Register& reg,
                       const std::vector<eval::StoredResult>& stored, const std::vector<eval::StoredEvent>& events) {
    const std::string fy = result_year(v);
    if (fy.empty()) return Exit::success;
    auto prior = reg.latest_result_before(fy);
    if (!prior) return fail(prior.error());
    const auto counts = count_fields(v.plan);
    // The typed records, each with where each of its fields is written.
    std::vector<eval::JsonValue> typed;
    std::vector<std::map<std::string, dsl::SourceRange>> where;
    dsl::SourceRange ledger_at;   // the carried records' list (a grant they leave out is named there)
    for (const auto& c : v.plan.carries) {
        std::string why;
        auto list = v.inputs.find(c.path, &why);
        if (!list || v.inputs.kind(list) != eval::InputKind::array) continue;
        if (!ledger_at.valid) ledger_at = v.inputs.range(list);
        for (std::size_t i = 0; i < v.inputs.size(list); ++i) {
            auto rec = v.inputs.element(list, i);
            if (v.inputs.kind(rec) != eval::InputKind::table) continue;
            eval::JsonValue obj;
            obj.kind = eval::JsonValue::Kind::object;
            std::map<std::string, dsl::SourceRange> ranges;
            for (const auto& key : v.inputs.keys(rec)) {
                auto node = v.inputs.child(rec, key);
                eval::JsonValue value;
                bool counted = key == "restricted";
                for (const auto& [output, fields] : counts)
                    counted = counted || std::find(fields.begin(), fields.end(), key) != fields.end();
                if (counted) {
                    auto n = v.inputs.number(node);
                    if (!n) continue;
                    value.kind = eval::JsonValue::Kind::number;
                    value.text = n->to_string();
                } else if (auto text = v.inputs.scalar_text(node)) {
                    value.kind = eval::JsonValue::Kind::string;
                    value.text = *text;
                } else if (auto number = v.inputs.number(node)) {
                    // (A number of the record's: its base price, its score — compared as a number.)
                    value.kind = eval::JsonValue::Kind::number;
                    value.text = number->to_string();
                } else {
                    continue;
                }
                obj.keys.push_back(key);
                obj.items.push_back(std::move(value));
                ranges.emplace(key, v.inputs.range(node));
            }
            typed.push_back(std::move(obj));
            where.push_back(std::move(ranges));
        }
    }
    dsl::SourceManager sm;
    const dsl::FileId file = sm.add(v.inputs_path, v.inputs.bytes());
    if (!*prior) {
        // The register's first year: what it carries is of the years before (grants made
        // before the register began); a record of this year or a later one is none of them.
        dsl::Diagnostics diags;
        for (std::size_t i = 0; i < typed.size(); ++i) {
            const eval::JsonValue* year = typed[i].find("year");
            if (year == nullptr || year->kind != eval::JsonValue::Kind::string || eval::fiscal_year_before(year->text, fy))
                continue;
            const eval::JsonValue* director = typed[i].find("director");
            const auto at = where[i].find("year");
            diags.error(at->second.valid ? dsl::SourceRange::in(file, at->second.begin, at->second.end) : ledger_at,
                        "{}record of `{}`: the inputs' carried records give a grant of {} or after, where what a year "
                        "carries is of the years before it",
                        director && director->kind == eval::JsonValue::Kind::string
                            ? fmt::format("`{}`'s ", dsl::printable(director->text))
                            : std::string(),
                        dsl::printable(year->text), fy);
        }
        if (diags.empty()) return Exit::success;
        print_diagnostics(sm, diags);
        std::fputs(dsl::printable(fmt::format("hoshu: error: `{}` ({}) is computed from carried records its inputs give, and "
                                              "some are not of a year before it: recorded, the next year would carry them\n",
                                              dsl::printable(args.result), dsl::printable(fy)),
                                  true)
                       .c_str(),
                   stderr);
        return Exit::usage;
    }
    // What an evaluation of the year from the register would be handed.
    auto expected = eval::read_result((*prior)->result_json);
    if (!expected) return fail(expected.error());
    {
        eval::Session session(v.plan, v.inputs, v.options);
        const auto for_year = eval::events_for_year(**prior, stored, events, fy, eval::year_last_day(v.plan, session));
        // (First the leaves the year before's own evaluation took on its own grants, as an
        // evaluation from the register applies them: a grant a leave forfeited is no longer
        // restricted, typed back or not.)
        if (auto own = eval::apply_events(*expected, eval::own_year_leaves(**prior, events)); !own) return fail(own.error());
        if (auto applied = eval::apply_events(*expected, for_year.apply); !applied) return fail(applied.error());
    }
    std::set<std::string> carry_fields;   // every field a `carry` of the plan writes
    for (const auto& c : v.plan.carries)
        for (const auto& clause : c.clauses)
            for (const auto& f : clause.fields) carry_fields.insert(f.name);
    // What the plan reads for a field a carried record leaves out: a constant default.
    std::map<std::string, std::string> defaults;
    for (const auto& slot : v.plan.slots) {
        const auto n = slot.input.default_node;
        if (slot.kind != eval::SlotKind::input || n == eval::none || n >= v.plan.nodes.size() ||
            v.plan.nodes[n].kind != eval::NodeKind::constant || v.plan.nodes[n].aux >= v.plan.constants.size())
            continue;
        defaults.emplace(slot.input.path_text, v.plan.constants[v.plan.nodes[n].aux].number.to_string());
    }
    const eval::JsonValue* carry = expected->json.find("carry");
    const auto found = eval::ledger_contradictions(stored, **prior, carry, typed, counts, carry_fields, defaults, fy);
    if (found.empty()) return Exit::success;
    const std::size_t refused =
        static_cast<std::size_t>(std::count_if(found.begin(), found.end(), [](const auto& c) { return !c.less; }));
    // Fewer restricted (all that is found): a release, unless the year computes otherwise
    // with the register's records. Then the differences it turns on are refused: each that
    // changes a figure alone, or all when none does alone.
    std::vector<std::string> otherwise;
    std::set<const eval::LedgerContradiction*> turning;
    if (refused == 0 && carry != nullptr) {
        std::vector<const eval::LedgerContradiction*> all;
        for (const auto& c : found) all.push_back(&c);
        if (auto figures = figures_otherwise(v, fy, where, *carry, all)) otherwise = std::move(*figures);
        // (One evaluation each: for a few dozen; past that, all are named.)
        if (!otherwise.empty() && all.size() <= 40)
            for (const auto* c : all)
                if (auto alone = figures_otherwise(v, fy, where, *carry, {c}); !alone || !alone->empty()) turning.insert(c);
        if (!otherwise.empty() && turning.empty()) turning.insert(all.begin(), all.end());
    }
    // Located at the ledger's values, in the inputs as they are written.
    dsl::Diagnostics diags;
    const std::string from = fmt::format("record {}, {}", (*prior)->id, (*prior)->fiscal_year);
    for (const auto& c : found) {
        const std::string message = ledger_message(c, fy, from, otherwise.empty());
        // (Refused for the others: these would only add to it.)
        if (c.less && (refused > 0 || (!otherwise.empty() && turning.count(&c) == 0))) continue;
        const auto severity = c.less && otherwise.empty() ? dsl::Severity::warning : dsl::Severity::error;
        dsl::SourceRange at;
        if (c.record && *c.record < where.size()) {
            const auto& ranges = where[*c.record];
            auto it = ranges.find(c.field);
            if (it == ranges.end()) it = ranges.find("director");
            if (it != ranges.end() && it->second.valid) at = dsl::SourceRange::in(file, it->second.begin, it->second.end);
        } else if (ledger_at.valid) {
            at = dsl::SourceRange::in(file, ledger_at.begin, ledger_at.end);
        }
        if (at.valid)
            diags.add(severity, at, message);
        else
            std::fprintf(stderr, "hoshu: %s: %s: %s\n", severity == dsl::Severity::warning ? "warning" : "error",
                         dsl::printable(v.inputs_path).c_str(), dsl::printable(message, true).c_str());
    }
    if (!diags.empty()) print_diagnostics(sm, diags);
    if (!otherwise.empty()) {
        // (The figures in order, the first ten: each a value of the result.)
        std::string figures;
        for (std::size_t i = 0; i < otherwise.size() && i < 10; ++i) figures += "  " + otherwise[i] + "\n";
        if (otherwise.size() > 10) figures += fmt::format("  and {} more\n", otherwise.size() - 10);
        std::fputs(
            dsl::printable(
                fmt::format("hoshu: error: `{}` ({}) is computed from carried records that give less than the register "
                            "holds ({} place{} above), and with the register's records the year computes otherwise:\n{}"
                            "hint: write back what the register holds; or, where shares were released, record it as "
                            "the register knows it — a `lift`, a `leave`, a `clawback`, and a committee's reassessed "
                            "rate as a `rate` event (hoshu register event {} …) — then evaluate {} from the register, "
                            "with inputs that give no carried records (hoshu eval {} --inputs FY.toml --register {} "
                            "--format json --out RESULT.json), and record that result; or, where it is the register's "
                            "record of {} that is wrong, evaluate {} again and record it in that one's place "
                            "(--supersede)\n",
                            dsl::printable(args.result), dsl::printable(fy), turning.size(), turning.size() == 1 ? "" : "s",
                            figures, dsl::printable(args.db), dsl::printable(fy), dsl::printable(v.plan_dir),
                            dsl::printable(args.db), dsl::printable((*prior)->fiscal_year),
                            dsl::printable((*prior)->fiscal_year)),
                true)
                .c_str(),
            stderr);
        return Exit::usage;
    }
    if (refused == 0) {
        // (The hint is of grants given fewer restricted shares: not of a record of another form.)
        if (std::none_of(found.begin(), found.end(), [](const auto& c) { return c.less && !c.other; })) return Exit::success;
        std::fputs(dsl::printable(fmt::format("hint: a restriction that lifted is a `lift` event, which `show` counts as lifted: "
                                              "record it before the year it opens (hoshu register event {} --kind lift …), and "
                                              "the evaluation of that year from the register applies it (hoshu eval PLAN "
                                              "--inputs FY.toml --register {} --format json --out RESULT.json, with inputs that "
                                              "give no carried records; typed ones are refused while an event awaits them); if "
                                              "nothing was released, evaluate {} so and record that result in this one's place "
                                              "(register record --supersede)\n",
                                              dsl::printable(args.db), dsl::printable(args.db), dsl::printable(fy)),
                                  true)
                       .c_str(),
                   stderr);
        return Exit::success;
    }
    std::fputs(dsl::printable(fmt::format("hoshu: error: `{}` ({}) is computed from carried records its inputs give, and they "
                                          "contradict the records the register holds ({} place{} above): recorded, the next "
                                          "year would carry them while `show` gives the register's\n"
                                          "hint: the register is the system of record: evaluate {} from it, with inputs that "
                                          "give no carried records (hoshu eval PLAN --inputs FY.toml --register {} --format "
                                          "json --out RESULT.json), then record that result; or correct the inputs' records; "
                                          "or, where it is the register's record of {} that is wrong, evaluate {} again and "
                                          "record it in that one's place (register record {} RESULT.json --supersede --reason …)\n",
                                          dsl::printable(args.result), dsl::printable(fy), refused,
                                          refused == 1 ? "" : "s", dsl::printable(fy), dsl::printable(args.db),
                                          dsl::printable((*prior)->fiscal_year), dsl::printable((*prior)->fiscal_year),
                                          dsl::printable(args.db)),
                              true)
                   .c_str(),
               stderr);
    return Exit::usage;
}

int record(const RegisterArgs& args) {
    if (args.supersede && args.reason.empty()) return usage("--supersede needs --reason TEXT: why the year is recorded again");
    if (!args.supersede && !args.reason.empty()) return usage("--reason goes with --supersede");
    for (const auto& [option, text] : {std::pair{"--reason", &args.reason}, std::pair{"--by", &args.by}})
        if (std::string why = eval::recorded_text_problem(option, *text); !why.empty()) return usage(why);
    auto reg = eval::Register::open(args.db);
    if (!reg) return fail(reg.error());
    // The write lock before anything is read: the records this result is checked against
    // (the year's current one, the one it carries from, the events since) are still the
    // register's when it is written. Another writer waits; its checks then see this record.
    if (auto locked = reg->lock_for_write(); !locked) return fail(locked.error());
    if (int broken = refuse_broken_chain(*reg, args.db, "nothing is recorded in it")) return broken;
    VerifyArgs verify;
    verify.result = args.result;
    verify.rules = args.rules;
    verify.inputs = args.inputs;
    verify.register_db = args.db;   // a result carried from a register: this one
    auto stored = reg->results();
    if (!stored) return fail(stored.error());
    auto stored_events = reg->events();
    if (!stored_events) return fail(stored_events.error());
    // A result carried from an earlier one: that one must be recorded here first (so that
    // the register alone can verify this one again).
    {
        std::string text, why;
        auto pre = dsl::read_regular_file_at_most(args.result, std::size_t{64} << 20, text, why) ? eval::read_result(text)
                                                                                                 : eval::read_result("");
        if (pre && !pre->seal.carried_sha256.empty() && !eval::result_with_sha256(*stored, pre->seal.carried_sha256)) {
            // (Named from the result's folder when the seal's paths are relative to it, as
            // `verify` reads them: the command below then runs from here.)
            std::string from_path = pre->seal.carried_from;
            if (pre->seal.relative_to == eval::SealPaths::result && std::filesystem::path(from_path).is_relative())
                from_path = (std::filesystem::path(eval::result_folder(args.result)) / from_path).lexically_normal().string();
            const std::string from = dsl::printable(from_path);
            if (pre->seal.carried_from_register)
                std::fprintf(stderr, "hoshu: error: `%s` carries its records from a result recorded in the register %s (sha256 %s), "
                                     "which this register does not hold: record it in the register it was carried from\n",
                             dsl::printable(args.result).c_str(), from.c_str(), pre->seal.carried_sha256.c_str());
            else
                std::fprintf(stderr, "hoshu: error: `%s` carries its records from %s (sha256 %s), which this register does not hold: "
                                     "record that result first (hoshu register record %s %s)\n",
                             dsl::printable(args.result).c_str(), from.c_str(), pre->seal.carried_sha256.c_str(),
                             dsl::printable(args.db).c_str(), from.c_str());
            return Exit::usage;
        }
    }
    int exit = verify_result_file(verify, [&](const Verified& v) {
        // The events recorded since the result it carries from must be the ones this
        // result applied (none, for --carry).
        const eval::Seal& seal = v.recorded.seal;
        if (const eval::StoredResult* from = eval::result_with_sha256(*stored, seal.carried_sha256);
            from != nullptr && !seal.carried_sha256.empty()) {
            if (from->superseded_by) {
                std::fprintf(stderr, "hoshu: error: `%s` carries its records from the %s result of record %lld, which record %lld "
                                     "supersedes: evaluate it again from the current one (--register %s), then record it\n",
                             dsl::printable(args.result).c_str(), dsl::printable(from->fiscal_year).c_str(), static_cast<long long>(from->id),
                             static_cast<long long>(*from->superseded_by), dsl::printable(args.db).c_str());
                return static_cast<int>(Exit::usage);
            }
            // Nor from one that carries superseded figures on (stale): the year would rest on
            // figures the register no longer holds, and the export would take its balances
            // from it.
            if (const eval::Staleness stale = eval::superseded_ancestor(*from, *stored)) {
                std::fprintf(stderr, "hoshu: error: `%s` carries its records from the %s result of record %lld, which was %s: evaluate "
                                     "%s again (--register %s) and record it with --supersede, then evaluate this year again from it\n",
                             dsl::printable(args.result).c_str(), dsl::printable(from->fiscal_year).c_str(), static_cast<long long>(from->id),
                             dsl::printable(eval::stale_reason(stale)).c_str(), dsl::printable(from->fiscal_year).c_str(),
                             dsl::printable(args.db).c_str());
                return static_cast<int>(Exit::usage);
            }
            std::vector<std::int64_t> applied, since;
            for (const auto& e : seal.carried_events) applied.push_back(e.id);
            // (Those dated after the result's year are the next year's, as `eval --register`
            // leaves them.)
            eval::Session session(v.plan, v.inputs, v.options);
            const std::string last_day = eval::year_last_day(v.plan, session);
            const auto for_year = eval::events_for_year(*from, *stored, *stored_events, result_year(v), last_day);
            for (const auto& e : for_year.apply) since.push_back(e.id);
            std::vector<std::int64_t> missed;
            for (auto id : since)
                if (std::find(applied.begin(), applied.end(), id) == applied.end()) missed.push_back(id);
            if (!missed.empty()) {
                std::string ids;
                for (auto id : missed) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
                std::fprintf(stderr, "hoshu: error: `%s` does not apply the event%s %s, recorded since the %s result it carries from: "
                                     "evaluate it again with --register %s, then record it\n",
                             dsl::printable(args.result).c_str(), missed.size() == 1 ? "" : "s", ids.c_str(), dsl::printable(from->fiscal_year).c_str(),
                             dsl::printable(args.db).c_str());
                return static_cast<int>(Exit::usage);
            }
        }
        // A result that carries nothing (its inputs give the records themselves, a typed
        // `[[ledger]]`) of a year after a recorded one: the events the register holds against
        // that record's grants and has not applied yet would be lost — the next year carries
        // from this record, which took none of them, while `show` keeps them. Refused while
        // one is pending (an additional grant is no carried record: not one of them).
        if (seal.carried_sha256.empty() && !v.plan.carries.empty()) {
            const std::string fy = result_year(v);
            auto prior = reg->latest_result_before(fy);
            if (!prior) return fail(prior.error());
            // (Nor over a record that carries superseded figures on, as a carried result is
            // not: its typed records would be checked against figures the register no longer holds.)
            if (!fy.empty() && *prior && !args.supersede)
                if (const eval::Staleness stale = eval::superseded_ancestor(**prior, *stored)) {
                    std::fprintf(stderr, "hoshu: error: `%s` (%s) types the records it carries, after the %s result of record %lld, "
                                         "which was %s: evaluate %s again (--register %s) and record it with --supersede, then "
                                         "evaluate %s from it (--register, with inputs that give no carried records)\n",
                                 dsl::printable(args.result).c_str(), dsl::printable(fy).c_str(),
                                 dsl::printable((*prior)->fiscal_year).c_str(), static_cast<long long>((*prior)->id),
                                 dsl::printable(eval::stale_reason(stale)).c_str(), dsl::printable((*prior)->fiscal_year).c_str(),
                                 dsl::printable(args.db).c_str(), dsl::printable(fy).c_str());
                    return static_cast<int>(Exit::usage);
                }
            if (!fy.empty() && *prior) {
                eval::Session session(v.plan, v.inputs, v.options);
                const std::string last_day = eval::year_last_day(v.plan, session);
                const auto for_year = eval::events_for_year(**prior, *stored, *stored_events, fy, last_day);
                std::string missed;
                std::size_t n = 0;
                for (const auto& e : for_year.apply) {
                    if (e.kind == eval::EventKind::additional) continue;
                    missed += fmt::format("  {}\n", describe_event(e));
                    ++n;
                }
                if (n > 0) {
                    const std::string db = dsl::printable(args.db), year = dsl::printable(fy);
                    // The carried records these inputs type (`[[ledger]]`, `ledger = []`):
                    // `eval --register` refuses the inputs while they do, as it carries them
                    // itself, so the command is to be run on a copy without them.
                    std::string typed;
                    for (const auto& c : v.plan.carries) {
                        const eval::InputFile::Node given = v.inputs.child(v.inputs.root(), c.path);
                        if (!given) continue;
                        // (As they are written: a list of `[[…]]` tables, or one array.)
                        const auto at = v.inputs.range(given);
                        const bool tables = at.valid && std::string_view(v.inputs.bytes()).substr(at.begin).starts_with("[[");
                        typed += (typed.empty() ? "" : ", ") +
                                 (v.inputs.kind(given) == eval::InputKind::array && v.inputs.size(given) == 0
                                      ? fmt::format("`{} = []`", c.path)
                                  : tables ? fmt::format("[[{}]]", c.path)
                                           : fmt::format("`{} = [...]`", c.path));
                    }
                    const std::string inputs = dsl::printable(v.inputs_path);
                    const std::string run =
                        typed.empty()
                            ? fmt::format("with inputs that give no carried records (hoshu eval {} --inputs {} --register {} "
                                          "--format json --out RESULT.json)",
                                          dsl::printable(v.plan_dir), inputs, db)
                            : fmt::format("on a copy of `{}` without its {} — `eval --register` carries those "
                                          "records itself and refuses inputs that give them (hoshu eval {} --inputs "
                                          "COPY.toml --register {} --format json --out RESULT.json)",
                                          inputs, typed, dsl::printable(v.plan_dir), db);
                    std::fputs(
                        dsl::printable(
                            fmt::format("hoshu: error: `{}` ({}) carries nothing from the register: its inputs give the carried "
                                        "records themselves, and they do not apply the {} event{} the register holds against "
                                        "the {} record (record {}) and has not applied yet:\n{}hint: the register is the "
                                        "system of record: evaluate {} from it, {}, then record that result\n",
                                        dsl::printable(args.result), year, n, n == 1 ? "" : "s",
                                        dsl::printable((*prior)->fiscal_year), (*prior)->id, missed, year, run),
                            true)
                            .c_str(),
                        stderr);
                    return static_cast<int>(Exit::usage);
                }
            }
        }
        if (int rc = check_year_order(args, v, *stored); rc != Exit::success) return rc;
        // (A year recorded already, without --supersede: said before what its typed records
        // would say, which is then beside the point.)
        if (!args.supersede)
            for (const std::string fy = result_year(v); const auto& r : *stored)
                if (!r.superseded_by && !fy.empty() && r.fiscal_year == fy) {
                    std::fprintf(stderr, "hoshu: error: %s\n", dsl::printable(eval::already_recorded(r.fiscal_year, r.id)).c_str());
                    return static_cast<int>(Exit::usage);
                }
        if (seal.carried_sha256.empty() && !v.plan.carries.empty())
            if (int rc = check_typed_ledger(args, v, *reg, *stored, *stored_events); rc != Exit::success) return rc;
        eval::ResultEntry entry;
        entry.fiscal_year = result_year(v);
        if (entry.fiscal_year.empty()) {
            std::fprintf(stderr, "hoshu: error: `%s` has no fiscal_year: the register records one result per fiscal year, "
                                 "named by the plan's plan-wide output or text input `fiscal_year`\n",
                         dsl::printable(args.result).c_str());
            return static_cast<int>(Exit::usage);
        }
        // What it carries must be the year before's: its own year's would count that year's
        // grants twice, an earlier year's would lose the year between (as --carry refuses).
        if (const eval::StoredResult* from =
                seal.carried_sha256.empty() ? nullptr : eval::result_with_sha256(*stored, seal.carried_sha256);
            from != nullptr &&
            (from->fiscal_year == entry.fiscal_year || !eval::fiscal_year_follows(from->fiscal_year, entry.fiscal_year))) {
            const std::string year = dsl::printable(entry.fiscal_year);
            std::fprintf(stderr, "hoshu: error: `%s` (%s) carries its records from the %s result of record %lld, not from the year "
                                 "before %s's%s: evaluate %s again carrying the year before's result (--register %s), then record it\n",
                         dsl::printable(args.result).c_str(), year.c_str(), dsl::printable(from->fiscal_year).c_str(),
                         static_cast<long long>(from->id), year.c_str(),
                         from->fiscal_year == entry.fiscal_year ? ", so its grants would be counted twice" : "", year.c_str(),
                         dsl::printable(args.db).c_str());
            return static_cast<int>(Exit::usage);
        }
        entry.result_json = v.text;
        entry.rules_sha256 = v.recorded.seal.rules_sha256;
        entry.inputs_sha256 = v.recorded.seal.inputs_sha256;
        entry.engine = v.recorded.seal.engine;
        eval::ReportExtras extras = eval::report_extras(v.plan, v.inputs, v.outcome, v.options);
        entry.grant_date = extras.grant_date;
        entry.grant_price = extras.grant_price;
        // The grant-time price's currency, which the export names the grants' value column by.
        if (!extras.grant_price.empty() && !extras.grant_price_currency.empty())
            entry.lines.push_back({"", "price", "grant_price", extras.grant_price_currency, extras.grant_price});
        // And what it is a price of (`shares` for JPY per share): the export values the grants
        // counted in that unit only.
        if (!extras.grant_price.empty())
            if (auto slot = v.plan.find_slot("grant_price"); slot && v.plan.slots[*slot].scope == eval::Scope::plan)
                if (auto units = eval::price_units(v.plan.slots[*slot].type, v.plan.units))
                    entry.lines.push_back({"", "price", "grant_price_per", v.plan.type_name(units->valued()), ""});
        // The grants: those the plan declares (`plan … grants a, b`), else the outputs named
        // by --grants, else every output in shares.
        std::set<std::string> grants(args.grants.begin(), args.grants.end());
        std::set<std::string> outputs;
        for (auto s : v.plan.director_outputs) outputs.insert(v.plan.slots[s].name);
        for (const auto& g : grants)
            if (!outputs.count(g)) {
                std::fprintf(stderr, "hoshu: error: --grants %s: the plan has no output of that name for each %s\n", g.c_str(),
                             v.plan.directors.noun.c_str());
                return static_cast<int>(Exit::usage);
            }
        // A grant is a count of what is granted (shares, the plan's RSUs or points): an
        // amount of money is not one, and the export would value it at the price per share.
        for (const auto& g : grants) {
            const eval::Slot& slot = v.plan.slots[*v.plan.find_slot(g)];
            if (eval::counted(slot.type, v.plan.units)) continue;
            std::string counting;
            for (auto s : v.plan.director_outputs)
                if (eval::counted(v.plan.slots[s].type, v.plan.units))
                    counting += (counting.empty() ? "" : ", ") + v.plan.slots[s].name;
            std::fprintf(stderr,
                         "hoshu: error: --grants %s: `%s` is in %s, not a count of a unit granted: a grant is a number of shares "
                         "or of the plan's own whole unit (RSUs, points); %s\n",
                         dsl::printable(g).c_str(), dsl::printable(g).c_str(), v.plan.type_name(slot.type).c_str(),
                         counting.empty() ? "the plan has no output that counts one"
                                          : fmt::format("its outputs that count one: {}", counting).c_str());
            return static_cast<int>(Exit::usage);
        }
        if (!v.plan.grant_outputs.empty()) {
            std::set<std::string> declared;
            std::string listed;
            for (auto s : v.plan.grant_outputs) {
                declared.insert(v.plan.slots[s].name);
                listed += (listed.empty() ? "" : ", ") + v.plan.slots[s].name;
            }
            if (!grants.empty() && grants != declared) {
                std::string named;
                for (const auto& g : args.grants) named += (named.empty() ? "" : ",") + dsl::printable(g);
                std::fprintf(stderr, "hoshu: error: --grants %s: the plan declares its grants (`grants %s`): record without --grants, "
                                     "or change the plan's declaration\n",
                             named.c_str(), listed.c_str());
                return static_cast<int>(Exit::usage);
            }
            grants = std::move(declared);
        }
        // The default (every output in shares) takes each as a grant of its own: one computed
        // from another (the vested part of an award) would count the same shares twice, and
        // an event (a `leave`) would forfeit both. So would --grants naming both; a plan whose
        // grants are computed one from another (matching shares) declares them.
        // Nor is an output computed from the carried records' `restricted` a grant (the
        // shares the plan released of the grants the register holds: `sum of g_vested over
        // grants`), whatever else is named: the released shares would be counted again.
        bool from_carried = false;
        auto derived_of = [&](const std::vector<std::uint32_t>& slots) {
            std::string pairs;
            for (auto s : slots) {
                const eval::GrantComputedFrom from = eval::grant_computed_from(v.plan, s, slots);
                for (auto t : from.grants)
                    pairs += fmt::format("{}`{}` is computed from `{}`", pairs.empty() ? "" : ", ", v.plan.slots[s].name, v.plan.slots[t].name);
                if (from.carried != eval::none) {
                    from_carried = true;
                    pairs += fmt::format("{}`{}` is computed from the carried records' `restricted` (`{}`: the grants the register "
                                         "already holds)",
                                         pairs.empty() ? "" : ", ", v.plan.slots[s].name, v.plan.slots[from.carried].name);
                }
            }
            return pairs;
        };
        if (grants.empty()) {
            std::vector<std::uint32_t> in_shares;
            for (auto s : v.plan.director_outputs)
                if (v.plan.type_name(v.plan.slots[s].type) == "shares") in_shares.push_back(s);
            if (const std::string pairs = derived_of(in_shares); !pairs.empty()) {
                std::string listed;
                for (auto s : in_shares) listed += (listed.empty() ? "" : ", ") + v.plan.slots[s].name;
                std::fprintf(stderr,
                             "hoshu: error: `%s`: without --grants every output in shares is recorded as a grant of its own, but "
                             "%s: the same shares would be recorded twice; name the outputs that are grants: hoshu register "
                             "record %s %s --grants NAME,… (its outputs in shares: %s)\n",
                             dsl::printable(args.result).c_str(), pairs.c_str(), dsl::printable(args.db).c_str(),
                             dsl::printable(args.result).c_str(), listed.c_str());
                return static_cast<int>(Exit::usage);
            }
        } else if (v.plan.grant_outputs.empty()) {
            std::vector<std::uint32_t> named;
            for (const auto& g : args.grants)
                if (auto slot = v.plan.find_slot(g); slot && std::find(named.begin(), named.end(), *slot) == named.end()) named.push_back(*slot);
            if (const std::string pairs = derived_of(named); !pairs.empty()) {
                std::string listed;
                for (const auto& g : args.grants) listed += (listed.empty() ? "" : ",") + dsl::printable(g);
                std::fprintf(stderr,
                             "hoshu: error: --grants %s: %s: the same shares would be recorded twice; name only the outputs "
                             "granted%s\n",
                             listed.c_str(), pairs.c_str(),
                             from_carried ? " (not what the plan releases of the grants already recorded)"
                                          : ", or, when each is a grant of its own (matching shares), declare them in the plan (`grants "
                                            "NAME, …` in its `plan` declaration)");
                return static_cast<int>(Exit::usage);
            }
        }
        const eval::JsonValue* directors = v.recorded.json.find(v.plan.directors.plural);
        std::unordered_map<std::string, std::size_t> outcome_index;   // (each director's info found at once)
        for (std::size_t di = 0; di < v.outcome.directors.size(); ++di) outcome_index.emplace(v.outcome.directors[di].id, di);
        if (directors && directors->kind == eval::JsonValue::Kind::array) {
            for (const auto& d : directors->items) {
                const eval::JsonValue* id = d.find(v.plan.directors.id_key);
                if (!id) continue;
                for (std::size_t k = 0; k < d.keys.size(); ++k) {
                    if (d.keys[k] == v.plan.directors.id_key) continue;
                    eval::ResultLine line{id->text, "output", d.keys[k], "", d.items[k].text};
                    if (auto slot = v.plan.find_slot(d.keys[k])) line.unit = v.plan.type_name(v.plan.slots[*slot].type);
                    bool grant = grants.empty() ? line.unit == "shares" : grants.count(line.name) > 0;
                    if (grant) line.kind = "grant";
                    entry.lines.push_back(std::move(line));
                }
                // The director's `info` fields (title, …), from the inputs.
                if (auto found = outcome_index.find(id->text); found != outcome_index.end()) {
                    const std::size_t di = found->second;
                    if (di < extras.info_values.size())
                        for (std::size_t k = 0; k < extras.info_names.size(); ++k)
                            if (!extras.info_values[di][k].empty())
                                entry.lines.push_back({id->text, "info", extras.info_names[k], "text", extras.info_values[di][k]});
                }
            }
        }
        // Each grant a count the register holds: a fraction of a unit (DSUs credited to four
        // decimals), a negative grant or one past 64 bits would be recorded, and every later
        // `show`, `export` and `event` refused.
        if (int rc = refuse_uncountable_grants(entry, v.plan, args); rc != Exit::success) return rc;
        // Nor a grant that takes a director's grants past what the register counts for one:
        // a leave would then record a count no later evaluation reads.
        if (int rc = refuse_totals_past_limit(entry, *stored, *stored_events, v.plan, args); rc != Exit::success) return rc;
        // The rule files and the inputs, byte-exact, so that the result can be verified again
        // from the register alone (each file read again must still be the one verified).
        namespace fs = std::filesystem;
        fs::path base(v.plan_dir);
        std::error_code ec;
        if (!fs::is_directory(base, ec)) base = base.parent_path();
        for (const auto& f : v.recorded.seal.rule_files) {
            std::string bytes, why;
            if (!dsl::read_regular_file_at_most((base / f.path).string(), std::size_t{64} << 20, bytes, why) ||
                (eval::sealed_rule_file_sha256(f.path, bytes) != f.sha256 && eval::sha256_hex(bytes) != f.sha256)) {
                std::fprintf(stderr, "hoshu: error: the rule file %s changed while it was recorded; record again\n", f.path.c_str());
                return static_cast<int>(Exit::usage);
            }
            entry.files.push_back({"rules", f.path, std::move(bytes)});
        }
        // A file of tests only is not sealed, but a sealed file may import it: kept too
        // (unless the seal lists it, hashed whole), so that the plan loads again as it was.
        for (auto& f : eval::unsealed_rule_files(v.plan, v.sm, v.plan_dir)) {
            const bool sealed = std::any_of(v.recorded.seal.rule_files.begin(), v.recorded.seal.rule_files.end(),
                                            [&](const auto& s) { return s.path == f.path; });
            if (!sealed) entry.files.push_back({"tests", std::move(f.path), std::move(f.text)});
        }
        entry.files.push_back({"inputs", fs::path(v.inputs_path).filename().string(), v.inputs.bytes()});
        entry.recorded_by = who(args.by);
        entry.recorded_at = now_utc();
        entry.reason = args.reason;
        std::string year_recorded = entry.fiscal_year;
        const bool any_grant =
            std::any_of(entry.lines.begin(), entry.lines.end(), [](const eval::ResultLine& l) { return l.kind == "grant"; });
        // A year recorded again: the events recorded since the year was first recorded
        // stay facts (a restatement of the inputs does not undo a clawback) and apply to
        // the new record as they did to the one it supersedes; each must still fit it.
        if (args.supersede) {
            if (int rc = check_superseding(entry, *stored, *stored_events, v.plan.directors.noun); rc != Exit::success) return rc;
        }
        // A director whose leave is recorded and whom this year grants shares made after it:
        // said (a leaver left in the year's inputs?), not refused — the plan decides.
        std::vector<std::string> granted_leavers;
        {
            std::map<std::string, const eval::StoredEvent*> left;   // each director's latest leave
            for (const auto& e : *stored_events)
                if (e.kind == eval::EventKind::leave) left[e.director] = &e;
            std::set<std::string> named;
            for (const auto& l : entry.lines) {
                if (l.kind != "grant" || eval::share_count(l.value).value_or(1) == 0) continue;
                auto it = left.find(l.director);
                if (it == left.end() || (!entry.grant_date.empty() && entry.grant_date <= it->second->date) ||
                    !named.insert(l.director).second)
                    continue;
                granted_leavers.push_back(fmt::format("`{}` left on {} (event {}) and is granted {} ({})", l.director, it->second->date,
                                                      it->second->id, count_of(l.value, l.unit.empty() ? "shares" : l.unit), l.name));
            }
        }
        // The outputs recorded as grants, beside those of the latest earlier year of the same
        // plan: a year naming others (`--grants` changed, or the default taking an output
        // the earlier year left out) counts its shares otherwise than the register so far.
        std::string grants_changed;
        {
            std::set<std::string> now;
            for (const auto& l : entry.lines)
                if (l.kind == "grant") now.insert(l.name);
            const eval::StoredResult* earlier = nullptr;
            for (const auto& r : *stored)
                if (!r.superseded_by && eval::fiscal_year_before(r.fiscal_year, entry.fiscal_year) &&
                    (earlier == nullptr || eval::fiscal_year_before(earlier->fiscal_year, r.fiscal_year)))
                    earlier = &r;
            auto read = earlier ? eval::read_result(earlier->result_json) : eval::read_result("");
            const eval::JsonValue* title = read ? read->json.find("plan") : nullptr;
            if (earlier && title && title->kind == eval::JsonValue::Kind::string && title->text == v.plan.title) {
                std::set<std::string> then;
                for (const auto& l : earlier->lines)
                    if (l.kind == "grant") then.insert(l.name);
                auto listed = [](const std::set<std::string>& names) {
                    std::string out;
                    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
                    return out.empty() ? std::string("none") : out;
                };
                if (now != then)
                    grants_changed = fmt::format("{} records as its grants {}, and {} (record {}), of the same plan, {}: the register "
                                                 "counts the years' shares differently; if that is not meant, record {} again with "
                                                 "--supersede --reason TEXT naming the same grants (--grants)",
                                                 entry.fiscal_year, listed(now), earlier->fiscal_year, earlier->id, listed(then),
                                                 entry.fiscal_year);
            }
        }
        const std::string grant_date = entry.grant_date;
        auto id = reg->record(std::move(entry), args.supersede);
        if (!id) return fail(id.error());
        if (!granted_leavers.empty()) {
            std::string listed;
            for (std::size_t i = 0; i < granted_leavers.size() && i < 10; ++i) listed += (i ? "; " : "") + granted_leavers[i];
            if (granted_leavers.size() > 10) listed += fmt::format("; and {} more", granted_leavers.size() - 10);
            std::fprintf(stderr,
                         "hoshu: note: %s%s grants to %s whose leave the register records: %s — if a leaver is in the "
                         "year's inputs by mistake, correct them and record the year again with --supersede --reason TEXT\n",
                         dsl::printable(year_recorded).c_str(),
                         grant_date.empty() ? "" : fmt::format(" (grant date {})", grant_date).c_str(),
                         // (The plan's own words for a record and its collection: `1 beneficiary`.)
                         fmt::format("{} {}", granted_leavers.size(),
                                     granted_leavers.size() == 1 ? v.plan.directors.noun : v.plan.directors.plural).c_str(),
                         dsl::printable(listed).c_str());
        }
        if (!grants_changed.empty()) std::fputs(dsl::printable("hoshu: note: " + grants_changed + "\n", true).c_str(), stderr);
        if (!any_grant && v.plan.grant_outputs.empty()) {
            // The year is recorded now: naming its grants takes a superseding record, and the
            // note gives that command whole (the outputs that count a unit offered).
            std::vector<std::string> counted;
            for (auto s : v.plan.director_outputs)
                if (eval::counted(v.plan.slots[s].type, v.plan.units)) counted.push_back(v.plan.slots[s].name);
            std::string names, listed;
            for (const auto& c : counted) {
                names += (names.empty() ? "" : ",") + c;
                listed += (listed.empty() ? "" : ", ") + c;
            }
            std::fprintf(stderr,
                         "hoshu: note: no output of `%s` is recorded as a grant (none is in shares), so %s is recorded with no "
                         "grants; to record them, record it again naming the outputs that are grants: hoshu register record %s %s "
                         "--supersede --reason \"name its grants\" --grants %s%s; or declare them in the plan (`grants NAME, …` in its `plan` "
                         "declaration)\n",
                         dsl::printable(args.result).c_str(), dsl::printable(year_recorded).c_str(), dsl::printable(args.db).c_str(),
                         dsl::printable(args.result).c_str(), counted.size() == 1 ? names.c_str() : "NAME,…",
                         counted.size() > 1 ? fmt::format(" (its outputs that count a unit: {})", listed).c_str() : "");
        }
        return write("", dsl::printable(fmt::format("recorded {} as record {} in {}\n", year_recorded, *id, args.db), true));
    });
    return exit;
}

int event(const RegisterArgs& args) {
    auto kind = eval::event_kind(args.kind);
    if (!kind) return usage(fmt::format("--kind {}: one of lift, leave, clawback, additional, rate", args.kind));
    if (!valid_date(args.date)) return usage(date_option_error("--date", args.date));
    if (args.reason.empty()) return usage("an event needs --reason TEXT: why it happened");
    auto reg = eval::Register::open(args.db);
    if (!reg) return fail(reg.error());
    // The write lock before the balances are read: the event is checked against the balances
    // it is written after (another `event` at the same moment waits, then sees this one).
    if (auto locked = reg->lock_for_write(); !locked) return fail(locked.error());
    if (int broken = refuse_broken_chain(*reg, args.db, "no event is recorded in it")) return broken;
    auto results = reg->results();
    if (!results) return fail(results.error());
    auto events = reg->events();
    if (!events) return fail(events.error());
    eval::EventEntry e;
    e.director = args.director;
    e.kind = *kind;
    e.date = args.date;
    e.fiscal_year = args.year;
    e.grant = args.grant;
    if (!args.shares.empty()) e.shares = args.shares;
    if (!args.rate.empty()) e.rate = args.rate;
    e.reason = args.reason;
    std::string by_from;
    e.recorded_by = who(args.by, &by_from);
    e.recorded_at = now_utc();
    // Without --by the login name is recorded: a name that is not one line of visible
    // characters is said to come from where it came from, with the option that replaces it.
    if (args.by.empty()) {
        std::size_t bad = 0;
        if (!dsl::valid_utf8(e.recorded_by, &bad))
            return usage(fmt::format("{} `{}`, recorded as who recorded the event when --by is not given, is not valid UTF-8: "
                                     "pass --by NAME",
                                     by_from, dsl::printable(e.recorded_by)));
        if (auto h = dsl::find_hidden_character(e.recorded_by))
            return usage(fmt::format("{} `{}`, recorded as who recorded the event when --by is not given, holds the hidden "
                                     "character {}: pass --by NAME",
                                     by_from, dsl::printable(e.recorded_by), dsl::describe_hidden(h->code_point)));
    }
    // The messages name a record in the plan's word for one (`employee`).
    dsl::SourceManager sm;
    auto plan = recorded_plan(*results, sm);
    const std::string noun = plan ? plan->directors.noun : std::string("director");
    // A date far ahead is a mistyped year (2205 for 2025): recorded, it could never be
    // removed, and as a director's events go in date order it would hold back every later one.
    {
        const std::string today = e.recorded_at.substr(0, 10);
        std::string latest_grant, latest_year;
        for (const auto& r : *results)
            if (!r.superseded_by && valid_date(r.grant_date) && r.grant_date > latest_grant) {
                latest_grant = r.grant_date;
                latest_year = r.fiscal_year;
            }
        const std::string from = std::max(today, latest_grant);
        const std::string reach = fmt::format("{}-12-31", std::stoi(from.substr(0, 4)) + 1);
        if (args.date > reach)
            return usage(fmt::format(
                "--date {} is too far ahead: an event is dated by the end of the year after today ({}){}, so by {} (is the "
                "year mistyped?). An event cannot be changed or removed once recorded, and each {}'s events go in date "
                "order: record an event planned further ahead once its date is within that reach",
                args.date, today,
                latest_grant.empty() ? ""
                                     : fmt::format(" or after the latest grant date recorded ({}'s {}), whichever is later",
                                                   dsl::printable(latest_year), latest_grant),
                reach, noun));
    }
    auto checked = eval::check_event(*results, *events, std::move(e), noun);
    if (!checked) return fail(checked.error());
    // A rate the plan cannot read would stop every later evaluation from the register.
    if (checked->kind == eval::EventKind::rate && checked->rate) {
        if (std::string why = eval::rate_outside(plan ? &*plan : nullptr, *checked->rate); !why.empty())
            return usage(fmt::format("--rate {}: {}", dsl::printable(*checked->rate), why));
    }
    // Fitting the balances of its date is not enough: a year recorded since, granted after
    // that date, may have released the grant without it — the register would record shares
    // it never counts.
    if (std::string why = eval::event_not_applied(*results, *events, *checked); !why.empty()) return usage(why);
    auto id = reg->add_event(*checked);
    if (!id) return fail(id.error());
    std::string what;
    const std::string unit = eval::grant_unit(*results, checked->director, checked->grant);
    switch (checked->kind) {
        case eval::EventKind::lift: what = count_of(*checked->shares, unit) + " lifted"; break;
        case eval::EventKind::leave: what = fmt::format("{} restricted {} forfeited", *checked->shares, unit_for(*checked->shares, unit)); break;
        case eval::EventKind::clawback: what = count_of(*checked->shares, unit) + " clawed back"; break;
        case eval::EventKind::additional: what = count_of(*checked->shares, unit) + " granted"; break;
        case eval::EventKind::rate: what = fmt::format("rate {}", *checked->rate); break;
    }
    return write("", dsl::printable(fmt::format("recorded event {}: {} {} on {}: {}\n", *id, args.kind, args.director, args.date, what), true));
}

}  // namespace

bool reverify_recorded(const eval::StoredResult& r, const std::vector<eval::StoredResult>& all, const std::string& db,
                       std::string& note, std::string& io_error) {
    namespace fs = std::filesystem;
    // The result it carried from: in the register too (`record` made sure of it).
    std::string carried_bytes, carried_shown;
    bool carried_from_register = false;
    if (auto seal = eval::read_result(r.result_json); seal && !seal->seal.carried_sha256.empty()) {
        carried_from_register = seal->seal.carried_from_register;
        const eval::StoredResult* from = eval::result_with_sha256(all, seal->seal.carried_sha256, r.seq);
        if (from == nullptr) {
            note = fmt::format("the result it carried from (sha256 {}) is not in the register", seal->seal.carried_sha256);
            return false;
        }
        carried_bytes = from->result_json;
        carried_shown = fmt::format("{}: record {} ({})", db, from->id, from->fiscal_year);
    }
    // A private folder (0700, its files 0600: the inputs hold every director's pay), removed
    // on return and by a signal that ends the command.
    TempFolder root;
    std::string error;
    if (!root.make("hoshu-register", error)) {
        io_error = error;
        return false;
    }
    const fs::path top(root.path());
    const fs::path plan = stored_plan_folder(r.files);
    const std::string result_name = fmt::format("record-{}-{}.json", r.id, r.fiscal_year);
    std::string inputs, result = (top / result_name).string(), carried = (top / "carried-from.json").string();
    bool written = true;
    for (const auto& f : r.files) {
        if (f.role == "inputs") {
            inputs = (top / ("inputs-" + f.path)).string();
            written = written && root.write("inputs-" + f.path, f.bytes, error);
        } else {
            written = written && root.write((plan / f.path).string(), f.bytes, error);
        }
    }
    written = written && root.write(result_name, r.result_json, error);
    if (!carried_bytes.empty() && !carried_from_register) written = written && root.write("carried-from.json", carried_bytes, error);
    pause_for_test("HOSHU_TEST_PAUSE_WITH_TEMP_FILES");
    bool ok = false;
    if (written && !inputs.empty()) {
        VerifyArgs va;
        va.result = result;
        // Messages name the register's record, not the temporary copy (gone when read).
        va.result_shown = fmt::format("{}: record {} ({})", db, r.id, r.fiscal_year);
        va.carry_shown = carried_shown;
        va.rules = (top / plan).string();
        va.inputs = inputs;
        // The stored rules' lint warnings are not repeated: they were shown when the
        // result was recorded, the stored rules cannot be edited, and this copy of them is
        // deleted before anyone could open the file a warning would name.
        va.plan_warnings = false;
        if (!carried_bytes.empty() && carried_from_register) va.register_db = db;
        if (!carried_bytes.empty() && !carried_from_register) va.carry = carried;
        std::vector<std::string> differences;
        int exit = verify_result(va, r.result_json, differences, [](const Verified&) { return static_cast<int>(Exit::success); });
        ok = exit == Exit::success && differences.empty();
        for (std::size_t i = 0; i < differences.size() && i < 3; ++i) note += (i ? "; " : "") + differences[i];
        if (differences.size() > 3) note += fmt::format("; and {} more", differences.size() - 3);
    } else if (!written) {
        io_error = error;
    } else {
        note = "it has no inputs stored with it";
    }
    return ok;
}

namespace {

int verify(const RegisterArgs& args) {
    auto reg = eval::Register::open(args.db);
    if (!reg) return fail(reg.error());
    auto problems = reg->verify_chain();
    if (!problems) return fail(problems.error());
    auto results = reg->results();
    if (!results) return fail(results.error());
    auto events = reg->events();
    if (!events) return fail(events.error());
    // Each stored result, verified again from the files stored with it. One that carries
    // from this register is not, when the chain is broken: what it carried cannot be read
    // back from the register as it was recorded (the places above say why).
    const bool chain_broken = !problems->empty();
    std::size_t reverified = 0;
    for (const auto& r : *results) {
        if (r.files.empty()) continue;
        if (chain_broken) {
            auto seal = eval::read_result(r.result_json);
            if (seal && !seal->seal.carried_sha256.empty() && seal->seal.carried_from_register) {
                problems->push_back(fmt::format("results row id {} ({}): its stored result is not verified again: it carries "
                                                "from this register, whose chain is broken (above)",
                                                r.id, r.fiscal_year));
                continue;
            }
        }
        std::string note, io_error;
        if (reverify_recorded(r, *results, args.db, note, io_error)) {
            ++reverified;
            continue;
        }
        if (!io_error.empty()) {
            // No verdict: the register may well be intact.
            std::fprintf(stderr, "hoshu: error: cannot verify the stored result of record %lld (%s) again: %s (its rule files and "
                                 "inputs are written to a temporary folder in $TMPDIR, or /tmp when TMPDIR is unset)\n",
                         static_cast<long long>(r.id), dsl::printable(r.fiscal_year).c_str(), dsl::printable(io_error).c_str());
            return Exit::usage;
        }
        problems->push_back(fmt::format("results row id {} ({}): the stored result does not verify against its stored rules and inputs{}",
                                        r.id, r.fiscal_year, note.empty() ? "" : ": " + note));
    }
    if (!problems->empty()) {
        // Texts read from the register (a director, a year) shown escaped, as `show` shows
        // them: an edit cannot repaint the verdict on a terminal.
        std::string text = fmt::format("NOT verified: the register {} was changed behind hoshu's back in {} place{}\n",
                                       dsl::printable(args.db), problems->size(), problems->size() == 1 ? "" : "s");
        for (const auto& p : *problems) text += "  " + dsl::printable(p) + "\n";
        int rc = write("", text);
        return rc ? rc : static_cast<int>(Exit::failure);
    }
    // Intact, but a current record computed from a record since superseded carries the
    // superseded figures on: said, so that the year is evaluated again.
    for (const auto& r : *results) {
        if (r.superseded_by) continue;
        if (const eval::Staleness stale = eval::superseded_ancestor(r, *results))
            std::fprintf(stderr, "hoshu: warning: record %lld (%s) was %s: evaluate %s again (--register %s) and record it with "
                                 "--supersede\n",
                         static_cast<long long>(r.id), dsl::printable(r.fiscal_year).c_str(),
                         dsl::printable(eval::stale_reason(stale)).c_str(), dsl::printable(r.fiscal_year).c_str(),
                         dsl::printable(args.db).c_str());
    }
    auto head = reg->head();
    if (!head) return fail(head.error());
    return write("", fmt::format("verified: the register {} is intact: {} record{} and {} event{}, the chain's head {}; "
                                 "{} stored result{} verified again from the rules and inputs stored with {}\n",
                                 dsl::printable(args.db), results->size(), results->size() == 1 ? "" : "s", events->size(),
                                 events->size() == 1 ? "" : "s", *head, reverified, reverified == 1 ? "" : "s",
                                 reverified == 1 ? "it" : "them"));
}

int show_or_export(const RegisterArgs& args) {
    if (args.command == "export" && args.format == "xlsx" && binary_to_terminal(args.out)) return Exit::usage;
    if (!args.as_of.empty() && !valid_date(args.as_of))
        return usage(date_option_error("--as-of", args.as_of));
    auto reg = eval::Register::open(args.db);
    if (!reg) return fail(reg.error());
    if (int broken = refuse_broken_chain(*reg, args.db, args.command == "show" ? "nothing is shown from it" : "nothing is exported from it"))
        return broken;
    auto results = reg->results();
    if (!results) return fail(results.error());
    auto events = reg->events();
    if (!events) return fail(events.error());
    // A director the register does not name is a typo, not a director with no grants.
    if (std::string unknown; !args.director.empty() && !eval::director_recorded(*results, args.director, unknown)) {
        std::fprintf(stderr, "hoshu: error: --director: %s\n", dsl::printable(unknown).c_str());
        return Exit::failure;
    }
    // Every grant recorded, those of 0 too: the registrar reconciles against the list of
    // directors, and a director granted nothing is one the year decided on.
    auto grants = eval::grant_balances(*results, *events, args.as_of, eval::ZeroGrants::listed);
    if (!grants) return fail(grants.error());
    eval::RegisterView view{*results, *events, *grants, args.as_of, args.director};
    if (args.command == "show") return write("", eval::format_register_text(view));
    // The key column is named as the plan names a record (`employee`), not `director`.
    dsl::SourceManager sm;
    if (auto plan = recorded_plan(*results, sm)) view.key = plan->directors.noun;
    // Never over the register itself (`--out grants.db` would replace the system of record).
    if (args.format == "json") return write(args.out, eval::format_register_json(view), {args.db});
    if (args.format == "xlsx") {
        std::string why;
        std::string bytes = eval::format_register_xlsx(view, &why);
        if (bytes.empty()) {
            std::fprintf(stderr, "hoshu: error: --format xlsx: %s: nothing is written (--format csv or json holds it whole)\n",
                         dsl::printable(why.empty() ? std::string("cannot write the workbook") : why).c_str());
            return Exit::usage;
        }
        return write(args.out, bytes, {args.db});
    }
    return write(args.out, eval::format_register_csv(view, args.csv_bom), {args.db});
}

}  // namespace

int run_register(const RegisterArgs& args) {
    if (args.command == "init") {
        auto reg = eval::Register::create(args.db);
        if (!reg) return fail(reg.error());
        return write("", fmt::format("created the register {} (schema version {})\n", args.db, eval::register_schema_version));
    }
    if (args.command == "record") return record(args);
    if (args.command == "event") return event(args);
    if (args.command == "verify") return verify(args);
    return show_or_export(args);
}

}  // namespace hoshu::cli
