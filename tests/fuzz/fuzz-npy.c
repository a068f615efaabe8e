/* fuzz-npy.c - the .npy reader (npy_load_memory) and writer.
 *
 * Whatever the reader accepts must write (npy_write) and read back bit for
 * bit: same dtype, same shape, same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "io/ioarray.h"
#include "io/npy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    pv_error err = { 0 };
    tensor *t = npy_load_memory(data, size, "data.npy", &err);
    if (t == NULL) {
        fuzz_check_error(&err, "npy_load_memory");
        return 0;
    }
    fuzz_check_tensor(t, "npy_load_memory");

    fuzz_buffer out;
    ioarray a = ioarray_from_tensor(t);
    pv_status st = npy_write(fuzz_buffer_open(&out), &a, "out.npy", &err);
    fuzz_buffer_close(&out);
    if (st != PV_OK)
        fuzz_fail("npy write failed: %s: %s", err.subject, err.message);
    tensor *back = npy_load_memory(out.data, out.size, "round trip", &err);
    if (back == NULL)
        fuzz_fail("npy round trip: cannot read back what was written: %s: %s", err.subject,
                  err.message);
    bool same = back->rank == t->rank && back->count == t->count && back->dtype == t->dtype;
    for (int i = 0; same && i < t->rank; i++)
        same = back->dims[i] == t->dims[i];
    if (!same)
        fuzz_fail("npy round trip: rank %d count %zu %s became rank %d count %zu %s", t->rank,
                  t->count, tensor_dtype_name(t->dtype), back->rank, back->count,
                  tensor_dtype_name(back->dtype));
    if (memcmp(t->data, back->data, t->count * tensor_dtype_size(t->dtype)) != 0)
        fuzz_fail("npy round trip: the values changed");
    tensor_free(back);
    fuzz_buffer_free(&out);
    tensor_free(t);
    return 0;
}
