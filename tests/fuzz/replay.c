/* replay.c - run a fuzz harness over files, without libFuzzer.
 *
 *   replay-WHAT [FILE|DIR]...
 *
 * With no arguments it replays the committed corpus,
 * $top_srcdir/tests/fuzz/corpus/WHAT/ (FUZZ_CORPUS_DIR/WHAT when top_srcdir
 * is not set), which is how `make check` runs it in every build.  Each file
 * is one input, fed to LLVMFuzzerTestOneInput in name order, with memory
 * requests over 1 GB failing (see REPLAY_MEMORY_LIMIT).  A broken
 * contract aborts (the test fails with the signal); an empty or missing
 * corpus is an error, so the test cannot pass without running anything.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "fuzz.h"

/* No input of the corpus may need a gigabyte: with the fuzz limits the
 * largest tensor is a few megabytes.  A bigger request fails (returns
 * NULL), and the harness reports the out-of-memory error it leads to, as
 * libFuzzer's -malloc_limit_mb would. */
#define REPLAY_MEMORY_LIMIT ((size_t)1 << 30)
#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif
#ifdef REPLAY_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "max_allocation_size_mb=1024:allocator_may_return_null=1";
}
#endif

static void limit_memory(void)
{
#ifndef REPLAY_ASAN
    struct rlimit rl = { REPLAY_MEMORY_LIMIT, REPLAY_MEMORY_LIMIT };
    if (setrlimit(RLIMIT_DATA, &rl) != 0)
        perror("replay: setrlimit");
#endif
}

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the harness (the Makefile defines it)"
#endif

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        return -1;
    }
    /* An exact-size copy, so that ASan sees any read past the input. */
    unsigned char *exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays a file or every regular file of a folder; returns the number of
 * inputs run, or -1 on an error. */
static int replay_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return replay_file(path);

    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            if (bigger == NULL)
                abort();
            names = bigger;
        }
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        names[count] = malloc(n);
        if (names[count] == NULL)
            abort();
        snprintf(names[count], n, "%s/%s", path, e->d_name);
        count++;
    }
    closedir(d);
    if (count > 0)
        qsort(names, count, sizeof *names, name_order);
    int run = 0;
    for (size_t i = 0; i < count; i++) {
        if (run >= 0 && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
            int r = replay_file(names[i]);
            run = r < 0 ? -1 : run + r;
        }
        free(names[i]);
    }
    free(names);
    return run;
}

int main(int argc, char **argv)
{
    /* Resolve the paths first: a harness may change the working folder. */
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    int path_count = 0;
    if (paths == NULL)
        return 99;
    for (int i = 1; i < argc; i++) {
        paths[path_count] = realpath(argv[i], NULL);
        if (paths[path_count] == NULL) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 99;
        }
        path_count++;
    }
    if (path_count == 0) {
        const char *top = getenv("top_srcdir");
        char dir[4096];
        if (top != NULL && top[0] != '\0')
            snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top, FUZZ_TARGET);
        else
            snprintf(dir, sizeof dir, "%s/%s", FUZZ_CORPUS_DIR, FUZZ_TARGET);
        paths[path_count] = realpath(dir, NULL);
        if (paths[path_count] == NULL) {
            fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
            return 99;
        }
        path_count++;
    }

    limit_memory();
    LLVMFuzzerInitialize(&argc, &argv);
    int total = 0;
    for (int i = 0; i < path_count; i++) {
        int r = replay_path(paths[i]);
        free(paths[i]);
        if (r < 0)
            return 99;
        total += r;
    }
    free(paths);
    if (total == 0) {
        fprintf(stderr, "replay-%s: no inputs to replay\n", FUZZ_TARGET);
        return 99;
    }
    printf("replay-%s: %d inputs, no contract broken\n", FUZZ_TARGET, total);
    return 0;
}
