/* cmd.h - the command language of poolviz, one interpreter for the REPL, the
 * TUI command line and scripts.
 *
 * A session holds named matrices and the current pooling settings.  Each
 * line is one command:
 *
 *   A = [[1,2],[3,4]]      A = 1 2; 3 4      B = load cat.png
 *   set op avg             set kernel 3      unset stride     reset
 *   pool A                 pool A op=max k=3 C = pool A
 *   step A    lesson NAME  save C out.npy    show A | show settings | show
 *   vars   explain A 0 1   size A   code   help [topic]   quit | exit
 *
 * Every pooled value comes from the core (plan, forward, explain); the
 * interpreter only parses lines and formats what the core returns.  Output
 * goes through hooks->emit; the front ends decide where it ends up.
 */
#ifndef POOLVIZ_CMD_CMD_H
#define POOLVIZ_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "core/params.h"
#include "core/tensor.h"

typedef struct cmd_session cmd_session;

typedef enum cmd_result { CMD_OK, CMD_ERROR, CMD_QUIT } cmd_result;

typedef struct cmd_hooks {
    void *ctx;
    /* Output text; may hold several lines, always ends in '\n'.  Required. */
    void (*emit)(void *ctx, const char *text);
    /* `step A`: open the stepper (REPL) or switch the stepper to A (TUI).
     * input and params belong to the session and stay valid only during the
     * call (copy what you keep).  NULL = not available. */
    pv_status (*step)(void *ctx, const char *name, const tensor *input,
                      const pool_params *params, pv_error *err);
    /* `lesson NAME`.  NULL = not available. */
    pv_status (*lesson)(void *ctx, const char *name, pv_error *err);
    /* Where matrices are printed row by row as they are formatted (the
     * REPL's stdout), so a big one is never held whole as text; write
     * errors stay on the stream (ferror) for the front end to report, as
     * it reports those of emit.  NULL = through emit, in pieces of whole
     * lines. */
    FILE *stream;
    /* `compare NAME OP OP [OP OP]` shown by the front end (the TUI's
     * compare screen): input and params (the line's settings; the
     * operators in ops[0 .. count)) as for step.  NULL = as text through
     * emit. */
    pv_status (*compare)(void *ctx, const char *name, const tensor *input,
                         const pool_params *params, const pool_op *ops, size_t count,
                         pv_error *err);
    /* `set graphics auto|symbols|sixel|kitty` (name is one of them): how
     * pictures are drawn from now on.  NULL = only remembered (see
     * cmd_session_graphics). */
    pv_status (*graphics)(void *ctx, const char *name, pv_error *err);
} cmd_hooks;

/* New session with no matrices and the default settings.  The hooks are
 * copied.  Returns NULL with err filled (PV_ERR_NOMEM, or PV_ERR_USAGE when
 * hooks or hooks->emit is NULL). */
cmd_session *cmd_session_new(const cmd_hooks *hooks, pv_error *err);

void cmd_session_free(cmd_session *s);

/* Run one line (without or with its trailing "\n" / "\r\n").  Blank lines
 * and comments ('#' at the start of a word) do nothing.  CMD_ERROR fills
 * err: the subject is what the line was about (a command, a name, a key, a
 * file; empty for an unknown command) and the caller adds "line N" (see
 * cmd_error_format); the status says usage (PV_ERR_USAGE: unknown command,
 * bad syntax, invalid setting) or data (PV_ERR_DATA, PV_ERR_IO, ...), and
 * PV_ERR_INTERRUPTED when pool_cancel_requested stopped a computation.
 * CMD_QUIT for `quit` / `exit`. */
cmd_result cmd_execute(cmd_session *s, const char *line, pv_error *err);

/* The last `set graphics` value ("auto" until one), for a stepper the
 * session opens. */
const char *cmd_session_graphics(const cmd_session *s);

/* The current settings, owned by the session (the TUI may change them). */
pool_params *cmd_session_params(cmd_session *s);

/* Define (or replace) a matrix.  Takes ownership of t, also on failure.
 * name must be an identifier [A-Za-z_][A-Za-z0-9_]* and not a command. */
pv_status cmd_session_define(cmd_session *s, const char *name, tensor *t, pv_error *err);

/* The matrix called name, or NULL.  Owned by the session; valid until it is
 * redefined or the session is freed. */
const tensor *cmd_session_lookup(const cmd_session *s, const char *name);

/* An error of cmd_execute as one line without the program name:
 * "line 3: pool: no matrix named X; defined: A" (line > 0) or
 * "pool: no matrix ..." (line <= 0).  The subject may be empty (unknown
 * command, bad syntax), then only the reason follows "line N: ". */
void cmd_error_format(const pv_error *err, long line, char *buf, size_t size);

/* ---- for completion and help --------------------------------------------- */

/* NULL-terminated list of the command words ("pool", "set", ...). */
const char *const *cmd_command_names(void);

/* Number of defined matrices and the i-th name (in definition order). */
size_t cmd_session_var_count(const cmd_session *s);
const char *cmd_session_var_name(const cmd_session *s, size_t i);

/* True if name is a valid identifier for a matrix. */
bool cmd_name_is_valid(const char *name);

#endif
