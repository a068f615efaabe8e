#!/bin/sh
# signals.sh - Ctrl-C and SIGTERM end the stepper with the terminal
# restored (exit 130 and 143, 128 + the signal), and without a terminal the stepper says so in one
# line instead of drawing garbage.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

tui_start 100 30 --
check "stepper is up" tui_wait "max(1, 2, 5, 6) = 6"
tui_keys C-c
check "Ctrl-C ends the stepper" tui_wait_exit
check "exit status 130" test "$tui_status" = 130
check "the terminal is restored after Ctrl-C" tui_wait "tty: icanon echo"
check "the alternate screen is left after Ctrl-C" \
    test "$(tui_alternate_screen)" = 0

tui_start 100 30 --
check "stepper is up again" tui_wait "max(1, 2, 5, 6) = 6"
tui_type ":set op av"
check "Ctrl-C in the middle of a command line" tui_wait ":set op av"
tui_keys C-c
check "also ends the stepper" tui_wait_exit
check "exit status 130" test "$tui_status" = 130
check "the terminal is restored" tui_wait "tty: icanon echo"

tui_start 100 30 --
check "stepper is up for SIGTERM" tui_wait "max(1, 2, 5, 6) = 6"
pid=$(tmux -L "$tui_socket" -f /dev/null display -p -t tui '#{pane_pid}')
# The pane runs sh, which runs env, which execs poolviz: its child.
child=$(ps -o pid= --ppid "$pid" 2>/dev/null | head -n 1 | tr -d ' ')
if [ -n "$child" ]; then
    kill -TERM "$child"
    check "SIGTERM ends the stepper" tui_wait_exit
    check "exit status 143" test "$tui_status" = 143
    check "the terminal is restored after SIGTERM" tui_wait "tty: icanon echo"
else
    echo "# SIGTERM case skipped: no child process found"
fi

# No terminal: stdin from a pipe, stdout to a file.
out="$tui_dir/out.txt"
err="$tui_dir/err.txt"
echo "1 2; 3 4" | "$POOLVIZ" > "$out" 2> "$err"
status=$?
check "stdin not a terminal: exit 1" test "$status" = 1
check "one line on stderr" test "$(wc -l < "$err")" -eq 1
check "the line says the stepper needs a terminal" \
    grep -q "^poolviz: error: terminal: the stepper needs a terminal; use 'poolviz pool' for batch output$" "$err"
check "nothing on stdout" test ! -s "$out"
"$POOLVIZ" < /dev/null > "$out" 2> "$err"
status=$?
check "stdin /dev/null: exit 1" test "$status" = 1
check "and the same line" grep -q 'needs a terminal' "$err"
check "no escape sequences in the output" sh -c '! grep -q "$(printf "\033")" "$0" "$1"' "$out" "$err"
"$POOLVIZ" -k 0 < /dev/null > "$out" 2> "$err"
status=$?
check "a bad option is reported before the terminal: exit 2" test "$status" = 2
check "naming the option" grep -q -- '--kernel' "$err"

# A terminal without cursor addressing (TERM=dumb) or unknown to terminfo:
# one line and exit 1 before curses starts, for the stepper, a file and a
# lesson, instead of a title and a blind wait for keys.
printf '1 2\n3 4\n' > "$tui_dir/m.txt"
dumb_line="poolviz: error: TERM=dumb: this terminal cannot draw the stepper; use 'poolviz pool', 'poolviz repl' or 'poolviz lesson NAME --text'"
for dumb_args in "" "m.txt" "lesson 1"; do
    # shellcheck disable=SC2086
    tui_start 200 30 TERM=dumb -- $dumb_args
    check "TERM=dumb poolviz $dumb_args: exits at once" tui_wait_exit 10
    check "TERM=dumb poolviz $dumb_args: exit 1" test "$tui_status" = 1
    check "TERM=dumb poolviz $dumb_args: the line" tui_has "$dumb_line"
done
tui_start 100 30 TERM=no-such-terminal --
check "unknown TERM: exits at once" tui_wait_exit 10
check "unknown TERM: exit 1" test "$tui_status" = 1
check "unknown TERM: named" tui_has "TERM=no-such-terminal: this terminal cannot draw"

tui_finish
