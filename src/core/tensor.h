/* tensor.h - dense row-major (C order) arrays of float32 or float64.
 *
 * A tensor has rank 1..4.  Pooling reads ranks 2..4 as H×W, C×H×W and
 * N×C×H×W; tensor_nchw() gives that four-dimensional view.  Element data is
 * 64-byte aligned and owned by the tensor.
 */
#ifndef POOLVIZ_CORE_TENSOR_H
#define POOLVIZ_CORE_TENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define TENSOR_MAX_RANK 4

typedef enum tensor_dtype {
    TENSOR_F32,
    TENSOR_F64
} tensor_dtype;

typedef struct tensor {
    tensor_dtype dtype;
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    size_t count;   /* product of dims */
    void *data;     /* count elements of dtype, owned */
} tensor;

/* Size limits checked before any allocation whose size comes from data.
 * Front ends may raise them (--max-elements, --max-dim). */
typedef struct tensor_limits {
    size_t max_elements;  /* default 1 << 28 (268 435 456) */
    size_t max_dim;       /* default 1 << 24 per dimension */
} tensor_limits;

extern tensor_limits tensor_limits_current;

/* Check dims against tensor_limits_current and for overflow; on success
 * store the element count in *count.  subject names the input in errors.
 * Every dimension is at least 1 except the first of a tensor of rank 2 or
 * more, which may be 0: an empty batch (N = 0), whose count is 0. */
pv_status tensor_check_dims(int rank, const size_t *dims, size_t *count,
                            const char *subject, pv_error *err);

/* New zero-filled tensor.  Returns NULL and fills err on bad dims, a limit
 * or out of memory.  Free with tensor_free. */
tensor *tensor_new(tensor_dtype dtype, int rank, const size_t *dims, pv_error *err);

/* True when a and b have the same shape and the same values (NaN equal to
 * NaN; dtypes may differ); false when either is NULL. */
bool tensor_equal(const tensor *a, const tensor *b);

/* New tensor with the same dtype and dims, contents copied. */
tensor *tensor_clone(const tensor *src, pv_error *err);

/* New tensor of another dtype with values converted. */
tensor *tensor_convert(const tensor *src, tensor_dtype dtype, pv_error *err);

void tensor_free(tensor *t);

size_t tensor_dtype_size(tensor_dtype dtype);
const char *tensor_dtype_name(tensor_dtype dtype);

/* Element i in C order, as a double. */
static inline double tensor_get(const tensor *t, size_t i)
{
    return t->dtype == TENSOR_F32 ? (double)((const float *)t->data)[i]
                                  : ((const double *)t->data)[i];
}

static inline void tensor_set(tensor *t, size_t i, double v)
{
    if (t->dtype == TENSOR_F32)
        ((float *)t->data)[i] = (float)v;
    else
        ((double *)t->data)[i] = v;
}

/* The N, C, H, W view of a rank 2..4 tensor (missing leading dims are 1).
 * A rank-1 tensor of length L is viewed as 1×1×1×L. */
void tensor_nchw(const tensor *t, size_t nchw[4]);

/* "4x4", "3x224x224" ... into buf. */
void tensor_format_shape(int rank, const size_t *dims, char *buf, size_t size);

#endif
