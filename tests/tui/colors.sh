#!/bin/sh
# colors.sh - colour escapes by default on a 256-colour terminal, none with
# NO_COLOR or --color=never (monochrome still marks the region), and the
# ASCII glyphs when the locale is not UTF-8.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tui-lib.sh"

esc=$(printf '\033')
# SGR sequences that set a colour: 3x/4x/9x/10x, or 38;5;N / 48;5;N.
has_colour() {
    tui_screen -e | grep -q -- "$esc\[\([0-9;]*;\)\?\(3[0-7]\|4[0-7]\|9[0-7]\|10[0-7]\|38;5;[0-9]*\|48;5;[0-9]*\)[;m]"
}
no_colour() {
    ! has_colour
}
no_256() {
    ! tui_escapes_have '38;5;'
}
has_reverse() {
    tui_screen -e | grep -q -- "$esc\[\([0-9;]*;\)\?7[;m]"
}

TUI_TERM=xterm-256color
export TUI_TERM
tui_start 100 30 --
check "stepper is up (xterm-256color)" tui_wait "max(1, 2, 5, 6) = 6"
check "colour escapes by default" has_colour
check "256-colour escapes on a 256-colour terminal" \
    tui_escapes_have '38;5;'
tui_keys c
check "c switches the heat map off" tui_wait "heat-map colouring off"
tui_keys c
check "c switches it on again" tui_wait "heat-map colouring on"
tui_keys q
check "quits" tui_wait_exit

tui_start 100 30 NO_COLOR=1 --
check "stepper is up (NO_COLOR=1)" tui_wait "max(1, 2, 5, 6) = 6"
check "no colour escapes with NO_COLOR=1" no_colour
check "monochrome still marks the region (reverse video)" has_reverse
tui_keys q
check "quits" tui_wait_exit

tui_start 100 30 -- --color=never
check "stepper is up (--color=never)" tui_wait "max(1, 2, 5, 6) = 6"
check "no colour escapes with --color=never" no_colour
check "monochrome marks the region" has_reverse
tui_keys q
check "quits" tui_wait_exit

tui_start 100 30 NO_COLOR=1 -- --color=always
check "stepper is up (NO_COLOR=1 --color=always)" tui_wait "max(1, 2, 5, 6) = 6"
check "--color=always wins over NO_COLOR" has_colour
tui_keys q
check "quits" tui_wait_exit

TUI_TERM=xterm
export TUI_TERM
tui_start 100 30 --
check "stepper is up (8 colours)" tui_wait "max(1, 2, 5, 6) = 6"
check "8-colour escapes on an 8-colour terminal" has_colour
check "no 256-colour escapes there" no_256
tui_keys q
check "quits" tui_wait_exit

TUI_LC_ALL=C
export TUI_LC_ALL
tui_start 100 30 --
check "stepper is up in the C locale" tui_wait "max(1, 2, 5, 6) = 6"
check "ASCII box drawing in the C locale" tui_wait "+ input 4x4 -"
check "no UTF-8 box drawing there" tui_lacks '│'
check "ASCII times sign in the status line" tui_wait "kernel 2x2"
tui_keys q
check "quits" tui_wait_exit

tui_finish
