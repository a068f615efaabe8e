#!/bin/sh
# picture-batch.sh - the batch half of "pictures": `poolviz pool --op max
# -k 8 assets/cat.png -o small.png` writes the 32x32 picture, and --op avg
# the same size; both are checked pixel by pixel against a PNG decoder and
# pooling written here in Python (zlib and the PNG filters, nothing of
# poolviz), so a fault shared by poolviz's reader and writer cannot hide.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

if [ -z "${POOLVIZ:-}" ] || [ ! -x "$POOLVIZ" ]; then
    echo "$0: POOLVIZ is not set to the built program; skipping" >&2
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "$0: python3 is not installed; it decodes the PNG files (skipping)" >&2
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-picture.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

failed=0
for op in max avg; do
    if ! "$POOLVIZ" pool --op "$op" -k 8 "$top_srcdir/assets/cat.png" -o "$work/small-$op.png" \
            2> "$work/err"; then
        echo "FAIL - poolviz pool --op $op -k 8 cat.png -o small.png:"
        cat "$work/err"
        failed=1
        continue
    fi
    if python3 - "$top_srcdir/assets/cat.png" "$work/small-$op.png" "$op" <<'EOF'
import struct, sys, zlib

def load(path):
    """8- or 16-bit gray/RGB(A) non-interlaced PNG -> (width, height, channels, rows)."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0, 'the test reads 8-bit non-interlaced PNG only'
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prior = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prior[i]
            c = prior[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prior = line
    return width, height, channels, rows

big, small, op = sys.argv[1], sys.argv[2], sys.argv[3]
w, h, c, pixels = load(big)
sw, sh, sc, out = load(small)
if (sw, sh, sc) != (w // 8, h // 8, c):
    sys.exit('small.png is %dx%d with %d channels, expected %dx%d with %d' % (sw, sh, sc, w // 8, h // 8, c))
bad = 0
for y in range(sh):
    for x in range(sw):
        for k in range(c):
            window = [pixels[y * 8 + i][(x * 8 + j) * c + k] for i in range(8) for j in range(8)]
            want = max(window) if op == 'max' else int(sum(window) / 64.0 + 0.5)
            got = out[y][x * c + k]
            if got != want:
                bad += 1
                if bad <= 5:
                    print('pixel (%d, %d) channel %d: %d, expected %d' % (y, x, k, got, want))
if bad:
    sys.exit('%d samples differ' % bad)
EOF
    then
        echo "ok - pool --op $op -k 8 cat.png writes the 32x32 picture, every sample as expected"
    else
        echo "FAIL - pool --op $op -k 8 cat.png: the small picture is not the pooled cat"
        failed=1
    fi
done
exit $failed
