#include "evaluator/output/carried.hpp"

#include <fmt/format.h>

#include "dsl/base/source.hpp"

namespace hoshu::eval {

namespace {

using JKind = JsonValue::Kind;

/// A TOML basic string: quoted, with `"`, `\` and control characters escaped.
std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7f) {
            out += fmt::format("\\u{:04X}", c);
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
std::string toml_key(std::string_view k) {
    bool bare = !k.empty();
    for (char c : k) {
        bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
    }
    return bare ? std::string(k) : toml_string(k);
}

bool is_integer_token(std::string_view t) {
    std::size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
    if (i >= t.size()) return false;
    for (; i < t.size(); ++i) {
        if (t[i] < '0' || t[i] > '9') return false;
    }
    return true;
}

/// A carried field's value as TOML: a whole number bare, another number as its exact text
/// quoted (the plan reads it as written), a text quoted; none for null, an array or an object.
std::optional<std::string> toml_value(const JsonValue& v) {
    switch (v.kind) {
        case JKind::number: return is_integer_token(v.text) ? v.text : toml_string(v.text);
        case JKind::string: return toml_string(v.text);
        case JKind::boolean: return v.text;
        case JKind::null:
        case JKind::array:
        case JKind::object: break;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> record_toml(std::string_view path, const JsonValue& record) {
    if (record.kind != JKind::object) return std::nullopt;
    std::string out = fmt::format("[[{}]]\n", toml_key(path));
    for (std::size_t k = 0; k < record.keys.size(); ++k) {
        auto value = toml_value(record.items[k]);
        if (!value) return std::nullopt;
        out += toml_key(record.keys[k]) + " = " + *value + "\n";
    }
    return out;
}

Result<std::vector<InputFile::Carried>> carried_records(const RecordedResult& prior, const Plan& plan,
                                                        const std::string& shown) {
    std::vector<InputFile::Carried> out;
    dsl::Diagnostics errors;
    const std::string name = dsl::printable(shown);
    const JsonValue* carry = prior.json.find("carry");
    for (const Carry& c : plan.carries) {
        const JsonValue* records = carry ? carry->find(c.path) : nullptr;
        if (records == nullptr) {
            auto& d = errors.error(c.range, "`{}` carries no records `{}`: its plan has no `carry {}`", name, c.path, c.path);
            d.hint = "carry from a result of this plan (hoshu eval … --format json --out FILE)";
            continue;
        }
        if (records->kind != JKind::array) {
            errors.error(c.range, "`{}`: carry.{} is not an array of records", name, c.path);
            continue;
        }
        InputFile::Carried carried;
        carried.key = c.path;
        carried.shown = fmt::format("{}, carry.{}", shown, c.path);
        carried.toml = fmt::format("# The records `{}` carried from {}.\n", c.path, name);
        for (std::size_t i = 0; i < records->items.size(); ++i) {
            const JsonValue& r = records->items[i];
            if (r.kind != JKind::object) {
                errors.error(c.range, "`{}`: carry.{}[{}] is not a record (an object)", name, c.path, i);
                continue;
            }
            carried.toml += fmt::format("\n[[{}]]   # record {}\n", toml_key(c.path), i + 1);
            for (std::size_t k = 0; k < r.keys.size(); ++k) {
                const auto value = toml_value(r.items[k]);
                if (!value) {
                    errors.error(c.range, "`{}`: carry.{}[{}].{} is not a value (a number, a text or true/false)", name,
                                 c.path, i, dsl::printable(r.keys[k]));
                    continue;
                }
                std::string line = toml_key(r.keys[k]) + " = " + *value;
                // A value an event changed after the result was recorded: the line says so.
                if (auto it = prior.carry_notes.find(carry_note_key(c.path, i, r.keys[k])); it != prior.carry_notes.end())
                    line += "   # " + dsl::printable(it->second);
                carried.toml += line + "\n";
            }
        }
        out.push_back(std::move(carried));
    }
    if (errors.has_errors()) return errors;
    return out;
}

std::vector<InputFile::Carried> carried_records(const Outcome& outcome, const std::string& shown) {
    std::vector<InputFile::Carried> out;
    const std::string name = dsl::printable(shown);
    for (const auto& c : outcome.carried) {
        InputFile::Carried carried;
        carried.key = c.path;
        carried.shown = fmt::format("{}, carry.{}", shown, c.path);
        carried.toml = fmt::format("# The records `{}` carried from the evaluation of {}.\n", c.path, name);
        for (std::size_t i = 0; i < c.records.size(); ++i) {
            carried.toml += fmt::format("\n[[{}]]   # record {}\n", toml_key(c.path), i + 1);
            for (const auto& f : c.records[i]) {
                std::string value;
                switch (f.type.kind) {
                    case Kind::number: {
                        auto i64 = f.value.number.to_int64();
                        value = i64 ? std::to_string(*i64) : toml_string(f.value.number.to_string());
                        break;
                    }
                    case Kind::boolean: value = f.value.word != 0 ? "true" : "false"; break;
                    case Kind::date:
                    case Kind::text:
                    case Kind::choice: value = toml_string(f.text); break;
                }
                carried.toml += toml_key(f.name) + " = " + value + "\n";
            }
        }
        out.push_back(std::move(carried));
    }
    return out;
}

}  // namespace hoshu::eval
