#!/usr/bin/env bash
# What the register refuses to take in, and what it says, with a plan of shares, PSUs and a
# cash bonus (register_plans/units, its grant price in yen per share):
#   - `record --grants` of an output that counts no unit granted (an amount of yen) is
#     refused, naming its unit; the export values only the grants in the unit the price is
#     per (shares, not PSUs), and names its value column alike on any --as-of;
#   - `event --date` far ahead (a mistyped year) is refused, the reach said; a --year the
#     register does not hold is refused with a "did you mean" (an additional grant may be
#     for the year after the latest recorded);
#   - the login name recorded without --by is checked as $USER's, not as a --by never given;
#     one share is "1 share"; a later year granting a director whose leave is recorded is
#     named in a note;
#   - a grant the register cannot hold — DSUs credited in fractions, a negative grant, one of
#     more than 18 digits — is refused at `record` (and at `record --supersede`), exit 2,
#     each named with its director, output and value; nothing is written, so show, export
#     and event work on (they failed on every later read while such a grant was recorded);
#     the largest count and a grant of 0 are recorded; grants that come to more than 18
#     digits for one director (4028 DSUs beside 999999999999999999 shares) are refused;
#   - show, export and record of 20,000 grants take seconds, not minutes.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"   # (the clock: 2025-07-01)
p=tests/cli/register_plans/units
q eval $p --inputs $p/fy2024.toml --format json --out "$work/fy2024.json"
q eval $p --inputs $p/fy2025.toml --format json --out "$work/fy2025.json"
db=$work/u.db
q register init "$db"

# --- a grant counts a unit granted; its value is counted in the unit the price is per.
check "--grants of an output in yen is refused, naming its unit" 2 \
  "--grants cash_bonus: \`cash_bonus\` is in JPY, not a count of a unit granted" \
  "$hoshu" register record "$db" "$work/fy2024.json" --grants award_shares,cash_bonus
[[ "$out" == *"its outputs that count one: award_shares, award_psus"* ]]; report "... naming the outputs that count one" $((1 - $?))
check "... and nothing is recorded" 0 "(none)" "$hoshu" register show "$db"
check "shares and PSUs are grants" 0 "recorded FY2024 as record 1" \
  "$hoshu" register record "$db" "$work/fy2024.json" --grants award_shares,award_psus --by hr
run "$hoshu" register export "$db" --format csv --no-csv-bom
[[ "$out" == "fiscal_year,director,grant,grant_date,grant_price,shares,value_yen,restricted,"* ]]
report "export: the value column is named by the price's currency" $((1 - $?))
[[ "$out" == *$'\nFY2024,D01,award_shares,2024-06-28,1000,1000,1000000,1000,'* ]]
report "export: shares are valued at the price per share" $((1 - $?))
[[ "$out" == *$'\nFY2024,D01,award_psus,2024-06-28,1000,300,,300,'* ]]
report "export: PSUs are not valued at a price per share" $((1 - $?))
check "export --as-of a day before every grant keeps the value column's name" 0 \
  "fiscal_year,director,grant,grant_date,grant_price,shares,value_yen,restricted," \
  "$hoshu" register export "$db" --format csv --no-csv-bom --as-of 2024-01-01

# --- an event dated far ahead: a mistyped year.
check "an event dated centuries ahead is refused" 2 \
  "--date 2205-09-01 is too far ahead: an event is dated by the end of the year after today (2025-07-01) or after the latest grant date recorded (FY2024's 2024-06-28), whichever is later, so by 2026-12-31 (is the year mistyped?)" \
  "$hoshu" register event "$db" --director D01 --kind clawback --shares 10 --year FY2024 --grant award_shares --date 2205-09-01 --reason x --by hr
check "... so is 9999-12-31" 2 "--date 9999-12-31 is too far ahead" \
  "$hoshu" register event "$db" --director D01 --kind clawback --shares 10 --year FY2024 --grant award_shares --date 9999-12-31 --reason x --by hr
check "... and the day after the reach" 2 "--date 2027-01-01 is too far ahead" \
  "$hoshu" register event "$db" --director D01 --kind clawback --shares 10 --year FY2024 --grant award_shares --date 2027-01-01 --reason x --by hr

# --- --year: a fiscal year the register holds.
check "an additional grant for a year of no such name is refused" 2 \
  "--year banana: an additional grant is for a fiscal year the register holds, or the one after the latest recorded, FY2025 (FY2024, FY2025)" \
  "$hoshu" register event "$db" --director D02 --kind additional --year banana --shares 1000 --date 2025-07-05 --reason x --by hr
check "... a year in another case, with the year meant" 2 "did you mean FY2024?" \
  "$hoshu" register event "$db" --director D02 --kind additional --year fy2024 --shares 1000 --date 2025-07-05 --reason x --by hr
check "... a mistyped year, with the year meant" 2 "--year FY2205: an additional grant is for a fiscal year the register holds" \
  "$hoshu" register event "$db" --director D02 --kind additional --year FY2205 --shares 1000 --date 2025-07-05 --reason x --by hr
[[ "$out" == *"did you mean FY2025?"* ]]; report "... (did you mean FY2025)" $((1 - $?))
check "... a year before the register" 2 "--year FY2019: an additional grant is for a fiscal year the register holds" \
  "$hoshu" register event "$db" --director D02 --kind additional --year FY2019 --shares 1000 --date 2025-07-05 --reason x --by hr
check "... two years past the latest recorded" 2 "--year FY2026: an additional grant is for a fiscal year the register holds" \
  "$hoshu" register event "$db" --director D02 --kind additional --year FY2026 --shares 1000 --date 2025-07-05 --reason x --by hr
check "an additional grant for the year after the latest recorded" 0 "recorded event 1: additional D02 on 2025-07-05: 1000 shares granted" \
  "$hoshu" register event "$db" --director D02 --kind additional --year FY2025 --shares 1000 --date 2025-07-05 --reason "final-year reassessment" --by hr
check "a clawback of a year the register does not hold is refused" 2 \
  "--year FY2023: the register holds no fiscal year of that name (FY2024, FY2025); did you mean FY2024?" \
  "$hoshu" register event "$db" --director D01 --kind clawback --shares 10 --year FY2023 --grant award_shares --date 2025-07-06 --reason x --by hr
check "... the year of an additional grant is held" 0 "recorded event 2: lift D02 on 2025-07-06: 10 shares lifted" \
  "$hoshu" register event "$db" --director D02 --kind lift --year FY2025 --shares 10 --date 2025-07-06 --reason x --by hr
check "the refused events held back nothing: D01's event of 2025 is recorded" 0 "recorded event 3: lift D01 on 2025-08-01: 1 share lifted" \
  "$hoshu" register event "$db" --director D01 --kind lift --year FY2024 --grant award_shares --shares 1 --date 2025-08-01 --reason x --by hr
check "... (2 shares)" 0 "recorded event 4: clawback D01 on 2025-08-02: 2 shares clawed back" \
  "$hoshu" register event "$db" --director D01 --kind clawback --year FY2024 --grant award_shares --shares 2 --date 2025-08-02 --reason x --by hr

# --- the login name, when no --by is given, is $USER's.
check "a newline in \$USER is said to be \$USER's, with --by to pass" 2 \
  "\$USER \`hr\\nceo\`, recorded as who recorded the event when --by is not given, holds the hidden character" \
  env "USER=hr"$'\n'"ceo" "$hoshu" register event "$db" --director D01 --kind lift --year FY2024 --grant award_shares --shares 1 --date 2025-08-03 --reason x
[[ "$out" == *"pass --by NAME"* && "$out" != *"--by hr"* ]]; report "... not named as a --by never given" $((1 - $?))
check "... a right-to-left override too" 2 "\$USER \`" \
  env "USER=hr"$'\u202e'"oec" "$hoshu" register event "$db" --director D01 --kind lift --year FY2024 --grant award_shares --shares 1 --date 2025-08-03 --reason x
check "... and --by replaces it" 0 "recorded event 5: lift D01 on 2025-08-03: 1 share lifted" \
  env "USER=hr"$'\n'"ceo" "$hoshu" register event "$db" --director D01 --kind lift --year FY2024 --grant award_shares --shares 1 --date 2025-08-03 --reason x --by hr

# --- texts the register keeps for good: each fits a workbook cell (export --format xlsx) and
# holds no noncharacter; a restatement's --reason is held to the same.
long=$(python3 -c 'print("\U0001F600" * 16384, end="")')   # 32,768 UTF-16 units, as Excel counts
check "a reason longer than a workbook cell holds is refused" 2 \
  "--reason holds 32,768 characters, more than the 32,767 a workbook cell holds, where \`register export --format xlsx\` writes it" \
  "$hoshu" register event "$db" --director D01 --kind lift --year FY2024 --grant award_shares --shares 1 --date 2025-08-03 --reason "$long" --by hr
check "... a noncharacter in a reason" 2 "--reason ok\u{fffe}: holds the hidden character U+FFFE (a noncharacter)" \
  "$hoshu" register event "$db" --director D01 --kind lift --year FY2024 --grant award_shares --shares 1 --date 2025-08-03 --reason $'ok\uFFFE' --by hr
check "... an escape in a restatement's reason" 2 "--reason a\x1bb: holds the hidden character U+001B (a control character)" \
  "$hoshu" register record "$db" "$work/fy2024.json" --supersede --reason $'a\x1bb' --by hr

# --- a later year granting a director whose leave is recorded: a note.
check "D03 leaves" 0 "recorded event 6: leave D03 on 2025-05-01" \
  "$hoshu" register event "$db" --director D03 --kind leave --date 2025-05-01 --reason resigned --by hr
check "a later year granting the leaver is recorded, with a note naming the leave" 0 \
  "note: FY2025 (grant date 2025-06-27) grants to 1 director whose leave the register records: \`D03\` left on 2025-05-01 (event 6) and is granted 400 shares (award_shares)" \
  "$hoshu" register record "$db" "$work/fy2025.json" --grants award_shares,award_psus --by hr
[[ "$out" == *"recorded FY2025 as record 2"* ]]; report "... recorded" $((1 - $?))
check "an event on the last day of the reach is recorded" 0 "recorded event 7: lift D03 on 2026-12-31: 10 PSUs lifted" \
  "$hoshu" register event "$db" --director D03 --kind lift --year FY2025 --grant award_psus --date 2026-12-31 --reason x --by hr

# --- a grant the register cannot hold is refused at record, nothing written.
c=tests/cli/register_plans/counts
for f in fy2025 fy2025-fraction fy2025-negative fy2025-huge fy2025-most fy2025-over fy2025-all; do
  q eval $c --inputs $c/$f.toml --format json --out "$work/c-$f.json"
done
cdb=$work/counts.db
q register init "$cdb"
rule="a grant is a whole number from 0 to 999999999999999999 (at most 18 digits)"
check "DSUs credited in fractions are refused at record, exit 2, naming the director, output and value" 2 \
  "\`$work/c-fy2025-fraction.json\` (FY2025) grants what the register cannot hold, so nothing is recorded: $rule, which 1 grant is not:
  director \`B01\`, dsus_credited: 4028.846 DSUs, not a whole number
hint: round the grant to a whole DSU in the rules (\`round down(…, 1 DSU)\`)" \
  "$hoshu" register record "$cdb" "$work/c-fy2025-fraction.json" --grants dsus_credited,award_shares --by hr
check "... nothing is recorded" 0 "0 records and 0 events" "$hoshu" register verify "$cdb"
check "a negative grant in shares is refused: below 0, not \"not a whole number\"" 2 \
  "$rule, which 1 grant is not:
  director \`B01\`, award_shares: -5 shares, below 0
hint: a grant gives: shares taken back are an event (hoshu register event … --kind clawback --shares N)" \
  "$hoshu" register record "$cdb" "$work/c-fy2025-negative.json" --by hr
check "a grant of more than 18 digits is refused; one of 18 nines is not named" 2 \
  "$rule, which 1 grant is not:
  director \`B01\`, award_shares: 12345678901234567890123 shares, more than 999999999999999999
hint: " \
  "$hoshu" register record "$cdb" "$work/c-fy2025-huge.json" --by hr
[[ "$out" != *B02* ]]; report "... B02's 999999999999999999 shares are not named" $((1 - $?))
check "every grant the register cannot hold is named at once" 2 \
  "$rule, which 3 grants are not:
  director \`B01\`, dsus_credited: 4028.846 DSUs, not a whole number
  director \`B01\`, award_shares: -5 shares, below 0
  director \`B02\`, award_shares: 12345678901234567890123 shares, more than 999999999999999999
hint: round the grant to a whole DSU" \
  "$hoshu" register record "$cdb" "$work/c-fy2025-all.json" --grants dsus_credited,award_shares --by hr
check "... nothing is recorded by any of them" 0 "0 records and 0 events" "$hoshu" register verify "$cdb"
check "grants each a count the register holds that come to more for one director are refused, exit 2" 2 \
  "\`$work/c-fy2025-over.json\` (FY2025) grants what the register cannot count, so nothing is recorded:
  \`B01\`'s grants with this year's would come to more than 999999999999999999 shares (at most 18 digits), the most the register counts for one director: it holds 0 of other years, FY2025 grants 1000000000000004027" \
  "$hoshu" register record "$cdb" "$work/c-fy2025-over.json" --grants dsus_credited,award_shares --by hr
check "... nothing is recorded" 0 "0 records and 0 events" "$hoshu" register verify "$cdb"
check "the largest count and a grant of 0 are recorded" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$cdb" "$work/c-fy2025-most.json" --grants dsus_credited,award_shares --by hr
check "... and shown" 0 "999999999999999999" "$hoshu" register show "$cdb"
check "whole DSUs are recorded again with --supersede" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$cdb" "$work/c-fy2025.json" --supersede --reason "restated" --grants dsus_credited,award_shares --by hr
check "--supersede with DSUs in fractions is refused alike" 2 \
  "(FY2025) grants what the register cannot hold, so nothing is recorded: $rule, which 1 grant is not:
  director \`B01\`, dsus_credited: 4028.846 DSUs, not a whole number" \
  "$hoshu" register record "$cdb" "$work/c-fy2025-fraction.json" --supersede --reason "restated" --grants dsus_credited,award_shares --by hr
check "... the register still holds 2 records" 0 "2 records and 0 events" "$hoshu" register verify "$cdb"
check "... show works on" 0 "4028 DSUs" "$hoshu" register show "$cdb"
check "... export works on" 0 $'\nFY2025,B01,dsus_credited,2025-06-30,,4028,' "$hoshu" register export "$cdb" --format csv --no-csv-bom
check "... and an event is recorded" 0 "recorded event 1: lift B01 on 2025-08-01: 4028 DSUs lifted" \
  "$hoshu" register event "$cdb" --director B01 --kind lift --grant dsus_credited --date 2025-08-01 --reason vested --by hr

# --- 20,000 grants: record, export and show in seconds (they took minutes while each grant
# was looked up by a scan of every other: 36 s to show, 14 s to export on the machine that
# runs the suite). A generous bound: the machine is shared.
big=$work/big
mkdir -p "$big/plan"
cat > "$big/plan/plan.hoshu" <<'HOSHU'
plan "Many directors (made up)"
input year: text at fiscal_year
output fiscal_year: text = year
input grant_date: date at grant_date range 2000-01-01 to 2100-12-31
input grant_price: JPY per share at grant_price range ¥1 per share to ¥1,000,000 per share
collection directors: director at directors key id
collection grants: grant at ledger
  belongs to director by director
per grant
  input g_year: text at year
  input g_date: date at grant_date range 2000-01-01 to 2100-12-31
  input g_shares: shares at shares range 0 shares to 100,000,000 shares
  input g_restricted: shares at restricted range 0 shares to g_shares
end
per director
  input pay: JPY at pay range ¥0 to ¥1,000,000,000
  output award_shares: shares = round down(pay / grant_price, 1 share)
end
carry ledger
  for each grant:
    year = g_year, director = id, grant_date = g_date, shares = g_shares, restricted = g_restricted
  for each director where award_shares > 0 shares:
    year = year, director = id, grant_date = grant_date, shares = award_shares, restricted = award_shares
HOSHU
python3 - "$big/in.toml" <<'PY'
import sys
s = 'fiscal_year = "FY2024"\ngrant_date = 2024-06-30\ngrant_price = "1000"\nledger = []\n'
s += ''.join('[[directors]]\nid = "E%05d"\npay = %d\n' % (i, 1000 * i + 7) for i in range(20000))
open(sys.argv[1], 'w').write(s)
PY
q eval "$big/plan" --inputs "$big/in.toml" --format json --out "$big/r.json"
q register init "$big/g.db"
# (A debug build under the sanitizers runs several times slower: its bounds are scaled.)
scale=1; [[ "${HOSHU_SANITIZED:-}" == 1 ]] && scale=6
timed() {  # timed NAME SECONDS ARGS…: the command succeeds within SECONDS of processor time
  # (user and system, by /usr/bin/time where there is one: other work on the machine does not
  # stretch it as it does the wall time; else the wall time)
  local name=$1 limit=$(($2 * scale)); shift 2
  local t0=$SECONDS took
  if [[ -x /usr/bin/time ]]; then
    NO_COLOR=1 timeout $((limit + 60)) /usr/bin/time -f '%U %S' -o "$big/took" "$@" > "$big/out" 2>&1; rc=$?
    took=$(tail -n 1 "$big/took" | awk '{ printf "%d", $1 + $2 + 0.999 }')
  else
    NO_COLOR=1 timeout $((limit + 60)) "$@" > "$big/out" 2>&1; rc=$?
    took=$((SECONDS - t0))
  fi
  [[ $rc -eq 0 && $took -le $limit ]] && report "$name ($took s)" 1 || { out=$(head -c 2000 "$big/out"); report "$name (took $took s, bound $limit s)" 0; }
}
timed "record of 20,000 grants takes seconds" 20 "$hoshu" register record "$big/g.db" "$big/r.json" --by hr
timed "export of 20,000 grants takes seconds" 10 "$hoshu" register export "$big/g.db" --out "$big/e.csv"
timed "show of 20,000 grants takes seconds" 10 "$hoshu" register show "$big/g.db"
[[ $(wc -l < "$big/e.csv") -eq 20001 && $(grep -c '^FY2024,E00000,award_shares,2024-06-30,1000,0,0,0,' "$big/e.csv") == 1 ]]
report "... every grant exported (a row each after the header; E00000's grant of 0 too)" $((1 - $?))

exit $fail
