#!/usr/bin/env bash
# Memory of `hoshu simulate` is flat in the number of paths: the peak resident memory of
# 1,000,000 and 10,000,000 paths of the IIJ plan must be within 10% of each other (the
# tallies count distinct values, not paths), and so must 200,000 and 1,000,000 paths of the
# US PSU example, whose outputs in dollars and cents take a new value on nearly every path,
# and 300,000 and 1,000,000 paths of `--against` (yen totals and their changes): past
# --distinct-values, their counts give way to moments and bins. Also prints the wall time
# of each run.
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
flat() {  # flat WHAT SMALL LARGE SMALL_KB LARGE_KB
    if (( $5 * 10 > $4 * 11 || $4 * 10 > $5 * 11 )); then
        echo "FAIL: peak memory of $1 is not flat: $4 KB for $2 paths, $5 KB for $3" >&2
        exit 1
    fi
    echo "ok: peak memory of $1 within 10% ($4 KB, $5 KB)" >&2
}
flat "the IIJ plan" 1M 10M "$(run 1000000)" "$(run 10000000)"
run() {
    /usr/bin/time -f "%M %e" -o "$tmp/time" "$hoshu" simulate rules/us-psu --inputs examples/us-psu/fy2026.toml \
        --model examples/us-psu/model.toml --paths "$1" --seed 42 > "$tmp/out.txt"
    read -r kb seconds < "$tmp/time"
    echo "US PSU, $1 paths: peak ${kb} KB, ${seconds} s wall" >&2
    echo "$kb"
}
flat "the US PSU (dollars and cents)" 200k 1M "$(run 200000)" "$(run 1000000)"
run() {
    /usr/bin/time -f "%M %e" -o "$tmp/time" "$hoshu" simulate rules/iij --inputs examples/iij/fy2026.toml \
        --model examples/iij/model-fy2026.toml --against rules/iij-2023 --paths "$1" --seed 42 > "$tmp/out.txt"
    read -r kb seconds < "$tmp/time"
    echo "--against, $1 paths: peak ${kb} KB, ${seconds} s wall" >&2
    echo "$kb"
}
flat "--against" 300k 1M "$(run 300000)" "$(run 1000000)"
