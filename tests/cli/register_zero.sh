#!/usr/bin/env bash
# What the register lists of a year: every grant recorded, a grant of 0 too — `show` names the
# grants of 0 on a line of their own (a beneficiary whose every grant is 0 is listed with that
# line), and `export` (CSV, JSON, xlsx) has one row per grant
# recorded, shares 0, so that the registrar reconciles against the list of beneficiaries; the
# balances and the events are those of the grants that hold shares, and `--as-of` before the
# grant date lists none of them. `show --as-of` before any grant shows no one, a beneficiary
# with a later event included. The note that a year grants to a leaver speaks of a record as
# the plan does (`1 beneficiary`).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
plan="$work/plan"
mkdir -p "$plan"
cat > "$plan/plan.hoshu" <<'X'
plan "Zero grants (test)"
  grants matching_shares, bonus_shares
unit EUR currency "€" minor 0.01
input fiscal_year: text at fiscal_year
input grant_date: date at grant_date range 2000-01-01 to 2100-12-31
input grant_price: EUR per share at grant_price range from €0 per share
collection beneficiaries: beneficiary at beneficiaries key id
per beneficiary
  input invested: shares at invested range 0 shares to 1,000 shares
  input bonus: shares at bonus range 0 shares to 1,000 shares
  output matching_shares: shares = invested * 2
  output bonus_shares: shares = bonus
end
X
inputs() {  # inputs YEAR DATE B01 B02 B03: each beneficiary's invested and bonus shares ("10/0")
  printf 'fiscal_year = "%s"\ngrant_date = %s\ngrant_price = "2.50"\n' "$1" "$2"
  local id=1
  for b in "$3" "$4" "$5"; do
    printf '[[beneficiaries]]\nid = "B0%d"\ninvested = %s\nbonus = %s\n' $id "${b%/*}" "${b#*/}"
    id=$((id + 1))
  done
}
inputs FY2026 2026-03-31 10/0 0/0 5/3 > "$work/fy2026.toml"
inputs FY2027 2027-03-31 1/1 0/0 4/0 > "$work/fy2027.toml"
db="$work/z.db"
q register init "$db"
q eval "$plan" --inputs "$work/fy2026.toml" --format json --out "$work/fy2026.json"
check "FY2026 recorded, its grants of 0 with it" 0 "recorded FY2026 as record 1" "$hoshu" register record "$db" "$work/fy2026.json" --by t
[[ $(sqlite3 "$db" "SELECT count(*) FROM result_lines WHERE kind = 'grant' AND value = '0'") == 3 ]]
report "… three grants of 0 in the register" $((1 - $?))

# --- show: B02, granted nothing, is listed; B01's grant of 0 under the one that holds shares.
run "$hoshu" register show "$db"
[[ $rc == 0 && "$out" == *$'\nB02\n  granted 0: FY2026 matching_shares, bonus_shares\n'* ]]
report "show lists a beneficiary whose every grant is 0, naming its grants of 0" $((1 - $?))
b01=$(sed -n '/^B01$/,/^$/p' <<< "$out")
[[ "$b01" == *$'\n  FY2026  matching_shares  2026-03-31      20          20       0          0            0  0\n  granted 0: FY2026 bonus_shares'* &&
   "$b01" != *"bonus_shares  "* ]]
ok=$?; out=$b01; report "show names B01's grant of 0 under the table of the grant that holds shares" $((1 - ok))
check "show --director B02 names its grants of 0" 0 $'B02\n  granted 0: FY2026 matching_shares, bonus_shares' \
  "$hoshu" register show "$db" --director B02

# --- export: one row per grant recorded.
run "$hoshu" register export "$db" --no-csv-bom
csv=$out
[[ $rc == 0 && $(grep -c '^FY2026,' <<< "$csv") == 6 ]]; report "export: one row per grant recorded, 3 beneficiaries × 2 grants" $((1 - $?))
[[ "$csv" == *$'\nFY2026,B02,matching_shares,2026-03-31,2.5,0,0,0,0,0,0,0,1,,'* &&
   "$csv" == *$'\nFY2026,B02,bonus_shares,2026-03-31,2.5,0,0,0,0,0,0,0,1,,'* &&
   "$csv" == *$'\nFY2026,B01,bonus_shares,2026-03-31,2.5,0,0,0,0,0,0,0,1,,'* ]]
report "… a grant of 0 with shares 0, value 0 and every balance 0" $((1 - $?))
[[ $(head -1 <<< "$csv") == fiscal_year,beneficiary,grant,grant_date,grant_price,shares,value_eur,restricted,* ]]
report "… under the plan's own key column and the price's currency" $((1 - $?))
total=$(tail -n +2 <<< "$csv" | cut -d, -f6 | paste -sd+ | bc)
[[ $total == 33 ]]; ok=$?; out="total $total"; report "… and the shares add up to what the year granted (20 + 10 + 3)" $((1 - ok))
run "$hoshu" register export "$db" --format json
[[ $rc == 0 ]] && json=$out && out=$(python3 -c '
import json, sys
g = json.loads(sys.argv[1])["grants"]
print(len(g), sorted((r["beneficiary"], r["grant"], r["shares"], r["restricted"]) for r in g if r["shares"] == 0))' "$json")
[[ "$out" == "6 [('B01', 'bonus_shares', 0, 0), ('B02', 'bonus_shares', 0, 0), ('B02', 'matching_shares', 0, 0)]" ]]
report "export --format json: the same six grants, those of 0 with shares 0" $((1 - $?))
run "$hoshu" register export "$db" --format xlsx --out "$work/z.xlsx"
[[ $rc == 0 ]] && out=$(python3 -c '
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = re.findall(r"<si><t[^>]*>([^<]*)</t></si>", z.read("xl/sharedStrings.xml").decode())
sheet = z.read("xl/worksheets/sheet1.xml").decode()
keys = [strings[int(i)] for i in re.findall(r"<c r=\"B[0-9]+\" t=\"s\"><v>([0-9]+)</v>", sheet)]
shares = re.findall(r"<c r=\"F[0-9]+\" s=\"[0-9]+\"><v>([0-9]+)</v>", sheet)
print(len(re.findall(r"<row ", sheet)) - 1, keys.count("B02"), " ".join(shares))' "$work/z.xlsx")
[[ "$out" == "6 2 20 0 0 0 10 3" ]]; report "export --format xlsx: six rows on the grants sheet, two of them B02's, shares 0 as numbers" $((1 - $?))

# --- balances: an event reaches the grants that hold shares, never one of 0.
check "a lift of all B01's grants lifts its 20 shares" 0 "recorded event 1: lift B01 on 2026-09-30: 20 shares lifted" \
  "$hoshu" register event "$db" --director B01 --kind lift --date 2026-09-30 --reason "holding period over" --by t
check "a clawback of B03's FY2026 matching shares" 0 "recorded event 2: clawback B03 on 2026-10-31: 4 shares clawed back" \
  "$hoshu" register event "$db" --director B03 --kind clawback --year FY2026 --grant matching_shares --shares 4 \
  --date 2026-10-31 --reason malus --by t
check "B03 leaves: what is restricted is forfeited" 0 "recorded event 3: leave B03 on 2026-12-31: 9 restricted shares forfeited" \
  "$hoshu" register event "$db" --director B03 --kind leave --date 2026-12-31 --reason resigned --by t
check "B02, granted nothing, has nothing to lift" 2 "B02 has no restricted shares on 2026-09-30 to lift" \
  "$hoshu" register event "$db" --director B02 --kind lift --date 2026-09-30 --reason x --by t
run "$hoshu" register export "$db" --no-csv-bom
[[ "$out" == *$'\nFY2026,B01,matching_shares,2026-03-31,2.5,20,50,0,20,0,0,0,1,,'* &&
   "$out" == *$'\nFY2026,B01,bonus_shares,2026-03-31,2.5,0,0,0,0,0,0,0,1,,'* &&
   "$out" == *$'\nFY2026,B03,matching_shares,2026-03-31,2.5,10,25,0,0,6,4,0,1,,'* &&
   "$out" == *$'\nFY2026,B03,bonus_shares,2026-03-31,2.5,3,7.5,0,0,3,0,0,1,,'* && $(grep -c '^FY2026,' <<< "$out") == 6 ]]
report "export after the events: the balances of the grants that hold shares, those of 0 still 0" $((1 - $?))

# --- --as-of: before the grant date, no grant (of 0 or not) and no one with a later event.
run "$hoshu" register show "$db" --as-of 2026-01-01
[[ $rc == 0 && "$out" == *$'grants as of 2026-01-01\n  (none)' && "$out" != *B0* ]]
report "show --as-of before every grant shows no one, not the beneficiaries with later events" $((1 - $?))
run "$hoshu" register show "$db" --director B03 --as-of 2026-01-01
[[ $rc == 0 && "$out" == *$'grants as of 2026-01-01\n  (none)' && "$out" != *B03* ]]
report "… nor with --director naming one who has a later event" $((1 - $?))
run "$hoshu" register export "$db" --no-csv-bom --as-of 2026-01-01
[[ $rc == 0 && $(wc -l <<< "$out") == 1 ]]; report "export --as-of before every grant: the header alone" $((1 - $?))
run "$hoshu" register show "$db" --as-of 2026-10-01
[[ $rc == 0 && "$out" == *$'\nB02\n  granted 0: FY2026 matching_shares, bonus_shares\n'* && "$out" == *"lift 20 shares"* &&
   "$out" != *clawback* && "$out" != *"leave "* ]]
report "show --as-of between the events: every grant, the events by then only" $((1 - $?))
b03=$(sed -n '/^B03$/,/^$/p' <<< "$out")
[[ "$b03" == *"matching_shares  2026-03-31      10          10       0          0            0  0"* ]]
ok=$?; out=$b03; report "… B03's balance before its clawback and leave" $((1 - ok))
run "$hoshu" register export "$db" --no-csv-bom --as-of 2026-10-01
[[ $(grep -c '^FY2026,' <<< "$out") == 6 ]]; report "export --as-of after the grant date: six rows" $((1 - $?))

# --- a year granting to a leaver: the note speaks of a beneficiary.
q eval "$plan" --inputs "$work/fy2027.toml" --format json --out "$work/fy2027.json"
run "$hoshu" register record "$db" "$work/fy2027.json" --by t
[[ $rc == 0 && "$out" == *"note: FY2027 (grant date 2027-03-31) grants to 1 beneficiary whose leave the register records: \`B03\` left on 2026-12-31 (event 3) and is granted 8 shares (matching_shares)"* && "$out" != *director* ]]
report "record's note on a grant to a leaver names a beneficiary, not a director" $((1 - $?))
run "$hoshu" register export "$db" --no-csv-bom
[[ $(grep -c '^FY2026,' <<< "$out") == 6 && $(grep -c '^FY2027,' <<< "$out") == 6 ]]
report "a second year: its six grants beside the first year's" $((1 - $?))
check "show names each year's grants of 0" 0 $'B02\n  granted 0: FY2026 matching_shares, bonus_shares; FY2027 matching_shares, bonus_shares\n' \
  "$hoshu" register show "$db"
check "… B03's under its table" 0 $'0  0\n  granted 0: FY2027 bonus_shares\n  events' "$hoshu" register show "$db" --director B03
check "the register verifies" 0 "verified: the register $db is intact: 2 records and 3 events" "$hoshu" register verify "$db"
exit $fail
