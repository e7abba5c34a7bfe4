#include "evaluator/output/eval_report.hpp"

namespace hoshu::eval {

const char* to_string(EvalFormat format) {
    switch (format) {
        case EvalFormat::table: return "table";
        case EvalFormat::json: return "json";
        case EvalFormat::csv: return "csv";
        case EvalFormat::xlsx: return "xlsx";
    }
    return nullptr;
}

std::vector<std::string> eval_format_names() {
    std::vector<std::string> names;
    for (int i = 0; const char* name = to_string(static_cast<EvalFormat>(i)); ++i) names.emplace_back(name);
    return names;
}

std::optional<EvalFormat> eval_format(std::string_view name) {
    for (int i = 0; const char* n = to_string(static_cast<EvalFormat>(i)); ++i) {
        if (name == n) return static_cast<EvalFormat>(i);
    }
    return std::nullopt;
}

std::string render(EvalFormat format, const Plan& plan, const Outcome& outcome, const Seal& seal,
                   std::string_view year, const ReportExtras& extras) {
    switch (format) {
        case EvalFormat::table: return format_table(plan, outcome, seal, year);
        case EvalFormat::json: return format_json(plan, outcome, seal, year);
        case EvalFormat::csv: return format_csv(plan, outcome, seal, year, extras);
        case EvalFormat::xlsx: return format_xlsx(plan, outcome, seal, year, extras);
    }
    return {};
}

}  // namespace hoshu::eval
