#!/usr/bin/env bash
# --out goes through a buffer: a batch of thousands of rows makes a handful of write calls,
# not one per row; the file is byte for byte what standard output gets; a file-size limit
# reached at a write of the buffer part way through is still an error (exit 2) that leaves
# the old output as it was and no temporary file.
set -uo pipefail
hoshu=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# 3,000 scenarios of the peer kit's rule (bench/peer): about 200 KiB of rows.
awk 'BEGIN {
  print "scenario,revenue_actual,op_actual,engagement_score,directors.kit.monthly_fixed_pay,grant_price"
  for (i = 0; i < 3000; i++) printf "s%d,%d,%d,%d,%d,%d\n", i, 2800 + i % 1400, 70 + i % 60, i % 101, 100000 + 10000 * (i % 300), 1000 + 37 * (i % 200)
}' > "$work/scenarios.csv"
batch=(batch bench/peer --inputs bench/peer/base.toml --scenarios "$work/scenarios.csv")

"$hoshu" "${batch[@]}" > "$work/stdout.csv" || bad "batch to standard output: exit $?"
"$hoshu" "${batch[@]}" --out "$work/out.csv" || bad "batch --out: exit $?"
cmp -s "$work/stdout.csv" "$work/out.csv" && ok "--out is byte for byte standard output's ($(wc -l < "$work/out.csv") lines)" \
  || bad "--out differs from standard output"

if command -v strace > /dev/null; then
  # (LeakSanitizer cannot run under ptrace: a sanitizer build is traced without it.) Only
  # the writes to the file being written are counted, not a runtime's own.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=openat,write -o "$work/trace.txt" "$hoshu" "${batch[@]}" --out "$work/traced.csv" \
    || bad "batch --out under strace: exit $?"
  writes=$(awk -v dir="$work/" '
    /openat\(/ && index($0, "\"" dir) && /O_WRONLY|O_RDWR/ { n = split($0, p, "= "); fd[p[n] + 0] = 1; next }
    /write\(/ { match($0, /write\([0-9]+/); f = substr($0, RSTART + 6, RLENGTH - 6) + 0; if (f in fd) c++ }
    END { print c + 0 }' "$work/trace.txt")
  [[ $writes -le 20 ]] && ok "3,001 rows in $writes write calls" || bad "3,001 rows in $writes write calls (want at most 20)"
else
  echo "skip the count of write calls (no strace)"
fi

# The limit (ulimit -f 64: 64 KiB) is reached while a full buffer is written.
echo "previous result" > "$work/limited.csv"
( ulimit -f 64; exec "$hoshu" "${batch[@]}" --out "$work/limited.csv" ) > /dev/null 2> "$work/err.txt"; rc=$?
[[ $rc -eq 2 ]] && grep -q "^hoshu: error: cannot write \`$work/limited.csv\`: File too large$" "$work/err.txt" \
  && ok "a file-size limit part way: exit 2 with a message" \
  || bad "a file-size limit part way: exit $rc, stderr: $(head -c 300 "$work/err.txt")"
[[ "$(cat "$work/limited.csv")" == "previous result" ]] || bad "a stopped --out changed the old output"
n=$(ls -A "$work" | wc -l)
[[ $n -eq $(( $(command -v strace > /dev/null && echo 2 || echo 0) + 5 )) ]] || { bad "files left behind:"; ls -A "$work"; }
exit $fail
