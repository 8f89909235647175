#!/bin/sh
# Runs once when the primary's data folder is created, as the superuser:
# - leye, the schema owner (not a superuser), owns the database; the migrate
#   service connects as it;
# - leye_app, what the servers connect as: not a superuser and no BYPASSRLS,
#   so row-level security holds; migration 029 grants it what it needs;
#   leye may end its sessions;
# - replicator, for streaming replication, and the pg_hba.conf line that lets
#   the replica use it.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_pw="$LEYE_DB_PASSWORD" -v app_pw="$LEYE_APP_DB_PASSWORD" \
    -v repl_pw="$LEYE_REPLICATION_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE leye LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_pw';
CREATE ROLE leye_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_pw';
GRANT leye_app TO leye;
ALTER DATABASE :"db" OWNER TO leye;
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'repl_pw';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
