#!/usr/bin/env bash
# hoshu test --update: a copy of a plan (its tests read their inputs from inside it) with
# expected values broken is updated to pass again, and only those values change; a failure
# that is not an expected value (a violation) is left for a hand edit and writes nothing;
# a rule file that may not be written is refused (exit 2) and left as it was.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL $1"; fail=1; }
ok() { echo "ok   $1"; }
run() {  # run ARGS…: output (stdout and stderr) in $out, exit code in $rc; never more than 20 s
  out=$(NO_COLOR=1 timeout 20 "$@" 2>&1); rc=$?
}
has() { [[ "$out" == *"$1"* ]]; }

# A copy of the plan runs its tests anywhere: their inputs are inside the plan folder.
cp -r rules/iij "$work/plan"
run "$hoshu" test "$work/plan"
[[ $rc -eq 0 ]] && has "0 failed" && ok "a copied plan runs its own tests" || bad "a copied plan's tests: exit $rc: $out"

# Break three expected values of different types, in place (the first line of each).
tests="$work/plan/tests.hoshu"
cp "$tests" "$work/original.hoshu"
chmod 640 "$tests"
first() { grep -n -m1 -F -x -- "$1" "$tests" | cut -d: -f1; }
l1=$(first '  expect annual_rs_shares for D03 = 4,709 shares')
l2=$(first '  expect annual_rate = 8712/10385')
l3=$(first '  expect base_price = ¥2,800 per share')
sed -i -e "${l1}s|= 4,709 shares|= 4,708 shares|" -e "${l2}s|= 8712/10385|= 0.84|" \
       -e "${l3}s|= ¥2,800 per share|=   ¥2,900 per share   # the close of 2024-03-27|" "$tests"
[[ $(diff "$work/original.hoshu" "$tests" | grep -c '^>') -eq 3 ]] || bad "the edits to break the expectations did not apply"
run "$hoshu" test "$work/plan"
[[ $rc -eq 1 ]] && has "32 passed, 2 failed" || bad "broken expectations: exit $rc (want 1): $out"
cp "$tests" "$work/broken.hoshu"

run "$hoshu" test "$work/plan" --update
[[ $rc -eq 0 ]] && has "32 passed, 2 updated, 0 failed" && has "updated $tests: 3 expected values" \
  && has "tests.hoshu:" && has ": annual_rs_shares for D03: 4,708 shares → 4,709 shares" \
  && has ": annual_rate: 0.84 → 8712/10385" && has ": base_price: ¥2,900 per share → ¥2,800 per share" \
  && ok "--update rewrites each failing expected value and says what changed" \
  || bad "--update: exit $rc: $out"
# Only the values changed: the value text is exactly the original's, and the comment after
# a value stays where it was.
diff <(sed 's|   # the close of 2024-03-27||; s|^  expect base_price =   |  expect base_price = |' "$tests") \
  "$work/original.hoshu" > /dev/null && ok "only the values changed" || { bad "the file differs beyond the values:"; diff "$work/original.hoshu" "$tests"; }
grep -q '^  expect base_price =   ¥2,800 per share   # the close of 2024-03-27$' "$tests" \
  && ok "the spacing and the comment around a value are kept" || bad "the line of a rewritten value: $(grep -n 'base_price = ' "$tests")"
[[ $(stat -c %a "$tests") == 640 ]] && ok "the rule file keeps its mode" || bad "mode $(stat -c %a "$tests"), want 640"
[[ $(ls -A "$work/plan" | grep -c '^\.') -eq 0 ]] || bad "a temporary file was left in the plan folder: $(ls -A "$work/plan")"
run "$hoshu" test "$work/plan"
[[ $rc -eq 0 ]] && has "34 passed, 0 failed" && ok "the updated tests pass" || bad "after --update: exit $rc: $out"

# Nothing to update: nothing written.
cp "$tests" "$work/before.hoshu"
run "$hoshu" test "$work/plan" --update
[[ $rc -eq 0 ]] && has "34 passed, 0 updated, 0 failed" && ! has "updated $tests" && cmp -s "$tests" "$work/before.hoshu" \
  && ok "--update with every test passing writes nothing" || bad "--update on passing tests: exit $rc: $out"

# A violation is never written: an `expect violation` line removed is not put back (the
# violation is reported, exit 1), while the other tests' values are still updated.
l=$(first '  expect violation committee_consulted')
sed -i "${l}d" "$tests"
sed -i "${l1}s|= 4,709 shares|= 1 share|" "$tests"
cp "$tests" "$work/before.hoshu"
run "$hoshu" test "$work/plan" --update
[[ $rc -eq 1 ]] && has "unexpected violation \`committee_consulted\`" && has "the other failures need a hand edit" \
  && has "32 passed, 1 updated, 1 failed" && has "updated $tests: 1 expected value" \
  && [[ $(diff "$work/before.hoshu" "$tests" | grep -c '^>') -eq 1 ]] && [[ $(grep -c '^  expect violation committee_consulted$' "$tests") -eq 1 ]] \
  && ok "violations are left for a hand edit; the values of other tests are updated" \
  || bad "--update with violations: exit $rc: $out"

# A rule file that may not be written is refused, exit 2, and left as it was (run as
# another user when root, who may write any file).
as_other() { if [[ $(id -u) -eq 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; else "$@"; fi; }
cp "$work/broken.hoshu" "$tests"
chmod 444 "$tests"; chmod 755 "$work/plan"; chmod 777 "$work"
if as_other "$hoshu" --version > /dev/null 2>&1 && as_other test -r "$tests"; then
  out=$(as_other env NO_COLOR=1 timeout 20 "$hoshu" test "$work/plan" --update 2>&1); rc=$?
  [[ $rc -eq 2 ]] && has "cannot write \`$tests\`: Permission denied" && cmp -s "$tests" "$work/broken.hoshu" \
    && ok "a rule file it may not write: exit 2, unchanged" || bad "a read-only rule file: exit $rc: $out"
else
  echo "skip a rule file it may not write: cannot run as another user here"
fi
chmod 644 "$tests"

# A rule file reached through a symbolic link is written through it: the link stays.
rm "$tests"
sed "${l1}s|= 4,709 shares|= 4,708 shares|" "$work/original.hoshu" > "$work/tests-elsewhere.hoshu"
ln -s "$work/tests-elsewhere.hoshu" "$tests"
run "$hoshu" test "$work/plan" --update
[[ $rc -eq 0 && -L "$tests" ]] && cmp -s "$work/tests-elsewhere.hoshu" "$work/original.hoshu" \
  && ok "a symbolic link to a rule file is written through" || bad "a symbolic link: exit $rc: $out"

# A test with a value to rewrite and a failure that is not one (an unknown record): the
# value is written, the summary counts that test as failed and updated in part, and its
# changes and failures are listed in the order of its lines.
mkdir -p "$work/partly"
printf '[[people]]\nid = "A"\npay = 1000\n' > "$work/partly/in.toml"
cat > "$work/partly/plan.hoshu" <<'PLAN'
plan "update count"
collection people: person at people key id
per person
  input pay: JPY at pay range ¥0 to ¥1,000,000
  output doubled: JPY = pay * 2
end
test "two failures"
  inputs "in.toml"
  expect doubled for ZZ = ¥1
  expect doubled for A = ¥1
  expect doubled for YY = ¥1
PLAN
run "$hoshu" test "$work/partly" --update
[[ $rc -eq 1 ]] && has "0 passed, 0 updated, 1 failed (1 of them updated in part)" && has "updated $work/partly/plan.hoshu: 1 expected value" \
  && grep -q '^  expect doubled for A = ¥2,000$' "$work/partly/plan.hoshu" \
  && [[ $(printf '%s\n' "$out" | grep -n 'no person `ZZ`' | cut -d: -f1) -lt $(printf '%s\n' "$out" | grep -n 'doubled for A: ¥1 → ¥2,000' | cut -d: -f1) ]] \
  && [[ $(printf '%s\n' "$out" | grep -n 'doubled for A: ¥1 → ¥2,000' | cut -d: -f1) -lt $(printf '%s\n' "$out" | grep -n 'no person `YY`' | cut -d: -f1) ]] \
  && ok "a failing test with a value rewritten: counted as updated in part, listed in line order" \
  || bad "--update of a test failing otherwise too: exit $rc: $out"

# An amount of a currency with minor amounts is written to its minor decimals, as the plan
# shows it elsewhere: `£41,152.50`, not `£41,152.5`; a whole amount as `£11,250.00`.
mkdir -p "$work/pence"
printf '[[people]]\nid = "A"\npay = 82305\n' > "$work/pence/in.toml"
cat > "$work/pence/plan.hoshu" <<'PLAN'
plan "pence written"
unit GBP currency "£" minor 0.01
collection people: person at people key id
per person
  input pay: GBP at pay range £0 to £1,000,000
  output halved: GBP = round down(pay / 2, £0.01)
  output floored: GBP = round down(pay / 7, £1)
end
test "pence"
  inputs "in.toml"
  expect halved for A = £1
  expect floored for A = £1
PLAN
run "$hoshu" test "$work/pence" --update
[[ $rc -eq 0 ]] && has "halved for A: £1 → £41,152.50" && has "floored for A: £1 → £11,757.00" \
  && grep -q '^  expect halved for A = £41,152.50$' "$work/pence/plan.hoshu" \
  && grep -q '^  expect floored for A = £11,757.00$' "$work/pence/plan.hoshu" \
  && ok "a currency's amount is written to its minor decimals" \
  || bad "--update of a currency with minor amounts: exit $rc: $out; $(grep expect "$work/pence/plan.hoshu")"

exit $fail
