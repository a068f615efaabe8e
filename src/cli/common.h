/* common.h - what every poolviz subcommand shares: the one way errors are
 * printed, the signal handlers, the built-in example, "did you mean".
 *
 * Only src/cli prints errors and decides exit codes.  An error is always one
 * line on stderr:
 *   poolviz: error: SUBJECT: REASON
 * and the exit code follows the status: 0 ok, 1 data or I/O, 2 usage,
 * 128 + the signal when interrupted (130 SIGINT, 143 SIGTERM).
 */
#ifndef POOLVIZ_CLI_COMMON_H
#define POOLVIZ_CLI_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "core/tensor.h"
#include "io/iofile.h"
#include "io/writer.h"

#define CLI_PROGRAM "poolviz"

/* Exit codes (the same as pv_status_exit_code). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_DATA = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INTERRUPTED = 130
};

/* Print err as one line on stderr and return its exit code.  When the user
 * pressed Ctrl-C (pool_cancel_requested), a failure that followed it is
 * reported as an interruption (exit 130): a read cut short by the signal is
 * not a broken file. */
int cli_report(const pv_error *err);

/* Write text to out through the quoting function (core/quote.h): every
 * user-supplied string that reaches a terminal, stdout or stderr goes
 * through here (or quote_* directly).  flags as quote_step's.  False if a
 * write failed. */
bool cli_put_quoted(FILE *out, const char *text, unsigned flags);

/* Build an error from status, subject and a printf-style reason, print it
 * as cli_report does and return the exit code. */
int cli_fail(pv_status status, const char *subject, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Flush stdout; false if it failed now or before.  The errno of the first
 * failure is kept for cli_stdout_check and cli_close_stdout: use this, not
 * fflush(stdout), wherever output is flushed along the way. */
bool cli_stdout_flush(void);

/* Flush stdout and check it: CLI_EXIT_OK, or CLI_EXIT_DATA after reporting
 * "<stdout>: cannot write: REASON" (once per run, with the errno of the
 * first failure; a broken pipe is not reported). */
int cli_stdout_check(void);

/* At the end of main, as GNU tools do: flush, check and close stdout, so that
 * output lost to a full disk or a closed descriptor is an error even for
 * --help.  Returns code, or CLI_EXIT_DATA if stdout failed and code was 0. */
int cli_close_stdout(int code);

/* SIGINT and SIGTERM set pool_cancel_requested (SIGTERM also
 * cli_terminate_requested, so that a program that goes on after an
 * interruption, the REPL, knows to end); a second signal of the same kind
 * ends the program the default way.  SIGPIPE keeps its default (a closed
 * pipe ends the program quietly). */
void cli_signals_install(void);
extern volatile sig_atomic_t cli_terminate_requested;

/* Exit status of a program ended by SIGTERM, as the shell reports it. */
#define CLI_EXIT_TERMINATED 143

/* Every command ends 128 + the signal that stopped it, as a shell reports a
 * program the signal killed: 130 after SIGINT, 143 after SIGTERM.  Takes the
 * code a command returned: CLI_EXIT_INTERRUPTED becomes CLI_EXIT_TERMINATED
 * when SIGTERM asked for the stop; any other code is returned as is. */
int cli_signal_exit_code(int code);

/* The built-in example: the 4×4 float64 matrix 1..16 (row-major).  NULL
 * with err filled on out of memory; free with tensor_free. */
tensor *cli_example_tensor(pv_error *err);

/* The candidate closest to word (core/closest.h with the command line's
 * rule: one typo per three letters, and a word that starts a candidate, or
 * starts as no other does, is close), or NULL if none is a plausible typo.
 * candidates is NULL-terminated. */
const char *cli_closest(const char *word, const char *const *candidates);

/* True if the stream is a terminal. */
bool cli_is_terminal(FILE *stream);

/* The format of a command's result o, added to a writer for path: to (from
 * --to), or for IO_FORMAT_AUTO text in place (stdout, a device) and else
 * the path's extension.  A usage error for binary data (npy, png) to a
 * terminal. */
pv_status cli_result_format(const io_output *o, const char *path, io_format to,
                            io_format *format, pv_error *err);

#endif
