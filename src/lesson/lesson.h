/* lesson.h - lessons: the file format, its parser and the lesson model.
 *
 * A lesson is a plain text file `lessons/NN-name.lesson`.  Lines that start
 * with '@' are directives, lines that start with '#' are comments, every
 * other line is prose (the full format: lessons/README.md):
 *
 *   @title Max, average and min        once, before the first page
 *   @summary Three summaries of a window   the line `lesson --list` shows
 *   @page One window, three answers    starts a page
 *   Prose; a blank line ends a paragraph; a line indented by two
 *   spaces or more is kept as it is (a small table, a formula).
 *   @matrix [NAME]                     the lines up to @end are a matrix
 *   @matrix [NAME] = LITERAL           the same on one line
 *   @load FILE [gray] [as NAME]        a picture or a data file
 *   @use NAME                          make an earlier input current
 *   @set KEY VALUE  |  @set KEY=VALUE KEY=VALUE ...   (keys as `set`)
 *   @reset                             settings back to the defaults
 *   @step N                            demo: the stepper at region N (1-based)
 *   @run                               demo: every region, the whole output
 *   @compare NAME                      demo: the current input and NAME, pooled alike
 *   @ask value I J [: PROMPT]          the value of output cell (I, J)
 *   @ask size | regions | argmax I J | changed NAME   [: PROMPT]
 *
 * No answer is ever written in a lesson: the player computes it with the
 * core (lessonrun.h).  The parser checks the syntax, the settings (through
 * pool_params_set, so keys mean what they mean everywhere) and loads the
 * inputs; whether a demo or a question fits its input is checked by
 * lesson_check().  Errors name "FILE:LINE" and say what is wrong.
 */
#ifndef POOLVIZ_LESSON_LESSON_H
#define POOLVIZ_LESSON_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"

typedef enum lesson_block_kind {
    LESSON_PROSE,       /* a paragraph (lines joined by single spaces) */
    LESSON_VERBATIM,    /* indented lines kept as they are ('\n' between) */
    LESSON_DEMO,        /* @step, @run, @compare */
    LESSON_QUESTION     /* @ask */
} lesson_block_kind;

typedef enum lesson_demo_kind {
    LESSON_DEMO_STEP,       /* the stepper at one region */
    LESSON_DEMO_RUN,        /* every region */
    LESSON_DEMO_COMPARE     /* two inputs with the same settings */
} lesson_demo_kind;

typedef enum lesson_question_kind {
    LESSON_ASK_VALUE,       /* the value of an output cell */
    LESSON_ASK_SIZE,        /* the output's shape */
    LESSON_ASK_ARGMAX,      /* the input cell that wins an output cell */
    LESSON_ASK_REGIONS,     /* how many regions (output cells) there are */
    LESSON_ASK_CHANGED,     /* how many output cells differ from another input's */
    LESSON_ASK_GRAD,        /* dL/dx of an input cell when every dL/dy is 1 */
    LESSON_ASK_LEARNING     /* how many input cells get any gradient (dy = 1) */
} lesson_question_kind;

#define LESSON_MAX_INDEX 4

typedef struct lesson_input {
    char *name;             /* "" for the unnamed input */
    char *source;           /* "matrix" or the file name as written */
    char *path;             /* the file actually loaded, or NULL for a matrix */
    bool picture;           /* loaded from a PNG */
    int line;               /* where it was defined */
    tensor *tensor;         /* owned */
} lesson_input;

/* A demo or a question: what it is about and the state it sees (the input
 * and settings current at its line). */
typedef struct lesson_block {
    lesson_block_kind kind;
    int line;
    char *text;                     /* prose, verbatim; a question's own prompt or NULL */
    size_t input;                   /* index in lesson->inputs */
    size_t other;                   /* compare / changed: the second input */
    pool_params params;             /* owned copy */
    lesson_demo_kind demo;
    size_t step;                    /* LESSON_DEMO_STEP: 1-based region */
    lesson_question_kind ask;
    int index_count;                /* value / argmax: the output cell, as written */
    long index[LESSON_MAX_INDEX];
} lesson_block;

typedef struct lesson_page {
    char *title;
    int line;
    lesson_block *blocks;
    size_t block_count;
} lesson_page;

typedef struct lesson {
    char *path;             /* the file as given */
    char *name;             /* its base name without ".lesson" */
    char *title;
    char *summary;
    lesson_page *pages;
    size_t page_count;
    lesson_input *inputs;
    size_t input_count;
} lesson;

/* Parse the lesson file at path.  Inputs are loaded relative to the
 * lesson's folder first, then from the data folder's assets/.  Returns a
 * new lesson (free with lesson_free) or NULL with err filled: subject
 * "PATH:LINE", status PV_ERR_DATA for a mistake in the lesson (PV_ERR_IO
 * when the file itself cannot be read, PV_ERR_NOMEM). */
lesson *lesson_parse_file(const char *path, pv_error *err);

/* Parse lesson text held in memory; path names it in errors and anchors
 * relative file names. */
lesson *lesson_parse_text(const char *text, size_t len, const char *path, pv_error *err);

void lesson_free(lesson *l);

/* Number of demos and questions in the whole lesson. */
size_t lesson_count_blocks(const lesson *l, lesson_block_kind kind);

/* The data folder (io_datadir: $POOLVIZ_DATADIR, an uninstalled build's
 * folder, else the installed $(pkgdatadir)). */
const char *lesson_datadir(void);

/* Find a lesson by NAME: a path to an existing file is used as is;
 * otherwise NAME (less a ".lesson" ending) is looked up in the data
 * folder's lessons/: the full name with or without its "NN-" number, then
 * the number ("4", "04"), then the unique lesson whose name starts with
 * NAME, then the unique lesson with NAME as one word of its name
 * ("cartoonist" finds "02-the-cartoonist").  Writes the path into buf.
 * PV_ERR_DATA naming some of the matches when several match, or the
 * closest name when none does. */
pv_status lesson_find(const char *name, char *buf, size_t size, pv_error *err);

/* The lesson files in the data folder's lessons/, sorted by name: a
 * pv_malloc'ed array of count pv_malloc'ed paths (free with
 * lesson_paths_free). */
pv_status lesson_list_paths(char ***paths, size_t *count, pv_error *err);
void lesson_paths_free(char **paths, size_t count);

#endif
