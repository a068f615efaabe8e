/* kernels-blur-body.h - one plane of the two-stage kernel for one element
 * type and instruction set, included by kernels-blur.c with BLUR_TYPE
 * (float or double), BLUR_NAME(x) (x with a type and ISA suffix) and
 * BLUR_FN (the functions' attributes). */

/* The larger of b and v, a NaN winning (the reference's rule); and the
 * larger where neither is NaN (one instruction), for planes without NaN. */
#define BLUR_MAX(b, v) ((v) > (b) || (v) != (v) ? (v) : (b))
#define BLUR_MAX_PLAIN(b, v) ((v) > (b) ? (v) : (b))


/* Row maxima: hm[j] = max over the window's columns of x[...] (-inf where
 * no tap falls inside the row).  Without `exact` the max ignores a NaN
 * except in the window's first tap (see blur_plane). */
BLUR_FN void BLUR_NAME(row_max)(const pool_axis *ca, const BLUR_TYPE *x, long w,
                                BLUR_TYPE *hm, bool exact, const BLUR_TYPE *end)
{
    const long mw = ca->stage_len, step = ca->stage_step, taps = ca->stage_kernel;
    const long pad = ca->pad_before;
    /* columns j whose taps all lie inside: [j0, j1) */
    long j0 = pad < mw ? pad : mw, j1 = w - (taps - 1) * step + pad;
    j1 = j1 > j0 ? (j1 < mw ? j1 : mw) : j0;
    for (long j = 0; j < j0; j++) {
        BLUR_TYPE best = -INFINITY;
        for (long t = 0; t < taps; t++) {
            long c = j - pad + t * step;
            if (c >= 0 && c < w)
                best = BLUR_MAX(best, x[c]);
        }
        hm[j] = best;
    }
    const long n = j1 - j0;
    const BLUR_TYPE *src = x + (n > 0 ? j0 - pad : 0);
    BLUR_TYPE *dst = hm + j0;
    if (n <= 0) {
        /* no window lies wholly inside the row */
    } else if (taps == 2 && !exact) {
        const BLUR_TYPE *s1 = src + step;
        /* whole vectors, reading into the next row where the input goes on
         * (the lanes past the row land in hm's spare lanes or are
         * overwritten below) */
        const long whole = (n + 7) / 8 * 8;
        const long count = s1 + whole <= end ? whole : n;
#pragma omp simd
        for (long k = 0; k < count; k++)
            dst[k] = BLUR_MAX_PLAIN(src[k], s1[k]);
    } else {
#pragma omp simd
        for (long k = 0; k < n; k++)
            dst[k] = src[k];
        for (long t = 1; t < taps; t++) {
            const BLUR_TYPE *s = src + t * step;
            if (exact) {
#pragma omp simd
                for (long k = 0; k < n; k++)
                    dst[k] = BLUR_MAX(dst[k], s[k]);
            } else {
#pragma omp simd
                for (long k = 0; k < n; k++)
                    dst[k] = BLUR_MAX_PLAIN(dst[k], s[k]);
            }
        }
    }
    for (long j = j1; j < mw; j++) {
        BLUR_TYPE best = -INFINITY;
        for (long t = 0; t < taps; t++) {
            long c = j - pad + t * step;
            if (c >= 0 && c < w)
                best = BLUR_MAX(best, x[c]);
        }
        hm[j] = best;
    }
}

/* The plane's rings of rows: the row maxima of the last `span` input rows
 * (a window's height, at most the input's), the last BLUR_RING first-stage
 * rows. */
typedef struct BLUR_NAME(rings) {
    const pool_plan *plan;
    const BLUR_TYPE *x;
    BLUR_TYPE *hm, *m;
    long span;              /* input rows one window spans */
    long hm_next, m_next;   /* the next row of each to compute */
    size_t stride;          /* elements from one scratch row to the next (a
                               multiple of 16, the lanes past M_w unused) */
    bool exact;             /* the exact max (see blur_plane) */
    const BLUR_TYPE *end;   /* the end of the input tensor */
} BLUR_NAME(rings);

/* First-stage row i (rows are asked for in increasing order, reflected
 * ones included, within BLUR_RING of the last one computed). */
BLUR_FN const BLUR_TYPE *BLUR_NAME(stage_row)(BLUR_NAME(rings) *g, long i)
{
    const pool_plan *plan = g->plan;
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    const long mw = ca->stage_len, h = (long)plan->h, w = (long)plan->w;
    for (; g->m_next <= i; g->m_next++) {
        const long mi = g->m_next, r0 = mi - ra->pad_before;
        /* the row maxima this row reads */
        long need = r0 + (ra->stage_kernel - 1) * ra->stage_step;
        if (need >= h)
            need = h - 1;
        for (; g->hm_next <= need; g->hm_next++)
            BLUR_NAME(row_max)(ca, g->x + (size_t)g->hm_next * (size_t)w, w,
                               g->hm + (size_t)(g->hm_next % g->span) * g->stride, g->exact,
                               g->end);
        BLUR_TYPE *out = g->m + (size_t)(mi % BLUR_RING) * g->stride;
        const BLUR_TYPE *first = NULL;
        const long n = (long)g->stride;
        for (long u = 0; u < ra->stage_kernel; u++) {
            const long r = r0 + u * ra->stage_step;
            if (r < 0 || r >= h)
                continue;
            const BLUR_TYPE *src = g->hm + (size_t)(r % g->span) * g->stride;
            if (first == NULL) {
                first = src;
                continue;
            }
            if (g->exact) {
#pragma omp simd
                for (long j = 0; j < n; j++)
                    out[j] = BLUR_MAX(first[j], src[j]);
            } else {
#pragma omp simd
                for (long j = 0; j < n; j++)
                    out[j] = BLUR_MAX_PLAIN(first[j], src[j]);
            }
            first = out;
        }
        if (first == NULL)
            for (long j = 0; j < mw; j++)
                out[j] = -INFINITY;
        else if (first != out)
            memcpy(out, first, (size_t)mw * sizeof *out);
    }
    return g->m + (size_t)(i % BLUR_RING) * g->stride;
}

/* The plane, with the exact max or the plain one. */
BLUR_FN void BLUR_NAME(blur_pass)(const pool_plan *plan, const BLUR_TYPE *x, BLUR_TYPE *y,
                                  void *scratch, bool exact, const BLUR_TYPE *end)
{
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    const long mh = ra->stage_len, mw = ca->stage_len;
    const long span = kernels_blur_ring(plan);
    const size_t stride = kernels_blur_stride(plan);
    BLUR_NAME(rings) g = {plan, x, scratch, NULL, span, 0, 0, stride, exact, end};
    g.m = g.hm + (size_t)span * stride;
    BLUR_TYPE *v = g.m + (size_t)BLUR_RING * stride;
    const long vn = (long)stride;

    const int f = (int)ra->filter;
    double wd[POOL_FILTER_MAX];
    pool_filter_weights(f, wd);
    BLUR_TYPE wt[POOL_FILTER_MAX];
    for (int t = 0; t < f; t++)
        wt[t] = (BLUR_TYPE)wd[t];
    const size_t oh = ra->out, ow = ca->out;
    const long sx = ca->stride, bx = ca->filter_before;
    /* outputs ox whose taps need no reflection: [x0, x1) */
    size_t x0 = (size_t)((bx + sx - 1) / sx), x1 = 0;
    if (mw - f + bx >= 0)
        x1 = (size_t)((mw - f + bx) / sx + 1);
    x1 = x1 < ow ? x1 : ow;
    x0 = x0 < x1 ? x0 : x1;
    for (size_t oy = 0; oy < oh; oy++) {
        const long top = (long)oy * ra->stride - ra->filter_before;
        long last = top + f - 1 < mh ? top + f - 1 : mh - 1;
        BLUR_NAME(stage_row)(&g, last);
        const BLUR_TYPE *rows[POOL_FILTER_MAX] = {NULL};
        for (int t = 0; t < f; t++)
            rows[t] = BLUR_NAME(stage_row)(&g, pool_plan_reflect(top + t, mh));
        /* down the columns */
        if (f == 3) {
            const BLUR_TYPE *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
            const BLUR_TYPE w0 = wt[0], w1 = wt[1], w2 = wt[2];
#pragma omp simd
            for (long j = 0; j < vn; j++)
                v[j] = w0 * r0[j] + w1 * r1[j] + w2 * r2[j];
        } else {
            const BLUR_TYPE *r0 = rows[0], w0 = wt[0];
#pragma omp simd
            for (long j = 0; j < vn; j++)
                v[j] = w0 * r0[j];
            for (int t = 1; t < f; t++) {
                const BLUR_TYPE *rt = rows[t], wk = wt[t];
#pragma omp simd
                for (long j = 0; j < vn; j++)
                    v[j] += wk * rt[j];
            }
        }
        /* along the row, at the stride */
        BLUR_TYPE *yo = y + oy * ow;
        for (size_t ox = 0; ox < x0; ox++) {
            const long left = (long)ox * sx - bx;
            BLUR_TYPE sum = wt[0] * v[pool_plan_reflect(left, mw)];
            for (int t = 1; t < f; t++)
                sum += wt[t] * v[pool_plan_reflect(left + t, mw)];
            yo[ox] = sum;
        }
        if (f == 3 && sx == 2) {
            const BLUR_TYPE w0 = wt[0], w1 = wt[1], w2 = wt[2];
            const BLUR_TYPE *src = v - bx;
#pragma omp simd
            for (size_t o = x0; o < x1; o++)
                yo[o] = w0 * src[2 * o] + w1 * src[2 * o + 1] + w2 * src[2 * o + 2];
        } else {
            for (size_t o = x0; o < x1; o++) {
                const BLUR_TYPE *src = v + (long)o * sx - bx;
                BLUR_TYPE sum = wt[0] * src[0];
                for (int t = 1; t < f; t++)
                    sum += wt[t] * src[t];
                yo[o] = sum;
            }
        }
        for (size_t ox = x1 > x0 ? x1 : x0; ox < ow; ox++) {
            const long left = (long)ox * sx - bx;
            BLUR_TYPE sum = wt[0] * v[pool_plan_reflect(left, mw)];
            for (int t = 1; t < f; t++)
                sum += wt[t] * v[pool_plan_reflect(left + t, mw)];
            yo[ox] = sum;
        }
    }
}

/* A NaN among count values a stride apart? */
BLUR_FN bool BLUR_NAME(any_nan)(const BLUR_TYPE *v, size_t count, size_t stride)
{
    int any = 0;
    if (stride == 1) {
#pragma omp simd reduction(| : any)
        for (size_t i = 0; i < count; i++)
            any |= v[i] != v[i];
    } else {
        for (size_t i = 0; i < count; i++)
            any |= v[i * stride] != v[i * stride];
    }
    return any != 0;
}

/* The plain max (one instruction) keeps a NaN only in a window's first
 * tap, so a NaN of x at (r, c) still reaches the first-stage value
 * m[r + pad][c + pad] of the window it starts.  Where the filter is at
 * least as long as the stride, it reads every first-stage row from 0 to
 * the last it reaches (and the same for columns), so that NaN reaches the
 * output whenever that value is read.  A plain pass therefore stands when
 * the output holds no NaN and no cell starts a window past the last value
 * read (or none at all); else the plane must be done again exactly. */
BLUR_FN long BLUR_NAME(first_unread)(const pool_axis *a)
{
    long last = ((long)a->out - 1) * a->stride - a->filter_before + a->filter - 1;
    last = last < a->stage_len - 1 ? last : a->stage_len - 1;
    const long r = last + 1 - a->pad_before; /* input cells from here start no window read */
    return r < 0 ? 0 : r;
}

BLUR_FN bool BLUR_NAME(unread_nan)(const pool_plan *plan, const BLUR_TYPE *x)
{
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    const size_t h = plan->h, w = plan->w;
    bool nan = false;
    for (long r = BLUR_NAME(first_unread)(ra); !nan && r < (long)h; r++)
        nan = BLUR_NAME(any_nan)(x + (size_t)r * w, w, 1);
    for (long c = BLUR_NAME(first_unread)(ca); !nan && c < (long)w; c++)
        nan = BLUR_NAME(any_nan)(x + c, h, w);
    return nan;
}

BLUR_FN bool BLUR_NAME(needs_exact)(const pool_plan *plan, const BLUR_TYPE *x,
                                    const BLUR_TYPE *y)
{
    return BLUR_NAME(any_nan)(y, plan->rows.out * plan->cols.out, 1) ||
           BLUR_NAME(unread_nan)(plan, x);
}

/* One plane: the plain pass where it can stand (needs_exact), else the
 * exact one. */
BLUR_FN void BLUR_NAME(blur_plane)(const pool_plan *plan, const BLUR_TYPE *x, BLUR_TYPE *y,
                                   void *scratch, const BLUR_TYPE *end)
{
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    const bool plain = ra->filter >= ra->stride && ca->filter >= ca->stride;
    BLUR_NAME(blur_pass)(plan, x, y, scratch, !plain, end);
    if (plain && BLUR_NAME(needs_exact)(plan, x, y))
        BLUR_NAME(blur_pass)(plan, x, y, scratch, true, end);
}

#undef BLUR_MAX
#undef BLUR_MAX_PLAIN
