/* datadir.c - the data folder of an installed or an uninstalled poolviz
 * (order of the search: datadir.h). */
#include "io/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/poolviz"
#endif
/* The build and source folders at configure time (Makefile.am); empty
 * when built some other way. */
#ifndef POOLVIZ_BUILDDIR
#define POOLVIZ_BUILDDIR ""
#endif
#ifndef POOLVIZ_SRCDIR
#define POOLVIZ_SRCDIR ""
#endif

#define DATADIR_MAX 4096

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A folder with both lessons/ and assets/ in it. */
static bool holds_data(const char *dir)
{
    char path[DATADIR_MAX + 16];
    snprintf(path, sizeof path, "%s/lessons", dir);
    if (!is_directory(path))
        return false;
    snprintf(path, sizeof path, "%s/assets", dir);
    return is_directory(path);
}

/* The same folder, following links (realpath); false when either is missing. */
static bool same_folder(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return a[0] != '\0' && b[0] != '\0' && realpath(a, ra) != NULL &&
           realpath(b, rb) != NULL && strcmp(ra, rb) == 0;
}

/* The data folder of an uninstalled build into dir, or false. */
static bool uninstalled_datadir(char *dir, size_t size)
{
    char exe[DATADIR_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    if (exe[0] == '\0')
        snprintf(exe, sizeof exe, "/");
    if (holds_data(exe)) {
        snprintf(dir, size, "%s", exe);
        return true;
    }
    if (same_folder(exe, POOLVIZ_BUILDDIR) && holds_data(POOLVIZ_SRCDIR)) {
        snprintf(dir, size, "%s", POOLVIZ_SRCDIR);
        return true;
    }
    return false;
}

const char *io_datadir(void)
{
    static char found[DATADIR_MAX];
    static bool searched;
    const char *env = getenv("POOLVIZ_DATADIR");
    if (env != NULL && env[0] != '\0')
        return env;
    if (!searched) {
        searched = true;
        if (!uninstalled_datadir(found, sizeof found))
            snprintf(found, sizeof found, "%s", PKGDATADIR);
    }
    return found;
}

bool io_datadir_find_asset(const char *name, char *buf, size_t size)
{
    if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
        strcmp(name, "-") == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    struct stat st;
    if (stat(name, &st) == 0)
        return false;
    char path[DATADIR_MAX + 256];
    int n = snprintf(path, sizeof path, "%s/assets/%s", io_datadir(), name);
    if (n < 0 || (size_t)n >= sizeof path || (size_t)n >= size || !is_regular_file(path))
        return false;
    memcpy(buf, path, (size_t)n + 1);
    return true;
}
