#!/usr/bin/env bash
# Memory of `hoshu simulate` is flat in the number of paths: the peak resident memory of
# 1,000,000 and 10,000,000 paths of the IIJ plan must be within 10% of each other (the
# tallies count distinct values, not paths). Also prints the wall time of each run.
#
#   bash bench/simulate_memory.sh [build/hoshu]
set -euo pipefail
hoshu=${1:-build/hoshu}
run() {
    /usr/bin/time -f "%M %e" -o "$tmp/time" "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml \
        --model examples/iij/model.toml --paths "$1" --seed 42 > "$tmp/out.txt"
    read -r kb seconds < "$tmp/time"
    echo "$1 paths: peak ${kb} KB, ${seconds} s wall" >&2
    echo "$kb"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The plan compiled first (when a compiler is there), so that the runs measured (which
# use it: --engine auto) do not count the compiler's memory.
"$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model examples/iij/model.toml --paths 100 \
    --engine compiled > /dev/null 2>&1 || echo "(not compiled: the interpreter runs the paths)" >&2
small=$(run 1000000)
large=$(run 10000000)
if (( large * 10 > small * 11 || small * 10 > large * 11 )); then
    echo "FAIL: peak memory is not flat: ${small} KB for 1M paths, ${large} KB for 10M" >&2
    exit 1
fi
echo "ok: peak memory within 10% (${small} KB, ${large} KB)" >&2
