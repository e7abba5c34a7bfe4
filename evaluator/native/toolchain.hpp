// Compiling a kernel's C++ source with the system's compiler into a shared object, kept in
// a cache, and loading it (private to native/).
//
//   auto k = load_kernel(source, {});   // compiles once; later runs find it in the cache
//   if (k) k->entry(table);
//
// The cache is `$HOSHU_CACHE_DIR`, else `$XDG_CACHE_HOME/hoshu`, else `~/.cache/hoshu`: a
// folder of the user's own that no one else may write (created 0700; one that is not is
// not used, and the kernel is compiled into a private temporary folder instead). Each
// kernel is kept as its source and its object; the object is loaded only when the source
// beside it is byte for byte the one asked for. The compiler is `$HOSHU_CXX`, else
// `$CXX`, else `c++`.
#pragma once

#include <memory>
#include <string>

#include "dsl/base/result.hpp"
#include "evaluator/native/codegen.hpp"

namespace hoshu::eval {

struct LoadedKernel {
    std::shared_ptr<void> library;   // closed when the last copy goes
    int (*entry)(KernelValue*) = nullptr;
};

struct ToolchainOptions {
    std::string compiler;    // empty: $HOSHU_CXX, $CXX, c++
    std::string cache_dir;   // empty: as above
    bool cached_only = false;   // load a kernel compiled before, never compile
};

Result<LoadedKernel> load_kernel(const std::string& source, const ToolchainOptions& options);

}  // namespace hoshu::eval
