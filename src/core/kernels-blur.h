/* kernels-blur.h - the fast kernel of the two-stage operators (a max
 * window at stride 1, then a binomial blur at the stride; OP_USES_FILTER,
 * plan.h).  Internal to src/core: kernels.c chooses it for the plans it
 * supports, and it computes what the operator's reducer (ops.c) computes.
 */
#ifndef POOLVIZ_CORE_KERNELS_BLUR_H
#define POOLVIZ_CORE_KERNELS_BLUR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "plan.h"
#include "tensor.h"

#define KERNELS_BLUR_MAX_THREADS 256

/* True for a plan of a two-stage operator. */
bool kernels_blur_supported(const pool_plan *plan);

/* Which path a supported plan takes ("avx2 max then blur 2x2-stride-2"),
 * for `poolviz bench`. */
void kernels_blur_describe(const pool_plan *plan, char *buf, size_t size);

/* Compute every output of a supported plan into out (the plan's output
 * shape and dtype) on up to `threads` threads, one plane at a time.  Fails
 * with PV_ERR_NOMEM, PV_ERR_LIMIT or PV_ERR_INTERRUPTED (out then holds
 * part of the result). */
pv_status kernels_blur_forward(const pool_plan *plan, const tensor *input, tensor *out,
                               int threads, pv_error *err);

#endif
