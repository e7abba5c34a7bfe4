// The CSV renderers: an evaluation for payroll, and batch's rows.
#include "evaluator/output/batch_report.hpp"
#include "evaluator/output/eval_report.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "dsl/base/text.hpp"
#include "evaluator/numbers/rational.hpp"
#include "evaluator/output/xlsx.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

/// A plan-wide value by name, as exact text; empty when the plan has none or it cannot be had.
std::string plan_value(const Plan& plan, Session& session, const Outcome& outcome, std::string_view name) {
    auto slot = plan.find_slot(name);
    if (!slot || plan.slots[*slot].scope != Scope::plan) return "";
    auto value = session.value(*slot, 0);
    if (!value) return "";
    return value_text(plan, outcome, plan.slots[*slot].type, *value);
}

/// The units of the plan's `grant_price` when it is a price (a currency per share or other
/// counted unit): the outputs in that unit are valued at it.
std::optional<PriceUnits> grant_price_units(const Plan& plan) {
    auto slot = plan.find_slot(grant_price_name);
    if (!slot || plan.slots[*slot].scope != Scope::plan) return std::nullopt;
    return price_units(plan.slots[*slot].type, plan.units);
}

template <class Integer>
void append_integer(std::string& out, Integer i) {
    char digits[24];
    const auto printed = std::to_chars(digits, digits + sizeof digits, i);
    out.append(digits, printed.ptr);
}

/// csv_field(value_text(…)) appended to `out`: a number that is an integer fitting 64 bits
/// printed in place (the digits value_text gives it), anything else through value_text.
void append_value(std::string& out, const Plan& plan, const Outcome& o, const Type& type, const Value& v) {
    if (type.kind == Kind::number) {
        if (auto i = v.number.to_int64()) return append_integer(out, *i);
    }
    append_csv_field(out, value_text(plan, o, type, v));
}

}  // namespace

ReportExtras report_extras(const Plan& plan, const InputFile& inputs, const Outcome& outcome, const EvalOptions& options) {
    ReportExtras x;
    x.inputs_text = inputs.bytes();
    for (const auto& info : plan.infos)
        if (info.scope == Scope::director) x.info_names.push_back(info.name);
    // Each record found once in the inputs' list, by its key (the evaluation has checked
    // that no two share one); its `info` fields read from it.
    std::map<std::string, InputFile::Node, std::less<>> record_of;
    if (plan.directors.declared) {
        std::string why;
        auto list = inputs.find(plan.directors.input.path_text, &why);
        if (list && inputs.kind(list) == InputKind::array) {
            for (std::size_t i = 0; i < inputs.size(list); ++i) {
                auto record = inputs.element(list, i);
                if (inputs.kind(record) != InputKind::table) continue;
                if (auto id = inputs.child(record, plan.directors.id_key))
                    if (auto text = inputs.scalar_text(id)) record_of.emplace(*text, record);
            }
        }
    }
    // An `info` field of a record: its path's keys walked from the record (a path with an
    // index or a key computed from a value, from the top of the inputs); absent, empty.
    auto info_of = [&](const std::string& id, const InputSpec& spec) -> std::string {
        const bool keys = !spec.absolute && std::all_of(spec.path.begin(), spec.path.end(), [](const PathStep& step) {
            return !step.index && step.slot == none;
        });
        InputFile::Node node;
        if (keys) {
            auto it = record_of.find(id);
            if (it == record_of.end()) return "";
            node = it->second;
            for (const auto& step : spec.path)
                if (node) node = inputs.kind(node) == InputKind::table ? inputs.child(node, step.key) : InputFile::Node{};
        } else {
            std::string why;
            node = inputs.find(fmt::format("{}.\"{}\".{}", plan.directors.input.path_text, id, spec.path_text), &why);
        }
        return node ? inputs.scalar_text(node).value_or("") : "";
    };
    for (const auto& d : outcome.directors) {
        std::vector<std::string> values;
        for (const auto& info : plan.infos)
            if (info.scope == Scope::director) values.push_back(plan.directors.declared ? info_of(d.id, info.input) : "");
        x.info_values.push_back(std::move(values));
    }
    Session session(plan, inputs, options);
    if (session.run()) {
        x.grant_date = plan_value(plan, session, outcome, grant_date_name);
        x.grant_price = plan_value(plan, session, outcome, grant_price_name);
    }
    if (auto units = grant_price_units(plan)) x.grant_price_currency = currency_word(plan.units[units->currency]);
    return x;
}

std::vector<std::vector<std::string>> csv_rows(const Plan& plan, const Outcome& outcome, const Seal& seal,
                                               std::string_view year, const ReportExtras& extras, std::vector<bool>* numeric,
                                               std::vector<int>* places) {
    const auto units = grant_price_units(plan);
    const auto price = units ? Rational::parse(extras.grant_price) : std::nullopt;
    auto valued = [&](const Type& t) { return price && t.kind == Kind::number && t.dim == units->valued().dim; };
    // A plan with a collection: a row per record, its key first, then its outputs. A plan
    // without one: one row, its plan-wide outputs, no record column (as batch writes it).
    const bool records = plan.directors.declared;
    const std::vector<std::uint32_t>& outputs = records ? plan.director_outputs : plan.plan_outputs;
    auto is_output = [&](std::string_view name) {
        return std::any_of(outputs.begin(), outputs.end(), [&](std::uint32_t s) { return plan.slots[s].name == name; });
    };
    // A column after the outputs that an output of the same name already gives (the
    // `grant_price` output of a plan without a collection) is not written twice.
    const bool year_column = !is_output("fiscal_year");
    const bool date_column = !is_output(grant_date_name);
    const bool price_column = !is_output(grant_price_name);
    std::vector<std::string> header;
    std::vector<bool> num;
    std::vector<int> decimals;
    auto column = [&](std::string name, bool number, int places_) {
        header.push_back(std::move(name));
        num.push_back(number);
        decimals.push_back(places_);
    };
    if (records) column(plan.directors.noun, false, 0);
    for (std::uint32_t s : outputs) {
        const Type& t = plan.slots[s].type;
        column(plan.slots[s].name, plan.type_name(t) != "text" && plan.type_name(t) != "date" && plan.type_name(t) != "boolean",
               minor_places(plan, t));
    }
    if (year_column) column("fiscal_year", false, 0);
    for (const auto& n : extras.info_names) column(n, false, 0);
    if (date_column) column("grant_date", false, 0);
    if (price_column) {
        auto slot = plan.find_slot(grant_price_name);
        column("grant_price", true, slot ? minor_places(plan, plan.slots[*slot].type) : 0);
    }
    for (std::uint32_t s : outputs)
        if (valued(plan.slots[s].type))
            column(plan.slots[s].name + "_value_" + currency_word(plan.units[units->currency]), true,
                   minor_places(plan, units->money()));
    column("rules_sha256", false, 0);
    column("inputs_sha256", false, 0);
    std::vector<std::vector<std::string>> rows{header};
    // One row: a record's (its id, its outputs, its `info` fields) or the plan's.
    auto add_row = [&](const std::string* id, const std::vector<Value>& values, const std::vector<std::string>* infos) {
        std::vector<std::string> row;
        if (id) row.push_back(*id);
        for (std::size_t i = 0; i < values.size() && i < outputs.size(); ++i)
            row.push_back(value_text(plan, outcome, plan.slots[outputs[i]].type, values[i]));
        if (year_column) row.push_back(std::string(year));
        for (std::size_t k = 0; k < extras.info_names.size(); ++k)
            row.push_back(infos && k < infos->size() ? (*infos)[k] : "");
        if (date_column) row.push_back(extras.grant_date);
        if (price_column) row.push_back(extras.grant_price);
        for (std::size_t i = 0; i < values.size() && i < outputs.size(); ++i) {
            const Type& t = plan.slots[outputs[i]].type;
            if (!valued(t)) continue;
            auto shares = Rational::parse(value_text(plan, outcome, t, values[i]));
            row.push_back(shares ? (*shares * *price).to_string() : "");
        }
        row.push_back(seal.rules_sha256);
        row.push_back(seal.inputs_sha256);
        rows.push_back(std::move(row));
    };
    if (records) {
        for (std::size_t di = 0; di < outcome.directors.size(); ++di) {
            const auto& d = outcome.directors[di];
            add_row(&d.id, d.outputs, di < extras.info_values.size() ? &extras.info_values[di] : nullptr);
        }
    } else {
        add_row(nullptr, outcome.plan_outputs, nullptr);
    }
    if (numeric) *numeric = std::move(num);
    if (places) *places = std::move(decimals);
    return rows;
}

std::string format_csv(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year,
                       const ReportExtras& extras) {
    std::string out = extras.csv_bom ? "\xEF\xBB\xBF" : "";
    for (const auto& row : csv_rows(plan, outcome, seal, year, extras)) {
        for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i]);
        out += "\n";
    }
    return out;
}

std::string format_xlsx(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year,
                        const ReportExtras& extras, std::string* error) {
    std::vector<bool> numeric;
    std::vector<int> places;
    Sheet results{"results", csv_rows(plan, outcome, seal, year, extras, &numeric, &places), numeric, places};
    Sheet inputs{"inputs", {{"line", "text"}}, {true, false}, {}, {true, false}};
    std::size_t n = 0, start = 0;
    const std::string& text = extras.inputs_text;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        inputs.rows.push_back({std::to_string(++n), text.substr(start, end - start)});
        start = end + 1;
    }
    Sheet sealed{"seal", {{"field", "value"}}, {false, false}};
    sealed.rows.push_back({"fiscal_year", std::string(year)});
    sealed.rows.push_back({"rules_sha256", seal.rules_sha256});
    sealed.rows.push_back({"inputs_sha256", seal.inputs_sha256});
    sealed.rows.push_back({"engine", seal.engine});
    sealed.rows.push_back({"plan", seal.plan_path});
    sealed.rows.push_back({"inputs", seal.inputs_path});
    if (!seal.as_of.empty()) sealed.rows.push_back({"as_of", seal.as_of});
    for (const auto& f : seal.rule_files) sealed.rows.push_back({"rule file " + f.path, f.sha256});
    auto bytes = xlsx_workbook({results, inputs, sealed});
    if (!bytes && error != nullptr && !bytes.error().items().empty()) *error = bytes.error().items().front().message;
    return bytes ? *bytes : std::string();
}

std::vector<BatchColumn> batch_result_columns(const Plan& plan) {
    std::vector<BatchColumn> out;
    if (plan.directors.declared) out.push_back({plan.directors.noun, "the record column"});
    for (auto s : plan.director_outputs) out.push_back({plan.slots[s].name, "an output", true});
    for (auto s : plan.plan_outputs) out.push_back({plan.slots[s].name, "a plan-wide output", true});
    for (const auto& l : plan.limits) out.push_back({"limit." + l.name, "the status of the limit `" + l.name + "`"});
    out.push_back({"violations", "the number of violations"});
    return out;
}

namespace {

std::string header_of(const std::vector<std::string>& columns, const std::vector<BatchColumn>& results) {
    std::string header = "scenario";
    for (const auto& c : columns) header += "," + csv_field(c);
    for (const auto& r : results) header += "," + csv_field(r.name);
    header += "\n";
    return header;
}

}  // namespace

std::string batch_csv_header(const Plan& plan, const std::vector<std::string>& columns) {
    return header_of(columns, batch_result_columns(plan));
}

void batch_csv_rows(std::string& text, const Plan& plan, const Outcome& o, std::string_view scenario,
                    const std::vector<std::string_view>& cells) {
    std::size_t plan_wide = 0;
    for (const auto& v : o.violations) plan_wide += v.director.empty();
    // A plan without a collection: one row, its plan-wide outputs (and no record column).
    const std::size_t rows = plan.directors.declared ? o.directors.size() : 1;
    for (std::size_t d = 0; d < rows; ++d) {
        append_csv_field(text, scenario);
        for (const auto& c : cells) {
            text += ',';
            append_csv_field(text, c);
        }
        if (plan.directors.declared) {
            text += ',';
            append_csv_field(text, o.directors[d].id);
        }
        for (std::size_t k = 0; k < plan.director_outputs.size(); ++k) {
            const auto& slot = plan.slots[plan.director_outputs[k]];
            text += ',';
            append_value(text, plan, o, slot.type, o.directors[d].outputs[k]);
        }
        for (std::size_t k = 0; k < plan.plan_outputs.size(); ++k) {   // the same on each row of the scenario
            text += ',';
            append_value(text, plan, o, plan.slots[plan.plan_outputs[k]].type, o.plan_outputs[k]);
        }
        for (const auto& lo : o.limits) {
            text += ',';
            text += to_string(lo.status);
        }
        std::size_t own = plan_wide;
        if (plan.directors.declared)
            for (const auto& v : o.violations) own += v.director == o.directors[d].id;
        text += ',';
        append_integer(text, own);
        text += '\n';
    }
}

namespace {

/// The names of the slots `head_slots` of the head, then those of `base_slots` the head has
/// not (the outputs of either plan).
std::vector<std::string> either_names(const Plan& base, const std::vector<std::uint32_t>& base_slots, const Plan& head,
                                      const std::vector<std::uint32_t>& head_slots) {
    std::vector<std::string> names;
    for (auto s : head_slots) names.push_back(head.slots[s].name);
    for (auto s : base_slots)
        if (std::find(names.begin(), names.end(), base.slots[s].name) == names.end()) names.push_back(base.slots[s].name);
    return names;
}

/// Per-director output names of either plan: the head's, then the base's own.
std::vector<std::string> compared_outputs(const Plan& base, const Plan& head) {
    return either_names(base, base.director_outputs, head, head.director_outputs);
}

const Value* output_of(const Plan& plan, const DirectorOutcome* d, const std::string& name, const Type** type) {
    if (!d) return nullptr;
    for (std::size_t k = 0; k < plan.director_outputs.size(); ++k) {
        if (plan.slots[plan.director_outputs[k]].name != name) continue;
        *type = &plan.slots[plan.director_outputs[k]].type;
        return &d->outputs[k];
    }
    return nullptr;
}

/// Plan-wide output names of either plan: the head's, then the base's own.
std::vector<std::string> compared_plan_outputs(const Plan& base, const Plan& head) {
    return either_names(base, base.plan_outputs, head, head.plan_outputs);
}

const Value* plan_output_of(const Plan& plan, const Outcome& o, const std::string& name, const Type** type) {
    for (std::size_t k = 0; k < plan.plan_outputs.size() && k < o.plan_outputs.size(); ++k) {
        if (plan.slots[plan.plan_outputs[k]].name != name) continue;
        *type = &plan.slots[plan.plan_outputs[k]].type;
        return &o.plan_outputs[k];
    }
    return nullptr;
}

/// Limit names of either plan: the head's, then the base's own.
std::vector<std::string> compared_limits(const Plan& base, const Plan& head) {
    std::vector<std::string> names;
    for (const auto& l : head.limits) names.push_back(l.name);
    for (const auto& l : base.limits)
        if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
    return names;
}

/// A limit's status by name ("ok", "scaled" …); empty when the plan has no such limit.
std::string limit_status(const Plan& plan, const Outcome& o, const std::string& name) {
    for (const auto& lo : o.limits)
        if (lo.limit < plan.limits.size() && plan.limits[lo.limit].name == name) return std::string(to_string(lo.status));
    return "";
}

/// `base.X,X,change.X` cells of one value under both plans (change: head − base, exact, when
/// both are numbers of one unit).
void append_compared(std::string& text, const Plan& base, const Outcome& bo, const Type* bt, const Value* bv,
                     const Plan& head, const Outcome& ho, const Type* ht, const Value* hv) {
    text += "," + (bv ? csv_field(value_text(base, bo, *bt, *bv)) : std::string());
    text += "," + (hv ? csv_field(value_text(head, ho, *ht, *hv)) : std::string());
    text += ",";
    if (bv && hv && bt->is_number() && bt->same(*ht)) text += csv_field(value_text(head, ho, *ht, Value{hv->number - bv->number, 0}));
}

std::size_t violations_of(const Outcome& o, const std::string& id) {
    std::size_t n = 0;
    for (const auto& v : o.violations) n += v.director.empty() || v.director == id;
    return n;
}

}  // namespace

std::vector<BatchColumn> batch_compare_columns(const Plan& base, const Plan& head) {
    std::vector<BatchColumn> out;
    // The record column is the collection's of either plan (the head's first); none when
    // neither plan has one.
    if (head.directors.declared) out.push_back({head.directors.noun, "the record column"});
    else if (base.directors.declared) out.push_back({base.directors.noun, "the record column"});
    auto three = [&](const std::string& name, const char* what) {
        out.push_back({"base." + name, fmt::format("the base plan's {} `{}`", what, name)});
        out.push_back({name, fmt::format("{} `{}`", what, name), true});
        out.push_back({"change." + name, fmt::format("the change in the {} `{}`", what, name)});
    };
    for (const auto& name : compared_outputs(base, head)) three(name, "output");
    for (const auto& name : compared_plan_outputs(base, head)) three(name, "plan-wide output");
    for (const auto& name : compared_limits(base, head)) {
        out.push_back({"base.limit." + name, "the status of the base plan's limit `" + name + "`"});
        out.push_back({"limit." + name, "the status of the limit `" + name + "`"});
    }
    out.push_back({"base.violations", "the base plan's number of violations"});
    out.push_back({"violations", "the number of violations"});
    return out;
}

std::string batch_compare_header(const Plan& base, const Plan& head, const std::vector<std::string>& columns) {
    return header_of(columns, batch_compare_columns(base, head));
}

void batch_compare_rows(std::string& text, const Plan& base, const Outcome& bo, const Plan& head, const Outcome& ho,
                        std::string_view scenario, const std::vector<std::string_view>& cells) {
    std::vector<std::string> ids;
    for (const auto& d : ho.directors) ids.push_back(d.id);
    for (const auto& d : bo.directors)
        if (std::find(ids.begin(), ids.end(), d.id) == ids.end()) ids.push_back(d.id);
    auto find = [](const Outcome& o, const std::string& id) -> const DirectorOutcome* {
        for (const auto& d : o.directors)
            if (d.id == id) return &d;
        return nullptr;
    };
    const auto names = compared_outputs(base, head);
    // The plan-wide outputs and the limits' statuses: the same on each of the scenario's rows.
    std::string plan_wide;
    for (const auto& name : compared_plan_outputs(base, head)) {
        const Type* bt = nullptr;
        const Type* ht = nullptr;
        const Value* bv = plan_output_of(base, bo, name, &bt);
        const Value* hv = plan_output_of(head, ho, name, &ht);
        append_compared(plan_wide, base, bo, bt, bv, head, ho, ht, hv);
    }
    for (const auto& name : compared_limits(base, head))
        plan_wide += "," + limit_status(base, bo, name) + "," + limit_status(head, ho, name);
    // Neither plan with a collection: one row, the plan-wide outputs (no record column).
    const bool records = base.directors.declared || head.directors.declared;
    if (!records) ids.assign(1, std::string());
    for (const auto& id : ids) {
        const DirectorOutcome* bd = records ? find(bo, id) : nullptr;
        const DirectorOutcome* hd = records ? find(ho, id) : nullptr;
        text += csv_field(scenario);
        for (const auto& c : cells) text += "," + csv_field(c);
        if (records) text += "," + csv_field(id);
        for (const auto& name : names) {
            const Type* bt = nullptr;
            const Type* ht = nullptr;
            const Value* bv = output_of(base, bd, name, &bt);
            const Value* hv = output_of(head, hd, name, &ht);
            append_compared(text, base, bo, bt, bv, head, ho, ht, hv);
        }
        text += plan_wide;
        text += "," + (bd || !records ? std::to_string(violations_of(bo, id)) : std::string());
        text += "," + (hd || !records ? std::to_string(violations_of(ho, id)) : std::string()) + "\n";
    }
}

}  // namespace hoshu::eval
