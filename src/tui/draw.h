/* draw.h - small drawing helpers on stdscr shared by the TUI's screens:
 * clipped UTF-8 text, boxes with titles, filled lines, word wrapping.
 * Every function clips to the screen and to the width it is given, so a
 * screen never writes past the terminal's edge whatever its size.
 */
#ifndef POOLVIZ_TUI_DRAW_H
#define POOLVIZ_TUI_DRAW_H

#include <stddef.h>

#include <curses.h>

#include "tui/theme.h"

/* Text at (y, x) in at most width columns; returns the columns used. */
int draw_text(int y, int x, int width, attr_t attr, const char *text);

/* printf-style draw_text. */
int draw_textf(int y, int x, int width, attr_t attr, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Text right-aligned so that it ends before column x_end. */
int draw_text_right(int y, int x_end, int width, attr_t attr, const char *text);

/* Text centred in [x, x + width). */
void draw_text_centred(int y, int x, int width, attr_t attr, const char *text);

/* width blank cells in attr. */
void draw_fill(int y, int x, int width, attr_t attr);

/* A box of h rows and w columns with an optional title on its top edge. */
void draw_box(int y, int x, int h, int w, const char *title);

/* Split text into lines of at most width columns, breaking at spaces where
 * possible and at '\n' always.  Calls line(ctx, start, len) for each line;
 * returns the number of lines. */
size_t draw_wrap(const char *text, int width,
                 void (*line)(void *ctx, const char *start, size_t len), void *ctx);

#endif
