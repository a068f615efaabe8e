/* render.h - slides for a projector: the stepper's steps and a lesson's
 * pages as PDF, SVG or PNG, drawn with cairo and pango.
 *
 * A step slide shows what the stepper shows: the input grid with the
 * current region highlighted (padding cells visible), the output grid
 * filled up to the current cell, the labels "input" and "output", and the
 * stepper's formula panel (tui/formula.h: the core's formula with the
 * region's numbers, then the terms explained: probabilities with bars,
 * interval sequences, bins, products ...).  A text slide shows a title and
 * paragraphs.  Every slide is 16:9 by default, has a title and a page
 * number, and its text is set in DejaVu Sans / DejaVu Sans Mono (found
 * through fontconfig), shrunk until it fits: nothing is cut.  Every value
 * comes from the core: the plan, pool_forward's output and pool_explain.
 *
 * One drawing code serves the three formats; a deck gathers the slides
 * either into one file (a PDF of many pages, or a single SVG/PNG slide) or
 * into a folder, one file per slide.  Every file goes through io/writer.h
 * and a deck's files are committed together: all of them, or none.
 */
#ifndef POOLVIZ_CLI_RENDER_H
#define POOLVIZ_CLI_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/plan.h"
#include "core/tensor.h"

typedef enum render_format { RENDER_SVG, RENDER_PNG, RENDER_PDF } render_format;

#define RENDER_DEFAULT_WIDTH 1920
#define RENDER_DEFAULT_HEIGHT 1080

typedef struct render_options {
    int width, height;      /* pixels of an SVG or PNG slide; 0 = 1920x1080.  A PDF page
                               has the same shape, half as many points (960x540 pt) */
    const char *title;      /* the title of step slides; NULL = the settings */
} render_options;

/* One step: the output index shown and whether the whole output is filled
 * (a finished run) or only the cells up to index.  With hide_value the
 * current output cell and the formula's result are '?' (predict, then
 * reveal), the winner is not marked and the panel shows only the formula;
 * question (may be NULL) replaces the formula panel by a question's text.
 * The formula's result is hidden with lesson_hide_result's rule. */
typedef struct render_step {
    const pool_plan *plan;
    const tensor *input;
    const tensor *output;
    size_t index;
    bool all_done;
    bool hide_value;
    bool backward;          /* the backward view: dL/dy = 1 per output cell, dL/dx of
                               the windows 0..index added up, the cells reached */
    const char *title;      /* NULL = the deck's options->title, else the settings */
    const char *question;
    /* What an open question keeps secret (lesson/lessonsecret.h): per flat
     * output index, RENDER_HIDE_* bits (NULL: nothing), and the output's
     * shape (drawn as one '?' cell, the step count left out). */
    const unsigned char *hide;
    size_t hide_count;
    bool hide_size;
} render_step;

enum {
    RENDER_HIDE_VALUE = 1u << 0,    /* the cell's value and its formula's result */
    RENDER_HIDE_WINNER = 1u << 1    /* the mark on the input cell that wins it */
};

/* A paragraph of a text slide. */
typedef enum render_par_style {
    RENDER_PAR_PROSE,       /* wrapped at word boundaries */
    RENDER_PAR_VERBATIM,    /* lines kept as written, monospace (set a little smaller
                               rather than wrapped when that keeps them whole) */
    RENDER_PAR_FORMULA,     /* monospace, wrapped (an answer's explanation) */
    RENDER_PAR_STRONG       /* prose, bold */
} render_par_style;

typedef struct render_paragraph {
    const char *text;
    render_par_style style;
} render_paragraph;

/* "svg", "png" or "pdf" from a name or from a path's extension. */
bool render_format_from_name(const char *name, render_format *fmt);
bool render_format_from_path(const char *path, render_format *fmt);
const char *render_format_extension(render_format fmt);

typedef struct render_deck render_deck;

/* A deck written to one file: a PDF takes any number of slides, an SVG or
 * PNG exactly one.  The target is checked at once (a missing folder, a
 * folder, a file that may not be written: PV_ERR_IO); nothing replaces it
 * before render_deck_finish. */
render_deck *render_deck_to_file(const char *path, render_format fmt,
                                 const render_options *options, pv_error *err);

/* A deck written into the folder dir, one file per slide named NAME.EXT
 * (the name given with each slide); dir and its parents are created.  The
 * paths are printed on standard output once render_deck_finish has
 * written them. */
render_deck *render_deck_to_folder(const char *dir, render_format fmt,
                                   const render_options *options, pv_error *err);

/* A deck that draws and writes nothing: it counts the slides added, so that
 * a real deck can number its pages "k / N" (render_deck_set_total). */
render_deck *render_deck_counter(pv_error *err);
void render_deck_set_total(render_deck *deck, size_t total);

/* Add a slide.  name is the file name without extension (folder decks). */
pv_status render_deck_step(render_deck *deck, const char *name, const render_step *step,
                           pv_error *err);
pv_status render_deck_text(render_deck *deck, const char *name, const char *title,
                           const render_paragraph *paragraphs, size_t count, pv_error *err);

/* Slides added so far. */
size_t render_deck_pages(const render_deck *deck);

/* Commit every file of the deck (all of them or none; at least one slide
 * is needed). */
pv_status render_deck_finish(render_deck *deck, pv_error *err);

/* Free the deck; an unfinished file deck writes nothing. */
void render_deck_free(render_deck *deck);

#endif
