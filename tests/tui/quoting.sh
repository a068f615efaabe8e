#!/bin/sh
# quoting.sh - what curses draws from user text is quoted (src/core/quote.h):
# a lesson's title and text with C1 controls, DEL and a bidi override, and a
# file name with ESC, BEL and C1 in the stepper.  The pane's raw output is
# recorded (tmux pipe-pane) while the screen is redrawn whole, and must hold
# none of those bytes; the screen must show their quoted form.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

evil=$(printf 'e\033]0;T\007\302\233\177')
mkdir -p "$tui_dir/$evil"
printf '1 2\n3 4\n' > "$tui_dir/$evil/$evil.txt"
{
    printf '@title Evil \302\2350;PWN\302\234 title\177\n'
    printf '@summary s\n\n@page Page \302\233 one\n'
    printf 'Some text \302\23331m red \177 and \342\200\256 bidi.\n\n'
    printf '@matrix A\n1 2\n3 4\n@end\n@set op max\n@set kernel 2\n@run\n'
} > "$tui_dir/$evil/ev.lesson"

# raw_clean FILE: no C1 control, DEL, BEL or bidi override in the raw bytes
# the terminal received (curses' own ESC sequences are expected).
raw_clean() {
    ! LC_ALL=C grep -q "$(printf '\302[\200-\237]\|[\007\177]\|\342\200\256')" "$1"
}

# record: from now on the pane's output goes to $tui_dir/raw; a resize makes
# poolviz redraw everything.
record() {
    : > "$tui_dir/raw"
    tmux_ pipe-pane -t tui "cat >> '$tui_dir/raw'"
    tui_resize 99 35
    sleep 0.5
    tui_resize 100 36
}

tui_start 100 36 -- lesson "$evil/ev.lesson"
check "the lesson opens" tui_wait 'Evil \xc2\x9d0;PWN\xc2\x9c title\x7f'
record
check "the page text is shown quoted" tui_wait 'Some text \xc2\x9b31m red \x7f and'
check "a bidi override too" tui_has '\\xe2\\x80\\xae bidi.'
check "the page title too" tui_has 'Page \\xc2\\x9b one'
tui_keys q
check "q quits" tui_wait_exit
check "no raw control reached the terminal" raw_clean "$tui_dir/raw"
check "the recording holds the redraw" grep -q 'Some text' "$tui_dir/raw"

tui_start 100 36 -- "$evil/$evil.txt"
check "the stepper opens" tui_wait "max(1, 2, 3, 4) = 4"
record
check "the file name is shown quoted" tui_wait 'e\e]0;T\a\xc2\x9b\x7f.txt'
# A C1 control typed on the command line, and echoed by an error.
tui_keys :
tui_type "$(printf 'load n\302\235o.txt')"
check "the command line shows it quoted" tui_wait 'load n\xc2\x9do.txt'
tui_keys Enter
check "the error quotes it" tui_wait "give a name: NAME = load n\\xc2\\x9do.txt"
tui_keys q
check "q quits" tui_wait_exit
check "no raw control reached the terminal" raw_clean "$tui_dir/raw"

tui_finish
