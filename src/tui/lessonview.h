/* lessonview.h - the lesson player: one screen of the TUI (lesson_screen)
 * showing the page's prose beside a live stepper, pages forward and back,
 * questions answered inline, progress on the status line.
 *
 * All state lives in a lesson_player (src/lesson/lessonplayer.h, no
 * curses); this module only draws it and turns keys into player calls.
 * The terminal belongs to tui.c (set-up, signals, resize, the one loop,
 * clean-up): lessonview_run() hands the lesson to tui_run(), and the
 * stepper's `:lesson NAME` opens it on the running TUI.  `:` on a lesson
 * page shows the demo's input and settings in the stepper with the command
 * line open; Esc comes back to the page.
 */
#ifndef POOLVIZ_TUI_LESSONVIEW_H
#define POOLVIZ_TUI_LESSONVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "lesson/lesson.h"
#include "tui/app.h"

typedef struct lessonview_options {
    int color;          /* -1 auto, 0 never, 1 always (--color) */
    bool present;       /* presenter: each output value hidden until a key */
    bool large;         /* large cells, for a projector */
    size_t first_page;  /* 0-based page to open on */
} lessonview_options;

/* Play l until the user quits.  Returns the exit code: 0 after q, 130
 * after Ctrl-C, 143 after SIGTERM (err->status PV_ERR_INTERRUPTED), 1 with err
 * filled when there is no terminal or a demo cannot be computed (the
 * lesson should have passed lesson_check). */
int lessonview_run(const lesson *l, const lessonview_options *options, pv_error *err);

/* Find NAME (lesson_find), parse it and play it: what the command
 * language's `lesson NAME` hook calls on a terminal (in the TUI it borrows
 * the TUI's screen).  Returns as lessonview_run; a lesson that cannot be
 * found or parsed is exit code 1 with err filled. */
/* A lesson screen's state for l (not copied: it must outlive the view;
 * owned: freed with the view).  NULL with err filled when a demo cannot be
 * computed or there is no memory; l is freed then too when owned. */
lessonview *lessonview_new(const lesson *l, bool owned, const lessonview_options *options,
                           pv_error *err);
void lessonview_free(lessonview *v);

/* Find NAME (lesson_find) and parse it into a lesson screen's state: the
 * TUI's `:lesson NAME`.  NULL with err filled when it cannot. */
lessonview *lessonview_open(const char *name, const lessonview_options *options,
                            pv_error *err);

/* The stepper's stepper_hidden_fn for a lesson view (ctx): what an open
 * question keeps secret of an output cell of the demo's input, where the
 * stepper computed the demo's value for it (lessonsecret's rule). */
unsigned lessonview_hides(void *ctx, const tensor *input, const tensor *output, size_t index,
                          char *why, size_t why_size);

/* The lesson screen: draws app->lesson. */
extern const tui_screen lesson_screen;

int lessonview_run_by_name(const char *name, const lessonview_options *options,
                           pv_error *err);

#endif
