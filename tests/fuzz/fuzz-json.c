/* fuzz-json.c - the JSON reader (json_parse) and writer.
 *
 * What the reader accepts must write and read back with the same shape and
 * values (8 printed digits; NaN as null, infinities as ±1e999).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "io/ioarray.h"
#include "io/json.h"

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
    tensor *t = json_parse((const char *)data, size, "data.json", &err);
    if (t == NULL) {
        fuzz_check_error(&err, "json_parse");
        return 0;
    }
    fuzz_check_tensor(t, "json_parse");

    fuzz_buffer out;
    ioarray a = ioarray_from_tensor(t);
    pv_status st = json_write(fuzz_buffer_open(&out), &a, "out.json", &err);
    fuzz_buffer_close(&out);
    if (st != PV_OK)
        fuzz_fail("JSON write failed: %s: %s", err.subject, err.message);
    tensor *back = json_parse(out.data, out.size, "round trip", &err);
    if (back == NULL)
        fuzz_fail("JSON round trip: cannot read back what was written: %s: %s\n%s",
                  err.subject, err.message, out.data);
    bool same = back->rank == t->rank && back->count == t->count && back->dtype == t->dtype;
    for (int i = 0; same && i < t->rank; i++)
        same = back->dims[i] == t->dims[i];
    if (!same)
        fuzz_fail("JSON round trip: rank %d count %zu %s became rank %d count %zu %s", t->rank,
                  t->count, tensor_dtype_name(t->dtype), back->rank, back->count,
                  tensor_dtype_name(back->dtype));
    for (size_t i = 0; i < t->count; i++)
        if (!fuzz_close(tensor_get(t, i), tensor_get(back, i), 1e-7))
            fuzz_fail("JSON round trip: element %zu was %.17g, read back %.17g", i,
                      tensor_get(t, i), tensor_get(back, i));
    tensor_free(back);
    fuzz_buffer_free(&out);
    tensor_free(t);
    return 0;
}
