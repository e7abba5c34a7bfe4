// Result<T>: a value or the diagnostics that explain why there is none.
// Shaped like std::expected (C++23), which GCC 12 offers only in C++23 mode.
//
//   Result<Plan> r = load_plan(dir);
//   if (!r) { print(r.error()); return 1; }
//   use(*r);
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "dsl/base/diagnostics.hpp"

namespace hoshu {

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}                       // NOLINT: implicit by design
    Result(dsl::Diagnostics errors) : v_(std::move(errors)) {}      // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& operator*() & { assert(ok()); return std::get<0>(v_); }
    const T& operator*() const& { assert(ok()); return std::get<0>(v_); }
    T&& operator*() && { assert(ok()); return std::get<0>(std::move(v_)); }
    T* operator->() { assert(ok()); return &std::get<0>(v_); }
    const T* operator->() const { assert(ok()); return &std::get<0>(v_); }

    const dsl::Diagnostics& error() const& { assert(!ok()); return std::get<1>(v_); }
    dsl::Diagnostics&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

private:
    std::variant<T, dsl::Diagnostics> v_;
};

}  // namespace hoshu
