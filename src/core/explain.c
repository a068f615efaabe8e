#include "explain.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "opmath.h"
#include "rng.h"

void pool_explanation_release(pool_explanation *ex)
{
    if (ex == NULL)
        return;
    pv_free(ex->terms);
    memset(ex, 0, sizeof *ex);
}

/* The most terms one explanation lists (a 2048x2048 window). */
#define EXPLAIN_MAX_TERMS (1 << 22)

static pool_tap_kind tap_kind(pool_tap_kind row, pool_tap_kind col)
{
    if (row == TAP_INPUT && col == TAP_INPUT)
        return TAP_INPUT;
    if (row == TAP_OUTSIDE || col == TAP_OUTSIDE)
        return TAP_OUTSIDE;
    return TAP_PADDING;
}

/* Gather the region's taps of plane (n, c) in row-major order. */
static pv_status gather_terms(const pool_plan *plan, const tensor *input,
                              const pool_region *rg, size_t channel, pool_explanation *ex,
                              pv_error *err)
{
    size_t count, bytes;
    if (!pv_mul_size((size_t)rg->row_count, (size_t)rg->col_count, &count) ||
        !pv_mul_size(count, sizeof(pool_term), &bytes) || count > EXPLAIN_MAX_TERMS)
        return pv_error_set(err, PV_ERR_LIMIT, "explain",
                            "the region has %ldx%ld cells; a region of at most %d cells can "
                            "be explained term by term",
                            rg->row_count, rg->col_count, EXPLAIN_MAX_TERMS);
    ex->terms = pv_calloc(count ? count : 1, sizeof(pool_term));
    if (ex->terms == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the explanation");
    const size_t base = (rg->n * plan->c + channel) * plan->h * plan->w;
    size_t t = 0;
    for (long i = 0; i < rg->row_count; i++) {
        long row = rg->row0 + i * rg->row_step;
        pool_tap_kind rk = pool_plan_row_kind(plan, row);
        for (long j = 0; j < rg->col_count; j++, t++) {
            long col = rg->col0 + j * rg->col_step;
            pool_term *term = &ex->terms[t];
            term->row = row;
            term->col = col;
            term->kind = tap_kind(rk, pool_plan_col_kind(plan, col));
            if (term->kind == TAP_INPUT) {
                term->value = tensor_get(input, base + (size_t)row * plan->w + (size_t)col);
                ex->input_count++;
            }
        }
    }
    ex->term_count = count;
    return PV_OK;
}

/* max (sign = 1) or min (sign = -1) with PyTorch's rule: the first extreme
 * in row-major order wins, and a NaN wins over everything (the last NaN). */
static void explain_extreme(const pool_plan *plan, pool_explanation *ex, int sign)
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
    if (winner >= 0)
        ex->index = ex->terms[winner].row * (long)plan->w + ex->terms[winner].col;
}

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

static void explain_norm(pool_explanation *ex, double p, double divisor)
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

static pv_status explain_stochastic(const pool_plan *plan, pool_explanation *ex,
                                    size_t out_index, pv_error *err)
{
    double total = 0, squares = 0;
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
        squares += term->value * term->value;
    }
    ex->sum = total;
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].kind == TAP_INPUT)
            ex->terms[t].weight = total > 0 ? ex->terms[t].value / total : 0;
    if (plan->params.mode == MODE_EVAL) {
        ex->eval = true;
        ex->result = total > 0 ? squares / total : 0;
        return PV_OK;
    }
    ex->draw = rng_uniform(plan->params.seed, RNG_STREAM_STOCHASTIC, out_index);
    if (total == 0) {
        ex->result = 0;
        return PV_OK;
    }
    /* the first value whose cumulative sum passes draw * total */
    const double target = ex->draw * total;
    double cumulative = 0;
    long chosen = -1;
    for (size_t t = 0; t < ex->term_count; t++) {
        if (ex->terms[t].kind != TAP_INPUT || ex->terms[t].value == 0)
            continue;
        chosen = (long)t;
        cumulative += ex->terms[t].value;
        if (cumulative > target)
            break;
    }
    ex->winner = chosen;
    ex->result = ex->terms[chosen].value;
    ex->index = ex->terms[chosen].row * (long)plan->w + ex->terms[chosen].col;
    return PV_OK;
}

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

static pv_status explain_bilinear(const pool_plan *plan, const tensor *input,
                                  const pool_region *rg, pool_explanation *ex, pv_error *err)
{
    pv_status st = gather_terms(plan, input, rg, rg->c, ex, err);
    if (st != PV_OK)
        return st;
    const size_t hw = plan->h * plan->w;
    const size_t bj = (rg->n * plan->c + rg->c2) * hw;
    ex->sum = 0;
    for (size_t t = 0; t < ex->term_count; t++) {
        pool_term *term = &ex->terms[t];
        term->other = tensor_get(input, bj + (size_t)term->row * plan->w + (size_t)term->col);
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
                double e = bilinear_raw(plan, input, rg->n, i, j);
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

pv_status pool_explain(const pool_plan *plan, const tensor *input, size_t out_index,
                       pool_explanation *ex, pv_error *err)
{
    pool_region rg;
    memset(ex, 0, sizeof *ex);
    ex->op = plan->params.op;
    ex->winner = -1;
    ex->index = -1;
    if (out_index >= plan->out_count)
        return pv_error_set(err, PV_ERR_USAGE, "explain",
                            "output element %zu does not exist (the output has %zu)", out_index,
                            plan->out_count);
    if (input->count != plan->n * plan->c * plan->h * plan->w)
        return pv_error_set(err, PV_ERR_USAGE, "explain", "the input is not the plan's shape");
    pool_plan_region(plan, out_index, &rg);
    if (ex->op == POOL_BILINEAR)
        return explain_bilinear(plan, input, &rg, ex, err);

    pv_status st = gather_terms(plan, input, &rg, rg.c, ex, err);
    if (st != PV_OK)
        return st;
    const pool_params *prm = &plan->params;
    ex->padding_counted = (ex->op == POOL_AVG || ex->op == POOL_POWER) &&
                          prm->count_include_pad && prm->padding_mode != PAD_SAME &&
                          prm->divisor == 0 && !prm->global && prm->adaptive_h == 0;
    switch (ex->op) {
    case POOL_MAX:
    case POOL_FRACTIONAL:
    case POOL_SPP:
        explain_extreme(plan, ex, 1);
        break;
    case POOL_MIN:
        explain_extreme(plan, ex, -1);
        break;
    default:
        break;
    }
    if (ex->index < 0 && (ex->op == POOL_MAX || ex->op == POOL_MIN)) {
        /* no input cell in the window: PyTorch reports the first tap moved
         * forward by the dilation until it is not negative (a number that
         * may name a cell of a later row); where that falls past the plane,
         * the index is -1 */
        long row = rg.row0, col = rg.col0;
        while (row < 0)
            row += rg.row_step;
        while (col < 0)
            col += rg.col_step;
        if (row * (long)plan->w + col < (long)(plan->h * plan->w))
            ex->index = row * (long)plan->w + col;
    }
    switch (ex->op) {
    case POOL_AVG:
    case POOL_SUM:
        for (size_t t = 0; t < ex->term_count; t++)
            if (ex->terms[t].kind == TAP_INPUT)
                ex->sum += ex->terms[t].value;
        ex->divisor = ex->op == POOL_AVG ? rg.divisor : 1;
        ex->result = ex->sum / ex->divisor;
        break;
    case POOL_L2:
        explain_norm(ex, 2, 1);
        break;
    case POOL_LP:
        explain_norm(ex, plan->params.p, 1);
        break;
    case POOL_POWER:
        explain_norm(ex, plan->params.p, rg.divisor);
        break;
    case POOL_STOCHASTIC:
        st = explain_stochastic(plan, ex, out_index, err);
        break;
    default:
        break;
    }
    if (st != PV_OK)
        pool_explanation_release(ex);
    return st;
}

/* ---- the formula line --------------------------------------------------- */

typedef struct text_buf {
    char *buf;
    size_t size, used;
} text_buf;

static void put(text_buf *tb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(text_buf *tb, const char *fmt, ...)
{
    if (tb->used + 1 >= tb->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tb->buf + tb->used, tb->size - tb->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        tb->used += (size_t)n < tb->size - tb->used ? (size_t)n : tb->size - tb->used - 1;
}

static void put_number(text_buf *tb, double v)
{
    char num[40];
    pool_format_number(v, num, sizeof num);
    put(tb, "%s", num);
}

/* Is term t shown in the formula?  Padding shows (as 0) where it counts:
 * in an average or power average whose divisor includes it. */
static bool term_shown(const pool_explanation *ex, size_t t)
{
    if (ex->terms[t].kind == TAP_INPUT)
        return true;
    return ex->padding_counted && ex->terms[t].kind == TAP_PADDING;
}

/* List the shown terms separated by sep, each printed by how, eliding the
 * middle when there are more than max_terms. */
static void put_terms(text_buf *tb, const pool_explanation *ex, const char *sep, int how,
                      size_t max_terms)
{
    size_t shown = 0, total = 0;
    for (size_t t = 0; t < ex->term_count; t++)
        total += term_shown(ex, t);
    if (max_terms < 2)
        max_terms = 2;
    const size_t head = total > max_terms ? max_terms - max_terms / 2 : total;
    const size_t tail_from = total > max_terms ? total - max_terms / 2 : total;
    for (size_t t = 0; t < ex->term_count; t++) {
        if (!term_shown(ex, t))
            continue;
        size_t k = shown++;
        if (k >= head && k < tail_from) {
            if (k == head)
                put(tb, "%s... (%zu more)", sep, tail_from - head);
            continue;
        }
        if (k > 0)
            put(tb, "%s", sep);
        const pool_term *term = &ex->terms[t];
        switch (how) {
        case 0: /* the value */
            put_number(tb, term->value);
            break;
        case 1: /* |x|^p */
            if (term->value < 0)
                put(tb, "|");
            put_number(tb, term->value);
            if (term->value < 0)
                put(tb, "|");
            put(tb, "^");
            put_number(tb, ex->p);
            break;
        case 2: /* bilinear products */
            put_number(tb, term->value);
            put(tb, "*");
            put_number(tb, term->other);
            break;
        case 4: /* squares */
            put_number(tb, term->value);
            put(tb, "^2");
            break;
        default: /* value with its probability */
            put_number(tb, term->value);
            put(tb, "(p=");
            put_number(tb, term->weight);
            put(tb, ")");
            break;
        }
    }
    if (total == 0)
        put(tb, "(no input cell)");
}

void pool_explanation_format(const pool_explanation *ex, double value, size_t max_terms,
                             char *buf, size_t size)
{
    text_buf tb = {buf, size, 0};
    if (size == 0)
        return;
    buf[0] = '\0';
    switch (ex->op) {
    case POOL_MAX:
    case POOL_MIN:
    case POOL_FRACTIONAL:
    case POOL_SPP:
        put(&tb, "%s(", ex->op == POOL_MIN ? "min" : "max");
        put_terms(&tb, ex, ", ", 0, max_terms);
        put(&tb, ") = ");
        break;
    case POOL_AVG:
        put(&tb, "avg = (");
        put_terms(&tb, ex, " + ", 0, max_terms);
        put(&tb, ") / ");
        put_number(&tb, ex->divisor);
        put(&tb, " = ");
        break;
    case POOL_SUM:
        put(&tb, "sum = ");
        put_terms(&tb, ex, " + ", 0, max_terms);
        put(&tb, " = ");
        break;
    case POOL_L2:
        put(&tb, "l2 = sqrt(");
        put_terms(&tb, ex, " + ", 1, max_terms);
        put(&tb, ") = ");
        break;
    case POOL_LP:
        if (isinf(ex->p)) {
            put(&tb, "lp(inf) = max(|");
            put_terms(&tb, ex, "|, |", 0, max_terms);
            put(&tb, "|) = ");
            break;
        }
        put(&tb, "lp = (");
        put_terms(&tb, ex, " + ", 1, max_terms);
        put(&tb, ")^(1/");
        put_number(&tb, ex->p);
        put(&tb, ") = ");
        break;
    case POOL_POWER:
        if (isinf(ex->p)) {
            put(&tb, "power(inf) = max(|");
            put_terms(&tb, ex, "|, |", 0, max_terms);
            put(&tb, "|) = ");
            break;
        }
        put(&tb, "power = ((");
        put_terms(&tb, ex, " + ", 1, max_terms);
        put(&tb, ") / ");
        put_number(&tb, ex->divisor);
        put(&tb, ")^(1/");
        put_number(&tb, ex->p);
        put(&tb, ") = ");
        break;
    case POOL_STOCHASTIC:
        if (ex->eval) {
            put(&tb, "sum(a^2)/sum(a) = (");
            put_terms(&tb, ex, " + ", 4, max_terms);
            put(&tb, ") / (");
            put_terms(&tb, ex, " + ", 0, max_terms);
            double sum = 0;
            for (size_t i = 0; i < ex->term_count; i++)
                sum += ex->terms[i].value;
            /* An all-zero window: say that 0/0 is taken as 0 (pool_reduce). */
            put(&tb, sum == 0 ? ") = 0/0, taken as " : ") = ");
        } else {
            put(&tb, "sample from ");
            put_terms(&tb, ex, ", ", 3, max_terms);
            put(&tb, " with u = ");
            put_number(&tb, ex->draw);
            put(&tb, " -> ");
        }
        break;
    case POOL_BILINEAR:
        put(&tb, "(");
        put_terms(&tb, ex, " + ", 2, max_terms);
        put(&tb, ") / ");
        put_number(&tb, ex->divisor);
        if (ex->raw != ex->result) {
            put(&tb, " = ");
            put_number(&tb, ex->raw);
            put(&tb, " ->");
        }
        put(&tb, " = ");
        break;
    case POOL_OP_COUNT:
        break;
    }
    put_number(&tb, value);
}
