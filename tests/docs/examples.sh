#!/bin/sh
# examples.sh - every "$ poolviz ..." example of README.md and of the man page
# runs and prints what the docs show (the rules are in lib.sh).
. "$top_srcdir/tests/docs/lib.sh"

mkdir -p "$work/readme" "$work/man" || exit 99
doc_extract_markdown "$top_srcdir/README.md" "$work/readme" README.md
doc_man_to_markdown "$top_srcdir/doc/poolviz.1" > "$work/man.md" ||
    fail "doc/poolviz.1: an example the test cannot decode"
doc_extract_markdown "$work/man.md" "$work/man" doc/poolviz.1
[ -e "$work/readme/1.cmd" ] || fail "README.md: no \$ poolviz examples found"
[ -e "$work/man/1.cmd" ] || fail "doc/poolviz.1: no \$ poolviz examples found"
doc_run_all "$work/readme"
doc_run_all "$work/man"
finish
