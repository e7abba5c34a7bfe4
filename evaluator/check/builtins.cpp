// Calls: the built-in functions (min, max, clamp, present, months_inclusive, year_before)
// and the plan's tables.
#include "evaluator/check/checker.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>

#include "dsl/base/text.hpp"

namespace hoshu::eval {

namespace {

/// Unwrap expression levels that hold a single operand: `((x))` → x.
const ast::Operand& unwrap(const ast::Operand& op) {
    if (auto const* e = boost::get<x3::forward_ast<ast::Expression>>(&op.get())) {
        if (e->get().rest.empty()) return unwrap(e->get().first);
    }
    return op;
}

/// The built-in functions, each named once: a new one is a row here, an enumerator, and a
/// case of compile_call's switch (which the compiler names).
enum class Builtin { min, max, clamp, present, months_inclusive, year_before, days_between, months_between, month_end };

struct BuiltinFunction {
    std::string_view name;
    Builtin which;
};

constexpr BuiltinFunction builtin_functions[] = {
    {"min", Builtin::min},
    {"max", Builtin::max},
    {"clamp", Builtin::clamp},
    {"present", Builtin::present},
    {"months_inclusive", Builtin::months_inclusive},
    {"days_between", Builtin::days_between},
    {"months_between", Builtin::months_between},
    {"month_end", Builtin::month_end},
    {"year_before", Builtin::year_before},
};

std::optional<Builtin> builtin_function(std::string_view name) {
    for (const auto& b : builtin_functions) {
        if (b.name == name) return b.which;
    }
    return std::nullopt;
}

}  // namespace

bool is_builtin_function(std::string_view name) { return builtin_function(name).has_value(); }

std::string builtin_function_names() {
    std::string out;
    for (const auto& b : builtin_functions) out += (out.empty() ? "" : ", ") + std::string(b.name);
    return out;
}

std::uint32_t Checker::compile_call(const ast::Call& call, const Ctx& c) {
    SourceRange where = rng(c.file, call);
    const std::string& f = call.callee.text;
    std::vector<std::uint32_t> args;
    bool ok = true;
    for (const auto& a : call.args) {
        args.push_back(compile(a, c));
        ok = ok && args.back() != none;
    }
    if (!ok) return none;   // the arguments' own errors are reported
    auto arity = [&](std::size_t lo, std::size_t hi) {
        if (args.size() < lo || args.size() > hi) {
            // A table refused for its built-in name (`table max(…)`): a call meant for it is
            // no second error.
            if (cut_short_.count(f)) return false;
            if (lo == hi)
                diags_.error(where, "`{}` takes {} argument{}, not {}", f, lo, lo == 1 ? "" : "s", args.size());
            else
                diags_.error(where, "`{}` takes at least {} arguments, not {}", f, lo, args.size());
            return false;
        }
        return true;
    };
    Node n;
    n.range = where;
    if (auto builtin = builtin_function(f)) {
        // One case per built-in function: a new one must say how it is compiled.
        switch (*builtin) {
            case Builtin::min:
            case Builtin::max:
            case Builtin::clamp: {
                bool is_clamp = f == "clamp";
                if (!(is_clamp ? arity(3, 3) : arity(2, 64)) || !ok) return none;
                for (std::size_t i = 1; i < args.size(); ++i) adapt_zero(args[0], args[i]);
                for (std::size_t i = 1; i < args.size(); ++i) adapt_zero(args[i], args[0]);
                const Type& t = type_of(args[0]);
                if (!t.is_number() && t.kind != Kind::date) {
                    diags_.error(where, "`{}` works on numbers or dates, not {}", f, tname(t));
                    return none;
                }
                for (std::size_t i = 1; i < args.size(); ++i) {
                    if (!type_of(args[i]).same(t)) {
                        diags_.error(range_of(args[i]), "`{}` needs arguments of one unit: {} and {}", f, tname(t),
                                     tname(type_of(args[i])));
                        return none;
                    }
                }
                n.type = t;
                if (is_clamp) {
                    // Constant ends the wrong way round fail on every evaluation.
                    auto low = fold(args[1]);
                    auto high = fold(args[2]);
                    if (t.kind == Kind::number && low && high && high->number < low->number) {
                        auto& d = diags_.error(where, "clamp's lower end is above its upper end: it fails whenever it is evaluated");
                        d.hint = "the lower end comes first, as in: clamp(x, LOW, HIGH)";
                        return none;
                    }
                    n.kind = NodeKind::clamp;
                    n.a = args[0];
                    n.b = args[1];
                    n.c = args[2];
                } else {
                    n.kind = f == "min" ? NodeKind::min : NodeKind::max;
                    n.args_begin = static_cast<std::uint32_t>(plan_.args.size());
                    n.args_count = static_cast<std::uint32_t>(args.size());
                    plan_.args.insert(plan_.args.end(), args.begin(), args.end());
                }
                return add_node(n);
    
            }
            case Builtin::present: {
                auto const* arg = call.args.size() == 1 && call.args[0].rest.empty()
                                      ? boost::get<ast::Name>(&unwrap(call.args[0].first).get())
                                      : nullptr;
                auto it = arg ? symbols_.find(arg->text) : symbols_.end();
                if (!arg || it == symbols_.end() || it->second.kind != SymbolKind::slot ||
                    plan_.slots[it->second.index].kind != SlotKind::input) {
                    diags_.error(where, "`present` takes the name of an `optional` input, as in: present(left_on)");
                    return none;
                }
                const Slot& target = plan_.slots[it->second.index];
                if (!target.input.optional) {
                    diags_.error(where, "`{}` is not declared `optional`, so it is always present", arg->text);
                    return none;
                }
                if (target.scope > c.scope) {
                    diags_.error(where, "`{}` is a {} input", arg->text, scope_word(target.scope));
                    return none;
                }
                n.kind = NodeKind::present;
                n.aux = it->second.index;
                n.type = Type::boolean();
                return add_node(n);
    
            }
            case Builtin::months_inclusive: {
                if (!arity(2, 2) || !ok) return none;
                if (type_of(args[0]).kind != Kind::date || type_of(args[1]).kind != Kind::date) {
                    diags_.error(where, "`months_inclusive` takes two dates, the first month and the last");
                    return none;
                }
                n.kind = NodeKind::months_inclusive;
                n.a = args[0];
                n.b = args[1];
                n.type = Type::number({0, 0, 1});
                return add_node(n);
    
            }
            case Builtin::days_between:
            case Builtin::months_between: {
                if (!arity(2, 2) || !ok) return none;
                if (type_of(args[0]).kind != Kind::date || type_of(args[1]).kind != Kind::date) {
                    diags_.error(where, "`{}` takes two dates, from and to", f);
                    return none;
                }
                n.kind = NodeKind::date_calc;
                bool days = builtin == Builtin::days_between;
                n.aux = static_cast<std::uint32_t>(days ? DateOp::days_between : DateOp::months_between);
                n.a = args[0];
                n.b = args[1];
                n.type = Type::number(Dimension::of(days ? unit_days : unit_months));
                return add_node(n);
            }
            case Builtin::month_end: {
                if (!arity(1, 1) || !ok) return none;
                if (type_of(args[0]).kind != Kind::date) {
                    diags_.error(where, "`month_end` takes a date");
                    return none;
                }
                n.kind = NodeKind::date_calc;
                n.aux = static_cast<std::uint32_t>(DateOp::month_end);
                n.a = args[0];
                n.type = Type::date();
                return add_node(n);
            }
            case Builtin::year_before: {
                if (!arity(1, 1) || !ok) return none;
                if (type_of(args[0]).kind != Kind::text) {
                    diags_.error(range_of(args[0]), "`year_before` takes a year label (text) such as \"FY2024\"");
                    return none;
                }
                n.kind = NodeKind::year_before;
                n.a = args[0];
                n.type = Type::text();
                return add_node(n);
    
            }
        }
    }
    auto it = symbols_.find(f);
    if (it == symbols_.end() && cut_short_.count(f)) return none;   // its declaration failed to parse
    if (it == symbols_.end() || it->second.kind != SymbolKind::table) {
        auto& d = diags_.error(rng(c.file, call.callee), "unknown function `{}`", f);
        std::vector<std::string> names;
        for (const auto& b : builtin_functions) names.emplace_back(b.name);
        d.hint = "functions are " + join(names) + ", and the plan's tables";
        return none;
    }
    const Table& table = plan_.tables[it->second.index];
    if (!arity(1, 1) || !ok) return none;
    if (tables_in_error_.count(f)) return none;   // its parameter's type is reported
    if (!type_of(args[0]).same(table.parameter_type)) {
        if (table.keyed()) {
            diags_.error(range_of(args[0]), "table `{}` takes {}, but this gives {}", f, tname(table.parameter_type),
                         tname(type_of(args[0])));
        } else {
            table_arguments_.push_back({it->second.index, range_of(args[0]), type_of(args[0])});   // compile_table
        }
        return none;
    }
    n.kind = NodeKind::table;
    n.a = args[0];
    n.aux = it->second.index;
    n.type = table.result_type;
    return add_node(n);
}

}  // namespace hoshu::eval
