#!/bin/sh
# The lesson player in a real terminal (tmux): the page beside the live
# stepper, a question answered wrong and then right, a revealed answer,
# paging, stepping, presenter mode, quitting with the terminal restored.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"
: "${POOLVIZ_DATADIR:?POOLVIZ_DATADIR is not set}"

tui_start 130 36 POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson 03-max-average-min
check "the lesson opens" tui_wait "poolviz lesson: Max, average and min"
check "the page's prose is shown" tui_wait "There are many ways to"
# The max/avg/min table (lines indented by two spaces) is kept as written,
# one row a line, cut at the panel's edge rather than re-wrapped.
check "an indented line keeps its columns" tui_has '│   max(R)       the largest value: "is the'
check "its next row follows it" tui_has '│   avg(R)       the mean value: "how much'
check "an indented line is cut, not wrapped" tui_lacks 'anywhere in here'
check "the demo's formula is shown" tui_wait "max(6, 1, 3, 7) = 7"
check "the first question is inline" tui_has "Question 1. What is the value of output cell (1,"
check "what follows an open question waits" tui_lacks "Question 2."
# Predict, then reveal: the cells questions 1 and 2 ask about show '?'.
tui_keys Home
check "question 2's cell: its result waits" tui_wait "max(4, 1, 3, 8) = ?"
check "and says which question asks" tui_has "question 2 asks for this"
tui_keys n n
check "question 1's cell: its result waits" tui_wait "max(0, 2, 1, 1) = ?"
tui_keys End
check "End: the last region" tui_wait "max(6, 1, 3, 7) = 7"
check "asked cell (0, 0) shows ?, (0, 1) its value" tui_has "│ 0  *[?]  *5  *│"
check "asked cell (1, 0) shows ?, (1, 1) its value" tui_has "│ 1  *[?]  *7  *│"

tui_keys a
check "a opens the answer prompt" tui_wait "answer to question 1:"
tui_type 7
tui_keys Enter
check "a wrong answer is refused" tui_wait "Not quite."
check "with a hint" tui_has "Hint: output cell (1, 0) covers rows 2 to 3"
check "nothing counted yet" tui_has "questions right 0/8"
tui_keys a
tui_type 2
tui_keys Enter
check "the right answer is accepted" tui_wait "Right: 2."
check "and counted" tui_wait "questions right 1/8"
check "the explanation follows" tui_has "max(0, 2, 1, 1) = 2"
check "and the rest of the page" tui_has "Question 2."

tui_keys End
tui_wait "questions right 1/8"
check "answered: question 1's cell shows its value" tui_has "│ 1  *2  *7  *│"
tui_keys s
check "s reveals the next question's answer" tui_wait "The answer is (1, 1)."
tui_keys Home
check "revealed: question 2's cell shows its value" tui_wait "max(4, 1, 3, 8) = 8"

tui_keys ']'
check "] turns the page" tui_wait "page 2/4"
check "page 2's demo" tui_wait "avg = (6 + 1 + 3 + 7) / 4 = 4.25"
tui_keys Home
check "Home: the first region, asked by question 3" tui_wait "avg = (4 + 1 + 3 + 8) / 4 = ?"
check "step 1/4" tui_has "step 1/4"
tui_keys n
check "n: the next region, asked by question 4" tui_wait "avg = (0 + 2 + 5 + 5) / 4 = ?"
check "which question asks" tui_has "question 4 asks for this"
tui_keys '['
check "[ goes back" tui_wait "page 1/4"
tui_keys q
check "q quits" tui_wait_exit
check "exit status 0" test "$tui_status" = 0
check "the terminal is restored" tui_has "tty: icanon echo"

# Presenter mode: a step demo's value stays hidden until a key.
tui_start 130 36 POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson --present --page 3 02-the-cartoonist
check "presenter: the page opens" tui_wait "A contour in numbers"
tui_keys Tab
check "Tab: the page's second demo" tui_wait "demo 2/3"
check "the value is hidden" tui_wait "avg = (9 + 1 + 9 + 1) / 4 = ?"
tui_keys n
check "n reveals it" tui_wait "avg = (9 + 1 + 9 + 1) / 4 = 5"
tui_keys q
check "q quits" tui_wait_exit
check "exit status 0" test "$tui_status" = 0

# Presenter mode: a run opens at its first region, not fully revealed.
tui_start 130 36 POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson --present 03-max-average-min
check "presenter: a run opens at step 1" tui_wait "step 1/4"
check "its first value hidden" tui_has "max(4, 1, 3, 8) = ?"
check "the later cells pending" tui_lacks "max(6, 1, 3, 7) = 7"
tui_keys q
check "q quits" tui_wait_exit

# Too small a terminal says what it needs.
tui_start 50 12 POOLVIZ_DATADIR="$POOLVIZ_DATADIR" -- lesson 3
check "a small terminal is told the size" tui_wait "the lesson player needs at least 72"
tui_keys q
check "q quits there too" tui_wait_exit
tui_finish
