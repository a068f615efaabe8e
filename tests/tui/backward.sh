#!/bin/sh
# backward.sh - the stepper's backward view (key b) through a real terminal
# (tmux): where each window's dL/dy goes, the formula with its numbers, dL/dx
# filling in, overlapping windows adding up, and back to the forward pass.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

tui_start 100 32 --
check "the forward pass first" tui_wait "max(1, 2, 5, 6) = 6"
tui_keys b
check "b shows the backward pass: max routes dy to its winner" \
    tui_wait "dx[1,1] += 1 · dy[0,0] = 1"
check "the title says so" tui_has "max pooling, backward pass"
check "the losers get nothing, in words" tui_has "the other 3 cells"
check "the input grid shows dL/dx so far" tui_has "dL/dx so far, input 4x4"
check "the output grid shows dL/dy" tui_has "dL/dy = 1, output 2x2"
tui_keys n
check "n: the next window's winner" tui_wait "dx[1,3] += 1 · dy[0,1] = 1"
check "the status line follows" tui_has "step 2/4"
tui_type ":set op avg"
tui_keys Enter
check "avg spreads dy over the window" tui_wait "dx[r,c] += dy[0,1] / 4 = 0.25"
check "for each of its cells" tui_has "for each of the 4 cells (r, c) of the window"
tui_type ":set op lp"
tui_keys Enter
check "lp writes dy/dx out" tui_wait "dy/dx = sign(x) · (|x| / y)^(p-1)"
check "with the numbers of each cell" tui_has "dx\[0,2\] += (|3| / "
tui_keys b
check "b again: the forward pass" tui_wait "lp = ("
tui_keys q
check "q quits" tui_wait_exit

# k=3, s=2: the shared middle column receives from two windows.
tui_start 100 32 -- -m '1 2 3 4 5; 6 7 8 9 10; 11 12 13 14 15; 16 17 18 19 20; 21 22 23 24 25' \
    -k 3 -s 2 --op avg
tui_keys b
check "the first window's share" tui_wait "dx[r,c] += dy[0,0] / 9 = 0.11111111"
tui_keys n
check "the second window adds to the shared column" \
    tui_wait "dx[0,2] = 0.11111111 + 0.11111111 = 0.22222222"
check "and says why" tui_has "overlap: the shares add up"
check "the grid shows the sum" tui_has "0.22222222"
tui_keys p
check "p goes back: the sum is undone" tui_wait "dx[r,c] += dy[0,0] / 9 = 0.11111111"
check "no overlap yet at the first window" tui_lacks "0.22222222"
tui_keys End
check "End: the last window, where the four windows' shares meet" \
    tui_wait "dx[2,2] = 0.33333333 + 0.11111111 = 0.44444444"
tui_keys q
check "q quits" tui_wait_exit
# A picture: dL/dx as a heat map over it.
tui_start 100 32 -- "$top_srcdir/assets/cartoon.png" --gray -k 4
check "the picture view opens" tui_wait "input 256×256"
tui_keys b
check "b: dL/dx as a heat map over the picture" tui_wait "dL/dx heat map, 0 .. 1"
check "with the window's routing in the formula" tui_wait "dx[0,0] += 1 · dy[0,0] = 1"
tui_keys b
check "b again: the picture" tui_wait "input 256×256"
tui_keys q
check "q quits" tui_wait_exit
tui_finish
