/* backward.h - the backward pass: dL/dx for a given dL/dy.
 *
 * pool_backward() is the whole-tensor pass (`poolviz grad`, `G = grad A`);
 * pool_backward_region() lists, for one output element, every input cell
 * its value depends on and the partial derivative dy/dx of that cell: the
 * stepper's backward view and the lesson questions read it, and the whole
 * pass is the sum of dy times these lists (the reference), or the fast
 * kernels where one applies (max, min, avg on float32 and float64).
 *
 * Semantics (design §3b): PyTorch autograd where PyTorch has the operator.
 * max, min, fractional, spp: all of dy to the cell the forward's --indices
 * names (PyTorch's tie rule: the first extreme in row-major order, the last
 * NaN).  avg: dy / divisor to every input cell of the window (padding cells
 * take their share and drop it).  Overlapping windows add up.  The others
 * by the derivative of their definition:
 *   sum            1 to every input cell
 *   l2, lp, power  sign(x) (|x| / y)^(p-1) / D  (D = 1 for l2 and lp, the
 *                  divisor for power); p = inf: sign(x) to the first largest
 *                  |x|.  Undefined points: |x| at 0 gives 0 (also for p < 1),
 *                  and a window whose value is 0 gives 0 to all its cells.
 *   stochastic     train: all of dy to the drawn cell (none when the window
 *                  is all zero); eval: y = sum a^2 / sum a, so
 *                  dy/da_i = (2 a_i - y) / sum a, computed as 2 w_i - sum w^2
 *                  from the weights w = a / sum a (finite where sum a
 *                  overflows); an all-zero window gives 0.
 *   bilinear       through the l2 normalization (0 when the norm is 0), the
 *                  signed square root (1 / (2 sqrt|r|), 0 at r = 0) and the
 *                  products f_i f_j / (H W).
 * A window without any input cell (only with dilation) sends dy to the
 * index PyTorch reports for it when that lies in the plane; where PyTorch's
 * index falls past the plane (and its backward writes into the next plane)
 * poolviz reports -1 and the dy goes nowhere.
 */
#ifndef POOLVIZ_CORE_BACKWARD_H
#define POOLVIZ_CORE_BACKWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"
#include "tensor.h"

typedef struct pool_backward_options {
    int threads;        /* 0 = the OpenMP default, 1 = serial */
    bool reference;     /* force the region-by-region reference (tests, bench) */
    tensor *into;       /* non-NULL: write dx into this tensor (the input's
                           shape and dtype, owned by the caller; its contents
                           are overwritten) and return it */
    const int64_t *indices; /* NULL, or for max, min and fractional the
                           indices pool_forward gave for this plan and input
                           (borrowed): the fast pass scatters dy to them
                           instead of finding the winners again, as PyTorch's
                           autograd does with the ones it saved.  The
                           reference pass and the other operators ignore it. */
} pool_backward_options;

/* dL/dx for dy (the plan's output shape; any dtype) at input (the plan's
 * shape and dtype).  Returns a new tensor of the input's shape and dtype
 * (caller frees with tensor_free), or NULL with err filled: PV_ERR_DATA
 * when dy does not have the output's shape ("dy" is the subject) or for
 * values the operator cannot take, PV_ERR_NOMEM, PV_ERR_INTERRUPTED.
 * options may be NULL. */
tensor *pool_backward(const pool_plan *plan, const tensor *input, const tensor *dy,
                      const pool_backward_options *options, pv_error *err);

/* One input cell that an output element depends on. */
typedef struct pool_grad_term {
    size_t index;       /* flat index in the input */
    size_t c;           /* the input's channel (plane n*C + c) */
    long row, col;      /* position in the plane */
    double weight;      /* dy/dx of this cell (0 is listed for window cells that
                           receive nothing, e.g. the losers of a max) */
} pool_grad_term;

typedef struct pool_grad_region {
    pool_grad_term *terms;  /* owned; the region's input cells in row-major
                               order (bilinear: the cells with a non-zero weight) */
    size_t count;
    size_t receiving;       /* terms with a non-zero weight */
} pool_grad_region;

/* The partial derivatives of output element out_index.  Fills *g (release
 * with pool_grad_region_release).  Fails as pool_explain does. */
pv_status pool_backward_region(const pool_plan *plan, const tensor *input, size_t out_index,
                               pool_grad_region *g, pv_error *err);

void pool_grad_region_release(pool_grad_region *g);

/* PyTorch's max_unpool2d: out (rank of values, last two dims out_h x out_w)
 * gets values[k] at plane position indices[k], zeros elsewhere.  values is
 * H×W, C×H×W or N×C×H×W; indices has the same count.  A negative index or
 * one past out_h*out_w fails with PV_ERR_DATA (subject "--indices"), as
 * PyTorch does; where two values name the same cell the later one stays.
 * Returns a new tensor of values' dtype, or NULL with err filled. */
tensor *pool_unpool(const tensor *values, const long long *indices, size_t out_h,
                    size_t out_w, pv_error *err);

#endif
