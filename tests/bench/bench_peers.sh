#!/bin/sh
# Part of make bench: the peers Leye's figures are compared with, on this
# machine in the same run.
#   - nginx with one worker serving a 200-byte JSON file, wrk -t1 with
#     BENCH_CONNECTIONS (64) connections for BENCH_SECONDS (10);
#   - pgbench -S -M prepared (8 clients) and a single-row INSERT (8 clients)
#     on a throwaway PostgreSQL with fsync on, as bench-import's.
# Prints "BENCH name value unit" lines.  A benchmark, not a test.
set -eu
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
tmp=$(mktemp -d /tmp/leye-peers-XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    [ -n "${ngx:-}" ] && kill -TERM "$ngx" 2>/dev/null && wait "$ngx" 2>/dev/null || true
    sh scripts/pglocal.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$nginx" ]; then
    port=$(( 22000 + $$ % 20000 ))
    mkdir -p "$tmp/www" "$tmp/ngx"
    head -c 200 /dev/zero | tr '\0' ' ' | sed 's/^ \{12\}/{"ok": true}/' >"$tmp/www/healthz.json"
    cat >"$tmp/ngx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/ngx/nginx.pid;
error_log $tmp/ngx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/ngx; proxy_temp_path $tmp/ngx; fastcgi_temp_path $tmp/ngx;
    uwsgi_temp_path $tmp/ngx; scgi_temp_path $tmp/ngx;
    server {
        listen 127.0.0.1:$port;
        location / { root $tmp/www; default_type application/json; }
    }
}
CONF
    "$nginx" -c "$tmp/ngx/nginx.conf" -p "$tmp/ngx" >/dev/null 2>&1 &
    ngx=$!
    i=0
    until curl -fsS "http://127.0.0.1:$port/healthz.json" >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/ngx/error.log"; exit 1; }; sleep 0.1
    done
    wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/healthz.json" >"$tmp/wrk.txt" 2>&1
    awk '/^Requests\/sec/ {print "BENCH peer_nginx_rps " $2 " req/s"}' "$tmp/wrk.txt"
    kill -TERM "$ngx" && wait "$ngx" 2>/dev/null || true
    ngx=
else
    echo "nginx is not installed: no nginx figure" >&2
fi

sh scripts/pglocal.sh start "$tmp/pg" >/dev/null
pg() { pgbench -h "$tmp/pg" -U leye "$@" leye; }
pg -i -q -s 10 >/dev/null 2>&1
pg -S -M prepared -c 8 -j 2 -T "$secs" 2>/dev/null |
    awk '/^tps/ {print "BENCH peer_pgbench_select_tps " $3 " tps"; exit}'
psql -X -q -h "$tmp/pg" -U leye -d leye -c 'CREATE TABLE peer_insert (id bigserial PRIMARY KEY, a int, b text)'
echo 'INSERT INTO peer_insert (a, b) VALUES (:client_id, repeat(chr(65 + :client_id), 40));' >"$tmp/insert.sql"
pg -n -f "$tmp/insert.sql" -M prepared -c 8 -j 2 -T "$secs" 2>/dev/null |
    awk '/^tps/ {print "BENCH peer_pgbench_insert_tps " $3 " tps"; exit}'
