/* kernels-backward.c - the fast backward kernels (see kernels-backward.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernels-backward.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "alloc.h"
#include "forward.h"
#include "kernels.h"

#if defined(KERNELS_HAVE_AVX2)
#include <immintrin.h>
#endif

/* dx larger than this is stored around the caches in the fused passes. */
#define STREAM_BYTES ((size_t)8 << 20)
/* Inputs smaller than this run on one thread. */
#define SERIAL_ELEMENTS ((size_t)1 << 16)

static bool is_extreme(pool_op op)
{
    return op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL;
}

/* Windows of 2x2 at stride 2, no padding, no dilation: they tile the input
 * (a last odd row or column is in no window). */
static bool tiles_2x2(const pool_plan *plan)
{
    const pool_params *prm = &plan->params;
    if (prm->op != POOL_MAX && prm->op != POOL_MIN && prm->op != POOL_AVG)
        return false;
    if (prm->global || prm->adaptive_h != 0)
        return false;
    const pool_axis *ax[2] = {&plan->rows, &plan->cols};
    for (int a = 0; a < 2; a++) {
        if (ax[a]->step != 1 || ax[a]->stride != 2 || ax[a]->pad_before != 0 ||
            2 * ax[a]->out > ax[a]->in)
            return false;
        for (size_t j = 0; j < ax[a]->out; j++)
            if (ax[a]->start[j] != 2 * (long)j || ax[a]->count[j] != 2)
                return false;
    }
    return true;
}

/* Windows of 3 at stride 2 on both axes, no dilation, padding 0 or 1 (the
 * ResNet stem's 3x3/2 pad 1): max or min. */
static bool windows_3s2(const pool_plan *plan)
{
    const pool_params *prm = &plan->params;
    if ((prm->op != POOL_MAX && prm->op != POOL_MIN) || prm->global || prm->adaptive_h != 0)
        return false;
    const pool_axis *ax[2] = {&plan->rows, &plan->cols};
    for (int a = 0; a < 2; a++) {
        if (ax[a]->step != 1 || ax[a]->stride != 2 || ax[a]->pad_before > 1)
            return false;
        for (size_t j = 0; j < ax[a]->out; j++)
            if (ax[a]->count[j] != 3 || ax[a]->start[j] != 2 * (long)j - ax[a]->pad_before)
                return false;
    }
    return true;
}

bool kernels_backward_supported(const pool_plan *plan)
{
    const pool_op op = plan->params.op;
    if (plan->h * plan->w > (size_t)INT32_MAX)
        return false;
    if (op == POOL_FRACTIONAL)
        return true;
    return op == POOL_MAX || op == POOL_MIN || op == POOL_AVG;
}

#if defined(KERNELS_HAVE_AVX2)
static bool have_avx2(void)
{
    static int known = -1;
    if (known < 0) {
        const char *env = getenv("POOLVIZ_KERNELS");
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && !(env != NULL && strcmp(env, "portable") == 0);
    }
    return known == 1;
}
#endif

void kernels_backward_describe(const pool_plan *plan, bool with_indices, char *buf,
                               size_t size)
{
    const char *isa = "portable";
#if defined(KERNELS_HAVE_AVX2)
    if (have_avx2() && plan->dtype == TENSOR_F32)
        isa = "avx2";
#endif
    const bool saved = with_indices && is_extreme(plan->params.op);
    if (!kernels_backward_supported(plan))
        snprintf(buf, size, "reference backward");
    else if (tiles_2x2(plan))
        snprintf(buf, size, "%s fused %s 2x2/2%s", isa, pool_op_name(plan->params.op),
                 saved ? " from saved indices" : "");
    else if (windows_3s2(plan) && !saved)
        snprintf(buf, size, "%s fused %s 3x3/2", isa, pool_op_name(plan->params.op));
    else if (plan->params.op == POOL_AVG)
        snprintf(buf, size, "portable avg spread");
    else
        snprintf(buf, size, "%s indices scattered into rows zeroed on the way",
                 saved ? "saved" : "forward");
}

/* ---- fused 2x2/2 ------------------------------------------------------------- */

/* One row pair of a tiled plane: dy row g (ow values), input rows a0, a1,
 * dx rows d0, d1; sign 1 max, -1 min, 0 avg with 1/divisor = scale. */
#define FUSED_ROW_SCALAR(T)                                                              \
    static void fused_row_##T(const T *a0, const T *a1, const T *g, T *d0, T *d1,        \
                              size_t j0, size_t ow, int sign, double divisor)            \
    {                                                                                    \
        for (size_t j = j0; j < ow; j++) {                                               \
            const size_t c = 2 * j;                                                      \
            if (sign == 0) {                                                             \
                T v = (T)((double)g[j] / divisor);                                       \
                d0[c] = d0[c + 1] = d1[c] = d1[c + 1] = v;                               \
                continue;                                                                \
            }                                                                            \
            T v[4] = {a0[c], a0[c + 1], a1[c], a1[c + 1]};                               \
            T best = v[0];                                                               \
            int k = 0;                                                                   \
            for (int t = 1; t < 4; t++)                                                  \
                if ((sign > 0 ? v[t] > best : v[t] < best) || v[t] != v[t]) {            \
                    best = v[t];                                                         \
                    k = t;                                                               \
                }                                                                        \
            d0[c] = k == 0 ? g[j] : 0;                                                   \
            d0[c + 1] = k == 1 ? g[j] : 0;                                               \
            d1[c] = k == 2 ? g[j] : 0;                                                   \
            d1[c + 1] = k == 3 ? g[j] : 0;                                               \
        }                                                                                \
    }
FUSED_ROW_SCALAR(float)
FUSED_ROW_SCALAR(double)

/* The same row pair from the forward's indices: window j's winner is at
 * plane index ix[j], which lies at offset 0, 1, W or W + 1 from the window's
 * first cell base + 2j. */
#define INDEXED_ROW_SCALAR(T)                                                            \
    static void indexed_row_##T(const int64_t *ix, const T *g, T *d0, T *d1, int64_t base, \
                                int64_t W, size_t j0, size_t ow)                         \
    {                                                                                    \
        for (size_t j = j0; j < ow; j++) {                                               \
            const size_t c = 2 * j;                                                      \
            const int64_t k = ix[j] - (base + (int64_t)c);                               \
            d0[c] = k == 0 ? g[j] : 0;                                                   \
            d0[c + 1] = k == 1 ? g[j] : 0;                                               \
            d1[c] = k == W ? g[j] : 0;                                                   \
            d1[c + 1] = k == W + 1 ? g[j] : 0;                                           \
        }                                                                                \
    }
INDEXED_ROW_SCALAR(float)
INDEXED_ROW_SCALAR(double)

#if defined(KERNELS_HAVE_AVX2)
/* A step's 16 cells of each row of the pair: streamed past the caches when
 * dx is large (stream), else stored. */
__attribute__((target("avx2"))) static inline void store_step(float *d0, float *d1,
                                                              __m256 out00, __m256 out01,
                                                              __m256 out10, __m256 out11,
                                                              bool stream)
{
    if (stream) {
        _mm256_stream_ps(d0, out00);
        _mm256_stream_ps(d0 + 8, out01);
        _mm256_stream_ps(d1, out10);
        _mm256_stream_ps(d1 + 8, out11);
    } else {
        _mm256_storeu_ps(d0, out00);
        _mm256_storeu_ps(d0 + 8, out01);
        _mm256_storeu_ps(d1, out10);
        _mm256_storeu_ps(d1 + 8, out11);
    }
}

/* Where x takes over from best: greater (sign > 0) or smaller, or NaN. */
__attribute__((target("avx2"))) static inline __m256 takes_over(__m256 x, __m256 best, int sign)
{
    const __m256 better = sign > 0 ? _mm256_cmp_ps(x, best, _CMP_GT_OQ)
                                   : _mm256_cmp_ps(x, best, _CMP_LT_OQ);
    return _mm256_or_ps(better, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/* Eight windows per step: even and odd columns of both rows, the winner
 * by PyTorch's rule (later taps win on > or NaN), dy masked into place. */
__attribute__((target("avx2"))) static size_t fused_row_avx2(const float *a0, const float *a1,
                                                             const float *g, float *d0,
                                                             float *d1, size_t ow, int sign,
                                                             double divisor, bool stream)
{
    size_t j = 0;
    const __m256 scale = _mm256_set1_ps((float)(1.0 / divisor));
    const bool exact_scale = divisor == 4 || divisor == 2 || divisor == 1;
    for (; j + 8 <= ow; j += 8) {
        const size_t c = 2 * j;
        __m256 gv = _mm256_loadu_ps(g + j);
        __m256 out00, out01, out10, out11;
        if (sign == 0) {
            __m256 v = exact_scale ? _mm256_mul_ps(gv, scale)
                                   : _mm256_div_ps(gv, _mm256_set1_ps((float)divisor));
            const __m256i lo = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
            const __m256i hi = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
            out00 = out10 = _mm256_permutevar8x32_ps(v, lo);
            out01 = out11 = _mm256_permutevar8x32_ps(v, hi);
        } else {
            __m256 r0l = _mm256_loadu_ps(a0 + c), r0h = _mm256_loadu_ps(a0 + c + 8);
            __m256 r1l = _mm256_loadu_ps(a1 + c), r1h = _mm256_loadu_ps(a1 + c + 8);
            /* windows in the order 0 1 4 5 | 2 3 6 7 */
            __m256 e0 = _mm256_shuffle_ps(r0l, r0h, _MM_SHUFFLE(2, 0, 2, 0));
            __m256 o0 = _mm256_shuffle_ps(r0l, r0h, _MM_SHUFFLE(3, 1, 3, 1));
            __m256 e1 = _mm256_shuffle_ps(r1l, r1h, _MM_SHUFFLE(2, 0, 2, 0));
            __m256 o1 = _mm256_shuffle_ps(r1l, r1h, _MM_SHUFFLE(3, 1, 3, 1));
            gv = _mm256_castpd_ps(
                _mm256_permute4x64_pd(_mm256_castps_pd(gv), _MM_SHUFFLE(3, 1, 2, 0)));
            /* taps in row-major order: e0, o0, e1, o1 */
            __m256 best = e0;
            const __m256 m1 = takes_over(o0, best, sign);
            best = _mm256_blendv_ps(best, o0, m1);
            const __m256 m2 = takes_over(e1, best, sign);
            best = _mm256_blendv_ps(best, e1, m2);
            const __m256 m3 = takes_over(o1, best, sign);
            __m256 w3 = m3;
            __m256 w2 = _mm256_andnot_ps(m3, m2);
            __m256 w1 = _mm256_andnot_ps(_mm256_or_ps(m2, m3), m1);
            __m256 w0 = _mm256_andnot_ps(_mm256_or_ps(m1, _mm256_or_ps(m2, m3)), gv);
            __m256 ge0 = w0, go0 = _mm256_and_ps(w1, gv);
            __m256 ge1 = _mm256_and_ps(w2, gv), go1 = _mm256_and_ps(w3, gv);
            out00 = _mm256_unpacklo_ps(ge0, go0);
            out01 = _mm256_unpackhi_ps(ge0, go0);
            out10 = _mm256_unpacklo_ps(ge1, go1);
            out11 = _mm256_unpackhi_ps(ge1, go1);
        }
        store_step(d0 + c, d1 + c, out00, out01, out10, out11, stream);
    }
    return j;
}

/* Eight windows per step from the forward's indices: each index less its
 * window's first cell is the winner's offset (0, 1, W, W + 1); dy goes to
 * the cell whose offset matches, zeros to the others.  Indices fit in 32
 * bits (kernels_backward_supported). */
__attribute__((target("avx2"))) static size_t indexed_row_avx2(const int64_t *ix,
                                                               const float *g, float *d0,
                                                               float *d1, int64_t base,
                                                               int64_t W, size_t ow, bool stream)
{
    const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    const __m256i pairs_lo = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i pairs_hi = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    const __m256i top = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
    const __m256i bottom = _mm256_add_epi32(top, _mm256_set1_epi32((int)W));
    /* the first cells of windows 0 0 1 1 2 2 3 3 of a step, from base */
    const __m256i first = _mm256_setr_epi32(0, 0, 2, 2, 4, 4, 6, 6);
    size_t j = 0;
    for (; j + 8 <= ow; j += 8) {
        const size_t c = 2 * j;
        __m256i lo = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(ix + j)),
                                                 low_halves);
        __m256i hi = _mm256_permutevar8x32_epi32(
            _mm256_loadu_si256((const __m256i *)(ix + j + 4)), low_halves);
        __m256i k = _mm256_sub_epi32(_mm256_permute2x128_si256(lo, hi, 0x20),
                                     _mm256_set1_epi32((int)(base + (int64_t)c)));
        __m256i k_lo = _mm256_sub_epi32(_mm256_permutevar8x32_epi32(k, pairs_lo), first);
        __m256i k_hi = _mm256_sub_epi32(_mm256_permutevar8x32_epi32(k, pairs_hi),
                                        _mm256_add_epi32(first, _mm256_set1_epi32(8)));
        __m256 gv = _mm256_loadu_ps(g + j);
        __m256 g_lo = _mm256_permutevar8x32_ps(gv, pairs_lo);
        __m256 g_hi = _mm256_permutevar8x32_ps(gv, pairs_hi);
        __m256 out00 = _mm256_and_ps(g_lo, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k_lo, top)));
        __m256 out01 = _mm256_and_ps(g_hi, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k_hi, top)));
        __m256 out10 =
            _mm256_and_ps(g_lo, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k_lo, bottom)));
        __m256 out11 =
            _mm256_and_ps(g_hi, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k_hi, bottom)));
        store_step(d0 + c, d1 + c, out00, out01, out10, out11, stream);
    }
    return j;
}

__attribute__((target("avx2"))) static void stream_fence(void)
{
    _mm_sfence();
}
#endif

static double plan_divisor_override(const pool_plan *plan)
{
    return plan->params.divisor != 0 ? (double)plan->params.divisor : 0;
}

static void fused_plane(const pool_plan *plan, const tensor *input, const tensor *dy,
                        const int64_t *indices, tensor *dx, size_t plane, bool stream)
{
    const size_t H = plan->h, W = plan->w, oh = plan->rows.out, ow = plan->cols.out;
    const pool_op op = plan->params.op;
    const int sign = op == POOL_MAX ? 1 : op == POOL_MIN ? -1 : 0;
    const double divisor = plan_divisor_override(plan) != 0 ? plan_divisor_override(plan) : 4;
    const size_t es = tensor_dtype_size(plan->dtype);
    const char *in = (const char *)input->data + plane * H * W * es;
    const char *g = (const char *)dy->data + plane * oh * ow * es;
    const int64_t *ix = sign != 0 && indices != NULL ? indices + plane * oh * ow : NULL;
    char *d = (char *)dx->data + plane * H * W * es;
    for (size_t i = 0; i < oh; i++) {
        const size_t r0 = (2 * i) * W * es, r1 = (2 * i + 1) * W * es, gi = i * ow * es;
        const int64_t base = (int64_t)(2 * i * W);
        if (plan->dtype == TENSOR_F32) {
            size_t j = 0;
#if defined(KERNELS_HAVE_AVX2)
            if (have_avx2() && ix != NULL)
                j = indexed_row_avx2(ix + i * ow, (const float *)(g + gi), (float *)(d + r0),
                                     (float *)(d + r1), base, (int64_t)W, ow, stream);
            else if (have_avx2())
                j = fused_row_avx2((const float *)(in + r0), (const float *)(in + r1),
                                   (const float *)(g + gi), (float *)(d + r0), (float *)(d + r1),
                                   ow, sign, divisor, stream);
#else
            (void)stream;
#endif
            if (ix != NULL)
                indexed_row_float(ix + i * ow, (const float *)(g + gi), (float *)(d + r0),
                                  (float *)(d + r1), base, (int64_t)W, j, ow);
            else
                fused_row_float((const float *)(in + r0), (const float *)(in + r1),
                                (const float *)(g + gi), (float *)(d + r0), (float *)(d + r1), j,
                                ow, sign, divisor);
        } else if (ix != NULL) {
            indexed_row_double(ix + i * ow, (const double *)(g + gi), (double *)(d + r0),
                               (double *)(d + r1), base, (int64_t)W, 0, ow);
        } else {
            fused_row_double((const double *)(in + r0), (const double *)(in + r1),
                             (const double *)(g + gi), (double *)(d + r0), (double *)(d + r1), 0,
                             ow, sign, divisor);
        }
        /* a last odd column is in no window */
        for (size_t c = 2 * ow; c < W; c++) {
            memset(d + r0 + c * es, 0, es);
            memset(d + r1 + c * es, 0, es);
        }
    }
    /* a last odd row too */
    if (2 * oh < H)
        memset(d + 2 * oh * W * es, 0, (H - 2 * oh) * W * es);
}

/* ---- 3x3/2: the winner of each window, dy added there ------------------------------ */

/* The plane index of the winner of the 3x3 window at (r0, c0), clipped to
 * the plane: PyTorch's rule, the first extreme in row-major order, the last
 * NaN. */
#define WINNER_3X3(T)                                                                    \
    static long winner_3x3_##T(const T *in, long H, long W, long r0, long c0, int sign)  \
    {                                                                                    \
        const long rlo = r0 < 0 ? 0 : r0, rhi = r0 + 2 < H ? r0 + 2 : H - 1;             \
        const long clo = c0 < 0 ? 0 : c0, chi = c0 + 2 < W ? c0 + 2 : W - 1;             \
        long index = -1;                                                                 \
        T best = 0;                                                                      \
        for (long r = rlo; r <= rhi; r++)                                                \
            for (long c = clo; c <= chi; c++) {                                          \
                T v = in[r * W + c];                                                     \
                if (index < 0 || (sign > 0 ? v > best : v < best) || v != v) {           \
                    best = v;                                                            \
                    index = r * W + c;                                                   \
                }                                                                        \
            }                                                                            \
        return index;                                                                    \
    }
WINNER_3X3(float)
WINNER_3X3(double)

static void add_at(tensor *dx, size_t at, const tensor *dy, size_t o)
{
    if (dx->dtype == TENSOR_F32)
        ((float *)dx->data)[at] += ((const float *)dy->data)[o];
    else
        ((double *)dx->data)[at] += ((const double *)dy->data)[o];
}

#if defined(KERNELS_HAVE_AVX2)
/* Output row i of a plane, windows [j0, j1) (all their columns inside the
 * input; rows r0 + dr_lo .. r0 + dr_hi inside): eight windows per step, the
 * winner's tap (0..8) kept per lane, then dy added at the eight winners.  A
 * last partial block is computed overlapping the previous one and adds only
 * for its new windows.  Returns j1 (or j0 when there are fewer than 8). */
__attribute__((target("avx2"), always_inline)) static inline size_t
row_3s2_body(const float *in, const float *g, float *d, long W, long r0, long dr_lo, long dr_hi,
             long pad, size_t j0, size_t j1, int sign)
{
    static const int lane_window[8] = {0, 1, 4, 5, 2, 3, 6, 7};
    if (j1 < j0 + 8 || dr_lo < 0 || dr_hi > 2)
        return j0;
    size_t done = j0;
    __m256 carry[3] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    long carry_col = -1;
    for (size_t j = j0; done < j1; j = j + 8 <= j1 - 8 ? j + 8 : j1 - 8) {
        const long c0 = 2 * (long)j - pad;
        __m256 best = _mm256_setzero_ps();
        __m256i pos = _mm256_setzero_si256();
#pragma GCC unroll 3
        for (long dr = dr_lo; dr <= dr_hi; dr++) {
            const float *row = in + (r0 + dr) * W + c0;
            /* taps c0 + 2t, c0 + 1 + 2t, c0 + 2 + 2t of windows t = 0..7, in
             * the lane order 0 1 4 5 | 2 3 6 7; no load reaches past c0 + 16 */
            __m256 lo = _mm256_loadu_ps(row), hi = _mm256_loadu_ps(row + 8);
            __m256 lo1 = _mm256_loadu_ps(row + 1), hi1 = _mm256_loadu_ps(row + 9);
            __m256 taps[3] = {_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)),
                              _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)),
                              _mm256_shuffle_ps(lo1, hi1, _MM_SHUFFLE(3, 1, 3, 1))};
#pragma GCC unroll 3
            for (int t = 0; t < 3; t++) {
                const int k = (int)dr * 3 + t;
                __m256 v = taps[t];
                if (dr == dr_lo && t == 0) {
                    best = v;
                    pos = _mm256_set1_epi32(k);
                    continue;
                }
                __m256 m = _mm256_or_ps(sign > 0 ? _mm256_cmp_ps(v, best, _CMP_GT_OQ)
                                                 : _mm256_cmp_ps(v, best, _CMP_LT_OQ),
                                        _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
                best = _mm256_blendv_ps(best, v, m);
                pos = _mm256_blendv_epi8(pos, _mm256_set1_epi32(k), _mm256_castps_si256(m));
            }
        }
        /* dy in the lane order, lanes of windows done before zeroed */
        __m256 gv = _mm256_castpd_ps(_mm256_permute4x64_pd(
            _mm256_castps_pd(_mm256_loadu_ps(g + j)), _MM_SHUFFLE(3, 1, 2, 0)));
        const __m256i lanes = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)lane_window),
                                               _mm256_set1_epi32((int)(j - done)));
        gv = _mm256_and_ps(gv, _mm256_castsi256_ps(
                                   _mm256_cmpgt_epi32(lanes, _mm256_set1_epi32(-1))));
        /* each tap row: the winners' dy into dx, in column order.  Taps 0
         * and 1 of the eight windows fill cells c0 .. c0 + 15; tap 2 lands
         * one window further on, so its last cell (c0 + 16) is carried to
         * the next block (whose first cell it is), or added alone. */
        const bool contiguous = carry_col == c0;
#pragma GCC unroll 3
        for (long dr = dr_lo; dr <= dr_hi; dr++) {
            float *row = d + (r0 + dr) * W + c0;
            const int k = (int)dr * 3;
            __m256 e = _mm256_and_ps(gv, _mm256_castsi256_ps(
                                             _mm256_cmpeq_epi32(pos, _mm256_set1_epi32(k))));
            __m256 o = _mm256_and_ps(gv, _mm256_castsi256_ps(
                                             _mm256_cmpeq_epi32(pos, _mm256_set1_epi32(k + 1))));
            __m256 e2 = _mm256_and_ps(gv, _mm256_castsi256_ps(
                                              _mm256_cmpeq_epi32(pos, _mm256_set1_epi32(k + 2))));
            const __m256 zero = _mm256_setzero_ps();
            __m256 lo2 = _mm256_unpacklo_ps(e2, zero), hi2 = _mm256_unpackhi_ps(e2, zero);
            __m256 a = _mm256_blend_ps(
                _mm256_permutevar8x32_ps(lo2, _mm256_setr_epi32(0, 0, 0, 1, 2, 3, 4, 5)), zero,
                0x03);
            __m256 b = _mm256_blend_ps(
                _mm256_permutevar8x32_ps(lo2, _mm256_setr_epi32(6, 7, 0, 0, 0, 0, 0, 0)),
                _mm256_permutevar8x32_ps(hi2, _mm256_setr_epi32(0, 0, 0, 1, 2, 3, 4, 5)), 0xfc);
            if (contiguous)
                a = _mm256_add_ps(a, carry[dr]);
            else if (carry_col >= 0)
                d[(r0 + dr) * W + carry_col] += _mm256_cvtss_f32(carry[dr]);
            carry[dr] = _mm256_blend_ps(
                zero, _mm256_permutevar8x32_ps(hi2, _mm256_set1_epi32(6)), 0x01);
            /* a cell shared by windows t - 1 and t adds window t - 1's dy
             * first, as the reference does: first the tap 2 values (even
             * offsets, shifted by one window) with tap 1 (odd offsets, no
             * other window of this row reaches them), then tap 0 */
            const __m256 eo_lo = _mm256_unpacklo_ps(e, o), eo_hi = _mm256_unpackhi_ps(e, o);
            __m256 lo_cells = _mm256_add_ps(_mm256_loadu_ps(row), _mm256_blend_ps(a, eo_lo, 0xaa));
            __m256 hi_cells =
                _mm256_add_ps(_mm256_loadu_ps(row + 8), _mm256_blend_ps(b, eo_hi, 0xaa));
            _mm256_storeu_ps(row, _mm256_add_ps(lo_cells, _mm256_blend_ps(eo_lo, zero, 0xaa)));
            _mm256_storeu_ps(row + 8,
                             _mm256_add_ps(hi_cells, _mm256_blend_ps(eo_hi, zero, 0xaa)));
        }
        carry_col = c0 + 16;
        done = j + 8;
    }
    for (long dr = dr_lo; dr <= dr_hi; dr++)
        d[(r0 + dr) * W + carry_col] += _mm256_cvtss_f32(carry[dr]);
    return j1;
}

/* The body compiled twice: for rows with all three tap rows inside (the
 * loops unrolled) and for the first and last rows. */
__attribute__((target("avx2"))) static size_t row_3s2_avx2(const float *in, const float *g,
                                                           float *d, long W, long r0,
                                                           long dr_lo, long dr_hi, long pad,
                                                           size_t j0, size_t j1, int sign)
{
    if (dr_lo == 0 && dr_hi == 2)
        return sign > 0 ? row_3s2_body(in, g, d, W, r0, 0, 2, pad, j0, j1, 1)
                        : row_3s2_body(in, g, d, W, r0, 0, 2, pad, j0, j1, -1);
    return row_3s2_body(in, g, d, W, r0, dr_lo, dr_hi, pad, j0, j1, sign);
}
#endif

static void plane_3s2(const pool_plan *plan, const tensor *input, const tensor *dy, tensor *dx,
                      size_t plane)
{
    const long H = (long)plan->h, W = (long)plan->w;
    const size_t oh = plan->rows.out, ow = plan->cols.out;
    const size_t base = plane * plan->h * plan->w, out_base = plane * oh * ow;
    const int sign = plan->params.op == POOL_MIN ? -1 : 1;
    const long pad = plan->cols.pad_before;
    const size_t es = tensor_dtype_size(dx->dtype);
    memset((char *)dx->data + base * es, 0, plan->h * plan->w * es);
    /* windows [jlo, jhi) have all their columns inside the input */
    size_t jlo = 0, jhi = ow;
    while (jlo < ow && plan->cols.start[jlo] < 0)
        jlo++;
    while (jhi > jlo && plan->cols.start[jhi - 1] + 2 >= W)
        jhi--;
    for (size_t i = 0; i < oh; i++) {
        const long r0 = plan->rows.start[i];
        const long dr_lo = r0 < 0 ? -r0 : 0, dr_hi = r0 + 2 < H ? 2 : H - 1 - r0;
        size_t j = 0;
        for (; j < ow; j++) {
#if defined(KERNELS_HAVE_AVX2)
            if (j == jlo && dr_lo <= dr_hi && dx->dtype == TENSOR_F32 && have_avx2())
                j = row_3s2_avx2((const float *)input->data + base,
                                 (const float *)dy->data + out_base + i * ow,
                                 (float *)dx->data + base, W, r0, dr_lo, dr_hi, pad, jlo, jhi,
                                 sign);
            if (j >= ow)
                break;
#endif
            const long c0 = plan->cols.start[j];
            long at = dx->dtype == TENSOR_F32
                          ? winner_3x3_float((const float *)input->data + base, H, W, r0, c0, sign)
                          : winner_3x3_double((const double *)input->data + base, H, W, r0, c0,
                                              sign);
            if (at >= 0)
                add_at(dx, base + (size_t)at, dy, out_base + i * ow + j);
        }
    }
}

/* ---- max/min: dy scattered to the winners ---------------------------------- */

/* One plane: dy added at each winner's plane index, output after output
 * (the reference's order).  Rows of dx are zeroed just before a winner
 * first reaches them, so each row is written while it is in the cache and
 * no zeroing pass runs over the whole of dx: with the windows' rows known
 * (reach[i], the last row output row i's windows reach), a whole output
 * row's worth at a time; an index past the rows zeroed so far (a window
 * without input cells may name any cell) zeroes up to its row first.  An
 * index outside the plane is skipped. */
#define SCATTER_PLANE(T)                                                                  \
    static void scatter_plane_##T(const int64_t *ix, const T *g, T *d, size_t H, size_t W, \
                                  size_t oh, size_t ow, const long *reach)                \
    {                                                                                     \
        const uint64_t hw = (uint64_t)H * W;                                              \
        size_t zeroed = 0; /* rows [0, zeroed) are zeroed */                              \
        for (size_t i = 0; i < oh; i++) {                                                 \
            if (reach != NULL && reach[i] >= (long)zeroed) {                              \
                const size_t last = (size_t)reach[i] < H ? (size_t)reach[i] : H - 1;      \
                if (last >= zeroed) {                                                     \
                    memset(d + zeroed * W, 0, (last + 1 - zeroed) * W * sizeof *d);       \
                    zeroed = last + 1;                                                    \
                }                                                                         \
            }                                                                             \
            uint64_t limit = (uint64_t)zeroed * W;                                        \
            const int64_t *k = ix + i * ow;                                               \
            const T *gi = g + i * ow;                                                     \
            size_t j = 0;                                                                 \
            while (j < ow) {                                                              \
                /* four at a time, one test for all four (in order: two may     \
                 * name the same cell) */                                                 \
                if (j + 4 <= ow) {                                                        \
                    const uint64_t k0 = (uint64_t)k[j], k1 = (uint64_t)k[j + 1];          \
                    const uint64_t k2 = (uint64_t)k[j + 2], k3 = (uint64_t)k[j + 3];      \
                    if ((k0 < limit) & (k1 < limit) & (k2 < limit) & (k3 < limit)) {      \
                        d[k0] += gi[j];                                                   \
                        d[k1] += gi[j + 1];                                               \
                        d[k2] += gi[j + 2];                                               \
                        d[k3] += gi[j + 3];                                               \
                        j += 4;                                                           \
                        continue;                                                         \
                    }                                                                     \
                }                                                                         \
                for (const size_t end = j + 4 <= ow ? j + 4 : ow; j < end; j++) {         \
                    const uint64_t at = (uint64_t)k[j];                                   \
                    if (at >= hw)                                                         \
                        continue;                                                         \
                    if (at >= limit) {                                                    \
                        const size_t row = (size_t)(at / W);                              \
                        memset(d + zeroed * W, 0, (row + 1 - zeroed) * W * sizeof *d);    \
                        zeroed = row + 1;                                                 \
                        limit = (uint64_t)zeroed * W;                                     \
                    }                                                                     \
                    d[at] += gi[j];                                                       \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
        if (zeroed < H)                                                                   \
            memset(d + zeroed * W, 0, (H - zeroed) * W * sizeof *d);                      \
    }
SCATTER_PLANE(float)
SCATTER_PLANE(double)

/* reach[i]: the last input row output row i's windows reach, where the
 * windows are rows of the plan (windowed, global, adaptive, graham
 * fractional); NULL otherwise (PyTorch's fractional draws per plane). */
static long *rows_reached(const pool_plan *plan)
{
    if (plan->rows.start == NULL || plan->plane_row_start != NULL || plan->rows.out == 0)
        return NULL;
    long *reach = pv_malloc(plan->rows.out * sizeof *reach);
    if (reach == NULL)
        return NULL; /* only slower: rows are then zeroed as winners reach them */
    long most = -1;
    for (size_t i = 0; i < plan->rows.out; i++) {
        long last = plan->rows.start[i] + (plan->rows.count[i] - 1) * plan->rows.step;
        most = last > most ? last : most;
        reach[i] = most;
    }
    return reach;
}

/* ---- avg: spread along the columns, then down the rows ----------------------- */

static void avg_plane(const pool_plan *plan, const tensor *dy, tensor *dx, size_t plane,
                      double *row)
{
    const size_t H = plan->h, W = plan->w, oh = plan->rows.out, ow = plan->cols.out;
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    const double override = plan_divisor_override(plan);
    const size_t in_base = plane * H * W, out_base = plane * oh * ow;
    if (dx->dtype == TENSOR_F32)
        memset((float *)dx->data + in_base, 0, H * W * sizeof(float));
    else
        memset((double *)dx->data + in_base, 0, H * W * sizeof(double));
    for (size_t oy = 0; oy < oh; oy++) {
        memset(row, 0, W * sizeof *row);
        for (size_t ox = 0; ox < ow; ox++) {
            const double divisor =
                override != 0 ? override : (double)ra->divisor[oy] * (double)ca->divisor[ox];
            const double share = tensor_get(dy, out_base + oy * ow + ox) / divisor;
            for (long t = 0; t < ca->count[ox]; t++) {
                long c = ca->start[ox] + t * ca->step;
                if (c >= 0 && c < (long)W)
                    row[c] += share;
            }
        }
        for (long t = 0; t < ra->count[oy]; t++) {
            long r = ra->start[oy] + t * ra->step;
            if (r < 0 || r >= (long)H)
                continue;
            const size_t base = in_base + (size_t)r * W;
            if (dx->dtype == TENSOR_F32) {
                float *d = (float *)dx->data + base;
                for (size_t c = 0; c < W; c++)
                    d[c] += (float)row[c];
            } else {
                double *d = (double *)dx->data + base;
                for (size_t c = 0; c < W; c++)
                    d[c] += row[c];
            }
        }
    }
}

/* dy scattered to the saved winners, or to the forward kernels' when there
 * are none. */

/* dy added at each winner, output after output: the saved indices, or
 * the forward kernels' when there are none. */
static pv_status scatter_backward(const pool_plan *plan, const tensor *input, const tensor *dy,
                                  const int64_t *indices, tensor *dx, int threads, pv_error *err)
{
    int64_t *found = NULL;
    if (indices == NULL) {
        tensor *out = tensor_new(plan->dtype, plan->out_rank, plan->out_dims, err);
        if (out == NULL)
            return err->status;
        size_t bytes;
        if (!pv_mul_size(plan->out_count ? plan->out_count : 1, sizeof *found, &bytes) ||
            (found = pv_malloc(bytes)) == NULL) {
            tensor_free(out);
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the indices");
        }
        pv_status st = kernels_forward(plan, input, out, found, threads, err);
        tensor_free(out);
        if (st != PV_OK) {
            pv_free(found);
            return st;
        }
        indices = found;
    }
    const size_t planes = plan->n * plan->c, H = plan->h, W = plan->w;
    const size_t per_plane = planes > 0 ? plan->out_count / planes : 0;
    long *reach = rows_reached(plan);
    /* with the windows' rows known, one output row at a time; else the
     * plane's outputs as one row */
    const size_t oh = reach != NULL ? plan->rows.out : 1;
    const size_t ow = reach != NULL ? plan->cols.out : per_plane;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
#endif
    for (size_t p = 0; p < planes; p++) {
        if (dx->dtype == TENSOR_F32)
            scatter_plane_float(indices + p * per_plane, (const float *)dy->data + p * per_plane,
                                (float *)dx->data + p * H * W, H, W, oh, ow, reach);
        else
            scatter_plane_double(indices + p * per_plane,
                                 (const double *)dy->data + p * per_plane,
                                 (double *)dx->data + p * H * W, H, W, oh, ow, reach);
    }
    pv_free(reach);
    pv_free(found);
    return pool_cancel_requested
               ? pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user")
               : PV_OK;
}

pv_status kernels_backward(const pool_plan *plan, const tensor *input, const tensor *dy,
                           const int64_t *indices, tensor *dx, int threads, pv_error *err)
{
    if (!is_extreme(plan->params.op))
        indices = NULL;
    const size_t planes = plan->n * plan->c;
    int nt = 1;
#ifdef _OPENMP
    nt = threads > 0 ? threads : omp_get_max_threads();
    if (input->count < SERIAL_ELEMENTS || (size_t)nt > planes)
        nt = planes > 0 && (size_t)nt > planes ? (int)planes : nt;
    if (input->count < SERIAL_ELEMENTS)
        nt = 1;
#else
    (void)threads;
#endif
    if (nt < 1)
        nt = 1;
    if (tiles_2x2(plan)) {
        const size_t es = tensor_dtype_size(plan->dtype);
        const bool stream = dx->count * es >= STREAM_BYTES && plan->w % 8 == 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
        for (size_t p = 0; p < planes; p++)
            fused_plane(plan, input, dy, indices, dx, p, stream);
#if defined(KERNELS_HAVE_AVX2)
        if (stream && have_avx2())
            stream_fence();
#endif
        return pool_cancel_requested
                   ? pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user")
                   : PV_OK;
    }
    if (windows_3s2(plan) && indices == NULL) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
        for (size_t p = 0; p < planes; p++)
            plane_3s2(plan, input, dy, dx, p);
        return pool_cancel_requested
                   ? pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user")
                   : PV_OK;
    }
    if (is_extreme(plan->params.op))
        return scatter_backward(plan, input, dy, indices, dx, nt, err);
    /* avg */
    size_t bytes;
    double *rows = NULL;
    if (!pv_mul_size(plan->w ? plan->w : 1, (size_t)nt * sizeof *rows, &bytes) ||
        (rows = pv_malloc(bytes)) == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the backward pass");
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (size_t p = 0; p < planes; p++) {
        int me = 0;
#ifdef _OPENMP
        me = omp_get_thread_num();
#endif
        avg_plane(plan, dy, dx, p, rows + (size_t)me * plan->w);
    }
    pv_free(rows);
    return pool_cancel_requested
               ? pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user")
               : PV_OK;
}
