#!/bin/sh
# command-listing.sh - the README's listing of the command language (the
# first fenced block after "## The command language") runs as a script of
# `poolviz repl`, as written, without an error; so does the command listing of
# `poolviz repl --help` (its "Commands" section, one command a line).  '#'
# starts a comment in the command language, so the listings annotate their
# lines that way and need no stripping.
. "$top_srcdir/tests/docs/lib.sh"

# run_script WHERE FILE
run_script() {
    examples=$((examples + 1))
    doc_prepare_run
    (cd "$run" && poolviz repl < "$2") > "$work/out" 2> "$work/err"
    status=$?
    [ "$status" -eq 0 ] || fail "$1: the script exits $status"
    if [ -s "$work/err" ]; then
        fail "$1: the script writes errors:"
        cat "$work/err" >&2
    fi
    [ -s "$work/out" ] || fail "$1: the script prints nothing"
}

awk '
    /^## The command language/ { want = 1; next }
    want && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
' "$top_srcdir/README.md" > "$work/readme.script"
if [ -s "$work/readme.script" ]; then
    run_script "README.md (The command language)" "$work/readme.script"
else
    fail "README.md: no listing after '## The command language'"
fi

poolviz repl --help | awk '
    /^Commands/ { inside = 1; next }
    inside && /^$/ { exit }
    inside { sub(/^  /, ""); print }
' > "$work/help.script"
if [ -s "$work/help.script" ]; then
    run_script "poolviz repl --help (Commands)" "$work/help.script"
else
    fail "poolviz repl --help: no Commands section"
fi
finish
