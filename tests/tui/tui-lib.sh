# tui-lib.sh - drive the stepper in a real pseudo-terminal through tmux.
#
# Sourced by the tests/tui/*.sh tests.  Each test gets a private tmux
# server (socket poolviz-tui-PID), a fixed-size session and a temporary
# folder (its HOME and XDG_STATE_HOME, so history never lands in the
# user's home); both are removed on every exit path.  Polling helpers wait
# for the screen instead of sleeping, with generous timeouts, so a loaded
# two-core machine does not make the tests flaky.
#
#   tui_start W H [ENV=VALUE ...] -- ARGS...   run "$POOLVIZ ARGS" in a W x H pane
#   tui_keys KEY...                            tmux send-keys (names: Enter, C-c, End)
#   tui_type TEXT                              literal text (send-keys -l)
#   tui_screen [-e]                            the pane's text (-e: with escapes)
#   tui_wait TEXT [SECONDS]                    until the screen contains TEXT
#   tui_wait_gone TEXT [SECONDS]               until it does not
#   tui_wait_for COMMAND...                    until COMMAND succeeds (15 s)
#   tui_wait_exit [SECONDS]                    until poolviz has exited; sets tui_status
#   tui_has PATTERN / tui_lacks PATTERN        the screen matches a grep pattern (or not)
#   tui_escapes_have PATTERN                   the screen with escapes matches
#   tui_resize W H
#   check DESCRIPTION COMMAND...               count a pass or a failure
#   tui_finish                                 print the counts, exit 0 or 1
#
# After poolviz exits, the pane prints "poolviz exited N" and the terminal
# modes ("tty: icanon echo" when they were restored), then waits.

if [ -z "${POOLVIZ:-}" ] || [ ! -x "$POOLVIZ" ]; then
    echo "$0: POOLVIZ is not set to the built program; skipping" >&2
    exit 77
fi
if ! command -v tmux >/dev/null 2>&1; then
    echo "$0: tmux is not installed; the TUI tests need it (skipping)" >&2
    exit 77
fi

# Each tui_start gets a server of its own (poolviz-tui-PID-N): a new
# session on a server that is still shutting down can fail.
tui_socket="poolviz-tui-$$-0"
tui_servers=0
tui_dir=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-tui.XXXXXX") || exit 99
tui_passed=0
tui_failed=0
tui_status=

tui_cleanup() {
    sockets="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)"
    n=0
    while [ "$n" -le "$tui_servers" ]; do
        tmux -L "poolviz-tui-$$-$n" kill-server >/dev/null 2>&1
        rm -f "$sockets/poolviz-tui-$$-$n"
        n=$((n + 1))
    done
    rm -rf "$tui_dir"
}
trap tui_cleanup EXIT
trap 'exit 130' INT TERM HUP

tmux_() {
    tmux -L "$tui_socket" -f /dev/null "$@"
}

# Quote one argument for the pane's shell.
tui_quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

tui_start() {
    width=$1
    height=$2
    shift 2
    envs=
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        envs="$envs $(tui_quote "$1")"
        shift
    done
    [ "${1:-}" = "--" ] && shift
    args=
    for a in "$@"; do
        args="$args $(tui_quote "$a")"
    done
    # The pane: poolviz, then its exit status and the terminal's modes.
    cat > "$tui_dir/run.sh" <<EOS
cd $(tui_quote "$tui_dir")
# Ctrl-C is for poolviz: this shell must outlive it to report.  (A trap,
# not an ignored signal: poolviz gets the default disposition.)
trap 'true' INT
env HOME=$(tui_quote "$tui_dir") XDG_STATE_HOME=$(tui_quote "$tui_dir/state") \
    LC_ALL=\${TUI_LC_ALL:-C.UTF-8} TERM=\${TUI_TERM:-tmux-256color} $envs \
    $(tui_quote "$POOLVIZ") $args
status=\$?
printf 'poolviz exited %s\n' "\$status"
# The modes in one printf: a check that reads "tty: ..." must not catch
# the line half written (stty is slow on a loaded machine).
modes=
for mode in icanon echo; do
    if stty -a | tr ' ;' '\n\n' | grep -qx -- "-\$mode"; then modes="\$modes -\$mode"
    else modes="\$modes \$mode"; fi
done
printf 'tty:%s\n' "\$modes"
exec sleep 600
EOS
    tmux_ kill-server >/dev/null 2>&1
    tui_servers=$((tui_servers + 1))
    tui_socket="poolviz-tui-$$-$tui_servers"
    tries=0
    until tmux_ new-session -d -x "$width" -y "$height" -s tui \
            "sh $(tui_quote "$tui_dir/run.sh")" 2>/dev/null; do
        tries=$((tries + 1))
        if [ $tries -ge 5 ]; then
            echo "$0: tmux could not start a session" >&2
            exit 99
        fi
        sleep 0.5
    done
    # No status bar: the pane is the whole window.
    tmux_ set -g status off >/dev/null 2>&1
    tmux_ resize-window -t tui -x "$width" -y "$height" >/dev/null 2>&1
}

tui_keys() {
    tmux_ send-keys -t tui "$@"
}

tui_type() {
    tmux_ send-keys -t tui -l "$1"
}

tui_screen() {
    tmux_ capture-pane -p ${1:+"$1"} -t tui
}

# The screen now matches (or does not match) a grep pattern.
tui_has() {
    tui_screen | grep -q -- "$1"
}

tui_lacks() {
    ! tui_screen | grep -q -- "$1"
}

tui_escapes_have() {
    tui_screen -e | grep -q -- "$1"
}

tui_alternate_screen() {
    tmux_ display -p -t tui '#{alternate_on}'
}

tui_resize() {
    tmux_ resize-window -t tui -x "$1" -y "$2"
}

# Poll every 0.1 s.
tui_wait() {
    text=$1
    limit=$(( ${2:-15} * 10 ))
    i=0
    while [ $i -lt $limit ]; do
        if tui_screen | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# Until a command succeeds (a check on the screen or a log).
tui_wait_for() {
    limit=150
    i=0
    while [ $i -lt $limit ]; do
        if "$@"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

tui_wait_gone() {
    text=$1
    limit=$(( ${2:-15} * 10 ))
    i=0
    while [ $i -lt $limit ]; do
        if ! tui_screen | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

tui_wait_exit() {
    # The terminal's modes are printed after the status: wait for both, or
    # a check of "tty: ..." right after this can race the pane's printf.
    if tui_wait "poolviz exited" "${1:-15}" && tui_wait "tty: " 5; then
        tui_status=$(tui_screen | sed -n 's/.*poolviz exited \([0-9]*\).*/\1/p' | head -n 1)
        return 0
    fi
    tui_status=
    return 1
}

check() {
    what=$1
    shift
    if "$@"; then
        tui_passed=$((tui_passed + 1))
        echo "ok - $what"
    else
        tui_failed=$((tui_failed + 1))
        echo "FAIL - $what"
        echo "--- screen:"
        tui_screen 2>/dev/null | sed 's/^/| /'
        echo "---"
    fi
}

tui_finish() {
    echo "$tui_passed passed, $tui_failed failed"
    [ "$tui_failed" -eq 0 ]
    exit $?
}
