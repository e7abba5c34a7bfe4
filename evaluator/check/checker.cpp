// The checker's phases in their order, collecting the declarations of every file by scope,
// the order of the outputs, cycles between definitions, and check_files().
#include "evaluator/check/checker.hpp"

#include <algorithm>
#include <functional>

#include "dsl/base/text.hpp"
#include "dsl/syntax/parse.hpp"
#include "evaluator/ir/reads.hpp"

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
    std::vector<std::vector<std::uint32_t>> others_first(plan_.others.size());
    for (const auto& n : plan_decl_->outputs) {
        auto it = symbols_.find(n.text);
        auto is_output = [&](std::uint32_t s) { return plan_.slots[s].kind == SlotKind::output; };
        if (it == symbols_.end() && cut_short_.count(n.text)) continue;   // its declaration failed to parse
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot || !is_output(it->second.index)) {
            auto& d = diags_.error(rng(plan_decl_file_, n), "`{}` is not an output", n.text);
            std::vector<std::string> outputs;
            for (const auto& sl : plan_.slots)
                if (sl.kind == SlotKind::output) outputs.push_back(sl.name);
            if (auto best = dsl::closest(n.text, outputs, 2)) d.hint = fmt::format("did you mean `{}`?", *best);
            continue;
        }
        std::uint32_t s = it->second.index;
        const Scope scope = plan_.slots[s].scope;
        auto& first = is_other(scope)            ? others_first[other_index(scope)]
                      : scope == Scope::director ? director_first
                                                 : plan_first;
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
    for (std::size_t k = 0; k < plan_.others.size(); ++k) reorder(plan_.other_outputs[k], std::move(others_first[k]));
}

/// `plan … grants a, b`: each a director's output that counts a unit granted (shares, or
/// the plan's own whole unit: RSUs, points), listed once.
void Checker::declare_grants() {
    if (!plan_decl_) return;
    auto counting = [&] {
        std::vector<std::string> names;
        for (auto s : plan_.director_outputs)
            if (counted(plan_.slots[s].type, plan_.units)) names.push_back(plan_.slots[s].name);
        return names;
    };
    for (const auto& n : plan_decl_->grants) {
        auto it = symbols_.find(n.text);
        if (it == symbols_.end() && cut_short_.count(n.text)) continue;   // its declaration failed to parse
        const SourceRange where = rng(plan_decl_file_, n);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot || plan_.slots[it->second.index].kind != SlotKind::output) {
            auto& d = diags_.error(where, "`{}` is not an output", n.text);
            if (auto best = dsl::closest(n.text, counting(), 2)) d.hint = fmt::format("did you mean `{}`?", *best);
            continue;
        }
        const std::uint32_t s = it->second.index;
        const Slot& slot = plan_.slots[s];
        if (slot.scope != Scope::director) {
            auto& d = diags_.error(where, "`{}` is not an output for each {}: a grant is counted for each {}", n.text,
                                   plan_.directors.noun, plan_.directors.noun);
            const auto names = counting();
            if (!names.empty()) d.hint = fmt::format("the outputs for each {} that count a unit: {}", plan_.directors.noun, join(names, ", "));
            continue;
        }
        if (!counted(slot.type, plan_.units)) {
            auto& d = diags_.error(where, "`{}` is in {}, not a count of a unit granted: a grant is a number of shares or of the plan's "
                                          "own whole unit (RSUs, points)",
                                   n.text, plan_.type_name(slot.type));
            const auto names = counting();
            d.hint = names.empty() ? std::string("the plan has no output that counts one")
                                   : fmt::format("the outputs that count one: {}", join(names, ", "));
            continue;
        }
        if (std::find(plan_.grant_outputs.begin(), plan_.grant_outputs.end(), s) != plan_.grant_outputs.end()) {
            diags_.error(where, "`{}` is listed twice", n.text);
            continue;
        }
        plan_.grant_outputs.push_back(s);
    }
    // A grant computed from the carried records' `restricted` (what the plan releases of the
    // grants the register already holds, `sum of g_vested over grants`) is no new grant:
    // recorded, the released shares would be counted twice. (Once the plan is whole: the
    // walk follows its formulas.)
    if (diags_.has_errors()) return;
    for (const std::uint32_t s : plan_.grant_outputs) {
        const GrantComputedFrom from = grant_computed_from(plan_, s, {});
        if (from.carried == none) continue;
        const ast::Name* n = nullptr;
        for (const auto& g : plan_decl_->grants)
            if (g.text == plan_.slots[s].name) n = &g;
        auto& d = diags_.error(rng(plan_decl_file_, *n),
                               "`{}` is computed from the carried records' `restricted` (`{}`): the shares of the grants "
                               "the register already holds, not a new grant — recorded as one, they would be counted twice",
                               plan_.slots[s].name, plan_.slots[from.carried].name);
        std::vector<std::string> others;
        for (auto t : plan_.director_outputs)
            if (t != s && counted(plan_.slots[t].type, plan_.units) && grant_computed_from(plan_, t, {}).carried == none)
                others.push_back(plan_.slots[t].name);
        d.hint = others.empty() ? std::string("declare as grants only the outputs that count new grants")
                                : fmt::format("declare as grants only the outputs that count new grants: {}", join(others, ", "));
    }
}

/// Each declaration of a file as an entry with its scope; `per …` and `end` open and close
/// the scopes. Every kind is named (the compiler reports a new one that is not).
struct Checker::CollectVisitor {
    using result_type = void;
    Checker& c;
    dsl::FileId f;
    const ast::Declaration& d;
    Scope& scope;

    void keep() const { c.entries_.push_back(Entry{f, scope, &d}); }
    // (A stray `end`, a nested `per` or a missing `end` is a syntax error: parse_file.)
    void operator()(const ast::ScopeDecl& s) const {
        if (s.keyword == "end") {
            scope = Scope::plan;
            return;
        }
        scope = c.collection_scope(s.record, f, false).value_or(Scope::director);
    }
    void operator()(const ast::PlanDecl&) const { keep(); }
    void operator()(const ast::ImportDecl&) const { keep(); }
    void operator()(const ast::UnitDecl&) const { keep(); }
    void operator()(const ast::TypeDecl&) const { keep(); }
    void operator()(const ast::ParamDecl&) const { keep(); }
    void operator()(const ast::InputDecl&) const { keep(); }
    void operator()(const ast::SeriesDecl&) const { keep(); }
    void operator()(const ast::CollectionDecl&) const { keep(); }
    void operator()(const ast::ValueDecl&) const { keep(); }
    void operator()(const ast::TableDecl&) const { keep(); }
    void operator()(const ast::LimitDecl&) const { keep(); }
    void operator()(const ast::RequireDecl&) const { keep(); }
    void operator()(const ast::TestDecl&) const { keep(); }
    void operator()(const ast::CarryDecl&) const { keep(); }
};

/// The bodies compiled after the definitions' (compile_slot, compile_info), in the order
/// written; with `tests`, only the tests, which come last. Every kind is named.
struct Checker::BodiesVisitor {
    using result_type = void;
    Checker& c;
    const Entry& e;
    bool tests;

    void operator()(const ast::TableDecl& d) const { if (!tests) c.compile_table(e, d); }
    void operator()(const ast::LimitDecl& d) const { if (!tests) c.compile_limit(e, d); }
    void operator()(const ast::RequireDecl& d) const { if (!tests) c.compile_require(e, d); }
    void operator()(const ast::SeriesDecl& d) const { if (!tests) c.compile_series(e, d); }
    void operator()(const ast::CollectionDecl& d) const { if (!tests) c.compile_collection(e, d); }
    void operator()(const ast::TestDecl& d) const { if (tests) c.compile_test(e, d); }
    void operator()(const ast::CarryDecl& d) const { if (tests) c.compile_carry(e, d); }   // once the records are declared
    void operator()(const ast::PlanDecl&) const {}     // read by define() and at the end of run()
    void operator()(const ast::ImportDecl&) const {}   // followed by load.cpp
    void operator()(const ast::ScopeDecl&) const {}    // never an entry
    void operator()(const ast::TypeDecl&) const {}     // complete once defined
    void operator()(const ast::UnitDecl&) const {}     // complete once defined
    void operator()(const ast::ParamDecl&) const {}    // compile_slot
    void operator()(const ast::InputDecl&) const {}    // compile_slot, compile_info
    void operator()(const ast::ValueDecl&) const {}    // compile_slot
};

void Checker::collect(const std::vector<dsl::FileId>& files) {
    for (dsl::FileId f : files) {
        auto file = dsl::parse_file(sm_, f, diags_);
        asts_.push_back(file);
        cut_short_.insert(file->cut_short.begin(), file->cut_short.end());
        for (const auto& d : file->declarations) {
            if (auto const* c = boost::get<ast::CollectionDecl>(&d.get())) collections_.push_back({c, f, std::nullopt});
        }
    }
    declare_collections();
    for (std::size_t i = 0; i < files.size(); ++i) {
        dsl::FileId f = files[i];
        const auto& file = asts_[i];
        Scope scope = Scope::plan;
        for (const auto& d : file->declarations) boost::apply_visitor(CollectVisitor{*this, f, d, scope}, d.get());
    }
}

void Checker::check_paths_into_lists() {
    // The lists of records the inputs give at their root: each collection's, each series'.
    struct List {
        const InputSpec* at;
        std::string what;
        bool series = false;
    };
    std::vector<List> lists;
    if (plan_.directors.declared)
        lists.push_back({&plan_.directors.input, fmt::format("the list of {} records (`collection {}`)",
                                                             plan_.directors.noun, plan_.directors.plural)});
    if (plan_.grants.declared)
        lists.push_back({&plan_.grants.input, fmt::format("the list of {} records (`collection {}`)",
                                                          plan_.grants.noun, plan_.grants.plural)});
    for (const auto& o : plan_.others)
        lists.push_back({&o.input, fmt::format("the list of {} records (`collection {}`)", o.noun, o.plural)});
    for (const auto& s : plan_.series)
        lists.push_back({&s.input, fmt::format("the entries of the series `{}`", s.name), true});
    auto check = [&](const std::string& name, const InputSpec& in, bool plan_wide) {
        if ((!plan_wide && !in.absolute) || in.path.empty()) return;
        for (const auto& list : lists) {
            const auto& steps = list.at->path;
            if (steps.empty() || steps.size() >= in.path.size()) continue;
            bool under = true;
            for (std::size_t i = 0; i < steps.size() && under; ++i)
                under = steps[i].slot == none && in.path[i].slot == none && !steps[i].index && !in.path[i].index &&
                        steps[i].key == in.path[i].key;
            if (!under) continue;
            const auto at = SourceRange::span(in.path.front().range, in.path.back().range);
            auto& d = diags_.error(at, "`{}` reads `{}`, a key under {}: one value cannot be given there, where each "
                                       "entry is a record of its own",
                                   name, in.path_text, list.what);
            d.hint = list.series ? fmt::format("each entry of a series holds its date and value only: read it from a key "
                                               "outside `{}`",
                                               list.at->path_text)
                                 : fmt::format("read it in each record (declared per record, at `{}`), or from a key "
                                               "outside `{}`",
                                               in.path.back().key, list.at->path_text);
            break;
        }
    };
    for (const auto& slot : plan_.slots)
        if (slot.kind == SlotKind::input) check(slot.name, slot.input, slot.scope == Scope::plan);
    for (const auto& info : plan_.infos) check(info.name, info.input, info.scope == Scope::plan);
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
    for (std::size_t i = 0; i < slot_entries_.size(); ++i) {
        if (plan_.slots[i].kind == SlotKind::param) compile_slot(slot_entries_[i]);
    }
    // Inputs next, so that a formula sees what an input declared later says of itself
    // (`optional`, its range): names are global to the plan, whatever the order written.
    for (std::size_t i = 0; i < slot_entries_.size(); ++i) {
        if (plan_.slots[i].kind == SlotKind::input) compile_slot(slot_entries_[i]);
    }
    for (std::size_t i = 0; i < slot_entries_.size(); ++i) {
        if (plan_.slots[i].kind != SlotKind::param && plan_.slots[i].kind != SlotKind::input) compile_slot(slot_entries_[i]);
    }
    for (std::size_t i = 0; i < info_entries_.size(); ++i)
        compile_info(info_entries_[i], boost::get<ast::InputDecl>(info_entries_[i].decl->get()), plan_.infos[i]);
    // The other bodies in the order written; tests last, once every definition is known.
    for (const auto& e : entries_) boost::apply_visitor(BodiesVisitor{*this, e, false}, e.decl->get());
    for (const auto& e : entries_) boost::apply_visitor(BodiesVisitor{*this, e, true}, e.decl->get());
    report_table_arguments();
    check_cycles();
    check_paths_into_lists();
    if (!diags_.has_errors()) check_allocations();
    order_outputs();
    declare_grants();
    if (!diags_.has_errors()) drop_proven_range_checks();
    if (!diags_.has_errors()) check_whole_outputs();
    if (plan_decl_ && plan_decl_->as_of) {
        const ast::Name& n = *plan_decl_->as_of;
        auto it = symbols_.find(n.text);
        if (it == symbols_.end() || it->second.kind != SymbolKind::slot ||
            plan_.slots[it->second.index].kind != SlotKind::input ||
            plan_.slots[it->second.index].scope != Scope::plan ||
            plan_.slots[it->second.index].type.kind != Kind::date) {
            // The plan's own plan-wide date inputs: the nearest to the name written, else the first.
            std::string best, first;
            std::size_t best_distance = 3;
            for (const auto& slot : plan_.slots) {
                if (slot.kind != SlotKind::input || slot.scope != Scope::plan || slot.type.kind != Kind::date) continue;
                if (first.empty()) first = slot.name;
                std::size_t dist = dsl::edit_distance(slot.name, n.text);
                if (dist < best_distance) {
                    best_distance = dist;
                    best = slot.name;
                }
            }
            auto& d = diags_.error(rng(plan_decl_file_, n), "`as of` names a plan-wide date input");
            if (!best.empty())
                d.hint = fmt::format("did you mean `{}`?", best);
            else if (!first.empty())
                d.hint = fmt::format("as in: as of {}", first);
            else
                d.hint = "declare one, as in: input grant_date: date at grant_date";
        } else {
            plan_.as_of_slot = it->second.index;
        }
    }
    if (plan_decl_ && plan_decl_->shared_inputs) share_inputs(*plan_decl_->shared_inputs);
    if (!plan_declared_ && !files.empty() && !cut_short_.count("plan")) {   // not when its declaration failed to parse
        auto& d = diags_.error(SourceRange{}, "no `plan` declaration in the rule files");
        d.hint = "add one, as in: plan \"Director compensation 2024\" effective 2024-06-27";
    }
    if (!diags_.has_errors()) lint();
    for (dsl::FileId f : files) {
        plan_.files.push_back(sm_.file(f).path());
        plan_.file_ids.push_back(f);
    }
    if (diags_.has_errors()) return std::nullopt;
    plan_.index_slots();
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
