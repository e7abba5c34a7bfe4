#include "evaluator/run/toml_depth.hpp"

#include <vector>

namespace hoshu::eval {

namespace {

class DepthScanner {
public:
    DepthScanner(std::string_view s, std::size_t limit) : s_(s), limit_(limit) {}

    std::optional<std::size_t> run() {
        while (i_ < s_.size() && !too_deep_) {
            if (stack_.empty()) {
                top_level();
            } else if (stack_.back().kind == '[') {
                in_array();
            } else {
                in_inline_table();
            }
        }
        return too_deep_;
    }

private:
    struct Open {
        char kind;          // '[' an array, '{' an inline table
        std::size_t depth;  // the depth of the container itself
    };

    char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
    bool blank(char c) const { return c == ' ' || c == '\t'; }
    bool line_end(char c) const { return c == '\n' || c == '\r'; }
    bool bare(char c) const {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
    void skip_blanks() {
        while (blank(at(i_))) ++i_;
    }
    void skip_line() {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    }
    /// Past a quoted string (basic, literal, multi-line) starting at i_; to the end of the
    /// text when it is not closed.
    void skip_string() {
        const char q = s_[i_];
        const std::string_view triple = q == '"' ? "\"\"\"" : "'''";
        const bool multi = s_.substr(i_, 3) == triple;
        i_ += multi ? 3 : 1;
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (q == '"' && c == '\\') {
                i_ += 2;
                continue;
            }
            if (!multi && line_end(c)) return;
            if (c == q && (!multi || s_.substr(i_, 3) == triple)) {
                i_ += multi ? 3 : 1;
                while (multi && at(i_) == q) ++i_;   // """a"""" ends with a quote of the content
                return;
            }
            ++i_;
        }
        i_ = std::min(i_, s_.size());
    }
    /// A key (`a`, `"a.b"`, `a . b . c`) from i_: the depth it reaches from `base`; on
    /// passing the limit, records where.
    std::size_t key(std::size_t base) {
        std::size_t depth = base;
        while (i_ < s_.size()) {
            skip_blanks();
            char c = at(i_);
            if (c == '"' || c == '\'') {
                if (++depth > limit_) return fail(i_);
                skip_string();
            } else if (bare(c)) {
                if (++depth > limit_) return fail(i_);
                while (bare(at(i_))) ++i_;
            } else {
                break;
            }
            skip_blanks();
            if (at(i_) != '.') break;
            ++i_;
        }
        return depth;
    }
    std::size_t fail(std::size_t where) {
        if (!too_deep_) too_deep_ = where;
        i_ = s_.size();
        return 0;
    }
    /// A value from i_ at `depth`: a container opens (its contents are scanned by run()),
    /// anything else is passed over.
    void value(std::size_t depth) {
        skip_blanks();
        char c = at(i_);
        if (c == '[' || c == '{') {
            if (depth + 1 > limit_) {
                fail(i_);
                return;
            }
            stack_.push_back(Open{c, depth});
            ++i_;
        } else if (c == '"' || c == '\'') {
            skip_string();
        } else {
            while (i_ < s_.size() && !blank(s_[i_]) && !line_end(s_[i_]) && s_[i_] != ',' && s_[i_] != ']' &&
                   s_[i_] != '}' && s_[i_] != '#')
                ++i_;
        }
    }
    void top_level() {
        skip_blanks();
        char c = at(i_);
        if (line_end(c)) {
            ++i_;
            return;
        }
        if (c == '#') {
            skip_line();
            return;
        }
        if (c == '[') {   // a table header [a.b] or [[a.b]]
            ++i_;
            std::size_t base = 0;
            if (at(i_) == '[') {
                ++i_;
                base = 1;   // the array of tables
            }
            header_ = key(base);
            skip_line();
            return;
        }
        std::size_t depth = key(header_);
        skip_blanks();
        if (at(i_) != '=') {   // not a key/value pair: toml++ says what is wrong
            skip_line();
            return;
        }
        ++i_;
        value(depth);
        if (stack_.empty()) skip_line();
    }
    void in_array() {
        const std::size_t depth = stack_.back().depth;
        char c = at(i_);
        if (blank(c) || line_end(c) || c == ',') {
            ++i_;
        } else if (c == '#') {
            skip_line();
        } else if (c == ']' || c == '}') {
            close();
        } else {
            std::size_t before = i_;
            value(depth + 1);
            if (i_ == before) ++i_;   // something no value starts with: toml++ reports it
        }
    }
    void in_inline_table() {
        const std::size_t depth = stack_.back().depth;
        char c = at(i_);
        if (blank(c) || line_end(c) || c == ',') {
            ++i_;
        } else if (c == '#') {
            skip_line();
        } else if (c == '}' || c == ']') {
            close();
        } else {
            std::size_t before = i_;
            std::size_t d = key(depth);
            skip_blanks();
            if (at(i_) == '=') {
                ++i_;
                value(d);
            }
            if (i_ == before) ++i_;
        }
    }
    void close() {
        ++i_;
        stack_.pop_back();
        if (stack_.empty()) skip_line();
    }

    std::string_view s_;
    std::size_t limit_;
    std::size_t i_ = 0;
    std::size_t header_ = 0;
    std::vector<Open> stack_;
    std::optional<std::size_t> too_deep_;
};

}  // namespace

std::optional<std::size_t> toml_too_deep(std::string_view text, std::size_t limit) {
    return DepthScanner(text, limit).run();
}

}  // namespace hoshu::eval
