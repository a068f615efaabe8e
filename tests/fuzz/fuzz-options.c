/* fuzz-options.c - the shared pool options (cli_pool_args_parse) and what
 * they lead to.
 *
 * Each line of the input is one argument after `poolviz pool`.  Whatever
 * parses is run as `pool` would run it, when the input is a -m literal:
 * load, plan, forward, explain (fuzz-pool.c).  Arguments cannot name files
 * outside the scratch folder ('/' becomes '_'), and a FILE or '-' input is
 * not read (it would be standard input or a file of the machine).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "fuzz-pool.h"
#include "fuzz.h"

#define FUZZ_MAX_ARGS 40

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

    cli_pool_args a;
    cli_pool_args_init(&a);
    pv_error err = { 0 };
    pv_status st = cli_pool_args_parse(&a, argc, argv, NULL, &err);
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
