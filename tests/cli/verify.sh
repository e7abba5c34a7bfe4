#!/usr/bin/env bash
# hoshu verify and hoshu seal: a fresh result verifies (from any folder, or against an
# auditor's copies); a changed value, input file or rule file is named; numbers compare
# exactly from the JSON text; a duplicated key, a forged seal field or a field of the wrong
# type is refused; only regular files are read and nothing else is shown; approved hashes
# pin the rules and inputs; the seal recipe holds for hidden files, imports from outside
# the plan folder and odd file names.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
repo=$(pwd)
work=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; rm -rf "$work"' EXIT
fail=0
run() {  # run ARGS…: output (stdout and stderr) in $out, exit code in $rc; never more than 10 s
  out=$(NO_COLOR=1 timeout 10 "$@" 2>&1); rc=$?
}
report() {  # report NAME OK
  if [[ $2 == 1 ]]; then echo "ok   $1"; else echo "FAIL $1: exit $rc; output:"; echo "$out"; fail=1; fi
}
check() {  # check NAME EXPECTED_RC EXPECTED_TEXT ARGS…
  local name=$1 want_rc=$2 want_text=$3; shift 3
  run "$@"
  [[ $rc -eq $want_rc && "$out" == *"$want_text"* ]] && report "$name" 1 || report "$name (want exit $want_rc, \"$want_text\")" 0
}
edit() {  # edit SED_EXPRESSION: the result with one edit, in $work/edited.json
  sed "$1" "$work/result.json" > "$work/edited.json"
  cmp -s "$work/result.json" "$work/edited.json" && { echo "FAIL the edit $1 changed nothing"; fail=1; }
}
cp -r rules/iij "$work/plan"
cp examples/iij/fy2024.toml "$work/in.toml"
"$hoshu" eval "$work/plan" --inputs "$work/in.toml" --format json --out "$work/result.json" || { echo "eval failed"; exit 1; }

check "a fresh result verifies" 0 "verified: $work/result.json matches" "$hoshu" verify "$work/result.json"

edit 's/"annual_rs_shares": 4846/"annual_rs_shares": 4847/'
check "an edited value is named" 1 'directors["D03"].annual_rs_shares: recorded 4847, recomputed 4846' \
  "$hoshu" verify "$work/edited.json"

# Bytes after a NUL are not "nothing": the parser would stop at the NUL.
{ cat "$work/result.json"; printf '\0{"directors":"FORGED"}\n'; } > "$work/nul.json"
check "a NUL byte and what follows it are refused" 2 "not JSON: a NUL byte at byte" "$hoshu" verify "$work/nul.json"
# A byte order mark: the JSON parser passes over it, but hoshu never writes one.
{ printf '\xef\xbb\xbf'; cat "$work/result.json"; } > "$work/bom.json"
check "a byte order mark before the result is refused" 2 \
  "\`$work/bom.json\`: not JSON: a byte order mark at line 1, column 1; hoshu writes none" "$hoshu" verify "$work/bom.json"
# -0 is not how hoshu writes zero (it reaches the reader as the value 0).
sed '0,/"additional_shares": 0,/s//"additional_shares": -0,/' "$work/result.json" > "$work/neg0.json"
cmp -s "$work/result.json" "$work/neg0.json" && { echo "FAIL the -0 edit changed nothing"; fail=1; }
check "-0 written for 0 is refused" 2 "hoshu writes zero as 0" "$hoshu" verify "$work/neg0.json"

# --- Values compare exactly, from the JSON text, never through a double.
edit 's/"annual_rs_shares": 4846/"annual_rs_shares": 4846.0000000000001/'
check "4846.0000000000001 is not 4846" 1 'annual_rs_shares: recorded 4846.0000000000001, recomputed 4846' \
  "$hoshu" verify "$work/edited.json"
edit 's/"annual_rs_shares": 4846/"annual_rs_shares": 4846.0/'
check "4846.0 is not written as hoshu writes 4846" 1 'recorded 4846.0, recomputed 4846 (the same value, but not written as hoshu writes it)' \
  "$hoshu" verify "$work/edited.json"
edit 's/"annual_rs_shares": 4846/"annual_rs_shares": "4846"/'
check "a number recorded as a string" 1 'annual_rs_shares: recorded "4846", recomputed 4846' "$hoshu" verify "$work/edited.json"
mkdir -p "$work/big/plan"
cat > "$work/big/plan/big.hoshu" <<'EOF'
plan "A large count"
  source X1 "a test plan"

input big_in: shares at big range 0 shares to 100_000_000_000_000_000 shares
  source X1 "an input"

output big: shares = big_in + 1 shares
  source X1 "one more"
EOF
printf 'big = 10_000_000_000_000_000\n' > "$work/big/in.toml"
"$hoshu" eval "$work/big/plan" --inputs "$work/big/in.toml" --format json --out "$work/big/result.json"
sed 's/"big": 10000000000000001/"big": 1e16/' "$work/big/result.json" > "$work/big/edited.json"
check "1e16 is not 10,000,000,000,000,001" 1 'totals.big: recorded 1e16, recomputed 10000000000000001' \
  "$hoshu" verify "$work/big/edited.json"
check "10,000,000,000,000,001 verifies" 0 "verified:" "$hoshu" verify "$work/big/result.json"

# --- A key written twice, anywhere, is refused: the reader does not pick one of them.
edit '0,/"annual_rs_shares": 4846,/s//"annual_rs_shares": 9999, "annual_rs_shares": 4846,/'
check "a duplicated output key" 2 'the key "annual_rs_shares" is written twice in directors[2]' \
  "$hoshu" verify "$work/edited.json"
edit '0,/^  "directors": \[/s//  "directors": [{"id": "D99"}], "directors": [/'
check "a first fake directors array" 2 'the key "directors" is written twice in the top-level object' \
  "$hoshu" verify "$work/edited.json"
{ echo '{"seal": {"rules_sha256": "0", "engine": "forged"},'; tail -n +2 "$work/result.json"; } > "$work/edited.json"
check "a first fake seal" 2 'the key "seal" is written twice in the top-level object' "$hoshu" verify "$work/edited.json"
edit '0,/"path": "annual.hoshu",/s//"path": "annual.hoshu", "path": "x.hoshu",/'
check "a key twice inside the seal" 2 'the key "path" is written twice in seal.rule_files[0]' "$hoshu" verify "$work/edited.json"

# --- Every field of the seal is checked; a field of the wrong type is a clear error.
edit 's/"engine": "hoshu [^"]*"/"engine": "hoshu 0.0.1"/'
check "another engine version" 1 'seal.engine: the result was written by "hoshu 0.0.1", this is hoshu' "$hoshu" verify "$work/edited.json"
edit 's/"engine": "hoshu [^"]*"/"engine": 5/'
check "an engine of the wrong type" 2 'seal.engine is a number; a result of `hoshu eval --format json` has a string' \
  "$hoshu" verify "$work/edited.json"
edit 's/"rules_sha256": "[0-9a-f]*"/"rules_sha256": ["x"]/'
check "a hash of the wrong type" 2 'seal.rules_sha256 is an array' "$hoshu" verify "$work/edited.json"
edit 's/"relative_to": "result",/"relative_to": "result", "as_of": 20240626,/'
check "an as_of of the wrong type" 2 'seal.as_of is a number' "$hoshu" verify "$work/edited.json"
edit 's/"relative_to": "result",/"relative_to": "result", "as_of": "2024-13-01",/'
check "an as_of that is no date" 2 'seal.as_of is not a date written YYYY-MM-DD' "$hoshu" verify "$work/edited.json"
edit 's/"relative_to": "result",/"relative_to": "result", "approved_by": "the board",/'
check "an unknown key in the seal" 1 'seal.approved_by: recorded "the board", not in the recomputed result' \
  "$hoshu" verify "$work/edited.json"
edit 's/"rule_files": \[/"rule_files": [{"path": "extra.hoshu", "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}, /'
check "a rule file the plan does not load" 1 'extra.hoshu was removed' "$hoshu" verify "$work/edited.json"
edit '/"path": "ledger.hoshu",/{n;s/"sha256": "[0-9a-f]*"/"sha256": "0000000000000000000000000000000000000000000000000000000000000000"/}'
check "a forged rule file hash" 1 'ledger.hoshu was changed' "$hoshu" verify "$work/edited.json"
edit 's/"violations": \[\]/"violations": [], "approved": true/'
check "an unknown key in the result" 1 'approved: recorded true, not in the recomputed result' "$hoshu" verify "$work/edited.json"
"$hoshu" simulate "$work/plan" --inputs "$work/in.toml" --model examples/iij/model.toml --paths 10 --seed 1 \
  --format json --out "$work/simulated.json"
check "a simulate result is named as such" 2 'a result of `hoshu simulate`, not of `hoshu eval --format json`' \
  "$hoshu" verify "$work/simulated.json"
echo '{"not": "a result"}' > "$work/other.json"
check "a JSON file that is not a result" 2 'not a result of `hoshu eval --format json`' "$hoshu" verify "$work/other.json"
check "a file that is not JSON is not quoted" 2 'not JSON: a syntax error at line 1, column' "$hoshu" verify /etc/passwd
[[ "$out" != *root:* ]] || { echo "FAIL /etc/passwd was shown"; fail=1; }

# --- Only regular files are read; nothing but rules and inputs is ever shown.
edit 's|"inputs": "[^"]*"|"inputs": "/etc/passwd"|'
check "inputs that are another file: named, not parsed" 1 'the inputs /etc/passwd changed' "$hoshu" verify "$work/edited.json"
[[ "$out" != *root:* ]] || { echo "FAIL the content of /etc/passwd was shown"; fail=1; }
edit 's|"inputs": "[^"]*"|"inputs": "/dev/zero"|'
check "inputs /dev/zero are refused" 2 'cannot read the inputs `/dev/zero`: not a regular file' "$hoshu" verify "$work/edited.json"
mkfifo "$work/fifo"
exec 3<> "$work/fifo"   # a pipe that stays open and empty: reading it would wait for ever
edit 's|"inputs": "[^"]*"|"inputs": "/dev/stdin"|'
run "$hoshu" verify "$work/edited.json" <&3
[[ $rc -eq 2 && "$out" == *"cannot read the inputs \`/dev/stdin\`: not a regular file"* ]]; report "inputs /dev/stdin do not hang" $((1 - $?))
edit "s|\"inputs\": \"[^\"]*\"|\"inputs\": \"$work/fifo\"|"
check "inputs that are a pipe do not hang" 2 'not a regular file' "$hoshu" verify "$work/edited.json"
check "a result that is a pipe does not hang" 2 "cannot read \`$work/fifo\`: not a regular file" "$hoshu" verify "$work/fifo"
exec 3>&-
edit 's|"path": "annual.hoshu"|"path": "../../../../../../etc/passwd"|'
check "a rule file that is not a .hoshu file is not read" 1 'seal.rule_files names ../../../../../../etc/passwd, which is not a rule file (.hoshu)' \
  "$hoshu" verify "$work/edited.json"
truncate -s 65M "$work/huge.json"
check "a result larger than 64 MiB is refused" 2 'larger than 64 MiB' "$hoshu" verify "$work/huge.json"

# --- The seal, before anything else: changed inputs and rules are named.
sed -i 's/engagement_index = 71.5/engagement_index = 72.5/' "$work/in.toml"
check "a changed input file is named" 1 "the inputs $work/in.toml changed" "$hoshu" verify "$work/result.json"
cp examples/iij/fy2024.toml "$work/in.toml"
sed -i 's/param tenure_months: months = 2 months/param tenure_months: months = 3 months/' "$work/plan/tenure.hoshu"
check "a changed rule file is named" 1 "tenure.hoshu was changed" "$hoshu" verify "$work/result.json"
cp rules/iij/tenure.hoshu "$work/plan/tenure.hoshu"
printf 'param added_months: months = 1 months\n  source X1 "a file added after the seal"\n' > "$work/plan/added.hoshu"
check "a rule file added to the plan is named" 1 "added.hoshu was added" "$hoshu" verify "$work/result.json"
# Added while another one changed: both named, and the rules' hash now is the plan's as it
# is (what `hoshu seal | sha256sum` gives), not one of the recorded files only.
sed -i 's/param tenure_months: months = 2 months/param tenure_months: months = 3 months/' "$work/plan/tenure.hoshu"
now=$("$hoshu" seal "$work/plan" 2>/dev/null | sha256sum | cut -d' ' -f1)
check "a rule file added while another changed is named" 1 "added.hoshu was added" "$hoshu" verify "$work/result.json"
check "... and the changed one" 1 "tenure.hoshu was changed" "$hoshu" verify "$work/result.json"
check "... and the rules' hash now is hoshu seal's" 1 ", now $now" "$hoshu" verify "$work/result.json"
cp rules/iij/tenure.hoshu "$work/plan/tenure.hoshu"
rm "$work/plan/added.hoshu"

# --- An auditor verifies from her own folder, or against her own copies.
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/fy2024.json"
check "--out records the paths from the result's folder" 0 '"relative_to": "result"' cat "$work/fy2024.json"
cd /
check "a result written with --out verifies from any folder" 0 "verified: $work/fy2024.json matches rules $repo/rules/iij" \
  "$hoshu" verify "$work/fy2024.json"
cd "$repo"
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json > "$work/stdout.json"
check "a result on stdout verifies from where it was written" 0 "verified:" "$hoshu" verify "$work/stdout.json"
cd "$work"
check "from elsewhere, a stdout result asks for --rules" 2 \
  "there is no plan at \`rules/iij\` (the result names it from the folder \`hoshu eval\` ran in; name your copy with --rules DIR)" \
  "$hoshu" verify stdout.json
mkdir -p auditor; cp -r "$repo/rules/iij" auditor/rules; cp "$repo/examples/iij/fy2024.toml" auditor/inputs.toml
cd auditor
check "--rules and --inputs name the auditor's copies" 0 "verified: ../stdout.json matches rules rules (sha256 " \
  "$hoshu" verify ../stdout.json --rules rules --inputs inputs.toml
cd "$repo"

# --- Approved hashes pin the rules and inputs; hashes are printed in full.
rules_sha=$("$hoshu" seal rules/iij | sha256sum | cut -d' ' -f1)
inputs_sha=$(sha256sum examples/iij/fy2024.toml | cut -d' ' -f1)
check "hoshu seal | sha256sum is the seal's rules_sha256" 0 "\"rules_sha256\": \"$rules_sha\"" cat "$work/fy2024.json"
check "the approved hashes verify" 0 "(sha256 $rules_sha) and inputs" \
  "$hoshu" verify "$work/fy2024.json" --expect-rules-sha256 "$rules_sha" --expect-inputs-sha256 "${inputs_sha^^}"
sed -i 's/param tenure_months: months = 2 months/param tenure_months: months = 3 months/' "$work/plan/tenure.hoshu"
"$hoshu" eval "$work/plan" --inputs "$work/in.toml" --format json --out "$work/recomputed.json"
check "a result recomputed from edited rules verifies on its own" 0 "verified:" "$hoshu" verify "$work/recomputed.json"
check "... but not against the approved rules" 1 "the rules are not the approved ones: sealed sha256 " \
  "$hoshu" verify "$work/recomputed.json" --expect-rules-sha256 "$rules_sha"
check "... nor against approved inputs that differ" 1 "the inputs are not the approved ones" \
  "$hoshu" verify "$work/fy2024.json" --expect-inputs-sha256 "$rules_sha"
check "an approved hash must be 64 hexadecimal digits" 2 "--expect-rules-sha256 takes a SHA-256: 64 hexadecimal digits" \
  "$hoshu" verify "$work/fy2024.json" --expect-rules-sha256 "${rules_sha:0:16}"
# An empty approved hash (an unset variable in the auditor's script) is not "none given".
check "an empty approved hash is refused, not taken as none" 2 "--expect-rules-sha256: takes a value, not an empty one" \
  "$hoshu" verify "$work/fy2024.json" --expect-rules-sha256 ""
check "an empty value of any option is refused" 2 "--inputs: takes a value, not an empty one" \
  "$hoshu" eval rules/iij --inputs ""
check "eval's table prints hashes in full" 0 "inputs examples/iij/fy2024.toml  sha256 $inputs_sha
rules  sha256 $rules_sha" "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml

# --- The seal recipe holds for every plan: hidden files, imports from outside the plan
# folder, names with spaces and backslashes; the listing is what sha256sum prints.
odd="$work/odd"
mkdir -p "$odd/plan" "$odd/common"
cat > "$odd/plan/main.hoshu" <<'EOF'
plan "Odd names"
  source X1 "a test plan"

import "../common"

input big_in: shares at big range 0 shares to 1_000 shares
  source X1 "an input"

output big: shares = big_in + extra + hidden + spaced + slashed
  source X1 "the sum"
EOF
printf 'param extra: shares = 1 shares\n  source X1 "imported from outside the plan folder"\n' > "$odd/common/shared.hoshu"
printf 'param hidden: shares = 2 shares\n  source X1 "a hidden file"\n' > "$odd/plan/.hidden.hoshu"
printf 'param spaced: shares = 3 shares\n  source X1 "a name with spaces"\n' > "$odd/plan/a name.hoshu"
printf 'param slashed: shares = 4 shares\n  source X1 "a name with a backslash"\n' > "$odd/plan/back\\slash.hoshu"
printf 'big = 10\n' > "$odd/in.toml"
"$hoshu" eval "$odd/plan" --inputs "$odd/in.toml" --format json --out "$odd/result.json" || { echo "FAIL eval of the odd plan"; fail=1; }
listing=$("$hoshu" seal "$odd/plan")
mapfile -t files < <(cd "$odd/plan" && printf '%s\n' .hidden.hoshu ../common/shared.hoshu 'a name.hoshu' 'back\slash.hoshu' main.hoshu | LC_ALL=C sort)
by_sha256sum=$(cd "$odd/plan" && sha256sum -- "${files[@]}")
out="$listing"; [[ -n "$listing" && "$listing" == "$by_sha256sum" ]]; report "hoshu seal prints what sha256sum prints for every file the plan loads" $((1 - $?))
sealed=$(grep -o '"rules_sha256": "[0-9a-f]*"' "$odd/result.json" | cut -d'"' -f4)
[[ "$("$hoshu" seal "$odd/plan" | sha256sum | cut -d' ' -f1)" == "$sealed" ]]; report "hoshu seal | sha256sum is rules_sha256 for the odd plan" $((1 - $?))
(cd "$odd/plan" && "$hoshu" seal . | sha256sum --check --quiet > /dev/null); report "sha256sum --check accepts the listing" $((1 - $?))
check "the odd plan's result verifies" 0 "verified:" "$hoshu" verify "$odd/result.json"
echo 'param extra: shares = 5 shares' > "$odd/common/shared.hoshu"
check "an imported file that changed is named" 1 "../common/shared.hoshu was changed" "$hoshu" verify "$odd/result.json"
printf 'param nl: shares = 0 shares\n  source X1 "x"\n' > "$odd/plan/new"$'\n'"line.hoshu"
check "a rule file name with a newline is refused by the seal" 2 'cannot seal the rule file `new\x0aline.hoshu`' \
  "$hoshu" seal "$odd/plan"
cd "$repo"

# A result written through a symbolic link — to a file elsewhere, or in a linked folder whose
# `..` leads out of the folder it links to — names its plan and inputs from the folder the
# file is in: it verifies read there, through the link, and from the linked folder.
sl=$work/sl
mkdir -p "$sl/a/deep" "$sl/b" "$sl/real/x"
ln -s ../a/deep/res.json "$sl/b/link.json"
ln -s real/x "$sl/dl"
"$hoshu" eval "$work/plan" --inputs "$work/in.toml" --format json --out "$sl/b/link.json" || { echo "FAIL eval through a link"; fail=1; }
check "a result written through a link to a file elsewhere verifies where it is" 0 "verified:" "$hoshu" verify "$sl/a/deep/res.json"
check "... and through the link" 0 "verified:" "$hoshu" verify "$sl/b/link.json"
"$hoshu" eval "$work/plan" --inputs "$work/in.toml" --format json --out "$sl/dl/r.json" || { echo "FAIL eval into a linked folder"; fail=1; }
check "a result written in a linked folder verifies there" 0 "verified:" "$hoshu" verify "$sl/real/x/r.json"
check "... through the linked folder" 0 "verified:" "$hoshu" verify "$sl/dl/r.json"
(cd "$sl/dl" && run "$hoshu" verify r.json && [[ $rc -eq 0 ]]); report "... and from inside it" $((1 - $?))

# --rules naming what is no plan (a device, a pipe, a file other than a .hoshu one) cannot be
# read, exit 2: not a plan whose every rule file was removed.
mkfifo "$work/fifo"
for not_plan in /dev/null "$work/fifo" "$work/in.toml"; do
  check "verify --rules $(basename "$not_plan"): cannot read the plan, exit 2" 2 "cannot read the plan \`$not_plan\`" \
    "$hoshu" verify "$work/result.json" --rules "$not_plan"
done
check "eval of a plan that is a device: exit 2" 2 "cannot read the plan \`/dev/null\`" "$hoshu" eval /dev/null --inputs "$work/in.toml"

# A text written in another Unicode form (decomposed, NFD) is a difference, said to be one.
cp -r rules/iij "$work/cafe"
sed -i 's/^plan "\(.*\)"/plan "\1 café"/' "$work/cafe/"*.hoshu
"$hoshu" eval "$work/cafe" --inputs "$work/in.toml" --format json --out "$work/cafe.json" || { echo "FAIL eval of café"; fail=1; }
python3 - "$work/cafe.json" "$work/nfd.json" << 'EOF'
import json, sys, unicodedata
r = json.load(open(sys.argv[1], encoding='utf-8'))
assert 'café' in r['plan']
r['plan'] = unicodedata.normalize('NFD', r['plan'])
json.dump(r, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False, indent=2)
EOF
check "a text in another Unicode form differs, said to be the same text composed otherwise" 1 \
  "(the same text in another Unicode form: hoshu writes each text composed, NFC)" "$hoshu" verify "$work/nfd.json"
exit $fail
