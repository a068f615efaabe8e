/* compareview.h - operators (or inputs) side by side: the compare widget
 * and the compare screen.
 *
 * A comparison is two to four panels, each a stepper of its own (an input
 * and settings), all at the same step: n and p move every panel, so the
 * region is in step.  When the panels share their input it is drawn once,
 * above the outputs (`:compare A max avg min`); otherwise each panel shows
 * its input above its output (a lesson's @compare of two inputs).  Small
 * planes are drawn as the stepper's number grids, pictures through the
 * picture widgets at one pixel scale for all panels (v switches).  Under
 * them, each panel's formula for the step, and how many output cells
 * differ from the first panel's.
 *
 * Every value comes from the panels' steppers (the core's plan, forward
 * and explain).
 */
#ifndef POOLVIZ_TUI_COMPAREVIEW_H
#define POOLVIZ_TUI_COMPAREVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"
#include "tui/app.h"
#include "tui/stepper.h"

enum { COMPAREVIEW_MAX = 4 };

compareview *compareview_new(pv_error *err);
void compareview_free(compareview *v);

/* Add a panel: input (copied) under name with params (copied), titled
 * title (the operator's name when NULL).  On failure nothing is added and
 * err says why (the plan's error, subject "compare OP"). */
pv_status compareview_add(compareview *v, const tensor *input, const char *name,
                          const pool_params *params, const char *title, pv_error *err);

size_t compareview_panel_count(const compareview *v);
stepper *compareview_panel(compareview *v, size_t i);

/* Every panel to step index (clamped per panel); the steps: the most any
 * panel has. */
void compareview_goto(compareview *v, size_t index);
size_t compareview_index(const compareview *v);
size_t compareview_step_count(const compareview *v);

/* Pictures (true) or numbers; the default follows the input's size. */
void compareview_set_pictures(compareview *v, bool pictures);
bool compareview_pictures(const compareview *v);

/* Instead of the count of differing cells, say why it is kept secret (a
 * lesson's question); NULL shows the count again. */
void compareview_hide_differ(compareview *v, const char *why);

/* The columns the number grids need whole at their tightest zoom. */
int compareview_width_needed(const compareview *v);

/* Draw the comparison in the h lines from top and the w columns from x. */
void compareview_draw_area(compareview *v, int top, int x, int h, int w);

/* The compare screen: draws app->compare; Esc and q go back to the screen
 * it was opened from. */
extern const tui_screen compare_screen;

#endif
