/* error.h - status codes and the error record filled by every fallible call.
 *
 * The core never prints and never exits: a function that can fail returns a
 * pv_status and, when it fails, fills the caller's pv_error with a SUBJECT
 * (an option name such as "--kernel", a "file:line:col", a command line
 * number) and a REASON.  The front ends print it as
 *   poolviz: error: SUBJECT: REASON
 * and map the status to an exit code with pv_status_exit_code().
 */
#ifndef POOLVIZ_CORE_ERROR_H
#define POOLVIZ_CORE_ERROR_H

#include <stddef.h>

typedef enum pv_status {
    PV_OK = 0,
    PV_ERR_DATA,        /* bad data: malformed matrix, values an op cannot take */
    PV_ERR_USAGE,       /* bad usage: unknown option, invalid parameter */
    PV_ERR_NOMEM,       /* an allocation failed */
    PV_ERR_IO,          /* a file could not be read or written */
    PV_ERR_LIMIT,       /* a size limit was exceeded (data: exit 1) */
    PV_ERR_INTERRUPTED  /* the user asked to stop (Ctrl-C) */
} pv_status;

typedef struct pv_error {
    pv_status status;
    char subject[160];
    char message[400];
} pv_error;

/* Fill err (which may be NULL) and return status.  fmt is printf-style. */
pv_status pv_error_set(pv_error *err, pv_status status, const char *subject,
                       const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Replace the subject of an already filled error (e.g. a parser's "line 3:4"
 * becomes "data.txt:3:4").  Keeps the message. */
void pv_error_prefix_subject(pv_error *err, const char *prefix);

/* Reset to PV_OK with empty texts. */
void pv_error_clear(pv_error *err);

/* Exit code for a status: 0 ok, 1 data/io/limit/memory, 2 usage, 130 interrupted. */
int pv_status_exit_code(pv_status status);

#endif
