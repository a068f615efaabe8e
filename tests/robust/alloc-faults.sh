#!/bin/sh
# alloc-faults.sh - every allocation of the batch path may fail, cleanly.
#
# Needs a build configured with --enable-alloc-faults, where
# POOLVIZ_FAIL_ALLOC=N makes allocation N and every later one fail.  For
# each scenario below it first runs poolviz normally, then walks N = 1, 2, ...
# until the run behaves as the normal one did.  Every run before that must
# exit 1 with exactly one "poolviz: error:" line, no signal, no output file
# and no leak.  Leaks are found by LeakSanitizer in a --enable-sanitizers
# build, else by valgrind when it is installed (ROBUST_VALGRIND=no turns it
# off), else not checked (said in the log).
. "$(dirname "$0")/lib.sh"

if ! build_has alloc-faults; then
    echo "alloc-faults: this build has no fault injection; configure with --enable-alloc-faults" >&2
    exit 77
fi

if build_has sanitizers; then
    checker=LeakSanitizer
    ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=97${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export ASAN_OPTIONS
elif [ "${ROBUST_VALGRIND:-yes}" != no ] && command -v valgrind > /dev/null 2>&1; then
    checker=valgrind
else
    checker=none
    echo "alloc-faults: no leak checker (no sanitizer build, no valgrind): leaks are not checked"
fi
echo "alloc-faults: leak checker: $checker"

in=$work/in
mkdir -p "$in"
"$POOLVIZ" pool -m '[[1,2,3,4,5],[6,7,8,9,10],[11,12,13,14,15],[16,17,18,19,20],[21,22,23,24,25]]' \
    -k 1 -o "$in/m5.npy" || { echo "alloc-faults: cannot make the input" >&2; exit 99; }
printf '1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 16\n' > "$in/m4.txt"
printf '[0]\n1 2\n3 4\n\n[1]\n5 6\n7 8\n' > "$in/c2.txt"
cp "$top_srcdir/tests/fuzz/corpus/png/rgb8-2x2" "$in/pic.png"

# One poolviz run with POOLVIZ_FAIL_ALLOC=$1 (empty: none) under the leak
# checker; sets $status and leaves stdout/stderr in $work.
run_faulted() {
    fail_at=$1
    shift
    if [ "$checker" = valgrind ]; then
        POOLVIZ_FAIL_ALLOC=$fail_at valgrind -q --leak-check=full \
            --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=97 \
            --log-file="$work/valgrind.log" "$POOLVIZ" "$@" \
            < "${stdin:-/dev/null}" > "$work/stdout" 2> "$work/stderr"
    else
        POOLVIZ_FAIL_ALLOC=$fail_at "$POOLVIZ" "$@" \
            < "${stdin:-/dev/null}" > "$work/stdout" 2> "$work/stderr"
    fi
    status=$?
}

# scenario NAME ARGS... (outputs go to $work/out)
scenario() {
    name=$1
    shift
    run_faulted "" "$@"
    want_status=$status
    cp "$work/stdout" "$work/want.stdout"
    cp "$work/stderr" "$work/want.stderr"
    if [ "$status" -ge 2 ] || { [ "$status" -eq 1 ] && [ "$checker" = valgrind ] &&
        [ -s "$work/valgrind.log" ]; }; then
        fail "$name: the run without faults exits $status"
        return
    fi
    rm -rf "$work/out" && mkdir "$work/out"
    n=1
    while [ "$n" -le 3000 ]; do
        run_faulted "$n" "$@"
        if [ "$status" -eq "$want_status" ] && cmp -s "$work/stdout" "$work/want.stdout" &&
           cmp -s "$work/stderr" "$work/want.stderr"; then
            pass "$name (allocations 1 to $((n - 1)) failed cleanly)"
            rm -rf "$work/out" && mkdir "$work/out"
            return
        fi
        if [ "$status" -eq 97 ] ||
           grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$work/stderr"; then
            echo "  leak or memory error with allocation $n failing:"
            if [ "$checker" = valgrind ]; then
                head -n 30 "$work/valgrind.log" | sed 's/^/    /'
            else
                grep -A 12 'ERROR: LeakSanitizer\|ERROR: AddressSanitizer' "$work/stderr" |
                    head -n 30 | sed 's/^/    /'
            fi
            : > "$work/stderr"
            fail "$name: allocation $n failing leaks or breaks memory"
            return
        fi
        if ! clean_error 1 ""; then
            fail "$name: allocation $n failing"
            return
        fi
        if [ -n "$(ls -A "$work/out")" ]; then
            fail "$name: allocation $n failing left $(ls -A "$work/out")"
            return
        fi
        n=$((n + 1))
    done
    fail "$name: still failing after 3000 allocations"
}

o=$work/out
scenario literal-max pool -m '[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]' -o "$o/out.npy"
scenario text-avg-padding pool "$in/m4.txt" --op avg -k 3 -s 1 --padding 1 -o "$o/out.txt"
scenario npy-max-indices pool "$in/m5.npy" -k 2 -s 1 --ceil-mode --indices "$o/idx.npy" \
    -o "$o/out.json"
scenario fractional-torch pool "$in/m5.npy" --op fractional --fractional-style torch \
    --output-size 3x3 --seed 3 -o "$o/out.csv"
scenario planes-lp pool "$in/c2.txt" --op lp -p 3 -k 2 -o "$o/out.txt"
scenario png-spp pool "$in/pic.png" --op spp --levels 1,2 -o "$o/out.npy"
scenario bilinear-stdout pool -m '[[[1,2],[3,4]],[[5,6],[7,8]]]' --op bilinear --signed-sqrt \
    --l2-normalize
stdin=$in/m4.txt
scenario stdin-stochastic pool - --op stochastic --seed 9 --indices "$o/idx.txt" -o "$o/out.npy"
stdin=
scenario data-error pool -m '1 2; 3' -o "$o/out.npy"

finish
