#!/usr/bin/env bash
# The grant register across years with a plan that computes vesting and forfeiture itself
# (register_plans/ret: monthly vesting, a bad leaver forfeits everything, carried awards):
#   - a year superseded keeps the events recorded against its grants (a clawback is not
#     undone by a restatement of the inputs), named in a note; one that no longer fits the
#     new record is refused, naming it; an event the chain applied is never applied twice;
#   - the register's balances are the latest recorded result's carried records plus the
#     events since: show and export say so, and `event` refuses an over-lift and a leave with
#     nothing left (exit 2) instead of the plan clamping them later;
#   - a year computed from a record since superseded is called stale (show, verify, the
#     supersede itself, eval --register), and a year carried from a stale one is not recorded;
#   - explain and report name the event beside a carried value it changed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
# The carried FY2025 award of a director in a result: "restricted released".
award() { python3 -c "import json,sys; print(*[f\"{r['restricted']} {r['released']}\" for r in json.load(open(sys.argv[1]))['carry']['ledger'] if r['director']==sys.argv[2] and r['year']=='FY2025'])" "$@"; }
output() { python3 -c "import json,sys; print([d[sys.argv[3]] for d in json.load(open(sys.argv[1]))['directors'] if d['id']==sys.argv[2]][0])" "$@"; }
p=tests/cli/register_plans/ret
t=$p/tests

q eval $p --inputs $t/fy2025.toml --format json --out "$work/fy2025.json"
q eval $p --inputs $t/fy2025b.toml --format json --out "$work/fy2025b.json"
sed 's/award_value = 500_000.55/award_value = 3_000/' $t/fy2025.toml > "$work/fy2025-small.toml"
q eval $p --inputs "$work/fy2025-small.toml" --format json --out "$work/fy2025-small.json"

# --- 1. A supersede keeps the events recorded against the year's grants.
db=$work/s.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q register event "$db" --director D2 --kind clawback --shares 100 --date 2026-02-01 --reason misconduct
q register event "$db" --director D1 --kind rate --year FY2025 --rate 10% --date 2026-02-02 --reason committee
check "a supersede names the events that carry over to the new record" 0 \
  "apply to the new record as to record 1: event 1 (clawback D2 100 on 2026-02-01), event 2 (rate D1 FY2025 rate 10% on 2026-02-02)" \
  "$hoshu" register record "$db" "$work/fy2025b.json" --grants award_units --supersede --reason "corrected value"
check "the next year applies them to the superseding record" 0 "2 events since" \
  "$hoshu" eval $p --inputs $t/fy2026.toml --register "$db"
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/s2026.json"
out=$(award "$work/s2026.json" D2); rc=$?
[[ "$out" == "5485 7819" ]]; report "D2's clawback stays: 13404 - 100 - 7819 vested = 5485 restricted" $((1 - $?))
out=$(output "$work/s2026.json" D1 clawed_units); rc=$?
[[ "$out" == "0" ]]; report "D1's rate reaches the superseding record (nothing released yet to claw)" $((1 - $?))
check "the result that applied them is recorded" 0 "recorded FY2026" "$hoshu" register record "$db" "$work/s2026.json" --grants award_units
db=$work/misfit.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q register event "$db" --director D2 --kind clawback --shares 100 --date 2026-02-01 --reason misconduct
check "a supersede whose grants an event no longer fits is refused, naming it" 2 \
  "event 1 (clawback D2 100 on 2026-02-01): D2 has 80 restricted RSUs on 2026-02-01, fewer than the clawback's 100" \
  "$hoshu" register record "$db" "$work/fy2025-small.json" --grants award_units --supersede --reason "smaller"
run "$hoshu" register show "$db"
[[ "$out" != *"superseded by"* ]]; report "... and nothing is recorded" $((1 - $?))

# An event a superseding later year applied is not applied again the year after (dated
# within FY2026, before its grant date: one dated after it is FY2027's, register_balances.sh,
# and so is one dated after its grant date and recorded after it, register_restate.sh).
db=$work/twice.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/t2026.json"
q register record "$db" "$work/t2026.json" --grants award_units
q register event "$db" --director D2 --kind clawback --year FY2025 --shares 100 --date 2026-02-01 --reason misconduct
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/t2026b.json"
check "FY2026 evaluated again applies the clawback, and supersedes" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/t2026b.json" --grants award_units --supersede --reason "clawback"
out=$(award "$work/t2026b.json" D2); rc=$?
[[ "$out" == "5485 7819" ]]; report "... D2 FY2025: 5485 restricted" $((1 - $?))
check "FY2027 applies no event twice" 0 "0 events since" \
  "$hoshu" eval $p --inputs $t/fy2027.toml --register "$db"

# --- 2. The balances are the plan's carried records plus the events since.
db=$work/b.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/b2026.json"
q register record "$db" "$work/b2026.json" --grants award_units
check "show: D1's FY2025 grant as FY2026's result carries it" 0 "FY2025  award_units  2025-03-15  26809       11171       0          0            0  15638 (record 2)" \
  "$hoshu" register show "$db" --director D1
check "show: D3 (a bad leaver in FY2026) has nothing restricted" 0 "FY2025  award_units  2025-03-15  8936           0       0          0            0  8936 (record 2)" \
  "$hoshu" register show "$db" --director D3
check "export: the registrar's file says the same" 0 ",26809," \
  "$hoshu" register export "$db" --no-csv-bom
[[ "$out" == *"FY2025,D1,CEO,award_units,2025-03-15,"*",26809,"*",11171,0,0,0,15638,1,2,"* ]]
report "... restricted 11171, by_plan 15638, record 1, balance_record 2" $((1 - $?))
check "a lift of more than the plan left restricted is refused" 2 \
  "D1 FY2025 has 11171 restricted RSUs on 2027-01-10, fewer than --shares 20000 (record 2 (FY2026) carries the FY2025 grant with 11171 restricted: its plan released or forfeited 15638" \
  "$hoshu" register event "$db" --director D1 --kind lift --year FY2025 --shares 20000 --date 2027-01-10 --reason x
check "the plan's own vesting recorded again as a lift is refused" 2 "fewer than --shares 15638" \
  "$hoshu" register event "$db" --director D1 --kind lift --year FY2025 --shares 15638 --date 2027-01-05 --reason "FY2026 vesting"
check "a leave after the plan forfeited everything is refused" 2 \
  "D3 has nothing restricted on 2027-01-11 to forfeit: record 2 (FY2026) carries none of the FY2025 award_units grant" \
  "$hoshu" register event "$db" --director D3 --kind leave --date 2027-01-11 --reason x
check "a lift of part of what is left is taken" 0 "recorded event 1: lift D1 on 2027-01-12: 1000 RSUs lifted" \
  "$hoshu" register event "$db" --director D1 --kind lift --year FY2025 --shares 1000 --date 2027-01-12 --reason x
check "show: the lift on top of the carried balance" 0 "FY2025  award_units  2025-03-15  26809       10171    1000          0            0  15638 (record 2)" \
  "$hoshu" register show "$db" --director D1
q eval $p --inputs $t/fy2027.toml --register "$db" --format json --out "$work/b2027.json"
out=$(award "$work/b2027.json" D1); rc=$?
[[ "$out" == "1235 24574" ]]; report "FY2027 agrees: 10171 restricted less 8936 vested = 1235" $((1 - $?))
q register init "$work/second.db"
q register record "$work/second.db" "$work/fy2025.json" --grants award_units
q register event "$work/second.db" --director D3 --kind leave --date 2025-06-01 --reason x
check "a second leave is refused" 2 "D3 left already (event 1 on 2025-06-01)" \
  "$hoshu" register event "$work/second.db" --director D3 --kind leave --date 2025-07-01 --reason x

# --- 3. A year computed from a record since superseded is stale.
db=$work/stale.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/st2026.json"
q register record "$db" "$work/st2026.json" --grants award_units
check "the supersede says which later year rests on the record it replaces" 0 \
  "record 2 (FY2026) was computed from record 1 (FY2025), which the new record supersedes: evaluate FY2026 again" \
  "$hoshu" register record "$db" "$work/fy2025b.json" --grants award_units --supersede --reason "D1 award corrected"
check "show calls it stale" 0 "current -- STALE: computed from record 1 (FY2025), which record 3 supersedes" "$hoshu" register show "$db"
check "verify warns" 0 "warning: record 2 (FY2026) was computed from record 1 (FY2025), which record 3 supersedes" \
  "$hoshu" register verify "$db"
check "eval --register warns" 0 "the FY2026 result carried from (record 2) was computed from record 1 (FY2025), which record 3 supersedes" \
  "$hoshu" eval $p --inputs $t/fy2027.toml --register "$db"

# --- 4. explain and report name the event beside the value it changed.
db=$work/e.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q register event "$db" --director D2 --kind clawback --shares 100 --date 2026-02-01 --reason misconduct
check "explain names the event that changed a carried value" 0 \
  "changed after it was recorded: recorded 13404; event 1 (clawback D2 on 2026-02-01) made it 13304" \
  "$hoshu" explain $p --inputs $t/fy2026.toml --register "$db" --director D2 --value vested_units
q report $p --inputs $t/fy2026.toml --register "$db" --director D2 --out "$work/r.html"
run grep -c "restricted = 13304   # recorded 13404; event 1 (clawback D2 on 2026-02-01) made it 13304" "$work/r.html"
[[ $rc == 0 ]]; report "the report's inputs read show it as written, with the event" $((1 - $?))

exit $fail
