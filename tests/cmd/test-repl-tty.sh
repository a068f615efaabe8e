#!/bin/sh
# test-repl-tty.sh - `poolviz repl` on a real terminal (a detached tmux
# session): the prompt, tab completion, history kept across runs, Ctrl-C
# cancelling the line, Ctrl-D leaving with status 0.
. "${top_srcdir:-.}/tests/cmd/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux is not installed"
    exit 77
fi

sock=poolviz-test-$$
cleanup_extra='tmux -L "$sock" kill-server >/dev/null 2>&1
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"'
T() { tmux -L "$sock" -f /dev/null "$@"; }

mkdir -p "$tmp/home" "$tmp/state"
HOME=$tmp/home
XDG_STATE_HOME=$tmp/state
export HOME XDG_STATE_HOME
printf '1 2\n3 4\n' >"$tmp/data.txt"
history_file=$XDG_STATE_HOME/poolviz/history

# start [ENV...]: a new session (t1, t2, ...) running the REPL, with the
# shell around it printing the exit status; the previous session goes.
runs=0
start() {
    runs=$((runs + 1))
    T new-session -d -s "t$runs" -x 100 -y 30 \
        "env $* TERM=screen '$POOLVIZ' repl; echo EXIT=\$?; sleep 30" || {
        echo "SKIP: tmux cannot start a session here"
        exit 77
    }
    [ $runs -gt 1 ] && T kill-session -t "t$((runs - 1))" >/dev/null 2>&1
    wait_for '^poolviz>'
}

screen() { T capture-pane -p -t "t$runs"; }

# wait_for REGEX: until the screen shows it (10 s at most).
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        if screen >"$tmp/screen" 2>/dev/null && grep -q -- "$1" "$tmp/screen"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "timed out waiting for '$1'; the screen:"
    sed 's/^/    | /' "$tmp/screen" >&2
    return 1
}

# the last non-empty line of the screen
last_line() { screen | sed '/^ *$/d' | tail -n 1; }

# wait_last TEXT: until the last line is exactly TEXT (trailing blanks aside)
wait_last() {
    i=0
    while [ $i -lt 100 ]; do
        got=$(last_line | sed 's/ *$//')
        [ "$got" = "$1" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "the last line is '$got', expected '$1'"
    screen | sed 's/^/    | /' >&2
    return 1
}

keys() { T send-keys -t "t$runs" "$@"; }
type_text() { T send-keys -t "t$runs" -l "$1"; }

# ---- first run: completion, commands, quit ------------------------------------
start
type_text 'A = range 4x4'
keys Enter
wait_last 'poolviz>'
type_text 'po'
keys Tab
wait_last 'poolviz> pool'
keys Tab
wait_last 'poolviz> pool A'
type_text 'ker'
keys Tab
wait_last 'poolviz> pool A kernel='
type_text '4'
keys Enter
wait_for '^16$'
type_text 'set op a'
keys Tab
wait_last 'poolviz> set op avg'
keys Enter
wait_last 'poolviz>'
type_text "B = load $tmp/da"
keys Tab
wait_last "poolviz> B = load $tmp/data.txt"
keys Enter
type_text 'show B'
keys Enter
wait_for '^B: 2x2 float64$'
type_text 'pool B k=1 op=m'
keys Tab Tab
wait_for 'op=max.*op=min'
keys C-u
type_text 'pol B'
keys Enter
wait_for "unknown command 'pol' (did you mean 'pool'?)"
type_text 'quit'
keys Enter
wait_for '^EXIT=0$'
[ -f "$history_file" ] || fail "no history file at $history_file"
grep -qx 'set op avg' "$history_file" || fail "the history file lacks 'set op avg'"

# ---- second run: the history is back, Ctrl-C cancels, Ctrl-D leaves ----------
start
keys Up
wait_last 'poolviz> quit'
keys Up
wait_last 'poolviz> pol B'
keys Up Up
wait_last "poolviz> B = load $tmp/data.txt"
keys C-c
wait_last 'poolviz>'
screen | grep -q "poolviz> B = load $tmp/data.txt" ||
    fail "Ctrl-C: the cancelled line should stay visible above the new prompt"
type_text 'A = 5 6; 7 8'
keys Enter
type_text 'pool A k=1'
keys Enter
wait_for '^7 8$'
keys C-c
wait_last 'poolviz>'
# the stepper and back: the prompt, completion and names still work
type_text 'step A op=avg'
keys Enter
wait_for 'avg = (5 + 6 + 7 + 8) / 4 = 6.5'
keys q
wait_last 'poolviz>'
type_text 'pool '
keys Tab
wait_last 'poolviz> pool A'
keys Enter
wait_for '^8$'   # the step's op=avg was for that line only
keys C-d
wait_for '^EXIT=0$'

# ---- without XDG_STATE_HOME the history lives under HOME ------------------------
start -u XDG_STATE_HOME
type_text 'range 1x2'
keys Enter
wait_for '^1 2$'
keys C-d
wait_for '^EXIT=0$'
grep -qx 'range 1x2' "$HOME/.local/state/poolviz/history" ||
    fail "the history did not go to \$HOME/.local/state/poolviz/history"

# ---- an unwritable history is not fatal ---------------------------------------------
: >"$tmp/blocker"
start "XDG_STATE_HOME=$tmp/blocker"
type_text 'range 1x3'
keys Enter
wait_for '^1 2 3$'
type_text 'quit'
keys Enter
wait_for '^EXIT=0$'

# ---- a FIFO (or anything but a regular file) as the history is left alone -------
mkdir -p "$tmp/fifo/poolviz"
mkfifo "$tmp/fifo/poolviz/history" || fail "mkfifo failed"
start "XDG_STATE_HOME=$tmp/fifo"   # fails if the prompt never comes
type_text 'range 1x5'
keys Enter
wait_for '^1 2 3 4 5$'
type_text 'quit'
keys Enter
wait_for '^EXIT=0$'
[ -p "$tmp/fifo/poolviz/history" ] || fail "the FIFO was replaced"
mkdir -p "$tmp/dir/poolviz/history"
start "XDG_STATE_HOME=$tmp/dir"
keys C-d
wait_for '^EXIT=0$'

# ---- the first SIGTERM at the prompt ends the REPL (143), history kept -------------
start
type_text 'range 1x6'
keys Enter
wait_for '^1 2 3 4 5 6$'
type_text 'range 2x'   # a line being typed
shell_pid=$(T display -p -t "t$runs" '#{pane_pid}')
repl_pid=$(ps -o pid= --ppid "$shell_pid" | tr -d ' ' | head -n 1)
if [ -n "$repl_pid" ]; then
    kill -TERM "$repl_pid"
    wait_for '^EXIT=143$'
    grep -qx 'range 1x6' "$history_file" || fail "SIGTERM: the history lacks 'range 1x6'"
else
    fail "cannot find the REPL's process under the pane's shell $shell_pid"
fi

finish
