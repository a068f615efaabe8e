#!/bin/sh
# poolviz render: PDF decks (page count, 16:9 pages, embedded fonts, the
# text of every question and answer of every lesson), PNG size, SVG parsed
# as XML, two-digit numbers apart, the stepper's panels, presenter slides,
# invalid UTF-8, nested --frames folders and usage errors.  Needs python3
# (xml.etree, zlib) and poppler's pdfinfo, pdffonts and pdftotext.
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
for tool in python3 pdfinfo pdffonts pdftotext; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is needed to read the slides (poppler-utils, python3)"
        exit 77
    fi
done
tmp=${TMPDIR:-/tmp}/poolviz-render.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }
page_size() { pdfinfo "$1" | sed -n 's/^Page size: *//p'; }

# 1. Every step of the built-in example as one deck: 4 pages of 960x540 pt,
#    every font embedded, DejaVu among them.
"$POOLVIZ" render -o "$tmp/steps.pdf" >"$tmp/out" || fail "render -o steps.pdf exited $?"
[ -s "$tmp/out" ] && fail "a file deck printed: $(cat "$tmp/out")"
[ "$(pages "$tmp/steps.pdf")" = 4 ] || fail "steps.pdf: $(pages "$tmp/steps.pdf") pages, not 4"
case $(page_size "$tmp/steps.pdf") in
"960 x 540 pts"*) ;;
*) fail "steps.pdf page size: $(page_size "$tmp/steps.pdf")" ;;
esac
pdffonts "$tmp/steps.pdf" >"$tmp/fonts" || fail "pdffonts failed"
grep -q DejaVuSans "$tmp/fonts" || fail "no DejaVu font: $(cat "$tmp/fonts")"
awk 'NR > 2 && $(NF - 4) != "yes" { bad = 1 } END { exit bad }' "$tmp/fonts" ||
    fail "a font is not embedded: $(cat "$tmp/fonts")"
pdftotext "$tmp/steps.pdf" "$tmp/steps.txt"
for f in 'max(1, 2, 5, 6) = 6' 'max(11, 12, 15, 16) = 16' 'input' 'output' 'step 1 of 4'; do
    grep -qF "$f" "$tmp/steps.txt" || fail "steps.pdf lacks '$f'"
done
# Every page of a deck is numbered "k / N" (pdftotext may drop the spaces).
for k in 1 2 3 4; do
    [ "$(pdftotext -f $k -l $k "$tmp/steps.pdf" - | grep -cE "^$k ?/ ?4\$")" = 1 ] ||
        fail "page $k of steps.pdf is not numbered '$k / 4'"
done

# 2. Two-digit numbers apart: in the 1..16 matrix, 9 10 11 12 are four
#    words on one line with a gap of at least a third of their height.
pdftotext -bbox -f 1 -l 1 "$tmp/steps.pdf" "$tmp/bbox.html"
python3 - "$tmp/bbox.html" <<'PY' || fail "two-digit numbers run together"
import re, sys
words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                   open(sys.argv[1]).read())
row = {w[4]: tuple(map(float, w[:4])) for w in words if w[4] in ('9', '10', '11', '12')}
assert len(row) == 4, 'found %r' % row
ys = {round(v[1]) for v in row.values()}
assert len(ys) == 1, 'not one line: %r' % row
order = sorted(row.values())
for a, b in zip(order, order[1:]):
    gap, height = b[0] - a[2], a[3] - a[1]
    assert gap > height / 3, 'gap %.1f for height %.1f' % (gap, height)
PY

# 3. Frames: nested folders created, "DIR/" printed without "//", PNG at
#    1920x1080, --size, --format as --to's other name, SVG parsed as XML.
"$POOLVIZ" render --frames "$tmp/a/b/c/" --to png >"$tmp/list" || fail "--frames a/b/c/ exited $?"
[ "$(wc -l <"$tmp/list")" -eq 4 ] || fail "expected 4 frames, got: $(cat "$tmp/list")"
grep -q '//' "$tmp/list" && fail "a path with //: $(cat "$tmp/list")"
grep -q '/a/b/c/step-001\.png$' "$tmp/list" || fail "frame names: $(cat "$tmp/list")"
"$POOLVIZ" render --op avg -k 3 -s 2 --padding 1 --step 2 --size 1280x720 -o "$tmp/s2.png" \
    >/dev/null || fail "render --size -o png exited $?"
"$POOLVIZ" render --op avg -k 3 -s 2 --padding 1 --step 2 -o "$tmp/s2.svg" >/dev/null ||
    fail "render -o svg exited $?"
"$POOLVIZ" render --frames "$tmp/pdfs" --format pdf -m '1 2; 3 4' >/dev/null ||
    fail "--format pdf exited $?"
[ -f "$tmp/pdfs/step-001.pdf" ] || fail "--format pdf: $(ls "$tmp/pdfs")"
"$POOLVIZ" render --op avg -k 3 -s 2 --padding 1 --step 2 -o "$tmp/s2.pdf" >/dev/null ||
    fail "render --step -o pdf exited $?"
pdftotext "$tmp/s2.pdf" - | grep -qF 'avg = (0 + 0 + 0 + 2 + 3 + 4 + 6 + 7 + 8) / 9 = 3.3333333' ||
    fail "the avg step's formula is missing"

python3 - "$tmp" <<'PY' || failed=1
import os, struct, sys, zlib
import xml.etree.ElementTree as ET
tmp = sys.argv[1]
bad = []

def check(cond, what):
    if not cond:
        bad.append(what)

def png(path):
    """Width and height from IHDR, after checking every chunk's CRC and the
    size of the image data (the pixels are read by libpng below)."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG signature'
    pos, idat = 8, b''
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
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    assert depth == 8 and len(zlib.decompress(idat)) == h * (w * channels + 1), 'bad layout'
    return w, h

for f in sorted(os.listdir(os.path.join(tmp, 'a/b/c'))):
    w, h = png(os.path.join(tmp, 'a/b/c', f))
    check((w, h) == (1920, 1080), '%s: %dx%d, not 1920x1080' % (f, w, h))
w, h = png(os.path.join(tmp, 's2.png'))
check((w, h) == (1280, 720), '--size 1280x720 gave %dx%d' % (w, h))
root = ET.parse(os.path.join(tmp, 's2.svg')).getroot()
check(root.tag == '{http://www.w3.org/2000/svg}svg', 'SVG root: ' + root.tag)
check(root.get('viewBox') == '0 0 1920 1080', 'SVG viewBox: %r' % root.get('viewBox'))
for b in bad:
    print('FAIL:', b)
sys.exit(1 if bad else 0)
PY
# The pixels through libpng (poolviz's PNG reader): dark ink and white
# paper in the red channel, and the region's orange (no blue) somewhere.
lo=$("$POOLVIZ" pool --global --op min "$tmp/a/b/c/step-001.png") || fail "reading the PNG exited $?"
hi=$("$POOLVIZ" pool --global --op max "$tmp/a/b/c/step-001.png")
red_lo=$(echo "$lo" | sed -n 2p) red_hi=$(echo "$hi" | sed -n 2p) blue_lo=$(echo "$lo" | sed -n 8p)
[ "$red_lo" -lt 60 ] && [ "$red_hi" -eq 255 ] && [ "$blue_lo" -lt 10 ] ||
    fail "step-001.png: channel minima $lo, maxima $hi"

# 4. The stepper's panels: stochastic probabilities and the draw, SPP bins,
#    bilinear products, fractional sequences, padding in the divisor.
panel() {
    want=$1
    shift
    "$POOLVIZ" render "$@" -o "$tmp/panel.pdf" >/dev/null || { fail "render $* exited $?"; return; }
    pdftotext "$tmp/panel.pdf" - | tr -s ' \n' '  ' | grep -qF "$want" ||
        fail "render $*: no '$want' in: $(pdftotext "$tmp/panel.pdf" - | head -30)"
}
panel 'probability of each value' --op stochastic --seed 7 -m '1 3; 2 4' -k 2 --step 1
panel 'drawn' --op stochastic --seed 7 -m '1 3; 2 4' -k 2 --step 1
panel 'level' --op spp --levels 1,2 -m '1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16' --step 3
panel 'bilinear' --op bilinear -m '[[[1,2],[3,4]],[[5,6],[7,8]]]' --step 2
panel 'rows 8' --op fractional --output-size 5x5 --seed 3 -m "$(seq 1 64 | paste -sd' ' | sed 's/\(\([0-9]* \)\{7\}[0-9]*\) /\1; /g')" --step 12
panel 'divisor' --op avg -k 3 --padding 1 -s 2 --step 1
# The newer operators: softpool's weights, median's sorted window with its
# middle marked, both parts of mixed, lse's sum (1 2 5 6 is step 1's window).
m44='1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16'
panel 'weights w = e^x / sum e^x' --op softpool -k 2 -m "$m44" --step 1
panel '0.26410418*5 + 0.71790961*6 = 5.6591137' --op softpool -k 2 -m "$m44" --step 1
panel 'median(1, 2, 5, 6) = 2' --op median -k 2 -m "$m44" --step 1
panel 'sorted: 1 [2] 5 6' --op median -k 2 -m "$m44" --step 1
panel 'sorted: 1 2 3 5 [6] 7 9 10 11' --op median -k 3 -s 1 -m "$m44" --step 1
panel 'mixed = 0.5*max + 0.5*avg = 0.5*6 + 0.5*3.5 = 4.75' --op mixed -k 2 -m "$m44" --step 1
panel 'max part: 6' --op mixed -k 2 -m "$m44" --step 1
panel 'avg part: (1 + 2 + 5 + 6) / 4 = 3.5' --op mixed -k 2 -m "$m44" --step 1
panel 'lse = 6 + ln(1.392933 / 4) / 1 = 4.9451173' --op lse -k 2 -m "$m44" --step 1
panel '0.006737947 + 0.018315639 + 0.36787944 + 1 = 1.392933' --op lse -k 2 -m "$m44" --step 1

# The backward view: a deck of every step of 4x4 max k2 (4 pages), each
# with its dx formula line; avg k3 s2 on 5x5 adds the shares of the two
# windows that overlap in column 2 (1/9 + 1/9 = 0.2222...).
"$POOLVIZ" render --backward -k 2 -m "$m44" -o "$tmp/back.pdf" >/dev/null ||
    fail "render --backward exited $?"
[ "$(pages "$tmp/back.pdf")" = 4 ] || fail "back.pdf: $(pages "$tmp/back.pdf") pages, not 4"
for k in 1 2 3 4; do
    pdftotext -f $k -l $k "$tmp/back.pdf" - | grep -q '^dx\[[0-9],[0-9]\] += 1 · dy\[' ||
        fail "page $k of back.pdf has no dx[ formula line"
done
pdftotext -f 4 -l 4 "$tmp/back.pdf" - | grep -qF 'dx[3,3] += 1 · dy[1,1] = 1' ||
    fail "back.pdf page 4: $(pdftotext -f 4 -l 4 "$tmp/back.pdf" - | head -40)"
m55='1 2 3 4 5; 6 7 8 9 10; 11 12 13 14 15; 16 17 18 19 20; 21 22 23 24 25'
panel 'dx[0,2] = 0.11111111 + 0.11111111 = 0.22222222' --backward --op avg -k 3 -s 2 -m "$m55" --step 2
panel 'dL/dx so far' --backward --op avg -k 3 -s 2 -m "$m55" --step 2
"$POOLVIZ" render --backward --op avg -k 3 -s 2 -m "$m55" --step 2 -o "$tmp/back2.pdf" >/dev/null
[ "$(pdftotext "$tmp/back2.pdf" - | grep -cx '0\.111 0\.111 0\.222 0\.111 0\.111')" = 3 ] ||
    fail "the dx grid of avg k3 s2 step 2 does not show 0.222 in column 2"
"$POOLVIZ" render --backward --lesson 3 -o "$tmp/x.pdf" 2>"$tmp/err" >/dev/null
[ $? -eq 2 ] && grep -q 'backward' "$tmp/err" || fail "--backward --lesson: $(cat "$tmp/err")"

# 5. Presenter slides: the value hidden, then shown.
"$POOLVIZ" render --present --step 1 -o "$tmp/hidden.pdf" >/dev/null || fail "--present -o exited $?"
pdftotext "$tmp/hidden.pdf" "$tmp/hidden.txt"
grep -qF 'max(1, 2, 5, 6) = ?' "$tmp/hidden.txt" || fail "hidden value: $(cat "$tmp/hidden.txt")"
grep -qF '= 6' "$tmp/hidden.txt" && fail "the hidden slide shows the value"
"$POOLVIZ" render --present -o "$tmp/present.pdf" >/dev/null || fail "--present deck exited $?"
[ "$(pages "$tmp/present.pdf")" = 8 ] || fail "--present deck: $(pages "$tmp/present.pdf") pages"

# 6. Every lesson as one deck: 16:9 pages, quick, and the text of every
#    question and answer as `lesson NAME --text` prints it.
# In a sanitizer build, LeakSanitizer's own tracer now and then crashes on a
# loaded machine ("Tracer caught signal 11 ... LeakSanitizer has encountered
# a fatal error", exit 134): a fault of the checker, not of poolviz, so such
# a deck is rendered once more; any other failure counts.
render_lesson() {
    "$POOLVIZ" render --lesson "$1" -o "$2" >/dev/null 2>"$tmp/render.err" && return 0
    rs=$?
    if grep -q 'LeakSanitizer has encountered a fatal error' "$tmp/render.err"; then
        "$POOLVIZ" render --lesson "$1" -o "$2" >/dev/null
        return
    fi
    cat "$tmp/render.err" >&2
    return "$rs"
}
for lesson in "$top_srcdir"/lessons/*.lesson; do
    name=$(basename "$lesson" .lesson)
    render_lesson "$name" "$tmp/$name.pdf" ||
        { fail "render --lesson $name exited $?"; continue; }
    case $(page_size "$tmp/$name.pdf") in
    "960 x 540 pts"*) ;;
    *) fail "$name: page size $(page_size "$tmp/$name.pdf")" ;;
    esac
    "$POOLVIZ" lesson "$name" --text >"$tmp/$name.txt" || fail "lesson $name --text exited $?"
    pdftotext "$tmp/$name.pdf" "$tmp/$name.pdf.txt"
    n=$(pages "$tmp/$name.pdf")
    [ "$(pdftotext -f "$n" -l "$n" "$tmp/$name.pdf" - | grep -cE "^$n ?/ ?$n\$")" = 1 ] ||
        fail "$name: the last page is not numbered '$n / $n'"
    [ "$(grep -cE "^[0-9]+ ?/ ?$n\$" "$tmp/$name.pdf.txt")" = "$n" ] ||
        fail "$name: not every page is numbered 'k / $n'"
    python3 - "$tmp/$name.txt" "$tmp/$name.pdf.txt" "$(pages "$tmp/$name.pdf")" <<'PY' ||
import re, sys
text = open(sys.argv[1], encoding='utf-8').read().split('\n')
deck = re.sub(r'\s+', '', open(sys.argv[2], encoding='utf-8').read())
# A question: "  ?? Question N: PROMPT" (continued by 2-space lines), then
# "    Answer: X" and the explanation (4-space lines) up to a blank line.
found, missing, i = 0, [], 0
while i < len(text):
    if not text[i].startswith('  ?? Question '):
        i += 1
        continue
    found += 1
    prompt = text[i].split(': ', 1)[1]
    i += 1
    while i < len(text) and text[i].startswith('  ') and not text[i].startswith('    '):
        prompt += ' ' + text[i].strip()
        i += 1
    parts = [prompt]
    while i < len(text) and text[i].startswith('    '):
        parts.append(text[i].strip())
        i += 1
    # The explanation is wrapped at 72 columns: compare without spaces.
    whole = re.sub(r'\s+', '', ' '.join(parts))
    if whole not in deck:
        missing.append(' '.join(parts))
if found == 0:
    missing.append('no question found in the --text output')
if int(sys.argv[3]) < 2 * found + 1:
    missing.append('%s pages for %d questions' % (sys.argv[3], found))
for m in missing:
    print('missing:', m[:300])
sys.exit(1 if missing else 0)
PY
        fail "$name: a question or answer is not whole in the deck"
done
# A value question is asked on the step of its cell, the value hidden.
pdftotext -f 5 -l 9 "$tmp/03-max-average-min.pdf" - | grep -q '^?$' ||
    fail "lesson 3: no '?' cell on its question slides"

# Predict, then reveal: the demo before lesson 5's first question (the
# output's size) shows the size as '?' until the answer's page.
python3 - "$tmp/05-output-size.pdf.txt" <<'PY' || fail "lesson 5 shows the asked size before its answer"
import sys
text = open(sys.argv[1], encoding='utf-8').read()
before = text[:text.index('Answer 1')]
assert '5x5 \u2192 ?' in before, 'no hidden size'
assert '5x5 \u2192 2x2' not in before, 'the size is shown'
PY

# 7. Lessons to --frames: text, demo steps, question and answer slides.
"$POOLVIZ" render --lesson 3 --frames "$tmp/l3" >"$tmp/l3.list" || fail "render --lesson --frames exited $?"
for f in p00-title p01-01-text p01-02-demo-001 p01-03a-question p01-03b-answer; do
    grep -q "/$f\.svg\$" "$tmp/l3.list" || fail "no $f slide"
done

# 8. Invalid UTF-8: a lesson is refused (FILE:LINE) or repaired to U+FFFD,
#    never written as it is; --title is refused.
mkdir -p "$tmp/bad"
awk 'BEGIN { done = 0 } /^@page/ && !done { print; print "Broken \377\376 bytes here."; print ""; done = 1; next } { print }' \
    "$top_srcdir/lessons/03-max-average-min.lesson" >"$tmp/bad/bad.lesson"
grep -q "$(printf '\377')" "$tmp/bad/bad.lesson" || fail "the test lesson has no bad byte"
"$POOLVIZ" render --lesson "$tmp/bad/bad.lesson" -o "$tmp/bad/bad.pdf" >/dev/null 2>"$tmp/bad/err"
code=$?
if [ "$code" -eq 0 ]; then
    pdftotext "$tmp/bad/bad.pdf" - | grep -q "Broken $(printf '\357\277\275')" ||
        fail "the invalid bytes were not replaced by U+FFFD"
    "$POOLVIZ" render --lesson "$tmp/bad/bad.lesson" --frames "$tmp/bad/svg" >/dev/null ||
        fail "invalid UTF-8 to SVG exited $?"
    python3 -c 'import sys, glob, xml.etree.ElementTree as ET
[ET.parse(f) for f in glob.glob(sys.argv[1] + "/*.svg")]' "$tmp/bad/svg" ||
        fail "an SVG of the repaired lesson does not parse"
elif [ "$code" -eq 1 ]; then
    grep -q 'bad\.lesson:[0-9]' "$tmp/bad/err" || fail "no FILE:LINE in: $(cat "$tmp/bad/err")"
    [ -e "$tmp/bad/bad.pdf" ] && fail "a refused lesson wrote its deck"
else
    fail "invalid UTF-8 in a lesson exited $code"
fi
"$POOLVIZ" render --title "$(printf 'bad \377 title')" --step 1 -o "$tmp/t.svg" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--title with invalid UTF-8 must exit 2"
grep -q -- '--title' "$tmp/err" || fail "--title error: $(cat "$tmp/err")"
[ -e "$tmp/t.svg" ] && fail "--title with invalid UTF-8 wrote a file"

# 9. Usage errors: nothing is written.
"$POOLVIZ" render --step 9 -o "$tmp/x.svg" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--step 9 of 4 must exit 2"
[ -e "$tmp/x.svg" ] && fail "--step 9 wrote a file"
"$POOLVIZ" render --step 1 -o "$tmp/x.gif" >/dev/null 2>&1
[ $? -eq 2 ] || fail "-o x.gif must exit 2"
"$POOLVIZ" render -o "$tmp/x.svg" >/dev/null 2>&1
[ $? -eq 2 ] || fail "-o x.svg without --step must exit 2"
"$POOLVIZ" render --to gif --frames "$tmp/g" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--to gif must exit 2"
for size in 16 0x100 100x 10x10 99999x100 -5x100; do
    "$POOLVIZ" render --size "$size" --step 1 -o "$tmp/x.png" >/dev/null 2>&1
    [ $? -eq 2 ] || fail "--size $size must exit 2"
done
"$POOLVIZ" render >/dev/null 2>&1
[ $? -eq 2 ] || fail "render without --frames or -o must exit 2"
"$POOLVIZ" render -k 1 --frames "$tmp/many" "$top_srcdir/assets/cat.png" >/dev/null 2>&1
[ $? -eq 2 ] || fail "196608 frames must be refused"
[ -e "$tmp/many" ] && fail "the refused render created its folder"
"$POOLVIZ" render --lesson 3 -o "$tmp/l3.svg" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a lesson to one .svg must exit 2"
"$POOLVIZ" render --step 1 -o "$tmp/no/such/dir/x.png" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an unwritable output must exit 1"
# Through the one writer: a deck's files all or none; a device in place; a
# link followed.
mkdir -p "$tmp/blk/step-003.svg"
"$POOLVIZ" render --frames "$tmp/blk" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a folder in the way of a frame must exit 1"
[ -e "$tmp/blk/step-001.svg" ] && fail "frames were left although one could not be written"
[ -s "$tmp/out" ] && fail "paths printed for frames not written: $(cat "$tmp/out")"
"$POOLVIZ" render --step 1 --to png -o /dev/null || fail "-o /dev/null exited $?"
: >"$tmp/real.pdf"
ln -s real.pdf "$tmp/link.pdf"
"$POOLVIZ" render -o "$tmp/link.pdf" >/dev/null || fail "-o LINK exited $?"
[ -L "$tmp/link.pdf" ] && [ "$(pages "$tmp/real.pdf")" = 4 ] || fail "the link was not followed"
ls -a "$tmp" | grep -q '^\..*\.[A-Za-z0-9]\{6\}$' && fail "temporary files left behind"

# Help texts point only at sections they have ("see Operators below").
for sub in render bench repl; do
    "$POOLVIZ" "$sub" --help 2>&1 | grep -q 'Operators below' &&
        fail "$sub --help points at an Operators section it does not have"
done

[ "$failed" -eq 0 ] && echo ok
exit "$failed"
