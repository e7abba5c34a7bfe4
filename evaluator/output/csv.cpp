// The CSV renderers: an evaluation for payroll, and batch's rows.
#include "evaluator/output/batch_report.hpp"
#include "evaluator/output/eval_report.hpp"

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

}  // namespace hoshu::eval
