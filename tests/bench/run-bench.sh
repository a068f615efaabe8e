#!/bin/sh
# run-bench.sh - `make bench`: poolviz's kernels on the standard cases, as a
# table.  The cases are those of the PyTorch peer script (same names, shapes
# and parameters, one thread), a DRAM-sized one, and the cases behind the
# performance targets (3x3 and 31x31 at stride 1, two threads; the window
# reducers against avg 2x2/2 and max 3x3/1).
#
# Environment:
#   POOLVIZ   the poolviz binary (make sets it)
#   PEERS     optional: a file with the peer script's output from the same
#             session; its times are then shown next to ours, with the ratio
#   BENCH_REPEAT  optional: timed runs per case (default: about a second)
#   OMP_WAIT_POLICY  passed on; PASSIVE unless set.  With the default
#             (spinning) policy, on a machine whose cores are busy with other
#             work, a thread that finished spins on the cpu the late one needs
#             and one call can take ten times as long; poolviz opens one
#             parallel region per call, so sleeping costs it nothing.
set -u
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export OMP_WAIT_POLICY

: "${POOLVIZ:?POOLVIZ must name the poolviz binary}"
PEERS=${PEERS:-}
repeat=${BENCH_REPEAT:+--repeat $BENCH_REPEAT}

# name | shape | threads | options
cases='max k2 s2|1x64x224x224|1|--op max -k 2 -s 2
max k2 s2 (DRAM)|16x64x224x224|1|--op max -k 2 -s 2
max k3 s2 p1|1x64x112x112|1|--op max -k 3 -s 2 --padding 1
max k15 s1 p7|1x16x256x256|1|--op max -k 15 -s 1 --padding 7
avg k2 s2|1x64x224x224|1|--op avg -k 2 -s 2
avg k15 s1 p7|1x16x256x256|1|--op avg -k 15 -s 1 --padding 7
lp p3 k2 s2|1x64x224x224|1|--op lp -p 3 -k 2 -s 2
global avg|1x2048x7x7|1|--op avg --global
adaptive max 6x6|1x64x224x224|1|--op max --adaptive 6x6
max k3 s1 p1|1x16x256x256|1|--op max -k 3 -s 1 --padding 1
max k31 s1 p15|1x16x256x256|1|--op max -k 31 -s 1 --padding 15
avg k3 s1 p1|1x16x256x256|1|--op avg -k 3 -s 1 --padding 1
avg k31 s1 p15|1x16x256x256|1|--op avg -k 31 -s 1 --padding 15
softpool k2 s2|1x64x224x224|1|--op softpool -k 2 -s 2
lse k2 s2|1x64x224x224|1|--op lse -k 2 -s 2
mixed k2 s2|1x64x224x224|1|--op mixed -k 2 -s 2
maxblur k2 s2|1x64x224x224|1|--op maxblur -k 2 -s 2
median k3 s1 p1|1x16x256x256|1|--op median -k 3 -s 1 --padding 1
max k15 s1 p7 (2t)|1x16x256x256|2|--op max -k 15 -s 1 --padding 7
avg k15 s1 p7 (2t)|1x16x256x256|2|--op avg -k 15 -s 1 --padding 7
max k2 s2 (DRAM, 2t)|16x64x224x224|2|--op max -k 2 -s 2
avg k2 s2 (2t)|1x64x224x224|2|--op avg -k 2 -s 2
maxblur k2 s2 (2t)|1x64x224x224|2|--op maxblur -k 2 -s 2'

# The value of "key": in a one-line JSON object.
json_field() {
    printf '%s\n' "$1" | sed -n "s/.*\"$2\": \"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# The peer's milliseconds for a case name (its lines: NAME SHAPE torch V Nt MS ms ...).
peer_ms() {
    [ -n "$PEERS" ] && [ -r "$PEERS" ] || return 0
    awk -v name="$1" '{
        line = $0; n = length(name)
        if (substr(line, 1, n) == name && substr(line, n + 1, 1) == " ") {
            rest = substr(line, n + 1)
            if (match(rest, /[0-9.]+ ms/)) { print substr(rest, RSTART, RLENGTH - 3); exit }
        }
    }' "$PEERS"
}

printf 'poolviz bench (%s, OMP_WAIT_POLICY=%s)\n' "$("$POOLVIZ" --version 2>/dev/null)" "$OMP_WAIT_POLICY"
if [ -n "$PEERS" ]; then
    printf '%-22s %-14s %2s %10s %8s %8s %5s %10s %8s  %s\n' case shape T ms GB/s memcpy '%' torch-ms speedup kernels
else
    printf '%-22s %-14s %2s %10s %8s %8s %5s  %s\n' case shape T ms GB/s memcpy '%' kernels
fi
status=0
while IFS='|' read -r name shape threads opts; do
    # shellcheck disable=SC2086 # opts and repeat are word lists
    out=$("$POOLVIZ" bench --shape "$shape" --threads "$threads" $opts $repeat --json) || {
        printf '%-22s failed\n' "$name"
        status=1
        continue
    }
    ms=$(json_field "$out" median_ms)
    gbps=$(json_field "$out" gbps)
    copy=$(json_field "$out" memcpy_gbps)
    frac=$(json_field "$out" memcpy_fraction)
    how=$(json_field "$out" kernels)
    pct=$(awk -v f="$frac" 'BEGIN { printf "%.0f", 100 * f }')
    if [ -n "$PEERS" ]; then
        torch=$(peer_ms "$name")
        ratio=$(awk -v t="$torch" -v m="$ms" 'BEGIN { if (t != "" && m > 0) printf "%.1fx", t / m; else printf "-" }')
        printf '%-22s %-14s %2s %10.3f %8.2f %8.2f %5s %10s %8s  %s\n' "$name" "$shape" "$threads" \
            "$ms" "$gbps" "$copy" "$pct" "${torch:--}" "$ratio" "$how"
    else
        printf '%-22s %-14s %2s %10.3f %8.2f %8.2f %5s  %s\n' "$name" "$shape" "$threads" \
            "$ms" "$gbps" "$copy" "$pct" "$how"
    fi
done <<EOF
$cases
EOF
exit $status
