/* cmdcode.h - `code`: the PyTorch and TensorFlow calls that compute what
 * the current settings compute, or a note where neither library has one. */
#ifndef POOLVIZ_CMD_CMDCODE_H
#define POOLVIZ_CMD_CMDCODE_H

#include "cmd/cmdtext.h"
#include "core/params.h"
#include "core/plan.h"

/* Append the code for params.  plan (may be NULL) is the plan for the
 * matrix called name: with it, sizes that depend on the input (same
 * padding, fractional ratios) are filled in. */
void cmd_code_write(cmd_text *t, const pool_params *params, const pool_plan *plan,
                    const char *name);

#endif
