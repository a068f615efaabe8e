/* forward.c - pool a whole tensor: the fast kernels where they apply, else
 * the reference path. */
#include "forward.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "kernels.h"
#include "explain.h"

volatile sig_atomic_t pool_cancel_requested;

/* The reference path: every output is its region's reducer (ops.c) on the
 * terms explain.c gathers, so the reference forward and `explain` are one
 * arithmetic.  pool_forward takes it when options->reference is set (tests,
 * benchmarks) or when the fast kernels (kernels.c) do not support a plan.
 * Bilinear's whole-sample normalisation is done once per sample here rather
 * than once per entry. */

/* Entry (i, j) of sample n: (1/HW) sum f_i f_j, signed square root on request. */
static double bilinear_entry(const pool_plan *plan, const tensor *in, size_t n, size_t i,
                             size_t j)
{
    const size_t hw = plan->h * plan->w, C = plan->c;
    const size_t bi = (n * C + i) * hw, bj = (n * C + j) * hw;
    double sum = 0;
    for (size_t k = 0; k < hw; k++)
        sum += tensor_get(in, bi + k) * tensor_get(in, bj + k);
    double v = sum / (double)hw;
    if (plan->params.signed_sqrt)
        v = v < 0 ? -sqrt(-v) : sqrt(v);
    return v;
}

static void forward_bilinear(const pool_plan *plan, const tensor *in, tensor *out)
{
    const size_t C = plan->c;
    for (size_t n = 0; n < plan->n; n++) {
        const size_t out_base = n * C * C;
        double norm2 = 0;
        for (size_t i = 0; i < C; i++)
            for (size_t j = 0; j < C; j++) {
                double v = bilinear_entry(plan, in, n, i, j);
                norm2 += v * v;
                tensor_set(out, out_base + i * C + j, v);
            }
        if (!plan->params.l2_normalize)
            continue;
        /* normalise the double values, not the rounded stored ones */
        const double norm = sqrt(norm2);
        for (size_t i = 0; i < C; i++)
            for (size_t j = 0; j < C; j++)
                tensor_set(out, out_base + i * C + j,
                           norm > 0 ? bilinear_entry(plan, in, n, i, j) / norm : 0);
    }
}

static pv_status forward_reference(const pool_plan *plan, const tensor *input, tensor *out,
                                   int64_t *idx, pv_error *err)
{
    if (plan->params.op == POOL_BILINEAR) {
        forward_bilinear(plan, input, out);
        return PV_OK;
    }
    pool_explanation ex;
    pv_status st = PV_OK;
    memset(&ex, 0, sizeof ex);
    for (size_t o = 0; o < plan->out_count; o++) {
        if (o % 1024 == 0 && pool_cancel_requested) {
            st = pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user");
            break;
        }
        st = pool_region_compute(plan, input, o, &ex, err);
        if (st != PV_OK)
            break;
        tensor_set(out, o, ex.result);
        if (idx != NULL)
            idx[o] = ex.index;
    }
    pool_explanation_release(&ex);
    return st;
}

tensor *pool_forward(const pool_plan *plan, const tensor *input,
                     const pool_forward_options *options, int64_t **indices, pv_error *err)
{
    if (input->count != plan->n * plan->c * plan->h * plan->w || input->dtype != plan->dtype) {
        pv_error_set(err, PV_ERR_USAGE, "forward", "the input is not the plan's shape and type");
        return NULL;
    }
    if (indices != NULL)
        *indices = NULL;
    if (indices != NULL && !plan->has_indices) {
        pv_error_set(err, PV_ERR_USAGE, "--indices", "%s pooling has no indices",
                     pool_op_name(plan->params.op));
        return NULL;
    }
    tensor *into = options != NULL ? options->into : NULL;
    if (into != NULL && (into->dtype != plan->dtype || into->rank != plan->out_rank ||
                         memcmp(into->dims, plan->out_dims,
                                (size_t)plan->out_rank * sizeof *into->dims) != 0)) {
        pv_error_set(err, PV_ERR_USAGE, "forward", "the output is not the plan's shape and type");
        return NULL;
    }
    tensor *out = into != NULL ? into : tensor_new(plan->dtype, plan->out_rank, plan->out_dims, err);
    if (out == NULL)
        return NULL;
    int64_t *idx = NULL;
    if (indices != NULL) {
        size_t bytes;
        if (!pv_mul_size(plan->out_count, sizeof *idx, &bytes) || (idx = pv_malloc(bytes)) == NULL) {
            pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the indices");
            if (out != into)
                tensor_free(out);
            return NULL;
        }
    }

    pv_status st = PV_OK;
    const bool reference = options != NULL && options->reference;
    if (plan->out_count == 0)
        st = PV_OK; /* an empty batch: nothing to compute */
    else if (!reference && kernels_supported(plan))
        st = kernels_forward(plan, input, out, idx, options ? options->threads : 0, err);
    else
        st = forward_reference(plan, input, out, idx, err);
    if (st != PV_OK) {
        if (out != into)
            tensor_free(out);
        pv_free(idx);
        return NULL;
    }
    if (indices != NULL)
        *indices = idx;
    return out;
}
