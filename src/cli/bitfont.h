/* bitfont.h - a small bitmap font drawn for poolviz, for the PNG slides.
 *
 * Text in a PNG is drawn by poolviz itself, pixel by pixel, from these
 * glyphs: 5 pixels wide and 9 tall (7 above the baseline, 2 for
 * descenders), one blank column between characters.  Printable ASCII is
 * covered; the multiplication sign is drawn as x, anything else as a box.
 */
#ifndef POOLVIZ_CLI_BITFONT_H
#define POOLVIZ_CLI_BITFONT_H

#include <stdbool.h>

#define BITFONT_W 5
#define BITFONT_H 9
#define BITFONT_ASCENT 7
#define BITFONT_ADVANCE (BITFONT_W + 1)

/* Is pixel (x, y) of the glyph for code point code ink?  (0, 0) is the top
 * left; y = BITFONT_ASCENT - 1 is the baseline row. */
bool bitfont_pixel(unsigned code, int x, int y);

/* The next code point of UTF-8 text, advancing *text; 0 at the end. */
unsigned bitfont_next(const char **text);

/* Width in pixels of text drawn at a whole-number scale. */
int bitfont_text_width(const char *text, int scale);

#endif
