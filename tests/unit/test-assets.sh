#!/bin/sh
# test-assets.sh - the pictures in assets/ are exactly what tools/gen-assets
# draws (a difference of 1 per sample is allowed for libm rounding), so the
# committed files never drift from the program that documents them.
gen="${top_builddir:-.}/tools/gen-assets"
if [ ! -x "$gen" ]; then
    echo "test-assets: $gen is not built" >&2
    exit 99
fi
exec "$gen" --check "${top_srcdir:-.}/assets"
