/* fuzz-text.c - the matrix text and literal parser (io_parse_matrix).
 *
 * Whatever it accepts must print (design §4 text form) and read back to the
 * same shape and the same values within the 8 printed digits.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "io/iofile.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    pv_error err = { 0 };
    tensor *t = io_parse_matrix((const char *)data, size, "--matrix", &err);
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
