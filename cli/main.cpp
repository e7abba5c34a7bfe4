// hoshu <command>: the command line. Arguments are parsed by CLI11; each command lives
// in its own file.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <new>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"
#include "dsl/base/threads.hpp"
#include "dsl/base/unicode.hpp"
#include "evaluator/output/eval_report.hpp"

namespace {

int run_command(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
    hoshu::cli::prepare_output();
    // Rule files and inputs decide how deep the checker and the evaluator recurse (each
    // within its own limit): commands run on a 512 MB stack reservation.
    int result = 0;
    try {
        hoshu::run_on_large_stacks(1, std::size_t{512} << 20, [&](unsigned) { result = run_command(argc, argv); });
    } catch (const std::bad_alloc&) {
        // Whatever the command held is freed by now (its files left unwritten, temporary
        // files removed); the message allocates nothing.
        std::fputs("hoshu: error: out of memory: the command needed more memory than it may use (`ulimit -v`, "
                   "a container's limit, the machine's)\n",
                   stderr);
        result = hoshu::cli::Exit::usage;
    }
    return hoshu::cli::finish_output(result);
}

namespace {

/// A whole number in [min, max], written in decimal digits only: no sign, no `0x`, no
/// exponent, nothing CLI11's own conversion would wrap (`-1`), clamp or read as octal
/// (`010` is ten).
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
    return CLI::Validator(
        [min, max](std::string& text) -> std::string {
            std::uint64_t value = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || end != text.data() + text.size() || ec != std::errc() || value < min || value > max)
                return fmt::format("`{}` is not a whole number from {} to {}", text, min, max);
            text = std::to_string(value);   // what CLI11 then reads: no leading zero
            return std::string();
        },
        fmt::format("UINT in [{} - {}]", min, max));
}

/// An id or a name given on the command line, in Unicode NFC as hoshu compares every text:
/// `--director Ré` finds the director whatever form the terminal typed é in.
CLI::Validator in_nfc() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            hoshu::dsl::to_nfc(text);
            return std::string();
        },
        "");
}

int run_command(int argc, char** argv) {
    using namespace hoshu::cli;
    CLI::App app{"hoshu: director compensation rules, checked and evaluated exactly"};
    app.set_version_flag("--version", std::string("hoshu ") + HOSHU_VERSION);
    app.require_subcommand(1, 1);

    CheckArgs check;
    auto* check_cmd = app.add_subcommand("check", "Parse, resolve, type- and unit-check a plan; no inputs needed");
    check_cmd->add_option("plan", check.plan, "Folder of .hoshu rule files")->required();
    check_cmd->add_flag("--strict", check.strict, "Treat warnings as errors");

    EvalArgs ev;
    auto* eval_cmd = app.add_subcommand("eval", "Evaluate a plan on a TOML input file");
    eval_cmd->add_option("plan", ev.plan, "Folder of .hoshu rule files")->required();
    eval_cmd->add_option("--inputs,-i", ev.inputs, "TOML input file")->required();
    eval_cmd->add_option("--carry", ev.carry,
                         "Last year's JSON result: verified, then its carried records read as these inputs' (the plan's `carry`)");
    eval_cmd->add_option("--format,-f", ev.format, "table, json, csv or xlsx")
        ->check(CLI::IsMember(hoshu::eval::eval_format_names()))
        ->capture_default_str();
    eval_cmd->add_option("--out,-o", ev.out, "Write to this file (whole or not at all) instead of stdout");
    eval_cmd->add_option("--as-of", ev.as_of, "Evaluate with the rules as they stood on this date (YYYY-MM-DD)");
    eval_cmd->add_flag("--csv-bom,!--no-csv-bom", ev.csv_bom,
                       "Start the CSV with a UTF-8 byte-order mark, which Excel needs to read UTF-8 (default: on)");
    eval_cmd->add_option("--register", ev.register_db,
                         "A grant register: carry the records of its latest result before these inputs' fiscal year, with the events recorded since");

    ExplainArgs ex;
    auto* explain_cmd = app.add_subcommand("explain", "Explain how a value was derived, step by step, with citations");
    explain_cmd->add_option("plan", ex.plan, "Folder of .hoshu rule files")->required();
    explain_cmd->add_option("--inputs,-i", ex.inputs, "TOML input file")->required();
    explain_cmd->add_option("--carry", ex.carry, "Last year's JSON result, verified, whose carried records are read (as eval)");
    explain_cmd->add_option("--register", ex.register_db, "A grant register whose last year's records are carried (as eval)");
    explain_cmd->add_option("--director,-d", ex.director, "The director (or record) id; not needed for a plan-wide value")->transform(in_nfc());
    explain_cmd->add_option("--value,-v", ex.value, "One output or definition (default: every output)")->transform(in_nfc());
    explain_cmd->add_option("--format,-f", ex.format, "text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    explain_cmd->add_option("--as-of", ex.as_of, "Evaluate with the rules as they stood on this date (YYYY-MM-DD)");

    ReportArgs rp;
    auto* report_cmd = app.add_subcommand(
        "report", "The auditor's working paper: every director's derivations, the seal and the clauses, as one HTML file");
    report_cmd->add_option("plan", rp.plan, "Folder of .hoshu rule files")->required();
    report_cmd->add_option("--inputs,-i", rp.inputs, "TOML input file")->required();
    report_cmd->add_option("--director,-d", rp.directors, "A director (or record) id; repeat for several (default: every one)")
        ->transform(in_nfc())
        ->take_all();
    report_cmd->add_option("--carry", rp.carry, "Last year's JSON result, verified, whose carried records are read (as eval)");
    report_cmd->add_option("--register", rp.register_db, "A grant register whose last year's records are carried (as eval)");
    report_cmd->add_option("--out,-o", rp.out, "Write to this HTML file (whole or not at all) instead of stdout");
    report_cmd->add_option("--as-of", rp.as_of, "Evaluate with the rules as they stood on this date (YYYY-MM-DD)");

    DocArgs dc;
    auto* doc_cmd = app.add_subcommand(
        "doc", "The literate plan: each declaration beside the clauses it encodes, tables as charts, as one HTML file");
    doc_cmd->add_option("plan", dc.plan, "Folder of .hoshu rule files")->required();
    doc_cmd->add_option("--against", dc.against, "A base plan folder: mark what the revision changes, old and new curves in one chart");
    doc_cmd->add_option("--out,-o", dc.out, "Write to this HTML file (whole or not at all) instead of stdout");

    InputsArgs in;
    auto* inputs_cmd = app.add_subcommand(
        "inputs", "The inputs template: every key the plan reads, commented with its type, range and clauses, as TOML");
    inputs_cmd->add_option("plan", in.plan, "Folder of .hoshu rule files")->required();
    inputs_cmd->add_option("--out,-o", in.out, "Write to this TOML file (whole or not at all) instead of stdout");

    TestArgs ts;
    auto* test_cmd = app.add_subcommand("test", "Run the tests written in the plan's rule files");
    test_cmd->add_option("plan", ts.plan, "Folder of .hoshu rule files")->required();
    test_cmd->add_flag("--update", ts.update,
                       "Rewrite the expected value of each failing `expect NAME = VALUE` with the actual value");

    VerifyArgs vf;
    auto* verify_cmd = app.add_subcommand("verify", "Confirm a JSON result's seal and every value by recomputing it");
    verify_cmd->add_option("result", vf.result, "A result written by `hoshu eval --format json`")->required();
    verify_cmd->add_option("--rules", vf.rules, "Your copy of the plan folder (default: the one the result names)");
    verify_cmd->add_option("--inputs,-i", vf.inputs, "Your copy of the inputs file (default: the one the result names)");
    verify_cmd->add_option("--carry", vf.carry, "Your copy of the result it carried from (default: the one the result names)");
    verify_cmd->add_option("--register", vf.register_db, "Your copy of the register it carried from (default: the one the result names)");
    verify_cmd->add_option("--expect-rules-sha256", vf.expect_rules_sha256,
                           "The approved rules' SHA-256 (as `hoshu seal PLAN | sha256sum` prints it): fail on any other");
    verify_cmd->add_option("--expect-inputs-sha256", vf.expect_inputs_sha256,
                           "The approved inputs' SHA-256 (as `sha256sum FILE` prints it): fail on any other");

    SealArgs sl;
    auto* seal_cmd = app.add_subcommand("seal", "Print the sha256sum listing of the rule files a plan loads (its SHA-256 is the seal's rules_sha256)");
    seal_cmd->add_option("plan", sl.plan, "Folder of .hoshu rule files")->required();
    seal_cmd->add_option("--text", sl.text,
                         "Print this rule file (a path as the listing names it) as the seal hashes it: without its tests");

    DiffArgs df;
    auto* diff_cmd = app.add_subcommand("diff", "Compare two versions of a plan: awards on the same inputs, and changed rules");
    diff_cmd->add_option("base", df.base, "Folder of the base (earlier) plan's .hoshu rule files")->required();
    diff_cmd->add_option("head", df.head, "Folder of the head (revised) plan's .hoshu rule files")->required();
    diff_cmd->add_option("--inputs,-i", df.inputs, "TOML input files (one or more)")->required()->expected(1, -1);
    diff_cmd->add_option("--carry", df.carry, "Last year's JSON result, verified, whose carried records both plans read (as eval)");
    diff_cmd->add_option("--register", df.register_db, "A grant register whose last year's records both plans read (as eval)");
    diff_cmd->add_option("--price", df.price,
                         "A plan-wide price, in a currency per share or other counted unit (as grant_price): value every award in that unit at it, as each plan computes it");
    diff_cmd->add_option("--format,-f", df.format, "text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();

    FmtArgs fm;
    auto* fmt_cmd = app.add_subcommand("fmt", "Rewrite rule files in the canonical layout (comments kept)");
    fmt_cmd->add_option("files", fm.paths, ".hoshu files, or folders of them")->required()->expected(1, -1);
    fmt_cmd->add_flag("--check", fm.check, "Write nothing; list the files that would change (exit 1 if any)");

    BatchArgs ba;
    auto* batch_cmd = app.add_subcommand("batch", "Evaluate the plan once per scenario (CSV rows or a grid of values); one CSV row per scenario and director");
    batch_cmd->add_option("plan", ba.plan, "Folder of .hoshu rule files")->required();
    batch_cmd->add_option("--inputs,-i", ba.inputs, "TOML input file: the base every scenario changes")->required();
    batch_cmd->add_option("--carry", ba.carry, "Last year's JSON result, verified, whose carried records are read (as eval)");
    batch_cmd->add_option("--register", ba.register_db, "A grant register whose last year's records are carried (as eval)");
    batch_cmd->add_option("--scenarios,-s", ba.scenarios, "CSV file: a header of input paths (and an optional `scenario` column), one scenario per row");
    batch_cmd->add_option("--grid,-g", ba.grid, "PATH=LOW..HIGH:STEP or PATH=v1,v2,…; repeat for a cartesian product")
        ->expected(1, -1)->take_all();
    batch_cmd->add_option("--out,-o", ba.out, "Write to this file (whole or not at all) instead of stdout");
    batch_cmd->add_option("--on-error", ba.on_error, "stop at the first bad scenario, or skip it and go on")
        ->check(CLI::IsMember({"stop", "skip"}))
        ->capture_default_str();
    batch_cmd->add_option("--as-of", ba.as_of, "Evaluate with the rules as they stood on this date (YYYY-MM-DD)");
    batch_cmd->add_option("--against", ba.against,
                          "A base plan folder: evaluate it on the same scenarios; each output as base, head and change");
    batch_cmd->add_option("--engine", ba.engine,
                          "compiled: compile the plan's varied path to machine code (cached) and run it, the "
                          "interpreter taking any scenario it gives up; interpreter: never; auto: compiled when "
                          "already compiled or the scenarios are many")
        ->check(CLI::IsMember({"auto", "compiled", "interpreter"}))
        ->capture_default_str();

    SimulateArgs si;
    auto* simulate_cmd = app.add_subcommand("simulate", "Monte Carlo: sample inputs and the share price, evaluate every path exactly, report distributions and fair values");
    simulate_cmd->add_option("plan", si.plan, "Folder of .hoshu rule files")->required();
    simulate_cmd->add_option("--inputs,-i", si.inputs, "TOML input file: the base every path changes")->required();
    simulate_cmd->add_option("--model,-m", si.model, "TOML model file: distributions, share price process, events")->required();
    simulate_cmd->add_option("--carry", si.carry, "Last year's JSON result, verified, whose carried records are read (as eval)");
    simulate_cmd->add_option("--register", si.register_db, "A grant register whose last year's records are carried (as eval)");
    simulate_cmd->add_option("--paths,-n", si.paths, "Number of paths")->capture_default_str()->transform(whole_number(1, 1'000'000'000));
    simulate_cmd->add_option("--seed", si.seed, "Random seed: the same seed gives the same numbers, whatever --threads")
        ->capture_default_str()
        ->transform(whole_number(0, std::numeric_limits<std::uint64_t>::max()));
    simulate_cmd->add_option("--threads,-j", si.threads, "Worker threads (default: one per core)")->transform(whole_number(0, 1024));
    simulate_cmd->add_option("--format,-f", si.format, "table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    simulate_cmd->add_option("--out,-o", si.out, "Write to this file (whole or not at all) instead of stdout");
    simulate_cmd->add_option("--histogram", si.histogram, "Draw each director's grant distribution into this SVG file");
    simulate_cmd->add_option("--as-of", si.as_of, "Evaluate with the rules as they stood on this date (YYYY-MM-DD)");
    simulate_cmd->add_option("--engine", si.engine,
                             "compiled: compile the plan's sampled path to machine code (cached) and run it, the "
                             "interpreter taking any path it gives up; interpreter: never; auto: compiled when "
                             "already compiled or the paths are 250,000 or more")
        ->check(CLI::IsMember({"auto", "compiled", "interpreter"}))
        ->capture_default_str();
    simulate_cmd->add_option("--distinct-values", si.distinct_values,
                             "Distinct values each output keeps in memory; past it, the percentiles are found by "
                             "further passes over the same paths (the same numbers, more time, less memory)")
        ->capture_default_str()
        ->transform(whole_number(4, 1'000'000'000));
    simulate_cmd->add_option("--against", si.against,
                             "A base plan folder: evaluate it on the same paths; each output under both plans and the change");

    RegisterArgs rg;
    auto* register_cmd = app.add_subcommand("register", "The grant register: every sealed result, year after year, and what happened to the grants since");
    register_cmd->require_subcommand(1, 1);
    auto* rg_init = register_cmd->add_subcommand("init", "Create a new, empty register");
    rg_init->add_option("db", rg.db, "The register (an SQLite file) to create")->required();
    auto* rg_record = register_cmd->add_subcommand("record", "Record a sealed result of `hoshu eval --format json`, once it verifies");
    rg_record->add_option("db", rg.db, "The register")->required();
    rg_record->add_option("result", rg.result, "A result written by `hoshu eval --format json`")->required();
    rg_record->add_flag("--supersede", rg.supersede, "Replace the year's current record (which stays, marked superseded)");
    rg_record->add_option("--reason", rg.reason, "Why the year is recorded again (with --supersede)");
    rg_record->add_option("--by", rg.by, "Who records it (default: the login name)");
    rg_record->add_option("--grants", rg.grants, "The outputs that are share grants (default: those the plan declares, `plan … grants a, b`, else every output in shares)")
        ->delimiter(',');
    rg_record->add_option("--rules", rg.rules, "Your copy of the plan folder (default: the one the result names)");
    rg_record->add_option("--inputs,-i", rg.inputs, "Your copy of the inputs file (default: the one the result names)");
    auto* rg_event = register_cmd->add_subcommand("event", "Record what happened to a director's grants: a restriction lifting, leaving, a clawback, an additional grant, a reassessed rate");
    rg_event->add_option("db", rg.db, "The register")->required();
    rg_event->add_option("--director,-d", rg.director, "The director (record) id")->transform(in_nfc())->required();
    rg_event->add_option("--kind", rg.kind, "lift, leave, clawback, additional or rate")->required()
        ->check(CLI::IsMember({"lift", "leave", "clawback", "additional", "rate"}));
    rg_event->add_option("--date", rg.date, "When it takes effect (YYYY-MM-DD)")->required();
    rg_event->add_option("--reason", rg.reason, "Why (the board's resolution, the clause, …)")->required();
    rg_event->add_option("--year", rg.year, "The grants of this fiscal year only (an additional grant: the year it is for)")->transform(in_nfc());
    rg_event->add_option("--grant", rg.grant, "This grant only (the output's name: annual_rs_shares)")->transform(in_nfc());
    rg_event->add_option("--shares", rg.shares, "Whole shares: part of a grant to lift, a clawback, an additional grant");
    rg_event->add_option("--rate", rg.rate, "The committee's reassessed rate, exactly as decided (--kind rate)");
    rg_event->add_option("--by", rg.by, "Who records it (default: the login name)");
    auto* rg_verify = register_cmd->add_subcommand("verify", "Recompute the register's hash chain: name every row edited behind hoshu's back");
    rg_verify->add_option("db", rg.db, "The register")->required();
    auto* rg_show = register_cmd->add_subcommand("show", "Each director's grants, balances and events");
    rg_show->add_option("db", rg.db, "The register")->required();
    rg_show->add_option("--director,-d", rg.director, "Only this director")->transform(in_nfc());
    rg_show->add_option("--as-of", rg.as_of, "Balances on this date (YYYY-MM-DD; default: after every event)");
    auto* rg_export = register_cmd->add_subcommand("export", "Every grant with its balances, for payroll and the share registrar");
    rg_export->add_option("db", rg.db, "The register")->required();
    rg_export->add_option("--format,-f", rg.format, "csv, json or xlsx")->check(CLI::IsMember({"csv", "json", "xlsx"}))->capture_default_str();
    rg_export->add_option("--out,-o", rg.out, "Write to this file (whole or not at all) instead of stdout");
    rg_export->add_option("--as-of", rg.as_of, "Balances on this date (YYYY-MM-DD; default: after every event)");
    rg_export->add_option("--director,-d", rg.director, "Only this director")->transform(in_nfc());
    rg_export->add_flag("--csv-bom,!--no-csv-bom", rg.csv_bom,
                        "Start the CSV with a UTF-8 byte-order mark, which Excel needs to read UTF-8 (default: on)");

    // --help and --version print through a checked write like every other output.
    auto print = [&](const CLI::ParseError& e) {
        std::ostringstream text;
        int exit = app.exit(e, text, std::cerr);
        std::string error;
        return write_output("", text.str(), error) ? exit : output_failed(error);
    };
    // An option or argument given an empty value (`--expect-rules-sha256 "$UNSET"` in a
    // script) is a usage error: taken as not given, it would check or choose nothing.
    const CLI::Validator given_value(
        [](std::string& v) { return v.empty() ? std::string("takes a value, not an empty one") : std::string(); }, "", "VALUE");
    std::function<void(CLI::App*)> refuse_empty = [&](CLI::App* a) {
        for (CLI::Option* o : a->get_options())
            if (o->get_type_size() != 0) o->check(given_value);
        for (CLI::App* sub : a->get_subcommands({})) refuse_empty(sub);
    };
    refuse_empty(&app);
    // An output never takes a rule file's name: a plan reads every .hoshu file of its folder,
    // so an HTML page written as `rules/zz.hoshu` would break the plan's next check.
    // Nor through a symbolic link (`page.html → rules/zz.hoshu`): the output is written where
    // the link leads, so each link on the way is followed and its target's name checked.
    const CLI::Validator not_rule_file(
        [](std::string& v) {
            auto rule_name = [](const std::string& path) {
                std::string tail = path.size() >= 6 ? path.substr(path.size() - 6) : std::string();
                for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                return tail == ".hoshu";
            };
            auto refused = [&](const std::string& via) {
                return fmt::format("`{}` {} a rule file's name (.hoshu), which hoshu never writes an output as: a plan reads "
                                   "every .hoshu file of its folder; name the output otherwise",
                                   hoshu::dsl::printable(v),
                                   via.empty() ? "is" : fmt::format("leads to `{}`, whose name is", hoshu::dsl::printable(via)));
            };
            if (rule_name(v)) return refused("");
            namespace fs = std::filesystem;
            fs::path at(v);
            for (int links = 0; links < 40; ++links) {
                std::error_code ec;
                if (!fs::is_symlink(fs::symlink_status(at, ec)) || ec) break;
                fs::path target = fs::read_symlink(at, ec);
                if (ec) break;
                at = target.is_absolute() ? target : at.parent_path() / target;
                if (rule_name(at.string())) return refused(at.lexically_normal().string());
            }
            return std::string();
        },
        "", "FILE");
    std::function<void(CLI::App*)> refuse_rule_names = [&](CLI::App* a) {
        for (CLI::Option* o : a->get_options())
            if (o->check_lname("out") || o->check_lname("histogram")) o->check(not_rule_file);
        for (CLI::App* sub : a->get_subcommands({})) refuse_rule_names(sub);
    };
    refuse_rule_names(&app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return print(e);
    } catch (const CLI::CallForAllHelp& e) {
        return print(e);
    } catch (const CLI::CallForVersion& e) {
        return print(e);
    } catch (const CLI::ParseError& e) {
        // An option the command does not know (`--fromat`): named alone (not the value after
        // it), with the closest option the command has.
        if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
            CLI::App* command = &app;
            while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
            std::vector<std::string> known;
            for (const CLI::Option* o : command->get_options())
                for (const auto& name : o->get_lnames()) known.push_back("--" + name);
            for (const std::string& arg : app.remaining(true)) {
                if (arg.rfind("--", 0) != 0 || arg.size() < 3) continue;
                const std::string word = arg.substr(0, arg.find('='));
                auto best = hoshu::dsl::closest(word, known, 2);
                std::string path;
                for (const CLI::App* c = command; c != nullptr && c != &app; c = c->get_parent()) path = " " + c->get_name() + path;
                std::fprintf(stderr, "hoshu: error: hoshu%s has no option `%s`%s\nRun `hoshu%s --help` for its options.\n",
                             path.c_str(), hoshu::dsl::printable(word).c_str(),
                             best ? fmt::format(" (did you mean `{}`?)", *best).c_str() : "", path.c_str());
                return Exit::usage;
            }
        }
        app.exit(e);
        return Exit::usage;
    }
    if (check_cmd->parsed()) return run_check(check);
    if (eval_cmd->parsed()) return run_eval(ev);
    if (explain_cmd->parsed()) return run_explain(ex);
    if (report_cmd->parsed()) return run_report(rp);
    if (doc_cmd->parsed()) return run_doc(dc);
    if (inputs_cmd->parsed()) return run_inputs(in);
    if (test_cmd->parsed()) return run_test(ts);
    if (verify_cmd->parsed()) return run_verify(vf);
    if (seal_cmd->parsed()) return run_seal(sl);
    if (diff_cmd->parsed()) return run_diff(df);
    if (fmt_cmd->parsed()) return run_fmt(fm);
    if (batch_cmd->parsed()) return run_batch(ba);
    if (simulate_cmd->parsed()) return run_simulate(si);
    if (register_cmd->parsed()) {
        for (auto* sub : {rg_init, rg_record, rg_event, rg_verify, rg_show, rg_export})
            if (sub->parsed()) rg.command = sub->get_name();
        return run_register(rg);
    }
    return Exit::usage;
}

}  // namespace
