#include "evaluator/output/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

#include "dsl/base/source.hpp"
#include "dsl/base/unicode.hpp"
#include "evaluator/numbers/rational.hpp"

namespace hoshu::eval {

const JsonValue* JsonValue::find(std::string_view key) const {
    if (kind != Kind::object) return nullptr;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == key) return &items[i];
    }
    return nullptr;
}

namespace {

using JKind = JsonValue::Kind;

/// `s` with what a terminal could take for a command escaped: C0 and C1 control
/// characters and DEL as \u00XX (quoted) or \xNN (bare); `"` and `\` too when quoted.
std::string escaped(std::string_view s, bool quoted) {
    std::string out;
    out.reserve(s.size() + 2);
    if (quoted) out += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        unsigned code = c;
        bool control = c < 0x20 || c == 0x7f;
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
            code = static_cast<unsigned char>(s[++i]);   // U+0080..U+009F
            control = true;
        }
        if (control) out += quoted ? fmt::format("\\u{:04x}", code) : fmt::format("\\x{:02x}", code);
        else if (quoted && (c == '"' || c == '\\')) out += std::string("\\") + s[i];
        else out += s[i];
    }
    if (quoted) out += '"';
    return out;
}

std::string json_quoted(std::string_view s) { return escaped(s, true); }

/// A step of a path in messages: `.annual_rs_shares`, or `["odd key"]` for a key that is
/// not a plain name.
std::string key_step(std::string_view key, bool first) {
    bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (plain) return first ? std::string(key) : "." + std::string(key);
    return "[" + json_quoted(key) + "]";
}

const char* kind_name(JKind k) {
    switch (k) {
        case JKind::null: return "null";
        case JKind::boolean: return "a boolean";
        case JKind::number: return "a number";
        case JKind::string: return "a string";
        case JKind::array: return "an array";
        case JKind::object: return "an object";
    }
    return "";
}

/// Builds a JsonValue from nlohmann's SAX events, keeping each number's text.
class ExactReader {
public:
    using json = nlohmann::json;

    ExactReader(std::string_view text, JsonLimits limits) : text_(text), limits_(limits) {}

    bool null() { return add(JsonValue{}) != nullptr; }
    bool boolean(bool b) { return scalar(JKind::boolean, b ? "true" : "false"); }
    bool number_integer(json::number_integer_t n) { return scalar(JKind::number, std::to_string(n)); }
    bool number_unsigned(json::number_unsigned_t n) { return scalar(JKind::number, std::to_string(n)); }
    bool number_float(json::number_float_t, const json::string_t& s) { return scalar(JKind::number, s); }
    bool string(json::string_t& s) { return scalar(JKind::string, std::move(s)); }
    bool binary(json::binary_t&) { return fail("not JSON text"); }   // only binary formats have these
    bool start_object(std::size_t) { return open(JKind::object); }
    bool start_array(std::size_t) { return open(JKind::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t& k) {
        Frame& f = frames_.back();
        if (!f.seen.insert(k).second) {
            std::string where = f.path.empty() ? "the top-level object" : f.path;
            return fail(fmt::format("the key {} is written twice in {}; hoshu writes each key once", json_quoted(k), where));
        }
        key_ = std::move(k);
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
        if (!error_.empty()) return false;   // our own refusal, already explained
        // Where, but not what: the file may be anything, and is not quoted.
        std::size_t end = std::min(position > 0 ? position - 1 : 0, text_.size());
        std::string_view before = text_.substr(0, end);
        std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
        std::size_t line_start = before.rfind('\n');
        line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
        std::size_t column = 1 + dsl::code_points(before.substr(line_start));
        return fail(fmt::format("not JSON: a syntax error at line {}, column {}", line, column));
    }

    const std::string& error() const { return error_; }
    JsonValue& root() { return root_; }

private:
    struct Frame {
        JsonValue* node;
        std::string path;
        std::unordered_set<std::string> seen;
    };

    bool fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return false;
    }

    bool scalar(JKind kind, std::string text) {
        JsonValue v;
        v.kind = kind;
        v.text = std::move(text);
        return add(std::move(v)) != nullptr;
    }

    /// Adds `v` where the parser stands; returns where it now lives.
    JsonValue* add(JsonValue v) {
        if (++values_ > limits_.values) {
            fail(fmt::format("more than {} values; hoshu verifies results of at most that many", limits_.values));
            return nullptr;
        }
        if (frames_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        JsonValue* parent = frames_.back().node;
        if (parent->kind == JKind::object) parent->keys.push_back(std::move(key_));
        parent->items.push_back(std::move(v));
        return &parent->items.back();
    }

    bool open(JKind kind) {
        if (frames_.size() >= limits_.depth)
            return fail(fmt::format("nested deeper than {} levels; a result hoshu writes has four", limits_.depth));
        std::string path;
        if (!frames_.empty()) {
            const Frame& parent = frames_.back();
            path = parent.node->kind == JKind::object
                       ? parent.path + key_step(key_, parent.path.empty())
                       : fmt::format("{}[{}]", parent.path, parent.node->items.size());
        }
        JsonValue v;
        v.kind = kind;
        JsonValue* node = add(std::move(v));
        if (node == nullptr) return false;
        frames_.push_back({node, std::move(path), {}});
        return true;
    }

    bool close() {
        frames_.pop_back();
        return true;
    }

    std::string_view text_;
    JsonLimits limits_;
    JsonValue root_;
    std::vector<Frame> frames_;
    std::string key_;
    std::size_t values_ = 0;
    std::string error_;
};

bool is_sha256(std::string_view s) {
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

constexpr std::string_view not_eval = "not a result of `hoshu eval --format json`";

/// Reads the seal's fields; the first field missing or of the wrong type is the error.
class SealReader {
public:
    explicit SealReader(const JsonValue& seal) : seal_(seal) {}

    const std::string* text(std::string_view key, std::string_view what, bool required = true) {
        const JsonValue* v = seal_.find(key);
        if (v == nullptr) {
            if (required) fail(fmt::format("{}: its seal has no \"{}\"", not_eval, key));
            return nullptr;
        }
        if (v->kind != JKind::string) {
            fail(fmt::format("seal.{} is {}; a result of `hoshu eval --format json` has {} there", key,
                             kind_name(v->kind), what));
            return nullptr;
        }
        return &v->text;
    }

    const std::string* hash(std::string_view key) {
        const std::string* h = text(key, "a SHA-256 (64 hexadecimal digits)");
        if (h != nullptr && !is_sha256(*h)) {
            fail(fmt::format("seal.{} is not a SHA-256 as hoshu writes it (64 lowercase hexadecimal digits)", key));
            return nullptr;
        }
        return h;
    }

    void fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
    }
    const std::string& error() const { return error_; }

private:
    const JsonValue& seal_;
    std::string error_;
};

// ---- comparing ----------------------------------------------------------------------

void compare(const JsonValue& rec, const JsonValue& now, const std::string& path, std::vector<std::string>& out,
             const Sides& sides, const std::set<std::string_view>& skip = {});

std::string child_path(const std::string& path, std::string_view key) { return path + key_step(key, path.empty()); }

void compare_objects(const JsonValue& rec, const JsonValue& now, const std::string& path,
                     std::vector<std::string>& out, const Sides& sides, const std::set<std::string_view>& skip) {
    for (std::size_t i = 0; i < rec.keys.size(); ++i) {
        if (skip.count(rec.keys[i])) continue;
        std::string p = child_path(path, rec.keys[i]);
        if (const JsonValue* n = now.find(rec.keys[i])) compare(rec.items[i], *n, p, out, sides);
        else out.push_back(fmt::format("{}: {}, not in {}", p, fmt::format(fmt::runtime(sides.first), json_text(rec.items[i])),
                                       sides.second_result));
    }
    for (std::size_t i = 0; i < now.keys.size(); ++i) {
        if (skip.count(now.keys[i]) || rec.find(now.keys[i]) != nullptr) continue;
        out.push_back(fmt::format("{}: missing from {} ({})", child_path(path, now.keys[i]), sides.first_result,
                                  fmt::format(fmt::runtime(sides.second), json_text(now.items[i]))));
    }
}

void compare(const JsonValue& rec, const JsonValue& now, const std::string& path, std::vector<std::string>& out,
             const Sides& sides, const std::set<std::string_view>& skip) {
    if (rec.kind == JKind::object && now.kind == JKind::object) {
        compare_objects(rec, now, path, out, sides, skip);
        return;
    }
    if (rec.kind == JKind::array && now.kind == JKind::array) {
        if (rec.items.size() != now.items.size())
            out.push_back(fmt::format("{}: {}, {}", path,
                                      fmt::format(fmt::runtime(sides.first), fmt::format("{} entries", rec.items.size())),
                                      fmt::format(fmt::runtime(sides.second), now.items.size())));
        for (std::size_t i = 0; i < std::min(rec.items.size(), now.items.size()); ++i) {
            // Entries are named by their id or name where they have one: directors["D03"].
            std::string name = std::to_string(i);
            const JsonValue* id = rec.items[i].find("id");
            if (id == nullptr || id->kind != JKind::string) id = rec.items[i].find("name");
            if (id != nullptr && id->kind == JKind::string) name = json_text(*id);
            compare(rec.items[i], now.items[i], path + "[" + name + "]", out, sides);
        }
        return;
    }
    if (rec.kind == now.kind && rec.text == now.text && rec.kind != JKind::array && rec.kind != JKind::object) return;
    std::string note;
    if (rec.kind == JKind::number && now.kind == JKind::number) {
        // Equal text is the rule (hoshu writes each value one way); say when only the
        // writing differs. Exact: Rational reads the decimal or scientific text as written.
        auto a = Rational::parse(rec.text);
        auto b = Rational::parse(now.text);
        if (a && b && *a == *b) note = " (the same value, but not written as hoshu writes it)";
    }
    // (Texts that look alike: the same characters composed otherwise, which hoshu writes NFC.)
    if (rec.kind == JKind::string && now.kind == JKind::string && dsl::nfc(rec.text) == dsl::nfc(now.text))
        note = " (the same text in another Unicode form: hoshu writes each text composed, NFC)";
    out.push_back(fmt::format("{}: {}, {}{}", path, fmt::format(fmt::runtime(sides.first), json_text(rec)),
                              fmt::format(fmt::runtime(sides.second), json_text(now)), note));
}

}  // namespace

Result<JsonValue> read_json_exact(std::string_view text, JsonLimits limits) {
    // (The parser takes a NUL byte for the end of its input: what followed one would be
    // read as nothing. JSON has no NUL outside a string's `\u0000`.)
    // (The parser passes over a UTF-8 byte order mark, which JSON does not allow and hoshu
    // never writes: a result with one is bytes hoshu did not write.)
    if (text.substr(0, 3) == "\xef\xbb\xbf")
        return dsl::one_error({}, "not JSON: a byte order mark at line 1, column 1; hoshu writes none");
    if (const auto nul = text.find('\0'); nul != std::string_view::npos)
        return dsl::one_error({}, fmt::format("not JSON: a NUL byte at byte {}", nul + 1));
    // (A whole number reaches the reader as its value, not its text: `-0` would read as the
    // `0` hoshu writes. Refused here, outside strings.)
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (text[i] == '-' && i + 1 < text.size() && text[i + 1] == '0' &&
                   (i + 2 == text.size() || std::string_view(".eE0123456789").find(text[i + 2]) == std::string_view::npos)) {
            return dsl::one_error({}, fmt::format("`-0` at byte {}: hoshu writes zero as 0", i + 1));
        }
    }
    ExactReader reader(text, limits);
    bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &reader);
    if (!ok || !reader.error().empty())
        return dsl::one_error({}, reader.error().empty() ? std::string("not JSON") : reader.error());
    return std::move(reader.root());
}

std::string json_text(const JsonValue& v, std::size_t limit) {
    std::string out;
    switch (v.kind) {
        case JKind::null: out = "null"; break;
        case JKind::boolean:
        case JKind::number: out = v.text; break;
        case JKind::string: out = json_quoted(v.text); break;
        case JKind::array:
        case JKind::object: {
            bool object = v.kind == JKind::object;
            out = object ? "{" : "[";
            for (std::size_t i = 0; i < v.items.size() && out.size() <= limit; ++i) {
                if (i > 0) out += ", ";
                if (object) out += json_quoted(v.keys[i]) + ": ";
                out += json_text(v.items[i], limit);
            }
            out += object ? "}" : "]";
            break;
        }
    }
    if (out.size() > limit) {
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;   // not inside a character
        out = out.substr(0, cut) + "…";
    }
    return out;
}

Result<RecordedResult> read_result(std::string_view text) {
    auto json = read_json_exact(text);
    if (!json) return std::move(json).error();
    const JsonValue& root = *json;
    if (root.kind != JKind::object) return dsl::one_error({}, fmt::format("{}: it is {}, not an object", not_eval, kind_name(root.kind)));
    if (root.find("seed") && root.find("paths") && root.find("outputs"))
        return dsl::one_error({}, "a result of `hoshu simulate`, not of `hoshu eval --format json`: verify checks evaluations");
    if (root.find("base") && root.find("head"))
        return dsl::one_error({}, "a result of `hoshu diff`, not of `hoshu eval --format json`: verify checks evaluations");
    if (root.find("root") && root.find("steps"))
        return dsl::one_error({}, "a result of `hoshu explain`, not of `hoshu eval --format json`: verify checks evaluations");
    for (std::string_view key : {"seal", "plan", "totals", "limits", "violations"}) {
        if (root.find(key) == nullptr) return dsl::one_error({}, fmt::format("{}: it has no \"{}\"", not_eval, key));
    }
    const JsonValue& seal_json = *root.find("seal");
    if (seal_json.kind != JKind::object)
        return dsl::one_error({}, fmt::format("seal is {}; a result of `hoshu eval --format json` has an object there",
                                     kind_name(seal_json.kind)));

    RecordedResult result;
    SealReader r(seal_json);
    Seal& seal = result.seal;
    if (auto s = r.hash("rules_sha256")) seal.rules_sha256 = *s;
    if (auto s = r.hash("inputs_sha256")) seal.inputs_sha256 = *s;
    if (auto s = r.text("engine", "a string such as \"hoshu 0.1.0\"")) seal.engine = *s;
    if (auto s = r.text("plan", "the plan folder's path")) seal.plan_path = *s;
    if (auto s = r.text("inputs", "the inputs file's path")) seal.inputs_path = *s;
    if (auto s = r.text("relative_to", "\"working directory\" or \"result\"")) {
        if (*s == to_string(SealPaths::result)) seal.relative_to = SealPaths::result;
        else if (*s == to_string(SealPaths::working_directory)) seal.relative_to = SealPaths::working_directory;
        else r.fail("seal.relative_to is neither \"working directory\" nor \"result\"");
    }
    if (r.error().empty() && (seal.plan_path.empty() || seal.inputs_path.empty()))
        r.fail("the seal's plan or inputs path is empty");
    if (auto s = r.text("as_of", "a date \"YYYY-MM-DD\"", false)) {
        result.as_of = Date::parse(*s);
        if (!result.as_of || result.as_of->to_string() != *s) r.fail("seal.as_of is not a date written YYYY-MM-DD");
        else seal.as_of = *s;
    }
    if (seal_json.find("carried_from") || seal_json.find("carried_sha256")) {
        if (auto s = r.text("carried_from", "the path of the result the carried records were read from")) seal.carried_from = *s;
        if (auto s = r.hash("carried_sha256")) seal.carried_sha256 = *s;
    }
    if (const JsonValue* events = seal_json.find("carried_events")) {
        seal.carried_from_register = true;
        if (seal.carried_from.empty()) r.fail("seal.carried_events goes with seal.carried_from, the register they are in");
        if (events->kind != JKind::array) r.fail("seal.carried_events is not an array of {\"id\": a number, \"hash\": a SHA-256}");
        for (std::size_t i = 0; events->kind == JKind::array && i < events->items.size() && r.error().empty(); ++i) {
            const JsonValue& e = events->items[i];
            const JsonValue* id = e.find("id");
            const JsonValue* hash = e.find("hash");
            std::int64_t n = 0;
            bool ok = e.kind == JKind::object && e.keys.size() == 2 && id && hash && id->kind == JKind::number &&
                      hash->kind == JKind::string && is_sha256(hash->text) && !id->text.empty() && id->text.size() < 18 &&
                      id->text.find_first_not_of("0123456789") == std::string::npos;
            if (ok) n = std::stoll(id->text);
            if (!ok || n <= 0) {
                r.fail(fmt::format("seal.carried_events[{}] is not {{\"id\": a whole number, \"hash\": 64 hexadecimal digits}}", i));
                break;
            }
            seal.carried_events.push_back({n, hash->text});
        }
    }
    const JsonValue* files = seal_json.find("rule_files");
    if (files == nullptr) r.fail(fmt::format("{}: its seal has no \"rule_files\"", not_eval));
    else if (files->kind != JKind::array)
        r.fail(fmt::format("seal.rule_files is {}; a result of `hoshu eval --format json` has an array there",
                           kind_name(files->kind)));
    else {
        for (std::size_t i = 0; i < files->items.size() && r.error().empty(); ++i) {
            const JsonValue& f = files->items[i];
            const JsonValue* path = f.find("path");
            const JsonValue* hash = f.find("sha256");
            if (f.kind != JKind::object || f.keys.size() != 2 || path == nullptr || hash == nullptr ||
                path->kind != JKind::string || hash->kind != JKind::string || !is_sha256(hash->text)) {
                r.fail(fmt::format("seal.rule_files[{}] is not {{\"path\": a string, \"sha256\": 64 hexadecimal digits}}",
                                   i));
                break;
            }
            seal.rule_files.push_back({path->text, hash->text});
        }
    }
    if (!r.error().empty()) return dsl::one_error({}, r.error());
    result.json = std::move(*json);
    return result;
}

std::vector<std::string> seal_differences(const Seal& recorded, const Seal& now) {
    std::vector<std::string> out;
    if (recorded.inputs_sha256 != now.inputs_sha256)
        out.push_back(fmt::format("the inputs {} changed: recorded sha256 {}, now {}", dsl::printable(now.inputs_path),
                                  recorded.inputs_sha256, now.inputs_sha256));

    // Each rule file, by path: listed twice, added, changed, removed.
    std::vector<std::string> files;
    std::map<std::string, std::string> before;
    for (const auto& f : recorded.rule_files) {
        if (!before.emplace(f.path, f.sha256).second)
            files.push_back(fmt::format("  {} is listed twice", dsl::printable(f.path)));
    }
    std::set<std::string> listed_now;
    for (const auto& f : now.rule_files) {
        listed_now.insert(f.path);
        auto it = before.find(f.path);
        if (it == before.end()) files.push_back(fmt::format("  {} was added", dsl::printable(f.path)));
        else if (it->second != f.sha256) files.push_back(fmt::format("  {} was changed", dsl::printable(f.path)));
    }
    for (const auto& [path, hash] : before) {
        if (!listed_now.count(path)) files.push_back(fmt::format("  {} was removed", dsl::printable(path)));
    }
    if (files.empty() && seal_listing(recorded.rule_files) != seal_listing(now.rule_files))
        files.push_back("  seal.rule_files is not sorted by path, as hoshu writes it");
    if (recorded.rules_sha256 != now.rules_sha256)
        out.push_back(fmt::format("the rules in {} changed: recorded sha256 {}, now {}", dsl::printable(now.plan_path),
                                  recorded.rules_sha256, now.rules_sha256));
    else if (!files.empty())
        out.push_back(fmt::format("seal.rule_files does not list the rule files of {} (sha256 {})",
                                  dsl::printable(now.plan_path), now.rules_sha256));
    out.insert(out.end(), files.begin(), files.end());

    if (recorded.carried_sha256 != now.carried_sha256) {
        if (now.carried_sha256.empty())
            out.push_back(fmt::format("the result was evaluated with --carry {} (sha256 {}); no carried result is read now",
                                      dsl::printable(recorded.carried_from), recorded.carried_sha256));
        else
            out.push_back(fmt::format("the carried result {} changed: recorded sha256 {}, now {}",
                                      dsl::printable(now.carried_from), recorded.carried_sha256.empty() ? "(none)" : recorded.carried_sha256,
                                      now.carried_sha256));
    }
    if (recorded.engine != now.engine)
        out.push_back(fmt::format("seal.engine: the result was written by {}, this is {}", json_quoted(recorded.engine),
                                  now.engine));
    return out;
}

std::vector<std::string> result_differences(const RecordedResult& recorded, const Plan& plan, const Outcome& outcome,
                                            const Seal& now, std::string_view year) {
    std::vector<std::string> out = seal_differences(recorded.seal, now);
    // What hoshu writes now, with the recorded paths (they locate the files; an auditor's
    // copies may be elsewhere), read back the same way as the recorded result.
    Seal as_recorded = now;
    as_recorded.plan_path = recorded.seal.plan_path;
    as_recorded.inputs_path = recorded.seal.inputs_path;
    as_recorded.relative_to = recorded.seal.relative_to;
    as_recorded.as_of = recorded.seal.as_of;
    as_recorded.carried_from = recorded.seal.carried_from;
    auto fresh = read_json_exact(format_json(plan, outcome, as_recorded, year));
    assert(fresh.ok());
    if (!fresh) {
        out.push_back("the recomputed result could not be read back");
        return out;
    }
    const JsonValue& rec = recorded.json;
    // The seal's hashes, files and engine are compared above, in words; the rest of the
    // seal (unknown keys above all) and every value here.
    static const std::set<std::string_view> compared_in_words{"rules_sha256", "inputs_sha256", "engine", "rule_files",
                                                                        "carried_sha256"};
    const JsonValue* rec_seal = rec.find("seal");
    const JsonValue* now_seal = fresh->find("seal");
    assert(rec_seal != nullptr && now_seal != nullptr);
    const Sides sides;
    compare_objects(*rec_seal, *now_seal, "seal", out, sides, compared_in_words);
    compare_objects(rec, *fresh, "", out, sides, {"seal"});
    return out;
}

std::vector<std::string> value_differences(const JsonValue& first, const JsonValue& second,
                                           const std::set<std::string_view>& skip, const Sides& sides) {
    std::vector<std::string> out;
    compare(first, second, "", out, sides, skip);
    return out;
}

}  // namespace hoshu::eval
