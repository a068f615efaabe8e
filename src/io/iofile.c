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

/* Read all of f into a new buffer (*data, freed with pv_free). */
static pv_status read_all(FILE *f, const char *subject, char **data, size_t *len,
                          pv_error *err)
{
    struct stat sb;
    size_t cap = 4096, used = 0, limit = text_size_limit();
    if (fstat(fileno(f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return pv_error_set(err, PV_ERR_IO, subject, "cannot read: it is a directory");
        if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > (uint64_t)limit)
            return pv_error_set(err, PV_ERR_LIMIT, subject,
                                "the file has %llu bytes, too many for the element limit "
                                "(raise it with --max-elements)",
                                (unsigned long long)sb.st_size);
        if (S_ISREG(sb.st_mode) && sb.st_size > 0)
            cap = (size_t)sb.st_size + 1;
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
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
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

static bool starts_with(const char *data, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(data, magic, n) == 0;
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
    char *data = NULL;
    size_t len = 0;
    pv_status st = read_all(f, subject, &data, &len, err);
    if (!from_stdin)
        fclose(f);
    if (st != PV_OK)
        return NULL;
    tensor *t = load_buffer(data, len, fmt, subject, gray, err);
    pv_free(data);
    return t;
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

/* One atomic save: the temporary file's name and descriptor. */
typedef struct atomic_file {
    char *temp_path;
    int fd;
} atomic_file;

/* Create a hidden temporary file in path's folder, with the permissions a
 * new file would get. */
static pv_status atomic_begin(const char *path, atomic_file *af, pv_error *err)
{
    struct stat sb;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0, size;

    af->temp_path = NULL;
    af->fd = -1;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
        (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return pv_error_set(err, PV_ERR_IO, path, "cannot write: it is a directory");
    if (!pv_add_size(strlen(path), 16, &size) || (af->temp_path = pv_malloc(size)) == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, path, "out of memory");
    snprintf(af->temp_path, size, "%.*s.%s.XXXXXX", (int)dir_len, path, base);
    af->fd = mkstemp(af->temp_path);
    if (af->fd < 0) {
        int saved = errno;
        char dir[160];
        if (dir_len == 0)
            snprintf(dir, sizeof dir, ".");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(dir_len > 1 ? dir_len - 1 : 1), path);
        pv_free(af->temp_path);
        af->temp_path = NULL;
        if (saved == ENOENT || saved == ENOTDIR)
            return pv_error_set(err, PV_ERR_IO, path,
                                "cannot write: the folder '%s' does not exist", dir);
        return pv_error_set(err, PV_ERR_IO, path, "cannot write in the folder '%s': %s", dir,
                            strerror(saved));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(af->fd, 0666 & ~mask);
    return PV_OK;
}

/* Rename the temporary file over path when st is PV_OK and nobody asked to
 * stop; remove it otherwise.  Returns the final status. */
static pv_status atomic_end(const char *path, atomic_file *af, pv_status st, pv_error *err)
{
    if (st == PV_OK && pool_cancel_requested)
        st = pv_error_set(err, PV_ERR_INTERRUPTED, path, "interrupted: nothing was written");
    if (st == PV_OK && rename(af->temp_path, path) != 0)
        st = pv_error_set(err, PV_ERR_IO, path, "cannot write: %s", strerror(errno));
    if (st != PV_OK)
        unlink(af->temp_path);
    pv_free(af->temp_path);
    af->temp_path = NULL;
    return st;
}

/* A target that is not a regular file (a device such as /dev/null, a pipe)
 * is written in place: renaming a new file over it would replace the device
 * itself.  A symbolic link is followed, so the file it names is replaced and
 * the link stays.  Returns a pv_malloc'ed path to write (or NULL: use path). */
static char *resolve_target(const char *path, bool *in_place)
{
    struct stat sb;
    *in_place = false;
    if (lstat(path, &sb) != 0)
        return NULL;
    if (S_ISLNK(sb.st_mode)) {
        char *real = realpath(path, NULL);
        if (real == NULL)
            return NULL;
        char *copy = pv_strdup(real);
        free(real);
        if (copy != NULL && stat(copy, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
            *in_place = true;
        return copy;
    }
    *in_place = !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
    return NULL;
}

/* Write a straight into an existing device or pipe. */
static pv_status save_array_in_place(const char *path, const ioarray *a, io_format fmt,
                                     pv_error *err)
{
    FILE *out = fopen(path, "wb");
    if (out == NULL)
        return pv_error_set(err, PV_ERR_IO, path, "cannot write: %s", strerror(errno));
    pv_status st = write_array(out, a, fmt, path, err);
    errno = 0;
    if (fclose(out) != 0 && st == PV_OK)
        st = pv_error_set(err, PV_ERR_IO, path, "cannot write: %s",
                          errno ? strerror(errno) : "write error");
    return st;
}

/* Write a through a temporary file and rename it to path. */
static pv_status save_array(const char *path, const ioarray *a, io_format fmt, pv_error *err)
{
    bool in_place;
    char *target = resolve_target(path, &in_place);
    if (in_place) {
        pv_status st = save_array_in_place(target ? target : path, a, fmt, err);
        pv_free(target);
        return st;
    }
    if (target != NULL) {
        pv_status st = save_array(target, a, fmt, err);
        pv_free(target);
        return st;
    }
    atomic_file af;
    pv_status st = atomic_begin(path, &af, err);
    if (st != PV_OK)
        return st;
    FILE *out = fdopen(af.fd, "wb");
    if (out == NULL) {
        st = pv_error_set(err, PV_ERR_IO, path, "cannot write: %s", strerror(errno));
        close(af.fd);
        return atomic_end(path, &af, st, err);
    }
    st = write_array(out, a, fmt, path, err);
    errno = 0;
    if (fclose(out) != 0 && st == PV_OK)
        st = pv_error_set(err, PV_ERR_IO, path, "cannot write: %s",
                          errno ? strerror(errno) : "write error");
    return atomic_end(path, &af, st, err);
}

static pv_status save_png(const char *path, const tensor *t, bool normalize, pv_error *err)
{
    bool in_place;
    char *target = resolve_target(path, &in_place);
    if (target != NULL || in_place) {
        pv_status st = in_place ? png_io_save(target ? target : path, t, normalize, err)
                                : save_png(target, t, normalize, err);
        pv_free(target);
        return st;
    }
    atomic_file af;
    pv_status st = atomic_begin(path, &af, err);
    if (st != PV_OK)
        return st;
    close(af.fd);
    st = png_io_save(af.temp_path, t, normalize, err);
    if (st != PV_OK && err != NULL)
        snprintf(err->subject, sizeof err->subject, "%s", path);
    return atomic_end(path, &af, st, err);
}

/* PNG to standard output: encode in memory, then write. */
static pv_status png_to_stdout(const tensor *t, bool normalize, pv_error *err)
{
    void *data = NULL;
    size_t size = 0;
    pv_status st = png_io_save_memory(&data, &size, t, normalize, err);
    if (st != PV_OK)
        return st;
    if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0)
        st = pv_error_set(err, PV_ERR_IO, "<stdout>", "cannot write: %s", strerror(errno));
    pv_free(data);
    return st;
}

pv_status io_save_file(const char *path, const tensor *t, io_format fmt,
                       const io_save_options *opts, pv_error *err)
{
    bool normalize = opts != NULL && opts->normalize;
    if (fmt == IO_FORMAT_AUTO)
        fmt = io_format_from_path(path);
    if (pool_cancel_requested)
        return pv_error_set(err, PV_ERR_INTERRUPTED, path, "interrupted: nothing was written");
    if (strcmp(path, "-") == 0) {
        if (fmt == IO_FORMAT_PNG)
            return png_to_stdout(t, normalize, err);
        return io_write_stream(stdout, t, fmt, err);
    }
    if (fmt == IO_FORMAT_PNG)
        return save_png(path, t, normalize, err);
    ioarray a = ioarray_from_tensor(t);
    return save_array(path, &a, fmt, err);
}

pv_status io_save_indices(const char *path, int rank, const size_t *dims,
                          const int64_t *indices, pv_error *err)
{
    ioarray a = { IOARRAY_I64, rank, { 0 }, 1, indices };
    if (rank < 1 || rank > TENSOR_MAX_RANK)
        return pv_error_set(err, PV_ERR_DATA, path, "indices of rank %d cannot be saved", rank);
    for (int k = 0; k < rank; k++) {
        a.dims[k] = dims[k];
        if (!pv_mul_size(a.count, dims[k], &a.count))
            return pv_error_set(err, PV_ERR_LIMIT, path, "the index count overflows");
    }
    io_format fmt = io_format_from_path(path);
    if (fmt == IO_FORMAT_PNG)
        return pv_error_set(err, PV_ERR_USAGE, path,
                            "indices cannot be saved as PNG: use .npy, .txt, .csv or .json");
    if (pool_cancel_requested)
        return pv_error_set(err, PV_ERR_INTERRUPTED, path, "interrupted: nothing was written");
    if (strcmp(path, "-") == 0) {
        pv_status st = write_array(stdout, &a, fmt, "<stdout>", err);
        if (st == PV_OK && fflush(stdout) != 0)
            st = pv_error_set(err, PV_ERR_IO, "<stdout>", "cannot write: %s", strerror(errno));
        return st;
    }
    return save_array(path, &a, fmt, err);
}
