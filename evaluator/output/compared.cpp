// The rows of a comparison of two simulations (simulation_report.hpp), shared by the table
// (text.cpp), the JSON (json.cpp) and the histogram (histogram.cpp).
#include <map>
#include <utility>

#include "evaluator/output/simulation_report.hpp"

namespace hoshu::eval {

std::vector<ComparedOutput> compared_outputs(const Plan& base, const Plan& head, const ComparedSimulation& c) {
    // Numeric tallies only: the others count nothing.
    auto key = [](const std::string& director, const std::string& output) { return director + '\n' + output; };
    std::map<std::string, const OutputTally*> base_of;
    for (const auto& t : c.base.outputs)
        if (t.counts.total()) base_of.emplace(key(c.base.directors[t.director], base.slots[t.slot].name), &t);
    std::map<std::string, const OutputChange*> change_of;
    for (const auto& ch : c.changes)
        change_of.emplace(key(ch.director ? c.head.directors[*ch.director] : std::string(), ch.output), &ch);

    std::vector<ComparedOutput> rows;
    auto add = [&](std::optional<std::size_t> director, const std::string& id, const std::string& output,
                   const std::string& unit, const OutputTally* b, const OutputTally* h) {
        ComparedOutput row{director, id, output, unit, b, h, nullptr, true};
        if (auto ch = change_of.find(key(id, output)); ch != change_of.end()) row.change = ch->second;
        for (const OutputTally* t : {b, h})
            if (t && !t->counts.only_zero()) row.always_zero = false;
        rows.push_back(std::move(row));
    };
    std::map<std::string, bool> shown;   // the base's tallies listed beside the head's
    for (std::size_t d = 0; d < c.head.directors.size(); ++d) {
        const std::string& id = c.head.directors[d];
        for (const auto& t : c.head.outputs) {
            if (t.director != d || !t.counts.total()) continue;
            const std::string& name = head.slots[t.slot].name;
            const OutputTally* b = nullptr;
            if (auto it = base_of.find(key(id, name)); it != base_of.end()) {
                b = it->second;
                shown[it->first] = true;
            }
            add(d, id, name, head.type_name(head.slots[t.slot].type), b, &t);
        }
        // The base's outputs this director has that the head does not.
        for (const auto& t : c.base.outputs) {
            if (!t.counts.total() || c.base.directors[t.director] != id) continue;
            const std::string& name = base.slots[t.slot].name;
            if (shown.count(key(id, name))) continue;
            shown[key(id, name)] = true;
            add(d, id, name, base.type_name(base.slots[t.slot].type), &t, nullptr);
        }
    }
    // Directors only in the base.
    for (const auto& t : c.base.outputs) {
        if (!t.counts.total()) continue;
        const std::string& id = c.base.directors[t.director];
        const std::string& name = base.slots[t.slot].name;
        if (shown.count(key(id, name))) continue;
        shown[key(id, name)] = true;
        add(std::nullopt, id, name, base.type_name(base.slots[t.slot].type), &t, nullptr);
        rows.back().director = t.director;
    }
    // Plan-wide outputs: the head's, then the base's own.
    std::map<std::string, const OutputTally*> base_wide;
    for (const auto& t : c.base.plan_outputs)
        if (t.counts.total()) base_wide.emplace(base.slots[t.slot].name, &t);
    for (const auto& t : c.head.plan_outputs) {
        if (!t.counts.total()) continue;
        const std::string& name = head.slots[t.slot].name;
        const OutputTally* b = nullptr;
        if (auto it = base_wide.find(name); it != base_wide.end()) {
            b = it->second;
            base_wide.erase(it);
        }
        add(std::nullopt, "", name, head.type_name(head.slots[t.slot].type), b, &t);
    }
    for (const auto& t : c.base.plan_outputs) {
        if (!t.counts.total() || !base_wide.count(base.slots[t.slot].name)) continue;
        add(std::nullopt, "", base.slots[t.slot].name, base.type_name(base.slots[t.slot].type), &t, nullptr);
    }
    return rows;
}

}  // namespace hoshu::eval
