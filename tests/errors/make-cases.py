#!/usr/bin/env python3
"""Writes the error corpus of this folder (run by hand after changing a case;
the files are committed).  The data files are written by
../golden/data/make-data.py."""
import os
E = os.path.dirname(os.path.abspath(__file__)) + "/"
ML = "[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]"

def case(name, args, code, err=None, stdin=None):
    with open(E + name + ".args", "w") as f:
        f.write("".join(a + "\n" for a in args))
    with open(E + name + ".exit", "w") as f:
        f.write("%d\n" % code)
    for ext, content in ((".err", err), (".stdin", stdin)):
        path = E + name + ext
        if content is not None:
            with open(path, "w") as f:
                f.write(content + ("\n" if ext == ".err" else ""))
        elif os.path.exists(path):
            os.remove(path)

# ---- bad data (exit 1) ----
case("ragged-file", ["pool", "@DATA@/ragged.txt"], 1, "ragged.txt:2:")
case("ragged-literal", ["pool", "-m", "1 2; 3"], 1, "--matrix:1:")
case("ragged-nested", ["pool", "-m", "[[1,2],[3]]"], 1, "--matrix:1:")
case("ragged-stdin", ["pool", "-"], 1, "<stdin>:3:", stdin="1 2\n3 4\n5\n")
case("not-a-number-csv", ["pool", "@DATA@/words.csv"], 1, "words.csv:2:")
case("not-a-number-literal", ["pool", "-m", "1 2; 3 x"], 1, "--matrix:1:")
case("hex-number", ["pool", "-m", "0x10 1; 2 3"], 1, "--matrix:1:")
case("unclosed-bracket", ["pool", "-m", "[[1,2],[3,4]"], 1, "--matrix")
case("rank5-literal", ["pool", "-m", "[[[[[1]]]]]"], 1, "--matrix")
case("empty-file", ["pool", "@DATA@/empty.txt"], 1, "empty.txt")
case("empty-stdin", ["pool", "-"], 1, "<stdin>", stdin="")
case("empty-literal", ["pool", "-m", ""], 1, "--matrix")
case("blank-literal", ["pool", "-m", "  ;  "], 1, "--matrix")
case("window-larger-than-input", ["pool", "-m", "1 2; 3 4", "-k", "3"], 1, "--kernel")
case("dilated-window-too-large", ["pool", "-m", ML, "-k", "2", "--dilation", "4"], 1,
     "--kernel")
case("stochastic-negative", ["pool", "@DATA@/negative.txt", "--op", "stochastic"], 1, "negative.txt")
case("stochastic-negative-eval", ["pool", "-m", "1 -2; 3 4", "--op", "stochastic",
                                  "--mode", "eval"], 1)
case("npy-missing", ["pool", "@DATA@/no-such-file.npy"], 1, "no-such-file.npy")
case("txt-missing", ["pool", "@DATA@/no-such-file.txt"], 1, "no-such-file.txt")
case("npy-truncated", ["pool", "@DATA@/truncated.npy"], 1, "truncated.npy")
case("npy-object", ["pool", "@DATA@/object.npy"], 1, "object.npy")
case("npy-huge-shape", ["pool", "@DATA@/huge.npy"], 1, "huge.npy")
case("npy-bad-magic", ["pool", "@DATA@/bad-magic.npy"], 1, "bad-magic.npy")
case("png-not-a-png", ["pool", "@DATA@/not-png.png"], 1, "not-png.png")
case("input-is-a-folder", ["pool", "@DATA@"], 1)
case("max-elements", ["pool", "--max-elements", "4", "-m", "1 2 3; 4 5 6"], 1, "--max-elements")
case("max-dim", ["pool", "--max-dim", "3", "-m", ML], 1, "--max-dim")
case("samples-file-shape", ["pool", "-m", ML, "--op", "fractional", "--samples",
                            "@DATA@/samples-shape.npy"], 1, "samples-shape.npy")
case("samples-file-missing", ["pool", "-m", ML, "--op", "fractional", "--samples",
                              "@DATA@/no-such-samples.npy"], 1, "no-such-samples.npy")
case("fractional-too-small", ["pool", "-m", "1", "--op", "fractional"], 1)

# ---- I/O: nothing may be left behind ----
case("output-folder-missing", ["pool", "-m", ML, "-o", "@TMP@/missing/out.npy"], 1,
     "missing/out.npy")
case("output-folder-missing-txt", ["pool", "-m", ML, "-o", "@TMP@/missing/out.txt"], 1,
     "missing/out.txt")
case("output-is-a-folder", ["pool", "-m", ML, "-o", "@TMP@"], 1)
case("indices-folder-missing", ["pool", "-m", ML, "--indices", "@TMP@/missing/idx.npy"], 1,
     "missing/idx.npy")
case("indices-ok-output-fails", ["pool", "-m", ML, "--indices", "@TMP@/idx.npy", "-o",
                                 "@TMP@/missing/out.npy"], 1, "missing/out.npy")
case("data-error-with-output", ["pool", "-m", "1 2; 3", "-o", "@TMP@/out.txt"], 1)
case("stochastic-negative-with-output", ["pool", "@DATA@/negative.txt", "--op", "stochastic",
                                         "-o", "@TMP@/out.png", "--indices",
                                         "@TMP@/idx.npy"], 1)

# ---- bad usage (exit 2) ----
case("kernel-zero", ["pool", "-m", ML, "-k", "0"], 2, "--kernel")
case("kernel-negative", ["pool", "-m", ML, "--kernel", "-2"], 2, "--kernel")
case("kernel-not-a-number", ["pool", "-m", ML, "--kernel", "two"], 2, "--kernel")
case("kernel-three-sizes", ["pool", "-m", ML, "--kernel", "2x2x2"], 2, "--kernel")
case("stride-zero", ["pool", "-m", ML, "-s", "0"], 2, "--stride")
case("stride-negative", ["pool", "-m", ML, "--stride=-1"], 2, "--stride")
case("dilation-zero", ["pool", "-m", ML, "--dilation", "0"], 2, "--dilation")
case("padding-over-half", ["pool", "-m", ML, "-k", "2", "--padding", "2"], 2, "--padding")
case("padding-over-half-rect", ["pool", "-m", ML, "-k", "3x2", "--padding", "1x2"], 2,
     "--padding")
case("padding-negative", ["pool", "-m", ML, "--padding", "-1"], 2, "--padding")
case("padding-word", ["pool", "-m", ML, "--padding", "full"], 2, "--padding")
case("power-zero", ["pool", "-m", ML, "--op", "lp", "-p", "0"], 2, "--power")
case("power-negative", ["pool", "-m", ML, "--op", "power", "--power", "-1"], 2, "--power")
case("power-not-a-number", ["pool", "-m", ML, "--op", "lp", "-p", "three"], 2, "--power")
case("unknown-op", ["pool", "-m", ML, "--op", "median"], 2, "--op")
case("unknown-option", ["pool", "-m", ML, "--kernal", "2"], 2, "did you mean --kernel?")
case("unknown-option-far", ["pool", "-m", ML, "--frobnicate"], 2, "--frobnicate")
case("unknown-short-option", ["pool", "-m", ML, "-x"], 2, "-x")
case("ambiguous-option", ["pool", "-m", ML, "--s", "1"], 2, "ambiguous")
case("flag-with-value", ["pool", "-m", ML, "--global=yes"], 2, "--global")
case("missing-value-last", ["pool", "-m", ML, "--kernel"], 2, "--kernel")
case("missing-value-matrix", ["pool", "-m"], 2, "--matrix")
case("missing-value-before-option", ["pool", "-m", ML, "-k", "--stride", "1"], 2, "--kernel")
case("no-input", ["pool"], 2, "no matrix given")
case("matrix-and-file", ["pool", "-m", ML, "@DATA@/m4.txt"], 2)
case("two-inputs", ["pool", "@DATA@/m4.txt", "@DATA@/m4.npy"], 2)
case("to-unknown-format", ["pool", "-m", ML, "--to", "xls"], 2, "--to")
case("color-unknown", ["pool", "-m", ML, "--color", "sometimes"], 2, "--color")
case("threads-not-a-number", ["pool", "-m", ML, "--threads", "many"], 2, "--threads")
case("max-dim-zero", ["pool", "-m", ML, "--max-dim", "0"], 2, "--max-dim")
case("divisor-zero", ["pool", "-m", ML, "--op", "avg", "--divisor", "0"], 2, "--divisor")
case("levels-zero", ["pool", "-m", ML, "--op", "spp", "--levels", "1,0"], 2, "--levels")
case("levels-word", ["pool", "-m", ML, "--op", "spp", "--levels", "one"], 2, "--levels")
case("ratio-below-one", ["pool", "-m", ML, "--op", "fractional", "--ratio", "0.5"], 2, "--ratio")
case("ratio-and-output-size", ["pool", "-m", ML, "--op", "fractional", "--ratio", "2",
                               "--output-size", "2"], 2)
case("samples-out-of-range", ["pool", "-m", ML, "--op", "fractional", "--samples", "1.5,0.2"],
     2, "--samples")
case("mode-unknown", ["pool", "-m", ML, "--op", "stochastic", "--mode", "test-time"], 2, "--mode")
case("fractional-style-unknown", ["pool", "-m", ML, "--op", "fractional",
                                  "--fractional-style", "tf2"], 2, "--fractional-style")
case("seed-negative", ["pool", "-m", ML, "--seed", "-3"], 2, "--seed")
case("adaptive-zero", ["pool", "-m", ML, "--adaptive", "0x2"], 2, "--adaptive")
case("indices-avg", ["pool", "-m", ML, "--op", "avg", "--indices", "@TMP@/idx.npy"], 2,
     "--indices")
case("indices-bilinear", ["pool", "-m", ML, "--op", "bilinear", "--indices", "@TMP@/idx.txt"], 2,
     "--indices")
case("indices-stochastic-eval", ["pool", "-m", ML, "--op", "stochastic", "--mode", "eval",
                                 "--indices", "@TMP@/idx.npy"], 2, "--indices")
case("unknown-subcommand", ["frobnicate"], 2, "frobnicate")
case("misspelled-subcommand", ["pol", "-m", ML], 2, "did you mean pool?")
case("help-unknown-subcommand", ["help", "pooll"], 2, "pooll")
case("default-unknown-option", ["--kernl", "2"], 2, "did you mean --kernel?")
case("default-bad-kernel", ["-k", "0"], 2, "--kernel")
