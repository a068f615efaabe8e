/* cmdtext.h - the command language's name for poolviz's one growable
 * string (core/strbuf.h): a cmd_text is a strbuf, and these are its
 * functions under the names the command language's modules use. */
#ifndef POOLVIZ_CMD_CMDTEXT_H
#define POOLVIZ_CMD_CMDTEXT_H

#include <stdarg.h>

#include "core/strbuf.h"

typedef strbuf cmd_text;

static inline void cmd_text_init(cmd_text *t)
{
    strbuf_init(t);
}

static inline void cmd_text_free(cmd_text *t)
{
    strbuf_free(t);
}

static inline void cmd_text_append(cmd_text *t, const char *s)
{
    strbuf_append(t, s);
}

static inline void cmd_text_vappend(cmd_text *t, const char *fmt, va_list ap)
{
    strbuf_vappendf(t, fmt, ap);
}

#define cmd_text_appendf strbuf_appendf

#endif
