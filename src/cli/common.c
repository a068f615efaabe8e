#include "cli/common.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/closest.h"
#include "core/forward.h"
#include "core/quote.h"

/* The first failure of stdout, kept because stdio's error flag outlives the
 * errno that went with it; reported once (by whoever reports first). */
static int stdout_errno;
static bool stdout_failed, stdout_reported;

static bool note_write(FILE *out, bool ok)
{
    if (!ok && out == stdout && !stdout_failed) {
        stdout_failed = true;
        stdout_errno = errno;
    }
    return ok;
}

bool cli_put_quoted(FILE *out, const char *text, unsigned flags)
{
    char buf[4096];
    size_t used = 0, len = strlen(text);
    bool ok = true;
    for (size_t pos = 0; pos < len;) {
        if (used + QUOTE_PIECE_MAX + 1 > sizeof buf) {
            ok = note_write(out, fwrite(buf, 1, used, out) == used) && ok;
            used = 0;
        }
        size_t piece_len;
        pos += quote_step(text + pos, len - pos, flags, buf + used, &piece_len);
        used += piece_len;
    }
    return note_write(out, fwrite(buf, 1, used, out) == used) && ok;
}

int cli_report(const pv_error *err)
{
    if (err != NULL && strcmp(err->subject, "<stdout>") == 0)
        stdout_reported = true;
    pv_status status = err ? err->status : PV_ERR_DATA;
    if (status == PV_OK)
        status = PV_ERR_DATA;
    if (pool_cancel_requested && status != PV_ERR_USAGE)
        status = PV_ERR_INTERRUPTED;

    cli_stdout_flush();
    fputs(CLI_PROGRAM ": error: ", stderr);
    if (status == PV_ERR_INTERRUPTED && (err == NULL || err->status != PV_ERR_INTERRUPTED)) {
        /* The failure was a consequence of Ctrl-C: say so, not what broke. */
        fputs("interrupted", stderr);
    } else {
        if (err != NULL && err->subject[0] != '\0') {
            cli_put_quoted(stderr, err->subject, 0);
            fputs(": ", stderr);
        }
        cli_put_quoted(stderr, err != NULL && err->message[0] != '\0' ? err->message : "failed",
                       0);
    }
    fputc('\n', stderr);
    fflush(stderr);
    return pv_status_exit_code(status);
}

bool cli_stdout_flush(void)
{
    errno = 0;
    bool ok = fflush(stdout) == 0 && !ferror(stdout);
    if (!ok && !stdout_failed) {
        stdout_failed = true;
        stdout_errno = errno;
    }
    return ok && !stdout_failed;
}

static int report_stdout(void)
{
    if (stdout_reported)
        return CLI_EXIT_DATA;
    stdout_reported = true;
    if (stdout_errno == EPIPE)   /* the reader left (SIGPIPE ignored): say nothing */
        return CLI_EXIT_DATA;
    return cli_fail(PV_ERR_IO, "<stdout>", "cannot write: %s",
                    stdout_errno != 0 ? strerror(stdout_errno) : "write error");
}

int cli_stdout_check(void)
{
    return cli_stdout_flush() ? CLI_EXIT_OK : report_stdout();
}

int cli_close_stdout(int code)
{
    bool ok = cli_stdout_flush();
    errno = 0;
    if (fclose(stdout) != 0 && ok) {
        /* Nothing was written and stdout was closed: not an error (as GNU
         * close_stdout). */
        if (errno != EBADF) {
            stdout_failed = true;
            stdout_errno = errno;
            ok = false;
        }
    }
    if (ok)
        return code;
    int failed = report_stdout();
    return code != CLI_EXIT_OK ? code : failed;
}

int cli_fail(pv_status status, const char *subject, const char *fmt, ...)
{
    pv_error err;
    pv_error_clear(&err);
    err.status = status;
    snprintf(err.subject, sizeof err.subject, "%s", subject ? subject : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    return cli_report(&err);
}

volatile sig_atomic_t cli_terminate_requested;

static void on_cancel_signal(int signo)
{
    if (signo == SIGTERM)
        cli_terminate_requested = 1;
    pool_cancel_requested = 1;
}

int cli_signal_exit_code(int code)
{
    if (code == CLI_EXIT_INTERRUPTED && cli_terminate_requested)
        return CLI_EXIT_TERMINATED;
    return code;
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_cancel_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking read of stdin returns, so Ctrl-C works
     * while poolviz waits for input.  SA_RESETHAND: a second Ctrl-C ends
     * the program at once if the first is not noticed in time. */
    sa.sa_flags = SA_RESETHAND;
    int signals[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        /* A signal the parent chose to ignore (a background job, nohup)
         * stays ignored. */
        struct sigaction old;
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(signals[i], &sa, NULL);
    }
}

tensor *cli_example_tensor(pv_error *err)
{
    const size_t dims[2] = {4, 4};
    tensor *t = tensor_new(TENSOR_F64, 2, dims, err);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        tensor_set(t, i, (double)(i + 1));
    return t;
}

const char *cli_closest(const char *word, const char *const *candidates)
{
    static const closest_rule rule = {.max_distance = 0, .prefixes = true};
    return closest_name(word, candidates, SIZE_MAX, &rule);
}

bool cli_is_terminal(FILE *stream)
{
    return isatty(fileno(stream)) == 1;
}

pv_status cli_result_format(const io_output *o, const char *path, io_format to,
                            io_format *format, pv_error *err)
{
    *format = to;
    if (*format == IO_FORMAT_AUTO)
        *format = io_output_in_place(o) ? IO_FORMAT_TXT : io_format_from_path(path);
    const bool binary = *format == IO_FORMAT_NPY || *format == IO_FORMAT_PNG;
    if (binary && io_output_is_terminal(o))
        return pv_error_set(err, PV_ERR_USAGE, "--to",
                            "will not write binary %s data to a terminal; "
                            "give -o FILE or redirect stdout",
                            *format == IO_FORMAT_NPY ? "npy" : "png");
    return PV_OK;
}
