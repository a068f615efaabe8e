#!/bin/sh
# interrupt.sh - Ctrl-C (SIGINT) or SIGTERM during long batch work: poolviz
# stops promptly with exit 128 + the signal (130 for SIGINT, 143 for
# SIGTERM, in every command) and one "poolviz: error: ... interrupted" line,
# writes no output file and leaves no temporary file; a file it was about
# to replace keeps its old content.
#
# The work is a large generated .npy pooled with a costly operator
# (stochastic pooling with large overlapping windows); if a
# run ends before the signal arrives, the next, heavier one is tried.
. "$(dirname "$0")/lib.sh"
in=$work/in
mkdir -p "$in"

# A background job of a non-interactive shell starts with SIGINT ignored,
# and poolviz rightly keeps it so; undo that for the program under test.
if env --default-signal=INT true > /dev/null 2>&1; then
    launch="env --default-signal=INT,TERM"
else
    set -m      # job control: background jobs keep the default handlers
    launch=
fi

# big N: an N×N float32 .npy (every value 0x3f3f3f3f, about 0.75), linked
# as $in/big.npy.
make_big() {
    file=$in/big-$1.npy
    if [ ! -f "$file" ]; then
        { npy_header '<f4' "($1, $1)"
          head -c $(( $1 * $1 * 4 )) /dev/zero | tr '\000' '\077'
        } > "$file"
    fi
    ln -sf "$file" "$in/big.npy"
}

# attempt SIGNAL DELAY ARGS...: run poolviz in the background, send SIGNAL
# after DELAY seconds.  Sets $outcome: "finished" (it ended before the
# signal), "ok", or a problem.
attempt() {
    sig=$1 delay=$2
    shift 2
    $launch "$POOLVIZ" "$@" < /dev/null > "$work/stdout" 2> "$work/stderr" &
    pid=$!
    sleep "$delay"
    if ! kill -0 "$pid" 2> /dev/null; then
        wait "$pid"
        outcome=finished
        return
    fi
    kill -s "$sig" "$pid"
    start=$(date +%s)
    # It must stop within 10 seconds.
    ticks=0
    while kill -0 "$pid" 2> /dev/null && [ "$ticks" -lt 100 ]; do
        sleep 0.1
        ticks=$((ticks + 1))
    done
    if kill -0 "$pid" 2> /dev/null; then
        kill -s KILL "$pid"
        wait "$pid"
        outcome="still running 10 seconds after SIG$sig"
        return
    fi
    wait "$pid"
    status=$?
    echo "  SIG$sig: exit $status $((ticks / 10)).$((ticks % 10)) s after the signal"
    case $sig in
        INT) expected=130 ;;
        TERM) expected=143 ;;
    esac
    if clean_error "$expected" "interrupted"; then
        outcome=ok
    else
        outcome="wrong ending after SIG$sig"
    fi
}

# case NAME SIGNAL ARGS...: try the sizes until one run is long enough.
case_interrupt() {
    name=$1 sig=$2
    shift 2
    for size in 1024 2048 4096; do
        make_big "$size"
        rm -rf "$work/out" && mkdir "$work/out"
        [ -n "${keep:-}" ] && printf 'old content\n' > "$work/out/$keep"
        attempt "$sig" 1 "$@"
        [ "$outcome" = finished ] || break
    done
    if [ "$outcome" = finished ]; then
        echo "  even the largest run ended within a second; nothing to interrupt"
        fail "$name"
    elif [ "$outcome" != ok ]; then
        echo "  $outcome"
        fail "$name"
    elif [ -n "${keep:-}" ] && { [ "$(ls -A "$work/out")" != "$keep" ] ||
                                 [ "$(cat "$work/out/$keep")" != "old content" ]; }; then
        fail "$name: the file it was replacing changed: $(ls -A "$work/out" | tr '\n' ' ')"
    else
        pass "$name (size $size)"
    fi
}

o=$work/out
case_interrupt sigint-while-pooling INT pool "$in/big.npy" --op stochastic -k 31 -s 1 \
    --threads 1 \
    -o "$o/out.npy"
case_interrupt sigterm-while-pooling TERM pool "$in/big.npy" --op stochastic -k 31 -s 1 \
    --threads 1 -o "$o/out.npy"
case_interrupt sigint-while-writing-text INT pool "$in/big.npy" -k 1 -o "$o/out.txt"
case_interrupt sigterm-while-writing-text TERM pool "$in/big.npy" -k 1 -o "$o/out.txt"
case_interrupt sigterm-grad TERM grad "$in/big.npy" --op stochastic -k 31 -s 1 --threads 1 \
    -o "$o/dx.npy"
keep=out.npy
case_interrupt sigint-keeps-old-file INT pool "$in/big.npy" --op stochastic -k 31 -s 1 \
    --threads 1 -o "$o/out.npy"
case_interrupt sigterm-keeps-old-file TERM pool "$in/big.npy" --op stochastic -k 31 -s 1 \
    --threads 1 -o "$o/out.npy"
keep=

# waiting SIGNAL NAME ARGS...: poolviz reads stdin from a FIFO kept open
# and silent; the signal ends the wait with 128 + the signal.
waiting() {
    sig=$1 name=$2
    shift 2
    rm -rf "$work/out" "$work/fifo" && mkdir "$work/out" && mkfifo "$work/fifo"
    $launch "$POOLVIZ" "$@" < "$work/fifo" > "$work/stdout" 2> "$work/stderr" &
    pid=$!
    exec 3> "$work/fifo"
    sleep 1
    kill -s "$sig" "$pid"
    wait "$pid"
    status=$?
    exec 3>&-
    case $sig in
        INT) expected=130 ;;
        TERM) expected=143 ;;
    esac
    if clean_error "$expected" "interrupted"; then
        pass "$name"
    else
        fail "$name"
    fi
}
waiting TERM sigterm-reading-stdin pool - -o "$o/out.txt"
waiting INT sigint-reading-stdin pool - -o "$o/out.txt"
printf 'A = load /dev/stdin\n' > "$in/load.txt"
waiting TERM sigterm-repl-script repl "$in/load.txt"
waiting INT sigint-repl-script repl "$in/load.txt"

finish
