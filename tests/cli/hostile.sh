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
# within NAME SECONDS MB RC TEXT COMMAND… : like expect, and the command takes at most
# SECONDS and MB of memory (peak resident), measured by /usr/bin/time where there is one:
# its processor time (user and system), which other work on the machine does not stretch
# as it does the wall time; else the wall time.
within() {
  local name=$1 max_s=$2 max_mb=$3 want_rc=$4 want_text=$5; shift 5
  local rc start elapsed kb=0 cpu
  start=$(date +%s%N)
  if [[ -x /usr/bin/time ]]; then
    NO_COLOR=1 timeout 120 /usr/bin/time -f '%M %U %S' -o "$work/peak" "$@" > "$work/within.out" 2>&1; rc=$?
    read -r kb user sys < <(tail -n 1 "$work/peak")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
  else
    NO_COLOR=1 timeout 120 "$@" > "$work/within.out" 2>&1; rc=$?
  fi
  elapsed=${cpu:-$(( ($(date +%s%N) - start) / 1000000 ))}
  if [[ $rc -ne $want_rc ]] || ! grep -qF -- "$want_text" "$work/within.out" ||
     (( elapsed > max_s * 1000 || kb > max_mb * 1024 )); then
    echo "FAIL $name: exit $rc (want $want_rc), ${elapsed} ms (at most ${max_s} s), ${kb} KB (at most ${max_mb} MB), output:"
    head -c 600 "$work/within.out"; echo; fail=1
  else
    echo "ok   $name (${elapsed} ms, $(( kb / 1024 )) MB)"
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

# An output inside `per grant` passed `check` and crashed `eval`.
p=$(printf 'plan "x"\ncollection directors: director at directors key id\ncollection grants: grant at ledger\n  belongs to director by director\nper grant\n  input g: shares at shares range 0 shares to 9 shares\n  output o: shares = g\nend\n' | plan per_grant)
printf '[[directors]]\nid = "D1"\n[[ledger]]\ndirector = "D1"\nshares = 3\n' > "$work/grants.toml"
expect "an output inside per grant is a check error" 1 "rules.hoshu:7:10: error: an output must be per director or plan-wide" \
  "$hoshu" eval "$p" --inputs "$work/grants.toml"

# Symbolic links that loop, a FIFO named *.hoshu: errors naming the file, never a crash or
# a wait (the FIFO has no writer: opening it for reading would block).
p=$(printf 'plan "x"\noutput y: ratio = 1\n' | plan links)
ln -s b.hoshu "$p/a.hoshu"; ln -s a.hoshu "$p/b.hoshu"
expect "a symbolic link loop in a plan folder" 1 "cannot read rule file \`$p/a.hoshu\`: Too many levels of symbolic links" "$hoshu" check "$p"
expect "a symbolic link loop, hoshu fmt" 2 "cannot read \`$p/a.hoshu\`: Too many levels of symbolic links" "$hoshu" fmt --check "$p"
p=$(printf 'plan "x"\nimport "sub"\noutput y: ratio = 1\n' | plan folder_loop)
ln -s . "$p/sub"; ln -s .. "$p/up"
expect "a folder that links to itself, imported" 0 "" "$hoshu" check "$p"
expect "a folder that links to itself, hoshu fmt" 0 "" "$hoshu" fmt --check "$p"
# A folder named *.hoshu (or a link to one) in a folder given to fmt: refused in the words
# `check` refuses it in, exit 2, and no file rewritten — neither its own nor the others.
p=$(printf 'plan   "x"\noutput y : ratio=1\n' | plan fmt_folder)
mkdir "$p/notes.hoshu"; printf 'output z : ratio=2\n' > "$p/notes.hoshu/draft.hoshu"
cp -r "$p" "$work/fmt_folder_before"
expect "a folder named *.hoshu, hoshu fmt" 2 "cannot read rule file \`$p/notes.hoshu\`: a folder, not a file" \
  "$hoshu" fmt "$p"
diff -r "$work/fmt_folder_before" "$p" > /dev/null && echo "ok   ... nothing rewritten" ||
  { echo "FAIL a folder named *.hoshu, hoshu fmt: files were rewritten"; fail=1; }
expect "... as check refuses it" 1 "cannot read rule file \`$p/notes.hoshu\`: a folder, not a file" "$hoshu" check "$p"
p=$(printf 'plan "x"\noutput y: ratio = 1\n' | plan fmt_folder_link)
mkdir "$work/elsewhere"; printf 'output z : ratio=2\n' > "$work/elsewhere/draft.hoshu"
ln -s "$work/elsewhere" "$p/linked.hoshu"
expect "a link named *.hoshu to a folder, hoshu fmt" 2 "cannot read rule file \`$p/linked.hoshu\`: a folder, not a file" \
  "$hoshu" fmt --check "$p"
if mkfifo "$work/links_fifo.hoshu" 2> /dev/null; then
  p=$(printf 'plan "x"\noutput y: ratio = 1\n' | plan fifo)
  mkfifo "$p/waiting.hoshu"
  expect "a FIFO named *.hoshu in a plan folder" 1 "cannot read rule file \`$p/waiting.hoshu\`: not a regular file (a FIFO)" \
    timeout 10 "$hoshu" check "$p"
  expect "a FIFO named *.hoshu, hoshu fmt" 2 "not a regular file (a FIFO)" timeout 10 "$hoshu" fmt --check "$p/waiting.hoshu"
  p=$(printf 'plan "x"\noutput y: ratio = 1\ntest "t"\n  inputs "in.toml"\n  expect y = 1\n' | plan fifo_test)
  mkfifo "$p/in.toml"
  expect "a test whose inputs file is a FIFO" 1 "rules.hoshu:4:10: error: cannot read the inputs of this test" \
    timeout 10 "$hoshu" test "$p"
  # Inputs and models are read through a pipe too (`<(…)`), but never wait for a writer.
  mkfifo "$work/in_fifo.toml"
  expect "inputs that are a FIFO nobody writes to" 2 "cannot read $work/in_fifo.toml: nothing was written to it" \
    timeout 10 "$hoshu" eval rules/iij --inputs "$work/in_fifo.toml"
  expect "a simulation model that is a FIFO nobody writes to" 2 "cannot read $work/in_fifo.toml: nothing was written" \
    timeout 10 "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model "$work/in_fifo.toml" --paths 10 --seed 1
  expect "inputs through a pipe" 0 "fixed_cash_yen" "$hoshu" eval rules/iij --inputs <(cat examples/iij/fy2024.toml)
else
  echo "skip the FIFO cases (no mkfifo here)"
fi

# A director named twice in a working paper: one section, where first named.
"$hoshu" report rules/iij --inputs examples/iij/fy2024.toml --director D03 --director D03 --director D01 \
  --out "$work/twice.html" > /dev/null 2>&1
if [[ "$(grep -o '<h2>D0[0-9]' "$work/twice.html" | tr '\n' ' ')" == "<h2>D03 <h2>D01 " ]]; then
  echo "ok   a director named twice in a working paper"
else
  echo "FAIL a director named twice in a working paper: $(grep -o '<h2>[^<]*' "$work/twice.html" | tr '\n' ' ')"; fail=1
fi

# A number of 10,000 digits out of range: named in the error by its ends and length, not
# printed whole.
sed 's/^revenue *= 316_800_000_000/revenue = "1e9999"/' examples/iij/fy2024.toml > "$work/huge.toml"
expect "an input of 10,000 digits" 1 '`revenue` is 10000000000000000000…0000 (10000 characters), outside its declared range' \
  "$hoshu" eval rules/iij --inputs "$work/huge.toml"

# A device never ends (/dev/zero filled the memory) or waits for typing (a terminal).
expect "/dev/zero as inputs" 2 "cannot read /dev/zero: not a regular file (a device)" \
  timeout 10 "$hoshu" eval rules/iij --inputs /dev/zero
expect "/dev/urandom as a simulation model" 2 "cannot read /dev/urandom: not a regular file (a device)" \
  timeout 10 "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model /dev/urandom --paths 10 --seed 1
expect "/dev/zero as a CSV of scenarios" 2 "cannot read /dev/zero: not a regular file (a device)" \
  timeout 10 "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml --scenarios /dev/zero
# A FIFO of scenarios nobody writes to is an empty file, at once; one written to is read.
if mkfifo "$work/scenarios.fifo" 2> /dev/null; then
  expect "a FIFO of scenarios with no writer" 2 "scenarios.fifo:1:1: error: empty file" \
    timeout 10 "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml --scenarios "$work/scenarios.fifo"
  # (The writer first: blocked in its open, it is the FIFO's writer before hoshu reads.)
  (printf 'scenario,years.FY2024.revenue\ns1,300000000000\n' > "$work/scenarios.fifo" &)
  sleep 0.5
  expect "a FIFO of scenarios written to" 0 "s1,300000000000,D01," \
    timeout 10 "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml --scenarios "$work/scenarios.fifo"
fi

# An impossible date (30 February) is one error wherever a rule file writes a date: at the
# date, the error count right after it (nothing else reported about what uses it).
one_date() {  # one_date NAME BODY: the plan `plan "x"` + BODY (printf escapes)
  local p
  p=$(printf "plan \"x\"\n$2" | plan "date_$1")
  expect "30 February $1" 1 $'^~~~~~~~~~\n1 error' "$hoshu" check "$p"
}
series_decl='series close: JPY per share at prices(date, close)\n'
one_date "as a dated param's only date" 'param g: shares = 1 share from 2024-02-30\noutput o: shares = g\n'
one_date "as a dated param's first date" 'param g: shares\n  = 1 share from 2024-02-30\n  = 2 shares from 2024-03-01\noutput o: shares = g\n'
one_date "as a dated param's later date" 'param g: shares\n  = 1 share from 2024-01-01\n  = 2 shares from 2024-02-30\n  = 3 shares from 2024-02-01\noutput o: shares = g\n'
one_date "as an undated param's value" 'param d: date = 2024-02-30\noutput o: shares = if d < 2024-01-01 then 1 share else 0\n'
one_date "as a dated param's value" 'param d: date\n  = 2024-01-01\n  = 2024-02-30 from 2024-02-01\noutput o: shares = if d < 2024-01-01 then 1 share else 0\n'
date_plan=$(printf 'plan "x" effective 2024-02-30 as of s\ninput s: date at s range 2000-01-01 to 2100-01-01\nparam g: shares\n  = 1 share from 2024-01-01\n  = 2 shares from 2024-03-01\noutput o: shares = g\n' | plan date_effective)
expect "30 February as the plan's effective date" 1 $'^~~~~~~~~~\n1 error' "$hoshu" check "$date_plan"
one_date "as an input range's low end" 'input s: date at s range 2024-02-30 to 2100-01-01\noutput o: shares = if s < 2024-01-01 then 1 share else 0\n'
one_date "as an input range's high end" 'input s: date at s range 2000-01-01 to 2024-02-30\noutput o: shares = if s < 2024-01-01 then 1 share else 0\n'
one_date "as an input's default" 'input s: date at s range 2000-01-01 to 2100-01-01 default 2024-02-30\noutput o: shares = if s < 2024-01-01 then 1 share else 0\n'
one_date "as a value's range" 'input s: date at s range 2000-01-01 to 2100-01-01\nvalue v: date = s range 2000-01-01 to 2024-02-30\noutput o: shares = if v < 2024-01-01 then 1 share else 0\n'
one_date "in a formula" 'input s: date at s range 2000-01-01 to 2100-01-01\noutput o: months = months_inclusive(s, 2024-02-30 + 1 day)\n'
one_date "in a series window" "${series_decl}"'output o: JPY per share = mean of last 20 close before 2024-02-30\n'
one_date "as a series date" "${series_decl}"'output o: JPY per share = close on 2024-02-30\n'

# A dotted key of 2,000,000 parts crashed inside toml++: measured before it parses.
awk 'BEGIN { printf "a"; for (i = 0; i < 2000000; i++) printf ".a"; print " = 1" }' > "$work/deep.toml"
expect "a TOML key of 2,000,000 dotted parts" 2 "deep.toml:1:129: error: the TOML nests more than 64 levels deep here" \
  "$hoshu" eval "$p" --inputs "$work/deep.toml"
expect "a simulation model with a key of 2,000,000 dotted parts" 2 "deep.toml:1:129: error: the TOML nests more than 64 levels" \
  "$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model "$work/deep.toml" --paths 10 --seed 1
awk 'BEGIN { printf "a = "; for (i = 0; i < 1000000; i++) printf "["; for (i = 0; i < 1000000; i++) printf "]"; print "" }' > "$work/deep_arrays.toml"
expect "1,000,000 nested TOML arrays" 2 "nests more than 64 levels" "$hoshu" eval "$p" --inputs "$work/deep_arrays.toml"

if big_case "6,000 overlapping table rows"; then
  # Every row overlaps every other: the pairs were all reported (3.5 GB, then an abort).
  p=$(awk 'BEGIN { print "plan \"x\""; print "table t(a: ratio) -> ratio"; for (i = 0; i < 6000; i++) print "  from 0% to 100% -> " i; print "output y: ratio = t(50%)" }' | plan overlaps)
  within "6,000 overlapping table rows: the first five and a count" 10 200 1 "table \`t\` has 5999 rows that overlap an earlier row; the first 5 follow" \
    "$hoshu" check "$p"
fi

if big_case "explain a chain of 20,000 definitions"; then
  # The text indented each level further: quadratic (86 s and 2.4 GB).
  within "explain a chain of 20,000 definitions" 20 500 0 "tail_value = 20,000    [output, plan]" \
    "$hoshu" explain "$work/chain" --inputs "$work/in.toml" --value tail_value
fi

if big_case "the literate plan of 150,000 definitions"; then
  # Each declaration's definition was found by a scan of every slot: quadratic (26 s for
  # 100,000 definitions, about a minute for these).
  p=$(awk 'BEGIN { print "plan \"x\""; for (i = 0; i < 150000; i++) print "output v" i ": ratio = " i " * 2" }' | plan doc_big)
  within "the literate plan of 150,000 definitions" 20 1000 0 "written" \
    bash -c '"$1" doc "$2" --out "$2/plan.html" && echo written' _ "$hoshu" "$p"
fi

if big_case "diff of two plans of 60,000 outputs"; then
  # Each output of each record was found by a scan of the outputs, and each name's side by
  # a scan of the other's names: quadratic (103 s for 100,000 outputs).
  p=$(awk 'BEGIN { print "plan \"x\""; print "collection directors: director at directors key id"; print "per director";
               print "  input pay: JPY at pay range ¥0 to ¥1,000,000";
               for (i = 0; i < 60000; i++) print "  output o" i ": JPY = pay"; print "end" }' | plan diff_base)
  q=$(sed 's/  output o5: JPY = pay$/  output o5: JPY = pay * 2/' "$p/rules.hoshu" | plan diff_head)
  printf '[[directors]]\nid = "D1"\npay = 5\n[[directors]]\nid = "D2"\npay = 7\n' > "$work/diff_in.toml"
  within "diff of two plans of 60,000 outputs" 20 2000 0 "output o5" \
    "$hoshu" diff "$p" "$q" --inputs "$work/diff_in.toml"
fi

if big_case "a working paper of 6,000 directors"; then
  # Each director's derivation ran the whole evaluation again and copied its outcome:
  # quadratic (31 s for 6,000 directors, 365 s for 20,000).
  awk '/^\[\[directors\]\]/ { exit } { print }' examples/iij/fy2024.toml > "$work/many.toml"
  awk 'BEGIN { for (i = 0; i < 6000; i++) printf "[[directors]]\nid = \"X%d\"\ntitle = \"社外取締役\"\nrole = \"outside\"\nmonthly_fixed = 800_000\nmonths_in_office = 12\n", i }' \
    >> "$work/many.toml"
  # (6,000 outside directors' cash passes the outside directors' limit: a violation, exit 1,
  # the paper written all the same.)
  within "a working paper of 6,000 directors" 20 800 1 "written" \
    bash -c '"$1" report rules/iij --inputs "$2/many.toml" --out "$2/many.html"; rc=$?; [[ -s "$2/many.html" ]] && echo written; exit $rc' _ "$hoshu" "$work"
fi

if big_case "the CSV of 20,000 directors"; then
  # Each director's `info` field (the title) was found by a scan of every record, through a
  # copy, sorted, of its keys: quadratic (25 s for 6,000 directors; 52 s for these once the
  # copies were gone). A list's records are now indexed by their fields' texts.
  awk '/^\[\[directors\]\]/ { exit } { print }' examples/iij/fy2024.toml > "$work/more.toml"
  awk 'BEGIN { for (i = 0; i < 20000; i++) printf "[[directors]]\nid = \"X%d\"\ntitle = \"社外取締役\"\nrole = \"outside\"\nmonthly_fixed = 800_000\nmonths_in_office = 12\n", i }' \
    >> "$work/more.toml"
  # (Exit 1: 20,000 outside directors' pay breaks the plan's limits.)
  within "the CSV of 20,000 directors" 15 500 1 "X19999,9600000" \
    "$hoshu" eval rules/iij --inputs "$work/more.toml" --format csv
fi

if big_case "misspelt names"; then
  # "Did you mean" compared each unknown name with every name of the plan, each comparison
  # a whole table of the two names' lengths: a name of 80,000 letters took seconds, 5,000
  # misspelt uses of 5,000 definitions 70 s. Now a band of the table, and hints for the
  # first hundred unknown names.
  p=$(awk -v n="$(printf 'a%.0s' {1..80000})" 'BEGIN { print "plan \"l\""; print "input s: ratio at s range 0 to 1";
        print "value " n ": ratio = s"; print "output o: ratio = " n " + " substr(n, 2) }' | plan long_name)
  within "an unknown name of 80,000 letters" 5 300 1 "unknown name" "$hoshu" check "$p"
  p=$(awk 'BEGIN { print "plan \"m\""; print "input s: ratio at s range 0 to 1";
        for (i = 0; i < 5000; i++) print "value v" i ": ratio = s";
        for (i = 0; i < 5000; i++) print "output o" i ": ratio = w" i }' | plan misspelt)
  within "5,000 misspelt names among 5,000" 5 500 1 "hint: did you mean \`o0\`?" "$hoshu" check "$p"
fi

exit $fail
