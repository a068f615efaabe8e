/* codegen.c - shared pieces of the operators' PyTorch and TensorFlow code
 * (see codegen.h). */
#include "codegen.h"

#include <stdio.h>

#include "numfmt.h"
#include "params.h"
#include "plan.h"

void codegen_pair(char *buf, size_t size, long h, long w)
{
    if (h == w)
        snprintf(buf, size, "%ld", h);
    else
        snprintf(buf, size, "(%ld, %ld)", h, w);
}

void codegen_number(char *buf, size_t size, double v)
{
    pool_format_number(v, buf, size);
}

codegen_window codegen_window_of(const pool_params *p, const pool_plan *plan)
{
    codegen_window w;
    w.kh = p->kernel_h;
    w.kw = p->kernel_w;
    w.sh = p->stride_h > 0 ? p->stride_h : p->kernel_h;
    w.sw = p->stride_w > 0 ? p->stride_w : p->kernel_w;
    w.dh = p->dilation_h;
    w.dw = p->dilation_w;
    w.same = p->padding_mode == PAD_SAME;
    w.ph = p->padding_mode == PAD_EXPLICIT ? p->pad_h : 0;
    w.pw = p->padding_mode == PAD_EXPLICIT ? p->pad_w : 0;
    w.ceil = p->ceil_mode;
    w.pads_known = plan != NULL;
    w.pad_top = plan ? plan->rows.pad_before : 0;
    w.pad_bottom = plan ? plan->rows.pad_after : 0;
    w.pad_left = plan ? plan->cols.pad_before : 0;
    w.pad_right = plan ? plan->cols.pad_after : 0;
    return w;
}

void codegen_torch_window_args(const codegen_window *w, bool with_dilation, char *buf,
                               size_t size)
{
    char k[40], s[40], pd[40], d[40];
    codegen_pair(k, sizeof k, w->kh, w->kw);
    codegen_pair(s, sizeof s, w->sh, w->sw);
    codegen_pair(pd, sizeof pd, w->ph, w->pw);
    codegen_pair(d, sizeof d, w->dh, w->dw);
    snprintf(buf, size, "kernel_size=%s, stride=%s%s%s%s%s%s", k, s,
             w->ph || w->pw ? ", padding=" : "", w->ph || w->pw ? pd : "",
             with_dilation && (w->dh != 1 || w->dw != 1) ? ", dilation=" : "",
             with_dilation && (w->dh != 1 || w->dw != 1) ? d : "",
             w->ceil ? ", ceil_mode=True" : "");
}

bool codegen_torch_same_padding(strbuf *out, const codegen_window *w, const char *fill)
{
    if (!w->same)
        return true;
    if (!w->pads_known) {
        strbuf_append(out, "# PyTorch pooling has no padding='same'; pad x first with F.pad\n"
                           "# (`code NAME` fills in the amounts for a matrix)\n");
        return false;
    }
    strbuf_appendf(out, "x = F.pad(x, (%ld, %ld, %ld, %ld), value=%s)  # padding same\n",
                   w->pad_left, w->pad_right, w->pad_top, w->pad_bottom, fill);
    return true;
}
