#!/bin/sh
# bilinear.sh - the stepper on bilinear pooling of a 2-channel input: the
# entry (0, 1) multiplies channel 0 by channel 1, and the input panel shows
# both (channel 1's value under each of channel 0's); the panels stay where
# they are from step to step (the input box is as wide as its longest
# title), at 80x24 and 120x40.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

printf '[0]\n1 2\n3 4\n[1]\n5 6\n7 8\n' > "$tui_dir/two.txt"

# The column where the input box starts (its top-left corner).
box_column() {
    tui_screen | sed -n 2p | awk '{ print index($0, "┌") }'
}

# No "×N" in the input panel (the formula below has its own products).
no_second_channel() {
    ! tui_screen | sed -n 3,10p | grep -q "×[0-9]"
}

for size in "120 40" "80 24"; do
    set -- $size
    tui_start "$1" "$2" -- --op bilinear "$tui_dir/two.txt"
    check "$1x$2: entry (0, 0) is channel 0 alone" tui_wait "input 2x2x2, channel 0 "
    check "$1x$2: its formula" tui_wait "(1*1 + 2*2 + 3*3 + 4*4) / 4 = 7.5"
    first=$(box_column)
    tui_keys n
    check "$1x$2: entry (0, 1) names both channels" \
        tui_wait "input 2x2x2, channel 0, × channel 1 under it"
    check "$1x$2: channel 1's values show under channel 0's" tui_has "×5 *×6"
    check "$1x$2: and on the next row" tui_has "×7 *×8"
    check "$1x$2: its formula" tui_wait "(1*5 + 2*6 + 3*7 + 4*8) / 4 = 17.5"
    check "$1x$2: the input box has not moved" [ "$(box_column)" = "$first" ]
    tui_keys n
    check "$1x$2: entry (1, 0): channel 0 under channel 1" \
        tui_wait "input 2x2x2, channel 1, × channel 0 under it"
    check "$1x$2: channel 0's values under channel 1's" tui_has "×1 *×2"
    tui_keys n
    check "$1x$2: entry (1, 1) is channel 1 alone" tui_wait "step 4/4"
    check "$1x$2: no second channel under it" no_second_channel
    check "$1x$2: the input box still has not moved" [ "$(box_column)" = "$first" ]
    tui_keys q
    check "$1x$2: quits" tui_wait_exit
done

tui_finish
