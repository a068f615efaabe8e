/* formula.h - the stepper's formula panel as lines of styled text.
 *
 * formula_build() lays out what the core says about one region: the
 * headline is pool_explanation_format()'s formula (e.g. "max(1, 2, 5, 6) =
 * 6"); the lines under it spell out the terms the explanation holds (the
 * winner, the divisor and why, p-th powers, probabilities with bars, the
 * drawn sample, interval sequences, SPP bins, bilinear products).  Every
 * number comes from the plan, the region or the explanation; nothing is
 * computed here but layout.  No curses: the panel is plain text with role
 * spans, drawn by the stepper and checked by unit tests.
 */
#ifndef POOLVIZ_TUI_FORMULA_H
#define POOLVIZ_TUI_FORMULA_H

#include <stddef.h>

#include "core/explain.h"
#include "core/plan.h"

#define FORMULA_MAX_LINES 40
#define FORMULA_LINE_BYTES 768
#define FORMULA_MAX_SPANS 48

typedef enum formula_role {
    FORMULA_TEXT,       /* explanation in words */
    FORMULA_DIM,        /* secondary detail */
    FORMULA_HEAD,       /* the headline formula */
    FORMULA_MARK,       /* a highlighted term: the winner, the current interval */
    FORMULA_RESULT,     /* the value after '=' */
    FORMULA_BAR,        /* filled part of a probability bar */
    FORMULA_BAR_EMPTY
} formula_role;

typedef struct formula_span {
    unsigned short start, len;  /* bytes of the line's text */
    unsigned char role;
} formula_span;

typedef struct formula_line {
    char text[FORMULA_LINE_BYTES];
    size_t len;
    formula_span spans[FORMULA_MAX_SPANS];
    int span_count;
} formula_line;

typedef struct formula_panel {
    formula_line lines[FORMULA_MAX_LINES];
    int count;
} formula_panel;

/* Build the panel for one region.  value is the output that pool_forward
 * produced for it.  width is the panel's width in columns (the headline
 * elides terms to fit it, lists wrap at it); at most max_lines lines are
 * made (max_lines >= 1; the headline always comes first). */
void formula_build(formula_panel *panel, const pool_plan *plan, const pool_region *region,
                   const pool_explanation *ex, double value, int width, int max_lines);

/* The panel as plain text, one line per '\n' (tests). */
void formula_to_text(const formula_panel *panel, char *buf, size_t size);

#endif
