#!/usr/bin/env bash
# The IIJ examples as a three-year chain through a grant register: FY2024 recorded; FY2025
# evaluated from it (`eval --register`), recorded; the events of FY2026 (D07's RS II and
# RS III lifting when he leaves, the committee's reassessed FY2025 rates of D04 and D05)
# recorded; FY2026's final year evaluated from the register — each with exactly the results
# of the hand-written ledgers (examples/iij/fy2025.toml, fy2026.toml). Each carried result
# verifies (with the register it names, or a copy named with --register), is recorded, and
# `register verify` verifies it again from the register alone. Refused: a register with no
# earlier year, a result whose carried-from result is not recorded, a result that misses an
# event recorded since, a register edited behind hoshu's back (whose results carried from it
# `register verify` does not verify again), --carry with --register.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
# The outputs of a JSON result, without its seal and carried records.
outputs() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k, None) for k in ("seal","carry")]; print(json.dumps(d, sort_keys=True))' "$1"; }
same() {  # same NAME A.json B.json: the same outputs
  [[ "$(outputs "$2")" == "$(outputs "$3")" ]]; local ok=$?; out="$(diff <(outputs "$2" | tr ',' '\n') <(outputs "$3" | tr ',' '\n'))"
  report "$1" $((1 - ok))
}
grants=tenure_rs_shares,annual_rs_shares,midterm_rs_shares,additional_shares
db="$work/grants.db"
for fy in fy2025 fy2026; do
  "$hoshu" eval rules/iij --inputs examples/iij/$fy.toml --format json --out "$work/$fy-hand.json" > /dev/null
  [[ -f "$work/$fy-hand.json" ]] || { echo "FAIL eval $fy (hand-written ledger)"; exit 1; }
done

check "FY2024 evaluates" 0 "" "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/fy2024.json"
check "the register" 0 "created the register" "$hoshu" register init "$db"
check "--register with no earlier year recorded is refused" 2 "holds no result of a fiscal year before FY2025: record last year's result first" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --register "$db"
check "FY2024 recorded" 0 "recorded FY2024 as record 1" "$hoshu" register record "$db" "$work/fy2024.json" --by hr-sato --grants $grants
check "--register refuses to skip a year" 2 "the latest result the register holds before FY2026 is FY2024's (record 1), not the year before's" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$db"

# FY2025, carried from the register.
check "FY2025 evaluates with --register" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --register "$db" --format json --out "$work/fy2025.json"
same "FY2025 from the register gives exactly the results of the hand-written ledger" "$work/fy2025.json" "$work/fy2025-hand.json"
run grep -A3 '"carried_from"' "$work/fy2025.json"
[[ "$out" == *'"carried_from": "grants.db"'* && "$out" == *"\"carried_sha256\": \"$(sha256sum "$work/fy2024.json" | cut -c1-64)\""* && "$out" == *'"carried_events": []'* ]]
report "the seal names the register, the FY2024 result's sha256 and the events applied (none)" $((1 - $?))
check "the FY2025 result verifies, with the register beside it" 0 "verified: $work/fy2025.json matches" "$hoshu" verify "$work/fy2025.json"
check "--register and --carry together are refused" 2 "give one" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --register "$db" --carry "$work/fy2024.json"
check "explain takes --register" 0 "midterm_rs_shares" \
  "$hoshu" explain rules/iij --inputs examples/iij/fy2025-carried.toml --register "$db" --director D03 --value midterm_rs_shares

# A carried result is recorded only after the result it carried from.
"$hoshu" register init "$work/empty.db" > /dev/null
check "a result carried from an unrecorded result is refused, naming it" 2 "which this register does not hold" \
  "$hoshu" register record "$work/empty.db" "$work/fy2025.json"
"$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/fy2024.json" --format json --out "$work/fy2025-carry.json"
check "… with --carry too: record that result first" 2 "record that result first (hoshu register record $work/empty.db $work/fy2024.json)" \
  "$hoshu" register record "$work/empty.db" "$work/fy2025-carry.json"

# A --carry result, recorded after the result it carried from: the register alone verifies
# it again (the carried-from file gone).
"$hoshu" register init "$work/files.db" > /dev/null
mkdir "$work/files" && "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/files/fy2024.json"
"$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --carry "$work/files/fy2024.json" --format json --out "$work/files/fy2025.json"
"$hoshu" register record "$work/files.db" "$work/files/fy2024.json" > /dev/null
check "a --carry result is recorded after the result it carried from" 0 "recorded FY2025 as record 2" \
  "$hoshu" register record "$work/files.db" "$work/files/fy2025.json"
rm "$work/files/fy2024.json"
check "register verify verifies it again from the register alone" 0 "2 stored results verified again" \
  "$hoshu" register verify "$work/files.db"

# A result that misses an event recorded since the result it carries from is refused.
cp "$db" "$work/late.db"
"$hoshu" register event "$work/late.db" --director D01 --kind rate --year FY2024 --grant midterm_rs_shares --rate 0.9 \
  --date 2025-08-01 --reason "recorded after FY2025 was evaluated" > /dev/null
check "a result that does not apply an event recorded since is refused" 2 "does not apply the event 1, recorded since the FY2024 result" \
  "$hoshu" register record "$work/late.db" "$work/fy2025.json" --grants $grants

# A result carried from a record since superseded is refused.
cp "$db" "$work/superseded.db"
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --as-of 2025-06-26 --format json --out "$work/fy2024-again.json"
"$hoshu" register record "$work/superseded.db" "$work/fy2024-again.json" --supersede --reason "recorded again" --grants $grants > /dev/null
check "a result carried from a superseded record is refused" 2 "which record 2 supersedes: evaluate it again from the current one" \
  "$hoshu" register record "$work/superseded.db" "$work/fy2025.json" --grants $grants

check "FY2025 recorded" 0 "recorded FY2025 as record 2" "$hoshu" register record "$db" "$work/fy2025.json" --by hr-sato --grants $grants
cp "$db" "$work/no-events.db"

# The year's events, then FY2026's final year from the register.
check "D07's RS II lifts when he leaves" 0 "recorded event 1: lift D07 on 2027-01-31: 9477 shares lifted" \
  "$hoshu" register event "$db" --director D07 --kind lift --grant annual_rs_shares --date 2027-01-31 \
  --reason "left for a justifiable reason: RS II lifts on leaving" --by hr-sato
check "D07's RS III lifts when he leaves" 0 "recorded event 2: lift D07 on 2027-01-31: 8548 shares lifted" \
  "$hoshu" register event "$db" --director D07 --kind lift --grant midterm_rs_shares --date 2027-01-31 \
  --reason "left for a justifiable reason: RS III lifts on leaving" --by hr-sato
check "the committee's reassessed FY2025 rate of D04" 0 "recorded event 3: rate D04 on 2027-05-18: rate 0.70" \
  "$hoshu" register event "$db" --director D04 --kind rate --year FY2025 --grant midterm_rs_shares --rate 0.70 --date 2027-05-18 \
  --reason "committee: the division's FY2025 contribution overstated (P7)" --by hr-sato
check "the committee's reassessed FY2025 rate of D05" 0 "recorded event 4: rate D05 on 2027-05-18: rate 1" \
  "$hoshu" register event "$db" --director D05 --kind rate --year FY2025 --grant midterm_rs_shares --rate 1 --date 2027-05-18 \
  --reason "committee: the division's FY2025 contribution at full (P7)" --by hr-sato
check "FY2026 evaluates with --register" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$db" --format json --out "$work/fy2026.json"
same "FY2026 from the register gives exactly the results of the hand-written ledger" "$work/fy2026.json" "$work/fy2026-hand.json"
run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print({r["id"]: (r["clawback_shares"], r["additional_shares"], r["forfeited_shares"]) for r in d["directors"] if r["id"] in ("D04","D05","D07")})' "$work/fy2026.json"
[[ "$out" == "{'D04': (1466, 0, 0), 'D05': (0, 1095, 0), 'D07': (0, 0, 762)}" ]]
report "the reassessment (D04's clawback, D05's additional grant) and the leaver's forfeiture reach FY2026" $((1 - $?))
run grep -c '"hash"' "$work/fy2026.json"
[[ "$out" == 4 ]]; report "the seal names the four events applied" $((1 - $?))
"$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$work/no-events.db" --format json --out "$work/fy2026-no-events.json" 2> /dev/null
[[ "$(outputs "$work/fy2026-no-events.json")" != "$(outputs "$work/fy2026-hand.json")" ]]
report "without the events, FY2026 differs (the events are what reach the plan)" $((1 - $?))
check "the table names the register, the result carried from and the events since" 0 \
  "carry  $db  result sha256 $(sha256sum "$work/fy2025.json" | cut -c1-64), 4 events since" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$db"
check "the FY2026 result verifies" 0 "verified: $work/fy2026.json matches" "$hoshu" verify "$work/fy2026.json"

# What verify accepts is exactly what was sealed: seal.carried_events edited — reordered, an
# event listed twice, one left out (a rate decision a later one confirms: the values stay
# the same) — is refused, naming the field; so is recording such a result.
cp "$db" "$work/edits.db"
"$hoshu" register event "$work/edits.db" --director D04 --kind rate --year FY2025 --grant midterm_rs_shares --rate 0.70 \
  --date 2027-05-19 --reason "the committee confirms its decision" --by hr-sato > /dev/null
"$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$work/edits.db" --format json --out "$work/edits.json"
check "the result with five events verifies" 0 "verified:" "$hoshu" verify "$work/edits.json"
edit_events() {  # edit_events NAME IDS…: edits.json with carried_events listing IDS, in $work/NAME.json
  python3 - "$work/edits.json" "$work/$1.json" "${@:2}" <<'EOF'
import re, sys
src = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'("carried_events": \[)(.*?)(\n\s*\])', src, re.S)
items = {int(re.search(r'"id": (\d+)', i).group(1)): i for i in re.findall(r'\{[^{}]*\}', m.group(2))}
assert sorted(items) == [1, 2, 3, 4, 5], items
new = ','.join(items[int(i)] for i in sys.argv[3:])
open(sys.argv[2], 'w', encoding='utf-8').write(src[:m.start(2)] + new + src[m.end(2):])
EOF
}
edit_events reordered 2 1 3 4 5
check "carried_events reordered is refused" 1 "seal.carried_events lists event 1 (2027-01-31) after event 2 (2027-01-31)" \
  "$hoshu" verify "$work/reordered.json"
edit_events twice 1 2 3 4 5 5
check "an event listed twice is refused" 1 "seal.carried_events lists event 5 twice" "$hoshu" verify "$work/twice.json"
edit_events dropped 1 2 4 5
check "an event left out is refused, even when the values stay the same" 1 "seal.carried_events leaves out event 3 (2027-05-18)" \
  "$hoshu" verify "$work/dropped.json"
cp "$work/edits.db" "$work/edits-record.db"
check "register record refuses an event listed twice" 1 "seal.carried_events lists event 5 twice" \
  "$hoshu" register record "$work/edits-record.db" "$work/twice.json" --grants $grants
run sqlite3 "$work/edits-record.db" "SELECT count(*) FROM results WHERE fiscal_year = 'FY2026'"
[[ "$out" == 0 ]]; report "… and records nothing" $((1 - $?))
check "FY2026 recorded" 0 "recorded FY2026 as record 3" "$hoshu" register record "$db" "$work/fy2026.json" --by hr-sato --grants $grants
check "register verify verifies the three results again from the register alone" 0 "3 records and 4 events" \
  "$hoshu" register verify "$db"
[[ "$out" == *"3 stored results verified again"* ]]; report "… all three" $((1 - $?))
# No temporary folder for the stored files ($TMPDIR missing): an I/O failure, exit 2, never
# "changed behind hoshu's back".
TMPDIR="$work/no-such-dir" run "$hoshu" register verify "$db"
[[ $rc == 2 && "$out" == *"cannot verify the stored result of record 1 (FY2024) again: cannot make a temporary folder in $work/no-such-dir: No such file or directory"* && "$out" != *"behind hoshu's back"* ]]
report "register verify without a temporary folder says so, exit 2 (no false alarm)" $((1 - $?))
TMPDIR="$work/no-such-dir" run "$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$db"
[[ $rc == 2 && "$out" == *"cannot verify the recorded FY2025 result (record 2) again, so nothing is carried from it: cannot make a temporary folder in $work/no-such-dir"* && "$out" != *"does not verify"* ]]
report "eval --register without a temporary folder says so, exit 2" $((1 - $?))

# The register moved: verify takes a copy with --register; without it, it says so.
mkdir "$work/moved" && mv "$db" "$work/moved/grants.db"
check "verify of a result whose register is elsewhere says so" 2 "--register FILE.db" "$hoshu" verify "$work/fy2026.json"
check "verify --register names the copy" 0 "verified:" "$hoshu" verify "$work/fy2026.json" --register "$work/moved/grants.db"

# An event edited behind hoshu's back: the carried result no longer verifies, and nothing
# more is carried from the register.
cp "$work/moved/grants.db" "$work/tampered.db"
sqlite3 "$work/tampered.db" "DROP TRIGGER events_append_only_u; UPDATE events SET rate = '0.60' WHERE id = 3"
check "verify names a register changed behind hoshu's back" 1 "was changed behind hoshu's back" \
  "$hoshu" verify "$work/fy2026.json" --register "$work/tampered.db"
check "--register refuses a register changed behind hoshu's back" 1 "so nothing is carried from it" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$work/tampered.db"
# `register verify` names the edited event; a stored result that carries from the register
# is not verified again from a broken chain, said so (not that it does not verify, nor to run
# `register verify`, the command saying it); one that carries from none is verified again.
run "$hoshu" register verify "$work/tampered.db"
[[ $rc == 1 && "$out" == "NOT verified: the register $work/tampered.db was changed behind hoshu's back in 4 places"* &&
   "$out" == *"events row id 3 ("*"): its content does not match its hash"* &&
   "$out" == *"results row id 2 (FY2025): its stored result is not verified again: it carries from this register, whose chain is broken (above)"* &&
   "$out" == *"results row id 3 (FY2026): its stored result is not verified again: it carries from this register, whose chain is broken (above)"* &&
   "$out" != *"results row id 1"* && "$out" != *"hoshu register verify"* && "$out" != *"does not verify"* ]]
report "register verify of an edited event: the results carried from the register not verified again, said so" $((1 - $?))
# Texts read from the register are printed escaped, as `register show` prints them: an
# event's director edited behind hoshu's back into terminal escapes (back to the start of
# the line, erase it, up one line, a verdict of its own, then hide the rest) cannot repaint
# `NOT verified` — neither in verify's list nor in what record refuses with.
cp "$work/moved/grants.db" "$work/escaped.db"
create=$(sqlite3 "$work/escaped.db" "SELECT sql FROM sqlite_master WHERE name = 'events_append_only_u'")
sqlite3 "$work/escaped.db" "DROP TRIGGER events_append_only_u;
UPDATE events SET director = char(13)||char(27)||'[2K'||char(27)||'[1A'||'verified: intact'||char(27)||'[8m' WHERE id = 1; $create;"
run "$hoshu" register verify "$work/escaped.db"
[[ $rc == 1 && "$out" == "NOT verified: the register $work/escaped.db was changed behind hoshu's back in "* &&
   "$out" == *'\r\x1b[2K\x1b[1Averified: intact\x1b[8m'* && "$out" != *$'\e'* && "$out" != *$'\r'* ]]
report "verify prints a tampered text escaped" $((1 - $?))
run "$hoshu" register event "$work/escaped.db" --director D01 --kind lift --date 2027-07-01 --reason x
[[ $rc == 1 && "$out" == *'\x1b[2K'* && "$out" != *$'\e'* && "$out" != *$'\r'* ]]
report "... and so does event, refusing it" $((1 - $?))
# D01 leaves on FY2025's grant date (2026-06-25, FY2025's last day), recorded before FY2025
# is: FY2025's evaluation applies the leave to D01's FY2024 records, then grants D01 its
# FY2025 shares (3809 + 8528 + 7639), made by the leave's date. `show` forfeits them, and
# FY2026 carries them with nothing restricted (it carried 8528 and 7639 restricted on).
db=$work/own-year-leave.db
q register init "$db"
q register record "$db" "$work/fy2024.json" --grants $grants
check "D01 leaves on FY2025's grant date, before FY2025 is recorded" 0 "recorded event 1: leave D01 on 2026-06-25: 18902 restricted shares forfeited" \
  "$hoshu" register event "$db" --director D01 --kind leave --date 2026-06-25 --reason resigned
q eval rules/iij --inputs examples/iij/fy2025-carried.toml --register "$db" --format json --out "$work/own2025.json"
q register record "$db" "$work/own2025.json" --grants $grants
fy2025_of_d01() {
  "$hoshu" register export "$db" --format json | python3 -c '
import json, sys
print(*[(g["grant"], g["restricted"], g["forfeited"]) for g in json.load(sys.stdin)["grants"] if g["director"] == "D01" and g["fiscal_year"] == "FY2025"])'
}
[[ "$(fy2025_of_d01)" == "('tenure_rs_shares', 0, 3809) ('annual_rs_shares', 0, 8528) ('midterm_rs_shares', 0, 7639) ('additional_shares', 0, 0)" ]]
report "export: D01's FY2025 grants forfeited by the leave (3809, 8528, 7639), its additional grant of 0 listed at 0" $((1 - $?))
check "FY2026 evaluates from the register" 0 "" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2026-carried.toml --register "$db" --format json --out "$work/own2026.json"
run python3 -c 'import json,sys; print([r["restricted"] for r in json.load(open(sys.argv[1]))["carry"]["ledger"] if r["director"] == "D01" and r["year"] == "FY2025"])' "$work/own2026.json"
[[ "$out" == "[0, 0, 0]" ]]; report "... carrying D01's FY2025 grants with nothing restricted, as show counts them" $((1 - $?))
check "... the FY2026 result verifies" 0 "verified" "$hoshu" verify "$work/own2026.json"
check "... and is recorded" 0 "recorded FY2026 as record 3" "$hoshu" register record "$db" "$work/own2026.json" --grants $grants
[[ "$(fy2025_of_d01)" == "('tenure_rs_shares', 0, 3809) ('annual_rs_shares', 0, 8528) ('midterm_rs_shares', 0, 7639) ('additional_shares', 0, 0)" ]]
report "... after which export says the same" $((1 - $?))
exit $fail
