#include "evaluator/analysis/rules_diff.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

#include "dsl/base/text.hpp"
#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/parse.hpp"
#include "evaluator/output/eval_report.hpp"

namespace hoshu::eval {

namespace ast = dsl::ast;
namespace fs = std::filesystem;

bool DirectorDiff::changed() const {
    if (!in_base || !in_head) return true;
    return std::any_of(values.begin(), values.end(), [](const ValueDiff& v) { return v.changed; });
}

namespace {

// --------------------------------------------------------------------------------------
// Outcomes

SideValue side_value(const Plan& plan, const Outcome& outcome, const Type& type, const Value& v) {
    SideValue s;
    s.present = true;
    s.kind = type.kind;
    s.exact = value_text(plan, outcome, type, v);
    s.display = display_value(plan, outcome, type, v);
    if (type.is_number()) s.number = v.number;
    return s;
}

/// Names of both lists in one order: the base's, with the head's names placed before the
/// first shared name that follows them in the head ("a, x, b" and "a, b, y" give "a, x, b, y").
std::vector<std::string> merge_names(const std::vector<std::string>& base, const std::vector<std::string>& head) {
    std::vector<std::string> out;
    std::set<std::string> emitted;
    std::set<std::string> in_head(head.begin(), head.end());
    std::size_t h = 0;
    for (const auto& name : base) {
        if (in_head.count(name)) {
            while (h < head.size()) {
                const std::string& next = head[h++];
                if (emitted.insert(next).second) out.push_back(next);
                if (next == name) break;
            }
        } else if (emitted.insert(name).second) {
            out.push_back(name);
        }
    }
    for (; h < head.size(); ++h) {
        if (emitted.insert(head[h]).second) out.push_back(head[h]);
    }
    return out;
}

std::vector<std::string> slot_names(const Plan& plan, const std::vector<std::uint32_t>& slots) {
    std::vector<std::string> names;
    for (std::uint32_t s : slots) names.push_back(plan.slots[s].name);
    return names;
}

std::optional<std::size_t> index_of(const Plan& plan, const std::vector<std::uint32_t>& slots,
                                    std::string_view name) {
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (plan.slots[slots[i]].name == name) return i;
    }
    return std::nullopt;
}

std::string signed_display(const Plan& plan, const Outcome& outcome, const Type& type, const Rational& r) {
    std::string text = display_value(plan, outcome, type, Value{r, 0});
    return r.sign() > 0 ? "+" + text : text;
}

/// Compare one output: `b`/`h` are null when that plan does not have it.
ValueDiff compare_value(std::string name, const Plan& base, const Outcome& bo, const Type* bt, const Value* b,
                        const Plan& head, const Outcome& ho, const Type* ht, const Value* h) {
    ValueDiff d;
    d.name = std::move(name);
    if (b) d.base = side_value(base, bo, *bt, *b);
    if (h) d.head = side_value(head, ho, *ht, *h);
    d.unit = h ? head.type_name(*ht) : b ? base.type_name(*bt) : std::string();
    if (b && h) {
        bool same_unit = bt->kind == Kind::choice && ht->kind == Kind::choice
                             ? base.type_name(*bt) == head.type_name(*ht)   // choice indices are per plan
                             : bt->same(*ht);
        if (!same_unit) {
            d.unit_changed = true;
            d.changed = true;
        } else if (bt->is_number()) {
            Rational change = h->number - b->number;
            d.changed = !change.is_zero();
            if (d.changed) d.change_display = signed_display(head, ho, *ht, change);
            d.change = std::move(change);
        } else {
            d.changed = d.base.exact != d.head.exact;
        }
    } else if (b || h) {
        const SideValue& only = b ? d.base : d.head;
        d.changed = !(only.number && only.number->is_zero());
    }
    return d;
}

LimitSide limit_side(const Plan& plan, const Outcome& outcome, const LimitOutcome& l) {
    LimitSide s;
    s.present = true;
    const Limit& limit = plan.limits[l.limit];
    s.value = side_value(plan, outcome, limit.type, l.value);
    s.bound = side_value(plan, outcome, limit.type, l.bound);
    s.status = to_string(l.status);
    if (l.factor) s.factor = l.factor->to_string();
    return s;
}

}  // namespace

InputsDiff diff_on_inputs(const Plan& base, const Plan& head, const InputFile& inputs, const EvalOptions& options) {
    InputsDiff r;
    r.inputs_path = inputs.path();
    // One inputs file for both plans: a key either plan reads is in its place.
    EvalOptions base_options = options, head_options = options;
    base_options.other_plan = &head;
    head_options.other_plan = &base;
    auto bo = evaluate(base, inputs, base_options);
    auto ho = evaluate(head, inputs, head_options);
    r.base.ok = bo.ok();
    r.head.ok = ho.ok();
    if (!bo) r.base.errors = bo.error();
    if (!ho) r.head.errors = ho.error();
    if (ho) r.fiscal_year = fiscal_year(head, *ho, inputs);
    if (r.fiscal_year.empty() && bo) r.fiscal_year = fiscal_year(base, *bo, inputs);
    if (!r.ran()) return r;
    const Outcome& b = *bo;
    const Outcome& h = *ho;

    // Per-director outputs.
    auto base_names = slot_names(base, base.director_outputs);
    auto head_names = slot_names(head, head.director_outputs);
    auto outputs = merge_names(base_names, head_names);
    for (const auto& n : base_names)
        if (std::find(head_names.begin(), head_names.end(), n) == head_names.end()) r.outputs_only_base.push_back(n);
    for (const auto& n : head_names)
        if (std::find(base_names.begin(), base_names.end(), n) == base_names.end()) r.outputs_only_head.push_back(n);

    std::vector<std::string> ids;
    for (const auto& d : b.directors) ids.push_back(d.id);
    for (const auto& d : h.directors)
        if (std::find(ids.begin(), ids.end(), d.id) == ids.end()) ids.push_back(d.id);
    auto find_director = [](const Outcome& o, const std::string& id) -> const DirectorOutcome* {
        for (const auto& d : o.directors)
            if (d.id == id) return &d;
        return nullptr;
    };
    for (const auto& id : ids) {
        DirectorDiff dd;
        dd.id = id;
        const DirectorOutcome* bd = find_director(b, id);
        const DirectorOutcome* hd = find_director(h, id);
        dd.in_base = bd != nullptr;
        dd.in_head = hd != nullptr;
        for (const auto& name : outputs) {
            auto bi = index_of(base, base.director_outputs, name);
            auto hi = index_of(head, head.director_outputs, name);
            const Type* bt = bi ? &base.slots[base.director_outputs[*bi]].type : nullptr;
            const Type* ht = hi ? &head.slots[head.director_outputs[*hi]].type : nullptr;
            const Value* bv = bd && bi ? &bd->outputs[*bi] : nullptr;
            const Value* hv = hd && hi ? &hd->outputs[*hi] : nullptr;
            dd.values.push_back(compare_value(name, base, b, bt, bv, head, h, ht, hv));
        }
        r.directors.push_back(std::move(dd));
    }

    // Plan-wide outputs (the year is the heading, not a total).
    for (const auto& name : merge_names(slot_names(base, base.plan_outputs), slot_names(head, head.plan_outputs))) {
        if (name == "fiscal_year") continue;
        auto bi = index_of(base, base.plan_outputs, name);
        auto hi = index_of(head, head.plan_outputs, name);
        const Type* bt = bi ? &base.slots[base.plan_outputs[*bi]].type : nullptr;
        const Type* ht = hi ? &head.slots[head.plan_outputs[*hi]].type : nullptr;
        r.totals.push_back(compare_value(name, base, b, bt, bi ? &b.plan_outputs[*bi] : nullptr, head, h, ht,
                                         hi ? &h.plan_outputs[*hi] : nullptr));
    }

    // Limits, matched by name.
    std::vector<std::string> base_limits, head_limits;
    for (const auto& l : b.limits) base_limits.push_back(base.limits[l.limit].name);
    for (const auto& l : h.limits) head_limits.push_back(head.limits[l.limit].name);
    for (const auto& name : merge_names(base_limits, head_limits)) {
        LimitDiff ld;
        ld.name = name;
        for (const auto& l : b.limits)
            if (base.limits[l.limit].name == name) ld.base = limit_side(base, b, l);
        for (const auto& l : h.limits)
            if (head.limits[l.limit].name == name) ld.head = limit_side(head, h, l);
        ld.changed = ld.base.present != ld.head.present || ld.base.value.exact != ld.head.value.exact ||
                     ld.base.bound.exact != ld.head.bound.exact || ld.base.status != ld.head.status ||
                     ld.base.factor != ld.head.factor;
        r.limits.push_back(std::move(ld));
    }

    // Violations: the same rule, director and message on both sides is one line.
    auto key = [](const Violation& v) { return v.rule + "\x1f" + v.director + "\x1f" + v.message; };
    std::set<std::string> in_head;
    for (const auto& v : h.violations) in_head.insert(key(v));
    std::set<std::string> in_base;
    for (const auto& v : b.violations) {
        in_base.insert(key(v));
        auto side = in_head.count(key(v)) ? ViolationLine::Side::both : ViolationLine::Side::base;
        r.violations.push_back({side, v.rule, v.director, v.message});
    }
    for (const auto& v : h.violations)
        if (!in_base.count(key(v))) r.violations.push_back({ViolationLine::Side::head, v.rule, v.director, v.message});
    return r;
}

// --------------------------------------------------------------------------------------
// Declarations

namespace {

/// The kind, name and citations of a declaration; kind is empty for `per`/`end`.
struct Named {
    std::string kind;
    std::string name;
    const ast::Annotations* annotations = nullptr;
    const ast::Located* whole = nullptr;
};

struct NameOf : boost::static_visitor<Named> {
    template <class D>
    static Named make(std::string kind, std::string name, const D& d) {
        return Named{std::move(kind), std::move(name), &d.annotations, &d};
    }
    Named operator()(const ast::PlanDecl& d) const { return make("plan", "plan", d); }
    Named operator()(const ast::ImportDecl& d) const { return make("import", d.path.value, d); }
    Named operator()(const ast::ScopeDecl&) const { return {}; }
    Named operator()(const ast::TypeDecl& d) const { return make("type", d.name.text, d); }
    Named operator()(const ast::ParamDecl& d) const { return make("param", d.name.text, d); }
    Named operator()(const ast::InputDecl& d) const { return make(d.keyword, d.name.text, d); }
    Named operator()(const ast::SeriesDecl& d) const { return make("series", d.name.text, d); }
    Named operator()(const ast::DirectorsDecl& d) const { return make(d.keyword, d.keyword, d); }
    Named operator()(const ast::ValueDecl& d) const { return make(d.keyword, d.name.text, d); }
    Named operator()(const ast::TableDecl& d) const { return make("table", d.name.text, d); }
    Named operator()(const ast::LimitDecl& d) const { return make("limit", d.name.text, d); }
    Named operator()(const ast::RequireDecl& d) const { return make("require", d.name.text, d); }
    Named operator()(const ast::TestDecl& d) const { return make("test", "\"" + d.title.value + "\"", d); }
};

/// The order kinds are listed in, and which kinds share a namespace (a value that became
/// an output, or an input that became a param, is the same definition changed).
int kind_order(const std::string& kind) {
    static const char* const order[] = {"plan",  "import", "type",   "directors", "grants", "series", "param",
                                        "input", "info",   "value",  "output",    "table",  "limit",  "require",
                                        "test"};
    for (int i = 0; i < static_cast<int>(std::size(order)); ++i)
        if (kind == order[i]) return i;
    return static_cast<int>(std::size(order));
}

std::string kind_group(const std::string& kind) {
    if (kind == "param" || kind == "input" || kind == "info" || kind == "value" || kind == "output")
        return "definition";
    return kind;
}

/// `text` without `#` comments (outside strings).
std::string strip_comments(std::string_view text) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) out += text[++i];
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
            out += c;
        } else if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            out += '\n';
        } else {
            out += c;
        }
    }
    return out;
}

/// The lines of [begin, end): from the start of begin's line, to the end of end's line when
/// only blanks or a comment follow; dedented by the first line's indentation.
std::string declaration_lines(const std::string& src, std::uint32_t begin, std::uint32_t end) {
    std::size_t start = begin;
    while (start > 0 && src[start - 1] != '\n') --start;
    std::size_t stop = end;
    std::size_t eol = src.find('\n', end);
    if (eol == std::string::npos) eol = src.size();
    std::string_view rest(src.data() + end, eol - end);
    auto first = rest.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || rest[first] == '#') stop = eol;
    std::string_view text(src.data() + start, stop - start);
    std::size_t indent = begin - start;
    std::string out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        std::size_t cut = 0;
        while (cut < indent && cut < line.size() && line[cut] == ' ') ++cut;
        line.remove_prefix(cut);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
            line.remove_suffix(1);
        out += line;
        if (nl == std::string_view::npos) break;
        out += '\n';
        pos = nl + 1;
    }
    return out;
}

}  // namespace

std::vector<DeclarationText> declarations(const Plan& plan, const std::string& plan_dir,
                                          const dsl::SourceManager& sm) {
    std::vector<DeclarationText> out;
    fs::path base(plan_dir);
    if (!fs::is_directory(base)) base = base.parent_path();
    for (std::size_t fi = 0; fi < plan.file_ids.size(); ++fi) {
        dsl::FileId f = plan.file_ids[fi];
        const dsl::SourceFile& file = sm.file(f);
        const std::string& src = file.text();
        std::string rel = fs::path(plan.files[fi]).lexically_relative(base).generic_string();
        if (rel.empty()) rel = plan.files[fi];
        dsl::Diagnostics ignored;   // the plan checked: the files parse
        auto parsed = dsl::parse_file(sm, f, ignored);
        Scope scope = Scope::plan;
        for (const auto& d : parsed->declarations) {
            if (auto const* s = boost::get<ast::ScopeDecl>(&d.get())) {
                scope = s->keyword == "end" ? Scope::plan : s->keyword == "per grant" ? Scope::grant : Scope::director;
                continue;
            }
            NameOf name_of;
            Named n = boost::apply_visitor(name_of, d.get());
            if (n.kind.empty() || n.whole == nullptr) continue;
            DeclarationText t;
            t.kind = n.kind;
            t.name = n.name;
            t.scope = scope;
            t.file = rel;
            t.line = file.line_col(n.whole->begin).line;
            t.text = declaration_lines(src, n.whole->begin, n.whole->end);
            // The body: the declaration without its citations and notes, comments, layout.
            std::string body;
            std::uint32_t at = n.whole->begin;
            for (const auto& a : *n.annotations) {
                if (a.keyword != "source" && a.keyword != "note") continue;
                if (a.begin < at || a.end > n.whole->end) continue;
                body.append(src, at, a.begin - at);
                at = a.end;
            }
            body.append(src, at, n.whole->end - at);
            t.body = collapse_blanks(strip_comments(body));
            out.push_back(std::move(t));
        }
    }
    return out;
}

std::vector<std::string> line_diff(std::string_view a, std::string_view b, std::size_t context) {
    auto split = [](std::string_view s) {
        std::vector<std::string_view> lines;
        std::size_t pos = 0;
        while (pos <= s.size()) {
            std::size_t nl = s.find('\n', pos);
            lines.push_back(s.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
            if (nl == std::string_view::npos) break;
            pos = nl + 1;
        }
        return lines;
    };
    auto x = split(a);
    auto y = split(b);
    // Longest common subsequence of lines; declarations are short, so O(n·m) is fine.
    std::size_t n = x.size(), m = y.size();
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    struct Line {
        char op;
        std::string_view text;
    };
    std::vector<Line> all;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && x[i] == y[j]) {
            all.push_back({' ', x[i]});
            ++i, ++j;
        } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
            all.push_back({'+', y[j++]});
        } else {
            all.push_back({'-', x[i++]});
        }
    }
    // Keep `context` unchanged lines around each change; cut the rest to "…". With no
    // change at all (a declaration that only moved), keep every line.
    bool any = std::any_of(all.begin(), all.end(), [](const Line& l) { return l.op != ' '; });
    std::vector<bool> keep(all.size(), !any);
    for (std::size_t k = 0; k < all.size(); ++k) {
        if (all[k].op == ' ') continue;
        std::size_t from = k >= context ? k - context : 0;
        std::size_t to = std::min(all.size(), k + context + 1);
        for (std::size_t q = from; q < to; ++q) keep[q] = true;
    }
    std::vector<std::string> out;
    bool cut = false;
    for (std::size_t k = 0; k < all.size(); ++k) {
        if (!keep[k]) {
            if (!cut) out.push_back("…");
            cut = true;
            continue;
        }
        cut = false;
        out.push_back(std::string(1, all[k].op) + " " + std::string(all[k].text));
    }
    for (auto& line : out) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
    }
    return out;
}

RulesDiff diff_rules(const Plan& base, const std::string& base_dir, const Plan& head, const std::string& head_dir,
                     const dsl::SourceManager& sm) {
    auto before = declarations(base, base_dir, sm);
    auto after = declarations(head, head_dir, sm);
    // Match by namespace and name; repeated names (two tests with one title) in order.
    auto keys = [](const std::vector<DeclarationText>& ds) {
        std::vector<std::string> out;
        std::map<std::string, int> seen;
        for (const auto& d : ds) {
            std::string k = kind_group(d.kind) + "\x1f" + d.name;
            int n = seen[k]++;
            out.push_back(n == 0 ? k : k + "\x1f" + std::to_string(n));
        }
        return out;
    };
    auto before_keys = keys(before);
    auto after_keys = keys(after);
    std::map<std::string, std::size_t> after_index;
    for (std::size_t i = 0; i < after.size(); ++i) after_index[after_keys[i]] = i;
    std::vector<bool> matched(after.size(), false);

    RulesDiff r;
    std::vector<DeclarationDiff> added, removed, changed;
    for (std::size_t i = 0; i < before.size(); ++i) {
        auto it = after_index.find(before_keys[i]);
        if (it == after_index.end()) {
            DeclarationDiff d;
            d.change = DeclarationDiff::Kind::removed;
            d.base = before[i];
            removed.push_back(std::move(d));
            continue;
        }
        matched[it->second] = true;
        const DeclarationText& a = before[i];
        const DeclarationText& b = after[it->second];
        if (a.text == b.text && a.kind == b.kind && a.scope == b.scope) {
            ++r.unchanged;
            continue;
        }
        DeclarationDiff d;
        d.change = DeclarationDiff::Kind::changed;
        d.base = a;
        d.head = b;
        d.annotations_only = a.body == b.body && a.kind == b.kind && a.scope == b.scope;
        d.lines = line_diff(a.text, b.text);
        changed.push_back(std::move(d));
    }
    for (std::size_t i = 0; i < after.size(); ++i) {
        if (matched[i]) continue;
        DeclarationDiff d;
        d.change = DeclarationDiff::Kind::added;
        d.head = after[i];
        added.push_back(std::move(d));
    }
    auto by_kind = [](const DeclarationDiff& x, const DeclarationDiff& y) {
        const DeclarationText& a = x.head ? *x.head : *x.base;
        const DeclarationText& b = y.head ? *y.head : *y.base;
        return kind_order(a.kind) < kind_order(b.kind);
    };
    for (auto* list : {&added, &removed, &changed}) {
        std::stable_sort(list->begin(), list->end(), by_kind);
        for (auto& d : *list) r.changes.push_back(std::move(d));
    }
    return r;
}

}  // namespace hoshu::eval
