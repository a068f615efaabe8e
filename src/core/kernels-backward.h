/* kernels-backward.h - the fast backward kernels behind pool_backward().
 * Internal to src/core.
 *
 *   max, min (windowed, global, adaptive; fractional)   dy scattered to
 *       the winners: the forward's saved indices when the caller has them
 *       (as PyTorch's autograd keeps them), else the forward's kernels run
 *       first (bit for bit the reference's winners).  Windows of 2x2 at
 *       stride 2 without padding or dilation tile the input: one fused pass
 *       writes each 2x2 block of dx whole (dy at the winner, zeros
 *       elsewhere; no zeroing pass), the winner found again from the input
 *       with PyTorch's rule or read from the saved index, AVX2 eight
 *       windows at a time where the machine has it.  3x3 windows at stride
 *       2 (padding 0 or 1) overlap: the winners found again eight windows
 *       at a time, or the saved indices scattered one by one, each into
 *       rows of dx zeroed just before they are first reached.
 *   avg (windowed, global, adaptive)   each output row's dy / divisor
 *       spread along the columns into one row, added to the rows of its
 *       windows; 2x2 at stride 2 without padding writes each block directly.
 *
 * max and min equal the reference backward bit for bit: where windows
 * overlap, each cell of dx adds its dy values in the plan's dtype in the
 * order of the outputs, as the reference and PyTorch do.  avg equals it
 * within rounding (its spread row adds in double).
 */
#ifndef POOLVIZ_CORE_KERNELS_BACKWARD_H
#define POOLVIZ_CORE_KERNELS_BACKWARD_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"
#include "tensor.h"

/* True if the fast backward kernels handle plan. */
bool kernels_backward_supported(const pool_plan *plan);

/* dx (the input's shape and the plan's dtype, any contents) = dL/dx for dy
 * (the output's shape and the plan's dtype), on `threads` threads (0: the
 * OpenMP default).  indices: NULL, or for max, min and fractional the
 * forward's plane indices of this input (pool_forward's, plan->out_count
 * of them); an index outside the plane is skipped.  PV_OK, or err
 * filled: PV_ERR_NOMEM, PV_ERR_INTERRUPTED. */
pv_status kernels_backward(const pool_plan *plan, const tensor *input, const tensor *dy,
                           const int64_t *indices, tensor *dx, int threads, pv_error *err);

/* One line on how plan's backward runs ("avx2 fused max 2x2/2"), with or
 * without the forward's saved indices. */
void kernels_backward_describe(const pool_plan *plan, bool with_indices, char *buf,
                               size_t size);

#endif
