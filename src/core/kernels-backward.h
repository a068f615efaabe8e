/* kernels-backward.h - the fast backward kernels behind pool_backward().
 * Internal to src/core.
 *
 *   max, min (windowed, global, adaptive; fractional)   the forward's
 *       indices (the fast forward kernels, bit for bit the reference's
 *       winners), then dy scattered to them.  Windows of 2x2 at stride 2
 *       without padding or dilation tile the input: one fused pass reads
 *       each 2x2 block, finds the winner with PyTorch's rule and writes the
 *       whole block of dx (dy at the winner, zeros elsewhere), AVX2 eight
 *       windows at a time where the machine has it.
 *   avg (windowed, global, adaptive)   each output row's dy / divisor
 *       spread along the columns into one row, added to the rows of its
 *       windows; 2x2 at stride 2 without padding writes each block directly.
 *
 * The results equal the reference backward's (backward.c) up to the
 * order of additions where windows overlap.
 */
#ifndef POOLVIZ_CORE_KERNELS_BACKWARD_H
#define POOLVIZ_CORE_KERNELS_BACKWARD_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"
#include "tensor.h"

/* True if the fast backward kernels handle plan. */
bool kernels_backward_supported(const pool_plan *plan);

/* dx (the input's shape and the plan's dtype, any contents) = dL/dx for dy
 * (the output's shape and the plan's dtype), on `threads` threads (0: the
 * OpenMP default).  PV_OK, or err filled: PV_ERR_NOMEM, PV_ERR_INTERRUPTED. */
pv_status kernels_backward(const pool_plan *plan, const tensor *input, const tensor *dy,
                           tensor *dx, int threads, pv_error *err);

/* One line on how plan's backward runs ("avx2 fused max 2x2/2"). */
void kernels_backward_describe(const pool_plan *plan, char *buf, size_t size);

#endif
