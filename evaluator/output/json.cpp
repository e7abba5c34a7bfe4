#include "evaluator/output/eval_report.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dsl/base/text.hpp"

namespace hoshu::eval {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

const char* to_string(SealPaths p) {
    switch (p) {
        case SealPaths::working_directory: return "working directory";
        case SealPaths::result: return "result";
    }
    return "";
}

namespace {

/// A name as it can be shown whatever it holds: control characters and bytes that are not
/// UTF-8 as \xNN.
std::string shown(std::string_view name) {
    std::string out;
    std::size_t bad = 0;
    bool utf8 = dsl::valid_utf8(name, &bad);
    for (std::size_t i = 0; i < name.size(); ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) out += fmt::format("\\x{:02x}", c);
        else out += name[i];
    }
    return out;
}

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7f;
    });
}

/// `path` as seen from folder `from`, both taken from the working directory, without
/// following symbolic links (as the loader reads paths).
std::string relative_to_folder(const std::string& path, const fs::path& from) {
    std::error_code ec;
    fs::path target = fs::absolute(path, ec).lexically_normal();
    if (ec) return path;
    fs::path rel = target.lexically_relative(fs::absolute(from, ec).lexically_normal());
    return ec || rel.empty() ? target.generic_string() : rel.generic_string();
}

}  // namespace

Result<std::vector<SealedFile>> seal_rule_files(const Plan& plan, const dsl::SourceManager& sm,
                                                const std::string& plan_dir) {
    fs::path base(plan_dir);
    std::error_code ec;
    if (!fs::is_directory(base, ec)) base = base.parent_path();
    if (base.empty()) base = ".";
    std::vector<SealedFile> files;
    dsl::Diagnostics errors;
    for (std::size_t i = 0; i < plan.files.size(); ++i) {
        std::string rel = relative_to_folder(plan.files[i], base);
        std::size_t bad = 0;
        if (has_control_character(rel) || !dsl::valid_utf8(rel, &bad)) {
            errors.error(dsl::SourceRange{},
                         "cannot seal the rule file `{}`: its name has a control character or is not UTF-8; rename it",
                         shown(rel));
            continue;
        }
        files.push_back({rel, sha256_hex(sm.file(plan.file_ids[i]).text())});
    }
    if (errors.has_errors()) return errors;
    std::sort(files.begin(), files.end(), [](const SealedFile& a, const SealedFile& b) { return a.path < b.path; });
    return files;
}

std::string seal_listing(const std::vector<SealedFile>& files) {
    std::string listing;
    for (const auto& f : files) {
        if (f.path.find('\\') == std::string::npos) {
            listing += f.sha256 + "  " + f.path + "\n";
            continue;
        }
        listing += "\\" + f.sha256 + "  ";
        for (char c : f.path) listing += c == '\\' ? std::string("\\\\") : std::string(1, c);
        listing += "\n";
    }
    return listing;
}

Result<Seal> make_seal(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir,
                       const InputFile& inputs, const EvalOptions& options, const std::string& result_path) {
    auto files = seal_rule_files(plan, sm, plan_dir);
    if (!files) return files.error();
    Seal seal;
    seal.rule_files = std::move(*files);
    seal.rules_sha256 = sha256_hex(seal_listing(seal.rule_files));
    seal.inputs_sha256 = sha256_hex(inputs.bytes());
    seal.plan_path = plan_dir;
    seal.inputs_path = inputs.path();
    if (!result_path.empty()) {
        fs::path folder = fs::path(result_path).parent_path();
        if (folder.empty()) folder = ".";
        seal.plan_path = relative_to_folder(plan_dir, folder);
        seal.inputs_path = relative_to_folder(inputs.path(), folder);
        seal.relative_to = SealPaths::result;
    }
    dsl::Diagnostics errors;
    for (const std::string* p : {&seal.plan_path, &seal.inputs_path}) {
        std::size_t bad = 0;
        if (!dsl::valid_utf8(*p, &bad))
            errors.error(dsl::SourceRange{}, "cannot seal the path `{}`: it is not UTF-8; rename it", shown(*p));
    }
    if (errors.has_errors()) return errors;
    if (options.as_of) seal.as_of = options.as_of->to_string();
    seal.engine = std::string("hoshu ") + HOSHU_VERSION;
    return seal;
}

std::string fiscal_year(const Plan& plan, const Outcome& outcome, const InputFile& inputs) {
    (void)inputs;
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
        const Slot& s = plan.slots[plan.plan_outputs[i]];
        if (s.name == "fiscal_year") return value_text(plan, outcome, s.type, outcome.plan_outputs[i]);
    }
    return {};
}

namespace {

using nlohmann::ordered_json;

ordered_json json_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    switch (type.kind) {
        case Kind::number:
            if (auto i = v.number.to_int64()) return *i;
            return v.number.to_string();
        case Kind::boolean: return v.word != 0;
        default: return value_text(plan, outcome, type, v);
    }
}

std::string pad_right(const std::string& s, std::size_t width) {
    std::size_t w = dsl::display_width(s);
    return s + std::string(width > w ? width - w : 0, ' ');
}

std::string pad_left(const std::string& s, std::size_t width) {
    std::size_t w = dsl::display_width(s);
    return std::string(width > w ? width - w : 0, ' ') + s;
}

}  // namespace

std::string format_columns(const std::vector<std::vector<std::string>>& shown_rows, const std::vector<bool>& right,
                           const std::string& indent, std::size_t max_width) {
    // Cells hold text from the inputs and the rules: escaped before they are measured.
    std::vector<std::vector<std::string>> rows = shown_rows;
    for (auto& row : rows) {
        for (auto& cell : row) cell = dsl::printable(cell);
    }
    std::vector<std::size_t> width;
    for (const auto& row : rows) {
        if (width.size() < row.size()) width.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::size_t w = dsl::display_width(row[i]);
            if (w <= max_width) width[i] = std::max(width[i], w);
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += "  ";
            bool r = i < right.size() && right[i];
            line += r ? pad_left(row[i], width[i]) : pad_right(row[i], width[i]);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string format_table(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year) {
    std::string out = plan.title;
    if (!year.empty()) out += fmt::format(" — {}", year);
    out += "\n";
    out += fmt::format("inputs {}  sha256 {}\nrules  sha256 {}\n", seal.inputs_path, seal.inputs_sha256,
                       seal.rules_sha256);
    if (!outcome.directors.empty()) {
        std::vector<std::vector<std::string>> rows;
        std::vector<bool> right{false};
        std::vector<std::string> header{plan.directors.noun};
        for (std::uint32_t s : plan.director_outputs) {
            header.push_back(plan.slots[s].name);
            right.push_back(plan.slots[s].type.is_number());
        }
        rows.push_back(header);
        for (const auto& d : outcome.directors) {
            std::vector<std::string> row{d.id};
            for (std::size_t i = 0; i < d.outputs.size(); ++i)
                row.push_back(display_value(plan, outcome, plan.slots[plan.director_outputs[i]].type, d.outputs[i]));
            rows.push_back(std::move(row));
        }
        out += "\n" + format_columns(rows, right, "");
    }
    if (!plan.plan_outputs.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
            const Slot& s = plan.slots[plan.plan_outputs[i]];
            if (s.name == "fiscal_year") continue;
            rows.push_back({s.name, display_value(plan, outcome, s.type, outcome.plan_outputs[i])});
        }
        if (!rows.empty()) out += "\ntotals\n" + format_columns(rows, {false, true}, "  ");
    }
    if (!outcome.limits.empty()) {
        std::vector<std::vector<std::string>> rows{{"limit", "value", "bound", "status"}};
        for (const auto& l : outcome.limits) {
            const Limit& limit = plan.limits[l.limit];
            std::string status = to_string(l.status);
            if (l.factor) {
                status += fmt::format(" by {}", l.factor->to_string());
                if (!l.factor->terminates()) status += fmt::format(" ≈ {}", l.factor->to_decimal(6));
            }
            rows.push_back({limit.name, display_value(plan, outcome, limit.type, l.value),
                            display_value(plan, outcome, limit.type, l.bound), status});
        }
        out += "\n" + format_columns(rows, {false, true, true, false}, "");
    }
    if (!outcome.violations.empty()) {
        out += fmt::format("\n{} violation{}\n", outcome.violations.size(), outcome.violations.size() == 1 ? "" : "s");
        for (const auto& v : outcome.violations) {
            std::string clauses;
            for (const auto& c : v.sources) clauses += (clauses.empty() ? "" : ", ") + c.clause;
            out += fmt::format("  {}{}: {}{}\n", v.rule, v.director.empty() ? "" : " [" + v.director + "]", v.message,
                               clauses.empty() ? "" : " (" + clauses + ")");
        }
    } else {
        out += "\nno violations\n";
    }
    return dsl::printable(out, true);   // titles, messages and texts come from the rules and inputs
}

std::string format_json(const Plan& plan, const Outcome& outcome, const Seal& seal, std::string_view year) {
    ordered_json j;
    j["plan"] = plan.title;
    j["fiscal_year"] = year.empty() ? ordered_json(nullptr) : ordered_json(std::string(year));
    ordered_json s;
    s["rules_sha256"] = seal.rules_sha256;
    s["inputs_sha256"] = seal.inputs_sha256;
    s["engine"] = seal.engine;
    s["plan"] = seal.plan_path;
    s["inputs"] = seal.inputs_path;
    s["relative_to"] = to_string(seal.relative_to);
    if (!seal.as_of.empty()) s["as_of"] = seal.as_of;
    ordered_json files = ordered_json::array();
    for (const auto& f : seal.rule_files) files.push_back({{"path", f.path}, {"sha256", f.sha256}});
    s["rule_files"] = files;
    j["seal"] = s;
    ordered_json directors = ordered_json::array();
    for (const auto& d : outcome.directors) {
        ordered_json o;
        o["id"] = d.id;
        for (std::size_t i = 0; i < d.outputs.size(); ++i) {
            const Slot& sl = plan.slots[plan.director_outputs[i]];
            o[sl.name] = json_value(plan, outcome, sl.type, d.outputs[i]);
        }
        directors.push_back(o);
    }
    j[plan.directors.noun + "s"] = directors;
    ordered_json totals = ordered_json::object();
    for (std::size_t i = 0; i < plan.plan_outputs.size(); ++i) {
        const Slot& sl = plan.slots[plan.plan_outputs[i]];
        if (sl.name == "fiscal_year") continue;
        totals[sl.name] = json_value(plan, outcome, sl.type, outcome.plan_outputs[i]);
    }
    j["totals"] = totals;
    ordered_json limits = ordered_json::array();
    for (const auto& l : outcome.limits) {
        const Limit& limit = plan.limits[l.limit];
        ordered_json o;
        o["name"] = limit.name;
        o["value"] = json_value(plan, outcome, limit.type, l.value);
        o["bound"] = json_value(plan, outcome, limit.type, l.bound);
        o["status"] = to_string(l.status);
        if (l.factor) o["factor"] = l.factor->to_string();
        limits.push_back(o);
    }
    j["limits"] = limits;
    ordered_json violations = ordered_json::array();
    for (const auto& v : outcome.violations) {
        ordered_json o;
        o["rule"] = v.rule;
        o["director"] = v.director.empty() ? ordered_json(nullptr) : ordered_json(v.director);
        o["message"] = v.message;
        violations.push_back(o);
    }
    j["violations"] = violations;
    return j.dump(2) + "\n";
}

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

}  // namespace hoshu::eval
