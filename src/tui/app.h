/* app.h - what the TUI's modules share: the application record and the
 * screen states.
 *
 * Each screen (the stepper, help, the pager for command output) is a state
 * with a draw function and a key function.  tui.c owns the one loop: it
 * reads a key, hands it to the command line when that is open and to the
 * current screen otherwise, and redraws.  Screens switch with
 * tui_set_screen().
 *
 * The picture view (picture.c) is one more screen: its draw reads
 * app->stepper (stepper_plan, stepper_region, stepper_input,
 * stepper_output), its keys move the stepper or pass through to the
 * stepper's, and `v` switches between the two with tui_set_screen().
 */
#ifndef POOLVIZ_TUI_APP_H
#define POOLVIZ_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/params.h"
#include "core/strbuf.h"
#include "core/tensor.h"

typedef struct tui_app tui_app;
typedef struct stepper stepper;
typedef struct lessonview lessonview;
typedef struct compareview compareview;

typedef struct tui_screen {
    const char *name;
    /* Draw the whole screen except the bottom line (the command line, a
     * message or the screen's hints). */
    void (*draw)(tui_app *app);
    /* Handle one key (a byte or a KEY_ code). */
    void (*key)(tui_app *app, int key);
    /* Called when tick_ms passed without a key (animation); may be NULL. */
    void (*tick)(tui_app *app);
    /* The key hints for the bottom line: "key:what" pairs separated by
     * '\t' ("n:next\tq:quit"; the last ':' of a pair splits it). */
    const char *hints;
    /* Drawn over the screen it was opened from (help, pager), which
     * tui_close_overlay() returns to. */
    bool overlay;
    /* The size this screen needs; 0: TUI_MIN_COLS x TUI_MIN_ROWS. */
    int min_cols, min_rows;
} tui_screen;

struct tui_app {
    const tui_screen *screen;   /* the state on show */
    const tui_screen *under;    /* the state a pager or help returns to */
    stepper *stepper;
    cmd_session *session;
    bool quit;
    int tick_ms;                /* >= 0: call screen->tick after so long without a key */
    char message[512];          /* shown on the bottom line until the next key */
    bool message_is_error;
    strbuf emitted;             /* command output collected during one command */
    bool step_switched;         /* a `step` command replaced the stepper's input */
    char settings_seen[2048];   /* the session's settings the stepper last followed */
    const char *var_hint;       /* the session name asked for the input, or NULL */
    lessonview *lesson;         /* the lesson being played (lesson_screen), or NULL */
    bool lesson_quits;          /* q on the lesson quits (poolviz lesson), else back */
    compareview *compare;       /* the comparison on the compare screen, or NULL */
    int graphics;               /* how pictures are asked to be drawn (a tui_graphics) */
};

/* Switch to a screen; the current one is remembered as app->under when the
 * new one is an overlay (help, pager). */
void tui_set_screen(tui_app *app, const tui_screen *screen);

/* Back to the screen under an overlay. */
void tui_close_overlay(tui_app *app);

/* A one-line message on the bottom line until the next key. */
void tui_message(tui_app *app, bool is_error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Open the command line (':') on the bottom line. */
void tui_open_command_line(tui_app *app);

/* Ask for one line on the bottom line (no history, no completion); done
 * gets the text, or NULL when the user cancelled. */
void tui_prompt(tui_app *app, const char *prompt, void (*done)(void *ctx, const char *line),
                void *ctx);

/* Show input (copied) in the stepper under name with params (copied), and
 * make them the ':' line's: the input defined as a matrix in the session
 * (name when that is an identifier, else A), params its settings.  What a
 * lesson's ':' calls so a student can try settings on the lesson's input.
 * On failure nothing changes and err says why. */
pv_status tui_try_input(tui_app *app, const tensor *input, const char *name,
                        const pool_params *params, pv_error *err);

/* Draw pictures as choice asks (a tui_graphics: auto, symbols, sixel,
 * kitty), as far as the terminal shows them; a note on the bottom line when
 * it falls back to symbols. */
void tui_set_graphics(tui_app *app, int choice);

/* Run one line of the command language as if typed after ':'. */
void tui_run_command(tui_app *app, const char *line);

/* The terminal's minimum size for normal drawing: the classic 80×24, where
 * the title, the status line, the key hints and the formula fit whole and
 * the output-size panel (o) has room (at 60×16 they were cut mid-word). */
enum { TUI_MIN_COLS = 80, TUI_MIN_ROWS = 24 };

#endif
