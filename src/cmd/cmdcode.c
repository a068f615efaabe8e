/* cmdcode.c - PyTorch and TensorFlow equivalents of the settings (see
 * cmdcode.h).  PyTorch reads x as N x C x H x W, TensorFlow as N x H x W x C.
 * The operators' own lines come from their table entries (core/ops.h,
 * pool_op_code); this file puts them together and says where a library has
 * no equivalent. */
#include "config.h"

#include "cmd/cmdcode.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/codegen.h"

/* How to turn the matrix into x for each library. */
static void input_hint(cmd_text *t, const pool_plan *plan, const char *name, bool torch)
{
    if (plan == NULL || name == NULL) {
        cmd_text_appendf(t, "# x: N x %s\n", torch ? "C x H x W" : "H x W x C");
        return;
    }
    char shape[96];
    tensor_format_shape(plan->in_rank, plan->in_dims, shape, sizeof shape);
    switch (plan->in_rank) {
    case 1:
    case 2:
        if (torch)
            cmd_text_appendf(t, "x = torch.tensor(%s).reshape(1, 1, %zu, %zu)  # %s is %s\n",
                             name, plan->h, plan->w, name, shape);
        else
            cmd_text_appendf(t, "x = tf.reshape(tf.constant(%s), [1, %zu, %zu, 1])  # %s is %s\n",
                             name, plan->h, plan->w, name, shape);
        break;
    case 3:
        if (torch)
            cmd_text_appendf(t, "x = torch.tensor(%s)[None]  # %s is C x H x W = %s\n", name,
                             name, shape);
        else
            cmd_text_appendf(t, "x = tf.transpose(tf.constant(%s), [1, 2, 0])[None]  # %s is "
                                "C x H x W = %s\n", name, name, shape);
        break;
    default:
        if (torch)
            cmd_text_appendf(t, "x = torch.tensor(%s)  # %s is N x C x H x W = %s\n", name,
                             name, shape);
        else
            cmd_text_appendf(t, "x = tf.transpose(tf.constant(%s), [0, 2, 3, 1])  # %s is "
                                "N x C x H x W = %s\n", name, name, shape);
        break;
    }
}

void cmd_code_write(cmd_text *t, const pool_params *p, const pool_plan *plan,
                    const char *name)
{
    const codegen_window w = codegen_window_of(p, plan);
    const pool_op_code *code = &pool_op_info_of(p->op)->code;
    const char *op = pool_op_name(p->op);
    const bool windowed = pool_op_is_windowed(p->op);
    strbuf tf_input;
    strbuf_init(&tf_input);
    input_hint(&tf_input, plan, name, false);
    const codegen_ctx cx = {p, &w, plan, strbuf_text(&tf_input), t};

    cmd_text_append(t, "# PyTorch\nimport torch\nimport torch.nn.functional as F\n");
    input_hint(t, plan, name, true);
    if (windowed && p->global) {
        if (code->torch_global != NULL)
            code->torch_global(&cx);
    } else if (windowed && p->adaptive_h > 0) {
        if (code->torch_adaptive != NULL)
            code->torch_adaptive(&cx);
        else
            cmd_text_appendf(t, "# PyTorch has no adaptive %s pooling\n", op);
    } else if (code->torch != NULL) {
        code->torch(&cx);
    }

    cmd_text_append(t, "# TensorFlow\nimport tensorflow as tf\n");
    if (!windowed) {
        if (code->tf != NULL)
            code->tf(&cx);
    } else if (p->adaptive_h > 0 && !p->global) {
        cmd_text_append(t, "# TensorFlow has no adaptive pooling\n");
    } else {
        cmd_text_append(t, cx.tf_input);
        if (p->global) {
            if (code->tf_global != NULL)
                code->tf_global(&cx);
            else
                cmd_text_appendf(t, "# TensorFlow has no global %s pooling builtin\n", op);
        } else if (w.dh != 1 || w.dw != 1 || w.ceil || w.ph || w.pw) {
            cmd_text_append(t, "# TensorFlow: no equivalent (no dilation, ceil mode or "
                               "explicit padding)\n");
        } else if (code->tf != NULL) {
            code->tf(&cx);
        } else {
            cmd_text_appendf(t, "# TensorFlow has no %s pooling\n", op);
        }
    }
    if (tf_input.failed)
        t->failed = true; /* out of memory: the caller reports it */
    strbuf_free(&tf_input);
}
