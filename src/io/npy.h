/* npy.h - numpy's .npy format, versions 1.0, 2.0 and 3.0.
 *
 * Reading accepts little and big endian, C and Fortran order, and the dtypes
 * bool, int8..int64, uint8..uint64, float16, float32 and float64, rank 1 to 4.
 * float32 and float16 become a float32 tensor, float64 stays float64, integers
 * and bool become float64.  Everything else (object arrays, structured or
 * unknown dtypes, a scalar or rank > 4, a garbled or oversized header, data
 * shorter than the header says) is one PV_ERR_DATA, PV_ERR_LIMIT or PV_ERR_IO
 * error whose subject is the file.  Sizes are checked against the file's
 * size and tensor_limits_current before anything is allocated.
 *
 * Writing produces version 1.0 (2.0 when the header needs it) with the header
 * padded to a multiple of 64 bytes, C order, little endian: '<f4', '<f8' or
 * '<i8'.
 */
#ifndef POOLVIZ_IO_NPY_H
#define POOLVIZ_IO_NPY_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "core/tensor.h"
#include "io/ioarray.h"

/* Load the .npy file at path (the error subject).  Caller frees the tensor. */
tensor *npy_load_file(const char *path, pv_error *err);

/* Load a .npy image held in memory. */
tensor *npy_load_memory(const void *data, size_t size, const char *subject, pv_error *err);

/* Write a as .npy to out.  PV_ERR_IO on a write error, PV_ERR_INTERRUPTED when
 * pool_cancel_requested is set. */
pv_status npy_write(FILE *out, const ioarray *a, const char *subject, pv_error *err);

#endif
