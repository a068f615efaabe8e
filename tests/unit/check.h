/* check.h - the few assertions poolviz's C unit tests need.
 *
 * CHECK(cond) and friends print file:line and the failed expression, count
 * the failure and go on; a test's main() ends with `return check_exit();`,
 * which prints "N passed, M failed" and returns 1 if anything failed.
 */
#ifndef POOLVIZ_TESTS_CHECK_H
#define POOLVIZ_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static unsigned long check_passed, check_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,     \
                    #cond);                                                      \
        }                                                                        \
    } while (0)

#define CHECK_MSG(cond, ...)                                                     \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__,     \
                    #cond);                                                      \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                    \
    do {                                                                         \
        double check_a_ = (a), check_b_ = (b);                                   \
        if (fabs(check_a_ - check_b_) <= (tol) ||                                \
            (isnan(check_a_) && isnan(check_b_)) ||                              \
            (isinf(check_a_) && check_a_ == check_b_)) {                         \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %s = %.17g (tol %g)\n", \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_,              \
                    (double)(tol));                                              \
        }                                                                        \
    } while (0)

#define CHECK_STR(a, b)                                                          \
    do {                                                                         \
        const char *check_a_ = (a), *check_b_ = (b);                             \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {           \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__,   \
                    __LINE__, #a, check_a_ ? check_a_ : "(null)",                \
                    check_b_ ? check_b_ : "(null)");                             \
        }                                                                        \
    } while (0)

static inline int check_exit(void)
{
    printf("%lu passed, %lu failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
