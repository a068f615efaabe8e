#!/bin/sh
# Data without `make install`: with POOLVIZ_DATADIR unset, an uninstalled
# build finds lessons/ and assets/ next to itself (or in the source folder of
# a VPATH build) from any working folder; a picture name missing from the
# working folder comes from the assets; lessons are found by number, name,
# file name or a unique word of the name.
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
unset POOLVIZ_DATADIR
tmp=${TMPDIR:-/tmp}/poolviz-datadir.$$
mkdir -p "$tmp/elsewhere" || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp/elsewhere" || exit 99
failed=0
fail() { echo "FAIL: $*"; failed=1; }

count=$(ls "$top_srcdir"/lessons/*.lesson | wc -l)
n=$("$POOLVIZ" lesson --list | grep -c .) || fail "lesson --list from another folder"
[ "$n" -eq "$count" ] || fail "lesson --list printed $n lines for $count lessons"
"$POOLVIZ" lesson --check >/dev/null || fail "lesson --check from another folder"
for name in 1 02 cartoonist the-cartoonist 02-the-cartoonist 02-the-cartoonist.lesson; do
    "$POOLVIZ" lesson --text "$name" 2>&1 | head -1 | grep -q '^The cartoonist\|^What pooling is' ||
        fail "lesson '$name' not found from another folder"
done
"$POOLVIZ" lesson --text cartoonist | head -1 | grep -q '^The cartoonist' ||
    fail "lesson cartoonist is not 02-the-cartoonist"
"$POOLVIZ" lesson --text 04-stride-and-overlap.lesson | head -1 | grep -q '^Stride and overlap' ||
    fail "lesson 04-stride-and-overlap.lesson (a file name of the lessons folder)"
# A word shared by several lessons is ambiguous: exit 1 and name some of them.
"$POOLVIZ" lesson --text pooling >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "lesson pooling (ambiguous) exit $rc, expected 1"
grep -q '^poolviz: error: pooling: [0-9]* lessons match (01-what-is-pooling.lesson' "$tmp/err" ||
    { fail "lesson pooling: message"; cat "$tmp/err"; }

# Pictures by name from the assets, in pool, the REPL and a lesson's own @load.
[ ! -e cat.png ] || exit 99
out=$("$POOLVIZ" pool cat.png --gray -k 64 2>&1) || fail "pool cat.png from another folder: $out"
[ "$(printf '%s\n' "$out" | grep -c "^[0-9]")" -eq 4 ] || fail "pool cat.png --gray -k 64 is not 4 rows: $out"
out=$(printf 'B = load cartoon.png\nshow B\n' | "$POOLVIZ" repl 2>&1) ||
    fail "repl load cartoon.png from another folder: $out"
printf '%s\n' "$out" | grep -q '^B: 3x' || fail "repl load cartoon.png: $out"
# A file in the working folder wins over the asset of the same name.
printf '1 2\n3 4\n' >example.txt
[ "$("$POOLVIZ" pool example.txt -k 2)" = 4 ] || fail "example.txt in the working folder must win"
rm -f example.txt
"$POOLVIZ" pool no-such-picture.png >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "a missing picture must exit 1"
grep -q '^poolviz: error: no-such-picture.png: ' "$tmp/err" || fail "missing picture message"

# POOLVIZ_DATADIR wins; an executable with lessons/ and assets/ beside it
# uses those.
mkdir -p "$tmp/data/lessons" "$tmp/data/assets" "$tmp/inst/lessons" "$tmp/inst/assets"
cp "$top_srcdir/lessons/03-max-average-min.lesson" "$tmp/data/lessons/"
cp "$top_srcdir/lessons/05-output-size.lesson" "$tmp/inst/lessons/"
cp "$POOLVIZ" "$tmp/inst/poolviz"
n=$(POOLVIZ_DATADIR="$tmp/data" "$POOLVIZ" lesson --list | grep -c .)
[ "$n" -eq 1 ] || fail "POOLVIZ_DATADIR: --list shows $n lessons, expected 1"
list=$("$tmp/inst/poolviz" lesson --list)
[ "$(printf '%s\n' "$list" | grep -c .)" -eq 1 ] &&
    printf '%s\n' "$list" | grep -q '^05-output-size ' ||
    fail "a binary with lessons/ beside it: $list"
[ "$failed" -eq 0 ] && echo "ok: data found from another folder"
exit "$failed"
