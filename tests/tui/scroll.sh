#!/bin/sh
# scroll.sh - a 60x60 input scrolls: the region stays in view as the
# stepper moves, h/j/k/l scroll by hand, and the last step shows the
# bottom-right corner.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

# Rows of 60 numbers: r*60 + c + 1, so 1 .. 3600.
awk 'BEGIN { for (r = 0; r < 60; r++) { line = ""; for (c = 0; c < 60; c++)
        line = line (c ? " " : "") (r * 60 + c + 1); print line } }' > "$tui_dir/m60.txt"

tui_start 100 30 -- "$tui_dir/m60.txt"
check "stepper is up on the 60x60 input" tui_wait "max(1, 2, 61, 62) = 62"
check "900 steps" tui_wait "step 1/900"
check "the input's title names its shape" tui_wait "input 60x60"
check "the first rows are visible" tui_wait " 62 "
check "the view says which rows it shows" tui_wait "rows 0.."

tui_keys End
check "End: the last region's formula" tui_wait "max(3539, 3540, 3599, 3600) = 3600"
check "End: step 900/900" tui_wait "step 900/900"
check "the region scrolled into view (3599 and 3600 on screen)" \
    tui_has '3599 *3600'
check "and the row above it (3539 3540)" \
    tui_has '3539 *3540'
check "the bottom row label 59 is visible" \
    tui_has '│ *59 '

tui_keys Home
check "Home scrolls back to the top" tui_wait "max(1, 2, 61, 62) = 62"
# Row 1 of the input grid: its label, then 61 62 63.
row1() {
    tui_has '│ *1  *61  *62  *63 '
}
check "row 1 is visible again" row1
tui_keys j j j
sleep 0.5
check "j scrolls the input down by hand" tui_wait "rows 3.."
tui_keys n
check "the next step brings the region back into view" tui_wait "max(3, 4, 63, 64) = 64"
check "with row 1 on screen" row1
tui_keys Down
check "Down moves to the output cell below" tui_wait "max(123, 124, 183, 184) = 184"
tui_keys Tab
check "Tab on a one-plane input says so" tui_wait "one plane"
tui_keys q
check "quits" tui_wait_exit

tui_finish
