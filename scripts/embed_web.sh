#!/bin/sh
# Writes a C table of the files directly in a web app's folder, for
# server/h_static.c: each file's name, the first 16 hex digits of its SHA-256
# (the ETag) and its bytes.
#   embed_web.sh OUT.c SYMBOL DIR
set -eu
out=$1 sym=$2 dir=$3
n=0
{
    echo "/* Generated from $dir/ by scripts/embed_web.sh. */"
    echo '#include "h_static.h"'
    echo "const struct static_file ${sym}[] = {"
    for f in "$dir"/*.*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        printf '    {"%s", "%s", %d,\n' "${f#"$dir"/}" "$(sha256sum "$f" | cut -c1-16)" "$(wc -c < "$f")"
        od -An -v -t o1 -w64 "$f" | sed -e 's/^ *//' -e 's/ *$//' -e 's/ /\\/g' -e 's/^\(.\)/"\\\1/' -e 's/$/"/'
        [ -s "$f" ] || echo '""'
        echo '    },'
    done
    echo '};'
    echo "const size_t ${sym}_count = $n;"
} > "$out.tmp"
mv "$out.tmp" "$out"
