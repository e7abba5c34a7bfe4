#!/usr/bin/env bash
# Hostile and broken rule files: each gets a clear located error (or the exact answer),
# never a crash or a hang. Files are generated here (awk), not stored.
set -uo pipefail
hoshu=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
printf '# these plans read no inputs\n' > "$work/in.toml"
printf 'x = 1\n' > "$work/x.toml"

# expect NAME RC TEXT COMMAND… : exit code RC, output containing TEXT, within 60 s.
# Under the sanitizers (HOSHU_SANITIZED=1, set by `make sanitize`) the cases that measure
# size and speed are skipped: an unoptimised, instrumented build is many times slower.
big_case() {
  if [[ "${HOSHU_SANITIZED:-}" == 1 ]]; then echo "skip $1 (size and speed are not measured under the sanitizers)"; return 1; fi
}
expect() {
  local name=$1 want_rc=$2 want_text=$3; shift 3
  local out rc
  out=$(NO_COLOR=1 timeout 60 "$@" 2>&1); rc=$?
  if [[ $rc -ne $want_rc || "$out" != *"$want_text"* ]]; then
    echo "FAIL $name: exit $rc (want $want_rc), output:"; echo "${out:0:600}"; fail=1
  else
    echo "ok   $name"
  fi
}
plan() {  # plan NAME: a folder with one rule file read from stdin
  mkdir -p "$work/$1"; cat > "$work/$1/rules.hoshu"; echo "$work/$1"
}

repeat() { printf "%${2}s" "" | sed "s/ /$1/g"; }   # repeat TEXT N
p=$( { echo 'plan "x"'; echo "output y: ratio = $(repeat '(' 100000)1$(repeat ')' 100000)"; } | plan parens)
expect "100,000 nested parentheses" 1 "expected an expression nested less deeply (at most 200 levels)" "$hoshu" check "$p"

p=$( { echo 'plan "x"'; echo "output y: ratio = $(repeat 'if true then ' 100000)1$(repeat ' else 0' 100000)"; } | plan ifs)
expect "100,000 nested if-then-else" 1 "nested less deeply" "$hoshu" check "$p"

p=$( { echo 'plan "x"'; echo "output y: ratio = $(repeat '-' 100000)1"; } | plan minus)
expect "100,000 unary minus signs" 1 "nested less deeply" "$hoshu" check "$p"

if big_case "a 10 MB rule file"; then
  p=$(awk 'BEGIN { print "plan \"x\""; for (i = 0; i < 300000; i++) print "output v" i ": ratio = " i " * 2" }' | plan ten_mb)
  expect "a 10 MB rule file" 0 "" "$hoshu" check "$p"
fi

p=$( { echo 'plan "x"'; echo "# $(repeat '0123456789' 100000)"; echo "output y: ratio = 1 + "; } | plan long_line)
expect "a 1 MB line, then an error" 1 "error: expected" "$hoshu" check "$p"

p=$(printf 'plan "x"\noutput y: ratio = 1 # caf\xe9\n' | plan utf8)
expect "invalid UTF-8" 1 "rules.hoshu:2:26: error: this file is not valid UTF-8" "$hoshu" check "$p"

p=$(printf 'plan "x"\noutput y: ratio = 1\x00 + 2\n' | plan nul)
expect "a NUL byte" 1 "rules.hoshu:2:20: error" "$hoshu" check "$p"

big="1$(repeat 0 10000)"
p=$( { echo 'plan "x"'; echo "output y: ratio = $big / $big + 1"; } | plan digits)
expect "a numeral with 10,000 digits" 0 '"y": 2' "$hoshu" eval "$p" --inputs "$work/in.toml" --format json

# (10^400 + 1) × (10^400 − 1) = 10^800 − 1: 800 nines, exactly.
p=$( { echo 'plan "x"'; echo "param a: ratio = 1$(repeat 0 400)"; echo "output y: ratio = (a + 1) * (a - 1)"; } | plan exact)
nines=$(repeat 9 800)
expect "a result of 800 digits stays exact" 0 "\"y\": \"$nines\"" "$hoshu" eval "$p" --inputs "$work/in.toml" --format json

p=$(printf 'plan "x"\ninput n: ratio at x range 0 to 10\nvalue zero: ratio = n - 1\noutput y: ratio = 5 / zero\n  source C7 "quoted"\n' | plan divide)
expect "division by zero names the definition and its clause" 1 "error: division by zero in \`y\` (C7)" "$hoshu" eval "$p" --inputs "$work/x.toml"

p=$(awk 'BEGIN { print "plan \"x\""; print "output v0: ratio = 1"; for (i = 1; i < 20000; i++) print "value v" i ": ratio = v" i-1 " + 1"; print "output tail_value: ratio = v19999" }' | plan chain)
expect "20,000 definitions depending on each other" 0 "tail_value  20,000" "$hoshu" eval "$p" --inputs "$work/in.toml"

if big_case "100,000 definitions deep"; then
  p=$(awk 'BEGIN { print "plan \"x\""; print "output v0: ratio = 1"; for (i = 1; i < 100000; i++) print "value v" i ": ratio = v" i-1 " + 1"; print "output tail_value: ratio = v99999" }' | plan deeper)
  expect "100,000 definitions deep is an error, not a crash" 1 "the evaluation is nested too deeply" "$hoshu" eval "$p" --inputs "$work/in.toml"
fi

exit $fail
