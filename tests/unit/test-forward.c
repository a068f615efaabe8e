/* test-forward.c - pool_forward against the reference pool_explain on many
 * random shapes and parameter sets, for every operator and both dtypes.
 * max/min/fractional/spp/stochastic must agree bit for bit; sums and norms
 * within a tolerance derived from the accumulation (a few ulps of the
 * output type, scaled by the sum of magnitudes).
 *
 * POOLVIZ_TEST_CASES overrides the number of random cases (default 3000). */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "core-helpers.h"
#include "core/alloc.h"
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
    else if (pad_choice == 1) {
        p.pad_h = (int)draw((uint64_t)((p.kernel_h - 1) * p.dilation_h + 1) / 2 + 1);
        p.pad_w = (int)draw((uint64_t)((p.kernel_w - 1) * p.dilation_w + 1) / 2 + 1);
    }
    p.ceil_mode = draw(3) == 0;
    p.count_include_pad = draw(2);
    if (draw(8) == 0)
        p.divisor = 1 + (long)draw(9);
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
                     op == POOL_SPP || op == POOL_STOCHASTIC;
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

int main(void)
{
    const char *env = getenv("POOLVIZ_TEST_CASES");
    int cases = env ? atoi(env) : 3000;
    for (int i = 0; i < cases; i++)
        random_case(i);
    printf("%lu of %d random parameter sets were valid and compared\n", planned_cases, cases);
    CHECK(planned_cases > (unsigned long)cases / 3);
    return check_exit();
}
