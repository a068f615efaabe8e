/* lessonsecret.h - predict, then reveal: what a demo must not show yet.
 *
 * A question asks about one computation: its input pooled with its
 * settings.  A demo that shows the same computation (the same input, and an
 * output of the same shape and values) would answer it before it is asked:
 * the asked cell's value and the result of its formula (@ask value), the
 * same and the winner's mark (@ask argmax), the output's shape and number
 * of regions (@ask size, @ask regions), or for a @compare of the same two
 * inputs the second output and how many cells differ (@ask changed).
 *
 * lesson_secrets_find() lists what a demo must keep hidden while given
 * questions are open.  The text player (worksheets), the TUI player and the
 * slides all ask it and print `?` in those places, so the rule lives here
 * only.  Nothing here prints or touches a terminal.
 */
#ifndef POOLVIZ_LESSON_LESSONSECRET_H
#define POOLVIZ_LESSON_LESSONSECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"

/* Bits of lesson_secrets.cell / other_cell. */
enum {
    LESSON_HIDE_VALUE = 1u << 0,    /* the cell's value and its formula's result */
    LESSON_HIDE_WINNER = 1u << 1    /* the mark on the input cell that wins it */
};

typedef struct lesson_secrets {
    unsigned char *cell;        /* per flat index of the demo's output, or NULL (nothing) */
    size_t cell_count;
    unsigned char *other_cell;  /* compare: per index of the second output, or NULL */
    size_t other_count;
    size_t *cell_asker;         /* with cell / other_cell: the number of the */
    size_t *other_asker;        /* first question that hides the cell, else 0 */
    bool size;                  /* the output's shape, its cells and the region count */
    size_t size_question;       /* the first question asking for it (1-based) */
    bool differ;                /* compare: how many output cells differ */
    size_t differ_question;     /* the first question asking for it (1-based) */
    size_t question;            /* the first question (1-based, lesson order) that
                                   hides something, 0 when nothing is hidden */
} lesson_secrets;

/* Is question q (number: 1-based, in lesson order) still open? */
typedef bool (*lesson_open_fn)(void *ctx, const lesson_block *q, size_t number);

/* Fill s with what demo (whose computation r came from lesson_compute)
 * must hide while the questions for which open() is true are unanswered.
 * open == NULL is the worksheet's rule: every question that comes after
 * the demo in the lesson is open, those before it are answered.  s is
 * reset first; release it with lesson_secrets_release (also after a
 * failure: PV_ERR_NOMEM, or a question that cannot be computed). */
pv_status lesson_secrets_find(const lesson *l, const lesson_block *demo, const lesson_result *r,
                              lesson_open_fn open, void *ctx, lesson_secrets *s, pv_error *err);
void lesson_secrets_release(lesson_secrets *s);

/* Does s hide anything at all? */
bool lesson_secrets_any(const lesson_secrets *s);

/* What to show of output index i of the demo's first (other == false) or
 * second output: the LESSON_HIDE_* bits (all of them when s->size). */
unsigned lesson_secrets_of(const lesson_secrets *s, bool other, size_t i);

/* The question (1-based number) that hides output index i: the first one
 * asking about that cell, or the one asking for the size; 0 for none. */
size_t lesson_secrets_asker(const lesson_secrets *s, bool other, size_t i);

/* A formula line that ends in its result (formatted from value as
 * pool_format_number does): the result becomes "?", so the terms stay
 * visible and the student computes the rest.  A line that does not end in
 * its result becomes "?" as a whole. */
void lesson_hide_result(char *formula, size_t size, double value);

#endif
