// Threads with large stacks. The checker and the evaluator recurse as deep as rule files
// nest (each within its own limit); a large stack reservation costs address space only,
// touched as deep as it is used.
//
//   run_on_large_stacks(2, std::size_t{256} << 20, [&](unsigned i) { work(i); });
#pragma once

#include <cstddef>
#include <functional>

namespace hoshu {

/// Run work(i) for each i in [0, n) on its own thread with a stack of `stack_bytes`, and
/// wait for all. A thread that cannot be created runs its share on the calling thread.
/// What a share throws (std::bad_alloc, say) is thrown again here once all have ended:
/// the first share's that threw.
void run_on_large_stacks(unsigned n, std::size_t stack_bytes, const std::function<void(unsigned)>& work);

}  // namespace hoshu
