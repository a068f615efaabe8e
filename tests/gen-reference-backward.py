#!/usr/bin/python3
"""Write tests/reference/torch-backward.txt: inputs, parameters, dL/dy and
PyTorch autograd's dL/dx, and max_unpool2d cases.

Run by hand where Debian's python3-torch is installed:
    /usr/bin/python3 tests/gen-reference-backward.py > tests/reference/torch-backward.txt
`make check` compares `pool_backward` against the committed file without
torch (tests/unit/test-backward.c).  Floats are hexadecimal (float.hex).

Format, one case per block (as tests/gen-reference.py, plus dy and dx):
    case NAME
    params KEY=VALUE ...
    dtype float32|float64
    shape N C H W
    input HEX ...
    samples HEX ...             (fractional only)
    oshape N C OH OW
    dy HEX ...
    dx HEX ...                  (the input's shape)
    end
and for unpooling:
    unpool NAME
    dtype float32|float64
    shape N C H W               (the values)
    values HEX ...
    indices I ...
    osize OH OW
    output HEX ...
    end
"""
import math
import random
import sys

import torch
import torch.nn.functional as F

rng = random.Random(20261206)
gen = torch.Generator().manual_seed(20261206)


def hexes(t):
    return " ".join(float(v).hex() for v in t.detach().flatten().tolist())


def make_input(shape, dtype, kind):
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    if kind == "ties":
        x = torch.round(x * 2)
    elif kind == "nonneg":
        x = x.abs() + 0.01
    elif kind == "nan":
        x = torch.round(x * 2)
        x[torch.rand(shape, generator=gen) < 0.08] = float("nan")
    elif kind == "inf":
        x[torch.rand(shape, generator=gen) < 0.08] = float("-inf")
    return x.to(dtype)


def backward(call, x, samples=None):
    """y = call(x) and dL/dx for a random dy (small integers and halves,
    so sums of them are exact in float32)."""
    x = x.clone().requires_grad_(True)
    y = call(x)
    dy = (torch.randint(-6, 7, y.shape, generator=gen).to(torch.float64) / 2).to(x.dtype)
    y.backward(dy)
    return y, dy, x.grad


def emit(name, params, x, call, samples=None):
    y, dy, dx = backward(call, x)
    print(f"case {name}")
    print("params " + " ".join(f"{k}={v}" for k, v in params.items()))
    print("dtype " + ("float32" if x.dtype == torch.float32 else "float64"))
    print("shape " + " ".join(map(str, x.shape)))
    print("input " + hexes(x))
    if samples is not None:
        print("samples " + hexes(samples))
    print("oshape " + " ".join(map(str, y.shape)))
    print("dy " + hexes(dy))
    print("dx " + hexes(dx))
    print("end")


def random_window(h, w, allow_dilation):
    while True:
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        dh, dw = (rng.randint(1, 2), rng.randint(1, 2)) if allow_dilation else (1, 1)
        eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
        ceil = rng.random() < 0.4
        if h + 2 * ph >= eh and w + 2 * pw >= ew:
            return (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil


def shape():
    return (rng.randint(1, 2), rng.randint(1, 3), rng.randint(1, 9), rng.randint(1, 9))


def pair(p):
    return f"{p[0]}x{p[1]}"


case = 0
for dtype in (torch.float32, torch.float64):
    for _ in range(30):  # max and min: dilation, padding, ceil mode, overlaps, ties, NaN, -inf
        s = shape()
        k, st, pad, dil, ceil = random_window(s[2], s[3], True)
        x = make_input(s, dtype, rng.choice(["plain", "ties", "nan", "inf"]))
        params = {"kernel": pair(k), "stride": pair(st), "padding": pair(pad),
                  "dilation": pair(dil), "ceil-mode": int(ceil)}
        # A window without input cells gets PyTorch's index "first tap moved
        # right by the dilation", which can name a cell past the plane; its
        # backward then writes into the next plane (past the tensor for the
        # last one).  poolviz reports -1 there and drops that dy: not compared.
        _, idx = F.max_pool2d(x, k, st, pad, dil, ceil_mode=ceil, return_indices=True)
        if int(idx.max()) >= s[2] * s[3]:
            continue
        emit(f"max-{case}", {"op": "max", **params}, x,
             lambda t: F.max_pool2d(t, k, st, pad, dil, ceil_mode=ceil))
        emit(f"min-{case}", {"op": "min", **params}, x,
             lambda t: -F.max_pool2d(-t, k, st, pad, dil, ceil_mode=ceil))
        case += 1
    for _ in range(30):  # avg: count_include_pad, divisor_override, ceil mode, overlaps
        s = shape()
        k, st, pad, _, ceil = random_window(s[2], s[3], False)
        include = rng.random() < 0.5
        divisor = rng.choice([None, None, None, rng.randint(1, 7)])
        x = make_input(s, dtype, "plain")
        params = {"op": "avg", "kernel": pair(k), "stride": pair(st), "padding": pair(pad),
                  "ceil-mode": int(ceil), "count-include-pad": int(include)}
        if divisor:
            params["divisor"] = divisor
        emit(f"avg-{case}", params, x,
             lambda t: F.avg_pool2d(t, k, st, pad, ceil_mode=ceil, count_include_pad=include,
                                    divisor_override=divisor))
        case += 1
    for _ in range(15):  # lp on positive input, no ceil mode
        s = shape()
        k, st, _, _, _ = random_window(s[2], s[3], False)
        if s[2] < k[0] or s[3] < k[1]:
            continue
        p = rng.choice([1.0, 2.0, 3.0, 4.5])
        x = make_input(s, dtype, "nonneg")
        emit(f"lp-{case}", {"op": "lp", "power": p, "kernel": pair(k), "stride": pair(st)},
             x, lambda t: F.lp_pool2d(t, p, k, st))
        case += 1
    for _ in range(15):  # adaptive max and avg (overlapping bins)
        s = shape()
        o = (rng.randint(1, s[2] + 2), rng.randint(1, s[3] + 2))
        x = make_input(s, dtype, rng.choice(["plain", "ties", "nan"]))
        emit(f"amax-{case}", {"op": "max", "adaptive": pair(o)}, x,
             lambda t: F.adaptive_max_pool2d(t, o))
        emit(f"aavg-{case}", {"op": "avg", "adaptive": pair(o)}, make_input(s, dtype, "plain"),
             lambda t: F.adaptive_avg_pool2d(t, o))
        case += 1
    for op in ("max", "avg"):  # global
        x = make_input((2, 3, 5, 4), dtype, "ties")
        call = (lambda t: F.adaptive_max_pool2d(t, 1)) if op == "max" else \
               (lambda t: F.adaptive_avg_pool2d(t, 1))
        emit(f"global-{op}-{case}", {"op": op, "global": 1}, x, call)
        case += 1
    for _ in range(15):  # fractional, torch style, the same samples
        s = (rng.randint(1, 2), rng.randint(1, 3), rng.randint(3, 12), rng.randint(3, 12))
        k = (rng.randint(1, 3), rng.randint(1, 3))
        o = (rng.randint(1, s[2] - k[0] + 1), rng.randint(1, s[3] - k[1] + 1))
        x = make_input(s, dtype, rng.choice(["plain", "ties"]))
        samples = torch.rand((s[0], s[1], 2), generator=gen, dtype=torch.float64).to(dtype)
        emit(f"frac-{case}", {"op": "fractional", "fractional-style": "torch",
                              "kernel": pair(k), "output-size": pair(o)}, x,
             lambda t: F.fractional_max_pool2d(t, k, output_size=o, _random_samples=samples),
             samples)
        case += 1
    for _ in range(10):  # max_unpool2d of a max pool's output
        s = shape()
        k, st, pad, _, ceil = random_window(s[2], s[3], False)
        x = make_input(s, dtype, "ties")
        y, idx = F.max_pool2d(x, k, st, pad, ceil_mode=ceil, return_indices=True)
        out = F.max_unpool2d(y, idx, k, st, pad, output_size=(s[2], s[3]))
        print(f"unpool unpool-{case}")
        print("dtype " + ("float32" if dtype == torch.float32 else "float64"))
        print("shape " + " ".join(map(str, y.shape)))
        print("values " + hexes(y))
        print("indices " + " ".join(map(str, idx.flatten().tolist())))
        print(f"osize {s[2]} {s[3]}")
        print("output " + hexes(out))
        print("end")
        case += 1

# maxblur from its definition (max_pool2d at stride 1, reflect padding,
# the binomial filter as a depthwise conv2d): autograd gives the blur's
# backward, then the max's.  Drawn after the cases above.
def maxblur(t, k, st, pad, dil, f):
    m = F.max_pool2d(t, k, 1, pad, dil)
    before = (f - 1) // 2
    after = f - 1 - before
    a = torch.tensor([math.comb(f - 1, i) for i in range(f)], dtype=t.dtype)
    g = (a[:, None] * a[None, :] / a.sum() ** 2).expand(t.shape[1], 1, f, f).contiguous()
    return F.conv2d(F.pad(m, (before, after, before, after), mode="reflect"), g, stride=st,
                    groups=t.shape[1])


for dtype in (torch.float32, torch.float64):
    for i in range(24):
        s = (rng.randint(1, 2), rng.randint(1, 3), rng.randint(2, 10), rng.randint(2, 10))
        k, st, pad, dil, _ = random_window(s[2], s[3], True)
        f = [1, 2, 3, 3, 4, 5, 7][i % 7]
        mh = s[2] + 2 * pad[0] - dil[0] * (k[0] - 1)
        mw = s[3] + 2 * pad[1] - dil[1] * (k[1] - 1)
        if f - 1 - (f - 1) // 2 >= min(mh, mw):
            continue  # reflect padding needs more max-pooled cells
        x = make_input(s, dtype, rng.choice(["plain", "ties"]))
        emit(f"maxblur-{case}", {"op": "maxblur", "filter": f, "kernel": pair(k),
                                 "stride": pair(st), "padding": pair(pad),
                                 "dilation": pair(dil)}, x,
             lambda t: maxblur(t, k, st, pad, dil, f))
        case += 1
print(f"# torch {torch.__version__}", file=sys.stderr)
