// The literate plan (html.hpp): declarations beside their clauses, tables as charts.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "dsl/base/text.hpp"
#include "evaluator/numbers/date.hpp"
#include "evaluator/numbers/number_text.hpp"
#include "evaluator/analysis/rules_diff.hpp"
#include "evaluator/output/html.hpp"
#include "evaluator/run/outcome.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

using R = Rational;   // chart coordinates are exact too, printed to a tenth of a pixel

std::string px(const R& v) { return v.to_decimal(1); }

/// A number on an axis, in its own type and unit as the rows write it: a percentage for a
/// ratio or a percent (two places at most when it does not end), a date for a date, an
/// amount of a currency with minor amounts to its minor decimals, else the number (a count,
/// shares, JPY: four places at most).
std::string axis_number(const Plan& plan, const Type& t, const R& v) {
    if (t.kind == Kind::date) {
        if (auto day = v.to_int64()) return Date{static_cast<std::int32_t>(*day)}.to_string();
    }
    if (t.dimensionless() && t.style != RatioStyle::count) {
        R p = v * R(100);
        std::string s = p.terminates() && p.to_string().size() <= 8 ? p.to_string() : p.to_decimal(2);
        return group_digits(s) + "%";
    }
    if (const int places = minor_places(plan, t); places > 0 && !v.is_integer()) return grouped_decimal(v, places);
    std::string s = v.terminates() && v.to_string().size() <= 12 ? v.to_string() : v.to_decimal(4);
    return group_digits(s);
}

}  // namespace

std::string table_chart_svg(const Plan& plan, const std::vector<const Table*>& tables,
                            const std::vector<std::string>& captions) {
    // The x range: every finite end of every row, with a margin on each side for the open
    // ends; the y range: every value, and 0.
    std::vector<R> xs, ys{R(0)};
    for (const Table* t : tables) {
        for (const auto& r : t->rows) {
            if (r.low) xs.push_back(*r.low);
            if (r.high) xs.push_back(*r.high);
            ys.push_back(r.value);
            if (r.linear) ys.push_back(r.value_to);
        }
    }
    if (xs.empty()) xs = {R(0), R(1)};
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    std::sort(ys.begin(), ys.end());
    ys.erase(std::unique(ys.begin(), ys.end()), ys.end());
    R span = xs.back() - xs.front();
    if (span.is_zero()) span = xs.front().is_zero() ? R(1) : xs.front().abs();
    const R x0 = xs.front() - span / R(6), x1 = xs.back() + span / R(6);
    R y0 = ys.front(), y1 = ys.back();
    if (y0 == y1) y1 = y0 + R(1);
    const R yspan = y1 - y0;
    y1 = y1 + yspan / R(10);
    const Type& xt = tables.front()->parameter_type;
    const Type& yt = tables.front()->result_type;
    // The plot area.
    const R left(64), top(16), width(460), height(170);
    const R w_total(560), h_total(240 + 14 * static_cast<std::int64_t>(tables.size() > 1 ? tables.size() : 0));
    auto X = [&](const R& x) { return left + (x - x0) * width / (x1 - x0); };
    auto Y = [&](const R& y) { return top + height - (y - y0) * height / (y1 - y0); };
    std::string out = fmt::format(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
        "font-family='{}' font-size=\"10\" role=\"img\" aria-label=\"{}\">\n",
        px(w_total), px(h_total), px(w_total), px(h_total), html_font_stack, html_escape(tables.front()->name));
    // Axes and ticks: each breakpoint on x, each value on y.
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#444\"/>\n", px(left),
                       px(top + height), px(left + width));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\"/>\n", px(left), px(top),
                       px(top + height));
    R last_label = x0 - span;
    for (const R& x : xs) {
        out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#ddd\"/>\n", px(X(x)), px(top),
                           px(top + height));
        // Labels that would overlap are left out (the rows' text says them all).
        if (X(x) - X(last_label) < R(34)) continue;
        last_label = x;
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>\n", px(X(x)),
                           px(top + height + R(13)), html_escape(axis_number(plan, xt, x)));
    }
    R last_y = y0 - yspan;
    for (const R& y : ys) {
        if (Y(last_y) - Y(y) < R(11) && !(last_y == y0 - yspan)) continue;
        last_y = y;
        out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#eee\"/>\n", px(left), px(Y(y)),
                           px(left + width));
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>\n", px(left - R(4)),
                           px(Y(y) + R(3)), html_escape(axis_number(plan, yt, y)));
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{} ({})</text>\n",
                       px(left + width / R(2)), px(top + height + R(28)), html_escape(tables.front()->parameter),
                       html_escape(plan.type_name(xt)));
    // The rows: later tables (the base) first, so that the plan's own curve is on top.
    const char* colours[] = {"#1f5fa8", "#999999", "#c0504d"};
    for (std::size_t k = tables.size(); k-- > 0;) {
        const Table& t = *tables[k];
        const char* colour = colours[std::min<std::size_t>(k, 2)];
        std::string dash = k == 0 ? "" : " stroke-dasharray=\"5 3\"";
        out += fmt::format("<g class=\"curve\" data-table=\"{}\">\n", html_escape(captions[k]));
        // Hollow dots first, then filled ones: where one row's end is excluded and the
        // next row's is included, the included (filled) end shows.
        std::string hollow, filled;
        for (const auto& r : t.rows) {
            R a = r.low ? *r.low : x0, b = r.high ? *r.high : x1;
            R va = r.value, vb = r.linear ? r.value_to : r.value;
            if (r.linear && !r.low) va = r.value_to - r.slope * (b - a);
            if (r.linear && !r.high) vb = r.value + r.slope * (b - a);
            out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                               px(X(a)), px(Y(va)), px(X(b)), px(Y(vb)), colour, dash);
            auto dot = [&](const R& x, const R& y, bool included) {
                (included ? filled : hollow) += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.2\" stroke=\"{}\" stroke-width=\"1.5\" fill=\"{}\" "
                                    "class=\"{}\"/>\n",
                                    px(X(x)), px(Y(y)), colour, included ? colour : "#ffffff",
                                    included ? "included" : "excluded");
            };
            if (r.low) dot(*r.low, va, r.low_inclusive);
            if (r.high) dot(*r.high, vb, r.high_inclusive);
        }
        out += hollow + filled + "</g>\n";
    }
    // A legend when there are several curves.
    if (tables.size() > 1) {
        for (std::size_t k = 0; k < tables.size(); ++k) {
            R y = top + height + R(44) + R(14 * static_cast<std::int64_t>(k));
            std::string dash = k == 0 ? "" : " stroke-dasharray=\"5 3\"";
            out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                               px(left), px(y - R(4)), px(left + R(24)), px(y - R(4)),
                               colours[std::min<std::size_t>(k, 2)], dash);
            out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#333\">{}</text>\n", px(left + R(30)), px(y),
                               html_escape(captions[k]));
        }
    }
    out += "</svg>\n";
    return out;
}

namespace {

const char* const doc_css = R"(@page { size: A4; margin: 16mm 13mm 16mm 13mm; }
* { box-sizing: border-box; }
body { font-family: FONTS; font-size: 9.5pt; line-height: 1.45; color: #111; margin: 0 auto; max-width: 184mm; }
code, pre, .mono { font-family: "Noto Sans Mono CJK JP", "DejaVu Sans Mono", monospace; font-size: 8.3pt; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1.5px solid #333; padding-bottom: 1mm; break-after: avoid; }
table.meta th { text-align: left; padding-right: 3mm; font-weight: 600; vertical-align: top; }
table.meta td { word-break: break-all; }
section.file { break-before: page; }
div.decl { display: grid; grid-template-columns: 62mm 1fr; gap: 4mm; border-top: 0.5px solid #ccc; padding: 1.5mm 0;
  break-inside: avoid-page; }
div.decl.changed { background: #fff7e0; }
div.decl.added { background: #eaf7ea; }
.clauses { font-size: 8.5pt; }
.clauses a { font-weight: 600; color: #1a4b8c; text-decoration: none; }
.quote { font-family: "Noto Serif CJK JP", "Noto Serif JP", "Yu Mincho", serif; }
.nocite { color: #888; font-style: italic; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
.loc { font-size: 7.5pt; color: #555; }
.mark { font-size: 7.5pt; font-weight: 700; padding: 0 1mm; border-radius: 1mm; }
.mark.changed { background: #f0b400; color: #000; }
.mark.added { background: #3a8a3a; color: #fff; }
.mark.removed { background: #b03030; color: #fff; }
pre.diff .del { color: #a00; background: #fde8e8; }
pre.diff .ins { color: #060; background: #e6f6e6; }
svg.chart { display: block; margin: 1.5mm 0 0; max-width: 100%; height: auto; }
section.index { break-before: page; }
dl.index dt { font-weight: 600; margin-top: 1.5mm; }
dl.index dd { margin: 0 0 0 6mm; font-size: 8.5pt; }
dl.index a { color: #1a4b8c; text-decoration: none; }
table.versions, table.expect { border-collapse: collapse; margin: 1.5mm 0 0; font-size: 8.5pt; }
table.versions th, table.expect th { text-align: left; font-weight: 600; border-bottom: 0.5px solid #888;
  padding: 0.3mm 3mm 0.3mm 0; }
table.versions td, table.expect td { padding: 0.3mm 3mm 0.3mm 0; vertical-align: top; }
table.expect td.num { text-align: right; }
div.test { font-size: 9.5pt; }
)";

/// The citations of a declaration of `plan`, found by kind and name.
const std::vector<Citation>* citations_of(const Plan& plan, const DeclarationText& d) {
    const std::string& k = d.kind;
    if (k == "plan") return &plan.sources;
    if (k == "param" || k == "input" || k == "value" || k == "output") {
        if (auto s = plan.find_slot(d.name)) return &plan.slots[*s].sources;
    }
    if (k == "info")
        for (const auto& i : plan.infos)
            if (i.name == d.name) return &i.sources;
    if (k == "table")
        for (const auto& t : plan.tables)
            if (t.name == d.name) return &t.sources;
    if (k == "series")
        for (const auto& s : plan.series)
            if (s.name == d.name) return &s.sources;
    if (k == "limit")
        for (const auto& l : plan.limits)
            if (l.name == d.name) return &l.sources;
    if (k == "require")
        for (const auto& r : plan.requirements)
            if (r.name == d.name) return &r.sources;
    if (k == "test")
        for (const auto& t : plan.tests)
            if ("\"" + t.title + "\"" == d.name) return &t.sources;
    return nullptr;
}

const Table* table_named(const Plan& plan, const std::string& name) {
    for (const auto& t : plan.tables)
        if (t.name == name) return &t;
    return nullptr;
}

const PlanTest* test_named(const Plan& plan, const std::string& quoted) {
    for (const auto& t : plan.tests)
        if ("\"" + t.title + "\"" == quoted) return &t;
    return nullptr;
}

/// The text a range of the rules covers, as written.
std::string written(const dsl::SourceManager& sm, const dsl::SourceRange& r) {
    if (!r.valid) return {};
    const std::string& text = sm.file(r.file).text();
    if (r.begin > r.end || r.end > text.size()) return {};
    return text.substr(r.begin, r.end - r.begin);
}

std::string clause_links(const std::vector<Citation>& sources) {
    std::string out;
    std::set<std::string> seen;
    for (const auto& c : sources) {
        if (!seen.insert(c.clause).second) continue;
        out += fmt::format("{0}<a href=\"#clause-{1}\">{1}</a>", out.empty() ? "" : ", ", html_escape(c.clause));
    }
    return out.empty() ? "—" : out;
}

/// A param's dated versions: each value as written, the day it takes effect and the last
/// day before the next version does, and the clauses the param cites.
std::string param_versions(const Plan& plan, const Slot& param, const dsl::SourceManager& sm) {
    std::string out = "<table class=\"versions\">\n<tr><th>value</th><th>effective from</th><th>to</th>"
                      "<th>clause</th></tr>\n";
    const auto& v = param.versions;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::string value = v[i].node < plan.nodes.size() ? written(sm, plan.nodes[v[i].node].range) : "";
        std::string from = v[i].from ? v[i].from->to_string() : "the beginning";
        std::string to = "—";
        if (i + 1 < v.size() && v[i + 1].from) to = Date{v[i + 1].from->days - 1}.to_string();
        out += fmt::format("<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                           html_escape(value), from, to, clause_links(param.sources));
    }
    out += "</table>\n";
    if (v.front().from)
        out += fmt::format("<div class=\"loc\">no value before {}</div>\n", v.front().from->to_string());
    return out;
}

/// A test as what it checks: its inputs and each expectation (output, record, value).
std::string test_table(const Plan& plan, const PlanTest& t) {
    std::string out = fmt::format("<div class=\"test\"><b>test</b> {}</div>\n", html_escape(t.title));
    out += fmt::format("<div class=\"loc\">inputs <span class=\"mono\">{}</span>", html_escape(t.inputs));
    if (!t.carry_from.empty())
        out += fmt::format(" · carried from <span class=\"mono\">{}</span>", html_escape(t.carry_from));
    out += "</div>\n<table class=\"expect\">\n<tr><th>output</th><th>record</th><th>value expected</th></tr>\n";
    const Outcome none_evaluated;
    for (const auto& e : t.expectations) {
        std::string record = e.record ? html_escape(*e.record) : "";
        if (e.violation) {
            out += fmt::format("<tr><td class=\"mono\">{}</td><td>{}</td><td>a violation</td></tr>\n",
                               html_escape(e.name), record);
            continue;
        }
        // A quantity with its unit, as the working paper writes it ("16,000,000 JPY").
        std::string value = display_with_unit(plan, none_evaluated, e.type, e.expected);
        out += fmt::format("<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                           html_escape(e.name), record, html_escape(value));
    }
    out += "</table>\n";
    return out;
}

class DocWriter {
public:
    explicit DocWriter(const PlanDocument& d) : doc_(d) {}
    std::string render();

private:
    void declaration(const DeclarationText& d, std::size_t n);

    const PlanDocument& doc_;
    std::string out_;
    std::map<std::string, const DeclarationDiff*> changes_;   // "kind name" of the head's declarations
    std::map<std::string, std::vector<std::pair<std::string, std::string>>, bool (*)(const std::string&, const std::string&)>
        index_{clause_less};   // clause → (anchor, label)
    std::map<std::string, std::vector<std::string>, bool (*)(const std::string&, const std::string&)> quotes_{
        clause_less};
};

std::string key_of(const DeclarationText& d) { return d.kind + " " + d.name; }

void DocWriter::declaration(const DeclarationText& d, std::size_t n) {
    std::string anchor = fmt::format("decl-{}", n);
    const DeclarationDiff* change = nullptr;
    if (auto it = changes_.find(key_of(d)); it != changes_.end()) change = it->second;
    std::string cls = !change ? "" : change->change == DeclarationDiff::Kind::added ? " added" : " changed";
    out_ += fmt::format("<div class=\"decl{}\" id=\"{}\">\n<div class=\"clauses\">\n", cls, anchor);
    // The plan's citations where it keeps them (a definition's, a table's …); a declaration
    // it keeps none for (a unit, a carry, a type) cites what its `source` lines say.
    const auto* cites = citations_of(*doc_.plan, d);
    if (!cites) cites = &d.sources;
    // The plan declaration is labelled by its title, as written: plan "Directors' shares".
    const std::string label = d.kind == "plan" ? "plan \"" + doc_.plan->title + "\"" : d.kind + " " + d.name;
    if (!cites || cites->empty()) out_ += "<div class=\"nocite\">no clause cited</div>\n";
    if (cites) {
        for (const auto& c : *cites) {
            out_ += fmt::format("<div><a href=\"#clause-{0}\">{0}</a>", html_escape(c.clause));
            if (!c.quote.empty()) out_ += fmt::format(" <span class=\"quote\">「{}」</span>", html_escape(c.quote));
            out_ += "</div>\n";
            auto& entries = index_[c.clause];
            if (entries.empty() || entries.back().first != anchor)   // two quotes of one clause: one entry
                entries.emplace_back(anchor, label);
            auto& q = quotes_[c.clause];
            if (!c.quote.empty() && std::find(q.begin(), q.end(), c.quote) == q.end()) q.push_back(c.quote);
        }
    }
    out_ += "</div>\n<div>\n";
    out_ += fmt::format("<div class=\"loc\">{}:{}", html_escape(d.file), d.line);
    if (change) {
        bool added = change->change == DeclarationDiff::Kind::added;
        out_ += fmt::format(" <span class=\"mark {0}\">{0}{1}</span>", added ? "added" : "changed",
                            change->annotations_only ? " (citations, notes or layout only)" : "");
    }
    out_ += "</div>\n";
    if (change && change->change == DeclarationDiff::Kind::changed) {
        out_ += "<pre class=\"diff\">";
        for (const auto& l : change->lines) {
            std::string cls2 = l.starts_with("- ") ? "del" : l.starts_with("+ ") ? "ins" : "";
            if (cls2.empty()) out_ += html_escape(l) + "\n";
            else out_ += fmt::format("<span class=\"{}\">{}</span>\n", cls2, html_escape(l));
        }
        out_ += "</pre>\n";
    } else if (d.kind != "test" || !test_named(*doc_.plan, d.name)) {
        out_ += "<pre>" + html_escape(d.text) + "</pre>\n";
    }
    if (d.kind == "param") {
        // Dated versions as a table (one undated value is its source text).
        if (auto s = doc_.plan->find_slot(d.name)) {
            const auto& v = doc_.plan->slots[*s].versions;
            if (std::any_of(v.begin(), v.end(), [](const ParamVersion& p) { return p.from.has_value(); }))
                out_ += param_versions(*doc_.plan, doc_.plan->slots[*s], *doc_.sm);
        }
    }
    if (d.kind == "test") {
        if (const PlanTest* t = test_named(*doc_.plan, d.name)) out_ += test_table(*doc_.plan, *t);
    }
    if (d.kind == "table") {
        // A keyed table has no curve: its rows, as written above, are the table.
        if (const Table* t = table_named(*doc_.plan, d.name); t && !t->keyed()) {
            std::vector<const Table*> drawn{t};
            std::vector<std::string> captions{doc_.base ? "revision (" + doc_.plan_dir + ")" : doc_.plan_dir};
            if (doc_.base && change && change->change == DeclarationDiff::Kind::changed) {
                if (const Table* old = table_named(*doc_.base, d.name)) {
                    drawn.push_back(old);
                    captions.push_back("base (" + doc_.base_dir + ")");
                }
            }
            out_ += table_chart_svg(*doc_.plan, drawn, captions);
        }
    }
    out_ += "</div>\n</div>\n";
}

std::string DocWriter::render() {
    const Plan& plan = *doc_.plan;
    auto decls = declarations(plan, doc_.plan_dir, *doc_.sm);
    RulesDiff diff;
    if (doc_.base) {
        diff = diff_rules(*doc_.base, doc_.base_dir, plan, doc_.plan_dir, *doc_.sm);
        for (const auto& c : diff.changes)
            if (c.head) changes_[key_of(*c.head)] = &c;
    }
    std::string css = doc_css;
    css.replace(css.find("FONTS"), 5, html_font_stack);
    out_ += "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += fmt::format("<title>{} — the plan</title>\n", html_escape(plan.title));
    out_ += "<style>\n" + css + "</style>\n</head>\n<body>\n<header>\n";
    out_ += fmt::format("<h1>{}</h1>\n<table class=\"meta\">\n", html_escape(plan.title));
    out_ += fmt::format("<tr><th>plan</th><td class=\"mono\">{}</td></tr>\n", html_escape(doc_.plan_dir));
    out_ += fmt::format("<tr><th>rules sha256</th><td class=\"mono\">{}</td></tr>\n", html_escape(doc_.rules_sha256));
    if (doc_.base) {
        out_ += fmt::format("<tr><th>against</th><td class=\"mono\">{}</td></tr>\n", html_escape(doc_.base_dir));
        out_ += fmt::format("<tr><th>base rules sha256</th><td class=\"mono\">{}</td></tr>\n",
                            html_escape(doc_.base_rules_sha256));
        std::size_t added = 0, changed = 0, removed = 0;
        for (const auto& c : diff.changes) {
            if (c.change == DeclarationDiff::Kind::added) ++added;
            else if (c.change == DeclarationDiff::Kind::removed) ++removed;
            else ++changed;
        }
        out_ += fmt::format("<tr><th>revision</th><td>{} changed, {} added, {} removed, {} unchanged</td></tr>\n",
                            changed, added, removed, diff.unchanged);
    }
    out_ += fmt::format("<tr><th>reproduce</th><td class=\"mono\">{}</td></tr>\n", html_escape(doc_.command));
    out_ += "</table>\n";
    // Contents: the rule files.
    std::vector<std::string> files;
    for (const auto& d : decls)
        if (files.empty() || files.back() != d.file) files.push_back(d.file);
    out_ += "<p>Rule files: ";
    for (std::size_t i = 0; i < files.size(); ++i)
        out_ += fmt::format("{}<a href=\"#file-{}\">{}</a>", i ? ", " : "", i + 1, html_escape(files[i]));
    out_ += " · <a href=\"#clauses\">index of clauses</a></p>\n</header>\n";
    std::string current;
    std::size_t file_no = 0;
    for (std::size_t n = 0; n < decls.size(); ++n) {
        if (decls[n].file != current) {
            if (!current.empty()) out_ += "</section>\n";
            current = decls[n].file;
            out_ += fmt::format("<section class=\"file\" id=\"file-{}\">\n<h2>{}</h2>\n", ++file_no,
                                html_escape(current));
        }
        declaration(decls[n], n);
    }
    if (!current.empty()) out_ += "</section>\n";
    if (doc_.base) {
        std::string removed;
        for (const auto& c : diff.changes) {
            if (c.change != DeclarationDiff::Kind::removed || !c.base) continue;
            removed += fmt::format("<div class=\"decl\"><div class=\"loc\">{}:{} <span class=\"mark removed\">removed</span>"
                                   "</div><pre>{}</pre></div>\n",
                                   html_escape(c.base->file), c.base->line, html_escape(c.base->text));
        }
        if (!removed.empty()) out_ += "<section class=\"removed\">\n<h2>Removed from the base</h2>\n" + removed + "</section>\n";
    }
    out_ += "<section class=\"index\" id=\"clauses\">\n<h2>Index of clauses</h2>\n<dl class=\"index\">\n";
    for (const auto& [clause, entries] : index_) {
        out_ += fmt::format("<dt id=\"clause-{0}\">{0}</dt>\n", html_escape(clause));
        for (const auto& q : quotes_[clause]) out_ += fmt::format("<dd class=\"quote\">「{}」</dd>\n", html_escape(q));
        std::string links;
        for (const auto& [anchor, label] : entries)
            links += fmt::format("{}<a href=\"#{}\">{}</a>", links.empty() ? "" : ", ", anchor, html_escape(label));
        out_ += "<dd>" + links + "</dd>\n";
    }
    out_ += "</dl>\n</section>\n</body>\n</html>\n";
    return std::move(out_);
}

}  // namespace

std::string render_plan_document(const PlanDocument& doc) { return DocWriter(doc).render(); }

}  // namespace hoshu::eval
