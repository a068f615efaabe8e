/* png.c - PNG pictures as tensors (see png.h for the value contract).
 *
 * Reading uses libpng's full read API, not the simplified png_image API:
 * the simplified API delivers 8-bit samples converted to sRGB and 16-bit
 * samples converted to linear light with premultiplied alpha, while poolviz
 * promises the sample values as stored.  Writing is 8-bit only, where the
 * simplified API writes the bytes it is given unchanged, so it is used there.
 *
 * libpng reports errors with longjmp.  Everything a longjmp could leave
 * behind lives in a png_reader that belongs to the caller of the function
 * holding the setjmp, so nothing needs to be volatile and one cleanup path
 * frees it all.
 */
#include "png.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"

#define PNG_SIGNATURE_BYTES 8
#define MEMORY_SUBJECT "PNG data"

/* ---- reading -------------------------------------------------------------- */

typedef struct png_reader {
    /* input: a stream or a memory block */
    FILE *file;
    const unsigned char *data;
    size_t size;
    size_t pos;                 /* bytes consumed so far, both kinds */
    const char *subject;
    const char *what;           /* "file" or "data", for messages */
    bool gray;

    /* libpng state and buffers, freed by reader_cleanup */
    png_structp png;
    png_infop info;
    unsigned char *row;         /* one row (non-interlaced pictures) */
    unsigned char *image;       /* the whole picture (interlaced ones) */
    png_bytep *rows;
    tensor *result;

    /* what went wrong */
    bool truncated;
    bool out_of_memory;
    bool oversized;             /* libpng asked for more than PNG_READER_ALLOC_MAX */
    int read_errno;             /* nonzero: the stream failed */
    pv_error *err;
    bool err_set;               /* err already filled by our own checks */
} png_reader;

/* The most libpng itself may allocate at once; image rows are far smaller
 * (the pixels are stored in poolviz's own buffer). */
#define PNG_READER_ALLOC_MAX ((png_alloc_size_t)64 << 20)

static png_voidp reader_malloc(png_structp png, png_alloc_size_t size)
{
    png_reader *r = png_get_mem_ptr(png);
    if (size > PNG_READER_ALLOC_MAX) {
        /* a chunk claiming a huge length: refuse before allocating */
        r->oversized = true;
        return NULL;
    }
    void *p = pv_malloc(size);
    if (p == NULL)
        r->out_of_memory = true;
    return p;
}

static void reader_free(png_structp png, png_voidp ptr)
{
    (void)png;
    pv_free(ptr);
}

/* libpng error callback: turn the message into a pv_error and unwind. */
static void reader_error(png_structp png, png_const_charp message)
{
    png_reader *r = png_get_error_ptr(png);
    if (!r->err_set) {
        if (r->read_errno != 0)
            pv_error_set(r->err, PV_ERR_IO, r->subject, "cannot read the file: %s",
                         strerror(r->read_errno));
        else if (r->truncated)
            pv_error_set(r->err, PV_ERR_DATA, r->subject,
                         "the %s is truncated: it ends after %zu bytes, inside "
                         "the PNG data",
                         r->what, r->pos);
        else if (r->oversized)
            pv_error_set(r->err, PV_ERR_DATA, r->subject,
                         "damaged or invalid PNG: a chunk claims more than %u MiB",
                         (unsigned)(PNG_READER_ALLOC_MAX >> 20));
        else if (r->out_of_memory)
            pv_error_set(r->err, PV_ERR_NOMEM, r->subject,
                         "out of memory while decoding the PNG");
        else
            pv_error_set(r->err, PV_ERR_DATA, r->subject, "damaged or invalid PNG: %s",
                         message);
        r->err_set = true;
    }
    png_longjmp(png, 1);
}

static void reader_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;   /* ancillary trouble (a bad text chunk, ...) is not ours */
}

static void reader_read(png_structp png, png_bytep out, size_t length)
{
    png_reader *r = png_get_io_ptr(png);
    size_t got;
    if (r->file != NULL) {
        got = fread(out, 1, length, r->file);
        if (got < length && ferror(r->file))
            r->read_errno = errno ? errno : EIO;
    } else {
        size_t left = r->size - r->pos;
        got = length < left ? length : left;
        memcpy(out, r->data + r->pos, got);
    }
    r->pos += got;
    if (got < length) {
        if (r->read_errno == 0)
            r->truncated = true;
        png_error(png, "unexpected end of input");
    }
}

/* Read the 8 signature bytes and say what is wrong with them, if anything. */
static pv_status reader_check_signature(png_reader *r)
{
    unsigned char sig[PNG_SIGNATURE_BYTES];
    size_t got;
    if (r->file != NULL) {
        errno = 0;
        got = fread(sig, 1, sizeof sig, r->file);
        if (got < sizeof sig && ferror(r->file))
            return pv_error_set(r->err, PV_ERR_IO, r->subject, "cannot read the file: %s",
                                strerror(errno ? errno : EIO));
    } else {
        got = r->size < sizeof sig ? r->size : sizeof sig;
        if (got > 0)
            memcpy(sig, r->data, got);
    }
    r->pos = got;
    if (got == 0)
        return pv_error_set(r->err, PV_ERR_DATA, r->subject,
                            "the %s is empty (0 bytes), not a PNG picture", r->what);
    if (png_sig_cmp(sig, 0, got) != 0)
        return pv_error_set(r->err, PV_ERR_DATA, r->subject,
                            "not a PNG picture (it does not start with the PNG signature)");
    if (got < sizeof sig)
        return pv_error_set(r->err, PV_ERR_DATA, r->subject,
                            "the %s is truncated: it ends after %zu bytes, inside "
                            "the PNG signature",
                            r->what, got);
    return PV_OK;
}

static size_t sample_at(const unsigned char *row, size_t index, int depth)
{
    if (depth == 16)
        return (size_t)row[2 * index] << 8 | row[2 * index + 1];
    return row[index];
}

/* Store decoded row y (channels interleaved, 8 or 16 bit) into the tensor. */
static void reader_store_row(png_reader *r, const unsigned char *row, size_t y,
                             size_t channels, int depth)
{
    tensor *t = r->result;
    size_t height = t->dims[1], width = t->dims[2];
    size_t plane = height * width;
    double *out = (double *)t->data + y * width;
    for (size_t x = 0; x < width; x++) {
        size_t base = x * channels;
        if (r->gray && channels >= 3) {
            double luma = 0.299 * (double)sample_at(row, base, depth) +
                          0.587 * (double)sample_at(row, base + 1, depth) +
                          0.114 * (double)sample_at(row, base + 2, depth);
            out[x] = floor(luma + 0.5);
        } else if (r->gray) {
            out[x] = (double)sample_at(row, base, depth);
        } else {
            for (size_t c = 0; c < channels; c++)
                out[c * plane + x] = (double)sample_at(row, base + c, depth);
        }
    }
}

/* Check the picture's size against tensor_limits_current. */
static pv_status reader_check_limits(png_reader *r, size_t width, size_t height,
                                     size_t channels)
{
    const tensor_limits *lim = &tensor_limits_current;
    size_t pixels, count;
    if (width > lim->max_dim || height > lim->max_dim)
        return pv_error_set(r->err, PV_ERR_LIMIT, r->subject,
                            "the picture is %zux%zu pixels: its %s of %zu is over the "
                            "limit of %zu (raise it with --max-dim)",
                            width, height, width > lim->max_dim ? "width" : "height",
                            width > lim->max_dim ? width : height, lim->max_dim);
    if (!pv_mul_size(width, height, &pixels) || !pv_mul_size(pixels, channels, &count) ||
        count > lim->max_elements)
        return pv_error_set(r->err, PV_ERR_LIMIT, r->subject,
                            "the picture is %zux%zu pixels with %zu channel%s: %zu values "
                            "is over the limit of %zu (raise it with --max-elements)",
                            width, height, channels, channels == 1 ? "" : "s",
                            width * height * channels, lim->max_elements);
    return PV_OK;
}

/* The bytes of input after what libpng has read so far, or SIZE_MAX when
 * unknown (a pipe). */
static size_t reader_bytes_left(const png_reader *r)
{
    if (r->file == NULL)
        return r->size - r->pos;
    struct stat st;
    if (fstat(fileno(r->file), &st) != 0 || !S_ISREG(st.st_mode))
        return SIZE_MAX;
    return (uint64_t)st.st_size > r->pos ? (size_t)((uint64_t)st.st_size - r->pos) : 0;
}

/* Deflate cannot expand data more than about 1032 times (a 258-byte match
 * costs at least 2 bits), so the compressed rest of the file bounds the
 * pixels it can hold: a tiny file that claims a huge picture is refused
 * before the picture's memory is allocated.  rowbytes: one row as stored. */
#define PNG_DEFLATE_MAX_RATIO 1032

static pv_status reader_check_claim(png_reader *r, size_t height, size_t rowbytes)
{
    size_t left = reader_bytes_left(r), raw, most;
    if (left == SIZE_MAX || !pv_mul_size(height, rowbytes + 1, &raw))
        return PV_OK;
    if (pv_mul_size(left, PNG_DEFLATE_MAX_RATIO, &most) && most < raw)
        return pv_error_set(r->err, PV_ERR_DATA, r->subject,
                            "not enough image data: the header claims %zu bytes of pixel "
                            "rows, but the %zu bytes after it cannot hold more than %zu "
                            "(truncated or damaged)",
                            raw, left, most);
    return PV_OK;
}

/* Decode r's stream into r->result.  All state lives in *r, so a longjmp
 * back here loses nothing; the caller frees what is left. */
static void reader_decode(png_reader *r)
{
    if (setjmp(png_jmpbuf(r->png)))
        return;   /* reader_error filled r->err */

    png_structp png = r->png;
    png_infop info = r->info;
    png_set_read_fn(png, r, reader_read);
    png_set_sig_bytes(png, PNG_SIGNATURE_BYTES);
    /* Our own limits decide (with a message that names the option). */
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    /* A chunk (text, ICC profile ...) may claim up to 2 GiB: refuse to
     * allocate more than this for any single chunk. */
    png_set_chunk_malloc_max(png, (png_alloc_size_t)32 << 20);
    png_read_info(png, info);

    png_uint_32 width32, height32;
    int depth, color_type, interlace;
    png_get_IHDR(png, info, &width32, &height32, &depth, &color_type, &interlace, NULL,
                 NULL);
    bool has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    size_t channels;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
        channels = has_trns ? 2 : 1;
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        channels = 2;
        break;
    case PNG_COLOR_TYPE_PALETTE:
    case PNG_COLOR_TYPE_RGB:
        channels = has_trns ? 4 : 3;
        break;
    default:
        channels = 4;
        break;
    }
    size_t width = width32, height = height32;
    size_t out_channels = r->gray ? 1 : channels;
    if (reader_check_limits(r, width, height, out_channels) != PV_OK ||
        reader_check_claim(r, height, png_get_rowbytes(png, info)) != PV_OK) {
        r->err_set = true;
        return;
    }

    if (color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (has_trns)
        png_set_tRNS_to_alpha(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    depth = png_get_bit_depth(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (png_get_channels(png, info) != channels || (depth != 8 && depth != 16) ||
        rowbytes != width * channels * (size_t)(depth / 8))
        png_error(png, "unexpected layout after expansion");

    size_t dims[3] = {out_channels, height, width};
    pv_error alloc_err;
    r->result = tensor_new(TENSOR_F64, 3, dims, &alloc_err);
    if (r->result == NULL) {
        pv_error_set(r->err, alloc_err.status, r->subject, "%s", alloc_err.message);
        r->err_set = true;
        return;
    }

    if (passes == 1) {
        r->row = pv_malloc(rowbytes);
        if (r->row == NULL) {
            r->out_of_memory = true;
            png_error(png, "out of memory");
        }
        for (size_t y = 0; y < height; y++) {
            png_read_row(png, r->row, NULL);
            reader_store_row(r, r->row, y, channels, depth);
        }
    } else {
        size_t bytes, pointers;
        if (!pv_mul_size(rowbytes, height, &bytes) ||
            !pv_mul_size(sizeof *r->rows, height, &pointers))
            png_error(png, "picture too large");
        r->image = pv_malloc(bytes);
        r->rows = pv_malloc(pointers);
        if (r->image == NULL || r->rows == NULL) {
            r->out_of_memory = true;
            png_error(png, "out of memory");
        }
        for (size_t y = 0; y < height; y++)
            r->rows[y] = r->image + y * rowbytes;
        png_read_image(png, r->rows);
        for (size_t y = 0; y < height; y++)
            reader_store_row(r, r->rows[y], y, channels, depth);
    }
    /* Read to IEND so that damage after the image data is noticed too. */
    png_read_end(png, NULL);
}

static tensor *reader_run(png_reader *r)
{
    if (reader_check_signature(r) != PV_OK)
        return NULL;
    r->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, r, reader_error,
                                      reader_warning, r, reader_malloc, reader_free);
    if (r->png != NULL)
        r->info = png_create_info_struct(r->png);
    if (r->png == NULL || r->info == NULL) {
        pv_error_set(r->err, PV_ERR_NOMEM, r->subject, "out of memory starting libpng");
    } else {
        reader_decode(r);
    }

    png_destroy_read_struct(r->png ? &r->png : NULL, r->info ? &r->info : NULL, NULL);
    pv_free(r->row);
    pv_free(r->image);
    pv_free(r->rows);
    if (r->err_set) {
        tensor_free(r->result);
        return NULL;
    }
    return r->result;
}

tensor *png_io_load(const char *path, bool gray, pv_error *err)
{
    png_reader r = {.subject = path, .what = "file", .gray = gray, .err = err};
    struct stat st;
    r.file = fopen(path, "rb");
    if (r.file == NULL) {
        pv_error_set(err, PV_ERR_IO, path, "cannot open: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fileno(r.file), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(r.file);
        pv_error_set(err, PV_ERR_IO, path, "cannot read the file: it is a folder");
        return NULL;
    }
    tensor *t = reader_run(&r);
    fclose(r.file);
    return t;
}

tensor *png_io_load_memory(const void *data, size_t size, bool gray, pv_error *err)
{
    png_reader r = {.data = data, .size = data ? size : 0, .subject = MEMORY_SUBJECT,
                    .what = "data", .gray = gray, .err = err};
    return reader_run(&r);
}

/* ---- writing -------------------------------------------------------------- */

/* Validate the shape and fill *image's size and format. */
static pv_status writer_describe(const tensor *t, png_image *image, size_t *channels,
                                 const char *subject, pv_error *err)
{
    size_t c = 0, h = 0, w = 0;
    if (t->rank == 2) {
        c = 1, h = t->dims[0], w = t->dims[1];
    } else if (t->rank == 3) {
        c = t->dims[0], h = t->dims[1], w = t->dims[2];
    } else if (t->rank == 4 && t->dims[0] == 1) {
        c = t->dims[1], h = t->dims[2], w = t->dims[3];
    }
    if (t->count == 0)
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "the batch is empty (N = 0): there is no picture to write");
    if (c < 1 || c > 4) {
        char shape[96];
        tensor_format_shape(t->rank, t->dims, shape, sizeof shape);
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "PNG output needs HxW or CxHxW with 1 to 4 channels, got %s",
                            shape);
    }
    if (h > PNG_UINT_31_MAX / 8 || w > PNG_UINT_31_MAX / 8)
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "%zux%zu is too large for a PNG picture", h, w);
    static const png_uint_32 formats[4] = {PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB,
                                           PNG_FORMAT_RGBA};
    memset(image, 0, sizeof *image);
    image->version = PNG_IMAGE_VERSION;
    image->width = (png_uint_32)w;
    image->height = (png_uint_32)h;
    image->format = formats[c - 1];
    *channels = c;
    return PV_OK;
}

static unsigned char byte_from_value(double v)
{
    if (!(v > 0))   /* NaN too */
        return 0;
    if (v >= 255)
        return 255;
    return (unsigned char)floor(v + 0.5);
}

/* The picture as interleaved 8-bit samples, in a new pv_malloc'ed buffer. */
static unsigned char *writer_pixels(const tensor *t, size_t channels, bool normalize,
                                    pv_error *err, const char *subject)
{
    size_t plane = t->count / channels;
    unsigned char *px = pv_malloc(t->count);
    if (px == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, subject, "cannot allocate %zu bytes", t->count);
        return NULL;
    }
    double lo = INFINITY, hi = -INFINITY;
    if (normalize)
        for (size_t i = 0; i < t->count; i++) {
            double v = tensor_get(t, i);
            if (isfinite(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
    bool stretch = normalize && lo <= hi;
    double scale = stretch && hi > lo ? 255.0 / (hi - lo) : 0.0;
    for (size_t c = 0; c < channels; c++)
        for (size_t i = 0; i < plane; i++) {
            double v = tensor_get(t, c * plane + i);
            if (stretch && isfinite(v))
                v = hi > lo ? (v - lo) * scale : 128.0;
            px[i * channels + c] = byte_from_value(v);
        }
    return px;
}

/* The encoded PNG in a new buffer from the simplified API's own allocator
 * (freed with free): exactly what png_image_write_to_memory needs. */
static pv_status writer_encode(const tensor *t, bool normalize, void **out, size_t *out_size,
                               const char *subject, pv_error *err)
{
    png_image image;
    size_t channels = 0;
    pv_status st = writer_describe(t, &image, &channels, subject, err);
    if (st != PV_OK)
        return st;
    unsigned char *px = writer_pixels(t, channels, normalize, err, subject);
    if (px == NULL)
        return PV_ERR_NOMEM;

    size_t size = 0;
    void *buf = NULL;
    if (png_image_write_get_memory_size(image, size, 0, px, 0, NULL)) {
        buf = pv_malloc(size);
        if (buf == NULL ||
            !png_image_write_to_memory(&image, buf, &size, 0, px, 0, NULL)) {
            pv_free(buf);
            buf = NULL;
        }
    }
    pv_free(px);
    if (buf == NULL) {
        if (PNG_IMAGE_FAILED(image))
            st = pv_error_set(err, PV_ERR_NOMEM, subject, "cannot encode the PNG: %s",
                              image.message);
        else
            st = pv_error_set(err, PV_ERR_NOMEM, subject,
                              "out of memory encoding the PNG (%zu bytes)", size);
        png_image_free(&image);
        return st;
    }
    png_image_free(&image);
    *out = buf;
    *out_size = size;
    return PV_OK;
}

pv_status png_io_save_memory(void **data, size_t *size, const tensor *t, bool normalize,
                             pv_error *err)
{
    return writer_encode(t, normalize, data, size, "PNG output", err);
}

pv_status png_io_save(const char *path, const tensor *t, bool normalize, pv_error *err)
{
    void *buf;
    size_t size;
    pv_status st = writer_encode(t, normalize, &buf, &size, path, err);
    if (st != PV_OK)
        return st;

    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        int e = errno;
        pv_free(buf);
        return pv_error_set(err, PV_ERR_IO, path, "cannot create the file: %s", strerror(e));
    }
    struct stat sb;
    bool regular = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
    int e = 0;
    errno = 0;
    if (fwrite(buf, 1, size, f) != size || fflush(f) != 0)
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && e == 0)
        e = errno ? errno : EIO;
    pv_free(buf);
    if (e != 0) {
        if (regular)   /* never remove a device such as /dev/full */
            remove(path);
        return pv_error_set(err, PV_ERR_IO, path, "cannot write the file: %s", strerror(e));
    }
    return PV_OK;
}
