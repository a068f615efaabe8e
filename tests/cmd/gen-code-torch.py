#!/usr/bin/env python3
"""gen-code-torch.py - run `code`'s PyTorch snippets with PyTorch.

For every case below, asks poolviz for `code M SETTINGS` on the matrix M
(A, or B = |A| for stochastic pooling),
runs the PyTorch part of the answer with PyTorch, and writes one record:

    @ MATRIX SETTINGS
    | each line of the PyTorch snippet
    = the values of y, flattened (or "= none" when code says there is none)

tests/cmd/code-torch.sh compares poolviz's own numbers (`pool A SETTINGS`)
and its current snippets with these records, so `make check` needs no
PyTorch; with PyTorch installed it also runs this script again.

usage: gen-code-torch.py POOLVIZ OUTPUT
"""
import subprocess
import sys

A = [[1.5, -2, 3, 0.25, 4, -1],
     [2, 7.5, -3, 1, 0, 2.5],
     [0.5, 1, 6, -2, 3, 1],
     [4, -1.5, 2, 5, -0.5, 3],
     [1, 2, 3.5, -4, 2, 0.75]]
B = [[abs(v) for v in row] for row in A]     # stochastic: values >= 0


def literal(m):
    return "[" + ",".join("[" + ",".join(repr(float(v)) for v in row) + "]" for row in m) + "]"


def cases():
    out = []
    ops = ["max", "min", "avg", "sum", "l2", "lp p=3", "power p=3", "power p=1",
           "stochastic mode=eval"]
    windows = ["k=2", "k=3 s=2", "k=3 s=1", "k=2 s=1 padding=1", "k=3 s=2 padding=1",
               "k=3 s=2 padding=same", "k=2 s=2 padding=same", "k=3 s=1 padding=same",
               "k=2 ceil-mode", "k=3 s=2 ceil-mode padding=1"]
    for op in ops:
        for w in windows:
            out.append(("B " if op.startswith("stochastic") else "A ") + "op=" + op + " " + w)
    out += ["A " + c for c in [
            "op=avg k=3 s=2 padding=1 count-include-pad=false",
            "op=avg k=3 s=2 padding=same count-include-pad=false",
            "op=power p=2 k=3 s=2 padding=same count-include-pad=false",
            "op=avg k=2 divisor=3",
            "op=max k=2 dilation=2 s=1",
            "op=min k=2 dilation=2 s=1 padding=1",
            "op=max global", "op=avg global", "op=min global",
            "op=max adaptive=2x3", "op=avg adaptive=2x2", "op=avg adaptive=3x4",
            "op=lp p=3 lp-style=torch k=2", "op=lp p=3 lp-style=torch k=2 ceil-mode",
            "op=lp p=2 lp-style=torch k=3 s=2 ceil-mode", "op=lp p=2 lp-style=torch global",
            "op=max k=7 s=4 ceil-mode", "op=avg k=7 s=4 ceil-mode",
            "op=maxblur", "op=maxblur filter=1", "op=maxblur k=3 s=2 filter=5",
            "op=maxblur k=2 s=1 filter=4", "op=maxblur k=3 s=2 padding=1 filter=2",
            "op=maxblur k=2 s=2 padding=same", "op=maxblur k=3 s=3 padding=same filter=7",
            "op=maxblur k=2 dilation=2 s=1 filter=3",
            "op=softpool k=2", "op=softpool k=3 s=1 padding=1", "op=softpool k=2 s=1 dilation=2",
            "op=softpool global",
            "op=lse k=2 sharpness=2", "op=lse k=3 s=2 padding=1", "op=lse k=3 s=1 sharpness=0.5",
            "op=lse global sharpness=0.5",
            "op=median k=3 s=1", "op=median k=2 s=1 padding=1", "op=median k=2",
            "op=median global",
            "op=mixed k=2", "op=mixed k=3 s=2 padding=1 alpha=0.3",
            "op=mixed k=3 s=2 padding=1 count-include-pad=false", "op=mixed k=2 divisor=3",
            "op=mixed global alpha=0.25", "op=mixed adaptive=2x2 alpha=0.75"]]
    return out


def poolviz(exe, line):
    script = "A = %s\nB = %s\n%s\n" % (literal(A), literal(B), line)
    res = subprocess.run([exe, "repl"], input=script, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("poolviz failed on %r: %s" % (line, res.stderr))
    return res.stdout


def torch_part(text):
    lines = text.splitlines()
    start = lines.index("# PyTorch") + 1
    end = lines.index("# TensorFlow") if "# TensorFlow" in lines else len(lines)
    return lines[start:end]


def run_snippet(snippet, matrix):
    import torch  # noqa: F401  (the snippet imports it too)
    if not any(line.startswith("y = ") for line in snippet):
        return None
    import math  # lse's snippets say "# import math"
    scope = {"A": A, "B": B, matrix: A if matrix == "A" else B, "math": math}
    exec("\n".join(snippet), scope)
    return [float(v) for v in scope["y"].double().flatten().tolist()]


def main():
    exe, output = sys.argv[1], sys.argv[2]
    with open(output, "w") as f:
        f.write("# `code` against PyTorch: written by tests/cmd/gen-code-torch.py\n")
        for case in cases():
            snippet = torch_part(poolviz(exe, "code " + case))
            values = run_snippet(snippet, case.split()[0])
            f.write("@ %s\n" % case)
            for line in snippet:
                f.write("| %s\n" % line)
            if values is None:
                f.write("= none\n")
            else:
                f.write("= %s\n" % " ".join("%.9g" % v for v in values))


if __name__ == "__main__":
    main()
