// A private cache folder for a test's compiled plans, removed with everything in it when the
// test ends.
//
//   hoshu::test::KernelCache cache;
//   auto kernel = Kernel::build(plan, session, varied, cache.options());
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "evaluator/native/kernel.hpp"

namespace hoshu::test {

struct KernelCache {
    std::string dir;
    KernelCache() {
        std::string pattern = (std::filesystem::temp_directory_path() / "hoshu-kernel-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()));
        dir = pattern;
    }
    KernelCache(const KernelCache&) = delete;
    KernelCache& operator=(const KernelCache&) = delete;
    ~KernelCache() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    eval::KernelOptions options() const {
        eval::KernelOptions o;
        o.cache_dir = dir;
        return o;
    }
};

}  // namespace hoshu::test
