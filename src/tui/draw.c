#include "tui/draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/quote.h"
#include "tui/glyphs.h"

/* Every text the TUI draws passes here: user strings (file names, lesson
 * text, answers, the command line) are quoted (core/quote.h) so that no
 * control byte reaches the terminal; the program's own text is printable and
 * passes unchanged. */
int draw_text(int y, int x, int width, attr_t attr, const char *raw)
{
    if (y < 0 || y >= LINES || x >= COLS || width <= 0 || raw == NULL)
        return 0;
    char shown[8192];
    quote_str(shown, sizeof shown, raw, 0);
    const char *text = shown;
    if (x < 0) {
        /* Skip the columns left of the screen. */
        size_t skip = glyphs_prefix_bytes(text, (size_t)-x);
        width += x;
        x = 0;
        text += skip;
        if (width <= 0)
            return 0;
    }
    if (width > COLS - x)
        width = COLS - x;
    size_t bytes = glyphs_prefix_bytes(text, (size_t)width);
    if (bytes == 0)
        return 0;
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(attr);
    mvaddnstr(y, x, text, (int)bytes);
    attr_set(old_attr, old_pair, NULL);
    char buf[1024];
    size_t n = bytes < sizeof buf - 1 ? bytes : sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return (int)glyphs_width(buf);
}

int draw_textf(int y, int x, int width, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(y, x, width, attr, buf);
}

int draw_text_right(int y, int x_end, int width, attr_t attr, const char *text)
{
    int w = (int)glyphs_width(text);
    if (w > width)
        w = width;
    return draw_text(y, x_end - w, w, attr, text);
}

void draw_text_centred(int y, int x, int width, attr_t attr, const char *text)
{
    int w = (int)glyphs_width(text);
    if (w > width)
        w = width;
    draw_text(y, x + (width - w) / 2, w, attr, text);
}

void draw_fill(int y, int x, int width, attr_t attr)
{
    if (y < 0 || y >= LINES)
        return;
    if (x < 0) {
        width += x;
        x = 0;
    }
    if (width > COLS - x)
        width = COLS - x;
    if (width <= 0)
        return;
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(attr);
    mvhline(y, x, ' ', width);
    attr_set(old_attr, old_pair, NULL);
}

void draw_box(int y, int x, int h, int w, const char *title)
{
    if (h < 2 || w < 2)
        return;
    const glyphs_table *g = glyphs_current();
    attr_t border = theme_attr(ROLE_BORDER);
    for (int i = 1; i < w - 1; i++) {
        draw_text(y, x + i, 1, border, g->hline);
        draw_text(y + h - 1, x + i, 1, border, g->hline);
    }
    for (int j = 1; j < h - 1; j++) {
        draw_text(y + j, x, 1, border, g->vline);
        draw_text(y + j, x + w - 1, 1, border, g->vline);
    }
    draw_text(y, x, 1, border, g->top_left);
    draw_text(y, x + w - 1, 1, border, g->top_right);
    draw_text(y + h - 1, x, 1, border, g->bottom_left);
    draw_text(y + h - 1, x + w - 1, 1, border, g->bottom_right);
    if (title != NULL && title[0] != '\0' && w > 6) {
        int room = w - 4;
        draw_text(y, x + 1, 1, border, " ");
        int used = draw_text(y, x + 2, room, theme_attr(ROLE_BOX_TITLE), title);
        draw_text(y, x + 2 + used, 1, border, " ");
    }
}

size_t draw_wrap(const char *text, int width,
                 void (*line)(void *ctx, const char *start, size_t len), void *ctx)
{
    size_t count = 0;
    if (width < 1)
        width = 1;
    const char *p = text;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t para = nl ? (size_t)(nl - p) : strlen(p);
        /* Wrapped as it will be shown: quoted (see draw_text). */
        char buf[2048];
        quote_mem(buf, sizeof buf, p, para, 0);
        const char *q = buf;
        do {
            size_t fit = glyphs_prefix_bytes(q, (size_t)width);
            size_t take = fit;
            if (q[fit] != '\0') {
                /* Break at the last space that fits, if there is one. */
                size_t sp = fit;
                while (sp > 0 && q[sp] != ' ')
                    sp--;
                if (sp > 0)
                    take = sp;
                if (take == 0)
                    take = 1;
            }
            if (line)
                line(ctx, q, take);
            count++;
            q += take;
            while (*q == ' ')
                q++;
        } while (*q != '\0');
        p += para;
        if (*p == '\n')
            p++;
    }
    return count;
}
