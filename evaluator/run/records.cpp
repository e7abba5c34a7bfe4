// Reading the inputs: the records (directors, the ledger), every value a declaration reads
// checked once against its type and range (an override too), input paths walked, values
// converted to their types, series read in date order, the `as of` date.
#include "evaluator/run/evaluator.hpp"

#include <set>

#include "dsl/base/text.hpp"
#include "dsl/base/unicode.hpp"
#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"
#include "evaluator/run/input_keys.hpp"

namespace hoshu::eval {

namespace {

/// A record's noun with its article: "a director", "an exec".
std::string with_article(const std::string& noun) {
    const bool vowel = !noun.empty() && std::string_view("aeiouAEIOU").find(noun.front()) != std::string_view::npos;
    return (vowel ? "an " : "a ") + noun;
}

/// The hint of an id listed twice whose two are written differently in the file (the one
/// precomposed, the other with a combining mark; or an escape): empty when they are not.
std::string written_otherwise(const InputFile& in, SourceRange a, SourceRange b) {
    if (!a.valid || !b.valid || a.file != in.file() || b.file != in.file()) return {};
    const std::string_view bytes = in.bytes();
    if (bytes.substr(a.begin, a.end - a.begin) == bytes.substr(b.begin, b.end - b.begin)) return {};
    return "the two are written differently but are the same text: hoshu compares texts in Unicode NFC, where a "
           "letter with a combining mark (e + U+0301) is the precomposed letter (é)";
}

/// Where else the inputs give a key named `key` than in `parent` (the table that lacks it;
/// null: the top level), where no declaration of the plan reads it (`unread`: the places,
/// by where they begin, of the keys the plan's patterns do not match; a key under one of
/// those is not read either): its other tables, and the records of their lists, each with
/// the key's path (`change.directors`, `people[2].grant_date`). `*more`: how many places
/// past the first few.
std::vector<std::pair<SourceRange, std::string>> given_elsewhere(const InputFile& in, InputFile::Node parent,
                                                                 const std::string& key, const std::set<std::size_t>& unread,
                                                                 std::size_t* more) {
    constexpr std::size_t shown = 3;
    std::vector<std::pair<SourceRange, std::string>> out;
    *more = 0;
    const void* lacking = parent ? parent.ptr : in.root().ptr;
    auto visit = [&](auto&& self, InputFile::Node table, const std::string& path, bool under_unread) -> void {
        for (const auto& k : in.keys(table)) {
            InputFile::Node child = in.child(table, k);
            const std::string at = path.empty() ? k : path + "." + k;
            const SourceRange key_at = in.key_range(table, k);
            const bool not_read = under_unread || (key_at.valid && unread.count(key_at.begin) != 0);
            if (k == key && table.ptr != lacking && not_read) {
                if (out.size() < shown) out.emplace_back(in.range(child), at);
                else ++*more;
            }
            if (in.kind(child) == InputKind::table) {
                self(self, child, at, not_read);
            } else if (in.kind(child) == InputKind::array) {
                for (std::size_t i = 0; i < in.size(child); ++i)
                    if (InputFile::Node e = in.element(child, i); in.kind(e) == InputKind::table)
                        self(self, e, fmt::format("{}[{}]", at, i + 1), not_read);
            }
        }
    };
    visit(visit, in.root(), "", false);   // (the inputs' nesting is bounded when they are read)
    return out;
}

}  // namespace

void Evaluator::note_given_elsewhere(dsl::Diagnostics& diags, InputFile::Node parent, const std::string& key,
                                     const std::string& read_at) const {
    // The keys no declaration reads, as the check of the inputs finds them.
    dsl::Diagnostics unknown;
    KeyPatterns(plan_).check(in_, unknown, [](const KeyPatterns::Reader&, InputFile::Node, KeyPatterns::Record) {});
    std::set<std::size_t> unread;
    for (const auto& d : unknown.items())
        if (d.severity == dsl::Severity::error && d.range.valid) unread.insert(d.range.begin);
    std::size_t more = 0;
    for (const auto& [where, path] : given_elsewhere(in_, parent, key, unread, &more))
        diags.note(where, "`{}` is given here, as `{}`, where the plan does not read it: it reads `{}`", key, path, read_at);
    if (more > 0)
        diags.note(SourceRange{}, "`{}` is given in {} more place{} where the plan does not read it", key, more,
                   more == 1 ? "" : "s");
}

void Evaluator::load_directors() {
    if (!plan_.directors.declared) return;
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(plan_.directors.input, in_.root(), {}, "the list of directors", &parent, &missing);
    if (!list) {
        // Located in the inputs file: in the table that lacks the key, or said to be at its top.
        std::string top;
        const SourceRange where = missing_at(parent, &top);
        EvalFailure f;
        f.diags.error(where, "the inputs have no `{}`{}: the list of {}s ([[{}]] records)", missing, top,
                      plan_.directors.noun, plan_.directors.input.path_text);
        note_given_elsewhere(f.diags, parent, missing, plan_.directors.input.path_text);
        throw f;
    }
    if (in_.kind(list) != InputKind::array) {
        fail(in_.range(list), fmt::format("`{}` must list the {} as [[{}]] records, but it is {}",
                                          plan_.directors.input.path_text, plan_.directors.plural,
                                          plan_.directors.input.path_text,
                                          describe(in_.kind(list))));
    }
    // The records the plan computes for: none is a year's inputs not filled in, not a year
    // with nothing to compute.
    if (in_.size(list) == 0) {
        fail(in_.range(list), fmt::format("`{}` lists no {}: there is nothing to compute", plan_.directors.input.path_text,
                                          plan_.directors.noun),
             fmt::format("give each {} as a [[{}]] record", plan_.directors.noun, plan_.directors.input.path_text));
    }
    std::map<std::string, InputFile::Node> seen;
    for (std::size_t i = 0; i < in_.size(list); ++i) {
        InputFile::Node rec = in_.element(list, i);
        if (in_.kind(rec) != InputKind::table)
            fail(in_.range(rec), fmt::format("a {} must be a table, not {}", plan_.directors.noun, describe(in_.kind(rec))));
        InputFile::Node id_node = in_.child(rec, plan_.directors.id_key);
        if (!id_node)
            fail(in_.range(rec), fmt::format("{} number {} has no `{}`", plan_.directors.noun, i + 1, plan_.directors.id_key));
        auto id = in_.text(id_node);
        if (!id) throw EvalFailure{id.error()};
        if (id->empty())
            fail(in_.range(id_node), fmt::format("{}'s `{}` must not be empty", with_article(plan_.directors.noun), plan_.directors.id_key));
        check_record_key(id_node, *id, "the " + plan_.directors.noun + " id");
        auto [it, inserted] = seen.emplace(*id, id_node);
        if (!inserted) {
            EvalFailure f;
            f.diags.error(in_.range(id_node), "{} `{}` is listed twice", plan_.directors.noun, *id).hint =
                written_otherwise(in_, in_.range(id_node), in_.range(it->second));
            f.diags.note(in_.range(it->second), "first listed here");
            throw f;
        }
        records_.push_back(rec);
        out_.directors.push_back(DirectorOutcome{*id, {}});
    }
    grants_of_.assign(records_.size(), {});
}

void Evaluator::load_others() {
    others_of_.assign(plan_.others.size(), {});
    out_.others.assign(plan_.others.size(), {});
    for (std::size_t k = 0; k < plan_.others.size(); ++k) {
        const DirectorsSpec& spec = plan_.others[k];
        if (!spec.declared) continue;
        std::string missing;
        InputFile::Node parent;
        const std::string what = fmt::format("the list of {}", spec.plural);
        InputFile::Node list = walk(spec.input, in_.root(), {}, what, &parent, &missing);
        if (!list) {
            std::string top;
            const SourceRange where = missing_at(parent, &top);
            EvalFailure f;
            f.diags.error(where, "the inputs have no `{}`{}: {} ([[{}]] records)", missing, top, what, spec.input.path_text);
            note_given_elsewhere(f.diags, parent, missing, spec.input.path_text);
            throw f;
        }
        if (in_.kind(list) != InputKind::array) {
            fail(in_.range(list), fmt::format("`{}` must list the {} as [[{}]] records, but it is {}",
                                              spec.input.path_text, spec.plural, spec.input.path_text,
                                              describe(in_.kind(list))));
        }
        std::map<std::string, InputFile::Node> seen;
        for (std::size_t i = 0; i < in_.size(list); ++i) {
            InputFile::Node rec = in_.element(list, i);
            if (in_.kind(rec) != InputKind::table)
                fail(in_.range(rec), fmt::format("a {} must be a table, not {}", spec.noun, describe(in_.kind(rec))));
            InputFile::Node id_node = in_.child(rec, spec.id_key);
            if (!id_node) fail(in_.range(rec), fmt::format("{} number {} has no `{}`", spec.noun, i + 1, spec.id_key));
            auto id = in_.text(id_node);
            if (!id) throw EvalFailure{id.error()};
            if (id->empty()) fail(in_.range(id_node), fmt::format("{}'s `{}` must not be empty", with_article(spec.noun), spec.id_key));
            check_record_key(id_node, *id, fmt::format("the {} `{}`", spec.noun, spec.id_key));
            auto [it, inserted] = seen.emplace(*id, id_node);
            if (!inserted) {
                EvalFailure f;
                f.diags.error(in_.range(id_node), "{} `{}` is listed twice", spec.noun, *id).hint =
                    written_otherwise(in_, in_.range(id_node), in_.range(it->second));
                f.diags.note(in_.range(it->second), "first listed here");
                throw f;
            }
            others_of_[k].push_back(static_cast<int>(other_records_.size()));
            other_at_.emplace_back(k, out_.others[k].records.size());
            other_records_.push_back(rec);
            out_.others[k].records.push_back(DirectorOutcome{*id, {}});
        }
    }
}

void Evaluator::load_grants() {
    if (!plan_.grants.declared) return;
    std::string missing;
    InputFile::Node parent;
    const DirectorsSpec& spec = plan_.grants;
    InputFile::Node list = walk(spec.input, in_.root(), {}, fmt::format("the list of {}", spec.plural), &parent, &missing);
    if (!list) {
        // Records the plan carries from the year before are never absent by default: an
        // evaluation that forgot the year before (`--carry`) would open every balance at
        // zero. The plan's first year says it has none (`ledger = []`).
        const auto& path = plan_.grants.input.path_text;
        const Carry* carry = plan_.carry_of(path);
        if (!carry) return;   // typed each year: absent is none
        // Reported with every other problem of the inputs (check_inputs()), first: the
        // rest of the file is checked as if there were none.
        dsl::Diagnostics& diags = missing_carried_;
        std::string top;
        const SourceRange where = missing_at(parent, &top);
        auto& d = diags.error(where, "the inputs have no `{}`, the records the year before hands on to this one{}", missing,
                              top.empty() ? "" : "," + top);
        d.hint = fmt::format("carry them from the year before's result (`--carry LAST_YEAR.json` or `--register "
                             "FILE.db`) or type them as [[{}]] records; in the plan's first year, write `{} = []`",
                             path, path);
        note_given_elsewhere(diags, parent, missing, path);
        diags.note(carry->range, "the plan carries `{}` from one year to the next here", path);
        return;
    }
    if (in_.kind(list) != InputKind::array) {
        fail(in_.range(list), fmt::format("`{}` must list the {} as [[{}]] records, but it is {}",
                                          spec.input.path_text, spec.plural, spec.input.path_text,
                                          describe(in_.kind(list))));
    }
    for (std::size_t i = 0; i < in_.size(list); ++i) {
        InputFile::Node rec = in_.element(list, i);
        if (in_.kind(rec) != InputKind::table)
            fail(in_.range(rec), fmt::format("a {} must be a table, not {}", spec.noun, describe(in_.kind(rec))));
        InputFile::Node key = in_.child(rec, spec.id_key);
        if (!key)
            fail(in_.range(rec), fmt::format("{} {} of `{}` has no `{}`", spec.noun, i + 1, spec.input.path_text, spec.id_key));
        auto id = in_.text(key);
        if (!id) throw EvalFailure{id.error()};
        check_record_key(key, *id, "the director named");
        int director = -1;
        for (std::size_t d = 0; d < out_.directors.size(); ++d) {
            if (out_.directors[d].id == *id) director = static_cast<int>(d);
        }
        if (director < 0) {
            // The record is typed in the inputs, or carried from the year before (then
            // located in the carried records, not in the inputs file).
            SourceRange at = in_.range(key);
            // The template's placeholder left in (`director = "<director>"`): reported by
            // check_inputs() with every other placeholder, not as a director not listed; the
            // records are linked once it is filled in.
            if (at.valid && at.file == in_.file() && template_placeholders().count(*id)) {
                grants_unlinked_ = true;
                for (auto& of : grants_of_) of.clear();
                grant_records_.clear();
                out_.grant_director.clear();
                return;
            }
            EvalFailure f;
            auto& d = f.diags.error(at, "{} {} of `{}` names {} `{}`, who is not listed", spec.noun, i + 1,
                                    spec.input.path_text, plan_.directors.noun, *id);
            const auto& path = spec.input.path_text;
            const Carry* carry = plan_.carry_of(path);
            const bool carried = at.valid && at.file != in_.file();
            if (carried && carry) {
                d.hint = fmt::format("list {} `{}` in the inputs as a [[{}]] record, or have the plan's `carry` leave "
                                     "the {} out",
                                     plan_.directors.noun, *id, plan_.directors.input.path_text, plan_.directors.noun);
                f.diags.note(carry->range, "the plan carries `{}` from one year to the next here", path);
            } else {
                d.hint = fmt::format("list {} `{}` as a [[{}]] record, or remove this {}", plan_.directors.noun, *id,
                                     plan_.directors.input.path_text, spec.noun);
            }
            throw f;
        }
        if (plan_.grants.one_per_parent && !grants_of_[static_cast<std::size_t>(director)].empty())
            fail(in_.range(key), fmt::format("`{}` has a second record for {} `{}`: its key is the {}, one each",
                                             plan_.grants.input.path_text, plan_.directors.noun, *id,
                                             plan_.directors.noun));
        grants_of_[static_cast<std::size_t>(director)].push_back(static_cast<int>(grant_records_.size()));
        grant_records_.push_back(rec);
        out_.grant_director.push_back(director);
    }
}

/// A record's key (a director's id, the director a ledger entry names) is printed in every
/// report and matched exactly: no control, bidirectional or zero-width character may hide
/// in it.
constexpr const char* placeholder_hint = "replace it with the value";

/// Every value still a placeholder `hoshu inputs` writes for this plan ("<JPY>", "<id>"),
/// each an error in `diags` (its place in `at`): a template evaluated before it is filled in
/// gives no result. Other text in angle brackets ("<none>") is a value like any other.
std::set<std::string> Evaluator::template_placeholders() const {
    std::set<std::string> written{plan_.placeholder(Type::date()), plan_.placeholder(Type::boolean()),
                                  plan_.placeholder(Type::text())};
    for (const Slot& s : plan_.slots) written.insert(plan_.placeholder(s.type));
    for (const Series& s : plan_.series) written.insert(plan_.placeholder(s.type));
    for (const DirectorsSpec* spec : {&plan_.directors, &plan_.grants}) written.insert("<" + spec->id_key + ">");
    for (const DirectorsSpec& spec : plan_.others) written.insert("<" + spec.id_key + ">");
    return written;
}

void Evaluator::refuse_placeholders(dsl::Diagnostics& diags, std::set<const void*>& at) {
    const std::set<std::string> written = template_placeholders();
    auto visit = [&](auto&& self, InputFile::Node node, const std::string& path) -> void {
        switch (in_.kind(node)) {
            case InputKind::table:
                for (const auto& k : in_.keys(node)) self(self, in_.child(node, k), path.empty() ? k : path + "." + k);
                return;
            case InputKind::array:
                for (std::size_t i = 0; i < in_.size(node); ++i)
                    self(self, in_.element(node, i), fmt::format("{}[{}]", path, i));   // (from 0, as paths count)
                return;
            case InputKind::string: {
                auto text = in_.text(node);
                if (!text || !written.count(*text)) return;
                diags.error(in_.range(node), "`{}` is still the inputs template's placeholder \"{}\"", dsl::printable(path),
                            dsl::printable(*text))
                    .hint = placeholder_hint;
                at.insert(node.ptr);
                return;
            }
            case InputKind::missing:
            case InputKind::integer:
            case InputKind::floating:
            case InputKind::boolean:
            case InputKind::date:
            case InputKind::time:
            case InputKind::date_time: return;
        }
    };
    visit(visit, in_.root(), "");
}

void Evaluator::check_record_key(InputFile::Node node, const std::string& key, const std::string& what) {
    // A hidden character, or blanks around it (`D03 ` is another id than `D03`, which
    // `explain --director D03` looks for).
    if (auto problem = dsl::id_problem(what, key)) fail(in_.range(node), problem->message, problem->hint);
}

InputFile::Node Evaluator::walk(const InputSpec& spec, InputFile::Node base, Where w, const std::string& what,
                                InputFile::Node* parent_out, std::string* missing_key) {
    InputFile::Node node = spec.absolute ? in_.root() : base;
    for (const auto& step : spec.path) {
        InputFile::Node next;
        std::string key = step.key;
        if (step.index) {
            if (in_.kind(node) != InputKind::array)
                fail(in_.range(node), fmt::format("{} is read from `{}`, but this is {}, not an array", what,
                                                  spec.path_text, describe(in_.kind(node))));
            auto n = static_cast<std::int64_t>(in_.size(node));
            std::int64_t i = *step.index < 0 ? n + *step.index : *step.index;
            if (i >= 0 && i < n) next = in_.element(node, static_cast<std::size_t>(i));
        } else {
            if (step.slot != none) key = show(plan_.slots[step.slot].type, slot(step.slot, w));
            if (node && node.ptr != in_.root().ptr && in_.kind(node) != InputKind::table) {
                fail(in_.range(node), fmt::format("{} is read from `{}`, but this is {}, not a table", what,
                                                  spec.path_text, describe(in_.kind(node))));
            }
            next = in_.child(node, key);
        }
        if (!next) {
            *parent_out = node;
            *missing_key = key;
            return {};
        }
        node = next;
    }
    return node;
}


Value Evaluator::read_value(const InputFile::Node& node, const Type& type, const std::string& what) {
    if (const InputOverride* ov = override_of(node)) return convert_override(*ov, type, what);
    return convert(node, type, what);
}

/// A percentage is a ratio: "85%" written for an amount of money or shares is an error.
void Evaluator::refuse_percent_for_amount(SourceRange where, const Type& type, std::string_view text,
                                          const std::string& what) {
    if (auto refused = percent_for_amount(plan_, type, text, what)) fail(where, refused->message, refused->hint);
}

namespace {

/// The currency an amount or a price of `type` is in, its name and sign; empty when none.
std::pair<std::string_view, std::string_view> currency_of(const Plan& plan, const Type& type) {
    std::optional<std::size_t> u;
    if (auto p = price_units(type, plan.units)) u = p->currency;
    else if (auto one = single_unit(type); one && plan.units[*one].currency) u = one;
    if (!u) return {};
    return {plan.units[*u].name, plan.units[*u].symbol};
}

/// What an input's number is, said after "is": its type ("shares", "USD"), or "a count".
std::string kind_said(const Plan& plan, const Type& type) {
    return type.dimensionless() && type.style == RatioStyle::count ? std::string("a count") : plan.type_name(type);
}

}  // namespace

Value Evaluator::convert_override(const InputOverride& ov, const Type& type, const std::string& what) {
    Value v;
    switch (type.kind) {
        case Kind::number: {
            if (ov.number) {
                v.number = *ov.number;
            } else if (auto r = Rational::parse(ov.text)) {
                refuse_percent_for_amount(ov.where, type, ov.text, what);
                v.number = *r;
            } else {
                // "12.5 %" for an amount: the percentage is what is wrong, not its space.
                if (spaced_percent(ov.text)) refuse_percent_for_amount(ov.where, type, ov.text, what);
                auto [currency, sign] = currency_of(plan_, type);
                std::string hint = number_text_hint(ov.text, currency, sign);
                if (hint.empty()) hint = number_forms_hint(type.dimensionless());
                fail(ov.where, fmt::format("{} is a number; \"{}\" is not one", what, ov.text), std::move(hint));
            }
            if (auto wrong = not_in_units(plan_, type, v.number))
                fail(ov.where, fmt::format("{} is {}: {}", what, kind_said(plan_, type), *wrong));
            return v;
        }
        case Kind::date: {
            auto d = Date::parse(ov.text);
            // Written YYYY-MM-DD but no day: said as every date is ("2029-02-29 does not exist: …").
            if (std::string why = d ? std::string() : Date::why_no_such_day(ov.text); !why.empty())
                fail(ov.where, fmt::format("{}: {}", what, why));
            if (!d) fail(ov.where, fmt::format("{} is a date; \"{}\" is not one (YYYY-MM-DD)", what, ov.text));
            v.word = d->days;
            return v;
        }
        case Kind::boolean: {
            if (ov.text != "true" && ov.text != "false")
                fail(ov.where, fmt::format("{} is true or false, not \"{}\"", what, ov.text));
            v.word = ov.text == "true" ? 1 : 0;
            return v;
        }
        // Texts in NFC, as the inputs file's and the rules' are (no ICU call for ASCII text).
        case Kind::text: v.word = add_text(dsl::nfc(ov.text)); return v;
        case Kind::choice: {
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(type.choice)];
            const std::string member = dsl::nfc(ov.text);
            auto it = std::find(ct.members.begin(), ct.members.end(), member);
            if (it == ct.members.end()) {
                fail(ov.where, fmt::format("{}: unknown {} \"{}\"", what, ct.name, member),
                     fmt::format("a {} is one of: {}", ct.name, join(ct.members)));
            }
            v.word = it - ct.members.begin();
            return v;
        }
    }
    return v;
}

Value Evaluator::convert(const InputFile::Node& node, const Type& type, const std::string& what) {
    Value v;
    switch (type.kind) {
        case Kind::number: {
            auto r = in_.number(node, type.dimensionless());
            if (!r) {
                // "12.5 %" for an amount: the percentage is what is wrong, not its space.
                if (in_.kind(node) == InputKind::string)
                    if (auto text = in_.text(node); text && spaced_percent(*text))
                        refuse_percent_for_amount(in_.range(node), type, *text, what);
                EvalFailure f{r.error()};
                // A currency sign around the figure: said to be another currency's when it is.
                if (in_.kind(node) == InputKind::string && !f.diags.items().empty()) {
                    auto text = in_.text(node);
                    auto [currency, sign] = currency_of(plan_, type);
                    if (std::string hint = text ? number_text_hint(*text, currency, sign) : std::string(); !hint.empty())
                        f.diags.items().back().hint = std::move(hint);
                }
                throw f;
            }
            if (in_.kind(node) == InputKind::string) {
                if (auto text = in_.text(node)) refuse_percent_for_amount(in_.range(node), type, *text, what);
            }
            v.number = *r;
            if (auto wrong = not_in_units(plan_, type, v.number))
                fail(in_.range(node), fmt::format("{} is {}: {}", what, kind_said(plan_, type), *wrong));
            return v;
        }
        case Kind::date: {
            auto r = in_.date(node);
            if (!r) throw EvalFailure{r.error()};
            v.word = r->days;
            return v;
        }
        case Kind::boolean: {
            auto r = in_.boolean(node);
            if (!r) throw EvalFailure{r.error()};
            v.word = *r ? 1 : 0;
            return v;
        }
        case Kind::text: {
            auto r = in_.text(node);
            if (!r) throw EvalFailure{r.error()};
            v.word = add_text(*r);
            return v;
        }
        case Kind::choice: {
            auto r = in_.text(node);
            if (!r) throw EvalFailure{r.error()};
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(type.choice)];
            auto it = std::find(ct.members.begin(), ct.members.end(), *r);
            if (it == ct.members.end()) {
                fail(in_.range(node), fmt::format("{}: unknown {} \"{}\"", what, ct.name, *r),
                     fmt::format("a {} is one of: {}", ct.name, join(ct.members)));
            }
            v.word = it - ct.members.begin();
            return v;
        }
    }
    return v;
}

std::optional<Value> Evaluator::read_input(const Slot& s, Where w, std::size_t at) {
    const auto index = static_cast<std::size_t>(&s - plan_.slots.data());
    const std::string& what = slot_what_[index];
    // A path of written keys leads to the same value every time (per director for a
    // director's input): found once, kept in input_nodes_.
    constexpr std::size_t uncached = static_cast<std::size_t>(-1);
    std::size_t record = uncached;
    if (std::all_of(s.input.path.begin(), s.input.path.end(), [](const PathStep& p) { return p.slot == none; })) {
        if (s.input.absolute || s.scope == Scope::plan) record = 0;
        else if (s.scope == Scope::director && w.director >= 0) record = static_cast<std::size_t>(w.director);
    }
    InputFile::Node node;
    if (record != uncached && index < input_nodes_.size() && record < input_nodes_[index].size())
        node.ptr = input_nodes_[index][record];
    if (!node) node = find_input(s, w, what);
    if (!node) {
        if (s.input.default_node != none) return eval(s.input.default_node, w);
        return std::nullopt;   // optional (find_input reports a required one missing)
    }
    if (record != uncached) {
        if (input_nodes_.size() < plan_.slots.size()) input_nodes_.resize(plan_.slots.size());
        auto& nodes = input_nodes_[index];
        if (nodes.size() <= record) nodes.resize(record + 1, nullptr);
        nodes[record] = node.ptr;
    }
    auto& reads = input_reads_[node.ptr];
    if (std::find(reads.begin(), reads.end(), at) == reads.end()) reads.push_back(at);
    Value v = read_value(node, s.type, what + whose(s, w));
    check_input_range(s, v, w, node);
    return v;
}

InputFile::Node Evaluator::find_input(const Slot& s, Where w, const std::string& what) {
    InputFile::Node base = record_node(s.scope, w);
    InputFile::Node parent;
    std::string missing;
    InputFile::Node node = walk(s.input, base, w, what, &parent, &missing);
    if (!node) {
        if (s.input.default_node != none || s.input.optional) return {};
        EvalFailure f;
        f.missing_input = true;
        std::string owner;
        if (s.scope == Scope::director && !s.input.absolute)
            owner = fmt::format(" for {} {}", plan_.directors.noun, out_.directors[static_cast<std::size_t>(w.director)].id);
        if (s.scope == Scope::grant && !s.input.absolute) owner = fmt::format(" in {} {} of `{}`", plan_.grants.noun, w.grant + 1, plan_.grants.input.path_text);
        if (is_other(s.scope) && !s.input.absolute) {
            auto [k, i] = other_at_[static_cast<std::size_t>(w.grant)];
            owner = fmt::format(" for {} {}", plan_.others[k].noun, out_.others[k].records[i].id);
        }
        std::string top;
        SourceRange where = s.scope != Scope::plan && !s.input.absolute && !(parent && parent.ptr != in_.root().ptr)
                                ? in_.range(base)
                                : missing_at(parent, &top);
        // An input read at its own name needs nothing but itself: saying so again is noise.
        auto& d = s.name == s.input.path_text
                      ? f.diags.error(where, "missing input `{}`{}{}", missing, owner, top)
                      : f.diags.error(where, "missing input `{}`{}{}: {} needs `{}`", missing, owner, top, what, s.input.path_text);
        // Where a top-level key belongs: TOML puts every key after a [table] header in it.
        if (!top.empty() && missing == s.input.path_text)
            d.hint = fmt::format("write `{} = …` near the top of {}, before its first [table] or [[records]] header",
                                 missing, in_.path());
        // A key computed from an input a scenario sets (a CSV cell, a --grid value): the
        // key is the scenario's, and so is where to look first (a cell's FY2O25).
        for (const auto& step : s.input.path) {
            if (step.slot == none || plan_.slots[step.slot].kind != SlotKind::input) continue;
            const InputOverride* ov = override_of(input_node(step.slot, w.director, w.grant));
            if (!ov || show(plan_.slots[step.slot].type, slot(step.slot, w)) != missing) continue;
            f.diags.note(ov->where, "this scenario sets `{}` to {} here: the key `{}` looks for", plan_.slots[step.slot].name,
                         missing, s.input.path_text);
        }
        // A top-level key of the plan's own (not a record's, which other records give as
        // theirs) written under another table: after a [table] header, say.
        if (!top.empty() && (s.scope == Scope::plan || s.input.absolute))
            note_given_elsewhere(f.diags, parent, missing, s.input.path_text);
        f.diags.note(s.decl_range, "`{}` is declared here", s.name);
        throw f;
    }
    return node;
}

SourceRange Evaluator::input_range(std::uint32_t index, int director, int grant) {
    const Slot& s = plan_.slots[index];
    if (s.kind != SlotKind::input) return {};
    Where w{director, grant};
    InputFile::Node base = record_node(s.scope, w);
    InputFile::Node parent;
    std::string missing;
    InputFile::Node node = walk(s.input, base, w, slot_what_[index], &parent, &missing);
    return node ? where_of(node) : SourceRange{};
}

InputFile::Node Evaluator::input_node(std::uint32_t index, int director, int grant) {
    const Slot& s = plan_.slots[index];
    if (s.kind != SlotKind::input) return {};
    Where w{director, grant};
    InputFile::Node parent;
    std::string missing;
    return walk(s.input, record_node(s.scope, w), w, slot_what_[index], &parent, &missing);
}

bool Evaluator::written_without_percent(InputFile::Node node) const {
    if (const InputOverride* ov = override_of(node)) return !ov->number && !ov->text.empty() && ov->text.back() != '%';
    const InputKind kind = in_.kind(node);
    if (kind == InputKind::integer || kind == InputKind::floating) return true;
    if (kind != InputKind::string) return false;
    auto text = in_.scalar_text(node);
    return text && !text->empty() && text->back() != '%';
}

/// Whose value of `s` a message speaks of: " for director D01", " for director D01, grant 2
/// of `grants`", or nothing (a plan-wide one).
std::string Evaluator::whose(const Slot& s, std::optional<Where> w) const {
    if (w && s.scope == Scope::director)
        return fmt::format(" for {} {}", plan_.directors.noun, out_.directors[static_cast<std::size_t>(w->director)].id);
    if (w && s.scope == Scope::grant)
        return fmt::format(" for {} {}, {} {} of `{}`", plan_.directors.noun,
                           out_.directors[static_cast<std::size_t>(w->director)].id, plan_.grants.noun, w->grant + 1,
                           plan_.grants.input.path_text);
    if (w && is_other(s.scope)) {
        auto [k, i] = other_at_[static_cast<std::size_t>(w->grant)];
        return fmt::format(" for {} {}", plan_.others[k].noun, out_.others[k].records[i].id);
    }
    return {};
}

void Evaluator::check_input_range(const Slot& s, const Value& v, std::optional<Where> w, InputFile::Node node) {
    if (s.type.kind != Kind::number && s.type.kind != Kind::date) return;
    const SourceRange at = where_of(node);
    const InputSpec& in = s.input;
    const bool computed = in.low_node != none || in.high_node != none;
    std::optional<Value> low = in.low, high = in.high;
    if (computed && w) {
        if (in.low_node != none) low = value_of(in.low_node, *w);
        if (in.high_node != none) high = value_of(in.high_node, *w);
    }
    bool low_ok = !low || compare(s.type, v, *low) >= 0;
    bool high_ok = !high || compare(s.type, v, *high) <= 0;
    if (low_ok && high_ok) return;
    const std::string who = whose(s, w);
    // A percent as the range is written: 800%, not the ratio 8.
    const bool percent = s.type.kind == Kind::number && s.type.dimensionless() && s.type.style == RatioStyle::percent;
    auto shown_of = [&](const Value& x) { return percent ? display_value(plan_, out_, s.type, x) : show(s.type, x); };
    // The ends with their unit, as the range is written: 0 shares to 5,000 shares.
    auto end_of = [&](const Value& x) { return percent ? shown_of(x) : display_with_unit(plan_, out_, s.type, x); };
    std::string here;
    if ((computed && w) || in.range_named) {   // (a param's name: its value too)
        if (low && high) here = fmt::format(" (here {} to {})", end_of(*low), end_of(*high));
        else if (low) here = fmt::format(" (here from {})", end_of(*low));
        else here = fmt::format(" (here up to {})", end_of(*high));
    }
    std::string clauses = clause_list(s.sources);
    const std::string shown = shown_of(v);
    // A percent written as a bare number is read as a ratio: `10` is 1000%. Past 1 (100%)
    // and out of range, it is most likely a percent written without its sign.
    std::string hint;
    if (percent && Rational(1) < v.number.abs() && written_without_percent(node)) {
        const std::string x = v.number.to_string();
        hint = fmt::format("{} written without `%` is {}%: write `{}%` if {} percent is meant", x,
                           (v.number * Rational(100)).to_string(), x, x);
    }
    fail(at,
         fmt::format("`{}`{} is {}, outside its declared range {}{}{}", s.name, who, brief(shown),
                     in.range_text, here, clauses.empty() ? "" : " (" + clauses + ")"),
         hint);
}

void Evaluator::check_value(const ValueCheck& c, InputFile::Node node) {
    if (c.reader.kind == KeyPatterns::Reader::Kind::info) {
        const Info& info = plan_.infos[c.reader.index];
        Value v = read_value(node, info.type, fmt::format("`{}`", info.name));
        const InputSpec& spec = info.input;
        if ((spec.low && compare(info.type, v, *spec.low) < 0) || (spec.high && compare(info.type, v, *spec.high) > 0))
            fail(where_of(node), fmt::format("`{}` is {}, outside its declared range {}", info.name, brief(show(info.type, v)),
                                             spec.range_text));
        return;
    }
    const Slot& s = plan_.slots[c.reader.index];
    Value v = read_value(node, s.type, slot_what_[c.reader.index] + whose(s, c.w));
    check_input_range(s, v, c.w, node);
}

void Evaluator::check_changed_values() {
    // A value this evaluation read was checked when it was read; the others are checked
    // here. Kept until they pass: a run that fails here fails again while the values stay.
    // Whether c's definition read this value (not another one of the same pattern) in
    // this evaluation; `reads` are the places that read it.
    auto read = [&](const ValueCheck& c, const std::vector<std::size_t>* reads) {
        if (!reads || c.reader.kind != KeyPatterns::Reader::Kind::input || !c.w) return false;
        const std::size_t at = row(plan_.slots[c.reader.index], *c.w) * plan_.slots.size() + c.reader.index;
        return state_[at] == State::done && std::find(reads->begin(), reads->end(), at) != reads->end();
    };
    auto reads_of = [&](const void* p) -> const std::vector<std::size_t>* {
        auto it = input_reads_.find(p);
        return it == input_reads_.end() ? nullptr : &it->second;
    };
    for (const void* p : overrides_to_check_) {
        auto it = value_checks_.find(p);
        if (it == value_checks_.end()) continue;
        const auto* reads = reads_of(p);
        for (const ValueCheck& c : it->second) {
            if (!read(c, reads)) check_value(c, InputFile::Node{p});
        }
    }
    overrides_to_check_.clear();
    if (!any_recheck_) return;
    for (const auto& [p, c] : computed_range_checks_) {
        if (recheck_range_[c.reader.index] && !read(c, reads_of(p))) check_value(c, InputFile::Node{p});
    }
    std::fill(recheck_range_.begin(), recheck_range_.end(), 0);
    any_recheck_ = false;
}

void Evaluator::recover_from_failure() {
    for (auto& st : state_) {
        if (st == State::running) st = State::pending;
    }
    active_.clear();
    depth_ = 0;
    top_ = 0;
}

namespace {

/// The definitions node `n` reads whatever the values it reads, into `slots`: every operand
/// but the branches of an `if` and the right side of `and` and `or`; nothing of what an
/// aggregate, a series or a date calculation reads (the evaluator computes those, each in a
/// way of its own); and no value for `present`.
void surely_read(const Plan& plan, std::uint32_t n, std::vector<std::uint32_t>& slots) {
    if (n == none) return;
    const Node& x = plan.nodes[n];
    if (x.kind == NodeKind::slot) {
        slots.push_back(x.aux);
        return;
    }
    if (x.kind == NodeKind::present || traits(x.kind).call) return;
    if (x.kind == NodeKind::if_ || x.kind == NodeKind::and_ || x.kind == NodeKind::or_) {
        surely_read(plan, x.a, slots);
        return;
    }
    for_each_child(plan, x, [&](std::uint32_t c) { surely_read(plan, c, slots); });
}

}  // namespace

void Evaluator::add_failures(dsl::Diagnostics& diags, std::size_t max_errors, Failures which) {
    auto attempt = [&](auto&& evaluate) {
        if (diags.error_count() >= max_errors) return false;
        try {
            evaluate();
            return true;
        } catch (EvalFailure& f) {
            recover_from_failure();
            // (While the inputs are checked, only the inputs missing: what fails to compute
            // is reported by the run, once the inputs read.)
            if (!f.missing_input && which == Failures::missing_inputs) return false;
            // Once: the input another output (another record's total) needs too, and the
            // failure every definition that reads a failed one meets again.
            for (const auto& d : f.diags.items()) {
                if (d.severity != dsl::Severity::error) continue;
                for (const auto& e : diags.items())
                    if (e.range.valid == d.range.valid && e.range.file == d.range.file && e.range.begin == d.range.begin &&
                        e.message == d.message)
                        return false;
            }
            diags.append(std::move(f.diags));
            return false;
        }
    };
    // A definition that fails stops at the first value it lacks: what it reads whatever
    // the values (the other side of a sum, the key of a table) is tried on its own, so
    // that a plan-wide input every record lacks is named with the records' own.
    std::vector<std::uint8_t> tried(state_.size(), 0);
    auto attempt_slot = [&](auto&& self, std::uint32_t s, Where w) -> void {
        const Slot& sl = plan_.slots[s];
        if (sl.scope == Scope::plan) w = Where{};
        if (sl.scope == Scope::director) w.grant = -1;
        if (is_other(sl.scope)) w.director = -1;
        const std::size_t at = row(sl, w) * plan_.slots.size() + s;
        if (tried[at]) return;
        tried[at] = 1;
        if (attempt([&] { ensure(s, w); })) return;
        std::vector<std::uint32_t> reads;
        if (sl.kind == SlotKind::input) {
            for (const auto& step : sl.input.path)
                if (step.slot != none) reads.push_back(step.slot);
            surely_read(plan_, sl.input.low_node, reads);
            surely_read(plan_, sl.input.high_node, reads);
        } else if (sl.kind != SlotKind::param) {
            surely_read(plan_, sl.checked != none ? sl.checked : sl.root, reads);
        }
        for (std::uint32_t t : reads) self(self, t, w);
    };
    auto attempt_node = [&](std::uint32_t n, Where w) {
        if (attempt([&] { eval(n, w); })) return;
        std::vector<std::uint32_t> reads;
        surely_read(plan_, n, reads);
        for (std::uint32_t t : reads) attempt_slot(attempt_slot, t, w);
    };
    // What an evaluation computes (evaluate_all() and the requirements of run()), in its order.
    for (std::size_t d = 0; d < records_.size(); ++d)
        for (std::uint32_t s : plan_.director_outputs) attempt_slot(attempt_slot, s, Where{static_cast<int>(d), -1});
    for (std::size_t k = 0; k < plan_.others.size(); ++k)
        for (int i : others_of_[k])
            for (std::uint32_t s : plan_.other_outputs[k]) attempt_slot(attempt_slot, s, Where{-1, i});
    for (std::uint32_t s : plan_.plan_outputs) attempt_slot(attempt_slot, s, Where{});
    for (const Limit& l : plan_.limits) {
        attempt_node(l.value, {});
        attempt_node(l.bound, {});
    }
    for (const Requirement& r : plan_.requirements) {
        if (r.scope == Scope::plan) {
            attempt_node(r.condition, {});
        } else if (r.scope == Scope::director) {
            for (std::size_t d = 0; d < records_.size(); ++d) attempt_node(r.condition, Where{static_cast<int>(d), -1});
        } else if (is_other(r.scope)) {
            for (int i : others_of_[other_index(r.scope)]) attempt_node(r.condition, Where{-1, i});
        } else {
            for (std::size_t g = 0; g < grant_records_.size(); ++g)
                attempt_node(r.condition, Where{out_.grant_director[g], static_cast<int>(g)});
        }
    }
}

void Evaluator::check_inputs() {
    dsl::Diagnostics diags = std::move(missing_carried_);
    constexpr std::size_t max_errors = max_input_errors;
    auto keep = [&](EvalFailure& f) {
        // The evaluation that failed (a computed range end, say) stopped part way.
        recover_from_failure();
        if (diags.error_count() >= max_errors) return;
        // A value that is wrong is reported once, however many checks read it (a placeholder
        // left in: as one).
        for (auto& d : f.diags.items()) {
            for (const auto& p : diags.items())
                if (d.severity == dsl::Severity::error && p.hint == placeholder_hint && p.range.valid && d.range.valid &&
                    p.range.file == d.range.file && p.range.begin == d.range.begin)
                    return;
            bool seen = false;
            for (const auto& e : diags.items()) {
                seen = seen || (e.range.valid == d.range.valid && e.range.file == d.range.file &&
                                e.range.begin == d.range.begin && e.message == d.message);
            }
            if (seen && d.severity == dsl::Severity::error) return;
        }
        diags.append(std::move(f.diags));
    };
    // A placeholder left in is named as one, not as the value its reader wants.
    std::set<const void*> placeholders;
    refuse_placeholders(diags, placeholders);
    // Every entry of every series: its date and value, positive, in date order.
    for (std::uint32_t i = 0; i < plan_.series.size(); ++i) {
        try {
            series(i);
        } catch (EvalFailure& f) {
            keep(f);
        }
    }
    KeyPatterns keys(plan_);
    if (plan_.shared_inputs) keys.add_keys_of(*plan_.shared_inputs);
    if (options_.other_plan) keys.add_keys_of(*options_.other_plan);
    recheck_range_.assign(plan_.slots.size(), 0);
    keys.check(in_, diags, [&](const KeyPatterns::Reader& r, InputFile::Node node, KeyPatterns::Record record) {
        ValueCheck c{r, std::nullopt};
        if (r.kind == KeyPatterns::Reader::Kind::input) {
            const Slot& s = plan_.slots[r.index];
            // The record the value belongs to, when the input is read relative to it.
            if (s.scope == Scope::plan) c.w = Where{};
            if (s.scope == Scope::director && record.scope == Scope::director && !s.input.absolute)
                c.w = Where{static_cast<int>(record.index), -1};
            if (s.scope == Scope::grant && record.scope == Scope::grant && !s.input.absolute && !grants_unlinked_)
                c.w = Where{out_.grant_director[record.index], static_cast<int>(record.index)};
            if (is_other(s.scope) && record.scope == s.scope && !s.input.absolute)
                c.w = Where{-1, others_of_[other_index(s.scope)][record.index]};
            if (c.w && (s.input.low_node != none || s.input.high_node != none))
                computed_range_checks_.emplace_back(node.ptr, c);
        }
        value_checks_[node.ptr].push_back(c);
        if (diags.error_count() >= max_errors || placeholders.count(node.ptr)) return;
        try {
            check_value(c, node);
        } catch (EvalFailure& f) {
            keep(f);
        }
    });
    // The required inputs the file lacks, with the other problems: not one per run.
    if (diags.has_errors()) add_failures(diags, max_errors, Failures::missing_inputs);
    if (diags.error_count() >= max_errors)
        diags.note(SourceRange{}, "stopped after {} problems in {}", max_errors, in_.path());
    if (diags.has_errors()) throw EvalFailure{std::move(diags)};
}

std::optional<Date> Evaluator::as_of() {
    if (!as_of_) {
        if (options_.as_of) {
            as_of_ = options_.as_of;
        } else if (plan_.as_of_slot != none) {
            as_of_ = std::optional<Date>(Date{static_cast<std::int32_t>(slot(plan_.as_of_slot, {}).word)});
        } else {
            as_of_ = std::optional<Date>();
        }
    }
    return *as_of_;
}

const std::vector<std::pair<Date, Value>>& Evaluator::series(std::uint32_t index) {
    auto it = series_.find(index);
    if (it != series_.end()) {
        if (index >= series_changed_.size() || series_changed_[index].empty()) return it->second;
        // Only values were overridden: read those entries again, in place.
        const Series& s = plan_.series[index];
        for (const void* p : series_changed_[index]) {
            InputFile::Node vn{p};
            Value v = read_value(vn, s.type, series_what_[index]);
            if (v.number.sign() <= 0)
                fail(where_of(vn), fmt::format("an entry of series `{}` must be positive, not {}", s.name,
                                               v.number.to_string()));
            it->second[series_reads_.at(p).entry].second = std::move(v);
        }
        series_changed_[index].clear();
        return it->second;
    }
    const Series& s = plan_.series[index];
    std::string missing;
    InputFile::Node parent;
    InputFile::Node list = walk(s.input, in_.root(), {}, series_what_[index], &parent, &missing);
    std::vector<std::pair<Date, Value>> entries;
    if (!list) return series_.emplace(index, std::move(entries)).first->second;   // no entries at all
    if (in_.kind(list) != InputKind::array)
        fail(in_.range(list), fmt::format("series `{}` must be [[{}]] records, not {}", s.name, s.input.path_text,
                                          describe(in_.kind(list))));
    for (std::size_t i = 0; i < in_.size(list); ++i) {
        InputFile::Node rec = in_.element(list, i);
        if (in_.kind(rec) != InputKind::table)
            fail(in_.range(rec), fmt::format("an entry of `{}` must be a table, not {}", s.input.path_text,
                                             describe(in_.kind(rec))));
        InputFile::Node dn = in_.child(rec, s.date_key);
        InputFile::Node vn = in_.child(rec, s.value_key);
        if (!dn || !vn)
            fail(in_.range(rec), fmt::format("an entry of `{}` needs `{}` and `{}`", s.input.path_text, s.date_key,
                                             s.value_key));
        series_reads_[dn.ptr] = SeriesRead{index, static_cast<std::uint32_t>(entries.size()), true};
        series_reads_[vn.ptr] = SeriesRead{index, static_cast<std::uint32_t>(entries.size()), false};
        Date date{static_cast<std::int32_t>(read_value(dn, Type::date(), series_what_[index]).word)};
        Value v = read_value(vn, s.type, series_what_[index]);
        if (v.number.sign() <= 0)
            fail(where_of(vn), fmt::format("an entry of series `{}` must be positive, not {}", s.name,
                                            v.number.to_string()));
        if (!entries.empty() && entries.back().first == date) {
            fail(where_of(dn), fmt::format("entries of `{}` must be in date order without repeats: {} is listed twice",
                                           s.input.path_text, date.to_string()));
        }
        if (!entries.empty() && !(entries.back().first < date)) {
            fail(where_of(dn), fmt::format("entries of `{}` must be in date order without repeats: {} comes after {}",
                                           s.input.path_text, date.to_string(), entries.back().first.to_string()));
        }
        entries.emplace_back(date, std::move(v));
    }
    return series_.emplace(index, std::move(entries)).first->second;
}

void Evaluator::prepare() {
    load_directors();
    load_grants();
    load_others();
    std::size_t rows = 1 + records_.size() + grant_records_.size() + other_records_.size();
    memo_.assign(rows * plan_.slots.size(), Value{});
    state_.assign(rows * plan_.slots.size(), State::pending);
    for (std::uint32_t s = 0; s < plan_.slots.size(); ++s) {
        if (plan_.slots[s].kind != SlotKind::input && plan_.slots[s].kind != SlotKind::param) recomputed_.push_back(s);
        slot_what_.push_back(fmt::format("`{}`", plan_.slots[s].name));
    }
    for (const Series& s : plan_.series) series_what_.push_back(fmt::format("series `{}`", s.name));
    build_hoists();
    // Programs are compiled on first use, after the hoists they refer to are known.
    program_of_node_.assign(plan_.nodes.size(), nullptr);
    check_inputs();
}

}  // namespace hoshu::eval
