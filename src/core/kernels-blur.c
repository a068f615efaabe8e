/* kernels-blur.c - the fast kernel of the two-stage operators (OP_USES_FILTER,
 * plan.h): a max window at stride 1, then a binomial blur at the stride over
 * its reflect-padded values.
 *
 * Each plane is done by one thread in three passes over scratch that stays
 * in the caches: the window's max along each row (H x M_w), the max of those
 * down the columns (M_h x M_w, the first stage), then for each output row
 * the blur down the columns (one row of M_w) and along it at the stride.
 * Both maxima are separable and exact, NaN winning as in the reference
 * (ops.c); the blur sums in the element type, the column pass first, so a
 * value differs from the reference's double sum by a few ulps at most.
 */
#include "config.h"

#include "kernels-blur.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "alloc.h"
#include "forward.h"
#include "kernels.h"

bool kernels_blur_supported(const pool_plan *plan)
{
    return pool_op_uses(plan->params.op, OP_USES_FILTER) && plan->rows.stage_len > 0 &&
           plan->cols.stage_len > 0;
}

/* First-stage rows kept: a filter's taps reach back at most
 * POOL_FILTER_MAX rows from the last one (one more where a reflected tap
 * falls before the first). */
#define BLUR_RING (POOL_FILTER_MAX + 2)

/* Rows of row maxima kept: one window's height, at most the input's. */
static long kernels_blur_ring(const pool_plan *plan)
{
    const long span = (plan->rows.stage_kernel - 1) * plan->rows.stage_step + 1;
    return span < (long)plan->h ? span : (long)plan->h;
}

/* Elements from one scratch row to the next: M_w rounded up to 16, so
 * the vector loops over scratch rows need no scalar tail, and 16 spare
 * lanes for a row maximum's last whole vector. */
static size_t kernels_blur_stride(const pool_plan *plan)
{
    return ((size_t)plan->cols.stage_len + 15) / 16 * 16 + 16;
}

/* The scratch of one plane: the two rings and one blurred row. */
static bool scratch_count(const pool_plan *plan, size_t *count)
{
    size_t rows = (size_t)kernels_blur_ring(plan) + BLUR_RING + 1;
    return plan->cols.stage_len < (long)(SIZE_MAX / 2) &&
           pv_mul_size(rows, kernels_blur_stride(plan), count);
}

#if defined(__GNUC__)
#define BLUR_FN static __attribute__((unused))
#else
#define BLUR_FN static
#endif
#define BLUR_TYPE float
#define BLUR_NAME(x) x##_f32
#include "kernels-blur-body.h"
#undef BLUR_TYPE
#undef BLUR_NAME

#define BLUR_TYPE double
#define BLUR_NAME(x) x##_f64
#include "kernels-blur-body.h"
#undef BLUR_TYPE
#undef BLUR_NAME
#undef BLUR_FN

#if defined(KERNELS_HAVE_AVX2)
#define BLUR_FN static __attribute__((target("avx2"), unused))
#define BLUR_TYPE float
#define BLUR_NAME(x) x##_avx2_f32
#include "kernels-blur-body.h"
#undef BLUR_TYPE
#undef BLUR_NAME

#define BLUR_TYPE double
#define BLUR_NAME(x) x##_avx2_f64
#include "kernels-blur-body.h"
#undef BLUR_TYPE
#undef BLUR_NAME
#undef BLUR_FN
#endif


#if defined(KERNELS_HAVE_AVX2)
#include <immintrin.h>

/* The rows k2s2f3_plane_avx2 works on for one output row. */
typedef struct k2s2f3_rows {
    const float *x1, *x2;           /* input rows 2oy+1 and 2oy+2 */
    const float *hb_row, *qa_row;   /* from output row oy-1: the row maxima of
                                       input row 2oy, a/4 */
    float *h1_row, *ab_row, *v;     /* row maxima of x1, a/4 + b/2, the blur
                                       down the columns */
    float *hb_next, *qa_next;       /* for output row oy+1 */
} k2s2f3_rows;

#define K2S2F3_FN static inline __attribute__((always_inline, target("avx2")))

/* Columns [j, j + 8) of input row 2oy+1: a/4 + b/2, or b alone in the
 * first output row (whose row a, -1, reflects to row c, 1). */
K2S2F3_FN void k2s2f3_take_b(const k2s2f3_rows *r, long j, bool first)
{
    const __m256 h1 = _mm256_max_ps(_mm256_loadu_ps(r->x1 + j + 1), _mm256_loadu_ps(r->x1 + j));
    const __m256 mb = _mm256_max_ps(h1, _mm256_loadu_ps(r->hb_row + j));
    _mm256_storeu_ps(r->h1_row + j, h1);
    if (first)
        _mm256_storeu_ps(r->ab_row + j, mb);
    else
        _mm256_storeu_ps(r->ab_row + j, _mm256_add_ps(_mm256_loadu_ps(r->qa_row + j),
                                                      _mm256_mul_ps(_mm256_set1_ps(0.5f), mb)));
}

/* The same columns of input row 2oy+2 (none below the last first-stage
 * row): row c, then v = (a/4 + b/2) + c/4. */
K2S2F3_FN void k2s2f3_take_c(const k2s2f3_rows *r, long j, bool first, bool below)
{
    __m256 qc; /* c/4 */
    if (below) {
        const __m256 h2 = _mm256_max_ps(_mm256_loadu_ps(r->x2 + j + 1), _mm256_loadu_ps(r->x2 + j));
        qc = _mm256_mul_ps(_mm256_set1_ps(0.25f),
                           _mm256_max_ps(h2, _mm256_loadu_ps(r->h1_row + j)));
        _mm256_storeu_ps(r->hb_next + j, h2);
        _mm256_storeu_ps(r->qa_next + j, qc);
    } else {
        qc = _mm256_loadu_ps(r->qa_row + j); /* row mh reflects to mh - 2 */
    }
    __m256 ab = _mm256_loadu_ps(r->ab_row + j);
    if (first)
        ab = _mm256_add_ps(qc, _mm256_mul_ps(_mm256_set1_ps(0.5f), ab));
    _mm256_storeu_ps(r->v + j, _mm256_add_ps(ab, qc));
}

/* Both passes over the columns of one output row, in strips of 8, the last
 * one overlapping the one before it (it recomputes the same values). */
K2S2F3_FN void k2s2f3_columns(const k2s2f3_rows *r, long mw, bool first, bool below)
{
    long j = 0;
    for (; j + 8 <= mw; j += 8)
        k2s2f3_take_b(r, j, first);
    if (j < mw)
        k2s2f3_take_b(r, mw - 8, first);
    for (j = 0; j + 8 <= mw; j += 8)
        k2s2f3_take_c(r, j, first, below);
    if (j < mw)
        k2s2f3_take_c(r, mw - 8, first, below);
}

/* The common case, float32 on AVX2: a 2x2 max without padding or
 * dilation, then the [1 2 1] blur at stride 2, in one pass down the plane.
 * Output row oy reads first-stage rows 2oy-1, 2oy and 2oy+1 (reflected at
 * the edges); the first (times 1/4, its term) is kept from output row
 * oy-1, with the row maxima of input row 2oy (state, double-buffered).
 * Input row 2oy+1 is read whole in one pass (its row maxima, first-stage
 * row 2oy, the first two terms of the column blur a/4 + b/2), then input
 * row 2oy+2 in another (first-stage row 2oy+1 and the last term): one input
 * row at a time, through rows of scratch that stay in the first-level
 * cache.  Then the blurred row is blurred along at stride 2.  The sums are
 * added in the general path's order, so both give the same bits.  The max
 * is the plain one (vmaxps returns its second operand, the window's first
 * tap, for a NaN): returns whether an output is NaN, for the caller's
 * needs_exact.  scratch: seven rows of `stride` floats. */
__attribute__((target("avx2"))) static bool k2s2f3_plane_avx2(const pool_plan *plan,
                                                              const float *x, float *y,
                                                              float *scratch, size_t stride)
{
    const long w = (long)plan->w, mh = plan->rows.stage_len, mw = plan->cols.stage_len;
    const size_t oh = plan->rows.out, ow = plan->cols.out;
    const __m256 quarter = _mm256_set1_ps(0.25f), half = _mm256_set1_ps(0.5f);
    float *v = scratch, *h1_row = scratch + stride, *ab_row = scratch + 2 * stride;
    float *state[2][2] = {{scratch + 3 * stride, scratch + 4 * stride},
                          {scratch + 5 * stride, scratch + 6 * stride}};
    __m256 nan = _mm256_setzero_ps();
    bool scalar_nan = false;
    /* the row maxima of input row 0 */
    for (long j = 0; j < mw; j += 8) {
        const long jj = j + 8 <= mw ? j : mw - 8;
        _mm256_storeu_ps(state[0][0] + jj,
                         _mm256_max_ps(_mm256_loadu_ps(x + jj + 1), _mm256_loadu_ps(x + jj)));
    }
    for (size_t oy = 0; oy < oh; oy++) {
        const long b = 2 * (long)oy;
        const k2s2f3_rows r = {.x1 = x + (b + 1) * w,
                               .x2 = x + (b + 2) * w,
                               .hb_row = state[oy % 2][0],
                               .qa_row = state[oy % 2][1],
                               .h1_row = h1_row,
                               .ab_row = ab_row,
                               .v = v,
                               .hb_next = state[(oy + 1) % 2][0],
                               .qa_next = state[(oy + 1) % 2][1]};
        if (oy == 0)
            k2s2f3_columns(&r, mw, true, true); /* mh >= 2: row 1 exists */
        else if (b + 1 < mh)                    /* first-stage row 2oy+1 exists */
            k2s2f3_columns(&r, mw, false, true);
        else
            k2s2f3_columns(&r, mw, false, false);
        float *yo = y + oy * ow;
        /* column -1 reflects to 1; outputs [1, mw / 2) have their taps
         * inside; an odd mw leaves one more, whose right tap (mw) reflects
         * to mw - 2 */
        yo[0] = 0.25f * v[1] + 0.5f * v[0] + 0.25f * v[1];
        const size_t inner = (size_t)mw / 2;
        size_t o = 1;
        if (inner >= 9) {
            /* 8 outputs from v[2o - 2, 2o + 16): the odd cells of the first
             * 16 are the left taps, the even and odd ones of the next 16
             * the middle and right taps, in the lane order of
             * _mm256_shuffle_ps, which _mm256_permute4x64_pd undoes; the
             * last vector overlaps the one before it */
            for (;; o += 8) {
                if (o + 8 > inner)
                    o = inner - 8;
                const __m256 l0 = _mm256_loadu_ps(v + 2 * o - 2), l1 = _mm256_loadu_ps(v + 2 * o + 6);
                const __m256 r0 = _mm256_loadu_ps(v + 2 * o), r1 = _mm256_loadu_ps(v + 2 * o + 8);
                const __m256 left = _mm256_shuffle_ps(l0, l1, _MM_SHUFFLE(3, 1, 3, 1));
                const __m256 mid = _mm256_shuffle_ps(r0, r1, _MM_SHUFFLE(2, 0, 2, 0));
                const __m256 right = _mm256_shuffle_ps(r0, r1, _MM_SHUFFLE(3, 1, 3, 1));
                const __m256 sum = _mm256_add_ps(
                    _mm256_add_ps(_mm256_mul_ps(quarter, left), _mm256_mul_ps(half, mid)),
                    _mm256_mul_ps(quarter, right));
                const __m256 out = _mm256_castpd_ps(
                    _mm256_permute4x64_pd(_mm256_castps_pd(sum), _MM_SHUFFLE(3, 1, 2, 0)));
                _mm256_storeu_ps(yo + o, out);
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(out, out, _CMP_UNORD_Q));
                if (o + 8 == inner)
                    break;
            }
            o = inner;
        }
        for (; o < inner; o++)
            yo[o] = 0.25f * v[2 * o - 1] + 0.5f * v[2 * o] + 0.25f * v[2 * o + 1];
        if (ow > inner) {
            o = ow - 1;
            yo[o] = 0.25f * v[2 * o - 1] + 0.5f * v[2 * o] + 0.25f * v[2 * o - 1];
        }
        if (inner < 9)
            for (o = 1; o < inner; o++)
                scalar_nan |= yo[o] != yo[o];
        scalar_nan |= yo[0] != yo[0] || yo[ow - 1] != yo[ow - 1];
    }
    return scalar_nan || _mm256_movemask_ps(nan) != 0;
}

/* Does the common-case path above apply? */
static bool k2s2f3_applies(const pool_plan *plan)
{
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    return plan->dtype == TENSOR_F32 && ra->stage_kernel == 2 && ca->stage_kernel == 2 &&
           ra->stage_step == 1 && ca->stage_step == 1 && ra->pad_before == 0 &&
           ra->pad_after == 0 && ca->pad_before == 0 && ca->pad_after == 0 &&
           ra->filter == 3 && ca->filter == 3 && ra->stride == 2 && ca->stride == 2 &&
           ca->stage_len >= 8 && ra->stage_len >= 2;
}
#endif

typedef void (*blur_plane_fn)(const pool_plan *plan, const void *x, void *y, void *scratch,
                              const void *end);

static void plane_f32(const pool_plan *plan, const void *x, void *y, void *scratch,
                      const void *end)
{
    blur_plane_f32(plan, x, y, scratch, end);
}

static void plane_f64(const pool_plan *plan, const void *x, void *y, void *scratch,
                      const void *end)
{
    blur_plane_f64(plan, x, y, scratch, end);
}

#if defined(KERNELS_HAVE_AVX2)
static void plane_avx2_f32(const pool_plan *plan, const void *x, void *y, void *scratch,
                      const void *end)
{
    if (k2s2f3_applies(plan)) {
        if (k2s2f3_plane_avx2(plan, x, y, scratch, kernels_blur_stride(plan)) ||
            unread_nan_avx2_f32(plan, x))
            blur_pass_avx2_f32(plan, x, y, scratch, true, end);
        return;
    }
    blur_plane_avx2_f32(plan, x, y, scratch, end);
}

static void plane_avx2_f64(const pool_plan *plan, const void *x, void *y, void *scratch,
                      const void *end)
{
    blur_plane_avx2_f64(plan, x, y, scratch, end);
}
#endif

/* The build for the instruction set the other kernels use. */
static blur_plane_fn plane_fn(tensor_dtype dtype)
{
    const bool f32 = dtype == TENSOR_F32;
#if defined(KERNELS_HAVE_AVX2)
    if (strcmp(kernels_base_isa(), "avx2") == 0)
        return f32 ? plane_avx2_f32 : plane_avx2_f64;
#endif
    return f32 ? plane_f32 : plane_f64;
}

void kernels_blur_describe(const pool_plan *plan, char *buf, size_t size)
{
    bool common = false;
#if defined(KERNELS_HAVE_AVX2)
    common = strcmp(kernels_base_isa(), "avx2") == 0 && k2s2f3_applies(plan);
#endif
    snprintf(buf, size, "%s max then blur%s", kernels_base_isa(), common ? " 2x2-stride-2" : "");
}

pv_status kernels_blur_forward(const pool_plan *plan, const tensor *input, tensor *out,
                               int threads, pv_error *err)
{
    const size_t planes = plan->n * plan->c;
    const size_t elem = plan->dtype == TENSOR_F32 ? sizeof(float) : sizeof(double);
    size_t count, bytes;
    if (!scratch_count(plan, &count) || !pv_mul_size(count, elem, &bytes))
        return pv_error_set(err, PV_ERR_LIMIT, "plan", "the input is too large");
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > planes)
        threads = planes > 0 ? (int)planes : 1;
    if (threads > KERNELS_BLUR_MAX_THREADS)
        threads = KERNELS_BLUR_MAX_THREADS;
    void *scratch[KERNELS_BLUR_MAX_THREADS] = {NULL};
    pv_status st = PV_OK;
    for (int t = 0; t < threads && st == PV_OK; t++)
        if ((scratch[t] = pv_aligned_alloc(bytes ? bytes : 1)) == NULL)
            st = pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the kernels' scratch");
        else
            memset(scratch[t], 0, bytes); /* the unused lanes past M_w stay defined */
    int interrupted = 0;
    const blur_plane_fn plane = plane_fn(plan->dtype);
    if (st == PV_OK) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
#endif
        for (size_t p = 0; p < planes; p++) {
            if (pool_cancel_requested) {
#ifdef _OPENMP
#pragma omp atomic write
#endif
                interrupted = 1;
                continue;
            }
#ifdef _OPENMP
            void *mine = scratch[omp_get_thread_num()];
#else
            void *mine = scratch[0];
#endif
            plane(plan, (const char *)input->data + p * plan->h * plan->w * elem,
                  (char *)out->data + p * plan->rows.out * plan->cols.out * elem, mine,
                  (const char *)input->data + input->count * elem);
        }
        if (interrupted)
            st = pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted", "stopped by the user");
    }
    for (int t = 0; t < threads; t++)
        pv_aligned_free(scratch[t]);
    return st;
}
