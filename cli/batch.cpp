// hoshu batch PLAN --inputs BASE.toml (--scenarios FILE.csv | --grid PATH=LOW..HIGH:STEP …)
//                  [--out FILE.csv] [--on-error stop|skip] [--as-of DATE]
//
// One evaluation of the whole plan per scenario: the scenario's values replace the base
// inputs' at the paths its columns name. One output row per scenario and director, written
// as it is computed (a plan without a collection: one row per scenario): memory does not
// grow with the number of scenarios.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/analysis/dependencies.hpp"
#include "evaluator/native/kernel.hpp"
#include "evaluator/output/batch_report.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/probe.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/whatif/scenarios.hpp"

namespace hoshu::cli {

namespace {

/// The scenarios, from a CSV file or a grid.
class Source {
public:
    std::optional<eval::CsvScenarios> csv;
    std::optional<eval::Grid> grid;
    std::uint64_t next_grid = 0;

    const std::vector<std::string>& columns() const { return csv ? csv->columns() : grid->columns(); }
    dsl::SourceRange column_range(std::size_t i) const { return csv ? csv->column_range(i) : grid->column_range(i); }
    /// The next scenario into `s` (a CSV row reuses its buffers); false at the end.
    Result<bool> next(eval::Scenario& s) {
        if (csv) return csv->next(s);
        if (next_grid == grid->size()) return false;
        s = grid->at(next_grid++);
        return true;
    }
};

/// Scenarios enough that compiling the plan (a second or two, once) pays: a CSV file of
/// 8 MiB (about 100,000 rows) or a grid of 100,000 scenarios.
bool many_scenarios(const BatchArgs& args, const Source& source) {
    if (source.grid) return source.grid->size() >= 100'000;
    std::error_code ec;
    const auto size = std::filesystem::file_size(args.scenarios, ec);
    return !ec && size >= (std::uintmax_t{8} << 20);
}

/// A header cell that, split at `;`, names the id column or values of the inputs: a file
/// whose columns are separated by `;`, not commas. `scenario;years.FY2024.revenue`.
bool semicolon_separated(std::string_view cell, const eval::InputFile& inputs) {
    if (cell.find(';') == std::string_view::npos) return false;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = std::min(cell.find(';', start), cell.size());
        std::string_view part = cell.substr(start, end - start);
        while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
        while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
        if (part == "scenario" || part == "id") return true;
        if (!part.empty()) {
            std::string why;
            if (inputs.find(part, &why)) return true;
        }
        if (end == cell.size()) return false;
        start = end + 1;
    }
}

}  // namespace

int run_batch(const BatchArgs& args) {
    eval::EvalOptions options;
    if (!parse_as_of(args.as_of, options)) return Exit::usage;
    if (args.scenarios.empty() == args.grid.empty()) {
        std::fprintf(stderr, "hoshu: error: give either --scenarios FILE.csv or --grid PATH=LOW..HIGH:STEP\n");
        return Exit::usage;
    }
    dsl::SourceManager sm;
    int exit = Exit::success;
    CarryUsed carried;
    auto loaded = load_plan_and_inputs(sm, args.plan, args.inputs, CarryFrom{args.carry, args.register_db}, carried, exit);
    if (!loaded) return exit;
    const eval::Plan& plan = loaded->plan;
    const eval::InputFile& inputs = loaded->inputs;
    // --against: the base plan, on the same inputs and scenarios (a key either plan reads
    // is in its place for both, as in `hoshu diff`).
    std::optional<eval::Plan> base;
    if (!args.against.empty()) {
        base = load_base_plan(sm, args.against, exit);
        if (!base) return exit;
        options.other_plan = &*base;
    }
    eval::EvalOptions base_options = options;
    base_options.other_plan = &plan;

    Source source;
    if (!args.scenarios.empty()) {
        auto csv = eval::CsvScenarios::open(sm, args.scenarios);
        if (!csv) {
            print_diagnostics(sm, csv.error());
            return Exit::usage;
        }
        source.csv.emplace(std::move(*csv));
    } else {
        // A bad number's hint lists a percentage only for a value that takes one: none when
        // a declaration or a series reads it as an amount (money, shares, any unit).
        auto percent_accepted = [&](std::string_view path) {
            std::string why;
            auto node = inputs.find(path, &why);
            if (!node) return true;
            eval::Session probe_session(plan, inputs, options);
            eval::SessionProbe probe(probe_session);
            for (const auto& r : probe.readers(node))
                if (r.input && !plan.slots[r.index].type.dimensionless()) return false;
            if (auto series = probe.read_by_series(node)) return plan.series[*series].type.dimensionless();
            return true;
        };
        auto grid = eval::Grid::parse(sm, args.grid, percent_accepted);
        if (!grid) {
            print_diagnostics(sm, grid.error());
            return Exit::usage;
        }
        source.grid.emplace(std::move(*grid));
    }

    // The base inputs are read and checked once, before any scenario: a problem in them
    // is not a scenario's.
    eval::Session session(plan, inputs, options);
    auto record_keys = session.record_keys();
    if (!record_keys) {
        print_diagnostics(sm, record_keys.error());
        return Exit::failure;
    }
    std::optional<eval::Session> base_session;
    if (base) {
        base_session.emplace(*base, inputs, base_options);
        auto base_keys = base_session->record_keys();
        if (!base_keys) {
            print_diagnostics(sm, base_keys.error());
            std::fprintf(stderr, "hoshu: error: the base plan `%s` cannot read these inputs\n", args.against.c_str());
            return Exit::failure;
        }
        record_keys->insert(record_keys->end(), base_keys->begin(), base_keys->end());
    }

    // With records carried from the year before (--carry, --register), the plan's fiscal
    // year is the one they are handed on to: a column that sets it (a text the year is
    // evaluated from) would evaluate another year with them. Found by evaluating the year
    // with the column's value put in place of the inputs'.
    std::string year;
    std::optional<eval::Session> year_probe;
    if (!carried.path.empty()) {
        year_probe.emplace(plan, inputs, options);
        year = eval::fiscal_year(plan, *year_probe);
        if (year.empty()) year_probe.reset();
    }
    auto sets_year = [&](eval::InputFile::Node node) {
        if (!year_probe || inputs.kind(node) != eval::InputKind::string) return false;
        const std::string probe = year + " (another year)";
        std::vector<eval::InputOverride> o{eval::InputOverride{node, probe, std::nullopt, {}}};
        year_probe->set_overrides(o);
        const std::string changed = eval::fiscal_year(plan, *year_probe);
        return !changed.empty() && changed != year;
    };

    // With --register, the events the register applies are those dated by the year's last
    // day (the plan's `year_end`, or its `grant_date` when later), chosen once from the base
    // inputs: a column the last day is computed from would evaluate a year whose events are
    // others. Found by putting a value no date reads in the column's place: the last day then
    // changes or cannot be had.
    std::string last_day;
    std::optional<eval::Session> day_probe;
    if (carried.from_register) {
        day_probe.emplace(plan, inputs, options);
        last_day = eval::year_last_day(plan, *day_probe);
        if (last_day.empty()) day_probe.reset();
    }
    // (And each plan-wide input `year_end` or `grant_date` is computed from, by its place in
    // the inputs: a value the poison above does not reach — a `grant_date` that fails leaves
    // the last day at `year_end`.)
    std::vector<const void*> day_nodes;
    if (day_probe)
        for (const char* name : {"year_end", "grant_date"}) {
            auto slot = plan.find_slot(name);
            if (!slot) continue;
            for (const auto& [kind, read] : eval::dependency_closure(plan, *slot, false)) {
                auto s = kind == "input" ? plan.find_slot(read) : std::nullopt;
                if (!s || plan.slots[*s].scope != eval::Scope::plan || plan.slots[*s].input.path_text.empty()) continue;
                std::string_view path = plan.slots[*s].input.path_text;
                if (path.front() == '/') path.remove_prefix(1);
                if (auto n = inputs.find(path, nullptr)) day_nodes.push_back(n.ptr);
            }
        }
    auto moves_last_day = [&](eval::InputFile::Node node) {
        if (!day_probe) return false;
        if (std::find(day_nodes.begin(), day_nodes.end(), node.ptr) != day_nodes.end()) return true;
        std::vector<eval::InputOverride> o{eval::InputOverride{node, "(a scenario's value)", std::nullopt, {}}};
        day_probe->set_overrides(o);
        return eval::year_last_day(plan, *day_probe) != last_day;
    };

    // Every column names a value of the base inputs, and not one that identifies a record.
    const auto& columns = source.columns();
    // Nor is it named as a column batch writes after it (an output's, `violations` …): the
    // header would name two columns alike, and a reader could take one for the other.
    std::vector<eval::BatchColumn> written{eval::BatchColumn{"scenario", "the scenario's id"}};
    for (auto& c : base ? eval::batch_compare_columns(*base, plan) : eval::batch_result_columns(plan))
        written.push_back(std::move(c));
    auto written_as = [&](const std::string& column) {
        return std::find_if(written.begin(), written.end(), [&](const auto& c) { return c.name == column; });
    };
    std::vector<eval::InputFile::Node> nodes;
    std::unordered_map<const void*, std::size_t> column_of_node;   // two spellings of one value
    dsl::Diagnostics bad;
    bool not_values = false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        std::string why;
        eval::InputFile::Miss miss;
        eval::InputFile::Node node = inputs.find(columns[i], &why, &miss);
        if (!node) {
            auto& d = bad.error(miss.narrow(source.column_range(i), columns[i]), "`{}` is not a value of the inputs: {}",
                                columns[i], why);
            if (std::string fix = miss.corrected(columns[i]); !fix.empty()) d.hint = fmt::format("did you mean `{}`?", fix);
            if (source.csv && semicolon_separated(columns[i], inputs)) {
                // A spreadsheet whose list separator is `;` (much of Europe) writes its
                // "CSV" so: the header is read as one column.
                d.hint = "the columns are separated by `;`: a CSV file's separator is a comma (in Excel, save as "
                         "\"CSV UTF-8 (comma delimited)\")";
            } else {
                not_values = true;
            }
        } else if (auto k = inputs.kind(node); k == eval::InputKind::table || k == eval::InputKind::array) {
            bad.error(source.column_range(i), "`{}` is {} in the inputs; name one value in it", columns[i],
                      eval::describe(k));
            bad.note(inputs.range(node), "`{}` is here", columns[i]);
            not_values = true;
        } else if (auto key = std::find_if(record_keys->begin(), record_keys->end(),
                                           [&](const auto& k) { return k.first.ptr == node.ptr; });
                   key != record_keys->end()) {
            bad.error(source.column_range(i), "`{}` is {}: a scenario cannot change which record is which",
                      columns[i], key->second);
            bad.note(inputs.range(node), "written here");
        } else if (sets_year(node)) {
            bad.error(source.column_range(i),
                      "`{}` sets the plan's fiscal year ({}), the year the records carried from {} are handed on to: "
                      "a scenario cannot change it",
                      columns[i], year, dsl::printable(carried.path));
            bad.note(inputs.range(node), "written here");
        } else if (moves_last_day(node)) {
            bad.error(source.column_range(i),
                      "`{}` changes the year's last day ({}: the plan's `year_end`, or its `grant_date` when later), which "
                      "decides the events of the register {} the year takes in (those dated after it are the next year's): "
                      "with --register a scenario cannot change it; evaluate that year with `hoshu eval --register` on inputs "
                      "that give the value",
                      columns[i], last_day, dsl::printable(carried.path));
            bad.note(inputs.range(node), "written here");
        } else if (auto [first, fresh] = column_of_node.emplace(node.ptr, i); !fresh) {
            bad.error(source.column_range(i),
                      "`{}` is the same value of the inputs as `{}`: a scenario would set it twice", columns[i],
                      columns[first->second]);
            bad.note(source.column_range(first->second), "`{}` is named here", columns[first->second]);
        } else if (auto own = written_as(columns[i]); own != written.end()) {
            auto& d = bad.error(source.column_range(i),
                                "`{}` is also the name of {} in the rows batch writes: the header would name two columns "
                                "`{}`",
                                columns[i], own->what, columns[i]);
            // A quoted step names the same value, and the header then tells the two apart.
            std::string quoted = "\"" + columns[i] + "\"";
            d.hint = source.csv ? fmt::format("name the value `{}` (the same value of the inputs, quoted; written {} in "
                                              "the CSV file's header)",
                                              quoted, csv_field(quoted))
                                : fmt::format("name the value `{}` (the same value of the inputs, quoted: --grid '{}=…')",
                                              quoted, quoted);
            if (own->output) d.hint += ", or rename the output in the rules";
        }
        nodes.push_back(node);
    }
    if (!bad.empty()) {
        if (not_values)
            bad.note(dsl::SourceRange{}, "a scenario can change values written in {}, not add new ones", args.inputs);
        print_diagnostics(sm, bad);
        return Exit::usage;
    }

    // The compiled plan, where it can be had: each scenario it takes is evaluated by it, the
    // others (and every scenario it gives up) by the session, which reports.
    std::optional<eval::Kernel> kernel;
    if (args.engine != "interpreter" && !base) {
        eval::KernelOptions kernel_options;
        kernel_options.cached_only = args.engine == "auto" && !many_scenarios(args, source);
        for (std::size_t i = 0; i < nodes.size(); ++i) kernel_options.changed_at.push_back(source.column_range(i));
        auto built = eval::Kernel::build(plan, session, nodes, kernel_options);
        if (built) {
            kernel.emplace(std::move(*built));
        } else if (args.engine == "compiled") {
            print_diagnostics(sm, built.error());
            std::fprintf(stderr, "hoshu: error: --engine compiled cannot run these scenarios (above); "
                                 "--engine interpreter evaluates them\n");
            return Exit::usage;
        }
    } else if (args.engine == "compiled") {
        std::fprintf(stderr, "hoshu: error: --engine compiled does not go with --against\n");
        return Exit::usage;
    }

    std::string error;
    OutputFile out;
    if (!out.open(args.out, error, files_read(sm, {args.scenarios, args.carry, args.register_db}))) return output_failed(error);
    if (!out.write(base ? eval::batch_compare_header(*base, plan, columns) : eval::batch_csv_header(plan, columns), error))
        return output_failed(error);

    std::vector<eval::InputOverride> overrides;
    eval::Scenario scenario;                                  // each row's, its buffers reused
    std::vector<std::string_view> cells(columns.size());    // the row's values by column
    std::uint64_t rejected = 0, evaluated = 0;
    std::string text;
    auto reject = [&](const dsl::Diagnostics& diags) {
        print_diagnostics(sm, diags);
        ++rejected;
        return args.on_error == "stop";
    };
    for (;;) {
        auto next = source.next(scenario);
        if (!next) {
            if (reject(next.error())) break;
            continue;
        }
        if (!*next) break;
        for (auto& c : cells) c = {};
        for (const auto& a : scenario.set) cells[a.column] = a.value;
        if (kernel) {
            bool taken = true;
            for (const auto& a : scenario.set) taken = taken && kernel->set_text(a.column, a.value);
            if (taken && kernel->run()) {
                ++evaluated;
                text.clear();
                eval::batch_csv_rows(text, plan, kernel->outcome(), scenario.id, cells);
                if (!out.write(text, error)) return output_failed(error);
                continue;
            }
            kernel->clear();
        }
        overrides.clear();
        for (const auto& a : scenario.set)
            overrides.push_back(eval::InputOverride{nodes[a.column], a.value, std::nullopt, a.where});
        session.set_overrides(overrides);
        auto outcome = session.run_in_place();
        Result<const eval::Outcome*> base_outcome = static_cast<const eval::Outcome*>(nullptr);
        if (base_session && outcome) {
            base_session->set_overrides(overrides);
            base_outcome = base_session->run_in_place();
        }
        if (!outcome || !base_outcome) {
            dsl::Diagnostics diags = outcome ? base_outcome.error() : outcome.error();
            if (outcome) diags.note(dsl::SourceRange{}, "under the base plan `{}` (--against)", args.against);
            if (source.csv) {
                diags.note(dsl::SourceRange{}, "in scenario `{}` ({} line {})", scenario.id, args.scenarios,
                           scenario.line);
            } else {
                // A grid scenario has no line: name its values instead.
                std::string values;
                for (const auto& a : scenario.set) {
                    if (!values.empty()) values += ", ";
                    values += a.path;
                    values += " = ";
                    values += a.value;
                }
                diags.note(dsl::SourceRange{}, "in scenario `{}` of the grid: {}", scenario.id, values);
            }
            if (reject(diags)) break;
            continue;
        }
        ++evaluated;
        text.clear();
        if (base) eval::batch_compare_rows(text, *base, **base_outcome, plan, **outcome, scenario.id, cells);
        else eval::batch_csv_rows(text, plan, **outcome, scenario.id, cells);
        if (!out.write(text, error)) return output_failed(error);
    }
    if (rejected && args.on_error == "stop") {
        if (args.out.empty() || args.out == "-") {
            // Rows go out as they are computed: those before the bad scenario are already
            // on standard output.
            if (!out.finish(error)) return output_failed(error);
            std::string had = evaluated == 0 ? std::string("the header")
                                             : fmt::format("the rows of the {} scenario{} before it", evaluated,
                                                           evaluated == 1 ? "" : "s");
            std::fprintf(stderr,
                         "hoshu: stopped at the first rejected scenario; standard output has only %s "
                         "(--out FILE writes all or nothing; --on-error skip goes on)\n",
                         had.c_str());
        } else {
            std::fprintf(stderr, "hoshu: stopped at the first rejected scenario; nothing written (--on-error skip goes on)\n");
        }
        return Exit::usage;
    }
    if (!out.commit(error)) return output_failed(error);
    if (rejected) {
        std::fprintf(stderr, "hoshu: %llu scenario%s evaluated, %llu rejected\n",
                     static_cast<unsigned long long>(evaluated), evaluated == 1 ? "" : "s",
                     static_cast<unsigned long long>(rejected));
        return Exit::failure;
    }
    return Exit::success;
}

}  // namespace hoshu::cli
