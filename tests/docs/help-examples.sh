#!/bin/sh
# help-examples.sh - the example lines of every --help run.
#
# The helps are those of `poolviz --help` and of every subcommand its usage
# lists.  Rule: the lines of a help's "Example:" or "Examples:" section (up to
# a blank line) are shell commands; each runs as the shell examples of the
# docs do (lib.sh: in the example folder, bench shortened) and must exit 0
# without a word on standard error.  A help that points to a section ("see
# Operators below") has that section below, and `poolviz help NAME` prints
# what `poolviz NAME --help` prints, for every NAME (help itself included).
. "$top_srcdir/tests/docs/lib.sh"

# run_help_examples NAME HELPFILE
run_help_examples() {
    awk '
        /^Examples?:$/ { inside = 1; next }
        inside && /^$/ { inside = 0 }
        inside { sub(/^ +/, ""); print }
    ' "$2" > "$work/lines"
    doc_prepare_run
    while IFS= read -r line; do
        examples=$((examples + 1))
        cmd=$(doc_bench_rule "$line")
        (cd "$run" && sh -c "$cmd") > "$work/out" 2> "$work/err" < /dev/null
        status=$?
        bad=0
        [ "$status" -eq 0 ] && [ ! -s "$work/err" ] || bad=1
        doc_check_known "$1 --help" "$line" "$bad" && continue
        [ "$status" -eq 0 ] || fail "$1 --help: $cmd: exit status $status"
        if [ -s "$work/err" ]; then
            fail "$1 --help: $cmd: writes on standard error:"
            cat "$work/err" >&2
        fi
    done < "$work/lines"
}

# check_pointers NAME HELPFILE: "see X below" has a section X below.
check_pointers() {
    grep -o 'see [A-Z][a-z]* below' "$2" | sort -u | while IFS= read -r ref; do
        section=$(printf '%s\n' "$ref" | sed 's/^see \(.*\) below$/\1/')
        line=$(grep -n "see $section below" "$2" | head -1 | cut -d: -f1)
        tail -n +"$line" "$2" | grep -q "^$section" ||
            printf 'FAIL: %s --help says "%s" and has no such section below\n' "$1" "$ref"
    done > "$work/pointers"
    if [ -s "$work/pointers" ]; then
        cat "$work/pointers" >&2
        failures=$((failures + $(wc -l < "$work/pointers")))
    fi
}

poolviz --help > "$work/help-main" || fail "poolviz --help exits non-zero"
run_help_examples poolviz "$work/help-main"
check_pointers poolviz "$work/help-main"
subcommands=$(sed -n 's/^\(Usage:\)\{0,1\} \{1,\}poolviz \([a-z][a-z]*\) .*/\2/p' "$work/help-main" | sort -u)
[ -n "$subcommands" ] || fail "poolviz --help lists no subcommands"
for name in $subcommands; do
    poolviz "$name" --help > "$work/help-$name" 2>&1 || fail "poolviz $name --help exits non-zero"
    poolviz help "$name" > "$work/help2-$name" 2>&1 ||
        fail "poolviz help $name exits non-zero:$(head -1 "$work/help2-$name")"
    cmp -s "$work/help-$name" "$work/help2-$name" ||
        fail "poolviz help $name differs from poolviz $name --help"
    [ "$name" = help ] && continue
    run_help_examples "poolviz $name" "$work/help-$name"
    check_pointers "poolviz $name" "$work/help-$name"
done
# bench --help's default for --repeat holds: a 4x4 input runs at most the
# stated cap and at least 5 times.  (It usually runs exactly the cap, but on
# a loaded machine fewer runs may fit in the second: not a failure here.)
cap=$(sed -n 's/^ *from \([0-9]*\) to \([0-9]*\)).*/\1 \2/p' "$work/help-bench")
runs=$(poolviz bench --shape 4x4 --json --no-memcpy --warmup 0 | sed -n 's/.*"runs": *\([0-9]*\).*/\1/p')
examples=$((examples + 1))
set -- $cap
[ $# -eq 2 ] && [ -n "$runs" ] && [ "$runs" -ge "$1" ] && [ "$runs" -le "$2" ] ||
    fail "bench --help: --repeat's default says from '$1' to '$2' runs; a 4x4 input ran '$runs'"
finish
