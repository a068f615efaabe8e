/* pool_cmd.c - `poolviz pool`: the batch calculator.
 *
 * Order of work: parse every option (usage errors first), decide where the
 * output goes, load the input, plan, compute, then write.  Nothing is
 * written before the result exists, and files are written atomically by
 * io_save_file, so an error leaves no output file behind.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/plan.h"
#include "io/iofile.h"

static void pool_help(FILE *out, const char *usage)
{
    fprintf(out,
            "Usage: %s\n"
            "\n"
            "Pool a matrix, a tensor (CxHxW or NxCxHxW) or a picture and write the result:\n"
            "aligned text on stdout by default, or the file given with -o.\n"
            "\n",
            usage);
    cli_pool_options_help(out, CLI_HELP_ALL);
    fputs("\n"
          "Operators (R = the values of one window or region):\n"
          "  max, min      the largest or smallest value of R (padding never wins)\n"
          "  avg           sum(R) / divisor (the window, padding counted unless told not)\n"
          "  sum           sum(R)\n"
          "  l2            sqrt(sum of x^2)\n"
          "  lp            (sum of |x|^p)^(1/p); p = inf gives max |x|\n"
          "  power         (mean of |x|^p)^(1/p), the power average; p = 1 is avg\n"
          "  stochastic    train: one x drawn with probability x / sum(R);\n"
          "                eval: sum(x^2) / sum(x); needs non-negative input\n"
          "  fractional    max over regions of varying size (--ratio or --output-size)\n"
          "  spp           an n x n adaptive max for each level n, concatenated\n"
          "  bilinear      (1/(H*W)) * sum over locations of f f^T; a C x C output\n"
          "\n"
          "Examples:\n"
          "  poolviz pool -m '1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16'\n"
          "  poolviz pool --op avg -k 3 -s 1 --padding 1 data.csv -o out.npy\n"
          "  poolviz pool --op max -k 8 cat.png -o small.png\n"
          "  printf '1 2\\n3 4\\n' | poolviz pool --global --op l2 -\n",
          out);
}

/* True if path names something other than a regular file or a folder: a
 * device, a pipe, or a link such as /dev/stdout.  Such a target is written
 * in place: the atomic save (a new file renamed over the old one) would
 * replace the device or the link itself. */
static bool is_special_file(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Where the result goes, decided before any work is done. */
typedef struct output_target {
    bool to_stdout;
    io_format format;
} output_target;

/* True if path is the file standard output already writes to (-o
 * /dev/stdout): opening it again would truncate what came before. */
static bool is_stdout(const char *path)
{
    struct stat named, out;
    return stat(path, &named) == 0 && fstat(STDOUT_FILENO, &out) == 0 &&
           named.st_dev == out.st_dev && named.st_ino == out.st_ino;
}

static pv_status choose_output(const cli_pool_args *a, output_target *target, pv_error *err)
{
    target->to_stdout = a->output == NULL || strcmp(a->output, "-") == 0;
    target->format = a->to;
    if (target->format == IO_FORMAT_AUTO)
        target->format = target->to_stdout ? IO_FORMAT_TXT : io_format_from_path(a->output);
    if (!target->to_stdout && is_special_file(a->output) && is_stdout(a->output))
        target->to_stdout = true;
    bool binary = target->format == IO_FORMAT_NPY || target->format == IO_FORMAT_PNG;
    if (target->to_stdout && binary && cli_is_terminal(stdout))
        return pv_error_set(err, PV_ERR_USAGE, "--to",
                            "will not write binary %s data to a terminal; "
                            "give -o FILE or redirect stdout",
                            target->format == IO_FORMAT_NPY ? "npy" : "png");
    if (a->indices != NULL && is_special_file(a->indices))
        return pv_error_set(err, PV_ERR_USAGE, "--indices",
                            "'%s' is not a regular file; give a file name", a->indices);
    if (a->indices != NULL && !target->to_stdout && strcmp(a->indices, a->output) == 0)
        return pv_error_set(err, PV_ERR_USAGE, "--indices",
                            "'%s' is also the output file; give another name", a->indices);
    return PV_OK;
}

/* PNG to a stream: written to a private temporary file (libpng's writer
 * needs a file), then copied. */
static pv_status write_png_stream(FILE *out, const char *name, const tensor *t,
                                  const io_save_options *opts, pv_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/poolviz-out-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return pv_error_set(err, PV_ERR_IO, "TMPDIR", "the path is too long");
    int fd = mkstemp(path);
    if (fd < 0)
        return pv_error_set(err, PV_ERR_IO, dir, "cannot create a temporary file");
    close(fd);
    pv_status status = io_save_file(path, t, IO_FORMAT_PNG, opts, err);
    if (status == PV_OK)
        status = cli_copy_file_to_stream(path, out, err);
    else if (err != NULL && strcmp(err->subject, path) == 0)
        snprintf(err->subject, sizeof err->subject, "%s", name);
    unlink(path);
    return status;
}

static pv_status write_stream(FILE *out, const char *name, io_format format,
                              const tensor *t, const io_save_options *opts, pv_error *err)
{
    pv_status status;
    if (format == IO_FORMAT_PNG)
        status = write_png_stream(out, name, t, opts, err);
    else
        status = io_write_stream(out, t, format, err);
    if (status != PV_OK)
        return status;
    if (fflush(out) != 0 || ferror(out))
        return pv_error_set(err, PV_ERR_IO, name, "write failed: %s", strerror(errno));
    return PV_OK;
}

static pv_status write_output(const cli_pool_args *a, const output_target *target,
                              const tensor *t, pv_error *err)
{
    io_save_options opts = {.normalize = a->normalize};
    if (target->to_stdout)
        return write_stream(stdout, "<stdout>", target->format, t, &opts, err);
    if (!is_special_file(a->output))
        return io_save_file(a->output, t, target->format, &opts, err);
    FILE *out = fopen(a->output, "wb");
    if (out == NULL)
        return pv_error_set(err, PV_ERR_IO, a->output, "cannot write: %s", strerror(errno));
    pv_status status = write_stream(out, a->output, target->format, t, &opts, err);
    if (fclose(out) != 0 && status == PV_OK)
        status = pv_error_set(err, PV_ERR_IO, a->output, "write failed: %s", strerror(errno));
    return status;
}

/* The input as a person gave it: the file name, "<stdin>", "--matrix" or
 * "example". */
static const char *input_name(const cli_pool_args *a)
{
    if (a->matrix != NULL)
        return "--matrix";
    if (a->input == NULL)
        return "example";
    return strcmp(a->input, "-") == 0 ? "<stdin>" : a->input;
}

static bool file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* The whole batch run; example_allowed: no input means the built-in
 * example (poolviz without a subcommand). */
static int pool_run(int argc, char **argv, bool example_allowed, const char *usage)
{
    cli_signals_install();

    cli_pool_args a;
    cli_pool_args_init(&a);
    pv_error err;
    pv_error_clear(&err);
    tensor *input = NULL, *output = NULL;
    pool_plan *plan = NULL;
    int64_t *indices = NULL;
    int code = CLI_EXIT_OK;
    output_target target;
    pool_forward_options fopts = {.threads = 0, .reference = false};
    bool indices_existed = false;

    if (cli_pool_args_parse(&a, argc, argv, NULL, &err) != PV_OK)
        goto fail;
    if (a.help) {
        pool_help(stdout, usage);
        goto done;
    }
    if (choose_output(&a, &target, &err) != PV_OK)
        goto fail;

    if (example_allowed && a.matrix == NULL && a.input == NULL)
        input = cli_example_tensor(&err);
    else
        input = cli_load_input(&a, &err);
    if (input == NULL)
        goto fail;

    plan = pool_plan_create(&a.params, input->dtype, input->rank, input->dims, &err);
    if (plan == NULL)
        goto fail;
    if (a.indices != NULL && !plan->has_indices) {
        pv_error_set(&err, PV_ERR_USAGE, "--indices",
                     "%s pooling has no indices (max, min, fractional, spp and "
                     "stochastic in train mode have)",
                     pool_op_name(a.params.op));
        goto fail;
    }

    fopts.threads = a.threads;
    output = pool_forward(plan, input, &fopts, a.indices ? &indices : NULL, &err);
    if (output == NULL) {
        /* The core names bad values "input"; say which input it was. */
        if (strcmp(err.subject, "input") == 0)
            snprintf(err.subject, sizeof err.subject, "%s", input_name(&a));
        goto fail;
    }
    if (pool_cancel_requested) {
        pv_error_set(&err, PV_ERR_INTERRUPTED, "", "interrupted");
        goto fail;
    }

    /* Indices first: if the main output then fails, a new indices file is
     * removed again, so an error leaves no file behind. */
    indices_existed = a.indices != NULL && file_exists(a.indices);
    if (a.indices != NULL &&
        io_save_indices(a.indices, plan->out_rank, plan->out_dims, indices, &err) != PV_OK)
        goto fail;
    if (write_output(&a, &target, output, &err) != PV_OK) {
        if (a.indices != NULL && !indices_existed)
            unlink(a.indices);
        goto fail;
    }
    goto done;

fail:
    code = cli_report(&err);
done:
    pv_free(indices);
    tensor_free(output);
    pool_plan_free(plan);
    tensor_free(input);
    cli_pool_args_release(&a);
    return code;
}

int cli_pool_main(int argc, char **argv)
{
    return pool_run(argc, argv, false, CLI_PROGRAM " pool [OPTIONS] [FILE|-]");
}

int cli_default_main(int argc, char **argv)
{
    return pool_run(argc, argv, true, CLI_PROGRAM " [OPTIONS] [FILE|-]");
}
