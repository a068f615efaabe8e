/* ops.c - the operator table and each operator's per-region reducer,
 * formula headline, derivative, words on typical wrong values (lessons) and
 * PyTorch/TensorFlow code (`code`) (see ops.h).  The reducers are the
 * reference arithmetic: plain loops in double over the gathered terms, in
 * row-major order. */
#include "ops.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "codegen.h"
#include "explain.h"
#include "numfmt.h"
#include "opmath.h"
#include "params.h"
#include "plan.h"
#include "rng.h"
#include "tensor.h"

/* ---- shared pieces ------------------------------------------------------- */

/* The index PyTorch reports for a window without any input cell: the first
 * tap moved forward by the dilation until it is not negative (a number that
 * may name a cell of a later row); where that falls past the plane, -1. */
static long empty_window_index(const pool_region_ctx *cx)
{
    const pool_region *rg = cx->region;
    const long plane = (long)(cx->plan->h * cx->plan->w);
    long row = rg->row0, col = rg->col0;
    while (row < 0)
        row += rg->row_step;
    while (col < 0)
        col += rg->col_step;
    long index = row * (long)cx->plan->w + col;
    return index < plane ? index : -1;
}

static long term_index(const pool_region_ctx *cx, const pool_term *term)
{
    return term->row * (long)cx->plan->w + term->col;
}

/* ---- max, min, fractional, spp ------------------------------------------ */

/* PyTorch's rule: the first extreme in row-major order wins, and a NaN wins
 * over everything (the last NaN).  sign 1 = max, -1 = min. */
static void reduce_extreme(const pool_region_ctx *cx, pool_explanation *ex, int sign)
{
    double best = sign > 0 ? -INFINITY : INFINITY;
    long winner = -1, first_in = -1;
    for (size_t t = 0; t < ex->term_count; t++) {
        const pool_term *term = &ex->terms[t];
        if (term->kind != TAP_INPUT)
            continue;
        if (first_in < 0)
            first_in = (long)t;
        double v = term->value;
        if ((sign > 0 ? v > best : v < best) || isnan(v)) {
            best = v;
            winner = (long)t;
        }
    }
    if (winner < 0)
        winner = first_in; /* every value is -inf (max) / +inf (min), or no input cell */
    ex->winner = winner;
    ex->result = best;
    ex->index = winner >= 0 ? term_index(cx, &ex->terms[winner]) : empty_window_index(cx);
}

static pv_status reduce_max(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    reduce_extreme(cx, ex, 1);
    return PV_OK;
}

static pv_status reduce_min(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    reduce_extreme(cx, ex, -1);
    return PV_OK;
}

static void format_extreme(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "%s(", ex->op == POOL_MIN ? "min" : "max");
    pool_text_terms(tb, ex, ", ", TERMS_VALUE, max_terms);
    pool_text_put(tb, ") = ");
}

/* ---- avg, sum ------------------------------------------------------------ */

static double input_sum(const pool_explanation *ex)
{
    double sum = 0;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            sum += ex->terms[t].value;
    return sum;
}

static pv_status reduce_avg(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)cx, (void)err;
    ex->sum = input_sum(ex);
    ex->result = ex->sum / ex->divisor;
    return PV_OK;
}

static pv_status reduce_sum(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)cx, (void)err;
    ex->sum = input_sum(ex);
    ex->divisor = 1;
    ex->result = ex->sum;
    return PV_OK;
}

static void format_avg(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "avg = (");
    pool_text_terms(tb, ex, " + ", TERMS_VALUE, max_terms);
    pool_text_put(tb, ") / ");
    pool_text_number(tb, ex->divisor);
    pool_text_put(tb, " = ");
}

static void format_sum(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "sum = ");
    pool_text_terms(tb, ex, " + ", TERMS_VALUE, max_terms);
    pool_text_put(tb, " = ");
}

/* ---- l2, lp, power --------------------------------------------------------- */

/* m = max |x| over input terms (NaN if any is NaN). */
static double max_abs(const pool_explanation *ex)
{
    double m = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        if (ex->terms[t].kind != TAP_INPUT)
            continue;
        double a = fabs(ex->terms[t].value);
        if (isnan(a))
            return a;
        if (a > m)
            m = a;
    }
    return m;
}

/* (sum |x|^p / divisor)^(1/p), scaled by the largest |x| so it cannot
 * overflow; the weights are the p-th powers the formula shows. */
static void reduce_norm(pool_explanation *ex, double p, double divisor)
{
    double m = max_abs(ex), scaled = 0;
    ex->sum = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        pool_term *term = &ex->terms[t];
        if (term->kind != TAP_INPUT)
            continue;
        term->weight = isinf(p) ? fabs(term->value) : pow(fabs(term->value), p);
        ex->sum += term->weight;
        if (m > 0 && !isinf(m) && !isnan(m))
            scaled += opmath_scaled_power(term->value, m, p);
    }
    ex->p = p;
    ex->divisor = divisor;
    ex->result = opmath_finish_norm(m, scaled, divisor, p);
}

static pv_status reduce_l2(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)cx, (void)err;
    reduce_norm(ex, 2, 1);
    return PV_OK;
}

/* x^e as PyTorch's pow with a scalar exponent computes it element by element:
 * 1 copies, 0.5 is sqrt, 2 and 3 are products in the tensor's type, 0 fills
 * ones, anything else is pow in double rounded to the type (its scalar loop;
 * its vectorized loop may round that last case differently by one ulp). */
static double torch_pow(double x, double e, bool single)
{
    if (e == 0)
        return 1;
    if (e == 1)
        return x;
    if (single) {
        float f = (float)x;
        if (e == 0.5)
            return sqrtf(f);
        if (e == 2)
            return f * f;
        if (e == 3)
            return f * f * f;
        return (float)pow(x, e);
    }
    if (e == 0.5)
        return sqrt(x);
    if (e == 2)
        return x * x;
    if (e == 3)
        return x * x * x;
    return pow(x, e);
}

/* The window size PyTorch's lp_pool2d multiplies by: KH*KW, or the plane. */
static double torch_lp_window(const pool_plan *plan)
{
    const pool_params *prm = &plan->params;
    return prm->global ? (double)plan->h * (double)plan->w
                       : (double)prm->kernel_h * (double)prm->kernel_w;
}

/* --lp-style torch: F.lp_pool2d(x, p, k, s, ceil_mode) step by step in the
 * input's float type: x.pow(p) (no abs), avg_pool2d's sum in row-major order
 * divided by the clipped window's size d, times KH*KW, then .pow(1/p).  A
 * partial ceil-mode window is so inflated by KH*KW/d (part[0]). */
static void reduce_lp_torch(const pool_region_ctx *cx, pool_explanation *ex)
{
    const double p = cx->plan->params.p;
    const bool single = cx->plan->dtype == TENSOR_F32;
    const double window = torch_lp_window(cx->plan);
    double sum = 0;
    float sum_f = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        pool_term *term = &ex->terms[t];
        if (term->kind != TAP_INPUT)
            continue;
        term->weight = torch_pow(term->value, p, single);
        sum += term->weight;
        sum_f += (float)term->weight;
    }
    const double count = (double)ex->input_count;
    double scaled;
    if (single) {
        float avg = sum_f / (float)count;
        scaled = avg * (float)window;
        ex->sum = sum_f;
    } else {
        scaled = sum / count * window;
        ex->sum = sum;
    }
    ex->p = p;
    ex->divisor = count;
    ex->lp_torch = true;
    ex->part[0] = window / count;
    ex->result = torch_pow(scaled, 1.0 / p, single);
}

static pv_status reduce_lp(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    if (cx->plan->params.lp_style == LP_STYLE_TORCH)
        reduce_lp_torch(cx, ex);
    else
        reduce_norm(ex, cx->plan->params.p, 1);
    return PV_OK;
}

static pv_status reduce_power(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    reduce_norm(ex, cx->plan->params.p, ex->divisor);
    return PV_OK;
}

/* --lp-style torch: "lp(torch) = (x^p + ...)^(1/p)", or for a partial
 * window "lp(torch) = ((x^p + ...) / d * KH*KW)^(1/p)". */
static void format_lp_torch(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    const bool partial = ex->part[0] != 1;
    pool_text_put(tb, "lp(torch) = (%s", partial ? "(" : "");
    pool_text_terms(tb, ex, " + ", TERMS_SIGNED_POWER, max_terms);
    if (partial) {
        pool_text_put(tb, ") / ");
        pool_text_number(tb, ex->divisor);
        pool_text_put(tb, " * ");
        pool_text_number(tb, ex->part[0] * ex->divisor);
    }
    pool_text_put(tb, ")^(1/");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, ") = ");
}

static void format_l2(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "l2 = sqrt(");
    pool_text_terms(tb, ex, " + ", TERMS_POWER, max_terms);
    pool_text_put(tb, ") = ");
}

/* lp and power: "name = (sum)^(1/p)" or "name = ((sum) / d)^(1/p)". */
static void format_norm(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    const char *name = pool_op_name(ex->op);
    const bool mean = ex->op != POOL_LP;
    if (ex->lp_torch) {
        format_lp_torch(ex, tb, max_terms);
        return;
    }
    if (isinf(ex->p)) {
        pool_text_put(tb, "%s(inf) = max(|", name);
        pool_text_terms(tb, ex, "|, |", TERMS_VALUE, max_terms);
        pool_text_put(tb, "|) = ");
        return;
    }
    pool_text_put(tb, "%s = (%s", name, mean ? "(" : "");
    pool_text_terms(tb, ex, " + ", TERMS_POWER, max_terms);
    if (mean) {
        pool_text_put(tb, ") / ");
        pool_text_number(tb, ex->divisor);
    }
    pool_text_put(tb, ")^(1/");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, ") = ");
}

/* ---- stochastic ---------------------------------------------------------- */

/* Train: the first value whose running sum passes u * sum, u drawn from the
 * seed and the output's index; eval: sum a^2 / sum a.  The weights are the
 * probabilities a / sum.  Eval and the weights work on a / m, m the
 * largest value, so that values near 1e200 (whose squares overflow) or
 * 1e308 (whose sum does) still give m * sum (a/m)^2 / sum (a/m). */
static pv_status reduce_stochastic(const pool_region_ctx *cx, pool_explanation *ex,
                                   pv_error *err)
{
    const pool_params *prm = &cx->plan->params;
    double total = 0, m = 0, scaled_total = 0, scaled_squares = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        const pool_term *term = &ex->terms[t];
        if (term->kind != TAP_INPUT)
            continue;
        if (!(term->value >= 0) || isinf(term->value)) {
            char v[32];
            pool_format_number(term->value, v, sizeof v);
            return pv_error_set(err, PV_ERR_DATA, "input",
                                "stochastic pooling needs finite non-negative values "
                                "(they become probabilities), found %s at row %ld, column %ld",
                                v, term->row, term->col);
        }
        total += term->value;
        m = term->value > m ? term->value : m;
    }
    for (size_t t = 0; m > 0 && t < ex->term_count; t++) {
        if (ex->terms[t].kind != TAP_INPUT)
            continue;
        const double r = ex->terms[t].value / m;
        scaled_total += r;
        scaled_squares += r * r;
    }
    ex->sum = total;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            ex->terms[t].weight = m > 0 ? ex->terms[t].value / m / scaled_total : 0;
    if (prm->mode == MODE_EVAL) {
        ex->eval = true;
        ex->result = m > 0 ? m * (scaled_squares / scaled_total) : 0;
        return PV_OK;
    }
    ex->draw = rng_uniform(prm->seed, RNG_STREAM_STOCHASTIC, cx->out_index);
    if (!(m > 0)) { /* all zero */
        ex->result = 0;
        return PV_OK;
    }
    const double target = ex->draw * scaled_total;
    double cumulative = 0;
    long chosen = -1;
    for (size_t t = 0; t < ex->term_count; t++) {
        if (ex->terms[t].kind != TAP_INPUT || ex->terms[t].value == 0)
            continue;
        chosen = (long)t;
        cumulative += ex->terms[t].value / m;
        if (cumulative > target)
            break;
    }
    assert(chosen >= 0); /* total > 0: some value is positive */
    ex->winner = chosen;
    ex->result = ex->terms[chosen].value;
    ex->index = term_index(cx, &ex->terms[chosen]);
    return PV_OK;
}

static void format_stochastic(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    if (ex->eval) {
        pool_text_put(tb, "sum(a^2)/sum(a) = (");
        pool_text_terms(tb, ex, " + ", TERMS_SQUARE, max_terms);
        pool_text_put(tb, ") / (");
        pool_text_terms(tb, ex, " + ", TERMS_VALUE, max_terms);
        /* an all-zero window: say that 0/0 is taken as 0 */
        pool_text_put(tb, ex->sum == 0 ? ") = 0/0, taken as " : ") = ");
    } else {
        pool_text_put(tb, "sample from ");
        pool_text_terms(tb, ex, ", ", TERMS_PROBABILITY, max_terms);
        pool_text_put(tb, " with u = ");
        pool_text_number(tb, ex->draw);
        pool_text_put(tb, " -> ");
    }
}

/* ---- bilinear -------------------------------------------------------------- */

/* The raw bilinear entry (1/HW) sum f_i f_j of sample n. */
static double bilinear_raw(const pool_plan *plan, const tensor *input, size_t n, size_t i,
                           size_t j)
{
    const size_t hw = plan->h * plan->w;
    const size_t bi = (n * plan->c + i) * hw, bj = (n * plan->c + j) * hw;
    double sum = 0;
    for (size_t k = 0; k < hw; k++)
        sum += tensor_get(input, bi + k) * tensor_get(input, bj + k);
    return sum / (double)hw;
}

static double signed_sqrt(double v)
{
    return v < 0 ? -sqrt(-v) : sqrt(v);
}

/* The terms are channel c's values; other is channel c2's at the same place. */
static pv_status reduce_bilinear(const pool_region_ctx *cx, pool_explanation *ex,
                                 pv_error *err)
{
    (void)err;
    const pool_plan *plan = cx->plan;
    const pool_region *rg = cx->region;
    const size_t hw = plan->h * plan->w;
    const size_t bj = (rg->n * plan->c + rg->c2) * hw;
    ex->sum = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        pool_term *term = &ex->terms[t];
        term->other =
            tensor_get(cx->input, bj + (size_t)term->row * plan->w + (size_t)term->col);
        term->weight = term->value * term->other;
        ex->sum += term->weight;
    }
    ex->divisor = (double)hw;
    ex->raw = ex->sum / ex->divisor;
    double v = plan->params.signed_sqrt ? signed_sqrt(ex->raw) : ex->raw;
    if (plan->params.l2_normalize) {
        double norm2 = 0;
        for (size_t i = 0; i < plan->c; i++)
            for (size_t j = 0; j < plan->c; j++) {
                double e = bilinear_raw(plan, cx->input, rg->n, i, j);
                if (plan->params.signed_sqrt)
                    e = signed_sqrt(e);
                norm2 += e * e;
            }
        ex->norm = sqrt(norm2);
        v = ex->norm > 0 ? v / ex->norm : 0;
    }
    ex->result = v;
    return PV_OK;
}

static void format_bilinear(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "(");
    pool_text_terms(tb, ex, " + ", TERMS_PRODUCT, max_terms);
    pool_text_put(tb, ") / ");
    pool_text_number(tb, ex->divisor);
    if (ex->raw != ex->result) {
        pool_text_put(tb, " = ");
        pool_text_number(tb, ex->raw);
        pool_text_put(tb, " ->");
    }
    pool_text_put(tb, " = ");
}

/* ---- softpool, lse ------------------------------------------------------- */

/* The largest input value (NaN if any is NaN, -inf for no input cell). */
static double input_max(const pool_explanation *ex)
{
    double m = -INFINITY;
    for (size_t t = 0; t < ex->term_count; t++) {
        if (ex->terms[t].kind != TAP_INPUT)
            continue;
        double v = ex->terms[t].value;
        if (isnan(v))
            return v;
        if (v > m)
            m = v;
    }
    return m;
}

/* e^{r (x - m)} of every input term into its weight; returns their sum.
 * m is finite here. */
static double exp_weights(pool_explanation *ex, double m, double r)
{
    double total = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        pool_term *term = &ex->terms[t];
        if (term->kind != TAP_INPUT)
            continue;
        term->weight = exp(r * (term->value - m));
        total += term->weight;
    }
    return total;
}

/* sum w_i x_i, w_i = e^{x_i} / sum_j e^{x_j}, computed with x - max.  An
 * infinite or NaN maximum is the value (the +inf cells take all the weight);
 * a region without input cells gives 0, an empty sum. */
static pv_status reduce_softpool(const pool_region_ctx *cx, pool_explanation *ex,
                                 pv_error *err)
{
    (void)cx, (void)err;
    const double m = input_max(ex);
    ex->sum = 0;
    if (ex->input_count == 0) {
        ex->result = 0;
        return PV_OK;
    }
    if (!isfinite(m)) {
        ex->result = m;
        return PV_OK;
    }
    const double total = exp_weights(ex, m, 1);
    double value = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        pool_term *term = &ex->terms[t];
        if (term->kind != TAP_INPUT)
            continue;
        term->weight /= total;
        value += term->weight * term->value;
    }
    ex->sum = total;
    ex->result = value;
    return PV_OK;
}

static void format_softpool(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "softpool = ");
    pool_text_terms(tb, ex, " + ", TERMS_WEIGHTED, max_terms);
    pool_text_put(tb, " = ");
}

static void detail_softpool(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "weights w = e^x / sum e^x (each e^(x - max) for safety):\n");
    pool_text_terms(tb, ex, ", ", TERMS_WEIGHT_OF, max_terms);
    pool_text_put(tb, "\nthe weights add up to 1; the largest value weighs most\n"
                      "softpool = sum w*x, between avg (all equal) and max (one weight 1)");
}

/* m + (1/r) ln(mean e^{r (x - m)}) over the input cells, m = their max. */
static pv_status reduce_lse(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    const double r = cx->plan->params.sharpness;
    const double m = input_max(ex);
    ex->p = r;
    ex->part[0] = m;
    if (ex->input_count == 0 || !isfinite(m)) {
        ex->result = m; /* NaN, +inf, or -inf (every cell -inf, or none) */
        return PV_OK;
    }
    ex->sum = exp_weights(ex, m, r);
    ex->divisor = (double)ex->input_count;
    double z = 0;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            z += expm1(r * (ex->terms[t].value - m));
    ex->result = opmath_lse_finish(m, r, z, ex->divisor);
    return PV_OK;
}

static void format_lse(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    (void)max_terms;
    pool_text_put(tb, "lse = ");
    pool_text_number(tb, ex->part[0]);
    pool_text_put(tb, " + ln(");
    pool_text_number(tb, ex->sum);
    pool_text_put(tb, " / ");
    pool_text_number(tb, ex->divisor);
    pool_text_put(tb, ") / ");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, " = ");
}

static void detail_lse(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "m = max = ");
    pool_text_number(tb, ex->part[0]);
    pool_text_put(tb, ", r = sharpness = ");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, "\ne^(r(x - m)): ");
    pool_text_terms(tb, ex, " + ", TERMS_WEIGHT_OF, max_terms);
    pool_text_put(tb, " = ");
    pool_text_number(tb, ex->sum);
    pool_text_put(tb, "\nsmall r: close to avg; large r: close to max");
}

/* ---- median -------------------------------------------------------------- */

typedef struct ranked {
    double value;
    size_t term;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term; /* ties: row-major order */
}

/* The lower middle of the sorted input values (torch.median); a NaN is the
 * value (the first in row-major order).  The winner is the cell at the
 * middle place of the cells sorted by value with ties in row-major order (a
 * stable sort): among equal values not always the first, so that the cell
 * the formula marks in the sorted window is the one reported, and the one
 * torch.median(dim) reports on CPU.  Each input term's `other` is its place
 * in the sorted order, for the formula. */
static pv_status reduce_median(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    const size_t n = ex->input_count;
    if (n == 0) {
        ex->result = NAN;
        ex->index = empty_window_index(cx);
        return PV_OK;
    }
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT && isnan(ex->terms[t].value)) {
            ex->winner = (long)t;
            ex->result = ex->terms[t].value;
            ex->index = term_index(cx, &ex->terms[t]);
            return PV_OK;
        }
    ranked *order = pv_malloc(n * sizeof *order);
    if (order == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot sort the region");
    size_t k = 0;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            order[k++] = (ranked){ex->terms[t].value, t};
    qsort(order, n, sizeof *order, by_value);
    for (k = 0; k < n; k++)
        ex->terms[order[k].term].other = (double)k;
    const size_t mid = order[(n - 1) / 2].term;
    pv_free(order);
    ex->winner = (long)mid;
    ex->divisor = (double)n;
    ex->result = ex->terms[mid].value;
    ex->index = term_index(cx, &ex->terms[mid]);
    return PV_OK;
}

static void format_median(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "median(");
    pool_text_terms(tb, ex, ", ", TERMS_VALUE, max_terms);
    pool_text_put(tb, ") = ");
}

/* The sorted window with the middle in brackets. */
static void detail_median(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    const size_t n = ex->input_count;
    if (n == 0 || ex->winner < 0 || isnan(ex->result)) {
        pool_text_put(tb, n == 0 ? "no input cell: no middle value"
                                 : "a NaN in the window: the median is NaN");
        return;
    }
    const size_t mid = (size_t)ex->terms[ex->winner].other;
    if (max_terms < 4)
        max_terms = 4;
    pool_text_put(tb, "sorted: ");
    for (size_t k = 0; k < n; k++) {
        /* show the ends and the middle, elide the rest */
        bool near_mid = k + max_terms / 4 >= mid && k <= mid + max_terms / 4;
        if (!(k < max_terms / 4 || k + max_terms / 4 >= n || near_mid)) {
            if (k == max_terms / 4 || k == mid + max_terms / 4 + 1)
                pool_text_put(tb, " ...");
            continue;
        }
        for (size_t t = 0; t < ex->term_count; t++)
            if (ex->terms[t].kind == TAP_INPUT && (size_t)ex->terms[t].other == k) {
                pool_text_put(tb, k == mid ? " [" : " ");
                pool_text_number(tb, ex->terms[t].value);
                pool_text_put(tb, k == mid ? "]" : "");
                break;
            }
    }
    pool_text_put(tb, "\n%zu values: the middle is number %zu%s", n, mid + 1,
                  n % 2 == 0 ? " (the lower of the two middles, as torch.median)" : "");
}

/* ---- mixed ---------------------------------------------------------------- */

/* alpha * max + (1 - alpha) * avg, avg with its divisor rules. */
static pv_status reduce_mixed(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    const double alpha = cx->plan->params.alpha;
    reduce_extreme(cx, ex, 1);
    const double max = ex->result;
    ex->sum = input_sum(ex);
    ex->p = alpha;
    ex->part[0] = max;
    ex->part[1] = ex->sum / ex->divisor;
    ex->result = alpha * ex->part[0] + (1 - alpha) * ex->part[1];
    ex->index = -1;
    return PV_OK;
}

static void format_mixed(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    (void)max_terms;
    pool_text_put(tb, "mixed = ");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, "*max + ");
    pool_text_number(tb, 1 - ex->p);
    pool_text_put(tb, "*avg = ");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, "*");
    pool_text_number(tb, ex->part[0]);
    pool_text_put(tb, " + ");
    pool_text_number(tb, 1 - ex->p);
    pool_text_put(tb, "*");
    pool_text_number(tb, ex->part[1]);
    pool_text_put(tb, " = ");
}

static void detail_mixed(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    pool_text_put(tb, "max part: ");
    pool_text_number(tb, ex->part[0]);
    pool_text_put(tb, "\navg part: (");
    pool_text_terms(tb, ex, " + ", TERMS_VALUE, max_terms);
    pool_text_put(tb, ") / ");
    pool_text_number(tb, ex->divisor);
    pool_text_put(tb, " = ");
    pool_text_number(tb, ex->part[1]);
    pool_text_put(tb, "\nalpha = ");
    pool_text_number(tb, ex->p);
    pool_text_put(tb, ": alpha 1 is max, alpha 0 is avg");
}

/* ---- maxblur ---------------------------------------------------------------- */

void pool_filter_weights(int f, double *weights)
{
    assert(f >= 1 && f <= POOL_FILTER_MAX);
    double c = 1, scale = ldexp(1, -(f - 1));
    for (int i = 0; i < f; i++) {
        weights[i] = c * scale;
        c = c * (f - 1 - i) / (i + 1);
    }
}

/* The max of first-stage window (mi, mj) of plane `base`: PyTorch's rule
 * (first maximum in row-major order, a NaN wins); *row, *col its cell. */
static double stage_max(const pool_plan *plan, const tensor *input, size_t base, long mi,
                        long mj, long *row, long *col)
{
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    double best = -INFINITY;
    *row = *col = -1;
    for (long u = 0; u < ra->stage_kernel; u++) {
        const long r = mi - ra->pad_before + u * ra->stage_step;
        if (r < 0 || r >= (long)plan->h)
            continue;
        for (long v = 0; v < ca->stage_kernel; v++) {
            const long c = mj - ca->pad_before + v * ca->stage_step;
            if (c < 0 || c >= (long)plan->w)
                continue;
            const double x = tensor_get(input, base + (size_t)r * plan->w + (size_t)c);
            if (*row < 0 || x > best || isnan(x)) {
                best = x;
                *row = r;
                *col = c;
            }
        }
    }
    return best;
}

/* Max k x k at stride 1, then the binomial blur at the stride over the
 * reflect-padded max values.  Every input term's weight becomes the
 * derivative of the value by it: the blur weights of the taps whose
 * window it wins (a cell may win several). */
static pv_status reduce_maxblur(const pool_region_ctx *cx, pool_explanation *ex, pv_error *err)
{
    (void)err;
    const pool_plan *plan = cx->plan;
    const pool_region *rg = cx->region;
    const pool_axis *ra = &plan->rows, *ca = &plan->cols;
    const int f = (int)ra->filter;
    const size_t base = (rg->n * plan->c + rg->c) * plan->h * plan->w;
    double w[POOL_FILTER_MAX];
    pool_filter_weights(f, w);
    const long tap_row = (long)rg->oy * ra->stride - ra->filter_before;
    const long tap_col = (long)rg->ox * ca->stride - ca->filter_before;
    const long first_row = ex->term_count > 0 ? ex->terms[0].row : 0;
    const long first_col = ex->term_count > 0 ? ex->terms[0].col : 0;
    const long term_cols =
        ex->term_count > 0 ? ex->terms[ex->term_count - 1].col - first_col + 1 : 0;
    for (size_t t = 0; t < ex->term_count; t++)
        ex->terms[t].weight = 0;
    double value = 0;
    ex->stage_count = 0;
    for (int i = 0; i < f; i++)
        for (int j = 0; j < f; j++) {
            pool_stage_value *sv = &ex->stage[ex->stage_count++];
            sv->tap_row = tap_row + i;
            sv->tap_col = tap_col + j;
            sv->row = pool_plan_reflect(sv->tap_row, ra->stage_len);
            sv->col = pool_plan_reflect(sv->tap_col, ca->stage_len);
            sv->win_row0 = sv->row - ra->pad_before;
            sv->win_col0 = sv->col - ca->pad_before;
            sv->win_row_step = ra->stage_step;
            sv->win_col_step = ca->stage_step;
            sv->win_rows = ra->stage_kernel;
            sv->win_cols = ca->stage_kernel;
            sv->value = stage_max(plan, cx->input, base, sv->row, sv->col, &sv->from_row,
                                  &sv->from_col);
            sv->weight = w[i] * w[j];
            value += sv->weight * sv->value;
            if (sv->from_row >= 0 && term_cols > 0) {
                size_t t = (size_t)((sv->from_row - first_row) * term_cols +
                                    (sv->from_col - first_col));
                assert(t < ex->term_count && ex->terms[t].row == sv->from_row &&
                       ex->terms[t].col == sv->from_col);
                ex->terms[t].weight += sv->weight;
            }
        }
    ex->divisor = ldexp(1, 2 * (f - 1));
    ex->p = f;
    ex->result = value;
    return PV_OK;
}

/* "maxblur = (1*6 + 2*7 + ...) / 16 = ": the blur over the max values,
 * the weights as whole numbers over their sum. */
static void format_maxblur(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    if (max_terms < 2)
        max_terms = 2;
    const size_t n = ex->stage_count, head = n > max_terms ? max_terms - max_terms / 2 : n;
    const size_t tail_from = n > max_terms ? n - max_terms / 2 : n;
    pool_text_put(tb, "%s = (", pool_op_name(ex->op));
    for (size_t k = 0; k < n; k++) {
        if (k >= head && k < tail_from) {
            if (k == head)
                pool_text_put(tb, " + ... (%zu more)", tail_from - head);
            continue;
        }
        pool_text_put(tb, k > 0 ? " + " : "");
        pool_text_number(tb, ex->stage[k].weight * ex->divisor);
        pool_text_put(tb, "*");
        pool_text_number(tb, ex->stage[k].value);
    }
    pool_text_put(tb, ") / ");
    pool_text_number(tb, ex->divisor);
    pool_text_put(tb, " = ");
}

/* The input values of first-stage window sv, from the gathered terms (a
 * box of whole rows, row-major). */
static void put_window(const pool_explanation *ex, const pool_stage_value *sv, pool_text *tb,
                       size_t max_terms)
{
    if (ex->term_count == 0)
        return;
    const pool_term *first = &ex->terms[0];
    const long cols = ex->terms[ex->term_count - 1].col - first->col + 1;
    size_t shown = 0;
    for (long i = 0; i < sv->win_rows; i++)
        for (long j = 0; j < sv->win_cols; j++) {
            const long r = sv->win_row0 + i * sv->win_row_step - first->row;
            const long c = sv->win_col0 + j * sv->win_col_step - first->col;
            if (r < 0 || c < 0 || c >= cols)
                continue;
            const size_t t = (size_t)(r * cols + c);
            if (t >= ex->term_count || ex->terms[t].kind != TAP_INPUT)
                continue;
            if (shown == max_terms) {
                pool_text_put(tb, ", ...");
                return;
            }
            pool_text_put(tb, shown++ ? ", " : "");
            pool_text_number(tb, ex->terms[t].value);
        }
}

/* The two stages: the middle tap's max window and value, the first-stage
 * values the filter reads (reflected past the edge), then the blur. */
static void detail_maxblur(const pool_explanation *ex, pool_text *tb, size_t max_terms)
{
    const int f = (int)ex->p;
    if (f < 1 || ex->stage_count != (size_t)f * (size_t)f)
        return;
    const pool_stage_value *mid = &ex->stage[(size_t)(f / 2) * (size_t)f + (size_t)(f / 2)];
    pool_text_put(tb, "max stage, %ldx%ld windows at stride 1: m[%ld,%ld] = max(", mid->win_rows,
                  mid->win_cols, mid->row, mid->col);
    put_window(ex, mid, tb, max_terms);
    pool_text_put(tb, ") = ");
    pool_text_number(tb, mid->value);
    bool reflected = false;
    for (size_t k = 0; k < ex->stage_count; k++)
        reflected = reflected || ex->stage[k].row != ex->stage[k].tap_row ||
                    ex->stage[k].col != ex->stage[k].tap_col;
    pool_text_put(tb, "\nm rows");
    for (int i = 0; i < f; i++)
        pool_text_put(tb, " %ld", ex->stage[(size_t)i * (size_t)f].row);
    pool_text_put(tb, " x cols");
    for (int j = 0; j < f; j++)
        pool_text_put(tb, " %ld", ex->stage[j].col);
    pool_text_put(tb, "%s:", reflected ? " (reflected past the edge)" : "");
    for (int i = 0; i < f; i++) {
        pool_text_put(tb, i ? " |" : "");
        for (int j = 0; j < f; j++) {
            pool_text_put(tb, " ");
            pool_text_number(tb, ex->stage[(size_t)i * (size_t)f + (size_t)j].value);
        }
    }
    double w[POOL_FILTER_MAX];
    pool_filter_weights(f, w);
    pool_text_put(tb, "\nblur: [");
    for (int i = 0; i < f; i++) {
        pool_text_put(tb, i ? " " : "");
        pool_text_number(tb, w[i] * ldexp(1, f - 1));
    }
    pool_text_put(tb, "]^T [");
    for (int i = 0; i < f; i++) {
        pool_text_put(tb, i ? " " : "");
        pool_text_number(tb, w[i] * ldexp(1, f - 1));
    }
    pool_text_put(tb, "] / ");
    pool_text_number(tb, ex->divisor);
    pool_text_put(tb, " times m, added up (the line above)");
}

/* Blur backward, then max backward: each term's weight is its derivative. */
static void backward_weights(const pool_explanation *ex, double dy, double *dx_terms)
{
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            dx_terms[t] += dy * ex->terms[t].weight;
}

/* ---- derivatives (the table's region_backward) ------------------------------ */

static void backward_winner(const pool_explanation *ex, double dy, double *dx_terms)
{
    if (ex->winner >= 0)
        dx_terms[ex->winner] += dy;
}

static void backward_mean(const pool_explanation *ex, double dy, double *dx_terms)
{
    const double share = ex->op == POOL_SUM ? dy : dy / ex->divisor;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            dx_terms[t] += share;
}

static double sign_of(double x)
{
    return x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x;
}

/* y = (sum |x|^p / D)^(1/p): dy/dx_i = sign(x_i) (|x_i| / y)^(p-1) / D. */
static void backward_norm(const pool_explanation *ex, double dy, double *dx_terms)
{
    const double p = ex->op == POOL_L2 ? 2 : ex->p;
    const double y = ex->result, divisor = ex->op == POOL_POWER ? ex->divisor : 1;
    if (isinf(p)) {
        long best = -1;
        double m = -1;
        for (size_t t = 0; t < ex->term_count; t++) {
            double a = fabs(ex->terms[t].value);
            if (ex->terms[t].kind == TAP_INPUT && (a > m || isnan(a))) {
                m = a;
                best = (long)t;
                if (isnan(a))
                    break;
            }
        }
        if (best >= 0)
            dx_terms[best] += dy * sign_of(ex->terms[best].value);
        return;
    }
    if (y == 0)
        return;
    if (ex->lp_torch) {
        /* d/dx of ((KH*KW / d) sum x^p)^(1/p): (KH*KW / d) (x / y)^(p-1), no abs */
        for (size_t t = 0; t < ex->term_count; t++) {
            const double x = ex->terms[t].value;
            if (ex->terms[t].kind != TAP_INPUT || (x == 0 && p > 1))
                continue;
            const double r = x / y;
            dx_terms[t] += dy * ex->part[0] * (p == 2 ? r : p == 1 ? 1 : pow(r, p - 1));
        }
        return;
    }
    for (size_t t = 0; t < ex->term_count; t++) {
        const double x = ex->terms[t].value;
        if (ex->terms[t].kind != TAP_INPUT || x == 0)
            continue;
        const double r = fabs(x) / y;
        const double d = p == 2 ? r : p == 1 ? 1 : pow(r, p - 1);
        dx_terms[t] += dy * sign_of(x) * d / divisor;
    }
}

/* Eval: dy/da_i = (2 a_i - y) / sum a = 2 w_i - sum_j w_j^2, with the
 * weights w = a / sum a the reducer computed on a / max a: the form that
 * stays finite where sum a overflows (values near 1e308), as the forward
 * does.  An all-zero window has no weights: no gradient. */
static void backward_stochastic(const pool_explanation *ex, double dy, double *dx_terms)
{
    if (!ex->eval) {
        backward_winner(ex, dy, dx_terms);
        return;
    }
    if (!(ex->sum > 0))
        return;
    double squares = 0;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            squares += ex->terms[t].weight * ex->terms[t].weight;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            dx_terms[t] += dy * (2 * ex->terms[t].weight - squares);
}

/* softpool: y = sum w_i x_i, w = softmax(x): dy/dx_i = w_i (1 + x_i - y).
 * A region whose maximum is not finite has no weights: no gradient. */
static void backward_softpool(const pool_explanation *ex, double dy, double *dx_terms)
{
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            dx_terms[t] += dy * ex->terms[t].weight * (1 + ex->terms[t].value - ex->result);
}

/* lse: dy/dx_i = e^{r(x_i - m)} / sum_j e^{r(x_j - m)}, the softmax of r x. */
static void backward_lse(const pool_explanation *ex, double dy, double *dx_terms)
{
    if (!(ex->sum > 0))
        return;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            dx_terms[t] += dy * ex->terms[t].weight / ex->sum;
}

/* mixed: alpha to the max's cell, (1 - alpha) / divisor to every input cell. */
static void backward_mixed(const pool_explanation *ex, double dy, double *dx_terms)
{
    if (ex->winner >= 0)
        dx_terms[ex->winner] += dy * ex->p;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            dx_terms[t] += dy * (1 - ex->p) / ex->divisor;
}

/* ---- code: PyTorch and TensorFlow equivalents (the table's code) ---------- */

#define TORCH_PLANE "dim=(2, 3), keepdim=True"
#define TF_PLANE "axis=[1, 2], keepdims=True"

/* A setting as Python reads it. */
typedef struct code_numbers {
    char p[40], alpha[40], r[40];
} code_numbers;

static code_numbers numbers_of(const pool_params *prm)
{
    code_numbers n;
    codegen_number(n.p, sizeof n.p, prm->p);
    codegen_number(n.alpha, sizeof n.alpha, prm->alpha);
    codegen_number(n.r, sizeof n.r, prm->sharpness);
    return n;
}

/* The windows of the operators PyTorch computes with avg_pool2d (avg, sum,
 * the norms, stochastic's evaluation): no dilation; poolviz's SAME average,
 * as TensorFlow's, divides by the input cells of each window, whatever
 * count_include_pad says, so in PyTorch a sum over the padded input divided
 * by the count of input cells (a padded ones).  False when the lines
 * written say all there is. */
typedef struct torch_sums {
    char args[256], extra[96], count[300];
    bool same_count;    /* divide by count, the SAME window's input cells */
} torch_sums;

static bool torch_sums_begin(const codegen_ctx *cx, torch_sums *s)
{
    const pool_params *p = cx->params;
    const codegen_window *w = cx->window;
    if (w->dh != 1 || w->dw != 1) {
        strbuf_append(cx->out, "# PyTorch's avg_pool2d and lp_pool2d have no dilation: no "
                               "direct equivalent\n");
        return false;
    }
    s->same_count = w->same && p->divisor == 0 && pool_op_uses(p->op, OP_USES_DIVISOR) &&
                    w->pads_known;
    if (s->same_count)
        strbuf_appendf(cx->out, "n = F.pad(torch.ones_like(x), (%ld, %ld, %ld, %ld))  "
                                "# 1 on the input cells: SAME counts only them\n",
                       w->pad_left, w->pad_right, w->pad_top, w->pad_bottom);
    if (!codegen_torch_same_padding(cx->out, w, "0.0"))
        return false;
    codegen_torch_window_args(w, false, s->args, sizeof s->args);
    s->count[0] = s->extra[0] = '\0';
    if (s->same_count)
        snprintf(s->count, sizeof s->count, "F.avg_pool2d(n, %s, divisor_override=1)", s->args);
    else if (!pool_op_uses(p->op, OP_USES_DIVISOR))
        snprintf(s->extra, sizeof s->extra, ", divisor_override=1");
    else if (p->divisor != 0)
        snprintf(s->extra, sizeof s->extra, ", divisor_override=%ld", p->divisor);
    else if (!p->count_include_pad)
        snprintf(s->extra, sizeof s->extra, ", count_include_pad=False");
    return true;
}

/* TensorFlow's window: "ksize=..., strides=..., padding=..." and KH*KW. */
typedef struct tf_window {
    char args[160], size[40];
} tf_window;

static tf_window tf_window_of(const codegen_window *w)
{
    tf_window t;
    char k[40], s[40];
    codegen_pair(k, sizeof k, w->kh, w->kw);
    codegen_pair(s, sizeof s, w->sh, w->sw);
    snprintf(t.size, sizeof t.size, "%d", w->kh * w->kw);
    snprintf(t.args, sizeof t.args, "ksize=%s, strides=%s, padding=\"%s\"", k, s,
             w->same ? "SAME" : "VALID");
    return t;
}

/* TensorFlow's avg_pool2d for avg, sum, the norms and stochastic: a
 * --divisor scales its average; its SAME average divides by the cells
 * inside, which only the operators with a divisor rule share.  False when
 * the lines written say all there is. */
static bool tf_sums_begin(const codegen_ctx *cx, const tf_window *tw)
{
    const pool_params *p = cx->params;
    const bool divides = pool_op_uses(p->op, OP_USES_DIVISOR);
    if (p->divisor != 0 && divides && !cx->window->same) {
        strbuf_appendf(cx->out, "y = tf.nn.avg_pool2d(x, %s) * %s / %ld\n", tw->args, tw->size,
                       p->divisor);
        return false;
    }
    if ((!divides && cx->window->same) || (divides && p->divisor != 0)) {
        strbuf_append(cx->out, "# TensorFlow: no equivalent (its SAME average divides by the "
                               "cells inside)\n");
        return false;
    }
    return true;
}

/* max, and min as the max of -x: the same calls with the signs, and
 * -inf or +inf as the value that never wins in same-padding */

static void torch_signed_max(const codegen_ctx *cx, const char *sign, const char *never)
{
    char args[256];
    if (!codegen_torch_same_padding(cx->out, cx->window, never))
        return;
    codegen_torch_window_args(cx->window, true, args, sizeof args);
    strbuf_appendf(cx->out, "y = %sF.max_pool2d(%sx, %s)\n", sign, sign, args);
}

static void torch_adaptive_signed_max(const codegen_ctx *cx, const char *sign)
{
    char out[40];
    codegen_pair(out, sizeof out, cx->params->adaptive_h, cx->params->adaptive_w);
    strbuf_appendf(cx->out, "y = %sF.adaptive_max_pool2d(%sx, %s)\n", sign, sign, out);
}

static void tf_signed_max(const codegen_ctx *cx, const char *sign)
{
    strbuf_appendf(cx->out, "y = %stf.nn.max_pool2d(%sx, %s)\n", sign, sign,
                   tf_window_of(cx->window).args);
}

static void torch_max(const codegen_ctx *cx)
{
    torch_signed_max(cx, "", "float('-inf')");
}

static void torch_global_max(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = x.amax(%s)\n", TORCH_PLANE);
}

static void torch_adaptive_max(const codegen_ctx *cx)
{
    torch_adaptive_signed_max(cx, "");
}

static void tf_max(const codegen_ctx *cx)
{
    tf_signed_max(cx, "");
}

static void tf_global_max(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = tf.reduce_max(x, %s)\n", TF_PLANE);
}

static void torch_min(const codegen_ctx *cx)
{
    torch_signed_max(cx, "-", "float('inf')");
}

static void torch_global_min(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = x.amin(%s)\n", TORCH_PLANE);
}

static void torch_adaptive_min(const codegen_ctx *cx)
{
    torch_adaptive_signed_max(cx, "-");
}

static void tf_min(const codegen_ctx *cx)
{
    tf_signed_max(cx, "-");
}

static void tf_global_min(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = tf.reduce_min(x, %s)\n", TF_PLANE);
}

/* avg */

static void torch_avg(const codegen_ctx *cx)
{
    torch_sums s;
    if (!torch_sums_begin(cx, &s))
        return;
    if (s.same_count)
        strbuf_appendf(cx->out, "y = F.avg_pool2d(x, %s, divisor_override=1) / %s\n", s.args,
                       s.count);
    else
        strbuf_appendf(cx->out, "y = F.avg_pool2d(x, %s%s)\n", s.args, s.extra);
}

static void torch_global_avg(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = x.mean(%s)\n", TORCH_PLANE);
}

static void torch_adaptive_avg(const codegen_ctx *cx)
{
    char out[40];
    codegen_pair(out, sizeof out, cx->params->adaptive_h, cx->params->adaptive_w);
    strbuf_appendf(cx->out, "y = F.adaptive_avg_pool2d(x, %s)\n", out);
}

static void tf_avg(const codegen_ctx *cx)
{
    const tf_window tw = tf_window_of(cx->window);
    if (tf_sums_begin(cx, &tw))
        strbuf_appendf(cx->out, "y = tf.nn.avg_pool2d(x, %s)\n", tw.args);
}

static void tf_global_avg(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = tf.reduce_mean(x, %s)\n", TF_PLANE);
}

/* sum */

static void torch_sum(const codegen_ctx *cx)
{
    torch_sums s;
    if (torch_sums_begin(cx, &s))
        strbuf_appendf(cx->out, "y = F.avg_pool2d(x, %s%s)  # a sum\n", s.args, s.extra);
}

static void torch_global_sum(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = x.sum(%s)\n", TORCH_PLANE);
}

static void tf_sum(const codegen_ctx *cx)
{
    const tf_window tw = tf_window_of(cx->window);
    if (tf_sums_begin(cx, &tw))
        strbuf_appendf(cx->out, "y = tf.nn.avg_pool2d(x, %s) * %s\n", tw.args, tw.size);
}

static void tf_global_sum(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = tf.reduce_sum(x, %s)\n", TF_PLANE);
}

/* l2 */

static void torch_l2(const codegen_ctx *cx)
{
    const codegen_window *w = cx->window;
    torch_sums s;
    if (!torch_sums_begin(cx, &s))
        return;
    if (!(w->ph || w->pw || w->same) && !w->ceil)
        strbuf_appendf(cx->out, "y = F.lp_pool2d(x, 2, %s)\n", s.args);
    else
        strbuf_appendf(cx->out, "y = F.avg_pool2d(x * x, %s%s).sqrt()\n", s.args, s.extra);
}

static void torch_global_l2(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = (x * x).sum(%s).sqrt()\n", TORCH_PLANE);
}

static void tf_l2(const codegen_ctx *cx)
{
    const tf_window tw = tf_window_of(cx->window);
    if (tf_sums_begin(cx, &tw))
        strbuf_appendf(cx->out, "y = tf.sqrt(tf.nn.avg_pool2d(tf.square(x), %s) * %s)\n",
                       tw.args, tw.size);
}

static void tf_global_l2(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "y = tf.sqrt(tf.reduce_sum(tf.square(x), %s))\n", TF_PLANE);
}

/* lp */

static void torch_lp(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const codegen_window *w = cx->window;
    const code_numbers n = numbers_of(p);
    torch_sums s;
    if (!torch_sums_begin(cx, &s))
        return;
    if (p->lp_style == LP_STYLE_TORCH)
        strbuf_appendf(cx->out, "y = F.lp_pool2d(x, %s, %s)  # --lp-style torch: no abs, a "
                                "partial ceil-mode window times KH*KW / its size\n", n.p, s.args);
    else if (isinf(p->p))
        strbuf_appendf(cx->out, "y = F.max_pool2d(x.abs(), %s)\n", s.args);
    else if (!(w->ph || w->pw || w->same) && !w->ceil)
        strbuf_appendf(cx->out, "y = F.lp_pool2d(x.abs(), %s, %s)  # abs: PyTorch's lp_pool2d "
                                "has none\n", n.p, s.args);
    else
        strbuf_appendf(cx->out, "y = F.avg_pool2d(x.abs() ** %s, %s%s) ** (1 / %s)\n", n.p,
                       s.args, s.extra, n.p);
}

static void torch_global_lp(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const code_numbers n = numbers_of(p);
    if (p->lp_style == LP_STYLE_TORCH)
        strbuf_appendf(cx->out, "y = F.lp_pool2d(x, %s, kernel_size=x.shape[2:])  "
                                "# --lp-style torch\n", n.p);
    else if (isinf(p->p))
        strbuf_appendf(cx->out, "y = x.abs().amax(%s)\n", TORCH_PLANE);
    else
        strbuf_appendf(cx->out, "y = (x.abs() ** %s).sum(%s) ** (1 / %s)\n", n.p, TORCH_PLANE,
                       n.p);
}

static void tf_lp(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const tf_window tw = tf_window_of(cx->window);
    const code_numbers n = numbers_of(p);
    if (!tf_sums_begin(cx, &tw))
        return;
    if (isinf(p->p))
        strbuf_appendf(cx->out, "y = tf.nn.max_pool2d(tf.abs(x), %s)\n", tw.args);
    else
        strbuf_appendf(cx->out, "y = tf.pow(tf.nn.avg_pool2d(tf.pow(%s, %s), %s) * %s, "
                                "1 / %s)\n", p->lp_style == LP_STYLE_TORCH ? "x" : "tf.abs(x)",
                       n.p, tw.args, tw.size, n.p);
}

/* lp sums the p-th powers, power averages them. */
static void tf_global_norm(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const code_numbers n = numbers_of(p);
    const bool lp = p->op == POOL_LP;
    if (isinf(p->p))
        strbuf_appendf(cx->out, "y = tf.reduce_max(tf.abs(x), %s)\n", TF_PLANE);
    else
        strbuf_appendf(cx->out, "y = tf.pow(tf.%s(tf.pow(%s, %s), %s), 1 / %s)\n",
                       lp ? "reduce_sum" : "reduce_mean",
                       lp && p->lp_style == LP_STYLE_TORCH ? "x" : "tf.abs(x)", n.p, TF_PLANE,
                       n.p);
}

/* power */

static void torch_power(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const code_numbers n = numbers_of(p);
    torch_sums s;
    if (!torch_sums_begin(cx, &s))
        return;
    if (isinf(p->p))
        strbuf_appendf(cx->out, "y = F.max_pool2d(x.abs(), %s)\n", s.args);
    else if (s.same_count)
        strbuf_appendf(cx->out, "y = (F.avg_pool2d(x.abs() ** %s, %s, divisor_override=1) / %s)"
                                " ** (1 / %s)\n", n.p, s.args, s.count, n.p);
    else
        strbuf_appendf(cx->out, "y = F.avg_pool2d(x.abs() ** %s, %s%s) ** (1 / %s)\n", n.p,
                       s.args, s.extra, n.p);
}

static void torch_global_power(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const code_numbers n = numbers_of(p);
    if (isinf(p->p))
        strbuf_appendf(cx->out, "y = x.abs().amax(%s)\n", TORCH_PLANE);
    else
        strbuf_appendf(cx->out, "y = (x.abs() ** %s).mean(%s) ** (1 / %s)\n", n.p, TORCH_PLANE,
                       n.p);
}

static void torch_adaptive_power(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const code_numbers n = numbers_of(p);
    char out[40];
    codegen_pair(out, sizeof out, p->adaptive_h, p->adaptive_w);
    if (isinf(p->p))
        strbuf_appendf(cx->out, "y = F.adaptive_max_pool2d(x.abs(), %s)\n", out);
    else
        strbuf_appendf(cx->out, "y = F.adaptive_avg_pool2d(x.abs() ** %s, %s) ** (1 / %s)\n",
                       n.p, out, n.p);
}

static void tf_power(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const tf_window tw = tf_window_of(cx->window);
    const code_numbers n = numbers_of(p);
    if (!tf_sums_begin(cx, &tw))
        return;
    if (isinf(p->p))
        strbuf_appendf(cx->out, "y = tf.nn.max_pool2d(tf.abs(x), %s)\n", tw.args);
    else
        strbuf_appendf(cx->out, "y = tf.pow(tf.nn.avg_pool2d(tf.pow(tf.abs(x), %s), %s), "
                                "1 / %s)\n", n.p, tw.args, n.p);
}

/* stochastic */

static void torch_stochastic(const codegen_ctx *cx)
{
    torch_sums s;
    if (!torch_sums_begin(cx, &s))
        return;
    if (cx->params->mode == MODE_EVAL)
        strbuf_appendf(cx->out, "y = (F.avg_pool2d(x * x, %s%s) / F.avg_pool2d(x, %s%s))"
                                ".nan_to_num()\n", s.args, s.extra, s.args, s.extra);
    else
        strbuf_append(cx->out, "# PyTorch has no stochastic pooling (eval mode has a formula: "
                               "set mode eval)\n");
}

static void torch_global_stochastic(const codegen_ctx *cx)
{
    if (cx->params->mode == MODE_EVAL)
        strbuf_appendf(cx->out, "y = ((x * x).sum(%s) / x.sum(%s)).nan_to_num()\n",
                       TORCH_PLANE, TORCH_PLANE);
    else
        strbuf_append(cx->out, "# PyTorch has no stochastic pooling\n");
}

static void tf_stochastic(const codegen_ctx *cx)
{
    const tf_window tw = tf_window_of(cx->window);
    if (!tf_sums_begin(cx, &tw))
        return;
    if (cx->params->mode == MODE_EVAL)
        strbuf_appendf(cx->out, "y = tf.math.divide_no_nan(tf.nn.avg_pool2d(x * x, %s), "
                                "tf.nn.avg_pool2d(x, %s))\n", tw.args, tw.args);
    else
        strbuf_append(cx->out, "# TensorFlow has no stochastic pooling\n");
}

static void tf_global_stochastic(const codegen_ctx *cx)
{
    if (cx->params->mode == MODE_EVAL)
        strbuf_appendf(cx->out, "y = tf.math.divide_no_nan(tf.reduce_sum(x * x, %s), "
                                "tf.reduce_sum(x, %s))\n", TF_PLANE, TF_PLANE);
    else
        strbuf_append(cx->out, "# TensorFlow has no stochastic pooling\n");
}

/* fractional */

static void torch_fractional(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    if (p->fractional_style == FRACTIONAL_GRAHAM) {
        strbuf_append(cx->out, "# PyTorch: fractional_max_pool2d has fixed windows (torch "
                               "style)\n");
        return;
    }
    char k[40], size[128];
    codegen_pair(k, sizeof k, p->kernel_h, p->kernel_w);
    if (p->output_h > 0) {
        char o[40];
        codegen_pair(o, sizeof o, p->output_h, p->output_w);
        snprintf(size, sizeof size, "output_size=%s", o);
    } else if (cx->plan != NULL) {
        char o[40];
        codegen_pair(o, sizeof o, (long)cx->plan->rows.out, (long)cx->plan->cols.out);
        snprintf(size, sizeof size, "output_size=%s", o);
    } else {
        char rh[40], rw[40];
        codegen_number(rh, sizeof rh, p->ratio_h > 0 ? 1 / p->ratio_h : 1 / sqrt(2.0));
        codegen_number(rw, sizeof rw, p->ratio_w > 0 ? 1 / p->ratio_w : 1 / sqrt(2.0));
        snprintf(size, sizeof size, "output_ratio=(%s, %s)", rh, rw);
    }
    if (p->samples_given) {
        char uw[40], uh[40];
        codegen_number(uw, sizeof uw, p->sample_w);
        codegen_number(uh, sizeof uh, p->sample_h);
        strbuf_appendf(cx->out, "u = torch.tensor([%s, %s]).expand(x.shape[0], x.shape[1], 2)\n"
                                "y = F.fractional_max_pool2d(x, %s, %s, _random_samples=u)\n",
                       uw, uh, k, size);
    } else if (p->samples != NULL) {
        strbuf_appendf(cx->out, "y = F.fractional_max_pool2d(x, %s, %s, _random_samples=u)"
                                "  # u: the samples file\n", k, size);
    } else {
        strbuf_appendf(cx->out, "y = F.fractional_max_pool2d(x, %s, %s)\n"
                                "# PyTorch draws its own samples; set samples UW,UH to get "
                                "the same windows\n", k, size);
    }
}

/* TensorFlow's fractional_max_pool draws the paper's regions from a ratio. */
static void tf_fractional(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    if (p->fractional_style != FRACTIONAL_GRAHAM) {
        strbuf_append(cx->out, "# TensorFlow: fractional_max_pool draws the paper's regions "
                               "(graham style)\n");
        return;
    }
    strbuf_append(cx->out, cx->tf_input);
    if (p->output_h > 0 && cx->plan == NULL) {
        strbuf_append(cx->out, "# TensorFlow takes a ratio (input/output); `code NAME` works "
                               "it out for a matrix\n");
        return;
    }
    double ratio_h = p->ratio_h > 0 ? p->ratio_h : sqrt(2.0);
    double ratio_w = p->ratio_w > 0 ? p->ratio_w : sqrt(2.0);
    if (p->output_h > 0) {
        ratio_h = (double)cx->plan->h / p->output_h;
        ratio_w = (double)cx->plan->w / p->output_w;
    }
    char rh[40], rw[40];
    codegen_number(rh, sizeof rh, ratio_h);
    codegen_number(rw, sizeof rw, ratio_w);
    strbuf_appendf(cx->out, "y, rows, cols = tf.nn.fractional_max_pool(\n"
                            "    x, [1.0, %s, %s, 1.0], pseudo_random=%s, overlapping=%s, "
                            "seed=%llu)\n"
                            "# TensorFlow draws its regions its own way: the sizes agree, "
                            "the places may not\n",
                   rh, rw, p->pseudo_random ? "True" : "False",
                   p->overlapping ? "True" : "False", (unsigned long long)p->seed);
}

/* spp */

static void torch_spp(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    strbuf_append(cx->out, "y = torch.cat([F.adaptive_max_pool2d(x, n).flatten(1)\n"
                           "               for n in (");
    for (int i = 0; i < p->level_count; i++)
        strbuf_appendf(cx->out, "%s%d", i ? ", " : "", p->levels[i]);
    strbuf_append(cx->out, p->level_count == 1 ? ",)], dim=1)\n" : ")], dim=1)\n");
}

static void tf_spp(const codegen_ctx *cx)
{
    strbuf_append(cx->out, "# TensorFlow has no adaptive pooling, so no spatial pyramid "
                           "pooling\n");
}

/* bilinear */

static void torch_bilinear(const codegen_ctx *cx)
{
    strbuf_append(cx->out, "f = x.flatten(2)                        # N x C x HW\n"
                           "y = f @ f.transpose(1, 2) / f.shape[2]  # N x C x C\n");
    if (cx->params->signed_sqrt)
        strbuf_append(cx->out, "y = y.sign() * y.abs().sqrt()\n");
    if (cx->params->l2_normalize)
        strbuf_append(cx->out, "y = F.normalize(y.flatten(1), dim=1).view_as(y)\n");
}

static void tf_bilinear(const codegen_ctx *cx)
{
    strbuf_append(cx->out, cx->tf_input);
    strbuf_append(cx->out, "hw = tf.cast(tf.shape(x)[1] * tf.shape(x)[2], x.dtype)\n"
                           "y = tf.einsum('nhwc,nhwd->ncd', x, x) / hw\n");
    if (cx->params->signed_sqrt)
        strbuf_append(cx->out, "y = tf.sign(y) * tf.sqrt(tf.abs(y))\n");
    if (cx->params->l2_normalize)
        strbuf_append(cx->out, "y = tf.reshape(tf.math.l2_normalize(tf.reshape(y, "
                               "[tf.shape(y)[0], -1]), axis=1), tf.shape(y))\n");
}

/* softpool, lse and median have no PyTorch builtin: their definitions over
 * F.unfold's windows, which take neither SAME padding nor ceil mode. */

static bool torch_unfold_refuses(const codegen_ctx *cx)
{
    if (!cx->window->same && !cx->window->ceil)
        return false;
    strbuf_appendf(cx->out, "# PyTorch has no %s pooling; its definition over F.unfold "
                            "needs explicit padding and no ceil mode\n",
                   pool_op_name(cx->params->op));
    return true;
}

/* u: N x C x taps x windows; with padding, inside marks the taps on input
 * cells.  Returns whether the window is padded. */
static bool torch_unfold(const codegen_ctx *cx)
{
    const codegen_window *w = cx->window;
    const bool padded = w->ph || w->pw;
    strbuf_appendf(cx->out, "K, S, P, D = (%d, %d), (%d, %d), (%d, %d), (%d, %d)\n"
                            "n, c, h, w = x.shape\n"
                            "oh = (h + 2 * P[0] - D[0] * (K[0] - 1) - 1) // S[0] + 1\n"
                            "ow = (w + 2 * P[1] - D[1] * (K[1] - 1) - 1) // S[1] + 1\n"
                            "u = F.unfold(x, K, dilation=D, padding=P, stride=S).view(n, c, -1, oh * ow)\n",
                   w->kh, w->kw, w->sh, w->sw, w->ph, w->pw, w->dh, w->dw);
    if (padded)
        strbuf_append(cx->out, "inside = F.unfold(torch.ones_like(x[:, :1]), K, dilation=D, "
                               "padding=P, stride=S).view(1, 1, -1, oh * ow) > 0  # not padding\n");
    return padded;
}

/* softpool */

static void torch_softpool(const codegen_ctx *cx)
{
    if (torch_unfold_refuses(cx))
        return;
    const bool padded = torch_unfold(cx);
    strbuf_append(cx->out, "# SoftPool has no PyTorch builtin; softmax weights over each window\n");
    if (padded)
        strbuf_append(cx->out, "u = u.masked_fill(~inside, float('-inf'))\n");
    strbuf_append(cx->out, "y = (u.softmax(2) * u.nan_to_num(neginf=0.0)).sum(2).view(n, c, oh, ow)\n");
}

static void torch_global_softpool(const codegen_ctx *cx)
{
    strbuf_append(cx->out, "f = x.flatten(2)\n"
                           "y = (f.softmax(2) * f).sum(2)[..., None, None]  # SoftPool: no builtin\n");
}

/* lse */

static void torch_lse(const codegen_ctx *cx)
{
    const code_numbers n = numbers_of(cx->params);
    if (torch_unfold_refuses(cx))
        return;
    const bool padded = torch_unfold(cx);
    strbuf_append(cx->out, "# log-sum-exp pooling has no PyTorch builtin\n");
    if (padded)
        strbuf_appendf(cx->out, "u = u.masked_fill(~inside, float('-inf'))\n"
                                "y = ((torch.logsumexp(%s * u, 2) - inside.sum(2).to(u.dtype).log()) / %s)"
                                ".view(n, c, oh, ow)\n", n.r, n.r);
    else
        strbuf_appendf(cx->out, "y = ((torch.logsumexp(%s * u, 2) - math.log(u.shape[2])) / %s)"
                                ".view(n, c, oh, ow)  # import math\n", n.r, n.r);
}

static void torch_global_lse(const codegen_ctx *cx)
{
    const code_numbers n = numbers_of(cx->params);
    strbuf_appendf(cx->out, "f = x.flatten(2)\n"
                            "y = ((torch.logsumexp(%s * f, 2) - math.log(f.shape[2])) / %s)"
                            "[..., None, None]  # import math\n", n.r, n.r);
}

static void tf_global_lse(const codegen_ctx *cx)
{
    const code_numbers n = numbers_of(cx->params);
    strbuf_appendf(cx->out, "n = tf.cast(tf.shape(x)[1] * tf.shape(x)[2], x.dtype)\n"
                            "y = (tf.reduce_logsumexp(%s * x, %s) - tf.math.log(n)) / %s\n",
                   n.r, TF_PLANE, n.r);
}

/* median */

static void torch_median(const codegen_ctx *cx)
{
    if (torch_unfold_refuses(cx))
        return;
    if (torch_unfold(cx))
        strbuf_append(cx->out, "# nanmedian skips the padding (and a NaN of x, which poolviz "
                               "propagates)\n"
                               "y = u.masked_fill(~inside, float('nan')).nanmedian(2).values"
                               ".view(n, c, oh, ow)\n");
    else
        strbuf_append(cx->out, "y = u.median(2).values.view(n, c, oh, ow)  # the lower middle\n"
                               "# timm's MedianPool2d gives these numbers without padding (it "
                               "pads by reflection)\n");
}

static void torch_global_median(const codegen_ctx *cx)
{
    strbuf_append(cx->out, "y = x.flatten(2).median(2).values[..., None, None]\n");
}

/* mixed: max_pool2d and avg_pool2d, weighted */

static void torch_mixed(const codegen_ctx *cx)
{
    const pool_params *p = cx->params;
    const codegen_window *w = cx->window;
    const code_numbers n = numbers_of(p);
    if (torch_unfold_refuses(cx))
        return;
    char args_max[256], args_avg[256], extra[96] = "";
    codegen_torch_window_args(w, true, args_max, sizeof args_max);
    codegen_torch_window_args(w, false, args_avg, sizeof args_avg);
    if (w->dh != 1 || w->dw != 1) {
        strbuf_append(cx->out, "# PyTorch's avg_pool2d has no dilation: no direct "
                               "equivalent\n");
        return;
    }
    if (p->divisor != 0)
        snprintf(extra, sizeof extra, ", divisor_override=%ld", p->divisor);
    else if (!p->count_include_pad)
        snprintf(extra, sizeof extra, ", count_include_pad=False");
    strbuf_appendf(cx->out, "# mixed pooling has no builtin: alpha*max + (1 - alpha)*avg\n"
                            "y = %s * F.max_pool2d(x, %s) + (1 - %s) * F.avg_pool2d(x, %s%s)\n",
                   n.alpha, args_max, n.alpha, args_avg, extra);
}

static void torch_global_mixed(const codegen_ctx *cx)
{
    const code_numbers n = numbers_of(cx->params);
    strbuf_appendf(cx->out, "y = %s * x.amax(%s) + (1 - %s) * x.mean(%s)\n", n.alpha,
                   TORCH_PLANE, n.alpha, TORCH_PLANE);
}

static void torch_adaptive_mixed(const codegen_ctx *cx)
{
    const code_numbers n = numbers_of(cx->params);
    char out[40];
    codegen_pair(out, sizeof out, cx->params->adaptive_h, cx->params->adaptive_w);
    strbuf_appendf(cx->out, "y = %s * F.adaptive_max_pool2d(x, %s) + (1 - %s) * "
                            "F.adaptive_avg_pool2d(x, %s)\n", n.alpha, out, n.alpha, out);
}

static void tf_global_mixed(const codegen_ctx *cx)
{
    const code_numbers n = numbers_of(cx->params);
    strbuf_appendf(cx->out, "y = %s * tf.reduce_max(x, %s) + (1 - %s) * tf.reduce_mean(x, %s)\n",
                   n.alpha, TF_PLANE, n.alpha, TF_PLANE);
}

/* maxblur is written out from its definition: max_pool2d at stride 1, the
 * reflect padding, and the binomial filter as a depthwise conv2d. */
static void torch_maxblur(const codegen_ctx *cx)
{
    const codegen_window *w = cx->window;
    if (!codegen_torch_same_padding(cx->out, w, "float('-inf')"))
        return;
    codegen_window first = *w;
    first.sh = first.sw = 1;
    first.ceil = false;
    char args[256], s[40], coef[64] = "";
    codegen_torch_window_args(&first, true, args, sizeof args);
    codegen_pair(s, sizeof s, w->sh, w->sw);
    const int f = cx->params->filter;
    double weights[POOL_FILTER_MAX];
    pool_filter_weights(f, weights);
    for (int i = 0, used = 0; i < f && used < (int)sizeof coef; i++)
        used += snprintf(coef + used, sizeof coef - (size_t)used, "%s%g.", i ? ", " : "",
                         ldexp(weights[i], f - 1));
    const int before = (f - 1) / 2, after = f - 1 - before;
    strbuf_appendf(cx->out, "# anti-aliased max pooling (Zhang 2019): max at stride 1, then a "
                            "binomial blur at the stride\n"
                            "m = F.max_pool2d(x, %s)\n"
                            "a = torch.tensor([%s], dtype=m.dtype)\n"
                            "g = (a[:, None] * a[None, :] / a.sum() ** 2).expand(m.shape[1], 1, %d, %d)\n"
                            "y = F.conv2d(F.pad(m, (%d, %d, %d, %d), mode='reflect'), g, stride=%s, "
                            "groups=m.shape[1])\n",
                   args, coef, f, f, before, after, before, after, s);
    if (!w->same && !w->ph && !w->pw && w->dh == 1 && w->dw == 1) {
        char k[40];
        codegen_pair(k, sizeof k, w->kh, w->kw);
        strbuf_appendf(cx->out, "# the same numbers: nn.Sequential(nn.MaxPool2d(%s, stride=1), "
                                "antialiased_cnns.BlurPool(C, filt_size=%d, stride=%s))\n",
                       k, f, s);
    }
    strbuf_append(cx->out, "# kornia.filters.max_blur_pool2d pads its blur with zeros, not by "
                           "reflection: its edge values differ\n");
}

/* Neither a global nor an adaptive form: the blur runs over a max pool at stride 1. */
static void torch_global_maxblur(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "# %s has no global form: its blur runs over a max pool taken at "
                            "stride 1\n", pool_op_name(cx->params->op));
}

static void torch_adaptive_maxblur(const codegen_ctx *cx)
{
    strbuf_appendf(cx->out, "# %s has no adaptive form: its blur runs over a max pool taken "
                            "at stride 1\n", pool_op_name(cx->params->op));
}

/* ---- words for students: typical wrong values (the table's mistakes) ------ */

static void mistake(const pool_mistake_sink *sink, double value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void mistake(const pool_mistake_sink *sink, double value, const char *fmt, ...)
{
    char note[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, sizeof note, fmt, ap);
    va_end(ap);
    sink->add(sink->ctx, value, note);
}

/* The value of the same cell with one setting changed (sink->alternative). */
static bool alternative(const pool_mistake_sink *sink, const char *key, const char *value,
                        double *out)
{
    return sink->alternative(sink->ctx, key, value, out);
}

static const char *num(double v, char *buf, size_t size)
{
    pool_format_number(v, buf, size);
    return buf;
}

/* The smallest, the largest and the sum of the input values. */
typedef struct region_summary {
    double lo, hi, total;
} region_summary;

static region_summary summary_of(const pool_explanation *ex)
{
    region_summary s = {INFINITY, -INFINITY, 0};
    for (size_t t = 0; t < ex->term_count; t++) {
        if (ex->terms[t].kind != TAP_INPUT)
            continue;
        double v = ex->terms[t].value;
        s.lo = fmin(s.lo, v);
        s.hi = fmax(s.hi, v);
        s.total += v;
    }
    return s;
}

static void mistakes_max(const pool_plan *plan, const pool_explanation *ex,
                         const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40];
    const region_summary s = summary_of(ex);
    mistake(sink, s.lo, "%s is the smallest value of the region; max pooling keeps the largest",
            num(s.lo, n1, sizeof n1));
}

static void mistakes_min(const pool_plan *plan, const pool_explanation *ex,
                         const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40];
    const region_summary s = summary_of(ex);
    mistake(sink, s.hi, "%s is the largest value of the region; min pooling keeps the smallest",
            num(s.hi, n1, sizeof n1));
}

static void mistakes_avg(const pool_plan *plan, const pool_explanation *ex,
                         const pool_mistake_sink *sink)
{
    char n1[40], n2[40];
    const pool_params *prm = &plan->params;
    const region_summary s = summary_of(ex);
    double alt;
    mistake(sink, s.total, "%s is the sum; the average divides it by %s",
            num(s.total, n1, sizeof n1), num(ex->divisor, n2, sizeof n2));
    if (ex->input_count > 0 && (double)ex->input_count != ex->divisor)
        mistake(sink, s.total / (double)ex->input_count,
                "that divides by the %zu cells inside the input; here the divisor is %s (%s)",
                ex->input_count, num(ex->divisor, n1, sizeof n1),
                prm->divisor ? "--divisor"
                : prm->count_include_pad ? "PyTorch counts the padding cells by default"
                                         : "the window clipped to the padded input");
    if (prm->count_include_pad && alternative(sink, "count-include-pad", "false", &alt))
        mistake(sink, alt, "that leaves the padding out of the divisor; by default "
                           "(count_include_pad) the padding cells count");
    if (!prm->count_include_pad && alternative(sink, "count-include-pad", "true", &alt))
        mistake(sink, alt, "that counts the padding cells; with no-count-include-pad only "
                           "cells inside the input count");
}

static void mistakes_sum(const pool_plan *plan, const pool_explanation *ex,
                         const pool_mistake_sink *sink)
{
    (void)plan;
    const region_summary s = summary_of(ex);
    if (ex->input_count > 0)
        mistake(sink, s.total / (double)ex->input_count,
                "that is the average; sum pooling does not divide");
}

static void mistakes_l2(const pool_plan *plan, const pool_explanation *ex,
                        const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40];
    mistake(sink, ex->sum, "%s is the sum of the squares; L2 pooling takes its square root",
            num(ex->sum, n1, sizeof n1));
}

static void mistakes_lp(const pool_plan *plan, const pool_explanation *ex,
                        const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40];
    double alt;
    if (alternative(sink, "op", pool_op_name(POOL_POWER), &alt))
        mistake(sink, alt, "that divides by the number of cells: it is the power average; Lp "
                           "pooling takes the p-th root of the plain sum");
    if (!isinf(ex->p))
        mistake(sink, ex->sum, "%s is the sum of the p-th powers; take its p-th root too",
                num(ex->sum, n1, sizeof n1));
}

static void mistakes_power(const pool_plan *plan, const pool_explanation *ex,
                           const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40];
    double alt;
    if (alternative(sink, "op", pool_op_name(POOL_LP), &alt))
        mistake(sink, alt, "that is the Lp norm (no division); the power average divides the "
                           "sum of p-th powers by %s first", num(ex->divisor, n1, sizeof n1));
}

static void mistakes_stochastic(const pool_plan *plan, const pool_explanation *ex,
                                const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40], n2[40];
    const region_summary s = summary_of(ex);
    double alt;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            mistake(sink, ex->terms[t].weight,
                    "%s is the probability of drawing %s; stochastic pooling outputs an "
                    "activation, never a probability",
                    num(ex->terms[t].weight, n1, sizeof n1),
                    num(ex->terms[t].value, n2, sizeof n2));
    if (ex->eval && ex->input_count > 0)
        mistake(sink, s.total / (double)ex->input_count,
                "that is the plain average; at evaluation each activation is weighted by its "
                "probability a_i / sum(a)");
    if (!ex->eval && alternative(sink, "mode", "eval", &alt))
        mistake(sink, alt, "that is the evaluation value (the probability-weighted average); "
                           "in training one activation is drawn");
}

static void mistakes_bilinear(const pool_plan *plan, const pool_explanation *ex,
                              const pool_mistake_sink *sink)
{
    (void)plan;
    char n1[40];
    mistake(sink, ex->sum, "that is the sum over the locations; bilinear pooling averages it "
                           "(divide by %s)", num(ex->divisor, n1, sizeof n1));
}

/* softpool and lse: between the average and the maximum. */
static void mistakes_between(const pool_plan *plan, const pool_explanation *ex,
                             const pool_mistake_sink *sink)
{
    const region_summary s = summary_of(ex);
    const char *name = pool_op_name(plan->params.op);
    if (ex->input_count > 0)
        mistake(sink, s.total / (double)ex->input_count,
                "that is the plain average; %s leans toward the largest values", name);
    mistake(sink, s.hi, "that is the maximum; %s also counts the other values", name);
}

static void mistakes_median(const pool_plan *plan, const pool_explanation *ex,
                            const pool_mistake_sink *sink)
{
    (void)plan;
    const region_summary s = summary_of(ex);
    if (ex->input_count > 0)
        mistake(sink, s.total / (double)ex->input_count,
                "that is the average; the median is the middle of the sorted values");
    if (ex->input_count % 2 == 0)
        for (size_t t = 0; t < ex->term_count; t++)
            if (ex->terms[t].kind == TAP_INPUT &&
                (size_t)ex->terms[t].other == ex->input_count / 2)
                mistake(sink, ex->terms[t].value,
                        "that is the upper of the two middle values; the median here (as "
                        "torch.median) is the lower one");
}

static void mistakes_mixed(const pool_plan *plan, const pool_explanation *ex,
                           const pool_mistake_sink *sink)
{
    (void)plan;
    mistake(sink, ex->part[0], "that is the max part alone; mixed pooling adds alpha * max and "
                               "(1 - alpha) * avg");
    mistake(sink, ex->part[1], "that is the avg part alone; mixed pooling adds alpha * max and "
                               "(1 - alpha) * avg");
}

static void mistakes_maxblur(const pool_plan *plan, const pool_explanation *ex,
                             const pool_mistake_sink *sink)
{
    (void)plan;
    const region_summary s = summary_of(ex);
    double alt;
    mistake(sink, s.hi, "that is the largest value of the whole region; the blur then "
                        "averages the max-pooled values around it");
    if (alternative(sink, "op", pool_op_name(POOL_MAX), &alt))
        mistake(sink, alt, "that is plain max pooling at the stride; maxblur takes the max at "
                           "stride 1 and blurs before it subsamples");
    if (ex->stage_count > 0)
        mistake(sink, ex->stage[ex->stage_count / 2].value,
                "that is the max stage's value under the middle of the filter alone; the blur "
                "weighs its neighbours in too");
}

/* ---- the table ------------------------------------------------------------ */

static const pool_op_info op_table[POOL_OP_COUNT] = {
    [POOL_MAX] = {
        .op = POOL_MAX, .name = "max", .aliases = {"maximum"},
        .help = "the largest value of the region",
        .words = "max pooling",
        .family = OP_FAMILY_WINDOWED, .settings = 0,
        .has_indices = true, .keeps_range = true,
        .layout = FORMULA_LAYOUT_EXTREME, .reduce = reduce_max, .format = format_extreme,
        .region_backward = backward_winner,
        .kernel = OP_KERNEL_EXTREME,
        .mistakes = mistakes_max,
        .code = {.torch = torch_max, .torch_global = torch_global_max,
                 .torch_adaptive = torch_adaptive_max, .tf = tf_max, .tf_global = tf_global_max},
    },
    [POOL_MIN] = {
        .op = POOL_MIN, .name = "min", .aliases = {"minimum"},
        .help = "the smallest value of the region",
        .words = "min pooling",
        .family = OP_FAMILY_WINDOWED, .settings = 0,
        .has_indices = true, .keeps_range = true,
        .layout = FORMULA_LAYOUT_EXTREME, .reduce = reduce_min, .format = format_extreme,
        .region_backward = backward_winner,
        .kernel = OP_KERNEL_EXTREME,
        .mistakes = mistakes_min,
        .code = {.torch = torch_min, .torch_global = torch_global_min,
                 .torch_adaptive = torch_adaptive_min, .tf = tf_min, .tf_global = tf_global_min},
    },
    [POOL_AVG] = {
        .op = POOL_AVG, .name = "avg", .aliases = {"average", "mean"},
        .help = "sum of the region / divisor (PyTorch's divisor rule)",
        .words = "average pooling",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_DIVISOR,
        .has_indices = false, .keeps_range = true,
        .layout = FORMULA_LAYOUT_SUM, .reduce = reduce_avg, .format = format_avg,
        .region_backward = backward_mean,
        .kernel = OP_KERNEL_SUMS,
        .mistakes = mistakes_avg,
        .code = {.torch = torch_avg, .torch_global = torch_global_avg,
                 .torch_adaptive = torch_adaptive_avg, .tf = tf_avg, .tf_global = tf_global_avg},
    },
    [POOL_SUM] = {
        .op = POOL_SUM, .name = "sum", .aliases = {NULL},
        .help = "sum of the region (padding adds 0)",
        .words = "sum pooling",
        .family = OP_FAMILY_WINDOWED, .settings = 0,
        .has_indices = false, .keeps_range = false,
        .layout = FORMULA_LAYOUT_SUM, .reduce = reduce_sum, .format = format_sum,
        .region_backward = backward_mean,
        .kernel = OP_KERNEL_SUMS,
        .mistakes = mistakes_sum,
        .code = {.torch = torch_sum, .torch_global = torch_global_sum, .tf = tf_sum,
                 .tf_global = tf_global_sum},
    },
    [POOL_L2] = {
        .op = POOL_L2, .name = "l2", .aliases = {"l2norm"},
        .help = "sqrt(sum x^2)",
        .words = "L2 pooling",
        .family = OP_FAMILY_WINDOWED, .settings = 0,
        .has_indices = false, .keeps_range = false,
        .layout = FORMULA_LAYOUT_POWERS, .reduce = reduce_l2, .format = format_l2,
        .region_backward = backward_norm,
        .kernel = OP_KERNEL_SUMS,
        .mistakes = mistakes_l2,
        .code = {.torch = torch_l2, .torch_global = torch_global_l2, .tf = tf_l2,
                 .tf_global = tf_global_l2},
    },
    [POOL_LP] = {
        .op = POOL_LP, .name = "lp", .aliases = {NULL},
        .help = "(sum |x|^p)^(1/p); p = inf gives max |x|",
        .words = "Lp pooling",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_P | OP_USES_LP_STYLE,
        .has_indices = false, .keeps_range = false,
        .layout = FORMULA_LAYOUT_POWERS, .reduce = reduce_lp, .format = format_norm,
        .region_backward = backward_norm,
        .kernel = OP_KERNEL_SUMS,
        .mistakes = mistakes_lp,
        .code = {.torch = torch_lp, .torch_global = torch_global_lp, .tf = tf_lp,
                 .tf_global = tf_global_norm},
    },
    [POOL_POWER] = {
        .op = POOL_POWER, .name = "power", .aliases = {"gem", "average-power"},
        .help = "(mean |x|^p)^(1/p), also gem; p = 1: avg of |x|",
        .words = "power-average pooling",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_P | OP_USES_DIVISOR,
        .has_indices = false, .keeps_range = true,
        .layout = FORMULA_LAYOUT_POWERS, .reduce = reduce_power, .format = format_norm,
        .region_backward = backward_norm,
        .kernel = OP_KERNEL_SUMS,
        .mistakes = mistakes_power,
        .code = {.torch = torch_power, .torch_global = torch_global_power,
                 .torch_adaptive = torch_adaptive_power, .tf = tf_power,
                 .tf_global = tf_global_norm},
    },
    [POOL_STOCHASTIC] = {
        .op = POOL_STOCHASTIC, .name = "stochastic", .aliases = {NULL},
        .help = "train: a value drawn by x/sum; eval: sum x^2/sum x",
        .words = "stochastic pooling",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_SEED | OP_USES_MODE,
        .has_indices = true, .keeps_range = true,
        .layout = FORMULA_LAYOUT_STOCHASTIC, .reduce = reduce_stochastic,
        .format = format_stochastic,
        .region_backward = backward_stochastic,
        .mistakes = mistakes_stochastic,
        .code = {.torch = torch_stochastic, .torch_global = torch_global_stochastic,
                 .tf = tf_stochastic, .tf_global = tf_global_stochastic},
    },
    [POOL_FRACTIONAL] = {
        .op = POOL_FRACTIONAL, .name = "fractional", .aliases = {"fractional-max"},
        .help = "max over regions of varying size (output-size or ratio)",
        .words = "fractional max pooling",
        .family = OP_FAMILY_REGIONS, .settings = OP_USES_FRACTIONAL | OP_USES_SEED,
        .has_indices = true, .keeps_range = true,
        .layout = FORMULA_LAYOUT_FRACTIONAL, .reduce = reduce_max, .format = format_extreme,
        .region_backward = backward_winner,
        .kernel = OP_KERNEL_EXTREME,
        .mistakes = mistakes_max,
        .code = {.torch = torch_fractional, .tf = tf_fractional},
    },
    [POOL_SPP] = {
        .op = POOL_SPP, .name = "spp", .aliases = {"pyramid"},
        .help = "spatial pyramid: adaptive max pools of n x n bins for each level n",
        .words = "spatial pyramid pooling",
        .family = OP_FAMILY_WHOLE_PLANE, .settings = OP_USES_LEVELS,
        .has_indices = true, .keeps_range = true,
        .layout = FORMULA_LAYOUT_SPP, .reduce = reduce_max, .format = format_extreme,
        .region_backward = backward_winner,
        .kernel = OP_KERNEL_EXTREME,
        .mistakes = mistakes_max,
        .code = {.torch = torch_spp, .tf = tf_spp},
    },
    [POOL_BILINEAR] = {
        .op = POOL_BILINEAR, .name = "bilinear", .aliases = {NULL},
        .help = "(1/(H*W)) sum over locations of f f^T: C x C per sample",
        .words = "bilinear pooling",
        .family = OP_FAMILY_WHOLE_PLANE, .settings = OP_USES_BILINEAR,
        .has_indices = false, .keeps_range = false,
        .layout = FORMULA_LAYOUT_BILINEAR, .reduce = reduce_bilinear,
        .format = format_bilinear,
        .kernel = OP_KERNEL_GRAM,
        .mistakes = mistakes_bilinear,
        .code = {.torch = torch_bilinear, .tf = tf_bilinear},
    },
    [POOL_SOFTPOOL] = {
        .op = POOL_SOFTPOOL, .name = "softpool", .aliases = {"soft"},
        .help = "sum w*x with softmax weights w = e^x / sum e^x (SoftPool)",
        .words = "SoftPool (softmax-weighted pooling)",
        .family = OP_FAMILY_WINDOWED, .settings = 0,
        .has_indices = false, .keeps_range = true,
        .layout = FORMULA_LAYOUT_DETAIL, .reduce = reduce_softpool,
        .format = format_softpool, .detail = detail_softpool,
        .region_backward = backward_softpool,
        .kernel = OP_KERNEL_SOFTMAX,
        .mistakes = mistakes_between,
        .code = {.torch = torch_softpool, .torch_global = torch_global_softpool},
    },
    [POOL_LSE] = {
        .op = POOL_LSE, .name = "lse", .aliases = {"logsumexp", "log-sum-exp"},
        .help = "m + ln(mean e^(r(x - m)))/r, m = max, r = sharpness: avg to max",
        .words = "log-sum-exp pooling",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_SHARPNESS,
        .has_indices = false, .keeps_range = true,
        .layout = FORMULA_LAYOUT_DETAIL, .reduce = reduce_lse, .format = format_lse,
        .detail = detail_lse,
        .region_backward = backward_lse,
        .kernel = OP_KERNEL_LOGSUMEXP,
        .mistakes = mistakes_between,
        .code = {.torch = torch_lse, .torch_global = torch_global_lse, .tf_global = tf_global_lse},
    },
    [POOL_MEDIAN] = {
        .op = POOL_MEDIAN, .name = "median", .aliases = {NULL},
        .help = "the middle of the sorted region (the lower one for an even count)",
        .words = "median pooling",
        .family = OP_FAMILY_WINDOWED, .settings = 0,
        .has_indices = true, .keeps_range = true,
        .layout = FORMULA_LAYOUT_DETAIL, .reduce = reduce_median, .format = format_median,
        .detail = detail_median,
        .region_backward = backward_winner,
        .kernel = OP_KERNEL_MIDDLE,
        .mistakes = mistakes_median,
        .code = {.torch = torch_median, .torch_global = torch_global_median},
    },
    [POOL_MIXED] = {
        .op = POOL_MIXED, .name = "mixed", .aliases = {"mix"},
        .help = "alpha*max + (1 - alpha)*avg (avg with its divisor rule)",
        .words = "mixed max-average pooling",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_ALPHA | OP_USES_DIVISOR,
        .has_indices = false, .keeps_range = true,
        .layout = FORMULA_LAYOUT_DETAIL, .reduce = reduce_mixed, .format = format_mixed,
        .detail = detail_mixed,
        .region_backward = backward_mixed,
        .kernel = OP_KERNEL_MAXAVG,
        .mistakes = mistakes_mixed,
        .code = {.torch = torch_mixed, .torch_global = torch_global_mixed,
                 .torch_adaptive = torch_adaptive_mixed, .tf_global = tf_global_mixed},
    },
    [POOL_MAXBLUR] = {
        .op = POOL_MAXBLUR, .name = "maxblur", .aliases = {"max-blur", "antialiased"},
        .help = "max at stride 1, then a binomial blur (--filter) at the stride",
        .words = "anti-aliased max pooling (max, then blur)",
        .family = OP_FAMILY_WINDOWED, .settings = OP_USES_FILTER,
        .has_indices = false, .keeps_range = true,
        .layout = FORMULA_LAYOUT_DETAIL, .reduce = reduce_maxblur, .format = format_maxblur,
        .detail = detail_maxblur,
        .region_backward = backward_weights,
        .mistakes = mistakes_maxblur,
        .code = {.torch = torch_maxblur, .torch_global = torch_global_maxblur,
                 .torch_adaptive = torch_adaptive_maxblur},
    },
};

const pool_op_info *pool_op_info_of(pool_op op)
{
    assert((unsigned)op < POOL_OP_COUNT);
    return &op_table[op];
}

const char *pool_op_name(pool_op op)
{
    return (unsigned)op < POOL_OP_COUNT ? op_table[op].name : "?";
}

bool pool_op_from_name(const char *name, pool_op *op)
{
    for (int i = 0; i < POOL_OP_COUNT; i++)
        if (strcmp(name, op_table[i].name) == 0) {
            *op = (pool_op)i;
            return true;
        }
    for (int i = 0; i < POOL_OP_COUNT; i++)
        for (size_t a = 0; a < sizeof op_table[i].aliases / sizeof op_table[i].aliases[0] &&
                           op_table[i].aliases[a] != NULL;
             a++)
            if (strcmp(name, op_table[i].aliases[a]) == 0) {
                *op = (pool_op)i;
                return true;
            }
    return false;
}

const char *pool_op_name_list(void)
{
    static char list[256];
    if (list[0] == '\0') {
        size_t used = 0;
        for (int i = 0; i < POOL_OP_COUNT && used < sizeof list; i++) {
            int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                             op_table[i].name);
            if (n > 0)
                used += (size_t)n;
        }
    }
    return list;
}

bool pool_op_is_windowed(pool_op op)
{
    return (unsigned)op < POOL_OP_COUNT && op_table[op].family == OP_FAMILY_WINDOWED;
}

bool pool_op_uses(pool_op op, unsigned setting)
{
    return (unsigned)op < POOL_OP_COUNT && (op_table[op].settings & setting) != 0;
}

bool pool_op_picks_cell(const pool_params *params)
{
    const pool_op op = params->op;
    if ((unsigned)op >= POOL_OP_COUNT || !op_table[op].has_indices)
        return false;
    return !(pool_op_uses(op, OP_USES_MODE) && params->mode == MODE_EVAL);
}
