/* fuzz-pool.c - plan, forward and explain must agree (see fuzz-pool.h).
 *
 * The rules are those of design §2: max, min, fractional, spp and sampled
 * stochastic values are bit-exact; sums agree within a tolerance scaled by
 * the magnitude of what was summed.  Where a value overflows or underflows
 * in one computation and not in the other (terms near the ends of the
 * double range), the comparison is skipped rather than guessed.
 */
#include "fuzz-pool.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/backward.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/plan.h"
#include "fuzz.h"

#define FUZZ_EXPLAIN_CELLS 48

static bool same_value(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static bool op_is_exact(const pool_plan *plan)
{
    switch (plan->params.op) {
    case POOL_MAX:
    case POOL_MIN:
    case POOL_FRACTIONAL:
    case POOL_SPP:
        return true;
    case POOL_STOCHASTIC:
        return plan->params.mode == MODE_TRAIN;
    default:
        return false;
    }
}

/* True when every input term of the explanation is zero or of moderate
 * size, so that no intermediate (squares, p-th powers, products) can
 * overflow or underflow. */
static bool terms_moderate(const pool_explanation *ex)
{
    for (size_t i = 0; i < ex->term_count; i++) {
        double v = fabs(ex->terms[i].value), o = fabs(ex->terms[i].other);
        if (isnan(v) || isinf(v) || (v != 0 && (v < 1e-60 || v > 1e60)))
            return false;
        if (isnan(o) || isinf(o) || (o != 0 && (o < 1e-60 || o > 1e60)))
            return false;
    }
    return true;
}

/* Is value (from forward) the explained result within the op's tolerance? */
static bool value_agrees(const pool_plan *plan, const pool_explanation *ex, double value)
{
    double ref = ex->result;
    if (plan->dtype == TENSOR_F32)
        ref = (double)(float)ref;
    if (op_is_exact(plan))
        return same_value(ref, value);
    if (!terms_moderate(ex))
        return true;
    if (isnan(ref) || isnan(value) || isinf(ref) || isinf(value))
        return same_value(ref, value);

    double eps = plan->dtype == TENSOR_F32 ? 1e-5 : 1e-9;
    double mag = 0;
    for (size_t i = 0; i < ex->term_count; i++)
        mag += fabs(ex->terms[i].value) * (ex->op == POOL_BILINEAR ? fabs(ex->terms[i].other) : 1);
    double tol;
    if (pool_op_uses(ex->op, OP_USES_FILTER)) {
        /* a blur of first-stage values: a weighted sum that can cancel
         * (0.25 * 3.4e38 - 0.25 * 3.4e38 + 3.25), so its rounding is
         * measured against the terms, not the result */
        return fabs(ref - value) <= 4 * eps * mag + 1e-300;
    }
    switch (ex->op) {
    case POOL_AVG:
        tol = eps * mag / (ex->divisor > 0 ? ex->divisor : 1);
        break;
    case POOL_SOFTPOOL:
    case POOL_LSE: {
        /* the fast kernels' contract (kernels-body.h, test-forward): a few
         * units of the element type of the window's largest |x| (lse: of
         * largest |x| + 1/r), however small the result after cancelling */
        double largest = 0;
        for (size_t i = 0; i < ex->term_count; i++)
            largest = fmax(largest, fabs(ex->terms[i].value));
        if (ex->op == POOL_LSE)
            largest += 1 / plan->params.sharpness;
        tol = eps * fabs(ref) * (double)(ex->term_count + 1) +
              16 * (plan->dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON) * largest;
        break;
    }
    case POOL_SUM:
    case POOL_STOCHASTIC:   /* eval: sum a^2 / sum a, a >= 0 */
        tol = eps * fmax(mag, fabs(ref));
        break;
    case POOL_LP:
    case POOL_POWER:
        if (!(ex->p >= 0.05) || ex->p > 1e6)
            return true;    /* 1/p magnifies rounding beyond any fixed tolerance */
        tol = eps * fabs(ref) * fmax(1, 1 / ex->p) * (double)(ex->term_count + 1);
        break;
    case POOL_BILINEAR: {
        double raw_tol = eps * mag / (ex->divisor > 0 ? ex->divisor : 1);
        tol = plan->params.signed_sqrt ? sqrt(raw_tol) + eps * fabs(ref) : raw_tol;
        if (plan->params.l2_normalize)
            tol = ex->norm > 0 ? tol / ex->norm + eps : eps;
        tol *= 4;
        break;
    }
    default:    /* l2 */
        tol = eps * fabs(ref) * (double)(ex->term_count + 1);
        break;
    }
    return fabs(ref - value) <= tol + 1e-300;
}

/* The backward pass of a plan that pooled: the fast kernels (where they
 * apply, also from the forward's saved indices when there are some) and the
 * reference agree (max and min exactly, overlaps adding in the same order;
 * dy is positive, so the sums of avg cannot cancel), dx has the input's
 * shape, and the terms of one region are listed. */
static void check_backward(const pool_plan *plan, const tensor *input, const int64_t *saved)
{
    if (input->count > 4096 || plan->out_count > 4096)
        return;
    pv_error err = { 0 };
    tensor *dy = tensor_new(input->dtype, plan->out_rank, plan->out_dims, &err);
    if (dy == NULL) {
        fuzz_check_error(&err, "tensor_new");
        return;
    }
    for (size_t i = 0; i < dy->count; i++)
        tensor_set(dy, i, 0.1 + (double)(i % 7) * 0.3);
    pool_backward_options fast_opts = { .threads = 1, .reference = false };
    pool_backward_options ref_opts = { .threads = 1, .reference = true };
    tensor *ref = pool_backward(plan, input, dy, &ref_opts, &err);
    if (ref == NULL) {
        fuzz_check_error(&err, "pool_backward reference");
        if (err.status == PV_ERR_USAGE)
            fuzz_fail("pool_backward on a valid plan: %s: %s", err.subject, err.message);
        tensor_free(dy);
        return;
    }
    if (ref->rank != input->rank || memcmp(ref->dims, input->dims, sizeof ref->dims) != 0)
        fuzz_fail("pool_backward: dx is not the input's shape");
    tensor *fast = pool_backward(plan, input, dy, &fast_opts, &err);
    if (fast == NULL)
        fuzz_fail("pool_backward fast failed where the reference did not: %s: %s",
                  err.subject, err.message);
    const bool exact = plan->params.op == POOL_MAX || plan->params.op == POOL_MIN ||
                       plan->params.op == POOL_FRACTIONAL;
    const double eps = input->dtype == TENSOR_F32 ? 1.2e-7 : 2.3e-16;
    for (size_t i = 0; i < input->count; i++) {
        double a = tensor_get(fast, i), b = tensor_get(ref, i);
        bool ok = exact ? same_value(a, b)
                        : same_value(a, b) || fabs(a - b) <= 1024 * eps * fabs(b) + 1e-300 ||
                              (isinf(a) && isinf(b) && a == b);
        if (!ok)
            fuzz_fail("backward dx[%zu]: fast %.17g, reference %.17g", i, a, b);
    }
    if (exact && saved != NULL) {
        pool_backward_options saved_opts = { .threads = 1, .indices = saved };
        tensor *from_saved = pool_backward(plan, input, dy, &saved_opts, &err);
        if (from_saved == NULL)
            fuzz_fail("pool_backward from the saved indices failed: %s: %s", err.subject,
                      err.message);
        for (size_t i = 0; i < input->count; i++)
            if (!same_value(tensor_get(from_saved, i), tensor_get(ref, i)))
                fuzz_fail("backward dx[%zu]: from the saved indices %.17g, reference %.17g", i,
                          tensor_get(from_saved, i), tensor_get(ref, i));
        tensor_free(from_saved);
    }
    pool_grad_region g;
    if (pool_backward_region(plan, input, plan->out_count / 2, &g, &err) == PV_OK) {
        size_t receiving = 0;
        for (size_t t = 0; t < g.count; t++) {
            if (g.terms[t].index >= input->count)
                fuzz_fail("backward region: term %zu names cell %zu of %zu", t,
                          g.terms[t].index, input->count);
            receiving += g.terms[t].weight != 0;
        }
        if (receiving != g.receiving)
            fuzz_fail("backward region: %zu receiving, counted %zu", g.receiving, receiving);
        pool_grad_region_release(&g);
    } else {
        fuzz_check_error(&err, "pool_backward_region");
    }
    tensor_free(fast);
    tensor_free(ref);
    tensor_free(dy);
}

static void check_plan(const pool_plan *plan)
{
    if (plan->out_rank < 1 || plan->out_rank > TENSOR_MAX_RANK)
        fuzz_fail("plan: output rank %d", plan->out_rank);
    size_t count = 1;
    for (int i = 0; i < plan->out_rank; i++) {
        if (plan->out_dims[i] == 0 && (i > 0 || plan->in_dims[0] != 0))
            fuzz_fail("plan: output dimension %d is 0", i); /* but an empty batch's N */
        count *= plan->out_dims[i];
    }
    if (count != plan->out_count)
        fuzz_fail("plan: out_count %zu, dims give %zu", plan->out_count, count);
}

bool fuzz_pool_check(const pool_params *params, const tensor *input)
{
    pv_error err = { 0 };
    pool_plan *plan = pool_plan_create(params, input->dtype, input->rank, input->dims, &err);
    if (plan == NULL) {
        fuzz_check_error(&err, "pool_plan_create");
        return false;
    }
    check_plan(plan);
    char in_shape[64], out_shape[64], settings[300];
    tensor_format_shape(input->rank, input->dims, in_shape, sizeof in_shape);
    tensor_format_shape(plan->out_rank, plan->out_dims, out_shape, sizeof out_shape);
    pool_params_describe(&plan->params, settings, sizeof settings);
    snprintf(fuzz_context, sizeof fuzz_context, "%s %s input -> %s: %s", in_shape,
             tensor_dtype_name(input->dtype), out_shape, settings);

    /* Describing the settings must work for any plan. */
    char text[2048];
    pool_params_describe(&plan->params, text, sizeof text);
    pool_params_format_settings(&plan->params, text, sizeof text);
    pool_plan_explain_size(plan, 0, text, sizeof text);
    pool_plan_explain_size(plan, 1, text, sizeof text);

    pool_forward_options fast_opts = { .threads = 1, .reference = false };
    pool_forward_options ref_opts = { .threads = 1, .reference = true };
    int64_t *fast_idx = NULL, *ref_idx = NULL;
    bool want = plan->has_indices;
    tensor *fast = pool_forward(plan, input, &fast_opts, want ? &fast_idx : NULL, &err);
    if (fast == NULL) {
        fuzz_check_error(&err, "pool_forward");
        if (err.status == PV_ERR_USAGE || err.status == PV_ERR_INTERRUPTED)
            fuzz_fail("pool_forward on a valid plan: status %d: %s: %s", (int)err.status,
                      err.subject, err.message);
        pool_plan_free(plan);
        fuzz_context[0] = '\0';
        return false;
    }
    fuzz_check_tensor(fast, "pool_forward");
    if (fast->dtype != plan->dtype || fast->rank != plan->out_rank ||
        fast->count != plan->out_count)
        fuzz_fail("pool_forward: output is not the plan's shape");
    tensor *ref = pool_forward(plan, input, &ref_opts, want ? &ref_idx : NULL, &err);
    if (ref == NULL)
        fuzz_fail("pool_forward reference failed where the fast path did not: %s: %s",
                  err.subject, err.message);

    const size_t plane = plan->h * plan->w;
    for (size_t i = 0; want && i < plan->out_count; i++) {
        if (fast_idx[i] != ref_idx[i])
            fuzz_fail("indices: output %zu has %lld (fast) and %lld (reference)", i,
                      (long long)fast_idx[i], (long long)ref_idx[i]);
        if (fast_idx[i] < -1 || (fast_idx[i] >= 0 && (size_t)fast_idx[i] >= plane))
            fuzz_fail("indices: output %zu has %lld, outside the %zu-cell plane", i,
                      (long long)fast_idx[i], plane);
    }

    size_t cells = plan->out_count < FUZZ_EXPLAIN_CELLS ? plan->out_count : FUZZ_EXPLAIN_CELLS;
    for (size_t k = 0; k < cells; k++) {
        size_t i = k * plan->out_count / cells;
        pool_region region;
        pool_plan_region(plan, i, &region);
        pool_explanation ex;
        memset(&ex, 0, sizeof ex);
        if (pool_explain(plan, input, i, &ex, &err) != PV_OK) {
            fuzz_check_error(&err, "pool_explain");
            /* A window may be too large to list tap by tap (a huge kernel
             * with same padding); that must be a limit error. */
            if (err.status != PV_ERR_LIMIT)
                fuzz_fail("pool_explain failed on output %zu where forward did not: %s: %s",
                          i, err.subject, err.message);
            continue;
        }
        double fv = tensor_get(fast, i), rv = tensor_get(ref, i);
        if (!value_agrees(plan, &ex, fv))
            fuzz_fail("%s output %zu: forward %.17g, explain %.17g", pool_op_name(ex.op), i,
                      fv, ex.result);
        if (!value_agrees(plan, &ex, rv))
            fuzz_fail("%s output %zu: reference forward %.17g, explain %.17g",
                      pool_op_name(ex.op), i, rv, ex.result);
        if (want && ex.index != fast_idx[i])
            fuzz_fail("%s output %zu: forward index %lld, explain index %ld",
                      pool_op_name(ex.op), i, (long long)fast_idx[i], ex.index);
        pool_explanation_format(&ex, fv, 12, text, sizeof text);
        pool_explanation_format(&ex, fv, 3, text, 40);
        pool_explanation_release(&ex);
    }

    check_backward(plan, input, want ? fast_idx : NULL);

    pv_free(fast_idx);
    pv_free(ref_idx);
    tensor_free(ref);
    tensor_free(fast);
    pool_plan_free(plan);
    fuzz_context[0] = '\0';
    return true;
}
