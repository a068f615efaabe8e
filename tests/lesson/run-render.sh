#!/bin/sh
# poolviz render: SVG frames parse as XML and hold the formula, the labels
# and consistent sizes; PNG frames decode, are at least 320 pixels wide and
# have real content; presenter frames hide the value; lesson slides and
# usage errors.  Needs python3 (xml.etree, zlib) to read the files.
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is needed to parse SVG and decode PNG"
    exit 77
fi
tmp=${TMPDIR:-/tmp}/poolviz-render.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# 1. Frames of the built-in example: 4 steps, SVG.
"$POOLVIZ" render --frames "$tmp/fr" >"$tmp/list" || fail "render --frames exited $?"
[ "$(wc -l <"$tmp/list")" -eq 4 ] || fail "expected 4 frames, got: $(cat "$tmp/list")"
# 2. One step as PNG and as SVG, average pooling with padding.
"$POOLVIZ" render --op avg -k 3 -s 2 --padding 1 --step 2 -o "$tmp/s2.png" >/dev/null ||
    fail "render -o png exited $?"
"$POOLVIZ" render --op avg -k 3 -s 2 --padding 1 --step 2 -o "$tmp/s2.svg" >/dev/null ||
    fail "render -o svg exited $?"
# 3. Presenter frames: the value hidden, then shown; large cells.
"$POOLVIZ" render --present --large --frames "$tmp/pr" --format png -m '1 2; 3 4' >/dev/null ||
    fail "render --present exited $?"
"$POOLVIZ" render --present --step 1 -o "$tmp/hidden.svg" >/dev/null || fail "--present -o exited $?"
# 4. A picture: drawn as pixels, the frame stays readable.
"$POOLVIZ" render -k 8 --step 5 -o "$tmp/cat.png" "$top_srcdir/assets/cat.png" >/dev/null ||
    fail "render of cat.png exited $?"

python3 - "$tmp" <<'PY' || failed=1
import os, struct, sys, zlib
import xml.etree.ElementTree as ET
tmp = sys.argv[1]
NS = '{http://www.w3.org/2000/svg}'
bad = []

def svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == NS + 'svg', root.tag
    texts = [''.join(t.itertext()) for t in root.iter(NS + 'text')]
    return root, texts

def png(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG signature'
    pos, idat, w = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(kind + body) & 0xffffffff == crc, 'bad CRC'
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    stride = w * channels
    assert depth == 8 and len(raw) == h * (stride + 1), 'unexpected layout'
    # undo the row filters to count colours
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    colours = set()
    for r in rows[::3]:
        for x in range(0, stride, channels * 3):
            colours.add(r[x:x + channels])
    return w, h, colours

def check(cond, what):
    if not cond:
        bad.append(what)

for i, f in enumerate(sorted(os.listdir(os.path.join(tmp, 'fr')))):
    root, texts = svg(os.path.join(tmp, 'fr', f))
    check(f == 'step-%03d.svg' % (i + 1), 'frame name ' + f)
    check('input' in texts and 'output' in texts, f + ': labels input/output')
    check(int(root.get('width')) >= 320, f + ': width')
    check(root.get('viewBox') == '0 0 %s %s' % (root.get('width'), root.get('height')), f + ': viewBox')
root, texts = svg(os.path.join(tmp, 'fr', 'step-001.svg'))
check('max(1, 2, 5, 6) = 6' in texts, 'step 1 formula, got %r' % texts)
check(any(t.startswith('step 1 of 4') for t in texts), 'step 1 footer')
root, texts = svg(os.path.join(tmp, 'fr', 'step-004.svg'))
check('max(11, 12, 15, 16) = 16' in texts, 'step 4 formula')

root, texts = svg(os.path.join(tmp, 's2.svg'))
check('avg = (0 + 0 + 0 + 2 + 3 + 4 + 6 + 7 + 8) / 9 = 3.3333333' in texts, 'avg formula, got %r' % texts)
check('-1' in texts, 'padding row index -1 shown')
sw, sh = int(root.get('width')), int(root.get('height'))
w, h, colours = png(os.path.join(tmp, 's2.png'))
check((w, h) == (sw, sh), 'PNG and SVG of one step have one size: %r %r' % ((w, h), (sw, sh)))
check(w >= 320, 'PNG width %d < 320' % w)
check(len(colours) >= 6, 'PNG has too few colours: %d' % len(colours))

pr = sorted(os.listdir(os.path.join(tmp, 'pr')))
check(pr == ['step-001a.png', 'step-001b.png', 'step-002a.png', 'step-002b.png',
             'step-003a.png', 'step-003b.png', 'step-004a.png', 'step-004b.png'] or
      pr == ['step-001a.png', 'step-001b.png'], 'presenter frames: %r' % pr)
for f in pr:
    w, h, colours = png(os.path.join(tmp, 'pr', f))
    check(w >= 320 and len(colours) >= 4, f + ': size or content')
root, texts = svg(os.path.join(tmp, 'hidden.svg'))
check('max(1, 2, 5, 6) = ?' in texts and '?' in texts and 'max(1, 2, 5, 6) = 6' not in texts, 'hidden value: %r' % texts)

w, h, colours = png(os.path.join(tmp, 'cat.png'))
check(w >= 600 and len(colours) > 100, 'cat frame: %dx%d, %d colours' % (w, h, len(colours)))

for b in bad:
    print('FAIL:', b)
sys.exit(1 if bad else 0)
PY

# 5. A lesson as slides: text, demo steps, question and answer.
"$POOLVIZ" render --lesson 3 --frames "$tmp/l3" >"$tmp/l3.list" || fail "render --lesson exited $?"
grep -q '/p01-01-text\.svg$' "$tmp/l3.list" || fail "no text slide"
grep -q '/p01-02-demo-001\.svg$' "$tmp/l3.list" || fail "no demo frame"
grep -q '/p01-03a-question\.svg$' "$tmp/l3.list" || fail "no question slide"
grep -q '/p01-03b-answer\.svg$' "$tmp/l3.list" || fail "no answer slide"
grep -q 'max(0, 2, 1, 1) = 2' "$tmp/l3/p01-03b-answer.svg" || fail "the answer slide lacks the formula"

# 6. Usage errors: nothing is written.
"$POOLVIZ" render --step 9 -o "$tmp/x.svg" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--step 9 of 4 must exit 2"
[ -e "$tmp/x.svg" ] && fail "--step 9 wrote a file"
"$POOLVIZ" render --step 1 -o "$tmp/x.gif" >/dev/null 2>&1
[ $? -eq 2 ] || fail "-o x.gif must exit 2"
"$POOLVIZ" render >/dev/null 2>&1
[ $? -eq 2 ] || fail "render without --frames or -o must exit 2"
"$POOLVIZ" render -k 1 --frames "$tmp/many" "$top_srcdir/assets/cat.png" >/dev/null 2>&1
[ $? -eq 2 ] || fail "196608 frames must be refused"
[ -e "$tmp/many" ] && fail "the refused render created its folder"
"$POOLVIZ" render --step 1 -o "$tmp/no/such/dir/x.png" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an unwritable output must exit 1"
ls "$tmp"/*.tmp-* >/dev/null 2>&1 && fail "temporary files left behind"

# Help texts point only at sections they have ("see Operators below").
for sub in render bench repl; do
    "$POOLVIZ" "$sub" --help 2>&1 | grep -q 'Operators below' &&
        fail "$sub --help points at an Operators section it does not have"
done

[ "$failed" -eq 0 ] && echo ok
exit "$failed"
