#!/bin/sh
# A project-local PostgreSQL cluster in a folder, reachable only through a
# Unix socket in that folder (no TCP port).  PostgreSQL refuses to run as
# root, so as root the cluster runs as the unprivileged "postgres" user.
#
#   pglocal.sh start DIR [fast]   initdb if needed, start, create role and database "leye"
#   pglocal.sh stop DIR           fast shutdown
#   pglocal.sh status DIR
#   pglocal.sh url DIR            print the libpq connection string (the owner, leye)
#   pglocal.sh app-url DIR        the same for the servers' role, leye_app
#   pglocal.sh replica PRIMARY DIR [fast]
#                                 a streaming replica of the cluster in PRIMARY
#                                 (pg_basebackup), started with its socket in DIR
#
# "fast" turns fsync off: for throwaway test clusters only.
set -eu
cmd=${1:?usage: pglocal.sh start|stop|status|url|app-url DIR}
dir=$(realpath -m "${2:?usage: pglocal.sh $cmd DIR}")
mode=${3:-}

pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/postgres" ] || pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)")

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
replica)
    primary=$(realpath -m "$dir")
    dir=$(realpath -m "${3:?usage: pglocal.sh replica PRIMARY DIR}")
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir" && chmod 0755 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$pgbin/pg_basebackup" -h "$primary" -U postgres -D "$dir/data" -R -X stream -c fast \
            >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    fi
    exec sh "$0" start "$dir" "${4:-}"
    ;;
url)
    echo "host=$dir dbname=leye user=leye"
    ;;
app-url)
    echo "host=$dir dbname=leye user=leye_app"
    ;;
status)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
    ;;
stop)
    if as_pg "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    fi
    ;;
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir" && chmod 0755 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_pg "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        opts="-c listen_addresses='' -c unix_socket_directories='$dir' -c unix_socket_permissions=0700 -c max_connections=200"
        [ "$mode" = fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$opts" start >/dev/null ||
            { tail -n 20 "$dir/postgres.log" >&2; exit 1; }
    fi
    psql_pg() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -U postgres -d postgres -tAc "$1"; }
    [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = 'leye'")" = 1 ] ||
        psql_pg "CREATE ROLE leye LOGIN"
    [ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname = 'leye'")" = 1 ] ||
        psql_pg "CREATE DATABASE leye OWNER leye"
    # the role the server works as: what migration 029 grants it, and no more
    # (leye, the owner, runs the migrations and may end leye_app's sessions)
    [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = 'leye_app'")" = 1 ] ||
        psql_pg "CREATE ROLE leye_app LOGIN; GRANT leye_app TO leye"
    ;;
*)
    echo "pglocal.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
