/* kernels.h - the fast kernels behind pool_forward().  Internal to src/core.
 *
 * The kernels compute what pool_explain() computes, faster:
 *
 *   max/min, fractional, spp   separable: each input row is reduced along its
 *       columns first, then the row results down the rows, which keeps the
 *       reference's winner (the first maximum, or the last NaN) bit for bit,
 *       index included (see kernels-body.h).  Wide windows use log-doubling
 *       along the rows, tall ones van Herk/Gil-Werman blocks down them, so
 *       the cost per output hardly grows with the window.  min is max of -x.
 *       Stride 2 with windows of 2 or 3 (2x2/2, 3x3/2 pad 1) reads pairs of
 *       cells straight from the input, row by row; bins (adaptive, graham
 *       fractional) fold whole rows first when only values are wanted.
 *   avg, sum, l2, lp, power    one fused pass: |x|^p as each row is loaded
 *       (into double, the padding as zeros), sums along the columns then down
 *       the rows, the divisor and the root when the output is stored.  Sums
 *       never subtract, so a non-finite value only reaches the windows that
 *       hold it and a window's rounding error stays in units of its own
 *       cells; long windows add van Herk blocks (along the columns four rows
 *       side by side, dilated ones power-of-two blocks) instead of running
 *       differences, so their cost hardly grows with the window.  Float32
 *       averages multiply by the reciprocal divisors in double.  A norm whose
 *       power sum left the safe range of double is recomputed with the scaled
 *       formula of opmath.h.
 *   global, bilinear   plain loops over contiguous data.
 *   the window reducers (softmax-weighted, log-sum-exp, middle value,
 *       max-avg blend)   one window at a time, in the reference's order and
 *       arithmetic (so the same bits), with vector paths for the common
 *       shapes (see kernels-body.h).
 *   (stochastic and every operator whose table entry names no kernel, see
 *   ops.h, take the reference path.)
 *
 * Work is split over planes, or over bands of output rows when there are
 * fewer planes than threads; every output is computed the same way whatever
 * the split, so any thread count gives identical results.
 *
 * The kernels are written once (kernels-body.h over kernels-simd.h) and
 * compiled twice: in portable C and, on x86 with GCC or Clang, for AVX2
 * with FMA, chosen at run time.  Both give the same bits.
 */
#ifndef POOLVIZ_CORE_KERNELS_H
#define POOLVIZ_CORE_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"
#include "tensor.h"

/* The AVX2 build of the kernels (AVX2 and FMA) needs GCC or Clang on x86
 * (function target attributes and the intrinsics). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && \
    !defined(POOLVIZ_NO_AVX2)
#define KERNELS_HAVE_AVX2 1
#endif

/* How a band kernel reduces one axis. */
enum {
    KM_DIRECT,      /* every tap of every window */
    KM_DOUBLING,    /* columns: log-doubling (max) or sums of power-of-two blocks */
    KM_VANHERK      /* rows: prefix and suffix blocks (van Herk/Gil-Werman) */
};

/* One axis of the windows a band kernel visits.  Window j reads the taps
 * first[j] + t*step for t < count[j], all inside [0, in); count 0 means
 * the window holds padding only. */
typedef struct kern_axis {
    size_t in, out;
    long step;              /* spacing of taps: dilation, 1 for bins */
    const long *start;      /* first tap of each window, maybe outside the input */
    const long *first;      /* first tap inside the input */
    const long *count;      /* taps inside the input */
    bool regular;           /* window j starts at j*stride - pad with `taps` taps */
    long stride, taps, pad;
    size_t lo, hi;          /* regular: windows [lo, hi) lie wholly inside */
    long reach;             /* regular: taps reach `reach` cells past the end */
    int method;             /* KM_* */
} kern_axis;

/* Ask for the cache line at p ahead of use (where the compiler can). */
#if defined(__GNUC__)
#define KERNELS_PREFETCH(p) __builtin_prefetch((p), 0, 3)
#else
#define KERNELS_PREFETCH(p) ((void)(p))
#endif

/* Elements per step of a global reduction (scratch: KERNELS_CHUNK doubles). */
#define KERNELS_CHUNK 2048

/* How the sum family loads and finishes. */
enum { KL_ID, KL_ABS, KL_SQUARE, KL_CUBE, KL_POW };
enum { KF_AVG, KF_SUM, KF_ROOT };

typedef struct kern_plan {
    const pool_plan *plan;
    pool_op op;
    pool_op_kernel kernel;  /* the table's kernel for op */
    double alpha;           /* OP_KERNEL_MAXAVG: the max's share */
    double sharpness;       /* OP_KERNEL_SOFTMAX (1), OP_KERNEL_LOGSUMEXP: r */
    size_t window_cells;    /* the window kernels: the most cells of a window */
    bool window3x3;         /* the window kernels: 3x3 windows at stride 1 */
    size_t planes, h, w, oh, ow;
    kern_axis rows, cols;
    bool is_min;            /* min (computed as max of -x) */
    int load;               /* KL_* */
    int finish;             /* KF_* */
    double p;
    double divisor;         /* the --divisor override (1 for sum, l2, lp),
                               0 = by the rule */
    double *col_divisor;    /* cols: the divisor rule's count, as double */
    /* every divisor is a power of two: the finish multiplies by
     * the reciprocals (exactly the same result, no division) */
    bool reciprocal;
    double *col_reciprocal; /* 1 / col_divisor when reciprocal */
    bool fused_s2;          /* stride 2, windows of 2 or 3, padding <= 1:
                               max_s2_band / sum_s2_band */
    bool bins_values;       /* windows of consecutive input cells that
                               all hold input (bins): max_bins_values */
    bool stream;            /* the output is far larger than the caches:
                               store it around them */
    size_t band_rows;       /* output rows per work item */
    size_t bands;           /* work items per plane */
    size_t scratch;         /* bytes of scratch per thread */
    /* torch fractional: each plane has its own windows; oh copies of the
     * kernel height, then ow of its width */
    long *kernel_taps;
    /* spp: one pair of axes per level */
    kern_axis level_rows[POOL_MAX_LEVELS], level_cols[POOL_MAX_LEVELS];
} kern_plan;

/* One band of one plane for the band kernels: in and out point at the
 * plane's first element, idx (NULL: no indices wanted) at its first index;
 * the band is output rows [oy0, oy1); scratch holds kp->scratch bytes. */
typedef struct kern_band_args {
    const kern_plan *kp;
    const kern_axis *rows, *cols;
    const void *in;
    void *out;
    int64_t *idx;
    size_t oy0, oy1;
    void *scratch;
} kern_band_args;

typedef struct kern_impl {
    const char *name;
    void (*max_band)(const kern_band_args *a);
    void (*sum_band)(const kern_band_args *a);
    /* global: planes [p0, p1) of the whole tensor, one output each;
     * scratch: KERNELS_CHUNK doubles */
    void (*global_max)(const kern_plan *kp, const void *in, void *out, int64_t *idx,
                       size_t p0, size_t p1, void *scratch);
    void (*global_sum)(const kern_plan *kp, const void *in, void *out, size_t p0, size_t p1,
                       void *scratch);
    /* the window reducers (softmax, log-sum-exp, middle, max-avg): one band */
    void (*window_band)(const kern_band_args *a);
    /* bilinear: rows [i0, i1) of sample n into a C*C double matrix */
    void (*gram_rows)(const kern_plan *kp, const void *in, size_t n, size_t i0, size_t i1,
                      double *gram);
} kern_impl;

/* Element type index: 0 float32, 1 float64. */
extern const kern_impl kern_portable[2];
#if defined(KERNELS_HAVE_AVX2)
extern const kern_impl kern_avx2[2];
extern const kern_impl kern_avx512[2]; /* kern_avx2, softmax-weighted windows in AVX-512 */
#endif

/* The instruction set the kernels use on this machine ("avx512", "avx2",
 * "portable"): "avx512" is the AVX2 kernels with the float32
 * softmax-weighted windows (OP_KERNEL_SOFTMAX, OP_KERNEL_LOGSUMEXP) in 16
 * lanes (the same bits).  POOLVIZ_KERNELS=avx2 or portable in the
 * environment forces that path. */
const char *kernels_isa(void);

/* The instruction set of every kernel but those 16-lane ones: "avx2" where
 * kernels_isa() is "avx512". */
const char *kernels_base_isa(void);

/* Use the named instruction set ("avx512", "avx2" or "portable") from now
 * on, for tests that compare them.  False if this build or machine lacks
 * it. */
bool kernels_select(const char *isa);

/* True if the fast kernels handle this plan (else pool_forward uses the
 * reference loops). */
bool kernels_supported(const pool_plan *plan);

/* One line on how the kernels would run plan: the instruction set, the
 * kind of pass and, for band kernels, the row and column methods
 * ("avx2 band rows=vanherk cols=doubling").  For benchmarks and tests. */
void kernels_describe(const pool_plan *plan, char *buf, size_t size);

/* Compute out (already allocated with the plan's shape and dtype) and, when
 * idx is not NULL, the indices, on `threads` threads (0: OpenMP's default;
 * inputs under 65536 elements run on one).  Returns
 * PV_OK, or fills err: PV_ERR_DATA (stochastic on negative input),
 * PV_ERR_NOMEM, PV_ERR_INTERRUPTED. */
pv_status kernels_forward(const pool_plan *plan, const tensor *input, tensor *out,
                          int64_t *idx, int threads, pv_error *err);

#endif
