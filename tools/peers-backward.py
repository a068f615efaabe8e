#!/usr/bin/python3
"""The peer of `poolviz bench --backward`: PyTorch's CPU pooling backward alone,
on the same shapes, in NCHW and in channels-last.

The forward runs once outside the timing (for max it also gives the saved
indices autograd keeps); only the backward call is timed:
aten.max_pool2d_with_indices_backward and aten.avg_pool2d_backward, which are
what autograd calls.  Each line: NAME SHAPE torch VERSION Tt MS ms GB/s, where
NAME carries " (CL)" for channels-last, the median of REPS runs.
usage: peers-backward.py [THREADS] [REPS]"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 15
torch.set_num_threads(threads)
g = torch.Generator().manual_seed(0)
aten = torch.ops.aten

CASES = [  # name, shape, op, kernel, stride, padding
    ("bwd max k2 s2", (1, 64, 224, 224), "max", 2, 2, 0),
    ("bwd avg k2 s2", (1, 64, 224, 224), "avg", 2, 2, 0),
    ("bwd max k3 s2 p1", (1, 64, 112, 112), "max", 3, 2, 1),
    ("bwd avg k3 s2 p1", (1, 64, 112, 112), "avg", 3, 2, 1),
]


def median_s(fn):
    fn()
    xs = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        xs.append(time.perf_counter() - t)
    return statistics.median(xs)


for name, shape, op, k, s, p in CASES:
    for layout in ("NCHW", "CL"):
        x = torch.rand(shape, generator=g) + 0.01
        if layout == "CL":
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            if op == "max":
                y, idx = F.max_pool2d(x, k, s, p, return_indices=True)
            else:
                y = F.avg_pool2d(x, k, s, p)
        dy = torch.rand(y.shape, generator=g)
        if layout == "CL":
            dy = dy.contiguous(memory_format=torch.channels_last)
        if op == "max":
            call = lambda: aten.max_pool2d_with_indices_backward(
                dy, x, [k, k], [s, s], [p, p], [1, 1], False, idx)
            moved = x.numel() * 2 + dy.numel() + idx.numel() * 2  # x, dx, dy, int64 indices
        else:
            call = lambda: aten.avg_pool2d_backward(dy, x, [k, k], [s, s], [p, p], False, True,
                                                    None)
            moved = x.numel() + dy.numel()
        sec = median_s(call)
        label = name + (" (CL)" if layout == "CL" else "")
        print(f"{label:22s} {'x'.join(map(str, shape)):16s} torch {torch.__version__[:6]} "
              f"{threads}t {sec * 1e3:9.3f} ms {moved * 4 / sec / 1e9:7.2f} GB/s", flush=True)
