/* plan.h - a validated pooling plan and the regions it is made of.
 *
 * pool_plan_create() checks the parameters against an input shape with
 * PyTorch's rules (and overflow-checked sizes) and fixes everything that does
 * not depend on the input's values: the output shape, the window of every
 * output position, the divisor rule, the fractional interval sequences.
 * pool_plan_region() then describes the region behind any output element.
 * The stepper, `explain` and the fast kernels all read the same plan, which
 * is what makes the stepper's numbers the batch mode's numbers.
 */
#ifndef POOLVIZ_CORE_PLAN_H
#define POOLVIZ_CORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "params.h"
#include "tensor.h"

/* One axis of a windowed plan: output j reads the taps
 * start[j] + t*step for t in [0, count[j]).  Taps may lie outside [0, in):
 * in the padding ([-pad_before, in + pad_after)) or past it (ceil mode). */
typedef struct pool_axis {
    size_t in;          /* input length */
    size_t out;         /* output length */
    long pad_before, pad_after;
    long step;          /* dilation (1 for adaptive/fractional) */
    long stride;        /* nominal stride (0 where windows are irregular) */
    long *start;        /* out entries */
    long *count;        /* out entries: taps per window */
    long *divisor;      /* out entries: taps counted by the divisor rule (avg, power) */
    /* Two-stage operators (OP_USES_FILTER): a window of stage_kernel taps
     * stage_step apart at stride 1 gives stage_len first-stage values (value
     * m reads the taps from m - pad_before); then a filter of `filter` taps,
     * reflect-padded by filter_before cells before and filter - 1 -
     * filter_before after, runs over them at `stride`.  Output j's region
     * (start, count, step 1) is every input cell its filter taps reach.
     * stage_len is 0 for one-stage operators. */
    long stage_len, stage_kernel, stage_step;
    long filter, filter_before;
} pool_axis;

typedef struct pool_plan {
    pool_params params;     /* a copy, owned */
    tensor_dtype dtype;
    int in_rank;
    size_t in_dims[TENSOR_MAX_RANK];
    size_t n, c, h, w;      /* the input's NCHW view */
    int out_rank;
    size_t out_dims[TENSOR_MAX_RANK];
    size_t out_count;
    /* windowed ops (incl. global, adaptive) and graham fractional: */
    pool_axis rows, cols;
    /* torch fractional: per-plane windows, [plane * out_h + i] etc. */
    long *plane_row_start, *plane_col_start;
    /* spp: the levels and, per level, its offset in a sample's output */
    int level_count;
    int levels[POOL_MAX_LEVELS];
    size_t level_offset[POOL_MAX_LEVELS];
    size_t spp_per_sample;  /* C * sum n^2 */
    bool has_indices;       /* the op can report argmax/argmin/sample indices */
} pool_plan;

/* Validate params for an input of the given rank/dims/dtype and build the
 * plan.  On failure returns NULL with err filled: PV_ERR_USAGE for an invalid
 * parameter (subject = the option, e.g. "--padding"), PV_ERR_DATA when the
 * input does not fit (e.g. "--kernel: 5x5 window is larger than the 4x4
 * input"), PV_ERR_LIMIT / PV_ERR_NOMEM.  The caller frees with
 * pool_plan_free. */
pool_plan *pool_plan_create(const pool_params *params, tensor_dtype dtype, int rank,
                            const size_t *dims, pv_error *err);

void pool_plan_free(pool_plan *plan);

/* Kind of one tap of a region. */
typedef enum pool_tap_kind {
    TAP_INPUT,      /* an input cell */
    TAP_PADDING,    /* in the padding */
    TAP_OUTSIDE     /* past the padded input (ceil mode) */
} pool_tap_kind;

/* The region behind one output element.  For windowed ops it is the taps
 * row0 + i*row_step (i < row_count) × col0 + j*col_step (j < col_count) of
 * plane (n, c).  Dilation holes are the cells between taps.  For bilinear,
 * the region of output (n, i, j) is all H×W locations of channels i and j
 * (c = i, c2 = j).  For spp, level/bin_y/bin_x say which bin it is. */
typedef struct pool_region {
    size_t out_index;       /* flat index in the output */
    size_t n, c, c2;
    size_t oy, ox;          /* output position within the plane (or bin) */
    long row0, row_step, row_count;
    long col0, col_step, col_count;
    long divisor_rows, divisor_cols;   /* for avg/power: divisor = product */
    double divisor;                    /* the divisor actually used (avg/power) */
    int level, level_index;            /* spp: bins per side n, index in levels */
} pool_region;

/* Describe the region of output element out_index (< plan->out_count). */
void pool_plan_region(const pool_plan *plan, size_t out_index, pool_region *region);

/* Classify row r / column c of a region against the plan's input. */
pool_tap_kind pool_plan_row_kind(const pool_plan *plan, long row);
pool_tap_kind pool_plan_col_kind(const pool_plan *plan, long col);

/* The taps start + t*step (t in [0, count), step >= 1) of a window that lie
 * in [lo, hi): they are consecutive, *first is the first t at or after lo
 * (count or more when every tap lies before lo), and the return value is
 * how many there are (0 when none).  The one rule for a window's reach, used
 * by the plan's divisors, explain's terms and the kernels' clipped windows. */
long pool_taps_within(long start, long count, long step, long lo, long hi, long *first);

/* Reflect padding (PyTorch's "reflect", the edge cell not repeated): the
 * cell of [0, len) that position pos (-len < pos < 2*len - 1) reads. */
long pool_plan_reflect(long pos, long len);

/* PyTorch's adaptive bin i of n over a length: [floor(i*in/out), ceil((i+1)*in/out)). */
void pool_adaptive_bin(size_t in, size_t out, size_t i, long *start, long *count);

/* Explain in words how the output size of one axis follows from the
 * parameters ("(5 + 2*1 - 1*(2-1) - 1) / 2 = 2.5, ceil -> 3, +1 = 4; the last
 * window would start in the right padding (at 6 >= 5 + 1), so it is dropped:
 * 3").  axis 0 = rows, 1 = cols.  Writes into buf. */
void pool_plan_explain_size(const pool_plan *plan, int axis, char *buf, size_t size);

#endif
