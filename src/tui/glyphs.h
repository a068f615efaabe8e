/* glyphs.h - the characters the TUI draws with, in a UTF-8 table and an
 * ASCII table.
 *
 * The table is chosen once from the locale's character set
 * (nl_langinfo(CODESET)): box drawing, bars and arrows on a UTF-8 terminal,
 * plain '+', '-', '|', '#' everywhere else.  Every glyph is one column wide
 * (the ASCII arrow "->" excepted, which is two), so layout code can count
 * columns with glyphs_width().  No curses here: the formula builder uses the
 * table too and is tested without a terminal.
 */
#ifndef POOLVIZ_TUI_GLYPHS_H
#define POOLVIZ_TUI_GLYPHS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct glyphs_table {
    bool utf8;
    const char *hline, *vline;
    const char *top_left, *top_right, *bottom_left, *bottom_right;
    const char *tee_left, *tee_right;   /* ├ ┤: a title or a divider on a border */
    const char *pending;                /* an output cell not computed yet */
    const char *hole;                   /* a dilation hole inside a window */
    const char *outside;                /* a ceil-mode tap past the padded input */
    const char *bar_full, *bar_empty;   /* probability bars */
    const char *arrow;                  /* "→" / "->" */
    const char *times;                  /* "×" / "x" */
    const char *ellipsis;               /* "…" / "..." */
    const char *play;                   /* "▶" / ">" */
    const char *up, *down, *left, *right;   /* scroll marks */
    const char *bullet;                 /* "·" / "." separators */
    const char *block;                  /* "█" / "#": colour swatches in legends */
    const char *sum;                    /* "Σ" / "sum" */
    const char *squared;                /* "²" / "^2" */
} glyphs_table;

/* Choose the table from the current locale (call after setlocale). */
void glyphs_init(void);

/* Force a table (tests). */
void glyphs_use(bool utf8);

/* The table in use (the ASCII one before glyphs_init). */
const glyphs_table *glyphs_current(void);

/* True if the locale's character set is UTF-8. */
bool glyphs_locale_is_utf8(void);

/* Display width in columns of a UTF-8 (or ASCII) string as draw_text shows
 * it (quoted, core/quote.h), counting every code point as one column except
 * combining marks (zero) and East Asian wide characters (two): enough for
 * numbers, glyphs and messages. */
size_t glyphs_width(const char *s);

/* Byte length of the longest prefix of s that fits in cols columns. */
size_t glyphs_prefix_bytes(const char *s, size_t cols);

#endif
