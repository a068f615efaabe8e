/* fuzz-pool.h - plan, forward and explain one input, checking that they
 * agree (shared by fuzz-options and fuzz-plan). */
#ifndef POOLVIZ_TESTS_FUZZ_POOL_H
#define POOLVIZ_TESTS_FUZZ_POOL_H

#include <stdbool.h>

#include "core/params.h"
#include "core/tensor.h"

/* Plan params for input; if that works, run pool_forward (fast and
 * reference, with indices when the op has them) and pool_explain on a
 * sample of output cells, and abort on any disagreement or an error
 * without a message.  Returns true if the forward pass succeeded. */
bool fuzz_pool_check(const pool_params *params, const tensor *input);

#endif
