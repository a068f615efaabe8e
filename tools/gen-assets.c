/* gen-assets.c - draws the pictures in assets/ from nothing but code.
 *
 *   gen-assets DIR           write DIR/cat.png and DIR/cartoon.png
 *   gen-assets --check DIR   draw them again and compare with the files in DIR
 *                            (exit 1 on a difference; `make check` runs this)
 *
 * cat.png (256x256 RGB): the head and shoulders of an orange tabby cat in
 * front of a striped blue wallpaper.  Soft, anti-aliased shapes; the fur is a
 * deterministic noise texture streaked outward from the nose, with tabby
 * stripes, green eyes with slit pupils, a pink nose, cream muzzle and thin
 * light whiskers.  Its details (fur strands, whiskers) are a pixel or two wide
 * while its big shapes (head, ears, eyes) are 30 to 150 pixels, so pooled to
 * 1/8 (32x32) it is still plainly a cat while the fine texture is gone.
 *
 * cartoon.png (256x256 RGB): a night scene in flat colours (no anti-aliasing,
 * a dozen exact colours): a house with lit windows, a tree, a person waving,
 * a crescent moon and stars, every shape outlined with a 2-pixel *light*
 * (cream) line.  Because the outlines and stars are brighter than every fill
 * in every channel:
 *   max pooling keeps the outlines (and the 1-pixel stars) crisp,
 *   avg pooling blurs them into the fills and makes the stars fade,
 *   min pooling erases them (the dark fills win).
 * (On the colour-inverted picture, with dark outlines on light fills, min
 * would play the part of max: min(x) = -max(-x).)  The shapes are 20 to 100
 * pixels and the lines 2 apart at most every 8 or so, so the story reads best
 * with 2x2 or 4x4 windows; at 8x8 max pooling floods most of the picture
 * with the outline colour.
 *
 * Everything is computed: hashes for noise, distance functions for shapes.
 * The same program gives the same pixels on every run.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tensor.h"
#include "io/png.h"

#define SIZE 256
#define PI 3.14159265358979323846

typedef struct rgb {
    double r, g, b;   /* 0..255 */
} rgb;

static rgb mix(rgb a, rgb b, double t)
{
    return (rgb){a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

static rgb scale(rgb a, double k)
{
    return (rgb){a.r * k, a.g * k, a.b * k};
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double smoothstep(double e0, double e1, double x)
{
    double t = clamp01((x - e0) / (e1 - e0));
    return t * t * (3 - 2 * t);
}

/* ---- deterministic noise ----------------------------------------------- */

static double hash3(int x, int y, int z, uint32_t seed)
{
    uint32_t h = (uint32_t)x * 374761393u + (uint32_t)y * 668265263u +
                 (uint32_t)z * 2147483647u + seed * 2246822519u;
    h = (h ^ (h >> 13)) * 1274126177u;
    h ^= h >> 16;
    return h / 4294967295.0;
}

static double fade(double t)
{
    return t * t * (3 - 2 * t);
}

/* Value noise in 0..1, smooth, period-free. */
static double noise3(double x, double y, double z, uint32_t seed)
{
    double fx = floor(x), fy = floor(y), fz = floor(z);
    int ix = (int)fx, iy = (int)fy, iz = (int)fz;
    double tx = fade(x - fx), ty = fade(y - fy), tz = fade(z - fz);
    double c[2][2][2];
    for (int dz = 0; dz < 2; dz++)
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
                c[dz][dy][dx] = hash3(ix + dx, iy + dy, iz + dz, seed);
    double v[2];
    for (int dz = 0; dz < 2; dz++) {
        double a = c[dz][0][0] + (c[dz][0][1] - c[dz][0][0]) * tx;
        double b = c[dz][1][0] + (c[dz][1][1] - c[dz][1][0]) * tx;
        v[dz] = a + (b - a) * ty;
    }
    return v[0] + (v[1] - v[0]) * tz;
}

static double fbm3(double x, double y, double z, int octaves, uint32_t seed)
{
    double sum = 0, amp = 0.5, norm = 0;
    for (int i = 0; i < octaves; i++) {
        sum += amp * noise3(x, y, z, seed + (uint32_t)i * 101u);
        norm += amp;
        amp *= 0.5;
        x *= 2.03, y *= 2.03, z *= 2.03;
    }
    return sum / norm;
}

/* ---- distance functions (negative inside) -------------------------------- */

static double sd_ellipse(double x, double y, double cx, double cy, double rx, double ry)
{
    double dx = (x - cx) / rx, dy = (y - cy) / ry;
    return (sqrt(dx * dx + dy * dy) - 1) * (rx < ry ? rx : ry);
}

static double sd_segment(double x, double y, double ax, double ay, double bx, double by)
{
    double px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
    double t = clamp01((px * dx + py * dy) / (dx * dx + dy * dy));
    double ex = px - dx * t, ey = py - dy * t;
    return sqrt(ex * ex + ey * ey);
}

/* Signed distance to the triangle abc (either winding). */
static double sd_triangle(double x, double y, const double t[6])
{
    double d = INFINITY;
    int inside_pos = 0, inside_neg = 0;
    for (int i = 0; i < 3; i++) {
        double ax = t[2 * i], ay = t[2 * i + 1];
        double bx = t[(2 * i + 2) % 6], by = t[(2 * i + 3) % 6];
        double e = sd_segment(x, y, ax, ay, bx, by);
        d = e < d ? e : d;
        double cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
        if (cross >= 0)
            inside_pos++;
        if (cross <= 0)
            inside_neg++;
    }
    return (inside_pos == 3 || inside_neg == 3) ? -d : d;
}

/* Distance to a quadratic Bezier curve, by sampling (curves here are short). */
static double sd_bezier(double x, double y, double ax, double ay, double cx, double cy,
                        double bx, double by)
{
    double best = INFINITY, px = ax, py = ay;
    for (int i = 1; i <= 24; i++) {
        double t = i / 24.0, u = 1 - t;
        double qx = u * u * ax + 2 * u * t * cx + t * t * bx;
        double qy = u * u * ay + 2 * u * t * cy + t * t * by;
        double d = sd_segment(x, y, px, py, qx, qy);
        best = d < best ? d : best;
        px = qx, py = qy;
    }
    return best;
}

/* ---- the cat --------------------------------------------------------------- */

#define CAT_CX 128.0
#define NOSE_Y 157.0

static const rgb fur_base = {226, 142, 62};
static const rgb fur_dark = {140, 72, 28};
static const rgb fur_light = {250, 226, 186};
static const rgb wall_top = {40, 58, 92};
static const rgb wall_bottom = {92, 116, 148};

/* Strand noise around a circle of k cells at distance-along coordinate z. */
static double strand_noise(double ux, double uy, double k, double z, uint32_t seed)
{
    return 0.65 * noise3(ux * k, uy * k, z, seed) +
           0.35 * noise3(ux * 2 * k, uy * 2 * k, z * 1.3 + 5.1, seed + 53u);
}

/* Furry brightness in about 0.7..1.3: strands radiating from (fx, fy),
 * about 1.7 pixels across the flow and a dozen along it.  The number of
 * strands around the circle steps with the radius; neighbouring steps are
 * cross-faded so that no seam shows. */
static double fur_texture(double x, double y, double fx, double fy, uint32_t seed)
{
    double dx = x - fx, dy = y - fy;
    double r = sqrt(dx * dx + dy * dy) + 1e-9;
    double ux = dx / r, uy = dy / r;
    double level = 2 * log2(fmax(r, 8.0) / 1.7 / 4.0);
    double j = floor(level), t = smoothstep(0, 1, level - j);
    double k0 = 4 * pow(2, j / 2), k1 = 4 * pow(2, (j + 1) / 2);
    double z = r / 12.0;
    double a = strand_noise(ux, uy, k0, z, seed + (uint32_t)j * 7u);
    double b = strand_noise(ux, uy, k1, z, seed + (uint32_t)(j + 1) * 7u);
    double strands = smoothstep(0.25, 0.75, a + (b - a) * t);
    double clumps = fbm3(x / 14.0, y / 14.0, 0.5, 2, seed + 7u);
    return 0.7 + 0.42 * strands + 0.3 * (clumps - 0.5);
}

static const double ear_left[6] = {58, 112, 62, 18, 120, 72};
static const double ear_left_inner[6] = {70, 100, 70, 34, 108, 74};

static double mirror_x(double x)
{
    return 2 * CAT_CX - x;
}

/* Head silhouette with a tufted outline; ears included. */
static double cat_head_sd(double x, double y)
{
    double head = sd_ellipse(x, y, CAT_CX, 132, 80, 68);
    double cheeks = fmin(sd_ellipse(x, y, 84, 158, 44, 30), sd_ellipse(x, y, 172, 158, 44, 30));
    double d = fmin(head, cheeks);
    double ax = x < CAT_CX ? x : mirror_x(x);
    d = fmin(d, sd_triangle(ax, y, ear_left) - 4);
    /* tufts: the outline wobbles with noise around the head centre */
    double dx = x - CAT_CX, dy = y - 140;
    double r = sqrt(dx * dx + dy * dy) + 1e-9;
    double tuft = fbm3(dx / r * 14, dy / r * 14, 0.3, 2, 11u);
    return d + (tuft - 0.5) * 9;
}

static double cat_body_sd(double x, double y)
{
    double d = sd_ellipse(x, y, CAT_CX, 300, 126, 112);
    double dx = x - CAT_CX, dy = y - 300;
    double r = sqrt(dx * dx + dy * dy) + 1e-9;
    return d + (fbm3(dx / r * 20, dy / r * 20, 4.1, 2, 17u) - 0.5) * 8;
}

static rgb cat_background(double x, double y)
{
    rgb c = mix(wall_top, wall_bottom, y / SIZE);
    /* wallpaper: soft vertical bands with a small repeating diamond */
    double band = 0.5 + 0.5 * cos((x + 6) * 2 * PI / 32);
    c = scale(c, 0.9 + 0.14 * smoothstep(0.55, 0.75, band));
    double mx = fmod(x + 6 + 32, 32.0) - 16, my = fmod(y + 400, 32.0) - 16;
    if (fabs(mx) + fabs(my) < 4.5)
        c = mix(c, (rgb){150, 170, 196}, 0.45);
    /* a little light from the upper left */
    double light = 1.08 - 0.25 * ((x + y) / (2.0 * SIZE));
    return scale(c, light);
}

/* Tabby stripes: 0 (none) .. 1 (full stripe) at a point of the face or body. */
static double cat_stripes(double x, double y)
{
    double wobble = (fbm3(x / 7, y / 7, 2.2, 2, 23u) - 0.5) * 4;
    double ax = fabs(x - CAT_CX);
    double s = 0;
    /* forehead "M": three bands going up from between the eyes */
    if (y < 112 && y > 62) {
        double w = 2.6 + (112 - y) * 0.05;
        for (int k = -1; k <= 1; k++) {
            double centre = k * 13.0 * (1 + (112 - y) / 60.0);
            double d = fabs(x - CAT_CX - centre + wobble);
            s = fmax(s, 1 - smoothstep(w - 1.2, w + 1.2, d));
        }
        s *= smoothstep(112, 100, y) * smoothstep(62, 74, y);
    }
    /* outer cheeks: bands sweeping back from the eyes */
    if (ax > 40) {
        for (int k = 0; k < 3; k++) {
            double cy = 124 + k * 11 + (ax - 40) * 0.28;
            double d = fabs(y - cy + wobble);
            double fadein = smoothstep(40, 62, ax);
            s = fmax(s, fadein * (1 - smoothstep(1.6, 3.6, d)));
        }
    }
    /* shoulders: broad curved bands */
    if (y > 190) {
        for (int k = 0; k < 6; k++) {
            double cy = 196 + k * 13 + 0.004 * (x - CAT_CX) * (x - CAT_CX);
            double d = fabs(y - cy + wobble * 1.5);
            s = fmax(s, (1 - smoothstep(2.5, 4.5, d)) * smoothstep(34, 60, ax));
        }
    }
    return s;
}

static rgb cat_eye(double x, double y, double cx, double cy, bool *hit)
{
    double d = sd_ellipse(x, y, cx, cy, 17, 14);
    *hit = d < 1.2;
    if (!*hit)
        return (rgb){0, 0, 0};
    if (d > -1.3)   /* dark lid line */
        return (rgb){36, 24, 16};
    double dx = x - cx, dy = y - cy;
    double rr = sqrt(dx * dx / (16.0 * 16.0) + dy * dy / (13.0 * 13.0));
    rgb iris = mix((rgb){214, 222, 88}, (rgb){74, 140, 52}, smoothstep(0.15, 1.0, rr));
    /* radial streaks in the iris */
    double a = atan2(dy, dx);
    iris = scale(iris, 0.9 + 0.2 * noise3(cos(a) * 9, sin(a) * 9, rr * 2, 31u));
    rgb c = iris;
    if (sd_ellipse(x, y, cx, cy, 4.2, 12) < 0)   /* slit pupil */
        c = (rgb){12, 10, 8};
    double hx = x - (cx - 6), hy = y - (cy - 5);
    if (hx * hx + hy * hy < 3.2 * 3.2)
        c = (rgb){252, 252, 246};
    double sx = x - (cx + 5), sy = y - (cy + 6);
    if (sx * sx + sy * sy < 1.4 * 1.4)
        c = mix(c, (rgb){252, 252, 246}, 0.8);
    return c;
}

static rgb cat_pixel(double x, double y)
{
    rgb c = cat_background(x, y);

    /* shoulders and chest */
    double body = cat_body_sd(x, y);
    if (body < 0) {
        rgb fur = mix(fur_base, fur_dark, 0.75 * cat_stripes(x, y));
        double chest = sd_ellipse(x, y, CAT_CX, 250, 34, 74);
        double chest_edge = (fbm3(x / 3, y / 10, 6.0, 2, 41u) - 0.5) * 14;
        fur = mix(fur, fur_light, 1 - smoothstep(-4, 4, chest + chest_edge));
        double shade = 0.78 + 0.22 * smoothstep(0, 18, -body);
        shade *= 0.62 + 0.38 * smoothstep(0, 12, cat_head_sd(x, y - 5));   /* under the chin */
        c = scale(fur, shade * fur_texture(x, y, CAT_CX, 150, 5u));
    }

    /* head */
    double head = cat_head_sd(x, y);
    if (head < 0) {
        double ax = x < CAT_CX ? x : mirror_x(x);
        rgb fur = mix(fur_base, fur_dark, 0.8 * cat_stripes(x, y));
        /* cream muzzle, chin and a pale blaze above the nose */
        double muzzle = fmin(fmin(sd_ellipse(x, y, 116, 170, 16, 12),
                                  sd_ellipse(x, y, 140, 170, 16, 12)),
                             sd_ellipse(x, y, CAT_CX, 183, 13, 9));
        double edge_noise = (fbm3(x / 3, y / 3, 8.0, 2, 43u) - 0.5) * 6;
        fur = mix(fur, fur_light, 1 - smoothstep(-3, 3, muzzle + edge_noise));
        /* inner ear: pink skin with pale tufts */
        double inner = sd_triangle(ax, y, ear_left_inner) - 2;
        if (inner < 0) {
            rgb pink = mix((rgb){236, 168, 164}, (rgb){170, 96, 96}, smoothstep(30, 72, y));
            double tufts = fbm3(ax / 1.3, y / 8, 9.0, 2, 47u);
            pink = mix(pink, fur_light, smoothstep(0.55, 0.75, tufts) * smoothstep(60, 84, y));
            fur = mix(fur, pink, smoothstep(0, -3, inner));
        }
        /* light from the upper left, darker towards the outline */
        double light = 1.0 + 0.12 * ((CAT_CX - x) / 80.0) + 0.1 * ((130 - y) / 68.0);
        double rim = 0.72 + 0.28 * smoothstep(0, 14, -head);
        c = scale(fur, light * rim * fur_texture(x, y, CAT_CX, NOSE_Y, 3u));

        /* eyes */
        bool hit;
        rgb eye = cat_eye(x, y, 99, 126, &hit);
        if (hit)
            c = eye;
        eye = cat_eye(x, y, 157, 126, &hit);
        if (hit)
            c = eye;

        /* nose, mouth and whisker dots */
        double nose[6] = {CAT_CX - 10, NOSE_Y - 7, CAT_CX + 10, NOSE_Y - 7, CAT_CX, NOSE_Y + 5};
        double n = sd_triangle(x, y, nose) - 2;
        if (n < 0)
            c = n > -1.2 ? (rgb){120, 56, 56}
                         : mix((rgb){240, 150, 160}, (rgb){200, 110, 120},
                               smoothstep(NOSE_Y - 9, NOSE_Y + 6, y));
        double mouth = sd_segment(x, y, CAT_CX, NOSE_Y + 6, CAT_CX, NOSE_Y + 12);
        mouth = fmin(mouth, sd_bezier(x, y, CAT_CX, NOSE_Y + 12, CAT_CX - 4, NOSE_Y + 18,
                                      CAT_CX - 12, NOSE_Y + 15));
        mouth = fmin(mouth, sd_bezier(x, y, CAT_CX, NOSE_Y + 12, CAT_CX + 4, NOSE_Y + 18,
                                      CAT_CX + 12, NOSE_Y + 15));
        if (mouth < 0.9)
            c = (rgb){90, 50, 40};
        for (int row = 0; row < 3; row++)
            for (int k = 0; k < 3; k++) {
                double dx = ax - (108 + k * 5.0 - row * 1.5), dy = y - (166 + row * 4.5);
                if (dx * dx + dy * dy < 1.1 * 1.1)
                    c = (rgb){110, 70, 50};
            }
    }

    /* whiskers: thin light curves from the muzzle far past the cheeks */
    double ax = x < CAT_CX ? x : mirror_x(x);
    static const double whiskers[4][6] = {
        {106, 165, 60, 150, 14, 146}, {106, 170, 58, 166, 10, 172},
        {107, 175, 62, 180, 18, 198}, {110, 168, 70, 158, 30, 150},
    };
    for (int i = 0; i < 4; i++) {
        const double *w = whiskers[i];
        double d = sd_bezier(ax, y, w[0], w[1], w[2], w[3], w[4], w[5]);
        double width = 0.75 - 0.35 * smoothstep(100, 10, ax) * 0.5;
        if (d < width)
            c = mix(c, (rgb){250, 248, 238}, 0.9);
    }
    return c;
}

/* ---- the cartoon ----------------------------------------------------------- */

enum {
    L_SKY, L_MOON, L_HILL, L_GRASS, L_PATH, L_WALL, L_ROOF, L_CHIMNEY, L_DOOR,
    L_WINDOW, L_ROUND_WINDOW, L_TRUNK, L_LEAVES, L_LEAVES2, L_SKIN, L_HAIR, L_SHIRT,
    L_TROUSERS, L_SHOE, L_COUNT
};

static const rgb cartoon_colors[L_COUNT] = {
    [L_SKY] = {22, 30, 70},       [L_MOON] = {240, 220, 120},  [L_HILL] = {30, 70, 62},
    [L_GRASS] = {36, 98, 50},     [L_PATH] = {92, 80, 96},     [L_WALL] = {150, 62, 52},
    [L_ROOF] = {92, 46, 84},      [L_CHIMNEY] = {118, 54, 48}, [L_DOOR] = {112, 70, 40},
    [L_WINDOW] = {246, 200, 84},  [L_ROUND_WINDOW] = {246, 200, 84},
    [L_TRUNK] = {100, 62, 36},    [L_LEAVES] = {30, 112, 62},  [L_LEAVES2] = {26, 88, 56},
    [L_SKIN] = {226, 172, 132},   [L_HAIR] = {64, 42, 30},     [L_SHIRT] = {62, 104, 196},
    [L_TROUSERS] = {48, 50, 92},  [L_SHOE] = {36, 30, 34},
};

static const rgb outline_color = {250, 244, 224};
static const rgb star_color = {255, 246, 190};

static bool in_rect(double x, double y, double x0, double y0, double x1, double y1)
{
    return x >= x0 && x < x1 && y >= y0 && y < y1;
}

static bool in_circle(double x, double y, double cx, double cy, double r)
{
    return (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
}

/* Which flat region the pixel centre (x, y) belongs to (painter's order). */
static int cartoon_label(double x, double y)
{
    int l = L_SKY;
    if (in_circle(x, y, 158, 40, 20) && !in_circle(x, y, 167, 33, 17))
        l = L_MOON;
    if (y > 150 + 14 * sin(x / 40.0) - 0.0004 * (x - 180) * (x - 180) * 0)
        l = L_HILL;
    if (y > 182 + 5 * sin(x / 23.0 + 1))
        l = L_GRASS;
    /* path from the door to the bottom edge, widening */
    double t = (y - 204) / (SIZE - 204.0);
    if (y >= 204 && fabs(x - (74 + t * 10)) < 11 + t * 16)
        l = L_PATH;

    /* house */
    if (in_rect(x, y, 100, 56, 114, 96))
        l = L_CHIMNEY;
    static const double roof[6] = {12, 104, 70, 48, 128, 104};
    if (sd_triangle(x, y, roof) < 0)
        l = L_ROOF;
    if (in_rect(x, y, 22, 104, 118, 204))
        l = L_WALL;
    if (in_circle(x, y, 70, 84, 9))
        l = L_ROUND_WINDOW;
    if (in_rect(x, y, 62, 150, 86, 204))
        l = L_DOOR;
    if (in_rect(x, y, 32, 122, 54, 146) || in_rect(x, y, 94, 122, 116, 146))
        l = L_WINDOW;

    /* tree */
    if (in_rect(x, y, 202, 136, 220, 212) ||
        (y > 196 && y < 212 && fabs(x - 211) < 9 + (y - 196) * 0.6))
        l = L_TRUNK;
    if (in_circle(x, y, 188, 132, 22) || in_circle(x, y, 234, 134, 22))
        l = L_LEAVES2;
    if (in_circle(x, y, 211, 110, 30) || in_circle(x, y, 196, 82, 20) ||
        in_circle(x, y, 228, 86, 19))
        l = L_LEAVES;

    /* person, waving */
    double px = 158;
    if (in_rect(x, y, px - 10, 222, px - 2, 228) || in_rect(x, y, px + 2, 222, px + 10, 228))
        l = L_SHOE;
    if (in_rect(x, y, px - 8, 190, px - 2, 222) || in_rect(x, y, px + 2, 190, px + 8, 222))
        l = L_TROUSERS;
    if (sd_segment(x, y, px - 10, 160, px - 24, 186) < 3.5 ||
        sd_segment(x, y, px + 10, 160, px + 22, 146) < 3.5 ||
        sd_segment(x, y, px + 22, 146, px + 26, 128) < 3.5)
        l = L_SHIRT;
    if (in_circle(x, y, px - 25, 189, 4.5) || in_circle(x, y, px + 27, 124, 4.5))
        l = L_SKIN;
    const double torso[6] = {px - 13, 156, px + 13, 156, px, 200};
    if ((sd_triangle(x, y, torso) < 3 && y < 196) || in_rect(x, y, px - 10, 156, px + 10, 194))
        l = L_SHIRT;
    if (in_circle(x, y, px, 138, 14))
        l = L_SKIN;
    if ((in_circle(x, y, px, 134, 15) && y < 131) || in_circle(x, y, px - 12, 130, 5))
        l = L_HAIR;
    return l;
}

/* Line art drawn over the regions in the outline colour (no own region). */
static bool cartoon_line_art(double x, double y)
{
    /* window crosses and the round window's bars */
    if ((fabs(x - 43) < 1 || fabs(y - 134) < 1) && in_rect(x, y, 32, 122, 54, 146))
        return true;
    if ((fabs(x - 105) < 1 || fabs(y - 134) < 1) && in_rect(x, y, 94, 122, 116, 146))
        return true;
    if ((fabs(x - 70) < 1 || fabs(y - 84) < 1) && in_circle(x, y, 70, 84, 9))
        return true;
    /* door knob and door planks */
    if (in_circle(x, y, 80, 178, 2.2))
        return true;
    if (fabs(x - 74) < 0.6 && y > 156 && y < 204)
        return true;
    /* roof shingles: lines parallel to the eaves */
    static const double roof[6] = {12, 104, 70, 48, 128, 104};
    for (int k = 1; k <= 3; k++)
        if (fabs(y - (104 - k * 14)) < 1 && sd_triangle(x, y, roof) < -3)
            return true;
    /* face: eyes and a smile */
    double px = 158;
    if (in_circle(x, y, px - 5, 138, 1.6) || in_circle(x, y, px + 5, 138, 1.6))
        return true;
    if (fabs(sd_ellipse(x, y, px, 140, 7, 6)) < 0.9 && y > 143)
        return true;
    /* grass tufts */
    for (int i = 0; i < 14; i++) {
        double gx = 8 + i * 18.5 + 6 * sin(i * 2.1), gy = 226 + 18 * fabs(sin(i * 1.7));
        if (in_rect(gx, gy, 50, 190, 112, 260) || in_rect(gx, gy, 135, 190, 240, 232))
            continue;
        if (sd_segment(x, y, gx, gy, gx - 4, gy - 8) < 0.8 ||
            sd_segment(x, y, gx + 1, gy, gx + 1, gy - 10) < 0.8 ||
            sd_segment(x, y, gx + 2, gy, gx + 6, gy - 7) < 0.8)
            return true;
    }
    /* leaf marks in the crown: small cups */
    static const double leaf_marks[][2] = {{200, 100}, {220, 114}, {206, 124}, {190, 84},
                                           {228, 84},  {184, 136}, {236, 138}, {214, 92}};
    for (size_t i = 0; i < sizeof leaf_marks / sizeof leaf_marks[0]; i++) {
        double lx = leaf_marks[i][0], ly = leaf_marks[i][1];
        if (fabs(sd_ellipse(x, y, lx, ly, 5, 4)) < 0.8 && y > ly + 0.5)
            return true;
    }
    return false;
}

static bool cartoon_star(int x, int y)
{
    /* star positions from a hash on a coarse grid; bigger stars as a plus */
    int gx = x / 16, gy = y / 16;
    double h = hash3(gx, gy, 0, 99u);
    if (h > 0.55 || gy > 8)
        return false;
    int sx = gx * 16 + 3 + (int)(hash3(gx, gy, 1, 99u) * 10);
    int sy = gy * 16 + 3 + (int)(hash3(gx, gy, 2, 99u) * 10);
    bool big = h < 0.18;
    if (x == sx && y == sy)
        return true;
    return big && ((abs(x - sx) == 1 && y == sy) || (abs(y - sy) == 1 && x == sx));
}

static void draw_cartoon(tensor *t)
{
    static unsigned char labels[SIZE][SIZE];
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++)
            labels[y][x] = (unsigned char)cartoon_label(x + 0.5, y + 0.5);
    double *data = t->data;
    size_t plane = (size_t)SIZE * SIZE;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            int l = labels[y][x];
            bool edge = false;
            /* a 2-pixel line: one pixel on each side of every region border */
            if (x > 0 && labels[y][x - 1] != l)
                edge = true;
            if (x < SIZE - 1 && labels[y][x + 1] != l)
                edge = true;
            if (y > 0 && labels[y - 1][x] != l)
                edge = true;
            if (y < SIZE - 1 && labels[y + 1][x] != l)
                edge = true;
            rgb c = cartoon_colors[l];
            if (edge || cartoon_line_art(x + 0.5, y + 0.5))
                c = outline_color;
            else if (l == L_SKY && cartoon_star(x, y))
                c = star_color;
            size_t i = (size_t)y * SIZE + (size_t)x;
            data[i] = c.r;
            data[plane + i] = c.g;
            data[2 * plane + i] = c.b;
        }
}

static double to_byte(double v)
{
    return v <= 0 ? 0 : v >= 255 ? 255 : floor(v + 0.5);
}

static void draw_cat(tensor *t)
{
    enum { S = 4 };   /* S×S samples per pixel */
    double *data = t->data;
    size_t plane = (size_t)SIZE * SIZE;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            rgb sum = {0, 0, 0};
            for (int sy = 0; sy < S; sy++)
                for (int sx = 0; sx < S; sx++) {
                    rgb c = cat_pixel(x + (sx + 0.5) / S, y + (sy + 0.5) / S);
                    sum.r += c.r, sum.g += c.g, sum.b += c.b;
                }
            size_t i = (size_t)y * SIZE + (size_t)x;
            data[i] = to_byte(sum.r / (S * S));
            data[plane + i] = to_byte(sum.g / (S * S));
            data[2 * plane + i] = to_byte(sum.b / (S * S));
        }
}

/* ---- main ------------------------------------------------------------------ */

typedef struct asset {
    const char *name;
    void (*draw)(tensor *t);
} asset;

static const asset assets[] = {{"cat.png", draw_cat}, {"cartoon.png", draw_cartoon}};

/* Compare with the file; a difference of 1 is allowed for libm rounding. */
static int check_asset(const char *path, const tensor *drawn)
{
    pv_error err;
    tensor *file = png_io_load(path, false, &err);
    if (file == NULL) {
        fprintf(stderr, "gen-assets: %s: %s\n", err.subject, err.message);
        return 1;
    }
    int status = 0;
    if (file->count != drawn->count || file->rank != 3 || file->dims[0] != 3) {
        fprintf(stderr, "gen-assets: %s: the file's shape differs from the drawing\n", path);
        status = 1;
    } else {
        size_t off = 0;
        for (size_t i = 0; i < file->count; i++)
            if (fabs(tensor_get(file, i) - tensor_get(drawn, i)) > 1)
                off++;
        if (off > 0) {
            fprintf(stderr,
                    "gen-assets: %s: %zu samples differ from the drawing "
                    "(run `make assets` after changing tools/gen-assets.c)\n",
                    path, off);
            status = 1;
        }
    }
    tensor_free(file);
    return status;
}

int main(int argc, char **argv)
{
    bool check = argc == 3 && strcmp(argv[1], "--check") == 0;
    if (!(argc == 2 || check) || argv[argc - 1][0] == '-') {
        fprintf(stderr, "usage: gen-assets [--check] DIR\n");
        return 2;
    }
    const char *dir = argv[argc - 1];
    int status = 0;
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        size_t dims[3] = {3, SIZE, SIZE};
        pv_error err;
        tensor *t = tensor_new(TENSOR_F64, 3, dims, &err);
        if (t == NULL) {
            fprintf(stderr, "gen-assets: %s\n", err.message);
            return 1;
        }
        assets[i].draw(t);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, assets[i].name);
        if (check) {
            status |= check_asset(path, t);
        } else if (png_io_save(path, t, false, &err) != PV_OK) {
            fprintf(stderr, "gen-assets: %s: %s\n", err.subject, err.message);
            status = 1;
        }
        tensor_free(t);
    }
    return status;
}
