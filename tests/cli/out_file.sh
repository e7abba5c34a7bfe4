#!/usr/bin/env bash
# --out writes the whole file or nothing: an error never truncates or replaces an existing
# output, and no temporary file is left behind.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
echo "previous result" > "$work/out.csv"
printf 'fiscal_year = "FY2024"\nperiod_start = 2024-04-01\n' > "$work/bad.toml"   # no directors, no prices
"$hoshu" eval rules/iij --inputs "$work/bad.toml" --format csv --out "$work/out.csv" 2>/dev/null
rc=$?
[[ $rc -ne 0 ]] || { echo "FAIL: bad inputs exited 0"; fail=1; }
[[ "$(cat "$work/out.csv")" == "previous result" ]] || { echo "FAIL: the existing output was changed"; fail=1; }
[[ $(ls -A "$work" | wc -l) -eq 2 ]] || { echo "FAIL: files left behind:"; ls -A "$work"; fail=1; }

"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format csv --out "$work/out.csv" || { echo "FAIL: eval"; fail=1; }
cmp -s "$work/out.csv" examples/iij/fy2024.expected.csv || { echo "FAIL: --out differs from stdout's golden"; fail=1; }
[[ $(ls -A "$work" | wc -l) -eq 2 ]] || { echo "FAIL: temporary file left behind"; ls -A "$work"; fail=1; }

# Determinism: the same rules and inputs give byte-identical output.
a=$("$hoshu" eval rules/iij --inputs examples/iij/fy2026.toml --format json)
b=$("$hoshu" eval rules/iij --inputs examples/iij/fy2026.toml --format json)
[[ "$a" == "$b" ]] || { echo "FAIL: two runs differ"; fail=1; }
# The seal changes when any byte of the inputs changes (here: one trailing space).
cp examples/iij/fy2024.toml "$work/in.toml"
seal() { "$hoshu" eval rules/iij --inputs "$1" --format json | grep '"inputs_sha256"'; }
s1=$(seal "$work/in.toml"); printf ' ' >> "$work/in.toml"; s2=$(seal "$work/in.toml")
[[ -n "$s1" && "$s1" != "$s2" ]] || { echo "FAIL: the seal did not change with the inputs"; fail=1; }
rm "$work/in.toml"

# A write stopped part way (the file-size limit stops it after 1 KiB) is an error (exit 2)
# and leaves the existing output as it was, without the temporary file.
echo "previous result" > "$work/out.json"
{ ( ulimit -f 1; "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/out.json" ) \
  > /dev/null 2>&1; } 2> /dev/null
rc=$?
[[ $rc -eq 2 ]] || { echo "FAIL: a write stopped by the file-size limit: exit $rc, want 2"; fail=1; }
[[ "$(cat "$work/out.json")" == "previous result" ]] || { echo "FAIL: an interrupted write changed the output"; fail=1; }
[[ $(ls -A "$work" | wc -l) -eq 3 ]] || { echo "FAIL: files left behind by a stopped write:"; ls -A "$work"; fail=1; }
[[ $fail -eq 0 ]] && echo "ok   --out is whole or nothing; output is deterministic; the seal follows the inputs"
exit $fail
