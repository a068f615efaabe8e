#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Replace a locale's decimal comma by a point, in place. */
static void force_decimal_point(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

size_t pool_format_number(double v, char *buf, size_t size)
{
    int n;
    if (size == 0)
        return 0;
    if (isnan(v))
        n = snprintf(buf, size, "nan");
    else if (isinf(v))
        n = snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else if (v == 0)
        n = snprintf(buf, size, "0");
    else
        n = snprintf(buf, size, "%.8g", v);
    force_decimal_point(buf);
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
