// Names: declaring them (one namespace for definitions, tables and series; one for types),
// resolving types, reading annotations, the definitions' slots, input paths.
#include "evaluator/check/checker.hpp"

#include <algorithm>
#include <iterator>
#include <set>

namespace hoshu::eval {

bool Checker::declare(const std::string& name, SymbolKind kind, std::uint32_t index, SourceRange range) {
    auto& table = kind == SymbolKind::choice ? types_ : symbols_;
    // A call `max(x)` is always the built-in's: a table (or a value) of that name could
    // never be called, or would be read beside a function of the same name.
    if (kind != SymbolKind::choice && is_builtin_function(name)) {
        auto& d = diags_.error(range, "`{}` is a built-in function; choose another name", name);
        d.hint = "the built-in functions are " + builtin_function_names();
        cut_short_.insert(name);   // its uses are no second error
        return false;
    }
    auto [it, inserted] = table.emplace(name, Symbol{kind, index, range});
    if (!inserted) {
        diags_.error(range, "`{}` is already defined", name);
        diags_.note(it->second.range, "`{}` was first defined here", name);
        return false;
    }
    return true;
}

std::optional<Type> Checker::resolve_type(dsl::FileId f, const ast::TypeRef& t) {
    std::string per = t.per ? t.per->text : std::string();
    if (auto b = unit_type(plan_.units, t.base.text, per)) return b;
    if (!t.per) {
        auto it = types_.find(t.base.text);
        if (it != types_.end())
            return Type::of_choice(static_cast<std::int32_t>(it->second.index));
    }
    if (refused_units_.count(t.base.text) || refused_units_.count(per)) return std::nullopt;   // reported there
    auto& d = diags_.error(rng(f, t), "unknown type `{}`", text_of(f, t));
    d.hint = "types are JPY, shares, months, days, JPY per share, JPY per month, ratio, percent, count, date, "
             "boolean, text, a unit or a `type` declared in the plan";
    return std::nullopt;
}

void Checker::annotations(dsl::FileId f, const ast::Annotations& as, std::vector<Citation>* sources,
                          std::vector<std::string>* notes, std::string* message, const char* what) {
    for (const auto& a : as) {
        if (a.keyword == "source") {
            if (!a.clause) {
                diags_.error(rng(f, a), "`source` needs a clause id, as in: source C8 \"基準報酬は…\"");
                continue;
            }
            if (!a.text) {
                // The docs define `source CLAUSE "quoted text"`: a citation quotes the clause.
                auto& d = diags_.error(rng(f, a), "`source` needs the clause's text in quotes after `{}`", a.clause->text);
                d.hint = fmt::format("as in: source {} \"…the words of the clause…\"", a.clause->text);
                continue;
            }
            if (sources) sources->push_back({a.clause->text, a.text->value, rng(f, a)});
        } else if (a.keyword == "note") {
            if (!a.text || a.clause) {
                diags_.error(rng(f, a), "`note` takes a text in quotes, as in: note \"illustrative\"");
                continue;
            }
            if (notes) notes->push_back(a.text->value);
        } else if (a.keyword == "message") {
            if (!message) {
                diags_.error(rng(f, a), "a {} has no `message`; only `require` does", what);
                continue;
            }
            if (!a.text || a.clause) {
                diags_.error(rng(f, a), "`message` takes a text in quotes");
                continue;
            }
            *message = a.text->value;
        }
    }
}

InputSpec Checker::input_path(dsl::FileId f, const ast::InputPath& p, Scope scope, std::uint32_t slot) {
    InputSpec spec;
    spec.path_text = p.text;
    const std::string& s = p.text;
    std::size_t i = 0;
    if (!s.empty() && s[0] == '/') {
        spec.absolute = true;
        i = 1;
    }
    while (i < s.size()) {
        if (s[i] == '.') {
            ++i;
            continue;
        }
        PathStep step;
        if (s[i] == '[') {
            std::size_t close = s.find(']', i);
            std::string name = s.substr(i + 1, close - i - 1);
            step.range = SourceRange::in(f, p.begin + static_cast<std::uint32_t>(i + 1),
                                         p.begin + static_cast<std::uint32_t>(close));
            auto it = symbols_.find(name);
            if (!name.empty() && (name[0] == '-' || (name[0] >= '0' && name[0] <= '9'))) {
                step.index = std::stoll(name);
            } else if (it == symbols_.end() || it->second.kind != SymbolKind::slot) {
                diags_.error(step.range, "unknown name `{}` in an input path", name);
            } else {
                const Slot& target = plan_.slots[it->second.index];
                if (target.type.kind != Kind::text && target.type.kind != Kind::choice) {
                    diags_.error(step.range, "`{}` is {}, but a key in an input path must be text", name,
                                 tname(target.type));
                } else if (target.scope > scope) {
                    diags_.error(step.range, "`{}` is a {} value and cannot choose a {} input", name,
                                 scope_word(target.scope), scope_word(scope));
                } else {
                    step.slot = it->second.index;
                    if (slot != none) deps_[slot].push_back({it->second.index, step.range});
                }
            }
            step.key = name;
            i = close + 1;
        } else {
            std::size_t end = s.find_first_of(".[", i);
            if (end == std::string::npos) end = s.size();
            step.key = s.substr(i, end - i);
            step.range = SourceRange::in(f, p.begin + static_cast<std::uint32_t>(i),
                                         p.begin + static_cast<std::uint32_t>(end));
            i = end;
        }
        spec.path.push_back(std::move(step));
    }
    return spec;
}

/// What each kind of declaration defines before any formula is compiled. Every kind is named
/// (the compiler reports a new one that is not): those that define nothing say why.
struct Checker::DefineVisitor {
    using result_type = void;
    Checker& c;
    const Entry& e;
    void operator()(const ast::PlanDecl& d) const { c.define(e, d); }
    void operator()(const ast::ImportDecl&) const {}   // followed by load.cpp, before checking
    void operator()(const ast::ScopeDecl&) const {}    // never an entry: collect() reads it
    void operator()(const ast::TypeDecl&) const {}     // defined first, in define_slots()
    void operator()(const ast::UnitDecl&) const {}     // likewise
    void operator()(const ast::ParamDecl& d) const { c.define(e, d); }
    void operator()(const ast::InputDecl& d) const { c.define(e, d); }
    void operator()(const ast::SeriesDecl& d) const { c.define(e, d); }
    void operator()(const ast::CollectionDecl& d) const { c.define(e, d); }
    void operator()(const ast::ValueDecl& d) const { c.define(e, d); }
    void operator()(const ast::TableDecl& d) const { c.define(e, d); }
    void operator()(const ast::LimitDecl&) const {}    // names nothing others use: compiled with the bodies
    void operator()(const ast::RequireDecl&) const {}  // likewise
    void operator()(const ast::TestDecl&) const {}     // compiled last, after every definition
    void operator()(const ast::CarryDecl&) const {}    // compiled last, after every definition
};

void Checker::add_slot(const Entry& e, const ast::Name& name, SlotKind kind, const ast::TypeRef& type,
                       const ast::Located& whole, const ast::Annotations& as) {
    Slot s;
    s.name = name.text;
    s.kind = kind;
    s.scope = e.scope;
    s.name_range = rng(e.file, name);
    s.decl_range = rng(e.file, whole);
    auto t = resolve_type(e.file, type);
    if (!t) {
        // Its type is reported: the definition is left out, and its uses are no second error
        // (they would read it as a plain number).
        cut_short_.insert(s.name);
        return;
    }
    s.type = *t;
    annotations(e.file, as, &s.sources, &s.notes, nullptr,
                kind == SlotKind::param ? "param" : kind == SlotKind::input ? "input" : "value");
    auto index = static_cast<std::uint32_t>(plan_.slots.size());
    if (!declare(s.name, SymbolKind::slot, index, s.name_range)) return;
    plan_.slots.push_back(std::move(s));
    slot_entries_.push_back(e);
    deps_.emplace_back();
}

void Checker::define(const Entry& e, const ast::ParamDecl& d) {
    if (e.scope != Scope::plan)
        diags_.error(rng(e.file, d), "a `param` is plan-wide; declare it outside `per` blocks");
    add_slot(e, d.name, SlotKind::param, d.type, d, d.annotations);
}

void Checker::define(const Entry& e, const ast::InputDecl& d) {
    if (d.keyword == "info") {
        Info info;
        info.name = d.name.text;
        info.scope = e.scope;
        info.name_range = rng(e.file, d.name);
        auto t = resolve_type(e.file, d.type);
        info.type = t ? *t : Type::text();
        annotations(e.file, d.annotations, &info.sources, &info.notes, nullptr, "info");
        if (declare(info.name, SymbolKind::info, static_cast<std::uint32_t>(plan_.infos.size()), info.name_range)) {
            plan_.infos.push_back(std::move(info));
            info_entries_.push_back(e);
        }
        return;
    }
    add_slot(e, d.name, SlotKind::input, d.type, d, d.annotations);
}

void Checker::define(const Entry& e, const ast::ValueDecl& d) {
    add_slot(e, d.name, d.keyword == "output" ? SlotKind::output : SlotKind::value, d.type, d,
             d.annotations);
}

void Checker::define(const Entry& e, const ast::TableDecl& d) {
    if (e.scope != Scope::plan) diags_.error(rng(e.file, d), "a `table` cannot be inside a `per` block");
    Table table;
    table.name = d.name.text;
    table.monotone = d.monotone;
    table.parameter = d.parameter.text;
    table.name_range = rng(e.file, d.name);
    auto pt = resolve_type(e.file, d.parameter_type);
    auto rt = resolve_type(e.file, d.result_type);
    table.parameter_type = pt ? *pt : Type::ratio();
    table.result_type = rt ? *rt : Type::ratio();
    if (!pt) tables_in_error_.insert(table.name);
    if (pt && !pt->is_number() && pt->kind != Kind::choice && pt->kind != Kind::text) {
        tables_in_error_.insert(table.name);
        diags_.error(rng(e.file, d.parameter_type),
                     "a table's parameter must be a number (rows of ranges), a choice type or a text (rows of "
                     "keys), not {}",
                     tname(*pt));
    }
    else if (pt && !pt->is_number() && d.monotone)
        diags_.error(rng(e.file, d.parameter_type), "a table keyed by {} has no order: drop `monotone`",
                     tname(*pt));
    if (rt && !rt->is_number())
        diags_.error(rng(e.file, d.result_type), "a table's result must be a number, not {}", tname(*rt));
    annotations(e.file, d.annotations, &table.sources, &table.notes, nullptr, "table");
    if (declare(table.name, SymbolKind::table, static_cast<std::uint32_t>(plan_.tables.size()),
                table.name_range))
        plan_.tables.push_back(std::move(table));
}

void Checker::define(const Entry& e, const ast::SeriesDecl& d) {
    if (e.scope != Scope::plan) diags_.error(rng(e.file, d), "a `series` cannot be inside a `per` block");
    Series series;
    series.name = d.name.text;
    series.name_range = rng(e.file, d.name);
    auto t = resolve_type(e.file, d.type);
    series.type = t ? *t : Type::ratio();
    if (t && !t->is_number())
        diags_.error(rng(e.file, d.type), "a series holds numbers, not {}", tname(*t));
    series.date_key = d.date_key.text;
    series.value_key = d.value_key.text;
    annotations(e.file, d.annotations, &series.sources, nullptr, nullptr, "series");
    if (declare(series.name, SymbolKind::series, static_cast<std::uint32_t>(plan_.series.size()),
                series.name_range))
        plan_.series.push_back(std::move(series));
}

void Checker::define(const Entry&, const ast::CollectionDecl&) {
    // Known since collect() (declare_collections); the path is compiled with the bodies.
}

void Checker::declare_collections() {
    // Names first: duplicates, then the parents, then the scopes.
    std::vector<bool> duplicate(collections_.size(), false);
    for (std::size_t i = 0; i < collections_.size(); ++i) {
        const auto& d = *collections_[i].decl;
        dsl::FileId f = collections_[i].file;
        for (std::size_t j = 0; j < i; ++j) {
            const auto& o = *collections_[j].decl;
            for (const ast::Name* mine : {&d.plural, &d.singular}) {
                if (mine->text == o.plural.text || mine->text == o.singular.text) {
                    diags_.error(rng(f, *mine), "a collection already uses the name `{}`", mine->text);
                    duplicate[i] = true;
                    diags_.note(rng(collections_[j].file, o), "declared here");
                }
            }
        }
        if (d.plural.text == d.singular.text) {
            diags_.error(rng(f, d.singular), "a collection's records need a name of their own, not `{}` again",
                         d.plural.text);
            duplicate[i] = true;
        }
    }
    // The first top-level collection is the plan's main one (its records are the rows of the
    // results, in scope `director`); one belonging to it is evaluated per grant; each further
    // top-level collection in a scope of its own (other_scope).
    const CollectionEntry* top = nullptr;
    for (std::size_t i = 0; i < collections_.size(); ++i) {
        auto& c = collections_[i];
        const auto& d = *c.decl;
        if (d.parent || duplicate[i]) continue;
        if (top == nullptr) {
            top = &c;
            c.scope = Scope::director;
            continue;
        }
        c.scope = other_scope(plan_.others.size());
        plan_.others.emplace_back();
        plan_.other_outputs.emplace_back();
    }
    const CollectionEntry* child = nullptr;
    for (std::size_t i = 0; i < collections_.size(); ++i) {
        auto& c = collections_[i];
        const auto& d = *c.decl;
        if (!d.parent || duplicate[i]) continue;
        const CollectionEntry* parent = collection_named(d.parent->singular.text, false);
        if (parent == nullptr) {
            auto& diag = diags_.error(rng(c.file, d.parent->singular), "no collection has records called `{}`",
                                      d.parent->singular.text);
            diag.hint = fmt::format("declare it, as in: collection {}s: {} at {}s key id", d.parent->singular.text,
                                    d.parent->singular.text, d.parent->singular.text);
            continue;
        }
        if (parent == &c) {
            diags_.error(rng(c.file, d.parent->singular), "`{}` cannot belong to itself", d.singular.text);
            continue;
        }
        if (parent->scope && is_other(*parent->scope)) {
            diags_.error(rng(c.file, d.parent->singular),
                         "this version evaluates records belonging to the plan's first collection (`{}`) only",
                         top ? top->decl->plural.text : std::string());
            continue;
        }
        if (parent->decl->parent) {
            diags_.error(rng(c.file, d.parent->singular),
                         "`{}` belongs to another collection; this version evaluates one level of `belongs to`",
                         parent->decl->plural.text);
            continue;
        }
        if (parent->scope != Scope::director) continue;   // already reported
        if (child != nullptr) {
            diags_.error(rng(c.file, d.plural),
                         "this version evaluates one collection belonging to `{}`; `{}` is a second one",
                         parent->decl->plural.text, d.plural.text);
            diags_.note(rng(child->file, child->decl->plural), "the first is declared here");
            continue;
        }
        child = &c;
        c.scope = Scope::grant;
    }
    for (const auto& c : collections_) {
        if (!c.scope) continue;
        DirectorsSpec& spec = is_other(*c.scope)          ? plan_.others[other_index(*c.scope)]
                              : *c.scope == Scope::grant ? plan_.grants
                                                         : plan_.directors;
        spec.noun = c.decl->singular.text;
        spec.plural = c.decl->plural.text;
    }
}

const Checker::CollectionEntry* Checker::collection_named(const std::string& word, bool plural) const {
    for (const auto& c : collections_) {
        if ((plural ? c.decl->plural.text : c.decl->singular.text) == word) return &c;
    }
    return nullptr;
}

std::optional<Scope> Checker::collection_scope(const ast::Name& word, dsl::FileId f, bool plural) {
    const CollectionEntry* c = collection_named(word.text, plural);
    if (c != nullptr) {
        if (!c->scope) diags_.error(rng(f, word), "`{}` cannot be evaluated (see the error at its declaration)", word.text);
        return c->scope;
    }
    const CollectionEntry* other = collection_named(word.text, !plural);
    if (other != nullptr) {
        auto& d = diags_.error(rng(f, word), "`{}` names {} of `{}`; {} here", word.text,
                               plural ? "one record" : "the collection", other->decl->plural.text,
                               plural ? "write its plural" : "write its singular");
        d.hint = plural ? fmt::format("as in: over {}", other->decl->plural.text)
                        : fmt::format("as in: per {}", other->decl->singular.text);
        return std::nullopt;
    }
    auto& d = diags_.error(rng(f, word), "no collection {} `{}`", plural ? "is called" : "has records called",
                           word.text);
    std::string known;
    for (const auto& k : collections_) {
        known += known.empty() ? "" : ", ";
        known += plural ? k.decl->plural.text : k.decl->singular.text;
    }
    if (!known.empty())
        d.hint = plural ? fmt::format("the plan's collections are: {}", known)
                        : fmt::format("the plan's records are: {} (`per` takes a collection's singular)", known);
    else
        d.hint = fmt::format("declare it, as in: collection {}: {} at {} key id", plural ? word.text : word.text + "s",
                             plural ? word.text : word.text, plural ? word.text : word.text + "s");
    return std::nullopt;
}

void Checker::define(const Entry& e, const ast::PlanDecl& d) {
    if (plan_declared_) diags_.error(rng(e.file, d), "the plan is already declared");
    if (e.scope != Scope::plan) diags_.error(rng(e.file, d), "`plan` cannot be inside a `per` block");
    plan_declared_ = true;
    plan_.title = d.title.value;
    if (d.effective) {
        plan_.effective = Date::parse(d.effective->text);
        if (!plan_.effective)
            diags_.error(rng(e.file, *d.effective), "{}", no_such_date(d.effective->text));
    }
    annotations(e.file, d.annotations, &plan_.sources, nullptr, nullptr, "plan");
    plan_decl_file_ = e.file;
    plan_decl_ = &d;
}

void Checker::define_unit(const Entry& e, const ast::UnitDecl& u) {
    if (e.scope != Scope::plan) diags_.error(rng(e.file, u), "a `unit` cannot be inside a `per` block");
    SourceRange where = rng(e.file, u.name);
    auto taken = [&](const std::string& word) {
        if (auto i = find_unit(plan_.units, word)) {
            if (*i < builtin_units) diags_.error(where, "`{}` is a built-in unit", word);
            else diags_.error(where, "the unit `{}` is already declared", word);
            return true;
        }
        return false;
    };
    if (taken(u.name.text) || (u.plural && taken(u.plural->text))) return;
    if (plan_.units.size() >= max_units) {
        auto& d = diags_.error(where, "a plan declares at most {} units", max_units - builtin_units);
        d.hint = "use one of the units already declared, or a plain count";
        // Its uses are no second error (unknown type, unknown unit).
        refused_units_.insert(u.name.text);
        if (u.plural) refused_units_.insert(u.plural->text);
        return;
    }
    UnitDef def;
    def.name = u.plural ? u.plural->text : u.name.text;
    def.singular = u.name.text;
    def.whole = u.whole;
    if (u.symbol) {
        def.currency = true;
        def.symbol = u.symbol->value;
        static const char* const signs[] = {"$", "€", "£", "¥", "￥"};
        if (std::find(std::begin(signs), std::end(signs), def.symbol) == std::end(signs)) {
            auto& d = diags_.error(rng(e.file, *u.symbol), "`{}` is not a currency sign hoshu reads", def.symbol);
            d.hint = "a currency's sign is one of $ € £ ¥; amounts are then written $6,000,000 or 6,000,000 USD";
            return;
        }
        for (const auto& other : plan_.units) {
            if (other.currency && other.symbol == def.symbol) {
                diags_.error(rng(e.file, *u.symbol), "`{}` is already the sign of {}", def.symbol, other.name);
                return;
            }
        }
        if (u.plural) diags_.error(rng(e.file, *u.plural), "a currency has no plural: `{}` is written as is",
                                   u.name.text);
    } else if (u.minor) {
        diags_.error(where, "`minor` is the smallest amount of a currency: declare `{}` with `currency \"SIGN\"`",
                     u.name.text);
    }
    if (u.minor) {
        auto m = Rational::parse(*u.minor);
        if (!m || m->sign() <= 0) {
            diags_.error(where, "the minor amount of `{}` must be a positive number, as in `minor 0.01`", u.name.text);
            return;
        }
        def.minor = *m;
    }
    plan_.units.push_back(std::move(def));
    declared_units_.push_back(where);
}

void Checker::define_slots() {
    // Units first, then choice types: any declaration may use them.
    for (const auto& e : entries_) {
        if (auto const* u = boost::get<ast::UnitDecl>(&e.decl->get())) define_unit(e, *u);
    }
    for (const auto& e : entries_) {
        if (auto const* t = boost::get<ast::TypeDecl>(&e.decl->get())) {
            if (e.scope != Scope::plan) diags_.error(rng(e.file, *t), "a `type` cannot be inside a `per` block");
            ChoiceType c;
            c.name = t->name.text;
            c.name_range = rng(e.file, t->name);
            std::set<std::string> seen;
            for (const auto& m : t->members) {
                if (!seen.insert(m.text).second) diags_.error(rng(e.file, m), "`{}` is listed twice", m.text);
                c.members.push_back(m.text);
            }
            if (find_unit(plan_.units, c.name)) {
                diags_.error(c.name_range, "`{}` is a unit", c.name);
                continue;
            }
            if (builtin_type(c.name, "")) {
                diags_.error(c.name_range, "`{}` is a built-in type", c.name);
                continue;
            }
            if (declare(c.name, SymbolKind::choice, static_cast<std::uint32_t>(plan_.choices.size()), c.name_range))
                plan_.choices.push_back(std::move(c));
        }
    }
    for (const auto& e : entries_) boost::apply_visitor(DefineVisitor{*this, e}, e.decl->get());
}

}  // namespace hoshu::eval
