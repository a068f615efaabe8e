/* fuzz-common.c - shared checks of the fuzz harnesses (see fuzz.h). */
#include "fuzz.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch_dir[64];
char fuzz_context[512];

void fuzz_limits_reset(void)
{
    tensor_limits_current.max_elements = FUZZ_MAX_ELEMENTS;
    tensor_limits_current.max_dim = FUZZ_MAX_DIM;
}

static void scratch_remove(void)
{
    if (scratch_dir[0] == '\0')
        return;
    if (chdir(scratch_dir) == 0) {
        DIR *d = opendir(".");
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlink(e->d_name);
        if (d != NULL)
            closedir(d);
    }
    if (chdir("/") == 0)
        rmdir(scratch_dir);
}

void fuzz_enter_scratch_dir(void)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0' || strlen(base) > 40)
        base = "/tmp";
    snprintf(scratch_dir, sizeof scratch_dir, "%s/pvfuzz.XXXXXX", base);
    if (mkdtemp(scratch_dir) == NULL || chdir(scratch_dir) != 0) {
        perror("fuzz: scratch folder");
        exit(99);
    }
    atexit(scratch_remove);
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: contract broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    if (fuzz_context[0] != '\0')
        fprintf(stderr, "fuzz: while checking %s\n", fuzz_context);
    va_end(ap);
    abort();
}

void fuzz_check_error(const pv_error *err, const char *what)
{
    if (memchr(err->subject, '\0', sizeof err->subject) == NULL ||
        memchr(err->message, '\0', sizeof err->message) == NULL)
        fuzz_fail("%s: error text not terminated", what);
    if (err->status == PV_OK || err->status > PV_ERR_INTERRUPTED)
        fuzz_fail("%s: failed with status %d (\"%s: %s\")", what, (int)err->status,
                  err->subject, err->message);
    if (err->message[0] == '\0')
        fuzz_fail("%s: error without a message (subject \"%s\")", what, err->subject);
    /* Within the fuzz limits nothing needs more than a few megabytes; out
     * of memory means a request sized by a forged field, not by the data. */
    if (err->status == PV_ERR_NOMEM)
        fuzz_fail("%s: out of memory on a small input (\"%s: %s\")", what, err->subject,
                  err->message);
}

void fuzz_check_tensor(const tensor *t, const char *what)
{
    if (t->rank < 1 || t->rank > TENSOR_MAX_RANK)
        fuzz_fail("%s: rank %d", what, t->rank);
    if (t->dtype != TENSOR_F32 && t->dtype != TENSOR_F64)
        fuzz_fail("%s: dtype %d", what, (int)t->dtype);
    size_t count = 1;
    for (int i = 0; i < t->rank; i++) {
        /* the first dimension of rank >= 2 may be 0: an empty batch */
        if ((t->dims[i] == 0 && (i > 0 || t->rank < 2)) ||
            t->dims[i] > tensor_limits_current.max_dim)
            fuzz_fail("%s: dimension %d is %zu", what, i, t->dims[i]);
        count *= t->dims[i];
    }
    if (count != t->count || count > tensor_limits_current.max_elements)
        fuzz_fail("%s: count %zu for dims whose product is %zu", what, t->count, count);
    if (t->data == NULL)
        fuzz_fail("%s: no data", what);
}

bool fuzz_close(double a, double b, double rel)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    double scale = fmax(fabs(a), fabs(b));
    return fabs(a - b) <= rel * scale || fabs(a - b) < 1e-300;
}

FILE *fuzz_buffer_open(fuzz_buffer *b)
{
    b->data = NULL;
    b->size = 0;
    b->stream = open_memstream(&b->data, &b->size);
    if (b->stream == NULL)
        abort();
    return b->stream;
}

void fuzz_buffer_close(fuzz_buffer *b)
{
    if (b->stream != NULL && fclose(b->stream) != 0)
        abort();
    b->stream = NULL;
}

void fuzz_buffer_free(fuzz_buffer *b)
{
    fuzz_buffer_close(b);
    free(b->data);
    b->data = NULL;
}
