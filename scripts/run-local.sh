#!/bin/sh
# make run: a local PostgreSQL in ./var/pg (unless LEYE_DATABASE_URL is set),
# migrations, demo data, demo accounts on the first start (printed once, kept
# in ./var/demo-accounts.txt), then the server on 127.0.0.1:8080 until Ctrl-C.
set -eu
bin=${1:?usage: run-local.sh path/to/leye-server}
here=$(pwd)
own_pg=0
if [ -z "${LEYE_DATABASE_URL:-}" ]; then
    sh scripts/pglocal.sh start "$here/var/pg"
    LEYE_DATABASE_URL=$(sh scripts/pglocal.sh url "$here/var/pg")
    export LEYE_DATABASE_URL
    own_pg=1
    echo "PostgreSQL: $here/var/pg (Unix socket only)"
fi
# the key that encrypts ID numbers at rest: made once, kept beside the data
if [ -z "${LEYE_PII_KEY:-}" ] && [ -z "${LEYE_PII_KEY_FILE:-}" ]; then
    mkdir -p "$here/var"
    if [ ! -s "$here/var/pii.key" ]; then
        (umask 077; od -An -v -t x1 -N 32 /dev/urandom | tr -d ' \n' > "$here/var/pii.key")
        echo "made a new key for ID numbers: $here/var/pii.key (back it up with the database)"
    fi
    LEYE_PII_KEY_FILE="$here/var/pii.key"
    export LEYE_PII_KEY_FILE
fi
"$bin" migrate
"$bin" demo
# a newcomer's accounts: only on a database with demo data and no staff
# account yet (never a real deployment's); printed once, kept readable by
# the owner only
mkdir -p "$here/var"
"$bin" demo-accounts --file="$here/var/demo-accounts.txt" \
    --url="http://${LEYE_LISTEN:-127.0.0.1}:${LEYE_PORT:-8080}"

pid=
stop() {
    trap - INT TERM
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [ "$own_pg" = 1 ] && sh scripts/pglocal.sh stop "$here/var/pg" || true
    echo "stopped"
    exit 0
}
trap stop INT TERM
# our own PostgreSQL has the role leye_app (migration 029): serve as it
if [ "$own_pg" = 1 ]; then
    LEYE_DATABASE_OWNER_URL=$LEYE_DATABASE_URL
    LEYE_DATABASE_URL=$(printf '%s' "$LEYE_DATABASE_URL" | sed 's/user=leye$/user=leye_app/')
    export LEYE_DATABASE_OWNER_URL LEYE_DATABASE_URL
fi
LEYE_MIGRATE_ON_START=false "$bin" serve &
pid=$!
echo "Leye is starting on http://${LEYE_LISTEN:-127.0.0.1}:${LEYE_PORT:-8080}/ (Ctrl-C stops it)"
wait "$pid" || true
pid=
stop
