#!/usr/bin/env bash
# Runs the cargo-fuzz targets for a bounded time each (default 60 s): expr_parse, framework_load, csv_parse,
# audit_text.
# Needs cargo-fuzz (cargo install cargo-fuzz). On a stable toolchain RUSTC_BOOTSTRAP=1 enables the
# sanitizer flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
targets=("${@:2}")
[ ${#targets[@]} -gt 0 ] || targets=(expr_parse framework_load csv_parse audit_text)
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "seeds/$target"
  echo "fuzzing $target for ${seconds}s"
  # New inputs go to corpus/ (ignored by git); seeds/ holds the committed starting points.
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
