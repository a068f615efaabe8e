/* numfmt.h - numbers as poolviz prints them, everywhere (text output, the
 * stepper, formulas, lessons, slides, JSON): at most 8 significant digits,
 * as %.8g writes them, so a whole number is written in full up to 8 digits
 * (12345678) and in exponent form past them (1.2345679e+11, 1e+08), like
 * every other value of that size; 0 for both zeros; "nan", "inf", "-inf".
 * At most 15 characters ("-1.2345679e-100").  Independent of the locale's
 * decimal separator. */
#ifndef POOLVIZ_CORE_NUMFMT_H
#define POOLVIZ_CORE_NUMFMT_H

#include <stddef.h>

/* Writes at most size bytes (always NUL-terminated); returns the length. */
size_t pool_format_number(double v, char *buf, size_t size);

/* The longest text pool_format_number writes. */
#define POOL_NUMBER_TEXT_MAX 15

#endif
