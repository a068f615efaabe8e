/* lessonview.c - the lesson player on a terminal (see lessonview.h).
 *
 * One screen, two panels: the page on the left (prose, demo markers,
 * questions with what the student answered and what the checker said), the
 * demo's stepper on the right (the input with the region, the output
 * filling in, the core's formula).  The bottom lines hold the progress, the
 * key hints and the answer prompt.  The state is a lesson_player; this file
 * draws it and maps keys to its calls.  Numbers come from the player's
 * lesson_result (plan, pool_forward output) and from pool_explain.
 */
#include "tui/lessonview.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "core/alloc.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/numfmt.h"
#include "lesson/lessonplayer.h"
#include "tui/compareview.h"
#include "tui/draw.h"
#include "tui/formula.h"
#include "tui/glyphs.h"
#include "tui/picture.h"
#include "tui/stepper.h"
#include "tui/theme.h"
#include "tui/tui.h"

#define MIN_COLS 72
#define MIN_ROWS 20
/* The text panel's narrowest, when a demo's grids need the room. */
#define PROSE_MIN_COLS 12
#define MAX_VIEW_LINES 600
#define VIEW_LINE_BYTES 400

typedef struct view_line {
    char text[VIEW_LINE_BYTES];
    theme_role role;
    int indent;
} view_line;

struct lessonview {
    lesson_player player;
    lessonview_options options;
    const lesson *owned;            /* freed with the view, or NULL */
    tui_app *app;                   /* the TUI showing it, set by draw and key */
    bool help;
    int scroll;                     /* first prose line shown */
    int prose_height;               /* lines of the prose panel, from the last draw */
    int prose_total;
    lesson_question_progress *asked; /* the question the answer prompt is for */
    stepper *st;                    /* the demo on show, drawn by the stepper's widgets */
    const tensor *st_output;        /* what st was loaded for: the result, page, demo */
    size_t st_page, st_demo;
    bool st_ok;
    char st_error[600];
    int zoom;                       /* a picture demo: 0 whole, 1 same scale 1:1, 2 2:1 ... */
    compareview *cmp;               /* the @compare demo on show, drawn by the compare widget */
    const tensor *cmp_output;       /* what cmp was made for: the result, page, demo */
    size_t cmp_page, cmp_demo;
    char cmp_error[600];
    view_line *lines;
    int line_count;
    int question_line;              /* the open question's first line, or -1 */
};

/* ---- the prose panel ---------------------------------------------------------- */

static void add_line(lessonview *v, theme_role role, int indent, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void add_line(lessonview *v, theme_role role, int indent, const char *fmt, ...)
{
    if (v->line_count >= MAX_VIEW_LINES)
        return;
    view_line *l = &v->lines[v->line_count++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    l->role = role;
    l->indent = indent;
}

typedef struct wrap_ctx {
    lessonview *v;
    theme_role role;
    int indent;
} wrap_ctx;

static void wrap_line(void *ctx, const char *start, size_t len)
{
    wrap_ctx *w = ctx;
    add_line(w->v, w->role, w->indent, "%.*s", (int)len, start);
}

static void add_wrapped(lessonview *v, theme_role role, int indent, int width, const char *text)
{
    wrap_ctx w = {v, role, indent};
    draw_wrap(text, width - indent > 8 ? width - indent : 8, wrap_line, &w);
}

static const char *demo_words(const lesson_block *b, const lesson *l, char *buf, size_t size)
{
    char settings[200];
    pool_params_describe(&b->params, settings, sizeof settings);
    const char *name = l->inputs[b->input].name[0] ? l->inputs[b->input].name
                                                    : l->inputs[b->input].source;
    if (b->demo == LESSON_DEMO_STEP)
        snprintf(buf, size, "%s on %s, region %zu", settings, name, b->step);
    else if (b->demo == LESSON_DEMO_RUN)
        snprintf(buf, size, "%s on %s, every region", settings, name);
    else
        snprintf(buf, size, "%s on %s and %s", settings, name, l->inputs[b->other].name);
    return buf;
}

static void build_prose(lessonview *v, int width)
{
    const lesson_player *p = &v->player;
    const lesson *l = p->lesson;
    const lesson_page *page = &l->pages[p->page];
    const glyphs_table *g = glyphs_current();
    v->line_count = 0;
    v->question_line = -1;
    size_t demo = 0, question = 0;
    size_t first_q, q_count;
    lesson_player_page_questions(p, &first_q, &q_count);
    lesson_question_progress *open = NULL;
    for (size_t i = 0; i < p->question_count; i++)
        if (p->questions[i].page == p->page && p->questions[i].state == LESSON_Q_OPEN) {
            open = &p->questions[i];
            break;
        }
    for (size_t i = 0; i < page->block_count; i++) {
        const lesson_block *b = &page->blocks[i];
        char words[300];
        switch (b->kind) {
        case LESSON_PROSE:
            add_wrapped(v, ROLE_NORMAL, 0, width, b->text);
            add_line(v, ROLE_NORMAL, 0, "%s", "");
            break;
        case LESSON_VERBATIM: {
            const char *s = b->text;
            while (*s) {
                const char *nl = strchr(s, '\n');
                size_t n = nl ? (size_t)(nl - s) : strlen(s);
                char part[VIEW_LINE_BYTES];
                snprintf(part, sizeof part, "%.*s", (int)n, s);
                /* Kept as written, as lessons/README.md promises (a table,
                 * a formula): a line wider than the panel is cut at its edge. */
                add_line(v, ROLE_FORMULA_TEXT, 2, "%s", part);
                s += n + (nl != NULL);
            }
            add_line(v, ROLE_NORMAL, 0, "%s", "");
            break;
        }
        case LESSON_DEMO: {
            bool current = demo == p->demo;
            char head[400];
            snprintf(head, sizeof head, "%s Demo %zu: %s", current ? g->play : " ", demo + 1,
                     demo_words(b, l, words, sizeof words));
            add_wrapped(v, current ? ROLE_TITLE_EMPH : ROLE_FORMULA_DIM, 0, width, head);
            add_line(v, ROLE_NORMAL, 0, "%s", "");
            demo++;
            break;
        }
        case LESSON_QUESTION: {
            const lesson_question_progress *q = &p->questions[first_q - 1 + question];
            question++;
            if (q == open)
                v->question_line = v->line_count;
            char head[600];
            snprintf(head, sizeof head, "Question %zu. %s", first_q + question - 1,
                     q->answer->prompt);
            add_wrapped(v, ROLE_BOX_TITLE, 0, width, head);
            if (q->state == LESSON_Q_OPEN) {
                if (q->feedback[0])
                    add_wrapped(v, ROLE_ERROR, 2, width, q->feedback);
                add_line(v, ROLE_HINT, 2, "%s", "press a to answer, s to see the answer");
                /* What follows may give the answer away: it waits. */
                if (i + 1 < page->block_count) {
                    add_line(v, ROLE_NORMAL, 0, "%s", "");
                    add_wrapped(v, ROLE_FORMULA_DIM, 0, width,
                                "(the rest of the page follows the answer)");
                }
                i = page->block_count;
                break;
            } else {
                if (q->last_typed[0])
                    add_line(v, ROLE_FORMULA_DIM, 2, "you: %s", q->last_typed);
                add_wrapped(v, q->state == LESSON_Q_RIGHT ? ROLE_RESULT : ROLE_ERROR, 2, width,
                            q->feedback);
                if (q->state == LESSON_Q_REVEALED && strstr(q->feedback, "answer is") == NULL) {
                    char ans[160];
                    snprintf(ans, sizeof ans, "The answer is %s.", q->answer->answer);
                    add_wrapped(v, ROLE_RESULT, 2, width, ans);
                }
                const char *s = q->answer->explanation;
                while (*s) {
                    const char *nl = strchr(s, '\n');
                    size_t n = nl ? (size_t)(nl - s) : strlen(s);
                    char part[VIEW_LINE_BYTES];
                    snprintf(part, sizeof part, "%.*s", (int)n, s);
                    add_wrapped(v, ROLE_FORMULA_TEXT, 2, width, part);
                    s += n + (nl != NULL);
                }
            }
            add_line(v, ROLE_NORMAL, 0, "%s", "");
            break;
        }
        }
    }
    while (v->line_count > 0 && v->lines[v->line_count - 1].text[0] == '\0')
        v->line_count--;
}

static void draw_prose(lessonview *v, int y, int x, int h, int w)
{
    build_prose(v, w - 4);
    v->prose_height = h - 2;
    v->prose_total = v->line_count;
    int max_scroll = v->line_count - (h - 2) > 0 ? v->line_count - (h - 2) : 0;
    if (v->scroll > max_scroll)
        v->scroll = max_scroll;
    if (v->scroll < 0)
        v->scroll = 0;
    const lesson *l = v->player.lesson;
    char title[300];
    snprintf(title, sizeof title, "%s", l->pages[v->player.page].title);
    draw_box(y, x, h, w, title);
    for (int i = 0; i < h - 2 && v->scroll + i < v->line_count; i++) {
        const view_line *line = &v->lines[v->scroll + i];
        draw_text(y + 1 + i, x + 2 + line->indent, w - 4 - line->indent, theme_attr(line->role),
                  line->text);
    }
    const glyphs_table *g = glyphs_current();
    if (v->scroll > 0)
        draw_text(y, x + w - 3, 1, theme_attr(ROLE_BORDER), g->up);
    if (v->scroll < max_scroll)
        draw_text(y + h - 1, x + w - 3, 1, theme_attr(ROLE_BORDER), g->down);
}

/* ---- the stepper panel ------------------------------------------------------------- */

/* What the page's own stepper keeps secret: the player's rule for the cells
 * up to the step (questions, the presenter's reveal). */
static unsigned player_hides(void *ctx, const tensor *input, const tensor *output,
                             size_t index, char *why, size_t why_size)
{
    const lessonview *v = ctx;
    const lesson_player *p = &v->player;
    (void)input;
    (void)output;
    unsigned bits = 0;
    if (index <= p->step && !lesson_player_value_visible(p, index))
        bits |= STEPPER_HIDE_VALUE;
    if (index == p->step && !lesson_player_winner_visible(p))
        bits |= STEPPER_HIDE_WINNER;
    if (bits != 0 && why != NULL) {
        if (p->revealed || p->secrets.size)
            snprintf(why, why_size,
                     "question %zu asks for this: predict, answer with a (s shows it)",
                     lesson_secrets_asker(&p->secrets, false, index));
        else
            snprintf(why, why_size, "the value is hidden: answer, then press n to reveal it");
    }
    return bits;
}

/* The page's stepper on the demo on show (loaded when the demo changes), or
 * NULL with v->st_error saying why. */
static stepper *demo_stepper(lessonview *v)
{
    const lesson_player *p = &v->player;
    if (v->st_output == p->result.output && v->st_page == p->page && v->st_demo == p->demo)
        return v->st_ok ? v->st : NULL;
    v->st_output = p->result.output;
    v->st_page = p->page;
    v->st_demo = p->demo;
    const lesson_block *b = lesson_player_current_demo(p);
    const lesson_input *in = &p->lesson->inputs[b->input];
    pv_error err;
    pv_error_clear(&err);
    v->st_ok = stepper_load(v->st, p->result.input, in->name[0] ? in->name : "input",
                            &b->params, &err) == PV_OK;
    if (!v->st_ok)
        snprintf(v->st_error, sizeof v->st_error, "%s%s%s", err.subject,
                 err.subject[0] ? ": " : "", err.message);
    return v->st_ok ? v->st : NULL;
}

/* What the compare demo's second panel keeps secret: the cells of the other
 * output that a question asks about, up to the step. */
static unsigned other_hides(void *ctx, const tensor *input, const tensor *output, size_t index,
                            char *why, size_t why_size)
{
    const lessonview *v = ctx;
    const lesson_player *p = &v->player;
    (void)input;
    (void)output;
    if (index > p->step || lesson_player_other_visible(p, index))
        return 0;
    if (why != NULL)
        snprintf(why, why_size, "question %zu asks for this: predict, answer with a",
                 lesson_secrets_asker(&p->secrets, true, index));
    return STEPPER_HIDE_VALUE;
}

/* The page's comparison (an @compare demo: the same settings on two
 * inputs) for the compare widget, made when the demo changes; NULL with
 * v->cmp_error saying why. */
static compareview *demo_compare(lessonview *v)
{
    const lesson_player *p = &v->player;
    if (v->cmp_output == p->result.output && v->cmp_page == p->page && v->cmp_demo == p->demo)
        return v->cmp;
    v->cmp_output = p->result.output;
    v->cmp_page = p->page;
    v->cmp_demo = p->demo;
    compareview_free(v->cmp);
    v->cmp = NULL;
    const lesson_block *b = lesson_player_current_demo(p);
    const lesson *l = p->lesson;
    const char *n1 = l->inputs[b->input].name[0] ? l->inputs[b->input].name : "input";
    const char *n2 = l->inputs[b->other].name[0] ? l->inputs[b->other].name : "other";
    pv_error err;
    pv_error_clear(&err);
    compareview *c = compareview_new(&err);
    if (c == NULL || compareview_add(c, p->result.input, n1, &b->params, n1, &err) != PV_OK ||
        compareview_add(c, p->result.other_input, n2, &b->params, n2, &err) != PV_OK) {
        compareview_free(c);
        snprintf(v->cmp_error, sizeof v->cmp_error, "%s%s%s", err.subject,
                 err.subject[0] ? ": " : "", err.message);
        return NULL;
    }
    stepper_set_hidden(compareview_panel(c, 0), player_hides, v);
    stepper_set_hidden(compareview_panel(c, 1), other_hides, v);
    v->cmp = c;
    return c;
}

static void draw_compare(lessonview *v, int y, int x, int h, int w)
{
    const lesson_player *p = &v->player;
    compareview *c = demo_compare(v);
    if (c == NULL) {
        draw_text(y + 1, x + 1, w - 2, theme_attr(ROLE_ERROR), v->cmp_error);
        return;
    }
    compareview_goto(c, p->step);
    char why[160] = "";
    if (!lesson_player_size_visible(p))
        snprintf(why, sizeof why, "? (question %zu asks for its size)", p->secrets.size_question);
    for (size_t i = 0; i < compareview_panel_count(c); i++)
        stepper_hide_size(compareview_panel(c, i), why[0] ? why : NULL);
    if (lesson_player_differ_visible(p)) {
        compareview_hide_differ(c, NULL);
    } else {
        snprintf(why, sizeof why, "how many cells differ? question %zu asks (a answers)",
                 p->secrets.differ ? p->secrets.differ_question : p->secrets.question);
        compareview_hide_differ(c, why);
    }
    compareview_draw_area(c, y, x, h, w);
}

/* A picture demo on the page: the input and the output as pictures at one
 * pixel scale around the region, the formula under them. */
static void draw_picture_demo(lessonview *v, stepper *st, int y, int x, int h, int w)
{
    const lesson_player *p = &v->player;
    const glyphs_table *g = glyphs_current();
    int lines = h >= 24 ? 3 : h >= 16 ? 2 : 1;
    int rows = h - 1 - (lines + 2);
    if (rows < 2) {
        lines = 1;
        rows = h - 4;
    }
    int gap = 2, pw = (w - gap) / 2;
    if (rows < 1 || pw < 4) {
        stepper_draw_formula(st, y, x, w, h - 2);
        return;
    }
    const pool_plan *plan = stepper_plan(st);
    char label[160];
    attr_t title = theme_attr(ROLE_BOX_TITLE);
    picture_begin_frame();
    /* The whole picture, both shrunk alike; + zooms into a pixel-exact crop
     * that follows the region. */
    double scale = v->zoom == 0 ? picture_fit_scale(st, rows, pw)
                                : ldexp(picture_panel_scale(st, rows, pw), v->zoom - 1);
    snprintf(label, sizeof label, "%s %zu%s%zu", stepper_name(st), plan->h, g->times, plan->w);
    draw_text_centred(y, x, pw, title, label);
    picture_draw_input_panel(st, 0, y + 1, x, rows, pw, scale);
    if (lesson_player_size_visible(p)) {
        size_t ow = plan->out_dims[plan->out_rank - 1];
        size_t oh = plan->out_rank >= 2 ? plan->out_dims[plan->out_rank - 2] : 1;
        snprintf(label, sizeof label, "%s %zu%s%zu", pool_op_name(plan->params.op), oh, g->times,
                 ow);
        draw_text_centred(y, x + pw + gap, pw, title, label);
        picture_draw_output_panel(st, 1, y + 1, x + pw + gap, rows, pw, scale);
    } else {
        draw_text_centred(y, x + pw + gap, pw, title, "output ?");
        draw_text_centred(y + rows / 2, x + pw + gap, pw, theme_attr(ROLE_HINT), "?");
        draw_textf(y + 1 + rows / 2, x + pw + gap, pw, theme_attr(ROLE_HINT),
                   "(question %zu asks", p->secrets.size_question);
        draw_text(y + 2 + rows / 2, x + pw + gap, pw, theme_attr(ROLE_HINT), " for its size)");
    }
    stepper_draw_formula(st, y + 1 + rows, x, w, lines);
}

static void draw_stepper(lessonview *v, int y, int x, int h, int w)
{
    const lesson_player *p = &v->player;
    const lesson_block *b = lesson_player_current_demo(p);
    size_t demos = lesson_player_demo_count(p);
    char title[300], words[300];
    if (b == NULL) {
        draw_box(y, x, h, w, "stepper");
        draw_text(y + 2, x + 2, w - 4, theme_attr(ROLE_HINT), "This page has no demo.");
        return;
    }
    snprintf(title, sizeof title, "demo %zu/%zu: %s", p->demo + 1, demos,
             demo_words(b, p->lesson, words, sizeof words));
    draw_box(y, x, h, w, title);
    int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
    if (b->demo == LESSON_DEMO_COMPARE) {
        draw_compare(v, iy, x + 1, ih, w - 2);
        return;
    }
    stepper *st = demo_stepper(v);
    if (st == NULL) {
        draw_text(iy + 1, ix, iw, theme_attr(ROLE_ERROR), v->st_error);
        return;
    }
    stepper_goto(st, p->step);
    if (lesson_player_size_visible(p)) {
        stepper_hide_size(st, NULL);
    } else {
        char why[160];
        snprintf(why, sizeof why, "? (question %zu asks for its size)",
                 p->secrets.size_question);
        stepper_hide_size(st, why);
    }
    if (picture_wanted(st))
        draw_picture_demo(v, st, iy, x + 1, ih, w - 2);
    else
        stepper_draw_area(st, iy, x + 1, ih, w - 2);     /* the grids' own boxes: no margin */
    if (lesson_player_size_visible(p))
        draw_textf(y + h - 1, x + 2, w - 4, theme_attr(ROLE_BOX_TITLE), " step %zu/%zu ",
                   p->step + 1, p->result.plan->out_count);
    else
        draw_textf(y + h - 1, x + 2, w - 4, theme_attr(ROLE_BOX_TITLE), " step %zu/? ",
                   p->step + 1);
}

/* ---- the whole screen ------------------------------------------------------------------- */

static void draw_help(void)
{
    static const char *const lines[] = {
        "PgDn ] Enter   next page",
        "PgUp [         previous page",
        "n Space Right  next region (presenter: reveal first)",
        "p Left         previous region",
        "Home End       first / last region",
        "Tab            the page's next demo",
        "a              answer the open question",
        "s              show the answer instead",
        ":              try your own settings (Esc: back)",
        "v              the demo as pictures (Esc: back)",
        "+ - 0          zoom a picture demo in, out, whole",
        "Up Down        scroll the text",
        "?              this help (any key closes it)",
        "q              quit",
    };
    int n = (int)(sizeof lines / sizeof lines[0]);
    int w = 60, h = n + 4;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    for (int i = 0; i < h; i++)
        draw_fill(y + i, x, w, theme_attr(ROLE_NORMAL));
    draw_box(y, x, h, w, "lesson keys");
    for (int i = 0; i < n; i++)
        draw_text(y + 2 + i, x + 3, w - 6, theme_attr(ROLE_NORMAL), lines[i]);
}

static void lesson_draw(tui_app *app)
{
    lessonview *v = app->lesson;
    v->app = app;
    const lesson_player *p = &v->player;
    const lesson *l = p->lesson;
    draw_fill(0, 0, COLS, theme_attr(ROLE_TITLE));
    draw_textf(0, 1, COLS - 2, theme_attr(ROLE_TITLE), "poolviz lesson: %s", l->title);
    char right[64];
    snprintf(right, sizeof right, "page %zu/%zu", p->page + 1, l->page_count);
    draw_text_right(0, COLS - 1, 20, theme_attr(ROLE_TITLE_EMPH), right);
    int body_h = LINES - 3;
    int prose_w = COLS * 2 / 5;
    if (prose_w < 34)
        prose_w = 34;
    if (prose_w > 72)
        prose_w = 72;
    /* The demo's grids keep every column (padding, every output cell): the
     * text panel gives up columns for them and wraps narrower. */
    const lesson_block *b = lesson_player_current_demo(p);
    stepper *st = b != NULL && b->demo != LESSON_DEMO_COMPARE ? demo_stepper(v) : NULL;
    int need = 0;
    if (st != NULL && !picture_wanted(st))
        need = stepper_width_needed(st) + 2;
    else if (b != NULL && b->demo == LESSON_DEMO_COMPARE && demo_compare(v) != NULL)
        need = compareview_width_needed(v->cmp) + 2;
    if (need > 0) {
        /* (A picture-sized input scrolls whatever the text gives up.) */
        if (COLS - prose_w < need && COLS - PROSE_MIN_COLS >= need)
            prose_w = COLS - need > PROSE_MIN_COLS ? COLS - need : PROSE_MIN_COLS;
    }
    draw_prose(v, 1, 0, body_h, prose_w);
    draw_stepper(v, 1, prose_w, body_h, COLS - prose_w);

    /* Progress; the bottom line (hints, messages, the answer prompt) is
     * the TUI's. */
    lesson_progress pr;
    lesson_player_progress(p, &pr);
    draw_fill(LINES - 2, 0, COLS, theme_attr(ROLE_STATUS));
    draw_textf(LINES - 2, 1, COLS - 2, theme_attr(ROLE_STATUS),
               "page %zu/%zu   pages seen %zu/%zu   questions right %zu/%zu%s%s", p->page + 1,
               pr.pages, pr.pages_seen, pr.pages, pr.right, pr.questions,
               v->options.present ? "   presenter" : "", v->options.large ? "   large" : "");
    if (v->help)
        draw_help();
}

/* ---- keys ----------------------------------------------------------------------------- */

static void say(lessonview *v, bool error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void say(lessonview *v, bool error, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    tui_message(v->app, error, "%s", text);
}

static void turn_page(lessonview *v, int direction)
{
    pv_error err;
    pv_error_clear(&err);
    bool ok = direction > 0 ? lesson_player_next_page(&v->player, &err)
                            : lesson_player_prev_page(&v->player, &err);
    if (!ok) {
        if (err.status != PV_OK)
            say(v, true, "%s: %s", err.subject, err.message);
        else if (direction > 0)
            say(v, false, "this is the last page; q quits");
        else
            say(v, false, "this is the first page");
        return;
    }
    v->scroll = 0;
}

/* Scroll so that the open question is on screen. */
static void show_question(lessonview *v)
{
    if (v->question_line < 0 || v->prose_height <= 0)
        return;
    if (v->question_line < v->scroll || v->question_line >= v->scroll + v->prose_height - 3)
        v->scroll = v->question_line - 1 > 0 ? v->question_line - 1 : 0;
}

/* The answer prompt's line: NULL when it was cancelled. */
static void answer_done(void *ctx, const char *line)
{
    lessonview *v = ctx;
    lesson_question_progress *q = v->asked;
    v->asked = NULL;
    if (line == NULL) {
        say(v, false, "answer cancelled");
        return;
    }
    if (q == NULL || line[0] == '\0')
        return;
    lesson_verdict verdict = lesson_player_answer(&v->player, q, line);
    switch (verdict) {
    case LESSON_RIGHT:
        say(v, false, "%s", q->feedback);
        break;
    case LESSON_WRONG:
        if (q->state == LESSON_Q_REVEALED)
            say(v, true, "%s The answer is %s.", q->feedback, q->answer->answer);
        else
            say(v, true, "%s Try again with a, or s to see the answer.", q->feedback);
        break;
    case LESSON_CLOSE:
    case LESSON_UNREADABLE:
        say(v, true, "%s", q->feedback);
        break;
    }
}


unsigned lessonview_hides(void *ctx, const tensor *input, const tensor *output, size_t index,
                          char *why, size_t why_size)
{
    const lessonview *v = ctx;
    const lesson_player *p = &v->player;
    if (!p->have_result || index >= output->count)
        return 0;
    unsigned secret = lesson_secrets_of(&p->secrets, false, index);
    const tensor *out = p->result.output;
    if (secret == 0 || out->count != output->count || !tensor_equal(input, p->result.input))
        return 0;
    double x = tensor_get(output, index), y = tensor_get(out, index);
    if (!(x == y || (isnan(x) && isnan(y))))
        return 0;
    if (why != NULL)
        snprintf(why, why_size, "question %zu asks for this: Esc, then answer it with a",
                 lesson_secrets_asker(&p->secrets, false, index));
    return ((secret & LESSON_HIDE_VALUE) ? STEPPER_HIDE_VALUE : 0u) |
           ((secret & LESSON_HIDE_WINNER) ? STEPPER_HIDE_WINNER : 0u);
}

/* ':' on a lesson page: the demo's input and settings in the stepper, the
 * command line open on them; Esc comes back (tui.c).  Not while a question
 * asks for what any settings would show (the output's size, how many cells
 * differ). */
static void try_settings(lessonview *v, bool picture)
{
    const lesson_player *p = &v->player;
    const lesson_block *b = lesson_player_current_demo(p);
    if (!p->have_result || b == NULL) {
        say(v, false, "this page has no demo to try settings on; ] turns the page");
        return;
    }
    if (!lesson_player_size_visible(p)) {
        say(v, false, "question %zu asks for the output's size: answer it first (a)",
            p->secrets.size_question);
        return;
    }
    if (b->demo == LESSON_DEMO_COMPARE && !lesson_player_differ_visible(p)) {
        say(v, false, "a question asks how many cells differ: answer it first (a)");
        return;
    }
    const lesson_input *in = &p->lesson->inputs[b->input];
    pv_error err;
    pv_error_clear(&err);
    if (tui_try_input(v->app, p->result.input, in->name[0] ? in->name : "A", &b->params,
                      &err) != PV_OK) {
        say(v, true, "%s%s%s", err.subject, err.subject[0] ? ": " : "", err.message);
        return;
    }
    if (picture)
        tui_set_screen(v->app, &picture_screen);
    else
        tui_open_command_line(v->app);
}

/* + - 0 on a picture demo: zoom in to the same-scale crop and beyond, out,
 * back to the whole picture. */
static void zoom_picture(lessonview *v, int key)
{
    const lesson_block *b = lesson_player_current_demo(&v->player);
    stepper *st = b != NULL && b->demo != LESSON_DEMO_COMPARE ? demo_stepper(v) : NULL;
    if (st == NULL || !picture_wanted(st)) {
        say(v, false, "+ and - zoom a picture demo; this one is numbers");
        return;
    }
    if (key == '0')
        v->zoom = 0;
    else if (key == '+' || key == '=')
        v->zoom = v->zoom < 4 ? v->zoom + 1 : 4;
    else
        v->zoom = v->zoom > 0 ? v->zoom - 1 : 0;
    if (v->zoom == 0)
        say(v, false, "the whole picture, input and output shrunk alike (+ zooms in)");
    else
        say(v, false, "same pixel scale %d:1 around the region (- zooms out, 0 the whole)",
            1 << (v->zoom - 1));
}

static void lesson_key(tui_app *app, int key)
{
    lessonview *v = app->lesson;
    v->app = app;
    lesson_player *p = &v->player;
    if (v->help) {
        v->help = false;
        return;
    }
    pv_error err;
    pv_error_clear(&err);
    switch (key) {
    case KEY_NPAGE:
    case ']':
    case '\n':
    case '\r':
    case KEY_ENTER:
        turn_page(v, 1);
        break;
    case KEY_PPAGE:
    case '[':
        turn_page(v, -1);
        break;
    case 'n':
    case ' ':
    case KEY_RIGHT:
        if (!p->have_result)
            say(v, false, "this page has no demo; ] turns the page");
        else if (lesson_player_step_next(p))
            break;
        else if (!lesson_player_size_visible(p))
            say(v, false, "this is the last region");
        else
            say(v, false, "this is the last region (%zu/%zu)", p->step + 1,
                lesson_player_step_count(p));
        break;
    case 'p':
    case KEY_LEFT:
        if (p->have_result && !lesson_player_step_prev(p))
            say(v, false, "this is the first region");
        break;
    case KEY_HOME:
        lesson_player_step_goto(p, 0);
        break;
    case KEY_END:
        if (p->have_result)
            lesson_player_step_goto(p, lesson_player_step_count(p) - 1);
        break;
    case '\t':
    case KEY_BTAB:
        if (!lesson_player_cycle_demo(p, key == '\t' ? 1 : -1, &err))
            say(v, err.status != PV_OK, "%s",
                err.status != PV_OK ? err.message : "this page has one demo at most");
        break;
    case 'a': {
        lesson_question_progress *q = lesson_player_open_question(p);
        if (q == NULL) {
            say(v, false, "no open question on this page");
            break;
        }
        v->asked = q;
        show_question(v);
        char prompt[64];
        snprintf(prompt, sizeof prompt, "answer to question %zu: ",
                 (size_t)(q - p->questions) + 1);
        tui_prompt(app, prompt, answer_done, v);
        break;
    }
    case 's': {
        lesson_question_progress *q = lesson_player_open_question(p);
        if (q == NULL) {
            say(v, false, "no open question on this page");
            break;
        }
        lesson_player_reveal(p, q);
        say(v, false, "%s", q->feedback);
        break;
    }
    case ':':
        try_settings(v, false);
        break;
    case 'v':   /* the demo as pictures, in colour where the terminal has it */
        try_settings(v, true);
        break;
    case '+':
    case '=':
    case '-':
    case '_':
    case '0':
        zoom_picture(v, key);
        break;
    case KEY_UP:
    case 'k':
        v->scroll--;
        break;
    case KEY_DOWN:
    case 'j':
        v->scroll++;
        break;
    case '?':
        v->help = true;
        break;
    case 'q':
        if (app->lesson_quits) {
            app->quit = true;
        } else {    /* opened from the stepper (:lesson): back to it */
            app->lesson = NULL;
            app->screen = &stepper_screen;
            stepper_set_hidden(app->stepper, NULL, NULL);
            lessonview_free(v);
        }
        break;
    default:
        break;
    }
}

const tui_screen lesson_screen = {
    .name = "lesson",
    .draw = lesson_draw,
    .key = lesson_key,
    .hints = "]/[:page\tn/p:step\ta:answer\ts:show answer\t::try settings\tv:picture"
             "\tTab:demo\t?:help\tq:quit",
    .min_cols = MIN_COLS,
    .min_rows = MIN_ROWS,
};

lessonview *lessonview_new(const lesson *l, bool owned, const lessonview_options *options,
                           pv_error *err)
{
    lessonview *v = pv_calloc(1, sizeof *v);
    view_line *lines = pv_calloc(MAX_VIEW_LINES, sizeof *lines);
    if (v == NULL || lines == NULL) {
        pv_free(v);
        pv_free(lines);
        if (owned)
            lesson_free((lesson *)l);
        pv_error_set(err, PV_ERR_NOMEM, "lesson", "out of memory");
        return NULL;
    }
    v->lines = lines;
    if (options != NULL)
        v->options = *options;
    else
        v->options.color = -1;
    v->owned = owned ? l : NULL;
    v->question_line = -1;
    v->st = stepper_new(err);
    if (v->st == NULL) {
        lessonview_free(v);
        return NULL;
    }
    stepper_set_hidden(v->st, player_hides, v);
    if (lesson_player_init(&v->player, l, v->options.first_page, v->options.present, err) !=
        PV_OK) {
        lessonview_free(v);
        return NULL;
    }
    return v;
}

void lessonview_free(lessonview *v)
{
    if (v == NULL)
        return;
    lesson_player_release(&v->player);
    stepper_free(v->st);
    compareview_free(v->cmp);
    if (v->owned != NULL)
        lesson_free((lesson *)v->owned);
    pv_free(v->lines);
    pv_free(v);
}

lessonview *lessonview_open(const char *name, const lessonview_options *options, pv_error *err)
{
    char path[4096];
    if (lesson_find(name, path, sizeof path, err) != PV_OK)
        return NULL;
    lesson *l = lesson_parse_file(path, err);
    if (l == NULL)
        return NULL;
    return lessonview_new(l, true, options, err);
}

int lessonview_run(const lesson *l, const lessonview_options *options, pv_error *err)
{
    pv_error local;
    if (err == NULL)
        err = &local;
    pv_error_clear(err);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        pv_error_set(err, PV_ERR_IO, "terminal",
                     "the lesson player needs a terminal; use 'poolviz lesson --text NAME'");
        return pv_status_exit_code(err->status);
    }
    tui_options o = {
        .color = options != NULL ? options->color : TUI_COLOR_AUTO,
        .lesson = l,
        .lesson_options = options,
    };
    return tui_run(&o, err);
}

int lessonview_run_by_name(const char *name, const lessonview_options *options, pv_error *err)
{
    char path[4096];
    if (lesson_find(name, path, sizeof path, err) != PV_OK)
        return pv_status_exit_code(err->status);
    lesson *l = lesson_parse_file(path, err);
    if (l == NULL)
        return pv_status_exit_code(err->status);
    int code = lessonview_run(l, options, err);
    lesson_free(l);
    return code;
}
