/* fuzz-options.c - the shared pool options (cli_pool_args_parse) and what
 * they lead to.
 *
 * Each line of the input is one argument after `poolviz pool`.  Whatever
 * parses is run as `pool` would run it, when the input is a -m literal:
 * load, plan, forward, explain (fuzz-pool.c).  When the first line is
 * "render", the arguments are parsed with options of a subcommand's own as
 * render has them: --to redefined (its own values win over the shared
 * --to), --size WxH (cli_parse_size) and a few more.  Arguments cannot name files
 * outside the scratch folder ('/' becomes '_'), and a FILE or '-' input is
 * not read (it would be standard input or a file of the machine).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "fuzz-pool.h"
#include "fuzz.h"

#define FUZZ_MAX_ARGS 40

enum { OPT_TO = CLI_OPT_EXTRA, OPT_SIZE, OPT_STEP, OPT_PRESENT };

static const struct option render_like[] = {
    {"to", required_argument, NULL, OPT_TO},
    {"format", required_argument, NULL, OPT_TO},
    {"size", required_argument, NULL, OPT_SIZE},
    {"step", required_argument, NULL, OPT_STEP},
    {"present", no_argument, NULL, OPT_PRESENT},
    {NULL, 0, NULL, 0}};

typedef struct render_like_args {
    int width, height;
    bool to_given;
} render_like_args;

static pv_status render_like_option(void *ctx, int code, const char *arg, pv_error *err)
{
    render_like_args *r = ctx;
    switch (code) {
    case OPT_TO:
        if (strcmp(arg, "svg") != 0 && strcmp(arg, "png") != 0 && strcmp(arg, "pdf") != 0)
            return pv_error_set(err, PV_ERR_USAGE, "--to", "'%s' is not svg, png or pdf", arg);
        r->to_given = true;
        return PV_OK;
    case OPT_SIZE:
        if (!cli_parse_size(arg, 16, 16384, &r->width, &r->height))
            return pv_error_set(err, PV_ERR_USAGE, "--size", "not WxH");
        if (r->width < 16 || r->height < 16 || r->width > 16384 || r->height > 16384)
            fuzz_fail("cli_parse_size: size %dx%d outside 16..16384", r->width, r->height);
        return PV_OK;
    case OPT_STEP:
    case OPT_PRESENT:
        return PV_OK;
    default:
        fuzz_fail("render options: code %d handed to the subcommand", code);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    fuzz_enter_scratch_dir();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    char *text = fuzz_cstring(data, size);
    for (size_t i = 0; i < size; i++)
        if (text[i] == '/')
            text[i] = '_';
    char *argv[FUZZ_MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "pool";
    for (char *arg = text; arg != NULL && argc < FUZZ_MAX_ARGS;) {
        char *next = strchr(arg, '\n');
        if (next != NULL)
            *next++ = '\0';
        argv[argc++] = arg;
        arg = next;
    }
    argv[argc] = NULL;

    render_like_args r = { 0 };
    cli_extra_options extra = { .longopts = render_like, .handle = render_like_option, .ctx = &r };
    bool render = argc > 1 && strcmp(argv[1], "render") == 0;
    if (render) {
        argv[1] = argv[0];
        argc--;
    }

    cli_pool_args a;
    cli_pool_args_init(&a);
    pv_error err = { 0 };
    pv_status st = cli_pool_args_parse(&a, argc, render ? argv + 1 : argv,
                                       render ? &extra : NULL, &err);
    /* render's --to is its own: the shared output format is never set. */
    if (st == PV_OK && render && a.to != IO_FORMAT_AUTO)
        fuzz_fail("cli_pool_args_parse: the shared --to took render's option");
    /* --max-dim and --max-elements may raise the limits: keep them small. */
    if (tensor_limits_current.max_elements > FUZZ_MAX_ELEMENTS ||
        tensor_limits_current.max_dim > FUZZ_MAX_DIM)
        fuzz_limits_reset();
    if (st != PV_OK) {
        fuzz_check_error(&err, "cli_pool_args_parse");
    } else if (!a.help && a.matrix != NULL && a.input == NULL) {
        tensor *t = cli_load_input(&a, &err);
        if (t == NULL) {
            fuzz_check_error(&err, "cli_load_input");
        } else {
            fuzz_check_tensor(t, "cli_load_input");
            fuzz_pool_check(&a.params, t);
            tensor_free(t);
        }
    }
    cli_pool_args_release(&a);
    free(text);
    return 0;
}
