/* kernels-simd.h - the vector operations kernels-body.h is written in.
 *
 * Included (no include guard: once per instantiation) by kernels-portable.c
 * and kernels-avx2.c after they define
 *   KT_F32     1 for float32 elements, 0 for float64
 *   KISA_AVX2  1 for the AVX2 build (with FMA), 0 for portable C
 *   KP(name)   the name of a helper of this instantiation
 *   KFN        the qualifiers of its functions
 *
 * Types:  VT  VL elements;  VI  VL plane indices (KI);  VM  a lane mask;
 *         VD  VDL doubles, the sum family's accumulators.
 * Every operation works lane by lane; nothing reduces across lanes, so the
 * portable build (VL = 1) computes the same values as the vector build.
 * V_FMA and VD_FMA round once in both (fmaf and fma in portable C), and
 * nothing else may contract a b + c: the build passes -ffp-contract=off.
 */

#undef KT
#undef KI
#undef VL
#undef VT
#undef VI
#undef VM
#undef V_LD
#undef V_ST
#undef V_LD2
#undef V_LDS
#undef V_NEG
#undef V_WINS
#undef V_SEL
#undef V_COMB
#undef V_ISNAN
#undef V_MOR
#undef V_ANY
#undef V_FAST
#undef V_WINS_NONAN
#undef VI_LD
#undef VI_ST
#undef VI_LD2
#undef VI_LDS
#undef VI_SET1
#undef VI_IOTA
#undef VI_ADD
#undef VI_SEL
#undef VDL
#undef VD
#undef VD_LD
#undef VD_ST
#undef VD_LD2
#undef VD_LDS
#undef VD_LDT
#undef VD_STT
#undef VD_SET1
#undef VD_ADD
#undef VD_SUB
#undef VD_MUL
#undef VD_DIV
#undef VD_SQRT
#undef VD_ABS
#undef V_PAIR
#undef V_STREAM
#undef V_FENCE
#undef V_SET1_ZERO
#undef V_UNPERM
#undef VD_PAIRT
#undef VD_UNPERM
#undef VD_MAX
#undef V_MIN
#undef V_MAX
#undef V_UNORD
#undef V_ISZERO
#undef V_ADD
#undef V_SUB
#undef V_MUL
#undef V_DIV
#undef V_SET1
#undef V_FMA
#undef V_EXP2STEP
#undef VD_FMA
#undef V_EQ
#undef V_BLEND
#undef V_MANT
#undef V_EXPO
#undef V_GREATER

#if KT_F32
#define KT float
#define KI int32_t /* plane indices: the float path needs H*W < 2^31 */
#else
#define KT double
#define KI int64_t
#endif

#if KISA_AVX2

#if KT_F32
#define VL 8
#define VT __m256
#define VI __m256i
#define VM __m256
#define V_LD(p) _mm256_loadu_ps(p)
#define V_ST(p, v) _mm256_storeu_ps((p), (v))
#define V_SET1_ZERO _mm256_setzero_ps()
/* a store that bypasses the caches where p is aligned */
#define V_STREAM(p, v)                                                    \
    do {                                                                  \
        if (((uintptr_t)(p) & 31) == 0)                                   \
            _mm256_stream_ps((p), (v));                                   \
        else                                                              \
            _mm256_storeu_ps((p), (v));                                   \
    } while (0)
#define V_FENCE() _mm_sfence()
/* lanes p[0], p[2], ... p[14] (reads p[0..15]) */
KFN VT KP(v_ld2)(const float *p)
{
    __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
    __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0)));
}
KFN VT KP(v_lds)(const float *p, long s)
{
    __m256i off = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                     _mm256_set1_epi32((int)s));
    return _mm256_i32gather_ps(p, off, 4);
}
KFN VI KP(vi_lds)(const int32_t *p, long s)
{
    __m256i off = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                     _mm256_set1_epi32((int)s));
    return _mm256_i32gather_epi32((const int *)p, off, 4);
}
#define V_LD2(p) KP(v_ld2)(p)
#define V_LDS(p, s) KP(v_lds)((p), (s))
#define V_NEG(v) _mm256_xor_ps((v), _mm256_set1_ps(-0.0f))
/* l (later in row-major order) beats e: greater, or NaN */
#define V_WINS(e, l) \
    _mm256_or_ps(_mm256_cmp_ps((l), (e), _CMP_GT_OQ), _mm256_cmp_ps((l), (l), _CMP_UNORD_Q))
#define V_SEL(m, l, e) _mm256_blendv_ps((e), (l), (m))
/* the winner's value: vmaxps(l, e) is l > e ? l : e; then a NaN l */
#define V_COMB(e, l) \
    _mm256_blendv_ps(_mm256_max_ps((l), (e)), (l), _mm256_cmp_ps((l), (l), _CMP_UNORD_Q))
/* the same for inputs without NaN: one instruction */
#define V_FAST(e, l) _mm256_max_ps((l), (e))
#define V_WINS_NONAN(e, l) _mm256_cmp_ps((l), (e), _CMP_GT_OQ)
#define V_ISNAN(v) _mm256_cmp_ps((v), (v), _CMP_UNORD_Q)
#define V_MOR(a, b) _mm256_or_ps((a), (b))
#define V_ANY(m) (_mm256_movemask_ps(m) != 0)
#define VI_LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VI_ST(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define VI_LD2(p) _mm256_castps_si256(KP(v_ld2)((const float *)(const void *)(p)))
#define VI_LDS(p, s) KP(vi_lds)((p), (s))
#define VI_SET1(x) _mm256_set1_epi32((int)(x))
#define VI_IOTA(s) \
    _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(s)))
#define VI_ADD(a, b) _mm256_add_epi32((a), (b))
#define VI_SEL(m, l, e) \
    _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(e), _mm256_castsi256_ps(l), (m)))
#define VD_LDT(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define VD_STT(p, v) _mm_storeu_ps((p), _mm256_cvtpd_ps(v))
/* the 2*VL cells at p as their even and odd cells, lanes in the order
 * V_UNPERM puts right */
#define V_PAIR(p, e, o)                                                   \
    do {                                                                  \
        __m256 pair_a_ = _mm256_loadu_ps(p), pair_b_ = _mm256_loadu_ps((p) + 8); \
        (e) = _mm256_shuffle_ps(pair_a_, pair_b_, _MM_SHUFFLE(2, 0, 2, 0)); \
        (o) = _mm256_shuffle_ps(pair_a_, pair_b_, _MM_SHUFFLE(3, 1, 3, 1)); \
    } while (0)
#define V_UNPERM(v) \
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)))
/* for values without NaN: a < b ? a : b and a > b ? a : b (b on ties) */
#define V_MIN(a, b) _mm256_min_ps((a), (b))
#define V_MAX(a, b) _mm256_max_ps((a), (b))
/* lanes where a or b is NaN; lanes equal to zero (either sign) */
#define V_UNORD(a, b) _mm256_cmp_ps((a), (b), _CMP_UNORD_Q)
#define V_ISZERO(v) _mm256_cmp_ps((v), _mm256_setzero_ps(), _CMP_EQ_OQ)
/* float arithmetic for the window reducers' weights (float32 only) */
#define V_ADD(a, b) _mm256_add_ps((a), (b))
#define V_SUB(a, b) _mm256_sub_ps((a), (b))
#define V_MUL(a, b) _mm256_mul_ps((a), (b))
#define V_DIV(a, b) _mm256_div_ps((a), (b))
#define V_SET1(x) _mm256_set1_ps(x)
/* a b + c, rounded once */
#define V_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
/* the float whose bits are those of t shifted left by 23: 2^n for t =
 * 0x1.8p23 + 127 + n, n whole in [-127, 128] */
#define V_EXP2STEP(t) KP(exp2step_v)(t)
#define V_EQ(a, b) _mm256_cmp_ps((a), (b), _CMP_EQ_OQ)
#define V_GREATER(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
/* m ? l : e */
#define V_BLEND(m, l, e) _mm256_blendv_ps((e), (l), (m))
/* v = 2^e m, m in [1, 2), for normal v > 0: m, and e as a float */
#define V_MANT(v) \
    _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000)))
#define V_EXPO(v) \
    _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(v), 23), _mm256_set1_epi32(127)))

#else /* float64 */
#define VL 4
#define VT __m256d
#define VI __m256i
#define VM __m256d
#define V_LD(p) _mm256_loadu_pd(p)
#define V_ST(p, v) _mm256_storeu_pd((p), (v))
#define V_SET1_ZERO _mm256_setzero_pd()
#define V_STREAM(p, v)                                                    \
    do {                                                                  \
        if (((uintptr_t)(p) & 31) == 0)                                   \
            _mm256_stream_pd((p), (v));                                   \
        else                                                              \
            _mm256_storeu_pd((p), (v));                                   \
    } while (0)
#define V_FENCE() _mm_sfence()
#define V_LD2(p) KP(vd_ld2)(p)
#define V_LDS(p, s) _mm256_setr_pd((p)[0], (p)[s], (p)[2 * (s)], (p)[3 * (s)])
#define V_NEG(v) _mm256_xor_pd((v), _mm256_set1_pd(-0.0))
#define V_WINS(e, l) \
    _mm256_or_pd(_mm256_cmp_pd((l), (e), _CMP_GT_OQ), _mm256_cmp_pd((l), (l), _CMP_UNORD_Q))
#define V_SEL(m, l, e) _mm256_blendv_pd((e), (l), (m))
#define V_COMB(e, l) \
    _mm256_blendv_pd(_mm256_max_pd((l), (e)), (l), _mm256_cmp_pd((l), (l), _CMP_UNORD_Q))
#define V_FAST(e, l) _mm256_max_pd((l), (e))
#define V_WINS_NONAN(e, l) _mm256_cmp_pd((l), (e), _CMP_GT_OQ)
#define V_ISNAN(v) _mm256_cmp_pd((v), (v), _CMP_UNORD_Q)
#define V_MOR(a, b) _mm256_or_pd((a), (b))
#define V_ANY(m) (_mm256_movemask_pd(m) != 0)
#define VI_LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VI_ST(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define VI_LD2(p) _mm256_castpd_si256(KP(vd_ld2)((const double *)(const void *)(p)))
#define VI_LDS(p, s) _mm256_setr_epi64x((p)[0], (p)[s], (p)[2 * (s)], (p)[3 * (s)])
#define VI_SET1(x) _mm256_set1_epi64x((long long)(x))
#define VI_IOTA(s) _mm256_setr_epi64x(0, (long long)(s), 2 * (long long)(s), 3 * (long long)(s))
#define VI_ADD(a, b) _mm256_add_epi64((a), (b))
#define VI_SEL(m, l, e) \
    _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(e), _mm256_castsi256_pd(l), (m)))
#define VD_LDT(p) _mm256_loadu_pd(p)
#define VD_STT(p, v) _mm256_storeu_pd((p), (v))
#define V_PAIR(p, e, o)                                                   \
    do {                                                                  \
        __m256d pair_a_ = _mm256_loadu_pd(p), pair_b_ = _mm256_loadu_pd((p) + 4); \
        (e) = _mm256_unpacklo_pd(pair_a_, pair_b_);                       \
        (o) = _mm256_unpackhi_pd(pair_a_, pair_b_);                       \
    } while (0)
#define V_UNPERM(v) _mm256_permute4x64_pd((v), _MM_SHUFFLE(3, 1, 2, 0))
#define V_MIN(a, b) _mm256_min_pd((a), (b))
#define V_MAX(a, b) _mm256_max_pd((a), (b))
#define V_UNORD(a, b) _mm256_cmp_pd((a), (b), _CMP_UNORD_Q)
#define V_ISZERO(v) _mm256_cmp_pd((v), _mm256_setzero_pd(), _CMP_EQ_OQ)
#endif

/* the sum family's double accumulators, for both element types */
#define VDL 4
#define VD __m256d
#define VD_LD(p) _mm256_loadu_pd(p)
#define VD_ST(p, v) _mm256_storeu_pd((p), (v))
/* lanes p[0], p[2], p[4], p[6] (reads p[0..7]) */
KFN VD KP(vd_ld2)(const double *p)
{
    __m256d a = _mm256_loadu_pd(p), b = _mm256_loadu_pd(p + 4);
    return _mm256_permute4x64_pd(_mm256_unpacklo_pd(a, b), _MM_SHUFFLE(3, 1, 2, 0));
}
#define VD_LD2(p) KP(vd_ld2)(p)
#define VD_LDS(p, s) _mm256_setr_pd((p)[0], (p)[s], (p)[2 * (s)], (p)[3 * (s)])
#define VD_SET1(x) _mm256_set1_pd(x)
#define VD_ADD(a, b) _mm256_add_pd((a), (b))
#define VD_SUB(a, b) _mm256_sub_pd((a), (b))
#define VD_MUL(a, b) _mm256_mul_pd((a), (b))
#define VD_DIV(a, b) _mm256_div_pd((a), (b))
#define VD_SQRT(a) _mm256_sqrt_pd(a)
/* a b + c, rounded once */
#define VD_FMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define VD_ABS(a) _mm256_andnot_pd(_mm256_set1_pd(-0.0), (a))
/* the 8 elements at p, in double, as even and odd cells (see V_PAIR) */
#define VD_PAIRT(p, e, o)                                                 \
    do {                                                                  \
        __m256d pair_a_ = VD_LDT(p), pair_b_ = VD_LDT((p) + 4);           \
        (e) = _mm256_unpacklo_pd(pair_a_, pair_b_);                       \
        (o) = _mm256_unpackhi_pd(pair_a_, pair_b_);                       \
    } while (0)
#define VD_UNPERM(v) _mm256_permute4x64_pd((v), _MM_SHUFFLE(3, 1, 2, 0))
/* l > e ? l : e (e on ties, and when either is NaN) */
#define VD_MAX(e, l) _mm256_max_pd((l), (e))

#else /* portable C: one lane */

#define VL 1
#define VT KT
#define VI KI
#define VM int
#define V_LD(p) (*(p))
#define V_ST(p, v) (*(p) = (v))
#define V_SET1_ZERO ((KT)0)
#define V_STREAM(p, v) (*(p) = (v))
#define V_FENCE() ((void)0)
#define V_LD2(p) (*(p))
#define V_LDS(p, s) (*(p))
#define V_NEG(v) (-(v))
#define V_WINS(e, l) ((l) > (e) || (l) != (l))
#define V_SEL(m, l, e) ((m) ? (l) : (e))
#define V_COMB(e, l) ((l) > (e) || (l) != (l) ? (l) : (e))
#define V_FAST(e, l) ((l) > (e) ? (l) : (e))
#define V_WINS_NONAN(e, l) ((l) > (e))
#define V_ISNAN(v) ((v) != (v))
#define V_MOR(a, b) ((a) || (b))
#define V_ANY(m) (m)
#define VI_LD(p) (*(p))
#define VI_ST(p, v) (*(p) = (v))
#define VI_LD2(p) (*(p))
#define VI_LDS(p, s) (*(p))
#define VI_SET1(x) ((KI)(x))
#define VI_IOTA(s) ((KI)0)
#define VI_ADD(a, b) ((a) + (b))
#define VI_SEL(m, l, e) ((m) ? (l) : (e))
#define VDL 1
#define VD double
#define VD_LD(p) (*(p))
#define VD_ST(p, v) (*(p) = (v))
#define VD_LD2(p) (*(p))
#define VD_LDS(p, s) (*(p))
#define VD_LDT(p) ((double)*(p))
#define VD_STT(p, v) (*(p) = (KT)(v))
#define VD_SET1(x) ((double)(x))
#define VD_ADD(a, b) ((a) + (b))
#define VD_SUB(a, b) ((a) - (b))
#define VD_MUL(a, b) ((a) * (b))
#define VD_DIV(a, b) ((a) / (b))
#define VD_SQRT(a) sqrt(a)
#define VD_FMA(a, b, c) fma((a), (b), (c))
#define VD_ABS(a) fabs(a)
#define V_PAIR(p, e, o) ((e) = (p)[0], (o) = (p)[1])
#define V_UNPERM(v) (v)
#define VD_PAIRT(p, e, o) ((e) = (double)(p)[0], (o) = (double)(p)[1])
#define VD_UNPERM(v) (v)
#define VD_MAX(e, l) ((l) > (e) ? (l) : (e))
#define V_MIN(a, b) ((a) < (b) ? (a) : (b))
#define V_MAX(a, b) ((a) > (b) ? (a) : (b))
#define V_UNORD(a, b) ((a) != (a) || (b) != (b))
#define V_ISZERO(v) ((v) == 0)
#define V_ADD(a, b) ((a) + (b))
#define V_SUB(a, b) ((a) - (b))
#define V_MUL(a, b) ((a) * (b))
#define V_DIV(a, b) ((a) / (b))
#define V_SET1(x) ((KT)(x))
#define V_FMA(a, b, c) fmaf((a), (b), (c))
#define V_EXP2STEP(t) KP(exp2step)(t)
#define V_EQ(a, b) ((a) == (b))
#define V_GREATER(a, b) ((a) > (b))
#define V_BLEND(m, l, e) ((m) ? (l) : (e))
#define V_MANT(v) KP(mantf)(v)
#define V_EXPO(v) KP(expof)(v)
#endif
