#!/usr/bin/env bash
# hoshu as a peer of the peer benchmark kit (its README, "Adding a peer"), as a user runs it:
# `hoshu batch --engine compiled` on the kit's rule (bench/peer/plan.hoshu) over the kit's
# scenarios, a whole process that reads the CSV, evaluates every row and writes the results
# with --out. The warm-up run compiles the plan (once, kept in the cache: HOSHU_CACHE_DIR,
# else ~/.cache/hoshu); the timed runs find it there. HOSHU_ENGINE=interpreter times the
# interpreter instead.
#
#   bench/peer/batch_peer.sh [--hoshu BINARY] SCENARIOS.csv OUT_DIR REPS MIN_TIME_S
#
# Untimed: the kit's `kind` column (a label, not an input) is dropped from a copy of the
# scenarios, and hoshu's CSV is converted to the kit's shares file afterwards. Timed: each
# rep runs the process as many times as fit in MIN_TIME_S (at least once), after one
# warm-up run. Prints `PEER name=hoshu-batch n=… sps_median=… sps_runs=… checksum=…`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hoshu="$here/../../build-dev/hoshu"
if [[ ${1:-} == --hoshu ]]; then hoshu=$2; shift 2; fi
[[ $# -eq 4 ]] || { echo "usage: batch_peer.sh [--hoshu BINARY] SCENARIOS.csv OUT_DIR REPS MIN_TIME_S" >&2; exit 2; }
scenarios=$1 out_dir=$2 reps=$3 min_time=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The scenarios without `kind`, whichever column it is; the director's own values are
# named by their path in base.toml (directors.kit.…).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) {
                     if ($i == "kind") k = i
                     if ($i == "monthly_fixed_pay" || $i == "division_score") $i = "directors.kit." $i } }
  { line = ""; for (i = 1; i <= NF; i++) if (i != k) line = line (line == "" ? "" : ",") $i; print line }' \
  "$scenarios" > "$work/scenarios.csv"
n=$(( $(wc -l < "$work/scenarios.csv") - 1 ))

run() { "$hoshu" batch "$here" --inputs "$here/base.toml" --scenarios "$work/scenarios.csv" --out "$work/result.csv" \
        --engine "${HOSHU_ENGINE:-compiled}"; }
run 2> "$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }

now() { date +%s%N; }
min_ns=$(awk -v t="$min_time" 'BEGIN { printf "%d", t * 1000000000 }')
runs=()
for ((r = 0; r < reps; r++)); do
  t0=$(now) count=0
  while :; do
    run 2> /dev/null
    count=$((count + 1))
    t=$(now)
    (( t - t0 >= min_ns )) && break
  done
  runs+=("$(( count * n * 1000000000 / (t - t0) ))")
done
median=$(printf '%s\n' "${runs[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }')

# hoshu's CSV names each output by its column; the kit's file has the two share counts.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "single_year_shares") a = i; if ($i == "midterm_shares") b = i }
                            if (!a || !b) { print "no share columns in hoshu batch output" > "/dev/stderr"; exit 1 }
                            print "single_year_shares,midterm_shares"; next }
                  { print $a, $b; sum += $a + $b } END { print sum > "/dev/stderr" }' \
  "$work/result.csv" > "$out_dir/hoshu-batch.shares.csv" 2> "$work/checksum"
echo "PEER name=hoshu-batch n=$n sps_median=$median sps_runs=$(IFS=,; echo "${runs[*]}") checksum=$(cat "$work/checksum")"
