/* render.c - slides drawn with cairo and pango (see render.h).
 *
 * Every slide is laid out in a page of 1080 units high and 1080 * W / H
 * wide, whatever the format: cairo scales it to the PNG's or SVG's pixels
 * or to the PDF page's points, so one drawing code makes all three.  Text
 * goes through pango (fontconfig finds DejaVu Sans and DejaVu Sans Mono);
 * sizes are measured, never guessed: the cells of a grid are as wide as
 * its widest number plus a margin, and the formula and text slides shrink
 * their font until everything fits.  Every file goes through the
 * project's writer (io/writer.h): a deck's files are staged as cairo writes
 * them and committed together when the deck is finished, or not at all.
 */
#include "config.h"

#include "cli/render.h"

#include "cli/common.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "core/alloc.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "core/params.h"
#include "io/writer.h"
#include "lesson/lessonsecret.h"
#include "tui/backview.h"
#include "tui/formula.h"
#include "tui/glyphs.h"

#define PAGE_H 1080.0           /* layout units per page height */
#define MARGIN 56.0
#define SANS "DejaVu Sans"
#define MONO "DejaVu Sans Mono"
#define NUMBERS_MAX 20          /* planes up to this many rows/columns show numbers */
#define FORMULA_TERMS 36        /* terms of the headline before it is elided */

typedef struct colour {
    double r, g, b;
} colour;

#define RGB(r, g, b) {(r) / 255.0, (g) / 255.0, (b) / 255.0}
static const colour paper = RGB(255, 255, 255);
static const colour ink = RGB(25, 25, 25);
static const colour soft_ink = RGB(105, 105, 105);
static const colour grid_line = RGB(160, 160, 160);
static const colour padding_fill = RGB(228, 228, 228);
static const colour region_fill = RGB(255, 222, 173);
static const colour region_edge = RGB(214, 102, 0);
static const colour winner_fill = RGB(255, 170, 70);
static const colour pending_fill = RGB(242, 242, 242);
static const colour current_fill = RGB(190, 222, 250);
static const colour current_edge = RGB(20, 100, 200);
static const colour accent = RGB(20, 90, 170);
static const colour bar_empty = RGB(215, 215, 215);

/* ---- formats -------------------------------------------------------------------- */

bool render_format_from_name(const char *name, render_format *fmt)
{
    if (strcasecmp(name, "svg") == 0)
        *fmt = RENDER_SVG;
    else if (strcasecmp(name, "png") == 0)
        *fmt = RENDER_PNG;
    else if (strcasecmp(name, "pdf") == 0)
        *fmt = RENDER_PDF;
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
    return fmt == RENDER_PNG ? "png" : fmt == RENDER_PDF ? "pdf" : "svg";
}

/* ---- output through the project's writer ----------------------------------------- */

/* cairo's write callback on an io_output (io/writer.h). */
static cairo_status_t output_write(void *closure, const unsigned char *data, unsigned int length)
{
    return io_output_write_callback(closure, data, length) ? CAIRO_STATUS_SUCCESS
                                                           : CAIRO_STATUS_WRITE_ERROR;
}

/* mkdir -p: dir and every missing parent. */
static pv_status make_folders(const char *dir, pv_error *err)
{
    size_t len = strlen(dir);
    char *path = pv_malloc(len + 1);
    if (path == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, dir, "out of memory");
    memcpy(path, dir, len + 1);
    pv_status status = PV_OK;
    for (size_t i = 1; i <= len && status == PV_OK; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        if (path[i - 1] == '/')
            continue;
        char saved = path[i];
        path[i] = '\0';
        struct stat sb;
        if (stat(path, &sb) == 0) {
            if (!S_ISDIR(sb.st_mode))
                status = pv_error_set(err, PV_ERR_IO, dir, "'%s' exists and is not a folder",
                                      path);
        } else if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            status = pv_error_set(err, PV_ERR_IO, dir, "cannot create the folder '%s': %s",
                                  path, strerror(errno));
        }
        path[i] = saved;
    }
    pv_free(path);
    return status;
}

/* ---- the deck ------------------------------------------------------------------------ */

struct render_deck {
    render_format fmt;
    bool folder;
    char *path;                 /* the file, or the folder without trailing '/' */
    int px_w, px_h;
    double page_w;              /* layout units; the height is PAGE_H */
    double scale;               /* layout units to surface units */
    char *title;
    size_t pages;
    size_t total;               /* pages the deck will have (0 = unknown): "k / N" */
    bool counting;              /* only counts pages: nothing drawn or written */
    io_writer *writer;          /* every file of the deck, committed together */
    io_output *file;            /* a file deck's output */
    cairo_surface_t *pdf;       /* a file deck's PDF surface */
    io_output **outputs;        /* a folder deck's files, in order (owned by writer) */
    size_t output_cap;
};

static render_deck *deck_new(const char *path, render_format fmt, bool folder,
                             const render_options *o, pv_error *err)
{
    render_deck *d = pv_calloc(1, sizeof *d);
    if (d == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
        return NULL;
    }
    d->fmt = fmt;
    d->folder = folder;
    d->px_w = o && o->width > 0 ? o->width : RENDER_DEFAULT_WIDTH;
    d->px_h = o && o->height > 0 ? o->height : RENDER_DEFAULT_HEIGHT;
    d->page_w = PAGE_H * d->px_w / d->px_h;
    /* A PDF page has half as many points as the picture has pixels:
     * 960x540 pt is the usual 16:9 presentation page. */
    d->scale = (fmt == RENDER_PDF ? d->px_h / 2.0 : d->px_h) / PAGE_H;
    d->path = pv_strdup(path);
    d->title = o && o->title ? pv_strdup(o->title) : NULL;
    if (d->path == NULL || (o && o->title && d->title == NULL)) {
        render_deck_free(d);
        pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
        return NULL;
    }
    d->writer = io_writer_new(err);
    if (d->writer == NULL) {
        render_deck_free(d);
        return NULL;
    }
    return d;
}

render_deck *render_deck_to_file(const char *path, render_format fmt,
                                 const render_options *options, pv_error *err)
{
    render_deck *d = deck_new(path, fmt, false, options, err);
    if (d == NULL)
        return NULL;
    /* The target is checked now, before any slide is drawn. */
    d->file = io_writer_add(d->writer, path, err);
    if (d->file == NULL || (io_output_is_terminal(d->file) &&
                            pv_error_set(err, PV_ERR_USAGE, path,
                                         "slides are not written to a terminal") != PV_OK)) {
        render_deck_free(d);
        return NULL;
    }
    return d;
}

render_deck *render_deck_to_folder(const char *dir, render_format fmt,
                                   const render_options *options, pv_error *err)
{
    render_deck *d = deck_new(dir, fmt, true, options, err);
    if (d == NULL)
        return NULL;
    /* "slides/" and "slides" name the same folder: no "slides//x.svg". */
    size_t len = strlen(d->path);
    while (len > 1 && d->path[len - 1] == '/')
        d->path[--len] = '\0';
    if (make_folders(d->path, err) != PV_OK) {
        render_deck_free(d);
        return NULL;
    }
    return d;
}

size_t render_deck_pages(const render_deck *deck)
{
    return deck->pages;
}

render_deck *render_deck_counter(pv_error *err)
{
    render_deck *d = pv_calloc(1, sizeof *d);
    if (d == NULL)
        pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
    else
        d->counting = true;
    return d;
}

void render_deck_set_total(render_deck *deck, size_t total)
{
    deck->total = total;
}

void render_deck_free(render_deck *d)
{
    if (d == NULL)
        return;
    if (d->pdf != NULL)
        cairo_surface_destroy(d->pdf);
    io_writer_free(d->writer);
    pv_free(d->outputs);
    pv_free(d->path);
    pv_free(d->title);
    pv_free(d);
}

/* One page being drawn. */
typedef struct page {
    render_deck *deck;
    io_output *out;             /* where its bytes go */
    cairo_surface_t *surface;   /* NULL for a page of the deck's PDF */
    cairo_t *cr;
    double w, h;                /* layout units */
} page;

/* The output of a folder deck's slide: DIR/NAME.EXT, remembered in order. */
static io_output *folder_output(render_deck *d, const char *name, pv_error *err)
{
    if (d->pages >= d->output_cap) {
        size_t cap = d->output_cap ? d->output_cap * 2 : 64;
        io_output **grown = pv_realloc(d->outputs, cap * sizeof *grown);
        if (grown == NULL) {
            pv_error_set(err, PV_ERR_NOMEM, d->path, "out of memory");
            return NULL;
        }
        d->outputs = grown;
        d->output_cap = cap;
    }
    size_t size = strlen(d->path) + strlen(name) + 8;
    char *path = pv_malloc(size);
    if (path == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, d->path, "out of memory");
        return NULL;
    }
    snprintf(path, size, "%s%s%s.%s", d->path, strcmp(d->path, "/") == 0 ? "" : "/", name,
             render_format_extension(d->fmt));
    io_output *o = io_writer_add(d->writer, path, err);
    pv_free(path);
    if (o != NULL)
        d->outputs[d->pages] = o;
    return o;
}

static pv_status page_begin(render_deck *d, page *pg, const char *name, pv_error *err)
{
    memset(pg, 0, sizeof *pg);
    pg->deck = d;
    pg->w = d->page_w;
    pg->h = PAGE_H;
    if (pool_cancel_requested)
        return pv_error_set(err, PV_ERR_INTERRUPTED, "render", "interrupted");
    if (!d->folder && d->fmt != RENDER_PDF && d->pages > 0)
        return pv_error_set(err, PV_ERR_USAGE, d->path,
                            "an .%s file holds one slide: use .pdf or --frames DIR",
                            render_format_extension(d->fmt));
    pg->out = d->folder ? folder_output(d, name, err) : d->file;
    if (pg->out == NULL)
        return err->status;
    cairo_surface_t *target;
    double pw = d->px_w / 2.0, ph = d->px_h / 2.0;
    if (!d->folder && d->fmt == RENDER_PDF) {
        if (d->pdf == NULL)
            d->pdf = cairo_pdf_surface_create_for_stream(output_write, pg->out, pw, ph);
        target = d->pdf;
    } else if (d->fmt == RENDER_PDF) {
        target = pg->surface = cairo_pdf_surface_create_for_stream(output_write, pg->out, pw, ph);
    } else if (d->fmt == RENDER_SVG) {
        target = pg->surface =
            cairo_svg_surface_create_for_stream(output_write, pg->out, d->px_w, d->px_h);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
        cairo_svg_surface_set_document_unit(target, CAIRO_SVG_UNIT_PX);
#endif
    } else {
        target = pg->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, d->px_w, d->px_h);
    }
    if (cairo_surface_status(target) != CAIRO_STATUS_SUCCESS) {
        pv_error_set(err, PV_ERR_NOMEM, d->path, "cannot make the page: %s",
                     cairo_status_to_string(cairo_surface_status(target)));
        if (pg->surface)
            cairo_surface_destroy(pg->surface);
        pg->surface = NULL;
        return err->status;
    }
    pg->cr = cairo_create(target);
    cairo_scale(pg->cr, d->scale, d->scale);
    cairo_set_source_rgb(pg->cr, paper.r, paper.g, paper.b);
    cairo_paint(pg->cr);
    return PV_OK;
}

static void page_release(page *pg)
{
    if (pg->cr)
        cairo_destroy(pg->cr);
    if (pg->surface)
        cairo_surface_destroy(pg->surface);
    memset(pg, 0, sizeof *pg);
}

/* Finish the page: a page of the deck's PDF, or its own file (PNG bytes
 * through cairo_surface_write_to_png_stream, SVG and PDF as cairo writes
 * them), all into the page's io_output. */
static pv_status page_end(page *pg, pv_error *err)
{
    render_deck *d = pg->deck;
    pv_status status = PV_OK;
    cairo_status_t cs = cairo_status(pg->cr);
    if (cs == CAIRO_STATUS_SUCCESS && pg->surface == NULL) {
        cairo_show_page(pg->cr);
        cs = cairo_surface_status(d->pdf);
    } else if (cs == CAIRO_STATUS_SUCCESS) {
        cairo_destroy(pg->cr);
        pg->cr = NULL;
        if (d->fmt == RENDER_PNG) {
            cs = cairo_surface_write_to_png_stream(pg->surface, output_write, pg->out);
        } else {
            cairo_surface_finish(pg->surface);
            cs = cairo_surface_status(pg->surface);
        }
    }
    if (pg->surface != NULL && io_output_finish(pg->out, err) != PV_OK)
        status = err->status;
    else if (cs != CAIRO_STATUS_SUCCESS)
        status = pv_error_set(err, cs == CAIRO_STATUS_NO_MEMORY ? PV_ERR_NOMEM : PV_ERR_IO,
                              io_output_subject(pg->out), "cannot write the slide: %s",
                              cairo_status_to_string(cs));
    if (status == PV_OK)
        d->pages++;
    page_release(pg);
    return status;
}

pv_status render_deck_finish(render_deck *d, pv_error *err)
{
    if (d->pages == 0)
        return pv_error_set(err, PV_ERR_USAGE, d->path, "there is no slide to write");
    if (d->pdf != NULL) {
        cairo_surface_finish(d->pdf);
        cairo_status_t cs = cairo_surface_status(d->pdf);
        if (io_output_finish(d->file, err) != PV_OK)
            return err->status;
        if (cs != CAIRO_STATUS_SUCCESS)
            return pv_error_set(err, PV_ERR_IO, io_output_subject(d->file),
                                "cannot write the deck: %s", cairo_status_to_string(cs));
    }
    if (io_writer_commit(d->writer, err) != PV_OK)
        return err->status;
    /* Each file written is named on stdout, quoted as every user string is. */
    if (d->folder)
        for (size_t i = 0; i < d->pages; i++) {
            cli_put_quoted(stdout, io_output_path(d->outputs[i]), 0);
            putchar('\n');
        }
    return PV_OK;
}

/* ---- text ------------------------------------------------------------------------------ */

static void set_colour(cairo_t *cr, colour c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* A layout of text (invalid UTF-8 shown as U+FFFD) in family at px layout
 * units, wrapped at wrap units (0: not wrapped).  Ligatures off, so a text
 * extractor finds the letters as typed; no hyphens are added. */
static PangoLayout *text_layout(cairo_t *cr, const char *family, double px, bool bold,
                                const char *text, double wrap)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pango_layout_get_context(layout), fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(layout);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    if (wrap > 0) {
        pango_layout_set_width(layout, (int)(wrap * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    gchar *valid = g_utf8_make_valid(text ? text : "", -1);
    pango_layout_set_text(layout, valid, -1);
    PangoAttrList *attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_font_features_new("liga 0, clig 0"));
#if PANGO_VERSION_CHECK(1, 44, 0)
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    /* No line ends after a '-': "--indices" and "(2-1)" stay whole, and a
     * text extractor does not take the hyphen for a word broken in two. */
    for (const char *p = strchr(valid, '-'); p != NULL && p[1] != '\0'; p = strchr(p + 1, '-')) {
        PangoAttribute *keep = pango_attr_allow_breaks_new(FALSE);
        keep->start_index = (guint)(p - valid);
        keep->end_index = (guint)(g_utf8_next_char(p + 1) - valid);
        pango_attr_list_insert(attrs, keep);
    }
#endif
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    g_free(valid);
    return layout;
}

static void layout_size(PangoLayout *layout, double *w, double *h)
{
    PangoRectangle ink_rect, logical;
    pango_layout_get_extents(layout, &ink_rect, &logical);
    if (w)
        *w = (double)logical.width / PANGO_SCALE;
    if (h)
        *h = (double)logical.height / PANGO_SCALE;
}

static double text_width(cairo_t *cr, const char *family, double px, bool bold,
                         const char *text)
{
    PangoLayout *layout = text_layout(cr, family, px, bold, text, 0);
    double w;
    layout_size(layout, &w, NULL);
    g_object_unref(layout);
    return w;
}

enum { ALIGN_LEFT, ALIGN_CENTRE, ALIGN_RIGHT };

/* Draw text with its top at y; x is its left, centre or right. */
static double draw_text(cairo_t *cr, const char *family, double px, bool bold, colour c,
                        double x, double y, int align, const char *text)
{
    PangoLayout *layout = text_layout(cr, family, px, bold, text, 0);
    double w, h;
    layout_size(layout, &w, &h);
    double left = align == ALIGN_CENTRE ? x - w / 2 : align == ALIGN_RIGHT ? x - w : x;
    set_colour(cr, c);
    cairo_move_to(cr, left, y);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    return h;
}

/* The title at the top and the page number at the bottom right. */
static double draw_frame(page *pg, const char *title, const char *footer)
{
    cairo_t *cr = pg->cr;
    double wrap = pg->w - 2 * MARGIN;
    double px = 60, h = 0;
    PangoLayout *layout = NULL;
    for (; px >= 22; px -= 4) {
        if (layout)
            g_object_unref(layout);
        layout = text_layout(cr, SANS, px, true, title ? title : "", wrap);
        layout_size(layout, NULL, &h);
        if (h <= 2.6 * px)
            break;
    }
    set_colour(cr, ink);
    cairo_move_to(cr, MARGIN, MARGIN * 0.7);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    char number[64];
    if (pg->deck->total > 1)
        snprintf(number, sizeof number, "%zu / %zu", pg->deck->pages + 1, pg->deck->total);
    else
        snprintf(number, sizeof number, "%zu", pg->deck->pages + 1);
    double bottom = pg->h - MARGIN * 0.5 - 30;
    draw_text(cr, SANS, 26, false, soft_ink, pg->w - MARGIN, bottom, ALIGN_RIGHT, number);
    if (footer)
        draw_text(cr, SANS, 26, false, soft_ink, MARGIN, bottom, ALIGN_LEFT, footer);
    /* a thin rule under the title */
    double y = MARGIN * 0.7 + h + 12;
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_rectangle(cr, MARGIN, y, pg->w - 2 * MARGIN, 2);
    cairo_fill(cr);
    return y + 2;
}

/* ---- text slides ------------------------------------------------------------------------ */

/* Lay out every paragraph at body size px; the total height. */
static double paragraphs_height(cairo_t *cr, const render_paragraph *ps, size_t count,
                                double px, double wrap, PangoLayout **layouts)
{
    double total = 0;
    for (size_t i = 0; i < count; i++) {
        bool mono = ps[i].style == RENDER_PAR_VERBATIM || ps[i].style == RENDER_PAR_FORMULA;
        double size = mono ? px * 0.9 : px;
        if (ps[i].style == RENDER_PAR_VERBATIM) {
            /* Lines kept as written stay whole lines when a slightly smaller
             * size allows it, and wrap beyond that. */
            PangoLayout *natural = text_layout(cr, MONO, size, false, ps[i].text, 0);
            double w;
            layout_size(natural, &w, NULL);
            g_object_unref(natural);
            if (w > wrap)
                size = fmax(size * 0.75, size * wrap / w * 0.999);
        }
        layouts[i] = text_layout(cr, mono ? MONO : SANS, size,
                                 ps[i].style == RENDER_PAR_STRONG, ps[i].text, wrap);
        double h;
        layout_size(layouts[i], NULL, &h);
        total += h + (i + 1 < count ? px * 0.6 : 0);
    }
    return total;
}

pv_status render_deck_text(render_deck *d, const char *name, const char *title,
                           const render_paragraph *ps, size_t count, pv_error *err)
{
    if (d->counting) {
        d->pages++;
        return PV_OK;
    }
    page pg;
    if (page_begin(d, &pg, name, err) != PV_OK)
        return err->status;
    PangoLayout **layouts = pv_calloc(count ? count : 1, sizeof *layouts);
    if (layouts == NULL) {
        page_release(&pg);
        return pv_error_set(err, PV_ERR_NOMEM, d->path, "out of memory");
    }
    double top = draw_frame(&pg, title, NULL) + 28;
    double room = pg.h - top - MARGIN - 40, wrap = pg.w - 2 * MARGIN;
    /* The largest body size at which every paragraph fits: nothing is cut. */
    double px = 52;
    for (;; px -= 2) {
        double h = paragraphs_height(pg.cr, ps, count, px, wrap, layouts);
        if (h <= room || px <= 8)
            break;
        for (size_t i = 0; i < count; i++)
            g_object_unref(layouts[i]);
    }
    double y = top;
    for (size_t i = 0; i < count; i++) {
        double h;
        layout_size(layouts[i], NULL, &h);
        set_colour(pg.cr, ps[i].style == RENDER_PAR_STRONG ? accent : ink);
        cairo_move_to(pg.cr, MARGIN, y);
        pango_cairo_show_layout(pg.cr, layouts[i]);
        y += h + px * 0.6;
        g_object_unref(layouts[i]);
    }
    pv_free(layouts);
    return page_end(&pg, err);
}

/* ---- step slides: geometry ------------------------------------------------------------- */

/* A grid as drawn: the cells [row0, row0 + rows) x [col0, col0 + cols) of
 * a plane (padding where outside it). */
typedef struct grid {
    double x, y, cell;
    long row0, col0, rows, cols;
    bool numbers;
    double index_px;        /* row/column numbers */
    double index_w;         /* room left of the grid for them */
    char **text;            /* numbered grids: each cell's text ("" = blank) */
} grid;

typedef struct step_view {
    const render_step *st;
    pool_region region;
    pool_explanation ex;
    size_t in_plane;
    long in_h, in_w;
    size_t out_base;
    long out_h, out_w;
    grid in, out;
    double number_px;
    backview bv;            /* the backward view's dx and terms (st->backward) */
} step_view;

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

static double plane_value(const tensor *t, size_t plane, long rows, long cols, long r, long c)
{
    return tensor_get(t, plane * (size_t)rows * (size_t)cols + (size_t)r * (size_t)cols +
                             (size_t)c);
}

/* What step st keeps secret about output index flat. */
static unsigned hidden_bits(const render_step *st, size_t flat)
{
    unsigned bits = st->hide != NULL && flat < st->hide_count ? st->hide[flat] : 0;
    if (st->hide_size)
        bits |= RENDER_HIDE_VALUE | RENDER_HIDE_WINNER;
    if (flat == st->index && st->hide_value && !st->all_done)
        bits |= RENDER_HIDE_VALUE | RENDER_HIDE_WINNER;
    return bits;
}

/* A cell's number: as everywhere (8 significant digits), or when those do
 * not fit, at most 3 decimals (the integer part always whole). */
static void format_cell(double v, bool short_form, char *buf, size_t size)
{
    if (!short_form || !isfinite(v) || v == floor(v) || fabs(v) >= 1e9) {
        pool_format_number(v, buf, size);
        return;
    }
    snprintf(buf, size, "%.3f", v);
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        *--end = '\0';
    if (strcmp(buf, "0") == 0 || strcmp(buf, "-0") == 0)
        snprintf(buf, size, "%.2g", v);     /* too small for 3 decimals */
}

static void grid_free_text(grid *g)
{
    if (g->text == NULL)
        return;
    for (long i = 0; i < g->rows * g->cols; i++)
        pv_free(g->text[i]);
    pv_free(g->text);
    g->text = NULL;
}

static bool cell_text_set(grid *g, long i, const char *s)
{
    pv_free(g->text[i]);
    g->text[i] = pv_strdup(s);
    return g->text[i] != NULL;
}

/* The texts of both grids, full or short numbers. */
static bool fill_texts(step_view *v, bool short_form)
{
    const render_step *st = v->st;
    grid *in = &v->in, *out = &v->out;
    char num[64];
    if (in->numbers) {
        for (long r = 0; r < in->rows; r++)
            for (long c = 0; c < in->cols; c++) {
                long row = in->row0 + r, col = in->col0 + c;
                bool inside = row >= 0 && col >= 0 && row < v->in_h && col < v->in_w;
                double x = 0;
                if (inside && st->backward)
                    x = v->bv.dx[v->in_plane * (size_t)v->in_h * (size_t)v->in_w +
                                 (size_t)row * (size_t)v->in_w + (size_t)col];
                else if (inside)
                    x = plane_value(st->input, v->in_plane, v->in_h, v->in_w, row, col);
                format_cell(x, short_form, num, sizeof num);
                if (!cell_text_set(in, r * in->cols + c, num))
                    return false;
            }
    }
    if (out->numbers) {
        for (long i = 0; i < out->rows * out->cols; i++) {
            size_t flat = v->out_base + (size_t)i;
            bool done = st->all_done || flat <= st->index;
            if (st->hide_size)
                snprintf(num, sizeof num, "?");
            else if (!done)
                num[0] = '\0';
            else if (hidden_bits(st, flat) & RENDER_HIDE_VALUE)
                snprintf(num, sizeof num, "?");
            else if (st->backward)
                snprintf(num, sizeof num, "1");     /* dL/dy of every output cell */
            else
                format_cell(tensor_get(st->output, flat), short_form, num, sizeof num);
            if (!cell_text_set(out, i, num))
                return false;
        }
    }
    return true;
}

static double widest_text(cairo_t *cr, const grid *g, double px)
{
    double w = 0;
    if (!g->numbers)
        return 0;
    /* Widths grow with the number of characters: measure the longest few. */
    size_t longest = 0;
    for (long i = 0; i < g->rows * g->cols; i++)
        longest = strlen(g->text[i]) > longest ? strlen(g->text[i]) : longest;
    for (long i = 0; i < g->rows * g->cols; i++)
        if (strlen(g->text[i]) + 1 >= longest && g->text[i][0]) {
            double tw = text_width(cr, SANS, px, false, g->text[i]);
            w = tw > w ? tw : w;
        }
    return w;
}

static int digits_of(long v)
{
    char buf[32];
    return snprintf(buf, sizeof buf, "%ld", v);
}

/* Place the grids in the box [x0, x1] x [y0, y1] with cells that hold the
 * widest number with space around it; the largest number size that fits. */
static bool place_grids(cairo_t *cr, step_view *v, double x0, double x1, double y0, double y1)
{
    grid *in = &v->in, *out = &v->out;
    const double gap = 150;     /* between the grids: the arrow */
    const double reference = 100;
    for (int pass = 0; pass < 2; pass++) {
        if (!fill_texts(v, pass == 1))
            return false;
        double w100 = widest_text(cr, in, reference), o100 = widest_text(cr, out, reference);
        if (o100 > w100)
            w100 = o100;
        /* Full numbers down to 20 units, then shorter ones down to 14. */
        for (double px = 80; px >= (pass == 0 ? 20 : 14); px -= 2) {
            double cell = fmax(w100 * px / reference + 0.9 * px, 1.9 * px);
            double ipx = fmax(16, px * 0.5);
            double digit_w = text_width(cr, SANS, ipx, false, "0");
            long in_digits = digits_of(in->row0 + in->rows - 1) > digits_of(in->row0)
                                 ? digits_of(in->row0 + in->rows - 1)
                                 : digits_of(in->row0);
            double iw = in->numbers ? in_digits * digit_w + 14 : 0;
            double ow = out->numbers ? digits_of(out->rows - 1) * digit_w + 14 : 0;
            double ih = ipx * 1.5;
            double in_cell = in->numbers ? cell : 0, out_cell = out->numbers ? cell : 0;
            /* Pictures take what the numbers leave. */
            double width = iw + in->cols * in_cell + gap + ow + out->cols * out_cell;
            double height = ih + fmax(in->rows * in_cell, out->rows * out_cell);
            double pic_cols = (in->numbers ? 0 : in->cols) + (out->numbers ? 0 : out->cols);
            if (width > x1 - x0 || height > y1 - y0)
                continue;
            double pic = 0;
            if (pic_cols > 0) {
                pic = (x1 - x0 - width) / pic_cols;
                long tallest = 0;
                if (!in->numbers)
                    tallest = in->rows;
                if (!out->numbers && out->rows > tallest)
                    tallest = out->rows;
                if (tallest > 0 && (y1 - y0 - ih) / tallest < pic)
                    pic = (y1 - y0 - ih) / tallest;
                if (pic * fmax(in->numbers ? 0 : in->cols, out->numbers ? 0 : out->cols) < 120)
                    continue;
            }
            in->cell = in->numbers ? cell : pic;
            out->cell = out->numbers ? cell : pic;
            in->index_px = out->index_px = ipx;
            in->index_w = iw;
            out->index_w = ow;
            v->number_px = px;
            double total = iw + in->cols * in->cell + gap + ow + out->cols * out->cell;
            double left = x0 + (x1 - x0 - total) / 2;
            double gh_in = in->rows * in->cell, gh_out = out->rows * out->cell;
            double gh = fmax(gh_in, gh_out);
            double top = y0 + ih;    /* the caller centres grids and panel together */
            in->x = left + iw;
            in->y = top + (gh - gh_in) / 2;
            out->x = in->x + in->cols * in->cell + gap + ow;
            out->y = top + (gh - gh_out) / 2;
            return true;
        }
    }
    return false;
}

/* ---- step slides: drawing ---------------------------------------------------------------- */

static void fill_rect(cairo_t *cr, double x, double y, double w, double h, colour c)
{
    set_colour(cr, c);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

static void stroke_rect(cairo_t *cr, double x, double y, double w, double h, colour c,
                        double width)
{
    set_colour(cr, c);
    cairo_set_line_width(cr, width);
    cairo_rectangle(cr, x + width / 2, y + width / 2, w - width, h - width);
    cairo_stroke(cr);
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

static void draw_indices(cairo_t *cr, const grid *g)
{
    char num[32];
    for (long c = 0; c < g->cols; c++) {
        snprintf(num, sizeof num, "%ld", g->col0 + c);
        draw_text(cr, SANS, g->index_px, false, soft_ink, g->x + (c + 0.5) * g->cell,
                  g->y - g->index_px * 1.45, ALIGN_CENTRE, num);
    }
    for (long r = 0; r < g->rows; r++) {
        snprintf(num, sizeof num, "%ld", g->row0 + r);
        draw_text(cr, SANS, g->index_px, false, soft_ink, g->x - 10,
                  g->y + (r + 0.5) * g->cell - g->index_px * 0.6, ALIGN_RIGHT, num);
    }
}

static void draw_cell_text(cairo_t *cr, const grid *g, long r, long c, double px, colour col)
{
    const char *s = g->text[r * g->cols + c];
    if (*s == '\0')
        return;
    PangoLayout *layout = text_layout(cr, SANS, px, false, s, 0);
    double w, h;
    layout_size(layout, &w, &h);
    set_colour(cr, col);
    cairo_move_to(cr, g->x + (c + 0.5) * g->cell - w / 2, g->y + (r + 0.5) * g->cell - h / 2);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}

static bool is_rgb(const tensor *t)
{
    return (t->rank == 3 && t->dims[0] == 3) || (t->rank == 4 && t->dims[1] == 3);
}

/* A plane (or an RGB composite) as an image: 0..255 data as it is,
 * anything else stretched from its minimum to its maximum.  For an output
 * (st != NULL) cells not computed yet or kept secret are drawn grey. */
static cairo_surface_t *plane_image(const tensor *t, size_t base, size_t stride_plane,
                                    bool rgb, long rows, long cols, const render_step *st)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)cols, (int)rows);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
        return img;
    size_t count = (size_t)rows * (size_t)cols;
    size_t planes = rgb ? 3 : 1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < planes; k++)
        for (size_t i = 0; i < count; i++) {
            double x = tensor_get(t, base + k * stride_plane + i);
            if (isfinite(x)) {
                lo = fmin(lo, x);
                hi = fmax(hi, x);
            }
        }
    bool stretch = !(lo >= 0 && hi <= 255 && hi > 1);
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (long r = 0; r < rows; r++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)r * (size_t)stride);
        for (long c = 0; c < cols; c++) {
            size_t i = (size_t)r * (size_t)cols + (size_t)c;
            unsigned ch[3];
            for (size_t k = 0; k < 3; k++) {
                double x = tensor_get(t, base + (rgb ? k * stride_plane : 0) + i);
                if (!isfinite(x))
                    x = 0;
                if (stretch)
                    x = hi > lo ? (x - lo) / (hi - lo) * 255 : 128;
                ch[k] = (unsigned)lround(x < 0 ? 0 : x > 255 ? 255 : x);
            }
            size_t flat = base + i;
            if (st != NULL && ((!st->all_done && flat > st->index) ||
                               (hidden_bits(st, flat) & RENDER_HIDE_VALUE)))
                ch[0] = ch[1] = ch[2] = 242;
            row[c] = (uint32_t)ch[0] << 16 | (uint32_t)ch[1] << 8 | ch[2];
        }
    }
    cairo_surface_mark_dirty(img);
    return img;
}

static void draw_image(cairo_t *cr, cairo_surface_t *img, const grid *g)
{
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
        return;
    cairo_save(cr);
    cairo_translate(cr, g->x, g->y);
    cairo_scale(cr, g->cell, g->cell);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, (double)g->cols, (double)g->rows);
    cairo_fill(cr);
    cairo_restore(cr);
}

static void draw_input(cairo_t *cr, const step_view *v)
{
    const grid *g = &v->in;
    const render_step *st = v->st;
    const pool_plan *plan = st->plan;
    const pool_region *rg = &v->region;
    bool show_region = !st->all_done;
    long win_row = LONG_MIN, win_col = LONG_MIN;
    if (v->ex.winner >= 0 && (size_t)v->ex.winner < v->ex.term_count && show_region &&
        !(hidden_bits(st, st->index) & RENDER_HIDE_WINNER)) {
        win_row = v->ex.terms[v->ex.winner].row;
        win_col = v->ex.terms[v->ex.winner].col;
    }
    long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
    long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
    if (!g->numbers) {
        bool rgb = is_rgb(st->input) && plan->params.op != POOL_BILINEAR;
        size_t count = (size_t)v->in_h * (size_t)v->in_w;
        size_t base = rgb ? rg->n * plan->c * count : v->in_plane * count;
        cairo_surface_t *img = plane_image(st->input, base, count, rgb, v->in_h, v->in_w, NULL);
        draw_image(cr, img, g);
        cairo_surface_destroy(img);
    } else {
        draw_indices(cr, g);
        for (long r = 0; r < g->rows; r++)
            for (long c = 0; c < g->cols; c++) {
                long row = g->row0 + r, col = g->col0 + c;
                bool inside = row >= 0 && col >= 0 && row < v->in_h && col < v->in_w;
                bool in_region = show_region && region_has(rg, plan, row, col);
                bool winner = row == win_row && col == win_col;
                if (st->backward)   /* the cells this window's dy reaches */
                    winner = inside && show_region &&
                             backview_receives(&v->bv,
                                               v->in_plane * (size_t)v->in_h * (size_t)v->in_w +
                                                   (size_t)row * (size_t)v->in_w + (size_t)col,
                                               NULL);
                colour fill = winner      ? winner_fill
                              : in_region ? region_fill
                              : inside    ? paper
                                          : padding_fill;
                double x = g->x + c * g->cell, y = g->y + r * g->cell;
                fill_rect(cr, x, y, g->cell, g->cell, fill);
                stroke_rect(cr, x, y, g->cell, g->cell, grid_line, 1.5);
                draw_cell_text(cr, g, r, c, v->number_px, inside ? ink : soft_ink);
            }
    }
    if (plan->params.op != POOL_BILINEAR && show_region) {
        double edge = g->numbers ? 5 : 4;
        double pad = g->numbers ? 0 : edge;
        stroke_rect(cr, g->x + (rg->col0 - g->col0) * g->cell - pad,
                    g->y + (rg->row0 - g->row0) * g->cell - pad,
                    (c_last - rg->col0 + 1) * g->cell + 2 * pad,
                    (r_last - rg->row0 + 1) * g->cell + 2 * pad, region_edge, edge);
    }
}

static void draw_output(cairo_t *cr, const step_view *v)
{
    const grid *g = &v->out;
    const render_step *st = v->st;
    size_t current = st->index;
    if (st->hide_size) {
        /* The shape is the secret: one cell that asks. */
        fill_rect(cr, g->x, g->y, g->cell, g->cell, pending_fill);
        stroke_rect(cr, g->x, g->y, g->cell, g->cell, current_edge, 5);
        draw_cell_text(cr, g, 0, 0, v->number_px, ink);
        return;
    }
    if (!g->numbers) {
        const tensor *t = st->output;
        bool rgb = is_rgb(t);
        size_t cells = (size_t)v->out_h * (size_t)v->out_w;
        size_t base = v->out_base;
        if (rgb) {
            size_t sample = t->rank == 4 ? current / (t->count / t->dims[0]) : 0;
            base = sample * 3 * cells;
        }
        cairo_surface_t *img = plane_image(t, base, cells, rgb, v->out_h, v->out_w, st);
        draw_image(cr, img, g);
        cairo_surface_destroy(img);
    } else {
        draw_indices(cr, g);
        for (long r = 0; r < g->rows; r++)
            for (long c = 0; c < g->cols; c++) {
                size_t flat = v->out_base + (size_t)(r * g->cols + c);
                bool is_current = !st->all_done && flat == current;
                bool done = st->all_done || flat <= current;
                double x = g->x + c * g->cell, y = g->y + r * g->cell;
                fill_rect(cr, x, y, g->cell, g->cell,
                          is_current ? current_fill : done ? paper : pending_fill);
                stroke_rect(cr, x, y, g->cell, g->cell, grid_line, 1.5);
                draw_cell_text(cr, g, r, c, v->number_px, ink);
            }
    }
    if (!st->all_done) {
        size_t at = current - v->out_base;
        long r = (long)(at / (size_t)v->out_w), c = (long)(at % (size_t)v->out_w);
        double edge = 5, pad = g->numbers ? 0 : edge;
        stroke_rect(cr, g->x + c * g->cell - pad, g->y + r * g->cell - pad, g->cell + 2 * pad,
                    g->cell + 2 * pad, current_edge, edge);
    }
}

/* ---- step slides: the formula panel ----------------------------------------------------- */

static colour role_colour(int role)
{
    switch ((formula_role)role) {
    case FORMULA_DIM: return soft_ink;
    case FORMULA_MARK: return region_edge;
    case FORMULA_RESULT: return accent;
    case FORMULA_BAR: return winner_fill;
    case FORMULA_BAR_EMPTY: return bar_empty;
    case FORMULA_TEXT:
    case FORMULA_HEAD: return ink;
    }
    return ink;
}

static void add_colour_attr(PangoAttrList *attrs, colour c, unsigned start, unsigned end)
{
    PangoAttribute *a = pango_attr_foreground_new((guint16)(c.r * 65535), (guint16)(c.g * 65535),
                                                  (guint16)(c.b * 65535));
    a->start_index = start;
    a->end_index = end;
    pango_attr_list_insert(attrs, a);
}

static void add_bold_attr(PangoAttrList *attrs, unsigned start, unsigned end)
{
    PangoAttribute *a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
    a->start_index = start;
    a->end_index = end;
    pango_attr_list_insert(attrs, a);
}

/* One panel line with its roles' colours. */
static PangoLayout *panel_line_layout(cairo_t *cr, const formula_line *l, double px, double wrap)
{
    PangoLayout *layout = text_layout(cr, MONO, px, false, l->text, wrap);
    if (!g_utf8_validate(l->text, -1, NULL))
        return layout;  /* repaired text: its byte offsets no longer match the spans */
    PangoAttrList *attrs = pango_attr_list_copy(pango_layout_get_attributes(layout));
    for (int i = 0; i < l->span_count; i++) {
        unsigned s = l->spans[i].start, e = s + l->spans[i].len;
        add_colour_attr(attrs, role_colour(l->spans[i].role), s, e);
        if (l->spans[i].role == FORMULA_MARK || l->spans[i].role == FORMULA_RESULT)
            add_bold_attr(attrs, s, e);
    }
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    return layout;
}

/* The headline: the core's formula, the result after the last " = " or
 * " -> " in bold (or '?' when hidden). */
static PangoLayout *headline_layout(cairo_t *cr, const step_view *v, double px, double wrap)
{
    char formula[4096];
    const render_step *st = v->st;
    double value = tensor_get(st->output, st->index);
    if (st->all_done) {
        char in_shape[64], out_shape[64] = "?";
        tensor_format_shape(st->input->rank, st->input->dims, in_shape, sizeof in_shape);
        if (!st->hide_size)
            tensor_format_shape(st->output->rank, st->output->dims, out_shape,
                                sizeof out_shape);
        snprintf(formula, sizeof formula, "%s \u2192 %s: every region pooled", in_shape,
                 out_shape);
    } else {
        pool_explanation_format(&v->ex, value, FORMULA_TERMS, formula, sizeof formula);
        if (hidden_bits(st, st->index) & RENDER_HIDE_VALUE)
            lesson_hide_result(formula, sizeof formula, value);
    }
    size_t result = strlen(formula);
    if (!st->all_done) {
        for (char *p = strstr(formula, " = "); p != NULL; p = strstr(p + 3, " = "))
            result = (size_t)(p - formula) + 3;
        char *arrow = NULL;
        for (char *p = strstr(formula, " -> "); p != NULL; p = strstr(p + 4, " -> "))
            arrow = p;
        if (arrow != NULL && (size_t)(arrow - formula) + 4 > result)
            result = (size_t)(arrow - formula) + 4;
    }
    PangoLayout *layout = text_layout(cr, MONO, px, false, formula, wrap);
    PangoAttrList *attrs = pango_attr_list_copy(pango_layout_get_attributes(layout));
    size_t len = strlen(formula);
    if (result < len) {
        add_colour_attr(attrs, accent, (unsigned)result, (unsigned)len);
        add_bold_attr(attrs, (unsigned)result, (unsigned)len);
    }
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    return layout;
}

typedef struct panel_plan {
    formula_panel *panel;
    double head_px, line_px;
    int lines;              /* detail lines shown (after the headline) */
    double height;
} panel_plan;

/* The detail lines a step may show: none while its result or winner is
 * secret (the terms spell them out), none for a finished run. */
static int panel_details(const step_view *v, const panel_plan *pp)
{
    const render_step *st = v->st;
    bool secret = hidden_bits(st, st->index) != 0;
    int details = st->all_done || secret || st->question ? 0 : pp->panel->count - 1;
    return details < 0 ? 0 : details;
}

/* Set the panel's sizes and lines and measure its height. */
static double panel_measure(cairo_t *cr, const step_view *v, panel_plan *pp, double head,
                            double px, int lines, double wrap)
{
    PangoLayout *hl = headline_layout(cr, v, head, wrap);
    double total;
    layout_size(hl, NULL, &total);
    g_object_unref(hl);
    total += 16;
    for (int i = 1; i <= lines; i++) {
        PangoLayout *l = panel_line_layout(cr, &pp->panel->lines[i], px, wrap);
        double h;
        layout_size(l, NULL, &h);
        g_object_unref(l);
        total += h;
    }
    pp->head_px = head;
    pp->line_px = px;
    pp->lines = lines;
    pp->height = total;
    return total;
}

static double draw_panel(cairo_t *cr, const step_view *v, const panel_plan *pp, double x,
                         double y, double wrap)
{
    PangoLayout *hl = headline_layout(cr, v, pp->head_px, wrap);
    double h;
    layout_size(hl, NULL, &h);
    set_colour(cr, ink);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, hl);
    g_object_unref(hl);
    y += h + 16;
    for (int i = 1; i <= pp->lines; i++) {
        PangoLayout *l = panel_line_layout(cr, &pp->panel->lines[i], pp->line_px, wrap);
        layout_size(l, NULL, &h);
        set_colour(cr, ink);
        cairo_move_to(cr, x, y);
        pango_cairo_show_layout(cr, l);
        g_object_unref(l);
        y += h;
    }
    return y;
}

/* ---- step slides ------------------------------------------------------------------------- */

/* The backward view's panel (the stepper's, key b) under the forward
 * headline: every line of it, the key hint of its last line left out. */
static void backward_panel(const step_view *v, formula_panel *panel, int columns)
{
    backview_formula(&v->bv, panel, v->st->plan, &v->region, &v->ex, columns,
                     FORMULA_MAX_LINES - 1);
    memmove(&panel->lines[1], &panel->lines[0], (size_t)panel->count * sizeof panel->lines[0]);
    memset(&panel->lines[0], 0, sizeof panel->lines[0]);
    panel->count++;
    formula_line *last = &panel->lines[panel->count - 1];
    char *hint = strstr(last->text, " (b: ");
    if (hint != NULL) {
        last->len = (size_t)(hint - last->text);
        *hint = '\0';
        for (int i = 0; i < last->span_count; i++) {
            formula_span *sp = &last->spans[i];
            if (sp->start >= last->len)
                sp->len = 0;
            else if ((size_t)sp->start + sp->len > last->len)
                sp->len = (unsigned short)(last->len - sp->start);
        }
    }
}

static pv_status view_init(step_view *v, const render_step *st, pv_error *err)
{
    memset(v, 0, sizeof *v);
    v->st = st;
    const pool_plan *plan = st->plan;
    backview_init(&v->bv);
    pool_plan_region(plan, st->index, &v->region);
    if (pool_explain(plan, st->input, st->index, &v->ex, err) != PV_OK)
        return err->status;
    if (st->backward && backview_sync(&v->bv, plan, st->input, st->index, err) != PV_OK)
        return err->status;
    const pool_region *rg = &v->region;
    v->in_plane = rg->n * plan->c + rg->c;
    v->in_h = (long)plan->h;
    v->in_w = (long)plan->w;
    long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
    long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
    long top = 0, left = 0, bottom = v->in_h - 1, right = v->in_w - 1;
    if (pool_op_info_of(plan->params.op)->family != OP_FAMILY_WHOLE_PLANE) {
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
    grid *in = &v->in, *out = &v->out;
    in->row0 = top;
    in->col0 = left;
    in->rows = bottom - top + 1;
    in->cols = right - left + 1;
    in->numbers = in->rows <= NUMBERS_MAX && in->cols <= NUMBERS_MAX;
    plane_shape(st->output, &v->out_h, &v->out_w);
    size_t plane_cells = (size_t)v->out_h * (size_t)v->out_w;
    v->out_base = plane_cells ? st->index / plane_cells * plane_cells : 0;
    out->rows = st->hide_size ? 1 : v->out_h;
    out->cols = st->hide_size ? 1 : v->out_w;
    out->numbers = out->rows <= NUMBERS_MAX && out->cols <= 2 * NUMBERS_MAX;
    size_t in_cells = in->numbers ? (size_t)(in->rows * in->cols) : 0;
    size_t out_cells = out->numbers ? (size_t)(out->rows * out->cols) : 0;
    in->text = in_cells ? pv_calloc(in_cells, sizeof *in->text) : NULL;
    out->text = out_cells ? pv_calloc(out_cells, sizeof *out->text) : NULL;
    if ((in_cells && in->text == NULL) || (out_cells && out->text == NULL))
        return pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
    return PV_OK;
}

static void view_release(step_view *v)
{
    grid_free_text(&v->in);
    grid_free_text(&v->out);
    pool_explanation_release(&v->ex);
    backview_release(&v->bv);
}

static void step_labels(const step_view *v, char *in_label, size_t in_size, char *footer,
                        size_t footer_size)
{
    const pool_plan *plan = v->st->plan;
    const pool_region *rg = &v->region;
    bool composite = !v->in.numbers && is_rgb(v->st->input) && plan->params.op != POOL_BILINEAR;
    if (composite && plan->n > 1)
        snprintf(in_label, in_size, "input (sample %zu)", rg->n);
    else if (composite)
        snprintf(in_label, in_size, "input");
    else if (plan->n > 1)
        snprintf(in_label, in_size, "input (sample %zu, channel %zu)", rg->n, rg->c);
    else if (plan->c > 1)
        snprintf(in_label, in_size, "input (channel %zu)", rg->c);
    else
        snprintf(in_label, in_size, "input");
    char cell[96] = "";
    size_t coord = v->st->index, idx[TENSOR_MAX_RANK], used = 0;
    for (int d = plan->out_rank; d-- > 0;) {
        idx[d] = coord % plan->out_dims[d];
        coord /= plan->out_dims[d];
    }
    for (int d = 0; d < plan->out_rank && used < sizeof cell; d++)
        used += (size_t)snprintf(cell + used, sizeof cell - used, "%s%zu", d ? ", " : "(",
                                 idx[d]);
    if (used < sizeof cell)
        snprintf(cell + used, sizeof cell - used, ")");
    if (v->st->hide_size)
        snprintf(footer, footer_size, "the output's size is kept for a question");
    else if (v->st->all_done)
        snprintf(footer, footer_size, "all %zu steps done", plan->out_count);
    else
        snprintf(footer, footer_size, "step %zu of %zu: output cell %s", v->st->index + 1,
                 plan->out_count, cell);
}

pv_status render_deck_step(render_deck *d, const char *name, const render_step *st,
                           pv_error *err)
{
    if (st->index >= st->plan->out_count)
        return pv_error_set(err, PV_ERR_USAGE, "--step", "step %zu does not exist (1 to %zu)",
                            st->index + 1, st->plan->out_count);
    if (d->counting) {
        d->pages++;
        return PV_OK;
    }
    step_view *v = pv_malloc(sizeof *v);
    panel_plan pp = {.panel = pv_malloc(sizeof *pp.panel)};
    if (v == NULL || pp.panel == NULL) {
        pv_free(v);
        pv_free(pp.panel);
        return pv_error_set(err, PV_ERR_NOMEM, "render", "out of memory");
    }
    page pg;
    pv_status status = view_init(v, st, err);
    if (status == PV_OK)
        status = page_begin(d, &pg, name, err);
    if (status != PV_OK) {
        view_release(v);
        pv_free(v);
        pv_free(pp.panel);
        return status;
    }
    cairo_t *cr = pg.cr;
    char settings[256], in_label[96], footer[160];
    pool_params_describe(&st->plan->params, settings, sizeof settings);
    const char *title = st->title ? st->title : d->title ? d->title : settings;
    step_labels(v, in_label, sizeof in_label, footer, sizeof footer);
    double top = draw_frame(&pg, title, footer) + 20;
    double bottom = pg.h - MARGIN - 40;
    double wrap = pg.w - 2 * MARGIN;

    /* The panel under the grids: the question, or the formula and its terms. */
    double panel_h = 0, question_px = 56;
    PangoLayout *question = NULL;
    if (st->question) {
        for (; question_px >= 16; question_px -= 2) {
            if (question)
                g_object_unref(question);
            question = text_layout(cr, SANS, question_px, true, st->question, wrap);
            layout_size(question, NULL, &panel_h);
            if (panel_h <= (bottom - top) * 0.4)
                break;
        }
    } else {
        glyphs_use(true);
        double mono_w = text_width(cr, MONO, 32, false, "0");
        int columns = (int)(wrap / mono_w);
        if (st->backward)
            backward_panel(v, pp.panel, columns);
        else
            formula_build(pp.panel, st->plan, &v->region, &v->ex,
                          tensor_get(st->output, st->index), columns, FORMULA_MAX_LINES);
    }
    double label_px = 32;
    double grids_top = top + label_px * 1.5;
    /* The panel and the grids share the height: the largest panel whose
     * grids still get numbers about as large as the panel's lines; when
     * even the smallest does not leave them that, its last lines go. */
    static const double sizes[][2] = {{52, 32}, {46, 29}, {40, 26}, {36, 24},
                                      {32, 22}, {28, 20}, {24, 18}};
    const int levels = (int)(sizeof sizes / sizeof sizes[0]);
    int details = question ? 0 : panel_details(v, &pp);
    bool placed = false;
    for (int level = 0; level < levels && !placed; level++) {
        bool last = level == levels - 1;
        for (int lines = details; lines >= (last ? 0 : details) && !placed; lines--) {
            if (!question)
                panel_h = panel_measure(cr, v, &pp, sizes[level][0], sizes[level][1], lines,
                                        wrap);
            if (panel_h > (bottom - top) * 0.7 && !(last && lines == 0))
                continue;
            double grids_bottom = bottom - panel_h - 24;
            if (grids_bottom - grids_top < 120)
                continue;
            placed = place_grids(cr, v, MARGIN, pg.w - MARGIN, grids_top, grids_bottom) &&
                     (v->number_px >= 0.9 * sizes[level][1] || (last && lines == 0) ||
                      (!v->in.numbers && !v->out.numbers));
        }
    }
    if (!placed) {
        /* Too many numbers for the room: draw both planes as pictures. */
        v->in.numbers = v->out.numbers = false;
        if (!question)
            panel_h = panel_measure(cr, v, &pp, 24, 18, 0, wrap);
        if (!place_grids(cr, v, MARGIN, pg.w - MARGIN, grids_top, bottom - panel_h - 24))
            status = pv_error_set(err, PV_ERR_DATA, "render",
                                  "the slide is too small for this step; give a larger --size");
    }
    if (status == PV_OK) {
        /* Grids and panel as one block, centred in the height left. */
        double block_end = fmax(v->in.y + v->in.rows * v->in.cell,
                                v->out.y + v->out.rows * v->out.cell) + 36 + panel_h;
        double shift = block_end < bottom ? (bottom - block_end) / 2 : 0;
        v->in.y += shift;
        v->out.y += shift;
        /* Each label right above its grid and its column numbers. */
        draw_text(cr, SANS, label_px, true, ink, v->in.x,
                  v->in.y - (v->in.numbers ? v->in.index_px * 1.5 : 0) - label_px * 1.4,
                  ALIGN_LEFT, st->backward ? "dL/dx so far" : in_label);
        draw_text(cr, SANS, label_px, true, ink, v->out.x,
                  v->out.y - (v->out.numbers ? v->out.index_px * 1.5 : 0) - label_px * 1.4,
                  ALIGN_LEFT, st->backward ? "dL/dy" : "output");
        draw_input(cr, v);
        draw_output(cr, v);
        double in_right = v->in.x + v->in.cols * v->in.cell;
        double mid = (in_right + v->out.x - v->out.index_w) / 2;
        double arrow_y = fmin(v->in.y + v->in.rows * v->in.cell / 2,
                              v->out.y + v->out.rows * v->out.cell / 2);
        draw_text(cr, SANS, 56, false, soft_ink, mid, arrow_y - 36, ALIGN_CENTRE, "\u2192");
        double grids_end = fmax(v->in.y + v->in.rows * v->in.cell,
                                v->out.y + v->out.rows * v->out.cell);
        double y = fmin(grids_end + 36, bottom - panel_h);
        if (question != NULL) {
            set_colour(cr, accent);
            cairo_move_to(cr, MARGIN, y);
            pango_cairo_show_layout(cr, question);
        } else {
            draw_panel(cr, v, &pp, MARGIN, y, wrap);
        }
        status = page_end(&pg, err);
    } else {
        page_release(&pg);
    }
    if (question)
        g_object_unref(question);
    view_release(v);
    pv_free(v);
    pv_free(pp.panel);
    return status;
}

/* Under AddressSanitizer: fontconfig keeps its font lists for the life of
 * the process and drops its last pointers to some of them at exit, so
 * LeakSanitizer would report them after every render.  They are
 * fontconfig's (freeing them with FcFini fails its own assertions while
 * cairo still holds fonts): only allocations made inside fontconfig are
 * left out of the report. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RENDER_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RENDER_UNDER_ASAN 1
#endif
#ifdef RENDER_UNDER_ASAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* ... and quietly: stderr holds poolviz's messages only. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

/* ... and without following __tls_get_addr: after pango's font-matching
 * threads, LeakSanitizer's exit-time check now and then read a dynamic TLS
 * block of the main thread with a garbage range ("DTLS 9 at 0x488-...",
 * then "Tracer caught signal 11 ... LeakSanitizer has encountered a fatal
 * error"): about one render in forty failed that way under CI's options,
 * none in two hundred without the interception.  CI's ASAN_OPTIONS still
 * override any flag named here. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "intercept_tls_get_addr=0";
}
#endif
