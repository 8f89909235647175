#!/bin/sh
# make bench-http: the server on loopback against a throwaway PostgreSQL, its
# peers beside it in the same run, each figure the median of BENCH_REPEAT runs:
#
#   GET /healthz, keep-alive and pipelined (BENCH_PIPELINE requests a write),
#   with one event loop (LEYE_THREADS=1) pinned to core 0 and wrk (one
#   thread, BENCH_CONNECTIONS connections) pinned to core 1; nginx, one
#   worker on core 0, serving a file with the same body, the same way;
#
#   GET /v1/workers/{id} as county staff (a session token, the row-level
#   scope of a county, the answer shaped for staff), the same setup, beside
#   pgbench -S -M prepared with as many clients as the server has database
#   connections (LEYE_DB_POOL_SIZE), pgbench on core 1: one worker read over
#   and over (worker_read), and BENCH_WORKERS workers with a skill each read
#   in random order (worker_read_many).  Beside req/s: the server's and the
#   database's CPU time per request (all the cluster's processes).
#
# Prints a table, then one "BENCH name value unit" line per figure and ratio
# for make bench.  Beside req/s it gives each server's CPU time per /healthz
# request (from /proc), the steadier figure on a machine doing other work:
# at one saturated core the throughput ratio is the inverse CPU ratio.  A benchmark, not a test: figures only.  Needs two cores.
set -eu
bin=${1:?usage: bench_http.sh path/to/leye-server}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
repeat=${BENCH_REPEAT:-3}
depth=${BENCH_PIPELINE:-16}
pool=${LEYE_DB_POOL_SIZE:-8}
tmp=$(mktemp -d /tmp/leye-bench-XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [ -n "${npid:-}" ] && kill -QUIT "$npid" 2>/dev/null && wait "$npid" 2>/dev/null || true
    sh scripts/pglocal.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for tool in wrk nginx pgbench taskset curl; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
        { echo "bench_http: $tool is missing (make deps)" >&2; exit 1; }
done
server_core=0
client_core=1
[ "$(nproc)" -ge 2 ] || client_core=0

sh scripts/pglocal.sh start "$tmp/pg" fast
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh url "$tmp/pg")
export LEYE_DATABASE_URL
LEYE_PII_KEY=$(od -An -v -t x1 -N 32 /dev/urandom | tr -d ' \n')
export LEYE_PII_KEY
"$bin" migrate >/dev/null 2>&1

port=$(( 20000 + $$ % 20000 ))
nport=$((port + 1))
# the server works as leye_app, as deployed (docs/deploy.md); the owner migrates
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh app-url "$tmp/pg") LEYE_DATABASE_OWNER_URL=$LEYE_DATABASE_URL LEYE_MIGRATE_ON_START=false LEYE_PORT=$port LEYE_THREADS=1 LEYE_DB_POOL_SIZE=$pool LEYE_LOG_LEVEL=${LEYE_LOG_LEVEL:-info} \
    taskset -c $server_core "$bin" serve >"$tmp/server.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
i=0
until curl -fsS "$base/readyz" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/server.log"; exit 1; }; sleep 0.1
done

# nginx: one worker, no master, the same body as Leye's /healthz
mkdir -p "$tmp/www" "$tmp/nginx"
curl -fsS "$base/healthz" >"$tmp/www/healthz"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $tmp/nginx/access.log combined buffer=64k;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nport reuseport;
        root $tmp/www;
        location = /healthz { default_type application/json; }
    }
}
EOF
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
taskset -c $server_core "$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/stderr" &
npid=$!
i=0
until curl -fsS "http://127.0.0.1:$nport/healthz" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/nginx/stderr"; exit 1; }; sleep 0.1
done

# a county staff account, its session, and a worker of its county
pw="bench-$(od -An -v -t x1 -N 8 /dev/urandom | tr -d ' \n')"
LEYE_BENCH_PW=$pw "$bin" admin create-user --username=bench-admin --role=admin \
    --password-env=LEYE_BENCH_PW >/dev/null
login() {
    curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" \
        "$base/v1/auth/login" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p'
}
post() {
    curl -fsS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$base$2" |
        sed -n "s/.*\"$4\" *: *\"\{0,1\}\([^\",}]*\).*/\1/p"
}
admin=$(login bench-admin "$pw")
cpw=$(post "$admin" /v1/accounts \
    '{"username":"bench-county","role":"county_staff","county_codes":[530621]}' password)
county=$(login bench-county "$cpw")
site=$(post "$admin" /v1/sites '{"name":"bench site","county_code":530621,"kind":"scattered"}' id)
hh=$(post "$admin" /v1/households \
    "{\"site_id\":$site,\"origin_county_code\":530621,\"members\":2}" id)
worker=$(post "$admin" /v1/workers \
    "{\"household_id\":$hh,\"name\":\"bench worker\",\"id_number\":\"53062119851204001X\"}" id)
curl -fsS -o /dev/null -H "Authorization: Bearer $county" "$base/v1/workers/$worker" ||
    { echo "bench_http: county staff cannot read the worker" >&2; cat "$tmp/server.log" >&2; exit 1; }
# more workers of the county, each with a skill and a valid ID number (the
# check character of GB 11643)
nworkers=${BENCH_WORKERS:-100}
ids=$(awk -v n="$nworkers" 'BEGIN {
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " "); c = "10X98765432"
    for (i = 0; i < n; i++) {
        b = sprintf("5306211990%02d%02d%03d", 1 + i % 12, 1 + i % 28, i % 1000)
        s = 0; for (k = 1; k <= 17; k++) s += substr(b, k, 1) * w[k]
        print b substr(c, s % 11 + 1, 1)
    } }' | while read -r idn; do
    post "$admin" /v1/workers "{\"household_id\":$hh,\"name\":\"bench worker\",\"id_number\":\"$idn\",\"skills\":[{\"skill_id\":1,\"level\":2}]}" id; echo
done | tr '\n' ',')
[ "$(printf %s "$ids" | tr -cd ',' | wc -c)" -eq "$nworkers" ] ||
    { echo "bench_http: could not create $nworkers workers" >&2; exit 1; }

cat >"$tmp/pipeline.lua" <<EOF
init = function(args)
    local r = {}
    for i = 1, $depth do r[i] = wrk.format(nil, wrk.path) end
    req = table.concat(r)
end
request = function() return req end
EOF
cat >"$tmp/auth.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $county"
EOF
cat >"$tmp/many.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $county"
local ids = {${ids%,}}
request = function() return wrk.format(nil, "/v1/workers/" .. ids[math.random(#ids)]) end
EOF

# CPU time (user and system) of process $1 so far, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
# the same for the whole PostgreSQL cluster: the postmaster, its processes,
# and those that have ended
pm=$(head -n 1 "$tmp/pg/data/postmaster.pid")
pg_ticks() {
    { for p in $pm $(pgrep -P "$pm"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done
      awk '{print $16 + $17}' "/proc/$pm/stat"; } | awk '{s += $1} END {print s}'
}

# one wrk run against the server with process id $1: prints "req/s p50 p99
# errors cpu dbcpu", cpu being the server's CPU microseconds per request
# (less disturbed than req/s by other work on a shared machine), dbcpu the
# database's
run_wrk() {
    spid=$1; url=$2; shift 2
    t0=$(cpu_ticks "$spid"); d0=$(pg_ticks)
    taskset -c $client_core wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" "$url" >"$tmp/wrk.txt" 2>&1
    t1=$(cpu_ticks "$spid"); d1=$(pg_ticks)
    awk -v t0="$t0" -v t1="$t1" -v d0="$d0" -v d1="$d1" -v tck="$tck" '
         /^Requests\/sec/ {r = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
         / requests in / {n = $1}
         /Non-2xx|Socket errors/ {e = e $0 "; "}
         END {printf "%s %s %s %s %.2f %.2f\n", r, p50, p99, (e == "" ? "0" : "!"),
                     (n > 0 ? (t1 - t0) / tck * 1e6 / n : 0),
                     (n > 0 ? (d1 - d0) / tck * 1e6 / n : 0)}' "$tmp/wrk.txt"
}

PGHOST="$tmp/pg"
export PGHOST
if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- psql -X -q -h "$tmp/pg" -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
    runuser -u postgres -- pgbench -q -i -s 10 -h "$tmp/pg" pgbench >/dev/null 2>&1
else
    psql -X -q -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
    pgbench -q -i -s 10 pgbench >/dev/null 2>&1
fi
run_pgbench() {
    set -- taskset -c $client_core pgbench -S -M prepared -c "$pool" -j 1 -T "$secs" -h "$tmp/pg" pgbench
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi 2>/dev/null |
        awk '/^tps/ {print $3; exit}'
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

: >"$tmp/results"
r=1
while [ $r -le "$repeat" ]; do
    for case in healthz healthz_pipelined nginx nginx_pipelined worker_read worker_read_many; do
        case $case in
        healthz) out=$(run_wrk $pid "$base/healthz") ;;
        healthz_pipelined) out=$(run_wrk $pid "$base/healthz" -s "$tmp/pipeline.lua") ;;
        nginx) out=$(run_wrk $npid "http://127.0.0.1:$nport/healthz") ;;
        nginx_pipelined) out=$(run_wrk $npid "http://127.0.0.1:$nport/healthz" -s "$tmp/pipeline.lua") ;;
        worker_read) out=$(run_wrk $pid "$base/v1/workers/$worker" -s "$tmp/auth.lua") ;;
        worker_read_many) out=$(run_wrk $pid "$base/v1/workers/$worker" -s "$tmp/many.lua") ;;
        esac
        echo "$case $out" >>"$tmp/results"
        case $out in *'!'*) echo "bench_http: errors in $case:" >&2; cat "$tmp/wrk.txt" >&2 ;; esac
    done
    echo "pgbench $(run_pgbench) - - 0 0" >>"$tmp/results"
    r=$((r + 1))
done

fig() { awk -v c="$1" -v f="$2" '$1 == c {print $f}' "$tmp/results" | median; }
lat() { awk -v c="$1" -v f="$2" '$1 == c {print $f}' "$tmp/results" | sed -n "$(( (repeat + 1) / 2 ))p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

echo "leye-server $("$bin" version | cut -d' ' -f2), $(nproc) cores, server and nginx on core $server_core," \
    "wrk -t1 -c$conns and pgbench -c$pool on core $client_core, ${secs}s runs, median of $repeat," \
    "pipeline depth $depth, request log at ${LEYE_LOG_LEVEL:-info}, nginx access log buffered"
printf '%-40s %12s %10s %10s %12s %7s\n' figure 'req/s' p50 p99 peer ratio
hk=$(fig healthz 2); hp=$(fig healthz_pipelined 2); nk=$(fig nginx 2); np=$(fig nginx_pipelined 2)
wr=$(fig worker_read 2); pg=$(fig pgbench 2 | awk '{printf "%.0f", $1}')
hkc=$(fig healthz 6); hpc=$(fig healthz_pipelined 6); nkc=$(fig nginx 6); npc=$(fig nginx_pipelined 6)
printf '%-40s %12s %10s %10s %12s %7s\n' "GET /healthz keep-alive (nginx)" "$hk" "$(lat healthz 3)" \
    "$(lat healthz 4)" "$nk" "$(ratio "$hk" "$nk")"
printf '%-40s %12s %10s %10s %12s %7s\n' "GET /healthz pipelined x$depth (nginx)" "$hp" \
    "$(lat healthz_pipelined 3)" "$(lat healthz_pipelined 4)" "$np" "$(ratio "$hp" "$np")"
printf '%-40s %12s %10s %10s %12s %7s\n' "GET /v1/workers/{id} county (pgbench -S)" "$wr" \
    "$(lat worker_read 3)" "$(lat worker_read 4)" "$pg" "$(ratio "$wr" "$pg")"
wm=$(fig worker_read_many 2)
printf '%-40s %12s %10s %10s %12s %7s\n' "the same, $nworkers workers (pgbench -S)" "$wm" \
    "$(lat worker_read_many 3)" "$(lat worker_read_many 4)" "$pg" "$(ratio "$wm" "$pg")"
wrc=$(fig worker_read 6); wrd=$(fig worker_read 7); wmc=$(fig worker_read_many 6)
wmd=$(fig worker_read_many 7)
printf '%-40s %12s %10s %10s %12s %7s\n' "CPU per worker read: server, database" "${wrc} us" "${wrd} us" \
    - - -
printf '%-40s %12s %10s %10s %12s %7s\n' "the same, $nworkers workers" "${wmc} us" "${wmd} us" - - -
printf '%-40s %12s %10s %10s %12s %7s\n' "CPU per /healthz keep-alive (nginx)" "${hkc} us" - - "${nkc} us" \
    "$(ratio "$nkc" "$hkc")"
printf '%-40s %12s %10s %10s %12s %7s\n' "CPU per /healthz pipelined (nginx)" "${hpc} us" - - "${npc} us" \
    "$(ratio "$npc" "$hpc")"
echo "BENCH http_healthz_keepalive $hk req/s"
echo "BENCH nginx_healthz_keepalive $nk req/s"
echo "BENCH http_healthz_keepalive_ratio $(ratio "$hk" "$nk") x"
echo "BENCH http_healthz_pipelined $hp req/s"
echo "BENCH nginx_healthz_pipelined $np req/s"
echo "BENCH http_healthz_pipelined_ratio $(ratio "$hp" "$np") x"
echo "BENCH http_healthz_keepalive_cpu $hkc us/req"
echo "BENCH nginx_healthz_keepalive_cpu $nkc us/req"
echo "BENCH http_healthz_keepalive_cpu_ratio $(ratio "$nkc" "$hkc") x"
echo "BENCH http_healthz_pipelined_cpu $hpc us/req"
echo "BENCH nginx_healthz_pipelined_cpu $npc us/req"
echo "BENCH http_healthz_pipelined_cpu_ratio $(ratio "$npc" "$hpc") x"
echo "BENCH http_worker_read $wr req/s"
echo "BENCH pgbench_select $pg tps"
echo "BENCH http_worker_read_ratio $(ratio "$wr" "$pg") x"
echo "BENCH http_worker_read_many $wm req/s"
echo "BENCH http_worker_read_many_ratio $(ratio "$wm" "$pg") x"
echo "BENCH http_worker_read_server_cpu $wrc us/req"
echo "BENCH http_worker_read_db_cpu $wrd us/req"
echo "BENCH http_worker_read_many_server_cpu $wmc us/req"
echo "BENCH http_worker_read_many_db_cpu $wmd us/req"
