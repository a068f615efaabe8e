/* fuzz.h - what the fuzz harnesses in tests/fuzz share.
 *
 * Each fuzz-WHAT.c defines LLVMFuzzerInitialize and LLVMFuzzerTestOneInput.
 * It is linked twice: with libFuzzer (configure --enable-fuzzing, binary
 * tests/fuzz/fuzz-WHAT) to search for new inputs, and with replay.c (every
 * build, binary tests/fuzz/replay-WHAT) so that `make check` runs the
 * committed corpus tests/fuzz/corpus/WHAT/ through the same harness.
 *
 * A harness fails (abort, so both drivers see a crash) when the code under
 * test breaks a contract that the harness can check: an error without a
 * message, a tensor whose shape does not match its count, a value that does
 * not survive a write and a re-read, a fast kernel that disagrees with the
 * reference.  The sanitizers catch the rest.
 */
#ifndef POOLVIZ_TESTS_FUZZ_H
#define POOLVIZ_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/tensor.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lower size limits, so that a fuzzer explores instead of allocating
 * gigabytes: at most FUZZ_MAX_ELEMENTS elements, FUZZ_MAX_DIM per axis.
 * Call at the start of every input (a harness may have raised them). */
#define FUZZ_MAX_ELEMENTS ((size_t)1 << 18)
#define FUZZ_MAX_DIM ((size_t)1 << 16)
void fuzz_limits_reset(void);

/* Make a fresh empty folder the working directory, so that the file names a
 * harness may act on (load, save) stay inside it; it is removed at exit. */
void fuzz_enter_scratch_dir(void);

/* A NUL-terminated copy of data (free with free). */
char *fuzz_cstring(const uint8_t *data, size_t size);

/* What the harness is working on, printed with a broken contract. */
extern char fuzz_context[512];

/* Report a broken contract (and fuzz_context) on stderr and abort. */
void fuzz_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

/* An error must have a failure status, a message and properly terminated
 * texts, and must not be out of memory (inputs are small, limits low). */
void fuzz_check_error(const pv_error *err, const char *what);

/* A tensor must have rank 1..4, dims >= 1 within the limits, count = the
 * product of dims, and data. */
void fuzz_check_tensor(const tensor *t, const char *what);

/* Values equal within a relative tolerance (NaN equals NaN, infinities
 * must match exactly). */
bool fuzz_close(double a, double b, double rel);

/* The bytes written to a memory stream: open, write with fn, close. */
typedef struct fuzz_buffer {
    char *data;
    size_t size;
    FILE *stream;
} fuzz_buffer;
FILE *fuzz_buffer_open(fuzz_buffer *b);
void fuzz_buffer_close(fuzz_buffer *b);   /* data/size valid until fuzz_buffer_free */
void fuzz_buffer_free(fuzz_buffer *b);

#endif
