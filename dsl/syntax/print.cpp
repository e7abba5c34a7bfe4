#include "dsl/syntax/print.hpp"

#include "dsl/syntax/ast.hpp"
#include "dsl/base/diagnostics.hpp"
#include "dsl/syntax/parse.hpp"
#include "dsl/base/source.hpp"

namespace hoshu::dsl {

namespace {

namespace x3 = boost::spirit::x3;

/// Appends the S-expression of each node to `out`.
class Printer {
public:
    explicit Printer(std::string& out) : out_(out) {}

    // -- Expressions ---------------------------------------------------------------------

    void expression(const ast::Expression& e) {
        // Left-associative: a - b - c is (- (- a b) c), so the text built so far becomes
        // the left operand of each following operation.
        if (e.rest.empty()) {
            operand(e.first);
            return;
        }
        std::string acc;
        Printer(acc).operand(e.first);
        for (const auto& op : e.rest) {
            std::string next = "(" + dashed(op.op) + " " + acc + " ";
            Printer(next).operand(op.operand);
            next += ')';
            acc = std::move(next);
        }
        out_ += acc;
    }

    void operand(const ast::Operand& o) { boost::apply_visitor(OperandVisitor{*this}, o.get()); }

    void number(const ast::NumberLit& n) {
        out_ += n.prefix;
        out_ += n.digits;
        if (!n.unit.empty()) {
            out_ += '[';
            out_ += unit_as_written(n.unit);
            out_ += ']';
        }
    }

    void string(const std::string& s) { out_ += quote_string(s); }

    void unary(const ast::Unary& u) {
        out_ += '(';
        out_ += u.op;
        out_ += ' ';
        operand(u.operand);
        out_ += ')';
    }

    void call(const ast::Call& c) {
        out_ += '(';
        out_ += c.callee.text;
        for (const auto& a : c.args) {
            out_ += ' ';
            expression(a);
        }
        out_ += ')';
    }

    void if_expr(const ast::IfExpr& x) {
        out_ += "(if ";
        expression(x.condition);
        out_ += ' ';
        expression(x.then_branch);
        out_ += ' ';
        expression(x.else_branch);
        out_ += ')';
    }

    void round(const ast::RoundExpr& x) {
        out_ += "(round ";
        out_ += dashed(x.mode);
        out_ += ' ';
        expression(x.value);
        out_ += ' ';
        expression(x.unit);
        out_ += ')';
    }

    void series_window(const ast::SeriesWindow& x) {
        out_ += "(" + x.function + "-window " + x.series.text;
        if (x.count) {
            out_ += " (last ";
            operand(*x.count);
            out_ += ')';
        }
        if (x.from) {
            out_ += " (" + x.from_kind + ' ';
            operand(*x.from);
            out_ += ')';
        }
        out_ += " (" + x.to_kind + ' ';
        operand(x.to);
        out_ += "))";
    }

    void last_before(const ast::LastBefore& x) {
        if (x.bound == "up to") out_ += x.want_date ? "(date-of-last-up-to " : "(last-up-to ";
        else out_ += x.want_date ? "(date-of-last-before " : "(last-before ";
        out_ += x.series.text;
        out_ += ' ';
        operand(x.date);
        out_ += ')';
    }

    void series_product(const ast::SeriesProduct& x) {
        out_ += "(product-of ";
        out_ += x.series.text;
        out_ += " (after ";
        operand(x.after);
        out_ += ") (up-to ";
        operand(x.up_to);
        out_ += "))";
    }

    void aggregate(const ast::Aggregate& x) {
        out_ += '(';
        out_ += x.function;
        out_ += "-of ";
        out_ += x.over.text;
        if (x.value) {
            out_ += ' ';
            expression(*x.value);
        }
        if (x.among) {
            out_ += " (among ";
            expression(*x.among);
            out_ += ')';
        }
        if (x.where) {
            out_ += " (where ";
            expression(*x.where);
            out_ += ')';
        }
        if (!x.order.empty()) out_ += " (" + dashed(x.order) + ")";
        if (!x.ties.empty()) out_ += " (ties " + dashed(x.ties) + ")";
        out_ += ')';
    }

    // -- Declarations --------------------------------------------------------------------

    void type_ref(const ast::TypeRef& t) {
        out_ += t.base.text;
        if (t.per) {
            out_ += '/';
            out_ += t.per->text;
        }
    }

    void annotations(const ast::Annotations& as) {
        for (const auto& a : as) {
            out_ += " (";
            out_ += a.keyword;
            if (a.clause) {
                out_ += ' ';
                out_ += a.clause->text;
            }
            if (a.text) {
                out_ += ' ';
                string(a.text->value);
            }
            out_ += ')';
        }
    }

    void declaration(const ast::Declaration& d) { boost::apply_visitor(DeclarationVisitor{*this}, d.get()); }

    void plan(const ast::PlanDecl& p) {
        out_ += "(plan ";
        string(p.title.value);
        if (p.effective) out_ += " (effective " + p.effective->text + ")";
        if (p.as_of) out_ += " (as-of " + p.as_of->text + ")";
        if (p.shared_inputs) {
            out_ += " (inputs-shared-with ";
            string(p.shared_inputs->value);
            out_ += ')';
        }
        if (!p.outputs.empty()) {
            out_ += " (outputs";
            for (const auto& n : p.outputs) out_ += " " + n.text;
            out_ += ')';
        }
        if (!p.grants.empty()) {
            out_ += " (grants";
            for (const auto& n : p.grants) out_ += " " + n.text;
            out_ += ')';
        }
        annotations(p.annotations);
        out_ += ')';
    }

    void import(const ast::ImportDecl& i) {
        out_ += "(import ";
        string(i.path.value);
        annotations(i.annotations);
        out_ += ')';
    }

    void scope(const ast::ScopeDecl& s) {
        out_ += '(';
        out_ += s.record.text.empty() ? s.keyword : s.keyword + "-" + s.record.text;
        annotations(s.annotations);
        out_ += ')';
    }

    void unit(const ast::UnitDecl& u) {
        out_ += "(unit " + u.name.text;
        if (u.symbol) out_ += " (currency \"" + u.symbol->value + "\")";
        if (u.minor) out_ += " (minor " + *u.minor + ")";
        if (u.plural) out_ += " (plural " + u.plural->text + ")";
        if (u.whole) out_ += " whole";
        annotations(u.annotations);
        out_ += ')';
    }

    void type(const ast::TypeDecl& t) {
        out_ += "(type " + t.name.text + " (";
        for (std::size_t i = 0; i < t.members.size(); ++i) {
            if (i > 0) out_ += ' ';
            out_ += t.members[i].text;
        }
        out_ += ')';
        annotations(t.annotations);
        out_ += ')';
    }

    void param(const ast::ParamDecl& p) {
        out_ += "(param " + p.name.text + " ";
        type_ref(p.type);
        for (const auto& v : p.values) {
            out_ += " (= ";
            expression(v.value);
            if (v.from) out_ += " from " + v.from->text;
            out_ += ')';
        }
        annotations(p.annotations);
        out_ += ')';
    }

    /// ` (range LOW HIGH)`, ` (range (from LOW))`, ` (range (up-to HIGH))`.
    void range(const ast::RangeSpec& r) {
        out_ += " (range ";
        if (r.low && r.high) {
            expression(*r.low);
            out_ += ' ';
            expression(*r.high);
        } else if (r.low) {
            out_ += "(from ";
            expression(*r.low);
            out_ += ')';
        } else if (r.high) {
            out_ += "(up-to ";
            expression(*r.high);
            out_ += ')';
        }
        out_ += ')';
    }

    void input(const ast::InputDecl& i) {
        out_ += "(" + i.keyword + " " + i.name.text + " ";
        type_ref(i.type);
        out_ += " (at " + i.path.text + ")";
        if (i.range) range(*i.range);
        if (i.optional) out_ += " (optional)";
        if (i.default_value) {
            out_ += " (default ";
            expression(*i.default_value);
            out_ += ')';
        }
        annotations(i.annotations);
        out_ += ')';
    }

    void series(const ast::SeriesDecl& s) {
        out_ += "(series " + s.name.text + " ";
        type_ref(s.type);
        out_ += " (at " + s.path.text + " " + s.date_key.text + " " + s.value_key.text + ")";
        annotations(s.annotations);
        out_ += ')';
    }

    void collection(const ast::CollectionDecl& d) {
        out_ += "(collection " + d.plural.text + " " + d.singular.text + " (at " + d.path.text + ")";
        if (!d.keys.empty()) {
            out_ += " (key";
            for (const auto& k : d.keys) out_ += " " + k.text;
            out_ += ")";
        }
        if (d.parent) out_ += " (belongs-to " + d.parent->singular.text + " " + d.parent->field.text + ")";
        annotations(d.annotations);
        out_ += ')';
    }

    void value(const ast::ValueDecl& v) {
        out_ += "(" + v.keyword + " " + v.name.text + " ";
        type_ref(v.type);
        out_ += ' ';
        expression(v.value);
        if (v.range) range(*v.range);
        annotations(v.annotations);
        out_ += ')';
    }

    void table(const ast::TableDecl& t) {
        out_ += "(table " + t.name.text + " (" + t.parameter.text + " ";
        type_ref(t.parameter_type);
        out_ += ") ";
        type_ref(t.result_type);
        if (t.monotone) out_ += " (monotone)";
        for (const auto& row : t.rows) {
            out_ += " (row";
            if (row.key) out_ += " (key " + *row.key + ")";
            for (const auto& b : row.bounds) {
                out_ += " (" + dashed(b.kind) + " ";
                expression(b.value);
                out_ += ')';
            }
            out_ += ' ';
            if (row.linear) {
                out_ += "(linear ";
                expression(row.value);
                if (row.value_to) {
                    out_ += ' ';
                    expression(*row.value_to);
                }
                out_ += ')';
            } else {
                expression(row.value);
                if (row.value_to) {   // the checker rejects `to` without `linear`
                    out_ += " (to ";
                    expression(*row.value_to);
                    out_ += ')';
                }
            }
            out_ += ')';
        }
        annotations(t.annotations);
        out_ += ')';
    }

    void limit(const ast::LimitDecl& l) {
        out_ += "(limit " + l.name.text + " ";
        expression(l.condition);
        if (l.allocation) {
            out_ += " (allocate pro-rata (";
            for (std::size_t i = 0; i < l.allocation->outputs.size(); ++i) {
                if (i > 0) out_ += ' ';
                out_ += l.allocation->outputs[i].text;
            }
            out_ += ") (round " + dashed(l.allocation->mode) + " ";
            expression(l.allocation->unit);
            out_ += "))";
        }
        annotations(l.annotations);
        out_ += ')';
    }

    void require(const ast::RequireDecl& r) {
        out_ += "(require " + r.name.text + " ";
        expression(r.condition);
        annotations(r.annotations);
        out_ += ')';
    }

    void test(const ast::TestDecl& t) {
        out_ += "(test ";
        string(t.title.value);
        out_ += " (inputs ";
        string(t.inputs.value);
        out_ += ')';
        if (t.carry_from) {
            out_ += " (carry-from ";
            string(t.carry_from->value);
            out_ += ')';
        }
        for (const auto& e : t.expectations) {
            out_ += e.violation ? " (expect-violation " : " (expect ";
            out_ += e.name.text;
            if (e.record) {
                out_ += " (for ";
                string(*e.record);
                out_ += ')';
            }
            if (e.expected) {
                out_ += ' ';
                expression(*e.expected);
            }
            out_ += ')';
        }
        annotations(t.annotations);
        out_ += ')';
    }

    void carry(const ast::CarryDecl& c) {
        out_ += "(carry " + c.path.text;
        for (const auto& clause : c.clauses) {
            out_ += " (for-each " + clause.record;
            if (clause.where) {
                out_ += " (where ";
                expression(*clause.where);
                out_ += ')';
            }
            for (const auto& f : clause.fields) {
                out_ += " (= " + f.field.text + " ";
                expression(f.value);
                out_ += ')';
            }
            out_ += ')';
        }
        annotations(c.annotations);
        out_ += ')';
    }

private:
    /// "is not" → "is-not", "half up" → "half-up", "per director" → "per-director".
    static std::string dashed(std::string s) {
        for (char& c : s) {
            if (c == ' ') c = '-';
        }
        return s;
    }

    struct OperandVisitor {
        using result_type = void;
        Printer& p;
        void operator()(const ast::Nil&) const { p.out_ += "<nil>"; }
        void operator()(const ast::NumberLit& n) const { p.number(n); }
        void operator()(const ast::DateLit& d) const { p.out_ += d.text; }
        void operator()(const ast::StringLit& s) const { p.string(s.value); }
        void operator()(const ast::BoolLit& b) const { p.out_ += b.value ? "true" : "false"; }
        void operator()(const ast::Name& n) const { p.out_ += n.text; }
        void operator()(const x3::forward_ast<ast::Unary>& u) const { p.unary(u.get()); }
        void operator()(const x3::forward_ast<ast::Call>& c) const { p.call(c.get()); }
        void operator()(const x3::forward_ast<ast::IfExpr>& x) const { p.if_expr(x.get()); }
        void operator()(const x3::forward_ast<ast::RoundExpr>& x) const { p.round(x.get()); }
        void operator()(const x3::forward_ast<ast::LastBefore>& x) const { p.last_before(x.get()); }
        void operator()(const x3::forward_ast<ast::Aggregate>& x) const { p.aggregate(x.get()); }
        void operator()(const x3::forward_ast<ast::SeriesProduct>& x) const { p.series_product(x.get()); }
        void operator()(const x3::forward_ast<ast::SeriesWindow>& x) const { p.series_window(x.get()); }
        void operator()(const x3::forward_ast<ast::Expression>& e) const { p.expression(e.get()); }
    };

    struct DeclarationVisitor {
        using result_type = void;
        Printer& p;
        void operator()(const ast::PlanDecl& d) const { p.plan(d); }
        void operator()(const ast::ImportDecl& d) const { p.import(d); }
        void operator()(const ast::ScopeDecl& d) const { p.scope(d); }
        void operator()(const ast::UnitDecl& d) const { p.unit(d); }
        void operator()(const ast::TypeDecl& d) const { p.type(d); }
        void operator()(const ast::ParamDecl& d) const { p.param(d); }
        void operator()(const ast::InputDecl& d) const { p.input(d); }
        void operator()(const ast::SeriesDecl& d) const { p.series(d); }
        void operator()(const ast::CollectionDecl& d) const { p.collection(d); }
        void operator()(const ast::ValueDecl& d) const { p.value(d); }
        void operator()(const ast::TableDecl& d) const { p.table(d); }
        void operator()(const ast::LimitDecl& d) const { p.limit(d); }
        void operator()(const ast::RequireDecl& d) const { p.require(d); }
        void operator()(const ast::TestDecl& d) const { p.test(d); }
        void operator()(const ast::CarryDecl& d) const { p.carry(d); }
    };

    std::string& out_;
};

}  // namespace

std::string print(const ast::Declaration& declaration) {
    std::string out;
    Printer(out).declaration(declaration);
    return out;
}

std::string print(const ast::Expression& expression) {
    std::string out;
    Printer(out).expression(expression);
    return out;
}

std::string print_declarations(std::string_view rule_text, std::string& errors) {
    SourceManager sm;
    FileId id = sm.add("test.hoshu", std::string(rule_text));
    Diagnostics diags;
    std::shared_ptr<ast::File> file = parse_file(sm, id, diags);
    errors = render(sm, diags);
    std::string out;
    for (const auto& d : file->declarations) {
        if (!out.empty()) out += '\n';
        out += print(d);
    }
    return out;
}

std::string quote_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out + '"';
}

std::string unit_as_written(std::string_view unit) {
    std::string out;
    bool blank = false;
    for (char c : unit) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            blank = true;
            continue;
        }
        if (blank && !out.empty()) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

}  // namespace hoshu::dsl
