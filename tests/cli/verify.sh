#!/usr/bin/env bash
# hoshu verify: a fresh result verifies; a changed value, a changed input file and a changed
# rule file are each reported, by name, with exit 1.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check NAME EXPECTED_RC EXPECTED_TEXT ARGS…
  local name=$1 want_rc=$2 want_text=$3; shift 3
  local out rc
  out=$(NO_COLOR=1 "$@" 2>&1); rc=$?
  if [[ $rc -ne $want_rc || "$out" != *"$want_text"* ]]; then
    echo "FAIL $name: exit $rc (want $want_rc); output:"; echo "$out"; fail=1
  else
    echo "ok   $name"
  fi
}
cp -r rules/iij "$work/plan"
cp examples/iij/fy2024.toml "$work/in.toml"
"$hoshu" eval "$work/plan" --inputs "$work/in.toml" --format json --out "$work/result.json" || { echo "eval failed"; exit 1; }

check "a fresh result verifies" 0 "verified: $work/result.json matches" "$hoshu" verify "$work/result.json"

sed 's/"annual_rs_shares": 4846/"annual_rs_shares": 4847/' "$work/result.json" > "$work/edited.json"
check "an edited value is named" 1 'directors["D03"].annual_rs_shares: recorded 4847, recomputed 4846' \
  "$hoshu" verify "$work/edited.json"

sed -i 's/engagement_index = 71.5/engagement_index = 72.5/' "$work/in.toml"
check "a changed input file is named" 1 "the inputs $work/in.toml changed" "$hoshu" verify "$work/result.json"
cp examples/iij/fy2024.toml "$work/in.toml"

sed -i 's/param tenure_months: months = 2 months/param tenure_months: months = 3 months/' "$work/plan/tenure.hoshu"
check "a changed rule file is named" 1 "tenure.hoshu was changed" "$hoshu" verify "$work/result.json"

echo '{"not": "a result"}' > "$work/other.json"
check "a JSON file that is not a result" 2 "is not a result written by" "$hoshu" verify "$work/other.json"
exit $fail
