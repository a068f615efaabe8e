#include "tui/stepper.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "core/alloc.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "tui/draw.h"
#include "tui/backview.h"
#include "tui/formula.h"
#include "tui/glyphs.h"
#include "tui/help.h"
#include "tui/picture.h"
#include "tui/theme.h"

/* Widest number a grid cell shows; longer ones are shortened in the grid
 * (the formula always shows them whole). */
#define CELL_TEXT_MAX POOL_NUMBER_TEXT_MAX
/* Regions scanned to find how far windows reach into padding. */
#define GEOMETRY_SCAN_MAX ((size_t)1 << 20)

/* One grid of the output pane: a plane, an SPP level or a bilinear C×C. */
typedef struct out_block {
    size_t base;            /* flat output index of cell (0, 0) */
    size_t rows, cols;
    char label[48];
} out_block;

/* The first visible cell of a scrolled grid and how many cells fit. */
typedef struct viewport {
    long top, left;
    long rows, cols;
} viewport;

struct stepper {
    tensor *input;
    char name[160];
    pool_plan *plan;        /* holds its own copy of the parameters */
    tensor *output;
    size_t index;
    pool_region region;
    pool_explanation ex;
    bool have_ex;
    char ex_error[600];
    formula_panel *formula;
    /* what the input grid spans, padding and ceil-mode taps included */
    long row_lo, row_hi, col_lo, col_hi;
    int in_numw, out_numw;
    double in_min, in_max, out_min, out_max;
    viewport in_view, out_view;
    bool follow;            /* scroll the region into view at the next draw */
    bool heat;
    int size_panel;         /* -1: when relevant, 0: hidden, 1: shown */
    bool running;
    int speed;              /* index into speeds_ms */
    int zoom;               /* index into zooms, chosen at each draw */
    int drawn_cols, drawn_lines;    /* the terminal size of the last draw */
    bool backward;          /* the backward view (key b) */
    backview bv;
    int bw_numw;            /* number width of the backward pass's dx */
    tensor *bw_dx;          /* the whole pass's dx as a tensor (picture view) */
    char bw_error[600];     /* why the backward view could not be shown */
    stepper_hidden_fn hidden;   /* output cells shown as '?' (a lesson's questions) */
    void *hidden_ctx;
    char size_secret[160];      /* why the output's shape is not shown, or "" */
    char label[64];             /* before the grids' titles (a compare panel), or "" */
};

static const int speeds_ms[] = {2000, 1200, 800, 500, 300, 180, 100, 50, 20};
enum { SPEED_COUNT = sizeof speeds_ms / sizeof speeds_ms[0], SPEED_DEFAULT = 3 };

/* How roomy the grids are drawn: blank columns per cell around the number
 * and screen lines per grid row.  The roomiest level that fits is used, so
 * a small matrix reads well on a projector and a big one still scrolls. */
typedef struct zoom_level {
    int extra;
    int row_height;
} zoom_level;

static const zoom_level zooms[] = {{1, 1}, {2, 1}, {4, 2}, {6, 3}};
enum { ZOOM_COUNT = sizeof zooms / sizeof zooms[0] };

/* Rows of three lines are cells with the number in the middle, so that a
 * highlighted window gets a margin above and below; with two lines the
 * second is a gap that only a window spanning both rows fills. */
static bool full_cells(int row_height)
{
    return row_height >= 3;
}

static int number_line(int row_height)
{
    return full_cells(row_height) ? row_height / 2 : 0;
}

/* Screen lines that rows grid rows take, and grid rows that fit in lines. */
static int grid_lines(long rows, int row_height)
{
    if (rows <= 0)
        return 0;
    return full_cells(row_height) ? (int)rows * row_height : 1 + (int)(rows - 1) * row_height;
}

static long grid_rows_fit(int lines, int row_height)
{
    if (lines < 1)
        return 0;
    return full_cells(row_height) ? lines / row_height : (lines - 1) / row_height + 1;
}

/* ---- the model ------------------------------------------------------------ */

stepper *stepper_new(pv_error *err)
{
    stepper *st = pv_calloc(1, sizeof *st);
    if (st == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "stepper", "out of memory");
        return NULL;
    }
    st->formula = pv_malloc(sizeof *st->formula);
    if (st->formula == NULL) {
        pv_free(st);
        pv_error_set(err, PV_ERR_NOMEM, "stepper", "out of memory");
        return NULL;
    }
    st->formula->count = 0;
    st->heat = true;
    st->size_panel = -1;
    st->speed = SPEED_DEFAULT;
    return st;
}

static void drop_explanation(stepper *st)
{
    if (st->have_ex)
        pool_explanation_release(&st->ex);
    st->have_ex = false;
}

void stepper_free(stepper *st)
{
    if (st == NULL)
        return;
    drop_explanation(st);
    backview_release(&st->bv);
    tensor_free(st->bw_dx);
    tensor_free(st->output);
    pool_plan_free(st->plan);
    tensor_free(st->input);
    pv_free(st->formula);
    pv_free(st);
}

/* A cell's text: the number as everywhere else (the grid's columns are as
 * wide as the widest number, at most POOL_NUMBER_TEXT_MAX). */
static void format_cell(double v, int width, char *buf, size_t size)
{
    (void)width;   /* never narrower than the number: see value_range */
    pool_format_number(v, buf, size);
}

static int number_width(double v)
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
            int vw = number_width(v);
            w = vw > w ? vw : w;
        }
    }
    if (mn > mx)
        mn = mx = 0;
    *lo = mn;
    *hi = mx;
    *width = w;
}

static bool plan_has_padding_axes(const pool_plan *plan)
{
    const pool_params *p = &plan->params;
    return pool_op_is_windowed(p->op) && !p->global && p->adaptive_h == 0;
}

/* How far the grid must reach: the input, the padding around it and every
 * tap of every window (ceil mode may go past the padding). */
static void compute_geometry(stepper *st)
{
    const pool_plan *plan = st->plan;
    st->row_lo = 0;
    st->row_hi = (long)plan->h - 1;
    st->col_lo = 0;
    st->col_hi = (long)plan->w - 1;
    if (plan_has_padding_axes(plan)) {
        st->row_lo = -plan->rows.pad_before;
        st->row_hi = (long)plan->h - 1 + plan->rows.pad_after;
        st->col_lo = -plan->cols.pad_before;
        st->col_hi = (long)plan->w - 1 + plan->cols.pad_after;
        size_t scan = plan->out_count < GEOMETRY_SCAN_MAX ? plan->out_count : GEOMETRY_SCAN_MAX;
        for (size_t i = 0; i < scan; i++) {
            pool_region r;
            pool_plan_region(plan, i, &r);
            long last_row = r.row0 + (r.row_count - 1) * r.row_step;
            long last_col = r.col0 + (r.col_count - 1) * r.col_step;
            st->row_lo = r.row0 < st->row_lo ? r.row0 : st->row_lo;
            st->col_lo = r.col0 < st->col_lo ? r.col0 : st->col_lo;
            st->row_hi = last_row > st->row_hi ? last_row : st->row_hi;
            st->col_hi = last_col > st->col_hi ? last_col : st->col_hi;
        }
    }
    value_range(st->input, &st->in_min, &st->in_max, &st->in_numw);
    value_range(st->output, &st->out_min, &st->out_max, &st->out_numw);
    st->in_view.top = st->in_view.left = 0;
    st->out_view.top = st->out_view.left = 0;
}

/* Bring the backward view to the current output cell; on failure leave
 * the backward view with the reason. */
static void backward_sync(stepper *st)
{
    pv_error err;
    pv_error_clear(&err);
    bool fresh = st->bv.dx == NULL;
    if (backview_sync(&st->bv, st->plan, st->input, st->index, &err) != PV_OK) {
        snprintf(st->bw_error, sizeof st->bw_error, "backward: %s%s%s", err.subject,
                 err.subject[0] ? ": " : "", err.message);
        backview_reset(&st->bv);
        st->backward = false;
        return;
    }
    st->bw_error[0] = '\0';
    if (fresh) {
        tensor_free(st->bw_dx);
        st->bw_dx = tensor_new(TENSOR_F64, st->input->rank, st->input->dims, NULL);
        for (size_t i = 0; st->bw_dx != NULL && i < st->bv.count; i++)
            tensor_set(st->bw_dx, i, st->bv.whole[i]);
        st->bw_numw = 1;
        for (size_t i = 0; i < st->bv.count; i++) {
            int w = number_width(st->bv.whole[i]);
            st->bw_numw = w > st->bw_numw ? w : st->bw_numw;
        }
    }
}

void stepper_goto(stepper *st, size_t index)
{
    if (st->plan == NULL)
        return;
    if (index >= st->plan->out_count)
        index = st->plan->out_count - 1;
    st->index = index;
    pool_plan_region(st->plan, index, &st->region);
    drop_explanation(st);
    pv_error err;
    pv_error_clear(&err);
    if (pool_explain(st->plan, st->input, index, &st->ex, &err) == PV_OK) {
        st->have_ex = true;
        st->ex_error[0] = '\0';
    } else {
        snprintf(st->ex_error, sizeof st->ex_error, "%s%s%s", err.subject,
                 err.subject[0] ? ": " : "", err.message);
    }
    st->follow = true;
    if (st->backward)
        backward_sync(st);
}

/* Plan and forward params on input; on success replace the stepper's
 * state (taking input, which the caller gave up) and keep the output index
 * keep_index if it exists. */
static pv_status install(stepper *st, tensor *input, const pool_params *params,
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
    drop_explanation(st);
    backview_reset(&st->bv);
    tensor_free(st->bw_dx);
    st->bw_dx = NULL;
    tensor_free(st->output);
    pool_plan_free(st->plan);
    if (st->input != input)
        tensor_free(st->input);
    st->input = input;
    st->plan = plan;
    st->output = output;
    compute_geometry(st);
    stepper_goto(st, keep_index < plan->out_count ? keep_index : 0);
    return PV_OK;
}

pv_status stepper_load(stepper *st, const tensor *input, const char *name,
                       const pool_params *params, pv_error *err)
{
    tensor *copy = tensor_clone(input, err);
    if (copy == NULL)
        return err ? err->status : PV_ERR_NOMEM;
    pv_status status = install(st, copy, params, 0, err);
    if (status != PV_OK) {
        tensor_free(copy);
        return status;
    }
    snprintf(st->name, sizeof st->name, "%s", name ? name : "input");
    return PV_OK;
}

pv_status stepper_replan(stepper *st, const pool_params *params, pv_error *err)
{
    if (st->input == NULL)
        return pv_error_set(err, PV_ERR_USAGE, "stepper", "nothing to step through");
    return install(st, st->input, params, st->index, err);
}

size_t stepper_index(const stepper *st) { return st->index; }
size_t stepper_count(const stepper *st) { return st->plan ? st->plan->out_count : 0; }
const pool_plan *stepper_plan(const stepper *st) { return st->plan; }
const pool_region *stepper_region(const stepper *st) { return &st->region; }
const tensor *stepper_input(const stepper *st) { return st->input; }
const tensor *stepper_output(const stepper *st) { return st->output; }
const char *stepper_name(const stepper *st) { return st->name; }

const tensor *stepper_backward_dx(const stepper *st, double *lo, double *hi)
{
    if (!st->backward || st->bw_dx == NULL)
        return NULL;
    if (lo != NULL)
        *lo = st->bv.lo;
    if (hi != NULL)
        *hi = st->bv.hi;
    return st->bw_dx;
}

/* ---- output blocks and planes ------------------------------------------- */

static void out_plane_dims(const pool_plan *plan, size_t *oh, size_t *ow)
{
    *ow = plan->out_dims[plan->out_rank - 1];
    *oh = plan->out_rank >= 2 ? plan->out_dims[plan->out_rank - 2] : 1;
}

/* The grids the output pane shows for the current region. */
static int out_blocks(const stepper *st, out_block *blocks, int max)
{
    const pool_plan *plan = st->plan;
    const pool_region *r = &st->region;
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
        out_plane_dims(plan, &oh, &ow);
        size_t plane_size = oh * ow;
        out_block *b = &blocks[count++];
        b->base = plane_size ? st->index / plane_size * plane_size : 0;
        b->rows = oh;
        b->cols = ow;
        b->label[0] = '\0';
    }
    return count;
}

static int current_block(const stepper *st, const out_block *blocks, int count)
{
    for (int i = 0; i < count; i++) {
        size_t size = blocks[i].rows * blocks[i].cols;
        if (st->index >= blocks[i].base && st->index < blocks[i].base + size)
            return i;
    }
    return 0;
}

/* Planes the stepper can switch between with Tab (N·C, or N for bilinear),
 * and the one on show. */
static size_t plane_count(const stepper *st)
{
    const pool_plan *plan = st->plan;
    return plan->params.op == POOL_BILINEAR ? plan->n : plan->n * plan->c;
}

static size_t plane_current(const stepper *st)
{
    const pool_plan *plan = st->plan;
    return plan->params.op == POOL_BILINEAR ? st->region.n
                                            : st->region.n * plan->c + st->region.c;
}

/* The same cell of another plane. */
static size_t index_in_plane(const stepper *st, size_t plane)
{
    const pool_plan *plan = st->plan;
    const pool_region *r = &st->region;
    size_t offset;
    if (plan->params.op == POOL_SPP) {
        size_t n = (size_t)plan->levels[r->level_index];
        size_t sample = plane / plan->c, channel = plane % plan->c;
        offset = st->index - (r->n * plan->spp_per_sample + plan->level_offset[r->level_index] +
                              r->c * n * n);
        return sample * plan->spp_per_sample + plan->level_offset[r->level_index] +
               channel * n * n + offset;
    }
    size_t per_plane = plan->out_count / plane_count(st);
    offset = st->index % per_plane;
    return plane * per_plane + offset;
}

/* The steps the status line counts and Home/End span: the current plane
 * (or bilinear sample), whose outputs are contiguous; SPP interleaves its
 * levels and channels, so there it is the whole output. */
static void segment(const stepper *st, size_t *first, size_t *count)
{
    const pool_plan *plan = st->plan;
    size_t planes = plane_count(st);
    if (plan->params.op == POOL_SPP || planes <= 1 || plan->out_count % planes != 0) {
        *first = 0;
        *count = plan->out_count;
        return;
    }
    size_t per = plan->out_count / planes;
    *first = st->index / per * per;
    *count = per;
}

bool stepper_goto_cell(stepper *st, long row, long col)
{
    out_block blocks[POOL_MAX_LEVELS];
    int count = out_blocks(st, blocks, POOL_MAX_LEVELS);
    const out_block *b = &blocks[current_block(st, blocks, count)];
    if (row < 0 || col < 0 || (size_t)row >= b->rows || (size_t)col >= b->cols)
        return false;
    stepper_goto(st, b->base + (size_t)row * b->cols + (size_t)col);
    return true;
}

/* ---- viewports ------------------------------------------------------------ */

static long clamp_long(long v, long lo, long hi)
{
    if (v > hi)
        v = hi;
    if (v < lo)
        v = lo;
    return v;
}

/* Keep [first, last] (cells, 0-based in the grid) inside the view, with a
 * cell of context around it when there is room. */
static long scroll_into_view(long pos, long visible, long total, long first, long last)
{
    if (visible <= 0)
        return 0;
    long span = last - first + 1;
    long margin = visible - span >= 2 ? 1 : 0;
    if (span > visible)
        pos = first;
    else if (first - margin < pos)
        pos = first - margin;
    else if (last + margin >= pos + visible)
        pos = last + margin - visible + 1;
    return clamp_long(pos, 0, total > visible ? total - visible : 0);
}

/* ---- drawing -------------------------------------------------------------- */

typedef struct layout {
    int title_y;
    int grid_y, grid_h;
    int in_x, in_w, out_x, out_w;
    int legend_y;
    int formula_y, formula_h;
    int size_y, size_h;
    int status_y;
} layout;

static int digits(long v)
{
    char buf[32];
    return snprintf(buf, sizeof buf, "%ld", v);
}

static int in_label_width(const stepper *st)
{
    int a = digits(st->row_lo), b = digits(st->row_hi);
    return a > b ? a : b;
}

static bool size_panel_visible(const stepper *st)
{
    if (st->size_secret[0] != '\0')
        return false;
    if (st->size_panel >= 0)
        return st->size_panel == 1;
    const pool_params *p = &st->plan->params;
    if (!plan_has_padding_axes(st->plan))
        return false;
    return p->ceil_mode || p->padding_mode == PAD_SAME ||
           (p->padding_mode == PAD_EXPLICIT && (p->pad_h > 0 || p->pad_w > 0)) ||
           p->dilation_h > 1 || p->dilation_w > 1;
}

typedef struct wrap_sink {
    char lines[16][512];
    int count;
} wrap_sink;

static void wrap_collect(void *ctx, const char *start, size_t len)
{
    wrap_sink *w = ctx;
    if (w->count >= 16)
        return;
    if (len > sizeof w->lines[0] - 1)
        len = sizeof w->lines[0] - 1;
    memcpy(w->lines[w->count], start, len);
    w->lines[w->count][len] = '\0';
    w->count++;
}

static void size_text(const stepper *st, wrap_sink *sink, int width)
{
    char rows[600], cols[600], text[1300];
    pool_plan_explain_size(st->plan, 0, rows, sizeof rows);
    pool_plan_explain_size(st->plan, 1, cols, sizeof cols);
    sink->count = 0;
    snprintf(text, sizeof text, "%s\n%s", rows, cols);
    draw_wrap(text, width, wrap_collect, sink);
}

static void draw_title(const stepper *st, int y)
{
    const glyphs_table *g = glyphs_current();
    char in_shape[64], out_shape[64], text[512];
    tensor_format_shape(st->input->rank, st->input->dims, in_shape, sizeof in_shape);
    tensor_format_shape(st->plan->out_rank, st->plan->out_dims, out_shape, sizeof out_shape);
    attr_t bar = theme_attr(ROLE_TITLE);
    draw_fill(y, 0, COLS, bar);
    const char *help = "? help ";
    int help_w = (int)glyphs_width(help);
    int x = draw_text(y, 0, COLS, theme_attr(ROLE_TITLE_EMPH), " poolviz ");
    snprintf(text, sizeof text, " %s %s pooling%s  %s  %s %s  %s  output %s", g->bullet,
             pool_op_name(st->plan->params.op), st->backward ? ", backward pass" : "",
             g->bullet, st->name, in_shape, g->arrow, out_shape);
    draw_text(y, x, COLS - x - help_w - 1, bar, text);
    draw_text_right(y, COLS, help_w, bar, help);
}

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

/* The parameter part of the status line. */
static void describe_params(const stepper *st, char *buf, size_t size)
{
    const glyphs_table *g = glyphs_current();
    const pool_params *p = &st->plan->params;
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
        out_plane_dims(st->plan, &oh, &ow);
        status_add(buf, size, sep, "%s style", p->fractional_style == FRACTIONAL_TORCH ? "torch"
                                                                                    : "graham");
        if (p->fractional_style == FRACTIONAL_TORCH)
            status_add(buf, size, sep, "kernel %d%s%d", p->kernel_h, g->times, p->kernel_w);
        status_add(buf, size, sep, "output %zu%s%zu", oh, g->times, ow);
        status_add(buf, size, sep, "seed %llu", (unsigned long long)p->seed);
    } else if (pool_op_uses(p->op, OP_USES_LEVELS)) {
        char levels[128] = "";
        for (int i = 0; i < st->plan->level_count; i++) {
            size_t len = strlen(levels);
            snprintf(levels + len, sizeof levels - len, "%s%d", i ? "," : "",
                     st->plan->levels[i]);
        }
        status_add(buf, size, sep, "levels %s", levels);
    } else if (pool_op_uses(p->op, OP_USES_BILINEAR)) {
        if (p->signed_sqrt)
            status_add(buf, size, sep, "signed sqrt");
        if (p->l2_normalize)
            status_add(buf, size, sep, "l2 normalize");
    }
}

/* The status line: the parameters from the left, and at the right what
 * must never be cut off: the step, the plane, the animation. */
static void draw_status(const stepper *st, int y)
{
    const glyphs_table *g = glyphs_current();
    char params[512], right[160] = "";
    describe_params(st, params, sizeof params);
    size_t len = 0;
    if (st->running)
        len += (size_t)snprintf(right + len, sizeof right - len, "%s %d ms/step  ", g->play,
                                speeds_ms[st->speed]);
    if (plane_count(st) > 1 && len < sizeof right)
        len += (size_t)snprintf(right + len, sizeof right - len, "%s %zu/%zu  ",
                                st->plan->params.op == POOL_BILINEAR ? "sample" : "plane",
                                plane_current(st) + 1, plane_count(st));
    size_t first, count;
    segment(st, &first, &count);
    if (len < sizeof right)
        snprintf(right + len, sizeof right - len, "step %zu/%zu ", st->index - first + 1, count);
    attr_t bar = theme_attr(ROLE_STATUS);
    draw_fill(y, 0, COLS, bar);
    int right_w = (int)glyphs_width(right);
    int room = COLS - right_w - 2;
    draw_text(y, 1, room, bar, params);
    draw_text_right(y, COLS, right_w, theme_attr(ROLE_STATUS_EMPH), right);
}

/* The look of one input cell. */
typedef enum cell_kind { CELL_INPUT, CELL_PADDING, CELL_OUTSIDE } cell_kind;

static cell_kind classify(const pool_plan *plan, long row, long col)
{
    pool_tap_kind rk = pool_plan_row_kind(plan, row);
    pool_tap_kind ck = pool_plan_col_kind(plan, col);
    if (rk == TAP_OUTSIDE || ck == TAP_OUTSIDE)
        return CELL_OUTSIDE;
    if (rk == TAP_PADDING || ck == TAP_PADDING)
        return CELL_PADDING;
    return CELL_INPUT;
}

static bool in_region_box(const pool_region *r, long row, long col)
{
    long last_row = r->row0 + (r->row_count - 1) * r->row_step;
    long last_col = r->col0 + (r->col_count - 1) * r->col_step;
    return row >= r->row0 && row <= last_row && col >= r->col0 && col <= last_col;
}

static bool is_tap(const pool_region *r, long row, long col)
{
    return in_region_box(r, row, col) && (row - r->row0) % r->row_step == 0 &&
           (col - r->col0) % r->col_step == 0;
}

/* Which input plane to show: the region's (n, c). */
static size_t input_flat(const stepper *st, long row, long col)
{
    const pool_plan *plan = st->plan;
    size_t plane = st->region.n * plan->c + st->region.c;
    return (plane * plan->h + (size_t)row) * plan->w + (size_t)col;
}

/* The input's value, or in the backward view dL/dx so far. */
static double input_value(const stepper *st, long row, long col)
{
    size_t i = input_flat(st, row, col);
    if (st->backward && st->bv.dx != NULL)
        return st->bv.dx[i];
    return tensor_get(st->input, i);
}

/* What of output cell index is kept secret (STEPPER_HIDE_* bits). */
static unsigned hidden_bits(const stepper *st, size_t index)
{
    return st->hidden != NULL
               ? st->hidden(st->hidden_ctx, st->input, st->output, index, NULL, 0)
               : 0;
}

static bool is_hidden(const stepper *st, size_t index)
{
    return (hidden_bits(st, index) & STEPPER_HIDE_VALUE) != 0;
}

static bool winner_at(const stepper *st, long row, long col)
{
    if (hidden_bits(st, st->index) != 0)
        return false;   /* the winner would tell a max or argmax question's answer */
    if (st->backward)
        return backview_receives(&st->bv, input_flat(st, row, col), NULL);
    if (!st->have_ex || st->ex.winner < 0 || (size_t)st->ex.winner >= st->ex.term_count)
        return false;
    const pool_term *t = &st->ex.terms[st->ex.winner];
    return t->row == row && t->col == col;
}

static attr_t heat_attr(const stepper *st, double v, double lo, double hi, theme_role plain)
{
    if (!st->heat || !theme_has_heat() || !isfinite(v) || !(hi > lo))
        return theme_attr(plain);
    return theme_attr(theme_heat_role((v - lo) / (hi - lo)));
}

static attr_t input_cell_attr(const stepper *st, long row, long col, cell_kind kind, double v)
{
    const pool_region *r = &st->region;
    bool whole_plane = st->plan->params.op == POOL_BILINEAR;
    if (whole_plane && st->backward && winner_at(st, row, col))
        return theme_attr(ROLE_WINNER);
    if (!whole_plane && in_region_box(r, row, col)) {
        if (!is_tap(r, row, col))
            return theme_attr(ROLE_HOLE);
        if (winner_at(st, row, col))
            return theme_attr(ROLE_WINNER);
        if (kind == CELL_PADDING)
            return theme_attr(ROLE_REGION_PADDING);
        if (kind == CELL_OUTSIDE)
            return theme_attr(ROLE_OUTSIDE);
        return theme_attr(ROLE_REGION);
    }
    if (kind == CELL_PADDING)
        return theme_attr(ROLE_PADDING);
    if (kind == CELL_OUTSIDE)
        return theme_attr(ROLE_OUTSIDE);
    if (st->backward)
        return heat_attr(st, v, st->bv.lo, st->bv.hi, ROLE_CELL);
    return heat_attr(st, v, st->in_min, st->in_max, ROLE_CELL);
}

/* Scroll marks and the visible range on a grid's bottom border. */
static void draw_scroll_info(int y, int x, int h, int w, const viewport *v, long rows, long cols,
                             long row_base, long col_base)
{
    const glyphs_table *g = glyphs_current();
    attr_t mark = theme_attr(ROLE_BOX_TITLE);
    if (v->top > 0)
        draw_text(y, x + w - 3, 1, mark, g->up);
    if (v->top + v->rows < rows)
        draw_text(y + h - 1, x + w - 3, 1, mark, g->down);
    if (v->left > 0)
        draw_text(y + h - 1, x + 2, 1, mark, g->left);
    if (v->left + v->cols < cols)
        draw_text(y + h - 1, x + w - 5, 1, mark, g->right);
    if (v->rows < rows || v->cols < cols) {
        char info[128];
        snprintf(info, sizeof info, " rows %ld..%ld, cols %ld..%ld ", row_base + v->top,
                 row_base + v->top + (v->rows < rows ? v->rows : rows) - 1, col_base + v->left,
                 col_base + v->left + (v->cols < cols ? v->cols : cols) - 1);
        int iw = (int)glyphs_width(info);
        if (iw + 10 <= w)
            draw_text(y + h - 1, x + (w - iw) / 2, iw, theme_attr(ROLE_LABEL), info);
    }
}

/* A bilinear entry (c, c2) with c != c2 multiplies two channels: the
 * input panel shows channel c2's value under each of channel c's, where
 * a grid row has a line to spare. */
static bool second_channel_shown(const stepper *st)
{
    int rowh = zooms[st->zoom].row_height;
    return st->plan->params.op == POOL_BILINEAR && !st->backward &&
           st->region.c != st->region.c2 && number_line(rowh) + 1 < rowh;
}

static void input_title_plain(const stepper *st, char *title, size_t size);

/* A grid's title, after the panel's label when it has one. */
static void with_label(const stepper *st, char *title, size_t size)
{
    if (st->label[0] == '\0' || size < 2)
        return;
    char plain[160];
    size_t label = strlen(st->label) + 2, len = strlen(title);
    if (len >= sizeof plain)
        len = sizeof plain - 1;
    memcpy(plain, title, len);
    plain[len] = '\0';
    if (label + len < size) {
        memcpy(title, st->label, label - 2);
        memcpy(title + label - 2, ": ", 2);
        memcpy(title + label, plain, len + 1);
    }
}

static void input_title(const stepper *st, char *title, size_t size)
{
    input_title_plain(st, title, size);
    with_label(st, title, size);
}

static void input_title_plain(const stepper *st, char *title, size_t size)
{
    const pool_plan *plan = st->plan;
    const pool_region *r = &st->region;
    char shape[64];
    tensor_format_shape(st->input->rank, st->input->dims, shape, sizeof shape);
    if (st->backward) {
        char plane[64] = "";
        if (plan->n * plan->c > 1)
            snprintf(plane, sizeof plane, ", plane [%zu,%zu]", r->n, r->c);
        snprintf(title, size, "dL/dx so far, input %s%s", shape, plane);
    } else if (plan->params.op == POOL_BILINEAR && r->c == r->c2)
        snprintf(title, size, "input %s, channel %zu", shape, r->c);
    else if (plan->params.op == POOL_BILINEAR && second_channel_shown(st))
        snprintf(title, size, "input %s, channel %zu, %s channel %zu under it", shape, r->c,
                 glyphs_current()->times, r->c2);
    else if (plan->params.op == POOL_BILINEAR)
        snprintf(title, size, "input %s, channel %zu (times channel %zu)", shape, r->c, r->c2);
    else if (plan->n * plan->c > 1)
        snprintf(title, size, "input %s, plane [%zu,%zu]", shape, r->n, r->c);
    else
        snprintf(title, size, "input %s", shape);
}

static void output_title_plain(const stepper *st, char *title, size_t size);

static void output_title(const stepper *st, char *title, size_t size)
{
    output_title_plain(st, title, size);
    with_label(st, title, size);
}

static void output_title_plain(const stepper *st, char *title, size_t size)
{
    const pool_plan *plan = st->plan;
    char shape[64];
    tensor_format_shape(plan->out_rank, plan->out_dims, shape, sizeof shape);
    if (st->backward)
        snprintf(title, size, "dL/dy = 1, output %s", shape);
    else if (plan->params.op == POOL_SPP)
        snprintf(title, size, "output %s: sample %zu, channel %zu", shape, st->region.n,
                 st->region.c);
    else if (plan->params.op == POOL_BILINEAR && plan->n > 1)
        snprintf(title, size, "output %s, sample %zu", shape, st->region.n);
    else if (plane_count(st) > 1)
        snprintf(title, size, "output %s, plane [%zu,%zu]", shape, st->region.n, st->region.c);
    else
        snprintf(title, size, "output %s", shape);
}

static void draw_input(stepper *st, int y, int x, int h, int w)
{
    const glyphs_table *g = glyphs_current();
    const pool_plan *plan = st->plan;
    const pool_region *r = &st->region;
    char title[160];
    input_title(st, title, sizeof title);
    draw_box(y, x, h, w, title);

    const zoom_level *z = &zooms[st->zoom];
    int rowh = z->row_height;
    const int numw = st->backward ? st->bw_numw : st->in_numw;
    int cw = numw + z->extra;
    int pad_right = z->extra / 2;
    bool bleed = z->extra == 1;
    int lw = in_label_width(st);
    int cells_x = x + 2 + lw;
    long total_rows = st->row_hi - st->row_lo + 1;
    long total_cols = st->col_hi - st->col_lo + 1;
    viewport *v = &st->in_view;
    v->rows = grid_rows_fit(h - 3, rowh);
    v->cols = (x + w - 1 - (bleed ? 1 : 0) - cells_x) / cw;
    if (v->rows < 1 || v->cols < 1)
        return;
    if (st->follow) {
        long first_row = r->row0 - st->row_lo;
        long last_row = r->row0 + (r->row_count - 1) * r->row_step - st->row_lo;
        long first_col = r->col0 - st->col_lo;
        long last_col = r->col0 + (r->col_count - 1) * r->col_step - st->col_lo;
        v->top = scroll_into_view(v->top, v->rows, total_rows, first_row, last_row);
        v->left = scroll_into_view(v->left, v->cols, total_cols, first_col, last_col);
    }
    v->top = clamp_long(v->top, 0, total_rows > v->rows ? total_rows - v->rows : 0);
    v->left = clamp_long(v->left, 0, total_cols > v->cols ? total_cols - v->cols : 0);

    attr_t label = theme_attr(ROLE_LABEL);
    attr_t plain = theme_attr(ROLE_CELL);
    bool boxed = plan->params.op != POOL_BILINEAR;
    long shown_cols = total_cols - v->left < v->cols ? total_cols - v->left : v->cols;
    long shown_rows = total_rows - v->top < v->rows ? total_rows - v->top : v->rows;
    for (long j = 0; j < shown_cols; j++) {
        char text[32];
        snprintf(text, sizeof text, "%ld", st->col_lo + v->left + j);
        if ((int)strlen(text) < cw)
            draw_text_right(y + 1, cells_x + (int)(j + 1) * cw - pad_right, cw, label, text);
    }
    for (long i = 0; i < shown_rows; i++) {
        long row = st->row_lo + v->top + i;
        int top_line = y + 2 + (int)i * rowh;
        int yy = top_line + number_line(rowh);
        char text[32];
        snprintf(text, sizeof text, "%*ld", lw, row);
        draw_text(yy, x + 2, lw, label, text);
        attr_t prev_attr = 0;
        bool prev_in_box = false;
        for (long j = 0; j < shown_cols; j++) {
            long col = st->col_lo + v->left + j;
            cell_kind kind = classify(plan, row, col);
            double value = kind == CELL_INPUT ? input_value(st, row, col) : 0;
            attr_t a = input_cell_attr(st, row, col, kind, value);
            bool in_box = boxed && in_region_box(r, row, col);
            int cx = cells_x + (int)j * cw;
            if (in_box && full_cells(rowh))
                for (int k = 0; k < rowh; k++)
                    draw_fill(top_line + k, cx, cw, a);
            draw_fill(yy, cx, cw, in_box ? a : plain);
            /* With one column between cells, a window borrows the next
             * cell's leading space so that it reads as one block. */
            if (bleed && prev_in_box && !in_box)
                draw_fill(yy, cx, 1, prev_attr);
            char cell[48];
            if (kind == CELL_INPUT)
                format_cell(value, numw, cell, sizeof cell);
            else if (kind == CELL_PADDING)
                snprintf(cell, sizeof cell, "0");
            else
                snprintf(cell, sizeof cell, "%s", g->outside);
            draw_text_right(yy, cx + cw - pad_right, numw, a, cell);
            if (kind == CELL_INPUT && second_channel_shown(st)) {
                size_t plane = r->n * plan->c + r->c2;
                double other =
                    tensor_get(st->input, (plane * plan->h + (size_t)row) * plan->w + (size_t)col);
                char times[56];
                format_cell(other, numw, cell, sizeof cell);
                snprintf(times, sizeof times, "%s%s", g->times, cell);
                draw_text_right(yy + 1, cx + cw - pad_right, cw - pad_right, label, times);
            }
            /* Between two rows of the window, the gap is part of it. */
            if (rowh > 1 && !full_cells(rowh) && in_box && i + 1 < shown_rows &&
                in_region_box(r, row + 1, col)) {
                bool taps = is_tap(r, row, col) && is_tap(r, row + 1, col);
                for (int k = 1; k < rowh; k++)
                    draw_fill(yy + k, cx, cw, theme_attr(taps ? ROLE_REGION : ROLE_HOLE));
            }
            prev_in_box = in_box;
            prev_attr = a;
        }
        if (bleed && prev_in_box)
            draw_fill(yy, cells_x + (int)shown_cols * cw, 1, prev_attr);
    }
    draw_scroll_info(y, x, h, w, v, total_rows, total_cols, st->row_lo, st->col_lo);
}

static int out_label_width(const out_block *b)
{
    return digits(b->rows > 0 ? (long)b->rows - 1 : 0);
}

static void draw_out_cell(const stepper *st, int y, int x, int cw, int pad_right, bool bleed,
                          int rowh, size_t index)
{
    const glyphs_table *g = glyphs_current();
    char cell[48];
    attr_t a;
    bool current = index == st->index;
    if (index <= st->index && is_hidden(st, index)) {
        a = theme_attr(current ? ROLE_OUT_CURRENT : ROLE_OUT_DONE);
        snprintf(cell, sizeof cell, "?");
    } else if (index < st->index) {
        double v = st->backward ? 1 : tensor_get(st->output, index);
        a = heat_attr(st, v, st->out_min, st->out_max, ROLE_OUT_DONE);
        format_cell(v, st->out_numw, cell, sizeof cell);
    } else if (current) {
        a = theme_attr(ROLE_OUT_CURRENT);
        format_cell(st->backward ? 1 : tensor_get(st->output, index), st->out_numw, cell,
                    sizeof cell);
    } else {
        a = theme_attr(ROLE_OUT_PENDING);
        snprintf(cell, sizeof cell, "%s", g->pending);
    }
    if (current && full_cells(rowh))
        for (int k = -number_line(rowh); k < rowh - number_line(rowh); k++)
            draw_fill(y + k, x, cw, a);
    draw_fill(y, x, cw, current ? a : theme_attr(ROLE_CELL));
    if (current && bleed)
        draw_fill(y, x + cw, 1, a);
    draw_text_right(y, x + cw - pad_right, st->out_numw, a, cell);
}

/* One output grid: column labels on line y, rows under it.  lines is the
 * height it may use, width its columns (labels included). */
static void draw_output_block(stepper *st, const out_block *b, int y, int x, int lines,
                              int width, bool scroll, int rowh)
{
    const zoom_level *z = &zooms[st->zoom];
    int lw = out_label_width(b);
    int cw = st->out_numw + z->extra;
    int pad_right = z->extra / 2;
    bool bleed = z->extra == 1;
    viewport fixed;
    viewport *v = scroll ? &st->out_view : &fixed;
    if (!scroll)
        fixed.top = fixed.left = 0;
    v->rows = grid_rows_fit(lines - 1, rowh);
    v->cols = (width - lw - (bleed ? 1 : 0)) / cw;
    if (v->rows < 1 || v->cols < 1)
        return;
    if (scroll && st->follow) {
        long cur = (long)(st->index - b->base);
        long row = cur / (long)b->cols, col = cur % (long)b->cols;
        v->top = scroll_into_view(v->top, v->rows, (long)b->rows, row, row);
        v->left = scroll_into_view(v->left, v->cols, (long)b->cols, col, col);
    }
    v->top = clamp_long(v->top, 0, (long)b->rows > v->rows ? (long)b->rows - v->rows : 0);
    v->left = clamp_long(v->left, 0, (long)b->cols > v->cols ? (long)b->cols - v->cols : 0);
    attr_t label = theme_attr(ROLE_LABEL);
    long shown_cols = (long)b->cols - v->left < v->cols ? (long)b->cols - v->left : v->cols;
    long shown_rows = (long)b->rows - v->top < v->rows ? (long)b->rows - v->top : v->rows;
    int cells_x = x + lw;
    for (long j = 0; j < shown_cols; j++) {
        char text[32];
        snprintf(text, sizeof text, "%ld", v->left + j);
        if ((int)strlen(text) < cw)
            draw_text_right(y, cells_x + (int)(j + 1) * cw - pad_right, cw, label, text);
    }
    for (long i = 0; i < shown_rows; i++) {
        long row = v->top + i;
        int yy = y + 1 + (int)i * rowh + number_line(rowh);
        char text[32];
        snprintf(text, sizeof text, "%*ld", lw, row);
        draw_text(yy, x, lw, label, text);
        for (long j = 0; j < shown_cols; j++) {
            size_t index = b->base + (size_t)row * b->cols + (size_t)(v->left + j);
            draw_out_cell(st, yy, cells_x + (int)j * cw, cw, pad_right, bleed, rowh, index);
        }
    }
}

static bool single_block(const out_block *blocks, int count)
{
    return count == 1 && blocks[0].label[0] == '\0';
}

static void draw_output(stepper *st, int y, int x, int h, int w)
{
    out_block blocks[POOL_MAX_LEVELS];
    int count = out_blocks(st, blocks, POOL_MAX_LEVELS);
    char title[160];
    if (st->size_secret[0] != '\0') {
        draw_box(y, x, h, w, "output ?");
        draw_text(y + 1, x + 2, w - 4, theme_attr(ROLE_HINT), st->size_secret);
        return;
    }
    output_title(st, title, sizeof title);
    draw_box(y, x, h, w, title);
    if (single_block(blocks, count)) {
        draw_output_block(st, &blocks[0], y + 1, x + 2, h - 2, w - 3, true,
                          zooms[st->zoom].row_height);
        draw_scroll_info(y, x, h, w, &st->out_view, (long)blocks[0].rows, (long)blocks[0].cols,
                         0, 0);
        return;
    }
    /* Several grids (SPP levels): side by side while they fit, else stacked. */
    int cw = st->out_numw + zooms[st->zoom].extra;
    int bx = x + 2, by = y + 1;
    int row_h = 0;
    int current = current_block(st, blocks, count);
    for (int i = 0; i < count; i++) {
        const out_block *b = &blocks[i];
        int bw = out_label_width(b) + (int)b->cols * cw + 1;
        int lw = (int)glyphs_width(b->label);
        if (bw < lw)
            bw = lw;
        int bh = (int)b->rows + 2;
        if (bx > x + 2 && bx + bw > x + w - 1) {
            bx = x + 2;
            by += row_h + 1;
            row_h = 0;
        }
        if (by + 1 >= y + h - 1)
            break;
        draw_text(by, bx, bw, theme_attr(i == current ? ROLE_FORMULA_MARK : ROLE_LABEL),
                  b->label);
        int lines = y + h - 1 - (by + 1);
        if (lines > (int)b->rows + 1)
            lines = (int)b->rows + 1;
        draw_output_block(st, b, by + 1, bx, lines, x + w - 1 - bx, false, 1);
        bx += bw + 3;
        row_h = bh > row_h ? bh : row_h;
    }
}

/* The size the grids want at zoom level z: the input box and the output
 * box, borders included. */
static void natural_sizes(const stepper *st, int z, int *in_w, int *in_h, int *out_w,
                          int *out_h)
{
    const zoom_level *zl = &zooms[z];
    int bleed = zl->extra == 1 ? 1 : 0;
    int in_cw = (st->backward ? st->bw_numw : st->in_numw) + zl->extra;
    int out_cw = st->out_numw + zl->extra;
    long rows = st->row_hi - st->row_lo + 1, cols = st->col_hi - st->col_lo + 1;
    *in_w = 3 + in_label_width(st) + (int)cols * in_cw + bleed;
    *in_h = 3 + grid_lines(rows, zl->row_height);
    out_block blocks[POOL_MAX_LEVELS];
    int count = out_blocks(st, blocks, POOL_MAX_LEVELS);
    char title[160];
    input_title(st, title, sizeof title);
    if (*in_w < (int)glyphs_width(title) + 6)
        *in_w = (int)glyphs_width(title) + 6;
    /* Bilinear steps through channel pairs whose titles differ in length:
     * the box is as wide as the longest, so the layout stays put. */
    if (st->plan->params.op == POOL_BILINEAR && !st->backward && st->plan->c > 1) {
        char shape[64];
        size_t last = st->plan->c - 1;
        tensor_format_shape(st->input->rank, st->input->dims, shape, sizeof shape);
        snprintf(title, sizeof title, "input %s, channel %zu, %s channel %zu under it", shape,
                 last, glyphs_current()->times, last);
        int widest = (int)glyphs_width(title);
        snprintf(title, sizeof title, "input %s, channel %zu (times channel %zu)", shape, last,
                 last);
        widest = (int)glyphs_width(title) > widest ? (int)glyphs_width(title) : widest;
        if (*in_w < widest + 6)
            *in_w = widest + 6;
    }
    output_title(st, title, sizeof title);
    int out_min = (int)glyphs_width(title) + 6;
    if (single_block(blocks, count)) {
        *out_w = 3 + out_label_width(&blocks[0]) + (int)blocks[0].cols * out_cw + bleed;
        *out_h = 3 + grid_lines((long)blocks[0].rows, zl->row_height);
        if (*out_w < out_min)
            *out_w = out_min;
        return;
    }
    int total_w = 0, max_h = 0;
    for (int i = 0; i < count; i++) {
        int bw = out_label_width(&blocks[i]) + (int)blocks[i].cols * out_cw + 1;
        int lw = (int)glyphs_width(blocks[i].label);
        total_w += (bw > lw ? bw : lw) + 3;
        int bh = (int)blocks[i].rows + 2;
        max_h = bh > max_h ? bh : max_h;
    }
    *out_w = total_w + 2 > out_min ? total_w + 2 : out_min;
    *out_h = max_h + 2;
}

typedef struct legend_entry {
    theme_role role;
    char swatch[16];
    const char *what;
} legend_entry;

static void legend_add(legend_entry *list, int *count, theme_role role, const char *swatch,
                       const char *what)
{
    legend_entry *e = &list[(*count)++];
    e->role = role;
    snprintf(e->swatch, sizeof e->swatch, "%s", swatch);
    e->what = what;
}

/* One line under the grids saying what the colours mean, centred. */
static void draw_legend(const stepper *st, int y, int x0, int w)
{
    const glyphs_table *g = glyphs_current();
    const pool_plan *plan = st->plan;
    const pool_params *p = &plan->params;
    /* Colour swatches are blank blocks; in monochrome a sample digit shows
     * the bold and underline that tell the roles apart. */
    bool mono = theme_current_depth() == THEME_MONO;
    legend_entry list[10];
    int count = 0;
    char swatch[16];
    if (p->op != POOL_BILINEAR)
        legend_add(list, &count, ROLE_REGION, mono ? " 1 " : "   ", "window");
    if (pool_op_picks_cell(p))
        legend_add(list, &count, ROLE_WINNER, mono ? " 2 " : "   ",
                   pool_op_uses(p->op, OP_USES_MODE) ? "drawn"
                   : p->op == POOL_MIN                ? "smallest"
                                                      : "largest");
    if (st->row_lo < 0 || st->col_lo < 0 || st->row_hi >= (long)plan->h ||
        st->col_hi >= (long)plan->w)
        legend_add(list, &count, ROLE_PADDING, " 0 ", "padding");
    if (plan_has_padding_axes(plan) && (p->dilation_h > 1 || p->dilation_w > 1)) {
        legend_add(list, &count, ROLE_HOLE, mono ? " 4 " : "   ", "hole");
    }
    bool outside = plan_has_padding_axes(plan) &&
                   (st->row_hi >= (long)plan->h + plan->rows.pad_after ||
                    st->col_hi >= (long)plan->w + plan->cols.pad_after);
    if (outside) {
        snprintf(swatch, sizeof swatch, " %s ", g->outside);
        legend_add(list, &count, ROLE_OUTSIDE, swatch, "past the padding");
    }
    legend_add(list, &count, ROLE_OUT_CURRENT, mono ? " 3 " : "   ", "this output");
    snprintf(swatch, sizeof swatch, " %s ", g->pending);
    legend_add(list, &count, ROLE_OUT_PENDING, swatch, "to come");
    bool heat = st->heat && theme_has_heat();

    int total = 0;
    for (int i = 0; i < count; i++)
        total += (int)glyphs_width(list[i].swatch) + 1 + (int)glyphs_width(list[i].what) + 3;
    if (heat)
        total += 4 + THEME_HEAT_LEVELS + 5;
    const int end = x0 + w;
    int x = x0 + (w - total) / 2;
    if (x < x0 + 1)
        x = x0 + 1;
    for (int i = 0; i < count && x < end - 4; i++) {
        x += draw_text(y, x, end - x, theme_attr(list[i].role), list[i].swatch);
        x += draw_textf(y, x, end - x, theme_attr(ROLE_LABEL), " %s   ", list[i].what);
    }
    if (heat && x < end - (4 + THEME_HEAT_LEVELS + 5)) {
        x += draw_text(y, x, end - x, theme_attr(ROLE_LABEL), "low ");
        for (int i = 0; i < THEME_HEAT_LEVELS; i++)
            x += draw_text(y, x, end - x, theme_attr((theme_role)(ROLE_HEAT_FIRST + i)),
                           g->block);
        draw_text(y, x, end - x, theme_attr(ROLE_LABEL), " high");
    }
}

static attr_t formula_attr(int role)
{
    switch (role) {
    case FORMULA_HEAD:
        return theme_attr(ROLE_FORMULA);
    case FORMULA_DIM:
        return theme_attr(ROLE_FORMULA_DIM);
    case FORMULA_MARK:
        return theme_attr(ROLE_FORMULA_MARK);
    case FORMULA_RESULT:
        return theme_attr(ROLE_RESULT);
    case FORMULA_BAR:
        return theme_attr(ROLE_BAR);
    case FORMULA_BAR_EMPTY:
        return theme_attr(ROLE_BAR_EMPTY);
    default:
        return theme_attr(ROLE_FORMULA_TEXT);
    }
}

static void draw_formula(const stepper *st, int y, int x0, int h, int w)
{
    char title[160];
    const pool_region *r = &st->region;
    const pool_plan *plan = st->plan;
    if (plan->params.op == POOL_SPP)
        snprintf(title, sizeof title, "formula: level %d bin (%zu, %zu)", r->level, r->oy, r->ox);
    else if (plan->params.op == POOL_BILINEAR)
        snprintf(title, sizeof title, "formula: output (%zu, %zu)", r->c, r->c2);
    else
        snprintf(title, sizeof title, "formula: output (%zu, %zu)", r->oy, r->ox);
    draw_box(y, x0, h, w, title);
    if (!st->have_ex) {
        draw_text(y + 1, x0 + 2, w - 4, theme_attr(ROLE_ERROR), st->ex_error);
        return;
    }
    const formula_panel *f = st->formula;
    for (int i = 0; i < f->count && i < h - 2; i++) {
        const formula_line *l = &f->lines[i];
        int x = x0 + 2;
        for (int s = 0; s < l->span_count && x < x0 + w - 2; s++) {
            const formula_span *sp = &l->spans[s];
            char part[FORMULA_LINE_BYTES];
            memcpy(part, l->text + sp->start, sp->len);
            part[sp->len] = '\0';
            x += draw_text(y + 1 + i, x, x0 + w - 2 - x, formula_attr(sp->role), part);
        }
    }
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
static void build_formula(stepper *st, int width, int max_lines)
{
    char why[200] = "";
    unsigned hide = st->have_ex && st->hidden != NULL
                        ? st->hidden(st->hidden_ctx, st->input, st->output, st->index, why,
                                     sizeof why)
                        : 0;
    if (hide != 0) {
        char text[FORMULA_LINE_BYTES], v[48];
        double value = tensor_get(st->output, st->index);
        pool_explanation_format(&st->ex, value, 12, text, sizeof text);
        size_t n = pool_format_number(value, v, sizeof v), len = strlen(text);
        if ((hide & STEPPER_HIDE_VALUE) && len >= n && strcmp(text + len - n, v) == 0)
            snprintf(text + len - n, sizeof text - (len - n), "?");
        st->formula->count = 0;
        formula_add_line(st->formula, FORMULA_HEAD, text);
        if (max_lines > 1 && why[0] != '\0')
            formula_add_line(st->formula, FORMULA_DIM, why);
        else if (max_lines > 1)
            formula_add_line(st->formula, FORMULA_DIM,
                             hide & STEPPER_HIDE_VALUE
                                 ? "a lesson question asks for this value: answer it first"
                                 : "a lesson question asks which cell wins: answer it first");
    } else if (st->have_ex && st->backward) {
        backview_formula(&st->bv, st->formula, st->plan, &st->region, &st->ex, width,
                         max_lines);
    } else if (st->have_ex) {
        double value = tensor_get(st->output, st->index);
        formula_build(st->formula, st->plan, &st->region, &st->ex, value, width, max_lines);
    } else {
        st->formula->count = 1;
    }
}

bool stepper_hides_any(const stepper *st)
{
    if (st->hidden == NULL || st->output == NULL)
        return false;
    for (size_t i = 0; i < st->output->count; i++)
        if (hidden_bits(st, i) & STEPPER_HIDE_VALUE)
            return true;
    return false;
}

void stepper_hide_size(stepper *st, const char *why)
{
    snprintf(st->size_secret, sizeof st->size_secret, "%s", why != NULL ? why : "");
}

void stepper_set_hidden(stepper *st, stepper_hidden_fn hidden, void *ctx)
{
    st->hidden = hidden;
    st->hidden_ctx = ctx;
}

static void draw_size_panel(const stepper *st, int y, int x0, int h, int w)
{
    wrap_sink sink;
    size_text(st, &sink, w - 4);
    draw_box(y, x0, h, w, "output size (o)");
    for (int i = 0; i < sink.count && i < h - 2; i++)
        draw_text(y + 1 + i, x0 + 2, w - 4, theme_attr(ROLE_FORMULA_TEXT), sink.lines[i]);
}

void stepper_draw_title(const stepper *st, int y)
{
    draw_title(st, y);
}

void stepper_draw_status(const stepper *st, int y)
{
    draw_status(st, y);
}

int stepper_draw_formula(stepper *st, int y, int x, int w, int max_lines)
{
    if (max_lines < 1)
        max_lines = 1;
    build_formula(st, w - 4, max_lines);
    int h = st->formula->count + 2;
    draw_formula(st, y, x, h, w);
    return h;
}

/* The roomiest zoom at which the grid fits w x h, else the tightest. */
static int zoom_for(const stepper *st, stepper_grid which, int w, int h)
{
    for (int z = ZOOM_COUNT - 1; z > 0; z--) {
        int in_w, in_h, out_w, out_h;
        natural_sizes(st, z, &in_w, &in_h, &out_w, &out_h);
        if (which == STEPPER_GRID_INPUT ? in_w <= w && in_h <= h : out_w <= w && out_h <= h)
            return z;
    }
    return 0;
}

void stepper_grid_size(const stepper *st, stepper_grid which, int max_w, int max_h, int *w,
                       int *h)
{
    int in_w, in_h, out_w, out_h;
    natural_sizes(st, zoom_for(st, which, max_w, max_h), &in_w, &in_h, &out_w, &out_h);
    *w = which == STEPPER_GRID_INPUT ? (in_w < 22 ? 22 : in_w) : (out_w < 18 ? 18 : out_w);
    *h = which == STEPPER_GRID_INPUT ? in_h : out_h;
}

void stepper_formula_headline(stepper *st, int width, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    if (st->plan == NULL)
        return;
    if (!st->have_ex) {
        snprintf(buf, size, "%s", st->ex_error);
        return;
    }
    build_formula(st, width, 1);
    if (st->formula->count > 0)
        snprintf(buf, size, "%s", st->formula->lines[0].text);
}

void stepper_set_label(stepper *st, const char *label)
{
    snprintf(st->label, sizeof st->label, "%s", label != NULL ? label : "");
}

void stepper_draw_grid(stepper *st, stepper_grid which, int y, int x, int h, int w)
{
    if (st->plan == NULL || h < 3 || w < 6)
        return;
    st->zoom = zoom_for(st, which, w, h);
    st->follow = true;
    if (which == STEPPER_GRID_INPUT)
        draw_input(st, y, x, h, w);
    else
        draw_output(st, y, x, h, w);
    st->follow = false;
}

int stepper_width_needed(const stepper *st)
{
    int in_w, in_h, out_w, out_h;
    natural_sizes(st, 0, &in_w, &in_h, &out_w, &out_h);
    in_w = in_w < 22 ? 22 : in_w;
    out_w = out_w < 18 ? 18 : out_w;
    return in_w + 3 + out_w;
}

void stepper_draw_area(stepper *st, int top, int x0, int h, int W)
{
    const int H = h + 3;    /* the layout below was made for a whole screen */
    /* A new size: bring the region into view again. */
    if (W != st->drawn_cols || H != st->drawn_lines)
        st->follow = true;
    st->drawn_cols = W;
    st->drawn_lines = H;
    layout L;
    int bottom = top + h;   /* rows [top, bottom) are ours */

    /* Fixed parts first: the size panel and the legend. */
    wrap_sink sink;
    L.size_h = 0;
    if (size_panel_visible(st)) {
        size_text(st, &sink, W - 4);
        L.size_h = sink.count + 2;
    }
    /* The legend goes first when lines are scarce. */
    int legend_h = H >= 20 ? 1 : 0;
    /* The grids keep at least the lines that show the whole window (at the
     * tightest zoom), or their whole height when that is less. */
    int in_w0, in_h0, out_w0, out_h0;
    natural_sizes(st, 0, &in_w0, &in_h0, &out_w0, &out_h0);
    int window_rows = (int)((st->region.row_count - 1) * st->region.row_step + 1);
    int min_grid = 3 + window_rows + 2;
    if (min_grid < 5)
        min_grid = 5;
    int natural = in_h0 > out_h0 ? in_h0 : out_h0;
    if (min_grid > natural)
        min_grid = natural;
    int avail = bottom - top - L.size_h - legend_h - min_grid - 2;
    /* The formula never takes more than half the screen from the grids. */
    if (avail > (bottom - top) / 2 && avail > 4)
        avail = (bottom - top) / 2 > 4 ? (bottom - top) / 2 : 4;
    if (avail < 1 && L.size_h > 0) {
        avail += L.size_h;
        L.size_h = 0;
    }
    if (avail < 1)
        avail = 1;
    build_formula(st, W - 4, avail);
    L.formula_h = st->formula->count + 2;

    /* The grids take what is left: the roomiest zoom that fits, else the
     * tightest one, split between input and output, scrolling. */
    int grid_room = bottom - top - L.size_h - legend_h - L.formula_h;
    int gap = 3;
    int in_w = 0, in_h = 0, out_w = 0, out_h = 0;
    for (st->zoom = ZOOM_COUNT - 1; st->zoom > 0; st->zoom--) {
        natural_sizes(st, st->zoom, &in_w, &in_h, &out_w, &out_h);
        int need_h = in_h > out_h ? in_h : out_h;
        if (in_w + gap + out_w <= W && need_h <= grid_room)
            break;
    }
    if (st->zoom == 0)
        natural_sizes(st, 0, &in_w, &in_h, &out_w, &out_h);
    in_w = in_w < 22 ? 22 : in_w;
    out_w = out_w < 18 ? 18 : out_w;
    L.grid_h = in_h > out_h ? in_h : out_h;
    if (L.grid_h > grid_room)
        L.grid_h = grid_room;
    L.grid_y = top;
    if (in_w + gap + out_w <= W) {
        L.in_w = in_w;
        L.out_w = out_w;
    } else if (in_w + gap <= W * 2 / 3) {
        /* A small input and a wide output: the output scrolls. */
        L.in_w = in_w;
        L.out_w = W - gap - in_w;
    } else {
        L.out_w = out_w < W / 3 ? out_w : W / 3;
        if (L.out_w < 18)
            L.out_w = 18;
        L.in_w = W - gap - L.out_w;
    }
    /* Centred when there is room to spare: it is what a class looks at. */
    L.in_x = (W - (L.in_w + gap + L.out_w)) / 2;
    if (L.in_x < 0)
        L.in_x = 0;
    L.in_x += x0;
    L.out_x = L.in_x + L.in_w + gap;
    draw_input(st, L.grid_y, L.in_x, L.grid_h, L.in_w);
    draw_output(st, L.grid_y, L.out_x, L.grid_h, L.out_w);
    draw_text(L.grid_y + L.grid_h / 2, L.in_x + L.in_w + 1, 2, theme_attr(ROLE_BOX_TITLE),
              glyphs_current()->arrow);
    st->follow = false;

    L.legend_y = L.grid_y + L.grid_h;
    if (legend_h > 0)
        draw_legend(st, L.legend_y, x0, W);
    L.formula_y = L.legend_y + legend_h;
    draw_formula(st, L.formula_y, x0, L.formula_h, W);
    if (L.size_h > 0) {
        L.size_y = L.formula_y + L.formula_h;
        draw_size_panel(st, L.size_y, x0, L.size_h, W);
    }
}

static void stepper_draw(tui_app *app)
{
    stepper *st = app->stepper;
    draw_title(st, 0);
    draw_status(st, LINES - 2);
    stepper_draw_area(st, 1, 0, LINES - 3, COLS);
}

/* ---- keys ----------------------------------------------------------------- */

static void stop_running(tui_app *app)
{
    app->stepper->running = false;
    app->tick_ms = -1;
}

/* One step on or back; across the end of a plane into the next one. */
static void step_by(tui_app *app, long delta)
{
    stepper *st = app->stepper;
    size_t count = st->plan->out_count;
    if (delta > 0) {
        if (st->index + 1 >= count) {
            tui_message(app, false, "this is the last step; Home goes back to the first");
            return;
        }
        stepper_goto(st, st->index + 1);
    } else {
        if (st->index == 0) {
            tui_message(app, false, "this is the first step; End goes to the last");
            return;
        }
        stepper_goto(st, st->index - 1);
    }
}

static void step_row(tui_app *app, int direction)
{
    stepper *st = app->stepper;
    out_block blocks[POOL_MAX_LEVELS];
    int count = out_blocks(st, blocks, POOL_MAX_LEVELS);
    const out_block *b = &blocks[current_block(st, blocks, count)];
    size_t offset = st->index - b->base;
    size_t row = offset / b->cols, col = offset % b->cols;
    if (direction < 0 && row > 0)
        stepper_goto(st, b->base + (row - 1) * b->cols + col);
    else if (direction > 0 && row + 1 < b->rows)
        stepper_goto(st, b->base + (row + 1) * b->cols + col);
}

static void switch_plane(tui_app *app, int direction)
{
    stepper *st = app->stepper;
    size_t planes = plane_count(st);
    if (planes <= 1) {
        if (st->plan->params.op == POOL_BILINEAR)
            tui_message(app, false, "one sample only; Tab switches samples of N%sC%sH%sW input",
                        glyphs_current()->times, glyphs_current()->times,
                        glyphs_current()->times);
        else
            tui_message(app, false, "the input has one plane; Tab switches the planes of "
                        "C%sH%sW input", glyphs_current()->times, glyphs_current()->times);
        return;
    }
    size_t plane = plane_current(st);
    plane = direction > 0 ? (plane + 1) % planes : (plane + planes - 1) % planes;
    stepper_goto(st, index_in_plane(st, plane));
}

static void scroll_view(stepper *st, long drows, long dcols)
{
    st->in_view.top += drows;
    st->in_view.left += dcols;
    if (st->in_view.top < 0)
        st->in_view.top = 0;
    if (st->in_view.left < 0)
        st->in_view.left = 0;
    /* the upper bounds are applied when drawing */
}

static void goto_done(void *ctx, const char *line);

static void stepper_key(tui_app *app, int key)
{
    stepper *st = app->stepper;
    if (st->running) {
        if (key == '+' || key == '=') {
            if (st->speed + 1 < SPEED_COUNT)
                st->speed++;
            app->tick_ms = speeds_ms[st->speed];
            return;
        }
        if (key == '-' || key == '_') {
            if (st->speed > 0)
                st->speed--;
            app->tick_ms = speeds_ms[st->speed];
            return;
        }
        stop_running(app);
        if (key == 'r')
            return;
    }
    size_t first, count;
    long page = st->in_view.rows > 1 ? st->in_view.rows - 1 : 1;
    long hpage = st->in_view.cols > 1 ? st->in_view.cols - 1 : 1;
    switch (key) {
    case 'n':
    case ' ':
    case KEY_RIGHT:
        step_by(app, 1);
        break;
    case 'p':
    case KEY_LEFT:
    case KEY_BACKSPACE:
        step_by(app, -1);
        break;
    case KEY_HOME:
        segment(st, &first, &count);
        stepper_goto(st, first);
        break;
    case KEY_END:
        segment(st, &first, &count);
        stepper_goto(st, first + count - 1);
        break;
    case KEY_UP:
        step_row(app, -1);
        break;
    case KEY_DOWN:
        step_row(app, 1);
        break;
    case '\t':
        switch_plane(app, 1);
        break;
    case KEY_BTAB:
        switch_plane(app, -1);
        break;
    case 'h':
    case KEY_SLEFT:
        scroll_view(st, 0, -1);
        break;
    case 'l':
    case KEY_SRIGHT:
        scroll_view(st, 0, 1);
        break;
    case 'k':
    case KEY_SR:
        scroll_view(st, -1, 0);
        break;
    case 'j':
    case KEY_SF:
        scroll_view(st, 1, 0);
        break;
    case KEY_PPAGE:
        scroll_view(st, -page, 0);
        break;
    case KEY_NPAGE:
        scroll_view(st, page, 0);
        break;
    case 'H':
        scroll_view(st, 0, -hpage);
        break;
    case 'L':
        scroll_view(st, 0, hpage);
        break;
    case '.':
        st->follow = true;
        break;
    case 'b':
        st->backward = !st->backward;
        if (st->backward)
            backward_sync(st);
        if (st->bw_error[0] != '\0')
            tui_message(app, true, "%s", st->bw_error);
        else
            tui_message(app, false, st->backward ? "backward pass: dL/dy = 1 flows back window "
                                                   "by window (b: forward again)"
                                                 : "forward pass");
        break;
    case 'c':
        st->heat = !st->heat;
        if (!theme_has_heat())
            tui_message(app, false, "no colours here, so no heat map (see --color, NO_COLOR)");
        else
            tui_message(app, false, "heat-map colouring %s", st->heat ? "on" : "off");
        break;
    case 'o':
        st->size_panel = size_panel_visible(st) ? 0 : 1;
        break;
    case 'r':
        segment(st, &first, &count);
        if (st->index + 1 >= first + count)
            stepper_goto(st, first);
        st->running = true;
        app->tick_ms = speeds_ms[st->speed];
        break;
    case '+':
    case '=':
    case '-':
    case '_':
        if (key == '+' || key == '=')
            st->speed = st->speed + 1 < SPEED_COUNT ? st->speed + 1 : st->speed;
        else
            st->speed = st->speed > 0 ? st->speed - 1 : 0;
        tui_message(app, false, "run speed: %d ms per step (r runs)", speeds_ms[st->speed]);
        break;
    case 'g':
        tui_prompt(app, "go to output row,col (or step number): ", goto_done, app);
        break;
    case ':':
        tui_open_command_line(app);
        break;
    case '?':
        tui_set_screen(app, &help_screen);
        break;
    case 'v':
        tui_set_screen(app, &picture_screen);
        break;
    case 'q':
        app->quit = true;
        break;
    default:
        break;
    }
}

static void goto_done(void *ctx, const char *line)
{
    tui_app *app = ctx;
    stepper *st = app->stepper;
    if (line == NULL)
        return;
    long a, b;
    char rest[8];
    const char *p = line;
    while (*p == ' ' || *p == '(' || *p == '[')
        p++;
    if (*p == '\0')
        return;
    if (sscanf(p, "%ld ,%ld%1s", &a, &b, rest) == 2 || sscanf(p, "%ld %ld%1s", &a, &b, rest) == 2) {
        if (!stepper_goto_cell(st, a, b))
            tui_message(app, true, "go to: there is no output cell (%ld, %ld) here", a, b);
        return;
    }
    if (sscanf(p, "%ld%1s", &a, rest) == 1) {
        size_t first, count;
        segment(st, &first, &count);
        if (a < 1 || (size_t)a > count) {
            tui_message(app, true, "go to: steps run from 1 to %zu", count);
            return;
        }
        stepper_goto(st, first + (size_t)a - 1);
        return;
    }
    tui_message(app, true, "go to: type row,col (e.g. 1,0) or a step number");
}

static void stepper_tick(tui_app *app)
{
    stepper *st = app->stepper;
    if (!st->running)
        return;
    size_t first, count;
    segment(st, &first, &count);
    if (st->index + 1 >= first + count) {
        stop_running(app);
        tui_message(app, false, "done: all %zu steps shown%s", count,
                    count < st->plan->out_count ? "; Tab goes to the next plane" : "");
        return;
    }
    stepper_goto(st, st->index + 1);
}

const tui_screen stepper_screen = {
    .name = "stepper",
    .draw = stepper_draw,
    .key = stepper_key,
    .tick = stepper_tick,
    .hints = "n:next\tp:prev\tr:run\tg:go to\tv:picture\t::command\t?:help\tq:quit\to:size\tc:heat",
};
