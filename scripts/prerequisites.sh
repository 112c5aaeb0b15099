#!/usr/bin/env bash
# Installs what the test suite needs and the machine lacks, on Debian or Ubuntu: the PostgreSQL
# server binaries (the tests start their own cluster), Chromium (pages are tested in a real
# headless browser, and reports are printed to PDF with it), poppler's pdftotext (PDFs are
# checked by their text), a font for the browser to draw text with and the TypeScript compiler
# (the generated client types are compiled with tsc).
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v postgres >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  missing+=(chromium)
fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v tsc >/dev/null 2>&1 || missing+=(node-typescript)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
