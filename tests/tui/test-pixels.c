/* test-pixels.c - the picture view's arithmetic, without a terminal: the
 * value scale of an input and an output, resampling (area averages when
 * shrinking, nearest when enlarging), the xterm palette, libchafa's
 * symbols (flat areas one colour, half blocks), and the ASCII ramp.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "core/tensor.h"
#include "tui/pixels.h"
#include "tui/symbols.h"
#include "../unit/check.h"

static tensor *filled(int rank, const size_t *dims, const double *values)
{
    pv_error err;
    tensor *t = tensor_new(TENSOR_F64, rank, dims, &err);
    if (t != NULL && values != NULL)
        for (size_t i = 0; i < t->count; i++)
            tensor_set(t, i, values[i]);
    return t;
}

static tensor *ramp(int rank, const size_t *dims, double scale)
{
    pv_error err;
    tensor *t = tensor_new(TENSOR_F64, rank, dims, &err);
    if (t != NULL)
        for (size_t i = 0; i < t->count; i++)
            tensor_set(t, i, (double)(i % 256) * scale);
    return t;
}

static void test_input_scale(void)
{
    const size_t rgb[3] = {3, 4, 4};
    tensor *t = ramp(3, rgb, 1);
    pixels_scale s = pixels_scale_for_input(t);
    CHECK(s.lo == 0 && s.hi == 255 && !s.stretched);
    tensor_set(t, 5, 1000);     /* a 16-bit picture */
    s = pixels_scale_for_input(t);
    CHECK(s.lo == 0 && s.hi == 65535 && !s.stretched);
    tensor_set(t, 5, 2.5);      /* not sample values: stretched */
    s = pixels_scale_for_input(t);
    CHECK(s.stretched && s.lo == 0 && s.hi == 47);
    tensor_set(t, 5, -1);
    s = pixels_scale_for_input(t);
    CHECK(s.stretched && s.lo == -1);
    tensor_free(t);

    /* a matrix (rank 2) is stretched even with small integers */
    const size_t hw[2] = {4, 4};
    t = ramp(2, hw, 1);
    s = pixels_scale_for_input(t);
    CHECK(s.stretched && s.lo == 0 && s.hi == 15);
    tensor_free(t);

    /* five channels are not a picture */
    const size_t five[3] = {5, 2, 2};
    t = ramp(3, five, 1);
    s = pixels_scale_for_input(t);
    CHECK(s.stretched && s.hi == 19);
    tensor_free(t);

    /* N x C x H x W pictures */
    const size_t nchw[4] = {2, 1, 3, 3};
    t = ramp(4, nchw, 1);
    s = pixels_scale_for_input(t);
    CHECK(!s.stretched && s.hi == 255);
    tensor_free(t);

    /* a constant shows as mid gray; no finite value as 0..1 */
    const size_t two[2] = {1, 2};
    const double same[2] = {7, 7};
    t = filled(2, two, same);
    s = pixels_scale_for_input(t);
    CHECK(s.lo == 6 && s.hi == 8);
    tensor_set(t, 0, NAN);
    tensor_set(t, 1, INFINITY);
    s = pixels_scale_for_input(t);
    CHECK(s.lo == 0 && s.hi == 1 && s.stretched);
    tensor_free(t);
}

static void test_output_scale(void)
{
    pixels_scale input = {0, 255, false};
    const size_t dims[2] = {1, 3};
    const double inside[3] = {0, 100, 255};
    const double outside[3] = {10, 300, 1020};
    tensor *t = filled(2, dims, inside);
    pixels_scale s = pixels_scale_for_output(t, input, true);
    CHECK(s.lo == 0 && s.hi == 255 && !s.stretched);
    s = pixels_scale_for_output(t, input, false);   /* sum, l2, lp: always its own */
    CHECK(s.stretched && s.lo == 0 && s.hi == 255);
    tensor_free(t);
    t = filled(2, dims, outside);
    s = pixels_scale_for_output(t, input, true);
    CHECK(s.stretched && s.lo == 10 && s.hi == 1020);
    tensor_free(t);
}

static void test_resample(void)
{
    /* 4x4 gray 0..15 on a 0..15 scale: unit values i/15 */
    const size_t dims[2] = {4, 4};
    tensor *t = ramp(2, dims, 1);
    pixels_source src = {t, 4, 4, 1, {0, 0, 0}, {0, 15, true}};
    pixels_rgb out[16];
    /* shrinking by 2: each display pixel is the mean of a 2x2 block */
    pixels_resample(&src, 0, 0, 2, 2, 2, out);
    const double means[4] = {2.5, 4.5, 10.5, 12.5};
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(out[i].r, means[i] / 15 * 255, 0.51);
        CHECK(out[i].r == out[i].g && out[i].g == out[i].b);
    }
    /* enlarging by 2: nearest, each source pixel twice */
    pixels_resample(&src, 0, 0, 0.5, 4, 4, out);
    CHECK(out[0].r == 0 && out[1].r == 0);
    CHECK_NEAR(out[2].r, lround(1.0 / 15 * 255), 0);
    CHECK_NEAR(out[15].r, lround(5.0 / 15 * 255), 0);   /* source (1, 1) = 5 */
    /* a window: the box of display pixel (0, 0) at source (1, 2) */
    pixels_resample(&src, 1, 2, 1, 1, 1, out);
    CHECK_NEAR(out[0].r, lround(9.0 / 15 * 255), 0);
    /* a fractional step: area weights 1, .5, .5, .25 over [0, 1.5)^2 */
    pixels_resample(&src, 0, 0, 1.5, 1, 1, out);
    double expect = (0 * 1 + 1 * 0.5 + 4 * 0.5 + 5 * 0.25) / 2.25;
    CHECK_NEAR(out[0].r, expect / 15 * 255, 0.51);
    /* the box past the edge: only the part inside counts */
    pixels_resample(&src, 3, 3, 2, 1, 1, out);
    CHECK_NEAR(out[0].r, 255, 0);
    tensor_free(t);

    /* colour: three planes, values clamped to the scale */
    const size_t rgb_dims[3] = {3, 1, 2};
    const double rgb_values[6] = {255, 300, 0, 128, -5, 64};
    t = filled(3, rgb_dims, rgb_values);
    pixels_source rgb = {t, 1, 2, 3, {0, 2, 4}, {0, 255, false}};
    pixels_resample(&rgb, 0, 0, 1, 2, 1, out);
    CHECK(out[0].r == 255 && out[0].g == 0 && out[0].b == 0);
    CHECK(out[1].r == 255 && out[1].g == 128 && out[1].b == 64);
    tensor_set(t, 0, NAN);
    pixels_resample(&rgb, 0, 0, 1, 1, 1, out);
    CHECK(out[0].r == 0);
    tensor_free(t);
}

static bool same_rgb(pixels_rgb a, int r, int g, int b)
{
    return a.r == r && a.g == g && a.b == b;
}

static void test_palette(void)
{
    CHECK(same_rgb(pixels_xterm256_rgb(16), 0, 0, 0));
    CHECK(same_rgb(pixels_xterm256_rgb(196), 255, 0, 0));
    CHECK(same_rgb(pixels_xterm256_rgb(24), 0, 95, 135));
    CHECK(same_rgb(pixels_xterm256_rgb(231), 255, 255, 255));
    CHECK(same_rgb(pixels_xterm256_rgb(232), 8, 8, 8));
    CHECK(same_rgb(pixels_xterm256_rgb(255), 238, 238, 238));
    /* every cube and gray entry is its own nearest */
    for (int i = 16; i < 256; i++) {
        int n = pixels_xterm256_nearest(pixels_xterm256_rgb(i));
        pixels_rgb a = pixels_xterm256_rgb(i), b = pixels_xterm256_rgb(n);
        CHECK_MSG(a.r == b.r && a.g == b.g && a.b == b.b, "index %d -> %d", i, n);
    }
    pixels_rgb gray = {128, 128, 128};
    CHECK(pixels_xterm256_nearest(gray) == 244);
    for (int i = 0; i < 8; i++)
        CHECK(pixels_ansi8_nearest(pixels_ansi8_rgb(i)) == i);
}

/* libchafa's symbols: a flat area is one colour in every cell (no
 * dithering pattern), and a cell split into a light top and a dark bottom
 * gets a half block with those two colours. */
static void test_symbols(void)
{
    enum { W = 8, H = 8, COLS = 8, ROWS = 4 };
    pixels_rgb px[W * H];
    symbols_cell cells[COLS * ROWS];
    pixels_rgb navy = {20, 24, 60}, cream = {250, 240, 200};
    for (int i = 0; i < W * H; i++)
        px[i] = navy;
    for (int palette = SYMBOLS_ANSI8; palette <= SYMBOLS_DIRECT; palette++) {
        CHECK(symbols_render(px, W, H, COLS, ROWS, (symbols_palette)palette, true, cells));
        int colour = cells[0].glyph == ' ' ? cells[0].bg : cells[0].fg;
        for (int i = 0; i < COLS * ROWS; i++) {
            bool solid = cells[i].glyph == ' ' || cells[i].fg == cells[i].bg;
            int shown = cells[i].glyph == ' ' ? cells[i].bg : cells[i].fg;
            CHECK(solid || cells[i].glyph == 0x2588);
            CHECK(shown == colour);
        }
    }
    CHECK(symbols_render(px, W, H, COLS, ROWS, SYMBOLS_XTERM240, true, cells));
    CHECK(cells[0].bg >= 16 && cells[0].bg <= 255);
    CHECK(symbols_render(px, W, H, COLS, ROWS, SYMBOLS_DIRECT, true, cells));
    CHECK(cells[0].bg == (20 << 16 | 24 << 8 | 60));
    /* the top half of every cell of row 0 cream, the rest navy */
    for (int x = 0; x < W; x++)
        px[x] = cream;
    CHECK(symbols_render(px, W, H, COLS, ROWS, SYMBOLS_DIRECT, true, cells));
    for (int x = 0; x < COLS; x++) {
        const symbols_cell *c = &cells[x];
        bool upper = c->glyph == 0x2580 && c->fg == (250 << 16 | 240 << 8 | 200) &&
                     c->bg == (20 << 16 | 24 << 8 | 60);
        bool lower = c->glyph == 0x2584 && c->bg == (250 << 16 | 240 << 8 | 200) &&
                     c->fg == (20 << 16 | 24 << 8 | 60);
        CHECK(upper || lower);
    }
    /* without block characters every cell is a space */
    CHECK(symbols_render(px, W, H, COLS, ROWS, SYMBOLS_XTERM240, false, cells));
    for (int i = 0; i < COLS * ROWS; i++)
        CHECK(cells[i].glyph == ' ');
    symbols_release();
}

static void test_ramp_and_contrast(void)
{
    CHECK(pixels_ramp_char(0) == ' ');
    CHECK(pixels_ramp_char(255) == '@');
    CHECK(pixels_ramp_char(-10) == ' ' && pixels_ramp_char(400) == '@');
    const char *p = pixels_ramp;
    for (int v = 0, last = -1; v < 256; v++) {
        int at = (int)(strchr(p, pixels_ramp_char(v)) - p);
        CHECK(at >= last);
        last = at;
    }
    CHECK_NEAR(pixels_luma((pixels_rgb){255, 255, 255}), 255, 1e-9);
    CHECK_NEAR(pixels_luma((pixels_rgb){0, 255, 0}), 0.587 * 255, 1e-9);
    const pixels_rgb rings[3] = {{255, 255, 0}, {0, 255, 255}, {255, 0, 255}};
    pixels_rgb orange = {220, 130, 50}, dark_blue = {46, 65, 99};
    pixels_rgb c = pixels_contrasting(orange, rings, 3);
    CHECK(same_rgb(c, 0, 255, 255));
    c = pixels_contrasting(dark_blue, rings, 3);
    CHECK(same_rgb(c, 255, 255, 0));
}

/* Nearest-pixel scaling to RGBA: enlarged, each source pixel becomes a
 * block of its own colour; shrunk, each display pixel takes the source
 * pixel under its top-left corner; alpha is always opaque. */
static void test_to_rgba(void)
{
    const pixels_rgb two[2] = {{10, 20, 30}, {40, 50, 60}};
    unsigned char rgba[6 * 2 * 4];
    pixels_to_rgba(two, 2, 1, 6, 2, rgba);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 6; x++) {
            const unsigned char *p = rgba + (y * 6 + x) * 4;
            const pixels_rgb *want = &two[x < 3 ? 0 : 1];
            CHECK(p[0] == want->r && p[1] == want->g && p[2] == want->b && p[3] == 255);
        }
    pixels_rgb nine[9];
    for (int i = 0; i < 9; i++)
        nine[i] = (pixels_rgb){(unsigned char)i, (unsigned char)(2 * i), 7};
    unsigned char small[2 * 2 * 4];
    pixels_to_rgba(nine, 3, 3, 2, 2, small);
    const int from[4] = {0, 1, 3, 4}; /* floor(x * 3 / 2), floor(y * 3 / 2) */
    for (int i = 0; i < 4; i++)
        CHECK(small[4 * i] == from[i] && small[4 * i + 1] == 2 * from[i] &&
              small[4 * i + 2] == 7 && small[4 * i + 3] == 255);
}

int main(void)
{
    test_to_rgba();
    test_input_scale();
    test_output_scale();
    test_resample();
    test_palette();
    test_symbols();
    test_ramp_and_contrast();
    return check_exit();
}
