/* change.h - how much an output moves when its input moves.
 *
 * Pooling is meant to make a network less sensitive to small shifts of its
 * input.  pool_change_measure() puts a number on it: given the outputs of
 * an input and of the same input shifted by a cell (or any two outputs of
 * one shape), the share of output cells that keep their value, and how far
 * the others move.  The lessons show it (@ask changed) and the tests use
 * it; the comparison is the core's, so every front end reports the same.
 */
#ifndef POOLVIZ_CORE_CHANGE_H
#define POOLVIZ_CORE_CHANGE_H

#include <stddef.h>

#include "error.h"
#include "tensor.h"

typedef struct pool_change {
    size_t cells;       /* output cells compared */
    size_t kept;        /* cells with the same value in both (NaN the same as NaN) */
    double consistency; /* kept / cells: 1 when nothing moved (1 for no cells) */
    double largest;     /* the largest |b - a| over the cells (NaN or inf where a cell
                           turned NaN or infinite and the other side did not) */
    double mean;        /* the mean |b - a| over the cells finite on both sides */
    double range;       /* max - min of the finite values of a and b, 0 if none:
                           the scale the changes are measured against */
} pool_change;

/* Compare a and b cell by cell (the same shape, else PV_ERR_USAGE with the
 * subject "compare"); fills *change.  Reads both; owns nothing. */
pv_status pool_change_measure(const tensor *a, const tensor *b, pool_change *change,
                              pv_error *err);

#endif
