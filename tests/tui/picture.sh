#!/bin/sh
# picture.sh - the picture view through a real terminal (tmux): a .png
# opens as pictures (libchafa's block symbols, colour escapes, input and
# output at the same pixel scale; 0 fits them to the pane), v
# switches to the numbers and back, n steps, a pools again and the sizes
# halve, A goes back, + zooms, NO_COLOR gives the ASCII ramp without colour
# escapes, a direct-colour terminal gets 24-bit colour, and a terminal too
# small says what it needs.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

cat_png="$top_srcdir/assets/cat.png"
esc=$(printf '\033')

has_colour() {
    tui_screen -e | grep -q -- "$esc\[\([0-9;]*;\)\?\(3[0-7]\|4[0-7]\|9[0-7]\|10[0-7]\|38;[25];[0-9;]*\|48;[25];[0-9;]*\)[;m]"
}
no_colour() {
    ! has_colour
}
# The block symbols libchafa draws with (halves, quadrants, full).
blocks='[▀▄▌▐▖▗▘▝▙▚▛▜▞▟█]'
# Lines of the screen with a picture (a 256-colour background), from line 3
# (under the labels) down: their line numbers.
picture_line_numbers() {
    tui_screen -e | grep -n -- "$esc\[\([0-9;]*;\)\?48;5;" | cut -d: -f1 | awk '$1 >= 3'
}
picture_lines() {
    picture_line_numbers | wc -l
}
# The xterm colours of the cells in the left or right half of the picture
# rows (3..30), one a line: background colours, and foreground colours of
# block symbols.
colours_in_half() {
    side=$1 width=$2
    tui_screen -e | sed -n '3,30p' | sed "s/[^ -~$esc]/#/g" | LC_ALL=C awk -v W="$width" -v side="$side" '
    { col = 0; fg = ""; bg = ""; s = $0
      while (length(s) > 0) {
        if (match(s, /^\033\[[0-9;]*m/)) {
          n = split(substr(s, 3, RLENGTH - 3), a, ";")
          for (i = 1; i <= n; i++) {
            if ((a[i] == "38" || a[i] == "48") && a[i + 1] == "5") {
              if (a[i] == "38") fg = a[i + 2]; else bg = a[i + 2]
              i += 2
            } else if (a[i] == "0" || a[i] == "") { fg = ""; bg = "" }
            else if (a[i] == "39") fg = ""
            else if (a[i] == "49") bg = ""
          }
          s = substr(s, RLENGTH + 1)
          continue
        }
        c = substr(s, 1, 1); s = substr(s, 2); col++
        inside = side == "left" ? col <= W / 2 : col > W / 2
        if (inside && bg != "") print bg
        if (inside && c == "#" && fg != "") print fg
      }
    }' | sort -u
}
# The cartoon's outlines are cream (xterm 230) in a half.
outline_in() {
    colours_in_half "$1" "$2" | grep -qx 230
}
# The pictures take most of the room between the labels (line 2) and the
# "sizes" line, and nothing of them is drawn at or under it.
pictures_fit() {
    height=$1
    sizes_line=$(tui_screen | grep -n '^ sizes ' | head -n 1 | cut -d: -f1)
    last_picture=$(picture_line_numbers | awk -v s="$sizes_line" '$1 < s' | tail -n 1)
    first_picture=$(picture_line_numbers | head -n 1)
    lines=$(picture_line_numbers | awk -v s="$sizes_line" '$1 < s' | wc -l)
    [ -n "$sizes_line" ] && [ -n "$last_picture" ] &&
        [ "$first_picture" -eq 3 ] && [ "$last_picture" -lt "$sizes_line" ] &&
        [ "$lines" -ge $(( (height - 9) / 2 )) ] && [ "$lines" -le $(( height - 9 )) ]
}
# Both pictures on a line: half blocks left and right of the middle.
two_pictures() {
    width=$1
    half=$((width / 2))
    tui_screen | sed -n 3,12p | cut -c "1-$half" | grep -q "$blocks" &&
        tui_screen | sed -n 3,12p | cut -c "$((half + 1))-" | grep -q "$blocks"
}
# The ASCII ramp: only ramp characters in the picture rows' left half.
ramp_only() {
    rows=$(tui_screen | sed -n '3,12p' | cut -c 2-40)
    printf '%s\n' "$rows" | grep -q '[@%#*+=]' &&
        ! printf '%s\n' "$rows" | grep -q '[^ .:=+*#%@-]'
}
has_reverse() {
    tui_screen -e | grep -q -- "$esc\[\([0-9;]*;\)\?7[;m]"
}

tui_start 100 30 -- "$cat_png"
check "a .png opens in the picture view" tui_wait "input 256×256"
check "the output picture is labelled" tui_wait "output 128×128"
check "the formula of the first region is under the pictures" tui_wait "max(42, 39, 42, 39) = 42"
check "the status line counts the steps" tui_wait "step 1/16384"
check "block symbols are drawn" tui_has "$blocks"
check "256-colour escapes on a 256-colour terminal" tui_escapes_have '48;5;'
check "the pictures fit between the labels and the sizes line" pictures_fit 30
check "input and output side by side" two_pictures 100
check "the sizes line" tui_wait "sizes 256×256 → 128×128"

tui_keys n
check "n steps on (status line)" tui_wait "step 2/16384"
check "n: the formula follows" tui_wait "max(39, 39, 39, 39) = 39"

tui_keys v
check "v switches to the numbers" tui_wait "input 3x256x256, plane [0,0]"
check "the numbers view shows the values" tui_wait "42  39  39  39"
check "the numbers view keeps the step" tui_wait "step 2/16384"
tui_keys v
check "v switches back to the pictures" tui_wait "input 256×256  RGB"
check "block symbols again" tui_has "$blocks"

tui_keys a
check "a pools again: the input label halves" tui_wait "input 128×128"
check "a: the output halves too" tui_wait "output 64×64"
check "a: the sizes line shows the history" tui_wait "sizes 256×256 → 128×128 → 64×64"
check "a: the stepper starts over on the new input" tui_wait "step 1/4096"
tui_keys a
tui_keys a
check "a twice more: the cat at 1/8" tui_wait "input 32×32"
check "a: and the output at 1/16" tui_wait "output 16×16"
check "the pictures still fit" pictures_fit 30
tui_keys A
check "A goes back one pooling" tui_wait "input 64×64"
tui_keys A
tui_keys A
check "A back to the picture as loaded" tui_wait "input 256×256"
check "A restores the step" tui_wait "step 2/16384"
tui_keys A
check "A at the start says so" tui_wait "the picture as loaded"

check "input and output open at the same scale, one pixel a cell-half" \
    tui_wait "same scale 1:1"
tui_keys +
check "+ zooms in" tui_wait "same scale 1.5:1"
tui_keys +
check "+ again" tui_wait "same scale 2:1"
check "zoomed pictures still fit" pictures_fit 30
tui_keys l
tui_keys j
check "hjkl pan without stepping" tui_wait "step 2/16384"
tui_keys -
tui_keys -
tui_keys -
check "- zooms out below the same scale" tui_wait "shrunk 1:"
tui_keys 0
check "0 fits the pictures" tui_wait "shrunk 1:6.1"
tui_keys -
check "- at the fitted view says so" tui_wait "the whole picture is on show"

tui_keys '?'
check "? lists the picture keys" tui_wait "pool again: the output becomes the input"
tui_keys q
check "q closes the help, back to the pictures" tui_wait "input 256×256"

tui_type ":"
tui_type "set op avg"
tui_keys Enter
check ":set op avg re-plans the pictures" tui_wait "output 128×128  avg pooling"
tui_type ":set op sum"
tui_keys Enter
check "sum leaves the input's range: the output is stretched, and says so" \
    tui_wait "output stretched"
tui_keys q
check "q quits" tui_wait_exit
check "exit status 0" [ "$tui_status" = 0 ]

tui_start 100 30 NO_COLOR=1 -- "$cat_png"
check "picture view up with NO_COLOR=1" tui_wait "input 256×256"
check "no colour escapes with NO_COLOR" no_colour
check "no block symbols without colours" tui_lacks "$blocks"
check "the ASCII density ramp instead" ramp_only
check "the region is marked in reverse video" has_reverse
tui_keys a
check "pool again works without colours too" tui_wait "input 128×128"
tui_keys q
check "quits" tui_wait_exit

tui_start 100 30 -- --color=never "$cat_png"
check "picture view up with --color=never" tui_wait "input 256×256"
check "no colour escapes with --color=never" no_colour
check "the ramp with --color=never" ramp_only
tui_keys q
check "quits" tui_wait_exit

# The numbers open first for other inputs; v shows them as a picture.
tui_start 100 30 --
check "the example opens in the numbers" tui_wait "max(1, 2, 5, 6) = 6"
tui_keys v
check "v shows the example as a picture" tui_wait "input 4×4"
check "a matrix is stretched for display, and says so" tui_wait "input 1..16 shown black..white"
tui_keys q
check "quits" tui_wait_exit

# A direct-colour terminal: a terminfo entry of our own with RGB.
if command -v tic >/dev/null 2>&1 && command -v infocmp >/dev/null 2>&1 &&
        infocmp xterm-256color >/dev/null 2>&1; then
    mkdir -p "$tui_dir/terminfo"
    cat > "$tui_dir/direct.src" <<'EOF'
poolviz-direct|xterm-256color with 24-bit colour (poolviz test),
	colors#0x1000000, pairs#0x10000, RGB,
	setaf=\E[%?%p1%{8}%<%t3%p1%d%e38;2;%p1%{65536}%/%d;%p1%{256}%/%{255}%&%d;%p1%{255}%&%d%;m,
	setab=\E[%?%p1%{8}%<%t4%p1%d%e48;2;%p1%{65536}%/%d;%p1%{256}%/%{255}%&%d;%p1%{255}%&%d%;m,
	use=xterm-256color,
EOF
    if tic -x -o "$tui_dir/terminfo" "$tui_dir/direct.src" 2>/dev/null; then
        TUI_TERM=poolviz-direct
        export TUI_TERM
        tui_start 100 30 TERMINFO="$tui_dir/terminfo" -- "$cat_png"
        check "picture view up on a direct-colour terminal" tui_wait "input 256×256"
        check "24-bit colour escapes there" tui_escapes_have '48;2;[0-9]*;[0-9]*;[0-9]*'
        check "no 256-colour palette escapes in the pictures" \
            sh -c "! tmux -L '$tui_socket' capture-pane -p -e -t tui | sed -n 3,20p | grep -q '48;5;'"
        tui_keys q
        check "quits" tui_wait_exit
        unset TUI_TERM
    else
        echo "# tic could not compile a direct-colour entry; 24-bit checks skipped"
    fi
else
    echo "# tic or xterm-256color missing; 24-bit checks skipped"
fi

# 8 colours (TERM=xterm: 64 colour pairs, most taken by the theme).
TUI_TERM=xterm
export TUI_TERM
tui_start 100 30 -- "$cat_png"
check "picture view up with 8 colours" tui_wait "input 256×256"
check "8-colour escapes" has_colour
check "no 256-colour escapes" sh -c "! tmux -L '$tui_socket' capture-pane -p -e -t tui | grep -q '38;5;'"
check "block symbols with 8 colours" tui_has "$blocks"
tui_keys q
check "quits" tui_wait_exit
unset TUI_TERM

tui_start 50 12 -- "$cat_png"
check "a tiny terminal says what it needs" tui_wait "poolviz needs at least 80×24"
tui_resize 100 30
check "and draws the pictures once it is big enough" tui_wait "input 256×256"
tui_keys q
check "quits" tui_wait_exit

# The same pixel scale (issue: at 120x40 the cartoon was shrunk by
# averaging, its outlines vanished from the input and showed in the max
# output as if max pooling drew them).  Input and output are crops at one
# scale around the region: the 2-pixel cream outlines show in the input,
# and max pooling keeps them in the output; 0 fits the pictures again.
cartoon_png="$top_srcdir/assets/cartoon.png"
for size in "120 40" "80 24"; do
    set -- $size
    tui_start "$1" "$2" -- "$cartoon_png"
    check "$1x$2: the cartoon opens at the same scale" tui_wait "same scale 1:1"
    tui_keys g
    check "$1x$2: g asks where to go" tui_wait "go to output"
    tui_type "60,10"
    tui_keys Enter
    check "$1x$2: g goes to the house's left wall" tui_wait "output (60, 10)"
    check "$1x$2: the wall's outline shows in the input crop" outline_in left "$1"
    check "$1x$2: max pooling keeps it in the output crop" outline_in right "$1"
    tui_keys 0
    check "$1x$2: 0 shrinks the pictures to fit" tui_wait "shrunk 1:"
    tui_keys q
    check "$1x$2: quits" tui_wait_exit
done

# The aspect ratio: the built-in 4x4 matrix drawn with the ASCII ramp
# (one character a cell, only the smallest value blank) is about twice as
# wide in cells as it is tall, as a cell is about twice as tall as wide.
# Its size in cells: the lines from the labels to the "sizes" line with a
# mark left of the arrow's column, and the longest run of those marks.
input_cells() {
    tui_screen | awk -v W="$1" '
        NR >= 3 && /^ sizes/ { done = 1 }
        NR >= 3 && !done {
            s = substr($0, 1, int(W / 2) - 2)
            if (match(s, /[^ ]+( *[^ ]+)*/)) {
                h++
                if (RLENGTH > w) w = RLENGTH
            }
        }
        END { print w + 0, h + 0 }'
}
square_in_cells() {
    set -- $(input_cells "$1")
    echo "input picture: $1 cells wide, $2 rows tall" >&2
    [ "$2" -gt 0 ] && [ $(($1 * 10)) -ge $(($2 * 2 * 8)) ] && [ $(($1 * 10)) -le $(($2 * 2 * 13)) ]
}
for size in "120 40" "100 30" "80 24"; do
    set -- $size
    tui_start "$1" "$2" NO_COLOR=1 --
    tui_wait "step 1/4"
    tui_keys v
    check "$1x$2: v shows the 4x4 as a picture" tui_wait "input 4×4"
    check "$1x$2: the 4x4 picture keeps its aspect ratio" square_in_cells "$1"
    tui_keys q
    check "$1x$2: quits" tui_wait_exit
done

# --graphics: symbols, and auto on tmux, draw symbols; sixel and kitty on a
# terminal not known to show them fall back to symbols and say so (their
# drawing: graphics.sh); anything else is a usage error.
for mode in auto symbols; do
    tui_start 80 24 -- --graphics "$mode" "$cat_png"
    check "--graphics $mode: the pictures are up" tui_wait "input 256×256"
    check "--graphics $mode: block symbols" tui_has "$blocks"
    check "--graphics $mode: in colour" has_colour
    tui_keys q
    check "quits" tui_wait_exit
done
for mode in sixel kitty; do
    tui_start 80 24 -- --graphics "$mode" "$cat_png"
    check "--graphics $mode: falls back to symbols and says so" \
        tui_wait "is not known to show $mode graphics: symbols instead"
    check "--graphics $mode: block symbols" tui_has "$blocks"
    tui_keys q
    check "quits" tui_wait_exit
done
"$POOLVIZ" --graphics sixels "$cat_png" >"$tui_dir/graphics.out" 2>"$tui_dir/graphics.err"
graphics_status=$?
check "--graphics sixels is refused with exit 2" [ "$graphics_status" = 2 ]
check "--graphics sixels: one error line naming the values" \
    grep -qx "poolviz: error: --graphics: 'sixels' is not one of auto, symbols, sixel, kitty" \
    "$tui_dir/graphics.err"

tui_finish
