#!/bin/sh
# A lesson loads files only from its own folder and the assets: no absolute
# path, no '..', no link that leads elsewhere.  A refused or unreadable file
# is named by the lesson's file:line and its own name, never by its content.
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
tmp=${TMPDIR:-/tmp}/poolviz-lesson-confine.$$
mkdir -p "$tmp/course/sub" "$tmp/course/lesson" || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
secret=SECRETWORD$$
printf '%s 1\n2 3\n' "$secret" >"$tmp/secret.txt"
printf '%s 1\n2 3\n' "$secret" >"$tmp/course/lesson/garbled.txt"
printf '1 2\n3 4\n' >"$tmp/course/lesson/ok.txt"
printf '5 6\n7 8\n' >"$tmp/course/lesson/sub-ok.txt"
mkdir -p "$tmp/course/lesson/data" && printf '1 2\n3 4\n' >"$tmp/course/lesson/data/in.txt"
ln -s ../../secret.txt "$tmp/course/lesson/link-out.txt" || exit 77
ln -s "$tmp/secret.txt" "$tmp/course/lesson/abs-link.txt"
ln -s ok.txt "$tmp/course/lesson/link-in.txt"
ln -s "$tmp" "$tmp/course/lesson/up"
ln -s "$top_srcdir/assets/cat.png" "$tmp/course/lesson/link-asset.png"
lesson=$tmp/course/lesson/t.lesson

# one lesson loading FILE at line 4
check() {
    printf '@title T\n@summary S\n@page P\n@load %s\n@step 1\n' "$1" >"$lesson"
    "$POOLVIZ" lesson --check "$lesson" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
refused() {   # FILE REASON
    check "$1"
    [ "$rc" -eq 1 ] || fail "@load $1: exit $rc, expected 1"
    grep -F -q "poolviz: error: $lesson:4: @load: " "$tmp/err" ||
        fail "@load $1: the error does not name $lesson:4: $(cat "$tmp/err")"
    grep -F -q -- "$2" "$tmp/err" || fail "@load $1: expected '$2', got: $(cat "$tmp/err")"
    grep -q "$secret" "$tmp/err" "$tmp/out" && fail "@load $1: the file's content was shown"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "@load $1: more than one error line"
    [ -s "$tmp/out" ] && fail "@load $1: printed on stdout: $(cat "$tmp/out")"
}
accepted() {
    check "$1"
    [ "$rc" -eq 0 ] || fail "@load $1: refused: $(cat "$tmp/err")"
}

refused ../../secret.txt "goes up a folder ('..')"
refused ../lesson/ok.txt "goes up a folder ('..')"
refused data/../ok.txt "goes up a folder ('..')"
refused .. "goes up a folder ('..')"
refused "$tmp/secret.txt" "is an absolute path"
refused /etc/hostname "is an absolute path"
refused link-out.txt "is a link to a file outside"
refused abs-link.txt "is a link to a file outside"
refused up/secret.txt "is a link to a file outside"
refused garbled.txt "garbled.txt:1:1: not a matrix or picture poolviz can read"
refused no-such.txt "cannot find 'no-such.txt'"
accepted ok.txt
accepted ./ok.txt
accepted data/in.txt
accepted link-in.txt
accepted link-asset.png
accepted cat.png            # from the assets

# played, not only checked: the text player refuses the same way
printf '@title T\n@summary S\n@page P\n@load ../../secret.txt\n@step 1\n' >"$lesson"
"$POOLVIZ" lesson --text "$lesson" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "lesson --text with @load ../../secret.txt did not exit 1"
grep -q "$secret" "$tmp/err" "$tmp/out" && fail "lesson --text showed the file's content"

[ "$failed" -eq 0 ] && echo ok
exit "$failed"
