# lib.sh - shared by the doc tests: the documented examples of README.md,
# doc/poolviz.1, lessons/README.md and every --help, run as a user would run
# them and compared with what the docs show (as Python's doctest does).
#
# The rules (CONTRIBUTING.md, "Examples in the docs", says the same and
# adds the listings of the command language and of lessons):
#
# 1. Shell examples.  In a fenced block of a Markdown file, or between .EX
#    and .EE in the man page, a line "$ COMMAND" that names poolviz is run by
#    /bin/sh; a line ending in a backslash continues on the next one.  The
#    lines that follow it, up to the next "$ " line or the end of the block,
#    are its output: standard output and standard error together, exactly.
#    The command must exit 0, or non-zero when the output shown contains a
#    "poolviz: error:" line.  A command shown without output must print
#    nothing.  Man page text is decoded first: \- - , \(aq ' , \(dq " ,
#    \e \ , \& nothing; any other escape inside an example is an error of
#    the test, so that nothing is compared half-decoded.
# 2. The examples of one block (one help's Examples) run in order, as in one
#    shell session, in a folder that holds only `assets` (the source tree's
#    pictures, as at the top of a clone) and the data files the docs'
#    examples read and poolviz does not ship, made by poolviz itself:
#    activations.npy (2x4x4), data.csv (4x4), x.npy (4x4) and dy.npy (2x2, an
#    upstream gradient for 2x2 outputs).  `poolviz` on PATH is the program
#    under test, and POOLVIZ_DATADIR is the source tree.
# 3. An example listed in tests/docs/known-failures (with the reason) is
#    expected to fail, and is reported; when it works, the test fails until
#    its line is removed.
# 4. `poolviz bench` examples run with --repeat 1 --warmup 0 --no-memcpy
#    added (their timings are not shown, and a full run takes seconds and
#    gigabytes).
#
# Sourced; sets $work (scratch), $run (the example folder) and defines fail,
# finish, doc_prepare_run and doc_run_example.

if [ -z "${POOLVIZ:-}" ] || [ ! -x "$POOLVIZ" ]; then
    echo "POOLVIZ is not set to the built program (run through make check)" >&2
    exit 99
fi
: "${top_srcdir:?top_srcdir is not set}"
LC_ALL=${LC_ALL:-C.UTF-8}
export LC_ALL
POOLVIZ_DATADIR=${POOLVIZ_DATADIR:-$top_srcdir}
export POOLVIZ_DATADIR
work=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-docs.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
failures=0
examples=0

mkdir -p "$work/bin" || exit 99
ln -s "$POOLVIZ" "$work/bin/poolviz" || exit 99
PATH="$work/bin:$PATH"
export PATH

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    failures=$((failures + 1))
}

finish() {
    if [ "$examples" -eq 0 ]; then
        echo "FAIL: no examples found (has the docs' layout changed?)" >&2
        exit 1
    fi
    if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s) in $examples example(s)" >&2
        exit 1
    fi
    echo "ok: $examples example(s)"
    exit 0
}

# doc_prepare_run: a fresh example folder $run (rule 2).
doc_prepare_run() {
    rm -rf "$work/run"
    mkdir -p "$work/run" || exit 99
    run=$work/run
    ln -s "$top_srcdir/assets" "$run/assets" || exit 99
    "$POOLVIZ" pool -k 1 -o "$run/activations.npy" \
        -m '[[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],[[0,1,0,1],[1,0,1,0],[2,3,2,3],[3,2,3,2]]]' ||
        exit 99
    "$POOLVIZ" pool -k 1 -o "$run/data.csv" -m '4 8 1 0; 3 5 2 7; 0 1 9 6; 2 2 4 8' || exit 99
    "$POOLVIZ" pool -k 1 -o "$run/x.npy" -m '4 8 1 0; 3 5 2 7; 0 1 9 6; 2 2 4 8' || exit 99
    "$POOLVIZ" pool -k 1 -o "$run/dy.npy" -m '1 0.5; -1 2' || exit 99
}

# doc_extract_markdown FILE DIR NAME: the shell examples of a Markdown file
# (rule 1) as DIR/N.cmd, DIR/N.out, DIR/N.where (NAME:LINE) and DIR/N.block
# (the number of its block), N = 1, 2, ...
doc_extract_markdown() {
    awk -v dir="$2" -v src="$3" '
        function flush() {
            if (have) {
                printf "%s\n", cmd > (dir "/" n ".cmd"); close(dir "/" n ".cmd")
                printf "%s", out > (dir "/" n ".out"); close(dir "/" n ".out")
                printf "%s:%d\n", src, line > (dir "/" n ".where"); close(dir "/" n ".where")
                printf "%d\n", block > (dir "/" n ".block"); close(dir "/" n ".block")
            }
            have = 0; cont = 0; out = ""
        }
        /^```/ { flush(); fence = !fence; block++; next }
        !fence { next }
        cont { cmd = cmd "\n" $0; cont = /\\$/; next }
        /^\$ / {
            flush()
            if ($0 ~ /poolviz/) { n++; have = 1; line = NR; cmd = substr($0, 3); cont = /\\$/ }
            next
        }
        have { out = out $0 "\n" }
        END { flush() }
    ' "$1"
}

# doc_man_to_markdown FILE: the man page's .EX/.EE blocks as fenced blocks,
# decoded (rule 1); other lines become blank, so line numbers stay true.
doc_man_to_markdown() {
    awk '
        /^\.EX/ { ex = 1; print "```"; next }
        /^\.EE/ { ex = 0; print "```"; next }
        !ex { print ""; next }
        {
            s = $0; t = ""
            while ((i = index(s, "\\")) > 0) {
                t = t substr(s, 1, i - 1); s = substr(s, i)
                if (substr(s, 1, 2) == "\\-") { t = t "-"; s = substr(s, 3) }
                else if (substr(s, 1, 4) == "\\(aq") { t = t "\047"; s = substr(s, 5) }
                else if (substr(s, 1, 4) == "\\(dq") { t = t "\""; s = substr(s, 5) }
                else if (substr(s, 1, 2) == "\\e") { t = t "\\"; s = substr(s, 3) }
                else if (substr(s, 1, 2) == "\\&") { s = substr(s, 3) }
                else {
                    printf "doc test: line %d: unknown escape %s in an example\n", NR, substr(s, 1, 4) > "/dev/stderr"
                    bad = 1; t = t substr(s, 1, 1); s = substr(s, 2)
                }
            }
            print t s
        }
        END { exit bad }
    ' "$1"
}

# doc_known_failure CMD: true if CMD is listed in known-failures (rule 3);
# sets $known_reason.
doc_known_failure() {
    known_reason=$(awk -F '\t' -v cmd="$1" '$1 == cmd { print $2; found = 1; exit }
                                           END { exit !found }' "$top_srcdir/tests/docs/known-failures")
}

# doc_check_known WHERE CMD FAILED: apply rule 3 to one example's result
# (FAILED is 1 when it failed); true when the example is settled by it.
doc_check_known() {
    doc_known_failure "$2" || return 1
    if [ "$3" -eq 1 ]; then
        printf 'known failure: %s: %s (%s)\n' "$1" "$2" "$known_reason"
    else
        fail "$1: $2: works now; remove it from tests/docs/known-failures"
    fi
    return 0
}

# doc_bench_rule CMD: rule 4.
doc_bench_rule() {
    printf '%s\n' "$1" | sed 's/poolviz bench /poolviz bench --repeat 1 --warmup 0 --no-memcpy /'
}

# doc_run_example WHERE CMDFILE OUTFILE: run one example in $run and compare
# (rule 1).
doc_run_example() {
    where=$1
    examples=$((examples + 1))
    shown=$(cat "$2")
    cmd=$(doc_bench_rule "$shown")
    (cd "$run" && sh -c "$cmd") > "$work/actual" 2>&1 < /dev/null
    status=$?
    problems=
    if grep -q '^poolviz: error:' "$3"; then
        [ "$status" -ne 0 ] || problems="exit status 0, but the docs show an error"
    else
        [ "$status" -eq 0 ] || problems="exit status $status"
    fi
    [ "$status" -lt 128 ] || problems="killed by a signal (status $status)"
    cmp -s "$3" "$work/actual" || problems="${problems:+$problems; }the output differs from the docs"
    doc_check_known "$where" "$shown" "$([ -n "$problems" ] && echo 1 || echo 0)" && return
    if [ -n "$problems" ]; then
        fail "$where: \$ $cmd: $problems (- docs, + program):"
        diff -u "$3" "$work/actual" | tail -n +3 >&2
    fi
}

# doc_run_all DIR: every example extracted into DIR, a fresh folder for
# each block.
doc_run_all() {
    i=1
    last_block=
    while [ -e "$1/$i.cmd" ]; do
        block=$(cat "$1/$i.block")
        [ "$block" = "$last_block" ] || doc_prepare_run
        last_block=$block
        doc_run_example "$(cat "$1/$i.where")" "$1/$i.cmd" "$1/$i.out"
        i=$((i + 1))
    done
}
