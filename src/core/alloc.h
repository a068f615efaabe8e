/* alloc.h - the one allocator every poolviz module uses.
 *
 * All heap memory goes through these wrappers so that a fault-injection build
 * (configure --enable-alloc-faults) can make the N-th allocation fail: with
 * POOLVIZ_FAIL_ALLOC=N in the environment, allocation number N (counted from
 * 1) and every later one return NULL.  In a normal build they are plain
 * malloc/calloc/realloc/free.  pv_mul_size and pv_add_size are the checked
 * size arithmetic used before every allocation whose size comes from data.
 */
#ifndef POOLVIZ_CORE_ALLOC_H
#define POOLVIZ_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *pv_malloc(size_t size);
void *pv_calloc(size_t count, size_t size);
void *pv_realloc(void *ptr, size_t size);
void pv_free(void *ptr);
char *pv_strdup(const char *s);

/* 64-byte aligned block for kernels; free with pv_aligned_free. */
void *pv_aligned_alloc(size_t size);
void pv_aligned_free(void *ptr);

/* *out = a * b (a + b); false on overflow (then *out is unspecified). */
static inline bool pv_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool pv_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Number of allocations made so far (fault-injection builds; 0 otherwise). */
unsigned long pv_alloc_count(void);

#endif
