#!/usr/bin/env bash
# The documents in a real browser: `hoshu report` (and `hoshu doc` when built) rendered by
# headless Chromium to PDF, the PDF's text read back with pdftotext — the seal, D03's
# 4,846 RS II shares of FY2024 with the figures they come from, the Japanese source text,
# the page count — and a screenshot checked loosely (its size, and that it is not blank),
# so that a broken stylesheet or a missing font is noticed. The literate plan's params and
# tests, and the histogram of `simulate --against`, the same way.
# Without chromium or pdftotext the test is skipped (exit 77), never passed.
set -uo pipefail
hoshu=$1
hoshu=$(cd "$(dirname "$hoshu")" && pwd)/$(basename "$hoshu")
for tool in chromium pdftotext pdfinfo; do
  if ! command -v "$tool" > /dev/null; then
    echo "SKIP: $tool is not installed (scripts/install-deps.sh installs it)"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
# contains NAME FILE TEXT: the text (spaces as pdftotext lays them out collapsed) holds TEXT.
contains() {
  if tr -s ' \n' ' ' < "$2" | grep -qF -- "$3"; then ok "$1"; else bad "$1: no \"$3\" in $2"; fi
}
# Chromium, headless, as root in CI: no sandbox. Its own profile, nothing from the network.
browse() {
  timeout 120 chromium --headless --disable-gpu --no-sandbox --no-first-run --no-default-browser-check \
    --user-data-dir="$work/profile" --disable-dev-shm-usage --hide-scrollbars "$@" > "$work/chromium.log" 2>&1
}
# png_size FILE: "WIDTH HEIGHT" from the PNG header.
png_size() {
  local w h
  w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  echo "$w $h"
}

# The working paper of FY2024: every director, one page break each.
"$hoshu" report rules/iij --inputs examples/iij/fy2024.toml --out "$work/report.html" \
  || { bad "hoshu report"; exit 1; }
browse --print-to-pdf="$work/report.pdf" --no-pdf-header-footer "file://$work/report.html"
if [[ ! -s "$work/report.pdf" ]]; then
  bad "chromium printed no PDF"; cat "$work/chromium.log"; exit 1
fi
pdftotext -layout "$work/report.pdf" "$work/report.txt"
rules_sha=$("$hoshu" seal rules/iij | sha256sum | cut -d' ' -f1)
inputs_sha=$(sha256sum examples/iij/fy2024.toml | cut -d' ' -f1)
contains "the seal's rules hash" "$work/report.txt" "$rules_sha"
contains "the seal's inputs hash" "$work/report.txt" "$inputs_sha"
contains "the command that reproduces it" "$work/report.txt" "hoshu report rules/iij --inputs examples/iij/fy2024.toml"
contains "D03's annual RS shares" "$work/report.txt" "annual_rs_shares output = 4,846 shares"
contains "the rounding that gives them" "$work/report.txt" "round down to 1 share: 5800960/1197 ≈ 4846.248956 → 4,846"
contains "the base pay they start from" "$work/report.txt" "base_comp value = 16,000,000 JPY"
contains "the base price, from the share price series" "$work/report.txt" "last share_price before 2024-04-01: 2,850 on 2024-03-29"
contains "an input traced to its TOML line" "$work/report.txt" "examples/iij/fy2024.toml:"
contains "Japanese source text" "$work/report.txt" "基準報酬は、月額固定報酬の4か月分を目処として"
contains "the running header on a later page" "$work/report.txt" "seal: rules ${rules_sha:0:16}"
contains "the index of clauses" "$work/report.txt" "Index of clauses"
pages=$(pdfinfo "$work/report.pdf" | awk '/^Pages:/ {print $2}')
directors=$(grep -c '^id *=' examples/iij/fy2024.toml)
# At least the title page, a page per director and the index.
if [[ -n "$pages" && "$pages" -ge $((directors + 2)) ]]; then ok "page count $pages (≥ $((directors + 2)))";
else bad "page count $pages, want at least $((directors + 2))"; fi
# The running header is on every page.
headers=$(grep -c "seal: rules ${rules_sha:0:16}" "$work/report.txt")
if [[ "$headers" -eq "$pages" ]]; then ok "a running header on each of the $pages pages";
else bad "the running header is on $headers of $pages pages"; fi

# A screenshot of D03's working paper: the width asked for, and not blank.
"$hoshu" report rules/iij --inputs examples/iij/fy2024.toml --director D03 --out "$work/d03.html" \
  || { bad "hoshu report --director D03"; exit 1; }
browse --screenshot="$work/d03.png" --window-size=1000,1400 "file://$work/d03.html"
if [[ -s "$work/d03.png" ]]; then
  read -r w h <<< "$(png_size "$work/d03.png")"
  [[ "$w" == 1000 && "$h" == 1400 ]] && ok "screenshot 1000×1400" || bad "screenshot is ${w}×${h}"
  # A blank page of that size compresses to a few kilobytes; a page of text and tables does not.
  size=$(stat -c %s "$work/d03.png")
  [[ "$size" -gt 40000 ]] && ok "screenshot not blank ($size bytes)" || bad "screenshot blank? $size bytes"
else
  bad "chromium took no screenshot"; cat "$work/chromium.log"
fi

# The literate plan, when this build has `hoshu doc`.
if "$hoshu" doc --help > /dev/null 2>&1; then
  "$hoshu" doc rules/iij --out "$work/doc.html" || bad "hoshu doc"
  browse --print-to-pdf="$work/doc.pdf" --no-pdf-header-footer "file://$work/doc.html"
  if [[ -s "$work/doc.pdf" ]]; then
    pdftotext -layout "$work/doc.pdf" "$work/doc.txt"
    contains "doc: the plan's title" "$work/doc.txt" "IIJ 取締役報酬制度"
    contains "doc: Japanese clause text" "$work/doc.txt" "基準報酬は、月額固定報酬の4か月分を目処として"
    contains "doc: a table" "$work/doc.txt" "achievement_coefficient"
    contains "doc: a param's dated version (value, from, to, clause)" "$work/doc.txt" "140,000 shares 2024-06-01 — C2"
    contains "doc: a test's inputs" "$work/doc.txt" "inputs rules/iij/tests/board.toml"
    contains "doc: a test's expectation (output, value)" "$work/doc.txt" "director_cash_yen 600,000,000 JPY"
    contains "doc: a test's expected violation" "$work/doc.txt" "director_cash a violation"
    doc_pages=$(pdfinfo "$work/doc.pdf" | awk '/^Pages:/ {print $2}')
    [[ -n "$doc_pages" && "$doc_pages" -ge 3 ]] && ok "doc: $doc_pages pages" || bad "doc: $doc_pages pages"
  else
    bad "chromium printed no PDF of the doc"; cat "$work/chromium.log"
  fi
fi

# The histogram of simulate --against: printed, its text has the legend and the limit's
# label; a screenshot is not blank.
"$hoshu" simulate rules/iij --inputs examples/iij/fy2024.toml --model examples/iij/model.toml --paths 300 --seed 7 \
  --against rules/iij-2023 --out "$work/against.txt" --histogram "$work/against.svg" || bad "simulate --against"
browse --print-to-pdf="$work/against.pdf" --no-pdf-header-footer "file://$work/against.svg"
if [[ -s "$work/against.pdf" ]]; then
  pdftotext -layout "$work/against.pdf" "$work/against-pdf.txt"
  contains "histogram: the base plan in the legend" "$work/against-pdf.txt" "base: rules/iij-2023"
  contains "histogram: Japanese text of the legend" "$work/against-pdf.txt" "取締役報酬制度"
  contains "histogram: the share limit's line label" "$work/against-pdf.txt" "limit rs_share_count 140,000"
else
  bad "chromium printed no PDF of the histogram"; cat "$work/chromium.log"
fi
browse --screenshot="$work/against.png" --window-size=1000,800 "file://$work/against.svg"
if [[ -s "$work/against.png" ]]; then
  size=$(stat -c %s "$work/against.png")
  [[ "$size" -gt 30000 ]] && ok "histogram screenshot not blank ($size bytes)" || bad "histogram screenshot blank? $size bytes"
else
  bad "chromium took no screenshot of the histogram"; cat "$work/chromium.log"
fi
exit $fail
