/* writer.c - staged outputs committed together (contract in writer.h). */
#include "io/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/forward.h"

typedef enum output_kind {
    OUTPUT_STAGED,      /* a regular file, through a temporary file renamed at commit */
    OUTPUT_DEVICE,      /* a device, FIFO or socket, written in place */
    OUTPUT_STDOUT       /* standard output, never reopened */
} output_kind;

struct io_output {
    io_writer *owner;
    output_kind kind;
    char *path;             /* as given: the subject of errors */
    char *target;           /* the file written or renamed over (links resolved) */
    char *temp;             /* OUTPUT_STAGED: the temporary file */
    int fd;                 /* OUTPUT_STAGED: the temporary file until it becomes stream */
    FILE *stream;
    bool buffered;          /* OUTPUT_DEVICE: stream is an anonymous file copied at commit */
    bool finished;
    int write_errno;        /* first error seen by io_output_write_callback (-1: unknown) */
    /* What "the same file" means: an existing regular file's device and
     * inode, or a new file's resolved folder and name. */
    bool has_id;
    dev_t dev;
    ino_t ino;
    char *new_key;
    io_output *next;
};

struct io_writer {
    io_output *first, *last;
    bool committed;
};

io_writer *io_writer_new(pv_error *err)
{
    io_writer *w = pv_calloc(1, sizeof *w);
    if (w == NULL)
        pv_error_set(err, PV_ERR_NOMEM, "output", "out of memory");
    return w;
}

const char *io_output_path(const io_output *o)
{
    return o->path;
}

bool io_output_in_place(const io_output *o)
{
    return o->kind != OUTPUT_STAGED;
}

bool io_output_is_terminal(const io_output *o)
{
    if (o->kind == OUTPUT_STDOUT)
        return isatty(STDOUT_FILENO) != 0;
    if (o->kind != OUTPUT_DEVICE)
        return false;
    /* Only a character device can be a terminal; opening a FIFO to ask
     * would end its reader's input before the real write. */
    struct stat sb;
    if (stat(o->target, &sb) != 0 || !S_ISCHR(sb.st_mode))
        return false;
    int fd = open(o->target, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool tty = isatty(fd) != 0;
    close(fd);
    return tty;
}

const char *io_output_subject(const io_output *o)
{
    return strcmp(o->path, "-") == 0 ? "<stdout>" : o->path;
}

/* A new string "<folder of path>" ("." when path has no slash). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return pv_strdup(".");
    if (slash == path)
        return pv_strdup("/");
    size_t n = (size_t)(slash - path);
    char *dir = pv_malloc(n + 1);
    if (dir != NULL) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "DIR/NAME" in a new string. */
static char *join_path(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name), size;
    if (!pv_add_size(a, b, &size) || !pv_add_size(size, 2, &size))
        return NULL;
    char *s = pv_malloc(size);
    if (s != NULL)
        snprintf(s, size, "%s%s%s", dir, a > 0 && dir[a - 1] == '/' ? "" : "/", name);
    return s;
}

static pv_status out_of_memory(const char *subject, pv_error *err)
{
    return pv_error_set(err, PV_ERR_NOMEM, subject, "out of memory");
}

/* The key of a file that does not exist yet: its folder resolved, then its
 * name; checks that the folder exists. */
static pv_status new_file_key(io_output *o, pv_error *err)
{
    const char *base = base_of(o->target);
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: it is a directory");
    char *dir = folder_of(o->target);
    if (dir == NULL)
        return out_of_memory(o->path, err);
    char *real = realpath(dir, NULL);
    if (real == NULL) {
        int saved = errno;
        pv_status st;
        if (saved == ENOENT || saved == ENOTDIR)
            st = pv_error_set(err, PV_ERR_IO, o->path,
                              "cannot write: the folder '%s' does not exist", dir);
        else
            st = pv_error_set(err, PV_ERR_IO, o->path, "cannot write in the folder '%s': %s",
                              dir, strerror(saved));
        pv_free(dir);
        return st;
    }
    pv_free(dir);
    o->new_key = join_path(real, base);
    free(real);
    return o->new_key != NULL ? PV_OK : out_of_memory(o->path, err);
}

/* Create the temporary file beside o->target; existing (when not NULL) is
 * the target's stat, whose mode (and owner, as root) the file takes. */
static pv_status stage(io_output *o, const struct stat *existing, pv_error *err)
{
    char *dir = folder_of(o->target);
    const char *base = base_of(o->target);
    size_t size = strlen(o->target) + 16;
    o->temp = pv_malloc(size);
    if (dir == NULL || o->temp == NULL) {
        pv_free(dir);
        return out_of_memory(o->path, err);
    }
    snprintf(o->temp, size, "%.*s.%s.XXXXXX", (int)(base - o->target), o->target, base);
    o->fd = mkstemp(o->temp);
    if (o->fd < 0) {
        int saved = errno;
        pv_status st = pv_error_set(err, PV_ERR_IO, o->path,
                                    "cannot write in the folder '%s': %s", dir,
                                    strerror(saved));
        pv_free(dir);
        pv_free(o->temp);
        o->temp = NULL;
        return st;
    }
    pv_free(dir);
    mode_t mode;
    if (existing != NULL) {
        /* Owner first: fchown may clear set-id bits that fchmod restores. */
        if (geteuid() == 0 && fchown(o->fd, existing->st_uid, existing->st_gid) != 0) {
            /* keep the new owner: the content still goes where asked */
        }
        mode = existing->st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(o->fd, mode) != 0) {
        int saved = errno;
        return pv_error_set(err, PV_ERR_IO, o->path, "cannot set the file's mode: %s",
                            strerror(saved));
    }
    return PV_OK;
}

/* Is st the file standard output is? */
static bool is_stdout_file(const struct stat *st)
{
    struct stat out;
    return fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st->st_dev &&
           out.st_ino == st->st_ino;
}

/* o->target is a link to nothing: replace it by the path the chain of
 * links ends at (relative links resolved from their own folder). */
static pv_status follow_dangling(io_output *o, pv_error *err)
{
    struct stat st;
    for (int hops = 0; hops < 40; hops++) {
        if (lstat(o->target, &st) != 0 || !S_ISLNK(st.st_mode))
            return PV_OK;
        char value[PATH_MAX];
        ssize_t n = readlink(o->target, value, sizeof value - 1);
        if (n < 0)
            return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(errno));
        value[n] = '\0';
        char *next;
        if (value[0] == '/' || strchr(o->target, '/') == NULL) {
            next = pv_strdup(value);
        } else {
            char *dir = folder_of(o->target);
            next = dir != NULL ? join_path(dir, value) : NULL;
            pv_free(dir);
        }
        if (next == NULL)
            return out_of_memory(o->path, err);
        pv_free(o->target);
        o->target = next;
    }
    return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(ELOOP));
}

/* Decide what o->path is and prepare it (see writer.h). */
static pv_status classify(io_output *o, pv_error *err)
{
    struct stat st;
    if (strcmp(o->path, "-") == 0) {
        o->kind = OUTPUT_STDOUT;
        if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
            o->has_id = true;
            o->dev = st.st_dev;
            o->ino = st.st_ino;
        }
        return PV_OK;
    }
    o->target = pv_strdup(o->path);
    if (o->target == NULL)
        return out_of_memory(o->path, err);
    if (lstat(o->path, &st) != 0) {
        if (errno == ENOENT) {
            o->kind = OUTPUT_STAGED;
            pv_status status = new_file_key(o, err);
            return status == PV_OK ? stage(o, NULL, err) : status;
        }
        return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(errno));
    }
    bool link = S_ISLNK(st.st_mode);
    if (link && stat(o->path, &st) != 0) {
        if (errno != ENOENT)
            return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(errno));
        /* A dangling link: create the file it names, as a shell's > does. */
        pv_status status = follow_dangling(o, err);
        if (status == PV_OK)
            status = new_file_key(o, err);
        return status == PV_OK ? stage(o, NULL, err) : status;
    }
    if (S_ISDIR(st.st_mode))
        return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: it is a directory");
    if ((link || !S_ISREG(st.st_mode)) && is_stdout_file(&st)) {
        o->kind = OUTPUT_STDOUT;
        o->has_id = S_ISREG(st.st_mode);
        o->dev = st.st_dev;
        o->ino = st.st_ino;
        return PV_OK;
    }
    if (access(o->path, W_OK) != 0)
        return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(errno));
    if (!S_ISREG(st.st_mode)) {
        o->kind = OUTPUT_DEVICE;
        return PV_OK;
    }
    o->kind = OUTPUT_STAGED;
    o->has_id = true;
    o->dev = st.st_dev;
    o->ino = st.st_ino;
    if (link) {
        char *real = realpath(o->path, NULL);
        if (real == NULL)
            return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(errno));
        pv_free(o->target);
        o->target = pv_strdup(real);
        free(real);
        if (o->target == NULL)
            return out_of_memory(o->path, err);
    }
    return stage(o, &st, err);
}

static bool same_file(const io_output *a, const io_output *b)
{
    if (a->has_id && b->has_id)
        return a->dev == b->dev && a->ino == b->ino;
    return a->new_key != NULL && b->new_key != NULL && strcmp(a->new_key, b->new_key) == 0;
}

static void output_release(io_output *o, bool committed)
{
    if (o->stream != NULL && o->stream != stdout)
        fclose(o->stream);
    if (o->fd >= 0)
        close(o->fd);
    if (o->temp != NULL && !committed)
        unlink(o->temp);
    pv_free(o->temp);
    pv_free(o->target);
    pv_free(o->new_key);
    pv_free(o->path);
    pv_free(o);
}

io_output *io_writer_add(io_writer *w, const char *path, pv_error *err)
{
    io_output *o = pv_calloc(1, sizeof *o);
    if (o == NULL || (o->path = pv_strdup(path)) == NULL) {
        pv_free(o);
        out_of_memory(path, err);
        return NULL;
    }
    o->owner = w;
    o->fd = -1;
    if (classify(o, err) != PV_OK) {
        output_release(o, false);
        return NULL;
    }
    for (io_output *p = w->first; p != NULL; p = p->next)
        if (same_file(p, o)) {
            pv_error_set(err, PV_ERR_USAGE, io_output_subject(o),
                         "is the same file as '%s', another output of this command; "
                         "give another name", io_output_subject(p));
            output_release(o, false);
            return NULL;
        }
    if (w->last != NULL)
        w->last->next = o;
    else
        w->first = o;
    w->last = o;
    return o;
}

/* True while some regular output of o's set is not yet finished. */
static bool staged_pending(const io_output *o)
{
    for (const io_output *p = o->owner->first; p != NULL; p = p->next)
        if (p != o && p->kind == OUTPUT_STAGED && !p->finished)
            return true;
    return false;
}

FILE *io_output_stream(io_output *o, pv_error *err)
{
    if (o->stream != NULL)
        return o->stream;
    if (o->finished) {
        pv_error_set(err, PV_ERR_IO, io_output_subject(o), "written to after it was finished");
        return NULL;
    }
    switch (o->kind) {
    case OUTPUT_STDOUT:
        o->stream = stdout;
        break;
    case OUTPUT_STAGED:
        o->stream = fdopen(o->fd, "wb");
        if (o->stream != NULL)
            o->fd = -1;
        break;
    case OUTPUT_DEVICE:
        o->buffered = staged_pending(o);
        o->stream = o->buffered ? tmpfile() : fopen(o->target, "wb");
        break;
    }
    if (o->stream == NULL)
        pv_error_set(err, PV_ERR_IO, io_output_subject(o), "cannot write: %s", strerror(errno));
    return o->stream;
}

pv_status io_output_write(io_output *o, const void *data, size_t size, pv_error *err)
{
    FILE *f = io_output_stream(o, err);
    if (f == NULL)
        return PV_ERR_IO;
    if (size > 0 && fwrite(data, 1, size, f) != size)
        return pv_error_set(err, PV_ERR_IO, io_output_subject(o), "cannot write: %s",
                            strerror(errno));
    return PV_OK;
}

bool io_output_write_callback(void *closure, const unsigned char *data, unsigned int length)
{
    io_output *o = closure;
    if (o->write_errno != 0)
        return false;
    FILE *f = io_output_stream(o, NULL);
    if (f == NULL || (length > 0 && fwrite(data, 1, length, f) != length)) {
        o->write_errno = errno != 0 ? errno : -1;
        return false;
    }
    return true;
}

/* fclose or fflush failed (or a callback did): the reason in words. */
static pv_status write_failed(const io_output *o, int code, pv_error *err)
{
    return pv_error_set(err, PV_ERR_IO, io_output_subject(o), "cannot write: %s",
                        code > 0 ? strerror(code) : "write error");
}

pv_status io_output_finish(io_output *o, pv_error *err)
{
    if (o->finished)
        return PV_OK;
    o->finished = true;
    int code = o->write_errno;
    if (o->stream == NULL) {
        if (o->kind == OUTPUT_STAGED && o->fd >= 0 && close(o->fd) != 0 && code == 0)
            code = errno;
        o->fd = -1;
        return code != 0 ? write_failed(o, code, err) : PV_OK;
    }
    errno = 0;
    if (o->stream == stdout) {
        if ((fflush(stdout) != 0 || ferror(stdout)) && code == 0)
            code = errno != 0 ? errno : -1;
    } else if (o->buffered) {
        if (fflush(o->stream) != 0 && code == 0)
            code = errno != 0 ? errno : -1;
    } else {
        bool bad = ferror(o->stream) != 0;
        if ((fclose(o->stream) != 0 || bad) && code == 0)
            code = errno != 0 ? errno : -1;
        o->stream = NULL;
    }
    return code != 0 ? write_failed(o, code, err) : PV_OK;
}

/* Copy a buffered in-place output to its device. */
static pv_status copy_to_device(io_output *o, pv_error *err)
{
    FILE *out = fopen(o->target, "wb");
    if (out == NULL)
        return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s", strerror(errno));
    char buf[65536];
    size_t got;
    rewind(o->stream);
    int code = 0;
    while ((got = fread(buf, 1, sizeof buf, o->stream)) > 0)
        if (fwrite(buf, 1, got, out) != got) {
            code = errno != 0 ? errno : -1;
            break;
        }
    if (code == 0 && ferror(o->stream))
        code = errno != 0 ? errno : -1;
    errno = 0;
    if (fclose(out) != 0 && code == 0)
        code = errno != 0 ? errno : -1;
    return code != 0 ? write_failed(o, code, err) : PV_OK;
}

pv_status io_writer_commit(io_writer *w, pv_error *err)
{
    for (io_output *o = w->first; o != NULL; o = o->next) {
        pv_status status = io_output_finish(o, err);
        if (status != PV_OK)
            return status;
    }
    if (pool_cancel_requested && w->first != NULL)
        return pv_error_set(err, PV_ERR_INTERRUPTED, io_output_subject(w->first),
                            "interrupted: nothing was written");
    for (io_output *o = w->first; o != NULL; o = o->next)
        if (o->buffered && copy_to_device(o, err) != PV_OK)
            return PV_ERR_IO;
    for (io_output *o = w->first; o != NULL; o = o->next)
        if (o->kind == OUTPUT_STAGED) {
            if (rename(o->temp, o->target) != 0)
                return pv_error_set(err, PV_ERR_IO, o->path, "cannot write: %s",
                                    strerror(errno));
            pv_free(o->temp);
            o->temp = NULL;
        }
    w->committed = true;
    return PV_OK;
}

void io_writer_free(io_writer *w)
{
    if (w == NULL)
        return;
    io_output *o = w->first;
    while (o != NULL) {
        io_output *next = o->next;
        output_release(o, w->committed);
        o = next;
    }
    pv_free(w);
}

pv_status io_write_single(const char *path, io_write_fn write, const void *ctx, pv_error *err)
{
    if (pool_cancel_requested)
        return pv_error_set(err, PV_ERR_INTERRUPTED, path, "interrupted: nothing was written");
    io_writer *w = io_writer_new(err);
    if (w == NULL)
        return PV_ERR_NOMEM;
    io_output *o = io_writer_add(w, path, err);
    pv_status status = o == NULL ? (err != NULL ? err->status : PV_ERR_IO) : write(o, ctx, err);
    if (status == PV_OK)
        status = io_writer_commit(w, err);
    io_writer_free(w);
    return status;
}

typedef struct bytes {
    const void *data;
    size_t size;
} bytes;

static pv_status write_bytes(io_output *o, const void *ctx, pv_error *err)
{
    const bytes *b = ctx;
    return io_output_write(o, b->data, b->size, err);
}

pv_status io_write_file(const char *path, const void *data, size_t size, pv_error *err)
{
    const bytes b = {data, size};
    return io_write_single(path, write_bytes, &b, err);
}
