/* ioarray.h - a read-only view of an array to write out.
 *
 * The writers (text, CSV, JSON, .npy) take this view rather than a tensor so
 * that the same code writes pooled outputs (float32 or float64 tensors) and
 * argmax indices (int64, which no tensor holds).  The view never owns data.
 */
#ifndef POOLVIZ_IO_IOARRAY_H
#define POOLVIZ_IO_IOARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"

typedef enum ioarray_elem {
    IOARRAY_F32,
    IOARRAY_F64,
    IOARRAY_I64
} ioarray_elem;

typedef struct ioarray {
    ioarray_elem elem;
    int rank;                        /* 1..TENSOR_MAX_RANK */
    size_t dims[TENSOR_MAX_RANK];
    size_t count;                    /* product of dims */
    const void *data;                /* count elements, C order */
} ioarray;

static inline ioarray ioarray_from_tensor(const tensor *t)
{
    ioarray a = { t->dtype == TENSOR_F32 ? IOARRAY_F32 : IOARRAY_F64, t->rank, { 0 },
                  t->count, t->data };
    for (int i = 0; i < t->rank; i++)
        a.dims[i] = t->dims[i];
    return a;
}

/* Element i in C order, as a double (int64 indices are exact below 2^53). */
static inline double ioarray_get(const ioarray *a, size_t i)
{
    switch (a->elem) {
    case IOARRAY_F32:
        return (double)((const float *)a->data)[i];
    case IOARRAY_I64:
        return (double)((const int64_t *)a->data)[i];
    case IOARRAY_F64:
        break;
    }
    return ((const double *)a->data)[i];
}

static inline size_t ioarray_elem_size(ioarray_elem elem)
{
    return elem == IOARRAY_F32 ? 4 : 8;
}

/* "float32", "float64" or "int64": the numpy name of the element type. */
static inline const char *ioarray_elem_name(ioarray_elem elem)
{
    return elem == IOARRAY_F32 ? "float32" : elem == IOARRAY_F64 ? "float64" : "int64";
}

#endif
