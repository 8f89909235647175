#!/bin/sh
# make migrations/schema.sql: migrates a throwaway PostgreSQL cluster (in a
# temporary folder, through scripts/pglocal.sh) with the server binary and
# writes its schema, as scripts/schema-dump.sh gives it, to OUT.
#
#   schema-gen.sh path/to/leye-server OUT
set -eu
bin=${1:?usage: schema-gen.sh path/to/leye-server OUT}
out=${2:?usage: schema-gen.sh path/to/leye-server OUT}
dir=$(mktemp -d /tmp/leye-schema.XXXXXX)
trap 'sh scripts/pglocal.sh stop "$dir"; rm -rf "$dir"' EXIT
sh scripts/pglocal.sh start "$dir" fast
url=$(sh scripts/pglocal.sh url "$dir")
"$bin" migrate --database-url="$url" >/dev/null 2>&1 || { "$bin" migrate --database-url="$url"; exit 1; }
sh scripts/schema-dump.sh "$url" >"$out.tmp"
mv "$out.tmp" "$out"
