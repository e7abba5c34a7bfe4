#!/usr/bin/env bash
# --out writes the whole file or nothing: an error never truncates or replaces an existing
# output, and no temporary file is left behind.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
echo "previous result" > "$work/out.csv"
printf 'fiscal_year = "FY2024"\nperiod_start = 2024-04-01\n' > "$work/bad.toml"   # no directors, no prices
"$hoshu" eval rules/iij --inputs "$work/bad.toml" --format csv --out "$work/out.csv" 2>/dev/null
rc=$?
[[ $rc -ne 0 ]] || { echo "FAIL: bad inputs exited 0"; fail=1; }
[[ "$(cat "$work/out.csv")" == "previous result" ]] || { echo "FAIL: the existing output was changed"; fail=1; }
[[ $(ls -A "$work" | wc -l) -eq 2 ]] || { echo "FAIL: files left behind:"; ls -A "$work"; fail=1; }

"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format csv --out "$work/out.csv" || { echo "FAIL: eval"; fail=1; }
cmp -s "$work/out.csv" examples/iij/fy2024.expected.csv || { echo "FAIL: --out differs from stdout's golden"; fail=1; }
[[ $(ls -A "$work" | wc -l) -eq 2 ]] || { echo "FAIL: temporary file left behind"; ls -A "$work"; fail=1; }

# Determinism: the same rules and inputs give byte-identical output.
a=$("$hoshu" eval rules/iij --inputs examples/iij/fy2026.toml --format json)
b=$("$hoshu" eval rules/iij --inputs examples/iij/fy2026.toml --format json)
[[ "$a" == "$b" ]] || { echo "FAIL: two runs differ"; fail=1; }
# The seal changes when any byte of the inputs changes (here: one trailing space).
cp examples/iij/fy2024.toml "$work/in.toml"
seal() { "$hoshu" eval rules/iij --inputs "$1" --format json | grep '"inputs_sha256"'; }
s1=$(seal "$work/in.toml"); printf ' ' >> "$work/in.toml"; s2=$(seal "$work/in.toml")
[[ -n "$s1" && "$s1" != "$s2" ]] || { echo "FAIL: the seal did not change with the inputs"; fail=1; }
rm "$work/in.toml"

# A write stopped part way (the file-size limit stops it after 1 KiB) is an error (exit 2)
# and leaves the existing output as it was, without the temporary file.
echo "previous result" > "$work/out.json"
{ ( ulimit -f 1; "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/out.json" ) \
  > /dev/null 2>&1; } 2> /dev/null
rc=$?
[[ $rc -eq 2 ]] || { echo "FAIL: a write stopped by the file-size limit: exit $rc, want 2"; fail=1; }
[[ "$(cat "$work/out.json")" == "previous result" ]] || { echo "FAIL: an interrupted write changed the output"; fail=1; }
[[ $(ls -A "$work" | wc -l) -eq 3 ]] || { echo "FAIL: files left behind by a stopped write:"; ls -A "$work"; fail=1; }

# --out never replaces a file the command reads (it replaced the inputs, a rule file, last
# year's result, the model, the CSV of scenarios, the register, silently, exit 0).
mkdir -p "$work/read"
cp -r rules/iij "$work/read/plan"
cp examples/iij/fy2024.toml examples/iij/fy2025-carried.toml examples/iij/model.toml examples/iij/sensitivity.csv "$work/read/"
"$hoshu" eval "$work/read/plan" --inputs "$work/read/fy2024.toml" --format json --out "$work/read/fy2024.json" ||
  { echo "FAIL: eval to fy2024.json"; fail=1; }
snapshot() { (cd "$work/read" && find . -type f | LC_ALL=C sort | xargs sha256sum); }
before=$(snapshot)
ln -s fy2024.toml "$work/read/link.toml"
refused() {   # refused WHAT ARGS…: exit 2, "which this command reads", nothing changed or left
  local what=$1 out rc; shift
  out=$(NO_COLOR=1 "$hoshu" "$@" 2>&1 > /dev/null); rc=$?
  if [[ $rc -ne 2 || "$out" != *"${want:-which this command reads; write to another file}"* ]]; then
    echo "FAIL: --out over $what: exit $rc, output: ${out:0:300}"; fail=1
  elif [[ "$(snapshot)" != "$before" ]]; then
    echo "FAIL: --out over $what changed a file"; fail=1
  fi
}
r=$work/read
refused "the inputs" eval "$r/plan" --inputs "$r/fy2024.toml" --out "$r/fy2024.toml"
refused "the inputs, by a symbolic link" eval "$r/plan" --inputs "$r/fy2024.toml" --format csv --out "$r/link.toml"
refused "the inputs, by another path" eval "$r/plan" --inputs "$r/fy2024.toml" --out "$r/plan/../fy2024.toml"
want="is a rule file's name (.hoshu)" refused "a rule file" eval "$r/plan" --inputs "$r/fy2024.toml" --out "$r/plan/annual.hoshu"
refused "the carried result" eval "$r/plan" --inputs "$r/fy2025-carried.toml" --carry "$r/fy2024.json" --format json --out "$r/fy2024.json"
refused "the inputs (report)" report "$r/plan" --inputs "$r/fy2024.toml" --director D03 --out "$r/fy2024.toml"
want="is a rule file's name (.hoshu)" refused "a rule file (doc)" doc "$r/plan" --out "$r/plan/limits.hoshu"
want="is a rule file's name (.hoshu)" refused "a rule file (inputs)" inputs "$r/plan" --out "$r/plan/annual.hoshu"
refused "the scenarios" batch "$r/plan" --inputs "$r/fy2024.toml" --scenarios "$r/sensitivity.csv" --out "$r/sensitivity.csv"
refused "the inputs (batch)" batch "$r/plan" --inputs "$r/fy2024.toml" --grid 'directors.D03.division_score=0.9,1' --out "$r/fy2024.toml"
refused "the model" simulate "$r/plan" --inputs "$r/fy2024.toml" --model "$r/model.toml" --paths 10 --seed 1 --out "$r/model.toml"
refused "the inputs (histogram)" simulate "$r/plan" --inputs "$r/fy2024.toml" --model "$r/model.toml" --paths 10 --seed 1 \
  --histogram "$r/fy2024.toml"
if command -v sqlite3 > /dev/null; then
  "$hoshu" register init "$r/grants.db" > /dev/null && "$hoshu" register record "$r/grants.db" "$r/fy2024.json" > /dev/null ||
    { echo "FAIL: register"; fail=1; }
  before=$(snapshot)
  refused "the register" register export "$r/grants.db" --format csv --out "$r/grants.db"
  # Nor the names SQLite keeps beside it, which the next register command would delete.
  want="is the name SQLite gives the journal of \`$r/grants.db\`, a register this command reads" \
    refused "the register's journal" register export "$r/grants.db" --format csv --out "$r/grants.db-journal"
  want="is the name SQLite gives the write-ahead log of" \
    refused "the register's log" register export "$r/grants.db" --format json --out "$r/plan/../grants.db-wal"
  [[ ! -e "$r/grants.db-journal" && ! -e "$r/grants.db-wal" ]] || { echo "FAIL: an output named as the journal was written"; fail=1; }
  "$hoshu" register verify "$r/grants.db" > /dev/null || { echo "FAIL: the register was damaged"; fail=1; }
fi
# An output never takes a rule file's name (.hoshu): written into the plan's folder it would
# be read as a rule file. Refused, exit 2, for every command's --out (and --histogram).
before=$(snapshot)
for cmd in "doc $r/plan --out $r/plan/zz.hoshu" "eval $r/plan --inputs $r/fy2024.toml --out $r/plan/new.hoshu" \
           "report $r/plan --inputs $r/fy2024.toml --out $r/NEW.HOSHU" "inputs $r/plan --out $r/plan/t.hoshu" \
           "simulate $r/plan --inputs $r/fy2024.toml --model $r/model.toml --paths 10 --histogram $r/plan/h.hoshu"; do
  # shellcheck disable=SC2086
  out=$(NO_COLOR=1 "$hoshu" $cmd 2>&1 > /dev/null); rc=$?
  if [[ $rc -ne 2 || "$out" != *"is a rule file's name (.hoshu), which hoshu never writes an output as"* ]]; then
    echo "FAIL: hoshu ${cmd%% *} with an output named .hoshu: exit $rc, output: ${out:0:300}"; fail=1
  fi
done
[[ "$(snapshot)" == "$before" && ! -e "$r/plan/zz.hoshu" && ! -e "$r/NEW.HOSHU" ]] || { echo "FAIL: an output named .hoshu was written"; fail=1; }
# Nor through a symbolic link, or a chain of them, that leads to such a name (the link itself
# named otherwise): the output would be written where the link leads.
ln -s plan/zz.hoshu "$r/page.html"
ln -s page.html "$r/page2.html"
for cmd in "doc $r/plan --out $r/page.html" "eval $r/plan --inputs $r/fy2024.toml --format json --out $r/page2.html" \
           "simulate $r/plan --inputs $r/fy2024.toml --model $r/model.toml --paths 10 --histogram $r/page.html"; do
  # shellcheck disable=SC2086
  out=$(NO_COLOR=1 "$hoshu" $cmd 2>&1 > /dev/null); rc=$?
  if [[ $rc -ne 2 || "$out" != *"leads to \`$r/plan/zz.hoshu\`, whose name is a rule file's name (.hoshu)"* ]]; then
    echo "FAIL: hoshu ${cmd%% *} with an output linked to a .hoshu name: exit $rc, output: ${out:0:300}"; fail=1
  fi
done
[[ ! -e "$r/plan/zz.hoshu" ]] || { echo "FAIL: an output was written through a link as a rule file"; fail=1; }
rm -f "$r/page.html" "$r/page2.html"
[[ $fail -eq 0 ]] && echo "ok   --out is whole or nothing; output is deterministic; the seal follows the inputs"
exit $fail
