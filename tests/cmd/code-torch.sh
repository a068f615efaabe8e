#!/bin/sh
# code-torch.sh - `code`'s PyTorch snippets give poolviz's numbers.
#
# tests/cmd/code-torch.txt holds, for many settings, the PyTorch snippet
# `code M SETTINGS` printed and the values PyTorch computed with it
# (tests/cmd/gen-code-torch.py).  Here, without PyTorch: poolviz still
# prints the same snippet, and `pool M SETTINGS` gives the same values
# (relative 1e-5: PyTorch ran in float32).  Where python3 can import torch
# (PYTHON names another interpreter), the snippets are run again first and
# the fresh records are checked the same way.
. "${top_srcdir:-.}/tests/cmd/lib.sh"

matrices='A = [[1.5,-2.0,3.0,0.25,4.0,-1.0],[2.0,7.5,-3.0,1.0,0.0,2.5],[0.5,1.0,6.0,-2.0,3.0,1.0],[4.0,-1.5,2.0,5.0,-0.5,3.0],[1.0,2.0,3.5,-4.0,2.0,0.75]]
B = [[1.5,2.0,3.0,0.25,4.0,1.0],[2.0,7.5,3.0,1.0,0.0,2.5],[0.5,1.0,6.0,2.0,3.0,1.0],[4.0,1.5,2.0,5.0,0.5,3.0],[1.0,2.0,3.5,4.0,2.0,0.75]]'

# check_records FILE: every record of FILE against poolviz now.
check_records() {
    records=$1
    cases=0
    while IFS= read -r line; do
        case $line in
        '@ '*)
            settings=${line#@ }
            cases=$((cases + 1))
            printf '%s\ncode %s\n' "$matrices" "$settings" | "$POOLVIZ" repl |
                sed -n '/^# PyTorch$/,/^# TensorFlow$/p' | sed '1d;/^# TensorFlow$/d' |
                sed 's/^/| /' >"$tmp/snippet.now"
            : >"$tmp/snippet.then"
            ;;
        '| '*)
            printf '%s\n' "$line" >>"$tmp/snippet.then"
            ;;
        '= '*)
            cmp -s "$tmp/snippet.then" "$tmp/snippet.now" ||
                fail "code $settings: the snippet changed (run tests/cmd/gen-code-torch.py)"
            [ "$line" = "= none" ] && continue
            printf '%s\npool %s\n' "$matrices" "$settings" | "$POOLVIZ" repl |
                tr -s ' \n' '\n\n' | grep -v '^$' >"$tmp/ours" ||
                { fail "pool $settings failed"; continue; }
            printf '%s\n' "${line#= }" | tr ' ' '\n' >"$tmp/torch"
            if ! awk 'NR == FNR { t[FNR] = $1; n = FNR; next }
                      { m = FNR; d = $1 - t[FNR]; if (d < 0) d = -d
                        s = t[FNR] < 0 ? -t[FNR] : t[FNR]
                        if (d > 1e-5 * (s > 1 ? s : 1)) bad = 1 }
                      END { exit (bad || n != m) }' "$tmp/torch" "$tmp/ours"; then
                fail "pool $settings: poolviz $(tr '\n' ' ' <"$tmp/ours")!= PyTorch ${line#= }"
            fi
            ;;
        esac
    done <"$records"
    [ "$cases" -ge 100 ] || fail "$records: only $cases cases"
}

check_records "$top_srcdir/tests/cmd/code-torch.txt"
# TensorFlow's SAME average divides by the input cells, as poolviz's does.
printf 'A = range 5x5\ncode A op=avg padding=same k=3 s=2\n' | "$POOLVIZ" repl >"$tmp/tf"
grep -qx 'y = tf.nn.avg_pool2d(x, ksize=3, strides=2, padding="SAME")' "$tmp/tf" ||
    fail "code: TensorFlow's SAME average is poolviz's: $(cat "$tmp/tf")"
grep -q 'no equivalent' "$tmp/tf" && fail "code: SAME average said to have no equivalent"
python=${PYTHON:-python3}
if "$python" -c 'import torch' >/dev/null 2>&1; then
    "$python" "$top_srcdir/tests/cmd/gen-code-torch.py" "$POOLVIZ" "$tmp/fresh.txt" ||
        fail "gen-code-torch.py failed"
    check_records "$tmp/fresh.txt"
    cmp -s "$tmp/fresh.txt" "$top_srcdir/tests/cmd/code-torch.txt" ||
        echo "note: PyTorch here gives other digits than the committed records (still within 1e-5)"
else
    echo "note: $python cannot import torch: checked against the committed PyTorch outputs only"
fi
finish
