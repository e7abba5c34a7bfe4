#!/usr/bin/env bash
# hoshu register: init (a new file only, created as the umask says); record (only a result
# that verifies; a year twice only with --supersede and a reason, the earlier record kept);
# verify (an edit made with the sqlite3 shell is named; a trigger dropped, changed or added
# and a file SQLite's integrity check fails are named); a process killed inside `record`
# leaves the register as it was; two writers at once are serialized, neither lost, and two
# events at once are each checked against the balances the other left; a file of
# a newer schema, of another application or no database at all is refused; events and
# balances on a date; show and export (CSV with or without the byte-order mark, JSON).
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
repo=$(pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
fail=0
export SOURCE_DATE_EPOCH=1751328000   # 2025-07-01T00:00:00Z: records and events dated alike on every run
run() {  # run ARGS…: output (stdout and stderr) in $out, exit code in $rc; never more than 60 s
  out=$(NO_COLOR=1 timeout 60 "$@" 2>&1); rc=$?
}
report() {  # report NAME OK
  if [[ $2 == 1 ]]; then echo "ok   $1"; else echo "FAIL $1: exit $rc; output:"; echo "$out"; fail=1; fi
}
check() {  # check NAME EXPECTED_RC EXPECTED_TEXT ARGS…
  local name=$1 want_rc=$2 want_text=$3; shift 3
  run "$@"
  [[ $rc -eq $want_rc && "$out" == *"$want_text"* ]] && report "$name" 1 || report "$name (want exit $want_rc, \"$want_text\")" 0
}
tamper() {  # tamper DB TRIGGER SQL: run SQL past the append-only TRIGGER, then put the trigger back as it was
  local create; create=$(sqlite3 "$1" "SELECT sql FROM sqlite_master WHERE name = '$2'")
  sqlite3 "$1" "DROP TRIGGER $2; $3; $create;"
}
count() {  # count DB TABLE: its rows, read with the sqlite3 shell
  sqlite3 "$1" "SELECT count(*) FROM $2"
}
for fy in fy2024 fy2025 fy2026; do
  "$hoshu" eval rules/iij --inputs examples/iij/$fy.toml --format json --out "$work/$fy.json" > /dev/null
  [[ -f "$work/$fy.json" ]] || { echo "FAIL eval $fy"; exit 1; }
done
grants=tenure_rs_shares,annual_rs_shares,midterm_rs_shares,additional_shares
db="$work/grants.db"

# --- init: a new file, as the umask says; never over an existing one.
(umask 077 && "$hoshu" register init "$db" > "$work/init.out")
check "init creates a register" 0 "created the register $db (schema version 1)" cat "$work/init.out"
[[ $(stat -c %a "$db") == 600 ]]; rc=$?; out=$(stat -c %a "$db"); report "a new register respects the umask (077: 600)" $((1 - rc))
check "init refuses an existing file" 2 "already exists; \`hoshu register init\` creates a new register only" \
  "$hoshu" register init "$db"

# --- record: only a result that verifies.
check "record a verified result" 0 "recorded FY2024 as record 1 in $db" \
  "$hoshu" register record "$db" "$work/fy2024.json" --by hr-sato --grants $grants
sed 's/"annual_rs_shares": 4846/"annual_rs_shares": 4847/' "$work/fy2024.json" > "$work/edited.json"
check "an unverifiable result is refused" 1 'directors["D03"].annual_rs_shares: recorded 4847, recomputed 4846' \
  "$hoshu" register record "$db" "$work/edited.json" --supersede --reason "edited" --by hr-sato
[[ $(count "$db" results) == 1 ]]; report "... and nothing of it recorded" $((1 - $?))
check "a file that is not a result is refused" 2 "not JSON" "$hoshu" register record "$db" /etc/hostname
check "a year recorded twice needs --supersede" 2 "FY2024 is already recorded (record 1); to replace it, record again with --supersede --reason TEXT" \
  "$hoshu" register record "$db" "$work/fy2024.json" --grants $grants
check "--supersede needs a reason" 2 "--supersede needs --reason TEXT" \
  "$hoshu" register record "$db" "$work/fy2024.json" --supersede
check "--supersede of a year not recorded" 2 "--supersede: FY2025 is not recorded yet" \
  "$hoshu" register record "$db" "$work/fy2025.json" --supersede --reason x
check "a superseding record" 0 "recorded FY2024 as record 2" \
  "$hoshu" register record "$db" "$work/fy2024.json" --supersede --reason "board minutes corrected" --by hr-sato --grants $grants
check "the earlier record stays, marked superseded" 0 "superseded by record 2" "$hoshu" register show "$db"
check "... and the new one says why" 0 "current (supersedes record 1: board minutes corrected)" "$hoshu" register show "$db"
check "the stored result is byte-exact" 0 "" cmp "$work/fy2024.json" <(sqlite3 "$db" "SELECT writefile('$work/stored.json', result_json) FROM results WHERE id = 2" > /dev/null; cat "$work/stored.json")
check "--grants names outputs of the plan" 2 "--grants no_such_output: the plan has no output of that name" \
  "$hoshu" register record "$db" "$work/fy2025.json" --grants no_such_output

# --- events, balances on a date.
check "record FY2025" 0 "recorded FY2025 as record 3" "$hoshu" register record "$db" "$work/fy2025.json" --by hr-sato --grants $grants
check "a restriction lifts" 0 "recorded event 1: lift D03 on 2026-06-26: 4846 shares lifted" \
  "$hoshu" register event "$db" --director D03 --kind lift --year FY2024 --grant annual_rs_shares --date 2026-06-26 --reason "RS I: 12 months after the grant (C8)" --by hr-sato
check "a director leaves: the restricted balance is forfeited" 0 "recorded event 2: leave D07 on 2026-09-30: " \
  "$hoshu" register event "$db" --director D07 --kind leave --date 2026-09-30 --reason "resigned (not a justifiable reason)" --by hr-sato
check "events in date order" 2 "D03 has an event dated 2026-06-26 already" \
  "$hoshu" register event "$db" --director D03 --kind lift --date 2026-01-01 --reason x
check "nothing left to lift" 2 "D03 FY2024 annual_rs_shares has no restricted shares on 2026-07-01 to lift" \
  "$hoshu" register event "$db" --director D03 --kind lift --year FY2024 --grant annual_rs_shares --date 2026-07-01 --reason x
check "a clawback needs --shares" 2 "a clawback needs --shares N" \
  "$hoshu" register event "$db" --director D01 --kind clawback --date 2026-07-01 --reason x
check "an unknown director" 2 "no recorded result names \`D99\`" \
  "$hoshu" register event "$db" --director D99 --kind leave --date 2026-07-01 --reason x
check "an id with a trailing space is quoted, the id meant offered" 2 "no recorded result names \`D03 \`; did you mean \`D03\`?" \
  "$hoshu" register event "$db" --director "D03 " --kind leave --date 2026-07-01 --reason x
check "show --director of an id the register does not name fails" 1 "--director: no recorded result names \`D3\`; did you mean \`D03\`?" \
  "$hoshu" register show "$db" --director D3
[[ "$out" != *"(none)"* ]]; report "... and does not print \"(none)\" as if there were no grants" $((1 - $?))
check "export --director of such an id fails too, writing nothing" 1 "no recorded result names \`Z\`; the register names A01, A02, A03, A04, D01, D02" \
  "$hoshu" register export "$db" --director Z --out "$work/none.csv"
[[ ! -e "$work/none.csv" ]]; report "... no file" $((1 - $?))
check "an event dated before the grant it applies to is refused" 2 "--date 2025-06-25 is before the grant date 2025-06-26 of \`D02\`'s FY2024" \
  "$hoshu" register event "$db" --director D02 --kind leave --date 2025-06-25 --reason "a typo in the date"
check "... a lift too, told to name the earlier grants" 2 "which the lift applies to: an event takes effect on grants already made (is the date mistyped? else name the earlier grants with --year and --grant)" \
  "$hoshu" register event "$db" --director D02 --kind lift --date 2026-01-10 --reason x
check "a reassessed rate" 0 "recorded event 3: rate D01 on 2027-05-20: rate 0.9" \
  "$hoshu" register event "$db" --director D01 --kind rate --year FY2024 --rate 0.9 --date 2027-05-20 --reason "committee reassessment (P7)" --by hr-sato
check "an additional grant" 0 "recorded event 4: additional D01 on 2027-06-26: 120 shares granted" \
  "$hoshu" register event "$db" --director D01 --kind additional --year FY2026 --shares 120 --date 2027-06-26 --reason "final-year reassessment (P7)" --by hr-sato
check "an additional grant that takes a director's shares past what the register counts is refused" 2 \
  "D01's grants with this one would come to more than 999999999999999999 shares" \
  "$hoshu" register event "$db" --director D01 --kind additional --year FY2026 --shares 999999999999999999 --date 2027-06-26 --reason x --by hr-sato
check "a bad date" 2 "--date takes a date as YYYY-MM-DD, not \`2026-7-1\`" \
  "$hoshu" register event "$db" --director D01 --kind lift --date 2026-7-1 --reason x
check "a day that does not exist is named so" 2 "--date: 2026-13-01 does not exist: there is no month 13" \
  "$hoshu" register event "$db" --director D01 --kind lift --date 2026-13-01 --reason x
check "... February 29th of a year that is not a leap year" 2 \
  "--date: 2025-02-29 does not exist: 2025 is not a leap year (February has 28 days)" \
  "$hoshu" register event "$db" --director D01 --kind lift --date 2025-02-29 --reason x
check "... show --as-of says the same" 2 "--as-of: 2025-02-29 does not exist: 2025 is not a leap year" \
  "$hoshu" register show "$db" --as-of 2025-02-29
check "... export --as-of too" 2 "--as-of: 2025-04-31 does not exist: April has 30 days" \
  "$hoshu" register export "$db" --as-of 2025-04-31
check "... and eval --as-of" 2 "--as-of: 2025-02-29 does not exist: 2025 is not a leap year" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --as-of 2025-02-29
check "show: balances before the lift" 0 "FY2024  annual_rs_shares   2025-06-26    4846        4846       0" \
  "$hoshu" register show "$db" --director D03 --as-of 2026-06-25
check "show: balances after it" 0 "FY2024  annual_rs_shares   2025-06-26    4846           0    4846" \
  "$hoshu" register show "$db" --director D03 --as-of 2026-06-26
check "show: the event, who and why" 0 "2026-06-26  lift FY2024 annual_rs_shares 4846 shares: RS I: 12 months after the grant (C8) (recorded by hr-sato, 2025-07-01T00:00:00Z)" \
  "$hoshu" register show "$db" --director D03
check "show: the director's title" 0 "D03  取締役 副社長執行役員" "$hoshu" register show "$db" --director D03
run "$hoshu" register show "$db" --director D07
[[ $rc -eq 0 && "$out" == *"leave"* && "$out" != *"D03"* ]]; report "show --director shows that director only" $((1 - $?))

# --- export: CSV with the byte-order mark by default, without on request; JSON.
"$hoshu" register export "$db" --out "$work/export.csv"
out=$(head -c 3 "$work/export.csv" | od -An -tx1 | tr -d ' \n'); rc=0
[[ $out == efbbbf ]]; report "the CSV starts with the UTF-8 byte-order mark" $((1 - $?))
"$hoshu" register export "$db" --no-csv-bom --out "$work/plain.csv"
out=$(head -c 11 "$work/plain.csv"); [[ $out == fiscal_year ]]; report "--no-csv-bom: no byte-order mark" $((1 - $?))
check "the CSV's header" 0 "fiscal_year,director,title,grant,grant_date,grant_price,shares,value_yen,restricted,lifted,forfeited,clawed_back,by_plan,record,balance_record,stale,rules_sha256,inputs_sha256" \
  cat "$work/plain.csv"
check "a grant's row: title, date, price, yen value, balances, seal" 0 "FY2024,D03,取締役 副社長執行役員,annual_rs_shares,2025-06-26,3020,4846,14634920,0,4846,0,0,0,2,3," \
  cat "$work/plain.csv"
check "JSON export" 0 '"grant": "annual_rs_shares", "grant_date": "2025-06-26", "grant_price": 3020, "shares": 4846, "value_yen": 14634920' \
  "$hoshu" register export "$db" --format json

# --- show and export, whole (hashes masked: they change with the rules and the engine).
mask() { sed -E 's/[0-9a-f]{64}/<sha256>/g; s/  [0-9a-f]{16}  /  <sha256…>      /g'; }
golden() {  # golden NAME FILE ARGS…: the output of ARGS, masked, is FILE (HOSHU_REGENERATE=1 rewrites it)
  local name=$1 file=$2; shift 2
  out=$("$@" 2>&1 | mask)
  if [[ -n "${HOSHU_REGENERATE:-}" ]]; then printf '%s\n' "$out" > "$file"; fi
  [[ "$out" == "$(cat "$file")" ]]; report "$name" $((1 - $?))
  [[ $? -eq 0 ]] || diff <(printf '%s\n' "$out") "$file"
}
golden "show --director D03 --as-of 2026-06-30, whole" tests/cli/register/show_d03.expected \
  "$hoshu" register show "$db" --director D03 --as-of 2026-06-30
golden "show, whole" tests/cli/register/show.expected "$hoshu" register show "$db"
golden "export --format csv --director D07, whole" tests/cli/register/export_d07.expected.csv \
  "$hoshu" register export "$db" --director D07 --no-csv-bom
golden "export --format json --director D01, whole" tests/cli/register/export_d01.expected.json \
  "$hoshu" register export "$db" --director D01 --format json

# --- verify: the chain holds; an edit behind hoshu's back is named.
check "verify an intact register" 0 "verified: the register $db is intact: 3 records and 4 events, the chain's head " \
  "$hoshu" register verify "$db"
cp "$db" "$work/tampered.db"
run sqlite3 "$work/tampered.db" "UPDATE events SET shares = '9999' WHERE id = 2"
[[ $rc -ne 0 && "$out" == *"the register is append-only"* ]]; report "the register refuses an UPDATE from the sqlite3 shell" $((1 - $?))
tamper "$work/tampered.db" events_append_only_u "UPDATE events SET shares = '9999' WHERE id = 2"
check "an edited event is named" 1 "events row id 2 (leave D07 2026-09-30, seq 5): its content does not match its hash (edited after it was recorded)" \
  "$hoshu" register verify "$work/tampered.db"
# ... and nothing is shown, exported or appended to it: the places named as verify names them.
forged="events row id 2 (leave D07 2026-09-30, seq 5): its content does not match its hash (edited after it was recorded)"
check "show refuses a register changed behind hoshu's back" 1 "was changed behind hoshu's back in 1 place, so nothing is shown from it" \
  "$hoshu" register show "$work/tampered.db" --director D07
[[ "$out" == *"$forged"* && "$out" != *9999* ]]; report "... naming the place, showing nothing of it" $((1 - $?))
check "export refuses it" 1 "$forged" "$hoshu" register export "$work/tampered.db" --no-csv-bom --out "$work/forged.csv"
[[ ! -e "$work/forged.csv" ]]; report "... and writes nothing" $((1 - $?))
check "export to stdout refuses it too" 1 "so nothing is exported from it" "$hoshu" register export "$work/tampered.db" --format json
[[ "$out" != *'"grants"'* ]]; report "... printing nothing of it" $((1 - $?))
check "an event is not appended to it" 1 "so no event is recorded in it" \
  "$hoshu" register event "$work/tampered.db" --director D01 --kind clawback --year FY2024 --grant annual_rs_shares --shares 5 --date 2027-07-01 --reason x
check "a record is not appended to it" 1 "so nothing is recorded in it" \
  "$hoshu" register record "$work/tampered.db" "$work/fy2025.json" --supersede --reason x --grants $grants
out="events $(count "$work/tampered.db" events), results $(count "$work/tampered.db" results)"
[[ $out == "events 4, results 3" ]]; report "... the tampered register keeps its rows, none chained to it" $((1 - $?))
cp "$db" "$work/tampered.db"
tamper "$work/tampered.db" results_append_only_u "UPDATE results SET result_json = replace(result_json, '4846', '4847') WHERE id = 2"
check "an edited stored result is named" 1 "results row id 2 (FY2024, seq 2): its content does not match its hash" \
  "$hoshu" register verify "$work/tampered.db"
check "... and every stored result verified again from its stored rules and inputs" 0 "3 stored results verified again from the rules and inputs stored with them" \
  "$hoshu" register verify "$db"
# A stored result that is no longer JSON: named by the register and record, not by the
# temporary copy verified (gone when the message is read).
cp "$db" "$work/tampered.db"
tamper "$work/tampered.db" results_append_only_u "UPDATE results SET result_json = replace(result_json, '\"directors\"', '\"directors\" x') WHERE id = 2"
check "a stored result that is not JSON is named by its register and record" 1 \
  "hoshu: error: $work/tampered.db: record 2 (FY2024): not JSON: a syntax error at line" "$hoshu" register verify "$work/tampered.db"
[[ "$out" != *hoshu-register* && "$out" == *"results row id 2 (FY2024): the stored result does not verify"* ]]
report "... never by a temporary file, before the verdict" $((1 - $?))
cp "$db" "$work/tampered.db"
tamper "$work/tampered.db" files_append_only_u "UPDATE record_files SET bytes = replace(bytes, 'engagement_index = 71.5', 'engagement_index = 72.5') WHERE result_id = 2 AND role = 'inputs'"
check "stored inputs edited: the result no longer verifies" 1 "results row id 2 (FY2024): the stored result does not verify against its stored rules and inputs" \
  "$hoshu" register verify "$work/tampered.db"
check "... and the row is named" 1 "results row id 2 (FY2024, seq 2): its content does not match its hash" \
  "$hoshu" register verify "$work/tampered.db"
cp "$db" "$work/tampered.db"
tamper "$work/tampered.db" events_append_only_d "DELETE FROM events WHERE id = 1"
check "a removed row is named" 1 "events row id 2 (leave D07 2026-09-30, seq 5): expected seq 4 (a row removed, added or renumbered)" \
  "$hoshu" register verify "$work/tampered.db"

# The file and its schema (SQLite's PRAGMA integrity_check; the tables, indexes and
# append-only triggers hoshu's create statements make): a register whose rows all hash
# right is still NOT verified when SQLite finds the file damaged, or a trigger dropped,
# changed or added on its tables. Another application's table beside them is left alone.
cp "$db" "$work/tampered.db"
sqlite3 "$work/tampered.db" "DROP TRIGGER events_append_only_u"
check "a dropped append-only trigger is named" 1 \
  "NOT verified: the register $work/tampered.db was changed behind hoshu's back in 1 place
  the schema has no trigger events_append_only_u, which hoshu creates (the register is append-only through it)" \
  "$hoshu" register verify "$work/tampered.db"
check "... and nothing is appended to it" 1 "so no event is recorded in it" \
  "$hoshu" register event "$work/tampered.db" --director D01 --kind clawback --year FY2024 --grant annual_rs_shares --shares 5 --date 2027-07-01 --reason x
cp "$db" "$work/tampered.db"
sqlite3 "$work/tampered.db" "DROP TRIGGER events_append_only_d; CREATE TRIGGER events_append_only_d BEFORE DELETE ON events BEGIN SELECT 1; END"
check "a changed trigger is named" 1 "the schema's trigger events_append_only_d is not the one hoshu creates (its statement was changed)" \
  "$hoshu" register verify "$work/tampered.db"
cp "$db" "$work/tampered.db"
sqlite3 "$work/tampered.db" "CREATE TRIGGER sneak AFTER INSERT ON events BEGIN SELECT 1; END"
check "a trigger added on a register's table is named" 1 "the schema has a trigger sneak on events, which hoshu does not create" \
  "$hoshu" register verify "$work/tampered.db"
check "... and nothing is recorded in it" 1 "so nothing is recorded in it" \
  "$hoshu" register record "$work/tampered.db" "$work/fy2025.json" --supersede --reason x --grants $grants
cp "$db" "$work/tampered.db"
sqlite3 "$work/tampered.db" "CREATE TABLE notes (x); CREATE VIEW recent AS SELECT 1"
check "another application's table and view beside hoshu's are left alone" 0 "verified: the register $work/tampered.db is intact" \
  "$hoshu" register verify "$work/tampered.db"
# One byte of a result_lines row changed (its result 2 becomes 9): the table and its index
# disagree. hoshu reads through the index, so its own rows and hashes are unchanged; an SQL
# reader of the table sees the line under a record that does not exist.
cp "$db" "$work/tampered.db"
python3 - "$work/tampered.db" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
pat = b'A01grantannual_rs_sharesshares'
i = b.find(pat)
while i >= 0 and b[i - 2] != 2: i = b.find(pat, i + 1)
assert i >= 0, "no row of result 2 found"
b[i - 2] = 9
open(sys.argv[1], 'wb').write(b)
PY
run sqlite3 "$work/tampered.db" "PRAGMA integrity_check"
[[ "$out" == *"missing from index sqlite_autoindex_result_lines_1"* ]]; report "(a byte changed: SQLite finds a row its index does not hold)" $((1 - $?))
check "a register that fails SQLite's integrity check is NOT verified, naming what failed" 1 \
  "the file fails SQLite's integrity check: row " "$hoshu" register verify "$work/tampered.db"
[[ "$out" == "NOT verified: "* ]]; report "... as NOT verified" $((1 - $?))

# --- the schema: a newer one, another application's database, no database at all.
cp "$db" "$work/newer.db"; sqlite3 "$work/newer.db" "PRAGMA user_version = 99"
check "a newer schema is refused" 2 "has schema version 99, newer than this hoshu reads (1): use a newer hoshu" \
  "$hoshu" register show "$work/newer.db"
sqlite3 "$work/other.db" "CREATE TABLE t (x)"
check "another application's database is refused" 2 "is not a hoshu register (an SQLite database of another application" \
  "$hoshu" register show "$work/other.db"
check "a file that is no database is refused" 2 "is not a hoshu register (not an SQLite database)" \
  "$hoshu" register show "$work/fy2024.json"
check "a missing register" 2 "cannot open the register \`$work/missing.db\`: No such file or directory" \
  "$hoshu" register show "$work/missing.db"
# A FIFO (or a folder) in the register's place: every command that opens a register says what
# it is, in the same words, and none waits on it.
mkfifo "$work/ff.db"
for cmd in "register show $work/ff.db" "register export $work/ff.db" "register verify $work/ff.db" \
           "register event $work/ff.db --director D01 --kind leave --date 2026-01-01 --reason x" \
           "register record $work/ff.db $work/fy2024.json"; do
  check "$cmd: a FIFO is not a regular file" 2 "cannot open the register \`$work/ff.db\`: not a regular file (a FIFO)" \
    "$hoshu" $cmd
done
check "eval --register: the same" 2 "--register $work/ff.db: cannot open the register \`$work/ff.db\`: not a regular file (a FIFO)" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025-carried.toml --register "$work/ff.db"
check "register init does not touch it" 2 "already exists" "$hoshu" register init "$work/ff.db"
check "a folder: the same words as every reader" 2 "cannot open the register \`$work\`: a folder, not a file" \
  "$hoshu" register show "$work"

# --- a process killed in the middle of `record` leaves the register as it was.
killed="$work/killed.db"
"$hoshu" register init "$killed" > /dev/null
"$hoshu" register record "$killed" "$work/fy2024.json" --by hr > /dev/null
before=$(sqlite3 "$killed" "SELECT count(*), group_concat(hash) FROM (SELECT hash FROM results UNION ALL SELECT hash FROM events)")
HOSHU_TEST_PAUSE_IN_WRITE="$work/paused:60" "$hoshu" register record "$killed" "$work/fy2025.json" --by hr > /dev/null 2>&1 &
writer=$!; pids+=("$writer")
for _ in $(seq 1 200); do [[ -f "$work/paused" ]] && break; sleep 0.05; done
[[ -f "$work/paused" ]]; rc=$?; out="the writer never reached its transaction"; report "the writer is inside its transaction" $((1 - rc))
out=$(sqlite3 -cmd ".timeout 2000" "$killed" "SELECT count(*) FROM results" 2>&1); rc=0
[[ $out == 1 ]]; report "... its rows are not visible yet" $((1 - $?))
kill -9 "$writer"; wait "$writer" 2>/dev/null
after=$(sqlite3 "$killed" "SELECT count(*), group_concat(hash) FROM (SELECT hash FROM results UNION ALL SELECT hash FROM events)")
out="before: $before, after: $after"; [[ "$before" == "$after" ]]; report "killed with SIGKILL during record: the register is unchanged" $((1 - $?))
check "... and verifies" 0 "intact: 1 record and 0 events" "$hoshu" register verify "$killed"
check "... and takes the record again" 0 "recorded FY2025 as record 2" "$hoshu" register record "$killed" "$work/fy2025.json" --by hr

# --- two processes recording at once: serialized, neither lost.
both="$work/both.db"
"$hoshu" register init "$both" > /dev/null
rm -f "$work/paused"
HOSHU_TEST_PAUSE_IN_WRITE="$work/paused:2" "$hoshu" register record "$both" "$work/fy2024.json" --by first > "$work/first.out" 2>&1 &
first=$!; pids+=("$first")
for _ in $(seq 1 200); do [[ -f "$work/paused" ]] && break; sleep 0.05; done
"$hoshu" register record "$both" "$work/fy2025.json" --by second > "$work/second.out" 2>&1
second_rc=$?
wait "$first"; first_rc=$?
out="$(cat "$work/first.out" "$work/second.out")"; rc=$first_rc
[[ $first_rc -eq 0 && $second_rc -eq 0 ]]; report "two writers at once both succeed" $((1 - $?))
check "... the first holds the lock, the second waits for it" 0 "recorded FY2025 as record 2" cat "$work/second.out"
check "... both recorded, the chain intact" 0 "intact: 2 records and 0 events" "$hoshu" register verify "$both"

# --- two events at once: the second is checked against the balances after the first (its
# checks and its write are one transaction). The first pauses inside its transaction; the
# second starts then, so that a check made outside the transaction would read the balances
# before the first event.
racing() {  # racing DB FIRST_ARGS… -- SECOND_ARGS…: the first paused in its write, the second started meanwhile
  local racedb=$1; shift
  local first=() second=()
  while [[ $1 != -- ]]; do first+=("$1"); shift; done; shift; second=("$@")
  rm -f "$work/paused"
  cp "$work/race-base.db" "$racedb"
  HOSHU_TEST_PAUSE_IN_WRITE="$work/paused:2" "$hoshu" register event "$racedb" "${first[@]}" > "$work/first.out" 2>&1 &
  local writer=$!; pids+=("$writer")
  for _ in $(seq 1 400); do [[ -f "$work/paused" ]] && break; sleep 0.05; done
  run "$hoshu" register event "$racedb" "${second[@]}"
  wait "$writer"; first_rc=$?
}
seen() {  # seen NAME EXPECTED_RC EXPECTED_TEXT: of the command run last
  [[ $rc -eq $2 && "$out" == *"$3"* ]] && report "$1" 1 || report "$1 (want exit $2, \"$3\")" 0
}
"$hoshu" register init "$work/race-base.db" > /dev/null
"$hoshu" register record "$work/race-base.db" "$work/fy2024.json" --grants $grants > /dev/null
claw=(--director D01 --kind clawback --shares 3973 --year FY2024 --grant tenure_rs_shares --date 2025-08-01)
racing "$work/race.db" "${claw[@]}" --reason first -- "${claw[@]}" --reason second
seen "two clawbacks of a whole grant at once: the second, checked after the first, is refused" 2 \
  "D01 FY2024 tenure_rs_shares has 0 restricted shares on 2025-08-01, fewer than the clawback's 3973"
[[ $first_rc -eq 0 ]] && grep -q "^recorded event 1: clawback D01" "$work/first.out"; report "... the first recorded" $((1 - $?))
check "... one event recorded, the register intact" 0 "intact: 1 record and 1 event" "$hoshu" register verify "$work/race.db"
racing "$work/race.db" --director D01 --kind clawback --shares 100 --year FY2024 --grant annual_rs_shares --date 2025-07-05 --reason cb \
  -- --director D01 --kind leave --date 2025-07-10 --reason bye
seen "a leave recorded while a clawback is written forfeits what the clawback left" 0 "18802 restricted shares forfeited"
racing "$work/race.db" --director D01 --kind leave --date 2025-07-10 --reason bye \
  -- --director D01 --kind clawback --shares 100 --year FY2024 --grant annual_rs_shares --date 2025-07-05 --reason cb
seen "an earlier-dated event started while a leave is written is refused (date order)" 2 "D01 has an event dated 2025-07-10 already"

# --- eval --register: the carried state of the prior year from the register (not available yet).
check "eval --register with inputs that type the carried ledger is refused, naming the register's record" 2 "grants.db, FY2024 record 2, carry.ledger" \
  "$hoshu" eval rules/iij --inputs examples/iij/fy2025.toml --register "$db"

exit $fail
