#!/bin/sh
# limits.sh - resource limits: inputs far too big, too deep or too long are
# refused quickly with a clear error (exit 1, one line, no output file), and
# the --max-dim / --max-elements options raise the limits.  The inputs are
# generated here (some are megabytes); time limits catch a hang.
. "$(dirname "$0")/lib.sh"
in=$work/in
mkdir -p "$in"

# case NAME EXIT TEXT ARGS...: expect a clean error, writing to $work/out.
case_error() {
    name=$1 want_exit=$2 want_text=$3
    shift 3
    run 120 "$@"
    if clean_error "$want_exit" "$want_text"; then pass "$name"; else fail "$name"; fi
    rm -f "$work/out"/*
}

# case_ok NAME ARGS...: expect success and an output file.
case_ok() {
    name=$1
    shift
    run 120 "$@"
    if [ "$status" -eq 0 ] && [ -s "$work/out/out.npy" ]; then
        pass "$name"
    else
        fail "$name (exit status $status)"
    fi
    rm -f "$work/out"/*
}

out="$work/out/out.npy"

# Deep nesting: a million brackets in a file, and as many as an argument
# may hold in a literal.  The parser has no recursion to blow up.
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "["; printf "1";
             for (i = 0; i < 1000000; i++) printf "]" }' > "$in/deep.txt"
case_error deep-nesting-file 1 "deep" pool "$in/deep.txt" -o "$out"
deep=$(awk 'BEGIN { for (i = 0; i < 60000; i++) printf "["; printf "1";
                    for (i = 0; i < 60000; i++) printf "]" }')
case_error deep-nesting-literal 1 "--matrix" pool -m "$deep" -o "$out"
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "[1,"; }' > "$in/deep-open.txt"
case_error deep-unclosed-file 1 "deep-open.txt" pool "$in/deep-open.txt" -o "$out"

# A 10 MB single line: five million values read fine (1x5000000, pooled
# 1x2 to 1x2500000), from a file and from standard input.
awk 'BEGIN { for (i = 0; i < 5000000; i++) printf "%d ", i % 10; printf "\n" }' \
    > "$in/long-line.txt"
case_ok long-line-file pool "$in/long-line.txt" -k 1x2 -o "$out"
stdin="$in/long-line.txt"
case_ok long-line-stdin pool - -k 1x2 -o "$out"
stdin=
# ... a bad value at its very end is found and located.
{ tr -d '\n' < "$in/long-line.txt"; printf 'x\n'; } > "$in/long-line-bad.txt"
case_error long-line-bad-end 1 "long-line-bad.txt:1:10000001" pool "$in/long-line-bad.txt" -o "$out"
# ... one number of ten million digits.
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "9999999999"; printf "\n" }' \
    > "$in/long-number.txt"
case_error long-number 1 "long-number.txt:1:1" pool "$in/long-number.txt" -o "$out"
# ... ten million commas.
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf ",,,,,,,,,,"; printf "\n" }' \
    > "$in/commas.txt"
case_error only-commas 1 "commas.txt" pool "$in/commas.txt" -o "$out"

# A .npy whose header claims 2^40 elements, with 64 bytes of data: refused
# by the element limit, and by the file size once the limit is raised;
# nothing near 8 TB is ever allocated.
{ npy_header '<f8' '(1048576, 1048576)'; head -c 64 /dev/zero; } > "$in/claims-2e40.npy"
case_error npy-2e40-elements 1 "--max-elements" pool "$in/claims-2e40.npy" -o "$out"
case_error npy-2e40-raised 1 "claims-2e40.npy" pool --max-elements 1099511627776 \
    --max-dim 1048576 "$in/claims-2e40.npy" -o "$out"
{ npy_header '<f4' '(1099511627776,)'; head -c 64 /dev/zero; } > "$in/claims-2e40-rank1.npy"
case_error npy-2e40-dim 1 "--max-dim" pool "$in/claims-2e40-rank1.npy" -o "$out"
{ npy_header '<f8' '(4611686018427387904, 8)'; head -c 64 /dev/zero; } > "$in/overflow.npy"
case_error npy-count-overflows 1 "overflow.npy" pool --max-elements 18446744073709551615 \
    --max-dim 18446744073709551615 "$in/overflow.npy" -o "$out"
{ npy_header '<f8' '(18446744073709551616,)'; head -c 64 /dev/zero; } > "$in/dim-too-big.npy"
case_error npy-dim-over-64-bits 1 "dim-too-big.npy" pool "$in/dim-too-big.npy" -o "$out"

# A PNG header claiming 100000x100000 pixels.
png="$top_srcdir/tests/fuzz/corpus/png/huge-dims"
cp "$png" "$in/huge.png"
case_error png-huge-dims 1 "huge.png" pool "$in/huge.png" -o "$out"
case_error png-huge-dims-raised 1 "huge.png" pool --max-elements 18446744073709551615 \
    --max-dim 18446744073709551615 "$in/huge.png" -o "$out"

# JSON whose shape disagrees with its data.
printf '{"shape":[1099511627776],"data":[1,2]}\n' > "$in/huge.json"
case_error json-huge-shape 1 "huge.json" pool "$in/huge.json" -o "$out"

# Outputs too big for the limits, from tiny inputs.
case_error adaptive-output-too-big 1 "--max-elements" pool -m '1 2; 3 4' \
    --adaptive 100000x100000 -o "$out"
{ npy_header '<f4' '(100000, 1, 1)'; head -c 400000 /dev/zero; } > "$in/channels.npy"
case_error bilinear-output-too-big 1 "--max-elements" pool "$in/channels.npy" \
    --op bilinear -o "$out"
case_error kernel-too-large 2 "--kernel" pool -m '1 2; 3 4' -k 2147483648 -o "$out"
case_error dilation-too-large 2 "--dilation" pool -m '1 2; 3 4' --dilation 99999999999 -o "$out"

# The limits themselves, and raising them.
awk 'BEGIN { for (i = 0; i < 1001; i++) printf "1 "; printf "\n" }' > "$in/wide.txt"
case_error max-dim-exceeded 1 "--max-dim" pool --max-dim 1000 "$in/wide.txt" -k 1 -o "$out"
case_ok max-dim-raised pool --max-dim 1001 "$in/wide.txt" -k 1 -o "$out"
case_error max-elements-exceeded 1 "--max-elements" pool --max-elements 1000 "$in/wide.txt" \
    -k 1 -o "$out"
case_ok max-elements-raised pool --max-elements 1001 "$in/wide.txt" -k 1 -o "$out"
case_error max-elements-not-a-number 2 "--max-elements" pool --max-elements lots \
    "$in/wide.txt" -o "$out"

# Many short lines.
awk 'BEGIN { for (i = 0; i < 2000000; i++) print i % 7 }' > "$in/tall.txt"
case_ok tall-file pool "$in/tall.txt" -k 2x1 -o "$out"

finish
