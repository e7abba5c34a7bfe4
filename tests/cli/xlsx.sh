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
has "a share count is a number" '<c r="D4" s="2"><v>4846</v></c>'
has "a yen amount is a number" '<c r="B4" s="2"><v>48000000</v></c>'
has "the grant-time price is a number" '<c r="L4" s="2"><v>3020</v></c>'
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
has "1/2 is the number 0.5 (at one decimal)" '<c r="C2" s="2"><v>0.5</v></c>'
has "1/3 is text" '<c r="B2" t="s">'
out=$(unzip -p "$work/ratio.xlsx" xl/sharedStrings.xml); has "... written exactly" '<t>1/3</t>'
# An id holding `_xHHHH_` (the form Excel decodes to a character on opening): written with
# its `_` escaped, so that `D_x0030_1` is not shown as a second `D01`.
printf '[[people]]\nid = "D01"\nn = 1\n[[people]]\nid = "D_x0030_1"\nn = 2\n' > "$work/lookalike.toml"
"$hoshu" eval "$work/plan" --inputs "$work/lookalike.toml" --format xlsx --out "$work/lookalike.xlsx" || { echo "FAIL eval of the look-alike ids"; fail=1; }
out=$(unzip -p "$work/lookalike.xlsx" xl/sharedStrings.xml)
has "an id holding _x0030_ is escaped as Excel reads it back" '<t>D_x005F_x0030_1</t>'

# Pence: one type per column. Every cell of a money column in a currency with a minor unit is
# a number with a 2-decimal format whose double shows the exact amount — a SUM over it is
# the exact total; a column one of whose values no 15-digit decimal holds is text throughout.
mkdir -p "$work/pence"
cat > "$work/pence/p.hoshu" <<'P'
plan "Pence"
unit GBP currency "£" minor 0.01
collection executives: executive at executives key id
input grant_price: GBP per share at grant_price range £0.01 per share to £1,000 per share
input year: text at fiscal_year
output fiscal_year: text = year
per executive
  input salary: GBP at salary range £0 to £10,000,000
  output bonus: GBP = round down(salary * 15%, £0.01)
  output third: ratio = salary / (salary * 3)
  output halved: ratio = salary / (salary * 2)
  output award: shares = round down(bonus / grant_price, 1 share)
end
output total_bonus: GBP = sum of bonus over executives
P
printf 'fiscal_year = "FY2025"\ngrant_price = 11.10\n[[executives]]\nid = "A"\nsalary = 100_000.00\n[[executives]]\nid = "B"\nsalary = 100_000.10\n[[executives]]\nid = "C"\nsalary = 100_001.00\n[[executives]]\nid = "D"\nsalary = 100_000.50\n' > "$work/pence/in.toml"
"$hoshu" eval "$work/pence" --inputs "$work/pence/in.toml" --format xlsx --out "$work/pence.xlsx" || { echo "FAIL eval of the pence plan"; fail=1; }
"$hoshu" eval "$work/pence" --inputs "$work/pence/in.toml" --format json --out "$work/pence.json"
"$hoshu" register init "$work/pence.db" > /dev/null
"$hoshu" register record "$work/pence.db" "$work/pence.json" --by hr --grants award > /dev/null
"$hoshu" register export "$work/pence.db" --format xlsx --out "$work/pence-register.xlsx"
out=$(python3 - "$work/pence.xlsx" <<'PY'
import re, sys, zipfile
from decimal import Decimal
z = zipfile.ZipFile(sys.argv[1])
styles = z.read('xl/styles.xml').decode()
numfmts = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
xfs = re.findall(r'<xf [^>]*?numFmtId="(\d+)"', re.search(r'<cellXfs[^>]*>(.*?)</cellXfs>', styles, re.S).group(1))
ss = [re.sub('<[^>]+>', '', x) for x in re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode(), re.S)]
sheet = z.read('xl/worksheets/sheet1.xml').decode()
cols = {}
header = {}
for r, row in enumerate(re.findall(r'<row [^>]*>(.*?)</row>', sheet, re.S)):
    for col, attrs, body in re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', row):
        v = re.sub('<[^>]+>', '', body)
        if r == 0: header[col] = ss[int(v)]; continue
        s = re.search(r's="(\d+)"', attrs)
        fmt = numfmts.get(xfs[int(s.group(1))], 'builtin') if s else 'General'
        cols.setdefault(header[col], []).append(('text', ss[int(v)], None) if 't="s"' in attrs else ('number', v, fmt))
for name in ('bonus', 'third', 'halved', 'award', 'award_value_gbp'):
    kinds = sorted({k for k, _, _ in cols[name]})
    print(name, 'kinds', ','.join(kinds), 'formats', ','.join(sorted({str(f) for _, _, f in cols[name]})))
# What Excel shows at the cell's decimals is the exact amount; SUM is the exact total.
shown = ['%.2f' % float(v) for _, v, _ in cols['bonus']]
print('bonus shown', ' '.join(shown))
print('bonus sum', '%.2f' % sum(Decimal(s) for s in shown))
PY
)
has "a pence column is numbers only" 'bonus kinds number formats #,##0.00'
has "every amount shows its exact pence" 'bonus shown 15000.00 15000.01 15000.15 15000.07'
has "a SUM over it is the exact total" 'bonus sum 60000.23'
has "a column with 1/3 is text only" 'third kinds text formats None'
has "a column of halves is numbers at one decimal" 'halved kinds number formats #,##0.0'
has "a column of whole shares is numbers with thousands separators" 'award kinds number formats #,##0'
has "the awards' value at the price (pence) is numbers" 'award_value_gbp kinds number formats #,##0.00'
out=$(python3 - "$work/pence-register.xlsx" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
ss = [re.sub('<[^>]+>', '', x) for x in re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode(), re.S)]
sheet = z.read('xl/worksheets/sheet1.xml').decode()
header = {}; kinds = {}
for r, row in enumerate(re.findall(r'<row [^>]*>(.*?)</row>', sheet, re.S)):
    for col, attrs, body in re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', row):
        v = re.sub('<[^>]+>', '', body)
        if r == 0: header[col] = ss[int(v)]; continue
        kinds.setdefault(header[col], set()).add('text' if 't="s"' in attrs else 'number')
for name in sorted(kinds): print('register', name, ','.join(sorted(kinds[name])))
PY
)
has "register export: the grant's shares column is numbers only" 'register shares number'
has "register export: the grant's value in pence is numbers only" 'register value_gbp number'

# A plan without a collection: the results sheet has one row, its plan-wide outputs, and no
# record column (as its CSV and batch's rows).
"$hoshu" eval tests/golden/batch_no_collection/p --inputs tests/golden/batch_no_collection/p/in.toml --format xlsx \
  --out "$work/plan-wide.xlsx" || { echo "FAIL eval of the plan without a collection"; fail=1; }
out=$(python3 - "$work/plan-wide.xlsx" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
ss = [re.sub('<[^>]+>', '', x) for x in re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode(), re.S)]
sheet = z.read('xl/worksheets/sheet1.xml').decode()
for row in re.findall(r'<row [^>]*>(.*?)</row>', sheet, re.S):
    cells = []
    for attrs, body in re.findall(r'<c r="[A-Z]+\d+"([^>]*)>(.*?)</c>', row):
        v = re.sub('<[^>]+>', '', body)
        cells.append(ss[int(v)] if 't="s"' in attrs else '#' + v)   # a number marked #
    print('|'.join(cells[:4]) + '|')
PY
)
has "a plan without a collection: a header without a record column" 'hu|he|exact|fiscal_year|'
has "... and one row of its plan-wide outputs, as numbers" '#0.13|#0.12|#0.125|'
[[ $(grep -c '|' <<< "$out") == 2 ]]; report "... two rows, the header and the plan's" $((1 - $?))

# eval's CSV: the byte-order mark by default, not with --no-csv-bom.
out=$("$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format csv | head -c 3 | od -An -tx1 | tr -d ' \n')
[[ $out == efbbbf ]]; report "eval's CSV starts with the byte-order mark" $((1 - $?))
out=$("$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format csv --no-csv-bom | head -c 9)
[[ $out == director ]] || [[ $out == "director," ]]; report "--no-csv-bom leaves it out" $((1 - $?))

# register export --format xlsx.
"$hoshu" eval rules/iij --inputs examples/iij/fy2024.toml --format json --out "$work/fy2024.json"
"$hoshu" register init "$work/g.db" > /dev/null
"$hoshu" register record "$work/g.db" "$work/fy2024.json" --by hr > /dev/null
"$hoshu" register export "$work/g.db" --format xlsx --out "$work/g.xlsx"; rc=$?
out=$(unzip -p "$work/g.xlsx" xl/workbook.xml)
has "register export --format xlsx: grants, records, events" '<sheet name="grants" sheetId="1" r:id="rId1"/><sheet name="records" sheetId="2" r:id="rId2"/><sheet name="events" sheetId="3" r:id="rId3"/>'
out=$(unzip -p "$work/g.xlsx" xl/worksheets/sheet1.xml)
# Row 27 is D03's annual grant (after the four grants of 0 of each of A01 to A04, D01's and
# D02's four grants — additional_shares 0 — and D03's tenure grant): shares (column G) and its
# yen value (column H) as numbers.
has "a grant's shares are a number" '<c r="G27" s="2"><v>4846</v></c>'
has "its yen value is a number" '<c r="H27" s="2"><v>14634920</v></c>'
has "its record number is a number with no thousands separator" '<c r="N9"><v>1</v></c>'
# A register whose FY2026 record is STALE (FY2025 restated after it): the grants sheet's
# `stale` column (O) names that record; the events sheet gives a leave's count as recorded
# (G) and as the balances count it now (H, `shares_now`), after a restatement granted more.
"$hoshu" register export tests/golden/register_stale_show/g.db --format xlsx --out "$work/stale.xlsx"
out=$(unzip -p "$work/stale.xlsx" xl/worksheets/sheet1.xml)
has "register export --format xlsx: a row awaiting a stale record names it (stale)" '<c r="O2"><v>3</v></c>'
"$hoshu" register export tests/golden/register_leave_now_export_json/g.db --format xlsx --out "$work/leave.xlsx"
out=$(unzip -p "$work/leave.xlsx" xl/sharedStrings.xml)
has "register export --format xlsx: the events sheet has shares_now" '<t>shares_now</t>'
out=$(unzip -p "$work/leave.xlsx" xl/worksheets/sheet3.xml)
has "a leave's count as recorded and as forfeited now" '<c r="G2" s="2"><v>2000</v></c><c r="H2" s="2"><v>4000</v></c>'
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
# Excel's limits: a text longer than a cell holds (32,767 characters), more rows than a sheet
# holds (1,048,576). Refused, exit 2, naming the cell, and nothing written — never a cell
# left empty without a word.
python3 - "$work" <<'EOF'
import sys
work = sys.argv[1]
s = open('examples/iij/fy2024.toml', encoding='utf-8').read()
i = s.index('"D03"'); j = s.index('title', i); k = s.index('\n', j)
open(work + '/long-title.toml', 'w', encoding='utf-8').write(s[:j] + 'title = "' + 'A' * 32768 + '"' + s[k:])
open(work + '/long-comment.toml', 'w', encoding='utf-8').write(s + '# ' + 'y' * 40000 + '\n')
open(work + '/at-limit.toml', 'w', encoding='utf-8').write(s[:j] + 'title = "' + 'é' * 32757 + '"' + s[k:])
EOF
out=$("$hoshu" eval rules/iij --inputs "$work/long-title.toml" --format xlsx --out "$work/long.xlsx" 2>&1); rc=$?
[[ $rc -eq 2 && ! -e "$work/long.xlsx" && "$out" == *"the cell results!J4 (title, director D03) holds 32,768 characters, more than the 32,767 a cell of a workbook holds"* ]]
report "a title longer than a cell holds is refused, naming its cell; nothing written" $((1 - $?))
out=$("$hoshu" eval rules/iij --inputs "$work/long-comment.toml" --format xlsx --out "$work/long.xlsx" 2>&1); rc=$?
[[ $rc -eq 2 && ! -e "$work/long.xlsx" && "$out" == *"the cell inputs!B"*"(text, line "*") holds 40,002 characters"* ]]
report "an inputs line longer than a cell holds is refused, naming its line" $((1 - $?))
out=$("$hoshu" eval rules/iij --inputs "$work/at-limit.toml" --format xlsx --out "$work/at-limit.xlsx" 2>&1); rc=$?
[[ $rc -eq 0 ]] && out=$(unzip -p "$work/at-limit.xlsx" xl/sharedStrings.xml | python3 -c 'import re, sys; print(max(map(len, re.findall("é+", sys.stdin.read()))))')
[[ "$out" == 32757 ]]; report "a title whose inputs line is 32,767 characters (two bytes each) is written whole" $((1 - $?))
cp "$work/g.db" "$work/long-reason.db"
# A reason the register keeps for good that a cell could not hold is refused when it is
# recorded, not when the register is exported (which then could never be).
out=$("$hoshu" register event "$work/long-reason.db" --director D01 --kind clawback --shares 1 --year FY2024 \
  --grant annual_rs_shares --date 2025-08-01 --reason "$(printf 'r%.0s' $(seq 32768))" --by hr 2>&1); rc=$?
[[ $rc -eq 2 && "$out" == *"--reason holds 32,768 characters, more than the 32,767 a workbook cell holds"* ]] &&
  "$hoshu" register export "$work/long-reason.db" --format xlsx --out "$work/long-reason.xlsx" > /dev/null 2>&1
report "register event: a reason longer than a cell holds is refused; the register still exports" $((1 - $?))
python3 -c "
import sys; s = open('examples/iij/fy2024.toml').read(); open(sys.argv[1], 'w').write(s + '#\n' * (1048576 - s.count(chr(10))))" "$work/many.toml"
out=$("$hoshu" eval rules/iij --inputs "$work/many.toml" --format xlsx --out "$work/many.xlsx" 2>&1); rc=$?
[[ $rc -eq 2 && ! -e "$work/many.xlsx" && "$out" == *"the inputs sheet would have 1,048,577 rows, more than the 1,048,576 a worksheet holds"* ]]
report "an inputs file of more lines than a sheet holds (with its header) is refused" $((1 - $?))
exit $fail
