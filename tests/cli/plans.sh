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
[[ $compared -ge 4 ]] || { echo "FAIL only $compared examples compared"; fail=1; }
exit $fail
