// The inputs checked whole before an evaluation: every key is one the plan reads, every
// value a declaration reads has its type and lies in its range (read this year or not);
// definitions' declared ranges; control characters in diagnostics.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"
#include "evaluator/run/session.hpp"
#include "evaluator/run/inputs.hpp"

using namespace hoshu;
using eval::InputFile;

namespace {

/// A small plan: top-level inputs (one read through a key computed from a text, one from
/// an array's last element), directors with an `info` key, a ledger, a series, and
/// definitions with declared ranges.
const char* const plan_text = R"(plan "keys"

input year: text at fiscal_year
input revenue: JPY at years[year].revenue range ¥0 to ¥1,000,000
input last_year: text at history[-1]
input start: date at start range 2000-01-01 to 2100-12-31

series price: JPY per share at prices(date, close)
collection directors: director at directors key id
collection grants: grant at ledger
  belongs to director by director

per director
  info title: text at title
  input pay: JPY at pay range ¥0 to ¥1,000
  input left_on: date at left_on range 2000-01-01 to 2100-12-31 optional
  value until: date = if present(left_on) then left_on else 2100-12-31
  output kept: JPY = pay - cut
    range from ¥0
    source P1 "kept"
end

per grant
  input made_on: date at made_on range 2000-01-01 to until
  input granted: shares at shares range 0 shares to 100 shares
  input restricted: shares at restricted range 0 shares to granted
  value held: shares = restricted
end

per director
  input cut: JPY at cut range ¥0 to ¥1,000 default ¥0
  output held_shares: shares = sum of held over grants
    range up to 100 shares
end

output total: JPY = revenue + sum of kept over directors
  range 0 to ¥10,000,000
)";

const char* const good_inputs = R"(fiscal_year = "FY2"
history = ["FY1", "FY2"]
start = 2024-04-01

[years.FY1]
revenue = 100

[years.FY2]
revenue = 200

[[prices]]
date = 2024-03-29
close = 10

[[directors]]
id = "D1"
title = "CEO"
pay = 500

[[directors]]
id = "D2"
pay = 300
left_on = 2024-06-30

[[ledger]]
director = "D1"
made_on = 2024-06-01
shares = 10
restricted = 5
)";

struct Run {
    dsl::SourceManager sm;
    std::optional<eval::Plan> plan;

    explicit Run(const std::string& rules = plan_text) {
        dsl::Diagnostics diags;
        plan = eval::check_files(sm, {sm.add("keys.hoshu", rules)}, diags);
        INFO(dsl::render(sm, diags));
        REQUIRE(plan);
    }
    /// The evaluation's errors as rendered, or "ok".
    std::string eval(const std::string& toml, eval::EvalOptions options = {}) {
        auto in = InputFile::parse(sm, "in.toml", toml);
        if (!in) return dsl::render(sm, in.error());
        auto out = eval::evaluate(*plan, *in, options);
        return out ? std::string("ok") : dsl::render(sm, out.error());
    }
};

/// `good_inputs` with `from` replaced by `to` (which must be there once).
std::string edited(std::string from, std::string to) {
    std::string s = good_inputs;
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(s.find(from, at + 1) == std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("inputs: a file with only keys the plan reads evaluates", "[inputs][keys]") {
    Run r;
    CHECK(r.eval(good_inputs) == "ok");
}

TEST_CASE("inputs: every key the plan does not read is an error, located, with a hint", "[inputs][keys]") {
    auto [from, to, expected] = GENERATE(table<std::string, std::string, std::string>({
        // at the top, with the nearest known key
        {"start = 2024-04-01", "start = 2024-04-01\nstrat = 1",
         "in.toml:4:1: error: unknown key `strat` at the top of the inputs: no declaration of the plan reads it\n"
         "  strat = 1\n"
         "  ^~~~~\n"
         "  hint: did you mean `start`?\n"},
        // in a table reached through a key computed from a text: any key there, but below it only `revenue`
        {"revenue = 100", "revenu = 100",
         "in.toml:6:1: error: unknown key `revenu` in `years.FY1`: no declaration of the plan reads it\n"
         "  revenu = 100\n"
         "  ^~~~~~\n"
         "  hint: did you mean `revenue`?\n"},
        // in a director, named by its id; no near key: the keys read there are listed
        {"title = \"CEO\"", "title = \"CEO\"\nnickname = \"B\"",
         "in.toml:18:1: error: unknown key `nickname` in director D1: no declaration of the plan reads it\n"
         "  nickname = \"B\"\n"
         "  ^~~~~~~~\n"
         "  hint: the plan reads cut, id, left_on, pay, title here; a key kept only for people is declared in "
         "the plan with `info NAME: text at KEY`\n"},
        // in a ledger entry, and in a series entry
        {"restricted = 5", "restricted = 5\nrestrictd = 5",
         "in.toml:30:1: error: unknown key `restrictd` in grant 1 of `ledger`: no declaration of the plan reads it\n"
         "  restrictd = 5\n"
         "  ^~~~~~~~~\n"
         "  hint: did you mean `restricted`?\n"},
        {"close = 10", "close = 10\nopen = 9",
         "in.toml:14:1: error: unknown key `open` in entry 1 of `prices`: no declaration of the plan reads it\n"
         "  open = 9\n"
         "  ^~~~\n"
         "  hint: the plan reads close, date here; a key kept only for people is declared in the plan with "
         "`info NAME: text at KEY`\n"},
        // a list under the wrong name
        {"[[ledger]]", "[[ledgers]]",
         "in.toml:25:3: error: unknown key `ledgers` at the top of the inputs: no declaration of the plan reads it\n"
         "  [[ledgers]]\n"
         "    ^~~~~~~\n"
         "  hint: did you mean `ledger`?\n"},
        // a value where the plan reads keys in a table
        {"[years.FY1]\nrevenue = 100\n", "",
         "ok"},
        {"start = 2024-04-01", "start = 2024-04-01\nyears2 = 1",
         "in.toml:4:1: error: unknown key `years2` at the top of the inputs: no declaration of the plan reads it\n"
         "  years2 = 1\n"
         "  ^~~~~~\n"
         "  hint: did you mean `years`?\n"},
    }));
    Run r;
    CAPTURE(to);
    CHECK(r.eval(edited(from, to)) == expected);
}

TEST_CASE("inputs: a value of the wrong shape where the plan reads keys or elements", "[inputs][keys]") {
    Run r;
    std::string in = edited("history = [\"FY1\", \"FY2\"]", "history = \"FY2\"");
    CHECK(r.eval(in) == "in.toml:2:11: error: `history` must be an array: the plan reads elements of it, not a string\n"
                        "  history = \"FY2\"\n"
                        "            ^~~~~\n");
    Run r2;
    std::string in2 = edited("[years.FY2]\nrevenue = 200\n", "[years.FY2]\nrevenue = 200\n[years.FY3]\n");
    CHECK(r2.eval(in2) == "ok");   // an empty table: no key to check
    Run r3;
    std::string in3 = edited("[years.FY1]\nrevenue = 100\n", "[years]\nFY1 = 100\n");
    CHECK(r3.eval(in3) ==
          "in.toml:6:7: error: `years.FY1` must be a table: the plan reads keys in it, not an integer\n"
          "  FY1 = 100\n"
          "        ^~~\n");
}

TEST_CASE("inputs: every value a declaration reads is checked, whether read this year or not", "[inputs][keys]") {
    auto [from, to, expected] = GENERATE(table<std::string, std::string, std::string>({
        // last year's revenue is never read this year; it is still out of range
        {"revenue = 100", "revenue = -100",
         "in.toml:6:11: error: `revenue` is -100, outside its declared range ¥0 to ¥1,000,000\n"
         "  revenue = -100\n"
         "            ^~~~\n"},
        // the first element of an array read through [-1]: not read, not a key, not checked
        {"history = [\"FY1\", \"FY2\"]", "history = [1, \"FY2\"]", "ok"},
        // the last element is read through [-1]: its type is checked
        {"history = [\"FY1\", \"FY2\"]", "history = [\"FY1\", \"FY2\", 3]",
         "in.toml:2:26: error: expected a string, found an integer\n"
         "  history = [\"FY1\", \"FY2\", 3]\n"
         "                           ^\n"},
        // an info key's type
        {"title = \"CEO\"", "title = 7",
         "in.toml:17:9: error: expected a string, found an integer\n"
         "  title = 7\n"
         "          ^\n"},
        // a ledger entry: a fraction of a share, and more shares restricted than granted
        {"shares = 10", "shares = 10.5",
         "in.toml:28:10: error: `granted` for director D1, grant 1 of `ledger` is shares: it must be a whole number, not 10.5\n"
         "  shares = 10.5\n"
         "           ^~~~\n"},
        {"restricted = 5", "restricted = 11",
         "in.toml:29:14: error: `restricted` for director D1, grant 1 of `ledger` is 11, outside its declared range 0 "
         "shares to granted (here 0 shares to 10 shares)\n"
         "  restricted = 11\n"
         "               ^~\n"},
        // a computed end: a grant made after its director left
        {"director = \"D1\"", "director = \"D2\"",
         "ok"},
        {"director = \"D1\"\nmade_on = 2024-06-01", "director = \"D2\"\nmade_on = 2024-07-01",
         "in.toml:27:11: error: `made_on` for director D2, grant 1 of `ledger` is 2024-07-01, outside its declared range "
         "2000-01-01 to until (here 2000-01-01 to 2024-06-30)\n"
         "  made_on = 2024-07-01\n"
         "            ^~~~~~~~~~\n"},
        // an optional input with a default, absent: nothing to check
        {"pay = 300", "pay = 300\ncut = 2000",
         "in.toml:23:7: error: `cut` for director D2 is 2000, outside its declared range ¥0 to ¥1,000\n"
         "  cut = 2000\n"
         "        ^~~~\n"},
        // a series entry, even if no formula reads the series
        {"close = 10", "close = 0",
         "in.toml:13:9: error: an entry of series `price` must be positive, not 0\n"
         "  close = 0\n"
         "          ^\n"},
    }));
    Run r;
    CAPTURE(to);
    CHECK(r.eval(edited(from, to)) == expected);
}

TEST_CASE("inputs: the problems of a file are reported together, each once", "[inputs][keys]") {
    Run r;
    std::string both = good_inputs;
    both.replace(both.find("revenue = 100"), 13, "revenue = -1");
    both.replace(both.find("shares = 10"), 11, "shares = -10");
    both.replace(both.find("title = \"CEO\""), 13, "titel = \"CEO\"");
    std::string out = r.eval(both);
    CHECK(out.find("`revenue` is -1") != std::string::npos);
    CHECK(out.find("unknown key `titel` in director D1") != std::string::npos);
    // restricted (5) above granted (-10) is the same wrong value: granted is reported, once
    CHECK(out.find("`granted` for director D1, grant 1 of `ledger` is -10") != std::string::npos);
    CHECK(out.find("`granted` for director D1, grant 1 of `ledger` is -10", out.find("is -10") + 1) == std::string::npos);
    CHECK(out.find("`restricted`") == std::string::npos);
}

TEST_CASE("inputs: a session whose inputs are wrong says so on every call", "[inputs][keys]") {
    Run r;
    auto in = InputFile::parse(r.sm, "in.toml", edited("title = \"CEO\"", "titel = \"CEO\""));
    REQUIRE(in);
    eval::Session session(*r.plan, *in);
    CHECK_FALSE(session.state());
    CHECK_FALSE(session.value(*r.plan->find_slot("total"), 0));
    auto run = session.run();
    REQUIRE_FALSE(run);
    CHECK(dsl::render(r.sm, run.error()).find("unknown key `titel`") != std::string::npos);
}

TEST_CASE("ranges: a definition outside its declared range names it, the record and the clause", "[inputs][ranges]") {
    Run r;
    // D1 keeps 500 - 600: below ¥0.
    CHECK(r.eval(edited("title = \"CEO\"\npay = 500", "title = \"CEO\"\npay = 500\ncut = 600")) ==
          "keys.hoshu:19:11: error: `kept` for director D1 is -100 JPY, outside its declared range from ¥0 (P1)\n"
          "      range from ¥0\n"
          "            ^~~~~~~\n");
    // A plan-wide output with a constant range.
    Run big;
    std::string in = good_inputs;
    in.replace(in.find("revenue = 200"), 13, "revenue = 999_999");
    in.replace(in.find("pay = 500"), 9, "pay = 1000");
    CHECK(big.eval(in) == "ok");
}

TEST_CASE("ranges: the check is the same in a replayed evaluation as in a fresh one", "[inputs][ranges]") {
    Run r;
    auto in = InputFile::parse(r.sm, "in.toml", edited("pay = 500", "pay = 500\ncut = 0"));
    REQUIRE(in);
    std::string why;
    auto pay = in->find("directors.D1.pay", &why);
    auto cut = in->find("directors.D1.cut", &why);
    REQUIRE(pay);
    REQUIRE(cut);
    eval::Session replaying(*r.plan, *in);
    replaying.remember_paths();
    std::mt19937_64 rng(5);
    int kept_below = 0, pay_outside = 0;
    for (int run = 0; run < 300; ++run) {
        // kept = pay - cut is below ¥0 (its declared range) when the cut is larger; a pay
        // outside [¥0, ¥1,000] fails the input's own range, located at the override.
        const auto p = static_cast<std::int64_t>(rng() % 1200) - 100;
        const auto c = static_cast<std::int64_t>(rng() % 1000);
        std::vector<eval::InputOverride> overrides = {{pay, {}, eval::Rational(p), {}},
                                                      {cut, {}, eval::Rational(c), {}}};
        replaying.set_overrides(overrides);
        auto replayed = replaying.run();
        eval::Session fresh(*r.plan, *in);
        fresh.set_overrides(overrides);
        auto expected = fresh.run();
        INFO("run " << run << " pay " << p << " cut " << c);
        REQUIRE(replayed.ok() == expected.ok());
        if (!expected) {
            const std::string text = dsl::render(r.sm, expected.error());
            kept_below += text.find("`kept` for director D1") != std::string::npos;
            pay_outside += text.find("`pay` for director D1") != std::string::npos;
            CHECK(dsl::render(r.sm, replayed.error()) == text);
        }
    }
    CHECK(kept_below > 50);
    CHECK(pay_outside > 10);
}

TEST_CASE("inputs: an override is checked like the file's value, read or not", "[inputs][keys]") {
    Run r;
    // Last year's revenue: no formula reads it.
    auto in = InputFile::parse(r.sm, "in.toml", good_inputs);
    REQUIRE(in);
    std::string why;
    auto last_year = in->find("years.FY1.revenue", &why);
    REQUIRE(last_year);
    auto cell = r.sm.add("scenarios.csv", "x,-5,2024-05-01\n");
    eval::Session session(*r.plan, *in);
    REQUIRE(session.run());
    auto shown = [&](const auto& result) { return result ? std::string("ok") : dsl::render(r.sm, result.error()); };

    std::vector<eval::InputOverride> bad = {{last_year, "-5", std::nullopt, dsl::SourceRange::in(cell, 2, 4)}};
    session.set_overrides(bad);
    CHECK(shown(session.run()) == "scenarios.csv:1:3: error: `revenue` is -5, outside its declared range ¥0 to ¥1,000,000\n"
                                  "  x,-5,2024-05-01\n"
                                  "    ^~\n");
    // The same overrides again: still an error, not a result.
    session.set_overrides(bad);
    CHECK_FALSE(session.run());
    session.set_overrides({});
    CHECK(session.run());

    // D2 now left before a grant, which is hers in this case: its date is out of range,
    // though nothing reads it.
    std::string text = good_inputs;
    text.replace(text.find("director = \"D1\""), 15, "director = \"D2\"");
    auto in2 = InputFile::parse(r.sm, "in2.toml", text);
    REQUIRE(in2);
    auto left_on2 = in2->find("directors.D2.left_on", &why);
    REQUIRE(left_on2);
    eval::Session s2(*r.plan, *in2);
    REQUIRE(s2.run());
    std::vector<eval::InputOverride> left = {{left_on2, "2024-05-01", std::nullopt, dsl::SourceRange::in(cell, 5, 15)}};
    s2.set_overrides(left);
    CHECK(shown(s2.run()) == "in2.toml:27:11: error: `made_on` for director D2, grant 1 of `ledger` is 2024-06-01, outside its "
                             "declared range 2000-01-01 to until (here 2000-01-01 to 2024-05-01)\n"
                             "  made_on = 2024-06-01\n"
                             "            ^~~~~~~~~~\n");
}

TEST_CASE("inputs: a plan sharing another plan's inputs knows its keys", "[inputs][keys]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("hoshu_shared_" + std::to_string(::getpid()));
    fs::create_directories(dir / "old");
    fs::create_directories(dir / "new");
    std::ofstream(dir / "new" / "plan.hoshu") << "plan \"new\"\ninput a: ratio at a range 0 to 1\ninput b: ratio at b range 0 to 1\n"
                                                 "output c: ratio = a + b\n";
    std::ofstream(dir / "old" / "plan.hoshu") << "plan \"old\"\n  inputs shared with \"../new\"\n"
                                                 "input a: ratio at a range 0 to 1\noutput c: ratio = a\n";
    dsl::SourceManager sm;
    dsl::Diagnostics diags;
    auto old_plan = eval::load_plan(sm, (dir / "old").string(), diags);
    INFO(dsl::render(sm, diags));
    REQUIRE(old_plan);
    auto in = InputFile::parse(sm, "in.toml", "a = 0.5\nb = 0.25\n");
    REQUIRE(in);
    CHECK(eval::evaluate(*old_plan, *in, {}).ok());
    auto typo = InputFile::parse(sm, "typo.toml", "a = 0.5\nbb = 0.25\n");
    REQUIRE(typo);
    CHECK_FALSE(eval::evaluate(*old_plan, *typo, {}).ok());

    // Without the declaration, `b` is a key the old plan does not read; `hoshu diff`
    // (EvalOptions::other_plan) knows it all the same.
    std::ofstream(dir / "old" / "plan.hoshu", std::ios::trunc) << "plan \"old\"\ninput a: ratio at a range 0 to 1\n"
                                                                  "output c: ratio = a\n";
    dsl::SourceManager sm2;
    auto alone = eval::load_plan(sm2, (dir / "old").string(), diags);
    auto newer = eval::load_plan(sm2, (dir / "new").string(), diags);
    REQUIRE(alone);
    REQUIRE(newer);
    auto in2 = InputFile::parse(sm2, "in.toml", "a = 0.5\nb = 0.25\n");
    REQUIRE(in2);
    auto lone = eval::evaluate(*alone, *in2, {});
    REQUIRE_FALSE(lone);
    CHECK(dsl::render(sm2, lone.error()).find("unknown key `b`") != std::string::npos);
    eval::EvalOptions diffing;
    diffing.other_plan = &*newer;
    CHECK(eval::evaluate(*alone, *in2, diffing).ok());

    // A folder that is not there is a located error.
    std::ofstream(dir / "old" / "plan.hoshu", std::ios::trunc) << "plan \"old\"\n  inputs shared with \"../gone\"\n";
    dsl::SourceManager sm3;
    dsl::Diagnostics d3;
    CHECK_FALSE(eval::load_plan(sm3, (dir / "old").string(), d3));
    CHECK(dsl::render(sm3, d3).find("plan.hoshu:2:22: error: cannot read the plan `../gone` whose inputs this plan "
                                    "shares") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("diagnostics: control characters are shown, never cut the message", "[inputs][diagnostics]") {
    dsl::SourceManager sm;
    std::string line("x,12\0" "3\x1b[31m,y\x7f", 14);
    auto f = sm.add("s.csv", line + "\n");
    dsl::Diagnostics d;
    d.error(dsl::SourceRange::in(f, 2, 6), "\"{}\" is not a number", std::string("12\0" "3", 4));
    std::string out = dsl::render(sm, d);
    CHECK(out == "s.csv:1:3: error: \"12\\x003\" is not a number\n"
                 "  x,12\\x003\\x1b[31m,y\\x7f\n"
                 "    ^~~~~~~\n");
    CHECK(out.find('\0') == std::string::npos);
}

TEST_CASE("inputs: a key a scenario's value makes a path look for is missing where it belongs, the value noted",
          "[inputs][keys]") {
    Run r(R"(plan "P"
unit USD currency "$" minor 0.01
input year: text at fiscal_year
input revenue: USD at years[year].revenue range $0 to $1,000,000,000
output pool: USD = revenue / 100
)");
    auto in = InputFile::parse(r.sm, "in.toml", "fiscal_year = \"FY2024\"\n[years.FY2024]\nrevenue = 1000.00\n");
    REQUIRE(in);
    std::string why;
    auto year = in->find("fiscal_year", &why);
    REQUIRE(year);
    auto cell = r.sm.add("s.csv", "scenario,fiscal_year\ns2,FY2030\n");
    eval::Session session(*r.plan, *in);
    REQUIRE(session.run());
    std::vector<eval::InputOverride> o = {{year, "FY2030", std::nullopt, dsl::SourceRange::in(cell, 24, 30)}};
    session.set_overrides(o);
    auto out = session.run();
    REQUIRE_FALSE(out);
    CHECK(dsl::render(r.sm, out.error()) ==
          "in.toml:2:1: error: missing input `FY2030`: `revenue` needs `years[year].revenue`\n"
          "  [years.FY2024]\n"
          "  ^~~~~~~~~~~~~~\n"
          "s.csv:2:4: note: this scenario sets `year` to FY2030 here: the key `years[year].revenue` looks for\n"
          "  s2,FY2030\n"
          "     ^~~~~~\n"
          "keys.hoshu:4:1: note: `revenue` is declared here\n"
          "  input revenue: USD at years[year].revenue range $0 to $1,000,000,000\n"
          "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
    // Without the scenario, the inputs' own year (the key missing from the file alone): no note.
    auto in2 = InputFile::parse(r.sm, "in2.toml", "fiscal_year = \"FY2030\"\n[years.FY2024]\nrevenue = 1000.00\n");
    REQUIRE(in2);
    auto plain = eval::evaluate(*r.plan, *in2, {});
    REQUIRE_FALSE(plain);
    CHECK(dsl::render(r.sm, plain.error()).find("this scenario") == std::string::npos);
}
