/* bench_cmd.c - `poolviz bench`: time the kernel core on random data.
 *
 * One plan, one random input (uniform in [0.01, 1.01), like the PyTorch
 * peer script), one output buffer reused by every run.  A few warm-up
 * runs, then timed runs until about a second has passed (or --repeat N),
 * and the median.  GB/s counts the input and output bytes once per run;
 * memcpy GB/s copies a buffer four times the last-level cache in the same
 * process with the same threads, counting its source and destination
 * bytes the same way, so the two are comparable.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "core/alloc.h"
#include "core/backward.h"
#include "core/forward.h"
#include "core/kernels.h"
#include "core/kernels-backward.h"
#include "core/numfmt.h"
#include "core/plan.h"
#include "core/rng.h"

enum {
    OPT_SHAPE = CLI_OPT_EXTRA,
    OPT_JSON,
    OPT_REPEAT,
    OPT_WARMUP,
    OPT_REFERENCE,
    OPT_DTYPE,
    OPT_ALLOCATE,
    OPT_NO_MEMCPY,
    OPT_BACKWARD,
    OPT_RECOMPUTE
};

static const struct option bench_options[] = {
    {"shape", required_argument, NULL, OPT_SHAPE},
    {"json", no_argument, NULL, OPT_JSON},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"reference", no_argument, NULL, OPT_REFERENCE},
    {"dtype", required_argument, NULL, OPT_DTYPE},
    {"allocate", no_argument, NULL, OPT_ALLOCATE},
    {"no-memcpy", no_argument, NULL, OPT_NO_MEMCPY},
    {"backward", no_argument, NULL, OPT_BACKWARD},
    {"recompute", no_argument, NULL, OPT_RECOMPUTE},
    {NULL, 0, NULL, 0},
};

typedef struct bench_args {
    int rank;
    size_t dims[TENSOR_MAX_RANK];
    bool json, reference, allocate, memcpy_too;
    bool backward;      /* time pool_backward (dx for a random dy) */
    bool recompute;     /* backward of max/min without the forward's indices */
    long repeat;        /* 0 = until about a second has passed */
    long warmup;
    tensor_dtype dtype;
} bench_args;

static pv_status parse_count(const char *option, const char *arg, long min, long *out,
                             pv_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < min || v > 1000000)
        return pv_error_set(err, PV_ERR_USAGE, option, "'%s' is not a count from %ld to 1000000",
                            arg, min);
    *out = v;
    return PV_OK;
}

/* "NxCxHxW", "CxHxW" or "HxW". */
static pv_status parse_shape(const char *arg, bench_args *b, pv_error *err)
{
    const char *p = arg;
    int rank = 0;
    while (*p != '\0') {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno != 0 || v == 0 || rank == TENSOR_MAX_RANK || *p == '-')
            return pv_error_set(err, PV_ERR_USAGE, "--shape",
                                "'%s' is not a shape like 16x64x224x224 (2 to 4 sizes >= 1)",
                                arg);
        b->dims[rank++] = (size_t)v;
        p = end;
        if (*p == 'x' || *p == 'X')
            p++;
        else if (*p != '\0')
            return pv_error_set(err, PV_ERR_USAGE, "--shape",
                                "'%s' is not a shape like 16x64x224x224", arg);
    }
    if (rank < 2)
        return pv_error_set(err, PV_ERR_USAGE, "--shape",
                            "'%s' has %d size%s; give HxW, CxHxW or NxCxHxW", arg, rank,
                            rank == 1 ? "" : "s");
    b->rank = rank;
    return PV_OK;
}

static pv_status bench_option(void *ctx, int code, const char *arg, pv_error *err)
{
    bench_args *b = ctx;
    switch (code) {
    case OPT_SHAPE:
        return parse_shape(arg, b, err);
    case OPT_JSON:
        b->json = true;
        return PV_OK;
    case OPT_REPEAT:
        return parse_count("--repeat", arg, 1, &b->repeat, err);
    case OPT_WARMUP:
        return parse_count("--warmup", arg, 0, &b->warmup, err);
    case OPT_REFERENCE:
        b->reference = true;
        return PV_OK;
    case OPT_ALLOCATE:
        b->allocate = true;
        return PV_OK;
    case OPT_NO_MEMCPY:
        b->memcpy_too = false;
        return PV_OK;
    case OPT_BACKWARD:
        b->backward = true;
        return PV_OK;
    case OPT_RECOMPUTE:
        b->recompute = true;
        return PV_OK;
    case OPT_DTYPE:
        if (strcmp(arg, "float32") == 0 || strcmp(arg, "f32") == 0)
            b->dtype = TENSOR_F32;
        else if (strcmp(arg, "float64") == 0 || strcmp(arg, "f64") == 0)
            b->dtype = TENSOR_F64;
        else
            return pv_error_set(err, PV_ERR_USAGE, "--dtype",
                                "'%s' is not float32 or float64", arg);
        return PV_OK;
    default:
        return pv_error_set(err, PV_ERR_USAGE, "option", "not handled");
    }
}

static pv_status bench_positional(void *ctx, const char *arg, pv_error *err)
{
    (void)ctx;
    return pv_error_set(err, PV_ERR_USAGE, arg,
                        "bench makes its own random input; give its size with --shape");
}

static void bench_help(FILE *out)
{
    fputs("Usage: poolviz bench [OPTIONS] --shape NxCxHxW [--threads T] [--json]\n"
          "\n"
          "Time the pooling kernels on random data (uniform in [0.01, 1.01)): warm-up\n"
          "runs, then timed runs, and the median.  GB/s counts input + output bytes;\n"
          "memcpy GB/s is measured in the same run on a buffer larger than the last-level\n"
          "cache, with the same threads.\n"
          "\n"
          "Benchmark options:\n"
          "      --shape NxCxHxW       the input's size (also CxHxW or HxW); required\n"
          "      --dtype float32|float64   the element type (default float32)\n"
          "      --json                one JSON object: median_ms, gbps, memcpy_gbps, ...\n"
          "      --repeat N            timed runs (default: as many as fit in about 1 s,\n"
          "                            from 5 to 1000)\n"
          "      --warmup N            untimed runs first (default 2)\n"
          "      --reference           time the naive reference loops instead\n"
          "      --allocate            allocate the output in every run, as 'pool' does\n"
          "      --no-memcpy           skip the memcpy measurement\n"
          "      --backward            time the backward pass (dx for a random dy, as\n"
          "                            `grad`); GB/s counts the bytes it reads and writes.\n"
          "                            max, min and fractional take the indices of one\n"
          "                            forward run before the timing, as PyTorch's\n"
          "                            autograd keeps them\n"
          "      --recompute           with --backward: find the winners again from the\n"
          "                            input in every run instead, as `grad` does\n"
          "\n",
          out);
    cli_pool_options_help(out, CLI_HELP_POOL | CLI_HELP_RUN);
    fputs("\n"
          "Examples:\n"
          "  poolviz bench --shape 1x64x224x224 -k 2 -s 2\n"
          "  poolviz bench --shape 1x16x256x256 --op avg -k 15 -s 1 --padding 7 --threads 2\n"
          "  poolviz bench --shape 16x64x224x224 --json\n",
          out);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The last-level cache in bytes, or 32 MiB when the system does not say. */
static size_t last_level_cache(void)
{
    long size = -1;
#ifdef _SC_LEVEL3_CACHE_SIZE
    size = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (size <= 0)
        size = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    return size > 0 ? (size_t)size : (size_t)32 << 20;
}

/* memcpy bandwidth (source + destination bytes per second) on buffers of
 * four times the last-level cache, split over `threads`; the median of
 * seven copies.  0 if the buffers cannot be allocated. */
static double memcpy_gbps(int threads)
{
    size_t size = 4 * last_level_cache();
    if (size < ((size_t)64 << 20))
        size = (size_t)64 << 20;
#ifndef _OPENMP
    (void)threads;
#endif
    char *src = pv_aligned_alloc(size), *dst = pv_aligned_alloc(size);
    if (src == NULL || dst == NULL) {
        pv_aligned_free(src);
        pv_aligned_free(dst);
        return 0;
    }
    memset(src, 1, size);
    memset(dst, 2, size);
    double times[7];
    for (int rep = 0; rep < 8; rep++) {
        double t0 = now_seconds();
#ifdef _OPENMP
        if (threads > 1) {
#pragma omp parallel for num_threads(threads) schedule(static)
            for (int part = 0; part < threads; part++) {
                size_t lo = size / (size_t)threads * (size_t)part;
                size_t hi = part == threads - 1 ? size : lo + size / (size_t)threads;
                memcpy(dst + lo, src + lo, hi - lo);
            }
        } else
#endif
        {
            memcpy(dst, src, size);
        }
        double t = now_seconds() - t0;
        if (rep > 0) /* the first copy warms up */
            times[rep - 1] = t;
    }
    pv_aligned_free(src);
    pv_aligned_free(dst);
    return 2.0 * (double)size / median(times, 7) / 1e9;
}

/* Uniform in [0.01, 1.01) from the documented generator, stream BENCH. */
static void fill_random(tensor *t, uint64_t seed)
{
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, 0.01 + rng_uniform(seed, RNG_STREAM_BENCH, i));
}

/* What one timed run does: the forward pass, or the backward pass into a
 * reused dx. */
typedef struct bench_job {
    const pool_plan *plan;
    const tensor *input;
    tensor *output;             /* forward: reused output, or NULL (--allocate) */
    pool_forward_options fopts;
    const tensor *dy;           /* backward */
    pool_backward_options bopts;
    bool backward;
} bench_job;

static bool run_once(const bench_job *job, pv_error *err)
{
    if (job->backward) {
        tensor *dx = pool_backward(job->plan, job->input, job->dy, &job->bopts, err);
        if (dx != NULL && dx != job->bopts.into)
            tensor_free(dx);
        return dx != NULL;
    }
    tensor *out = pool_forward(job->plan, job->input, &job->fopts, NULL, err);
    if (out != NULL && out != job->output)
        tensor_free(out);
    return out != NULL;
}

static void put_json_number(FILE *out, const char *key, double v, bool comma)
{
    char num[40];
    pool_format_number(v, num, sizeof num);
    fprintf(out, "\"%s\": %s%s", key, num, comma ? ", " : "");
}

static void put_json_string(FILE *out, const char *key, const char *v, bool comma)
{
    fprintf(out, "\"%s\": \"", key);
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        fputc(*p, out);
    }
    fprintf(out, "\"%s", comma ? ", " : "");
}

int cli_bench_main(int argc, char **argv)
{
    cli_signals_install();
    cli_pool_args a;
    cli_pool_args_init(&a);
    bench_args b = {.warmup = 2, .dtype = TENSOR_F32, .memcpy_too = true};
    cli_extra_options extra = {bench_options, NULL, bench_option, bench_positional, &b};
    pv_error err;
    pv_error_clear(&err);
    pool_plan *plan = NULL;
    tensor *input = NULL, *output = NULL, *dy = NULL, *dx = NULL;
    int64_t *saved = NULL; /* the forward's indices for the backward */
    double *times = NULL;
    int code = CLI_EXIT_OK;

    if (cli_pool_args_parse(&a, argc, argv, &extra, &err) != PV_OK)
        goto fail;
    if (a.help) {
        bench_help(stdout);
        goto done;
    }
    if (b.recompute && !b.backward) {
        pv_error_set(&err, PV_ERR_USAGE, "--recompute", "only with --backward");
        goto fail;
    }
    if (b.rank == 0) {
        pv_error_set(&err, PV_ERR_USAGE, "--shape",
                     "bench needs the input's size, e.g. --shape 1x64x224x224");
        goto fail;
    }
    size_t count;
    if (tensor_check_dims(b.rank, b.dims, &count, "--shape", &err) != PV_OK)
        goto fail;
    plan = pool_plan_create(&a.params, b.dtype, b.rank, b.dims, &err);
    if (plan == NULL)
        goto fail;
    input = tensor_new(b.dtype, b.rank, b.dims, &err);
    if (input == NULL)
        goto fail;
    fill_random(input, a.params.seed);
    if (!b.allocate && (output = tensor_new(b.dtype, plan->out_rank, plan->out_dims, &err)) == NULL)
        goto fail;

#ifdef _OPENMP
    int threads = a.threads > 0 ? a.threads : omp_get_max_threads();
#else
    int threads = 1;
#endif
    bench_job job = {.plan = plan, .input = input, .output = output, .backward = b.backward};
    job.fopts = (pool_forward_options){.threads = threads, .reference = b.reference, .into = output};
    if (b.backward) {
        if ((dy = tensor_new(b.dtype, plan->out_rank, plan->out_dims, &err)) == NULL)
            goto fail;
        fill_random(dy, a.params.seed + 1);
        if (!b.allocate && (dx = tensor_new(b.dtype, b.rank, b.dims, &err)) == NULL)
            goto fail;
        job.dy = dy;
        job.bopts = (pool_backward_options){.threads = threads, .reference = b.reference,
                                            .into = dx};
        /* PyTorch's backward reads the indices its forward saved: so does
         * this one, unless told to find the winners again */
        const pool_op op = a.params.op;
        if (!b.reference && !b.recompute && plan->has_indices &&
            (op == POOL_MAX || op == POOL_MIN || op == POOL_FRACTIONAL)) {
            pool_forward_options once = {.threads = threads, .into = output};
            tensor *y = pool_forward(plan, input, &once, &saved, &err);
            if (y == NULL)
                goto fail;
            if (y != output)
                tensor_free(y);
            job.bopts.indices = saved;
        }
    }

    /* warm-up; the first one also says how long a run takes */
    double first = 0;
    for (long i = 0; i < (b.warmup > 0 ? b.warmup : 1); i++) {
        double t0 = now_seconds();
        if (!run_once(&job, &err))
            goto fail;
        if (i == 0)
            first = now_seconds() - t0;
    }
    long runs = b.repeat;
    if (runs == 0) {
        runs = first > 0 ? (long)(1.0 / first) : 1000;
        runs = runs < 5 ? 5 : runs > 1000 ? 1000 : runs;
    }
    times = pv_malloc((size_t)runs * sizeof *times);
    if (times == NULL) {
        pv_error_set(&err, PV_ERR_NOMEM, "memory", "cannot allocate the timings");
        goto fail;
    }
    for (long i = 0; i < runs; i++) {
        double t0 = now_seconds();
        bool ok = run_once(&job, &err);
        double t = now_seconds() - t0;
        if (!ok)
            goto fail;
        times[i] = t;
    }
    double fastest = times[0];
    for (long i = 1; i < runs; i++)
        fastest = times[i] < fastest ? times[i] : fastest;
    const double med = median(times, (size_t)runs);
    const size_t es = tensor_dtype_size(b.dtype);
    /* forward: input + output; backward: dy + dx, and the input where the
     * derivative reads it (all but avg) */
    double bytes = (double)(input->count + plan->out_count) * (double)es;
    if (b.backward)
        bytes = (double)((a.params.op == POOL_AVG ? 0 : input->count) + plan->out_count +
                         input->count) * (double)es;
    const double gbps = bytes / med / 1e9;
    const double copy = b.memcpy_too ? memcpy_gbps(threads) : 0;

    char shape[64], params[256], how[96];
    tensor_format_shape(b.rank, b.dims, shape, sizeof shape);
    pool_params_describe(&a.params, params, sizeof params);
    if (b.reference)
        snprintf(how, sizeof how, b.backward ? "reference backward" : "reference");
    else if (b.backward)
        kernels_backward_describe(plan, saved != NULL, how, sizeof how);
    else
        kernels_describe(plan, how, sizeof how);
    if (b.json) {
        fputc('{', stdout);
        put_json_string(stdout, "op", pool_op_name(a.params.op), true);
        put_json_string(stdout, "pass", b.backward ? "backward" : "forward", true);
        put_json_string(stdout, "params", params, true);
        put_json_string(stdout, "shape", shape, true);
        put_json_string(stdout, "dtype", tensor_dtype_name(b.dtype), true);
        put_json_number(stdout, "threads", threads, true);
        put_json_string(stdout, "kernels", how, true);
        put_json_number(stdout, "runs", (double)runs, true);
        put_json_number(stdout, "median_ms", med * 1e3, true);
        put_json_number(stdout, "min_ms", fastest * 1e3, true);
        put_json_number(stdout, "bytes", bytes, true);
        put_json_number(stdout, "gbps", gbps, true);
        put_json_number(stdout, "memcpy_gbps", copy, true);
        put_json_number(stdout, "memcpy_fraction", copy > 0 ? gbps / copy : 0, false);
        fputs("}\n", stdout);
    } else {
        printf("%s%s on %s %s, %d thread%s (%s)\n", b.backward ? "backward of " : "", params, shape, tensor_dtype_name(b.dtype),
               threads, threads == 1 ? "" : "s", how);
        printf("  median %.3f ms (fastest %.3f ms, %ld runs)   %.2f GB/s", med * 1e3,
               fastest * 1e3, runs, gbps);
        if (copy > 0)
            printf("   memcpy %.2f GB/s (%.0f%%)", copy, 100 * gbps / copy);
        putchar('\n');
    }
    code = cli_stdout_check();
    goto done;

fail:
    code = cli_report(&err);
done:
    pv_free(times);
    pv_free(saved);
    tensor_free(output);
    tensor_free(dx);
    tensor_free(dy);
    tensor_free(input);
    pool_plan_free(plan);
    cli_pool_args_release(&a);
    return code;
}
