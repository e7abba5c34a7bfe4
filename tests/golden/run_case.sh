#!/usr/bin/env bash
# One golden CLI case: run `hoshu <args>` from the repository root and compare stdout,
# stderr and the exit code with the expected files of the case folder.
#
#   cmd            the arguments after `hoshu`, shell-quoted, on one line
#   expected.out   expected stdout (or `out_file`: a path, from the root, to that file)
#   expected.err   expected stderr (absent: stderr must be empty)
#   expected.rc    expected exit code (absent: 0)
#
# HOSHU_REGENERATE=1 rewrites the expected files from the actual output; read the diff
# (git diff tests/golden examples) before committing it.
set -uo pipefail
hoshu=$1
case_dir=$2
eval "args=($(cat "$case_dir/cmd"))"

out_expected="$case_dir/expected.out"
[[ -f "$case_dir/out_file" ]] && out_expected=$(cat "$case_dir/out_file")

actual_out=$(mktemp)
actual_err=$(mktemp)
# A cache folder of the case's own: no case depends on (or fills) the cache of compiled
# plans of the machine's user (`batch --engine auto` uses a plan compiled before).
cache=$(mktemp -d)
trap 'rm -f "$actual_out" "$actual_err"; rm -rf "$cache"' EXIT
export HOSHU_CACHE_DIR=$cache
NO_COLOR=1 "$hoshu" "${args[@]}" > "$actual_out" 2> "$actual_err" < /dev/null
rc=$?

if [[ "${HOSHU_REGENERATE:-}" == 1 ]]; then
  cp "$actual_out" "$out_expected"
  if [[ -s "$actual_err" ]]; then cp "$actual_err" "$case_dir/expected.err"; else rm -f "$case_dir/expected.err"; fi
  if [[ $rc -ne 0 ]]; then echo "$rc" > "$case_dir/expected.rc"; else rm -f "$case_dir/expected.rc"; fi
  echo "regenerated $case_dir"
  exit 0
fi

status=0
expected_rc=0
[[ -f "$case_dir/expected.rc" ]] && expected_rc=$(cat "$case_dir/expected.rc")
if [[ "$rc" != "$expected_rc" ]]; then
  echo "exit code: expected $expected_rc, got $rc"
  status=1
fi
if ! diff -u "$out_expected" "$actual_out"; then
  echo "stdout differs from $out_expected"
  status=1
fi
expected_err="$case_dir/expected.err"
if [[ -f "$expected_err" ]]; then
  if ! diff -u "$expected_err" "$actual_err"; then echo "stderr differs"; status=1; fi
elif [[ -s "$actual_err" ]]; then
  echo "unexpected stderr:"; cat "$actual_err"; status=1
fi
exit $status
