#!/usr/bin/env bash
# hoshu simulate: the same seed gives byte-identical reports and histograms whatever
# --threads, and so does the first failing path of a run that fails; another seed gives
# other numbers; a failed run writes no --out and no --histogram (and leaves no temporary
# file); nothing is written to stderr when it is not a terminal (the progress bar is for
# terminals only).
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
sim() { NO_COLOR=1 "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml "$@"; }
model=examples/iij/model.toml

# 1,000 paths are one block of 1,024, which one thread draws whatever --threads says;
# 4,100 paths are five blocks (the last one partial), so 2, 3 and 4 threads share them out.
for paths in 1000 4100; do
  for t in 1 2 3 4; do
    sim --model $model --paths $paths --seed 42 --threads $t --histogram "$work/h$t.svg" \
      > "$work/table$t.txt" 2> "$work/err$t.txt" || bad "$paths paths, --threads $t: exit $?"
    sim --model $model --paths $paths --seed 42 --threads $t --format json > "$work/json$t.json" 2>> "$work/err$t.txt" \
      || bad "$paths paths, --threads $t --format json: exit $?"
    [[ -s "$work/err$t.txt" ]] && { bad "$paths paths, --threads $t: stderr is not empty when piped:"; head -c 300 "$work/err$t.txt"; }
  done
  grep -q "^paths ${paths:0:1},${paths:1}  seed 42" "$work/table1.txt" || bad "$paths paths: the report does not say so"
  same=1
  for t in 2 3 4; do
    for f in "table$t.txt" "json$t.json" "h$t.svg"; do
      cmp -s "$work/${f/$t/1}" "$work/$f" || { bad "$paths paths: $f differs from --threads 1"; same=0; }
    done
  done
  [[ $same -eq 1 ]] && ok "$paths paths, seed 42: table, JSON and histogram byte-identical for --threads 1, 2, 3, 4"
done
# The JSON says how many paths were run, and the histogram has its panels.
grep -q '"paths": 4100,' "$work/json1.json" || bad "the JSON does not say 4100 paths"
grep -q '<rect class="bar"' "$work/h1.svg" || bad "the histogram has no bars"

# Another seed, other numbers (the header line with the seed aside).
sim --model $model --paths 4100 --seed 43 --threads 2 > "$work/seed43.txt" 2> /dev/null || bad "seed 43: exit $?"
if diff <(grep -v '^paths ' "$work/table1.txt") <(grep -v '^paths ' "$work/seed43.txt") > /dev/null; then
  bad "seeds 42 and 43 give the same statistics"
else
  ok "another seed gives other numbers"
fi

# A run that fails writes neither --out nor --histogram, replaces no existing file and
# leaves no temporary file: a model error (exit 2) and an evaluation error on a path (exit 1).
for case in simulate_error_unknown_key:2 simulate_error_out_of_range:1; do
  name=${case%:*} want=${case#*:}
  dir="$work/$name"; mkdir "$dir"
  sim --model "tests/golden/$name/model.toml" --paths 1000 --seed 42 --out "$dir/report.txt" \
    --histogram "$dir/h.svg" > /dev/null 2>&1
  rc=$?
  [[ $rc -eq $want ]] || bad "$name: exit $rc, want $want"
  [[ -z "$(ls -A "$dir")" ]] && ok "$name: exit $rc, no file written, none left behind" \
    || { bad "$name: files left in the --out folder:"; ls -A "$dir"; }
  echo "previous report" > "$dir/report.txt"
  sim --model "tests/golden/$name/model.toml" --paths 1000 --seed 42 --out "$dir/report.txt" > /dev/null 2>&1
  [[ "$(cat "$dir/report.txt")" == "previous report" && $(ls -A "$dir" | wc -l) -eq 1 ]] \
    || bad "$name: a failed run changed the existing --out file or left a file"
done

# An evaluation error names the first failing path whatever --threads: with seed 4 the
# first division score above 1.25 is drawn on path 6119 (block 5 of 8, counting from 1), and other threads
# may meet later ones first.
cat > "$work/rare.toml" <<'TOML'
[[input]]
path = "directors.D03.division_score"
distribution = "normal"
mean = 1
sd = 0.07
precision = 0.01
TOML
for t in 1 2 3 4; do
  sim --model "$work/rare.toml" --paths 8000 --seed 4 --threads $t > /dev/null 2> "$work/rare$t.err"
done
if grep -q "on path 6119 of 8000 (seed 4): directors.D03.division_score = 1.27" "$work/rare1.err" &&
   cmp -s "$work/rare1.err" "$work/rare2.err" && cmp -s "$work/rare1.err" "$work/rare3.err" &&
   cmp -s "$work/rare1.err" "$work/rare4.err"; then
  ok "an evaluation error names the same first failing path for --threads 1, 2, 3, 4"
else
  bad "the failing path depends on --threads:"; cat "$work"/rare?.err
fi

# The compiled plan (--engine compiled) gives the interpreter's reports byte for byte:
# table, JSON and histogram, for any --threads, compared with a base plan (--against),
# and the first failing path of a run that fails. (On some of these paths the share limit
# binds; the interpreter evaluates a path the compiled plan gives up.)
export HOSHU_CACHE_DIR="$work/cache"
mkdir -m 700 "$HOSHU_CACHE_DIR"
sim --model $model --paths 4100 --seed 42 --threads 2 --engine interpreter --histogram "$work/hi.svg" > "$work/ti.txt" 2>&1 \
  || bad "--engine interpreter: exit $?"
sim --model $model --paths 4100 --seed 42 --threads 2 --engine interpreter --format json > "$work/ji.json" 2>&1
sim --model $model --paths 4100 --seed 42 --engine interpreter --against rules/iij --format json > "$work/ai.json" 2>&1
sim --model "$work/rare.toml" --paths 8000 --seed 4 --threads 2 --engine interpreter > /dev/null 2> "$work/ri.err"
same=1
for t in 1 3; do
  sim --model $model --paths 4100 --seed 42 --threads $t --engine compiled --histogram "$work/hc$t.svg" > "$work/tc$t.txt" 2>&1 \
    || { bad "--engine compiled --threads $t: exit $?"; head -c 600 "$work/tc$t.txt"; }
  sim --model $model --paths 4100 --seed 42 --threads $t --engine compiled --format json > "$work/jc$t.json" 2>&1
  sim --model "$work/rare.toml" --paths 8000 --seed 4 --threads $t --engine compiled > /dev/null 2> "$work/rc$t.err"
  for pair in ti.txt:tc$t.txt ji.json:jc$t.json hi.svg:hc$t.svg ri.err:rc$t.err; do
    cmp -s "$work/${pair%:*}" "$work/${pair#*:}" || { bad "--engine compiled --threads $t: ${pair#*:} differs from the interpreter's"; same=0; }
  done
done
sim --model $model --paths 4100 --seed 42 --engine compiled --against rules/iij --format json > "$work/ac.json" 2>&1
cmp -s "$work/ai.json" "$work/ac.json" || { bad "--engine compiled --against differs from the interpreter's"; same=0; }
grep -q '"scaled_paths": [1-9]' "$work/ji.json" || bad "no limit binds on these paths"
# Every director's pay tripled: the limits bind in the base inputs and on nearly every path.
awk '/^monthly_fixed/ { v = $3; gsub("_", "", v); print "monthly_fixed = " v * 3; next } { print }' \
  examples/iij/fy2024.toml > "$work/tripled.toml"
for e in interpreter compiled; do
  NO_COLOR=1 "$hoshu" simulate rules/iij --inputs "$work/tripled.toml" --model $model --paths 2100 --seed 42 --threads 2 \
    --engine $e --format json > "$work/tripled-$e.json" 2>&1 || bad "pay tripled, --engine $e: exit $?"
done
grep -q '"scaled_paths": 20[0-9][0-9]' "$work/tripled-interpreter.json" || bad "pay tripled: the limits do not bind on nearly every path"
cmp -s "$work/tripled-interpreter.json" "$work/tripled-compiled.json" || { bad "pay tripled: --engine compiled differs from the interpreter"; same=0; }
ls "$HOSHU_CACHE_DIR" | grep -q '\.so$' || { bad "--engine compiled left no compiled plan in the cache"; same=0; }
[[ $same -eq 1 ]] && ok "--engine compiled: table, JSON, histogram, --against, a failing path and limits that bind as the interpreter's, --threads 1 and 3"
# A plan whose outputs are whole on some paths and fractions on others, with outputs and a
# limit no path changes, pro rata limits that bind on some paths and one that breaks:
# the compiled plan's paths are counted as the interpreter's, whichever way they are read.
# (A second model varies only the price and the pool: outputs and limits no path changes.)
pr() { NO_COLOR=1 "$hoshu" simulate tests/cli/compiled/prorata --inputs tests/cli/compiled/prorata/base.toml \
  --paths 3000 --seed 5 --format json "$@"; }
same=1
for m in model price; do
  pr --model tests/cli/simulate/prorata-$m.toml --engine interpreter --threads 2 --histogram "$work/pr-$m-i.svg" \
    > "$work/pr-$m-i.json" 2>&1 || bad "pro rata plan, $m, --engine interpreter: exit $?"
  for t in 1 3; do
    pr --model tests/cli/simulate/prorata-$m.toml --engine compiled --threads $t --histogram "$work/pr-$m-c$t.svg" \
      > "$work/pr-$m-c$t.json" 2>&1 || bad "pro rata plan, $m, --engine compiled --threads $t: exit $?"
    cmp -s "$work/pr-$m-i.json" "$work/pr-$m-c$t.json" && cmp -s "$work/pr-$m-i.svg" "$work/pr-$m-c$t.svg" ||
      { bad "pro rata plan, $m, --threads $t: --engine compiled differs from the interpreter"; same=0; }
  done
done
cp "$work/pr-model-i.json" "$work/pr-i.json"
grep -q '"scaled_paths": [1-9]' "$work/pr-i.json" && grep -q '"violated_paths": [1-9]' "$work/pr-i.json" ||
  { bad "pro rata plan: no path scales a limit, or none breaks one"; same=0; }
[[ $same -eq 1 ]] && ok "--engine compiled on outputs whole on some paths only, limits scaled and broken: as the interpreter's"
# Outputs in a unit that is not whole (tenths, sevenths of a DSU): every path is in a bar of
# its panel, and the table and the histogram are the same for either engine and any --threads.
nw=tests/golden/simulate_not_whole
nws() { NO_COLOR=1 "$hoshu" simulate $nw/rules --inputs $nw/in.toml --model $nw/model.toml --paths 4100 --seed 3 "$@"; }
same=1
nws --engine interpreter --threads 2 --histogram "$work/nw-i.svg" > "$work/nw-i.txt" 2>&1 || bad "not whole, --engine interpreter: exit $?"
for engine in interpreter compiled; do
  for t in 1 3; do
    nws --engine $engine --threads $t --histogram "$work/nw-$engine$t.svg" > "$work/nw-$engine$t.txt" 2>&1 ||
      bad "not whole, --engine $engine --threads $t: exit $?"
    cmp -s "$work/nw-i.txt" "$work/nw-$engine$t.txt" && cmp -s "$work/nw-i.svg" "$work/nw-$engine$t.svg" ||
      { bad "not whole, --engine $engine --threads $t: not the same table and histogram"; same=0; }
  done
done
# Each panel's bars add up to the paths, and its note says every path.
panels=$(grep -c 'class="panel"' "$work/nw-i.svg")
notes=$(grep -c '>n = 4,100 paths · ' "$work/nw-i.svg")
sums=$(awk '/class="panel"/ { if (n) print n; n = 0 } /<rect class="bar"/ { match($0, /data-count="[0-9]+"/);
  n += substr($0, RSTART + 12, RLENGTH - 13) } END { if (n) print n }' "$work/nw-i.svg" | sort -u)
[[ $panels -eq 4 && $notes -eq 4 && $sums == 4100 ]] ||
  { bad "not whole: $panels panels, $notes say every path, bars adding up to: $sums"; same=0; }
# The histogram as it should be (read it before replacing it: cp "$work/nw-i.svg" to it).
cmp -s "$work/nw-i.svg" tests/cli/simulate/not-whole.svg ||
  { bad "not whole: the histogram differs from tests/cli/simulate/not-whole.svg"; diff "$work/nw-i.svg" tests/cli/simulate/not-whole.svg | head -20; same=0; }
[[ $same -eq 1 ]] && ok "a unit that is not whole: every path in the histogram, the same for either engine and --threads 1, 2, 3"
# A model whose values only the interpreter reads: --engine compiled says where and stops;
# auto evaluates with the interpreter.
cat > "$work/eps.toml" <<'TOML'
[[input]]
path = "fiscal_years.FY2026.adjusted_eps"
distribution = "uniform"
low = 3
high = 6
precision = 0.01
TOML
psu() { NO_COLOR=1 "$hoshu" simulate rules/us-psu --inputs examples/us-psu/fy2026.toml --model "$work/eps.toml" --paths 500 "$@"; }
psu --engine compiled > "$work/eps.out" 2> "$work/eps.err"
rc=$?
if [[ $rc -eq 2 && ! -s "$work/eps.out" ]] && grep -q 'rules/us-psu/eps.hoshu:4:9: error: a value a run changes is read by `adjusted_eps`' "$work/eps.err" &&
   grep -q "hoshu: error: --engine compiled cannot run this model's paths (above); --engine interpreter evaluates them" "$work/eps.err"; then
  ok "--engine compiled refuses a model only the interpreter evaluates, located"
else
  bad "--engine compiled on a model only the interpreter evaluates: exit $rc:"; head -c 800 "$work/eps.err"
fi
psu --engine auto > "$work/eps-auto.out" 2>&1 && psu --engine interpreter > "$work/eps-interp.out" 2>&1 &&
  cmp -s "$work/eps-auto.out" "$work/eps-interp.out" && ok "--engine auto there = interpreter" || bad "--engine auto there differs from the interpreter"
unset HOSHU_CACHE_DIR

# --out writes what stdout would show (table4 is the 4,100-path table of --threads 4).
sim --model $model --paths 4100 --seed 42 --out "$work/out.txt" > "$work/stdout.txt" 2>&1 || bad "--out: exit $?"
if cmp -s "$work/out.txt" "$work/table4.txt" && [[ ! -s "$work/stdout.txt" ]]; then
  ok "--out holds the report, stdout and stderr stay empty"
else
  bad "--out differs from stdout, or something was printed"
fi

# On a terminal the progress bar is drawn on stderr (the other side of the check above).
if command -v script > /dev/null; then
  tty_out=$(script -qec "$(printf '%q ' "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model $model \
    --paths 1000 --seed 42 --threads 1 --out "$work/tty.txt")" /dev/null 2>&1)
  if [[ "$tty_out" == *" / 1,000 paths"* || "$tty_out" == *" / 1000 paths"* ]]; then
    ok "a progress bar on a terminal, none when piped"
  else
    bad "no progress bar on a terminal:"; echo "${tty_out:0:300}"
  fi
else
  echo "skip the progress bar on a terminal (no \`script\`)"
fi

# Peak memory does not grow with the paths: the tallies hold distinct values, and a
# plan-wide yen total (a new value on nearly every path) is counted only when plans are
# compared. (Not measured under the sanitizers, whose allocator keeps freed memory.)
if [[ "${HOSHU_SANITIZED:-}" == 1 ]]; then
  echo "skip peak memory (not measured under the sanitizers)"
elif [[ ! -x /usr/bin/time ]]; then
  bad "peak memory: /usr/bin/time is missing (Debian package \`time\`, scripts/install-deps.sh)"
else
  rss() {  # rss PATHS: peak resident set size in KiB
    /usr/bin/time -v "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model $model --paths "$1" \
      --seed 42 --threads 1 2>&1 > /dev/null | awk -F': ' '/Maximum resident set size/ { print $2 }'
  }
  small=$(rss 20000) large=$(rss 200000)
  if [[ -n "$small" && -n "$large" && $((large * 100)) -le $((small * 120)) ]]; then
    ok "peak memory: $small KiB for 20,000 paths, $large KiB for 200,000"
  else
    bad "peak memory grows with the paths: ${small:-?} KiB for 20,000, ${large:-?} KiB for 200,000"
  fi
  # Outputs in dollars and cents take a new value on nearly every path: past
  # --distinct-values their counts give way to moments and bins, and memory stays flat.
  psu_rss() {  # psu_rss PATHS: peak resident set size in KiB
    /usr/bin/time -v "$hoshu" simulate rules/us-psu --inputs examples/us-psu/fy2026.toml \
      --model examples/us-psu/model.toml --paths "$1" --seed 42 --threads 1 --distinct-values 1000 2>&1 > /dev/null |
      awk -F': ' '/Maximum resident set size/ { print $2 }'
  }
  small=$(psu_rss 5000) large=$(psu_rss 50000)
  if [[ -n "$small" && -n "$large" && $((large * 100)) -le $((small * 105)) ]]; then
    ok "peak memory on outputs in dollars: $small KiB for 5,000 paths, $large KiB for 50,000"
  else
    bad "peak memory on outputs in dollars grows with the paths: ${small:-?} KiB for 5,000, ${large:-?} KiB for 50,000"
  fi
fi

# Past --distinct-values, the percentiles are found by further passes over the same paths:
# the same report, JSON and histogram as when every value is held, for any --threads.
# (4: the least it takes, so that windows are narrowed over several passes.)
psu_json() { NO_COLOR=1 "$hoshu" simulate rules/us-psu --inputs examples/us-psu/fy2026.toml \
               --model examples/us-psu/model.toml --paths 6000 --seed 9 "$@"; }
psu_json --format json > "$work/held.json" 2>&1 || bad "every value held: exit $?"
same=1
for args in "--distinct-values 4 --threads 1" "--distinct-values 4 --threads 2" "--distinct-values 77 --threads 3"; do
  # shellcheck disable=SC2086
  psu_json --format json $args > "$work/capped.json" 2>&1 || bad "$args: exit $?"
  cmp -s "$work/held.json" "$work/capped.json" || { bad "$args: the JSON differs from every value held"; same=0; }
done
sim --model $model --paths 4100 --seed 42 --threads 2 --distinct-values 4 --histogram "$work/hcap.svg" \
  > "$work/tablecap.txt" 2>&1 || bad "IIJ --distinct-values 4: exit $?"
cmp -s "$work/tablecap.txt" "$work/table1.txt" || { bad "IIJ --distinct-values 4: the table differs"; same=0; }
cmp -s "$work/hcap.svg" "$work/h1.svg" || { bad "IIJ --distinct-values 4: the histogram differs"; same=0; }
cmpargs=(rules/iij --inputs examples/iij/fy2026.toml --model examples/iij/model-fy2026.toml --against rules/iij-2023
         --paths 3000 --seed 5 --format json)
NO_COLOR=1 "$hoshu" simulate "${cmpargs[@]}" > "$work/against-held.json" 2>&1 || bad "--against: exit $?"
NO_COLOR=1 "$hoshu" simulate "${cmpargs[@]}" --distinct-values 4 --threads 2 > "$work/against-capped.json" 2>&1 ||
  bad "--against --distinct-values 4: exit $?"
cmp -s "$work/against-held.json" "$work/against-capped.json" || { bad "--against --distinct-values 4: the JSON differs"; same=0; }
grep -q '"p95": "' "$work/held.json" || { bad "the JSON has no percentiles"; same=0; }
[[ $same -eq 1 ]] && ok "--distinct-values 4 and 77: the same JSON, table and histogram, --against too, for --threads 1, 2, 3"
# `low` and `high` truncate a normal (draws within them), not clamp it: a normal(0, 1) from 0
# up has about 0.4% of its draws below half a cent, not the half of them a clamp piles on 0.
mkdir -p "$work/trunc"
cat > "$work/trunc/plan.hoshu" <<'PLAN'
plan "Truncated"
unit USD currency "$" minor 0.01
input perf: ratio at perf range 0 to 10
collection members: member at members key id
per member
  input base: USD at base range $0 to $1,000,000
  output bonus: USD = base * perf
end
PLAN
printf 'perf = 1\n[[members]]\nid = "A"\nbase = 1000\n' > "$work/trunc/in.toml"
printf '[[input]]\npath = "perf"\ndistribution = "normal"\nmean = 0\nsd = 1\nlow = 0\nhigh = 10\nprecision = 0.01\n' \
  > "$work/trunc/model.toml"
NO_COLOR=1 "$hoshu" simulate "$work/trunc" --inputs "$work/trunc/in.toml" --model "$work/trunc/model.toml" --paths 4000 \
  --seed 3 --format json > "$work/trunc/out.json" 2>&1 || bad "a truncated normal: exit $?"
pz=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(o["p_zero"] for o in d["outputs"] if o["output"]=="bonus"))' \
  "$work/trunc/out.json" 2>/dev/null)
if python3 -c 'import sys; from fractions import Fraction as F; sys.exit(0 if F(sys.argv[1]) < F(2, 100) else 1)' "${pz:-1}"; then
  ok "a normal with low and high is truncated to them (P(zero) $pz)"
else
  bad "a normal with low and high is not truncated: P(zero) ${pz:-?}"
fi
# Paths that go many ways through a plan's branches (sixteen here, more than the records
# the interpreter keeps) each record what they computed, and each record stays the size
# of one evaluation: 300 and 3,000 paths in about the same memory, within seconds (the
# bonuses' counts give way to bins at once, with --distinct-values 4, so that what is
# compared is the evaluation's memory). The records once copied one another's beginnings,
# growing with every path recorded: 1.9 GB and 30 s for 800 paths, so the runs are capped
# in memory and time here. The report is the compiled plan's, for any --threads.
# (No cap on the address space under the sanitizers: AddressSanitizer reserves terabytes of
# it for its shadow memory, and aborts at start under `ulimit -v`.)
cap_memory() { [[ "${HOSHU_SANITIZED:-}" == 1 ]] || ulimit -v 3000000; }
sc_seconds=20
[[ "${HOSHU_SANITIZED:-}" == 1 ]] && sc_seconds=300   # (a debug build under the sanitizers)
sc() { ( cap_memory; NO_COLOR=1 timeout $sc_seconds "$hoshu" simulate tests/cli/simulate/scorecard \
  --inputs tests/cli/simulate/scorecard/inputs.toml --model tests/cli/simulate/scorecard/model.toml --seed 3 "$@" ); }
sc_run() {  # sc_run PATHS: "exit peak-KiB" of the interpreter on PATHS paths, one thread
  ( cap_memory
    /usr/bin/time -f '%x %M' timeout $sc_seconds "$hoshu" simulate tests/cli/simulate/scorecard \
      --inputs tests/cli/simulate/scorecard/inputs.toml --model tests/cli/simulate/scorecard/model.toml --seed 3 \
      --paths "$1" --threads 1 --engine interpreter --distinct-values 4 2>&1 > /dev/null | tail -1 )
}
if [[ -x /usr/bin/time ]]; then
  read -r small_exit small <<< "$(sc_run 300)"
  read -r large_exit large <<< "$(sc_run 3000)"
  if [[ "$small_exit" != 0 || "$large_exit" != 0 ]]; then
    bad "paths through many branches: exit ${small_exit:-?} for 300 paths, ${large_exit:-?} for 3,000 (out of time or memory)"
  elif [[ "${HOSHU_SANITIZED:-}" == 1 ]]; then
    ok "paths through many branches: 300 and 3,000 paths (memory and time not capped under the sanitizers)"
  elif [[ $((large * 100)) -le $((small * 120)) ]]; then
    ok "paths through many branches: $small KiB for 300 paths, $large KiB for 3,000"
  else
    bad "paths through many branches: memory grows with the paths: $small KiB for 300, $large KiB for 3,000"
  fi
fi
sc --paths 3000 --engine interpreter --threads 1 --format json > "$work/sc-i.json" 2>&1 || bad "scorecard, --engine interpreter: exit $?"
same=1
for t in 1 2; do
  sc --paths 3000 --engine interpreter --threads $t > "$work/sc-i$t.txt" 2>&1 || bad "scorecard, --engine interpreter --threads $t: exit $?"
  sc --paths 3000 --engine compiled --threads $t > "$work/sc-c$t.txt" 2>&1 || bad "scorecard, --engine compiled --threads $t: exit $?"
  sc --paths 3000 --engine compiled --threads $t --format json > "$work/sc-c$t.json" 2>&1
  cmp -s "$work/sc-i1.txt" "$work/sc-i$t.txt" && cmp -s "$work/sc-i1.txt" "$work/sc-c$t.txt" &&
    cmp -s "$work/sc-i.json" "$work/sc-c$t.json" || { bad "scorecard, --threads $t: the engines' reports differ"; same=0; }
done
grep -q '^E2 *bonus' "$work/sc-i1.txt" || { bad "scorecard: no bonus of E2 in the report"; same=0; }
[[ $same -eq 1 ]] && ok "paths through many branches: the interpreter's report is the compiled plan's, --threads 1 and 2"
# Memory that runs out (here: address space capped at one size after another, from too
# little to read the plan to enough) ends the command with a message and exit 2, never an
# abort, and leaves no --out and no temporary file behind. (Not under the sanitizers, whose
# shadow memory no cap leaves room for. The smallest cap leaves room for loading the program:
# ICU's data library, a 31 MB file mapped at start and paged in on demand, takes that much
# address space before hoshu runs.)
if [[ "${HOSHU_SANITIZED:-}" != 1 ]]; then
  mkdir "$work/oom"
  ran_out=0 others=""
  for kib in 50000 60000 75000 100000 200000 300000 400000 600000 800000 1200000; do
    ( ulimit -v $kib; timeout 20 "$hoshu" simulate tests/cli/simulate/scorecard --inputs tests/cli/simulate/scorecard/inputs.toml \
        --model tests/cli/simulate/scorecard/model.toml --seed 3 --paths 3000 --threads 2 --engine interpreter --out "$work/oom/report.txt" \
        > /dev/null 2> "$work/oom.err" )
    code=$?
    if [[ $code == 2 ]] && grep -q '^hoshu: error: out of memory: ' "$work/oom.err"; then
      ran_out=$((ran_out + 1))
      [[ -z "$(ls -A "$work/oom")" ]] || others+=" ${kib} KiB: left $(ls -A "$work/oom" | tr '\n' ' ');"
    elif [[ $code != 0 ]]; then
      others+=" ${kib} KiB: exit $code, $(head -c 120 "$work/oom.err");"
    fi
    rm -f "$work/oom/"* "$work/oom/".??*
  done
  if [[ $ran_out -gt 0 && -z "$others" ]]; then
    ok "out of memory: a message and exit 2 ($ran_out of 10 caps), no file left; the other caps run through"
  else
    bad "out of memory: $ran_out caps ran out with the message;$others"
  fi
fi
exit $fail
