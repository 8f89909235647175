#!/bin/sh
# A streaming replica: cloned from the primary with pg_basebackup on first
# start (standby.signal and primary_conninfo are written by -R), then
# PostgreSQL in hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup -h db -U replicator -D "$PGDATA" -R -X stream -c fast; do
        echo "waiting for the primary"
        rm -rf "${PGDATA:?}"/*
        sleep 2
    done
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
