#include "evaluator/analysis/rules_diff.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

#include "dsl/base/text.hpp"
#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/keywords.hpp"
#include "dsl/syntax/parse.hpp"
#include "evaluator/analysis/line_diff.hpp"

namespace hoshu::eval {

namespace ast = dsl::ast;
namespace fs = std::filesystem;

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

/// Every kind of declaration is named (the compiler reports a new one that is not); `per` and
/// `end` name nothing but set the scope of those that follow.
struct NameOf : boost::static_visitor<Named> {
    std::string& scope;
    explicit NameOf(std::string& s) : scope(s) {}
    template <class D>
    static Named make(std::string kind, std::string name, const D& d) {
        return Named{std::move(kind), std::move(name), &d.annotations, &d};
    }
    Named operator()(const ast::PlanDecl& d) const { return make("plan", "plan", d); }
    Named operator()(const ast::ImportDecl& d) const { return make("import", d.path.value, d); }
    Named operator()(const ast::ScopeDecl& s) const {
        scope = s.keyword == "end" ? std::string() : s.record.text;
        return {};
    }
    Named operator()(const ast::UnitDecl& d) const { return make("unit", d.name.text, d); }
    Named operator()(const ast::TypeDecl& d) const { return make("type", d.name.text, d); }
    Named operator()(const ast::ParamDecl& d) const { return make("param", d.name.text, d); }
    Named operator()(const ast::InputDecl& d) const { return make(d.keyword, d.name.text, d); }
    Named operator()(const ast::SeriesDecl& d) const { return make("series", d.name.text, d); }
    Named operator()(const ast::CollectionDecl& d) const { return make("collection", d.plural.text, d); }
    Named operator()(const ast::ValueDecl& d) const { return make(d.keyword, d.name.text, d); }
    Named operator()(const ast::TableDecl& d) const { return make("table", d.name.text, d); }
    Named operator()(const ast::LimitDecl& d) const { return make("limit", d.name.text, d); }
    Named operator()(const ast::RequireDecl& d) const { return make("require", d.name.text, d); }
    Named operator()(const ast::TestDecl& d) const { return make("test", "\"" + d.title.value + "\"", d); }
    Named operator()(const ast::CarryDecl& d) const { return make("carry", d.path.text, d); }
};

/// Which kinds share a namespace (a value that became an output, or an input that became a
/// param, is the same definition changed). The order kinds are listed in is
/// dsl::declaration_rank's (keywords.hpp).
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
        std::string scope;
        for (const auto& d : parsed->declarations) {
            NameOf name_of(scope);
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
                if (a.keyword == "source" && a.clause)
                    t.sources.push_back({a.clause->text, a.text ? a.text->value : std::string(),
                                         dsl::SourceRange{f, a.begin, a.end, true}});
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
        return dsl::declaration_rank(a.kind) < dsl::declaration_rank(b.kind);
    };
    for (auto* list : {&added, &removed, &changed}) {
        std::stable_sort(list->begin(), list->end(), by_kind);
        for (auto& d : *list) r.changes.push_back(std::move(d));
    }
    return r;
}

}  // namespace hoshu::eval
