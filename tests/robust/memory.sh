#!/bin/sh
# memory.sh - memory is bounded by the input, not by what it claims or by
# how long a stream runs: /dev/zero as text (a file, stdin, the REPL's load
# and set samples) fails at its first NUL byte; a tiny PNG that claims
# 16000x16000 pixels fails before that picture's memory is allocated; the
# REPL prints a big matrix row by row instead of building its text whole.
# Peaks are measured with /usr/bin/time -f %M (kilobytes).  So that a
# regression cannot eat the shared machine's memory before the test sees
# it, the streams run with a small --max-elements (the NUL check does not
# depend on it) and, without sanitizers (which need a large address
# space), under ulimit -v of 1 GiB.
. "$(dirname "$0")/lib.sh"
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f %M true > /dev/null 2>&1; then
    echo "$0: GNU time (/usr/bin/time -f %M) is not installed; skipping" >&2
    exit 77
fi
small="--max-elements 4000000"
vlimit=unlimited
build_has sanitizers || vlimit=1048576

# peak ARGS...: run poolviz under time; $status, $peak (KB), $work/stderr.
peak() {
    (ulimit -v "$vlimit" && exec timeout -s KILL 60 /usr/bin/time -o "$work/time" -f %M \
        "$POOLVIZ" "$@") < "${stdin:-/dev/null}" > "$work/stdout" 2> "$work/stderr"
    status=$?
    peak=$(tail -n 1 "$work/time")
    case $peak in ''|*[!0-9]*) peak=999999999 ;; esac
}

# The fixed overhead of starting poolviz (larger under sanitizers).
peak pool -m '1 2; 3 4'
base=$peak
limit=$((base + 32 * 1024))

check() {
    if [ "$status" -eq "$1" ] && grep -q -e "$2" "$work/stderr" && [ "$peak" -le "$limit" ]; then
        pass "$3 (peak $peak KB)"
    else
        fail "$3: status $status, peak $peak KB (limit $limit KB)"
    fi
}

# shellcheck disable=SC2086
peak pool $small /dev/zero
check 1 "/dev/zero:1:1: NUL byte" zero-file
# shellcheck disable=SC2086
stdin=/dev/zero peak pool $small -
check 1 "<stdin>:1:1: NUL byte" zero-stdin
printf 'A = load /dev/zero\n' > "$work/load.txt"
# shellcheck disable=SC2086
peak repl $small "$work/load.txt"
check 1 "NUL byte" zero-repl-load
printf 'set samples /dev/zero\n' > "$work/samples.txt"
# shellcheck disable=SC2086
peak repl $small "$work/samples.txt"
check 1 "NUL byte" zero-repl-samples

# 80 bytes claiming 16000x16000 gray pixels (2 GB as float64).
peak pool "$top_srcdir/tests/errors/data/claims-16000x16000.png"
check 1 "not enough image data" png-claim

# A window far wider than the input (kernel 65535, dilation 2264, padding
# same on one cell: a span of about 148 million cells) used to size the
# fast kernels' scratch by the window: over 1 GB.  Scratch is bounded by
# the input and the output, for every operator of the windowed family.
for op in max min avg sum l2 lp stochastic softpool lse median mixed; do
    peak pool -m '5' --op "$op" -k 65535 --dilation 2264 --padding same
    if [ "$status" -eq 0 ] && [ "$(cat "$work/stdout")" = 5 ] && [ "$peak" -le "$limit" ]; then
        pass "huge-window-$op (peak $peak KB)"
    else
        fail "huge-window-$op: status $status, output $(cat "$work/stdout"), peak $peak KB (limit $limit KB)"
    fi
done
# 40001 row taps 3000 apart, padding same: each window meets one input row
"$POOLVIZ" pool -m '1 2 3; 4 5 6' -k 1x3 --padding same -s 1 --op max > "$work/narrow"
peak pool -m '1 2 3; 4 5 6' -k 40001x3 --dilation 3000x1 --padding same -s 1 --op max
if [ "$status" -eq 0 ] && cmp -s "$work/stdout" "$work/narrow" && [ "$peak" -le "$limit" ]; then
    pass "huge-window-rows (peak $peak KB)"
else
    fail "huge-window-rows: status $status, peak $peak KB (limit $limit KB)"
fi

# show A all: the text of 2.25 million values (about 18 MB) is not held
# whole: the peak grows by the matrix (18 MB) and little more.
printf 'A = range 1500x1500\n' > "$work/range.txt"
peak repl "$work/range.txt"
matrix_only=$peak
printf 'A = range 1500x1500\nshow A all\n' > "$work/show.txt"
peak repl "$work/show.txt"
lines=$(wc -l < "$work/stdout")
if [ "$status" -eq 0 ] && [ "$lines" -ge 1500 ] && [ "$peak" -le $((matrix_only + 6 * 1024)) ]; then
    pass "show-streams (peak $peak KB, $matrix_only KB without show)"
else
    fail "show-streams: status $status, $lines lines, peak $peak KB, $matrix_only KB without show"
fi

finish
