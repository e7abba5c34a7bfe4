#!/usr/bin/env bash
# The plans beyond IIJ's against their independent references: each example of
# examples/<plan>/ with a `.reference.txt` (printed by that folder's reference.py, which
# shares nothing with hoshu but the inputs) is evaluated — carried from the year its
# reference names, through `--carry` of hoshu's own result — and every output, limit and
# carried record must equal the reference's exactly. The plan's own tests must pass.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
compared=0
for plan in jp-bbt us-psu; do
  [[ -d rules/$plan ]] || { echo "FAIL rules/$plan is missing"; fail=1; continue; }
  if out=$("$hoshu" test "rules/$plan" 2>&1); then echo "ok   hoshu test rules/$plan"; else echo "FAIL hoshu test rules/$plan:"; echo "$out"; fail=1; fi
  for reference in examples/$plan/*.reference.txt; do
    inputs=${reference%.reference.txt}.toml
    name=$(basename "${reference%.reference.txt}")
    # "# Opening balances: those handed on by the result of examples/…/fy2025.toml."
    earlier=$(sed -n 's/^# Opening balances: those handed on by the result of \(.*\)\.$/\1/p' "$reference")
    carry=()
    if [[ -n $earlier ]]; then
      carry=(--carry "$work/$plan-$(basename "${earlier%.toml}").json")
      [[ -f ${carry[1]} ]] || "$hoshu" eval "rules/$plan" --inputs "$earlier" --format json --out "${carry[1]}" ||
        { echo "FAIL $plan $name: the earlier year $earlier does not evaluate"; fail=1; continue; }
    fi
    if ! "$hoshu" eval "rules/$plan" --inputs "$inputs" "${carry[@]}" --format json --out "$work/$plan-$name.json" 2> "$work/err"; then
      echo "FAIL $plan $name: eval failed:"; cat "$work/err"; fail=1; continue
    fi
    if out=$(python3 "$here/reference_compare.py" "$work/$plan-$name.json" "$reference"); then
      echo "ok   $out"; compared=$((compared + 1))
    else
      echo "FAIL $plan $name:"; echo "$out"; fail=1
    fi
  done
done
# What-if runs over a further collection: a peer's figure changed by `batch` (evaluated
# incrementally) gives exactly what a fresh evaluation of the changed inputs gives.
python3 - "$work/peer100.toml" <<'PY'
import sys
s = open("examples/us-psu/fy2026.toml", encoding="utf-8").read()
i = s.index("[[peers]]"); j = s.index("end_average", i); e = s.index("\n", j)
open(sys.argv[1], "w", encoding="utf-8").write(s[:j] + "end_average = 100" + s[e:])
PY
fresh=$("$hoshu" eval rules/us-psu --inputs "$work/peer100.toml" --format csv --no-csv-bom | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(";".join(r["delivered_units"] for r in rows))')
batched=$("$hoshu" batch rules/us-psu --inputs examples/us-psu/fy2026.toml --grid 'peers[0].end_average=61.1,100,61.1' | python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(sys.stdin) if r["scenario"] == "2"]
print(";".join(r["delivered_units"] for r in rows))')
if [[ -n $fresh && $fresh == "$batched" ]]; then echo "ok   batch over a peer's figure equals a fresh evaluation ($fresh)"
else echo "FAIL batch over a peer's figure: fresh $fresh, batch $batched"; fail=1; fi
[[ $compared -ge 4 ]] || { echo "FAIL only $compared examples compared"; fail=1; }
exit $fail
