#!/bin/sh
# make bench-import: imports BENCH_ROWS (100,000) workers (and their
# households) from CSV through the API on a throwaway PostgreSQL, then the same
# file again (nothing changes), and prints rows/s with the CPU time of the
# server and of PostgreSQL and the WAL each import wrote.
set -eu
bin=${1:?usage: bench_import.sh path/to/leye-server}
rows=${BENCH_ROWS:-100000}
tmp=$(mktemp -d /tmp/leye-bench-XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    sh scripts/pglocal.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
sh scripts/pglocal.sh start "$tmp/pg" >/dev/null
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh url "$tmp/pg")
LEYE_PII_KEY=$(od -An -v -t x1 -N 32 /dev/urandom | tr -d ' \n')
export LEYE_DATABASE_URL LEYE_PII_KEY
"$bin" migrate >/dev/null 2>&1
PW=bench-password-1 "$bin" admin create-user --username=bench --role=admin --password-env=PW >/dev/null
port=$(( 20000 + $$ % 20000 ))
# the server works as leye_app, as deployed (docs/deploy.md); the owner migrates
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh app-url "$tmp/pg") LEYE_DATABASE_OWNER_URL=$LEYE_DATABASE_URL LEYE_MIGRATE_ON_START=false LEYE_PORT=$port LEYE_LOG_LEVEL=warn "$bin" serve >"$tmp/server.log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
url="http://127.0.0.1:$port"
token=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
    "$url/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"bench","county_code":530621,"kind":"urban_centralized"}' "$url/v1/sites" >/dev/null
perl tests/bench/gen_import.pl "$tmp" "$rows"
pm=$(head -n 1 "$tmp/pg/data/postmaster.pid")
hz=$(getconf CLK_TCK)
# CPU seconds of the server, and of PostgreSQL: its live processes and the
# ones that have ended
cpu_server() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat"; }
cpu_pg() {
    { cat "/proc/$pm/stat"; for c in $(pgrep -P "$pm"); do cat "/proc/$c/stat" 2>/dev/null; done; } |
        awk -v pm="$pm" -v hz="$hz" '$1 == pm { s += $16 + $17 } $1 != pm { s += $14 + $15 } END { printf "%.2f", s / hz }'
}
# the WAL position now, and the bytes of WAL written since position $1
wal_lsn() { psql -X -q -tA -d "$LEYE_DATABASE_URL" -c 'SELECT pg_current_wal_lsn()'; }
wal_since() { psql -X -q -tA -d "$LEYE_DATABASE_URL" -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$1')"; }
post() {
    s0=$(cpu_server) p0=$(cpu_pg) w0=$(wal_lsn)
    start=$(date +%s.%N)
    curl -sS -o "$tmp/out.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: text/csv' --data-binary "@$tmp/$1" "$url/v1/imports/$2?mode=valid_rows" >"$tmp/code"
    end=$(date +%s.%N)
    sleep 0.2 # the pool's backend is idle again
    s1=$(cpu_server) p1=$(cpu_pg) wal=$(wal_since "$w0")
    n=$(($(wc -l <"$tmp/$1") - 1))
    summary=$(sed -n 's/.*"created":\([0-9]*\),"updated":\([0-9]*\),"unchanged":\([0-9]*\).*/created \1, updated \2, unchanged \3/p' "$tmp/out.json")
    awk -v s="$start" -v e="$end" -v n="$n" -v what="$3" -v code="$(cat "$tmp/code")" -v sum="$summary" \
        -v s0="$s0" -v s1="$s1" -v p0="$p0" -v p1="$p1" -v wal="$wal" \
        'BEGIN { printf "%-34s %7d rows %7.2f s %9.0f rows/s  HTTP %s  %s\n%34s CPU: server %.2f s, PostgreSQL %.2f s; WAL %.0f MB (%.1f kB a row)\n",
                 what, n, e - s, n / (e - s), code, sum, "", s1 - s0, p1 - p0, wal / 1048576, wal / 1024 / n }'
    [ -z "${4:-}" ] || awk -v s="$start" -v e="$end" -v n="$n" -v name="$4" \
        'BEGIN { printf "BENCH %s %.0f rows/s\n", name, n / (e - s) }'
}
echo "CSV import through POST /v1/imports/… ($(nproc) cores)"
post households.csv households "households"
post workers.csv workers "workers (new)" import_workers_rows_per_s
post workers.csv workers "workers (same file again)"
