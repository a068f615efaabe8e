#!/bin/sh
# lesson-listings.sh - the directive listings of lessons/README.md pass
# `poolviz lesson --check` when put into a lesson.
#
# Rule: every fenced block with a line starting with '@' is lesson text, as
# written (annotations are '#' comment lines, which a lesson allows).  A
# block that starts with @title starts a new lesson; every other block
# continues the lesson before it, in the order of the file, so the listings
# of "The format" build one lesson (header, page, inputs, settings, demos,
# questions) and "A small example" is a lesson of its own.
. "$top_srcdir/tests/docs/lib.sh"

doc_prepare_run
readme=$top_srcdir/lessons/README.md
awk -v dir="$run" '
    function block_end() {
        if (!has_at) return
        if (first ~ /^@title/ || n == 0) { n++; from[n] = start }
        f = dir "/listing-" n ".lesson"
        printf "%s", text >> f; close(f)
        printf "%d-%d\n", from[n], NR > (dir "/listing-" n ".lines"); close(dir "/listing-" n ".lines")
    }
    /^```/ {
        if (inside) block_end()
        inside = !inside; text = ""; has_at = 0; first = ""; start = NR + 1
        next
    }
    inside {
        text = text $0 "\n"
        if (first == "" && $0 !~ /^[ \t]*(#|$)/) first = $0
        if ($0 ~ /^@/) has_at = 1
    }
' "$readme"

for lesson in "$run"/listing-*.lesson; do
    [ -e "$lesson" ] || break
    examples=$((examples + 1))
    lines=$(cat "${lesson%.lesson}.lines")
    if ! (cd "$run" && poolviz lesson --check "$(basename "$lesson")") > "$work/out" 2>&1; then
        fail "lessons/README.md lines $lines: the listings fail lesson --check:"
        cat "$work/out" >&2
        echo "--- the lesson they make:" >&2
        cat -n "$lesson" >&2
    fi
done
finish
