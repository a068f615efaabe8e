/* backward.c - the reference backward pass, region by region, and unpool.
 *
 * Each windowed operator's derivative is a function beside the explanation
 * its forward value comes from: given the region's terms (pool_explain) it
 * adds dy times dy/dx of every term.  The whole pass runs them over every
 * output element and adds up in double (max, min, fractional and spp in
 * the plan's dtype, as PyTorch does), so overlapping windows accumulate;
 * bilinear, whose outputs read whole planes, has its own sample-level pass.
 * The fast kernels (kernels-backward.c) replace this for max, min and avg.
 */
#include "backward.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "explain.h"
#include "forward.h"
#include "kernels-backward.h"

/* The derivative of one region is its operator's table entry
 * (pool_op_info.region_backward, ops.c), beside its reducer; bilinear,
 * whose outputs read whole samples, has the sample-level pass below. */
static pool_region_backward region_backward_of(pool_op op)
{
    return pool_op_info_of(op)->region_backward;
}

/* ---- bilinear: one sample at a time --------------------------------------- */

/* dL/d(features) of sample n for dL/d(output) dy_cc (C×C, row-major), added
 * into dx (the sample's C·H·W cells, C order).  scratch holds 3·C·C doubles. */
static void bilinear_backward_sample(const pool_plan *plan, const tensor *input, size_t n,
                                     const double *dy_cc, double *dx, double *scratch)
{
    const size_t C = plan->c, hw = plan->h * plan->w;
    const size_t base = n * C * hw;
    double *raw = scratch, *s = scratch + C * C, *g = scratch + 2 * C * C;
    double norm2 = 0;
    for (size_t i = 0; i < C; i++)
        for (size_t j = 0; j < C; j++) {
            double sum = 0;
            for (size_t k = 0; k < hw; k++)
                sum += tensor_get(input, base + i * hw + k) * tensor_get(input, base + j * hw + k);
            raw[i * C + j] = sum / (double)hw;
            double v = raw[i * C + j];
            if (plan->params.signed_sqrt)
                v = v < 0 ? -sqrt(-v) : sqrt(v);
            s[i * C + j] = v;
            norm2 += v * v;
        }
    memcpy(g, dy_cc, C * C * sizeof *g);
    if (plan->params.l2_normalize) {
        /* z = s / |s|: dz -> ds = (g - z (z . g)) / |s| */
        const double norm = sqrt(norm2);
        double dot = 0;
        for (size_t k = 0; k < C * C; k++)
            dot += (norm > 0 ? s[k] / norm : 0) * g[k];
        for (size_t k = 0; k < C * C; k++)
            g[k] = norm > 0 ? (g[k] - s[k] / norm * dot) / norm : 0;
    }
    if (plan->params.signed_sqrt)
        for (size_t k = 0; k < C * C; k++)
            g[k] = raw[k] != 0 ? g[k] / (2 * sqrt(fabs(raw[k]))) : 0;
    /* r_ij = (1/HW) sum_k f_i[k] f_j[k] */
    for (size_t i = 0; i < C; i++)
        for (size_t j = 0; j < C; j++) {
            const double w = g[i * C + j] / (double)hw;
            if (w == 0)
                continue;
            for (size_t k = 0; k < hw; k++) {
                dx[i * hw + k] += w * tensor_get(input, base + j * hw + k);
                dx[j * hw + k] += w * tensor_get(input, base + i * hw + k);
            }
        }
}

static pv_status bilinear_scratch(const pool_plan *plan, double **scratch, double **dx_sample,
                                  pv_error *err)
{
    size_t cc, three, chw;
    *scratch = *dx_sample = NULL;
    if (!pv_mul_size(plan->c, plan->c, &cc) || !pv_mul_size(cc, 3, &three) ||
        !pv_mul_size(plan->c, plan->h * plan->w, &chw) ||
        (*scratch = pv_calloc(three ? three : 1, sizeof(double))) == NULL ||
        (*dx_sample = pv_calloc(chw ? chw : 1, sizeof(double))) == NULL) {
        pv_free(*scratch);
        *scratch = NULL;
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the backward pass");
    }
    return PV_OK;
}

static pv_status backward_bilinear(const pool_plan *plan, const tensor *input, const tensor *dy,
                                   double *dx, pv_error *err)
{
    const size_t C = plan->c, chw = C * plan->h * plan->w;
    double *scratch, *unused;
    if (bilinear_scratch(plan, &scratch, &unused, err) != PV_OK)
        return err->status;
    pv_free(unused);
    double *dy_cc = pv_malloc((C * C > 0 ? C * C : 1) * sizeof *dy_cc);
    if (dy_cc == NULL) {
        pv_free(scratch);
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the backward pass");
    }
    for (size_t n = 0; n < plan->n; n++) {
        for (size_t k = 0; k < C * C; k++)
            dy_cc[k] = tensor_get(dy, n * C * C + k);
        bilinear_backward_sample(plan, input, n, dy_cc, dx + n * chw, scratch);
    }
    pv_free(dy_cc);
    pv_free(scratch);
    return PV_OK;
}

/* ---- the reference pass ------------------------------------------------- */

/* Add dy times the derivative of output out_index into dx (input-sized). */
static pv_status backward_one(const pool_plan *plan, const tensor *input, size_t out_index,
                              double dy, double *dx, double **dx_terms, size_t *capacity,
                              pv_error *err)
{
    pool_explanation ex;
    pv_status st = pool_explain(plan, input, out_index, &ex, err);
    if (st != PV_OK)
        return st;
    pool_region rg;
    pool_plan_region(plan, out_index, &rg);
    const size_t plane_base = (rg.n * plan->c + rg.c) * plan->h * plan->w;
    const pool_op op = plan->params.op;
    if (op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL || op == POOL_SPP) {
        /* PyTorch scatters to the index the forward reports, even for a
         * window without input cells (whose index may name another cell) */
        if (ex.index >= 0) {
            /* added in the plan's dtype, output after output, as PyTorch's
             * backward and the fast kernels add (bit for bit the same) */
            double *cell = &dx[plane_base + (size_t)ex.index];
            *cell = plan->dtype == TENSOR_F32 ? (double)((float)*cell + (float)dy) : *cell + dy;
        }
        pool_explanation_release(&ex);
        return PV_OK;
    }
    if (ex.term_count > *capacity) {
        double *bigger = pv_realloc(*dx_terms, ex.term_count * sizeof **dx_terms);
        if (bigger == NULL) {
            pool_explanation_release(&ex);
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the backward pass");
        }
        *dx_terms = bigger;
        *capacity = ex.term_count;
    }
    memset(*dx_terms, 0, ex.term_count * sizeof **dx_terms);
    region_backward_of(op)(&ex, dy, *dx_terms);
    for (size_t t = 0; t < ex.term_count; t++)
        if (ex.terms[t].kind == TAP_INPUT)
            dx[plane_base + (size_t)ex.terms[t].row * plan->w + (size_t)ex.terms[t].col] +=
                (*dx_terms)[t];
    pool_explanation_release(&ex);
    return PV_OK;
}

static pv_status backward_reference(const pool_plan *plan, const tensor *input,
                                    const tensor *dy, double *dx, pv_error *err)
{
    if (plan->params.op == POOL_BILINEAR)
        return backward_bilinear(plan, input, dy, dx, err);
    double *dx_terms = NULL;
    size_t capacity = 0;
    pv_status st = PV_OK;
    for (size_t o = 0; o < plan->out_count && st == PV_OK; o++) {
        if ((o & 1023) == 0 && pool_cancel_requested)
            st = pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user");
        else
            st = backward_one(plan, input, o, tensor_get(dy, o), dx, &dx_terms, &capacity, err);
    }
    pv_free(dx_terms);
    return st;
}

static bool same_shape(const tensor *t, int rank, const size_t *dims)
{
    return t->rank == rank && memcmp(t->dims, dims, (size_t)rank * sizeof *dims) == 0;
}

tensor *pool_backward(const pool_plan *plan, const tensor *input, const tensor *dy,
                      const pool_backward_options *options, pv_error *err)
{
    if (input->count != plan->n * plan->c * plan->h * plan->w || input->dtype != plan->dtype) {
        pv_error_set(err, PV_ERR_USAGE, "backward", "the input is not the plan's shape and type");
        return NULL;
    }
    if (!same_shape(dy, plan->out_rank, plan->out_dims)) {
        char want[64], got[64];
        tensor_format_shape(plan->out_rank, plan->out_dims, want, sizeof want);
        tensor_format_shape(dy->rank, dy->dims, got, sizeof got);
        pv_error_set(err, PV_ERR_DATA, "dy", "has shape %s; the output's shape is %s", got, want);
        return NULL;
    }
    tensor *into = options != NULL ? options->into : NULL;
    if (into != NULL && (into->dtype != plan->dtype || !same_shape(into, input->rank, input->dims))) {
        pv_error_set(err, PV_ERR_USAGE, "backward", "dx is not the input's shape and type");
        return NULL;
    }
    tensor *dx = into != NULL ? into : tensor_new(plan->dtype, input->rank, input->dims, err);
    if (dx == NULL)
        return NULL;
    const bool reference = options != NULL && options->reference;
    if (!reference && kernels_backward_supported(plan)) {
        tensor *converted = NULL;
        if (dy->dtype != plan->dtype && (converted = tensor_convert(dy, plan->dtype, err)) == NULL) {
            if (dx != into)
                tensor_free(dx);
            return NULL;
        }
        pv_status st = kernels_backward(plan, input, converted ? converted : dy,
                                        options ? options->indices : NULL, dx,
                                        options ? options->threads : 0, err);
        tensor_free(converted);
        if (st != PV_OK) {
            if (dx != into)
                tensor_free(dx);
            return NULL;
        }
        return dx;
    }
    double *acc = NULL;
    size_t bytes;
    if (!pv_mul_size(input->count ? input->count : 1, sizeof *acc, &bytes) ||
        (acc = pv_calloc(1, bytes)) == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the backward pass");
        if (dx != into)
            tensor_free(dx);
        return NULL;
    }
    if (backward_reference(plan, input, dy, acc, err) != PV_OK) {
        pv_free(acc);
        if (dx != into)
            tensor_free(dx);
        return NULL;
    }
    for (size_t i = 0; i < input->count; i++)
        tensor_set(dx, i, acc[i]);
    pv_free(acc);
    return dx;
}

/* ---- one region, for the stepper and lessons ------------------------------ */

void pool_grad_region_release(pool_grad_region *g)
{
    if (g == NULL)
        return;
    pv_free(g->terms);
    memset(g, 0, sizeof *g);
}

static pv_status grad_alloc(pool_grad_region *g, size_t count, pv_error *err)
{
    g->terms = pv_calloc(count ? count : 1, sizeof *g->terms);
    if (g->terms == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the gradient terms");
    return PV_OK;
}

static void grad_add(pool_grad_region *g, const pool_plan *plan, size_t n, size_t c, long row,
                     long col, double weight)
{
    pool_grad_term *t = &g->terms[g->count++];
    t->c = c;
    t->row = row;
    t->col = col;
    t->index = ((n * plan->c + c) * plan->h + (size_t)row) * plan->w + (size_t)col;
    t->weight = weight;
    if (weight != 0)
        g->receiving++;
}

static pv_status region_bilinear(const pool_plan *plan, const tensor *input, size_t out_index,
                                 pool_grad_region *g, pv_error *err)
{
    const size_t C = plan->c, hw = plan->h * plan->w, chw = C * hw;
    const size_t n = out_index / (C * C);
    double *scratch, *dx;
    if (bilinear_scratch(plan, &scratch, &dx, err) != PV_OK)
        return err->status;
    double *dy_cc = pv_calloc(C * C, sizeof *dy_cc);
    pv_status st = dy_cc != NULL ? grad_alloc(g, chw, err)
                                 : pv_error_set(err, PV_ERR_NOMEM, "memory",
                                                "cannot allocate the gradient terms");
    if (st == PV_OK) {
        dy_cc[out_index % (C * C)] = 1;
        bilinear_backward_sample(plan, input, n, dy_cc, dx, scratch);
        for (size_t k = 0; k < chw; k++)
            if (dx[k] != 0)
                grad_add(g, plan, n, k / hw, (long)(k % hw / plan->w), (long)(k % plan->w), dx[k]);
    }
    pv_free(dy_cc);
    pv_free(dx);
    pv_free(scratch);
    return st;
}

pv_status pool_backward_region(const pool_plan *plan, const tensor *input, size_t out_index,
                               pool_grad_region *g, pv_error *err)
{
    memset(g, 0, sizeof *g);
    if (plan->params.op == POOL_BILINEAR) {
        if (out_index >= plan->out_count)
            return pv_error_set(err, PV_ERR_USAGE, "backward",
                                "output element %zu does not exist (the output has %zu)",
                                out_index, plan->out_count);
        return region_bilinear(plan, input, out_index, g, err);
    }
    pool_explanation ex;
    pv_status st = pool_explain(plan, input, out_index, &ex, err);
    if (st != PV_OK)
        return st;
    pool_region rg;
    pool_plan_region(plan, out_index, &rg);
    double *dx_terms = pv_calloc(ex.term_count ? ex.term_count : 1, sizeof *dx_terms);
    /* one more slot: a max whose window has no input cell scatters to the
     * index PyTorch reports, outside the window */
    st = dx_terms != NULL ? grad_alloc(g, ex.input_count + 1, err)
                          : pv_error_set(err, PV_ERR_NOMEM, "memory",
                                         "cannot allocate the gradient terms");
    if (st == PV_OK) {
        region_backward_of(plan->params.op)(&ex, 1, dx_terms);
        for (size_t t = 0; t < ex.term_count; t++)
            if (ex.terms[t].kind == TAP_INPUT)
                grad_add(g, plan, rg.n, rg.c, ex.terms[t].row, ex.terms[t].col, dx_terms[t]);
        if (ex.winner < 0 && ex.index >= 0 &&
            (ex.op == POOL_MAX || ex.op == POOL_MIN || ex.op == POOL_FRACTIONAL))
            grad_add(g, plan, rg.n, rg.c, ex.index / (long)plan->w, ex.index % (long)plan->w, 1);
    }
    pv_free(dx_terms);
    pool_explanation_release(&ex);
    if (st != PV_OK)
        pool_grad_region_release(g);
    return st;
}

/* ---- unpool --------------------------------------------------------------- */

tensor *pool_unpool(const tensor *values, const long long *indices, size_t out_h,
                    size_t out_w, pv_error *err)
{
    if (values->rank < 2) {
        pv_error_set(err, PV_ERR_DATA, "values",
                     "need an H×W, C×H×W or N×C×H×W tensor, got rank %d", values->rank);
        return NULL;
    }
    size_t dims[TENSOR_MAX_RANK], plane_out;
    memcpy(dims, values->dims, sizeof dims);
    dims[values->rank - 2] = out_h;
    dims[values->rank - 1] = out_w;
    if (!pv_mul_size(out_h, out_w, &plane_out)) {
        pv_error_set(err, PV_ERR_LIMIT, "--output-size", "%zux%zu is too large", out_h, out_w);
        return NULL;
    }
    tensor *out = tensor_new(values->dtype, values->rank, dims, err);
    if (out == NULL)
        return NULL;
    const size_t plane_in = values->dims[values->rank - 2] * values->dims[values->rank - 1];
    for (size_t k = 0; k < values->count; k++) {
        const long long idx = indices[k];
        if (idx < 0 || (unsigned long long)idx >= plane_out) {
            pv_error_set(err, PV_ERR_DATA, "--indices",
                         "index %lld at position %zu is outside the %zux%zu output (0..%zu)",
                         idx, k, out_h, out_w, plane_out - 1);
            tensor_free(out);
            return NULL;
        }
        const size_t plane = k / plane_in;
        tensor_set(out, plane * plane_out + (size_t)idx, tensor_get(values, k));
    }
    return out;
}
