/* cmdtext.h - a growing text buffer for the command language's output.
 *
 * Appending never fails loudly: on out of memory the buffer sets `failed`
 * and ignores further text, and the caller checks once at the end.
 */
#ifndef POOLVIZ_CMD_CMDTEXT_H
#define POOLVIZ_CMD_CMDTEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cmd_text {
    char *data;     /* NUL-terminated once anything was appended; pv_malloc'ed */
    size_t len, cap;
    bool failed;
} cmd_text;

void cmd_text_init(cmd_text *t);
void cmd_text_free(cmd_text *t);
void cmd_text_append(cmd_text *t, const char *s);
void cmd_text_vappend(cmd_text *t, const char *fmt, va_list ap);
void cmd_text_appendf(cmd_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
