/* grad_cmd.c - `poolviz grad` (dL/dx for a given dL/dy) and `poolviz unpool`
 * (PyTorch's max_unpool2d).
 *
 * Both follow pool's order of work: every option first (usage errors before
 * any file is read), then the inputs, the computation, and only then the
 * output, written atomically, so an error leaves no file behind.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "core/alloc.h"
#include "core/backward.h"
#include "core/forward.h"
#include "core/plan.h"
#include "io/iofile.h"
#include "io/writer.h"

/* The one output of a run, declared (and checked) before any work through
 * the writer (src/io/writer.h): -o FILE, or stdout. */
typedef struct grad_output {
    io_writer *writer;
    io_output *result;
    io_format format;
} grad_output;

static pv_status open_output(const char *path, io_format to, grad_output *out, pv_error *err)
{
    if ((out->writer = io_writer_new(err)) == NULL)
        return err->status;
    if ((out->result = io_writer_add(out->writer, path != NULL ? path : "-", err)) == NULL)
        return err->status;
    return cli_result_format(out->result, path, to, &out->format, err);
}

/* Write t (a PNG is scaled to 0..255: a gradient has signed values) and
 * commit. */
static pv_status write_output(grad_output *out, const tensor *t, pv_error *err)
{
    io_save_options opts = {.normalize = out->format == IO_FORMAT_PNG};
    if (io_output_write_tensor(out->result, t, out->format, &opts, err) != PV_OK)
        return err->status;
    return io_writer_commit(out->writer, err);
}

/* ---- grad --------------------------------------------------------------------- */

enum { OPT_DY = CLI_OPT_EXTRA, OPT_REFERENCE };

static const struct option grad_options[] = {
    {"dy", required_argument, NULL, OPT_DY},
    {"reference", no_argument, NULL, OPT_REFERENCE},
    {NULL, 0, NULL, 0},
};

typedef struct grad_args {
    const char *dy;
    bool reference;
} grad_args;

static pv_status grad_option(void *ctx, int code, const char *arg, pv_error *err)
{
    grad_args *g = ctx;
    if (code == OPT_DY) {
        g->dy = arg;
        return PV_OK;
    }
    if (code == OPT_REFERENCE) {
        g->reference = true;
        return PV_OK;
    }
    return pv_error_set(err, PV_ERR_USAGE, "option", "not handled");
}

static void grad_help(FILE *out)
{
    fputs("Usage: poolviz grad [OPTIONS] [FILE|-] [--dy DY.npy] [-o DX]\n"
          "\n"
          "The backward pass: dL/dx of the pooling that `poolviz pool` computes with the\n"
          "same options, for a given dL/dy (default: all ones).  The result has the\n"
          "input's shape.  PyTorch autograd's rules where PyTorch has the operator: max\n"
          "and min send dy to the winning cell (the first maximum, or the last NaN), avg\n"
          "spreads dy / divisor over the window, overlapping windows add up.  The other\n"
          "operators use the derivative of their definition; where it is undefined,\n"
          "|x| at 0 counts as slope 0 and a window whose value is 0 passes nothing on.\n"
          "\n"
          "Gradient options:\n"
          "      --dy FILE             dL/dy, the output's shape (.npy .csv .txt .json);\n"
          "                            default all ones\n"
          "      --reference           compute region by region (the test oracle)\n"
          "\n",
          out);
    cli_pool_options_help(out, CLI_HELP_ALL);
    fputs("\n"
          "Examples:\n"
          "  poolviz grad -m '1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16'\n"
          "  poolviz grad --op avg -k 3 -s 2 --padding 1 x.npy --dy dy.npy -o dx.npy\n"
          "  poolviz grad --op max -k 8 cat.png -o learns.png\n",
          out);
}

int cli_grad_main(int argc, char **argv)
{
    cli_signals_install();
    cli_pool_args a;
    cli_pool_args_init(&a);
    grad_args g = {NULL, false};
    cli_extra_options extra = {grad_options, NULL, grad_option, NULL, &g};
    pv_error err;
    pv_error_clear(&err);
    tensor *input = NULL, *dy = NULL, *dx = NULL;
    pool_plan *plan = NULL;
    int code = CLI_EXIT_OK;
    grad_output out = {NULL, NULL, IO_FORMAT_AUTO};

    if (cli_pool_args_parse(&a, argc, argv, &extra, &err) != PV_OK)
        goto fail;
    if (a.help) {
        grad_help(stdout);
        goto done;
    }
    if (a.indices != NULL) {
        pv_error_set(&err, PV_ERR_USAGE, "--indices",
                     "grad writes no indices; use `poolviz pool --indices FILE`");
        goto fail;
    }
    if (open_output(a.output, a.to, &out, &err) != PV_OK)
        goto fail;
    if ((input = cli_load_input(&a, &err)) == NULL)
        goto fail;
    plan = pool_plan_create(&a.params, input->dtype, input->rank, input->dims, &err);
    if (plan == NULL)
        goto fail;
    if (g.dy != NULL) {
        if ((dy = io_load_file(g.dy, NULL, &err)) == NULL)
            goto fail;
        /* a 1-D dy for a 1-D-looking output, e.g. spp of a plane */
    } else {
        if ((dy = tensor_new(TENSOR_F64, plan->out_rank, plan->out_dims, &err)) == NULL)
            goto fail;
        for (size_t i = 0; i < dy->count; i++)
            tensor_set(dy, i, 1);
    }
    pool_backward_options bopts = {.threads = a.threads, .reference = g.reference};
    dx = pool_backward(plan, input, dy, &bopts, &err);
    if (dx == NULL) {
        if (strcmp(err.subject, "dy") == 0)
            snprintf(err.subject, sizeof err.subject, "%s", g.dy ? g.dy : "--dy");
        else if (strcmp(err.subject, "input") == 0)
            snprintf(err.subject, sizeof err.subject, "%s",
                     a.matrix ? "--matrix" : strcmp(a.input, "-") == 0 ? "<stdin>" : a.input);
        goto fail;
    }
    if (pool_cancel_requested) {
        pv_error_set(&err, PV_ERR_INTERRUPTED, "", "interrupted");
        goto fail;
    }
    if (write_output(&out, dx, &err) != PV_OK)
        goto fail;
    goto done;

fail:
    code = cli_report(&err);
done:
    io_writer_free(out.writer);
    tensor_free(dx);
    tensor_free(dy);
    pool_plan_free(plan);
    tensor_free(input);
    cli_pool_args_release(&a);
    return code;
}

/* ---- unpool ------------------------------------------------------------------- */

static void unpool_help(FILE *out)
{
    fputs("Usage: poolviz unpool VALUES --indices IDX.npy --output-size HxW [-o FILE]\n"
          "\n"
          "Max unpooling (PyTorch's max_unpool2d): each value goes back to the position\n"
          "its index names in an HxW plane (index = row * W + col, as `poolviz pool\n"
          "--indices` writes them), every other cell is 0.  VALUES is a matrix file\n"
          "(.npy .csv .txt .json) or - for text on stdin, H×W, C×H×W or N×C×H×W; the\n"
          "indices have its shape.\n"
          "\n"
          "Options:\n"
          "  -m, --matrix LITERAL      the values as a literal instead of a file\n"
          "      --indices FILE        the positions (required)\n"
          "      --output-size HxW     the plane to fill (required: pooling forgets it)\n"
          "  -o, --output FILE         write here (format from the extension); default stdout\n"
          "      --to txt|csv|json|npy the output format\n"
          "  -h, --help                this help\n"
          "\n"
          "Example:\n"
          "  poolviz pool -m '1 2; 3 4' -k 1 --indices i.npy -o v.npy\n"
          "  poolviz pool x.npy -k 2 --indices i.npy -o y.npy\n"
          "  poolviz unpool y.npy --indices i.npy --output-size 4x4\n",
          out);
}

static pv_status parse_size(const char *arg, size_t *h, size_t *w, pv_error *err)
{
    char *end;
    errno = 0;
    unsigned long long a = strtoull(arg, &end, 10);
    if (end != arg && arg[0] != '-' && errno == 0 && (*end == 'x' || *end == 'X')) {
        const char *p = end + 1;
        unsigned long long b = strtoull(p, &end, 10);
        if (end != p && p[0] != '-' && errno == 0 && *end == '\0' && a >= 1 && b >= 1 &&
            a <= tensor_limits_current.max_dim && b <= tensor_limits_current.max_dim) {
            *h = (size_t)a;
            *w = (size_t)b;
            return PV_OK;
        }
    }
    return pv_error_set(err, PV_ERR_USAGE, "--output-size",
                        "'%s' is not a size like 4x4 (two whole numbers >= 1)", arg);
}

/* The indices as whole numbers, one per value. */
static pv_status indices_of(const tensor *t, const tensor *values, const char *name,
                            long long **out, pv_error *err)
{
    if (t->count != values->count || t->rank != values->rank ||
        memcmp(t->dims, values->dims, (size_t)t->rank * sizeof *t->dims) != 0) {
        char a[64], b[64];
        tensor_format_shape(t->rank, t->dims, a, sizeof a);
        tensor_format_shape(values->rank, values->dims, b, sizeof b);
        return pv_error_set(err, PV_ERR_DATA, name, "has shape %s; the values have %s", a, b);
    }
    long long *idx = pv_malloc((t->count ? t->count : 1) * sizeof *idx);
    if (idx == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "memory", "cannot allocate the indices");
    for (size_t i = 0; i < t->count; i++) {
        double v = tensor_get(t, i);
        if (!(v == floor(v)) || fabs(v) > 9.0e15) {
            pv_free(idx);
            return pv_error_set(err, PV_ERR_DATA, name,
                                "entry %zu is %g, not a whole number", i, v);
        }
        idx[i] = (long long)v;
    }
    *out = idx;
    return PV_OK;
}

int cli_unpool_main(int argc, char **argv)
{
    enum { U_INDICES = 0x100, U_SIZE, U_TO };
    static const struct option longopts[] = {
        {"indices", required_argument, NULL, U_INDICES},
        {"output-size", required_argument, NULL, U_SIZE},
        {"output", required_argument, NULL, 'o'},
        {"matrix", required_argument, NULL, 'm'},
        {"to", required_argument, NULL, U_TO},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    pv_error err;
    pv_error_clear(&err);
    const char *indices_path = NULL, *output = NULL, *input = NULL, *matrix = NULL;
    size_t oh = 0, ow = 0;
    io_format to = IO_FORMAT_AUTO;
    grad_output result = {NULL, NULL, IO_FORMAT_AUTO};
    tensor *values = NULL, *idx_t = NULL, *out = NULL;
    long long *idx = NULL;
    int code = CLI_EXIT_OK;

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:m:h", longopts, NULL)) != -1) {
        switch (c) {
        case U_INDICES:
            indices_path = optarg;
            break;
        case U_SIZE:
            if (parse_size(optarg, &oh, &ow, &err) != PV_OK)
                goto fail;
            break;
        case 'o':
            output = optarg;
            break;
        case 'm':
            matrix = optarg;
            break;
        case U_TO:
            if (!io_format_from_name(optarg, &to) || to == IO_FORMAT_PNG) {
                pv_error_set(&err, PV_ERR_USAGE, "--to", "'%s' is not txt, csv, json or npy",
                             optarg);
                goto fail;
            }
            break;
        case 'h':
            unpool_help(stdout);
            goto done;
        case ':':
            pv_error_set(&err, PV_ERR_USAGE, argv[optind - 1], "needs a value");
            goto fail;
        default:
            pv_error_set(&err, PV_ERR_USAGE, argv[optind - 1],
                         "unknown option; unpool takes --indices, --output-size, -m, -o, --to");
            goto fail;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (input != NULL || matrix != NULL) {
            pv_error_set(&err, PV_ERR_USAGE, argv[i], "only one VALUES input may be given");
            goto fail;
        }
        input = argv[i];
    }
    if (input == NULL && matrix == NULL) {
        pv_error_set(&err, PV_ERR_USAGE, "VALUES",
                     "give the pooled values: a FILE, - for text on stdin, or -m LITERAL");
        goto fail;
    }
    if (indices_path == NULL) {
        pv_error_set(&err, PV_ERR_USAGE, "--indices",
                     "unpool needs the indices (from `poolviz pool --indices FILE`)");
        goto fail;
    }
    if (oh == 0) {
        pv_error_set(&err, PV_ERR_USAGE, "--output-size",
                     "unpool needs the size of the plane to fill, e.g. --output-size 4x4");
        goto fail;
    }
    if (open_output(output, to, &result, &err) != PV_OK)
        goto fail;
    values = matrix != NULL ? io_parse_matrix(matrix, strlen(matrix), "--matrix", &err)
                            : io_load_file(input, NULL, &err);
    if (values == NULL)
        goto fail;
    if ((idx_t = io_load_file(indices_path, NULL, &err)) == NULL)
        goto fail;
    if (indices_of(idx_t, values, indices_path, &idx, &err) != PV_OK)
        goto fail;
    if ((out = pool_unpool(values, idx, oh, ow, &err)) == NULL) {
        if (strcmp(err.subject, "--indices") == 0)
            snprintf(err.subject, sizeof err.subject, "%s", indices_path);
        else if (strcmp(err.subject, "values") == 0)
            snprintf(err.subject, sizeof err.subject, "%s", matrix ? "--matrix" : input);
        goto fail;
    }
    if (write_output(&result, out, &err) != PV_OK)
        goto fail;
    goto done;

fail:
    code = cli_report(&err);
done:
    io_writer_free(result.writer);
    pv_free(idx);
    tensor_free(out);
    tensor_free(idx_t);
    tensor_free(values);
    return code;
}
