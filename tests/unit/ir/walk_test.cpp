// The one child walk and the one description of node kinds.
#include "evaluator/ir/walk.hpp"

#include <catch2/catch.hpp>

#include <vector>

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/program.hpp"
#include "support/plan_fixture.hpp"

using namespace hoshu;
using eval::NodeKind;

TEST_CASE("walk: a, b, c, then the arguments, in order, absent operands left out", "[walk]") {
    eval::Plan plan;
    plan.args = {40, 41, 42};
    eval::Node n;
    n.a = 10;
    n.c = 30;   // no b
    n.args_begin = 1;
    n.args_count = 2;
    std::vector<std::uint32_t> seen;
    eval::for_each_child(plan, n, [&](std::uint32_t child) { seen.push_back(child); });
    CHECK(seen == std::vector<std::uint32_t>{10, 30, 41, 42});
    eval::Node leaf;
    seen.clear();
    eval::for_each_child(plan, leaf, [&](std::uint32_t child) { seen.push_back(child); });
    CHECK(seen.empty());
}

TEST_CASE("node kinds: what each reads", "[walk]") {
    CHECK(eval::traits(NodeKind::slot).reads_slot);
    CHECK(eval::traits(NodeKind::present).reads_slot);
    for (NodeKind k : {NodeKind::last_before, NodeKind::last_date, NodeKind::product}) {
        CHECK(eval::traits(k).reads_series);
        CHECK_FALSE(eval::traits(k).reads_slot);
    }
    for (NodeKind k : {NodeKind::sum, NodeKind::count, NodeKind::min_over, NodeKind::max_over})
        CHECK(eval::traits(k).aggregate);
    CHECK_FALSE(eval::traits(NodeKind::add).reads_slot);
    CHECK_FALSE(eval::traits(NodeKind::constant).reads_series);
    // Each kind reads at most one thing through `aux`; only a table node reads a table.
    for (int k = 0; k <= static_cast<int>(NodeKind::within); ++k) {
        const auto kind = static_cast<NodeKind>(k);
        const eval::NodeTraits t = eval::traits(kind);
        CAPTURE(k);
        CHECK(t.reads_table == (kind == NodeKind::table));
        CHECK(int(t.reads_slot) + int(t.reads_series) + int(t.reads_table) <= 1);
    }
}

TEST_CASE("node kinds: exactly the kinds the traits call are calls in a program", "[walk]") {
    // One node of each kind, compiled on its own: Op::call exactly when traits say `call`.
    test::PlanFixture f("plan \"kinds\"\ninput a: JPY at a range ¥0 to ¥1\n");
    REQUIRE(f.ok());
    eval::Plan plan = *f.plan;
    const auto a = static_cast<std::uint32_t>(plan.nodes.size());
    eval::Node leaf;
    leaf.kind = NodeKind::constant;
    plan.constants.push_back(eval::Value{eval::Rational(1), 0});
    leaf.aux = static_cast<std::uint32_t>(plan.constants.size() - 1);
    plan.nodes.push_back(leaf);
    plan.args = {a, a};
    plan.tables.emplace_back();
    plan.value_ranges.push_back(eval::ValueRange{0, "", eval::none, eval::none});
    for (int k = 0; k <= static_cast<int>(NodeKind::within); ++k) {
        const auto kind = static_cast<NodeKind>(k);
        CAPTURE(k);
        eval::Node n;
        n.kind = kind;
        n.a = n.b = n.c = a;
        n.args_begin = 0;
        n.args_count = 2;
        if (kind == NodeKind::slot || kind == NodeKind::present) n.aux = 0;
        if (kind == NodeKind::constant) n.aux = leaf.aux;
        if (kind == NodeKind::round) n.aux = leaf.aux;
        const auto at = static_cast<std::uint32_t>(plan.nodes.size());
        plan.nodes.push_back(n);
        auto p = eval::compile_formula(plan, at, {});
        bool calls = false;
        for (const auto& in : p.code) calls = calls || (in.op == eval::Op::call && in.node == at);
        CHECK(calls == eval::traits(kind).call);
    }
}
