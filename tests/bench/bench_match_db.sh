#!/bin/sh
# Part of make bench-match: the matching index against PostgreSQL itself.
#   - BENCH_DB_WORKERS (1,000,000) synthetic workers written to a throwaway
#     PostgreSQL, then the time leye-server takes to load its index from it;
#   - top-50 candidates for one vacancy through the HTTP API (index scan, then
#     one scoped query for the cards), p50 and p99 over BENCH_DB_QUERIES;
#   - the same top-50 done in SQL alone with the best indexes PostgreSQL has
#     for it (GIN on the skill array, GiST on earthdistance positions), p50,
#     and the ratio.
set -eu
bin=${1:?usage: bench_match_db.sh path/to/leye-server}
n=${BENCH_DB_WORKERS:-1000000}
queries=${BENCH_DB_QUERIES:-50}
tmp=$(mktemp -d /tmp/leye-benchdb-XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    sh scripts/pglocal.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
sh scripts/pglocal.sh start "$tmp/pg" fast >/dev/null
url=$(sh scripts/pglocal.sh url "$tmp/pg")
export LEYE_DATABASE_URL="$url"
LEYE_PII_KEY=$(od -An -v -t x1 -N 32 /dev/urandom | tr -d ' \n')
export LEYE_PII_KEY
"$bin" migrate >/dev/null 2>&1
q() { psql -X -q -tA -v ON_ERROR_STOP=1 -d "$url" -c "$1"; }

t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -d "$url" -v n="$n" >/dev/null <<'SQL'
SELECT setseed(0.42);
INSERT INTO site (name, county_code, lat, lon, kind)
SELECT r.name || '安置点' || k, r.code, r.lat + (random() - 0.5) * 0.1, r.lon + (random() - 0.5) * 0.1,
       'urban_centralized'
FROM region r CROSS JOIN generate_series(1, 3) k WHERE r.level = 'county';
INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on)
SELECT s.id, s.county_code, 4, m, CASE WHEN m = 'none' THEN NULL ELSE 'data_comparison' END,
       CASE WHEN m = 'none' THEN NULL ELSE DATE '2024-01-01' END
FROM (SELECT ids[1 + g % cardinality(ids)] AS sid,
             CASE WHEN random() < 0.08 THEN 'unstable' ELSE 'none' END AS m
      FROM generate_series(1, (:n / 2.5)::int) g,
           (SELECT array_agg(id ORDER BY id) AS ids FROM site) a) x JOIN site s ON s.id = x.sid;
CREATE TEMP TABLE hh AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM household;
CREATE INDEX ON hh (k);
ANALYZE hh;
INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
                    employment_status, consent_brokers, max_commute_km, wage_floor, willing_outside_county)
SELECT hh.id, '测试' || g, decode(md5(g::text), 'hex'), '\x00', '530000********0000',
       DATE '1970-01-01' + (random() * 15000)::int, CASE WHEN g % 2 = 0 THEN 'M' ELSE 'F' END,
       CASE WHEN random() < 0.6 THEN 'seeking' ELSE 'employed_local' END, random() < 0.5,
       (10 + random() * 60)::int, (2000 + random() * 3000)::int, random() < 0.4
FROM generate_series(1, :n) g JOIN hh ON hh.k = 1 + g % (:n / 2.5)::int;
INSERT INTO worker_skill (worker_id, skill_id, level)
SELECT DISTINCT ON (w.id, s) w.id, s, 1 + (random() * 4)::int
FROM worker w, LATERAL (SELECT 1 + floor(power(random(), 2) * 57)::int AS s FROM generate_series(1, 1 + (w.id % 3))) k
ORDER BY w.id, s;
ANALYZE site; ANALYZE household; ANALYZE worker; ANALYZE worker_skill;
SQL
t1=$(date +%s.%N)
workers=$(q "SELECT count(*) FROM worker")
skills=$(q "SELECT count(*) FROM worker_skill")
awk -v a="$t0" -v b="$t1" -v w="$workers" -v s="$skills" \
    'BEGIN { printf "data: %d workers with %d skills written in %.1f s\n", w, s, b - a }'

emp=$(q "INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('基准', 'BENCH0000000000000', 'enterprise', 530621) RETURNING id")
vac=$(q "INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, wage_max, status)
         VALUES ($emp, '焊工', '6-29-01-01', 'regular', 530621, 27.19, 103.56, 50, 3500, 5500, 'open') RETURNING id")
q "INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, weight, must_have) VALUES ($vac, 2, 2, 3, true), ($vac, 3, 1, 1, false)"

port=$(( 21000 + $$ % 20000 ))
# the server works as leye_app, as deployed (docs/deploy.md); the owner migrates
LEYE_DATABASE_URL=$(sh scripts/pglocal.sh app-url "$tmp/pg") LEYE_DATABASE_OWNER_URL=$LEYE_DATABASE_URL LEYE_MIGRATE_ON_START=false LEYE_PORT=$port LEYE_LOG_LEVEL=info "$bin" serve >"$tmp/server.log" 2>&1 &
pid=$!
i=0
until grep -q "matching index loaded" "$tmp/server.log"; do
    sleep 0.2; i=$((i + 1)); [ $i -lt 1500 ] || { tail "$tmp/server.log"; exit 1; }
done
grep -o "matching index loaded from .*" "$tmp/server.log" | sed 's/^/index: /'
sed -n "s/.*matching index loaded from the [a-z]* in \([0-9.]*\) s.*/BENCH match_index_load_$n \1 s/p" "$tmp/server.log" | head -n 1
PW=bench-password-1 "$bin" admin create-user --username=bench --role=admin --password-env=PW >/dev/null
token=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
    "http://127.0.0.1:$port/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
for k in $(seq 1 "$queries"); do
    curl -sS -o "$tmp/out.json" -w '%{time_total}\n' -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/v1/vacancies/$vac/candidates?k=50" >>"$tmp/api.txt"
    sed -n 's/.*"query_ms": *\([0-9.e-]*\).*/\1/p' "$tmp/out.json" >>"$tmp/scan.txt"
done
sort -n "$tmp/api.txt" -o "$tmp/api.txt"
sort -g "$tmp/scan.txt" -o "$tmp/scan.txt"

# the SQL version: the same filters and a score of the same parts, on the best indexes
psql -X -q -d "host=$tmp/pg dbname=leye user=postgres" \
    -c "CREATE EXTENSION IF NOT EXISTS cube" -c "CREATE EXTENSION IF NOT EXISTS earthdistance"
q "CREATE TABLE bw AS SELECT w.id, w.employment_status = 'seeking' AS seeking, w.birth_date, w.max_commute_km,
          w.wage_floor, ll_to_earth(s.lat, s.lon) AS pos, h.zero_employment, h.monitoring_status,
          array_agg(ws.skill_id) AS skills, jsonb_object_agg(ws.skill_id, ws.level) AS levels
   FROM worker w JOIN household h ON h.id = w.household_id JOIN site s ON s.id = h.site_id
   JOIN worker_skill ws ON ws.worker_id = w.id GROUP BY w.id, s.lat, s.lon, h.zero_employment, h.monitoring_status;
   CREATE INDEX ON bw USING gin (skills); CREATE INDEX ON bw USING gist (pos); ANALYZE bw"
cat >"$tmp/sql.sql" <<SQL
SELECT id, round((40 * least((levels ->> '2')::int, 2) / 2.0 + 20 * greatest(0, 1 - earth_distance(pos, ll_to_earth(27.19, 103.56)) / 1000 / greatest(max_commute_km, 1))
                  + 15 * (CASE WHEN wage_floor <= 5500 THEN 1 ELSE 0 END) + 10 * (CASE WHEN skills @> ARRAY[3] THEN 1 ELSE 0 END)
                  + 5 + (CASE WHEN zero_employment THEN 5 ELSE 0 END))::numeric, 2) AS score
FROM bw
WHERE skills @> ARRAY[2] AND seeking AND (levels ->> '2')::int >= 2
  AND birth_date BETWEEN current_date - interval '60 years' AND current_date - interval '16 years'
ORDER BY score DESC, id LIMIT 50;
SQL
{ printf '%s\n' '\timing on'; for k in $(seq 1 7); do cat "$tmp/sql.sql"; done; } |
    psql -X -q -tA -d "$url" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n >"$tmp/sql.txt"
api50=$(awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] * 1000}' "$tmp/api.txt")
api99=$(awk '{a[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; print a[i] * 1000}' "$tmp/api.txt")
scan50=$(awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}' "$tmp/scan.txt")
sql50=$(awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}' "$tmp/sql.txt")
awk -v a="$api50" -v b="$api99" -v c="$scan50" -v s="$sql50" -v n="$workers" 'BEGIN {
    printf "top-50 candidates for a vacancy over %d workers:\n", n
    printf "  leye index scan (query_ms in the answer): p50 %.3f ms\n", c
    printf "  leye HTTP API end to end (scan + one scoped query for the cards): p50 %.2f ms, p99 %.2f ms\n", a, b
    printf "  SQL alone (GIN on skills, GiST on earthdistance): p50 %.2f ms (server time)\n", s
    printf "  ratio SQL / index scan: %.0fx; SQL / whole HTTP answer: %.1fx\n", s / c, s / a
    printf "BENCH match_api_p50_%d %.3f ms\nBENCH match_sql_p50_%d %.3f ms\n", n, a, n, s
}'
