#!/usr/bin/env python3
"""Writes the golden cases of this folder (run by hand after changing a case;
the files are committed).  Every expected output comes from reference.py or
from the hand computation noted next to the case, never from poolviz."""
import math, os, struct, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import *

G = os.path.dirname(os.path.abspath(__file__)) + "/"
ML = "[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]"
M5 = [[5 * r + c + 1 for c in range(5)] for r in range(5)]

def case(name, args, out, stdin=None, check=None):
    if args is not None:
        with open(G + name + ".args", "w") as f:
            f.write("".join(a + "\n" for a in args))
    elif os.path.exists(G + name + ".args"):
        os.remove(G + name + ".args")
    with open(G + name + ".out", "w") as f:
        f.write(out)
    if stdin is not None:
        with open(G + name + ".stdin", "w") as f:
            f.write(stdin)
    if check is not None:
        with open(G + name + ".check", "w") as f:
            f.write(check)

def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]

def mapt(f, t):
    return [mapt(f, x) for x in t] if isinstance(t, list) else f(t)

# ---- the worked examples of issue 2 ----
P = lambda op, **kw: text(pool2d(M, op, **kw)[0])
case("example-max", ["pool", "-m", ML], P("max"))
case("example-avg", ["pool", "-m", ML, "--op", "avg"], P("avg"))
case("example-min", ["pool", "-m", ML, "--op", "min"], P("min"))
case("example-sum", ["pool", "-m", ML, "--op", "sum"], P("sum"))
case("example-l2", ["pool", "-m", ML, "--op", "l2"], P("l2"))
case("example-power3", ["pool", "-m", ML, "--op", "power", "-p", "3"], P("power", pw=3.0))
case("example-lp3", ["pool", "-m", ML, "--op", "lp", "--power", "3"], P("lp", pw=3.0))
case("example-global-max", ["pool", "-m", ML, "--global"], "16\n")
case("example-global-avg", ["pool", "-m", ML, "--global", "--op", "avg"], "8.5\n")
# spp levels 1,2: level 1 = max of all, level 2 = the 2x2 max pool
case("example-spp", ["pool", "-m", ML, "--op", "spp", "--levels", "1,2"],
     text([16] + [6, 8, 14, 16]))
case("example-stochastic-eval", ["pool", "-m", ML, "--op", "stochastic", "--mode", "eval"],
     P("stoch-eval"))
# graham with ratio 1.44 on 4: floor(4/1.44) = 2 outputs, increments in {1, 2}
# summing to 4, so both regions are 2 wide: the plain 2x2 max pool.
case("example-fractional-graham", ["pool", "-m", ML, "--op", "fractional",
                                   "--fractional-style", "graham", "--ratio", "1.44"], P("max"))

# (poolviz without a subcommand opens the stepper: tested with the TUI)

# ---- input forms ----
case("input-matlab", ["pool", "-m", "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16", "--op", "avg"],
     P("avg"))
case("input-txt", ["pool", "@DATA@/m4.txt", "--op", "sum"], P("sum"))
case("input-csv-bom-crlf", ["pool", "@DATA@/m4-bom-crlf.csv", "--op", "min"], P("min"))
case("input-npy-f64", ["pool", "@DATA@/m4.npy", "--op", "avg"], P("avg"))
case("input-npy-i32", ["pool", "--op", "l2", "@DATA@/m4-i32.npy"], P("l2"))
# float32 input is computed in float32: the result is the float32 nearest
# to the exact value (sums of small integers are exact, one rounding).
case("input-npy-f32", ["pool", "@DATA@/m4-f32.npy", "--op", "l2"],
     text(mapt(f32, pool2d(M, "l2")[0])))
case("input-stdin", ["pool", "-"], P("max"),
     stdin="1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 16\n")
case("input-stdin-literal", ["pool", "--global", "--op", "sum", "-"], "10\n",
     stdin="[[1,2],\n [3,4]]\n")
case("input-stdin-csv", ["pool", "-", "--op", "min"], P("min"),
     stdin="1,2,3,4\n5,6,7,8\n9,10,11,12\n13,14,15,16\n")

# ---- output formats ----
case("out-txt-explicit", ["pool", "-m", ML, "--to", "txt", "--op", "avg"], P("avg"))
case("out-csv", ["pool", "-m", ML, "--to", "csv", "--op", "avg"], "3.5,5.5\n11.5,13.5\n")
case("out-json", ["pool", "-m", ML, "--to", "json"],
     '{"shape":[2,2],"dtype":"float64","data":[[6,8],[14,16]]}\n')
case("out-json-rank1", ["pool", "-m", ML, "--to", "json", "--op", "spp", "--levels", "1,2"],
     '{"shape":[5],"dtype":"float64","data":[16,6,8,14,16]}\n')
case("out-dash", ["pool", "-m", ML, "-o", "-", "--op", "sum"], P("sum"))
case("out-txt-file", ["pool", "-m", ML, "-o", "@TMP@/out.txt", "--op", "avg"], P("avg"),
     check='cat out.txt\n')
case("out-csv-file", ["pool", "-m", ML, "-o", "@TMP@/out.csv"], "6,8\n14,16\n",
     check='cat out.csv\n')
case("out-json-file", ["pool", "-m", ML, "--output=@TMP@/out.json", "--op", "min"],
     '{"shape":[2,2],"dtype":"float64","data":[[1,3],[9,11]]}\n', check='cat out.json\n')
case("out-to-overrides-ext", ["pool", "-m", ML, "-o", "@TMP@/out.txt", "--to", "csv"],
     "6,8\n14,16\n", check='cat out.txt\n')
# npy read back with poolviz itself: a 1x1 window with stride 1 is the identity
case("out-npy-file", ["pool", "-m", ML, "--op", "avg", "-o", "@TMP@/out.npy"], P("avg"),
     check='"$POOLVIZ" pool -k 1 out.npy\n')
case("out-npy-stdout", None, P("avg"),
     check='"$POOLVIZ" pool -m "[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]" '
           '--op avg --to npy > x.npy || exit 1\n"$POOLVIZ" pool -k 1 x.npy\n')
NPY_HEADER = r'''command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed" >&2; exit 77; }
python3 - "$@" <<'PY'
import ast, struct, sys, glob
for path in sorted(glob.glob("*.npy")):
    b = open(path, "rb").read()
    assert b[:6] == b"\x93NUMPY", "magic"
    major = b[6]
    hlen = struct.unpack("<H" if major == 1 else "<I", b[8:10] if major == 1 else b[8:12])[0]
    start = 10 if major == 1 else 12
    assert (start + hlen) % 64 == 0, "header not aligned to 64"
    h = ast.literal_eval(b[start:start + hlen].decode("latin1"))
    n = 1
    for d in h["shape"]:
        n *= d
    size = int(h["descr"][2:])
    body = b[start + hlen:]
    assert len(body) == n * size, "data size"
    fmt = {"<f8": "d", "<f4": "f", "<i8": "q"}[h["descr"]]
    vals = struct.unpack("<%d%s" % (n, fmt), body)
    print(path, h["descr"], h["fortran_order"], h["shape"], " ".join("%g" % v for v in vals))
PY
'''
case("out-npy-header", ["pool", "-m", ML, "-o", "@TMP@/out.npy",
                        "--indices", "@TMP@/idx.npy"], "",
     check=NPY_HEADER)
# (after the command's empty stdout: idx.npy then out.npy, sorted by name)
with open(G + "out-npy-header.out", "w") as f:
    f.write("")  # rewritten below once the indices case is decided
case("out-npy-f32", ["pool", "@DATA@/m4-f32.npy", "-o", "@TMP@/out.npy"], "",
     check=NPY_HEADER)
with open(G + "out-npy-f32.out", "w") as f:
    f.write("out.npy <f4 False (2, 2) 6 8 14 16\n")
# PNG: a gray picture reads back as a 1xHxW tensor
case("out-png-file", ["pool", "-m", ML, "-o", "@TMP@/out.png"], "[0]\n 6  8\n14 16\n",
     check='"$POOLVIZ" pool -k 1 out.png\n')
# --normalize: (v - 6) / (16 - 6) * 255 -> 0, 51, 204, 255
case("out-png-normalize", ["pool", "-m", ML, "-o", "@TMP@/out.png", "--normalize"],
     "[0]\n  0  51\n204 255\n", check='"$POOLVIZ" pool -k 1 out.png\n')
# values are rounded and clamped to 0..255
case("out-png-clamp", ["pool", "-m", "-5 300 7.4 7.6", "-k", "1", "-o", "@TMP@/out.png"],
     "[0]\n0 255 7 8\n", check='"$POOLVIZ" pool -k 1 out.png\n')
case("out-png-stdout", None, "[0]\n 6  8\n14 16\n",
     check='"$POOLVIZ" pool -m "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16" --to png > x.png '
           '|| exit 1\n"$POOLVIZ" pool -k 1 x.png\n')
case("out-png-header", ["pool", "-m", ML, "-o", "@TMP@/out.png"], "",
     check=r'''command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed" >&2; exit 77; }
python3 <<'PY'
import struct
b = open("out.png", "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "signature"
length, kind = struct.unpack(">I4s", b[8:16])
w, h, depth, color = struct.unpack(">IIBB", b[16:26])
print(kind.decode(), w, h, depth, color)
PY
''')
with open(G + "out-png-header.out", "w") as f:
    f.write("IHDR 2 2 8 0\n")

# ---- window geometry (5x5 input 1..25 in data/m5.txt) ----
def g(name, args, op="max", **kw):
    out, _ = pool2d(M5, op, **kw)
    case(name, ["pool", "@DATA@/m5.txt"] + args, text(out))
# PyTorch: (5 + 2 - 2) / 2 = 2.5 -> ceil 3, + 1 = 4, but the 4th window would
# start at 6 >= 5 + 1, in the right padding: dropped -> 3
assert out_size(5, 2, 2, 1, 1, True) == 3
g("geo-pad-ceil-max", ["-k", "2", "-s", "2", "--padding", "1", "--ceil-mode"],
  k=(2, 2), s=(2, 2), p=(1, 1), ceil=True)
g("geo-pad-ceil-avg", ["--op", "avg", "-k", "2", "-s", "2", "--padding", "1", "--ceil-mode"],
  "avg", k=(2, 2), s=(2, 2), p=(1, 1), ceil=True)
g("geo-ceil-avg", ["--op", "avg", "-k", "2", "-s", "2", "--ceil-mode"],
  "avg", k=(2, 2), s=(2, 2), ceil=True)
g("geo-pad-avg", ["--op", "avg", "-k", "3", "-s", "1", "--padding", "1"],
  "avg", k=(3, 3), s=(1, 1), p=(1, 1))
g("geo-pad-avg-nocip", ["--op", "avg", "-k", "3", "-s", "1", "--padding", "1",
                        "--no-count-include-pad"],
  "avg", k=(3, 3), s=(1, 1), p=(1, 1), cip=False)
g("geo-pad-sum", ["--op", "sum", "-k", "3", "-s", "2", "--padding", "1"],
  "sum", k=(3, 3), s=(2, 2), p=(1, 1))
g("geo-pad-min", ["--op", "min", "-k", "3", "-s", "2", "--padding", "1"],
  "min", k=(3, 3), s=(2, 2), p=(1, 1))
g("geo-dilation", ["-k", "2", "-s", "1", "--dilation", "2"], k=(2, 2), s=(1, 1), d=(2, 2))
g("geo-dilation-rect", ["-k", "2", "-s", "1", "--dilation", "3x1"], k=(2, 2), s=(1, 1), d=(3, 1))
g("geo-same", ["-k", "2", "-s", "2", "--padding", "same"], k=(2, 2), s=(2, 2), same=True)
g("geo-same-k3", ["-k", "3", "-s", "2", "--padding", "same", "--op", "min"], "min",
  k=(3, 3), s=(2, 2), same=True)
g("geo-valid", ["-k", "2", "-s", "2", "--padding", "valid"], k=(2, 2), s=(2, 2))
g("geo-rect", ["-k", "2x3", "-s", "1x2"], k=(2, 3), s=(1, 2))
g("geo-stride1", ["--op", "avg", "-k", "3", "--stride", "1"], "avg", k=(3, 3), s=(1, 1))
g("geo-power-pad", ["--op", "power", "-p", "2", "-k", "3", "-s", "2", "--padding", "1"],
  "power", k=(3, 3), s=(2, 2), p=(1, 1), pw=2.0)
g("geo-lp1", ["--op", "lp", "-p", "1", "-k", "3", "-s", "2"], "lp", k=(3, 3), s=(2, 2), pw=1.0)
assert out_size(6, 1, 2, 0, 1, True) == 3
case("geo-ceil-k1", ["pool", "-m", "1 2 3 4 5 6; 7 8 9 10 11 12", "-k", "1", "-s", "2",
                     "--ceil-mode"], "1 3 5\n")
case("geo-divisor", ["pool", "-m", ML, "--op", "avg", "--divisor", "3"],
     text([[14 / 3, 22 / 3], [46 / 3, 54 / 3]]))
case("geo-adaptive-max", ["pool", "@DATA@/m5.txt", "--adaptive", "2x3"], text(adaptive(M5, 2, 3)))
case("geo-adaptive-avg", ["pool", "@DATA@/m5.txt", "--op", "avg", "--adaptive", "3x3"],
     text(adaptive(M5, 3, 3, "avg")))
case("geo-global-min", ["pool", "@DATA@/m5.txt", "--global", "--op", "min"], "1\n")
case("threads-1", ["pool", "@DATA@/m5.txt", "--threads", "1", "--op", "avg", "-k", "3", "-s", "1"],
     text(pool2d(M5, "avg", k=(3, 3), s=(1, 1))[0]))

# ---- operators on special values ----
case("op-l2-no-overflow", ["pool", "-m", "3e200 4e200", "--global", "--op", "l2"], "5e+200\n")
case("op-lp-inf", ["pool", "-m", "-1 -5; 2 3", "--global", "--op", "lp", "-p", "inf"], "5\n")
case("op-lp-negative", ["pool", "-m", "-3 4", "-k", "1x2", "--op", "lp", "-p", "2"], "5\n")
case("op-max-nan", ["pool", "-m", "1 nan 2 3; 4 5 6 7", "-k", "2"], "nan 7\n")
case("op-max-negative", ["pool", "-m", "-1 -2; -3 -4", "--padding", "1", "-k", "2", "-s", "1"],
     text(pool2d([[-1, -2], [-3, -4]], "max", k=(2, 2), s=(1, 1), p=(1, 1))[0]))
# B = (1/(H*W)) sum f f^T, f at the two locations = (1,3) and (2,4)
case("op-bilinear", ["pool", "-m", "[[[1,2]],[[3,4]]]", "--op", "bilinear"],
     text([[2.5, 5.5], [5.5, 12.5]]))
case("op-bilinear-signed-sqrt", ["pool", "-m", "[[[1,2]],[[3,4]]]", "--op", "bilinear",
                                 "--signed-sqrt"],
     text([[math.sqrt(2.5), math.sqrt(5.5)], [math.sqrt(5.5), math.sqrt(12.5)]]))
nb = math.sqrt(2.5 ** 2 + 2 * 5.5 ** 2 + 12.5 ** 2)
case("op-bilinear-l2", ["pool", "-m", "[[[1,2]],[[3,4]]]", "--op", "bilinear",
                        "--l2-normalize"],
     text([[2.5 / nb, 5.5 / nb], [5.5 / nb, 12.5 / nb]]))
case("op-bilinear-2d", ["pool", "-m", ML, "--op", "bilinear"],
     text([[sum(v * v for v in range(1, 17)) / 16]]))
# stochastic train: each region has one non-zero value, which must be drawn
case("op-stochastic-train", ["pool", "-m", "0 0 0 7; 3 0 0 0", "--op", "stochastic",
                             "--seed", "5", "--indices", "@TMP@/idx.txt"],
     "3 7\n4 3\n", check='cat idx.txt\n')
case("op-stochastic-zero", ["pool", "-m", "0 0 1 1; 0 0 1 1", "--op", "stochastic",
                            "--mode", "eval"], "0 1\n")
# fractional torch: alpha = (5 - 2) / (3 - 1) = 1.5; start i = int((i+u)a) - int(u a),
# last = 5 - 2 = 3.  u = 0.5: starts 0, 2, 3; u = 0.25: starts 0, 1, 3.
def torch_frac(uw, uh):
    rs = [int((i + uh) * 1.5) - int(uh * 1.5) for i in range(2)] + [3]
    cs = [int((i + uw) * 1.5) - int(uw * 1.5) for i in range(2)] + [3]
    return [[max(M5[r][c] for r in (r0, r0 + 1) for c in (c0, c0 + 1)) for c0 in cs] for r0 in rs]
case("op-fractional-torch-pair", ["pool", "@DATA@/m5.txt", "--op", "fractional",
                                  "--output-size", "3x3", "--samples", "0.5,0.5"],
     text(torch_frac(0.5, 0.5)))
case("op-fractional-torch-npy", ["pool", "@DATA@/m5.txt", "--op", "fractional",
                                 "--output-size", "3", "--samples", "@DATA@/samples.npy"],
     text(torch_frac(0.5, 0.25)))

# ---- indices ----
_, idx = pool2d(M, "max")
case("indices-max-npy", ["pool", "-m", ML, "--indices", "@TMP@/idx.npy"], P("max"),
     check='"$POOLVIZ" pool -k 1 idx.npy\n')
with open(G + "indices-max-npy.out", "w") as f:
    f.write(P("max") + text(idx))
_, idx = pool2d(M, "min")
case("indices-min-txt", ["pool", "-m", ML, "--op", "min", "--indices", "@TMP@/idx.txt"],
     P("min") + text(idx), check='cat idx.txt\n')
o, idx = pool2d(M5, "max", k=(3, 3), s=(2, 2), p=(1, 1))
case("indices-padding", ["pool", "@DATA@/m5.txt", "-k", "3", "-s", "2", "--padding", "1",
                         "--indices", "@TMP@/idx.txt"], text(o) + text(idx),
     check='cat idx.txt\n')
case("indices-global", ["pool", "@DATA@/m5.txt", "--global", "--op", "min", "--indices",
                        "@TMP@/idx.txt", "-o", "@TMP@/out.txt"], "1\n0\n",
     check='cat out.txt idx.txt\n')
with open(G + "out-npy-header.out", "w") as f:
    f.write("idx.npy <i8 False (2, 2) 5 7 13 15\nout.npy <f8 False (2, 2) 6 8 14 16\n")

# ---- rank 3 and 4 ----
M_r = [[17 - (4 * r + c + 1) for c in range(4)] for r in range(4)]
case("rank3-npy", ["pool", "@DATA@/t3.npy"],
     text([pool2d(M, "max")[0], pool2d(M_r, "max")[0]]))
case("rank3-literal", ["pool", "-m", "[[[1,2],[3,4]],[[5,6],[7,8]]]", "--global", "--op", "avg"],
     text([[[2.5]], [[6.5]]]))
case("rank3-indices", ["pool", "@DATA@/t3.npy", "--indices", "@TMP@/idx.txt"],
     text([pool2d(M, "max")[0], pool2d(M_r, "max")[0]]) +
     text([pool2d(M, "max")[1], pool2d(M_r, "max")[1]]),
     check='cat idx.txt\n')
# spp of C x H x W: per level, (C, n, n) flattened, levels concatenated
case("rank3-spp", ["pool", "@DATA@/t3.npy", "--op", "spp", "--levels", "1,2"],
     text([16, 16, 6, 8, 14, 16, 16, 14, 8, 6]))
S0 = [[1, 2, 3, 4], [5, 6, 7, 8]]
S1 = [[10 * v for v in r] for r in S0]
case("rank4-npy", ["pool", "@DATA@/t4.npy"],
     text([[pool2d(S0, "max")[0]], [pool2d(S1, "max")[0]]]))
case("rank4-npy-avg-k1x2", ["pool", "@DATA@/t4.npy", "--op", "avg", "-k", "1x2"],
     text([[pool2d(S0, "avg", k=(1, 2))[0]], [pool2d(S1, "avg", k=(1, 2))[0]]]))
# bilinear of N x 1 x H x W: the mean of the squares, per sample
case("rank4-bilinear", ["pool", "@DATA@/t4.npy", "--op", "bilinear"],
     text([[[sum(v * v for v in range(1, 9)) / 8]], [[100 * sum(v * v for v in range(1, 9)) / 8]]]))
case("rank4-literal", ["pool", "-m", "[[[[1,2],[3,4]],[[5,6],[7,8]]]]", "--op", "sum"],
     text([[[[10]], [[26]]]]))
case("rank4-spp", ["pool", "@DATA@/t4.npy", "--op", "spp", "--levels", "1"], text([[8], [80]]))

# ---- output targets that are not plain files ----
# /dev/stdout is the file stdout already writes to: no truncation, no rename
case("out-dev-stdout", ["pool", "-m", ML, "-o", "/dev/stdout", "--op", "sum"], P("sum"))
# a link is written through, not replaced by a new file
case("out-symlink", None, "l\n 6  8\n14 16\n",
     check='ln -s target.txt link.txt || exit 1\n'
           '"$POOLVIZ" pool -m "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16" -o link.txt '
           '|| exit 1\nls -l link.txt | cut -c1\ncat target.txt\n')
