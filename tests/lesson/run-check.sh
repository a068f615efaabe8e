#!/bin/sh
# Every shipped lesson parses, and every demo and question runs through the
# core (what CI runs); `--check` without files checks the installed ones
# (here the source tree, through POOLVIZ_DATADIR); --list shows them all.
: "${POOLVIZ:?POOLVIZ is not set}" "${top_srcdir:?top_srcdir is not set}"
failed=0
count=$(ls "$top_srcdir"/lessons/*.lesson | wc -l)
if [ "$count" -lt 12 ]; then
    echo "FAIL: only $count lessons, the course needs at least 12"; failed=1
fi
# Every lesson file is installed: listed in Makefile.am's lesson_files.
for f in "$top_srcdir"/lessons/*.lesson; do
    grep -q "^	lessons/$(basename "$f")" "$top_srcdir/Makefile.am" ||
        { echo "FAIL: $(basename "$f") is not in lesson_files (Makefile.am)"; failed=1; }
done
if ! "$POOLVIZ" lesson --check "$top_srcdir"/lessons/*.lesson; then
    echo "FAIL: lesson --check on lessons/*.lesson"; failed=1
fi
out=$("$POOLVIZ" lesson --check) || { echo "FAIL: lesson --check (all installed)"; failed=1; }
n=$(printf '%s\n' "$out" | grep -c ': ok (')
[ "$n" -eq "$count" ] || { echo "FAIL: --check without files checked $n of $count"; failed=1; }
list=$("$POOLVIZ" lesson --list) || { echo "FAIL: lesson --list"; failed=1; }
n=$(printf '%s\n' "$list" | grep -c .)
[ "$n" -eq "$count" ] || { echo "FAIL: --list printed $n lines for $count lessons"; failed=1; }
# Names in one column, at least two spaces before every title.
printf '%s\n' "$list" | grep -v -q '^[0-9][0-9]-[a-z0-9-]*   *[A-Z]' &&
    { echo "FAIL: --list runs a name into its title:"; printf '%s\n' "$list"; failed=1; }
printf '%s\n' "$list" | grep -q '^10-fractional-max-pooling   *Fractional max pooling - ' ||
    { echo "FAIL: --list line for 10:"; printf '%s\n' "$list"; failed=1; }
printf '%s\n' "$list" | grep -q '^03-max-average-min  *Max, average and min - ' ||
    { echo "FAIL: --list line for 03:"; printf '%s\n' "$list"; failed=1; }
# A lesson is found by number, by name without the number, or by path.
for name in 3 03 max-average-min "$top_srcdir/lessons/03-max-average-min.lesson"; do
    "$POOLVIZ" lesson --text "$name" | head -1 | grep -q '^Max, average and min' ||
        { echo "FAIL: lesson '$name' not found"; failed=1; }
done
"$POOLVIZ" lesson no-such-lesson >/dev/null 2>&1
[ $? -eq 1 ] || { echo "FAIL: an unknown lesson must exit 1"; failed=1; }
"$POOLVIZ" lesson --no-such-option 3 >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: an unknown option must exit 2"; failed=1; }
"$POOLVIZ" lesson --check /nonexistent/x.lesson >/dev/null 2>&1
[ $? -eq 1 ] || { echo "FAIL: a missing file must exit 1"; failed=1; }
# A data folder path too long for a buffer is refused, not cut short (a cut
# path names another folder).
long=$(printf '/x%.0s' $(seq 2100))
err=$(POOLVIZ_DATADIR=$long "$POOLVIZ" lesson --list 2>&1 >/dev/null)
[ $? -eq 1 ] && printf '%s\n' "$err" | grep -q "the data folder's path is too long" ||
    { echo "FAIL: a 4200-byte POOLVIZ_DATADIR: $(printf '%s' "$err" | tail -c 200)"; failed=1; }
[ "$failed" -eq 0 ] && echo "ok: $count lessons"
exit "$failed"
