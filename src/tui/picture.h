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

#include "tui/app.h"

extern const tui_screen picture_screen;

/* Forget everything the view keeps (the inputs that pool-again replaced,
 * the colour pairs it allocated): call when the stepper's screen closes. */
void picture_release(void);

#endif
