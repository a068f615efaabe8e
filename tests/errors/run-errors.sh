#!/bin/sh
# run-errors.sh - the error corpus: one bad input per case.
#
# Each case is a set of files in this folder, named after the case:
#   NAME.args   the arguments, one per line (@DATA@ = the data folder,
#               @TMP@ = an empty temporary folder for the case)
#   NAME.stdin  optional: standard input (otherwise /dev/null)
#   NAME.exit   the expected exit status: 1 (data or I/O) or 2 (usage)
#   NAME.err    optional: text the error line must contain
# A case passes when poolviz exits with that status (never a signal, never
# >= 128), writes exactly one line on stderr that starts "poolviz: error: "
# and says something after it, writes nothing on stdout, and leaves the
# temporary folder empty (no output file, no temporary file).  A `pool` case
# without an output option runs a second time with `-o @TMP@/out.npy` added,
# which must fail the same way and create no file.
#
# Environment: POOLVIZ (the program), top_srcdir (the source tree).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
here="$top_srcdir/tests/errors"
data="$here/data"

if [ -z "${POOLVIZ:-}" ] || [ ! -x "$POOLVIZ" ]; then
    echo "run-errors: POOLVIZ is not set to the built program; skipping" >&2
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-errors.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
failed_names=

# Run the case's arguments; with $1 = "with-output", insert -o after "pool".
# Leaves the status in $status, stdout in $out, stderr in $err.
run_case() {
    variant=$1
    set --
    first=1
    while IFS= read -r line || [ -n "$line" ]; do
        line=$(printf '%s' "$line" | sed -e "s|@DATA@|$data|g" -e "s|@TMP@|$tmp|g")
        set -- "$@" "$line"
        if [ "$first" = 1 ] && [ "$variant" = with-output ]; then
            set -- "$@" -o "$tmp/out.npy"
        fi
        first=0
    done < "$here/$name.args"
    "$POOLVIZ" "$@" < "$stdin" > "$out" 2> "$err"
    status=$?
}

# Check the last run against the expectations; sets $problem.
check_run() {
    problem=
    if [ "$status" -ge 128 ] && [ "$status" != "$expected_exit" ]; then
        problem="exit status $status (a signal or a crash), expected $expected_exit"
    elif [ "$status" != "$expected_exit" ]; then
        problem="exit status $status, expected $expected_exit"
    fi
    lines=$(wc -l < "$err" | tr -d ' ')
    if [ -z "$problem" ] && [ "$lines" != 1 ]; then
        problem="$lines lines on stderr, expected exactly one"
    fi
    if [ -z "$problem" ]; then
        message=$(cat "$err")
        case "$message" in
            "poolviz: error: "?*) ;;
            *) problem="stderr does not start with 'poolviz: error: '" ;;
        esac
    fi
    if [ -z "$problem" ] && [ -s "$out" ]; then
        problem="wrote on stdout"
    fi
    if [ -z "$problem" ] && [ -f "$here/$name.err" ]; then
        want=$(cat "$here/$name.err")
        if ! grep -F -q -e "$want" "$err"; then
            problem="the message lacks '$want'"
        fi
    fi
    if [ -z "$problem" ] && [ -n "$(ls -A "$tmp")" ]; then
        problem="left files behind: $(ls -A "$tmp" | tr '\n' ' ')"
    fi
}

for args in "$here"/*.args; do
    [ -e "$args" ] || continue
    name=$(basename "$args" .args)
    if [ ! -f "$here/$name.exit" ]; then
        echo "FAIL: $name: no $name.exit"
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        continue
    fi
    expected_exit=$(tr -d ' \n' < "$here/$name.exit")
    stdin=/dev/null
    [ -f "$here/$name.stdin" ] && stdin="$here/$name.stdin"
    out="$work/$name.stdout"
    err="$work/$name.stderr"

    variants=plain
    if [ "$(head -n 1 "$args")" = pool ] &&
       ! grep -q -x -e '-o' -e '--output' -e '--output=.*' -e '--to' -e '--to=.*' \
           -e '--indices' -e '--indices=.*' "$args"; then
        variants="plain with-output"
    fi
    problem=
    for variant in $variants; do
        tmp="$work/$name.$variant"
        mkdir -p "$tmp"
        run_case "$variant"
        check_run
        if [ -n "$problem" ]; then
            [ "$variant" = plain ] || problem="with -o: $problem"
            break
        fi
    done

    if [ -z "$problem" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        echo "FAIL: $name: $problem"
        printf '  args:'
        tr '\n' ' ' < "$args"
        echo
        if [ -s "$err" ]; then
            echo "  stderr:"
            sed 's/^/    /' "$err" | head -n 10
        fi
        if [ -s "$out" ]; then
            echo "  stdout:"
            sed 's/^/    /' "$out" | head -n 5
        fi
    fi
done

# SIGTERM while poolviz waits for its input: exit 143 (128 + SIGTERM), one
# error line, no output file.
name=interrupted
tmp="$work/$name"
mkdir -p "$tmp"
out="$work/$name.stdout"
err="$work/$name.stderr"
sleep 3 | "$POOLVIZ" pool - -o "$tmp/out.txt" > "$out" 2> "$err" &
pid=$!
sleep 1
kill -TERM "$pid" 2> /dev/null
wait "$pid"
status=$?
expected_exit=143
check_run
if [ -z "$problem" ] && ! grep -q 'interrupted' "$err"; then
    problem="the message does not say 'interrupted'"
fi
if [ -z "$problem" ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    failed_names="$failed_names $name"
    echo "FAIL: $name: $problem"
    sed 's/^/    /' "$err" | head -n 5
fi

# Binary output to a terminal is refused (needs script(1) for a terminal).
name=binary-to-terminal
if script -q -e -c true /dev/null > /dev/null 2>&1; then
    out="$work/$name.stdout"
    script -q -e -c "'$POOLVIZ' pool -m '1 2; 3 4' --to npy" /dev/null > "$out" 2>&1
    status=$?
    if [ "$status" = 2 ] && grep -q 'poolviz: error: --to: ' "$out" &&
       ! grep -q 'NUMPY' "$out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        echo "FAIL: $name: exit status $status"
        sed 's/^/    /' "$out" | head -n 5
    fi
else
    echo "SKIP: $name (script(1) cannot give a terminal here)"
fi

[ "$failed" -eq 0 ] || echo "failed cases:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
[ "$passed" -gt 0 ] || { echo "run-errors: no case ran" >&2; exit 99; }
exit 0
