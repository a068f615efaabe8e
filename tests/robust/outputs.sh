#!/bin/sh
# outputs.sh - what writing a file does to what was there (src/io/writer.h):
# the outputs of one command are committed together or not at all; an
# overwritten file keeps its mode (and owner, as root); a link is followed;
# a device or FIFO is written in place, never replaced; two spellings of one
# file are refused; a file the user may not write is refused (run as
# nobody when we are root and setpriv is here).  Every command that writes
# goes through the same writer: pool, render and the REPL's save.
. "$(dirname "$0")/lib.sh"
d=$work/out
m='1 2 3 4; 5 6 7 8'

# expect NAME COND: pass when the shell condition holds.
expect() {
    if eval "$2"; then pass "$1"; else fail "$1 (status $status)"; fi
}

# Devices are never named by their /dev path here: a writer that wrongly
# renamed over its target would replace the system's device (as root).  As
# root the test makes its own nodes in $dev; otherwise /dev cannot be
# harmed and is used.  /dev/stdout likewise becomes a link of our own.
dev=$work/dev
mkdir -p "$dev"
if [ "$(id -u)" -eq 0 ]; then
    mknod "$dev/full" c 1 7 && mknod "$dev/null" c 1 3 || exit 99
else
    ln -s /dev/full "$dev/full"
    ln -s /dev/null "$dev/null"
fi
ln -s /proc/self/fd/1 "$dev/stdout"

# All or nothing: the main output fails on a full device, the indices stay.
if [ -w "$dev/full" ]; then
    echo OLD > "$d/idx.txt"
    run 30 pool -m "$m" -k 2 --indices "$d/idx.txt" -o "$dev/full"
    expect indices-kept-on-failure '[ "$status" -eq 1 ] && [ "$(cat "$d/idx.txt")" = OLD ] &&
        grep -q "No space left" "$work/stderr" && [ -c "$dev/full" ]'
    run 30 pool -m "$m" -k 2 --indices "$d/new.npy" -o "$dev/full"
    expect new-indices-not-created '[ "$status" -eq 1 ] && [ ! -e "$d/new.npy" ] &&
        [ "$(ls -A "$d" | grep -v -x idx.txt)" = "" ]'
    rm -f "$d"/*
else
    echo "skip: no writable full device"
fi

# One file, two spellings: refused, the file untouched.
echo OLD > "$d/idx.txt"
(cd "$d" && run 30 pool -m "$m" -k 2 --indices ./idx.txt -o idx.txt
 expect same-file-refused '[ "$status" -eq 2 ] && [ "$(cat idx.txt)" = OLD ]'
 echo "passed=$passed failed=$failed" > "$work/counts")
. "$work/counts"
ln -s idx.txt "$d/alias.txt"
run 30 pool -m "$m" -k 2 --indices "$d/alias.txt" -o "$d/idx.txt"
expect same-file-through-link '[ "$status" -eq 2 ] && [ "$(cat "$d/idx.txt")" = OLD ]'
rm -f "$d"/*

# The mode of an overwritten file is kept: pool, render, save.
echo old > "$d/p.txt"; chmod 600 "$d/p.txt"
run 30 pool -m "$m" -k 2 -o "$d/p.txt"
expect pool-keeps-mode '[ "$status" -eq 0 ] && [ "$(stat -c %a "$d/p.txt")" = 600 ] &&
    [ "$(cat "$d/p.txt")" = "6 8" ]'
echo old > "$d/r.svg"; chmod 640 "$d/r.svg"
run 30 render -m "$m" -k 2 --step 1 -o "$d/r.svg"
expect render-keeps-mode '[ "$status" -eq 0 ] && [ "$(stat -c %a "$d/r.svg")" = 640 ] &&
    grep -q "<svg" "$d/r.svg"'
echo old > "$d/s.npy"; chmod 604 "$d/s.npy"
printf 'A = [1 2; 3 4]\nsave A %s\n' "$d/s.npy" > "$work/script"
run 30 repl "$work/script"
expect save-keeps-mode '[ "$status" -eq 0 ] && [ "$(stat -c %a "$d/s.npy")" = 604 ] &&
    [ "$(head -c 6 "$d/s.npy" | tail -c 5)" = NUMPY ]'
rm -f "$d"/*

# A link is followed: the file it names changes, the link stays a link.
for cmd in pool render save; do
    echo old > "$d/target.$cmd"
    ln -s "target.$cmd" "$d/link.$cmd"
    case $cmd in
        pool) run 30 pool -m "$m" -k 2 -o "$d/link.$cmd" ;;
        render) run 30 render -m "$m" -k 2 --step 1 --format svg -o "$d/link.$cmd" ;;
        save) printf 'A = [1 2; 3 4]\nsave A %s to=txt\n' "$d/link.$cmd" > "$work/script"
              run 30 repl "$work/script" ;;
    esac
    expect "$cmd-follows-link" '[ "$status" -eq 0 ] && [ -L "$d/link.$cmd" ] &&
        [ "$(cat "$d/target.$cmd")" != old ] && [ "$(ls -A "$d" | wc -l)" -eq 2 ]'
    rm -f "$d"/*
done

# A FIFO is written in place (a reader gets the bytes), never replaced.
if mkfifo "$d/fifo" 2> /dev/null; then
    for cmd in pool render; do
        cat "$d/fifo" > "$work/fifo-read" &
        reader=$!
        case $cmd in
            pool) run 30 pool -m "$m" -k 2 -o "$d/fifo" ;;
            render) run 30 render -m "$m" -k 2 --step 1 --format svg -o "$d/fifo" ;;
        esac
        # A reader left waiting on a FIFO that was replaced never ends.
        tries=0
        while kill -0 "$reader" 2> /dev/null && [ "$tries" -lt 50 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        kill "$reader" 2> /dev/null
        wait "$reader" 2> /dev/null
        expect "$cmd-fifo-in-place" '[ "$status" -eq 0 ] && [ -p "$d/fifo" ] &&
            [ -s "$work/fifo-read" ] && [ "$(ls -A "$d")" = fifo ]'
    done
    rm -f "$d"/*
else
    echo "skip: mkfifo failed"
fi

# A character device is written in place: a private /dev/null made with
# mknod when we may (root).
if [ "$(id -u)" -eq 0 ] && mknod "$d/mynull" c 1 3 2> /dev/null; then
    run 30 render -m "$m" -k 2 --step 1 --format svg -o "$d/mynull"
    expect render-keeps-device '[ "$status" -eq 0 ] && [ -c "$d/mynull" ]'
    run 30 pool -m "$m" -k 2 --to npy -o "$d/mynull"
    expect pool-keeps-device '[ "$status" -eq 0 ] && [ -c "$d/mynull" ]'
    printf 'A = [1 2; 3 4]\nsave A %s to=png\n' "$d/mynull" > "$work/script"
    run 30 repl "$work/script"
    expect save-keeps-device '[ "$status" -eq 0 ] && [ -c "$d/mynull" ]'
    rm -f "$d"/*
else
    echo "skip: mknod needs root"
fi
run 30 pool -m "$m" -k 2 -o "$dev/null"
expect pool-dev-null '[ "$status" -eq 0 ] && [ -c "$dev/null" ]'

# PNG and SVG through a link to standard output (as /dev/stdout is), here
# into a file.
run 30 render -m "$m" -k 2 --step 1 --format svg -o "$dev/stdout"
expect render-dev-stdout '[ "$status" -eq 0 ] && grep -q "<svg" "$work/stdout" && [ -L "$dev/stdout" ]'
run 30 pool -m "$m" -k 2 --to png -o "$dev/stdout"
expect pool-png-dev-stdout '[ "$status" -eq 0 ] &&
    [ "$(head -c 4 "$work/stdout" | tail -c 3)" = PNG ]'

# As another user: /dev/stdout names a file that user may not open (the
# test's own, in a private folder), and a read-only file is refused as cp
# refuses it.  Root may replace a read-only file, and its owner stays.
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null 2>&1 &&
   setpriv --reuid=nobody --regid=nogroup --clear-groups true 2> /dev/null; then
    as_nobody() {
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$POOLVIZ" "$@" \
            < /dev/null > "$work/stdout" 2> "$work/stderr"
        status=$?
    }
    shared=$(mktemp -d "${TMPDIR:-/tmp}/poolviz-shared.XXXXXX") || exit 99
    chmod 755 "$shared"
    ln -s /proc/self/fd/1 "$shared/stdout"
    as_nobody render -m "$m" -k 2 --step 1 --format svg -o "$shared/stdout"
    expect other-user-dev-stdout '[ "$status" -eq 0 ] && grep -q "<svg" "$work/stdout"'
    as_nobody pool -m "$m" -k 2 -o "$shared/stdout"
    expect other-user-pool-dev-stdout '[ "$status" -eq 0 ] && [ "$(cat "$work/stdout")" = "6 8" ]'
    rm "$shared/stdout"
    chown nobody "$shared"
    echo old > "$shared/ro.txt"
    chown nobody "$shared/ro.txt"
    chmod 444 "$shared/ro.txt"
    as_nobody pool -m "$m" -k 2 -o "$shared/ro.txt"
    expect read-only-refused '[ "$status" -eq 1 ] && grep -q "Permission denied" "$work/stderr" &&
        [ "$(cat "$shared/ro.txt")" = old ] && [ "$(ls -A "$shared")" = ro.txt ]'
    as_nobody render -m "$m" -k 2 --step 1 -o "$shared/ro.txt" --format svg
    expect read-only-refused-render '[ "$status" -eq 1 ] && [ "$(cat "$shared/ro.txt")" = old ]'
    run 30 pool -m "$m" -k 2 -o "$shared/ro.txt"
    expect root-replaces-read-only '[ "$status" -eq 0 ] && [ "$(cat "$shared/ro.txt")" = "6 8" ] &&
        [ "$(stat -c %a:%U "$shared/ro.txt")" = 444:nobody ]'
    rm -rf "$shared"
else
    echo "skip: the other-user cases need root and setpriv (to run as nobody)"
fi

finish
