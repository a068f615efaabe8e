/* test-png.c - PNG input and output (src/io/png.c).
 *
 * The test writes its PNG files itself with libpng's write API, for every
 * colour type, bit depth and interlace method, loads them with png_io_load
 * and png_io_load_memory and compares the sample values exactly.  Then
 * tensors go through png_io_save and back, and broken files (truncated at
 * every length, a damaged IDAT, not a PNG, empty, a header claiming a huge
 * picture) must each give an error, never a crash.
 */
#include <errno.h>
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/alloc.h"
#include "core/tensor.h"
#include "io/png.h"

/* ---- writing test pictures with libpng's full write API ------------------- */

typedef struct membuf {
    unsigned char *data;
    size_t size, cap;
} membuf;

static void membuf_write(png_structp png, png_bytep bytes, size_t n)
{
    membuf *m = png_get_io_ptr(png);
    if (m->size + n > m->cap) {
        size_t cap = (m->size + n) * 2;
        unsigned char *grown = realloc(m->data, cap);
        if (grown == NULL)
            png_error(png, "test: out of memory");
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->size, bytes, n);
    m->size += n;
}

static void membuf_flush(png_structp png)
{
    (void)png;
}

typedef struct picture {
    int color_type, depth, interlace;
    size_t width, height;
    /* raw samples as stored in the file, interleaved (palette: indices) */
    unsigned *samples;
    png_color palette[256];
    int palette_size;
    png_byte trns_alpha[256];   /* palette tRNS */
    int trns_count;             /* palette: entries; others: 1 = use trns_color */
    png_color_16 trns_color;
} picture;

static int file_channels(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        return 2;
    case PNG_COLOR_TYPE_RGB:
        return 3;
    case PNG_COLOR_TYPE_RGBA:
        return 4;
    default:
        return 1;
    }
}

/* Encode p as a PNG in memory (data owned by the caller, free()). */
static membuf picture_encode(const picture *p)
{
    membuf m = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int channels = file_channels(p->color_type);
    size_t bps = p->depth == 16 ? 2 : 1;
    size_t rowbytes = p->width * (size_t)channels * bps;
    unsigned char *image = malloc(rowbytes * p->height);
    png_bytep *rows = malloc(sizeof *rows * p->height);
    if (png == NULL || info == NULL || image == NULL || rows == NULL) {
        fprintf(stderr, "test: cannot start libpng\n");
        exit(99);
    }
    if (setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "test: libpng write failed\n");
        exit(99);
    }
    png_set_write_fn(png, &m, membuf_write, membuf_flush);
    png_set_IHDR(png, info, (png_uint_32)p->width, (png_uint_32)p->height, p->depth,
                 p->color_type, p->interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (p->color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_PLTE(png, info, p->palette, p->palette_size);
    if (p->trns_count > 0)
        png_set_tRNS(png, info, p->trns_alpha, p->trns_count, &p->trns_color);
    png_write_info(png, info);
    if (p->depth < 8)
        png_set_packing(png);
    size_t n = p->width * p->height * (size_t)channels;
    for (size_t i = 0; i < n; i++) {
        if (bps == 2) {
            image[2 * i] = (unsigned char)(p->samples[i] >> 8);
            image[2 * i + 1] = (unsigned char)(p->samples[i] & 0xff);
        } else {
            image[i] = (unsigned char)p->samples[i];
        }
    }
    for (size_t y = 0; y < p->height; y++)
        rows[y] = image + y * rowbytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(image);
    free(rows);
    return m;
}

static uint32_t test_random_state = 12345;

static uint32_t test_random(void)
{
    test_random_state = test_random_state * 1103515245u + 12345u;
    return test_random_state >> 8;
}

/* A picture with pseudo-random samples; the first pixels hold 0, the
 * maximum and the tRNS key so those cases always occur. */
static picture picture_make(int color_type, int depth, bool trns, int interlace,
                            size_t width, size_t height)
{
    picture p = {.color_type = color_type, .depth = depth, .interlace = interlace,
                 .width = width, .height = height};
    int channels = file_channels(color_type);
    size_t n = width * height * (size_t)channels;
    unsigned maxval = (1u << depth) - 1;
    p.samples = calloc(n, sizeof *p.samples);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        p.palette_size = (int)maxval + 1;
        for (int i = 0; i < p.palette_size; i++) {
            p.palette[i].red = (png_byte)(i * 37 + 5);
            p.palette[i].green = (png_byte)(255 - i * 11);
            p.palette[i].blue = (png_byte)(i * i);
        }
        maxval = (unsigned)p.palette_size - 1;
        if (trns) {
            p.trns_count = p.palette_size > 3 ? 3 : p.palette_size - 1;
            for (int i = 0; i < p.trns_count; i++)
                p.trns_alpha[i] = (png_byte)(i * 100);
        }
    } else if (trns) {
        p.trns_count = 1;
        unsigned key = maxval / 3;
        p.trns_color.gray = p.trns_color.red = (png_uint_16)key;
        p.trns_color.green = (png_uint_16)(maxval - key);
        p.trns_color.blue = (png_uint_16)(key / 2);
    }
    for (size_t i = 0; i < n; i++)
        p.samples[i] = test_random() % (maxval + 1);
    p.samples[0] = 0;
    if (n > (size_t)channels)
        for (int c = 0; c < channels; c++)
            p.samples[(size_t)channels + (size_t)c] = maxval;
    if (trns && color_type != PNG_COLOR_TYPE_PALETTE && n >= 3 * (size_t)channels) {
        size_t at = 2 * (size_t)channels;
        p.samples[at] = p.trns_color.red;
        if (channels == 3) {
            p.samples[at + 1] = p.trns_color.green;
            p.samples[at + 2] = p.trns_color.blue;
        }
    }
    return p;
}

/* The C×H×W tensor png.h promises for p (gray = false). */
static double *picture_expect(const picture *p, size_t *channels_out)
{
    int fc = file_channels(p->color_type);
    bool trns = p->trns_count > 0;
    size_t channels;
    if (p->color_type == PNG_COLOR_TYPE_PALETTE)
        channels = trns ? 4 : 3;
    else if (p->color_type == PNG_COLOR_TYPE_GRAY || p->color_type == PNG_COLOR_TYPE_RGB)
        channels = (size_t)fc + (trns ? 1 : 0);
    else
        channels = (size_t)fc;
    size_t plane = p->width * p->height;
    double *e = calloc(channels * plane, sizeof *e);
    unsigned maxval = (1u << p->depth) - 1;
    for (size_t i = 0; i < plane; i++) {
        const unsigned *s = p->samples + i * (size_t)fc;
        if (p->color_type == PNG_COLOR_TYPE_PALETTE) {
            e[i] = p->palette[s[0]].red;
            e[plane + i] = p->palette[s[0]].green;
            e[2 * plane + i] = p->palette[s[0]].blue;
            if (trns)
                e[3 * plane + i] = (int)s[0] < p->trns_count ? p->trns_alpha[s[0]] : 255;
            continue;
        }
        for (int c = 0; c < fc; c++)
            e[(size_t)c * plane + i] =
                p->depth < 8 ? s[c] * 255.0 / maxval : (double)s[c];
        if (trns) {
            bool key = fc == 1 ? s[0] == p->trns_color.gray
                               : s[0] == p->trns_color.red && s[1] == p->trns_color.green &&
                                     s[2] == p->trns_color.blue;
            e[(size_t)fc * plane + i] = key ? 0 : (p->depth == 16 ? 65535 : 255);
        }
    }
    *channels_out = channels;
    return e;
}

static const char *color_type_name(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
        return "gray";
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        return "gray+alpha";
    case PNG_COLOR_TYPE_RGB:
        return "rgb";
    case PNG_COLOR_TYPE_RGBA:
        return "rgba";
    default:
        return "palette";
    }
}

static char tmpdir[64];

static char *tmp_path(const char *name)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        fprintf(stderr, "test: cannot write %s\n", path);
        exit(99);
    }
}

/* Compare a loaded tensor with the expected planes; report the first mismatch. */
static void check_tensor(const tensor *t, size_t channels, size_t height, size_t width,
                         const double *expect, const char *label)
{
    CHECK_MSG(t != NULL, "%s: load failed", label);
    if (t == NULL)
        return;
    CHECK_MSG(t->dtype == TENSOR_F64 && t->rank == 3 && t->dims[0] == channels &&
                  t->dims[1] == height && t->dims[2] == width,
              "%s: got rank %d %zux%zux%zu, expected %zux%zux%zu", label, t->rank,
              t->dims[0], t->dims[1], t->dims[2], channels, height, width);
    if (t->count != channels * height * width)
        return;
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < t->count; i++)
        if (tensor_get(t, i) != expect[i] && bad++ == 0)
            first = i;
    CHECK_MSG(bad == 0, "%s: %zu values differ, first at %zu: %g, expected %g", label, bad,
              first, bad ? tensor_get(t, first) : 0.0, bad ? expect[first] : 0.0);
}

static void test_round_trip_case(int color_type, int depth, bool trns, int interlace,
                                 size_t width, size_t height)
{
    char label[96];
    snprintf(label, sizeof label, "%s %d-bit%s%s %zux%zu", color_type_name(color_type),
             depth, trns ? " tRNS" : "", interlace ? " interlaced" : "", width, height);
    picture p = picture_make(color_type, depth, trns, interlace, width, height);
    membuf m = picture_encode(&p);
    size_t channels;
    double *expect = picture_expect(&p, &channels);
    pv_error err;

    tensor *t = png_io_load_memory(m.data, m.size, false, &err);
    if (t == NULL)
        fprintf(stderr, "%s: %s: %s\n", label, err.subject, err.message);
    check_tensor(t, channels, height, width, expect, label);
    tensor_free(t);

    write_file(tmp_path("trip.png"), m.data, m.size);
    t = png_io_load(tmp_path("trip.png"), false, &err);
    check_tensor(t, channels, height, width, expect, label);
    tensor_free(t);

    /* gray = true: Rec. 601 luma of the colour channels, rounded; alpha dropped */
    size_t plane = width * height;
    double *luma = calloc(plane, sizeof *luma);
    for (size_t i = 0; i < plane; i++)
        luma[i] = channels >= 3 ? floor(0.299 * expect[i] + 0.587 * expect[plane + i] +
                                        0.114 * expect[2 * plane + i] + 0.5)
                                : expect[i];
    t = png_io_load_memory(m.data, m.size, true, &err);
    char gray_label[120];
    snprintf(gray_label, sizeof gray_label, "%s (gray)", label);
    check_tensor(t, 1, height, width, luma, gray_label);
    tensor_free(t);

    free(luma);
    free(expect);
    free(p.samples);
    free(m.data);
}

static void test_round_trips(void)
{
    static const struct {
        int color_type, depth;
        bool trns;
    } kinds[] = {
        {PNG_COLOR_TYPE_GRAY, 1, false},       {PNG_COLOR_TYPE_GRAY, 2, false},
        {PNG_COLOR_TYPE_GRAY, 4, false},       {PNG_COLOR_TYPE_GRAY, 8, false},
        {PNG_COLOR_TYPE_GRAY, 16, false},      {PNG_COLOR_TYPE_GRAY, 1, true},
        {PNG_COLOR_TYPE_GRAY, 4, true},        {PNG_COLOR_TYPE_GRAY, 8, true},
        {PNG_COLOR_TYPE_GRAY, 16, true},       {PNG_COLOR_TYPE_GRAY_ALPHA, 8, false},
        {PNG_COLOR_TYPE_GRAY_ALPHA, 16, false}, {PNG_COLOR_TYPE_RGB, 8, false},
        {PNG_COLOR_TYPE_RGB, 16, false},       {PNG_COLOR_TYPE_RGB, 8, true},
        {PNG_COLOR_TYPE_RGB, 16, true},        {PNG_COLOR_TYPE_RGBA, 8, false},
        {PNG_COLOR_TYPE_RGBA, 16, false},      {PNG_COLOR_TYPE_PALETTE, 1, false},
        {PNG_COLOR_TYPE_PALETTE, 2, false},    {PNG_COLOR_TYPE_PALETTE, 4, false},
        {PNG_COLOR_TYPE_PALETTE, 8, false},    {PNG_COLOR_TYPE_PALETTE, 1, true},
        {PNG_COLOR_TYPE_PALETTE, 2, true},     {PNG_COLOR_TYPE_PALETTE, 4, true},
        {PNG_COLOR_TYPE_PALETTE, 8, true},
    };
    static const size_t sizes[][2] = {{13, 7}, {1, 1}, {5, 9}, {64, 3}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int interlace = 0; interlace <= 1; interlace++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                test_round_trip_case(kinds[k].color_type, kinds[k].depth, kinds[k].trns,
                                     interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                                     sizes[s][0], sizes[s][1]);
}

/* 16-bit samples keep their full value range, byte order included. */
static void test_16bit_values(void)
{
    picture p = picture_make(PNG_COLOR_TYPE_GRAY, 16, false, PNG_INTERLACE_NONE, 5, 1);
    static const unsigned values[5] = {0, 1, 256, 43981, 65535};
    memcpy(p.samples, values, sizeof values);
    membuf m = picture_encode(&p);
    pv_error err;
    tensor *t = png_io_load_memory(m.data, m.size, false, &err);
    CHECK(t != NULL);
    if (t != NULL)
        for (int i = 0; i < 5; i++)
            CHECK_NEAR(tensor_get(t, (size_t)i), (double)values[i], 0);
    tensor_free(t);
    free(m.data);
    free(p.samples);
}

/* ---- saving ---------------------------------------------------------------- */

static tensor *make_tensor(int rank, const size_t *dims, const double *values)
{
    pv_error err;
    tensor *t = tensor_new(TENSOR_F64, rank, dims, &err);
    if (t == NULL) {
        fprintf(stderr, "test: tensor_new: %s\n", err.message);
        exit(99);
    }
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, values[i]);
    return t;
}

static void test_save_channels(void)
{
    for (size_t c = 1; c <= 4; c++) {
        size_t dims[3] = {c, 3, 5};
        double values[60], expect[60];
        for (size_t i = 0; i < c * 15; i++) {
            values[i] = (double)((i * 29 + c * 7) % 256);
            expect[i] = values[i];
        }
        tensor *t = make_tensor(3, dims, values);
        pv_error err;
        CHECK(png_io_save(tmp_path("save.png"), t, false, &err) == PV_OK);
        tensor *back = png_io_load(tmp_path("save.png"), false, &err);
        char label[32];
        snprintf(label, sizeof label, "save %zu channels", c);
        check_tensor(back, c, 3, 5, expect, label);
        tensor_free(back);

        void *data = NULL;
        size_t size = 0;
        CHECK(png_io_save_memory(&data, &size, t, false, &err) == PV_OK);
        back = png_io_load_memory(data, size, false, &err);
        check_tensor(back, c, 3, 5, expect, label);
        tensor_free(back);
        pv_free(data);

        /* 1×C×H×W is accepted as C×H×W */
        size_t dims4[4] = {1, c, 3, 5};
        tensor *t4 = make_tensor(4, dims4, values);
        CHECK(png_io_save(tmp_path("save4.png"), t4, false, &err) == PV_OK);
        back = png_io_load(tmp_path("save4.png"), false, &err);
        check_tensor(back, c, 3, 5, expect, label);
        tensor_free(back);
        tensor_free(t4);
        tensor_free(t);
    }

    /* H×W is one gray channel; values round half up and clamp, NaN is 0 */
    size_t dims2[2] = {2, 4};
    double values[8] = {-5, 0.49, 0.5, 254.5, 300, NAN, INFINITY, -INFINITY};
    double expect[8] = {0, 0, 1, 255, 255, 0, 255, 0};
    tensor *t = make_tensor(2, dims2, values);
    pv_error err;
    CHECK(png_io_save(tmp_path("gray.png"), t, false, &err) == PV_OK);
    tensor *back = png_io_load(tmp_path("gray.png"), false, &err);
    check_tensor(back, 1, 2, 4, expect, "save HxW");
    tensor_free(back);
    tensor_free(t);

    /* float32 tensors save the same way */
    pv_error cerr;
    tensor *f = tensor_new(TENSOR_F32, 2, dims2, &cerr);
    for (size_t i = 0; i < 8; i++)
        tensor_set(f, i, values[i]);
    CHECK(png_io_save(tmp_path("f32.png"), f, false, &err) == PV_OK);
    back = png_io_load(tmp_path("f32.png"), false, &err);
    check_tensor(back, 1, 2, 4, expect, "save float32");
    tensor_free(back);
    tensor_free(f);
}

static void test_save_normalize(void)
{
    pv_error err;
    size_t dims[2] = {1, 6};
    double values[6] = {-1, 0, 1, 3, NAN, INFINITY};
    /* finite range -1..3: (v + 1) * 255 / 4 rounded */
    double expect[6] = {0, 64, 128, 255, 0, 255};
    tensor *t = make_tensor(2, dims, values);
    CHECK(png_io_save(tmp_path("norm.png"), t, true, &err) == PV_OK);
    tensor *back = png_io_load(tmp_path("norm.png"), false, &err);
    check_tensor(back, 1, 1, 6, expect, "normalize");
    tensor_free(back);
    tensor_free(t);

    double constant[6] = {7, 7, 7, NAN, -INFINITY, 7};
    double expect_const[6] = {128, 128, 128, 0, 0, 128};
    t = make_tensor(2, dims, constant);
    CHECK(png_io_save(tmp_path("norm.png"), t, true, &err) == PV_OK);
    back = png_io_load(tmp_path("norm.png"), false, &err);
    check_tensor(back, 1, 1, 6, expect_const, "normalize constant");
    tensor_free(back);
    tensor_free(t);

    /* across channels: one range for the whole tensor */
    size_t dims3[3] = {2, 1, 2};
    double two[4] = {1000, 2000, 3000, 5000};
    double expect_two[4] = {0, 64, 128, 255};
    t = make_tensor(3, dims3, two);
    CHECK(png_io_save(tmp_path("norm.png"), t, true, &err) == PV_OK);
    back = png_io_load(tmp_path("norm.png"), false, &err);
    check_tensor(back, 2, 1, 2, expect_two, "normalize channels");
    tensor_free(back);
    tensor_free(t);

    /* nothing finite: as without normalize */
    double none[6] = {NAN, INFINITY, -INFINITY, NAN, NAN, NAN};
    double expect_none[6] = {0, 255, 0, 0, 0, 0};
    t = make_tensor(2, dims, none);
    CHECK(png_io_save(tmp_path("norm.png"), t, true, &err) == PV_OK);
    back = png_io_load(tmp_path("norm.png"), false, &err);
    check_tensor(back, 1, 1, 6, expect_none, "normalize without finite values");
    tensor_free(back);
    tensor_free(t);
}

static void test_save_errors(void)
{
    static const double zeros[5 * 2 * 2 * 2] = {0};
    static const struct {
        int rank;
        size_t dims[4];
    } shapes[] = {{1, {7}}, {3, {5, 2, 2}}, {3, {0 + 6, 1, 1}}, {4, {2, 1, 2, 2}},
                  {4, {1, 5, 2, 2}}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        tensor *t = make_tensor(shapes[i].rank, shapes[i].dims, zeros);
        pv_error err;
        pv_error_clear(&err);
        const char *path = tmp_path("bad-shape.png");
        CHECK(png_io_save(path, t, false, &err) == PV_ERR_DATA);
        CHECK(err.status == PV_ERR_DATA);
        CHECK_MSG(strstr(err.message, "PNG output needs") != NULL, "message: %s",
                  err.message);
        CHECK_STR(err.subject, path);
        CHECK_MSG(access(path, F_OK) != 0, "a file was written for a bad shape");
        void *data = NULL;
        size_t size = 0;
        CHECK(png_io_save_memory(&data, &size, t, false, &err) == PV_ERR_DATA);
        CHECK(data == NULL);
        tensor_free(t);
    }

    size_t dims[2] = {2, 2};
    double four[4] = {1, 2, 3, 4};
    tensor *t = make_tensor(2, dims, four);
    pv_error err;
    CHECK(png_io_save(tmp_path("no-such-folder/x.png"), t, false, &err) == PV_ERR_IO);
    CHECK_MSG(strstr(err.message, "No such file") != NULL, "message: %s", err.message);

    /* disk full, where the machine has /dev/full */
    struct stat before;
    if (stat("/dev/full", &before) == 0 && access("/dev/full", W_OK) == 0) {
        CHECK(png_io_save("/dev/full", t, false, &err) == PV_ERR_IO);
        CHECK_MSG(strstr(err.message, "space") != NULL, "message: %s", err.message);
        struct stat after;
        CHECK_MSG(stat("/dev/full", &after) == 0 && S_ISCHR(after.st_mode),
                  "/dev/full must survive a failed write");
    } else {
        printf("skipped the disk-full case: no writable /dev/full\n");
    }
    tensor_free(t);
}

/* ---- broken input ----------------------------------------------------------- */

static uint32_t crc32_bytes(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xffffffffu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the first chunk of the given type (at its length field). */
static size_t find_chunk(const unsigned char *png, size_t size, const char *type)
{
    size_t at = 8;
    while (at + 12 <= size) {
        if (memcmp(png + at + 4, type, 4) == 0)
            return at;
        at += 12 + get_be32(png + at);
    }
    return 0;
}

/* Load from memory and from a file; both must fail with one of the given
 * statuses and a message. */
static void check_broken(const void *data, size_t size, pv_status want, const char *label,
                         const char *fragment)
{
    pv_error err;
    pv_error_clear(&err);
    tensor *t = png_io_load_memory(data, size, false, &err);
    CHECK_MSG(t == NULL, "%s: loaded", label);
    tensor_free(t);
    CHECK_MSG(err.status == want && err.message[0] != '\0',
              "%s (memory): status %d, expected %d: %s", label, (int)err.status, (int)want,
              err.message);
    CHECK_STR(err.subject, "PNG data");
    if (fragment != NULL)
        CHECK_MSG(strstr(err.message, fragment) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  label, err.message, fragment);

    const char *path = tmp_path("broken.png");
    write_file(path, data, size);
    pv_error_clear(&err);
    t = png_io_load(path, false, &err);
    CHECK_MSG(t == NULL, "%s: loaded from a file", label);
    tensor_free(t);
    CHECK_MSG(err.status == want, "%s (file): status %d, expected %d: %s", label,
              (int)err.status, (int)want, err.message);
    CHECK_STR(err.subject, path);
    if (fragment != NULL)
        CHECK_MSG(strstr(err.message, fragment) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  label, err.message, fragment);
}

static void test_broken_files(void)
{
    picture p = picture_make(PNG_COLOR_TYPE_RGB, 8, false, PNG_INTERLACE_NONE, 40, 30);
    membuf m = picture_encode(&p);
    unsigned char *copy = malloc(m.size);
    char label[64];

    check_broken(m.data, 0, PV_ERR_DATA, "empty", "empty");
    check_broken(NULL, 0, PV_ERR_DATA, "NULL data", "empty");

    /* truncated at every length, memory; a few lengths also as files */
    size_t idat = find_chunk(m.data, m.size, "IDAT");
    CHECK(idat > 0);
    for (size_t len = 1; len < m.size; len++) {
        pv_error err;
        pv_error_clear(&err);
        tensor *t = png_io_load_memory(m.data, len, false, &err);
        CHECK_MSG(t == NULL && err.status == PV_ERR_DATA &&
                      strstr(err.message, "truncated") != NULL,
                  "truncated at %zu of %zu: %s", len, m.size, err.message);
        tensor_free(t);
    }
    const size_t cuts[] = {4, 8, 20, 33, idat + 6, idat + 30, m.size - 12, m.size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        snprintf(label, sizeof label, "truncated at %zu", cuts[i]);
        check_broken(m.data, cuts[i], PV_ERR_DATA, label, "truncated");
    }

    /* one flipped byte inside the image data: zlib's check or the CRC
     * (whichever libpng meets first) catches it */
    memcpy(copy, m.data, m.size);
    copy[idat + 8 + get_be32(copy + idat) / 2] ^= 0x10;
    check_broken(copy, m.size, PV_ERR_DATA, "flipped IDAT byte", "damaged");
    /* a flipped bit in the IDAT's CRC itself */
    memcpy(copy, m.data, m.size);
    copy[idat + 8 + get_be32(copy + idat) + 2] ^= 0x04;
    check_broken(copy, m.size, PV_ERR_DATA, "flipped IDAT CRC", "CRC error");

    /* the same with the CRC repaired: zlib finds the damage (or the data
     * decodes to other pixels, which is not an error PNG can detect) */
    uint32_t idat_len = get_be32(copy + idat);
    put_be32(copy + idat + 8 + idat_len, crc32_bytes(copy + idat + 4, 4 + idat_len));
    pv_error err;
    tensor *t = png_io_load_memory(copy, m.size, false, &err);
    tensor_free(t);
    CHECK_MSG(t != NULL || err.status == PV_ERR_DATA, "repaired CRC: status %d",
              (int)err.status);

    /* a flipped byte in the IHDR */
    memcpy(copy, m.data, m.size);
    copy[16 + 3] ^= 0x01;
    check_broken(copy, m.size, PV_ERR_DATA, "flipped IHDR byte", "CRC");

    /* not a PNG at all */
    static const char text[] = "1 2 3\n4 5 6\n";
    check_broken(text, sizeof text - 1, PV_ERR_DATA, "text", "not a PNG");
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    check_broken(gif, sizeof gif - 1, PV_ERR_DATA, "gif", "not a PNG");

    free(copy);
    free(m.data);
    free(p.samples);
}

/* A valid PNG whose IHDR claims width×height, with a token IDAT. */
static membuf huge_header(uint32_t width, uint32_t height, int color_type)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /* an empty zlib stream is enough: the limit check must come first */
    static const unsigned char idat_data[] = {0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
    membuf m = {.data = malloc(128), .cap = 128};
    unsigned char *b = m.data;
    memcpy(b, signature, 8);
    put_be32(b + 8, 13);
    memcpy(b + 12, "IHDR", 4);
    put_be32(b + 16, width);
    put_be32(b + 20, height);
    b[24] = 8;
    b[25] = (unsigned char)color_type;
    b[26] = b[27] = b[28] = 0;
    put_be32(b + 29, crc32_bytes(b + 12, 17));
    size_t at = 33;
    put_be32(b + at, sizeof idat_data);
    memcpy(b + at + 4, "IDAT", 4);
    memcpy(b + at + 8, idat_data, sizeof idat_data);
    put_be32(b + at + 8 + sizeof idat_data, crc32_bytes(b + at + 4, 4 + sizeof idat_data));
    at += 12 + sizeof idat_data;
    put_be32(b + at, 0);
    memcpy(b + at + 4, "IEND", 4);
    put_be32(b + at + 8, crc32_bytes(b + at + 4, 4));
    m.size = at + 12;
    return m;
}

static void test_limits(void)
{
    membuf m = huge_header(200000, 200000, PNG_COLOR_TYPE_RGB);
    check_broken(m.data, m.size, PV_ERR_LIMIT, "200000x200000", "--max-elements");
    free(m.data);

    /* just over libpng's own default limit of 1e6: our limits decide */
    m = huge_header(2000000, 1, PNG_COLOR_TYPE_GRAY);
    check_broken(m.data, m.size, PV_ERR_DATA, "2000000x1 within limits", NULL);
    free(m.data);

    tensor_limits saved = tensor_limits_current;
    tensor_limits_current.max_dim = 100;
    m = huge_header(101, 5, PNG_COLOR_TYPE_GRAY);
    check_broken(m.data, m.size, PV_ERR_LIMIT, "width over --max-dim", "--max-dim");
    free(m.data);
    m = huge_header(5, 101, PNG_COLOR_TYPE_GRAY);
    check_broken(m.data, m.size, PV_ERR_LIMIT, "height over --max-dim", "--max-dim");
    free(m.data);
    tensor_limits_current = saved;

    /* C×H×W counts: 10×10 RGB is 300 values, gray is 100 */
    tensor_limits_current.max_elements = 299;
    picture p = picture_make(PNG_COLOR_TYPE_RGB, 8, false, PNG_INTERLACE_NONE, 10, 10);
    membuf pic = picture_encode(&p);
    check_broken(pic.data, pic.size, PV_ERR_LIMIT, "RGB over --max-elements",
                 "--max-elements");
    pv_error err;
    tensor *t = png_io_load_memory(pic.data, pic.size, true, &err);
    CHECK_MSG(t != NULL, "a gray load counts one channel: %s", err.message);
    tensor_free(t);
    tensor_limits_current = saved;
    free(pic.data);
    free(p.samples);
}

static void test_unreadable(void)
{
    pv_error err;
    tensor *t = png_io_load(tmp_path("missing.png"), false, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO);
    CHECK_MSG(strstr(err.message, "No such file") != NULL, "message: %s", err.message);
    t = png_io_load(tmpdir, false, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO);
    CHECK_STR(err.subject, tmpdir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test-png.XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "test-png: cannot make a temporary folder: %s\n", strerror(errno));
        return 99;
    }
    test_round_trips();
    test_16bit_values();
    test_save_channels();
    test_save_normalize();
    test_save_errors();
    test_broken_files();
    test_limits();
    test_unreadable();

    static const char *names[] = {"trip.png", "save.png", "save4.png", "gray.png", "f32.png",
                                  "norm.png", "broken.png"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(tmp_path(names[i]));
    rmdir(tmpdir);
    return check_exit();
}
