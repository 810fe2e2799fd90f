#!/usr/bin/env bash
# Bounded load test of the save-a-value endpoint (PUT /api/v1/…/values/{indicator}) on loopback:
# a release server on a fresh demo SQLite database, 100 API sessions (one token each, spread over
# the 43 sample schools), wrk with 100 connections for DURATION seconds. Prints requests/s and
# latency percentiles; the figures belong in the closing note, not in a test.
#
#   scripts/load-test.sh            # 100 connections, 20 s
#   CONNECTIONS=50 DURATION=10 scripts/load-test.sh
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/nianbao_load scripts/load-test.sh   # PostgreSQL (its public schema is recreated)
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-100}
DURATION=${DURATION:-20}
THREADS=${THREADS:-2}
PORT=${PORT:-8181}
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
cargo build --release -p nianbao-cli >/dev/null
BIN=target/release/nianbao
WORK=out/load-test
rm -rf "$WORK" && mkdir -p "$WORK"
if [ -n "${DATABASE_URL:-}" ]; then
  psql "$DATABASE_URL" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  LOCATION=(--database-url "$DATABASE_URL")
  SEED=(--demo --database-url "$DATABASE_URL")
else
  LOCATION=(--db "$WORK/load.sqlite")
  SEED=(--demo --db "$WORK/load.sqlite")
fi
# Seed the demo database, then stop: tokens are added while no server runs.
"$BIN" serve "${SEED[@]}" --bind 127.0.0.1:$PORT > "$WORK/seed.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break; sleep 0.5; done
kill $SERVER; wait $SERVER 2>/dev/null || true
schools=$(grep ',school,' datasets/ganzhou-sample/orgs.csv | cut -d, -f1)
mapfile -t school_list <<< "$schools"
: > "$WORK/sessions.txt"
for i in $(seq 0 $((CONNECTIONS - 1))); do
  school=${school_list[$((i % ${#school_list[@]}))]}
  token=$("$BIN" user token "$school" --label "load-$i" "${LOCATION[@]}")
  echo "$school $token" >> "$WORK/sessions.txt"
done
NIANBAO_LOG=warn "$BIN" serve "${LOCATION[@]}" --year 2024 --bind 127.0.0.1:$PORT > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break; sleep 0.5; done
cat > "$WORK/save.lua" <<'LUA'
-- Each request saves one value as one of the sessions: PUT with overwrite (last writer wins).
local sessions = {}
for line in io.lines("out/load-test/sessions.txt") do
  local school, token = line:match("(%S+) (%S+)")
  sessions[#sessions + 1] = { school = school, token = token }
end
local indicators = { "t1.enrolled", "t1.new_entrants", "a1.graduates", "a1.graduates_placed", "a1.further_study" }
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local session = sessions[(counter * 7 + thread_id) % #sessions + 1]
  local indicator = indicators[(counter + thread_id) % #indicators + 1]
  local body = string.format('{"value": "%d", "overwrite": true}', 1000 + counter % 500)
  return wrk.format("PUT", "/api/v1/orgs/" .. session.school .. "/years/2024/values/" .. indicator,
    { ["Authorization"] = "Bearer " .. session.token, ["Content-Type"] = "application/json" }, body)
end
local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 and not printed then
    printed = true
    io.write("first non-200 response: " .. status .. " " .. body .. "\n")
  end
end
function done(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.0f req/s; errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
LUA
# A check that one save works before measuring.
read -r school token < "$WORK/sessions.txt"
curl -fsS -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"value": "1234", "overwrite": true}' "http://127.0.0.1:$PORT/api/v1/orgs/$school/years/2024/values/t1.enrolled"
echo
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/save.lua" "http://127.0.0.1:$PORT" | tee "$WORK/wrk.txt"
