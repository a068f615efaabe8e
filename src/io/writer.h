/* writer.h - the one way poolviz writes files.
 *
 * Every command that writes files (pool -o and --indices, render's slides,
 * frames and decks, the REPL's save, ...) gathers its outputs in one
 * io_writer and commits them together: either every output gets its new
 * content, or none is touched.
 *
 *   io_writer *w = io_writer_new(err);
 *   io_output *a = io_writer_add(w, "out.npy", err);   (every output first:
 *   io_output *b = io_writer_add(w, "idx.txt", err);    checks happen here)
 *   ... write into io_output_stream(a) or with io_output_write(a, ...) ...
 *   io_output_finish(a, err);  ... the same for b ...
 *   io_writer_commit(w, err);
 *   io_writer_free(w);          (removes whatever was not committed)
 *
 * What a target becomes:
 *   - A regular file (new or existing) is staged: the bytes go to a hidden
 *     temporary file in the target's folder (".NAME.XXXXXX"), renamed over
 *     the target by io_writer_commit.  An existing file keeps its mode (and,
 *     when running as root, its owner and group).  An existing file the user
 *     may not write (access W_OK, as cp checks) is refused.
 *   - A symbolic link is followed: the file it names is written, the link
 *     stays.  A dangling link creates the file it names (as a shell's >
 *     does).
 *   - Anything else that exists (a character device such as /dev/null, a
 *     FIFO, a socket) is written in place and never renamed over.  Such
 *     writes cannot be rolled back, so they happen after every regular
 *     output is staged: directly, when every regular output of the set is
 *     already finished when the in-place stream is opened (add devices last,
 *     as pool does with -o after --indices), else into an anonymous
 *     temporary file copied to the device by io_writer_commit.
 *   - "-", or any path that is the file standard output already is
 *     (/dev/stdout, /proc/self/fd/1, the terminal's name), writes to stdout
 *     without reopening it (so it works when the terminal belongs to
 *     another user, and a redirected file is not truncated twice).  No
 *     temporary file is needed for it.
 *
 * Two outputs of one set that are the same regular file (same device and
 * inode, or, for files not yet there, the same resolved folder and name)
 * are refused as PV_ERR_USAGE: "./idx.txt" and "idx.txt" are one file.
 *
 * Errors name the path as given.  A folder as target, a missing folder or
 * one that cannot be written, a refused file: PV_ERR_IO, at io_writer_add,
 * before any work.  Write errors (disk full, /dev/full): PV_ERR_IO at
 * io_output_finish or io_writer_commit.  pool_cancel_requested set when
 * committing: PV_ERR_INTERRUPTED and nothing is renamed.
 */
#ifndef POOLVIZ_IO_WRITER_H
#define POOLVIZ_IO_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

typedef struct io_writer io_writer;
typedef struct io_output io_output;

/* A new, empty set of outputs; free with io_writer_free.  NULL only when
 * out of memory (err filled). */
io_writer *io_writer_new(pv_error *err);

/* Declare path ("-" = standard output) as an output of w and check it (see
 * above).  Returns a handle owned by w, or NULL with err filled. */
io_output *io_writer_add(io_writer *w, const char *path, pv_error *err);

/* The path the output was added with. */
const char *io_output_path(const io_output *o);

/* What errors about the output name: "<stdout>" for "-", else the path. */
const char *io_output_subject(const io_output *o);

/* True if the output is standard output or a device, pipe or socket (no
 * temporary file in the target's folder). */
bool io_output_in_place(const io_output *o);

/* True if the output is written to the terminal (binary data is refused
 * there by the callers). */
bool io_output_is_terminal(const io_output *o);

/* The stream that receives the output's bytes, opened on the first call.
 * Owned by the writer: never fclose it; call io_output_finish when done.
 * NULL with err filled when it cannot be opened. */
FILE *io_output_stream(io_output *o, pv_error *err);

/* Write size bytes of data to the output (opens the stream if needed). */
pv_status io_output_write(io_output *o, const void *data, size_t size, pv_error *err);

/* A write callback for libraries that write through one (cairo's
 * cairo_write_func_t has this shape): closure is the io_output.  Returns
 * true when all length bytes were written.  The first error is kept and
 * reported by io_output_finish. */
bool io_output_write_callback(void *closure, const unsigned char *data, unsigned int length);

/* Done writing this output: flush and close its stream.  A write error
 * (including one seen by io_output_write_callback) is PV_ERR_IO naming the
 * path.  Finishing twice is harmless. */
pv_status io_output_finish(io_output *o, pv_error *err);

/* Finish any output not yet finished, write the buffered in-place outputs,
 * then rename every staged file over its target.  On error no staged file
 * is renamed, every temporary file is removed and err is filled.  (If a
 * rename itself fails part way, the outputs renamed before it stay: the
 * system offers no rename of several files at once.) */
pv_status io_writer_commit(io_writer *w, pv_error *err);

/* Remove every temporary file not committed and free w.  NULL is fine. */
void io_writer_free(io_writer *w);

/* Writes one output's content (ctx is the caller's). */
typedef pv_status (*io_write_fn)(io_output *o, const void *ctx, pv_error *err);

/* A set of one output: path added, write(o, ctx) called, committed (all of
 * the above: staged, mode kept, links followed, devices in place); nothing
 * is written once Ctrl-C was pressed.  For a command with several outputs,
 * use one set for all of them instead. */
pv_status io_write_single(const char *path, io_write_fn write, const void *ctx, pv_error *err);

/* io_write_single of size bytes of data. */
pv_status io_write_file(const char *path, const void *data, size_t size, pv_error *err);

#endif
