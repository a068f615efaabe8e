/* tui_cmd.c - `poolviz [OPTIONS] [FILE]` with no subcommand: the stepper.
 *
 * The arguments are the shared pool and input options (src/cli/options.h);
 * without an input the stepper opens on the built-in example (the 4x4
 * matrix 1..16).  Everything that can be checked is checked before the
 * screen is taken, so a bad option, file or parameter is an ordinary
 * one-line error, reported before the complaint that there is no terminal.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "core/tensor.h"
#include "io/iofile.h"
#include "tui/tui.h"

static void tui_usage(FILE *out)
{
    fputs("Usage: " CLI_PROGRAM " [OPTIONS] [FILE]\n"
          "Step through a pooling region by region: the window on the input, the output\n"
          "filling in and the formula with the window's numbers.  Without FILE or -m the\n"
          "stepper opens on a 4x4 example (1..16, max, 2x2, stride 2).  Keys: n/p step,\n"
          "r runs, : opens the command line, ? lists every key, q quits.  A .png FILE\n"
          "opens as pictures (v switches to the numbers; a pools the picture again).\n",
          out);
    cli_pool_options_help(out, CLI_HELP_INPUT | CLI_HELP_POOL | CLI_HELP_RUN);
}

/* The name the title shows: the file's last path component. */
static const char *display_name(const cli_pool_args *a)
{
    if (a->input != NULL) {
        const char *slash = strrchr(a->input, '/');
        return slash != NULL && slash[1] != '\0' ? slash + 1 : a->input;
    }
    if (a->matrix != NULL)
        return "matrix";
    return NULL;
}

int cli_tui_main(int argc, char **argv)
{
    cli_pool_args a;
    pv_error err;
    tensor *input = NULL;
    int code;

    pv_error_clear(&err);
    cli_pool_args_init(&a);
    if (cli_pool_args_parse(&a, argc, argv, NULL, &err) != PV_OK) {
        code = cli_report(&err);
        goto done;
    }
    if (a.help) {
        tui_usage(stdout);
        code = CLI_EXIT_OK;
        goto done;
    }
    if (a.input != NULL || a.matrix != NULL) {
        input = cli_load_input(&a, &err);
        if (input == NULL) {
            code = cli_report(&err);
            goto done;
        }
    }
    tui_options o = {
        .input = input,
        .name = display_name(&a),
        .var = "A",
        .params = &a.params,
        .color = a.color,
        .graphics = a.graphics,
        /* A picture opens as a picture; v switches to the numbers. */
        .picture = a.input != NULL && io_format_from_path(a.input) == IO_FORMAT_PNG,
    };
    code = tui_run(&o, &err);
    if (code != 0 && err.status != PV_ERR_INTERRUPTED)
        code = cli_report(&err);
done:
    tensor_free(input);
    cli_pool_args_release(&a);
    return code;
}
