/* utf8.c - UTF-8 checking (see utf8.h). */
#include "core/utf8.h"

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    uint32_t c, min;
    if (u[0] < 0x80) {
        n = 1, c = u[0], min = 0;
    } else if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        n = 2, c = u[0] & 0x1Fu, min = 0x80;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        n = 3, c = u[0] & 0x0Fu, min = 0x800;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        n = 4, c = u[0] & 0x07u, min = 0x10000;
    } else {
        return 0;       /* a continuation byte, C0/C1 (overlong), F5..FF */
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (u[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    if (cp != NULL)
        *cp = c;
    return n;
}

size_t utf8_invalid_at(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_decode(s + i, len - i, NULL);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}
