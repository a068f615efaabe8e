/* fuzz-cmd.c - the command language (cmd_execute), a script at a time.
 *
 * The input is split into lines and run on a fresh session whose hooks do
 * nothing, as a script would be.  File names cannot leave the scratch folder
 * ('/' becomes '_'), so `save` and `load` only meet the files the script
 * itself wrote.  Every failed line must come with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "fuzz.h"

#define FUZZ_CMD_MAX_LINES 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_limits_reset();
    fuzz_enter_scratch_dir();
    return 0;
}

static void emit_nothing(void *ctx, const char *text)
{
    size_t *emitted = ctx;
    size_t len = strlen(text);
    if (len == 0 || text[len - 1] != '\n')
        fuzz_fail("cmd emit: output does not end in a new line: \"%s\"", text);
    *emitted += len;
}

static pv_status step_nothing(void *ctx, const char *name, const tensor *input,
                              const pool_params *params, pv_error *err)
{
    (void)ctx;
    (void)err;
    if (name == NULL || input == NULL || params == NULL)
        fuzz_fail("cmd step hook called without a name, input or parameters");
    fuzz_check_tensor(input, "step input");
    return PV_OK;
}

static pv_status lesson_nothing(void *ctx, const char *name, pv_error *err)
{
    (void)ctx;
    (void)err;
    if (name == NULL)
        fuzz_fail("cmd lesson hook called without a name");
    return PV_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_limits_reset();
    char *script = fuzz_cstring(data, size);
    for (size_t i = 0; i < size; i++)
        if (script[i] == '/')
            script[i] = '_';

    size_t emitted = 0;
    cmd_hooks hooks = { &emitted, emit_nothing, step_nothing, lesson_nothing, NULL, NULL, NULL };
    pv_error err = { 0 };
    cmd_session *s = cmd_session_new(&hooks, &err);
    if (s == NULL)
        fuzz_fail("cmd_session_new: %s", err.message);

    char *line = script;
    for (int n = 0; line != NULL && n < FUZZ_CMD_MAX_LINES; n++) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        pv_error_clear(&err);
        cmd_result r = cmd_execute(s, line, &err);
        if (r == CMD_ERROR)
            fuzz_check_error(&err, "cmd_execute");
        else if (r == CMD_QUIT)
            break;
        else if (r != CMD_OK)
            fuzz_fail("cmd_execute returned %d", (int)r);
        for (size_t i = 0; i < cmd_session_var_count(s); i++) {
            const char *name = cmd_session_var_name(s, i);
            const tensor *t = name ? cmd_session_lookup(s, name) : NULL;
            if (t == NULL)
                fuzz_fail("cmd: variable %zu is listed but cannot be looked up", i);
            fuzz_check_tensor(t, name);
        }
        line = next;
    }
    cmd_session_free(s);
    free(script);
    return 0;
}
