/* backview.h - the stepper's backward view: the backward pass window by
 * window (key `b`).
 *
 * Every output cell passes back dL/dy = 1.  Stepping to output cell i, the
 * view holds dL/dx accumulated over the windows 0..i (the core's
 * pool_backward_region for each, added up, so overlapping windows show
 * their shares adding up) and the current window's terms: which input
 * cells receive something and how much.  backview_formula() writes the
 * panel: the rule with its numbers ("dx[1,1] += 1 · dy[0,0] = 1" for max,
 * "dx[r,c] += dy[0,0] / 4 = 0.25" for avg, dy/dx written out for the
 * others) and, for cells that earlier windows reached too, the sum so far.
 * No curses: the stepper draws it, unit tests read it.
 */
#ifndef POOLVIZ_TUI_BACKVIEW_H
#define POOLVIZ_TUI_BACKVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/backward.h"
#include "core/explain.h"
#include "core/plan.h"
#include "tui/formula.h"

typedef struct backview {
    double *dx;             /* input-sized, the windows [0, upto) added up */
    double *before;         /* dx before the current window, same size */
    size_t count, upto;
    pool_grad_region grad;  /* the current window's terms */
    bool have_grad;
    double *whole;          /* dx of the whole pass (every window), same size */
    double lo, hi;          /* range of whole (for the heat map) */
} backview;

/* An empty view (everything zero). */
void backview_init(backview *bv);

/* Forget everything (a new plan or input). */
void backview_reset(backview *bv);

void backview_release(backview *bv);

/* Bring the view to output cell index: dx over windows 0..index and the
 * terms of window index.  PV_ERR_NOMEM, or the core's error. */
pv_status backview_sync(backview *bv, const pool_plan *plan, const tensor *input, size_t index,
                        pv_error *err);

/* The weight (dy/dx) window index sends to input cell flat; false if the
 * cell is not one of its terms or receives 0. */
bool backview_receives(const backview *bv, size_t flat, double *weight);

/* The panel for the current window (plane row/col labels as in the input
 * grid).  ex is the forward explanation of the same window. */
void backview_formula(const backview *bv, formula_panel *panel, const pool_plan *plan,
                      const pool_region *region, const pool_explanation *ex, int width,
                      int max_lines);

#endif
