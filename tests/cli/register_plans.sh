#!/usr/bin/env bash
# The grant register with plans other than the IIJ one: a main collection with another
# name (`participants`) has its grants recorded, shown, exported and its events accepted;
# a points plan's events speak of points; an event the carried records cannot take (no
# `restricted` field to lower) is refused when carried, never dropped; the hint to record
# a result carried from names it from the working directory; a result with no grant says so,
# with the command that records its grants. The tester's retention plan (RSUs, carried records
# that name no grant, `reassessed_rate` read as 0% to 100%): a leave dated before the grant, a
# --grant the carried records cannot name and a rate the plan cannot read are refused; a
# register already holding such a rate names the event that corrects it. The export's key
# column is the plan's noun for a record (`participant`). A result carried from its own
# fiscal year is not recorded; nor, without --grants, one whose output in shares is computed
# from another (the vested part of an award: the same shares twice). A plan that declares
# its grants (`plan … grants a, b`) is recorded without --grants, and other --grants refused.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/register_harness.sh" "$1"
p=tests/cli/register_plans

# A main collection named `participants`, keyed by `id`.
"$hoshu" eval $p/participants --inputs $p/participants/y2026.toml --format json --out "$work/msp.json" > /dev/null
"$hoshu" register init "$work/msp.db" > /dev/null
check "a result of participants is recorded" 0 "recorded FY2026 as record 1" \
  "$hoshu" register record "$work/msp.db" "$work/msp.json" --grants matched_shares --by t
check "its grants are shown" 0 "FY2026  matched_shares  2026-03-16     513" "$hoshu" register show "$work/msp.db"
run "$hoshu" register export "$work/msp.db" --no-csv-bom
[[ $rc == 0 && $(grep -c '^FY2026,P0[12],' <<< "$out") == 2 ]]
report "its grants are exported, one row per participant" $([[ $? == 0 ]] && echo 1 || echo 0)
# The grant-time price is in euros: the value column says so (as eval's CSV names values).
[[ $(head -1 <<< "$out") == *",shares,value_eur,restricted,"* && "$out" != *value_yen* ]]
report "the grants' value column is named by the price's currency (value_eur)" $([[ $? == 0 ]] && echo 1 || echo 0)
run "$hoshu" register export "$work/msp.db" --format json
[[ $rc == 0 && "$out" == *'"value_eur": '* && "$out" != *value_yen* ]]
report "the JSON export names the value by the currency too" $([[ $? == 0 ]] && echo 1 || echo 0)
check "an event names a participant" 0 "100 shares clawed back" \
  "$hoshu" register event "$work/msp.db" --director P01 --kind clawback --shares 100 --year FY2026 \
  --grant matched_shares --date 2026-04-01 --reason malus --by t
check "an event's message names a record in the plan's word (participant), not director" 2 \
  "P01's grants with this one would come to more than 999999999999999999 shares (at most 18 digits), the most the register counts for one participant" \
  "$hoshu" register event "$work/msp.db" --director P01 --kind additional --shares 999999999999999999 --year FY2026 \
  --date 2026-04-02 --reason reassessed --by t
check "the register still verifies" 0 "" "$hoshu" register verify "$work/msp.db"

# A points plan carrying `tranches` with `points`, not `restricted`.
"$hoshu" eval $p/points --inputs $p/points/fy2024.toml --format json --out "$work/p2024.json" > /dev/null
"$hoshu" register init "$work/p.db" > /dev/null
"$hoshu" eval $p/cash --inputs $p/cash/fy2026.toml --format json --out "$work/cash.json" > /dev/null
"$hoshu" register init "$work/cash.db" > /dev/null
check "a result with no output in shares is recorded with a note saying how to name its grants" 0 \
  "no output of \`$work/cash.json\` is recorded as a grant (none is in shares), so FY2026 is recorded with no grants; to record them, record it again naming the outputs that are grants: hoshu register record $work/cash.db $work/cash.json --supersede --reason \"name its grants\" --grants NAME,…" \
  "$hoshu" register record "$work/cash.db" "$work/cash.json" --by t
"$hoshu" register record "$work/p.db" "$work/p2024.json" --grants earned_points --by t > /dev/null
check "a leave speaks of points" 0 "restricted points forfeited" \
  "$hoshu" register event "$work/p.db" --director D02 --kind leave --date 2025-09-30 --reason resigned --by t
check "show speaks of points" 0 "leave 5551 points: resigned" "$hoshu" register show "$work/p.db" --director D02
check "an event the carried records cannot take is refused, not dropped" 2 \
  "event 1 (leave D02 on 2025-09-30) cannot be applied to the carried records of D02: none has a field \`restricted\`" \
  "$hoshu" eval $p/points --inputs $p/points/fy2025.toml --register "$work/p.db"

# A result carried from one in another folder: the hint names it from here.
mkdir -p "$work/out"
"$hoshu" eval $p/points --inputs $p/points/fy2024.toml --format json --out "$work/out/a.json" > /dev/null
"$hoshu" eval $p/points --inputs $p/points/fy2025.toml --carry "$work/out/a.json" --format json --out "$work/out/b.json" > /dev/null
"$hoshu" register init "$work/q.db" > /dev/null
check "the hint to record the earlier result names it from the working directory" 2 \
  "record that result first (hoshu register record $work/q.db $work/out/a.json)" \
  "$hoshu" register record "$work/q.db" "$work/out/b.json" --by t
(cd "$work" && "$hoshu" register record q.db out/b.json --by t) > "$work/rel.out" 2>&1
grep -q "(hoshu register record q.db out/a.json)" "$work/rel.out"
report "a relative result: the hint's path is relative to the working directory" $([[ $? == 0 ]] && echo 1 || echo 0)
# A retention plan in its own whole unit (RSUs), whose carried records name no grant and read a
# `rate` event's `reassessed_rate` as a percent, 0% to 100%.
r=$p/ret
"$hoshu" eval $r --inputs $r/fy2025.toml --format json --out "$work/r2025.json" > /dev/null
"$hoshu" register init "$work/r.db" > /dev/null
check "a year recorded with no grant: the note gives the command that records them" 0 \
  "no output of \`$work/r2025.json\` is recorded as a grant (none is in shares), so FY2025 is recorded with no grants; to record them, record it again naming the outputs that are grants: hoshu register record $work/r.db $work/r2025.json --supersede --reason \"name its grants\" --grants NAME,… (its outputs that count a unit: award_units, vested_units, forfeited_units, clawed_units)" \
  "$hoshu" register record "$work/r.db" "$work/r2025.json" --by t
cmd=$(sed -n 's/.*record it again naming the outputs that are grants: hoshu register record \(.*\) --grants NAME,… .*/\1/p' <<< "$out")
check "... and that command, the grant named, records them" 0 "recorded FY2025 as record 2" \
  bash -c "\"$hoshu\" register record $cmd --grants award_units --by t"
check "... the year's grants then shown" 0 "FY2025  award_units  2025-03-15  26809       26809" "$hoshu" register show "$work/r.db" --director D1
check "... their counts labelled in the plan's unit (RSUs), not shares" 0 "granted on   RSUs  restricted" \
  "$hoshu" register show "$work/r.db" --director D1
run "$hoshu" register export "$work/r.db" --no-csv-bom
[[ $rc == 0 && "$out" == "fiscal_year,director,title,grant,"* ]]; report "the export's key column is the plan's noun (director)" $((1 - $?))
check "a leave dated before the grant is refused (the plan would zero what the register keeps)" 2 \
  "--date 2020-01-01 is before the grant date 2025-03-15 of \`D3\`'s FY2025 award_units, which the leave applies to" \
  "$hoshu" register event "$work/r.db" --director D3 --kind leave --date 2020-01-01 --reason "a typo in the year" --by t
check "--grant that the carried records cannot name is refused" 2 \
  "--grant award_units: the records of \`D1\` FY2025 that the FY2025 result carries (\`ledger\`) have no text field naming a grant (\`award_units\` or \`award\`)" \
  "$hoshu" register event "$work/r.db" --director D1 --kind lift --year FY2025 --grant award_units --shares 20000 --date 2026-01-10 --reason x --by t
check "... without --grant, the same lift is recorded" 0 "20000 RSUs lifted" \
  "$hoshu" register event "$work/r.db" --director D1 --kind lift --year FY2025 --shares 20000 --date 2026-01-10 --reason x --by t
check "a rate past 100% is refused, naming the range the plan reads it in" 2 \
  "--rate 70: outside the range 0% to 100% the plan declares for \`claw_pct\`, which reads it (write \`70%\` if 70 percent is meant)" \
  "$hoshu" register event "$work/r.db" --director D2 --kind rate --rate 70 --date 2026-03-01 --reason "clawback 70%" --by t
check "... 10^40 too" 2 "outside the range 0% to 100%" \
  "$hoshu" register event "$work/r.db" --director D2 --kind rate --rate 10000000000000000000000000000000000000000 --date 2026-03-01 --reason x --by t
run "$hoshu" register event "$work/r.db" --director D2 --kind rate --rate 1.0000000000000000000001 --date 2026-03-01 --reason x --by t
[[ $rc == 2 && "$out" == *"--rate 1.0000000000000000000001: outside the range 0% to 100%"* && "$out" != *"percent is meant"* ]]
report "... a rate just past 1 is no percent written without %: no hint" $((1 - $?))
check "... 12.5 gets the hint" 2 "(write \`12.5%\` if 12.5 percent is meant)" \
  "$hoshu" register event "$work/r.db" --director D2 --kind rate --rate 12.5 --date 2026-03-01 --reason x --by t
# The messages of an event count in the grants' unit (RSUs), as `show` does, and name the
# upper limit of --shares.
check "an over-lift counts RSUs" 2 "D1 FY2025 has 6809 restricted RSUs on 2026-01-11, fewer than --shares 7000" \
  "$hoshu" register event "$work/r.db" --director D1 --kind lift --year FY2025 --shares 7000 --date 2026-01-11 --reason x --by t
check "so does a clawback of more than is restricted" 2 "D1 FY2025 has 6809 restricted RSUs on 2026-01-11, fewer than the clawback's 7000" \
  "$hoshu" register event "$work/r.db" --director D1 --kind clawback --year FY2025 --shares 7000 --date 2026-01-11 --reason x --by t
check "--shares past the register's limit names it" 2 \
  "--shares 9223372036854775807: a whole number of RSUs from 1 to 999999999999999999 (at most 18 digits)" \
  "$hoshu" register event "$work/r.db" --director D1 --kind lift --year FY2025 --shares 9223372036854775807 --date 2026-01-11 --reason x --by t
check "... and --shares 0 the same" 2 "--shares 0: a whole number of RSUs from 1 to" \
  "$hoshu" register event "$work/r.db" --director D1 --kind lift --year FY2025 --shares 0 --date 2026-01-11 --reason x --by t
check "... 70% is recorded" 0 "rate 70%" \
  "$hoshu" register event "$work/r.db" --director D2 --kind rate --rate 70% --date 2026-03-01 --reason "clawback 70%" --by t
check "the next year applies the lift as the register did" 0 "" \
  "$hoshu" eval $r --inputs $r/fy2026.toml --register "$work/r.db" --format json --out "$work/r2026.json"
run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(x["director"], x["year"], x["restricted"], x.get("released")) for x in d["carry"]["ledger"] if x["director"] == "D1"], [x["vested_units"] for x in d["directors"] if x["id"] == "D1"])' "$work/r2026.json"
[[ "$out" == "[('D1', 'FY2026', 24348, 0)] [6809]" ]]; report "... D1 vests the 6809 left restricted, not 15638 of the 26809 granted" $((1 - $?))

# A register holding a rate the plan cannot read (recorded before rates were checked: the
# last event's rate rewritten to 70, its hash recomputed as hoshu computes it, so the chain
# holds): the next year names the event and the command that corrects it.
cp "$work/r.db" "$work/bad.db"
python3 - "$work/bad.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = "id, seq, director, kind, date, fiscal_year, grant_name, shares, rate, reason, recorded_by, recorded_at, prev_hash"
row = db.execute(f"SELECT {cols} FROM events ORDER BY seq DESC LIMIT 1").fetchone()
e = dict(zip([c.strip() for c in cols.split(",")], row)); e["rate"] = "70"
def field(n, v): v = str(v).encode(); return n.encode() + b":" + str(len(v)).encode() + b":" + v + b"\n"
text = b"".join([field("row", "event"), field("id", e["id"]), field("seq", e["seq"]), field("director", e["director"]),
                 field("kind", e["kind"]), field("date", e["date"]), field("fiscal_year", e["fiscal_year"]), field("grant", e["grant_name"]),
                 field("shares", e["shares"]) if e["shares"] is not None else b"shares!\n", field("rate", e["rate"]),
                 field("reason", e["reason"]), field("recorded_by", e["recorded_by"]), field("recorded_at", e["recorded_at"])])
h = hashlib.sha256(e["prev_hash"].encode() + b"\n" + text).hexdigest()
create = db.execute("SELECT sql FROM sqlite_master WHERE name = 'events_append_only_u'").fetchone()[0]
db.executescript("DROP TRIGGER events_append_only_u")
db.execute("UPDATE events SET rate = ?, hash = ? WHERE id = ?", (e["rate"], h, e["id"])); db.commit()
db.executescript(create + ";")   # the trigger put back as it was: only the row differs
PY
check "... (the forged register still verifies)" 0 "intact" "$hoshu" register verify "$work/bad.db"
check "a carried rate the plan cannot read names the event and the one that corrects it" 1 \
  "--register $work/bad.db: event 2 (rate D2 on 2026-03-01) gives the rate 70, outside the range 0% to 100% the plan declares for \`claw_pct\`, which reads it (write \`70%\` if 70 percent is meant), so nothing is carried from the register: record a rate event that corrects it (a later one of the same records overrides it): hoshu register event $work/bad.db --director D2 --kind rate --rate R --date 2026-03-01 --reason \"corrects event 2\"" \
  "$hoshu" eval $r --inputs $r/fy2026.toml --register "$work/bad.db"
cmd=$(sed -n 's/.*overrides it): hoshu register event \(.*\) --rate R \(.*\)$/\1 --rate 70% \2/p' <<< "$out")
check "... that command records the correction" 0 "recorded event 3: rate D2 on 2026-03-01: rate 70%" \
  bash -c "\"$hoshu\" register event $cmd --by t"
check "... and the next year evaluates again" 0 "" "$hoshu" eval $r --inputs $r/fy2026.toml --register "$work/bad.db"

# A main collection named `participants`: the export's key column says `participant`.
run "$hoshu" register export "$work/msp.db" --no-csv-bom
[[ $rc == 0 && "$out" == "fiscal_year,participant,"* ]]; report "the export's key column is the plan's noun (participant), not director" $((1 - $?))
run "$hoshu" register export "$work/msp.db" --format json
[[ $rc == 0 && "$out" == *'"participant": "P01", "kind": "clawback"'* && "$out" != *'"director"'* ]]
report "... in the JSON export's grants and events too" $((1 - $?))
# A result that carries from its own fiscal year, as a hoshu that did not check it made
# (the fixture's fy2025-again.json carries fy2025.json, both FY2025): record refuses it —
# that year's grants would be counted twice — and eval no longer makes one.
cp -r $p/selfcarry "$work/selfcarry"
"$hoshu" register init "$work/sc.db" > /dev/null
check "the first FY2025 result is recorded" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$work/sc.db" "$work/selfcarry/fy2025.json" --grants award_shares --by t
check "a result carried from its own fiscal year is not recorded" 2 \
  "hoshu: error: \`$work/selfcarry/fy2025-again.json\` (FY2025) carries its records from the FY2025 result of record 1, not from the year before FY2025's, so its grants would be counted twice" \
  "$hoshu" register record "$work/sc.db" "$work/selfcarry/fy2025-again.json" --grants award_shares --supersede --reason corrected --by t
check "... and the register still holds one record" 0 "1 record" "$hoshu" register verify "$work/sc.db"
check "eval refuses to make such a result" 2 \
  "the inputs are for FY2025, and the result carried from (--carry $work/selfcarry/fy2025.json) is FY2025's, not the year before's" \
  "$hoshu" eval "$work/selfcarry/plan" --inputs "$work/selfcarry/fy2025c.toml" --carry "$work/selfcarry/fy2025.json"
# One output in shares computed from another (the vested part of the award): without
# --grants both would be recorded as grants, 190,000 shares of a 100,000-share award, and
# a leave would forfeit both. Refused, naming the two outputs and --grants.
v=$p/vesting
"$hoshu" eval $v --inputs $v/fy2025.toml --format json --out "$work/vest.json" > /dev/null
"$hoshu" register init "$work/vest.db" > /dev/null
check "an output in shares computed from another is not taken as a second grant" 2 \
  "hoshu: error: \`$work/vest.json\`: without --grants every output in shares is recorded as a grant of its own, but \`vested_shares\` is computed from \`award_shares\`: the same shares would be recorded twice; name the outputs that are grants: hoshu register record $work/vest.db $work/vest.json --grants NAME,… (its outputs in shares: award_shares, vested_shares)" \
  "$hoshu" register record "$work/vest.db" "$work/vest.json" --by t
check "... and nothing is recorded" 0 "0 records" "$hoshu" register verify "$work/vest.db"
check "--grants naming an output and one computed from it is refused" 2 \
  "hoshu: error: --grants award_shares,vested_shares: \`vested_shares\` is computed from \`award_shares\`: the same shares would be recorded twice; name only the outputs granted, or, when each is a grant of its own (matching shares), declare them in the plan" \
  "$hoshu" register record "$work/vest.db" "$work/vest.json" --grants award_shares,vested_shares --by t
check "with --grants the award is recorded" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$work/vest.db" "$work/vest.json" --grants award_shares --by t
check "... and a leave forfeits the award once" 0 "100000 restricted shares forfeited" \
  "$hoshu" register event "$work/vest.db" --director CEO --kind leave --date 2026-01-01 --reason left --by t
# The same plan declaring its grants (`grants award_shares` in its `plan` declaration): recorded
# without --grants, the award alone a grant; --grants naming other outputs is refused.
mkdir -p "$work/declared"
sed 's/^plan "\(.*\)"$/plan "\1"\n  grants award_shares/' $v/plan.hoshu > "$work/declared/plan.hoshu"
"$hoshu" eval "$work/declared" --inputs $v/fy2025.toml --format json --out "$work/declared.json" > /dev/null
"$hoshu" register init "$work/declared.db" > /dev/null
check "a plan declaring its grants is recorded without --grants" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$work/declared.db" "$work/declared.json" --by t
check "... its declared grant alone recorded as one" 0 "100000 restricted shares forfeited" \
  "$hoshu" register event "$work/declared.db" --director CEO --kind leave --date 2026-01-01 --reason left --by t
"$hoshu" register init "$work/declared2.db" > /dev/null
check "--grants other than the plan declares is refused" 2 \
  "hoshu: error: --grants vested_shares: the plan declares its grants (\`grants award_shares\`): record without --grants, or change the plan's declaration" \
  "$hoshu" register record "$work/declared2.db" "$work/declared.json" --grants vested_shares --by t
check "... and nothing is recorded" 0 "0 records" "$hoshu" register verify "$work/declared2.db"
check "--grants naming what the plan declares is accepted" 0 "recorded FY2025 as record 1" \
  "$hoshu" register record "$work/declared2.db" "$work/declared.json" --grants award_shares --by t

# A plan with a lint warning: `record` shows it in the plan's own file; `verify`, which
# checks the stored rules again from a temporary copy deleted when it ends, says nothing of
# it (not `/tmp/hoshu-register-…/plan/plan.hoshu:6:7: warning: …`). Whole outputs, with the
# work folder, the repository's and hashes masked (HOSHU_REGENERATE=1 rewrites the expected files).
whole() {  # whole NAME FILE ARGS…: stdout and stderr of ARGS, masked, are FILE
  local name=$1 file=$2; shift 2
  out=$(NO_COLOR=1 "$@" 2>&1 | sed -E "s|$work|<work>|g; s|$PWD/|<repo>/|g; s/[0-9a-f]{64}/<sha256>/g")
  if [[ -n "${HOSHU_REGENERATE:-}" ]]; then printf '%s\n' "$out" > "$file"; fi
  [[ "$out" == "$(cat "$file")" ]]; report "$name" $((1 - $?))
  [[ "$out" == "$(cat "$file")" ]] || diff <(printf '%s\n' "$out") "$file"
}
"$hoshu" eval $p/lint --inputs $p/lint/fy2025.toml --format json --out "$work/lint.json" 2> /dev/null
"$hoshu" register init "$work/lint.db" > /dev/null
whole "record shows the plan's lint warning in its own file" $p/lint/record.expected \
  "$hoshu" register record "$work/lint.db" "$work/lint.json" --by t
whole "verify does not repeat it from the register's temporary copy" $p/lint/verify.expected \
  "$hoshu" register verify "$work/lint.db"

exit $fail
