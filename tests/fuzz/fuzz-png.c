/* fuzz-png.c - the PNG loader (png_io_load_memory), in colour and gray.
 *
 * A picture that loads must be C×H×W with 1 to 4 channels and integer sample
 * values in 0..65535; gray loading gives one channel of the same H×W.  It
 * must also save (png_io_save_memory) and load back with the same shape and,
 * for 8-bit values, the same values.  Chunk checksums are corrected before
 * decoding (except in one input in seven), or almost every mutation would
 * only test libpng's CRC check.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "fuzz.h"
#include "io/png.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    return 0;
}

static void check_picture(const tensor *t, const char *what)
{
    fuzz_check_tensor(t, what);
    if (t->rank != 3 || t->dims[0] < 1 || t->dims[0] > 4)
        fuzz_fail("%s: shape is not C×H×W with C in 1..4 (rank %d, C %zu)", what, t->rank,
                  t->dims[0]);
    for (size_t i = 0; i < t->count; i++) {
        double v = tensor_get(t, i);
        if (!(v >= 0 && v <= 65535) || v != floor(v))
            fuzz_fail("%s: sample %zu is %.17g", what, i, v);
    }
}

static void round_trip(const tensor *t)
{
    pv_error err = { 0 };
    void *png = NULL;
    size_t png_size = 0;
    if (png_io_save_memory(&png, &png_size, t, false, &err) != PV_OK)
        fuzz_fail("png save of a loaded picture failed: %s: %s", err.subject, err.message);
    tensor *back = png_io_load_memory(png, png_size, false, &err);
    if (back == NULL)
        fuzz_fail("png round trip: cannot load what was saved: %s: %s", err.subject,
                  err.message);
    bool same = back->rank == 3 && back->count == t->count;
    for (int i = 0; same && i < 3; i++)
        same = back->dims[i] == t->dims[i];
    if (!same)
        fuzz_fail("png round trip: %zux%zux%zu became rank %d count %zu", t->dims[0],
                  t->dims[1], t->dims[2], back->rank, back->count);
    bool eight_bit = true;
    for (size_t i = 0; eight_bit && i < t->count; i++)
        eight_bit = tensor_get(t, i) <= 255;
    for (size_t i = 0; eight_bit && i < t->count; i++)
        if (tensor_get(t, i) != tensor_get(back, i))
            fuzz_fail("png round trip: sample %zu was %g, read back %g", i, tensor_get(t, i),
                      tensor_get(back, i));
    tensor_free(back);
    pv_free(png);
}

/* PNG's CRC-32 (ISO 3309), bitwise: the inputs are small. */
static uint32_t png_crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

/* Give every whole chunk after the signature its correct CRC, so that
 * mutations reach the decoder instead of stopping at the checksum. */
static void fix_crcs(uint8_t *p, size_t size)
{
    size_t pos = 8;
    while (pos + 12 <= size) {
        size_t len = (size_t)p[pos] << 24 | (size_t)p[pos + 1] << 16 | (size_t)p[pos + 2] << 8 |
                     p[pos + 3];
        if (len > size - pos - 12)
            break;
        uint32_t c = png_crc(p + pos + 4, len + 4);
        uint8_t *q = p + pos + 8 + len;
        q[0] = (uint8_t)(c >> 24);
        q[1] = (uint8_t)(c >> 16);
        q[2] = (uint8_t)(c >> 8);
        q[3] = (uint8_t)c;
        pos += len + 12;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    fuzz_limits_reset();
    /* One input in seven keeps its checksums as given (damaged files). */
    uint8_t *data = malloc(size ? size : 1);
    if (data == NULL)
        abort();
    if (size > 0)
        memcpy(data, input, size);
    if (size % 7 != 0)
        fix_crcs(data, size);
    pv_error err = { 0 };
    tensor *color = png_io_load_memory(data, size, false, &err);
    if (color == NULL) {
        fuzz_check_error(&err, "png_io_load_memory");
    } else {
        check_picture(color, "png_io_load_memory");
        round_trip(color);
    }

    pv_error gray_err = { 0 };
    tensor *gray = png_io_load_memory(data, size, true, &gray_err);
    /* Only the size limit may tell them apart (colour has more channels). */
    if ((gray == NULL) != (color == NULL) &&
        (color != NULL || err.status != PV_ERR_LIMIT))
        fuzz_fail("png: loads %s in colour but %s in gray (%s)", color ? "fine" : "not",
                  gray ? "fine" : "not", color ? gray_err.message : err.message);
    if (gray != NULL && color != NULL) {
        check_picture(gray, "png_io_load_memory gray");
        if (gray->dims[0] != 1 || gray->dims[1] != color->dims[1] ||
            gray->dims[2] != color->dims[2])
            fuzz_fail("png gray: %zux%zux%zu for a %zux%zux%zu picture", gray->dims[0],
                      gray->dims[1], gray->dims[2], color->dims[0], color->dims[1],
                      color->dims[2]);
    }
    tensor_free(gray);
    tensor_free(color);
    free(data);
    return 0;
}
