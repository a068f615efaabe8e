/* explain.h - the reference implementation: one region, computed naively,
 * with every term the formula shows.
 *
 * This is the oracle the fast kernels are tested against and the source of
 * the stepper's formula line.  It is deliberately simple: one loop over the
 * region's taps in row-major order, in double precision.
 */
#ifndef POOLVIZ_CORE_EXPLAIN_H
#define POOLVIZ_CORE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "numfmt.h"
#include "plan.h"
#include "tensor.h"

typedef struct pool_term {
    double value;       /* the input value (0 for padding) */
    double weight;      /* what the formula weighs the term by: lp/power |x|^p,
                           stochastic a probability, bilinear f_i*f_j, l2 x^2, a
                           softmax weight or an exponential (see the reducers) */
    double other;       /* bilinear: f_j (value is f_i); order statistics: the
                           term's place in sorted order */
    long row, col;      /* input coordinates (may be padding) */
    pool_tap_kind kind;
} pool_term;

/* One value of a two-stage operator's first stage as the second stage
 * weighs it (plan.h, pool_axis): the first stage's value at (row, col) of
 * its output, read by the filter tap at (tap_row, tap_col) (outside the
 * first stage's output where the reflect padding falls), the window it
 * was taken over (input taps win_row0 + i*win_row_step, i < win_rows, and
 * the same for columns, padding included) and the input cell that gave it
 * (the window's argmax; -1, -1 if none). */
typedef struct pool_stage_value {
    double value;
    double weight;          /* the tap's weight (the blur's, adding up to 1) */
    long row, col;
    long tap_row, tap_col;
    long win_row0, win_col0, win_row_step, win_col_step, win_rows, win_cols;
    long from_row, from_col;
} pool_stage_value;

/* At most this many first-stage values feed one output (a 7x7 filter). */
#define POOL_STAGE_MAX 49

typedef struct pool_explanation {
    pool_op op;
    pool_term *terms;   /* owned; row-major over the region's taps */
    size_t term_count;
    size_t input_count; /* terms that are input cells */
    double sum;         /* sum of the values (avg, sum, stochastic), or of the
                           weights (l2, lp, power, bilinear) */
    double divisor;     /* avg / power / bilinear (H*W) */
    double p;           /* lp / power: p; else the operator's knob (see ops.c) */
    long winner;        /* max/min: index in terms of the winner; stochastic
                           train: the drawn term; else -1 */
    long index;         /* plane index (row * W + col) reported by --indices, or -1 */
    double draw;        /* stochastic train: the uniform draw in [0, 1) */
    bool eval;          /* stochastic: evaluation mode (probability-weighted average) */
    bool padding_counted; /* avg/power: padding cells count in the divisor (shown as 0) */
    bool lp_torch;      /* lp with --lp-style torch: weights are x^p (no abs), divisor
                           the clipped window's size d, part[0] = KH*KW / d */
    double raw;         /* bilinear: the value before signed sqrt / l2 normalize */
    double part[2];     /* parts of a two-part value (see the reducers in ops.c) */
    double norm;        /* bilinear with l2 normalize: the Frobenius norm used */
    double result;      /* the value, recomputed naively in double */
    pool_stage_value stage[POOL_STAGE_MAX]; /* two-stage operators: the filter's taps,
                                               row-major */
    size_t stage_count;
    size_t term_capacity; /* terms allocated (pool_region_compute reuses them) */
} pool_explanation;

/* Explain the region of output element out_index for input (whose shape and
 * dtype must be the plan's).  Fills *ex (caller frees with
 * pool_explanation_release).  Fails with PV_ERR_DATA for values the operator
 * cannot take (stochastic on negative input) or PV_ERR_NOMEM. */
pv_status pool_explain(const pool_plan *plan, const tensor *input, size_t out_index,
                       pool_explanation *ex, pv_error *err);

/* The reducer alone, for the reference forward: like pool_explain but the
 * terms are the region's input cells only (no padding, so any window size
 * works), and ex, filled before or zeroed, keeps its terms array when it is
 * large enough, so a loop over many outputs allocates once.  Release it
 * when done. */
pv_status pool_region_compute(const pool_plan *plan, const tensor *input, size_t out_index,
                             pool_explanation *ex, pv_error *err);

void pool_explanation_release(pool_explanation *ex);

/* The formula with the region's numbers, e.g. "max(1, 2, 5, 6) = 6" or
 * "avg = (1 + 2 + 5 + 6) / 4 = 3.5".  Long regions are elided in the middle
 * so the text fits max_terms terms.  `value` is the value to print after '='
 * (the one forward produced). */
void pool_explanation_format(const pool_explanation *ex, double value, size_t max_terms,
                             char *buf, size_t size);

/* A bounded text under construction (the formula headline): writes past
 * size are dropped, the text stays NUL-terminated. */
typedef struct pool_text {
    char *buf;
    size_t size, used;
} pool_text;

/* How pool_text_terms prints each shown term. */
typedef enum pool_term_style {
    TERMS_VALUE,        /* 5 */
    TERMS_POWER,        /* |x|^p with the explanation's p */
    TERMS_SIGNED_POWER, /* x^p, (-x)^p: no abs (lp's torch style) */
    TERMS_SQUARE,       /* 5^2 */
    TERMS_PRODUCT,      /* bilinear: f_i*f_j */
    TERMS_PROBABILITY,  /* 5(p=0.25) */
    TERMS_WEIGHTED,     /* 0.25*5 */
    TERMS_WEIGHT_OF     /* the weight alone: 0.25 */
} pool_term_style;

void pool_text_put(pool_text *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pool_text_number(pool_text *tb, double v);

/* The terms a formula shows (input cells, and padding where the divisor
 * counts it), separated by sep, eliding the middle past max_terms. */
void pool_text_terms(pool_text *tb, const pool_explanation *ex, const char *sep,
                     pool_term_style how, size_t max_terms);

#endif
