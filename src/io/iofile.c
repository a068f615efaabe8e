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

/* The most text accepted: 64 bytes per allowed element, at least 64 MiB. */
static size_t text_size_limit(void)
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
 * lines and columns counted as the text parser counts them. */
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

/* Read all of f into a new buffer (*data, freed with pv_free), in chunks:
 * text is checked for NUL bytes as it arrives (so /dev/zero fails at once),
 * and no more than the element limit allows is ever held.  The .npy and
 * PNG signatures turn the check off. */
static pv_status read_all(FILE *f, const char *subject, char **data, size_t *len,
                          pv_error *err)
{
    enum { FIRST_CHUNK = 1 << 16, BIG_CHUNK = 1 << 24 };
    struct stat sb;
    size_t cap = FIRST_CHUNK, used = 0, limit = text_size_limit();
    bool known = false, binary = false;
    if (fstat(fileno(f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return pv_error_set(err, PV_ERR_IO, subject, "cannot read: it is a directory");
        if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > (uint64_t)limit)
            return pv_error_set(err, PV_ERR_LIMIT, subject,
                                "the file has %llu bytes, too many for the element limit "
                                "(raise it with --max-elements)",
                                (unsigned long long)sb.st_size);
    }
    char *buf = pv_malloc(cap);
    if (buf == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
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
        if (!known && (used >= 8 || got == 0)) {
            known = true;
            binary = binary_signature(buf, used);
            checked = 0;
        }
        if (known && !binary) {
            const char *nul = memchr(buf + checked, '\0', used - checked);
            if (nul != NULL) {
                pv_status st = nul_byte(buf, (size_t)(nul - buf), subject, err);
                pv_free(buf);
                return st;
            }
        }
        if (got == 0) {
            if (ferror(f)) {
                int saved = errno;
                pv_free(buf);
                return pv_error_set(err, PV_ERR_IO, subject, "cannot read: %s",
                                    strerror(saved));
            }
            break;
        }
        if (pool_cancel_requested) {
            pv_free(buf);
            return pv_error_set(err, PV_ERR_INTERRUPTED, subject, "interrupted");
        }
    }
    *data = buf;
    *len = used;
    return PV_OK;
}

/* Text or JSON (by extension, or text starting with '{'), or by their
 * signatures .npy and PNG, held in memory. */
static tensor *load_buffer(const char *data, size_t len, io_format fmt, const char *subject,
                           bool gray, pv_error *err)
{
    if (starts_with(data, len, "\x93NUMPY", 6))
        return npy_load_memory(data, len, subject, err);
    if (starts_with(data, len, "\x89PNG\r\n\x1a\n", 8)) {
        tensor *t = png_io_load_memory(data, len, gray, err);
        if (t == NULL && err != NULL)
            snprintf(err->subject, sizeof err->subject, "%.*s", (int)sizeof err->subject - 1, subject);
        return t;
    }
    size_t first = starts_with(data, len, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (first < len && strchr(" \t\r\n", data[first]) != NULL && data[first] != '\0')
        first++;
    if (fmt == IO_FORMAT_JSON || (first < len && data[first] == '{'))
        return json_parse(data, len, subject, err);
    return text_parse_matrix(data, len, subject, err);
}

static tensor *load_stream(FILE *f, io_format fmt, const char *subject, bool gray,
                           pv_error *err)
{
    char *data = NULL;
    size_t len = 0;
    if (read_all(f, subject, &data, &len, err) != PV_OK)
        return NULL;
    tensor *t = load_buffer(data, len, fmt, subject, gray, err);
    pv_free(data);
    return t;
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

/* A set of one output: add, write, commit. */
typedef pv_status (*single_write_fn)(io_output *o, const void *ctx, pv_error *err);

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

static pv_status save_single(const char *path, single_write_fn write, const void *ctx,
                             pv_error *err)
{
    if (pool_cancel_requested)
        return pv_error_set(err, PV_ERR_INTERRUPTED, path, "interrupted: nothing was written");
    io_writer *w = io_writer_new(err);
    if (w == NULL)
        return PV_ERR_NOMEM;
    io_output *o = io_writer_add(w, path, err);
    pv_status st = o != NULL ? write(o, ctx, err) : (err != NULL ? err->status : PV_ERR_IO);
    if (st == PV_OK)
        st = io_writer_commit(w, err);
    io_writer_free(w);
    return st;
}

pv_status io_save_file(const char *path, const tensor *t, io_format fmt,
                       const io_save_options *opts, pv_error *err)
{
    if (fmt == IO_FORMAT_AUTO)
        fmt = strcmp(path, "-") == 0 ? IO_FORMAT_TXT : io_format_from_path(path);
    tensor_save s = {t, fmt, opts};
    return save_single(path, write_one_tensor, &s, err);
}

pv_status io_save_indices(const char *path, int rank, const size_t *dims,
                          const int64_t *indices, pv_error *err)
{
    if (io_format_from_path(path) == IO_FORMAT_PNG)
        return pv_error_set(err, PV_ERR_USAGE, path,
                            "indices cannot be saved as PNG: use .npy, .txt, .csv or .json");
    indices_save s = {rank, dims, indices};
    return save_single(path, write_one_indices, &s, err);
}
