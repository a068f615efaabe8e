/* render.c - slides of the stepper, as SVG or PNG (see render.h).
 *
 * One layout, two canvases: the layout code places rectangles, text and
 * pictures through the cv_* functions, which either append SVG elements or
 * paint an RGB raster (text with bitfont.h).  The raster becomes a PNG
 * through png_io_save, the SVG is written as text; both atomically.
 */
#include "cli/render.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/bitfont.h"
#include "core/alloc.h"
#include "core/explain.h"
#include "core/numfmt.h"
#include "core/params.h"
#include "io/png.h"
#include "io/writer.h"

#define MARGIN 24
#define DEFAULT_CELL 56
#define MIN_WIDTH 320
#define PICTURE_SIDE 512     /* pictures are drawn this many pixels across */
#define NUMBERS_MAX 20       /* planes up to this many rows/columns show numbers */
#define TEXT_SCALE 2
#define LINE_HEIGHT (BITFONT_H * TEXT_SCALE + 8)
#define MAX_LINES 12
#define LINE_BYTES 512

typedef struct rgb8 {
    unsigned char r, g, b;
} rgb8;

static const rgb8 paper = {255, 255, 255};
static const rgb8 ink = {25, 25, 25};
static const rgb8 soft_ink = {110, 110, 110};
static const rgb8 grid_line = {170, 170, 170};
static const rgb8 padding_fill = {232, 232, 232};
static const rgb8 region_fill = {255, 222, 173};
static const rgb8 region_edge = {214, 102, 0};
static const rgb8 winner_fill = {255, 170, 70};
static const rgb8 pending_fill = {244, 244, 244};
static const rgb8 current_fill = {190, 222, 250};
static const rgb8 current_edge = {20, 100, 200};
static const rgb8 title_ink = {0, 0, 0};

bool render_format_from_name(const char *name, render_format *fmt)
{
    if (strcasecmp(name, "svg") == 0)
        *fmt = RENDER_SVG;
    else if (strcasecmp(name, "png") == 0)
        *fmt = RENDER_PNG;
    else
        return false;
    return true;
}

bool render_format_from_path(const char *path, render_format *fmt)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return false;
    return render_format_from_name(dot + 1, fmt);
}

const char *render_format_extension(render_format fmt)
{
    return fmt == RENDER_PNG ? "png" : "svg";
}

/* ---- the canvas ------------------------------------------------------------- */

typedef struct canvas {
    render_format fmt;
    int width, height;
    char *svg;                  /* SVG text */
    size_t svg_len, svg_cap;
    unsigned char *pixels;      /* PNG: RGB, width * height * 3 */
    bool failed;                /* out of memory */
} canvas;

static void svg_put(canvas *cv, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void svg_put(canvas *cv, const char *fmt, ...)
{
    if (cv->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t need = cv->svg_len + (size_t)n + 1;
    if (need > cv->svg_cap) {
        size_t cap = cv->svg_cap ? cv->svg_cap : 4096;
        while (cap < need)
            cap *= 2;
        char *grown = pv_realloc(cv->svg, cap);
        if (grown == NULL) {
            cv->failed = true;
            return;
        }
        cv->svg = grown;
        cv->svg_cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(cv->svg + cv->svg_len, cv->svg_cap - cv->svg_len, fmt, ap);
    va_end(ap);
    cv->svg_len += (size_t)n;
}

/* Text with XML's special characters escaped. */
static void svg_put_escaped(canvas *cv, const char *text)
{
    for (const char *s = text; *s; s++) {
        switch (*s) {
        case '<': svg_put(cv, "&lt;"); break;
        case '>': svg_put(cv, "&gt;"); break;
        case '&': svg_put(cv, "&amp;"); break;
        case '"': svg_put(cv, "&quot;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                svg_put(cv, "%c", *s);
        }
    }
}

static bool canvas_begin(canvas *cv, render_format fmt, int width, int height)
{
    memset(cv, 0, sizeof *cv);
    cv->fmt = fmt;
    cv->width = width;
    cv->height = height;
    if (fmt == RENDER_PNG) {
        size_t bytes;
        if (!pv_mul_size((size_t)width, (size_t)height, &bytes) ||
            !pv_mul_size(bytes, 3, &bytes))
            return false;
        cv->pixels = pv_malloc(bytes);
        if (cv->pixels == NULL)
            return false;
        memset(cv->pixels, 255, bytes);
        return true;
    }
    svg_put(cv,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, "
            "monospace\">\n"
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            width, height, width, height, width, height);
    return !cv->failed;
}

static void canvas_release(canvas *cv)
{
    pv_free(cv->svg);
    pv_free(cv->pixels);
    memset(cv, 0, sizeof *cv);
}

static void put_pixel(canvas *cv, int x, int y, rgb8 c)
{
    if (x < 0 || y < 0 || x >= cv->width || y >= cv->height)
        return;
    unsigned char *p = cv->pixels + ((size_t)y * (size_t)cv->width + (size_t)x) * 3;
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
}

static void fill_box(canvas *cv, int x, int y, int w, int h, rgb8 c)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            put_pixel(cv, i, j, c);
}

/* A rectangle: fill (if fill != NULL) and an edge of stroke pixels inside
 * its bounds (if stroke > 0). */
static void cv_rect(canvas *cv, int x, int y, int w, int h, const rgb8 *fill, rgb8 edge,
                    int stroke)
{
    if (cv->fmt == RENDER_SVG) {
        svg_put(cv, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"", x, y, w, h);
        if (fill != NULL)
            svg_put(cv, " fill=\"#%02x%02x%02x\"", fill->r, fill->g, fill->b);
        else
            svg_put(cv, " fill=\"none\"");
        if (stroke > 0) {
            /* An SVG stroke is centred on the edge: inset it by half. */
            svg_put(cv, "/>\n<rect x=\"%g\" y=\"%g\" width=\"%d\" height=\"%d\" fill=\"none\" "
                    "stroke=\"#%02x%02x%02x\" stroke-width=\"%d\"",
                    x + stroke / 2.0, y + stroke / 2.0, w - stroke, h - stroke, edge.r, edge.g,
                    edge.b, stroke);
        }
        svg_put(cv, "/>\n");
        return;
    }
    if (fill != NULL)
        fill_box(cv, x, y, w, h, *fill);
    if (stroke > 0) {
        fill_box(cv, x, y, w, stroke, edge);
        fill_box(cv, x, y + h - stroke, w, stroke, edge);
        fill_box(cv, x, y, stroke, h, edge);
        fill_box(cv, x + w - stroke, y, stroke, h, edge);
    }
}

enum { ANCHOR_START, ANCHOR_MIDDLE, ANCHOR_END };

/* Text whose baseline is at y (capitals reach 7 * scale above it). */
static void cv_text(canvas *cv, int x, int y, int scale, rgb8 color, int anchor,
                    const char *text)
{
    if (text == NULL || *text == '\0')
        return;
    int width = bitfont_text_width(text, scale);
    if (cv->fmt == RENDER_SVG) {
        static const char *const anchors[] = {"start", "middle", "end"};
        /* font-size 10*scale: a monospace face then advances about 6*scale
         * per character, as the bitmap font does. */
        svg_put(cv, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" fill=\"#%02x%02x%02x\"", x, y,
                10 * scale, color.r, color.g, color.b);
        if (anchor != ANCHOR_START)
            svg_put(cv, " text-anchor=\"%s\"", anchors[anchor]);
        svg_put(cv, " xml:space=\"preserve\">");
        svg_put_escaped(cv, text);
        svg_put(cv, "</text>\n");
        return;
    }
    int left = anchor == ANCHOR_MIDDLE ? x - width / 2 : anchor == ANCHOR_END ? x - width : x;
    int top = y - (BITFONT_ASCENT - 1) * scale - scale;
    const char *p = text;
    unsigned code;
    for (int i = 0; (code = bitfont_next(&p)) != 0; i++) {
        int gx = left + i * BITFONT_ADVANCE * scale;
        for (int row = 0; row < BITFONT_H; row++)
            for (int col = 0; col < BITFONT_W; col++)
                if (bitfont_pixel(code, col, row))
                    fill_box(cv, gx + col * scale, top + row * scale, scale, scale, color);
    }
}

/* ---- base64 and embedded pictures (SVG) ------------------------------------- */

static void svg_put_base64(canvas *cv, const unsigned char *data, size_t size)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char chunk[4 * 256 + 1];
    size_t used = 0;
    for (size_t i = 0; i < size; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < size)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < size)
            v |= data[i + 2];
        chunk[used++] = digits[(v >> 18) & 63];
        chunk[used++] = digits[(v >> 12) & 63];
        chunk[used++] = i + 1 < size ? digits[(v >> 6) & 63] : '=';
        chunk[used++] = i + 2 < size ? digits[v & 63] : '=';
        if (used + 4 >= sizeof chunk) {
            chunk[used] = '\0';
            svg_put(cv, "%s", chunk);
            used = 0;
        }
    }
    chunk[used] = '\0';
    svg_put(cv, "%s", chunk);
}

/* A picture of rows x cols colours, drawn cell pixels per source pixel. */
static void cv_picture(canvas *cv, int x, int y, int cell, long rows, long cols,
                       const rgb8 *colours, pv_error *err)
{
    if (cv->fmt == RENDER_PNG) {
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < cols; c++)
                fill_box(cv, x + (int)c * cell, y + (int)r * cell, cell, cell,
                         colours[r * cols + c]);
        return;
    }
    size_t dims[3] = {3, (size_t)rows, (size_t)cols};
    tensor *t = tensor_new(TENSOR_F64, 3, dims, err);
    if (t == NULL) {
        cv->failed = true;
        return;
    }
    size_t plane = (size_t)rows * (size_t)cols;
    for (size_t i = 0; i < plane; i++) {
        tensor_set(t, i, colours[i].r);
        tensor_set(t, plane + i, colours[i].g);
        tensor_set(t, 2 * plane + i, colours[i].b);
    }
    void *png = NULL;
    size_t size = 0;
    if (png_io_save_memory(&png, &size, t, false, err) != PV_OK) {
        tensor_free(t);
        cv->failed = true;
        return;
    }
    tensor_free(t);
    svg_put(cv, "<image x=\"%d\" y=\"%d\" width=\"%ld\" height=\"%ld\" "
            "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" "
            "href=\"data:image/png;base64,",
            x, y, cols * cell, rows * cell);
    svg_put_base64(cv, png, size);
    svg_put(cv, "\"/>\n");
    pv_free(png);
}

/* ---- writing files ---------------------------------------------------------------- */

/* The slide's bytes through the writer (src/io/writer.h): staged and
 * renamed, the mode kept, a link followed, a device written in place. */
static pv_status canvas_save(canvas *cv, const char *path, pv_error *err)
{
    if (cv->failed)
        return err->status != PV_OK ? err->status
                                    : pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
    if (cv->fmt == RENDER_SVG) {
        svg_put(cv, "</svg>\n");
        if (cv->failed)
            return pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
        return io_write_file(path, cv->svg, cv->svg_len, err);
    }
    size_t dims[3] = {3, (size_t)cv->height, (size_t)cv->width};
    tensor *t = tensor_new(TENSOR_F64, 3, dims, err);
    if (t == NULL)
        return err->status;
    size_t plane = (size_t)cv->width * (size_t)cv->height;
    for (size_t i = 0; i < plane; i++)
        for (size_t ch = 0; ch < 3; ch++)
            tensor_set(t, ch * plane + i, cv->pixels[i * 3 + ch]);
    void *png = NULL;
    size_t size = 0;
    pv_status status = png_io_save_memory(&png, &size, t, false, err);
    tensor_free(t);
    if (status == PV_OK)
        status = io_write_file(path, png, size, err);
    else
        snprintf(err->subject, sizeof err->subject, "%s", path);
    pv_free(png);
    return status;
}

/* ---- the layout of a step ------------------------------------------------------ */

/* A grid as drawn: the cells [row0, row0 + rows) x [col0, col0 + cols) of a
 * plane (padding where outside it), each cell pixels square. */
typedef struct grid_view {
    int x, y, cell;
    long row0, col0, rows, cols;
    bool numbers;
    int index_scale;            /* row/column numbers: 0 = none */
    int index_w;                /* room left of the grid for row numbers */
} grid_view;

typedef struct step_layout {
    int width, height;
    pool_region region;
    size_t in_plane;            /* plane of the input shown */
    long in_h, in_w;
    size_t out_base;            /* flat index of the shown output plane's (0, 0) */
    long out_h, out_w;
    grid_view in, out;
    int title_y, label_y, formula_y, footer_y;
    char title[LINE_BYTES];
    char lines[MAX_LINES][LINE_BYTES];
    int line_count;
    char footer[LINE_BYTES];
    char in_label[96];
} step_layout;

static int digits_of(long v)
{
    int d = v < 0 ? 2 : 1;
    for (v = labs(v); v >= 10; v /= 10)
        d++;
    return d;
}

/* Split text into lines of at most max_chars characters at spaces. */
static int wrap_lines(const char *text, size_t max_chars, char lines[][LINE_BYTES], int first,
                      int max_lines)
{
    int count = first;
    const char *s = text;
    while (*s && count < max_lines) {
        while (*s == ' ')
            s++;
        size_t len = strlen(s);
        size_t take = len;
        if (len > max_chars) {
            take = max_chars;
            while (take > 0 && s[take] != ' ')
                take--;
            if (take == 0)
                take = max_chars;
        }
        if (take >= LINE_BYTES)
            take = LINE_BYTES - 1;
        memcpy(lines[count], s, take);
        lines[count][take] = '\0';
        count++;
        s += take;
    }
    return count;
}

static void plane_shape(const tensor *t, long *rows, long *cols)
{
    if (t->rank == 1) {
        *rows = 1;
        *cols = (long)t->dims[0];
    } else {
        *rows = (long)t->dims[t->rank - 2];
        *cols = (long)t->dims[t->rank - 1];
    }
}

/* Build the layout; ex receives the region's explanation. */
static pv_status layout_step(step_layout *L, const render_step *st, const render_options *o,
                             pool_explanation *ex, pv_error *err)
{
    memset(L, 0, sizeof *L);
    const pool_plan *plan = st->plan;
    pool_plan_region(plan, st->index, &L->region);
    if (pool_explain(plan, st->input, st->index, ex, err) != PV_OK)
        return err->status;
    const pool_region *rg = &L->region;

    /* The input: the region's plane, with the padding frame. */
    L->in_plane = rg->n * plan->c + rg->c;
    L->in_h = (long)plan->h;
    L->in_w = (long)plan->w;
    long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
    long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
    long top = 0, left = 0, bottom = L->in_h - 1, right = L->in_w - 1;
    if (pool_op_is_windowed(plan->params.op) || plan->params.op == POOL_FRACTIONAL) {
        top -= plan->rows.pad_before;
        left -= plan->cols.pad_before;
        bottom += plan->rows.pad_after;
        right += plan->cols.pad_after;
        if (plan->params.op != POOL_BILINEAR) {
            top = rg->row0 < top ? rg->row0 : top;
            left = rg->col0 < left ? rg->col0 : left;
            bottom = r_last > bottom ? r_last : bottom;
            right = c_last > right ? c_last : right;
        }
    }
    grid_view *in = &L->in;
    in->row0 = top;
    in->col0 = left;
    in->rows = bottom - top + 1;
    in->cols = right - left + 1;
    int cell = o && o->cell > 0 ? o->cell : DEFAULT_CELL;
    in->numbers = in->rows <= NUMBERS_MAX && in->cols <= NUMBERS_MAX;
    long side = in->rows > in->cols ? in->rows : in->cols;
    in->cell = in->numbers ? cell : (int)(PICTURE_SIDE / side > 0 ? PICTURE_SIDE / side : 1);

    /* The output: the plane holding the current cell. */
    plane_shape(st->output, &L->out_h, &L->out_w);
    size_t plane_cells = (size_t)L->out_h * (size_t)L->out_w;
    L->out_base = plane_cells ? st->index / plane_cells * plane_cells : 0;
    grid_view *out = &L->out;
    out->rows = L->out_h;
    out->cols = L->out_w;
    out->numbers = out->rows <= NUMBERS_MAX && out->cols <= 2 * NUMBERS_MAX;
    side = out->rows > out->cols ? out->rows : out->cols;
    out->cell = out->numbers ? cell : (int)(PICTURE_SIDE / side > 0 ? PICTURE_SIDE / side : 1);

    /* Row and column numbers beside numbered grids. */
    int index_scale = cell >= 40 ? 2 : 1;
    if (in->numbers) {
        in->index_scale = index_scale;
        int d = digits_of(in->row0) > digits_of(in->row0 + in->rows - 1)
                    ? digits_of(in->row0)
                    : digits_of(in->row0 + in->rows - 1);
        in->index_w = d * BITFONT_ADVANCE * index_scale + 8;
    }
    if (out->numbers) {
        out->index_scale = index_scale;
        out->index_w = digits_of(out->rows - 1) * BITFONT_ADVANCE * index_scale + 8;
    }

    /* Texts. */
    char settings[256];
    pool_params_describe(&plan->params, settings, sizeof settings);
    snprintf(L->title, sizeof L->title, "%s", o && o->title ? o->title : settings);
    char formula[2048];
    double value = tensor_get(st->output, st->index);
    pool_explanation_format(ex, value, 16, formula, sizeof formula);
    if (o && o->hide_value) {
        char v[48];
        size_t n = pool_format_number(value, v, sizeof v);
        size_t len = strlen(formula);
        if (len >= n && strcmp(formula + len - n, v) == 0)
            snprintf(formula + len - n, sizeof formula - (len - n), "?");
    }

    /* Width: the grids side by side, at least MIN_WIDTH, wide enough for
     * a formula line of up to 90 characters. */
    int index_band = out->numbers || in->numbers ? BITFONT_H * index_scale + 8 : 0;
    if (plan->n > 1)
        snprintf(L->in_label, sizeof L->in_label, "input (sample %zu, channel %zu)", rg->n,
                 rg->c);
    else if (plan->c > 1)
        snprintf(L->in_label, sizeof L->in_label, "input (channel %zu)", rg->c);
    else
        snprintf(L->in_label, sizeof L->in_label, "input");
    /* Room between the grids for the arrow, and for the input's label. */
    int gap = 96;
    int label_over = bitfont_text_width(L->in_label, TEXT_SCALE) + 48 -
                     ((int)in->cols * in->cell + gap + out->index_w);
    if (label_over > 0)
        gap += label_over;
    int grids_w = in->index_w + (int)in->cols * in->cell + gap + out->index_w +
                  (int)out->cols * out->cell;
    int width = grids_w + 2 * MARGIN;
    int text_chars = (int)strlen(formula);
    int text_w = (text_chars > 90 ? 90 : text_chars) * BITFONT_ADVANCE * TEXT_SCALE;
    if (text_w + 2 * MARGIN > width)
        width = text_w + 2 * MARGIN;
    int title_w = bitfont_text_width(L->title, TEXT_SCALE);
    if (title_w + 2 * MARGIN > width)
        width = title_w + 2 * MARGIN > 1600 ? 1600 : title_w + 2 * MARGIN;
    if (width < MIN_WIDTH)
        width = MIN_WIDTH;
    size_t max_chars = (size_t)((width - 2 * MARGIN) / (BITFONT_ADVANCE * TEXT_SCALE));
    if (st->all_done) {
        /* A finished run: the whole output, no region. */
        char in_shape[64], out_shape[64];
        tensor_format_shape(st->input->rank, st->input->dims, in_shape, sizeof in_shape);
        tensor_format_shape(st->output->rank, st->output->dims, out_shape, sizeof out_shape);
        snprintf(formula, sizeof formula, "%s -> %s, every region pooled", in_shape, out_shape);
    }
    L->line_count = wrap_lines(formula, max_chars, L->lines, 0, MAX_LINES - 1);
    char cellname[64] = "";
    size_t coord = st->index;
    size_t idx[TENSOR_MAX_RANK];
    for (int d = plan->out_rank; d-- > 0;) {
        idx[d] = coord % plan->out_dims[d];
        coord /= plan->out_dims[d];
    }
    size_t used = 0;
    for (int d = 0; d < plan->out_rank && used < sizeof cellname; d++)
        used += (size_t)snprintf(cellname + used, sizeof cellname - used, "%s%zu",
                                 d ? ", " : "(", idx[d]);
    if (used < sizeof cellname)
        snprintf(cellname + used, sizeof cellname - used, ")");
    if (st->all_done)
        snprintf(L->footer, sizeof L->footer, "all %zu steps done", plan->out_count);
    else
        snprintf(L->footer, sizeof L->footer, "step %zu of %zu: output cell %s", st->index + 1,
                 plan->out_count, cellname);

    /* Vertical positions (baselines for text). */
    int y = MARGIN + BITFONT_ASCENT * TEXT_SCALE;
    L->title_y = y;
    y += BITFONT_H * TEXT_SCALE + 18;
    L->label_y = y + BITFONT_ASCENT * TEXT_SCALE;
    y += LINE_HEIGHT + index_band;
    int grid_h_in = (int)in->rows * in->cell, grid_h_out = (int)out->rows * out->cell;
    int grids_h = grid_h_in > grid_h_out ? grid_h_in : grid_h_out;
    int x0 = (width - grids_w) / 2;
    in->x = x0 + in->index_w;
    in->y = y + (grids_h - grid_h_in) / 2;
    out->x = in->x + (int)in->cols * in->cell + gap + out->index_w;
    out->y = y + (grids_h - grid_h_out) / 2;
    y += grids_h + 28;
    L->formula_y = y + BITFONT_ASCENT * TEXT_SCALE;
    y += L->line_count * LINE_HEIGHT + 10;
    L->footer_y = y + BITFONT_ASCENT * TEXT_SCALE;
    y += LINE_HEIGHT;
    L->width = width;
    L->height = y + MARGIN;
    return PV_OK;
}

/* ---- drawing ------------------------------------------------------------------ */

static double plane_value(const tensor *t, size_t plane, long rows, long cols, long r, long c)
{
    return tensor_get(t, plane * (size_t)rows * (size_t)cols + (size_t)r * (size_t)cols +
                             (size_t)c);
}

/* The largest scale at which text fits a w x h cell, or 0. */
static int fit_scale(const char *text, int w, int h)
{
    for (int scale = 4; scale >= 1; scale--)
        if (bitfont_text_width(text, scale) <= w - 10 && BITFONT_H * scale <= h - 8)
            return scale;
    return 0;
}

/* How a grid writes its numbers: one scale for every cell, and when the
 * full numbers would not fit at scale 2, three significant digits. */
typedef struct number_style {
    int scale;
    bool short_form;
} number_style;

static void format_cell_number(double v, const number_style *ns, char *buf, size_t size)
{
    if (ns->short_form && v != floor(v))
        snprintf(buf, size, "%.3g", v);
    else
        pool_format_number(v, buf, size);
}

static number_style choose_style(const double *values, size_t count, int cell)
{
    number_style ns = {4, false};
    for (int pass = 0; pass < 2; pass++) {
        ns.short_form = pass == 1;
        ns.scale = 4;
        for (size_t i = 0; i < count; i++) {
            char buf[48];
            format_cell_number(values[i], &ns, buf, sizeof buf);
            int s = fit_scale(buf, cell, cell);
            if (s < ns.scale)
                ns.scale = s;
        }
        if (ns.scale >= 2 || pass == 1)
            break;
    }
    if (ns.scale < 1)
        ns.scale = 1;
    return ns;
}

static bool region_has(const pool_region *rg, const pool_plan *plan, long row, long col)
{
    if (plan->params.op == POOL_BILINEAR)
        return true;
    long dr = row - rg->row0, dc = col - rg->col0;
    if (dr < 0 || dc < 0 || dr % rg->row_step != 0 || dc % rg->col_step != 0)
        return false;
    return dr / rg->row_step < rg->row_count && dc / rg->col_step < rg->col_count;
}

static void draw_indices(canvas *cv, const grid_view *g)
{
    if (g->index_scale == 0)
        return;
    char num[32];
    for (long c = 0; c < g->cols; c++) {
        snprintf(num, sizeof num, "%ld", g->col0 + c);
        cv_text(cv, g->x + (int)c * g->cell + g->cell / 2, g->y - 8, g->index_scale, soft_ink,
                ANCHOR_MIDDLE, num);
    }
    for (long r = 0; r < g->rows; r++) {
        snprintf(num, sizeof num, "%ld", g->row0 + r);
        cv_text(cv, g->x - 8,
                g->y + (int)r * g->cell + g->cell / 2 + (BITFONT_ASCENT * g->index_scale) / 2,
                g->index_scale, soft_ink, ANCHOR_END, num);
    }
}

/* Colours of a plane (or of an RGB composite when rgb is set). */
static rgb8 *picture_colours(const tensor *t, size_t plane, size_t sample, bool rgb,
                             size_t channels, long rows, long cols)
{
    size_t count = (size_t)rows * (size_t)cols;
    rgb8 *colours = pv_malloc(count * sizeof *colours);
    if (colours == NULL)
        return NULL;
    size_t base = rgb ? sample * channels * count : plane * count;
    size_t planes = rgb ? 3 : 1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < count * planes; i++) {
        double v = tensor_get(t, base + i);
        if (isfinite(v)) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    /* Pictures on the 0..255 scale stay as they are; anything else is
     * stretched from its minimum to its maximum. */
    bool stretch = !(lo >= 0 && hi <= 255 && hi > 1);
    for (size_t i = 0; i < count; i++) {
        double ch[3];
        for (size_t k = 0; k < 3; k++) {
            double v = tensor_get(t, base + (rgb ? k * count : 0) + i);
            if (!isfinite(v))
                v = 0;
            if (stretch)
                v = hi > lo ? (v - lo) / (hi - lo) * 255 : 128;
            ch[k] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
        colours[i] = (rgb8){(unsigned char)lround(ch[0]), (unsigned char)lround(ch[1]),
                            (unsigned char)lround(ch[2])};
    }
    return colours;
}

static bool is_rgb(const tensor *t)
{
    return (t->rank == 3 && t->dims[0] == 3) || (t->rank == 4 && t->dims[1] == 3);
}

static void draw_input(canvas *cv, const step_layout *L, const render_step *st,
                       const pool_explanation *ex, pv_error *err)
{
    const grid_view *g = &L->in;
    const pool_plan *plan = st->plan;
    const pool_region *rg = &L->region;
    const bool show_region = !st->all_done;
    long win_row = LONG_MIN, win_col = LONG_MIN;
    if (ex->winner >= 0 && show_region) {
        win_row = ex->terms[ex->winner].row;
        win_col = ex->terms[ex->winner].col;
    }
    if (!g->numbers) {
        bool rgb = is_rgb(st->input) && plan->params.op != POOL_BILINEAR;
        rgb8 *colours = picture_colours(st->input, L->in_plane, rg->n, rgb, plan->c, L->in_h,
                                        L->in_w);
        if (colours == NULL) {
            cv->failed = true;
            return;
        }
        cv_picture(cv, g->x, g->y, g->cell, L->in_h, L->in_w, colours, err);
        pv_free(colours);
        if (plan->params.op != POOL_BILINEAR && show_region) {
            long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
            long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
            int stroke = 3;
            cv_rect(cv, g->x + (int)(rg->col0 - g->col0) * g->cell - stroke,
                    g->y + (int)(rg->row0 - g->row0) * g->cell - stroke,
                    (int)(c_last - rg->col0 + 1) * g->cell + 2 * stroke,
                    (int)(r_last - rg->row0 + 1) * g->cell + 2 * stroke, NULL, region_edge,
                    stroke);
        }
        return;
    }
    draw_indices(cv, g);
    double *values = pv_malloc((size_t)(g->rows * g->cols) * sizeof *values);
    if (values == NULL) {
        cv->failed = true;
        return;
    }
    for (long r = 0; r < g->rows; r++)
        for (long c = 0; c < g->cols; c++) {
            long row = g->row0 + r, col = g->col0 + c;
            bool inside = row >= 0 && col >= 0 && row < L->in_h && col < L->in_w;
            values[r * g->cols + c] =
                inside ? plane_value(st->input, L->in_plane, L->in_h, L->in_w, row, col) : 0;
        }
    number_style ns = choose_style(values, (size_t)(g->rows * g->cols), g->cell);
    for (long r = 0; r < g->rows; r++) {
        for (long c = 0; c < g->cols; c++) {
            long row = g->row0 + r, col = g->col0 + c;
            int x = g->x + (int)c * g->cell, y = g->y + (int)r * g->cell;
            bool inside = row >= 0 && col >= 0 && row < L->in_h && col < L->in_w;
            bool in_region = show_region && region_has(rg, plan, row, col);
            bool winner = row == win_row && col == win_col;
            const rgb8 *fill = winner ? &winner_fill
                               : in_region ? &region_fill
                               : inside ? &paper
                                        : &padding_fill;
            cv_rect(cv, x, y, g->cell, g->cell, fill, grid_line, 1);
            char num[48];
            format_cell_number(values[r * g->cols + c], &ns, num, sizeof num);
            cv_text(cv, x + g->cell / 2, y + g->cell / 2 + (BITFONT_ASCENT * ns.scale) / 2,
                    ns.scale, inside ? ink : soft_ink, ANCHOR_MIDDLE, num);
        }
    }
    pv_free(values);
    if (plan->params.op != POOL_BILINEAR && show_region) {
        long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
        long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
        cv_rect(cv, g->x + (int)(rg->col0 - g->col0) * g->cell,
                g->y + (int)(rg->row0 - g->row0) * g->cell,
                (int)(c_last - rg->col0 + 1) * g->cell, (int)(r_last - rg->row0 + 1) * g->cell,
                NULL, region_edge, 4);
    }
}

static void draw_output(canvas *cv, const step_layout *L, const render_step *st,
                        const render_options *o, pv_error *err)
{
    const grid_view *g = &L->out;
    size_t current = st->index;
    bool hide = o && o->hide_value;
    if (!g->numbers) {
        /* Pending cells of a picture are drawn as paper. */
        bool rgb = is_rgb(st->output);
        size_t sample = st->output->rank == 4 ? current / (st->output->count / st->output->dims[0])
                                              : 0;
        size_t plane = L->out_base / ((size_t)L->out_h * (size_t)L->out_w);
        size_t channels = st->output->rank >= 3 ? st->output->dims[st->output->rank - 3] : 1;
        rgb8 *colours = picture_colours(st->output, plane, sample, rgb, channels, L->out_h,
                                        L->out_w);
        if (colours == NULL) {
            cv->failed = true;
            return;
        }
        size_t cells = (size_t)L->out_h * (size_t)L->out_w;
        if (!st->all_done) {
            size_t first = rgb ? sample * channels * cells : L->out_base;
            for (size_t i = 0; i < cells; i++) {
                /* For an RGB composite a pixel is done once its first
                 * channel's cell has been visited. */
                size_t flat = first + i;
                if (flat > current || (hide && flat == current))
                    colours[i] = pending_fill;
            }
        }
        cv_picture(cv, g->x, g->y, g->cell, L->out_h, L->out_w, colours, err);
        pv_free(colours);
        if (!st->all_done) {
            size_t in_plane = current - L->out_base;
            long r = (long)(in_plane / (size_t)L->out_w), c = (long)(in_plane % (size_t)L->out_w);
            int stroke = g->cell >= 8 ? 2 : 1;
            cv_rect(cv, g->x + (int)c * g->cell - stroke, g->y + (int)r * g->cell - stroke,
                    g->cell + 2 * stroke, g->cell + 2 * stroke, NULL, current_edge, stroke);
        }
        return;
    }
    draw_indices(cv, g);
    size_t cells = (size_t)(g->rows * g->cols);
    double *values = pv_malloc(cells * sizeof *values);
    if (values == NULL) {
        cv->failed = true;
        return;
    }
    for (size_t i = 0; i < cells; i++)
        values[i] = tensor_get(st->output, L->out_base + i);
    number_style ns = choose_style(values, cells, g->cell);
    pv_free(values);
    for (long r = 0; r < g->rows; r++) {
        for (long c = 0; c < g->cols; c++) {
            size_t flat = L->out_base + (size_t)r * (size_t)g->cols + (size_t)c;
            int x = g->x + (int)c * g->cell, y = g->y + (int)r * g->cell;
            bool is_current = !st->all_done && flat == current;
            bool done = st->all_done || flat < current || is_current;
            const rgb8 *fill = is_current ? &current_fill : done ? &paper : &pending_fill;
            cv_rect(cv, x, y, g->cell, g->cell, fill, is_current ? current_edge : grid_line,
                    is_current ? 4 : 1);
            if (!done)
                continue;
            char num[48];
            if (is_current && hide)
                snprintf(num, sizeof num, "?");
            else
                format_cell_number(tensor_get(st->output, flat), &ns, num, sizeof num);
            cv_text(cv, x + g->cell / 2, y + g->cell / 2 + (BITFONT_ASCENT * ns.scale) / 2,
                    ns.scale, ink, ANCHOR_MIDDLE, num);
        }
    }
}

pv_status render_step_save(const char *path, render_format fmt, const render_step *st,
                           const render_options *o, pv_error *err)
{
    if (st->index >= st->plan->out_count)
        return pv_error_set(err, PV_ERR_USAGE, "--step", "step %zu does not exist (1 to %zu)",
                            st->index + 1, st->plan->out_count);
    step_layout *L = pv_malloc(sizeof *L);
    if (L == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
    pool_explanation ex;
    if (layout_step(L, st, o, &ex, err) != PV_OK) {
        pv_free(L);
        return err->status;
    }
    canvas cv;
    pv_status status = PV_OK;
    if (!canvas_begin(&cv, fmt, L->width, L->height)) {
        status = pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
    } else {
        cv_text(&cv, MARGIN, L->title_y, TEXT_SCALE, title_ink, ANCHOR_START, L->title);
        int in_label_x = L->in.x, out_label_x = L->out.x;
        cv_text(&cv, in_label_x, L->label_y, TEXT_SCALE, ink, ANCHOR_START, L->in_label);
        cv_text(&cv, out_label_x, L->label_y, TEXT_SCALE, ink, ANCHOR_START, "output");
        draw_input(&cv, L, st, &ex, err);
        int arrow_y = (L->in.y + (int)L->in.rows * L->in.cell / 2 >
                       L->out.y + (int)L->out.rows * L->out.cell / 2)
                          ? L->out.y + (int)L->out.rows * L->out.cell / 2
                          : L->in.y + (int)L->in.rows * L->in.cell / 2;
        int arrow_x = L->in.x + (int)L->in.cols * L->in.cell +
                      (L->out.x - L->out.index_w - L->in.x - (int)L->in.cols * L->in.cell) / 2;
        cv_text(&cv, arrow_x, arrow_y + 10, 3, soft_ink, ANCHOR_MIDDLE, "->");
        draw_output(&cv, L, st, o, err);
        for (int i = 0; i < L->line_count; i++)
            cv_text(&cv, MARGIN, L->formula_y + i * LINE_HEIGHT, TEXT_SCALE, ink, ANCHOR_START,
                    L->lines[i]);
        cv_text(&cv, MARGIN, L->footer_y, TEXT_SCALE, soft_ink, ANCHOR_START, L->footer);
        status = canvas_save(&cv, path, err);
    }
    canvas_release(&cv);
    pool_explanation_release(&ex);
    pv_free(L);
    return status;
}

/* ---- text slides ------------------------------------------------------------------- */

pv_status render_text_save(const char *path, render_format fmt, const char *title,
                           const char *body, pv_error *err)
{
    enum { WIDTH = 1024, BODY_LINES = 40 };
    const size_t max_chars = (WIDTH - 2 * MARGIN) / (BITFONT_ADVANCE * TEXT_SCALE);
    char (*lines)[LINE_BYTES] = pv_malloc(BODY_LINES * sizeof *lines);
    if (lines == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
    int count = 0;
    const char *p = body ? body : "";
    while (*p && count < BODY_LINES) {
        /* One paragraph or verbatim block up to a blank line. */
        const char *end = strstr(p, "\n\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *para = pv_malloc(len + 1);
        if (para == NULL)
            break;
        memcpy(para, p, len);
        para[len] = '\0';
        if (para[0] == ' ' && para[1] == ' ') {
            char *line = para;
            while (line && count < BODY_LINES) {
                char *nl = strchr(line, '\n');
                if (nl)
                    *nl = '\0';
                snprintf(lines[count++], LINE_BYTES, "%.*s", (int)max_chars, line);
                line = nl ? nl + 1 : NULL;
            }
        } else {
            for (char *s = para; *s; s++)
                if (*s == '\n')
                    *s = ' ';
            count = wrap_lines(para, max_chars, lines, count, BODY_LINES);
        }
        pv_free(para);
        if (count < BODY_LINES)
            lines[count++][0] = '\0';
        p += len;
        while (*p == '\n')
            p++;
    }
    int height = MARGIN + 3 * BITFONT_H + 28 + count * LINE_HEIGHT + MARGIN;
    canvas cv;
    pv_status status;
    if (!canvas_begin(&cv, fmt, WIDTH, height)) {
        status = pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
    } else {
        int y = MARGIN + BITFONT_ASCENT * 3;
        cv_text(&cv, MARGIN, y, 3, title_ink, ANCHOR_START, title);
        y += BITFONT_H * 3 - BITFONT_ASCENT * 3 + 28;
        for (int i = 0; i < count; i++)
            cv_text(&cv, MARGIN, y + BITFONT_ASCENT * TEXT_SCALE + i * LINE_HEIGHT, TEXT_SCALE,
                    ink, ANCHOR_START, lines[i]);
        status = canvas_save(&cv, path, err);
    }
    canvas_release(&cv);
    pv_free(lines);
    return status;
}
