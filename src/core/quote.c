/* quote.c - user strings made safe for a terminal (the form is in quote.h). */
#include "quote.h"

#include <string.h>

#include "alloc.h"
#include "utf8.h"

/* Code points above ASCII that a terminal must not receive raw. */
static bool hidden_code_point(unsigned long cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x2028 || cp == 0x2029;
}

static size_t put_hex(char *out, unsigned char byte)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = digits[byte >> 4];
    out[3] = digits[byte & 0x0f];
    return 4;
}

size_t quote_step(const char *src, size_t len, unsigned flags,
                  char piece[QUOTE_PIECE_MAX + 1], size_t *piece_len)
{
    const unsigned char *s = (const unsigned char *)src;
    uint32_t cp = 0;
    size_t taken = utf8_decode(src, len, &cp);
    size_t n = 0;
    if (taken == 0) {
        taken = 1;
        n = put_hex(piece, s[0]);
    } else if (taken == 1 && cp >= 0x20 && cp != 0x7f) {
        piece[n++] = (char)cp;
    } else if (taken == 1) {
        static const char named[] = "\a" "a" "\b" "b" "\t" "t" "\n" "n" "\v" "v"
                                    "\f" "f" "\r" "r" "\033" "e";
        const char *hit = NULL;
        for (const char *p = named; *p; p += 2)
            if ((unsigned char)*p == cp) {
                hit = p;
                break;
            }
        if ((cp == '\n' || cp == '\t') && (flags & QUOTE_KEEP_LINES)) {
            piece[n++] = (char)cp;
        } else if (hit != NULL) {
            piece[n++] = '\\';
            piece[n++] = hit[1];
        } else {
            n = put_hex(piece, (unsigned char)cp);
        }
    } else if (hidden_code_point(cp)) {
        for (size_t i = 0; i < taken; i++)
            n += put_hex(piece + n, s[i]);
    } else {
        memcpy(piece, s, taken);
        n = taken;
    }
    piece[n] = '\0';
    *piece_len = n;
    return taken;
}

size_t quote_mem(char *dst, size_t size, const char *src, size_t len, unsigned flags)
{
    size_t need = 0;
    bool room = size > 0;
    for (size_t pos = 0; pos < len;) {
        char piece[QUOTE_PIECE_MAX + 1];
        size_t piece_len;
        pos += quote_step(src + pos, len - pos, flags, piece, &piece_len);
        if (room && need + piece_len < size)
            memcpy(dst + need, piece, piece_len);
        else if (room) {
            dst[need] = '\0';
            room = false;
        }
        need += piece_len;
    }
    if (room)
        dst[need] = '\0';
    return need;
}

size_t quote_str(char *dst, size_t size, const char *src, unsigned flags)
{
    return quote_mem(dst, size, src, strlen(src), flags);
}

bool quote_needed(const char *src, size_t len, unsigned flags)
{
    for (size_t pos = 0; pos < len;) {
        char piece[QUOTE_PIECE_MAX + 1];
        size_t piece_len;
        size_t taken = quote_step(src + pos, len - pos, flags, piece, &piece_len);
        if (piece_len != taken || memcmp(piece, src + pos, taken) != 0)
            return true;
        pos += taken;
    }
    return false;
}

char *quote_dup(const char *src, unsigned flags)
{
    size_t len = strlen(src);
    size_t need = quote_mem(NULL, 0, src, len, flags);
    size_t size;
    if (!pv_add_size(need, 1, &size))
        return NULL;
    char *out = pv_malloc(size);
    if (out != NULL)
        quote_mem(out, size, src, len, flags);
    return out;
}
