/* change.c - the outputs of two inputs compared cell by cell (change.h). */
#include "change.h"

#include <math.h>
#include <string.h>

pv_status pool_change_measure(const tensor *a, const tensor *b, pool_change *change,
                              pv_error *err)
{
    memset(change, 0, sizeof *change);
    if (a->rank != b->rank || memcmp(a->dims, b->dims, (size_t)a->rank * sizeof *a->dims) != 0)
        return pv_error_set(err, PV_ERR_USAGE, "compare",
                            "the two outputs have different shapes");
    double lo = INFINITY, hi = -INFINITY, total = 0;
    size_t finite = 0;
    for (size_t i = 0; i < a->count; i++) {
        const double x = tensor_get(a, i), y = tensor_get(b, i);
        if (x == y || (isnan(x) && isnan(y))) {
            change->kept++;
        } else {
            const double d = fabs(y - x);
            /* a cell that turned NaN moved without bound */
            const double moved = isnan(d) ? INFINITY : d;
            change->largest = moved > change->largest ? moved : change->largest;
        }
        if (isfinite(x) && isfinite(y)) {
            total += fabs(y - x);
            finite++;
        }
        for (int k = 0; k < 2; k++) {
            const double v = k ? y : x;
            if (isfinite(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
    }
    change->cells = a->count;
    change->consistency = a->count ? (double)change->kept / (double)a->count : 1;
    change->mean = finite ? total / (double)finite : 0;
    change->range = hi >= lo ? hi - lo : 0;
    return PV_OK;
}
