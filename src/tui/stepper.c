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
#include "tui/model.h"
#include "tui/theme.h"


/* The first visible cell of a scrolled grid and how many cells fit. */
typedef struct viewport {
    long top, left;
    long rows, cols;
} viewport;

/* The model and how the screen shows it. */
struct stepper {
    stepper_model m;
    viewport in_view, out_view;
    bool follow;            /* scroll the region into view at the next draw */
    bool heat;
    int size_panel;         /* -1: when relevant, 0: hidden, 1: shown */
    bool running;
    int speed;              /* index into speeds_ms */
    int zoom;               /* index into zooms, chosen at each draw */
    int drawn_cols, drawn_lines;    /* the terminal size of the last draw */
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

/* ---- the stepper: its model (model.c) and views ---------------------------- */

stepper *stepper_new(pv_error *err)
{
    stepper *st = pv_calloc(1, sizeof *st);
    if (st == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "stepper", "out of memory");
        return NULL;
    }
    if (model_init(&st->m, err) != PV_OK) {
        pv_free(st);
        return NULL;
    }
    st->heat = true;
    st->size_panel = -1;
    st->speed = SPEED_DEFAULT;
    return st;
}


void stepper_free(stepper *st)
{
    if (st == NULL)
        return;
    model_release(&st->m);
    pv_free(st);
}

/* A cell's text: the number as everywhere else (the grid's columns are as
 * wide as the widest number, at most POOL_NUMBER_TEXT_MAX). */
static void format_cell(double v, int width, char *buf, size_t size)
{
    (void)width;   /* never narrower than the number: see value_range */
    pool_format_number(v, buf, size);
}

void stepper_goto(stepper *st, size_t index)
{
    model_goto(&st->m, index);
    st->follow = true;
}


/* A new plan or input: the grids start at their top-left again. */
static void views_reset(stepper *st)
{
    st->in_view.top = st->in_view.left = 0;
    st->out_view.top = st->out_view.left = 0;
    st->follow = true;
}

pv_status stepper_load(stepper *st, const tensor *input, const char *name,
                       const pool_params *params, pv_error *err)
{
    pv_status status = model_load(&st->m, input, name, params, err);
    if (status == PV_OK)
        views_reset(st);
    return status;
}

pv_status stepper_replan(stepper *st, const pool_params *params, pv_error *err)
{
    pv_status status = model_replan(&st->m, params, err);
    if (status == PV_OK)
        views_reset(st);
    return status;
}

size_t stepper_index(const stepper *st) { return st->m.index; }
size_t stepper_count(const stepper *st) { return st->m.plan ? st->m.plan->out_count : 0; }
const pool_plan *stepper_plan(const stepper *st) { return st->m.plan; }
const pool_region *stepper_region(const stepper *st) { return &st->m.region; }
const tensor *stepper_input(const stepper *st) { return st->m.input; }
const tensor *stepper_output(const stepper *st) { return st->m.output; }
const char *stepper_name(const stepper *st) { return st->m.name; }

const tensor *stepper_backward_dx(const stepper *st, double *lo, double *hi)
{
    if (!st->m.backward || st->m.bw_dx == NULL)
        return NULL;
    if (lo != NULL)
        *lo = st->m.bv.lo;
    if (hi != NULL)
        *hi = st->m.bv.hi;
    return st->m.bw_dx;
}

bool stepper_goto_cell(stepper *st, long row, long col)
{
    if (!model_goto_cell(&st->m, row, col))
        return false;
    st->follow = true;
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
    int a = digits(st->m.row_lo), b = digits(st->m.row_hi);
    return a > b ? a : b;
}

static bool size_panel_visible(const stepper *st)
{
    if (st->m.size_secret[0] != '\0')
        return false;
    if (st->size_panel >= 0)
        return st->size_panel == 1;
    const pool_params *p = &st->m.plan->params;
    if (!model_has_padding_axes(st->m.plan))
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
    pool_plan_explain_size(st->m.plan, 0, rows, sizeof rows);
    pool_plan_explain_size(st->m.plan, 1, cols, sizeof cols);
    sink->count = 0;
    snprintf(text, sizeof text, "%s\n%s", rows, cols);
    draw_wrap(text, width, wrap_collect, sink);
}

static void draw_title(const stepper *st, int y)
{
    const glyphs_table *g = glyphs_current();
    char in_shape[64], out_shape[64], text[512];
    tensor_format_shape(st->m.input->rank, st->m.input->dims, in_shape, sizeof in_shape);
    tensor_format_shape(st->m.plan->out_rank, st->m.plan->out_dims, out_shape, sizeof out_shape);
    attr_t bar = theme_attr(ROLE_TITLE);
    draw_fill(y, 0, COLS, bar);
    const char *help = "? help ";
    int help_w = (int)glyphs_width(help);
    int x = draw_text(y, 0, COLS, theme_attr(ROLE_TITLE_EMPH), " poolviz ");
    snprintf(text, sizeof text, " %s %s pooling%s  %s  %s %s  %s  output %s", g->bullet,
             pool_op_name(st->m.plan->params.op), st->m.backward ? ", backward pass" : "",
             g->bullet, st->m.name, in_shape, g->arrow, out_shape);
    draw_text(y, x, COLS - x - help_w - 1, bar, text);
    draw_text_right(y, COLS, help_w, bar, help);
}

/* The status line: the parameters from the left, and at the right what
 * must never be cut off: the step, the plane, the animation. */
static void draw_status(const stepper *st, int y)
{
    const glyphs_table *g = glyphs_current();
    char params[512], right[160] = "";
    model_describe_params(&st->m, params, sizeof params);
    size_t len = 0;
    if (st->running)
        len += (size_t)snprintf(right + len, sizeof right - len, "%s %d ms/step  ", g->play,
                                speeds_ms[st->speed]);
    if (model_plane_count(&st->m) > 1 && len < sizeof right)
        len += (size_t)snprintf(right + len, sizeof right - len, "%s %zu/%zu  ",
                                st->m.plan->params.op == POOL_BILINEAR ? "sample" : "plane",
                                model_plane_current(&st->m) + 1, model_plane_count(&st->m));
    size_t first, count;
    model_segment(&st->m, &first, &count);
    if (len < sizeof right)
        snprintf(right + len, sizeof right - len, "step %zu/%zu ", st->m.index - first + 1, count);
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

static attr_t heat_attr(const stepper *st, double v, double lo, double hi, theme_role plain)
{
    if (!st->heat || !theme_has_heat() || !isfinite(v) || !(hi > lo))
        return theme_attr(plain);
    return theme_attr(theme_heat_role((v - lo) / (hi - lo)));
}

static attr_t input_cell_attr(const stepper *st, long row, long col, cell_kind kind, double v)
{
    const pool_region *r = &st->m.region;
    bool whole_plane = st->m.plan->params.op == POOL_BILINEAR;
    if (whole_plane && st->m.backward && model_winner_at(&st->m, row, col))
        return theme_attr(ROLE_WINNER);
    if (!whole_plane && in_region_box(r, row, col)) {
        if (!is_tap(r, row, col))
            return theme_attr(ROLE_HOLE);
        if (model_winner_at(&st->m, row, col))
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
    if (st->m.backward)
        return heat_attr(st, v, st->m.bv.lo, st->m.bv.hi, ROLE_CELL);
    return heat_attr(st, v, st->m.in_min, st->m.in_max, ROLE_CELL);
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
    return st->m.plan->params.op == POOL_BILINEAR && !st->m.backward &&
           st->m.region.c != st->m.region.c2 && number_line(rowh) + 1 < rowh;
}

static void input_title_plain(const stepper *st, char *title, size_t size);

/* A grid's title, after the panel's label when it has one. */
static void with_label(const stepper *st, char *title, size_t size)
{
    if (st->m.label[0] == '\0' || size < 2)
        return;
    char plain[160];
    size_t label = strlen(st->m.label) + 2, len = strlen(title);
    if (len >= sizeof plain)
        len = sizeof plain - 1;
    memcpy(plain, title, len);
    plain[len] = '\0';
    if (label + len < size) {
        memcpy(title, st->m.label, label - 2);
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
    const pool_plan *plan = st->m.plan;
    const pool_region *r = &st->m.region;
    char shape[64];
    tensor_format_shape(st->m.input->rank, st->m.input->dims, shape, sizeof shape);
    if (st->m.backward) {
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
    const pool_plan *plan = st->m.plan;
    char shape[64];
    tensor_format_shape(plan->out_rank, plan->out_dims, shape, sizeof shape);
    if (st->m.backward)
        snprintf(title, size, "dL/dy = 1, output %s", shape);
    else if (plan->params.op == POOL_SPP)
        snprintf(title, size, "output %s: sample %zu, channel %zu", shape, st->m.region.n,
                 st->m.region.c);
    else if (plan->params.op == POOL_BILINEAR && plan->n > 1)
        snprintf(title, size, "output %s, sample %zu", shape, st->m.region.n);
    else if (model_plane_count(&st->m) > 1)
        snprintf(title, size, "output %s, plane [%zu,%zu]", shape, st->m.region.n, st->m.region.c);
    else
        snprintf(title, size, "output %s", shape);
}

static void draw_input(stepper *st, int y, int x, int h, int w)
{
    const glyphs_table *g = glyphs_current();
    const pool_plan *plan = st->m.plan;
    const pool_region *r = &st->m.region;
    char title[160];
    input_title(st, title, sizeof title);
    draw_box(y, x, h, w, title);

    const zoom_level *z = &zooms[st->zoom];
    int rowh = z->row_height;
    const int numw = st->m.backward ? st->m.bw_numw : st->m.in_numw;
    int cw = numw + z->extra;
    int pad_right = z->extra / 2;
    bool bleed = z->extra == 1;
    int lw = in_label_width(st);
    int cells_x = x + 2 + lw;
    long total_rows = st->m.row_hi - st->m.row_lo + 1;
    long total_cols = st->m.col_hi - st->m.col_lo + 1;
    viewport *v = &st->in_view;
    v->rows = grid_rows_fit(h - 3, rowh);
    v->cols = (x + w - 1 - (bleed ? 1 : 0) - cells_x) / cw;
    if (v->rows < 1 || v->cols < 1)
        return;
    if (st->follow) {
        long first_row = r->row0 - st->m.row_lo;
        long last_row = r->row0 + (r->row_count - 1) * r->row_step - st->m.row_lo;
        long first_col = r->col0 - st->m.col_lo;
        long last_col = r->col0 + (r->col_count - 1) * r->col_step - st->m.col_lo;
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
        snprintf(text, sizeof text, "%ld", st->m.col_lo + v->left + j);
        if ((int)strlen(text) < cw)
            draw_text_right(y + 1, cells_x + (int)(j + 1) * cw - pad_right, cw, label, text);
    }
    for (long i = 0; i < shown_rows; i++) {
        long row = st->m.row_lo + v->top + i;
        int top_line = y + 2 + (int)i * rowh;
        int yy = top_line + number_line(rowh);
        char text[32];
        snprintf(text, sizeof text, "%*ld", lw, row);
        draw_text(yy, x + 2, lw, label, text);
        attr_t prev_attr = 0;
        bool prev_in_box = false;
        for (long j = 0; j < shown_cols; j++) {
            long col = st->m.col_lo + v->left + j;
            cell_kind kind = classify(plan, row, col);
            double value = kind == CELL_INPUT ? model_input_value(&st->m, row, col) : 0;
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
                    tensor_get(st->m.input, (plane * plan->h + (size_t)row) * plan->w + (size_t)col);
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
    draw_scroll_info(y, x, h, w, v, total_rows, total_cols, st->m.row_lo, st->m.col_lo);
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
    bool current = index == st->m.index;
    if (index <= st->m.index && model_is_hidden(&st->m, index)) {
        a = theme_attr(current ? ROLE_OUT_CURRENT : ROLE_OUT_DONE);
        snprintf(cell, sizeof cell, "?");
    } else if (index < st->m.index) {
        double v = st->m.backward ? 1 : tensor_get(st->m.output, index);
        a = heat_attr(st, v, st->m.out_min, st->m.out_max, ROLE_OUT_DONE);
        format_cell(v, st->m.out_numw, cell, sizeof cell);
    } else if (current) {
        a = theme_attr(ROLE_OUT_CURRENT);
        format_cell(st->m.backward ? 1 : tensor_get(st->m.output, index), st->m.out_numw, cell,
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
    draw_text_right(y, x + cw - pad_right, st->m.out_numw, a, cell);
}

/* One output grid: column labels on line y, rows under it.  lines is the
 * height it may use, width its columns (labels included). */
static void draw_output_block(stepper *st, const out_block *b, int y, int x, int lines,
                              int width, bool scroll, int rowh)
{
    const zoom_level *z = &zooms[st->zoom];
    int lw = out_label_width(b);
    int cw = st->m.out_numw + z->extra;
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
        long cur = (long)(st->m.index - b->base);
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
    int count = model_out_blocks(&st->m, blocks, POOL_MAX_LEVELS);
    char title[160];
    if (st->m.size_secret[0] != '\0') {
        draw_box(y, x, h, w, "output ?");
        draw_text(y + 1, x + 2, w - 4, theme_attr(ROLE_HINT), st->m.size_secret);
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
    int cw = st->m.out_numw + zooms[st->zoom].extra;
    int bx = x + 2, by = y + 1;
    int row_h = 0;
    int current = model_current_block(&st->m, blocks, count);
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
    int in_cw = (st->m.backward ? st->m.bw_numw : st->m.in_numw) + zl->extra;
    int out_cw = st->m.out_numw + zl->extra;
    long rows = st->m.row_hi - st->m.row_lo + 1, cols = st->m.col_hi - st->m.col_lo + 1;
    *in_w = 3 + in_label_width(st) + (int)cols * in_cw + bleed;
    *in_h = 3 + grid_lines(rows, zl->row_height);
    out_block blocks[POOL_MAX_LEVELS];
    int count = model_out_blocks(&st->m, blocks, POOL_MAX_LEVELS);
    char title[160];
    input_title(st, title, sizeof title);
    if (*in_w < (int)glyphs_width(title) + 6)
        *in_w = (int)glyphs_width(title) + 6;
    /* Bilinear steps through channel pairs whose titles differ in length:
     * the box is as wide as the longest, so the layout stays put. */
    if (st->m.plan->params.op == POOL_BILINEAR && !st->m.backward && st->m.plan->c > 1) {
        char shape[64];
        size_t last = st->m.plan->c - 1;
        tensor_format_shape(st->m.input->rank, st->m.input->dims, shape, sizeof shape);
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
    const pool_plan *plan = st->m.plan;
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
    if (st->m.row_lo < 0 || st->m.col_lo < 0 || st->m.row_hi >= (long)plan->h ||
        st->m.col_hi >= (long)plan->w)
        legend_add(list, &count, ROLE_PADDING, " 0 ", "padding");
    if (model_has_padding_axes(plan) && (p->dilation_h > 1 || p->dilation_w > 1)) {
        legend_add(list, &count, ROLE_HOLE, mono ? " 4 " : "   ", "hole");
    }
    bool outside = model_has_padding_axes(plan) &&
                   (st->m.row_hi >= (long)plan->h + plan->rows.pad_after ||
                    st->m.col_hi >= (long)plan->w + plan->cols.pad_after);
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
    const pool_region *r = &st->m.region;
    const pool_plan *plan = st->m.plan;
    if (plan->params.op == POOL_SPP)
        snprintf(title, sizeof title, "formula: level %d bin (%zu, %zu)", r->level, r->oy, r->ox);
    else if (plan->params.op == POOL_BILINEAR)
        snprintf(title, sizeof title, "formula: output (%zu, %zu)", r->c, r->c2);
    else
        snprintf(title, sizeof title, "formula: output (%zu, %zu)", r->oy, r->ox);
    draw_box(y, x0, h, w, title);
    if (!st->m.have_ex) {
        draw_text(y + 1, x0 + 2, w - 4, theme_attr(ROLE_ERROR), st->m.ex_error);
        return;
    }
    const formula_panel *f = st->m.formula;
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

bool stepper_hides_any(const stepper *st)
{
    if (st->m.hidden == NULL || st->m.output == NULL)
        return false;
    for (size_t i = 0; i < st->m.output->count; i++)
        if (model_hidden_bits(&st->m, i) & STEPPER_HIDE_VALUE)
            return true;
    return false;
}

void stepper_hide_size(stepper *st, const char *why)
{
    snprintf(st->m.size_secret, sizeof st->m.size_secret, "%s", why != NULL ? why : "");
}

void stepper_set_hidden(stepper *st, stepper_hidden_fn hidden, void *ctx)
{
    st->m.hidden = hidden;
    st->m.hidden_ctx = ctx;
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
    model_build_formula(&st->m, w - 4, max_lines);
    int h = st->m.formula->count + 2;
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
    if (st->m.plan == NULL)
        return;
    if (!st->m.have_ex) {
        snprintf(buf, size, "%s", st->m.ex_error);
        return;
    }
    model_build_formula(&st->m, width, 1);
    if (st->m.formula->count > 0)
        snprintf(buf, size, "%s", st->m.formula->lines[0].text);
}

void stepper_set_label(stepper *st, const char *label)
{
    snprintf(st->m.label, sizeof st->m.label, "%s", label != NULL ? label : "");
}

void stepper_draw_grid(stepper *st, stepper_grid which, int y, int x, int h, int w)
{
    if (st->m.plan == NULL || h < 3 || w < 6)
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
    int window_rows = (int)((st->m.region.row_count - 1) * st->m.region.row_step + 1);
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
    model_build_formula(&st->m, W - 4, avail);
    L.formula_h = st->m.formula->count + 2;

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
    size_t count = st->m.plan->out_count;
    if (delta > 0) {
        if (st->m.index + 1 >= count) {
            tui_message(app, false, "this is the last step; Home goes back to the first");
            return;
        }
        stepper_goto(st, st->m.index + 1);
    } else {
        if (st->m.index == 0) {
            tui_message(app, false, "this is the first step; End goes to the last");
            return;
        }
        stepper_goto(st, st->m.index - 1);
    }
}

static void step_row(tui_app *app, int direction)
{
    stepper *st = app->stepper;
    out_block blocks[POOL_MAX_LEVELS];
    int count = model_out_blocks(&st->m, blocks, POOL_MAX_LEVELS);
    const out_block *b = &blocks[model_current_block(&st->m, blocks, count)];
    size_t offset = st->m.index - b->base;
    size_t row = offset / b->cols, col = offset % b->cols;
    if (direction < 0 && row > 0)
        stepper_goto(st, b->base + (row - 1) * b->cols + col);
    else if (direction > 0 && row + 1 < b->rows)
        stepper_goto(st, b->base + (row + 1) * b->cols + col);
}

static void switch_plane(tui_app *app, int direction)
{
    stepper *st = app->stepper;
    size_t planes = model_plane_count(&st->m);
    if (planes <= 1) {
        if (st->m.plan->params.op == POOL_BILINEAR)
            tui_message(app, false, "one sample only; Tab switches samples of N%sC%sH%sW input",
                        glyphs_current()->times, glyphs_current()->times,
                        glyphs_current()->times);
        else
            tui_message(app, false, "the input has one plane; Tab switches the planes of "
                        "C%sH%sW input", glyphs_current()->times, glyphs_current()->times);
        return;
    }
    size_t plane = model_plane_current(&st->m);
    plane = direction > 0 ? (plane + 1) % planes : (plane + planes - 1) % planes;
    stepper_goto(st, model_index_in_plane(&st->m, plane));
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
        model_segment(&st->m, &first, &count);
        stepper_goto(st, first);
        break;
    case KEY_END:
        model_segment(&st->m, &first, &count);
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
        st->m.backward = !st->m.backward;
        if (st->m.backward)
            model_backward_sync(&st->m);
        if (st->m.bw_error[0] != '\0')
            tui_message(app, true, "%s", st->m.bw_error);
        else
            tui_message(app, false, st->m.backward ? "backward pass: dL/dy = 1 flows back window "
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
        model_segment(&st->m, &first, &count);
        if (st->m.index + 1 >= first + count)
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
        model_segment(&st->m, &first, &count);
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
    model_segment(&st->m, &first, &count);
    if (st->m.index + 1 >= first + count) {
        stop_running(app);
        tui_message(app, false, "done: all %zu steps shown%s", count,
                    count < st->m.plan->out_count ? "; Tab goes to the next plane" : "");
        return;
    }
    stepper_goto(st, st->m.index + 1);
}

const tui_screen stepper_screen = {
    .name = "stepper",
    .draw = stepper_draw,
    .key = stepper_key,
    .tick = stepper_tick,
    .hints = "n:next\tp:prev\tr:run\tg:go to\tv:picture\t::command\t?:help\tq:quit\to:size\tc:heat",
};
