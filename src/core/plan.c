/* plan.c - parameters and an input shape become a validated plan: each
 * axis's windows (start, taps, divisor) for every family of operator, and
 * the region of one output cell (see plan.h). */
#include "plan.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "rng.h"

/* The ratio used by fractional pooling when neither --output-size nor
 * --ratio is given: sqrt(2), the paper's favourite. */
#define FRACTIONAL_DEFAULT_RATIO 1.4142135623730951

static const char *const axis_names[2] = {"rows", "columns"};

static pv_status axis_alloc(pool_axis *axis, size_t in, size_t out, pv_error *err)
{
    size_t bytes;
    axis->in = in;
    axis->out = out;
    if (!pv_mul_size(out, sizeof(long), &bytes))
        return pv_error_set(err, PV_ERR_LIMIT, "plan", "the output is too large");
    axis->start = pv_malloc(bytes);
    axis->count = pv_malloc(bytes);
    axis->divisor = pv_malloc(bytes);
    if (axis->start == NULL || axis->count == NULL || axis->divisor == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the plan");
    return PV_OK;
}

static void axis_release(pool_axis *axis)
{
    pv_free(axis->start);
    pv_free(axis->count);
    pv_free(axis->divisor);
    memset(axis, 0, sizeof *axis);
}

long pool_taps_within(long start, long count, long step, long lo, long hi, long *first)
{
    assert(step >= 1 && count >= 0);
    const long t0 = start < lo ? (lo - start + step - 1) / step : 0;
    long t1 = count; /* past the last tap before hi */
    if (count > 0 && start + (count - 1) * step >= hi)
        t1 = start >= hi ? 0 : (hi - 1 - start) / step + 1;
    if (first != NULL)
        *first = t0;
    return t1 > t0 ? t1 - t0 : 0;
}

/* PyTorch's pooling_output_shape: floor(span / stride) + 1 windows, or
 * ceil in ceil mode, where span = input + padding - the window.  The span is
 * negative for a window longer than the padded input, which ceil mode still
 * keeps when it starts inside the input or the left padding (start_limit =
 * input + left padding).  Below 1 means no window fits. */
static long window_count(long span, long stride, long start_limit, bool ceil_mode)
{
    long numerator = ceil_mode ? span + stride - 1 : span;
    long out = (numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride)) + 1;
    if (ceil_mode && out > 0 && (out - 1) * stride >= start_limit)
        out--;
    return out;
}

/* One axis of a sliding window (PyTorch's pooling_output_shape and
 * pool2d_shape_check, TensorFlow's SAME/VALID). */
static pv_status axis_build_window(pool_axis *axis, size_t in, long kernel, long stride,
                                   pool_padding_mode mode, long pad, long dilation,
                                   bool ceil_mode, bool divisor_counts_pad, int which,
                                   pv_error *err)
{
    const long len = (long)in;
    const long effective = (kernel - 1) * dilation + 1; /* kernel, dilation <= 2^24 */
    long out, pad_before, pad_after;

    if (mode == PAD_SAME) {
        out = (len + stride - 1) / stride;
        long total = (out - 1) * stride + effective - len;
        if (total < 0)
            total = 0;
        pad_before = total / 2;
        pad_after = total - pad_before;
    } else {
        if (mode == PAD_VALID)
            pad = 0;
        if (pad > effective / 2)
            return pv_error_set(err, PV_ERR_USAGE, "--padding",
                                "padding %ld is more than half the window: a %ld-wide "
                                "window (kernel %ld, dilation %ld) allows at most %ld",
                                pad, effective, kernel, dilation, effective / 2);
        long span = len + 2 * pad - effective;
        out = window_count(span, stride, len + pad, ceil_mode);
        if (out < 1)
            return pv_error_set(err, PV_ERR_DATA, "--kernel",
                                "the window is %ld %s wide (kernel %ld, dilation %ld) but "
                                "the input has only %ld %s%s%s",
                                effective, axis_names[which], kernel, dilation, len,
                                axis_names[which], pad ? " plus padding" : "",
                                !ceil_mode && window_count(span, stride, len + pad, true) > 0
                                    ? " (--ceil-mode keeps it, as PyTorch)"
                                    : "");
        pad_before = pad_after = pad;
    }

    pv_status st = axis_alloc(axis, in, (size_t)out, err);
    if (st != PV_OK)
        return st;
    axis->pad_before = pad_before;
    axis->pad_after = pad_after;
    axis->step = dilation;
    axis->stride = stride;
    for (long j = 0; j < out; j++) {
        long start = j * stride - pad_before;
        axis->start[j] = start;
        axis->count[j] = kernel;
        axis->divisor[j] = divisor_counts_pad
                               ? pool_taps_within(start, kernel, dilation, -pad_before,
                                                  len + pad_after, NULL)
                               : pool_taps_within(start, kernel, dilation, 0, len, NULL);
    }
    return PV_OK;
}

long pool_plan_reflect(long pos, long len)
{
    if (pos < 0)
        return -pos;
    return pos >= len ? 2 * (len - 1) - pos : pos;
}

/* One axis of a two-stage operator (see pool_axis): the window at stride 1
 * with the given padding and dilation, then the filter at `stride` over its
 * outputs, reflect-padded floor((f-1)/2) before and the rest after (as
 * antialiased-cnns' BlurPool). */
static pv_status axis_build_two_stage(pool_axis *axis, size_t in, long kernel, long stride,
                                      pool_padding_mode mode, long pad, long dilation,
                                      long filter, int which, pv_error *err)
{
    pv_status st = axis_build_window(axis, in, kernel, 1, mode, pad, dilation, false, false,
                                     which, err);
    if (st != PV_OK)
        return st;
    const long len = (long)axis->out, pad_before = axis->pad_before,
               pad_after = axis->pad_after;
    axis_release(axis);
    const long before = (filter - 1) / 2, after = filter - 1 - before;
    if (after >= len)
        return pv_error_set(err, PV_ERR_DATA, "--filter",
                            "a %ld-tap blur reflects %ld cell%s at the edge, which needs at "
                            "least %ld max-pooled %s; the %ld-wide window at stride 1 gives %ld",
                            filter, after, after == 1 ? "" : "s", after + 1, axis_names[which],
                            (kernel - 1) * dilation + 1, len);
    const long out = (len - 1) / stride + 1; /* (len + filter - 1 - filter) / stride + 1 */
    st = axis_alloc(axis, in, (size_t)out, err);
    if (st != PV_OK)
        return st;
    axis->pad_before = pad_before;
    axis->pad_after = pad_after;
    axis->step = 1;
    axis->stride = stride;
    axis->stage_len = len;
    axis->stage_kernel = kernel;
    axis->stage_step = dilation;
    axis->filter = filter;
    axis->filter_before = before;
    for (long j = 0; j < out; j++) {
        long lo = len, hi = -1;
        for (long t = 0; t < filter; t++) {
            long m = pool_plan_reflect(j * stride - before + t, len);
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
        }
        axis->start[j] = lo - pad_before;
        axis->count[j] = axis->divisor[j] = hi - lo + (kernel - 1) * dilation + 1;
    }
    return PV_OK;
}

void pool_adaptive_bin(size_t in, size_t out, size_t i, long *start, long *count)
{
    /* PyTorch: start = floor(i * in / out), end = ceil((i + 1) * in / out) */
    unsigned long long s = (unsigned long long)i * in / out;
    unsigned long long e = ((unsigned long long)(i + 1) * in + out - 1) / out;
    *start = (long)s;
    *count = (long)(e - s);
}

static pv_status axis_build_adaptive(pool_axis *axis, size_t in, size_t out, pv_error *err)
{
    pv_status st = axis_alloc(axis, in, out, err);
    if (st != PV_OK)
        return st;
    axis->step = 1;
    axis->stride = 0;
    for (size_t j = 0; j < out; j++) {
        pool_adaptive_bin(in, out, j, &axis->start[j], &axis->count[j]);
        axis->divisor[j] = axis->count[j];
    }
    return PV_OK;
}

/* Graham's fractional sequences, as TensorFlow generates them: boundaries
 * 0 = a_0 < a_1 < ... < a_out = in with increments K = in/out or K + 1,
 * shuffled (random) or a_i = ceil(alpha (i + u)) (pseudo-random). */
static pv_status axis_build_graham(pool_axis *axis, size_t in, size_t out, bool pseudo_random,
                                   bool overlapping, uint64_t seed, uint64_t stream,
                                   pv_error *err)
{
    pv_status st = axis_alloc(axis, in, out, err);
    if (st != PV_OK)
        return st;
    long *diff = axis->count; /* reuse as scratch, rewritten below */
    const long k = (long)(in / out);
    if (pseudo_random) {
        const double alpha = (double)in / (double)out;
        double u_max1 = (k + 2) / alpha - 1;
        double u_max2 = ((double)in + 1 - k) / alpha - ((double)out - 1);
        double u_max = u_max1 < u_max2 ? u_max1 : u_max2;
        double u = rng_uniform(seed, stream, 0) * u_max;
        long prev = 1;
        for (size_t i = 1; i <= out; i++) {
            long next = i == out ? (long)in + 1 : (long)ceil(alpha * ((double)i + u));
            diff[i - 1] = next - prev;
            prev = next;
        }
    } else {
        const size_t extra = in % out;
        uint64_t counter = 1;
        for (size_t i = 0; i < out; i++)
            diff[i] = k + (i < extra ? 1 : 0);
        for (size_t i = out; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)rng_below(seed, stream, &counter, i);
            long t = diff[i - 1];
            diff[i - 1] = diff[j];
            diff[j] = t;
        }
    }
    long pos = 0;
    for (size_t i = 0; i < out; i++) {
        long width = diff[i];
        axis->start[i] = pos;
        pos += width;
        /* overlapping regions also take the next boundary cell, if any */
        axis->count[i] = overlapping && pos < (long)in ? width + 1 : width;
        axis->divisor[i] = axis->count[i];
    }
    axis->step = 1;
    axis->stride = 0;
    return PV_OK;
}

/* PyTorch's generate_intervals, in the input's precision as PyTorch computes it. */
static void torch_intervals(long *starts, double sample, long in, long out, long kernel,
                            tensor_dtype dtype)
{
    if (out > 1) {
        if (dtype == TENSOR_F32) {
            float alpha = (float)(in - kernel) / (float)(out - 1);
            float u = (float)sample;
            for (long i = 0; i < out - 1; i++)
                starts[i] = (long)((float)(i + u) * alpha) - (long)(u * alpha);
        } else {
            double alpha = (double)(in - kernel) / (double)(out - 1);
            for (long i = 0; i < out - 1; i++)
                starts[i] = (long)((i + sample) * alpha) - (long)(sample * alpha);
        }
    }
    starts[out - 1] = in - kernel;
}

static size_t fractional_out(size_t in, int output, double ratio)
{
    if (output > 0)
        return (size_t)output;
    if (ratio <= 0)
        ratio = FRACTIONAL_DEFAULT_RATIO;
    return (size_t)floor((double)in / ratio);
}

static pv_status plan_fractional(pool_plan *plan, pv_error *err)
{
    const pool_params *prm = &plan->params;
    if (prm->output_h > 0 && prm->ratio_h > 0)
        return pv_error_set(err, PV_ERR_USAGE, "--ratio",
                            "give either --output-size or --ratio, not both");
    size_t oh = fractional_out(plan->h, prm->output_h, prm->ratio_h);
    size_t ow = fractional_out(plan->w, prm->output_w, prm->ratio_w);
    const char *subject = prm->output_h > 0 ? "--output-size" : "--ratio";
    if (oh < 1 || ow < 1)
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "the %zux%zu input is too small for this ratio: the output "
                            "would be %zux%zu",
                            plan->h, plan->w, oh, ow);
    if (prm->fractional_style == FRACTIONAL_GRAHAM) {
        if (oh > plan->h || ow > plan->w)
            return pv_error_set(err, PV_ERR_DATA, subject,
                                "the output %zux%zu is larger than the %zux%zu input", oh, ow,
                                plan->h, plan->w);
        pv_status st = axis_build_graham(&plan->rows, plan->h, oh, prm->pseudo_random,
                                         prm->overlapping, prm->seed,
                                         RNG_STREAM_FRACTIONAL_ROWS, err);
        if (st == PV_OK)
            st = axis_build_graham(&plan->cols, plan->w, ow, prm->pseudo_random,
                                   prm->overlapping, prm->seed, RNG_STREAM_FRACTIONAL_COLS,
                                   err);
        return st;
    }

    /* torch style: fixed kernel windows whose starts depend on each plane's samples */
    const long kh = prm->kernel_h, kw = prm->kernel_w;
    if (oh + (size_t)kh - 1 > plan->h || ow + (size_t)kw - 1 > plan->w)
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "output %zux%zu with kernel %ldx%ld needs an input of at least "
                            "%zux%zu (output + kernel - 1), got %zux%zu",
                            oh, ow, kh, kw, oh + (size_t)kh - 1, ow + (size_t)kw - 1, plan->h,
                            plan->w);
    const size_t planes = plan->n * plan->c;
    if (prm->samples != NULL && prm->samples_count != planes * 2)
        return pv_error_set(err, PV_ERR_DATA, "--samples",
                            "holds %zu values, but the input needs N*C*2 = %zu "
                            "(shape (%zu, %zu, 2))",
                            prm->samples_count, planes * 2, plan->n, plan->c);
    pv_status st = axis_alloc(&plan->rows, plan->h, oh, err);
    if (st == PV_OK)
        st = axis_alloc(&plan->cols, plan->w, ow, err);
    size_t row_bytes = 0, col_bytes = 0;
    if (st == PV_OK && (!pv_mul_size(planes, oh * sizeof(long), &row_bytes) ||
                        !pv_mul_size(planes, ow * sizeof(long), &col_bytes)))
        st = pv_error_set(err, PV_ERR_LIMIT, "plan", "the output is too large");
    if (st != PV_OK)
        return st;
    plan->plane_row_start = pv_malloc(row_bytes);
    plan->plane_col_start = pv_malloc(col_bytes);
    if (plan->plane_row_start == NULL || plan->plane_col_start == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the plan");
    for (size_t plane = 0; plane < planes; plane++) {
        double uw, uh;
        if (prm->samples != NULL) {
            uw = prm->samples[plane * 2];
            uh = prm->samples[plane * 2 + 1];
            if (!(uw >= 0 && uw < 1) || !(uh >= 0 && uh < 1))
                return pv_error_set(err, PV_ERR_DATA, "--samples",
                                    "sample %zu is outside [0, 1)", plane);
        } else if (prm->samples_given) {
            uw = prm->sample_w;
            uh = prm->sample_h;
        } else {
            uw = rng_uniform(prm->seed, RNG_STREAM_FRACTIONAL_SAMPLES, plane * 2);
            uh = rng_uniform(prm->seed, RNG_STREAM_FRACTIONAL_SAMPLES, plane * 2 + 1);
        }
        torch_intervals(plan->plane_row_start + plane * oh, uh, (long)plan->h, (long)oh, kh,
                        plan->dtype);
        torch_intervals(plan->plane_col_start + plane * ow, uw, (long)plan->w, (long)ow, kw,
                        plan->dtype);
    }
    /* the shared axes describe plane 0 and the fixed window size */
    for (size_t i = 0; i < oh; i++) {
        plan->rows.start[i] = plan->plane_row_start[i];
        plan->rows.count[i] = plan->rows.divisor[i] = kh;
    }
    for (size_t j = 0; j < ow; j++) {
        plan->cols.start[j] = plan->plane_col_start[j];
        plan->cols.count[j] = plan->cols.divisor[j] = kw;
    }
    plan->rows.step = plan->cols.step = 1;
    return PV_OK;
}

static pv_status plan_windowed(pool_plan *plan, pv_error *err)
{
    const pool_params *prm = &plan->params;
    if (prm->global && prm->adaptive_h > 0)
        return pv_error_set(err, PV_ERR_USAGE, "--global",
                            "--global and --adaptive cannot be combined");
    if (pool_op_uses(prm->op, OP_USES_P) && !(prm->p > 0))
        return pv_error_set(err, PV_ERR_USAGE, "--power", "p must be greater than 0");
    if (prm->op == POOL_POWER && prm->divisor < 0)
        return pv_error_set(err, PV_ERR_USAGE, "--divisor",
                            "the power average takes the p-th root of sum/divisor: the "
                            "divisor must be positive, got %ld",
                            prm->divisor);
    if (prm->op == POOL_LP && prm->lp_style == LP_STYLE_TORCH) {
        /* F.lp_pool2d has a kernel, a stride and ceil_mode, nothing else */
        const char *what = prm->adaptive_h > 0                  ? "--adaptive"
                           : prm->padding_mode == PAD_SAME      ? "--padding same"
                           : prm->pad_h > 0 || prm->pad_w > 0   ? "--padding"
                           : prm->dilation_h > 1 || prm->dilation_w > 1 ? "--dilation"
                                                                : NULL;
        if (what != NULL)
            return pv_error_set(err, PV_ERR_USAGE, "--lp-style",
                                "torch: PyTorch's lp_pool2d takes no %s (only a kernel, a "
                                "stride and --ceil-mode)",
                                what + 2);
    }
    if ((prm->global || prm->adaptive_h > 0) && pool_op_uses(prm->op, OP_USES_FILTER))
        return pv_error_set(err, PV_ERR_USAGE, prm->global ? "--global" : "--adaptive",
                            "%s blurs a max pool taken at stride 1 and subsamples by the "
                            "stride; %s window has no such stages (use --op max)",
                            pool_op_name(prm->op), prm->global ? "a global" : "an adaptive");
    if (prm->global || prm->adaptive_h > 0) {
        size_t oh = prm->global ? 1 : (size_t)prm->adaptive_h;
        size_t ow = prm->global ? 1 : (size_t)prm->adaptive_w;
        pv_status st = axis_build_adaptive(&plan->rows, plan->h, oh, err);
        return st == PV_OK ? axis_build_adaptive(&plan->cols, plan->w, ow, err) : st;
    }
    long sh = prm->stride_h > 0 ? prm->stride_h : prm->kernel_h;
    long sw = prm->stride_w > 0 ? prm->stride_w : prm->kernel_w;
    if (pool_op_uses(prm->op, OP_USES_FILTER)) {
        pv_status st = axis_build_two_stage(&plan->rows, plan->h, prm->kernel_h, sh,
                                            prm->padding_mode, prm->pad_h, prm->dilation_h,
                                            prm->filter, 0, err);
        if (st == PV_OK)
            st = axis_build_two_stage(&plan->cols, plan->w, prm->kernel_w, sw,
                                      prm->padding_mode, prm->pad_w, prm->dilation_w,
                                      prm->filter, 1, err);
        return st;
    }
    /* TensorFlow's SAME averages over the cells inside the input only. */
    bool counts_pad = prm->count_include_pad && prm->padding_mode != PAD_SAME;
    pv_status st = axis_build_window(&plan->rows, plan->h, prm->kernel_h, sh, prm->padding_mode,
                                     prm->pad_h, prm->dilation_h, prm->ceil_mode, counts_pad, 0,
                                     err);
    if (st == PV_OK)
        st = axis_build_window(&plan->cols, plan->w, prm->kernel_w, sw, prm->padding_mode,
                               prm->pad_w, prm->dilation_w, prm->ceil_mode, counts_pad, 1,
                               err);
    return st;
}

static pv_status plan_spp(pool_plan *plan, pv_error *err)
{
    const pool_params *prm = &plan->params;
    size_t per_channel = 0;
    if (prm->level_count < 1)
        return pv_error_set(err, PV_ERR_USAGE, "--levels", "needs at least one level");
    plan->level_count = prm->level_count;
    for (int l = 0; l < prm->level_count; l++) {
        size_t bins = (size_t)prm->levels[l] * (size_t)prm->levels[l];
        plan->levels[l] = prm->levels[l];
        plan->level_offset[l] = per_channel * plan->c;
        per_channel += bins;
    }
    if (!pv_mul_size(per_channel, plan->c, &plan->spp_per_sample))
        return pv_error_set(err, PV_ERR_LIMIT, "--levels", "the output is too large");
    return PV_OK;
}

static pv_status plan_output_shape(pool_plan *plan, pv_error *err)
{
    const pool_op op = plan->params.op;
    int r = plan->in_rank;
    if (op == POOL_SPP) {
        if (r == 4) {
            plan->out_rank = 2;
            plan->out_dims[0] = plan->n;
            plan->out_dims[1] = plan->spp_per_sample;
        } else {
            plan->out_rank = 1;
            plan->out_dims[0] = plan->spp_per_sample;
        }
    } else if (op == POOL_BILINEAR) {
        if (r == 4) {
            plan->out_rank = 3;
            plan->out_dims[0] = plan->n;
            plan->out_dims[1] = plan->out_dims[2] = plan->c;
        } else {
            plan->out_rank = 2;
            plan->out_dims[0] = plan->out_dims[1] = plan->c;
        }
    } else {
        plan->out_rank = r;
        for (int i = 0; i < r - 2; i++)
            plan->out_dims[i] = plan->in_dims[i];
        plan->out_dims[r - 2] = plan->rows.out;
        plan->out_dims[r - 1] = plan->cols.out;
    }
    return tensor_check_dims(plan->out_rank, plan->out_dims, &plan->out_count, "output", err);
}

pool_plan *pool_plan_create(const pool_params *params, tensor_dtype dtype, int rank,
                            const size_t *dims, pv_error *err)
{
    size_t count;
    if (rank < 2 || rank > 4) {
        pv_error_set(err, PV_ERR_DATA, "input",
                     "pooling needs a 2-D (HxW), 3-D (CxHxW) or 4-D (NxCxHxW) input, got %d "
                     "dimension%s",
                     rank, rank == 1 ? "" : "s");
        return NULL;
    }
    if (tensor_check_dims(rank, dims, &count, "input", err) != PV_OK)
        return NULL;
    if (dims[0] == 0 && rank < 4) {
        /* PyTorch: only the batch of an NxCxHxW input may be empty */
        pv_error_set(err, PV_ERR_DATA, "input",
                     "dimension 0 is 0: the array is empty (only the batch N of an NxCxHxW "
                     "input may be 0)");
        return NULL;
    }
    if ((unsigned)params->op >= POOL_OP_COUNT) {
        pv_error_set(err, PV_ERR_USAGE, "--op", "unknown operator");
        return NULL;
    }
    pool_plan *plan = pv_calloc(1, sizeof *plan);
    if (plan == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the plan");
        return NULL;
    }
    if (pool_params_copy(&plan->params, params, err) != PV_OK) {
        pv_free(plan);
        return NULL;
    }
    plan->dtype = dtype;
    plan->in_rank = rank;
    memcpy(plan->in_dims, dims, (size_t)rank * sizeof *dims);
    size_t nchw[4] = {1, 1, 1, 1};
    memcpy(nchw + (4 - rank), dims, (size_t)rank * sizeof *dims);
    plan->n = nchw[0];
    plan->c = nchw[1];
    plan->h = nchw[2];
    plan->w = nchw[3];

    pv_status st;
    const pool_op op = params->op;
    if (pool_op_is_windowed(op))
        st = plan_windowed(plan, err);
    else if (op == POOL_FRACTIONAL)
        st = plan_fractional(plan, err);
    else if (op == POOL_SPP)
        st = plan_spp(plan, err);
    else
        st = PV_OK; /* bilinear: the region is the whole plane */
    if (st == PV_OK)
        st = plan_output_shape(plan, err);
    if (st != PV_OK) {
        pool_plan_free(plan);
        return NULL;
    }
    plan->has_indices = pool_op_picks_cell(params);
    return plan;
}

void pool_plan_free(pool_plan *plan)
{
    if (plan == NULL)
        return;
    axis_release(&plan->rows);
    axis_release(&plan->cols);
    pv_free(plan->plane_row_start);
    pv_free(plan->plane_col_start);
    pool_params_release(&plan->params);
    pv_free(plan);
}

static pool_tap_kind axis_kind(const pool_axis *axis, long pos)
{
    if (pos >= 0 && pos < (long)axis->in)
        return TAP_INPUT;
    if (pos >= -axis->pad_before && pos < (long)axis->in + axis->pad_after)
        return TAP_PADDING;
    return TAP_OUTSIDE;
}

pool_tap_kind pool_plan_row_kind(const pool_plan *plan, long row)
{
    if (!pool_op_is_windowed(plan->params.op))
        return row >= 0 && row < (long)plan->h ? TAP_INPUT : TAP_OUTSIDE;
    return axis_kind(&plan->rows, row);
}

pool_tap_kind pool_plan_col_kind(const pool_plan *plan, long col)
{
    if (!pool_op_is_windowed(plan->params.op))
        return col >= 0 && col < (long)plan->w ? TAP_INPUT : TAP_OUTSIDE;
    return axis_kind(&plan->cols, col);
}

void pool_plan_region(const pool_plan *plan, size_t out_index, pool_region *region)
{
    const pool_op op = plan->params.op;
    memset(region, 0, sizeof *region);
    region->out_index = out_index;
    region->row_step = region->col_step = 1;
    region->level_index = -1;

    if (op == POOL_BILINEAR) {
        size_t cc = plan->c * plan->c;
        region->n = out_index / cc;
        region->c = out_index % cc / plan->c;
        region->c2 = out_index % plan->c;
        region->oy = region->c;
        region->ox = region->c2;
        region->row_count = (long)plan->h;
        region->col_count = (long)plan->w;
        region->divisor_rows = (long)plan->h;
        region->divisor_cols = (long)plan->w;
        region->divisor = (double)plan->h * (double)plan->w;
        return;
    }
    if (op == POOL_SPP) {
        size_t r = out_index % plan->spp_per_sample;
        region->n = out_index / plan->spp_per_sample;
        int l = plan->level_count - 1;
        while (l > 0 && r < plan->level_offset[l])
            l--;
        size_t nb = (size_t)plan->levels[l];
        size_t within = r - plan->level_offset[l];
        region->level = plan->levels[l];
        region->level_index = l;
        region->c = within / (nb * nb);
        region->oy = within % (nb * nb) / nb;
        region->ox = within % nb;
        pool_adaptive_bin(plan->h, nb, region->oy, &region->row0, &region->row_count);
        pool_adaptive_bin(plan->w, nb, region->ox, &region->col0, &region->col_count);
        region->divisor_rows = region->row_count;
        region->divisor_cols = region->col_count;
        region->divisor = (double)region->row_count * (double)region->col_count;
        return;
    }

    const size_t oh = plan->rows.out, ow = plan->cols.out;
    const size_t plane = out_index / (oh * ow);
    region->n = plane / plan->c;
    region->c = plane % plan->c;
    region->oy = out_index % (oh * ow) / ow;
    region->ox = out_index % ow;
    region->row0 = plan->rows.start[region->oy];
    region->col0 = plan->cols.start[region->ox];
    if (plan->plane_row_start != NULL) {
        region->row0 = plan->plane_row_start[plane * oh + region->oy];
        region->col0 = plan->plane_col_start[plane * ow + region->ox];
    }
    region->row_step = plan->rows.step;
    region->col_step = plan->cols.step;
    region->row_count = plan->rows.count[region->oy];
    region->col_count = plan->cols.count[region->ox];
    region->divisor_rows = plan->rows.divisor[region->oy];
    region->divisor_cols = plan->cols.divisor[region->ox];
    if (plan->params.divisor != 0 && pool_op_uses(op, OP_USES_DIVISOR))
        region->divisor = (double)plan->params.divisor;
    else
        region->divisor = (double)region->divisor_rows * (double)region->divisor_cols;
}

void pool_plan_explain_size(const pool_plan *plan, int axis, char *buf, size_t size)
{
    const pool_params *prm = &plan->params;
    const pool_axis *ax = axis == 0 ? &plan->rows : &plan->cols;
    const char *name = axis == 0 ? "rows" : "columns";
    const long in = (long)(axis == 0 ? plan->h : plan->w);

    if (prm->op == POOL_SPP) {
        snprintf(buf, size,
                 "%s: spatial pyramid pooling divides the %ld %s into n bins for each level "
                 "n, whatever the input size; the output per sample is C * sum(n^2) = %zu",
                 name, in, name, plan->spp_per_sample);
        return;
    }
    if (prm->op == POOL_BILINEAR) {
        snprintf(buf, size,
                 "bilinear pooling averages f f^T over all %zu locations: the output is "
                 "C x C = %zu x %zu whatever the input size",
                 plan->h * plan->w, plan->c, plan->c);
        return;
    }
    if (prm->op == POOL_FRACTIONAL) {
        int output = axis == 0 ? prm->output_h : prm->output_w;
        double ratio = axis == 0 ? prm->ratio_h : prm->ratio_w;
        if (output > 0)
            snprintf(buf, size, "%s: output size %d was given (--output-size)", name, output);
        else
            snprintf(buf, size, "%s: floor(%ld / %.8g) = %zu (ratio in/out)", name, in,
                     ratio > 0 ? ratio : FRACTIONAL_DEFAULT_RATIO, ax->out);
        return;
    }
    if (prm->global) {
        snprintf(buf, size, "%s: global pooling: one window covers all %ld %s -> 1", name, in,
                 name);
        return;
    }
    if (prm->adaptive_h > 0) {
        snprintf(buf, size,
                 "%s: adaptive pooling to %zu: bin i covers [floor(i*%ld/%zu), "
                 "ceil((i+1)*%ld/%zu))",
                 name, ax->out, in, ax->out, in, ax->out);
        return;
    }
    const long k = axis == 0 ? prm->kernel_h : prm->kernel_w;
    const long d = axis == 0 ? prm->dilation_h : prm->dilation_w;
    const long s = ax->stride;
    if (ax->stage_len > 0) {
        snprintf(buf, size,
                 "%s: the %ld-wide window (kernel %ld, dilation %ld) at stride 1 with "
                 "padding %ld+%ld gives %ld %s; the %ld-tap blur, reflect-padded %ld+%ld, "
                 "at stride %ld: (%ld + %ld - %ld) / %ld + 1 = %zu",
                 name, (k - 1) * d + 1, k, d, ax->pad_before, ax->pad_after, ax->stage_len,
                 name, ax->filter, ax->filter_before, ax->filter - 1 - ax->filter_before, s,
                 ax->stage_len, ax->filter - 1, ax->filter, s, ax->out);
        return;
    }
    const long eff = (k - 1) * d + 1;
    if (prm->padding_mode == PAD_SAME) {
        snprintf(buf, size,
                 "%s: padding 'same': ceil(%ld / %ld) = %zu outputs; the window (%ld wide) "
                 "needs %ld padding cell%s: %ld before, %ld after",
                 name, in, s, ax->out, eff, ax->pad_before + ax->pad_after,
                 ax->pad_before + ax->pad_after == 1 ? "" : "s", ax->pad_before,
                 ax->pad_after);
        return;
    }
    const long p = ax->pad_before;
    const long span = in + 2 * p - eff;
    size_t used = (size_t)snprintf(buf, size,
                                   "%s: (in + 2*pad - dilation*(kernel-1) - 1) / stride + 1 "
                                   "= (%ld + 2*%ld - %ld*(%ld-1) - 1) / %ld + 1 = %ld/%ld + 1",
                                   name, in, p, d, k, s, span, s);
    if (used >= size)
        return;
    if (!prm->ceil_mode) {
        snprintf(buf + used, size - used, "; floor -> %ld + 1 = %zu", span / s, ax->out);
        return;
    }
    long up = (span + s - 1) / s + 1;
    used += (size_t)snprintf(buf + used, size - used, "; ceil -> %ld + 1 = %ld", up - 1, up);
    if (used < size && (size_t)up != ax->out)
        snprintf(buf + used, size - used,
                 "; but the last window would start at %ld*%ld - %ld = %ld, in the right "
                 "padding (>= %ld), so PyTorch drops it: %zu",
                 up - 1, s, p, (up - 1) * s - p, in, ax->out);
    else if (used < size)
        snprintf(buf + used, size - used, " (the last window starts at %ld, inside the input)",
                 (up - 1) * s - p);
}
