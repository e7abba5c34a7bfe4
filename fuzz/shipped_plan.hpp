// The shipped IIJ plan, loaded once per fuzzing process (for the targets that evaluate it).
#pragma once

#include <optional>
#include <string>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/check/check.hpp"

namespace hoshu::fuzz {

struct ShippedPlan {
    dsl::SourceManager sm;
    std::optional<eval::Plan> plan;
};

inline ShippedPlan& iij_plan() {
    static ShippedPlan shipped = [] {
        ShippedPlan x;
        dsl::Diagnostics diags;
        x.plan = eval::load_plan(x.sm, std::string(HOSHU_SOURCE_DIR) + "/rules/iij", diags);
        return x;
    }();
    if (!shipped.plan) __builtin_trap();   // the shipped rules must check
    return shipped;
}

}  // namespace hoshu::fuzz
