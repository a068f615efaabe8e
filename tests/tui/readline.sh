#!/bin/sh
# readline.sh - the REPL and the stepper's `:` line are one readline set-up
# (cmd/lineinput.c, lineinput_setup): the same completion, the same inputrc
# (read as "poolviz", its key bindings reaching the TUI's arrow keys too),
# one history file written by both, trimmed by both to the same limit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

# HOME is the test's folder: this is the inputrc both front ends read.
cat >"$tui_dir/.inputrc" <<'EOF'
$if poolviz
"\C-xs": "set op so"
"\e[A": history-search-backward
set history-size 5
$endif
EOF
history_file="$tui_dir/state/poolviz/history"
mkdir -p "$tui_dir/state/poolviz"
printf 'help\nhelp set\nhelp pool\nhelp op\n' >"$history_file"

# The last line with text on it, without its trailing blanks.
last_line() {
    tui_screen | sed '/^ *$/d' | tail -n 1 | sed 's/ *$//'
}

last_is() {
    [ "$(last_line)" = "$1" ]
}

history_lines() {
    [ "$(wc -l <"$history_file")" -eq "$1" ]
}

history_ends() {
    [ "$(tail -n 1 "$history_file")" = "$1" ]
}

# ---- the REPL ----------------------------------------------------------------
tui_start 100 30 -- repl
check "the REPL starts" tui_wait "poolviz>"
tui_keys C-x s Tab
check "REPL: the inputrc's macro, then Tab completes 'so' to softpool" \
    tui_wait_for last_is "poolviz> set op softpool"
tui_keys Enter
tui_type "range 1x2"
tui_keys Enter
check "REPL: a line runs" tui_wait_for last_is "poolviz>"
tui_type "set"
tui_keys Up
check "REPL: Up is the inputrc's history-search-backward" \
    tui_wait_for last_is "poolviz> set op softpool"
tui_keys C-e C-u C-d
check "REPL: Ctrl-D leaves" tui_wait_exit
check "REPL: the history file is trimmed to the inputrc's history-size" history_lines 5
check "REPL: its lines are in the history file" history_ends "range 1x2"

# ---- the stepper's command line: the same set-up -----------------------------
tui_start 100 30 --
check "the stepper starts" tui_wait "max(1, 2, 5, 6) = 6"
tui_type ":"
tui_keys C-x s Tab
check "TUI: the inputrc's macro, then Tab completes 'so' to softpool" \
    tui_wait_for last_is ":set op softpool"
tui_keys C-g
tui_type ":set"
tui_keys Up
check "TUI: Up is the inputrc's history-search-backward, over the REPL's lines" \
    tui_wait_for last_is ":set op softpool"
tui_keys C-g
tui_type ":"
tui_keys Up
check "TUI: Up without a prefix recalls the REPL's last line" \
    tui_wait_for last_is ":range 1x2"
tui_keys C-u
tui_type "xset op avgg"
tui_keys Home DC End Left BSpace
check "TUI: Home, Delete, End, Left and Backspace edit through readline's key map" \
    tui_wait_for last_is ":set op avg"
tui_keys Enter
check "TUI: the line runs" tui_wait "avg = (1 + 2 + 5 + 6) / 4 = 3.5"
tui_keys q
check "TUI: q leaves" tui_wait_exit
check "TUI: its line is in the history file" history_ends "set op avg"
check "TUI: the history file is trimmed to history-size as the REPL trims it" history_lines 5

# ---- the REPL again: the TUI's line is in its history ------------------------
tui_start 100 30 -- repl
check "the REPL starts again" tui_wait "poolviz>"
tui_keys Up
check "REPL: Up recalls the TUI's line" tui_wait_for last_is "poolviz> set op avg"
tui_keys C-u
# ---- one process: the REPL's stepper completes and recalls the same way ------
tui_type "A = range 4x4"
tui_keys Enter
tui_type "step A"
tui_keys Enter
check "REPL: step A opens the stepper" tui_wait "max(1, 2, 5, 6) = 6"
tui_type ":"
tui_keys Up
check "its ':' line recalls the REPL's last line" tui_wait_for last_is ":step A"
tui_keys C-u C-x s Tab
check "and completes as the REPL does" tui_wait_for last_is ":set op softpool"
tui_keys C-g q
check "back at the REPL's prompt" tui_wait_for last_is "poolviz>"
tui_type "pool A op=so"
tui_keys Tab
check "REPL: completion after the stepper" tui_wait_for last_is "poolviz> pool A op=softpool"
tui_keys C-u C-d
check "REPL: Ctrl-D leaves" tui_wait_exit

tui_finish
