#!/usr/bin/env bash
# Times the full Ganzhou 2024 report in every format (HTML, Markdown, DOCX, PDF, XLSX) from a
# release binary: five runs, wall-clock seconds and peak memory of each.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p nianbao-cli
out=$(mktemp -d)
./target/release/nianbao report --dataset datasets/ganzhou --year 2024 --out "$out" >/dev/null 2>&1  # warm the font cache
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "%e s wall, %M KB peak" ./target/release/nianbao report --dataset datasets/ganzhou --year 2024 --out "$out" 2>&1 >/dev/null | tail -n 1
done
rm -rf "$out"
