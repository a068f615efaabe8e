/* backview.c - the stepper's backward view (see backview.h). */
#include "tui/backview.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "tui/glyphs.h"

void backview_init(backview *bv)
{
    memset(bv, 0, sizeof *bv);
}

void backview_reset(backview *bv)
{
    if (bv->have_grad)
        pool_grad_region_release(&bv->grad);
    pv_free(bv->dx);
    pv_free(bv->before);
    pv_free(bv->whole);
    backview_init(bv);
}

void backview_release(backview *bv)
{
    backview_reset(bv);
}

static void add_window(backview *bv, const pool_grad_region *g)
{
    for (size_t t = 0; t < g->count; t++)
        bv->dx[g->terms[t].index] += g->terms[t].weight;
}

/* The range of the whole pass's dx (every window, dy = 1), for a heat
 * scale that does not change while stepping. */
static pv_status whole_range(backview *bv, const pool_plan *plan, const tensor *input,
                             pv_error *err)
{
    tensor *dy = tensor_new(TENSOR_F64, plan->out_rank, plan->out_dims, err);
    if (dy == NULL)
        return err->status;
    for (size_t i = 0; i < dy->count; i++)
        tensor_set(dy, i, 1);
    tensor *dx = pool_backward(plan, input, dy, NULL, err);
    tensor_free(dy);
    if (dx == NULL)
        return err->status;
    bv->lo = bv->hi = 0;
    for (size_t i = 0; i < dx->count; i++) {
        double v = tensor_get(dx, i);
        bv->whole[i] = v;
        if (isfinite(v)) {
            bv->lo = v < bv->lo ? v : bv->lo;
            bv->hi = v > bv->hi ? v : bv->hi;
        }
    }
    tensor_free(dx);
    return PV_OK;
}

pv_status backview_sync(backview *bv, const pool_plan *plan, const tensor *input, size_t index,
                        pv_error *err)
{
    if (bv->dx == NULL || bv->count != input->count) {
        backview_reset(bv);
        bv->count = input->count;
        bv->dx = pv_calloc(bv->count ? bv->count : 1, sizeof *bv->dx);
        bv->before = pv_calloc(bv->count ? bv->count : 1, sizeof *bv->before);
        bv->whole = pv_calloc(bv->count ? bv->count : 1, sizeof *bv->whole);
        if (bv->dx == NULL || bv->before == NULL || bv->whole == NULL) {
            backview_reset(bv);
            return pv_error_set(err, PV_ERR_NOMEM, "stepper", "out of memory");
        }
        if (whole_range(bv, plan, input, err) != PV_OK) {
            backview_reset(bv);
            return err->status;
        }
    }
    if (bv->upto > index + 1) { /* stepping back: add up again from the start */
        memset(bv->dx, 0, bv->count * sizeof *bv->dx);
        bv->upto = 0;
    }
    if (bv->have_grad)
        pool_grad_region_release(&bv->grad);
    bv->have_grad = false;
    for (; bv->upto <= index; bv->upto++) {
        pool_grad_region g;
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, "stepper", "stopped by the user");
        if (pool_backward_region(plan, input, bv->upto, &g, err) != PV_OK)
            return err->status;
        if (bv->upto == index)
            memcpy(bv->before, bv->dx, bv->count * sizeof *bv->dx);
        add_window(bv, &g);
        if (bv->upto == index) {
            bv->grad = g;
            bv->have_grad = true;
        } else {
            pool_grad_region_release(&g);
        }
    }
    if (!bv->have_grad) { /* index was reached before: its terms again */
        if (pool_backward_region(plan, input, index, &bv->grad, err) != PV_OK)
            return err->status;
        bv->have_grad = true;
        memcpy(bv->before, bv->dx, bv->count * sizeof *bv->dx);
        for (size_t t = 0; t < bv->grad.count; t++)
            bv->before[bv->grad.terms[t].index] -= bv->grad.terms[t].weight;
    }
    return PV_OK;
}

bool backview_receives(const backview *bv, size_t flat, double *weight)
{
    if (!bv->have_grad)
        return false;
    for (size_t t = 0; t < bv->grad.count; t++)
        if (bv->grad.terms[t].index == flat && bv->grad.terms[t].weight != 0) {
            if (weight != NULL)
                *weight = bv->grad.terms[t].weight;
            return true;
        }
    return false;
}

/* ---- the panel ------------------------------------------------------------- */

typedef struct panel_out {
    formula_panel *panel;
    int max_lines;
} panel_out;

static formula_line *line_new(panel_out *p)
{
    if (p->panel->count >= p->max_lines || p->panel->count >= FORMULA_MAX_LINES)
        return NULL;
    formula_line *l = &p->panel->lines[p->panel->count++];
    l->text[0] = '\0';
    l->len = 0;
    l->span_count = 0;
    return l;
}

static void add(formula_line *l, formula_role role, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void add(formula_line *l, formula_role role, const char *fmt, ...)
{
    if (l == NULL || l->span_count >= FORMULA_MAX_SPANS)
        return;
    char buf[FORMULA_LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t room = sizeof l->text - 1 - l->len, n = strlen(buf);
    if (n > room)
        n = room;
    if (n == 0)
        return;
    memcpy(l->text + l->len, buf, n);
    formula_span *s = &l->spans[l->span_count++];
    s->start = (unsigned short)l->len;
    s->len = (unsigned short)n;
    s->role = (unsigned char)role;
    l->len += n;
    l->text[l->len] = '\0';
}

static const char *num(double v, char *buf, size_t size)
{
    pool_format_number(v, buf, size);
    return buf;
}

/* "·" on a UTF-8 terminal, "*" otherwise. */
static const char *dot(void)
{
    const glyphs_table *g = glyphs_current();
    return strcmp(g->bullet, ".") == 0 ? "*" : g->bullet;
}

/* The input value behind term t of the forward explanation at (row, col). */
static double value_at(const pool_explanation *ex, long row, long col)
{
    for (size_t t = 0; t < ex->term_count; t++)
        if (ex->terms[t].row == row && ex->terms[t].col == col)
            return ex->terms[t].value;
    return 0;
}

static const pool_grad_term *first_receiving(const backview *bv)
{
    for (size_t t = 0; t < bv->grad.count; t++)
        if (bv->grad.terms[t].weight != 0)
            return &bv->grad.terms[t];
    return NULL;
}

/* max, min, fractional, spp, stochastic in training: one cell gets it all. */
static void routing(panel_out *p, const backview *bv, const pool_explanation *ex,
                    const char *dy)
{
    const pool_grad_term *w = first_receiving(bv);
    char a[40], b[40];
    formula_line *l = line_new(p);
    if (w == NULL) {
        add(l, FORMULA_HEAD, "nothing flows back: the window has no cell to win");
        return;
    }
    add(l, FORMULA_HEAD, "dx[%ld,%ld] += %s %s %s = ", w->row, w->col, num(w->weight, a, 40),
        dot(), dy);
    add(l, FORMULA_RESULT, "%s", num(w->weight, b, 40));
    const char *who = ex->op == POOL_MIN ? "its winner, the smallest value"
                      : ex->op == POOL_STOCHASTIC ? "the drawn cell"
                                                  : "its winner, the largest value";
    l = line_new(p);
    add(l, FORMULA_TEXT, "%s sends all of %s to %s (%s at (%ld, %ld)); the other %zu cell%s "
        "of the window get 0", pool_op_name(ex->op), dy, who,
        num(value_at(ex, w->row, w->col), a, 40), w->row, w->col,
        bv->grad.count > 0 ? bv->grad.count - 1 : 0, bv->grad.count == 2 ? "" : "s");
}

/* avg and sum: the same share to every cell. */
static void spreading(panel_out *p, const backview *bv, const pool_explanation *ex,
                      const char *dy)
{
    char a[40], b[40];
    formula_line *l = line_new(p);
    const double share = bv->grad.count > 0 ? bv->grad.terms[0].weight : 0;
    if (ex->op == POOL_SUM)
        add(l, FORMULA_HEAD, "dx[r,c] += %s = ", dy);
    else
        add(l, FORMULA_HEAD, "dx[r,c] += %s / %s = ", dy, num(ex->divisor, a, 40));
    add(l, FORMULA_RESULT, "%s", num(share, b, 40));
    l = line_new(p);
    if (ex->op == POOL_SUM)
        add(l, FORMULA_TEXT, "for each of the %zu cells (r, c) of the window: all of %s",
            bv->grad.count, dy);
    else
        add(l, FORMULA_TEXT, "for each of the %zu cells (r, c) of the window: a share of 1/%s%s",
            bv->grad.count, num(ex->divisor, a, 40),
            ex->padding_counted && (double)bv->grad.count < ex->divisor
                ? " (the padding's shares are dropped)" : "");
}

/* Everything else: dy/dx of each cell written out. */
static void per_cell(panel_out *p, const backview *bv, const pool_explanation *ex,
                     const char *dy, double y)
{
    char a[40], b[40], c[40], d[40];
    formula_line *l = line_new(p);
    const pool_op op = ex->op;
    const double power = op == POOL_L2 ? 2 : ex->p;
    switch (op) {
    case POOL_LP:
        if (ex->lp_torch) {
            /* lp_pool2d's gradient: no sign, and the partial window's factor */
            add(l, FORMULA_HEAD, "dy/dx = F %s (x / y)^(p-1)", dot());
            add(l, FORMULA_DIM, "   y = %s, p = %s, F = KH*KW / cells = %s", num(y, a, 40),
                num(power, b, 40), num(ex->part[0], c, 40));
            break;
        }
        /* fall through */
    case POOL_L2:
    case POOL_POWER:
        add(l, FORMULA_HEAD, "dy/dx = sign(x) %s (|x| / y)^(p-1)%s", dot(),
            op == POOL_POWER ? " / D" : "");
        add(l, FORMULA_DIM, "   y = %s, p = %s%s%s", num(y, a, 40), num(power, b, 40),
            op == POOL_POWER ? ", D = " : "", op == POOL_POWER ? num(ex->divisor, c, 40) : "");
        break;
    case POOL_STOCHASTIC:
        add(l, FORMULA_HEAD, "dy/da = (2a - y) / sum(a)");
        add(l, FORMULA_DIM, "   y = sum(a^2)/sum(a) = %s, sum(a) = %s", num(y, a, 40),
            num(ex->sum, b, 40));
        break;
    default:
        add(l, FORMULA_HEAD, "dy/dx of each cell (%s)", pool_op_name(op));
        break;
    }
    size_t shown = 0;
    for (size_t t = 0; t < bv->grad.count; t++) {
        const pool_grad_term *term = &bv->grad.terms[t];
        if (term->weight == 0)
            continue;
        if ((l = line_new(p)) == NULL)
            return;
        if (p->panel->count == p->max_lines && t + 1 < bv->grad.count) {
            add(l, FORMULA_DIM, "... %zu more cells", bv->grad.receiving - shown);
            return;
        }
        const double x = value_at(ex, term->row, term->col);
        if (ex->lp_torch) {
            add(l, FORMULA_TEXT, "dx[%ld,%ld] += %s %s (%s / %s)^%s %s %s = ", term->row,
                term->col, num(ex->part[0], a, 40), dot(), num(x, b, 40), num(y, c, 40),
                num(power - 1, d, 40), dot(), dy);
        } else if (op == POOL_L2 || op == POOL_LP || op == POOL_POWER) {
            if (isinf(power))
                add(l, FORMULA_TEXT, "dx[%ld,%ld] += %s%s %s %s = ", term->row, term->col,
                    x < 0 ? "-" : "", "1", dot(), dy);
            else
                add(l, FORMULA_TEXT, "dx[%ld,%ld] += %s(|%s| / %s)^%s%s%s %s %s = ", term->row,
                    term->col, x < 0 ? "-" : "", num(x, a, 40), num(y, b, 40),
                    num(power - 1, c, 40), op == POOL_POWER ? " / " : "",
                    op == POOL_POWER ? num(ex->divisor, d, 40) : "", dot(), dy);
        } else if (op == POOL_STOCHASTIC) {
            add(l, FORMULA_TEXT, "dx[%ld,%ld] += (2%s%s - %s) / %s %s %s = ", term->row,
                term->col, dot(), num(x, a, 40), num(y, b, 40), num(ex->sum, c, 40), dot(), dy);
        } else if (op == POOL_BILINEAR) {
            add(l, FORMULA_TEXT, "dx[%zu,%ld,%ld] += %s %s %s = ", term->c, term->row,
                term->col, num(term->weight, a, 40), dot(), dy);
        } else {
            add(l, FORMULA_TEXT, "dx[%ld,%ld] += %s %s %s = ", term->row, term->col,
                num(term->weight, a, 40), dot(), dy);
        }
        add(l, FORMULA_RESULT, "%s", num(term->weight, b, 40));
        shown++;
    }
}

/* Cells that earlier windows reached too: their sum so far. */
static void overlaps(panel_out *p, const backview *bv)
{
    char a[40], b[40], c[40];
    for (size_t t = 0; t < bv->grad.count; t++) {
        const pool_grad_term *term = &bv->grad.terms[t];
        const double was = bv->before[term->index];
        if (term->weight == 0 || was == 0)
            continue;
        formula_line *l = line_new(p);
        if (l == NULL)
            return;
        add(l, FORMULA_MARK, "dx[%ld,%ld] = %s + %s = %s", term->row, term->col,
            num(was, a, 40), num(term->weight, b, 40), num(bv->dx[term->index], c, 40));
        add(l, FORMULA_DIM, "  overlap: the shares add up");
    }
}

void backview_formula(const backview *bv, formula_panel *panel, const pool_plan *plan,
                      const pool_region *region, const pool_explanation *ex, int width,
                      int max_lines)
{
    (void)width;
    panel->count = 0;
    panel_out p = {panel, max_lines < 1 ? 1 : max_lines};
    char dy[64];
    if (plan->params.op == POOL_BILINEAR)
        snprintf(dy, sizeof dy, "dy[%zu,%zu]", region->c, region->c2);
    else
        snprintf(dy, sizeof dy, "dy[%zu,%zu]", region->oy, region->ox);
    if (!bv->have_grad || ex == NULL) {
        add(line_new(&p), FORMULA_DIM, "the backward pass is not available here");
        return;
    }
    /* the table says how dy travels: to one cell, spread evenly, or per cell */
    if (pool_op_picks_cell(&plan->params))
        routing(&p, bv, ex, dy);
    else if (pool_op_info_of(ex->op)->layout == FORMULA_LAYOUT_SUM)
        spreading(&p, bv, ex, dy);
    else
        per_cell(&p, bv, ex, dy, ex->result);
    overlaps(&p, bv);
    add(line_new(&p), FORMULA_DIM, "dL/dy = 1 everywhere; the grid shows dL/dx so far (b: forward)");
}
