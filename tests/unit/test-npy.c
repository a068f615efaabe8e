/* test-npy.c - .npy reading and writing.  Every input file is built byte by
 * byte here, so the test needs no numpy. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/alloc.h"
#include "core/tensor.h"
#include "io/ioarray.h"
#include "io/npy.h"

static char temp_dir[256];

/* ---- building .npy images ------------------------------------------------ */

typedef struct bytes {
    unsigned char data[8192];
    size_t len;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->len + n > sizeof b->data) {
        fprintf(stderr, "test buffer too small\n");
        exit(99);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_uint(bytes *b, uint64_t v, size_t size, bool big)
{
    for (size_t i = 0; i < size; i++) {
        size_t shift = big ? size - 1 - i : i;
        unsigned char c = (unsigned char)(v >> (8 * shift));
        put(b, &c, 1);
    }
}

/* Magic, version major.0, header length, dict padded with spaces and a
 * newline to a multiple of 64 bytes. */
static void put_header(bytes *b, int major, const char *dict)
{
    size_t prefix = major == 1 ? 10 : 12;
    size_t total = prefix + strlen(dict) + 1;
    total += (64 - total % 64) % 64;
    put(b, "\x93NUMPY", 6);
    unsigned char version[2] = { (unsigned char)major, 0 };
    put(b, version, 2);
    put_uint(b, total - prefix, prefix - 8, false);
    put(b, dict, strlen(dict));
    while (b->len + 1 < total)
        put(b, " ", 1);
    put(b, "\n", 1);
}

static void put_f64(bytes *b, double v, bool big)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_uint(b, u, 8, big);
}

static void put_f32(bytes *b, float v, bool big)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    put_uint(b, u, 4, big);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(99);
    }
}

static void temp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", temp_dir, name);
}

/* Load b both from a file and from memory; the two must agree. */
static tensor *load(const bytes *b, pv_error *err)
{
    char path[300];
    temp_path(path, sizeof path, "in.npy");
    write_file(path, b->data, b->len);
    pv_error_clear(err);
    tensor *t = npy_load_file(path, err);
    pv_error merr;
    pv_error_clear(&merr);
    tensor *m = npy_load_memory(b->data, b->len, path, &merr);
    CHECK((t == NULL) == (m == NULL));
    if (t == NULL && m == NULL)
        CHECK_MSG(strcmp(err->message, merr.message) == 0 && err->status == merr.status,
                  "file: %s / memory: %s", err->message, merr.message);
    if (t != NULL && m != NULL)
        CHECK(t->dtype == m->dtype && t->count == m->count &&
              memcmp(t->data, m->data, t->count * tensor_dtype_size(t->dtype)) == 0);
    tensor_free(m);
    unlink(path);
    return t;
}

static void check_tensor(const tensor *t, tensor_dtype dtype, int rank, const size_t *dims,
                         const double *values, const char *what)
{
    CHECK_MSG(t != NULL, "%s: load failed", what);
    if (t == NULL)
        return;
    CHECK_MSG(t->dtype == dtype, "%s: dtype %s", what, tensor_dtype_name(t->dtype));
    CHECK_MSG(t->rank == rank, "%s: rank %d", what, t->rank);
    for (int k = 0; k < rank && k < t->rank; k++)
        CHECK_MSG(t->dims[k] == dims[k], "%s: dim %d = %zu", what, k, t->dims[k]);
    for (size_t i = 0; values != NULL && i < t->count; i++) {
        double got = tensor_get(t, i);
        CHECK_MSG(got == values[i] || (isnan(got) && isnan(values[i])),
                  "%s: [%zu] = %.17g, expected %.17g", what, i, got, values[i]);
    }
}

static void check_load_error(const bytes *b, pv_status status, const char *reason)
{
    pv_error err;
    tensor *t = load(b, &err);
    CHECK_MSG(t == NULL, "expected \"%s\"", reason);
    tensor_free(t);
    CHECK_MSG(err.status == status, "status %d for \"%s\" (%s)", err.status, reason, err.message);
    CHECK_MSG(strstr(err.message, reason) != NULL, "message \"%s\" lacks \"%s\"", err.message,
              reason);
    CHECK_MSG(strstr(err.subject, "in.npy") != NULL, "subject \"%s\"", err.subject);
}

/* ---- reading ------------------------------------------------------------- */

static void test_floats(void)
{
    const double v6[] = { 1, 2.5, -3, 1e300, NAN, -INFINITY };
    const size_t d23[] = { 2, 3 };
    pv_error err;

    for (int big = 0; big <= 1; big++) {
        bytes b = { .len = 0 };
        put_header(&b, 1,
                   big ? "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }"
                       : "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
        for (int i = 0; i < 6; i++)
            put_f64(&b, v6[i], big);
        tensor *t = load(&b, &err);
        check_tensor(t, TENSOR_F64, 2, d23, v6, big ? ">f8" : "<f8");
        tensor_free(t);
    }

    const double v3[] = { 0.1f, -2, 3.5 };
    for (int big = 0; big <= 1; big++) {
        bytes b = { .len = 0 };
        put_header(&b, 1,
                   big ? "{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }"
                       : "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
        for (int i = 0; i < 3; i++)
            put_f32(&b, (float)v3[i], big);
        tensor *t = load(&b, &err);
        check_tensor(t, TENSOR_F32, 1, (const size_t[]){ 3 }, v3, big ? ">f4" : "<f4");
        tensor_free(t);
    }

    /* float16: normal, negative, fraction, largest, smallest subnormal,
     * infinity, NaN, negative zero. */
    const uint16_t halves[] = { 0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x7C00, 0x7E00, 0x8000 };
    const double hv[] = { 1, -2, 0.5, 65504, 5.9604644775390625e-08, INFINITY, NAN, -0.0 };
    for (int big = 0; big <= 1; big++) {
        bytes b = { .len = 0 };
        put_header(&b, 1,
                   big ? "{'descr': '>f2', 'fortran_order': False, 'shape': (2, 2, 2), }"
                       : "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2, 2), }");
        for (int i = 0; i < 8; i++)
            put_uint(&b, halves[i], 2, big);
        tensor *t = load(&b, &err);
        check_tensor(t, TENSOR_F32, 3, (const size_t[]){ 2, 2, 2 }, hv, "f2");
        CHECK(t != NULL && signbit(tensor_get(t, 7)));
        tensor_free(t);
    }
}

static void test_integers(void)
{
    static const struct {
        const char *descr;
        size_t size;
        bool big;
        uint64_t raw[3];
        double want[3];
    } cases[] = {
        { "|i1", 1, false, { 0xFF, 0x7F, 0x80 }, { -1, 127, -128 } },
        { "<i2", 2, false, { 0xFFFF, 0x7FFF, 0x8000 }, { -1, 32767, -32768 } },
        { ">i2", 2, true, { 0xFFFE, 0x0102, 0x8000 }, { -2, 258, -32768 } },
        { "<i4", 4, false, { 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000 }, { -1, 2147483647, -2147483648.0 } },
        { ">i4", 4, true, { 0xFFFFFFF6, 1000000, 0 }, { -10, 1000000, 0 } },
        { "<i8", 8, false, { UINT64_MAX, 1ull << 53, 1ull << 63 }, { -1, 9007199254740992.0, -9223372036854775808.0 } },
        { ">i8", 8, true, { UINT64_MAX - 4, 42, 7 }, { -5, 42, 7 } },
        { "|u1", 1, false, { 0, 128, 255 }, { 0, 128, 255 } },
        { "<u2", 2, false, { 65535, 1, 256 }, { 65535, 1, 256 } },
        { ">u2", 2, true, { 65535, 1, 256 }, { 65535, 1, 256 } },
        { "<u4", 4, false, { 4294967295u, 3, 0 }, { 4294967295.0, 3, 0 } },
        { "<u8", 8, false, { UINT64_MAX, 5, 1ull << 40 }, { 18446744073709551615.0, 5, 1099511627776.0 } },
        { ">u8", 8, true, { 1ull << 63, 5, 9 }, { 9223372036854775808.0, 5, 9 } },
        { "|b1", 1, false, { 0, 1, 1 }, { 0, 1, 1 } },
        { "|b1", 1, false, { 1, 0, 2 }, { 1, 0, 1 } },
        { "?", 1, false, { 1, 1, 0 }, { 1, 1, 0 } },
    };
    pv_error err;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (1, 3), }",
                 cases[c].descr);
        bytes b = { .len = 0 };
        put_header(&b, 1, dict);
        for (int i = 0; i < 3; i++)
            put_uint(&b, cases[c].raw[i], cases[c].size, cases[c].big);
        tensor *t = load(&b, &err);
        check_tensor(t, TENSOR_F64, 2, (const size_t[]){ 1, 3 }, cases[c].want, cases[c].descr);
        tensor_free(t);
    }
}

static void test_orders_and_versions(void)
{
    pv_error err;
    /* Fortran order 2x3: memory holds column after column. */
    bytes b = { .len = 0 };
    put_header(&b, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }");
    const double fortran[] = { 1, 4, 2, 5, 3, 6 };
    for (int i = 0; i < 6; i++)
        put_f64(&b, fortran[i], false);
    tensor *t = load(&b, &err);
    check_tensor(t, TENSOR_F64, 2, (const size_t[]){ 2, 3 }, (const double[]){ 1, 2, 3, 4, 5, 6 },
                 "fortran 2x3");
    tensor_free(t);

    /* Fortran order 2x3x4 int16 big endian: element (i,j,k) = 100i + 10j + k. */
    b.len = 0;
    put_header(&b, 1, "{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3, 4), }");
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 2; i++)
                put_uint(&b, (uint64_t)(100 * i + 10 * j + k), 2, true);
    double want[24];
    for (int i = 0, n = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                want[n++] = 100 * i + 10 * j + k;
    t = load(&b, &err);
    check_tensor(t, TENSOR_F64, 3, (const size_t[]){ 2, 3, 4 }, want, "fortran 2x3x4");
    tensor_free(t);

    /* Fortran order float32 rank 4. */
    b.len = 0;
    put_header(&b, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2, 1, 2), }");
    const float f4[] = { 1, 3, 2, 4 };   /* (0,c,0,w): c fastest */
    for (int i = 0; i < 4; i++)
        put_f32(&b, f4[i], false);
    t = load(&b, &err);
    check_tensor(t, TENSOR_F32, 4, (const size_t[]){ 1, 2, 1, 2 },
                 (const double[]){ 1, 2, 3, 4 }, "fortran f4 rank 4");
    tensor_free(t);

    /* Versions 2.0 and 3.0 (4-byte header length), keys in another order,
     * double quotes, a Python 2 long, no trailing comma. */
    for (int major = 2; major <= 3; major++) {
        b.len = 0;
        put_header(&b, major, "{\"shape\": (2L, 2L), \"fortran_order\": False, \"descr\": \"<u2\"}");
        for (int i = 0; i < 4; i++)
            put_uint(&b, (uint64_t)(i + 1), 2, false);
        t = load(&b, &err);
        check_tensor(t, TENSOR_F64, 2, (const size_t[]){ 2, 2 }, (const double[]){ 1, 2, 3, 4 },
                     major == 2 ? "v2.0" : "v3.0");
        tensor_free(t);
    }

    /* Bytes after the data are ignored, as numpy does. */
    b.len = 0;
    put_header(&b, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }");
    put(&b, "\x07\x08\x09", 3);
    t = load(&b, &err);
    check_tensor(t, TENSOR_F64, 1, (const size_t[]){ 2 }, (const double[]){ 7, 8 }, "extra");
    tensor_free(t);
}

static void test_errors(void)
{
    bytes b = { .len = 0 };
    pv_error err;

    /* Missing file and a directory. */
    char path[300];
    temp_path(path, sizeof path, "missing.npy");
    tensor *t = npy_load_file(path, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO && strcmp(err.subject, path) == 0 &&
          strstr(err.message, "No such file") != NULL);
    t = npy_load_file(temp_dir, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO && strstr(err.message, "directory") != NULL);

    /* Not .npy at all; empty; cut inside the magic, the length, the header. */
    b.len = 0;
    put(&b, "hello, world", 12);
    check_load_error(&b, PV_ERR_DATA, "not a .npy file");
    b.len = 0;
    check_load_error(&b, PV_ERR_DATA, "not a .npy file");
    put(&b, "\x93NUM", 4);
    check_load_error(&b, PV_ERR_DATA, "not a .npy file");
    b.len = 0;
    put(&b, "\x93NUMPY\x01", 7);
    check_load_error(&b, PV_ERR_DATA, "truncated");
    b.len = 0;
    put(&b, "\x93NUMPY\x01\x00\x76", 9);
    check_load_error(&b, PV_ERR_DATA, "truncated");
    b.len = 0;
    put_header(&b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    b.len -= 10;
    check_load_error(&b, PV_ERR_DATA, "truncated .npy file: it ends inside the header");

    /* Unknown versions. */
    b.len = 0;
    put(&b, "\x93NUMPY\x04\x00\x10\x00", 10);
    check_load_error(&b, PV_ERR_DATA, "unsupported .npy format version 4.0");
    b.len = 0;
    put(&b, "\x93NUMPY\x01\x01\x10\x00", 10);
    check_load_error(&b, PV_ERR_DATA, "version 1.1");

    /* A header that claims to be huge, before anything is allocated. */
    b.len = 0;
    put(&b, "\x93NUMPY\x02\x00\x00\x00\x00\x40", 12);
    check_load_error(&b, PV_ERR_DATA, "the .npy header claims 1073741824 bytes");

    /* Data shorter than the header says: checked against the file size. */
    b.len = 0;
    put_header(&b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    for (int i = 0; i < 5; i++)
        put_f64(&b, i, false);
    check_load_error(&b, PV_ERR_DATA, "the header says 2x3 items of 8 bytes (48 bytes) but only 40");
    b.len = 0;
    put_header(&b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }");
    check_load_error(&b, PV_ERR_LIMIT, "over the limit");
    b.len = 0;
    put_header(&b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4000, 4000), }");
    check_load_error(&b, PV_ERR_DATA, "truncated");

    /* Shapes: scalar, rank 5, empty, overflowing, over the limits. */
    struct {
        const char *dict;
        pv_status status;
        const char *reason;
    } bad[] = {
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", PV_ERR_DATA, "scalar" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", PV_ERR_DATA,
          "5 dimensions (1x1x1x1x1): at most 4" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0), }", PV_ERR_DATA, "is 0" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
          PV_ERR_LIMIT, "too large" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
          PV_ERR_LIMIT, "limit" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
          "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }",
          PV_ERR_DATA, "more than 32 dimensions" },
        /* dtypes */
        { "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA,
          "object arrays" },
        { "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }",
          PV_ERR_DATA, "structured dtypes" },
        { "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA, "complex" },
        { "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA,
          "dtype '<U3' is not supported" },
        { "{'descr': '<f16', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA,
          "dtype '<f16' is not supported" },
        { "{'descr': '<i3', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA,
          "not supported" },
        { "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA,
          "not supported" },
        { "{'descr': '|f8', 'fortran_order': False, 'shape': (2,), }", PV_ERR_DATA,
          "byte order '|'" },
        /* garbled */
        { "hello", PV_ERR_DATA, "garbled .npy header" },
        { "{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}", PV_ERR_DATA,
          "expected ',' or '}'" },
        { "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,)}", PV_ERR_DATA,
          "'fortran_order' must be True or False" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': [2]}", PV_ERR_DATA,
          "'shape' must be a tuple" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1)}", PV_ERR_DATA,
          "non-negative integers" },
        { "{'descr': '<f8', 'fortran_order': False}", PV_ERR_DATA, "no 'shape'" },
        { "{'fortran_order': False, 'shape': (2,)}", PV_ERR_DATA, "no 'descr'" },
        { "{'descr': '<f8', 'shape': (2,)}", PV_ERR_DATA, "no 'fortran_order'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", PV_ERR_DATA,
          "unexpected or repeated key 'extra'" },
        { "{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
          PV_ERR_DATA, "repeated key 'descr'" },
        { "{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}", PV_ERR_DATA,
          "dtype '<f8, ' is not supported" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x", PV_ERR_DATA,
          "garbled .npy header" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} trailing", PV_ERR_DATA,
          "text after the closing '}'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", PV_ERR_DATA,
          "expected ',' or '}'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b.len = 0;
        put_header(&b, 1, bad[i].dict);
        for (int k = 0; k < 16; k++)
            put_f64(&b, k, false);
        check_load_error(&b, bad[i].status, bad[i].reason);
    }

    /* Limits from tensor_limits_current. */
    tensor_limits saved = tensor_limits_current;
    tensor_limits_current.max_dim = 2;
    b.len = 0;
    put_header(&b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
    for (int k = 0; k < 3; k++)
        put_f64(&b, k, false);
    check_load_error(&b, PV_ERR_LIMIT, "--max-dim");
    tensor_limits_current = saved;
    tensor_limits_current.max_elements = 2;
    check_load_error(&b, PV_ERR_LIMIT, "--max-elements");
    tensor_limits_current = saved;
}

/* ---- writing ------------------------------------------------------------- */

static char *write_npy(const ioarray *a, size_t *size)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, size);
    pv_error err;
    pv_status st = npy_write(f, a, "out", &err);
    fclose(f);
    CHECK_MSG(st == PV_OK, "npy_write: %s", err.message);
    return buf;
}

static void test_write(void)
{
    pv_error err;
    /* float64 2x3: the exact bytes numpy writes. */
    tensor *t = tensor_new(TENSOR_F64, 2, (const size_t[]){ 2, 3 }, NULL);
    for (size_t i = 0; i < 6; i++)
        tensor_set(t, i, (double)i * 1.5 - 2);
    ioarray a = ioarray_from_tensor(t);
    size_t size;
    char *out = write_npy(&a, &size);
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    CHECK(size == 128 + 48);
    CHECK(memcmp(out, "\x93NUMPY\x01\x00\x76\x00", 10) == 0);
    CHECK(memcmp(out + 10, dict, strlen(dict)) == 0);
    CHECK(out[127] == '\n' && out[126] == ' ');
    for (size_t i = 10 + strlen(dict); i < 127; i++)
        CHECK(out[i] == ' ');
    double first;
    memcpy(&first, out + 128, 8);
    CHECK(first == -2);
    tensor *back = npy_load_memory(out, size, "out", &err);
    CHECK(back != NULL && back->dtype == TENSOR_F64 && back->rank == 2 && back->dims[1] == 3 &&
          memcmp(back->data, t->data, 48) == 0);
    tensor_free(back);
    free(out);
    tensor_free(t);

    /* float32 rank 1: '<f4', shape (5,), stays float32. */
    t = tensor_new(TENSOR_F32, 1, (const size_t[]){ 5 }, NULL);
    for (size_t i = 0; i < 5; i++)
        tensor_set(t, i, 0.1 * (double)i);
    a = ioarray_from_tensor(t);
    out = write_npy(&a, &size);
    CHECK(size == 128 + 20);
    CHECK(strstr(out + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }") ==
          out + 10);
    back = npy_load_memory(out, size, "out", &err);
    CHECK(back != NULL && back->dtype == TENSOR_F32 && back->rank == 1 &&
          memcmp(back->data, t->data, 20) == 0);
    tensor_free(back);
    free(out);
    tensor_free(t);

    /* int64 indices, rank 4: '<i8'. */
    int64_t idx[6] = { 0, 5, -1, 1ll << 40, 3, 2 };
    ioarray ia = { IOARRAY_I64, 4, { 1, 2, 3, 1 }, 6, idx };
    out = write_npy(&ia, &size);
    CHECK(size % 64 == 48 && memcmp(out + 6, "\x01\x00", 2) == 0);
    CHECK(strstr(out + 10, "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2, 3, 1), }") ==
          out + 10);
    back = npy_load_memory(out, size, "out", &err);
    check_tensor(back, TENSOR_F64, 4, (const size_t[]){ 1, 2, 3, 1 },
                 (const double[]){ 0, 5, -1, 1099511627776.0, 3, 2 }, "int64 indices");
    tensor_free(back);
    free(out);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof temp_dir, "%s/test-npy.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(temp_dir) == NULL) {
        fprintf(stderr, "cannot create a temporary folder\n");
        return 99;
    }
    test_floats();
    test_integers();
    test_orders_and_versions();
    test_errors();
    test_write();
    rmdir(temp_dir);
    return check_exit();
}
