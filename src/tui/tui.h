/* tui.h - the interactive stepper (design §6).
 *
 * tui_run() takes over the terminal (ncursesw), shows the input grid with
 * the current pooling region, the output filling in cell by cell and the
 * formula with the region's numbers, and returns when the user quits.  It
 * decides nothing about arguments: src/cli parses them and calls it.  All
 * values come from the core (plan, region, forward, explain).
 */
#ifndef POOLVIZ_TUI_TUI_H
#define POOLVIZ_TUI_TUI_H

#include <stdbool.h>

#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"
#include "lesson/lesson.h"

typedef struct lessonview_options lessonview_options;

typedef enum tui_color_mode {
    TUI_COLOR_AUTO = -1,    /* colours unless NO_COLOR is set or the terminal has none */
    TUI_COLOR_NEVER = 0,    /* monochrome: bold, reverse, dim, underline */
    TUI_COLOR_ALWAYS = 1    /* colours when the terminal has them, despite NO_COLOR */
} tui_color_mode;

/* How pictures are drawn (--graphics, `set graphics`): the order of
 * graphics_choice (graphics.h).  sixel and kitty are drawn where libchafa's
 * terminal database says the terminal shows them, else symbols with a note
 * on the bottom line. */
typedef enum tui_graphics {
    TUI_GRAPHICS_AUTO = 0,      /* kitty, sixel, else symbols, as the terminal shows them */
    TUI_GRAPHICS_SYMBOLS,       /* libchafa's block symbols in curses cells */
    TUI_GRAPHICS_SIXEL,
    TUI_GRAPHICS_KITTY
} tui_graphics;

typedef struct tui_options {
    const tensor *input;        /* NULL = the built-in example (4x4, 1..16); copied */
    const char *name;           /* shown in the title ("example", a file name); may be NULL */
    const char *var;            /* the input's name on the ':' line; NULL: name when that is
                                   an identifier (a REPL matrix), else A */
    const pool_params *params;  /* NULL = the defaults (max, 2x2, stride 2); copied */
    int color;                  /* a tui_color_mode (the --color option) */
    int graphics;               /* a tui_graphics (the --graphics option) */
    bool picture;               /* open in the picture view (the input came from a PNG) */
    const lesson *lesson;       /* open on this lesson (lessonview_run); q quits; not owned */
    const lessonview_options *lesson_options;   /* its options; may be NULL */
} tui_options;

/* Run the stepper until the user quits.  Returns the exit code: 0 when the
 * user quit (q, :quit); 128 + the signal, 130 after Ctrl-C and 143 after
 * SIGTERM (err->status is PV_ERR_INTERRUPTED: quiet, the terminal is restored); otherwise 1 or 2
 * with err filled for the caller to print, and the terminal untouched or
 * restored: parameters that do not fit the input, then stdin or stdout not
 * a terminal ("terminal: the stepper needs a terminal ..."), no memory; all
 * checked before the screen is taken.  The stepper keeps its own command
 * session: ':' lines run in the command language with the input defined as
 * a matrix (see var; the built-in example is A). */
int tui_run(const tui_options *options, pv_error *err);

#endif
