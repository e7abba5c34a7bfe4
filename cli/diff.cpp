// hoshu diff BASE_PLAN HEAD_PLAN --inputs FILE… [--format text|json]
//
// For the compensation committee's what-if and for reviewers of a rule change: on each
// input file, every director's awards under both plans and what changed; then, once, the
// declarations added, removed or changed, with a line diff of each changed one.
// Exit 0 when the comparison ran (differences are its result, not a failure), 1 when a
// plan does not check or an evaluation fails, 2 on usage or an unreadable input file.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "dsl/base/source.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/analysis/rules_diff.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/output/eval_report.hpp"

namespace hoshu::cli {

namespace {

using nlohmann::ordered_json;

const char* const absent = "—";

struct Side {
    std::string dir;
    std::optional<eval::Plan> plan;
    std::string rules_sha256;
};

std::string shown(const eval::SideValue& v) { return v.present ? v.display : absent; }

std::string change_text(const eval::ValueDiff& v) {
    if (!v.base.present) return "only in head";
    if (!v.head.present) return "only in base";
    if (v.unit_changed) return "unit changed";
    if (!v.changed) return "";
    return v.change_display.empty() ? "changed" : v.change_display;
}

std::string location(const eval::DeclarationDiff& d) {
    if (!d.base) return fmt::format("{}:{}", d.head->file, d.head->line);
    if (!d.head) return fmt::format("{}:{}", d.base->file, d.base->line);
    if (d.base->file == d.head->file && d.base->line == d.head->line) return fmt::format("{}:{}", d.head->file, d.head->line);
    return fmt::format("{}:{} → {}:{}", d.base->file, d.base->line, d.head->file, d.head->line);
}

std::string kind_text(const eval::DeclarationDiff& d) {
    if (d.base && d.head && d.base->kind != d.head->kind) return d.base->kind + " → " + d.head->kind;
    return d.head ? d.head->kind : d.base->kind;
}

const char* scope_text(eval::Scope s) {
    switch (s) {
        case eval::Scope::plan: return "plan-wide";
        case eval::Scope::director: return "per director";
        case eval::Scope::grant: return "per grant";
    }
    return "";
}

// --------------------------------------------------------------------------------------
// Text

std::string text_inputs(const eval::InputsDiff& d, const std::string& inputs_sha256, const Side& base,
                        const Side& head) {
    std::string out = fmt::format("\n== {}{}  sha256 {}\n", d.inputs_path,
                                  d.fiscal_year.empty() ? "" : " — " + d.fiscal_year, inputs_sha256);
    for (const auto* s : {&d.base, &d.head}) {
        if (s->ok) continue;
        const Side& side = s == &d.base ? base : head;
        std::string first = s->errors.items().empty() ? "" : s->errors.items().front().message;
        out += fmt::format("{} {} could not be evaluated: {}\n", s == &d.base ? "base" : "head", side.dir, first);
    }
    if (!d.ran()) return out;
    if (!d.outputs_only_base.empty()) out += "outputs only in base: " + join(d.outputs_only_base) + "\n";
    if (!d.outputs_only_head.empty()) out += "outputs only in head: " + join(d.outputs_only_head) + "\n";

    std::vector<std::vector<std::string>> rows{{"director", "output", "base", "head", "change"}};
    std::vector<std::string> unchanged;
    for (const auto& dd : d.directors) {
        if (!dd.changed()) {
            unchanged.push_back(dd.id);
            continue;
        }
        std::string id = dd.id;
        if (!dd.in_base) id += " (only in head)";
        if (!dd.in_head) id += " (only in base)";
        bool first = true;
        for (const auto& v : dd.values) {
            if (!v.changed) continue;
            rows.push_back({first ? id : "", v.name, shown(v.base), shown(v.head), change_text(v)});
            first = false;
        }
        if (first) rows.push_back({id, "", "", "", ""});
    }
    out += "\n";
    if (rows.size() > 1) out += eval::format_columns(rows, {false, false, true, true, true}, "");
    if (rows.size() == 1) out += "no director's award changed\n";
    else if (!unchanged.empty()) out += "no change: " + join(unchanged) + "\n";

    if (!d.totals.empty()) {
        std::vector<std::vector<std::string>> t{{"total", "base", "head", "change"}};
        for (const auto& v : d.totals) t.push_back({v.name, shown(v.base), shown(v.head), change_text(v)});
        out += "\n" + eval::format_columns(t, {false, true, true, true}, "");
    }
    if (!d.limits.empty()) {
        // A side without any limit gets no columns, but a line saying so.
        bool base_has = std::any_of(d.limits.begin(), d.limits.end(), [](const auto& l) { return l.base.present; });
        bool head_has = std::any_of(d.limits.begin(), d.limits.end(), [](const auto& l) { return l.head.present; });
        std::vector<std::vector<std::string>> t{{"limit"}};
        std::vector<bool> right{false};
        if (base_has) {
            t[0].insert(t[0].end(), {"base", "bound", "status"});
            right.insert(right.end(), {true, true, false});
        }
        if (head_has) {
            t[0].insert(t[0].end(), {"head", "bound", "status"});
            right.insert(right.end(), {true, true, false});
        }
        auto cells = [](const eval::LimitSide& s, std::vector<std::string>& row) {
            if (!s.present) {
                row.insert(row.end(), {absent, "", ""});
                return;
            }
            row.insert(row.end(), {s.value.display, s.bound.display,
                                   s.factor.empty() ? s.status : s.status + " by " + s.factor});
        };
        for (const auto& l : d.limits) {
            std::vector<std::string> row{l.name};
            if (base_has) cells(l.base, row);
            if (head_has) cells(l.head, row);
            t.push_back(std::move(row));
        }
        out += "\n" + eval::format_columns(t, right, "");
        if (!base_has) out += "(the base plan has no limits)\n";
        if (!head_has) out += "(the head plan has no limits)\n";
    }
    if (d.violations.empty()) {
        out += "\nno violations under either plan\n";
    } else {
        out += "\nviolations\n";
        std::vector<std::vector<std::string>> t;
        for (const auto& v : d.violations) {
            const char* side = v.side == eval::ViolationLine::Side::both ? "both"
                               : v.side == eval::ViolationLine::Side::base ? "base only"
                                                                            : "head only";
            t.push_back({side, v.rule + (v.director.empty() ? "" : " [" + v.director + "]") + ": " + v.message});
        }
        out += eval::format_columns(t, {false, false}, "  ");
    }
    return out;
}

std::string text_rules(const eval::RulesDiff& r, const Side& base, const Side& head) {
    std::size_t added = 0, removed = 0, changed = 0, annotations = 0;
    for (const auto& c : r.changes) {
        if (c.change == eval::DeclarationDiff::Kind::added) ++added;
        else if (c.change == eval::DeclarationDiff::Kind::removed) ++removed;
        else if (c.annotations_only) ++annotations;
        else ++changed;
    }
    if (r.changes.empty())
        return fmt::format("\n== rules {} → {}: no declaration changed ({} unchanged)\n", base.dir, head.dir,
                           r.unchanged);
    std::string out = fmt::format("\n== rules {} → {}: {} changed, {} added, {} removed, {} changed in citations, "
                                  "notes or comments only, {} unchanged\n",
                                  base.dir, head.dir, changed, added, removed, annotations, r.unchanged);
    auto changed_block = [&](bool annotations_only) {
        std::string block;
        for (const auto& c : r.changes) {
            if (c.change != eval::DeclarationDiff::Kind::changed || c.annotations_only != annotations_only) continue;
            block += fmt::format("  {} {}  {}\n", kind_text(c), c.head->name, location(c));
            if (c.base->scope != c.head->scope)
                block += fmt::format("    {} → {}\n", scope_text(c.base->scope), scope_text(c.head->scope));
            for (const auto& line : c.lines) block += "    " + line + "\n";
        }
        return block;
    };
    auto listed = [&](eval::DeclarationDiff::Kind kind) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : r.changes) {
            if (c.change != kind) continue;
            const auto& d = c.head ? *c.head : *c.base;
            rows.push_back({d.kind, d.name, location(c)});
        }
        return eval::format_columns(rows, {false, false, false}, "  ", 40);
    };
    if (changed > 0) out += "\nchanged\n" + changed_block(false);
    if (added > 0) out += "\nadded\n" + listed(eval::DeclarationDiff::Kind::added);
    if (removed > 0) out += "\nremoved\n" + listed(eval::DeclarationDiff::Kind::removed);
    if (annotations > 0) out += "\nchanged in citations, notes or comments only\n" + changed_block(true);
    return out;
}

// --------------------------------------------------------------------------------------
// JSON

ordered_json json_value(const eval::SideValue& v) {
    if (!v.present) return nullptr;
    if (v.number) {
        if (auto i = v.number->to_int64()) return *i;
        return v.number->to_string();
    }
    if (v.kind == eval::Kind::boolean) return v.exact == "true";
    return v.exact;
}

ordered_json json_value_diff(const eval::ValueDiff& v, const char* key) {
    ordered_json o;
    o[key] = v.name;
    o["unit"] = v.unit;
    o["base"] = json_value(v.base);
    o["head"] = json_value(v.head);
    if (v.change) {
        if (auto i = v.change->to_int64()) o["change"] = *i;
        else o["change"] = v.change->to_string();
    } else {
        o["change"] = nullptr;
    }
    o["changed"] = v.changed;
    if (v.unit_changed) o["unit_changed"] = true;
    return o;
}

ordered_json json_limit_side(const eval::LimitSide& s) {
    if (!s.present) return nullptr;
    ordered_json o;
    o["value"] = json_value(s.value);
    o["bound"] = json_value(s.bound);
    o["status"] = s.status;
    if (!s.factor.empty()) o["factor"] = s.factor;
    return o;
}

ordered_json json_run(const eval::SideRun& s, const dsl::SourceManager& sm) {
    ordered_json o;
    o["ok"] = s.ok;
    if (!s.ok) {
        ordered_json errors = ordered_json::array();
        for (const auto& d : s.errors.items()) errors.push_back(dsl::render(sm, d, {false}));
        o["errors"] = errors;
    }
    return o;
}

ordered_json json_inputs(const eval::InputsDiff& d, const std::string& inputs_sha256, const dsl::SourceManager& sm) {
    ordered_json o;
    o["inputs"] = d.inputs_path;
    o["inputs_sha256"] = inputs_sha256;
    o["fiscal_year"] = d.fiscal_year.empty() ? ordered_json(nullptr) : ordered_json(d.fiscal_year);
    o["base"] = json_run(d.base, sm);
    o["head"] = json_run(d.head, sm);
    if (!d.ran()) return o;
    o["outputs_only_base"] = d.outputs_only_base;
    o["outputs_only_head"] = d.outputs_only_head;
    ordered_json directors = ordered_json::array();
    for (const auto& dd : d.directors) {
        ordered_json j;
        j["id"] = dd.id;
        j["in_base"] = dd.in_base;
        j["in_head"] = dd.in_head;
        j["changed"] = dd.changed();
        ordered_json values = ordered_json::array();
        for (const auto& v : dd.values) values.push_back(json_value_diff(v, "output"));
        j["values"] = values;
        directors.push_back(j);
    }
    o["directors"] = directors;
    ordered_json totals = ordered_json::array();
    for (const auto& v : d.totals) totals.push_back(json_value_diff(v, "total"));
    o["totals"] = totals;
    ordered_json limits = ordered_json::array();
    for (const auto& l : d.limits) {
        ordered_json j;
        j["name"] = l.name;
        j["base"] = json_limit_side(l.base);
        j["head"] = json_limit_side(l.head);
        j["changed"] = l.changed;
        limits.push_back(j);
    }
    o["limits"] = limits;
    ordered_json violations = ordered_json::array();
    for (const auto& v : d.violations) {
        ordered_json j;
        j["side"] = v.side == eval::ViolationLine::Side::both ? "both"
                    : v.side == eval::ViolationLine::Side::base ? "base"
                                                                 : "head";
        j["rule"] = v.rule;
        j["director"] = v.director.empty() ? ordered_json(nullptr) : ordered_json(v.director);
        j["message"] = v.message;
        violations.push_back(j);
    }
    o["violations"] = violations;
    return o;
}

ordered_json json_declaration(const std::optional<eval::DeclarationText>& d) {
    if (!d) return nullptr;
    ordered_json o;
    o["kind"] = d->kind;
    o["scope"] = d->scope == eval::Scope::plan ? "plan" : d->scope == eval::Scope::director ? "director" : "grant";
    o["file"] = d->file;
    o["line"] = d->line;
    return o;
}

ordered_json json_rules(const eval::RulesDiff& r) {
    ordered_json o;
    o["unchanged"] = r.unchanged;
    ordered_json changes = ordered_json::array();
    for (const auto& c : r.changes) {
        ordered_json j;
        j["change"] = c.change == eval::DeclarationDiff::Kind::added     ? "added"
                      : c.change == eval::DeclarationDiff::Kind::removed ? "removed"
                                                                         : "changed";
        j["kind"] = c.head ? c.head->kind : c.base->kind;
        j["name"] = c.head ? c.head->name : c.base->name;
        if (c.change == eval::DeclarationDiff::Kind::changed) j["annotations_only"] = c.annotations_only;
        j["base"] = json_declaration(c.base);
        j["head"] = json_declaration(c.head);
        if (c.change == eval::DeclarationDiff::Kind::changed) j["diff"] = c.lines;
        changes.push_back(j);
    }
    o["changes"] = changes;
    return o;
}

ordered_json json_side(const Side& s) {
    ordered_json o;
    o["plan"] = s.dir;
    o["title"] = s.plan->title;
    o["rules_sha256"] = s.rules_sha256.empty() ? ordered_json(nullptr) : ordered_json(s.rules_sha256);
    return o;
}

}  // namespace

int run_diff(const DiffArgs& args) {
    if (args.inputs.empty()) {
        std::fprintf(stderr, "hoshu: error: diff needs at least one --inputs file\n");
        return Exit::usage;
    }
    dsl::SourceManager sm;
    Side base{args.base, std::nullopt, {}}, head{args.head, std::nullopt, {}};
    int base_exit = Exit::success, head_exit = Exit::success;
    base.plan = load_plan(sm, args.base, false, base_exit);
    if (!base.plan && base_exit == Exit::failure)
        std::fprintf(stderr, "hoshu: error: the base plan `%s` does not check\n", args.base.c_str());
    head.plan = load_plan(sm, args.head, false, head_exit);
    if (!head.plan && head_exit == Exit::failure)
        std::fprintf(stderr, "hoshu: error: the head plan `%s` does not check\n", args.head.c_str());
    if (!base.plan || !head.plan) return std::max(base_exit, head_exit);

    int exit = Exit::success;
    std::vector<eval::InputFile> inputs;
    std::vector<std::string> unreadable;
    std::vector<int> order;   // per --inputs argument: its index in `inputs`, or -1 when unreadable
    for (const auto& path : args.inputs) {
        auto in = eval::InputFile::load(sm, path);
        if (!in) {
            print_diagnostics(sm, in.error());
            unreadable.push_back(path);
            order.push_back(-1);
            exit = Exit::usage;
            continue;
        }
        order.push_back(static_cast<int>(inputs.size()));
        inputs.push_back(std::move(*in));
    }
    if (!inputs.empty()) {
        for (auto* side : {&base, &head}) {
            auto seal = eval::make_seal(*side->plan, sm, side->dir, inputs.front());
            if (!seal) {
                print_diagnostics(sm, seal.error());
                return Exit::usage;
            }
            side->rules_sha256 = seal->rules_sha256;
        }
    }

    std::vector<eval::InputsDiff> runs;
    std::vector<std::string> inputs_sha256;
    for (const auto& in : inputs) {
        inputs_sha256.push_back(eval::sha256_hex(in.bytes()));
        runs.push_back(eval::diff_on_inputs(*base.plan, *head.plan, in, {}));
        const auto& r = runs.back();
        for (const auto* s : {&r.base, &r.head}) {
            if (s->ok) continue;
            print_diagnostics(sm, s->errors);
            std::fprintf(stderr, "hoshu: error: the %s plan `%s` could not be evaluated on `%s`\n",
                         s == &r.base ? "base" : "head", (s == &r.base ? base.dir : head.dir).c_str(),
                         r.inputs_path.c_str());
            if (exit == Exit::success) exit = Exit::failure;
        }
    }
    auto rules = eval::diff_rules(*base.plan, base.dir, *head.plan, head.dir, sm);

    std::string text;
    if (args.format == "json") {
        ordered_json j;
        j["base"] = json_side(base);
        j["head"] = json_side(head);
        j["engine"] = std::string("hoshu ") + HOSHU_VERSION;
        ordered_json in = ordered_json::array();
        for (std::size_t i = 0; i < runs.size(); ++i) in.push_back(json_inputs(runs[i], inputs_sha256[i], sm));
        j["inputs"] = in;
        j["unreadable_inputs"] = unreadable;
        j["rules"] = json_rules(rules);
        text = j.dump(2) + "\n";
    } else {
        std::vector<std::vector<std::string>> header;
        for (const Side* s : {&base, &head}) {
            std::vector<std::string> row{s == &base ? "base" : "head", s->dir, s->plan->title};
            if (!s->rules_sha256.empty()) row.push_back("rules sha256 " + s->rules_sha256);
            header.push_back(std::move(row));
        }
        text = eval::format_columns(header, {}, "");
        for (std::size_t a = 0; a < order.size(); ++a) {
            if (order[a] < 0) {
                text += fmt::format("\n== {}\ncould not be read (see the error above)\n", args.inputs[a]);
                continue;
            }
            auto i = static_cast<std::size_t>(order[a]);
            text += text_inputs(runs[i], inputs_sha256[i], base, head);
        }
        text += text_rules(rules, base, head);
        text = dsl::printable(text, true);   // texts and declarations come from the rules and inputs
    }
    std::string error;
    if (!write_output("", text, error)) return output_failed(error);
    return exit;
}

}  // namespace hoshu::cli
