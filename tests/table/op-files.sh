#!/bin/sh
# op-files.sh - the operator table is the one place that knows the newer
# operators: each of softpool, lse, median, mixed, maxblur and gem is named
# in at most 4 source files of src/ (its table entry and reducer in
# core/ops.c and core/ops.h, its fast kernel if it has one, and at most one
# more), counted as grep -rli counts them on a clean tree.  Object files of
# an in-tree build carry the names in their debug data, so only .c and .h
# files are read; lse and gem are matched as whole words, since "else",
# "false" and "sigemptyset" contain them.
set -u
: "${top_srcdir:?top_srcdir must name the source tree}"
if [ ! -f "$top_srcdir/src/core/ops.c" ]; then
    echo "$0: no operator table in $top_srcdir/src" >&2
    exit 99
fi
status=0
for name in softpool lse median mixed maxblur gem; do
    case $name in
    lse | gem) how=-liw ;;
    *) how=-li ;;
    esac
    files=$(grep -r $how --include='*.c' --include='*.h' -- "$name" "$top_srcdir/src" | sort)
    count=$(printf '%s\n' "$files" | grep -c .)
    if [ "$count" -gt 4 ]; then
        echo "FAIL: $name is named in $count files of src (at most 4):" >&2
        printf '%s\n' "$files" | sed "s|^$top_srcdir/|    |" >&2
        status=1
    else
        echo "ok: $name in $count files"
    fi
done
# the table does know them: each is an operator of the command line
for name in softpool lse median mixed maxblur gem; do
    if ! "${POOLVIZ:?POOLVIZ must name the poolviz binary}" pool --op "$name" -k 2 - <<EOF2 > /dev/null 2>&1
1 2 3 4
5 6 7 8
9 10 11 12
13 14 15 16
EOF2
    then
        echo "FAIL: poolviz pool --op $name does not run" >&2
        status=1
    fi
done
exit $status
