#include "tui/glyphs.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "core/quote.h"

static const glyphs_table utf8_table = {
    .utf8 = true,
    .hline = "\u2500", .vline = "\u2502",
    .top_left = "\u250c", .top_right = "\u2510",
    .bottom_left = "\u2514", .bottom_right = "\u2518",
    .tee_left = "\u2524", .tee_right = "\u251c",
    .pending = "\u00b7", .hole = "\u00b7", .outside = "\u2205",
    .bar_full = "\u2588", .bar_empty = "\u2591",
    .arrow = "\u2192", .times = "\u00d7", .ellipsis = "\u2026",
    .play = "\u25b6",
    .up = "\u25b2", .down = "\u25bc", .left = "\u25c0", .right = "\u25b6",
    .bullet = "\u00b7", .block = "\u2588",
    .sum = "\u03a3", .squared = "\u00b2",
};

static const glyphs_table ascii_table = {
    .utf8 = false,
    .hline = "-", .vline = "|",
    .top_left = "+", .top_right = "+",
    .bottom_left = "+", .bottom_right = "+",
    .tee_left = "|", .tee_right = "|",
    .pending = ".", .hole = ".", .outside = "x",
    .bar_full = "#", .bar_empty = "-",
    .arrow = "->", .times = "x", .ellipsis = "...",
    .play = ">",
    .up = "^", .down = "v", .left = "<", .right = ">",
    .bullet = ".", .block = "#",
    .sum = "sum", .squared = "^2",
};

static const glyphs_table *current = &ascii_table;

bool glyphs_locale_is_utf8(void)
{
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL &&
           (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
}

void glyphs_init(void)
{
    current = glyphs_locale_is_utf8() ? &utf8_table : &ascii_table;
}

void glyphs_use(bool utf8)
{
    current = utf8 ? &utf8_table : &ascii_table;
}

const glyphs_table *glyphs_current(void)
{
    return current;
}

/* Decode one UTF-8 sequence; returns its length (1 for a stray byte). */
static size_t decode(const unsigned char *s, unsigned long *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
    if (len == 1) {
        *cp = 0xfffd;
        return 1;
    }
    unsigned long v = s[0] & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

static size_t codepoint_width(unsigned long cp)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp != 0x7f ? 1 : 0;
    int w = wcwidth((wchar_t)cp);
    if (w >= 0)
        return (size_t)w;
    return 1;
}

size_t glyphs_width(const char *s)
{
    /* The width of the text as draw_text shows it: quoted. */
    size_t width = 0, len = strlen(s);
    for (size_t pos = 0; pos < len;) {
        char piece[QUOTE_PIECE_MAX + 1];
        size_t n;
        pos += quote_step(s + pos, len - pos, 0, piece, &n);
        const unsigned char *p = (const unsigned char *)piece;
        while (*p) {
            unsigned long cp;
            p += decode(p, &cp);
            width += codepoint_width(cp);
        }
    }
    return width;
}

size_t glyphs_prefix_bytes(const char *s, size_t cols)
{
    size_t width = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long cp;
        size_t len = decode(p, &cp);
        size_t w = codepoint_width(cp);
        if (width + w > cols)
            break;
        width += w;
        p += len;
    }
    return (size_t)(p - (const unsigned char *)s);
}
