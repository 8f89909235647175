#!/bin/sh
# make bench-match: figures for the matching core (lib/match) on synthetic
# data spread over Yunnan's 129 counties.  A benchmark, not a test.
#   BENCH_MATCH_SIZES   worker counts (default 1000000,10000000)
#   BENCH_MATCH_QUERIES vacancies timed per size (default 200)
set -eu
build=${1:?usage: bench_match.sh BUILD_DIR}
bin="$build/bench/bench_match"
[ -x "$bin" ] || { echo "no $bin: run make bench-match" >&2; exit 1; }
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
exec "$bin" migrations/data/yunnan_counties_extended.csv \
    "${BENCH_MATCH_SIZES:-1000000,10000000}" "${BENCH_MATCH_QUERIES:-200}"
