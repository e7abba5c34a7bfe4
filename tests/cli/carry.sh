#!/usr/bin/env bash
# State carried across years (`carry` in the rules, `hoshu eval --carry LAST_YEAR.json`):
# the IIJ FY2024 result carries its ledger into FY2025, whose results are exactly those of
# the hand-written ledger (examples/iij/fy2025.toml), and FY2025's into FY2026 (with the
# committee's reassessed rates in the inputs) those of examples/iij/fy2026.toml; the
# carried results verify; a result that does not verify is refused; inputs that also give
# the carried path are refused; a result that carries nothing for the plan is refused; a
# forged carried record is named.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
run() {  # run ARGS…: output (stdout and stderr) in $out, exit code in $rc
  out=$(NO_COLOR=1 timeout 20 "$@" 2>&1); rc=$?
}
report() {  # report NAME OK
  if [[ $2 == 1 ]]; then echo "ok   $1"; else echo "FAIL $1: exit $rc; output:"; echo "$out"; fail=1; fi
}
check() {  # check NAME EXPECTED_RC EXPECTED_TEXT ARGS…
  local name=$1 want_rc=$2 want_text=$3; shift 3
  run "$@"
  [[ $rc -eq $want_rc && "$out" == *"$want_text"* ]] && report "$name" 1 || report "$name (want exit $want_rc, \"$want_text\")" 0
}
# The outputs of a JSON result, without its seal and carried records.
outputs() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k, None) for k in ("seal","carry")]; print(json.dumps(d, sort_keys=True))' "$1"; }

check "FY2024 evaluates and carries its ledger" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/fy2024.json"
grep -q '"carry"' "$work/fy2024.json" && grep -q '"ledger"' "$work/fy2024.json"
report "the FY2024 result holds carry.ledger" $([[ $? == 0 ]] && echo 1 || echo 0)

check "FY2025 evaluates with --carry of the FY2024 result" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json" --format json --out "$work/fy2025-carried.json"
check "FY2025 with the hand-written ledger" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025.toml --format json --out "$work/fy2025.json"
[[ "$(outputs "$work/fy2025-carried.json")" == "$(outputs "$work/fy2025.json")" ]]
report "FY2025 carried gives exactly the results of the hand-written ledger" $([[ $? == 0 ]] && echo 1 || echo 0)
grep -q '"carried_sha256": "'"$(sha256sum "$work/fy2024.json" | cut -c1-64)"'"' "$work/fy2025-carried.json"
report "the seal records the carried result's sha256" $([[ $? == 0 ]] && echo 1 || echo 0)
check "the table names the result carried from" 0 "carry  $work/fy2024.json  sha256 $(sha256sum "$work/fy2024.json" | cut -c1-64)" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json"
check "the carried FY2025 result verifies" 0 "verified: $work/fy2025-carried.json matches" \
  "$hoshu" verify "$work/fy2025-carried.json"

# FY2026, the final year, carried from the FY2025 result: the committee's reassessed FY2025
# rates are in the inputs (`[committee_rates.FY2025]`, read by rules/iij/ledger.hoshu).
cp examples/iij/fy2026-carried.toml "$work/fy2026-carried.toml"
printf '\n[committee_rates.FY2025]\nD04 = "0.70"\nD05 = "1"\n' >> "$work/fy2026-carried.toml"
check "FY2026 evaluates with --carry of the FY2025 result and the committee's rates in the inputs" 0 "" \
  "$hoshu" eval rules/iij --inputs "$work/fy2026-carried.toml" --carry "$work/fy2025-carried.json" --format json --out "$work/fy2026-carried.json"
check "FY2026 with the hand-written ledger" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2026.toml --format json --out "$work/fy2026.json"
[[ "$(outputs "$work/fy2026-carried.json")" == "$(outputs "$work/fy2026.json")" ]]
report "FY2026 carried gives exactly the results of the hand-written ledger" $([[ $? == 0 ]] && echo 1 || echo 0)
check "the carried FY2026 result verifies" 0 "verified: $work/fy2026-carried.json matches" \
  "$hoshu" verify "$work/fy2026-carried.json"
"$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --carry "$work/fy2025-carried.json" --format json --out "$work/fy2026-no-rates.json"
[[ "$(outputs "$work/fy2026-no-rates.json")" != "$(outputs "$work/fy2026.json")" ]]
report "without the committee's rates, FY2026 differs (the rates reach the plan)" $([[ $? == 0 ]] && echo 1 || echo 0)

# simulate carries as eval does: FY2026's paths from the carried ledger are exactly those
# from the hand-written one, through the interpreter and the compiled plan alike, and the
# header names the result carried from.
sim_outputs() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seal"); print(json.dumps(d, sort_keys=True))'; }
typed=$("$hoshu" simulate rules/iij --inputs examples/iij/fy2026.toml --model examples/iij/model-fy2026.toml \
  --paths 300 --seed 7 --format json | sim_outputs)
for engine in interpreter compiled; do
  carried=$("$hoshu" simulate rules/iij --inputs "$work/fy2026-carried.toml" --carry "$work/fy2025-carried.json" \
    --model examples/iij/model-fy2026.toml --paths 300 --seed 7 --engine $engine --format json | sim_outputs)
  [[ -n "$typed" && "$carried" == "$typed" ]]
  report "simulate --carry ($engine) gives exactly the paths of the hand-written ledger" $([[ $? == 0 ]] && echo 1 || echo 0)
done
check "simulate's header names the result carried from" 0 "carry  $work/fy2025-carried.json  sha256 $(sha256sum "$work/fy2025-carried.json" | cut -c1-64)" \
  "$hoshu" simulate rules/iij --inputs "$work/fy2026-carried.toml" --carry "$work/fy2025-carried.json" \
    --model examples/iij/model-fy2026.toml --paths 50
check "simulate without --carry is refused" 1 "the inputs have no \`ledger\`" \
  "$hoshu" simulate rules/iij --inputs "$work/fy2026-carried.toml" --model examples/iij/model-fy2026.toml --paths 50
run "$hoshu" simulate rules/iij --inputs "$work/fy2026-carried.toml" --carry "$work/fy2025-carried.json" \
  --model examples/iij/model-fy2026.toml --paths 50 --format json
[[ "$out" == *'"carried_from": "'"$work"'/fy2025-carried.json"'* ]]
report "simulate's JSON seal names the result carried from" $([[ $? == 0 ]] && echo 1 || echo 0)

# A carried result changed after use: the FY2025 result no longer verifies.
cp "$work/fy2024.json" "$work/fy2024.keep"
sed 's/"restricted": 7269/"restricted": 7270/' "$work/fy2024.keep" > "$work/fy2024.json"
check "verify names a changed carried result" 1 "the carried result" \
  "$hoshu" verify "$work/fy2025-carried.json"
# A forged record: --carry refuses a result that does not verify.
check "--carry refuses a forged carried record" 1 "does not verify, so nothing is carried from it" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json"
run "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json"
[[ "$out" == *'carry.ledger[1].restricted: recorded 7270, recomputed 7269'* ]]
report "the forged field is named" $([[ $? == 0 ]] && echo 1 || echo 0)
cp "$work/fy2024.keep" "$work/fy2024.json"

check "inputs that also give the carried path are refused" 2 "the inputs give \`ledger\`, which is carried from" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025.toml --carry "$work/fy2024.json"
# Forgetting the year before is never silent: a year whose carried records are absent from
# its inputs, with no --carry, is refused (it opened every balance at zero, exit 0); the
# plan's first year says it has none.
check "a later year without --carry is refused" 1 "the inputs have no \`ledger\`, the records the year before hands on" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml
check "... naming the plan's carry and what to do" 1 "in the plan's first year, write \`ledger = []\`" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml
check "the BBT's FY2026 without --carry is refused" 1 "the inputs have no \`balances\`" \
  "$hoshu" eval rules/jp-bbt --inputs examples/jp-bbt/fy2026.toml
# A carried record naming a director the inputs do not list: located in the carried records
# (shown as `…fy2025.json, carry.balances`; it pointed at a line of the inputs file), in the
# plan's own words (it said "ledger entry" of a plan that has none).
check "the BBT's FY2025 evaluates and carries its balances" 0 "" \
  "$hoshu" eval rules/jp-bbt --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/bbt2025.json"
python3 - examples/jp-bbt/fy2026.toml > "$work/bbt2026-noD01.toml" <<'PY'
import sys
parts = open(sys.argv[1]).read().split("\n[[directors]]\n")
print("\n[[directors]]\n".join(p for p in parts if '"D01"' not in p.split("\n", 1)[0]), end="")
PY
! grep -q '"D01"' <(grep -A1 '^\[\[directors\]\]' "$work/bbt2026-noD01.toml")
report "FY2026's inputs without D01's [[directors]] record" $([[ $? == 0 ]] && echo 1 || echo 0)
check "a carried balance naming a director not listed is located in the carried records" 1 \
  "bbt2025.json, carry.balances:4:12: error: carried_balance 1 of \`balances\` names director \`D01\`, who is not listed" \
  "$hoshu" eval rules/jp-bbt --inputs "$work/bbt2026-noD01.toml" --carry "$work/bbt2025.json"
check "... saying to list him or have the plan's carry leave him out" 1 \
  "hint: list director \`D01\` in the inputs as a [[directors]] record, or have the plan's \`carry\` leave the director out" \
  "$hoshu" eval rules/jp-bbt --inputs "$work/bbt2026-noD01.toml" --carry "$work/bbt2025.json"
check "the first year's \`ledger = []\` with --carry is refused, saying what it means" 2 "says the year has none" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --carry "$work/fy2024.json"
# --carry takes last year's result only, as --register does: a result of the inputs' own
# fiscal year (its grants carried twice: D07's tenure grant forfeited twice in FY2026), of
# two years back (FY2025's grants lost) or of a later year is refused, naming both years —
# by every command that carries (one loader).
check "--carry refuses a result of the inputs' own fiscal year" 2 \
  "examples/iij/fy2025-carried.toml:16:16: error: the inputs are for FY2025, and the result carried from (--carry $work/fy2025-carried.json) is FY2025's, not the year before's, so its grants would be carried twice" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2025-carried.json" --format json --out "$work/again.json"
[[ ! -e "$work/again.json" ]]
report "... and writes no result" $([[ $? == 0 ]] && echo 1 || echo 0)
check "--carry refuses a result two years back" 2 \
  "the inputs are for FY2026, and the result carried from (--carry $work/fy2024.json) is FY2024's, not the year before's
  fiscal_year  = \"FY2026\"
                 ^~~~~~~~
  hint: carry the result of the year before FY2026" \
  "$hoshu" eval rules/iij --inputs "$work/fy2026-carried.toml" --carry "$work/fy2024.json"
check "--carry refuses a later year's result" 2 "the inputs are for FY2025, and the result carried from (--carry $work/fy2026-carried.json) is FY2026's, not the year before's" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2026-carried.json"
own="examples/iij/fy2025-carried.toml:16:16: error: the inputs are for FY2025, and the result carried from (--carry $work/fy2025-carried.json) is FY2025's, not the year before's, so its grants would be carried twice"
check "simulate --carry refuses a result two years back too" 2 "the inputs are for FY2026, and the result carried from (--carry $work/fy2024.json) is FY2024's, not the year before's" \
  "$hoshu" simulate rules/iij --inputs "$work/fy2026-carried.toml" --carry "$work/fy2024.json" \
    --model examples/iij/model-fy2026.toml --paths 10 --seed 1
check "batch --carry refuses it too" 2 "$own" \
  "$hoshu" batch rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2025-carried.json" --grid 'years.FY2024.revenue=300e9'
check "diff --carry refuses it too" 2 "$own" \
  "$hoshu" diff rules/iij rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2025-carried.json"
check "report --carry refuses it too" 2 "$own" \
  "$hoshu" report rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2025-carried.json" --director D03 --out "$work/r-own.html"
check "explain --carry refuses it too" 2 "$own" \
  "$hoshu" explain rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2025-carried.json" --director D03
# The working paper of a carried year: the same figures as the result, the seal names what
# it was carried from, and its command reproduces it.
check "report takes --carry" 0 "" \
  "$hoshu" report rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json" --director D03 --out "$work/r.html"
grep -q "<tr><th>carried sha256</th><td class=\"mono\">$(sha256sum "$work/fy2024.json" | cut -c1-64)</td></tr>" "$work/r.html" &&
  grep -q -- "--carry $work/fy2024.json --director D03" "$work/r.html"
report "the working paper's seal names the carried result, its command the --carry" $([[ $? == 0 ]] && echo 1 || echo 0)
midterm=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("{:,}".format(next(r for r in d["directors"] if r["id"]=="D03")["midterm_rs_shares"]))' "$work/fy2025-carried.json")
grep -q "midterm_rs_shares <span class=\"kind\">output</span> = <span class=\"value\">$midterm shares" "$work/r.html"
report "the working paper shows the carried year's figures ($midterm mid-term shares for D03)" $([[ $? == 0 ]] && echo 1 || echo 0)

# A plan whose year is a plan-wide input `fiscal_year` (the points plan) is recorded in a
# grant register, and its next year carries from the register exactly as from the result.
"$hoshu" eval rules/jp-bbt --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/bbt2025.json"
"$hoshu" register init "$work/bbt.db" > /dev/null
check "the points plan's FY2025 result is recorded (its year an input)" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$work/bbt.db" "$work/bbt2025.json" --grants delivered_shares
from_register=$("$hoshu" eval rules/jp-bbt --inputs examples/jp-bbt/fy2026.toml --register "$work/bbt.db" --format json | outputs /dev/stdin)
from_result=$("$hoshu" eval rules/jp-bbt --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025.json" --format json | outputs /dev/stdin)
[[ -n "$from_result" && "$from_register" == "$from_result" ]]
report "the points plan's FY2026 from the register is exactly FY2026 from the result" $([[ $? == 0 ]] && echo 1 || echo 0)

# The rules revised after a year was sealed (here a comment added): --carry refuses the
# result and says how to carry from it; recorded with a copy of the rules it was computed
# with, the register carries it as the result did.
cp -r rules/jp-bbt "$work/bbt-rules" && cp -r rules/jp-bbt "$work/bbt-rules-then"
"$hoshu" eval "$work/bbt-rules" --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/bbt2025r.json"
echo "# revised" >> "$work/bbt-rules/plan.hoshu"
check "--carry after the rules changed says how to carry" 1 "hint: the result is verified with the rules it names" \
  "$hoshu" eval "$work/bbt-rules" --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025r.json"
"$hoshu" register init "$work/bbt-r.db" > /dev/null
check "the result is recorded with the rules it was computed with" 0 "recorded FY2025" \
  "$hoshu" register record "$work/bbt-r.db" "$work/bbt2025r.json" --rules "$work/bbt-rules-then" --grants delivered_shares
revised=$("$hoshu" eval "$work/bbt-rules" --inputs examples/jp-bbt/fy2026.toml --register "$work/bbt-r.db" --format json | outputs /dev/stdin)
[[ -n "$revised" && "$revised" == "$from_result" ]]
report "the revised rules carry from that record exactly as from the result" $([[ $? == 0 ]] && echo 1 || echo 0)

# The year an input with a default, which the inputs omit: the result names the default year,
# the register records it, and --register finds the next year's inputs' year by it (it
# read the inputs file: no year, or the key's text whatever the default).
for y in 2025 2026; do
  cp -r rules/jp-bbt "$work/bbt-default$y"
  sed -i "s|^input fiscal_year: text at fiscal_year\$|input fiscal_year: text at fiscal_year default \"FY$y\"|" "$work/bbt-default$y/plan.hoshu"
  grep -v '^fiscal_year = ' "examples/jp-bbt/fy$y.toml" > "$work/bbt-default$y.toml"
done
grep -q 'default "FY2026"' "$work/bbt-default2026/plan.hoshu" && ! grep -q '^fiscal_year' "$work/bbt-default2026.toml"
report "plans whose fiscal_year has a default, inputs without it" $([[ $? == 0 ]] && echo 1 || echo 0)
"$hoshu" eval "$work/bbt-default2025" --inputs "$work/bbt-default2025.toml" --format json --out "$work/bbt-default2025.json"
grep -q '^  "fiscal_year": "FY2025",' "$work/bbt-default2025.json"
report "a result whose year is the input's default names it" $([[ $? == 0 ]] && echo 1 || echo 0)
"$hoshu" register init "$work/bbt-default.db" > /dev/null
check "... and is recorded as that year" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$work/bbt-default.db" "$work/bbt-default2025.json" --grants delivered_shares
check "--register finds the inputs' year by the input's default" 0 "— FY2026" \
  "$hoshu" eval "$work/bbt-default2026" --inputs "$work/bbt-default2026.toml" --register "$work/bbt-default.db"
check "report's working paper names the default year" 0 "" \
  "$hoshu" report "$work/bbt-default2026" --inputs "$work/bbt-default2026.toml" --register "$work/bbt-default.db" --out "$work/bbt-default.html"
grep -q "Working paper — fiscal year FY2026" "$work/bbt-default.html"
report "... in its header" $([[ $? == 0 ]] && echo 1 || echo 0)

# batch with carried records: the records are handed on to the inputs' year, so a column
# that sets the plan's year (its input, or the input its output is evaluated from) is
# refused; other columns are not, nor the year without carried records.
check "batch --carry refuses a column that sets the year (an input fiscal_year)" 2 \
  "\`fiscal_year\` sets the plan's fiscal year (FY2026), the year the records carried from $work/bbt2025.json are handed on to" \
  "$hoshu" batch rules/jp-bbt --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025.json" --grid 'fiscal_year=FY2026,FY2027'
check "batch --register refuses it too" 2 "a scenario cannot change it" \
  "$hoshu" batch rules/jp-bbt --inputs examples/jp-bbt/fy2026.toml --register "$work/bbt.db" --grid 'fiscal_year=FY2027'
check "batch --carry refuses a column the year output is evaluated from" 2 "sets the plan's fiscal year (FY2025)" \
  "$hoshu" batch rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json" --grid 'fiscal_year=FY2026'
check "batch --carry takes other columns" 0 "1,300e9,D01," \
  "$hoshu" batch rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json" --grid 'years.FY2025.revenue=300e9'

check "a result that is not JSON is refused" 2 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry examples/iij/fy2024.toml
check "a missing result is refused" 2 "cannot read the carried result" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/none.json"
check "a plan without carry refuses --carry" 2 "carries nothing from year to year" \
  "$hoshu" eval rules/iij/governance --inputs examples/iij/agm-2024.toml --carry "$work/fy2024.json"
# diff of a revision in a later year of a carrying plan: both plans read the records
# carried from the earlier result (or register); the head's side is what eval gives.
cp -r rules/jp-bbt "$work/bbt-limit"
sed -i 's|^param trust_limit: points = 50,000 points|param trust_limit: points = 40,000 points|' "$work/bbt-limit/points.hoshu"
grep -q "trust_limit: points = 40,000 points" "$work/bbt-limit/points.hoshu"
report "a revision of the points plan (a lower trust limit)" $([[ $? == 0 ]] && echo 1 || echo 0)
run "$hoshu" diff rules/jp-bbt "$work/bbt-limit" --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025.json" --format json
diffed=$out
head_eval=$("$hoshu" eval "$work/bbt-limit" --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025.json" --format json | outputs /dev/stdin)
python3 - "$diffed" "$head_eval" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); e = json.loads(sys.argv[2])
run = d["inputs"][0]
# every award's head value is eval's under the head plan (on the carried records), and some changed
by = {(r["id"], k): v for r in e["directors"] for k, v in r.items()}
values = [(r["id"], v) for r in run["directors"] for v in r["values"]]
assert any(v["changed"] for _, v in values), "no award changed"
assert any(v["output"] == "opening_balance" and v["head"] != 0 for _, v in values), "nothing carried"
for who, v in values:
    assert str(by[(who, v["output"])]) == str(v["head"]), (who, v, by[(who, v["output"])])
PY
[[ $? == 0 && $rc == 0 ]]
report "diff --carry compares the revision on the carried records (head = eval --carry)" $([[ $? == 0 ]] && echo 1 || echo 0)
check "diff --register carries as --carry does" 0 "trust_limit" \
  "$hoshu" diff rules/jp-bbt "$work/bbt-limit" --inputs examples/jp-bbt/fy2026.toml --register "$work/bbt.db"
check "diff refuses plans that carry different records" 2 "carry different records from year to year" \
  "$hoshu" diff rules/jp-bbt rules/iij --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025.json"
check "diff refuses --carry with --register" 2 "give one" \
  "$hoshu" diff rules/jp-bbt "$work/bbt-limit" --inputs examples/jp-bbt/fy2026.toml --carry "$work/bbt2025.json" --register "$work/bbt.db"

# A plan with a lint warning: `eval --carry` prints it once, with the plan's path as given
# (the carried result is verified with the plan loaded again, which says nothing more).
mkdir -p "$work/warned"
cp -r tests/golden/test_carry_from/rules "$work/warned/plan"
printf '\nparam spare: shares = 1 share\n' >> "$work/warned/plan/plan.hoshu"
(cd "$work/warned" && "$hoshu" eval plan --inputs plan/tests/year1.toml --format json --out y1.json > /dev/null 2>&1)
out=$(cd "$work/warned" && NO_COLOR=1 "$hoshu" eval plan --inputs plan/tests/year2.toml --carry y1.json 2>&1 >/dev/null); rc=$?
[[ $rc -eq 0 && $(grep -c 'warning:' <<< "$out") -eq 1 && "$out" == "plan/plan.hoshu:"*"warning: param \`spare\` is never used"* ]]
report "eval --carry prints the plan's warning once, with the path as given" $([[ $? == 0 ]] && echo 1 || echo 0)
exit $fail
