/* pool_cmd.c - `poolviz pool`: the batch calculator.
 *
 * Order of work: parse every option (usage errors first), decide where the
 * output goes, load the input, plan, compute, then write.  Nothing is
 * written before the result exists, and every output goes through one
 * writer set (src/io/writer.h), committed together: an error leaves no
 * output file behind and every existing one as it was.
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

/* Every output of the run, declared (and checked) before any work: the
 * result (-o FILE, or stdout) and the --indices file.  They are committed
 * together by the writer. */
typedef struct pool_outputs {
    io_writer *writer;
    io_output *result, *indices;
    io_format format;
} pool_outputs;

static pv_status open_outputs(const cli_pool_args *a, pool_outputs *out, pv_error *err)
{
    const char *result = a->output != NULL ? a->output : "-";
    out->writer = io_writer_new(err);
    if (out->writer == NULL)
        return PV_ERR_NOMEM;
    /* Indices first: a device as -o is then written after the indices are
     * staged, straight from the result. */
    if (a->indices != NULL) {
        out->indices = io_writer_add(out->writer, a->indices, err);
        if (out->indices == NULL)
            return err->status;
        if (io_format_from_path(a->indices) == IO_FORMAT_PNG)
            return pv_error_set(err, PV_ERR_USAGE, "--indices",
                                "indices cannot be saved as PNG: use .npy, .txt, .csv or .json");
    }
    out->result = io_writer_add(out->writer, result, err);
    if (out->result == NULL)
        return err->status;
    return cli_result_format(out->result, result, a->to, &out->format, err);
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
    pool_outputs outputs = {NULL, NULL, NULL, IO_FORMAT_AUTO};
    pool_forward_options fopts = {.threads = 0, .reference = false};

    if (cli_pool_args_parse(&a, argc, argv, NULL, &err) != PV_OK)
        goto fail;
    if (a.help) {
        pool_help(stdout, usage);
        goto done;
    }
    if (open_outputs(&a, &outputs, &err) != PV_OK)
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
    if (output == NULL)
        goto fail;
    if (pool_cancel_requested) {
        pv_error_set(&err, PV_ERR_INTERRUPTED, "", "interrupted");
        goto fail;
    }

    io_save_options sopts = {.normalize = a.normalize};
    if (outputs.indices != NULL &&
        (io_output_write_indices(outputs.indices, plan->out_rank, plan->out_dims, indices,
                                 IO_FORMAT_AUTO, &err) != PV_OK ||
         io_output_finish(outputs.indices, &err) != PV_OK))
        goto fail;
    if (io_output_write_tensor(outputs.result, output, outputs.format, &sopts, &err) != PV_OK ||
        io_writer_commit(outputs.writer, &err) != PV_OK)
        goto fail;
    goto done;

fail:
    /* The core names a bad input (its rank, its values) "input"; say which
     * input it was. */
    if (input != NULL && strcmp(err.subject, "input") == 0)
        snprintf(err.subject, sizeof err.subject, "%s", input_name(&a));
    code = cli_report(&err);
done:
    io_writer_free(outputs.writer);
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
