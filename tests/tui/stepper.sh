#!/bin/sh
# stepper.sh - the stepper's first screen, stepping, the command line and
# quitting, through a real terminal (tmux).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

tui_start 100 30 --

check "first screen shows the first region's formula" tui_wait "max(1, 2, 5, 6) = 6"
check "status line shows step 1/4" tui_wait "step 1/4"
check "status line shows the operator and window" \
    tui_has 'max .*kernel 2×2.*stride 2×2.*padding 0.*dilation 1'
check "the output grid starts with the first value only" tui_wait "this output"

tui_keys n
check "n steps to the second region" tui_wait "max(3, 4, 7, 8) = 8"
check "status follows" tui_wait "step 2/4"
tui_keys Right
check "Right steps on" tui_wait "max(9, 10, 13, 14) = 14"
tui_keys Space
check "Space steps on" tui_wait "step 4/4"
tui_keys p
check "p goes back" tui_wait "max(9, 10, 13, 14) = 14"
tui_keys Left
check "Left goes back" tui_wait "max(3, 4, 7, 8) = 8"
tui_keys End
check "End shows the last step" tui_wait "max(11, 12, 15, 16) = 16"
check "End: step 4/4" tui_wait "step 4/4"
tui_keys Home
check "Home shows the first step" tui_wait "max(1, 2, 5, 6) = 6"

tui_keys g
check "g asks for an output cell" tui_wait "go to output row,col"
tui_type "1,0"
tui_keys Enter
check "g 1,0 goes to the third region" tui_wait "max(9, 10, 13, 14) = 14"
tui_keys Home

tui_keys '?'
check "? opens the help" tui_wait "poolviz help"
tui_keys q
check "q closes the help" tui_wait "max(1, 2, 5, 6) = 6"

tui_type ":"
check ": opens the command line" tui_wait_gone "n next"
tui_type "set op avg"
tui_keys Enter
check ":set op avg re-plans the stepper" tui_wait "avg = (1 + 2 + 5 + 6) / 4 = 3.5"
check "the status line follows the new operator" tui_wait "avg │ kernel 2×2"
tui_type ":set kernel 9"
tui_keys Enter
check "a setting that does not fit is an error, the stepper goes on" \
    tui_wait "keeps the previous settings"
check "and still shows avg" tui_wait "avg = (1 + 2 + 5 + 6) / 4 = 3.5"
# The rejected kernel is not kept: the next :set applies alone.
tui_type ":set op sum"
tui_keys Enter
check "after a rejected :set, the next one applies" tui_wait "sum = 1 + 2 + 5 + 6 = 14"
tui_type ":show settings"
tui_keys Enter
check ":show settings opens" tui_wait "count-include-pad"
check ":show settings lists the kept kernel, not the rejected one" tui_lacks "kernel 9"
tui_keys q
tui_type ":set op avg"
tui_keys Enter
check "back to avg" tui_wait "avg = (1 + 2 + 5 + 6) / 4 = 3.5"
tui_type ":nonsense"
tui_keys Enter
check "an unknown command is reported on the message line" tui_wait "nonsense"
tui_type ":B = [[1,2],[3,4]]"
tui_keys Enter
tui_type ":step B"
tui_keys Enter
check ":step B switches the stepper to B" tui_wait "avg = (1 + 2 + 3 + 4) / 4 = 2.5"
tui_type ":pool A"
tui_keys Enter
check ":pool A shows its output in the pager" tui_wait "13.5"
tui_keys q
check "q closes the pager" tui_wait_gone "13.5"
tui_type ":compare A max avg min"
tui_keys Enter
check ":compare A shows the operators side by side" tui_wait "max and min differ in 4 of 4 cells"
check "with their names over their outputs" tui_has "max  *avg  *min"
tui_keys q
check "q closes the comparison" tui_wait_gone "differ in 4 of 4"
tui_type ":set op max"
tui_keys Escape
check "Esc cancels the command line" tui_wait "n next"
check "and the line did not run" tui_wait "avg = (1 + 2 + 3 + 4) / 4 = 2.5"
tui_type ":set op mi"
tui_keys C-g
check "Ctrl-G cancels the command line too" tui_wait "n next"
tui_type ":set op mix"
tui_keys Tab
check "Tab completes an operator name" tui_wait ":set op mixed"
tui_keys C-g
tui_type ":"
tui_keys Up
check "Up recalls the last command line" tui_wait ":compare A max avg min"
tui_keys C-g
check "the command history is kept in XDG_STATE_HOME" \
    grep -q "^set op avg$" "$tui_dir/state/poolviz/history"
tui_type ":set op min"
tui_keys Enter
check "min before a history search" tui_wait "min(1, 2, 3, 4) = 1"
tui_type ":"
tui_keys C-r
tui_type "op av"
check "Ctrl-R searches the history" tui_wait "reverse-i-search"
tui_keys Enter
check "Enter runs the line found" tui_wait "avg = (1 + 2 + 3 + 4) / 4 = 2.5"
tui_type ":code"
tui_keys Enter
check ":code shows the PyTorch call" tui_wait "torch"
tui_keys q

tui_type ":step A"
tui_keys Enter
check "back to A" tui_wait "step 1/4"
tui_keys r
check "r runs the steps by itself" tui_wait "done: all 4 steps shown" 20
check "and stops at the last one" tui_wait "step 4/4"
tui_keys r
check "r at the end starts again from the first step" tui_wait_gone "step 4/4"
tui_keys x
sleep 1
check "any key stops the run" tui_wait_gone "ms/step"
tui_keys - -
check "- slows the run down" tui_wait "run speed: 1200 ms per step"
tui_keys + + +
check "+ speeds it up" tui_wait "run speed: 300 ms per step"
tui_keys o
check "o shows the output-size panel" tui_wait "output size (o)"
tui_keys o
check "o hides it again" tui_wait_gone "output size (o)"

tui_keys q
check "q quits" tui_wait_exit
check "exit status 0" test "$tui_status" = 0
check "the terminal is restored (canonical mode, echo)" tui_wait "tty: icanon echo"
check "the alternate screen is left" \
    test "$(tui_alternate_screen)" = 0

# Global and adaptive windows have no padding: the status line does not
# speak of it, even with --no-count-include-pad.
tui_start 120 40 -- --op avg --global --no-count-include-pad
check "global avg opens" tui_wait "avg = (1 + 2 + 3 + 4"
check "global: no 'padding not counted'" tui_lacks "padding not counted"
tui_keys q
check "q quits" tui_wait_exit
tui_start 120 40 -- --op avg --adaptive 2x2 --no-count-include-pad
check "adaptive avg opens" tui_wait "avg = (1 + 2 + 5 + 6) / 4 = 3.5"
check "adaptive: no 'padding not counted'" tui_lacks "padding not counted"
tui_keys q
check "q quits" tui_wait_exit

tui_finish
