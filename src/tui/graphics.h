/* graphics.h - pictures as terminal graphics (sixel, kitty) through
 * libchafa, for terminals that show them (--graphics, `set graphics`).
 *
 * Which way to draw comes from the choice and libchafa's terminal
 * database (TERM and the variables terminals set); the pictures become
 * escape sequences that tui.c writes at their cells after curses has drawn
 * the screen, curses owning the cells as blanks.  No curses here, so the
 * unit tests check the choice and the sequences without a terminal.
 */
#ifndef POOLVIZ_TUI_GRAPHICS_H
#define POOLVIZ_TUI_GRAPHICS_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/pixels.h"

/* What is asked (the --graphics values, in tui_graphics's order). */
typedef enum graphics_choice {
    GRAPHICS_CHOICE_AUTO = 0,
    GRAPHICS_CHOICE_SYMBOLS,
    GRAPHICS_CHOICE_SIXEL,
    GRAPHICS_CHOICE_KITTY
} graphics_choice;

/* What is drawn. */
typedef enum graphics_mode { GRAPHICS_SYMBOLS, GRAPHICS_SIXEL, GRAPHICS_KITTY } graphics_mode;

/* The names auto, symbols, sixel, kitty: the choice for name, false when
 * it is none of them. */
bool graphics_choice_from_name(const char *name, graphics_choice *out);
const char *graphics_choice_name(graphics_choice choice);

/* Decide how to draw for choice in the environment envp (NULL-terminated
 * "NAME=value" strings, as environ): auto takes kitty, then sixel, where
 * libchafa's database says the terminal shows them, else symbols; sixel or
 * kitty asked of a terminal the database does not know to show them gives
 * symbols, with a one-line note in note (else note is "").  The terminal
 * found is kept for graphics_render until graphics_release. */
graphics_mode graphics_choose(graphics_choice choice, char **envp, char *note, size_t note_size);

/* The escape sequences that draw the pw x ph pixels px (row-major) over
 * cols x rows cells of cell_w x cell_h screen pixels, in mode (sixel or
 * kitty) for the terminal graphics_choose found; every pixel enlarged by
 * repeating it (no smoothing).  Returns a string owned by the caller
 * (graphics_free_text) and its length, or NULL when libchafa cannot (no
 * memory, mode symbols, no terminal chosen). */
char *graphics_render(graphics_mode mode, const pixels_rgb *px, int pw, int ph, int cols,
                      int rows, int cell_w, int cell_h, size_t *len);
void graphics_free_text(char *text);

/* The sequence that removes every kitty image placement ("" for sixel:
 * curses repaints over sixels). */
const char *graphics_clear_sequence(graphics_mode mode);

void graphics_release(void);

#endif
