/* test-reference.c - poolviz against PyTorch's outputs recorded by
 * tests/gen-reference.py in tests/reference/torch.txt (no torch needed here).
 * max/min/fractional/adaptive max: values and indices bit for bit;
 * avg and lp: PyTorch accumulates float32 in float32, poolviz in double, so
 * those agree within a tolerance of the sum's magnitude; lp with
 * --lp-style torch: bit for bit, or within 2 ulps where PyTorch's pow is
 * SLEEF's (see run_case).  The ceil-mode windows longer than the input and
 * the empty batches (N = 0) come from PyTorch too. */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core-helpers.h"
#include "core/alloc.h"

typedef struct ref_case {
    char name[64];
    char params[512];
    tensor_dtype dtype;
    size_t shape[4], oshape[4];
    double *input, *samples, *output;
    long long *indices;
    size_t n_input, n_samples, n_output, n_indices;
} ref_case;

static double *parse_doubles(char *s, size_t *count)
{
    size_t cap = 64, n = 0;
    double *v = malloc(cap * sizeof *v);
    for (char *tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = strtod(tok, NULL); /* C99 strtod reads float.hex() and "nan"/"inf" */
    }
    *count = n;
    return v;
}

static void run_case(ref_case *rc)
{
    pool_params p;
    pool_params_init(&p);
    set_params(&p, rc->params);
    if (rc->samples != NULL) {
        double *copy = pv_malloc(rc->n_samples * sizeof *copy);
        memcpy(copy, rc->samples, rc->n_samples * sizeof *copy);
        pool_params_set_samples(&p, copy, rc->n_samples);
    }
    pv_error err;
    pool_plan *plan = pool_plan_create(&p, rc->dtype, 4, rc->shape, &err);
    CHECK_MSG(plan != NULL, "%s: plan failed: %s: %s", rc->name, plan ? "" : err.subject,
              plan ? "" : err.message);
    if (plan == NULL) {
        pool_params_release(&p);
        return;
    }
    CHECK_MSG(memcmp(plan->out_dims, rc->oshape, sizeof rc->oshape) == 0,
              "%s: output shape %zux%zux%zux%zu, PyTorch %zux%zux%zux%zu", rc->name,
              plan->out_dims[0], plan->out_dims[1], plan->out_dims[2], plan->out_dims[3],
              rc->oshape[0], rc->oshape[1], rc->oshape[2], rc->oshape[3]);
    tensor *in = tensor_new(rc->dtype, 4, rc->shape, &err);
    for (size_t i = 0; i < rc->n_input; i++)
        tensor_set(in, i, rc->input[i]);
    int64_t *idx = NULL;
    tensor *out = pool_forward(plan, in, NULL, rc->indices ? &idx : NULL, &err);
    CHECK_MSG(out != NULL, "%s: forward failed: %s", rc->name, out ? "" : err.message);
    /* values picked from the window match exactly; sums within a tolerance */
    /* lp's torch style follows PyTorch's float operations one by one: bit for
     * bit where its pow is exact (p = 1, 2, 0.5: copies, products, sqrt);
     * for other p PyTorch's vectorized pow (SLEEF, 1 ulp) may round the
     * last bit otherwise than the C library's. */
    const bool lp_torch = p.op == POOL_LP && p.lp_style == LP_STYLE_TORCH;
    const bool exact = p.op == POOL_MAX || p.op == POOL_MIN || p.op == POOL_FRACTIONAL ||
                       p.op == POOL_MEDIAN || (lp_torch && (p.p == 1 || p.p == 2 || p.p == 0.5));
    const double eps = rc->dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON;
    const double ulps = lp_torch ? 2 : 32;
    for (size_t i = 0; out && i < rc->n_output && i < out->count; i++) {
        double got = tensor_get(out, i), want = rc->output[i];
        if (exact || !isfinite(want)) { /* NaN and infinities propagate exactly */
            CHECK_MSG(got == want || (isnan(got) && isnan(want)),
                      "%s: out[%zu] = %.17g, PyTorch %.17g", rc->name, i, got, want);
        } else {
            double tol = ulps * eps * (lp_torch ? fabs(want) : fmax(1.0, fabs(want)));
            CHECK_MSG(fabs(got - want) <= tol || (isnan(got) && isnan(want)), "%s: out[%zu] = %.17g, PyTorch %.17g", rc->name,
                      i, got, want);
        }
        if (idx != NULL && i < rc->n_indices)
            CHECK_MSG(idx[i] == rc->indices[i], "%s: index[%zu] = %lld, PyTorch %lld",
                      rc->name, i, (long long)idx[i], rc->indices[i]);
    }
    tensor_free(out);
    tensor_free(in);
    pv_free(idx);
    pool_plan_free(plan);
    pool_params_release(&p);
}

int main(int argc, char **argv)
{
    const char *srcdir = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/reference/torch.txt",
             argc > 1 ? argv[1] : srcdir ? srcdir : ".");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "test-reference: cannot open %s (set top_srcdir)\n", path);
        return 99;
    }
    char *line = NULL;
    size_t cap = 0;
    ref_case rc;
    memset(&rc, 0, sizeof rc);
    unsigned cases = 0;
    while (getline(&line, &cap, f) > 0) {
        char *rest = strchr(line, ' ');
        if (rest)
            *rest++ = '\0';
        else
            line[strcspn(line, "\n")] = '\0';
        size_t n;
        if (strcmp(line, "case") == 0) {
            snprintf(rc.name, sizeof rc.name, "%.*s", (int)strcspn(rest, "\n"), rest);
        } else if (strcmp(line, "params") == 0) {
            snprintf(rc.params, sizeof rc.params, "%.*s", (int)strcspn(rest, "\n"), rest);
        } else if (strcmp(line, "dtype") == 0) {
            rc.dtype = strncmp(rest, "float32", 7) == 0 ? TENSOR_F32 : TENSOR_F64;
        } else if (strcmp(line, "shape") == 0 || strcmp(line, "oshape") == 0) {
            double *v = parse_doubles(rest, &n);
            size_t *dst = line[0] == 's' ? rc.shape : rc.oshape;
            for (size_t i = 0; i < 4; i++)
                dst[i] = i < n ? (size_t)v[i] : 1;
            free(v);
        } else if (strcmp(line, "input") == 0) {
            rc.input = parse_doubles(rest, &rc.n_input);
        } else if (strcmp(line, "samples") == 0) {
            rc.samples = parse_doubles(rest, &rc.n_samples);
        } else if (strcmp(line, "output") == 0) {
            rc.output = parse_doubles(rest, &rc.n_output);
        } else if (strcmp(line, "indices") == 0) {
            double *v = parse_doubles(rest, &rc.n_indices);
            rc.indices = malloc((rc.n_indices + 1) * sizeof *rc.indices);
            for (size_t i = 0; i < rc.n_indices; i++)
                rc.indices[i] = (long long)v[i];
            free(v);
        } else if (strcmp(line, "end") == 0) {
            run_case(&rc);
            cases++;
            free(rc.input);
            free(rc.samples);
            free(rc.output);
            free(rc.indices);
            memset(&rc, 0, sizeof rc);
        }
    }
    free(line);
    fclose(f);
    printf("%u PyTorch reference cases\n", cases);
    CHECK(cases > 100);
    return check_exit();
}
