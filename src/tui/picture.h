/* picture.h - the picture view: the stepper's input and output drawn as
 * pictures.
 *
 * A screen of its own (see app.h): the input with the current region
 * outlined and the pooled output beside it with the current output cell
 * outlined, both fitted to the window, the formula and status lines of the
 * stepper under them.  Cells are half blocks (two pixels each) in 24-bit
 * colour on a direct-colour terminal, else the xterm 256-colour palette,
 * else the 8 ANSI colours; without colours (NO_COLOR, --color=never) each
 * cell is a character of an ASCII density ramp.  Keys zoom and pan, and
 * "pool again" makes the output the new input with the same settings,
 * keeping the previous inputs to go back to.
 *
 * The view reads the stepper (stepper_plan, stepper_region, stepper_input,
 * stepper_output) and moves it; every value it shows comes from the core.
 */
#ifndef POOLVIZ_TUI_PICTURE_H
#define POOLVIZ_TUI_PICTURE_H

#include <stdbool.h>

#include "tui/app.h"

extern const tui_screen picture_screen;

/* Widgets for other screens (the compare screen, a lesson page): a
 * stepper's input with its region outlined, or its output with the
 * current cell outlined, as a picture in the panel of cols x rows cells at
 * (y, x).  scale is display pixels (cell halves) per input pixel, the
 * same for the input and every output beside it (picture_panel_scale: the
 * picture view's same-scale level, the whole picture when it fits, else a
 * pixel-exact crop); the crop follows the region, the output's matching
 * it.  slot (0 .. PICTURE_SLOTS-1) keeps a panel's resampling between
 * frames.  Call picture_begin_frame once per frame before them.  They
 * return the lines drawn.  An output the stepper's hidden hook keeps
 * secret is not drawn (its colours would tell). */
enum { PICTURE_SLOTS = 6 };
void picture_begin_frame(void);
double picture_panel_scale(const stepper *st, int rows, int cols);
/* The scale that shows the whole input in the panel (shrunk by averaging
 * when it is larger). */
double picture_fit_scale(const stepper *st, int rows, int cols);
int picture_draw_input_panel(const stepper *st, int slot, int y, int x, int rows, int cols,
                             double scale);
int picture_draw_output_panel(const stepper *st, int slot, int y, int x, int rows, int cols,
                              double scale);

/* Planes taller or wider than this read better as pictures than numbers. */
#define PICTURE_NUMBERS_MAX 24
bool picture_wanted(const stepper *st);

/* Terminal graphics: picture_set_graphics takes a graphics_mode (graphics.h)
 * that the pictures are drawn in from then on (symbols: curses cells).
 * With sixel or kitty, tui.c calls picture_graphics_begin before drawing a
 * frame and picture_graphics_flush after curses's refresh: it writes the
 * frame's pictures at their cells (and repaints the screen first when the
 * last frame's pictures moved or went). */
void picture_set_graphics(int mode);
void picture_graphics_begin(void);
void picture_graphics_flush(void);

/* Forget everything the view keeps (the inputs that pool-again replaced,
 * the colour pairs it allocated): call when the stepper's screen closes. */
void picture_release(void);

#endif
