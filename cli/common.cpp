#include "cli/common.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/verified.hpp"
#include "evaluator/output/carried.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/carry.hpp"
#include "evaluator/register/register.hpp"
#include "evaluator/run/outcome.hpp"

#include <algorithm>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "evaluator/check/check.hpp"

namespace hoshu::cli {

bool binary_to_terminal(const std::string& out) {
    if ((!out.empty() && out != "-") || !::isatty(STDOUT_FILENO)) return false;
    std::fprintf(stderr, "hoshu: error: --format xlsx writes a workbook, which a terminal cannot show: write it to a file "
                         "with --out FILE.xlsx\n");
    return true;
}

bool color_for(int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && no_color[0] != '\0') return false;
    return isatty(fd) != 0;
}

void print_diagnostics(const dsl::SourceManager& sm, const dsl::Diagnostics& diags) {
    std::string text = dsl::render(sm, diags, {color_for(2)});
    std::fputs(text.c_str(), stderr);
}

std::string not_a_plan_path(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::status(dir, ec);
    if (ec || !fs::exists(status) || fs::is_directory(status)) return {};
    if (fs::is_regular_file(status))
        return fs::path(dir).extension() == ".hoshu" ? std::string() : "a file, not a folder of .hoshu rule files";
    return "not a folder of .hoshu rule files, nor a file";
}

std::optional<eval::Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, bool strict, int& exit,
                                    bool warnings) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::fprintf(stderr, "hoshu: error: no plan at `%s` (name a folder of .hoshu rule files)\n", dir.c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    if (const std::string why = not_a_plan_path(dir); !why.empty()) {
        std::fprintf(stderr, "hoshu: error: cannot read the plan `%s`: %s\n", dsl::printable(dir).c_str(), why.c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    dsl::Diagnostics diags;
    auto plan = eval::load_plan(sm, dir, diags, eval::CheckOptions{strict});
    if (strict) {
        for (auto& d : diags.items()) {
            if (d.severity == dsl::Severity::warning) d.severity = dsl::Severity::error;
        }
    }
    if (!warnings) {   // the errors only, each with the notes that follow it
        auto& items = diags.items();
        bool after_error = false;
        std::erase_if(items, [&](const dsl::Diagnostic& d) {
            if (d.severity != dsl::Severity::note) after_error = d.severity == dsl::Severity::error;
            return !after_error;
        });
    }
    print_diagnostics(sm, diags);
    if (!plan || diags.has_errors()) {
        std::size_t n = diags.error_count();
        std::fprintf(stderr, "%zu error%s\n", n, n == 1 ? "" : "s");
        exit = Exit::failure;
        return std::nullopt;
    }
    return plan;
}

std::optional<eval::Plan> load_base_plan(dsl::SourceManager& sm, const std::string& dir, int& exit) {
    auto base = load_plan(sm, dir, false, exit);
    if (!base && exit == Exit::failure)
        std::fprintf(stderr, "hoshu: error: the base plan `%s` (--against) does not check\n", dir.c_str());
    return base;
}

std::string date_option_error(std::string_view option, const std::string& text) {
    if (std::string why = eval::Date::why_no_such_day(text); !why.empty()) return fmt::format("{}: {}", option, why);
    return fmt::format("{} takes a date as YYYY-MM-DD, not `{}`", option, text);
}

bool parse_as_of(const std::string& text, eval::EvalOptions& options) {
    if (text.empty()) return true;
    options.as_of = eval::Date::parse(text);
    if (!options.as_of) {
        std::fprintf(stderr, "hoshu: error: %s\n", dsl::printable(date_option_error("--as-of", text), true).c_str());
        return false;
    }
    return true;
}

std::optional<PlanAndInputs> load_plan_and_inputs(dsl::SourceManager& sm, const std::string& plan_dir,
                                                  const std::string& inputs_path, int& exit) {
    auto plan = load_plan(sm, plan_dir, false, exit);
    if (!plan) return std::nullopt;
    auto inputs = eval::InputFile::load(sm, inputs_path);
    if (!inputs) {
        print_diagnostics(sm, inputs.error());
        exit = Exit::usage;
        return std::nullopt;
    }
    return PlanAndInputs{std::move(*plan), std::move(*inputs)};
}

namespace {

/// The inputs read alone, the records still to be carried taken as none; nullopt when they
/// cannot be read.
std::optional<eval::InputFile> inputs_alone(dsl::SourceManager& scratch, const eval::Plan& plan,
                                            const std::string& inputs_path, const std::string& inputs_text) {
    std::vector<eval::InputFile::Carried> none;
    for (const auto& c : plan.carries) none.push_back({c.path, "(the records still to be carried)", ""});
    auto alone = eval::InputFile::parse_with_carried(scratch, inputs_path, inputs_text, none);
    if (!alone) alone = eval::InputFile::parse(scratch, inputs_path, inputs_text);
    if (!alone) return std::nullopt;
    return std::move(*alone);
}

/// The inputs' fiscal year: the plan's `fiscal_year` alone, evaluated on the inputs, the
/// records still to be carried taken as none (an input the inputs omit: its default).
/// Empty when the plan has none or it cannot be evaluated on the inputs alone. `last_day`:
/// the year's last day as the register takes events into it (eval::year_last_day), or empty.
std::string inputs_fiscal_year(const eval::Plan& plan, const std::string& inputs_path, const std::string& inputs_text,
                               std::string& last_day) {
    dsl::SourceManager scratch;
    auto alone = inputs_alone(scratch, plan, inputs_path, inputs_text);
    if (!alone) return {};
    eval::Session session(plan, *alone, eval::EvalOptions{});
    last_day = eval::year_last_day(plan, session);
    return eval::fiscal_year(plan, session);
}

}  // namespace

std::vector<std::string> drop_register_leavers(const eval::Plan& plan, eval::RecordedResult& prior,
                                               const eval::StoredResult& from, const std::vector<eval::StoredResult>& results,
                                               const std::vector<eval::StoredEvent>& events,
                                               const std::vector<eval::StoredEvent>& applied, const std::string& inputs_path,
                                               const std::string& inputs_text) {
    if (!plan.grants.declared || !plan.carry_of(plan.grants.input.path_text)) return {};
    const auto leavers = eval::register_leavers(from, results, events, applied);
    if (leavers.empty()) return {};
    // The directors the inputs list (unreadable inputs: none is taken out; the evaluation
    // says what is wrong with them).
    dsl::SourceManager scratch;
    auto alone = inputs_alone(scratch, plan, inputs_path, inputs_text);
    if (!alone) return {};
    eval::Session session(plan, *alone, eval::EvalOptions{});
    auto state = session.state();
    if (!state) return {};
    std::set<std::string> listed;
    for (const auto& d : (*state)->directors) listed.insert(d.id);
    return eval::drop_leavers(prior, plan.grants.input.path_text, leavers, listed);
}

namespace {

}  // namespace

std::optional<std::vector<eval::InputFile::Carried>> read_carry(dsl::SourceManager& sm, const eval::Plan& plan,
                                                                 const std::string& path, const std::string& text,
                                                                 int& exit, std::string* fiscal_year) {
    const std::string shown = dsl::printable(path);
    VerifyArgs args;
    args.result = path;
    args.plan_warnings = false;   // the plan's warnings are printed once, as the caller loaded it
    std::vector<std::string> differences;
    int verify_exit = verify_result(args, text, differences, [](const Verified&) { return static_cast<int>(Exit::success); });
    if (verify_exit != Exit::success || !differences.empty()) {
        if (!differences.empty()) {
            std::string report = fmt::format("hoshu: error: --carry {}: the result does not verify, so nothing is carried from it ({} difference{}):\n",
                                             shown, differences.size(), differences.size() == 1 ? "" : "s");
            for (const auto& d : differences) report += "  " + d + "\n";
            // Rules revised since (a new year's parameter, a test added) are the usual cause:
            // say how to carry from the result as it was computed.
            const bool rules_changed = std::any_of(differences.begin(), differences.end(), [](const std::string& d) {
                return d.rfind("the rules in ", 0) == 0 || d.rfind("seal.rule_files", 0) == 0;
            });
            if (rules_changed)
                report += fmt::format(
                    "hint: the result is verified with the rules it names, as they are now; to carry from it after "
                    "the rules changed, record it in a grant register with a copy of the rules it was computed with "
                    "(`hoshu register record FILE.db {} --rules THOSE_RULES`, e.g. a checkout of them from version "
                    "control) and carry with `--register FILE.db`\n",
                    shown);
            std::fputs(report.c_str(), stderr);
        } else {
            std::fprintf(stderr, "hoshu: error: --carry %s: the result could not be verified\n", shown.c_str());
        }
        exit = verify_exit == Exit::usage ? Exit::usage : Exit::failure;
        return std::nullopt;
    }
    auto prior = eval::read_result(text);
    if (!prior) {   // verified above, so read before
        exit = Exit::usage;
        return std::nullopt;
    }
    if (fiscal_year != nullptr) {
        const eval::JsonValue* year = prior->json.find("fiscal_year");
        *fiscal_year = year && year->kind == eval::JsonValue::Kind::string ? year->text : "";
    }
    auto records = eval::carried_records(*prior, plan, path);
    if (!records) {
        print_diagnostics(sm, records.error());
        exit = Exit::usage;
        return std::nullopt;
    }
    return std::move(*records);
}

namespace {

void print_unlocated(const std::string& what, const dsl::Diagnostics& d) {
    for (const auto& item : d.items())
        std::fprintf(stderr, "hoshu: error: %s%s\n", what.c_str(), dsl::printable(item.message, true).c_str());
}

/// --register: the records the register's latest result before the inputs' fiscal year
/// carries, amended by the events since; `used` gets what the seal names.
std::optional<std::vector<eval::InputFile::Carried>> read_register_carry(const eval::Plan& plan, const std::string& db,
                                                                          const std::string& inputs_path,
                                                                          const std::string& inputs_text, CarryUsed& used,
                                                                          int& exit) {
    const std::string shown_db = dsl::printable(db);
    exit = Exit::usage;
    auto reg = eval::Register::open(db);
    if (!reg) {
        print_unlocated("--register " + shown_db + ": ", reg.error());
        return std::nullopt;
    }
    auto results = reg->results();
    auto events = reg->events();
    auto problems = reg->verify_chain();
    if (!results || !events || !problems) {
        print_unlocated(shown_db + ": ", !results ? results.error() : !events ? events.error() : problems.error());
        return std::nullopt;
    }
    if (!problems->empty()) {
        std::fprintf(stderr, "hoshu: error: --register %s: the register was changed behind hoshu's back in %zu place%s, so nothing is "
                             "carried from it (`hoshu register verify %s` names them)\n",
                     shown_db.c_str(), problems->size(), problems->size() == 1 ? "" : "s", shown_db.c_str());
        exit = Exit::failure;
        return std::nullopt;
    }
    std::string last_day;
    const std::string year = inputs_fiscal_year(plan, inputs_path, inputs_text, last_day);
    if (year.empty()) {
        std::fprintf(stderr, "hoshu: error: --register %s: cannot tell which fiscal year %s is for: the plan's `fiscal_year` "
                             "(a plan-wide output or text input) cannot be evaluated on these inputs alone (carry with "
                             "--carry LAST_YEAR.json instead)\n",
                     shown_db.c_str(), dsl::printable(inputs_path).c_str());
        return std::nullopt;
    }
    auto prior = reg->latest_result_before(year);
    if (!prior) {
        print_unlocated(shown_db + ": ", prior.error());
        return std::nullopt;
    }
    if (!*prior) {
        std::fprintf(stderr, "hoshu: error: --register %s: the register holds no result of a fiscal year before %s: record last "
                             "year's result first (hoshu register record %s LAST_YEAR.json)\n",
                     shown_db.c_str(), year.c_str(), shown_db.c_str());
        return std::nullopt;
    }
    const eval::StoredResult& r = **prior;
    if (!eval::fiscal_year_follows(r.fiscal_year, year)) {
        std::fprintf(stderr, "hoshu: error: --register %s: the latest result the register holds before %s is %s's (record %lld), "
                             "not the year before's: record the year before first\n",
                     shown_db.c_str(), dsl::printable(year).c_str(), dsl::printable(r.fiscal_year).c_str(), static_cast<long long>(r.id));
        return std::nullopt;
    }
    const std::string shown = fmt::format("{}, {} record {}", db, r.fiscal_year, r.id);
    std::string note, io_error;
    if (!reverify_recorded(r, *results, db, note, io_error)) {
        if (!io_error.empty()) {
            std::fprintf(stderr, "hoshu: error: --register %s: cannot verify the recorded %s result (record %lld) again, so nothing "
                                 "is carried from it: %s (its rule files and inputs are written to a temporary folder in "
                                 "$TMPDIR, or /tmp when TMPDIR is unset)\n",
                         shown_db.c_str(), dsl::printable(r.fiscal_year).c_str(), static_cast<long long>(r.id),
                         dsl::printable(io_error).c_str());
            exit = Exit::usage;
            return std::nullopt;
        }
        std::fprintf(stderr, "hoshu: error: --register %s: the recorded %s result (record %lld) does not verify from the files "
                             "stored with it, so nothing is carried from it: %s\n",
                     shown_db.c_str(), dsl::printable(r.fiscal_year).c_str(), static_cast<long long>(r.id), dsl::printable(note).c_str());
        exit = Exit::failure;
        return std::nullopt;
    }
    auto recorded = eval::read_result(r.result_json);
    if (!recorded) {
        print_unlocated(dsl::printable(shown) + ": ", recorded.error());
        return std::nullopt;
    }
    if (const eval::Staleness stale = eval::superseded_ancestor(r, *results))
        std::fprintf(stderr, "hoshu: warning: --register %s: the %s result carried from (record %lld) was %s: it carries the "
                             "superseded figures on; evaluate %s again (--register) and record it with --supersede first\n",
                     shown_db.c_str(), dsl::printable(r.fiscal_year).c_str(), static_cast<long long>(r.id),
                     dsl::printable(eval::stale_reason(stale)).c_str(), dsl::printable(r.fiscal_year).c_str());
    // The events since, save those dated after the year (they are the next year's).
    auto for_year = eval::events_for_year(r, *results, *events, year, last_day);
    for (const auto& n : for_year.left) std::fprintf(stderr, "hoshu: note: --register %s: %s\n", shown_db.c_str(), dsl::printable(n).c_str());
    const auto& since = for_year.apply;
    // First the leaves the year before's own evaluation took, on that year's own grants made
    // by then (the register forfeited them on the leave's date; its carried records hold them).
    if (auto own = eval::apply_events(*recorded, eval::own_year_leaves(r, *events)); !own) {
        print_unlocated(shown_db + ": ", own.error());
        return std::nullopt;
    }
    auto notes = eval::apply_events(*recorded, since);
    if (!notes) {
        print_unlocated(shown_db + ": ", notes.error());
        return std::nullopt;
    }
    for (const auto& n : *notes) std::fprintf(stderr, "hoshu: note: --register %s: %s\n", shown_db.c_str(), dsl::printable(n).c_str());
    for (const auto& n : drop_register_leavers(plan, *recorded, r, *results, *events, since, inputs_path, inputs_text))
        std::fprintf(stderr, "hoshu: note: --register %s: %s\n", shown_db.c_str(), dsl::printable(n).c_str());
    // A rate the plan cannot read (recorded before rates were checked) is named with the event
    // that corrects it: a later rate event of the same records overrides it.
    for (std::size_t i = 0; i < since.size(); ++i) {
        const eval::StoredEvent& e = since[i];
        if (e.kind != eval::EventKind::rate || !e.rate) continue;
        bool overridden = false;
        for (std::size_t j = i + 1; j < since.size(); ++j)
            overridden = overridden || (since[j].kind == eval::EventKind::rate && since[j].director == e.director &&
                                        since[j].fiscal_year == e.fiscal_year && since[j].grant == e.grant);
        std::string why = overridden ? std::string() : eval::rate_outside(&plan, *e.rate);
        if (why.empty()) continue;
        std::string last = e.date;
        for (const auto& other : *events)
            if (other.director == e.director && other.date > last) last = other.date;
        const std::string who = dsl::printable(e.director);
        std::fprintf(stderr,
                     "hoshu: error: --register %s: event %lld (rate %s on %s) gives the rate %s, %s, so nothing is carried from "
                     "the register: record a rate event that corrects it (a later one of the same records overrides it): "
                     "hoshu register event %s --director %s --kind rate%s%s%s%s --rate R --date %s --reason \"corrects event %lld\"\n",
                     shown_db.c_str(), static_cast<long long>(e.id), who.c_str(), e.date.c_str(), dsl::printable(*e.rate).c_str(),
                     why.c_str(), shown_db.c_str(), who.c_str(), e.fiscal_year.empty() ? "" : " --year ", dsl::printable(e.fiscal_year).c_str(),
                     e.grant.empty() ? "" : " --grant ", e.grant.c_str(), last.c_str(), static_cast<long long>(e.id));
        exit = Exit::failure;
        return std::nullopt;
    }
    auto records = eval::carried_records(*recorded, plan, shown);
    if (!records) {
        print_unlocated(dsl::printable(shown) + ": ", records.error());
        return std::nullopt;
    }
    used.path = db;
    used.bytes = r.result_json;
    used.from_register = true;
    for (const auto& e : since) used.events.push_back({e.id, e.hash});
    exit = Exit::success;
    return std::move(*records);
}

}  // namespace

std::optional<PlanAndInputs> load_plan_and_inputs(dsl::SourceManager& sm, const std::string& plan_dir,
                                                  const std::string& inputs_path, const CarryFrom& from,
                                                  CarryUsed& used, int& exit) {
    if (from.result.empty() && from.register_db.empty()) return load_plan_and_inputs(sm, plan_dir, inputs_path, exit);
    auto plan = load_plan(sm, plan_dir, false, exit);
    if (!plan) return std::nullopt;
    auto inputs = load_carried_inputs(sm, *plan, plan_dir, inputs_path, from, used, exit);
    if (!inputs) return std::nullopt;
    return PlanAndInputs{std::move(*plan), std::move(*inputs)};
}

std::optional<eval::InputFile> load_carried_inputs(dsl::SourceManager& sm, const eval::Plan& plan,
                                                   const std::string& plan_dir, const std::string& inputs_path,
                                                   const CarryFrom& from, CarryUsed& used, int& exit) {
    const char* option = from.result.empty() ? "--register" : "--carry";
    if (!from.result.empty() && !from.register_db.empty()) {
        std::fprintf(stderr, "hoshu: error: --carry and --register both say where the carried records come from: give one\n");
        exit = Exit::usage;
        return std::nullopt;
    }
    if (plan.carries.empty()) {
        std::fprintf(stderr, "hoshu: error: %s: the plan %s carries nothing from year to year (it has no `carry` declaration)\n",
                     option, dsl::printable(plan_dir).c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    std::string text, error;
    if (!dsl::read_file(inputs_path, text, error)) {
        std::fprintf(stderr, "hoshu: error: cannot read %s: %s\n", dsl::printable(inputs_path).c_str(), error.c_str());
        exit = Exit::usage;
        return std::nullopt;
    }
    std::optional<std::vector<eval::InputFile::Carried>> carried;
    std::string carried_year;   // --carry: the fiscal year of the result carried from
    if (!from.register_db.empty()) {
        carried = read_register_carry(plan, from.register_db, inputs_path, text, used, exit);
    } else {
        std::string why;
        if (!dsl::read_regular_file_at_most(from.result, std::size_t{64} << 20, used.bytes, why)) {
            std::fprintf(stderr, "hoshu: error: cannot read the carried result `%s`: %s\n", dsl::printable(from.result).c_str(),
                         why.c_str());
            exit = Exit::usage;
            return std::nullopt;
        }
        used.path = from.result;
        carried = read_carry(sm, plan, from.result, used.bytes, exit, &carried_year);
    }
    if (!carried) return std::nullopt;
    // --carry: last year's result, as --register takes. One of the inputs' own fiscal year
    // would carry its grants twice, one of an earlier year would lose the years between.
    auto inputs = eval::InputFile::parse_with_carried(sm, inputs_path, std::move(text), *carried);
    if (!inputs) {
        print_diagnostics(sm, inputs.error());
        exit = Exit::usage;
        return std::nullopt;
    }
    std::string year;   // the inputs' fiscal year, with the records carried in place
    if (!carried_year.empty()) {
        eval::Session session(plan, *inputs, eval::EvalOptions{});
        year = eval::fiscal_year(plan, session);
    }
    if (!year.empty() && (carried_year == year || !eval::fiscal_year_follows(carried_year, year))) {
        const std::string was = dsl::printable(carried_year), now = dsl::printable(year);
        const std::string twice = carried_year == year ? ", so its grants would be carried twice" : "";
        // Located at the year the inputs write, when they write it.
        if (const auto at = eval::fiscal_year_range(plan, *inputs); at.valid) {
            dsl::Diagnostics diags;
            diags.error(at, "the inputs are for {}, and the result carried from (--carry {}) is {}'s, not the year before's{}",
                        now, dsl::printable(from.result), was, twice)
                .hint = fmt::format("carry the result of the year before {}", now);
            print_diagnostics(sm, diags);
        } else {
            std::fprintf(stderr, "hoshu: error: --carry %s: the result carried from is %s's, not the year before %s's (the fiscal year of "
                                 "%s)%s: carry the result of the year before %s\n",
                         dsl::printable(from.result).c_str(), was.c_str(), now.c_str(), dsl::printable(inputs_path).c_str(),
                         twice.c_str(), now.c_str());
        }
        exit = Exit::usage;
        return std::nullopt;
    }
    return std::move(*inputs);
}

void seal_carried(eval::Seal& seal, const CarryUsed& used, const std::string& result_path) {
    if (used.path.empty()) return;
    eval::seal_carry(seal, used.path, used.bytes, result_path);
    seal.carried_from_register = used.from_register;
    seal.carried_events = used.events;
}

}  // namespace hoshu::cli
