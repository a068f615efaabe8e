/* lessonrun.h - running a lesson's demos and questions through the core.
 *
 * Every number a lesson shows or expects comes from here, and here it comes
 * from the core: pool_plan_create, pool_forward and pool_explain.  A lesson
 * file never holds an answer; lesson_solve() computes it, explains it with
 * the core's formula, and lesson_answer_check() compares what a student
 * typed with it (recognising a few classic mistakes on the way).
 */
#ifndef POOLVIZ_LESSON_LESSONRUN_H
#define POOLVIZ_LESSON_LESSONRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/plan.h"
#include "core/tensor.h"
#include "lesson/lesson.h"

/* A demo's or question's computation. */
typedef struct lesson_result {
    const tensor *input;        /* the lesson's input (not owned) */
    pool_plan *plan;
    tensor *output;
    int64_t *indices;           /* when plan->has_indices, else NULL */
    const tensor *other_input;  /* compare / changed */
    pool_plan *other_plan;
    tensor *other_output;
} lesson_result;

/* Plan and pool block b's input (and its other input for compare and
 * changed) with b's settings.  Errors: subject "PATH:LINE", the core's
 * subject and reason in the message.  Release with lesson_result_release
 * (also after a failure). */
pv_status lesson_compute(const lesson *l, const lesson_block *b, lesson_result *r,
                         pv_error *err);
void lesson_result_release(lesson_result *r);

/* The flat output index a value/argmax question points at: the indices as
 * written, missing leading ones taken as 0.  PV_ERR_DATA (subject
 * "PATH:LINE") when it is outside the output. */
pv_status lesson_output_index(const lesson *l, const lesson_block *b, const pool_plan *plan,
                              size_t *out_index, pv_error *err);

/* Output cell coordinates as people write them: "(0, 1)" or "(2, 0, 1)". */
void lesson_format_cell(const pool_plan *plan, size_t out_index, char *buf, size_t size);

#define LESSON_MAX_MISTAKES 12

/* A wrong answer the checker recognises, and what to say about it. */
typedef struct lesson_mistake {
    bool is_count;              /* compare with dims/count, not value */
    double value;
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    char note[320];
} lesson_mistake;

/* The solved question. */
typedef struct lesson_answer {
    lesson_question_kind kind;
    double value;                       /* value */
    int rank;                           /* size: the output shape */
    size_t dims[TENSOR_MAX_RANK];
    int plane_rank;                     /* size: trailing dims a student may give alone */
    long row, col;                      /* argmax: the winning input cell */
    long flat;                          /* argmax: row * W + col (PyTorch's index) */
    size_t count;                       /* regions, changed */
    char prompt[400];                   /* the question as asked */
    char answer[96];                    /* the right answer, short: "3.5", "2x2", "(1, 0)" */
    char explanation[2400];             /* why, one or more lines separated by '\n' */
    char hint[400];                     /* said after a wrong answer that is no known mistake */
    lesson_mistake mistakes[LESSON_MAX_MISTAKES];
    int mistake_count;
} lesson_answer;

/* Solve question q (a LESSON_QUESTION block).  PV_ERR_DATA with subject
 * "PATH:LINE" when the question does not fit its input or settings (a cell
 * outside the output, argmax of an operator without a winner ...). */
pv_status lesson_solve(const lesson *l, const lesson_block *q, lesson_answer *a,
                       pv_error *err);

typedef enum lesson_verdict {
    LESSON_RIGHT,
    LESSON_WRONG,
    LESSON_CLOSE,       /* right but too coarse (e.g. 5.5 for 5.4772256): try again */
    LESSON_UNREADABLE   /* not an answer of the right form: try again */
} lesson_verdict;

/* Check what the student typed.  Values accept "3.5", "3.50", "7/2",
 * "(1+2+5+6)/4", "sqrt(30)", a decimal comma, and numbers rounded to two
 * decimals or more; sizes "2x2", "2 x 2", "2×2", "(2, 2)", "2 2"; cells
 * "(1, 2)", "1 2", "row 1 col 2" or the flat index.  feedback (may be NULL)
 * receives one short sentence for the student; for a wrong answer it names
 * the mistake when it is a known one.  The explanation is not included. */
lesson_verdict lesson_answer_check(const lesson_answer *a, const char *typed, char *feedback,
                                   size_t size);

/* Evaluate a small arithmetic expression: numbers, + - * / ^, parentheses,
 * sqrt(), a decimal comma; any length of digits, at most 64 nesting levels
 * (brackets, roots, signs, powers).  *decimals (may be NULL) receives the
 * number of decimals of a single plain number, or -1 for an expression.
 * False if it is not one; then *why (may be NULL) receives a static sentence
 * saying what is wrong, or NULL when it is simply not an expression. */
bool lesson_eval_number(const char *text, double *value, int *decimals, const char **why);

/* Called by lesson_check for every problem found. */
typedef void (*lesson_problem_fn)(void *ctx, const pv_error *problem);

/* Run every demo and question of l through the core and check what the
 * player will need: regions in range, compare inputs that pool to the same
 * shape, questions that can be solved and whose own answer the checker
 * accepts.  Returns the number of problems reported. */
size_t lesson_check(const lesson *l, lesson_problem_fn report, void *ctx);

#endif
