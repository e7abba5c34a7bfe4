#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run them.
#   bash fuzz/run.sh [SECONDS]          every target for SECONDS each (default 3600)
#   bash fuzz/run.sh SECONDS TARGET     one target
# New inputs are saved in fuzz/corpus/<target>/; the shipped rules and examples are read
# as seeds too. A crash writes crash-* in the current folder: add it to the corpus and
# fix the bug, with a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
only=${2:-}
command -v clang++ > /dev/null || { echo "fuzzing needs clang++ (apt-get install clang libclang-rt-14-dev)"; exit 2; }
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOSHU_FUZZ=ON \
  -DHOSHU_BUILD_TESTS=OFF -DHOSHU_BUILD_BENCH=OFF > /dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_check fuzz_inputs fuzz_eval fuzz_verify
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1
run() {  # run TARGET SEEDS…
  local target=$1; shift
  [[ -n "$only" && "$only" != "$target" ]] && return 0
  echo "== $target for ${seconds}s"
  "build-fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "fuzz/corpus/${target#fuzz_}" "$@"
}
run fuzz_check rules/iij rules/iij/governance rules/iij/disclosure tests/golden
run fuzz_inputs examples/iij
run fuzz_eval
run fuzz_verify examples/iij   # the results hoshu writes (*.expected.json) among them
