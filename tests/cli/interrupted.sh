#!/usr/bin/env bash
# An interrupted command leaves nothing behind. Each signal is sent at a point the test waits
# for (a test hook's marker, a compiler's marker file), never after a guessed delay:
#   - `register verify`, `eval --register` and `register export` write the register's stored
#     rules and inputs (every director's pay) to a temporary folder: 0700, its files 0600,
#     and removed when SIGINT, SIGTERM or SIGHUP ends the command there;
#   - `batch --engine compiled` interrupted while the compiler runs: the compiler and its
#     children (its process group) are stopped, and its temporary files in the cache removed;
#   - `register record` interrupted inside its transaction (rows written, not committed):
#     the transaction is rolled back before the process ends, so the register is as it was
#     and SQLite's journal is not left beside it;
#   - `register init` interrupted inside its transaction: the half-made register and its
#     journal are removed before the process ends, and init can make it again.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
export SOURCE_DATE_EPOCH=1751328000
export TMPDIR="$work/tmp"
mkdir "$TMPDIR"
wait_for() {  # wait_for FILE: until it exists (at most 20 s)
  for _ in $(seq 400); do [[ -e "$1" ]] && return 0; sleep 0.05; done
  return 1
}

# A register of two years of the points plan (FY2026 evaluated from it) and of IIJ's FY2024.
"$hoshu" eval rules/jp-bbt --inputs examples/jp-bbt/fy2025.toml --format json --out "$work/bbt2025.json" || exit 1
"$hoshu" register init "$work/bbt.db" > /dev/null
"$hoshu" register record "$work/bbt.db" "$work/bbt2025.json" --grants delivered_shares > /dev/null || exit 1
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/fy2024.json" || exit 1
"$hoshu" eval rules/iij --inputs examples/iij/fy2025.toml --format json --out "$work/fy2025.json" || exit 1

set -m   # background jobs get the default SIGINT (a shell without job control ignores it)
exec 3>&2 2> /dev/null   # and the shell's job reports ("Terminated") stay out of the log

# --- the register's temporary folders -----------------------------------------------------
commands=("register verify $work/bbt.db"
          "eval rules/jp-bbt --inputs examples/jp-bbt/fy2026.toml --register $work/bbt.db --format json"
          "register export $work/bbt.db --out $work/export.csv")
for command in "${commands[@]}"; do
  for sig in INT TERM HUP; do
    rm -f "$work/paused"
    # shellcheck disable=SC2086
    HOSHU_TEST_PAUSE_WITH_TEMP_FILES="$work/paused:30" "$hoshu" $command > /dev/null &
    pid=$!; pids+=("$pid")
    what="hoshu ${command%% $work*} killed by SIG$sig"
    if ! wait_for "$work/paused"; then bad "$what: the temporary folder was never written"; kill -9 "$pid"; continue; fi
    if [[ $sig == TERM ]]; then   # (once per command) the folder and its files are private
      folder=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'hoshu-*' | head -1)
      [[ -n "$folder" && $(stat -c %a "$folder") == 700 ]] || bad "$what: the temporary folder is not 0700: $(ls -la "$TMPDIR")"
      other=$(find "$folder" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \))
      [[ -z "$other" && -n $(find "$folder" -type f) ]] || bad "$what: files not 0600 or folders not 0700: $other"
    fi
    kill -$sig "$pid"
    wait "$pid"; rc=$?
    [[ $rc -eq $((128 + $(kill -l $sig))) ]] || bad "$what: exit $rc"
    left=$(find "$TMPDIR" -mindepth 1)
    [[ -z "$left" ]] || { bad "$what: left behind: $left"; rm -rf "${TMPDIR:?}"/*; }
    [[ ! -e "$work/export.csv" ]] || bad "$what: --out written"
  done
done
[[ $fail -eq 0 ]] && ok "register verify, eval --register, register export killed by SIGINT, SIGTERM, SIGHUP with the register's files in a temporary folder (0700, files 0600): nothing left behind"

# --- a workbook being built (--format xlsx) --------------------------------------------------
# Built in a private temporary folder, with the library's own temporary files: removed when a
# signal ends the command there.
before=$fail
commands=("eval rules/iij --inputs examples/iij/fy2024.toml --format xlsx --out $work/out.xlsx"
          "register export $work/bbt.db --format xlsx --out $work/out.xlsx")
for command in "${commands[@]}"; do
  for sig in INT TERM HUP; do
    rm -f "$work/paused"
    # shellcheck disable=SC2086
    HOSHU_TEST_PAUSE_IN_WORKBOOK="$work/paused:30" "$hoshu" $command > /dev/null &
    pid=$!; pids+=("$pid")
    what="hoshu ${command%% --out*} killed by SIG$sig"
    if ! wait_for "$work/paused"; then bad "$what: the workbook was never built"; kill -9 "$pid"; continue; fi
    folder=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'hoshu-xlsx-*' | head -1)
    [[ -n "$folder" && $(stat -c %a "$folder") == 700 && -s "$folder/workbook.xlsx" ]] ||
      bad "$what: the workbook is not in a private folder of \$TMPDIR: $(ls -laR "$TMPDIR")"
    kill -$sig "$pid"
    wait "$pid"; rc=$?
    [[ $rc -eq $((128 + $(kill -l $sig))) ]] || bad "$what: exit $rc"
    left=$(find "$TMPDIR" -mindepth 1)
    [[ -z "$left" ]] || { bad "$what: left behind: $left"; rm -rf "${TMPDIR:?}"/*; }
    [[ ! -e "$work/out.xlsx" ]] || bad "$what: --out written"
  done
done
[[ $fail -eq $before ]] && ok "eval and register export --format xlsx killed by SIGINT, SIGTERM, SIGHUP while the workbook is built: nothing left behind"

# --- a compiled batch interrupted while the compiler runs ----------------------------------
# A compiler that writes part of its object, then takes its time in a child of its own (as
# g++ runs cc1plus).
cat > "$work/slow-c++" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = -o ]; then out=$2; fi
  shift
done
printf 'half an object' > "$out"
sleep 60 &
echo "$$ $!" > "$COMPILER_PIDS"
: > "$COMPILER_MARKER"
wait
EOF
chmod +x "$work/slow-c++"
before=$fail
for sig in INT TERM HUP; do
  cache="$work/cache-$sig"
  rm -f "$work/compiling" "$work/compiler.pids"
  HOSHU_CACHE_DIR="$cache" HOSHU_CXX="$work/slow-c++" COMPILER_PIDS="$work/compiler.pids" COMPILER_MARKER="$work/compiling" \
    "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml --scenarios examples/iij/sensitivity.csv \
    --engine compiled --out "$work/batch.csv" &
  pid=$!; pids+=("$pid")
  what="batch --engine compiled killed by SIG$sig while compiling"
  if ! wait_for "$work/compiling"; then bad "$what: the compiler never ran"; kill -9 "$pid"; continue; fi
  read -r compiler child < "$work/compiler.pids"
  pids+=("$compiler" "$child")
  [[ -n $(find "$cache" -name '*.tmp') ]] || bad "$what: (the compilation's temporary files are not in the cache)"
  kill -$sig "$pid"
  wait "$pid"; rc=$?
  [[ $rc -eq $((128 + $(kill -l $sig))) ]] || bad "$what: exit $rc"
  for p in $compiler $child; do
    kill -0 "$p" 2> /dev/null && bad "$what: the compiler's process $p ($(ps -o args= -p "$p")) is still running"
  done
  left=$(find "$cache" "$TMPDIR" -mindepth 1)
  [[ -z "$left" ]] || bad "$what: left behind: $left"
  [[ ! -e "$work/batch.csv" ]] || bad "$what: --out written"
done
# Without a cache folder (one another user may write is not used), the temporary folder the
# compiler writes into goes too.
mkdir -m 777 "$work/shared-cache"
rm -f "$work/compiling"
HOSHU_CACHE_DIR="$work/shared-cache" HOSHU_CXX="$work/slow-c++" COMPILER_PIDS="$work/compiler.pids" COMPILER_MARKER="$work/compiling" \
  "$hoshu" batch rules/iij --inputs examples/iij/fy2024.toml --scenarios examples/iij/sensitivity.csv --engine compiled > /dev/null &
pid=$!; pids+=("$pid")
if wait_for "$work/compiling"; then
  [[ -n $(find "$TMPDIR" -name 'hoshu-kernel-*') ]] || bad "(uncached: no temporary folder in \$TMPDIR)"
  kill -TERM "$pid"; wait "$pid"
  left=$(find "$TMPDIR" "$work/shared-cache" -mindepth 1)
  [[ -z "$left" ]] || bad "uncached compile killed by SIGTERM: left behind: $left"
else
  bad "uncached compile: the compiler never ran"; kill -9 "$pid"
fi
[[ $fail -eq $before ]] && ok "batch --engine compiled killed by SIGINT, SIGTERM, SIGHUP while compiling: the compiler stopped, nothing left in the cache or \$TMPDIR"

# --- register record interrupted inside its transaction ------------------------------------
before=$fail
db="$work/iij.db"
"$hoshu" register init "$db" > /dev/null
"$hoshu" register record "$db" "$work/fy2024.json" > /dev/null
rm -f "$work/paused"
HOSHU_TEST_PAUSE_IN_WRITE="$work/paused:2" "$hoshu" register record "$db" "$work/fy2025.json" > /dev/null &
pid=$!; pids+=("$pid")
if wait_for "$work/paused"; then
  [[ -e "$db-journal" ]] || bad "(register record: no journal beside the register inside the transaction)"
  kill -TERM "$pid"; wait "$pid"; rc=$?
  [[ $rc -eq 143 ]] || bad "register record killed by SIGTERM: exit $rc"
  [[ ! -e "$db-journal" ]] || bad "register record killed by SIGTERM: its journal is left beside the register"
  out=$("$hoshu" register verify "$db" 2>&1)
  [[ $out == *"intact: 1 record and 0 events"* ]] || bad "register record killed by SIGTERM: $out"
  [[ -z $(find "$TMPDIR" -mindepth 1) ]] || bad "register record killed by SIGTERM: left behind: $(find "$TMPDIR" -mindepth 1)"
else
  bad "register record: the writer never reached its transaction"; kill -9 "$pid"
fi
[[ $fail -eq $before ]] && ok "register record killed by SIGTERM inside its transaction: rolled back, the register as it was, no journal left"

# --- register init interrupted inside its transaction --------------------------------------
before=$fail
for sig in INT TERM; do
  db="$work/new-$sig.db"
  rm -f "$work/paused"
  HOSHU_TEST_PAUSE_IN_WRITE="$work/paused:2" "$hoshu" register init "$db" > /dev/null &
  pid=$!; pids+=("$pid")
  if wait_for "$work/paused"; then
    [[ -e "$db" && -e "$db-journal" ]] || bad "(register init: no file and journal inside the transaction)"
    kill -$sig "$pid"; wait "$pid"; rc=$?
    want=$((128 + $(kill -l $sig)))
    [[ $rc -eq $want ]] || bad "register init killed by SIG$sig: exit $rc, not $want"
    [[ ! -e "$db" && ! -e "$db-journal" ]] || bad "register init killed by SIG$sig: left behind: $(ls "$work" | grep "new-$sig")"
    out=$("$hoshu" register init "$db" 2>&1)
    [[ $out == "created the register $db"* ]] || bad "register init after SIG$sig: $out"
  else
    bad "register init: it never reached its transaction"; kill -9 "$pid"
  fi
done
[[ $fail -eq $before ]] && ok "register init killed by SIGINT, SIGTERM inside its transaction: neither the half-made register nor its journal left; init then makes it"

set +m
exec 2>&3 3>&-
exit $((fail > 0))
