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
fi
exit $fail
