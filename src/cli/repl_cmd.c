/* repl_cmd.c - `poolviz repl [OPTIONS] [SCRIPT]`: the command language, line
 * by line.
 *
 * On a terminal it reads with readline (prompt, history, completion) and an
 * error leaves the session going.  Piped, or from SCRIPT, the lines run as a
 * script: no prompt, results on stdout, each error on stderr as
 *   poolviz: error: line N: SUBJECT: REASON
 * and the script goes on with the next line.  Exit status: 0 if every line
 * worked, 1 if any line failed (whatever the kind of error), 130 when Ctrl-C
 * stopped it, 143 when SIGTERM ended it (also inside the stepper or the
 * lesson player); a session on a terminal ends with 0.  Pool options given on
 * the command line are the starting settings.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cmd/cmd.h"
#include "cmd/lineinput.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/quote.h"
#include "lesson/lessontext.h"
#include "tui/lessonview.h"
#include "tui/graphics.h"
#include "tui/tui.h"

typedef struct repl {
    const char *script;     /* SCRIPT argument, or NULL for stdin */
    int color;
    int graphics;
} repl;

static void repl_emit(void *ctx, const char *text)
{
    (void)ctx;
    cli_put_quoted(stdout, text, QUOTE_KEEP_LINES);
}

/* What the stepper's or the lesson player's exit code means at the prompt:
 * leaving it (q, or Ctrl-C, which ends the screen rather than the REPL) is
 * no error; SIGTERM ends the REPL too. */
static pv_status screen_status(int code, pv_error *err)
{
    if (code == CLI_EXIT_TERMINATED)
        cli_terminate_requested = 1;
    if (code == CLI_EXIT_OK || code == CLI_EXIT_INTERRUPTED || code == CLI_EXIT_TERMINATED) {
        pool_cancel_requested = 0;
        pv_error_clear(err);
        return PV_OK;
    }
    return err->status != PV_OK ? err->status : PV_ERR_DATA;
}

/* `step A`: the stepper on A with the line's settings. */
static pv_status repl_step(void *ctx, const char *name, const tensor *input,
                           const pool_params *params, pv_error *err)
{
    repl *r = ctx;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return pv_error_set(err, PV_ERR_USAGE, "step",
                            "the stepper needs a terminal; in a script use explain or pool");
    tui_options o = {.input = input, .name = name, .params = params, .color = r->color,
                     .graphics = r->graphics};
    return screen_status(tui_run(&o, err), err);
}

/* `set graphics MODE`: how the next `step` draws pictures. */
static pv_status repl_graphics(void *ctx, const char *name, pv_error *err)
{
    repl *r = ctx;
    graphics_choice choice;
    if (!graphics_choice_from_name(name, &choice))
        return pv_error_set(err, PV_ERR_USAGE, "graphics", "'%s': use auto, symbols, sixel or "
                            "kitty", name);
    r->graphics = (int)choice;
    return PV_OK;
}

/* `lesson NAME`: the lesson player on a terminal; in a script (or with
 * output redirected) the lesson as plain text with its demos' results. */
static pv_status repl_lesson(void *ctx, const char *name, pv_error *err)
{
    repl *r = ctx;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return lesson_print_by_name(name, repl_emit, ctx, err);
    lessonview_options o = {.color = r->color};
    return screen_status(lessonview_run_by_name(name, &o, err), err);
}

static pv_status take_script(void *ctx, const char *arg, pv_error *err)
{
    repl *r = ctx;
    if (r->script != NULL)
        return pv_error_set(err, PV_ERR_USAGE, arg,
                            "one script at most (already have %s)", r->script);
    r->script = arg;
    return PV_OK;
}

static void repl_usage(void)
{
    fputs("Usage: " CLI_PROGRAM " repl [POOL OPTIONS] [SCRIPT]\n"
          "\n"
          "The command language, one command a line: on a terminal with line editing,\n"
          "history and tab completion; from a pipe or SCRIPT as a script (no prompt,\n"
          "errors name the line, exit status 1 if any line failed).  Pool options set\n"
          "the starting settings.\n"
          "\n"
          "Commands (a script of them; 'help' lists every command, '#' starts a comment):\n"
          "  A = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]\n"
          "  set op avg\n"
          "  pool A                # the 2x2 averages\n"
          "  pool A op=max k=3 s=1 # other settings for this line only\n"
          "  C = pool A\n"
          "  save C out.npy\n"
          "  explain A 0 1         # the formula of output cell (0, 1)\n"
          "  size A                # how the output size comes about\n"
          "  code                  # the same pooling in PyTorch and TensorFlow\n"
          "\n"
          "Examples:\n"
          "  printf 'A = 1 2; 3 4\\npool A op=sum\\n' | poolviz repl\n"
          "\n",
          stdout);
    cli_pool_options_help(stdout, CLI_HELP_POOL | CLI_HELP_RUN);
}

/* Print an error of line lineno (0: no line number, on a terminal). */
static void report_line_error(const pv_error *err, long lineno)
{
    pv_error shown = *err;
    if (lineno > 0) {
        char subject[sizeof shown.subject + 32];
        if (err->subject[0] != '\0')
            snprintf(subject, sizeof subject, "line %ld: %s", lineno, err->subject);
        else
            snprintf(subject, sizeof subject, "line %ld", lineno);
        snprintf(shown.subject, sizeof shown.subject, "%.*s",
                 (int)sizeof shown.subject - 1, subject);
    }
    cli_report(&shown);
}

/* Run one line.  Returns false if it failed. */
static bool run_line(cmd_session *s, const char *line, size_t len, long lineno, bool *quit,
                     bool *interrupted)
{
    pv_error err;
    pv_error_clear(&err);
    if (memchr(line, '\0', len) != NULL) {
        pv_error_set(&err, PV_ERR_DATA, "", "the line holds a NUL byte");
        report_line_error(&err, lineno);
        return false;
    }
    cli_signals_install();
    pool_cancel_requested = 0;
    cmd_result r = cmd_execute(s, line, &err);
    cli_stdout_flush();   /* a failure is reported at the end (cli_stdout_check) */
    if (r == CMD_QUIT)
        *quit = true;
    if (r != CMD_ERROR)
        return true;
    if (err.status == PV_ERR_INTERRUPTED || pool_cancel_requested)
        *interrupted = true;
    report_line_error(&err, lineno);
    return false;
}

/* On a terminal a pasted block may arrive as one line with newlines in it:
 * run it line by line. */
static bool run_pasted(cmd_session *s, char *text, bool *quit, bool *interrupted)
{
    bool ok = true;
    char *line = text;
    while (line != NULL && !*quit) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        ok = run_line(s, line, strlen(line), 0, quit, interrupted) && ok;
        pool_cancel_requested = 0;
        *interrupted = false;
        line = nl ? nl + 1 : NULL;
    }
    return ok;
}

int cli_repl_main(int argc, char **argv)
{
    repl r = {NULL, -1, 0};
    cli_pool_args args;
    pv_error err;
    pv_error_clear(&err);
    cli_pool_args_init(&args);
    cli_extra_options extra = {NULL, NULL, NULL, take_script, &r};
    if (cli_pool_args_parse(&args, argc, argv, &extra, &err) != PV_OK) {
        cli_pool_args_release(&args);
        return cli_report(&err);
    }
    if (args.help) {
        cli_pool_args_release(&args);
        repl_usage();
        return CLI_EXIT_OK;
    }
    if (args.matrix != NULL || args.input != NULL || args.output != NULL ||
        args.indices != NULL) {
        cli_pool_args_release(&args);
        return cli_fail(PV_ERR_USAGE, "repl",
                        "takes no input or output options; define matrices with A = ... "
                        "and write them with save");
    }
    r.color = args.color;
    r.graphics = args.graphics;

    FILE *in = stdin;
    if (r.script != NULL && strcmp(r.script, "-") != 0) {
        in = fopen(r.script, "r");
        if (in == NULL) {
            int code = cli_fail(PV_ERR_IO, r.script, "cannot open: %s", strerror(errno));
            cli_pool_args_release(&args);
            return code;
        }
    }

    cmd_hooks hooks = {&r, repl_emit, repl_step, repl_lesson, stdout, NULL, repl_graphics};
    cmd_session *s = cmd_session_new(&hooks, &err);
    lineinput *li = s ? lineinput_open(in, s, &err) : NULL;
    int code = CLI_EXIT_OK;
    if (s == NULL || li == NULL ||
        pool_params_copy(cmd_session_params(s), &args.params, &err) != PV_OK) {
        code = cli_report(&err);
        goto done;
    }
    cli_signals_install();

    bool interactive = lineinput_is_interactive(li);
    bool failed = false, quit = false, interrupted = false, terminated = false;
    long lineno = 0;
    if (interactive && isatty(STDOUT_FILENO))
        printf(CLI_PROGRAM " %s: `help` lists the commands, Tab completes, Ctrl-D leaves.\n",
               PACKAGE_VERSION);
    while (!quit) {
        const char *line;
        size_t len;
        lineinput_status st = lineinput_read(li, &line, &len, &err);
        if (st == LINEINPUT_EOF)
            break;
        lineno++;
        if (st == LINEINPUT_ERROR) {
            if (lineinput_terminated(li) || cli_terminate_requested) {
                terminated = true;
                break;
            }
            if (err.status == PV_ERR_INTERRUPTED || pool_cancel_requested) {
                interrupted = true;
                break;
            }
            report_line_error(&err, interactive ? 0 : lineno);
            failed = true;
            if (err.status != PV_ERR_DATA)  /* only an over-long line lets us go on */
                break;
            continue;
        }
        if (interactive) {
            lineinput_remember(li, line);
            char *copy = pv_strdup(line);
            if (copy == NULL) {
                pv_error_set(&err, PV_ERR_NOMEM, "memory", "out of memory");
                cli_report(&err);
                continue;
            }
            run_pasted(s, copy, &quit, &interrupted);
            pv_free(copy);
            if (cli_terminate_requested) {
                terminated = true;   /* SIGTERM during a command ends the REPL */
                break;
            }
            continue;
        }
        if (!run_line(s, line, len, lineno, &quit, &interrupted))
            failed = true;
        if (cli_terminate_requested)
            terminated = true;
        if (interrupted || terminated)
            break;
    }

    if (cli_stdout_check() != CLI_EXIT_OK) {
        code = CLI_EXIT_DATA;
    } else if (terminated) {
        code = CLI_EXIT_TERMINATED;
    } else if (interrupted) {
        code = CLI_EXIT_INTERRUPTED;
    } else if (failed) {
        code = CLI_EXIT_DATA;   /* a failed line, or a read error on the terminal */
    }
done:
    lineinput_close(li);
    cmd_session_free(s);
    if (in != stdin)
        fclose(in);
    cli_pool_args_release(&args);
    return code;
}
