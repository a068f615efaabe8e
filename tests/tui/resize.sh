#!/bin/sh
# resize.sh - redraw on resize: a terminal too small for the stepper says
# what size it needs, and the stepper comes back when it grows.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

tui_start 100 30 --
check "stepper is up" tui_wait "max(1, 2, 5, 6) = 6"
tui_keys n
check "second step" tui_wait "step 2/4"

tui_resize 30 8
check "too small: says what it needs" tui_wait "needs at least 80×24"
check "too small: says what it has" tui_wait "this terminal is 30×8"
check "the stepper is not drawn" tui_wait_gone "step 2/4"
tui_keys n
tui_resize 100 30
check "grown again: the stepper is back" tui_wait "max(3, 4, 7, 8) = 8"
check "keys were ignored while too small" tui_wait "step 2/4"
check "the message is gone" tui_wait_gone "needs at least"

tui_resize 80 24
check "the minimum size draws the stepper" tui_wait "step 2/4"
check "with the formula" tui_wait "max(3, 4, 7, 8) = 8"
check "the status line is whole" tui_wait "dilation 1"
check "the key hints are whole" tui_wait "o size"
tui_keys o
check "o shows the output-size panel" tui_wait "output size (o)"
check "with its formula" tui_wait "floor -> 1 + 1 = 2"
tui_keys o
tui_resize 79 24
check "one column less is too small" tui_wait "this terminal is 79×24"
tui_resize 80 23
check "one row less is too small" tui_wait "this terminal is 80×23"
tui_resize 100 30
check "100x30 draws the stepper" tui_wait "max(3, 4, 7, 8) = 8"

tui_resize 30 8
check "too small again" tui_wait "needs at least"
tui_keys q
check "q quits even when too small" tui_wait_exit
check "exit status 0" test "$tui_status" = 0

tui_finish
