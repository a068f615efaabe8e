/* model.h - the stepper's model: one pooling plan walked output cell by
 * output cell, without a terminal.
 *
 * It holds a copy of the input, the plan, the output pool_forward computed
 * and the current output index; for that index the region
 * (pool_plan_region), the explanation (pool_explain) and the formula
 * panel's lines (formula.h); the grids' extent and number widths; the
 * backward view's state; what a lesson keeps secret.  The stepper's
 * screen (stepper.c), the picture view, the compare screen and the lesson
 * page draw it; the unit tests drive it directly.  No curses here.
 *
 * The fields are the model's state, read by the screens; change them
 * through the functions below.
 */
#ifndef POOLVIZ_TUI_MODEL_H
#define POOLVIZ_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/explain.h"
#include "core/params.h"
#include "core/plan.h"
#include "core/tensor.h"
#include "tui/backview.h"
#include "tui/formula.h"

/* What a model keeps secret of output cell index (a lesson's open
 * questions): MODEL_HIDE_VALUE shows '?' for its value and its formula's
 * result, MODEL_HIDE_WINNER drops the mark on the winning input cell and
 * the formula's lines under the headline.  hidden(ctx, input, output,
 * index, why, why_size) returns those bits for output[index] computed from
 * input, and may say in why (when not NULL) what the formula tells
 * instead. */
enum { MODEL_HIDE_VALUE = 1u << 0, MODEL_HIDE_WINNER = 1u << 1 };
typedef unsigned (*model_hidden_fn)(void *ctx, const tensor *input, const tensor *output,
                                    size_t index, char *why, size_t why_size);

/* One grid of the output: a plane, an SPP level or a bilinear CxC. */
typedef struct out_block {
    size_t base;            /* flat output index of cell (0, 0) */
    size_t rows, cols;
    char label[48];
} out_block;

typedef struct stepper_model {
    tensor *input;
    char name[160];
    pool_plan *plan;        /* holds its own copy of the parameters */
    tensor *output;
    size_t index;
    pool_region region;
    pool_explanation ex;
    bool have_ex;
    char ex_error[600];     /* why there is no explanation */
    formula_panel *formula; /* model_build_formula's lines */
    /* what the input grid spans, padding and ceil-mode taps included */
    long row_lo, row_hi, col_lo, col_hi;
    int in_numw, out_numw;  /* widest numbers of the input and the output */
    double in_min, in_max, out_min, out_max;
    bool backward;          /* the backward view */
    backview bv;
    int bw_numw;            /* number width of the backward pass's dx */
    tensor *bw_dx;          /* the whole pass's dx as a tensor (picture view) */
    char bw_error[600];     /* why the backward view could not be shown */
    model_hidden_fn hidden; /* output cells shown as '?' (a lesson's questions) */
    void *hidden_ctx;
    char size_secret[160];  /* why the output's shape is not shown, or "" */
    char label[64];         /* before the grids' titles (a compare panel), or "" */
} stepper_model;

/* An empty model; PV_ERR_NOMEM.  Release with model_release. */
pv_status model_init(stepper_model *m, pv_error *err);
void model_release(stepper_model *m);

/* Show input (copied) under name with params: plan, forward, the first
 * step.  On failure the model keeps what it showed and err says why. */
pv_status model_load(stepper_model *m, const tensor *input, const char *name,
                     const pool_params *params, pv_error *err);

/* New parameters for the same input, keeping the output index when it
 * still exists.  On failure nothing changes. */
pv_status model_replan(stepper_model *m, const pool_params *params, pv_error *err);

/* Plan and forward params on input; on success the model takes input
 * (which the caller gives up) and goes to keep_index if it exists. */
pv_status model_install(stepper_model *m, tensor *input, const pool_params *params,
                        size_t keep_index, pv_error *err);

/* Go to output index (clamped): region, explanation, backward view. */
void model_goto(stepper_model *m, size_t index);

/* Go to output cell (row, col) of the current plane or block; false when
 * it does not exist. */
bool model_goto_cell(stepper_model *m, long row, long col);

/* The backward view's state for the current step (on failure it is off and
 * bw_error says why). */
void model_backward_sync(stepper_model *m);
void model_drop_explanation(stepper_model *m);

/* The output's grids for the current region (at most max) and which holds
 * the current index. */
int model_out_blocks(const stepper_model *m, out_block *blocks, int max);
int model_current_block(const stepper_model *m, const out_block *blocks, int count);
void model_out_plane_dims(const pool_plan *plan, size_t *oh, size_t *ow);

/* Planes (N*C, or N for bilinear), the one on show, the current cell in
 * another plane, and the steps the status line counts (the current plane,
 * or the whole output for SPP). */
size_t model_plane_count(const stepper_model *m);
size_t model_plane_current(const stepper_model *m);
size_t model_index_in_plane(const stepper_model *m, size_t plane);
void model_segment(const stepper_model *m, size_t *first, size_t *count);

/* Does the plan have padding, dilation and ceil-mode axes (a windowed
 * operator, not global or adaptive)? */
bool model_has_padding_axes(const pool_plan *plan);

/* The settings part of the status line ("max | kernel 2x2 | ..."). */
void model_describe_params(const stepper_model *m, char *buf, size_t size);

/* The input plane's cell (row, col) of the current region's (n, c): its
 * flat index and value (dL/dx so far in the backward view). */
size_t model_input_flat(const stepper_model *m, long row, long col);
double model_input_value(const stepper_model *m, long row, long col);

/* The MODEL_HIDE_* bits of output index; is its value hidden?  Is input
 * cell (row, col) the current window's winner (and may it be shown)? */
unsigned model_hidden_bits(const stepper_model *m, size_t index);
bool model_is_hidden(const stepper_model *m, size_t index);
bool model_winner_at(const stepper_model *m, long row, long col);

/* The formula panel's lines for the current step in width columns, at
 * most max_lines lines, into m->formula (a hidden value ends in '?'). */
void model_build_formula(stepper_model *m, int width, int max_lines);

/* The width of v as the grids print it (at most POOL_NUMBER_TEXT_MAX). */
int model_number_width(double v);

#endif
