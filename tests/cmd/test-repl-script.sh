#!/bin/sh
# test-repl-script.sh - `poolviz repl` running scripts from a pipe or a file:
# stdout, stderr (errors named by line number) and the exit status.
. "${top_srcdir:-.}/tests/cmd/lib.sh"

# case NAME STATUS: runs $tmp/in through `poolviz repl`, compares stdout with
# $tmp/out and stderr with $tmp/err (when those files exist) and the status.
case_run() {
    name=$1 want=$2
    shift 2
    "$POOLVIZ" repl "$@" <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
    status=$?
    check_status "$name" "$want" "$status"
    if [ -f "$tmp/out" ]; then check_file "$name: stdout" "$tmp/out" "$tmp/got.out"; fi
    if [ -f "$tmp/err" ]; then check_file "$name: stderr" "$tmp/err" "$tmp/got.err"; fi
    rm -f "$tmp/out" "$tmp/err"
}

# ---- every command, no error ------------------------------------------------
cat >"$tmp/in" <<EOF
# a comment, then a blank line

A = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]
pool A
set op avg
pool A
pool A op=max k=3 s=1
C = pool A
show C
vars
explain A 0 1
B = 1 2; 3 4
B
unset op
pool B k=1   # trailing comment
save C "$tmp/c.npy"
D = load $tmp/c.npy
show D
range 2x3
reset
del D
vars
quit
pool A
EOF
cat >"$tmp/out" <<'EOF'
 6  8
14 16
 3.5  5.5
11.5 13.5
11 12
15 16
C: 2x2 float64
 3.5  5.5
11.5 13.5
A  4x4 float64
C  2x2 float64
out[0,1] <- A: rows 0..1, cols 2..3
avg = (3 + 4 + 7 + 8) / 4 = 5.5
B: 2x2 float64
1 2
3 4
1 2
3 4
D: 2x2 float64
 3.5  5.5
11.5 13.5
1 2 3
4 5 6
A  4x4 float64
C  2x2 float64
B  2x2 float64
EOF
: >"$tmp/err"
case_run "commands" 0

# ---- errors name their line; the script goes on; exit 1 ----------------------
cat >"$tmp/in" <<'EOF'
A = 1 2; 3 4
pol A
pool X
set kernal 3
pool A
E = [[1,2],[3,x]]
step A
lesson no-such-lesson
pool A k=5
pool A k=1
EOF
cat >"$tmp/out" <<'EOF'
4
1 2
3 4
EOF
cat >"$tmp/err" <<'EOF'
poolviz: error: line 2: unknown command 'pol' (did you mean 'pool'?)
poolviz: error: line 3: pool: no matrix named X; defined: A
poolviz: error: line 4: kernal: unknown setting 'kernal' (did you mean 'kernel'?)
poolviz: error: line 6: column 15: 'x' is not a number
poolviz: error: line 7: step: the stepper needs a terminal; in a script use explain or pool
poolviz: error: line 8: no-such-lesson: no such lesson (see poolviz lesson --list)
EOF
mv "$tmp/err" "$tmp/want.err"
case_run "errors" 1 --max-dim 100
head -n 6 "$tmp/got.err" >"$tmp/got6.err"
check_file "errors: stderr" "$tmp/want.err" "$tmp/got6.err"
# line 9's reason is the core's; only its start is pinned here
grep -q '^poolviz: error: line 9: kernel: ' "$tmp/got.err" ||
    fail "errors: line 9 (kernel larger than the input) not reported: $(cat "$tmp/got.err")"
[ "$(wc -l <"$tmp/got.err")" -eq 7 ] || fail "errors: expected 7 error lines"

# ---- the last line without a newline still runs -------------------------------
printf 'A = 1 2; 3 4\npool A k=2' >"$tmp/in"
printf '4\n' >"$tmp/out"
: >"$tmp/err"
case_run "no final newline" 0

# ---- CRLF line ends ---------------------------------------------------------------
printf 'A = 1 2; 3 4\r\n\r\npool A k=1\r\nshow A\r\n' >"$tmp/in"
printf '1 2\n3 4\nA: 2x2 float64\n1 2\n3 4\n' >"$tmp/out"
: >"$tmp/err"
case_run "crlf" 0

# ---- a very long line --------------------------------------------------------------
awk 'BEGIN { printf "A = ["; for (i = 1; i <= 100000; i++) printf "%s%d", (i > 1 ? "," : ""), i; print "]"
             print "B = range 300x300"; print "pool B global op=sum" }' >"$tmp/in"
"$POOLVIZ" repl <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
check_status "long line" 0 $?
# 4050045000, at most 8 significant digits (the README's number format)
[ "$(cat "$tmp/got.out")" = "4.050045e+09" ] || fail "long line: got '$(cat "$tmp/got.out")'"
awk 'BEGIN { printf "pool "; for (i = 0; i < 5000; i++) printf "x"; print "" }' >"$tmp/in"
"$POOLVIZ" repl <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
check_status "long unknown name" 1 $?
[ "$(wc -c <"$tmp/got.err")" -lt 300 ] || fail "long unknown name: the message is not clipped"

# ---- unknown commands and odd bytes --------------------------------------------------
printf 'frobnicate\nhelp pol\nA = 1 2\000 3\nquit now\n' >"$tmp/in"
: >"$tmp/out"
cat >"$tmp/err" <<'EOF'
poolviz: error: line 1: unknown command 'frobnicate', and no matrix has that name; `help` lists the commands
poolviz: error: line 2: help: no help on 'pol' (did you mean 'pool'?)
poolviz: error: line 3: the line holds a NUL byte
poolviz: error: line 4: quit: too many arguments; usage: quit
EOF
case_run "unknown" 1

# ---- pool options are the starting settings; SCRIPT argument ------------------------
printf 'A = range 4x4\npool A\nshow settings\n' >"$tmp/script.pv"
"$POOLVIZ" repl --op avg -k 4 "$tmp/script.pv" </dev/null >"$tmp/got.out" 2>"$tmp/got.err"
check_status "options" 0 $?
[ "$(sed -n 1p "$tmp/got.out")" = "8.5" ] || fail "options: $(cat "$tmp/got.out")"
grep -q '^op avg$' "$tmp/got.out" || fail "options: op avg not in the settings"
: >"$tmp/in"
"$POOLVIZ" repl --kernal 3 <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
check_status "bad option" 2 $?
"$POOLVIZ" repl "$tmp/no-such-script" <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
check_status "missing script" 1 $?
grep -q "^poolviz: error: $tmp/no-such-script: cannot open" "$tmp/got.err" ||
    fail "missing script: $(cat "$tmp/got.err")"
"$POOLVIZ" repl --help >"$tmp/got.out" 2>&1
check_status "--help" 0 $?
grep -q '^Usage: poolviz repl' "$tmp/got.out" || fail "--help: no usage line"

# ---- empty input, help, code ------------------------------------------------------------
: >"$tmp/in"
: >"$tmp/out"
: >"$tmp/err"
case_run "empty input" 0
printf 'help\nhelp set\ncode op=avg k=3 s=1\nsize A\nA = range 5x5\nsize A\n' >"$tmp/in"
"$POOLVIZ" repl <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
check_status "help/code/size" 1 $?
grep -q '^  pool NAME \[KEY=VALUE \.\.\.\] ' "$tmp/got.out" || fail "help: no pool line"
grep -q '^y = F.avg_pool2d(x, kernel_size=3, stride=1)$' "$tmp/got.out" || fail "code: no avg_pool2d"
grep -q '^output: 2x2 (input 5x5)$' "$tmp/got.out" || fail "size: no output line"
grep -q '^poolviz: error: line 4: size: no matrix named A; none is defined yet' "$tmp/got.err" ||
    fail "size: $(cat "$tmp/got.err")"

# ---- compare: operators side by side, values from the core ---------------------------------
cat >"$tmp/in" <<'EOF2'
A = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]
compare A max avg min
compare A max avg k=3 s=1
compare A max
compare A max bilinearr
compare A max avg min sum l2
EOF2
cat >"$tmp/out" <<'EOF2'
A (4x4) pooled by each operator: kernel 2 stride 2 padding 0 dilation 1
max     avg         min
 6  8    3.5  5.5   1  3
14 16   11.5 13.5   9 11
max and avg differ in 4 of 4 cells
max and min differ in 4 of 4 cells
A (4x4) pooled by each operator: kernel 3 stride 1 padding 0 dilation 1
max     avg
11 12    6  7
15 16   10 11
max and avg differ in 4 of 4 cells
EOF2
cat >"$tmp/err" <<'EOF2'
poolviz: error: line 4: compare: missing argument; usage: compare NAME OP OP [OP OP] [KEY=VALUE ...]
poolviz: error: line 5: bilinearr: unknown operator; did you mean bilinear?
poolviz: error: line 6: compare: give two to four operators: compare A max avg min
EOF2
case_run "compare" 1
# A picture: too many values, summarised.
printf 'B = load cat.png\ncompare B max min k=8\n' >"$tmp/in"
"$POOLVIZ" repl <"$tmp/in" >"$tmp/got.out" 2>"$tmp/got.err"
check_status "compare a picture" 0 $?
grep -q '^max *3x32x32, values ' "$tmp/got.out" || fail "compare a picture: $(cat "$tmp/got.out")"

# ---- lesson in a script: the lesson as plain text --------------------------------------------
printf 'lesson 3\n' | "$POOLVIZ" repl >"$tmp/got.out" 2>"$tmp/got.err"
check_status "lesson in a script" 0 $?
grep -q 'avg = (' "$tmp/got.out" || fail "lesson 3: no average formula in the text"

# ---- output errors are reported -------------------------------------------------------------
if [ -w /dev/full ]; then
    printf 'range 2x2\n' | "$POOLVIZ" repl >/dev/full 2>"$tmp/got.err"
    check_status "stdout full" 1 $?
    grep -qx 'poolviz: error: <stdout>: cannot write: No space left on device' "$tmp/got.err" ||
        fail "stdout full: $(cat "$tmp/got.err")"
fi

finish
