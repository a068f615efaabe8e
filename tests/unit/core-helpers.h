/* core-helpers.h - small builders shared by the core unit tests. */
#ifndef POOLVIZ_TESTS_CORE_HELPERS_H
#define POOLVIZ_TESTS_CORE_HELPERS_H

#include <stdlib.h>

#include "check.h"
#include "core/explain.h"
#include "core/forward.h"
#include "core/plan.h"
#include "core/tensor.h"

/* A rank-2 float64 tensor h x w holding vals (row-major). */
static inline tensor *make_matrix(size_t h, size_t w, const double *vals)
{
    size_t dims[2] = {h, w};
    tensor *t = tensor_new(TENSOR_F64, 2, dims, NULL);
    for (size_t i = 0; i < h * w; i++)
        tensor_set(t, i, vals[i]);
    return t;
}

/* The 4x4 example 1..16. */
static inline tensor *make_example(void)
{
    double v[16];
    for (int i = 0; i < 16; i++)
        v[i] = i + 1;
    return make_matrix(4, 4, v);
}

/* Set params from "key=value key2=value2 flag" (test shorthand). */
static inline void set_params(pool_params *p, const char *spec)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '=');
        pv_error err;
        if (eq)
            *eq = '\0';
        if (pool_params_set(p, tok, eq ? eq + 1 : "", &err) != PV_OK) {
            fprintf(stderr, "bad test spec %s: %s: %s\n", tok, err.subject, err.message);
            exit(99);
        }
    }
}

/* Pool t with spec and return the output (NULL + message on error). */
static inline tensor *pool_with(const tensor *t, const char *spec, pv_error *err)
{
    pool_params p;
    pool_params_init(&p);
    set_params(&p, spec);
    pool_plan *plan = pool_plan_create(&p, t->dtype, t->rank, t->dims, err);
    pool_params_release(&p);
    if (plan == NULL)
        return NULL;
    tensor *out = pool_forward(plan, t, NULL, NULL, err);
    pool_plan_free(plan);
    return out;
}

/* Compare an output to expected values with a tolerance. */
static inline void check_values(const char *what, const tensor *out, size_t count,
                                const double *expect, double tol)
{
    CHECK_MSG(out != NULL, "%s: no output", what);
    if (out == NULL)
        return;
    CHECK_MSG(out->count == count, "%s: %zu outputs, expected %zu", what, out->count, count);
    for (size_t i = 0; i < count && i < out->count; i++) {
        double got = tensor_get(out, i);
        CHECK_MSG(fabs(got - expect[i]) <= tol || (isnan(got) && isnan(expect[i])),
                  "%s: [%zu] = %.17g, expected %.17g", what, i, got, expect[i]);
    }
}

#endif
