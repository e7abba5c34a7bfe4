#!/usr/bin/env bash
# Nothing lost: every write is checked. A full disk (/dev/full) or a file-size limit ends
# every command that prints with a message and exit 2; --out and fmt never replace what is
# not a regular file (a symlink is written through), keep an existing file's permissions
# and create a new one as the umask says; --out refuses a file it may not write; an
# interrupted batch or simulate (SIGINT, SIGTERM, SIGHUP) leaves no temporary file and the
# old output as it was; --histogram is written only when the whole command succeeds and may
# not name the --out file; numeric options out of range are usage errors.
set -uo pipefail
hoshu=$(realpath "$1")
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2> /dev/null; rm -rf "$work"' EXIT
fail=0
ok()  { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
h() { NO_COLOR=1 "$hoshu" "$@"; }
in24=examples/iij/fy2024.toml
model=examples/iij/model.toml
grid=(--grid 'years.FY2024.revenue=300e9..330e9:15e9')
mode_of() { stat -c %a "$1"; }
# leftovers DIR N: DIR holds exactly N entries (no temporary file).
leftovers() {
  local n; n=$(ls -A "$1" | wc -l)
  [[ $n -eq $2 ]] || { bad "$3: files left behind in $1:"; ls -A "$1"; }
}

# --- A full device on standard output: every command that prints -----------------------
h eval rules/iij --inputs $in24 --format json --out "$work/r.json" || bad "eval --out for verify"
d="$work/fmt"; mkdir "$d"; cp tests/golden/fmt_check_messy/messy.hoshu "$d/"
printing=(
  "eval rules/iij --inputs $in24"
  "eval rules/iij --inputs $in24 --format json"
  "eval rules/iij --inputs $in24 --format csv"
  "explain rules/iij --inputs $in24 --director D03 --value annual_rs_shares"
  "explain rules/iij --inputs $in24 --director D03 --format json"
  "test rules/iij"
  "diff rules/iij-2023 rules/iij --inputs $in24"
  "diff rules/iij-2023 rules/iij --inputs $in24 --format json"
  "batch rules/iij --inputs $in24 ${grid[*]}"
  "simulate rules/iij --inputs $in24 --model $model --paths 100"
  "simulate rules/iij --inputs $in24 --model $model --paths 100 --format json"
  "verify $work/r.json"
  "fmt --check $d"
  "--help"
  "--version"
)
if [[ -c /dev/full ]]; then
  for c in "${printing[@]}"; do
    eval "args=($c)"
    h "${args[@]}" > /dev/full 2> "$work/err.txt" < /dev/null
    rc=$?
    if [[ $rc -ne 2 ]] || ! grep -q "^hoshu: error: cannot write to standard output: No space left on device$" "$work/err.txt"; then
      bad "\`hoshu $c > /dev/full\`: exit $rc, stderr: $(head -c 200 "$work/err.txt")"
    fi
  done
  [[ $fail -eq 0 ]] && ok "> /dev/full: every command ends with exit 2 and says why"
  # Standard error full: the diagnostics are lost, so the exit code says it.
  w="$work/warn"; mkdir "$w"; cp rules/iij/*.hoshu "$w/"; echo 'param unused_thing: percent = 5%' >> "$w/plan.hoshu"
  h check "$w" > /dev/full 2> /dev/null || bad "check with warnings > /dev/full (nothing on stdout): exit $?"
  h check "$w" > /dev/null 2> /dev/full; rc=$?
  [[ $rc -eq 2 ]] && ok "check with warnings 2> /dev/full: exit 2" || bad "check with warnings 2> /dev/full: exit $rc"
  rm -rf "$w"
else
  echo "skip /dev/full (absent)"
fi
rm -rf "$work/r.json" "$d"
# A closed standard output is an error too, not silence.
h eval rules/iij --inputs $in24 >&- 2> "$work/err.txt"; rc=$?
[[ $rc -eq 2 ]] && grep -q "cannot write to standard output" "$work/err.txt" && ok "closed stdout: exit 2" \
  || bad "closed stdout: exit $rc, $(cat "$work/err.txt")"
# ... and the --out file does not take its place.
h eval rules/iij --inputs $in24 --out "$work/c.txt" >&- 2> "$work/err.txt" || bad "--out with stdout closed: exit $?"
cmp -s "$work/c.txt" examples/iij/fy2024.expected.txt || bad "--out with stdout closed: wrong file"
rm -f "$work/c.txt" "$work/err.txt"

# --- A file-size limit (ulimit -f 1: 1 KiB) -----------------------------------------------
size_limited() { ( ulimit -f 1; exec "$hoshu" "$@" ); }
size_limited eval rules/iij --inputs $in24 --format json > "$work/cut.json" 2> "$work/err.txt"; rc=$?
[[ $rc -eq 2 ]] && grep -q "^hoshu: error: cannot write to standard output: File too large$" "$work/err.txt" \
  && ok "stdout cut by a file-size limit: exit 2 with a message" \
  || bad "stdout cut by a file-size limit: exit $rc, stderr: $(head -c 200 "$work/err.txt")"
echo "previous result" > "$work/out.json"
size_limited eval rules/iij --inputs $in24 --format json --out "$work/out.json" 2> "$work/err.txt"; rc=$?
[[ $rc -eq 2 ]] && grep -q "^hoshu: error: cannot write \`$work/out.json\`: File too large$" "$work/err.txt" \
  || bad "--out cut by a file-size limit: exit $rc, stderr: $(head -c 200 "$work/err.txt")"
[[ "$(cat "$work/out.json")" == "previous result" ]] || bad "--out cut by a file-size limit changed the file"
size_limited batch rules/iij --inputs $in24 "${grid[@]}" --out "$work/out.json" 2> /dev/null && bad "batch --out cut: exit 0"
size_limited simulate rules/iij --inputs $in24 --model $model --paths 100 --out "$work/out.json" 2> /dev/null \
  && bad "simulate --out cut: exit 0"
size_limited simulate rules/iij --inputs $in24 --model $model --paths 100 --histogram "$work/h.svg" > /dev/null 2>&1 \
  && bad "simulate --histogram cut: exit 0"
[[ "$(cat "$work/out.json")" == "previous result" ]] || bad "batch/simulate --out cut changed the file"
leftovers "$work" 3 "a file-size limit"   # cut.json, err.txt, out.json
[[ $fail -eq 0 ]] && ok "--out cut by a file-size limit: exit 2, the old file kept, no temporary file"
rm -rf "$work"/*

# --- What --out may replace ----------------------------------------------------------------
t="$work/targets"; mkdir "$t"
mkfifo "$t/fifo"; mkdir "$t/dir"
# A device of our own (never /dev/null itself: a tool that replaces its target would
# replace the system's); without the right to create one, /dev/full's kind is not tested.
devices=(); mknod "$t/null" c 1 3 2> /dev/null && devices=("$t/null") || echo "skip a device as --out (mknod not allowed)"
for target in "$t/fifo" "$t/dir" "${devices[@]}"; do
  for c in "eval rules/iij --inputs $in24 --out" "batch rules/iij --inputs $in24 ${grid[*]} --out" \
           "simulate rules/iij --inputs $in24 --model $model --paths 10 --out" \
           "simulate rules/iij --inputs $in24 --model $model --paths 10 --histogram"; do
    eval "args=($c)"
    timeout 20 "$hoshu" "${args[@]}" "$target" > /dev/null 2> "$work/err.txt"; rc=$?
    grep -q "^hoshu: error: cannot write \`$target\`: .*not a regular file" "$work/err.txt" && [[ $rc -eq 2 ]] \
      || bad "\`hoshu $c $target\`: exit $rc, stderr: $(head -c 200 "$work/err.txt")"
  done
done
[[ -p "$t/fifo" && -d "$t/dir" ]] || bad "a FIFO or folder target was replaced"
[[ ${#devices[@]} -eq 0 || -c "$t/null" ]] || bad "a device target was replaced"
rm -f "$t/null"
leftovers "$t" 2 "non-regular targets"
[[ $fail -eq 0 ]] && ok "--out and --histogram refuse a FIFO, a folder and a device (exit 2)"

# A symlink is written through: the link stays, the file it names gets the output.
echo "old" > "$t/real.txt"; chmod 640 "$t/real.txt"; ln -s real.txt "$t/link.txt"
h eval rules/iij --inputs $in24 --out "$t/link.txt" || bad "--out through a symlink: exit $?"
[[ -L "$t/link.txt" && "$(readlink "$t/link.txt")" == real.txt ]] || bad "--out replaced the symlink itself"
cmp -s "$t/real.txt" examples/iij/fy2024.expected.txt || bad "--out through a symlink: the file it names is not the output"
[[ $(mode_of "$t/real.txt") == 640 ]] || bad "--out through a symlink: mode $(mode_of "$t/real.txt"), want 640"
ln -s "$t/dir" "$t/to-dir"; ln -s missing/x.txt "$t/to-nowhere"; ln -s loop "$t/loop"
h eval rules/iij --inputs $in24 --out "$t/to-dir" 2> "$work/err.txt" && bad "--out through a symlink to a folder: exit 0"
grep -q "not a regular file" "$work/err.txt" || bad "--out through a symlink to a folder: $(cat "$work/err.txt")"
h eval rules/iij --inputs $in24 --out "$t/loop" 2> "$work/err.txt" && bad "--out on a symlink loop: exit 0"
h eval rules/iij --inputs $in24 --out "$t/to-nowhere" 2> "$work/err.txt" && bad "--out through a dangling symlink into a missing folder: exit 0"
ln -s fresh.txt "$t/to-fresh"
h eval rules/iij --inputs $in24 --out "$t/to-fresh" || bad "--out through a dangling symlink: exit $?"
[[ -L "$t/to-fresh" && -f "$t/fresh.txt" ]] || bad "--out through a dangling symlink did not create the file it names"
leftovers "$t" 9 "symlinks"
[[ $fail -eq 0 ]] && ok "--out writes through a symlink, keeps the link and the mode of the file it names"
rm -rf "$t"

# --- Permissions: a new file follows the umask, an existing one keeps its mode ----------------
for u in 077 022 002; do
  rm -f "$work/new.csv"
  ( umask $u; exec "$hoshu" eval rules/iij --inputs $in24 --format csv --out "$work/new.csv" ) || bad "umask $u: exit $?"
  want=$(printf '%o' $((0666 & ~0$u)))
  [[ $(mode_of "$work/new.csv") == "$want" ]] || bad "umask $u: a new --out file has mode $(mode_of "$work/new.csv"), want $want"
  rm -f "$work/new.svg"
  ( umask $u; exec "$hoshu" simulate rules/iij --inputs $in24 --model $model --paths 10 --histogram "$work/new.svg" > /dev/null ) \
    || bad "umask $u --histogram: exit $?"
  [[ $(mode_of "$work/new.svg") == "$want" ]] || bad "umask $u: a new --histogram file has mode $(mode_of "$work/new.svg"), want $want"
done
for m in 600 640 604; do
  echo "old" > "$work/old.csv"; chmod $m "$work/old.csv"
  ( umask 022; exec "$hoshu" eval rules/iij --inputs $in24 --format csv --out "$work/old.csv" ) || bad "mode $m: exit $?"
  [[ $(mode_of "$work/old.csv") == "$m" ]] || bad "an existing --out file of mode $m now has $(mode_of "$work/old.csv")"
  ( umask 022; exec "$hoshu" batch rules/iij --inputs $in24 "${grid[@]}" --out "$work/old.csv" ) || bad "batch mode $m: exit $?"
  [[ $(mode_of "$work/old.csv") == "$m" ]] || bad "an existing batch --out file of mode $m now has $(mode_of "$work/old.csv")"
done
# An access control list is part of the permissions: it is kept too (where ACLs work here).
echo "old" > "$work/acl.csv"; chmod 640 "$work/acl.csv"
if command -v setfacl > /dev/null && setfacl -m u:65534:rw,g::---,m::rw "$work/acl.csv" 2> /dev/null; then
  before=$(getfacl -c "$work/acl.csv" 2> /dev/null)
  h eval rules/iij --inputs $in24 --format csv --out "$work/acl.csv" || bad "ACL: exit $?"
  [[ "$(getfacl -c "$work/acl.csv" 2> /dev/null)" == "$before" ]] || bad "an existing --out file lost its ACL: $(getfacl -c "$work/acl.csv")"
else
  echo "skip ACLs (no setfacl, or no ACLs on this file system)"
fi
cp tests/golden/fmt_check_messy/messy.hoshu "$work/m.hoshu"; chmod 600 "$work/m.hoshu"
( umask 022; exec "$hoshu" fmt "$work/m.hoshu" ) || bad "fmt: exit $?"
[[ $(mode_of "$work/m.hoshu") == 600 ]] || bad "fmt changed a rule file's mode 600 to $(mode_of "$work/m.hoshu")"
cmp -s "$work/m.hoshu" tests/golden/fmt_check_messy/messy.hoshu && bad "fmt did not rewrite the messy file"
[[ $fail -eq 0 ]] && ok "a new file follows the umask (077, 022, 002); an existing one keeps its mode (600, 640, 604) and ACL"
rm -rf "$work"/*

# --- fmt: only regular files it may write ----------------------------------------------------
mkfifo "$work/f.hoshu"
timeout 10 "$hoshu" fmt "$work/f.hoshu" 2> "$work/err.txt"; rc=$?
[[ $rc -eq 2 ]] && grep -q "not a regular file" "$work/err.txt" && ok "fmt refuses a FIFO (exit 2, not a hang)" \
  || bad "fmt on a FIFO: exit $rc, $(cat "$work/err.txt")"
rm -f "$work/f.hoshu"
cp tests/golden/fmt_check_messy/messy.hoshu "$work/real.hoshu"; ln -s real.hoshu "$work/link.hoshu"
h fmt "$work/link.hoshu" || bad "fmt through a symlink: exit $?"
[[ -L "$work/link.hoshu" ]] && ! cmp -s "$work/real.hoshu" tests/golden/fmt_check_messy/messy.hoshu \
  && ok "fmt writes through a symlink" || bad "fmt through a symlink replaced the link or left the file"
rm -rf "$work"/*

# As another user (or ourselves when not root): a file we may not write is refused.
as_other() { if [[ $(id -u) -eq 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; else "$@"; fi; }
chmod 777 "$work"
if as_other "$hoshu" --version > /dev/null 2>&1 && as_other test -r rules/iij/plan.hoshu; then
  cp tests/golden/fmt_check_messy/messy.hoshu "$work/ro.hoshu"; chmod 444 "$work/ro.hoshu"
  as_other "$hoshu" fmt "$work/ro.hoshu" 2> "$work/err.txt"; rc=$?
  [[ $rc -eq 2 ]] && grep -q "^hoshu: error: cannot write \`$work/ro.hoshu\`: Permission denied" "$work/err.txt" \
    || bad "fmt on a read-only file: exit $rc, $(cat "$work/err.txt")"
  cmp -s "$work/ro.hoshu" tests/golden/fmt_check_messy/messy.hoshu || bad "fmt rewrote a read-only file"
  echo "old" > "$work/ro.csv"; chmod 444 "$work/ro.csv"
  as_other "$hoshu" eval rules/iij --inputs $in24 --out "$work/ro.csv" 2> "$work/err.txt"; rc=$?
  [[ $rc -eq 2 && "$(cat "$work/ro.csv")" == old ]] || bad "--out on a read-only file: exit $rc, $(cat "$work/err.txt")"
  leftovers "$work" 3 "read-only files"
  [[ $fail -eq 0 ]] && ok "fmt and --out refuse a file they may not write (exit 2, file untouched)"
  if [[ $(id -u) -eq 0 ]]; then
    # Another user's file that we may write: it becomes ours, its old group gets nothing.
    echo "old" > "$work/theirs.csv"; chmod 666 "$work/theirs.csv"
    as_other "$hoshu" eval rules/iij --inputs $in24 --out "$work/theirs.csv" 2> "$work/err.txt"; rc=$?
    [[ $rc -eq 0 && $(mode_of "$work/theirs.csv") == 606 ]] && grep -q "^hoshu: warning: the new .* is yours" "$work/err.txt" \
      && ok "another user's file: rewritten with a warning, its group permissions dropped" \
      || bad "another user's file: exit $rc, mode $(mode_of "$work/theirs.csv"), $(cat "$work/err.txt")"
  fi
else
  echo "skip read-only files (cannot run as another user here)"
fi
chmod 700 "$work"
rm -rf "$work"/*

# --- Interrupted: SIGINT, SIGTERM, SIGHUP leave no temporary file ----------------------------
set -m   # background jobs get the default SIGINT (a shell without job control ignores it)
exec 3>&2 2> /dev/null   # and the shell's job reports ("Interrupt") stay out of the log
long_batch=(batch rules/iij --inputs $in24 --grid 'years.FY2024.revenue=290e9..300e9:1e5' 'directors.D03.division_score=0.5..1.25:0.01')
long_simulate=(simulate rules/iij --inputs $in24 --model $model --paths 1000000000 --threads 1)
for which in batch simulate; do
  for sig in INT TERM HUP; do
    s="$work/sig"; mkdir -p "$s"; echo "previous result" > "$s/out.txt"
    if [[ $which == batch ]]; then
      "$hoshu" "${long_batch[@]}" --out "$s/out.txt" 2> /dev/null &
    else
      "$hoshu" "${long_simulate[@]}" --out "$s/out.txt" --histogram "$s/h.svg" 2> /dev/null &
    fi
    pid=$!
    for _ in $(seq 100); do [[ $(ls -A "$s" | wc -l) -gt 1 ]] && break; sleep 0.05; done
    sleep 0.2
    kill -$sig $pid
    wait $pid; rc=$?
    want=$((128 + $(kill -l $sig)))
    [[ $rc -eq $want ]] || bad "$which killed by SIG$sig: exit $rc, want $want"
    [[ "$(cat "$s/out.txt")" == "previous result" ]] || bad "$which killed by SIG$sig: the old output changed"
    leftovers "$s" 1 "$which killed by SIG$sig"
    rm -rf "$s"
  done
done
set +m
exec 2>&3 3>&-
[[ $fail -eq 0 ]] && ok "batch and simulate killed by SIGINT, SIGTERM, SIGHUP: no temporary file, the old output kept"

# --- --histogram: only when everything succeeded, never the --out file -------------------------
sim=(simulate rules/iij --inputs $in24 --model $model --paths 10)
echo "previous result" > "$work/out.txt"; ln -s out.txt "$work/link.txt"; ln "$work/out.txt" "$work/hard.txt"
mkdir "$work/sub"
for pair in "$work/out.txt $work/out.txt" "$work/out.txt $work/./out.txt" "$work/out.txt $work/link.txt" \
            "$work/out.txt $work/hard.txt" "$work/out.txt $work/sub/../out.txt" "- -"; do
  read -r o g <<< "$pair"
  h "${sim[@]}" --out "$o" --histogram "$g" > /dev/null 2> "$work/err.txt"; rc=$?
  [[ $rc -eq 2 ]] && grep -q "^hoshu: error: --histogram and --out name the same file" "$work/err.txt" \
    || bad "--out $o --histogram $g: exit $rc, $(head -c 200 "$work/err.txt")"
done
[[ "$(cat "$work/out.txt")" == "previous result" ]] || bad "--histogram naming the --out file changed it"
h "${sim[@]}" --histogram "$work/h.svg" > /dev/full 2> /dev/null && bad "simulate > /dev/full --histogram: exit 0"
[[ -e "$work/h.svg" ]] && bad "--histogram written although the report could not be"
h "${sim[@]}" --histogram "$work/h.svg" --out "$work/sub" 2> /dev/null && bad "simulate --out FOLDER --histogram: exit 0"
[[ -e "$work/h.svg" ]] && bad "--histogram written although --out could not be"
leftovers "$work" 5 "--histogram"   # out.txt, link.txt, hard.txt, sub, err.txt
[[ $fail -eq 0 ]] && ok "--histogram: not the --out file (by any name), written only when everything succeeded"
rm -rf "$work"/*

# --- Numeric options: out of range is a usage error, never clamped or wrapped ----------------
for o in "--seed -1" "--seed 18446744073709551616" "--seed 99999999999999999999999" "--seed 1e3" "--seed 0x10" \
         "--seed ''" "--paths -1" "--paths 0" "--paths 1000000001" "--paths 18446744073709551617" "--threads -1" \
         "--threads 1025" "--threads 4294967297" "--seed +5" "--seed ' 5'"; do
  eval "opt=($o)"
  h "${sim[@]}" "${opt[@]}" > "$work/out.txt" 2> "$work/err.txt"; rc=$?
  [[ $rc -eq 2 && ! -s "$work/out.txt" && -s "$work/err.txt" ]] || bad "simulate $o: exit $rc, $(head -c 200 "$work/err.txt")"
done
a=$(h "${sim[@]}" --seed 18446744073709551615 --format json) || bad "--seed 2^64-1: exit $?"
grep -q '"seed": 18446744073709551615' <<< "$a" || bad "--seed 2^64-1 not kept"
[[ "$(h "${sim[@]}" --seed 010)" == "$(h "${sim[@]}" --seed 10)" ]] || bad "--seed 010 is not ten"
[[ $fail -eq 0 ]] && ok "--seed, --paths, --threads out of range: exit 2 with a message"
exit $fail
