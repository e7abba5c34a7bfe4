// A plan's what-if path as C++ (codegen.hpp): the definitions a varied value reaches,
// checked to be ones the kernel computes exactly as the interpreter does, then written as
// one function per definition over the kernel's table of raw fractions.
#include "evaluator/native/codegen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>
#include <string_view>
#include <utility>

#include "evaluator/ir/node_kinds.hpp"
#include "evaluator/ir/walk.hpp"
#include "evaluator/run/values.hpp"

namespace hoshu::eval {

namespace {

/// The slots a node's formula names (directly or inside an aggregate), appended to `out`.
void slots_named(const Plan& plan, std::uint32_t n, std::vector<std::uint32_t>& out) {
    if (n == none) return;
    const Node& node = plan.nodes[n];
    if (node.kind == NodeKind::slot || node.kind == NodeKind::present) out.push_back(node.aux);
    for_each_child(plan, node, [&](std::uint32_t child) { slots_named(plan, child, out); });
}

/// Every slot a definition's value depends on.
std::vector<std::uint32_t> depends_on(const Plan& plan, std::uint32_t s) {
    const Slot& slot = plan.slots[s];
    std::vector<std::uint32_t> out;
    switch (slot.kind) {
        case SlotKind::value:
        case SlotKind::output: slots_named(plan, slot.checked != none ? slot.checked : slot.root, out); break;
        case SlotKind::param:
            for (const auto& v : slot.versions) slots_named(plan, v.node, out);
            if (plan.as_of_slot != none) out.push_back(plan.as_of_slot);
            break;
        case SlotKind::input:
            slots_named(plan, slot.input.default_node, out);
            slots_named(plan, slot.input.low_node, out);
            slots_named(plan, slot.input.high_node, out);
            for (const auto& step : slot.input.path)
                if (step.slot != none) out.push_back(step.slot);
            break;
    }
    return out;
}

bool small(const Rational& r) { return r.is_small(); }

/// A part of a formula the kernel does not compute that may be read as a value computed
/// once (by the interpreter, on the base inputs), when no run changes it: `freeze(n,
/// per_record)` says whether node n may (and keeps it), `per_record` whether n is computed
/// once per record there (in a director's definition, or an aggregate's terms).
using Freeze = std::function<bool(std::uint32_t, bool)>;

/// What the kernel cannot compute in the formula at n, or none: the node that stops it.
std::uint32_t unsupported(const Plan& plan, std::uint32_t n, std::string& why, const Freeze* freeze = nullptr,
                          bool per_record = false) {
    const Node& node = plan.nodes[n];
    if (node.type.kind == Kind::text) {
        why = "a text";
        return n;
    }
    // A node the kernel does not compute: read as a value computed once, when it can be.
    auto stop = [&](std::uint32_t at) { return freeze && node.type.kind != Kind::text && (*freeze)(at, per_record) ? none : at; };
    const bool over_records = traits(node.kind).aggregate && node.aux == 0;
    auto children = [&]() -> std::uint32_t {
        std::uint32_t bad = none;
        for_each_child(plan, node, [&](std::uint32_t child) {
            if (bad == none) bad = unsupported(plan, child, why, freeze, per_record || over_records);
        });
        return bad;
    };
    switch (node.kind) {
        case NodeKind::constant:
            if (node.type.kind == Kind::number && !small(plan.constants[node.aux].number)) {
                why = "a number this large";
                return stop(n);
            }
            return none;
        case NodeKind::slot: {
            const Scope sc = plan.slots[node.aux].scope;
            if (sc != Scope::plan && sc != Scope::director) {
                why = "a definition of another collection";
                return stop(n);
            }
            return none;
        }
        case NodeKind::lt:
        case NodeKind::le:
        case NodeKind::gt:
        case NodeKind::ge:
        case NodeKind::eq:
        case NodeKind::ne:
            if (plan.nodes[node.a].type.kind == Kind::text) {
                why = "a comparison of texts";
                return stop(n);
            }
            return children();
        case NodeKind::round:
            if (!small(plan.constants[node.aux].number)) {
                why = "a rounding unit this large";
                return stop(n);
            }
            return children();
        case NodeKind::table: {
            const Table& t = plan.tables[node.aux];
            if (t.keyed() && t.parameter_type.kind != Kind::choice) {
                why = "a table keyed by text";
                return stop(n);
            }
            for (const auto& row : t.rows) {
                const bool fits = small(row.value) && small(row.value_to) && small(row.slope) &&
                                  (!row.low || small(*row.low)) && (!row.high || small(*row.high));
                if (!fits) {
                    why = "a table with numbers this large";
                    return stop(n);
                }
            }
            return children();
        }
        case NodeKind::add:
        case NodeKind::sub:
        case NodeKind::mul:
        case NodeKind::div:
        case NodeKind::neg:
        case NodeKind::and_:
        case NodeKind::or_:
        case NodeKind::not_:
        case NodeKind::if_:
        case NodeKind::min:
        case NodeKind::max:
        case NodeKind::clamp:
        case NodeKind::is:
        case NodeKind::within: return children();
        case NodeKind::sum:
        case NodeKind::count:
        case NodeKind::min_over:
        case NodeKind::max_over:
        case NodeKind::mean_over:
            // Over the main collection's records, of numbers.
            if (node.aux != 0 || node.type.kind != Kind::number ||
                (node.a != none && plan.nodes[node.a].type.kind != Kind::number)) {
                why = "an aggregate over the ledger or another collection";
                return stop(n);
            }
            return children();
        case NodeKind::present: {
            const Scope sc = plan.slots[node.aux].scope;
            if (sc != Scope::plan && sc != Scope::director) {
                why = "`present` of another collection's input";
                return stop(n);
            }
            return none;
        }
        case NodeKind::last_before:
        case NodeKind::rank_over:
        case NodeKind::percentile_over:
        case NodeKind::product_over:
        case NodeKind::year_before:
        case NodeKind::last_date:
        case NodeKind::product:
        case NodeKind::months_inclusive:
        case NodeKind::date_calc:
        case NodeKind::series_window: break;
    }
    why = "what only the interpreter computes (rank, percentile, a product, a series or a date step)";
    return stop(n);
}

/// Whether the value at n can differ from one record to another (it reads a director's
/// value in the record being computed; an aggregate reads its own records).
bool by_record(const Plan& plan, std::uint32_t n) {
    const Node& node = plan.nodes[n];
    if (node.kind == NodeKind::slot || node.kind == NodeKind::present) return plan.slots[node.aux].scope != Scope::plan;
    if (traits(node.kind).aggregate) return node.aux != 0;   // over the records: one value; over a record's grants, its own
    bool any = false;
    for_each_child(plan, node, [&](std::uint32_t child) { any = any || by_record(plan, child); });
    return any;
}

/// Layout::hoisted: in the formulas of the computed definitions, the largest parts computed
/// once per record (a director's definition, an aggregate's terms and filter) that no
/// record changes and that compute something (not a constant or a value read).
std::vector<std::uint32_t> hoistable(const Plan& plan, const std::vector<std::uint8_t>& computed,
                                     const std::vector<std::uint32_t>& frozen) {
    std::vector<std::uint32_t> out;
    auto visit = [&](auto&& self, std::uint32_t n, bool per_record) -> void {
        if (n == none || std::find(frozen.begin(), frozen.end(), n) != frozen.end()) return;   // (read as it is)
        const Node& node = plan.nodes[n];
        const NodeKind k = node.kind;
        const bool aggregate = traits(k).aggregate;
        if (per_record && k != NodeKind::constant && k != NodeKind::slot && k != NodeKind::present &&
            node.type.kind != Kind::text && !by_record(plan, n)) {
            if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
            return;
        }
        for_each_child(plan, node, [&](std::uint32_t child) { self(self, child, per_record || aggregate); });
    };
    for (std::uint32_t s = 0; s < plan.slots.size(); ++s) {
        if (!computed[s]) continue;
        const Slot& slot = plan.slots[s];
        visit(visit, slot.checked != none ? slot.checked : slot.root, slot.scope != Scope::plan);
    }
    return out;
}

/// The slots what a `carry` writes names (its clauses' filters and fields).
std::vector<std::uint32_t> carry_named(const Plan& plan, const Carry& carry) {
    std::vector<std::uint32_t> named;
    for (const auto& clause : carry.clauses) {
        slots_named(plan, clause.where, named);
        for (const auto& f : clause.fields) slots_named(plan, f.node, named);
    }
    return named;
}

bool any_in(const std::vector<std::uint32_t>& slots, const std::vector<std::uint8_t>& set) {
    for (auto s : slots)
        if (set[s]) return true;
    return false;
}

// ---- the source ----

/// An __int128 literal.
std::string lit(__int128 x) {
    const auto hi = static_cast<long long>(x >> 64);
    const auto lo = static_cast<unsigned long long>(static_cast<unsigned __int128>(x) & ~0ULL);
    if (hi == 0 && lo <= 0x7fffffffffffffffULL) return fmt::format("(i128){}LL", lo);
    if (hi == -1 && lo > 0x7fffffffffffffffULL) return fmt::format("(i128)({}LL)", static_cast<long long>(lo));
    return fmt::format("((i128){}LL * ((i128)1 << 64) + (i128){}ULL)", hi, lo);
}

std::string q(const Rational& r) {
    auto [n, d] = r.small_parts();
    return fmt::format("Q{{{}, {}}}", lit(n), lit(d));
}

// The kernel's runtime: raw fractions with overflow-checked __int128 arithmetic. An
// operation first tries the fraction as it is; when a product would overflow, it puts its
// operands in lowest terms and tries again; when that overflows too, the run is given up
// (the interpreter, with numbers of any size, evaluates it). Rounding and comparison are
// exact on fractions in any terms.
constexpr std::string_view runtime = R"(#include <cstdint>
typedef __int128 i128;
typedef unsigned __int128 u128;
struct Q { i128 n, d; };
struct Bail {};
[[noreturn]] __attribute__((noinline, cold)) static void bail() { throw Bail{}; }
static inline bool mo(i128 a, i128 b, i128* r) { return __builtin_mul_overflow(a, b, r); }
static inline i128 mu(i128 a, i128 b) { i128 r; if (__builtin_mul_overflow(a, b, &r)) bail(); return r; }
static inline i128 ad(i128 a, i128 b) { i128 r; if (__builtin_add_overflow(a, b, &r)) bail(); return r; }
static inline u128 ua(i128 x) { return x < 0 ? (u128)0 - (u128)x : (u128)x; }
static inline bool f64(i128 x) { return x == (long long)x; }
static inline bool f64(Q a, Q b) { return f64(a.n) & f64(a.d) & f64(b.n) & f64(b.d); }
// The product of two values known to fit 64 bits: one widening multiplication.
static inline i128 w64(i128 a, i128 b) { return (i128)(long long)a * (long long)b; }
// Binary gcd: shifts and subtractions, no 128-bit division.
static inline int ctz128(u128 x) {
  const unsigned long long lo = (unsigned long long)x;
  return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((unsigned long long)(x >> 64));
}
static inline unsigned long long ugcd(unsigned long long a, unsigned long long b) {
  if (a == 0) return b;
  if (b == 0) return a;
  const int shift = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  do {
    b >>= __builtin_ctzll(b);
    if (a > b) { unsigned long long x = a; a = b; b = x; }
    b -= a;
  } while (b != 0);
  return a << shift;
}
static u128 gcd(u128 a, u128 b) {
  if (a == 0) return b;
  if (b == 0) return a;
  if (!(a >> 64) && !(b >> 64)) return ugcd((unsigned long long)a, (unsigned long long)b);   // on 64 bits
  const int shift = ctz128(a | b);
  a >>= ctz128(a);
  do {
    b >>= ctz128(b);
    if (a > b) { u128 t = a; a = b; b = t; }
    b -= a;
  } while (b != 0);
  return a << shift;
}
static Q red(Q x) {
  if (x.n == 0) return Q{0, 1};
  u128 g = gcd(ua(x.n), (u128)x.d);
  if (g == 1) return x;
  return Q{x.n / (i128)g, x.d / (i128)g};
}
static inline Q neg(Q a) { if (a.n == -((i128)(~(u128)0 >> 1)) - 1) bail(); return Q{-a.n, a.d}; }
__attribute__((noinline)) static Q add_slow(Q a, Q b) {
  a = red(a); b = red(b);
  i128 g = (i128)gcd((u128)a.d, (u128)b.d);
  i128 bg = b.d / g, ag = a.d / g;
  return red(Q{ad(mu(a.n, bg), mu(b.n, ag)), mu(a.d, bg)});
}
static inline Q add(Q a, Q b) {
  i128 x, y, n, d;
  if (a.d == b.d) { if (!__builtin_add_overflow(a.n, b.n, &n)) return Q{n, a.d}; }
  else if (f64(a, b)) return Q{w64(a.n, b.d) + w64(b.n, a.d), w64(a.d, b.d)};   // < 2^127: no overflow
  else if (!mo(a.n, b.d, &x) && !mo(b.n, a.d, &y) && !__builtin_add_overflow(x, y, &n) && !mo(a.d, b.d, &d)) return Q{n, d};
  return add_slow(a, b);
}
static inline Q sub(Q a, Q b) { return add(a, neg(b)); }
__attribute__((noinline)) static Q mul_slow(Q a, Q b) {
  if (a.n == 0 || b.n == 0) return Q{0, 1};
  a = red(a); b = red(b);
  i128 g1 = (i128)gcd(ua(a.n), (u128)b.d), g2 = (i128)gcd(ua(b.n), (u128)a.d);
  return Q{mu(a.n / g1, b.n / g2), mu(a.d / g2, b.d / g1)};
}
static inline Q mul(Q a, Q b) {
  i128 n, d;
  if (f64(a, b)) return Q{w64(a.n, b.n), w64(a.d, b.d)};
  if (!mo(a.n, b.n, &n) && !mo(a.d, b.d, &d)) return Q{n, d};
  return mul_slow(a, b);
}
static inline Q dvd(Q a, Q b) {
  if (b.n == 0) bail();
  // 1 / (n/d) = d/n, the sign carried by the numerator: -d / -n for a negative n.
  Q inv = b.n < 0 ? neg(Q{b.d, neg(Q{b.n, 1}).n}) : Q{b.d, b.n};
  return mul(a, inv);
}
__attribute__((noinline)) static int cmp_slow(Q a, Q b) {
  int sa = (a.n > 0) - (a.n < 0), sb = (b.n > 0) - (b.n < 0);
  if (sa != sb) return sa < sb ? -1 : 1;
  a = red(a); b = red(b);
  i128 x = mu(a.n, b.d), y = mu(b.n, a.d);
  return (x > y) - (x < y);
}
static inline int cmp(Q a, Q b) {
  if (a.d == b.d) return (a.n > b.n) - (a.n < b.n);
  i128 x, y;
  if (f64(a, b)) { x = w64(a.n, b.d); y = w64(b.n, a.d); return (x > y) - (x < y); }
  if (!mo(a.n, b.d, &x) && !mo(b.n, a.d, &y)) return (x > y) - (x < y);
  return cmp_slow(a, b);
}
static inline int cmp(long long a, long long b) { return (a > b) - (a < b); }
// With a constant n/d (d > 0, both fitting 64 bits, n not the most negative) as the other
// operand: where x fits 64 bits too, every product fits 128 bits and no sum of two of them
// overflows, so nothing is checked.
static inline int cmpk(Q a, long long n, long long d) {
  if (f64(a.n) & f64(a.d)) { i128 x = w64(a.n, d), y = w64(n, a.d); return (x > y) - (x < y); }
  return cmp(a, Q{n, d});
}
static inline Q mulk(Q a, long long n, long long d) {
  if (f64(a.n) & f64(a.d)) return Q{w64(a.n, n), w64(a.d, d)};
  return mul(a, Q{n, d});
}
static inline Q addk(Q a, long long n, long long d) {
  if (f64(a.n) & f64(a.d)) {
    if (d == 1) return Q{a.n + w64(n, a.d), a.d};
    return Q{w64(a.n, d) + w64(n, a.d), w64(a.d, d)};
  }
  return add(a, Q{n, d});
}
static inline Q pick_min(Q a, Q b) { return cmp(b, a) < 0 ? b : a; }
static inline Q pick_max(Q a, Q b) { return cmp(b, a) > 0 ? b : a; }
static inline long long pick_min(long long a, long long b) { return b < a ? b : a; }
static inline long long pick_max(long long a, long long b) { return b > a ? b : a; }
template <class T> static inline T clamp(T x, T lo, T hi) {
  if (cmp(lo, hi) > 0) bail();
  if (cmp(x, lo) < 0) return lo;
  if (cmp(x, hi) > 0) return hi;
  return x;
}
template <class T> static inline T within(T x, const T* lo, const T* hi) {
  if (lo && cmp(x, *lo) < 0) bail();
  if (hi && cmp(*hi, x) < 0) bail();
  return x;
}
// n / d and n % d (truncated) for d > 0 of 64 bits and n of 128: when the quotient of |n|
// fits 64 bits (its high word below d), one `divq` on x86-64; else the 128-bit division.
static inline void qr128(i128 n, long long d, i128& q, i128& r) {
#if defined(__x86_64__)
  const u128 u = ua(n);
  const unsigned long long hi = (unsigned long long)(u >> 64), lo = (unsigned long long)u;
  if (hi < (unsigned long long)d) {
    unsigned long long uq, ur;
    __asm__("divq %4" : "=a"(uq), "=d"(ur) : "a"(lo), "d"(hi), "rm"((unsigned long long)d) : "cc");
    q = n < 0 ? -(i128)uq : (i128)uq;
    r = n < 0 ? -(i128)ur : (i128)ur;
    return;
  }
#endif
  q = n / d;
  r = n % d;
}
// n/d (d > 0) to an integer: 0 down, 1 up, 2 half up (ties away from zero), 3 half even.
static i128 rquot(i128 n, i128 d, int mode) {
  i128 q, r;
  if (f64(n) && f64(d)) { long long n64 = (long long)n, d64 = (long long)d; q = n64 / d64; r = n64 % d64; }
  else if (f64(d)) qr128(n, (long long)d, q, r);
  else { q = n / d; r = n % d; }
  if (r < 0) { q -= 1; r += d; }
  if (r == 0 || mode == 0) return q;
  if (mode == 1) return q + 1;
  u128 twice = (u128)r * 2;
  bool up = twice > (u128)d;
  if (twice == (u128)d) up = mode == 2 ? n > 0 : (q & 1) != 0;
  return up ? q + 1 : q;
}
static inline Q round_to(Q x, Q unit, int mode) {
  if (unit.n == 1 && unit.d == 1) return Q{rquot(x.n, x.d, mode), 1};
  Q y = dvd(x, unit);
  return Q{mu(rquot(y.n, y.d, mode), unit.n), unit.d};
}
static inline Q num(const Q* t, long k) { Q x = t[k]; if (x.d <= 0) bail(); return x; }
static inline long long word(const Q* t, long k) { Q x = t[k]; if (x.d <= 0) bail(); return (long long)x.n; }
// A word the straight-line code read once from the table (the same check as word()'s).
static inline long long uword(const Q& x) { if (x.d <= 0) bail(); return (long long)x.n; }
// Whole numbers the plan's types prove whole (a count, an amount rounded to a whole unit)
// are 64-bit integers: their sums and products are checked for overflow in 64 bits.
static inline long long iadd(long long a, long long b) { long long r; if (__builtin_add_overflow(a, b, &r)) bail(); return r; }
static inline long long isub(long long a, long long b) { long long r; if (__builtin_sub_overflow(a, b, &r)) bail(); return r; }
static inline long long imul(long long a, long long b) { long long r; if (__builtin_mul_overflow(a, b, &r)) bail(); return r; }
static inline long long ineg(long long a) { if (a == -0x7fffffffffffffffLL - 1) bail(); return -a; }
static inline long long tol(i128 x) { if (!f64(x)) bail(); return (long long)x; }
static inline Q qi(long long x) { return Q{x, 1}; }
static inline long long inum(const Q* t, long k) { Q x = t[k]; if (x.d != 1) bail(); return tol(x.n); }
static inline long long qwhole(const Q& x) { if (x.d != 1) bail(); return tol(x.n); }
static inline Q addi(Q a, long long b) { if (f64(a.n) & f64(a.d)) return Q{a.n + w64(b, a.d), a.d}; return add(a, Q{b, 1}); }
static inline Q subi(Q a, long long b) { if (f64(a.n) & f64(a.d)) return Q{a.n - w64(b, a.d), a.d}; return sub(a, Q{b, 1}); }
static inline Q muli(Q a, long long b) { if (f64(a.n)) return Q{w64(a.n, b), a.d}; return mul(a, Q{b, 1}); }
static inline Q divi(long long a, long long b) { if (b == 0) bail(); if (b < 0) return Q{-(i128)a, -(i128)b}; return Q{a, b}; }
static inline Q dvdi(Q a, long long b) {
  if (b > 0 && f64(a.d)) return Q{a.n, w64(a.d, b)};
  return dvd(a, Q{b, 1});
}
// A pro rata factor into t[at]: bound / value, the smallest of a set's (a bound below 0 or
// a value not above 0 cannot be met by scaling: the interpreter says so). Left as it comes
// when both parts fit 64 bits (scaling by it gives the same whatever its terms, and the
// host puts what it reads in lowest terms); else in lowest terms.
static inline void factor(Q* t, long at, Q v, Q b) {
  if (b.n < 0 || v.n <= 0) bail();
  Q f;
  i128 n, d;
  if (f64(v, b) && f64(n = w64(b.n, v.d)) && f64(d = w64(b.d, v.n))) {
    f = Q{n, d};
  } else {
    f = red(dvd(b, v));
  }
  if (t[at].d <= 0 || cmp(f, t[at]) < 0) t[at] = f;
}
// The first try of a fraction: 64-bit parts, every product and sum checked, an overflow
// noted in `o` instead of stopping. A definition computed this way is used when nothing
// overflowed (every step was then exact); otherwise it is computed again on Q. Once `o` is
// set the parts mean nothing: what would give the run up (a zero divisor, no table row)
// does so only while `o` is clear, and nothing divides by a part after it is set.
struct S { long long n, d; };
static inline bool o64(i128 x) { return x != (long long)x; }
static inline S sq(Q x, bool& o) { o |= o64(x.n) | o64(x.d); return S{(long long)x.n, (long long)x.d}; }
static inline S si(long long x) { return S{x, 1}; }
static inline S sread(S x, bool big, bool& o) { o |= big; return x; }
// A definition of the straight-line entry as a Q: its 64-bit parts, or its value on Q when
// they overflowed (only then is `v` set).
static inline Q qv(S x, bool big, const Q& v) { return big ? v : Q{x.n, x.d}; }
static inline S snum(const Q* t, long k, bool& o) { Q x = t[k]; if (x.d <= 0) bail(); return sq(x, o); }
static inline long long sneg1(long long x, bool& o) { o |= x == -0x7fffffffffffffffLL - 1; return (long long)(0ULL - (unsigned long long)x); }
// When a product or sum overflows, its operands are put in lowest terms (a binary gcd on
// 64 bits) and it is tried again (a sum on the least common denominator); only an
// overflow then is noted. (An overflow with `o` already set is not tried again.)
static inline unsigned long long uabs(long long x) { return x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x; }
// x in lowest terms (d > 0).
static inline S sred(S x) {
  if (x.d == 1) return x;   // (a whole number: nothing to divide out)
  if (x.n == 0) return S{0, 1};
  const long long g = (long long)ugcd(uabs(x.n), (unsigned long long)x.d);   // (at most d)
  return g == 1 ? x : S{x.n / g, x.d / g};
}
// (Each tried first with the factors the operands share — a numerator's with the other's
// denominator, the two denominators — and only when that overflows with each operand in
// lowest terms too.)
__attribute__((noinline)) static S smul_slow(S a, S b, bool& o) {
  if (o || a.d <= 0 || b.d <= 0) { o = true; return S{0, 1}; }
  if (a.n == 0 || b.n == 0) return S{0, 1};
  S r;
  for (int pass = 0;; ++pass) {
    const long long g1 = (long long)ugcd(uabs(a.n), (unsigned long long)b.d), g2 = (long long)ugcd(uabs(b.n), (unsigned long long)a.d);
    const bool over = __builtin_mul_overflow(a.n / g1, b.n / g2, &r.n) | __builtin_mul_overflow(a.d / g2, b.d / g1, &r.d);
    if (!over) return r;
    if (pass == 1) { o = true; return r; }
    a = sred(a);
    b = sred(b);
  }
}
static inline S smul(S a, S b, bool& o) {
  S r;
  if (!__builtin_mul_overflow(a.n, b.n, &r.n) && !__builtin_mul_overflow(a.d, b.d, &r.d)) return r;
  return smul_slow(a, b, o);
}
__attribute__((noinline)) static S sadd_slow(S a, S b, bool& o) {
  if (o || a.d <= 0 || b.d <= 0) { o = true; return S{0, 1}; }
  S r;
  for (int pass = 0;; ++pass) {
    const long long g = (long long)ugcd((unsigned long long)a.d, (unsigned long long)b.d);
    long long x, y;
    const bool over = __builtin_mul_overflow(a.n, b.d / g, &x) | __builtin_mul_overflow(b.n, a.d / g, &y) |
                      __builtin_add_overflow(x, y, &r.n) | __builtin_mul_overflow(a.d, b.d / g, &r.d);
    if (!over) return r;
    if (pass == 1) { o = true; return r; }
    a = sred(a);
    b = sred(b);
  }
}
static inline S sadd(S a, S b, bool& o) {
  S r;
  long long x, y;
  if (a.d == b.d) {
    if (!__builtin_add_overflow(a.n, b.n, &r.n)) { r.d = a.d; return r; }
  } else if (!__builtin_mul_overflow(a.n, b.d, &x) && !__builtin_mul_overflow(b.n, a.d, &y) &&
             !__builtin_add_overflow(x, y, &r.n) && !__builtin_mul_overflow(a.d, b.d, &r.d)) {
    return r;
  }
  return sadd_slow(a, b, o);
}
// x·a/l + b/l on one denominator: a table's linear row (a, b, l constants, l > 0).
static inline S slin(S x, long long a, long long b, long long l, bool& o) {
  long long u, v;
  S r;
  if (!__builtin_mul_overflow(x.n, a, &u) && !__builtin_mul_overflow(x.d, b, &v) && !__builtin_add_overflow(u, v, &r.n) &&
      !__builtin_mul_overflow(x.d, l, &r.d))
    return r;
  return sadd(smul(x, S{a, l}, o), S{b, l}, o);
}
static inline S ssub(S a, S b, bool& o) { return sadd(a, S{sneg1(b.n, o), b.d}, o); }
static inline S sneg(S a, bool& o) { return S{sneg1(a.n, o), a.d}; }
static inline S sdvd(S a, S b, bool& o) {
  if (b.n == 0) { if (!o) bail(); o = true; return S{0, 1}; }
  S inv = b.n < 0 ? S{sneg1(b.d, o), sneg1(b.n, o)} : S{b.d, b.n};
  return smul(a, inv, o);
}
// a against b: a.n·b.d against b.n·a.d, two 64-bit products in 128 bits (d > 0).
static inline bool s_lt(S a, S b) { return (i128)a.n * b.d < (i128)b.n * a.d; }
static inline bool s_le(S a, S b) { return (i128)a.n * b.d <= (i128)b.n * a.d; }
static inline bool s_gt(S a, S b) { return s_lt(b, a); }
static inline bool s_ge(S a, S b) { return s_le(b, a); }
static inline bool s_eq(S a, S b) { return (i128)a.n * b.d == (i128)b.n * a.d; }
static inline bool s_ne(S a, S b) { return !s_eq(a, b); }
static inline S spick_min(S a, S b) { return s_lt(b, a) ? b : a; }
// within() on whole numbers and on 64-bit parts (after an overflow, anything: the value is
// computed again on Q).
static inline long long iwithin(long long x, bool lo_set, long long lo, bool hi_set, long long hi) {
  if ((lo_set && x < lo) || (hi_set && hi < x)) bail();
  return x;
}
static inline S swithin(S x, bool lo_set, S lo, bool hi_set, S hi, bool& o) {
  if (o) return x;
  if ((lo_set && s_lt(x, lo)) || (hi_set && s_lt(hi, x))) bail();
  return x;
}
// clamp() on 64-bit parts (after an overflow, anything: the value is computed again on Q).
static inline S sclamp(S x, S lo, S hi, bool& o) {
  if (o) return x;
  if (s_lt(hi, lo)) bail();
  if (s_lt(x, lo)) return lo;
  if (s_lt(hi, x)) return hi;
  return x;
}
static inline S spick_max(S a, S b) { return s_lt(a, b) ? b : a; }
// x rounded to a multiple of unit (unit > 0).
static inline S sround(S x, S unit, int mode, bool& o) {
  S y = sdvd(x, unit, o);
  if (o || y.d <= 0) { o = true; return S{0, 1}; }
  long long q, r = 0;
  q = y.n / y.d; r = y.n % y.d;
  if (r < 0) { q -= 1; r += y.d; }
  if (r != 0 && mode != 0) {
    bool up = mode == 1;
    if (mode >= 2) {
      unsigned long long twice = (unsigned long long)r * 2;
      up = twice > (unsigned long long)y.d;
      if (twice == (unsigned long long)y.d) up = mode == 2 ? y.n > 0 : (q & 1) != 0;
    }
    if (up) q += 1;
  }
  S out;
  o |= __builtin_mul_overflow(q, unit.n, &out.n);
  out.d = unit.d;
  return out;
}
// x rounded to a whole multiple of k (k > 0).
static inline long long iround(Q x, long long k, int mode) {
  if (k == 1) return tol(rquot(x.n, x.d, mode));
  Q y = mulk(x, 1, k);
  return imul(tol(rquot(y.n, y.d, mode)), k);
}
// n/d (d > 0 of 64 bits) to a whole number as rquot() rounds it, into q: one division of
// 128 by 64 bits; false (q unset) when the quotient does not fit 64 bits with room for the
// rounding's step.
static inline bool rq64(i128 n, long long d, int mode, long long& q) {
  const u128 u = ua(n);
  const unsigned long long hi = (unsigned long long)(u >> 64), lo = (unsigned long long)u, ud = (unsigned long long)d;
  if (hi >= ud) return false;
  unsigned long long uq, ur;
#if defined(__x86_64__)
  __asm__("divq %4" : "=a"(uq), "=d"(ur) : "a"(lo), "d"(hi), "rm"(ud) : "cc");
#else
  uq = (unsigned long long)(u / ud);
  ur = (unsigned long long)(u % ud);
#endif
  if (uq >= 0x7fffffffffffffffULL) return false;
  // The floor and the remainder in [0, d).
  long long f = (long long)uq;
  unsigned long long r = ur;
  if (n < 0) {
    f = -f;
    if (r != 0) { f -= 1; r = ud - r; }
  }
  if (r != 0 && mode != 0) {
    bool up = mode == 1;
    if (mode >= 2) {
      const unsigned long long rest = ud - r;   // (2r against d without overflow)
      up = r > rest;
      if (r == rest) up = mode == 2 ? n > 0 : (f & 1) != 0;
    }
    if (up) f += 1;
  }
  q = f;
  return true;
}
// A whole x scaled by a pro rata factor f and rounded to a whole multiple of k (k > 0):
// iround(mul(Q{x, 1}, f), k, mode). With f's parts read into n and d (d > 0, both fitting 64
// bits) on a 128-bit product (which cannot overflow) and one rq64(); on f where they do not
// (n and d 0: rq64() then fails) or the quotient does not fit.
__attribute__((noinline, cold)) static long long iscalef_slow(long long x, const Q& f, long long k, int mode) {
  return iround(mul(Q{x, 1}, f), k, mode);
}
static inline long long iscalef(long long x, long long n, long long d, const Q& f, long long k, int mode) {
  long long q, dk, out;
  if (k == 1) {
    if (rq64((i128)x * n, d, mode, q)) return q;
  } else if (!__builtin_mul_overflow(d, k, &dk) && rq64((i128)x * n, dk, mode, q) && !__builtin_mul_overflow(q, k, &out)) {
    return out;
  }
  return iscalef_slow(x, f, k, mode);
}
// iscalef() by a factor n/d whose parts fit 64 bits.
static inline long long iscale(long long x, long long n, long long d, long long k, int mode) {
  return iscalef(x, n, d, Q{n, d}, k, mode);
}
// A number xn/xd (xd > 0) scaled the same way and rounded to a multiple of un/ud (both > 0,
// fitting 64 bits): round_to(mul(x, Q{n, d}), Q{un, ud}, mode), its parts fitting 64 bits.
static inline Q qscale(long long xn, long long xd, long long n, long long d, long long un, long long ud, int mode) {
  long long q, D;
  if (un == 1 && ud == 1) {
    if (xd == 1) {
      if (rq64((i128)xn * n, d, mode, q)) return Q{q, 1};
    } else if (!__builtin_mul_overflow(xd, d, &D) && rq64((i128)xn * n, D, mode, q)) {
      return Q{q, 1};
    }
  } else {
    i128 N;
    if (!__builtin_mul_overflow(xd, d, &D) && !__builtin_mul_overflow(D, un, &D) && !mo((i128)xn * n, ud, &N) &&
        rq64(N, D, mode, q))
      return Q{(i128)q * un, ud};
  }
  return round_to(mul(Q{xn, xd}, Q{n, d}), Q{un, ud}, mode);
}
// A product of 64-bit factors on __int128: acc·f, true when it overflowed. While acc fits
// 64 bits the product is one widening multiplication.
static inline bool cm(i128& acc, long long f) {
  if (f64(acc)) { acc = (i128)(long long)acc * f; return false; }
  return __builtin_mul_overflow(acc, (i128)f, &acc);
}
// n/d (d != 0) rounded to a whole multiple of k (k > 0, d already holding the factor k):
// false when the quotient or its product with k does not fit 64 bits.
static inline bool rdiv(i128 n, i128 d, long long k, int mode, long long& out) {
  const i128 lowest = -((i128)(~(u128)0 >> 1)) - 1;
  if (d < 0) {
    if (n == lowest || d == lowest) return false;
    n = -n;
    d = -d;
  }
  const i128 q = rquot(n, d, mode);
  return f64(q) && !__builtin_mul_overflow((long long)q, k, &out);
}
)";

/// Per row of a table over a number: whether its low end must be checked. The rows are
/// tried in order, so when the row before ends where this one begins (one end inclusive,
/// the other not) and x was known to be above that row's low end, x is above this one's.
std::vector<std::uint8_t> low_checked(const Table& t) {
    std::vector<std::uint8_t> out;
    bool above_low = true;
    const TableRow* before = nullptr;
    for (const auto& row : t.rows) {
        if (row.low) {
            const bool joined = before && before->high && *before->high == *row.low &&
                                before->high_inclusive != row.low_inclusive;
            above_low = above_low && joined;
        } else {
            above_low = true;
        }
        out.push_back(row.low && !above_low);
        before = &row;
    }
    return out;
}

/// A constant's parts when both fit 64 bits and the numerator is not the most negative
/// (so that it can be negated): the operand of cmpk, mulk and addk.
std::optional<std::pair<long long, long long>> small_constant(const Rational& c) {
    if (!c.is_small()) return std::nullopt;
    auto [n, d] = c.small_parts();
    const __int128 lo = -static_cast<__int128>(0x7fffffffffffffffLL);
    if (n < lo || n > 0x7fffffffffffffffLL || d > 0x7fffffffffffffffLL) return std::nullopt;
    return std::pair<long long, long long>{static_cast<long long>(n), static_cast<long long>(d)};
}

/// Per node of `count`: its index in `nodes`, or none.
std::vector<std::uint32_t> index_of(const std::vector<std::uint32_t>& nodes, std::size_t count) {
    std::vector<std::uint32_t> index(count, none);
    for (std::size_t k = 0; k < nodes.size(); ++k) index[nodes[k]] = static_cast<std::uint32_t>(k);
    return index;
}

struct Writer {
    const Plan& plan;
    const Layout& layout;
    std::string out;
    std::vector<std::string> tables;   // per table: its function, once written
    std::vector<std::string> stables;  // the same on 64-bit parts (sexpr)
    std::string aggregates;            // the functions of the aggregates, as written
    std::vector<std::uint32_t> written;   // their nodes
    // Inside the straight-line entry (local_entry()): the computed definitions are local
    // variables, read as vN / wN / sN, not functions.
    bool local = false;
    // There, the inputs and params read, each read once into a local variable: iN (a whole
    // number), pN with its overflow flag oN (a number on 64-bit parts), uN (a word: its
    // table entry, checked where it is used).
    std::vector<std::uint8_t> read_whole = std::vector<std::uint8_t>(plan.slots.size(), 0);
    std::vector<std::uint8_t> read_parts = std::vector<std::uint8_t>(plan.slots.size(), 0);
    std::vector<std::uint8_t> read_word = std::vector<std::uint8_t>(plan.slots.size(), 0);
    std::vector<std::int8_t> whole_node = std::vector<std::int8_t>(plan.nodes.size(), -1);   // -1: not yet known
    std::vector<std::int8_t> whole_slot = std::vector<std::int8_t>(plan.slots.size(), -1);
    // While the code run again after scaling is written: per slot, 1 for an allocated output
    // whole there though not on every run (every pro rata factor scales it, each rounding
    // to whole units). Its local variable and what is computed from it there are whole
    // numbers (whole_node_scaled, whole_slot_scaled: whole_node, whole_slot there); its
    // function, and every function, stays as it is.
    const std::vector<std::uint8_t>* whole_scaled = nullptr;
    std::vector<std::int8_t> whole_node_scaled = std::vector<std::int8_t>(plan.nodes.size(), -1);
    std::vector<std::int8_t> whole_slot_scaled = std::vector<std::int8_t>(plan.slots.size(), -1);
    // The functions of the hoisted parts (Layout::hoisted), as written, and the one whose
    // body is being written (none).
    std::string hoisted_fns = {};
    std::vector<std::uint8_t> hoist_written = std::vector<std::uint8_t>(layout.hoisted.size(), 0);
    // Per node: its index in Layout::hoisted and in Layout::frozen (none: not one).
    std::vector<std::uint32_t> hoist_index = index_of(layout.hoisted, plan.nodes.size());
    std::vector<std::uint32_t> frozen_index = index_of(layout.frozen, plan.nodes.size());
    std::uint32_t hoisting = none;
    // In the straight-line entry: the definitions whose local variable is in scope (a
    // director's, in the loop over the records that defined it), and whether hoisted parts
    // are read there too (the table's memo is cleared at its start).
    std::vector<std::uint8_t> local_here = std::vector<std::uint8_t>(plan.slots.size(), 0);
    bool hoist_local = false;
    // There, per hoisted part: 1 when its 64-bit parts are read through a local (hsN_, its
    // overflow flag hbN_), filled by hlN(o) on first use, so that a loop over the records
    // reads it from the function's memo once, not once per record.
    std::vector<std::uint8_t> hoist_read = std::vector<std::uint8_t>(layout.hoisted.size(), 0);
    /// Per slot: the sets of outputs (Layout::sets) whose factor scales it, in the order
    /// the interpreter tries them (the plan's order of their first limits).
    std::vector<std::vector<std::uint32_t>> scaled_by = std::vector<std::vector<std::uint32_t>>(plan.slots.size());
    /// In the straight-line entry: per aggregate node, 1 once the loop over the records has
    /// summed its terms (aN_ on 64-bit parts, aoN_ set when they overflowed, anN_ the
    /// records counted for a mean); read there in place of its function.
    std::vector<std::uint8_t> accumulated = std::vector<std::uint8_t>(plan.nodes.size(), 0);
    /// There, while a loop over the records is written: what is declared before it
    /// (`loop_decls`: the memos of the fractions round_chain combines once per run), and the
    /// count of those memos written so far.
    bool in_loop = false;
    std::string loop_decls = {};
    std::size_t chain_memos = 0;

    bool is_number(std::uint32_t n) const { return plan.nodes[n].type.kind == Kind::number; }
    std::string type_of(const Type& t) const { return t.kind == Kind::number ? "Q" : "long long"; }

    /// Whether slot s's number is whole whatever the run: an input the inputs check keeps
    /// whole, a param whose every version is, a definition whose formula is.
    bool slot_whole(std::uint32_t s) {
        const bool scaled_view = whole_scaled && local;
        std::vector<std::int8_t>& known = scaled_view ? whole_slot_scaled : whole_slot;
        if (known[s] >= 0) return known[s] != 0;
        const Slot& slot = plan.slots[s];
        bool w = false;
        if (scaled_view && (*whole_scaled)[s]) {
            w = true;
        } else if (slot.type.kind == Kind::number) {
            switch (slot.kind) {
                case SlotKind::input: w = unit_rule(plan, slot.type).kind == UnitRule::Kind::whole; break;
                case SlotKind::param:
                    w = !slot.versions.empty() &&
                        std::all_of(slot.versions.begin(), slot.versions.end(),
                                    [&](const ParamVersion& v) { return v.node != none && whole(v.node); });
                    break;
                case SlotKind::value:
                case SlotKind::output:
                    // (Scaled, a multiple of each unit it may be rounded to.)
                    w = whole(slot.checked != none ? slot.checked : slot.root) && scaled_to_whole_units(s);
                    break;
            }
        }
        known[s] = w ? 1 : 0;
        return w;
    }
    /// Whether every unit a pro rata limit may round slot s to is whole (true when none scales it).
    bool scaled_to_whole_units(std::uint32_t s) const {
        return std::all_of(scaled_by[s].begin(), scaled_by[s].end(),
                           [&](std::uint32_t k) { return plan.limits[layout.sets[k].limit].allocation->unit.is_integer(); });
    }
    /// f() as every function sees it (outside the code run again after scaling: whole_scaled unset).
    template <class F>
    bool everywhere(F&& f) {
        const auto* kept = std::exchange(whole_scaled, nullptr);
        const bool w = f();
        whole_scaled = kept;
        return w;
    }
    bool slot_whole_everywhere(std::uint32_t s) { return everywhere([&] { return slot_whole(s); }); }

    /// Whether the number at node n is a whole number on every run (computed as a 64-bit
    /// integer, overflow checked, by iexpr()).
    bool whole(std::uint32_t n) {
        if (n == none) return false;
        const bool scaled_view = whole_scaled && local;
        // (A hoisted part is read through its function: as every function sees it.)
        if (scaled_view && hoist_index[n] != none) return everywhere([&] { return whole(n); });
        std::vector<std::int8_t>& known = scaled_view ? whole_node_scaled : whole_node;
        if (known[n] >= 0) return known[n] != 0;
        if (!frozen_place(n).empty()) {   // (read as a fraction)
            known[n] = 0;
            return false;
        }
        const Node& node = plan.nodes[n];
        bool w = false;
        if (node.type.kind == Kind::number) {
            const NodeKind k = node.kind;
            if (k == NodeKind::constant) {
                auto c = small_constant(plan.constants[node.aux].number);
                w = c && c->second == 1;
            } else if (k == NodeKind::slot) {
                w = slot_whole(node.aux);
            } else if (k == NodeKind::add || k == NodeKind::sub || k == NodeKind::mul) {
                w = whole(node.a) && whole(node.b);
            } else if (k == NodeKind::neg) {
                w = whole(node.a);
            } else if (k == NodeKind::if_) {
                w = whole(node.b) && whole(node.c);
            } else if (k == NodeKind::clamp) {
                w = whole(node.a) && whole(node.b) && whole(node.c);
            } else if (k == NodeKind::within) {
                w = whole(node.a) && (node.b == none || whole(node.b)) && (node.c == none || whole(node.c));
            } else if (k == NodeKind::min || k == NodeKind::max) {
                w = true;
                for (std::uint32_t i = 0; i < node.args_count; ++i) w = w && whole(plan.args[node.args_begin + i]);
            } else if (k == NodeKind::round) {
                auto c = small_constant(plan.constants[node.aux].number);
                w = c && c->second == 1 && c->first > 0;
            } else if (k == NodeKind::table) {
                const Table& t = plan.tables[node.aux];
                w = std::all_of(t.rows.begin(), t.rows.end(), [](const TableRow& row) {
                    auto c = small_constant(row.value);
                    return !row.linear && c && c->second == 1;
                });
            }
        }
        known[n] = w ? 1 : 0;
        return w;
    }

    /// Node n's place when it is a part computed once (Layout::frozen): "at + record", else
    /// empty.
    std::string frozen_place(std::uint32_t n) const {
        const std::uint32_t k = frozen_index[n];
        if (k == none) return {};
        return fmt::format("{} + {}", layout.frozen_at[k], layout.frozen_per_record[k] ? "r" : "0");
    }

    /// Node n's hoisted part (Layout::hoisted): its index, or none (also inside the
    /// straight-line entry, which computes each definition once anyway).
    std::size_t hoisted(std::uint32_t n) const {
        if ((local && !hoist_local) || n == hoisting || hoist_index[n] == none) return none;
        return hoist_index[n];
    }
    /// Its function's type: a whole number or a word as `long long`, else Q.
    bool hoisted_word(std::uint32_t n) { return !is_number(n) || whole(n); }
    /// The call of hoisted part k, its function written on first use.
    std::string hoisted_call(std::size_t k) {
        const std::uint32_t n = layout.hoisted[k];
        if (!hoist_written[k]) {
            hoist_written[k] = 1;
            const std::uint32_t outer = hoisting;
            const bool was_local = local;   // (a function of its own: no local variables)
            local = false;
            hoisting = n;
            const std::uint32_t at = layout.hoisted_at[k];
            if (!hoisted_word(n)) {
                hoisted_fns += fmt::format(
                    "static Q h{0}(Q* t) {{\n  Q* m = t + {1};\n  if (m->d > 0) return *m;\n  const long r = 0;\n  (void)r;\n"
                    "  bool o = false;\n  S y = {2};\n  if (!o) y = sred(y);\n  Q x = !o ? Q{{y.n, y.d}} : red({3});\n  *m = x;\n  return x;\n}}\n",
                    n, at, sexpr(n), expr(n));
            } else {
                hoisted_fns += fmt::format(
                    "static long long h{0}(Q* t) {{\n  Q* m = t + {1};\n  if (m->d > 0) return (long long)m->n;\n"
                    "  const long r = 0;\n  (void)r;\n  long long x = {2};\n  *m = Q{{x, 1}};\n  return x;\n}}\n",
                    n, at, is_number(n) ? iexpr(n) : expr(n));
            }
            hoisting = outer;
            local = was_local;
        }
        return fmt::format("h{}(t)", n);
    }
    /// The prototypes of every hoisted part's function.
    std::string hoisted_decls() {
        std::string d;
        for (auto n : layout.hoisted) d += fmt::format("static {} h{}(Q* t);\n", hoisted_word(n) ? "long long" : "Q", n);
        return d;
    }

    /// The whole number at node n (whole(n)) as a 64-bit integer.
    std::string iexpr(std::uint32_t n) {
        if (auto k = hoisted(n); k != none) return hoisted_call(k);
        const Node& node = plan.nodes[n];
        const NodeKind k = node.kind;
        if (k == NodeKind::constant) return fmt::format("{}LL", small_constant(plan.constants[node.aux].number)->first);
        if (k == NodeKind::slot) {
            const Slot& slot = plan.slots[node.aux];
            return iexpr_slot(node.aux, slot.scope == Scope::plan ? "0" : "r");
        }
        if (k == NodeKind::add) return fmt::format("iadd({}, {})", iexpr(node.a), iexpr(node.b));
        if (k == NodeKind::sub) return fmt::format("isub({}, {})", iexpr(node.a), iexpr(node.b));
        if (k == NodeKind::mul) return fmt::format("imul({}, {})", iexpr(node.a), iexpr(node.b));
        if (k == NodeKind::neg) return fmt::format("ineg({})", iexpr(node.a));
        if (k == NodeKind::if_) return fmt::format("({} ? {} : {})", expr(node.a), iexpr(node.b), iexpr(node.c));
        if (k == NodeKind::clamp)
            return fmt::format("clamp<long long>({}, {}, {})", iexpr(node.a), iexpr(node.b), iexpr(node.c));
        if (k == NodeKind::within)
            return fmt::format("iwithin({}, {}, {}, {}, {})", iexpr(node.a), node.b != none, node.b != none ? iexpr(node.b) : "0LL",
                               node.c != none, node.c != none ? iexpr(node.c) : "0LL");
        if (k == NodeKind::min || k == NodeKind::max) {
            const char* fn = k == NodeKind::min ? "pick_min" : "pick_max";
            std::string e = iexpr(plan.args[node.args_begin]);
            for (std::uint32_t i = 1; i < node.args_count; ++i)
                e = fmt::format("{}({}, {})", fn, e, iexpr(plan.args[node.args_begin + i]));
            return e;
        }
        if (k == NodeKind::round) {
            const long long unit = small_constant(plan.constants[node.aux].number)->first;
            const std::string general = fmt::format("iround({}, {}LL, {})", expr(node.a), unit, static_cast<int>(node.mode));
            if (auto chain = round_chain(node.a, unit, static_cast<int>(node.mode), general)) return *chain;
            return general;
        }
        if (k == NodeKind::table) return fmt::format("(long long){}.n", expr(n, false));
        return "bail()";   // not reached: whole(n) said which nodes these are
    }

    /// The factors of a product or quotient, as (node, divides).
    void factors(std::uint32_t n, bool divides, std::vector<std::pair<std::uint32_t, bool>>& out) const {
        const Node& node = plan.nodes[n];
        if (node.kind == NodeKind::mul || node.kind == NodeKind::div) {
            factors(node.a, divides, out);
            factors(node.b, node.kind == NodeKind::div ? !divides : divides, out);
            return;
        }
        out.push_back({n, divides});
    }

    /// A product or quotient at n rounded to a whole multiple of `unit`, as one fraction:
    /// the numerators of its factors multiplied on __int128, the denominators likewise, one
    /// division. Constant factors are folded into one; a factor that both multiplies and
    /// divides (`x / p * (2 * p)`) is left out, its value checked not zero. Each factor is
    /// computed on 64-bit parts; when one overflows, or a product passes 128 bits, the
    /// formula is computed as written (`general`). None when n is not such a formula.
    std::optional<std::string> round_chain(std::uint32_t n, long long unit, int mode, const std::string& general) {
        const NodeKind kind = plan.nodes[n].kind;
        if (kind != NodeKind::mul && kind != NodeKind::div) return std::nullopt;
        std::vector<std::pair<std::uint32_t, bool>> all;
        factors(n, false, all);
        Rational c(1);
        std::vector<std::pair<std::uint32_t, bool>> leaves;
        for (auto [m, divides] : all) {
            const Node& leaf = plan.nodes[m];
            if (leaf.type.kind != Kind::number) return std::nullopt;
            if (leaf.kind == NodeKind::constant) {
                const Rational& v = plan.constants[leaf.aux].number;
                if (divides && v == Rational(0)) return std::nullopt;
                c = divides ? c / v : c * v;
                continue;
            }
            leaves.emplace_back(m, divides);
        }
        auto ck = small_constant(c);
        if (!ck || ck->first == 0 || leaves.empty()) return std::nullopt;
        // A divisor the same value multiplies again: both left out, the divisor checked.
        std::vector<std::uint8_t> out(leaves.size(), 0);
        std::vector<std::uint8_t> cancelled(leaves.size(), 0);
        auto same = [&](std::uint32_t a, std::uint32_t b) {
            const Node& x = plan.nodes[a];
            const Node& y = plan.nodes[b];
            return x.kind == NodeKind::slot && y.kind == NodeKind::slot && x.aux == y.aux;
        };
        for (std::size_t i = 0; i < leaves.size(); ++i) {
            if (!leaves[i].second) continue;
            for (std::size_t j = 0; j < leaves.size(); ++j) {
                if (leaves[j].second || out[j] || !same(leaves[i].first, leaves[j].first)) continue;
                out[i] = out[j] = cancelled[i] = 1;
                break;
            }
        }
        // In a loop over the records: the factors no record changes (plan-wide values the
        // loop reads from local variables, which nothing gives up) combined before the loop,
        // with the constant, into one fraction on 64 bits, not necessarily in lowest terms
        // (knN_ / kdN_, kvN_ set when it was formed); each record then multiplies its own
        // factors into it.
        // When it cannot be formed (an overflow, a zero divisor), each record computes the
        // chain as written below.
        std::vector<std::uint8_t> fixed(leaves.size(), 0);
        std::size_t fixed_count = 0;
        if (local && in_loop && layout.records > 1)   // (one record: nothing to share)
            for (std::size_t i = 0; i < leaves.size(); ++i) {
                const std::uint32_t m = leaves[i].first;
                const Node& leaf = plan.nodes[m];
                fixed[i] = leaf.kind == NodeKind::slot && plan.slots[leaf.aux].scope == Scope::plan && frozen_place(m).empty() &&
                           (!layout.computed[leaf.aux] || local_here[leaf.aux]);
                fixed_count += fixed[i];
            }
        std::string c_code = "[&]() __attribute__((always_inline)) -> long long { bool o = false; ";
        // (The denominators of the factors first — most often 1 — so that N and D pass 64 bits
        // only at their last factors, the products before on 64 bits.)
        std::string checks, parts_d, parts_n, products = fmt::format("i128 N = {}, D = {}; bool v = false; ", lit(ck->first), lit(ck->second));
        std::string fixed_code, fixed_parts_d, fixed_parts_n, fixed_checks, memo;
        for (std::size_t i = 0; i < leaves.size(); ++i) {
            const auto [m, divides] = leaves[i];
            if (out[i] && !cancelled[i]) continue;
            const bool w = whole(m);
            const std::string def = w ? fmt::format("const long long f{}_ = {}; ", i, iexpr(m)) : fmt::format("const S f{}_ = {}; ", i, sexpr(m));
            const std::string num = w ? fmt::format("f{}_", i) : fmt::format("f{}_.n", i);
            const char* upper = divides ? "D" : "N";
            const char* lower = divides ? "N" : "D";
            if (fixed_count > 0 && fixed[i]) {
                fixed_code += def;
                if (divides) fixed_checks += fmt::format("if ({} == 0) bail(); ", num);
                const std::string as_s = w ? fmt::format("S{{f{}_, 1}}", i) : fmt::format("f{}_", i);
                if (divides && out[i]) memo += fmt::format("if ({} == 0) o = true; ", num);   // (cancelled: checked only)
                else if (divides) memo += fmt::format("if ({} == 0) o = true; else k = sdvd(k, {}, o); ", num, as_s);
                else memo += fmt::format("k = smul(k, {}, o); ", as_s);
                if (out[i]) continue;
                fixed_parts_n += fmt::format("v |= cm({}, {}); ", upper, num);
                if (!w) fixed_parts_d += fmt::format("v |= cm({}, f{}_.d); ", lower, i);
                continue;
            }
            c_code += def;
            if (divides) checks += fmt::format("if ({} == 0) bail(); ", num);
            if (out[i]) continue;
            parts_n += fmt::format("v |= cm({}, {}); ", upper, num);
            if (!w) parts_d += fmt::format("v |= cm({}, f{}_.d); ", lower, i);
        }
        const std::string by_unit = unit != 1 ? fmt::format("v |= cm(D, {}LL); ", unit) : "";
        if (fixed_count == 0) {
            c_code += fmt::format("if (!o) {{ {}{}{}{}{}long long x; if (!v && rdiv(N, D, {}LL, {}, x)) return x; }} return {}; }}()",
                                  checks, products, by_unit, parts_d, parts_n, unit, mode, general);
            return c_code;
        }
        const std::size_t id = chain_memos++;
        loop_decls += fmt::format("    bool kv{0}_ = false;\n    long long kn{0}_ = 0, kd{0}_ = 1;\n"
                                  "    {{\n      bool o = false;\n      {1}S k = S{{{2}LL, {3}LL}};\n      {4}\n"
                                  "      if (!o) {{ kn{0}_ = k.n; kd{0}_ = k.d; kv{0}_ = true; }}\n    }}\n",
                                  id, fixed_code, ck->first, ck->second, memo);
        c_code += fmt::format(
            "if (!o) {{ {1}long long x; if (kv{0}_) {{ i128 N = kn{0}_, D = kd{0}_; bool v = false; {2}{3}{4}"
            "if (!v && rdiv(N, D, {5}LL, {6}, x)) return x; }} else {{ {7}if (!o) {{ {8}{9}{2}{10}{11}"
            "if (!v && rdiv(N, D, {5}LL, {6}, x)) return x; }} }} }} return {12}; }}()",
            id, checks, by_unit, parts_d, parts_n, unit, mode, fixed_code, fixed_checks, products, fixed_parts_d + parts_d,
            fixed_parts_n + parts_n, general);
        return c_code;
    }

    static const char* s_compare(std::string_view op) {
        return op == "<" ? "s_lt" : op == "<=" ? "s_le" : op == ">" ? "s_gt" : op == ">=" ? "s_ge" : op == "==" ? "s_eq" : "s_ne";
    }

    /// The number at node n on 64-bit parts, overflow noted in `o` (the runtime's S).
    std::string sexpr(std::uint32_t n) {
        if (auto f = frozen_place(n); !f.empty()) return fmt::format("snum(t, {}, o)", f);
        if (local && accumulated[n])
            return plan.nodes[n].kind == NodeKind::mean_over ? fmt::format("sdvd(sread(a{0}_, ao{0}_, o), si(an{0}_), o)", n)
                                                             : fmt::format("sread(a{0}_, ao{0}_, o)", n);
        if (auto k = hoisted(n); k != none) {
            if (hoisted_word(n)) return fmt::format("si({})", hoisted_call(k));
            if (local) {
                hoisted_call(k);   // (its function written)
                hoist_read[k] = 1;
                return fmt::format("hl{}(o)", n);
            }
            return fmt::format("sq({}, o)", hoisted_call(k));
        }
        const Node& node = plan.nodes[n];
        const NodeKind k = node.kind;
        if (whole(n)) return k == NodeKind::constant ? fmt::format("S{{{}LL, 1}}", small_constant(plan.constants[node.aux].number)->first)
                                                      : fmt::format("si({})", iexpr(n));
        if (k == NodeKind::constant) {
            if (auto c = small_constant(plan.constants[node.aux].number)) return fmt::format("S{{{}LL, {}LL}}", c->first, c->second);
        } else if (k == NodeKind::slot) {
            const Slot& slot = plan.slots[node.aux];
            const std::string rec = slot.scope == Scope::plan ? "0" : "r";
            if (layout.computed[node.aux] && local && local_here[node.aux]) return fmt::format("sread(s{0}_, b{0}_, o)", node.aux);
            if (layout.computed[node.aux]) return fmt::format("sq(s{}(t, {}), o)", node.aux, rec);
            if (local) {
                read_parts[node.aux] = 1;
                return fmt::format("sread(p{0}_, o{0}_, o)", node.aux);
            }
            return fmt::format("snum(t, {} + {}, o)", layout.offset[node.aux], rec);
        } else if (k == NodeKind::add || k == NodeKind::sub || k == NodeKind::mul || k == NodeKind::div) {
            const char* fn = k == NodeKind::add ? "sadd" : k == NodeKind::sub ? "ssub" : k == NodeKind::mul ? "smul" : "sdvd";
            return fmt::format("{}({}, {}, o)", fn, sexpr(node.a), sexpr(node.b));
        } else if (k == NodeKind::neg) {
            return fmt::format("sneg({}, o)", sexpr(node.a));
        } else if (k == NodeKind::clamp) {
            return fmt::format("sclamp({}, {}, {}, o)", sexpr(node.a), sexpr(node.b), sexpr(node.c));
        } else if (k == NodeKind::within) {
            return fmt::format("swithin({}, {}, {}, {}, {}, o)", sexpr(node.a), node.b != none, node.b != none ? sexpr(node.b) : "S{0, 1}",
                               node.c != none, node.c != none ? sexpr(node.c) : "S{0, 1}");
        } else if (k == NodeKind::if_) {
            return fmt::format("({} ? {} : {})", expr(node.a), sexpr(node.b), sexpr(node.c));
        } else if (k == NodeKind::min || k == NodeKind::max) {
            const char* fn = k == NodeKind::min ? "spick_min" : "spick_max";
            std::string e = sexpr(plan.args[node.args_begin]);
            for (std::uint32_t i = 1; i < node.args_count; ++i)
                e = fmt::format("{}({}, {})", fn, e, sexpr(plan.args[node.args_begin + i]));
            return e;
        } else if (k == NodeKind::round) {
            if (auto c = small_constant(plan.constants[node.aux].number); c && c->first > 0)
                return fmt::format("sround({}, S{{{}LL, {}LL}}, {}, o)", sexpr(node.a), c->first, c->second,
                                   static_cast<int>(node.mode));
        } else if (k == NodeKind::table && !plan.tables[node.aux].keyed()) {
            if (stables[node.aux].empty()) stables[node.aux] = stable_fn(node.aux);
            return fmt::format("stbl{}({}, o)", node.aux, sexpr(node.a));
        }
        return fmt::format("sq({}, o)", expr(n));   // the rest on Q
    }

    /// A table over a number on 64-bit parts, its rows tried as table_fn's.
    std::string stable_fn(std::uint32_t k) {
        const Table& t = plan.tables[k];
        std::string f = fmt::format("static S stbl{}(S x, bool& o) {{\n", k);
        const std::vector<std::uint8_t> check_low = low_checked(t);
        auto sc = [](const Rational& c) -> std::optional<std::string> {
            auto p = small_constant(c);
            if (!p) return std::nullopt;
            return fmt::format("S{{{}LL, {}LL}}", p->first, p->second);
        };
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            const TableRow& row = t.rows[i];
            std::string cond;
            auto low = row.low ? sc(*row.low) : std::nullopt;
            auto high = row.high ? sc(*row.high) : std::nullopt;
            if ((row.low && !low) || (row.high && !high)) return fmt::format("static S stbl{}(S x, bool& o) {{ o = true; return x; }}\n", k);
            if (check_low[i]) cond += fmt::format("{}(x, {})", row.low_inclusive ? "s_ge" : "s_gt", *low);
            if (row.high)
                cond += fmt::format("{}{}(x, {})", cond.empty() ? "" : " && ", row.high_inclusive ? "s_le" : "s_lt", *high);
            if (cond.empty()) cond = "true";
            std::optional<std::string> value = sc(row.value);
            if (row.linear) {
                const Rational c = row.value - *row.low * row.slope;
                auto slope = sc(row.slope), cc = sc(c);
                if (!slope || !cc) return fmt::format("static S stbl{}(S x, bool& o) {{ o = true; return x; }}\n", k);
                std::string e = row.slope == Rational(1) ? "x" : fmt::format("smul(x, {}, o)", *slope);
                value = c == Rational(0) ? e : fmt::format("sadd({}, {}, o)", e, *cc);
                // x·slope + c as (x·a + b) / l, l the common denominator of slope and c.
                const auto ks = small_constant(row.slope), kc = small_constant(c);
                const long long sd = ks->second, cd = kc->second;
                const __int128 l = static_cast<__int128>(sd / std::gcd(sd, cd)) * cd;
                const __int128 a = static_cast<__int128>(ks->first) * (l / sd), b = static_cast<__int128>(kc->first) * (l / cd);
                auto fits = [](__int128 x) { return x == static_cast<long long>(x); };
                if (c != Rational(0) && fits(l) && fits(a) && fits(b))
                    value = fmt::format("slin(x, {}LL, {}LL, {}LL, o)", static_cast<long long>(a), static_cast<long long>(b),
                                        static_cast<long long>(l));
            }
            if (!value) return fmt::format("static S stbl{}(S x, bool& o) {{ o = true; return x; }}\n", k);
            f += fmt::format("  if ({}) return {};\n", cond, *value);
        }
        f += "  if (!o) bail();\n  o = true;\n  return x;\n}\n";
        return f;
    }

    std::string slot_ref(std::uint32_t s) {
        const Slot& slot = plan.slots[s];
        const std::string rec = slot.scope == Scope::plan ? "0" : "r";
        if (slot.type.kind == Kind::number && slot_whole(s))
            return fmt::format("qi({})", iexpr_slot(s, rec));
        if (layout.computed[s] && local && local_here[s])
            return slot.type.kind == Kind::number ? fmt::format("qv(s{0}_, b{0}_, v{0}_)", s) : fmt::format("w{}_", s);
        if (layout.computed[s]) return fmt::format("s{}(t, {})", s, rec);
        if (local && slot.type.kind != Kind::number) {
            read_word[s] = 1;
            return fmt::format("uword(u{}_)", s);
        }
        return fmt::format("{}(t, {} + {})", slot.type.kind == Kind::number ? "num" : "word", layout.offset[s], rec);
    }
    std::string iexpr_slot(std::uint32_t s, const std::string& rec) {
        if (layout.computed[s] && local && local_here[s]) return fmt::format("w{}_", s);
        // (Whole only after scaling: its function gives a Q.)
        if (layout.computed[s] && whole_scaled && local && !slot_whole_everywhere(s)) return fmt::format("qwhole(s{}(t, {}))", s, rec);
        if (layout.computed[s]) return fmt::format("s{}(t, {})", s, rec);
        if (local) {
            read_whole[s] = 1;
            return fmt::format("i{}_", s);
        }
        return fmt::format("inum(t, {} + {})", layout.offset[s], rec);
    }

    std::string table_fn(std::uint32_t k) {
        const Table& t = plan.tables[k];
        std::string f = fmt::format("static Q tbl{}({} x) {{\n", k, t.keyed() ? "long long" : "Q");
        const std::vector<std::uint8_t> check_low = low_checked(t);
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            const TableRow& row = t.rows[i];
            if (t.keyed()) {
                f += fmt::format("  if (x == {}) return {};\n", *row.key, q(row.value));
                continue;
            }
            std::string cond;
            if (check_low[i]) cond += fmt::format("{} {} 0", cmp_with(*row.low), row.low_inclusive ? ">=" : ">");
            if (row.high)
                cond += fmt::format("{}{} {} 0", cond.empty() ? "" : " && ", cmp_with(*row.high),
                                    row.high_inclusive ? "<=" : "<");
            if (cond.empty()) cond = "true";
            std::string value = q(row.value);
            if (row.linear) {
                // value + (x - low) * slope, as x * slope + (value - low * slope).
                const Rational c = row.value - *row.low * row.slope;
                std::string e = row.slope == Rational(1) ? "x" : times("x", row.slope);
                value = c == Rational(0) ? e : plus(e, c);
                if (!c.is_small())
                    value = fmt::format("add({}, mul(sub(x, {}), {}))", q(row.value), q(*row.low), q(row.slope));
            }
            f += fmt::format("  if ({}) return {};\n", cond, value);
        }
        f += "  bail();\n}\n";
        return f;
    }

    /// x against a constant, as cmp() would.
    static std::string cmp_with(const Rational& c) {
        if (auto k = small_constant(c)) return fmt::format("cmpk(x, {}LL, {}LL)", k->first, k->second);
        return fmt::format("cmp(x, {})", q(c));
    }
    /// e * c and e + c for a constant c.
    static std::string times(const std::string& e, const Rational& c) {
        if (auto k = small_constant(c)) return fmt::format("mulk({}, {}LL, {}LL)", e, k->first, k->second);
        return fmt::format("mul({}, {})", e, q(c));
    }
    static std::string plus(const std::string& e, const Rational& c) {
        if (auto k = small_constant(c)) return fmt::format("addk({}, {}LL, {}LL)", e, k->first, k->second);
        return fmt::format("add({}, {})", e, q(c));
    }
    /// The constant at node n, when it is a number whose parts fit 64 bits (the numerator
    /// not the most negative).
    std::optional<Rational> constant_at(std::uint32_t n) const {
        const Node& node = plan.nodes[n];
        if (node.kind != NodeKind::constant || node.type.kind != Kind::number) return std::nullopt;
        const Rational& c = plan.constants[node.aux].number;
        if (!small_constant(c)) return std::nullopt;
        return c;
    }

    /// An aggregate over the directors as a function of its own: inside, `r` is each
    /// director in turn (the interpreter evaluates the value and filter for each record).
    std::string aggregate(std::uint32_t n) {
        const Node& node = plan.nodes[n];
        if (std::find(written.begin(), written.end(), n) != written.end()) return fmt::format("agg{}(t)", n);
        written.push_back(n);
        const bool was_local = local;   // (a function of its own: no local variables)
        local = false;
        std::string body = fmt::format("static Q agg{}(Q* t) {{\n  Q acc{{0, 1}};\n  bool any = false;\n  long long counted = 0;\n", n);
        body += fmt::format("  for (long r = 0; r < {}; ++r) {{\n", layout.records);
        if (node.b != none) body += fmt::format("    if (!{}) continue;\n", expr(node.b));
        if (node.kind == NodeKind::count) {
            body += "    acc = add(acc, Q{1, 1});\n";
        } else if (node.kind == NodeKind::min_over || node.kind == NodeKind::max_over) {
            body += fmt::format("    Q v = {};\n    if (!any || cmp(v, acc) {} 0) acc = v;\n    any = true;\n",
                                expr(node.a), node.kind == NodeKind::min_over ? "<" : ">");
        } else {
            body += fmt::format("    acc = add(acc, {});\n    ++counted;\n", expr(node.a));
        }
        body += "  }\n";
        if (node.kind == NodeKind::min_over || node.kind == NodeKind::max_over) body += "  if (!any) bail();\n";
        if (node.kind == NodeKind::mean_over) body += "  if (counted == 0) bail();\n  acc = dvd(acc, Q{counted, 1});\n";
        body += "  return acc;\n}\n";
        local = was_local;
        aggregates += body;
        return fmt::format("agg{}(t)", n);
    }

    /// The value at node n: a Q for a number (a whole one computed as a 64-bit integer
    /// unless `as_whole` is false), a long long for any other type.
    std::string expr(std::uint32_t n, bool as_whole = true) {
        if (auto f = frozen_place(n); !f.empty()) return fmt::format("{}(t, {})", is_number(n) ? "num" : "word", f);
        if (local && accumulated[n]) {   // (its function when the sum overflowed 64-bit parts)
            const std::string fn = aggregate(n);
            return plan.nodes[n].kind == NodeKind::mean_over
                       ? fmt::format("(ao{0}_ ? {1} : dvd(Q{{a{0}_.n, a{0}_.d}}, Q{{an{0}_, 1}}))", n, fn)
                       : fmt::format("(ao{0}_ ? {1} : Q{{a{0}_.n, a{0}_.d}})", n, fn);
        }
        if (auto k = hoisted(n); k != none)
            return is_number(n) && whole(n) ? fmt::format("qi({})", hoisted_call(k)) : hoisted_call(k);
        const Node& node = plan.nodes[n];
        if (as_whole && is_number(n) && node.kind != NodeKind::constant && node.kind != NodeKind::slot && whole(n))
            return fmt::format("qi({})", iexpr(n));
        auto bin = [&](const char* fn) { return fmt::format("{}({}, {})", fn, expr(node.a), expr(node.b)); };
        auto compare = [&](const char* op) {
            if (is_number(node.a) && whole(node.a) && whole(node.b))
                return fmt::format("(long long)({} {} {})", iexpr(node.a), op, iexpr(node.b));
            if (is_number(node.a))   // on 64-bit parts first, on Q when they overflow
                return fmt::format("[&]() -> long long {{ bool o = false; S x_ = {}; S y_ = {}; if (!o) return {}(x_, y_); "
                                   "return cmp({}, {}) {} 0; }}()",
                                   sexpr(node.a), sexpr(node.b), s_compare(op), expr(node.a), expr(node.b), op);
            return fmt::format("(long long)(cmp({}, {}) {} 0)", expr(node.a), expr(node.b), op);
        };
        switch (node.kind) {
            case NodeKind::constant: {
                const Value& v = plan.constants[node.aux];
                return node.type.kind == Kind::number ? q(v.number) : fmt::format("(long long){}LL", v.word);
            }
            case NodeKind::slot: return slot_ref(node.aux);
            case NodeKind::add:
                if (auto c = constant_at(node.b)) return plus(expr(node.a), *c);
                if (auto c = constant_at(node.a)) return plus(expr(node.b), *c);
                if (whole(node.b)) return fmt::format("addi({}, {})", expr(node.a), iexpr(node.b));
                if (whole(node.a)) return fmt::format("addi({}, {})", expr(node.b), iexpr(node.a));
                return bin("add");
            case NodeKind::sub:
                if (auto c = constant_at(node.b)) return plus(expr(node.a), -*c);
                if (whole(node.b)) return fmt::format("subi({}, {})", expr(node.a), iexpr(node.b));
                return bin("sub");
            case NodeKind::mul:
                if (auto c = constant_at(node.b)) return times(expr(node.a), *c);
                if (auto c = constant_at(node.a)) return times(expr(node.b), *c);
                if (whole(node.b)) return fmt::format("muli({}, {})", expr(node.a), iexpr(node.b));
                if (whole(node.a)) return fmt::format("muli({}, {})", expr(node.b), iexpr(node.a));
                return bin("mul");
            case NodeKind::div:
                if (auto c = constant_at(node.b); c && *c != Rational(0)) return times(expr(node.a), Rational(1) / *c);
                if (whole(node.a) && whole(node.b)) return fmt::format("divi({}, {})", iexpr(node.a), iexpr(node.b));
                if (whole(node.b)) return fmt::format("dvdi({}, {})", expr(node.a), iexpr(node.b));
                return bin("dvd");
            case NodeKind::neg: return fmt::format("neg({})", expr(node.a));
            case NodeKind::lt: return compare("<");
            case NodeKind::le: return compare("<=");
            case NodeKind::gt: return compare(">");
            case NodeKind::ge: return compare(">=");
            case NodeKind::eq: return compare("==");
            case NodeKind::ne: return compare("!=");
            case NodeKind::and_: return fmt::format("(long long)({} && {})", expr(node.a), expr(node.b));
            case NodeKind::or_: return fmt::format("(long long)({} || {})", expr(node.a), expr(node.b));
            case NodeKind::not_: return fmt::format("(long long)!{}", expr(node.a));
            case NodeKind::if_: return fmt::format("({} ? {} : {})", expr(node.a), expr(node.b), expr(node.c));
            case NodeKind::min:
            case NodeKind::max: {
                const char* fn = node.kind == NodeKind::min ? "pick_min" : "pick_max";
                std::string e = expr(plan.args[node.args_begin]);
                for (std::uint32_t i = 1; i < node.args_count; ++i)
                    e = fmt::format("{}({}, {})", fn, e, expr(plan.args[node.args_begin + i]));
                return e;
            }
            case NodeKind::clamp:
                return fmt::format("clamp<{}>({}, {}, {})", type_of(node.type), expr(node.a), expr(node.b), expr(node.c));
            case NodeKind::round:
                return fmt::format("round_to({}, {}, {})", expr(node.a), q(plan.constants[node.aux].number),
                                   static_cast<int>(node.mode));
            case NodeKind::table:
                if (tables[node.aux].empty()) tables[node.aux] = table_fn(node.aux);
                return fmt::format("tbl{}({})", node.aux, expr(node.a));
            case NodeKind::is: return fmt::format("(long long)({} == {}LL)", expr(node.a), node.aux);
            case NodeKind::within: {
                const std::string t = type_of(node.type);
                std::string lo = node.b == none ? "" : expr(node.b), hi = node.c == none ? "" : expr(node.c);
                return fmt::format("[&]() {{ {} x = {}; {}{}return within<{}>(x, {}, {}); }}()", t, expr(node.a),
                                   lo.empty() ? "" : fmt::format("{} lo = {}; ", t, lo),
                                   hi.empty() ? "" : fmt::format("{} hi = {}; ", t, hi), t, lo.empty() ? "nullptr" : "&lo",
                                   hi.empty() ? "nullptr" : "&hi");
            }
            case NodeKind::sum:
            case NodeKind::count:
            case NodeKind::min_over:
            case NodeKind::max_over:
            case NodeKind::mean_over: return aggregate(n);
            case NodeKind::present:
                return fmt::format("word(t, {} + {})", layout.presence[node.aux],
                                   plan.slots[node.aux].scope == Scope::plan ? "0" : "r");
            case NodeKind::last_before:
            case NodeKind::rank_over:
            case NodeKind::percentile_over:
            case NodeKind::product_over:
            case NodeKind::year_before:
            case NodeKind::last_date:
            case NodeKind::product:
            case NodeKind::months_inclusive:
            case NodeKind::date_calc:
            case NodeKind::series_window: break;
        }
        return "bail()";   // not reached: plan_layout refused the plan
    }
};

}  // namespace

bool plan_layout(const Plan& plan, const std::vector<std::uint8_t>& varied_slots, std::size_t records, bool carried,
                 Layout& out, dsl::Diagnostics& diags, const std::vector<dsl::SourceRange>& changed_at,
                 const std::vector<std::uint8_t>& bound_in_base) {
    const std::size_t n = plan.slots.size();
    out = Layout{};
    out.records = records;
    out.varied = varied_slots;
    std::vector<std::vector<std::uint32_t>> deps(n);
    for (std::uint32_t s = 0; s < n; ++s) deps[s] = depends_on(plan, s);
    // The definitions a varied value reaches.
    std::vector<std::uint8_t> reached = varied_slots;
    // Per reached slot, where a change it depends on comes from (when the caller says).
    std::vector<dsl::SourceRange> from(n);
    for (std::uint32_t s = 0; s < n && s < changed_at.size(); ++s)
        if (varied_slots[s]) from[s] = changed_at[s];
    for (bool more = true; more;) {
        more = false;
        for (std::uint32_t s = 0; s < n; ++s) {
            if (reached[s] || !any_in(deps[s], reached)) continue;
            reached[s] = more = true;
            for (auto d : deps[s])
                if (reached[d] && from[d].valid) {
                    from[s] = from[d];
                    break;
                }
        }
    }
    const std::size_t before = diags.error_count();
    // What the kernel does not compute but no run changes: read as a value computed once.
    std::vector<std::pair<std::uint32_t, bool>> frozen;   // node, once per record
    const std::vector<std::uint8_t>* changing = nullptr;   // (also changed: what pro rata scaling changes)
    const Freeze freeze = [&](std::uint32_t node, bool per_record) {
        std::vector<std::uint32_t> named;
        slots_named(plan, node, named);
        if (any_in(named, reached) || (changing && any_in(named, *changing))) return false;
        auto it = std::find_if(frozen.begin(), frozen.end(), [&](const auto& f) { return f.first == node; });
        if (it == frozen.end()) frozen.emplace_back(node, per_record);
        else it->second = it->second || per_record;
        return true;
    };
    auto changed_by = [&](std::uint32_t s) {
        if (from[s].valid) diags.note(from[s], "the change it depends on comes from here");
    };
    auto changed_by_any = [&](const std::vector<std::uint32_t>& named) {
        for (auto s : named)
            if (reached[s] && from[s].valid) return changed_by(s);
    };
    for (std::uint32_t s = 0; s < n; ++s) {
        if (!reached[s] || varied_slots[s]) continue;
        const Slot& slot = plan.slots[s];
        if (slot.scope != Scope::plan && slot.scope != Scope::director) {
            diags.error(slot.name_range, "`{}` belongs to another collection and depends on a value the run changes",
                        slot.name);
            changed_by(s);
            continue;
        }
        if (slot.kind == SlotKind::input || slot.kind == SlotKind::param) {
            diags.error(slot.name_range, "the {} `{}` depends on a value the run changes",
                        slot.kind == SlotKind::input ? "input" : "param", slot.name);
            changed_by(s);
            continue;
        }
        std::string why;
        if (auto bad = unsupported(plan, slot.checked != none ? slot.checked : slot.root, why, &freeze, slot.scope != Scope::plan);
            bad != none) {
            diags.error(plan.nodes[bad].range, "`{}` depends on a value the run changes and uses {}", slot.name, why);
            changed_by(s);
        }
    }

    // Pro rata limits: one the kernel checks (or the base inputs bind, or whose outputs it
    // computes) scales its outputs when exceeded, which changes them and what depends on
    // them whatever the varied values reach: all of that is then the kernel's, when it can
    // compute it — every definition, and every limit and requirement reading one — else
    // the limit is one it gives the run up on (and a plan whose base inputs bind it is
    // refused: the base's values of what its scaling changes are scaled ones).
    std::vector<std::vector<std::uint32_t>> dependents(n);
    for (std::uint32_t s = 0; s < n; ++s)
        for (auto d : deps[s]) dependents[d].push_back(s);
    std::vector<std::uint8_t> considered(plan.limits.size(), 0), scales(plan.limits.size(), 0);
    auto limit_named = [&](const Limit& l) {
        std::vector<std::uint32_t> named;
        slots_named(plan, l.value, named);
        slots_named(plan, l.bound, named);
        return named;
    };
    for (bool more = true; more;) {
        more = false;
        for (std::uint32_t i = 0; i < plan.limits.size(); ++i) {
            const Limit& l = plan.limits[i];
            if (!l.allocation || considered[i]) continue;
            const bool base = i < bound_in_base.size() && bound_in_base[i];
            if (!base && !any_in(limit_named(l), reached) && !any_in(l.allocation->outputs, reached)) continue;
            considered[i] = 1;
            more = true;
            // The outputs and what depends on them; of it, what the kernel does not yet compute.
            std::vector<std::uint8_t> changes(n, 0);
            std::vector<std::uint32_t> work(l.allocation->outputs.begin(), l.allocation->outputs.end());
            while (!work.empty()) {
                const std::uint32_t s = work.back();
                work.pop_back();
                if (changes[s]) continue;
                changes[s] = 1;
                for (auto t : dependents[s]) work.push_back(t);
            }
            std::vector<std::uint8_t> fresh(n, 0);
            for (std::uint32_t s = 0; s < n; ++s) fresh[s] = changes[s] && !reached[s];
            std::string why;
            bool can = true;
            dsl::SourceRange bad_at;
            auto refuse = [&](dsl::SourceRange at, std::string what) {
                if (!can) return;
                can = false;
                bad_at = at;
                why = std::move(what);
            };
            auto check_node = [&](std::uint32_t node, bool per_record) {
                std::string w;
                changing = &changes;
                if (auto b = unsupported(plan, node, w, &freeze, per_record); b != none)
                    refuse(plan.nodes[b].range, "changes a formula that uses " + w);
                changing = nullptr;
            };
            if (!small_constant(l.allocation->unit)) refuse(l.name_range, "rounds to a unit this large");
            for (std::uint32_t s = 0; s < n; ++s) {
                if (!fresh[s]) continue;
                const Slot& slot = plan.slots[s];
                if ((slot.scope != Scope::plan && slot.scope != Scope::director) ||
                    (slot.kind != SlotKind::value && slot.kind != SlotKind::output))
                    refuse(slot.name_range, fmt::format("changes `{}`, which only the interpreter computes", slot.name));
                else
                    check_node(slot.checked != none ? slot.checked : slot.root, slot.scope != Scope::plan);
            }
            check_node(l.value, false);
            check_node(l.bound, false);
            for (const auto& other : plan.limits)
                if (any_in(limit_named(other), fresh)) {
                    check_node(other.value, false);
                    check_node(other.bound, false);
                }
            for (const auto& req : plan.requirements) {
                std::vector<std::uint32_t> named;
                slots_named(plan, req.condition, named);
                for (const auto& m : req.message_slots) named.push_back(m.second);
                if (!any_in(named, fresh)) continue;
                if (req.scope != Scope::plan && req.scope != Scope::director)
                    refuse(req.name_range, fmt::format("changes what the requirement `{}` of another collection reads", req.name));
                else
                    check_node(req.condition, req.scope != Scope::plan);
            }
            for (const auto& carry : plan.carries) {
                if (!carried) break;
                if (any_in(carry_named(plan, carry), fresh)) refuse(carry.range, "changes what `carry` writes");
            }
            if (can) {
                scales[i] = 1;
                for (std::uint32_t s = 0; s < n; ++s) reached[s] = reached[s] || changes[s];
            } else if (base) {
                diags.error(l.name_range, "the base inputs bind the pro rata limit `{}`, and scaling its outputs {}", l.name, why);
                if (bad_at.begin != l.name_range.begin || bad_at.file != l.name_range.file) diags.note(bad_at, "here");
            }
        }
    }

    out.computed.assign(n, 0);
    for (std::uint32_t s = 0; s < n; ++s) out.computed[s] = reached[s] && !varied_slots[s];
    std::vector<std::uint32_t> checked_nodes;   // of the limits and requirements the kernel checks
    std::vector<std::uint8_t> checked_per_record;   // (a director's requirement: once per record)
    for (std::uint32_t i = 0; i < plan.limits.size(); ++i) {
        const Limit& limit = plan.limits[i];
        if (!scales[i] && !any_in(limit_named(limit), reached)) continue;
        out.limits.push_back(i);
        checked_nodes.push_back(limit.value);
        checked_nodes.push_back(limit.bound);
        checked_per_record.insert(checked_per_record.end(), {0, 0});
        std::uint32_t set = none;
        if (scales[i]) {
            const auto& outputs = limit.allocation->outputs;
            for (std::uint32_t k = 0; k < out.sets.size(); ++k)
                if (plan.limits[out.sets[k].limit].allocation->outputs == outputs) set = k;
            if (set == none) {
                // Scaled with the rounding of the plan's first limit allocating these outputs.
                std::uint32_t first = i;
                for (std::uint32_t j = 0; j < i; ++j)
                    if (plan.limits[j].allocation && plan.limits[j].allocation->outputs == outputs) {
                        first = j;
                        break;
                    }
                set = static_cast<std::uint32_t>(out.sets.size());
                out.sets.push_back({first, 0});
            }
        }
        out.limit_set.push_back(set);
    }
    for (std::uint32_t i = 0; i < plan.requirements.size(); ++i) {
        const Requirement& req = plan.requirements[i];
        std::vector<std::uint32_t> named;
        slots_named(plan, req.condition, named);
        for (const auto& m : req.message_slots) named.push_back(m.second);
        if (!any_in(named, reached)) continue;
        if (req.scope != Scope::plan && req.scope != Scope::director) {
            diags.error(req.name_range, "the requirement `{}` of another collection depends on a value the run changes",
                        req.name);
            changed_by_any(named);
            continue;
        }
        out.requirements.push_back(i);
        checked_nodes.push_back(req.condition);
        checked_per_record.push_back(req.scope != Scope::plan);
    }
    for (std::size_t k = 0; k < checked_nodes.size(); ++k) {
        const std::uint32_t node = checked_nodes[k];
        std::string why;
        if (auto bad = unsupported(plan, node, why, &freeze, checked_per_record[k]); bad != none) {
            diags.error(plan.nodes[bad].range, "a limit or requirement depends on a value the run changes and uses {}", why);
            std::vector<std::uint32_t> named;
            slots_named(plan, node, named);
            changed_by_any(named);
        }
    }
    for (const auto& carry : plan.carries) {
        if (!carried) break;
        const std::vector<std::uint32_t> named = carry_named(plan, carry);
        if (any_in(named, reached)) {
            diags.error(carry.range, "what `carry` writes depends on a value the run changes");
            changed_by_any(named);
        }
    }
    // (A part read as computed once that turned out to read what scaling changes.)
    for (const auto& [node, per_record] : frozen) {
        std::vector<std::uint32_t> named;
        slots_named(plan, node, named);
        if (!any_in(named, reached)) continue;
        diags.error(plan.nodes[node].range, "this depends on a value the run changes and uses what only the interpreter computes");
        changed_by_any(named);
    }
    if (diags.error_count() != before) return false;

    // The table: what the kernel reads and does not compute, then what it computes.
    std::vector<std::uint8_t> read(n, 0);
    for (std::uint32_t s = 0; s < n; ++s) {
        if (!out.computed[s]) continue;
        for (auto d : deps[s])
            if (!out.computed[d]) read[d] = 1;
    }
    for (std::uint32_t s = 0; s < n; ++s) read[s] = read[s] || varied_slots[s];
    out.offset.assign(n, none);
    auto place = [&](std::uint32_t s) {
        out.offset[s] = out.size;
        out.size += static_cast<std::uint32_t>(plan.slots[s].scope == Scope::plan ? 1 : records);
    };
    for (auto node : checked_nodes) {
        std::vector<std::uint32_t> named;
        slots_named(plan, node, named);
        for (auto d : named)
            if (!out.computed[d]) read[d] = 1;
    }
    for (std::uint32_t s = 0; s < n; ++s)
        // (A ledger entry's value is named only inside a part computed once.)
        if (read[s] && (plan.slots[s].scope == Scope::plan || plan.slots[s].scope == Scope::director)) place(s);
    // The answers to `present(x)` in the formulas the kernel computes.
    out.presence.assign(n, none);
    std::vector<std::uint32_t> asked;
    auto find_present = [&](auto&& self, std::uint32_t node) -> void {
        if (node == none) return;
        const Node& nd = plan.nodes[node];
        if (nd.kind == NodeKind::present) asked.push_back(nd.aux);
        for_each_child(plan, nd, [&](std::uint32_t child) { self(self, child); });
    };
    for (std::uint32_t s = 0; s < n; ++s)
        if (out.computed[s]) find_present(find_present, plan.slots[s].checked != none ? plan.slots[s].checked : plan.slots[s].root);
    for (auto node : checked_nodes) find_present(find_present, node);
    for (auto s : asked) {
        if (out.presence[s] != none) continue;
        out.presence[s] = out.size;
        out.size += static_cast<std::uint32_t>(plan.slots[s].scope == Scope::plan ? 1 : records);
    }
    // The parts computed once, one value per record where they are computed per record.
    for (const auto& [node, per_record] : frozen) {
        out.frozen.push_back(node);
        out.frozen_at.push_back(out.size);
        out.frozen_per_record.push_back(per_record ? 1 : 0);
        out.size += static_cast<std::uint32_t>(per_record ? records : 1);
    }
    out.trusted_at = out.size++;
    out.computed_begin = out.size;
    for (std::uint32_t s = 0; s < n; ++s)
        if (out.computed[s]) place(s);
    out.hoisted = hoistable(plan, out.computed, out.frozen);
    for (std::size_t k = 0; k < out.hoisted.size(); ++k) out.hoisted_at.push_back(out.size++);
    for (std::size_t k = 0; k < out.limits.size(); ++k) {
        out.limit_at.push_back(out.size);
        out.size += 3;
    }
    out.scaling_at = out.size++;
    for (auto& set : out.sets) set.at = out.size++;
    for (auto s : plan.plan_outputs)
        if (out.computed[s]) out.plan_outputs.push_back(s);
    for (auto s : plan.director_outputs)
        if (out.computed[s]) out.director_outputs.push_back(s);
    return true;
}

namespace {

/// Whether the formula at n uses an aggregate.
bool aggregates(const Plan& plan, std::uint32_t n) {
    if (n == none) return false;
    const Node& node = plan.nodes[n];
    if (node.kind == NodeKind::sum || node.kind == NodeKind::count || node.kind == NodeKind::min_over ||
        node.kind == NodeKind::max_over || node.kind == NodeKind::mean_over)
        return true;
    bool any = false;
    for_each_child(plan, node, [&](std::uint32_t child) { any = any || aggregates(plan, child); });
    return any;
}

/// The slots a formula names outside aggregates (`direct`) and inside them (`inside`).
void named_split(const Plan& plan, std::uint32_t n, bool in_aggregate, std::vector<std::uint32_t>& direct,
                 std::vector<std::uint32_t>& inside) {
    if (n == none) return;
    const Node& node = plan.nodes[n];
    if (node.kind == NodeKind::slot || node.kind == NodeKind::present) (in_aggregate ? inside : direct).push_back(node.aux);
    const bool agg = in_aggregate || traits(node.kind).aggregate;
    for_each_child(plan, node, [&](std::uint32_t child) { named_split(plan, child, agg, direct, inside); });
}

/// The entry's work as straight-line code: the definitions the outputs, limits and
/// requirements need, each once, in the order they depend on each other, as local
/// variables, each written to the table as computed when read there afterwards. Without aggregates: the plan-wide
/// definitions, then one loop over the records. With them: phases — plan-wide definitions,
/// a loop over the records, plan-wide definitions that total them, another loop reading
/// those… — the table's memo cleared first and every definition read there written to it, so that an
/// aggregate (a function) and a later phase read what an earlier one computed. Unlike the
/// functions, every needed definition is computed, also one an `if` would not reach: when
/// one gives the run up there, the entry runs the functions instead.
/// The requirements are checked there too, once what they read is computed (a director's
/// in the loop that computes it, a plan-wide one at the end): `required[k]` set for
/// Layout::requirements[k] when so; the code sets `held` when every one held (a run that
/// scales outputs pro rata checks again those reading what it changed, unless scaling keeps
/// their truth: then the first run's answer, in `held`, stands).
/// `again` (per slot: what a run's scaling changes) and `recomputed` (per slot: depends on
/// an allocated output): the code for the run again after scaling, the memo holding the
/// unscaled values of the first.
std::optional<std::string> local_entry(Writer& w, std::vector<std::uint32_t>& unchecked, std::vector<std::uint8_t>& required,
                                       const std::vector<std::uint8_t>* again = nullptr,
                                       const std::vector<std::uint8_t>* recomputed = nullptr,
                                       const std::vector<std::uint8_t>* read_again = nullptr,
                                       const std::vector<std::vector<std::uint32_t>>* ups = nullptr) {
    const Plan& plan = w.plan;
    const Layout& layout = w.layout;
    const std::size_t n = plan.slots.size();
    auto root_of = [&](std::uint32_t s) { return plan.slots[s].checked != none ? plan.slots[s].checked : plan.slots[s].root; };
    std::vector<std::uint32_t> roots(layout.plan_outputs.begin(), layout.plan_outputs.end());
    roots.insert(roots.end(), layout.director_outputs.begin(), layout.director_outputs.end());
    roots.insert(roots.end(), layout.wanted.begin(), layout.wanted.end());
    auto named_in = [&](std::uint32_t node) {
        std::vector<std::uint32_t> named;
        slots_named(plan, node, named);
        for (auto s : named)
            if (layout.computed[s]) roots.push_back(s);
    };
    for (auto i : layout.limits) {
        named_in(plan.limits[i].value);
        named_in(plan.limits[i].bound);
    }
    for (auto i : layout.requirements) named_in(plan.requirements[i].condition);
    // Depth first from the roots: each definition after those it reads.
    std::vector<std::uint8_t> state(n, 0);   // 1: on the way, 2: placed
    std::vector<std::uint32_t> order;
    bool phased = false;
    auto visit = [&](auto&& self, std::uint32_t s) -> void {
        if (state[s] != 0) return;
        state[s] = 1;
        phased = phased || aggregates(plan, root_of(s));
        for (auto d : depends_on(plan, s))
            if (layout.computed[d]) self(self, d);
        state[s] = 2;
        order.push_back(s);
    };
    for (auto s : roots) visit(visit, s);
    // Each definition's phase: even for plan-wide ones, odd for a loop over the records;
    // after what it reads (a record's definition read through an aggregate: after the
    // loop that computes it).
    std::vector<int> phase(n, 0);
    int last = 0;
    for (auto s : order) {
        const bool per_record = plan.slots[s].scope != Scope::plan;
        int p = per_record ? 1 : 0;
        std::vector<std::uint32_t> direct, inside;
        named_split(plan, root_of(s), false, direct, inside);
        for (auto d : direct)
            if (layout.computed[d]) p = std::max(p, phase[d] + (per_record && plan.slots[d].scope == Scope::plan ? 1 : 0));
        for (auto d : inside)
            if (layout.computed[d]) p = std::max(p, phase[d] + (plan.slots[d].scope == Scope::plan && !per_record ? 0 : 1));
        if ((p % 2 == 1) != per_record) ++p;
        phase[s] = p;
        last = std::max(last, p);
    }
    if (!phased) {   // (one plan-wide phase and one loop)
        for (auto s : order) phase[s] = plan.slots[s].scope == Scope::plan ? 0 : 1;
        last = 1;
    }

    // What is read afterwards through the table, written to it: the outputs; what the
    // limits and requirements read (their functions run after this code); the terms and
    // filters of aggregates and what hoisted parts read (functions reading the memo, here
    // or when a sum overflows); a record's definition a later loop reads (through its
    // function); what the code run again after scaling reads back (`read_again`). Any
    // other definition a function reads is one it computes itself: every function that
    // may run after this code reads only those (or runs after the memo is cleared).
    std::vector<std::uint8_t> kept(n, 0);
    auto keep_named = [&](std::uint32_t node) {
        std::vector<std::uint32_t> named;
        slots_named(plan, node, named);
        for (auto s : named)
            if (s < n && layout.computed[s]) kept[s] = 1;
    };
    for (auto i : layout.limits) {
        keep_named(plan.limits[i].value);
        keep_named(plan.limits[i].bound);
    }
    for (auto i : layout.requirements) keep_named(plan.requirements[i].condition);
    auto keep_read_by_functions = [&](auto&& self, std::uint32_t node) -> void {
        if (node == none) return;
        const Node& nd = plan.nodes[node];
        if (traits(nd.kind).aggregate || w.hoist_index[node] != none) {
            keep_named(node);
            return;
        }
        for_each_child(plan, nd, [&](std::uint32_t child) { self(self, child); });
    };
    for (auto s : order) {
        keep_read_by_functions(keep_read_by_functions, root_of(s));
        if (plan.slots[s].scope == Scope::plan) continue;
        std::vector<std::uint32_t> direct, inside;
        named_split(plan, root_of(s), false, direct, inside);
        for (auto d : direct)
            if (d < n && layout.computed[d] && plan.slots[d].scope != Scope::plan && phase[d] != phase[s]) kept[d] = 1;
    }
    if (read_again)
        for (std::uint32_t s = 0; s < n; ++s) kept[s] = kept[s] | (*read_again)[s];
    for (auto s : layout.plan_outputs) kept[s] = 1;
    for (auto s : layout.director_outputs) kept[s] = 1;
    for (auto s : layout.wanted) kept[s] = 1;
    w.local = true;
    // (What this code reads, noted as it is written: not what an earlier one read.)
    std::fill(w.read_whole.begin(), w.read_whole.end(), 0);
    std::fill(w.read_parts.begin(), w.read_parts.end(), 0);
    std::fill(w.read_word.begin(), w.read_word.end(), 0);
    w.hoist_local = phased && layout.records > 1;
    std::fill(w.local_here.begin(), w.local_here.end(), 0);
    std::fill(w.hoist_read.begin(), w.hoist_read.end(), 0);
    // After scaling: `var` (output s's value, whole or a Q) scaled by the factor of the first
    // set scaling it that has one — read once into locals (fN_: the factor at N, fNk_: there
    // is one, fNw_: its parts fit 64 bits, fNn_ and fNd_ those parts, else 0) — on 64-bit
    // parts (iscalef(), qscale()), else as the function scN does.
    std::vector<std::uint8_t> factor_read(layout.size, 0);
    auto scale_code = [&](std::uint32_t s, const std::string& var, bool number, const char* indent) {
        std::string c;
        for (auto k : w.scaled_by[s]) {
            const Allocation& a = *plan.limits[layout.sets[k].limit].allocation;
            const auto unit = *small_constant(a.unit);
            const int mode = static_cast<int>(a.mode);
            const std::uint32_t at = layout.sets[k].at;
            factor_read[at] = 1;
            c += fmt::format("{}{}if (f{}k_) ", indent, c.empty() ? "" : "else ", at);
            // (A number that is whole, rounded to a whole unit: as a whole one.)
            if (number && unit.second == 1)
                c += fmt::format("{0} = (({0}.d == 1) & f64({0}.n)) ? Q{{iscalef((long long){0}.n, f{1}n_, f{1}d_, f{1}_, "
                                 "{2}LL, {3}), 1}} : sc{4}(t, {0});\n",
                                 var, at, unit.first, mode, s);
            else if (number)
                c += fmt::format("{0} = (f{1}w_ & f64({0}.n) & f64({0}.d)) ? qscale((long long){0}.n, (long long){0}.d, "
                                 "f{1}n_, f{1}d_, {2}LL, {3}LL, {4}) : sc{5}(t, {0});\n",
                                 var, at, unit.first, unit.second, mode, s);
            else
                c += fmt::format("{0} = iscalef({0}, f{1}n_, f{1}d_, f{1}_, {2}LL, {3});\n", var, at, unit.first, mode);
        }
        return c;
    };
    auto define = [&](std::uint32_t s, const char* indent, const char* rec) {
        const Slot& slot = plan.slots[s];
        const std::uint32_t root = root_of(s);
        std::string c = fmt::format("{}// {}\n", indent, slot.name);
        // After scaling (`again`): what scaling does not change read from the memo; an
        // allocated output that depends on no other one scaled in place; the others computed
        // again from the scaled values, an allocated one then scaled (as the functions do).
        const bool scaled = again && !w.scaled_by[s].empty();
        const bool whole = slot.type.kind != Kind::number || w.slot_whole(s);
        const std::string at = fmt::format("t[{} + {}]", layout.offset[s], rec);
        if (again && (!(*again)[s] || (scaled && !(*recomputed)[s]))) {
            // (Zero, scaled by any factor and rounded to any unit, is zero: left as it is.)
            const std::string in = std::string(indent) + "  ";
            if (scaled && whole && slot.type.kind == Kind::number && !w.slot_whole_everywhere(s)) {
                // (A number whole once scaled: read as the first run left it, scaled, and
                // written back whole — a value past 64 bits gives this code up.)
                const std::string in2 = in + "  ";
                c += fmt::format("{0}long long w{1}_ = 0;\n{0}{{\n{0}  Q x = {2};\n{0}  if ((x.n != 0) | (x.d != 1)) {{\n{3}"
                                 "{0}    w{1}_ = qwhole(x);\n{0}    {2} = Q{{w{1}_, 1}};\n{0}  }}\n{0}}}\n",
                                 indent, s, at, scale_code(s, "x", true, in2.c_str()));
            } else if (whole) {
                // (Scaled in place: only the numerator written back, the first run having
                // written the whole number with its denominator, 1.)
                c += scaled ? fmt::format("{0}long long w{1}_ = (long long){2}.n;\n{0}if (w{1}_ != 0) {{\n{3}{0}  {2}.n = w{1}_;\n{0}}}\n",
                                          indent, s, at, scale_code(s, fmt::format("w{}_", s), false, in.c_str()))
                            : fmt::format("{}const long long w{}_ = (long long){}.n;\n", indent, s, at);
            } else {
                c += fmt::format("{0}S s{1}_;\n{0}bool b{1}_;\n{0}Q v{1}_;\n{0}{{\n{0}  {5}Q x = {2};\n{4}"
                                 "{0}  b{1}_ = !(f64(x.n) & f64(x.d));\n{0}  if (b{1}_) v{1}_ = x;\n"
                                 "{0}  else s{1}_ = S{{(long long)x.n, (long long)x.d}};\n{3}{0}}}\n",
                                 indent, s, at, scaled ? fmt::format("{}  {} = x;\n", indent, at) : "",
                                 scaled ? scale_code(s, "x", true, in.c_str()) : "", scaled ? "" : "const ");
            }
        } else if (whole) {
            c += fmt::format("{}{}long long w{}_ = {};\n", indent, scaled ? "" : "const ", s,
                             slot.type.kind == Kind::number ? w.iexpr(root) : w.expr(root));
            if (scaled) c += scale_code(s, fmt::format("w{}_", s), false, indent);
            if (kept[s]) c += fmt::format("{}{} = Q{{w{}_, 1}};\n", indent, at, s);
        } else {
            // The value on Q only when its 64-bit parts overflowed. (A plan-wide one, computed
            // once and read by every record, in lowest terms — when there is more than one
            // record to read it: a run of a single record reads it once.)
            c += fmt::format("{0}S s{1}_;\n{0}bool b{1}_;\n{0}Q v{1}_;\n{0}{{\n{0}  bool o = false;\n{0}  s{1}_ = {2};\n"
                             "{0}  b{1}_ = o;\n{0}  if (o) v{1}_ = {3};\n{4}{0}}}\n",
                             indent, s, w.sexpr(root), w.expr(root),
                             slot.scope == Scope::plan && layout.records > 1
                                 ? fmt::format("{0}  else s{1}_ = sred(s{1}_);\n", indent, s)
                                 : "");
            if (scaled) {
                const std::string in = std::string(indent) + "  ";
                c += fmt::format("{0}{{\n{0}  Q x = qv(s{1}_, b{1}_, v{1}_);\n{2}"
                                 "{0}  b{1}_ = !(f64(x.n) & f64(x.d));\n{0}  if (b{1}_) v{1}_ = x;\n"
                                 "{0}  else s{1}_ = S{{(long long)x.n, (long long)x.d}};\n{0}}}\n",
                                 indent, s, scale_code(s, "x", true, in.c_str()));
            }
            if (kept[s]) c += fmt::format("{0}{1} = qv(s{2}_, b{2}_, v{2}_);\n", indent, at, s);
        }
        w.local_here[s] = 1;
        return c;
    };
    // The inputs and params the code reads, of one scope, each read once: a whole number
    // unchecked (the host has checked every one: the word at trusted_at).
    auto reads = [&](bool plan_wide, const char* indent, const char* rec) {
        std::string c;
        for (std::uint32_t s = 0; s < n; ++s) {
            if ((plan.slots[s].scope == Scope::plan) != plan_wide) continue;
            if (w.read_whole[s]) {
                c += fmt::format("{}const long long i{}_ = (long long)t[{} + {}].n;\n", indent, s, layout.offset[s], rec);
                const std::size_t count = plan_wide ? 1 : layout.records;
                for (std::size_t r = 0; r < count; ++r) unchecked.push_back(layout.offset[s] + static_cast<std::uint32_t>(r));
            }
            if (w.read_word[s]) c += fmt::format("{}const Q u{}_ = t[{} + {}];\n", indent, s, layout.offset[s], rec);
            if (w.read_parts[s])
                c += fmt::format("{0}bool o{1}_ = false;\n{0}const S p{1}_ = snum(t, {2} + {3}, o{1}_);\n", indent, s,
                                 layout.offset[s], rec);
        }
        return c;
    };
    // The sums, counts and means over the records that a plan-wide definition of phase p
    // reads (not inside another aggregate): summed in the loop of phase p - 1 when
    // everything their terms and filter read is computed by then, or, when they read no
    // computed definition, in a loop before the first phase; on 64-bit parts (the
    // aggregate's function computes one whose parts overflow).
    std::vector<std::vector<std::uint32_t>> summed(last + 1);
    std::vector<std::uint32_t> early;
    auto find_sums = [&](auto&& self, std::uint32_t node, int p) -> void {
        if (node == none) return;
        const Node& nd = plan.nodes[node];
        if (w.frozen_index[node] != none) return;
        if (traits(nd.kind).aggregate) {
            const bool kind_ok = nd.kind == NodeKind::sum || nd.kind == NodeKind::count || nd.kind == NodeKind::mean_over;
            if (!kind_ok || nd.aux != 0 || w.hoist_index[node] != none) return;
            std::vector<std::uint32_t> named;
            slots_named(plan, node, named);
            const bool reads_computed = any_in(named, layout.computed);
            if (reads_computed && p < 1) return;
            for (auto d : named)
                if (layout.computed[d] && phase[d] > p - 1) return;   // (a plan-wide one: phase p - 2 at most)
            auto& list = reads_computed ? summed[p - 1] : early;
            if (std::find(list.begin(), list.end(), node) == list.end()) list.push_back(node);
            return;
        }
        for_each_child(plan, nd, [&](std::uint32_t child) { self(self, child, p); });
    };
    if (phased)
        for (auto s : order)
            if (plan.slots[s].scope == Scope::plan) find_sums(find_sums, root_of(s), phase[s]);
    // Each requirement's place: the loop (or, plan-wide, the end) after what it reads.
    required.assign(layout.requirements.size(), 0);
    std::vector<int> requirement_phase;
    for (auto i : layout.requirements) {
        const Requirement& req = plan.requirements[i];
        std::vector<std::uint32_t> named;
        slots_named(plan, req.condition, named);
        int p = 1;
        for (auto d : named)
            if (layout.computed[d]) p = std::max(p, phase[d] + (plan.slots[d].scope == Scope::plan ? 1 : 0));
        if (p % 2 == 0) ++p;
        requirement_phase.push_back(req.scope == Scope::plan ? last + 1 : p);
    }
    // The accumulators of `list` (declared in `before`) and their sums in a loop (`each`).
    auto sums = [&](const std::vector<std::uint32_t>& list, std::string& before, std::string& each) {
        for (auto a : list) {
            const Node& nd = plan.nodes[a];
            const bool mean = nd.kind == NodeKind::mean_over;
            before += fmt::format("    S a{0}_{{0, 1}};\n    bool ao{0}_ = false;\n{1}", a, mean ? fmt::format("    long long an{}_ = 0;\n", a) : "");
            std::string add = fmt::format("{{ bool o = ao{0}_; a{0}_ = sadd(a{0}_, {1}, o); ao{0}_ = o;{2} }}", a,
                                          nd.kind == NodeKind::count ? "S{1, 1}" : w.sexpr(nd.a), mean ? fmt::format(" ++an{}_;", a) : "");
            each += nd.b != none ? fmt::format("      if ({}) {}\n", w.expr(nd.b), add) : fmt::format("      {}\n", add);
        }
    };
    // After scaling, a requirement whose truth scaling keeps is not checked again: the code
    // starts from `held` as the first run left it (which saw it hold, or else is false). Kept:
    // a condition reading nothing scaling changes; an `and` or `or` of kept ones; an
    // allocated output scaled in place (from the memo) equal to zero — zero scaled is zero,
    // whatever the factor and the rounding.
    auto keeps_truth = [&](auto&& self, std::uint32_t node) -> bool {
        if (!again || node == none) return false;
        std::vector<std::uint32_t> named;
        slots_named(plan, node, named);
        if (std::none_of(named.begin(), named.end(), [&](std::uint32_t s) { return s < n && (*again)[s]; })) return true;
        const Node& nd = plan.nodes[node];
        if (nd.kind == NodeKind::and_ || nd.kind == NodeKind::or_) return self(self, nd.a) && self(self, nd.b);
        if (nd.kind != NodeKind::eq || nd.a == none || nd.b == none) return false;
        auto zero = [&](std::uint32_t x) {
            const Node& c = plan.nodes[x];
            if (c.kind != NodeKind::constant || c.type.kind != Kind::number) return false;
            const auto v = small_constant(plan.constants[c.aux].number);
            return v && v->first == 0;
        };
        auto in_place = [&](std::uint32_t x) {
            const Node& c = plan.nodes[x];
            if (c.kind != NodeKind::slot || c.aux >= n) return false;
            const std::uint32_t s = c.aux;
            return layout.computed[s] && !w.scaled_by[s].empty() && !(*recomputed)[s] &&
                   plan.slots[s].type.kind == Kind::number;
        };
        return (zero(nd.a) && in_place(nd.b)) || (zero(nd.b) && in_place(nd.a));
    };
    // After scaling, a record whose scaled outputs of loop p are all zero — zero scaled is zero,
    // whatever the factor and the rounding — has every definition of that loop as the first
    // run left it in the memo, when each one computed again reads only those outputs of its
    // own record (no plan-wide value and nothing of an earlier loop that scaling changes).
    // When its terms of the loop's sums are zero too (a sum of a definition the memo keeps,
    // with no filter), the record adds nothing to them: it is passed over. Empty when the
    // loop cannot pass records over.
    auto unchanged_record = [&](int p) -> std::string {
        if (!ups) return {};
        std::vector<std::uint32_t> zeros;   // the loop's scaled outputs, then the sums' terms
        for (auto s : order)
            if (phase[s] == p && plan.slots[s].scope != Scope::plan && !w.scaled_by[s].empty()) {
                if (!kept[s]) return {};
                zeros.push_back(s);
            }
        if (zeros.empty()) return {};
        for (auto s : order) {
            if (phase[s] != p || plan.slots[s].scope == Scope::plan || !(*again)[s]) continue;
            for (auto u : (*ups)[s])
                if (std::find(zeros.begin(), zeros.end(), u) == zeros.end()) return {};
        }
        for (auto a : summed[p]) {
            const Node& nd = plan.nodes[a];
            if (nd.kind != NodeKind::sum || nd.b != none) return {};
            const Node& x = plan.nodes[nd.a];
            if (x.kind != NodeKind::slot || x.aux >= n || !layout.computed[x.aux] || !kept[x.aux] ||
                plan.slots[x.aux].scope == Scope::plan)
                return {};
            if (std::find(zeros.begin(), zeros.end(), x.aux) == zeros.end()) zeros.push_back(x.aux);
        }
        std::string zero;
        for (auto s : zeros) zero += fmt::format("{}t[{} + r].n == 0", zero.empty() ? "" : " && ", layout.offset[s]);
        return fmt::format("      if ({}) continue;\n", zero);
    };
    bool carried = false;   // a requirement not checked again: held_ from `held`
    std::string code = "    bool held_ = true;\n";
    if (!early.empty()) {
        std::string before, each;
        w.in_loop = true;
        sums(early, before, each);
        w.in_loop = false;
        before = std::exchange(w.loop_decls, {}) + before;
        code += fmt::format("{}    for (long r = 0; r < {}; ++r) {{\n{}{}    }}\n", before, layout.records, reads(false, "      ", "r"), each);
        for (auto a : early) w.accumulated[a] = 1;
    }
    for (int p = 0; p <= last; ++p) {
        if (p % 2 == 0) {
            for (auto s : order)
                if (phase[s] == p && plan.slots[s].scope == Scope::plan) code += define(s, "    ", "0");
            continue;
        }
        // A loop over the records, reading its own inputs (a record's definitions of an
        // earlier loop through their functions, from the memo).
        for (std::uint32_t s = 0; s < n; ++s)
            if (plan.slots[s].scope != Scope::plan) w.read_whole[s] = w.read_parts[s] = w.read_word[s] = 0;
        std::string each;
        w.in_loop = true;
        for (auto s : order)
            if (phase[s] == p && plan.slots[s].scope != Scope::plan) each += define(s, "      ", "r");
        bool checked_here = false;
        for (std::size_t k = 0; k < layout.requirements.size(); ++k) {
            const Requirement& req = plan.requirements[layout.requirements[k]];
            if (req.scope == Scope::plan || requirement_phase[k] != p) continue;
            if (keeps_truth(keeps_truth, req.condition)) {
                carried = true;
                required[k] = 1;
                continue;
            }
            each += fmt::format("      if (!{}) held_ = false;\n", w.expr(req.condition));
            checked_here = true;
            required[k] = 1;
        }
        std::string before;
        sums(summed[p], before, each);
        w.in_loop = false;
        before = std::exchange(w.loop_decls, {}) + before;
        const std::string skip = again && !checked_here ? unchanged_record(p) : std::string();
        if (!each.empty())
            code += fmt::format("{}    for (long r = 0; r < {}; ++r) {{\n{}{}{}    }}\n", before, layout.records, skip,
                                reads(false, "      ", "r"), each);
        for (auto a : summed[p]) w.accumulated[a] = 1;
        for (auto s : order)
            if (plan.slots[s].scope != Scope::plan) w.local_here[s] = 0;
    }
    for (std::size_t k = 0; k < layout.requirements.size(); ++k) {
        const Requirement& req = plan.requirements[layout.requirements[k]];
        if (req.scope != Scope::plan) continue;
        required[k] = 1;
        if (keeps_truth(keeps_truth, req.condition)) {
            carried = true;
            continue;
        }
        code += fmt::format("    if (!{}) held_ = false;\n", w.expr(req.condition));
    }
    if (carried) code.replace(0, std::string_view("    bool held_ = true;").size(), "    bool held_ = held;");
    code += "    held = held_;\n";
    std::fill(w.accumulated.begin(), w.accumulated.end(), 0);
    w.local = false;
    w.hoist_local = false;
    // The hoisted parts read on 64-bit parts: each from its function once, on first use.
    std::string hoist_reads;
    for (std::size_t k = 0; k < layout.hoisted.size(); ++k) {
        if (!w.hoist_read[k]) continue;
        w.hoist_read[k] = 0;
        hoist_reads += fmt::format(
            "    S hs{0}_{{0, 1}};\n    bool hb{0}_ = false;\n    bool hk{0}_ = false;\n"
            "    auto hl{0} = [&](bool& o) -> S {{\n      if (!hk{0}_) {{\n        hk{0}_ = true;\n        const Q x = h{0}(t);\n"
            "        hb{0}_ = !(f64(x.n) & f64(x.d));\n        hs{0}_ = S{{(long long)x.n, (long long)x.d}};\n      }}\n"
            "      o |= hb{0}_;\n      return hs{0}_;\n    }};\n",
            layout.hoisted[k]);
    }
    std::string factors;
    for (std::uint32_t at = 0; at < layout.size; ++at)
        if (factor_read[at])
            factors += fmt::format("    const Q f{0}_ = t[{0}];\n    const bool f{0}k_ = f{0}_.d > 0, f{0}w_ = f64(f{0}_.n) & f64(f{0}_.d);\n"
                                   "    const long long f{0}n_ = f{0}w_ ? (long long)f{0}_.n : 0, f{0}d_ = f{0}w_ ? (long long)f{0}_.d : 0;\n",
                                   at);
    code = reads(true, "    ", "0") + factors + hoist_reads + code;
    if (phased) {
        // The memo cleared where this code does not write before reading: every definition
        // it computes is written as computed, so only the hoisted parts (functions computed
        // on first use) and what it does not compute.
        std::vector<std::uint8_t> placed(n, 0);
        for (auto s : order) placed[s] = 1;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> clear;   // [begin, end)
        auto add = [&](std::uint32_t b, std::uint32_t e) {
            if (!clear.empty() && clear.back().second == b) clear.back().second = e;
            else clear.emplace_back(b, e);
        };
        std::vector<std::pair<std::uint32_t, std::uint32_t>> all;
        for (std::uint32_t s = 0; s < n; ++s)
            if (layout.computed[s] && !placed[s])
                all.emplace_back(layout.offset[s], layout.offset[s] + (plan.slots[s].scope == Scope::plan ? 1 : layout.records));
        for (auto at : layout.hoisted_at) all.emplace_back(at, at + 1);
        std::sort(all.begin(), all.end());
        for (auto [b, e] : all) add(b, e);
        std::string c;
        for (auto [b, e] : clear)
            c += e == b + 1 ? fmt::format("    t[{}].d = 0;\n", b) : fmt::format("    for (long k = {}; k < {}; ++k) t[k].d = 0;\n", b, e);
        code = c + code;
    }
    if (!unchecked.empty()) code = fmt::format("    if (t[{}].n == 0) bail();\n", layout.trusted_at) + code;
    return code;
}

}  // namespace

std::string kernel_source(const Plan& plan, const Layout& layout, std::vector<std::uint32_t>& unchecked) {
    unchecked.clear();
    Writer w{plan, layout, {}, std::vector<std::string>(plan.tables.size()), std::vector<std::string>(plan.tables.size()), {}, {}};
    const std::size_t n = plan.slots.size();
    // The outputs scaled pro rata: each by the sets holding it, their first limits in order.
    std::vector<std::uint32_t> by_first(layout.sets.size());
    std::iota(by_first.begin(), by_first.end(), 0u);
    std::sort(by_first.begin(), by_first.end(),
              [&](std::uint32_t a, std::uint32_t b) { return layout.sets[a].limit < layout.sets[b].limit; });
    for (auto k : by_first)
        for (auto s : plan.limits[layout.sets[k].limit].allocation->outputs) w.scaled_by[s].push_back(k);
    const std::string scaling = fmt::format("t[{}].n", layout.scaling_at);
    std::string decls, bodies;
    for (std::uint32_t s = 0; s < n; ++s) {
        if (!layout.computed[s]) continue;
        const Slot& slot = plan.slots[s];
        const bool number = slot.type.kind == Kind::number && !w.slot_whole(s);
        const std::string t = number ? "Q" : "long long";
        decls += fmt::format("static {} s{}(Q* t, long r);\n", t, s);
        const std::uint32_t root = slot.checked != none ? slot.checked : slot.root;
        const std::string e = number || slot.type.kind != Kind::number ? w.expr(root) : w.iexpr(root);
        // A scaled output, computed after scaling, is scaled (as the interpreter's ensure()).
        std::string scale;
        if (!w.scaled_by[s].empty()) {
            scale = fmt::format("  if ({}) x = sc{}(t, x);\n", scaling, s);
            std::string f = fmt::format("// {} scaled pro rata\nstatic {} sc{}(Q* t, {} x) {{\n", slot.name, t, s, t);
            for (auto k : w.scaled_by[s]) {
                const Allocation& a = *plan.limits[layout.sets[k].limit].allocation;
                const auto unit = *small_constant(a.unit);
                const int mode = static_cast<int>(a.mode);
                // (On 64-bit parts, the factor's and the value's, one 128-bit product and one
                // division: qscale(), iscale().)
                if (number)
                    f += fmt::format("  if (t[{0}].d > 0) {{\n    const Q f = t[{0}];\n"
                                     "    if (f64(f.n) & f64(f.d) & f64(x.n) & f64(x.d)) return qscale((long long)x.n, "
                                     "(long long)x.d, (long long)f.n, (long long)f.d, {1}LL, {2}LL, {3});\n"
                                     "    return round_to(mul(x, f), Q{{{1}LL, {2}LL}}, {3});\n  }}\n",
                                     layout.sets[k].at, unit.first, unit.second, mode);
                else
                    f += fmt::format("  if (t[{0}].d > 0) {{\n    const Q f = t[{0}];\n"
                                     "    if (f64(f.n) & f64(f.d)) return iscale(x, (long long)f.n, (long long)f.d, {1}LL, {2});\n"
                                     "    return iround(mul(Q{{x, 1}}, f), {1}LL, {2});\n  }}\n",
                                     layout.sets[k].at, unit.first, mode);
            }
            f += "  return x;\n}\n";
            decls += f;
        }
        if (number) {
            bodies += fmt::format(
                "// {}\nstatic Q s{}(Q* t, long r) {{\n  Q* m = t + {} + r;\n  if (m->d > 0) return *m;\n"
                "  bool o = false;\n  S y = {};\n  Q x = !o ? Q{{y.n, y.d}} : {};\n{}  *m = x;\n  return x;\n}}\n",
                slot.name, s, layout.offset[s], w.sexpr(root), e, scale);
            continue;
        }
        bodies += fmt::format(
            "// {}\nstatic {} s{}(Q* t, long r) {{\n  Q* m = t + {} + r;\n  if (m->d > 0) return {};\n"
            "  {} x = {};\n{}  *m = {};\n  return x;\n}}\n",
            slot.name, t, s, layout.offset[s], number ? "*m" : "(long long)m->n", t, e, scale, number ? "x" : "Q{x, 1}");
    }
    // Per computed slot: the scaled outputs it depends on (through the kernel's definitions).
    std::vector<std::vector<std::uint32_t>> ups(n);
    std::vector<std::uint8_t> known(n, 0);
    auto find_ups = [&](auto&& self, std::uint32_t s) -> const std::vector<std::uint32_t>& {
        if (known[s]) return ups[s];
        known[s] = 1;
        std::vector<std::uint32_t> found;
        for (auto d : depends_on(plan, s)) {
            if (!layout.computed[d] || d == s) continue;
            if (!w.scaled_by[d].empty()) found.push_back(d);
            const auto& more = self(self, d);
            found.insert(found.end(), more.begin(), more.end());
        }
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
        ups[s] = std::move(found);
        return ups[s];
    };
    std::vector<std::uint8_t> affected(n, 0);   // changed by some scaling
    for (std::uint32_t s = 0; s < n; ++s)
        if (layout.computed[s]) affected[s] = !find_ups(find_ups, s).empty() || !w.scaled_by[s].empty();
    // Whether a run's factors change any of `slots`: one of the sets scaling them (or what
    // they depend on) has a factor.
    auto changed = [&](const std::vector<std::uint32_t>& slots) {
        std::vector<std::uint32_t> sets;
        for (auto s : slots) {
            if (s >= n || !layout.computed[s]) continue;
            std::vector<std::uint32_t> from = ups[s];
            from.push_back(s);
            for (auto c : from) sets.insert(sets.end(), w.scaled_by[c].begin(), w.scaled_by[c].end());
        }
        std::sort(sets.begin(), sets.end());
        sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
        std::string c;
        for (auto k : sets) c += fmt::format("{}t[{}].d > 0", c.empty() ? "" : " || ", layout.sets[k].at);
        return c;
    };
    // The outputs as functions computed on first use, every definition afresh (the table's
    // memo of the last run cleared); `only`: those the run's factors changed, after scaling.
    // (With the further definitions the host reads.)
    std::vector<std::uint32_t> plan_read(layout.plan_outputs.begin(), layout.plan_outputs.end());
    std::vector<std::uint32_t> director_read(layout.director_outputs.begin(), layout.director_outputs.end());
    for (auto s : layout.wanted) (plan.slots[s].scope == Scope::plan ? plan_read : director_read).push_back(s);
    auto calls = [&](bool only) {
        std::string c, each;
        for (auto s : plan_read) {
            if (!only) c += fmt::format("    s{}(t, 0);\n", s);
            else if (affected[s]) c += fmt::format("      if ({}) s{}(t, 0);\n", changed({s}), s);
        }
        for (auto s : director_read) {
            if (!only) each += fmt::format("      s{}(t, r);\n", s);
            else if (affected[s])
                c += fmt::format("      if ({}) {{\n        for (long r = 0; r < {}; ++r) s{}(t, r);\n      }}\n", changed({s}),
                                 layout.records, s);
        }
        if (!each.empty()) c += fmt::format("    for (long r = 0; r < {}; ++r) {{\n{}    }}\n", layout.records, each);
        return c;
    };
    const std::uint32_t end = layout.limit_at.empty() ? layout.size : layout.limit_at.front();
    std::string lazy = fmt::format("    for (long k = {}; k < {}; ++k) t[k].d = 0;\n", layout.computed_begin, end) + calls(false);
    // Each run starts unscaled.
    std::string entry = "extern \"C\" int hoshu_kernel_v1(Q* t) {\n";
    if (!layout.sets.empty()) {
        entry += fmt::format("  {} = 0;\n", scaling);
        for (const auto& set : layout.sets) entry += fmt::format("  t[{}].d = 0;\n", set.at);
        for (std::size_t k = 0; k < layout.limits.size(); ++k)
            if (layout.limit_set[k] != none) entry += fmt::format("  t[{}].d = 0;\n", layout.limit_at[k] + 2);
    }
    entry += "  try {\n";
    std::vector<std::uint8_t> required(layout.requirements.size(), 0);   // checked by the straight-line code
    entry += "    bool held = false;\n";
    std::string straight_fn;   // the straight-line code as a function of its own (run again after scaling)
    // What the straight-line code run again after scaling reads back from the table: an
    // allocated output it scales in place, and what it does not compute again (scaling
    // changes none of it) that a definition it computes again reads.
    std::vector<std::uint8_t> read_again(n, 0);
    if (!layout.sets.empty()) {
        auto from_memo = [&](std::uint32_t s) { return !affected[s] || (!w.scaled_by[s].empty() && ups[s].empty()); };
        for (std::uint32_t s = 0; s < n; ++s) {
            if (!layout.computed[s]) continue;
            if (from_memo(s)) {
                if (!w.scaled_by[s].empty()) read_again[s] = 1;
                continue;
            }
            std::vector<std::uint32_t> named;
            const std::uint32_t root = plan.slots[s].checked != none ? plan.slots[s].checked : plan.slots[s].root;
            slots_named(plan, root, named);
            for (auto d : named)
                if (d < n && layout.computed[d] && from_memo(d)) read_again[d] = 1;
        }
    }
    if (auto straight = local_entry(w, unchecked, required, nullptr, nullptr, layout.sets.empty() ? nullptr : &read_again)) {
        // Straight-line code computes a definition an `if` would not reach too: when that
        // gives the run up, the functions, which compute only what is reached, try again.
        straight_fn = "static void straight(Q* t, bool& held) {\n" + *straight + "}\n";
        if (!layout.sets.empty()) {
            std::vector<std::uint8_t> recomputed(n, 0), again_required;
            for (std::uint32_t s = 0; s < n; ++s) recomputed[s] = !ups[s].empty();
            // Whole there: an allocated output scaled in place that every set with a factor
            // scales (the code runs only after some limit's factor is found), each rounding
            // it to a whole unit.
            std::vector<std::uint8_t> whole_scaled(n, 0);
            for (std::uint32_t s = 0; s < n; ++s) {
                if (!layout.computed[s] || w.scaled_by[s].empty() || recomputed[s] || plan.slots[s].type.kind != Kind::number)
                    continue;
                bool all = w.scaled_to_whole_units(s);
                for (std::size_t k = 0; k < layout.limits.size(); ++k)
                    if (layout.limit_set[k] != none)
                        all = all && std::find(w.scaled_by[s].begin(), w.scaled_by[s].end(), layout.limit_set[k]) != w.scaled_by[s].end();
                whole_scaled[s] = all ? 1 : 0;
            }
            w.whole_scaled = &whole_scaled;
            auto again = local_entry(w, unchecked, again_required, &affected, &recomputed, nullptr, &ups);
            w.whole_scaled = nullptr;
            if (again) straight_fn += "static void straight_again(Q* t, bool& held) {\n" + *again + "}\n";
        }
        entry += "    bool done = false;\n    try {\n      straight(t, held);\n      done = true;\n    } catch (const Bail&) {\n    }\n"
                 "    if (!done) {\n" + lazy + "    }\n";
    } else {
        entry += "    const bool done = false;\n" + lazy;
    }
    std::string checks;
    std::string exceeded, again, factors;   // the pro rata limits exceeded; their second check; their factors shown
    std::string after;                      // the limits that only report checked after scaling
    for (std::size_t k = 0; k < layout.limits.size(); ++k) {
        const Limit& l = plan.limits[layout.limits[k]];
        checks += fmt::format("// limit {}\nstatic inline bool limit{}(Q* t) {{\n  const long r = 0;\n  Q v = {};\n  Q b = {};\n"
                              "  t[{}] = v;\n  t[{}] = b;\n  return cmp(v, b) {} 0;\n}}\n",
                              l.name, k, w.expr(l.value), w.expr(l.bound), layout.limit_at[k], layout.limit_at[k] + 1,
                              l.strict ? ">=" : ">");
        const std::uint32_t set = layout.limit_set[k];
        // After scaling, a limit reading what scaling changes is checked again: one exceeded
        // is violated (the interpreter reports it).
        std::vector<std::uint32_t> named;
        slots_named(plan, l.value, named);
        slots_named(plan, l.bound, named);
        // (One exceeded before whose value and bound scaling does not change still is.)
        std::string when = std::any_of(named.begin(), named.end(), [&](std::uint32_t s) { return affected[s] != 0; })
                               ? changed(named)
                               : "";
        if (set == none) {
            // (A limit that only reports, on what scaling changes: checked once the factors are
            // known — on the scaled values when one of them changes what it reads, else now.)
            if (when.empty()) entry += fmt::format("    if (limit{}(t)) bail();\n", k);
            else after += fmt::format("    if (!({}) && limit{}(t)) bail();\n", when, k);
        } else {
            entry += fmt::format("    const bool x{0} = limit{0}(t);\n    if (x{0}) factor(t, {1}, t[{2}], t[{3}]);\n", k,
                                 layout.sets[set].at, layout.limit_at[k], layout.limit_at[k] + 1);
            exceeded += fmt::format("{}x{}", exceeded.empty() ? "" : " || ", k);
            factors += fmt::format("      if (x{}) t[{}] = t[{}];\n", k, layout.limit_at[k] + 2, layout.sets[set].at);
        }
        if (set != none) when = fmt::format("x{}{}{}", k, when.empty() ? "" : " || ", when);
        if (!when.empty()) again += fmt::format("      if (({}) && limit{}(t)) bail();\n", when, k);
    }
    if (!exceeded.empty()) {
        // Pro rata allocation: each output of a set with a factor scaled in place, unless it
        // depends on another scaled output (then computed again from the scaled ones, and
        // scaled); what depends on them computed again.
        std::string re = "static void rescale(Q* t) {\n";
        // (The hoisted parts afresh: one may read a scaled output.)
        for (auto at : layout.hoisted_at) re += fmt::format("  t[{}].d = 0;\n", at);
        auto on = [&](const std::vector<std::uint32_t>& sets) {
            std::string c;
            for (auto k : sets) c += fmt::format("{}t[{}].d > 0", c.empty() ? "" : " || ", layout.sets[k].at);
            return c;
        };
        for (std::uint32_t s = 0; s < n; ++s)
            if (layout.computed[s] && !w.scaled_by[s].empty()) re += fmt::format("  const bool on{}_ = {};\n", s, on(w.scaled_by[s]));
        for (std::uint32_t s = 0; s < n; ++s) {
            if (!layout.computed[s] || !affected[s]) continue;
            const std::size_t count = plan.slots[s].scope == Scope::plan ? 1 : layout.records;
            const std::uint32_t at = layout.offset[s];
            std::string up;
            for (auto u : ups[s]) up += fmt::format("{}on{}_", up.empty() ? "" : " || ", u);
            std::string c;
            if (!up.empty()) c = fmt::format("  if ({}) {{\n    for (long r = 0; r < {}; ++r) t[{} + r].d = 0;\n  }}", up, count, at);
            if (!w.scaled_by[s].empty()) {
                const bool number = !w.slot_whole(s);
                c += fmt::format("{}if (on{}_) {{\n    for (long r = 0; r < {}; ++r) {{\n      Q* m = t + {} + r;\n"
                                 "      if (m->d > 0) *m = {};\n    }}\n  }}",
                                 c.empty() ? "  " : " else ", s, count, at,
                                 number ? fmt::format("sc{}(t, *m)", s) : fmt::format("Q{{sc{}(t, (long long)m->n), 1}}", s));
            }
            re += fmt::format("  // {}\n{}\n", plan.slots[s].name, c);
        }
        re += "}\n";
        checks += re;
        // After scaling, the straight-line code runs again (scaling each allocated output as
        // it computes it, what depends on them from the scaled values); when it cannot (or
        // did not run), the functions: the allocated outputs in the memo scaled in place or
        // computed again, what depends on them computed again (from the unscaled values
        // computed afresh, when the straight-line code left scaled ones).
        std::string second;
        if (!straight_fn.empty()) {
            for (auto at : layout.hoisted_at) second += fmt::format("        t[{}].d = 0;\n", at);
            second = "      bool again = false;\n      if (done) {\n" + second +
                     "        try {\n          straight_again(t, held);\n          again = true;\n"
                     "        } catch (const Bail&) {\n          held = false;\n        }\n      }\n";
            second += fmt::format("      if (!again) {{\n        if (done) {{\n          {0} = 0;\n{1}          {0} = 1;\n        }}\n"
                                  "        rescale(t);\n{2}      }}\n",
                                  scaling, lazy, calls(true));
        } else {
            second = "      rescale(t);\n" + calls(true);
        }
        entry += fmt::format("    if ({}) {{\n      {} = 1;\n{}{}{}    }}\n", exceeded, scaling, second, again, factors);
    }
    entry += after;
    for (std::size_t k = 0; k < layout.requirements.size(); ++k) {
        const std::uint32_t i = layout.requirements[k];
        const Requirement& req = plan.requirements[i];
        checks += fmt::format("// requirement {}\nstatic void requirement{}(Q* t, long r) {{\n  if (!{}) bail();\n}}\n", req.name,
                              i, w.expr(req.condition));
        // Checked again (as the functions compute it) unless the straight-line code saw every
        // requirement hold on the run's final values.
        std::string when;
        // (held: by the values after scaling when the straight-line code computed them again —
        // the first run's answer for one whose truth scaling keeps; false when the functions did.)
        if (required[k]) when = "!held";
        const std::string check = req.scope == Scope::plan
                                      ? fmt::format("requirement{}(t, 0);", i)
                                      : fmt::format("for (long r = 0; r < {}; ++r) requirement{}(t, r);", layout.records, i);
        entry += when.empty() ? fmt::format("    {}\n", check) : fmt::format("    if ({}) {{\n      {}\n    }}\n", when, check);
    }
    entry += "    return 0;\n  } catch (const Bail&) {\n    return 1;\n  }\n}\n";
    std::string title;
    for (char c : plan.title) title += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    std::string out = fmt::format("// The compiled what-if path of the plan \"{}\" (generated by hoshu {}).\n", title,
                                  HOSHU_VERSION);
    out += runtime;
    for (const auto& f : w.tables) out += f;
    for (const auto& f : w.stables) out += f;
    out += decls;
    for (std::size_t k = 0; k < layout.hoisted.size(); ++k) w.hoisted_call(k);   // (every one, used or not)
    out += w.hoisted_decls();
    out += w.aggregates;
    out += w.hoisted_fns;
    out += bodies;
    out += checks;
    out += straight_fn;
    out += entry;
    return out;
}

}  // namespace hoshu::eval
