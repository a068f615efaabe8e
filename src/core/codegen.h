/* codegen.h - the pieces of PyTorch and TensorFlow code that every
 * operator's code hook (ops.h, pool_op_code) shares: the window's settings,
 * numbers and pairs as Python spells them, PyTorch's window arguments and
 * the padding PyTorch cannot express.  The `code` command (cmd/cmdcode.c)
 * puts the hooks' lines together; the operators' own lines live in their
 * table entries. */
#ifndef POOLVIZ_CORE_CODEGEN_H
#define POOLVIZ_CORE_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct pool_params;
struct pool_plan;

/* A sliding window's settings, the stride resolved and, where a plan is
 * known, the amounts of same padding. */
typedef struct codegen_window {
    int kh, kw, sh, sw, dh, dw, ph, pw;
    bool same, ceil;
    long pad_top, pad_bottom, pad_left, pad_right;   /* same: from the plan */
    bool pads_known;
} codegen_window;

/* What a code hook reads: the settings, the window (windowed operators),
 * the plan of the named matrix (NULL without one), and the line that turns
 * the matrix into TensorFlow's x, which hooks that write all of their
 * library's code append themselves where it belongs. */
typedef struct codegen_ctx {
    const struct pool_params *params;
    const codegen_window *window;
    const struct pool_plan *plan;
    const char *tf_input;
    strbuf *out;
} codegen_ctx;

/* The window of params (plan may be NULL). */
codegen_window codegen_window_of(const struct pool_params *params,
                                 const struct pool_plan *plan);

/* "3", or "(3, 2)" when h and w differ. */
void codegen_pair(char *buf, size_t size, long h, long w);

/* A number as poolviz prints it ("0.5", "inf"). */
void codegen_number(char *buf, size_t size, double v);

/* "kernel_size=..., stride=...[, padding=...][, dilation=...][, ceil_mode=True]" */
void codegen_torch_window_args(const codegen_window *w, bool with_dilation, char *buf,
                               size_t size);

/* PyTorch pooling has no padding="same": a line padding x with fill first.
 * Returns false (after a note) when the amounts depend on an input that
 * is not known. */
bool codegen_torch_same_padding(strbuf *out, const codegen_window *w, const char *fill);

#endif
