/* forward.h - the whole-tensor pooling pass.
 *
 * pool_forward() computes every output element of a plan, with the fast
 * kernels where one applies and the same semantics as pool_explain()
 * everywhere (max/min bit-exact, sums within a few ulps).
 */
#ifndef POOLVIZ_CORE_FORWARD_H
#define POOLVIZ_CORE_FORWARD_H

#include <signal.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"
#include "tensor.h"

/* Set by a front end's SIGINT handler; long loops check it and stop with
 * PV_ERR_INTERRUPTED.  The core never installs handlers itself. */
extern volatile sig_atomic_t pool_cancel_requested;

typedef struct pool_forward_options {
    int threads;          /* 0 = the OpenMP default, 1 = serial */
    bool reference;       /* force the naive path (tests, benchmarks) */
    tensor *into;         /* non-NULL: write the output into this tensor (the
                             plan's output shape and dtype, owned by the
                             caller) and return it instead of a new one */
} pool_forward_options;

/* Allocate (or take options->into) and compute the output (shape
 * plan->out_dims, the plan's dtype).
 * When indices is non-NULL and plan->has_indices (max, min, stochastic train,
 * fractional; windowed, global or adaptive), *indices receives a pv_malloc'ed
 * array of plan->out_count plane indices (row * W + col, PyTorch's
 * convention) that the caller frees with pv_free.  options may be NULL.  Returns NULL with err filled on failure
 * (PV_ERR_DATA for values the op cannot take, PV_ERR_NOMEM,
 * PV_ERR_INTERRUPTED). */
tensor *pool_forward(const pool_plan *plan, const tensor *input,
                     const pool_forward_options *options, int64_t **indices,
                     pv_error *err);

#endif
