#!/usr/bin/env bash
# hoshu batch: rows are streamed (20,000 scenarios give 20,000 × 16 rows and use no more
# memory than 2,000), --out is whole or nothing, --on-error skip writes every good row.
# The scenario files are generated here (awk), not stored.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
batch() { NO_COLOR=1 "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml "$@"; }
directors=16   # examples/iij/fy2024.toml

# revenue_grid N: a CSV of N scenarios, revenue from ¥290bn up in steps of ¥1m.
revenue_grid() {
  awk -v n="$1" 'BEGIN { print "scenario,years.FY2024.revenue"
                         for (i = 0; i < n; i++) printf "r%d,%d000000\n", i + 1, 290000 + i }'
}   # (in millions, then six zeros: mawk's %d stops at 2^31 - 1)
revenue_grid 2000 > "$work/s2000.csv"
revenue_grid 20000 > "$work/s20000.csv"

# 20,000 scenarios, through --out: one header and a row per scenario and director.
batch --scenarios "$work/s20000.csv" --out "$work/out.csv" 2> "$work/err.txt" || bad "20,000 scenarios: exit $?"
lines=$(wc -l < "$work/out.csv")
[[ $lines -eq $((20000 * directors + 1)) ]] && ok "20,000 scenarios: $lines lines" \
  || bad "20,000 scenarios: $lines lines, want $((20000 * directors + 1))"
[[ -s "$work/err.txt" ]] && { bad "20,000 scenarios: stderr is not empty"; head -c 300 "$work/err.txt"; }
[[ "$(sed -n "$((19999 * directors + 2))p" "$work/out.csv")" == r20000,309999000000,D01,* ]] \
  || bad "the last scenario's first row is not r20000's"
[[ $(ls -A "$work" | wc -l) -eq 4 ]] || { bad "files left behind by --out:"; ls -A "$work"; }
rm "$work/out.csv" "$work/err.txt"

# Peak memory does not grow with the number of scenarios (under the sanitizers, whose
# allocator keeps freed memory in quarantine, it is not measured).
if [[ "${HOSHU_SANITIZED:-}" == 1 ]]; then
  echo "skip peak memory (not measured under the sanitizers)"
elif [[ ! -x /usr/bin/time ]]; then
  bad "peak memory: /usr/bin/time is missing (Debian package \`time\`, scripts/install-deps.sh)"
else
  rss() {  # rss FILE.csv: peak resident set size in KiB
    /usr/bin/time -v "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml --scenarios "$1" 2>&1 > /dev/null |
      awk -F': ' '/Maximum resident set size/ { print $2 }'
  }
  small=$(rss "$work/s2000.csv") large=$(rss "$work/s20000.csv")
  if [[ -n "$small" && -n "$large" && $((large * 100)) -le $((small * 120)) ]]; then
    ok "peak memory: $small KiB for 2,000 scenarios, $large KiB for 20,000"
  else
    bad "peak memory grows with the scenarios: ${small:-?} KiB for 2,000, ${large:-?} KiB for 20,000"
  fi
fi

# A bad row with --on-error stop (the default): exit 2, no --out file, nothing left behind,
# an existing file kept as it was.
{ echo "scenario,years.FY2024.revenue,directors.D03.division_score"
  echo "a,300e9,0.9"; echo "short,310e9"; echo "b,320e9,1.1"; } > "$work/bad.csv"
mkdir "$work/stop"
batch --scenarios "$work/bad.csv" --out "$work/stop/out.csv" > /dev/null 2>&1
rc=$?
[[ $rc -eq 2 && -z "$(ls -A "$work/stop")" ]] && ok "--on-error stop: exit 2, no file written" \
  || { bad "--on-error stop: exit $rc (want 2), files:"; ls -A "$work/stop"; }
echo "previous result" > "$work/stop/out.csv"
batch --scenarios "$work/bad.csv" --out "$work/stop/out.csv" > /dev/null 2>&1
[[ "$(cat "$work/stop/out.csv")" == "previous result" && $(ls -A "$work/stop" | wc -l) -eq 1 ]] \
  || bad "--on-error stop changed the existing output or left a file"

# --on-error skip: the good rows in the file, exit 1, the error on stderr.
batch --scenarios "$work/bad.csv" --out "$work/skip.csv" --on-error skip > "$work/skip.out" 2> "$work/skip.err"
rc=$?
if [[ $rc -eq 1 && $(wc -l < "$work/skip.csv") -eq $((2 * directors + 1)) && ! -s "$work/skip.out" ]] &&
   grep -q "bad.csv:3:12: error: row has 2 cells, the header has 3" "$work/skip.err" &&
   grep -q "1 rejected" "$work/skip.err"; then
  ok "--on-error skip: the 2 good scenarios written, exit 1, the bad row on stderr"
else
  bad "--on-error skip: exit $rc, $(wc -l < "$work/skip.csv") lines; stderr:"; cat "$work/skip.err"
fi

# The same scenarios from a CSV and from --grid give the same rows.
{ echo "scenario,years.FY2024.revenue"; for i in 1 2 3; do echo "$i,$((300 + 15 * (i - 1)))000000000"; done; } > "$work/three.csv"
batch --scenarios "$work/three.csv" | cut -d, -f1,3- > "$work/csv_rows"
batch --grid 'years.FY2024.revenue=300e9..330e9:15e9' | cut -d, -f1,3- > "$work/grid_rows"
cmp -s "$work/csv_rows" "$work/grid_rows" && ok "a CSV and the equivalent --grid give the same rows" \
  || { bad "a CSV and the equivalent --grid differ:"; diff "$work/csv_rows" "$work/grid_rows" | head; }
# A file not in UTF-8 (Shift-JIS, from a Japanese spreadsheet) is one error with a hint, not
# one per row: in the first 64 KiB before any row runs (exit 2, nothing on standard output but
# the header); past them, at the first such row, after which nothing more is read.
sjis=$'\x94\x84\x8f\xe3'   # 売上 in Shift-JIS
{ echo "scenario,years.FY2024.revenue"; echo "base,315e9"; echo "${sjis} 90%,283.5e9"; echo "${sjis} 110%,346.5e9"; } > "$work/sjis.csv"
batch --scenarios "$work/sjis.csv" --on-error skip > "$work/sjis.out" 2> "$work/sjis.err"
rc=$?
if [[ $rc -eq 2 && ! -s "$work/sjis.out" && $(grep -c "error:" "$work/sjis.err") -eq 1 ]] &&
   grep -q "sjis.csv:3:1: error: the file is not UTF-8: unexpected byte 0x94" "$work/sjis.err" &&
   grep -q "looks like Shift-JIS" "$work/sjis.err"; then
  ok "a Shift-JIS CSV: one error before any scenario runs, exit 2"
else
  bad "a Shift-JIS CSV: exit $rc, $(wc -l < "$work/sjis.out") lines out; stderr:"; cat "$work/sjis.err"
fi
{ revenue_grid 5000; echo "${sjis} 90%,283.5e9"; echo "${sjis} 110%,346.5e9"; echo "last,300e9"; } > "$work/sjis_late.csv"
[[ $(wc -c < "$work/sjis_late.csv") -gt 65536 ]] || bad "sjis_late.csv is not past the first 64 KiB"
batch --scenarios "$work/sjis_late.csv" --on-error skip > "$work/sjis.out" 2> "$work/sjis.err"
rc=$?
if [[ $rc -eq 1 && $(grep -c "error:" "$work/sjis.err") -eq 1 && $(wc -l < "$work/sjis.out") -eq $((5000 * directors + 1)) ]] &&
   grep -q "sjis_late.csv:5002:1: error: the file is not UTF-8" "$work/sjis.err" && grep -q "1 rejected" "$work/sjis.err"; then
  ok "a Shift-JIS row past the first 64 KiB: one error, the rows after it not read, exit 1"
else
  bad "a Shift-JIS row past the first 64 KiB: exit $rc, $(wc -l < "$work/sjis.out") lines out; stderr:"; head -20 "$work/sjis.err"
fi

exit $fail
