// One function per command; main() parses the arguments with CLI11 and calls them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hoshu::cli {

struct CheckArgs {
    std::string plan;
    bool strict = false;
};
int run_check(const CheckArgs& args);

struct EvalArgs {
    std::string plan;
    std::string inputs;
    std::string carry;    // --carry LAST_YEAR.json: the records the earlier result hands on
    std::string format = "table";
    std::string out;
    std::string as_of;
    std::string register_db;   // --register FILE.db: carry the prior year's recorded result and the events since
    bool csv_bom = true;       // --csv-bom / --no-csv-bom
};
int run_eval(const EvalArgs& args);

}  // namespace hoshu::cli

namespace hoshu::cli {

struct ExplainArgs {
    std::string plan;
    std::string inputs;
    std::string carry;    // --carry LAST_YEAR.json
    std::string register_db;   // --register FILE.db (as eval)
    std::string director;
    std::string value;
    std::string format = "text";
    std::string as_of;
};
int run_explain(const ExplainArgs& args);

}  // namespace hoshu::cli

namespace hoshu::cli {

struct TestArgs {
    std::string plan;
    bool verbose = false;
    bool update = false;   // rewrite the expected values of failing `expect` lines
};
int run_test(const TestArgs& args);

}  // namespace hoshu::cli

namespace hoshu::cli {

struct VerifyArgs {
    std::string result;
    std::string rules;                  // the auditor's copy of the plan folder (default: as the seal records)
    std::string inputs;                 // the auditor's copy of the inputs (default: as the seal records)
    std::string expect_rules_sha256;    // the approved rules: the seal's rules_sha256 must be this
    std::string expect_inputs_sha256;   // the approved inputs
    std::string carry;                  // the auditor's copy of the carried result (default: as the seal records)
    std::string register_db;            // the register the carried records were read from (default: as the seal records)
    bool plan_warnings = true;          // print the warnings of the plan the seal names (false: its caller printed them,
                                        // or the plan is a register's stored copy, checked again)
    // What messages call the result and the carried result, when they are temporary copies
    // (a register's stored result, verified again: "g.db: record 1 (FY2024)"); empty: their paths.
    std::string result_shown;
    std::string carry_shown;
};
int run_verify(const VerifyArgs& args);

/// hoshu seal PLAN: the listing `sha256sum` prints for the rule files the plan loads;
/// its SHA-256 is a JSON result's seal.rules_sha256.
struct SealArgs {
    std::string plan;
    std::string text;   // --text FILE: the file's text as the seal hashes it (without its tests)
};
int run_seal(const SealArgs& args);

}  // namespace hoshu::cli

#include <vector>

namespace hoshu::cli {

struct DiffArgs {
    std::string base;
    std::string head;
    std::vector<std::string> inputs;
    std::string price;                  // a plan-wide definition in money per share: value shares at it
    std::string format = "text";
    std::string carry;                  // --carry LAST_YEAR.json: the records both plans read (as eval)
    std::string register_db;            // --register FILE.db (as eval)
};
int run_diff(const DiffArgs& args);

}  // namespace hoshu::cli

#include <vector>

namespace hoshu::cli {

struct FmtArgs {
    std::vector<std::string> paths;   // files, or folders of .hoshu files (recursively)
    bool check = false;               // write nothing; list the files that would change
};
int run_fmt(const FmtArgs& args);

}  // namespace hoshu::cli

namespace hoshu::cli {

struct BatchArgs {
    std::string plan;
    std::string inputs;
    std::string carry;                // --carry LAST_YEAR.json: the base's carried records
    std::string register_db;          // --register FILE.db (as eval)
    std::string scenarios;            // a CSV file, or
    std::vector<std::string> grid;    // PATH=LOW..HIGH:STEP or PATH=v1,v2,… (cartesian product)
    std::string out;
    std::string on_error = "stop";    // stop | skip
    std::string as_of;
    std::string against;              // a base plan evaluated on the same scenarios, side by side
    std::string engine = "auto";      // auto | compiled | interpreter
};
int run_batch(const BatchArgs& args);

struct SimulateArgs {
    std::string plan;
    std::string inputs;
    std::string model;
    std::string carry;                // last year's result (--carry)
    std::string register_db;          // or a grant register (--register)
    std::uint64_t paths = 10'000;
    std::uint64_t seed = 1;
    unsigned threads = 0;             // 0: one per core
    std::string format = "table";
    std::string out;
    std::string histogram;            // an SVG file
    std::string as_of;
    std::string against;              // a base plan evaluated on the same paths, side by side
    std::string engine = "auto";      // auto, compiled, interpreter
    std::uint64_t distinct_values = 65'536;   // held per output before further passes find the percentiles
};
int run_simulate(const SimulateArgs& args);

}  // namespace hoshu::cli

#include <vector>

namespace hoshu::cli {

/// hoshu register init|record|event|verify|show|export FILE.db …
struct RegisterArgs {
    std::string command;        // init, record, event, verify, show, export
    std::string db;
    // record
    std::string result;
    std::string rules, inputs;  // the copies to verify the result against (as `hoshu verify`)
    bool supersede = false;
    std::string reason;
    std::string by;
    std::vector<std::string> grants;   // the outputs that are share grants (default: those the plan declares, else every output in shares)
    // event
    std::string director;
    std::string kind;
    std::string date;
    std::string year;
    std::string grant;
    std::string shares;
    std::string rate;
    // show, export
    std::string as_of;
    std::string format = "csv";
    std::string out;
    bool csv_bom = true;
};
int run_register(const RegisterArgs& args);

}  // namespace hoshu::cli

namespace hoshu::cli {

/// hoshu report: the auditor's working paper, one self-contained HTML file.
struct ReportArgs {
    std::string plan;
    std::string inputs;
    std::vector<std::string> directors;   // none: every director
    std::string carry;                    // last year's result (--carry)
    std::string register_db;              // or a grant register (--register)
    std::string out;
    std::string as_of;
};
int run_report(const ReportArgs& args);

/// hoshu doc: the literate plan, one self-contained HTML file.
struct DocArgs {
    std::string plan;
    std::string against;                  // a base plan: show what the revision changes
    std::string out;
};
int run_doc(const DocArgs& args);

/// hoshu inputs: the commented TOML template of every key the plan reads.
struct InputsArgs {
    std::string plan;
    std::string out;
};
int run_inputs(const InputsArgs& args);

}  // namespace hoshu::cli
