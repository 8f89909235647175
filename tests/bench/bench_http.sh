#!/bin/sh
# make bench-http: the server on loopback against a throwaway PostgreSQL,
# driven by wrk with 64 connections, for GET /healthz and for a database read.
# Prints req/s and p50/p99 latency.  A benchmark, not a test: figures only.
set -eu
bin=${1:?usage: bench_http.sh path/to/leye-server}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
tmp=$(mktemp -d /tmp/leye-bench-XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    sh scripts/pglocal.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
sh scripts/pglocal.sh start "$tmp/pg" fast
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh url "$tmp/pg")
export LEYE_DATABASE_URL
LEYE_PII_KEY=$(od -An -v -t x1 -N 32 /dev/urandom | tr -d ' \n')
export LEYE_PII_KEY
"$bin" migrate >/dev/null 2>&1
port=$(( 20000 + $$ % 20000 ))
LEYE_PORT=$port LEYE_LOG_LEVEL=${LEYE_LOG_LEVEL:-info} "$bin" serve >"$tmp/server.log" 2>&1 &
pid=$!
i=0
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/server.log"; exit 1; }; sleep 0.1
done
echo "leye-server $("$bin" version | cut -d' ' -f2), $(nproc) cores, wrk -t1 -c$conns -d${secs}s, request log at ${LEYE_LOG_LEVEL:-info}"
printf '%-28s %12s %10s %10s %8s\n' endpoint req/s p50 p99 errors
for path in /healthz /v1/regions/530102; do
    wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port$path" >"$tmp/wrk.txt" 2>&1
    rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
    errs=$(awk '/Non-2xx|Socket errors/ {s = s $0 "; "} END {print (s == "" ? "0" : s)}' "$tmp/wrk.txt")
    printf '%-28s %12s %10s %10s %8s\n' "GET $path" "$rps" "$p50" "$p99" "$errs"
    case $path in /healthz) name=http_healthz_rps ;; *) name=http_db_read_rps ;; esac
    echo "BENCH $name $rps req/s"
done
