/* render.h - frames for slides: one step of the stepper as an SVG or PNG.
 *
 * A frame shows what the stepper shows, for a projector: the input grid
 * with the current region highlighted (padding cells visible), the output
 * grid filled up to the current cell, the labels "input" and "output", the
 * core's formula with the region's numbers, and the step.  Small planes are
 * drawn as numbered cells, big ones (pictures) as pixels with the region
 * outlined.  Both formats come from one layout, so an SVG and a PNG of the
 * same step agree; in the PNG every letter is drawn by poolviz from its own
 * bitmap font (bitfont.h).  Every value comes from the core: the plan, the
 * output of pool_forward and pool_explain's formula.
 */
#ifndef POOLVIZ_CLI_RENDER_H
#define POOLVIZ_CLI_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/plan.h"
#include "core/tensor.h"

typedef enum render_format { RENDER_SVG, RENDER_PNG } render_format;

typedef struct render_options {
    int cell;               /* cell size in pixels for numbered grids; 0 = 56 */
    bool hide_value;        /* presenter: the current output value is "?" */
    const char *title;      /* top line; NULL = the settings */
} render_options;

/* One step: the output index shown and whether the whole output is filled
 * (a finished run) or only the cells up to index. */
typedef struct render_step {
    const pool_plan *plan;
    const tensor *input;
    const tensor *output;
    size_t index;
    bool all_done;
} render_step;

/* "svg" or "png" from a name or from a path's extension. */
bool render_format_from_name(const char *name, render_format *fmt);
bool render_format_from_path(const char *path, render_format *fmt);
const char *render_format_extension(render_format fmt);

/* Draw one step and write it to path atomically (a temporary file in the
 * same folder, renamed when complete; nothing is left on error).  PNG
 * frames are at least 320 pixels wide. */
pv_status render_step_save(const char *path, render_format fmt, const render_step *step,
                           const render_options *options, pv_error *err);

/* A text slide: a title and paragraphs ('\n\n' between them; lines that
 * start with two spaces are kept as written). */
pv_status render_text_save(const char *path, render_format fmt, const char *title,
                           const char *body, pv_error *err);

#endif
