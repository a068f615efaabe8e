/* fuzz-text.c - the matrix text and literal parser (io_parse_matrix).
 *
 * Whatever it accepts must print (design §4 text form) and read back to the
 * same shape and the same values within the 8 printed digits.  The same
 * bytes fed to a text_reader in chunks of sizes drawn from the input itself
 * (1 to 64 bytes, so words, a BOM and line ends are cut everywhere) must
 * give the same tensor or the same error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "io/iofile.h"
#include "io/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    return 0;
}

/* The text form reads back with the same rank, except that a rank-1 tensor
 * prints as one line, which reads back as 1×N. */
static void check_same(const tensor *a, const tensor *b)
{
    bool shape_ok = a->count == b->count;
    if (shape_ok && a->rank == 1)
        shape_ok = b->rank == 2 && b->dims[0] == 1 && b->dims[1] == a->dims[0];
    else if (shape_ok) {
        shape_ok = a->rank == b->rank;
        for (int i = 0; shape_ok && i < a->rank; i++)
            shape_ok = a->dims[i] == b->dims[i];
    }
    if (!shape_ok)
        fuzz_fail("text round trip: rank %d count %zu became rank %d count %zu", a->rank,
                  a->count, b->rank, b->count);
    for (size_t i = 0; i < a->count; i++)
        if (!fuzz_close(tensor_get(a, i), tensor_get(b, i), 1e-7))
            fuzz_fail("text round trip: element %zu was %.17g, read back %.17g", i,
                      tensor_get(a, i), tensor_get(b, i));
}

/* Feed data in chunks whose sizes come from a hash of the data; compare
 * with the whole parse (t, or err when t is NULL). */
static void check_chunks(const uint8_t *data, size_t size, const tensor *t, const pv_error *err)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    pv_error cerr = { 0 };
    text_reader *r = text_reader_new("--matrix", &cerr);
    if (r == NULL)
        fuzz_fail("text_reader_new failed");
    size_t at = 0;
    pv_status st = PV_OK;
    while (at < size && st == PV_OK) {
        h ^= h << 13;
        h ^= h >> 17;
        h ^= h << 5;
        size_t n = 1 + h % ((h >> 8) % 2 ? 4 : 64);
        if (n > size - at)
            n = size - at;
        st = text_reader_feed(r, (const char *)data + at, n, &cerr);
        at += n;
    }
    tensor *c = st == PV_OK ? text_reader_finish(r, &cerr) : NULL;
    text_reader_free(r);
    if ((c == NULL) != (t == NULL))
        fuzz_fail("chunked parse %s what the whole parse %s: %s: %s",
                  c ? "accepted" : "refused", t ? "accepted" : "refused",
                  c ? err->subject : cerr.subject, c ? err->message : cerr.message);
    if (c == NULL) {
        if (strcmp(cerr.subject, err->subject) != 0 || strcmp(cerr.message, err->message) != 0)
            fuzz_fail("chunked parse: %s: %s; whole parse: %s: %s", cerr.subject, cerr.message,
                      err->subject, err->message);
        return;
    }
    bool same = c->rank == t->rank && c->count == t->count;
    for (int d = 0; same && d < c->rank; d++)
        same = c->dims[d] == t->dims[d];
    for (size_t i = 0; same && i < c->count; i++) {
        double a = tensor_get(c, i), b = tensor_get(t, i);
        same = a == b || (isnan(a) && isnan(b));
    }
    if (!same)
        fuzz_fail("chunked parse and whole parse give different tensors");
    tensor_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    pv_error err = { 0 };
    tensor *t = io_parse_matrix((const char *)data, size, "--matrix", &err);
    check_chunks(data, size, t, &err);
    if (t == NULL) {
        fuzz_check_error(&err, "io_parse_matrix");
        return 0;
    }
    fuzz_check_tensor(t, "io_parse_matrix");
    if (t->dtype != TENSOR_F64)
        fuzz_fail("io_parse_matrix: result is not float64");

    fuzz_buffer out;
    pv_status st = io_write_stream(fuzz_buffer_open(&out), t, IO_FORMAT_TXT, &err);
    fuzz_buffer_close(&out);
    if (st != PV_OK)
        fuzz_fail("text write failed: %s: %s", err.subject, err.message);
    tensor *back = io_parse_matrix(out.data, out.size, "round trip", &err);
    if (back == NULL)
        fuzz_fail("text round trip: cannot read back what was written: %s: %s\n%s",
                  err.subject, err.message, out.data);
    check_same(t, back);
    tensor_free(back);
    fuzz_buffer_free(&out);
    tensor_free(t);
    return 0;
}
