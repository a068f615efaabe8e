/* strbuf.h - the growable string of poolviz.
 *
 * One builder for every text assembled piece by piece: the command
 * language's output (cmd_text is this type), the lesson parser's
 * paragraphs, the TUI's collected messages, a line read from a pipe.
 * Appending never fails loudly: on out of memory, or past the optional
 * limit, the buffer sets `failed` and ignores further text, and the caller
 * checks once at the end.  data is NUL-terminated once anything was
 * appended (NULL before); the buffer owns it (pv_malloc'ed).
 */
#ifndef POOLVIZ_CORE_STRBUF_H
#define POOLVIZ_CORE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
    char *data;
    size_t len, cap;
    size_t limit;   /* 0: none; else the largest len accepted */
    bool failed;
} strbuf;

/* An empty buffer without memory; strbuf_free releases and empties it. */
void strbuf_init(strbuf *sb);
void strbuf_free(strbuf *sb);

/* Forget the text but keep the memory (and clear `failed`). */
void strbuf_clear(strbuf *sb);

/* Append n bytes, a string, one character, or printf-formatted text.
 * Each returns false (and sets `failed`) when the text could not be kept. */
bool strbuf_append_mem(strbuf *sb, const char *s, size_t n);
bool strbuf_append(strbuf *sb, const char *s);
bool strbuf_putc(strbuf *sb, char c);
bool strbuf_vappendf(strbuf *sb, const char *fmt, va_list ap);
bool strbuf_appendf(strbuf *sb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The text ("" when nothing was appended); valid until the next append. */
const char *strbuf_text(const strbuf *sb);

#endif
