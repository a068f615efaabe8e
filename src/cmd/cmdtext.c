/* cmdtext.c - the growing text buffer (see cmdtext.h). */
#include "config.h"

#include "cmd/cmdtext.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void cmd_text_init(cmd_text *t)
{
    t->data = NULL;
    t->len = t->cap = 0;
    t->failed = false;
}

void cmd_text_free(cmd_text *t)
{
    pv_free(t->data);
    cmd_text_init(t);
}

/* Make room for extra more bytes plus the NUL. */
static bool reserve(cmd_text *t, size_t extra)
{
    size_t need;
    if (t->failed || !pv_add_size(t->len, extra, &need) || !pv_add_size(need, 1, &need)) {
        t->failed = true;
        return false;
    }
    if (need <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 128;
    while (cap < need)
        if (!pv_mul_size(cap, 2, &cap)) {
            t->failed = true;
            return false;
        }
    char *grown = pv_realloc(t->data, cap);
    if (grown == NULL) {
        t->failed = true;
        return false;
    }
    t->data = grown;
    t->cap = cap;
    return true;
}

void cmd_text_append(cmd_text *t, const char *s)
{
    size_t n = strlen(s);
    if (!reserve(t, n))
        return;
    memcpy(t->data + t->len, s, n + 1);
    t->len += n;
}

void cmd_text_vappend(cmd_text *t, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        t->failed = true;
    } else if (reserve(t, (size_t)n)) {
        vsnprintf(t->data + t->len, (size_t)n + 1, fmt, again);
        t->len += (size_t)n;
    }
    va_end(again);
}

void cmd_text_appendf(cmd_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cmd_text_vappend(t, fmt, ap);
    va_end(ap);
}
