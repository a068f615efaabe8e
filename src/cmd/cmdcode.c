/* cmdcode.c - PyTorch and TensorFlow equivalents of the settings (see
 * cmdcode.h).  PyTorch reads x as N x C x H x W, TensorFlow as N x H x W x C. */
#include "config.h"

#include "cmd/cmdcode.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/numfmt.h"

typedef struct code_window {
    int kh, kw, sh, sw, dh, dw, ph, pw;
    bool same, ceil;
    long pad_top, pad_bottom, pad_left, pad_right;   /* same: from the plan */
    bool pads_known;
} code_window;

static void pair(char *buf, size_t size, long h, long w)
{
    if (h == w)
        snprintf(buf, size, "%ld", h);
    else
        snprintf(buf, size, "(%ld, %ld)", h, w);
}

static void number(char *buf, size_t size, double v)
{
    pool_format_number(v, buf, size);
}

static code_window window_of(const pool_params *p, const pool_plan *plan)
{
    code_window w;
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

/* kernel_size=..., stride=...[, padding=...][, dilation=...][, ceil_mode=True] */
static void torch_window_args(const code_window *w, bool with_dilation, char *buf,
                              size_t size)
{
    char k[40], s[40], pd[40], d[40];
    pair(k, sizeof k, w->kh, w->kw);
    pair(s, sizeof s, w->sh, w->sw);
    pair(pd, sizeof pd, w->ph, w->pw);
    pair(d, sizeof d, w->dh, w->dw);
    snprintf(buf, size, "kernel_size=%s, stride=%s%s%s%s%s%s", k, s,
             w->ph || w->pw ? ", padding=" : "", w->ph || w->pw ? pd : "",
             with_dilation && (w->dh != 1 || w->dw != 1) ? ", dilation=" : "",
             with_dilation && (w->dh != 1 || w->dw != 1) ? d : "",
             w->ceil ? ", ceil_mode=True" : "");
}

/* PyTorch pooling has no padding="same": pad first.  Returns false (after
 * a note) when the amounts depend on an input we do not have. */
static bool torch_same_padding(cmd_text *t, const code_window *w, const char *fill)
{
    if (!w->same)
        return true;
    if (!w->pads_known) {
        cmd_text_append(t, "# PyTorch pooling has no padding='same'; pad x first with F.pad\n"
                           "# (`code NAME` fills in the amounts for a matrix)\n");
        return false;
    }
    cmd_text_appendf(t, "x = F.pad(x, (%ld, %ld, %ld, %ld), value=%s)  # padding same\n",
                     w->pad_left, w->pad_right, w->pad_top, w->pad_bottom, fill);
    return true;
}

/* softpool, lse, median and mixed have no PyTorch builtin: their
 * definitions over F.unfold's windows (mixed: max_pool2d and avg_pool2d). */
static void torch_from_definition(cmd_text *t, const pool_params *p, const code_window *w)
{
    char a[40], r[40];
    number(a, sizeof a, p->alpha);
    number(r, sizeof r, p->sharpness);
    if (w->same || w->ceil) {
        cmd_text_appendf(t, "# PyTorch has no %s pooling; its definition over F.unfold "
                            "needs explicit padding and no ceil mode\n", pool_op_name(p->op));
        return;
    }
    if (p->op == POOL_MIXED) {
        char args_max[256], args_avg[256], extra[96] = "";
        torch_window_args(w, true, args_max, sizeof args_max);
        torch_window_args(w, false, args_avg, sizeof args_avg);
        if (w->dh != 1 || w->dw != 1) {
            cmd_text_append(t, "# PyTorch's avg_pool2d has no dilation: no direct "
                               "equivalent\n");
            return;
        }
        if (p->divisor != 0)
            snprintf(extra, sizeof extra, ", divisor_override=%ld", p->divisor);
        else if (!p->count_include_pad)
            snprintf(extra, sizeof extra, ", count_include_pad=False");
        cmd_text_appendf(t, "# mixed pooling has no builtin: alpha*max + (1 - alpha)*avg\n"
                            "y = %s * F.max_pool2d(x, %s) + (1 - %s) * F.avg_pool2d(x, %s%s)\n",
                         a, args_max, a, args_avg, extra);
        return;
    }
    const bool padded = w->ph || w->pw;
    cmd_text_appendf(t, "K, S, P, D = (%d, %d), (%d, %d), (%d, %d), (%d, %d)\n"
                        "n, c, h, w = x.shape\n"
                        "oh = (h + 2 * P[0] - D[0] * (K[0] - 1) - 1) // S[0] + 1\n"
                        "ow = (w + 2 * P[1] - D[1] * (K[1] - 1) - 1) // S[1] + 1\n"
                        "u = F.unfold(x, K, dilation=D, padding=P, stride=S).view(n, c, -1, oh * ow)\n",
                     w->kh, w->kw, w->sh, w->sw, w->ph, w->pw, w->dh, w->dw);
    if (padded)
        cmd_text_append(t, "inside = F.unfold(torch.ones_like(x[:, :1]), K, dilation=D, padding=P, "
                           "stride=S).view(1, 1, -1, oh * ow) > 0  # not padding\n");
    switch (p->op) {
    case POOL_SOFTPOOL:
        cmd_text_append(t, "# SoftPool has no PyTorch builtin; softmax weights over each window\n");
        if (padded)
            cmd_text_append(t, "u = u.masked_fill(~inside, float('-inf'))\n");
        cmd_text_append(t, "y = (u.softmax(2) * u.nan_to_num(neginf=0.0)).sum(2).view(n, c, oh, ow)\n");
        break;
    case POOL_LSE:
        cmd_text_append(t, "# log-sum-exp pooling has no PyTorch builtin\n");
        if (padded)
            cmd_text_appendf(t, "u = u.masked_fill(~inside, float('-inf'))\n"
                                "y = ((torch.logsumexp(%s * u, 2) - inside.sum(2).to(u.dtype).log()) / %s)"
                                ".view(n, c, oh, ow)\n", r, r);
        else
            cmd_text_appendf(t, "y = ((torch.logsumexp(%s * u, 2) - math.log(u.shape[2])) / %s)"
                                ".view(n, c, oh, ow)  # import math\n", r, r);
        break;
    case POOL_MEDIAN:
        if (padded)
            cmd_text_append(t, "# nanmedian skips the padding (and a NaN of x, which poolviz "
                               "propagates)\n"
                               "y = u.masked_fill(~inside, float('nan')).nanmedian(2).values"
                               ".view(n, c, oh, ow)\n");
        else
            cmd_text_append(t, "y = u.median(2).values.view(n, c, oh, ow)  # the lower middle\n"
                               "# timm's MedianPool2d gives these numbers without padding (it "
                               "pads by reflection)\n");
        break;
    case POOL_MAX:
    case POOL_MIN:
    case POOL_AVG:
    case POOL_SUM:
    case POOL_L2:
    case POOL_LP:
    case POOL_POWER:
    case POOL_STOCHASTIC:
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_MIXED:
    case POOL_MAXBLUR:
    case POOL_OP_COUNT:
        break;
    }
}

/* maxblur is written out from its definition: max_pool2d at stride 1, the
 * reflect padding, and the binomial filter as a depthwise conv2d. */
static void torch_maxblur(cmd_text *t, const pool_params *p, const code_window *w)
{
    if (!torch_same_padding(t, w, "float('-inf')"))
        return;
    code_window first = *w;
    first.sh = first.sw = 1;
    first.ceil = false;
    char args[256], s[40], coef[64] = "";
    torch_window_args(&first, true, args, sizeof args);
    pair(s, sizeof s, w->sh, w->sw);
    const int f = p->filter;
    double weights[POOL_FILTER_MAX];
    pool_filter_weights(f, weights);
    for (int i = 0, used = 0; i < f && used < (int)sizeof coef; i++)
        used += snprintf(coef + used, sizeof coef - (size_t)used, "%s%g.", i ? ", " : "",
                         ldexp(weights[i], f - 1));
    const int before = (f - 1) / 2, after = f - 1 - before;
    cmd_text_appendf(t, "# anti-aliased max pooling (Zhang 2019): max at stride 1, then a "
                        "binomial blur at the stride\n"
                        "m = F.max_pool2d(x, %s)\n"
                        "a = torch.tensor([%s], dtype=m.dtype)\n"
                        "g = (a[:, None] * a[None, :] / a.sum() ** 2).expand(m.shape[1], 1, %d, %d)\n"
                        "y = F.conv2d(F.pad(m, (%d, %d, %d, %d), mode='reflect'), g, stride=%s, "
                        "groups=m.shape[1])\n",
                     args, coef, f, f, before, after, before, after, s);
    if (!w->same && !w->ph && !w->pw && w->dh == 1 && w->dw == 1) {
        char k[40];
        pair(k, sizeof k, w->kh, w->kw);
        cmd_text_appendf(t, "# the same numbers: nn.Sequential(nn.MaxPool2d(%s, stride=1), "
                            "antialiased_cnns.BlurPool(C, filt_size=%d, stride=%s))\n",
                         k, f, s);
    }
    cmd_text_append(t, "# kornia.filters.max_blur_pool2d pads its blur with zeros, not by "
                       "reflection: its edge values differ\n");
}

static void torch_windowed(cmd_text *t, const pool_params *p, const code_window *w)
{
    char args[256], pw[40];
    bool dilated = w->dh != 1 || w->dw != 1;
    bool padded = w->ph || w->pw || w->same;
    number(pw, sizeof pw, p->p);
    const char *zero = "0.0";
    switch (p->op) {
    case POOL_MAX:
        if (!torch_same_padding(t, w, "float('-inf')"))
            return;
        torch_window_args(w, true, args, sizeof args);
        cmd_text_appendf(t, "y = F.max_pool2d(x, %s)\n", args);
        return;
    case POOL_MIN:
        if (!torch_same_padding(t, w, "float('inf')"))
            return;
        torch_window_args(w, true, args, sizeof args);
        cmd_text_appendf(t, "y = -F.max_pool2d(-x, %s)\n", args);
        return;
    case POOL_AVG:
    case POOL_SUM:
    case POOL_POWER:
    case POOL_L2:
    case POOL_LP:
    case POOL_STOCHASTIC:
        break;
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        return;
    case POOL_SOFTPOOL:
    case POOL_LSE:
    case POOL_MEDIAN:
    case POOL_MIXED:
        torch_from_definition(t, p, w);
        return;
    case POOL_MAXBLUR:
        torch_maxblur(t, p, w);
        return;
    }
    if (dilated) {
        cmd_text_append(t, "# PyTorch's avg_pool2d and lp_pool2d have no dilation: no direct "
                           "equivalent\n");
        return;
    }
    /* poolviz's SAME average, as TensorFlow's, divides by the input cells of
     * each window, whatever count_include_pad says: in PyTorch, a sum over
     * the padded input divided by the count of input cells (a padded ones). */
    bool same_count = w->same && p->divisor == 0 &&
                      pool_op_uses(p->op, OP_USES_DIVISOR) && w->pads_known;
    if (same_count)
        cmd_text_appendf(t, "n = F.pad(torch.ones_like(x), (%ld, %ld, %ld, %ld))  "
                            "# 1 on the input cells: SAME counts only them\n",
                         w->pad_left, w->pad_right, w->pad_top, w->pad_bottom);
    if (!torch_same_padding(t, w, zero))
        return;
    torch_window_args(w, false, args, sizeof args);
    if (same_count) {
        char count[300];
        snprintf(count, sizeof count, "F.avg_pool2d(n, %s, divisor_override=1)", args);
        if (p->op == POOL_AVG)
            cmd_text_appendf(t, "y = F.avg_pool2d(x, %s, divisor_override=1) / %s\n", args,
                             count);
        else if (isinf(p->p))
            cmd_text_appendf(t, "y = F.max_pool2d(x.abs(), %s)\n", args);
        else
            cmd_text_appendf(t, "y = (F.avg_pool2d(x.abs() ** %s, %s, divisor_override=1) / %s)"
                                " ** (1 / %s)\n", pw, args, count, pw);
        return;
    }
    char extra[96] = "";
    if (pool_op_uses(p->op, OP_USES_DIVISOR)) {
        if (p->divisor != 0)
            snprintf(extra, sizeof extra, ", divisor_override=%ld", p->divisor);
        else if (!p->count_include_pad)
            snprintf(extra, sizeof extra, ", count_include_pad=False");
    } else {
        snprintf(extra, sizeof extra, ", divisor_override=1");
    }
    switch (p->op) {
    case POOL_AVG:
        cmd_text_appendf(t, "y = F.avg_pool2d(x, %s%s)\n", args, extra);
        break;
    case POOL_SUM:
        cmd_text_appendf(t, "y = F.avg_pool2d(x, %s%s)  # a sum\n", args, extra);
        break;
    case POOL_L2:
        if (!padded && !w->ceil)
            cmd_text_appendf(t, "y = F.lp_pool2d(x, 2, %s)\n", args);
        else
            cmd_text_appendf(t, "y = F.avg_pool2d(x * x, %s%s).sqrt()\n", args, extra);
        break;
    case POOL_LP:
        if (p->lp_style == LP_STYLE_TORCH)
            cmd_text_appendf(t, "y = F.lp_pool2d(x, %s, %s)  # --lp-style torch: no abs, a "
                                "partial ceil-mode window times KH*KW / its size\n", pw, args);
        else if (isinf(p->p))
            cmd_text_appendf(t, "y = F.max_pool2d(x.abs(), %s)\n", args);
        else if (!padded && !w->ceil)
            cmd_text_appendf(t, "y = F.lp_pool2d(x.abs(), %s, %s)  # abs: PyTorch's lp_pool2d "
                                "has none\n", pw, args);
        else
            cmd_text_appendf(t, "y = F.avg_pool2d(x.abs() ** %s, %s%s) ** (1 / %s)\n", pw, args,
                             extra, pw);
        break;
    case POOL_POWER:
        if (isinf(p->p))
            cmd_text_appendf(t, "y = F.max_pool2d(x.abs(), %s)\n", args);
        else
            cmd_text_appendf(t, "y = F.avg_pool2d(x.abs() ** %s, %s%s) ** (1 / %s)\n", pw, args,
                             extra, pw);
        break;
    case POOL_STOCHASTIC:
        if (p->mode == MODE_EVAL)
            cmd_text_appendf(t, "y = (F.avg_pool2d(x * x, %s%s) / F.avg_pool2d(x, %s%s))"
                                ".nan_to_num()\n", args, extra, args, extra);
        else
            cmd_text_append(t, "# PyTorch has no stochastic pooling (eval mode has a formula: "
                               "set mode eval)\n");
        break;
    case POOL_MAX:
    case POOL_MIN:
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        break;
    case POOL_SOFTPOOL:
    case POOL_LSE:
    case POOL_MEDIAN:
    case POOL_MIXED:
    case POOL_MAXBLUR:
        break;
    }
}

static void torch_global(cmd_text *t, const pool_params *p)
{
    char aa[40], rr[40];
    number(aa, sizeof aa, p->alpha);
    number(rr, sizeof rr, p->sharpness);
    char pw[40];
    number(pw, sizeof pw, p->p);
    const char *dims = "dim=(2, 3), keepdim=True";
    switch (p->op) {
    case POOL_MAX: cmd_text_appendf(t, "y = x.amax(%s)\n", dims); break;
    case POOL_MIN: cmd_text_appendf(t, "y = x.amin(%s)\n", dims); break;
    case POOL_AVG: cmd_text_appendf(t, "y = x.mean(%s)\n", dims); break;
    case POOL_SUM: cmd_text_appendf(t, "y = x.sum(%s)\n", dims); break;
    case POOL_L2: cmd_text_appendf(t, "y = (x * x).sum(%s).sqrt()\n", dims); break;
    case POOL_LP:
        if (p->lp_style == LP_STYLE_TORCH)
            cmd_text_appendf(t, "y = F.lp_pool2d(x, %s, kernel_size=x.shape[2:])  "
                                "# --lp-style torch\n", pw);
        else if (isinf(p->p))
            cmd_text_appendf(t, "y = x.abs().amax(%s)\n", dims);
        else
            cmd_text_appendf(t, "y = (x.abs() ** %s).sum(%s) ** (1 / %s)\n", pw, dims, pw);
        break;
    case POOL_POWER:
        if (isinf(p->p))
            cmd_text_appendf(t, "y = x.abs().amax(%s)\n", dims);
        else
            cmd_text_appendf(t, "y = (x.abs() ** %s).mean(%s) ** (1 / %s)\n", pw, dims, pw);
        break;
    case POOL_STOCHASTIC:
        if (p->mode == MODE_EVAL)
            cmd_text_appendf(t, "y = ((x * x).sum(%s) / x.sum(%s)).nan_to_num()\n", dims, dims);
        else
            cmd_text_append(t, "# PyTorch has no stochastic pooling\n");
        break;
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        break;
    case POOL_SOFTPOOL:
        cmd_text_append(t, "f = x.flatten(2)\n"
                           "y = (f.softmax(2) * f).sum(2)[..., None, None]  # SoftPool: no builtin\n");
        break;
    case POOL_LSE:
        cmd_text_appendf(t, "f = x.flatten(2)\n"
                            "y = ((torch.logsumexp(%s * f, 2) - math.log(f.shape[2])) / %s)"
                            "[..., None, None]  # import math\n", rr, rr);
        break;
    case POOL_MEDIAN:
        cmd_text_append(t, "y = x.flatten(2).median(2).values[..., None, None]\n");
        break;
    case POOL_MAXBLUR:
        cmd_text_appendf(t, "# %s has no global form: its blur runs over a max pool taken at "
                            "stride 1\n", pool_op_name(p->op));
        break;
    case POOL_MIXED:
        cmd_text_appendf(t, "y = %s * x.amax(%s) + (1 - %s) * x.mean(%s)\n", aa, dims, aa, dims);
        break;
    }
}

static void torch_adaptive(cmd_text *t, const pool_params *p)
{
    char aa[40], rr[40];
    number(aa, sizeof aa, p->alpha);
    number(rr, sizeof rr, p->sharpness);
    char out[40], pw[40];
    pair(out, sizeof out, p->adaptive_h, p->adaptive_w);
    number(pw, sizeof pw, p->p);
    switch (p->op) {
    case POOL_MAX: cmd_text_appendf(t, "y = F.adaptive_max_pool2d(x, %s)\n", out); break;
    case POOL_MIN: cmd_text_appendf(t, "y = -F.adaptive_max_pool2d(-x, %s)\n", out); break;
    case POOL_AVG: cmd_text_appendf(t, "y = F.adaptive_avg_pool2d(x, %s)\n", out); break;
    case POOL_POWER:
        if (isinf(p->p))
            cmd_text_appendf(t, "y = F.adaptive_max_pool2d(x.abs(), %s)\n", out);
        else
            cmd_text_appendf(t, "y = F.adaptive_avg_pool2d(x.abs() ** %s, %s) ** (1 / %s)\n", pw,
                             out, pw);
        break;
    case POOL_SUM:
    case POOL_L2:
    case POOL_LP:
    case POOL_STOCHASTIC:
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        cmd_text_appendf(t, "# PyTorch has no adaptive %s pooling\n", pool_op_name(p->op));
        break;
    case POOL_MIXED:
        cmd_text_appendf(t, "y = %s * F.adaptive_max_pool2d(x, %s) + (1 - %s) * "
                            "F.adaptive_avg_pool2d(x, %s)\n", aa, out, aa, out);
        break;
    case POOL_SOFTPOOL:
    case POOL_LSE:
    case POOL_MEDIAN:
        cmd_text_appendf(t, "# PyTorch has no adaptive %s pooling\n", pool_op_name(p->op));
        break;
    case POOL_MAXBLUR:
        cmd_text_appendf(t, "# %s has no adaptive form: its blur runs over a max pool taken "
                            "at stride 1\n", pool_op_name(p->op));
        break;
    }
}

static void torch_other(cmd_text *t, const pool_params *p, const pool_plan *plan)
{
    if (p->op == POOL_FRACTIONAL) {
        if (p->fractional_style == FRACTIONAL_GRAHAM) {
            cmd_text_append(t, "# PyTorch: fractional_max_pool2d has fixed windows (torch "
                               "style)\n");
            return;
        }
        char k[40], size[128];
        pair(k, sizeof k, p->kernel_h, p->kernel_w);
        if (p->output_h > 0) {
            char o[40];
            pair(o, sizeof o, p->output_h, p->output_w);
            snprintf(size, sizeof size, "output_size=%s", o);
        } else if (plan != NULL) {
            char o[40];
            pair(o, sizeof o, (long)plan->rows.out, (long)plan->cols.out);
            snprintf(size, sizeof size, "output_size=%s", o);
        } else {
            char rh[40], rw[40];
            number(rh, sizeof rh, p->ratio_h > 0 ? 1 / p->ratio_h : 1 / sqrt(2.0));
            number(rw, sizeof rw, p->ratio_w > 0 ? 1 / p->ratio_w : 1 / sqrt(2.0));
            snprintf(size, sizeof size, "output_ratio=(%s, %s)", rh, rw);
        }
        if (p->samples_given) {
            char uw[40], uh[40];
            number(uw, sizeof uw, p->sample_w);
            number(uh, sizeof uh, p->sample_h);
            cmd_text_appendf(t, "u = torch.tensor([%s, %s]).expand(x.shape[0], x.shape[1], 2)\n"
                                "y = F.fractional_max_pool2d(x, %s, %s, _random_samples=u)\n",
                             uw, uh, k, size);
        } else if (p->samples != NULL) {
            cmd_text_appendf(t, "y = F.fractional_max_pool2d(x, %s, %s, _random_samples=u)"
                                "  # u: the samples file\n", k, size);
        } else {
            cmd_text_appendf(t, "y = F.fractional_max_pool2d(x, %s, %s)\n"
                                "# PyTorch draws its own samples; set samples UW,UH to get "
                                "the same windows\n", k, size);
        }
    } else if (p->op == POOL_SPP) {
        cmd_text_append(t, "y = torch.cat([F.adaptive_max_pool2d(x, n).flatten(1)\n"
                           "               for n in (");
        for (int i = 0; i < p->level_count; i++)
            cmd_text_appendf(t, "%s%d", i ? ", " : "", p->levels[i]);
        cmd_text_append(t, p->level_count == 1 ? ",)], dim=1)\n" : ")], dim=1)\n");
    } else if (p->op == POOL_BILINEAR) {
        cmd_text_append(t, "f = x.flatten(2)                        # N x C x HW\n"
                           "y = f @ f.transpose(1, 2) / f.shape[2]  # N x C x C\n");
        if (p->signed_sqrt)
            cmd_text_append(t, "y = y.sign() * y.abs().sqrt()\n");
        if (p->l2_normalize)
            cmd_text_append(t, "y = F.normalize(y.flatten(1), dim=1).view_as(y)\n");
    }
}

/* ---- TensorFlow ------------------------------------------------------------ */

static void tf_windowed(cmd_text *t, const pool_params *p, const code_window *w)
{
    if (w->dh != 1 || w->dw != 1 || w->ceil || w->ph || w->pw) {
        cmd_text_append(t, "# TensorFlow: no equivalent (no dilation, ceil mode or explicit "
                           "padding)\n");
        return;
    }
    char k[40], s[40], args[160], kk[40], pw[40];
    pair(k, sizeof k, w->kh, w->kw);
    pair(s, sizeof s, w->sh, w->sw);
    snprintf(kk, sizeof kk, "%d", w->kh * w->kw);
    number(pw, sizeof pw, p->p);
    const char *pad = w->same ? "SAME" : "VALID";
    snprintf(args, sizeof args, "ksize=%s, strides=%s, padding=\"%s\"", k, s, pad);
    /* TensorFlow's SAME average divides by the cells inside the input, as
     * poolviz's SAME does (count_include_pad or not). */
    switch (p->op) {
    case POOL_MAX:
        cmd_text_appendf(t, "y = tf.nn.max_pool2d(x, %s)\n", args);
        return;
    case POOL_MIN:
        cmd_text_appendf(t, "y = -tf.nn.max_pool2d(-x, %s)\n", args);
        return;
    case POOL_AVG:
    case POOL_SUM:
    case POOL_L2:
    case POOL_LP:
    case POOL_POWER:
    case POOL_STOCHASTIC:
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        break;
    case POOL_SOFTPOOL:
    case POOL_LSE:
    case POOL_MEDIAN:
    case POOL_MIXED:
    case POOL_MAXBLUR:
        cmd_text_appendf(t, "# TensorFlow has no %s pooling\n", pool_op_name(p->op));
        return;
    }
    if (p->divisor != 0 && pool_op_uses(p->op, OP_USES_DIVISOR) && !w->same) {
        cmd_text_appendf(t, "y = tf.nn.avg_pool2d(x, %s) * %s / %ld\n", args, kk, p->divisor);
        return;
    }
    bool sum_like = p->op == POOL_SUM || p->op == POOL_L2 || p->op == POOL_LP ||
                    p->op == POOL_STOCHASTIC;
    if ((sum_like && w->same) || (!sum_like && p->divisor != 0)) {
        cmd_text_append(t, "# TensorFlow: no equivalent (its SAME average divides by the "
                           "cells inside)\n");
        return;
    }
    switch (p->op) {
    case POOL_AVG:
        cmd_text_appendf(t, "y = tf.nn.avg_pool2d(x, %s)\n", args);
        break;
    case POOL_SUM:
        cmd_text_appendf(t, "y = tf.nn.avg_pool2d(x, %s) * %s\n", args, kk);
        break;
    case POOL_L2:
        cmd_text_appendf(t, "y = tf.sqrt(tf.nn.avg_pool2d(tf.square(x), %s) * %s)\n", args, kk);
        break;
    case POOL_LP:
        if (isinf(p->p))
            cmd_text_appendf(t, "y = tf.nn.max_pool2d(tf.abs(x), %s)\n", args);
        else
            cmd_text_appendf(t, "y = tf.pow(tf.nn.avg_pool2d(tf.pow(%s, %s), %s) * %s, "
                                "1 / %s)\n", p->lp_style == LP_STYLE_TORCH ? "x" : "tf.abs(x)",
                             pw, args, kk, pw);
        break;
    case POOL_POWER:
        if (isinf(p->p))
            cmd_text_appendf(t, "y = tf.nn.max_pool2d(tf.abs(x), %s)\n", args);
        else
            cmd_text_appendf(t, "y = tf.pow(tf.nn.avg_pool2d(tf.pow(tf.abs(x), %s), %s), "
                                "1 / %s)\n", pw, args, pw);
        break;
    case POOL_STOCHASTIC:
        if (p->mode == MODE_EVAL)
            cmd_text_appendf(t, "y = tf.math.divide_no_nan(tf.nn.avg_pool2d(x * x, %s), "
                                "tf.nn.avg_pool2d(x, %s))\n", args, args);
        else
            cmd_text_append(t, "# TensorFlow has no stochastic pooling\n");
        break;
    case POOL_MAX:
    case POOL_MIN:
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        break;
    case POOL_SOFTPOOL:
    case POOL_LSE:
    case POOL_MEDIAN:
    case POOL_MIXED:
    case POOL_MAXBLUR:
        break;
    }
}

static void tf_global(cmd_text *t, const pool_params *p)
{
    char aa[40], rr[40];
    number(aa, sizeof aa, p->alpha);
    number(rr, sizeof rr, p->sharpness);
    char pw[40];
    number(pw, sizeof pw, p->p);
    const char *ax = "axis=[1, 2], keepdims=True";
    switch (p->op) {
    case POOL_MAX: cmd_text_appendf(t, "y = tf.reduce_max(x, %s)\n", ax); break;
    case POOL_MIN: cmd_text_appendf(t, "y = tf.reduce_min(x, %s)\n", ax); break;
    case POOL_AVG: cmd_text_appendf(t, "y = tf.reduce_mean(x, %s)\n", ax); break;
    case POOL_SUM: cmd_text_appendf(t, "y = tf.reduce_sum(x, %s)\n", ax); break;
    case POOL_L2:
        cmd_text_appendf(t, "y = tf.sqrt(tf.reduce_sum(tf.square(x), %s))\n", ax);
        break;
    case POOL_LP:
    case POOL_POWER:
        if (isinf(p->p))
            cmd_text_appendf(t, "y = tf.reduce_max(tf.abs(x), %s)\n", ax);
        else
            cmd_text_appendf(t, "y = tf.pow(tf.%s(tf.pow(%s, %s), %s), 1 / %s)\n",
                             p->op == POOL_LP ? "reduce_sum" : "reduce_mean",
                             p->op == POOL_LP && p->lp_style == LP_STYLE_TORCH ? "x"
                                                                               : "tf.abs(x)",
                             pw, ax, pw);
        break;
    case POOL_STOCHASTIC:
        if (p->mode == MODE_EVAL)
            cmd_text_appendf(t, "y = tf.math.divide_no_nan(tf.reduce_sum(x * x, %s), "
                                "tf.reduce_sum(x, %s))\n", ax, ax);
        else
            cmd_text_append(t, "# TensorFlow has no stochastic pooling\n");
        break;
    case POOL_FRACTIONAL:
    case POOL_SPP:
    case POOL_BILINEAR:
    case POOL_OP_COUNT:
        break;
    case POOL_MIXED:
        cmd_text_appendf(t, "y = %s * tf.reduce_max(x, %s) + (1 - %s) * tf.reduce_mean(x, %s)\n",
                         aa, ax, aa, ax);
        break;
    case POOL_LSE:
        cmd_text_appendf(t, "n = tf.cast(tf.shape(x)[1] * tf.shape(x)[2], x.dtype)\n"
                            "y = (tf.reduce_logsumexp(%s * x, %s) - tf.math.log(n)) / %s\n",
                         rr, ax, rr);
        break;
    case POOL_SOFTPOOL:
    case POOL_MEDIAN:
    case POOL_MAXBLUR:
        cmd_text_appendf(t, "# TensorFlow has no global %s pooling builtin\n", pool_op_name(p->op));
        break;
    }
}

static void tf_other(cmd_text *t, const pool_params *p, const pool_plan *plan)
{
    if (p->op == POOL_FRACTIONAL) {
        if (p->fractional_style != FRACTIONAL_GRAHAM) {
            cmd_text_append(t, "# TensorFlow: fractional_max_pool draws the paper's regions "
                               "(graham style)\n");
            return;
        }
        char rh[40], rw[40];
        if (p->output_h > 0 && plan == NULL) {
            cmd_text_append(t, "# TensorFlow takes a ratio (input/output); `code NAME` works "
                               "it out for a matrix\n");
            return;
        }
        double ratio_h = p->ratio_h > 0 ? p->ratio_h : sqrt(2.0);
        double ratio_w = p->ratio_w > 0 ? p->ratio_w : sqrt(2.0);
        if (p->output_h > 0) {
            ratio_h = (double)plan->h / p->output_h;
            ratio_w = (double)plan->w / p->output_w;
        }
        number(rh, sizeof rh, ratio_h);
        number(rw, sizeof rw, ratio_w);
        cmd_text_appendf(t, "y, rows, cols = tf.nn.fractional_max_pool(\n"
                            "    x, [1.0, %s, %s, 1.0], pseudo_random=%s, overlapping=%s, "
                            "seed=%llu)\n"
                            "# TensorFlow draws its regions its own way: the sizes agree, "
                            "the places may not\n",
                         rh, rw, p->pseudo_random ? "True" : "False",
                         p->overlapping ? "True" : "False", (unsigned long long)p->seed);
    } else if (p->op == POOL_SPP) {
        cmd_text_append(t, "# TensorFlow has no adaptive pooling, so no spatial pyramid "
                           "pooling\n");
    } else if (p->op == POOL_BILINEAR) {
        cmd_text_append(t, "hw = tf.cast(tf.shape(x)[1] * tf.shape(x)[2], x.dtype)\n"
                           "y = tf.einsum('nhwc,nhwd->ncd', x, x) / hw\n");
        if (p->signed_sqrt)
            cmd_text_append(t, "y = tf.sign(y) * tf.sqrt(tf.abs(y))\n");
        if (p->l2_normalize)
            cmd_text_append(t, "y = tf.reshape(tf.math.l2_normalize(tf.reshape(y, "
                               "[tf.shape(y)[0], -1]), axis=1), tf.shape(y))\n");
    }
}

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
    code_window w = window_of(p, plan);
    bool windowed = pool_op_is_windowed(p->op);

    cmd_text_append(t, "# PyTorch\nimport torch\nimport torch.nn.functional as F\n");
    input_hint(t, plan, name, true);
    if (windowed && p->global)
        torch_global(t, p);
    else if (windowed && p->adaptive_h > 0)
        torch_adaptive(t, p);
    else if (windowed)
        torch_windowed(t, p, &w);
    else
        torch_other(t, p, plan);

    cmd_text_append(t, "# TensorFlow\nimport tensorflow as tf\n");
    if (windowed && p->adaptive_h > 0 && !p->global) {
        cmd_text_append(t, "# TensorFlow has no adaptive pooling\n");
        return;
    }
    if (p->op == POOL_SPP || (p->op == POOL_FRACTIONAL &&
                              p->fractional_style != FRACTIONAL_GRAHAM)) {
        tf_other(t, p, plan);
        return;
    }
    input_hint(t, plan, name, false);
    if (windowed && p->global)
        tf_global(t, p);
    else if (windowed)
        tf_windowed(t, p, &w);
    else
        tf_other(t, p, plan);
}
