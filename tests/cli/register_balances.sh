#!/usr/bin/env bash
# The register's balances year after year, and the events a year evaluated from the
# register takes in, with a plan that vests and forfeits itself (register_plans/ret, whose
# `year_end` is the year's last day):
#   - each event applies once, to the balances as they stood on its date: what a leave, a
#     lift of everything or a clawback left stays as it was counted when a later record no
#     longer carries the grant (the plan's vesting of the year before stays "by plan", in the
#     record that released it); every grant's shares are restricted + lifted + forfeited +
#     clawed back + by plan;
#   - a year evaluated again from the register (a restatement) does not take in the events
#     dated after its last day: they are the next year's, and the next year applies them;
#     those dated within it apply; a plan with no `year_end` leaves the events recorded after
#     the year was first recorded to the next year.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
# The export's balances of a grant: "restricted lifted forfeited clawed_back by_plan balance_record".
row() {
  "$hoshu" register export "$1" --format json | python3 -c '
import json, sys
for g in json.load(sys.stdin)["grants"]:
    if g["director"] == sys.argv[1] and g["fiscal_year"] == sys.argv[2]:
        print(g["restricted"], g["lifted"], g["forfeited"], g["clawed_back"], g["by_plan"], g["balance_record"] or "-")' "$2" "$3"
}
# Every grant's shares are accounted for once: the grants that are not are printed.
unbalanced() {
  "$hoshu" register export "$1" --format json | python3 -c '
import json, sys
for g in json.load(sys.stdin)["grants"]:
    if g["shares"] != g["restricted"] + g["lifted"] + g["forfeited"] + g["clawed_back"] + g["by_plan"]:
        print(g["fiscal_year"], g["director"], g["grant"], g)'
}
# A result's outputs, without its seal.
outputs() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['directors'])" "$1"; }
p=tests/cli/register_plans/ret
t=$p/tests

q eval $p --inputs $t/fy2025.toml --format json --out "$work/fy2025.json"
# A register with FY2025 and FY2026 recorded (FY2026 vests 15638 of D1's 26809 FY2025 units).
two_years() {
  q register init "$1"
  q register record "$1" "$work/fy2025.json" --grants award_units
  q eval $p --inputs $t/fy2026.toml --register "$1" --format json --out "$1.fy2026.json"
  q register record "$1" "$1.fy2026.json" --grants award_units
}
# FY2027 evaluated from the register and recorded.
third_year() {
  q eval $p --inputs $t/fy2027.toml --register "$1" --format json --out "$1.fy2027.json"
  check "$2: FY2027 is recorded" 0 "recorded FY2027 as record 3" "$hoshu" register record "$1" "$1.fy2027.json" --grants award_units
}

# --- 1. A leave: what the plan vested before it stays vested.
db=$work/leave.db
two_years "$db"
check "D1 leaves: the FY2025 grant's 11171 still restricted are forfeited" 0 "recorded event 1: leave D1 on 2027-01-11" \
  "$hoshu" register event "$db" --director D1 --kind leave --date 2027-01-11 --reason resigned
out=$(row "$db" D1 FY2025); rc=$?
[[ "$out" == "0 0 11171 0 15638 2" ]]; report "before FY2027 is recorded: forfeited 11171, by plan 15638 (record 2)" $((1 - $?))
third_year "$db" "leave"
out=$(row "$db" D1 FY2025); rc=$?
[[ "$out" == "0 0 11171 0 15638 2" ]]; report "after FY2027 (which no longer carries D1) is recorded: the same" $((1 - $?))
check "show says so" 0 "FY2025  award_units  2025-03-15  26809           0       0      11171            0  15638 (record 2)" \
  "$hoshu" register show "$db" --director D1
out=$(row "$db" D1 FY2026); rc=$?
[[ "$out" == "0 0 24348 0 0 2" ]]; report "D1's FY2026 grant, forfeited before the plan released any: nothing by plan (its own record, 2, carries it whole)" $((1 - $?))
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))

# --- 2. A lift of everything still restricted: what the plan vested before is not lifted.
db=$work/lift.db
two_years "$db"
check "D1's FY2025 grant lifted" 0 "11171 RSUs lifted" \
  "$hoshu" register event "$db" --director D1 --kind lift --year FY2025 --date 2027-01-12 --reason "board decision"
third_year "$db" "lift"
out=$(row "$db" D1 FY2025); rc=$?
[[ "$out" == "0 11171 0 0 15638 2" ]]; report "lifted 11171, by plan 15638 (record 2)" $((1 - $?))
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))

# --- 3. A clawback, the grant carried on by the later record.
db=$work/claw.db
two_years "$db"
q register event "$db" --director D2 --kind clawback --year FY2025 --shares 100 --date 2027-02-01 --reason misconduct
third_year "$db" "clawback"
out=$(row "$db" D2 FY2025); rc=$?
[[ "$out" == *" 0 0 100 "*" 3" ]]; report "clawed back 100, the rest as FY2027 carries it (record 3)" $((1 - $?))
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))

# --- 4. A year evaluated again takes in the events dated within it, not those after it.
db=$work/restate.db
two_years "$db"
q register event "$db" --director D2 --kind lift --year FY2025 --shares 10 --date 2026-02-01 --reason "within FY2026, before its grant date"
q register event "$db" --director D2 --kind clawback --year FY2025 --shares 100 --date 2027-02-01 --reason misconduct
q register event "$db" --director D1 --kind leave --date 2027-03-01 --reason resigned
check "FY2026 again: the events dated after 2026-12-31 are left to FY2027" 0 \
  "event 3 (leave D1 on 2027-03-01) is dated after FY2026's last day, 2026-12-31: it is left to the next year" \
  "$hoshu" eval $p --inputs $t/fy2026.toml --register "$db"
[[ "$out" == *"event 2 (clawback D2 FY2025 on 2027-02-01) is dated after FY2026's last day"* && "$out" == *"1 event since"* ]]
report "... the clawback too; the lift dated within FY2026 applies" $((1 - $?))
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/restated.json"
[[ "$(outputs "$work/restated.json")" == "$(outputs "$db.fy2026.json")" ]]
report "FY2026's outputs are those first recorded (D1 vests 15638 as before; a lift changes no vesting)" $((1 - $?))
check "the restatement is recorded" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/restated.json" --grants award_units --supersede --reason "restated"
check "register verify" 0 "verified" "$hoshu" register verify "$db"
check "FY2027 applies the events FY2026 left to it" 0 "2 events since" "$hoshu" eval $p --inputs $t/fy2027.toml --register "$db"
out=$(row "$db" D1 FY2025); rc=$?
[[ "$out" == "0 0 11171 0 15638 3" ]]; report "D1's FY2025 grant: forfeited 11171, by plan 15638 (record 3)" $((1 - $?))
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))

# --- 5. A plan that names no year_end: a year evaluated again leaves the events recorded
# after it was first recorded to the next year; a year evaluated the first time takes them.
cp -r $p "$work/noend"
sed -i 's/year_end/vest_day/g' "$work/noend/plan.hoshu" "$work/noend"/tests/*.toml
db=$work/noend.db
q register init "$db"
q eval "$work/noend" --inputs "$work/noend/tests/fy2025.toml" --format json --out "$work/n2025.json"
q register record "$db" "$work/n2025.json" --grants award_units
q eval "$work/noend" --inputs "$work/noend/tests/fy2026.toml" --register "$db" --format json --out "$work/n2026.json"
q register record "$db" "$work/n2026.json" --grants award_units
q register event "$db" --director D2 --kind clawback --year FY2025 --shares 100 --date 2026-11-01 --reason misconduct
check "no year_end: FY2026 again leaves the event recorded since to FY2027, saying why" 0 \
  "event 1 (clawback D2 FY2025 on 2026-11-01) was recorded after FY2026 was first recorded (record 2), and the plan names no \`year_end\`" \
  "$hoshu" eval "$work/noend" --inputs "$work/noend/tests/fy2026.toml" --register "$db"
q eval "$work/noend" --inputs "$work/noend/tests/fy2026.toml" --register "$db" --format json --out "$work/n2026b.json"
check "... the restatement is recorded" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/n2026b.json" --grants award_units --supersede --reason "restated"
check "... and FY2027 applies it" 0 "1 event since" \
  "$hoshu" eval "$work/noend" --inputs "$work/noend/tests/fy2027.toml" --register "$db"

# --- 6. The latest record's own year: a grant its own year forfeited (misconduct) is not
# carried, so nothing of it is restricted from the moment it is recorded — not only once a
# later year is — and a lift of it is refused, as for an earlier year's grant.
p6=tests/cli/register_plans/inyear
db=$work/inyear.db
q register init "$db"
q eval $p6 --inputs $p6/fy2025.toml --format json --out "$work/i2025.json"
q register record "$db" "$work/i2025.json" --grants granted_shares
out=$(row "$db" K2 FY2025); rc=$?
[[ "$out" == "0 0 0 0 3000 1" ]]; report "K2's grant, forfeited by its own year: restricted 0, by plan 3000 (record 1)" $((1 - $?))
out=$(row "$db" K1 FY2025); rc=$?
[[ "$out" == "4000 0 0 0 0 1" ]]; report "K1's grant, carried whole: restricted 4000, by plan 0 (record 1)" $((1 - $?))
check "show says so" 0 "FY2025  granted_shares  2025-07-15    3000           0       0          0            0  3000 (record 1)" \
  "$hoshu" register show "$db" --director K2
check "a lift of the forfeited shares is refused" 2 "K2 has no restricted shares on 2025-09-01 to lift (record 1 (FY2025) carries the FY2025 grant with 0 restricted: its plan released or forfeited 3000" \
  "$hoshu" register event "$db" --director K2 --kind lift --date 2025-09-01 --reason "lift after forfeiture"
check "K1's grant is still lifted" 0 "recorded event 1: lift K1" \
  "$hoshu" register event "$db" --director K1 --kind lift --date 2025-09-01 --reason "board resolution"
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))

# --- 7. A leaver recorded only by a `leave` event need not be listed in the years after:
# the records the leave closed (nothing restricted) are left out when the inputs do not list
# the leaver; a leaver listed keeps them, one with a grant still restricted must be listed.
# inputs without D2: without_d2 IN OUT
without_d2() {
  python3 - "$1" "$2" <<'PY'
import sys
blocks = open(sys.argv[1]).read().split("[[directors]]")
open(sys.argv[2], "w").write("[[directors]]".join(b for b in blocks if 'id = "D2"' not in b))
PY
}
without_d2 $t/fy2026.toml "$work/no-d2-2026.toml"
without_d2 $t/fy2027.toml "$work/no-d2-2027.toml"
# D2's carried FY2025 records in a result: their `restricted`.
d2_restricted() { python3 -c "import json,sys; print([r['restricted'] for r in json.load(open(sys.argv[1]))['carry']['ledger'] if r['director']=='D2' and r['year']=='FY2025'])" "$1"; }
db=$work/leaver.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q register event "$db" --director D2 --kind leave --date 2026-02-01 --reason resigned
check "FY2026 without D2, who left by an event: D2's closed record is left out, with a note" 0 \
  "event 1 (leave D2 on 2026-02-01): nothing of \`D2\`'s is still restricted and the inputs do not list \`D2\`, so 1 carried record in \`ledger\` is left out" \
  "$hoshu" eval $p --inputs "$work/no-d2-2026.toml" --register "$db" --format json --out "$work/no-d2-2026.json"
check "... the result verifies (verify leaves out the same record)" 0 "verified" "$hoshu" verify "$work/no-d2-2026.json"
check "... and is recorded" 0 "recorded FY2026 as record 2" "$hoshu" register record "$db" "$work/no-d2-2026.json" --grants award_units
out=$(row "$db" D2 FY2025); rc=$?
[[ "$out" == "0 0 13404 0 0 1" ]]; report "D2's FY2025 grant: forfeited 13404 by the leave, nothing by plan (its own record, 1, carried it whole)" $((1 - $?))
check "register verify" 0 "verified" "$hoshu" register verify "$db"
check "FY2027 without D2" 0 "0 events since" "$hoshu" eval $p --inputs "$work/no-d2-2027.toml" --register "$db"
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/with-d2-2026.json"
others() { python3 -c "import json,sys; print(*[d for d in json.load(open(sys.argv[1]))['directors'] if d['id'] != 'D2'])" "$1"; }
[[ "$(others "$work/with-d2-2026.json")" == "$(others "$work/no-d2-2026.json")" ]]
report "the other directors' FY2026 outputs are the same with D2 listed or not" $((1 - $?))
# A plan that carries every award on, closed or not (as the IIJ plan does): the leaver listed
# in FY2026 keeps the closed record, carried on with nothing restricted; FY2027, which does not
# list D2, leaves it out (the leave was applied by FY2026's evaluation). D3, a leaver the plan
# computed (FY2026's inputs), has no leave event: the plan carries D3's record on, so D3 stays.
printf '\n[[directors]]\nid = "D3"\ntitle = "left in FY2026"\n' | cat "$work/no-d2-2027.toml" - > "$work/no-d2-with-d3-2027.toml"
cp -r $p "$work/all"
sed -i 's/for each award where left_after > 0 RSUs:/for each award:/' "$work/all/plan.hoshu"
db=$work/all.db
q register init "$db"
q eval "$work/all" --inputs $t/fy2025.toml --format json --out "$work/all2025.json"
q register record "$db" "$work/all2025.json" --grants award_units
q register event "$db" --director D2 --kind leave --date 2026-02-01 --reason resigned
run "$hoshu" eval "$work/all" --inputs $t/fy2026.toml --register "$db" --format json --out "$work/all2026.json"
[[ $rc == 0 && "$out" != *"left out"* && "$(d2_restricted "$work/all2026.json")" == "[0]" ]]
report "a leaver listed keeps the record the leave closed: FY2026 carries D2's FY2025 award on, nothing restricted" $((1 - $?))
q register record "$db" "$work/all2026.json" --grants award_units
check "FY2027 without D2: the record closed by the leave FY2026 applied is left out" 0 \
  "event 1 (leave D2 on 2026-02-01): nothing of \`D2\`'s is still restricted and the inputs do not list \`D2\`, so 1 carried record" \
  "$hoshu" eval "$work/all" --inputs "$work/no-d2-with-d3-2027.toml" --register "$db" --format json --out "$work/all2027.json"
check "... which verifies" 0 "verified" "$hoshu" verify "$work/all2027.json"
# A leaver granted again after the leave (back in March) has a grant still restricted: must be listed.
db=$work/back.db
q register init "$db"
q register record "$db" "$work/fy2025.json" --grants award_units
q register event "$db" --director D2 --kind leave --date 2026-02-01 --reason resigned
sed 's/^title = "CFO"$/title = "CFO"\naward_value = 100_000/' $t/fy2026.toml > "$work/back2026.toml"
q eval $p --inputs "$work/back2026.toml" --register "$db" --format json --out "$work/back2026.json"
q register record "$db" "$work/back2026.json" --grants award_units
check "a leaver with a grant still restricted must still be listed" 1 \
  "award 3 of \`ledger\` names director \`D2\`, who is not listed" \
  "$hoshu" eval $p --inputs "$work/no-d2-2027.toml" --register "$db"

# --- 8. Events recorded before the year they fall in is recorded, dated on or after that
# year's grant date (FY2026's, 2026-03-16): FY2026's evaluation applies them to the records it
# carries in, and FY2026's own grants were made by their dates.
#   - a leave forfeits everything restricted on its date, the year's own grant too: `show` and
#     `export` count D1's FY2026 grant (24348) forfeited, and FY2027 carries it with nothing
#     restricted and vests none of it (it vested 14203 while `show` called them forfeited);
#   - a lift or clawback of N shares takes them from the grant it was recorded against (as the
#     carried records do): D1's FY2026 grant stays whole (`show` lifted both grants whole and
#     clawed back nothing).
d1_carried() { python3 -c "import json,sys; print([(r['year'], r['restricted']) for r in json.load(open(sys.argv[1]))['carry']['ledger'] if r['director']=='D1'])" "$1"; }
d1_vested() { python3 -c "import json,sys; print([d['vested_units'] for d in json.load(open(sys.argv[1]))['directors'] if d['id']=='D1'])" "$1"; }
p=tests/cli/register_plans/ret
t=$p/tests
q eval $p --inputs $t/fy2025.toml --format json --out "$work/ret2025.json"
db=$work/own-year-leave.db
q register init "$db"
q register record "$db" "$work/ret2025.json" --grants award_units
check "D1 leaves on 2026-06-01, after FY2026's grant date, before FY2026 is recorded" 0 \
  "recorded event 1: leave D1 on 2026-06-01: 26809 restricted RSUs forfeited" \
  "$hoshu" register event "$db" --director D1 --kind leave --date 2026-06-01 --reason resigned
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/inyear2026.json"
check "... FY2026 (which grants D1 24348 on 2026-03-16) is recorded" 0 "recorded FY2026 as record 2" \
  "$hoshu" register record "$db" "$work/inyear2026.json" --grants award_units
out=$(row "$db" D1 FY2026); rc=$?
[[ "$out" == "0 0 24348 0 0 -" ]]; report "show/export: D1's FY2026 grant forfeited by the leave (24348)" $((1 - $?))
check "FY2027 evaluates from the register" 0 "" \
  "$hoshu" eval $p --inputs $t/fy2027.toml --register "$db" --format json --out "$work/inyear2027.json"
[[ "$(d1_vested "$work/inyear2027.json")" == "[0]" && "$(d1_carried "$work/inyear2027.json")" == "[]" ]]
report "... and vests none of D1's FY2026 grant, carrying nothing of D1's on" $((1 - $?))
run "$hoshu" explain $p --inputs $t/fy2027.toml --register "$db" --director D1 --value vested_units
[[ $rc == 0 && "$out" == *"event 1 (leave D1 FY2026 on 2026-06-01) made it 0"* ]]
report "explain names the leave beside D1's FY2026 record it closed" $((1 - $?))
check "... the FY2027 result verifies" 0 "verified" "$hoshu" verify "$work/inyear2027.json"
check "... and is recorded" 0 "recorded FY2027 as record 3" "$hoshu" register record "$db" "$work/inyear2027.json" --grants award_units
out=$(row "$db" D1 FY2026); rc=$?
[[ "$out" == "0 0 24348 0 0 -" ]]; report "after FY2027 is recorded: the same" $((1 - $?))
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))
check "register verify" 0 "verified" "$hoshu" register verify "$db"
without_d1() { python3 - "$1" "$2" <<'PY'
import sys
blocks = open(sys.argv[1]).read().split("[[directors]]")
open(sys.argv[2], "w").write("[[directors]]".join(b for b in blocks if 'id = "D1"' not in b))
PY
}
db=$work/inyear-out.db
q register init "$db"
q register record "$db" "$work/ret2025.json" --grants award_units
q register event "$db" --director D1 --kind leave --date 2026-06-01 --reason resigned
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/inyear-out2026.json"
q register record "$db" "$work/inyear-out2026.json" --grants award_units
without_d1 $t/fy2027.toml "$work/no-d1-2027.toml"
check "FY2027 need not list D1: the FY2026 grant the leave forfeited is closed too" 0 \
  "nothing of \`D1\`'s is still restricted and the inputs do not list \`D1\`, so 1 carried record" \
  "$hoshu" eval $p --inputs "$work/no-d1-2027.toml" --register "$db" --format json --out "$work/no-d1-2027.json"
check "... which verifies" 0 "verified" "$hoshu" verify "$work/no-d1-2027.json"

db=$work/inyear-lift.db
q register init "$db"
q register record "$db" "$work/ret2025.json" --grants award_units
q register event "$db" --director D1 --kind lift --shares 100 --date 2026-06-01 --reason "part lifted"
q register event "$db" --director D1 --kind clawback --shares 50 --date 2026-06-02 --reason "clawed back"
q eval $p --inputs $t/fy2026.toml --register "$db" --format json --out "$work/inyear-lift2026.json"
check "a lift and a clawback of D1 before FY2026 is recorded: FY2026 is recorded" 0 "recorded FY2026 as record 2" \
  "$hoshu" register record "$db" "$work/inyear-lift2026.json" --grants award_units
[[ "$(d1_carried "$work/inyear-lift2026.json")" == "[('FY2025', 11021), ('FY2026', 24348)]" ]]
report "... FY2026 carries D1's FY2025 grant less 100 + 50 less its vesting (11021), the FY2026 grant whole" $((1 - $?))
out=$(row "$db" D1 FY2025); rc=$?
[[ "$out" == "11021 100 0 50 15638 2" ]]; report "show/export: the FY2025 grant lifted 100, clawed back 50, 11021 restricted" $((1 - $?))
out=$(row "$db" D1 FY2026); rc=$?
[[ "$out" == "24348 0 0 0 0 2" ]]; report "... the FY2026 grant untouched: 24348 restricted" $((1 - $?))
out=$(unbalanced "$db"); rc=$?
[[ -z "$out" ]]; report "every grant's shares are accounted for once" $((1 - $?))

exit $fail
