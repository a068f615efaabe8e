#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

tensor_limits tensor_limits_current = {
    .max_elements = (size_t)1 << 28,
    .max_dim = (size_t)1 << 24,
};

size_t tensor_dtype_size(tensor_dtype dtype)
{
    return dtype == TENSOR_F32 ? sizeof(float) : sizeof(double);
}

const char *tensor_dtype_name(tensor_dtype dtype)
{
    return dtype == TENSOR_F32 ? "float32" : "float64";
}

void tensor_format_shape(int rank, const size_t *dims, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    for (int i = 0; i < rank && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%zu", i ? "x" : "", dims[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

pv_status tensor_check_dims(int rank, const size_t *dims, size_t *count,
                            const char *subject, pv_error *err)
{
    if (rank < 1 || rank > TENSOR_MAX_RANK)
        return pv_error_set(err, PV_ERR_DATA, subject,
                            "rank %d is not supported (1 to %d dimensions)", rank,
                            TENSOR_MAX_RANK);
    size_t total = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 0 && (i > 0 || rank < 2))
            return pv_error_set(err, PV_ERR_DATA, subject,
                                "dimension %d is 0: the array is empty", i);
        if (dims[i] > tensor_limits_current.max_dim)
            return pv_error_set(err, PV_ERR_LIMIT, subject,
                                "dimension %d is %zu, over the limit of %zu "
                                "(raise it with --max-dim)",
                                i, dims[i], tensor_limits_current.max_dim);
        if (!pv_mul_size(total, dims[i], &total))
            return pv_error_set(err, PV_ERR_LIMIT, subject,
                                "the element count overflows");
    }
    if (total > tensor_limits_current.max_elements)
        return pv_error_set(err, PV_ERR_LIMIT, subject,
                            "%zu elements is over the limit of %zu "
                            "(raise it with --max-elements)",
                            total, tensor_limits_current.max_elements);
    *count = total;
    return PV_OK;
}

tensor *tensor_new(tensor_dtype dtype, int rank, const size_t *dims, pv_error *err)
{
    size_t count, bytes;
    if (tensor_check_dims(rank, dims, &count, "tensor", err) != PV_OK)
        return NULL;
    if (!pv_mul_size(count, tensor_dtype_size(dtype), &bytes)) {
        pv_error_set(err, PV_ERR_LIMIT, "tensor", "the byte size overflows");
        return NULL;
    }
    tensor *t = pv_calloc(1, sizeof *t);
    void *data = t ? pv_aligned_alloc(bytes) : NULL;
    if (data == NULL) {
        pv_free(t);
        pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate %zu bytes", bytes);
        return NULL;
    }
    memset(data, 0, bytes);
    t->dtype = dtype;
    t->rank = rank;
    for (int i = 0; i < rank; i++)
        t->dims[i] = dims[i];
    t->count = count;
    t->data = data;
    return t;
}

tensor *tensor_clone(const tensor *src, pv_error *err)
{
    tensor *t = tensor_new(src->dtype, src->rank, src->dims, err);
    if (t != NULL)
        memcpy(t->data, src->data, src->count * tensor_dtype_size(src->dtype));
    return t;
}

tensor *tensor_convert(const tensor *src, tensor_dtype dtype, pv_error *err)
{
    tensor *t = tensor_new(dtype, src->rank, src->dims, err);
    if (t != NULL)
        for (size_t i = 0; i < src->count; i++)
            tensor_set(t, i, tensor_get(src, i));
    return t;
}

void tensor_free(tensor *t)
{
    if (t == NULL)
        return;
    pv_aligned_free(t->data);
    pv_free(t);
}

void tensor_nchw(const tensor *t, size_t nchw[4])
{
    nchw[0] = nchw[1] = nchw[2] = nchw[3] = 1;
    int off = 4 - t->rank;
    for (int i = 0; i < t->rank; i++)
        nchw[off + i] = t->dims[i];
}

bool tensor_equal(const tensor *a, const tensor *b)
{
    if (a == NULL || b == NULL)
        return false;
    if (a == b)
        return true;
    if (a->rank != b->rank || a->count != b->count)
        return false;
    for (int d = 0; d < a->rank; d++)
        if (a->dims[d] != b->dims[d])
            return false;
    for (size_t i = 0; i < a->count; i++) {
        double x = tensor_get(a, i), y = tensor_get(b, i);
        if (!(x == y || (isnan(x) && isnan(y))))
            return false;
    }
    return true;
}
