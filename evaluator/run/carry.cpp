// The records a plan's `carry` declarations hand to the next year, computed after the
// year's outputs and limits (so from the values after any pro rata scaling). A field given
// as an optional input that is absent is left out of the record. Clauses over
// the same records that follow each other are taken record by record: `for each director`
// clauses for tenure, annual and mid-term grants give each director's three records
// together.
#include "evaluator/run/evaluator.hpp"

namespace hoshu::eval {

void Evaluator::carry_records() {
    for (const Carry& carry : plan_.carries) {
        CarriedRecords out;
        out.path = carry.path;
        auto one = [&](const CarryClause& clause, Where w) {
            if (clause.where != none && !eval(clause.where, w).word) return;
            std::vector<CarriedField> record;
            for (const CarryField& f : clause.fields) {
                CarriedField field;
                field.name = f.name;
                field.type = f.type;
                if (f.node == none) {
                    field.text = out_.directors[static_cast<std::size_t>(w.director)].id;
                } else {
                    // An optional input that is absent is left out of the record.
                    const Node& node = plan_.nodes[f.node];
                    if (node.kind == NodeKind::slot && plan_.slots[node.aux].kind == SlotKind::input &&
                        plan_.slots[node.aux].input.optional && ensure(node.aux, w) == State::absent)
                        continue;
                    field.value = value_of(f.node, w);
                    if (f.type.kind != Kind::number && f.type.kind != Kind::boolean)
                        field.text = value_text(plan_, out_, f.type, field.value);
                }
                record.push_back(std::move(field));
            }
            out.records.push_back(std::move(record));
        };
        for (std::size_t first = 0; first < carry.clauses.size();) {
            std::size_t last = first;
            while (last + 1 < carry.clauses.size() && carry.clauses[last + 1].scope == carry.clauses[first].scope) ++last;
            if (carry.clauses[first].scope == Scope::grant) {
                for (std::size_t g = 0; g < grant_records_.size(); ++g) {
                    for (std::size_t k = first; k <= last; ++k)
                        one(carry.clauses[k], Where{out_.grant_director[g], static_cast<int>(g)});
                }
            } else {
                for (std::size_t d = 0; d < records_.size(); ++d) {
                    for (std::size_t k = first; k <= last; ++k) one(carry.clauses[k], Where{static_cast<int>(d), -1});
                }
            }
            first = last + 1;
        }
        out_.carried.push_back(std::move(out));
    }
}

}  // namespace hoshu::eval
