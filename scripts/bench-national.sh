#!/usr/bin/env bash
# National scale (issue 14): a synthetic nation of COPIES cities (default 200: 8,600 schools,
# ≈2.6 M values; the Ganzhou sample replicated under new ids, over PROVINCES provinces) measured
# in one run against references run beside it on the same files:
#   - bulk load into SQLite and PostgreSQL (`nianbao load`) against sqlite3's `.import` and
#     PostgreSQL's COPY of the same values CSV into a plain table with a unique key, with the
#     database size against the plain table's and the load's peak memory;
#   - the national roll-up (`nianbao aggregate`) against DuckDB reading the same CSVs and rolling
#     them up to every level (from a venv this script creates);
#   - a city's aggregate and a school's report in the national database against the same in the
#     one-city database (SQLite);
#   - the review list, the editor and a trend page served from the national database, under load
#     (wrk on loopback, SQLite).
# Prints every figure and ratio. Needs sqlite3, psql (PostgreSQL on 127.0.0.1:5432, trust auth)
# and wrk (apt-get install sqlite3 wrk); python3 with venv for DuckDB.
#
#   scripts/bench-national.sh [COPIES] [PROVINCES]
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-200}"
provinces="${2:-20}"
url="${NIANBAO_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
cargo build --release -q -p nianbao-cli
binary="$PWD/target/release/nianbao"
work=$(mktemp -d)
schema="nianbao_bench_$$"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  psql "$url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; DROP SCHEMA IF EXISTS ${schema}_plain CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

python3 scripts/replicate-sample.py "$copies" "$work/nation" --provinces "$provinces"
values=$(($(wc -l <"$work/nation/values.csv") - 1))
schools=$(grep -c ',school,' "$work/nation/orgs.csv")
echo "synthetic nation: $copies cities, $schools schools, $values values"

# --- bulk load, SQLite -------------------------------------------------------------------------
"$binary" db init --db "$work/nation.sqlite" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time" "$binary" load "$work/nation" --db "$work/nation.sqlite" >/dev/null 2>"$work/load.err"
read -r load_s load_kb <"$work/time"
start=$(now_ms)
sqlite3 "$work/plain.sqlite" <<SQL
CREATE TABLE value (org TEXT NOT NULL, year INTEGER NOT NULL, indicator TEXT NOT NULL, value TEXT NOT NULL, note TEXT, PRIMARY KEY (org, year, indicator)) WITHOUT ROWID;
.import --csv --skip 1 $work/nation/values.csv value
SQL
import_ms=$(($(now_ms) - start))
size=$(stat -c %s "$work/nation.sqlite")
plain=$(stat -c %s "$work/plain.sqlite")
echo "SQLite load: nianbao ${load_s} s (peak $((load_kb / 1024)) MB), sqlite3 .import ${import_ms} ms: $(ratio "$load_s*1000" "$import_ms")×"
echo "SQLite size: nianbao $((size / 1048576)) MB, plain table $((plain / 1048576)) MB: $(ratio "$size" "$plain")×"

# --- bulk load, PostgreSQL ---------------------------------------------------------------------
pg="$url?options=-csearch_path%3D$schema"
[[ "$url" == *\?* ]] && pg="$url&options=-csearch_path%3D$schema"
psql "$url" -qc "CREATE SCHEMA $schema; CREATE SCHEMA ${schema}_plain" >/dev/null
"$binary" db init --database-url "$pg" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time" "$binary" load "$work/nation" --database-url "$pg" >/dev/null 2>"$work/load.err"
read -r pg_load_s pg_load_kb <"$work/time"
start=$(now_ms)
psql "$url" -q <<SQL
CREATE TABLE ${schema}_plain.value (org TEXT NOT NULL, year BIGINT NOT NULL, indicator TEXT NOT NULL, value TEXT NOT NULL, note TEXT, PRIMARY KEY (org, year, indicator));
\\copy ${schema}_plain.value FROM '$work/nation/values.csv' WITH (FORMAT csv, HEADER true)
SQL
copy_ms=$(($(now_ms) - start))
pg_size=$(psql "$url" -Atc "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind = 'r'")
pg_plain=$(psql "$url" -Atc "SELECT pg_total_relation_size('${schema}_plain.value')")
echo "PostgreSQL load: nianbao ${pg_load_s} s (peak $((pg_load_kb / 1024)) MB), COPY ${copy_ms} ms: $(ratio "$pg_load_s*1000" "$copy_ms")×"
echo "PostgreSQL size: nianbao $((pg_size / 1048576)) MB, plain table $((pg_plain / 1048576)) MB: $(ratio "$pg_size" "$pg_plain")×"

# --- national roll-up --------------------------------------------------------------------------
start=$(now_ms)
"$binary" aggregate --year 2024 --db "$work/nation.sqlite" >/dev/null
aggregate_ms=$(($(now_ms) - start))
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check duckdb
duck_ms=$("$work/venv/bin/python" - "$work/nation" <<'PY'
import sys, time, duckdb
folder = sys.argv[1]
start = time.perf_counter()
con = duckdb.connect()
con.execute(f"CREATE TABLE orgs AS SELECT * FROM read_csv('{folder}/orgs.csv', all_varchar=true)")
con.execute(f"CREATE TABLE v AS SELECT * FROM read_csv('{folder}/values.csv', all_varchar=true)")
# Every school with each of its ancestors, then the sum of each indicator per ancestor.
rows = con.execute("""
WITH RECURSIVE up(school, ancestor) AS (
  SELECT id, parent FROM orgs WHERE level = 'school'
  UNION ALL SELECT up.school, o.parent FROM up JOIN orgs o ON o.id = up.ancestor WHERE o.parent IS NOT NULL AND o.parent <> ''
)
SELECT up.ancestor, v.indicator, sum(TRY_CAST(v.value AS DECIMAL(38, 6))) FROM v JOIN up ON up.school = v.org
WHERE v.year = '2024' GROUP BY ALL
""").fetchall()
print(round((time.perf_counter() - start) * 1000))
PY
)
echo "national roll-up of 2024: nianbao aggregate ${aggregate_ms} ms, DuckDB read + roll-up ${duck_ms} ms: $(ratio "$aggregate_ms" "$duck_ms")×"

# --- a city's work in the national database against the one-city database ----------------------
"$binary" db init --db "$work/city.sqlite" >/dev/null
"$binary" load datasets/ganzhou-sample --db "$work/city.sqlite" >/dev/null
median() {
  local times=()
  for _ in 1 2 3; do
    local start
    start=$(now_ms)
    "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; echo "failed: $*" >&2; exit 1; }
    times+=($(($(now_ms) - start)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}
# Copy k of the sample (k ≥ 1) is one city of the nation under ids ending in -k.
k=$((copies > 7 ? 7 : copies - 1))
for job in "aggregate --year 2024 --org ganzhou-$k" "report --org yudu-s1-$k --year 2024 --format html --drafts --out $work/out"; do
  one_job=${job//-$k/}
  one=$(median "$binary" $one_job --db "$work/city.sqlite")
  many=$(median "$binary" $job --db "$work/nation.sqlite")
  echo "${job%% *} of one city's unit: one-city database ${one} ms, national database ${many} ms: $(ratio "$many" "$one")×"
done

# --- pages under load ----------------------------------------------------------------------------
export NIANBAO_PASSWORD="synthetic-bench-7f3k9q"
"$binary" user add bench-city --role city --org "ganzhou-$k" --db "$work/nation.sqlite" >/dev/null
"$binary" user add bench-admin --role admin --org cn --db "$work/nation.sqlite" >/dev/null
port=18181
"$binary" serve --db "$work/nation.sqlite" --bind "127.0.0.1:$port" --year 2024 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.2; done
session() {
  local jar="$work/jar-$1"
  curl -s -c "$jar" -o "$work/login.html" "http://127.0.0.1:$port/login"
  local csrf
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$work/login.html" | head -1 | sed 's/.*value="//; s/"$//')
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=$1" --data-urlencode "password=$NIANBAO_PASSWORD" \
    --data-urlencode "csrf=$csrf" "http://127.0.0.1:$port/login"
  grep -o 'nianbao_session[[:space:]]*[^[:space:]]*' "$jar" | awk '{print $2}'
}
for who in bench-city bench-admin; do
  cookie=$(session "$who")
  [ -n "$cookie" ] || { echo "could not sign in as $who" >&2; exit 1; }
  declare "cookie_${who#bench-}=$cookie"
done
page() {
  local label="$1" cookie="$2" path="$3"
  local status first
  # The first request (the review list checks every return of the scope once; later requests
  # reuse the checks while the data is unchanged).
  read -r status first < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "nianbao_session=$cookie" "http://127.0.0.1:$port$path")
  [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
  wrk -t2 -c4 -d10s --latency -H "Cookie: nianbao_session=$cookie" "http://127.0.0.1:$port$path" >"$work/wrk"
  local rate p50 p99
  rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk")
  echo "$label ($path): first request ${first} s; then ${rate} requests/s, median ${p50}, 99% ${p99}"
}
page "city review list" "$cookie_city" "/app/review"
page "city editor" "$cookie_city" "/app/editor/ganzhou-$k"
page "national review list, one page of $schools" "$cookie_admin" "/app/review"
page "trend page of the nation" "" "/data/cn/t1.enrolled"
