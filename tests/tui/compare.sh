#!/bin/sh
# compare.sh - the compare screen (:compare): operators side by side on
# one input, the region in step, numbers and pictures; and what the
# cartoon's pictures show of max, avg and min (lesson 2): max keeps the
# bright outlines, min erases them, read from the colours on the screen.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

# ---- numbers, 80x24 -------------------------------------------------------------
tui_start 80 24 --
check "the stepper starts" tui_wait "max(1, 2, 5, 6) = 6"
tui_type ":compare A max avg min"
tui_keys Enter
check ":compare opens the compare screen" tui_wait "formulas for this step"
check "one box per operator's output" tui_has "max: output 2x2.*avg: output 2x2.*min: output 2x2"
check "the shared input once, without a panel's name" tui_has "┌ input 4x4"
check "max's formula" tui_has "max(1, 2, 5, 6) = 6"
check "avg's formula" tui_has "avg = (1 + 2 + 5 + 6) / 4 = 3.5"
check "min's formula" tui_has "min(1, 2, 5, 6) = 1"
check "the differing cells counted" tui_has "max and avg differ in 4 of 4 cells; max and min differ in 4 of 4"
check "step 1/4 on the status line" tui_has "step 1/4"
tui_keys n
check "n steps every panel: max" tui_wait "max(3, 4, 7, 8) = 8"
check "n steps every panel: avg" tui_has "avg = (3 + 4 + 7 + 8) / 4 = 5.5"
check "n steps every panel: min" tui_has "min(3, 4, 7, 8) = 3"
check "step 2/4" tui_has "step 2/4"
tui_keys End
check "End: the last region in every panel" tui_wait "min(11, 12, 15, 16) = 11"
tui_keys p
check "p steps every panel back" tui_wait "avg = (9 + 10 + 13 + 14) / 4 = 11.5"
tui_keys g
tui_type "0,1"
tui_keys Enter
check "g 0,1 goes to output (0, 1) in every panel" tui_wait "min(3, 4, 7, 8) = 3"
tui_keys v
check "v: pictures" tui_wait "pictures  step 2/4"
tui_keys v
check "v again: numbers" tui_wait "numbers  step 2/4"
tui_keys Escape
check "Esc goes back to the stepper" tui_wait_gone "formulas for this step"
check "which kept its own step" tui_has "max(1, 2, 5, 6) = 6"
tui_type ":compare A max avg min sum l2"
tui_keys Enter
check "five operators are refused" tui_wait "give two to four operators"
tui_type ":compare A max lp p=2 k=1"
tui_keys Enter
check "settings on the line: kernel 1" tui_wait "step 1/16"
check "two panels" tui_has "max: output 4x4.*lp: output 4x4"
tui_keys q
check "q goes back" tui_wait_gone "formulas for this step"
tui_keys q
check "the stepper quits" tui_wait_exit
check "with status 0" test "$tui_status" = 0

# ---- the cartoon's outlines, 120x40 ---------------------------------------------------
if ! command -v python3 >/dev/null 2>&1; then
    echo "# no python3: the colour checks of the pictures are skipped"
    tui_finish
fi
colours() {
    tui_screen -e | python3 "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/cellcolours.py" "$@"
}
# The panels' columns: four pictures, 2 columns apart, over 120 columns.
pw=$(( (120 - 2 * 3) / 4 ))
panel() {   # panel K: its columns
    echo $(( $1 * (pw + 2) )) $(( $1 * (pw + 2) + pw ))
}
# Colours in the ring's palette mark the region; the rest are the picture's.
is_ring() {
    case "$1" in 255,255,0|0,255,255|255,0,255) return 0 ;; esac
    return 1
}
# The brightest colour a panel shows (not the ring's).
brightest() {
    colours $(panel "$1") 2 33 | while read -r rgb n; do
        is_ring "$rgb" && continue
        echo "$rgb" | awk -F, '{ printf "%d %s\n", 299 * $1 + 587 * $2 + 114 * $3, $0 }'
    done | sort -n | tail -n 1 | cut -d' ' -f2
}
shows() {   # panel K shows colour RGB
    colours $(panel "$1") 2 33 | grep -q "^$2 "
}

tui_start 120 40 COLORTERM= -- "${top_srcdir:-$(dirname "$0")/../..}/assets/cartoon.png" -k 4
check "the cartoon opens as a picture" tui_wait "input 256×256"
tui_type ":compare A max min"
tui_keys Enter
check "max and min of the cartoon as pictures" tui_wait "pictures  step 1/12288"
tui_keys g
tui_type "20,20"
tui_keys Enter
check "g moves both panels" tui_wait "step 1301/12288"
# Three panels: the input, max, min.
pw=$(( (120 - 2 * 2) / 3 ))
outline=$(brightest 0)
check "the input crop holds a bright outline ($outline)" test -n "$outline"
check "max keeps the outline's colour" shows 1 "$outline"
lacks() {
    ! shows "$@"
}
check "min erases it" lacks 2 "$outline"
tui_keys v
check "v: the numbers of the same step" tui_wait "max: output 3x64x64, plane [0,0]"
tui_finish
