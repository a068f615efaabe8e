/* iofile.h - every file format behind one door.
 *
 * Loading picks the format from the file name's extension (.npy, .csv, .txt,
 * .json, .png, case-insensitive); any other name is read as text, except that
 * content starting with the .npy or PNG signature is read as that, and text
 * starting with '{' as JSON.  Saving goes through the writer
 * (src/io/writer.h): a temporary file next to the target, renamed over it
 * only when everything was written; on any error, or when
 * pool_cancel_requested is set, nothing is left behind and an existing file
 * keeps its old content.  Devices are written in place, links followed.
 *
 * Text parsing rules: src/io/text.h.  .npy rules: src/io/npy.h.  JSON form:
 * src/io/json.h.  All size checks use tensor_limits_current.
 */
#ifndef POOLVIZ_IO_IOFILE_H
#define POOLVIZ_IO_IOFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"
#include "io/writer.h"

typedef enum io_format {
    IO_FORMAT_AUTO,
    IO_FORMAT_TXT,
    IO_FORMAT_CSV,
    IO_FORMAT_JSON,
    IO_FORMAT_NPY,
    IO_FORMAT_PNG
} io_format;

/* "txt", "csv", "json", "npy" or "png" (any case) into *fmt; false otherwise. */
bool io_format_from_name(const char *name, io_format *fmt);

/* The lower-case name of fmt ("txt" ... "png"; "auto" for IO_FORMAT_AUTO). */
const char *io_format_name(io_format fmt);

/* By extension; IO_FORMAT_TXT when the extension is unknown or missing. */
io_format io_format_from_path(const char *path);

typedef struct io_load_options {
    bool gray;        /* PNG: one luminance channel */
} io_load_options;

typedef struct io_save_options {
    bool normalize;   /* PNG: stretch min..max to 0..255 */
} io_save_options;

/* Load a tensor from path; "-" reads text from standard input (subject
 * "<stdin>").  A bare name missing from the working folder is read from the
 * data folder's assets/ (datadir.h), so `cat.png` works from any folder.  Text errors name "path:line:col", others "path".  opts may be
 * NULL.  Returns a new tensor the caller frees with tensor_free, or NULL with
 * err filled (PV_ERR_IO for files that cannot be read, PV_ERR_DATA for bad
 * content, PV_ERR_LIMIT for sizes over tensor_limits_current). */
tensor *io_load_file(const char *path, const io_load_options *opts, pv_error *err);

/* Load fractional max pooling's samples, PyTorch's _random_samples of shape
 * (N, C, 2), from path into params (pool_params_samples_from).  Errors as
 * io_load_file's, the subject being the file. */
pv_status io_load_samples(const char *path, pool_params *params, pv_error *err);

/* The same for an open stream f (read to its end, not closed): text, JSON
 * or, by their signatures, .npy and PNG, as for a file named subject.
 * Text is parsed chunk by chunk as it is read (text_reader, text.h), so it
 * fails at its first error, a NUL byte included, without reading on, and
 * holds the values, not the bytes.  JSON, .npy and PNG are read whole, no
 * more than 64 bytes per allowed element. */
tensor *io_load_stream(FILE *f, const char *subject, const io_load_options *opts,
                       pv_error *err);

/* Parse a matrix literal or text (forms in text.h).  subject prefixes error
 * positions ("--matrix" -> "--matrix:1:7").  Result is float64. */
tensor *io_parse_matrix(const char *text, size_t len, const char *subject, pv_error *err);

/* Write t to out as text (AUTO too), CSV, JSON or .npy; PNG needs a file
 * (PV_ERR_USAGE).  Write errors are PV_ERR_IO with subject "<stdout>" when
 * out is stdout, "output" otherwise. */
pv_status io_write_stream(FILE *out, const tensor *t, io_format fmt, pv_error *err);

/* Write t into o, an output of a writer set (committed by the caller with
 * io_writer_commit).  fmt AUTO takes the format from the path's extension
 * (text for standard output and devices); PNG is encoded in memory, so it
 * needs no file.  Errors name io_output_subject(o). */
pv_status io_output_write_tensor(io_output *o, const tensor *t, io_format fmt,
                                 const io_save_options *opts, pv_error *err);

/* Argmax indices (rank 1..4 with dims, int64) into o: .npy as '<i8', .json
 * with "dtype":"int64", anything else as text or CSV (fmt AUTO: by the
 * path's extension).  PNG is PV_ERR_USAGE. */
pv_status io_output_write_indices(io_output *o, int rank, const size_t *dims,
                                  const int64_t *indices, io_format fmt, pv_error *err);

/* Write t to path atomically (see above), as a writer set of one output.  fmt AUTO takes the format from the
 * extension.  path "-" writes to standard output (not PNG).  A folder that
 * does not exist or cannot be written is PV_ERR_IO naming the path.
 * opts may be NULL. */
pv_status io_save_file(const char *path, const tensor *t, io_format fmt,
                       const io_save_options *opts, pv_error *err);

/* Argmax indices as io_output_write_indices, to path atomically like
 * io_save_file. */
pv_status io_save_indices(const char *path, int rank, const size_t *dims,
                          const int64_t *indices, pv_error *err);

#endif
