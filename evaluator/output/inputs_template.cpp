#include "evaluator/output/inputs_template.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dsl/base/source.hpp"
#include "dsl/base/text.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

/// A key of the template: a value read there, a table of keys, an array read element by
/// element, or a list of records; in the order the plan's declarations first read them.
struct Key {
    std::vector<std::pair<std::string, std::unique_ptr<Key>>> keys;
    std::unique_ptr<Key> any;                  // a key computed from a text definition
    std::string any_key;                       // its placeholder: "<year>"
    std::vector<std::string> any_names;        // the definitions that name it, described
    std::vector<std::pair<std::int64_t, std::unique_ptr<Key>>> elements;   // [0], [-1]
    std::unique_ptr<Key> records;              // each record of a list
    std::vector<std::string> records_doc;      // on the list: what its records are
    std::vector<std::string> carried_doc;      // on a list a `carry` writes: why it is not asked for

    bool leaf = false;                         // a value is read here
    bool required = false;                     // some reader needs it (not optional, no default)
    std::string placeholder;                   // the first reader's
    std::vector<std::string> doc;              // comment lines, one block per reader

    bool is_table() const { return !leaf && (!keys.empty() || any); }
    bool is_array() const { return !leaf && !elements.empty(); }
    bool is_list() const { return !leaf && (records || !carried_doc.empty()); }
};

/// A TOML basic string: `"text"`, with quotes and backslashes escaped.
std::string toml_string(std::string_view text) {
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "\"";
}

/// A key as TOML writes it: bare when it can be, else quoted.
std::string toml_key(std::string_view key) {
    bool bare = !key.empty();
    for (char c : key) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        bare = bare && ok;
    }
    return bare ? std::string(key) : toml_string(key);
}

/// At most `max` code points of one line of `text`, with "…" when shortened.
std::string shortened(std::string_view text, std::size_t max = 100) {
    std::string one;
    for (char c : text) one += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    std::size_t points = 0, cut = one.size();
    for (std::size_t i = 0; i < one.size(); ++i) {
        if ((static_cast<unsigned char>(one[i]) & 0xC0) == 0x80) continue;
        if (points == max) {
            cut = i;
            break;
        }
        ++points;
    }
    if (cut == one.size()) return one;
    while (cut > 0 && one[cut - 1] == ' ') --cut;
    return one.substr(0, cut) + "…";
}

class Builder {
public:
    explicit Builder(const Plan& plan) : plan_(plan) {}

    Key root;

    void build() {
        // The carried lists first: nothing under them is asked for.
        for (const Carry& carry : plan_.carries) mark_carried(carry);
        director_records_ = list(plan_.directors, Scope::director);
        grant_records_ = list(plan_.grants, Scope::grant);
        for (const Series& s : plan_.series) add_series(s);
        for (std::size_t k = 0; k < plan_.others.size(); ++k)
            other_records_.push_back(list(plan_.others[k], other_scope(k)));
        for (const Slot& slot : plan_.slots) {
            if (slot.kind != SlotKind::input) continue;
            read(slot.scope, slot.input, slot.type, input_doc(slot), !slot.input.optional && slot.input.default_node == none);
        }
        for (const Info& info : plan_.infos) read(info.scope, info.input, info.type, info_doc(info), false);
    }

private:
    const Plan& plan_;
    Key* director_records_ = nullptr;
    Key* grant_records_ = nullptr;
    std::vector<Key*> other_records_;

    static Key* key(Key* from, const std::string& k) {
        for (auto& [name, child] : from->keys) {
            if (name == k) return child.get();
        }
        from->keys.emplace_back(k, std::make_unique<Key>());
        return from->keys.back().second.get();
    }
    Key* any(Key* from, std::uint32_t slot) {
        if (!from->any) {
            from->any = std::make_unique<Key>();
            const std::string known = known_text(slot);
            from->any_key = known.empty() ? fmt::format("<{}>", plan_.slots[slot].name) : known;
        }
        std::string named = naming(slot);
        if (std::find(from->any_names.begin(), from->any_names.end(), named) == from->any_names.end())
            from->any_names.push_back(std::move(named));
        return from->any.get();
    }
    static Key* element(Key* from, std::int64_t i) {
        for (auto& [index, child] : from->elements) {
            if (index == i) return child.get();
        }
        from->elements.emplace_back(i, std::make_unique<Key>());
        return from->elements.back().second.get();
    }
    static Key* records(Key* from) {
        if (!from->records) from->records = std::make_unique<Key>();
        return from->records.get();
    }
    /// Where `spec` leads from `base`, or nullptr when it is under a carried list.
    Key* follow(Key* base, const InputSpec& spec) {
        Key* k = spec.absolute ? &root : base;
        for (const auto& step : spec.path) {
            if (!k->carried_doc.empty()) return nullptr;
            if (step.index) k = element(k, *step.index);
            else if (step.slot != none) k = any(k, step.slot);
            else k = key(k, step.key);
        }
        return k->carried_doc.empty() ? k : nullptr;
    }

    std::string scope_noun(Scope scope) const {
        if (is_other(scope)) return plan_.others[other_index(scope)].noun;
        if (scope == Scope::director) return plan_.directors.noun;
        if (scope == Scope::grant) return plan_.grants.noun;
        return "plan";
    }

    /// The text a definition always has (a param with one version, a value, that is a text
    /// constant): the key it names is known. Empty otherwise.
    std::string known_text(std::uint32_t s) const {
        const Slot& slot = plan_.slots[s];
        std::uint32_t n = none;
        if (slot.kind == SlotKind::param && slot.versions.size() == 1) n = slot.versions.front().node;
        if (slot.kind == SlotKind::value) n = slot.root;
        if (n == none || n >= plan_.nodes.size()) return {};
        const Node& node = plan_.nodes[n];
        if (node.kind != NodeKind::constant || node.type.kind != Kind::text || node.aux >= plan_.constants.size()) return {};
        const std::int64_t text = plan_.constants[node.aux].word;
        return text >= 0 && static_cast<std::size_t>(text) < plan_.texts.size() ? plan_.texts[static_cast<std::size_t>(text)]
                                                                                 : std::string();
    }

    /// "`year`, the input at `fiscal_year`", "`previous_year` = year_before(year)".
    std::string naming(std::uint32_t s) const {
        const Slot& slot = plan_.slots[s];
        const std::string of = slot.scope == Scope::plan ? "" : " of each " + scope_noun(slot.scope);
        if (slot.kind == SlotKind::input)
            return fmt::format("`{}`{}, the input at `{}`", slot.name, of, slot.input.path_text);
        if (!slot.formula.empty()) return fmt::format("`{}`{} = {}", slot.name, of, shortened(slot.formula, 60));
        return fmt::format("`{}`{}", slot.name, of);
    }

    std::string type_text(const Type& t) const {
        std::string name = plan_.type_name(t);
        if (t.kind == Kind::choice && t.choice >= 0 && static_cast<std::size_t>(t.choice) < plan_.choices.size()) {
            std::string members;
            for (const auto& m : plan_.choices[static_cast<std::size_t>(t.choice)].members)
                members += (members.empty() ? "" : " | ") + m;
            return fmt::format("{}, one of {}", name, members);
        }
        if (t.kind == Kind::number && t.dimensionless() && t.style == RatioStyle::percent)
            return name + " (as a fraction: 0.25 for 25%)";
        return name;
    }

    /// A value to replace: what it is, in angle brackets ("<JPY>", "<YYYY-MM-DD>"), which an
    /// evaluation refuses, so that a template evaluated before it is filled in is no result.
    std::string placeholder(const Type& t) const { return toml_string(plan_.placeholder(t)); }

    /// A number as the plan writes values of its type: a percent as a percentage (`12.5%`),
    /// an amount of a currency with a sign after it, to its minor decimals (`£10.50`,
    /// `¥1,000`), another amount of one unit with that unit (`1,500 shares`, `10.50 CHF`),
    /// else the exact number (a ratio, a count).
    std::string number_as_written(const Type& t, const Rational& r) const {
        if (t.dimensionless()) {
            if (t.style == RatioStyle::percent && (r * Rational(100)).terminates())
                return (r * Rational(100)).to_string() + "%";
            return r.to_string();
        }
        auto u = single_unit(t);
        if (!u || *u >= plan_.units.size() || !r.terminates()) return r.to_string();
        const UnitDef& unit = plan_.units[*u];
        const Rational magnitude = r.abs();
        const int places = minor_places(plan_, t);
        Rational scale(1);
        for (int i = 0; i < places; ++i) scale = scale * Rational(10);
        std::string digits = places > 0 && (magnitude * scale).is_integer() ? grouped_decimal(magnitude, places)
                                                                             : group_digits(magnitude.to_string());
        std::string sign = r.sign() < 0 ? "-" : "";
        if (!unit.symbol.empty()) return sign + unit.symbol + digits;
        return sign + digits + " " + plan_.amount_unit(t, r);
    }

    /// The default of an input, as the plan writes it; empty when it is computed.
    std::string default_text(std::uint32_t n) const {
        const Node& node = plan_.nodes[n];
        if (node.kind != NodeKind::constant || node.aux >= plan_.constants.size()) return {};
        const Value& v = plan_.constants[node.aux];
        switch (node.type.kind) {
        case Kind::number: return number_as_written(node.type, v.number);
        case Kind::date: return Date{static_cast<std::int32_t>(v.word)}.to_string();
        case Kind::boolean: return v.word ? "true" : "false";
        case Kind::text:
            return v.word >= 0 && static_cast<std::size_t>(v.word) < plan_.texts.size()
                       ? toml_string(plan_.texts[static_cast<std::size_t>(v.word)])
                       : std::string();
        case Kind::choice:
            if (node.type.choice >= 0 && static_cast<std::size_t>(node.type.choice) < plan_.choices.size()) {
                const auto& members = plan_.choices[static_cast<std::size_t>(node.type.choice)].members;
                if (v.word >= 0 && static_cast<std::size_t>(v.word) < members.size())
                    return toml_string(members[static_cast<std::size_t>(v.word)]);
            }
            return {};
        }
        return {};
    }

    void cite(std::vector<std::string>& doc, const std::vector<std::string>& notes,
              const std::vector<Citation>& sources) const {
        for (const auto& note : notes) doc.push_back("  " + shortened(note));
        for (const auto& c : sources) {
            if (c.quote.empty()) doc.push_back(fmt::format("  {}", c.clause));
            else doc.push_back(fmt::format("  {}: \"{}\"", c.clause, shortened(c.quote)));
        }
    }

    std::vector<std::string> input_doc(const Slot& slot) const {
        std::string head = fmt::format("{} (input): {}", slot.name, type_text(slot.type));
        if (!slot.input.range_text.empty()) head += "; range " + slot.input.range_text;
        if (slot.input.optional) head += "; optional: leave it out when it does not apply";
        if (slot.input.default_node != none) {
            std::string d = default_text(slot.input.default_node);
            head += d.empty() ? "; has a default: leave it out to use it" : "; default " + d + ": leave it out to use it";
        }
        std::vector<std::string> doc{head};
        cite(doc, slot.notes, slot.sources);
        return doc;
    }

    std::vector<std::string> info_doc(const Info& info) const {
        std::string head = fmt::format("{} (info, for the people who read the inputs; never computed with): {}",
                                       info.name, type_text(info.type));
        if (!info.input.range_text.empty()) head += "; range " + info.input.range_text;
        head += "; optional";
        std::vector<std::string> doc{head};
        cite(doc, info.notes, info.sources);
        return doc;
    }

    void set_leaf(Key* k, const Type& type, std::vector<std::string> doc, bool required) {
        if (!k->leaf) k->placeholder = placeholder(type);
        k->leaf = true;
        k->required = k->required || required;
        k->doc.insert(k->doc.end(), doc.begin(), doc.end());
    }

    void mark_carried(const Carry& carry) {
        Key* k = &root;
        std::string_view path = carry.path;
        while (!path.empty()) {
            auto dot = path.find('.');
            k = key(k, std::string(path.substr(0, dot)));
            path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
        }
        std::vector<std::string> fields;
        for (const auto& clause : carry.clauses) {
            for (const auto& f : clause.fields) {
                if (std::find(fields.begin(), fields.end(), f.name) == fields.end()) fields.push_back(f.name);
            }
        }
        std::string list;
        for (const auto& f : fields) list += (list.empty() ? "`" : ", `") + f + "`";
        k->carried_doc = {
            fmt::format("{}: not typed here. The plan's `carry {}` writes these records into each year's result;",
                        carry.path, carry.path),
            "`hoshu eval PLAN --inputs FILE --carry LAST_YEAR.json` (or `--register FILE.db`) reads them",
            "from last year's sealed result, verified first. The plan's first year has none: give the",
            fmt::format("key as an empty list (`{} = []`, below), which says so.", carry.path.substr(carry.path.rfind('.') + 1)),
        };
        if (!list.empty()) k->carried_doc.push_back("Each record: " + list + ".");
        cite(k->carried_doc, {}, carry.sources);
    }

    Key* list(const DirectorsSpec& spec, Scope scope) {
        if (!spec.declared) return nullptr;
        Key* at = follow(&root, spec.input);
        if (!at) return nullptr;   // carried
        Key* r = records(at);
        std::string doc = fmt::format("{}: one [[{}]] table per {}", spec.plural, spec.input.path_text, spec.noun);
        if (!spec.id_key.empty())
            doc += spec.one_per_parent ? fmt::format(" (at most one per {}, named by `{}`)", plan_.directors.noun, spec.id_key)
                                       : fmt::format(", named by `{}`", spec.id_key);
        at->records_doc.push_back(doc + "; copy the table for each.");
        if (!spec.id_key.empty()) {
            std::string what = spec.one_per_parent || scope == Scope::grant
                                   ? fmt::format("{} (key): text; the {} it belongs to", spec.id_key, plan_.directors.noun)
                                   : fmt::format("{} (key): text; names the {}, one per {}", spec.id_key, spec.noun, spec.noun);
            Key* id = key(r, spec.id_key);
            set_leaf(id, Type::text(), {what}, true);
            id->placeholder = toml_string(fmt::format("<{}>", spec.id_key));   // an id must not be empty
        }
        return r;
    }

    void add_series(const Series& s) {
        Key* at = follow(&root, s.input);
        if (!at) return;
        Key* r = records(at);
        at->records_doc.push_back(fmt::format("{} (series): {}; one [[{}]] table per entry, `{}` its date and `{}` its value",
                                              s.name, type_text(s.type), s.input.path_text, s.date_key, s.value_key));
        cite(at->records_doc, {}, s.sources);
        set_leaf(key(r, s.date_key), Type::date(), {fmt::format("{} (the date of an entry of {}): date", s.date_key, s.name)},
                 true);
        set_leaf(key(r, s.value_key), s.type, {fmt::format("{} (the value of {} on that date): {}", s.value_key, s.name,
                                                           type_text(s.type))},
                 true);
    }

    void read(Scope scope, const InputSpec& spec, const Type& type, std::vector<std::string> doc, bool required) {
        Key* base = is_other(scope)            ? other_records_[other_index(scope)]
                    : scope == Scope::director ? director_records_
                    : scope == Scope::grant    ? grant_records_
                                               : &root;
        if (!base && !spec.absolute) return;   // under a carried list, or (unchecked) no collection
        Key* k = follow(base ? base : &root, spec);
        if (!k) return;
        set_leaf(k, type, std::move(doc), required);
    }
};

/// Comment lines; a hidden character of a note or quote (U+2028, which an editor takes for a
/// line break; a bidirectional control) written escaped, `\u{2028}`, as the rule file's
/// warning names it: the template shows what the plan says, not something else.
void comment(std::string& out, const std::vector<std::string>& lines) {
    for (const auto& line : lines) out += line.empty() ? "#\n" : "# " + dsl::printable(line) + "\n";
}

std::string joined(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

std::vector<std::string> naming_doc(const Key& k) {
    std::vector<std::string> doc{fmt::format("{}: a key computed from a definition: one per value the plan looks up, named by",
                                             toml_key(k.any_key))};
    for (const auto& n : k.any_names) doc.push_back("  " + n);
    return doc;
}

/// A blank line before a key's comments, unless a table's header is just above.
void separate(std::string& out) {
    if (!out.empty() && out.back() == '\n' && out.size() >= 2 && out[out.size() - 2] == ']') return;
    out += "\n";
}

void emit_leaf(std::string& out, const std::string& name, const Key& k, const std::vector<std::string>& doc = {}) {
    separate(out);
    comment(out, doc);
    comment(out, k.doc);
    out += fmt::format("{}{} = {}\n", k.required ? "" : "# ", name, k.placeholder);
}

void emit_array(std::string& out, const std::string& name, const Key& k) {
    // The first elements the plan reads, then the last: [0], [1], [-1] is an array of three.
    std::int64_t first = 0, last = 0;
    for (const auto& [index, e] : k.elements) {
        if (index < 0) last = std::max(last, -index);
        else first = std::max(first, index + 1);
    }
    const std::int64_t n = first + last;
    separate(out);
    std::vector<std::string> doc{fmt::format("{}: an array of {} element{}", name, n, n == 1 ? "" : "s")};
    bool required = false;
    for (const auto& [index, e] : k.elements) {
        doc.push_back(fmt::format("[{}]:", index));
        for (const auto& line : e->doc) doc.push_back("  " + line);
        required = required || e->required;
    }
    comment(out, doc);
    std::string values;
    for (std::int64_t i = 0; i < n; ++i) {
        std::string v = "{}";
        for (const auto& [index, e] : k.elements) {
            if ((index >= 0 ? index : n + index) == i && e->leaf) {
                v = e->placeholder;
                break;
            }
        }
        values += (i ? ", " : "") + v;
    }
    out += fmt::format("{}{} = [{}]\n", required ? "" : "# ", name, values);
}

void emit_table(std::string& out, const std::string& path, const Key& k, const std::vector<std::string>& doc = {});

/// The children of `k` that are tables and lists, after its values.
void emit_children(std::string& out, const std::string& path, const Key& k) {
    for (const auto& [name, child] : k.keys) {
        if (child->is_table()) emit_table(out, joined(path, toml_key(name)), *child);
    }
    if (k.any && k.any->is_table()) {
        emit_table(out, joined(path, toml_key(k.any_key)), *k.any, naming_doc(k));
    }
    for (const auto& [name, child] : k.keys) {
        if (!child->is_list()) continue;
        if (!child->carried_doc.empty()) continue;   // with the values: emit_values
        const std::string at = joined(path, toml_key(name));
        out += "\n";
        comment(out, child->records_doc);
        out += fmt::format("[[{}]]\n", at);
        const Key& rec = *child->records;
        for (const auto& [n, c] : rec.keys) {
            if (c->leaf) emit_leaf(out, toml_key(n), *c);
            else if (c->is_array()) emit_array(out, toml_key(n), *c);
        }
        if (rec.any && rec.any->leaf) emit_leaf(out, toml_key(rec.any_key), *rec.any, naming_doc(rec));
        emit_children(out, at, rec);
    }
}

void emit_values(std::string& out, const Key& k) {
    for (const auto& [name, child] : k.keys) {
        if (child->leaf) emit_leaf(out, toml_key(name), *child);
        else if (child->is_array()) emit_array(out, toml_key(name), *child);
    }
    if (k.any && k.any->leaf) emit_leaf(out, toml_key(k.any_key), *k.any, naming_doc(k));
    // A list a `carry` writes is not typed, except as empty in the plan's first year: among
    // the values, so that the line, uncommented, gives the list and not a key of a table.
    for (const auto& [name, child] : k.keys) {
        if (child->carried_doc.empty()) continue;
        out += "\n";
        comment(out, child->carried_doc);
        out += fmt::format("# {} = []\n", toml_key(name));
    }
}

void emit_table(std::string& out, const std::string& path, const Key& k, const std::vector<std::string>& doc) {
    bool has_values = (k.any && k.any->leaf);
    for (const auto& [name, child] : k.keys)
        has_values = has_values || child->leaf || child->is_array() || !child->carried_doc.empty();
    if (has_values) {
        out += "\n";
        comment(out, doc);
        out += fmt::format("[{}]\n", path);
        emit_values(out, k);
    } else if (!doc.empty()) {
        out += "\n";
        comment(out, doc);
    }
    emit_children(out, path, k);
}

}  // namespace

std::string render_inputs_template(const Plan& plan) {
    Builder b(plan);
    b.build();
    std::string out;
    comment(out, {
                     fmt::format("Inputs of the plan \"{}\".", plan.title),
                     "",
                     "Every key the plan reads, each after what it is, its type and unit, its range and the",
                     "clauses it serves. Replace each placeholder (\"<…>\": what the value is, as \"<JPY>\",",
                     "\"<YYYY-MM-DD>\", \"<true or false>\"; a key \"<name>\" for a key you name) with the year's",
                     "value: an evaluation refuses one left in. Copy a [[list]] table for each record. A key",
                     "commented out may be left out (it is optional or has a default): remove the `# ` to give",
                     "it. Then: hoshu eval PLAN --inputs THIS_FILE",
                 });
    emit_values(out, b.root);
    emit_children(out, "", b.root);
    return out;
}

}  // namespace hoshu::eval
