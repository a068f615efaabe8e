/* kernels-body.h - the band kernels, written once over the operations of
 * kernels-simd.h and compiled per instruction set and element type (see
 * kernels-portable.c, kernels-avx2.c).  No include guard: included once per
 * instantiation, after kernels-simd.h.
 *
 * Order of a region (max, min as max of -x).  The reference (explain.c)
 * visits a region's cells in row-major order and lets a cell win when it
 * is greater than the best so far or NaN: the result is "the last NaN,
 * else the first maximum".  That summary of two consecutive (or
 * overlapping) runs of cells is the summary of their union, the later
 * run's winner taking over when it is greater or NaN.  So the kernels
 * reduce each row of a region along the columns first, then the row
 * results down the rows, grouping consecutive runs as they like
 * (log-doubling, van Herk blocks), and pick the reference's cell bit for
 * bit.  Three places leave that order, each with its reason:
 *   - reduce(): vector lanes hold interleaved cells; the lanes' winners are
 *     combined by index, which gives the same summary;
 *   - comb(nan = false): without NaN, vmaxps(later, earlier) is the rule;
 *   - max_bins_values(): rows first, for values only; the order can only
 *     change which NaN or which zero (+0, -0) wins, so those outputs are
 *     redone in the reference's order.
 *
 * Sums (avg, sum, l2, lp, power) are added in double in an order of their
 * own, within the accumulation's rounding of the reference; the order is
 * fixed by the plan alone, so every build and thread split gives the same
 * bits.
 */

/* ---- max family: candidates with indices ------------------------------- */

/* o[i] = the winner of e[i] and the later l[i] (l wins if greater or NaN).
 * oi == NULL: values only.  o may be e or l, or trail l (o == l - k).
 * nan false promises that no value is NaN: then vmaxps alone picks the
 * same winner (it keeps the earlier of equal values, +0 and -0 too). */
KFN void KP(comb)(const KT *e, const KI *ei, const KT *l, const KI *li, KT *o, KI *oi,
                  size_t n, bool nan)
{
    size_t i = 0;
    if (oi == NULL && !nan) {
        for (; i + VL <= n; i += VL)
            V_ST(o + i, V_FAST(V_LD(e + i), V_LD(l + i)));
        for (; i < n; i++) {
            KT a = e[i], b = l[i];
            o[i] = b > a ? b : a;
        }
        return;
    }
    if (oi == NULL) {
        for (; i + VL <= n; i += VL) {
            VT a = V_LD(e + i), b = V_LD(l + i);
            V_ST(o + i, V_COMB(a, b));
        }
        for (; i < n; i++) {
            KT a = e[i], b = l[i];
            o[i] = b > a || b != b ? b : a;
        }
        return;
    }
    if (!nan) {
        for (; i + VL <= n; i += VL) {
            VT a = V_LD(e + i), b = V_LD(l + i);
            VI ia = VI_LD(ei + i), ib = VI_LD(li + i);
            VM m = V_WINS_NONAN(a, b);
            V_ST(o + i, V_SEL(m, b, a));
            VI_ST(oi + i, VI_SEL(m, ib, ia));
        }
    }
    for (; i + VL <= n; i += VL) {
        VT a = V_LD(e + i), b = V_LD(l + i);
        VI ia = VI_LD(ei + i), ib = VI_LD(li + i);
        VM m = V_WINS(a, b);
        V_ST(o + i, V_SEL(m, b, a));
        VI_ST(oi + i, VI_SEL(m, ib, ia));
    }
    for (; i < n; i++) {
        KT a = e[i], b = l[i];
        KI ia = ei[i], ib = li[i];
        bool wins = b > a || b != b;
        o[i] = wins ? b : a;
        oi[i] = wins ? ib : ia;
    }
}

/* One vector of strided taps into o/oi: copied (init) or folded in as the
 * later candidates. */
KFN void KP(hstep)(VT v, VI iv, KT *o, KI *oi, bool init, bool nan)
{
    if (init) {
        V_ST(o, v);
        if (oi != NULL)
            VI_ST(oi, iv);
        return;
    }
    VT b = V_LD(o);
    if (oi == NULL) {
        V_ST(o, nan ? V_COMB(b, v) : V_FAST(b, v));
        return;
    }
    VM m = nan ? V_WINS(b, v) : V_WINS_NONAN(b, v);
    V_ST(o, V_SEL(m, v, b));
    VI_ST(oi, VI_SEL(m, iv, VI_LD(oi)));
}

/* The taps src[i*s] (plane index idx0 + i*s), i < n, into o/oi: copied
 * (init) or folded in as later candidates.  src[0 .. avail) is readable. */
KFN void KP(hfold)(const KT *src, long s, KI idx0, KT *o, KI *oi, size_t n, size_t avail,
                   bool init, bool nan)
{
    size_t i = 0;
    if (VL > 1 && n >= VL) {
        VI iv = VI_ADD(VI_SET1(idx0), VI_IOTA(s));
        const VI next = VI_SET1((KI)VL * (KI)s);
        if (s == 1) {
            for (; i + VL <= n; i += VL, iv = VI_ADD(iv, next))
                KP(hstep)(V_LD(src + i), iv, o + i, oi ? oi + i : NULL, init, nan);
        } else if (s == 2) {
            for (; i + VL <= n && 2 * (i + VL) <= avail; i += VL, iv = VI_ADD(iv, next))
                KP(hstep)(V_LD2(src + 2 * i), iv, o + i, oi ? oi + i : NULL, init, nan);
        } else {
            for (; i + VL <= n; i += VL, iv = VI_ADD(iv, next))
                KP(hstep)(V_LDS(src + i * (size_t)s, s), iv, o + i, oi ? oi + i : NULL, init, nan);
        }
    }
    for (; i < n; i++) {
        KT v = src[i * (size_t)s];
        KI k = idx0 + (KI)i * (KI)s;
        if (init || v > o[i] || v != v) {
            o[i] = v;
            if (oi != NULL)
                oi[i] = k;
        }
    }
}

/* o[i] = src[i*s], oi[i] = si[i*s] (si may be NULL when oi is). */
KFN void KP(gather)(const KT *src, const KI *si, long s, KT *o, KI *oi, size_t n, size_t avail)
{
    size_t i = 0;
    if (s == 1) {
        memcpy(o, src, n * sizeof *o);
        if (oi != NULL)
            memcpy(oi, si, n * sizeof *oi);
        return;
    }
    if (VL > 1 && s == 2)
        for (; i + VL <= n && 2 * (i + VL) <= avail; i += VL) {
            V_ST(o + i, V_LD2(src + 2 * i));
            if (oi != NULL)
                VI_ST(oi + i, VI_LD2(si + 2 * i));
        }
    for (; i < n; i++) {
        o[i] = src[i * (size_t)s];
        if (oi != NULL)
            oi[i] = si[i * (size_t)s];
    }
}

/* Winner of (bv, bi) and (v, i) when their order is known only by index:
 * the higher-index NaN, else the greater value, ties to the lower index. */
KFN void KP(pick)(KT *bv, KI *bi, KT v, KI i)
{
    bool bn = *bv != *bv, vn = v != v;
    bool take = bn ? vn && i > *bi : vn || v > *bv || (v == *bv && i < *bi);
    if (take) {
        *bv = v;
        *bi = i;
    }
}

/* The winner of src[0 .. n) (n >= 1) in order, plane indices idx0 + i. */
KFN void KP(reduce)(const KT *src, size_t n, KI idx0, KT *best, KI *besti)
{
    KT bv = src[0];
    KI bi = idx0;
    size_t i = 1;
    if (VL > 1 && n >= 2 * VL) {
        VT b = V_LD(src);
        VI bx = VI_ADD(VI_SET1(idx0), VI_IOTA(1));
        VI iv = VI_ADD(bx, VI_SET1(VL));
        const VI next = VI_SET1(VL);
        for (i = VL; i + VL <= n; i += VL, iv = VI_ADD(iv, next)) {
            VT v = V_LD(src + i);
            VM m = V_WINS(b, v);
            b = V_SEL(m, v, b);
            bx = VI_SEL(m, iv, bx);
        }
        KT lane_v[VL];
        KI lane_i[VL];
        V_ST(lane_v, b);
        VI_ST(lane_i, bx);
        bv = lane_v[0];
        bi = lane_i[0];
        for (size_t k = 1; k < VL; k++)
            KP(pick)(&bv, &bi, lane_v[k], lane_i[k]);
    }
    for (; i < n; i++) {
        KT v = src[i];
        if (v > bv || v != v) {
            bv = v;
            bi = idx0 + (KI)i;
        }
    }
    *best = bv;
    *besti = bi;
}

/* The value the reference picks from src[0 .. n), without its index.
 * Lanes fold with NaN propagating; the lanes' order only matters for which
 * NaN or which zero (+0 or -0) wins, so a result that is NaN or zero is
 * redone in order. */
KFN KT KP(reduce_value)(const KT *src, size_t n)
{
    size_t i = 1;
    KT m = src[0];
    if (VL > 1 && n >= 2 * VL) {
        VT b = V_LD(src);
        for (i = VL; i + VL <= n; i += VL)
            b = V_COMB(b, V_LD(src + i));
        KT lanes[VL];
        V_ST(lanes, b);
        m = lanes[0];
        for (size_t k = 1; k < VL; k++)
            m = lanes[k] > m || lanes[k] != lanes[k] ? lanes[k] : m;
        for (; i < n; i++)
            m = src[i] > m || src[i] != src[i] ? src[i] : m;
        if (m == m && m != 0)
            return m;
        m = src[0];
        i = 1;
    }
    for (; i < n; i++)
        m = src[i] > m || src[i] != src[i] ? src[i] : m;
    return m;
}

KFN void KP(negate)(const KT *src, KT *dst, size_t n)
{
    size_t i = 0;
    for (; i + VL <= n; i += VL)
        V_ST(dst + i, V_NEG(V_LD(src + i)));
    for (; i < n; i++)
        dst[i] = -src[i];
}

/* dst = src (negated for min); returns whether any value is NaN. */
KFN bool KP(copy_scan)(const KT *src, KT *dst, size_t n, bool negate)
{
    size_t i = 0;
    bool nan = false;
    if (VL > 1 && n >= VL) {
        VT first = V_LD(src);
        VM any = V_ISNAN(first);
        for (; i + VL <= n; i += VL) {
            VT v = V_LD(src + i);
            any = V_MOR(any, V_ISNAN(v));
            V_ST(dst + i, negate ? V_NEG(v) : v);
        }
        nan = V_ANY(any);
    }
    for (; i < n; i++) {
        KT v = src[i];
        nan = nan || v != v;
        dst[i] = negate ? -v : v;
    }
    return nan;
}

/* ---- sum family: double accumulators ----------------------------------- */

/* dst[i] = the loaded power of src[i], in double. */
KFN void KP(tload)(const KT *src, double *dst, size_t n, int load, double p)
{
    size_t i = 0;
    switch (load) {
    case KL_ID:
        for (; i + VDL <= n; i += VDL)
            VD_ST(dst + i, VD_LDT(src + i));
        for (; i < n; i++)
            dst[i] = (double)src[i];
        break;
    case KL_ABS:
        for (; i + VDL <= n; i += VDL)
            VD_ST(dst + i, VD_ABS(VD_LDT(src + i)));
        for (; i < n; i++)
            dst[i] = fabs((double)src[i]);
        break;
    case KL_SQUARE:
        for (; i + VDL <= n; i += VDL) {
            VD v = VD_LDT(src + i);
            VD_ST(dst + i, VD_MUL(v, v));
        }
        for (; i < n; i++)
            dst[i] = (double)src[i] * (double)src[i];
        break;
    case KL_CUBE:
        for (; i + VDL <= n; i += VDL) {
            VD a = VD_ABS(VD_LDT(src + i));
            VD_ST(dst + i, VD_MUL(VD_MUL(a, a), a));
        }
        for (; i < n; i++) {
            double a = fabs((double)src[i]);
            dst[i] = a * a * a;
        }
        break;
    default:
        if (p == 0.5)
            for (; i < n; i++)
                dst[i] = sqrt(fabs((double)src[i]));
        else
            for (; i < n; i++)
                dst[i] = pow(fabs((double)src[i]), p);
        break;
    }
}

/* One loaded power of x, in double (the scalar tload). */
KFN_FLAT double KP(power_of)(KT x, int load, double p)
{
    double v = (double)x;
    switch (load) {
    case KL_ID:
        return v;
    case KL_ABS:
        return fabs(v);
    case KL_SQUARE:
        return v * v;
    case KL_CUBE:
        v = fabs(v);
        return v * v * v;
    default:
        return p == 0.5 ? sqrt(fabs(v)) : pow(fabs(v), p);
    }
}

KFN_FLAT VD KP(vpower_of)(VD v, const int load)
{
    switch (load) {
    case KL_ABS:
        return VD_ABS(v);
    case KL_SQUARE:
        return VD_MUL(v, v);
    case KL_CUBE:
        v = VD_ABS(v);
        return VD_MUL(VD_MUL(v, v), v);
    default:
        return v;
    }
}

/* o[i] = (init ? 0 : o[i]) + src[i*s]; src[0 .. avail) is readable. */
KFN void KP(dsum)(const double *src, long s, double *o, size_t n, size_t avail, bool init)
{
    size_t i = 0;
    if (init) {
        if (s == 1) {
            memcpy(o, src, n * sizeof *o);
            return;
        }
        if (VDL > 1 && s == 2)
            for (; i + VDL <= n && 2 * (i + VDL) <= avail; i += VDL)
                VD_ST(o + i, VD_LD2(src + 2 * i));
        for (; i < n; i++)
            o[i] = src[i * (size_t)s];
        return;
    }
    if (s == 1) {
        for (; i + VDL <= n; i += VDL)
            VD_ST(o + i, VD_ADD(VD_LD(o + i), VD_LD(src + i)));
    } else if (s == 2) {
        for (; i + VDL <= n && 2 * (i + VDL) <= avail; i += VDL)
            VD_ST(o + i, VD_ADD(VD_LD(o + i), VD_LD2(src + 2 * i)));
    } else {
        for (; i + VDL <= n; i += VDL)
            VD_ST(o + i, VD_ADD(VD_LD(o + i), VD_LDS(src + i * (size_t)s, s)));
    }
    for (; i < n; i++)
        o[i] += src[i * (size_t)s];
}

/* o[i] = a[i] + b[i]; o may be a, or trail b. */
KFN void KP(dadd)(const double *a, const double *b, double *o, size_t n)
{
    size_t i = 0;
    for (; i + VDL <= n; i += VDL)
        VD_ST(o + i, VD_ADD(VD_LD(a + i), VD_LD(b + i)));
    for (; i < n; i++)
        o[i] = a[i] + b[i];
}

/* The sum of src[0 .. n): 16 interleaved partial sums (element i goes to
 * sum i % 16 while whole blocks of 16 last), added up in a fixed order,
 * then the rest in order.  The same additions at any vector width. */
KFN double KP(dreduce)(const double *src, size_t n)
{
    size_t i = 0;
    double total = 0;
    if (n >= 16) {
        double part[16];
#if VDL == 4
        VD s0 = VD_LD(src), s1 = VD_LD(src + 4), s2 = VD_LD(src + 8), s3 = VD_LD(src + 12);
        for (i = 16; i + 16 <= n; i += 16) {
            s0 = VD_ADD(s0, VD_LD(src + i));
            s1 = VD_ADD(s1, VD_LD(src + i + 4));
            s2 = VD_ADD(s2, VD_LD(src + i + 8));
            s3 = VD_ADD(s3, VD_LD(src + i + 12));
        }
        VD_ST(part, s0);
        VD_ST(part + 4, s1);
        VD_ST(part + 8, s2);
        VD_ST(part + 12, s3);
#else
        memcpy(part, src, sizeof part);
        for (i = 16; i + 16 <= n; i += 16)
            for (size_t k = 0; k < 16; k++)
                part[k] += src[i + k];
#endif
        for (size_t k = 0; k < 4; k++)
            total += (part[k] + part[k + 4]) + (part[k + 8] + part[k + 12]);
    }
    for (; i < n; i++)
        total += src[i];
    return total;
}

/* x^(1/3) for normal x > 0 (anything for other x).  The bit trick guesses
 * r ~ x^(-1/3) from the high half of x, within 11%: e = 1 - x r^3 lies in
 * [-0.107, 0.100].  Then x^(1/3) = (x r^2) (1 - e)^(-2/3).
 *   float32: (1 - e)^(-2/3) is a degree-6 polynomial in e, a minimax fit
 *     on that interval to 7.3e-10 (relative; the arithmetic adds a few
 *     units of double): ten multiplies and FMAs, where three Newton steps
 *     took fifteen for 1e-9.
 *   float64: Newton steps r <- r (4/3 - (x/3) r^3) ((x/3) r times r^2,
 *     fused with the difference: nothing overflows, each step a short
 *     chain), four of them to a few units of double, then x r^2.
 * cbrt1 and vcbrt do the same operations, so every lane matches the scalar
 * path. */
#define KERNELS_CBRT_C0 0x1.00000000a4ddep+0
#define KERNELS_CBRT_C1 0x1.555556f564080p-1
#define KERNELS_CBRT_C2 0x1.1c71bcdd97f55p-1
#define KERNELS_CBRT_C3 0x1.f9a42d6f4a6eep-2
#define KERNELS_CBRT_C4 0x1.cf9e694d7f8c8p-2
#define KERNELS_CBRT_C5 0x1.b7d0c4b8e9efap-2
#define KERNELS_CBRT_C6 0x1.9697ac70298a4p-2

KFN double KP(cbrt1)(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t q = ((bits >> 32) * 0xAAAAAAABu) >> 33; /* (high half) / 3 */
    uint64_t guess = (0x553EF0FFu - q) << 32; /* what borrows shifts out */
    double r;
    memcpy(&r, &guess, sizeof r);
    if (KT_F32) {
        const double xr2 = x * (r * r), e = fma(-xr2, r, 1.0);
        double poly = fma(KERNELS_CBRT_C6, e, KERNELS_CBRT_C5);
        poly = fma(poly, e, KERNELS_CBRT_C4);
        poly = fma(poly, e, KERNELS_CBRT_C3);
        poly = fma(poly, e, KERNELS_CBRT_C2);
        poly = fma(poly, e, KERNELS_CBRT_C1);
        poly = fma(poly, e, KERNELS_CBRT_C0);
        return xr2 * poly;
    }
    const double x3 = x * (1.0 / 3.0);
    for (int step = 0; step < 4; step++)
        r = r * fma(-(x3 * r), r * r, 4.0 / 3.0);
    return x * r * r;
}

#if KISA_AVX2
KFN VD KP(vcbrt)(VD x)
{
    __m256i hi = _mm256_srli_epi64(_mm256_castpd_si256(x), 32);
    __m256i q = _mm256_srli_epi64(_mm256_mul_epu32(hi, _mm256_set1_epi64x(0xAAAAAAABu)), 33);
    /* what borrows into the high half shifts out */
    __m256i guess = _mm256_slli_epi64(_mm256_sub_epi64(_mm256_set1_epi64x(0x553EF0FF), q), 32);
    VD r = _mm256_castsi256_pd(guess);
    if (KT_F32) {
        const VD xr2 = VD_MUL(x, VD_MUL(r, r)), e = _mm256_fnmadd_pd(xr2, r, VD_SET1(1.0));
        VD poly = _mm256_fmadd_pd(VD_SET1(KERNELS_CBRT_C6), e, VD_SET1(KERNELS_CBRT_C5));
        poly = _mm256_fmadd_pd(poly, e, VD_SET1(KERNELS_CBRT_C4));
        poly = _mm256_fmadd_pd(poly, e, VD_SET1(KERNELS_CBRT_C3));
        poly = _mm256_fmadd_pd(poly, e, VD_SET1(KERNELS_CBRT_C2));
        poly = _mm256_fmadd_pd(poly, e, VD_SET1(KERNELS_CBRT_C1));
        poly = _mm256_fmadd_pd(poly, e, VD_SET1(KERNELS_CBRT_C0));
        return VD_MUL(xr2, poly);
    }
    const VD four_thirds = VD_SET1(4.0 / 3.0), x3 = VD_MUL(x, VD_SET1(1.0 / 3.0));
#define CBRT_STEP r = VD_MUL(r, _mm256_fnmadd_pd(VD_MUL(x3, r), VD_MUL(r, r), four_thirds))
    CBRT_STEP;
    CBRT_STEP;
    CBRT_STEP;
    CBRT_STEP;
#undef CBRT_STEP
    return VD_MUL(VD_MUL(x, r), r);
}
#else
KFN VD KP(vcbrt)(VD x)
{
    return KP(cbrt1)(x);
}
#endif

/* The sum of the loaded powers of src[0 .. n) in the order of
 * dreduce(tload(src)): the same value, without the buffer (not KL_POW). */
KFN_FLAT double KP(tsum_flat)(const KT *src, size_t n, const int load, double p)
{
    size_t i = 0;
    double total = 0;
    if (n >= 16) {
        double part[16];
#if VDL == 4
        VD s0 = KP(vpower_of)(VD_LDT(src), load), s1 = KP(vpower_of)(VD_LDT(src + 4), load),
           s2 = KP(vpower_of)(VD_LDT(src + 8), load), s3 = KP(vpower_of)(VD_LDT(src + 12), load);
        for (i = 16; i + 16 <= n; i += 16) {
            s0 = VD_ADD(s0, KP(vpower_of)(VD_LDT(src + i), load));
            s1 = VD_ADD(s1, KP(vpower_of)(VD_LDT(src + i + 4), load));
            s2 = VD_ADD(s2, KP(vpower_of)(VD_LDT(src + i + 8), load));
            s3 = VD_ADD(s3, KP(vpower_of)(VD_LDT(src + i + 12), load));
        }
        VD_ST(part, VD_ADD(VD_ADD(s0, s1), VD_ADD(s2, s3)));
#else
        for (size_t k = 0; k < 16; k++)
            part[k] = KP(power_of)(src[k], load, p);
        for (i = 16; i + 16 <= n; i += 16)
            for (size_t k = 0; k < 16; k++)
                part[k] += KP(power_of)(src[i + k], load, p);
        for (size_t k = 0; k < 4; k++)
            part[k] = (part[k] + part[k + 4]) + (part[k + 8] + part[k + 12]);
#endif
        total = ((part[0] + part[1]) + part[2]) + part[3];
    }
    for (; i < n; i++)
        total += KP(power_of)(src[i], load, p);
    return total;
}

/* The norms' safe range of power sums, [2^-968, DBL_MAX]: whether some v
 * seen so far (SAFE_AND) fell outside it or was NaN (SAFE_BROKEN).  With
 * AVX2 by the high 32 bits of each double, signed: v is in the range just
 * when they lie in [0x03700000 (2^-968, whose low half is 0), 0x7FEFFFFF
 * (below infinity and NaN)]; negative v have them negative.  Their least and
 * largest so far are two integer operations a vector, where two compares
 * and two ands of the doubles were four. */
#if KISA_AVX2
typedef struct {
    __m256i least, largest; /* over the 32-bit lanes; the odd ones count */
} KP(safe_t);
#define SAFE_T KP(safe_t)
#define SAFE_ALL {_mm256_set1_epi32(INT32_MAX), _mm256_set1_epi32(INT32_MIN)}
#define SAFE_AND(ok, v)                                                        \
    ((ok).least = _mm256_min_epi32((ok).least, _mm256_castpd_si256(v)),       \
     (ok).largest = _mm256_max_epi32((ok).largest, _mm256_castpd_si256(v)))
#define SAFE_BROKEN(ok)                                                        \
    ((_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_or_si256(                 \
          _mm256_cmpgt_epi32(_mm256_set1_epi32(0x03700000), (ok).least),     \
          _mm256_cmpgt_epi32((ok).largest, _mm256_set1_epi32(0x7FEFFFFF))))) & 0xAA) != 0)
#else
#define SAFE_T bool
#define SAFE_ALL true
#define SAFE_AND(ok, v) ((ok) = (ok) && (v) >= 0x1p-968 && (v) <= DBL_MAX)
#define SAFE_BROKEN(ok) (!(ok))
#endif

/* The sum finish_n finishes at i (see there); keep[i] gets the partial
 * sum it asks for. */
KFN_FLAT VD KP(ld_acc)(const double *acc, const double *acc2, const double *acc3, double *keep,
                       size_t i, const int nsrc)
{
    VD t;
    switch (nsrc) {
    case 1:
        return VD_LD(acc + i);
    case 2:
        return VD_ADD(VD_LD(acc + i), VD_LD(acc2 + i));
    case 3:
        return VD_ADD(VD_ADD(VD_LD(acc + i), VD_LD(acc2 + i)), VD_LD(acc3 + i));
    case 4:
        t = VD_ADD(VD_LD(acc2 + i), VD_LD(acc3 + i));
        VD_ST(keep + i, t);
        return VD_ADD(VD_LD(acc + i), t);
    default:
        t = VD_ADD(VD_LD(acc + i), VD_LD(acc2 + i));
        VD_ST(keep + i, t);
        return t;
    }
}

KFN_FLAT double KP(acc1)(const double *acc, const double *acc2, const double *acc3, double *keep,
                         size_t i, const int nsrc)
{
    switch (nsrc) {
    case 1:
        return acc[i];
    case 2:
        return acc[i] + acc2[i];
    case 3:
        return (acc[i] + acc2[i]) + acc3[i];
    case 4:
        keep[i] = acc2[i] + acc3[i];
        return acc[i] + keep[i];
    default:
        keep[i] = acc[i] + acc2[i];
        return keep[i];
    }
}

/* out[i] = the finished value of the sum acc[i] (nsrc 1; or of
 * acc[i] + acc2[i] (2), (acc[i] + acc2[i]) + acc3[i] (3),
 * acc[i] + (keep[i] = acc2[i] + acc3[i]) (4), keep[i] = acc[i] + acc2[i] (5),
 * added as they are read; not for roots): divided by its divisor
 * (divisor, or row * col[i] when divisor is 0), or multiplied by it when
 * `reciprocal` says row, col and divisor are reciprocals (of powers of two:
 * the same result; or float32 averages, see sum_finish_row), then the p-th
 * root.  For a root, true if some acc[i] lies outside the norms' safe range
 * (its output is then to be recomputed, see sum_fix_row); else false. */
KFN_FLAT bool KP(finish_n)(const double *acc, const double *acc2, const double *acc3,
                           double *keep, const int nsrc, size_t n, int finish, double p,
                           double divisor, double row, const double *col, bool reciprocal,
                           KT *out)
{
#define LD_ACC(i) KP(ld_acc)(acc, acc2, acc3, keep, (i), nsrc)
#define ACC1(i) KP(acc1)(acc, acc2, acc3, keep, (i), nsrc)
    size_t i = 0;
    if (finish == KF_SUM) {
        for (; i + VDL <= n; i += VDL)
            VD_STT(out + i, LD_ACC(i));
        for (; i < n; i++)
            out[i] = (KT)ACC1(i);
        return false;
    }
    const VD dconst = VD_SET1(divisor), dr = VD_SET1(row);
    const bool root = finish == KF_ROOT;
    /* 0: as it is, 1: times the reciprocal, 2: by the divisor */
    const int how = divisor == 1 ? 0 : reciprocal ? 1 : 2;
    SAFE_T safe = SAFE_ALL;
#define FINISH_SCALE(v, i)                                                     \
    (how == 0   ? (v)                                                          \
     : how == 1 ? VD_MUL((v), divisor != 0 ? dconst : VD_MUL(dr, VD_LD(col + (i)))) \
                : VD_DIV((v), divisor != 0 ? dconst : VD_MUL(dr, VD_LD(col + (i)))))
    if (root && p == 3) {
        /* four independent cube roots at a time: each is a long chain */
        for (; i + 4 * VDL <= n; i += 4 * VDL) {
            VD a0 = VD_LD(acc + i), a1 = VD_LD(acc + i + VDL), a2 = VD_LD(acc + i + 2 * VDL),
               a3 = VD_LD(acc + i + 3 * VDL);
            SAFE_AND(safe, a0);
            SAFE_AND(safe, a1);
            SAFE_AND(safe, a2);
            SAFE_AND(safe, a3);
            VD v0 = KP(vcbrt)(FINISH_SCALE(a0, i));
            VD v1 = KP(vcbrt)(FINISH_SCALE(a1, i + VDL));
            VD v2 = KP(vcbrt)(FINISH_SCALE(a2, i + 2 * VDL));
            VD v3 = KP(vcbrt)(FINISH_SCALE(a3, i + 3 * VDL));
            VD_STT(out + i, v0);
            VD_STT(out + i + VDL, v1);
            VD_STT(out + i + 2 * VDL, v2);
            VD_STT(out + i + 3 * VDL, v3);
        }
    }
    if (!root || p == 1 || p == 2 || p == 3)
        for (; i + VDL <= n; i += VDL) {
            VD a = LD_ACC(i);
            if (root)
                SAFE_AND(safe, a);
            VD v = FINISH_SCALE(a, i);
            if (root && p == 2)
                v = VD_SQRT(v);
            else if (root && p == 3)
                v = KP(vcbrt)(v);
            VD_STT(out + i, v);
        }
#undef FINISH_SCALE
    bool broken = root && SAFE_BROKEN(safe);
    for (; i < n; i++) {
        const double d = divisor != 0 ? divisor : row * col[i], x = ACC1(i);
        double v = divisor == 1 ? x : reciprocal ? x * d : x / d;
        if (root && p != 1)
            v = p == 2 ? sqrt(v) : p == 3 ? KP(cbrt1)(v) : pow(v, 1.0 / p);
        out[i] = (KT)v;
        broken = broken || (root && !(x >= 0x1p-968 && x <= DBL_MAX));
    }
#undef LD_ACC
#undef ACC1
    return broken;
}

KFN bool KP(finish)(const double *acc, size_t n, int finish, double p, double divisor,
                    double row, const double *col, bool reciprocal, KT *out)
{
    return KP(finish_n)(acc, NULL, NULL, NULL, 1, n, finish, p, divisor, row, col, reciprocal,
                        out);
}

/* finish_n for nsrc 2 to 5 (not for roots: KF_ROOT checks the sums). */
KFN void KP(finish_sum)(const double *acc, const double *acc2, const double *acc3, double *keep,
                        int nsrc, size_t n, int finish, double p, double divisor, double row,
                        const double *col, bool reciprocal, KT *out)
{
    switch (nsrc) {
    case 2:
        KP(finish_n)(acc, acc2, NULL, NULL, 2, n, finish, p, divisor, row, col, reciprocal, out);
        break;
    case 3:
        KP(finish_n)(acc, acc2, acc3, NULL, 3, n, finish, p, divisor, row, col, reciprocal, out);
        break;
    case 4:
        KP(finish_n)(acc, acc2, acc3, keep, 4, n, finish, p, divisor, row, col, reciprocal, out);
        break;
    default:
        KP(finish_n)(acc, acc2, NULL, keep, 5, n, finish, p, divisor, row, col, reciprocal, out);
        break;
    }
}

/* ---- scratch ------------------------------------------------------------ */

/* Carve `bytes` (rounded up to 64) from *cursor. */
KFN void *KP(take)(char **cursor, size_t bytes)
{
    void *p = *cursor;
    *cursor += (bytes + 63) & ~(size_t)63;
    return p;
}

/* The input rows [*ra, *rb] the band's windows read; false if none. */
KFN bool KP(band_rows)(const kern_axis *ry, size_t oy0, size_t oy1, long *ra, long *rb)
{
    long lo = LONG_MAX, hi = -1;
    for (size_t oy = oy0; oy < oy1; oy++) {
        if (ry->count[oy] == 0)
            continue;
        long f = ry->first[oy], l = f + (ry->count[oy] - 1) * ry->step;
        if (f < lo)
            lo = f;
        if (l > hi)
            hi = l;
    }
    *ra = lo;
    *rb = hi;
    return hi >= lo;
}

/* need[r - ra] = 1 for every row a window of the band reads. */
KFN void KP(mark_rows)(const kern_axis *ry, size_t oy0, size_t oy1, long ra, long rb,
                       bool all, unsigned char *need)
{
    memset(need, all, (size_t)(rb - ra + 1));
    if (all)
        return;
    for (size_t oy = oy0; oy < oy1; oy++)
        for (long t = 0; t < ry->count[oy]; t++)
            need[ry->first[oy] + t * ry->step - ra] = 1;
}

/* The reference's index for a window without input cells: its first tap,
 * moved on by the dilation until it is not negative. */
KFN int64_t KP(empty_index)(const kern_axis *ry, const kern_axis *cx, size_t oy, size_t ox)
{
    long r = ry->start[oy], c = cx->start[ox];
    while (r < 0)
        r += ry->step;
    while (c < 0)
        c += cx->step;
    int64_t flat = (int64_t)r * (int64_t)cx->in + c;
    /* PyTorch's number, which may name a cell of a later row; -1 where it
     * would fall past the plane */
    return flat < (int64_t)(ry->in * cx->in) ? flat : -1;
}

/* ---- max family: one band ---------------------------------------------- */

/* Column pass of input row r into hv/hx (min: of -x).  Regular windows
 * read the row through pbuf: negated for min, with -inf in the padding and
 * 2*VL cells of slack after it, so every window is read the same way.  A
 * padding cell wins only when every input cell of its window is -inf (or
 * there is none); the index then moves to the window's first input cell,
 * as in the reference. */
KFN bool KP(max_row)(const kern_axis *cx, const KT *row, bool negate, size_t r, KT *hv, KI *hx,
                     KT *pbuf, KT *tv, KI *tx)
{
    const size_t W = cx->in, ow = cx->out;
    const KI base = (KI)(r * W);
    if (!cx->regular) {
        const KT *src = row;
        if (negate) {
            KP(negate)(row, pbuf, W);
            src = pbuf;
        }
        for (size_t ox = 0; ox < ow; ox++) {
            long f = cx->first[ox], n = cx->count[ox];
            KT bv = -(KT)INFINITY;
            KI bi = -1;
            if (n > 0 && cx->step == 1 && n >= 2 * VL && hx == NULL) {
                bv = KP(reduce_value)(src + f, (size_t)n);
            } else if (n > 0 && cx->step == 1 && n >= 2 * VL) {
                KP(reduce)(src + f, (size_t)n, base + (KI)f, &bv, &bi);
            } else if (n > 0) {
                bv = src[f];
                bi = base + (KI)f;
                for (long t = 1; t < n; t++) {
                    KT v = src[f + t * cx->step];
                    if (v > bv || v != v) {
                        bv = v;
                        bi = base + (KI)(f + t * cx->step);
                    }
                }
            }
            hv[ox] = bv;
            if (hx != NULL)
                hx[ox] = bi;
        }
        return true;
    }

    const size_t pad = (size_t)cx->pad, len = pad + W + (size_t)cx->reach;
    const long s = cx->stride, d = cx->step, K = cx->taps;
    const KT *src = row;
    size_t avail = W;
    bool nan = true; /* unknown: fold exactly */
    if (negate || pad > 0 || cx->reach > 0 || s == 2 || K > 3) {
        for (size_t i = 0; i < pad; i++)
            pbuf[i] = -(KT)INFINITY;
        nan = KP(copy_scan)(row, pbuf + pad, W, negate);
        for (size_t i = pad + W; i < len + 2 * VL; i++)
            pbuf[i] = -(KT)INFINITY;
        src = pbuf;
        avail = len + 2 * VL;
    }
    const KI base_p = base - (KI)pad; /* the index of src[0] */
    if (cx->method == KM_DOUBLING) {
        /* tv[c] covers `span` taps from src[c]: double span while it fits
         * in K, then overlap two spans for the rest */
        const size_t span_len = (ow - 1) * (size_t)s + (size_t)((K - 1) * d) + 1;
        KI *ti = hx ? tx : NULL;
        long span = 2;
        if (hx == NULL) {
            /* values only: the first doubling straight from the row */
            KP(comb)(src, NULL, src + d, NULL, tv, NULL, span_len - (size_t)d, nan);
        } else {
            KP(hfold)(src, 1, base_p, tv, ti, span_len, avail, true, nan);
            KP(comb)(tv, ti, tv + d, ti + d, tv, ti, span_len - (size_t)d, nan);
        }
        while (2 * span <= K) {
            size_t valid = span_len - (size_t)((2 * span - 1) * d);
            KP(comb)(tv, ti, tv + span * d, ti ? ti + span * d : NULL, tv, ti, valid, nan);
            span *= 2;
        }
        if (span < K && s == 1) {
            /* the last overlap writes the outputs directly */
            KP(comb)(tv, ti, tv + (K - span) * d, ti ? ti + (K - span) * d : NULL, hv, hx, ow,
                     nan);
        } else {
            if (span < K) {
                size_t valid = span_len - (size_t)((K - 1) * d);
                KP(comb)(tv, ti, tv + (K - span) * d, ti ? ti + (K - span) * d : NULL, tv, ti,
                         valid, nan);
            }
            KP(gather)(tv, ti, s, hv, hx, ow, span_len - (size_t)((K - 1) * d));
        }
    } else {
        for (long t = 0; t < K; t++)
            KP(hfold)(src + t * d, s, base_p + (KI)(t * d), hv, hx, ow, avail - (size_t)(t * d),
                      t == 0, nan);
    }
    if (hx == NULL)
        return nan;
    for (size_t ox = 0; ox < ow; ox++) {
        if (ox == cx->lo && cx->hi > cx->lo)
            ox = cx->hi; /* interior windows have no padding */
        if (ox < ow && cx->count[ox] > 0 && (hx[ox] < base || hx[ox] >= base + (KI)W))
            hx[ox] = base + (KI)cx->first[ox];
    }
    return nan;
}

/* Buffers of a max band: the column results of its rows ra.., then van
 * Herk's suffixes; hv/hx become the prefixes once the suffixes are built. */
typedef struct KP(max_bufs) {
    long ra;
    KT *hv, *sv;
    KI *hx, *sx, *oidx;
    bool nan; /* some column result is NaN: fold exactly */
} KP(max_bufs);

/* Output row oy of a max band: from the column results row by row
 * (direct), or from one suffix and one prefix row (van Herk, where rows
 * outside the input are -inf with index -1). */
KFN void KP(max_out_row)(const kern_band_args *a, const KP(max_bufs) *b, size_t oy,
                         bool vanherk)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t ow = cx->out;
    const bool want = a->idx != NULL;
    const long n = ry->count[oy], K = ry->taps, d = ry->step;
    KT *o = (KT *)a->out + oy * ow;
    KI *oidx = want ? b->oidx : NULL;
    if (n == 0) {
        for (size_t ox = 0; ox < ow; ox++)
            o[ox] = -(KT)INFINITY;
    } else if (vanherk) {
        const long f = ry->start[oy];
        size_t last = (size_t)(f + (K - 1) * d - b->ra) * ow, first = (size_t)(f - b->ra) * ow;
        if ((f - ry->start[0]) / d % K == 0) {
            memcpy(o, b->hv + last, ow * sizeof(KT));
            if (want)
                memcpy(oidx, b->hx + last, ow * sizeof(KI));
        } else {
            KP(comb)(b->sv + first, want ? b->sx + first : NULL, b->hv + last,
                     want ? b->hx + last : NULL, o, oidx, ow, b->nan);
        }
    } else {
        const long f = ry->first[oy];
        size_t at = (size_t)(f - b->ra) * ow;
        if (n == 1) {
            memcpy(o, b->hv + at, ow * sizeof(KT));
            if (want)
                memcpy(oidx, b->hx + at, ow * sizeof(KI));
        } else {
            size_t next = at + (size_t)d * ow;
            KP(comb)(b->hv + at, want ? b->hx + at : NULL, b->hv + next,
                     want ? b->hx + next : NULL, o, oidx, ow, b->nan);
            for (long t = 2; t < n; t++) {
                at = (size_t)(f + t * d - b->ra) * ow;
                KP(comb)(o, oidx, b->hv + at, want ? b->hx + at : NULL, o, oidx, ow, b->nan);
            }
        }
    }
    if (a->kp->is_min)
        KP(negate)(o, o, ow);
    if (want) {
        int64_t *idx = a->idx + oy * ow;
        const int64_t first_row = (int64_t)ry->first[oy] * (int64_t)cx->in;
        for (size_t ox = 0; ox < ow; ox++) {
            if (n == 0 || cx->count[ox] == 0)
                idx[ox] = KP(empty_index)(ry, cx, oy, ox);
            else if (oidx[ox] < 0) /* a row outside the input: all cells were -inf */
                idx[ox] = first_row + cx->first[ox];
            else
                idx[ox] = (int64_t)oidx[ox];
        }
    }
}

/* The reference's value for output (oy, ox) of a max band, in its order:
 * along each row's columns, then down the rows (values of -x for min). */
KFN KT KP(window_max)(const kern_band_args *a, size_t oy, size_t ox)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const KT *in = a->in;
    const bool neg = a->kp->is_min;
    KT best = 0;
    for (long i = 0; i < ry->count[oy]; i++) {
        const KT *p = in + (size_t)(ry->first[oy] + i * ry->step) * cx->in + cx->first[ox];
        KT h = neg ? -p[0] : p[0];
        for (long j = 1; j < cx->count[ox]; j++) {
            KT v = neg ? -p[j * cx->step] : p[j * cx->step];
            h = v > h || v != v ? v : h;
        }
        best = i == 0 || h > best || h != h ? h : best;
    }
    return best;
}

/* Values of bins (adaptive, global-like, graham fractional: windows of
 * consecutive cells, each holding input): each output row folds its rows
 * elementwise into acc, NaN propagating, then each bin reduces its part of
 * acc.  The order differs from the reference's, which only matters when the
 * result is NaN or zero (which NaN, +0 or -0): those are redone in order. */
KFN void KP(max_bins_values)(const kern_band_args *a, KT *acc)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const KT *in = a->in;
    const bool neg = a->kp->is_min;
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        KT *o = (KT *)a->out + oy * ow;
        const KT *row = in + (size_t)ry->first[oy] * W;
        size_t j = 0;
        if (neg) {
            for (; j + VL <= W; j += VL) {
                VT m = V_NEG(V_LD(row + j));
                for (long i = 1; i < ry->count[oy]; i++)
                    m = V_COMB(m, V_NEG(V_LD(row + (size_t)i * W + j)));
                V_ST(acc + j, m);
            }
        } else {
            for (; j + VL <= W; j += VL) {
                VT m = V_LD(row + j);
                for (long i = 1; i < ry->count[oy]; i++)
                    m = V_COMB(m, V_LD(row + (size_t)i * W + j));
                V_ST(acc + j, m);
            }
        }
        for (; j < W; j++) {
            KT m = neg ? -row[j] : row[j];
            for (long i = 1; i < ry->count[oy]; i++) {
                KT v = neg ? -row[(size_t)i * W + j] : row[(size_t)i * W + j];
                m = v > m || v != v ? v : m;
            }
            acc[j] = m;
        }
        for (size_t ox = 0; ox < ow; ox++) {
            KT v = KP(reduce_value)(acc + cx->first[ox], (size_t)cx->count[ox]);
            if (v != v || v == 0)
                v = KP(window_max)(a, oy, ox);
            o[ox] = neg ? -v : v;
        }
    }
}

KFN void KP(max_s2_band)(const kern_band_args *a);

KFN void KP(max_band)(const kern_band_args *a)
{
    if (a->kp->fused_s2 && a->idx == NULL) {
        KP(max_s2_band)(a);
        return;
    }
    if (a->kp->bins_values && a->idx == NULL) {
        KP(max_bins_values)(a, a->scratch);
        return;
    }
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t H = ry->in, W = cx->in, ow = cx->out;
    const KT *in = a->in;
    const bool want = a->idx != NULL;
    const bool vanherk = ry->method == KM_VANHERK;
    const long K = ry->taps, d = ry->step;
    char *cursor = a->scratch;
    long ra, rb;
    bool any;
    if (vanherk) {
        /* the windows' whole span: rows outside the input are -inf */
        ra = ry->start[a->oy0];
        rb = ry->start[a->oy1 - 1] + (K - 1) * d;
        any = true;
    } else {
        any = KP(band_rows)(ry, a->oy0, a->oy1, &ra, &rb);
    }
    const size_t nrows = any ? (size_t)(rb - ra + 1) : 0;

    KP(max_bufs) b;
    b.ra = ra;
    b.nan = false;
    b.hv = KP(take)(&cursor, nrows * ow * sizeof(KT));
    b.hx = want ? KP(take)(&cursor, nrows * ow * sizeof(KI)) : NULL;
    b.sv = vanherk ? KP(take)(&cursor, nrows * ow * sizeof(KT)) : NULL;
    b.sx = vanherk && want ? KP(take)(&cursor, nrows * ow * sizeof(KI)) : NULL;
    b.oidx = KP(take)(&cursor, ow * sizeof(KI));
    unsigned char *need = KP(take)(&cursor, nrows + 1);
    const size_t padded = W + (size_t)(cx->pad + cx->reach) + 2 * VL;
    KT *rowbuf = KP(take)(&cursor, padded * sizeof(KT));
    KT *tv = KP(take)(&cursor, padded * sizeof(KT));
    KI *tx = KP(take)(&cursor, padded * sizeof(KI));
    KT *hv = b.hv, *sv = b.sv;
    KI *hx = b.hx, *sx = b.sx;

    if (!any) {
        for (size_t oy = a->oy0; oy < a->oy1; oy++)
            KP(max_out_row)(a, &b, oy, false);
        return;
    }
    KP(mark_rows)(ry, a->oy0, a->oy1, ra, rb, vanherk, need);
    for (long r = ra; r <= rb; r++) {
        size_t at = (size_t)(r - ra) * ow;
        if (r < 0 || r >= (long)H) {
            for (size_t ox = 0; ox < ow; ox++)
                hv[at + ox] = -(KT)INFINITY;
            if (want)
                for (size_t ox = 0; ox < ow; ox++)
                    hx[at + ox] = -1;
        } else if (need[r - ra]) {
            b.nan |= KP(max_row)(cx, in + (size_t)r * W, kp->is_min, (size_t)r, hv + at,
                                 want ? hx + at : NULL, rowbuf, tv, tx);
        }
    }
    if (!vanherk) {
        for (size_t oy = a->oy0; oy < a->oy1; oy++)
            KP(max_out_row)(a, &b, oy, false);
        return;
    }
    /* van Herk: blocks of K taps along each chain r, r+d, r+2d, ...,
     * aligned at the first window's first row, so every band builds the
     * same blocks.  S: from a row to its block's end; then P, in place:
     * from its block's start to a row. */
    const long origin = ry->start[0];
    for (long r = rb; r >= ra; r--) {
        size_t at = (size_t)(r - ra) * ow;
        if ((r - origin) / d % K == K - 1 || r + d > rb) {
            memcpy(sv + at, hv + at, ow * sizeof(KT));
            if (want)
                memcpy(sx + at, hx + at, ow * sizeof(KI));
        } else {
            size_t next = at + (size_t)d * ow;
            KP(comb)(hv + at, want ? hx + at : NULL, sv + next, want ? sx + next : NULL,
                     sv + at, want ? sx + at : NULL, ow, b.nan);
        }
    }
    for (long r = ra + d; r <= rb; r++) {
        if ((r - origin) / d % K == 0)
            continue;
        size_t at = (size_t)(r - ra) * ow, prev = at - (size_t)d * ow;
        KP(comb)(hv + prev, want ? hx + prev : NULL, hv + at, want ? hx + at : NULL, hv + at,
                 want ? hx + at : NULL, ow, b.nan);
    }
    for (size_t oy = a->oy0; oy < a->oy1; oy++)
        KP(max_out_row)(a, &b, oy, true);
}

/* ---- sum family: one band ----------------------------------------------- */

/* The norm of one window by the reference's scaled two-pass formula, for
 * the windows whose power sum left the safe range of double. */
KFN double KP(norm_window)(const kern_band_args *a, size_t oy, size_t ox, double divisor)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const KT *in = a->in;
    const double p = a->kp->p;
    double m = 0, scaled = 0;
    for (long i = 0; i < ry->count[oy] && !isnan(m); i++)
        for (long j = 0; j < cx->count[ox]; j++) {
            double v = fabs((double)in[(size_t)(ry->first[oy] + i * ry->step) * cx->in +
                                       (size_t)(cx->first[ox] + j * cx->step)]);
            if (isnan(v)) {
                m = v;
                break;
            }
            if (v > m)
                m = v;
        }
    if (m > 0 && !isinf(m) && !isnan(m))
        for (long i = 0; i < ry->count[oy]; i++)
            for (long j = 0; j < cx->count[ox]; j++)
                scaled += opmath_scaled_power(
                    in[(size_t)(ry->first[oy] + i * ry->step) * cx->in +
                       (size_t)(cx->first[ox] + j * cx->step)],
                    m, p);
    return opmath_finish_norm(m, scaled, divisor, p);
}

/* Column pass of input row src into hv (double sums of the loaded powers).
 * tb, tr: scratch rows of pad + W + reach doubles. */
KFN void KP(sum_row)(const kern_plan *kp, const kern_axis *cx, const KT *src, double *hv,
                     double *tb, double *tr)
{
    const size_t W = cx->in, ow = cx->out;
    if (!cx->regular) {
        KP(tload)(src, tb, W, kp->load, kp->p);
        for (size_t ox = 0; ox < ow; ox++) {
            const double *w = tb + cx->first[ox];
            size_t n = (size_t)cx->count[ox];
            double total = 0;
            if (cx->step == 1 && n >= 4 * VDL) {
                total = KP(dreduce)(w, n);
            } else {
                for (size_t t = 0; t < n; t++)
                    total += w[t * (size_t)cx->step];
            }
            hv[ox] = total;
        }
        return;
    }
    /* the row with its padding as zeros: window ox starts at tb[ox * s] */
    const size_t pad = (size_t)cx->pad, len = pad + W + (size_t)cx->reach;
    const long s = cx->stride, d = cx->step, K = cx->taps;
    memset(tb, 0, pad * sizeof *tb);
    KP(tload)(src, tb + pad, W, kp->load, kp->p);
    memset(tb + pad + W, 0, (size_t)cx->reach * sizeof *tb);
    if (cx->method == KM_DOUBLING) {
        /* K as a sum of powers of two: tb[c] sums `span` taps from c
         * (doubled in place); tr[c] the taps of the low bits of K done so far */
        long span = 1, have = 0;
        for (;;) {
            if (K & span) {
                if (have == 0)
                    memcpy(tr, tb, (len - (size_t)((span - 1) * d)) * sizeof *tr);
                else
                    KP(dadd)(tb, tr + span * d, tr, len - (size_t)((span + have - 1) * d));
                have += span;
            }
            if (2 * span > K)
                break;
            KP(dadd)(tb, tb + span * d, tb, len - (size_t)((2 * span - 1) * d));
            span *= 2;
        }
        KP(dsum)(tr, s, hv, ow, len - (size_t)((K - 1) * d), true);
        return;
    }
    for (long t = 0; t < K; t++)
        KP(dsum)(tb + t * d, s, hv, ow, len - (size_t)(t * d), t == 0);
}

/* ---- sum family: van Herk along the columns, VDL rows at a time ---------- */

#if KISA_AVX2
/* Four vectors of four doubles, rows <-> columns. */
#define VD_TRANSPOSE4(a, b, c, e)                                              \
    do {                                                                       \
        __m256d t0_ = _mm256_unpacklo_pd((a), (b)), t1_ = _mm256_unpackhi_pd((a), (b)); \
        __m256d t2_ = _mm256_unpacklo_pd((c), (e)), t3_ = _mm256_unpackhi_pd((c), (e)); \
        (a) = _mm256_permute2f128_pd(t0_, t2_, 0x20);                          \
        (b) = _mm256_permute2f128_pd(t1_, t3_, 0x20);                          \
        (c) = _mm256_permute2f128_pd(t0_, t2_, 0x31);                          \
        (e) = _mm256_permute2f128_pd(t1_, t3_, 0x31);                          \
    } while (0)
#endif

/* tt[x * VDL + j] = the loaded power of src[j][x] for x < W: VDL rows
 * side by side, column by column. */
KFN_FLAT void KP(group_load)(const KT *const *src, size_t W, double *tt, const int load,
                             double p)
{
    size_t x = 0;
#if KISA_AVX2
    if (load != KL_POW)
        for (; x + 4 <= W; x += 4) {
#if KT_F32
            __m128 r0 = _mm_loadu_ps(src[0] + x), r1 = _mm_loadu_ps(src[1] + x),
                   r2 = _mm_loadu_ps(src[2] + x), r3 = _mm_loadu_ps(src[3] + x);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            VD c0 = _mm256_cvtps_pd(r0), c1 = _mm256_cvtps_pd(r1), c2 = _mm256_cvtps_pd(r2),
               c3 = _mm256_cvtps_pd(r3);
#else
            VD c0 = VD_LD(src[0] + x), c1 = VD_LD(src[1] + x), c2 = VD_LD(src[2] + x),
               c3 = VD_LD(src[3] + x);
            VD_TRANSPOSE4(c0, c1, c2, c3);
#endif
            VD_ST(tt + 4 * x, KP(vpower_of)(c0, load));
            VD_ST(tt + 4 * x + 4, KP(vpower_of)(c1, load));
            VD_ST(tt + 4 * x + 8, KP(vpower_of)(c2, load));
            VD_ST(tt + 4 * x + 12, KP(vpower_of)(c3, load));
        }
#endif
    for (; x < W; x++)
        for (size_t j = 0; j < VDL; j++)
            tt[x * VDL + j] = KP(power_of)(src[j][x], load, p);
}

/* dst[j][ox0 + i] = ob[i * VDL + j] for i < n (n <= 4), rows j whose dst
 * is not NULL. */
KFN_FLAT void KP(vh_flush)(const double *ob, double *const *dst, size_t ox0, size_t n)
{
#if KISA_AVX2
    if (n == 4) {
        VD c0 = VD_LD(ob), c1 = VD_LD(ob + 4), c2 = VD_LD(ob + 8), c3 = VD_LD(ob + 12);
        VD_TRANSPOSE4(c0, c1, c2, c3);
        if (dst[0])
            VD_ST(dst[0] + ox0, c0);
        if (dst[1])
            VD_ST(dst[1] + ox0, c1);
        if (dst[2])
            VD_ST(dst[2] + ox0, c2);
        if (dst[3])
            VD_ST(dst[3] + ox0, c3);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < VDL; j++)
            if (dst[j])
                dst[j][ox0 + i] = ob[i * VDL + j];
}

/* sum_rows_vanherk at stride 1, once the rows are in tt: with blocks of K
 * cells from 0, output ox (window [ox, ox + K - 1]) is the suffix of ox
 * within its block plus the prefix of ox + K - 1 within the next, or that
 * prefix alone when ox starts a block.  First the suffixes of every block
 * that holds a window's start into sv (-0 at block starts, which leaves
 * a prefix as it is when added), then the prefixes, each output added in
 * place of its suffix, then sv transposed into the rows.  Two blocks at
 * a time, so that two chains of additions are in flight.  The same
 * additions as the general pass, in the same order. */
KFN_FLAT void KP(vh_stride1)(const kern_axis *cx, double *const *dst, const double *tt,
                             double *sv, const KT *next, size_t nnext)
{
    const size_t ow = cx->out, K = (size_t)cx->taps, W = cx->in;
    const size_t last_end = ow - 1 + K - 1;
    const size_t starts = (ow - 1) / K + 1, ends = last_end / K + 1;
#define AT(c) ((c) * VDL)
    /* suffixes: the blocks holding window starts are whole */
    size_t b = 0;
    for (; b + 2 <= starts; b += 2) {
        const double *x0 = tt + AT(b * K), *x1 = x0 + AT(K);
        double *s0 = sv + AT(b * K), *s1 = s0 + AT(K);
        VD u0 = VD_LD(x0 + AT(K - 1)), u1 = VD_LD(x1 + AT(K - 1));
        VD_ST(s0 + AT(K - 1), u0);
        VD_ST(s1 + AT(K - 1), u1);
        for (size_t t = K - 1; t-- > 1;) {
            u0 = VD_ADD(u0, VD_LD(x0 + AT(t)));
            u1 = VD_ADD(u1, VD_LD(x1 + AT(t)));
            VD_ST(s0 + AT(t), u0);
            VD_ST(s1 + AT(t), u1);
        }
    }
    for (; b < starts; b++) {
        const double *x0 = tt + AT(b * K);
        double *s0 = sv + AT(b * K);
        VD u0 = VD_LD(x0 + AT(K - 1));
        VD_ST(s0 + AT(K - 1), u0);
        for (size_t t = K - 1; t-- > 1;) {
            u0 = VD_ADD(u0, VD_LD(x0 + AT(t)));
            VD_ST(s0 + AT(t), u0);
        }
    }
    for (b = 0; b < starts; b++)
        VD_ST(sv + AT(b * K), VD_SET1(-0.0));
    /* prefixes: the window ending at bK + t starts at bK + t - K + 1 */
    {
        VD p = VD_LD(tt);
        for (size_t t = 1; t < K; t++)
            p = VD_ADD(p, VD_LD(tt + AT(t)));
        VD_ST(sv, VD_ADD(VD_LD(sv), p));
    }
    const size_t row_bytes = W * sizeof(KT);
    for (b = 1; b < ends;) {
        const bool pair = b + 2 <= ends && (b + 1) * K + K - 1 <= last_end;
        /* fetch the next group's rows into the cache, a slice per block */
        for (size_t at = (b - 1) * row_bytes / (ends - 1) & ~(size_t)63,
                    to = (b + pair) * row_bytes / (ends - 1);
             at < to; at += 64)
            for (size_t j = 0; j < nnext; j++)
                KERNELS_PREFETCH((const char *)(next + j * W) + at);
        const double *x0 = tt + AT(b * K);
        double *o0 = sv + AT(b * K - K + 1);
        if (pair) {
            const double *x1 = x0 + AT(K);
            double *o1 = o0 + AT(K);
            VD p0 = VD_LD(x0), p1 = VD_LD(x1);
            VD_ST(o0, VD_ADD(VD_LD(o0), p0));
            VD_ST(o1, VD_ADD(VD_LD(o1), p1));
            for (size_t t = 1; t < K; t++) {
                p0 = VD_ADD(p0, VD_LD(x0 + AT(t)));
                p1 = VD_ADD(p1, VD_LD(x1 + AT(t)));
                VD_ST(o0 + AT(t), VD_ADD(VD_LD(o0 + AT(t)), p0));
                VD_ST(o1 + AT(t), VD_ADD(VD_LD(o1 + AT(t)), p1));
            }
            b += 2;
        } else {
            const size_t bn = last_end - b * K + 1 < K ? last_end - b * K + 1 : K;
            VD p0 = VD_LD(x0);
            VD_ST(o0, VD_ADD(VD_LD(o0), p0));
            for (size_t t = 1; t < bn; t++) {
                p0 = VD_ADD(p0, VD_LD(x0 + AT(t)));
                VD_ST(o0 + AT(t), VD_ADD(VD_LD(o0 + AT(t)), p0));
            }
            b++;
        }
    }
    /* the outputs, VDL rows side by side, into the rows */
    size_t ox = 0;
    for (; ox + 4 <= ow; ox += 4)
        KP(vh_flush)(sv + AT(ox), dst, ox, 4);
    KP(vh_flush)(sv + AT(ox), dst, ox, ow - ox);
#undef AT
}

/* Column pass of VDL input rows src[j] into dst[j] (NULL: not wanted) by
 * van Herk/Gil-Werman along the padded row: blocks of K cells from the
 * first window's start; the window from c to c + K - 1 is the suffix of
 * c's block plus the prefix of the next one up to its end (the prefix
 * alone when it starts a block).  Every output adds its own cells only, in
 * an order fixed by the position, whichever rows share the group.
 * tt: (pad + W + reach) * VDL doubles; sv: that many or 2 * K * VDL
 * doubles, whichever is more: the suffixes of the block before and of
 * this one (at stride 1, those of every block, see vh_stride1).  The nnext rows from next
 * (the next group's, likely) are fetched into the cache meanwhile. */
KFN_FLAT void KP(sum_rows_vanherk)(const kern_plan *kp, const kern_axis *cx,
                                   const KT *const *src, double *const *dst, double *tt,
                                   double *sv, const KT *next, size_t nnext, const int load)
{
    const size_t W = cx->in, ow = cx->out, pad = (size_t)cx->pad;
    const size_t len = pad + W + (size_t)cx->reach, K = (size_t)cx->taps;
    const size_t s = (size_t)cx->stride, last_end = (ow - 1) * s + K - 1;
    memset(tt, 0, pad * VDL * sizeof *tt);
    KP(group_load)(src, W, tt + pad * VDL, load, kp->p);
    memset(tt + (pad + W) * VDL, 0, (size_t)cx->reach * VDL * sizeof *tt);
    if (s == 1) {
        KP(vh_stride1)(cx, dst, tt, sv, next, nnext);
        return;
    }
    double ob[4 * VDL];
    size_t ox = 0, end = K - 1; /* the next window and its last cell */
    size_t ox0 = 0, nb = 0;     /* the outputs waiting in ob */
    double *sprev = sv, *scur = sv + K * VDL;
    const size_t row_bytes = W * sizeof(KT), blocks = last_end / K + 1;
    for (size_t b0 = 0, bi = 0; b0 <= last_end; b0 += K, bi++) {
        for (size_t at = bi * row_bytes / blocks & ~(size_t)63,
                    to = (bi + 1) * row_bytes / blocks;
             at < to; at += 64)
            for (size_t j = 0; j < nnext; j++)
                KERNELS_PREFETCH((const char *)(next + j * W) + at);
        const size_t bn = b0 + K <= len ? K : len - b0;
        const double *tb = tt + b0 * VDL;
        /* suffixes backwards and prefixes forwards: two independent chains;
         * a window ending in this block starts in the previous one, whose
         * suffixes are in sprev */
        VD suf = VD_LD(tb + (bn - 1) * VDL), pre = VD_LD(tb);
        VD_ST(scur + (bn - 1) * VDL, suf);
        for (size_t t = 0;; t++) {
            if (b0 + t == end && ox < ow) {
                VD_ST(ob + nb * VDL,
                      t == K - 1 ? pre : VD_ADD(VD_LD(sprev + (t + 1) * VDL), pre));
                ox++;
                end += s;
                if (++nb == 4) {
                    KP(vh_flush)(ob, dst, ox0, 4);
                    ox0 += 4;
                    nb = 0;
                }
            }
            if (t + 1 == bn)
                break;
            const size_t tb_back = bn - 2 - t;
            suf = VD_ADD(suf, VD_LD(tb + tb_back * VDL));
            VD_ST(scur + tb_back * VDL, suf);
            pre = VD_ADD(pre, VD_LD(tb + (t + 1) * VDL));
        }
        double *swap = sprev;
        sprev = scur;
        scur = swap;
    }
    KP(vh_flush)(ob, dst, ox0, nb);
}

/* The column pass of rows [r0, r1] by sum_rows_vanherk, VDL needed rows
 * at a time (a short last group repeats its first row), row r into hv row
 * (r - base) % ring; need[r - base] says which rows (NULL: all). */
KFN void KP(sum_rows_vh_band)(const kern_band_args *a, long r0, long r1, long base, size_t ring,
                              const unsigned char *need, double *hv, double *tt, double *sv)
{
    const kern_plan *kp = a->kp;
    const kern_axis *cx = a->cols;
    const size_t H = a->rows->in, W = cx->in, ow = cx->out;
    const KT *in = a->in;
    const KT *src[VDL];
    double *dst[VDL];
    size_t n = 0;
    for (long r = r0; r <= r1 + 1; r++) {
        const bool end = r > r1;
        if (!end) {
            double *h = hv + (size_t)(r - base) % ring * ow;
            if (r < 0 || r >= (long)H) {
                memset(h, 0, ow * sizeof *h);
                continue;
            }
            if (need != NULL && !need[r - base])
                continue;
            src[n] = in + (size_t)r * W;
            dst[n] = h;
            n++;
        }
        if (n == VDL || (end && n > 0)) {
            for (size_t j = n; j < VDL; j++) {
                src[j] = src[0];
                dst[j] = NULL;
            }
            /* the rows after the group's last, for the next group */
            const long nr = (long)(src[n - 1] - in) / (long)W + 1;
            const size_t nnext = nr >= (long)H ? 0 : (size_t)((long)H - nr < VDL ? (long)H - nr : VDL);
            const KT *next = in + (size_t)nr * W;
            switch (kp->load) {
            case KL_ID:
                KP(sum_rows_vanherk)(kp, cx, src, dst, tt, sv, next, nnext, KL_ID);
                break;
            case KL_ABS:
                KP(sum_rows_vanherk)(kp, cx, src, dst, tt, sv, next, nnext, KL_ABS);
                break;
            case KL_SQUARE:
                KP(sum_rows_vanherk)(kp, cx, src, dst, tt, sv, next, nnext, KL_SQUARE);
                break;
            case KL_CUBE:
                KP(sum_rows_vanherk)(kp, cx, src, dst, tt, sv, next, nnext, KL_CUBE);
                break;
            default:
                KP(sum_rows_vanherk)(kp, cx, src, dst, tt, sv, next, nnext, KL_POW);
                break;
            }
            n = 0;
        }
    }
}

/* The first i with acc[i] outside [2^-968, DBL_MAX] (or NaN), or n. */
KFN size_t KP(first_unsafe)(const double *acc, size_t n)
{
    size_t i = 0;
#if KISA_AVX2
    const VD lo = VD_SET1(0x1p-968), hi = VD_SET1(DBL_MAX);
    for (; i + VDL <= n; i += VDL) {
        VD v = VD_LD(acc + i);
        VD ok = _mm256_and_pd(_mm256_cmp_pd(v, lo, _CMP_GE_OQ), _mm256_cmp_pd(v, hi, _CMP_LE_OQ));
        if (_mm256_movemask_pd(ok) != 0xF)
            break;
    }
#endif
    for (; i < n; i++)
        if (!(acc[i] >= 0x1p-968 && acc[i] <= DBL_MAX))
            break;
    return i;
}

/* The outputs of row oy from `from` on whose power sum in acc left
 * [2^-968, DBL_MAX] (overflow, underflow, inf, NaN): by the scaled formula. */
KFN void KP(sum_fix_row)(const kern_band_args *a, const double *acc, size_t oy, size_t from)
{
    const kern_plan *kp = a->kp;
    const size_t ow = a->cols->out;
    const double drow = (double)kp->plan->rows.divisor[oy];
    KT *o = (KT *)a->out + oy * ow;
    for (size_t ox = from + KP(first_unsafe)(acc + from, ow - from); ox < ow; ox++)
        if (!(acc[ox] >= 0x1p-968 && acc[ox] <= DBL_MAX)) {
            double div = kp->divisor != 0 ? kp->divisor : drow * kp->col_divisor[ox];
            o[ox] = (KT)KP(norm_window)(a, oy, ox, div);
        }
}

/* Output row oy from its sums: acc, or as finish_n's nsrc says (nsrc > 1:
 * added as they are read, not for roots): divisor and root; a norm
 * whose power sum left the safe range is recomputed (sum_fix_row).  rec (NULL: none), ow doubles of
 * scratch, keeps the reciprocals of the divisors of the row whose divisor
 * is *rec_row (-1: none yet): a float32 average multiplies by them in double
 * instead of dividing, which moves the result by at most one float32 unit
 * (a division costs as much as the rest of a 3x3 window). */
KFN void KP(sum_finish_row)(const kern_band_args *a, const double *acc, const double *acc2,
                            const double *acc3, double *keep, int nsrc, size_t oy, double *rec,
                            double *rec_row)
{
    const kern_plan *kp = a->kp;
    const size_t ow = a->cols->out;
    const double drow = (double)kp->plan->rows.divisor[oy];
    KT *o = (KT *)a->out + oy * ow;
    double divisor = kp->divisor, row = drow;
    const double *col = kp->col_divisor;
    bool reciprocal = false;
    if (KT_F32 && rec != NULL && kp->finish == KF_AVG && !kp->reciprocal) {
        reciprocal = true;
        row = 1;
        if (kp->divisor != 0) {
            divisor = 1 / kp->divisor;
        } else {
            if (*rec_row != drow) {
                for (size_t i = 0; i < ow; i++)
                    rec[i] = 1 / (drow * kp->col_divisor[i]);
                *rec_row = drow;
            }
            col = rec;
        }
    } else if (kp->reciprocal) {
        reciprocal = true;
        divisor = kp->divisor != 0 ? 1 / kp->divisor : 0;
        row = 1 / drow;
        col = kp->col_reciprocal;
    }
    if (nsrc > 1) {
        KP(finish_sum)(acc, acc2, acc3, keep, nsrc, ow, kp->finish, kp->p, divisor, row, col,
                       reciprocal, o);
        return;
    }
    if (KP(finish)(acc, ow, kp->finish, kp->p, divisor, row, col, reciprocal, o))
        KP(sum_fix_row)(a, acc, oy, 0);
}

/* Output row oy of a sum band (direct: its rows added in order; van Herk:
 * a suffix and a prefix row, rows outside the input being zeros),
 * finished into the output; the last two or three rows are added as the
 * finish reads them, the others in acc first (all in acc for roots). */
KFN void KP(sum_out_row)(const kern_band_args *a, long ra, const double *hv, const double *sv,
                         double *acc, size_t oy, bool vanherk, double *rec, double *rec_row)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t ow = cx->out;
    const long n = ry->count[oy], K = ry->taps, d = ry->step;
    const bool fuse = a->kp->finish != KF_ROOT;
    if (n == 0) {
        memset(acc, 0, ow * sizeof *acc);
    } else if (vanherk) {
        const long f = ry->start[oy];
        size_t last = (size_t)(f + (K - 1) * d - ra) * ow, first = (size_t)(f - ra) * ow;
        if ((f - ry->start[0]) / d % K == 0) {
            if (fuse) {
                KP(sum_finish_row)(a, hv + last, NULL, NULL, NULL, 1, oy, rec, rec_row);
                return;
            }
            memcpy(acc, hv + last, ow * sizeof *acc);
        } else {
            if (fuse) {
                KP(sum_finish_row)(a, sv + first, hv + last, NULL, NULL, 2, oy, rec, rec_row);
                return;
            }
            KP(dadd)(sv + first, hv + last, acc, ow);
        }
    } else {
        const long f = ry->first[oy];
        const double *h0 = hv + (size_t)(f - ra) * ow;
#define ROW_AT(t) (hv + (size_t)(f + (t) * d - ra) * ow)
        if (fuse && n <= 3) {
            KP(sum_finish_row)(a, h0, n > 1 ? ROW_AT(1) : NULL, n > 2 ? ROW_AT(2) : NULL, NULL,
                               (int)n, oy, rec, rec_row);
            return;
        }
        const long upto = fuse ? n - 2 : n;
        memcpy(acc, h0, ow * sizeof *acc);
        for (long t = 1; t < upto; t++)
            KP(dadd)(acc, ROW_AT(t), acc, ow);
        if (fuse) {
            KP(sum_finish_row)(a, acc, ROW_AT(n - 2), ROW_AT(n - 1), NULL, 3, oy, rec, rec_row);
            return;
        }
#undef ROW_AT
    }
    KP(sum_finish_row)(a, acc, NULL, NULL, NULL, 1, oy, rec, rec_row);
}

KFN void KP(sum_s2_band)(const kern_band_args *a);

/* Van Herk down the rows for sums of undilated windows at stride 1, block
 * by block: the rows of a block of K are reduced along the columns and get
 * their suffixes, then the output rows that end in the block are finished,
 * each making the prefix of its last row as it goes.  Rows live in a ring
 * of 2K rows of hv and sv, so what the band touches stays in the cache
 * however tall it is.  The same additions as the van Herk of sum_band. */
KFN void KP(sum_band_stream)(const kern_band_args *a, double *hv, double *sv, size_t nrows,
                             double *rec, double *tb, double *tr, double *tt, double *svc)
{
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t H = ry->in, W = cx->in, ow = cx->out;
    const KT *in = a->in;
    const long K = ry->taps, origin = ry->start[0];
    const long ra = ry->start[a->oy0], rb = ry->start[a->oy1 - 1] + K - 1;
    const size_t ring = nrows < 2 * (size_t)K ? nrows : 2 * (size_t)K;
#define SLOT(r) ((size_t)((r) - ra) % ring * ow)
    long made = ra - 1; /* rows up to made are reduced and have their suffixes */
    long pre = ra;      /* rows up to pre hold their prefixes */
    double rec_row = -1;
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        const long f = ry->start[oy], l = f + K - 1;
        while (made < l) {
            const long b0 = made + 1;
            long be = b0 + (K - 1 - (b0 - origin) % K);
            if (be > rb)
                be = rb;
            if (cx->method == KM_VANHERK) {
                KP(sum_rows_vh_band)(a, b0, be, ra, ring, NULL, hv, tt, svc);
            } else {
                for (long r = b0; r <= be; r++) {
                    if (r < 0 || r >= (long)H)
                        memset(hv + SLOT(r), 0, ow * sizeof *hv);
                    else
                        KP(sum_row)(kp, cx, in + (size_t)r * W, hv + SLOT(r), tb, tr);
                }
            }
            memcpy(sv + SLOT(be), hv + SLOT(be), ow * sizeof *sv);
            for (long r = be - 1; r >= b0; r--)
                KP(dadd)(hv + SLOT(r), sv + SLOT(r + 1), sv + SLOT(r), ow);
            made = be;
        }
        for (; pre < l - 1; pre++)
            if ((pre + 1 - origin) % K != 0)
                KP(dadd)(hv + SLOT(pre), hv + SLOT(pre + 1), hv + SLOT(pre + 1), ow);
        double *hl = hv + SLOT(l);
        const bool aligned = (f - origin) % K == 0;
        if ((l - origin) % K != 0) {
            /* the prefix of row l is the row before's plus its own sums */
            double *hp = hv + SLOT(l - 1);
            if (aligned)
                KP(sum_finish_row)(a, hp, hl, NULL, hl, 5, oy, rec, &rec_row);
            else
                KP(sum_finish_row)(a, sv + SLOT(f), hp, hl, hl, 4, oy, rec, &rec_row);
        } else {
            if (aligned)
                KP(sum_finish_row)(a, hl, NULL, NULL, NULL, 1, oy, rec, &rec_row);
            else
                KP(sum_finish_row)(a, sv + SLOT(f), hl, NULL, NULL, 2, oy, rec, &rec_row);
        }
        pre = l;
    }
#undef SLOT
}

KFN void KP(sum_band)(const kern_band_args *a)
{
    if (a->kp->fused_s2) {
        KP(sum_s2_band)(a);
        return;
    }
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t H = ry->in, W = cx->in, ow = cx->out;
    const KT *in = a->in;
    const bool vanherk = ry->method == KM_VANHERK;
    const long K = ry->taps, d = ry->step;
    char *cursor = a->scratch;
    long ra, rb;
    bool any;
    if (vanherk) {
        ra = ry->start[a->oy0];
        rb = ry->start[a->oy1 - 1] + (K - 1) * d;
        any = true;
    } else {
        any = KP(band_rows)(ry, a->oy0, a->oy1, &ra, &rb);
    }
    const size_t nrows = any ? (size_t)(rb - ra + 1) : 0;
    const size_t padded = (size_t)(cx->regular ? cx->pad + cx->reach : 0) + W;

    double *hv = KP(take)(&cursor, nrows * ow * sizeof(double));
    double *sv = vanherk ? KP(take)(&cursor, nrows * ow * sizeof(double)) : NULL;
    double *acc = KP(take)(&cursor, ow * sizeof(double));
    double *rec = KP(take)(&cursor, ow * sizeof(double)), rec_row = -1;
    unsigned char *need = KP(take)(&cursor, nrows + 1);
    double *tb = KP(take)(&cursor, padded * sizeof(double));
    double *tr = KP(take)(&cursor, padded * sizeof(double));

    double *tt = NULL, *sv_cols = NULL;
    if (cx->method == KM_VANHERK) {
        tt = KP(take)(&cursor, padded * VDL * sizeof(double));
        const size_t cells = 2 * (size_t)cx->taps > padded ? 2 * (size_t)cx->taps : padded;
        sv_cols = KP(take)(&cursor, cells * VDL * sizeof(double));
    }
    if (vanherk && d == 1 && ry->stride == 1 && kp->finish != KF_ROOT) {
        KP(sum_band_stream)(a, hv, sv, nrows, rec, tb, tr, tt, sv_cols);
        return;
    }
    if (any && cx->method == KM_VANHERK) {
        KP(mark_rows)(ry, a->oy0, a->oy1, ra, rb, vanherk, need);
        KP(sum_rows_vh_band)(a, ra, rb, ra, SIZE_MAX, need, hv, tt, sv_cols);
    } else if (any) {
        KP(mark_rows)(ry, a->oy0, a->oy1, ra, rb, vanherk, need);
        for (long r = ra; r <= rb; r++) {
            double *h = hv + (size_t)(r - ra) * ow;
            if (r < 0 || r >= (long)H)
                memset(h, 0, ow * sizeof *h);
            else if (need[r - ra])
                KP(sum_row)(kp, cx, in + (size_t)r * W, h, tb, tr);
        }
    }
    if (!(any && vanherk)) {
        for (size_t oy = a->oy0; oy < a->oy1; oy++)
            KP(sum_out_row)(a, ra, hv, sv, acc, oy, false, rec, &rec_row);
        return;
    }
    /* van Herk, as in max_band */
    const long origin = ry->start[0];
    for (long r = rb; r >= ra; r--) {
        size_t at = (size_t)(r - ra) * ow;
        if ((r - origin) / d % K == K - 1 || r + d > rb)
            memcpy(sv + at, hv + at, ow * sizeof(double));
        else
            KP(dadd)(hv + at, sv + at + (size_t)d * ow, sv + at, ow);
    }
    for (long r = ra + d; r <= rb; r++) {
        if ((r - origin) / d % K == 0)
            continue;
        size_t at = (size_t)(r - ra) * ow;
        KP(dadd)(hv + at - (size_t)d * ow, hv + at, hv + at, ow);
    }
    for (size_t oy = a->oy0; oy < a->oy1; oy++)
        KP(sum_out_row)(a, ra, hv, sv, acc, oy, true, rec, &rec_row);
}

/* ---- stride 2, windows of 2 or 3, padding 0 or 1: fused ------------------ */

/* Output ox of such a window reads columns 2 ox - pad .. 2 ox - pad + K - 1:
 * the even and odd cells of the pairs that start at 2 ox - 2 and 2 ox (or
 * 2 ox + 2).  A vector of outputs loads those pairs whole; the outputs
 * [*vlo, *vhi) are the vector starts whose pairs lie inside the row. */
#ifndef KERNELS_S2_SHAPES
#define KERNELS_S2_SHAPES
enum { S2_K2P0, S2_K2P1, S2_K3P0, S2_K3P1 };
#endif

KFN int KP(s2_shape)(const kern_axis *cx, size_t lanes, size_t *vlo, size_t *vhi)
{
    const long W = (long)cx->in, K = cx->taps, pad = cx->pad;
    const int shape = K == 2 ? (pad ? S2_K2P1 : S2_K2P0) : (pad ? S2_K3P1 : S2_K3P0);
    const long first_pair = pad ? -2 : 0, last_pair = shape == S2_K3P0 ? 2 : 0;
    const long lo = first_pair < 0 ? 1 : 0;
    /* a vector from ox0 reads up to column 2 ox0 + last_pair + 2 lanes - 1 */
    const long room = W - 2 * (long)lanes - last_pair;
    long hi = room >= 0 ? room / 2 + 1 : 0;
    const long last = (long)cx->out - (long)lanes + 1;
    if (hi > last)
        hi = last;
    *vlo = (size_t)lo;
    *vhi = (size_t)(hi > lo ? hi : lo);
    return shape;
}

#ifndef KERNELS_S2_LOOP
#define KERNELS_S2_LOOP
/* The vector starts of a row of outputs: ox = vlo, vlo + lanes, ... below
 * vhi and, when the outputs do not divide into vectors, one more vector
 * ending at the last output if that is a valid start too (it recomputes a
 * few outputs, to the same values). */
#define S2_TAIL_OK(vlo, vhi, ow, lanes) \
    ((ow) >= (lanes) && (ow) - (lanes) >= (vlo) && (ow) - (lanes) < (vhi))
#define S2_FOR_VECTORS(ox, vlo, vhi, ow, lanes, ...)                           \
    do {                                                                       \
        size_t ox = (vlo);                                                     \
        for (; ox < (vhi); ox += (lanes)) {                                    \
            __VA_ARGS__                                                        \
        }                                                                      \
        if (ox < (ow) && S2_TAIL_OK(vlo, vhi, ow, lanes)) {                    \
            ox = (ow) - (lanes);                                               \
            __VA_ARGS__                                                        \
        }                                                                      \
    } while (0)
#endif

/* The end of what S2_FOR_VECTORS covers: outputs [vlo, end). */
KFN size_t KP(s2_vector_end)(size_t vlo, size_t vhi, size_t ow, size_t lanes)
{
    if (vhi <= vlo)
        return vlo;
    size_t end = vlo + (vhi - vlo + lanes - 1) / lanes * lanes;
    if (end < ow && S2_TAIL_OK(vlo, vhi, ow, lanes))
        end = ow;
    return end;
}

/* One row of a vector of windows, folded in column order (values of -x for
 * min).  p = the row + 2 ox. */
KFN_FLAT VT KP(s2_row_max)(const KT *p, const int shape, const bool neg)
{
    VT e0, o1, a, b, c;
    switch (shape) {
    case S2_K2P0:
        V_PAIR(p, a, b);
        c = b;
        break;
    case S2_K2P1:
        V_PAIR(p - 2, e0, a);
        V_PAIR(p, b, o1);
        c = b;
        break;
    case S2_K3P0:
        V_PAIR(p, a, b);
        V_PAIR(p + 2, c, o1);
        break;
    default:
        V_PAIR(p - 2, e0, a);
        V_PAIR(p, b, c);
        break;
    }
    (void)e0;
    (void)o1;
    if (neg) {
        a = V_NEG(a);
        b = V_NEG(b);
        c = V_NEG(c);
    }
    VT h = V_COMB(a, b);
    return shape == S2_K3P0 || shape == S2_K3P1 ? V_COMB(h, c) : h;
}

/* One output of such a band, its rows folded along the columns first. */
KFN KT KP(s2_one_max)(const KT *row0, size_t W, long rn, long c0, long cn, bool neg)
{
    KT best = 0;
    for (long i = 0; i < rn; i++) {
        const KT *p = row0 + (size_t)i * W + c0;
        KT h = neg ? -p[0] : p[0];
        for (long j = 1; j < cn; j++) {
            KT v = neg ? -p[j] : p[j];
            h = v > h || v != v ? v : h;
        }
        best = i == 0 || h > best || h != h ? h : best;
    }
    return neg ? -best : best;
}

/* Row by row (the memory is read in order): the windows' fold of each row
 * into buf, the last row's into the output. */
KFN_FLAT void KP(max_s2_rows)(const kern_band_args *a, const int shape, const bool neg,
                              size_t vlo, size_t vhi)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const KT *in = a->in;
    KT *out = a->out;
    KT *buf = a->scratch;
    const bool stream = a->kp->stream;
    const size_t vend = KP(s2_vector_end)(vlo, vhi, ow, VL);
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        const long rn = ry->count[oy];
        const KT *row0 = in + (size_t)ry->first[oy] * W;
        KT *o = out + oy * ow;
        for (long i = 0; i < rn; i++) {
            const KT *row = row0 + (size_t)i * W;
            const bool last = i == rn - 1;
            S2_FOR_VECTORS(ox, vlo, vhi, ow, VL, {
                VT h = V_UNPERM(KP(s2_row_max)(row + 2 * ox, shape, neg));
                if (i > 0)
                    h = V_COMB(V_LD(buf + ox), h);
                if (!last) {
                    V_ST(buf + ox, h);
                } else {
                    if (neg)
                        h = V_NEG(h);
                    if (stream)
                        V_STREAM(o + ox, h);
                    else
                        V_ST(o + ox, h);
                }
            });
        }
        for (size_t ox = vlo > 0 ? 0 : vend; ox < ow; ox = ox + 1 == vlo ? vend : ox + 1)
            o[ox] = KP(s2_one_max)(row0, W, rn, cx->first[ox], cx->count[ox], neg);
    }
    if (stream)
        V_FENCE();
}

/* Max (or min) values of windows of 2 or 3 taps at stride 2 and padding 0
 * or 1, straight from the input rows. */
KFN void KP(max_s2_band)(const kern_band_args *a)
{
    size_t vlo, vhi;
    const int shape = KP(s2_shape)(a->cols, VL, &vlo, &vhi);
    const bool neg = a->kp->is_min;
    switch (shape * 2 + neg) {
    case S2_K2P0 * 2:
        KP(max_s2_rows)(a, S2_K2P0, false, vlo, vhi);
        break;
    case S2_K2P0 * 2 + 1:
        KP(max_s2_rows)(a, S2_K2P0, true, vlo, vhi);
        break;
    case S2_K2P1 * 2:
        KP(max_s2_rows)(a, S2_K2P1, false, vlo, vhi);
        break;
    case S2_K2P1 * 2 + 1:
        KP(max_s2_rows)(a, S2_K2P1, true, vlo, vhi);
        break;
    case S2_K3P0 * 2:
        KP(max_s2_rows)(a, S2_K3P0, false, vlo, vhi);
        break;
    case S2_K3P0 * 2 + 1:
        KP(max_s2_rows)(a, S2_K3P0, true, vlo, vhi);
        break;
    case S2_K3P1 * 2:
        KP(max_s2_rows)(a, S2_K3P1, false, vlo, vhi);
        break;
    default:
        KP(max_s2_rows)(a, S2_K3P1, true, vlo, vhi);
        break;
    }
}

/* One row of a vector of windows: the sum of its taps' powers in column
 * order.  p = the row + 2 ox. */
KFN_FLAT VD KP(s2_row_sum)(const KT *p, const int shape, const int load)
{
    VD e0, a, b, c, o1;
    switch (shape) {
    case S2_K2P0:
        VD_PAIRT(p, a, b);
        c = b;
        break;
    case S2_K2P1:
        VD_PAIRT(p - 2, e0, a);
        VD_PAIRT(p, b, o1);
        c = b;
        break;
    case S2_K3P0:
        VD_PAIRT(p, a, b);
        VD_PAIRT(p + 2, c, o1);
        break;
    default:
        VD_PAIRT(p - 2, e0, a);
        VD_PAIRT(p, b, c);
        break;
    }
    (void)e0;
    (void)o1;
    VD h = VD_ADD(KP(vpower_of)(a, load), KP(vpower_of)(b, load));
    return shape == S2_K3P0 || shape == S2_K3P1 ? VD_ADD(h, KP(vpower_of)(c, load)) : h;
}

/* One output's sum: each row's taps in column order, then the rows. */
KFN double KP(s2_one_sum)(const KT *row0, size_t W, long rn, long c0, long cn, int load,
                          double p)
{
    double total = 0;
    for (long i = 0; i < rn; i++) {
        const KT *q = row0 + (size_t)i * W + c0;
        double h = KP(power_of)(q[0], load, p);
        for (long j = 1; j < cn; j++)
            h += KP(power_of)(q[j], load, p);
        total = i == 0 ? h : total + h;
    }
    return total;
}

/* Row by row (the memory is read in order): row 0's window sums into
 * buf0, row 1 adds to them into buf1, and so on.  avg and sum finish in
 * the last pass, straight into the output; the norms finish the row
 * afterwards (their overflow check needs the sums; and their roots are long
 * chains that a loop of their own overlaps best). */
KFN_FLAT void KP(sum_s2_rows)(const kern_band_args *a, const int shape, const int load,
                              size_t vlo, size_t vhi)
{
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const KT *in = a->in;
    double *acc = a->scratch, *buf0 = acc + ow, *buf1 = buf0 + ow;
    const bool direct = kp->finish != KF_ROOT;
    const bool recip = kp->reciprocal;
    const double *col = recip ? kp->col_reciprocal : kp->col_divisor;
    const double divisor = recip && kp->divisor != 0 ? 1 / kp->divisor : kp->divisor;
    const bool plain = kp->finish == KF_SUM || divisor == 1, constant = divisor != 0;
    /* whole vectors only (a partial one would mix lane orders); the rest
     * one by one */
    const size_t vend = vhi > vlo ? vlo + (vhi - vlo + VDL - 1) / VDL * VDL : vlo;
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        const long rn = ry->count[oy];
        const KT *row0 = in + (size_t)ry->first[oy] * W;
        KT *o = (KT *)a->out + oy * ow;
        const double drow = (double)kp->plan->rows.divisor[oy];
        const double row = recip ? 1 / drow : drow;
        const VD dconst = VD_SET1(divisor), dr = VD_SET1(row);
        for (long i = 0; i < rn; i++) {
            const KT *src = row0 + (size_t)i * W;
            const bool last = i == rn - 1;
            const double *prev = i == 1 ? buf0 : buf1;
            double *dst = i == 0 ? buf0 : buf1;
            /* the buffers keep VD_PAIRT's lane order; VD_UNPERM at the end */
            const int to = !last ? 0 : !direct ? 1 : plain ? 2 : 3;
            for (size_t ox = vlo; ox < vhi; ox += VDL) {
                KERNELS_PREFETCH(src + 2 * ox + 128);
                VD h = KP(s2_row_sum)(src + 2 * ox, shape, load);
                if (i > 0)
                    h = VD_ADD(VD_LD(prev + ox), h);
                if (to == 0) {
                    VD_ST(dst + ox, h);
                    continue;
                }
                h = VD_UNPERM(h);
                if (to == 1) {
                    VD_ST(acc + ox, h);
                } else if (to == 2) {
                    VD_STT(o + ox, h);
                } else {
                    VD d = constant ? dconst : VD_MUL(dr, VD_LD(col + ox));
                    VD_STT(o + ox, recip ? VD_MUL(h, d) : VD_DIV(h, d));
                }
            }
        }
        for (size_t ox = vlo > 0 ? 0 : vend; ox < ow; ox = ox + 1 == vlo ? vend : ox + 1) {
            double total = KP(s2_one_sum)(row0, W, rn, cx->first[ox], cx->count[ox], load, kp->p);
            if (direct)
                KP(finish)(&total, 1, kp->finish, kp->p, divisor, row, col + ox, recip, o + ox);
            else
                acc[ox] = total;
        }
        if (!direct)
            KP(sum_finish_row)(a, acc, NULL, NULL, NULL, 1, oy, NULL, NULL);
    }
}

/* The sum family for the same windows, then the shared finish. */
KFN void KP(sum_s2_band)(const kern_band_args *a)
{
    size_t vlo, vhi;
    const int shape = KP(s2_shape)(a->cols, VDL, &vlo, &vhi);
    const int load = a->kp->load;
#define S2_SUM_CASE(sh)                                                        \
    case sh:                                                                   \
        switch (load) {                                                        \
        case KL_ABS:                                                           \
            KP(sum_s2_rows)(a, sh, KL_ABS, vlo, vhi);                          \
            break;                                                             \
        case KL_SQUARE:                                                        \
            KP(sum_s2_rows)(a, sh, KL_SQUARE, vlo, vhi);                       \
            break;                                                             \
        case KL_CUBE:                                                          \
            KP(sum_s2_rows)(a, sh, KL_CUBE, vlo, vhi);                         \
            break;                                                             \
        default:                                                               \
            KP(sum_s2_rows)(a, sh, KL_ID, vlo, vhi);                           \
            break;                                                             \
        }                                                                      \
        break;
    switch (shape) {
        S2_SUM_CASE(S2_K2P0)
        S2_SUM_CASE(S2_K2P1)
        S2_SUM_CASE(S2_K3P0)
        S2_SUM_CASE(S2_K3P1)
    }
#undef S2_SUM_CASE
}

/* ---- global pooling: one output per plane -------------------------------- */


KFN void KP(global_max)(const kern_plan *kp, const void *in_v, void *out_v, int64_t *idx,
                        size_t p0, size_t p1, void *scratch)
{
    const KT *in = in_v;
    KT *out = out_v;
    const size_t hw = kp->h * kp->w;
    KT *buf = scratch;
    for (size_t plane = p0; plane < p1; plane++) {
        const KT *src = in + plane * hw;
        KT bv = 0;
        KI bi = 0;
        for (size_t at = 0; at < hw; at += KERNELS_CHUNK) {
            size_t n = hw - at < KERNELS_CHUNK ? hw - at : KERNELS_CHUNK;
            const KT *chunk = src + at;
            if (kp->is_min) {
                KP(negate)(chunk, buf, n);
                chunk = buf;
            }
            KT v;
            KI i = 0;
            if (idx == NULL)
                v = KP(reduce_value)(chunk, n);
            else
                KP(reduce)(chunk, n, (KI)at, &v, &i);
            if (at == 0 || v > bv || v != v) {
                bv = v;
                bi = i;
            }
        }
        out[plane] = kp->is_min ? -bv : bv;
        if (idx != NULL)
            idx[plane] = bi;
    }
}

/* The sum of a plane's loaded powers, KERNELS_CHUNK / 2 cells at a time
 * (buf: that many doubles, for KL_POW). */
KFN_FLAT double KP(plane_sum)(const KT *src, size_t hw, const int load, double p, double *buf)
{
    const size_t chunk = KERNELS_CHUNK / 2;
    double total = 0;
    for (size_t at = 0; at < hw; at += chunk) {
        size_t n = hw - at < chunk ? hw - at : chunk;
        if (load == KL_POW) {
            KP(tload)(src + at, buf, n, load, p);
            total += KP(dreduce)(buf, n);
        } else {
            total += KP(tsum_flat)(src + at, n, load, p);
        }
    }
    return total;
}

KFN_FLAT void KP(global_sums)(const kern_plan *kp, const KT *in, size_t p0, size_t n,
                              const int load, double *totals, double *buf)
{
    const size_t hw = kp->h * kp->w;
    for (size_t k = 0; k < n; k++)
        totals[k] = KP(plane_sum)(in + (p0 + k) * hw, hw, load, kp->p, buf);
}

/* Planes [p0, p1): their sums, KERNELS_CHUNK / 2 planes at a time, then
 * one finish over them. */
KFN void KP(global_sum)(const kern_plan *kp, const void *in_v, void *out_v, size_t p0,
                        size_t p1, void *scratch)
{
    const KT *in = in_v;
    KT *out = out_v;
    const size_t hw = kp->h * kp->w, group = KERNELS_CHUNK / 2;
    double *totals = scratch, *buf = totals + group;
    const pool_plan *plan = kp->plan;
    const double divisor = kp->divisor != 0 ? kp->divisor
                                            : (double)plan->rows.divisor[0] *
                                                  (double)plan->cols.divisor[0];
    for (size_t g = p0; g < p1; g += group) {
        const size_t n = p1 - g < group ? p1 - g : group;
        switch (kp->load) {
        case KL_ID:
            KP(global_sums)(kp, in, g, n, KL_ID, totals, buf);
            break;
        case KL_ABS:
            KP(global_sums)(kp, in, g, n, KL_ABS, totals, buf);
            break;
        case KL_SQUARE:
            KP(global_sums)(kp, in, g, n, KL_SQUARE, totals, buf);
            break;
        case KL_CUBE:
            KP(global_sums)(kp, in, g, n, KL_CUBE, totals, buf);
            break;
        default:
            KP(global_sums)(kp, in, g, n, KL_POW, totals, buf);
            break;
        }
        KP(finish)(totals, n, kp->finish, kp->p, divisor, 0, NULL, false, out + g);
        if (kp->finish != KF_ROOT)
            continue;
        for (size_t k = KP(first_unsafe)(totals, n); k < n; k++)
            if (!(totals[k] >= 0x1p-968 && totals[k] <= DBL_MAX)) {
                kern_band_args a = {kp, &kp->rows, &kp->cols, in + (g + k) * hw, NULL, NULL,
                                    0, 1, NULL};
                out[g + k] = (KT)KP(norm_window)(&a, 0, 0, divisor);
            }
    }
}

/* ---- bilinear: the Gram matrix of a sample's channels ------------------- */

KFN void KP(gram_rows)(const kern_plan *kp, const void *in_v, size_t n, size_t i0, size_t i1,
                       double *gram)
{
    const KT *in = in_v;
    const size_t hw = kp->h * kp->w, C = kp->plan->c;
    for (size_t i = i0; i < i1; i++) {
        const KT *fi = in + (n * C + i) * hw;
        for (size_t j = i; j < C; j++) {
            const KT *fj = in + (n * C + j) * hw;
            /* 8 interleaved partial sums, as in dreduce */
            size_t k = 0;
            double total = 0;
            if (hw >= 8) {
                double part[8];
#if VDL == 4
                VD s0 = VD_MUL(VD_LDT(fi), VD_LDT(fj)), s1 = VD_MUL(VD_LDT(fi + 4), VD_LDT(fj + 4));
                for (k = 8; k + 8 <= hw; k += 8) {
                    s0 = VD_ADD(s0, VD_MUL(VD_LDT(fi + k), VD_LDT(fj + k)));
                    s1 = VD_ADD(s1, VD_MUL(VD_LDT(fi + k + 4), VD_LDT(fj + k + 4)));
                }
                VD_ST(part, s0);
                VD_ST(part + 4, s1);
#else
                for (size_t l = 0; l < 8; l++)
                    part[l] = (double)fi[l] * (double)fj[l];
                for (k = 8; k + 8 <= hw; k += 8)
                    for (size_t l = 0; l < 8; l++)
                        part[l] += (double)fi[k + l] * (double)fj[k + l];
#endif
                for (size_t l = 0; l < 4; l++)
                    total += part[l] + part[l + 4];
            }
            for (; k < hw; k++)
                total += (double)fi[k] * (double)fj[k];
            gram[i * C + j] = gram[j * C + i] = total;
        }
    }
}

/* ---- the window reducers: softmax-weighted, log-sum-exp, middle, max-avg --
 *
 * window_one() is the table's reducer for one window, in its order and
 * arithmetic: the cells in row-major order, in double, the same libm calls,
 * so it gives the reference's bits (values and indices).  The vector paths
 * below take the common shapes and hand every window they cannot finish
 * exactly (a NaN, an infinity, a zero whose sign depends on the order) back
 * to it. */

/* The k-th smallest of v[0 .. n) (no NaN; k < n), reordering v: three-way
 * partitions around a middle pivot. */
KFN double KP(nth_value)(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        const double pivot = v[lo + (hi - lo) / 2];
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double t = v[i];
            if (t < pivot) {
                v[i++] = v[lt];
                v[lt++] = t;
            } else if (t > pivot) {
                v[i] = v[--gt];
                v[gt] = t;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return pivot;
    }
    return v[lo];
}

/* Output (oy, ox) of a window band by the reference's arithmetic; buf
 * holds 2 * kp->window_cells doubles. */
KFN void KP(window_one)(const kern_band_args *a, size_t oy, size_t ox, double *buf)
{
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const KT *in = a->in;
    const size_t W = cx->in, ow = cx->out;
    const long nr = ry->count[oy], nc = cx->count[ox];
    const size_t n = (size_t)nr * (size_t)nc;
    double *v = buf, *w = buf + kp->window_cells;
    size_t k = 0;
    for (long i = 0; i < nr; i++) {
        const KT *row = in + (size_t)(ry->first[oy] + i * ry->step) * W + (size_t)cx->first[ox];
        for (long j = 0; j < nc; j++)
            v[k++] = (double)row[(size_t)(j * cx->step)];
    }
    double result = 0;
    size_t at = n; /* the cell whose plane index is reported, n: none */
    switch (kp->kernel) {
    case OP_KERNEL_SOFTMAX:
    case OP_KERNEL_LOGSUMEXP: {
        double m = -INFINITY;
        for (size_t t = 0; t < n; t++) {
            if (isnan(v[t])) {
                m = v[t];
                break;
            }
            if (v[t] > m)
                m = v[t];
        }
        const double r = kp->sharpness;
        if (n == 0 || !isfinite(m)) {
            result = kp->kernel == OP_KERNEL_SOFTMAX && n == 0 ? 0 : m;
            break;
        }
        if (kp->kernel == OP_KERNEL_LOGSUMEXP) {
            double z = 0;
            for (size_t t = 0; t < n; t++)
                z += expm1(r * (v[t] - m));
            result = opmath_lse_finish(m, r, z, (double)n);
            break;
        }
        double total = 0;
        for (size_t t = 0; t < n; t++) {
            w[t] = exp(r * (v[t] - m));
            total += w[t];
        }
        for (size_t t = 0; t < n; t++)
            result += w[t] / total * v[t];
        break;
    }
    case OP_KERNEL_MIDDLE: {
        if (n == 0) {
            result = NAN;
            break;
        }
        for (size_t t = 0; t < n && at == n; t++)
            if (isnan(v[t]))
                at = t;
        const size_t mid = (n - 1) / 2;
        if (at == n && n <= 32) {
            /* a stable insertion sort of the cells by value */
            size_t order[32];
            for (size_t t = 0; t < n; t++) {
                size_t u = t;
                for (; u > 0 && v[order[u - 1]] > v[t]; u--)
                    order[u] = order[u - 1];
                order[u] = t;
            }
            at = order[mid];
        }
        if (at == n) {
            /* the mid-th of the cells sorted by value, ties in row-major
             * order: the middle value, then which of its equals */
            memcpy(w, v, n * sizeof *w);
            const double middle = KP(nth_value)(w, n, mid);
            size_t below = 0;
            for (size_t t = 0; t < n; t++)
                below += v[t] < middle;
            for (size_t t = 0; t < n; t++)
                if (v[t] == middle && below++ == mid) {
                    at = t;
                    break;
                }
        }
        result = v[at];
        break;
    }
    case OP_KERNEL_MAXAVG: {
        double best = -INFINITY, sum = 0;
        for (size_t t = 0; t < n; t++)
            if (v[t] > best || isnan(v[t]))
                best = v[t];
        for (size_t t = 0; t < n; t++)
            sum += v[t];
        const double divisor = kp->divisor != 0 ? kp->divisor
                                                : (double)kp->plan->rows.divisor[oy] *
                                                      (double)kp->plan->cols.divisor[ox];
        result = kp->alpha * best + (1 - kp->alpha) * (sum / divisor);
        break;
    }
    default:
        break;
    }
    ((KT *)a->out)[oy * ow + ox] = (KT)result;
    if (a->idx != NULL) {
        int64_t index = KP(empty_index)(ry, cx, oy, ox);
        if (at < n)
            index = (int64_t)(ry->first[oy] + (long)(at / (size_t)nc) * ry->step) * (int64_t)W +
                    (int64_t)(cx->first[ox] + (long)(at % (size_t)nc) * cx->step);
        a->idx[oy * ow + ox] = index;
    }
}

/* The taps of one row of a vector of stride-2 windows (as s2_row_sum),
 * in double: a, b and, for windows of 3, c.  p = the row + 2 ox. */
KFN_FLAT void KP(s2_taps)(const KT *p, const int shape, VD *a, VD *b, VD *c)
{
    VD e0, o1;
    switch (shape) {
    case S2_K2P0:
        VD_PAIRT(p, *a, *b);
        *c = *b;
        break;
    case S2_K2P1:
        VD_PAIRT(p - 2, e0, *a);
        VD_PAIRT(p, *b, o1);
        *c = *b;
        break;
    case S2_K3P0:
        VD_PAIRT(p, *a, *b);
        VD_PAIRT(p + 2, *c, o1);
        break;
    default:
        VD_PAIRT(p - 2, e0, *a);
        VD_PAIRT(p, *b, *c);
        break;
    }
    (void)e0;
    (void)o1;
}

/* alpha max + (1 - alpha) avg at stride 2 with windows of 2 or 3: every
 * vector lane folds its window's cells in row-major order as the reducer
 * does (the max keeping the first of equals, the sum from 0 in double), so
 * the bits are the reducer's; a NaN or inf - inf makes the sum NaN and so
 * the output, as in the reducer, whatever the max kept (the fold starts
 * from the first cell, not from -inf).  Row by row, as sum_s2_rows: each
 * input row is read whole (its windows' max and sum kept in scratch) before
 * the next, which costs the memory system a third of reading a window's
 * rows side by side.  rows = the windows' row count when every output row
 * of the band has the same (2 or 3), else 0. */
KFN_FLAT void KP(maxavg_s2_rows)(const kern_band_args *a, const int shape, const long rows,
                                 size_t vlo, size_t vhi)
{
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const bool three = shape == S2_K3P0 || shape == S2_K3P1;
    const VD alpha = VD_SET1(kp->alpha), beta = VD_SET1(1 - kp->alpha), zero = VD_SET1(0);
    /* avg = sum * (row * column reciprocal), powers of two, so the
     * quotient's bits; else sum / (row * column divisor); or the constant
     * divisor's */
    const bool constant = kp->divisor != 0, recip = kp->reciprocal;
    const double *col = recip ? kp->col_reciprocal : kp->col_divisor;
    /* past window_one's two copies of a window, in VD_PAIRT's lane order:
     * the windows' max and sum so far, and the divisors (or reciprocals)
     * of the output row, made again when the row's divisor changes */
    double *best_row = (double *)a->scratch + 2 * kp->window_cells, *sum_row = best_row + ow;
    double *scale_row = sum_row + ow, scale_of = -1;
    const size_t vend = vhi > vlo ? vlo + (vhi - vlo + VDL - 1) / VDL * VDL : vlo;
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        const long rn = rows > 0 ? rows : ry->count[oy];
        assert(rn > 0); /* stride 2, padding <= 1: every window starts inside */
        const KT *row0 = (const KT *)a->in + (size_t)ry->first[oy] * W;
        KT *o = (KT *)a->out + oy * ow;
        const double drow = constant ? 0 : (double)kp->plan->rows.divisor[oy];
        if (drow != scale_of) {
            const VD fixed = VD_SET1(recip ? 1 / kp->divisor : kp->divisor);
            const VD row_scale = VD_SET1(recip ? 1 / drow : drow);
            /* VD_UNPERM is its own inverse */
            for (size_t ox = vlo; ox < vhi; ox += VDL)
                VD_ST(scale_row + ox,
                      constant ? fixed : VD_MUL(row_scale, VD_UNPERM(VD_LD(col + ox))));
            scale_of = drow;
        }
        for (long i = 0; i < rn; i++) {
            const KT *src = row0 + (size_t)i * W;
            for (size_t ox = vlo; ox < vhi; ox += VDL) {
                VD best, sum, x0, x1, x2;
                KERNELS_PREFETCH(src + 2 * ox + 128);
                KP(s2_taps)(src + 2 * ox, shape, &x0, &x1, &x2);
                if (i == 0) {
                    best = VD_MAX(x0, x1);
                    sum = VD_ADD(VD_ADD(zero, x0), x1);
                } else {
                    best = VD_MAX(VD_MAX(VD_LD(best_row + ox), x0), x1);
                    sum = VD_ADD(VD_ADD(VD_LD(sum_row + ox), x0), x1);
                }
                if (three) {
                    best = VD_MAX(best, x2);
                    sum = VD_ADD(sum, x2);
                }
                if (i < rn - 1) {
                    VD_ST(best_row + ox, best);
                    VD_ST(sum_row + ox, sum);
                    continue;
                }
                const VD d = VD_LD(scale_row + ox);
                const VD avg = recip ? VD_MUL(sum, d) : VD_DIV(sum, d);
                VD_STT(o + ox, VD_UNPERM(VD_ADD(VD_MUL(alpha, best), VD_MUL(beta, avg))));
            }
        }
        for (size_t ox = vlo > 0 ? 0 : vend; ox < ow; ox = ox + 1 == vlo ? vend : ox + 1)
            KP(window_one)(a, oy, ox, a->scratch);
    }
}

KFN void KP(maxavg_s2_band)(const kern_band_args *a)
{
    size_t vlo, vhi;
    const int shape = KP(s2_shape)(a->cols, VDL, &vlo, &vhi);
    long rows = a->rows->count[a->oy0];
    for (size_t oy = a->oy0; oy < a->oy1 && rows > 0; oy++)
        if (a->rows->count[oy] != rows)
            rows = 0;
    /* a row count the same for the whole band, so the row loop unrolls */
#define MAXAVG_CASE(sh)                                                        \
    case sh:                                                                   \
        if (rows == 2)                                                         \
            KP(maxavg_s2_rows)(a, sh, 2, vlo, vhi);                            \
        else if (rows == 3)                                                    \
            KP(maxavg_s2_rows)(a, sh, 3, vlo, vhi);                            \
        else                                                                   \
            KP(maxavg_s2_rows)(a, sh, 0, vlo, vhi);                            \
        break;
    switch (shape) {
        MAXAVG_CASE(S2_K2P0)
        MAXAVG_CASE(S2_K2P1)
        MAXAVG_CASE(S2_K3P0)
        MAXAVG_CASE(S2_K3P1)
    }
#undef MAXAVG_CASE
}

/* The middle of 3x3 windows at stride 1, values only: each of the three
 * columns sorted (lo <= mid <= hi), then the middle of (the largest lo, the
 * middle mid, the smallest hi), which is the middle of the nine.  Windows
 * that hold a NaN, or whose middle is a zero (whose sign depends on the
 * order of equals), and windows that reach the padding, are the
 * reducer's. */
KFN VT KP(middle3)(VT a, VT b, VT c)
{
    return V_MAX(V_MIN(a, b), V_MIN(V_MAX(a, b), c));
}

KFN void KP(middle3x3_band)(const kern_band_args *a)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const KT *in = a->in;
    double *buf = a->scratch;
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        KT *o = (KT *)a->out + oy * ow;
        size_t ox = 0;
        if (ry->count[oy] == 3 && cx->hi - cx->lo >= VL) {
            const KT *r0 = in + (size_t)ry->first[oy] * W, *r1 = r0 + W, *r2 = r1 + W;
            for (; ox < cx->lo; ox++)
                KP(window_one)(a, oy, ox, buf);
            /* vectors from lo; the last one ends at hi (recomputing some) */
            for (size_t vx = cx->lo; vx < cx->hi; vx += VL) {
                if (vx + VL > cx->hi)
                    vx = cx->hi - VL;
                const size_t c = (size_t)cx->first[vx];
                VT lo[3], mid[3], hi[3];
                VM bad = V_UNORD(V_LD(r0 + c), V_LD(r0 + c));
                for (size_t j = 0; j < 3; j++) {
                    VT p = V_LD(r0 + c + j), q = V_LD(r1 + c + j), r = V_LD(r2 + c + j);
                    bad = V_MOR(bad, V_MOR(V_UNORD(p, q), V_UNORD(r, r)));
                    VT l1 = V_MIN(p, q), h1 = V_MAX(p, q), h2 = V_MAX(l1, r);
                    lo[j] = V_MIN(l1, r);
                    mid[j] = V_MIN(h1, h2);
                    hi[j] = V_MAX(h1, h2);
                }
                VT low = V_MAX(V_MAX(lo[0], lo[1]), lo[2]);
                VT high = V_MIN(V_MIN(hi[0], hi[1]), hi[2]);
                VT m = KP(middle3)(low, KP(middle3)(mid[0], mid[1], mid[2]), high);
                V_ST(o + vx, m);
                if (V_ANY(V_MOR(bad, V_ISZERO(m))))
                    for (size_t l = 0; l < VL; l++)
                        KP(window_one)(a, oy, vx + l, buf);
            }
            ox = cx->hi;
        }
        for (; ox < ow; ox++)
            KP(window_one)(a, oy, ox, buf);
    }
}

#if KT_F32
/* Softmax weights and log-sum-exp of float32 windows at stride 2 (windows
 * of 2 or 3, padding <= 1), 8 windows a vector (16 with AVX-512), in float:
 *   with m the window's max, s = 16 r log2 e and d = max(x - m, -1600/s),
 *   d s = 16 n + j + f, 16 n + j the nearest whole number (in [-1600, 0]),
 *   j in [0, 16) and |f| <= 1/2: t = d s + (0x1.8p23 + 16 127) rounded
 *   holds 16 (n + 127) + j in its low bits, so f = d s - (t - that) (fused,
 *   rounded once), 2^n is t's bits 4.. shifted into the exponent and
 *   2^(j/16) a table's mantissa (EXP2_STEP_MANTISSAS): the step
 *   b = 2^n 2^(j/16) costs no arithmetic.  2^(f/16) - 1 = f P(f), P of
 *   degree 2 fitted for the least largest relative error (1.6e-9), so
 *   e^(r (x - m)) = b (1 + f P) and its expm1 = b f P + (b - 1), both good
 *   to about 1e-7 relative (a weight under 2^-100 counts as 2^-100: its
 *   share is below 1e-30);
 *   the weighted sum = m + sum w d / sum w;
 *   lse = m + log1p(z) / r, z = sum expm1 / k = (sum b f P + (sum b - k)) / k
 *   over the k cells, with 1 + z = 2^e c (c in [0.75, 1.5)):
 *   log1p(z) = e log 2 + 2 atanh(v), v = (c - 1)/(c + 1) (LSE_FINISH),
 *   where e = 0 takes z for c - 1 (exact where 1 + z rounds).
 * The expm1 form keeps lse's relative accuracy when the window's values
 * are close together, or r is small.  Both stay within a few float32 units
 * of the window's largest |x| (lse: of max |x| + 1/r).  A window holding a
 * NaN or an infinity is the reducer's (whose result then depends on the
 * order).  In such a window's lanes the arithmetic below computes garbage
 * that is thrown away, but never converts a float to an integer. */

/* the mantissa bits of 2^(j/16) rounded to float, j = 0 .. 15 */
#define EXP2_STEP_MANTISSAS                                                                    \
    0x0, 0x5aac3, 0xb95c2, 0x11c3d3, 0x1837f0, 0x1ef532, 0x25fed7, 0x2d583f, 0x3504f3, 0x3d08a4, \
        0x45672a, 0x4e248c, 0x5744fd, 0x60ccdf, 0x6ac0c7, 0x75257d

/* 2^n 2^(j/16) from t's bits (above) */
KFN float KP(exp2step)(float t)
{
    static const uint32_t mantissa[16] = {EXP2_STEP_MANTISSAS};
    uint32_t bits;
    memcpy(&bits, &t, sizeof bits);
    bits = ((bits << 19) & 0x7f800000u) | mantissa[bits & 15];
    memcpy(&t, &bits, sizeof t);
    return t;
}

#if KISA_AVX2
/* KP(exp2step) in 8 lanes: the table in two halves */
KFN VT KP(exp2step_v)(VT t)
{
    const __m256i bits = _mm256_castps_si256(t);
    const __m256 low = _mm256_castsi256_ps(_mm256_setr_epi32(0x0, 0x5aac3, 0xb95c2, 0x11c3d3, 0x1837f0,
                                                             0x1ef532, 0x25fed7, 0x2d583f));
    const __m256 high = _mm256_castsi256_ps(_mm256_setr_epi32(0x3504f3, 0x3d08a4, 0x45672a, 0x4e248c,
                                                              0x5744fd, 0x60ccdf, 0x6ac0c7, 0x75257d));
    const __m256 mantissa = _mm256_blendv_ps(_mm256_permutevar8x32_ps(low, bits),
                                             _mm256_permutevar8x32_ps(high, bits),
                                             _mm256_castsi256_ps(_mm256_slli_epi32(bits, 28)));
    const __m256i exponent = _mm256_and_si256(_mm256_slli_epi32(bits, 19), _mm256_set1_epi32(0x7f800000));
    return _mm256_castsi256_ps(_mm256_or_si256(exponent, _mm256_castps_si256(mantissa)));
}
#endif

/* The scalar forms of V_MANT, V_EXPO. */
KFN float KP(mantf)(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits = (bits & 0x7fffffu) | 0x3f800000u;
    memcpy(&v, &bits, sizeof v);
    return v;
}

KFN float KP(expof)(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return (float)((int32_t)(bits >> 23) - 127);
}

#define EXP2_STEP_P0 0.043321698916621146f
#define EXP2_STEP_P1 0.0009384151778103332f
#define EXP2_STEP_P2 1.355032599466364e-05f
/* 0x1.8p23 + 16 127 */
#define SOFTMAX_MAGIC 12584944.0f

/* One window's sums from its k cells x (float32 lanes): m, and y = the
 * weighted sum (softpool) or k z (lse, for LSE_FINISH).  The vector lanes and
 * softmax_one() below do the same operations in the same order.
 * scale = 16 r log2 e, dmin = -1600 / scale; EXP2STEPF(t) = 2^n 2^(j/16)
 * from t's bits (see above); b f P(f) takes one fma.
 * With 2 or 4 cells, a max/min network sets the max apart from the others:
 * its weight is exactly 1 (2^0, and q = 0), so the sums start from it and
 * only the others pay for an exp; ties leave one copy of the max among the
 * others, whose d is 0 and weight 1 all the same. */
#define SOFTMAX_SUMS(VTYPE, SET1, MAXF, MINF, ADDF, SUBF, MULF, FMAF, DIVF, EXP2STEPF, x, k, lse,   \
                     scale, dmin, m, y)                                                        \
    do {                                                                                       \
        const VTYPE zero_ = SET1(0.0f), magic_ = SET1(SOFTMAX_MAGIC);                          \
        VTYPE m_, o_[3];                                                                       \
        int no_ = (k);                                                                         \
        if ((k) == 4) {                                                                        \
            const VTYPE a_ = MAXF((x)[0], (x)[1]), c_ = MAXF((x)[2], (x)[3]);                  \
            o_[0] = MINF((x)[0], (x)[1]);                                                      \
            o_[1] = MINF((x)[2], (x)[3]);                                                      \
            o_[2] = MINF(a_, c_);                                                              \
            m_ = MAXF(a_, c_);                                                                 \
            no_ = 3;                                                                           \
        } else if ((k) == 2) {                                                                 \
            o_[0] = MINF((x)[0], (x)[1]);                                                      \
            m_ = MAXF((x)[0], (x)[1]);                                                         \
            no_ = 1;                                                                           \
        } else {                                                                               \
            m_ = (x)[0];                                                                       \
            _Pragma("GCC unroll 9") for (int t_ = 1; t_ < (k); t_++)                           \
                m_ = MAXF(m_, (x)[t_]);                                                        \
        }                                                                                      \
        const VTYPE *const cells_ = no_ < (k) ? o_ : (x);                                      \
        VTYPE sum_ = no_ < (k) ? SET1(1.0f) : zero_, acc_ = zero_;                             \
        _Pragma("GCC unroll 9") for (int t_ = 0; t_ < no_; t_++) {                             \
            const VTYPE d_ = MAXF(SUBF(cells_[t_], m_), (dmin));                               \
            const VTYPE t2_ = FMAF(d_, (scale), magic_);                                       \
            const VTYPE f_ = FMAF(d_, (scale), SUBF(magic_, t2_));                             \
            const VTYPE p_ = FMAF(f_, FMAF(f_, SET1(EXP2_STEP_P2), SET1(EXP2_STEP_P1)),         \
                                  SET1(EXP2_STEP_P0));                                         \
            const VTYPE two_n_ = EXP2STEPF(t2_), nf_ = MULF(two_n_, f_);                       \
            if (lse) {                                                                         \
                acc_ = FMAF(nf_, p_, acc_);                                                    \
                sum_ = ADDF(sum_, two_n_);                                                     \
            } else {                                                                           \
                const VTYPE w_ = FMAF(nf_, p_, two_n_);                                        \
                sum_ = ADDF(sum_, w_);                                                         \
                acc_ = FMAF(w_, d_, acc_);                                                     \
            }                                                                                  \
        }                                                                                      \
        (m) = m_;                                                                              \
        if (lse)                                                                               \
            (y) = ADDF(acc_, SUBF(sum_, SET1((float)(k))));                                    \
        else                                                                                   \
            (y) = ADDF(m_, DIVF(acc_, sum_));                                                  \
    } while (0)

#ifndef SOFTMAX_ROW_CELLS
/* A window row's cells t0, t1 (and t2 for 3 taps) of the stride-2 shape
 * from p (VTYPE vectors), by PAIR(q, even, odd): the even and odd cells of a vector's
 * width from q (V_PAIR, or the 16-lane pair of the AVX-512 kernels). */
#define SOFTMAX_ROW_CELLS(VTYPE, PAIR, p, shape, t0, t1, t2)                   \
    do {                                                                       \
        VTYPE unused_;                                                         \
        switch (shape) {                                                       \
        case S2_K2P0:                                                          \
            PAIR((p), t0, t1);                                                 \
            (t2) = (t1);                                                       \
            break;                                                             \
        case S2_K2P1:                                                          \
            PAIR((p) - 2, unused_, t0);                                        \
            PAIR((p), t1, unused_);                                            \
            (t2) = (t1);                                                       \
            break;                                                             \
        case S2_K3P0:                                                          \
            PAIR((p), t0, t1);                                                 \
            PAIR((p) + 2, t2, unused_);                                        \
            break;                                                             \
        default:                                                               \
            PAIR((p) - 2, unused_, t0);                                        \
            PAIR((p), t1, t2);                                                 \
            break;                                                             \
        }                                                                      \
        (void)unused_;                                                         \
    } while (0)
#endif

/* lse from a window's m and s = k z (SOFTMAX_SUMS), z = the mean weight - 1
 * in (-1, 0] (inverse_k = 1/k): m + log1p(z) / r.  NORMF(w, c, e) splits w = 1 + z into c in [0.75, 1.5)
 * and e with w = c 2^e (LSE_NORM_BITS, or the processor's own mantissa and
 * exponent: the same values).  ln c = 2 atanh(v), v = (c - 1) / (c + 1) in
 * [-1/7, 1/5], by v (k0 + k1 v^2 + k2 v^4 + k3 v^6), a minimax fit of
 * 2 atanh(v) / v (relative error 5e-9); lk holds the k_i / r and ln 2 / r
 * (LSE_CONSTANTS).  Where w >= 0.75, e = 0 (w <= 1) and c - 1 is z itself,
 * without the rounding of 1 + z: lse tends to avg as r tends to 0. */
#define LSE_HIGH 1.49999988f /* the float below 1.5 */
#define LSE_K0 1.999999995190273
#define LSE_K1 0.6666704855226371
#define LSE_K2 0.39952668988565687
#define LSE_K3 0.30434922503761996
#define LSE_LN2 0.6931471805599453
#define LSE_CONSTANTS 5
#define LSE_FINISH(VTYPE, SET1, ADDF, SUBF, MULF, FMAF, DIVF, NORMF, BLENDF, GREATERF, s, inverse_k, m, \
                   lk, y)                                                                      \
    do {                                                                                       \
        const VTYPE z_ = MULF((s), (inverse_k)), w_ = FMAF((s), (inverse_k), SET1(1.0f));      \
        VTYPE c_, e_;                                                                          \
        NORMF(w_, c_, e_);                                                                     \
        const VTYPE top_ = BLENDF(GREATERF(SET1(0.75f), w_), SUBF(c_, SET1(1.0f)), z_);         \
        const VTYPE v_ = DIVF(top_, ADDF(top_, SET1(2.0f)));                                   \
        const VTYPE t_ = MULF(v_, v_), t2_ = MULF(t_, t_);                                     \
        const VTYPE series_ = FMAF(t2_, FMAF(t_, (lk)[3], (lk)[2]), FMAF(t_, (lk)[1], (lk)[0])); \
        (y) = FMAF(v_, series_, FMAF(e_, (lk)[4], (m)));                                       \
    } while (0)

/* NORMF from the bits: the mantissa in [1, 2), halved from 1.5 on */
#define LSE_NORM_BITS(MASKTYPE, SET1, ADDF, MULF, MANTF, EXPOF, GREATERF, BLENDF, w, c, e)     \
    do {                                                                                       \
        (c) = MANTF(w);                                                                        \
        (e) = EXPOF(w);                                                                        \
        const MASKTYPE high_ = GREATERF((c), SET1(LSE_HIGH));                                  \
        (c) = BLENDF(high_, MULF((c), SET1(0.5f)), (c));                                       \
        (e) = BLENDF(high_, ADDF((e), SET1(1.0f)), (e));                                       \
    } while (0)
#define SF_LSE_NORM(w, c, e)                                                                   \
    LSE_NORM_BITS(bool, SF_SET1, SF_ADD, SF_MUL, KP(mantf), KP(expof), SF_GREATER, SF_BLEND, w, c, e)
#define V_LSE_NORM(w, c, e)                                                                    \
    LSE_NORM_BITS(VM, V_SET1, V_ADD, V_MUL, V_MANT, V_EXPO, V_GREATER, V_BLEND, w, c, e)

#define SF_SET1(x) ((float)(x))
#define SF_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SF_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SF_ADD(a, b) ((a) + (b))
#define SF_SUB(a, b) ((a) - (b))
#define SF_MUL(a, b) ((a) * (b))
#define SF_DIV(a, b) ((a) / (b))
#define SF_GREATER(a, b) ((a) > (b))
#define SF_BLEND(m, l, e) ((m) ? (l) : (e))
#define SF_EQ(a, b) ((a) == (b))

/* The float constants of a plan's windows: 16 r log2 e, -1600 over that, and
 * LSE_FINISH's lk (each rounded once from double). */
KFN void KP(softmax_constants)(const kern_plan *kp, float *scale, float *dmin, float lk[LSE_CONSTANTS])
{
    static const double k[LSE_CONSTANTS] = {LSE_K0, LSE_K1, LSE_K2, LSE_K3, LSE_LN2};
    *scale = (float)(kp->sharpness * (16 * 1.4426950408889634));
    *dmin = -1600.0f / *scale;
    for (int i = 0; i < LSE_CONSTANTS; i++)
        lk[i] = (float)(k[i] / kp->sharpness);
}

/* Output (oy, ox) by the vector lanes' arithmetic, one window (any count of
 * cells); the reducer's where a cell is not finite. */
KFN void KP(softmax_one)(const kern_band_args *a, size_t oy, size_t ox, bool lse)
{
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in;
    const long nr = ry->count[oy], nc = cx->count[ox];
    float x[9] = {0};
    int k = 0;
    bool finite = nr * nc > 0 && nr * nc <= 9;
    for (long i = 0; i < nr && finite; i++)
        for (long j = 0; j < nc; j++) {
            x[k] = ((const float *)a->in)[(size_t)(ry->first[oy] + i) * W + (size_t)(cx->first[ox] + j)];
            finite = finite && isfinite(x[k]);
            k++;
        }
    if (!finite) {
        KP(window_one)(a, oy, ox, a->scratch);
        return;
    }
    float scale, dmin, lk[LSE_CONSTANTS];
    KP(softmax_constants)(a->kp, &scale, &dmin, lk);
    const float inverse_n = 1.0f / (float)k;
    float m, y;
    SOFTMAX_SUMS(float, SF_SET1, SF_MAX, SF_MIN, SF_ADD, SF_SUB, SF_MUL, fmaf, SF_DIV, KP(exp2step), x, k,
                 lse, scale, dmin, m, y);
    if (lse) {
        LSE_FINISH(float, SF_SET1, SF_ADD, SF_SUB, SF_MUL, fmaf, SF_DIV, SF_LSE_NORM, SF_BLEND, SF_GREATER,
                   y, inverse_n, m, lk, y);
    }
    ((float *)a->out)[oy * cx->out + ox] = y;
}

/* The windows of one vector: `rows` rows of `shape` from row0 + 2 ox; m
 * and y (SOFTMAX_SUMS) in V_PAIR's lane order, check NaN where a cell is
 * not finite (or the cells' sum overflows), else 0. */
KFN_FLAT void KP(softmax_vector)(const KT *row0, size_t W, size_t ox, const int shape,
                                 const long rows, const bool lse, VT scale, VT dmin,
                                 VT *m, VT *y, VT *check)
{
    const int taps = shape == S2_K3P0 || shape == S2_K3P1 ? 3 : 2;
    VT x[9];
    int k = 0;
    x[0] = V_SET1(0.0f);
#pragma GCC unroll 3
    for (long i = 0; i < rows; i++) {
        const KT *p = row0 + (size_t)i * W + 2 * ox;
        VT t0, t1, t2;
        /* far ahead: each vector is long work, so the loads alone would
         * not keep enough of the input coming */
        KERNELS_PREFETCH(p + 512);
        SOFTMAX_ROW_CELLS(VT, V_PAIR, p, shape, t0, t1, t2);
        x[k++] = t0;
        x[k++] = t1;
        if (taps == 3)
            x[k++] = t2;
    }
    VT c = x[0];
#pragma GCC unroll 9
    for (int t = 1; t < k; t++)
        c = V_ADD(c, x[t]);
    *check = V_SUB(c, c);
    SOFTMAX_SUMS(VT, V_SET1, V_MAX, V_MIN, V_ADD, V_SUB, V_MUL, V_FMA, V_DIV, V_EXP2STEP, x, k, lse, scale,
                 dmin, *m, *y);
}

/* One output row's vectors [vlo, vhi) store y (softpool), or m into the
 * output and z into zrow (lse), and flag the vectors with a window that is
 * not theirs in bad; true if any. */
KFN_FLAT bool KP(softmax_row_sums)(const KT *row0, size_t W, const int shape, const long rn,
                                   const bool lse, VT scale, VT dmin, size_t vlo,
                                   size_t vhi, KT *o, float *zrow, unsigned char *bad)
{
    bool any = false;
    size_t ox = vlo;
    /* two vectors at a time where they can (more independent work) */
    for (; ox + VL < vhi && rn == 2; ox += 2 * VL) {
        VT m0, y0, c0, m1, y1, c1;
        KP(softmax_vector)(row0, W, ox, shape, 2, lse, scale, dmin, &m0, &y0, &c0);
        KP(softmax_vector)(row0, W, ox + VL, shape, 2, lse, scale, dmin, &m1, &y1, &c1);
        if (lse) {
            V_ST(o + ox, V_UNPERM(m0));
            V_ST(o + ox + VL, V_UNPERM(m1));
            V_ST(zrow + ox, V_UNPERM(y0));
            V_ST(zrow + ox + VL, V_UNPERM(y1));
        } else {
            V_ST(o + ox, V_UNPERM(y0));
            V_ST(o + ox + VL, V_UNPERM(y1));
        }
        const bool b = V_ANY(V_UNORD(c0, c1));
        bad[(ox - vlo) / VL] = bad[(ox - vlo) / VL + 1] = b;
        any = any || b;
    }
    for (; ox < vhi; ox += VL) {
        VT m, y, c;
        if (rn == 2)
            KP(softmax_vector)(row0, W, ox, shape, 2, lse, scale, dmin, &m, &y, &c);
        else if (rn == 3)
            KP(softmax_vector)(row0, W, ox, shape, 3, lse, scale, dmin, &m, &y, &c);
        else
            KP(softmax_vector)(row0, W, ox, shape, 1, lse, scale, dmin, &m, &y, &c);
        if (lse) {
            V_ST(o + ox, V_UNPERM(m));
            V_ST(zrow + ox, V_UNPERM(y));
        } else {
            V_ST(o + ox, V_UNPERM(y));
        }
        const bool b = V_ANY(V_UNORD(c, c));
        bad[(ox - vlo) / VL] = b;
        any = any || b;
    }
    return any;
}

/* Row by row: the vectors' sums; for lse then their logs in a loop of
 * their own (each log is a long chain: independent windows side by side
 * overlap them); then the flagged vectors' windows and the rest one by
 * one. */
KFN_FLAT void KP(softmax_s2_rows)(const kern_band_args *a, const int shape, const bool lse,
                                  size_t vlo, size_t vhi)
{
    const kern_plan *kp = a->kp;
    const kern_axis *ry = a->rows, *cx = a->cols;
    const size_t W = cx->in, ow = cx->out;
    const int taps = shape == S2_K3P0 || shape == S2_K3P1 ? 3 : 2;
    float scale1, dmin1, lk1[LSE_CONSTANTS];
    KP(softmax_constants)(kp, &scale1, &dmin1, lk1);
    const VT scale = V_SET1(scale1), dmin = V_SET1(dmin1);
    VT lk[LSE_CONSTANTS];
    for (int i = 0; i < LSE_CONSTANTS; i++)
        lk[i] = V_SET1(lk1[i]);
    const size_t vend = vhi > vlo ? vlo + (vhi - vlo + VL - 1) / VL * VL : vlo;
    /* after window_one's buffer: z of each output, a flag per vector */
    float *zrow = (float *)((double *)a->scratch + 2 * kp->window_cells);
    unsigned char *bad = (unsigned char *)(zrow + ow + VL);
    for (size_t oy = a->oy0; oy < a->oy1; oy++) {
        const long rn = ry->count[oy];
        const KT *row0 = (const KT *)a->in + (size_t)ry->first[oy] * W;
        KT *o = (KT *)a->out + oy * ow;
        if (rn == 0) {
            for (size_t ox = 0; ox < ow; ox++)
                KP(softmax_one)(a, oy, ox, lse);
            continue;
        }
        const VT inverse_n = V_SET1(1.0f / (float)(rn * taps));
        const bool any_bad = KP(softmax_row_sums)(row0, W, shape, rn, lse, scale, dmin,
                                                  vlo, vhi, o, zrow, bad);
        if (lse)
            for (size_t ox = vlo; ox < vhi; ox += VL) {
                VT y;
                LSE_FINISH(VT, V_SET1, V_ADD, V_SUB, V_MUL, V_FMA, V_DIV, V_LSE_NORM, V_BLEND, V_GREATER,
                           V_LD(zrow + ox), inverse_n, V_LD(o + ox), lk, y);
                V_ST(o + ox, y);
            }
        for (size_t ox = vlo; any_bad && ox < vhi; ox += VL)
            if (bad[(ox - vlo) / VL])
                for (size_t l = 0; l < VL; l++)
                    KP(softmax_one)(a, oy, ox + l, lse);
        for (size_t ox = vlo > 0 ? 0 : vend; ox < ow; ox = ox + 1 == vlo ? vend : ox + 1)
            KP(softmax_one)(a, oy, ox, lse);
    }
}

KFN void KP(softmax_s2_band)(const kern_band_args *a, bool lse)
{
    size_t vlo, vhi;
    const int shape = KP(s2_shape)(a->cols, VL, &vlo, &vhi);
    switch (shape * 2 + lse) {
    case S2_K2P0 * 2:
        KP(softmax_s2_rows)(a, S2_K2P0, false, vlo, vhi);
        break;
    case S2_K2P0 * 2 + 1:
        KP(softmax_s2_rows)(a, S2_K2P0, true, vlo, vhi);
        break;
    case S2_K2P1 * 2:
        KP(softmax_s2_rows)(a, S2_K2P1, false, vlo, vhi);
        break;
    case S2_K2P1 * 2 + 1:
        KP(softmax_s2_rows)(a, S2_K2P1, true, vlo, vhi);
        break;
    case S2_K3P0 * 2:
        KP(softmax_s2_rows)(a, S2_K3P0, false, vlo, vhi);
        break;
    case S2_K3P0 * 2 + 1:
        KP(softmax_s2_rows)(a, S2_K3P0, true, vlo, vhi);
        break;
    case S2_K3P1 * 2:
        KP(softmax_s2_rows)(a, S2_K3P1, false, vlo, vhi);
        break;
    default:
        KP(softmax_s2_rows)(a, S2_K3P1, true, vlo, vhi);
        break;
    }
}
#endif

KFN void KP(window_band)(const kern_band_args *a)
{
    const kern_plan *kp = a->kp;
    if (kp->kernel == OP_KERNEL_MAXAVG && kp->fused_s2) {
        KP(maxavg_s2_band)(a);
        return;
    }
#if KT_F32
    if ((kp->kernel == OP_KERNEL_SOFTMAX || kp->kernel == OP_KERNEL_LOGSUMEXP) && kp->fused_s2) {
        KP(softmax_s2_band)(a, kp->kernel == OP_KERNEL_LOGSUMEXP);
        return;
    }
#endif
    if (kp->kernel == OP_KERNEL_MIDDLE && kp->window3x3 && a->idx == NULL) {
        KP(middle3x3_band)(a);
        return;
    }
    double *buf = a->scratch;
    for (size_t oy = a->oy0; oy < a->oy1; oy++)
        for (size_t ox = 0; ox < a->cols->out; ox++)
            KP(window_one)(a, oy, ox, buf);
}
