#!/bin/sh
# code-all.sh - `code`'s whole output (PyTorch and TensorFlow) for every
# operator under many settings, line for line.
#
# tests/cmd/code-all.txt holds records: "@ SETTINGS" (the arguments of `code`,
# the matrix A or B first, or none), then each line `code` printed, as "| LINE".
# code-torch.sh runs the PyTorch part against PyTorch's numbers; this one pins
# the rest (TensorFlow, the notes where a library has no equivalent) for the
# operators' table entries (src/core/ops.c, their .code hooks).  With
# REGENERATE=1 it rewrites the records from the program instead (after a
# change meant to alter the output; review the diff).
. "${top_srcdir:-.}/tests/cmd/lib.sh"

records="$top_srcdir/tests/cmd/code-all.txt"
matrices='A = [[1.5,-2.0,3.0,0.25,4.0,-1.0],[2.0,7.5,-3.0,1.0,0.0,2.5],[0.5,1.0,6.0,-2.0,3.0,1.0],[4.0,-1.5,2.0,5.0,-0.5,3.0],[1.0,2.0,3.5,-4.0,2.0,0.75]]
B = random 2x3x7x5 seed=4'

# code_of SETTINGS: what `code SETTINGS` prints, each line as "| LINE".
code_of() {
    printf '%s\ncode %s\n' "$matrices" "$1" | "$POOLVIZ" repl 2>&1 | sed 's/^/| /'
}

if [ -n "$REGENERATE" ]; then
    grep '^@ ' "$records" >"$tmp/cases"
    { echo "# \`code\`'s whole output for every operator: tests/cmd/code-all.sh"
      while IFS= read -r line; do
          echo "$line"
          code_of "${line#@ }"
      done <"$tmp/cases"; } >"$tmp/new"
    cp "$tmp/new" "$records"
    finish
fi

cases=0
ops=
: >"$tmp/then"
settings=
compare() {
    [ -n "$settings" ] || return 0
    code_of "$settings" >"$tmp/now"
    cmp -s "$tmp/then" "$tmp/now" || {
        fail "code $settings: the output changed"
        diff "$tmp/then" "$tmp/now" | head -20 >&2
    }
}
while IFS= read -r line; do
    case $line in
    '@ '*)
        compare
        settings=${line#@ }
        cases=$((cases + 1))
        ops="$ops $(printf '%s\n' "$settings" | sed -n 's/.*op=\([a-z0-9]*\).*/\1/p')"
        : >"$tmp/then"
        ;;
    '| '* | '|')
        printf '%s\n' "$line" >>"$tmp/then"
        ;;
    esac
done <"$records"
compare
# every operator the program knows has records
printf '%s\nhelp ops\n' "$matrices" | "$POOLVIZ" repl | sed -n 's/^  \([a-z0-9]*\)  .*/\1/p' >"$tmp/names"
[ -s "$tmp/names" ] || fail "help ops lists no operator"
while IFS= read -r name; do
    case " $ops " in
    *" $name "*) ;;
    *) fail "code-all.txt has no record for $name" ;;
    esac
done <"$tmp/names"
[ "$cases" -ge 100 ] || fail "$records: only $cases records"
finish
