#!/usr/bin/env python3
"""An independent reference for the golden tests' expected outputs.

Written from the rules of design.md (PyTorch's window geometry and divisor,
TensorFlow's SAME padding, the text form of section 4), not from poolviz's
code, in plain Python with exact small-integer arithmetic where it can.
make-cases.py uses it to write every NAME.out."""
import math

def fmt(v):
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if v == math.inf:
        return "inf"
    if v == -math.inf:
        return "-inf"
    if v == 0:
        return "0"
    if v == math.floor(v) and abs(v) <= 1e15:
        return "%.0f" % v
    return "%.8g" % v

def text_plane(rows):
    strs = [[fmt(v) for v in r] for r in rows]
    cols = len(strs[0])
    w = [max(len(r[c]) for r in strs) for c in range(cols)]
    return "".join(" ".join(s.rjust(w[c]) for c, s in enumerate(r)) + "\n" for r in strs)

def text(t):
    """t: nested lists of rank 1..4."""
    rank = depth(t)
    if rank == 1:
        return " ".join(fmt(v) for v in t) + "\n"
    if rank == 2:
        return text_plane(t)
    out = []
    if rank == 3:
        for c, plane in enumerate(t):
            out.append("[%d]\n" % c + text_plane(plane))
    else:
        for n, s in enumerate(t):
            for c, plane in enumerate(s):
                out.append("[%d,%d]\n" % (n, c) + text_plane(plane))
    return "\n".join(out)

def depth(t):
    d = 0
    while isinstance(t, list):
        d += 1
        t = t[0]
    return d

def out_size(n, k, s, p, d, ceil):
    eff = d * (k - 1) + 1
    num = n + 2 * p - eff
    if num < 0:
        raise ValueError("window larger than input")
    if ceil:
        o = -(-num // s) + 1
        if (o - 1) * s >= n + p:
            o -= 1
    else:
        o = num // s + 1
    return o

def axis(n, k, s, p, d, ceil, same=False):
    """list of (taps, divisor_incl_pad, divisor_excl_pad) per output"""
    if same:
        o = -(-n // s)
        eff = d * (k - 1) + 1
        tot = max((o - 1) * s + eff - n, 0)
        pb, pa = tot // 2, tot - tot // 2
    else:
        o = out_size(n, k, s, p, d, ceil)
        pb = pa = p
    res = []
    for i in range(o):
        st = i * s - pb
        taps = [st + t * d for t in range(k)]
        incl = sum(1 for x in taps if -pb <= x < n + pa)
        excl = sum(1 for x in taps if 0 <= x < n)
        res.append((taps, incl, excl))
    return res

def pool2d(a, op="max", k=(2, 2), s=None, p=(0, 0), d=(1, 1), ceil=False, same=False,
           pw=2.0, cip=True, divisor=0):
    H, W = len(a), len(a[0])
    s = s or k
    ra = axis(H, k[0], s[0], p[0], d[0], ceil, same)
    ca = axis(W, k[1], s[1], p[1], d[1], ceil, same)
    out, idx = [], []
    for (rt, ri, re) in ra:
        orow, irow = [], []
        for (ct, ci, ce) in ca:
            vals = [(a[r][c], r * W + c) for r in rt for c in ct if 0 <= r < H and 0 <= c < W]
            npad = len(rt) * len(ct) - len(vals)
            xs = [v for v, _ in vals]
            div = divisor or (ri * ci if cip else re * ce)
            if op == "max":
                m = max(xs); orow.append(m); irow.append(next(i for v, i in vals if v == m))
            elif op == "min":
                m = min(xs); orow.append(m); irow.append(next(i for v, i in vals if v == m))
            elif op == "avg":
                orow.append(sum(xs) / div)
            elif op == "sum":
                orow.append(sum(xs))
            elif op == "l2":
                orow.append(math.sqrt(sum(x * x for x in xs)))
            elif op == "lp":
                orow.append(sum(abs(x) ** pw for x in xs) ** (1 / pw))
            elif op == "power":
                orow.append((sum(abs(x) ** pw for x in xs) / div) ** (1 / pw))
            elif op == "stoch-eval":
                sa = sum(xs)
                orow.append(sum(x * x for x in xs) / sa if sa else 0.0)
        out.append(orow)
        idx.append(irow)
    return out, idx

def adaptive_bins(n, o):
    return [(i * n // o, -(-(i + 1) * n // o)) for i in range(o)]

def adaptive(a, oh, ow, op="max"):
    res = []
    for (r0, r1) in adaptive_bins(len(a), oh):
        row = []
        for (c0, c1) in adaptive_bins(len(a[0]), ow):
            xs = [a[r][c] for r in range(r0, r1) for c in range(c0, c1)]
            row.append(max(xs) if op == "max" else sum(xs) / len(xs))
        res.append(row)
    return res

M = [[4 * r + c + 1 for c in range(4)] for r in range(4)]
