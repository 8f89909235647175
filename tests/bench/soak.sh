#!/bin/sh
# make soak: SOAK_SECONDS (600) of mixed load at a steady rate on the demo
# data (reads, lists, matches, writes); prints resident memory at start and
# end, answers other than 2xx and latency.  Not part of make test.
set -eu
bin=${1:?usage: soak.sh path/to/leye-server}
secs=${SOAK_SECONDS:-600}
tmp=$(mktemp -d /tmp/leye-soak-XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    sh scripts/pglocal.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
sh scripts/pglocal.sh start "$tmp/pg" >/dev/null
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh url "$tmp/pg")
LEYE_PII_KEY=$(od -An -v -t x1 -N 32 /dev/urandom | tr -d ' \n')
export LEYE_DATABASE_URL LEYE_PII_KEY
"$bin" migrate >/dev/null 2>&1
"$bin" demo >/dev/null 2>&1
q() { psql -X -q -tA -d "$LEYE_DATABASE_URL" -c "$1"; }
LEYE_VACANCIES=$(q "SELECT string_agg(id::text, ',') FROM vacancy WHERE status = 'open'")
LEYE_WORKERS=$(q "SELECT string_agg(id::text, ',') FROM (SELECT id FROM worker WHERE employment_status = 'seeking' ORDER BY id LIMIT 500) w")
export LEYE_VACANCIES LEYE_WORKERS
PW=soak-password-123 "$bin" admin create-user --username=soak --role=admin --password-env=PW >/dev/null
port=$(( 20000 + $$ % 20000 ))
# the server works as leye_app, as deployed (docs/deploy.md); the owner migrates
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh app-url "$tmp/pg") LEYE_DATABASE_OWNER_URL=$LEYE_DATABASE_URL LEYE_MIGRATE_ON_START=false LEYE_PORT=$port LEYE_LOG_LEVEL=warn "$bin" serve >"$tmp/server.log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done  # index loaded too
LEYE_TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"soak","password":"soak-password-123"}' \
    "http://127.0.0.1:$port/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
export LEYE_TOKEN
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
# warm up, then measure
wrk -t1 -c32 -d60s -s tests/bench/soak.lua "http://127.0.0.1:$port" >/dev/null 2>&1
start=$(rss)
wrk -t1 -c32 -d"${secs}s" --latency -s tests/bench/soak.lua "http://127.0.0.1:$port" >"$tmp/wrk.txt" 2>&1
end=$(rss)
echo "soak: ${secs} s of mixed load on the demo data (30% reads, 20% lists, 30% matches, 20% writes), 32 connections, 5 ms think time"
grep -E "Requests/sec|^ +(50|99)%|answers other|Non-2xx" "$tmp/wrk.txt" | sed 's/^/  /'
awk -v s="$start" -v e="$end" 'BEGIN { printf "  resident memory: %d KiB at start, %d KiB at end (%+.1f%%)\n", s, e, (e - s) * 100.0 / s }'
