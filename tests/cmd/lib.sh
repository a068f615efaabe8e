# lib.sh - shared by the command language's shell tests: a temporary folder,
# failure counting, and comparisons that show what differed.
# Sourced; sets $tmp and defines fail, check_status, check_file, finish.

if [ -z "$POOLVIZ" ] || [ ! -x "$POOLVIZ" ]; then
    echo "POOLVIZ is not set to the built program (run through make check)" >&2
    exit 99
fi
LC_ALL=${LC_ALL:-C.UTF-8}
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-cmd.XXXXXX") || exit 99
failures=0
cleanup_extra=:
trap 'eval "$cleanup_extra"; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# check_status NAME WANT GOT
check_status() {
    [ "$2" = "$3" ] || fail "$1: exit status $3, expected $2"
}

# check_file NAME EXPECTED GOT
check_file() {
    if ! cmp -s "$2" "$3"; then
        fail "$1 differs:"
        diff -u "$2" "$3" >&2 || :
    fi
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    echo "all passed"
    exit 0
}
