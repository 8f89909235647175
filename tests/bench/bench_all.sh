#!/bin/sh
# make bench: every benchmark and its peers in one run, then one table
# (figure, Leye, peer, ratio) from the "BENCH name value unit" lines they
# print, and docs/img/bench-scaling.svg (tests/bench/bench_table.pl).
#   BENCH_SVG  where the chart goes (default docs/img/bench-scaling.svg)
# The full output of each part is kept in BUILD/bench/bench-all.log.
set -u
build=${1:?usage: bench_all.sh BUILD_DIR}
bin="$build/leye-server"
log="$build/bench/bench-all.log"
mkdir -p "$build/bench"
: >"$log"
part() {
    name=$1
    shift
    echo "== $name" | tee -a "$log"
    start=$(date +%s)
    "$@" >>"$log" 2>&1 || echo "   $name failed (exit $?): see $log"
    echo "   $(( $(date +%s) - start )) s" | tee -a "$log"
}
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
part "peers (nginx, pgbench)" sh tests/bench/bench_peers.sh
part "bench-http" sh tests/bench/bench_http.sh "$bin"
part "bench-match (100k, 1M, 10M workers)" env BENCH_MATCH_SIZES="${BENCH_MATCH_SIZES:-100000,1000000,10000000}" \
    sh tests/bench/bench_match.sh "$build"
part "bench-match against PostgreSQL (index load, SQL)" sh tests/bench/bench_match_db.sh "$bin"
part "bench-import" sh tests/bench/bench_import.sh "$bin"
part "bench-alloc" "$build/bench/bench_alloc" migrations/data/yunnan_counties_extended.csv \
    "${BENCH_ALLOC_CASES:-100000:2000:10000:50,1000000:10000:100000:100}"
echo
perl tests/bench/bench_table.pl "${BENCH_SVG:-docs/img/bench-scaling.svg}" <"$log"
