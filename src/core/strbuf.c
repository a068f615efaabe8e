/* strbuf.c - the growable string (see strbuf.h). */
#include "core/strbuf.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void strbuf_init(strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

void strbuf_free(strbuf *sb)
{
    pv_free(sb->data);
    size_t limit = sb->limit;
    strbuf_init(sb);
    sb->limit = limit;
}

void strbuf_clear(strbuf *sb)
{
    sb->len = 0;
    sb->failed = false;
    if (sb->data != NULL)
        sb->data[0] = '\0';
}

/* Make room for extra more bytes plus the NUL. */
static bool reserve(strbuf *sb, size_t extra)
{
    size_t need;
    if (sb->failed || !pv_add_size(sb->len, extra, &need) ||
        (sb->limit != 0 && need > sb->limit) || !pv_add_size(need, 1, &need)) {
        sb->failed = true;
        return false;
    }
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        if (!pv_mul_size(cap, 2, &cap)) {
            sb->failed = true;
            return false;
        }
    char *grown = pv_realloc(sb->data, cap);
    if (grown == NULL) {
        sb->failed = true;
        return false;
    }
    sb->data = grown;
    sb->cap = cap;
    return true;
}

bool strbuf_append_mem(strbuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n))
        return false;
    if (n > 0)
        memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
    return true;
}

bool strbuf_append(strbuf *sb, const char *s)
{
    return strbuf_append_mem(sb, s, strlen(s));
}

bool strbuf_putc(strbuf *sb, char c)
{
    return strbuf_append_mem(sb, &c, 1);
}

bool strbuf_vappendf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    bool ok = false;
    if (n < 0) {
        sb->failed = true;
    } else if (reserve(sb, (size_t)n)) {
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, again);
        sb->len += (size_t)n;
        ok = true;
    }
    va_end(again);
    return ok;
}

bool strbuf_appendf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = strbuf_vappendf(sb, fmt, ap);
    va_end(ap);
    return ok;
}

const char *strbuf_text(const strbuf *sb)
{
    return sb->data != NULL ? sb->data : "";
}
