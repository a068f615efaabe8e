/* options.h - the pinned pool options of design §4, parsed once for every
 * subcommand that pools (pool, bench, render, the TUI launcher).
 *
 * Each pool option is handed to pool_params_set() with its long name as
 * the key, so a value means exactly what it means in the command language
 * and in lessons; the CLI never parses a parameter value itself.  Input and
 * output options (-m, -o, --to, --gray, --normalize, --indices, --max-dim,
 * --max-elements, --threads, --color) are kept in cli_pool_args.
 */
#ifndef POOLVIZ_CLI_OPTIONS_H
#define POOLVIZ_CLI_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"
#include "io/iofile.h"

typedef struct cli_pool_args {
    pool_params params;         /* owned: release with cli_pool_args_release */
    const char *matrix;         /* -m LITERAL, or NULL */
    const char *input;          /* FILE or "-", or NULL */
    const char *output;         /* -o FILE ("-" = stdout), or NULL */
    io_format to;               /* --to; IO_FORMAT_AUTO when not given */
    bool gray;                  /* --gray */
    bool normalize;             /* --normalize */
    const char *indices;        /* --indices FILE, or NULL */
    const char *samples_path;   /* --samples FILE.npy (already loaded into params) */
    int color;                  /* --color: -1 auto, 0 never, 1 always */
    int graphics;               /* --graphics: a tui_graphics (0 auto) */
    int threads;                /* --threads: 0 = default */
    bool help;                  /* -h/--help was given: print help, exit 0 */
} cli_pool_args;

/* Option codes a subcommand may use for its own options start here. */
#define CLI_OPT_EXTRA 0x1000

/* A subcommand's own options, parsed in the same pass as the shared ones. */
typedef struct cli_extra_options {
    const struct option *longopts;  /* ends with a zero entry; val >= CLI_OPT_EXTRA
                                       or a short letter listed in shortopts */
    const char *shortopts;          /* getopt letters ("j:"), or NULL */
    /* One of the options above: code is its val, arg its value (NULL for a
     * flag).  Return PV_OK, or fill err (subject = the option). */
    pv_status (*handle)(void *ctx, int code, const char *arg, pv_error *err);
    /* Each argument that is not an option, in order.  NULL: a single
     * FILE or "-" is accepted as the input and a second one is an error. */
    pv_status (*positional)(void *ctx, const char *arg, pv_error *err);
    void *ctx;
} cli_extra_options;

/* Defaults: pool_params_init, no input, output to stdout as text, colour
 * auto, threads 0. */
void cli_pool_args_init(cli_pool_args *a);

/* Release what a owns (the parameters' samples array). */
void cli_pool_args_release(cli_pool_args *a);

/* Parse argv[1..argc-1] (argv[0] is the subcommand's name).  Options and
 * arguments may come in any order; "--" ends the options.  A misspelled
 * option gets "did you mean --kernel?".  Stops at -h/--help (a->help set,
 * PV_OK).  Then loads --samples FILE.npy.  extra may be NULL.  Returns
 * PV_OK, or fills err (PV_ERR_USAGE for bad usage; I/O and data errors
 * from --samples) for the caller to pass to cli_report.  The strings in a
 * point into argv. */
pv_status cli_pool_args_parse(cli_pool_args *a, int argc, char **argv,
                              const cli_extra_options *extra, pv_error *err);

/* Load the input that -m, FILE or "-" names (--gray applies to PNG).
 * With none of them, fails with PV_ERR_USAGE and a reason that says how to
 * give one.  Free the result with tensor_free. */
tensor *cli_load_input(const cli_pool_args *a, pv_error *err);

/* A size in pixels "WxH" (or "WXH"), each a decimal number from lo to hi,
 * nothing else around it (render's --size).  False when it is not one. */
bool cli_parse_size(const char *text, int lo, int hi, int *width, int *height);

/* Groups of the shared options for help texts. */
enum {
    CLI_HELP_INPUT = 1 << 0,    /* -m, FILE, -, --gray, --max-dim, --max-elements */
    CLI_HELP_POOL = 1 << 1,     /* every pool parameter */
    CLI_HELP_OUTPUT = 1 << 2,   /* -o, --to, --normalize, --indices */
    CLI_HELP_RUN = 1 << 3,      /* --threads, --color, --help */
    CLI_HELP_ALL = 0xf
};

/* Print the chosen groups of shared options, one line each with its
 * default, grouped under headings. */
void cli_pool_options_help(FILE *out, unsigned groups);

#endif
