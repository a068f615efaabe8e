/* fuzz-plan.c - random parameter combinations on small random tensors.
 *
 * The input bytes are read as a recipe:
 *   byte 0      rank (1..4) and dtype (float32 / float64)
 *   bytes 1..4  the dims, 1..16 each (the leading ones 1..3)
 *   then        settings, each a key byte and a value: a value byte below
 *               0xC0 picks a value from a table of telling ones; otherwise
 *               the value is the text up to the next NUL
 *   a 0xFF key  ends the settings; the rest fills the tensor, one byte per
 *               element, from a table of values (integers, fractions,
 *               negatives, zero, huge, tiny, NaN, infinities)
 * Each setting goes through pool_params_set as the command line's would;
 * whatever is accepted is planned, pooled and explained (fuzz-pool.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-pool.h"
#include "fuzz.h"

static const char *const telling_values[] = {
    "0", "1", "2", "3", "4", "5", "7", "-1", "-2", "1x2", "2x1", "2x3", "3x2", "1x1", "4x4",
    "0x2", "16x16", "same", "valid", "SAME", "inf", "-inf", "nan", "0.5", "1.5", "2.5", "0.05",
    "1e-9", "1e9", "1e308", "2147483647", "2147483648", "-2147483648", "9223372036854775807",
    "18446744073709551616", "true", "false", "on", "off", "", "1,2,4", "1,1", "3,2,1", "0,1",
    "1,2,4,8,16,32", "torch", "graham", "train", "eval", "max", "min", "avg", "sum", "l2", "lp",
    "power", "stochastic", "fractional", "spp", "bilinear", "mean", "0.3,0.7", "0,0.999",
    "1,0", "0.5,0.5", "1.4142", "2x2x2", "x", "2x", "x2", " 2", "2 ", "0x0", "65536",
    "4294967297", "1e400", "-0", "0.0", "softpool", "lse", "median", "mixed", "gem", "0.25",
    "1e-300", "700", "1e6", "maxblur", "7", "8",
};
#define TELLING_COUNT (sizeof telling_values / sizeof telling_values[0])

static const double element_values[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 100, 255, 1000,
    -1, -2, -3, -5, -8, -100, 0.5, 0.25, 0.1, 1.5, 2.75, -0.5, -0.125, 1e-3, 1e6, -1e6,
    1e15, -1e15, 3.4e38, -3.4e38, 1e300, -1e300, 1e-300, 4.9e-324, -0.0,
};
#define ELEMENT_COUNT (sizeof element_values / sizeof element_values[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    return 0;
}

static double element_from_byte(uint8_t b)
{
    if (b == 0xFD)
        return NAN;
    if (b == 0xFE)
        return INFINITY;
    if (b == 0xFF)
        return -INFINITY;
    if (b >= 0xC0)      /* small integers, the common case for max/min ties */
        return (double)(b - 0xC0) - 8;
    return element_values[b % ELEMENT_COUNT];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    if (size < 5)
        return 0;
    int rank = 1 + data[0] % 4;
    tensor_dtype dtype = (data[0] & 0x10) ? TENSOR_F32 : TENSOR_F64;
    size_t dims[TENSOR_MAX_RANK];
    for (int i = 0; i < rank; i++) {
        bool leading = rank >= 3 && i < rank - 2;
        dims[i] = 1 + data[1 + i] % (leading ? 3 : 16);
    }
    size_t pos = 5;

    pool_params params;
    pool_params_init(&params);
    const char *const *keys = pool_params_keys();
    size_t key_count = 0;
    while (keys[key_count] != NULL)
        key_count++;
    static const char *const aliases[] = { "k", "s", "p", "pad", "d", "operator", "bogus" };
    const size_t alias_count = sizeof aliases / sizeof aliases[0];

    for (int n = 0; n < 24 && pos < size && data[pos] != 0xFF; n++) {
        size_t pick = data[pos++] % (key_count + alias_count);
        const char *key = pick < key_count ? keys[pick] : aliases[pick - key_count];
        char value[96];
        if (pos < size && data[pos] < 0xC0) {
            snprintf(value, sizeof value, "%s", telling_values[data[pos] % TELLING_COUNT]);
            pos++;
        } else {
            size_t start = pos < size ? pos + 1 : pos, end = start;
            while (end < size && data[end] != 0 && end - start < sizeof value - 1)
                end++;
            memcpy(value, data + start, end - start);
            value[end - start] = '\0';
            pos = end < size ? end + 1 : end;
        }
        pv_error err = { 0 };
        if (pool_params_set(&params, key, value, &err) != PV_OK) {
            fuzz_check_error(&err, "pool_params_set");
            if (err.status != PV_ERR_USAGE)
                fuzz_fail("pool_params_set %s=%s: status %d, expected usage", key, value,
                          (int)err.status);
        }
    }
    if (pos < size)
        pos++;

    pv_error err = { 0 };
    tensor *input = tensor_new(dtype, rank, dims, &err);
    if (input == NULL)
        fuzz_fail("tensor_new of a small tensor failed: %s", err.message);
    for (size_t i = 0; i < input->count; i++)
        tensor_set(input, i, element_from_byte(pos < size ? data[pos + i % (size - pos)] : 0));

    pool_params copy;
    if (pool_params_copy(&copy, &params, &err) != PV_OK)
        fuzz_fail("pool_params_copy: %s", err.message);
    fuzz_pool_check(&copy, input);

    pool_params_release(&copy);
    pool_params_release(&params);
    tensor_free(input);
    return 0;
}
