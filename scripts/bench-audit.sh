#!/usr/bin/env bash
# Times `nianbao audit` on the Ganzhou 2024 report as nianbao prints it (PDF, DOCX, Markdown) from
# a release binary, beside the reference run of the same machine: Poppler's `pdftotext -layout`
# alone on the same PDF (the extraction the audit builds on). Reports the ratio audit / extraction.
# Needs hyperfine and poppler-utils (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p nianbao-cli
out=$(mktemp -d)
./target/release/nianbao report --dataset datasets/ganzhou --year 2024 --format pdf,docx,md --out "$out" >/dev/null
hyperfine -N --warmup 3 --runs 20 -i \
  "pdftotext -layout $out/ganzhou-2024.pdf /dev/null" \
  "./target/release/nianbao audit $out/ganzhou-2024.pdf" \
  "./target/release/nianbao audit $out/ganzhou-2024.docx" \
  "./target/release/nianbao audit $out/ganzhou-2024.md"
rm -rf "$out"
