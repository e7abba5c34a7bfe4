// Threads with large stacks: every share runs, and what a share throws reaches the caller.
#include "dsl/base/threads.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <new>
#include <stdexcept>

TEST_CASE("run_on_large_stacks runs every share and waits for all", "[threads]") {
    std::atomic<unsigned> sum{0};
    hoshu::run_on_large_stacks(4, std::size_t{1} << 20, [&](unsigned i) { sum += i + 1; });
    CHECK(sum == 10);
}

TEST_CASE("run_on_large_stacks throws again what a share threw, once all have ended", "[threads]") {
    std::atomic<unsigned> ended{0};
    auto work = [&](unsigned i) {
        ++ended;
        if (i == 1) throw std::bad_alloc();
        if (i == 2) throw std::runtime_error("share 2");
    };
    // (Not an abort: an exception that left a thread would end the process.)
    CHECK_THROWS_AS(hoshu::run_on_large_stacks(3, std::size_t{1} << 20, work), std::bad_alloc);
    CHECK(ended == 3);
    CHECK_THROWS_WITH(hoshu::run_on_large_stacks(3, std::size_t{1} << 20, [](unsigned i) {
                          if (i == 2) throw std::runtime_error("share 2");
                      }),
                      "share 2");
}
