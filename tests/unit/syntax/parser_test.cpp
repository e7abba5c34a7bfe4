// The parser, table-driven: (input, printed syntax tree) and (input, exact rendered error).
// The notation of the printed trees is described in dsl/syntax/print.hpp.
#include "dsl/syntax/print.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dsl/syntax/parse.hpp"

using hoshu::dsl::print_declarations;

namespace {

/// The tree of one expression, parsed as the formula of `value x: ratio = …`; on a syntax
/// error, the rendered error instead.
std::string expression_tree(const std::string& expression) {
    std::string errors;
    std::string tree = print_declarations("value x: ratio = " + expression + "\n", errors);
    if (!errors.empty()) return errors;
    const std::string head = "(value x ratio ";
    REQUIRE(tree.compare(0, head.size(), head) == 0);
    REQUIRE(tree.back() == ')');
    return tree.substr(head.size(), tree.size() - head.size() - 1);
}

/// The trees of the declarations of `text`, or its rendered errors.
std::string declaration_trees(const std::string& text) {
    std::string errors;
    std::string tree = print_declarations(text, errors);
    return errors.empty() ? tree : errors;
}

/// The rendered errors of `text` (empty when it parses).
std::string syntax_errors(const std::string& text) {
    std::string errors;
    print_declarations(text, errors);
    return errors;
}

/// The hint after "expected a declaration": it lists the declaration keywords, which grow
/// with the language, so the tests take the list from the parser.
std::string declaration_hint(const std::string& meant = "") {
    if (!meant.empty())
        return "  hint: did you mean `" + meant + "`? A declaration starts with one of: " +
               hoshu::dsl::declaration_keywords() + "\n";
    return std::string("  hint: a declaration starts with one of: ") + hoshu::dsl::declaration_keywords() + "\n";
}

}  // namespace

TEST_CASE("parser: operator precedence and associativity", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        // * / bind tighter than + -, which bind tighter than comparisons
        {"a + b * 2", "(+ a (* b 2))"},
        {"a * b + 2", "(+ (* a b) 2)"},
        {"a - b - c", "(- (- a b) c)"},
        {"a / b / c", "(/ (/ a b) c)"},
        {"a - b + c", "(+ (- a b) c)"},
        {"a * b / c * d", "(* (/ (* a b) c) d)"},
        {"(a + b) * c", "(* (+ a b) c)"},
        {"a + (b * c)", "(+ a (* b c))"},
        {"((a))", "a"},
        {"(((a + b)))", "(+ a b)"},
        {"a < b + 1", "(< a (+ b 1))"},
        {"a + b == c * d", "(== (+ a b) (* c d))"},
        {"a != b", "(!= a b)"},
        {"a <= b", "(<= a b)"},
        {"a >= b", "(>= a b)"},
        {"a > b", "(> a b)"},
        // not binds looser than comparisons, and tighter than and, which binds tighter than or
        {"a or b and not c", "(or a (and b (not c)))"},
        {"a and b or c and d", "(or (and a b) (and c d))"},
        {"not a and b", "(and (not a) b)"},
        {"not a < b", "(not (< a b))"},
        {"not not a", "(not (not a))"},
        {"a or b or c", "(or (or a b) c)"},
        {"a > 1 and b <= 2 or c", "(or (and (> a 1) (<= b 2)) c)"},
        {"not (a or b)", "(not (or a b))"},
        // unary minus binds tightest
        {"-a * b", "(* (- a) b)"},
        {"a * -b", "(* a (- b))"},
        {"- -a", "(- (- a))"},
        {"-(a + b)", "(- (+ a b))"},
        {"a - -b", "(- a (- b))"},
        {"-¥100", "(- ¥100)"},
        // the Unicode operators are the ASCII ones
        {"a × b ÷ c − d", "(- (/ (* a b) c) d)"},
        {"a−b", "(- a b)"},
        {"−a", "(- a)"},
        {"a ≤ b", "(<= a b)"},
        {"a ≥ b and c ≠ d", "(and (>= a b) (!= c d))"},
        // is / is not: a comparison level
        {"role is executive", "(is role executive)"},
        {"role is not executive", "(is-not role executive)"},
        {"role is auditor or role is outside_auditor", "(or (is role auditor) (is role outside_auditor))"},
        {"not role is executive", "(not (is role executive))"},
        // line breaks carry no meaning
        {"a\n  + b\n  * c", "(+ a (* b c))"},
        // ... but a unit is on its number's line
        {"10\n  * b", "(* 10 b)"},
    }));
    CAPTURE(input);
    CHECK(expression_tree(input) == expected);
}

TEST_CASE("parser: literals keep their unit as written", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        {"¥16,000,000", "¥16,000,000"},
        {"￥16,000,000", "￥16,000,000"},
        {"16_000_000 JPY", "16_000_000[JPY]"},
        {"16000000 yen", "16000000[yen]"},
        {"85%", "85[%]"},
        {"85.5%", "85.5[%]"},
        {"2,850 JPY/share", "2,850[JPY/share]"},
        {"2,850 JPY per share", "2,850[JPY per share]"},
        {"¥2,850 per share", "¥2,850[per share]"},
        {"¥2,850/share", "¥2,850[/share]"},
        {"¥4,000,000 per month", "¥4,000,000[per month]"},
        {"4 months", "4[months]"},
        {"1 month", "1[month]"},
        {"140,000 shares", "140,000[shares]"},
        {"1 share", "1[share]"},
        {"0.5", "0.5"},
        {"1.05", "1.05"},
        {"1,000.5 shares", "1,000.5[shares]"},
        {"1_000.000_5", "1_000.000_5"},
        // currencies and units the plan declares; the checker knows which exist
        {"$6,000,000", "$6,000,000"},
        {"€12.50", "€12.50"},
        {"$0.01 per share", "$0.01[per share]"},
        {"6,000,000 USD", "6,000,000[USD]"},
        {"36,450 points", "36,450[points]"},
        {"1 point", "1[point]"},
        {"1 share per PSU", "1[share per PSU]"},
        {"3 years", "3[years]"},
        {"10 会長", "10[会長]"},
        // a comma not followed by exactly three digits ends the numeral: min(1, 000) is two numbers
        {"min(1,5)", "(min 1 5)"},
        // the checker rejects commas in a number without a unit; the parser keeps them
        {"min(1,000)", "(min 1,000)"},
        {"2024-04-01", "2024-04-01"},
        {"2024-04-01 + a", "(+ 2024-04-01 a)"},
        {"\"FY2024\"", "\"FY2024\""},
        {"\"say \\\"hi\\\"\\\\\"", "\"say \\\"hi\\\"\\\\\""},
        {"\"取締役\"", "\"取締役\""},
        {"true", "true"},
        {"false", "false"},
        // a name that starts with a keyword is a name
        {"period_start", "period_start"},
        {"true_value", "true_value"},
        {"ends", "ends"},
    }));
    CAPTURE(input);
    CHECK(expression_tree(input) == expected);
}

TEST_CASE("parser: if, round, calls, last … before, aggregates", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        {"if a then b else c", "(if a b c)"},
        {"if a > 1 then b + 1 else c * 2", "(if (> a 1) (+ b 1) (* c 2))"},
        {"if a then if b then c else d else e", "(if a (if b c d) e)"},
        {"if a then b else if c then d else e", "(if a b (if c d e))"},
        {"(if a then b else c) * 2", "(* (if a b c) 2)"},
        {"if is_executive\n  then round down(base_comp * annual_rate / base_price, 1 share)\n  else 0 shares",
         "(if is_executive (round down (/ (* base_comp annual_rate) base_price) 1[share]) 0[shares])"},
        {"round down(x, 1 share)", "(round down x 1[share])"},
        {"round up(x, 100 shares)", "(round up x 100[shares])"},
        {"round half up(x, ¥1)", "(round half-up x ¥1)"},
        {"round half even(x, 1 share)", "(round half-even x 1[share])"},
        {"round down(a * (2 * b) / c, 1 share)", "(round down (/ (* a (* 2 b)) c) 1[share])"},
        {"min(a, b)", "(min a b)"},
        {"max(a, b, c)", "(max a b c)"},
        {"clamp(x, 0%, 100%)", "(clamp x 0[%] 100[%])"},
        {"achievement_coefficient(revenue / revenue_target)", "(achievement_coefficient (/ revenue revenue_target))"},
        {"year_before(year)", "(year_before year)"},
        {"f(a + b, -c)", "(f (+ a b) (- c))"},
        {"last share_price before period_start", "(last-before share_price period_start)"},
        {"last share_price before period_start * 2", "(* (last-before share_price period_start) 2)"},
        {"sum of fixed_cash_yen over directors", "(sum-of directors fixed_cash_yen)"},
        {"sum of fixed_cash_yen over directors where role is outside",
         "(sum-of directors fixed_cash_yen (where (is role outside)))"},
        {"sum of a * b over directors where not (c or d)", "(sum-of directors (* a b) (where (not (or c d))))"},
        {"max of x over directors", "(max-of directors x)"},
        {"min of x over directors", "(min-of directors x)"},
        {"count of directors", "(count-of directors)"},
        {"count of directors where role is executive", "(count-of directors (where (is role executive)))"},
        {"sum of granted_shares over grants where component is annual",
         "(sum-of grants granted_shares (where (is component annual)))"},
        {"count of items", "(count-of items)"},
        {"date of last share_price before period_start", "(date-of-last-before share_price period_start)"},
        {"product of split_ratio after base_close_date up to grant_date",
         "(product-of split_ratio (after base_close_date) (up-to grant_date))"},
        {"last share_price before d / product of split_ratio after a up to b",
         "(/ (last-before share_price d) (product-of split_ratio (after a) (up-to b)))"},
        {"present(left_on)", "(present left_on)"},
        // windows of a series
        {"last close up to d", "(last-up-to close d)"},
        {"date of last close up to d", "(date-of-last-up-to close d)"},
        {"close on vesting_date", "(on-window close (on vesting_date))"},
        {"close on vesting_date * 2", "(* (on-window close (on vesting_date)) 2)"},
        {"mean of last 20 close before grant_date", "(mean-window close (last 20) (before grant_date))"},
        {"mean of last n close up to (d + 1 day)", "(mean-window close (last n) (up to (+ d 1[day])))"},
        {"sum of dividend from d1 up to d2", "(sum-window dividend (from d1) (up to d2))"},
        {"sum of dividend after d1 before d2", "(sum-window dividend (after d1) (before d2))"},
        {"sum of dividend over directors", "(sum-of directors dividend)"},
        // dates move by days, months and years
        {"d + 1 year - 1 day", "(- (+ d 1[year]) 1[day])"},
    }));
    CAPTURE(input);
    CHECK(expression_tree(input) == expected);
}

TEST_CASE("parser: declarations", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        {"plan \"IIJ 取締役報酬制度\"", "(plan \"IIJ 取締役報酬制度\")"},
        {"plan \"P\" effective 2024-06-27 outputs a, b, c\n  source IR2024 \"統合報告書\"\n  note \"n\"",
         "(plan \"P\" (effective 2024-06-27) (outputs a b c) (source IR2024 \"統合報告書\") (note \"n\"))"},
        {"plan \"P\" as of grant_date", "(plan \"P\" (as-of grant_date))"},
        {"carry ledger\n  for each grant where restricted > 0 shares:\n    year = grant_year, shares = a - b\n"
         "  for each director:\n    director = id\n  source P7 \"c\"",
         "(carry ledger (for-each grant (where (> restricted 0[shares])) (= year grant_year) (= shares (- a b))) "
         "(for-each director (= director id)) (source P7 \"c\"))"},
        {"test \"t\" inputs \"b.toml\" carry from \"a.toml\" expect x = 1",
         "(test \"t\" (inputs \"b.toml\") (carry-from \"a.toml\") (expect x 1))"},
        {"plan \"P\" as of d inputs shared with \"../iij\" outputs a",
         "(plan \"P\" (as-of d) (inputs-shared-with \"../iij\") (outputs a))"},
        {"plan \"P\" outputs a, b grants a note \"n\"", "(plan \"P\" (outputs a b) (grants a) (note \"n\"))"},
        {"plan \"P\" grants a,\n    b", "(plan \"P\" (grants a b))"},
        {"import \"../common\"", "(import \"../common\")"},
        {"type role = executive | non_executive | outside",
         "(type role (executive non_executive outside))"},
        {"param base_months: months = 4 months\n  source C8 \"4か月分\"\n  source P5 \"illustrative\"",
         "(param base_months months (= 4[months]) (source C8 \"4か月分\") (source P5 \"illustrative\"))"},
        {"param p: JPY per share = ¥2,850 per share", "(param p JPY/share (= ¥2,850[per share]))"},
        {"param p: JPY/share = ¥1 per share from 2024-06-27", "(param p JPY/share (= ¥1[per share] from 2024-06-27))"},
        {"input revenue: JPY at years[year].revenue range ¥0 to ¥100,000,000,000,000\n  source C5 \"連結売上高\"",
         "(input revenue JPY (at years[year].revenue) (range ¥0 ¥100,000,000,000,000) (source C5 \"連結売上高\"))"},
        {"input op: JPY at years[previous_year].operating_profit range -¥1 to ¥1",
         "(input op JPY (at years[previous_year].operating_profit) (range (- ¥1) ¥1))"},
        {"input low: JPY at targets[year].revenue_low default revenue_budget",
         "(input low JPY (at targets[year].revenue_low) (default revenue_budget))"},
        {"input s: ratio at division_score range 0 to 1.25 default 0",
         "(input s ratio (at division_score) (range 0 1.25) (default 0))"},
        {"input m: JPY per month at monthly_fixed range ¥0 per month to ¥100,000,000 per month",
         "(input m JPY/month (at monthly_fixed) (range ¥0[per month] ¥100,000,000[per month]))"},
        {"input d: date at midterm.start", "(input d date (at midterm.start))"},
        {"input x: JPY at a[b].c[d].e", "(input x JPY (at a[b].c[d].e))"},
        {"input x: JPY at a-b.c", "(input x JPY (at a-b.c))"},
        {"input r: JPY at /years[grant_year].revenue", "(input r JPY (at /years[grant_year].revenue))"},
        {"input f: text at midterm.years[-1]", "(input f text (at midterm.years[-1]))"},
        {"input left_on: date at left_on range 2000-01-01 to 2100-12-31 optional",
         "(input left_on date (at left_on) (range 2000-01-01 2100-12-31) (optional))"},
        {"input k: shares at shares range from 0 shares", "(input k shares (at shares) (range (from 0[shares])))"},
        {"input k: shares at restricted range up to granted optional",
         "(input k shares (at restricted) (range (up-to granted)) (optional))"},
        {"input g: date at grant_date range 2000-01-01 to in_office_until",
         "(input g date (at grant_date) (range 2000-01-01 in_office_until))"},
        {"info title: text at title\n  note \"for people\"", "(info title text (at title) (note \"for people\"))"},
        {"info since: date at since range 2000-01-01 to 2100-12-31",
         "(info since date (at since) (range 2000-01-01 2100-12-31))"},
        {"series share_price: JPY per share at prices(date, close)",
         "(series share_price JPY/share (at prices date close))"},
        {"collection directors: director at directors key id", "(collection directors director (at directors) (key id))"},
        {"collection grants: grant at ledger\n  belongs to director by director\n  note \"earlier years\"",
         "(collection grants grant (at ledger) (belongs-to director director) (note \"earlier years\"))"},
        {"collection fiscal_years: fiscal_year at years key company, name",
         "(collection fiscal_years fiscal_year (at years) (key company name))"},
        {"per peer\nend", "(per-peer)\n(end)"},
        {"value x: JPY = a + b\n  source C3 \"固定報酬\"", "(value x JPY (+ a b) (source C3 \"固定報酬\"))"},
        {"output fixed_cash_yen: JPY = monthly_fixed * months_in_office",
         "(output fixed_cash_yen JPY (* monthly_fixed months_in_office))"},
        {"per director\n  value x: JPY = a\nend", "(per-director)\n(value x JPY a)\n(end)"},
        // a definition's declared range: after the formula, before its citations
        {"value kept: shares = a - b range 0 shares to granted\n  source P9 \"kept\"",
         "(value kept shares (- a b) (range 0[shares] granted) (source P9 \"kept\"))"},
        {"output n: shares = if c then a else b range from 0 shares",
         "(output n shares (if c a b) (range (from 0[shares])))"},
        {"value r: ratio = x range up to 125%", "(value r ratio x (range (up-to 125[%])))"},
        {"value r: ratio = x range -1 + a to b * 2", "(value r ratio x (range (+ (- 1) a) (* b 2)))"},
        {"per grant\nend", "(per-grant)\n(end)"},
        {"limit rs_share_count: rs_shares <= 140,000 shares\n  source C2 \"140,000株\"",
         "(limit rs_share_count (<= rs_shares 140,000[shares]) (source C2 \"140,000株\"))"},
        {"limit rs: total <= 140,000 shares allocate pro rata a, b round down to 1 share",
         "(limit rs (<= total 140,000[shares]) (allocate pro-rata (a b) (round down 1[share])))"},
        {"require only_executives: total == 0 shares or role is executive\n  message \"only executives\"",
         "(require only_executives (or (== total 0[shares]) (is role executive)) (message \"only executives\"))"},
        // several declarations; comments are skipped
        {"# a comment\nvalue a: JPY = b # trailing\n\nvalue c: JPY = d\n", "(value a JPY b)\n(value c JPY d)"},
    }));
    CAPTURE(input);
    CHECK(declaration_trees(input) == expected);
}

TEST_CASE("parser: table rows of every bound kind", "[parser]") {
    auto [rows, expected] = GENERATE(table<std::string, std::string>({
        {"below 80% -> 0", "(row (below 80[%]) 0)"},
        {"up to 80% -> 0", "(row (up-to 80[%]) 0)"},
        {"from 110% -> 1.10", "(row (from 110[%]) 1.10)"},
        {"above 120% -> 1.20", "(row (above 120[%]) 1.20)"},
        {"from 80% to 100% -> linear 0.50 to 1.00", "(row (from 80[%]) (to 100[%]) (linear 0.50 1.00))"},
        {"above 100% to 120% -> linear 1.00 to 1.20", "(row (above 100[%]) (to 120[%]) (linear 1.00 1.20))"},
        {"from 90% to below 100% -> 0.80", "(row (from 90[%]) (to-below 100[%]) 0.80)"},
        {"above 90% to below 100% -> 0.80", "(row (above 90[%]) (to-below 100[%]) 0.80)"},
        {"below 80% → 0", "(row (below 80[%]) 0)"},
        {"from 1 + 1 to 2 * 2 -> -1", "(row (from (+ 1 1)) (to (* 2 2)) (- 1))"},
        // shapes the checker rejects still parse
        {"from 1 -> linear 0", "(row (from 1) (linear 0))"},
        {"below 1 -> 0 to 2", "(row (below 1) 0 (to 2))"},
        {"below 1 below 2 -> 0", "(row (below 1) (below 2) 0)"},
        // several rows
        {"below 80% -> 0\n  from 80% to 100% -> linear 0.50 to 1.00\n  above 100% -> 1",
         "(row (below 80[%]) 0) (row (from 80[%]) (to 100[%]) (linear 0.50 1.00)) (row (above 100[%]) 1)"},
    }));
    std::string input = "table t(a: ratio) -> ratio\n  " + rows + "\n  source P1 \"illustrative\"\n";
    CAPTURE(input);
    CHECK(declaration_trees(input) == "(table t (a ratio) ratio " + expected + " (source P1 \"illustrative\"))");
}

TEST_CASE("parser: syntax errors, exactly as rendered", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        // a missing operand at the end of a line points at the end of that line
        {"value x: JPY = a *\nvalue y: JPY = b\n",
         "test.hoshu:1:19: error: expected operand, at end of line\n"
         "  value x: JPY = a *\n"
         "                    ^\n"},
        {"value x: JPY = a *   # the rest is missing\nvalue y: JPY = b\n",
         "test.hoshu:1:19: error: expected operand, at end of line\n"
         "  value x: JPY = a *   # the rest is missing\n"
         "                    ^\n"},
        {"value x: JPY = a *",
         "test.hoshu:1:19: error: expected operand, at end of file\n"
         "  value x: JPY = a *\n"
         "                    ^\n"},
        {"value x: JPY = (a + b\n",
         "test.hoshu:1:22: error: expected ')', at end of file\n"
         "  value x: JPY = (a + b\n"
         "                       ^\n"},
        // an unterminated string
        {"plan \"IIJ\nvalue y: JPY = b\n",
         "test.hoshu:1:10: error: expected '\"', at end of line\n"
         "  plan \"IIJ\n"
         "           ^\n"},
        // a table row without its arrow
        {"table t(a: ratio) -> ratio\n  below 80% 0\n  from 80% -> 1\n",
         "test.hoshu:2:13: error: expected '->', found '0'\n"
         "    below 80% 0\n"
         "              ^\n"},
        {"table t(a: ratio) -> ratio\n",
         "test.hoshu:1:27: error: expected table rows ('below 80% -> 0', …), at end of file\n"
         "  table t(a: ratio) -> ratio\n"
         "                            ^\n"},
        {"value x JPY = a\n",
         "test.hoshu:1:9: error: expected ':', found 'JPY'\n"
         "  value x JPY = a\n"
         "          ^~~\n"},
        {"value 1x: JPY = a\n",
         "test.hoshu:1:7: error: expected name, found '1x'\n"
         "  value 1x: JPY = a\n"
         "        ^~\n"},
        {"input x: JPY years.revenue\n",
         "test.hoshu:1:14: error: expected 'at', found 'years'\n"
         "  input x: JPY years.revenue\n"
         "               ^~~~~\n"},
        {"param p: JPY ¥1\n",
         "test.hoshu:1:14: error: expected '= value', found '¥'\n"
         "  param p: JPY ¥1\n"
         "               ^\n"},
        {"value x: JPY = round sideways(a, 1 share)\n",
         "test.hoshu:1:22: error: expected rounding mode ('down', 'up', 'half up' or 'half even'), found 'sideways'\n"
         "  value x: JPY = round sideways(a, 1 share)\n"
         "                       ^~~~~~~~\n"},
        {"value x: JPY = round down(a 1 share)\n",
         "test.hoshu:1:29: error: expected ',', found '1'\n"
         "  value x: JPY = round down(a 1 share)\n"
         "                              ^\n"},
        {"series s: JPY per share at prices(date)\n",
         "test.hoshu:1:39: error: expected ',', found ')'\n"
         "  series s: JPY per share at prices(date)\n"
         "                                        ^\n"},
        {"collection directors: director at directors key\n",
         "test.hoshu:1:48: error: expected key fields separated by ',', at end of file\n"
         "  collection directors: director at directors key\n"
         "                                                 ^\n"},
        {"per\nvalue a: ratio = 1\n",
         "test.hoshu:1:4: error: expected a record (a collection's singular, as in: director), at end of line\n"
         "  per\n"
         "     ^\n"},
        {"value x: JPY = a ** b\n",
         "test.hoshu:1:19: error: expected operand, found '*'\n"
         "  value x: JPY = a ** b\n"
         "                    ^\n"},
        {"value x: shares = a range 0 shares\n",
         "test.hoshu:1:35: error: expected 'to', at end of file\n"
         "  value x: shares = a range 0 shares\n"
         "                                    ^\n"},
        {"value x: shares = a range\n",
         "test.hoshu:1:26: error: expected range ('LOW to HIGH', 'from LOW' or 'up to HIGH'), at end of file\n"
         "  value x: shares = a range\n"
         "                           ^\n"},
        // a misspelt word of a rank's or a percentile's order or tie rule: the choices, in words
        {"value p: percent = percentile of a among b over peers, ties hlf\n",
         "test.hoshu:1:61: error: expected 'lower', 'not lower' or 'half' (after 'ties'), found 'hlf'\n"
         "  value p: percent = percentile of a among b over peers, ties hlf\n"
         "                                                              ^~~\n"},
        {"value r: count = rank of a among b over peers, highst first, ties best\n",
         "test.hoshu:1:48: error: expected 'highest first' or 'lowest first', found 'highst'\n"
         "  value r: count = rank of a among b over peers, highst first, ties best\n"
         "                                                 ^~~~~~\n"},
        {"value r: count = rank of a among b over peers, highest first, ties bst\n",
         "test.hoshu:1:68: error: expected 'best' or 'worst' (after 'ties'), found 'bst'\n"
         "  value r: count = rank of a among b over peers, highest first, ties bst\n"
         "                                                                     ^~~\n"},
        // a range or an aggregate cut short: what was expected, not a C++ type
        {"input i: ratio at i range from )\n",
         "test.hoshu:1:32: error: expected expression, found ')'\n"
         "  input i: ratio at i range from )\n"
         "                                 ^\n"},
        {"value s: JPY = sum of ) over directors\n",
         "test.hoshu:1:23: error: expected expression, found ')'\n"
         "  value s: JPY = sum of ) over directors\n"
         "                        ^\n"},
        // columns count code points, and the caret lines up under wide characters
        {"plan \"報酬\" outputs\n",
         "test.hoshu:1:18: error: expected output names separated by ',', at end of file\n"
         "  plan \"報酬\" outputs\n"
         "                     ^\n"},
    }));
    CAPTURE(input);
    CHECK(syntax_errors(input) == expected);
}

TEST_CASE("parser: scientific notation is named at the number, wherever a number is read", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        // a table row's bound: once read as `1e - 3`, then a syntax error at `->`
        {"table t(a: ratio) -> ratio\n  below 1e-3 -> 0\n",
         "test.hoshu:2:9: error: `1e-3` is scientific notation, which a rule file does not read\n"
         "    below 1e-3 -> 0\n"
         "          ^~~~\n"
         "  hint: write the number in full: `0.001`\n"},
        {"table t(a: ratio) -> ratio\n  from 0 to 2.5E+2 -> linear 0 to 1\n",
         "test.hoshu:2:13: error: `2.5E+2` is scientific notation, which a rule file does not read\n"
         "    from 0 to 2.5E+2 -> linear 0 to 1\n"
         "              ^~~~~~\n"
         "  hint: write the number in full: `250`\n"},
        // an amount after a currency sign: grouped by commas, as amounts are written
        {"param cap: JPY = ¥1e6\n",
         "test.hoshu:1:18: error: `¥1e6` is scientific notation, which a rule file does not read\n"
         "  param cap: JPY = ¥1e6\n"
         "                   ^~~~\n"
         "  hint: write the number in full: `¥1,000,000`\n"},
        {"value p: JPY per share = min(price, ￥1,500.25e-2 per share)\n",
         "test.hoshu:1:37: error: `￥1,500.25e-2` is scientific notation, which a rule file does not read\n"
         "  value p: JPY per share = min(price, ￥1,500.25e-2 per share)\n"
         "                                      ^~~~~~~~~~~~~\n"
         "  hint: write the number in full: `￥15.0025`\n"},
        {"param cap: JPY = £1.5e3\n",
         "test.hoshu:1:18: error: `£1.5e3` is scientific notation, which a rule file does not read\n"
         "  param cap: JPY = £1.5e3\n"
         "                   ^~~~~~\n"
         "  hint: write the number in full: `£1,500`\n"},
        // a number with a unit after it, a declared unit's minor amount
        {"param cap: shares = 12_000e-3 shares\n",
         "test.hoshu:1:21: error: `12_000e-3` is scientific notation, which a rule file does not read\n"
         "  param cap: shares = 12_000e-3 shares\n"
         "                      ^~~~~~~~~\n"
         "  hint: write the number in full: `12`\n"},
        {"unit USD currency \"$\" minor 1e-2\n",
         "test.hoshu:1:29: error: `1e-2` is scientific notation, which a rule file does not read\n"
         "  unit USD currency \"$\" minor 1e-2\n"
         "                              ^~~~\n"
         "  hint: write the number in full: `0.01`\n"},
        {"param big: ratio = 3e011\n",
         "test.hoshu:1:20: error: `3e011` is scientific notation, which a rule file does not read\n"
         "  param big: ratio = 3e011\n"
         "                     ^~~~~\n"
         "  hint: write the number in full: `300_000_000_000`\n"},
        {"param none: ratio = 0.0e5\n",
         "test.hoshu:1:21: error: `0.0e5` is scientific notation, which a rule file does not read\n"
         "  param none: ratio = 0.0e5\n"
         "                      ^~~~~\n"
         "  hint: write the number in full: `0`\n"},
        // past 10^±40 the hint says how, not what
        {"param huge: ratio = 1e400\n",
         "test.hoshu:1:21: error: `1e400` is scientific notation, which a rule file does not read\n"
         "  param huge: ratio = 1e400\n"
         "                      ^~~~~\n"
         "  hint: write the number in full (digits may be grouped with `_`)\n"},
        {"param huge: JPY = $1e41\n",
         "test.hoshu:1:19: error: `$1e41` is scientific notation, which a rule file does not read\n"
         "  param huge: JPY = $1e41\n"
         "                    ^~~~~\n"
         "  hint: write the number in full (digits may be grouped with `,`)\n"},
        // no exponent: a unit (unknown or not, the checker says), a name, a blank before `e`
        {"param a: ratio = 1e6x\nparam b: ratio = x1e6\nparam c: ratio = 2 e6\nparam d: ratio = 1e\n", ""},
    }));
    CAPTURE(input);
    CHECK(syntax_errors(input) == expected);
}

TEST_CASE("parser: every scientific number of a file is named, each in its declaration", "[parser]") {
    const std::string errors = syntax_errors(
        "table t(a: ratio) -> ratio\n  below 1e-3 -> 0\n  from 1e-3 -> 1\nparam cap: JPY = ¥1e6\n"
        "value v: ratio = t(0.5)\n");
    CHECK(errors.find("test.hoshu:2:9: error: `1e-3` is scientific notation") != std::string::npos);
    CHECK(errors.find("test.hoshu:4:18: error: `¥1e6` is scientific notation") != std::string::npos);
    // the table's second row is not read once its first is refused; nothing else is said
    CHECK(errors.find("expected") == std::string::npos);
}

TEST_CASE("parser: an unknown declaration keyword", "[parser]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        {"valeu x: JPY = a\n",
         "test.hoshu:1:1: error: expected a declaration, found 'valeu'\n"
         "  valeu x: JPY = a\n"
         "  ^~~~~\n"},
        {"  constant x = 1\n",
         "test.hoshu:1:3: error: expected a declaration, found 'constant'\n"
         "    constant x = 1\n"
         "    ^~~~~~~~\n"},
        // what follows a complete declaration must start a new one
        {"value x: ratio = a b\n",
         "test.hoshu:1:20: error: expected a declaration, found 'b'\n"
         "  value x: ratio = a b\n"
         "                     ^\n"},
    }));
    CAPTURE(input);
    // A word one or two edits from a declaration word is named ("did you mean").
    const std::string hint = input.rfind("valeu", 0) == 0 ? declaration_hint("value") : declaration_hint();
    CHECK(syntax_errors(input) == expected + hint);
}

TEST_CASE("parser: a figure copied with its rounding mark", "[parser]") {
    // A report shows a percent whose decimal does not end as `4/7 ≈ 57.1429%`: the part
    // after `≈` is no value, and the error says which part is.
    CHECK(syntax_errors("value v: percent = 4/7 ≈ 57.1429%\nvalue w: ratio = 1\n") ==
          "test.hoshu:1:24: error: `≈` marks a figure rounded for display: a rule file holds exact values\n"
          "  value v: percent = 4/7 ≈ 57.1429%\n"
          "                         ^\n"
          "  hint: write the exact value shown before `≈`, as in: expect vesting = 4/7\n");
}

TEST_CASE("parser: every syntax error of a file is reported, parsing resumes at the next declaration",
          "[parser]") {
    const std::string text =
        "plan \"P\"\n"
        "value a: JPY = b *\n"                    // missing operand at the end of the line
        "value c: JPY = d\n"
        "valeu e: JPY = f\n"                      // unknown declaration keyword
        "table t(x: ratio) -> ratio\n"
        "  below 80% 0\n"                         // missing ->
        "output g: JPY = h\n"
        "param p: months = \"4\n"                 // unterminated string
        "limit l: g <= ¥1\n";
    std::string errors;
    std::string trees = print_declarations(text, errors);
    CHECK(trees ==
          "(plan \"P\")\n"
          "(value c JPY d)\n"
          "(output g JPY h)\n"
          "(limit l (<= g ¥1))");
    CHECK(errors ==
          "test.hoshu:2:19: error: expected operand, at end of line\n"
          "  value a: JPY = b *\n"
          "                    ^\n"
          "test.hoshu:4:1: error: expected a declaration, found 'valeu'\n"
          "  valeu e: JPY = f\n"
          "  ^~~~~\n" +
              declaration_hint("value") +
              "test.hoshu:6:13: error: expected '->', found '0'\n"
              "    below 80% 0\n"
              "              ^\n"
              "test.hoshu:8:21: error: expected '\"', at end of line\n"
              "  param p: months = \"4\n"
              "                      ^\n");
}

TEST_CASE("parser: after a syntax error, parsing resumes at any declaration word, `info` too", "[parser]") {
    std::string errors;
    std::string trees = print_declarations("value a: JPY = b *\ninfo title: text at title\n", errors);
    CHECK(trees == "(info title text (at title))");
    CHECK(errors ==
          "test.hoshu:1:19: error: expected operand, at end of line\n"
          "  value a: JPY = b *\n"
          "                    ^\n");
    // The hint lists every word that starts a declaration, in one order.
    CHECK(std::string(hoshu::dsl::declaration_keywords()) ==
          "plan, import, per RECORD, end, unit, type, param, input, info, series, "
          "collection, value, output, table, limit, require, test, carry");
}

TEST_CASE("parser: every shipped rule file parses without errors", "[parser]") {
    namespace fs = std::filesystem;
    std::vector<fs::path> paths;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(HOSHU_SOURCE_DIR) / "rules")) {
        if (entry.path().extension() == ".hoshu") paths.push_back(entry.path());
    }
    REQUIRE(paths.size() >= 6);
    for (const auto& p : paths) {
        CAPTURE(p.string());
        std::ifstream in(p, std::ios::binary);
        REQUIRE(in);
        std::ostringstream text;
        text << in.rdbuf();
        std::string errors;
        std::string trees = print_declarations(text.str(), errors);
        CHECK(errors == "");
        CHECK_FALSE(trees.empty());
    }
}

TEST_CASE("parser: formulas as the IIJ rules write them", "[parser]") {
    std::string errors;
    std::string trees = print_declarations(
        "value annual_rate: ratio =\n"
        "  clamp(achievement_coefficient(revenue / revenue_target)\n"
        "        * growth_coefficient(revenue / previous_revenue),\n"
        "        0%, 100%)\n"
        "  source C5 \"各係数で掛け合わせて基準報酬に対する支給率を算定\"\n"
        "output director_cash_yen: JPY =\n"
        "  sum of fixed_cash_yen over directors where not (role is auditor or role is outside_auditor)\n",
        errors);
    CHECK(errors.empty());
    CHECK(trees ==
          "(value annual_rate ratio (clamp (* (achievement_coefficient (/ revenue revenue_target)) "
          "(growth_coefficient (/ revenue previous_revenue))) 0[%] 100[%]) "
          "(source C5 \"各係数で掛け合わせて基準報酬に対する支給率を算定\"))\n"
          "(output director_cash_yen JPY (sum-of directors fixed_cash_yen "
          "(where (not (or (is role auditor) (is role outside_auditor))))))");
}

// ---------------------------------------------------------------------------------------
// Regressions: bugs found and fixed, each with the case that would have caught it.

TEST_CASE("regression: dated param values parse as one `==` comparison", "[parser]") {
    // docs/LANGUAGE.md: `param rs_share_limit: shares = 100,000 shares = 140,000 shares from …`
    // `=` was also the comparison `==`, so the first value swallowed the second:
    // (param p shares (= (== 100,000[shares] 140,000[shares]) from 2024-06-27))
    CHECK(declaration_trees("param p: shares\n  = 100,000 shares\n  = 140,000 shares from 2024-06-27\n") ==
          "(param p shares (= 100,000[shares]) (= 140,000[shares] from 2024-06-27))");
}

TEST_CASE("regression: an expected token missing at the end of a line swallows the next declaration",
          "[parser]") {
    // The error is found at the next line's first token; recovery then skips that whole line,
    // so `value y` is lost (and the checker reports `y` as unknown).
    std::string errors;
    std::string trees = print_declarations("value x: JPY = round down(a, ¥1\nvalue y: JPY = a\n", errors);
    CHECK(trees == "(value y JPY a)");
}

TEST_CASE("regression: some syntax errors name a C++ type instead of what was expected",
          "[parser]") {
    auto input = GENERATE(as<std::string>{}, "value x: JPY = ¥\n", "value x: JPY = ¥abc\n",
                          "value x: text = \"a\\q\"\n");
    CAPTURE(input);
    std::string errors = syntax_errors(input);
    CHECK_FALSE(errors.empty());
    CHECK(errors.find("boost") == std::string::npos);
}

TEST_CASE("regression: no syntax error names a C++ type, wherever a shipped file is broken", "[parser]") {
    // An expectation (`a > b`) names what it expects by the rule it expects; an unnamed
    // alternative or sequence there was named by its mangled C++ type (`expected
    // N5boost6spirit2x311alternative…, found 'hlf'` for `ties hlf`). Each word of every
    // shipped rule file is replaced by a wrong word, by `)`, by `,`, or left out, or the
    // text is cut after it; the lines around it are parsed.
    namespace fs = std::filesystem;
    std::size_t parsed = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(HOSHU_SOURCE_DIR) / "rules")) {
        if (!entry.is_regular_file() || entry.path().extension() != ".hoshu") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream buffer;
        buffer << in.rdbuf();
        const std::string text = buffer.str();
        std::vector<std::size_t> line_starts{0};
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') line_starts.push_back(i + 1);
        std::size_t line = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            while (line + 1 < line_starts.size() && line_starts[line + 1] <= i) ++line;
            const bool starts_word = text[i] != ' ' && text[i] != '\n' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n');
            if (!starts_word) continue;
            std::size_t end = text.find_first_of(" \n", i);
            if (end == std::string::npos) end = text.size();
            const std::size_t from = line_starts[line >= 8 ? line - 8 : 0];
            const std::size_t to = line + 3 < line_starts.size() ? line_starts[line + 3] : text.size();
            const std::string before = text.substr(from, i - from);
            const std::string after = text.substr(end, to - end);
            for (const std::string& variant : {before + "zqx" + after, before + ")" + after, before + "," + after,
                                               before + after, text.substr(from, end - from)}) {
                std::string errors = syntax_errors(variant);
                ++parsed;
                if (errors.find("boost") != std::string::npos || errors.find("3dsl") != std::string::npos) {
                    CAPTURE(entry.path().string(), variant, errors);
                    FAIL("a syntax error names a C++ type");
                }
            }
        }
    }
    CHECK(parsed > 10000);
}
