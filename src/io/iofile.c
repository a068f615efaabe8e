/* iofile.c - format dispatch and atomic saving. */
#include "io/iofile.h"
#include "io/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/forward.h"
#include "io/ioarray.h"
#include "io/json.h"
#include "io/npy.h"
#include "io/png.h"
#include "io/text.h"
#include "io/writer.h"

static const struct {
    const char *name;
    io_format fmt;
} io_format_names[] = {
    { "txt", IO_FORMAT_TXT },   { "csv", IO_FORMAT_CSV }, { "json", IO_FORMAT_JSON },
    { "npy", IO_FORMAT_NPY },   { "png", IO_FORMAT_PNG },
};

#define IO_FORMAT_COUNT (sizeof io_format_names / sizeof io_format_names[0])

bool io_format_from_name(const char *name, io_format *fmt)
{
    for (size_t i = 0; i < IO_FORMAT_COUNT; i++)
        if (strcasecmp(name, io_format_names[i].name) == 0) {
            *fmt = io_format_names[i].fmt;
            return true;
        }
    return false;
}

const char *io_format_name(io_format fmt)
{
    for (size_t i = 0; i < IO_FORMAT_COUNT; i++)
        if (io_format_names[i].fmt == fmt)
            return io_format_names[i].name;
    return "auto";
}

io_format io_format_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    io_format fmt;
    if (dot != NULL && dot != base && io_format_from_name(dot + 1, &fmt))
        return fmt;
    return IO_FORMAT_TXT;
}

/* ---- loading ------------------------------------------------------------- */

/* Text is parsed as it arrives, in chunks of this size. */
enum { CHUNK = 1 << 16, BIG_CHUNK = 1 << 24 };

/* The most bytes of JSON, .npy or PNG held in memory: 64 bytes per allowed
 * element, at least 64 MiB. */
static size_t whole_size_limit(void)
{
    size_t elements = tensor_limits_current.max_elements, limit;
    if (elements < ((size_t)1 << 20))
        elements = (size_t)1 << 20;
    return pv_mul_size(elements, 64, &limit) ? limit : SIZE_MAX;
}

static bool starts_with(const char *data, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(data, magic, n) == 0;
}

/* Data that is not text: the .npy and PNG signatures. */
static bool binary_signature(const char *data, size_t len)
{
    return starts_with(data, len, "\x93NUMPY", 6) || starts_with(data, len, "\x89PNG\r\n\x1a\n", 8);
}

/* The NUL byte at data[at] of a text: "subject:line:col: NUL byte", with
 * lines and columns counted from the start of data. */
static pv_status nul_byte(const char *data, size_t at, const char *subject, pv_error *err)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        if (data[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)data[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    char where[sizeof err->subject];
    snprintf(where, sizeof where, "%.*s:%zu:%zu", (int)sizeof where - 48, subject, line, col);
    return pv_error_set(err, PV_ERR_DATA, where, "NUL byte: this is not a text matrix");
}

static pv_status read_error(const char *subject, pv_error *err)
{
    return pv_error_set(err, PV_ERR_IO, subject, "cannot read: %s", strerror(errno));
}

static pv_status interrupted(const char *subject, pv_error *err)
{
    return pv_error_set(err, PV_ERR_INTERRUPTED, subject, "interrupted");
}

/* Read the rest of f after the `used` bytes already in buf (cap bytes,
 * from pv_malloc; taken over, also on error) into *data (freed with
 * pv_free), no more than whole_size_limit() of it.  Unless binary, a NUL
 * byte is refused as it arrives. */
static pv_status read_whole(FILE *f, char *buf, size_t used, size_t cap, bool binary,
                            const char *subject, char **data, size_t *len, pv_error *err)
{
    size_t limit = whole_size_limit();
    const char *nul = binary ? NULL : memchr(buf, '\0', used);
    if (nul != NULL) {
        pv_status st = nul_byte(buf, (size_t)(nul - buf), subject, err);
        pv_free(buf);
        return st;
    }
    for (;;) {
        if (used == cap) {
            size_t grown;
            if (cap >= limit) {
                pv_free(buf);
                return pv_error_set(err, PV_ERR_LIMIT, subject,
                                    "more than %zu bytes of text, too many for the element "
                                    "limit (raise it with --max-elements)", limit);
            }
            grown = cap > limit / 2 ? limit : cap * 2;
            char *bigger = pv_realloc(buf, grown);
            if (bigger == NULL) {
                pv_free(buf);
                return pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
            }
            buf = bigger;
            cap = grown;
        }
        size_t want = cap - used < BIG_CHUNK ? cap - used : BIG_CHUNK;
        size_t got = fread(buf + used, 1, want, f);
        size_t checked = used;
        used += got;
        if (!binary && (nul = memchr(buf + checked, '\0', used - checked)) != NULL) {
            pv_status st = nul_byte(buf, (size_t)(nul - buf), subject, err);
            pv_free(buf);
            return st;
        }
        if (got == 0) {
            if (ferror(f)) {
                pv_status st = read_error(subject, err);
                pv_free(buf);
                return st;
            }
            break;
        }
        if (pool_cancel_requested) {
            pv_free(buf);
            return interrupted(subject, err);
        }
    }
    *data = buf;
    *len = used;
    return PV_OK;
}

/* JSON (by extension), .npy or PNG (by signature), held in memory. */
static tensor *load_whole(FILE *f, char *buf, size_t used, size_t cap, const char *subject,
                          bool gray, pv_error *err)
{
    char *data = NULL;
    size_t len = 0;
    tensor *t = NULL;
    bool binary = binary_signature(buf, used);
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
        (uint64_t)sb.st_size > (uint64_t)whole_size_limit()) {
        pv_free(buf);
        pv_error_set(err, PV_ERR_LIMIT, subject,
                     "the file has %llu bytes, too many for the element limit (raise it "
                     "with --max-elements)",
                     (unsigned long long)sb.st_size);
        return NULL;
    }
    if (read_whole(f, buf, used, cap, binary, subject, &data, &len, err) != PV_OK)
        return NULL;
    if (starts_with(data, len, "\x93NUMPY", 6)) {
        t = npy_load_memory(data, len, subject, err);
    } else if (starts_with(data, len, "\x89PNG\r\n\x1a\n", 8)) {
        t = png_io_load_memory(data, len, gray, err);
        if (t == NULL && err != NULL)
            snprintf(err->subject, sizeof err->subject, "%.*s", (int)sizeof err->subject - 1, subject);
    } else {
        t = json_parse(data, len, subject, err);
    }
    pv_free(data);
    return t;
}

/* Text that turns out to be JSON: a BOM and blanks came before the '{'.
 * JSON is parsed whole, so the blanks are given back to it, in a shorter
 * form that keeps the lines and columns of what follows. */
typedef struct json_probe {
    bool open;              /* still only a BOM and JSON blanks so far */
    bool bom;
    size_t lines, cols;     /* line ends, and characters since the last */
} json_probe;

/* Look at data (the bytes after those already probed): false, or true with
 * *brace the offset of the '{' that starts JSON. */
static bool probe_json(json_probe *p, const char *data, size_t len, bool first, size_t *brace)
{
    size_t i = 0;
    if (first && starts_with(data, len, "\xEF\xBB\xBF", 3)) {
        p->bom = true;
        i = 3;
    }
    for (; p->open && i < len; i++) {
        char c = data[i];
        if (c == '\n') {
            p->lines++;
            p->cols = 0;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p->cols++;
        } else {
            p->open = false;
            *brace = i;
            return c == '{';
        }
    }
    return false;
}

static tensor *load_json_after_probe(FILE *f, const json_probe *p, const char *rest, size_t n,
                                     const char *subject, pv_error *err)
{
    size_t head = (p->bom ? 3 : 0) + p->lines + p->cols, used, cap;
    if (!pv_add_size(head, n, &used) || !pv_add_size(used, CHUNK, &cap) ||
        used > whole_size_limit()) {
        pv_error_set(err, PV_ERR_LIMIT, subject,
                     "more than %zu bytes of text, too many for the element limit (raise it "
                     "with --max-elements)", whole_size_limit());
        return NULL;
    }
    char *buf = pv_malloc(cap);
    if (buf == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
        return NULL;
    }
    size_t at = 0;
    if (p->bom) {
        memcpy(buf, "\xEF\xBB\xBF", 3);
        at = 3;
    }
    memset(buf + at, '\n', p->lines);
    memset(buf + at + p->lines, ' ', p->cols);
    memcpy(buf + head, rest, n);
    return load_whole(f, buf, used, cap, subject, false, err);
}

/* Text, JSON (by extension, or text starting with '{'), or by their
 * signatures .npy and PNG.  Text is parsed chunk by chunk as it is read. */
static tensor *load_stream(FILE *f, io_format fmt, const char *subject, bool gray,
                           pv_error *err)
{
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        pv_error_set(err, PV_ERR_IO, subject, "cannot read: it is a directory");
        return NULL;
    }
    char *chunk = pv_malloc(CHUNK);
    if (chunk == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
        return NULL;
    }
    size_t got = fread(chunk, 1, CHUNK, f);
    if (got == 0 && ferror(f)) {
        read_error(subject, err);
        pv_free(chunk);
        return NULL;
    }
    if (fmt == IO_FORMAT_JSON || binary_signature(chunk, got))
        return load_whole(f, chunk, got, CHUNK, subject, gray, err);

    text_reader *r = text_reader_new(subject, err);
    json_probe probe = { true, false, 0, 0 };
    tensor *t = NULL;
    bool first = true;
    while (r != NULL && got > 0) {
        size_t brace;
        if (probe.open && probe_json(&probe, chunk, got, first, &brace)) {
            text_reader_free(r);
            t = load_json_after_probe(f, &probe, chunk + brace, got - brace, subject, err);
            pv_free(chunk);
            return t;
        }
        first = false;
        if (text_reader_feed(r, chunk, got, err) != PV_OK)
            goto done;
        if (pool_cancel_requested) {
            interrupted(subject, err);
            goto done;
        }
        got = fread(chunk, 1, CHUNK, f);
    }
    if (r != NULL) {
        if (ferror(f))
            read_error(subject, err);
        else
            t = text_reader_finish(r, err);
    }
done:
    text_reader_free(r);
    pv_free(chunk);
    return t;
}

pv_status io_load_samples(const char *path, pool_params *params, pv_error *err)
{
    tensor *t = io_load_file(path, NULL, err);
    if (t == NULL)
        return err != NULL ? err->status : PV_ERR_IO;
    pv_status st = pool_params_samples_from(params, t, path, err);
    tensor_free(t);
    return st;
}

tensor *io_load_file(const char *path, const io_load_options *opts, pv_error *err)
{
    char asset[4096];
    if (io_datadir_find_asset(path, asset, sizeof asset))
        path = asset;
    bool gray = opts != NULL && opts->gray;
    bool from_stdin = strcmp(path, "-") == 0;
    io_format fmt = from_stdin ? IO_FORMAT_TXT : io_format_from_path(path);
    const char *subject = from_stdin ? "<stdin>" : path;

    if (fmt == IO_FORMAT_NPY)
        return npy_load_file(path, err);
    if (fmt == IO_FORMAT_PNG)
        return png_io_load(path, gray, err);

    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        pv_error_set(err, PV_ERR_IO, path, "cannot open: %s", strerror(errno));
        return NULL;
    }
    tensor *t = load_stream(f, fmt, subject, gray, err);
    if (!from_stdin)
        fclose(f);
    return t;
}

tensor *io_load_stream(FILE *f, const char *subject, const io_load_options *opts,
                       pv_error *err)
{
    return load_stream(f, io_format_from_path(subject), subject, opts != NULL && opts->gray,
                       err);
}

tensor *io_parse_matrix(const char *text, size_t len, const char *subject, pv_error *err)
{
    return text_parse_matrix(text, len, subject, err);
}

/* ---- writing ------------------------------------------------------------- */

static pv_status write_array(FILE *out, const ioarray *a, io_format fmt, const char *subject,
                             pv_error *err)
{
    switch (fmt) {
    case IO_FORMAT_CSV:
        return text_write_csv(out, a, subject, err);
    case IO_FORMAT_JSON:
        return json_write(out, a, subject, err);
    case IO_FORMAT_NPY:
        return npy_write(out, a, subject, err);
    case IO_FORMAT_PNG:
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "PNG output needs a file name (-o FILE.png)");
    case IO_FORMAT_AUTO:
    case IO_FORMAT_TXT:
        break;
    }
    return text_write(out, a, subject, err);
}

pv_status io_write_stream(FILE *out, const tensor *t, io_format fmt, pv_error *err)
{
    const char *subject = out == stdout ? "<stdout>" : "output";
    ioarray a = ioarray_from_tensor(t);
    pv_status st = write_array(out, &a, fmt, subject, err);
    if (st == PV_OK && fflush(out) != 0)
        st = pv_error_set(err, PV_ERR_IO, subject, "cannot write: %s", strerror(errno));
    return st;
}

static pv_status write_png(io_output *o, const tensor *t, bool normalize, pv_error *err)
{
    void *data = NULL;
    size_t size = 0;
    pv_status st = png_io_save_memory(&data, &size, t, normalize, err);
    if (st != PV_OK && err != NULL)     /* name the file rather than "PNG output" */
        snprintf(err->subject, sizeof err->subject, "%s", io_output_subject(o));
    if (st == PV_OK)
        st = io_output_write(o, data, size, err);
    pv_free(data);
    return st;
}

pv_status io_output_write_tensor(io_output *o, const tensor *t, io_format fmt,
                                 const io_save_options *opts, pv_error *err)
{
    bool normalize = opts != NULL && opts->normalize;
    if (fmt == IO_FORMAT_AUTO)
        fmt = io_output_in_place(o) ? IO_FORMAT_TXT : io_format_from_path(io_output_path(o));
    if (fmt == IO_FORMAT_PNG)
        return write_png(o, t, normalize, err);
    FILE *out = io_output_stream(o, err);
    if (out == NULL)
        return err != NULL ? err->status : PV_ERR_IO;
    ioarray a = ioarray_from_tensor(t);
    return write_array(out, &a, fmt, io_output_subject(o), err);
}

pv_status io_output_write_indices(io_output *o, int rank, const size_t *dims,
                                  const int64_t *indices, io_format fmt, pv_error *err)
{
    const char *subject = io_output_subject(o);
    ioarray a = { IOARRAY_I64, rank, { 0 }, 1, indices };
    if (rank < 1 || rank > TENSOR_MAX_RANK)
        return pv_error_set(err, PV_ERR_DATA, subject, "indices of rank %d cannot be saved",
                            rank);
    for (int k = 0; k < rank; k++) {
        a.dims[k] = dims[k];
        if (!pv_mul_size(a.count, dims[k], &a.count))
            return pv_error_set(err, PV_ERR_LIMIT, subject, "the index count overflows");
    }
    if (fmt == IO_FORMAT_AUTO)
        fmt = io_output_in_place(o) ? IO_FORMAT_TXT : io_format_from_path(io_output_path(o));
    if (fmt == IO_FORMAT_PNG)
        return pv_error_set(err, PV_ERR_USAGE, subject,
                            "indices cannot be saved as PNG: use .npy, .txt, .csv or .json");
    FILE *out = io_output_stream(o, err);
    if (out == NULL)
        return err != NULL ? err->status : PV_ERR_IO;
    return write_array(out, &a, fmt, subject, err);
}

typedef struct tensor_save {
    const tensor *t;
    io_format fmt;
    const io_save_options *opts;
} tensor_save;

typedef struct indices_save {
    int rank;
    const size_t *dims;
    const int64_t *indices;
} indices_save;

static pv_status write_one_tensor(io_output *o, const void *ctx, pv_error *err)
{
    const tensor_save *s = ctx;
    return io_output_write_tensor(o, s->t, s->fmt, s->opts, err);
}

static pv_status write_one_indices(io_output *o, const void *ctx, pv_error *err)
{
    const indices_save *s = ctx;
    return io_output_write_indices(o, s->rank, s->dims, s->indices, IO_FORMAT_AUTO, err);
}

pv_status io_save_file(const char *path, const tensor *t, io_format fmt,
                       const io_save_options *opts, pv_error *err)
{
    if (fmt == IO_FORMAT_AUTO)
        fmt = strcmp(path, "-") == 0 ? IO_FORMAT_TXT : io_format_from_path(path);
    tensor_save s = {t, fmt, opts};
    return io_write_single(path, write_one_tensor, &s, err);
}

pv_status io_save_indices(const char *path, int rank, const size_t *dims,
                          const int64_t *indices, pv_error *err)
{
    if (io_format_from_path(path) == IO_FORMAT_PNG)
        return pv_error_set(err, PV_ERR_USAGE, path,
                            "indices cannot be saved as PNG: use .npy, .txt, .csv or .json");
    indices_save s = {rank, dims, indices};
    return io_write_single(path, write_one_indices, &s, err);
}
