#!/usr/bin/env bash
# What a register keeps when a year is recorded from elsewhere than the register, restated,
# or evaluated under scenarios:
#   1. a later year's result that carries nothing from the register (its inputs type the
#      ledger) is refused while the register holds events its record has not applied — the
#      next year would carry from it without them, while `show` keeps them;
#   2. a year restated and the next year evaluated again: an event recorded after that next
#      year was first recorded, dated after its grant date (a leave after a vesting), is left
#      to the year after, as the register counted it — what vested before the leave stays
#      vested, and the leave's count and `show` agree;
#   3. `record --supersede` refuses a restatement that no longer grants a director the
#      shares an event recorded against the year took (a clawback, a leave), and another
#      plan's result in place of the year's;
#   4. `batch --register` refuses a column the year's last day is computed from (it decides
#      which events the year takes in), as it refuses one that sets the fiscal year;
#   5. a year recorded twice with the same bytes (first with no grants, then naming them),
#      the next years carried from it, then restated: the STALE notes of `show`, `verify`,
#      `record` and `eval --register` name the record each year was computed from and the
#      record that supersedes what it rests on (they named the first record of those bytes).
#   6. a year's typed ledger that contradicts the grants the register holds (a count granted,
#      more restricted than the register holds) is refused with no event pending too, located
#      at the ledger's value; a year before one already recorded is refused; so is a record of
#      a grant the register does not hold (another director, a year spelt otherwise, a later
#      year, a grant from before the register began that its records do not carry);
#   7. an event dated before a recorded year's grant date that the year released the grant
#      without (a backdated clawback, lift or leave) is refused, never recorded and then
#      counted nowhere; one whose grant the year still holds restricted is recorded and counted.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
G=tenure_rs_shares,annual_rs_shares,midterm_rs_shares,additional_shares
E=examples/iij
p=tests/cli/register_plans/vest2
# The value of an output of a director in a result.
value() { python3 -c "import json,sys; print([d[sys.argv[3]] for d in json.load(open(sys.argv[1]))['directors'] if d['id']==sys.argv[2]][0])" "$@"; }
iij_edit() {  # iij_edit IN OUT YEAR DIRECTOR COMPONENT PYTHON: IN with that [[ledger]] block, b, made PYTHON (of b), in OUT
  python3 - "$@" <<'PY3'
import re, sys
src, out, year, director, component, edit = sys.argv[1:7]
blocks = open(src, encoding='utf-8').read().split('[[ledger]]')
for k, b in enumerate(blocks):
    if f'year        = "{year}"' in b and f'director    = "{director}"' in b and f'component   = "{component}"' in b:
        blocks[k] = eval(edit)
open(out, 'w', encoding='utf-8').write('[[ledger]]'.join(blocks))
PY3
}

q eval rules/iij --inputs $E/fy2024.toml --format json --out "$work/fy2024.json"

# --- 1. A typed ledger after a recorded year, with an event pending.
db=$work/typed.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $G
q register event "$db" --director D01 --kind clawback --shares 100 --year FY2024 --grant annual_rs_shares \
  --date 2025-08-01 --reason "committee: clawback"
q eval rules/iij --inputs $E/fy2025.toml --format json --out "$work/fy2025-typed.json"
check "a FY2025 result from a typed ledger is refused: it does not apply event 1" 2 \
  "carries nothing from the register: its inputs give the carried records themselves, and they do not apply the 1 event the register holds against the FY2024 record (record 1) and has not applied yet:
  event 1 (clawback D01 FY2024 annual_rs_shares 100 on 2025-08-01)" \
  "$hoshu" register record "$db" "$work/fy2025-typed.json" --grants $G
[[ "$out" == *"--register $db --format json --out RESULT.json"* ]]; report "... saying to evaluate it with --register" $((1 - $?))
# The inputs type the ledger, which `eval --register` refuses: the hint names a copy without
# it (as fy2025-carried.toml is), not these inputs, and the plan the result was evaluated on.
[[ "$out" == *"evaluate FY2025 from it, on a copy of \`"*"fy2025.toml\` without its [[ledger]]"* &&
   "$out" == *"rules/iij --inputs COPY.toml --register $db --format json --out RESULT.json), then record that result"* &&
   "$out" != *"--inputs $E/fy2025.toml --register"* ]]
report "... on a copy of the inputs without their [[ledger]], which eval --register refuses" $((1 - $?))
# The same records written as one array: the hint names them as they are written.
python3 - "$E/fy2025.toml" "$work/fy2025-inline.toml" <<'PY3'
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
start = re.search(r'^\[\[ledger\]\]', text, re.M).start()
records = []
for block in re.split(r'^\[\[ledger\]\]', text[start:], flags=re.M)[1:]:
    fields = [l.split('#')[0].strip() for l in block.split('\n') if '=' in l.split('#')[0]]
    records.append('{ ' + ', '.join(fields) + ' }')
open(sys.argv[2], 'w', encoding='utf-8').write('ledger = [\n' + ',\n'.join(records) + '\n]\n' + text[:start])
PY3
q eval rules/iij --inputs "$work/fy2025-inline.toml" --format json --out "$work/fy2025-inline.json"
check "... and typed as one array, refused so too" 2 "on a copy of \`$work/fy2025-inline.toml\` without its \`ledger = [...]\`" \
  "$hoshu" register record "$db" "$work/fy2025-inline.json" --grants $G
check "... (these inputs, as they are, eval --register refuses)" 2 "the inputs give \`ledger\`, which is carried from" \
  "$hoshu" eval rules/iij --inputs $E/fy2025.toml --register "$db"
check "... nothing is recorded" 0 "1 record and 1 event" "$hoshu" register verify "$db"
q eval rules/iij --inputs $E/fy2025-carried.toml --register "$db" --format json --out "$work/fy2025-reg.json"
check "FY2025 from the register is recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/fy2025-reg.json" --grants $G
# Inputs that say the year carries nothing (`ledger = []`): the hint names that key.
db=$work/typed-empty.db
q register init "$db"
q eval $p --inputs $p/fy2024.toml --format json --out "$work/e24.json"
q register record "$db" "$work/e24.json" --grants award_shares
q register event "$db" --director A --kind clawback --shares 300 --year FY2024 --date 2025-12-01 --reason clawback
{ echo 'ledger = []'; cat $p/fy2025.toml; } > "$work/fy2025-empty.toml"
q eval $p --inputs "$work/fy2025-empty.toml" --format json --out "$work/e25.json"
check "a FY2025 result from \`ledger = []\` is refused: it does not apply event 1" 2 \
  "on a copy of \`$work/fy2025-empty.toml\` without its \`ledger = []\`" \
  "$hoshu" register record "$db" "$work/e25.json" --grants award_shares
db=$work/typed-none.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $G
check "with no event pending, a typed ledger is still recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/fy2025-typed.json" --grants $G

# --- 2. A restatement, then the next year again: a leave after the vesting.
db=$work/restate.db
q register init "$db"
q eval $p --inputs $p/fy2024.toml --format json --out "$work/r24.json"
q register record "$db" "$work/r24.json" --grants award_shares
q eval $p --inputs $p/fy2025.toml --register "$db" --format json --out "$work/r25.json"
q register record "$db" "$work/r25.json" --grants award_shares
q register event "$db" --director A --kind clawback --shares 300 --year FY2024 --date 2025-12-01 --reason clawback
q eval $p --inputs $p/fy2026.toml --register "$db" --format json --out "$work/r26.json"
q register record "$db" "$work/r26.json" --grants award_shares
[[ "$(value "$work/r26.json" A vested_shares)" == 700 ]]
report "FY2026 first recorded: A's FY2024 grant (1000, 300 clawed back) vests 700 on 2026-06-30" $((1 - $?))
check "A leaves on 2026-09-01: the FY2025 and FY2026 grants are forfeited" 0 "2000 restricted shares forfeited" \
  "$hoshu" register event "$db" --director A --kind leave --date 2026-09-01 --reason resigned
q eval $p --inputs $p/fy2025-restated.toml --register "$db" --format json --out "$work/r25b.json"
q register record "$db" "$work/r25b.json" --grants award_shares --supersede --reason "B's pay corrected"
check "a clawback of B's FY2024 grant while FY2026 is stale is refused: FY2026 again may release it" 2 \
  "\`B\`'s FY2024 award_shares awaits record 3 (FY2026), computed from a record since superseded" \
  "$hoshu" register event "$db" --director B --kind clawback --shares 100 --year FY2024 --date 2026-08-01 --reason late
check "... and so is a lift of it" 2 "a lift now could count nothing once it is; evaluate FY2026 again (--register)" \
  "$hoshu" register event "$db" --director B --kind lift --year FY2024 --date 2026-08-01 --reason late
# A typed ledger of FY2027 over the stale FY2026 is refused as a carried FY2027 would be.
sed -e 's/FY2026/FY2027/; s/2026-/2027-/g' $p/fy2026.toml > "$work/fy2027-typed.toml"
printf 'ledger = [\n  { year = "FY2026", director = "B", grant_date = 2026-06-30, shares = 2000, restricted = 2000 },\n]\n' \
  | cat - "$work/fy2027-typed.toml" > "$work/fy2027-typed2.toml"
q eval $p --inputs "$work/fy2027-typed2.toml" --format json --out "$work/r27-typed.json"
check "a typed FY2027 after the stale FY2026 is refused" 2 \
  "types the records it carries, after the FY2026 result of record 3, which was computed from record 2 (FY2025), which record 4 supersedes: evaluate FY2026 again" \
  "$hoshu" register record "$db" "$work/r27-typed.json" --grants award_shares
check "FY2026 again: the leave, recorded after FY2026 was, dated after its grant date, is left to FY2027" 0 \
  "event 2 (leave A on 2026-09-01) was recorded after FY2026 was first recorded (record 3) and is dated on or after its grant date, 2026-06-30" \
  "$hoshu" eval $p --inputs $p/fy2026.toml --register "$db" --format json --out "$work/r26b.json"
[[ "$(value "$work/r26b.json" A vested_shares)" == 700 ]]
report "... A still vests the 700 shares of 2026-06-30" $((1 - $?))
check "the re-evaluated FY2026 is recorded" 0 "recorded FY2026 as record 5" \
  "$hoshu" register record "$db" "$work/r26b.json" --grants award_shares --supersede --reason "re-evaluated"
run "$hoshu" register export "$db" --format json
forfeited=$(python3 -c "import json,sys; print(sum(g['forfeited'] for g in json.load(sys.stdin)['grants'] if g['director']=='A'))" <<<"$out")
[[ "$forfeited" == 2000 ]]; report "show counts 2000 forfeited for A, as the leave says (not 2700)" $((1 - $?))
check "show: the FY2024 grant vested by plan in the new FY2026 record" 0 "FY2024  award_shares  2024-06-30    1000           0       0          0          300  700 (record 5)" \
  "$hoshu" register show "$db" --director A

# --- 3. A supersede that no longer grants what an event took.
db=$work/sup.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $G
q register event "$db" --director D01 --kind clawback --shares 100 --year FY2024 --grant annual_rs_shares --date 2025-08-01 --reason clawback
q register event "$db" --director D02 --kind leave --date 2025-08-01 --reason left
python3 - "$E/fy2024.toml" "$work/without.toml" <<'PY'
import sys
s = open(sys.argv[1], encoding='utf-8').read()
for d in ('D01', 'D02'):
    i = s.index('[[directors]]\nid               = "%s"' % d); j = s.index('[[directors]]', i + 5)
    s = s[:i] + s[j:]
open(sys.argv[2], 'w', encoding='utf-8').write(s)
PY
q eval rules/iij --inputs "$work/without.toml" --format json --out "$work/without.json"
check "a restatement granting D01 and D02 nothing is refused, naming both events" 2 \
  "event 1 (clawback D01 FY2024 annual_rs_shares 100 on 2025-08-01): the new record grants D01 no FY2024 annual_rs_shares" \
  "$hoshu" register record "$db" "$work/without.json" --grants $G --supersede --reason restated
[[ "$out" == *"event 2 (leave D02 on 2025-08-01): the new record grants D02 no FY2024 shares"* ]]
report "... and the leave" $((1 - $?))
q eval $p --inputs $p/fy2024.toml --format json --out "$work/other.json"
check "another plan's result in place of the year's is refused" 2 \
  "is a result of the plan \"IIJ 取締役報酬制度 (2024年6月改定)\", and the new result is of the plan \"Vest two years\"" \
  "$hoshu" register record "$db" "$work/other.json" --grants award_shares --supersede --reason "other plan"
check "... nothing is recorded" 0 "1 record and 2 events" "$hoshu" register verify "$db"

# --- 4. batch --register: a column the year's last day is computed from.
vest_db() {  # vest_db NAME RESULT: a register in $db ($work/NAME.db) holding RESULT, a year of vest2's
  db=$work/$1.db
  q register init "$db"
  q register record "$db" "$2" --grants award_shares
}
vest_db batch "$work/r24.json"
q register record "$db" "$work/r25.json" --grants award_shares
printf 'scenario,year_start\nbase,\nyear from July,2025-07-01\n' > "$work/start.csv"
check "a year_start column (year_end is computed from it) is refused with --register" 2 \
  "\`year_start\` changes the year's last day (2026-03-31: the plan's \`year_end\`, or its \`grant_date\` when later)" \
  "$hoshu" batch $p --inputs $p/fy2025.toml --register "$db" --scenarios "$work/start.csv"
printf 'scenario,grant_date\nlate,2026-06-30\n' > "$work/grant.csv"
check "so is a grant_date column" 2 "\`grant_date\` changes the year's last day" \
  "$hoshu" batch $p --inputs $p/fy2025.toml --register "$db" --scenarios "$work/grant.csv"
printf 'scenario,directors.B.pay\nmore,3000000\n' > "$work/pay.csv"
check "a pay column is evaluated" 0 "more" \
  "$hoshu" batch $p --inputs $p/fy2025.toml --register "$db" --scenarios "$work/pay.csv"
check "without --register a year_start column is evaluated" 0 "year from July" \
  "$hoshu" batch $p --inputs $p/fy2024.toml --scenarios "$work/start.csv"

# --- 5. The same bytes recorded twice, then restated: which records the STALE notes name.
r=tests/cli/register_plans/regrant
db=$work/regrant.db
q register init "$db"
q eval $r --inputs $r/fy2024.toml --format json --out "$work/g24.json"
q register record "$db" "$work/g24.json"
q register record "$db" "$work/g24.json" --supersede --reason "name its grants" --grants granted
q eval $r --inputs $r/fy2025.toml --register "$db" --format json --out "$work/g25.json"
q register record "$db" "$work/g25.json" --grants granted
q eval $r --inputs $r/fy2026.toml --register "$db" --format json --out "$work/g26.json"
q register record "$db" "$work/g26.json" --grants granted
run "$hoshu" register show "$db"
[[ $rc -eq 0 && "$out" == *"       4  FY2026"* && "$out" != *STALE* ]]; report "records 1 to 4: nothing is stale" $((1 - $?))
q eval $r --inputs $r/fy2024-restated.toml --format json --out "$work/g24b.json"
check "FY2024 restated: FY2025 was computed from record 2, which the new record supersedes" 0 \
  "warning: record 3 (FY2025) was computed from record 2 (FY2024), which the new record supersedes" \
  "$hoshu" register record "$db" "$work/g24b.json" --supersede --reason restated --grants granted
[[ "$out" == *"warning: record 4 (FY2026) was computed from record 3 (FY2025), which rests on record 2 (FY2024), which the new record supersedes"* ]]
report "... FY2026 from record 3, which rests on record 2" $((1 - $?))
[[ "$out" == *"recorded FY2024 as record 5"* ]]; report "... recorded as record 5" $((1 - $?))
run "$hoshu" register show "$db"
line() { grep -E "^ +$1  " <<< "$out"; }
[[ "$(line 3)" == *"current -- STALE: computed from record 2 (FY2024), which record 5 supersedes: evaluate FY2025 again"* ]]
report "show: record 3 (FY2025) is stale, computed from record 2, which record 5 supersedes" $((1 - $?))
[[ "$(line 4)" == *"current -- STALE: computed from record 3 (FY2025), which rests on record 2 (FY2024), which record 5 supersedes: evaluate FY2026 again"* ]]
report "show: record 4 (FY2026) is stale, computed from record 3, which rests on record 2" $((1 - $?))
[[ "$(line 1)" != *STALE* && "$(line 5)" != *STALE* && "$(line 2)" == *"superseded by record 5"* ]]
report "... records 1, 2 and 5 are not" $((1 - $?))
check "verify names the same records" 0 \
  "warning: record 3 (FY2025) was computed from record 2 (FY2024), which record 5 supersedes: evaluate FY2025 again" \
  "$hoshu" register verify "$db"
[[ "$out" == *"warning: record 4 (FY2026) was computed from record 3 (FY2025), which rests on record 2 (FY2024), which record 5 supersedes"* ]]
report "... and record 4's" $((1 - $?))
check "eval --register of FY2026 again: the FY2025 result it carries was computed from record 2" 0 \
  "warning: --register $db: the FY2025 result carried from (record 3) was computed from record 2 (FY2024), which record 5 supersedes" \
  "$hoshu" eval $r --inputs $r/fy2026.toml --register "$db"
# --- 6. A typed ledger that contradicts the register, with no event pending; years out of order.
python3 - "$E/fy2025.toml" "$work/fy2025-9999.toml" <<'PY2'
import sys
s = open(sys.argv[1], encoding='utf-8').read()
i = s.index('component   = "annual"', s.index('director    = "D01"'))
for k in ('shares      = 7_269', 'restricted  = 7_269'):
    j = s.index(k, i); s = s[:j] + k.replace('7_269', '9_999') + s[j + len(k):]
open(sys.argv[2], 'w', encoding='utf-8').write(s)
PY2
q eval rules/iij --inputs "$work/fy2025-9999.toml" --format json --out "$work/fy2025-9999.json"
db=$work/typed-9999.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $G
check "a typed ledger giving D01's FY2024 annual grant as 9999 shares is refused (the register: 7269)" 2 \
  "fy2025-9999.toml:213:15: error: \`D01\`'s FY2024 annual_rs_shares: the inputs' carried records give it \`shares\` 9999, the register records 7269 granted" \
  "$hoshu" register record "$db" "$work/fy2025-9999.json" --grants $G
[[ "$out" == *"fy2025-9999.toml:214:15: error: \`D01\`'s FY2024 annual_rs_shares: the inputs' carried records give it \`restricted\` 9999, more than the register holds restricted of it as FY2025 opens, 7269 (record 1, FY2024, with the events since)"* ]]
report "... and its 9999 restricted, more than the register's 7269" $((1 - $?))
[[ "$out" == *"--register $db --format json --out RESULT.json"* ]]; report "... saying to evaluate it with --register" $((1 - $?))
check "... nothing is recorded" 0 "1 record and 0 events" "$hoshu" register verify "$db"
# A number the register carries that is no count (a base compensation, a division score):
# compared as a number, however written; another value refused.
sed '216s/base_comp   = 24_000_000/base_comp   = 25_000_000/' "$E/fy2025.toml" > "$work/fy2025-comp.toml"
q eval rules/iij --inputs "$work/fy2025-comp.toml" --format json --out "$work/fy2025-comp.json"
check "a typed ledger giving D01's FY2024 annual base_comp as 25,000,000 is refused (the register: 24,000,000)" 2 \
  "fy2025-comp.toml:216:15: error: \`D01\`'s FY2024 annual_rs_shares: the inputs' carried records give it \`base_comp\` 25000000, where the register hands FY2025 \`base_comp\` 24000000" \
  "$hoshu" register record "$db" "$work/fy2025-comp.json" --grants $G
sed -e '216s/base_comp   = 24_000_000/base_comp   = 24000000.0/' -e 's/^division_score = 1.10$/division_score = "110%"/' \
  -e '218s/$/\ndivision_score = 0/' \
  "$E/fy2025.toml" > "$work/fy2025-spelt.toml"
q eval rules/iij --inputs "$work/fy2025-spelt.toml" --format json --out "$work/fy2025-spelt.json"
check "... the same numbers written otherwise (24000000.0, \"110%\"), and the plan's default written out where the register carries none (division_score = 0), are recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/fy2025-spelt.json" --grants $G
db=$work/order.db
q register init "$db"
q register record "$db" "$work/fy2025-typed.json" --grants $G
check "FY2024 after FY2025 is refused: the years are recorded in order" 2 \
  "is of FY2024, before FY2025, which the register records already (record 1): a register records its years in order" \
  "$hoshu" register record "$db" "$work/fy2024.json" --grants $G
check "... nothing is recorded" 0 "1 record and 0 events" "$hoshu" register verify "$db"
# The vesting plan's records name no grant (one grant a director a year): more restricted than
# the register holds refused, the count too; the ledger as the register has it recorded.
ledger() {  # ledger FILE A_SHARES A_RESTRICTED: FY2025's inputs with a typed FY2024 ledger
  { sed '/^\[\[directors\]\]/,$d' $p/fy2025.toml
    printf 'ledger = [\n  { year = "FY2024", director = "A", grant_date = 2024-06-30, shares = %s, restricted = %s },\n' "$2" "$3"
    printf '  { year = "FY2024", director = "B", grant_date = 2024-06-30, shares = 2000, restricted = 2000 },\n]\n\n'
    sed -n '/^\[\[directors\]\]/,$p' $p/fy2025.toml; } > "$1"
}
vest_db vest-typed "$work/r24.json"
ledger "$work/v25-count.toml" 1200 1000
ledger "$work/v25-same.toml" 1000 1000
q eval $p --inputs "$work/v25-count.toml" --format json --out "$work/v25-count.json"
check "vesting plan: a ledger giving A's FY2024 grant 1200 shares is refused" 2 \
  "\`A\`'s FY2024 award_shares: the inputs' carried records give it \`shares\` 1200, the register records 1000 granted" \
  "$hoshu" register record "$db" "$work/v25-count.json" --grants award_shares
q eval $p --inputs "$work/v25-same.toml" --format json --out "$work/v25-same.json"
check "... the ledger as the register holds it is recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/v25-same.json" --grants award_shares
[[ "$out" != *warning* ]]; report "... without a warning" $((1 - $?))
# Another field the register carries, given otherwise: refused, as a count is.
sed 's/director = "A", grant_date = 2024-06-30/director = "A", grant_date = 2023-01-01/' "$work/v25-same.toml" > "$work/v25-date.toml"
q eval $p --inputs "$work/v25-date.toml" --format json --out "$work/v25-date.json"
vest_db vest-date "$work/r24.json"
check "a ledger moving A's FY2024 grant date to 2023-01-01 (the register: 2024-06-30) is refused" 2 \
  "v25-date.toml:7:51: error: \`A\`'s FY2024 award_shares: the inputs' carried records give it \`grant_date\` 2023-01-01, where the register hands FY2025 \`grant_date\` 2024-06-30 (record 1, FY2024, with the events since)" \
  "$hoshu" register record "$db" "$work/v25-date.json" --grants award_shares
# Fewer restricted than the register holds, or a grant left out: recorded (a release the
# register does not know of counts by plan), with a warning at the value and a hint.
ledger "$work/v25-fewer.toml" 1000 400
q eval $p --inputs "$work/v25-fewer.toml" --format json --out "$work/v25-fewer.json"
vest_db vest-fewer "$work/r24.json"
check "a ledger giving A's FY2024 grant 400 restricted (the register: 1000) is recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/v25-fewer.json" --grants award_shares
[[ "$out" == *"v25-fewer.toml:"*": warning: \`A\`'s FY2024 award_shares: the inputs' carried records give it \`restricted\` 400, fewer than the register holds restricted of it as FY2025 opens, 1000 (record 1, FY2024, with the events since): recorded, the difference counts as released by the plan"* ]]
report "... with a warning located at the value" $((1 - $?))
[[ "$out" == *"hint: a restriction that lifted is a \`lift\` event"* && "$out" == *"--register $db --format json"* ]]
report "... and a hint: a lift event, or an evaluation from the register" $((1 - $?))
grep -v 'director = "B"' "$work/v25-same.toml" > "$work/v25-left-out.toml"
q eval $p --inputs "$work/v25-left-out.toml" --format json --out "$work/v25-left-out.json"
vest_db vest-left-out "$work/r24.json"
check "a ledger leaving out B's FY2024 grant is recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/v25-left-out.json" --grants award_shares
[[ "$out" == *"v25-left-out.toml:"*":"*": warning: \`B\`'s FY2024 award_shares: the inputs' carried records leave it out, while the register holds 2000 of it restricted as FY2025 opens"* && "$out" == *"ledger = ["*"^"* ]]
report "... with a warning naming the grant left out, located at the ledger" $((1 - $?))
# Records of grants the register does not hold: refused, located at the record's year. A
# director, a year spelt otherwise, a later year, even with no shares; a grant made before the
# register began that the records handed the year do not carry.
extra() {  # extra FILE RECORD: v25-same.toml with one more record in its ledger
  sed "s/^ledger = \[\$/ledger = [\n  $2,/" "$work/v25-same.toml" > "$1"
}
vest_db vest-extra "$work/r24.json"
n=0
while IFS='|' read -r what record message; do
  n=$((n + 1))
  extra "$work/v25-extra$n.toml" "$record"
  printf '\n[[directors]]\nid = "C"\npay = 0\n' >> "$work/v25-extra$n.toml"   # (listed, granted nothing)
  q eval $p --inputs "$work/v25-extra$n.toml" --format json --out "$work/v25-extra$n.json"
  check "a ledger with a record of $what is refused" 2 "v25-extra$n.toml:7:$message" \
    "$hoshu" register record "$db" "$work/v25-extra$n.json" --grants award_shares
done <<'CASES'
director C, whom FY2024 granted nothing|{ year = "FY2024", director = "C", grant_date = 2024-06-30, shares = 500, restricted = 500 }|12: error: `C`'s record of `FY2024`: the inputs' carried records give a grant the register does not hold: record 1 of FY2024 grants `C` nothing
the same, of no shares|{ year = "FY2024", director = "C", grant_date = 2024-06-30, shares = 0, restricted = 0 }|12: error: `C`'s record of `FY2024`: the inputs' carried records give a grant the register does not hold: record 1 of FY2024 grants `C` nothing
FY2024 spelt fy2024|{ year = "fy2024", director = "A", grant_date = 2024-06-30, shares = 1000, restricted = 1000 }|12: error: `A`'s record of `fy2024`: the inputs' carried records give a grant the register does not hold: the register records no year `fy2024` before FY2025 (it records `FY2024`: a grant made before it began is of a year before `FY2024`)
FY2024 with a space|{ year = "FY2024 ", director = "A", grant_date = 2024-06-30, shares = 1000, restricted = 1000 }|12: error: `A`'s record of `FY2024 `: the inputs' carried records give a grant the register does not hold: the register records no year `FY2024 `
FY2030, of no shares|{ year = "FY2030", director = "A", grant_date = 2024-06-30, shares = 0, restricted = 0 }|12: error: `A`'s record of `FY2030`: the inputs' carried records give a grant the register does not hold: the register records no year `FY2030` before FY2025
FY2023, before the register began, that it never carried|{ year = "FY2023", director = "A", grant_date = 2023-06-30, shares = 500, restricted = 500 }|12: error: `A`'s record of `FY2023`: the inputs' carried records give a grant the register does not hold: it began with FY2024, and the records it hands FY2025 (record 1, FY2024, with the events since) carry none of `A`'s FY2023 grants
A's FY2024 grant twice, the second of no shares|{ year = "FY2024", director = "A", grant_date = 2024-06-30, shares = 0, restricted = 0 }|33: error: `A`'s FY2024 award_shares: the inputs' carried records give 2 records of it, where the register carries 1 (record 1, FY2024, with the events since)
CASES
# A register begun over a grant made before it (FY2024 typed with A's FY2023 grant, 300 of
# its 500 shares still restricted): the years after give that record as the register's
# records carry it, field for field, with no more restricted.
sed 's/^ledger = \[\]/ledger = [ { year = "FY2023", director = "A", grant_date = 2023-06-30, shares = 500, restricted = 300 } ]/' \
  $p/fy2024.toml > "$work/v24-pre.toml"
q eval $p --inputs "$work/v24-pre.toml" --format json --out "$work/r24-pre.json"
pre_db() { vest_db "$1" "$work/r24-pre.json"; }  # pre_db NAME: a register holding the FY2024 typed over A's FY2023 grant
pre_db vest-pre
n=0
while IFS='|' read -r what date shares restricted message; do
  n=$((n + 1))
  extra "$work/v25-pre$n.toml" "{ year = \"FY2023\", director = \"A\", grant_date = $date, shares = $shares, restricted = $restricted }"
  q eval $p --inputs "$work/v25-pre$n.toml" --format json --out "$work/v25-pre$n.json"
  check "a grant made before the register began, given $what, is refused" 2 "v25-pre$n.toml:7:$message" \
    "$hoshu" register record "$db" "$work/v25-pre$n.json" --grants award_shares
done <<'CASES'
more restricted than its first record carries|2023-06-30|500|400|90: error: `A`'s `FY2023` grants, made before the register began: the inputs' carried records give one `restricted` 400, more than the records handed FY2025 carry of it, 300 (record 1, FY2024, with the events since)
another count granted|2023-06-30|700|300|72: error: `A`'s `FY2023` grants, made before the register began: the inputs' carried records give one `shares` 700, where the records handed FY2025 carry `shares` 500 (record 1, FY2024, with the events since)
no shares|2023-06-30|0|0|72: error: `A`'s `FY2023` grants, made before the register began: the inputs' carried records give one `shares` 0, where the records handed FY2025 carry `shares` 500
another grant date|2022-06-30|500|300|51: error: `A`'s `FY2023` grants, made before the register began: the inputs' carried records give one `grant_date` 2022-06-30, where the records handed FY2025 carry `grant_date` 2023-06-30
CASES
extra "$work/v25-pre.toml" '{ year = "FY2023", director = "A", grant_date = 2023-06-30, shares = 500, restricted = 300 }'
q eval $p --inputs "$work/v25-pre.toml" --format json --out "$work/v25-pre.json"
check "... and one as its first record carries it is recorded" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$db" "$work/v25-pre.json" --grants award_shares
[[ "$out" != *warning* ]]; report "... without a warning" $((1 - $?))
extra "$work/v25-pre-fewer.toml" '{ year = "FY2023", director = "A", grant_date = 2023-06-30, shares = 500, restricted = 100 }'
q eval $p --inputs "$work/v25-pre-fewer.toml" --format json --out "$work/v25-pre-fewer.json"
pre_db vest-pre-fewer
# Fewer restricted, or one left out, where the plan vests what is restricted: the year
# computes otherwise with the register's records (A vests 100 or none of 300), refused.
check "... one given fewer restricted (vesting 100, not 300) is refused" 2 \
  "v25-pre-fewer.toml:7:90: error: \`A\`'s \`FY2023\` grants, made before the register began: the inputs' carried records give one \`restricted\` 100, fewer than the records handed FY2025 carry of it, 300 (record 1, FY2024, with the events since)
    { year" \
  "$hoshu" register record "$db" "$work/v25-pre-fewer.json" --grants award_shares
[[ "$out" == *"is computed from carried records that give less than the register holds (1 place above), and with the register's records the year computes otherwise:
  directors[\"A\"].vested_shares: 100 in this result, 300 with the register's records
hint: write back what the register holds"* ]]
report "... naming the figure it changes" $((1 - $?))
check "... nothing is recorded" 0 "1 record and 0 events" "$hoshu" register verify "$db"
pre_db vest-pre-out
check "... one the ledger leaves out (vesting none of 300) is refused" 2 \
  "v25-same.toml:6:10: error: \`A\`'s \`FY2023\` grants, made before the register began: the inputs' carried records leave out one that the records handed FY2025 carry 300 restricted of (record 1, FY2024, with the events since)
  ledger = [" \
  "$hoshu" register record "$db" "$work/v25-same.json" --grants award_shares
[[ "$out" == *"  directors[\"A\"].vested_shares: 0 in this result, 300 with the register's records"* ]]
report "... naming the figure it changes" $((1 - $?))

# FY2026 typed from FY2025's own carry, where a leave recorded after FY2024 (B, 2025-12-01)
# forfeited B's FY2025 grant as FY2025 was evaluated from the register: the register holds none
# of it restricted, and 2,000 typed back is refused, not vested in FY2027.
typed26() {  # typed26 PLAN RESULT.json OUT.toml PYTHON_EDIT: PLAN's FY2026 inputs with RESULT's carry typed, edited
  local plan=$1; shift
  { sed '/^\[\[directors\]\]/,$d' $plan/fy2026.toml
    python3 - "$1" "$3" <<'PY'
import json, sys
rows = [dict(r) for r in json.load(open(sys.argv[1]))['carry']['ledger']]
exec(sys.argv[2])
field = lambda k, v: '%s = %s' % (k, v if k == 'grant_date' else json.dumps(v))
print('ledger = [\n' + ',\n'.join('  { ' + ', '.join(field(k, v) for k, v in r.items()) + ' }' for r in rows) + '\n]\n')
PY
    sed -n '/^\[\[directors\]\]/,$p' $plan/fy2026.toml; } > "$2"
}
vest_db vest-leave "$work/r24.json"
q register event "$db" --director B --kind leave --date 2025-12-01 --reason "left"
q eval $p --inputs $p/fy2025.toml --register "$db" --format json --out "$work/v25-leave.json"
q register record "$db" "$work/v25-leave.json" --grants award_shares
typed26 $p "$work/v25-leave.json" "$work/v26-leave.toml" "pass"
q eval $p --inputs "$work/v26-leave.toml" --format json --out "$work/v26-leave.json"
check "a grant a leave forfeited, typed back as restricted, is refused" 2 \
  "error: \`B\`'s FY2025 award_shares: the inputs' carried records give it \`restricted\` 2000, more than the register holds restricted of it as FY2026 opens, 0 (record 2, FY2025, with the events since)" \
  "$hoshu" register record "$db" "$work/v26-leave.json" --grants award_shares
# A left out altogether (records and all, 1,000 restricted and vesting): with the register's
# records the year does not evaluate (A is no director of it), refused; as the register holds
# it, recorded.
typed26 $p "$work/v25-leave.json" "$work/v26-leave-same.toml" \
  "rows = [dict(r, restricted=0) if r['director'] == 'B' and r['year'] == 'FY2025' else r for r in rows]"
q eval $p --inputs "$work/v26-leave-same.toml" --format json --out "$work/v26-leave-same.json"
python3 - "$work/v26-leave-same.toml" "$work/v26-no-a.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = '\n'.join(l for l in text.split('\n') if 'director = "A"' not in l)
text = re.sub(r'\[\[directors\]\]\nid = "A"\n[^\[]*', '', text)
open(sys.argv[2], 'w').write(text)
PY
q eval $p --inputs "$work/v26-no-a.toml" --format json --out "$work/v26-no-a.json"
check "... A and A's records left out: the year does not evaluate with the register's, refused" 2 \
  "with the register's records the year does not evaluate:" \
  "$hoshu" register record "$db" "$work/v26-no-a.json" --grants award_shares
check "... typed as the register holds it, recorded" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/v26-leave-same.json" --grants award_shares
# Two grants a director a year, carried as records that name neither (vest3): the records of
# a director's year are compared all at once. A's FY2024 bonus record typed as 0 restricted,
# or left out, vests 1,000 of 1,500: refused; typed as carried, recorded.
v3=tests/cli/register_plans/vest3
q eval $v3 --inputs $v3/fy2024.toml --format json --out "$work/v3-24.json"
db=$work/vest3.db
q register init "$db"
q register record "$db" "$work/v3-24.json"
q eval $v3 --inputs $v3/fy2025.toml --register "$db" --format json --out "$work/v3-25.json"
q register record "$db" "$work/v3-25.json"
for edit in "rows[1]['restricted'] = 0" "del rows[1]"; do
  typed26 $v3 "$work/v3-25.json" "$work/v3-26.toml" "$edit"
  q eval $v3 --inputs "$work/v3-26.toml" --format json --out "$work/v3-26.json"
  check "two grants a year named by neither record, $edit: refused" 2 \
    "\`A\`'s FY2024 award_shares, bonus_shares: the inputs' carried records give it \`restricted\` 1000, fewer than the register holds restricted of it as FY2026 opens, 1500" \
    "$hoshu" register record "$db" "$work/v3-26.json"
  [[ "$out" == *'directors["A"].vested_shares: 1000 in this result, 1500 with the register'* ]]
  report "... naming A's vested shares" $((1 - $?))
done
typed26 $v3 "$work/v3-25.json" "$work/v3-26.toml" "pass"
q eval $v3 --inputs "$work/v3-26.toml" --format json --out "$work/v3-26.json"
check "... typed as carried, recorded" 0 "recorded FY2026 as record 3" "$hoshu" register record "$db" "$work/v3-26.json"
# A typed record without `restricted`, where the plan reads a default of 0 shares for it: the
# year vests none of A's 1,000; refused as a field the register carries left out.
mkdir -p "$work/vest2d"
sed 's/^  input g_restricted: shares at restricted range 0 shares to g_shares$/&\n    default 0 shares/' $p/plan.hoshu > "$work/vest2d/plan.hoshu"
grep -q 'default 0 shares' "$work/vest2d/plan.hoshu" || { echo "FAIL vest2d: no default written"; fail=1; }
ledger "$work/v25-no-restricted.toml" 1000 1000
sed -i 's/ shares = 1000, restricted = 1000 }/ shares = 1000 }/' "$work/v25-no-restricted.toml"
q eval $work/vest2d --inputs $p/fy2024.toml --format json --out "$work/d24.json"
q eval $work/vest2d --inputs "$work/v25-no-restricted.toml" --format json --out "$work/d25.json"
vest_db vest-default "$work/d24.json"
check "a typed record leaving out \`restricted\` (the plan's default 0) is refused" 2 \
  "\`A\`'s FY2024 award_shares: the inputs' carried records give it no \`restricted\`, so the plan reads its default, where the records handed FY2025 carry 1000 restricted" \
  "$hoshu" register record "$db" "$work/d25.json" --grants award_shares

# The register's first year typed with a record of that year: refused (what a year carries is
# of the years before it), as a later year's would be.
sed 's/^ledger = \[\]/ledger = [ { year = "FY2024", director = "A", grant_date = 2023-06-30, shares = 500, restricted = 500 } ]/' \
  $p/fy2024.toml > "$work/v24-own.toml"
q eval $p --inputs "$work/v24-own.toml" --format json --out "$work/r24-own.json"
db=$work/vest-own.db
q register init "$db"
check "a first year typed with a carried record of its own year is refused" 2 \
  "v24-own.toml:5:21: error: \`A\`'s record of \`FY2024\`: the inputs' carried records give a grant of FY2024 or after, where what a year carries is of the years before it" \
  "$hoshu" register record "$db" "$work/r24-own.json" --grants award_shares
check "... nothing is recorded" 0 "0 records and 0 events" "$hoshu" register verify "$db"

# Carried records of another form (jp-bbt's balances of points, by director and fiscal_year):
# typed as the register carries them, recorded; a balance changed, or one left out, refused.
q eval rules/jp-bbt --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/bbt25.json"
balances() {  # balances FILE PYTHON_EDIT: FY2026's inputs with FY2025's balances typed, edited
  python3 - "$work/bbt25.json" "$2" > "$1" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))['carry']['balances']
exec(sys.argv[2])
print('balances = [' + ', '.join('{ director = "%s", fiscal_year = "%s", closing_points = %d }' % (r['director'], r['fiscal_year'], r['closing_points']) for r in rows) + ']')
PY
  cat examples/jp-bbt/fy2026.toml >> "$1"
}
balances "$work/bbt26-same.toml" "pass"
balances "$work/bbt26-more.toml" "rows[0]['closing_points'] = 99999"
balances "$work/bbt26-out.toml" "rows.pop(0)"
for f in same more out; do q eval rules/jp-bbt --inputs "$work/bbt26-$f.toml" --format json --out "$work/bbt26-$f.json"; done
for f in same more out; do q register init "$work/bbt-$f.db"; q register record "$work/bbt-$f.db" "$work/bbt25.json" --grants delivered_shares; done
check "jp-bbt: FY2026 typed with the balances FY2025 carries is recorded" 0 "recorded FY2026 as record 2" \
  "$hoshu" register record "$work/bbt-same.db" "$work/bbt26-same.json" --grants delivered_shares
check "... with a balance of 99999 points (the register: 9333) refused" 2 \
  "bbt26-more.toml:1:74: error: a carried record of \`D01\` of \`FY2025\`: the inputs' carried records give it \`closing_points\` 99999, where the records handed FY2026 carry \`closing_points\` 9333" \
  "$hoshu" register record "$work/bbt-more.db" "$work/bbt26-more.json" --grants delivered_shares
check "... with a balance left out (D01 opening with 0 points, not 9333) refused" 2 \
  "error: the inputs' carried records leave out one the records handed FY2026 carry, {\"director\": \"D01\", \"fiscal_year\": \"FY2025\", \"closing_points\": 9333} (record 1, FY2025, with the events since)" \
  "$hoshu" register record "$work/bbt-out.db" "$work/bbt26-out.json" --grants delivered_shares
[[ "$out" == *"  directors[\"D01\"].opening_balance: 0 in this result, 9333 with the register's records"* ]]
report "... naming the figures it changes" $((1 - $?))

# IIJ typed three years running: FY2026's ledger leaves out what the plan reads a default of
# (`division_score` 0 on the tenure records) and adds the committee's `reassessed_rate`, which
# no carry writes: recorded. A field the register carries left out where the plan's default
# differs (D01's FY2024 midterm `division_score` 1.00): refused.
db=$work/iij-typed3.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $G
q register record "$db" "$work/fy2025-typed.json" --grants $G
check "a typed year recorded again without --supersede: already recorded" 2 "FY2025 is already recorded (record 2)" \
  "$hoshu" register record "$db" "$work/fy2025-typed.json" --grants $G
[[ "$out" != *warning* ]]; report "... said first, with no warning of its typed records" $((1 - $?))
q eval rules/iij --inputs $E/fy2026.toml --format json --out "$work/fy2026-typed.json"
iij26() {  # iij26 NAME YEAR DIRECTOR COMPONENT PYTHON: the FY2026 example, that record edited, in $work/fy2026-NAME.json
  iij_edit "$E/fy2026.toml" "$work/fy2026-$1.toml" "${@:2}"
  q eval rules/iij --inputs "$work/fy2026-$1.toml" --format json --out "$work/fy2026-$1.json"
}
iij26 nodiv FY2024 D01 midterm "'\\n'.join(l for l in b.split('\\n') if not l.startswith('division_score'))"
check "IIJ: FY2026 typed with D01's FY2024 midterm division_score left out (the register: 1.00) is refused" 2 \
  "error: \`D01\`'s FY2024 midterm_rs_shares: the inputs' carried records give it \`division_score\` nothing, where the register hands FY2026 \`division_score\` 1" \
  "$hoshu" register record "$db" "$work/fy2026-nodiv.json" --grants $G
# D04's FY2025 midterm grant typed as 0 restricted (the register: 5,887): the committee's
# reassessment claws back 1,466 of them with the register's records, none with these. Refused,
# at that value only (the RS I releases the example types turn no figure).
iij26 d04 FY2025 D04 midterm "re.sub(r'(?m)^restricted\\s*=\\s*[\\d_]+', 'restricted  = 0', b)"
check "IIJ: FY2026 typed with D04's FY2025 midterm grant 0 restricted (a clawback of 1,466 lost) is refused" 2 \
  "fy2026-d04.toml:603:15: error: \`D04\`'s FY2025 midterm_rs_shares: the inputs' carried records give it \`restricted\` 0, fewer than the register holds restricted of it as FY2026 opens, 5887 (record 2, FY2025, with the events since)" \
  "$hoshu" register record "$db" "$work/fy2026-d04.json" --grants $G
[[ "$out" == *"(1 place above), and with the register's records the year computes otherwise:
  directors[\"D04\"].clawback_shares: 0 in this result, 1466 with the register's records
hint:"* && "$out" != *"tenure_rs_shares"* ]]
report "... naming the clawback, and not the releases that change nothing" $((1 - $?))
check "... FY2026 typed as the example is recorded" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/fy2026-typed.json" --grants $G
# A register begun in FY2025 whose typed records left out D01's FY2024 midterm `rate`: FY2026
# typed with it is refused, and the way out named is recording FY2025 again in its place.
db=$work/iij-norate.db
iij_edit "$E/fy2025.toml" "$work/fy2025-norate.toml" FY2024 D01 midterm \
  "'\\n'.join(l for l in b.split('\\n') if not l.startswith('rate '))"
q eval rules/iij --inputs "$work/fy2025-norate.toml" --format json --out "$work/fy2025-norate.json"
q register init "$db"
q register record "$db" "$work/fy2025-norate.json" --grants $G
check "a register begun without D01's FY2024 midterm rate refuses FY2026 typed with it, naming --supersede of FY2025" 2 \
  "or, where it is the register's record of FY2025 that is wrong, evaluate FY2025 again and record it in that one's place (register record $db RESULT.json --supersede --reason" \
  "$hoshu" register record "$db" "$work/fy2026-typed.json" --grants $G
# A plan whose grants are in no shares, its first year recorded without --grants: its record
# holds no grants, and a ledger typed from its own carry is refused, saying why.
rg=tests/cli/register_plans/regrant
q eval $rg --inputs $rg/fy2024.toml --format json --out "$work/rg24.json"
db=$work/regrant-bare.db
q register init "$db"
q register record "$db" "$work/rg24.json"
python3 - "$work/rg24.json" $rg/fy2025.toml "$work/rg25-typed.toml" <<'PY3'
import json, sys
rows = json.load(open(sys.argv[1], encoding='utf-8'))['carry']['ledger']
typed = 'ledger = [' + ', '.join('{ ' + ', '.join('%s = %s' % (k, json.dumps(v)) for k, v in r.items()) + ' }' for r in rows) + ']\n'
open(sys.argv[3], 'w', encoding='utf-8').write(typed + open(sys.argv[2], encoding='utf-8').read())
PY3
q eval $rg --inputs "$work/rg25-typed.toml" --format json --out "$work/rg25-typed.json"
check "a year recorded with no grants refuses its own carry typed back, saying it records none" 2 \
  "grants \`A\` nothing (it records no grants at all: it was recorded without --grants)" \
  "$hoshu" register record "$db" "$work/rg25-typed.json"
# Carried records with no `restricted` (points that vest): one left out is no release, refused.
pp=tests/cli/register_plans/points
q eval $pp --inputs $pp/fy2024.toml --format json --out "$work/pts24.json"
db=$work/points.db
q register init "$db"
q register record "$db" "$work/pts24.json" --grants earned_points
grep -v '^tranches' $pp/fy2025.toml > "$work/pts25n.toml"
q eval $pp --inputs "$work/pts25n.toml" --register "$db" --format json --out "$work/pts25.json"
q register record "$db" "$work/pts25.json" --grants earned_points
tranches() {  # tranches FILE PYTHON_EDIT: FY2026's inputs with FY2025's tranches typed, edited
  python3 - "$work/pts25.json" "$2" > "$1" <<'PY'
import json, sys
rows = [dict(r) for r in json.load(open(sys.argv[1]))['carry']['tranches']]
exec(sys.argv[2])
print('tranches = [' + ', '.join('{ ' + ', '.join('%s = %s' % (k, json.dumps(v)) for k, v in r.items()) + ' }' for r in rows) + ']')
PY
  sed 's/FY2025/FY2026/' "$work/pts25n.toml" >> "$1"
}
tranches "$work/pts26-same.toml" "pass"
tranches "$work/pts26-out.toml" "del rows[0]"
for f in same out; do q eval $pp --inputs "$work/pts26-$f.toml" --format json --out "$work/pts26-$f.json"; done
cp "$db" "$work/points-out.db"
check "points: FY2026 typed with a tranche left out is refused" 2 \
  "the inputs' carried records give 0 records of it, where the register carries 1" \
  "$hoshu" register record "$work/points-out.db" "$work/pts26-out.json" --grants earned_points
check "... typed as carried, recorded" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/pts26-same.json" --grants earned_points

# --- 7. Events dated before a recorded year's grant date.
vest_db back "$work/r24.json"
q register record "$db" "$work/r25.json" --grants award_shares
q eval $p --inputs $p/fy2026.toml --register "$db" --format json --out "$work/back26.json"
q register record "$db" "$work/back26.json" --grants award_shares
check "a clawback of A's FY2024 grant dated 2026-05-01, which FY2026 (granted 2026-06-30) vested without it, is refused" 2 \
  "clawback: record 3 (FY2026, granted 2026-06-30) released \`A\`'s FY2024 award_shares after 2026-05-01 without this clawback: it carries 0 of it still restricted, its plan released or forfeited 1000" \
  "$hoshu" register event "$db" --director A --kind clawback --shares 300 --year FY2024 --date 2026-05-01 --reason late
[[ "$out" == *"the clawback would count 0 shares where it says 300"* ]]; report "... saying the register would count 0 of its 300" $((1 - $?))
check "so is a lift of it" 2 "lift: record 3 (FY2026, granted 2026-06-30) released" \
  "$hoshu" register event "$db" --director A --kind lift --year FY2024 --date 2026-05-01 --reason late
check "and a leave on that date (before FY2026's own grant to A, refused as such)" 2 "is before the grant date 2026-06-30 of \`A\`'s FY2026 award_shares" \
  "$hoshu" register event "$db" --director A --kind leave --date 2026-05-01 --reason late
check "... nothing is recorded" 0 "3 records and 0 events" "$hoshu" register verify "$db"
check "a clawback of A's FY2025 grant on that date (FY2026 still holds it restricted) is recorded" 0 "300 shares clawed back" \
  "$hoshu" register event "$db" --director A --kind clawback --shares 300 --year FY2025 --date 2026-05-01 --reason late
check "... and counted by show" 0 "FY2025  award_shares  2025-06-30    1000         700       0          0          300" \
  "$hoshu" register show "$db" --director A
db=$work/iij-back.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $G
q eval rules/iij --inputs $E/fy2025-carried.toml --register "$db" --format json --out "$work/fy2025-c.json"
q register record "$db" "$work/fy2025-c.json" --grants $G
q eval rules/iij --inputs $E/fy2026-carried.toml --register "$db" --format json --out "$work/fy2026-c.json"
q register record "$db" "$work/fy2026-c.json" --grants $G
check "IIJ: a committee rate dated 2027-05-20, after FY2026 (granted 2027-06-24, the final year) is recorded, is refused" 2 \
  "rate: record 3 (FY2026, granted 2027-06-24) is recorded without this rate, dated 2027-05-20 before it" \
  "$hoshu" register event "$db" --director D05 --kind rate --year FY2025 --grant midterm_rs_shares --rate 0.5 --date 2027-05-20 --reason late
check "IIJ: a clawback of D02's FY2024 tenure grant dated 2025-08-01, which FY2025 released, is refused" 2 \
  "clawback: record 2 (FY2025, granted 2026-06-25) released \`D02\`'s FY2024 tenure_rs_shares after 2025-08-01 without this clawback" \
  "$hoshu" register event "$db" --director D02 --kind clawback --shares 500 --year FY2024 --grant tenure_rs_shares --date 2025-08-01 --reason late

exit $fail
