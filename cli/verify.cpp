// hoshu verify RESULT.json [--rules DIR] [--inputs FILE] [--carry FILE] [--register FILE.db]
//                          [--expect-rules-sha256 HEX] [--expect-inputs-sha256 HEX]
// Confirm that a result written by `hoshu eval --format json` came from the rules and
// inputs it names (or the auditor's copies of them): the seal is recomputed from the files
// as they are — before anything is parsed — then the plan is evaluated again and every
// value compared exactly (evaluator/output/verify.hpp).
// Exit 0 when everything agrees; 1 with the differences; 2 when a file cannot be read or
// is not an eval result.
#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/commands.hpp"
#include "cli/verified.hpp"
#include "cli/common.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/output/eval_report.hpp"
#include "evaluator/output/carried.hpp"
#include "evaluator/output/seal.hpp"
#include "evaluator/output/verify.hpp"
#include "evaluator/register/carry.hpp"
#include "evaluator/register/register.hpp"

namespace hoshu::cli {

namespace {

namespace fs = std::filesystem;

/// Larger files are not results, rules or inputs hoshu verifies.
constexpr std::size_t max_file_bytes = std::size_t{64} << 20;

bool read_regular_file(const fs::path& path, std::string& text, std::string& why) {
    return dsl::read_regular_file_at_most(path.string(), max_file_bytes, text, why);
}

/// `--expect-…-sha256 HEX`: 64 hexadecimal digits, kept in lowercase as sha256sum prints them.
bool read_expected_hash(const char* option, const std::string& given, std::string& hash) {
    hash.clear();
    if (given.empty()) return true;
    bool hex = given.size() == 64 && std::all_of(given.begin(), given.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!hex) {
        std::fprintf(stderr, "hoshu: error: %s takes a SHA-256: 64 hexadecimal digits, as sha256sum prints it\n", option);
        return false;
    }
    for (char c : given) hash += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return true;
}

int not_verified(const std::string& result, const std::vector<std::string>& differences) {
    std::string report = fmt::format("NOT verified: {} differs in {} place{}\n", dsl::printable(result),
                                     differences.size(), differences.size() == 1 ? "" : "s");
    for (const auto& d : differences) report += "  " + d + "\n";
    std::string error;
    if (!write_output("", report, error)) return output_failed(error);
    return Exit::failure;
}

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string describe_event(const eval::StoredEvent& e) { return fmt::format("event {} ({})", e.id, e.date); }

/// How `sealed` (a result's seal.carried_events) differs from what `hoshu eval --register`
/// writes for `year` carried from `prior`: the events it applies, each once, in the order
/// they apply (by date, then as recorded). An event recorded after the last one listed may
/// have come after the evaluation: it is not asked for.
std::vector<std::string> carried_events_differences(const std::vector<eval::SealedEvent>& sealed,
                                                    const eval::StoredResult& prior,
                                                    const std::vector<eval::StoredResult>& results,
                                                    const std::vector<eval::StoredEvent>& events, const std::string& year,
                                                    const std::string& last_day) {
    std::vector<std::string> out;
    auto stored = [&](std::int64_t id) -> const eval::StoredEvent* {
        auto e = std::find_if(events.begin(), events.end(), [&](const eval::StoredEvent& x) { return x.id == id; });
        return e == events.end() ? nullptr : &*e;
    };
    auto listed = [&](std::int64_t id) {
        return std::any_of(sealed.begin(), sealed.end(), [&](const eval::SealedEvent& x) { return x.id == id; });
    };
    // Each once, in the order they apply.
    std::vector<const eval::StoredEvent*> in_order;
    std::int64_t last_seq = 0;
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        const eval::StoredEvent* e = stored(sealed[i].id);
        if (e == nullptr) continue;   // named above
        if (std::any_of(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(i),
                        [&](const eval::SealedEvent& x) { return x.id == sealed[i].id; })) {
            out.push_back(fmt::format("seal.carried_events lists event {} twice: hoshu applies each event once, and lists it once",
                                      e->id));
            continue;
        }
        if (!in_order.empty()) {
            const eval::StoredEvent& before = *in_order.back();
            bool after = before.date != e->date ? before.date < e->date : before.seq < e->seq;
            if (!after)
                out.push_back(fmt::format("seal.carried_events lists {} after {}: hoshu lists the events in the order it applies "
                                          "them, by date, then as recorded",
                                          describe_event(*e), describe_event(before)));
        }
        in_order.push_back(e);
        last_seq = std::max(last_seq, e->seq);
    }
    // The events the year takes from the register, and those it may have taken when the
    // year was evaluated (before a later record of the year left some to the next year).
    const auto for_year = eval::events_for_year(prior, results, events, year, last_day);
    const auto carried = eval::events_to_carry(prior, results, events);
    for (const eval::StoredEvent* e : in_order) {
        bool may_apply = std::any_of(carried.begin(), carried.end(), [&](const eval::StoredEvent& x) {
            return x.id == e->id && (last_day.empty() || x.date <= last_day);
        });
        if (!may_apply)
            out.push_back(fmt::format("seal.carried_events lists {}, which an evaluation of {} carried from the {} record {} does "
                                      "not apply",
                                      describe_event(*e), dsl::printable(year), dsl::printable(prior.fiscal_year), prior.id));
    }
    for (const auto& e : for_year.apply) {
        if (e.seq < last_seq && !listed(e.id))
            out.push_back(fmt::format("seal.carried_events leaves out {}, which hoshu applies with the events it lists (it "
                                      "applies every event recorded before them that falls within {})",
                                      describe_event(e), dsl::printable(year)));
    }
    return out;
}

}  // namespace

int verify_result_file(const VerifyArgs& args, const OnVerified& on_verified) {
    const std::string shown_result = dsl::printable(args.result);
    std::string text, why;
    if (!read_regular_file(args.result, text, why)) {
        std::fprintf(stderr, "hoshu: error: cannot read `%s`: %s\n", shown_result.c_str(), why.c_str());
        return Exit::usage;
    }
    std::vector<std::string> differences;
    int exit = verify_result(args, text, differences, on_verified);
    if (exit == Exit::usage) return exit;
    if (!differences.empty()) return not_verified(args.result, differences);
    return exit;
}

int run_verify(const VerifyArgs& args) {
    return verify_result_file(args, [&](const Verified& v) {
        std::string error;
        if (!write_output("", fmt::format("verified: {} matches rules {} (sha256 {}) and inputs {} (sha256 {})\n",
                                          dsl::printable(args.result), dsl::printable(v.plan_dir), v.seal_now.rules_sha256,
                                          dsl::printable(v.inputs_path), v.seal_now.inputs_sha256),
                          error))
            return output_failed(error);
        return static_cast<int>(Exit::success);
    });
}

int verify_result(const VerifyArgs& args, const std::string& text, std::vector<std::string>& differences,
                  const OnVerified& on_verified) {
    std::string expect_rules, expect_inputs;
    if (!read_expected_hash("--expect-rules-sha256", args.expect_rules_sha256, expect_rules) ||
        !read_expected_hash("--expect-inputs-sha256", args.expect_inputs_sha256, expect_inputs))
        return Exit::usage;
    // (A register's stored result is named by its register and record, not by the
    // temporary copy verified, which is gone when the message is read.)
    const std::string shown_result =
        args.result_shown.empty() ? "`" + dsl::printable(args.result) + "`" : dsl::printable(args.result_shown);
    std::string why;
    auto recorded = eval::read_result(text);
    if (!recorded) {
        for (const auto& d : recorded.error().items())
            std::fprintf(stderr, "hoshu: error: %s: %s\n", shown_result.c_str(), d.message.c_str());
        return Exit::usage;
    }
    const eval::Seal& seal = recorded->seal;

    // The rules and inputs: the auditor's copies when she names them; else the paths the
    // seal records, from the result's folder when it was written with --out (the folder the
    // file is in, a symbolic link to it followed).
    const fs::path result_folder = eval::result_folder(args.result);
    auto locate = [&](const std::string& given, const std::string& recorded_path) {
        if (!given.empty()) return given;
        if (seal.relative_to == eval::SealPaths::result && fs::path(recorded_path).is_relative())
            return (result_folder / recorded_path).lexically_normal().string();
        return recorded_path;
    };
    auto hint = [&](const std::string& given, const std::string& path, const char* option) {
        std::error_code missing;
        if (!given.empty() || fs::exists(fs::symlink_status(path, missing))) return std::string();
        if (seal.relative_to == eval::SealPaths::working_directory)
            return fmt::format(" (the result names it from the folder `hoshu eval` ran in; name your copy with {})", option);
        return fmt::format(" (name your copy with {})", option);
    };
    const std::string plan_dir = locate(args.rules, seal.plan_path);
    const std::string inputs_path = locate(args.inputs, seal.inputs_path);
    std::error_code ec;
    if (!fs::exists(plan_dir, ec)) {
        std::fprintf(stderr, "hoshu: error: there is no plan at `%s`%s\n", dsl::printable(plan_dir).c_str(),
                     hint(args.rules, plan_dir, "--rules DIR").c_str());
        return Exit::usage;
    }
    if (const std::string not_one = not_a_plan_path(plan_dir); !not_one.empty()) {
        std::fprintf(stderr, "hoshu: error: cannot read the plan `%s`: %s%s\n", dsl::printable(plan_dir).c_str(),
                     not_one.c_str(), args.rules.empty() ? " (name your copy with --rules DIR)" : "");
        return Exit::usage;
    }
    std::string inputs_text;
    if (!read_regular_file(inputs_path, inputs_text, why)) {
        std::fprintf(stderr, "hoshu: error: cannot read the inputs `%s`: %s%s\n", dsl::printable(inputs_path).c_str(),
                     why.c_str(), hint(args.inputs, inputs_path, "--inputs FILE").c_str());
        return Exit::usage;
    }

    // The seal first, from the files as they are, before anything is checked: inputs that
    // are not the recorded ones are never read as TOML (nor shown), rule files that changed
    // are named rather than checked (they are parsed only for their imports).
    eval::Seal files_now;
    files_now.plan_path = plan_dir;
    files_now.inputs_path = inputs_path;
    files_now.engine = std::string("hoshu ") + HOSHU_VERSION;
    files_now.inputs_sha256 = eval::sha256_hex(inputs_text);
    // The earlier result the records were carried from: the very file (its hash), read
    // as it was then (it was verified when this result was made); or, carried from a
    // grant register, the recorded result of that hash and the events the seal names,
    // each as the register's hash chain holds it.
    std::string carry_path, carry_text, carry_shown;
    std::vector<eval::StoredEvent> carried_events;
    // From a register: its results and events, and the result carried from (which leavers
    // the carried records leave out depends on them).
    std::vector<eval::StoredResult> register_results;
    std::vector<eval::StoredEvent> register_events;
    std::optional<eval::StoredResult> carried_result;
    std::int64_t carried_prior_id = 0;                  // the record carried from
    if (!seal.carried_from.empty() && seal.carried_from_register) {
        carry_path = args.register_db.empty() ? locate(std::string(), seal.carried_from) : args.register_db;
        const std::string shown_db = dsl::printable(carry_path);
        auto reg = eval::Register::open(carry_path);
        if (!reg) {
            for (const auto& d : reg.error().items())
                std::fprintf(stderr, "hoshu: error: the register the carried records were read from: %s%s\n", d.message.c_str(),
                             args.register_db.empty() ? " (name your copy with --register FILE.db)" : "");
            return Exit::usage;
        }
        auto results = reg->results();
        auto events = reg->events();
        auto problems = reg->verify_chain();
        auto unreadable = [&](const dsl::Diagnostics& d) {
            for (const auto& item : d.items()) std::fprintf(stderr, "hoshu: error: %s: %s\n", shown_db.c_str(), item.message.c_str());
            return static_cast<int>(Exit::usage);
        };
        if (!results) return unreadable(results.error());
        if (!events) return unreadable(events.error());
        if (!problems) return unreadable(problems.error());
        if (!problems->empty())
            differences.push_back(fmt::format("the register {} was changed behind hoshu's back ({} place{}: `hoshu register verify {}` names them)",
                                              shown_db, problems->size(), problems->size() == 1 ? "" : "s", shown_db));
        const eval::StoredResult* prior = eval::result_with_sha256(*results, seal.carried_sha256);
        if (prior == nullptr) {
            differences.push_back(fmt::format("the register {} holds no recorded result of sha256 {}, which the records were carried from",
                                              shown_db, seal.carried_sha256));
        } else {
            carry_text = prior->result_json;
            carry_shown = fmt::format("{}, {} record {}", carry_path, prior->fiscal_year, prior->id);
            carried_prior_id = prior->id;
            carried_result = *prior;
        }
        for (const auto& sealed : seal.carried_events) {
            auto e = std::find_if(events->begin(), events->end(), [&](const eval::StoredEvent& x) { return x.id == sealed.id; });
            if (e == events->end())
                differences.push_back(fmt::format("the register {} has no event {}, which was applied to the carried records", shown_db, sealed.id));
            else if (e->hash != sealed.hash)
                differences.push_back(fmt::format("event {} of the register {} is not the one applied: sealed hash {}, now {}", sealed.id,
                                                  shown_db, sealed.hash, e->hash));
            else
                carried_events.push_back(*e);
        }
        if (!differences.empty()) return Exit::failure;
        register_results = std::move(*results);
        register_events = std::move(*events);
        eval::seal_carry(files_now, carry_path, carry_text);
        files_now.carried_from_register = true;
        files_now.carried_events = seal.carried_events;
    } else if (!seal.carried_from.empty()) {
        carry_path = args.carry.empty() ? locate(std::string(), seal.carried_from) : args.carry;
        carry_shown = args.carry_shown.empty() ? carry_path : args.carry_shown;
        if (!read_regular_file(carry_path, carry_text, why)) {
            std::fprintf(stderr, "hoshu: error: cannot read the carried result `%s`: %s%s\n",
                         dsl::printable(carry_path).c_str(), why.c_str(), hint(args.carry, carry_path, "--carry FILE").c_str());
            return Exit::usage;
        }
        eval::seal_carry(files_now, carry_path, carry_text);
    }
    for (const auto& f : seal.rule_files) {
        if (!ends_with(f.path, ".hoshu"))
            differences.push_back(fmt::format("seal.rule_files names {}, which is not a rule file (.hoshu)",
                                              dsl::printable(f.path)));
    }
    // The rule files as the plan reads them now — its folder's and what they import — read
    // but not checked: a file added since is named, and the hash is the one `hoshu seal`
    // prints for the plan as it is.
    dsl::SourceManager rules_now;
    dsl::Diagnostics unreadable_rules;
    auto rule_ids = eval::read_rule_files(rules_now, plan_dir, unreadable_rules);
    for (const auto& d : unreadable_rules.items()) {
        if (d.severity != dsl::Severity::error) continue;
        std::string where = d.range.valid ? dsl::printable(rules_now.file(d.range.file).path()) + ": " : std::string();
        differences.push_back(fmt::format("the rules cannot be read as they are now: {}{}", where, d.message));
    }
    if (auto sealed = eval::seal_rule_files(rule_ids, rules_now, plan_dir)) {
        files_now.rule_files = std::move(*sealed);
    } else {
        for (const auto& d : sealed.error().items()) differences.push_back(d.message);
    }
    files_now.rules_sha256 = eval::sha256_hex(eval::seal_listing(files_now.rule_files));
    // A result sealed before tests were left out of the seal hashed each file whole, tests
    // too: its rules are these when every file is the same byte for byte. Its differences
    // are named against the files whole (a file of tests only is not "removed"), and that
    // it must be evaluated again to leave its tests out.
    bool sealed_whole = false, read_whole = false;
    if (seal.rules_sha256 != files_now.rules_sha256) {
        if (auto whole = eval::seal_rule_files(rule_ids, rules_now, plan_dir, eval::SealTests::whole_files)) {
            std::map<std::string, std::string> whole_now, sealed_now;
            for (const auto& f : *whole) whole_now[f.path] = f.sha256;
            for (const auto& f : files_now.rule_files) sealed_now[f.path] = f.sha256;
            for (const auto& f : seal.rule_files) {
                auto w = whole_now.find(f.path);
                auto t = sealed_now.find(f.path);
                if (w != whole_now.end() && w->second == f.sha256 && (t == sealed_now.end() || t->second != f.sha256))
                    sealed_whole = true;
                if (w != whole_now.end() && t == sealed_now.end()) sealed_whole = true;   // a file of tests only
            }
            const auto sha = eval::sha256_hex(eval::seal_listing(*whole));
            if (sha == seal.rules_sha256 || sealed_whole) {
                files_now.rule_files = std::move(*whole);
                files_now.rules_sha256 = sha;
                sealed_whole = sha != seal.rules_sha256;
                read_whole = true;
            }
        }
    }
    auto seal_now = eval::seal_differences(seal, files_now);
    differences.insert(differences.begin(), seal_now.begin(), seal_now.end());
    if (sealed_whole)
        differences.push_back("the result was sealed by an earlier hoshu, whose seal covered the tests too (hoshu leaves "
                              "them out now): evaluate it again to seal it without them");
    // The approved rules and inputs: the seal must be theirs (and the files, above, the seal's).
    if (!expect_rules.empty() && seal.rules_sha256 != expect_rules)
        differences.push_back(fmt::format("the rules are not the approved ones: sealed sha256 {}, --expect-rules-sha256 {}",
                                          seal.rules_sha256, expect_rules));
    if (!expect_inputs.empty() && seal.inputs_sha256 != expect_inputs)
        differences.push_back(fmt::format("the inputs are not the approved ones: sealed sha256 {}, --expect-inputs-sha256 {}",
                                          seal.inputs_sha256, expect_inputs));
    if (!differences.empty()) return Exit::failure;

    // The same files: load, evaluate and compare everything.
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, plan_dir, false, exit, args.plan_warnings);
    if (!plan) return exit;
    std::vector<eval::InputFile::Carried> carried;
    if (!carry_path.empty()) {
        auto prior = eval::read_result(carry_text);
        if (!prior) {
            for (const auto& d : prior.error().items())
                std::fprintf(stderr, "hoshu: error: `%s`: %s\n", dsl::printable(carry_shown).c_str(), d.message.c_str());
            return Exit::usage;
        }
        if (seal.carried_from_register) {
            // As `eval --register` does: the leaves the carried-from year's own evaluation took,
            // on that year's own grants, then the events the seal lists.
            auto own = carried_result ? eval::apply_events(*prior, eval::own_year_leaves(*carried_result, register_events))
                                      : Result<std::vector<std::string>>(std::vector<std::string>{});
            auto notes = own ? eval::apply_events(*prior, carried_events) : std::move(own);
            if (!notes) {
                for (const auto& d : notes.error().items())
                    std::fprintf(stderr, "hoshu: error: %s: %s\n", dsl::printable(carry_shown).c_str(), d.message.c_str());
                return Exit::usage;
            }
            if (carried_result)
                drop_register_leavers(*plan, *prior, *carried_result, register_results, register_events, carried_events,
                                      inputs_path, inputs_text);
        }
        auto records = eval::carried_records(*prior, *plan, carry_shown);
        if (!records) {
            print_diagnostics(sm, records.error());
            return Exit::usage;
        }
        carried = std::move(*records);
    }
    auto inputs = eval::InputFile::parse_with_carried(sm, inputs_path, std::move(inputs_text), carried);
    if (!inputs) {
        print_diagnostics(sm, inputs.error());
        return Exit::usage;
    }
    eval::EvalOptions options;
    options.as_of = recorded->as_of;
    options.carry = true;
    auto outcome = eval::evaluate(*plan, *inputs, options);
    if (!outcome) {
        print_diagnostics(sm, outcome.error());
        return Exit::failure;
    }
    auto now = eval::make_seal(*plan, sm, plan_dir, *inputs, options);
    if (!now) {
        print_diagnostics(sm, now.error());
        return Exit::failure;
    }
    if (read_whole) {   // the result was sealed whole, as the files are compared with it
        if (auto whole = eval::seal_rule_files(plan->file_ids, sm, plan_dir, eval::SealTests::whole_files)) {
            now->rule_files = std::move(*whole);
            now->rules_sha256 = eval::sha256_hex(eval::seal_listing(now->rule_files));
        }
    }
    if (!carry_path.empty()) {
        eval::seal_carry(*now, carry_path, carry_text);
        now->carried_from_register = files_now.carried_from_register;
        now->carried_events = files_now.carried_events;
    }
    const std::string year = eval::fiscal_year(*plan, *outcome, *inputs, options);
    differences = eval::result_differences(*recorded, *plan, *outcome, *now, year);
    if (carried_prior_id != 0) {
        auto prior = std::find_if(register_results.begin(), register_results.end(),
                                  [&](const eval::StoredResult& r) { return r.id == carried_prior_id; });
        assert(prior != register_results.end());
        eval::Session session(*plan, *inputs, options);
        auto wrong = carried_events_differences(seal.carried_events, *prior, register_results, register_events, year,
                                                eval::year_last_day(*plan, session));
        differences.insert(differences.end(), wrong.begin(), wrong.end());
    }
    if (!differences.empty()) return Exit::failure;
    return on_verified(Verified{text, *recorded, *plan, sm, *inputs, *outcome, *now, plan_dir, inputs_path, options});
}

}  // namespace hoshu::cli
