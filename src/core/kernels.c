/* kernels.c - plans the fast kernels, splits the work over threads and
 * runs the band kernels of kernels-body.h (see kernels.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernels.h"
#include "kernels-blur.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "alloc.h"
#include "forward.h"
#include "numfmt.h"
#include "rng.h"

/* Scratch a thread aims to keep its band in (about the L2 cache). */
#define BAND_BUDGET ((size_t)1 << 20)

/* What van Herk along the columns costs per cell, in passes of a direct
 * sum (measured: see column_method). */
#define VANHERK_COL_PASSES 4
/* Outputs at least this large are stored around the caches. */
#define STREAM_BYTES ((size_t)16 << 20)
/* At most this many threads (scratch blocks are kept in an array). */
#define KERNELS_MAX_THREADS 256
/* Inputs smaller than this run on one thread. */
#define SERIAL_ELEMENTS ((size_t)1 << 16)

/* ---- instruction set ---------------------------------------------------- */

static const kern_impl *chosen_impl;

#if defined(KERNELS_HAVE_AVX2)
/* The "avx2" kernels are compiled for AVX2 and FMA; "avx512" adds AVX-512F
 * and DQ (a class test) for the softmax-weighted windows (OP_KERNEL_SOFTMAX,
 * OP_KERNEL_LOGSUMEXP). */
static bool cpu_has_avx2_fma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static bool cpu_has_avx512(void)
{
    return cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#endif

static const kern_impl *impl_table(void)
{
    if (chosen_impl != NULL)
        return chosen_impl;
    const kern_impl *table = kern_portable;
#if defined(KERNELS_HAVE_AVX2)
    const char *env = getenv("POOLVIZ_KERNELS");
    const bool portable = env != NULL && strcmp(env, "portable") == 0;
    const bool avx2 = env != NULL && strcmp(env, "avx2") == 0;
    if (cpu_has_avx512() && !portable && !avx2)
        table = kern_avx512;
    else if (cpu_has_avx2_fma() && !portable)
        table = kern_avx2;
#endif
    chosen_impl = table;
    return table;
}

const char *kernels_isa(void)
{
    return impl_table()[0].name;
}

const char *kernels_base_isa(void)
{
    return strcmp(kernels_isa(), "avx512") == 0 ? "avx2" : kernels_isa();
}

bool kernels_select(const char *isa)
{
    if (strcmp(isa, "portable") == 0) {
        chosen_impl = kern_portable;
        return true;
    }
#if defined(KERNELS_HAVE_AVX2)
    if (strcmp(isa, "avx2") == 0 && cpu_has_avx2_fma()) {
        chosen_impl = kern_avx2;
        return true;
    }
    if (strcmp(isa, "avx512") == 0 && cpu_has_avx512()) {
        chosen_impl = kern_avx512;
        return true;
    }
#endif
    return false;
}

/* What the fast kernels compute: the operator table names each operator's
 * kernel (ops.h); an operator whose entry names none (stochastic, whose
 * draw lives in its reducer alone, and any operator added to the table
 * without a kernel) takes the reference path, never a kernel of another
 * operator. */
static bool kernel_supports_op(const pool_plan *plan)
{
    const pool_op op = plan->params.op;
    const pool_op_kernel kernel = pool_op_info_of(op)->kernel;
    switch (kernel) {
    case OP_KERNEL_NONE:
        return false;
    case OP_KERNEL_EXTREME:
    case OP_KERNEL_SUMS:
        if (pool_op_uses(op, OP_USES_P) && isinf(plan->params.p))
            return false; /* max |x|: rare, the reference does it */
        if (op == POOL_LP && plan->params.lp_style == LP_STYLE_TORCH)
            return false; /* PyTorch's own order of float operations: the reducer */
        return true;
    case OP_KERNEL_GRAM:
        return plan->c <= 8192; /* the C x C Gram matrix in double would be too large */
    case OP_KERNEL_SOFTMAX:
    case OP_KERNEL_LOGSUMEXP:
    case OP_KERNEL_MIDDLE:
    case OP_KERNEL_MAXAVG:
        /* windows of the sliding family (with --global and --adaptive) */
        return pool_op_is_windowed(op);
    }
    return false;
}

bool kernels_supported(const pool_plan *plan)
{
    if (pool_op_uses(plan->params.op, OP_USES_FILTER))
        return kernels_blur_supported(plan);
    if (plan->dtype == TENSOR_F32 && plan->h * plan->w > (size_t)INT32_MAX)
        return false; /* the float kernels keep plane indices in 32 bits */
    return kernel_supports_op(plan);
}

/* ---- plan ----------------------------------------------------------------- */

/* Fill ka from windows start[j], count[j] (step apart) over an axis of
 * length in; first/count point into store (2 * out longs). */
static void axis_fill(kern_axis *ka, size_t in, size_t out, long step, const long *start,
                      const long *count, long *store)
{
    long *first = store, *inside = store + out;
    for (size_t j = 0; j < out; j++) {
        long t0;
        const long n = pool_taps_within(start[j], count[j], step, 0, (long)in, &t0);
        first[j] = start[j] + t0 * step;
        inside[j] = n;
    }
    memset(ka, 0, sizeof *ka);
    ka->in = in;
    ka->out = out;
    ka->step = step;
    ka->start = start;
    ka->first = first;
    ka->count = inside;
    ka->method = KM_DIRECT;
}

/* Mark a windowed axis as regular and find its interior and reach. */
static void axis_regular(kern_axis *ka, const pool_axis *pa, long taps)
{
    ka->regular = true;
    ka->stride = pa->stride;
    ka->taps = taps;
    ka->pad = pa->pad_before;
    const long span = (taps - 1) * ka->step, in = (long)ka->in;
    size_t lo = 0, hi = ka->out;
    while (lo < ka->out && ka->start[lo] < 0)
        lo++;
    while (hi > lo && ka->start[hi - 1] + span > in - 1)
        hi--;
    ka->lo = lo;
    ka->hi = hi;
    long reach = ka->start[ka->out - 1] + span + 1 - in;
    ka->reach = reach > 0 ? reach : 0;
    /* The regular methods keep a padded copy of a row (pad + in + reach
     * cells) and van Herk bands every row a window covers, padding
     * included.  A window far wider than the input (huge dilation or
     * padding) would make that scratch grow with the window, not with the
     * data: such an axis is read tap by tap over its clipped windows
     * instead, whose scratch is bounded by the input and output. */
    if ((unsigned long)ka->pad + (unsigned long)ka->reach > 4 * (unsigned long)in + 256)
        ka->regular = false;
}

static bool power_of_two(double d)
{
    int e;
    return d > 0 && frexp(d, &e) == 0.5;
}

static int floor_log2(long k)
{
    int l = 0;
    while ((2L << l) <= k)
        l++;
    return l;
}

/* Column method: log-doubling when it does fewer passes than the taps;
 * for sums of undilated windows, van Herk when its cost per cell, about
 * VANHERK_COL_PASSES passes, times the stride beats both. */
static int column_method(const kern_axis *a, bool sums)
{
    if (!a->regular || a->hi <= a->lo)
        return KM_DIRECT;
    const long K = a->taps, s = a->stride;
    const int levels = floor_log2(K);
    long passes;
    if (sums)
        passes = levels + __builtin_popcountl((unsigned long)K) + 1;
    else
        passes = levels + (K != 1L << levels) + 2;
    long best = passes * s < K ? passes * s : K;
    if (sums && a->step == 1 && VANHERK_COL_PASSES * s < best)
        return KM_VANHERK;
    return passes * s < K ? KM_DOUBLING : KM_DIRECT;
}

/* Row method: van Herk when its three passes per row beat the taps. */
static int row_method(const kern_axis *a)
{
    if (!a->regular || a->hi <= a->lo)
        return KM_DIRECT;
    return 2 * a->stride + 1 < a->taps && a->taps >= 4 ? KM_VANHERK : KM_DIRECT;
}

typedef enum kern_kind {
    KK_BAND,        /* windowed, adaptive, fractional: band kernels */
    KK_GLOBAL,      /* one window covering each plane */
    KK_SPP,
    KK_BILINEAR,
    KK_WINDOW       /* the window reducers, band by band */
} kern_kind;

typedef struct kern_state {
    kern_plan kp;
    kern_kind kind;
    bool sums;              /* the sum family (else max family) */
    long *axis_store;       /* first/count of rows, cols, spp levels */
    size_t items;           /* work items */
    size_t planes_per_item; /* global */
    bool want_indices;
} kern_state;

/* pv_malloc(count * size), NULL also when the product overflows. */
static void *alloc_array(size_t count, size_t size)
{
    size_t bytes;
    return pv_mul_size(count, size, &bytes) ? pv_malloc(bytes) : NULL;
}

static void state_release(kern_state *st)
{
    pv_free(st->axis_store);
    pv_free(st->kp.col_divisor);
    pv_free(st->kp.col_reciprocal);
    pv_free(st->kp.kernel_taps);
}

/* Rows [ra, rb] read by output rows [oy0, oy1) of an axis: the count.
 * Van Herk bands also hold the rows outside the input their windows
 * cover. */
static size_t band_span(const kern_axis *ry, size_t oy0, size_t oy1)
{
    if (ry->method == KM_VANHERK)
        return (size_t)(ry->start[oy1 - 1] - ry->start[oy0] + (ry->taps - 1) * ry->step + 1);
    long lo = LONG_MAX, hi = -1;
    for (size_t oy = oy0; oy < oy1; oy++) {
        if (ry->count[oy] == 0)
            continue;
        long f = ry->first[oy], l = f + (ry->count[oy] - 1) * ry->step;
        lo = f < lo ? f : lo;
        hi = l > hi ? l : hi;
    }
    return hi >= lo ? (size_t)(hi - lo + 1) : 0;
}

/* Bytes of scratch for a band of nrows input rows. */
static bool band_scratch(const kern_plan *kp, bool sums, size_t nrows, size_t *bytes)
{
    const size_t W = kp->w, ow = kp->cols.out;
    size_t grid, per_row, total;
    if (!pv_mul_size(nrows, ow, &grid) || !pv_mul_size(grid, 32, &grid))
        return false;
    const size_t edges = kp->cols.regular ? (size_t)kp->cols.pad + (size_t)kp->cols.reach : 0;
    const size_t padded = W + edges + 64;
    per_row = 16 * ow + (sums ? 16 : 24) * padded;
    /* columns by van Herk (sums): four rows side by side and the suffixes
     * of two blocks (taps <= padded) */
    if (sums && kp->cols.method == KM_VANHERK)
        per_row += 32 * padded + 64 * padded;
    if (!pv_add_size(grid, per_row, &total) || !pv_add_size(total, nrows + 16 * 64, &total))
        return false;
    *bytes = total;
    return true;
}

/* Split the planes' output rows into bands that fit the budget, and enough
 * of them to keep every thread busy. */
static pv_status plan_bands(kern_state *st, int threads, bool per_plane_rows, pv_error *err)
{
    kern_plan *kp = &st->kp;
    const size_t oh = kp->rows.out, ow = kp->cols.out;
    size_t in_rows_per_out = kp->rows.regular ? (size_t)kp->rows.stride : (kp->h + oh - 1) / oh;
    /* what a band keeps per input row: column results (and van Herk's
     * suffixes), with their indices when wanted; sums are doubles */
    const size_t es = tensor_dtype_size(kp->plan->dtype);
    size_t cell = st->sums ? sizeof(double) : es + (st->want_indices ? es : 0);
    if (kp->rows.method == KM_VANHERK)
        cell *= 2;
    size_t row_bytes = ow * cell * (in_rows_per_out ? in_rows_per_out : 1);
    size_t band = BAND_BUDGET / (row_bytes ? row_bytes : 1);
    if (kp->rows.method == KM_VANHERK && band < 2 * (size_t)kp->rows.taps)
        band = 2 * (size_t)kp->rows.taps;
    if (kp->planes < 2 * (size_t)threads) {
        size_t want = (2 * (size_t)threads + kp->planes - 1) / kp->planes;
        size_t split = (oh + want - 1) / want;
        if (split < band)
            band = split;
    }
    if (band < 1)
        band = 1;
    if (band > oh)
        band = oh;
    kp->band_rows = band;
    kp->bands = (oh + band - 1) / band;
    size_t nrows = 0;
    if (per_plane_rows) {
        /* torch fractional: window i starts at int((i + u) a) - int(u a),
         * a = (H - K) / (oh - 1), so consecutive starts are at most
         * floor(a) + 1 rows apart */
        const size_t K = (size_t)kp->rows.count[0];
        const size_t gap = oh > 1 ? (kp->h - K) / (oh - 1) + 1 : 0;
        nrows = (band - 1) * gap + K;
        if (nrows > kp->h)
            nrows = kp->h;
    } else {
        for (size_t b = 0; b < kp->bands; b++) {
            size_t oy0 = b * band, oy1 = oy0 + band < oh ? oy0 + band : oh;
            size_t n = band_span(&kp->rows, oy0, oy1);
            nrows = n > nrows ? n : nrows;
        }
    }
    if (!band_scratch(kp, st->sums, nrows, &kp->scratch) ||
        !pv_mul_size(kp->planes, kp->bands, &st->items))
        return pv_error_set(err, PV_ERR_LIMIT, "plan", "the input is too large");
    return PV_OK;
}

/* The divisor of every column as double and, when every divisor is a
 * power of two, their reciprocals (multiplying by them gives the quotient's
 * bits). */
static pv_status divisors_init(kern_plan *kp, pv_error *err)
{
    const size_t oh = kp->oh, ow = kp->ow;
    const pool_plan *plan = kp->plan;
    kp->col_divisor = alloc_array(ow, sizeof(double));
    if (kp->col_divisor == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the kernels");
    for (size_t j = 0; j < ow; j++)
        kp->col_divisor[j] = (double)plan->cols.divisor[j];
    bool pow2 = true;
    if (kp->divisor != 0) {
        pow2 = power_of_two(kp->divisor);
    } else {
        for (size_t j = 0; j < ow && pow2; j++)
            pow2 = power_of_two(kp->col_divisor[j]);
        for (size_t i = 0; i < oh && pow2; i++)
            pow2 = power_of_two((double)plan->rows.divisor[i]);
    }
    if (pow2) {
        kp->col_reciprocal = alloc_array(ow, sizeof(double));
        if (kp->col_reciprocal == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the kernels");
        for (size_t j = 0; j < ow; j++)
            kp->col_reciprocal[j] = 1 / kp->col_divisor[j];
        kp->reciprocal = true;
    }
    return PV_OK;
}

/* The window reducers: bands of output rows as the band kernels, each
 * window gathered into scratch (two copies of its cells, in double), the
 * stride-2 windows of 2 or 3 (and the middle value's 3x3 at stride 1) on vector
 * paths. */
static pv_status window_init(kern_state *st, int threads, pv_error *err)
{
    kern_plan *kp = &st->kp;
    const pool_plan *plan = kp->plan;
    const kern_axis *ry = &kp->rows, *cx = &kp->cols;
    kp->alpha = plan->params.alpha;
    kp->sharpness = kp->kernel == OP_KERNEL_LOGSUMEXP ? plan->params.sharpness : 1;
    st->kind = KK_WINDOW;
    long most_rows = 0, most_cols = 0;
    for (size_t i = 0; i < ry->out; i++)
        most_rows = ry->count[i] > most_rows ? ry->count[i] : most_rows;
    for (size_t j = 0; j < cx->out; j++)
        most_cols = cx->count[j] > most_cols ? cx->count[j] : most_cols;
    size_t cells, bytes, rows_bytes;
    if (!pv_mul_size((size_t)most_rows, (size_t)most_cols, &cells) ||
        !pv_mul_size(cells, 2 * sizeof(double), &bytes) ||
        !pv_mul_size(cx->in + cx->out + 64, 8 * sizeof(double), &rows_bytes) ||
        !pv_add_size(bytes, rows_bytes + 256, &bytes))
        return pv_error_set(err, PV_ERR_LIMIT, "plan", "the windows are too large");
    kp->window_cells = cells;
    kp->fused_s2 = ry->regular && cx->regular && ry->stride == 2 && cx->stride == 2 &&
                   ry->step == 1 && cx->step == 1 && ry->taps >= 2 && ry->taps <= 3 &&
                   cx->taps >= 2 && cx->taps <= 3 && ry->pad <= 1 && cx->pad <= 1;
    /* the float32 path keeps 16 r log2 e, -1600 over it and the log-sum-exp
     * constants over r in float */
    if (kp->kernel == OP_KERNEL_LOGSUMEXP && !(kp->sharpness >= 0x1p-60 && kp->sharpness <= 0x1p60))
        kp->fused_s2 = false;
    kp->window3x3 = ry->regular && cx->regular && ry->stride == 1 && cx->stride == 1 &&
                    ry->step == 1 && cx->step == 1 && ry->taps == 3 && cx->taps == 3;
    kp->rows.method = kp->cols.method = KM_DIRECT;
    pv_status status = kp->kernel == OP_KERNEL_MAXAVG ? divisors_init(kp, err) : PV_OK;
    if (status == PV_OK)
        status = plan_bands(st, threads, false, err);
    kp->scratch = bytes;
    return status;
}

static pv_status state_init(kern_state *st, const pool_plan *plan, int threads,
                            bool want_indices, pv_error *err)
{
    kern_plan *kp = &st->kp;
    const pool_params *prm = &plan->params;
    const pool_op op = prm->op;
    memset(st, 0, sizeof *st);
    st->want_indices = want_indices;
    kp->plan = plan;
    kp->op = op;
    kp->planes = plan->n * plan->c;
    kp->h = plan->h;
    kp->w = plan->w;
    kp->is_min = op == POOL_MIN;

    if (op == POOL_BILINEAR) {
        st->kind = KK_BILINEAR;
        st->items = plan->c;
        return PV_OK;
    }
    if (op == POOL_SPP) {
        st->kind = KK_SPP;
        size_t per_level = 0;
        for (int l = 0; l < plan->level_count; l++)
            per_level += 4 * (size_t)plan->levels[l];
        st->axis_store = alloc_array(per_level, sizeof(long));
        if (st->axis_store == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the kernels");
        long *at = st->axis_store;
        size_t nrows = 0;
        for (int l = 0; l < plan->level_count; l++) {
            const size_t nb = (size_t)plan->levels[l];
            long *rs = at, *rc = at + nb, *cs = at + 2 * nb, *cc = at + 3 * nb;
            at += 4 * nb;
            for (size_t i = 0; i < nb; i++) {
                pool_adaptive_bin(plan->h, nb, i, &rs[i], &rc[i]);
                pool_adaptive_bin(plan->w, nb, i, &cs[i], &cc[i]);
            }
            /* bins lie inside the input: first = start, count = count */
            kern_axis *ry = &kp->level_rows[l], *cx = &kp->level_cols[l];
            memset(ry, 0, sizeof *ry);
            memset(cx, 0, sizeof *cx);
            ry->in = plan->h;
            cx->in = plan->w;
            ry->out = cx->out = nb;
            ry->step = cx->step = 1;
            ry->start = ry->first = rs;
            ry->count = rc;
            cx->start = cx->first = cs;
            cx->count = cc;
            size_t n = band_span(ry, 0, nb);
            nrows = n > nrows ? n : nrows;
        }
        size_t max_bins = 0;
        for (int l = 0; l < plan->level_count; l++)
            max_bins = (size_t)plan->levels[l] > max_bins ? (size_t)plan->levels[l] : max_bins;
        kp->cols.out = max_bins; /* band_scratch sizes by cols.out */
        if (!band_scratch(kp, false, nrows, &kp->scratch))
            return pv_error_set(err, PV_ERR_LIMIT, "plan", "the input is too large");
        kp->cols.out = 0;
        st->items = kp->planes;
        return PV_OK;
    }

    /* windowed ops, adaptive, global, fractional */
    const size_t oh = plan->rows.out, ow = plan->cols.out;
    kp->oh = oh;
    kp->ow = ow;
    st->axis_store = alloc_array(2 * (oh + ow), sizeof(long));
    if (st->axis_store == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the kernels");
    axis_fill(&kp->rows, plan->h, oh, plan->rows.step, plan->rows.start, plan->rows.count,
              st->axis_store);
    axis_fill(&kp->cols, plan->w, ow, plan->cols.step, plan->cols.start, plan->cols.count,
              st->axis_store + 2 * oh);
    const bool torch_fractional = plan->plane_row_start != NULL;
    if (pool_op_is_windowed(op) && !prm->global && prm->adaptive_h == 0) {
        axis_regular(&kp->rows, &plan->rows, prm->kernel_h);
        axis_regular(&kp->cols, &plan->cols, prm->kernel_w);
    }
    if (torch_fractional) {
        kp->kernel_taps = alloc_array(oh + ow, sizeof(long));
        if (kp->kernel_taps == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the kernels");
        for (size_t i = 0; i < oh + ow; i++)
            kp->kernel_taps[i] = i < oh ? plan->rows.count[0] : plan->cols.count[0];
    }

    kp->divisor = 1;
    if (pool_op_uses(op, OP_USES_DIVISOR))
        kp->divisor = prm->divisor != 0 ? (double)prm->divisor : 0;
    kp->kernel = pool_op_info_of(op)->kernel;
    if (kp->kernel == OP_KERNEL_SOFTMAX || kp->kernel == OP_KERNEL_LOGSUMEXP ||
        kp->kernel == OP_KERNEL_MIDDLE || kp->kernel == OP_KERNEL_MAXAVG)
        return window_init(st, threads, err);
    kp->p = op == POOL_L2 ? 2 : prm->p;
    kp->load = KL_ID;
    kp->finish = op == POOL_AVG ? KF_AVG : KF_SUM;
    if (op == POOL_L2 || op == POOL_LP || op == POOL_POWER) {
        kp->finish = KF_ROOT;
        kp->load = kp->p == 1 ? KL_ABS : kp->p == 2 ? KL_SQUARE : kp->p == 3 ? KL_CUBE : KL_POW;
    }
    st->sums = op == POOL_AVG || op == POOL_SUM || op == POOL_L2 || op == POOL_LP ||
               op == POOL_POWER;
    if (st->sums) {
        pv_status status = divisors_init(kp, err);
        if (status != PV_OK)
            return status;
    }

    const bool whole_plane = oh == 1 && ow == 1 && kp->rows.count[0] == (long)plan->h &&
                             kp->cols.count[0] == (long)plan->w && kp->rows.step == 1 &&
                             kp->cols.step == 1;
    if (whole_plane && !torch_fractional) {
        st->kind = KK_GLOBAL;
        /* enough planes per item that scheduling costs nothing */
        size_t hw = plan->h * plan->w;
        size_t per = SERIAL_ELEMENTS / (hw ? hw : 1);
        if (per < 1)
            per = 1;
        if (per * (size_t)threads * 4 > kp->planes)
            per = kp->planes / ((size_t)threads * 4);
        if (per < 1)
            per = 1;
        st->planes_per_item = per;
        st->items = (kp->planes + per - 1) / per;
        kp->scratch = KERNELS_CHUNK * sizeof(double) + 64;
        return PV_OK;
    }
    st->kind = KK_BAND;
    const kern_axis *ry = &kp->rows, *cx = &kp->cols;
    kp->fused_s2 = ry->regular && cx->regular && ry->stride == 2 && cx->stride == 2 &&
                   ry->step == 1 && cx->step == 1 && ry->taps >= 2 && ry->taps <= 3 &&
                   cx->taps >= 2 && cx->taps <= 3 && ry->pad <= 1 && cx->pad <= 1 &&
                   !(st->sums && kp->load == KL_POW) && op != POOL_FRACTIONAL;
    kp->stream = plan->out_count * tensor_dtype_size(plan->dtype) >= STREAM_BYTES;
    kp->bins_values = !ry->regular && !cx->regular && ry->step == 1 && cx->step == 1 &&
                      !torch_fractional && !(pool_op_is_windowed(op) && !prm->global &&
                                             prm->adaptive_h == 0);
    for (size_t i = 0; i < oh && kp->bins_values; i++)
        kp->bins_values = kp->rows.count[i] > 0;
    for (size_t j = 0; j < ow && kp->bins_values; j++)
        kp->bins_values = kp->cols.count[j] > 0;
    kp->cols.method = column_method(&kp->cols, st->sums);
    kp->rows.method = row_method(&kp->rows);
    return plan_bands(st, threads, torch_fractional, err);
}

/* ---- one work item ---------------------------------------------------------- */

typedef struct kern_job {
    kern_state *st;
    const kern_impl *impl;
    const tensor *input;
    tensor *output;
    int64_t *idx;
    size_t es;              /* element size */
    size_t sample;          /* bilinear: the sample being computed */
    double *gram;           /* bilinear: its C x C matrix */
} kern_job;

/* Item `item` of a banded plan: its plane's band of output rows. */
static kern_band_args band_of(const kern_job *job, size_t item, void *scratch)
{
    const kern_plan *kp = &job->st->kp;
    const size_t plane = item / kp->bands, band = item % kp->bands;
    const size_t plane_in = kp->h * kp->w, plane_out = kp->oh * kp->ow;
    kern_band_args a = {kp,
                        &kp->rows,
                        &kp->cols,
                        (const char *)job->input->data + plane * plane_in * job->es,
                        (char *)job->output->data + plane * plane_out * job->es,
                        job->idx ? job->idx + plane * plane_out : NULL,
                        band * kp->band_rows,
                        0,
                        scratch};
    a.oy1 = a.oy0 + kp->band_rows < kp->oh ? a.oy0 + kp->band_rows : kp->oh;
    return a;
}

static pv_status run_item(const kern_job *job, size_t item, void *scratch, pv_error *err)
{
    (void)err; /* no kernel fails on values today; the reference path does */
    kern_state *st = job->st;
    const kern_plan *kp = &st->kp;
    const pool_plan *plan = kp->plan;
    const char *in = job->input->data;
    char *out = job->output->data;
    const size_t es = job->es, hw = kp->h * kp->w;

    switch (st->kind) {
    case KK_BAND: {
        const size_t plane = item / kp->bands;
        kern_band_args a = band_of(job, item, scratch);
        kern_axis rows, cols;
        if (plan->plane_row_start != NULL) {
            /* torch fractional: this plane's windows, all inside the input */
            rows = kp->rows;
            cols = kp->cols;
            rows.start = rows.first = plan->plane_row_start + plane * kp->oh;
            cols.start = cols.first = plan->plane_col_start + plane * kp->ow;
            rows.count = kp->kernel_taps;
            cols.count = kp->kernel_taps + kp->oh;
            a.rows = &rows;
            a.cols = &cols;
        }
        if (st->sums)
            job->impl->sum_band(&a);
        else
            job->impl->max_band(&a);
        return PV_OK;
    }
    case KK_GLOBAL: {
        size_t p0 = item * st->planes_per_item, p1 = p0 + st->planes_per_item;
        if (p1 > kp->planes)
            p1 = kp->planes;
        if (st->sums)
            job->impl->global_sum(kp, in, out, p0, p1, scratch);
        else
            job->impl->global_max(kp, in, out, job->idx, p0, p1, scratch);
        return PV_OK;
    }
    case KK_SPP: {
        const size_t plane = item, n = plane / plan->c, c = plane % plan->c;
        for (int l = 0; l < plan->level_count; l++) {
            const size_t nb = (size_t)plan->levels[l];
            const size_t at = n * plan->spp_per_sample + plan->level_offset[l] + c * nb * nb;
            kern_band_args a = {kp, &kp->level_rows[l], &kp->level_cols[l], in + plane * hw * es,
                                out + at * es, job->idx ? job->idx + at : NULL, 0, nb, scratch};
            job->impl->max_band(&a);
        }
        return PV_OK;
    }
    case KK_BILINEAR:
        job->impl->gram_rows(kp, in, job->sample, item, item + 1, job->gram);
        return PV_OK;
    case KK_WINDOW: {
        const kern_band_args a = band_of(job, item, scratch);
        job->impl->window_band(&a);
        return PV_OK;
    }
    }
    return PV_OK;
}

/* Run items [0, n) on `threads` threads, thread t with scratch[t].  On
 * failure the error of the lowest failing item is reported, whatever the
 * thread count. */
static pv_status run_items(const kern_job *job, size_t n, int threads, void **scratch,
                           pv_error *err)
{
    if (threads <= 1 || n <= 1) {
        for (size_t it = 0; it < n; it++) {
            if (pool_cancel_requested)
                return pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted",
                                    "stopped by the user");
            pv_status st = run_item(job, it, scratch[0], err);
            if (st != PV_OK)
                return st;
        }
        return PV_OK;
    }
    size_t stop = n;
    pv_error first;
    pv_error_clear(&first);
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
    {
        void *mine = scratch[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
        for (size_t it = 0; it < n; it++) {
            size_t limit;
#pragma omp atomic read
            limit = stop;
            if (it >= limit)
                continue;
            pv_error e;
            pv_status status;
            if (pool_cancel_requested)
                status = pv_error_set(&e, PV_ERR_INTERRUPTED, "interrupted",
                                      "stopped by the user");
            else
                status = run_item(job, it, mine, &e);
            if (status != PV_OK) {
#pragma omp critical(poolviz_kernels_error)
                if (it < stop) {
                    first = e;
#pragma omp atomic write
                    stop = it;
                }
            }
        }
    }
#else
    for (size_t it = 0; it < n && stop == n; it++) {
        pv_status status = pool_cancel_requested
                               ? pv_error_set(&first, PV_ERR_INTERRUPTED, "interrupted",
                                              "stopped by the user")
                               : run_item(job, it, scratch[0], &first);
        if (status != PV_OK)
            stop = it;
    }
#endif
    if (stop < n) {
        if (err != NULL)
            *err = first;
        return first.status;
    }
    return PV_OK;
}

static int default_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Bilinear: per sample, the Gram matrix on all threads, then the scaling,
 * signed square root and normalisation in double. */
static pv_status forward_bilinear(kern_job *job, int threads, void **scratch, pv_error *err)
{
    const kern_plan *kp = &job->st->kp;
    const pool_plan *plan = kp->plan;
    const size_t C = plan->c, hw = plan->h * plan->w;
    size_t cc;
    if (!pv_mul_size(C, C, &cc) || !pv_mul_size(cc, sizeof(double), &cc))
        return pv_error_set(err, PV_ERR_LIMIT, "plan", "the output is too large");
    double *gram = pv_malloc(cc);
    if (gram == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the Gram matrix");
    pv_status status = PV_OK;
    for (size_t n = 0; n < plan->n && status == PV_OK; n++) {
        job->sample = n;
        job->gram = gram;
        status = run_items(job, C, threads, scratch, err);
        if (status != PV_OK)
            break;
        double norm2 = 0;
        for (size_t k = 0; k < C * C; k++) {
            double v = gram[k] / (double)hw;
            if (plan->params.signed_sqrt)
                v = v < 0 ? -sqrt(-v) : sqrt(v);
            gram[k] = v;
            norm2 += v * v;
        }
        const double norm = sqrt(norm2);
        for (size_t k = 0; k < C * C; k++) {
            double v = gram[k];
            if (plan->params.l2_normalize)
                v = norm > 0 ? v / norm : 0;
            tensor_set(job->output, n * C * C + k, v);
        }
    }
    pv_free(gram);
    return status;
}

void kernels_describe(const pool_plan *plan, char *buf, size_t size)
{
    static const char *const kinds[] = {"band", "global", "spp", "bilinear", "window"};
    static const char *const methods[] = {"direct", "doubling", "vanherk"};
    if (!kernels_supported(plan)) {
        snprintf(buf, size, "reference");
        return;
    }
    if (kernels_blur_supported(plan)) {
        kernels_blur_describe(plan, buf, size);
        return;
    }
    kern_state st;
    if (state_init(&st, plan, 1, false, NULL) != PV_OK) {
        state_release(&st);
        snprintf(buf, size, "reference");
        return;
    }
    if (st.kind == KK_BAND)
        snprintf(buf, size, "%s band rows=%s cols=%s%s", kernels_base_isa(),
                 methods[st.kp.rows.method], methods[st.kp.cols.method],
                 st.kp.fused_s2     ? " stride-2-fused"
                 : st.kp.bins_values ? " bins"
                                     : "");
    else if (st.kind == KK_WINDOW)
        snprintf(buf, size, "%s window%s",
                 (st.kp.kernel == OP_KERNEL_SOFTMAX || st.kp.kernel == OP_KERNEL_LOGSUMEXP) &&
                         st.kp.fused_s2 && plan->dtype == TENSOR_F32
                     ? kernels_isa()
                     : kernels_base_isa(),
                 st.kp.fused_s2 ? " stride-2-fused" : st.kp.window3x3 ? " 3x3" : "");
    else
        snprintf(buf, size, "%s %s", kernels_base_isa(), kinds[st.kind]);
    state_release(&st);
}

pv_status kernels_forward(const pool_plan *plan, const tensor *input, tensor *out,
                          int64_t *idx, int threads, pv_error *err)
{
    if (threads <= 0)
        threads = default_threads();
    size_t work = input->count;
    if (plan->params.op == POOL_BILINEAR)
        work = plan->n * plan->c * plan->c * (plan->h * plan->w) / 2;
    if (work < SERIAL_ELEMENTS)
        threads = 1;
    if (kernels_blur_supported(plan))
        return kernels_blur_forward(plan, input, out, threads, err);

    kern_state st;
    pv_status status = state_init(&st, plan, threads, idx != NULL, err);
    if (status != PV_OK) {
        state_release(&st);
        return status;
    }
    if ((size_t)threads > st.items)
        threads = st.items > 0 ? (int)st.items : 1;
    if (threads > KERNELS_MAX_THREADS)
        threads = KERNELS_MAX_THREADS;

    const kern_impl *impl = &impl_table()[plan->dtype == TENSOR_F32 ? 0 : 1];
    kern_job job = {&st, impl, input, out, idx, tensor_dtype_size(plan->dtype), 0, NULL};
    /* one block per thread (an overrun stays visible to the sanitizers) */
    void *scratch[KERNELS_MAX_THREADS] = {NULL};
    for (int t = 0; t < threads && status == PV_OK; t++)
        if (st.kp.scratch > 0 && (scratch[t] = pv_aligned_alloc(st.kp.scratch)) == NULL)
            status = pv_error_set(err, PV_ERR_NOMEM, "memory",
                                  "cannot allocate the kernels' scratch");
    if (status == PV_OK && st.kind == KK_BILINEAR)
        status = forward_bilinear(&job, threads, scratch, err);
    else if (status == PV_OK)
        status = run_items(&job, st.items, threads, scratch, err);
    for (int t = 0; t < threads; t++)
        pv_aligned_free(scratch[t]);
    state_release(&st);
    return status;
}
