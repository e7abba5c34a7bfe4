# The harness of the register scripts: sourced with the hoshu binary as its argument, it sets
# $hoshu (absolute), $work (a temporary folder removed at exit), the register's fixed clock
# and cache, and run / report / check / q.
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
export SOURCE_DATE_EPOCH=1751328000
export HOSHU_CACHE_DIR="$work/cache"
run() { out=$(NO_COLOR=1 timeout 60 "$@" 2>&1); rc=$?; }
report() { if [[ $2 == 1 ]]; then echo "ok   $1"; else echo "FAIL $1: exit $rc; output:"; echo "$out"; fail=1; fi; }
check() {  # check NAME EXPECTED_RC EXPECTED_TEXT ARGS…
  local name=$1 want_rc=$2 want_text=$3; shift 3
  run "$@"
  [[ $rc -eq $want_rc && "$out" == *"$want_text"* ]] && report "$name" 1 || report "$name (want exit $want_rc, \"$want_text\")" 0
}
q() { "$hoshu" "$@" > /dev/null 2>&1; }
