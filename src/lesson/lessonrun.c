/* lessonrun.c - demos, questions and answers, every number from the core. */
#include "lesson/lessonrun.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/backward.h"
#include "core/change.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/numfmt.h"

#define NO_INPUT SIZE_MAX
#define FORMULA_TERMS 12

/* ---- errors ---------------------------------------------------------------- */

static pv_status block_fail(const lesson *l, const lesson_block *b, pv_error *err,
                            pv_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static pv_status block_fail(const lesson *l, const lesson_block *b, pv_error *err,
                            pv_status status, const char *fmt, ...)
{
    char subject[sizeof err->subject];
    snprintf(subject, sizeof subject, "%s:%d", l->path, b->line);
    char message[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return pv_error_set(err, status, subject, "%s", message);
}

/* A core error re-addressed to the block's line. */
static pv_status block_fail_from(const lesson *l, const lesson_block *b, pv_error *err,
                                 const pv_error *inner)
{
    pv_status status = inner->status == PV_ERR_NOMEM || inner->status == PV_ERR_INTERRUPTED
                           ? inner->status
                           : PV_ERR_DATA;
    return block_fail(l, b, err, status, "%s%s%s", inner->subject,
                      inner->subject[0] ? ": " : "", inner->message);
}

/* ---- computing --------------------------------------------------------------- */

static pv_status pool_one(const lesson *l, const lesson_block *b, const tensor *input,
                          pool_plan **plan, tensor **output, int64_t **indices, pv_error *err)
{
    pv_error inner;
    pv_error_clear(&inner);
    *plan = pool_plan_create(&b->params, input->dtype, input->rank, input->dims, &inner);
    if (*plan == NULL)
        return block_fail_from(l, b, err, &inner);
    *output = pool_forward(*plan, input, NULL, indices && (*plan)->has_indices ? indices : NULL,
                           &inner);
    if (*output == NULL)
        return block_fail_from(l, b, err, &inner);
    return PV_OK;
}

pv_status lesson_compute(const lesson *l, const lesson_block *b, lesson_result *r,
                         pv_error *err)
{
    memset(r, 0, sizeof *r);
    if (b->input >= l->input_count)
        return block_fail(l, b, err, PV_ERR_DATA, "no input for this line");
    r->input = l->inputs[b->input].tensor;
    if (pool_one(l, b, r->input, &r->plan, &r->output, &r->indices, err) != PV_OK)
        return err->status;
    if (b->other != NO_INPUT && b->other < l->input_count) {
        r->other_input = l->inputs[b->other].tensor;
        if (pool_one(l, b, r->other_input, &r->other_plan, &r->other_output, NULL, err) !=
            PV_OK)
            return err->status;
    }
    return PV_OK;
}

void lesson_result_release(lesson_result *r)
{
    if (r == NULL)
        return;
    pool_plan_free(r->plan);
    tensor_free(r->output);
    pv_free(r->indices);
    pool_plan_free(r->other_plan);
    tensor_free(r->other_output);
    memset(r, 0, sizeof *r);
}

void lesson_format_cell(const pool_plan *plan, size_t out_index, char *buf, size_t size)
{
    size_t coord[TENSOR_MAX_RANK];
    size_t rest = out_index;
    for (int d = plan->out_rank; d-- > 0;) {
        coord[d] = plan->out_dims[d] ? rest % plan->out_dims[d] : 0;
        rest = plan->out_dims[d] ? rest / plan->out_dims[d] : 0;
    }
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < plan->out_rank && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", d ? ", " : "", coord[d]);
    if (used < size)
        snprintf(buf + used, size - used, ")");
}

pv_status lesson_output_index(const lesson *l, const lesson_block *b, const pool_plan *plan,
                              size_t *out_index, pv_error *err)
{
    if (b->index_count > plan->out_rank)
        return block_fail(l, b, err, PV_ERR_DATA,
                          "the output has %d dimension%s; give at most %d indices",
                          plan->out_rank, plan->out_rank == 1 ? "" : "s", plan->out_rank);
    size_t index = 0;
    int skip = plan->out_rank - b->index_count;
    for (int d = 0; d < plan->out_rank; d++) {
        long v = d < skip ? 0 : b->index[d - skip];
        if (v < 0 || (size_t)v >= plan->out_dims[d]) {
            char shape[64];
            tensor_format_shape(plan->out_rank, plan->out_dims, shape, sizeof shape);
            return block_fail(l, b, err, PV_ERR_DATA,
                              "output cell index %ld is outside the %s output (indices start "
                              "at 0)",
                              v, shape);
        }
        index = index * plan->out_dims[d] + (size_t)v;
    }
    *out_index = index;
    return PV_OK;
}

/* ---- text helpers -------------------------------------------------------------- */

typedef struct text_out {
    char *buf;
    size_t size, used;
} text_out;

static void put(text_out *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void put(text_out *t, const char *fmt, ...)
{
    if (t->size == 0 || t->used + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->used += (size_t)n < t->size - t->used ? (size_t)n : t->size - t->used - 1;
}

static const char *num(double v, char *buf, size_t size)
{
    pool_format_number(v, buf, size);
    return buf;
}

static void shape_text(int rank, const size_t *dims, char *buf, size_t size)
{
    tensor_format_shape(rank, dims, buf, size);
}

/* "rows 0-1, columns 2-3" of a region (with the channel when there are
 * several, and what the padding and dilation do). */
static void describe_region(const pool_plan *plan, const pool_region *rg, text_out *t)
{
    const pool_params *prm = &plan->params;
    if (prm->op == POOL_BILINEAR) {
        put(t, "it averages f_%zu * f_%zu (channels %zu and %zu) over all %zu locations", rg->c,
            rg->c2, rg->c, rg->c2, plan->h * plan->w);
        return;
    }
    long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
    long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
    if (prm->op == POOL_SPP)
        put(t, "level %d (%dx%d bins), bin (%zu, %zu): ", rg->level, rg->level, rg->level,
            rg->oy, rg->ox);
    if (r_last == rg->row0)
        put(t, "row %ld", rg->row0);
    else
        put(t, "rows %ld to %ld", rg->row0, r_last);
    if (c_last == rg->col0)
        put(t, ", column %ld", rg->col0);
    else
        put(t, ", columns %ld to %ld", rg->col0, c_last);
    if (plan->n > 1)
        put(t, " of sample %zu, channel %zu", rg->n, rg->c);
    else if (plan->c > 1)
        put(t, " of channel %zu", rg->c);
    if (rg->row_step > 1 || rg->col_step > 1)
        put(t, " (every %ld%s tap: dilation)", rg->row_step > 1 ? rg->row_step : rg->col_step,
            (rg->row_step > 1 ? rg->row_step : rg->col_step) == 2 ? "nd" : "th");
    bool padding = rg->row0 < 0 || rg->col0 < 0 || r_last >= (long)plan->h ||
                   c_last >= (long)plan->w;
    if (padding)
        put(t, "; negative or too large indices are padding");
}

/* An alternative value: the same region with one setting changed, by the
 * core.  False when that plan is not valid. */
static bool alternative_value(const lesson_block *b, const tensor *input, size_t out_index,
                              const char *key, const char *value, double *out)
{
    pool_params params;
    pv_error err;
    if (pool_params_copy(&params, &b->params, &err) != PV_OK)
        return false;
    bool ok = false;
    if (pool_params_set(&params, key, value, &err) == PV_OK) {
        pool_plan *plan =
            pool_plan_create(&params, input->dtype, input->rank, input->dims, &err);
        if (plan != NULL && out_index < plan->out_count) {
            pool_explanation ex;
            if (pool_explain(plan, input, out_index, &ex, &err) == PV_OK) {
                *out = ex.result;
                ok = true;
                pool_explanation_release(&ex);
            }
        }
        pool_plan_free(plan);
    }
    pool_params_release(&params);
    return ok;
}

/* The output shape with settings changed (pairs of key, value; NULL-ended). */
static bool alternative_shape(const lesson_block *b, const tensor *input, int *rank,
                              size_t *dims, ...)
{
    pool_params params;
    pv_error err;
    if (pool_params_copy(&params, &b->params, &err) != PV_OK)
        return false;
    bool ok = true;
    va_list ap;
    va_start(ap, dims);
    const char *key;
    while (ok && (key = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        ok = pool_params_set(&params, key, value, &err) == PV_OK;
    }
    va_end(ap);
    if (ok) {
        pool_plan *plan =
            pool_plan_create(&params, input->dtype, input->rank, input->dims, &err);
        ok = plan != NULL;
        if (ok) {
            *rank = plan->out_rank;
            memcpy(dims, plan->out_dims, sizeof plan->out_dims);
        }
        pool_plan_free(plan);
    }
    pool_params_release(&params);
    return ok;
}

static void add_value_mistake(lesson_answer *a, double value, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void add_value_mistake(lesson_answer *a, double value, const char *fmt, ...)
{
    if (a->mistake_count >= LESSON_MAX_MISTAKES || isnan(value))
        return;
    if (fabs(value - a->value) <= 1e-9 * fmax(1, fabs(a->value)))
        return;    /* not a mistake here: it is the right value too */
    for (int i = 0; i < a->mistake_count; i++)
        if (!a->mistakes[i].is_count && a->mistakes[i].value == value)
            return;
    lesson_mistake *m = &a->mistakes[a->mistake_count++];
    memset(m, 0, sizeof *m);
    m->value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->note, sizeof m->note, fmt, ap);
    va_end(ap);
}

static void add_dims_mistake(lesson_answer *a, int rank, const size_t *dims, const char *fmt,
                             ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void add_dims_mistake(lesson_answer *a, int rank, const size_t *dims, const char *fmt,
                             ...)
{
    if (a->mistake_count >= LESSON_MAX_MISTAKES)
        return;
    if (rank == a->rank && memcmp(dims, a->dims, (size_t)rank * sizeof *dims) == 0)
        return;
    for (int i = 0; i < a->mistake_count; i++)
        if (a->mistakes[i].is_count && a->mistakes[i].rank == rank &&
            memcmp(a->mistakes[i].dims, dims, (size_t)rank * sizeof *dims) == 0)
            return;
    lesson_mistake *m = &a->mistakes[a->mistake_count++];
    memset(m, 0, sizeof *m);
    m->is_count = true;
    m->rank = rank;
    memcpy(m->dims, dims, (size_t)rank * sizeof *dims);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->note, sizeof m->note, fmt, ap);
    va_end(ap);
}

/* ---- the questions ------------------------------------------------------------- */

/* The sink the operator table's mistakes hook fills: a value question's
 * block, input and output cell, and its answer. */
typedef struct mistake_target {
    const lesson_block *block;
    const tensor *input;
    size_t out_index;
    lesson_answer *answer;
} mistake_target;

static void mistake_add(void *ctx, double value, const char *note)
{
    add_value_mistake(((mistake_target *)ctx)->answer, value, "%s", note);
}

static bool mistake_alternative(void *ctx, const char *key, const char *value, double *out)
{
    const mistake_target *mt = ctx;
    return alternative_value(mt->block, mt->input, mt->out_index, key, value, out);
}

static void value_mistakes(const lesson_block *b, const pool_plan *plan, const tensor *input,
                           size_t idx, const pool_explanation *ex, lesson_answer *a)
{
    mistake_target target = {b, input, idx, a};
    const pool_mistake_sink sink = {mistake_add, mistake_alternative, &target};
    const pool_op_info *info = pool_op_info_of(plan->params.op);
    if (info->mistakes != NULL)
        info->mistakes(plan, ex, &sink);
}

static pv_status solve_value(const lesson *l, const lesson_block *q, const lesson_result *r,
                             lesson_answer *a, pv_error *err)
{
    size_t idx;
    if (lesson_output_index(l, q, r->plan, &idx, err) != PV_OK)
        return err->status;
    char cell[64];
    lesson_format_cell(r->plan, idx, cell, sizeof cell);
    a->value = tensor_get(r->output, idx);
    num(a->value, a->answer, sizeof a->answer);
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt, "What is the value of output cell %s?", cell);

    pool_explanation ex;
    pv_error inner;
    if (pool_explain(r->plan, r->input, idx, &ex, &inner) != PV_OK)
        return block_fail_from(l, q, err, &inner);
    pool_region rg;
    pool_plan_region(r->plan, idx, &rg);
    text_out h = {a->hint, sizeof a->hint, 0};
    put(&h, "Hint: output cell %s covers ", cell);
    describe_region(r->plan, &rg, &h);
    put(&h, ".");
    text_out t = {a->explanation, sizeof a->explanation, 0};
    put(&t, "Output cell %s: ", cell);
    describe_region(r->plan, &rg, &t);
    char formula[1024];
    pool_explanation_format(&ex, a->value, FORMULA_TERMS, formula, sizeof formula);
    put(&t, ".\n%s", formula);
    if (r->plan->params.op == POOL_AVG && ex.input_count != (size_t)ex.divisor &&
        r->plan->params.divisor == 0)
        put(&t, "\nThe divisor %s %s the padding cells (%s).", num(ex.divisor, cell, 40),
            r->plan->params.count_include_pad ? "counts" : "leaves out",
            r->plan->params.count_include_pad ? "PyTorch's default, count_include_pad"
                                              : "no-count-include-pad");
    if (pool_op_uses(r->plan->params.op, OP_USES_MODE) && !ex.eval && ex.winner >= 0) {
        const pool_term *w = &ex.terms[ex.winner];
        char v[40], pr[40];
        put(&t, "\nThe draw picked input cell (%ld, %ld), the activation %s (probability %s).",
            w->row, w->col, num(w->value, v, sizeof v), num(w->weight, pr, sizeof pr));
    }
    value_mistakes(q, r->plan, r->input, idx, &ex, a);
    pool_explanation_release(&ex);
    return PV_OK;
}

static bool op_has_windows(pool_op op)
{
    return pool_op_info_of(op)->family != OP_FAMILY_WHOLE_PLANE;
}

static pv_status solve_size(const lesson *l, const lesson_block *q, const lesson_result *r,
                            lesson_answer *a, pv_error *err)
{
    (void)l;
    (void)err;
    const pool_plan *plan = r->plan;
    const pool_params *prm = &plan->params;
    a->rank = plan->out_rank;
    memcpy(a->dims, plan->out_dims, sizeof a->dims);
    a->plane_rank = op_has_windows(prm->op) && plan->out_rank > 2 ? 2 : plan->out_rank;
    shape_text(a->rank, a->dims, a->answer, sizeof a->answer);
    char in_shape[64];
    shape_text(r->input->rank, r->input->dims, in_shape, sizeof in_shape);
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt,
                 "The input is %s. What is the size of the output (%s)?", in_shape,
                 a->plane_rank == 2 ? "rows x columns" : "its shape");

    const char *hint = "Hint: work out the rows and the columns separately.";
    if (prm->op == POOL_SPP)
        hint = "Hint: each level n gives n x n bins per channel, whatever the input size.";
    else if (prm->op == POOL_BILINEAR)
        hint = "Hint: there is one entry per pair of channels.";
    else if (prm->op == POOL_FRACTIONAL)
        hint = "Hint: on each axis the output is the given size, or floor(in / ratio).";
    else if (prm->global)
        hint = "Hint: one window covers the whole plane.";
    else if (prm->adaptive_h > 0)
        hint = "Hint: adaptive pooling is told its output size.";
    else if (prm->padding_mode == PAD_SAME)
        hint = "Hint: padding 'same' gives ceil(in / stride) on each axis.";
    else
        hint = prm->ceil_mode ? "Hint: on each axis, (in + 2*pad - dilation*(kernel-1) - 1) / "
                                "stride, rounded up, + 1; then check the last window."
                              : "Hint: on each axis, (in + 2*pad - dilation*(kernel-1) - 1) / "
                                "stride, rounded down, + 1.";
    snprintf(a->hint, sizeof a->hint, "%s", hint);
    text_out t = {a->explanation, sizeof a->explanation, 0};
    char line[1024];
    pool_plan_explain_size(plan, 0, line, sizeof line);
    put(&t, "%s", line);
    if (op_has_windows(prm->op)) {
        pool_plan_explain_size(plan, 1, line, sizeof line);
        put(&t, "\n%s", line);
    }
    if (op_has_windows(prm->op) && plan->out_rank > 2)
        put(&t, "\nEach of the %zu plane%s is pooled on its own, so the output is %s.",
            plan->n * plan->c, plan->n * plan->c == 1 ? "" : "s", a->answer);
    else
        put(&t, "\nSo the output is %s.", a->answer);

    /* Classic mistakes, each computed by the core with one setting changed. */
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    char shape[64];
    bool windowed = pool_op_is_windowed(prm->op) && !prm->global && prm->adaptive_h == 0;
    if (windowed && prm->padding_mode == PAD_EXPLICIT &&
        alternative_shape(q, r->input, &rank, dims, "ceil-mode",
                          prm->ceil_mode ? "false" : "true", (const char *)NULL)) {
        shape_text(rank, dims, shape, sizeof shape);
        add_dims_mistake(a, rank, dims, "%s is the size with ceil_mode %s; here the division "
                         "is rounded %s",
                         shape, prm->ceil_mode ? "off" : "on",
                         prm->ceil_mode ? "up (ceil_mode)" : "down (floor)");
    }
    if (windowed && (prm->pad_h > 0 || prm->pad_w > 0) && prm->padding_mode == PAD_EXPLICIT &&
        alternative_shape(q, r->input, &rank, dims, "padding", "0", (const char *)NULL)) {
        shape_text(rank, dims, shape, sizeof shape);
        add_dims_mistake(a, rank, dims, "%s would be the size without the padding", shape);
    }
    if (windowed && (plan->rows.stride != 1 || plan->cols.stride != 1) &&
        alternative_shape(q, r->input, &rank, dims, "stride", "1", (const char *)NULL)) {
        shape_text(rank, dims, shape, sizeof shape);
        add_dims_mistake(a, rank, dims, "%s is the size with stride 1; here the window moves "
                         "%ld cells at a time", shape, plan->cols.stride);
    }
    if (prm->op == POOL_SPP) {
        /* The level used as a kernel size: max pooling n x n, stride n. */
        size_t total = 0;
        bool ok = true;
        for (int i = 0; i < plan->level_count && ok; i++) {
            char k[16];
            snprintf(k, sizeof k, "%d", plan->levels[i]);
            int lr;
            size_t ld[TENSOR_MAX_RANK];
            ok = alternative_shape(q, r->input, &lr, ld, "op", "max", "kernel", k, "stride", k,
                                   (const char *)NULL);
            if (ok)
                total += ld[lr - 1] * ld[lr - 2] * plan->c;
        }
        if (ok) {
            size_t d[TENSOR_MAX_RANK];
            memcpy(d, a->dims, sizeof d);
            d[a->rank - 1] = total;
            char wrong[64];
            shape_text(a->rank, d, wrong, sizeof wrong);
            add_dims_mistake(a, a->rank, d, "%s uses each level n as an n x n kernel; then the "
                             "length depends on the input size. A level is the number of "
                             "bins per side: n x n bins whatever the input", wrong);
        }
    }
    /* The number of cells instead of the shape. */
    if (a->rank >= 2) {
        size_t cells = 1;
        for (int d = a->rank - a->plane_rank; d < a->rank; d++)
            cells *= a->dims[d];
        size_t d1[1] = {cells};
        add_dims_mistake(a, 1, d1, "%zu is the number of output cells; give the shape, rows x "
                         "columns", cells);
    }
    return PV_OK;
}

static pv_status solve_argmax(const lesson *l, const lesson_block *q, const lesson_result *r,
                              lesson_answer *a, pv_error *err)
{
    size_t idx;
    if (lesson_output_index(l, q, r->plan, &idx, err) != PV_OK)
        return err->status;
    pool_op op = r->plan->params.op;
    if (!pool_op_picks_cell(&r->plan->params))
        return block_fail(l, q, err, PV_ERR_DATA,
                          "@ask argmax: %s has no winning cell (it suits the operators whose "
                          "value is one of the region's cells: max, min, fractional, spp and "
                          "stochastic in training)",
                          pool_op_info_of(op)->words);
    pool_explanation ex;
    pv_error inner;
    if (pool_explain(r->plan, r->input, idx, &ex, &inner) != PV_OK)
        return block_fail_from(l, q, err, &inner);
    char cell[64];
    lesson_format_cell(r->plan, idx, cell, sizeof cell);
    if (ex.winner < 0 || ex.terms[ex.winner].kind != TAP_INPUT) {
        pool_explanation_release(&ex);
        return block_fail(l, q, err, PV_ERR_DATA,
                          "@ask argmax: output cell %s has no input cell to win", cell);
    }
    const pool_term *w = &ex.terms[ex.winner];
    a->row = w->row;
    a->col = w->col;
    a->flat = w->row * (long)r->plan->w + w->col;
    a->value = tensor_get(r->output, idx);
    snprintf(a->answer, sizeof a->answer, "(%ld, %ld)", a->row, a->col);
    const char *what = op == POOL_MIN ? "wins the minimum of"
                       : op == POOL_STOCHASTIC ? "is drawn for"
                                               : "wins the maximum of";
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt,
                 "Which input cell (row, column) %s output cell %s?", what, cell);
    text_out t = {a->explanation, sizeof a->explanation, 0};
    pool_region rg;
    pool_plan_region(r->plan, idx, &rg);
    text_out h = {a->hint, sizeof a->hint, 0};
    put(&h, "Hint: output cell %s covers ", cell);
    describe_region(r->plan, &rg, &h);
    put(&h, "; rows and columns are counted from 0.");
    put(&t, "Output cell %s: ", cell);
    describe_region(r->plan, &rg, &t);
    char formula[1024], v[40];
    pool_explanation_format(&ex, a->value, FORMULA_TERMS, formula, sizeof formula);
    put(&t, ".\n%s\nThe value %s sits at input cell (%ld, %ld): row %ld, column %ld "
        "(--indices reports %ld = %ld * %zu + %ld).",
        formula, num(w->value, v, sizeof v), a->row, a->col, a->row, a->col, a->flat, a->row,
        r->plan->w, a->col);
    /* The output cell's own position is a classic slip. */
    size_t pos[2] = {rg.oy, rg.ox};
    if (op != POOL_SPP && ((long)pos[0] != a->row || (long)pos[1] != a->col)) {
        a->rank = 2;
        add_dims_mistake(a, 2, pos, "(%zu, %zu) is the output cell; the question asks where "
                         "the winner sits in the input", pos[0], pos[1]);
        a->rank = 0;
    }
    pool_explanation_release(&ex);
    return PV_OK;
}

static pv_status solve_regions(const lesson *l, const lesson_block *q, const lesson_result *r,
                               lesson_answer *a)
{
    (void)l;
    const pool_plan *plan = r->plan;
    a->count = plan->out_count;
    snprintf(a->answer, sizeof a->answer, "%zu", a->count);
    char in_shape[64], out_shape[64];
    shape_text(r->input->rank, r->input->dims, in_shape, sizeof in_shape);
    shape_text(plan->out_rank, plan->out_dims, out_shape, sizeof out_shape);
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt,
                 "The input is %s. How many regions does the stepper visit?", in_shape);
    snprintf(a->hint, sizeof a->hint, "Hint: the stepper visits one region per output cell.");
    text_out t = {a->explanation, sizeof a->explanation, 0};
    put(&t, "One region per output cell: the output is %s, so ", out_shape);
    for (int d = 0; d < plan->out_rank; d++)
        put(&t, "%s%zu", d ? " x " : "", plan->out_dims[d]);
    put(&t, " = %zu regions.", a->count);
    if (plan->params.op == POOL_BILINEAR)
        put(&t, " (For bilinear pooling a region is a pair of channels.)");
    size_t d1[1] = {r->input->count};
    a->rank = 1;
    a->dims[0] = a->count;
    add_dims_mistake(a, 1, d1, "%zu is the number of input cells; count the windows instead",
                     r->input->count);
    a->rank = 0;
    return PV_OK;
}

/* dL/dx of the question's input when every dL/dy is 1 (the backward pass
 * of the core); NULL with err filled. */
static tensor *backward_ones(const lesson *l, const lesson_block *q, const lesson_result *r,
                             pv_error *err)
{
    pv_error inner;
    tensor *dy = tensor_new(TENSOR_F64, r->plan->out_rank, r->plan->out_dims, &inner);
    if (dy == NULL) {
        block_fail_from(l, q, err, &inner);
        return NULL;
    }
    for (size_t i = 0; i < dy->count; i++)
        tensor_set(dy, i, 1);
    tensor *dx = pool_backward(r->plan, r->input, dy, NULL, &inner);
    tensor_free(dy);
    if (dx == NULL)
        block_fail_from(l, q, err, &inner);
    return dx;
}

/* The flat input index a grad question points at (missing leading indices
 * are 0). */
static pv_status input_index(const lesson *l, const lesson_block *q, const tensor *in,
                             size_t *flat, pv_error *err)
{
    if (q->index_count > in->rank)
        return block_fail(l, q, err, PV_ERR_DATA, "@ask grad: %d indices for a %d-d input",
                          q->index_count, in->rank);
    size_t at = 0;
    for (int d = 0; d < in->rank; d++) {
        int k = d - (in->rank - q->index_count);
        long i = k >= 0 ? q->index[k] : 0;
        if (i < 0 || (size_t)i >= in->dims[d])
            return block_fail(l, q, err, PV_ERR_DATA,
                              "@ask grad: index %ld is outside the input (dimension %d has %zu)",
                              i, d, in->dims[d]);
        at = at * in->dims[d] + (size_t)i;
    }
    *flat = at;
    return PV_OK;
}

static pv_status solve_grad(const lesson *l, const lesson_block *q, const lesson_result *r,
                            lesson_answer *a, pv_error *err)
{
    size_t flat = 0;
    if (input_index(l, q, r->input, &flat, err) != PV_OK)
        return err->status;
    tensor *dx = backward_ones(l, q, r, err);
    if (dx == NULL)
        return err->status;
    a->value = tensor_get(dx, flat);
    tensor_free(dx);
    num(a->value, a->answer, sizeof a->answer);
    const long row = (long)(flat % (r->plan->h * r->plan->w) / r->plan->w);
    const long col = (long)(flat % r->plan->w);
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt,
                 "Every output cell passes back dL/dy = 1. What gradient dL/dx reaches input "
                 "cell (%ld, %ld)?", row, col);
    snprintf(a->hint, sizeof a->hint,
             "Hint: find every window that holds cell (%ld, %ld) and add what each one sends "
             "back to it.", row, col);
    text_out t = {a->explanation, sizeof a->explanation, 0};
    put(&t, "dx[%ld, %ld] adds up what each window holding the cell sends back:", row, col);
    size_t windows = 0, receiving = 0;
    double first_share = 0;
    for (size_t o = 0; o < r->plan->out_count; o++) {
        pool_grad_region g;
        pv_error inner;
        if (pool_backward_region(r->plan, r->input, o, &g, &inner) != PV_OK)
            return block_fail_from(l, q, err, &inner);
        for (size_t k = 0; k < g.count; k++) {
            if (g.terms[k].index != flat)
                continue;
            char cell[64], w[40];
            lesson_format_cell(r->plan, o, cell, sizeof cell);
            if (windows < 8)
                put(&t, "%s window %s sends dL/dy x dy/dx = 1 x %s", windows ? ";" : "", cell,
                    num(g.terms[k].weight, w, sizeof w));
            else if (windows == 8)
                put(&t, "; ...");
            if (windows == 0)
                first_share = g.terms[k].weight;
            windows++;
            receiving += g.terms[k].weight != 0;
        }
        pool_grad_region_release(&g);
    }
    char v[40];
    if (windows == 0)
        put(&t, " no window holds it, so nothing comes back: 0.");
    else
        put(&t, ".\nIn all %zu window%s: %s.", windows, windows == 1 ? "" : "s",
            num(a->value, v, sizeof v));
    const pool_op op = r->plan->params.op;
    if ((op == POOL_MAX || op == POOL_MIN) && windows > 0 && receiving == 0)
        add_value_mistake(a, 1, "cell (%ld, %ld) is in a window but never wins it: %s sends "
                          "the whole gradient to the winner and nothing to the others",
                          row, col, op == POOL_MAX ? "max" : "min");
    if (windows > 1 && first_share != 0)
        add_value_mistake(a, first_share, "that is what one window sends; the cell is in %zu "
                          "windows and their shares add up", windows);
    return PV_OK;
}

static pv_status solve_learning(const lesson *l, const lesson_block *q, const lesson_result *r,
                                lesson_answer *a, pv_error *err)
{
    tensor *dx = backward_ones(l, q, r, err);
    if (dx == NULL)
        return err->status;
    size_t learning = 0;
    for (size_t i = 0; i < dx->count; i++)
        learning += tensor_get(dx, i) != 0;
    tensor_free(dx);
    a->count = learning;
    snprintf(a->answer, sizeof a->answer, "%zu", learning);
    char in_shape[64];
    shape_text(r->input->rank, r->input->dims, in_shape, sizeof in_shape);
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt,
                 "The input is %s. How many input cells get a gradient that is not 0 "
                 "(every dL/dy = 1)?", in_shape);
    snprintf(a->hint, sizeof a->hint,
             "Hint: a cell learns when some window sends it part of its gradient.");
    text_out t = {a->explanation, sizeof a->explanation, 0};
    put(&t, "%zu of the %zu input cells get a gradient; the other %zu get 0 and do not learn "
        "from this step.", learning, r->input->count, r->input->count - learning);
    const pool_op op = r->plan->params.op;
    if (op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL || op == POOL_SPP)
        put(&t, "\nEach window sends its gradient to one cell, its winner; a cell that wins "
            "several windows counts once.");
    a->rank = 1;
    a->dims[0] = a->count;
    size_t all[1] = {r->input->count}, outs[1] = {r->plan->out_count};
    add_dims_mistake(a, 1, all, "%zu is every input cell; only the cells some window sends "
                     "gradient to learn", r->input->count);
    add_dims_mistake(a, 1, outs, "%zu is the number of windows; count the input cells that "
                     "receive something (a cell may win several windows)",
                     r->plan->out_count);
    a->rank = 0;
    return PV_OK;
}

static bool same_value(double x, double y)
{
    return x == y || (isnan(x) && isnan(y));
}

static pv_status solve_changed(const lesson *l, const lesson_block *q, const lesson_result *r,
                               lesson_answer *a, pv_error *err)
{
    const pool_plan *p1 = r->plan, *p2 = r->other_plan;
    const char *name = l->inputs[q->other].name;
    const char *first = l->inputs[q->input].name;
    if (p2 == NULL || p1->out_rank != p2->out_rank ||
        memcmp(p1->out_dims, p2->out_dims, sizeof p1->out_dims) != 0)
        return block_fail(l, q, err, PV_ERR_DATA,
                          "@ask changed: %s and %s do not pool to the same shape",
                          first[0] ? first : "the input", name);
    pool_change change;
    if (pool_change_measure(r->output, r->other_output, &change, err) != PV_OK)
        return err->status;
    const size_t changed = change.cells - change.kept;
    snprintf(a->hint, sizeof a->hint,
             "Hint: pool both inputs with the same settings and compare cell by cell.");
    text_out t = {a->explanation, sizeof a->explanation, 0};
    size_t listed = 0;
    for (size_t i = 0; i < p1->out_count && listed <= 8; i++) {
        double x = tensor_get(r->output, i), y = tensor_get(r->other_output, i);
        if (same_value(x, y))
            continue;
        if (listed < 8) {
            char cell[64], vx[40], vy[40];
            lesson_format_cell(p1, i, cell, sizeof cell);
            put(&t, "%s%s: %s -> %s", listed ? ", " : "Changed: ", cell, num(x, vx, sizeof vx),
                num(y, vy, sizeof vy));
        } else {
            put(&t, ", ...");
        }
        listed++;
    }
    a->count = changed;
    snprintf(a->answer, sizeof a->answer, "%zu", changed);
    if (changed == 0)
        put(&t, "No output cell changes: every window keeps its %s.",
            p1->params.op == POOL_MAX ? "maximum" : "value");
    put(&t, "\n%zu of the %zu output cells differ.", changed, p1->out_count);
    if (changed > 0) {
        char big[40], mean[40];
        put(&t, " Consistency: %zu of %zu cells keep their value (%.0f%%); the others move "
                "by %s at most, %s on average over all cells.",
            change.kept, change.cells, 100 * change.consistency,
            num(change.largest, big, sizeof big), num(change.mean, mean, sizeof mean));
    }
    if (q->text == NULL)
        snprintf(a->prompt, sizeof a->prompt,
                 "How many output cells change when %s is replaced by %s?",
                 first[0] ? first : "the input", name);
    return PV_OK;
}

pv_status lesson_solve(const lesson *l, const lesson_block *q, lesson_answer *a, pv_error *err)
{
    memset(a, 0, sizeof *a);
    a->kind = q->ask;
    if (q->kind != LESSON_QUESTION)
        return block_fail(l, q, err, PV_ERR_USAGE, "not a question");
    if (q->text != NULL)
        snprintf(a->prompt, sizeof a->prompt, "%s", q->text);
    lesson_result r;
    pv_status status = lesson_compute(l, q, &r, err);
    if (status == PV_OK) {
        switch (q->ask) {
        case LESSON_ASK_VALUE:
            status = solve_value(l, q, &r, a, err);
            break;
        case LESSON_ASK_SIZE:
            status = solve_size(l, q, &r, a, err);
            break;
        case LESSON_ASK_ARGMAX:
            status = solve_argmax(l, q, &r, a, err);
            break;
        case LESSON_ASK_REGIONS:
            status = solve_regions(l, q, &r, a);
            break;
        case LESSON_ASK_CHANGED:
            status = solve_changed(l, q, &r, a, err);
            break;
        case LESSON_ASK_GRAD:
            status = solve_grad(l, q, &r, a, err);
            break;
        case LESSON_ASK_LEARNING:
            status = solve_learning(l, q, &r, a, err);
            break;
        }
    }
    lesson_result_release(&r);
    return status;
}

/* ---- reading answers ---------------------------------------------------------- */

/* How deep brackets, roots, signs and powers may nest in a typed answer: the
 * parser recurses once per level, and no answer anyone means comes near it. */
#define EXPR_MAX_DEPTH 64

typedef struct expr {
    const char *s;
    bool ok;
    int tokens;         /* numbers and operators seen, to tell a plain number */
    int decimals;
    int depth;          /* nesting levels open */
    const char *why;    /* what is wrong, when more can be said than "not a number" */
} expr;

static void expr_blank(expr *e)
{
    while (*e->s == ' ' || *e->s == '\t')
        e->s++;
}

static void expr_fail(expr *e, const char *why)
{
    if (e->ok && why != NULL)
        e->why = why;
    e->ok = false;
}

/* Open one nesting level; false (and the expression failed) past the limit. */
static bool expr_enter(expr *e)
{
    if (e->depth >= EXPR_MAX_DEPTH) {
        expr_fail(e, "it nests brackets, roots, signs or powers more than 64 deep");
        return false;
    }
    e->depth++;
    return true;
}

/* The characters of a decimal number at s: digits, one decimal point or comma
 * followed by digits, an exponent.  0 when there is none; *decimals receives
 * the digits after the point, or -1 with an exponent. */
static size_t number_span(const char *s, int *decimals)
{
    size_t n = 0;
    bool any = false;
    *decimals = 0;
    while (isdigit((unsigned char)s[n])) {
        n++;
        any = true;
    }
    if ((s[n] == '.' || s[n] == ',') && isdigit((unsigned char)s[n + 1])) {
        n++;
        while (isdigit((unsigned char)s[n])) {
            n++;
            (*decimals)++;
        }
        any = true;
    }
    if (!any)
        return 0;
    if (s[n] == 'e' || s[n] == 'E') {
        size_t sign = s[n + 1] == '-' || s[n + 1] == '+';
        if (isdigit((unsigned char)s[n + 1 + sign])) {
            n += 1 + sign;
            while (isdigit((unsigned char)s[n]))
                n++;
            *decimals = -1;
        }
    }
    return n;
}

static double expr_sum(expr *e);

/* A decimal number; a comma between digits is a decimal point.  It is copied
 * to a buffer of its own length for strtod (which wants a point), so no
 * length of digits or exponent is too long: the value is what it means
 * (±inf or 0 out of range). */
static double expr_number(expr *e)
{
    int decimals;
    size_t n = number_span(e->s, &decimals);
    if (n == 0) {
        expr_fail(e, NULL);
        return 0;
    }
    char *text = pv_malloc(n + 1);
    if (text == NULL) {
        expr_fail(e, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        text[i] = e->s[i] == ',' ? '.' : e->s[i];
    text[n] = '\0';
    char *end;
    double v = strtod(text, &end);
    bool whole = end == text + n;       /* not so only under a locale with a decimal comma */
    pv_free(text);
    if (!whole) {
        expr_fail(e, NULL);
        return 0;
    }
    e->s += n;
    e->tokens++;
    e->decimals = decimals;
    return v;
}

static double expr_primary(expr *e)
{
    expr_blank(e);
    const char *s = e->s;
    if (*s == '(') {
        if (!expr_enter(e))
            return 0;
        e->s++;
        e->tokens += 2;
        double v = expr_sum(e);
        expr_blank(e);
        if (*e->s != ')')
            expr_fail(e, NULL);
        else
            e->s++;
        e->depth--;
        return v;
    }
    if (strncasecmp(s, "sqrt", 4) == 0 || strncmp(s, "\xE2\x88\x9A", 3) == 0) {
        if (!expr_enter(e))
            return 0;
        e->s += s[0] == '\xE2' ? 3 : 4;
        e->tokens += 2;
        double v = expr_primary(e);
        e->depth--;
        return v < 0 ? NAN : sqrt(v);
    }
    if (strncasecmp(s, "inf", 3) == 0) {
        e->s += strncasecmp(s, "infinity", 8) == 0 ? 8 : 3;
        e->tokens++;
        return INFINITY;
    }
    if (strncasecmp(s, "nan", 3) == 0) {
        e->s += 3;
        e->tokens++;
        return NAN;
    }
    return expr_number(e);
}

static double expr_unary(expr *e)
{
    expr_blank(e);
    if (*e->s == '-' || *e->s == '+') {
        if (!expr_enter(e))
            return 0;
        bool minus = *e->s == '-';
        e->s++;
        double v = expr_unary(e);
        e->depth--;
        return minus ? -v : v;
    }
    double v = expr_primary(e);
    if (!e->ok)
        return 0;
    expr_blank(e);
    if (*e->s == '^') {
        if (!expr_enter(e))
            return 0;
        e->s++;
        e->tokens++;
        double exponent = expr_unary(e);
        e->depth--;
        v = pow(v, exponent);
    }
    return v;
}

static double expr_product(expr *e)
{
    double v = expr_unary(e);
    while (e->ok) {
        expr_blank(e);
        char c = *e->s;
        if (c != '*' && c != '/')
            break;
        e->s++;
        e->tokens++;
        double rhs = expr_unary(e);
        v = c == '*' ? v * rhs : v / rhs;
    }
    return v;
}

static double expr_sum(expr *e)
{
    double v = expr_product(e);
    while (e->ok) {
        expr_blank(e);
        char c = *e->s;
        if (c != '+' && c != '-')
            break;
        e->s++;
        e->tokens++;
        double rhs = expr_product(e);
        v = c == '+' ? v + rhs : v - rhs;
    }
    return v;
}

bool lesson_eval_number(const char *text, double *value, int *decimals, const char **why)
{
    expr e = {text, true, 0, -1, 0, NULL};
    if (why != NULL)
        *why = NULL;
    expr_blank(&e);
    if (*e.s == '=')
        e.s++;
    double v = expr_sum(&e);
    expr_blank(&e);
    if (e.ok && *e.s != '\0')
        expr_fail(&e, NULL);
    if (!e.ok) {
        if (why != NULL)
            *why = e.why;
        return false;
    }
    *value = v;
    if (decimals != NULL)
        *decimals = e.tokens == 1 ? e.decimals : -1;
    return true;
}

/* Whole numbers in the text, in order (at most max).  False when the text
 * holds something that is not a whole number or a separator. */
static bool read_integers(const char *text, long *out, int max, int *count)
{
    static const char *const fillers[] = {"rows", "row", "columns", "column", "cols", "col",
                                          "by", "and", "x", "times", "r", "c", NULL};
    *count = 0;
    const char *s = text;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (isdigit(c)) {
            char *end;
            long v = strtol(s, &end, 10);
            if (*end == '.' && isdigit((unsigned char)end[1]))
                return false;
            if (*count >= max)
                return false;
            out[(*count)++] = v;
            s = end;
        } else if (isalpha(c)) {
            size_t n = 0;
            while (isalpha((unsigned char)s[n]))
                n++;
            bool filler = false;
            for (int i = 0; fillers[i]; i++)
                if (strlen(fillers[i]) == n && strncasecmp(s, fillers[i], n) == 0)
                    filler = true;
            if (!filler)
                return false;
            s += n;
        } else if (strncmp(s, "\xC3\x97", 2) == 0) {   /* × */
            s += 2;
        } else if (c == ' ' || c == '\t' || c == ',' || c == '(' || c == ')' || c == '[' ||
                   c == ']' || c == '*' || c == ';' || c == ':' || c == '=') {
            s++;
        } else {
            return false;
        }
    }
    return *count > 0;
}

static bool close_enough(double x, double e)
{
    if (isnan(e))
        return isnan(x);
    if (isinf(e))
        return x == e;
    if (fabs(x - e) <= 1e-9 * fmax(1, fabs(e)))
        return true;
    /* the answer as poolviz prints it (8 significant digits) is right too */
    char shown[64];
    pool_format_number(e, shown, sizeof shown);
    double printed = strtod(shown, NULL);
    return fabs(x - printed) <= 1e-12 * fmax(1, fabs(printed));
}

/* Rounded to d >= 2 decimals? */
static bool rounded_match(double x, double e, int d)
{
    if (d < 2 || !isfinite(e))
        return false;
    return fabs(x - e) <= 0.5 * pow(10, -d) * (1 + 1e-9) + 1e-12;
}

static void say(char *feedback, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void say(char *feedback, size_t size, const char *fmt, ...)
{
    if (feedback == NULL || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(feedback, size, fmt, ap);
    va_end(ap);
}

static lesson_verdict check_value(const lesson_answer *a, const char *typed, char *fb,
                                  size_t size)
{
    double x;
    int d;
    const char *why;
    if (!lesson_eval_number(typed, &x, &d, &why)) {
        if (why != NULL)
            say(fb, size, "I could not read a number there: %s.", why);
        else
            say(fb, size, "I could not read a number there; type one such as 3.5, 7/2 or "
                "sqrt(30).");
        return LESSON_UNREADABLE;
    }
    if (close_enough(x, a->value) || (d >= 0 && rounded_match(x, a->value, d))) {
        say(fb, size, "Right: %s.", a->answer);
        return LESSON_RIGHT;
    }
    for (int i = 0; i < a->mistake_count; i++) {
        const lesson_mistake *m = &a->mistakes[i];
        if (!m->is_count && (close_enough(x, m->value) || (d >= 0 && rounded_match(x, m->value, d)))) {
            say(fb, size, "Not quite: %s.", m->note);
            return LESSON_WRONG;
        }
    }
    if (d >= 0 && d < 2 && isfinite(a->value) &&
        fabs(x - a->value) < 0.5 * pow(10, -d) && !close_enough(x, a->value)) {
        say(fb, size, "Close, but that is rounded too much; give two decimals or a fraction.");
        return LESSON_CLOSE;
    }
    say(fb, size, "Not quite. %s", a->hint);
    return LESSON_WRONG;
}

static bool dims_equal(const long *got, int count, const size_t *dims, int rank)
{
    if (count != rank)
        return false;
    for (int i = 0; i < rank; i++)
        if (got[i] < 0 || (size_t)got[i] != dims[i])
            return false;
    return true;
}

static lesson_verdict check_dims_mistakes(const lesson_answer *a, const long *got, int count,
                                          char *fb, size_t size)
{
    for (int i = 0; i < a->mistake_count; i++) {
        const lesson_mistake *m = &a->mistakes[i];
        if (m->is_count && dims_equal(got, count, m->dims, m->rank)) {
            say(fb, size, "Not quite: %s.", m->note);
            return LESSON_WRONG;
        }
    }
    say(fb, size, "Not quite. %s", a->hint);
    return LESSON_WRONG;
}

static lesson_verdict check_size(const lesson_answer *a, const char *typed, char *fb,
                                 size_t size)
{
    long got[8];
    int count;
    if (!read_integers(typed, got, 8, &count)) {
        say(fb, size, "Give the size as whole numbers, rows x columns, such as 2x3.");
        return LESSON_UNREADABLE;
    }
    bool right = dims_equal(got, count, a->dims, a->rank) ||
                 (a->plane_rank < a->rank &&
                  dims_equal(got, count, a->dims + (a->rank - a->plane_rank), a->plane_rank));
    if (right) {
        say(fb, size, "Right: %s.", a->answer);
        return LESSON_RIGHT;
    }
    /* A 2-D shape given for a leading-ones shape (1x4 as 4) is fine too. */
    int lead = 0;
    while (lead < a->rank - 1 && a->dims[lead] == 1)
        lead++;
    if (lead > 0 && dims_equal(got, count, a->dims + lead, a->rank - lead)) {
        say(fb, size, "Right: %s.", a->answer);
        return LESSON_RIGHT;
    }
    return check_dims_mistakes(a, got, count, fb, size);
}

static lesson_verdict check_argmax(const lesson_answer *a, const char *typed, char *fb,
                                   size_t size)
{
    long got[4];
    int count;
    if (!read_integers(typed, got, 4, &count) || count > 2) {
        say(fb, size, "Give the input cell as row and column, such as (1, 2).");
        return LESSON_UNREADABLE;
    }
    if (count == 2 && got[0] == a->row && got[1] == a->col) {
        say(fb, size, "Right: %s.", a->answer);
        return LESSON_RIGHT;
    }
    if (count == 1 && got[0] == a->flat) {
        say(fb, size, "Right: index %ld is cell %s.", a->flat, a->answer);
        return LESSON_RIGHT;
    }
    if (count == 1) {
        say(fb, size, "Not quite: counting the cells row by row from 0, the winner is not "
            "number %ld.", got[0]);
        return LESSON_WRONG;
    }
    return check_dims_mistakes(a, got, count, fb, size);
}

static lesson_verdict check_count(const lesson_answer *a, const char *typed, char *fb,
                                  size_t size)
{
    long got[4];
    int count;
    if (!read_integers(typed, got, 4, &count) || count != 1) {
        say(fb, size, "Give one whole number.");
        return LESSON_UNREADABLE;
    }
    if (got[0] >= 0 && (size_t)got[0] == a->count) {
        say(fb, size, "Right: %zu.", a->count);
        return LESSON_RIGHT;
    }
    return check_dims_mistakes(a, got, count, fb, size);
}

lesson_verdict lesson_answer_check(const lesson_answer *a, const char *typed, char *feedback,
                                   size_t size)
{
    if (feedback != NULL && size > 0)
        feedback[0] = '\0';
    const char *s = typed;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0') {
        say(feedback, size, "Type an answer first.");
        return LESSON_UNREADABLE;
    }
    switch (a->kind) {
    case LESSON_ASK_VALUE:
    case LESSON_ASK_GRAD:
        return check_value(a, s, feedback, size);
    case LESSON_ASK_SIZE:
        return check_size(a, s, feedback, size);
    case LESSON_ASK_ARGMAX:
        return check_argmax(a, s, feedback, size);
    case LESSON_ASK_REGIONS:
    case LESSON_ASK_CHANGED:
    case LESSON_ASK_LEARNING:
        return check_count(a, s, feedback, size);
    }
    return LESSON_UNREADABLE;
}

/* ---- checking a whole lesson ------------------------------------------------- */

static void report_problem(lesson_problem_fn report, void *ctx, const pv_error *e,
                           size_t *problems)
{
    (*problems)++;
    if (report != NULL)
        report(ctx, e);
}

static void check_demo(const lesson *l, const lesson_block *b, lesson_problem_fn report,
                       void *ctx, size_t *problems)
{
    pv_error err;
    pv_error_clear(&err);
    lesson_result r;
    if (lesson_compute(l, b, &r, &err) != PV_OK) {
        report_problem(report, ctx, &err, problems);
    } else if (b->demo == LESSON_DEMO_STEP && b->step > r.plan->out_count) {
        block_fail(l, b, &err, PV_ERR_DATA, "@step %zu: there are only %zu regions", b->step,
                   r.plan->out_count);
        report_problem(report, ctx, &err, problems);
    } else if (b->demo == LESSON_DEMO_COMPARE &&
               (r.plan->out_rank != r.other_plan->out_rank ||
                memcmp(r.plan->out_dims, r.other_plan->out_dims, sizeof r.plan->out_dims) !=
                    0)) {
        block_fail(l, b, &err, PV_ERR_DATA,
                   "@compare: the two inputs do not pool to the same shape");
        report_problem(report, ctx, &err, problems);
    }
    lesson_result_release(&r);
}

static void check_question(const lesson *l, const lesson_block *b, lesson_problem_fn report,
                           void *ctx, size_t *problems)
{
    pv_error err;
    pv_error_clear(&err);
    lesson_answer *a = pv_malloc(sizeof *a);
    if (a == NULL) {
        pv_error_set(&err, PV_ERR_NOMEM, l->path, "out of memory");
        report_problem(report, ctx, &err, problems);
        return;
    }
    if (lesson_solve(l, b, a, &err) != PV_OK) {
        report_problem(report, ctx, &err, problems);
    } else if (lesson_answer_check(a, a->answer, NULL, 0) != LESSON_RIGHT) {
        block_fail(l, b, &err, PV_ERR_DATA,
                   "the answer checker does not accept the computed answer '%s'", a->answer);
        report_problem(report, ctx, &err, problems);
    }
    pv_free(a);
}

size_t lesson_check(const lesson *l, lesson_problem_fn report, void *ctx)
{
    size_t problems = 0;
    for (size_t i = 0; i < l->page_count; i++) {
        for (size_t j = 0; j < l->pages[i].block_count; j++) {
            const lesson_block *b = &l->pages[i].blocks[j];
            if (pool_cancel_requested)
                return problems;
            if (b->kind == LESSON_DEMO)
                check_demo(l, b, report, ctx, &problems);
            else if (b->kind == LESSON_QUESTION)
                check_question(l, b, report, ctx, &problems);
        }
    }
    return problems;
}
