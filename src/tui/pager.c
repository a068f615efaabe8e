#include "tui/pager.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "core/alloc.h"
#include "tui/draw.h"
#include "tui/glyphs.h"
#include "tui/theme.h"

static char *text;          /* owned copy */
static char title[128];
static int top;             /* first wrapped line shown */
static int line_count;      /* wrapped lines at the last draw */
static int visible;         /* lines that fit at the last draw */

void pager_release(void)
{
    pv_free(text);
    text = NULL;
}

void pager_show(tui_app *app, const char *heading, const char *body)
{
    if (body == NULL || body[0] == '\0')
        return;
    char *copy = pv_strdup(body);
    if (copy == NULL) {
        tui_message(app, true, "out of memory showing the output");
        return;
    }
    pv_free(text);
    text = copy;
    /* Drop the final newline: it is not a line of its own. */
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';
    snprintf(title, sizeof title, "%s", heading ? heading : "output");
    top = 0;
    if (app->screen != &pager_screen)
        tui_set_screen(app, &pager_screen);
}

typedef struct draw_ctx {
    int y0, x, width, first, last, index;
} draw_ctx;

static void draw_line(void *ctx, const char *start, size_t len)
{
    draw_ctx *d = ctx;
    if (d->index >= d->first && d->index < d->last) {
        char buf[2048];
        if (len > sizeof buf - 1)
            len = sizeof buf - 1;
        memcpy(buf, start, len);
        buf[len] = '\0';
        draw_text(d->y0 + d->index - d->first, d->x, d->width, theme_attr(ROLE_FORMULA_TEXT),
                  buf);
    }
    d->index++;
}

static void pager_draw(tui_app *app)
{
    if (app->under != NULL && app->under->draw != NULL)
        app->under->draw(app);
    if (text == NULL)
        return;
    int width = COLS - 4;
    line_count = (int)draw_wrap(text, width, NULL, NULL);
    int max_h = LINES - 3;
    int h = line_count + 2 < max_h ? line_count + 2 : max_h;
    if (h < 3)
        h = 3;
    visible = h - 2;
    if (top > line_count - visible)
        top = line_count - visible;
    if (top < 0)
        top = 0;
    int y = LINES - 2 - h;
    if (y < 0)
        y = 0;
    for (int i = 0; i < h; i++)
        draw_fill(y + i, 0, COLS, theme_attr(ROLE_NORMAL));
    draw_box(y, 0, h, COLS, title);
    draw_ctx d = {y + 1, 2, width, top, top + visible, 0};
    draw_wrap(text, width, draw_line, &d);
    const glyphs_table *g = glyphs_current();
    if (top > 0)
        draw_text(y, COLS - 4, 1, theme_attr(ROLE_BOX_TITLE), g->up);
    if (top + visible < line_count) {
        char more[64];
        snprintf(more, sizeof more, " %d more lines %s ", line_count - top - visible, g->down);
        draw_text_right(y + h - 1, COLS - 2, COLS - 4, theme_attr(ROLE_BOX_TITLE), more);
    }
}

static void pager_key(tui_app *app, int key)
{
    bool scrollable = line_count > visible;
    switch (key) {
    case 'j':
    case KEY_DOWN:
        top++;
        return;
    case 'k':
    case KEY_UP:
        top--;
        return;
    case KEY_NPAGE:
        top += visible > 1 ? visible - 1 : 1;
        return;
    case KEY_PPAGE:
        top -= visible > 1 ? visible - 1 : 1;
        return;
    case ' ':
        if (scrollable && top + visible < line_count) {
            top += visible > 1 ? visible - 1 : 1;
            return;
        }
        break;
    case 'q':
    case 27:
    case '\n':
    case '\r':
    case KEY_ENTER:
        tui_close_overlay(app);
        return;
    default:
        break;
    }
    /* Not a pager key: close and let the screen underneath have it. */
    tui_close_overlay(app);
    if (app->screen != NULL && app->screen->key != NULL)
        app->screen->key(app, key);
}

const tui_screen pager_screen = {
    .name = "pager",
    .draw = pager_draw,
    .key = pager_key,
    .tick = NULL,
    .hints = "j/k:scroll\tq/Enter:close\tn:next step",
    .overlay = true,
};
