#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#ifdef POOLVIZ_ALLOC_FAULTS
static unsigned long alloc_calls;
static unsigned long alloc_fail_at;
static int alloc_fail_read;

static bool alloc_should_fail(void)
{
    if (!alloc_fail_read) {
        const char *env = getenv("POOLVIZ_FAIL_ALLOC");
        alloc_fail_at = env ? strtoul(env, NULL, 10) : 0;
        alloc_fail_read = 1;
    }
    alloc_calls++;
    return alloc_fail_at != 0 && alloc_calls >= alloc_fail_at;
}

unsigned long pv_alloc_count(void)
{
    return alloc_calls;
}
#else
static inline bool alloc_should_fail(void)
{
    return false;
}

unsigned long pv_alloc_count(void)
{
    return 0;
}
#endif

void *pv_malloc(size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *pv_calloc(size_t count, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    if (count == 0 || size == 0)
        count = size = 1;
    return calloc(count, size);
}

void *pv_realloc(void *ptr, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void pv_free(void *ptr)
{
    free(ptr);
}

char *pv_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = pv_malloc(len);
    if (copy != NULL)
        memcpy(copy, s, len);
    return copy;
}

void *pv_aligned_alloc(size_t size)
{
    if (alloc_should_fail())
        return NULL;
    void *ptr = NULL;
    if (posix_memalign(&ptr, 64, size ? size : 1) != 0)
        return NULL;
    return ptr;
}

void pv_aligned_free(void *ptr)
{
    free(ptr);
}
