#!/usr/bin/env bash
# Tests are not sealed: a test added to a rule file (among definitions or in a file of its
# own), edited or removed leaves rules_sha256 as it was, so that last year's result still
# verifies, carries (`eval --carry`) and records, and the register verifies it again from
# its stored rules (`register verify`, `verify --register`, `eval --register`). Any other
# change is still caught. `hoshu seal --text` prints a file as it is sealed. A result sealed
# by an earlier hoshu (every file hashed whole) still verifies while its files are the same.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
run() { out=$(NO_COLOR=1 timeout 20 "$@" 2>&1); rc=$?; }
report() {
  if [[ $2 == 1 ]]; then echo "ok   $1"; else echo "FAIL $1: exit $rc; output:"; echo "$out"; fail=1; fi
}
check() {  # check NAME EXPECTED_RC EXPECTED_TEXT ARGS…
  local name=$1 want_rc=$2 want_text=$3; shift 3
  run "$@"
  [[ $rc -eq $want_rc && "$out" == *"$want_text"* ]] && report "$name" 1 || report "$name (want exit $want_rc, \"$want_text\")" 0
}
sealed() { grep -o '"rules_sha256": "[0-9a-f]*"' "$1" | cut -d'"' -f4; }

# --- The points plan, its FY2025 result sealed and recorded.
p=$work/bbt
cp -r rules/jp-bbt "$p"
"$hoshu" eval "$p" --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/fy2025.json"
before=$(sealed "$work/fy2025.json")
"$hoshu" register init "$work/g.db" > /dev/null
check "the FY2025 result is recorded" 0 "recorded FY2025" \
  "$hoshu" register record "$work/g.db" "$work/fy2025.json" --grants delivered_shares
values() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seal"); print(json.dumps(d))'; }
export -f values
carried=$("$hoshu" eval "$p" --inputs examples/jp-bbt/fy2026.toml --carry "$work/fy2025.json" --format json | values)

# --- Tests added: at the end of a file of definitions (with a comment), in the file of
# tests, and in a new file of tests only.
cat >> "$p/plan.hoshu" <<'X'

# A test kept with the definitions.
test "kept with the plan"
  inputs "tests/added.toml"
  # nothing is expected of it but that it is no definition
  expect fiscal_year = "FY2025"
X
printf '\ntest "one more"\n  inputs "tests/added.toml"\n  expect fiscal_year = "FY2025"\n' >> "$p/tests.hoshu"
printf '# More tests.\n\ntest "a file of its own"\n  inputs "tests/added.toml"\n  expect fiscal_year = "FY2025"\n' > "$p/more_tests.hoshu"
"$hoshu" eval "$p" --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/again.json"
[[ -n "$before" && "$(sealed "$work/again.json")" == "$before" ]]; rc=$?; out="$before / $(sealed "$work/again.json")"
report "tests added leave rules_sha256 as it was" $((1 - rc))
check "the FY2025 result still verifies" 0 "verified: $work/fy2025.json matches rules" "$hoshu" verify "$work/fy2025.json"
run bash -c "'$hoshu' eval '$p' --inputs examples/jp-bbt/fy2026.toml --carry '$work/fy2025.json' --format json | values"
[[ $rc -eq 0 && -n "$carried" && "$out" == "$carried" ]]; report "--carry still carries from it, the same values" $((1 - $?))
check "... and it verifies against the register too" 0 "verified" \
  "$hoshu" verify "$work/fy2025.json" --register "$work/g.db"
check "the register verifies from its stored rules" 0 "" "$hoshu" register verify "$work/g.db"
run bash -c "'$hoshu' eval '$p' --inputs examples/jp-bbt/fy2026.toml --register '$work/g.db' --format json | values"
[[ $rc -eq 0 && "$out" == "$carried" ]]; report "eval --register carries as --carry did" $((1 - $?))
"$hoshu" register init "$work/g2.db" > /dev/null
check "the result is recorded with the tests added" 0 "recorded FY2025" \
  "$hoshu" register record "$work/g2.db" "$work/fy2025.json" --grants delivered_shares
check "... and that register verifies" 0 "" "$hoshu" register verify "$work/g2.db"

# --- seal --text: a file as sealed; the listing's line is its SHA-256.
line=$("$hoshu" seal "$p" | grep '  plan.hoshu$' | cut -c1-64)
text_sha=$("$hoshu" seal "$p" --text plan.hoshu | sha256sum | cut -c1-64)
out="$line / $text_sha"; [[ -n "$line" && "$line" == "$text_sha" ]]; report "seal --text | sha256sum is the file's line of the listing" $((1 - $?))
run bash -c "'$hoshu' seal '$p' --text plan.hoshu | diff '$p/plan.hoshu' - | grep '^>'"
[[ -z "$out" ]]; report "seal --text only leaves lines out" $((1 - $?))
run bash -c "'$hoshu' seal '$p' --text plan.hoshu | diff '$p/plan.hoshu' - | grep -c '^<'"
[[ "$out" == 6 ]]; report "... the test's six lines (blank line, comment, test)" $((1 - $?))
run "$hoshu" seal "$p"
[[ "$out" != *tests.hoshu* ]]; report "files of tests only are not listed" $((1 - $?))
check "seal --text of a file of tests only is refused" 2 "more_tests.hoshu declares nothing but tests: it is not sealed" \
  "$hoshu" seal "$p" --text more_tests.hoshu
check "seal --text of a file the plan does not load is refused" 2 "seals no rule file nope.hoshu" \
  "$hoshu" seal "$p" --text nope.hoshu

# --- Anything else is still caught: a comment, a definition, a file of comments.
cp "$p/plan.hoshu" "$work/plan.saved"
sed -i 's/^# A test kept with the definitions.$/# A test kept with the definitions.\n\n# a note of the plan/' "$p/plan.hoshu"
check "a comment set apart from the test is sealed" 1 "plan.hoshu was changed" "$hoshu" verify "$work/fy2025.json"
cp "$work/plan.saved" "$p/plan.hoshu"
printf '# to do\n' > "$p/notes.hoshu"
check "a file of comments only is sealed" 1 "notes.hoshu was added" "$hoshu" verify "$work/fy2025.json"
rm "$p/notes.hoshu"
printf 'test "t"\n  inputs "tests/added.toml"\n  expect fiscal_year = "FY2025"\nparam spare: shares = 1 share\n' >> "$p/more_tests.hoshu"
check "a definition in a file of tests is sealed" 1 "more_tests.hoshu was added" "$hoshu" verify "$work/fy2025.json"
rm "$p/more_tests.hoshu"
check "back as it was, it verifies" 0 "verified" "$hoshu" verify "$work/fy2025.json"

# --- A file of tests only that a sealed file imports, from outside the plan folder: not
# sealed, but kept with the record, so that the register loads the plan again (`eval
# --register`, `register verify`, an event checked against the plan).
i=$work/imports
mkdir -p "$i/common"
cp -r rules/jp-bbt "$i/plan"
mv "$i/plan/tests.hoshu" "$i/common/tests.hoshu"
sed -i -e 's#inputs "tests/#inputs "../plan/tests/#' -e "s#\"../../examples/#\"$PWD/examples/#" "$i/common/tests.hoshu"
printf 'import "../common/tests.hoshu"\n' >> "$i/plan/plan.hoshu"
check "the imported tests run" 0 "passed" "$hoshu" test "$i/plan"
run "$hoshu" seal "$i/plan"
[[ $rc -eq 0 && "$out" != *common/tests.hoshu* ]]; report "the imported file of tests only is not sealed" $((1 - $?))
"$hoshu" eval "$i/plan" --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/imp.json"
"$hoshu" register init "$work/imp.db" > /dev/null
check "a result whose plan imports a file of tests only is recorded" 0 "recorded FY2025" \
  "$hoshu" register record "$work/imp.db" "$work/imp.json" --grants delivered_shares
run sqlite3 "$work/imp.db" "SELECT role || ' ' || path FROM record_files WHERE role = 'tests'"
[[ "$out" == "tests ../common/tests.hoshu" ]]; report "... the file of tests kept with it, as a file of tests" $((1 - $?))
check "... that register verifies from its stored files" 0 "1 stored result verified again" \
  "$hoshu" register verify "$work/imp.db"
check "... and the next year carries from it" 0 "" \
  "$hoshu" eval "$i/plan" --inputs examples/jp-bbt/fy2026.toml --register "$work/imp.db"

# --- Rule files that the register's private copy could put in one place: a plan importing
# `../plan/x.hoshu` beside its own x.hoshu, and `../x.hoshu` beside `../../up/x.hoshu`.
c=$work/collide
mkdir -p "$c/r/plan" "$c/r/p" "$c/a/b/up" "$c/a/b/c/p"
cat > "$c/r/p/plan.hoshu" <<'X'
plan "T"
import "../plan/x.hoshu"
input year: text at fiscal_year
output fiscal_year: text = year
collection directors: director at directors key id
per director
  input pay: JPY at pay range ¥0 to ¥1,000,000
  output award: shares = round down(pay / ¥1 per share * k * j, 1 share)
end
X
echo 'param k: ratio = 2' > "$c/r/p/x.hoshu"
echo 'param j: ratio = 3' > "$c/r/plan/x.hoshu"
sed -e 's|^import "../plan/x.hoshu"|import "../x.hoshu"\nimport "../../up/x.hoshu"|' "$c/r/p/plan.hoshu" > "$c/a/b/c/p/plan.hoshu"
cp "$c/r/p/x.hoshu" "$c/a/b/c/x.hoshu"
cp "$c/r/plan/x.hoshu" "$c/a/b/up/x.hoshu"
printf 'fiscal_year = "FY1"\n[[directors]]\nid = "A"\npay = 100\n' > "$c/t.toml"
for plan in "$c/r/p" "$c/a/b/c/p"; do
  "$hoshu" eval "$plan" --inputs "$c/t.toml" --format json --out "$c/r.json"
  rm -f "$c/g.db"; "$hoshu" register init "$c/g.db" > /dev/null
  "$hoshu" register record "$c/g.db" "$c/r.json" --grants award > /dev/null
  check "two rule files that meet in the register's copy of $(basename "$(dirname "$plan")")/p are kept apart" 0 \
    "1 stored result verified again" "$hoshu" register verify "$c/g.db"
done

# --- A result sealed by an earlier hoshu: every file hashed whole, tests too.
q=$work/old
cp -r rules/jp-bbt "$q"
"$hoshu" eval "$q" --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/old.json"
listing=$(cd "$q" && LC_ALL=C sha256sum *.hoshu)
python3 - "$work/old.json" "$listing" <<'X'
import hashlib, json, sys
path, listing = sys.argv[1], sys.argv[2] + "\n"
text = open(path).read()
d = json.loads(text)
old = d["seal"]["rules_sha256"]
files = [{"path": l.split("  ", 1)[1], "sha256": l.split("  ", 1)[0]} for l in listing.splitlines()]
new_files = json.dumps(files, ensure_ascii=False)
text = text.replace(old, hashlib.sha256(listing.encode()).hexdigest())
start = text.index('"rule_files": [')
end = text.index(']', start) + 1
text = text[:start] + '"rule_files": ' + new_files + text[end:]
open(path, "w").write(text)
X
check "a result sealed whole still verifies while its files are the same" 0 "verified" "$hoshu" verify "$work/old.json"
"$hoshu" register init "$work/old.db" > /dev/null
check "... is recorded" 0 "recorded FY2025" "$hoshu" register record "$work/old.db" "$work/old.json" --grants delivered_shares
check "... and its register verifies" 0 "" "$hoshu" register verify "$work/old.db"
printf '\ntest "one more"\n  inputs "tests/added.toml"\n  expect fiscal_year = "FY2025"\n' >> "$q/tests.hoshu"
check "once a test changed, it says why and what to do" 1 "whose seal covered the tests too" "$hoshu" verify "$work/old.json"
check "... naming the file whole" 1 "tests.hoshu was changed" "$hoshu" verify "$work/old.json"

exit $fail
