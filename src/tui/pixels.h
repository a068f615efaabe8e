/* pixels.h - what the picture view computes before anything is drawn:
 * which value range a tensor is shown with, the tensor resampled to the
 * display's pixels, and the colours libchafa's symbols do not choose (the
 * nearest xterm 256-colour index or ANSI colour for a region's ring and for
 * drawing without libchafa, a character of the ASCII density ramp).
 *
 * This resampling is for display only: every pooled value the view shows
 * comes from the core's pool_forward.  No curses here, so that the unit
 * tests check the colour arithmetic without a terminal.
 */
#ifndef POOLVIZ_TUI_PIXELS_H
#define POOLVIZ_TUI_PIXELS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tensor.h"

typedef struct pixels_rgb {
    unsigned char r, g, b;
} pixels_rgb;

/* How sample values become brightness: lo shows as black, hi as white,
 * values between linearly, values outside clamped, NaN black. */
typedef struct pixels_scale {
    double lo, hi;
    bool stretched;     /* lo..hi is the data's own range, not 0..255 or 0..65535 */
} pixels_scale;

/* The scale of an input the picture view has not seen before.  A C×H×W or
 * N×C×H×W tensor with 1 to 4 channels whose values are all integers in
 * 0..255 is a picture's sample values and is shown on 0..255 (0..65535 when
 * some exceed 255 and none exceeds 65535: a 16-bit PNG); anything else is
 * stretched from its finite minimum to its maximum. */
pixels_scale pixels_scale_for_input(const tensor *t);

/* The scale of a pooled output: the input's scale when every finite output
 * value lies within it (max, min, average-like pooling), else the output
 * stretched over its own range (sum, l2, lp ...).  op_keeps_range false
 * forces stretching. */
pixels_scale pixels_scale_for_output(const tensor *t, pixels_scale input, bool op_keeps_range);

/* One picture inside a tensor: a plane of h×w values starting at
 * offset[0] (gray), or three planes at offset[0..2] (red, green, blue). */
typedef struct pixels_source {
    const tensor *t;
    size_t h, w;
    int channels;           /* 1 or 3 */
    size_t offset[3];
    pixels_scale scale;
} pixels_source;

/* Resample a window of src into out_w×out_h display pixels (row-major into
 * out).  Display pixel (i, j) shows the source box whose left edge is
 * x0 + j*step and top edge y0 + i*step, step source pixels wide and high:
 * its area average when step > 1 (shrinking), the source pixel under its
 * centre otherwise (enlarging).  Parts of a box outside the source are
 * left out of the average. */
void pixels_resample(const pixels_source *src, double x0, double y0, double step, int out_w,
                     int out_h, pixels_rgb *out);

/* Scale pw×ph colours (row-major) to fw×fh opaque RGBA pixels (4 bytes
 * each, row-major into rgba) by repeating the source pixel under each
 * one: enlarged this way, every source pixel keeps its edges and its colour
 * (libchafa would smooth what it enlarges itself). */
void pixels_to_rgba(const pixels_rgb *px, int pw, int ph, int fw, int fh, unsigned char *rgba);

/* Rec. 601 luma of a colour, 0..255. */
double pixels_luma(pixels_rgb c);

/* The colour of xterm 256-colour index i (0..255). */
pixels_rgb pixels_xterm256_rgb(int index);

/* The nearest xterm colour to c among the 6×6×6 cube and the gray ramp
 * (indices 16..255; the first 16 differ between terminals). */
int pixels_xterm256_nearest(pixels_rgb c);

/* The nearest of the 8 ANSI colours (COLOR_BLACK..COLOR_WHITE order:
 * black, red, green, yellow, blue, magenta, cyan, white). */
int pixels_ansi8_nearest(pixels_rgb c);

/* The ANSI colour's usual look (for choosing, and for tests). */
pixels_rgb pixels_ansi8_rgb(int index);

/* The density ramp, darkest first: " .:-=+*#%@". */
extern const char pixels_ramp[];

/* The ramp character for a luma of 0..255. */
char pixels_ramp_char(double luma);

/* Of the candidates, the colour farthest from c (a region's outline must
 * stand out from what it surrounds). */
pixels_rgb pixels_contrasting(pixels_rgb c, const pixels_rgb *candidates, int count);

#endif
