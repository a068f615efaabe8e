/* explain.c - one region, gathered term by term in row-major order and
 * handed to its operator's reducer (ops.c); and the formula line written
 * from it. */
#include "explain.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "ops.h"

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

static pv_status reserve_terms(pool_explanation *ex, size_t count, pv_error *err)
{
    if (ex->terms == NULL || ex->term_capacity < count) {
        pv_free(ex->terms);
        ex->term_capacity = 0;
        ex->terms = pv_calloc(count ? count : 1, sizeof(pool_term));
        if (ex->terms == NULL)
            return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the explanation");
        ex->term_capacity = count ? count : 1;
    } else {
        memset(ex->terms, 0, count * sizeof(pool_term));
    }
    return PV_OK;
}

/* Gather the region's taps of plane (n, c) in row-major order: all of them
 * (padding and taps past the input as value-0 terms), or with inputs_only
 * the input cells alone, which the reducers need and which never exceed
 * the plane however large the window. */
static pv_status gather_terms(const pool_plan *plan, const tensor *input,
                              const pool_region *rg, size_t channel, bool inputs_only,
                              pool_explanation *ex, pv_error *err)
{
    long i0 = 0, i1 = rg->row_count, j0 = 0, j1 = rg->col_count;
    if (inputs_only) {
        const long rows = pool_taps_within(rg->row0, rg->row_count, rg->row_step, 0,
                                           (long)plan->h, &i0);
        const long cols = pool_taps_within(rg->col0, rg->col_count, rg->col_step, 0,
                                           (long)plan->w, &j0);
        i1 = i0 + rows;
        j1 = j0 + cols;
    }
    size_t count, bytes;
    if (!pv_mul_size((size_t)(i1 - i0), (size_t)(j1 - j0), &count) ||
        !pv_mul_size(count, sizeof(pool_term), &bytes) || count > EXPLAIN_MAX_TERMS)
        return pv_error_set(err, PV_ERR_LIMIT, "explain",
                            "the region has %ldx%ld cells; a region of at most %d cells can "
                            "be explained term by term",
                            rg->row_count, rg->col_count, EXPLAIN_MAX_TERMS);
    pv_status st = reserve_terms(ex, count, err);
    if (st != PV_OK)
        return st;
    const size_t base = (rg->n * plan->c + channel) * plan->h * plan->w;
    size_t t = 0;
    for (long i = i0; i < i1; i++) {
        long row = rg->row0 + i * rg->row_step;
        pool_tap_kind rk = pool_plan_row_kind(plan, row);
        for (long j = j0; j < j1; j++, t++) {
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

static pv_status explain_region(const pool_plan *plan, const tensor *input, size_t out_index,
                                bool inputs_only, pool_explanation *ex, pv_error *err)
{
    pool_term *terms = ex->terms;
    size_t capacity = ex->term_capacity;
    pool_region rg;
    memset(ex, 0, sizeof *ex);
    ex->terms = terms;
    ex->term_capacity = capacity;
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
    pv_status st = gather_terms(plan, input, &rg, rg.c, inputs_only, ex, err);
    if (st != PV_OK)
        return st;
    const pool_params *prm = &plan->params;
    ex->divisor = rg.divisor;
    ex->padding_counted = pool_op_uses(ex->op, OP_USES_DIVISOR) && prm->count_include_pad &&
                          prm->padding_mode != PAD_SAME && prm->divisor == 0 &&
                          !prm->global && prm->adaptive_h == 0;
    const pool_region_ctx cx = {plan, input, &rg, out_index};
    return pool_op_info_of(ex->op)->reduce(&cx, ex, err);
}

pv_status pool_region_compute(const pool_plan *plan, const tensor *input, size_t out_index,
                              pool_explanation *ex, pv_error *err)
{
    return explain_region(plan, input, out_index, true, ex, err);
}

pv_status pool_explain(const pool_plan *plan, const tensor *input, size_t out_index,
                       pool_explanation *ex, pv_error *err)
{
    memset(ex, 0, sizeof *ex);
    pv_status st = explain_region(plan, input, out_index, false, ex, err);
    if (st != PV_OK)
        pool_explanation_release(ex);
    return st;
}

/* ---- the formula line --------------------------------------------------- */

void pool_text_put(pool_text *tb, const char *fmt, ...)
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

void pool_text_number(pool_text *tb, double v)
{
    char num[40];
    pool_format_number(v, num, sizeof num);
    pool_text_put(tb, "%s", num);
}

/* Is term t shown in the formula?  Padding shows (as 0) where it counts:
 * in an average or power average whose divisor includes it. */
static bool term_shown(const pool_explanation *ex, size_t t)
{
    if (ex->terms[t].kind == TAP_INPUT)
        return true;
    return ex->padding_counted && ex->terms[t].kind == TAP_PADDING;
}

static void put_term(pool_text *tb, const pool_explanation *ex, const pool_term *term,
                     pool_term_style how)
{
    switch (how) {
    case TERMS_VALUE:
        pool_text_number(tb, term->value);
        break;
    case TERMS_POWER:
        if (term->value < 0)
            pool_text_put(tb, "|");
        pool_text_number(tb, term->value);
        if (term->value < 0)
            pool_text_put(tb, "|");
        pool_text_put(tb, "^");
        pool_text_number(tb, ex->p);
        break;
    case TERMS_SIGNED_POWER:
        if (term->value < 0)
            pool_text_put(tb, "(");
        pool_text_number(tb, term->value);
        pool_text_put(tb, term->value < 0 ? ")^" : "^");
        pool_text_number(tb, ex->p);
        break;
    case TERMS_SQUARE:
        pool_text_number(tb, term->value);
        pool_text_put(tb, "^2");
        break;
    case TERMS_PRODUCT:
        pool_text_number(tb, term->value);
        pool_text_put(tb, "*");
        pool_text_number(tb, term->other);
        break;
    case TERMS_PROBABILITY:
        pool_text_number(tb, term->value);
        pool_text_put(tb, "(p=");
        pool_text_number(tb, term->weight);
        pool_text_put(tb, ")");
        break;
    case TERMS_WEIGHTED:
        pool_text_number(tb, term->weight);
        pool_text_put(tb, "*");
        pool_text_number(tb, term->value);
        break;
    case TERMS_WEIGHT_OF:
        pool_text_number(tb, term->weight);
        break;
    }
}

void pool_text_terms(pool_text *tb, const pool_explanation *ex, const char *sep,
                     pool_term_style how, size_t max_terms)
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
                pool_text_put(tb, "%s... (%zu more)", sep, tail_from - head);
            continue;
        }
        if (k > 0)
            pool_text_put(tb, "%s", sep);
        put_term(tb, ex, &ex->terms[t], how);
    }
    if (total == 0)
        pool_text_put(tb, "(no input cell)");
}

void pool_explanation_format(const pool_explanation *ex, double value, size_t max_terms,
                             char *buf, size_t size)
{
    pool_text tb = {buf, size, 0};
    if (size == 0)
        return;
    buf[0] = '\0';
    if ((unsigned)ex->op < POOL_OP_COUNT)
        pool_op_info_of(ex->op)->format(ex, &tb, max_terms);
    pool_text_number(&tb, value);
}
