/* compareview.c - panels side by side in step (see compareview.h).
 *
 * Layout, top to bottom: the grids or pictures (a shared input once, then
 * a row of outputs; or a column per panel, input over output), one box
 * with each panel's formula line, and the line counting the output cells
 * that differ.  When lines are short the formula box goes first, then the
 * count; the grids scroll to keep the region in view.
 */
#include "tui/compareview.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "core/alloc.h"
#include "core/numfmt.h"
#include "tui/draw.h"
#include "tui/glyphs.h"
#include "tui/picture.h"
#include "tui/theme.h"

#define GAP 2

struct compareview {
    stepper *panels[COMPAREVIEW_MAX];
    char titles[COMPAREVIEW_MAX][64];
    size_t count;
    size_t index;
    bool pictures;
    char differ_secret[200];    /* why the count is not shown, or "" */
};

compareview *compareview_new(pv_error *err)
{
    compareview *v = pv_calloc(1, sizeof *v);
    if (v == NULL)
        pv_error_set(err, PV_ERR_NOMEM, "compare", "out of memory");
    return v;
}

void compareview_free(compareview *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->count; i++)
        stepper_free(v->panels[i]);
    pv_free(v);
}

pv_status compareview_add(compareview *v, const tensor *input, const char *name,
                          const pool_params *params, const char *title, pv_error *err)
{
    if (v->count >= COMPAREVIEW_MAX)
        return pv_error_set(err, PV_ERR_USAGE, "compare", "%d panels at most", COMPAREVIEW_MAX);
    stepper *st = stepper_new(err);
    if (st == NULL)
        return err->status;
    pv_error inner;
    pv_error_clear(&inner);
    if (stepper_load(st, input, name, params, &inner) != PV_OK) {
        stepper_free(st);
        char subject[80];
        snprintf(subject, sizeof subject, "compare %s", pool_op_name(params->op));
        return pv_error_set(err, inner.status != PV_OK ? inner.status : PV_ERR_DATA, subject,
                            "%s%s%s", inner.subject, inner.subject[0] ? ": " : "",
                            inner.message);
    }
    snprintf(v->titles[v->count], sizeof v->titles[0], "%s",
             title != NULL ? title : pool_op_name(params->op));
    stepper_set_label(st, v->titles[v->count]);
    if (v->count == 0)
        v->pictures = picture_wanted(st);
    v->panels[v->count++] = st;
    stepper_goto(st, v->index);
    return PV_OK;
}

size_t compareview_panel_count(const compareview *v)
{
    return v->count;
}

stepper *compareview_panel(compareview *v, size_t i)
{
    return i < v->count ? v->panels[i] : NULL;
}

size_t compareview_step_count(const compareview *v)
{
    size_t most = 0;
    for (size_t i = 0; i < v->count; i++) {
        size_t n = stepper_count(v->panels[i]);
        most = n > most ? n : most;
    }
    return most;
}

void compareview_goto(compareview *v, size_t index)
{
    size_t steps = compareview_step_count(v);
    v->index = steps == 0 ? 0 : index < steps ? index : steps - 1;
    for (size_t i = 0; i < v->count; i++)
        stepper_goto(v->panels[i], v->index);
}

size_t compareview_index(const compareview *v)
{
    return v->index;
}

void compareview_set_pictures(compareview *v, bool pictures)
{
    v->pictures = pictures;
}

bool compareview_pictures(const compareview *v)
{
    return v->pictures;
}

void compareview_hide_differ(compareview *v, const char *why)
{
    snprintf(v->differ_secret, sizeof v->differ_secret, "%s", why != NULL ? why : "");
}

/* ---- drawing ---------------------------------------------------------------- */

static bool shares_input(const compareview *v)
{
    for (size_t i = 1; i < v->count; i++)
        if (!tensor_equal(stepper_input(v->panels[0]), stepper_input(v->panels[i])))
            return false;
    return true;
}

/* "max and avg differ in 3 of 4 cells; max and min ..." */
static void differ_text(const compareview *v, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    const tensor *a = stepper_output(v->panels[0]);
    for (size_t k = 1; k < v->count && len < size; k++) {
        const tensor *b = stepper_output(v->panels[k]);
        const char *sep = k > 1 ? "; " : "";
        if (a->rank != b->rank || a->count != b->count ||
            memcmp(a->dims, b->dims, (size_t)a->rank * sizeof a->dims[0]) != 0) {
            len += (size_t)snprintf(buf + len, size - len, "%s%s and %s give different shapes",
                                    sep, v->titles[0], v->titles[k]);
            continue;
        }
        size_t differ = 0;
        for (size_t i = 0; i < a->count; i++) {
            double x = tensor_get(a, i), y = tensor_get(b, i);
            differ += !(x == y || (isnan(x) && isnan(y)));
        }
        len += (size_t)snprintf(buf + len, size - len, "%s%s and %s differ in %zu of %zu cells",
                                sep, v->titles[0], v->titles[k], differ, a->count);
    }
}

int compareview_width_needed(const compareview *v)
{
    if (v->count == 0)
        return 0;
    bool shared = shares_input(v);
    int total = 0, in_w = 0, w, h;
    for (size_t i = 0; i < v->count; i++) {
        stepper_grid_size(v->panels[i], STEPPER_GRID_OUTPUT, 0, 0, &w, &h);
        if (!shared) {
            int iw;
            stepper_grid_size(v->panels[i], STEPPER_GRID_INPUT, 0, 0, &iw, &h);
            w = iw > w ? iw : w;
        }
        total += w + (i > 0 ? GAP : 0);
    }
    if (shared)
        stepper_grid_size(v->panels[0], STEPPER_GRID_INPUT, 0, 0, &in_w, &h);
    return in_w > total ? in_w : total;
}

/* The formula box: one line per panel, its title then its formula. */
static void draw_formulas(compareview *v, int y, int x, int h, int w)
{
    draw_box(y, x, h, w, "formulas for this step");
    int title_w = 0;
    for (size_t i = 0; i < v->count; i++) {
        int tw = (int)glyphs_width(v->titles[i]);
        title_w = tw > title_w ? tw : title_w;
    }
    if (title_w > w / 3)
        title_w = w / 3;
    for (size_t i = 0; i < v->count && (int)i < h - 2; i++) {
        char line[512];
        int room = w - 4 - title_w - 2;
        stepper_formula_headline(v->panels[i], room > 8 ? room : 8, line, sizeof line);
        int xx = x + 2;
        draw_text(y + 1 + (int)i, xx, title_w, theme_attr(ROLE_BOX_TITLE), v->titles[i]);
        xx += title_w + 2;
        draw_text(y + 1 + (int)i, xx, x + w - 2 - xx, theme_attr(ROLE_FORMULA), line);
    }
}

static void draw_numbers(compareview *v, int top, int x0, int h, int W, bool shared)
{
    int n = (int)v->count;
    int pw = (W - GAP * (n - 1)) / n;
    int out_h = 0;
    for (size_t i = 0; i < v->count; i++) {
        int w, hh;
        stepper_grid_size(v->panels[i], STEPPER_GRID_OUTPUT, pw, h / 2, &w, &hh);
        out_h = hh > out_h ? hh : out_h;
    }
    if (shared) {
        int in_w, in_h;
        stepper_grid_size(v->panels[0], STEPPER_GRID_INPUT, W, h - out_h, &in_w, &in_h);
        int oh = out_h < h / 2 ? out_h : h / 2;
        if (oh < 4)
            oh = h >= 8 ? 4 : h / 2;
        int ih = h - oh;
        if (ih > in_h)
            ih = in_h;
        oh = h - ih;
        if (in_w > W)
            in_w = W;
        /* one input for all: no panel's label on it */
        stepper_set_label(v->panels[0], NULL);
        stepper_draw_grid(v->panels[0], STEPPER_GRID_INPUT, top, x0 + (W - in_w) / 2, ih, in_w);
        stepper_set_label(v->panels[0], v->titles[0]);
        for (int k = 0; k < n; k++)
            stepper_draw_grid(v->panels[k], STEPPER_GRID_OUTPUT, top + ih, x0 + k * (pw + GAP),
                              oh, pw);
        return;
    }
    /* A column per panel: its input over its output. */
    int ih = h - (out_h < h / 2 ? out_h : h / 2);
    for (int k = 0; k < n; k++) {
        int in_w, in_h;
        stepper_grid_size(v->panels[k], STEPPER_GRID_INPUT, pw, ih, &in_w, &in_h);
        ih = in_h < ih ? in_h : ih;
    }
    for (int k = 0; k < n; k++) {
        int x = x0 + k * (pw + GAP);
        stepper_draw_grid(v->panels[k], STEPPER_GRID_INPUT, top, x, ih, pw);
        stepper_draw_grid(v->panels[k], STEPPER_GRID_OUTPUT, top + ih, x, h - ih, pw);
    }
}

static void picture_label(const stepper *st, const char *title, bool input, char *buf,
                          size_t size)
{
    const glyphs_table *g = glyphs_current();
    const pool_plan *plan = stepper_plan(st);
    if (input) {
        snprintf(buf, size, "%s %zu%s%zu", title, plan->h, g->times, plan->w);
        return;
    }
    size_t ow = plan->out_dims[plan->out_rank - 1];
    size_t oh = plan->out_rank >= 2 ? plan->out_dims[plan->out_rank - 2] : 1;
    snprintf(buf, size, "%s %zu%s%zu", title, oh, g->times, ow);
}

static void draw_pictures(compareview *v, int top, int x0, int h, int W, bool shared)
{
    int n = (int)v->count;
    char label[160];
    attr_t title = theme_attr(ROLE_BOX_TITLE);
    picture_begin_frame();
    if (shared) {
        int pw = (W - GAP * n) / (n + 1);
        int rows = h - 1;
        if (pw < 4 || rows < 1)
            return;
        double scale = picture_panel_scale(v->panels[0], rows, pw);
        picture_label(v->panels[0], "input", true, label, sizeof label);
        draw_text_centred(top, x0, pw, title, label);
        picture_draw_input_panel(v->panels[0], 0, top + 1, x0, rows, pw, scale);
        for (int k = 0; k < n; k++) {
            int x = x0 + (k + 1) * (pw + GAP);
            picture_label(v->panels[k], v->titles[k], false, label, sizeof label);
            draw_text_centred(top, x, pw, title, label);
            picture_draw_output_panel(v->panels[k], 1 + k, top + 1, x, rows, pw, scale);
        }
        return;
    }
    int pw = (W - GAP * (n - 1)) / n;
    int rows = (h - 2) / 2;
    if (pw < 4 || rows < 1)
        return;
    double scale = picture_panel_scale(v->panels[0], rows, pw);
    for (int k = 0; k < n && 2 * k + 1 < PICTURE_SLOTS; k++) {
        int x = x0 + k * (pw + GAP);
        picture_label(v->panels[k], v->titles[k], true, label, sizeof label);
        draw_text_centred(top, x, pw, title, label);
        picture_draw_input_panel(v->panels[k], 2 * k, top + 1, x, rows, pw, scale);
        picture_label(v->panels[k], "pooled", false, label, sizeof label);
        draw_text_centred(top + 1 + rows, x, pw, title, label);
        picture_draw_output_panel(v->panels[k], 2 * k + 1, top + 2 + rows, x, rows, pw, scale);
    }
}

void compareview_draw_area(compareview *v, int top, int x0, int h, int W)
{
    if (v->count == 0 || h < 3 || W < 10)
        return;
    bool shared = shares_input(v);
    /* What goes first when lines are short: the formulas, then the count. */
    int count_h = v->count > 1 ? 1 : 0;
    int formula_h = (int)v->count + 2;
    if (h - formula_h - count_h < 10)
        formula_h = 0;
    if (h - formula_h - count_h < 6)
        count_h = 0;
    int grid_h = h - formula_h - count_h;
    if (v->pictures)
        draw_pictures(v, top, x0, grid_h, W, shared);
    else
        draw_numbers(v, top, x0, grid_h, W, shared);
    int y = top + grid_h;
    if (formula_h > 0) {
        draw_formulas(v, y, x0, formula_h, W);
        y += formula_h;
    }
    if (count_h > 0) {
        char text[600];
        if (v->differ_secret[0] != '\0') {
            draw_text(y, x0 + 1, W - 2, theme_attr(ROLE_HINT), v->differ_secret);
        } else {
            differ_text(v, text, sizeof text);
            draw_text(y, x0 + 1, W - 2, theme_attr(ROLE_FORMULA_TEXT), text);
        }
    }
}

/* ---- the screen ------------------------------------------------------------- */

static void compare_draw(tui_app *app)
{
    compareview *v = app->compare;
    if (v == NULL || v->count == 0)
        return;
    const glyphs_table *g = glyphs_current();
    const stepper *first = v->panels[0];
    const tensor *in = stepper_input(first);
    char shape[64], ops[200] = "", text[400];
    tensor_format_shape(in->rank, in->dims, shape, sizeof shape);
    for (size_t i = 0; i < v->count; i++) {
        size_t len = strlen(ops);
        snprintf(ops + len, sizeof ops - len, "%s%s", i ? " " : "", v->titles[i]);
    }
    draw_fill(0, 0, COLS, theme_attr(ROLE_TITLE));
    int x = draw_text(0, 0, COLS, theme_attr(ROLE_TITLE_EMPH), " poolviz ");
    snprintf(text, sizeof text, " %s compare %s  %s  %s %s", g->bullet, ops, g->bullet,
             stepper_name(first), shape);
    draw_text(0, x, COLS - x - 1, theme_attr(ROLE_TITLE), text);

    compareview_draw_area(v, 1, 0, LINES - 3, COLS);

    /* The status line: the shared settings, and the step. */
    char params[300], right[80];
    pool_params_describe(&stepper_plan(first)->params, params, sizeof params);
    const char *space = strchr(params, ' ');  /* the operator is in the panels' titles */
    snprintf(right, sizeof right, "%s  step %zu/%zu ", v->pictures ? "pictures" : "numbers",
             v->index + 1, compareview_step_count(v));
    attr_t bar = theme_attr(ROLE_STATUS);
    draw_fill(LINES - 2, 0, COLS, bar);
    int right_w = (int)glyphs_width(right);
    draw_text(LINES - 2, 1, COLS - right_w - 2, bar, space != NULL ? space + 1 : params);
    draw_text_right(LINES - 2, COLS, right_w, theme_attr(ROLE_STATUS_EMPH), right);
}

static void close_compare(tui_app *app)
{
    compareview_free(app->compare);
    app->compare = NULL;
    tui_close_overlay(app);
}

/* g: the first panel's output cell row,col (or a step number), all panels
 * with it. */
static void goto_done(void *ctx, const char *line)
{
    tui_app *app = ctx;
    compareview *v = app->compare;
    if (line == NULL || v == NULL || v->count == 0)
        return;
    long a, b;
    char rest[8];
    const char *p = line + strspn(line, " ([");
    if (*p == '\0')
        return;
    if (sscanf(p, "%ld ,%ld%1s", &a, &b, rest) == 2 || sscanf(p, "%ld %ld%1s", &a, &b, rest) == 2) {
        if (!stepper_goto_cell(v->panels[0], a, b))
            tui_message(app, true, "go to: there is no output cell (%ld, %ld) here", a, b);
        else
            compareview_goto(v, stepper_index(v->panels[0]));
        return;
    }
    if (sscanf(p, "%ld%1s", &a, rest) == 1 && a >= 1 &&
        (size_t)a <= compareview_step_count(v)) {
        compareview_goto(v, (size_t)a - 1);
        return;
    }
    tui_message(app, true, "go to: type row,col (e.g. 1,0) or a step number from 1 to %zu",
                compareview_step_count(v));
}

static void compare_key(tui_app *app, int key)
{
    compareview *v = app->compare;
    if (v == NULL) {
        tui_close_overlay(app);
        return;
    }
    size_t steps = compareview_step_count(v);
    switch (key) {
    case 'n':
    case ' ':
    case KEY_RIGHT:
        if (v->index + 1 >= steps)
            tui_message(app, false, "this is the last step; Home goes back to the first");
        else
            compareview_goto(v, v->index + 1);
        break;
    case 'p':
    case KEY_LEFT:
    case KEY_BACKSPACE:
        if (v->index == 0)
            tui_message(app, false, "this is the first step; End goes to the last");
        else
            compareview_goto(v, v->index - 1);
        break;
    case KEY_HOME:
        compareview_goto(v, 0);
        break;
    case KEY_END:
        compareview_goto(v, steps > 0 ? steps - 1 : 0);
        break;
    case 'g':
        tui_prompt(app, "go to output row,col (or step number): ", goto_done, app);
        break;
    case 'v':
        v->pictures = !v->pictures;
        tui_message(app, false, "%s", v->pictures ? "pictures (v: numbers)"
                                                   : "numbers (v: pictures)");
        break;
    case ':':
        tui_open_command_line(app);
        break;
    case 27:
    case 'q':
        close_compare(app);
        break;
    default:
        break;
    }
}

const tui_screen compare_screen = {
    .name = "compare",
    .draw = compare_draw,
    .key = compare_key,
    .hints = "n:next\tp:prev\tg:go to\tv:pictures/numbers\t::command\tq/Esc:back",
    .overlay = true,
};
