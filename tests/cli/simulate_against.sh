#!/usr/bin/env bash
# hoshu simulate --against BASE: both plans on the same paths. Byte-identical report, JSON
# and histogram whatever --threads; the histogram is the expected SVG (overlaid
# distributions, a legend naming each plan, the plan's share limit marked, fonts that show
# Japanese); the head's numbers are those of a simulation of the head alone; a base plan
# that does not check writes nothing.
# HOSHU_REGENERATE=1 rewrites the expected SVG (read the diff before committing it).
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
sim() { NO_COLOR=1 "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model examples/iij/model.toml "$@"; }
expected=tests/cli/simulate_against/histogram.expected.svg

# 4,100 paths are five blocks: 1 and 3 threads share them out differently.
for t in 1 3; do
  sim --paths 4100 --seed 42 --threads $t --against rules/iij-2023 --histogram "$work/h$t.svg" > "$work/t$t.txt" \
    2> "$work/err$t.txt" || bad "--threads $t: exit $?"
  sim --paths 4100 --seed 42 --threads $t --against rules/iij-2023 --format json > "$work/j$t.json" \
    2>> "$work/err$t.txt" || bad "--threads $t --format json: exit $?"
  [[ -s "$work/err$t.txt" ]] && { bad "--threads $t: stderr is not empty:"; head -c 300 "$work/err$t.txt"; }
done
same=1
for f in t j h; do
  ext=$([[ $f == t ]] && echo txt || { [[ $f == j ]] && echo json || echo svg; })
  cmp -s "$work/${f}1.$ext" "$work/${f}3.$ext" || { bad "$f: --threads 3 differs from --threads 1"; same=0; }
done
[[ $same -eq 1 ]] && ok "report, JSON and histogram byte-identical for --threads 1 and 3"

# The head's statistics are those of the head simulated alone on the same seed: its rows
# of the comparison are the rows of the plain report (the columns aside).
sim --paths 4100 --seed 42 --threads 2 > "$work/alone.txt" 2> /dev/null || bad "the head alone: exit $?"
alone=$(grep -E '^D03 +annual_rs_shares ' "$work/alone.txt" | awk '{print $3, $4, $5, $9}')
head_row=$(grep -A2 -E '^D03 +annual_rs_shares ' "$work/t1.txt" | grep -E '^ +head ' | awk '{print $2, $3, $4, $8}')
if [[ -n "$alone" && "$alone" == "$head_row" ]]; then ok "D03's head row is the head alone's ($alone)";
else bad "D03's head row '$head_row' is not the head alone's '$alone'"; fi

# The histogram, against the expected document.
sim --paths 300 --seed 7 --against rules/iij-2023 --histogram "$work/small.svg" > /dev/null 2>&1 \
  || bad "300 paths with --histogram: exit $?"
if [[ "${HOSHU_REGENERATE:-}" == 1 ]]; then
  cp "$work/small.svg" "$expected"; echo "regenerated $expected"
elif cmp -s "$expected" "$work/small.svg"; then
  ok "the histogram is $expected"
else
  bad "the histogram differs from $expected:"; diff "$expected" "$work/small.svg" | head -20
fi
svg="$work/h1.svg"
grep -q '<rect class="bar-base"' "$svg" && grep -q '<rect class="bar"' "$svg" \
  && ok "both distributions drawn" || bad "the histogram lacks the base's or the head's bars"
grep -q 'base: rules/iij-2023 — IIJ 取締役報酬制度 (2024年6月改定前)' "$svg" \
  && grep -q 'head: rules/iij — IIJ 取締役報酬制度 (2024年6月改定)' "$svg" \
  && ok "the legend names each plan" || bad "the legend does not name both plans"
grep -q '<g class="limit">' "$svg" && grep -q '>limit rs_share_count 140,000<' "$svg" \
  && ok "the share limit is marked, from the plan's limit" || bad "no marked share limit"
grep -q 'font-family=.*Noto Sans CJK JP' "$svg" && ok "a font family that shows Japanese" \
  || bad "no CJK font family"

# A base plan that does not check: exit 1, no report and no histogram written.
sim --paths 100 --seed 1 --against tests/golden/error_unit_mismatch/rules --out "$work/no.txt" \
  --histogram "$work/no.svg" > /dev/null 2>&1
rc=$?
[[ $rc -eq 1 && ! -e "$work/no.txt" && ! -e "$work/no.svg" ]] && ok "a base plan that does not check: exit 1, nothing written" \
  || bad "a base plan that does not check: exit $rc, files: $(ls "$work" | grep '^no' | tr '\n' ' ')"
exit $fail
