// InputFile: the TOML input layer, the only part of hoshu that includes toml++.
//
// toml++ parses the document; everything exact is read back from our own copy of the
// text: the binary value toml++ makes of a fractional number is never used, its literal
// is re-read and parsed as a Rational, and every range is computed by scanning the token
// in the text.
//
// toml++ positions: 1-based lines and columns, columns counted in code points (a tab
// counts one), like dsl::SourceFile::offset_of (neither counts a leading UTF-8 byte order
// mark as a column).
#include "evaluator/run/inputs.hpp"

#include "dsl/base/files.hpp"
#include "dsl/base/unicode.hpp"
#include "evaluator/run/toml_depth.hpp"

// toml++ 3.3 asserts an internal invariant that malformed input can break: `a = [1,}]`
// fails `!is_value_terminator(*cp)` in parser::parse_value() and aborts, where the release
// library (built with NDEBUG) reports "could not determine value type". Builds that compile
// toml++'s parser into this file (header-only, no NDEBUG) must behave like the library.
#ifndef TOML_ASSERT
#define TOML_ASSERT(expr) static_cast<void>(0)
#endif
#include <cctype>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace hoshu::eval {

namespace {

using dsl::SourceRange;

const toml::node* as_toml(InputFile::Node n) { return static_cast<const toml::node*>(n.ptr); }
InputFile::Node as_handle(const toml::node* n) { return InputFile::Node{n}; }

/// Byte offset of a toml++ position in `f`; nullopt when toml++ recorded no position.
std::optional<std::uint32_t> offset_of(const dsl::SourceFile& f, const toml::source_position& p) {
    if (p.line == 0) return std::nullopt;
    dsl::LineCol lc{p.line, p.column == 0 ? 1u : p.column};
    return f.offset_of(lc);
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// The offset just past the code point starting at `i` (i itself at a line end or the end).
std::uint32_t next_code_point(std::string_view s, std::uint32_t i) {
    if (i >= s.size() || s[i] == '\n' || s[i] == '\r') return i;
    ++i;
    while (i < s.size() && is_continuation(s[i])) ++i;
    return i;
}

/// End of a quoted string (basic, literal, or multi-line) whose opening quote is at `i`;
/// nullopt if it is not closed.
std::optional<std::size_t> scan_string(std::string_view s, std::size_t i) {
    const char q = s[i];
    const bool escapes = q == '"';
    const bool multi = s.substr(i, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''");
    i += multi ? 3 : 1;
    while (i < s.size()) {
        char c = s[i];
        if (escapes && c == '\\') {
            i += 2;
            continue;
        }
        if (!multi && (c == '\n' || c == '\r')) return std::nullopt;
        if (c != q) {
            ++i;
            continue;
        }
        if (!multi) return i + 1;
        if (s.substr(i, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''")) {
            // Up to two more quotes may belong to the content: """a"""" is `a"`.
            std::size_t end = i + 3;
            for (int k = 0; k < 2 && end < s.size() && s[end] == q; ++k) ++end;
            return end;
        }
        ++i;
    }
    return std::nullopt;
}

/// End of a bracketed construct starting at `i` ('[' or '{'): an inline array, an inline
/// table, or a table header `[a.b]` / `[[a]]`. Skips strings and comments.
std::optional<std::size_t> scan_bracketed(std::string_view s, std::size_t i) {
    int depth = 0;
    while (i < s.size()) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            auto end = scan_string(s, i);
            if (!end) return std::nullopt;
            i = *end;
            continue;
        }
        if (c == '#') {
            while (i < s.size() && s[i] != '\n') ++i;
            continue;
        }
        if (c == '[' || c == '{') ++depth;
        if (c == ']' || c == '}') {
            if (--depth == 0) return i + 1;
        }
        ++i;
    }
    return std::nullopt;
}

bool is_delimiter(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}' || c == '#';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// End of a number, boolean, date, time or date-time token starting at `i`. A date-time
/// may separate its date and time with one space (1979-05-27 07:32:00).
std::size_t scan_atom(std::string_view s, std::size_t i, bool date_time) {
    while (i < s.size()) {
        if (date_time && s[i] == ' ' && i + 1 < s.size() && is_digit(s[i + 1])) {
            ++i;
            date_time = false;
            continue;
        }
        if (is_delimiter(s[i])) break;
        ++i;
    }
    return i;
}

bool is_bare_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
}

/// End of a key (bare or quoted) starting at `i`.
std::size_t scan_key(std::string_view s, std::size_t i) {
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
        if (auto end = scan_string(s, i)) return *end;
        return i + 1;
    }
    std::size_t j = i;
    while (j < s.size() && is_bare_key_char(s[j])) ++j;
    return j > i ? j : next_code_point(s, static_cast<std::uint32_t>(i));
}

/// A string's contents quoted for a message: "abc", with quotes, backslashes and control
/// characters escaped so the message stays on one line.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                    out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

InputKind kind_of(const toml::node* n) {
    if (!n) return InputKind::missing;
    switch (n->type()) {
        case toml::node_type::none: return InputKind::missing;
        case toml::node_type::table: return InputKind::table;
        case toml::node_type::array: return InputKind::array;
        case toml::node_type::string: return InputKind::string;
        case toml::node_type::integer: return InputKind::integer;
        case toml::node_type::floating_point: return InputKind::floating;
        case toml::node_type::boolean: return InputKind::boolean;
        case toml::node_type::date: return InputKind::date;
        case toml::node_type::time: return InputKind::time;
        case toml::node_type::date_time: return InputKind::date_time;
    }
    return InputKind::missing;
}

/// A located error when the file nests deeper than toml++ can be trusted with (measured
/// before it parses: toml++ descends once per level).
std::optional<dsl::Diagnostics> too_deep(const dsl::SourceManager& sm, dsl::FileId id) {
    const std::string& text = sm.file(id).text();
    auto at = toml_too_deep(text);
    if (!at) return std::nullopt;
    auto b = static_cast<std::uint32_t>(*at);
    return dsl::one_error(SourceRange::in(id, b, next_code_point(text, b)),
                     fmt::format("the TOML nests more than {} levels deep here (table headers, the parts of "
                                 "dotted keys, arrays and inline tables)",
                                 max_toml_depth));
}

/// Every text of the document, string values and keys, in Unicode NFC (dsl/base/unicode.hpp),
/// so that whatever reads the inputs compares texts as the rules' texts are compared: an
/// id, a text value or a key written with a combining mark (e + U+0301) is the same as one
/// written precomposed (é). Only the parsed values change: the file's bytes, which a seal
/// hashes, stay as written, and so do the positions of keys and values. Two keys of one
/// table that are one text in NFC are an error, located at the later one.
std::optional<dsl::Diagnostics> texts_in_nfc(toml::table& root, const dsl::SourceFile& f, dsl::FileId id) {
    dsl::Diagnostics diags;
    auto key_at = [&](const toml::key& k) {
        auto begin = offset_of(f, k.source().begin);
        if (!begin) return SourceRange{};
        return SourceRange::in(id, *begin, static_cast<std::uint32_t>(scan_key(f.text(), *begin)));
    };
    auto visit = [&](auto&& self, toml::node& node) -> void {
        if (auto* s = node.as_string()) {
            dsl::to_nfc(s->get());
            return;
        }
        if (auto* a = node.as_array()) {
            for (auto& e : *a) self(self, e);
            return;
        }
        auto* t = node.as_table();
        if (!t) return;
        std::vector<std::string> renamed;   // keys not in NFC (rare: the loop below is their cost)
        for (auto&& [k, v] : *t) {
            self(self, v);
            if (!dsl::is_nfc(k.str())) renamed.emplace_back(k.str());
        }
        for (const auto& written : renamed) {
            auto it = t->find(written);
            toml::key key(dsl::nfc(written), it->first.source());
            if (auto other = t->find(key.str()); other != t->end()) {
                // The later of the two in the file is the one given again.
                const auto& a = it->first.source().begin;
                const auto& b = other->first.source().begin;
                const bool this_later = std::pair(a.line, a.column) > std::pair(b.line, b.column);
                const toml::key& later = this_later ? it->first : other->first;
                const toml::key& first = this_later ? other->first : it->first;
                auto& d = diags.error(key_at(later), "the key `{}` is given twice in this table", dsl::printable(key.str()));
                d.hint = "the two are the same text written in two Unicode forms (a letter and a combining mark, or "
                         "the letter precomposed): hoshu compares keys and texts in NFC; keep one";
                diags.note(key_at(first), "first given here");
                continue;
            }
            toml::node& value = it->second;
            t->insert(std::move(key), std::move(value));
            t->erase(written);
        }
    };
    visit(visit, root);
    if (diags.has_errors()) return diags;
    return std::nullopt;
}

}  // namespace

const char* describe(InputKind k) {
    switch (k) {
        case InputKind::missing: return "nothing";
        case InputKind::string: return "a string";
        case InputKind::integer: return "an integer";
        case InputKind::floating: return "a float";  // not double
        case InputKind::boolean: return "a boolean";
        case InputKind::date: return "a date";
        case InputKind::time: return "a time";
        case InputKind::date_time: return "a date-time";
        case InputKind::array: return "an array";
        case InputKind::table: return "a table";
    }
    return "nothing";
}

struct InputFile::Impl {
    toml::table root;
    /// The files of carried records (parse_with_carried), by the path toml++ gives their nodes.
    std::vector<std::pair<std::string, dsl::FileId>> carried;
    /// find()'s index of a list of records by the text of their string and date fields: the
    /// first record with that text and how many have it. Built on a list's first lookup (a
    /// report looks up every director's fields: a scan of the list each time was quadratic);
    /// the document never changes after it is read. Lookups may come from several threads.
    struct Match {
        std::size_t first = 0;
        std::size_t count = 0;
    };
    std::mutex index_mutex;
    std::unordered_map<const toml::array*, std::unordered_map<std::string, Match>> record_index;
    /// The dates of the inputs file written bare, YYYY-MM-DD, that name no day (2029-02-29):
    /// toml++ refuses them as it parses, and the file is read with each put as a day that
    /// is (the same length, so every position stays). Each by its offset, with its text and
    /// why it is none; reading it as a date is then refused as a quoted one is.
    struct NoSuchDay {
        std::uint32_t offset = 0;
        std::string written, why;
    };
    std::vector<NoSuchDay> no_such_days;
    const NoSuchDay* no_such_day(dsl::SourceRange r, dsl::FileId inputs) const {
        if (no_such_days.empty() || r.file != inputs) return nullptr;
        for (const auto& d : no_such_days)
            if (d.offset == r.begin) return &d;
        return nullptr;
    }
};

namespace {

/// The file a node was read from: the inputs file, or one of carried records.
dsl::FileId file_of(const toml::node* node, const std::vector<std::pair<std::string, dsl::FileId>>& carried,
                    dsl::FileId inputs) {
    if (carried.empty() || !node) return inputs;
    const auto& path = node->source().path;
    if (!path) return inputs;
    for (const auto& [shown, id] : carried) {
        if (*path == shown) return id;
    }
    return inputs;
}

}  // namespace

InputFile::InputFile(dsl::SourceManager& sm, dsl::FileId file, std::unique_ptr<Impl> impl)
    : sm_(&sm), file_(file), impl_(std::move(impl)) {}
InputFile::InputFile(InputFile&&) noexcept = default;
InputFile& InputFile::operator=(InputFile&&) noexcept = default;
InputFile::~InputFile() = default;

const std::string& InputFile::path() const { return sm_->file(file_).path(); }
const std::string& InputFile::bytes() const { return sm_->file(file_).text(); }

Result<InputFile> InputFile::load(dsl::SourceManager& sm, const std::string& path) {
    try {
        std::string text, error;
        if (!dsl::read_file(path, text, error)) return dsl::one_error({}, fmt::format("cannot read {}: {}", path, error));
        return parse(sm, path, std::move(text));
    } catch (const std::exception& e) {
        return dsl::one_error({}, fmt::format("cannot read {}: {}", path, e.what()));
    }
}

namespace {

/// Bare dates that name no day read past (InputFile::Impl::no_such_days): each costs a parse
/// of the whole file again; past these, the next is refused as TOML that cannot be read.
constexpr std::size_t max_no_such_days = 50;

}  // namespace

Result<InputFile> InputFile::parse(dsl::SourceManager& sm, std::string path, std::string text) {
    dsl::FileId id = 0;
    try {
        id = sm.add(std::move(path), std::move(text));
        const dsl::SourceFile& f = sm.file(id);
        std::size_t bad = 0;
        if (!dsl::valid_utf8(f.text(), &bad)) {
            auto b = static_cast<std::uint32_t>(bad);
            return dsl::one_error(SourceRange::in(id, b, b + 1),
                             fmt::format("invalid UTF-8: unexpected byte 0x{:02X}",
                                         static_cast<unsigned>(static_cast<unsigned char>(f.text()[bad]))));
        }
        if (auto deep = too_deep(sm, id)) return std::move(*deep);
        auto impl = std::make_unique<Impl>();
        std::string patched;   // the text toml++ reads: f's, each bare date that names no day put as one that does
        for (;;) try {
            // Built with exceptions, toml++ returns the table and throws toml::parse_error.
            impl->root = toml::parse(std::string_view(patched.empty() ? f.text() : patched));
            if (auto twice = texts_in_nfc(impl->root, f, id)) return std::move(*twice);
            return InputFile(sm, id, std::move(impl));
        } catch (const toml::parse_error& e) {
            // toml++ says "Error while parsing key-value pair: expected …"; say it as ours.
            std::string message(e.description());
            constexpr std::string_view prefix = "Error while parsing ";
            if (message.compare(0, prefix.size(), prefix) == 0)
                message = "invalid TOML in a " + message.substr(prefix.size());
            auto off = offset_of(f, e.source().begin);
            if (!off) return dsl::one_error({}, fmt::format("{}: {}", f.path(), message));
            // An integer past 64 bits (toml++ places the error just after its digits): the
            // whole number underlined, and the way to give it exactly.
            if (message.find("not representable in 64 bits") != std::string::npos) {
                const std::string_view text = f.text();
                std::size_t begin = std::min<std::size_t>(*off, text.size());
                while (begin > 0 && (std::isdigit(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '_'))
                    --begin;
                if (begin > 0 && (text[begin - 1] == '-' || text[begin - 1] == '+')) --begin;
                if (begin < *off) {
                    const std::string number(text.substr(begin, *off - begin));
                    return dsl::one_error(SourceRange::in(id, static_cast<std::uint32_t>(begin), *off),
                                          fmt::format("{} is past the 64 bits a TOML integer holds", number),
                                          fmt::format("write it in quotes, \"{}\": hoshu reads a number in quotes exactly",
                                                      number));
                }
            }
            // A date or time that is no date (June 31, month 13): toml++ places the error
            // where it stopped reading, after the digits; the whole value underlined.
            if (message.rfind("invalid TOML in a date", 0) == 0 || message.rfind("invalid TOML in a time", 0) == 0) {
                const std::string_view text = f.text();
                auto in_value = [](char c) {
                    return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == ':' || c == '.' || c == '+' ||
                           c == 'T' || c == 't' || c == 'Z' || c == 'z';
                };
                std::size_t begin = std::min<std::size_t>(*off, text.size()), end = begin;
                while (begin > 0 && in_value(text[begin - 1])) --begin;
                // A date and a time apart by one space (`2025-06-31 10:00:00`): both.
                if (begin > 1 && text[begin - 1] == ' ' && std::isdigit(static_cast<unsigned char>(text[begin - 2])) &&
                    text.substr(begin, end - begin).find('-') == std::string_view::npos)
                    for (--begin; begin > 0 && in_value(text[begin - 1]);) --begin;
                while (end < text.size() && in_value(text[end])) ++end;
                if (end + 1 < text.size() && text[end] == ' ' &&
                    std::isdigit(static_cast<unsigned char>(text[end + 1])) && text.substr(begin, end - begin).find(':') == std::string_view::npos &&
                    text.substr(end + 1, 3).find(':') != std::string_view::npos)
                    for (++end; end < text.size() && in_value(text[end]);) ++end;
                if (begin < end) {
                    // A date written YYYY-MM-DD that names no day (2029-02-29, 2026-04-31,
                    // 2026-13-01) is said as every date is, whatever toml++ calls it.
                    if (end - begin >= 10 && message.rfind("invalid TOML in a date", 0) == 0)
                        if (std::string why = Date::why_no_such_day(text.substr(begin, 10)); !why.empty()) {
                            // A bare date, the value alone: read as a day that is, refused when
                            // it is read as a date — as "2029-02-29" in quotes is, exit 1, with
                            // the file's other problems — not as TOML that cannot be read.
                            // (Once per date: one toml++ still refuses, 2029-02-29x, is its error.)
                            const bool read_past = std::any_of(impl->no_such_days.begin(), impl->no_such_days.end(),
                                                               [&](const auto& d) { return d.offset == begin; });
                            if (end - begin == 10 && !read_past && impl->no_such_days.size() < max_no_such_days) {
                                if (patched.empty()) patched = std::string(text);
                                patched.replace(begin, 10, "2000-01-01");
                                impl->no_such_days.push_back(
                                    {static_cast<std::uint32_t>(begin), std::string(text.substr(begin, 10)), std::move(why)});
                                continue;
                            }
                            message = std::move(why);
                        }
                    return dsl::one_error(SourceRange::in(id, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)),
                                          std::move(message));
                }
            }
            return dsl::one_error(SourceRange::in(id, *off, next_code_point(f.text(), *off)), std::move(message));
        }
    } catch (const std::exception& e) {
        return dsl::one_error({}, fmt::format("cannot parse {}: {}", sm.size() > id ? sm.file(id).path() : "input", e.what()));
    }
}

Result<InputFile> InputFile::parse_with_carried(dsl::SourceManager& sm, std::string path, std::string text,
                                                const std::vector<Carried>& carried, bool added) {
    auto in = parse(sm, std::move(path), std::move(text));
    if (!in || carried.empty()) return in;
    dsl::Diagnostics errors;
    for (const auto& c : carried) {
        if (added && in->impl_->root.contains(c.key) && !in->impl_->root.get_as<toml::array>(c.key)) {
            errors.error(in->key_range(in->root(), c.key), "`{}` is not a list of records, to which {} adds", c.key,
                         c.shown);
            continue;
        }
        if (!added && in->impl_->root.contains(c.key)) {
            auto& d = errors.error(in->key_range(in->root(), c.key),
                                   "the inputs give `{}`, which is carried from {}", c.key, c.shown);
            const toml::array* given = in->impl_->root.get_as<toml::array>(c.key);
            d.hint = given && given->empty()
                         ? fmt::format("`{} = []` says the year has none, as in the plan's first year: remove it to carry "
                                       "them",
                                       c.key)
                         : fmt::format("remove `{}` from the inputs, or evaluate without --carry to type the records here",
                                       c.key);
            continue;
        }
        auto part = parse(sm, c.shown, c.toml);
        if (!part) {
            errors.append(part.error());
            continue;
        }
        // The carried nodes keep the source path toml++ gave them: the file they are shown in.
        toml::table carried_root = toml::parse(std::string_view(sm.file(part->file()).text()), std::string_view(c.shown));
        texts_in_nfc(carried_root, sm.file(part->file()), part->file());   // (parse() found no error in it)
        in->impl_->carried.emplace_back(c.shown, part->file());
        toml::array* records = carried_root.get_as<toml::array>(c.key);
        if (toml::array* own = added ? in->impl_->root.get_as<toml::array>(c.key) : nullptr) {
            if (records)
                for (auto& record : *records) own->push_back(std::move(record));
        } else if (records) {
            in->impl_->root.insert(c.key, std::move(*records));
        } else {
            in->impl_->root.insert(c.key, toml::array{});
        }
    }
    if (errors.has_errors()) return errors;
    return in;
}

InputFile::Node InputFile::root() const { return as_handle(&impl_->root); }

InputFile::Node InputFile::child(Node table, std::string_view key) const {
    const toml::node* n = as_toml(table);
    const toml::table* t = n ? n->as_table() : nullptr;
    return as_handle(t ? t->get(key) : nullptr);
}

InputFile::Node InputFile::element(Node array, std::size_t i) const {
    const toml::node* n = as_toml(array);
    const toml::array* a = n ? n->as_array() : nullptr;
    return as_handle(a ? a->get(i) : nullptr);
}

std::size_t InputFile::size(Node array_or_table) const {
    const toml::node* n = as_toml(array_or_table);
    if (!n) return 0;
    if (const toml::array* a = n->as_array()) return a->size();
    if (const toml::table* t = n->as_table()) return t->size();
    return 0;
}

std::vector<std::string> InputFile::keys(Node table) const {
    const toml::node* n = as_toml(table);
    const toml::table* t = n ? n->as_table() : nullptr;
    if (!t) return {};
    // toml++ keeps a table's keys sorted by name; the file order is the order of the keys'
    // first appearances in the text. Keys without a position (none, when parsed) go last.
    struct Entry {
        std::uint64_t position;
        std::string key;
    };
    std::vector<Entry> entries;
    entries.reserve(t->size());
    for (auto&& [k, v] : *t) {
        const auto& p = k.source().begin;
        std::uint64_t pos = p.line == 0 ? UINT64_MAX : (std::uint64_t{p.line} << 32) | p.column;
        entries.push_back({pos, std::string(k.str())});
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.position < b.position; });
    std::vector<std::string> out;
    out.reserve(entries.size());
    for (auto& e : entries) out.push_back(std::move(e.key));
    return out;
}

InputKind InputFile::kind(Node n) const { return kind_of(as_toml(n)); }

std::optional<std::string> InputFile::scalar_text(Node n) const {
    const toml::node* node = as_toml(n);
    if (!node) return std::nullopt;
    if (auto s = node->as_string()) return s->get();
    if (auto d = node->as_date()) {
        if (auto none = impl_->no_such_day(range(n), file_)) return none->written;   // as written: 2029-02-29
        const toml::date& v = d->get();
        if (auto date = Date::from_ymd(v.year, v.month, v.day)) return date->to_string();
    }
    return std::nullopt;
}

namespace {

// Two names that differ only in their digits (FY2025 and FY2023, D99 and D09) name other
// things, not a misspelling of one another.
bool another_number(std::string_view a, std::string_view b) {
    auto letters = [](std::string_view s) {
        std::string out;
        for (char c : s)
            if (!std::isdigit(static_cast<unsigned char>(c))) out += c;
        return out;
    };
    return a != b && letters(a) == letters(b);
}

}  // namespace

std::string InputFile::Miss::corrected(std::string_view path) const {
    if (suggestion.empty() || end == 0 || end > path.size()) return {};
    std::string out(path.substr(0, begin));
    const bool quoted = path[begin] == '"';
    const bool bare = !quoted && suggestion.find_first_of(".[]\" ") == std::string::npos;
    out += bare ? suggestion : "\"" + suggestion + "\"";
    out += path.substr(end);
    return out;
}

dsl::SourceRange InputFile::Miss::narrow(dsl::SourceRange where, std::string_view path) const {
    if (!where.valid || end == 0 || end > path.size()) return where;
    const std::size_t written = where.end - where.begin;
    std::size_t offset = 0;
    if (written == path.size() + 2) offset = 1;   // in quotes
    else if (written != path.size()) return where;
    return dsl::SourceRange::in(where.file, where.begin + static_cast<std::uint32_t>(offset + begin),
                                where.begin + static_cast<std::uint32_t>(offset + end));
}

InputFile::Node InputFile::find(std::string_view path, std::string* why, Miss* miss) const {
    // Split into steps: bare text up to '.', a quoted "step", or [n]; each in NFC, as the
    // document's keys and texts are.
    struct Step {
        std::string key;
        std::optional<std::size_t> index;
        std::size_t begin = 0, end = 0;   // in `path`
    };
    std::vector<Step> steps;
    std::size_t i = 0;
    auto bad = [&](std::string message) {
        *why = std::move(message);
        return Node{};
    };
    while (i < path.size()) {
        if (path[i] == '[') {
            auto close = path.find(']', i);
            std::size_t n = 0;
            auto digits = path.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
            if (close == std::string_view::npos || digits.empty() || ec != std::errc{} ||
                end != digits.data() + digits.size())
                return bad(fmt::format("`{}`: expected [n], a position from 0", path));
            steps.push_back(Step{{}, n, i, close + 1});
            i = close + 1;
        } else if (path[i] == '"') {
            auto close = path.find('"', i + 1);
            if (close == std::string_view::npos) return bad(fmt::format("`{}`: unterminated quoted step", path));
            steps.push_back(Step{dsl::nfc(path.substr(i + 1, close - i - 1)), std::nullopt, i, close + 1});
            i = close + 1;
        } else {
            auto end = path.find_first_of(".[", i);
            if (end == std::string_view::npos) end = path.size();
            if (end == i) return bad(fmt::format("`{}`: empty step", path));
            steps.push_back(Step{dsl::nfc(path.substr(i, end - i)), std::nullopt, i, end});
            i = end;
        }
        if (i < path.size() && path[i] == '.') {
            ++i;
            if (i == path.size()) return bad(fmt::format("`{}`: empty step at the end", path));
        } else if (i < path.size() && path[i] != '[') {
            return bad(fmt::format("`{}`: expected `.` after a quoted step", path));
        }
    }
    if (steps.empty()) return bad("an empty path");
    Node node = root();
    std::string so_far;
    for (const auto& step : steps) {
        std::string shown = step.index ? fmt::format("[{}]", *step.index) : step.key;
        std::string here = so_far.empty() ? "the inputs" : "`" + so_far + "`";
        Node next;
        InputKind k = kind(node);
        if (miss) *miss = Miss{step.begin, step.end, {}};
        if (step.index) {
            if (k != InputKind::array) return bad(fmt::format("{} is {}, not an array", here, describe(k)));
            next = element(node, *step.index);
            if (!next)
                return bad(fmt::format("{} has {} entries; there is no [{}]", here, size(node), *step.index));
        } else if (k == InputKind::table) {
            next = child(node, step.key);
            if (!next) {
                if (miss) {
                    std::vector<std::string> candidates = keys(node);
                    std::erase_if(candidates, [&](const std::string& c) { return another_number(step.key, c); });
                    if (auto best = dsl::closest(step.key, candidates)) miss->suggestion = *best;
                }
                return bad(fmt::format("{} has no `{}`", here, step.key));
            }
        } else if (k == InputKind::array) {
            // The record whose string or date field is this step (two that match are an
            // error), through the list's index of its records by their fields' texts.
            const toml::array* list = as_toml(node)->as_array();
            std::size_t matches = 0;
            {
                std::lock_guard<std::mutex> lock(impl_->index_mutex);
                auto [at, fresh] = impl_->record_index.try_emplace(list);
                auto& index = at->second;
                if (fresh) {
                    for (std::size_t e = 0; e < list->size(); ++e) {
                        const toml::table* rec = list->get(e)->as_table();
                        if (rec == nullptr) continue;
                        std::vector<std::string> texts;   // each text once per record
                        for (auto&& [key, v] : *rec) {
                            std::optional<std::string> text;
                            if (const auto* str = v.as_string()) text = str->get();
                            else if (v.is_date()) text = scalar_text(as_handle(&v));
                            if (!text || std::find(texts.begin(), texts.end(), *text) != texts.end()) continue;
                            texts.push_back(*text);
                            auto [m, added] = index.try_emplace(std::move(*text), Impl::Match{e, 0});
                            ++m->second.count;
                        }
                    }
                }
                if (auto m = index.find(step.key); m != index.end()) {
                    matches = m->second.count;
                    next = as_handle(list->get(m->second.first));
                } else if (miss && step.key.size() >= 3 &&
                           std::any_of(step.key.begin(), step.key.end(),
                                       [](unsigned char c) { return std::isalpha(c) != 0; })) {
                    // The nearest field text of one record (a misspelt id): one edit, two in a
                    // long name; not for numbers and dates (another date is no misspelling).
                    const std::size_t most = step.key.size() >= 8 ? 2 : 1;
                    std::size_t best = most + 1;   // the first in byte order of equally near ones
                    for (const auto& [text, match] : index) {
                        if (match.count != 1 || another_number(step.key, text)) continue;
                        const std::size_t d = dsl::edit_distance(step.key, text);
                        if (d < best || (d == best && d <= most && text < miss->suggestion)) {
                            best = d;
                            miss->suggestion = text;
                        }
                    }
                }
            }
            if (matches == 0) return bad(fmt::format("no record of {} has a field equal to `{}`", here, step.key));
            if (matches > 1)
                return bad(fmt::format("{} records of {} have a field equal to `{}`; name one by position: [n]",
                                       matches, here, step.key));
        } else {
            return bad(fmt::format("{} is {}, which has no `{}`", here, describe(k), step.key));
        }
        so_far += (so_far.empty() || step.index ? "" : ".") + shown;
        node = next;
    }
    if (miss) *miss = Miss{};
    return node;
}

dsl::SourceRange InputFile::range(Node n) const {
    const toml::node* node = as_toml(n);
    if (!node) return {};
    const dsl::FileId file = file_of(node, impl_->carried, file_);
    const dsl::SourceFile& f = sm_->file(file);
    const std::string_view s = f.text();
    if (node == &impl_->root) {
        // The root has no header: point at its first key, or at the start of the file.
        auto ks = keys(n);
        if (!ks.empty()) return key_range(n, ks.front());
        return SourceRange::in(file_, 0, 0);
    }
    auto begin = offset_of(f, node->source().begin);
    if (!begin || *begin >= s.size()) return {};
    std::optional<std::size_t> end;
    const char c = s[*begin];
    switch (kind_of(node)) {
        case InputKind::table:
        case InputKind::array:
            // A header [a.b] / [[a]], an inline table or array; a table made by a dotted
            // key (a.b = 1) starts at that key.
            if (c == '[' || c == '{') {
                end = scan_bracketed(s, *begin);
            } else {
                end = scan_key(s, *begin);
            }
            break;
        case InputKind::string:
            if (c == '"' || c == '\'') end = scan_string(s, *begin);
            break;
        case InputKind::date_time: end = scan_atom(s, *begin, true); break;
        case InputKind::missing:
        case InputKind::integer:
        case InputKind::floating:
        case InputKind::boolean:
        case InputKind::date:
        case InputKind::time: end = scan_atom(s, *begin, false); break;
    }
    if (!end || *end <= *begin) end = next_code_point(s, *begin);
    return SourceRange::in(file, *begin, static_cast<std::uint32_t>(*end));
}

dsl::SourceRange InputFile::key_range(Node table, std::string_view key) const {
    const toml::node* n = as_toml(table);
    const toml::table* t = n ? n->as_table() : nullptr;
    if (!t) return {};
    auto it = t->find(key);
    if (it == t->end()) return {};
    const dsl::FileId file = file_of(&it->second, impl_->carried, file_);
    const dsl::SourceFile& f = sm_->file(file);
    auto begin = offset_of(f, it->first.source().begin);
    if (!begin) return {};
    return SourceRange::in(file, *begin, static_cast<std::uint32_t>(scan_key(f.text(), *begin)));
}

std::optional<std::string> spaced_percent(std::string_view text) {
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    if (text.size() < 2 || text.back() != '%') return std::nullopt;
    std::string_view figure = text.substr(0, text.size() - 1);
    while (!figure.empty() && space(figure.back())) figure.remove_suffix(1);
    if (figure.size() + 1 == text.size() || !Rational::parse(figure)) return std::nullopt;
    return std::string(figure) + "%";
}

std::string number_text_hint(std::string_view text, std::string_view currency, std::string_view sign) {
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    auto trim = [&](std::string_view s) {
        while (!s.empty() && space(s.front())) s.remove_prefix(1);
        while (!s.empty() && space(s.back())) s.remove_suffix(1);
        return s;
    };
    std::string_view s = trim(text);
    // A space before the percent sign.
    if (s.size() > 1 && s.back() == '%') {
        if (auto written = spaced_percent(s)) return fmt::format("no space before the `%`: write \"{}\"", *written);
        return {};
    }
    // A currency sign or code before or after the figure: the input's unit is the rule
    // file's to say.
    auto figure_char = [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.'; };
    std::size_t begin = 0, end = s.size();
    while (begin < end && !figure_char(s[begin])) ++begin;
    while (end > begin && !(s[end - 1] >= '0' && s[end - 1] <= '9')) --end;
    if (begin == 0 && end == s.size()) return {};
    const std::string_view figure = s.substr(begin, end - begin);
    if (figure.empty() || !Rational::parse(figure)) return {};
    // What decorates it, when it names another currency than the value's: a sign, or a
    // code of three capitals.
    std::string_view written = trim(s.substr(0, begin)), after = trim(s.substr(end));
    if (written.empty()) written = after;
    else if (!after.empty()) written = {};
    auto is_sign = [](std::string_view w) {
        return w == "$" || w == "£" || w == "€" || w == "¥" || w == "￥" || w == "US$";
    };
    auto is_code = [](std::string_view w) {
        return w.size() == 3 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    };
    const bool own = written == currency || written == sign || (currency == "JPY" && (written == "¥" || written == "￥")) ||
                     (currency == "USD" && written == "US$");
    if (!currency.empty() && !written.empty() && !own && (is_sign(written) || is_code(written)))
        return fmt::format("`{}` is not {}, the currency this value is in: convert the amount to {}, then write the "
                           "figure alone",
                           written, currency, currency);
    return fmt::format("write the figure alone, \"{}\": the rule file declares the input's unit", figure);
}

Result<Rational> InputFile::number(Node n, bool percent_accepted) const {
    const toml::node* node = as_toml(n);
    const InputKind k = kind_of(node);
    switch (k) {
        case InputKind::integer:
            // TOML integers are 64-bit by definition (toml++ rejects larger ones when parsing).
            return Rational(node->as_integer()->get());
        case InputKind::floating: {
            // A TOML fractional number denotes a binary64 value; hoshu reads it as the shortest decimal
            // that round-trips to that value (PRODUCT.md §4): `1.05` is 105/100. An
            // over-long literal such as 0.18999999999999999999, which TOML gives as 0.19, is
            // refused: its digits say another number. std::to_chars prints that shortest
            // decimal exactly; nothing is computed in binary floating point.
            SourceRange r = range(n);
            std::string_view token = std::string_view(bytes()).substr(r.begin, r.end - r.begin);
            const auto binary = node->as_floating_point()->get();
            char shortest[64];
            auto printed = std::to_chars(shortest, shortest + sizeof shortest, binary);
            std::string digits(shortest, printed.ptr);
            if (digits.find_first_of("in") != std::string::npos) {   // inf, nan
                return dsl::one_error(r, fmt::format("expected a finite number, found {}", token));
            }
            auto v = Rational::parse(digits);
            if (!v) return dsl::one_error(r, fmt::format("cannot read the number {} exactly", token));
            // A literal with more digits than a TOML float keeps (5_999_999.9999999999 is
            // 5999999.999999999 to TOML) is refused rather than read as another number.
            std::string written;
            for (char c : token)
                if (c != '_' && c != '+') written += c;
            auto exact = Rational::parse(written);
            if (exact && *exact != *v)
                return dsl::one_error(r,
                                      fmt::format("{} has more digits than a TOML number keeps: it would read as {}", token, v->to_string()),
                                      fmt::format("write it as a string to keep every digit: \"{}\"", written));
            return std::move(*v);
        }
        case InputKind::string: {
            const std::string& s = node->as_string()->get();
            if (auto v = Rational::parse(s)) return std::move(*v);
            return dsl::one_error(range(n),
                                  fmt::format("expected an exact number ({}), found {}",
                                              percent_accepted ? "\"0.9375\", \"15.4%\" or \"21353/23800\""
                                                               : "\"0.9375\" or \"21353/23800\"",
                                              quoted(s)),
                                  number_text_hint(s));
        }
        case InputKind::missing:
        case InputKind::boolean:
        case InputKind::date:
        case InputKind::time:
        case InputKind::date_time:
        case InputKind::array:
        case InputKind::table: break;
    }
    return dsl::one_error(range(n), fmt::format("expected a number, found {}", describe(k)));
}

Result<Date> InputFile::date(Node n) const {
    const toml::node* node = as_toml(n);
    const InputKind k = kind_of(node);
    if (k == InputKind::date) {
        if (auto none = impl_->no_such_day(range(n), file_)) return dsl::one_error(range(n), none->why);
        const toml::date& d = node->as_date()->get();
        if (auto v = Date::from_ymd(d.year, d.month, d.day)) return *v;
        const std::string written = fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
        std::string why = Date::why_no_such_day(written);
        return dsl::one_error(range(n), why.empty() ? std::string("this date does not exist") : std::move(why));
    }
    if (k == InputKind::string) {
        const std::string& s = node->as_string()->get();
        if (auto v = Date::parse(s)) return *v;
        // Written YYYY-MM-DD but no day ("2029-02-29"): said as every date is.
        if (std::string why = Date::why_no_such_day(s); !why.empty()) return dsl::one_error(range(n), std::move(why));
        return dsl::one_error(range(n), fmt::format("expected a date (YYYY-MM-DD), found {}", quoted(s)));
    }
    return dsl::one_error(range(n), fmt::format("expected a date (YYYY-MM-DD), found {}", describe(k)));
}

Result<bool> InputFile::boolean(Node n) const {
    const toml::node* node = as_toml(n);
    const InputKind k = kind_of(node);
    if (k == InputKind::boolean) return node->as_boolean()->get();
    return dsl::one_error(range(n), fmt::format("expected a boolean (true or false), found {}", describe(k)));
}

Result<std::string> InputFile::text(Node n) const {
    const toml::node* node = as_toml(n);
    const InputKind k = kind_of(node);
    if (k == InputKind::string) return node->as_string()->get();
    return dsl::one_error(range(n), fmt::format("expected a string, found {}", describe(k)));
}

}  // namespace hoshu::eval
