#!/usr/bin/python3
"""Write tests/reference/torch.txt: inputs, parameters and PyTorch's outputs.

Run by hand where Debian's python3-torch is installed:
    /usr/bin/python3 tests/gen-reference.py > tests/reference/torch.txt
`make check` compares poolviz against the committed file without needing torch
(tests/unit/test-reference.c).  Floats are written as hexadecimal (float.hex)
so nothing is lost in the text.

Format, one case per block:
    case NAME
    params KEY=VALUE ...        (pool_params_set keys; flags as KEY=1)
    dtype float32|float64
    shape N C H W
    input HEX ...
    samples HEX ...             (fractional only: (N, C, 2) as PyTorch's _random_samples)
    oshape N C OH OW
    output HEX ...
    indices I ...               (where PyTorch returns them)
    end
"""
import math
import random
import sys

import torch
import torch.nn.functional as F

rng = random.Random(20261125)
gen = torch.Generator().manual_seed(20261125)


def hexes(t):
    return " ".join(float(v).hex() for v in t.flatten().tolist())


def make_input(shape, dtype, kind):
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    if kind == "ties":
        x = torch.round(x * 2)
    elif kind == "nonneg":
        x = x.abs() + 0.01
    elif kind == "nan":
        x = torch.round(x * 2)
        mask = torch.rand(shape, generator=gen) < 0.08
        x[mask] = float("nan")
    elif kind == "inf":
        mask = torch.rand(shape, generator=gen) < 0.08
        x[mask] = float("-inf")
    return x.to(dtype)


def emit(name, params, x, out, indices=None, samples=None):
    print(f"case {name}")
    print("params " + " ".join(f"{k}={v}" for k, v in params.items()))
    print("dtype " + ("float32" if x.dtype == torch.float32 else "float64"))
    print("shape " + " ".join(map(str, x.shape)))
    print("input " + hexes(x))
    if samples is not None:
        print("samples " + hexes(samples))
    print("oshape " + " ".join(map(str, out.shape)))
    print("output " + hexes(out))
    if indices is not None:
        print("indices " + " ".join(map(str, indices.flatten().tolist())))
    print("end")


def random_window(h, w, allow_dilation):
    while True:
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        dh, dw = (rng.randint(1, 2), rng.randint(1, 2)) if allow_dilation else (1, 1)
        eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        # PyTorch checks padding against half the kernel (poolviz: half the
        # effective kernel, a superset), so stay within PyTorch's rule here
        ph = rng.randint(0, kh // 2)
        pw = rng.randint(0, kw // 2)
        ceil = rng.random() < 0.4
        if h + 2 * ph >= eh and w + 2 * pw >= ew:
            return (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil


def shape():
    return (rng.randint(1, 2), rng.randint(1, 3), rng.randint(1, 9), rng.randint(1, 9))


def pair(p):
    return f"{p[0]}x{p[1]}"


case = 0
for dtype in (torch.float32, torch.float64):
    for _ in range(40):  # max and min with dilation, padding, ceil mode, ties, NaN, -inf
        s = shape()
        k, st, pad, dil, ceil = random_window(s[2], s[3], True)
        kind = rng.choice(["plain", "ties", "nan", "inf"])
        x = make_input(s, dtype, kind)
        params = {"kernel": pair(k), "stride": pair(st), "padding": pair(pad),
                  "dilation": pair(dil), "ceil-mode": int(ceil)}
        out, idx = F.max_pool2d(x, k, st, pad, dil, ceil_mode=ceil, return_indices=True)
        emit(f"max-{case}", {"op": "max", **params}, x, out, idx)
        out, idx = F.max_pool2d(-x, k, st, pad, dil, ceil_mode=ceil, return_indices=True)
        emit(f"min-{case}", {"op": "min", **params}, x, -out, idx)
        case += 1
    for _ in range(40):  # avg with the divisor rules
        s = shape()
        k, st, pad, _, ceil = random_window(s[2], s[3], False)
        include = rng.random() < 0.5
        divisor = rng.choice([None, None, None, rng.randint(1, 7)])
        x = make_input(s, dtype, rng.choice(["plain", "ties"]))
        params = {"op": "avg", "kernel": pair(k), "stride": pair(st), "padding": pair(pad),
                  "ceil-mode": int(ceil), "count-include-pad": int(include)}
        if divisor:
            params["divisor"] = divisor
        out = F.avg_pool2d(x, k, st, pad, ceil_mode=ceil, count_include_pad=include,
                           divisor_override=divisor)
        emit(f"avg-{case}", params, x, out)
        case += 1
    for _ in range(20):  # lp on non-negative input, no ceil mode (PyTorch inflates partial windows)
        s = shape()
        k, st, _, _, _ = random_window(s[2], s[3], False)
        if s[2] < k[0] or s[3] < k[1]:
            continue
        p = rng.choice([1.0, 2.0, 3.0, 4.5])
        x = make_input(s, dtype, "nonneg")
        out = F.lp_pool2d(x, p, k, st)
        emit(f"lp-{case}", {"op": "lp", "power": p, "kernel": pair(k), "stride": pair(st)},
             x, out)
        case += 1
    for _ in range(20):  # adaptive max and avg
        s = shape()
        o = (rng.randint(1, s[2] + 2), rng.randint(1, s[3] + 2))
        x = make_input(s, dtype, rng.choice(["plain", "ties", "nan"]))
        out, idx = F.adaptive_max_pool2d(x, o, return_indices=True)
        emit(f"amax-{case}", {"op": "max", "adaptive": pair(o)}, x, out, idx)
        x = make_input(s, dtype, "plain")
        out = F.adaptive_avg_pool2d(x, o)
        emit(f"aavg-{case}", {"op": "avg", "adaptive": pair(o)}, x, out)
        case += 1
    for _ in range(20):  # fractional, torch style, with given samples
        s = (rng.randint(1, 2), rng.randint(1, 3), rng.randint(3, 12), rng.randint(3, 12))
        k = (rng.randint(1, 3), rng.randint(1, 3))
        o = (rng.randint(1, s[2] - k[0] + 1), rng.randint(1, s[3] - k[1] + 1))
        x = make_input(s, dtype, rng.choice(["plain", "ties"]))
        samples = torch.rand((s[0], s[1], 2), generator=gen, dtype=torch.float64).to(dtype)
        out, idx = F.fractional_max_pool2d(x, k, output_size=o, return_indices=True,
                                           _random_samples=samples)
        emit(f"frac-{case}", {"op": "fractional", "fractional-style": "torch",
                              "kernel": pair(k), "output-size": pair(o)},
             x, out, idx, samples)
        case += 1


# The operators PyTorch has no builtin for, from their definitions over
# F.unfold's windows (padding cells masked out), in float64 and rounded to
# the input's type.  Drawn after the cases above so those stay as they were.
def unfold_windows(x, k, st, pad, dil):
    n, c, h, w = x.shape
    oh = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) // st[0] + 1
    ow = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) // st[1] + 1
    u = F.unfold(x, k, dilation=dil, padding=pad, stride=st).view(n, c, -1, oh * ow)
    inside = F.unfold(torch.ones_like(x[:1, :1]), k, dilation=dil, padding=pad,
                      stride=st).view(1, 1, -1, oh * ow) > 0
    return u, inside, (n, c, oh, ow)


for dtype in (torch.float32, torch.float64):
    for i in range(60):
        s = shape()
        k, st, pad, dil, _ = random_window(s[2], s[3], True)
        op = ["softpool", "lse", "median"][i % 3]
        kind = rng.choice(["plain", "ties"]) if op != "median" else rng.choice(["plain", "ties", "nan"])
        x = make_input(s, dtype, kind)
        u, inside, oshape = unfold_windows(x.double(), k, st, pad, dil)
        if not bool(inside.any(2).all()):
            continue  # a window without input cells: not a case for these
        params = {"op": op, "kernel": pair(k), "stride": pair(st), "padding": pair(pad),
                  "dilation": pair(dil)}
        v = u.masked_fill(~inside, float("-inf"))
        if op == "softpool":
            out = (v.softmax(2) * v.nan_to_num(neginf=0.0)).sum(2)
        elif op == "lse":
            r = rng.choice([0.5, 1.0, 3.0])
            params["sharpness"] = r
            out = (torch.logsumexp(r * v, 2) - inside.sum(2).double().log()) / r
        else:
            # the lower middle of the input cells; a NaN among them is the value
            nan = (torch.isnan(u) & inside).any(2)
            out = u.masked_fill(~inside, float("nan")).nanmedian(2).values
            out = out.masked_fill(nan, float("nan"))
        emit(f"{op}-{case}", params, x, out.view(oshape).to(dtype))
        case += 1
    for _ in range(20):  # mixed: alpha max + (1 - alpha) avg, avg's divisor rules
        s = shape()
        k, st, pad, _, ceil = random_window(s[2], s[3], False)
        include = rng.random() < 0.5
        alpha = rng.choice([0.0, 0.25, 0.5, 0.9, 1.0])
        x = make_input(s, dtype, rng.choice(["plain", "ties"]))
        xd = x.double()
        out = alpha * F.max_pool2d(xd, k, st, pad, ceil_mode=ceil) + (1 - alpha) * F.avg_pool2d(
            xd, k, st, pad, ceil_mode=ceil, count_include_pad=include)
        emit(f"mixed-{case}", {"op": "mixed", "alpha": alpha, "kernel": pair(k),
                               "stride": pair(st), "padding": pair(pad),
                               "ceil-mode": int(ceil), "count-include-pad": int(include)},
             x, out.to(dtype))
        case += 1


# PyTorch conventions added later, drawn after everything above so those cases
# stay as they were.
# 1. ceil mode with a window longer than the padded input: PyTorch keeps it
#    when it starts inside the input or the left padding.
def long_window(h, w):
    while True:
        kh, kw = rng.randint(1, 6), rng.randint(1, 6)
        sh, sw = rng.randint(1, 4), rng.randint(1, 4)
        ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
        if h + 2 * ph < kh or w + 2 * pw < kw:
            try:
                F.max_pool2d(torch.zeros(1, 1, h, w), (kh, kw), (sh, sw), (ph, pw),
                             ceil_mode=True)
            except RuntimeError:
                continue  # no window starts inside: an error in both
            return (kh, kw), (sh, sw), (ph, pw)


for dtype in (torch.float32, torch.float64):
    for _ in range(12):
        s = (rng.randint(1, 2), rng.randint(1, 2), rng.randint(1, 4), rng.randint(1, 4))
        k, st, pad = long_window(s[2], s[3])
        x = make_input(s, dtype, rng.choice(["plain", "ties"]))
        params = {"kernel": pair(k), "stride": pair(st), "padding": pair(pad), "ceil-mode": 1}
        out, idx = F.max_pool2d(x, k, st, pad, ceil_mode=True, return_indices=True)
        emit(f"ceil-long-max-{case}", {"op": "max", **params}, x, out, idx)
        include = rng.random() < 0.5
        out = F.avg_pool2d(x, k, st, pad, ceil_mode=True, count_include_pad=include)
        emit(f"ceil-long-avg-{case}", {"op": "avg", **params, "count-include-pad": int(include)},
             x, out)
        case += 1

# 2. lp with --lp-style torch: F.lp_pool2d itself (no abs, partial ceil-mode
#    windows inflated by KH*KW), negative input included.
for dtype in (torch.float32, torch.float64):
    for _ in range(24):
        s = shape()
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        st = (rng.randint(1, 3), rng.randint(1, 3))
        ceil = rng.random() < 0.7
        try:
            F.avg_pool2d(torch.zeros(s), (kh, kw), st, 0, ceil_mode=ceil)
        except RuntimeError:
            continue
        p = rng.choice([1.0, 2.0, 2.0, 3.0, 4.5, 0.5])
        x = make_input(s, dtype, rng.choice(["plain", "nonneg", "nonneg"]))
        out = F.lp_pool2d(x, p, (kh, kw), st, ceil_mode=ceil)
        emit(f"lp-torch-{case}", {"op": "lp", "lp-style": "torch", "power": p,
                                  "kernel": pair((kh, kw)), "stride": pair(st),
                                  "ceil-mode": int(ceil)}, x, out)
        case += 1

# 3. an empty batch (N = 0): an empty output of the right shape.
for dtype in (torch.float32, torch.float64):
    x = torch.zeros((0, 2, 5, 4), dtype=dtype)
    out, idx = F.max_pool2d(x, 2, 2, ceil_mode=True, return_indices=True)
    emit(f"n0-max-{case}", {"op": "max", "kernel": "2x2", "ceil-mode": 1}, x, out, idx)
    out = F.avg_pool2d(x, 3, 1, 1)
    emit(f"n0-avg-{case}", {"op": "avg", "kernel": "3x3", "stride": "1x1", "padding": "1x1"},
         x, out)
    out = F.lp_pool2d(x, 3.0, 2, ceil_mode=True)
    emit(f"n0-lp-{case}", {"op": "lp", "lp-style": "torch", "power": 3.0, "kernel": "2x2",
                           "ceil-mode": 1}, x, out)
    case += 1

# 4. maxblur (anti-aliased max pooling, Zhang 2019) from its definition:
# max_pool2d at stride 1, reflect padding floor((f-1)/2) before and the rest
# after, and the normalised binomial filter as a depthwise conv2d at the
# stride; in float64, rounded to the input's type.
def maxblur(x, k, st, pad, dil, f):
    m = F.max_pool2d(x, k, 1, pad, dil)
    before = (f - 1) // 2
    after = f - 1 - before
    if after >= min(m.shape[2], m.shape[3]):
        return None  # reflect padding needs more max-pooled cells
    a = torch.tensor([math.comb(f - 1, i) for i in range(f)], dtype=x.dtype)
    g = (a[:, None] * a[None, :] / a.sum() ** 2).expand(x.shape[1], 1, f, f).contiguous()
    m = F.pad(m, (before, after, before, after), mode="reflect")
    return F.conv2d(m, g, stride=st, groups=x.shape[1])


for dtype in (torch.float32, torch.float64):
    for i in range(40):
        s = (rng.randint(1, 2), rng.randint(1, 3), rng.randint(2, 11), rng.randint(2, 11))
        k, st, pad, dil, _ = random_window(s[2], s[3], True)
        f = [1, 2, 3, 3, 4, 5, 6, 7][i % 8]
        x = make_input(s, dtype, rng.choice(["plain", "ties", "nan", "inf"]))
        out = maxblur(x.double(), k, st, pad, dil, f)
        if out is None:
            continue
        emit(f"maxblur-{case}", {"op": "maxblur", "filter": f, "kernel": pair(k),
                                 "stride": pair(st), "padding": pair(pad),
                                 "dilation": pair(dil)}, x, out.to(dtype))
        case += 1
print(f"# torch {torch.__version__}", file=sys.stderr)
