# lib.sh - shared by the tests in tests/robust (sourced, POSIX sh).
#
# Environment (from `make check`): POOLVIZ, top_srcdir, top_builddir.
# Each test gets a fresh folder $work (removed at exit) with $work/out, the
# only place a case may write to; a failing case must leave it empty.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
if [ -z "${POOLVIZ:-}" ] || [ ! -x "$POOLVIZ" ]; then
    echo "$0: POOLVIZ is not set to the built program; skipping" >&2
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-robust.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/out"

# Under AddressSanitizer a failed huge allocation returns NULL as malloc
# does, rather than ending the program: that is the path these tests check.
if grep -q '^SANITIZER_CFLAGS = .*-fsanitize=address' "$top_builddir/Makefile" 2>/dev/null; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
    export ASAN_OPTIONS
fi

passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "ok: $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    if [ -s "$work/stderr" ]; then
        echo "  stderr:"
        head -n 8 "$work/stderr" | sed 's/^/    /'
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] || exit 1
    [ "$passed" -gt 0 ] || { echo "$0: no case ran" >&2; exit 99; }
    exit 0
}

# True if this build was configured with the given switch
# (sanitizers, alloc-faults, fuzzing).
build_has() {
    case $1 in
        alloc-faults) grep -q '^#define POOLVIZ_ALLOC_FAULTS 1' "$top_builddir/config.h" ;;
        sanitizers) grep -q '^SANITIZER_CFLAGS = .*-fsanitize=address' "$top_builddir/Makefile" ;;
        *) return 1 ;;
    esac
}

# Run poolviz with a time limit; sets $status, stdout/stderr in $work.
# run SECONDS ARGS...
run() {
    limit=$1
    shift
    if command -v timeout > /dev/null 2>&1; then
        timeout -s KILL "$limit" "$POOLVIZ" "$@" < "${stdin:-/dev/null}" \
            > "$work/stdout" 2> "$work/stderr"
    else
        "$POOLVIZ" "$@" < "${stdin:-/dev/null}" > "$work/stdout" 2> "$work/stderr"
    fi
    status=$?
}

# The last run failed cleanly: exit status $1, exactly one stderr line
# "poolviz: error: ..." containing $2 (if not empty), no file in $work/out
# (but $keep, a file that was there before, if set).
# Prints the problem and returns 1 otherwise.
clean_error() {
    problem=
    if [ "$status" -ne "$1" ]; then
        problem="exit status $status, expected $1"
        [ "$status" -ge 128 ] && problem="$problem (killed by signal $((status - 128)))"
    elif [ "$(wc -l < "$work/stderr")" -ne 1 ]; then
        problem="$(wc -l < "$work/stderr") lines on stderr, expected one"
    elif ! grep -q '^poolviz: error: ..*' "$work/stderr"; then
        problem="stderr is not a 'poolviz: error:' line"
    elif [ -n "$2" ] && ! grep -F -q -e "$2" "$work/stderr"; then
        problem="the message lacks '$2'"
    elif [ -n "$(ls -A "$work/out" | grep -v -x -F "${keep:-/}")" ]; then
        problem="left files behind: $(ls -A "$work/out" | tr '\n' ' ')"
    fi
    [ -z "$problem" ] && return 0
    echo "  $problem"
    return 1
}

# Write a .npy header (version 1.0, padded to 64 bytes) for DESCR and the
# Python tuple SHAPE, e.g. npy_header '<f4' '(2, 3)'.
npy_header() {
    dict="{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
    len=$(( ${#dict} + 1 ))
    pad=$(( (64 - (10 + len) % 64) % 64 ))
    hlen=$(( len + pad ))
    printf '\223NUMPY\001\000'
    printf "\\$(printf '%03o' $((hlen % 256)))\\$(printf '%03o' $((hlen / 256)))"
    printf '%s' "$dict"
    printf "%${pad}s\n" ''
}
