#!/bin/sh
# graphics.sh - pictures as sixel graphics where the terminal shows them
# (--graphics, `set graphics`), symbols elsewhere with a one-line note.
# tmux shows no sixels here: what poolviz writes is read from pipe-pane's
# log, and the picture's cells are blank on tmux's screen.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

cat_png="$top_srcdir/assets/cat.png"
log="$tui_dir/out.log"
esc=$(printf '\033')

# What poolviz writes from now on, in $log (logging again empties it, once
# the screen has been still for a moment: tmux hands the pane's output to
# the pipe asynchronously, and a loaded machine may still be delivering
# what was drawn before).
logging() {
    if [ -z "$piped" ]; then
        : > "$log"
        tmux_ pipe-pane -t tui "cat >> '$log'"
        piped=yes
    else
        settled=0
        while [ "$settled" -lt 20 ]; do
            size=$(wc -c < "$log")
            sleep 0.1
            [ "$(wc -c < "$log")" = "$size" ] && break
            settled=$((settled + 1))
        done
        sleep 0.2
        : > "$log"
    fi
}
sixels_written() {     # a sixel picture: DCS P1;P2;P3 q ... ST
    grep -q -- "${esc}P[0-9;]*q" "$log"
}
no_sixels_written() {
    ! sixels_written
}
# Half blocks or quadrants: a picture drawn as symbols.
symbols_shown() {
    tui_screen | sed -n 3,20p | grep -q '[▄▀▌▐▖▗▘▝▚▞]'
}
no_symbols_shown() {
    ! symbols_shown
}

# A terminal libchafa knows to show sixels (xterm's terminfo for curses).
piped=
tui_start 100 30 TERM=xterm-256color TERM_PROGRAM=WezTerm -- "$cat_png"
check "the picture view opens" tui_wait "input 256×256"
logging
tui_keys n
check "n: the step redrawn" tui_wait "step 2/16384"
check "the pictures are written as sixels" tui_wait_for sixels_written
check "their cells are blank for curses" no_symbols_shown
check "no note: the terminal shows them" tui_lacks "not known to show"
tui_type ":set graphics symbols"
tui_keys Enter
check ":set graphics symbols draws symbols" tui_wait_for symbols_shown
logging
tui_keys n
check "and writes no sixels" tui_wait "step 3/16384"
check "(none in the log)" no_sixels_written
tui_type ":set graphics sixel"
tui_keys Enter
check ":set graphics sixel draws sixels again" tui_wait_for sixels_written
check "the symbols are gone" tui_wait_for no_symbols_shown
tui_type ":set graphics kitty"
tui_keys Enter
check ":set graphics kitty on a sixel terminal: a note" \
    tui_wait "TERM=xterm-256color is not known to show kitty graphics"
check "and symbols" tui_wait_for symbols_shown
tui_type ":set graphics sixels"
tui_keys Enter
check "a misspelt mode is refused with a suggestion" tui_wait "did you mean sixel?"
tui_keys q
check "q quits" tui_wait_exit
check "with status 0" test "$tui_status" = 0

# Auto on a terminal without graphics: symbols, no note.
tui_start 100 30 -- "$cat_png"
check "auto on tmux: symbols" tui_wait_for symbols_shown
check "no note" tui_lacks "not known to show"
tui_keys q
check "q quits" tui_wait_exit

# --graphics kitty where the terminal does not show it: symbols, one-line note.
tui_start 100 30 -- --graphics kitty "$cat_png"
check "--graphics kitty on tmux: the note" \
    tui_wait "TERM=tmux-256color is not known to show kitty graphics: symbols instead"
check "symbols drawn" tui_wait_for symbols_shown
tui_keys q
check "q quits" tui_wait_exit

# The lesson page on a sixel terminal (auto): the cat as sixels there too.
piped=
tui_start 100 30 TERM=xterm-256color TERM_PROGRAM=WezTerm POOLVIZ_DATADIR="$POOLVIZ_DATADIR" \
    -- lesson 01-what-is-pooling
check "the lesson opens" tui_wait "cat 256×256"
logging
tui_keys s
check "s: question 1 revealed, the page redrawn" tui_wait "The answer is"
check "its pictures written as sixels" tui_wait_for sixels_written
tui_keys q
check "q quits" tui_wait_exit
tui_finish
