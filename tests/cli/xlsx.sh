#!/usr/bin/env bash
# --format xlsx (eval and register export): the workbook's sheets, read back with unzip —
# share counts and yen amounts as numbers, titles as text, the seal on its own sheet, the
# inputs line by line; a value a double cannot hold exactly is text; the same inputs give
# the same bytes; eval's CSV with and without the byte-order mark.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
export SOURCE_DATE_EPOCH=1751328000
report() {  # report NAME OK
  if [[ $2 == 1 ]]; then echo "ok   $1"; else echo "FAIL $1"; echo "$out" | head -c 2000; echo; fail=1; fi
}
has() {  # has NAME TEXT: $out contains TEXT
  [[ "$out" == *"$2"* ]]; report "$1" $((1 - $?))
}
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format xlsx --out "$work/fy2024.xlsx"; rc=$?
out="exit $rc"; [[ $rc -eq 0 && -s "$work/fy2024.xlsx" ]]; report "eval --format xlsx writes a workbook" $((1 - $?))
out=$(unzip -p "$work/fy2024.xlsx" xl/workbook.xml)
has "three sheets: results, inputs, seal" '<sheet name="results" sheetId="1" r:id="rId1"/><sheet name="inputs" sheetId="2" r:id="rId2"/><sheet name="seal" sheetId="3" r:id="rId3"/>'
out=$(unzip -p "$work/fy2024.xlsx" xl/worksheets/sheet1.xml)
# Row 4 is D03: its annual_rs_shares (column D) is the number 4846, not a string.
has "a share count is a number" '<c r="D4"><v>4846</v></c>'
has "a yen amount is a number" '<c r="B4"><v>48000000</v></c>'
has "the grant-time price is a number" '<c r="L4"><v>3020</v></c>'
has "the title is text (a shared string)" '<c r="J4" t="s">'
strings=$(unzip -p "$work/fy2024.xlsx" xl/sharedStrings.xml)
out=$strings; has "the titles are in the workbook" '取締役 副社長執行役員'
has "the seal is in the workbook" "$(grep -o '"rules_sha256": "[0-9a-f]*"' examples/iij/fy2024.expected.json | cut -d'"' -f4)"
has "the inputs are in the workbook, line by line" 'engagement_index = 71.5'
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format xlsx --out "$work/again.xlsx"
cmp -s "$work/fy2024.xlsx" "$work/again.xlsx"; out="the two workbooks differ"; report "the same inputs give the same workbook" $((1 - $?))

# A ratio a double cannot hold exactly is written as text.
mkdir -p "$work/plan"
cat > "$work/plan/p.hoshu" <<'P'
plan "Ratios"
  source X1 "a test plan"

collection directors: director at people key id

per director
  input n: shares at n range 0 shares to 100 shares
    source X1 "an input"

  output third: ratio = n / (3 shares)
    source X1 "a third"

  output halved: ratio = n / (2 shares)
    source X1 "halved"
end
P
printf '[[people]]\nid = "A"\nn = 1\n' > "$work/in.toml"
"$hoshu" eval "$work/plan" --inputs "$work/in.toml" --format xlsx --out "$work/ratio.xlsx" || { echo "FAIL eval of the ratio plan"; fail=1; }
out=$(unzip -p "$work/ratio.xlsx" xl/worksheets/sheet1.xml)
has "1/2 is the number 0.5" '<c r="C2"><v>0.5</v></c>'
has "1/3 is text" '<c r="B2" t="s">'
out=$(unzip -p "$work/ratio.xlsx" xl/sharedStrings.xml); has "... written exactly" '<t>1/3</t>'

# eval's CSV: the byte-order mark by default, not with --no-csv-bom.
out=$("$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format csv | head -c 3 | od -An -tx1 | tr -d ' \n')
[[ $out == efbbbf ]]; report "eval's CSV starts with the byte-order mark" $((1 - $?))
out=$("$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format csv --no-csv-bom | head -c 9)
[[ $out == director ]] || [[ $out == "director," ]]; report "--no-csv-bom leaves it out" $((1 - $?))

# register export --format xlsx.
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/fy2024.json"
"$hoshu" register init "$work/g.db" > /dev/null
"$hoshu" register record "$work/g.db" "$work/fy2024.json" --by hr --grants annual_rs_shares > /dev/null
"$hoshu" register export "$work/g.db" --format xlsx --out "$work/g.xlsx"; rc=$?
out=$(unzip -p "$work/g.xlsx" xl/workbook.xml)
has "register export --format xlsx: grants, records, events" '<sheet name="grants" sheetId="1" r:id="rId1"/><sheet name="records" sheetId="2" r:id="rId2"/><sheet name="events" sheetId="3" r:id="rId3"/>'
out=$(unzip -p "$work/g.xlsx" xl/worksheets/sheet1.xml)
# Row 4 is D03's annual grant: shares (column G) and its yen value (column H) as numbers.
has "a grant's shares are a number" '<c r="G4"><v>4846</v></c>'
has "its yen value is a number" '<c r="H4"><v>14634920</v></c>'
# A workbook to a terminal without --out is refused (a usage error naming --out); to a pipe it
# is written. `script` gives the command a terminal for its standard output.
tty_run() {  # tty_run ARGS…: run under a terminal; output in $out, exit code in $rc
  out=$(script -qec "$(printf '%q ' "$@")" /dev/null 2>&1 < /dev/null); rc=$?
}
tty_run "$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format xlsx
[[ $rc -eq 2 && "$out" == *"write it to a file with --out FILE.xlsx"* ]]; report "eval --format xlsx to a terminal is refused" $((1 - $?))
tty_run "$hoshu" register export "$work/g.db" --format xlsx
[[ $rc -eq 2 && "$out" == *"write it to a file with --out FILE.xlsx"* ]]; report "register export --format xlsx to a terminal is refused" $((1 - $?))
tty_run "$hoshu" register export "$work/g.db" --format csv
[[ $rc -eq 0 && "$out" == *"FY2024,D03"* ]]; report "register export --format csv to a terminal is written" $((1 - $?))
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format xlsx | cmp -s - "$work/fy2024.xlsx"
out="the piped workbook differs"; report "eval --format xlsx to a pipe is written" $((1 - $?))
exit $fail
