#!/usr/bin/env bash
# hoshu batch --engine compiled writes, on every scenario, byte for byte what --engine
# interpreter writes: the same --out file, the same standard output and error, the same
# exit code — on hostile scenarios (negatives, zero divisors, ties of every rounding mode
# and unit, values at and past the ends of ranges, fractions, percentages, scientific
# notation, huge numbers, cells that are not numbers, empty cells), generated here with a
# fixed seed (tests/cli/compiled/scenarios.py), over plans that use every formula the
# compiled engine computes (tests/cli/compiled/ops) and whose intermediates pass __int128
# (tests/cli/compiled/big) and whose inputs reach the ends of __int128
# (tests/cli/compiled/extremes). Plans whose varied path the compiled engine does not compute
# are refused with located errors (exit 2) and interpreted unchanged under --engine auto;
# a compiler that fails is an error. Every run uses a cache folder of its own.
set -uo pipefail
hoshu=$1
command -v python3 > /dev/null || { echo "skip: python3 (it generates the scenarios)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
export NO_COLOR=1
export HOSHU_CACHE_DIR="$work/cache"
mkdir -m 700 "$HOSHU_CACHE_DIR"
here=tests/cli/compiled
kernels() { find "$HOSHU_CACHE_DIR" -maxdepth 1 -name 'kernel-*.so' | wc -l; }

# run ENGINE TAG PLAN INPUTS CSV [ARGS…]: one batch run; $work/TAG.{out,stdout,err,rc}.
# An argument OUT stands for `--out $work/TAG.out`; CSV "" for none (a --grid).
run() {
  local engine=$1 tag=$2 plan=$3 inputs=$4 csv=$5 a; shift 5
  local args=()
  [[ -n $csv ]] && args+=(--scenarios "$csv")
  for a in "$@"; do
    if [[ $a == OUT ]]; then args+=(--out "$work/$tag.out"); else args+=("$a"); fi
  done
  rm -f "$work/$tag.out"
  "$hoshu" batch "$plan" --inputs "$inputs" --engine "$engine" "${args[@]}" \
    > "$work/$tag.stdout" 2> "$work/$tag.err"
  echo $? > "$work/$tag.rc"
}

# same NAME A B: runs A and B wrote the same files, the same output and the same exit code.
same() {
  local name=$1 a=$2 b=$3 f what=""
  for f in out stdout err rc; do
    if [[ -e "$work/$a.$f" || -e "$work/$b.$f" ]] && ! cmp -s "$work/$a.$f" "$work/$b.$f"; then what+=" $f"; fi
  done
  if [[ -z "$what" ]]; then
    ok "$name"
  else
    bad "$name: $b differs from $a in:$what"
    for f in out stdout err; do
      [[ -e "$work/$a.$f" && -e "$work/$b.$f" ]] && diff "$work/$a.$f" "$work/$b.$f" | head -5 | cut -c1-240
    done
    echo "  exit $(cat "$work/$a.rc") / $(cat "$work/$b.rc")"
  fi
}

# agree NAME PLAN INPUTS CSV [ARGS…]: --engine compiled (which compiles the plan into the
# cache) and then --engine auto (which finds it there) agree with --engine interpreter.
agree() {
  local name=$1 plan=$2 inputs=$3 csv=$4; shift 4
  run interpreter interp "$plan" "$inputs" "$csv" "$@"
  run compiled compiled "$plan" "$inputs" "$csv" "$@"
  # (a plan compiled before for the same values is found there, not compiled again)
  [[ $(kernels) -ge 1 ]] || bad "$name: --engine compiled left no compiled plan in the cache"
  grep -q 'cannot run these scenarios' "$work/compiled.err" && bad "$name: refused: $(head -c 400 "$work/compiled.err")"
  same "$name: compiled = interpreter" interp compiled
  run auto auto "$plan" "$inputs" "$csv" "$@"
  same "$name: auto (cached) = interpreter" interp auto
  # Something was evaluated at all (not every scenario rejected).
  local rows; rows=$(cat "$work/interp.out" "$work/interp.stdout" 2> /dev/null | wc -l)
  [[ $rows -ge 2 ]] || bad "$name: no scenario evaluated ($rows lines)"
}

# refused NAME PLAN INPUTS CSV TEXT: --engine compiled refuses with located errors (TEXT
# among them), exit 2, nothing on stdout, no compiler run; auto evaluates it as the
# interpreter does.
refused() {
  local name=$1 plan=$2 inputs=$3 csv=$4 text=$5
  local before; before=$(kernels)
  run compiled compiled "$plan" "$inputs" "$csv"
  if [[ $(cat "$work/compiled.rc") -eq 2 && ! -s "$work/compiled.stdout" &&
        "$(cat "$work/compiled.err")" == *"$text"* &&
        "$(tail -1 "$work/compiled.err")" == "hoshu: error: --engine compiled cannot run these scenarios"* &&
        $(kernels) -eq $before ]]; then
    ok "$name: refused by --engine compiled"
  else
    bad "$name: --engine compiled: exit $(cat "$work/compiled.rc"), stderr:"; head -c 800 "$work/compiled.err"
  fi
  run interpreter interp "$plan" "$inputs" "$csv"
  [[ $(cat "$work/interp.rc") -eq 0 ]] || bad "$name: --engine interpreter: exit $(cat "$work/interp.rc")"
  run auto auto "$plan" "$inputs" "$csv"
  same "$name: auto = interpreter" interp auto
}

# ---- A quotient by a negative number (tests/cli/compiled/negative_divisor: y = -2 once
# gave 1 / y = 0.5 from the compiled plan, -0.5 from the interpreter).
agree "negative divisor (1 / -2)" $here/negative_divisor $here/negative_divisor/base.toml \
  $here/negative_divisor/scenarios.csv

# ---- A true boolean output, then a number output (tests/cli/compiled/boolean_then_number):
# the check of the compiled plan on the base inputs once compared a number output's
# meaningless word too, and refused the plan.
agree "boolean then number" $here/boolean_then_number $here/boolean_then_number/base.toml \
  $here/boolean_then_number/scenarios.csv

# ---- A plan without a collection (tests/cli/compiled/no_collection): one row per scenario,
# its plan-wide outputs; n = 0 is outside the input's range, a rejected scenario.
agree "no collection: a grid of 4,206 scenarios" $here/no_collection $here/no_collection/base.toml "" \
  --on-error skip OUT --grid 'x=-3.50..3.50:0.01' --grid 'n=0,1,2,3,8,9'
rows=$(wc -l < "$work/interp.out")
[[ $rows -eq $((701 * 5 + 1)) ]] && ok "no collection: a row per scenario evaluated ($rows lines)" \
  || bad "no collection: $rows lines, want $((701 * 5 + 1))"

# ---- Every formula kind, on hand-written edge cells and on generated hostile scenarios.
ops=$here/ops
agree "ops: edge cells" $ops $ops/base.toml $ops/edges.csv --on-error skip OUT
python3 $here/scenarios.py ops 4000 > "$work/ops.csv" || bad "scenarios.py ops"
agree "ops: 4,000 hostile scenarios, --on-error skip" $ops $ops/base.toml "$work/ops.csv" \
  --on-error skip OUT
agree "ops: 4,000 hostile scenarios, stdout" $ops $ops/base.toml "$work/ops.csv" --on-error skip
agree "ops: --on-error stop" $ops $ops/base.toml "$work/ops.csv"

# A compiled object in the cache that does not load (cut short on a full disk, say) is
# built again, and the run agrees.
for so in "$HOSHU_CACHE_DIR"/kernel-*.so; do : > "$so"; done
run compiled rebuilt $ops $ops/base.toml $ops/edges.csv --on-error skip OUT
run interpreter interp $ops $ops/base.toml $ops/edges.csv --on-error skip OUT
same "a compiled plan cut short in the cache is built again" interp rebuilt
[[ -n $(find "$HOSHU_CACHE_DIR" -maxdepth 1 -name 'kernel-*.so' -size +0) ]] || bad "no compiled plan built again"
# One cut short midway (a copy of the cache that stopped) may still load, and fault where its
# missing pages are read: it is not the object its source vouches for, and is built again.
for so in "$HOSHU_CACHE_DIR"/kernel-*.so; do truncate -s $(( $(stat -c %s "$so") * 3 / 4 )) "$so"; done
run compiled truncated $ops $ops/base.toml $ops/edges.csv --on-error skip OUT
same "a compiled plan cut short midway in the cache is built again" interp truncated
agree "ops: a grid of 1,625 scenarios" $ops $ops/base.toml "" --on-error skip OUT \
  --grid 'x=-3..3:1/4' --grid 'y=-2..2:1/3' --grid 'members.B.w=-1..1:0.5'
# The generator is deterministic.
python3 $here/scenarios.py ops 4000 | cmp -s - "$work/ops.csv" && ok "scenarios.py: the same file twice" \
  || bad "scenarios.py writes a different file each time"
# The scenarios are hostile: many are rejected, many evaluated (the summary line).
run interpreter summary $ops $ops/base.toml "$work/ops.csv" --on-error skip OUT
if [[ "$(tail -1 "$work/summary.err")" =~ ([0-9]+)\ scenarios\ evaluated,\ ([0-9]+)\ rejected ]] &&
   (( BASH_REMATCH[1] > 1500 && BASH_REMATCH[2] > 500 )); then
  ok "ops: $(tail -1 "$work/summary.err" | sed 's/^hoshu: //')"
else
  bad "ops: not the mix of good and bad scenarios wanted: $(tail -1 "$work/summary.err")"
fi

# ---- Inputs at the ends of __int128, and intermediates past it: the compiled plan gives
# those scenarios up.
agree "extremes: values up to 2^127" $here/extremes $here/extremes/base.toml $here/extremes/edges.csv \
  --on-error skip OUT

big=$here/big
python3 $here/scenarios.py big 2000 > "$work/big.csv" || bad "scenarios.py big"
agree "big: 2,000 scenarios up to 10^15" $big $big/base.toml "$work/big.csv" --on-error skip OUT

# ---- The peer kit's rule: a few rows by hand, and the kit's own 20,000 scenarios.
peer=bench/peer
{ echo "scenario,revenue_actual,op_actual,grant_price,directors.kit.division_score,directors.kit.monthly_fixed_pay"
  echo "a,3000,90,8000,50,400000"; echo "b,1,1,1,0,0"; echo "c,1000000000,1000000000,10000000,100,100000000"
  echo "d,3448,106,7436,80,340000"; echo "e,0,87,3718,82,340000"; echo "f,3879,87,3718,101,340000"
  echo "g,3879.5,87,3718,82,340000"; echo "h,4137.6,127.2,7437,96,340001"; } > "$work/peer.csv"
agree "bench/peer: hand-written rows" $peer $peer/base.toml "$work/peer.csv" --on-error skip
kit=../shared/bench/peers/baseline_cpp/rsu_baseline.cpp
if [[ -f $kit ]]; then
  if g++ -O2 -std=c++17 -o "$work/rsu_baseline" $kit 2> "$work/kit.err" &&
     mkdir -p "$work/kit" && "$work/rsu_baseline" --n 20000 --seed 1 --reps 1 --min-time 0.01 \
       --csv "$work/kit.csv" --out-dir "$work/kit" > "$work/kit.log" 2>&1; then
    # As bench/peer/batch_peer.sh: drop `kind`, name the director's values by their path.
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) {
                         if ($i == "kind") k = i
                         if ($i == "monthly_fixed_pay" || $i == "division_score") $i = "directors.kit." $i } }
      { line = ""; for (i = 1; i <= NF; i++) if (i != k) line = line (line == "" ? "" : ",") $i; print line }' \
      "$work/kit.csv" > "$work/kit-scenarios.csv"
    agree "bench/peer: the kit's 20,000 scenarios" $peer $peer/base.toml "$work/kit-scenarios.csv" \
      OUT
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "single_year_shares") a = i; if ($i == "midterm_shares") b = i }
                                print "single_year_shares,midterm_shares"; next } { print $a, $b }' \
      "$work/compiled.out" > "$work/kit-shares.csv"
    cmp -s "$work/kit-shares.csv" "$work/kit/exact.shares.csv" && ok "bench/peer: the compiled plan's shares are the kit's exact ones" \
      || bad "bench/peer: the compiled plan's shares differ from the kit's exact.shares.csv"
  else
    bad "the peer kit's baseline did not build or run:"; head -5 "$work/kit.err" "$work/kit.log"
  fi
else
  echo "skip the peer kit's scenarios: $kit is not there (the kit lives beside the clone)"
fi

# ---- --engine auto compiles the plan when the scenarios are many (a CSV of 8 MiB).
export HOSHU_CACHE_DIR="$work/many"
mkdir -m 700 "$HOSHU_CACHE_DIR"
awk 'BEGIN { print "scenario,revenue_actual,revenue_target,revenue_prev,op_actual,op_target,op_prev,engagement_score,directors.kit.division_score,directors.kit.monthly_fixed_pay,base_price,grant_price"
  for (i = 0; i < 160000; i++)
    printf "s%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n", i + 1, 2500 + i % 2000, 3000 + (i * 7) % 900, 2800 + (i * 11) % 1000,
      60 + (i * 3) % 90, 80 + (i * 5) % 50, 70 + (i * 13) % 60, i % 101, (i * 17) % 101, 200000 + (i * 37) % 800000,
      2000 + (i * 19) % 4000, 1500 + (i * 23) % 9000 }' > "$work/many.csv"
[[ $(wc -c < "$work/many.csv") -ge $((8 << 20)) ]] || bad "many.csv is under 8 MiB"
run auto many $peer $peer/base.toml "$work/many.csv" OUT
[[ $(kernels) -eq 1 ]] && ok "auto on 8 MiB of scenarios: the plan compiled" || bad "auto on 8 MiB of scenarios: no compiled plan"
run interpreter interp $peer $peer/base.toml "$work/many.csv" OUT
same "auto on 8 MiB of scenarios = interpreter" interp many
rm -f "$work/many.csv" "$work/many.out" "$work/interp.out"

# probe_kernel NAME: the one compiled plan in $HOSHU_CACHE_DIR replaced by a probe — its own
# code, with an entry point that appends each run's result (0: finished, 1: given up) to
# the file $HOSHU_TEST_KERNEL_RUNS names. False (and a failure reported) when it cannot be.
probe_kernel() {
  local name=$1 cpp
  cpp=$(ls "$HOSHU_CACHE_DIR"/kernel-*.cpp 2> /dev/null)
  if [[ $(echo "$cpp" | wc -w) -ne 1 ]] || ! grep -q '^extern "C" int hoshu_kernel_v1(Q\* t) {$' "$cpp"; then
    bad "$name: not one compiled plan with its entry point in the cache: $cpp"
    return 1
  fi
  { sed 's/^extern "C" int hoshu_kernel_v1(Q\* t) {$/static int probed_kernel(Q* t) {/' "$cpp"
    cat << 'EOF'
#include <cstdio>
#include <cstdlib>
extern "C" int hoshu_kernel_v1(Q* t) {
  const int rc = probed_kernel(t);
  if (const char* path = std::getenv("HOSHU_TEST_KERNEL_RUNS"))
    if (std::FILE* f = std::fopen(path, "a")) { std::fprintf(f, "%d\n", rc); std::fclose(f); }
  return rc;
}
EOF
  } > "$work/probe.cpp"
  # (Put in place with the line of its source that vouches for the object: its length and hash.)
  if "${HOSHU_CXX:-${CXX:-c++}}" -std=c++17 -O2 -fPIC -shared -w -o "$work/probe.so" -x c++ "$work/probe.cpp" &&
     chmod 700 "$work/probe.so" && mv "$work/probe.so" "${cpp%.cpp}.so" && python3 - "$cpp" << 'EOF'
import sys
cpp = sys.argv[1]
data = open(cpp[:-4] + '.so', 'rb').read()
h = 14695981039346656037
for c in b'object\0' + data:
    h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
text = open(cpp, encoding='utf-8').read()
text = text[:text.rstrip('\n').rfind('\n// object: ')] + '\n// object: %d bytes, %016x\n' % (len(data), h)
open(cpp, 'w', encoding='utf-8').write(text)
EOF
  then
    return 0
  fi
  bad "$name: it does not compile"
  return 1
}

# ---- The compiled plan does evaluate the scenarios, and --engine auto finds it in the
# cache: a probe put in place of the cached plan's object counts its runs (the compiled
# plan's own code, with a line added to its entry point).
export HOSHU_CACHE_DIR="$work/probe"
mkdir -m 700 "$HOSHU_CACHE_DIR"
run compiled probe0 $ops $ops/base.toml $ops/edges.csv --on-error skip
if probe_kernel probe; then
  HOSHU_TEST_KERNEL_RUNS="$work/runs" run auto probe $ops $ops/base.toml $ops/edges.csv --on-error skip
  run interpreter interp $ops $ops/base.toml $ops/edges.csv --on-error skip
  same "probe: auto with the probe = interpreter" interp probe
  runs=$(cat "$work/runs" 2> /dev/null | wc -l) scenarios=$(( $(wc -l < $ops/edges.csv) - 1 ))
  # One run on the base inputs, then one per scenario whose cells the compiled plan takes.
  (( runs > scenarios / 2 && runs <= scenarios + 1 )) && ok "probe: the compiled plan ran $runs times for $scenarios scenarios" \
    || bad "probe: the compiled plan ran $runs times for $scenarios scenarios"
fi

# ---- The shipped plans, where their varied path compiles: scenarios over a grid, some past
# the limits and requirements (then the interpreter evaluates them).
python3 - "$work" << 'EOF'
import sys
work = sys.argv[1]
def grid(name, header, rows):
    with open(f"{work}/{name}.csv", "w") as f:
        f.write(",".join(header) + "\n")
        for i, r in enumerate(rows):
            f.write(",".join([f"s{i}"] + [str(x) for x in r]) + "\n")
grid("psu", ["scenario", "eps_target", "officers.NEO1.target_value"],
     [(e, v) for e in ["0.01", "8", "11", "11.99", "12", "12.5", "15", "30", "2999.99"]
             for v in [0, 1, 999_999, 5_000_000, 60_000_000]])
grid("bbt", ["scenario", "results.roe", "results.operating_profit", "directors.D01.months_in_office"],
     [(r, p, m) for r in ["-0.5", "0", "0.05", "0.092", "0.1", "0.25"]
                for p in ["-1e9", "0", "30e9", "40_320_000_000", "42e9", "60e9"]
                for m in [0, 1, 6, 12]])
grid("iij", ["scenario", "directors.D03.division_score", "directors.D05.monthly_fixed"],
     [(d, m) for d in ["0", "0.5", "0.8", "0.95", "1", "1.2", "1.25"]
             for m in [0, 1, 3_800_000, 9_000_000, 90_000_000]])
# This year's and last year's results (one pattern, `years[…].revenue`, reads both) and
# the grant-time close (a series entry): low closes make the share limit bind.
grid("frozen", ["scenario", "rate", "prices[1].close"],
     [(r, c) for r in ["0", "0.001", "1", "1.5", "2.75", "10"]
             for c in ["-5", "0", "1", "3", "1_234", "99_999.5"]])
grid("iij-results", ["scenario", "years.FY2024.revenue", "years.FY2023.revenue",
                     "years.FY2024.operating_profit", "prices.2025-06-25.close"],
     [(r, q, p, c) for r in ["250e9", "316_800_000_001", "400e9"]
                   for q in ["0", "293.7e9", "350e9"]
                   for p in ["-5e9", "30.1e9", "45e9"]
                   for c in ["0", "1", "1200", "3_020", "9999.5"]])
EOF
agree "us-psu: EPS target and an officer's target value" rules/us-psu examples/us-psu/fy2026.toml "$work/psu.csv" --on-error skip OUT
agree "jp-bbt: ROE, operating profit, months in office" rules/jp-bbt examples/jp-bbt/fy2025.toml "$work/bbt.csv" --on-error skip OUT
agree "iij: a division score and a monthly fixed pay, past the limits" rules/iij examples/iij/fy2024.toml "$work/iij.csv" --on-error skip OUT
agree "iij: revenue, profit and a close" rules/iij examples/iij/fy2024.toml examples/iij/sensitivity.csv
agree "series entries looked up on, up to and before a date, each changed" $here/lookups $here/lookups/base.toml \
  $here/lookups/scenarios.csv --on-error skip OUT
agree "parts no run changes (a ledger sum, a fixed date's close, a date step, a rank)" $here/frozen \
  $here/frozen/base.toml "$work/frozen.csv" --on-error skip OUT
agree "iij: this and last year's results and a close, past the limits" rules/iij examples/iij/fy2024.toml "$work/iij-results.csv" --on-error skip OUT

# ---- Pro rata limits that bind on some scenarios (tests/cli/compiled/prorata): the compiled
# plan scales the allocated outputs itself — a probe counts the runs it finishes: at least
# one per scenario where a limit is scaled and nothing is violated — and writes what the
# interpreter writes.
pr=$here/prorata
python3 - "$work" << 'EOF'
import itertools, sys
with open(f"{sys.argv[1]}/prorata.csv", "w") as f:
    f.write("scenario,price,cap,cash_cap,points_cap,members.B.pay\n")
    grid = itertools.product(["1234", "7"], ["-5", "0", "1000", "60000", "67363", "1000000"],
                             ["-500", "20000000", "26719576", "10000000000"], ["0", "5000", "1000000"],
                             ["12345679", "999999999"])
    for i, row in enumerate(grid):
        f.write(",".join([f"s{i}", *row]) + "\n")
EOF
agree "pro rata limits binding on some scenarios" $pr $pr/base.toml "$work/prorata.csv" --on-error skip OUT
export HOSHU_CACHE_DIR="$work/prorata-probe"
mkdir -m 700 "$HOSHU_CACHE_DIR"
run compiled prorata0 $pr $pr/base.toml "$work/prorata.csv" --on-error skip OUT
if probe_kernel "pro rata probe"; then
  HOSHU_TEST_KERNEL_RUNS="$work/prorata-runs" run auto prorata $pr $pr/base.toml "$work/prorata.csv" --on-error skip OUT
  run interpreter interp $pr $pr/base.toml "$work/prorata.csv" --on-error skip OUT
  same "pro rata probe: auto with the probe = interpreter" interp prorata
  finished=$(grep -c '^0$' "$work/prorata-runs" 2> /dev/null)
  # Scenarios where a limit is scaled and none is violated (the last column counts them).
  scaled=$(awk -F, 'NR > 1 && /,scaled,/ && $NF == 0 { print $1 }' "$work/interp.out" | sort -u | wc -l)
  (( scaled >= 20 && finished >= scaled + 1 )) \
    && ok "pro rata probe: the compiled plan finished $finished runs; $scaled scenarios scaled without a violation" \
    || bad "pro rata probe: the compiled plan finished $finished runs; $scaled scenarios scaled without a violation"
fi
export HOSHU_CACHE_DIR="$work/cache"

# ---- Plans whose varied path only the interpreter computes: refused, located.
echo "scenario,prices.2024-03-29.close" > "$work/iij-base-close.csv"; echo "a,3000" >> "$work/iij-base-close.csv"
refused "iij: the base price's close" rules/iij examples/iij/fy2024.toml "$work/iij-base-close.csv" \
  "rules/iij/annual.hoshu:78:5: error: a value a run changes is an entry of the series \`share_price\`, read here as only the interpreter reads it"
echo "scenario,members.B.pay" > "$work/frozen-pay.csv"; echo "a,30000000" >> "$work/frozen-pay.csv"
refused "a rank a run changes" $here/frozen $here/frozen/base.toml "$work/frozen-pay.csv" \
  "plan.hoshu:46:25: error: \`pay_rank\` depends on a value the run changes and uses what only the interpreter computes"
echo "scenario,fiscal_years.FY2026.adjusted_eps" > "$work/psu-eps.csv"; echo "a,4" >> "$work/psu-eps.csv"
refused "us-psu: a fiscal year's EPS" rules/us-psu examples/us-psu/fy2026.toml "$work/psu-eps.csv" \
  "rules/us-psu/eps.hoshu:4:9: error: a value a run changes is read by \`adjusted_eps\`, which is neither plan-wide nor one per record of officers"

# ---- The compiler: one that fails is an error under --engine compiled (nothing written,
# nothing cached); --engine auto never runs it on a small file and interprets.
export HOSHU_CACHE_DIR="$work/fresh"
mkdir -m 700 "$HOSHU_CACHE_DIR"
HOSHU_CXX=false run compiled cxx $ops $ops/base.toml $ops/edges.csv --on-error skip OUT
if [[ $(cat "$work/cxx.rc") -eq 2 && ! -e "$work/cxx.out" &&
      "$(cat "$work/cxx.err")" == *"hoshu: error: the C++ compiler \`false\` failed on the compiled plan"* &&
      -z "$(ls -A "$HOSHU_CACHE_DIR")" ]]; then
  ok "HOSHU_CXX=false: an error, nothing written or cached"
else
  bad "HOSHU_CXX=false: exit $(cat "$work/cxx.rc"), cache: $(ls -A "$HOSHU_CACHE_DIR"), stderr:"; head -c 600 "$work/cxx.err"
fi
run interpreter interp $ops $ops/base.toml $ops/edges.csv --on-error skip
HOSHU_CXX=false run auto auto $ops $ops/base.toml $ops/edges.csv --on-error skip
same "HOSHU_CXX=false --engine auto = interpreter" interp auto
[[ -z "$(ls -A "$HOSHU_CACHE_DIR")" ]] || bad "--engine auto on a small file compiled the plan"

# ---- A cache folder others may write is not used: the plan is compiled in a private
# temporary folder, removed after; the result is the same.
mkdir "$work/open" "$work/tmp" && chmod 777 "$work/open"
HOSHU_CACHE_DIR="$work/open" TMPDIR="$work/tmp" run compiled open $ops $ops/base.toml $ops/edges.csv --on-error skip
same "a cache folder others may write: compiled = interpreter" interp open
[[ -z "$(ls -A "$work/open" "$work/tmp" | grep -v ':$')" ]] && ok "nothing left in that folder or in TMPDIR" \
  || { bad "files left behind:"; ls -AR "$work/open" "$work/tmp"; }

# ---- What a compilation killed outright left in the cache (its temporary files) is removed
# by the next compilation once an hour old; a younger one may be a compilation running now.
export HOSHU_CACHE_DIR="$work/killed"
mkdir -m 700 "$HOSHU_CACHE_DIR"
for f in kernel-0123456789abcdef.4242.cpp.tmp kernel-0123456789abcdef.4242.so.tmp; do
  echo cut short > "$HOSHU_CACHE_DIR/$f" && touch -d '2 hours ago' "$HOSHU_CACHE_DIR/$f"
done
echo running > "$HOSHU_CACHE_DIR/kernel-fedcba9876543210.4343.cpp.tmp"
run compiled killed $ops $ops/base.toml $ops/edges.csv --on-error skip
same "a cache with a killed compilation's files: compiled = interpreter" interp killed
left=$(cd "$HOSHU_CACHE_DIR" && ls -A | grep '\.tmp$' | tr '\n' ' ')
[[ $left == "kernel-fedcba9876543210.4343.cpp.tmp " ]] && ok "an hour-old temporary file removed, a younger one kept" \
  || bad "temporary files in the cache after a compilation: $left"

# ---- A folder where the compiled plan's object is to be kept: the object runs from where it
# was built, for this run only, and its temporary files are removed.
for so in "$HOSHU_CACHE_DIR"/kernel-*.so; do rm -f "$so" && mkdir "$so"; done
run compiled blocked $ops $ops/base.toml $ops/edges.csv --on-error skip
same "a folder in the place of the compiled object: compiled = interpreter" interp blocked
left=$(cd "$HOSHU_CACHE_DIR" && ls -A | grep '\.tmp$' | grep -v fedcba9876543210 | tr '\n' ' ')
[[ -z $left ]] && ok "no temporary file left beside the folder" || bad "temporary files left: $left"

exit $fail
