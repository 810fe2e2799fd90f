#!/usr/bin/env bash
# A school's and a county's report, and a city's re-aggregation, from a province-size database
# against the same from the one-city database (issue 14: a city's work costs a city's time). The province is the bundled
# Ganzhou sample replicated COPIES times under new ids (default 10: 430 schools, ≈130 k values),
# all under one province. Prints each timing (median of RUNS runs) and the ratios.
#
#   scripts/bench-scoped-report.sh [COPIES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-10}"
runs="${2:-5}"
cargo build --release -q -p nianbao-cli
binary="$PWD/target/release/nianbao"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The province: copy k renames every unit below the province `<id>-k` (copy 0 keeps the ids).
python3 scripts/replicate-sample.py "$copies" "$work/province"

for name in city province; do
  data="datasets/ganzhou-sample"
  [ "$name" = province ] && data="$work/province"
  "$binary" db init --db "$work/$name.sqlite" >/dev/null
  "$binary" load "$data" --db "$work/$name.sqlite" >/dev/null
done

median() {
  local label="$1"; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    # A report that fails would time nothing: the script stops, saying so.
    "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; echo "failed: $*" >&2; exit 1; }
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  local middle
  middle=$(sed -n "$(((runs + 1) / 2))p" <<<"$sorted")
  echo "$middle"
}

# The same reports read whole (no --year: the year is found from all the data) in the province,
# for what the scoped read saves.
for org in yudu-s1 yudu; do
  whole=$(median province "$binary" report --db "$work/province.sqlite" --org "$org" --format html --drafts --out "$work/out")
  echo "report of $org read whole from the province database: ${whole} ms"
done
for org in yudu-s1 yudu; do
  one=$(median city "$binary" report --db "$work/city.sqlite" --org "$org" --year 2024 --format html --drafts --out "$work/out")
  many=$(median province "$binary" report --db "$work/province.sqlite" --org "$org" --year 2024 --format html --drafts --out "$work/out")
  echo "report of $org: one-city database ${one} ms, province database (${copies} cities) ${many} ms, ratio $(python3 -c "print(f'{$many/$one:.2f}')")×"
done
# A city's re-aggregation (`aggregate --org ganzhou`): its subtree read and rewritten, in the
# one-city database and in the province; and the province's whole roll-up for comparison.
one=$(median city "$binary" aggregate --year 2024 --org ganzhou --db "$work/city.sqlite")
many=$(median province "$binary" aggregate --year 2024 --org ganzhou --db "$work/province.sqlite")
echo "aggregate of ganzhou: one-city database ${one} ms, province database (${copies} cities) ${many} ms, ratio $(python3 -c "print(f'{$many/$one:.2f}')")×"
whole=$(median province "$binary" aggregate --year 2024 --db "$work/province.sqlite")
echo "aggregate of the whole province database: ${whole} ms"
ls -l "$work"/*.sqlite | awk '{print $5, $9}'
