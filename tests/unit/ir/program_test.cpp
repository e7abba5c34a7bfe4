// Formulas compiled to flat programs (compile_formula): operands in place, registers reused,
// the laziness of `if`, `and` and `or` kept as jumps, the rare kinds as calls back into the
// evaluator, and the plan-wide parts as one instruction.
#include "evaluator/ir/program.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/plan_fixture.hpp"

using namespace hoshu;
using eval::Mode;
using eval::Op;

namespace {

const std::string rules = R"(plan "programs"
input a: JPY at a range ¥0 to ¥100
input b: JPY at b range ¥0 to ¥100
input c: boolean at c
input label: text at label
input since: date at since range 2000-01-01 to 2100-12-31
series price: JPY per share at prices(date, close)
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥100
end
output minus: JPY = a - b
output mixed: JPY = a + b * 2
output chosen: JPY = if c then a else b
output both: boolean = c and a > b
output either: boolean = c or a > b
output total: JPY = sum of pay over directors
output latest: JPY per share = last price before since
output earlier: text = year_before(label)
output more: JPY = a + 1 yen
)";

/// The program of output `name`.
eval::Program program(test::PlanFixture& f, const std::string& name, std::span<const std::uint32_t> hoists = {}) {
    return eval::compile_formula(*f.plan, f.plan->slots[f.slot(name)].root, hoists);
}

std::vector<Op> ops(const eval::Program& p) {
    std::vector<Op> out;
    for (const auto& in : p.code) out.push_back(in.op);
    return out;
}

}  // namespace

TEST_CASE("program: operands are read in place, in the order written", "[program]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    auto p = program(f, "minus");
    REQUIRE(p.code.size() == 1);
    const auto& sub = p.code[0];
    CHECK(sub.op == Op::sub);
    CHECK(sub.xm == Mode::plan_slot);
    CHECK(sub.x == f.slot("a"));   // a first: of two missing inputs, a is reported
    CHECK(sub.ym == Mode::plan_slot);
    CHECK(sub.y == f.slot("b"));
    CHECK(p.registers == 1);
    // A constant is an operand in place too: no load.
    auto more = program(f, "more");
    REQUIRE(more.code.size() == 1);
    CHECK(more.code[0].op == Op::add);
    CHECK(more.code[0].ym == Mode::constant);
}

TEST_CASE("program: a product into a temporary, then the sum, two registers", "[program]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    auto p = program(f, "mixed");
    CHECK(ops(p) == std::vector<Op>{Op::load, Op::mul, Op::add});
    CHECK(p.code[1].d == 1);   // b * 2 in the temporary
    CHECK(p.code[2].d == 0);   // the result in register 0
    CHECK(p.registers == 2);
}

TEST_CASE("program: a long left-nested chain needs two registers, not one per term", "[program]") {
    std::string sum = "a";
    for (int i = 0; i < 50; ++i) sum += " + a";
    test::PlanFixture f("plan \"chain\"\ninput a: JPY at a range ¥0 to ¥1\noutput s: JPY = " + sum + "\n");
    REQUIRE(f.ok());
    auto p = program(f, "s");
    CHECK(p.code.size() == 50);
    CHECK(p.registers <= 2);
}

TEST_CASE("program: if jumps over the branch not taken", "[program]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    auto p = program(f, "chosen");
    // jump_if_false c → else; load a; jump → end; else: load b
    REQUIRE(ops(p) == std::vector<Op>{Op::jump_if_false, Op::load, Op::jump, Op::load});
    CHECK(p.code[0].xm == Mode::plan_slot);
    CHECK(p.code[0].x == f.slot("c"));
    CHECK(p.code[0].aux == 3);   // lands on the else branch
    CHECK(p.code[1].x == f.slot("a"));
    CHECK(p.code[2].aux == 4);   // past the else branch
    CHECK(p.code[3].x == f.slot("b"));
}

TEST_CASE("program: and, or skip their second operand when the first decides", "[program]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    auto both = program(f, "both");
    REQUIRE(both.code.size() == 3);
    CHECK(both.code[1].op == Op::jump_if_false);
    CHECK(both.code[1].aux == 3);
    auto either = program(f, "either");
    REQUIRE(either.code.size() == 3);
    CHECK(either.code[1].op == Op::jump_if_true);
    CHECK(either.code[1].aux == 3);
}

TEST_CASE("program: aggregates, series and labels are calls into the evaluator", "[program]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    for (const char* name : {"total", "latest", "earlier"}) {
        CAPTURE(name);
        auto p = program(f, name);
        REQUIRE(p.code.size() == 1);
        CHECK(p.code[0].op == Op::call);
        CHECK(p.code[0].node == f.plan->slots[f.slot(name)].root);
    }
}

TEST_CASE("program: a plan-wide part is one instruction, except at the root", "[program]") {
    test::PlanFixture f(rules);
    REQUIRE(f.ok());
    const auto& plan = *f.plan;
    const std::uint32_t root = plan.slots[f.slot("mixed")].root;   // a + (b * 2)
    const std::uint32_t product = plan.nodes[root].b;
    std::vector<std::uint32_t> hoists(plan.nodes.size(), eval::none);
    hoists[product] = 7;
    auto p = eval::compile_formula(plan, root, hoists);
    CHECK(ops(p) == std::vector<Op>{Op::load, Op::hoisted, Op::add});
    CHECK(p.code[1].aux == 7);
    hoists[root] = 8;   // the root itself is computed, never read back as a part
    auto q = eval::compile_formula(plan, root, hoists);
    CHECK(ops(q) == std::vector<Op>{Op::load, Op::hoisted, Op::add});
}
