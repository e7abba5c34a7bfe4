// The checker's phases in their order, collecting the declarations of every file by scope,
// the order of the outputs, cycles between definitions, and check_files().
#include "evaluator/check/checker.hpp"

#include <algorithm>
#include <functional>

#include "dsl/syntax/parse.hpp"

namespace hoshu::eval {

namespace {

/// Warn about characters that a reviewer does not see, or sees other than hoshu reads
/// them ("Trojan Source": bidirectional controls that reorder the text on screen, zero-width
/// characters, other control characters): the first few of each file, then a count. A byte
/// order mark that opens the file is allowed.
void warn_hidden_characters(const dsl::SourceFile& f, dsl::FileId id, dsl::Diagnostics& diags) {
    constexpr std::size_t shown = 5;
    const std::string& text = f.text();
    std::size_t from = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    std::size_t count = 0;
    while (auto h = dsl::find_hidden_character(text, from, false)) {
        from = h->offset + h->length;
        if (++count > shown) continue;
        auto& d = diags.warning(SourceRange::in(id, static_cast<std::uint32_t>(h->offset), static_cast<std::uint32_t>(from)),
                                "hidden character {} in a rule file", dsl::describe_hidden(h->code_point));
        d.hint = "it can make the text show differently from what hoshu reads (\"Trojan Source\"); remove it";
    }
    if (count > shown)
        diags.warning(SourceRange::in(id, 0, 0), "{} more hidden characters in this file", count - shown);
}

}  // namespace

/// `plan … outputs a, b, c` puts those outputs first, in that order; the rest follow in
/// the order they are declared.
void Checker::order_outputs() {
    if (!plan_decl_ || plan_decl_->outputs.empty()) return;
    std::vector<std::uint32_t> director_first, plan_first;
    for (const auto& n : plan_decl_->outputs) {
        auto it = symbols_.find(n.text);
        auto is_output = [&](std::uint32_t s) { return plan_.slots[s].kind == SlotKind::output; };
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot || !is_output(it->second.index)) {
            diags_.error(rng(plan_decl_file_, n), "`{}` is not an output", n.text);
            continue;
        }
        std::uint32_t s = it->second.index;
        auto& first = plan_.slots[s].scope == Scope::director ? director_first : plan_first;
        if (std::find(first.begin(), first.end(), s) != first.end()) {
            diags_.error(rng(plan_decl_file_, n), "`{}` is listed twice", n.text);
            continue;
        }
        first.push_back(s);
    }
    auto reorder = [](std::vector<std::uint32_t>& all, std::vector<std::uint32_t> first) {
        for (std::uint32_t s : all) {
            if (std::find(first.begin(), first.end(), s) == first.end()) first.push_back(s);
        }
        all = std::move(first);
    };
    reorder(plan_.director_outputs, std::move(director_first));
    reorder(plan_.plan_outputs, std::move(plan_first));
}

void Checker::collect(const std::vector<dsl::FileId>& files) {
    for (dsl::FileId f : files) {
        auto file = dsl::parse_file(sm_, f, diags_);
        asts_.push_back(file);
        Scope scope = Scope::plan;
        SourceRange opened;
        for (const auto& d : file->declarations) {
            if (auto const* s = boost::get<ast::ScopeDecl>(&d.get())) {
                if (s->keyword == "end") {
                    if (scope == Scope::plan) diags_.error(rng(f, *s), "`end` without `per director` or `per grant`");
                    scope = Scope::plan;
                } else {
                    if (scope != Scope::plan) {
                        diags_.error(rng(f, *s), "`{}` inside another `per` block", s->keyword);
                        diags_.note(opened, "the block opened here is not closed with `end`");
                    }
                    scope = s->keyword == "per grant" ? Scope::grant : Scope::director;
                    if (s->keyword != "per grant") record_words_.push_back({s->keyword.substr(4), rng(f, *s)});
                    opened = rng(f, *s);
                }
                continue;
            }
            entries_.push_back(Entry{f, scope, &d});
        }
        if (scope != Scope::plan) diags_.error(opened, "this `per` block is not closed with `end`");
    }
}

void Checker::check_cycles() {
    enum class Mark { none, visiting, done };
    std::vector<Mark> mark(plan_.slots.size(), Mark::none);
    std::vector<std::uint32_t> stack;
    std::function<void(std::uint32_t)> visit = [&](std::uint32_t s) {
        mark[s] = Mark::visiting;
        stack.push_back(s);
        for (const auto& [t, where] : deps_[s]) {
            if (mark[t] == Mark::visiting) {
                auto start = std::find(stack.begin(), stack.end(), t);
                std::string path;
                for (auto i = start; i != stack.end(); ++i) path += plan_.slots[*i].name + " → ";
                path += plan_.slots[t].name;
                if (t == s)
                    diags_.error(where, "`{}` refers to itself", plan_.slots[s].name);
                else
                    diags_.error(where, "definitions refer to each other in a cycle: {}", path);
            } else if (mark[t] == Mark::none) {
                visit(t);
            }
        }
        stack.pop_back();
        mark[s] = Mark::done;
    };
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        if (mark[s] == Mark::none) visit(s);
    }
}

std::optional<Plan> Checker::run(const std::vector<dsl::FileId>& files) {
    collect(files);
    define_slots();
    // Params first, so that constant folding (rounding units, table bounds) can see them.
    for (const auto& e : slot_entries_) {
        if (boost::get<ast::ParamDecl>(&e.decl->get())) compile_slot(e);
    }
    for (const auto& e : slot_entries_) {
        if (!boost::get<ast::ParamDecl>(&e.decl->get())) compile_slot(e);
    }
    for (std::size_t i = 0; i < info_entries_.size(); ++i)
        compile_info(info_entries_[i], boost::get<ast::InputDecl>(info_entries_[i].decl->get()), plan_.infos[i]);
    for (const auto& e : entries_) {
        const auto& d = e.decl->get();
        if (auto const* t = boost::get<ast::TableDecl>(&d)) compile_table(e, *t);
        if (auto const* l = boost::get<ast::LimitDecl>(&d)) compile_limit(e, *l);
        if (auto const* r = boost::get<ast::RequireDecl>(&d)) compile_require(e, *r);
        if (auto const* s = boost::get<ast::SeriesDecl>(&d)) {
            auto it = symbols_.find(s->name.text);
            if (it != symbols_.end() && it->second.kind == SymbolKind::series)
                plan_.series[it->second.index].input = input_path(e.file, s->path, Scope::plan, none);
        }
        if (auto const* dd = boost::get<ast::DirectorsDecl>(&d)) {
            DirectorsSpec& spec = dd->keyword == "grants" ? plan_.grants : plan_.directors;
            spec.noun = dd->keyword == "grants" ? "grant" : dd->keyword == "items" ? "item" : "director";
            if (spec.declared) diags_.error(rng(e.file, *dd), "`{}` is already declared", dd->keyword);
            if (e.scope != Scope::plan)
                diags_.error(rng(e.file, *dd), "`{}` cannot be inside a `per` block", dd->keyword);
            spec.declared = true;
            spec.input = input_path(e.file, dd->path, Scope::plan, none);
            spec.id_key = dd->id_key.text;
            spec.range = rng(e.file, *dd);
        }
    }
    for (const auto& e : entries_) {
        if (auto const* t = boost::get<ast::TestDecl>(&e.decl->get())) compile_test(e, *t);
    }
    check_cycles();
    order_outputs();
    if (!diags_.has_errors()) drop_proven_range_checks();
    if (plan_decl_ && plan_decl_->as_of) {
        const ast::Name& n = *plan_decl_->as_of;
        auto it = symbols_.find(n.text);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot ||
            plan_.slots[it->second.index].kind != SlotKind::input ||
            plan_.slots[it->second.index].scope != Scope::plan ||
            plan_.slots[it->second.index].type.kind != Kind::date) {
            diags_.error(rng(plan_decl_file_, n), "`as of` names a plan-wide date input, as in: as of grant_date");
        } else {
            plan_.as_of_slot = it->second.index;
        }
    }
    if (plan_decl_ && plan_decl_->shared_inputs) share_inputs(*plan_decl_->shared_inputs);
    for (const auto& [word, where] : record_words_) {
        if (plan_.directors.declared && word != plan_.directors.noun)
            diags_.error(where, "the records of this plan are {}s (`{} at …`), not {}s", plan_.directors.noun,
                         plan_.directors.noun + "s", word);
    }
    bool uses_grants = false;
    for (const auto& s : plan_.slots) uses_grants = uses_grants || s.scope == Scope::grant;
    if (uses_grants && !plan_.grants.declared) {
        auto& d = diags_.error(SourceRange{}, "the plan has per-grant declarations but no `grants at …`");
        d.hint = "say where the ledger of grants is, as in: grants at ledger(director)";
    }
    bool uses_directors = false;
    for (const auto& s : plan_.slots) uses_directors = uses_directors || s.scope == Scope::director;
    if (uses_directors && !plan_.directors.declared && !files.empty()) {
        auto& d = diags_.error(SourceRange{}, "the plan has per-director declarations but no `directors at …`");
        d.hint = "say where the directors are listed, as in: directors at directors(id)";
    }
    if (!plan_declared_ && !files.empty()) {
        auto& d = diags_.error(SourceRange{}, "no `plan` declaration in the rule files");
        d.hint = "add one, as in: plan \"Director compensation 2024\" effective 2024-06-27";
    }
    if (!diags_.has_errors()) lint();
    for (dsl::FileId f : files) {
        plan_.files.push_back(sm_.file(f).path());
        plan_.file_ids.push_back(f);
    }
    if (diags_.has_errors()) return std::nullopt;
    return std::move(plan_);
}

std::optional<Plan> check_files(dsl::SourceManager& sm, const std::vector<dsl::FileId>& files,
                                dsl::Diagnostics& diags, CheckOptions options) {
    for (dsl::FileId f : files) warn_hidden_characters(sm.file(f), f, diags);
    Checker checker(sm, diags, options);
    auto plan = checker.run(files);
    diags.sort();
    return plan;
}

}  // namespace hoshu::eval
