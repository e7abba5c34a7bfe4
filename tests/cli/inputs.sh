#!/usr/bin/env bash
# hoshu inputs PLAN: the inputs template of each plan (and of tests/golden/inputs_shapes, every
# shape of key) is valid TOML (as written, and with its commented-out optional keys given);
# every key the plan's example inputs give is in it at the same path (a computed key "<name>"
# stands for any key; one record stands for each record of a list); the records a `carry` writes are said to be carried, not asked for;
# every key in it is one the plan reads (`hoshu eval` reports no unknown key); --out writes
# the same text; a plan that does not check is an error (exit 1), a missing one a usage
# error (exit 2); a `belongs to` record's link left as the template's placeholder is reported
# as a placeholder, with the others, not as a record not listed.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
command -v python3 > /dev/null && python3 -c 'import tomllib' 2> /dev/null || { echo "skip: python3 with tomllib"; exit 77; }

# compare TEMPLATE EXAMPLE…: the template parses (as written and uncommented) and has each
# example's keys at their paths; a top-level key the template says is carried is skipped.
compare() {
  python3 - "$@" <<'PY'
import re, sys, tomllib
template = open(sys.argv[1], encoding="utf-8").read()
tomllib.loads(template)
key = r'("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)'
# Give every key that is commented out (`# key = value`; comments of prose are indented).
full = re.sub(r'(?m)^# (' + key + r' = )', r'\1', template)
tree = tomllib.loads(full)
carried = set(re.findall(r'(?m)^# ([A-Za-z0-9_.-]+): not typed here\.', template))
problems = []
def covers(t, e, path):
    if isinstance(e, dict):
        if not isinstance(t, dict):
            problems.append(f"{path}: a table in the example, not in the template"); return
        wild = [k for k in t if k.startswith("<") and k.endswith(">")]
        for k, v in e.items():
            if not path and k in carried: continue
            at = f"{path}.{k}" if path else k
            if k in t: covers(t[k], v, at)
            elif wild: covers(t[wild[0]], v, at)
            else: problems.append(f"{at}: not in the template")
    elif isinstance(e, list):
        if not isinstance(t, list):
            problems.append(f"{path}: an array in the example, not in the template"); return
        for i, item in enumerate(e):
            if isinstance(item, dict):
                if not t or not isinstance(t[0], dict):
                    problems.append(f"{path}[{i}]: a record in the example, not in the template"); return
                covers(t[0], item, f"{path}[{i}]")
    elif isinstance(t, (dict, list)):
        problems.append(f"{path}: a value in the example, a table or array in the template")
for example in sys.argv[2:]:
    with open(example, "rb") as f:
        covers(tree, tomllib.load(f), "")
for p in problems: print(f"  {p}")
sys.exit(1 if problems else 0)
PY
}

check_plan() {   # PLAN EXAMPLE…
  local plan=$1 name=${1#rules/}
  name=${name//\//_}
  shift
  NO_COLOR=1 "$hoshu" inputs "$plan" > "$work/$name.toml" 2> "$work/$name.err" \
    && ok "$name: inputs exits 0" || { bad "$name: inputs exits non-zero"; cat "$work/$name.err"; return; }
  [[ -s "$work/$name.err" ]] && bad "$name: stderr is not empty"
  compare "$work/$name.toml" "$@" && ok "$name: valid TOML with every key of $*" \
    || bad "$name: the template misses keys of the examples"
  # Every key in it, commented out or not, is one the plan reads.
  sed -E 's/^# ("([^"\\]|\\.)*"|[A-Za-z0-9_-]+) = /\1 = /' "$work/$name.toml" > "$work/$name.full.toml"
  for t in "$work/$name.toml" "$work/$name.full.toml"; do
    NO_COLOR=1 "$hoshu" eval "$plan" --inputs "$t" > /dev/null 2> "$work/eval.err"
    grep -q "unknown key" "$work/eval.err" && { bad "$name: eval reports an unknown key in $(basename "$t")"; grep "unknown key" "$work/eval.err" | head -5; } \
      || ok "$name: eval reports no unknown key in $(basename "$t")"
  done
  # The check above can fail: a key the plan does not read is reported.
  { printf 'not_a_key_of_the_plan = 1\n'; cat "$work/$name.full.toml"; } > "$work/$name.bogus.toml"
  NO_COLOR=1 "$hoshu" eval "$plan" --inputs "$work/$name.bogus.toml" > /dev/null 2> "$work/eval.err"
  grep -q "unknown key \`not_a_key_of_the_plan\`" "$work/eval.err" && ok "$name: a key added to it is reported unknown" \
    || { bad "$name: eval does not reach the check of unknown keys"; head -5 "$work/eval.err"; }
  # --out: the same text, whole.
  NO_COLOR=1 "$hoshu" inputs "$plan" --out "$work/$name.out.toml" && cmp -s "$work/$name.toml" "$work/$name.out.toml" \
    && ok "$name: --out writes the same template" || bad "$name: --out differs from stdout"
}

check_plan rules/iij examples/iij/fy2024.toml examples/iij/fy2025.toml examples/iij/fy2026.toml \
  examples/iij/fy2025-carried.toml examples/iij/fy2026-carried.toml
grep -q '^# ledger: not typed here\.' "$work/iij.toml" && ! grep -q '^\[\[ledger\]\]' "$work/iij.toml" \
  && ok "iij: the carried ledger is not asked for" || bad "iij: the carried ledger is asked for"
check_plan rules/us-psu examples/us-psu/fy2026.toml examples/us-psu/fy2026-negative.toml
check_plan rules/jp-bbt examples/jp-bbt/fy2025.toml examples/jp-bbt/fy2026.toml
grep -q '^# balances: not typed here\.' "$work/jp-bbt.toml" && ! grep -q 'balances\]\]' "$work/jp-bbt.toml" \
  && ok "jp-bbt: the carried balances are not asked for" || bad "jp-bbt: the carried balances are asked for"
# Its shapes: a collection under a table, keys TOML quotes, a table in each record, computed
# keys two deep, array elements.
check_plan tests/golden/inputs_shapes/rules

# A `belongs to` record's link: the template's placeholder (`participant = "<participant>"`)
# is reported as one, with every other placeholder, in one run — not as a participant not
# listed, which stopped eval and hid the others. Once the others are filled in, it is the one
# reported; a name not listed is still reported as such.
mkdir -p "$work/link"
cat > "$work/link/plan.hoshu" <<'HOSHU'
plan "belongs-to template"
unit GBP currency "£" minor 0.01
input grant_date: date at grant_date range 2000-01-01 to 2100-12-31
collection participants: participant at participants key id
collection awards: award at deferred_awards
  belongs to participant by participant
per participant
  input salary: GBP at salary range £0 to £1,000,000
  output total: shares = sum of award_shares over awards
  output pay: GBP = salary
end
per award
  input award_shares: shares at shares range 0 shares to 1,000,000 shares
end
HOSHU
NO_COLOR=1 "$hoshu" inputs "$work/link" > "$work/link.toml"
grep -q '^participant = "<participant>"$' "$work/link.toml" && ok "link: the template writes participant = \"<participant>\"" \
  || bad "link: the template has no participant = \"<participant>\""
NO_COLOR=1 "$hoshu" eval "$work/link" --inputs "$work/link.toml" > /dev/null 2> "$work/link.err"
rc=$?
n=$(grep -c "is still the inputs template's placeholder" "$work/link.err")
[[ $rc -eq 1 && $n -eq 5 ]] && grep -q "\`deferred_awards\[0\].participant\` is still the inputs template's placeholder \"<participant>\"" "$work/link.err" \
  && ! grep -q "not listed" "$work/link.err" && ok "link: eval of the template reports its 5 placeholders, the link among them" \
  || { bad "link: eval of the template: exit $rc, $n placeholders reported"; cat "$work/link.err"; }
sed -e 's/^grant_date = .*/grant_date = 2025-06-30/' -e 's/^id = "<id>"/id = "P1"/' -e 's/^salary = .*/salary = 1000/' \
  -e 's/^shares = .*/shares = 10/' "$work/link.toml" > "$work/link-filled.toml"
NO_COLOR=1 "$hoshu" eval "$work/link" --inputs "$work/link-filled.toml" > /dev/null 2> "$work/link.err"
rc=$?
[[ $rc -eq 1 && $(grep -c "error:" "$work/link.err") -eq 1 ]] \
  && grep -q "\`deferred_awards\[0\].participant\` is still the inputs template's placeholder" "$work/link.err" \
  && ok "link: the others filled in, the link is the one placeholder reported" \
  || { bad "link: the others filled in: exit $rc"; cat "$work/link.err"; }
sed 's/^participant = .*/participant = "P2"/' "$work/link-filled.toml" > "$work/link-typo.toml"
NO_COLOR=1 "$hoshu" eval "$work/link" --inputs "$work/link-typo.toml" > /dev/null 2> "$work/link.err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "award 1 of \`deferred_awards\` names participant \`P2\`, who is not listed" "$work/link.err" \
  && ok "link: a participant not listed is still reported as such" || { bad "link: P2 not listed: exit $rc"; cat "$work/link.err"; }
sed 's/^participant = .*/participant = "P1"/' "$work/link-filled.toml" > "$work/link-done.toml"
NO_COLOR=1 "$hoshu" eval "$work/link" --inputs "$work/link-done.toml" > "$work/link.out" 2> "$work/link.err"
rc=$?
[[ $rc -eq 0 ]] && grep -q "P1" "$work/link.out" && ok "link: filled in, it evaluates" || { bad "link: filled in: exit $rc"; cat "$work/link.err"; }

# A plan that does not check: its errors, exit 1, nothing on stdout.
mkdir -p "$work/broken"
printf 'plan "broken"\n\ninput x: JPY at x\nvalue y: JPY = x + 1 shares\n' > "$work/broken/plan.hoshu"
NO_COLOR=1 "$hoshu" inputs "$work/broken" > "$work/broken.out" 2> "$work/broken.err"
rc=$?
[[ $rc -eq 1 && ! -s "$work/broken.out" ]] && grep -q "error:" "$work/broken.err" \
  && ok "a plan that does not check: exit 1, its errors" || { bad "a plan that does not check: exit $rc"; cat "$work/broken.err"; }
# No plan there: a usage error; --out to a folder that does not exist: an output error, no file.
NO_COLOR=1 "$hoshu" inputs "$work/nowhere" > /dev/null 2> "$work/nowhere.err"
rc=$?
[[ $rc -eq 2 ]] && ok "a missing plan: exit 2" || { bad "a missing plan: exit $rc"; cat "$work/nowhere.err"; }
NO_COLOR=1 "$hoshu" inputs rules/iij --out "$work/no/such/dir/t.toml" 2> /dev/null
rc=$?
[[ $rc -eq 2 && ! -e "$work/no/such/dir/t.toml" ]] && ok "--out to a missing folder: exit 2" || bad "--out to a missing folder: exit $rc"
NO_COLOR=1 "$hoshu" inputs 2> /dev/null
[[ $? -eq 2 ]] && ok "no plan given: exit 2" || bad "no plan given: not exit 2"
# A hidden character in a note (U+2028, a line separator an editor shows as a line break; a
# right-to-left override) is written escaped in the template, as the rule file's warning
# names it — not copied raw.
mkdir -p "$work/hidden"
printf 'plan "Hidden"\n  source X1 "a test plan"\n\ncollection directors: director at people key id\n\nper director\n  input n: shares at n range 0 shares to 100 shares\n    source X1 "an input"\n    note "first\xe2\x80\xa8second \xe2\x80\xaeevil"\n\n  output halved: ratio = n / (2 shares)\n    source X1 "halved"\nend\n' > "$work/hidden/p.hoshu"
out=$(NO_COLOR=1 "$hoshu" inputs "$work/hidden" 2> /dev/null); rc=$?
[[ $rc -eq 0 && "$out" == *'first\u{2028}second \u{202e}evil'* && "$out" != *$'\u2028'* && "$out" != *$'\u202e'* ]] &&
  ok "a note's hidden characters are escaped in the template" || bad "a note's hidden characters: exit $rc: $(printf '%s' "$out" | grep -a first | od -c | head -5)"
exit $fail
