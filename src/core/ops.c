/* ops.c - the operator table and each operator's per-region reducer and
 * formula headline (see ops.h).  The reducers are the reference arithmetic:
 * plain loops in double over the gathered terms, in row-major order. */
#include "ops.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
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
    ex->result = m + log(ex->sum / ex->divisor) / r;
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
 * value (the first in row-major order).  The winner is the median's cell
 * (the first in row-major order among equal values); each input term's
 * `other` is its place in the sorted order, for the formula. */
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
