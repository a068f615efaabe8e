#!/bin/sh
# stdout.sh - output lost on stdout is an error, as in GNU tools: every
# command that prints (--help and --version included) checks the flush and
# close of stdout at exit, and says why with the subject <stdout> in one
# line, exit 1.  A file output on a full device names the file.  A missing
# TMPDIR does not matter: nothing goes through a temporary folder.
. "$(dirname "$0")/lib.sh"

if [ ! -c /dev/full ]; then
    echo "$0: no /dev/full here; skipping" >&2
    exit 77
fi
full='poolviz: error: <stdout>: cannot write: No space left on device'

# full NAME ARGS...: stdout on /dev/full; exit 1 and exactly the one line.
full() {
    name=$1
    shift
    "$POOLVIZ" "$@" < "${stdin:-/dev/null}" > /dev/full 2> "$work/stderr"
    status=$?
    if [ "$status" -eq 1 ] && [ "$(cat "$work/stderr")" = "$full" ]; then
        pass "$name"
    else
        fail "$name: exit $status, stderr: $(head -c 300 "$work/stderr")"
    fi
}

full "--help" --help
full "--version" --version
full "help pool" help pool
full "pool --help" pool --help
full "repl --help" repl --help
full "render --help" render --help
full "lesson --help" lesson --help
full "lesson --list" lesson --list
full "lesson --check" lesson --check
full "lesson --text" lesson 1 --text
full "pool to stdout" pool -m '1 2;3 4' -k 1
full "grad to stdout" grad -m '1 2;3 4' -k 2
full "bench" bench --shape 1x1x8x8 --repeat 3
printf 'A = range 4x4\nshow A\n' > "$work/script"
stdin=$work/script full "repl show (one buffer)" repl
# More than stdio's buffer: the first failure happens inside a write.
printf 'A = range 300x300\nshow A all\n' > "$work/script"
stdin=$work/script full "repl show (many buffers)" repl
stdin=$work/script full "repl script file" repl "$work/script"

# A closed stdout is an error once something was to be written.
"$POOLVIZ" --version >&- 2> "$work/stderr"
status=$?
if [ "$status" -eq 1 ] && [ "$(wc -l < "$work/stderr")" -eq 1 ] &&
        grep -q '^poolviz: error: <stdout>: cannot write: ' "$work/stderr"; then
    pass "closed stdout"
else
    fail "closed stdout: exit $status"
fi

# An output file on a full device is named as given.
run 30 pool -m '1 2;3 4' -k 1 -o /dev/full --to txt
if clean_error 1 "poolviz: error: /dev/full: cannot write: No space left on device"; then
    pass "-o /dev/full names the file"
else
    fail "-o /dev/full names the file"
fi

# TMPDIR pointing nowhere: binary output to stdout and files still work.
for to in png npy; do
    TMPDIR=$work/missing "$POOLVIZ" pool -m '1 2;3 4' -k 1 --to $to > "$work/out/o.$to" \
        2> "$work/stderr"
    status=$?
    if [ "$status" -eq 0 ] && [ -s "$work/out/o.$to" ] && [ ! -s "$work/stderr" ]; then
        pass "missing TMPDIR: --to $to on stdout"
    else
        fail "missing TMPDIR: --to $to on stdout (exit $status)"
    fi
done
TMPDIR=$work/missing run 60 render -m '1 2;3 4' -k 1 --step 1 -o "$work/out/s.png"
if [ "$status" -eq 0 ] && [ -s "$work/out/s.png" ]; then
    pass "missing TMPDIR: render -o"
else
    fail "missing TMPDIR: render -o (exit $status)"
fi

finish
