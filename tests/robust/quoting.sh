#!/bin/sh
# quoting.sh - user strings reach stdout and stderr quoted (src/core/quote.h):
# file and folder names, lesson names, titles and text, answers echoed, the
# paths render prints, error messages.  Each case runs poolviz on names and
# text full of terminal controls (ESC sequences, BEL, DEL, UTF-8 C1 controls,
# a bidi override, invalid UTF-8) and checks that no raw control byte comes
# out, and that the quoted form does (so the case did reach the path).
. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL

# The hostile folder: an OSC title sequence, BEL, C1 CSI, DEL, a stray byte.
evil=$(printf 'e\033]0;T\007\302\233\177\377')
evil_shown='e\e]0;T\a\xc2\x9b\x7f\xff'
mkdir -p "$work/$evil"
printf '1 2\n3 4\n' > "$work/$evil/abc.txt"
cd "$work" || exit 99

# Lesson text may hold DEL, C1 controls and bidi controls (the parser refuses
# C0 controls itself).
lesson_text() {
    printf '@title Evil \302\2350;PWN\302\234 title\177\n'
    printf '@summary s \302\23331m\n\n'
    printf '@page Page \302\233 one\n'
    printf 'Some text \302\23331m red \177 and \342\200\256 bidi.\n\n'
    printf '@matrix A\n1 2\n3 4\n@end\n@set op max\n@set kernel 2\n@run\n\n'
    printf '@ask value 0 0: What is output cell (0,0)?\n'
}
lesson_text > "$work/$evil/ev.lesson"
mkdir -p "$work/data/lessons"
lesson_text > "$work/data/lessons/$(printf '99-n\302\233me\177').lesson"

# no_raw NAME SHOWN: the last run's stdout and stderr hold no ESC, BEL, DEL,
# C1 control or other C0 control but newline and tab, and hold SHOWN.
no_raw() {
    name=$1 shown=$2
    cat "$work/stdout" "$work/stderr" > "$work/both"
    if grep -q "$(printf '[\001-\010\013-\037\177]')" "$work/both"; then
        fail "$name: a raw control byte: $(od -c "$work/both" | grep -m1 '\\0\|033\|177')"
    elif grep -q "$(printf '\302[\200-\237]')" "$work/both"; then
        fail "$name: a raw C1 control"
    elif grep -q "$(printf '\342\200\256')" "$work/both"; then
        fail "$name: a raw bidi override"
    elif ! grep -q -F -e "$shown" "$work/both"; then
        fail "$name: the quoted form '$shown' is missing (exit $status)"
    else
        pass "$name"
    fi
}

# The REPL's load message and its errors.
printf 'load %s/abc.txt\nB = load %s/missing.txt\n' "$evil" "$evil" > "$work/script"
stdin=$work/script run 30 repl
no_raw "repl load message" "abc = 2x2 from $evil_shown/abc.txt"
no_raw "repl load error" "$evil_shown/missing.txt: cannot open"

# Error messages of every subcommand (C1 and DEL included).
run 30 pool "$evil/missing.txt"
no_raw "pool error" "poolviz: error: $evil_shown/missing.txt"
run 30 pool -m '1 2;3 4' -o "$evil/no/such/folder/out.txt"
no_raw "output error" "$evil_shown/no/such/folder"
run 30 lesson "$evil/missing.lesson"
no_raw "lesson error" "$evil_shown/missing.lesson"
run 30 pool -m '1 2;3 4' "$(printf -- '--k\302\235ernel')"
no_raw "unknown option" '--k\xc2\x9dernel'

# lesson --check FILE, lesson --list, lesson FILE --text, --ask.
run 30 lesson --check "$evil/ev.lesson"
no_raw "lesson --check" "$evil_shown/ev.lesson: ok"
POOLVIZ_DATADIR=$work/data run 30 lesson --list
no_raw "lesson --list name" '99-n\xc2\x9bme\x7f'
no_raw "lesson --list title" 'Evil \xc2\x9d0;PWN\xc2\x9c title\x7f'
run 30 lesson "$evil/ev.lesson" --text
no_raw "lesson --text header" 'Evil \xc2\x9d0;PWN\xc2\x9c title\x7f'
no_raw "lesson --text page" 'Some text \xc2\x9b31m red \x7f and \xe2\x80\xae bidi.'
printf '4\033]0;T\007\302\233x\n' > "$work/answer"
stdin=$work/answer run 30 lesson "$evil/ev.lesson" --text --ask
no_raw "answers echoed by --ask" 'answer> 4\e]0;T\a\xc2\x9bx'
# The REPL's lesson command prints through its own output.
printf 'lesson %s/ev.lesson\n' "$evil" > "$work/script"
stdin=$work/script run 30 repl
no_raw "repl lesson" 'Some text \xc2\x9b31m'

# The paths render --frames prints.
run 60 render -m '1 2;3 4' -k 2 --frames "$evil/frames"
no_raw "render --frames paths" "$evil_shown/frames/step-001.svg"
rm -rf "$work/$evil/frames"

finish
