#include "evaluator/output/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "dsl/base/source.hpp"

namespace hoshu::eval {

const char* const html_font_stack =
    "\"Noto Sans CJK JP\", \"Noto Serif CJK JP\", \"Noto Sans JP\", \"Hiragino Sans\", \"Yu Gothic\", "
    "\"IPAexGothic\", \"Noto Sans\", \"DejaVu Sans\", sans-serif";

std::string html_escape(std::string_view text) {
    std::string shown = dsl::printable(text, true);
    std::string out;
    out.reserve(shown.size());
    for (char c : shown) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

namespace {

const char* const paper_css = R"(@page { size: A4; margin: 20mm 14mm 16mm 14mm;
  @top-left { content: RUNNING_LEFT; font-family: FONTS; font-size: 7.5pt; color: #444; }
  @top-right { content: RUNNING_RIGHT; font-family: FONTS; font-size: 7.5pt; color: #444; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-family: FONTS; font-size: 7.5pt; color: #444; } }
* { box-sizing: border-box; }
body { font-family: FONTS; font-size: 9.5pt; line-height: 1.45; color: #111; margin: 0 auto; max-width: 182mm; }
code, .mono { font-family: "Noto Sans Mono CJK JP", "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 0 0 2mm; border-bottom: 1.5px solid #333; padding-bottom: 1mm; }
h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
.running { font-size: 7.5pt; color: #444; border-bottom: 0.5px solid #888; padding: 1mm 0; margin-bottom: 3mm;
  display: flex; justify-content: space-between; gap: 4mm; }
@media print { .running { display: none; } }
table.seal { border-collapse: collapse; margin: 2mm 0 3mm; width: 100%; }
table.seal th { text-align: left; font-weight: 600; padding: 0.6mm 3mm 0.6mm 0; white-space: nowrap; vertical-align: top; }
table.seal td { padding: 0.6mm 0; word-break: break-all; }
table.files { border-collapse: collapse; font-size: 8pt; }
table.files td { padding: 0 3mm 0 0; }
section.director { break-before: page; }
table.outputs { border-collapse: collapse; margin: 1mm 0 3mm; }
table.outputs th, table.outputs td { border-bottom: 0.5px solid #bbb; padding: 0.8mm 3mm 0.8mm 0; text-align: left; }
table.outputs td.n, table.inputs td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.inputs { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
table.inputs th, table.inputs td { border-bottom: 0.5px solid #ccc; padding: 0.5mm 2mm 0.5mm 0; text-align: left; vertical-align: top; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 0; }
ul.tree ul { padding-left: 4.5mm; border-left: 0.6px solid #999; margin-left: 1.2mm; }
ul.tree li { margin: 1.2mm 0 0; }
.step > .head, .step > .formula { break-after: avoid-page; break-inside: avoid-page; }
ul.details li, .cite, .read { break-inside: avoid-page; }
.step .head { font-weight: 600; }
.step .value { background: #eef3fb; padding: 0 1mm; border-radius: 1mm; }
.kind { font-size: 7.5pt; color: #555; border: 0.5px solid #999; border-radius: 1mm; padding: 0 0.8mm; font-weight: normal; }
.loc { font-size: 7.5pt; color: #555; font-weight: normal; }
.formula { margin: 0.3mm 0 0 0; }
ul.details { margin: 0.3mm 0 0; padding-left: 4mm; list-style: "→ "; font-size: 8.5pt; }
.cite { font-size: 8.5pt; margin: 0.3mm 0 0; }
.cite a { font-weight: 600; color: #1a4b8c; text-decoration: none; }
.quote { font-family: "Noto Serif CJK JP", "Noto Serif JP", "Yu Mincho", serif; }
.read { font-size: 8.5pt; margin: 0.3mm 0 0; }
.note { font-size: 8pt; color: #444; font-style: italic; }
li.ref { font-size: 8.5pt; color: #333; }
li.ref a { color: #1a4b8c; text-decoration: none; }
section.index { break-before: page; }
dl.index dt { font-weight: 600; margin-top: 1.5mm; }
dl.index dd { margin: 0 0 0 6mm; font-size: 8.5pt; }
dl.index a { color: #1a4b8c; text-decoration: none; }
h3.violated { color: #a01010; }
ul.violations { margin: 0.5mm 0 2mm; padding-left: 5mm; }
)";


struct IndexEntry {
    std::string anchor;
    std::string label;    // "D03 · annual_rs_shares"
    std::string quote;
};

class PaperWriter {
public:
    explicit PaperWriter(const WorkingPaper& p) : paper_(p) {}
    std::string render();

private:
    void seal_block();
    void findings();
    void director(std::size_t d);
    void step(std::size_t d, const Explanation& e, const std::map<std::string, std::size_t>& at, std::size_t i,
              std::set<std::size_t>& shown);
    void index();
    std::string anchor(std::size_t d, std::size_t i) const { return fmt::format("d{}-s{}", d + 1, i); }
    void cite(const std::vector<Citation>& sources, const std::string& anchor, const std::string& label);

    const WorkingPaper& paper_;
    std::string out_;
    std::map<std::string, std::vector<IndexEntry>, bool (*)(const std::string&, const std::string&)> index_{clause_less};
};

/// A CSS string literal: quotes and backslashes escaped, and `<` written as an escape so
/// that no text can close the style element.
std::string css_string(std::string_view text) {
    std::string shown = dsl::printable(text);
    std::string out = "\"";
    for (char c : shown) {
        if (c == '"' || c == '\\') out += std::string("\\") + c;
        else if (c == '<') out += "\\3c ";
        else if (c == '\n') out += "\\a ";
        else out += c;
    }
    return out + "\"";
}

std::string short_hash(const std::string& h) { return h.size() > 16 ? h.substr(0, 16) + "…" : h; }

std::string PaperWriter::render() {
    std::string css = paper_css;
    auto put = [&](std::string_view key, const std::string& value) {
        for (auto at = css.find(key); at != std::string::npos; at = css.find(key, at + value.size()))
            css.replace(at, key.size(), value);
    };
    put("FONTS", html_font_stack);
    // A plan without a fiscal year (none is required) leaves its part out of the titles.
    const std::string& year = paper_.fiscal_year;
    const std::string titled = year.empty() ? paper_.plan_title : paper_.plan_title + " — " + year;
    put("RUNNING_LEFT", css_string(titled));
    put("RUNNING_RIGHT", css_string("seal: rules " + short_hash(paper_.seal.rules_sha256) + " · inputs " +
                                    short_hash(paper_.seal.inputs_sha256)));
    out_ += "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += fmt::format("<title>{} — working paper</title>\n", html_escape(titled));
    out_ += "<style>\n" + css + "</style>\n</head>\n<body>\n";
    out_ += fmt::format("<div class=\"running\"><span>{}</span><span class=\"mono\">seal: rules {} · inputs {}</span></div>\n",
                        html_escape(titled), html_escape(short_hash(paper_.seal.rules_sha256)),
                        html_escape(short_hash(paper_.seal.inputs_sha256)));
    out_ += fmt::format("<header>\n<h1>{}</h1>\n<p>{}</p>\n", html_escape(paper_.plan_title),
                        year.empty() ? std::string("Working paper") : "Working paper — fiscal year " + html_escape(year));
    seal_block();
    out_ += "</header>\n";
    findings();
    for (std::size_t d = 0; d < paper_.directors.size(); ++d) director(d);
    index();
    out_ += "</body>\n</html>\n";
    return std::move(out_);
}

void PaperWriter::seal_block() {
    const Seal& s = paper_.seal;
    out_ += "<h3>Seal</h3>\n<table class=\"seal\">\n";
    auto row = [&](const char* k, const std::string& v, bool mono) {
        out_ += fmt::format("<tr><th>{}</th><td{}>{}</td></tr>\n", k, mono ? " class=\"mono\"" : "", html_escape(v));
    };
    row("plan", s.plan_path, true);
    row("rules sha256", s.rules_sha256, true);
    row("inputs", s.inputs_path, true);
    row("inputs sha256", s.inputs_sha256, true);
    if (!s.carried_from.empty()) {
        row(s.carried_from_register ? "carried from the register" : "carried from", s.carried_from, true);
        row(s.carried_from_register ? "recorded result sha256" : "carried sha256", s.carried_sha256, true);
        if (s.carried_from_register) {
            std::string events;
            for (const auto& e : s.carried_events) events += (events.empty() ? "" : ", ") + std::to_string(e.id);
            row("events applied", events.empty() ? "none" : events, false);
        }
    }
    row("engine", s.engine, false);
    row("as of", s.as_of.empty() ? "the plan's own date (no --as-of)" : s.as_of, false);
    row("reproduce", paper_.command, true);
    row("check the rules", "hoshu seal " + s.plan_path + " | sha256sum", true);
    row("check the inputs", "sha256sum " + s.inputs_path, true);
    out_ += "</table>\n<table class=\"files mono\">\n";
    for (const auto& f : s.rule_files)
        out_ += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", html_escape(f.sha256), html_escape(f.path));
    out_ += "</table>\n";
}

/// What the evaluation found, as `hoshu eval` shows it: every violation, the limits (value,
/// bound, status and the factor a scaled limit applied), the plan-wide outputs.
void PaperWriter::findings() {
    const OutcomeFindings& f = paper_.findings;
    out_ += "<section class=\"findings\" id=\"findings\">\n";
    if (f.violations.empty()) {
        out_ += "<h3>Violations</h3>\n<p>no violations</p>\n";
    } else {
        out_ += fmt::format("<h3 class=\"violated\">{} violation{}</h3>\n<ul class=\"violations\">\n",
                            f.violations.size(), f.violations.size() == 1 ? "" : "s");
        for (const auto& v : f.violations) out_ += fmt::format("<li>{}</li>\n", html_escape(v));
        out_ += "</ul>\n";
    }
    if (!f.limits.empty()) {
        out_ += "<h3>Limits</h3>\n<table class=\"outputs\">\n<tr><th>limit</th><th>value</th><th>bound</th>"
                "<th>status</th></tr>\n";
        for (const auto& l : f.limits)
            out_ += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                                html_escape(l.name), html_escape(l.value), html_escape(l.bound), html_escape(l.status));
        out_ += "</table>\n";
    }
    if (!f.totals.empty()) {
        out_ += "<h3>Plan-wide outputs</h3>\n<table class=\"outputs\">\n<tr><th>output</th><th>value</th></tr>\n";
        for (const auto& t : f.totals)
            out_ += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", html_escape(t.name), html_escape(t.value));
        out_ += "</table>\n";
    }
    out_ += "</section>\n";
}

void PaperWriter::cite(const std::vector<Citation>& sources, const std::string& anch, const std::string& label) {
    for (const auto& c : sources) {
        out_ += fmt::format("<div class=\"cite\"><a href=\"#clause-{0}\">{0}</a>", html_escape(c.clause));
        if (!c.quote.empty()) out_ += fmt::format(" <span class=\"quote\">「{}」</span>", html_escape(c.quote));
        out_ += "</div>\n";
        index_[c.clause].push_back(IndexEntry{anch, label, c.quote});
    }
}

void PaperWriter::step(std::size_t d, const Explanation& e, const std::map<std::string, std::size_t>& at,
                       std::size_t i, std::set<std::size_t>& shown) {
    const ExplainStep& s = e.steps[i];
    if (!shown.insert(i).second) {
        out_ += fmt::format("<li class=\"ref\"><a href=\"#{}\">{}</a> = {} (derived above)</li>\n", anchor(d, i),
                            html_escape(s.name), html_escape(s.display));
        return;
    }
    const std::string who = paper_.directors[d].id;
    out_ += fmt::format("<li id=\"{}\" class=\"step\">\n<div class=\"head\">{} <span class=\"kind\">{}</span> = "
                        "<span class=\"value\">{}</span> <span class=\"loc\">{} · {}</span></div>\n",
                        anchor(d, i), html_escape(s.name), html_escape(s.kind), html_escape(s.display),
                        html_escape(s.location), html_escape(s.scope));
    if (!s.formula.empty()) out_ += fmt::format("<div class=\"formula\"><code>{}</code></div>\n", html_escape(s.formula));
    if (!s.read_from.empty()) {
        out_ += fmt::format("<div class=\"read\">read from <span class=\"mono\">{}</span>: <code>{}</code></div>\n",
                            html_escape(s.read_from), html_escape(s.read_line));
    } else if (s.kind == "input") {
        out_ += "<div class=\"read\">not in the inputs file: the declared default</div>\n";
    }
    if (!s.details.empty() || !s.factor_derivation.empty()) {
        out_ += "<ul class=\"details\">\n";
        for (const auto& x : s.details) out_ += fmt::format("<li>{}</li>\n", html_escape(x));
        if (!s.factor_derivation.empty()) {
            out_ += "<li>the pro rata factor:<ul class=\"details\">\n";
            for (const auto& x : s.factor_derivation) out_ += fmt::format("<li>{}</li>\n", html_escape(x));
            out_ += "</ul></li>\n";
        }
        out_ += "</ul>\n";
    }
    std::string label = who + " · " + s.name;
    cite(s.sources, anchor(d, i), label);
    cite(s.factor_sources, anchor(d, i), label + " (pro rata factor)");
    for (const auto& n : s.notes) out_ += fmt::format("<div class=\"note\">{}</div>\n", html_escape(n));
    if (!s.uses.empty()) {
        out_ += "<ul>\n";
        for (const auto& u : s.uses) {
            auto it = at.find(u);
            if (it != at.end()) step(d, e, at, it->second, shown);
        }
        out_ += "</ul>\n";
    }
    out_ += "</li>\n";
}

void PaperWriter::director(std::size_t d) {
    const auto& dir = paper_.directors[d];
    const Explanation& e = dir.derivation;
    std::map<std::string, std::size_t> at;
    for (std::size_t i = 0; i < e.steps.size(); ++i) at.emplace(e.steps[i].id, i);
    out_ += fmt::format("<section class=\"director\" id=\"d{}\">\n<h2>{}</h2>\n", d + 1,
                        html_escape(dir.noun.empty() ? dir.id : dir.noun + " " + dir.id));
    // The root: every output (a synthetic step listing them), or one value.
    std::vector<std::size_t> roots;
    auto root = at.find(e.root);
    if (root != at.end() && e.steps[root->second].kind.empty()) {
        for (const auto& u : e.steps[root->second].uses)
            if (auto it = at.find(u); it != at.end()) roots.push_back(it->second);
    } else if (root != at.end()) {
        roots.push_back(root->second);
    }
    // A record the plan derives nothing for (a peer given its TSR): its inputs, which the
    // plan reads where it computes over every record of the collection.
    const bool inputs_only = !roots.empty() && std::all_of(roots.begin(), roots.end(), [&](std::size_t r) {
        return e.steps[r].kind == "input";
    });
    if (inputs_only) {
        out_ += fmt::format("<p>The plan derives nothing for this {0}: it reads the inputs below where it computes "
                            "over every {0}.</p>\n",
                            html_escape(dir.noun.empty() ? std::string("record") : dir.noun));
    } else {
        out_ += "<table class=\"outputs\">\n<tr><th>output</th><th>value</th><th>rule</th></tr>\n";
        for (std::size_t r : roots) {
            const ExplainStep& s = e.steps[r];
            out_ += fmt::format("<tr><td><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td class=\"loc\">{}</td></tr>\n",
                                anchor(d, r), html_escape(s.name), html_escape(s.display), html_escape(s.location));
        }
        out_ += "</table>\n";
    }
    // The inputs read for this director, each traced to its line of the inputs file.
    std::vector<std::size_t> inputs;
    for (std::size_t i = 0; i < e.steps.size(); ++i)
        if (e.steps[i].kind == "input") inputs.push_back(i);
    if (!inputs.empty()) {
        out_ += "<h3>Inputs read</h3>\n<table class=\"inputs\">\n<tr><th>input</th><th>value</th><th>read from</th>"
                "<th>as written</th></tr>\n";
        for (std::size_t i : inputs) {
            const ExplainStep& s = e.steps[i];
            out_ += fmt::format("<tr><td><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td class=\"mono\">{}</td>"
                                "<td><code>{}</code></td></tr>\n",
                                anchor(d, i), html_escape(s.name), html_escape(s.display),
                                html_escape(s.read_from.empty() ? "(default)" : s.read_from), html_escape(s.read_line));
        }
        out_ += "</table>\n";
    }
    out_ += inputs_only ? "<h3>The inputs as declared</h3>\n" : "<h3>Derivations</h3>\n";
    out_ += "<ul class=\"tree\">\n";
    std::set<std::size_t> shown;
    for (std::size_t r : roots) step(d, e, at, r, shown);
    out_ += "</ul>\n</section>\n";
}

void PaperWriter::index() {
    out_ += "<section class=\"index\" id=\"clauses\">\n<h2>Index of clauses</h2>\n<dl class=\"index\">\n";
    for (const auto& [clause, entries] : index_) {
        out_ += fmt::format("<dt id=\"clause-{0}\">{0}</dt>\n", html_escape(clause));
        // Each quote once, then the steps citing the clause.
        std::vector<std::string> quotes;
        for (const auto& en : entries)
            if (!en.quote.empty() && std::find(quotes.begin(), quotes.end(), en.quote) == quotes.end())
                quotes.push_back(en.quote);
        for (const auto& q : quotes) out_ += fmt::format("<dd class=\"quote\">「{}」</dd>\n", html_escape(q));
        std::string links;
        std::set<std::string> seen;
        for (const auto& en : entries) {
            if (!seen.insert(en.anchor + en.label).second) continue;
            links += fmt::format("{}<a href=\"#{}\">{}</a>", links.empty() ? "" : ", ", en.anchor, html_escape(en.label));
        }
        out_ += "<dd>" + links + "</dd>\n";
    }
    out_ += "</dl>\n</section>\n";
}

}  // namespace

bool clause_less(const std::string& a, const std::string& b) {
    auto split = [](const std::string& s) {
        std::size_t i = 0;
        while (i < s.size() && !(s[i] >= '0' && s[i] <= '9')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
        std::string digits = s.substr(i, j - i);
        while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
        return std::make_tuple(s.substr(0, i), digits.size(), digits, s.substr(j));
    };
    return split(a) < split(b);
}

std::string render_working_paper(const WorkingPaper& paper) { return PaperWriter(paper).render(); }

}  // namespace hoshu::eval
