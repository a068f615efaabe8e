/* cmdcompare.h - `compare A max avg min`: one input pooled by two to four
 * operators, side by side.
 *
 * Every value comes from the core (pool_plan_create and pool_forward with
 * the given settings, only the operator changed); this module lays the
 * outputs out as text.  Small outputs sit next to each other under their
 * operator's name, with the cells where they differ counted; outputs too
 * wide for that follow each other; outputs too big to read as numbers (a
 * picture) are summarised (shape, range, mean).
 */
#ifndef POOLVIZ_CMD_CMDCOMPARE_H
#define POOLVIZ_CMD_CMDCOMPARE_H

#include <stddef.h>

#include "cmd/cmdtext.h"
#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"

#define CMD_COMPARE_MIN 2
#define CMD_COMPARE_MAX 4

/* Append to out the comparison of input (named name) pooled with base's
 * settings by each of ops[0 .. count).  count must be CMD_COMPARE_MIN to
 * CMD_COMPARE_MAX.  Errors: the core's (subject "compare OP" naming the
 * operator that refused), PV_ERR_NOMEM. */
pv_status cmd_compare_text(const char *name, const tensor *input, const pool_params *base,
                           const pool_op *ops, size_t count, cmd_text *out, pv_error *err);

#endif
