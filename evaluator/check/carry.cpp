// `carry PATH`: the records a year's result hands to the next year's evaluation. PATH must
// be a path of records the plan reads (its ledger of grants, say); each clause `for each
// RECORD [where C]: field = e, …` must give every field the reader of PATH needs, with
// the type the reader declares, and no field it does not read.
//
//   carry ledger
//     for each grant where restricted_shares > 0 shares:
//       year = grant_year, director = id, component = grant_component, …
#include <fmt/format.h>

#include <algorithm>

#include "evaluator/check/checker.hpp"

namespace hoshu::eval {

namespace {

/// A field the reader of the carried records reads: `input granted_shares: shares at shares`.
struct ReaderField {
    std::string key;
    Type type;
    bool required = false;
    std::string declared_by;      // "input `granted_shares`"
    SourceRange where;
};

/// A bare name: `e` is one operand and nothing else.
const ast::Name* bare_name(const ast::Expression& e) {
    if (!e.rest.empty()) return nullptr;
    if (auto const* n = boost::get<ast::Name>(&e.first.get())) return n;
    if (auto const* inner = boost::get<x3::forward_ast<ast::Expression>>(&e.first.get())) return bare_name(inner->get());
    return nullptr;
}

}  // namespace

/// The scope of the records a clause ranges over (`for each grant`): today the plan's
/// directors (or items) and its ledger of grants. The one place that maps a record word to
/// a scope.
static std::optional<Scope> carry_scope(const Plan& plan, const std::string& word) {
    if (plan.grants.declared && word == plan.grants.noun) return Scope::grant;
    if (plan.directors.declared && word == plan.directors.noun) return Scope::director;
    return std::nullopt;
}

std::optional<std::uint32_t> Checker::choice_member(const ast::Expression& e, dsl::FileId file, const Type& want) {
    if (want.kind != Kind::choice) return std::nullopt;
    const ast::Name* n = bare_name(e);
    if (!n || symbols_.count(n->text) > 0) return std::nullopt;
    const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(want.choice)];
    auto m = std::find(ct.members.begin(), ct.members.end(), n->text);
    if (m == ct.members.end()) {
        std::string members;
        for (const auto& name : ct.members) members += (members.empty() ? "" : ", ") + name;
        diags_.error(rng(file, *n), "`{}` is not a {}: one of {}", n->text, ct.name, members);
        return none;
    }
    Value v;
    v.word = m - ct.members.begin();
    return constant(v, want, rng(file, *n));
}

void Checker::compile_carry(const Entry& e, const ast::CarryDecl& d) {
    Carry carry;
    carry.path = d.path.text;
    carry.range = rng(e.file, d);
    annotations(e.file, d.annotations, &carry.sources, nullptr, nullptr, "carry");
    if (e.scope != Scope::plan) {
        diags_.error(carry.range, "a `carry` cannot be inside a `per` block");
        return;
    }
    for (const auto& other : plan_.carries) {
        if (other.path == carry.path) {
            diags_.error(rng(e.file, d.path), "the records at `{}` are already carried", carry.path);
            diags_.note(other.range, "carried here");
            return;
        }
    }
    // The records at PATH and who reads them.
    const DirectorsSpec* reader = nullptr;
    Scope reader_scope = Scope::plan;
    for (auto [spec, scope] : {std::pair{&plan_.grants, Scope::grant}, std::pair{&plan_.directors, Scope::director}}) {
        if (spec->declared && !spec->input.absolute && spec->input.path.size() == 1 && spec->input.path_text == carry.path) {
            reader = spec;
            reader_scope = scope;
        }
    }
    if (!reader) {
        auto& diag = diags_.error(rng(e.file, d.path), "the plan reads no records at `{}`", carry.path);
        std::string paths;
        for (const DirectorsSpec* spec : {&plan_.directors, &plan_.grants}) {
            if (spec->declared) paths += (paths.empty() ? "`" : ", `") + spec->input.path_text + "`";
        }
        diag.hint = paths.empty() ? "a carry hands on records the plan reads, as in: grants at ledger(director)"
                                  : fmt::format("a carry hands on records the plan reads: {}", paths);
        return;
    }
    // The fields its reader reads: the id key, and every input and info of its scope read
    // from a key of the record.
    std::vector<ReaderField> fields;
    fields.push_back({reader->id_key, Type::text(), true, fmt::format("`{} at {}({})`", reader->noun + "s",
                                                                         reader->input.path_text, reader->id_key),
                      reader->range});
    auto add_field = [&](const std::string& name, const char* what, const Type& type, const InputSpec& in,
                         bool required, SourceRange where) {
        if (in.absolute || in.path.size() != 1 || in.path[0].slot != none || in.path[0].index) return;
        const std::string& key = in.path[0].key;
        for (const auto& f : fields) {
            if (f.key == key) return;
        }
        fields.push_back({key, type, required, fmt::format("{} `{}`", what, name), where});
    };
    for (const auto& s : plan_.slots) {
        if (s.kind != SlotKind::input || s.scope != reader_scope) continue;
        add_field(s.name, "input", s.type, s.input, !s.input.optional && s.input.default_node == none, s.name_range);
    }
    for (const auto& i : plan_.infos) {
        if (i.scope == reader_scope) add_field(i.name, "info", i.type, i.input, false, i.name_range);
    }

    for (const auto& cl : d.clauses) {
        CarryClause clause;
        clause.range = rng(e.file, cl);
        auto scope = carry_scope(plan_, cl.record);
        if (!scope) {
            const std::string carried = plan_.grants.declared
                                            ? fmt::format("for each {} or for each {}", plan_.directors.noun, plan_.grants.noun)
                                            : fmt::format("for each {}", plan_.directors.noun);
            auto other = std::find_if(plan_.others.begin(), plan_.others.end(),
                                      [&](const DirectorsSpec& o) { return o.noun == cl.record; });
            if (other != plan_.others.end()) {
                // A collection of the plan, but not one a carry writes: say which it writes.
                auto& diag = diags_.error(clause.range, "`carry` writes the records of {}{}, not of {}: it has no `for each {}`",
                                          plan_.directors.plural,
                                          plan_.grants.declared ? fmt::format(" and {}", plan_.grants.plural) : "",
                                          other->plural, cl.record);
                diag.hint = fmt::format("carry {}", carried);
                continue;
            }
            auto& diag = diags_.error(clause.range, "the plan has no records called `{}`", cl.record);
            diag.hint = plan_.grants.declared ? fmt::format("carry for each {} or for each {}", plan_.directors.noun, plan_.grants.noun)
                                              : fmt::format("carry for each {}", plan_.directors.noun);
            continue;
        }
        clause.scope = *scope;
        Ctx c{e.file, clause.scope, none, false};
        if (cl.where) clause.where = expect_type(compile(*cl.where, c), Type::boolean(), "the condition of `for each`");
        std::vector<bool> given(fields.size(), false);
        for (const auto& f : cl.fields) {
            SourceRange at = rng(e.file, f.field);
            auto it = std::find_if(fields.begin(), fields.end(), [&](const ReaderField& r) { return r.key == f.field.text; });
            if (it == fields.end()) {
                auto& diag = diags_.error(at, "the records at `{}` have no field `{}`", carry.path, f.field.text);
                std::string best, all;
                std::size_t best_distance = 3;
                for (const auto& r : fields) {
                    all += (all.empty() ? "" : ", ") + r.key;
                    std::size_t dist = dsl::edit_distance(r.key, f.field.text);
                    if (dist < best_distance) {
                        best_distance = dist;
                        best = r.key;
                    }
                }
                diag.hint = best.empty() ? fmt::format("the plan reads: {}", all) : fmt::format("did you mean `{}`?", best);
                continue;
            }
            std::size_t k = static_cast<std::size_t>(it - fields.begin());
            if (given[k]) {
                diags_.error(at, "`{}` is given twice", f.field.text);
                continue;
            }
            given[k] = true;
            CarryField field;
            field.name = f.field.text;
            field.type = it->type;
            field.range = rng(e.file, f);
            const ast::Name* n = bare_name(f.value);
            const bool declared = n && symbols_.count(n->text) > 0;
            if (n && !declared && n->text == plan_.directors.id_key && it->type.kind == Kind::text) {
                field.node = none;   // the director's id
            } else if (auto member = choice_member(f.value, e.file, it->type)) {
                if (*member == none) continue;
                field.node = *member;
            } else {
                field.node = expect_type(compile(f.value, wanting(c, f.value, it->type)), it->type,
                                         fmt::format("`{}` ({} reads it)", field.name, it->declared_by));
                if (field.node == none) continue;
            }
            clause.fields.push_back(std::move(field));
        }
        for (std::size_t k = 0; k < fields.size(); ++k) {
            if (given[k] || !fields[k].required) continue;
            auto& diag = diags_.error(clause.range, "the carried records lack `{}`, which {} reads", fields[k].key,
                                      fields[k].declared_by);
            diag.hint = fmt::format("give it, as in: {} = …", fields[k].key);
        }
        carry.clauses.push_back(std::move(clause));
    }
    plan_.carries.push_back(std::move(carry));
}

}  // namespace hoshu::eval
