/* test-forward.c - the fast kernels of pool_forward against the reference.
 *
 * 1. Small random cases (every operator, both dtypes, shapes up to 12x12):
 *    pool_forward against pool_explain, output by output.
 * 2. Large random cases (planes up to 64x64, windows up to 31, strides,
 *    padding, dilation, ceil mode; NaN of both signs, +-inf, -0, ties, equal
 *    values, huge and tiny values): the fast kernels, AVX2 and portable,
 *    against the forced reference path and against each other, and a sample
 *    of outputs against pool_explain.
 * 3. Thread splits: 2 threads against 1, over planes and over bands of rows.
 * 4. The named fast paths (2x2/2, 3x3/2 pad 1, 3x3/1, 15x15/1, 31x31/1,
 *    global, adaptive, lp; the window reducers' stride-2 and 3x3 paths), the
 *    norms' overflow fallback, cancellation.
 * 5. softpool and lse in float32 on values that stress their vector path's
 *    exp and log, every sharpness from 0.001 to 1e4 (and extremes).
 *
 * max, min, fractional, spp and stochastic must agree bit for bit (values
 * and indices); sums within the error bound of their accumulation in
 * double (2 (n+2) eps_double sum|x| for avg/sum, relative for the norms,
 * whose terms are all non-negative) plus two units in the last place of
 * the output type for the final rounding.
 *
 * POOLVIZ_TEST_CASES overrides the number of small random cases (default
 * 3000); the large cases are half of that. */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "core-helpers.h"
#include "core/alloc.h"
#include "core/kernels.h"
#include "core/rng.h"

static uint64_t draw_counter;
static unsigned long planned_cases;

static uint64_t draw(uint64_t bound)
{
    return rng_bits(12345, 99, draw_counter++) % bound;
}

static double draw_value(int special)
{
    uint64_t r = draw(100);
    if (special && r < 2)
        return NAN;
    if (special && r < 4)
        return r == 2 ? INFINITY : -INFINITY;
    if (r < 30)
        return (double)(int)draw(5); /* ties */
    return ((double)draw(2000001) - 1000000) / 1000.0;
}

static bool same_bits(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* ---- 1. small cases against explain -------------------------------------- */

/* Padding on each side of up to half the window's reach, the most a plan
 * takes. */
static void draw_padding(pool_params *p)
{
    p->pad_h = (int)draw((uint64_t)((p->kernel_h - 1) * p->dilation_h + 1) / 2 + 1);
    p->pad_w = (int)draw((uint64_t)((p->kernel_w - 1) * p->dilation_w + 1) / 2 + 1);
}

/* Ceil mode one time in three, count_include_pad one in two, and one time
 * in `one_in` a divisor in [1, most]. */
static void draw_rounding(pool_params *p, uint64_t one_in, uint64_t most)
{
    p->ceil_mode = draw(3) == 0;
    p->count_include_pad = draw(2);
    if (draw(one_in) == 0)
        p->divisor = 1 + (long)draw(most);
}

static void random_case(int id)
{
    const pool_op op = (pool_op)draw(POOL_OP_COUNT);
    const tensor_dtype dtype = draw(2) ? TENSOR_F32 : TENSOR_F64;
    const int rank = 2 + (int)draw(3);
    size_t dims[4];
    for (int i = 0; i < rank - 2; i++)
        dims[i] = 1 + draw(3);
    dims[rank - 2] = 1 + draw(12);
    dims[rank - 1] = 1 + draw(12);
    const int special = draw(4) == 0 && op != POOL_STOCHASTIC;

    pool_params p;
    pool_params_init(&p);
    p.op = op;
    p.kernel_h = 1 + (int)draw(4);
    p.kernel_w = 1 + (int)draw(4);
    if (draw(2)) {
        p.stride_h = 1 + (int)draw(3);
        p.stride_w = 1 + (int)draw(3);
    }
    if (draw(3) == 0) {
        p.dilation_h = 1 + (int)draw(3);
        p.dilation_w = 1 + (int)draw(3);
    }
    int pad_choice = (int)draw(5);
    if (pad_choice == 0)
        p.padding_mode = PAD_SAME;
    else if (pad_choice == 1)
        draw_padding(&p);
    draw_rounding(&p, 8, 9);
    static const double powers[] = {1, 2, 3, 0.5, 7.5, INFINITY};
    p.p = powers[draw(6)];
    if (pool_op_is_windowed(op)) {
        uint64_t g = draw(6);
        if (g == 0)
            p.global = true;
        else if (g == 1) {
            p.adaptive_h = 1 + (int)draw(6);
            p.adaptive_w = 1 + (int)draw(6);
        }
    }
    p.mode = draw(2) ? MODE_TRAIN : MODE_EVAL;
    p.seed = draw(1000);
    p.fractional_style = draw(2) ? FRACTIONAL_TORCH : FRACTIONAL_GRAHAM;
    p.pseudo_random = draw(2);
    p.overlapping = draw(2);
    if (draw(2)) {
        p.output_h = 1 + (int)draw(dims[rank - 2]);
        p.output_w = 1 + (int)draw(dims[rank - 1]);
    } else {
        p.ratio_h = 1 + (double)draw(100) / 50;
        p.ratio_w = 1 + (double)draw(100) / 50;
    }
    p.level_count = 1 + (int)draw(3);
    for (int l = 0; l < p.level_count; l++)
        p.levels[l] = 1 + (int)draw(5);
    p.signed_sqrt = draw(2);
    p.l2_normalize = draw(2);
    p.filter = 1 + (int)draw(POOL_FILTER_MAX);

    pv_error err;
    pool_plan *plan = pool_plan_create(&p, dtype, rank, dims, &err);
    if (plan == NULL) {
        /* an invalid combination must be a usage or data error, never anything else */
        CHECK_MSG(err.status == PV_ERR_USAGE || err.status == PV_ERR_DATA,
                  "case %d: unexpected status %d: %s", id, err.status, err.message);
        return;
    }
    planned_cases++;
    tensor *in = tensor_new(dtype, rank, dims, &err);
    for (size_t i = 0; i < in->count; i++) {
        double v = draw_value(special);
        if (op == POOL_STOCHASTIC)
            v = fabs(v);
        tensor_set(in, i, v);
    }
    int64_t *idx = NULL;
    tensor *out = pool_forward(plan, in, NULL, plan->has_indices ? &idx : NULL, &err);
    CHECK_MSG(out != NULL, "case %d (%s): forward failed: %s", id, pool_op_name(op),
              out ? "" : err.message);
    const double eps = dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON;
    for (size_t o = 0; out != NULL && o < plan->out_count; o++) {
        pool_explanation ex;
        if (pool_explain(plan, in, o, &ex, &err) != PV_OK) {
            CHECK_MSG(0, "case %d: explain failed: %s", id, err.message);
            break;
        }
        const double got = tensor_get(out, o);
        double want = ex.result;
        if (dtype == TENSOR_F32)
            want = (double)(float)want;
        bool exact = op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL ||
                     op == POOL_SPP || op == POOL_STOCHASTIC || op == POOL_MEDIAN;
        if (exact) {
            CHECK_MSG(same_bits(got, want), "case %d (%s %s): out[%zu] = %.17g, explain %.17g",
                      id, pool_op_name(op), tensor_dtype_name(dtype), o, got, want);
            if (idx != NULL)
                CHECK_MSG(idx[o] == ex.index, "case %d (%s): index[%zu] = %lld, explain %ld", id,
                          pool_op_name(op), o, (long long)idx[o], ex.index);
        } else {
            double magnitude = fabs(want);
            for (size_t t = 0; t < ex.term_count; t++)
                magnitude = fmax(magnitude, fabs(ex.terms[t].value));
            double scale = (double)(ex.term_count + 4);
            double tol = 4 * eps * scale * magnitude;
            if (op == POOL_BILINEAR)
                tol = 4 * eps * scale * magnitude * magnitude + 1e-300;
            CHECK_MSG(same_bits(got, want) || fabs(got - want) <= tol,
                      "case %d (%s %s): out[%zu] = %.17g, explain %.17g (tol %g)", id,
                      pool_op_name(op), tensor_dtype_name(dtype), o, got, want, tol);
        }
        pool_explanation_release(&ex);
    }
    tensor_free(out);
    pv_free(idx);
    tensor_free(in);
    pool_plan_free(plan);
    pool_params_release(&p);
}

/* ---- shared by the fast-path checks ----------------------------------------- */

enum value_kind {
    VALUES_RANDOM,   /* uniform in [-1000, 1000] */
    VALUES_TIES,     /* small integers, many equal */
    VALUES_SPECIAL,  /* ties with NaN of both signs, +-inf, +-0 */
    VALUES_CONSTANT, /* one value everywhere (maybe -0) */
    VALUES_HUGE,     /* near the top of the type's range */
    VALUES_TINY,     /* near the bottom, subnormals included */
    VALUE_KINDS
};

static double special_value(void)
{
    switch (draw(9)) {
    case 0:
        return NAN;
    case 1:
        return -NAN;
    case 2:
        return INFINITY;
    case 3:
        return -INFINITY;
    case 4:
        return 0.0;
    case 5:
        return -0.0;
    default:
        return (double)draw(3) - 1;
    }
}

static void fill(tensor *t, enum value_kind kind, bool nonneg)
{
    const bool f32 = t->dtype == TENSOR_F32;
    const double constant = kind == VALUES_CONSTANT ? special_value() : 0;
    for (size_t i = 0; i < t->count; i++) {
        double v;
        switch (kind) {
        case VALUES_TIES:
            v = (double)draw(5) - 2;
            break;
        case VALUES_SPECIAL:
            v = draw(4) == 0 ? special_value() : (double)draw(7) - 3;
            break;
        case VALUES_CONSTANT:
            v = constant;
            break;
        case VALUES_HUGE:
            v = ((double)draw(2001) - 1000) / 1000 * (f32 ? 3e38 : 1e300);
            break;
        case VALUES_TINY:
            v = ((double)draw(2001) - 1000) / 1000 * (f32 ? 1e-38 : 1e-300);
            if (draw(4) == 0)
                v = (double)draw(9) * (f32 ? 0x1p-149 : 0x1p-1074);
            break;
        default:
            v = ((double)draw(2000001) - 1000000) / 1000.0;
            break;
        }
        if (nonneg) {
            v = fabs(v);
            if (isnan(v) || isinf(v))
                v = 1;
        }
        tensor_set(t, i, v);
    }
}

static tensor *run(const pool_plan *plan, const tensor *in, bool reference, int threads,
                   int64_t **idx)
{
    pv_error err;
    pool_forward_options o = {.threads = threads, .reference = reference};
    tensor *out = pool_forward(plan, in, &o, plan->has_indices ? idx : NULL, &err);
    CHECK_MSG(out != NULL, "forward (%s) failed: %s: %s", reference ? "reference" : "fast",
              out ? "" : err.subject, out ? "" : err.message);
    return out;
}

static bool exact_op(pool_op op)
{
    return op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL || op == POOL_SPP ||
           op == POOL_STOCHASTIC || op == POOL_MEDIAN;
}

static double ulp_of(double v, tensor_dtype dtype)
{
    v = fabs(v);
    if (dtype == TENSOR_F32)
        return (double)nextafterf((float)v, INFINITY) - (double)(float)v;
    return nextafter(v, INFINITY) - v;
}

/* Bit for bit: values and indices (any NaN matches any NaN when nan_any:
 * the sign of a NaN made by inf - inf or carried through a sum means
 * nothing). */
static void compare_bits(const char *what, const pool_plan *plan, const tensor *a,
                         const int64_t *ia, const tensor *b, const int64_t *ib, bool nan_any)
{
    if (a == NULL || b == NULL)
        return;
    size_t bytes = a->count * tensor_dtype_size(a->dtype);
    if (memcmp(a->data, b->data, bytes) != 0) {
        for (size_t i = 0; i < a->count; i++) {
            double x = tensor_get(a, i), y = tensor_get(b, i);
            if (nan_any && isnan(x) && isnan(y))
                continue;
            if (memcmp((const char *)a->data + i * tensor_dtype_size(a->dtype),
                       (const char *)b->data + i * tensor_dtype_size(a->dtype),
                       tensor_dtype_size(a->dtype)) != 0) {
                CHECK_MSG(0, "%s (%s %s): out[%zu] = %.17g, expected %.17g (bits differ)", what,
                          pool_op_name(plan->params.op), tensor_dtype_name(a->dtype), i, x, y);
                return;
            }
        }
    }
    check_passed++;
    if (ia != NULL && ib != NULL) {
        for (size_t i = 0; i < a->count; i++)
            if (ia[i] != ib[i]) {
                CHECK_MSG(0, "%s (%s): index[%zu] = %lld, expected %lld", what,
                          pool_op_name(plan->params.op), i, (long long)ia[i],
                          (long long)ib[i]);
                return;
            }
        check_passed++;
    }
}

static void compare_exact(const char *what, const pool_plan *plan, const tensor *a,
                          const int64_t *ia, const tensor *b, const int64_t *ib)
{
    compare_bits(what, plan, a, ia, b, ib, false);
}

/* The reference's `op` of |x| per window (avg keeps the plan's divisor
 * rule): the scale of the rounding error of a sum (avg, sum), of a mean of
 * the window's values (mixed: avg; softpool, lse: max). */
static tensor *abs_pooled(const pool_plan *plan, const tensor *in, pool_op op)
{
    pool_params p;
    pv_error err;
    pool_params_copy(&p, &plan->params, &err);
    p.op = op;
    tensor *abs_in = tensor_clone(in, &err);
    for (size_t i = 0; i < abs_in->count; i++)
        tensor_set(abs_in, i, fabs(tensor_get(abs_in, i)));
    pool_plan *q = pool_plan_create(&p, plan->dtype, plan->in_rank, plan->in_dims, &err);
    pool_forward_options o = {.threads = 1, .reference = true};
    tensor *sums = pool_forward(q, abs_in, &o, NULL, &err);
    tensor_free(abs_in);
    pool_plan_free(q);
    pool_params_release(&p);
    return sums;
}

/* A blur of first-stage values (OP_USES_FILTER): the kernel adds f x f of
 * them in the element type, each at most the largest |x|; 0 for other ops. */
static double blur_tolerance(const pool_plan *plan, const tensor *in)
{
    if (!pool_op_uses(plan->params.op, OP_USES_FILTER))
        return 0;
    double largest = 0;
    for (size_t i = 0; i < in->count; i++)
        if (isfinite(tensor_get(in, i)))
            largest = fmax(largest, fabs(tensor_get(in, i)));
    const double eps = plan->dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON;
    return 4 * (2.0 * plan->params.filter + 2) * eps * largest;
}

/* Sums, norms and the window reducers: within the error bound of their
 * arithmetic.  Sums: the accumulation in double, 2 (n+2) eps sum|x|.
 * Norms: relative (their terms are non-negative).  mixed: its avg part as
 * avg (the max part is exact).  softpool and lse: their vector paths weigh
 * float32 cells with weights good to a few float32 units, so their error
 * is a few units of the element type of the window's largest |x| (lse: of
 * max |x| + 1/r, the scale of its log term); float64 takes the reference's
 * arithmetic.  maxblur: blur_tolerance. */
static void compare_sums(const char *what, const pool_plan *plan, const tensor *in,
                         const tensor *got, const tensor *want)
{
    if (got == NULL || want == NULL)
        return;
    const pool_op op = plan->params.op;
    const bool norm = op == POOL_L2 || op == POOL_LP || op == POOL_POWER;
    const bool weighted = op == POOL_SOFTPOOL || op == POOL_LSE;
    const bool blur = pool_op_uses(op, OP_USES_FILTER);
    const double blur_tol = blur_tolerance(plan, in);
    tensor *scale = NULL;
    if (weighted)
        scale = abs_pooled(plan, in, POOL_MAX);
    else if (!norm && !blur && op != POOL_BILINEAR)
        scale = abs_pooled(plan, in, op == POOL_SUM ? POOL_SUM : POOL_AVG);
    const double type_eps = got->dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON;
    double taps = (double)plan->params.kernel_h * plan->params.kernel_w;
    if (plan->params.global || plan->params.adaptive_h > 0 || op == POOL_BILINEAR)
        taps = (double)plan->h * plan->w;
    for (size_t i = 0; i < got->count; i++) {
        double g = tensor_get(got, i), w = tensor_get(want, i), tol;
        if (isnan(w) || isinf(w)) {
            CHECK_MSG(same_bits(g, w), "%s (%s %s): out[%zu] = %.17g, reference %.17g", what,
                      pool_op_name(op), tensor_dtype_name(got->dtype), i, g, w);
            if (!same_bits(g, w))
                break;
            continue;
        }
        if (blur)
            tol = blur_tol;
        else if (norm)
            tol = fabs(w) * (4 * (taps + 4) + 2 * fabs(log(fabs(w) + DBL_MIN)) + 8) * DBL_EPSILON;
        else if (op == POOL_BILINEAR)
            tol = 1e-12 * fabs(w) + 1e-300;
        else if (weighted)
            tol = 16 * type_eps * (fmax(tensor_get(scale, i), 0) + /* -inf: no cell */
                                   (op == POOL_LSE ? 1 / plan->params.sharpness : 0));
        else
            tol = 2 * (taps + 2) * DBL_EPSILON * tensor_get(scale, i) + 4 * DBL_EPSILON * fabs(w);
        tol += 2 * ulp_of(w, got->dtype);
        if (!(fabs(g - w) <= tol)) {
            CHECK_MSG(0, "%s (%s %s): out[%zu] = %.17g, reference %.17g (tol %g)", what,
                      pool_op_name(op), tensor_dtype_name(got->dtype), i, g, w, tol);
            break;
        }
    }
    check_passed++;
    tensor_free(scale);
}

/* A few outputs straight against pool_explain. */
static void sample_explain(const char *what, const pool_plan *plan, const tensor *in,
                           const tensor *out, const int64_t *idx)
{
    if (out == NULL)
        return;
    for (int k = 0; k < 8; k++) {
        size_t o = draw(plan->out_count);
        pool_explanation ex;
        pv_error err;
        if (pool_explain(plan, in, o, &ex, &err) != PV_OK) {
            CHECK_MSG(0, "%s: explain failed: %s", what, err.message);
            return;
        }
        double want = plan->dtype == TENSOR_F32 ? (double)(float)ex.result : ex.result;
        double got = tensor_get(out, o);
        if (exact_op(plan->params.op)) {
            CHECK_MSG(same_bits(got, want) && signbit(got) == signbit(want),
                      "%s (%s): out[%zu] = %.17g, explain %.17g", what,
                      pool_op_name(plan->params.op), o, got, want);
            if (idx != NULL)
                CHECK_MSG(idx[o] == ex.index, "%s (%s): index[%zu] = %lld, explain %ld", what,
                          pool_op_name(plan->params.op), o, (long long)idx[o], ex.index);
        } else if (plan->params.op != POOL_BILINEAR) {
            double tol = fabs(want) * 1e-12 + 2 * ulp_of(want, plan->dtype) +
                         blur_tolerance(plan, in);
            if (plan->params.op == POOL_SOFTPOOL || plan->params.op == POOL_LSE) {
                /* as compare_sums: units of the window's largest |x| */
                double largest = 0;
                for (size_t t = 0; t < ex.term_count; t++)
                    largest = fmax(largest, fabs(ex.terms[t].value));
                if (plan->params.op == POOL_LSE)
                    largest += 1 / plan->params.sharpness;
                tol += 16 * (plan->dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON) * largest;
            }
            CHECK_MSG(same_bits(got, want) || fabs(got - want) <= tol,
                      "%s (%s): out[%zu] = %.17g, explain %.17g", what,
                      pool_op_name(plan->params.op), o, got, want);
        }
        pool_explanation_release(&ex);
    }
}

/* The instruction sets this machine has besides portable C: the kernels
 * run on the best, and each other one must give the same bits. */
static bool have_avx2, have_avx512;
static const char *best_isa = "portable";

/* plan's output on the instruction set isa, then back to the best. */
static tensor *run_on(const char *isa, const pool_plan *plan, const tensor *in, int64_t **idx)
{
    kernels_select(isa);
    tensor *out = run(plan, in, false, 1, idx);
    kernels_select(best_isa);
    return out;
}

/* The best against portable C and, where the best is avx512, avx2. */
static void compare_isas(const char *what, const pool_plan *plan, const tensor *in,
                         const tensor *fast, const int64_t *fast_idx)
{
    static const char *const others[] = {"portable", "avx2"};
    for (int k = 0; k < (have_avx512 ? 2 : have_avx2 ? 1 : 0); k++) {
        int64_t *idx = NULL;
        tensor *t = run_on(others[k], plan, in, &idx);
        char label[160];
        snprintf(label, sizeof label, "%s: %s vs %s", what, others[k], best_isa);
        compare_bits(label, plan, t, idx, fast, fast_idx, !exact_op(plan->params.op));
        tensor_free(t);
        pv_free(idx);
    }
}

/* Fast (on every instruction set) against the reference, and a sample
 * against explain. */
static void check_plan(const char *what, const pool_plan *plan, const tensor *in)
{
    int64_t *ref_idx = NULL, *fast_idx = NULL;
    tensor *ref = run(plan, in, true, 1, &ref_idx);
    tensor *fast = run(plan, in, false, 1, &fast_idx);
    if (exact_op(plan->params.op))
        compare_exact(what, plan, fast, fast_idx, ref, ref_idx);
    else
        compare_sums(what, plan, in, fast, ref);
    if (plan->has_indices) {
        /* the kernels take other paths when no indices are wanted */
        pv_error err;
        pool_forward_options o = {.threads = 1, .reference = false};
        tensor *values = pool_forward(plan, in, &o, NULL, &err);
        compare_exact(what, plan, values, NULL, ref, NULL);
        tensor_free(values);
    }
    sample_explain(what, plan, in, fast, fast_idx);
    compare_isas(what, plan, in, fast, fast_idx);
    tensor_free(ref);
    tensor_free(fast);
    pv_free(ref_idx);
    pv_free(fast_idx);
}

/* ---- 2. large random cases ------------------------------------------------- */

static unsigned long large_compared;

static void large_case(int id)
{
    static const pool_op ops[] = {POOL_MAX,      POOL_MAX,        POOL_MIN,        POOL_AVG,
                                  POOL_AVG,      POOL_SUM,        POOL_L2,         POOL_LP,
                                  POOL_POWER,    POOL_STOCHASTIC, POOL_FRACTIONAL, POOL_SPP,
                                  POOL_BILINEAR, POOL_SOFTPOOL,   POOL_SOFTPOOL,   POOL_LSE,
                                  POOL_LSE,      POOL_MEDIAN,     POOL_MEDIAN,     POOL_MIXED,
                                  POOL_MIXED,    POOL_MAXBLUR,    POOL_MAXBLUR};
    const pool_op op = ops[draw(sizeof ops / sizeof ops[0])];
    const tensor_dtype dtype = draw(2) ? TENSOR_F32 : TENSOR_F64;
    const int rank = 2 + (int)draw(3);
    size_t dims[4] = {1, 1, 1, 1};
    for (int i = 0; i < rank - 2; i++)
        dims[i] = 1 + draw(3);
    const size_t H = 1 + draw(draw(2) ? 64 : 20), W = 1 + draw(draw(2) ? 64 : 20);
    dims[rank - 2] = H;
    dims[rank - 1] = W;

    pool_params p;
    pool_params_init(&p);
    p.op = op;
    p.kernel_h = 1 + (int)draw(H < 31 ? H : 31);
    p.kernel_w = 1 + (int)draw(W < 31 ? W : 31);
    if (draw(4) == 0) { /* square windows, as the named paths */
        p.kernel_w = p.kernel_h;
    }
    if (draw(3)) {
        p.stride_h = 1 + (int)draw(draw(2) ? 2 : 5);
        p.stride_w = draw(2) ? p.stride_h : 1 + (int)draw(4);
    }
    if (draw(5) == 0) {
        p.dilation_h = 1 + (int)draw(3);
        p.dilation_w = 1 + (int)draw(3);
    }
    int pad_choice = (int)draw(5);
    if (pad_choice == 0)
        p.padding_mode = PAD_SAME;
    else if (pad_choice == 4)
        p.padding_mode = PAD_VALID;
    else if (pad_choice < 3)
        draw_padding(&p);
    draw_rounding(&p, 10, 50);
    static const double powers[] = {1, 2, 3, 0.5, 7.5, 9};
    p.p = powers[draw(6)];
    if (pool_op_is_windowed(op)) {
        uint64_t g = draw(8);
        if (g == 0)
            p.global = true;
        else if (g == 1) {
            p.adaptive_h = 1 + (int)draw(H);
            p.adaptive_w = 1 + (int)draw(W);
        }
    }
    p.mode = draw(2) ? MODE_TRAIN : MODE_EVAL;
    p.seed = draw(1000);
    p.fractional_style = draw(2) ? FRACTIONAL_TORCH : FRACTIONAL_GRAHAM;
    p.pseudo_random = draw(2);
    p.overlapping = draw(2);
    if (op == POOL_FRACTIONAL && p.fractional_style == FRACTIONAL_TORCH) {
        p.kernel_h = 1 + (int)draw(4);
        p.kernel_w = 1 + (int)draw(4);
    }
    p.ratio_h = 1 + (double)draw(100) / 50;
    p.ratio_w = 1 + (double)draw(100) / 50;
    static const double sharpness[] = {1, 1, 0.25, 3, 10};
    p.sharpness = sharpness[draw(5)];
    static const double alpha[] = {0.5, 0.5, 0, 1, 0.3};
    p.alpha = alpha[draw(5)];
    if (op != POOL_MAX && op != POOL_AVG && draw(3) == 0) {
        /* the vector paths' shapes: stride 2 with windows of 2 or 3 */
        p.kernel_h = 2 + (int)draw(2);
        p.kernel_w = 2 + (int)draw(2);
        p.stride_h = p.stride_w = 2;
        p.dilation_h = p.dilation_w = 1;
        p.global = false;
        p.adaptive_h = p.adaptive_w = 0;
        if (p.padding_mode != PAD_SAME) {
            p.pad_h = (int)draw(2);
            p.pad_w = (int)draw(2);
        }
        if (draw(2) == 0) { /* and median's 3x3 at stride 1 */
            p.kernel_h = p.kernel_w = 3;
            p.stride_h = p.stride_w = 1;
        }
    }
    p.level_count = 1 + (int)draw(4);
    for (int l = 0; l < p.level_count; l++)
        p.levels[l] = 1 + (int)draw(8);
    p.filter = 1 + (int)draw(POOL_FILTER_MAX);

    pv_error err;
    pool_plan *plan = pool_plan_create(&p, dtype, rank, dims, &err);
    pool_params_release(&p);
    if (plan == NULL)
        return;
    /* keep the reference's work (outputs x taps) bounded */
    double taps = (double)plan->params.kernel_h * plan->params.kernel_w;
    if (plan->params.global || plan->params.adaptive_h > 0 || op == POOL_SPP ||
        op == POOL_BILINEAR)
        taps = (double)H * W;
    if (op == POOL_BILINEAR)
        taps *= (double)plan->c;
    if (pool_op_uses(op, OP_USES_FILTER))
        taps *= (double)plan->params.filter * plan->params.filter;
    if ((double)plan->out_count * taps > 4e6) {
        pool_plan_free(plan);
        return;
    }
    large_compared++;
    tensor *in = tensor_new(dtype, rank, dims, &err);
    enum value_kind kind = (enum value_kind)draw(VALUE_KINDS);
    if (op == POOL_BILINEAR && (kind == VALUES_HUGE || kind == VALUES_SPECIAL))
        kind = VALUES_RANDOM;
    fill(in, kind, op == POOL_STOCHASTIC);
    char what[64];
    snprintf(what, sizeof what, "large case %d", id);
    check_plan(what, plan, in);
    tensor_free(in);
    pool_plan_free(plan);
}

/* ---- 3. threads ---------------------------------------------------------------- */

static void check_threads(const char *spec, size_t n, size_t c, size_t h, size_t w,
                          tensor_dtype dtype, enum value_kind kind)
{
    size_t dims[4] = {n, c, h, w};
    pv_error err;
    pool_params p;
    pool_params_init(&p);
    set_params(&p, spec);
    pool_plan *plan = pool_plan_create(&p, dtype, 4, dims, &err);
    pool_params_release(&p);
    CHECK_MSG(plan != NULL, "threads %s: %s", spec, plan ? "" : err.message);
    if (plan == NULL)
        return;
    tensor *in = tensor_new(dtype, 4, dims, &err);
    fill(in, kind, plan->params.op == POOL_STOCHASTIC);
    int64_t *i1 = NULL, *i2 = NULL;
    tensor *one = run(plan, in, false, 1, &i1);
    tensor *two = run(plan, in, false, 2, &i2);
    char what[128];
    snprintf(what, sizeof what, "2 threads vs 1: %s on %zux%zux%zux%zu", spec, n, c, h, w);
    compare_bits(what, plan, two, i2, one, i1, !exact_op(plan->params.op));
    tensor_free(one);
    tensor_free(two);
    pv_free(i1);
    pv_free(i2);
    tensor_free(in);
    pool_plan_free(plan);
}

static void test_threads(void)
{
    static const char *const specs[] = {
        "op=max k=3 s=1 padding=1",
        "op=min k=15 s=1 padding=7",
        "op=max k=2 s=2",
        "op=avg k=15 s=1 padding=7",
        "op=avg k=3 s=2 padding=1 ceil-mode",
        "op=sum k=31 s=1",
        "op=l2 k=4 s=1 dilation=2",
        "op=lp p=3 k=2 s=2",
        "op=power p=7.5 k=9 s=1 padding=same",
        "op=stochastic k=3 s=2 seed=7",
        "op=stochastic k=3 s=2 mode=eval",
        "op=fractional ratio=1.5 seed=3",
        "op=fractional fractional-style=torch k=3 output-size=40x40 seed=3",
        "op=spp levels=1,2,4,6",
        "op=max global",
        "op=avg global",
        "op=max adaptive=7x5",
        "op=power adaptive=6x6 p=3",
        "op=softpool k=2 s=2",
        "op=softpool k=3 s=2 padding=1",
        "op=lse k=2 s=2 sharpness=3",
        "op=lse k=5 s=1 padding=2",
        "op=median k=3 s=1 padding=1",
        "op=median k=4 s=2 dilation=2 ceil-mode",
        "op=mixed k=2 s=2 alpha=0.3",
        "op=mixed k=3 s=1 padding=1 no-count-include-pad",
        "op=mixed k=3 s=2 ceil-mode",
        "op=maxblur k=2 s=2",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        tensor_dtype dt = i % 2 ? TENSOR_F64 : TENSOR_F32;
        /* more planes than threads: split over planes */
        check_threads(specs[i], 2, 3, 100, 110, dt, i % 3 ? VALUES_TIES : VALUES_SPECIAL);
        /* one plane: split over bands of output rows */
        check_threads(specs[i], 1, 1, 260, 270, dt, i % 3 ? VALUES_RANDOM : VALUES_SPECIAL);
    }
    check_threads("op=bilinear", 2, 24, 40, 40, TENSOR_F32, VALUES_RANDOM);
    check_threads("op=bilinear signed-sqrt l2-normalize", 1, 40, 50, 40, TENSOR_F64,
                  VALUES_RANDOM);
}

/* ---- 4. named fast paths -------------------------------------------------------- */

static void check_named(const char *spec, size_t c, size_t h, size_t w, const char *method)
{
    for (int d = 0; d < 2; d++)
        for (int kind = 0; kind < VALUE_KINDS; kind++) {
            tensor_dtype dtype = d ? TENSOR_F64 : TENSOR_F32;
            size_t dims[3] = {c, h, w};
            pv_error err;
            pool_params p;
            pool_params_init(&p);
            set_params(&p, spec);
            pool_plan *plan = pool_plan_create(&p, dtype, 3, dims, &err);
            pool_params_release(&p);
            CHECK_MSG(plan != NULL, "%s: %s", spec, plan ? "" : err.message);
            if (plan == NULL)
                return;
            if (method != NULL && kind == 0) {
                char how[128];
                kernels_describe(plan, how, sizeof how);
                CHECK_MSG(strstr(how, method) != NULL, "%s: runs as '%s', expected '%s'", spec,
                          how, method);
            }
            tensor *in = tensor_new(dtype, 3, dims, &err);
            fill(in, (enum value_kind)kind, plan->params.op == POOL_STOCHASTIC);
            char what[160];
            snprintf(what, sizeof what, "%s on %zux%zux%zu (values %d)", spec, c, h, w, kind);
            check_plan(what, plan, in);
            tensor_free(in);
            pool_plan_free(plan);
        }
}

static void test_named_paths(void)
{
    check_named("op=max k=2 s=2", 3, 40, 52, "stride-2-fused");
    check_named("op=max k=2 s=2", 2, 41, 37, NULL);
    check_named("op=max k=3 s=2 padding=1", 3, 41, 53, "stride-2-fused");
    check_named("op=max k=3 s=1", 2, 37, 45, "rows=direct cols=direct");
    check_named("op=max k=3 s=1 padding=1", 1, 1, 1, NULL);
    check_named("op=avg k=2 s=2", 1, 2, 2, NULL);
    check_named("op=min k=3 s=1 padding=1", 2, 37, 45, NULL);
    check_named("op=max k=15 s=1 padding=7", 2, 48, 50, "rows=vanherk cols=doubling");
    check_named("op=min k=15 s=1 padding=7", 2, 48, 50, "rows=vanherk cols=doubling");
    check_named("op=max k=31 s=1 padding=15", 1, 64, 70, "rows=vanherk cols=doubling");
    check_named("op=max k=31 s=1", 1, 64, 70, "rows=vanherk cols=doubling");
    check_named("op=max k=9 s=1 dilation=2 padding=3", 2, 40, 44, "rows=vanherk cols=doubling");
    check_named("op=max k=8 s=2 padding=4 ceil-mode", 2, 45, 47, NULL);
    check_named("op=avg k=2 s=2", 3, 40, 52, "stride-2-fused");
    check_named("op=avg k=3 s=2 padding=1", 3, 41, 53, "stride-2-fused");
    check_named("op=avg k=3 s=2 padding=1 no-count-include-pad", 3, 41, 53, NULL);
    check_named("op=avg k=15 s=1 padding=7", 2, 48, 50, "rows=vanherk cols=vanherk");
    check_named("op=sum k=31 s=1 padding=15", 1, 64, 70, "rows=vanherk cols=vanherk");
    check_named("op=avg k=11 s=1 dilation=2 padding=same", 2, 40, 44, "cols=doubling");
    check_named("op=lp p=3 k=2 s=2", 3, 40, 52, "stride-2-fused");
    check_named("op=min k=3 s=2 ceil-mode", 2, 40, 53, "stride-2-fused");
    check_named("op=l2 k=2 s=2 padding=1", 2, 41, 36, "stride-2-fused");
    check_named("op=lp p=7.5 k=5 s=1 padding=2", 2, 30, 33, NULL);
    check_named("op=l2 k=3 s=1 padding=1", 2, 30, 33, NULL);
    check_named("op=power p=0.5 k=4 s=2 ceil-mode", 2, 31, 33, NULL);
    check_named("op=lp p=9 k=3 s=1", 2, 20, 21, NULL); /* |x|^9 overflows for huge floats */
    check_named("op=max global", 16, 7, 7, "global");
    check_named("op=min global", 5, 50, 70, "global");
    check_named("op=avg global", 16, 7, 7, "global");
    check_named("op=l2 global", 5, 50, 70, "global");
    check_named("op=max adaptive=6x6", 3, 61, 67, "bins");
    check_named("op=min adaptive=4x9", 3, 61, 67, "bins");
    check_named("op=avg adaptive=5x7", 3, 61, 67, "band");
    check_named("op=spp levels=1,2,4", 3, 37, 41, "spp");
    check_named("op=fractional fractional-style=graham ratio=1.4142 seed=5", 3, 37, 41, "bins");
    check_named("op=fractional fractional-style=graham overlapping pseudo-random ratio=1.7 seed=2", 2, 40, 33, "bins");
    check_named("op=fractional fractional-style=torch k=2 output-size=20x25 seed=5", 3, 37, 41,
                "band");
    check_named("op=mixed k=2 s=2", 3, 40, 52, "window stride-2-fused");
    check_named("op=mixed k=3 s=2 padding=1 alpha=0.3", 3, 41, 53, "window stride-2-fused");
    check_named("op=mixed k=3 s=2 padding=1 no-count-include-pad alpha=1", 2, 41, 53, NULL);
    check_named("op=mixed k=2 s=2 divisor=3 alpha=0", 2, 30, 31, NULL);
    check_named("op=softpool k=2 s=2", 3, 40, 52, "window stride-2-fused");
    check_named("op=softpool k=3 s=2 padding=1", 3, 41, 53, "window stride-2-fused");
    check_named("op=lse k=2 s=2", 3, 40, 52, "window stride-2-fused");
    check_named("op=lse k=3 s=2 padding=1 sharpness=0.25", 2, 41, 53, "window stride-2-fused");
    check_named("op=lse k=2 s=2 padding=1 ceil-mode sharpness=8", 2, 41, 37, "window stride-2-fused");
    check_named("op=median k=3 s=1", 2, 37, 45, "window 3x3");
    check_named("op=median k=3 s=1 padding=1", 2, 37, 45, "window 3x3");
    check_named("op=median k=3 s=1 padding=1", 1, 2, 9, NULL);
    check_named("op=median k=3 s=1 padding=1 ceil-mode", 2, 9, 70, NULL);
    check_named("op=median k=7 s=1 padding=3", 1, 30, 31, "window");
    check_named("op=softpool k=5 s=2 dilation=2 padding=same", 2, 30, 31, "window");
    check_named("op=lse k=3 s=1 sharpness=0.5", 2, 30, 31, "window");
    check_named("op=median global", 3, 9, 11, "window");
    check_named("op=mixed adaptive=4x5", 3, 19, 23, "window");
    check_named("op=mixed k=3 s=2", 3, 41, 53, "window stride-2-fused");
    check_named("op=mixed k=2 s=2 ceil-mode", 2, 41, 37, "window stride-2-fused");
    check_named("op=mixed k=3 s=2 padding=1 ceil-mode alpha=0.3", 2, 40, 36,
                "window stride-2-fused");
    check_named("op=mixed k=2 s=2 padding=1 divisor=4", 2, 30, 31, "window stride-2-fused");
    check_named("op=mixed k=2 s=2 padding=1 no-count-include-pad", 2, 31, 30,
                "window stride-2-fused");
    /* maxblur's 2x2 / stride-2 path (float32 on AVX2): its narrowest first
     * stage (8), row blurs all scalar (inner outputs 8), one vector (9) and
     * an overlapping last vector, odd and even first-stage sizes both ways */
    static const size_t blur_shapes[][2] = {{3, 9},  {4, 17},  {5, 19}, {6, 20},
                                            {7, 26}, {40, 52}, {41, 61}};
    for (size_t i = 0; i < sizeof blur_shapes / sizeof blur_shapes[0]; i++) {
        const size_t h = blur_shapes[i][0], w = blur_shapes[i][1], dims[2] = {h, w};
        pv_error err;
        pool_params p;
        pool_params_init(&p);
        set_params(&p, "op=maxblur k=2 s=2");
        pool_plan *plan = pool_plan_create(&p, TENSOR_F32, 2, dims, &err);
        pool_params_release(&p);
        char how[128] = "";
        if (plan != NULL)
            kernels_describe(plan, how, sizeof how);
        CHECK_MSG(strstr(how, have_avx2 ? "2x2-stride-2" : "max then blur") != NULL,
                  "maxblur on %zux%zu runs as '%s'", h, w, how);
        pool_plan_free(plan);
        check_named("op=maxblur k=2 s=2", 2, h, w, "max then blur");
    }
    check_named("op=maxblur k=2 s=2", 2, 33, 9, "max then blur");
    check_named("op=maxblur k=2 s=2", 2, 3, 10, "max then blur");
    check_named("op=maxblur k=3 s=2 padding=1 filter=5", 2, 41, 53, "max then blur");
    check_named("op=maxblur k=2 s=3 dilation=2 filter=2", 2, 33, 35, "max then blur");
    check_named("op=maxblur k=4 s=1 padding=same filter=7", 2, 30, 29, "max then blur");
    /* the draw lives in the reducer alone: stochastic never takes a kernel */
    check_named("op=stochastic k=3 s=2 seed=9", 3, 37, 41, "reference");
}

/* maxblur's fast path takes the one-instruction max, which drops a NaN in
 * a window's second tap, and redoes the plane exactly when an output is
 * NaN or a NaN lies where no window read starts: one NaN (or an infinity)
 * in every cell in turn, among random values, so each output position and
 * each edge is the one that must report it. */
static void test_blur_lone_nan(void)
{
    static const size_t shapes[][2] = {{3, 9}, {4, 17}, {5, 19}, {4, 20}, {6, 26}, {5, 12}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int d = 0; d < 2; d++) {
            const tensor_dtype dtype = d ? TENSOR_F64 : TENSOR_F32;
            const size_t h = shapes[s][0], w = shapes[s][1], dims[2] = {h, w};
            pv_error err;
            pool_params p;
            pool_params_init(&p);
            set_params(&p, "op=maxblur k=2 s=2");
            pool_plan *plan = pool_plan_create(&p, dtype, 2, dims, &err);
            pool_params_release(&p);
            CHECK_MSG(plan != NULL, "lone NaN: %s", plan ? "" : err.message);
            if (plan == NULL)
                continue;
            tensor *in = tensor_new(dtype, 2, dims, &err);
            for (size_t at = 0; at < h * w; at++) {
                fill(in, VALUES_RANDOM, false);
                const double odd = at % 3 == 0 ? INFINITY : at % 3 == 1 ? -NAN : NAN;
                tensor_set(in, at, odd);
                char what[96];
                snprintf(what, sizeof what, "lone %g at %zu of %zux%zu", odd, at, h, w);
                check_plan(what, plan, in);
            }
            tensor_free(in);
            pool_plan_free(plan);
        }
}

/* ---- 5. softpool and lse in float32: the vector path's accuracy ---------- */

/* The stride-2 vector path (and its scalar twin for the row ends) weighs
 * float32 cells with a polynomial exp and log; its contract is an error of
 * at most 16 float32 units of the window's largest |x| (lse: of max |x| +
 * 1/r), checked by compare_sums.  Here it must stay within half of that on
 * the values that stress it: spreads far beyond e^(-r d) underflowing (at
 * every sharpness, small ones included), values close together, huge and
 * tiny ones, and a non-finite cell at a row's end.  The worst seen is
 * printed. */
enum softmax_values {
    SV_WIDE,    /* uniform in [-1000, 1000] */
    SV_UNIT,    /* uniform in [-1, 1] */
    SV_CLOSE,   /* 1000 + [0, 0.001] */
    SV_SCALES,  /* sign * 10^u, u uniform in [-6, 6] */
    SV_HUGE,    /* near the top of float's range */
    SV_TINY,    /* near the bottom, subnormals included */
    SV_TIES,    /* few values, many equal: tied maxima, +-0, and windows
                 * like {0, 0, 0, -1000} whose mean weight is 3/4, where lse's
                 * log splits 1 + z into mantissa and exponent */
    SV_KINDS
};

static double softmax_value(enum softmax_values kind)
{
    const double u = (double)draw(2000001) / 1000000 - 1; /* [-1, 1] */
    switch (kind) {
    case SV_WIDE:
        return 1000 * u;
    case SV_UNIT:
        return u;
    case SV_CLOSE:
        return 1000 + (u + 1) * 0.0005;
    case SV_SCALES:
        return (draw(2) ? 1 : -1) * pow(10, 6 * u);
    case SV_HUGE:
        return 3e38 * u;
    case SV_TIES: {
        static const double few[] = {0.0, -0.0, 0.0, 1.0, 1.0, -1000.0, 0.5};
        return few[draw(sizeof few / sizeof few[0])];
    }
    default:
        return draw(4) == 0 ? (double)draw(9) * 0x1p-149 : 1e-38 * u;
    }
}

static double softmax_worst;

/* The float32 plan of spec for an input of dims (NULL, a failed check, if
 * none). */
static pool_plan *f32_plan(const char *spec, const size_t dims[3])
{
    pv_error err;
    pool_params p;
    pool_params_init(&p);
    set_params(&p, spec);
    pool_plan *plan = pool_plan_create(&p, TENSOR_F32, 3, dims, &err);
    pool_params_release(&p);
    CHECK_MSG(plan != NULL, "%s: %s", spec, plan ? "" : err.message);
    return plan;
}

static void check_softmax_accuracy(const char *spec, size_t h, size_t w, enum softmax_values kind,
                                   bool special_ends)
{
    size_t dims[3] = {2, h, w};
    pv_error err;
    pool_plan *plan = f32_plan(spec, dims);
    if (plan == NULL)
        return;
    tensor *in = tensor_new(TENSOR_F32, 3, dims, &err);
    for (size_t i = 0; i < in->count; i++)
        tensor_set(in, i, softmax_value(kind));
    if (special_ends) /* the last cell of some rows: the scalar leftovers' check */
        for (size_t r = 0; r < 2 * h; r += 3)
            tensor_set(in, r * w + w - 1, r % 2 ? -INFINITY : NAN);
    tensor *ref = run(plan, in, true, 1, NULL);
    tensor *fast = run(plan, in, false, 1, NULL);
    tensor *largest = abs_pooled(plan, in, POOL_MAX);
    const bool lse = plan->params.op == POOL_LSE;
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; ref != NULL && fast != NULL && i < ref->count; i++) {
        const double g = tensor_get(fast, i), want = tensor_get(ref, i);
        if (!isfinite(want)) {
            CHECK_MSG(same_bits(g, want), "%s (values %d): out[%zu] = %.9g, reference %.9g", spec,
                      kind, i, g, want);
            continue;
        }
        /* beyond one unit in the last place of the result (its rounding;
         * compare_sums allows two) */
        const double unit = FLT_EPSILON * (tensor_get(largest, i) +
                                           (lse ? 1 / plan->params.sharpness : 0));
        /* (a window of zeros has no unit: exact or infinitely off) */
        const double excess = fmax(fabs(g - want) - ulp_of(want, TENSOR_F32), 0);
        const double units = excess == 0 ? 0 : excess / unit;
        if (!(units <= worst)) {
            worst = units;
            at = i;
        }
    }
    CHECK_MSG(worst <= 8, "%s (values %d): out[%zu] = %.9g, reference %.9g: %.2f units", spec,
              kind, at, fast ? tensor_get(fast, at) : 0, ref ? tensor_get(ref, at) : 0, worst);
    softmax_worst = fmax(softmax_worst, worst);
    check_passed++;
    compare_isas(spec, plan, in, fast, NULL);
    tensor_free(largest);
    tensor_free(fast);
    tensor_free(ref);
    tensor_free(in);
    pool_plan_free(plan);
}

static void test_softmax_accuracy(void)
{
    static const char *const shapes[] = {"k=2 s=2", "k=3 s=2 padding=1",
                                         "k=2 s=2 padding=1 ceil-mode", "k=3 s=2"};
    static const char *const sharpness[] = {"0.001", "0.01", "0.1", "0.25", "1",
                                            "3",     "10",   "100", "1e4", "1e-30",
                                            "1e30",  "1e-40", "1e40"};
    char spec[96];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int kind = 0; kind < SV_KINDS; kind++) {
            snprintf(spec, sizeof spec, "op=softpool %s", shapes[s]);
            check_softmax_accuracy(spec, 22 + s, 61 + 2 * s, (enum softmax_values)kind, s == 1);
            for (size_t r = 0; r < sizeof sharpness / sizeof sharpness[0]; r++) {
                snprintf(spec, sizeof spec, "op=lse %s sharpness=%s", shapes[s], sharpness[r]);
                check_softmax_accuracy(spec, 22 + s, 61 + 2 * s, (enum softmax_values)kind,
                                       s == 2);
            }
        }
    printf("softpool and lse in float32: at most %.2f units of the largest |x| off\n",
           softmax_worst);
}

/* lse with a small sharpness tends to avg: the float32 kernels keep the
 * mean weight minus 1 (z, about r times the window's mean distance below
 * its max) without rounding 1 + z, so the result stays within a few units
 * of its own last place, far inside the contract above (whose unit grows
 * with 1/r).  A log of the rounded mean weight would be off by up to about
 * 6e-8 / r: 6e-5 at r = 1e-3. */
static void test_lse_small_sharpness(void)
{
    static const char *const sharpness[] = {"1e-3", "1e-6", "1e-9"};
    static const char *const shapes[] = {"k=2 s=2", "k=3 s=2 padding=1"};
    char spec[96];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t r = 0; r < sizeof sharpness / sizeof sharpness[0]; r++) {
            snprintf(spec, sizeof spec, "op=lse %s sharpness=%s", shapes[s], sharpness[r]);
            size_t dims[3] = {2, 20, 70};
            pv_error err;
            pool_plan *plan = f32_plan(spec, dims);
            if (plan == NULL)
                continue;
            tensor *in = tensor_new(TENSOR_F32, 3, dims, &err);
            for (size_t i = 0; i < in->count; i++)
                tensor_set(in, i, (double)draw(1000001) / 1000000); /* [0, 1] */
            tensor *ref = run(plan, in, true, 1, NULL);
            tensor *fast = run(plan, in, false, 1, NULL);
            double worst = 0;
            size_t at = 0;
            for (size_t i = 0; ref != NULL && fast != NULL && i < ref->count; i++) {
                const double g = tensor_get(fast, i), want = tensor_get(ref, i);
                const double units = fabs(g - want) / ulp_of(want, TENSOR_F32);
                if (!(units <= worst)) {
                    worst = units;
                    at = i;
                }
            }
            CHECK_MSG(worst <= 4, "%s: out[%zu] = %.9g, reference %.9g: %.2f units of its last place",
                      spec, at, fast ? tensor_get(fast, at) : 0, ref ? tensor_get(ref, at) : 0, worst);
            check_passed++;
            compare_isas(spec, plan, in, fast, NULL);
            tensor_free(fast);
            tensor_free(ref);
            tensor_free(in);
            pool_plan_free(plan);
        }
}

/* ---- 5b. lp's float32 cube roots ------------------------------------------ */

/* The float32 kernels take the cube root of lp p = 3's power sums by a
 * polynomial good to 7.3e-10 (relative), far below a float32 unit (6e-8 to
 * 1.2e-7): every output must lie within one unit of the reference's (its
 * root in double, rounded to float32), and only the rare sums whose root
 * lies that close to a rounding boundary may round the other way.  The
 * share that do is printed (0.3%); roots off by 2e-8 make it 17%. */
static void test_cube_roots(void)
{
    static const char *const shapes[] = {"k=2 s=2", "k=3 s=1 padding=1",
                                         "k=2 s=2 padding=1 ceil-mode", "k=5 s=3"};
    static const enum softmax_values kinds[] = {SV_UNIT, SV_SCALES, SV_HUGE, SV_TINY, SV_TIES};
    unsigned long outputs = 0, rounded_apart = 0;
    char spec[96];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            snprintf(spec, sizeof spec, "op=lp p=3 %s", shapes[s]);
            size_t dims[3] = {3, 40 + s, 90 + 3 * s};
            pv_error err;
            pool_plan *plan = f32_plan(spec, dims);
            if (plan == NULL)
                continue;
            tensor *in = tensor_new(TENSOR_F32, 3, dims, &err);
            for (size_t i = 0; i < in->count; i++)
                tensor_set(in, i, softmax_value(kinds[k]));
            tensor *ref = run(plan, in, true, 1, NULL);
            tensor *fast = run(plan, in, false, 1, NULL);
            double worst = 0;
            size_t at = 0;
            for (size_t i = 0; ref != NULL && fast != NULL && i < ref->count; i++) {
                const double g = tensor_get(fast, i), want = tensor_get(ref, i);
                const double units = same_bits(g, want) ? 0 : fabs(g - want) / ulp_of(want, TENSOR_F32);
                outputs++;
                rounded_apart += units != 0;
                if (!(units <= worst)) {
                    worst = units;
                    at = i;
                }
            }
            CHECK_MSG(worst <= 1, "%s (values %d): out[%zu] = %.9g, reference %.9g: %.2f units", spec,
                      (int)kinds[k], at, fast ? tensor_get(fast, at) : 0,
                      ref ? tensor_get(ref, at) : 0, worst);
            check_passed++;
            compare_isas(spec, plan, in, fast, NULL);
            tensor_free(fast);
            tensor_free(ref);
            tensor_free(in);
            pool_plan_free(plan);
        }
    const double share = outputs ? (double)rounded_apart / (double)outputs : 1;
    CHECK_MSG(share <= 0.02, "lp p=3 float32: %lu of %lu outputs round apart from the reference",
              rounded_apart, outputs);
    check_passed++;
    printf("lp p=3 in float32: %lu of %lu outputs (%.3f%%) one unit from the reference\n",
           rounded_apart, outputs, 100 * share);
}

/* ---- 6. box sums: long windows, mixed magnitudes, non-finite edges ---------- */

/* Sums of long windows add blocks (van Herk) instead of sliding a running
 * sum, so a window's error stays within its own cells: these inputs hold
 * cells of about 1e-3 with sparse cells near 1e8 (a running sum would keep
 * their rounding after they leave its window), and NaN, +inf and -inf on
 * the first and last row and column of chosen windows (a running sum would
 * keep them, or make inf - inf). */
static unsigned long box_vanherk;

static void box_case(int id)
{
    static const pool_op ops[] = {POOL_AVG, POOL_AVG, POOL_AVG, POOL_SUM, POOL_L2, POOL_LP};
    const pool_op op = ops[draw(sizeof ops / sizeof ops[0])];
    const tensor_dtype dtype = draw(3) ? TENSOR_F32 : TENSOR_F64;
    const size_t C = 1 + draw(2), H = 12 + draw(60), W = 12 + draw(60);
    size_t dims[3] = {C, H, W};
    pool_params p;
    pool_params_init(&p);
    p.op = op;
    p.p = 3;
    p.kernel_h = 4 + (int)draw((H < 31 ? H : 31) - 3);
    p.kernel_w = draw(3) ? 4 + (int)draw((W < 31 ? W : 31) - 3) : p.kernel_h;
    if ((size_t)p.kernel_w > W)
        p.kernel_w = (int)W;
    p.stride_h = 1 + (int)draw(2);
    p.stride_w = draw(2) ? p.stride_h : 1 + (int)draw(2);
    if (draw(6) == 0) {
        p.dilation_h = 1 + (int)draw(2);
        p.dilation_w = 1 + (int)draw(2);
    }
    if (draw(4))
        draw_padding(&p);
    draw_rounding(&p, 8, 1000);
    pv_error err;
    pool_plan *plan = pool_plan_create(&p, dtype, 3, dims, &err);
    pool_params_release(&p);
    if (plan == NULL) {
        CHECK_MSG(err.status == PV_ERR_USAGE || err.status == PV_ERR_DATA,
                  "box case %d: unexpected status %d: %s", id, err.status, err.message);
        return;
    }
    char how[128];
    kernels_describe(plan, how, sizeof how);
    if (strstr(how, "cols=vanherk") != NULL)
        box_vanherk++;
    tensor *in = tensor_new(dtype, 3, dims, &err);
    for (size_t i = 0; i < in->count; i++) {
        double v = ((double)draw(2001) - 1000) * 1e-6;
        if (draw(150) == 0)
            v = (1 + (double)draw(1000) / 1000) * 5e7;
        tensor_set(in, i, v);
    }
    const bool special = draw(2);
    const long kh = (long)(plan->params.kernel_h - 1) * plan->params.dilation_h;
    const long kw = (long)(plan->params.kernel_w - 1) * plan->params.dilation_w;
    for (int n = 0; special && n < 6; n++) {
        /* a cell on the edge of a window: its first or last row or column */
        const size_t oy = draw(plan->rows.out), ox = draw(plan->cols.out);
        const long r = plan->rows.start[oy] + (draw(2) ? kh : 0);
        const long c = plan->cols.start[ox] + (draw(2) ? kw : 0);
        if (r < 0 || c < 0 || r >= (long)H || c >= (long)W)
            continue;
        static const double specials[] = {NAN, INFINITY, -INFINITY};
        tensor_set(in, draw(C) * H * W + (size_t)r * W + (size_t)c, specials[draw(3)]);
    }
    char what[200];
    snprintf(what, sizeof what, "box case %d (%s) on %zux%zux%zu", id, how, C, H, W);
    check_plan(what, plan, in);
    int64_t *i1 = NULL, *i2 = NULL;
    tensor *one = run(plan, in, false, 1, &i1), *two = run(plan, in, false, 2, &i2);
    compare_bits(what, plan, two, i2, one, i1, true);
    tensor_free(one);
    tensor_free(two);
    pv_free(i1);
    pv_free(i2);
    tensor_free(in);
    pool_plan_free(plan);
}

static void test_box_sums(int cases)
{
    for (int i = 0; i < cases; i++)
        box_case(i);
    printf("%lu of %d box-sum cases took van Herk along the columns\n", box_vanherk, cases);
    CHECK(box_vanherk > (unsigned long)cases / 3);
    /* the benchmark's shapes: a plane taller than a band */
    check_named("op=avg k=31 s=1 padding=15", 1, 300, 260, "rows=vanherk cols=vanherk");
    check_named("op=avg k=9 s=2 padding=4", 2, 61, 67, "cols=vanherk");
    check_named("op=avg k=7 s=1 padding=3 divisor=5", 2, 40, 37, "cols=vanherk");
    check_named("op=avg k=5 s=1 padding=2 no-count-include-pad ceil-mode", 2, 33, 35,
                "cols=vanherk");
}

/* Every plane of a large input checks the cancel flag. */
static void test_cancel(void)
{
    size_t dims[4] = {2, 8, 40, 40};
    pv_error err;
    tensor *in = tensor_new(TENSOR_F32, 4, dims, &err);
    fill(in, VALUES_RANDOM, false);
    pool_params p;
    pool_params_init(&p);
    pool_plan *plan = pool_plan_create(&p, TENSOR_F32, 4, dims, &err);
    for (int reference = 0; reference < 2; reference++)
        for (int threads = 1; threads <= 2; threads++) {
            pool_cancel_requested = 1;
            pool_forward_options o = {.threads = threads, .reference = reference};
            tensor *out = pool_forward(plan, in, &o, NULL, &err);
            CHECK(out == NULL && err.status == PV_ERR_INTERRUPTED);
            tensor_free(out);
        }
    pool_cancel_requested = 0;
    pool_plan_free(plan);
    pool_params_release(&p);
    tensor_free(in);
}

int main(void)
{
    const char *env = getenv("POOLVIZ_TEST_CASES");
    int cases = env ? atoi(env) : 3000;
    have_avx2 = kernels_select("avx2");
    have_avx512 = kernels_select("avx512");
    best_isa = have_avx512 ? "avx512" : have_avx2 ? "avx2" : "portable";
    kernels_select(best_isa);
    printf("kernels: %s\n", kernels_isa());
    for (int i = 0; i < cases; i++)
        random_case(i);
    printf("%lu of %d small random parameter sets were valid and compared\n", planned_cases,
           cases);
    CHECK(planned_cases > (unsigned long)cases / 3);

    for (int i = 0; i < cases / 2; i++)
        large_case(i);
    printf("%lu of %d large random parameter sets were compared\n", large_compared, cases / 2);
    CHECK(large_compared > (unsigned long)cases / 8);

    test_threads();
    test_named_paths();
    test_blur_lone_nan();
    test_softmax_accuracy();
    test_lse_small_sharpness();
    test_cube_roots();
    test_box_sums(cases / 25);
    test_cancel();
    return check_exit();
}
