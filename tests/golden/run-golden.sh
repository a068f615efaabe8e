#!/bin/sh
# run-golden.sh - golden tests of the poolviz command line.
#
# Each case is a set of files in this folder, named after the case:
#   NAME.args   the arguments, one per line (an empty file: no arguments)
#   NAME.stdin  optional: standard input (otherwise /dev/null)
#   NAME.check  optional: a shell script run after the command, in an empty
#               temporary folder; its output is appended to the command's.
#               It may use $POOLVIZ, $tmp (that folder) and $data.  Exit 77
#               skips the case (a tool it needs is missing).
#   NAME.out    the expected standard output (of the command, then the check)
# In arguments, @DATA@ stands for the data folder and @TMP@ for the case's
# temporary folder.  A case passes when the command exits 0, writes nothing
# on stderr, and the output equals NAME.out byte for byte.
#
# Environment: POOLVIZ (the program), top_srcdir (the source tree).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
here="$top_srcdir/tests/golden"
data="$here/data"

if [ -z "${POOLVIZ:-}" ] || [ ! -x "$POOLVIZ" ]; then
    echo "run-golden: POOLVIZ is not set to the built program; skipping" >&2
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-golden.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
export POOLVIZ data

passed=0
failed=0
skipped=0
failed_names=

# Run the arguments in $1 (a file, one per line) with stdin $2, stdout to $3,
# stderr to $4; the exit status is left in $status.
run_args() {
    args_file=$1 stdin_file=$2 out_file=$3 err_file=$4
    # Build the argument list in the positional parameters, line by line.
    set --
    while IFS= read -r line || [ -n "$line" ]; do
        line=$(printf '%s' "$line" | sed -e "s|@DATA@|$data|g" -e "s|@TMP@|$tmp|g")
        set -- "$@" "$line"
    done < "$args_file"
    "$POOLVIZ" "$@" < "$stdin_file" > "$out_file" 2> "$err_file"
    status=$?
}

for expected in "$here"/*.out; do
    [ -e "$expected" ] || continue
    name=$(basename "$expected" .out)
    tmp="$work/$name"
    mkdir -p "$tmp"
    actual="$work/$name.actual"
    errors="$work/$name.stderr"
    : > "$actual"
    : > "$errors"
    problem=

    if [ -f "$here/$name.args" ]; then
        stdin=/dev/null
        [ -f "$here/$name.stdin" ] && stdin="$here/$name.stdin"
        run_args "$here/$name.args" "$stdin" "$actual" "$errors"
        if [ "$status" -ne 0 ]; then
            problem="exit status $status"
        elif [ -s "$errors" ]; then
            problem="wrote on stderr"
        fi
    fi
    if [ -z "$problem" ] && [ -f "$here/$name.check" ]; then
        (cd "$tmp" && tmp="$tmp" sh "$here/$name.check") >> "$actual" 2>> "$errors"
        status=$?
        if [ "$status" -eq 77 ]; then
            echo "SKIP: $name ($(tail -n 1 "$errors"))"
            skipped=$((skipped + 1))
            continue
        elif [ "$status" -ne 0 ]; then
            problem="check script failed with status $status"
        fi
    fi
    if [ -z "$problem" ] && ! cmp -s "$expected" "$actual"; then
        problem="output differs"
    fi

    if [ -z "$problem" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        echo "FAIL: $name: $problem"
        if [ -f "$here/$name.args" ]; then
            printf '  args:'
            tr '\n' ' ' < "$here/$name.args"
            echo
        fi
        if [ -s "$errors" ]; then
            echo "  stderr:"
            sed 's/^/    /' "$errors" | head -n 10
        fi
        if [ "$problem" = "output differs" ]; then
            diff -u "$expected" "$actual" | sed 's/^/  /' | head -n 40
        fi
    fi
done

[ "$failed" -eq 0 ] || echo "failed cases:$failed_names"
[ "$skipped" -eq 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
[ "$passed" -gt 0 ] || { echo "run-golden: no case ran" >&2; exit 99; }
exit 0
