#!/bin/sh
# The broken-lesson corpus: every file in bad/ starts with a line
#   # expect: LINE: REASON
# and `poolviz lesson --check FILE` must exit 1 with
#   poolviz: error: FILE:LINE: ...REASON...
# on stderr (and never crash).
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
tmp=${TMPDIR:-/tmp}/poolviz-lesson-bad.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0 count=0
for f in "$top_srcdir"/tests/lesson/bad/*.lesson; do
    count=$((count + 1))
    expect=$(sed -n '1s/^# expect: //p' "$f")
    line=${expect%%:*}
    reason=${expect#*: }
    if [ -z "$expect" ] || [ -z "$line" ]; then
        echo "FAIL $f: no '# expect: LINE: REASON' first line"; failed=$((failed + 1)); continue
    fi
    "$POOLVIZ" lesson --check "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    want="poolviz: error: $f:$line: "
    if [ "$rc" -ne 1 ]; then
        echo "FAIL $f: exit $rc, expected 1"; cat "$tmp/err"; failed=$((failed + 1)); continue
    fi
    if ! grep -F -- "$want" "$tmp/err" | grep -F -q -- "$reason"; then
        echo "FAIL $f: expected a line starting '$want' containing '$reason', got:"
        cat "$tmp/err"; failed=$((failed + 1)); continue
    fi
    if [ -s "$tmp/out" ]; then
        echo "FAIL $f: a broken lesson printed 'ok':"; cat "$tmp/out"; failed=$((failed + 1))
        continue
    fi
    echo "ok   $f"
done
echo "$count cases, $failed failed"
[ "$count" -ge 15 ] || { echo "FAIL: the corpus is too small"; exit 1; }
[ "$failed" -eq 0 ]
