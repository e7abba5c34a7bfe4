#!/usr/bin/env bash
# What the plan releases of the grants the register holds is no new grant, and a leave
# forfeits every grant made by its date:
#   1. an output computed from the carried records' `restricted` (`vested_shares = sum of
#      g_vested over grants`: the shares the plan released of earlier years' grants) is not
#      taken as a grant by default nor with --grants (exit 2, saying why), and a plan
#      declaring it as one is a located check error (tests/golden/check_error_grant_released);
#      a year that records other grants than the register's earlier year of the same plan
#      gets a note;
#   2. an additional grant a leave forfeited stays forfeited once a year granted before the
#      leave is recorded after it: the leaver keeps no restricted share, and `show` gives the
#      leave's recorded count with what it forfeits now;
#   3. a restatement (--supersede) that grows a leaver's grants says what the leave forfeits
#      now beside what it recorded.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
v=tests/cli/register_plans/vest2

# --- 1. vested_shares (computed from the carried records) is not a grant.
db=$work/v.db
q register init "$db"
q eval $v --inputs $v/fy2024.toml --format json --out "$work/r24.json"
check "FY2024: the default does not take vested_shares as a grant (computed from the carried records)" 2 \
  "\`vested_shares\` is computed from the carried records' \`restricted\` (\`g_restricted\`: the grants the register already holds): the same shares would be recorded twice" \
  "$hoshu" register record "$db" "$work/r24.json" --by t
check "FY2024 with --grants award_shares is recorded" 0 "recorded FY2024 as record 1" \
  "$hoshu" register record "$db" "$work/r24.json" --grants award_shares --by t
q eval $v --inputs $v/fy2025.toml --register "$db" --format json --out "$work/r25.json"
q register record "$db" "$work/r25.json" --grants award_shares --by t
q eval $v --inputs $v/fy2026.toml --register "$db" --format json --out "$work/r26.json"
check "FY2026 (vested_shares 1000 for A: its FY2024 grant, released): the default is refused" 2 \
  "\`vested_shares\` is computed from the carried records' \`restricted\`" \
  "$hoshu" register record "$db" "$work/r26.json" --by t
check "... so is --grants award_shares,vested_shares" 2 \
  "hoshu: error: --grants award_shares,vested_shares: \`vested_shares\` is computed from the carried records' \`restricted\` (\`g_restricted\`: the grants the register already holds): the same shares would be recorded twice; name only the outputs granted (not what the plan releases of the grants already recorded)" \
  "$hoshu" register record "$db" "$work/r26.json" --grants award_shares,vested_shares --by t
check "... and --grants vested_shares alone" 2 "\`vested_shares\` is computed from the carried records' \`restricted\`" \
  "$hoshu" register record "$db" "$work/r26.json" --grants vested_shares --by t
check "... nothing is recorded" 0 "2 records" "$hoshu" register verify "$db"
check "FY2026 with --grants award_shares is recorded" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/r26.json" --grants award_shares --by t
run "$hoshu" register export "$db" --format json
python3 -c "
import json,sys; d=json.loads(sys.argv[1]); a=[g for g in d['grants'] if g['director']=='A']
assert sum(g['shares'] for g in a)==3000 and sum(g['restricted'] for g in a)==2000, a
assert all(g['grant']=='award_shares' for g in a), a" "$out"
report "A: 3000 shares granted in three years, 2000 still restricted (FY2024's released by the plan)" $((1 - $?))
check "a plan declaring vested_shares a grant is a check error" 1 \
  "plan.hoshu:5:24: error: \`vested_shares\` is computed from the carried records' \`restricted\` (\`g_restricted\`)" \
  "$hoshu" check tests/golden/check_error_grant_released/rules

# A year recording other grants than the year before of the same plan: a note.
mkdir -p "$work/two"
cat > "$work/two/plan.hoshu" <<'HOSHU'
plan "Two awards"
  outputs award_shares, bonus_shares
input year: text at fiscal_year
output fiscal_year: text = year
input grant_date: date at grant_date range 2000-01-01 to 2100-12-31
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥1,000,000,000
  output award_shares: shares = round down(pay / ¥1,000 per share, 1 share)
  output bonus_shares: shares = round down(pay / ¥10,000 per share, 1 share)
end
HOSHU
for y in 2024 2025; do
  printf 'fiscal_year = "FY%s"\ngrant_date = %s-06-30\n[[directors]]\nid = "A"\npay = 1000000\n' $y $y > "$work/two/fy$y.toml"
  q eval "$work/two" --inputs "$work/two/fy$y.toml" --format json --out "$work/two$y.json"
done
q register init "$work/two.db"
q register record "$work/two.db" "$work/two2024.json" --grants award_shares --by t
check "a year naming other grants than the year before of the same plan is recorded with a note" 0 \
  "hoshu: note: FY2025 records as its grants award_shares, bonus_shares, and FY2024 (record 1), of the same plan, award_shares" \
  "$hoshu" register record "$work/two.db" "$work/two2025.json" --by t
q register init "$work/two2.db"
q register record "$work/two2.db" "$work/two2024.json" --grants award_shares --by t
run "$hoshu" register record "$work/two2.db" "$work/two2025.json" --grants award_shares --by t
[[ $rc == 0 && "$out" != *"note:"* ]]; report "... and no note when it names the same" $((1 - $?))

# --- 2. A leave forfeits an additional grant made before it, whatever is recorded after.
mkdir -p "$work/declared"
sed 's/^  outputs award_shares, vested_shares$/&\n  grants award_shares/' $v/plan.hoshu > "$work/declared/plan.hoshu"
db=$work/leave.db
q register init "$db"
q eval "$work/declared" --inputs $v/fy2024.toml --format json --out "$work/d24.json"
q register record "$db" "$work/d24.json" --by t
q eval "$work/declared" --inputs $v/fy2025.toml --register "$db" --format json --out "$work/d25.json"
q register record "$db" "$work/d25.json" --by t
q register event "$db" --director A --kind additional --year FY2026 --shares 500 --date 2026-07-01 --reason extra --by t
check "the leave forfeits the additional grant" 0 "2500 restricted shares forfeited" \
  "$hoshu" register event "$db" --director A --kind leave --date 2026-08-01 --reason resigned --by t
q eval "$work/declared" --inputs $v/fy2026.toml --register "$db" --format json --out "$work/d26.json"
check "FY2026 (granted 2026-06-30, before the leave) is recorded after it" 0 "recorded FY2026 as record 3" \
  "$hoshu" register record "$db" "$work/d26.json" --by t
for as_of in "" "--as-of 2026-08-01"; do
  run "$hoshu" register show "$db" --director A $as_of
  [[ $rc == 0 && "$out" == *"FY2026  additional    2026-07-01     500           0       0        500            0  0"* &&
     "$out" == *"FY2026  award_shares  2026-06-30    1000           0       0       1000            0  0"* ]]
  report "show ${as_of:-after every event}: the additional grant stays forfeited, nothing restricted" $((1 - $?))
done
[[ "$out" == *"leave 2500 shares (now 3500 with the grants recorded since): resigned"* ]]
report "... the leave's recorded count shown with what it forfeits now" $((1 - $?))
run "$hoshu" register export "$db" --format json
python3 -c "
import json,sys; d=json.loads(sys.argv[1]); a=[g for g in d['grants'] if g['director']=='A']
assert sum(g['restricted'] for g in a)==0 and sum(g['forfeited'] for g in a)==3500, a" "$out"
report "export: A holds nothing restricted, 3500 forfeited" $((1 - $?))

# --- 3. A restatement that grows a leaver's grants says what the leave forfeits now.
db=$work/grow.db
q register init "$db"
q register record "$db" "$work/d24.json" --by t
q register event "$db" --director A --kind leave --date 2025-01-31 --reason resigned --by t
sed 's/^pay = 1000000$/pay = 3000000/' $v/fy2024.toml > "$work/fy2024-more.toml"
q eval "$work/declared" --inputs "$work/fy2024-more.toml" --format json --out "$work/d24b.json"
check "the supersede notes what the leave forfeits now" 0 \
  "hoshu: note: event 1 (leave A on 2025-01-31) recorded 1000 shares forfeited; with the new record it forfeits 3000, as \`show\` and \`export\` count it" \
  "$hoshu" register record "$db" "$work/d24b.json" --supersede --reason "pay corrected" --by t
check "... and show gives both" 0 "leave 1000 shares (now 3000 with the grants recorded since): resigned" \
  "$hoshu" register show "$db" --director A

exit $fail
