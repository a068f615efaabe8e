/* numfmt.h - numbers as poolviz prints them, everywhere (text output,
 * formulas, JSON): integers in [-1e15, 1e15] without a decimal point, other
 * values with at most 8 significant digits (%.8g), "nan", "inf", "-inf".
 * Independent of the locale's decimal separator. */
#ifndef POOLVIZ_CORE_NUMFMT_H
#define POOLVIZ_CORE_NUMFMT_H

#include <stddef.h>

/* Writes at most size bytes (always NUL-terminated); returns the length. */
size_t pool_format_number(double v, char *buf, size_t size);

#endif
