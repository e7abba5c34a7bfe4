// Tables: each row's bounds and value (constants), linear rows' slopes, rows that overlap
// (errors) and values no row covers between two rows (warnings).
#include "evaluator/check/checker.hpp"

#include <algorithm>

#include "dsl/base/text.hpp"
#include "dsl/base/unicode.hpp"

namespace hoshu::eval {

/// Overlaps: any value covered by two rows is an error (the rows are fixed numbers). One
/// sweep over the rows in order of their lower bounds (`sorted`): a row overlaps an earlier
/// one exactly when it starts before the furthest end reached so far. The first few are
/// located errors, the rest a count, so that a table of thousands of overlapping rows
/// costs n log n and a few lines.
void Checker::report_overlaps(const Table& table, const std::vector<const TableRow*>& sorted,
                              const std::vector<std::string>& bare_hint) {
    constexpr std::size_t shown = 5;
    auto below = [](const TableRow& a, const TableRow& b) {   // a ends before b starts
        if (!a.high || !b.low) return false;
        if (*a.high < *b.low) return true;
        return *a.high == *b.low && !(a.high_inclusive && b.low_inclusive);
    };
    auto reaches_further = [](const TableRow& a, const TableRow& b) {   // a's end is beyond b's
        if (!b.high) return false;
        if (!a.high) return true;
        return *a.high > *b.high || (*a.high == *b.high && a.high_inclusive && !b.high_inclusive);
    };
    const TableRow* furthest = nullptr;
    std::size_t overlaps = 0;
    for (const TableRow* row : sorted) {
        if (furthest && !below(*furthest, *row)) {
            if (++overlaps <= shown) {
                // The error at the row written later, the note at the other.
                bool row_later = row > furthest;
                const TableRow& later = row_later ? *row : *furthest;
                const TableRow& earlier = row_later ? *furthest : *row;
                auto& d = diags_.error(later.range, "this row overlaps an earlier row of table `{}`", table.name);
                // A bound that is a percent written without its sign overlaps for that, and
                // no exclusive bound mends it.
                const std::string& hint_later = bare_hint[static_cast<std::size_t>(&later - table.rows.data())];
                const std::string& hint_earlier = bare_hint[static_cast<std::size_t>(&earlier - table.rows.data())];
                d.hint = !hint_later.empty()     ? hint_later
                         : !hint_earlier.empty() ? hint_earlier
                                                 : "make one bound exclusive: `from X to below Y` or `above X to Y`";
                diags_.note(earlier.range, "the earlier row");
            }
        }
        if (!furthest || reaches_further(*row, *furthest)) furthest = row;
    }
    if (overlaps > shown)
        diags_.error(table.name_range, "table `{}` has {} rows that overlap an earlier row; the first {} follow",
                     table.name, overlaps, shown);
}

namespace {

/// A row key written in quotes, without them: `"Tokyo \"HQ\""` is `Tokyo "HQ"`.
std::string unquoted(const std::string& written) {
    std::string out;
    for (std::size_t i = 1; i + 1 < written.size(); ++i) {
        char ch = written[i];
        if (ch == '\\' && i + 2 < written.size()) {
            ch = written[++i];
            if (ch == 'n') ch = '\n';
        }
        out += ch;
    }
    return out;
}

}  // namespace

/// The rows of a table keyed by a choice type or a text: each a key and a value; a key
/// written twice is an error, a choice member without a row a warning.
void Checker::compile_keyed_table(const Entry& e, const ast::TableDecl& t, Table& table) {
    Ctx c{e.file, Scope::plan, none, false};
    const bool by_text = table.parameter_type.kind == Kind::text;
    const ChoiceType* choice =
        by_text ? nullptr : &plan_.choices[static_cast<std::size_t>(table.parameter_type.choice)];
    std::vector<std::string> seen;
    bool member_refused = false;
    for (const auto& row : t.rows) {
        TableRow r;
        r.range = rng(e.file, row);
        r.text = text_of(e.file, row);
        if (!row.key) {
            diags_.error(r.range, "table `{}` is keyed by {}: a row is a key and its value, as in: {} -> …",
                         table.name, tname(table.parameter_type),
                         by_text ? std::string("\"Tokyo\"") : choice->members.front());
            continue;
        }
        const std::string& key = *row.key;
        const bool quoted = !key.empty() && key.front() == '"';
        // (In NFC, as every text is compared: a key written in another normal form is the same key.)
        std::string name = quoted ? dsl::nfc(unquoted(key)) : key;
        if (by_text && !quoted) {
            auto& d = diags_.error(r.range, "table `{}` is keyed by a text: write the key in quotes", table.name);
            d.hint = fmt::format("\"{}\" -> …", key);
            continue;
        }
        if (!by_text) {
            auto m = std::find(choice->members.begin(), choice->members.end(), name);
            if (quoted || m == choice->members.end()) {
                member_refused = true;
                auto& d = diags_.error(r.range, "`{}` is not a member of `{}`", key, choice->name);
                auto best = dsl::closest(name, choice->members, 2);
                d.hint = best ? fmt::format("did you mean `{}`?", *best)
                              : fmt::format("the members are {}", hoshu::join(choice->members));
                continue;
            }
            r.key = m - choice->members.begin();
        }
        r.key_text = name;
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
            diags_.error(r.range, "table `{}` has a row for `{}` already", table.name, name);
            continue;
        }
        seen.push_back(name);
        if (row.linear || row.value_to) {
            diags_.error(r.range, "a row of a keyed table is one value: `linear` is for rows of ranges");
            continue;
        }
        auto v = constant_of(row.value, c, table.result_type, "a row's value");
        if (!v) continue;
        r.value = v->number;
        table.rows.push_back(std::move(r));
    }
    if (choice) {
        std::vector<std::string> missing;
        for (const auto& m : choice->members)
            if (std::find(seen.begin(), seen.end(), m) == seen.end()) missing.push_back(m);
        // A row refused as no member (`nonee`) was meant for one of the missing: no second word.
        if (!missing.empty() && !member_refused)
            diags_.warning(table.name_range, "table `{}` has no row for {}: using it there is a runtime error",
                           table.name, hoshu::join(missing));
    }
}

void Checker::compile_table(const Entry& e, const ast::TableDecl& t) {
    auto it = symbols_.find(t.name.text);
    if (it == symbols_.end() || it->second.kind != SymbolKind::table) return;
    Table& table = plan_.tables[it->second.index];
    if (tables_in_error_.count(table.name)) return;
    if (table.keyed()) return compile_keyed_table(e, t, table);
    Ctx c{e.file, Scope::plan, none, false};
    // The rows' own type: when every bound is in one type that is not the parameter's (and
    // is no bare number), the parameter's type is the mistake: one error there, not one at
    // every bound, and the table is taken as keyed by the rows' type.
    {
        const auto nodes = plan_.nodes.size(), constants = plan_.constants.size(), args = plan_.args.size();
        const auto texts = plan_.texts.size();
        const auto reported = diags_.items().size();
        std::optional<Type> rows;
        bool agree = true;
        for (const auto& row : t.rows) {
            if (row.key) agree = false;
            for (const auto& b : row.bounds) {
                std::uint32_t n = compile(b.value, c);
                if (n == none) agree = false;
                else if (!rows) rows = type_of(n);
                else if (!rows->same(type_of(n))) agree = false;
            }
        }
        diags_.items().resize(reported);
        plan_.nodes.resize(nodes);
        plan_.constants.resize(constants);
        plan_.args.resize(args);
        plan_.texts.resize(texts);
        const bool bare = rows && rows->kind == Kind::number && rows->dimensionless() && rows->style == RatioStyle::ratio;
        if (agree && rows && !bare && rows->kind == Kind::number && !rows->same(table.parameter_type)) {
            auto& d = diags_.error(rng(e.file, t.parameter_type), "table `{}` takes {}, but its rows are in {}",
                                   table.name, tname(table.parameter_type), tname(*rows));
            d.hint = fmt::format("declare the parameter as {}, as in: table {}({}: {})", tname(*rows), table.name,
                                 table.parameter, tname(*rows));
            table.parameter_type = *rows;
        }
    }
    // Bounds on a percent written as bare numbers (`below 5`: 500%), with their rows, and
    // whether any bound is written as a percent.
    std::vector<std::pair<SourceRange, BareNumber>> bare_bounds;
    bool percent_bounds = false;
    const std::size_t errors_before = diags_.error_count();
    for (const auto& row : t.rows) {
        TableRow r;
        r.range = rng(e.file, row);
        r.text = text_of(e.file, row);
        auto bound_value = [&](const ast::Bound& b, bool& percent) {
            std::optional<BareNumber> bare;
            auto v = constant_of(b.value, c, table.parameter_type, "a row bound", &bare, &percent);
            if (bare) bare_bounds.emplace_back(r.range, std::move(*bare));
            else if (v) percent_bounds = true;
            return v;
        };
        const auto& bs = row.bounds;
        if (row.key) {
            diags_.error(r.range, "table `{}` takes {}: a row is bounds on it, as in: from 80% to 100% -> …",
                         table.name, tname(table.parameter_type));
            continue;
        }
        bool shape_ok = true;
        if (bs.size() == 1) {
            const std::string& k = bs[0].kind;
            bool percent = false;
            auto v = bound_value(bs[0], percent);
            if (k == "from" || k == "above") {
                r.low = v ? std::optional<Rational>(v->number) : std::nullopt;
                r.low_inclusive = k == "from";
                r.low_percent = percent;
            } else if (k == "below" || k == "up to") {
                r.high = v ? std::optional<Rational>(v->number) : std::nullopt;
                r.high_inclusive = k == "up to";
                r.high_percent = percent;
            } else {
                shape_ok = false;
            }
            if (!v) continue;
        } else if (bs.size() == 2 && (bs[0].kind == "from" || bs[0].kind == "above") &&
                   (bs[1].kind == "to" || bs[1].kind == "to below")) {
            auto lo = bound_value(bs[0], r.low_percent);
            auto hi = bound_value(bs[1], r.high_percent);
            if (!lo || !hi) continue;
            r.low = lo->number;
            r.low_inclusive = bs[0].kind == "from";
            r.high = hi->number;
            r.high_inclusive = bs[1].kind == "to";
            if (*r.low > *r.high || (*r.low == *r.high && !(r.low_inclusive && r.high_inclusive))) {
                diags_.error(r.range, "this row covers no value: its lower bound is not below its upper bound");
                continue;
            }
        } else {
            shape_ok = false;
        }
        if (!shape_ok) {
            auto& d = diags_.error(r.range, "a row is `below X`, `up to X`, `from X`, `above X`, or a lower and "
                                            "an upper bound: `from X to Y`, `from X to below Y`, `above X to Y`");
            (void)d;
            continue;
        }
        auto v = constant_of(row.value, c, table.result_type, "a row's value");
        if (!v) continue;
        r.value = v->number;
        r.linear = row.linear;
        if (row.linear) {
            if (!row.value_to) {
                diags_.error(r.range, "`linear` needs both ends: `linear 0.50 to 1.00`");
                continue;
            }
            if (!r.low || !r.high) {
                diags_.error(r.range, "a `linear` row needs a lower and an upper bound");
                continue;
            }
            auto to = constant_of(*row.value_to, c, table.result_type, "a row's value");
            if (!to) continue;
            r.value_to = to->number;
            if (*r.low == *r.high) {
                // Kept as a plain row, so that the coverage checks below say nothing more.
                diags_.error(r.range, "a `linear` row needs its lower bound below its upper bound: it runs "
                                      "from one value to another");
                r.linear = false;
            } else {
                r.slope = (r.value_to - r.value) / (*r.high - *r.low);
            }
        } else if (row.value_to) {
            diags_.error(r.range, "`to` after a row's value is only for `linear` rows");
            continue;
        }
        table.rows.push_back(std::move(r));
    }
    // A bare bound is a ratio: past 10 it is surely a percent without its sign; past 1
    // (100%) too among bounds written in percent (`below 5` beside `from 5% to 10%`). An
    // overlap or a gap of its row is hinted the same way.
    std::vector<std::string> bare_hint(table.rows.size());
    for (const auto& [row_range, b] : bare_bounds) {
        const Rational past = percent_bounds ? Rational(1) : Rational(10);
        if (!(past < b.value.abs())) continue;
        const std::string x = b.value.to_string(), as_percent = (b.value * Rational(100)).to_string();
        diags_.warning(b.where, "`{}`, a row bound of a percent, is {}%", x, as_percent).hint = bare_percent_hint(b.value);
        for (std::size_t i = 0; i < table.rows.size(); ++i) {
            const SourceRange& at = table.rows[i].range;
            if (bare_hint[i].empty() && at.file == row_range.file && at.begin == row_range.begin)
                bare_hint[i] = fmt::format("`{}` is {}: {}", x, as_percent + "%", bare_percent_hint(b.value));
        }
    }
    // Rows in order of their lower bounds (unbounded first; at the same bound, the one that
    // includes it first).
    std::vector<const TableRow*> sorted;
    for (const auto& r : table.rows) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(), [](const TableRow* a, const TableRow* b) {
        if (!a->low) return b->low.has_value();
        if (!b->low) return false;
        return *a->low < *b->low || (*a->low == *b->low && a->low_inclusive && !b->low_inclusive);
    });
    report_overlaps(table, sorted, bare_hint);
    // Gaps between consecutive rows (in order of their lower bounds) are a warning; not
    // when a row was refused above (the gap is where it was meant to be), and in the
    // parameter's own terms (`between 50% and 75%` in a table of a percent).
    const bool rows_refused = diags_.error_count() != errors_before;
    const Type& pt = table.parameter_type;
    const bool in_percent = pt.kind == Kind::number && pt.dimensionless() && pt.style == RatioStyle::percent;
    auto shown = [&](const Rational& x) { return in_percent ? (x * Rational(100)).to_string() + "%" : x.to_string(); };
    for (std::size_t i = 0; i + 1 < sorted.size() && !rows_refused; ++i) {
        const TableRow& a = *sorted[i];
        const TableRow& b = *sorted[i + 1];
        if (!a.high || !b.low) continue;
        bool gap = *a.high < *b.low || (*a.high == *b.low && !a.high_inclusive && !b.low_inclusive);
        if (!gap) continue;
        dsl::Diagnostic& d =
            *a.high == *b.low
                ? diags_.warning(b.range, "table `{}` has no row for exactly {} (between `{}` and `{}`)", table.name,
                                 shown(*a.high), a.text, b.text)
                : diags_.warning(b.range, "table `{}` has no row for values between {} and {} (between `{}` and `{}`)",
                                 table.name, shown(*a.high), shown(*b.low), a.text, b.text);
        const std::string& hint_a = bare_hint[static_cast<std::size_t>(&a - table.rows.data())];
        d.hint = hint_a.empty() ? bare_hint[static_cast<std::size_t>(&b - table.rows.data())] : hint_a;
    }
}

}  // namespace hoshu::eval

namespace hoshu::eval {

void Checker::report_table_arguments() {
    for (const auto& a : table_arguments_) {
        const Table& table = plan_.tables[a.table];
        if (a.given.same(table.parameter_type)) continue;   // the parameter was the mistake: reported there
        diags_.error(a.range, "table `{}` takes {}, but this gives {}", table.name, tname(table.parameter_type),
                     tname(a.given));
    }
}

}  // namespace hoshu::eval
