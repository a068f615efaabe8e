/* lessonplayer.h - the lesson player's state, without a terminal.
 *
 * A player walks a parsed lesson: the current page, the demo on show (a
 * page may have several; the stepper shows one at a time) and where the
 * stepper is in it, and for every question the answers given so far.  The
 * TUI (src/tui/lessonview.c) draws this state and turns keys into the calls
 * below; tests drive it directly.  Every number comes from lessonrun.h.
 */
#ifndef POOLVIZ_LESSON_LESSONPLAYER_H
#define POOLVIZ_LESSON_LESSONPLAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"
#include "lesson/lessonsecret.h"

typedef enum lesson_question_state {
    LESSON_Q_OPEN,          /* not answered yet */
    LESSON_Q_RIGHT,         /* answered right (at some try) */
    LESSON_Q_REVEALED       /* the answer was shown after wrong tries or a skip */
} lesson_question_state;

typedef struct lesson_question_progress {
    const lesson_block *block;
    size_t page;
    lesson_answer *answer;          /* solved when the player starts */
    lesson_question_state state;
    int wrong;                      /* wrong answers so far */
    char last_typed[128];
    char feedback[512];             /* what the checker said last */
} lesson_question_progress;

typedef struct lesson_player {
    const lesson *lesson;
    size_t page;                    /* 0-based */
    size_t demo;                    /* index among the page's demos */
    size_t step;                    /* 0-based output index in the demo */
    bool revealed;                  /* presenter: the current value is shown */
    bool present;                   /* presenter mode */
    int tries;                      /* wrong answers before the answer is shown */
    lesson_question_progress *questions;
    size_t question_count;
    bool *seen;                     /* per page */
    lesson_result result;           /* the demo on show, computed */
    bool have_result;
    lesson_secrets secrets;         /* what it hides while questions are open */
} lesson_player;

/* Start at page first_page (clamped): solves every question and computes
 * the first demo.  Fails (err addressed to the lesson line) when a question
 * or demo cannot be computed.  Release with lesson_player_release. */
pv_status lesson_player_init(lesson_player *p, const lesson *l, size_t first_page,
                             bool present, pv_error *err);
void lesson_player_release(lesson_player *p);

/* Pages.  Return false when there is no such page (nothing changes). */
bool lesson_player_next_page(lesson_player *p, pv_error *err);
bool lesson_player_prev_page(lesson_player *p, pv_error *err);
bool lesson_player_goto_page(lesson_player *p, size_t page, pv_error *err);

/* The page's demos: how many, the i-th block, the one on show (NULL when
 * the page has none). */
size_t lesson_player_demo_count(const lesson_player *p);
const lesson_block *lesson_player_demo_block(const lesson_player *p, size_t i);
const lesson_block *lesson_player_current_demo(const lesson_player *p);

/* Show the page's next / previous demo (wrapping); false if it has one or none. */
bool lesson_player_cycle_demo(lesson_player *p, int direction, pv_error *err);

/* Stepping within the demo: the region count, moves (false at an end).
 * In presenter mode a step forward first reveals the current value. */
size_t lesson_player_step_count(const lesson_player *p);
bool lesson_player_step_next(lesson_player *p);
bool lesson_player_step_prev(lesson_player *p);
void lesson_player_step_goto(lesson_player *p, size_t index);

/* Is the value of output index i visible?  (Cells before the step are,
 * the current one unless the presenter hides it, later ones are not; a
 * cell an open question asks about is not, except the current one after
 * the presenter's reveal.) */
bool lesson_player_value_visible(const lesson_player *p, size_t index);
/* The same for the mark on the current region's winner. */
bool lesson_player_winner_visible(const lesson_player *p);
/* The output's shape and the region count (hidden by @ask size/regions). */
bool lesson_player_size_visible(const lesson_player *p);
/* Compare: cell i of the second output; the count of differing cells. */
bool lesson_player_other_visible(const lesson_player *p, size_t index);
bool lesson_player_differ_visible(const lesson_player *p);

/* The page's first open question, or NULL. */
lesson_question_progress *lesson_player_open_question(lesson_player *p);
/* The page's questions, in order: the number (global, 1-based) of the
 * first and how many. */
void lesson_player_page_questions(const lesson_player *p, size_t *first, size_t *count);

/* Answer q with typed: the verdict, and q->feedback filled.  After a
 * right answer, or after `tries` wrong ones, the question is closed. */
lesson_verdict lesson_player_answer(lesson_player *p, lesson_question_progress *q,
                                    const char *typed);
/* Give up on q: the answer is shown. */
void lesson_player_reveal(lesson_player *p, lesson_question_progress *q);

typedef struct lesson_progress {
    size_t pages, pages_seen;
    size_t questions, right, revealed, first_try;
} lesson_progress;

void lesson_player_progress(const lesson_player *p, lesson_progress *out);

#endif
