#!/usr/bin/env python3
"""Writes the binary and byte-exact input files of the golden and error
tests (run by hand from this folder; the files are committed).  Plain
python3, no numpy: .npy headers are written as the format describes them."""
import struct

def npy(path, shape, values, descr="<f8", version=(1, 0), fortran=False, header=None):
    fmt = {"<f8": "<d", "<f4": "<f", "<i4": "<i", "<i8": "<q", ">f8": ">d", "|u1": "<B"}
    if header is None:
        shp = "(" + "".join("%d, " % d for d in shape)[:-2] + ("," if len(shape) == 1 else "") + ")"
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
            descr, "True" if fortran else "False", shp)
    head = header.encode("latin1")
    size_len = 2 if version[0] == 1 else 4
    total = 6 + 2 + size_len + len(head) + 1
    pad = (64 - total % 64) % 64
    head = head + b" " * pad + b"\n"
    out = b"\x93NUMPY" + bytes(version)
    out += struct.pack("<H" if size_len == 2 else "<I", len(head)) + head
    if descr in fmt:
        out += b"".join(struct.pack(fmt[descr], v) for v in values)
    return out

def write(path, data):
    with open(path, "wb") as f:
        f.write(data)

err = "../../errors/data/"
m4 = [float(i) for i in range(1, 17)]
write("m4.npy", npy("m4.npy", (4, 4), m4))
write("m4-f32.npy", npy("m4-f32.npy", (4, 4), m4, "<f4"))
write("m4-i32.npy", npy("m4-i32.npy", (4, 4), [int(v) for v in m4], "<i4"))
# 2 x 4 x 4: channel 0 is 1..16, channel 1 is 16..1
write("t3.npy", npy("t3.npy", (2, 4, 4), m4 + m4[::-1]))
# 2 x 1 x 2 x 4: sample 0 is 1..8, sample 1 is 10, 20, .. 80
write("t4.npy", npy("t4.npy", (2, 1, 2, 4), [float(i) for i in range(1, 9)] +
                    [10.0 * i for i in range(1, 9)]))
# fractional torch samples, shape (1, 1, 2): u_w = 0.5, u_h = 0.25
write("samples.npy", npy("samples.npy", (1, 1, 2), [0.5, 0.25]))
# an empty batch: 0 x 2 x 4 x 4 (no data after the header), and 0 x 4
write("n0.npy", npy("n0.npy", (0, 2, 4, 4), [], "<f4"))
write(err + "n0-2d.npy", npy("n0-2d.npy", (0, 4), [], "<f4"))
# text forms
write("m4.txt", b"1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 16\n")
write("m4-bom-crlf.csv", b"\xef\xbb\xbf1,2,3,4\r\n5,6,7,8\r\n9,10,11,12\r\n13,14,15,16\r\n")
write("m5.txt", "".join(" ".join(str(5 * r + c + 1) for c in range(5)) + "\n"
                        for r in range(5)).encode())

# ---- the error corpus ----
err = "../../errors/data/"
write(err + "ragged.txt", b"1 2 3\n4 5\n")
write(err + "words.csv", b"1,2\n3,four\n")
write(err + "empty.txt", b"")
write(err + "negative.txt", b"1 2\n-3 4\n")
write(err + "truncated.npy", npy("", (4, 4), m4)[:100])
write(err + "object.npy", npy("", (2,), [], "|O"))
write(err + "huge.npy", npy("", (100000, 100000, 100000), [], "<f8"))
write(err + "bad-magic.npy", b"NUMPY\x01\x00" + b"\x00" * 100)
write(err + "not-png.png", b"this is a text file, not a picture\n")
write(err + "samples-shape.npy", npy("", (1, 3), [0.1, 0.2, 0.3]))
