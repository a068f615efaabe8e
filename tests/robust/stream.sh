#!/bin/sh
# stream.sh - text read from a stream is parsed as it arrives: runs of
# blanks, line ends or a comment of any length are passed over without
# being held, a word that no number could be (over 1024 bytes) is refused
# at once where it starts, and values are counted against --max-elements
# as they come.  Each stream is made by a bounded generator; peaks are
# measured with /usr/bin/time -f %M (kilobytes) and, without sanitizers,
# the program runs under ulimit -v of 1 GiB, so that a regression fails
# here rather than eating the machine's memory.
. "$(dirname "$0")/lib.sh"
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f %M true > /dev/null 2>&1; then
    echo "$0: GNU time (/usr/bin/time -f %M) is not installed; skipping" >&2
    exit 77
fi
vlimit=unlimited
build_has sanitizers || vlimit=1048576
size=256M            # bytes per stream: 268435456
bytes=268435456

# GENERATOR | peak ARGS...: runs poolviz; then measured sets $status,
# $peak (KB) and $seconds (whole), with $work/stdout and $work/stderr.  The
# last command of a pipeline may run in a subshell, so peak keeps what it
# finds in files.
peak() {
    (ulimit -v "$vlimit" && exec timeout -s KILL 60 /usr/bin/time -o "$work/time" \
        -f '%M %e' "$POOLVIZ" "$@") > "$work/stdout" 2> "$work/stderr"
    echo $? > "$work/status"
}

measured() {
    status=$(cat "$work/status")
    peak=$(tail -n 1 "$work/time" | cut -d' ' -f1)
    seconds=$(tail -n 1 "$work/time" | cut -d' ' -f2 | cut -d. -f1)
    case $peak in ''|*[!0-9]*) peak=999999999 ;; esac
    case $seconds in ''|*[!0-9]*) seconds=999 ;; esac
}

peak pool -m '1 2; 3 4' < /dev/null
measured
limit=$((peak + 16 * 1024))

# check STATUS PATTERN NAME: the exit status, a line of stderr (or stdout
# for status 0) matching PATTERN, and the peak.
check() {
    measured
    out=$work/stderr
    [ "$1" -eq 0 ] && out=$work/stdout
    if [ "$status" -eq "$1" ] && grep -q -e "$2" "$out" && [ "$peak" -le "$limit" ]; then
        pass "$3 (peak $peak KB, $seconds s)"
    else
        fail "$3: status $status, peak $peak KB (limit $limit KB), stdout $(head -c 80 "$work/stdout")"
    fi
}

head -c "$size" /dev/zero | tr '\0' ' ' | peak pool -
check 1 "^poolviz: error: <stdin>:1:$((bytes + 1)): no numbers: the input is empty$" blanks

yes '' | head -c "$size" | peak pool -
check 1 "^poolviz: error: <stdin>:$((bytes + 1)):1: no numbers: the input is empty$" line-ends

{ printf '1 2\n\t# '; head -c "$size" /dev/zero | tr '\0' 'x'; } | peak pool - -k 1x2
check 0 "^2$" comment

{ yes '  # a comment' | head -c "$size"; printf '5\n'; } | peak pool - -k 1
check 0 "^5$" comments-then-a-value

printf 'A = load /dev/stdin\n' > "$work/load.txt"
head -c "$size" /dev/zero | tr '\0' '\n' | peak repl "$work/load.txt"
check 1 "no numbers: the input is empty" repl-load-line-ends

# Endless in effect: 3 GiB that must not be read to its end.
head -c 3G /dev/zero | tr '\0' '7' | peak pool -
check 1 "^poolviz: error: <stdin>:1:1: '777777777777777777777777...' runs on for more than 1024 bytes: no number is that long$" digit-run
[ "$seconds" -le 5 ] || fail "digit-run took $seconds s"

{ printf '1 2\n3 '; head -c 3G /dev/zero | tr '\0' 'x'; } | peak pool -
check 1 "^poolviz: error: <stdin>:2:3: 'xxxxxxxxxxxxxxxxxxxxxxxx...' runs on for more than 1024 bytes" word-run

yes '1 2 3 4' | head -c 3G | peak pool --max-elements 1000000 -
check 1 "^poolviz: error: <stdin>:250001:1: more than 1000000 values" values
[ "$seconds" -le 5 ] || fail "values took $seconds s"

finish
