// The CSV renderers: an evaluation for payroll, and batch's rows.
#include "evaluator/output/batch_report.hpp"
#include "evaluator/output/eval_report.hpp"

#include <algorithm>

#include "dsl/base/text.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

std::string format_csv(const Plan& plan, const Outcome& outcome) {
    std::string out = plan.directors.noun;
    for (std::uint32_t s : plan.director_outputs) out += "," + csv_field(plan.slots[s].name);
    out += "\n";
    for (const auto& d : outcome.directors) {
        out += csv_field(d.id);
        for (std::size_t i = 0; i < d.outputs.size(); ++i)
            out += "," + csv_field(value_text(plan, outcome, plan.slots[plan.director_outputs[i]].type, d.outputs[i]));
        out += "\n";
    }
    return out;
}

std::string batch_csv_header(const Plan& plan, const std::vector<std::string>& columns) {
    std::string header = "scenario";
    for (const auto& c : columns) header += "," + csv_field(c);
    header += "," + plan.directors.noun;
    for (auto s : plan.director_outputs) header += "," + csv_field(plan.slots[s].name);
    for (const auto& l : plan.limits) header += "," + csv_field("limit." + l.name);
    header += ",violations\n";
    return header;
}

void batch_csv_rows(std::string& text, const Plan& plan, const Outcome& o, std::string_view scenario,
                    const std::vector<std::string>& cells) {
    std::size_t plan_wide = 0;
    for (const auto& v : o.violations) plan_wide += v.director.empty();
    for (std::size_t d = 0; d < o.directors.size(); ++d) {
        text += csv_field(scenario);
        for (const auto& c : cells) text += "," + csv_field(c);
        text += "," + csv_field(o.directors[d].id);
        for (std::size_t k = 0; k < plan.director_outputs.size(); ++k) {
            const auto& slot = plan.slots[plan.director_outputs[k]];
            text += "," + csv_field(value_text(plan, o, slot.type, o.directors[d].outputs[k]));
        }
        for (const auto& lo : o.limits) text += std::string(",") + to_string(lo.status);
        std::size_t own = plan_wide;
        for (const auto& v : o.violations) own += v.director == o.directors[d].id;
        text += "," + std::to_string(own) + "\n";
    }
}

namespace {

/// Per-director output names of either plan: the head's, then the base's own.
std::vector<std::string> compared_outputs(const Plan& base, const Plan& head) {
    std::vector<std::string> names;
    for (auto s : head.director_outputs) names.push_back(head.slots[s].name);
    for (auto s : base.director_outputs)
        if (std::find(names.begin(), names.end(), base.slots[s].name) == names.end()) names.push_back(base.slots[s].name);
    return names;
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

std::size_t violations_of(const Outcome& o, const std::string& id) {
    std::size_t n = 0;
    for (const auto& v : o.violations) n += v.director.empty() || v.director == id;
    return n;
}

}  // namespace

std::string batch_compare_header(const Plan& base, const Plan& head, const std::vector<std::string>& columns) {
    std::string header = "scenario";
    for (const auto& c : columns) header += "," + csv_field(c);
    header += "," + head.directors.noun;
    for (const auto& name : compared_outputs(base, head))
        header += "," + csv_field("base." + name) + "," + csv_field(name) + "," + csv_field("change." + name);
    header += ",base.violations,violations\n";
    return header;
}

void batch_compare_rows(std::string& text, const Plan& base, const Outcome& bo, const Plan& head, const Outcome& ho,
                        std::string_view scenario, const std::vector<std::string>& cells) {
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
    for (const auto& id : ids) {
        const DirectorOutcome* bd = find(bo, id);
        const DirectorOutcome* hd = find(ho, id);
        text += csv_field(scenario);
        for (const auto& c : cells) text += "," + csv_field(c);
        text += "," + csv_field(id);
        for (const auto& name : names) {
            const Type* bt = nullptr;
            const Type* ht = nullptr;
            const Value* bv = output_of(base, bd, name, &bt);
            const Value* hv = output_of(head, hd, name, &ht);
            text += "," + (bv ? csv_field(value_text(base, bo, *bt, *bv)) : std::string());
            text += "," + (hv ? csv_field(value_text(head, ho, *ht, *hv)) : std::string());
            text += ",";
            if (bv && hv && bt->is_number() && bt->same(*ht))
                text += csv_field(value_text(head, ho, *ht, Value{hv->number - bv->number, 0}));
        }
        text += "," + (bd ? std::to_string(violations_of(bo, id)) : std::string());
        text += "," + (hd ? std::to_string(violations_of(ho, id)) : std::string()) + "\n";
    }
}

}  // namespace hoshu::eval
