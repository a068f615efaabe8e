#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

pv_status pv_error_set(pv_error *err, pv_status status, const char *subject,
                       const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    snprintf(err->subject, sizeof err->subject, "%s", subject ? subject : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void pv_error_prefix_subject(pv_error *err, const char *prefix)
{
    if (err == NULL || prefix == NULL || prefix[0] == '\0')
        return;
    char joined[2 * sizeof err->subject + 2];
    if (err->subject[0] != '\0')
        snprintf(joined, sizeof joined, "%s:%s", prefix, err->subject);
    else
        snprintf(joined, sizeof joined, "%s", prefix);
    snprintf(err->subject, sizeof err->subject, "%.*s", (int)sizeof err->subject - 1, joined);
}

void pv_error_clear(pv_error *err)
{
    if (err == NULL)
        return;
    err->status = PV_OK;
    err->subject[0] = '\0';
    err->message[0] = '\0';
}

int pv_status_exit_code(pv_status status)
{
    switch (status) {
    case PV_OK:
        return 0;
    case PV_ERR_USAGE:
        return 2;
    case PV_ERR_INTERRUPTED:
        return 130;
    case PV_ERR_DATA:
    case PV_ERR_NOMEM:
    case PV_ERR_IO:
    case PV_ERR_LIMIT:
        break;
    }
    return 1;
}
