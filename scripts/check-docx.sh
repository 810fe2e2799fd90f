#!/usr/bin/env bash
# Opens the demo report's DOCX in LibreOffice (headless), converts it to PDF and renders a few
# pages to PNG for a look: the contents with page numbers, 表 2 with its grouped header, an
# appendix page whose header row repeats. Needs libreoffice-writer-nogui and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/demo}"
[ -f "$out/ganzhou-2024.docx" ] || cargo run --release -p nianbao-cli -- demo --out "$out"
soffice --headless --convert-to pdf --outdir "$out/libreoffice" "$out/ganzhou-2024.docx" >/dev/null
pdfinfo "$out/libreoffice/ganzhou-2024.pdf" | grep Pages
for page in 2 7 18; do
  pdftoppm -png -r 60 -f "$page" -l "$page" "$out/libreoffice/ganzhou-2024.pdf" "$out/libreoffice/page"
done
ls "$out/libreoffice"/page-*.png
