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

void pixels_to_rgba(const pixels_rgb *px, int pw, int ph, int fw, int fh, unsigned char *rgba)
{
    for (int y = 0; y < fh; y++) {
        const size_t sy = (size_t)y * (size_t)ph / (size_t)fh;
        unsigned char *row = rgba + (size_t)y * (size_t)fw * 4;
        for (int x = 0; x < fw; x++) {
            const pixels_rgb *p = &px[sy * (size_t)pw + (size_t)x * (size_t)pw / (size_t)fw];
            row[4 * x] = p->r;
            row[4 * x + 1] = p->g;
            row[4 * x + 2] = p->b;
            row[4 * x + 3] = 255;
        }
    }
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
