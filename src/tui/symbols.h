/* symbols.h - pictures as terminal cells through libchafa's canvas: a
 * buffer of display pixels becomes, for each cell, a character (a block,
 * half, quadrant or space) with a foreground and a background colour,
 * which the picture view then draws with curses.  No dithering: a flat
 * area stays one colour (the cat's fur is not speckled).
 *
 * No curses here, so the unit tests check the cells without a terminal.
 */
#ifndef POOLVIZ_TUI_SYMBOLS_H
#define POOLVIZ_TUI_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/pixels.h"

/* The colours a cell may use. */
typedef enum symbols_palette {
    SYMBOLS_ANSI8,      /* the 8 ANSI colours, 0..7 */
    SYMBOLS_XTERM240,   /* xterm indices 16..255 (the cube and the grays) */
    SYMBOLS_DIRECT      /* 0xRRGGBB */
} symbols_palette;

typedef struct symbols_cell {
    uint32_t glyph;     /* a Unicode code point; ' ' shows bg alone */
    int fg, bg;         /* in the palette's terms */
} symbols_cell;

/* Turn the pw×ph pixels px (row-major) into cols×rows cells (row-major
 * into out), the pixels stretched over the cells by repeating them (no
 * smoothing: an edge stays sharp, a colour exact).  unicode: the terminal
 * shows block characters; otherwise every cell is a space in one colour.
 * Returns false when libchafa could not make a canvas (out untouched). */
bool symbols_render(const pixels_rgb *px, int pw, int ph, int cols, int rows,
                    symbols_palette palette, bool unicode, symbols_cell *out);

/* Free the canvas kept between frames. */
void symbols_release(void);

#endif
