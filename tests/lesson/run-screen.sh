#!/bin/sh
# The lesson player as a screen of the TUI, at 80x24 and 120x40: the demo
# drawn by the stepper's widgets keeps its padding and every output column;
# ':' on a page tries settings on the lesson's matrix in the stepper and Esc
# comes back; the cells an open question asks about stay '?' there too,
# until the question is answered.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"
: "${POOLVIZ_DATADIR:?POOLVIZ_DATADIR is not set}"

escapes_lack() {
    ! tui_screen -e | grep -q -- "$1"
}

# A cell right of the text panel whose colour is clearly green (green above
# red and blue by 30), read from tmux's colours.
green_on_page() {
    tui_screen -e |
        python3 "$top_srcdir/tests/tui/cellcolours.py" $(( $1 * 2 / 5 )) "$1" 2 $(( $2 - 3 )) |
        awk -F'[, ]' '$2 > $1 + 30 && $2 > $3 + 30 { found = 1 } END { exit !found }'
}

for size in "80 24" "120 40"; do
    set -- $size
    w=$1 h=$2
    # Lesson 5, page 3: a 5x5 input with padding 1, a 3x3 output of wide numbers.
    tui_start "$w" "$h" POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson --page 3 05-output-size
    check "$w x $h: the page opens" tui_wait "poolviz lesson: How big is the output?"
    check "$w x $h: the size question keeps the output's shape" tui_has "question 4 asks for its size"
    tui_keys s
    check "$w x $h: revealed, the output shows" tui_wait "output 3x3"
    check "$w x $h: both padding columns and the input's" tui_has "│ *-1  *0  *1  *2  *3  *4  *5 │"
    check "$w x $h: every output column" tui_has "│ *0  *1  *2 │"
    check "$w x $h: the first output row whole (question 5 asks its cell)" \
        tui_has "│ 0  *?  *·  *· │"
    tui_keys q
    check "$w x $h: q quits" tui_wait_exit
    check "$w x $h: exit status 0" test "$tui_status" = 0

    # Lesson 2, page 2: v shows the demo's cartoon in colour; Esc comes back.
    tui_start "$w" "$h" POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson --page 2 02-the-cartoonist
    check "$w x $h: lesson 2 opens on page 2" tui_wait "page 2/3"
    check "$w x $h: the hints name v" tui_has "v picture"
    check "$w x $h: the page draws the cartoon and its average" tui_has "cartoon 256×256 .*avg 64×64"
    check "$w x $h: in colour (256-colour escapes on the picture's cells)" \
        tui_escapes_have "[34]8;5;[0-9]*m *[▄▌▐▀▖▗▘▝▚▞]"
    tui_keys +
    check "$w x $h: + zooms into the same pixel scale" tui_wait "same pixel scale 1:1 around"
    tui_keys 0
    check "$w x $h: 0 shows the whole picture again" tui_wait "the whole picture, input and"
    tui_keys v
    check "$w x $h: v shows the cartoon as a picture" tui_wait "input 256×256  RGB"
    check "$w x $h: in colour (256-colour escapes on the picture's cells)" \
        tui_escapes_have "[34]8;5;[0-9]*m *▄"
    tui_keys Escape
    check "$w x $h: Esc comes back to the page" tui_wait "pages seen 1/3"
    tui_keys q
    check "$w x $h: q quits" tui_wait_exit

    # Lesson 1: the cat on the page, its green eyes in colour.
    tui_start "$w" "$h" POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson 01-what-is-pooling
    check "$w x $h: lesson 1 draws the cat on its page" tui_wait "cat 256×256"
    check "$w x $h: the output's size stays a secret" tui_has "output ?"
    if command -v python3 >/dev/null 2>&1; then
        check "$w x $h: the cat's green eyes (a cell clearly green)" green_on_page "$w" "$h"
    fi
    tui_keys s s
    check "$w x $h: answered, the pooled cat shows" tui_wait "max 32×32"
    tui_keys q
    check "$w x $h: q quits" tui_wait_exit

    # Lesson 3: ':' tries settings on the lesson's matrix; Esc comes back.
    tui_start "$w" "$h" POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson 03-max-average-min
    check "$w x $h: lesson 3 opens" tui_wait "poolviz lesson: Max, average and min"
    check "$w x $h: the hints name ':'" tui_has ": try settings"
    tui_keys :
    check "$w x $h: ':' opens the command line" tui_wait "max pooling"
    tui_type "set op avg"
    tui_keys Enter
    check "$w x $h: the student's settings apply" tui_wait "now: avg"
    check "$w x $h: on the lesson's matrix" tui_has "avg = (4 + 1 + 3 + 8) / 4 = 4"
    tui_keys n
    check "$w x $h: the hints say how to come back" tui_wait "Esc back to the lesson"
    tui_keys :
    tui_type "set op max"
    tui_keys Enter
    tui_keys Home
    check "$w x $h: max: question 2's cell stays ?" tui_wait "max(4, 1, 3, 8) = ?"
    check "$w x $h: and says which question asks" tui_has "question 2 asks for this"
    tui_keys End
    tui_wait "max(6, 1, 3, 7) = 7"
    check "$w x $h: question 1's cell stays ? in the grid" tui_has "│ 1  *[?]  *7  *│"
    check "$w x $h: and so does question 2's" tui_has "│ 0  *[?]  *5  *│"
    tui_keys v
    check "$w x $h: the picture view draws no output picture while a question asks" \
        tui_wait "a lesson question asks about"
    tui_keys Escape
    check "$w x $h: Esc comes back to the page" tui_wait "questions right 0/8"
    check "$w x $h: the page as it was" tui_has "One matrix, three summaries"
    tui_keys a
    check "$w x $h: the answer prompt" tui_wait "answer to question 1:"
    tui_type 2
    tui_keys Enter
    check "$w x $h: answered" tui_wait "questions right 1/8"
    tui_keys :
    tui_type "set op max"
    tui_keys Enter
    tui_keys End
    tui_wait "max(6, 1, 3, 7) = 7"
    check "$w x $h: answered, question 1's cell shows its value" tui_has "│ 1  *2  *7  *│"
    check "$w x $h: question 2's still ?" tui_has "│ 0  *[?]  *5  *│"
    tui_keys Escape
    check "$w x $h: back again" tui_wait "questions right 1/8"
    tui_keys q
    check "$w x $h: q quits" tui_wait_exit
    check "$w x $h: exit status 0" test "$tui_status" = 0
    check "$w x $h: the terminal is restored" tui_has "tty: icanon echo"
done

# From the stepper, ':lesson' opens the lesson on the same screen, q comes back.
tui_start 100 30 POOLVIZ_DATADIR="$POOLVIZ_DATADIR" --
check "the stepper opens" tui_wait "max(1, 2, 5, 6) = 6"
tui_keys :
tui_type "lesson 3"
tui_keys Enter
check ":lesson opens the lesson" tui_wait "poolviz lesson: Max, average and min"
tui_keys q
check "q comes back to the stepper" tui_wait "max(1, 2, 5, 6) = 6"
tui_keys q
check "q quits" tui_wait_exit
check "exit status 0" test "$tui_status" = 0
tui_finish
