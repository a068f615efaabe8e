/* lessontext.c - the plain-text lesson player.  Every value it prints comes
 * from lessonrun.c (and so from the core); this file only lays text out. */
#include "lesson/lessontext.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "core/quote.h"
#include "lesson/lessonsecret.h"

#define DEFAULT_WIDTH 72
#define FORMULA_TERMS 12
/* Matrices up to this size are printed as numbers, bigger ones as art. */
#define GRID_MAX 24
#define ART_WIDTH 64
#define LIST_FORMULAS 16

typedef struct sink {
    lesson_emit_fn emit;
    void *ctx;
} sink;

static void emitf(const sink *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void emitf(const sink *s, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        buf[sizeof buf - 2] = '\n';
    s->emit(s->ctx, buf);
}

void lesson_emit_file(void *ctx, const char *text)
{
    /* Lesson text is the author's: it reaches the terminal quoted. */
    size_t len = strlen(text);
    for (size_t pos = 0; pos < len;) {
        char piece[QUOTE_PIECE_MAX + 1];
        size_t n;
        pos += quote_step(text + pos, len - pos, QUOTE_KEEP_LINES, piece, &n);
        fwrite(piece, 1, n, (FILE *)ctx);
    }
}

/* Columns of a UTF-8 string (continuation bytes take none). */
static size_t columns(const char *s, size_t n)
{
    size_t cols = 0;
    for (size_t i = 0; i < n; i++)
        cols += ((unsigned char)s[i] & 0xC0) != 0x80;
    return cols;
}

void lesson_wrap(const char *text, int width, int indent, char *buf, size_t size)
{
    size_t used = strlen(buf);
    size_t avail = width > indent + 10 ? (size_t)(width - indent) : 10;
    const char *s = text;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        /* Take words while they fit. */
        const char *line_end = s, *p = s;
        size_t cols = 0;
        while (*p) {
            const char *w = p;
            while (*w == ' ')
                w++;
            const char *e = w;
            while (*e && *e != ' ')
                e++;
            size_t add = columns(p, (size_t)(e - p));
            if (cols > 0 && cols + add > avail)
                break;
            cols += add;
            p = e;
            line_end = e;
        }
        if (line_end == s) {   /* one word longer than the line */
            while (*line_end && *line_end != ' ')
                line_end++;
        }
        if (used < size) {
            int n = snprintf(buf + used, size - used, "%*s%.*s\n", indent, "",
                             (int)(line_end - s), s);
            if (n > 0)
                used += (size_t)n < size - used ? (size_t)n : size - used - 1;
        }
        s = line_end;
    }
}

static void emit_wrapped(const sink *s, const char *text, int width, int indent)
{
    size_t size = strlen(text) * 2 + 256;
    char *buf = pv_malloc(size);
    if (buf == NULL)
        return;
    buf[0] = '\0';
    lesson_wrap(text, width, indent, buf, size);
    s->emit(s->ctx, buf);
    pv_free(buf);
}

/* Each line of text (separated by '\n') with indent spaces before it. */
static void emit_indented(const sink *s, const char *text, int indent)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        emitf(s, "%*s%.*s\n", indent, "", (int)n, p);
        p += n + (nl != NULL);
    }
}

static void emit_rule(const sink *s, const char *raw_title, char ch)
{
    /* Underlined as it is shown: quoted (the sink quotes it again, which
     * changes nothing). */
    char title[1024];
    quote_str(title, sizeof title, raw_title, 0);
    size_t n = columns(title, strlen(title));
    char line[256];
    if (n >= sizeof line)
        n = sizeof line - 1;
    memset(line, ch, n);
    line[n] = '\0';
    emitf(s, "%s\n%s\n", title, line);
}

/* ---- grids ------------------------------------------------------------------ */

/* The plane view of a tensor: rows x cols starting at element offset. */
typedef struct plane_view {
    const tensor *t;
    size_t offset, rows, cols;
} plane_view;

static plane_view plane_of(const tensor *t, size_t plane)
{
    plane_view v = {t, 0, 1, t->dims[t->rank - 1]};
    if (t->rank >= 2) {
        v.rows = t->dims[t->rank - 2];
        v.offset = plane * v.rows * v.cols;
    }
    return v;
}

static size_t plane_count(const tensor *t)
{
    size_t planes = 1;
    for (int d = 0; d + 2 < t->rank; d++)
        planes *= t->dims[d];
    return planes;
}

/* Cell marks for printing. */
enum { MARK_NONE, MARK_REGION, MARK_PENDING, MARK_PAD };
/* Or'ed with a mark: the value is asked by a question still to come. */
enum { MARK_HIDDEN = 8, MARK_KIND = 7 };

typedef struct grid_marks {
    long row0, rows, col0, cols;    /* the area printed (may include padding) */
    const unsigned char *mark;      /* rows*cols marks, or NULL */
} grid_marks;

static void emit_grid(const sink *s, const plane_view *v, const grid_marks *g, int indent)
{
    /* The width of the widest number. */
    size_t width = 1;
    char n[48];
    for (size_t i = 0; i < v->rows * v->cols; i++) {
        size_t len = pool_format_number(tensor_get(v->t, v->offset + i), n, sizeof n);
        if (len > width)
            width = len;
    }
    for (long r = 0; r < g->rows; r++) {
        char line[4096];
        size_t used = (size_t)snprintf(line, sizeof line, "%*s", indent, "");
        for (long c = 0; c < g->cols && used + width + 4 < sizeof line; c++) {
            long row = g->row0 + r, col = g->col0 + c;
            unsigned char m = g->mark ? g->mark[r * g->cols + c] : MARK_NONE;
            bool hidden = (m & MARK_HIDDEN) != 0;
            m &= MARK_KIND;
            bool inside = row >= 0 && col >= 0 && (size_t)row < v->rows && (size_t)col < v->cols;
            const char *text = ".";
            if (inside && hidden && m != MARK_PENDING) {
                text = "?";
            } else if (inside && m != MARK_PENDING) {
                pool_format_number(tensor_get(v->t, v->offset + (size_t)row * v->cols +
                                                        (size_t)col),
                                   n, sizeof n);
                text = n;
            } else if (!inside) {
                text = "_";
            }
            bool region = m == MARK_REGION;
            used += (size_t)snprintf(line + used, sizeof line - used, "%c%*s%c",
                                     region ? '[' : ' ', (int)width, text, region ? ']' : ' ');
        }
        while (used > 0 && line[used - 1] == ' ')
            used--;
        line[used] = '\0';
        emitf(s, "%s\n", line);
    }
}

/* A picture (or any big plane) as characters from dark to bright. */
static void emit_art(const sink *s, const tensor *t, size_t sample, int indent)
{
    static const char ramp[] = " .:-=+*#%@";
    size_t nchw[4];
    tensor_nchw(t, nchw);
    size_t c = nchw[1], h = nchw[2], w = nchw[3];
    size_t out_w = w * 2 < ART_WIDTH ? w * 2 : ART_WIDTH;
    size_t out_h = (h * out_w + w) / (2 * w);
    if (out_h == 0)
        out_h = 1;
    const size_t plane = h * w, base = sample * c * plane;
    /* Brightness: the luminance of RGB, else the first channel. */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < plane; i++) {
        double y = c >= 3 ? 0.299 * tensor_get(t, base + i) + 0.587 * tensor_get(t, base + plane + i) +
                                0.114 * tensor_get(t, base + 2 * plane + i)
                          : tensor_get(t, base + i);
        if (isfinite(y)) {
            lo = fmin(lo, y);
            hi = fmax(hi, y);
        }
    }
    for (size_t r = 0; r < out_h; r++) {
        char line[ART_WIDTH + 64];
        size_t used = (size_t)snprintf(line, sizeof line, "%*s", indent, "");
        size_t y = (r * 2 + 1) * h / (2 * out_h);
        for (size_t col = 0; col < out_w && used + 2 < sizeof line; col++) {
            size_t x = (col * 2 + 1) * w / (2 * out_w);
            size_t i = y * w + x;
            double v = c >= 3 ? 0.299 * tensor_get(t, base + i) +
                                    0.587 * tensor_get(t, base + plane + i) +
                                    0.114 * tensor_get(t, base + 2 * plane + i)
                              : tensor_get(t, base + i);
            int level = hi > lo && isfinite(v) ? (int)((v - lo) / (hi - lo) * 9.999) : 0;
            line[used++] = ramp[level < 0 ? 0 : level > 9 ? 9 : level];
        }
        while (used > 0 && line[used - 1] == ' ')
            used--;
        line[used] = '\0';
        emitf(s, "%s\n", line);
    }
}

static bool too_big_for_numbers(const tensor *t)
{
    plane_view v = plane_of(t, 0);
    return v.rows > GRID_MAX || v.cols > GRID_MAX;
}

static void shape_of(const tensor *t, char *buf, size_t size)
{
    tensor_format_shape(t->rank, t->dims, buf, size);
}

static const char *input_label(const lesson *l, size_t index, char *buf, size_t size)
{
    const lesson_input *in = &l->inputs[index];
    char shape[64];
    shape_of(in->tensor, shape, sizeof shape);
    if (in->picture)
        snprintf(buf, size, "the picture %s (%s)", in->source, shape);
    else if (in->name[0])
        snprintf(buf, size, "%s (%s)", in->name, shape);
    else if (in->path)
        snprintf(buf, size, "%s (%s)", in->source, shape);
    else
        snprintf(buf, size, "the %s matrix", shape);
    return buf;
}

/* Every plane of the input, the region's plane with the region marked
 * (and the padding around it shown as '_'). */
static void emit_input(const sink *s, const lesson_result *r, const pool_region *rg,
                       bool show_region)
{
    const tensor *t = r->input;
    const pool_plan *plan = r->plan;
    if (too_big_for_numbers(t)) {
        emit_art(s, t, show_region ? rg->n : 0, 4);
        return;
    }
    size_t planes = plane_count(t);
    bool mark = show_region && plan->params.op != POOL_BILINEAR;
    for (size_t p = 0; p < planes; p++) {
        plane_view v = plane_of(t, p);
        bool region_plane = mark && p == rg->n * plan->c + rg->c;
        if (planes > 1 && plan->n > 1)
            emitf(s, "  [%zu,%zu]%s\n", p / plan->c, p % plan->c,
                  region_plane ? " (the region's plane)" : "");
        else if (planes > 1)
            emitf(s, "  channel %zu%s\n", p, region_plane ? " (the region's)" : "");
        grid_marks g = {0, (long)v.rows, 0, (long)v.cols, NULL};
        if (!mark && pool_op_is_windowed(plan->params.op) && t->rank >= 2) {
            /* The whole padding frame, so that a run shows where it lies. */
            g.row0 = -plan->rows.pad_before;
            g.col0 = -plan->cols.pad_before;
            g.rows = (long)v.rows + plan->rows.pad_before + plan->rows.pad_after;
            g.cols = (long)v.cols + plan->cols.pad_before + plan->cols.pad_after;
        }
        unsigned char *marks = NULL;
        if (region_plane) {
            /* Show the padding when the region reaches into it. */
            long r_last = rg->row0 + (rg->row_count - 1) * rg->row_step;
            long c_last = rg->col0 + (rg->col_count - 1) * rg->col_step;
            long top = rg->row0 < 0 ? rg->row0 : 0, left = rg->col0 < 0 ? rg->col0 : 0;
            long bottom = r_last >= (long)v.rows ? r_last : (long)v.rows - 1;
            long right = c_last >= (long)v.cols ? c_last : (long)v.cols - 1;
            g.row0 = top;
            g.col0 = left;
            g.rows = bottom - top + 1;
            g.cols = right - left + 1;
            marks = pv_calloc((size_t)(g.rows * g.cols), 1);
            if (marks != NULL) {
                for (long i = 0; i < rg->row_count; i++)
                    for (long j = 0; j < rg->col_count; j++) {
                        long row = rg->row0 + i * rg->row_step - top;
                        long col = rg->col0 + j * rg->col_step - left;
                        marks[row * g.cols + col] = MARK_REGION;
                    }
            }
            g.mark = marks;
        }
        emit_grid(s, &v, &g, 4);
        pv_free(marks);
    }
}

/* The output as far as the stepper got: cells before `done` filled, the
 * current one marked (current = SIZE_MAX: all filled, none marked); cells
 * the secrets hide (of the demo's first or other output) show '?'. */
static void emit_output(const sink *s, const tensor *out, size_t current,
                        const lesson_secrets *sec, bool other)
{
    if (sec->size) {
        emitf(s, "    ? (question %zu asks for the output's size)\n", sec->size_question);
        return;
    }
    if (too_big_for_numbers(out)) {
        emit_art(s, out, 0, 4);
        return;
    }
    size_t planes = plane_count(out);
    for (size_t p = 0; p < planes; p++) {
        plane_view v = plane_of(out, p);
        size_t first = v.offset, cells = v.rows * v.cols;
        if (current != SIZE_MAX && first > current)
            break;   /* planes the stepper has not reached */
        if (planes > 1) {
            char head[64];
            if (out->rank == 4)
                snprintf(head, sizeof head, "[%zu,%zu]", p / out->dims[1], p % out->dims[1]);
            else
                snprintf(head, sizeof head, "[%zu]", p);
            emitf(s, "  %s\n", head);
        }
        unsigned char *marks = NULL;
        bool any_hidden = false;
        for (size_t i = 0; i < cells && !any_hidden; i++)
            any_hidden = lesson_secrets_of(sec, other, first + i) != 0;
        if ((current != SIZE_MAX || any_hidden) && (marks = pv_calloc(cells, 1)) != NULL)
            for (size_t i = 0; i < cells; i++) {
                marks[i] = current == SIZE_MAX ? MARK_NONE
                           : first + i == current ? MARK_REGION
                           : first + i > current ? MARK_PENDING
                                                 : MARK_NONE;
                if (lesson_secrets_of(sec, other, first + i) & LESSON_HIDE_VALUE)
                    marks[i] |= MARK_HIDDEN;
            }
        grid_marks g = {0, (long)v.rows, 0, (long)v.cols, marks};
        emit_grid(s, &v, &g, 4);
        pv_free(marks);
    }
}

/* The formula of output cell index, its result '?' when the secrets hide it. */
static pv_status explain_cell(const lesson_result *r, size_t index, const lesson_secrets *sec,
                              char *buf, size_t size, pv_error *err)
{
    pool_explanation ex;
    if (pool_explain(r->plan, r->input, index, &ex, err) != PV_OK)
        return err->status;
    double value = tensor_get(r->output, index);
    pool_explanation_format(&ex, value, FORMULA_TERMS, buf, size);
    pool_explanation_release(&ex);
    if (lesson_secrets_of(sec, false, index) & LESSON_HIDE_VALUE)
        lesson_hide_result(buf, size, value);
    return PV_OK;
}

/* "4" or "?" when the secrets hide the output's size. */
static const char *count_text(const lesson_secrets *sec, size_t count, char *buf, size_t size)
{
    if (sec->size)
        snprintf(buf, size, "?");
    else
        snprintf(buf, size, "%zu", count);
    return buf;
}

static void describe_settings(const lesson_block *b, char *buf, size_t size)
{
    pool_params_describe(&b->params, buf, size);
}

/* ---- demos -------------------------------------------------------------------- */

/* A demo's header, "  >> " and the text, wrapped to the page's width like
 * the prose, its further lines under the text. */
static void emit_header(const sink *s, int width, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void emit_header(const sink *s, int width, const char *fmt, ...)
{
    char head[1024], lines[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    lines[0] = '\0';
    lesson_wrap(head, width, 5, lines, sizeof lines);
    if (strncmp(lines, "     ", 5) == 0)
        memcpy(lines, "  >> ", 5);
    s->emit(s->ctx, lines);
}

static pv_status print_step(const sink *s, const lesson *l, const lesson_block *b,
                            const lesson_result *r, const lesson_secrets *sec, int width,
                            pv_error *err)
{
    char label[256], settings[256], cell[64], formula[1024], count[32];
    size_t index = b->step - 1;
    describe_settings(b, settings, sizeof settings);
    count_text(sec, r->plan->out_count, count, sizeof count);
    emit_header(s, width, "Demo: %s on %s, region %zu of %s", settings,
                input_label(l, b->input, label, sizeof label), b->step, count);
    pool_region rg;
    pool_plan_region(r->plan, index, &rg);
    emitf(s, "  input%s:\n", too_big_for_numbers(r->input) ? "" : " (the region in [brackets])");
    emit_input(s, r, &rg, true);
    emitf(s, "  output, step %zu of %s:\n", b->step, count);
    emit_output(s, r->output, index, sec, false);
    if (explain_cell(r, index, sec, formula, sizeof formula, err) != PV_OK)
        return err->status;
    lesson_format_cell(r->plan, index, cell, sizeof cell);
    emitf(s, "  output cell %s: %s\n", sec->size ? "?" : cell, formula);
    return PV_OK;
}

static pv_status print_run(const sink *s, const lesson *l, const lesson_block *b,
                           const lesson_result *r, const lesson_secrets *sec, int width,
                           pv_error *err)
{
    char label[256], settings[256], in_shape[64], out_shape[64], count[32];
    describe_settings(b, settings, sizeof settings);
    shape_of(r->input, in_shape, sizeof in_shape);
    shape_of(r->output, out_shape, sizeof out_shape);
    if (sec->size)
        snprintf(out_shape, sizeof out_shape, "?");
    count_text(sec, r->plan->out_count, count, sizeof count);
    emit_header(s, width, "Demo: %s on %s: %s region%s, %s -> %s", settings,
                input_label(l, b->input, label, sizeof label), count,
                r->plan->out_count == 1 && !sec->size ? "" : "s", in_shape, out_shape);
    pool_region rg;
    memset(&rg, 0, sizeof rg);
    emitf(s, "  input:\n");
    emit_input(s, r, &rg, false);
    emitf(s, "  output:\n");
    emit_output(s, r->output, SIZE_MAX, sec, false);
    if (r->plan->out_count <= LIST_FORMULAS && !too_big_for_numbers(r->input) && !sec->size) {
        for (size_t i = 0; i < r->plan->out_count; i++) {
            char cell[64], formula[1024];
            if (explain_cell(r, i, sec, formula, sizeof formula, err) != PV_OK)
                return err->status;
            lesson_format_cell(r->plan, i, cell, sizeof cell);
            emitf(s, "    %s %s\n", cell, formula);
        }
    }
    return PV_OK;
}

static void print_compare(const sink *s, const lesson *l, const lesson_block *b,
                          const lesson_result *r, const lesson_secrets *sec, int width)
{
    char l1[256], l2[256], settings[256];
    describe_settings(b, settings, sizeof settings);
    input_label(l, b->input, l1, sizeof l1);
    input_label(l, b->other, l2, sizeof l2);
    emit_header(s, width, "Compare: %s on %s and on %s", settings, l1, l2);
    pool_region rg;
    memset(&rg, 0, sizeof rg);
    lesson_result other = {.input = r->other_input, .plan = r->other_plan,
                           .output = r->other_output};
    emitf(s, "  %s:\n", l1);
    emit_input(s, r, &rg, false);
    emitf(s, "  %s:\n", l2);
    emit_input(s, &other, &rg, false);
    emitf(s, "  pooled %s:\n", l->inputs[b->input].name[0] ? l->inputs[b->input].name : "input");
    emit_output(s, r->output, SIZE_MAX, sec, false);
    emitf(s, "  pooled %s:\n", l->inputs[b->other].name);
    emit_output(s, r->other_output, SIZE_MAX, sec, true);
    if (sec->differ || sec->size || sec->other_cell != NULL) {
        emitf(s, "  How many output cells differ? (question %zu)\n",
              sec->differ ? sec->differ_question
                          : sec->size ? sec->size_question : sec->question);
        return;
    }
    size_t differ = 0;
    char list[1024] = "";
    size_t used = 0;
    bool same_shape = r->output->count == r->other_output->count;
    for (size_t i = 0; same_shape && i < r->output->count; i++) {
        double x = tensor_get(r->output, i), y = tensor_get(r->other_output, i);
        if (x == y || (isnan(x) && isnan(y)))
            continue;
        if (differ < 6 && used < sizeof list) {
            char cell[64], vx[40], vy[40];
            lesson_format_cell(r->plan, i, cell, sizeof cell);
            pool_format_number(x, vx, sizeof vx);
            pool_format_number(y, vy, sizeof vy);
            int n = snprintf(list + used, sizeof list - used, "%s%s %s -> %s",
                             differ ? ", " : ": ", cell, vx, vy);
            if (n > 0)
                used += (size_t)n;
        }
        differ++;
    }
    if (!same_shape)
        emitf(s, "  The outputs have different shapes.\n");
    else if (differ == 0)
        emitf(s, "  The two outputs are identical.\n");
    else
        emitf(s, "  %zu of %zu output cells differ%s%s\n", differ, r->output->count, list,
              differ > 6 ? ", ..." : "");
}

static pv_status print_demo(const sink *s, const lesson *l, const lesson_block *b,
                            int width, pv_error *err)
{
    lesson_result r;
    lesson_secrets sec;
    memset(&sec, 0, sizeof sec);
    pv_status status = lesson_compute(l, b, &r, err);
    if (status == PV_OK)
        status = lesson_secrets_find(l, b, &r, NULL, NULL, &sec, err);
    if (status == PV_OK) {
        switch (b->demo) {
        case LESSON_DEMO_STEP:
            if (b->step > r.plan->out_count) {
                char subject[sizeof err->subject];
                snprintf(subject, sizeof subject, "%s:%d", l->path, b->line);
                status = pv_error_set(err, PV_ERR_DATA, subject,
                                      "@step %zu: there are only %zu regions", b->step,
                                      r.plan->out_count);
                break;
            }
            status = print_step(s, l, b, &r, &sec, width, err);
            break;
        case LESSON_DEMO_RUN:
            status = print_run(s, l, b, &r, &sec, width, err);
            break;
        case LESSON_DEMO_COMPARE:
            print_compare(s, l, b, &r, &sec, width);
            break;
        }
    }
    lesson_secrets_release(&sec);
    lesson_result_release(&r);
    if (status == PV_OK)
        emitf(s, "\n");
    return status;
}

/* ---- questions ------------------------------------------------------------------ */

typedef struct score {
    size_t asked, first_try, right;
} score;

static pv_status print_question(const sink *s, const lesson *l, const lesson_block *b,
                                size_t number, const lesson_text_options *o, score *sc,
                                pv_error *err)
{
    lesson_answer *a = pv_malloc(sizeof *a);
    if (a == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, l->path, "out of memory");
    pv_status status = lesson_solve(l, b, a, err);
    if (status != PV_OK) {
        pv_free(a);
        return status;
    }
    int width = o->width > 0 ? o->width : DEFAULT_WIDTH;
    char head[600];
    snprintf(head, sizeof head, "?? Question %zu: %s", number, a->prompt);
    emit_wrapped(s, head, width, 2);
    bool reveal = o->answers;
    if (o->read != NULL) {
        int tries = o->tries > 0 ? o->tries : 2;
        int wrong = 0;
        bool right = false;
        sc->asked++;
        while (!right && wrong < tries) {
            char typed[LESSON_ANSWER_MAX + 1], feedback[512];
            lesson_read_status got = o->read(o->read_ctx, "   answer> ", typed, sizeof typed);
            if (got == LESSON_READ_END)
                break;
            if (got == LESSON_READ_TOO_LONG) {
                snprintf(feedback, sizeof feedback, "That answer is longer than %d "
                         "characters; type a shorter one.", LESSON_ANSWER_MAX);
                emit_wrapped(s, feedback, width, 4);
                continue;
            }
            if (strcmp(typed, "skip") == 0 || strcmp(typed, "?") == 0)
                break;
            lesson_verdict v = lesson_answer_check(a, typed, feedback, sizeof feedback);
            emit_wrapped(s, feedback, width, 4);
            if (v == LESSON_RIGHT) {
                right = true;
                sc->right++;
                sc->first_try += wrong == 0;
            } else if (v == LESSON_WRONG) {
                wrong++;
            }
        }
        reveal = true;
        if (!right)
            emitf(s, "    The answer is %s.\n", a->answer);
    }
    if (reveal) {
        if (o->read == NULL)
            emitf(s, "    Answer: %s\n", a->answer);
        /* The explanation line by line, each wrapped to the width. */
        const char *line = a->explanation;
        while (*line) {
            const char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            char part[1200];
            snprintf(part, sizeof part, "%.*s", (int)n, line);
            emit_wrapped(s, part, width, 4);
            line += n + (nl != NULL);
        }
    }
    emitf(s, "\n");
    pv_free(a);
    return PV_OK;
}

/* ---- pages -------------------------------------------------------------------------- */

static pv_status print_page(const sink *s, const lesson *l, size_t page_index,
                            const lesson_text_options *o, size_t *question_number, score *sc,
                            pv_error *err)
{
    const lesson_page *page = &l->pages[page_index];
    int width = o->width > 0 ? o->width : DEFAULT_WIDTH;
    char title[512];
    snprintf(title, sizeof title, "Page %zu of %zu: %s", page_index + 1, l->page_count,
             page->title);
    emit_rule(s, title, '-');
    emitf(s, "\n");
    for (size_t i = 0; i < page->block_count; i++) {
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, "lesson", "interrupted");
        const lesson_block *b = &page->blocks[i];
        pv_status status = PV_OK;
        switch (b->kind) {
        case LESSON_PROSE:
            emit_wrapped(s, b->text, width, 0);
            emitf(s, "\n");
            break;
        case LESSON_VERBATIM:   /* as written: the parser took two spaces off */
            emit_indented(s, b->text, 2);
            emitf(s, "\n");
            break;
        case LESSON_DEMO:
            status = print_demo(s, l, b, width, err);
            break;
        case LESSON_QUESTION:
            status = print_question(s, l, b, ++*question_number, o, sc, err);
            break;
        }
        if (status != PV_OK)
            return status;
    }
    return PV_OK;
}

/* The question number of the first question on page (1-based numbering). */
static size_t questions_before(const lesson *l, size_t page)
{
    size_t n = 0;
    for (size_t i = 0; i < page; i++)
        for (size_t j = 0; j < l->pages[i].block_count; j++)
            n += l->pages[i].blocks[j].kind == LESSON_QUESTION;
    return n;
}

pv_status lesson_print_page(const lesson *l, size_t page, const lesson_text_options *o,
                            lesson_emit_fn emit, void *ctx, pv_error *err)
{
    lesson_text_options defaults = {.answers = true};
    if (o == NULL)
        o = &defaults;
    if (page >= l->page_count)
        return pv_error_set(err, PV_ERR_USAGE, l->path, "there is no page %zu", page + 1);
    sink s = {emit, ctx};
    size_t number = questions_before(l, page);
    score sc = {0};
    return print_page(&s, l, page, o, &number, &sc, err);
}

pv_status lesson_print(const lesson *l, const lesson_text_options *o, lesson_emit_fn emit,
                       void *ctx, pv_error *err)
{
    lesson_text_options defaults = {.answers = true};
    if (o == NULL)
        o = &defaults;
    sink s = {emit, ctx};
    int width = o->width > 0 ? o->width : DEFAULT_WIDTH;
    char title[512];
    snprintf(title, sizeof title, "%s (%s)", l->title, l->name);
    emit_rule(&s, title, '=');
    emit_wrapped(&s, l->summary, width, 0);
    size_t demos = lesson_count_blocks(l, LESSON_DEMO);
    size_t questions = lesson_count_blocks(l, LESSON_QUESTION);
    emitf(&s, "%zu page%s, %zu demo%s, %zu question%s.\n\n", l->page_count,
          l->page_count == 1 ? "" : "s", demos, demos == 1 ? "" : "s", questions,
          questions == 1 ? "" : "s");
    size_t number = 0;
    score sc = {0};
    for (size_t p = 0; p < l->page_count; p++) {
        pv_status status = print_page(&s, l, p, o, &number, &sc, err);
        if (status != PV_OK)
            return status;
    }
    if (o->read != NULL && sc.asked > 0)
        emitf(&s, "Score: %zu of %zu question%s right, %zu at the first try.\n", sc.right,
              sc.asked, sc.asked == 1 ? "" : "s", sc.first_try);
    emitf(&s, "End of the lesson.\n");
    return PV_OK;
}

void lesson_list_line(const lesson *l, int name_width, int width, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%-*s  %s - %s", name_width > 0 ? name_width : 1, l->name,
                     l->title, l->summary);
    if (width > 3 && n > width && (size_t)width < size) {
        /* Cut at a character boundary and mark it. */
        size_t cut = (size_t)width - 3;
        while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(buf + cut, "...", 4);
    }
}

pv_status lesson_print_by_name(const char *name, lesson_emit_fn emit, void *ctx, pv_error *err)
{
    char path[4096];
    if (lesson_find(name, path, sizeof path, err) != PV_OK)
        return err->status;
    lesson *l = lesson_parse_file(path, err);
    if (l == NULL)
        return err->status;
    pv_status status = lesson_print(l, NULL, emit, ctx, err);
    lesson_free(l);
    return status;
}
