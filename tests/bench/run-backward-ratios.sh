#!/bin/sh
# run-backward-ratios.sh - `make bench`, backward part: poolviz's backward
# pass against PyTorch's backward alone (tools/peers-backward.py), ratios
# measured in one run: three rounds, each the peer script then poolviz on
# every case, interleaved; the lowest ratio of the three is reported, against
# PyTorch's NCHW and its channels-last kernels.
#
# Environment:
#   POOLVIZ   the poolviz binary (make sets it)
#   PYTHON    the Python with torch (default /usr/bin/python3); without torch
#             the ratios are skipped and only poolviz's times are printed
#   ROUNDS    rounds (default 3)
set -u
: "${POOLVIZ:?POOLVIZ must name the poolviz binary}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PYTHON=${PYTHON:-/usr/bin/python3}
ROUNDS=${ROUNDS:-3}
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export OMP_WAIT_POLICY

# name | the peer script's name | shape | options.  max takes the forward's
# saved indices, as the peer does; the "recompute" rows time what `grad`
# does instead (the winners found again from the input), against the same
# peer.
cases='bwd max k2 s2|bwd max k2 s2|1x64x224x224|--op max -k 2 -s 2
bwd max k2 s2 recompute|bwd max k2 s2|1x64x224x224|--op max -k 2 -s 2 --recompute
bwd avg k2 s2|bwd avg k2 s2|1x64x224x224|--op avg -k 2 -s 2
bwd max k3 s2 p1|bwd max k3 s2 p1|1x64x112x112|--op max -k 3 -s 2 --padding 1
bwd max k3 s2 p1 recompute|bwd max k3 s2 p1|1x64x112x112|--op max -k 3 -s 2 --padding 1 --recompute
bwd avg k3 s2 p1|bwd avg k3 s2 p1|1x64x112x112|--op avg -k 3 -s 2 --padding 1'

json_field() {
    printf '%s\n' "$1" | sed -n "s/.*\"$2\": \"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# The peer's milliseconds for an exact case label in file $2.
peer_ms() {
    awk -v name="$1" '{
        if (substr($0, 1, length(name)) == name && substr($0, length(name) + 1, 1) == " ") {
            rest = substr($0, length(name) + 1)
            if (rest ~ /^ *\(CL\)/) next
            if (match(rest, /[0-9.]+ ms/)) { print substr(rest, RSTART, RLENGTH - 3); exit }
        }
    }' "$2"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-bwd.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
have_torch=no
"$PYTHON" -c 'import torch' 2>/dev/null && have_torch=yes
status=0
round=1
while [ "$round" -le "$ROUNDS" ]; do
    if [ "$have_torch" = yes ]; then
        "$PYTHON" "$top_srcdir/tools/peers-backward.py" 1 > "$work/peers.$round" || status=1
    fi
    while IFS='|' read -r name peer shape opts; do
        # shellcheck disable=SC2086 # opts is a word list
        out=$("$POOLVIZ" bench --backward --shape "$shape" --threads 1 $opts --no-memcpy --json) ||
            { status=1; continue; }
        ms=$(json_field "$out" median_ms)
        how=$(json_field "$out" kernels)
        torch=-; cl=-
        if [ "$have_torch" = yes ]; then
            torch=$(peer_ms "$peer" "$work/peers.$round")
            cl=$(peer_ms "$peer (CL)" "$work/peers.$round")
        fi
        printf '%s|%s|%s|%s|%s|%s\n' "$name" "$round" "$ms" "${torch:--}" "${cl:--}" "$how" >> "$work/rows"
    done <<EOF2
$cases
EOF2
    round=$((round + 1))
done

printf 'poolviz bench --backward against PyTorch backward alone, 1 thread, %s rounds interleaved\n' "$ROUNDS"
printf '%-26s %-14s %24s %24s %24s  %s\n' case shape "poolviz ms (per round)" "torch NCHW ms / ratio" \
    "torch CL ms / ratio" kernels
while IFS='|' read -r name peer shape opts; do
    awk -F'|' -v name="$name" -v shape="$shape" '
        $1 == name {
            ours = ours sprintf("%s%.3f", n ? " " : "", $3); n++
            if ($4 != "-" && $3 > 0) { r = $4 / $3; if (rn == "" || r < rn) { rn = r; tn = $4 } }
            if ($5 != "-" && $3 > 0) { r = $5 / $3; if (rc == "" || r < rc) { rc = r; tc = $5 } }
            how = $6
        }
        END {
            a = rn == "" ? "-" : sprintf("%.3f / %.2fx", tn, rn)
            b = rc == "" ? "-" : sprintf("%.3f / %.2fx", tc, rc)
            printf "%-26s %-14s %24s %24s %24s  %s\n", name, shape, ours, a, b, how
        }' "$work/rows"
done <<EOF
$cases
EOF
[ "$have_torch" = yes ] || echo "(no torch for $PYTHON: ratios skipped)"
exit $status
