/* stepper.h - the stepper: its model (model.h: one pooling plan walked
 * output cell by output cell, no curses) and the widgets and screen that
 * show it: the input grid with the region, the output grid filling in, the
 * formula panel, the output-size panel and the status line.
 */
#ifndef POOLVIZ_TUI_STEPPER_H
#define POOLVIZ_TUI_STEPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/params.h"
#include "core/plan.h"
#include "core/tensor.h"
#include "tui/app.h"
#include "tui/model.h"

stepper *stepper_new(pv_error *err);
void stepper_free(stepper *st);

/* Show input (copied) under name with params (copied): plan, forward and
 * go to the first step.  On failure the stepper keeps what it showed and
 * err says why (the plan's or forward's error). */
pv_status stepper_load(stepper *st, const tensor *input, const char *name,
                       const pool_params *params, pv_error *err);

/* New parameters for the same input; keeps the current output index when
 * it still exists.  On failure nothing changes. */
pv_status stepper_replan(stepper *st, const pool_params *params, pv_error *err);

/* Go to output index i (clamped); 0-based. */
void stepper_goto(stepper *st, size_t index);

/* Go to output cell (row, col) of the current plane or block; false when
 * it does not exist. */
bool stepper_goto_cell(stepper *st, long row, long col);

/* What the stepper shows, for other screens (the picture view of issue 5
 * draws the same input, region and output as pictures).  All owned by the
 * stepper and valid until it changes. */
size_t stepper_index(const stepper *st);
size_t stepper_count(const stepper *st);
const pool_plan *stepper_plan(const stepper *st);
const pool_region *stepper_region(const stepper *st);
const tensor *stepper_input(const stepper *st);
const tensor *stepper_output(const stepper *st);
const char *stepper_name(const stepper *st);

/* In the backward view (key b): dL/dx of the whole backward pass with every
 * dL/dy = 1 (float64, the input's shape), for the picture view's heat map;
 * NULL in the forward view.  lo and hi (may be NULL) receive its range. */
const tensor *stepper_backward_dx(const stepper *st, double *lo, double *hi);

/* What the stepper keeps secret of output cell index (a lesson's open
 * questions): STEPPER_HIDE_VALUE shows '?' for its value and its formula's
 * result, STEPPER_HIDE_WINNER drops the mark on the input cell that wins it
 * and the formula's lines under the headline.  hidden(ctx, input, output,
 * index, why, why_size) returns those bits for output[index] computed from
 * input, and may say in why (when not NULL) what the formula panel tells
 * instead; a NULL hidden shows everything. */
enum { STEPPER_HIDE_VALUE = MODEL_HIDE_VALUE, STEPPER_HIDE_WINNER = MODEL_HIDE_WINNER };
typedef model_hidden_fn stepper_hidden_fn;
void stepper_set_hidden(stepper *st, stepper_hidden_fn hidden, void *ctx);

/* Parts of the stepper screen that the picture view draws too: the title
 * bar, the status line (operator, parameters, step i/N) and the formula
 * panel for the current step, in a box of w columns at line y with at most
 * max_lines lines of text; stepper_draw_formula returns the box's height. */
void stepper_draw_title(const stepper *st, int y);
void stepper_draw_status(const stepper *st, int y);
int stepper_draw_formula(stepper *st, int y, int x, int w, int max_lines);

/* One grid widget on its own (the compare screen's panels): the input with
 * the region, or the output filling in with the current cell, in a box of
 * h lines and w columns at (y, x), at the roomiest zoom that fits (it
 * scrolls to keep the region in view at the tightest).  stepper_grid_size
 * gives the box the grid needs at the roomiest zoom that fits max_w x
 * max_h (whole at the tightest zoom when none does). */
typedef enum stepper_grid { STEPPER_GRID_INPUT, STEPPER_GRID_OUTPUT } stepper_grid;
void stepper_draw_grid(stepper *st, stepper_grid which, int y, int x, int h, int w);
void stepper_grid_size(const stepper *st, stepper_grid which, int max_w, int max_h, int *w,
                       int *h);

/* The formula's first line for the current step, fitted to width columns
 * ('?' where a lesson question keeps the value secret). */
void stepper_formula_headline(stepper *st, int width, char *buf, size_t size);

/* A label before the grids' box titles ("avg: output 2x2"); NULL or ""
 * for none. */
void stepper_set_label(stepper *st, const char *label);

/* Does the hidden hook keep any output value secret (the picture view
 * then draws no output picture)? */
bool stepper_hides_any(const stepper *st);

/* Keep the output's shape secret (a lesson's size question): the output
 * box says why instead of showing the grid, the size panel stays shut.
 * NULL shows it again. */
void stepper_hide_size(stepper *st, const char *why);

/* The stepper's widgets without its title and status lines: the input and
 * output grids, the legend, the formula panel and the size panel, laid out
 * in the h lines from top and the w columns from x (a lesson's demo box). */
void stepper_draw_area(stepper *st, int top, int x, int h, int w);

/* The columns stepper_draw_area needs to show both grids whole at its
 * tightest zoom (they scroll in fewer). */
int stepper_width_needed(const stepper *st);

/* The stepper screen. */
extern const tui_screen stepper_screen;

#endif
