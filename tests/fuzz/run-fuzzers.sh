#!/bin/sh
# run-fuzzers.sh SECONDS FUZZER... - run each libFuzzer binary for a bounded time.
#
# Used by `make fuzz` and .ci/run in a tree configured with --enable-fuzzing.
# Each fuzzer starts from its committed corpus (tests/fuzz/corpus/WHAT, read
# only) and its dictionary (tests/fuzz/dict/WHAT.dict); inputs it finds go to
# tests/fuzz/work/WHAT in the build tree, and a crash, leak or timeout leaves
# its input in tests/fuzz/artifacts/.  Copy such an input into the committed
# corpus once it is understood: `make check` then replays it for ever.
# Prints one line per fuzzer (runs, coverage, time) and exits 1 if any found
# a failure.
set -u
seconds=${1:?usage: run-fuzzers.sh SECONDS FUZZER...}
shift
if [ "$#" -eq 0 ]; then
    echo "run-fuzzers: no fuzzers built; configure with --enable-fuzzing (CC=clang)" >&2
    exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS
# Absolute paths: some harnesses work in a scratch folder of their own.
out=$(pwd)/tests/fuzz
mkdir -p "$out/artifacts"

failed=0
for fuzzer in "$@"; do
    what=$(basename "$fuzzer" | sed 's/^fuzz-//')
    work=$out/work/$what
    log=$out/fuzz-$what.log
    mkdir -p "$work"
    set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$what-"
    [ -f "$here/dict/$what.dict" ] && set -- "$@" -dict="$here/dict/$what.dict"
    start=$(date +%s)
    "$out/$(basename "$fuzzer")" "$@" "$work" "$here/corpus/$what" >"$log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
    corpus=$(ls "$work" | wc -l)
    if [ "$status" -eq 0 ]; then
        echo "fuzz-$what: ok, ${runs:-?} runs in ${elapsed}s, ${cov:-cov: ?}, $corpus new inputs"
    else
        failed=1
        echo "fuzz-$what: FAILED (exit $status) after ${elapsed}s; log $log:"
        grep -E 'ERROR|SUMMARY|contract broken|runtime error|Test unit written' "$log" | head -n 12
        grep -A 12 '^    #0' "$log" | head -n 14
    fi
done
exit "$failed"
