#include "evaluator/ir/program.hpp"

#include "evaluator/ir/node_kinds.hpp"

#include <cassert>
#include <limits>

namespace hoshu::eval {

namespace {

/// Where an instruction reads one of its operands.
struct Operand {
    Mode mode = Mode::reg;
    std::uint32_t index = 0;
};

class Compiler {
public:
    Compiler(const Plan& plan, std::span<const std::uint32_t> hoist_of_node)
        : plan_(plan), hoist_of_node_(hoist_of_node) {}

    Program compile(std::uint32_t root) {
        next_ = 1;
        program_.registers = 1;
        expression(root, 0, true);
        return std::move(program_);
    }

private:
    static Operand reg(std::uint16_t r) { return {Mode::reg, r}; }

    std::uint16_t take() {
        // The checker bounds how deeply expressions nest (200 levels), and so how many
        // temporaries a formula needs: two per level at most.
        assert(next_ < std::numeric_limits<std::uint16_t>::max());
        std::uint16_t r = next_++;
        if (next_ > program_.registers) program_.registers = next_;
        return r;
    }
    void give_back(std::uint16_t r) {
        assert(r + 1 == next_);
        next_ = r;
    }
    std::size_t emit(Op op, std::uint32_t node, std::uint16_t d, Operand x = {}, Operand y = {}, std::uint32_t aux = 0,
                     std::uint8_t flag = 0) {
        program_.code.push_back(Instr{op, flag, x.mode, y.mode, d, x.index, y.index, aux, node});
        return program_.code.size() - 1;
    }
    void land(std::size_t jump) { program_.code[jump].aux = static_cast<std::uint32_t>(program_.code.size()); }

    /// A constant or a definition: an instruction reads it in place, not from a register.
    bool direct(std::uint32_t n) const {
        auto kind = plan_.nodes[n].kind;
        return kind == NodeKind::constant || kind == NodeKind::slot;
    }
    Operand direct_operand(std::uint32_t n) const {
        const Node& node = plan_.nodes[n];
        if (node.kind == NodeKind::constant) return {Mode::constant, node.aux};
        switch (plan_.slots[node.aux].scope) {
            case Scope::plan: return {Mode::plan_slot, node.aux};
            case Scope::director: return {Mode::director_slot, node.aux};
            case Scope::grant: return {Mode::grant_slot, node.aux};
            default: return {Mode::other_slot, node.aux};   // a further collection's record
        }
    }
    /// The operand for node n: in place when it is direct, else computed into register r.
    Operand operand(std::uint32_t n, std::uint16_t r) {
        if (direct(n)) return direct_operand(n);
        expression(n, r);
        return reg(r);
    }

    /// r[d] = a op b. The operands are read in the order written, a first, so that of two
    /// missing inputs the first is the one reported.
    void binary(Op op, const Node& node, std::uint32_t n, std::uint16_t d, std::uint8_t flag = 0) {
        if (direct(node.b)) {
            Operand x = operand(node.a, d);
            emit(op, n, d, x, direct_operand(node.b), 0, flag);
            return;
        }
        expression(node.a, d);
        std::uint16_t t = take();
        expression(node.b, t);
        emit(op, n, d, reg(d), reg(t), 0, flag);
        give_back(t);
    }

    void expression(std::uint32_t n, std::uint16_t d, bool root = false) {
        const Node& node = plan_.nodes[n];
        if (!root && !hoist_of_node_.empty() && hoist_of_node_[n] != none) {
            emit(Op::hoisted, n, d, {}, {}, hoist_of_node_[n]);
            return;
        }
        switch (node.kind) {
            case NodeKind::constant:
            case NodeKind::slot: emit(Op::load, n, d, direct_operand(n)); return;

            case NodeKind::present: emit(Op::present, n, d, {}, {}, node.aux); return;
            case NodeKind::add: binary(Op::add, node, n, d); return;
            case NodeKind::sub: binary(Op::sub, node, n, d); return;
            case NodeKind::mul: binary(Op::mul, node, n, d); return;
            case NodeKind::div: binary(Op::div, node, n, d); return;
            case NodeKind::neg:
                expression(node.a, d);
                emit(Op::neg, n, d);
                return;
            case NodeKind::lt:
            case NodeKind::le:
            case NodeKind::gt:
            case NodeKind::ge:
            case NodeKind::eq:
            case NodeKind::ne: {
                auto cmp = static_cast<std::uint8_t>(static_cast<int>(node.kind) - static_cast<int>(NodeKind::lt));
                auto kind = static_cast<std::uint8_t>(plan_.nodes[node.a].type.kind);
                binary(Op::compare, node, n, d, static_cast<std::uint8_t>(cmp | kind << 4));
                return;
            }
            case NodeKind::and_:
            case NodeKind::or_: {
                // The result is a's value when it decides, so a goes to the register.
                expression(node.a, d);
                std::size_t skip = emit(node.kind == NodeKind::and_ ? Op::jump_if_false : Op::jump_if_true, n, d, reg(d));
                expression(node.b, d);
                land(skip);
                return;
            }
            case NodeKind::not_:
                expression(node.a, d);
                emit(Op::not_, n, d);
                return;
            case NodeKind::if_: {
                std::size_t to_else = emit(Op::jump_if_false, n, d, operand(node.a, d));
                expression(node.b, d);
                std::size_t to_end = emit(Op::jump, n, d);
                land(to_else);
                expression(node.c, d);
                land(to_end);
                return;
            }
            case NodeKind::min:
            case NodeKind::max: {
                auto kind = static_cast<std::uint8_t>(node.type.kind);
                const Op op = node.kind == NodeKind::min ? Op::min : Op::max;
                expression(plan_.args[node.args_begin], d);
                std::uint16_t t = take();
                for (std::uint32_t i = 1; i < node.args_count; ++i)
                    emit(op, n, d, operand(plan_.args[node.args_begin + i], t), {}, 0, kind);
                give_back(t);
                return;
            }
            case NodeKind::clamp: {
                auto kind = static_cast<std::uint8_t>(node.type.kind);
                expression(node.a, d);
                if (direct(node.b) && direct(node.c)) {
                    emit(Op::clamp, n, d, direct_operand(node.b), direct_operand(node.c), 0, kind);
                    return;
                }
                std::uint16_t lo = take();
                expression(node.b, lo);
                std::uint16_t hi = take();
                expression(node.c, hi);
                emit(Op::clamp, n, d, reg(lo), reg(hi), 0, kind);
                give_back(hi);
                give_back(lo);
                return;
            }
            case NodeKind::within: {
                auto kind = static_cast<std::uint8_t>(node.type.kind);
                if (node.b == none) kind |= within_low_open;
                if (node.c == none) kind |= within_high_open;
                if (node.b != none && plan_.nodes[node.b].kind == NodeKind::constant && node.type.kind == Kind::number &&
                    plan_.constants[plan_.nodes[node.b].aux].number.is_zero())
                    kind |= within_low_zero;
                // An open end's operand is the value itself: never read.
                expression(node.a, d);
                auto end = [&](std::uint32_t e) { return e == none || direct(e); };
                auto place = [&](std::uint32_t e) { return e == none ? reg(d) : direct_operand(e); };
                if (end(node.b) && end(node.c)) {
                    emit(Op::within, n, d, place(node.b), place(node.c), 0, kind);
                    return;
                }
                std::uint16_t lo = take();
                Operand x = node.b == none ? reg(d) : operand(node.b, lo);
                std::uint16_t hi = take();
                Operand y = node.c == none ? reg(d) : operand(node.c, hi);
                emit(Op::within, n, d, x, y, 0, kind);
                give_back(hi);
                give_back(lo);
                return;
            }
            case NodeKind::round:
                expression(node.a, d);
                emit(Op::round, n, d, {}, {}, node.aux, static_cast<std::uint8_t>(node.mode));
                return;
            case NodeKind::table:
                expression(node.a, d);
                emit(Op::table, n, d, {}, {}, node.aux);
                return;
            case NodeKind::is:
                expression(node.a, d);
                emit(Op::is, n, d, {}, {}, node.aux);
                return;
            // Aggregates, series, dates and labels: the evaluator computes them (eval_rare),
            // running the programs of their parts.
            case NodeKind::last_before:
            case NodeKind::last_date:
            case NodeKind::product:
            case NodeKind::sum:
            case NodeKind::count:
            case NodeKind::min_over:
            case NodeKind::max_over:
        case NodeKind::mean_over:
        case NodeKind::product_over:
        case NodeKind::rank_over:
        case NodeKind::percentile_over:
            case NodeKind::year_before:
            case NodeKind::months_inclusive:
            case NodeKind::date_calc:
            case NodeKind::series_window:
                assert(traits(node.kind).call);
                emit(Op::call, n, d);
                return;
        }
    }

    const Plan& plan_;
    std::span<const std::uint32_t> hoist_of_node_;
    Program program_;
    std::uint16_t next_ = 1;
};

}  // namespace

Program compile_formula(const Plan& plan, std::uint32_t root, std::span<const std::uint32_t> hoist_of_node) {
    return Compiler(plan, hoist_of_node).compile(root);
}

}  // namespace hoshu::eval
