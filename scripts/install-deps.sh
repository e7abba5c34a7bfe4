#!/usr/bin/env bash
# Install the Debian packages hoshu builds with, if any is missing.
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

packages=(
  cmake make g++ pkg-config
  libboost-dev          # Spirit X3, Multiprecision (header-only)
  libfmt-dev
  libtomlplusplus-dev
  libcli11-dev
  nlohmann-json3-dev
  libssl-dev            # libcrypto: SHA-256 for the seal
  libsqlite3-dev        # the grant register
  libxlsxwriter-dev     # --format xlsx
  libicu-dev            # ICU: texts compared in Unicode NFC (dsl/base/unicode.cpp)
  sqlite3               # the sqlite3 shell: tests/cli/register.sh edits a register behind hoshu's back
  unzip                 # tests/cli read the sheets of an xlsx workbook
  catch2                # Catch2 v2
  libbenchmark-dev      # Google Benchmark
  time                  # /usr/bin/time: peak memory in tests/cli/batch.sh
  chromium              # headless: tests/cli/browser.sh prints the HTML documents to PDF
  poppler-utils         # pdftotext, pdfinfo: the printed documents' text and page count
  fonts-noto-cjk        # Japanese in the printed documents and the SVG charts
)
# `install-deps.sh fuzz`: also clang and its sanitizer runtimes, for fuzz/.
if [[ "${1:-}" == fuzz ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
names=()
for p in "${packages[@]}"; do
  case "$p" in \#*) continue ;; esac
  names+=("$p")
done

missing=()
for p in "${names[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "hoshu needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
