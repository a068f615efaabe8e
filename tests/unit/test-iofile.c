/* test-iofile.c - the file door: format choice, loading, atomic saving. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/tensor.h"
#include "io/iofile.h"

static char temp_dir[256];

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", temp_dir, name);
}

static void write_text(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(99);
    }
}

/* The whole file as a NUL-terminated string (free with free), NULL if absent. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Entries in the temporary folder, "." and ".." not counted. */
static int dir_entries(void)
{
    int n = 0;
    DIR *d = opendir(temp_dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    if (d != NULL)
        closedir(d);
    return n;
}

static tensor *make(tensor_dtype dtype, int rank, const size_t *dims, const double *values)
{
    tensor *t = tensor_new(dtype, rank, dims, NULL);
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, values[i]);
    return t;
}

/* Same shape and values; as_float compares values rounded to float32 (a
 * float32 tensor read back from 8-digit text). */
static bool same_values(const tensor *a, const tensor *b, bool as_float)
{
    if (a == NULL || b == NULL || a->rank != b->rank || a->count != b->count)
        return false;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k])
            return false;
    for (size_t i = 0; i < a->count; i++)
        if (as_float ? (float)tensor_get(a, i) != (float)tensor_get(b, i)
                     : tensor_get(a, i) != tensor_get(b, i))
            return false;
    return true;
}

static bool same_tensor(const tensor *a, const tensor *b)
{
    return same_values(a, b, false);
}

static void test_format_names(void)
{
    io_format fmt;
    CHECK(io_format_from_path("a.npy") == IO_FORMAT_NPY);
    CHECK(io_format_from_path("dir/A.NPY") == IO_FORMAT_NPY);
    CHECK(io_format_from_path("x.csv") == IO_FORMAT_CSV);
    CHECK(io_format_from_path("x.json") == IO_FORMAT_JSON);
    CHECK(io_format_from_path("x.Png") == IO_FORMAT_PNG);
    CHECK(io_format_from_path("x.txt") == IO_FORMAT_TXT);
    CHECK(io_format_from_path("x.dat") == IO_FORMAT_TXT);
    CHECK(io_format_from_path("noext") == IO_FORMAT_TXT);
    CHECK(io_format_from_path(".npy") == IO_FORMAT_TXT);
    CHECK(io_format_from_path("d.npy/file") == IO_FORMAT_TXT);
    CHECK(io_format_from_name("CSV", &fmt) && fmt == IO_FORMAT_CSV);
    CHECK(io_format_from_name("npy", &fmt) && fmt == IO_FORMAT_NPY);
    CHECK(!io_format_from_name("xls", &fmt));
    CHECK_STR(io_format_name(IO_FORMAT_JSON), "json");
    CHECK_STR(io_format_name(IO_FORMAT_AUTO), "auto");
}

static void test_round_trips(void)
{
    const double v[] = { 1, -2.5, 3.25, 1e-3, 123456, 0 };
    const size_t d23[] = { 2, 3 };
    const char *names[] = { "rt.txt", "rt.csv", "rt.json", "rt.npy", "rt.dat" };
    char path[300];
    pv_error err;

    for (int dt = 0; dt < 2; dt++) {
        tensor *t = make(dt ? TENSOR_F32 : TENSOR_F64, 2, d23, v);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            path_in(path, sizeof path, names[i]);
            pv_status st = io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err);
            CHECK_MSG(st == PV_OK, "save %s: %s", names[i], err.message);
            tensor *back = io_load_file(path, NULL, &err);
            CHECK_MSG(back != NULL, "load %s: %s: %s", names[i], err.subject, err.message);
            if (back == NULL)
                continue;
            bool keeps_f32 = strstr(names[i], ".npy") || strstr(names[i], ".json");
            CHECK(back->dtype == (dt && keeps_f32 ? TENSOR_F32 : TENSOR_F64));
            CHECK_MSG(same_values(back, t, dt == 1), "%s %s round trip", names[i], dt ? "f32" : "f64");
            tensor_free(back);
            unlink(path);
        }
        tensor_free(t);
    }

    /* The saved text is the §4 text form. */
    tensor *t = make(TENSOR_F64, 2, (const size_t[]){ 2, 2 }, (const double[]){ 6, 8, 14, 16 });
    path_in(path, sizeof path, "pooled.txt");
    CHECK(io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err) == PV_OK);
    char *text = read_text(path);
    CHECK_STR(text, " 6  8\n14 16\n");
    free(text);
    /* An explicit format beats the extension. */
    CHECK(io_save_file(path, t, IO_FORMAT_JSON, NULL, &err) == PV_OK);
    text = read_text(path);
    CHECK_STR(text, "{\"shape\":[2,2],\"dtype\":\"float64\",\"data\":[[6,8],[14,16]]}\n");
    free(text);
    unlink(path);
    tensor_free(t);

    /* Rank 3 and 4 through text (plane headers) and CSV (planes stacked). */
    double v24[24];
    for (int i = 0; i < 24; i++)
        v24[i] = i - 3.5;
    t = make(TENSOR_F64, 4, (const size_t[]){ 2, 3, 2, 2 }, v24);
    path_in(path, sizeof path, "r4.txt");
    CHECK(io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err) == PV_OK);
    tensor *back = io_load_file(path, NULL, &err);
    CHECK(same_tensor(back, t));
    tensor_free(back);
    unlink(path);
    path_in(path, sizeof path, "r4.csv");
    CHECK(io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err) == PV_OK);
    back = io_load_file(path, NULL, &err);
    CHECK(back != NULL && back->rank == 2 && back->dims[0] == 12 && back->dims[1] == 2 &&
          tensor_get(back, 23) == v24[23]);
    tensor_free(back);
    unlink(path);
    tensor_free(t);

    /* PNG through png_io_save / png_io_load: H×W becomes 1×H×W. */
    const double pix[] = { 0, 64, 128, 255, 1, 200 };
    t = make(TENSOR_F64, 2, d23, pix);
    path_in(path, sizeof path, "pic.png");
    CHECK(io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err) == PV_OK);
    back = io_load_file(path, NULL, &err);
    CHECK_MSG(back != NULL && back->rank == 3 && back->dims[0] == 1 && back->dims[1] == 2 &&
                  back->dims[2] == 3,
              "png: %s", back ? "wrong shape" : err.message);
    for (size_t i = 0; back != NULL && i < 6 && back->count == 6; i++)
        CHECK(tensor_get(back, i) == pix[i]);
    tensor_free(back);
    /* A PNG under another extension is recognised by its signature. */
    char other[300];
    path_in(other, sizeof other, "pic.bin");
    CHECK(rename(path, other) == 0);
    back = io_load_file(other, NULL, &err);
    CHECK(back != NULL && back->count == 6 && tensor_get(back, 5) == 200);
    tensor_free(back);
    unlink(other);
    tensor_free(t);
    CHECK(dir_entries() == 0);
}

static void test_atomic(void)
{
    char path[300];
    pv_error err;
    tensor *t = make(TENSOR_F64, 2, (const size_t[]){ 1, 2 }, (const double[]){ 1, 2 });

    /* Cancelled: the old content stays and no temporary file is left. */
    path_in(path, sizeof path, "keep.txt");
    write_text(path, "old\n", 4);
    const char *exts[] = { "keep.txt", "keep.npy", "keep.json", "keep.csv", "keep.png" };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        path_in(path, sizeof path, exts[i]);
        write_text(path, "old\n", 4);
        pool_cancel_requested = 1;
        pv_status st = io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err);
        pool_cancel_requested = 0;
        CHECK_MSG(st == PV_ERR_INTERRUPTED, "%s: status %d", exts[i], st);
        char *text = read_text(path);
        CHECK_STR(text, "old\n");
        free(text);
        unlink(path);
        CHECK(dir_entries() == 0);
    }

    /* A save that fails half way (a shape PNG cannot hold) leaves nothing. */
    tensor *five = make(TENSOR_F64, 3, (const size_t[]){ 5, 1, 1 },
                        (const double[]){ 1, 2, 3, 4, 5 });
    path_in(path, sizeof path, "five.png");
    CHECK(io_save_file(path, five, IO_FORMAT_AUTO, NULL, &err) == PV_ERR_DATA);
    CHECK_STR(err.subject, path);
    CHECK(access(path, F_OK) != 0);
    CHECK(dir_entries() == 0);
    tensor_free(five);

    /* A folder that does not exist. */
    path_in(path, sizeof path, "no-such-folder/out.txt");
    CHECK(io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err) == PV_ERR_IO);
    CHECK_STR(err.subject, path);
    CHECK_MSG(strstr(err.message, "does not exist") != NULL && strstr(err.message, "no-such-folder"),
              "%s", err.message);
    /* The target is a folder. */
    CHECK(io_save_file(temp_dir, t, IO_FORMAT_TXT, NULL, &err) == PV_ERR_IO);
    CHECK(strstr(err.message, "directory") != NULL);
    path_in(path, sizeof path, "");
    CHECK(io_save_file(path, t, IO_FORMAT_TXT, NULL, &err) == PV_ERR_IO);
    /* A folder that cannot be written (root writes anywhere: not testable). */
    if (geteuid() != 0) {
        char ro[300];
        path_in(ro, sizeof ro, "ro");
        mkdir(ro, 0500);
        path_in(path, sizeof path, "ro/out.npy");
        CHECK(io_save_file(path, t, IO_FORMAT_AUTO, NULL, &err) == PV_ERR_IO);
        CHECK(strstr(err.message, "Permission denied") != NULL);
        rmdir(ro);
    } else {
        fprintf(stderr, "note: running as root; the read-only folder case is not run\n");
    }
    /* A write error on a stream. */
    FILE *full = fopen("/dev/full", "w");
    if (full != NULL) {
        tensor *big = tensor_new(TENSOR_F64, 2, (const size_t[]){ 300, 300 }, NULL);
        CHECK(io_write_stream(full, big, IO_FORMAT_TXT, &err) == PV_ERR_IO);
        CHECK(io_write_stream(full, big, IO_FORMAT_NPY, &err) == PV_ERR_IO);
        fclose(full);
        tensor_free(big);
    }
    CHECK(io_write_stream(stdout, t, IO_FORMAT_PNG, &err) == PV_ERR_USAGE);
    CHECK(dir_entries() == 0);
    tensor_free(t);
}

static void test_indices(void)
{
    char path[300];
    pv_error err;
    const int64_t idx[] = { 0, 3, 12, 15 };
    const size_t dims[] = { 2, 2 };

    path_in(path, sizeof path, "idx.npy");
    CHECK(io_save_indices(path, 2, dims, idx, &err) == PV_OK);
    tensor *t = io_load_file(path, NULL, &err);
    CHECK(t != NULL && t->rank == 2 && tensor_get(t, 2) == 12);
    tensor_free(t);
    char *text = read_text(path);
    CHECK(text != NULL && strstr(text + 10, "'descr': '<i8'") != NULL);
    free(text);
    unlink(path);

    path_in(path, sizeof path, "idx.txt");
    CHECK(io_save_indices(path, 2, dims, idx, &err) == PV_OK);
    text = read_text(path);
    CHECK_STR(text, " 0  3\n12 15\n");
    free(text);
    unlink(path);

    path_in(path, sizeof path, "idx.json");
    CHECK(io_save_indices(path, 2, dims, idx, &err) == PV_OK);
    text = read_text(path);
    CHECK_STR(text, "{\"shape\":[2,2],\"dtype\":\"int64\",\"data\":[[0,3],[12,15]]}\n");
    free(text);
    unlink(path);

    path_in(path, sizeof path, "idx.png");
    CHECK(io_save_indices(path, 2, dims, idx, &err) == PV_ERR_USAGE);
    CHECK(dir_entries() == 0);
}

static void test_loading(void)
{
    char path[300];
    pv_error err;

    path_in(path, sizeof path, "missing.txt");
    tensor *t = io_load_file(path, NULL, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO && strcmp(err.subject, path) == 0 &&
          strstr(err.message, "No such file") != NULL);
    path_in(path, sizeof path, "missing.png");
    t = io_load_file(path, NULL, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO && strcmp(err.subject, path) == 0);
    t = io_load_file(temp_dir, NULL, &err);
    CHECK(t == NULL && err.status == PV_ERR_IO && strstr(err.message, "directory") != NULL);

    /* Text errors name file:line:col. */
    path_in(path, sizeof path, "bad.csv");
    write_text(path, "1,2,3\n4,x,6\n", 12);
    t = io_load_file(path, NULL, &err);
    char want[320];
    snprintf(want, sizeof want, "%s:2:3", path);
    CHECK(t == NULL && err.status == PV_ERR_DATA);
    CHECK_STR(err.subject, want);
    CHECK_STR(err.message, "'x' is not a number");
    unlink(path);

    /* Unknown extension: text; .npy content: by its signature. */
    path_in(path, sizeof path, "m.dat");
    write_text(path, "1 2\n3 4\n", 8);
    t = io_load_file(path, NULL, &err);
    CHECK(t != NULL && t->rank == 2 && t->dims[0] == 2 && tensor_get(t, 3) == 4);
    tensor_free(t);
    unlink(path);

    /* JSON under another name, by its '{'. */
    path_in(path, sizeof path, "m.out");
    write_text(path, " {\"data\": [[1, 2]]}\n", 20);
    t = io_load_file(path, NULL, &err);
    CHECK(t != NULL && t->rank == 2 && t->dims[1] == 2 && tensor_get(t, 1) == 2);
    tensor_free(t);
    unlink(path);

    /* Standard input. */
    path_in(path, sizeof path, "stdin.txt");
    write_text(path, "[[1,2],[3,4]]\n", 14);
    if (freopen(path, "rb", stdin) != NULL) {
        t = io_load_file("-", NULL, &err);
        CHECK(t != NULL && t->count == 4 && tensor_get(t, 1) == 2);
        tensor_free(t);
    }
    write_text(path, "1 2\n3 x\n", 8);
    if (freopen(path, "rb", stdin) != NULL) {
        t = io_load_file("-", NULL, &err);
        CHECK(t == NULL);
        CHECK_STR(err.subject, "<stdin>:2:3");
    }
    unlink(path);
    CHECK(dir_entries() == 0);
}

/* When numpy is at hand, check that it reads what poolviz writes. */
static void test_numpy_reads(void)
{
    const char *pythons[] = { "python3", "/usr/bin/python3" };
    const char *python = NULL;
    char cmd[2048];
    for (size_t i = 0; i < 2 && python == NULL; i++) {
        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null 2>&1", pythons[i]);
        if (system(cmd) == 0)
            python = pythons[i];
    }
    if (python == NULL) {
        fprintf(stderr, "note: numpy is not installed; the numpy cross-check is not run\n");
        return;
    }
    pv_error err;
    char p64[300], p32[300], pidx[300];
    double v[24];
    for (int i = 0; i < 24; i++)
        v[i] = i * 0.5 - 3;
    tensor *t64 = make(TENSOR_F64, 3, (const size_t[]){ 2, 3, 4 }, v);
    tensor *t32 = make(TENSOR_F32, 1, (const size_t[]){ 24 }, v);
    const int64_t idx[] = { 1, -2, 1ll << 40, 7 };
    path_in(p64, sizeof p64, "n64.npy");
    path_in(p32, sizeof p32, "n32.npy");
    path_in(pidx, sizeof pidx, "nidx.npy");
    CHECK(io_save_file(p64, t64, IO_FORMAT_AUTO, NULL, &err) == PV_OK);
    CHECK(io_save_file(p32, t32, IO_FORMAT_AUTO, NULL, &err) == PV_OK);
    CHECK(io_save_indices(pidx, 4, (const size_t[]){ 1, 1, 2, 2 }, idx, &err) == PV_OK);
    snprintf(cmd, sizeof cmd,
             "%s -c 'import numpy as np, sys\n"
             "a = np.load(\"%s\"); b = np.load(\"%s\"); c = np.load(\"%s\")\n"
             "want = np.arange(24) * 0.5 - 3\n"
             "ok = (a.dtype == np.float64 and a.shape == (2, 3, 4) and (a.ravel() == want).all()\n"
             "      and b.dtype == np.float32 and b.shape == (24,) and (b == want).all()\n"
             "      and c.dtype == np.int64 and c.shape == (1, 1, 2, 2)\n"
             "      and c.ravel().tolist() == [1, -2, 1 << 40, 7])\n"
             "sys.exit(0 if ok else 1)'",
             python, p64, p32, pidx);
    CHECK_MSG(system(cmd) == 0, "numpy does not read the files as written");
    unlink(p64);
    unlink(p32);
    unlink(pidx);
    tensor_free(t64);
    tensor_free(t32);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof temp_dir, "%s/test-iofile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(temp_dir) == NULL) {
        fprintf(stderr, "cannot create a temporary folder\n");
        return 99;
    }
    test_format_names();
    test_round_trips();
    test_atomic();
    test_indices();
    test_loading();
    test_numpy_reads();
    CHECK(dir_entries() == 0);
    rmdir(temp_dir);
    return check_exit();
}
