#!/bin/sh
# The plain-text player: one lesson printed without a terminal must match
# its golden file; --ask reads answers from stdin and says right, wrong
# (naming known mistakes) and the score.
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
tmp=${TMPDIR:-/tmp}/poolviz-lesson-text.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# 1. Golden: piped output is the plain-text lesson.
"$POOLVIZ" lesson 03-max-average-min </dev/null >"$tmp/out" 2>"$tmp/err" || fail "lesson 03 exited $?"
if ! diff -u "$top_srcdir/tests/lesson/golden/03-max-average-min.txt" "$tmp/out"; then
    fail "lesson 03 differs from tests/lesson/golden/03-max-average-min.txt"
fi
[ -s "$tmp/err" ] && fail "lesson 03 wrote to stderr: $(cat "$tmp/err")"

# 1b. --width N wraps the demos' headers too (prose, questions and headers;
# pictures drawn with characters keep their own width), and indented lines
# stay as written: lesson 3's max/avg/min table is not re-wrapped.
"$POOLVIZ" lesson --text --width 40 2 >"$tmp/narrow" || fail "--width 40 exited $?"
grep -c '>> ' "$tmp/narrow" | grep -qv '^0$' || fail "--width 40: no demo headers"
long=$(grep -n '^  >> \|^     [a-z]' "$tmp/narrow" | awk -F: 'length($0) - length($1) - 1 > 40')
[ -z "$long" ] || fail "--width 40: header lines past 40 columns: $long"
"$POOLVIZ" lesson --text --width 30 3 >"$tmp/narrow3" || fail "--width 30 exited $?"
grep -q '^  avg(R)       the mean value: "how much of it is here, on the whole?"$' "$tmp/narrow3" ||
    fail "--width 30: lesson 3's table line is not kept as written"

# 2. --no-answers leaves every answer out, keeps the questions.
"$POOLVIZ" lesson --text --no-answers 3 >"$tmp/sheet" || fail "--no-answers exited $?"
grep -q 'Answer:' "$tmp/sheet" && fail "--no-answers printed an answer"
[ "$(grep -c '?? Question' "$tmp/sheet")" -eq 8 ] || fail "--no-answers lost questions"

# 3. --ask: right, wrong then right, a known mistake, the score.
printf '%s\n' '(1, 1)' 1 5 3 5 0 | "$POOLVIZ" lesson --ask 9 >"$tmp/ask" 2>&1 ||
    fail "--ask exited $?"
grep -q 'Right: (1, 1)\.' "$tmp/ask" || fail "--ask: the right cell was not accepted"
grep -q 'Not quite: 1 is the probability of drawing 5; stochastic pooling' "$tmp/ask" ||
    fail "--ask: the probability-for-activation mistake was not named"
grep -q 'Right: 5\.' "$tmp/ask" || fail "--ask: the second try was not accepted"
grep -q '^Score: 5 of 5 questions right, 4 at the first try\.$' "$tmp/ask" ||
    fail "--ask: wrong score line"

# 4. The level-as-kernel mistake of spatial pyramid pooling (page 4 of 11).
printf '46\n21\n' | "$POOLVIZ" lesson --ask --page 4 11 >"$tmp/spp" 2>&1 || fail "--page 4 exited $?"
grep -q 'Not quite: 46 uses each level n as an n x n kernel' "$tmp/spp" ||
    fail "--ask: the spp level-as-kernel mistake was not named"
grep -q 'Right: 21\.' "$tmp/spp" || fail "--ask: 21 was not accepted"

# 5. Reasonable forms of the same answer (lesson 7, page 2: sqrt(10), sqrt(14)).
printf 'sqrt(10)\n3.74\n' | "$POOLVIZ" lesson --ask --page 2 7 >"$tmp/forms" 2>&1
[ "$(grep -c 'Right: ' "$tmp/forms")" -eq 2 ] || { fail "--ask: sqrt(10) / 3.74 not accepted"; cat "$tmp/forms"; }

# 6. Hostile answers: 62 digits then e5 once wrote past a 64-byte buffer; long
#    digit runs and exponents are numbers like any other, deep nesting is refused
#    with a reason, a line longer than an answer can be is refused whole (it was
#    split into several answers), and the player goes on to the next try.
ones=$(printf '1%.0s' $(seq 62))
nines=$(printf '9%.0s' $(seq 3000))
opens=$(printf '(%.0s' $(seq 70))
{
    printf '%se5\n%s1e5\n' "$ones" "$ones"              # question 1 (a value), two tries
    printf '9 9\n9 9\n'                                  # question 2 (a cell)
    printf '1e-%s\n%s%s\n-0,0%s\n' "$nines" "$nines" "$nines" "$nines"  # question 3
    printf '%s2\n' "$opens"                              # question 4: unreadable
    printf '%.0s-' $(seq 1000); printf '2\n'              # does not count as a try
} | "$POOLVIZ" lesson 3 --text --ask >"$tmp/hostile" 2>"$tmp/hostile-err"
rc=$?
[ "$rc" -eq 0 ] || { fail "--ask with hostile answers exited $rc"; cat "$tmp/hostile-err"; }
[ -s "$tmp/hostile-err" ] && fail "--ask with hostile answers wrote to stderr: $(head -c 300 "$tmp/hostile-err")"
[ "$(grep -c 'Not quite' "$tmp/hostile")" -eq 6 ] ||
    fail "--ask: long numbers were not read as (wrong) numbers"
[ "$(tr '\n' ' ' <"$tmp/hostile" | grep -o 'signs or *powers more than 64 deep' | wc -l)" -eq 2 ] ||
    fail "--ask: deep nesting was not refused with its reason"
[ "$(grep -c 'That answer is longer than 4096' "$tmp/hostile")" -eq 1 ] ||
    fail "--ask: a too long line was not refused whole"

# Lesson 9's all-zero window says that 0/0 is taken as 0.
"$POOLVIZ" lesson --text --width 200 --page 4 9 | grep -q '(0 + 0 + 0 + 0) = 0/0, taken as 0$' ||
    fail "lesson 9 page 4: the all-zero window does not say 0/0 is taken as 0"
# Lesson 13 page 3 compares max and avg with the same windows and stride.
"$POOLVIZ" lesson --text --width 200 --page 3 13 >"$tmp/13" || fail "lesson 13 page 3 exited $?"
[ "$(grep -c '^  >> Compare: .* kernel 2 stride 2 .* on F (4x6) and on G (4x6)$' "$tmp/13")" -eq 2 ] &&
    grep -q 'Compare: max ' "$tmp/13" && grep -q 'Compare: avg ' "$tmp/13" ||
    fail "lesson 13 page 3 does not compare max and avg at the same stride"

[ "$failed" -eq 0 ] && echo ok
exit "$failed"
