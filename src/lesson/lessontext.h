/* lessontext.h - a lesson as plain text: the player without a terminal.
 *
 * lesson_print() writes the whole lesson, page by page: the prose wrapped to
 * a width, each demo's input with the region in [brackets], the output as
 * far as the stepper got, and the core's formula; each question with its
 * answer and explanation, or, with a read function, asked and checked.
 * The result can be read, piped or diffed (the golden test does).
 */
#ifndef POOLVIZ_LESSON_LESSONTEXT_H
#define POOLVIZ_LESSON_LESSONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"

/* Receives text: one or more whole lines, each ending in '\n'. */
typedef void (*lesson_emit_fn)(void *ctx, const char *text);

/* Answers longer than this are refused, not cut: no answer anyone means is. */
#define LESSON_ANSWER_MAX 4096

typedef enum lesson_read_status {
    LESSON_READ_LINE,       /* buf holds the answer, without its '\n' */
    LESSON_READ_TOO_LONG,   /* the line did not fit in buf; all of it was consumed */
    LESSON_READ_END         /* the end of the input */
} lesson_read_status;

/* Reads the student's answer, one whole line, into buf (size bytes, at
 * least LESSON_ANSWER_MAX + 1).  prompt is what to show before reading, if
 * anything. */
typedef lesson_read_status (*lesson_read_fn)(void *ctx, const char *prompt, char *buf,
                                             size_t size);

typedef struct lesson_text_options {
    int width;              /* wrap prose at this many columns; 0 = 72 */
    bool answers;           /* print each question's answer and explanation */
    lesson_read_fn read;    /* non-NULL: ask the questions and read answers */
    void *read_ctx;
    int tries;              /* with read: wrong answers before the answer is shown; 0 = 2 */
} lesson_text_options;

/* Print lesson l through emit.  Fails only when a demo or question cannot
 * be computed (a lesson that passes lesson_check never does), with the
 * error addressed to its line, or PV_ERR_INTERRUPTED. */
pv_status lesson_print(const lesson *l, const lesson_text_options *o, lesson_emit_fn emit,
                       void *ctx, pv_error *err);

/* The same for one page (0-based), e.g. for the `lesson` command. */
pv_status lesson_print_page(const lesson *l, size_t page, const lesson_text_options *o,
                            lesson_emit_fn emit, void *ctx, pv_error *err);

/* One line for `lesson --list`: "NN-name  title - summary", the name
 * padded to name_width columns (the longest name of the list) and two
 * spaces before the title, fitted to width columns (0 = no limit). */
void lesson_list_line(const lesson *l, int name_width, int width, char *buf, size_t size);

/* An emit function writing to a FILE * (ctx). */
void lesson_emit_file(void *ctx, const char *text);

/* Word-wrap text to width columns with indent spaces before every line,
 * appending the lines ('\n'-terminated) to buf. */
void lesson_wrap(const char *text, int width, int indent, char *buf, size_t size);

/* Find NAME (lesson_find), parse it and print it through emit: what the
 * command language's `lesson NAME` hook calls when there is no lesson
 * player on screen. */
pv_status lesson_print_by_name(const char *name, lesson_emit_fn emit, void *ctx,
                               pv_error *err);

#endif
