/* test-backward.c - the backward pass.
 *
 * 1. PyTorch autograd's dL/dx and max_unpool2d recorded by
 *    tests/gen-reference-backward.py (tests/reference/torch-backward.txt):
 *    the fast pass and the reference pass against them.
 * 2. Finite differences in float64, away from ties, for every operator.
 * 3. The fast kernels against the reference backward on random parameter
 *    sets (max and min bit for bit, avg within rounding).
 * 4. Hand-computed cases: routing, spreading, overlaps, the regions' terms,
 *    the documented choices at undefined points, errors.
 */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core-helpers.h"
#include "core/alloc.h"
#include "core/backward.h"
#include "core/rng.h"

/* ---- helpers -------------------------------------------------------------------- */

static pool_plan *plan_for(const char *spec, const tensor *x, const double *samples,
                           size_t n_samples)
{
    pool_params p;
    pool_params_init(&p);
    set_params(&p, spec);
    if (samples != NULL) {
        double *copy = pv_malloc(n_samples * sizeof *copy);
        memcpy(copy, samples, n_samples * sizeof *copy);
        pool_params_set_samples(&p, copy, n_samples);
    }
    pv_error err;
    pool_plan *plan = pool_plan_create(&p, x->dtype, x->rank, x->dims, &err);
    if (plan == NULL)
        fprintf(stderr, "plan %s: %s: %s\n", spec, err.subject, err.message);
    pool_params_release(&p);
    return plan;
}

/* dx by the fast pass (with the forward's indices when given) or the
 * reference pass. */
static tensor *grad_with(const pool_plan *plan, const tensor *x, const tensor *dy,
                         bool reference, const int64_t *indices)
{
    pv_error err;
    pool_backward_options o = {.threads = 1, .reference = reference, .indices = indices};
    tensor *dx = pool_backward(plan, x, dy, &o, &err);
    if (dx == NULL)
        fprintf(stderr, "backward: %s: %s\n", err.subject, err.message);
    return dx;
}

static tensor *grad_of(const pool_plan *plan, const tensor *x, const tensor *dy, bool reference)
{
    pv_error err;
    pool_backward_options o = {.threads = 1, .reference = reference};
    tensor *dx = pool_backward(plan, x, dy, &o, &err);
    if (dx == NULL)
        fprintf(stderr, "backward: %s: %s\n", err.subject, err.message);
    return dx;
}

static tensor *ones_like_output(const pool_plan *plan)
{
    tensor *dy = tensor_new(TENSOR_F64, plan->out_rank, plan->out_dims, NULL);
    for (size_t i = 0; i < dy->count; i++)
        tensor_set(dy, i, 1);
    return dy;
}

static double *parse_doubles(char *s, size_t *count)
{
    size_t cap = 64, n = 0;
    double *v = malloc(cap * sizeof *v);
    for (char *tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = strtod(tok, NULL);
    }
    *count = n;
    return v;
}

/* ---- 1. PyTorch ------------------------------------------------------------------- */

typedef struct ref_case {
    bool unpool;
    char name[64], params[512];
    tensor_dtype dtype;
    size_t shape[4], oshape[4], osize[2];
    double *input, *samples, *dy, *dx, *values, *output, *indices;
    size_t n_input, n_samples, n_dy, n_dx, n_values, n_output, n_indices;
} ref_case;

static tensor *tensor_from(tensor_dtype dt, const size_t *shape, const double *v, size_t n)
{
    tensor *t = tensor_new(dt, 4, shape, NULL);
    for (size_t i = 0; i < n && i < t->count; i++)
        tensor_set(t, i, v[i]);
    return t;
}

static void run_unpool_case(const ref_case *rc)
{
    tensor *values = tensor_from(rc->dtype, rc->shape, rc->values, rc->n_values);
    long long *idx = malloc((rc->n_indices + 1) * sizeof *idx);
    for (size_t i = 0; i < rc->n_indices; i++)
        idx[i] = (long long)rc->indices[i];
    pv_error err;
    tensor *out = pool_unpool(values, idx, rc->osize[0], rc->osize[1], &err);
    CHECK_MSG(out != NULL, "%s: unpool failed", rc->name);
    for (size_t i = 0; out && i < rc->n_output; i++)
        CHECK_MSG(tensor_get(out, i) == rc->output[i] ||
                      (isnan(tensor_get(out, i)) && isnan(rc->output[i])),
                  "%s: out[%zu] = %.17g, PyTorch %.17g", rc->name, i, tensor_get(out, i),
                  rc->output[i]);
    tensor_free(out);
    free(idx);
    tensor_free(values);
}

static void run_case(const ref_case *rc)
{
    if (rc->unpool) {
        run_unpool_case(rc);
        return;
    }
    tensor *x = tensor_from(rc->dtype, rc->shape, rc->input, rc->n_input);
    pool_plan *plan = plan_for(rc->params, x, rc->samples, rc->n_samples);
    CHECK_MSG(plan != NULL, "%s: no plan", rc->name);
    if (plan == NULL) {
        tensor_free(x);
        return;
    }
    tensor *dy = tensor_from(rc->dtype, rc->oshape, rc->dy, rc->n_dy);
    const bool exact = strstr(rc->params, "op=max") || strstr(rc->params, "op=min") ||
                       strstr(rc->params, "op=fractional");
    const bool lp = strstr(rc->params, "op=lp") != NULL;
    const double eps = rc->dtype == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON;
    for (int reference = 0; reference < 2; reference++) {
        tensor *dx = grad_of(plan, x, dy, reference);
        CHECK_MSG(dx != NULL && dx->count == rc->n_dx, "%s: no dx", rc->name);
        for (size_t i = 0; dx && i < rc->n_dx && i < dx->count; i++) {
            double got = tensor_get(dx, i), want = rc->dx[i];
            double tol = exact ? 0 : (lp ? 256 : 16) * eps * fmax(1.0, fabs(want));
            CHECK_MSG(fabs(got - want) <= tol || (isnan(got) && isnan(want)),
                      "%s (%s): dx[%zu] = %.17g, PyTorch %.17g", rc->name,
                      reference ? "reference" : "fast", i, got, want);
        }
        tensor_free(dx);
    }
    tensor_free(dy);
    pool_plan_free(plan);
    tensor_free(x);
}

static void free_case(ref_case *rc)
{
    free(rc->input);
    free(rc->samples);
    free(rc->dy);
    free(rc->dx);
    free(rc->values);
    free(rc->output);
    free(rc->indices);
    memset(rc, 0, sizeof *rc);
}

static unsigned torch_cases(const char *srcdir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/reference/torch-backward.txt", srcdir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "test-backward: cannot open %s (set top_srcdir)\n", path);
        exit(99);
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
        if (strcmp(line, "case") == 0 || strcmp(line, "unpool") == 0) {
            rc.unpool = line[0] == 'u';
            snprintf(rc.name, sizeof rc.name, "%.*s", (int)strcspn(rest, "\n"), rest);
        } else if (strcmp(line, "params") == 0) {
            snprintf(rc.params, sizeof rc.params, "%.*s", (int)strcspn(rest, "\n"), rest);
        } else if (strcmp(line, "dtype") == 0) {
            rc.dtype = strncmp(rest, "float32", 7) == 0 ? TENSOR_F32 : TENSOR_F64;
        } else if (strcmp(line, "shape") == 0 || strcmp(line, "oshape") == 0 ||
                   strcmp(line, "osize") == 0) {
            double *v = parse_doubles(rest, &n);
            if (strcmp(line, "osize") == 0) {
                rc.osize[0] = (size_t)v[0];
                rc.osize[1] = (size_t)v[1];
            } else {
                size_t *dst = line[0] == 's' ? rc.shape : rc.oshape;
                for (size_t i = 0; i < 4; i++)
                    dst[i] = i < n ? (size_t)v[i] : 1;
            }
            free(v);
        } else if (strcmp(line, "input") == 0) {
            rc.input = parse_doubles(rest, &rc.n_input);
        } else if (strcmp(line, "samples") == 0) {
            rc.samples = parse_doubles(rest, &rc.n_samples);
        } else if (strcmp(line, "dy") == 0) {
            rc.dy = parse_doubles(rest, &rc.n_dy);
        } else if (strcmp(line, "dx") == 0) {
            rc.dx = parse_doubles(rest, &rc.n_dx);
        } else if (strcmp(line, "values") == 0) {
            rc.values = parse_doubles(rest, &rc.n_values);
        } else if (strcmp(line, "output") == 0) {
            rc.output = parse_doubles(rest, &rc.n_output);
        } else if (strcmp(line, "indices") == 0) {
            rc.indices = parse_doubles(rest, &rc.n_indices);
        } else if (strcmp(line, "end") == 0) {
            run_case(&rc);
            cases++;
            free_case(&rc);
        }
    }
    free(line);
    fclose(f);
    return cases;
}

/* ---- 2. finite differences --------------------------------------------------------- */

static double loss(const pool_plan *plan, const tensor *x, const tensor *dy)
{
    pv_error err;
    pool_forward_options o = {.threads = 1, .reference = true};
    tensor *y = pool_forward(plan, x, &o, NULL, &err);
    double l = 0;
    for (size_t i = 0; i < y->count; i++)
        l += tensor_get(y, i) * tensor_get(dy, i);
    tensor_free(y);
    return l;
}

/* Compare the reference dx with central differences of sum(dy * y). */
static void finite_differences(const char *spec, int rank, const size_t *dims, bool nonneg,
                               uint64_t seed)
{
    tensor *x = tensor_new(TENSOR_F64, rank, dims, NULL);
    for (size_t i = 0; i < x->count; i++) {
        double u = rng_uniform(seed, 7, i);
        tensor_set(x, i, nonneg ? 0.2 + 2 * u : 4 * u - 2);
    }
    pool_plan *plan = plan_for(spec, x, NULL, 0);
    CHECK_MSG(plan != NULL, "fd %s: no plan", spec);
    if (plan == NULL) {
        tensor_free(x);
        return;
    }
    tensor *dy = tensor_new(TENSOR_F64, plan->out_rank, plan->out_dims, NULL);
    for (size_t i = 0; i < dy->count; i++)
        tensor_set(dy, i, rng_uniform(seed, 8, i) - 0.3);
    tensor *dx = grad_of(plan, x, dy, true);
    tensor *fast = grad_of(plan, x, dy, false);
    const double h = 1e-6;
    for (size_t i = 0; dx && i < x->count; i++) {
        double v = tensor_get(x, i);
        tensor_set(x, i, v + h);
        double up = loss(plan, x, dy);
        tensor_set(x, i, v - h);
        double down = loss(plan, x, dy);
        tensor_set(x, i, v);
        double fd = (up - down) / (2 * h);
        CHECK_MSG(fabs(tensor_get(dx, i) - fd) <= 1e-5 * fmax(1, fabs(fd)),
                  "fd %s: dx[%zu] = %.12g, finite difference %.12g", spec, i,
                  tensor_get(dx, i), fd);
        CHECK_MSG(fabs(tensor_get(fast, i) - tensor_get(dx, i)) <= 1e-12,
                  "fd %s: fast dx[%zu] = %.17g, reference %.17g", spec, i,
                  tensor_get(fast, i), tensor_get(dx, i));
    }
    tensor_free(fast);
    tensor_free(dx);
    tensor_free(dy);
    pool_plan_free(plan);
    tensor_free(x);
}

static void finite_difference_cases(void)
{
    const size_t plane[2] = {5, 6}, chw[3] = {3, 4, 5}, nchw[4] = {2, 3, 4, 4};
    const char *windowed[] = {
        "op=max k=2", "op=max k=3 s=2 padding=1", "op=min k=2 s=1 dilation=2",
        "op=avg k=3 s=2 padding=1", "op=avg k=2 s=1 ceil-mode count-include-pad=0",
        "op=avg k=3 s=2 divisor=5", "op=sum k=3 s=2", "op=sum k=2 s=1 padding=1",
        "op=l2 k=2 s=1", "op=lp p=3 k=3 s=2 padding=1", "op=lp p=1.5 k=2",
        "op=lp p=inf k=2", "op=power p=2.5 k=3 s=1", "op=power p=1 k=2 divisor=3",
        "op=max global", "op=avg adaptive=3x2", "op=l2 adaptive=2x4", "op=power p=3 global",
        "op=spp levels=1,2,3",
    };
    for (size_t i = 0; i < sizeof windowed / sizeof *windowed; i++) {
        finite_differences(windowed[i], 2, plane, false, i);
        finite_differences(windowed[i], 4, nchw, false, 100 + i);
    }
    /* stochastic eval and lp/power with p < 1 on positive input */
    finite_differences("op=stochastic mode=eval k=2", 2, plane, true, 40);
    finite_differences("op=stochastic mode=eval k=3 s=2 padding=1", 4, nchw, true, 41);
    finite_differences("op=lp p=0.5 k=2", 2, plane, true, 42);
    finite_differences("op=power p=0.7 k=3 s=2", 3, chw, true, 43);
    /* bilinear and its two finishing steps */
    const char *bilinear[] = {"op=bilinear", "op=bilinear signed-sqrt",
                              "op=bilinear l2-normalize", "op=bilinear signed-sqrt l2-normalize"};
    for (size_t i = 0; i < 4; i++) {
        finite_differences(bilinear[i], 3, chw, false, 50 + i);
        finite_differences(bilinear[i], 4, nchw, false, 60 + i);
    }
}

/* ---- 3. fast kernels against the reference ------------------------------------------- */

/* A whole number in [0, bound) from the documented generator. */
static uint64_t below(uint64_t seed, uint64_t stream, unsigned bound)
{
    return (uint64_t)(rng_uniform(seed, 1000 + stream, 0) * bound) % bound;
}

/* max and min: the fast pass finding the winners again, the fast pass
 * from the forward's indices and the reference agree bit for bit, for the
 * dy given and for a dy of arbitrary values, where cells that several
 * windows route to add in float in the order of the outputs (as PyTorch). */
static void extreme_paths_agree(const pool_plan *plan, const tensor *x, const tensor *dy,
                                const char *spec, uint64_t seed)
{
    pv_error err;
    int64_t *idx = NULL;
    tensor *y = pool_forward(plan, x, NULL, &idx, &err);
    CHECK_MSG(y != NULL && idx != NULL, "%s: no forward", spec);
    tensor *odd = tensor_new(dy->dtype, dy->rank, dy->dims, NULL);
    for (size_t i = 0; i < odd->count; i++)
        tensor_set(odd, i, 8 * rng_uniform(seed, 25, i) - 4);
    const tensor *dys[2] = {dy, odd};
    for (int k = 0; k < 2 && idx != NULL; k++) {
        tensor *ref = grad_with(plan, x, dys[k], true, NULL);
        tensor *found = grad_with(plan, x, dys[k], false, NULL);
        tensor *saved = grad_with(plan, x, dys[k], false, idx);
        for (size_t i = 0; ref && found && saved && i < x->count; i++) {
            double r = tensor_get(ref, i), f = tensor_get(found, i), v = tensor_get(saved, i);
            CHECK_MSG((f == r || (isnan(f) && isnan(r))) && (v == r || (isnan(v) && isnan(r))),
                      "%s on %zu cells %s, dy %s: dx[%zu] reference %.17g, fast %.17g, from "
                      "the saved indices %.17g",
                      spec, x->count, tensor_dtype_name(x->dtype), k ? "arbitrary" : "given", i,
                      r, f, v);
        }
        tensor_free(ref);
        tensor_free(found);
        tensor_free(saved);
    }
    tensor_free(odd);
    tensor_free(y);
    pv_free(idx);
}

static void fast_against_reference(void)
{
    unsigned cases = 0;
    for (uint64_t s = 0; s < 500; s++) {
        const tensor_dtype dt = s % 2 ? TENSOR_F64 : TENSOR_F32;
        size_t dims[4] = {1 + below(s, 1, 2), 1 + below(s, 2, 3),
                          1 + below(s, 3, 12), 1 + below(s, 4, 40)};
        const char *ops[] = {"max", "min", "avg"};
        const char *op = ops[s % 3];
        char spec[256];
        int kh = 1 + (int)below(s, 5, 4), kw = 1 + (int)below(s, 6, 4);
        int form = (int)below(s, 7, 8);
        if (form >= 6) { /* the fused 3x3/2 windows, wide enough for the vector path */
            dims[2] = 3 + below(s, 20, 20);
            dims[3] = 3 + below(s, 21, 70);
            snprintf(spec, sizeof spec, "op=%s k=3 s=2 padding=%d ceil-mode=%d",
                     strcmp(op, "avg") ? op : "max", (int)below(s, 22, 2), (int)below(s, 23, 2));
        } else if (form == 0)
            snprintf(spec, sizeof spec, "op=%s k=2 s=2", op); /* the fused tiles */
        else if (form == 1)
            snprintf(spec, sizeof spec, "op=%s global", op);
        else if (form == 2)
            snprintf(spec, sizeof spec, "op=%s adaptive=%dx%d", op, kh, kw);
        else
            snprintf(spec, sizeof spec,
                     "op=%s k=%dx%d s=%dx%d padding=%dx%d dilation=%dx%d ceil-mode=%d "
                     "count-include-pad=%d%s",
                     op, kh, kw, 1 + (int)below(s, 8, 3), 1 + (int)below(s, 9, 3),
                     (int)below(s, 10, (unsigned)(kh / 2 + 1)),
                     (int)below(s, 11, (unsigned)(kw / 2 + 1)),
                     strcmp(op, "avg") ? 1 + (int)below(s, 12, 2) : 1,
                     strcmp(op, "avg") ? 1 + (int)below(s, 13, 2) : 1,
                     (int)below(s, 14, 2), (int)below(s, 15, 2),
                     below(s, 16, 4) == 0 ? " divisor=3" : "");
        tensor *x = tensor_new(dt, 4, dims, NULL);
        for (size_t i = 0; i < x->count; i++) {
            double v = floor(8 * rng_uniform(s, 17, i)); /* ties */
            if (below(s ^ i, 18, 50) == 0)
                v = NAN;
            tensor_set(x, i, v);
        }
        pv_error err;
        pool_params p;
        pool_params_init(&p);
        set_params(&p, spec);
        pool_plan *plan = pool_plan_create(&p, dt, 4, dims, &err);
        pool_params_release(&p);
        if (plan == NULL) { /* the window does not fit this input */
            tensor_free(x);
            continue;
        }
        tensor *dy = tensor_new(dt, plan->out_rank, plan->out_dims, NULL);
        for (size_t i = 0; i < dy->count; i++)
            tensor_set(dy, i, (double)below(s, 19, 13) / 2 - 3 + (double)(i % 5));
        tensor *fast = grad_of(plan, x, dy, false), *ref = grad_of(plan, x, dy, true);
        const double eps = dt == TENSOR_F32 ? FLT_EPSILON : DBL_EPSILON;
        for (size_t i = 0; fast && ref && i < x->count; i++) {
            double a = tensor_get(fast, i), b = tensor_get(ref, i);
            double tol = strstr(spec, "avg") == NULL ? 0 : 64 * eps * fmax(1, fabs(b));
            CHECK_MSG(fabs(a - b) <= tol || (isnan(a) && isnan(b)),
                      "%s on %zux%zux%zux%zu %s: fast dx[%zu] = %.17g, reference %.17g", spec,
                      dims[0], dims[1], dims[2], dims[3], tensor_dtype_name(dt), i, a, b);
        }
        if (strstr(spec, "avg") == NULL)
            extreme_paths_agree(plan, x, dy, spec, s);
        cases++;
        tensor_free(fast);
        tensor_free(ref);
        tensor_free(dy);
        pool_plan_free(plan);
        tensor_free(x);
    }
    /* fractional (graham's and PyTorch's intervals) from its saved indices */
    const char *fractional[] = {"op=fractional ratio=1.5", "op=fractional ratio=1.7 overlapping",
                                "op=fractional fractional-style=torch kernel=2x2 output-size=4x5",
                                "op=fractional fractional-style=torch kernel=3x2 output-size=3x3"};
    for (unsigned f = 0; f < 4; f++) {
        const size_t dims[4] = {2, 3, 9, 11};
        tensor *x = tensor_new(f % 2 ? TENSOR_F64 : TENSOR_F32, 4, dims, NULL);
        for (size_t i = 0; i < x->count; i++)
            tensor_set(x, i, floor(8 * rng_uniform(700 + f, 17, i)));
        pool_plan *plan = plan_for(fractional[f], x, NULL, 0);
        CHECK_MSG(plan != NULL, "%s: no plan", fractional[f]);
        if (plan != NULL) {
            tensor *dy = tensor_new(x->dtype, plan->out_rank, plan->out_dims, NULL);
            for (size_t i = 0; i < dy->count; i++)
                tensor_set(dy, i, (double)(i % 7) - 3);
            extreme_paths_agree(plan, x, dy, fractional[f], 700 + f);
            tensor_free(dy);
            pool_plan_free(plan);
            cases++;
        }
        tensor_free(x);
    }
    printf("%u random parameter sets: fast backward = reference backward\n", cases);
    CHECK(cases > 300);
}

/* ---- 4. by hand ------------------------------------------------------------------------ */

static void check_grad(const char *spec, const tensor *x, const double *expect)
{
    pool_plan *plan = plan_for(spec, x, NULL, 0);
    tensor *dy = ones_like_output(plan);
    for (int reference = 0; reference < 2; reference++) {
        tensor *dx = grad_of(plan, x, dy, reference);
        check_values(spec, dx, x->count, expect, 1e-12);
        tensor_free(dx);
    }
    tensor_free(dy);
    pool_plan_free(plan);
}

static void hand_cases(void)
{
    tensor *ex = make_example();
    /* max 2x2/2 routes each dy to the window's largest cell */
    const double max22[16] = {0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1};
    check_grad("op=max k=2", ex, max22);
    const double avg22[16] = {.25, .25, .25, .25, .25, .25, .25, .25,
                              .25, .25, .25, .25, .25, .25, .25, .25};
    check_grad("op=avg k=2", ex, avg22);
    /* k=3, s=1 on 4x4: the max of both windows of a row lands on row 2 / 3 */
    const double max31[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1};
    check_grad("op=max k=3 s=1", ex, max31);
    /* avg k=3 s=1: the middle cells are in all four windows */
    const double avg31[16] = {1. / 9, 2. / 9, 2. / 9, 1. / 9, 2. / 9, 4. / 9, 4. / 9, 2. / 9,
                              2. / 9, 4. / 9, 4. / 9, 2. / 9, 1. / 9, 2. / 9, 2. / 9, 1. / 9};
    check_grad("op=avg k=3 s=1", ex, avg31);
    /* ties: the first maximum in row-major order wins */
    const double tie[4] = {7, 7, 7, 7};
    tensor *t = make_matrix(2, 2, tie);
    const double first[4] = {1, 0, 0, 0};
    check_grad("op=max k=2", t, first);
    /* NaN: the last NaN wins */
    const double nan_in[4] = {NAN, 1, NAN, 2};
    tensor *tn = make_matrix(2, 2, nan_in);
    const double last_nan[4] = {0, 0, 1, 0};
    check_grad("op=max k=2", tn, last_nan);
    check_grad("op=min k=2", tn, last_nan);
    /* an all-zero window: l2 and lp pass nothing on (documented) */
    const double zero[4] = {0, 0, 0, 0};
    tensor *tz = make_matrix(2, 2, zero);
    check_grad("op=l2 k=2", tz, zero);
    check_grad("op=lp p=3 k=2", tz, zero);
    check_grad("op=stochastic mode=eval k=2", tz, zero);
    check_grad("op=stochastic k=2", tz, zero);
    /* stochastic eval: dy/da = (2a - y) / sum a, which depends on the ratios of
     * the values only; near 1e308 sum a overflows and an unscaled division
     * gave 0 to every cell */
    {
        const double small[4] = {1, 1.5, 0.5, 1}, huge[4] = {1e308, 1.5e308, 0.5e308, 1e308};
        const double want[4] = {0.21875, 0.46875, -0.03125, 0.21875};
        tensor *ts = make_matrix(2, 2, small), *th = make_matrix(2, 2, huge);
        check_grad("op=stochastic mode=eval k=2", ts, want);
        check_grad("op=stochastic mode=eval k=2", th, want);
        tensor_free(ts);
        tensor_free(th);
    }
    /* max 3x3/2 padding 1: cell (1,1) wins all four windows around it; dy
     * 1, 2^-24, 2^-24, 2^-24 added in float32 one after another, as PyTorch
     * 1.13 adds them, stay 1 (in double and rounded once: 1 + 2^-22) */
    {
        double cells[25] = {0};
        cells[6] = 9;
        tensor *x = tensor_new(TENSOR_F32, 2, (size_t[]){5, 5}, NULL);
        for (size_t i = 0; i < 25; i++)
            tensor_set(x, i, cells[i]);
        pool_plan *plan = plan_for("op=max k=3 s=2 padding=1", x, NULL, 0);
        tensor *dy = tensor_new(TENSOR_F32, plan->out_rank, plan->out_dims, NULL);
        const double e = ldexp(1, -24);
        const double dys[9] = {1, e, 0, e, e, 0, 0, 0, 0};
        for (size_t i = 0; i < 9; i++)
            tensor_set(dy, i, dys[i]);
        pv_error err;
        int64_t *idx = NULL;
        tensor *y = pool_forward(plan, x, NULL, &idx, &err);
        for (int path = 0; path < 3; path++) {
            tensor *dx = grad_with(plan, x, dy, path == 0, path == 2 ? idx : NULL);
            CHECK_MSG(dx != NULL && tensor_get(dx, 6) == 1,
                      "max 3x3/2 p1 shared winner (%s): dx[1,1] = %.17g, PyTorch 1",
                      path == 0 ? "reference" : path == 1 ? "fast" : "saved indices",
                      dx ? tensor_get(dx, 6) : -1);
            tensor_free(dx);
        }
        tensor_free(y);
        pv_free(idx);
        tensor_free(dy);
        pool_plan_free(plan);
        tensor_free(x);
    }
    /* indices handed to the backward: each in the plane gets its dy, added in
     * output order, wherever it lies (here a winner in the last row for the
     * first window, before its rows are reached); those outside the plane
     * are skipped, never written */
    {
        tensor *x = tensor_new(TENSOR_F32, 3, (size_t[]){2, 4, 5}, NULL);
        for (size_t i = 0; i < x->count; i++)
            tensor_set(x, i, (double)(i % 7));
        pool_plan *plan = plan_for("op=max k=3 s=1", x, NULL, 0);
        const size_t hw = 20, per_plane = plan->out_count / 2;
        int64_t idx[12];
        tensor *dy = tensor_new(TENSOR_F32, plan->out_rank, plan->out_dims, NULL);
        const int64_t picks[6] = {19, 3, -1, 3, (int64_t)1 << 40, 20};
        double want[40] = {0};
        for (size_t o = 0; o < plan->out_count; o++) {
            idx[o] = picks[o % 6] ^ (int64_t)(o / 6); /* 19, 3, ... then 18, 2, ... */
            tensor_set(dy, o, 0.1 * (double)(o + 1));
            if (idx[o] >= 0 && (uint64_t)idx[o] < hw) {
                const size_t at = o / per_plane * hw + (size_t)idx[o];
                want[at] = (float)((float)want[at] + (float)tensor_get(dy, o));
            }
        }
        pool_backward_options o = {.threads = 1, .indices = idx};
        pv_error err;
        tensor *dx = pool_backward(plan, x, dy, &o, &err);
        check_values("max k=3 s=1 from handed indices", dx, 40, want, 0);
        tensor_free(dx);
        tensor_free(dy);
        pool_plan_free(plan);
        tensor_free(x);
    }
    /* |x| at 0: slope 0, the other cells as usual */
    const double with_zero[4] = {0, 3, 0, 4};
    tensor *tw = make_matrix(2, 2, with_zero);
    const double l2_grad[4] = {0, 0.6, 0, 0.8};
    check_grad("op=l2 k=2", tw, l2_grad);
    /* stochastic train: all of dy to the drawn cell, which --indices names */
    {
        pool_plan *plan = plan_for("op=stochastic k=2 seed=3", ex, NULL, 0);
        pv_error err;
        int64_t *idx = NULL;
        tensor *y = pool_forward(plan, ex, NULL, &idx, &err);
        tensor *dy = ones_like_output(plan);
        tensor *dx = grad_of(plan, ex, dy, true);
        double total = 0;
        for (size_t i = 0; i < 16; i++)
            total += tensor_get(dx, i);
        CHECK_NEAR(total, 4, 0);
        for (size_t o = 0; o < 4; o++) {
            size_t plane_index = (size_t)idx[o];
            CHECK(tensor_get(dx, plane_index) == 1);
            CHECK(tensor_get(ex, plane_index) == tensor_get(y, o));
        }
        tensor_free(dx);
        tensor_free(dy);
        tensor_free(y);
        pv_free(idx);
        pool_plan_free(plan);
    }
    /* the region's terms: max routes to one cell, avg to all four */
    {
        pool_plan *plan = plan_for("op=max k=3 s=2 padding=1", ex, NULL, 0);
        pool_grad_region g;
        pv_error err;
        CHECK(pool_backward_region(plan, ex, 3, &g, &err) == PV_OK);
        CHECK(g.receiving == 1);
        CHECK(g.count == 9); /* rows 1..3 x cols 1..3 */
        for (size_t t2 = 0; t2 < g.count; t2++)
            if (g.terms[t2].weight != 0)
                CHECK(g.terms[t2].row == 3 && g.terms[t2].col == 3);
        pool_grad_region_release(&g);
        pool_plan_free(plan);
        plan = plan_for("op=avg k=2", ex, NULL, 0);
        CHECK(pool_backward_region(plan, ex, 0, &g, &err) == PV_OK);
        CHECK(g.receiving == 4 && g.count == 4);
        CHECK(g.terms[3].row == 1 && g.terms[3].col == 1 && g.terms[3].weight == 0.25);
        pool_grad_region_release(&g);
        pool_plan_free(plan);
    }
    /* dy of the wrong shape is a data error naming dy */
    {
        pool_plan *plan = plan_for("op=max k=2", ex, NULL, 0);
        tensor *bad = make_matrix(3, 1, tie);
        pv_error err;
        CHECK(pool_backward(plan, ex, bad, NULL, &err) == NULL);
        CHECK(err.status == PV_ERR_DATA);
        CHECK_STR(err.subject, "dy");
        tensor_free(bad);
        pool_plan_free(plan);
    }
    /* unpool: back in place; out-of-range indices fail as in PyTorch */
    {
        const double v[2] = {5, 6};
        tensor *vals = make_matrix(1, 2, v);
        long long ok[2] = {3, 0}, bad[2] = {3, 9}, neg[2] = {-1, 0};
        pv_error err;
        tensor *u = pool_unpool(vals, ok, 3, 3, &err);
        const double want[9] = {6, 0, 0, 5, 0, 0, 0, 0, 0};
        check_values("unpool", u, 9, want, 0);
        tensor_free(u);
        CHECK(pool_unpool(vals, bad, 3, 3, &err) == NULL && err.status == PV_ERR_DATA);
        CHECK(pool_unpool(vals, neg, 3, 3, &err) == NULL && err.status == PV_ERR_DATA);
        tensor_free(vals);
    }
    tensor_free(tw);
    tensor_free(tz);
    tensor_free(tn);
    tensor_free(t);
    tensor_free(ex);
}

int main(int argc, char **argv)
{
    const char *srcdir = argc > 1 ? argv[1] : getenv("top_srcdir");
    unsigned cases = torch_cases(srcdir ? srcdir : ".");
    printf("%u PyTorch autograd cases\n", cases);
    CHECK(cases > 250);
    finite_difference_cases();
    fast_against_reference();
    hand_cases();
    return check_exit();
}
