// Expressions, from the syntax tree to the IR: each operand and operator with its type and
// unit checked, literal units read, names resolved, constants folded.
#include "evaluator/check/checker.hpp"

#include <algorithm>
#include <sstream>
#include <fmt/format.h>

#include "dsl/base/text.hpp"
#include "dsl/base/unicode.hpp"
#include "evaluator/numbers/number_text.hpp"

namespace hoshu::eval {

namespace {

std::vector<std::string> unit_words(const std::string& text) {
    std::string s;
    for (char c : text) {
        if (c == '/') s += " per ";
        else s += c;
    }
    std::istringstream in(s);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

}  // namespace

std::optional<Value> Checker::fold(std::uint32_t n, int depth) const {
    if (depth > 64) return std::nullopt;   // a param defined through itself: the cycle check reports it
    const Node& node = plan_.nodes[n];
    switch (node.kind) {
        case NodeKind::constant: return plan_.constants[node.aux];
        case NodeKind::slot: {
            // An undated param is a constant too.
            const Slot& s = plan_.slots[node.aux];
            if (s.kind != SlotKind::param || s.versions.size() != 1 || s.versions[0].from ||
                s.versions[0].node == none)
                return std::nullopt;
            return fold(s.versions[0].node, depth + 1);
        }
        case NodeKind::neg: {
            auto v = fold(node.a, depth + 1);
            if (!v) return std::nullopt;
            v->number = -v->number;
            return v;
        }
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul:
        case NodeKind::div: {
            auto a = fold(node.a, depth + 1);
            auto b = fold(node.b, depth + 1);
            if (!a || !b) return std::nullopt;
            Value out;
            if (node.kind == NodeKind::add) {
                out.number = a->number + b->number;
            } else if (node.kind == NodeKind::sub) {
                out.number = a->number - b->number;
            } else if (node.kind == NodeKind::mul) {
                out.number = a->number * b->number;
            } else {
                if (b->number.is_zero()) return std::nullopt;
                out.number = a->number / b->number;
            }
            return out;
        }
        // Not constants: comparisons and conditions, calls, tables, roundings, aggregates,
        // series, dates.
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
        case NodeKind::and_:
        case NodeKind::or_:
        case NodeKind::not_:
        case NodeKind::if_:
        case NodeKind::min:
        case NodeKind::max:
        case NodeKind::clamp:
        case NodeKind::round:
        case NodeKind::table:
        case NodeKind::last_before:
        case NodeKind::is:
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over:
        case NodeKind::mean_over:
        case NodeKind::product_over:
        case NodeKind::rank_over:
        case NodeKind::percentile_over:
        case NodeKind::year_before:
        case NodeKind::last_date:
        case NodeKind::product:
        case NodeKind::present:
        case NodeKind::months_inclusive:
        case NodeKind::date_calc:
        case NodeKind::series_window:
        case NodeKind::within: return std::nullopt;
    }
    return std::nullopt;
}

/// A bare number where a percent is meant (`below 50`, `range 0 to 300` on a percent) is
/// read as itself, 5000%: past 10 (1000%) as a bare number, it is most likely a percent
/// written without its sign.
std::optional<Rational> Checker::bare_number_for_percent(std::uint32_t n, const Type& want) const {
    if (n == none || !want.dimensionless() || want.style != RatioStyle::percent) return std::nullopt;
    // `-100` is the negation of the number 100: as bare as 100.
    bool negated = false;
    while (plan_.nodes[n].kind == NodeKind::neg && plan_.nodes[n].a != none) {
        negated = !negated;
        n = plan_.nodes[n].a;
    }
    const Node& node = plan_.nodes[n];
    if (node.kind != NodeKind::constant || !node.type.dimensionless() || node.type.style != RatioStyle::ratio)
        return std::nullopt;
    const Rational& x = plan_.constants[node.aux].number;
    return negated ? -x : x;
}

std::string Checker::bare_percent_hint(const Rational& x) {
    return fmt::format("write `{}%` if {} percent is meant", x.to_string(), x.to_string());
}

void Checker::warn_bare_percent(std::uint32_t n, const Type& want, const char* what, const Rational& past) {
    auto x = bare_number_for_percent(n, want);
    if (!x || !(past < x->abs())) return;   // 2 may well mean 200%; 50 hardly 5,000%
    auto& d = diags_.warning(range_of(n), "`{}`, {} of a percent, is {}%", x->to_string(), what,
                             (*x * Rational(100)).to_string());
    d.hint = bare_percent_hint(*x);
}

std::optional<Value> Checker::constant_of(const ast::Expression& e, const Ctx& c, const Type& want,
                                          const char* what, std::optional<BareNumber>* bare, bool* percent) {
    std::uint32_t n = compile(e, wanting(c, e, want));
    if (n == none) return std::nullopt;
    if (percent) *percent = plan_.nodes[n].type.dimensionless() && plan_.nodes[n].type.style == RatioStyle::percent;
    if (!bare) warn_bare_percent(n, want, what);
    else if (auto x = bare_number_for_percent(n, want)) *bare = BareNumber{*x, range_of(n)};
    else bare->reset();
    n = expect_type(n, want, what);
    if (n == none) return std::nullopt;
    constant_nodes_.push_back(n);   // params used in constants count as used
    auto v = fold(n);
    if (!v) diags_.error(range_of(n), "{} must be a constant (a number with its unit)", what);
    return v;
}

/// A dimensionless literal 0 takes the unit of the other side: `if c then base else 0`.
bool Checker::adapt_zero(std::uint32_t& a, std::uint32_t& b) {
    auto is_plain_zero = [&](std::uint32_t n) {
        const Node& node = plan_.nodes[n];
        return node.kind == NodeKind::constant && node.type.dimensionless() &&
               plan_.constants[node.aux].number.is_zero();
    };
    if (type_of(a).is_number() && type_of(b).is_number() && !type_of(a).same(type_of(b))) {
        if (is_plain_zero(a)) {
            plan_.nodes[a].type = type_of(b);
            return true;
        }
        if (is_plain_zero(b)) {
            plan_.nodes[b].type = type_of(a);
            return true;
        }
    }
    return false;
}

std::uint32_t Checker::expect_type(std::uint32_t n, const Type& want, const std::string& what) {
    if (n == none) return none;
    const Node& node = plan_.nodes[n];
    if (node.type.same(want)) return n;
    if (want.is_number() && node.kind == NodeKind::constant && node.type.dimensionless() &&
        plan_.constants[node.aux].number.is_zero()) {
        plan_.nodes[n].type = want;
        return n;
    }
    auto& d = diags_.error(node.range, "{} is declared {}, but this gives {}", what, tname(want), tname(node.type));
    d.hint = unit_mismatch_hint(want, node.type);
    // A number written alone (`expect granted = 348,181`): the hint writes it in the unit.
    if (want.is_number() && !want.dimensionless() && node.kind == NodeKind::constant && node.type.dimensionless() &&
        node.range.valid) {
        const std::string_view text =
            std::string_view(sm_.file(node.range.file).text()).substr(node.range.begin, node.range.end - node.range.begin);
        const bool plain = !text.empty() && text.find_first_not_of("0123456789,._-") == std::string_view::npos;
        if (plain)
            d.hint = fmt::format("a plain number has no unit: write it with its unit, as in `{} {}`", text,
                                 plan_.amount_unit(want, plan_.constants[node.aux].number));
    }
    return none;
}

/// How to bring values of types `a` and `b` together: a date written as one, a number given
/// its unit, an amount converted with a rate; empty when there is nothing to say.
std::string Checker::unit_mismatch_hint(const Type& a, const Type& b) const {
    if (a.kind == Kind::date || b.kind == Kind::date) {
        const Type& other = a.kind == Kind::date ? b : a;
        return other.is_number() ? "a date is written YYYY-MM-DD, as in 2025-01-01" : std::string();
    }
    if (!a.is_number() || !b.is_number()) return {};
    if (a.dimensionless() != b.dimensionless()) {
        const Type& unit = a.dimensionless() ? b : a;
        return fmt::format("a plain number has no unit: write it with its unit (as in `1,000 {}`)", tname(unit));
    }
    if (a.dimensionless()) return {};
    // Money and a counted unit: a price in the one per the other converts them.
    auto currency = [&](const Type& t) {
        auto u = single_unit(t);
        return u && plan_.units[*u].currency;
    };
    auto counted_unit = [&](const Type& t) {
        auto u = single_unit(t);
        return u && !plan_.units[*u].currency;
    };
    if ((currency(a) && counted_unit(b)) || (currency(b) && counted_unit(a))) {
        const Type& money = currency(a) ? a : b;
        const Type& count = currency(a) ? b : a;
        return fmt::format("values of different units do not mix: multiply {} by a rate in {}, a price, (or divide {} by it) "
                           "to bring them to one unit",
                           tname(count), tname(divide(money, count)), tname(money));
    }
    return "values of different units do not mix: bring them to one unit first, by a rate of the one per the other";
}

std::uint32_t Checker::compile(const ast::Expression& e, const Ctx& c) {
    std::uint32_t acc = compile(e.first, c);
    // An operation's node spans the chain from its start to the end of its right operand, as
    // written: with the parentheses of an operand at either end (`(a or b) and c`, `a and
    // (b or c)`), which the operand's own node, the inside of the parentheses, leaves out.
    auto so_far = [&](const ast::Operation& op) {
        return e.end > e.begin ? SourceRange::in(c.file, e.begin, op.end)
                               : SourceRange::span(range_of(acc), rng(c.file, op));
    };
    for (const auto& op : e.rest) {
        if (op.op == "is" || op.op == "is not") {
            if (acc == none) continue;
            auto const* member = boost::get<ast::Name>(&op.operand.get());
            const Type& t = type_of(acc);
            SourceRange where = so_far(op);
            if (t.kind != Kind::choice) {
                diags_.error(where, "`is` tests a choice such as a role, but the left side is {}", tname(t));
                acc = none;
                continue;
            }
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(t.choice)];
            auto it = std::find(ct.members.begin(), ct.members.end(), member->text);
            if (it == ct.members.end()) {
                auto& d = diags_.error(rng(c.file, *member), "`{}` is not a {}", member->text, ct.name);
                d.hint = fmt::format("a {} is one of: {}", ct.name, join(ct.members));
                acc = none;
                continue;
            }
            Node n;
            n.kind = NodeKind::is;
            n.a = acc;
            n.aux = static_cast<std::uint32_t>(it - ct.members.begin());
            n.type = Type::boolean();
            n.range = where;
            acc = add_node(n);
            if (op.op == "is not") {
                Node neg;
                neg.kind = NodeKind::not_;
                neg.a = acc;
                neg.type = Type::boolean();
                neg.range = where;
                acc = add_node(neg);
            }
            continue;
        }
        std::uint32_t rhs = compile(op.operand, c);
        if (acc == none || rhs == none) {
            acc = none;
            continue;
        }
        acc = compile_binary(op.op, acc, rhs, so_far(op));
    }
    return acc;
}

std::uint32_t Checker::compile_binary(const std::string& op, std::uint32_t l, std::uint32_t r, SourceRange where) {
    Node n;
    n.a = l;
    n.b = r;
    n.range = where;
    const Type& lt = type_of(l);
    const Type& rt = type_of(r);
    auto numbers = [&](const char* verb) {
        if (!lt.is_number() || !rt.is_number()) {
            diags_.error(where, "cannot {} {} and {}", verb, tname(lt), tname(rt));
            return false;
        }
        return true;
    };
    if ((op == "+" || op == "-") && (lt.kind == Kind::date || rt.kind == Kind::date)) {
        // Date arithmetic: a date plus or minus days or months (`1 year` is 12 months).
        bool plus = op == "+";
        if (lt.kind == Kind::date && rt.kind == Kind::date) {
            auto& d = diags_.error(where, "cannot subtract a date from a date");
            d.hint = "days_between(a, b) counts the days from a to b, months_between(a, b) the whole months";
            return none;
        }
        if (lt.kind != Kind::date && !plus) {
            diags_.error(where, "cannot subtract a date from {}", tname(lt));
            return none;
        }
        std::uint32_t date = lt.kind == Kind::date ? l : r;
        std::uint32_t amount = lt.kind == Kind::date ? r : l;
        const Type& at = type_of(amount);
        bool days = at.is_number() && at.dim == Dimension::of(unit_days);
        bool months = at.is_number() && at.dim == Dimension::of(unit_months);
        if (!days && !months) {
            auto& d = diags_.error(where, "cannot {} a date and {}", plus ? "add" : "subtract", tname(at));
            d.hint = "a date moves by days, months or years: d + 30 days, d - 1 month, d + 3 years";
            return none;
        }
        n.kind = NodeKind::date_calc;
        n.aux = static_cast<std::uint32_t>(days ? (plus ? DateOp::plus_days : DateOp::minus_days)
                                                : (plus ? DateOp::plus_months : DateOp::minus_months));
        n.a = date;
        n.b = amount;
        n.type = Type::date();
        return add_node(n);
    }
    if (op == "+" || op == "-") {
        if (!numbers(op == "+" ? "add" : "subtract")) return none;
        adapt_zero(l, r);
        if (!type_of(l).same(type_of(r))) {
            auto& d = diags_.error(where, "cannot {} {} and {}", op == "+" ? "add" : "subtract", tname(type_of(l)),
                                   tname(type_of(r)));
            d.hint = unit_mismatch_hint(type_of(l), type_of(r));
            return none;
        }
        n.kind = op == "+" ? NodeKind::add : NodeKind::sub;
        n.type = type_of(l);
        if (type_of(l).dimensionless() && type_of(r).dimensionless() && type_of(l).style != type_of(r).style)
            n.type.style = RatioStyle::ratio;
    } else if (op == "*" || op == "/") {
        if (!numbers(op == "*" ? "multiply" : "divide")) return none;
        if (op == "/") {
            // A divisor that is a constant 0 fails on every evaluation.
            if (auto v = fold(r); v && v->number.is_zero()) {
                diags_.error(range_of(r), "division by zero: this divisor is always 0");
                return none;
            }
        }
        n.kind = op == "*" ? NodeKind::mul : NodeKind::div;
        n.type = op == "*" ? multiply(lt, rt) : divide(lt, rt);
        if (op == "/" && lt.dimensionless() && rt.dimensionless()) n.type.style = RatioStyle::ratio;
    } else if (op == "and" || op == "or") {
        if (lt.kind != Kind::boolean || rt.kind != Kind::boolean) {
            diags_.error(where, "`{}` joins conditions (true or false), not {} and {}", op, tname(lt), tname(rt));
            return none;
        }
        n.kind = op == "and" ? NodeKind::and_ : NodeKind::or_;
        n.type = Type::boolean();
    } else {
        adapt_zero(l, r);
        const Type& a = type_of(l);
        const Type& b = type_of(r);
        bool ordered = op == "<" || op == "<=" || op == ">" || op == ">=";
        if (!a.same(b)) {
            auto& d = diags_.error(where, "cannot compare {} with {}", tname(a), tname(b));
            d.hint = unit_mismatch_hint(a, b);
            return none;
        }
        if (ordered && a.kind != Kind::number && a.kind != Kind::date) {
            diags_.error(where, "`{}` orders numbers or dates, not {}", op, tname(a));
            return none;
        }
        n.kind = op == "<"    ? NodeKind::lt
                 : op == "<=" ? NodeKind::le
                 : op == ">"  ? NodeKind::gt
                 : op == ">=" ? NodeKind::ge
                 : op == "==" ? NodeKind::eq
                              : NodeKind::ne;
        n.type = Type::boolean();
    }
    n.a = l;
    n.b = r;
    return add_node(n);
}

namespace {

/// Whether `e` is a number alone (in parentheses or not).
bool bare_number(const ast::Expression& e) {
    if (!e.rest.empty()) return false;
    if (boost::get<ast::NumberLit>(&e.first.get())) return true;
    if (auto const* inner = boost::get<x3::forward_ast<ast::Expression>>(&e.first.get())) return bare_number(inner->get());
    return false;
}

}  // namespace

Checker::Ctx Checker::wanting(const Ctx& c, const ast::Expression& e, const Type& want) {
    Ctx out = c;
    out.want = bare_number(e) ? &want : nullptr;
    return out;
}

std::string Checker::written_as(const std::string& digits, const Type& t) const {
    if (t.kind != Kind::number) return {};
    if (t.dimensionless()) {
        if (t.style == RatioStyle::percent) return digits + "%";
        std::string grouped = digits;
        std::replace(grouped.begin(), grouped.end(), ',', '_');
        return grouped;
    }
    // One unit on top and at most one below, as a number's unit is written: `£348,181`,
    // `348,181 shares`, `£12.50 per share`, `2 shares per PSU`.
    std::optional<std::size_t> up, down;
    for (std::size_t i = 0; i < max_units; ++i) {
        const int e = t.dim.e[i];
        if (e == 0) continue;
        if (e == 1 && !up && i < plan_.units.size()) up = i;
        else if (e == -1 && !down) down = i;
        else return {};
    }
    if (!up) return {};
    const std::string name = tname(t);
    const UnitDef& u = plan_.units[*up];
    if (u.currency && !u.symbol.empty() && name.starts_with(u.name)) return u.symbol + digits + name.substr(u.name.size());
    return digits + " " + name;
}

std::uint32_t Checker::compile_number(const ast::NumberLit& lit, const Ctx& c) {
    SourceRange where = rng(c.file, lit);
    if (lit.prefix.empty() && lit.unit.empty() && lit.digits.find(',') != std::string::npos) {
        auto& d = diags_.error(where, "`{}`: commas group digits only in a number with a unit", lit.digits);
        // The number is the whole of a value of a declared type: written in its unit.
        if (const std::string written = c.want ? written_as(lit.digits, *c.want) : std::string(); !written.empty()) {
            d.hint = c.want->dimensionless() && c.want->style != RatioStyle::percent
                         ? fmt::format("a {} has no unit: group its digits with `_`: `{}`", tname(*c.want), written)
                         : fmt::format("write it with its unit, {}: `{}`", tname(*c.want), written);
            return none;
        }
        // The plan's own units (those it declares first), with the digits as written.
        std::vector<std::string> examples;
        for (std::size_t i = builtin_units; i < plan_.units.size() && examples.size() < 2; ++i) {
            const UnitDef& u = plan_.units[i];
            if (u.currency && !u.symbol.empty()) examples.push_back(fmt::format("`{}{}`", u.symbol, lit.digits));
            else if (!u.currency) examples.push_back(fmt::format("`{} {}`", lit.digits, u.name));
        }
        if (examples.empty()) {
            examples.push_back(fmt::format("`¥{}`", lit.digits));
            examples.push_back(fmt::format("`{} shares`", lit.digits));
        }
        d.hint = "separate arguments with a comma and a space, or write the unit: " + examples[0] +
                 (examples.size() > 1 ? ", " + examples[1] : std::string());
        return none;
    }
    auto value = Rational::parse(lit.digits);
    if (!value) {
        diags_.error(where, "`{}` is not a number", lit.digits);
        return none;
    }
    Type t = Type::ratio();
    // The words of the unit: `year(s)` is 12 months (for date arithmetic).
    auto unit_of = [&](std::string word) -> std::optional<Type> {
        if (word == "year" || word == "years") {
            *value = *value * Rational(12);
            word = "months";
        }
        return unit_type(plan_.units, word, "");
    };
    auto unknown = [&](const std::string& word) {
        if (refused_units_.count(word)) return none;   // a unit past the most a plan declares: reported there
        auto& d = diags_.error(where, "unknown unit `{}`", word);
        std::string known;
        for (const auto& u : plan_.units) known += (known.empty() ? "" : ", ") + u.name;
        d.hint = fmt::format("the units are {}, ratio, percent and count{}", known,
                             plan_.units.size() >= max_units ? "" : "; declare another with `unit`");
        // `1 month / price`: a number's unit runs on through `/ WORD`, so a definition
        // divided by there is read as part of the unit.
        const auto words = unit_words(lit.unit);
        if (symbols_.count(word) && !words.empty() && words.back() == word && words.size() >= 2)
            d.hint = fmt::format("`{0}` is a definition, but after a number `/ {0}` is read as part of its unit: "
                                 "write ({1}{2}{3}) / {0}",
                                 word, lit.prefix, lit.digits, lit.prefix.empty() ? " " + words.front() : std::string());
        return none;
    };
    if (!lit.prefix.empty()) {
        std::string sign = lit.prefix == "￥" ? "¥" : lit.prefix;
        std::optional<std::size_t> currency;
        for (std::size_t i = 0; i < plan_.units.size(); ++i) {
            if (plan_.units[i].currency && plan_.units[i].symbol == sign) currency = i;
        }
        if (!currency) {
            auto& d = diags_.error(where, "no currency with the sign `{}` is declared", sign);
            d.hint = fmt::format("declare it, as in: unit USD currency \"{}\" minor 0.01", sign);
            return none;
        }
        t = Type::number(Dimension::of(*currency));
        auto words = unit_words(lit.unit);   // "per share"
        if (words.size() == 2) {
            auto per = unit_type(plan_.units, words[1], "");
            if (!per || !per->is_number() || per->dimensionless()) return unknown(words[1]);
            t = divide(t, *per);
        }
    } else if (lit.unit == "%") {
        *value = *value / Rational(100);
        t = Type::ratio(RatioStyle::percent);
    } else if (!lit.unit.empty()) {
        auto words = unit_words(lit.unit);
        std::optional<Type> ut = unit_of(words[0]);
        if (!ut || !ut->is_number() || ut->dimensionless()) return unknown(words[0]);
        if (words.size() == 3) {
            auto per = unit_type(plan_.units, words[2], "");
            if (!per || !per->is_number() || per->dimensionless()) return unknown(words[2]);
            ut = divide(*ut, *per);
        } else if (words.size() != 1) {
            return unknown(lit.unit);
        }
        t = *ut;
    }
    Value v;
    v.number = *value;
    return constant(std::move(v), t, where);
}

std::string Checker::per_record_hint(const std::string& name, const Slot& target, const DirectorsSpec& spec,
                                     const Ctx& c) const {
    const bool number = target.type.kind == Kind::number;
    // What `count of … where` tests of a value that is no number: a boolean itself, a
    // choice one of its members, a text or a date a comparison.
    std::string test;
    switch (target.type.kind) {
        case Kind::number: break;
        case Kind::boolean: test = name; break;
        case Kind::choice: {
            const ChoiceType& ct = plan_.choices[static_cast<std::size_t>(target.type.choice)];
            test = fmt::format("{} is {}", name, ct.members.empty() ? std::string("…") : ct.members.front());
            break;
        }
        case Kind::text: test = fmt::format("{} == \"…\"", name); break;
        case Kind::date: test = fmt::format("{} < 2026-01-01", name); break;
    }
    // An aggregate is plan-wide, but over grants per director: the hint must be one that
    // checks where this formula is.
    if (c.scope == Scope::plan || (target.scope == Scope::grant && c.scope == Scope::director)) {
        if (c.require) {
            // A requirement of each record: in their block, or as the count of those it
            // fails for (its condition whole when it is one short line).
            std::string condition = text_of(c.file, c.require->condition);
            if (condition.size() > 60 || condition.find_first_of("\r\n") != std::string::npos) condition = "…";
            std::string each = fmt::format("to require it of each {}, move the `require` into `per {}` … `end`",
                                           spec.noun, spec.noun);
            if (number)
                return fmt::format("{}; for their total, use an aggregate, as in: sum of {} over {}", each, name,
                                   spec.plural);
            return fmt::format("{}; or count the {} it fails for: require {}: (count of {} where not ({})) == 0", each,
                               spec.plural, c.require->name.text, spec.plural, condition);
        }
        if (number) return fmt::format("use an aggregate, as in: sum of {} over {}", name, spec.plural);
        return fmt::format("count the {}, as in: count of {} where {}", spec.plural, spec.plural, test);
    }
    if (number)
        return fmt::format("declare a plan-wide total outside `per {}`, as in: value total_{}: {} = sum of {} over {}, "
                           "and use `total_{}` here",
                           scope_noun(c.scope), name, tname(target.type), name, spec.plural, name);
    return fmt::format("declare a plan-wide count outside `per {}`, as in: value {}_count: count = count of {} where {}, "
                       "and use `{}_count` here",
                       scope_noun(c.scope), name, spec.plural, test, name);
}

std::uint32_t Checker::compile_name(const ast::Name& name, const Ctx& c) {
    SourceRange where = rng(c.file, name);
    auto it = symbols_.find(name.text);
    if (it == symbols_.end() && cut_short_.count(name.text)) return none;   // its declaration failed to parse
    if (it == symbols_.end()) {
        auto& d = diags_.error(where, "unknown name `{}`", name.text);
        std::string best;
        std::size_t best_distance = 3;
        if (names_suggested_++ < 100) {
            for (const auto& [candidate, sym] : symbols_) {
                std::size_t dist = dsl::edit_distance(candidate, name.text);
                if (dist < best_distance) {
                    best_distance = dist;
                    best = candidate;
                }
            }
        }
        if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
        // A member of a choice is no value of its own: a value of the choice is tested with `is`.
        for (const auto& ct : plan_.choices)
            if (std::find(ct.members.begin(), ct.members.end(), name.text) != ct.members.end()) {
                d.hint = fmt::format("`{}` is a member of the choice `{}`, not a value: test a {} value with `is` "
                                     "(`NAME is {}`, `NAME is {} or NAME is …`)",
                                     name.text, ct.name, ct.name, name.text, name.text);
                break;
            }
        // Full-width digits (０–９, U+FF10–U+FF19: EF BC 90–99 in UTF-8) are letters here.
        std::string ascii;
        bool wide = false;
        for (std::size_t i = 0; i < name.text.size(); ++i) {
            const auto b = [&](std::size_t k) { return static_cast<unsigned char>(name.text[k]); };
            if (i + 2 < name.text.size() && b(i) == 0xEF && b(i + 1) == 0xBC && b(i + 2) >= 0x90 && b(i + 2) <= 0x99) {
                ascii += static_cast<char>('0' + (b(i + 2) - 0x90));
                wide = true;
                i += 2;
            } else {
                ascii += name.text[i];
            }
        }
        if (wide) d.hint = fmt::format("full-width digits are not a number: write `{}`", ascii);
        return none;
    }
    const Symbol& sym = it->second;
    if (sym.kind == SymbolKind::info) {
        auto& d = diags_.error(where, "`{}` is an `info` key, kept in the inputs for people: formulas cannot use it",
                               name.text);
        d.hint = fmt::format("declare it as an `input` to compute with it: input {}: …", name.text);
        return none;
    }
    if (sym.kind != SymbolKind::slot) {
        const char* what = sym.kind == SymbolKind::table    ? "a table; call it with an argument"
                           : sym.kind == SymbolKind::series ? "a series; read it with `last … before …`"
                                                            : "a type";
        diags_.error(where, "`{}` is {}", name.text, what);
        return none;
    }
    const Slot& target = plan_.slots[sym.index];
    // A formula sees the plan-wide definitions, its own record's, and (per grant) its
    // director's.
    const bool visible = target.scope == Scope::plan || target.scope == c.scope ||
                         (target.scope == Scope::director && c.scope == Scope::grant);
    if (!visible) {
        const DirectorsSpec& spec = is_other(target.scope)          ? plan_.others[other_index(target.scope)]
                                    : target.scope == Scope::director ? plan_.directors
                                                                      : plan_.grants;
        auto& d = diags_.error(where, "`{}` is a per-{} value; a {} formula cannot use it directly", name.text,
                               spec.noun, scope_word(c.scope));
        d.hint = per_record_hint(name.text, target, spec, c);
        return none;
    }
    if (c.slot != none) deps_[c.slot].push_back({sym.index, where});
    Node n;
    n.kind = NodeKind::slot;
    n.aux = sym.index;
    n.type = target.type;
    n.range = where;
    return add_node(n);
}

/// One operand: every alternative of ast::Operand is named (the compiler reports a new one
/// that is not).
struct Checker::OperandVisitor {
    using result_type = std::uint32_t;
    Checker& k;
    const Ctx& c;
    std::uint32_t operator()(const ast::Nil&) const { return none; }
    std::uint32_t operator()(const ast::NumberLit& x) const { return k.compile_number(x, c); }
    std::uint32_t operator()(const ast::DateLit& x) const { return k.compile_date(x, c); }
    std::uint32_t operator()(const ast::StringLit& x) const { return k.compile_text(x, c); }
    std::uint32_t operator()(const ast::BoolLit& x) const { return k.compile_bool(x, c); }
    std::uint32_t operator()(const ast::Name& x) const { return k.compile_name(x, c); }
    std::uint32_t operator()(const x3::forward_ast<ast::Unary>& x) const { return k.compile_unary(x.get(), c); }
    std::uint32_t operator()(const x3::forward_ast<ast::Call>& x) const { return k.compile_call(x.get(), c); }
    std::uint32_t operator()(const x3::forward_ast<ast::IfExpr>& x) const { return k.compile_if(x.get(), c); }
    std::uint32_t operator()(const x3::forward_ast<ast::RoundExpr>& x) const { return k.compile_round(x.get(), c); }
    std::uint32_t operator()(const x3::forward_ast<ast::LastBefore>& x) const { return k.compile_last(x.get(), c); }
    std::uint32_t operator()(const x3::forward_ast<ast::Aggregate>& x) const { return k.compile_aggregate(x.get(), c); }
    std::uint32_t operator()(const x3::forward_ast<ast::SeriesWindow>& x) const {
        return k.compile_window(x.get(), c);
    }
    std::uint32_t operator()(const x3::forward_ast<ast::SeriesProduct>& x) const {
        return k.compile_product(x.get(), c);
    }
    std::uint32_t operator()(const x3::forward_ast<ast::Expression>& x) const { return k.compile(x.get(), c); }
};

std::uint32_t Checker::compile(const ast::Operand& op, const Ctx& c) {
    return boost::apply_visitor(OperandVisitor{*this, c}, op.get());
}

std::uint32_t Checker::compile_date(const ast::DateLit& x, const Ctx& c) {
    auto date = Date::parse(x.text);
    if (!date) {
        diags_.error(rng(c.file, x), "{}", no_such_date(x.text));
        return none;
    }
    Value val;
    val.word = date->days;
    return constant(std::move(val), Type::date(), rng(c.file, x));
}

std::uint32_t Checker::compile_text(const ast::StringLit& x, const Ctx& c) {
    // In NFC, as the inputs' texts are read: `"Zürich"` equals an input written in another
    // normal form.
    plan_.texts.push_back(dsl::nfc(x.value));
    Value val;
    val.word = static_cast<std::int64_t>(plan_.texts.size() - 1);
    return constant(std::move(val), Type::text(), rng(c.file, x));
}

std::uint32_t Checker::compile_bool(const ast::BoolLit& x, const Ctx& c) {
    Value val;
    val.word = x.value ? 1 : 0;
    return constant(std::move(val), Type::boolean(), rng(c.file, x));
}

std::uint32_t Checker::compile_unary(const ast::Unary& un, const Ctx& c) {
    std::uint32_t a = compile(un.operand, c);
    if (a == none) return none;
    Node n;
    n.a = a;
    n.range = rng(c.file, un);
    if (un.op == "not") {
        if (type_of(a).kind != Kind::boolean) {
            diags_.error(n.range, "`not` negates a condition, not {}", tname(type_of(a)));
            return none;
        }
        n.kind = NodeKind::not_;
        n.type = Type::boolean();
    } else {
        if (!type_of(a).is_number()) {
            diags_.error(n.range, "cannot negate {}", tname(type_of(a)));
            return none;
        }
        n.kind = NodeKind::neg;
        n.type = type_of(a);
    }
    return add_node(n);
}

std::uint32_t Checker::compile_if(const ast::IfExpr& x, const Ctx& c) {
    std::uint32_t cond = compile(x.condition, c);
    std::uint32_t a = compile(x.then_branch, c);
    std::uint32_t b = compile(x.else_branch, c);
    if (cond == none || a == none || b == none) return none;
    if (type_of(cond).kind != Kind::boolean) {
        diags_.error(range_of(cond), "the condition after `if` must be true or false, not {}",
                     tname(type_of(cond)));
        return none;
    }
    adapt_zero(a, b);
    if (!type_of(a).same(type_of(b))) {
        diags_.error(rng(c.file, x), "the branches of `if` differ: {} after `then`, {} after `else`",
                     tname(type_of(a)), tname(type_of(b)));
        return none;
    }
    Node n;
    n.kind = NodeKind::if_;
    n.a = cond;
    n.b = a;
    n.c = b;
    n.type = type_of(a);
    n.range = rng(c.file, x);
    return add_node(n);
}

std::uint32_t Checker::compile_round(const ast::RoundExpr& x, const Ctx& c) {
    std::uint32_t a = compile(x.value, c);
    std::uint32_t u = compile(x.unit, c);
    if (a == none || u == none) return none;
    if (!type_of(a).is_number()) {
        diags_.error(range_of(a), "cannot round {}", tname(type_of(a)));
        return none;
    }
    if (!type_of(u).same(type_of(a))) {
        // (A bare number as the unit of an amount: the unit is to be written with it.)
        const auto bare = type_of(u).dimensionless() && !type_of(a).dimensionless() ? fold(u) : std::nullopt;
        auto& d = diags_.error(range_of(u), "the rounding unit is {}, but the value rounded is {}",
                               bare ? std::string("a plain number") : tname(type_of(u)), tname(type_of(a)));
        d.hint = bare && bare->number.sign() > 0
                     ? fmt::format("write the unit with the amount, as in: {} {}", bare->number.to_string(),
                                   plan_.amount_unit(type_of(a), bare->number))
                 : type_of(a).dimensionless()
                     ? fmt::format("round to a unit of the value's own kind, or give the value its unit first (it is a "
                                   "plain number here)")
                     : fmt::format("round to a unit in {}, or turn the value into {} first with a rate in {}",
                                   tname(type_of(a)), tname(type_of(u)), tname(divide(type_of(a), type_of(u))));
        return none;
    }
    auto unit = fold(u);
    if (!unit || unit->number.sign() <= 0) {
        diags_.error(range_of(u), "the rounding unit must be a positive constant, as in `1 share`");
        return none;
    }
    plan_.constants.push_back(*unit);
    Node n;
    n.kind = NodeKind::round;
    n.mode = rounding_mode(x.mode).value_or(RoundingMode::half_even);
    n.a = a;
    n.b = u;   // the unit as written (evaluated once here; kept for lints and explain)
    n.aux = static_cast<std::uint32_t>(plan_.constants.size() - 1);
    n.type = type_of(a);
    n.range = rng(c.file, x);
    return add_node(n);
}

std::uint32_t Checker::compile_last(const ast::LastBefore& x, const Ctx& c) {
    auto it = symbols_.find(x.series.text);
    if (it == symbols_.end() && cut_short_.count(x.series.text)) return none;   // its declaration failed to parse
    if (it == symbols_.end() || it->second.kind != SymbolKind::series) {
        diags_.error(rng(c.file, x.series), "`{}` is not a series (declare it with `series`)", x.series.text);
        return none;
    }
    std::uint32_t d = compile(x.date, c);
    if (d == none) return none;
    if (type_of(d).kind != Kind::date) {
        diags_.error(range_of(d), "`last … before` needs a date, not {}", tname(type_of(d)));
        return none;
    }
    Node n;
    n.kind = x.want_date ? NodeKind::last_date : NodeKind::last_before;
    if (x.bound == "up to") {
        n.kind = NodeKind::series_window;
        n.window = x.want_date ? WindowOp::last_date : WindowOp::last;
        n.to_inclusive = true;
    }
    n.a = d;
    n.aux = it->second.index;
    n.type = x.want_date ? Type::date() : plan_.series[it->second.index].type;
    n.range = rng(c.file, x);
    return add_node(n);
}

std::uint32_t Checker::compile_window(const ast::SeriesWindow& x, const Ctx& c) {
    auto it = symbols_.find(x.series.text);
    if (it == symbols_.end() && cut_short_.count(x.series.text)) return none;   // its declaration failed to parse
    if (it == symbols_.end() || it->second.kind != SymbolKind::series) {
        diags_.error(rng(c.file, x.series), "`{}` is not a series (declare it with `series`)", x.series.text);
        return none;
    }
    const Series& s = plan_.series[it->second.index];
    Node n;
    n.kind = NodeKind::series_window;
    n.aux = it->second.index;
    n.range = rng(c.file, x);
    n.type = s.type;
    n.to_inclusive = x.to_kind != "before";
    n.from_inclusive = x.from_kind == "from";
    auto date = [&](const ast::Operand& o) {
        std::uint32_t d = compile(o, c);
        if (d != none && type_of(d).kind != Kind::date) {
            diags_.error(range_of(d), "a window of a series is bounded by dates, not {}", tname(type_of(d)));
            return none;
        }
        return d;
    };
    n.a = date(x.to);
    if (n.a == none) return none;
    if (x.function == "on") {
        n.window = WindowOp::on;
        return add_node(n);
    }
    if (!s.type.is_number()) {
        diags_.error(rng(c.file, x.series), "`{} of` needs a series of numbers, but `{}` is {}", x.function,
                     x.series.text, tname(s.type));
        return none;
    }
    if (x.function == "mean") {
        n.window = WindowOp::mean;
        n.c = compile(*x.count, c);
        if (n.c == none) return none;
        if (!type_of(n.c).dimensionless()) {
            diags_.error(range_of(n.c), "how many entries is a count, not {}", tname(type_of(n.c)));
            return none;
        }
        if (auto k = fold(n.c); k && (!k->number.is_integer() || k->number < Rational(1))) {
            diags_.error(range_of(n.c), "the mean of the last N entries needs a whole N of at least 1, not {}",
                         k->number.to_string());
            return none;
        }
        return add_node(n);
    }
    n.window = WindowOp::sum;
    n.b = date(*x.from);
    if (n.b == none) return none;
    return add_node(n);
}

std::uint32_t Checker::compile_product(const ast::SeriesProduct& x, const Ctx& c) {
    auto it = symbols_.find(x.series.text);
    if (it == symbols_.end() && cut_short_.count(x.series.text)) return none;   // its declaration failed to parse
    if (it == symbols_.end() || it->second.kind != SymbolKind::series) {
        diags_.error(rng(c.file, x.series), "`{}` is not a series (declare it with `series`)", x.series.text);
        return none;
    }
    if (!plan_.series[it->second.index].type.dimensionless()) {
        diags_.error(rng(c.file, x.series), "`product of` multiplies ratios, but `{}` is {}", x.series.text,
                     tname(plan_.series[it->second.index].type));
        return none;
    }
    std::uint32_t a = compile(x.after, c);
    std::uint32_t b = compile(x.up_to, c);
    if (a == none || b == none) return none;
    if (type_of(a).kind != Kind::date || type_of(b).kind != Kind::date) {
        diags_.error(rng(c.file, x), "`product of … after … up to …` needs two dates");
        return none;
    }
    Node n;
    n.kind = NodeKind::product;
    n.a = a;
    n.b = b;
    n.aux = it->second.index;
    n.type = Type::ratio();
    n.range = rng(c.file, x);
    return add_node(n);
}

std::uint32_t Checker::compile_aggregate(const ast::Aggregate& x, const Ctx& c) {
    SourceRange where = rng(c.file, x);
    std::optional<Scope> over = collection_scope(x.over, c.file, true);
    if (!over) return none;
    bool over_grants = *over == Scope::grant;
    if (!over_grants && c.scope != Scope::plan) {
        auto& d = diags_.error(where, "`{} of … over {}` is a plan-wide total; it cannot be used {}", x.function,
                               x.over.text, scope_word(c.scope));
        d.hint = fmt::format("declare it as a plan-wide `value` outside `per {}` (`value NAME: TYPE = {} of … over {}`) "
                             "and use that value's name here",
                             scope_noun(c.scope), x.function, x.over.text);
        return none;
    }
    if (over_grants && c.scope == Scope::grant) {
        diags_.error(where, "`{} of … over {}` cannot be used per {}", x.function, x.over.text, plan_.grants.noun);
        return none;
    }
    Ctx inner = c;
    inner.scope = is_other(*over) ? *over : over_grants ? Scope::grant : Scope::director;
    Node n;
    n.range = where;
    n.aux = is_other(*over) ? static_cast<std::uint32_t>(2 + other_index(*over)) : over_grants ? 1 : 0;
    if (x.where) {
        n.b = compile(*x.where, inner);
        if (n.b == none) return none;
        if (type_of(n.b).kind != Kind::boolean) {
            diags_.error(range_of(n.b), "`where` needs a condition, not {}", tname(type_of(n.b)));
            return none;
        }
    }
    if (x.function == "rank" || x.function == "percentile") {
        n.c = compile(*x.value, c);
        n.a = compile(*x.among, inner);
        if (n.a == none || n.c == none) return none;
        if (!type_of(n.a).is_number() || !type_of(n.a).same(type_of(n.c))) {
            diags_.error(where, "`{} of` compares {} among {}; they must be numbers of one type", x.function,
                         tname(type_of(n.c)), tname(type_of(n.a)));
            return none;
        }
        if (x.function == "rank") {
            n.kind = NodeKind::rank_over;
            n.rule = static_cast<std::uint8_t>((x.ties == "worst" ? 1 : 0) | (x.order == "lowest first" ? 2 : 0));
            n.type = Type::ratio(RatioStyle::count);
        } else {
            n.kind = NodeKind::percentile_over;
            n.rule = x.ties == "lower" ? 0 : x.ties == "not lower" ? 1 : 2;
            n.type = Type::ratio();
        }
        return add_node(n);
    }
    if (x.function == "count") {
        n.kind = NodeKind::count;
        n.type = Type::ratio(RatioStyle::count);
        return add_node(n);
    }
    n.a = compile(*x.value, inner);
    if (n.a == none) return none;
    if (!type_of(n.a).is_number()) {
        diags_.error(range_of(n.a), "cannot {} {}", x.function, tname(type_of(n.a)));
        return none;
    }
    if (x.function == "product") {
        // (A product of amounts would be in a power of their unit: only ratios multiply.)
        if (!type_of(n.a).dimensionless()) {
            diags_.error(range_of(n.a), "`product of … over {}` multiplies ratios, but this is {}", x.over.text,
                         tname(type_of(n.a)))
                .hint = "divide it by what it grows from, as in: (1 + dividend / close)";
            return none;
        }
        n.kind = NodeKind::product_over;
        n.type = Type::ratio();
        return add_node(n);
    }
    n.kind = x.function == "sum"    ? NodeKind::sum
             : x.function == "min"  ? NodeKind::min_over
             : x.function == "mean" ? NodeKind::mean_over
                                    : NodeKind::max_over;
    n.type = type_of(n.a);
    return add_node(n);
}


}  // namespace hoshu::eval
