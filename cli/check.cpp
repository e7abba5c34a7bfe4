// hoshu check PLAN: parse, resolve, type- and unit-check, lint. No inputs needed.
#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace hoshu::cli {

int run_check(const CheckArgs& args) {
    dsl::SourceManager sm;
    int exit = Exit::success;
    auto plan = load_plan(sm, args.plan, args.strict, exit);
    return plan ? Exit::success : exit;
}

}  // namespace hoshu::cli
