#include "evaluator/run/input_keys.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hoshu::eval {

namespace {

/// A key as a path step: bare when it can be, else quoted (`"a.b"`).
std::string step_text(std::string_view key) {
    bool bare = !key.empty();
    for (char c : key) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        bare = bare && ok;
    }
    return bare ? std::string(key) : fmt::format("\"{}\"", key);
}

}  // namespace

/// Where the walk is: the path from the top of the file or from the record it is in, and
/// that record.
struct KeyPatterns::Context {
    std::string path;          // "years.FY2024", "midterm.years[0]"; relative to the record if in one
    std::string record_name;   // "director D03", "ledger entry 5", "entry 3 of `prices`"; empty at the top
    Record record;

    /// "at the top of the inputs", "in `years.FY2024`", "in director D03", "in `comp` of director D03".
    std::string where() const {
        if (record_name.empty()) return path.empty() ? "at the top of the inputs" : fmt::format("in `{}`", path);
        return path.empty() ? "in " + record_name : fmt::format("in `{}` of {}", path, record_name);
    }
    std::string path_to(std::string_view key) const {
        return path.empty() ? step_text(key) : path + "." + step_text(key);
    }
};

KeyPatterns::KeyPatterns(const Plan& plan) {
    make();
    add(plan, true);
}

void KeyPatterns::add_keys_of(const Plan& other) { add(other, false); }

std::uint32_t KeyPatterns::make() {
    patterns_.emplace_back();
    return static_cast<std::uint32_t>(patterns_.size() - 1);
}

std::uint32_t KeyPatterns::key(std::uint32_t from, const std::string& k) {
    auto it = patterns_[from].keys.find(k);
    if (it != patterns_[from].keys.end()) return it->second;
    std::uint32_t p = make();
    patterns_[from].keys.emplace(k, p);
    return p;
}

std::uint32_t KeyPatterns::any(std::uint32_t from) {
    if (patterns_[from].any == none) {
        std::uint32_t p = make();
        patterns_[from].any = p;
    }
    return patterns_[from].any;
}

std::uint32_t KeyPatterns::element(std::uint32_t from, std::int64_t i) {
    for (const auto& [index, p] : patterns_[from].elements) {
        if (index == i) return p;
    }
    std::uint32_t p = make();
    patterns_[from].elements.emplace_back(i, p);
    return p;
}

std::uint32_t KeyPatterns::records(std::uint32_t from) {
    if (patterns_[from].records == none) {
        std::uint32_t p = make();
        patterns_[from].records = p;
    }
    return patterns_[from].records;
}

std::uint32_t KeyPatterns::follow(std::uint32_t from, const InputSpec& spec) {
    std::uint32_t p = spec.absolute ? 0 : from;
    for (const auto& step : spec.path) {
        if (step.index) p = element(p, *step.index);
        else if (step.slot != none) p = any(p);
        else p = key(p, step.key);
    }
    return p;
}

void KeyPatterns::add(const Plan& plan, bool with_readers) {
    // Each list of records: the pattern its records share, named for messages.
    auto list = [&](const DirectorsSpec& spec, Scope scope, std::string noun, std::string id_key) -> std::uint32_t {
        if (!spec.declared) return none;
        std::uint32_t r = records(follow(0, spec.input));
        Pattern& p = patterns_[r];
        p.record_scope = scope;
        p.noun = std::move(noun);
        p.id_key = std::move(id_key);
        patterns_[key(r, spec.id_key)].leaf = true;
        return r;
    };
    const std::uint32_t director_records =
        list(plan.directors, Scope::director, plan.directors.noun, plan.directors.id_key);
    const std::uint32_t grant_records = list(plan.grants, Scope::grant, plan.grants.noun, "");
    for (const Series& s : plan.series) {
        std::uint32_t r = records(follow(0, s.input));
        if (patterns_[r].noun.empty()) patterns_[r].noun = "entry";
        patterns_[key(r, s.date_key)].leaf = true;
        patterns_[key(r, s.value_key)].leaf = true;
    }
    std::vector<std::uint32_t> other_records;
    for (const auto& spec : plan.others) other_records.push_back(list(spec, other_scope(other_records.size()), spec.noun, spec.id_key));
    auto base_of = [&](Scope scope) {
        return is_other(scope)            ? other_records[other_index(scope)]
               : scope == Scope::director ? director_records
               : scope == Scope::grant    ? grant_records
                                          : 0;
    };
    auto read = [&](Scope scope, const InputSpec& spec, Reader reader) {
        std::uint32_t base = base_of(scope);
        if (base == none && !spec.absolute) return;   // the checker reports the missing `directors at …`
        std::uint32_t p = follow(base == none ? 0 : base, spec);
        patterns_[p].leaf = true;
        if (with_readers) patterns_[p].readers.push_back(reader);
    };
    for (std::uint32_t s = 0; s < plan.slots.size(); ++s) {
        const Slot& slot = plan.slots[s];
        if (slot.kind == SlotKind::input) read(slot.scope, slot.input, Reader{Reader::Kind::input, s});
    }
    for (std::uint32_t i = 0; i < plan.infos.size(); ++i)
        read(plan.infos[i].scope, plan.infos[i].input, Reader{Reader::Kind::info, i});
}

void KeyPatterns::check(const InputFile& in, dsl::Diagnostics& diags, const OnValue& on_value) const {
    walk(in, in.root(), {0}, Context{}, diags, on_value);
}

void KeyPatterns::walk(const InputFile& in, InputFile::Node node, const std::vector<std::uint32_t>& set,
                       const Context& ctx, dsl::Diagnostics& diags, const OnValue& on_value) const {
    bool wants_table = false, wants_array = false, wants_value = false;
    for (std::uint32_t p : set) {
        wants_table = wants_table || p == 0;   // the top of the file: its keys are checked, even if none is read
        const Pattern& pat = patterns_[p];
        wants_table = wants_table || !pat.keys.empty() || pat.any != none;
        wants_array = wants_array || !pat.elements.empty() || pat.records != none;
        wants_value = wants_value || pat.leaf;
    }
    const InputKind kind = in.kind(node);
    const std::string shown = ctx.path.empty() ? ctx.record_name : "`" + ctx.path + "`";
    if (kind == InputKind::table && wants_table) {
        for (const std::string& k : in.keys(node)) {
            std::vector<std::uint32_t> next;
            for (std::uint32_t p : set) {
                const Pattern& pat = patterns_[p];
                if (auto it = pat.keys.find(k); it != pat.keys.end()) next.push_back(it->second);
                if (pat.any != none) next.push_back(pat.any);
            }
            if (next.empty()) {
                std::vector<std::string> known;
                for (std::uint32_t p : set) {
                    for (const auto& [name, q] : patterns_[p].keys) {
                        if (std::find(known.begin(), known.end(), name) == known.end()) known.push_back(name);
                    }
                }
                auto& d = diags.error(in.key_range(node, k), "unknown key `{}` {}: no declaration of the plan reads it",
                                      k, ctx.where());
                if (auto best = dsl::closest(k, known)) {
                    d.hint = fmt::format("did you mean `{}`?", *best);
                } else {
                    std::string list;
                    for (std::size_t i = 0; i < known.size() && i < 12; ++i) list += (i ? ", " : "") + known[i];
                    if (known.size() > 12) list += ", …";
                    d.hint = fmt::format("the plan reads {} here; a key kept only for people is declared in the plan "
                                         "with `info NAME: text at KEY`",
                                         list.empty() ? "no key" : list);
                }
                continue;
            }
            Context inner = ctx;
            inner.path = ctx.path_to(k);
            walk(in, in.child(node, k), next, inner, diags, on_value);
        }
        return;
    }
    if (kind == InputKind::array && wants_array) {
        const std::size_t n = in.size(node);
        for (std::size_t e = 0; e < n; ++e) {
            std::vector<std::uint32_t> next;
            Context inner = ctx;
            inner.path = fmt::format("{}[{}]", ctx.path, e);
            for (std::uint32_t p : set) {
                const Pattern& pat = patterns_[p];
                for (const auto& [index, q] : pat.elements) {
                    const auto at = index < 0 ? static_cast<std::int64_t>(n) + index : index;
                    if (at == static_cast<std::int64_t>(e)) next.push_back(q);
                }
                if (pat.records == none) continue;
                next.push_back(pat.records);
                const Pattern& rec = patterns_[pat.records];
                InputFile::Node item = in.element(node, e);
                if (in.kind(item) != InputKind::table) {
                    next.pop_back();   // the reader of the list reports it
                    continue;
                }
                inner.path.clear();
                inner.record = Record{rec.record_scope, e};
                std::optional<std::string> id;
                if (!rec.id_key.empty()) id = in.scalar_text(in.child(item, rec.id_key));
                if (rec.record_scope == Scope::plan || !id)
                    inner.record_name = fmt::format("{} {} of `{}`", rec.noun, e + 1, ctx.path);
                else
                    inner.record_name = fmt::format("{} {}", rec.noun, *id);
            }
            if (!next.empty()) walk(in, in.element(node, e), next, inner, diags, on_value);
        }
        return;
    }
    if (wants_value) {
        // A value (or a table or array where one is read: the reader says what it expected).
        for (std::uint32_t p : set) {
            for (const Reader& r : patterns_[p].readers) on_value(r, node, ctx.record);
        }
        return;
    }
    // The plan reads keys in it, or elements of it, and it is something else.
    const char* wanted = wants_table ? "a table: the plan reads keys in it"
                                     : "an array: the plan reads elements of it";
    diags.error(in.range(node), "{} must be {}, not {}", shown.empty() ? "this" : shown, wanted, describe(kind));
}

}  // namespace hoshu::eval
