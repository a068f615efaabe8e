#include "tui/pixels.h"

#include <math.h>
#include <stdlib.h>

const char pixels_ramp[] = " .:-=+*#%@";

/* The levels of the xterm colour cube's axes. */
static const int cube_levels[6] = {0, 95, 135, 175, 215, 255};

static const pixels_rgb ansi8[8] = {
    {0, 0, 0},     {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
    {0, 0, 238},   {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
};

static void finite_range(const tensor *t, double *lo, double *hi)
{
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < t->count; i++) {
        double v = tensor_get(t, i);
        if (isfinite(v)) {
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
    }
    *lo = mn;
    *hi = mx;
}

/* The data's own range; a constant picture shows as mid gray. */
static pixels_scale stretched_scale(const tensor *t)
{
    pixels_scale s = {0, 1, true};
    double lo, hi;
    finite_range(t, &lo, &hi);
    if (lo > hi)
        return s;
    if (lo == hi) {
        s.lo = lo - 1;
        s.hi = hi + 1;
        return s;
    }
    s.lo = lo;
    s.hi = hi;
    return s;
}

pixels_scale pixels_scale_for_input(const tensor *t)
{
    if (t->rank == 3 || t->rank == 4) {
        size_t c = t->dims[t->rank - 3];
        bool samples = c >= 1 && c <= 4;
        double mx = 0;
        for (size_t i = 0; samples && i < t->count; i++) {
            double v = tensor_get(t, i);
            if (!(v >= 0 && v <= 65535) || v != floor(v))
                samples = false;
            else if (v > mx)
                mx = v;
        }
        if (samples) {
            pixels_scale s = {0, mx > 255 ? 65535 : 255, false};
            return s;
        }
    }
    return stretched_scale(t);
}

pixels_scale pixels_scale_for_output(const tensor *t, pixels_scale input, bool op_keeps_range)
{
    if (op_keeps_range) {
        double lo, hi;
        finite_range(t, &lo, &hi);
        if (lo > hi || (lo >= input.lo && hi <= input.hi))
            return input;
    }
    return stretched_scale(t);
}

static double unit_value(const pixels_source *src, size_t i)
{
    double v = tensor_get(src->t, i);
    if (isnan(v))
        return 0;
    double u = (v - src->scale.lo) / (src->scale.hi - src->scale.lo);
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

static unsigned char to_byte(double u)
{
    long b = lround(u * 255);
    return (unsigned char)(b < 0 ? 0 : b > 255 ? 255 : b);
}

static pixels_rgb source_pixel(const pixels_source *src, size_t y, size_t x)
{
    size_t at = y * src->w + x;
    pixels_rgb c;
    c.r = to_byte(unit_value(src, src->offset[0] + at));
    if (src->channels == 3) {
        c.g = to_byte(unit_value(src, src->offset[1] + at));
        c.b = to_byte(unit_value(src, src->offset[2] + at));
    } else {
        c.g = c.b = c.r;
    }
    return c;
}

static long clamp_index(double v, size_t n)
{
    long i = (long)floor(v);
    if (i < 0)
        i = 0;
    if ((size_t)i >= n)
        i = (long)n - 1;
    return i;
}

/* The area average of the source box [x0, x1) × [y0, y1). */
static pixels_rgb box_average(const pixels_source *src, double x0, double x1, double y0,
                              double y1)
{
    double sum[3] = {0, 0, 0}, weight = 0;
    long iy0 = (long)floor(y0), iy1 = (long)ceil(y1);
    long ix0 = (long)floor(x0), ix1 = (long)ceil(x1);
    if (iy0 < 0)
        iy0 = 0;
    if (ix0 < 0)
        ix0 = 0;
    if (iy1 > (long)src->h)
        iy1 = (long)src->h;
    if (ix1 > (long)src->w)
        ix1 = (long)src->w;
    for (long iy = iy0; iy < iy1; iy++) {
        double wy = fmin(iy + 1, y1) - fmax(iy, y0);
        if (wy <= 0)
            continue;
        for (long ix = ix0; ix < ix1; ix++) {
            double wx = fmin(ix + 1, x1) - fmax(ix, x0);
            if (wx <= 0)
                continue;
            size_t at = (size_t)iy * src->w + (size_t)ix;
            double w = wx * wy;
            sum[0] += w * unit_value(src, src->offset[0] + at);
            if (src->channels == 3) {
                sum[1] += w * unit_value(src, src->offset[1] + at);
                sum[2] += w * unit_value(src, src->offset[2] + at);
            }
            weight += w;
        }
    }
    if (!(weight > 0))
        return source_pixel(src, (size_t)clamp_index(y0, src->h), (size_t)clamp_index(x0, src->w));
    pixels_rgb c;
    c.r = to_byte(sum[0] / weight);
    if (src->channels == 3) {
        c.g = to_byte(sum[1] / weight);
        c.b = to_byte(sum[2] / weight);
    } else {
        c.g = c.b = c.r;
    }
    return c;
}

void pixels_resample(const pixels_source *src, double x0, double y0, double step, int out_w,
                     int out_h, pixels_rgb *out)
{
    if (src->h == 0 || src->w == 0)
        return;
    for (int i = 0; i < out_h; i++) {
        double top = y0 + i * step;
        for (int j = 0; j < out_w; j++) {
            double left = x0 + j * step;
            pixels_rgb *px = &out[(size_t)i * (size_t)out_w + (size_t)j];
            if (step > 1)
                *px = box_average(src, left, left + step, top, top + step);
            else
                *px = source_pixel(src, (size_t)clamp_index(top + step / 2, src->h),
                                   (size_t)clamp_index(left + step / 2, src->w));
        }
    }
}

double pixels_luma(pixels_rgb c)
{
    return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
}

pixels_rgb pixels_xterm256_rgb(int index)
{
    pixels_rgb c = {0, 0, 0};
    if (index < 0 || index > 255)
        return c;
    if (index < 8)
        return ansi8[index];
    if (index < 16) {
        /* the bright half: the usual xterm values */
        static const pixels_rgb bright[8] = {
            {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
            {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
        };
        return bright[index - 8];
    }
    if (index < 232) {
        int i = index - 16;
        c.r = (unsigned char)cube_levels[i / 36];
        c.g = (unsigned char)cube_levels[i / 6 % 6];
        c.b = (unsigned char)cube_levels[i % 6];
        return c;
    }
    unsigned char v = (unsigned char)(8 + 10 * (index - 232));
    c.r = c.g = c.b = v;
    return c;
}

/* Squared distance, the channels weighted roughly as the eye weighs them. */
static long distance(pixels_rgb a, pixels_rgb b)
{
    long dr = (long)a.r - b.r, dg = (long)a.g - b.g, db = (long)a.b - b.b;
    return 3 * dr * dr + 4 * dg * dg + 2 * db * db;
}

static int nearest_level(int v)
{
    int best = 0;
    for (int i = 1; i < 6; i++)
        if (abs(cube_levels[i] - v) < abs(cube_levels[best] - v))
            best = i;
    return best;
}

int pixels_xterm256_nearest(pixels_rgb c)
{
    int cube = 16 + 36 * nearest_level(c.r) + 6 * nearest_level(c.g) + nearest_level(c.b);
    int mean = (c.r + c.g + c.b) / 3;
    int step = (mean - 8 + 5) / 10;
    step = step < 0 ? 0 : step > 23 ? 23 : step;
    int gray = 232 + step;
    return distance(c, pixels_xterm256_rgb(gray)) < distance(c, pixels_xterm256_rgb(cube)) ? gray
                                                                                         : cube;
}

int pixels_ansi8_nearest(pixels_rgb c)
{
    int best = 0;
    for (int i = 1; i < 8; i++)
        if (distance(c, ansi8[i]) < distance(c, ansi8[best]))
            best = i;
    return best;
}

pixels_rgb pixels_ansi8_rgb(int index)
{
    pixels_rgb black = {0, 0, 0};
    return index >= 0 && index < 8 ? ansi8[index] : black;
}

static double bayer_threshold(int x, int y)
{
    static const unsigned char bayer[4][4] = {
        {0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}};
    return (bayer[y & 3][x & 3] + 0.5) / 16.0;
}

/* The two entries and the share of the second (in 16ths) that a colour
 * dithers to. */
typedef struct mix {
    int first, second;
    int share;
} mix;

/* How much a pair's distance counts against it (Yliluoma's pattern
 * dithering uses about a tenth). */
#define PAIR_PENALTY 0.1

static mix best_mix(pixels_rgb c, const int *index, const pixels_rgb *rgb, int count)
{
    mix best = {index[0], index[0], 0};
    double best_error = -1;
    for (int i = 0; i < count; i++) {
        for (int j = i; j < count; j++) {
            double pair = (double)distance(rgb[i], rgb[j]);
            int shares = i == j ? 1 : 16;
            for (int k = 0; k < shares; k++) {
                double f = k / 16.0;
                double r = rgb[i].r + f * (rgb[j].r - rgb[i].r);
                double g = rgb[i].g + f * (rgb[j].g - rgb[i].g);
                double b = rgb[i].b + f * (rgb[j].b - rgb[i].b);
                double dr = c.r - r, dg = c.g - g, db = c.b - b;
                double error = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
                if (k > 0)
                    error += PAIR_PENALTY * pair;
                if (best_error < 0 || error < best_error) {
                    best_error = error;
                    best.first = index[i];
                    best.second = index[j];
                    best.share = k;
                }
            }
        }
    }
    return best;
}

static int pick(mix m, int x, int y)
{
    return bayer_threshold(x, y) * 16 < m.share ? m.second : m.first;
}

/* The cube levels that bracket v. */
static void bracket(int v, int *lo, int *hi)
{
    *lo = 0;
    while (*lo < 5 && cube_levels[*lo + 1] <= v)
        (*lo)++;
    *hi = *lo < 5 && cube_levels[*lo] < v ? *lo + 1 : *lo;
}

static mix xterm256_mix(pixels_rgb c)
{
    /* Colours repeat (flat areas, the same picture drawn again): keep the
     * answers in a small direct-mapped cache. */
    enum { CACHE = 4096 };
    static unsigned int keys[CACHE];
    static mix answers[CACHE];
    unsigned int key = ((unsigned int)c.r << 16 | (unsigned int)c.g << 8 | c.b) + 1;
    unsigned int slot = (key * 2654435761u) >> 20 & (CACHE - 1);
    if (keys[slot] == key)
        return answers[slot];
    int index[10];
    pixels_rgb rgb[10];
    int count = 0;
    int lo[3], hi[3];
    bracket(c.r, &lo[0], &hi[0]);
    bracket(c.g, &lo[1], &hi[1]);
    bracket(c.b, &lo[2], &hi[2]);
    for (int corner = 0; corner < 8; corner++) {
        int r = corner & 1 ? hi[0] : lo[0], g = corner & 2 ? hi[1] : lo[1];
        int b = corner & 4 ? hi[2] : lo[2];
        int i = 16 + 36 * r + 6 * g + b, seen = 0;
        for (int k = 0; k < count; k++)
            seen |= index[k] == i;
        if (!seen) {
            index[count] = i;
            rgb[count++] = pixels_xterm256_rgb(i);
        }
    }
    int mean = (c.r + c.g + c.b) / 3;
    int step = (mean - 8) / 10;
    step = step < 0 ? 0 : step > 22 ? 22 : step;
    for (int k = 0; k < 2; k++) {
        index[count] = 232 + step + k;
        rgb[count] = pixels_xterm256_rgb(index[count]);
        count++;
    }
    mix m = best_mix(c, index, rgb, count);
    keys[slot] = key;
    answers[slot] = m;
    return m;
}

int pixels_xterm256_dithered(pixels_rgb c, int x, int y)
{
    return pick(xterm256_mix(c), x, y);
}

int pixels_ansi8_dithered(pixels_rgb c, int x, int y, int colours)
{
    static const int all[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    static const int no_magenta[7] = {0, 1, 2, 3, 4, 6, 7};
    pixels_rgb rgb[8];
    const int *index = colours >= 8 ? all : no_magenta;
    int count = colours >= 8 ? 8 : 7;
    for (int i = 0; i < count; i++)
        rgb[i] = ansi8[index[i]];
    return pick(best_mix(c, index, rgb, count), x, y);
}

char pixels_ramp_char(double luma)
{
    int n = (int)sizeof pixels_ramp - 1;
    int i = (int)(luma / 256.0 * n);
    i = i < 0 ? 0 : i >= n ? n - 1 : i;
    return pixels_ramp[i];
}

pixels_rgb pixels_contrasting(pixels_rgb c, const pixels_rgb *candidates, int count)
{
    int best = 0;
    for (int i = 1; i < count; i++)
        if (distance(c, candidates[i]) > distance(c, candidates[best]))
            best = i;
    return candidates[best];
}
