/* kernels-avx2.c - the band kernels compiled for AVX2 and FMA, and float32
 * softpool and lse in 16 lanes for AVX-512F and DQ.  kernels.c uses them when the
 * processor has the instructions (every x86 processor with AVX2 but a few
 * has FMA too); the rest of the program is built for the baseline
 * instruction set. */
#include "kernels.h"

#if defined(KERNELS_HAVE_AVX2)

#include <assert.h>
#include <float.h>
#include <immintrin.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "opmath.h"

#define KFN static inline __attribute__((target("avx2,fma"), unused))
/* for the loops specialised by constant arguments */
#define KFN_FLAT static inline __attribute__((always_inline, target("avx2,fma"), unused))
#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2(a, b)
#define KISA_AVX2 1

#define KT_F32 1
#define KP(name) KCAT(name, avx2_f32)
#include "kernels-simd.h"
#include "kernels-body.h"
#undef KP
#undef KT_F32

#define KT_F32 0
#define KP(name) KCAT(name, avx2_f64)
#include "kernels-simd.h"
#include "kernels-body.h"
#undef KP
#undef KT_F32

const kern_impl kern_avx2[2] = {
    {"avx2", max_band_avx2_f32, sum_band_avx2_f32, global_max_avx2_f32, global_sum_avx2_f32, window_band_avx2_f32,
     gram_rows_avx2_f32},
    {"avx2", max_band_avx2_f64, sum_band_avx2_f64, global_max_avx2_f64, global_sum_avx2_f64, window_band_avx2_f64,
     gram_rows_avx2_f64},
};

#endif

/* ---- softpool and lse with 16 float lanes (AVX-512) ------------------------
 * The same arithmetic as the 8 lanes of softmax_s2_rows (SOFTMAX_SUMS and
 * LSE_FINISH over 512-bit operations), so the same bits; the windows the
 * vectors do not finish are softmax_one()'s of the AVX2 build. */
#if defined(KERNELS_HAVE_AVX2)
#define K512 static inline __attribute__((always_inline, target("avx512f,avx512dq,avx2,fma"), unused))
#define W_SET1(x) _mm512_set1_ps(x)
#define W_MAX(a, b) _mm512_max_ps((a), (b))
#define W_MIN(a, b) _mm512_min_ps((a), (b))
#define W_ADD(a, b) _mm512_add_ps((a), (b))
#define W_SUB(a, b) _mm512_sub_ps((a), (b))
#define W_MUL(a, b) _mm512_mul_ps((a), (b))
#define W_DIV(a, b) _mm512_div_ps((a), (b))
#define W_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define W_EXP2STEP(t) softmax512_exp2step(t)
/* LSE_FINISH's split of w into [0.75, 1.5) and its exponent, by the
 * processor: the values LSE_NORM_BITS computes from the bits */
#define W_LSE_NORM(w, c, e)                                                                \
    do {                                                                                   \
        (c) = _mm512_getmant_ps((w), _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);            \
        (e) = _mm512_getexp_ps(w);                                                         \
        (e) = _mm512_mask_add_ps((e), _mm512_cmp_ps_mask((c), W_SET1(1.0f), _CMP_LT_OQ), (e), \
                                 W_SET1(1.0f));                                            \
    } while (0)
#define W_GREATER(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define W_BLEND(m, l, e) _mm512_mask_blend_ps((m), (e), (l))

/* KP(exp2step) in 16 lanes: (bits << 19 and the exponent's mask) or the
 * table's mantissa */
K512 __m512 softmax512_exp2step(__m512 t)
{
    static const int32_t mantissa[16] = {EXP2_STEP_MANTISSAS};
    const __m512i bits = _mm512_castps_si512(t);
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_slli_epi32(bits, 19), _mm512_set1_epi32(0x7f800000),
                                                         _mm512_permutexvar_epi32(bits, _mm512_loadu_si512(mantissa)),
                                                         0xea));
}

/* the even and odd cells of p[0 .. 32) */
K512 void softmax512_pair(const float *p, __m512 *even, __m512 *odd)
{
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16);
    *even = _mm512_permutex2var_ps(a, ie, b);
    *odd = _mm512_permutex2var_ps(a, io, b);
}

#define W_PAIR(q, e, o) softmax512_pair((q), &(e), &(o))

/* softmax_vector with 16 lanes; bad: the lanes with a cell not finite */
K512 void softmax512_vector(const float *row0, size_t W, size_t ox, const int shape, const long rows,
                            const bool lse, __m512 scale, __m512 dmin, __m512 *m,
                            __m512 *y, __mmask16 *bad)
{
    const int taps = shape == S2_K3P0 || shape == S2_K3P1 ? 3 : 2;
    __m512 x[9];
    int k = 0;
#pragma GCC unroll 3
    for (long i = 0; i < rows; i++) {
        const float *p = row0 + (size_t)i * W + 2 * ox;
        __m512 t0, t1, t2;
        KERNELS_PREFETCH(p + 512);
        KERNELS_PREFETCH(p + 528);
        SOFTMAX_ROW_CELLS(__m512, W_PAIR, p, shape, t0, t1, t2);
        x[k++] = t0;
        x[k++] = t1;
        if (taps == 3)
            x[k++] = t2;
    }
    __m512 c = x[0];
#pragma GCC unroll 9
    for (int t = 1; t < k; t++)
        c = W_ADD(c, x[t]);
    *bad = _mm512_fpclass_ps_mask(c, 0x99); /* NaN or infinite */
    SOFTMAX_SUMS(__m512, W_SET1, W_MAX, W_MIN, W_ADD, W_SUB, W_MUL, W_FMA, W_DIV, W_EXP2STEP, x, k, lse, scale,
                 dmin, *m, *y);
}

K512 void softmax512_rows(const kern_band_args *a, const int shape, const bool lse, size_t vlo,
                          size_t vhi)
{
    enum { WL = 16 };
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const int taps = shape == S2_K3P0 || shape == S2_K3P1 ? 3 : 2;
    float scale1, dmin1, lk1[LSE_CONSTANTS];
    softmax_constants_avx2_f32(kp, &scale1, &dmin1, lk1);
    const __m512 scale = W_SET1(scale1), dmin = W_SET1(dmin1);
    __m512 lk[LSE_CONSTANTS];
    for (int i = 0; i < LSE_CONSTANTS; i++)
        lk[i] = W_SET1(lk1[i]);
    const size_t vend = vhi > vlo ? vlo + (vhi - vlo + WL - 1) / WL * WL : vlo;
    float *zrow = (float *)((double *)a->scratch + 2 * kp->window_cells);
    unsigned char *bad = (unsigned char *)(zrow + ow + WL);
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        const long rn = ry->count[oy];
        const float *row0 = (const float *)a->in + (size_t)ry->first[oy] * W;
        float *o = (float *)a->out + oy * ow;
        if (rn == 0) {
            for (size_t ox = 0; ox < ow; ox++)
                softmax_one_avx2_f32(a, oy, ox, lse);
            continue;
        }
        const __m512 inverse_n = W_SET1(1.0f / (float)(rn * taps));
        bool any_bad = false;
        for (size_t ox = vlo; ox < vhi; ox += WL) {
            __m512 m, y;
            __mmask16 b;
            if (rn == 2)
                softmax512_vector(row0, W, ox, shape, 2, lse, scale, dmin, &m, &y, &b);
            else if (rn == 3)
                softmax512_vector(row0, W, ox, shape, 3, lse, scale, dmin, &m, &y, &b);
            else
                softmax512_vector(row0, W, ox, shape, 1, lse, scale, dmin, &m, &y, &b);
            if (lse) {
                _mm512_storeu_ps(o + ox, m);
                _mm512_storeu_ps(zrow + ox, y);
            } else {
                _mm512_storeu_ps(o + ox, y);
            }
            bad[(ox - vlo) / WL] = b != 0;
            any_bad = any_bad || b != 0;
        }
        if (lse)
            for (size_t ox = vlo; ox < vhi; ox += WL) {
                __m512 y;
                LSE_FINISH(__m512, W_SET1, W_ADD, W_SUB, W_MUL, W_FMA, W_DIV, W_LSE_NORM, W_BLEND, W_GREATER,
                           _mm512_loadu_ps(zrow + ox), inverse_n, _mm512_loadu_ps(o + ox), lk, y);
                _mm512_storeu_ps(o + ox, y);
            }
        for (size_t ox = vlo; any_bad && ox < vhi; ox += WL)
            if (bad[(ox - vlo) / WL])
                for (size_t l = 0; l < WL; l++)
                    softmax_one_avx2_f32(a, oy, ox + l, lse);
        for (size_t ox = vlo > 0 ? 0 : vend; ox < ow; ox = ox + 1 == vlo ? vend : ox + 1)
            softmax_one_avx2_f32(a, oy, ox, lse);
    }
}

/* window_band for float32 where the processor has AVX-512 */
__attribute__((target("avx512f,avx512dq,avx2,fma"))) static void window_band_avx512_f32(const kern_band_args *a)
{
    const kern_plan *kp = a->kp;
    if ((kp->kernel == OP_KERNEL_SOFTMAX || kp->kernel == OP_KERNEL_LOGSUMEXP) && kp->fused_s2) {
        size_t vlo, vhi;
        const bool lse = kp->kernel == OP_KERNEL_LOGSUMEXP;
        switch (s2_shape_avx2_f32(a->cols, 16, &vlo, &vhi) * 2 + lse) {
        case S2_K2P0 * 2:
            softmax512_rows(a, S2_K2P0, false, vlo, vhi);
            break;
        case S2_K2P0 * 2 + 1:
            softmax512_rows(a, S2_K2P0, true, vlo, vhi);
            break;
        case S2_K2P1 * 2:
            softmax512_rows(a, S2_K2P1, false, vlo, vhi);
            break;
        case S2_K2P1 * 2 + 1:
            softmax512_rows(a, S2_K2P1, true, vlo, vhi);
            break;
        case S2_K3P0 * 2:
            softmax512_rows(a, S2_K3P0, false, vlo, vhi);
            break;
        case S2_K3P0 * 2 + 1:
            softmax512_rows(a, S2_K3P0, true, vlo, vhi);
            break;
        case S2_K3P1 * 2:
            softmax512_rows(a, S2_K3P1, false, vlo, vhi);
            break;
        default:
            softmax512_rows(a, S2_K3P1, true, vlo, vhi);
            break;
        }
        return;
    }
    window_band_avx2_f32(a);
}

const kern_impl kern_avx512[2] = {
    {"avx512", max_band_avx2_f32, sum_band_avx2_f32, global_max_avx2_f32, global_sum_avx2_f32,
     window_band_avx512_f32, gram_rows_avx2_f32},
    {"avx512", max_band_avx2_f64, sum_band_avx2_f64, global_max_avx2_f64, global_sum_avx2_f64,
     window_band_avx2_f64, gram_rows_avx2_f64},
};
#endif
