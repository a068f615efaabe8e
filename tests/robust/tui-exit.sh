#!/bin/sh
# tui-exit.sh - the stepper gives the terminal back on every way out: q,
# Ctrl-C, SIGTERM to the process, a fatal signal (in the lesson player too),
# and failures inside the running stepper
# (in a --enable-alloc-faults build: every allocation from the N-th on
# fails, for N across the whole session).
#
# "Given back" means: the terminal modes are restored (stty: icanon echo),
# the alternate screen is left, the cursor is visible again, the keypad
# and mouse modes are off.  Drives poolviz through tmux with the TUI tests'
# library (tests/tui/tui-lib.sh).
lib="${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"
if [ ! -f "$lib" ]; then
    echo "tui-exit: tests/tui/tui-lib.sh is missing; skipping" >&2
    exit 77
fi
. "$lib"
: "${top_builddir:=.}"

flag() {
    tmux -L "$tui_socket" display -p -t tui "#{$1}" 2>/dev/null
}

# The terminal after poolviz exited.
restored() {
    problem=
    tui_wait "tty: icanon echo" 5 || problem="terminal modes not restored"
    [ "$(flag alternate_on)" = 0 ] || problem="$problem; still on the alternate screen"
    [ "$(flag cursor_flag)" = 1 ] || problem="$problem; cursor hidden"
    [ "$(flag keypad_flag)" != 1 ] || problem="$problem; keypad mode left on"
    [ "$(flag keypad_cursor_flag)" != 1 ] || problem="$problem; cursor keys mode left on"
    [ "$(flag mouse_any_flag)" != 1 ] || problem="$problem; mouse reporting left on"
    [ -z "$problem" ] && return 0
    echo "  $problem"
    return 1
}

# The process id of poolviz in the pane (the pane runs sh, which runs env,
# which execs poolviz).
poolviz_pid() {
    pane=$(flag pane_pid)
    ps -o pid= --ppid "$pane" 2>/dev/null | head -n 1 | tr -d ' '
}

first="max(1, 2, 5, 6) = 6"
second="max(3, 4, 7, 8) = 8"

tui_start 100 30 --
check "q: stepper is up" tui_wait "$first"
tui_keys n
check "q: a step works" tui_wait "$second"
tui_keys q
check "q: ends it" tui_wait_exit
check "q: exit status 0" test "$tui_status" = 0
check "q: terminal given back" restored

tui_start 100 30 --
check "Ctrl-C: stepper is up" tui_wait "$first"
tui_keys C-c
check "Ctrl-C: ends it" tui_wait_exit
check "Ctrl-C: exit status 130" test "$tui_status" = 130
check "Ctrl-C: terminal given back" restored

tui_start 100 30 --
check "Ctrl-C in help: stepper is up" tui_wait "$first"
tui_keys '?'
sleep 0.5
tui_keys C-c
check "Ctrl-C in help: ends it" tui_wait_exit
check "Ctrl-C in help: terminal given back" restored

tui_start 100 30 --
check "SIGTERM: stepper is up" tui_wait "$first"
pid=$(poolviz_pid)
if [ -n "$pid" ]; then
    kill -TERM "$pid"
    check "SIGTERM: ends it" tui_wait_exit
    check "SIGTERM: exit status 143 (128 + SIGTERM)" test "$tui_status" = 143
    check "SIGTERM: terminal given back" restored
else
    check "SIGTERM: poolviz process found" false
fi

tui_start 100 30 --
check "SIGTERM in the command line: stepper is up" tui_wait "$first"
tui_type ":set op av"
tui_wait ":set op av" 5
pid=$(poolviz_pid)
if [ -n "$pid" ]; then
    kill -TERM "$pid"
    check "SIGTERM in the command line: ends it" tui_wait_exit
    check "SIGTERM in the command line: exit status 143" test "$tui_status" = 143
    check "SIGTERM in the command line: terminal given back" restored
else
    check "SIGTERM in the command line: poolviz process found" false
fi

tui_start 100 30 --
check ":quit: stepper is up" tui_wait "$first"
tui_type ":quit"
tui_keys Enter
check ":quit: ends it" tui_wait_exit
check ":quit: exit status 0" test "$tui_status" = 0
check ":quit: terminal given back" restored

# A fatal signal (a crash, a failed assert, the stack protector's abort) in
# the stepper and in the lesson player: the process dies of it, and the
# terminal is given back first.  (A stack overflow in the answer parser once
# left the terminal raw, on the alternate screen.)
for sig in SEGV ABRT; do
    for where in stepper lesson; do
        if [ "$where" = stepper ]; then
            tui_start 100 30 --
            up=$first
        else
            tui_start 130 36 POOLVIZ_DATADIR="${POOLVIZ_DATADIR:-$top_srcdir}" -- lesson 3
            up="max(6, 1, 3, 7) = 7"
        fi
        check "SIG$sig in the $where: it is up" tui_wait "$up"
        [ "$where" = lesson ] && { tui_keys a; tui_wait "answer to question" 5; }
        pid=$(poolviz_pid)
        if [ -n "$pid" ]; then
            kill -"$sig" "$pid"
            check "SIG$sig in the $where: ends it" tui_wait_exit
            case $sig in SEGV) want=139 ;; ABRT) want=134 ;; esac
            # under ASan its own SEGV handler runs next: it reports and exits
            # 1, or aborts (134) when ASAN_OPTIONS has abort_on_error=1 (CI)
            if [ "$sig" = SEGV ] && { [ "$tui_status" = 1 ] || [ "$tui_status" = 134 ]; } &&
                tui_screen | grep -q 'Sanitizer'; then
                want=$tui_status
            fi
            check "SIG$sig in the $where: dies of the signal ($want)" test "$tui_status" = "$want"
            check "SIG$sig in the $where: terminal given back" restored
        else
            check "SIG$sig in the $where: poolviz process found" false
        fi
    done
done

# Allocation failures inside the stepper.  From the N-th allocation on,
# everything fails: the stepper either ends with an error or keeps going
# (saying what failed); either way q or the failure itself ends it with
# the terminal given back and no crash.  Each run steps once and runs
# `:pool A`; the walk ends when three runs in a row do both normally.
if grep -q '^#define POOLVIZ_ALLOC_FAULTS 1' "$top_builddir/config.h" 2>/dev/null; then
    n=1 normal=0
    while [ "$n" -le 600 ] && [ "$normal" -lt 3 ]; do
        tui_start 100 30 "POOLVIZ_FAIL_ALLOC=$n" --
        i=0
        while [ $i -lt 50 ] && ! tui_screen | grep -qF -e "$first" -e "poolviz exited"; do
            sleep 0.1
            i=$((i + 1))
        done
        was_normal=no
        if ! tui_screen | grep -qF "poolviz exited"; then
            tui_keys n
            sleep 0.3
            tui_screen | grep -qF "$second" && stepped=yes || stepped=no
            tui_type ":pool A"
            tui_keys Enter
            sleep 0.3
            [ "$stepped" = yes ] && tui_screen | grep -qF "14 16" && was_normal=yes
            tui_keys Escape q
            tui_wait_exit 3 || { tui_keys q; tui_wait_exit 3; } ||
                { tui_keys C-c; tui_wait_exit 5; }
            [ "$tui_status" = 0 ] || was_normal=no
        else
            tui_wait_exit 1
        fi
        case $tui_status in
            0|1|130) ok=yes ;;
            *) ok=no ;;
        esac
        if [ "$ok" = no ] || ! restored > /dev/null; then
            check "allocation $n failing: a clean exit (got '${tui_status}') and terminal given back" false
            break
        fi
        if [ "$was_normal" = yes ]; then normal=$((normal + 1)); else normal=0; fi
        n=$((n + 1))
    done
    check "allocation failures 1 to $((n - 1)): clean endings" test "$normal" -ge 3
else
    echo "# allocation failures skipped: this build has no --enable-alloc-faults"
fi

tui_finish
