/* lessonview.h - the lesson player on a terminal: the page's prose beside
 * a live stepper, pages forward and back, questions answered inline,
 * progress on the status line.
 *
 * All state lives in a lesson_player (src/lesson/lessonplayer.h, no
 * curses); this module only draws it and turns keys into player calls.  It
 * runs on its own terminal session, or on the one a caller already has
 * open (the TUI's `:lesson NAME`): lessonview_run() notices an active
 * curses screen and borrows it, leaving it as it found it.
 */
#ifndef POOLVIZ_TUI_LESSONVIEW_H
#define POOLVIZ_TUI_LESSONVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "lesson/lesson.h"

typedef struct lessonview_options {
    int color;          /* -1 auto, 0 never, 1 always (--color) */
    bool present;       /* presenter: each output value hidden until a key */
    bool large;         /* large cells, for a projector */
    size_t first_page;  /* 0-based page to open on */
} lessonview_options;

/* Play l until the user quits.  Returns the exit code: 0 after q, 130
 * after Ctrl-C or SIGTERM (err->status PV_ERR_INTERRUPTED), 1 with err
 * filled when there is no terminal or a demo cannot be computed (the
 * lesson should have passed lesson_check). */
int lessonview_run(const lesson *l, const lessonview_options *options, pv_error *err);

/* Find NAME (lesson_find), parse it and play it: what the command
 * language's `lesson NAME` hook calls on a terminal (in the TUI it borrows
 * the TUI's screen).  Returns as lessonview_run; a lesson that cannot be
 * found or parsed is exit code 1 with err filled. */
int lessonview_run_by_name(const char *name, const lessonview_options *options,
                           pv_error *err);

#endif
