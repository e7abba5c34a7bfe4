#include "dsl/syntax/format.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/parse.hpp"
#include "dsl/syntax/print.hpp"

namespace hoshu::dsl {

namespace {

namespace x3 = boost::spirit::x3;

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// -----------------------------------------------------------------------------------------
// Comments

struct Comment {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;    // after the last non-blank character
    bool own_line = false;    // nothing but blanks before it on its line
    std::string text;         // from `#`, trailing blanks removed
};

std::vector<Comment> scan_comments(std::string_view t) {
    std::vector<Comment> out;
    bool line_has_code = false;
    std::size_t i = 0;
    while (i < t.size()) {
        char c = t[i];
        if (c == '\n') {
            line_has_code = false;
            ++i;
        } else if (c == '"') {   // quoted text: `#` inside is not a comment
            line_has_code = true;
            ++i;
            while (i < t.size() && t[i] != '"' && t[i] != '\n') {
                if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] != '\n') ++i;
                ++i;
            }
            if (i < t.size() && t[i] == '"') ++i;
        } else if (c == '#') {
            std::size_t eol = t.find('\n', i);
            if (eol == std::string_view::npos) eol = t.size();
            std::size_t stop = eol;
            while (stop > i && is_blank(t[stop - 1])) --stop;
            out.push_back(Comment{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(stop), !line_has_code,
                                  std::string(t.substr(i, stop - i))});
            i = eol;
        } else {
            if (!is_blank(c)) line_has_code = true;
            ++i;
        }
    }
    return out;
}

/// Where the comments are, for questions by byte offset.
class CommentIndex {
public:
    CommentIndex(std::string_view text, const std::vector<Comment>& comments) : text_(text) {
        for (const auto& c : comments) {
            begins_.push_back(c.begin);
            by_end_[c.end] = c.begin;
        }
    }

    /// True when a comment starts in (begin, end).
    bool inside(std::uint32_t begin, std::uint32_t end) const {
        if (end <= begin + 1) return false;
        auto it = std::upper_bound(begins_.begin(), begins_.end(), begin);
        return it != begins_.end() && *it < end;
    }

    /// The offset just after the last character of code before `pos` (blanks and comments
    /// skipped); 0 when there is none.
    std::size_t code_end_before(std::uint32_t pos) const {
        std::size_t i = std::min<std::size_t>(pos, text_.size());
        while (true) {
            while (i > 0 && (is_blank(text_[i - 1]) || text_[i - 1] == '\n')) --i;
            auto it = by_end_.find(static_cast<std::uint32_t>(i));
            if (i > 0 && it != by_end_.end() && it->second < i) {
                i = it->second;
                continue;
            }
            return i;
        }
    }

    /// The last character of code before `pos`, or 0.
    char code_before(std::uint32_t pos) const {
        std::size_t i = code_end_before(pos);
        return i > 0 ? text_[i - 1] : '\0';
    }

    /// The offset of the first character of code at or after `pos` (blanks and comments skipped).
    std::size_t code_after(std::size_t pos) const {
        std::size_t i = pos;
        while (i < text_.size()) {
            if (is_blank(text_[i]) || text_[i] == '\n') {
                ++i;
            } else if (text_[i] == '#') {
                while (i < text_.size() && text_[i] != '\n') ++i;
            } else {
                break;
            }
        }
        return i;
    }

    std::string_view text() const { return text_; }

private:
    std::string_view text_;
    std::vector<std::uint32_t> begins_;
    std::map<std::uint32_t, std::uint32_t> by_end_;
};

// -----------------------------------------------------------------------------------------
// Comments and line breaks
//
// Each printed line records the source offsets of its "anchors": the tokens a comment can
// attach to. A comment lies in the gap between two consecutive anchors t and u; a comment
// after code goes to the end of t's line, a comment on a line of its own before u's line.
// The layout guarantees that t and u end up on different lines, so that the comment is
// found in the same gap when the output is formatted again (idempotence). That is why only
// tokens that the layout can separate by a line break are anchors: the operands of an
// expression (not its operators, keywords or parentheses), a declaration's name, each
// table row, each annotation, each `expect`. A node with a comment between its first and
// last anchor is never printed on one line.

// -----------------------------------------------------------------------------------------
// Expressions, as the printer sees them: the grammar's levels folded away, parentheses
// explicit (those the author wrote, and those the meaning needs).

enum class Kind { atom, paren, chain, unary, call, if_then, round, last, product, aggregate, window };

// Precedence, from loosest to tightest.
enum Prec : int { p_or = 1, p_and = 2, p_not = 3, p_compare = 4, p_add = 5, p_mul = 6 };

int precedence_of(const std::string& op) {
    if (op == "or") return p_or;
    if (op == "and") return p_and;
    if (op == "+" || op == "-") return p_add;
    if (op == "*" || op == "/") return p_mul;
    return p_compare;   // < <= > >= == != is, is not
}

struct Node {
    Kind kind = Kind::atom;
    std::string text;      // atom: as printed; unary: "-" or "not"; call: callee; round: mode;
                           // last, product: the series; aggregate: the function
    std::string over;      // aggregate: "directors", "grants", "items"
    std::string tail;      // rank, percentile: ", highest first, ties worst"
    bool flag = false;     // atom: a plain integer; last: `date of last`; aggregate: has a value
    bool has_among = false;   // rank, percentile: `among X` (the second kid)
    bool has_where = false;
    int prec = 0;          // chain
    std::uint32_t begin = 0, end = 0;        // atom: its source range
    std::uint32_t first = none, last = none; // the first and last anchor (atom) inside
    std::vector<Node> kids;
    std::vector<std::string> ops;
};

/// Sets `first` and `last` from the children.
void span_kids(Node& n) {
    for (const Node& k : n.kids) {
        if (k.first == none) continue;
        if (n.first == none) n.first = k.first;
        n.last = k.last;
    }
}

/// True when more operators written after the node would be taken into it: `if … else x`
/// followed by `+ 1` adds 1 to x.
bool open_ended(const Node& n) {
    switch (n.kind) {
    case Kind::if_then: return true;
    case Kind::aggregate: return n.has_where && n.tail.empty();
    case Kind::unary:
    case Kind::chain:
    case Kind::last:
    case Kind::window:
    case Kind::product: return open_ended(n.kids.back());
    case Kind::atom:
    case Kind::paren:
    case Kind::call:
    case Kind::round: return false;
    }
    return false;
}

Node parenthesised(Node inner) {
    Node p;
    p.kind = Kind::paren;
    p.kids.push_back(std::move(inner));
    span_kids(p);
    return p;
}

std::string number_text(const ast::NumberLit& n) {
    std::string out = n.prefix + n.digits;
    std::string unit = unit_as_written(n.unit);
    if (unit.empty()) return out;
    if (unit == "%" || unit[0] == '/') return out + unit;
    return out + " " + unit;
}

bool plain_integer(const ast::NumberLit& n) {
    return n.prefix.empty() && n.unit.empty() && !n.digits.empty() &&
           std::all_of(n.digits.begin(), n.digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Builds Nodes from the syntax tree.
class Converter {
public:
    explicit Converter(const CommentIndex& comments) : comments_(comments) {}

    /// Numbers whose unit holds a comment (`¥1 per # …` + `share`): the parser keeps the
    /// comment in the unit's text, so the file cannot be re-printed faithfully.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> units_with_comments;

    Node expression(const ast::Expression& x) {
        if (x.rest.empty()) return operand(x.first, &x);
        Node n;
        n.kind = Kind::chain;
        n.prec = precedence_of(x.rest.front().op);
        n.kids.push_back(operand(x.first, &x));
        for (const auto& op : x.rest) {
            n.ops.push_back(op.op);
            n.kids.push_back(operand(op.operand, nullptr));
        }
        for (std::size_t i = 0; i < n.kids.size(); ++i) {
            Node& k = n.kids[i];
            bool needs = (k.kind == Kind::chain && k.prec <= n.prec) ||
                         (k.kind == Kind::unary && k.text == "not" && n.prec > p_and) ||
                         (i + 1 < n.kids.size() && open_ended(k));
            if (needs) k = parenthesised(std::move(k));
        }
        span_kids(n);
        return n;
    }

    /// `first_of`: the expression whose first operand this is (a grammar level holding a
    /// single operand starts where its operand starts; a parenthesised one does not).
    Node operand(const ast::Operand& o, const ast::Expression* first_of) {
        struct Visitor {
            using result_type = Node;
            Converter& c;
            const ast::Expression* first_of;
            Node operator()(const ast::Nil&) const { return Node{}; }
            Node operator()(const ast::NumberLit& n) const {
                if (n.unit.find('#') != std::string::npos) c.units_with_comments.emplace_back(n.begin, n.end);
                Node a = atom(number_text(n), n);
                a.flag = plain_integer(n);
                return a;
            }
            Node operator()(const ast::DateLit& d) const { return atom(d.text, d); }
            Node operator()(const ast::StringLit& s) const { return atom(quote_string(s.value), s); }
            Node operator()(const ast::BoolLit& b) const { return atom(b.value ? "true" : "false", b); }
            Node operator()(const ast::Name& n) const { return atom(n.text, n); }
            Node operator()(const x3::forward_ast<ast::Unary>& u) const { return c.unary(u.get()); }
            Node operator()(const x3::forward_ast<ast::Call>& x) const { return c.call(x.get()); }
            Node operator()(const x3::forward_ast<ast::IfExpr>& x) const { return c.if_then(x.get()); }
            Node operator()(const x3::forward_ast<ast::RoundExpr>& x) const { return c.round(x.get()); }
            Node operator()(const x3::forward_ast<ast::LastBefore>& x) const { return c.last(x.get()); }
            Node operator()(const x3::forward_ast<ast::Aggregate>& x) const { return c.aggregate(x.get()); }
            Node operator()(const x3::forward_ast<ast::SeriesProduct>& x) const { return c.product(x.get()); }
            Node operator()(const x3::forward_ast<ast::SeriesWindow>& x) const { return c.window(x.get()); }
            Node operator()(const x3::forward_ast<ast::Expression>& e) const {
                const ast::Expression& x = e.get();
                bool paren = first_of != nullptr ? x.begin != first_of->begin : c.comments_.code_before(x.begin) == '(';
                Node inner = c.expression(x);
                return paren ? parenthesised(std::move(inner)) : inner;
            }
            static Node atom(std::string text, const ast::Located& l) {
                Node a;
                a.text = std::move(text);
                a.begin = l.begin;
                a.end = l.end;
                a.first = a.last = l.begin;
                return a;
            }
        };
        return boost::apply_visitor(Visitor{*this, first_of}, o.get());
    }

    /// An operand that the grammar reads as `negation` (after unary minus, `before`,
    /// `after`, `up to`): anything looser needs parentheses.
    Node tight_operand(const ast::Operand& o) {
        Node n = operand(o, nullptr);
        if (n.kind == Kind::chain || open_ended(n) || (n.kind == Kind::unary && n.text == "not"))
            n = parenthesised(std::move(n));
        return n;
    }

    Node unary(const ast::Unary& u) {
        Node n;
        n.kind = Kind::unary;
        n.text = u.op;
        if (u.op == "not") {
            Node k = operand(u.operand, nullptr);
            if (k.kind == Kind::chain && k.prec <= p_and) k = parenthesised(std::move(k));
            n.kids.push_back(std::move(k));
        } else {
            n.kids.push_back(tight_operand(u.operand));
        }
        span_kids(n);
        return n;
    }

    Node call(const ast::Call& x) {
        Node n;
        n.kind = Kind::call;
        n.text = x.callee.text;
        for (const auto& a : x.args) n.kids.push_back(expression(a));
        span_kids(n);
        return n;
    }

    Node if_then(const ast::IfExpr& x) {
        Node n;
        n.kind = Kind::if_then;
        n.kids.push_back(expression(x.condition));
        n.kids.push_back(expression(x.then_branch));
        n.kids.push_back(expression(x.else_branch));
        span_kids(n);
        return n;
    }

    Node round(const ast::RoundExpr& x) {
        Node n;
        n.kind = Kind::round;
        n.text = x.mode;
        n.kids.push_back(expression(x.value));
        n.kids.push_back(expression(x.unit));
        span_kids(n);
        return n;
    }

    Node last(const ast::LastBefore& x) {
        Node n;
        n.kind = Kind::last;
        n.text = x.series.text;
        n.over = x.bound;   // "before" or "up to"
        n.flag = x.want_date;
        n.kids.push_back(tight_operand(x.date));
        span_kids(n);
        return n;
    }

    /// `close on d`, `mean of last 20 close before d`, `sum of dividend from d1 up to d2`:
    /// the words before each operand, then the operand.
    Node window(const ast::SeriesWindow& x) {
        Node n;
        n.kind = Kind::window;
        if (x.function == "on") {
            n.ops.push_back(x.series.text + " on ");
            n.kids.push_back(tight_operand(x.to));
        } else if (x.function == "mean") {
            n.ops.push_back("mean of last ");
            n.kids.push_back(tight_operand(*x.count));
            n.ops.push_back(" " + x.series.text + " " + x.to_kind + " ");
            n.kids.push_back(tight_operand(x.to));
        } else {
            n.ops.push_back(x.function + " of " + x.series.text + " " + x.from_kind + " ");
            n.kids.push_back(tight_operand(*x.from));
            n.ops.push_back(" " + x.to_kind + " ");
            n.kids.push_back(tight_operand(x.to));
        }
        span_kids(n);
        return n;
    }

    Node product(const ast::SeriesProduct& x) {
        Node n;
        n.kind = Kind::product;
        n.text = x.series.text;
        n.kids.push_back(tight_operand(x.after));
        n.kids.push_back(tight_operand(x.up_to));
        span_kids(n);
        return n;
    }

    Node aggregate(const ast::Aggregate& x) {
        Node n;
        n.kind = Kind::aggregate;
        n.text = x.function;
        n.over = x.over.text;
        if (x.value) {
            n.flag = true;
            n.kids.push_back(expression(*x.value));
        }
        if (x.among) {
            n.has_among = true;
            n.kids.push_back(expression(*x.among));
        }
        if (!x.order.empty()) n.tail += ", " + x.order;
        if (!x.ties.empty()) n.tail += ", ties " + x.ties;
        if (x.where) {
            n.has_where = true;
            n.kids.push_back(expression(*x.where));
        }
        span_kids(n);
        return n;
    }

private:
    const CommentIndex& comments_;
};

// -----------------------------------------------------------------------------------------
// Output lines

struct Line {
    int indent = 0;
    std::string text;
    std::uint32_t lo = none;   // the first anchor on the line
    std::uint32_t hi = 0;      // the end of the last token printed from a known place
    int decl = -1;
    bool first_of_decl = false;
    bool is_end = false;
};

class Printer {
public:
    Printer(const CommentIndex& comments, std::size_t width) : comments_(comments), width_(static_cast<int>(width)) {}

    std::vector<Line>& lines() { return lines_; }

    void begin_declaration(int indent) {
        ++decl_;
        newline(indent);
        lines_.back().first_of_decl = true;
    }
    void newline(int indent) {
        Line l;
        l.indent = indent;
        l.decl = decl_;
        lines_.push_back(std::move(l));
    }
    void put(std::string_view s) { lines_.back().text += s; }

    /// Records a token printed on the current line: an anchor, unless quiet.
    void anchor(std::uint32_t begin, std::uint32_t end) {
        if (begin == none) return;
        Line& l = lines_.back();
        if (quiet_ == 0) l.lo = std::min(l.lo, begin);
        l.hi = std::max(l.hi, std::max(end, begin + 1));
    }
    void name(const ast::Name& n) {
        anchor(n.begin, n.end);
        put(n.text);
    }
    /// A name printed without becoming an anchor.
    void quiet_name(const ast::Name& n) {
        ++quiet_;
        name(n);
        --quiet_;
    }
    /// Tokens printed inside are not anchors, and comments do not break them.
    struct Quiet {
        Printer& p;
        explicit Quiet(Printer& printer) : p(printer) { ++p.quiet_; }
        ~Quiet() { --p.quiet_; }
    };

    int col() const { return lines_.back().indent + static_cast<int>(display_width(lines_.back().text)); }
    int width() const { return width_; }

    /// True when a comment lies between the anchors `a` and `b` (so they need two lines).
    bool comment_between(std::uint32_t a, std::uint32_t b) const {
        return quiet_ == 0 && a != none && b != none && comments_.inside(a, b);
    }
    bool comment_inside(const Node& n) const { return comment_between(n.first, n.last); }

    // -- Expressions -----------------------------------------------------------------------

    /// The node on one line.
    void flat(const Node& n) {
        switch (n.kind) {
        case Kind::atom:
            anchor(n.begin, n.end);
            put(n.text);
            break;
        case Kind::paren:
            put("(");
            flat(n.kids[0]);
            put(")");
            break;
        case Kind::chain: {
            bool fraction = n.ops.size() == 1 && n.ops[0] == "/" && n.kids[0].kind == Kind::atom && n.kids[0].flag &&
                            n.kids[1].kind == Kind::atom && n.kids[1].flag;
            flat(n.kids[0]);
            for (std::size_t i = 0; i < n.ops.size(); ++i) {
                put(fraction ? n.ops[i] : " " + n.ops[i] + " ");
                flat(n.kids[i + 1]);
            }
            break;
        }
        case Kind::unary:
            put(n.text == "not" ? "not " : "-");
            flat(n.kids[0]);
            break;
        case Kind::call:
        case Kind::round:
            put(call_head(n));
            for (std::size_t i = 0; i < n.kids.size(); ++i) {
                if (i > 0) put(", ");
                flat(n.kids[i]);
            }
            put(")");
            break;
        case Kind::if_then:
            put("if ");
            flat(n.kids[0]);
            put(" then ");
            flat(n.kids[1]);
            put(" else ");
            flat(n.kids[2]);
            break;
        case Kind::last:
            put((n.flag ? "date of last " : "last ") + n.text + " " + n.over + " ");
            flat(n.kids[0]);
            break;
        case Kind::window:
            for (std::size_t i = 0; i < n.kids.size(); ++i) {
                put(n.ops[i]);
                flat(n.kids[i]);
            }
            break;
        case Kind::product:
            put("product of " + n.text + " after ");
            flat(n.kids[0]);
            put(" up to ");
            flat(n.kids[1]);
            break;
        case Kind::aggregate:
            put(n.text + " of ");
            if (n.flag) {
                flat(n.kids[0]);
                if (n.has_among) {
                    put(" among ");
                    flat(n.kids[1]);
                }
                put(" over ");
            }
            put(n.over);
            if (n.has_where) {
                put(" where ");
                flat(n.kids.back());
            }
            put(n.tail);
            break;
        }
    }

    /// The width of the node on one line.
    int flat_width(const Node& n) const {
        Printer scratch(comments_, static_cast<std::size_t>(width_));
        scratch.newline(0);
        scratch.flat(n);
        return static_cast<int>(display_width(scratch.lines_.back().text));
    }

    bool fits(const Node& n, int trail) const {
        return !comment_inside(n) && col() + flat_width(n) + trail <= width_;
    }

    /// The node from the current column, broken over lines where it does not fit (or where
    /// a comment separates two of its anchors); `trail` columns will follow its last line.
    void layout(const Node& n, int trail, bool force_break = false) {
        if (!force_break && fits(n, trail)) {
            flat(n);
            return;
        }
        switch (n.kind) {
        case Kind::atom: flat(n); break;
        case Kind::paren:
            put("(");
            layout(n.kids[0], trail + 1);
            put(")");
            break;
        case Kind::chain: {
            int base = col();
            layout(n.kids[0], 0);
            for (std::size_t i = 0; i < n.ops.size(); ++i) {
                newline(base);
                put(n.ops[i] + " ");
                layout(n.kids[i + 1], i + 1 == n.ops.size() ? trail : 0);
            }
            break;
        }
        case Kind::unary:
            put(n.text == "not" ? "not " : "-");
            layout(n.kids[0], trail);
            break;
        case Kind::call:
        case Kind::round: {
            put(call_head(n));
            int args_col = col();
            bool previous_on_one_line = true;
            for (std::size_t i = 0; i < n.kids.size(); ++i) {
                const Node& arg = n.kids[i];
                int arg_trail = i + 1 == n.kids.size() ? trail + 1 : 1;
                if (i > 0) {
                    put(",");
                    if (previous_on_one_line && !comment_between(n.kids[i - 1].last, arg.first) &&
                        fits_after(arg, 1, arg_trail)) {
                        put(" ");
                        flat(arg);
                        continue;
                    }
                    newline(args_col);
                }
                std::size_t before = lines_.size();
                layout(arg, arg_trail);
                previous_on_one_line = lines_.size() == before;
            }
            put(")");
            break;
        }
        case Kind::if_then: if_then(n, trail); break;
        case Kind::last:
            put((n.flag ? "date of last " : "last ") + n.text + " " + n.over + " ");
            layout(n.kids[0], trail);
            break;
        case Kind::window: {
            // (A comment between two bounds ends its line: the next bound's words start the
            // next one, so that the comment stays where it was.)
            const int base = col();
            for (std::size_t i = 0; i < n.kids.size(); ++i) {
                if (i > 0 && comment_between(n.kids[i - 1].last, n.kids[i].first)) {
                    newline(base + 2);
                    const std::string& op = n.ops[i];
                    put(op.substr(std::min(op.find_first_not_of(' '), op.size())));
                } else {
                    put(n.ops[i]);
                }
                layout(n.kids[i], i + 1 == n.kids.size() ? trail : 0);
            }
            break;
        }
        case Kind::product: {
            int base = col();
            put("product of " + n.text + " after ");
            layout(n.kids[0], 0);
            newline(base + 4);
            put("up to ");
            layout(n.kids[1], trail);
            break;
        }
        case Kind::aggregate: {
            int base = col();
            put(n.text + " of ");
            int tail = static_cast<int>(display_width(n.tail));
            if (n.flag && n.has_among && comment_inside(n)) {
                // A comment inside: one part a line, so that it stays where it was written.
                layout(n.kids[0], 0);
                newline(base + 4);
                put("among ");
                layout(n.kids[1], 0);
                newline(base + 4);
                put("over ");
            } else if (n.flag && n.has_among) {
                layout(n.kids[0], 6);
                put(" among ");
                layout(n.kids[1], static_cast<int>(n.over.size()) + 6 + (n.has_where ? 0 : tail + trail));
                put(" over ");
            } else if (n.flag) {
                layout(n.kids[0], static_cast<int>(n.over.size()) + 6 + (n.has_where ? 0 : tail + trail));
                put(" over ");
            }
            put(n.over);
            if (n.has_where) {
                newline(base + 4);
                put("where ");
                layout(n.kids.back(), tail + trail);
            }
            put(n.tail);
            break;
        }
        }
    }

    /// True when the node fits on one line after `gap` more columns.
    bool fits_after(const Node& n, int gap, int trail) const {
        return !comment_inside(n) && col() + gap + flat_width(n) + trail <= width_;
    }

private:
    static std::string call_head(const Node& n) {
        return n.kind == Kind::call ? n.text + "(" : "round " + n.text + "(";
    }

    /// `if C` / `then A` / `else B`; an `else if` chain one line per arm.
    void if_then(const Node& n, int trail) {
        int base = col();
        std::vector<const Node*> arms{&n};
        while (arms.back()->kids[2].kind == Kind::if_then) arms.push_back(&arms.back()->kids[2]);
        const Node& otherwise = arms.back()->kids[2];
        if (arms.size() == 1) {
            put("if ");
            layout(n.kids[0], 0);
            newline(base);
            put("then ");
            layout(n.kids[1], 0);
        } else {
            for (std::size_t k = 0; k < arms.size(); ++k) {
                const Node& c = arms[k]->kids[0];
                const Node& a = arms[k]->kids[1];
                if (k > 0) {
                    newline(base);
                    put("else ");
                }
                put("if ");
                if (!comment_between(c.first, a.last) && col() + flat_width(c) + 6 + flat_width(a) <= width_) {
                    flat(c);
                    put(" then ");
                    flat(a);
                } else {
                    layout(c, 0);
                    newline(base);
                    put("then ");
                    layout(a, 0);
                }
            }
        }
        newline(base);
        put("else ");
        layout(otherwise, trail);
    }

    const CommentIndex& comments_;
    int width_;
    std::vector<Line> lines_;
    int decl_ = -1;
    int quiet_ = 0;
};

// -----------------------------------------------------------------------------------------
// Declarations

class Formatter {
public:
    Formatter(std::string_view text, const CommentIndex& comments, std::size_t width)
        : text_(text), comments_(comments), convert_(comments), p_(comments, width) {}

    std::vector<Line>& lines() { return p_.lines(); }
    int depth() const { return depth_; }
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& units_with_comments() const {
        return convert_.units_with_comments;
    }

    void declaration(const ast::Declaration& d) {
        struct Visitor {
            using result_type = void;
            Formatter& f;
            void operator()(const ast::PlanDecl& x) const { f.plan(x); }
            void operator()(const ast::ImportDecl& x) const { f.import(x); }
            void operator()(const ast::ScopeDecl& x) const { f.scope(x); }
            void operator()(const ast::UnitDecl& x) const { f.unit(x); }
            void operator()(const ast::TypeDecl& x) const { f.type(x); }
            void operator()(const ast::ParamDecl& x) const { f.param(x); }
            void operator()(const ast::InputDecl& x) const { f.input(x); }
            void operator()(const ast::SeriesDecl& x) const { f.series(x); }
            void operator()(const ast::CollectionDecl& x) const { f.collection(x); }
            void operator()(const ast::ValueDecl& x) const { f.value(x); }
            void operator()(const ast::TableDecl& x) const { f.table(x); }
            void operator()(const ast::LimitDecl& x) const { f.limit(x); }
            void operator()(const ast::RequireDecl& x) const { f.require(x); }
            void operator()(const ast::TestDecl& x) const { f.test(x); }
            void operator()(const ast::CarryDecl& x) const { f.carry(x); }
        };
        boost::apply_visitor(Visitor{*this}, d.get());
    }

private:
    int indent() const { return 2 * depth_; }

    /// The first line of a declaration: its keyword (not an anchor: the name that follows is).
    void start(std::string_view keyword) {
        p_.begin_declaration(indent());
        p_.put(keyword);
    }

    void string(const ast::StringLit& s) {
        p_.anchor(s.begin, s.end);
        p_.put(quote_string(s.value));
    }

    void type_ref(const ast::TypeRef& t) {
        p_.quiet_name(t.base);
        if (!t.per) return;
        bool slash = false;
        for (std::uint32_t i = t.base.end; i < t.per->begin && i < text_.size(); ++i) slash = slash || text_[i] == '/';
        p_.put(slash ? "/" : " per ");
        p_.quiet_name(*t.per);
    }

    /// An expression on one line, anchored at its first token only.
    void flat_one_anchor(const Node& n) {
        if (n.first != none) p_.anchor(n.first, n.first + 1);
        Printer::Quiet quiet(p_);
        p_.flat(n);
    }

    void annotations(const ast::Annotations& as) {
        for (const auto& a : as) {
            p_.newline(indent() + 2);
            p_.anchor(a.begin, a.end);
            Printer::Quiet quiet(p_);
            p_.put(a.keyword);
            if (a.clause) {
                p_.put(" ");
                p_.name(*a.clause);
            }
            if (a.text) {
                p_.put(" ");
                string(*a.text);
            }
        }
    }

    /// `a, b, c`, filled to the width; continuation lines at `indent`. `trail` columns follow.
    void names(const std::vector<ast::Name>& ns, int continuation, int trail = 0) {
        for (std::size_t i = 0; i < ns.size(); ++i) {
            int w = static_cast<int>(display_width(ns[i].text)) + (i + 1 < ns.size() ? 1 : trail);
            if (i > 0) {
                if (!p_.comment_between(ns[i - 1].begin, ns[i].begin) && p_.col() + 1 + w <= p_.width()) {
                    p_.put(" ");
                } else {
                    p_.newline(continuation);
                }
            }
            p_.name(ns[i]);
            if (i + 1 < ns.size()) p_.put(",");
        }
    }

    /// ` = formula` (or `: condition`) after the anchor `name`: on the declaration's line
    /// when it fits, else on the next line, 4 further in, where an `if` is always broken.
    void formula(const ast::Name& name, const ast::Expression& e) {
        Node n = convert_.expression(e);
        if (!p_.comment_between(name.begin, n.last) && p_.col() + 1 + p_.flat_width(n) <= p_.width()) {
            p_.put(" ");
            p_.flat(n);
            return;
        }
        p_.newline(indent() + 4);
        p_.layout(n, 0, n.kind == Kind::if_then);
    }

    void plan(const ast::PlanDecl& d) {
        start("plan ");
        string(d.title);
        if (d.effective) {
            p_.newline(indent() + 2);
            p_.put("effective ");
            p_.anchor(d.effective->begin, d.effective->end);
            p_.put(d.effective->text);
        }
        if (d.as_of) {
            p_.newline(indent() + 2);
            p_.put("as of ");
            p_.name(*d.as_of);
        }
        if (d.shared_inputs) {
            p_.newline(indent() + 2);
            p_.put("inputs shared with ");
            string(*d.shared_inputs);
        }
        if (!d.outputs.empty()) {
            p_.newline(indent() + 2);
            p_.put("outputs ");
            names(d.outputs, indent() + 4);
        }
        if (!d.grants.empty()) {
            p_.newline(indent() + 2);
            p_.put("grants ");
            names(d.grants, indent() + 4);
        }
        annotations(d.annotations);
    }

    void import(const ast::ImportDecl& d) {
        start("import ");
        string(d.path);
        annotations(d.annotations);
    }

    void scope(const ast::ScopeDecl& d) {
        bool end = d.keyword == "end";
        if (end && depth_ > 0) --depth_;
        p_.begin_declaration(indent());
        p_.anchor(d.begin, d.begin + static_cast<std::uint32_t>(d.keyword.size()));
        p_.put(d.keyword);
        if (!end) {
            Printer::Quiet quiet(p_);
            p_.put(" ");
            p_.name(d.record);
        }
        p_.lines().back().is_end = end;
        annotations(d.annotations);
        if (!end) ++depth_;
    }

    void unit(const ast::UnitDecl& d) {
        start("unit ");
        p_.name(d.name);
        if (d.symbol) {
            p_.put(" currency ");
            string(*d.symbol);
        }
        if (d.minor) p_.put(" minor " + *d.minor);
        if (d.plural) {
            p_.put(" plural ");
            p_.name(*d.plural);
        }
        if (d.whole) p_.put(" whole");
        annotations(d.annotations);
    }

    void type(const ast::TypeDecl& d) {
        start("type ");
        p_.name(d.name);
        p_.put(" =");
        int w = 0;
        for (const auto& m : d.members) w += 3 + static_cast<int>(display_width(m.text));
        bool comment = !d.members.empty() && p_.comment_between(d.name.begin, d.members.back().begin);
        if (!comment && p_.col() + w - 2 <= p_.width()) {
            for (std::size_t i = 0; i < d.members.size(); ++i) {
                p_.put(i == 0 ? " " : " | ");
                p_.name(d.members[i]);
            }
        } else {
            p_.newline(indent() + 4);
            for (std::size_t i = 0; i < d.members.size(); ++i) {
                if (i > 0) {
                    int mw = static_cast<int>(display_width(d.members[i].text));
                    if (!p_.comment_between(d.members[i - 1].begin, d.members[i].begin) &&
                        p_.col() + 3 + mw <= p_.width()) {
                        p_.put(" | ");
                    } else {
                        p_.newline(indent() + 4);
                        p_.put("| ");
                    }
                }
                p_.name(d.members[i]);
            }
        }
        annotations(d.annotations);
    }

    void param(const ast::ParamDecl& d) {
        start("param ");
        p_.name(d.name);
        p_.put(": ");
        type_ref(d.type);
        bool single = d.values.size() == 1 && !d.values[0].from;
        if (single) {
            Node n = convert_.expression(d.values[0].value);
            if (!p_.comment_between(d.name.begin, n.last) && p_.col() + 3 + p_.flat_width(n) <= p_.width()) {
                p_.put(" = ");
                p_.flat(n);
                annotations(d.annotations);
                return;
            }
        }
        // Dated values (or one that does not fit): one `= V [from D]` line each.
        for (const auto& v : d.values) {
            p_.newline(indent() + 2);
            p_.put("= ");
            Node n = convert_.expression(v.value);
            int trail = v.from ? 6 + static_cast<int>(v.from->text.size()) : 0;
            p_.layout(n, trail);
            if (v.from) {
                Printer::Quiet quiet(p_);
                p_.put(" from ");
                p_.anchor(v.from->begin, v.from->end);
                p_.put(v.from->text);
            }
        }
        annotations(d.annotations);
    }

    /// A range's ends as the printer sees them.
    struct RangeNodes {
        std::optional<Node> low, high;
        /// Its width after `range ` and its one anchor (the first end written).
        int width(const Printer& p) const {
            if (low && high) return p.flat_width(*low) + 4 + p.flat_width(*high);   // " to "
            return low ? 5 + p.flat_width(*low) : 6 + p.flat_width(*high);         // "from ", "up to "
        }
        std::uint32_t anchor() const { return low ? low->first : high->first; }
    };

    RangeNodes range_nodes(const ast::RangeSpec& r) {
        RangeNodes out;
        if (r.low) out.low = convert_.expression(*r.low);
        if (r.high) out.high = convert_.expression(*r.high);
        return out;
    }

    /// `range LOW to HIGH`, `range from LOW`, `range up to HIGH`, on one line, anchored at
    /// the first end written.
    void range_clause(const RangeNodes& r) {
        p_.put("range ");
        if (r.low && r.high) {
            flat_one_anchor(*r.low);
            Printer::Quiet quiet(p_);
            p_.put(" to ");
            p_.flat(*r.high);
        } else if (r.low) {
            p_.put("from ");
            flat_one_anchor(*r.low);
        } else {
            p_.put("up to ");
            flat_one_anchor(*r.high);
        }
    }

    void input(const ast::InputDecl& d) {
        start(d.keyword + " ");
        p_.name(d.name);
        p_.put(": ");
        type_ref(d.type);
        p_.put(" at ");
        {
            Printer::Quiet quiet(p_);
            p_.anchor(d.path.begin, d.path.end);
            p_.put(d.path.text);
        }
        std::optional<RangeNodes> range;
        std::optional<Node> fallback;
        if (d.range) range = range_nodes(*d.range);
        if (d.default_value) fallback = convert_.expression(*d.default_value);
        int w = 0;
        if (range) w += 7 + range->width(p_);                  // " range "
        if (d.optional) w += 9;                                 // " optional"
        if (fallback) w += 9 + p_.flat_width(*fallback);        // " default "
        // The anchors: the name, the range's first end, the default's tokens.
        std::uint32_t last_anchor = fallback ? fallback->last : range ? range->anchor() : d.name.begin;
        bool one_line = !p_.comment_between(d.name.begin, last_anchor) && p_.col() + w <= p_.width();
        if (range) {
            if (!one_line) p_.newline(indent() + 4);
            else p_.put(" ");
            range_clause(*range);
        }
        if (d.optional) p_.put(" optional");
        if (fallback) {
            if (!one_line) p_.newline(indent() + 4);
            else p_.put(" ");
            p_.put("default ");
            if (one_line) p_.flat(*fallback);
            else p_.layout(*fallback, 0);
        }
        annotations(d.annotations);
    }

    void series(const ast::SeriesDecl& d) {
        start("series ");
        p_.name(d.name);
        {
            Printer::Quiet quiet(p_);
            p_.put(": ");
            type_ref(d.type);
            p_.put(" at ");
            p_.anchor(d.path.begin, d.path.end);
            p_.put(d.path.text);
            p_.put("(");
            p_.name(d.date_key);
            p_.put(", ");
            p_.name(d.value_key);
            p_.put(")");
        }
        annotations(d.annotations);
    }

    void collection(const ast::CollectionDecl& d) {
        start("collection ");
        p_.name(d.plural);
        {
            Printer::Quiet quiet(p_);
            p_.put(": ");
            p_.name(d.singular);
            p_.put(" at ");
            p_.put(d.path.text);
            if (!d.keys.empty()) {
                p_.put(" key ");
                for (std::size_t i = 0; i < d.keys.size(); ++i) {
                    if (i > 0) p_.put(", ");
                    p_.name(d.keys[i]);
                }
            }
        }
        if (d.parent) {
            p_.newline(indent() + 2);
            p_.anchor(d.parent->begin, d.parent->end);
            Printer::Quiet quiet(p_);
            p_.put("belongs to ");
            p_.name(d.parent->singular);
            p_.put(" by ");
            p_.name(d.parent->field);
        }
        annotations(d.annotations);
    }

    void value(const ast::ValueDecl& d) {
        start(d.keyword + " ");
        p_.name(d.name);
        p_.put(": ");
        type_ref(d.type);
        p_.put(" =");
        formula(d.name, d.value);
        if (d.range) {
            // A clause of the declaration, like its citations: a line of its own.
            p_.newline(indent() + 2);
            range_clause(range_nodes(*d.range));
        }
        annotations(d.annotations);
    }

    void table(const ast::TableDecl& d) {
        start("table ");
        p_.name(d.name);
        {
            Printer::Quiet quiet(p_);
            p_.put("(");
            p_.name(d.parameter);
            p_.put(": ");
            type_ref(d.parameter_type);
            p_.put(") -> ");
            type_ref(d.result_type);
            if (d.monotone) p_.put(" monotone");
        }
        // The rows' bounds, then their arrows aligned. A row is one anchor.
        std::vector<std::vector<Node>> bounds;
        int widest = 0;
        for (const auto& row : d.rows) {
            std::vector<Node> bs;
            int w = 0;
            for (const auto& b : row.bounds) {
                bs.push_back(convert_.expression(b.value));
                w += (w > 0 ? 1 : 0) + static_cast<int>(b.kind.size()) + 1 + p_.flat_width(bs.back());
            }
            if (row.key) w = static_cast<int>(display_width(*row.key));
            widest = std::max(widest, w);
            bounds.push_back(std::move(bs));
        }
        for (std::size_t r = 0; r < d.rows.size(); ++r) {
            const auto& row = d.rows[r];
            p_.newline(indent() + 2);
            p_.anchor(row.begin, row.begin + 1);
            Printer::Quiet quiet(p_);
            int start_col = p_.col();
            for (std::size_t i = 0; i < row.bounds.size(); ++i) {
                if (i > 0) p_.put(" ");
                p_.put(row.bounds[i].kind);
                p_.put(" ");
                p_.flat(bounds[r][i]);
            }
            if (row.key) p_.put(*row.key);
            p_.put(std::string(static_cast<std::size_t>(start_col + widest + 2 - p_.col()), ' '));
            p_.put("-> ");
            if (row.linear) p_.put("linear ");
            p_.flat(convert_.expression(row.value));
            if (row.value_to) {
                p_.put(" to ");
                p_.flat(convert_.expression(*row.value_to));
            }
        }
        annotations(d.annotations);
    }

    void limit(const ast::LimitDecl& d) {
        start("limit ");
        p_.name(d.name);
        p_.put(":");
        formula(d.name, d.condition);
        if (d.allocation) {
            const auto& a = *d.allocation;
            Node unit = convert_.expression(a.unit);
            p_.newline(indent() + 2);
            p_.put("allocate pro rata ");
            int w = 0;
            for (const auto& n : a.outputs) w += static_cast<int>(display_width(n.text)) + 2;
            std::string rounding = " round " + a.mode + " to ";
            w += static_cast<int>(rounding.size()) - 2 + p_.flat_width(unit);
            bool one_line = !a.outputs.empty() && !p_.comment_between(a.outputs.front().begin, unit.first) &&
                            p_.col() + w <= p_.width();
            names(a.outputs, indent() + 4);
            if (one_line) {
                p_.put(rounding);
            } else {
                p_.newline(indent() + 4);
                p_.put(rounding.substr(1));
            }
            flat_one_anchor(unit);
        }
        annotations(d.annotations);
    }

    void require(const ast::RequireDecl& d) {
        start("require ");
        p_.name(d.name);
        p_.put(":");
        formula(d.name, d.condition);
        annotations(d.annotations);
    }

    /// Was the record id of `expect x for ID` written in quotes?
    bool record_quoted(const ast::Expectation& e) const {
        std::size_t i = comments_.code_after(e.name.end);
        if (text_.substr(i, 3) != "for") return false;
        i = comments_.code_after(i + 3);
        return i < text_.size() && text_[i] == '"';
    }

    void test(const ast::TestDecl& d) {
        start("test ");
        string(d.title);
        p_.newline(indent() + 2);
        p_.put("inputs ");
        string(d.inputs);
        if (d.carry_from) {
            p_.newline(indent() + 2);
            p_.put("carry from ");
            string(*d.carry_from);
        }
        for (const auto& e : d.expectations) {
            p_.newline(indent() + 2);
            p_.anchor(e.begin, e.begin + 1);   // an expectation is one anchor
            Printer::Quiet quiet(p_);
            p_.put("expect ");
            if (e.violation) p_.put("violation ");
            p_.name(e.name);
            if (e.record) {
                p_.put(" for ");
                p_.put(record_quoted(e) ? quote_string(*e.record) : *e.record);
            }
            if (e.expected) {
                p_.put(" = ");
                p_.layout(convert_.expression(*e.expected), 0);
            }
        }
        annotations(d.annotations);
    }

    /// `carry PATH`, then each clause `for each RECORD [where C]:` on a line of its own and
    /// its fields `f = e, …` filled to the width on the lines below it.
    void carry(const ast::CarryDecl& d) {
        start("carry ");
        p_.anchor(d.path.begin, d.path.end);
        p_.put(d.path.text);
        for (const auto& c : d.clauses) {
            p_.newline(indent() + 2);
            p_.anchor(c.begin, c.begin + 1);
            p_.put("for each " + c.record);
            if (c.where) {
                p_.put(" where ");
                p_.layout(convert_.expression(*c.where), 1);
            }
            p_.put(":");
            p_.newline(indent() + 4);
            bool broken = false;   // the field before took more than one line: the next starts a line
            for (std::size_t i = 0; i < c.fields.size(); ++i) {
                const auto& f = c.fields[i];
                Node value = convert_.expression(f.value);
                const bool last = i + 1 == c.fields.size();
                if (i > 0) {
                    int w = static_cast<int>(display_width(f.field.text)) + 3 + p_.flat_width(value) + (last ? 0 : 1);
                    if (!broken && !p_.comment_between(c.fields[i - 1].field.begin, f.field.begin) &&
                        p_.col() + 1 + w <= p_.width()) {
                        p_.put(" ");
                    } else {
                        p_.newline(indent() + 4);
                    }
                }
                p_.name(f.field);
                p_.put(" = ");
                const std::size_t lines = p_.lines().size();
                p_.layout(value, last ? 0 : 1);
                broken = p_.lines().size() != lines;
                if (!last) p_.put(",");
            }
        }
        annotations(d.annotations);
    }

    std::string_view text_;
    const CommentIndex& comments_;
    Converter convert_;
    Printer p_;
    int depth_ = 0;
};

/// True when [from, to) holds an empty line.
bool blank_line_between(std::string_view text, std::uint32_t from, std::uint32_t to) {
    if (from >= to) return false;
    to = std::min<std::uint32_t>(to, static_cast<std::uint32_t>(text.size()));
    for (std::uint32_t i = from; i < to; ++i) {
        if (text[i] != '\n') continue;
        std::uint32_t j = i + 1;
        while (j < to && is_blank(text[j])) ++j;
        if (j < to && text[j] == '\n') return true;
    }
    return false;
}

/// The canonical text; a diagnostic for each construct it cannot re-print faithfully.
std::string layout_file(std::string_view text, const ast::File& file, std::size_t width, FileId id,
                        Diagnostics& diags) {
    std::vector<Comment> comments = scan_comments(text);
    CommentIndex index(text, comments);
    Formatter f(text, index, width);
    for (const auto& d : file.declarations) f.declaration(d);
    for (auto [begin, end] : f.units_with_comments()) {
        auto& d = diags.error(SourceRange::in(id, begin, end), "a comment inside the unit of this number");
        d.hint = "move the comment after the number";
    }
    std::vector<Line>& lines = f.lines();
    const std::size_t n = lines.size();

    // Attach each comment to a line: before the line that follows it, or at the end of
    // the line holding the code before it.
    std::vector<std::vector<const Comment*>> before(n + 1);
    std::vector<const Comment*> trailing(n, nullptr);
    std::vector<std::pair<std::uint32_t, std::size_t>> starts;   // (first offset, line), in source order
    for (std::size_t k = 0; k < n; ++k) {
        if (lines[k].lo != none) starts.emplace_back(lines[k].lo, k);
    }
    assert(std::is_sorted(starts.begin(), starts.end()));   // lines follow the source's order
    std::size_t own_line_after = n + 1;   // the line of code before the last comment put on a line of its own
    for (const auto& c : comments) {
        // The last line with code before the comment (n: none).
        auto it = std::lower_bound(starts.begin(), starts.end(), std::make_pair(c.begin, std::size_t{0}));
        std::size_t last_before = it == starts.begin() ? n : std::prev(it)->second;
        // The first line with code after the comment's line of code (n: none).
        std::size_t next = last_before == n ? 0 : last_before + 1;
        while (next < n && lines[next].lo == none) ++next;
        // After code, unless that code already has one, or a comment on a line of its own
        // came in between: then on a line of its own too, so that the order is kept.
        if (!c.own_line && last_before < n && trailing[last_before] == nullptr && own_line_after != last_before) {
            trailing[last_before] = &c;
        } else {
            before[next].push_back(&c);
            own_line_after = last_before;
        }
    }
    for (auto& cs : before) {
        std::sort(cs.begin(), cs.end(), [](const Comment* a, const Comment* b) { return a->begin < b->begin; });
    }

    // Print, keeping one blank line where the source has one or more between items.
    std::string out;
    bool any = false;
    std::uint32_t previous_end = 0;
    auto emit = [&](int indent, const std::string& s, std::uint32_t lo, std::uint32_t hi, bool inside) {
        if (any && !inside && blank_line_between(text, previous_end, lo)) out += '\n';
        out.append(static_cast<std::size_t>(indent), ' ');
        out += s;
        out += '\n';
        any = true;
        previous_end = hi;
    };
    for (std::size_t k = 0; k <= n; ++k) {
        bool inside = k < n && !lines[k].first_of_decl;
        int comment_indent = k < n ? lines[k].indent + (lines[k].is_end ? 2 : 0) : 2 * f.depth();
        for (const Comment* c : before[k]) emit(comment_indent, c->text, c->begin, c->end, inside);
        if (k == n) break;
        std::string s = lines[k].text;
        if (trailing[k] != nullptr) s += "  " + trailing[k]->text;
        std::uint32_t hi = trailing[k] != nullptr ? trailing[k]->end : lines[k].hi;
        emit(lines[k].indent, s, lines[k].lo, std::max(hi, lines[k].hi), inside);
    }
    return out;
}

std::vector<std::string> declaration_trees(const ast::File& file) {
    std::vector<std::string> out;
    for (const auto& d : file.declarations) out.push_back(print(d));
    return out;
}

}  // namespace

std::vector<std::string> comments_of(std::string_view rule_text) {
    std::vector<std::string> out;
    for (auto& c : scan_comments(rule_text)) out.push_back(std::move(c.text));
    return out;
}

Result<std::string> format_rule_file(const SourceManager& sm, FileId file, FormatOptions options) {
    const std::string& text = sm.file(file).text();
    Diagnostics diags;
    std::size_t bad = 0;
    if (!valid_utf8(text, &bad)) {
        diags.error(SourceRange::in(file, static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad + 1)),
                    "this file is not valid UTF-8");
        return diags;
    }
    std::shared_ptr<ast::File> tree = parse_file(sm, file, diags);
    if (diags.has_errors()) return diags;
    std::string out = layout_file(text, *tree, options.width, file, diags);
    if (diags.has_errors()) return diags;

    // The result must mean the same and keep every comment; if not, leave the file alone.
    SourceManager check_sm;
    FileId check_id = check_sm.add(sm.file(file).path(), out);
    Diagnostics check_diags;
    std::shared_ptr<ast::File> check_tree = parse_file(check_sm, check_id, check_diags);
    std::vector<std::string> before_comments = comments_of(text), after_comments = comments_of(out);
    std::sort(before_comments.begin(), before_comments.end());
    std::sort(after_comments.begin(), after_comments.end());
    if (check_diags.has_errors() || declaration_trees(*tree) != declaration_trees(*check_tree) ||
        before_comments != after_comments) {
        diags.error(SourceRange{}, "cannot format `{}`: the canonical layout would change its {} (a bug in hoshu fmt; "
                                   "the file is left as it is)",
                    sm.file(file).path(), before_comments != after_comments ? "comments" : "meaning");
        return diags;
    }
    return out;
}

}  // namespace hoshu::dsl
