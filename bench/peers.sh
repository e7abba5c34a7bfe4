#!/usr/bin/env bash
# The peer benchmark kit (../shared/bench/peers, or PEER_KIT) with hoshu's two peers beside
# the others, in one run, one table:
#   hoshu-in-process  bench/peer/hoshu_peer: the kit's rule (bench/peer/plan.hoshu) checked
#                     once, every scenario evaluated through a Session with overrides
#                     (and hoshu-in-process-replay: the same with remember_paths(), as
#                     `hoshu simulate` evaluates; hoshu-in-process-compiled: through the
#                     plan compiled to machine code, eval::Kernel)
#   hoshu-batch       bench/peer/batch_peer.sh: `hoshu batch … --engine compiled --out` as a
#                     whole process (the compiled plan cached by its warm-up run)
# Both must agree exactly with the kit's exact reference (the table's mismatches column).
#
#   bench/peers.sh [N]                 N scenarios (the kit's default: 100,000)
#   BUILD=build-release bench/peers.sh  the binaries of another build tree (default: build)
#   REPS=1 PEERS="plain bigint" bench/peers.sh 20000   the kit's own settings pass through
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${PEER_KIT:-$repo/../shared/bench/peers}"
build="$repo/${BUILD:-build}"
[[ -x $kit/run.sh ]] || { echo "bench/peers.sh: no peer kit at $kit (set PEER_KIT)" >&2; exit 2; }
for b in "$build/hoshu" "$build/bench/hoshu_peer"; do
  [[ -x $b ]] || { echo "bench/peers.sh: $b is not built (cmake --build $build --target hoshu hoshu_peer)" >&2; exit 2; }
done
EXTRA_PEERS="$build/bench/hoshu_peer;$build/bench/hoshu_peer --replay;$build/bench/hoshu_peer --compiled;$repo/bench/peer/batch_peer.sh --hoshu $build/hoshu" \
  exec "$kit/run.sh" "$@"
