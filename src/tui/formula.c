#include "tui/formula.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/numfmt.h"
#include "tui/glyphs.h"

typedef struct builder {
    formula_panel *panel;
    const pool_plan *plan;
    const pool_region *region;
    const pool_explanation *ex;
    const glyphs_table *g;
    double value;
    int width;
    int max_lines;
} builder;

/* ---- text assembly ------------------------------------------------------ */

static formula_line *line_new(builder *b)
{
    if (b->panel->count >= b->max_lines || b->panel->count >= FORMULA_MAX_LINES)
        return NULL;
    formula_line *l = &b->panel->lines[b->panel->count++];
    l->text[0] = '\0';
    l->len = 0;
    l->span_count = 0;
    return l;
}

static bool lines_left(const builder *b, int n)
{
    return b->panel->count + n <= b->max_lines && b->panel->count + n <= FORMULA_MAX_LINES;
}

static void add_text(formula_line *l, formula_role role, const char *text)
{
    if (l == NULL)
        return;
    size_t room = sizeof l->text - 1 - l->len;
    size_t n = strlen(text);
    if (n > room)
        n = room;
    if (n == 0)
        return;
    memcpy(l->text + l->len, text, n);
    /* Merge with the previous span when the role is the same. */
    formula_span *last = l->span_count > 0 ? &l->spans[l->span_count - 1] : NULL;
    if (last != NULL && last->role == role && last->start + last->len == l->len) {
        last->len = (unsigned short)(last->len + n);
    } else if (l->span_count < FORMULA_MAX_SPANS) {
        formula_span *s = &l->spans[l->span_count++];
        s->start = (unsigned short)l->len;
        s->len = (unsigned short)n;
        s->role = (unsigned char)role;
    } else if (last != NULL) {
        last->len = (unsigned short)(l->len + n - last->start);
    }
    l->len += n;
    l->text[l->len] = '\0';
}

static void add(formula_line *l, formula_role role, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void add(formula_line *l, formula_role role, const char *fmt, ...)
{
    char buf[FORMULA_LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_text(l, role, buf);
}

static const char *num(double v, char *buf, size_t size)
{
    pool_format_number(v, buf, size);
    return buf;
}

static size_t line_width(const formula_line *l)
{
    return l ? glyphs_width(l->text) : 0;
}

/* Append item to the current line of a list, starting a new line indented
 * by indent columns when it would pass the panel's width.  Returns the
 * line written to (NULL when the panel is full). */
static formula_line *list_item(builder *b, formula_line *l, int indent, const char *sep,
                               formula_role role, const char *item)
{
    if (l == NULL)
        return NULL;
    size_t need = glyphs_width(sep) + glyphs_width(item);
    if (l->len > 0 && line_width(l) + need > (size_t)b->width && line_width(l) > (size_t)indent) {
        formula_line *next = line_new(b);
        if (next == NULL) {
            add_text(l, FORMULA_DIM, b->g->ellipsis);
            return NULL;
        }
        add(next, FORMULA_TEXT, "%*s", indent, "");
        l = next;
        /* A sum goes on with its "+"; a list just starts again. */
        sep = strchr(sep, '+') != NULL ? "+ " : "";
    }
    add_text(l, FORMULA_TEXT, sep);
    add_text(l, role, item);
    return l;
}

/* ---- shared pieces ------------------------------------------------------ */

static size_t count_kind(const pool_explanation *ex, pool_tap_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < ex->term_count; i++)
        n += ex->terms[i].kind == kind;
    return n;
}

/* The headline: the core's formula with as many terms as fit. */
static void headline(builder *b)
{
    formula_line *l = line_new(b);
    if (l == NULL)
        return;
    char buf[FORMULA_LINE_BYTES];
    size_t terms = b->ex->term_count < 64 ? b->ex->term_count : 64;
    if (terms < 2)
        terms = 2;
    for (;;) {
        pool_explanation_format(b->ex, b->value, terms, buf, sizeof buf);
        if (glyphs_width(buf) <= (size_t)b->width || terms <= 2)
            break;
        terms = terms > 8 ? terms - 2 : terms - 1;
    }
    /* The value after the last " = " (or " -> ", the drawn sample) is the
     * result: give it its own role. */
    char *last = NULL;
    size_t mark_len = 0;
    for (char *p = strstr(buf, " = "); p != NULL; p = strstr(p + 3, " = ")) {
        last = p;
        mark_len = 3;
    }
    for (char *p = strstr(buf, " -> "); p != NULL; p = strstr(p + 4, " -> ")) {
        if (last == NULL || p > last) {
            last = p;
            mark_len = 4;
        }
    }
    if (last != NULL) {
        size_t head = (size_t)(last - buf) + mark_len;
        char tail[FORMULA_LINE_BYTES];
        snprintf(tail, sizeof tail, "%s", buf + head);
        buf[head] = '\0';
        add_text(l, FORMULA_HEAD, buf);
        add_text(l, FORMULA_RESULT, tail);
    } else {
        add_text(l, FORMULA_HEAD, buf);
    }
}

static void region_line(builder *b)
{
    const pool_region *r = b->region;
    const pool_plan *plan = b->plan;
    if (!lines_left(b, 1))
        return;
    formula_line *l = line_new(b);
    long last_row = r->row0 + (r->row_count - 1) * r->row_step;
    long last_col = r->col0 + (r->col_count - 1) * r->col_step;
    add(l, FORMULA_DIM, "window: rows %ld..%ld, cols %ld..%ld", r->row0, last_row, r->col0,
        last_col);
    if (plan->n * plan->c > 1)
        add(l, FORMULA_DIM, " of plane [%zu,%zu]", r->n, r->c);
    add(l, FORMULA_DIM, " (%ld%s%ld taps", r->row_count, b->g->times, r->col_count);
    if (r->row_step > 1 || r->col_step > 1)
        add(l, FORMULA_DIM, ", dilation %ld%s%ld: the cells between taps are holes", r->row_step,
            b->g->times, r->col_step);
    add_text(l, FORMULA_DIM, ")");
}

static void padding_note(builder *b, const char *what)
{
    size_t pads = count_kind(b->ex, TAP_PADDING);
    size_t outside = count_kind(b->ex, TAP_OUTSIDE);
    if (pads > 0 && lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "%zu padding tap%s (shown as 0) %s", pads, pads == 1 ? "" : "s",
            what);
    }
    if (outside > 0 && lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT,
            "%zu tap%s past the padded input (ceil mode) %s not part of the window", outside,
            outside == 1 ? "" : "s", outside == 1 ? "is" : "are");
    }
}

static void divisor_line(builder *b)
{
    const pool_params *params = &b->plan->params;
    const pool_region *r = b->region;
    char d[40], rows[40], cols[40];
    num(r->divisor, d, sizeof d);
    if (!lines_left(b, 1))
        return;
    formula_line *l = line_new(b);
    add(l, FORMULA_TEXT, "divisor ");
    add(l, FORMULA_MARK, "%s", d);
    if (params->divisor != 0) {
        add(l, FORMULA_TEXT, " = --divisor %ld, whatever the window holds", params->divisor);
        return;
    }
    num((double)r->divisor_rows, rows, sizeof rows);
    num((double)r->divisor_cols, cols, sizeof cols);
    add(l, FORMULA_TEXT, " = %s %s %s", rows, b->g->times, cols);
    size_t pads = count_kind(b->ex, TAP_PADDING);
    bool clipped = r->divisor_rows * r->divisor_cols < r->row_count * r->col_count;
    if (params->global || params->adaptive_h > 0) {
        add(l, FORMULA_TEXT, ": the cells of the window");
    } else if (params->padding_mode == PAD_SAME) {
        /* SAME pads as TensorFlow does and, as TensorFlow, counts input cells only. */
        add(l, FORMULA_TEXT, ": input cells only (SAME padding, as TensorFlow)");
        if (pads > 0 && lines_left(b, 1)) {
            l = line_new(b);
            add(l, FORMULA_TEXT, "%zu padding tap%s add%s 0 to the sum and %s not counted", pads,
                pads == 1 ? "" : "s", pads == 1 ? "s" : "", pads == 1 ? "is" : "are");
        }
    } else if (params->count_include_pad) {
        if (pads > 0)
            add(l, FORMULA_TEXT, ": padding counts (PyTorch's default)");
        else
            add(l, FORMULA_TEXT, ": the taps of the window");
        if (clipped && params->ceil_mode && lines_left(b, 1)) {
            l = line_new(b);
            add(l, FORMULA_TEXT,
                "the ceil-mode window reaches past the padded input: only the %s%s%s taps "
                "inside it count",
                rows, b->g->times, cols);
        }
    } else {
        add(l, FORMULA_TEXT, ": input cells only (--no-count-include-pad)");
        if (pads > 0 && lines_left(b, 1)) {
            l = line_new(b);
            add(l, FORMULA_TEXT, "%zu padding tap%s add%s 0 to the sum and %s not counted", pads,
                pads == 1 ? "" : "s", pads == 1 ? "s" : "", pads == 1 ? "is" : "are");
        }
    }
}

static void winner_line(builder *b)
{
    const pool_explanation *ex = b->ex;
    if (ex->winner < 0 || (size_t)ex->winner >= ex->term_count || !lines_left(b, 1))
        return;
    const pool_term *t = &ex->terms[ex->winner];
    formula_line *l = line_new(b);
    char v[40];
    add(l, FORMULA_TEXT, "%s: ", b->ex->op == POOL_MIN ? "smallest" : "largest");
    add(l, FORMULA_MARK, "%s", num(t->value, v, sizeof v));
    add(l, FORMULA_TEXT, " at row %ld, col %ld", t->row, t->col);
    if (ex->index >= 0)
        add(l, FORMULA_DIM, "  (index %ld in the plane, as --indices saves it)", ex->index);
    if (isnan(b->value) && lines_left(b, 1)) {
        l = line_new(b);
        add(l, FORMULA_TEXT, "a NaN in the window wins (it propagates, as in PyTorch)");
    }
}

/* "label: a, b, c ..." with every weight of the explanation. */
static void weights_list(builder *b, const char *label)
{
    if (!lines_left(b, 1))
        return;
    formula_line *l = line_new(b);
    add(l, FORMULA_TEXT, "%s: ", label);
    int indent = (int)line_width(l);
    if (indent > b->width / 2)
        indent = 4;
    const pool_explanation *ex = b->ex;
    bool first = true;
    for (size_t i = 0; i < ex->term_count && l != NULL; i++) {
        if (ex->terms[i].kind != TAP_INPUT)
            continue;   /* padding adds 0, as the headline shows */
        char w[40];
        num(ex->terms[i].weight, w, sizeof w);
        l = list_item(b, l, indent, first ? "" : ", ", FORMULA_TEXT, w);
        first = false;
    }
}

/* ---- per operator ------------------------------------------------------- */

static void explain_maxmin(builder *b)
{
    winner_line(b);
    padding_note(b, "never win: only input cells compete");
    region_line(b);
}

static void explain_avg_sum(builder *b)
{
    char s[40];
    if (b->ex->op == POOL_AVG)
        divisor_line(b);
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_DIM, "sum of the %zu taps = %s", b->ex->term_count,
            num(b->ex->sum, s, sizeof s));
    }
    padding_note(b, "add 0 to the sum");
    region_line(b);
}

static void explain_powers(builder *b)
{
    const pool_explanation *ex = b->ex;
    const pool_op op = ex->op;
    char p[40], s[40], v[40], d[40];
    num(ex->p, p, sizeof p);
    num(ex->sum, s, sizeof s);
    num(b->value, v, sizeof v);
    if (op == POOL_L2) {
        char label[64];
        snprintf(label, sizeof label, "squares x%s", b->g->squared);
        weights_list(b, label);
        if (lines_left(b, 1)) {
            formula_line *l = line_new(b);
            add(l, FORMULA_TEXT, "sqrt(%s) = ", s);
            add(l, FORMULA_RESULT, "%s", v);
        }
    } else if (ex->lp_torch) {
        char label[64], k[40];
        snprintf(label, sizeof label, "x^%s (no |x|)", p);
        weights_list(b, label);
        num(ex->divisor, d, sizeof d);
        num(ex->part[0] * ex->divisor, k, sizeof k);
        if (lines_left(b, 1)) {
            formula_line *l = line_new(b);
            if (ex->part[0] != 1)
                add(l, FORMULA_TEXT, "%sx^%s = %s over %s cells, times %s: (%s / %s * %s)^(1/%s) = ",
                    b->g->sum, p, s, d, k, s, d, k, p);
            else
                add(l, FORMULA_TEXT, "%sx^%s = %s, then %s%s%s^(1/%s) = ", b->g->sum, p, s,
                    ex->sum < 0 ? "(" : "", s, ex->sum < 0 ? ")" : "", p);
            add(l, FORMULA_RESULT, "%s", v);
        }
        if (ex->part[0] != 1 && lines_left(b, 1)) {
            formula_line *l = line_new(b);
            add(l, FORMULA_DIM,
                "PyTorch's lp_pool2d: the partial window's average times the full %s cells", k);
        }
    } else if (isinf(ex->p)) {
        if (lines_left(b, 1)) {
            formula_line *l = line_new(b);
            add(l, FORMULA_TEXT, "p = inf: the %s is the largest |x| = ",
                op == POOL_LP ? "norm" : "power mean");
            add(l, FORMULA_RESULT, "%s", v);
        }
    } else {
        char label[64];
        snprintf(label, sizeof label, "|x|^%s", p);
        weights_list(b, label);
        if (op == POOL_LP) {
            if (lines_left(b, 1)) {
                formula_line *l = line_new(b);
                add(l, FORMULA_TEXT, "%s|x|^%s = %s, then %s^(1/%s) = ", b->g->sum, p, s, s, p);
                add(l, FORMULA_RESULT, "%s", v);
            }
        } else {
            num(b->region->divisor, d, sizeof d);
            if (lines_left(b, 1)) {
                formula_line *l = line_new(b);
                add(l, FORMULA_TEXT, "the mean of |x|^%s, to the power 1/%s: (%s / %s)^(1/%s) = ",
                    p, p, s, d, p);
                add(l, FORMULA_RESULT, "%s", v);
            }
            divisor_line(b);
        }
    }
    bool negative = false;
    for (size_t i = 0; i < ex->term_count; i++)
        negative |= ex->terms[i].value < 0;
    if (negative && op == POOL_LP && !ex->lp_torch && lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_DIM,
            "note: PyTorch's lp_pool2d takes no |x|; on negative input the two differ");
    }
    padding_note(b, "add 0 to the sum");
    region_line(b);
}

static void explain_stochastic(builder *b)
{
    const pool_explanation *ex = b->ex;
    char s[40], v[40];
    num(ex->sum, s, sizeof s);
    num(b->value, v, sizeof v);
    bool train = b->plan->params.mode == MODE_TRAIN;
    if (ex->sum == 0) {
        if (lines_left(b, 1)) {
            formula_line *l = line_new(b);
            add(l, FORMULA_TEXT, "every value is 0: no value can be drawn, the output is 0");
        }
        region_line(b);
        return;
    }
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "probability of each value a: a / %sa = a / %s", b->g->sum, s);
    }
    /* One line per value with its bar; keep two lines for the result. */
    int room = b->max_lines - b->panel->count - 2;
    if (room > FORMULA_MAX_LINES)
        room = FORMULA_MAX_LINES;
    size_t shown = ex->term_count;
    bool cut = false;
    if ((int)shown > room) {
        shown = room > 1 ? (size_t)(room - 1) : 0;
        cut = true;
    }
    int vw = 1;
    for (size_t i = 0; i < ex->term_count; i++) {
        char t[40];
        int w = (int)strlen(num(ex->terms[i].value, t, sizeof t));
        vw = w > vw ? w : vw;
    }
    int bar = b->width - vw - 24;
    if (bar > 24)
        bar = 24;
    if (bar < 4)
        bar = 4;
    for (size_t i = 0; i < shown; i++) {
        const pool_term *t = &ex->terms[i];
        formula_line *l = line_new(b);
        if (l == NULL)
            break;
        bool drawn = train && ex->winner == (long)i;
        char val[40], pr[40];
        num(t->value, val, sizeof val);
        num(t->weight, pr, sizeof pr);
        add(l, drawn ? FORMULA_MARK : FORMULA_TEXT, "  %*s ", vw, val);
        int filled = (int)lround(t->weight * bar);
        if (filled > bar)
            filled = bar;
        if (filled < 0)
            filled = 0;
        for (int k = 0; k < bar; k++)
            add_text(l, k < filled ? FORMULA_BAR : FORMULA_BAR_EMPTY,
                     k < filled ? b->g->bar_full : b->g->bar_empty);
        add(l, drawn ? FORMULA_MARK : FORMULA_DIM, " %s", pr);
        if (t->kind == TAP_PADDING)
            add(l, FORMULA_DIM, "  (padding)");
        if (drawn)
            add(l, FORMULA_MARK, "  %s drawn", b->g->left);
    }
    if (cut && lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_DIM, "  %s %zu more values", b->g->ellipsis, ex->term_count - shown);
    }
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        if (train) {
            char u[40];
            num(ex->draw, u, sizeof u);
            add(l, FORMULA_TEXT, "train: the draw u = %s falls on ", u);
            add(l, FORMULA_RESULT, "%s", v);
            add(l, FORMULA_TEXT, " (running sums of the probabilities pass u there)");
        } else {
            add(l, FORMULA_TEXT, "eval: the probability-weighted mean %sa%s / %sa = ",
                b->g->sum, b->g->squared, b->g->sum);
            add(l, FORMULA_RESULT, "%s", v);
        }
    }
    region_line(b);
}

/* One axis of a fractional plan: the intervals, the current one marked. */
static void fractional_axis(builder *b, const char *name, int axis)
{
    const pool_plan *plan = b->plan;
    const pool_region *r = b->region;
    const pool_axis *ax = axis == 0 ? &plan->rows : &plan->cols;
    size_t out = plan->out_rank >= 2 && axis == 0 ? plan->out_dims[plan->out_rank - 2]
                                                  : plan->out_dims[plan->out_rank - 1];
    if (axis == 0 && plan->out_rank < 2)
        out = 1;
    size_t in = axis == 0 ? plan->h : plan->w;
    size_t current = axis == 0 ? r->oy : r->ox;
    bool torch = plan->params.fractional_style == FRACTIONAL_TORCH;
    const long *starts = NULL;
    const long *counts = NULL;
    long k = axis == 0 ? plan->params.kernel_h : plan->params.kernel_w;
    if (torch) {
        const long *all = axis == 0 ? plan->plane_row_start : plan->plane_col_start;
        size_t plane = r->n * plan->c + r->c;
        if (all != NULL)
            starts = all + plane * out;
    } else {
        starts = ax->start;
        counts = ax->count;
    }
    if (starts == NULL || !lines_left(b, 1))
        return;
    formula_line *l = line_new(b);
    add(l, FORMULA_TEXT, "%s %zu %s %zu: ", name, in, b->g->arrow, out);
    int indent = (int)line_width(l);
    for (size_t j = 0; j < out && l != NULL; j++) {
        long len = torch ? k : counts[j];
        char item[64];
        snprintf(item, sizeof item, "[%ld,%ld)", starts[j], starts[j] + len);
        l = list_item(b, l, indent, j == 0 ? "" : " ", j == current ? FORMULA_MARK : FORMULA_TEXT,
                      item);
    }
}

static void explain_fractional(builder *b)
{
    const pool_params *params = &b->plan->params;
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        if (params->fractional_style == FRACTIONAL_TORCH)
            add(l, FORMULA_TEXT,
                "torch style: fixed %d%s%d windows at generated starts (u from %s)",
                params->kernel_h, b->g->times, params->kernel_w,
                params->samples_given || params->samples ? "--samples" : "the seed");
        else
            add(l, FORMULA_TEXT, "graham style: %s, %s intervals of sizes %s",
                params->pseudo_random ? "pseudo-random" : "random",
                params->overlapping ? "overlapping" : "disjoint",
                params->overlapping ? "2 or 3" : "1 or 2");
    }
    fractional_axis(b, "rows", 0);
    fractional_axis(b, "cols", 1);
    winner_line(b);
}

static void explain_spp(builder *b)
{
    const pool_plan *plan = b->plan;
    const pool_region *r = b->region;
    for (int li = 0; li < plan->level_count && lines_left(b, 1); li++) {
        int n = plan->levels[li];
        bool current = li == r->level_index;
        formula_line *l = line_new(b);
        add(l, current ? FORMULA_MARK : FORMULA_TEXT, "level %d", n);
        add(l, FORMULA_DIM, " (%d%s%d bins) rows", n, b->g->times, n);
        /* The bins of this level, as the plan gives them: the regions of the
         * first row and the first column of bins of this sample and channel. */
        size_t base = r->n * plan->spp_per_sample + plan->level_offset[li] +
                      r->c * (size_t)n * (size_t)n;
        int indent = 6;
        for (int y = 0; y < n && l != NULL; y++) {
            pool_region bin;
            pool_plan_region(plan, base + (size_t)y * (size_t)n, &bin);
            char item[64];
            snprintf(item, sizeof item, "[%ld,%ld)", bin.row0, bin.row0 + bin.row_count);
            l = list_item(b, l, indent, " ", current && (size_t)y == r->oy ? FORMULA_MARK
                                                                          : FORMULA_TEXT,
                          item);
        }
        if (l != NULL)
            l = list_item(b, l, indent, " ", FORMULA_DIM, "cols");
        for (int x = 0; x < n && l != NULL; x++) {
            pool_region bin;
            pool_plan_region(plan, base + (size_t)x, &bin);
            char item[64];
            snprintf(item, sizeof item, "[%ld,%ld)", bin.col0, bin.col0 + bin.col_count);
            l = list_item(b, l, indent, " ", current && (size_t)x == r->ox ? FORMULA_MARK
                                                                          : FORMULA_TEXT,
                          item);
        }
    }
    winner_line(b);
}

static void explain_bilinear(builder *b)
{
    const pool_explanation *ex = b->ex;
    const pool_params *params = &b->plan->params;
    const pool_region *r = b->region;
    char s[40], d[40], raw[40], v[40];
    num(ex->sum, s, sizeof s);
    num(ex->divisor, d, sizeof d);
    num(ex->raw, raw, sizeof raw);
    num(b->value, v, sizeof v);
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        /* f f-transposed: "ᵀ" where UTF-8 is drawn, "^T" elsewhere. */
        add(l, FORMULA_TEXT,
            "the output is the mean of f f%s over the %s locations (f: the channel vector at one);",
            b->g->utf8 ? "\u1d40" : "^T", d);
        if (lines_left(b, 1)) {
            l = line_new(b);
            add(l, FORMULA_TEXT, "its entry (%zu, %zu) sums f%zu%sf%zu:", r->c, r->c2, r->c,
                b->g->times, r->c2);
        }
    }
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "products: ");
        int indent = (int)line_width(l);
        for (size_t i = 0; i < ex->term_count && l != NULL; i++) {
            char a[40], c[40], item[128];
            num(ex->terms[i].value, a, sizeof a);
            num(ex->terms[i].other, c, sizeof c);
            snprintf(item, sizeof item, "%s%s%s", a, b->g->times, c);
            l = list_item(b, l, indent, i == 0 ? "" : " + ", FORMULA_TEXT, item);
        }
    }
    if (lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "%s = %s, / %s = %s", b->g->sum, s, d, raw);
    }
    if (params->signed_sqrt && lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "signed sqrt: sign(x)%ssqrt(|x|) of %s", b->g->bullet, raw);
    }
    if (params->l2_normalize && lines_left(b, 1)) {
        char nrm[40];
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "l2 normalize: divided by the norm of the whole output, %s",
            num(ex->norm, nrm, sizeof nrm));
    }
    if ((params->signed_sqrt || params->l2_normalize) && lines_left(b, 1)) {
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "= ");
        add(l, FORMULA_RESULT, "%s", v);
    }
}

/* Operators that spell themselves out: the region, then the lines the
 * table's detail function writes (weights, sorted values, stages). */
static void explain_detail(builder *b)
{
    if (pool_op_is_windowed(b->ex->op))
        region_line(b);
    const pool_op_info *info = pool_op_info_of(b->ex->op);
    if (info->detail == NULL)
        return;
    char text[FORMULA_MAX_LINES * 160];
    pool_text tb = {text, sizeof text, 0};
    text[0] = '\0';
    info->detail(b->ex, &tb, (size_t)b->width / 8);
    for (char *line = text; *line != '\0' && lines_left(b, 1);) {
        char *end = strchr(line, '\n');
        if (end != NULL)
            *end = '\0';
        formula_line *l = line_new(b);
        add(l, FORMULA_TEXT, "%s", line);
        if (end == NULL)
            break;
        line = end + 1;
    }
}

void formula_build(formula_panel *panel, const pool_plan *plan, const pool_region *region,
                   const pool_explanation *ex, double value, int width, int max_lines)
{
    builder b = {
        .panel = panel, .plan = plan, .region = region, .ex = ex,
        .g = glyphs_current(), .value = value,
        .width = width < 20 ? 20 : width,
        .max_lines = max_lines < 1 ? 1 : max_lines,
    };
    panel->count = 0;
    headline(&b);
    switch (pool_op_info_of(ex->op)->layout) {
    case FORMULA_LAYOUT_EXTREME:
        explain_maxmin(&b);
        break;
    case FORMULA_LAYOUT_SUM:
        explain_avg_sum(&b);
        break;
    case FORMULA_LAYOUT_POWERS:
        explain_powers(&b);
        break;
    case FORMULA_LAYOUT_STOCHASTIC:
        explain_stochastic(&b);
        break;
    case FORMULA_LAYOUT_FRACTIONAL:
        explain_fractional(&b);
        break;
    case FORMULA_LAYOUT_SPP:
        explain_spp(&b);
        break;
    case FORMULA_LAYOUT_BILINEAR:
        explain_bilinear(&b);
        break;
    case FORMULA_LAYOUT_DETAIL:
        explain_detail(&b);
        break;
    }
}

void formula_to_text(const formula_panel *panel, char *buf, size_t size)
{
    if (size == 0)
        return;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < panel->count; i++) {
        int n = snprintf(buf + used, size - used, "%s\n", panel->lines[i].text);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}
