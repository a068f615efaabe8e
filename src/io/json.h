/* json.h - tensors as JSON: {"shape":[2,2],"dtype":"float64","data":[[6,8],[14,16]]}
 *
 * data is nested lists in C order; numbers are written by pool_format_number
 * (at most 8 significant digits), NaN as null and ±infinity as ±1e999 (which
 * JSON readers such as Python's parse back as infinity).
 */
#ifndef POOLVIZ_IO_JSON_H
#define POOLVIZ_IO_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "core/tensor.h"
#include "io/ioarray.h"

/* Write a as one line of JSON and a newline.  PV_ERR_IO on a write error,
 * PV_ERR_INTERRUPTED when pool_cancel_requested is set. */
pv_status json_write(FILE *out, const ioarray *a, const char *subject, pv_error *err);

/* Read the object json_write writes (keys in any order; "shape" and "dtype"
 * optional, other keys ignored).  "dtype":"float32" gives a float32 tensor,
 * anything else float64; null reads as NaN.  Errors name SUBJECT:LINE:COL. */
tensor *json_parse(const char *text, size_t len, const char *subject, pv_error *err);

#endif
