#include "forward.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "kernels.h"
#include "numfmt.h"
#include "opmath.h"
#include "rng.h"

volatile sig_atomic_t pool_cancel_requested;

/* The reference path: one loop per output over its taps, read through
 * tensor_get, in the order explain.c uses.  pool_forward takes it when
 * options->reference is set (tests, benchmarks) or when the fast kernels
 * (kernels.c) do not handle a plan. */

/* Everything one plane's pass needs. */
typedef struct plane_job {
    const pool_plan *plan;
    const tensor *input;
    tensor *output;
    int64_t *indices;
    size_t plane;            /* n * C + c */
    const long *row_start;   /* the plane's window starts */
    const long *col_start;
} plane_job;

/* The taps of one window along one axis that lie inside the input:
 * first tap index t0 and count, so positions are start + (t0 + t) * step. */
static inline void clip_taps(long start, long count, long step, long len, long *t0, long *n)
{
    long first = 0;
    if (start < 0)
        first = (-start + step - 1) / step;
    long last = count - 1;
    long end_pos = start + last * step;
    if (end_pos >= len)
        last -= (end_pos - len + step) / step;
    *t0 = first;
    *n = last >= first ? last - first + 1 : 0;
}

static pv_status plane_windows(plane_job *job, pv_error *err)
{
    const pool_plan *plan = job->plan;
    const pool_params *prm = &plan->params;
    const pool_op op = prm->op;
    const long H = (long)plan->h, W = (long)plan->w;
    const size_t oh = plan->rows.out, ow = plan->cols.out;
    const size_t in_base = job->plane * plan->h * plan->w;
    const size_t out_base = job->plane * oh * ow;
    const tensor *in = job->input;
    const double p = op == POOL_L2 ? 2 : prm->p;

    for (size_t oy = 0; oy < oh; oy++) {
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user");
        long rt0, rn;
        clip_taps(job->row_start[oy], plan->rows.count[oy], plan->rows.step, H, &rt0, &rn);
        const long r0 = job->row_start[oy] + rt0 * plan->rows.step;
        for (size_t ox = 0; ox < ow; ox++) {
            long ct0, cn;
            clip_taps(job->col_start[ox], plan->cols.count[ox], plan->cols.step, W, &ct0, &cn);
            const long c0 = job->col_start[ox] + ct0 * plan->cols.step;
            const size_t out_index = out_base + oy * ow + ox;
            double value = 0;
            long index = -1;

            switch (op) {
            case POOL_MAX:
            case POOL_MIN:
            case POOL_FRACTIONAL: {
                const int sign = op == POOL_MIN ? -1 : 1;
                double best = sign > 0 ? -INFINITY : INFINITY;
                for (long i = 0; i < rn; i++) {
                    long r = r0 + i * plan->rows.step;
                    for (long j = 0; j < cn; j++) {
                        long c = c0 + j * plan->cols.step;
                        double v = tensor_get(in, in_base + (size_t)(r * W + c));
                        if ((sign > 0 ? v > best : v < best) || isnan(v)) {
                            best = v;
                            index = r * W + c;
                        } else if (index < 0) {
                            index = r * W + c;
                        }
                    }
                }
                value = best;
                break;
            }
            case POOL_AVG:
            case POOL_SUM: {
                double sum = 0;
                for (long i = 0; i < rn; i++) {
                    long r = r0 + i * plan->rows.step;
                    for (long j = 0; j < cn; j++)
                        sum += tensor_get(in, in_base + (size_t)(r * W + c0 + j * plan->cols.step));
                }
                if (op == POOL_AVG) {
                    double divisor = prm->divisor != 0
                                         ? (double)prm->divisor
                                         : (double)plan->rows.divisor[oy] *
                                               (double)plan->cols.divisor[ox];
                    value = sum / divisor;
                } else {
                    value = sum;
                }
                break;
            }
            case POOL_L2:
            case POOL_LP:
            case POOL_POWER: {
                double m = 0, scaled = 0;
                for (long i = 0; i < rn && !isnan(m); i++) {
                    long r = r0 + i * plan->rows.step;
                    for (long j = 0; j < cn; j++) {
                        double a = fabs(tensor_get(in, in_base + (size_t)(r * W + c0 + j * plan->cols.step)));
                        if (isnan(a)) {
                            m = a;
                            break;
                        }
                        if (a > m)
                            m = a;
                    }
                }
                if (m > 0 && !isinf(m) && !isnan(m))
                    for (long i = 0; i < rn; i++) {
                        long r = r0 + i * plan->rows.step;
                        for (long j = 0; j < cn; j++)
                            scaled += opmath_scaled_power(
                                tensor_get(in, in_base + (size_t)(r * W + c0 + j * plan->cols.step)),
                                m, p);
                    }
                double divisor = 1;
                if (op == POOL_POWER)
                    divisor = prm->divisor != 0 ? (double)prm->divisor
                                                : (double)plan->rows.divisor[oy] *
                                                      (double)plan->cols.divisor[ox];
                value = opmath_finish_norm(m, scaled, divisor, p);
                break;
            }
            case POOL_STOCHASTIC: {
                double total = 0, squares = 0;
                for (long i = 0; i < rn; i++) {
                    long r = r0 + i * plan->rows.step;
                    for (long j = 0; j < cn; j++) {
                        long c = c0 + j * plan->cols.step;
                        double a = tensor_get(in, in_base + (size_t)(r * W + c));
                        if (!(a >= 0) || isinf(a)) {
                            char v[32];
                            pool_format_number(a, v, sizeof v);
                            return pv_error_set(
                                err, PV_ERR_DATA, "input",
                                "stochastic pooling needs finite non-negative values (they "
                                "become probabilities), found %s at row %ld, column %ld",
                                v, r, c);
                        }
                        total += a;
                        squares += a * a;
                    }
                }
                if (prm->mode == MODE_EVAL) {
                    value = total > 0 ? squares / total : 0;
                    break;
                }
                if (total == 0) {
                    value = 0;
                    break;
                }
                const double target =
                    rng_uniform(prm->seed, RNG_STREAM_STOCHASTIC, out_index) * total;
                double cumulative = 0;
                bool done = false;
                for (long i = 0; i < rn && !done; i++) {
                    long r = r0 + i * plan->rows.step;
                    for (long j = 0; j < cn; j++) {
                        long c = c0 + j * plan->cols.step;
                        double a = tensor_get(in, in_base + (size_t)(r * W + c));
                        if (a == 0)
                            continue;
                        value = a;
                        index = r * W + c;
                        cumulative += a;
                        if (cumulative > target) {
                            done = true;
                            break;
                        }
                    }
                }
                break;
            }
            default:
                break;
            }
            if (index < 0 && (op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL)) {
                /* no input cell at all: PyTorch reports the first tap clipped at 0 */
                long r = job->row_start[oy], c = job->col_start[ox];
                while (r < 0)
                    r += plan->rows.step;
                while (c < 0)
                    c += plan->cols.step;
                index = r * W + c < H * W ? r * W + c : -1;
            }
            tensor_set(job->output, out_index, value);
            if (job->indices != NULL)
                job->indices[out_index] = index;
        }
    }
    return PV_OK;
}

static void forward_spp(const pool_plan *plan, const tensor *in, tensor *out, int64_t *indices)
{
    const size_t hw = plan->h * plan->w;
    for (size_t n = 0; n < plan->n; n++)
        for (int l = 0; l < plan->level_count; l++) {
            const size_t bins = (size_t)plan->levels[l];
            for (size_t c = 0; c < plan->c; c++) {
                const size_t in_base = (n * plan->c + c) * hw;
                size_t o = n * plan->spp_per_sample + plan->level_offset[l] + c * bins * bins;
                for (size_t by = 0; by < bins; by++) {
                    long r0, rn;
                    pool_adaptive_bin(plan->h, bins, by, &r0, &rn);
                    for (size_t bx = 0; bx < bins; bx++, o++) {
                        long c0, cn;
                        pool_adaptive_bin(plan->w, bins, bx, &c0, &cn);
                        double best = -INFINITY;
                        long index = -1;
                        for (long r = r0; r < r0 + rn; r++)
                            for (long cc = c0; cc < c0 + cn; cc++) {
                                double v = tensor_get(in, in_base + (size_t)r * plan->w + (size_t)cc);
                                if (v > best || isnan(v)) {
                                    best = v;
                                    index = r * (long)plan->w + cc;
                                } else if (index < 0) {
                                    index = r * (long)plan->w + cc;
                                }
                            }
                        tensor_set(out, o, best);
                        if (indices != NULL)
                            indices[o] = index;
                    }
                }
            }
        }
}

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
    const pool_op op = plan->params.op;
    if (op == POOL_SPP) {
        forward_spp(plan, input, out, idx);
        return PV_OK;
    }
    if (op == POOL_BILINEAR) {
        forward_bilinear(plan, input, out);
        return PV_OK;
    }
    const size_t planes = plan->n * plan->c;
    for (size_t plane = 0; plane < planes; plane++) {
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user");
        plane_job job = {plan, input, out, idx, plane, plan->rows.start, plan->cols.start};
        if (plan->plane_row_start != NULL) {
            job.row_start = plan->plane_row_start + plane * plan->rows.out;
            job.col_start = plan->plane_col_start + plane * plan->cols.out;
        }
        pv_status st = plane_windows(&job, err);
        if (st != PV_OK)
            return st;
    }
    return PV_OK;
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
    if (!reference && kernels_supported(plan))
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
