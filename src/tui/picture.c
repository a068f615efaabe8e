#include "tui/picture.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

#include "core/alloc.h"
#include "core/numfmt.h"
#include "core/params.h"
#include "core/plan.h"
#include "core/tensor.h"
#include "tui/draw.h"
#include "tui/glyphs.h"
#include "tui/graphics.h"
#include "tui/pixels.h"
#include "tui/stepper.h"
#include "tui/symbols.h"
#include "tui/theme.h"

/* Inputs that "pool again" can stack up (halving 24 times takes the
 * widest picture poolviz reads, 2^24, down to one pixel). */
#define HISTORY_MAX 24

/* Zoom factors over "fitted to the panel". */
static const double zooms[] = {1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};
enum { ZOOM_COUNT = sizeof zooms / sizeof zooms[0] };

/* Display pixels per source pixel beyond which zooming in stops. */
#define SCALE_MAX 24.0

typedef struct level {
    tensor *input;
    char name[160];
    size_t index;
} level;

/* Where one picture lands on the screen and which part of it shows. */
typedef struct frame {
    int y, x;               /* the top-left cell of the picture */
    double scale;           /* display pixels per source pixel */
    double sx0, sy0;        /* the source point at the display's top-left corner */
    int w, h;               /* the display, in pixels (h: two per cell row) */
} frame;

/* The last resampling of one of the two pictures, kept because stepping
 * only moves the outline: the key says what was resampled (the tensor by
 * its address and a few of its values, since a freed tensor's address
 * comes back for the next one) and where. */
typedef struct resampled {
    const tensor *t;
    double probe[16];
    int channels;
    size_t offset[3];
    pixels_scale scale;
    double sx0, sy0, scale_factor;
    int w, h;
    pixels_rgb *pixels;
    size_t cap;
} resampled;

static struct {
    resampled cache[2 + PICTURE_SLOTS];   /* the input, the output, the widgets' */
    const tensor *known_input;  /* the stepper input the view last saw */
    pixels_scale scale;         /* how that input is shown; pooled levels inherit it */
    level history[HISTORY_MAX]; /* the inputs "pool again" replaced, oldest first */
    int depth;
    char base_name[160];        /* the picture's name before any pooling */
    int zoom;
    double cu, cv;              /* the view's centre, as fractions of the picture */
    double seen_fw, seen_fh;    /* the visible fraction of the picture at the last draw */
    size_t seen_index;
    bool recentre;              /* bring the region to the middle at the next draw */
    pixels_rgb *pixels;         /* display buffers */
    unsigned char *ring;
    size_t pixels_cap;
    pixels_rgb *fine;           /* the pixels libchafa gets (finer when shrunk) */
    size_t fine_cap;
    symbols_cell *cells;        /* what libchafa made of them */
    size_t cells_cap;
} view;

/* ---- colour pairs --------------------------------------------------------- */

/* The pairs the pictures use, allocated on demand from theme_free_pair()
 * up: a colour is an xterm index (16..255), an ANSI colour (0..7) or a
 * 0xRRGGBB value, -1 the terminal's default.  When the pairs run out the
 * nearest pair already made is used instead. */
typedef enum colour_mode { MODE_RAMP, MODE_8, MODE_256, MODE_DIRECT } colour_mode;

/* How picture_begin_frame found the terminal, for the widgets it drew. */
static colour_mode widget_mode;

/* Terminal graphics (sixel, kitty): each picture of a frame becomes escape
 * sequences written at its cells after curses drew the frame (its cells
 * blank for curses); the rectangles of the last frame tell when the screen
 * must be repainted to wipe pictures that moved or went. */
enum { GRAPHICS_JOBS = 2 + PICTURE_SLOTS };
typedef struct graphics_job {
    int y, x, cols, rows;
    char *text;
    size_t len;
} graphics_job;

static struct {
    graphics_mode mode;
    int cell_w, cell_h;
    graphics_job jobs[GRAPHICS_JOBS];
    int count;
    int last[GRAPHICS_JOBS][4];
    int last_count;
} gfx;

static struct {
    int64_t *keys;          /* open addressing; -1 = empty */
    int *numbers;
    size_t slots;
    int first, limit, next;
    int *fg, *bg;           /* the colours of pair first + i */
    colour_mode mode;
    int ansi_colours;       /* MODE_8: 8, or 7 (no magenta) when 28 pairs do not fit */
    const WINDOW *screen;   /* the stdscr the pairs were made for */
} pairs;

static void pairs_release(void)
{
    pv_free(pairs.keys);
    pv_free(pairs.numbers);
    pv_free(pairs.fg);
    pv_free(pairs.bg);
    memset(&pairs, 0, sizeof pairs);
}

static int64_t pair_key(int fg, int bg)
{
    return ((int64_t)(fg + 1) << 25) | (int64_t)(bg + 1);
}

static int pair_make(int fg, int bg);

static void pairs_clear(void)
{
    for (size_t i = 0; i < pairs.slots; i++)
        pairs.keys[i] = -1;
    pairs.next = pairs.first;
}

/* Ready the cache for a frame (both pictures) in mode; false when there
 * are no pairs to draw with. */
static bool pairs_begin(colour_mode mode)
{
    if (pairs.keys == NULL || pairs.mode != mode || pairs.screen != stdscr) {
        pairs_release();
        int first = theme_free_pair();
        int limit = COLOR_PAIRS;
#if !defined(NCURSES_EXT_COLORS)
        if (limit > 32767)
            limit = 32767;
#endif
        if (limit - first < 2)
            return false;
        size_t slots = 16;
        while (slots < (size_t)(limit - first) * 2)
            slots *= 2;
        pairs.keys = pv_malloc(slots * sizeof *pairs.keys);
        pairs.numbers = pv_malloc(slots * sizeof *pairs.numbers);
        pairs.fg = pv_malloc((size_t)(limit - first) * sizeof *pairs.fg);
        pairs.bg = pv_malloc((size_t)(limit - first) * sizeof *pairs.bg);
        if (pairs.keys == NULL || pairs.numbers == NULL || pairs.fg == NULL ||
            pairs.bg == NULL) {
            pairs_release();
            return false;
        }
        pairs.slots = slots;
        pairs.first = first;
        pairs.limit = limit;
        pairs.mode = mode;
        pairs.screen = stdscr;
        pairs_clear();
        if (mode == MODE_8) {
            /* Every two colours one pair, made now: ▀ and ▄ show either
             * order, a space or █ either colour alone. */
            pairs.ansi_colours = limit - first >= 28 ? 8 : 7;
            for (int a = 0; a < 8; a++)
                for (int b = a + 1; b < 8; b++)
                    if (pairs.ansi_colours == 8 || (a != COLOR_MAGENTA && b != COLOR_MAGENTA))
                        pair_make(a, b);
        }
    }
    /* A frame needs at most a pair per cell; starting afresh when half are
     * taken keeps a frame from running out (redefined pairs repaint).  With
     * 8 colours every pair there is fits or none does: keep them. */
    if (mode != MODE_8 && pairs.next - pairs.first > (pairs.limit - pairs.first) / 2)
        pairs_clear();
    return true;
}

static pixels_rgb colour_rgb(int colour)
{
    pixels_rgb c = {0, 0, 0};
    if (colour < 0)
        return c;
    switch (pairs.mode) {
    case MODE_8:
        return pixels_ansi8_rgb(colour);
    case MODE_256:
        return pixels_xterm256_rgb(colour);
    case MODE_DIRECT:
        c.r = (unsigned char)(colour >> 16);
        c.g = (unsigned char)(colour >> 8);
        c.b = (unsigned char)colour;
        return c;
    default:
        return c;
    }
}

static long colour_distance(int a, int b)
{
    if (a == b)
        return 0;
    pixels_rgb x = colour_rgb(a), y = colour_rgb(b);
    long dr = (long)x.r - y.r, dg = (long)x.g - y.g, db = (long)x.b - y.b;
    return 3 * dr * dr + 4 * dg * dg + 2 * db * db + (a < 0 || b < 0 ? 200000 : 0);
}

static size_t slot_of(int64_t key)
{
    uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (pairs.slots - 1);
}

/* The pair made for exactly (fg, bg), or 0. */
static int pair_find(int fg, int bg)
{
    int64_t key = pair_key(fg, bg);
    for (size_t s = slot_of(key);; s = (s + 1) & (pairs.slots - 1)) {
        if (pairs.keys[s] == -1)
            return 0;
        if (pairs.keys[s] == key)
            return pairs.numbers[s];
    }
}

/* A new pair for (fg, bg), or 0 when none is left. */
static int pair_make(int fg, int bg)
{
    if (pairs.next >= pairs.limit)
        return 0;
    int number = pairs.next;
#if defined(NCURSES_EXT_COLORS)
    if (init_extended_pair(number, fg, bg) == ERR)
        return 0;
#else
    if (fg > 255 || bg > 255 || init_pair((short)number, (short)fg, (short)bg) == ERR)
        return 0;
#endif
    pairs.next++;
    pairs.fg[number - pairs.first] = fg;
    pairs.bg[number - pairs.first] = bg;
    int64_t key = pair_key(fg, bg);
    size_t s = slot_of(key);
    while (pairs.keys[s] != -1)
        s = (s + 1) & (pairs.slots - 1);
    pairs.keys[s] = key;
    pairs.numbers[s] = number;
    return number;
}

/* One cell: a glyph and the pair it is drawn with. */
typedef struct cell_look {
    wchar_t glyph;
    int pair;
} cell_look;

enum { UPPER_HALF = 0x2580, LOWER_HALF = 0x2584, FULL_BLOCK = 0x2588 };

/* The pair already made that shows top over bottom best, and the glyph. */
static cell_look nearest_look(int top, int bottom, bool halves)
{
    cell_look best = {L' ', 0};
    long best_error = -1;
    /* Only where pairs are few (8 colours) is this common; on a screen so
     * large that a frame needs more pairs than the terminal has, a look at
     * the first thousand keeps it fast. */
    int scan = pairs.next - pairs.first < 1024 ? pairs.next - pairs.first : 1024;
    for (int i = 0; i < scan; i++) {
        int fg = pairs.fg[i], bg = pairs.bg[i];
        struct {
            wchar_t glyph;
            int t, b;
        } options[4] = {
            {L' ', bg, bg}, {FULL_BLOCK, fg, fg}, {UPPER_HALF, fg, bg}, {LOWER_HALF, bg, fg}};
        int count = halves ? 4 : 1;
        for (int k = 0; k < count; k++) {
            if (options[k].t < 0 && options[k].glyph != L' ')
                continue;
            long error = colour_distance(top, options[k].t) + colour_distance(bottom, options[k].b);
            if (best_error < 0 || error < best_error) {
                best_error = error;
                best.glyph = options[k].glyph;
                best.pair = pairs.first + i;
            }
        }
    }
    return best;
}

/* How to draw a cell whose upper pixel is top and lower pixel bottom (-1:
 * no pixel, the terminal's background).  halves: the terminal can show the
 * half-block characters. */
static cell_look look_for(int top, int bottom, bool halves)
{
    cell_look look = {L' ', 0};
    if (!halves || top == bottom) {
        int colour = top;
        look.glyph = L' ';
        look.pair = pair_find(colour, colour);
        if (look.pair == 0 && pairs.mode == MODE_8) {
            /* any pair with the colour as its background or foreground */
            for (int other = -1; other < 8 && look.pair == 0; other++) {
                if ((look.pair = pair_find(other, colour)) != 0)
                    look.glyph = L' ';
                else if (halves && (look.pair = pair_find(colour, other)) != 0)
                    look.glyph = FULL_BLOCK;
            }
        }
        if (look.pair == 0)
            look.pair = pair_make(colour, colour);
        if (look.pair == 0)
            look = nearest_look(colour, colour, halves);
        return look;
    }
    int fg, bg;
    if (bottom < 0 || top < bottom) {
        fg = top;
        bg = bottom;
        look.glyph = UPPER_HALF;
    } else {
        fg = bottom;
        bg = top;
        look.glyph = LOWER_HALF;
    }
    look.pair = pair_find(fg, bg);
    if (look.pair == 0)
        look.pair = pair_make(fg, bg);
    if (look.pair == 0)
        look = nearest_look(top, bottom, halves);
    return look;
}

static void put_look(int y, int x, cell_look look, attr_t attr)
{
    cchar_t cc;
    wchar_t text[2] = {look.glyph, L'\0'};
#if defined(NCURSES_EXT_COLORS)
    int pair = look.pair;
    setcchar(&cc, text, attr, 0, &pair);
#else
    setcchar(&cc, text, attr, (short)look.pair, NULL);
#endif
    mvadd_wch(y, x, &cc);
}

/* ---- the model: history, scale, what to show ------------------------------- */

static void history_clear(void)
{
    for (int i = 0; i < view.depth; i++)
        tensor_free(view.history[i].input);
    view.depth = 0;
}

void picture_release(void)
{
    history_clear();
    for (int i = 0; i < 2 + PICTURE_SLOTS; i++)
        pv_free(view.cache[i].pixels);
    pv_free(view.pixels);
    pv_free(view.ring);
    pv_free(view.fine);
    pv_free(view.cells);
    memset(&view, 0, sizeof view);
    pairs_release();
    symbols_release();
    for (int i = 0; i < gfx.count; i++)
        graphics_free_text(gfx.jobs[i].text);
    memset(&gfx, 0, sizeof gfx);
    graphics_release();
}

/* The name a picture is known by, without the "A = " of the stepper. */
static void plain_name(const char *name, char *out, size_t size)
{
    const char *eq = strstr(name, " = ");
    snprintf(out, size, "%s", eq != NULL ? eq + 3 : name);
}

/* Notice an input the view did not load itself (the first one, or a
 * `:step`): a new picture with a scale of its own and no history. */
static void follow_stepper(const stepper *st)
{
    const tensor *input = stepper_input(st);
    if (input == view.known_input)
        return;
    history_clear();
    view.known_input = input;
    view.scale = pixels_scale_for_input(input);
    plain_name(stepper_name(st), view.base_name, sizeof view.base_name);
    view.zoom = 0;
    view.cu = view.cv = 0.5;
    view.recentre = true;
}

/* True when the output is planes of pixels (not an SPP vector or a
 * bilinear C×C matrix). */
static bool output_is_picture(const pool_plan *plan)
{
    return plan->params.op != POOL_SPP && plan->params.op != POOL_BILINEAR &&
           plan->out_rank >= 2;
}

static void out_plane(const pool_plan *plan, size_t *oh, size_t *ow)
{
    *ow = plan->out_dims[plan->out_rank - 1];
    *oh = plan->out_rank >= 2 ? plan->out_dims[plan->out_rank - 2] : 1;
}

/* RGB(A) pictures in colour; anything else one plane in gray: the plane
 * the stepper is on. */
static bool in_colour(const pool_plan *plan)
{
    return plan->c == 3 || plan->c == 4;
}

static pixels_source input_source_scaled(const stepper *st, pixels_scale scale)
{
    const pool_plan *plan = stepper_plan(st);
    const pool_region *r = stepper_region(st);
    pixels_source s;
    size_t plane = plan->h * plan->w;
    s.t = stepper_input(st);
    s.h = plan->h;
    s.w = plan->w;
    s.scale = scale;
    if (in_colour(plan)) {
        s.channels = 3;
        for (int k = 0; k < 3; k++)
            s.offset[k] = (r->n * plan->c + (size_t)k) * plane;
    } else {
        s.channels = 1;
        s.offset[0] = s.offset[1] = s.offset[2] = (r->n * plan->c + r->c) * plane;
    }
    return s;
}

static pixels_source input_source(const stepper *st)
{
    return input_source_scaled(st, view.scale);
}

/* Some values of t, spread over it: with its address, what tells a
 * tensor from the next one that gets the same address. */
static void probe_tensor(const tensor *t, double probe[16])
{
    for (size_t i = 0; i < 16; i++)
        probe[i] = t->count > 0 ? tensor_get(t, t->count * i / 16) : 0;
}

/* pixels_scale_for_output, remembered for the output on show (it reads
 * the whole output). */
static pixels_scale output_scale(const tensor *t, bool keeps_range)
{
    static struct {
        const tensor *t;
        double probe[16];
        bool keeps_range;
        pixels_scale input, output;
    } last;
    double probe[16];
    probe_tensor(t, probe);
    if (last.t != t || last.keeps_range != keeps_range || last.input.lo != view.scale.lo ||
        last.input.hi != view.scale.hi || memcmp(last.probe, probe, sizeof probe) != 0) {
        last.t = t;
        memcpy(last.probe, probe, sizeof probe);
        last.keeps_range = keeps_range;
        last.input = view.scale;
        last.output = pixels_scale_for_output(t, view.scale, keeps_range);
    }
    return last.output;
}

static pixels_source output_source_scaled(const stepper *st, pixels_scale scale)
{
    const pool_plan *plan = stepper_plan(st);
    const pool_region *r = stepper_region(st);
    pixels_source s;
    size_t oh, ow;
    out_plane(plan, &oh, &ow);
    s.t = stepper_output(st);
    s.h = oh;
    s.w = ow;
    s.scale = scale;
    if (in_colour(plan)) {
        s.channels = 3;
        for (int k = 0; k < 3; k++)
            s.offset[k] = (r->n * plan->c + (size_t)k) * oh * ow;
    } else {
        s.channels = 1;
        s.offset[0] = s.offset[1] = s.offset[2] = (r->n * plan->c + r->c) * oh * ow;
    }
    return s;
}

static pixels_source output_source(const stepper *st)
{
    const pool_plan *plan = stepper_plan(st);
    return output_source_scaled(
        st, output_scale(stepper_output(st), pool_op_info_of(plan->params.op)->keeps_range));
}

static bool same_scale(pixels_scale a, pixels_scale b)
{
    return a.lo == b.lo && a.hi == b.hi;
}

/* ---- geometry ---------------------------------------------------------------- */

/* Input pixels per output pixel along an axis: the stride where windows
 * are regular, else the ratio of the lengths (adaptive, global). */
static double output_step(const pool_axis *axis, size_t in, size_t out)
{
    if (axis->stride > 0)
        return (double)axis->stride;
    return out > 0 ? (double)in / (double)out : 1;
}

static double fit_scale(size_t w, size_t h, int cols, int rows)
{
    double fx = (double)cols / (double)w, fy = 2.0 * rows / (double)h;
    return fx < fy ? fx : fy;
}

/* The zoom level the '0' key asks for: the whole picture fitted to the
 * panel (shrunk by averaging when it is larger). */
#define ZOOM_FIT (-64)

/* Display pixels per input pixel at zoom level z for a panel that fits the
 * whole picture at fit.  Level 0 is the same-scale view: one input pixel
 * per display pixel (a cell-half) at least, so that a picture larger than
 * the panel is cropped around the region, not averaged; levels above it
 * enlarge, levels below halve down to the fitted view. */
static double zoom_scale(int z, double fit)
{
    double base = fit > 1 ? fit : 1;
    if (z >= 0)
        return base * zooms[z < ZOOM_COUNT ? z : ZOOM_COUNT - 1];
    double s = ldexp(base, z);
    return s > fit ? s : fit;
}

/* Lay a w×h picture into a panel of cols×rows cells at (y, x) at scale
 * display pixels per source pixel, centred on the source point (cx, cy)
 * where the picture is larger than the panel; the picture is centred in
 * the panel.  At one display pixel per source pixel or more the crop
 * starts on a whole source pixel, so every pixel shows whole. */
static frame frame_make(size_t w, size_t h, int y, int x, int cols, int rows, double scale,
                        double cx, double cy)
{
    frame f;
    memset(&f, 0, sizeof f);
    if (w == 0 || h == 0 || cols < 1 || rows < 1 || !(scale > 0))
        return f;
    f.scale = scale;
    double dw = floor((double)w * f.scale + 1e-9), dh = floor((double)h * f.scale + 1e-9);
    f.w = dw > cols ? cols : dw < 1 ? 1 : (int)dw;
    f.h = dh > 2.0 * rows ? 2 * rows : dh < 1 ? 1 : (int)dh;
    /* Whole cells: a last half-filled row would need the terminal's
     * background as a colour. */
    if (f.h > 1)
        f.h &= ~1;
    double vw = f.w / f.scale, vh = f.h / f.scale;
    f.sx0 = cx - vw / 2;
    f.sy0 = cy - vh / 2;
    if (f.scale >= 1) {
        f.sx0 = floor(f.sx0 + 0.5);
        f.sy0 = floor(f.sy0 + 0.5);
    }
    f.sx0 = f.sx0 > (double)w - vw ? (double)w - vw : f.sx0;
    f.sy0 = f.sy0 > (double)h - vh ? (double)h - vh : f.sy0;
    f.sx0 = f.sx0 < 0 ? 0 : f.sx0;
    f.sy0 = f.sy0 < 0 ? 0 : f.sy0;
    f.x = x + (cols - f.w) / 2;
    f.y = y;
    return f;
}

/* A source box [c0, c1) × [r0, r1) in display pixels, at least one wide. */
static void frame_box(const frame *f, double c0, double c1, double r0, double r1, int *x0,
                      int *x1, int *y0, int *y1)
{
    *x0 = (int)floor((c0 - f->sx0) * f->scale + 1e-9);
    *x1 = (int)ceil((c1 - f->sx0) * f->scale - 1e-9);
    *y0 = (int)floor((r0 - f->sy0) * f->scale + 1e-9);
    *y1 = (int)ceil((r1 - f->sy0) * f->scale - 1e-9);
    if (*x1 <= *x0)
        *x1 = *x0 + 1;
    if (*y1 <= *y0)
        *y1 = *y0 + 1;
}

/* The region's bounding box in input pixels (taps and holes, clipped to
 * the picture); false when it has none to show (bilinear). */
static bool region_box(const stepper *st, double *c0, double *c1, double *r0, double *r1)
{
    const pool_plan *plan = stepper_plan(st);
    const pool_region *r = stepper_region(st);
    if (plan->params.op == POOL_BILINEAR || r->row_count < 1 || r->col_count < 1)
        return false;
    double top = (double)r->row0, bottom = (double)(r->row0 + (r->row_count - 1) * r->row_step + 1);
    double left = (double)r->col0, right = (double)(r->col0 + (r->col_count - 1) * r->col_step + 1);
    top = top < 0 ? 0 : top;
    left = left < 0 ? 0 : left;
    bottom = bottom > (double)plan->h ? (double)plan->h : bottom;
    right = right > (double)plan->w ? (double)plan->w : right;
    if (bottom <= top || right <= left)
        return false;
    *c0 = left;
    *c1 = right;
    *r0 = top;
    *r1 = bottom;
    return true;
}

/* ---- drawing ----------------------------------------------------------------- */

static colour_mode current_mode(void)
{
    switch (theme_current_depth()) {
    case THEME_256:
        return theme_direct_color() ? MODE_DIRECT : MODE_256;
    case THEME_8:
        return MODE_8;
    default:
        return MODE_RAMP;
    }
}

static bool buffers_for(int w, int h)
{
    size_t need = (size_t)w * (size_t)h;
    if (need <= view.pixels_cap)
        return true;
    pixels_rgb *px = pv_realloc(view.pixels, need * sizeof *px);
    if (px == NULL)
        return false;
    view.pixels = px;
    unsigned char *ring = pv_realloc(view.ring, need);
    if (ring == NULL)
        return false;
    view.ring = ring;
    view.pixels_cap = need;
    return true;
}

static int colour_of(colour_mode mode, pixels_rgb c)
{
    switch (mode) {
    case MODE_DIRECT: {
        /* 6 bits a channel (the top bits repeated below: 0 and 255 stay):
         * no eye tells, and far fewer pairs */
        int r = (c.r & 0xfc) | c.r >> 6, g = (c.g & 0xfc) | c.g >> 6, b = (c.b & 0xfc) | c.b >> 6;
        int v = (r << 16) | (g << 8) | b;
        return v > 0 && v < 8 ? 8 : v;
    }
    case MODE_256:
        return pixels_xterm256_nearest(c);
    default:
        return pixels_ansi8_nearest(c);
    }
}

static const pixels_rgb ring_colours[] = {{255, 255, 0}, {0, 255, 255}, {255, 0, 255}};

/* Outline the display box [x0, x1) × [y0, y1) with a ring of pixels just
 * outside it (inside the picture's edge where it meets it), in the
 * candidate colour that stands out most from the box's pixels. */
static void draw_ring(const frame *f, int x0, int x1, int y0, int y1)
{
    long sum[3] = {0, 0, 0}, n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < f->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < f->w; x++) {
            pixels_rgb c = view.pixels[(size_t)y * (size_t)f->w + (size_t)x];
            sum[0] += c.r;
            sum[1] += c.g;
            sum[2] += c.b;
            n++;
        }
    pixels_rgb mean = {0, 0, 0};
    if (n > 0) {
        mean.r = (unsigned char)(sum[0] / n);
        mean.g = (unsigned char)(sum[1] / n);
        mean.b = (unsigned char)(sum[2] / n);
    }
    pixels_rgb colour = pixels_contrasting(mean, ring_colours,
                                           (int)(sizeof ring_colours / sizeof ring_colours[0]));
    int left = x0 - 1 < 0 ? 0 : x0 - 1, right = x1 >= f->w ? f->w - 1 : x1;
    int top = y0 - 1 < 0 ? 0 : y0 - 1, bottom = y1 >= f->h ? f->h - 1 : y1;
    if (left > right || top > bottom)
        return;
    for (int y = top; y <= bottom; y++)
        for (int x = left; x <= right; x++) {
            if (y != top && y != bottom && x != left && x != right)
                continue;
            size_t i = (size_t)y * (size_t)f->w + (size_t)x;
            view.pixels[i] = colour;
            view.ring[i] = 1;
        }
}

/* The luma range the ASCII ramp spans: the 1st to the 99th percentile of
 * the displayed pixels, so that a picture of middling brightness still
 * uses the whole ramp. */
static void ramp_range(const frame *f, double *lo, double *hi)
{
    size_t histogram[256] = {0};
    size_t total = (size_t)f->w * (size_t)f->h;
    for (size_t i = 0; i < total; i++)
        histogram[(int)pixels_luma(view.pixels[i]) & 255]++;
    size_t cut = total / 100, seen = 0;
    int a = 0, b = 255;
    while (a < 255 && seen + histogram[a] <= cut)
        seen += histogram[a++];
    seen = 0;
    while (b > 0 && seen + histogram[b] <= cut)
        seen += histogram[b--];
    *lo = a;
    *hi = b > a ? b + 1 : a + 1;
}

/* Resample src into view.pixels for frame f, or copy the last resampling
 * of the same thing (slot: 0 the input, 1 the output). */
static void resample_cached(int slot, const frame *f, const pixels_source *src)
{
    resampled *c = &view.cache[slot];
    size_t count = (size_t)f->w * (size_t)f->h;
    double probe[16];
    probe_tensor(src->t, probe);
    bool same = c->pixels != NULL && c->t == src->t && c->channels == src->channels &&
                memcmp(c->offset, src->offset, sizeof c->offset) == 0 &&
                c->scale.lo == src->scale.lo && c->scale.hi == src->scale.hi &&
                c->sx0 == f->sx0 && c->sy0 == f->sy0 && c->scale_factor == f->scale &&
                c->w == f->w && c->h == f->h && memcmp(c->probe, probe, sizeof probe) == 0;
    if (!same) {
        pixels_resample(src, f->sx0, f->sy0, 1.0 / f->scale, f->w, f->h, view.pixels);
        if (count > c->cap) {
            pixels_rgb *grown = pv_realloc(c->pixels, count * sizeof *grown);
            if (grown == NULL) {
                c->t = NULL;
                return;
            }
            c->pixels = grown;
            c->cap = count;
        }
        memcpy(c->pixels, view.pixels, count * sizeof *c->pixels);
        c->t = src->t;
        memcpy(c->probe, probe, sizeof probe);
        c->channels = src->channels;
        memcpy(c->offset, src->offset, sizeof c->offset);
        c->scale = src->scale;
        c->sx0 = f->sx0;
        c->sy0 = f->sy0;
        c->scale_factor = f->scale;
        c->w = f->w;
        c->h = f->h;
        return;
    }
    memcpy(view.pixels, c->pixels, count * sizeof *view.pixels);
}

/* How many source samples libchafa gets per display pixel along each
 * axis: more where the picture is shrunk, so that its symbols can show
 * detail finer than a cell-half. */
static int fine_factor(const frame *f)
{
    if (f->scale >= 1)
        return 1;
    int k = (int)ceil(1 / f->scale - 1e-9);
    return k > 4 ? 4 : k;
}

static int cell_colour(colour_mode mode, int c)
{
    if (mode != MODE_DIRECT)
        return c;
    pixels_rgb rgb = {(unsigned char)(c >> 16), (unsigned char)(c >> 8), (unsigned char)c};
    return colour_of(MODE_DIRECT, rgb);
}

/* Draw view.pixels (frame f, ring marks in view.ring) through libchafa's
 * symbols; false when it could not (the caller draws half blocks). */
static bool draw_symbols(colour_mode mode, const frame *f, const pixels_source *src)
{
    int k = fine_factor(f);
    int pw = f->w * k, ph = f->h * k, rows = (f->h + 1) / 2;
    size_t fine_need = (size_t)pw * (size_t)ph, cells_need = (size_t)f->w * (size_t)rows;
    if (fine_need > view.fine_cap) {
        pixels_rgb *grown = pv_realloc(view.fine, fine_need * sizeof *grown);
        if (grown == NULL)
            return false;
        view.fine = grown;
        view.fine_cap = fine_need;
    }
    if (cells_need > view.cells_cap) {
        symbols_cell *grown = pv_realloc(view.cells, cells_need * sizeof *grown);
        if (grown == NULL)
            return false;
        view.cells = grown;
        view.cells_cap = cells_need;
    }
    if (k == 1)
        memcpy(view.fine, view.pixels, fine_need * sizeof *view.fine);
    else
        pixels_resample(src, f->sx0, f->sy0, 1.0 / (f->scale * k), pw, ph, view.fine);
    /* The ring over the finer pixels, a display pixel's block each. */
    for (int y = 0; k > 1 && y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            size_t i = (size_t)y * (size_t)f->w + (size_t)x;
            if (!view.ring[i])
                continue;
            for (int dy = 0; dy < k; dy++)
                for (int dx = 0; dx < k; dx++)
                    view.fine[(size_t)(y * k + dy) * (size_t)pw + (size_t)(x * k + dx)] =
                        view.pixels[i];
        }
    symbols_palette palette = mode == MODE_DIRECT ? SYMBOLS_DIRECT
                              : mode == MODE_256  ? SYMBOLS_XTERM240
                                                  : SYMBOLS_ANSI8;
    bool unicode = glyphs_current()->utf8;
    if (!symbols_render(view.fine, pw, ph, f->w, rows, palette, unicode, view.cells))
        return false;
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < f->w; col++) {
            const symbols_cell *c = &view.cells[(size_t)row * (size_t)f->w + (size_t)col];
            int fg = cell_colour(mode, c->fg), bg = cell_colour(mode, c->bg);
            cell_look look = {(wchar_t)c->glyph, 0};
            if (c->glyph == ' ')
                fg = bg;
            look.pair = pair_find(fg, bg);
            if (look.pair == 0)
                look.pair = pair_make(fg, bg);
            if (look.pair == 0) {
                /* out of pairs: the nearest pair already made, as half blocks */
                look = nearest_look(c->glyph == ' ' ? bg : fg, bg, unicode);
            }
            put_look(f->y + row, f->x + col, look, A_NORMAL);
        }
    return true;
}

/* Queue view.pixels (frame f) as terminal graphics, its cells blank for
 * curses; false when graphics are off or could not be made. */
static bool draw_graphics(const frame *f)
{
    if (gfx.mode == GRAPHICS_SYMBOLS || gfx.count >= GRAPHICS_JOBS)
        return false;
    int rows = (f->h + 1) / 2;
    size_t len = 0;
    char *text = graphics_render(gfx.mode, view.pixels, f->w, f->h, f->w, rows, gfx.cell_w,
                                 gfx.cell_h, &len);
    if (text == NULL)
        return false;
    graphics_job *job = &gfx.jobs[gfx.count++];
    *job = (graphics_job){f->y, f->x, f->w, rows, text, len};
    for (int row = 0; row < rows; row++)
        draw_fill(f->y + row, f->x, f->w, A_NORMAL);
    return true;
}

void picture_set_graphics(int mode)
{
    gfx.mode = (graphics_mode)mode;
}

void picture_graphics_begin(void)
{
    for (int i = 0; i < gfx.count; i++)
        graphics_free_text(gfx.jobs[i].text);
    gfx.count = 0;
    gfx.cell_w = 10;
    gfx.cell_h = 20;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 &&
        ws.ws_xpixel >= ws.ws_col && ws.ws_ypixel >= ws.ws_row) {
        gfx.cell_w = ws.ws_xpixel / ws.ws_col;
        gfx.cell_h = ws.ws_ypixel / ws.ws_row;
    }
}

void picture_graphics_flush(void)
{
    bool changed = gfx.count != gfx.last_count;
    for (int i = 0; i < gfx.count && !changed; i++) {
        const graphics_job *j = &gfx.jobs[i];
        changed = gfx.last[i][0] != j->y || gfx.last[i][1] != j->x ||
                  gfx.last[i][2] != j->cols || gfx.last[i][3] != j->rows;
    }
    if (changed && gfx.last_count > 0) {
        /* pictures that moved or went: repaint what curses thinks is there */
        fputs(graphics_clear_sequence(gfx.mode), stdout);
        clearok(curscr, TRUE);
        refresh();
    }
    for (int i = 0; i < gfx.count; i++) {
        const graphics_job *j = &gfx.jobs[i];
        printf("\0337\033[%d;%dH", j->y + 1, j->x + 1);
        fwrite(j->text, 1, j->len, stdout);
        fputs("\0338", stdout);
        gfx.last[i][0] = j->y;
        gfx.last[i][1] = j->x;
        gfx.last[i][2] = j->cols;
        gfx.last[i][3] = j->rows;
        graphics_free_text(j->text);
    }
    gfx.last_count = gfx.count;
    gfx.count = 0;
    fflush(stdout);
}

/* Draw src in frame f (slot: 0 the input, 1 the output) with the display
 * box mark outlined (has_mark): a coloured ring, or reverse video over the
 * marked cells without colours.
 * Without colours, ramp_lo..ramp_hi is the luma range the ramp spans; a
 * negative ramp_lo asks for this picture's own (and returns it). */
static void draw_picture(colour_mode mode, int slot, const frame *f, const pixels_source *src,
                         bool has_mark, int mx0, int mx1, int my0, int my1, double *ramp_lo,
                         double *ramp_hi)
{
    if (f->w < 1 || f->h < 1 || !buffers_for(f->w, f->h))
        return;
    resample_cached(slot, f, src);
    memset(view.ring, 0, (size_t)f->w * (size_t)f->h);
    if (has_mark && mode != MODE_RAMP)
        draw_ring(f, mx0, mx1, my0, my1);
    if (mode == MODE_RAMP && *ramp_lo < 0)
        ramp_range(f, ramp_lo, ramp_hi);
    if (mode != MODE_RAMP && draw_graphics(f))
        return;
    if (mode != MODE_RAMP && draw_symbols(mode, f, src))
        return;
    bool halves = glyphs_current()->utf8;
    int cell_rows = (f->h + 1) / 2;
    for (int row = 0; row < cell_rows; row++) {
        int y = f->y + row;
        for (int col = 0; col < f->w; col++) {
            int x = f->x + col;
            size_t ti = (size_t)(2 * row) * (size_t)f->w + (size_t)col;
            bool has_bottom = 2 * row + 1 < f->h;
            size_t bi = has_bottom ? ti + (size_t)f->w : ti;
            pixels_rgb top = view.pixels[ti], bottom = view.pixels[bi];
            if (mode == MODE_RAMP) {
                double luma = has_bottom ? (pixels_luma(top) + pixels_luma(bottom)) / 2
                                         : pixels_luma(top);
                luma = (luma - *ramp_lo) / (*ramp_hi - *ramp_lo) * 255;
                bool marked = has_mark && col >= mx0 && col < mx1 &&
                              2 * row + 1 >= my0 && 2 * row < my1;
                attr_t attr = marked ? A_REVERSE : A_NORMAL;
                mvaddch(y, x, (chtype)(unsigned char)pixels_ramp_char(luma) | attr);
                continue;
            }
            cell_look look;
            if (!halves) {
                /* one colour per cell: the two pixels' mean, or the ring */
                pixels_rgb mean = top;
                if (view.ring[ti] || view.ring[bi])
                    mean = view.ring[ti] ? top : bottom;
                else if (has_bottom) {
                    mean.r = (unsigned char)((top.r + bottom.r + 1) / 2);
                    mean.g = (unsigned char)((top.g + bottom.g + 1) / 2);
                    mean.b = (unsigned char)((top.b + bottom.b + 1) / 2);
                }
                int c = colour_of(mode, mean);
                look = look_for(c, c, false);
            } else {
                int t = colour_of(mode, top);
                int b = has_bottom ? colour_of(mode, bottom) : -1;
                look = look_for(t, b, true);
            }
            put_look(y, x, look, A_NORMAL);
        }
    }
}

static void plane_size_text(size_t h, size_t w, char *buf, size_t size)
{
    snprintf(buf, size, "%zu%s%zu", h, glyphs_current()->times, w);
}

static const char *channel_name(size_t channels, size_t c)
{
    static const char *const gray_alpha[] = {"gray", "alpha"};
    static const char *const rgba[] = {"red", "green", "blue", "alpha"};
    if (channels == 2 && c < 2)
        return gray_alpha[c];
    if ((channels == 3 || channels == 4) && c < 4)
        return rgba[c];
    return NULL;
}

static void input_label(const stepper *st, char *buf, size_t size)
{
    const pool_plan *plan = stepper_plan(st);
    const pool_region *r = stepper_region(st);
    char shape[64];
    plane_size_text(plan->h, plan->w, shape, sizeof shape);
    size_t len = (size_t)snprintf(buf, size, "input %s", shape);
    const char *what = channel_name(plan->c, r->c);
    if (len < size) {
        if (in_colour(plan))
            len += (size_t)snprintf(buf + len, size - len, "  %s (stepping %s)",
                                    plan->c == 4 ? "RGBA" : "RGB", what);
        else if (plan->c > 1 && what != NULL)
            len += (size_t)snprintf(buf + len, size - len, "  %s channel", what);
        else if (plan->c > 1)
            len += (size_t)snprintf(buf + len, size - len, "  channel %zu", r->c);
        else if (!view.scale.stretched)
            len += (size_t)snprintf(buf + len, size - len, "  gray");
    }
    if (plan->n > 1 && len < size)
        snprintf(buf + len, size - len, ", sample %zu", r->n);
}

static void scale_text(pixels_scale s, char *buf, size_t size)
{
    char lo[48], hi[48];
    pool_format_number(s.lo, lo, sizeof lo);
    pool_format_number(s.hi, hi, sizeof hi);
    snprintf(buf, size, "%s..%s shown black..white", lo, hi);
}

/* Under the pictures: the sizes the picture went through, the zoom, and
 * how values become brightness when that is not the picture's own scale. */
static void draw_info(const stepper *st, const pixels_source *out, double in_scale, int y)
{
    const glyphs_table *g = glyphs_current();
    const pool_plan *plan = stepper_plan(st);
    int x = 1;
    attr_t dim = theme_attr(ROLE_LABEL), key = theme_attr(ROLE_HINT_KEY);
    char text[160];
    x += draw_text(y, x, COLS - x, dim, "sizes ");
    for (int i = 0; i < view.depth; i++) {
        const tensor *t = view.history[i].input;
        plane_size_text(t->rank >= 2 ? t->dims[t->rank - 2] : 1, t->dims[t->rank - 1], text,
                        sizeof text);
        x += draw_text(y, x, COLS - x, dim, text);
        x += draw_textf(y, x, COLS - x, dim, " %s ", g->arrow);
    }
    plane_size_text(plan->h, plan->w, text, sizeof text);
    x += draw_text(y, x, COLS - x, theme_attr(ROLE_BOX_TITLE), text);
    if (output_is_picture(plan)) {
        size_t oh, ow;
        out_plane(plan, &oh, &ow);
        plane_size_text(oh, ow, text, sizeof text);
        x += draw_textf(y, x, COLS - x, dim, " %s ", g->arrow);
        x += draw_text(y, x, COLS - x, dim, text);
    }
    x += draw_text(y, x, COLS - x, dim, "   ");
    x += draw_text(y, x, COLS - x, key, "a");
    x += draw_text(y, x, COLS - x, dim, " pool again");
    if (view.depth > 0) {
        x += draw_text(y, x, COLS - x, key, "  A");
        x += draw_text(y, x, COLS - x, dim, " back");
    }
    /* How values become brightness, where it is not the picture's own. */
    char scale[400] = "";
    if (view.scale.stretched) {
        scale_text(view.scale, text, sizeof text);
        snprintf(scale, sizeof scale, "input %s", text);
    }
    if (out != NULL && !same_scale(out->scale, view.scale)) {
        size_t len = strlen(scale);
        scale_text(out->scale, text, sizeof text);
        snprintf(scale + len, sizeof scale - len, "%soutput stretched: %s", len ? "; " : "",
                 text);
    }
    /* The zoom: display pixels (cell-halves) per input pixel, both
     * pictures alike (an output pixel as large as its step on the input);
     * it gives way to the brightness scale where both do not fit. */
    char zoom[48], zoom_text[80];
    if (in_scale >= 1) {
        pool_format_number(floor(in_scale * 100 + 0.5) / 100, zoom, sizeof zoom);
        snprintf(zoom_text, sizeof zoom_text, "   same scale %s:1", zoom);
    } else {
        pool_format_number(floor(100 / in_scale + 0.5) / 100, zoom, sizeof zoom);
        snprintf(zoom_text, sizeof zoom_text, "   shrunk 1:%s", zoom);
    }
    int scale_w = scale[0] != '\0' ? 3 + (int)glyphs_width(scale) : 0;
    if (x + (int)glyphs_width(zoom_text) + scale_w < COLS)
        x += draw_text(y, x, COLS - x, dim, zoom_text);
    if (scale[0] != '\0' && x + 3 + (int)glyphs_width(scale) < COLS)
        draw_text_right(y, COLS - 1, COLS - x - 3, dim, scale);
}

static void draw_label(int y, int x, int w, const char *text)
{
    draw_text_centred(y, x, w, theme_attr(ROLE_BOX_TITLE), text);
}

/* Where the parts of the screen go: the title (line 0), the labels, the
 * two pictures side by side, the sizes line, the formula box, the status
 * line and the bottom line tui.c draws. */
typedef struct layout {
    int label_y, top, rows;         /* the pictures: lines [top, top + rows) */
    int cols, gap, in_x, out_x;     /* each picture's panel is cols wide */
    int info_y, formula_y, formula_lines;
} layout;

static layout layout_for(int width, int height)
{
    layout L;
    L.formula_lines = height >= 40 ? 3 : height >= 28 ? 2 : 1;
    L.info_y = height - 2 - (L.formula_lines + 2) - 1;
    L.formula_y = L.info_y + 1;
    L.label_y = 1;
    L.top = 2;
    L.rows = L.info_y - L.top;
    L.gap = 4;
    L.cols = (width - 2 - L.gap) / 2;
    L.in_x = 1;
    L.out_x = 1 + L.cols + L.gap;
    return L;
}

static void picture_draw(tui_app *app)
{
    stepper *st = app->stepper;
    follow_stepper(st);
    const pool_plan *plan = stepper_plan(st);
    const pool_region *r = stepper_region(st);
    const glyphs_table *g = glyphs_current();
    layout L = layout_for(COLS, LINES);
    stepper_draw_title(st, 0);
    stepper_draw_status(st, LINES - 2);
    stepper_draw_formula(st, L.formula_y, 0, COLS, L.formula_lines);
    if (L.rows < 1 || L.cols < 4)
        return;

    double c0 = 0, c1 = 0, r0 = 0, r1 = 0;
    bool has_region = region_box(st, &c0, &c1, &r0, &r1);
    double in_scale = zoom_scale(view.zoom, fit_scale(plan->w, plan->h, L.cols, L.rows));
    /* A new step, or a zoom: the region to the middle when it left the view. */
    if (view.recentre || stepper_index(st) != view.seen_index) {
        if (has_region) {
            frame probe = frame_make(plan->w, plan->h, L.top, L.in_x, L.cols, L.rows, in_scale,
                                     view.cu * (double)plan->w, view.cv * (double)plan->h);
            double vx1 = probe.sx0 + probe.w / probe.scale, vy1 = probe.sy0 + probe.h / probe.scale;
            bool visible = c0 >= probe.sx0 && c1 <= vx1 && r0 >= probe.sy0 && r1 <= vy1;
            if (view.recentre || !visible) {
                view.cu = (c0 + c1) / 2 / (double)plan->w;
                view.cv = (r0 + r1) / 2 / (double)plan->h;
            }
        }
        view.recentre = false;
        view.seen_index = stepper_index(st);
    }

    frame in = frame_make(plan->w, plan->h, L.top, L.in_x, L.cols, L.rows, in_scale,
                          view.cu * (double)plan->w, view.cv * (double)plan->h);
    view.seen_fw = in.w / in.scale / (double)plan->w;
    view.seen_fh = in.h / in.scale / (double)plan->h;
    int mx0 = 0, mx1 = 0, my0 = 0, my1 = 0;
    if (has_region)
        frame_box(&in, c0, c1, r0, r1, &mx0, &mx1, &my0, &my1);
    pixels_source in_src = input_source(st);
    /* The backward view: dL/dx of the whole pass as a heat map, which
     * pixels a pooling layer lets learn. */
    double dx_lo = 0, dx_hi = 0;
    const tensor *dx = stepper_backward_dx(st, &dx_lo, &dx_hi);
    if (dx != NULL) {
        in_src.t = dx;
        in_src.channels = 1;
        in_src.offset[0] = in_src.offset[1] = in_src.offset[2] =
            (r->n * plan->c + r->c) * plan->h * plan->w;
        in_src.scale.lo = dx_lo;
        in_src.scale.hi = dx_hi > dx_lo ? dx_hi : dx_lo + 1;
        in_src.scale.stretched = true;
    }
    colour_mode mode = current_mode();
    if (mode != MODE_RAMP && !pairs_begin(mode))
        mode = MODE_RAMP;
    /* The output's ramp spans the input's luma range: the same brightness
     * shows as the same character in both. */
    double ramp_lo = -1, ramp_hi = 256;
    draw_picture(mode, 0, &in, &in_src, has_region, mx0, mx1, my0, my1, &ramp_lo, &ramp_hi);
    char label[200];
    input_label(st, label, sizeof label);
    if (dx != NULL) {
        char lo[40], hi[40];
        pool_format_number(dx_lo, lo, sizeof lo);
        pool_format_number(dx_hi, hi, sizeof hi);
        snprintf(label, sizeof label, "dL/dx heat map, %s .. %s", lo, hi);
    }
    draw_label(L.label_y, L.in_x, L.cols, label);

    int arrow_y = L.top + ((in.h + 1) / 2) / 2;
    draw_text(arrow_y, L.in_x + L.cols + (L.gap - (int)glyphs_width(g->arrow)) / 2, L.gap,
              theme_attr(ROLE_BOX_TITLE), g->arrow);

    if (!output_is_picture(plan)) {
        char shape[64];
        tensor_format_shape(plan->out_rank, plan->out_dims, shape, sizeof shape);
        draw_textf(L.label_y, L.out_x, L.cols, theme_attr(ROLE_BOX_TITLE), "output %s", shape);
        if (plan->params.op == POOL_SPP)
            draw_text(L.top + 1, L.out_x, L.cols, theme_attr(ROLE_FORMULA_TEXT),
                      "spp gives a vector per sample, not a picture;");
        else
            draw_textf(L.top + 1, L.out_x, L.cols, theme_attr(ROLE_FORMULA_TEXT),
                       "bilinear gives a C%sC matrix, not a picture;", g->times);
        draw_text(L.top + 2, L.out_x, L.cols, theme_attr(ROLE_FORMULA_TEXT),
                  "v shows its numbers.");
        draw_info(st, NULL, in.scale, L.info_y);
        return;
    }
    size_t oh, ow;
    out_plane(plan, &oh, &ow);
    /* The same pixel scale: each output pixel as large as the step between
     * windows on the input, the crop centred where the input's is (the
     * current window's output pixel offset as the view is from the window). */
    double rx = output_step(&plan->cols, plan->w, ow), ry = output_step(&plan->rows, plan->h, oh);
    double ocx = (double)r->ox + 0.5, ocy = (double)r->oy + 0.5;
    if (has_region) {
        ocx += (view.cu * (double)plan->w - (c0 + c1) / 2) / rx;
        ocy += (view.cv * (double)plan->h - (r0 + r1) / 2) / ry;
    } else {
        ocx = view.cu * (double)ow;
        ocy = view.cv * (double)oh;
    }
    frame out = frame_make(ow, oh, L.top, L.out_x, L.cols, L.rows, in.scale * (rx < ry ? rx : ry),
                           ocx, ocy);
    pixels_source out_src = output_source(st);
    frame_box(&out, (double)r->ox, (double)r->ox + 1, (double)r->oy, (double)r->oy + 1, &mx0,
              &mx1, &my0, &my1);
    if (!same_scale(out_src.scale, view.scale)) {
        ramp_lo = -1;       /* stretched: a range of its own */
        ramp_hi = 256;
    }
    if (stepper_hides_any(st))  /* a lesson's open question: its cells' colours would tell */
        draw_text(L.top + L.rows / 2, L.out_x, L.cols, theme_attr(ROLE_HINT),
                  "? (a lesson question asks about this output: answer it first)");
    else
        draw_picture(mode, 1, &out, &out_src, true, mx0, mx1, my0, my1, &ramp_lo, &ramp_hi);
    char shape[64];
    plane_size_text(oh, ow, shape, sizeof shape);
    snprintf(label, sizeof label, "output %s  %s pooling", shape, pool_op_name(plan->params.op));
    draw_label(L.label_y, L.out_x, L.cols, label);
    draw_info(st, &out_src, in.scale, L.info_y);
}

/* ---- widgets for other screens ---------------------------------------------- */

void picture_begin_frame(void)
{
    widget_mode = current_mode();
    if (widget_mode != MODE_RAMP && !pairs_begin(widget_mode))
        widget_mode = MODE_RAMP;
}

bool picture_wanted(const stepper *st)
{
    const pool_plan *plan = stepper_plan(st);
    return plan != NULL && (plan->h > PICTURE_NUMBERS_MAX || plan->w > PICTURE_NUMBERS_MAX);
}

double picture_panel_scale(const stepper *st, int rows, int cols)
{
    const pool_plan *plan = stepper_plan(st);
    if (plan == NULL || rows < 1 || cols < 1)
        return 1;
    return zoom_scale(0, fit_scale(plan->w, plan->h, cols, rows));
}

double picture_fit_scale(const stepper *st, int rows, int cols)
{
    const pool_plan *plan = stepper_plan(st);
    if (plan == NULL || rows < 1 || cols < 1)
        return 1;
    return fit_scale(plan->w, plan->h, cols, rows);
}

/* The input's frame in a panel at scale, centred on the region (the
 * picture's middle when it has none). */
static frame panel_input_frame(const stepper *st, int y, int x, int rows, int cols, double scale)
{
    const pool_plan *plan = stepper_plan(st);
    double c0, c1, r0, r1;
    double cx = (double)plan->w / 2, cy = (double)plan->h / 2;
    if (region_box(st, &c0, &c1, &r0, &r1)) {
        cx = (c0 + c1) / 2;
        cy = (r0 + r1) / 2;
    }
    return frame_make(plan->w, plan->h, y, x, cols, rows, scale, cx, cy);
}

int picture_draw_input_panel(const stepper *st, int slot, int y, int x, int rows, int cols,
                             double scale)
{
    const pool_plan *plan = stepper_plan(st);
    if (plan == NULL || slot < 0 || slot >= PICTURE_SLOTS || rows < 1 || cols < 1)
        return 0;
    frame in = panel_input_frame(st, y, x, rows, cols, scale);
    double c0 = 0, c1 = 0, r0 = 0, r1 = 0;
    int mx0 = 0, mx1 = 0, my0 = 0, my1 = 0;
    bool has_region = region_box(st, &c0, &c1, &r0, &r1);
    if (has_region)
        frame_box(&in, c0, c1, r0, r1, &mx0, &mx1, &my0, &my1);
    pixels_source src = input_source_scaled(st, pixels_scale_for_input(stepper_input(st)));
    double lo = -1, hi = 256;
    draw_picture(widget_mode, 2 + slot, &in, &src, has_region, mx0, mx1, my0, my1, &lo, &hi);
    return (in.h + 1) / 2;
}

int picture_draw_output_panel(const stepper *st, int slot, int y, int x, int rows, int cols,
                              double scale)
{
    const pool_plan *plan = stepper_plan(st);
    if (plan == NULL || slot < 0 || slot >= PICTURE_SLOTS || rows < 1 || cols < 1)
        return 0;
    if (!output_is_picture(plan)) {
        draw_text(y, x, cols, theme_attr(ROLE_FORMULA_TEXT), "not a picture: v shows numbers");
        return 1;
    }
    if (stepper_hides_any(st)) {   /* a lesson's open question: its colours would tell */
        draw_text(y + rows / 2, x, cols, theme_attr(ROLE_HINT), "? (answer first)");
        return rows;
    }
    const pool_region *r = stepper_region(st);
    size_t oh, ow;
    out_plane(plan, &oh, &ow);
    /* The same pixel scale as the input panel, the crop where the input's
     * is: each output pixel as large as its step on the input. */
    frame in = panel_input_frame(st, y, x, rows, cols, scale);
    double rx = output_step(&plan->cols, plan->w, ow), ry = output_step(&plan->rows, plan->h, oh);
    double ocx = (double)r->ox + 0.5, ocy = (double)r->oy + 0.5;
    double c0, c1, r0, r1;
    if (in.scale > 0 && region_box(st, &c0, &c1, &r0, &r1)) {
        ocx += (in.sx0 + in.w / in.scale / 2 - (c0 + c1) / 2) / rx;
        ocy += (in.sy0 + in.h / in.scale / 2 - (r0 + r1) / 2) / ry;
    }
    frame out = frame_make(ow, oh, y, x, cols, rows, scale * (rx < ry ? rx : ry), ocx, ocy);
    int mx0, mx1, my0, my1;
    frame_box(&out, (double)r->ox, (double)r->ox + 1, (double)r->oy, (double)r->oy + 1, &mx0,
              &mx1, &my0, &my1);
    pixels_scale in_scale = pixels_scale_for_input(stepper_input(st));
    pixels_source src = output_source_scaled(
        st, pixels_scale_for_output(stepper_output(st), in_scale,
                                    pool_op_info_of(plan->params.op)->keeps_range));
    double lo = -1, hi = 256;
    draw_picture(widget_mode, 2 + slot, &out, &src, true, mx0, mx1, my0, my1, &lo, &hi);
    return (out.h + 1) / 2;
}

/* ---- keys -------------------------------------------------------------------- */

/* One zoom step in (direction 1) or out (-1) from the scale on show. */
static void set_zoom(tui_app *app, int direction)
{
    const pool_plan *plan = stepper_plan(app->stepper);
    layout L = layout_for(COLS, LINES);
    if (L.rows < 1 || L.cols < 1)
        return;
    double fit = fit_scale(plan->w, plan->h, L.cols, L.rows);
    double now = zoom_scale(view.zoom, fit);
    int zoom = view.zoom < -8 ? -8 : view.zoom;
    if (direction > 0) {
        /* In no further once an input pixel is SCALE_MAX display pixels. */
        if (now >= SCALE_MAX || view.zoom >= ZOOM_COUNT - 1) {
            tui_message(app, false, "zoomed in as far as it goes: - zooms out");
            return;
        }
        while (zoom < ZOOM_COUNT - 1 && zoom_scale(zoom, fit) <= now * (1 + 1e-9))
            zoom++;
    } else {
        if (now <= fit * (1 + 1e-9)) {
            tui_message(app, false, "the whole picture is on show: + zooms in");
            return;
        }
        while (zoom > ZOOM_FIT && zoom_scale(zoom, fit) >= now * (1 - 1e-9))
            zoom--;
    }
    view.zoom = zoom;
    view.recentre = true;
}

static void pan(double dx, double dy)
{
    double hw = view.seen_fw / 2, hh = view.seen_fh / 2;
    view.cu += dx * view.seen_fw;
    view.cv += dy * view.seen_fh;
    view.cu = view.cu < hw ? hw : view.cu > 1 - hw ? 1 - hw : view.cu;
    view.cv = view.cv < hh ? hh : view.cv > 1 - hh ? 1 - hh : view.cv;
}

static void pool_again(tui_app *app)
{
    stepper *st = app->stepper;
    const pool_plan *plan = stepper_plan(st);
    if (!output_is_picture(plan)) {
        tui_message(app, true, "pool again: %s output is not a picture to pool",
                    pool_op_name(plan->params.op));
        return;
    }
    if (view.depth >= HISTORY_MAX) {
        tui_message(app, true, "pool again: %d times is as deep as it goes; A goes back",
                    HISTORY_MAX);
        return;
    }
    pv_error err;
    pv_error_clear(&err);
    pool_params params;
    if (pool_params_copy(&params, &plan->params, &err) != PV_OK) {
        tui_message(app, true, "pool again: %s", err.message);
        return;
    }
    level saved;
    saved.input = tensor_clone(stepper_input(st), &err);
    snprintf(saved.name, sizeof saved.name, "%s", stepper_name(st));
    saved.index = stepper_index(st);
    char name[200];
    snprintf(name, sizeof name, "%s pooled %d%s", view.base_name, view.depth + 1,
             glyphs_current()->times);
    if (saved.input == NULL ||
        stepper_load(st, stepper_output(st), name, &params, &err) != PV_OK) {
        tensor_free(saved.input);
        pool_params_release(&params);
        tui_message(app, true, "pool again: %s%s%s", err.subject, err.subject[0] ? ": " : "",
                    err.message);
        return;
    }
    pool_params_release(&params);
    view.history[view.depth++] = saved;
    view.known_input = stepper_input(st);
    view.recentre = true;
}

static void pool_back(tui_app *app)
{
    stepper *st = app->stepper;
    if (view.depth == 0) {
        tui_message(app, false, "this is the picture as loaded; a pools it again");
        return;
    }
    level *last = &view.history[view.depth - 1];
    pv_error err;
    pv_error_clear(&err);
    pool_params params;
    if (pool_params_copy(&params, &stepper_plan(st)->params, &err) != PV_OK) {
        tui_message(app, true, "back: %s", err.message);
        return;
    }
    pv_status status = stepper_load(st, last->input, last->name, &params, &err);
    pool_params_release(&params);
    if (status != PV_OK) {
        tui_message(app, true, "back: %s%s%s", err.subject, err.subject[0] ? ": " : "",
                    err.message);
        return;
    }
    stepper_goto(st, last->index);
    tensor_free(last->input);
    view.depth--;
    view.known_input = stepper_input(st);
    view.recentre = true;
}

static void picture_key(tui_app *app, int key)
{
    follow_stepper(app->stepper);
    /* While the stepper runs (r), + and - set its speed and r stops it;
     * any other key stops it and then does what it does. */
    if (app->tick_ms >= 0) {
        if (key == '+' || key == '=' || key == '-' || key == '_' || key == 'r') {
            stepper_screen.key(app, key);
            return;
        }
        stepper_screen.key(app, 'r');
    }
    bool zoomed = view.zoom > 0 && view.zoom != ZOOM_FIT;
    switch (key) {
    case 'v':
        tui_set_screen(app, &stepper_screen);
        break;
    case 'a':
        pool_again(app);
        break;
    case 'A':
        pool_back(app);
        break;
    case '+':
    case '=':
    case 'z':
        set_zoom(app, 1);
        break;
    case '-':
    case '_':
    case 'Z':
        set_zoom(app, -1);
        break;
    case '0':
        view.zoom = ZOOM_FIT;
        view.cu = view.cv = 0.5;
        break;
    case '.':
        view.recentre = true;
        break;
    case 'h':
    case KEY_SLEFT:
        pan(-0.25, 0);
        break;
    case 'l':
    case KEY_SRIGHT:
        pan(0.25, 0);
        break;
    case 'k':
    case KEY_SR:
        pan(0, -0.25);
        break;
    case 'j':
    case KEY_SF:
        pan(0, 0.25);
        break;
    case KEY_LEFT:
    case KEY_RIGHT:
    case KEY_UP:
    case KEY_DOWN:
        /* The arrows pan a zoomed picture and step otherwise. */
        if (zoomed)
            pan(key == KEY_LEFT ? -0.25 : key == KEY_RIGHT ? 0.25 : 0,
                key == KEY_UP ? -0.25 : key == KEY_DOWN ? 0.25 : 0);
        else
            stepper_screen.key(app, key);
        break;
    case 'c':
    case 'o':
    case 'H':
    case 'L':
    case KEY_PPAGE:
    case KEY_NPAGE:
        tui_message(app, false, "that key belongs to the numbers view: v switches to it");
        break;
    default:
        /* n p Space Home End Tab g r : ? q: as in the numbers view */
        stepper_screen.key(app, key);
        break;
    }
}

static void picture_tick(tui_app *app)
{
    if (stepper_screen.tick != NULL)
        stepper_screen.tick(app);
}

const tui_screen picture_screen = {
    .name = "picture",
    .draw = picture_draw,
    .key = picture_key,
    .tick = picture_tick,
    .hints = "n:next\tp:prev\ta:pool again\tA:back\t+/-:zoom\tv:numbers\t?:help\tq:quit",
    .overlay = false,
};
