/* model.c - the stepper's model (see model.h): state, stepping, the region,
 * the formula's lines.  No curses. */
#include "tui/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "tui/glyphs.h"

/* Widest number a grid cell shows; longer ones are shortened in the grid
 * (the formula always shows them whole). */
#define CELL_TEXT_MAX POOL_NUMBER_TEXT_MAX
/* Regions scanned to find how far windows reach into padding. */
#define GEOMETRY_SCAN_MAX ((size_t)1 << 20)

pv_status model_init(stepper_model *m, pv_error *err)
{
    memset(m, 0, sizeof *m);
    m->formula = pv_malloc(sizeof *m->formula);
    if (m->formula == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "stepper", "out of memory");
    m->formula->count = 0;
    return PV_OK;
}

static void compute_geometry(stepper_model *m);
static void value_range(const tensor *t, double *lo, double *hi, int *width);
static void formula_add_line(formula_panel *f, formula_role role, const char *text);

static void status_add(char *buf, size_t size, const char *sep, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void status_add(char *buf, size_t size, const char *sep, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len >= size - 1)
        return;
    if (len > 0) {
        snprintf(buf + len, size - len, " %s ", sep);
        len = strlen(buf);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}
void model_drop_explanation(stepper_model *m)
{
    if (m->have_ex)
        pool_explanation_release(&m->ex);
    m->have_ex = false;
}

int model_number_width(double v)
{
    char buf[48];
    pool_format_number(v, buf, sizeof buf);
    int w = (int)strlen(buf);
    return w > CELL_TEXT_MAX ? CELL_TEXT_MAX : w;
}

static void value_range(const tensor *t, double *lo, double *hi, int *width)
{
    double mn = INFINITY, mx = -INFINITY;
    int w = 1;
    for (size_t i = 0; i < t->count; i++) {
        double v = tensor_get(t, i);
        if (isfinite(v)) {
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        if (w < CELL_TEXT_MAX) {
            int vw = model_number_width(v);
            w = vw > w ? vw : w;
        }
    }
    if (mn > mx)
        mn = mx = 0;
    *lo = mn;
    *hi = mx;
    *width = w;
}

bool model_has_padding_axes(const pool_plan *plan)
{
    const pool_params *p = &plan->params;
    return pool_op_is_windowed(p->op) && !p->global && p->adaptive_h == 0;
}

/* How far the grid must reach: the input, the padding around it and every
 * tap of every window (ceil mode may go past the padding). */
static void compute_geometry(stepper_model *m)
{
    const pool_plan *plan = m->plan;
    m->row_lo = 0;
    m->row_hi = (long)plan->h - 1;
    m->col_lo = 0;
    m->col_hi = (long)plan->w - 1;
    if (model_has_padding_axes(plan)) {
        m->row_lo = -plan->rows.pad_before;
        m->row_hi = (long)plan->h - 1 + plan->rows.pad_after;
        m->col_lo = -plan->cols.pad_before;
        m->col_hi = (long)plan->w - 1 + plan->cols.pad_after;
        size_t scan = plan->out_count < GEOMETRY_SCAN_MAX ? plan->out_count : GEOMETRY_SCAN_MAX;
        for (size_t i = 0; i < scan; i++) {
            pool_region r;
            pool_plan_region(plan, i, &r);
            long last_row = r.row0 + (r.row_count - 1) * r.row_step;
            long last_col = r.col0 + (r.col_count - 1) * r.col_step;
            m->row_lo = r.row0 < m->row_lo ? r.row0 : m->row_lo;
            m->col_lo = r.col0 < m->col_lo ? r.col0 : m->col_lo;
            m->row_hi = last_row > m->row_hi ? last_row : m->row_hi;
            m->col_hi = last_col > m->col_hi ? last_col : m->col_hi;
        }
    }
    value_range(m->input, &m->in_min, &m->in_max, &m->in_numw);
    value_range(m->output, &m->out_min, &m->out_max, &m->out_numw);
}

/* Bring the backward view to the current output cell; on failure leave
 * the backward view with the reason. */
void model_backward_sync(stepper_model *m)
{
    pv_error err;
    pv_error_clear(&err);
    bool fresh = m->bv.dx == NULL;
    if (backview_sync(&m->bv, m->plan, m->input, m->index, &err) != PV_OK) {
        snprintf(m->bw_error, sizeof m->bw_error, "backward: %s%s%s", err.subject,
                 err.subject[0] ? ": " : "", err.message);
        backview_reset(&m->bv);
        m->backward = false;
        return;
    }
    m->bw_error[0] = '\0';
    if (fresh) {
        tensor_free(m->bw_dx);
        m->bw_dx = tensor_new(TENSOR_F64, m->input->rank, m->input->dims, NULL);
        for (size_t i = 0; m->bw_dx != NULL && i < m->bv.count; i++)
            tensor_set(m->bw_dx, i, m->bv.whole[i]);
        m->bw_numw = 1;
        for (size_t i = 0; i < m->bv.count; i++) {
            int w = model_number_width(m->bv.whole[i]);
            m->bw_numw = w > m->bw_numw ? w : m->bw_numw;
        }
    }
}

/* Plan and forward params on input; on success replace the stepper's
 * state (taking input, which the caller gave up) and keep the output index
 * keep_index if it exists. */
pv_status model_install(stepper_model *m, tensor *input, const pool_params *params,
                         size_t keep_index, pv_error *err)
{
    pool_plan *plan = pool_plan_create(params, input->dtype, input->rank, input->dims, err);
    if (plan == NULL)
        return err ? err->status : PV_ERR_DATA;
    if (plan->out_count == 0) {
        pool_plan_free(plan);
        return pv_error_set(err, PV_ERR_DATA, "input",
                            "the batch is empty (N = 0): there is no region to step through");
    }
    tensor *output = pool_forward(plan, input, NULL, NULL, err);
    if (output == NULL) {
        pool_plan_free(plan);
        return err ? err->status : PV_ERR_DATA;
    }
    model_drop_explanation(m);
    backview_reset(&m->bv);
    tensor_free(m->bw_dx);
    m->bw_dx = NULL;
    tensor_free(m->output);
    pool_plan_free(m->plan);
    if (m->input != input)
        tensor_free(m->input);
    m->input = input;
    m->plan = plan;
    m->output = output;
    compute_geometry(m);
    model_goto(m, keep_index < plan->out_count ? keep_index : 0);
    return PV_OK;
}

/* ---- output blocks and planes ------------------------------------------- */

void model_out_plane_dims(const pool_plan *plan, size_t *oh, size_t *ow)
{
    *ow = plan->out_dims[plan->out_rank - 1];
    *oh = plan->out_rank >= 2 ? plan->out_dims[plan->out_rank - 2] : 1;
}

/* The grids the output pane shows for the current region. */
int model_out_blocks(const stepper_model *m, out_block *blocks, int max)
{
    const pool_plan *plan = m->plan;
    const pool_region *r = &m->region;
    const glyphs_table *g = glyphs_current();
    int count = 0;
    if (plan->params.op == POOL_SPP) {
        for (int li = 0; li < plan->level_count && count < max; li++) {
            size_t n = (size_t)plan->levels[li];
            out_block *b = &blocks[count++];
            b->base = r->n * plan->spp_per_sample + plan->level_offset[li] + r->c * n * n;
            b->rows = b->cols = n;
            snprintf(b->label, sizeof b->label, "level %zu", n);
        }
    } else if (plan->params.op == POOL_BILINEAR) {
        out_block *b = &blocks[count++];
        b->base = r->n * plan->c * plan->c;
        b->rows = b->cols = plan->c;
        snprintf(b->label, sizeof b->label, "channel %s channel", g->times);
    } else {
        size_t oh, ow;
        model_out_plane_dims(plan, &oh, &ow);
        size_t plane_size = oh * ow;
        out_block *b = &blocks[count++];
        b->base = plane_size ? m->index / plane_size * plane_size : 0;
        b->rows = oh;
        b->cols = ow;
        b->label[0] = '\0';
    }
    return count;
}

int model_current_block(const stepper_model *m, const out_block *blocks, int count)
{
    for (int i = 0; i < count; i++) {
        size_t size = blocks[i].rows * blocks[i].cols;
        if (m->index >= blocks[i].base && m->index < blocks[i].base + size)
            return i;
    }
    return 0;
}

/* Planes the stepper can switch between with Tab (N·C, or N for bilinear),
 * and the one on show. */
size_t model_plane_count(const stepper_model *m)
{
    const pool_plan *plan = m->plan;
    return plan->params.op == POOL_BILINEAR ? plan->n : plan->n * plan->c;
}

size_t model_plane_current(const stepper_model *m)
{
    const pool_plan *plan = m->plan;
    return plan->params.op == POOL_BILINEAR ? m->region.n
                                            : m->region.n * plan->c + m->region.c;
}

/* The same cell of another plane. */
size_t model_index_in_plane(const stepper_model *m, size_t plane)
{
    const pool_plan *plan = m->plan;
    const pool_region *r = &m->region;
    size_t offset;
    if (plan->params.op == POOL_SPP) {
        size_t n = (size_t)plan->levels[r->level_index];
        size_t sample = plane / plan->c, channel = plane % plan->c;
        offset = m->index - (r->n * plan->spp_per_sample + plan->level_offset[r->level_index] +
                              r->c * n * n);
        return sample * plan->spp_per_sample + plan->level_offset[r->level_index] +
               channel * n * n + offset;
    }
    size_t per_plane = plan->out_count / model_plane_count(m);
    offset = m->index % per_plane;
    return plane * per_plane + offset;
}

/* The steps the status line counts and Home/End span: the current plane
 * (or bilinear sample), whose outputs are contiguous; SPP interleaves its
 * levels and channels, so there it is the whole output. */
void model_segment(const stepper_model *m, size_t *first, size_t *count)
{
    const pool_plan *plan = m->plan;
    size_t planes = model_plane_count(m);
    if (plan->params.op == POOL_SPP || planes <= 1 || plan->out_count % planes != 0) {
        *first = 0;
        *count = plan->out_count;
        return;
    }
    size_t per = plan->out_count / planes;
    *first = m->index / per * per;
    *count = per;
}

/* The parameter part of the status line. */
void model_describe_params(const stepper_model *m, char *buf, size_t size)
{
    const glyphs_table *g = glyphs_current();
    const pool_params *p = &m->plan->params;
    const char *sep = g->vline;
    char num[48];
    buf[0] = '\0';
    status_add(buf, size, sep, "%s", pool_op_name(p->op));
    if (pool_op_is_windowed(p->op)) {
        if (p->global) {
            status_add(buf, size, sep, "global: kernel = the whole plane");
        } else if (p->adaptive_h > 0) {
            status_add(buf, size, sep, "adaptive %d%s%d", p->adaptive_h, g->times, p->adaptive_w);
        } else {
            int sh = p->stride_h ? p->stride_h : p->kernel_h;
            int sw = p->stride_w ? p->stride_w : p->kernel_w;
            status_add(buf, size, sep, "kernel %d%s%d", p->kernel_h, g->times, p->kernel_w);
            status_add(buf, size, sep, "stride %d%s%d", sh, g->times, sw);
            if (p->padding_mode == PAD_SAME)
                status_add(buf, size, sep, "padding same");
            else if (p->padding_mode == PAD_VALID)
                status_add(buf, size, sep, "padding valid");
            else if (p->pad_h == p->pad_w)
                status_add(buf, size, sep, "padding %d", p->pad_h);
            else
                status_add(buf, size, sep, "padding %d%s%d", p->pad_h, g->times, p->pad_w);
            if (p->dilation_h == p->dilation_w)
                status_add(buf, size, sep, "dilation %d", p->dilation_h);
            else
                status_add(buf, size, sep, "dilation %d%s%d", p->dilation_h, g->times,
                           p->dilation_w);
            if (p->ceil_mode)
                status_add(buf, size, sep, "ceil mode");
        }
        if (pool_op_uses(p->op, OP_USES_P)) {
            pool_format_number(p->p, num, sizeof num);
            status_add(buf, size, sep, "p %s", num);
        }
        if (pool_op_uses(p->op, OP_USES_DIVISOR) && p->divisor != 0)
            status_add(buf, size, sep, "divisor %ld", p->divisor);
        else if (pool_op_uses(p->op, OP_USES_DIVISOR) && !p->count_include_pad &&
                 !p->global && p->adaptive_h == 0 && p->padding_mode != PAD_SAME)
            status_add(buf, size, sep, "padding not counted");
        if (pool_op_uses(p->op, OP_USES_SHARPNESS)) {
            pool_format_number(p->sharpness, num, sizeof num);
            status_add(buf, size, sep, "sharpness %s", num);
        }
        if (pool_op_uses(p->op, OP_USES_ALPHA)) {
            pool_format_number(p->alpha, num, sizeof num);
            status_add(buf, size, sep, "alpha %s", num);
        }
        if (pool_op_uses(p->op, OP_USES_LP_STYLE) && p->lp_style == LP_STYLE_TORCH)
            status_add(buf, size, sep, "lp-style torch");
        if (pool_op_uses(p->op, OP_USES_FILTER))
            status_add(buf, size, sep, "filter %d", p->filter);
        if (pool_op_uses(p->op, OP_USES_MODE))
            status_add(buf, size, sep, "%s", p->mode == MODE_TRAIN ? "train" : "eval");
        if (pool_op_uses(p->op, OP_USES_SEED))
            status_add(buf, size, sep, "seed %llu", (unsigned long long)p->seed);
    } else if (pool_op_uses(p->op, OP_USES_FRACTIONAL)) {
        size_t oh, ow;
        model_out_plane_dims(m->plan, &oh, &ow);
        status_add(buf, size, sep, "%s style", p->fractional_style == FRACTIONAL_TORCH ? "torch"
                                                                                    : "graham");
        if (p->fractional_style == FRACTIONAL_TORCH)
            status_add(buf, size, sep, "kernel %d%s%d", p->kernel_h, g->times, p->kernel_w);
        status_add(buf, size, sep, "output %zu%s%zu", oh, g->times, ow);
        status_add(buf, size, sep, "seed %llu", (unsigned long long)p->seed);
    } else if (pool_op_uses(p->op, OP_USES_LEVELS)) {
        char levels[128] = "";
        for (int i = 0; i < m->plan->level_count; i++) {
            size_t len = strlen(levels);
            snprintf(levels + len, sizeof levels - len, "%s%d", i ? "," : "",
                     m->plan->levels[i]);
        }
        status_add(buf, size, sep, "levels %s", levels);
    } else if (pool_op_uses(p->op, OP_USES_BILINEAR)) {
        if (p->signed_sqrt)
            status_add(buf, size, sep, "signed sqrt");
        if (p->l2_normalize)
            status_add(buf, size, sep, "l2 normalize");
    }
}

/* Which input plane to show: the region's (n, c). */
size_t model_input_flat(const stepper_model *m, long row, long col)
{
    const pool_plan *plan = m->plan;
    size_t plane = m->region.n * plan->c + m->region.c;
    return (plane * plan->h + (size_t)row) * plan->w + (size_t)col;
}

/* The input's value, or in the backward view dL/dx so far. */
double model_input_value(const stepper_model *m, long row, long col)
{
    size_t i = model_input_flat(m, row, col);
    if (m->backward && m->bv.dx != NULL)
        return m->bv.dx[i];
    return tensor_get(m->input, i);
}

/* What of output cell index is kept secret (STEPPER_HIDE_* bits). */
unsigned model_hidden_bits(const stepper_model *m, size_t index)
{
    return m->hidden != NULL
               ? m->hidden(m->hidden_ctx, m->input, m->output, index, NULL, 0)
               : 0;
}

bool model_is_hidden(const stepper_model *m, size_t index)
{
    return (model_hidden_bits(m, index) & MODEL_HIDE_VALUE) != 0;
}

bool model_winner_at(const stepper_model *m, long row, long col)
{
    if (model_hidden_bits(m, m->index) != 0)
        return false;   /* the winner would tell a max or argmax question's answer */
    if (m->backward)
        return backview_receives(&m->bv, model_input_flat(m, row, col), NULL);
    if (!m->have_ex || m->ex.winner < 0 || (size_t)m->ex.winner >= m->ex.term_count)
        return false;
    const pool_term *t = &m->ex.terms[m->ex.winner];
    return t->row == row && t->col == col;
}

static void formula_add_line(formula_panel *f, formula_role role, const char *text)
{
    if (f->count >= FORMULA_MAX_LINES)
        return;
    formula_line *l = &f->lines[f->count++];
    snprintf(l->text, sizeof l->text, "%s", text);
    l->len = strlen(l->text);
    l->spans[0] = (formula_span){0, (unsigned short)l->len, (unsigned char)role};
    l->span_count = 1;
}

/* The formula panel for the current step in width columns, at most
 * max_lines lines; a hidden cell's panel is its formula ending in '?'. */
void model_build_formula(stepper_model *m, int width, int max_lines)
{
    char why[200] = "";
    unsigned hide = m->have_ex && m->hidden != NULL
                        ? m->hidden(m->hidden_ctx, m->input, m->output, m->index, why,
                                     sizeof why)
                        : 0;
    if (hide != 0) {
        char text[FORMULA_LINE_BYTES], v[48];
        double value = tensor_get(m->output, m->index);
        pool_explanation_format(&m->ex, value, 12, text, sizeof text);
        size_t n = pool_format_number(value, v, sizeof v), len = strlen(text);
        if ((hide & MODEL_HIDE_VALUE) && len >= n && strcmp(text + len - n, v) == 0)
            snprintf(text + len - n, sizeof text - (len - n), "?");
        m->formula->count = 0;
        formula_add_line(m->formula, FORMULA_HEAD, text);
        if (max_lines > 1 && why[0] != '\0')
            formula_add_line(m->formula, FORMULA_DIM, why);
        else if (max_lines > 1)
            formula_add_line(m->formula, FORMULA_DIM,
                             hide & MODEL_HIDE_VALUE
                                 ? "a lesson question asks for this value: answer it first"
                                 : "a lesson question asks which cell wins: answer it first");
    } else if (m->have_ex && m->backward) {
        backview_formula(&m->bv, m->formula, m->plan, &m->region, &m->ex, width,
                         max_lines);
    } else if (m->have_ex) {
        double value = tensor_get(m->output, m->index);
        formula_build(m->formula, m->plan, &m->region, &m->ex, value, width, max_lines);
    } else {
        m->formula->count = 1;
    }
}

void model_goto(stepper_model *m, size_t index)
{
    if (m->plan == NULL)
        return;
    if (index >= m->plan->out_count)
        index = m->plan->out_count - 1;
    m->index = index;
    pool_plan_region(m->plan, index, &m->region);
    model_drop_explanation(m);
    pv_error err;
    pv_error_clear(&err);
    if (pool_explain(m->plan, m->input, index, &m->ex, &err) == PV_OK) {
        m->have_ex = true;
        m->ex_error[0] = '\0';
    } else {
        snprintf(m->ex_error, sizeof m->ex_error, "%s%s%s", err.subject,
                 err.subject[0] ? ": " : "", err.message);
    }
    if (m->backward)
        model_backward_sync(m);
}

void model_release(stepper_model *m)
{
    model_drop_explanation(m);
    backview_release(&m->bv);
    tensor_free(m->bw_dx);
    tensor_free(m->output);
    pool_plan_free(m->plan);
    tensor_free(m->input);
    pv_free(m->formula);
    memset(m, 0, sizeof *m);
}

pv_status model_load(stepper_model *m, const tensor *input, const char *name,
                     const pool_params *params, pv_error *err)
{
    tensor *copy = tensor_clone(input, err);
    if (copy == NULL)
        return err ? err->status : PV_ERR_NOMEM;
    pv_status status = model_install(m, copy, params, 0, err);
    if (status != PV_OK) {
        tensor_free(copy);
        return status;
    }
    snprintf(m->name, sizeof m->name, "%s", name ? name : "input");
    return PV_OK;
}

pv_status model_replan(stepper_model *m, const pool_params *params, pv_error *err)
{
    if (m->input == NULL)
        return pv_error_set(err, PV_ERR_USAGE, "stepper", "nothing to step through");
    return model_install(m, m->input, params, m->index, err);
}

bool model_goto_cell(stepper_model *m, long row, long col)
{
    out_block blocks[POOL_MAX_LEVELS];
    int count = model_out_blocks(m, blocks, POOL_MAX_LEVELS);
    const out_block *b = &blocks[model_current_block(m, blocks, count)];
    if (row < 0 || col < 0 || (size_t)row >= b->rows || (size_t)col >= b->cols)
        return false;
    model_goto(m, b->base + (size_t)row * b->cols + (size_t)col);
    return true;
}
