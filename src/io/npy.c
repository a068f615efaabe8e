/* npy.c - reading and writing numpy .npy files. */
#include "io/npy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/forward.h"

/* numpy itself refuses headers over 10000 bytes by default; allow more. */
#define NPY_MAX_HEADER 65536u
/* Bytes converted per step: bounds the staging buffer, paces cancel checks. */
#define NPY_CHUNK ((size_t)1 << 20)
/* Dimensions accepted in the header before the rank check says no. */
#define NPY_MAX_SHAPE 32

static const unsigned char npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

typedef enum npy_kind {
    NPY_BOOL,
    NPY_INT,
    NPY_UINT,
    NPY_FLOAT
} npy_kind;

typedef struct npy_dtype {
    npy_kind kind;
    size_t size;     /* bytes per item */
    bool big;        /* big endian */
} npy_dtype;

typedef struct npy_header {
    npy_dtype dtype;
    bool fortran;
    int rank;
    size_t dims[NPY_MAX_SHAPE];
} npy_header;

/* The bytes of one file or memory image, read front to back. */
typedef struct npy_reader {
    FILE *file;
    const unsigned char *mem;
    size_t mem_size;
    bool size_known;
    uint64_t size;   /* total bytes, when known */
    uint64_t pos;    /* bytes consumed */
    const char *subject;
    pv_error *err;
} npy_reader;

static bool host_is_big_endian(void)
{
    const uint16_t probe = 1;
    unsigned char first;
    memcpy(&first, &probe, 1);
    return first == 0;
}

/* Read exactly n bytes; a short read is PV_ERR_DATA ("truncated") or
 * PV_ERR_IO, with `what` naming the part that is missing. */
static pv_status reader_read(npy_reader *r, void *buf, size_t n, const char *what)
{
    size_t got;
    if (r->file != NULL) {
        got = fread(buf, 1, n, r->file);
        if (got < n && ferror(r->file))
            return pv_error_set(r->err, PV_ERR_IO, r->subject, "cannot read: %s",
                                strerror(errno));
    } else {
        size_t left = r->mem_size - (size_t)r->pos;
        got = n < left ? n : left;
        memcpy(buf, r->mem + r->pos, got);
    }
    r->pos += got;
    if (got < n)
        return pv_error_set(r->err, PV_ERR_DATA, r->subject,
                            "truncated .npy file: it ends inside the %s", what);
    return PV_OK;
}

/* ---- the header: a Python dict literal --------------------------------- */

typedef struct header_parser {
    const char *s;
    size_t n;
    size_t pos;
    const char *subject;
    pv_error *err;
} header_parser;

static pv_status header_fail(header_parser *h, const char *what)
{
    return pv_error_set(h->err, PV_ERR_DATA, h->subject, "garbled .npy header: %s", what);
}

static void header_space(header_parser *h)
{
    while (h->pos < h->n && (h->s[h->pos] == ' ' || h->s[h->pos] == '\t' ||
                             h->s[h->pos] == '\n' || h->s[h->pos] == '\r'))
        h->pos++;
}

static bool header_take(header_parser *h, char c)
{
    header_space(h);
    if (h->pos < h->n && h->s[h->pos] == c) {
        h->pos++;
        return true;
    }
    return false;
}

/* A quoted string without escapes, at most size-1 bytes. */
static pv_status header_string(header_parser *h, char *buf, size_t size)
{
    header_space(h);
    if (h->pos >= h->n || (h->s[h->pos] != '\'' && h->s[h->pos] != '"'))
        return header_fail(h, "expected a quoted string");
    char quote = h->s[h->pos++];
    size_t len = 0;
    while (h->pos < h->n && h->s[h->pos] != quote) {
        unsigned char c = (unsigned char)h->s[h->pos];
        if (c == '\\' || c < 0x20 || c >= 0x7F || len + 1 >= size)
            return header_fail(h, "unexpected characters in a string");
        buf[len++] = (char)c;
        h->pos++;
    }
    if (h->pos >= h->n)
        return header_fail(h, "a string is never closed");
    h->pos++;
    buf[len] = '\0';
    return PV_OK;
}

static bool header_word(header_parser *h, const char *word)
{
    size_t wn = strlen(word);
    header_space(h);
    if (h->n - h->pos >= wn && memcmp(h->s + h->pos, word, wn) == 0) {
        h->pos += wn;
        return true;
    }
    return false;
}

static pv_status header_shape(header_parser *h, npy_header *hd)
{
    if (!header_take(h, '('))
        return header_fail(h, "'shape' must be a tuple such as (3, 4)");
    hd->rank = 0;
    for (;;) {
        if (header_take(h, ')'))
            return PV_OK;
        header_space(h);
        size_t v = 0, digits = 0;
        while (h->pos < h->n && h->s[h->pos] >= '0' && h->s[h->pos] <= '9') {
            if (v > (SIZE_MAX - 9) / 10)
                return pv_error_set(h->err, PV_ERR_LIMIT, h->subject,
                                    "a dimension in the .npy header is too large");
            v = v * 10 + (size_t)(h->s[h->pos++] - '0');
            digits++;
        }
        if (digits == 0)
            return header_fail(h, "'shape' must hold non-negative integers");
        if (h->pos < h->n && h->s[h->pos] == 'L')   /* Python 2 long */
            h->pos++;
        if (hd->rank == NPY_MAX_SHAPE)
            return pv_error_set(h->err, PV_ERR_DATA, h->subject,
                                "the array has more than %d dimensions (at most %d are "
                                "supported)", NPY_MAX_SHAPE, TENSOR_MAX_RANK);
        hd->dims[hd->rank++] = v;
        if (header_take(h, ','))
            continue;
        if (header_take(h, ')'))
            return PV_OK;
        return header_fail(h, "expected ',' or ')' in 'shape'");
    }
}

static pv_status header_descr(header_parser *h, const char *descr, npy_dtype *dt)
{
    const char *p = descr;
    char order = '=';
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=')
        order = *p++;
    char kind = *p ? *p++ : '\0';
    size_t size = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4)
        size = size * 10 + (size_t)(*p++ - '0'), digits++;
    bool ok = *p == '\0';
    if (kind == 'O')
        return pv_error_set(h->err, PV_ERR_DATA, h->subject,
                            "object arrays (dtype '%s', pickled Python objects) are not "
                            "supported", descr);
    if (kind == 'c')
        return pv_error_set(h->err, PV_ERR_DATA, h->subject,
                            "complex numbers (dtype '%s') are not supported", descr);
    if (kind == '?' && digits == 0)
        kind = 'b', size = 1, digits = 1;
    if (ok && kind == 'b' && size == 1)
        dt->kind = NPY_BOOL;
    else if (ok && kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8))
        dt->kind = NPY_INT;
    else if (ok && kind == 'u' && (size == 1 || size == 2 || size == 4 || size == 8))
        dt->kind = NPY_UINT;
    else if (ok && kind == 'f' && (size == 2 || size == 4 || size == 8))
        dt->kind = NPY_FLOAT;
    else
        return pv_error_set(h->err, PV_ERR_DATA, h->subject,
                            "dtype '%s' is not supported (only bool, int8..int64, "
                            "uint8..uint64 and float16/32/64)", descr);
    if (order == '|' && size != 1)
        return header_fail(h, "byte order '|' on a multi-byte dtype");
    dt->size = size;
    dt->big = order == '>' || (order == '=' && host_is_big_endian());
    return PV_OK;
}

static pv_status header_parse(const char *s, size_t n, const char *subject, pv_error *err,
                              npy_header *hd)
{
    header_parser h = { s, n, 0, subject, err };
    bool have_descr = false, have_fortran = false, have_shape = false;
    char key[32], descr[64];
    pv_status st;

    if (!header_take(&h, '{'))
        return header_fail(&h, "it does not start with '{'");
    while (!header_take(&h, '}')) {
        if ((st = header_string(&h, key, sizeof key)) != PV_OK)
            return st;
        if (!header_take(&h, ':'))
            return header_fail(&h, "expected ':' after a key");
        if (strcmp(key, "descr") == 0 && !have_descr) {
            header_space(&h);
            if (h.pos < h.n && h.s[h.pos] == '[')
                return pv_error_set(err, PV_ERR_DATA, subject,
                                    "structured dtypes (records with named fields) are "
                                    "not supported");
            if ((st = header_string(&h, descr, sizeof descr)) != PV_OK ||
                (st = header_descr(&h, descr, &hd->dtype)) != PV_OK)
                return st;
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0 && !have_fortran) {
            if (header_word(&h, "True"))
                hd->fortran = true;
            else if (header_word(&h, "False"))
                hd->fortran = false;
            else
                return header_fail(&h, "'fortran_order' must be True or False");
            have_fortran = true;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if ((st = header_shape(&h, hd)) != PV_OK)
                return st;
            have_shape = true;
        } else {
            char msg[96];
            snprintf(msg, sizeof msg, "unexpected or repeated key '%s'", key);
            return header_fail(&h, msg);
        }
        if (!header_take(&h, ',')) {
            if (!header_take(&h, '}'))
                return header_fail(&h, "expected ',' or '}'");
            break;
        }
    }
    header_space(&h);
    while (h.pos < h.n && h.s[h.pos] == '\0')   /* some writers pad with NULs */
        h.pos++;
    if (h.pos < h.n)
        return header_fail(&h, "text after the closing '}'");
    if (!have_descr || !have_fortran || !have_shape)
        return header_fail(&h, !have_descr     ? "no 'descr'"
                               : !have_shape ? "no 'shape'"
                                             : "no 'fortran_order'");
    return PV_OK;
}

/* ---- data ---------------------------------------------------------------- */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {
        /* subnormal: shift the mantissa up until its leading 1 is implicit */
        int e = -1;
        do {
            mant <<= 1;
            e++;
        } while ((mant & 0x400) == 0);
        bits = sign | ((uint32_t)(112 - e) << 23) | ((mant & 0x3FF) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static double decode_item(const unsigned char *b, const npy_dtype *dt)
{
    uint64_t u = 0;
    if (dt->big)
        for (size_t i = 0; i < dt->size; i++)
            u = u << 8 | b[i];
    else
        for (size_t i = dt->size; i-- > 0;)
            u = u << 8 | b[i];
    switch (dt->kind) {
    case NPY_BOOL:
        return u != 0;
    case NPY_UINT:
        return (double)u;
    case NPY_INT:
        if (dt->size < 8 && (u >> (8 * dt->size - 1)) & 1)
            u |= ~(uint64_t)0 << (8 * dt->size);
        return (double)(int64_t)u;
    case NPY_FLOAT:
        break;
    }
    if (dt->size == 2)
        return half_to_float((uint16_t)u);
    if (dt->size == 4) {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, sizeof f);
        return f;
    }
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Where the next source item goes in C order, for Fortran-ordered data:
 * an odometer over the dims with the first index fastest. */
typedef struct fortran_walk {
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    size_t cstride[TENSOR_MAX_RANK];
    size_t idx[TENSOR_MAX_RANK];
    size_t dest;
} fortran_walk;

static void fortran_walk_init(fortran_walk *w, int rank, const size_t *dims)
{
    memset(w, 0, sizeof *w);
    w->rank = rank;
    size_t s = 1;
    for (int k = rank - 1; k >= 0; k--) {
        w->dims[k] = dims[k];
        w->cstride[k] = s;
        s *= dims[k];
    }
}

static void fortran_walk_next(fortran_walk *w)
{
    for (int k = 0; k < w->rank; k++) {
        w->idx[k]++;
        w->dest += w->cstride[k];
        if (w->idx[k] < w->dims[k])
            return;
        w->dest -= w->dims[k] * w->cstride[k];
        w->idx[k] = 0;
    }
}

static pv_status read_data(npy_reader *r, const npy_header *hd, tensor *t)
{
    const npy_dtype *dt = &hd->dtype;
    size_t bytes = t->count * dt->size;
    bool direct = !hd->fortran && !dt->big == !host_is_big_endian() &&
                  dt->kind == NPY_FLOAT && dt->size == tensor_dtype_size(t->dtype);
    pv_status st;

    if (direct) {
        for (size_t done = 0; done < bytes; done += NPY_CHUNK) {
            size_t n = bytes - done < NPY_CHUNK ? bytes - done : NPY_CHUNK;
            if (pool_cancel_requested)
                return pv_error_set(r->err, PV_ERR_INTERRUPTED, r->subject, "interrupted");
            if ((st = reader_read(r, (unsigned char *)t->data + done, n, "data")) != PV_OK)
                return st;
        }
        return PV_OK;
    }

    size_t per_chunk = NPY_CHUNK / dt->size;
    unsigned char *chunk = pv_malloc(per_chunk * dt->size);
    if (chunk == NULL)
        return pv_error_set(r->err, PV_ERR_NOMEM, r->subject, "out of memory");
    fortran_walk walk;
    fortran_walk_init(&walk, t->rank, t->dims);
    for (size_t done = 0; done < t->count; done += per_chunk) {
        size_t items = t->count - done < per_chunk ? t->count - done : per_chunk;
        if (pool_cancel_requested) {
            pv_free(chunk);
            return pv_error_set(r->err, PV_ERR_INTERRUPTED, r->subject, "interrupted");
        }
        if ((st = reader_read(r, chunk, items * dt->size, "data")) != PV_OK) {
            pv_free(chunk);
            return st;
        }
        for (size_t i = 0; i < items; i++) {
            double v = decode_item(chunk + i * dt->size, dt);
            if (hd->fortran) {
                tensor_set(t, walk.dest, v);
                fortran_walk_next(&walk);
            } else {
                tensor_set(t, done + i, v);
            }
        }
    }
    pv_free(chunk);
    return PV_OK;
}

static tensor *npy_load(npy_reader *r)
{
    unsigned char prefix[12];
    size_t prefix_len = 10, header_len;
    pv_status st;

    if (r->size_known && r->size < 8) {
        size_t got = (size_t)r->size;
        if (reader_read(r, prefix, got, "magic") != PV_OK)
            return NULL;
        if (got < 6 || memcmp(prefix, npy_magic, 6) != 0)
            goto not_npy;
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "truncated .npy file: it ends inside the header");
        return NULL;
    }
    if (reader_read(r, prefix, 8, "header") != PV_OK) {
        if (r->err != NULL && r->err->status == PV_ERR_DATA &&
            (r->pos < 6 || memcmp(prefix, npy_magic, 6) != 0))
            goto not_npy;
        return NULL;
    }
    if (memcmp(prefix, npy_magic, 6) != 0)
        goto not_npy;
    unsigned major = prefix[6], minor = prefix[7];
    if (major == 1 && minor == 0) {
        if (reader_read(r, prefix + 8, 2, "header") != PV_OK)
            return NULL;
        header_len = (size_t)prefix[8] | (size_t)prefix[9] << 8;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (reader_read(r, prefix + 8, 4, "header") != PV_OK)
            return NULL;
        prefix_len = 12;
        header_len = (size_t)prefix[8] | (size_t)prefix[9] << 8 | (size_t)prefix[10] << 16 |
                     (size_t)prefix[11] << 24;
    } else {
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "unsupported .npy format version %u.%u (1.0, 2.0 and 3.0 are known)",
                     major, minor);
        return NULL;
    }
    if (header_len > NPY_MAX_HEADER) {
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "the .npy header claims %zu bytes, more than the %u allowed", header_len,
                     NPY_MAX_HEADER);
        return NULL;
    }
    if (r->size_known && header_len > r->size - prefix_len) {
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "truncated .npy file: it ends inside the header");
        return NULL;
    }
    char *text = pv_malloc(header_len + 1);
    if (text == NULL) {
        pv_error_set(r->err, PV_ERR_NOMEM, r->subject, "out of memory");
        return NULL;
    }
    npy_header hd;
    memset(&hd, 0, sizeof hd);
    st = reader_read(r, text, header_len, "header");
    if (st == PV_OK)
        st = header_parse(text, header_len, r->subject, r->err, &hd);
    pv_free(text);
    if (st != PV_OK)
        return NULL;

    char shape[96];
    tensor_format_shape(hd.rank, hd.dims, shape, sizeof shape);
    if (hd.rank == 0) {
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "the array is a scalar (shape ()): 1 to %d dimensions are needed",
                     TENSOR_MAX_RANK);
        return NULL;
    }
    if (hd.rank > TENSOR_MAX_RANK) {
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "the array has %d dimensions (%s): at most %d are supported", hd.rank,
                     shape, TENSOR_MAX_RANK);
        return NULL;
    }
    size_t count, bytes;
    if (tensor_check_dims(hd.rank, hd.dims, &count, r->subject, r->err) != PV_OK)
        return NULL;
    if (!pv_mul_size(count, hd.dtype.size, &bytes)) {
        pv_error_set(r->err, PV_ERR_LIMIT, r->subject, "the data size overflows");
        return NULL;
    }
    if (r->size_known && bytes > r->size - r->pos) {
        pv_error_set(r->err, PV_ERR_DATA, r->subject,
                     "truncated .npy file: the header says %s items of %zu byte%s "
                     "(%zu bytes) but only %llu bytes of data follow",
                     shape, hd.dtype.size, hd.dtype.size == 1 ? "" : "s", bytes,
                     (unsigned long long)(r->size - r->pos));
        return NULL;
    }
    bool single = hd.dtype.kind == NPY_FLOAT && hd.dtype.size <= 4;
    tensor *t = tensor_new(single ? TENSOR_F32 : TENSOR_F64, hd.rank, hd.dims, r->err);
    if (t == NULL)
        return NULL;
    if (read_data(r, &hd, t) != PV_OK) {
        tensor_free(t);
        return NULL;
    }
    return t;

not_npy:
    pv_error_set(r->err, PV_ERR_DATA, r->subject,
                 "not a .npy file (it does not start with \\x93NUMPY)");
    return NULL;
}

tensor *npy_load_file(const char *path, pv_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        pv_error_set(err, PV_ERR_IO, path, "cannot open: %s", strerror(errno));
        return NULL;
    }
    npy_reader r = { .file = f, .subject = path, .err = err };
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            fclose(f);
            pv_error_set(err, PV_ERR_IO, path, "cannot read: it is a directory");
            return NULL;
        }
        if (S_ISREG(sb.st_mode)) {
            r.size_known = true;
            r.size = (uint64_t)sb.st_size;
        }
    }
    tensor *t = npy_load(&r);
    fclose(f);
    return t;
}

tensor *npy_load_memory(const void *data, size_t size, const char *subject, pv_error *err)
{
    npy_reader r = { .mem = data, .mem_size = size, .size_known = true, .size = size,
                     .subject = subject ? subject : "input", .err = err };
    return npy_load(&r);
}

/* ---- writing ------------------------------------------------------------- */

pv_status npy_write(FILE *out, const ioarray *a, const char *subject, pv_error *err)
{
    char dict[256];
    int used = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                        a->elem == IOARRAY_F32 ? "<f4" : a->elem == IOARRAY_F64 ? "<f8" : "<i8");
    for (int k = 0; k < a->rank; k++)
        used += snprintf(dict + used, sizeof dict - (size_t)used, "%s%zu", k ? ", " : "",
                         a->dims[k]);
    used += snprintf(dict + used, sizeof dict - (size_t)used, "%s), }",
                     a->rank == 1 ? "," : "");

    /* magic, version, length, dict, spaces, '\n': a multiple of 64 bytes. */
    size_t prefix_len = 10;
    size_t total = prefix_len + (size_t)used + 1;
    total += (64 - total % 64) % 64;
    size_t header_len = total - prefix_len;
    if (header_len > 0xFFFF) {
        prefix_len = 12;
        total = prefix_len + (size_t)used + 1;
        total += (64 - total % 64) % 64;
        header_len = total - prefix_len;
    }
    unsigned char prefix[12];
    memcpy(prefix, npy_magic, 6);
    prefix[6] = prefix_len == 10 ? 1 : 2;
    prefix[7] = 0;
    for (size_t i = 0; i < prefix_len - 8; i++)
        prefix[8 + i] = (unsigned char)(header_len >> (8 * i));

    errno = 0;
    fwrite(prefix, 1, prefix_len, out);
    fwrite(dict, 1, (size_t)used, out);
    for (size_t i = prefix_len + (size_t)used; i + 1 < total; i++)
        fputc(' ', out);
    fputc('\n', out);

    size_t item = ioarray_elem_size(a->elem);
    size_t bytes = a->count * item;
    const unsigned char *src = a->data;
    unsigned char swapped[4096];
    for (size_t done = 0; done < bytes && !ferror(out);) {
        if (pool_cancel_requested)
            return pv_error_set(err, PV_ERR_INTERRUPTED, subject, "interrupted");
        size_t n = bytes - done < NPY_CHUNK ? bytes - done : NPY_CHUNK;
        if (!host_is_big_endian()) {
            fwrite(src + done, 1, n, out);
        } else {
            n = n < sizeof swapped ? n : sizeof swapped;
            for (size_t i = 0; i < n; i++)
                swapped[i] = src[done + (i / item) * item + (item - 1 - i % item)];
            fwrite(swapped, 1, n, out);
        }
        done += n;
    }
    if (ferror(out))
        return pv_error_set(err, PV_ERR_IO, subject, "cannot write: %s",
                            errno ? strerror(errno) : "write error");
    return PV_OK;
}
