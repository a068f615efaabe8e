/* lesson_cmd.c - `poolviz lesson`: list, check and play lessons.
 *
 *   poolviz lesson --list              one line per lesson
 *   poolviz lesson --check [FILE...]   parse and run every demo and question
 *   poolviz lesson NAME                the player: on a terminal the TUI,
 *                                      otherwise the lesson as plain text
 *
 * The mode is decided from the arguments and from whether stdin and stdout
 * are terminals before anything is drawn (design: batch never touches
 * curses).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/alloc.h"
#include "core/forward.h"
#include "core/quote.h"
#include "lesson/lesson.h"
#include "lesson/lessonrun.h"
#include "lesson/lessontext.h"
#include "tui/lessonview.h"

static const char lesson_usage_text[] =
    "Usage: " CLI_PROGRAM " lesson [OPTIONS] NAME\n"
    "       " CLI_PROGRAM " lesson --list\n"
    "       " CLI_PROGRAM " lesson --check [FILE...]\n"
    "\n"
    "Lessons walk through pooling page by page: prose beside the live stepper,\n"
    "demos on small matrices and pictures, and questions whose answers poolviz\n"
    "computes and explains.  NAME is a lesson's file name, its number (\"3\") or\n"
    "its name without the number (\"stride\"); see --list.\n"
    "\n"
    "On a terminal the lesson opens in the player (keys: PgDn/PgUp or ]/[ turn\n"
    "pages, n/p step the demo, a answers a question, : tries your own settings on\n"
    "the demo's matrix and Esc comes back, ? helps, q quits).  Without a\n"
    "terminal, or with --text, it is printed as plain text with every demo's\n"
    "result and every answer.\n"
    "\n"
    "Options:\n"
    "  --list             list the lessons, one line each\n"
    "  --check [FILE...]  parse each lesson and run every demo and question through\n"
    "                     the core; without FILE, every installed lesson.  Problems\n"
    "                     are reported as FILE:LINE: REASON; exit 1 if there are any\n"
    "  --text             print the lesson as text even on a terminal\n"
    "  --ask              with --text: ask the questions, read answers from stdin\n"
    "  --no-answers       with --text: leave the answers out (a worksheet)\n"
    "  --page N           start at page N (with --text: print only page N)\n"
    "  --width N          wrap text at N columns (default 72)\n"
    "  --present          presenter mode: each output value stays hidden until a\n"
    "                     key is pressed, so the class can answer first\n"
    "  --large            large cells, for a projector\n"
    "  --color WHEN       auto, always or never (NO_COLOR is honoured)\n"
    "  -h, --help         this help\n"
    "\n"
    "Lessons are found in the data folder's lessons/: $POOLVIZ_DATADIR if set, else\n"
    "next to an uninstalled build, else " PKGDATADIR ".\n"
    "Their format is described in lessons/README.md and in poolviz(1).\n";

enum {
    OPT_LIST = 0x100,
    OPT_CHECK,
    OPT_TEXT,
    OPT_ASK,
    OPT_NO_ANSWERS,
    OPT_PAGE,
    OPT_WIDTH,
    OPT_PRESENT,
    OPT_LARGE,
    OPT_COLOR
};

static const struct option lesson_options[] = {
    {"list", no_argument, NULL, OPT_LIST},
    {"check", no_argument, NULL, OPT_CHECK},
    {"text", no_argument, NULL, OPT_TEXT},
    {"ask", no_argument, NULL, OPT_ASK},
    {"no-answers", no_argument, NULL, OPT_NO_ANSWERS},
    {"page", required_argument, NULL, OPT_PAGE},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"present", no_argument, NULL, OPT_PRESENT},
    {"large", no_argument, NULL, OPT_LARGE},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct lesson_args {
    bool list, check, text, ask, no_answers, present, large;
    long page;          /* 1-based; 0 = not given */
    long width;
    int color;
} lesson_args;

static int parse_positive(const char *option, const char *value, long max, long *out)
{
    errno = 0;
    char *end;
    long v = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || errno != 0 || v < 1 || v > max)
        return cli_fail(PV_ERR_USAGE, option, "'%s' is not a number from 1 to %ld", value, max);
    *out = v;
    return CLI_EXIT_OK;
}

/* Parse the options; returns -1 to go on, or an exit code. */
static int parse_args(lesson_args *a, int argc, char **argv)
{
    static const char *const names[] = {"--list", "--check", "--text", "--ask", "--no-answers",
                                         "--page", "--width", "--present", "--large",
                                         "--color", "--help", NULL};
    memset(a, 0, sizeof *a);
    a->color = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", lesson_options, NULL)) != -1) {
        int code = CLI_EXIT_OK;
        switch (c) {
        case OPT_LIST: a->list = true; break;
        case OPT_CHECK: a->check = true; break;
        case OPT_TEXT: a->text = true; break;
        case OPT_ASK: a->ask = true; break;
        case OPT_NO_ANSWERS: a->no_answers = true; break;
        case OPT_PRESENT: a->present = true; break;
        case OPT_LARGE: a->large = true; break;
        case OPT_PAGE: code = parse_positive("--page", optarg, 100000, &a->page); break;
        case OPT_WIDTH: code = parse_positive("--width", optarg, 1000, &a->width); break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                a->color = -1;
            else if (strcmp(optarg, "always") == 0)
                a->color = 1;
            else if (strcmp(optarg, "never") == 0)
                a->color = 0;
            else
                code = cli_fail(PV_ERR_USAGE, "--color", "'%s' is not auto, always or never",
                                optarg);
            break;
        case 'h':
            fputs(lesson_usage_text, stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_fail(PV_ERR_USAGE, argv[optind - 1], "needs a value");
        default: {
            const char *word = argv[optind - 1];
            char option[64];
            snprintf(option, sizeof option, "%.*s", (int)strcspn(word, "="), word);
            const char *guess = cli_closest(option, names);
            return cli_fail(PV_ERR_USAGE, option, "unknown option%s%s%s (see '" CLI_PROGRAM
                            " lesson --help')",
                            guess ? "; did you mean " : "", guess ? guess : "", guess ? "?" : "");
        }
        }
        if (code != CLI_EXIT_OK)
            return code;
    }
    if (a->list + a->check > 1)
        return cli_fail(PV_ERR_USAGE, "--check", "give either --list or --check");
    return -1;
}

/* ---- --list -------------------------------------------------------------------- */

static int run_list(void)
{
    char **paths;
    size_t count;
    pv_error err;
    pv_error_clear(&err);
    if (lesson_list_paths(&paths, &count, &err) != PV_OK)
        return cli_report(&err);
    int code = CLI_EXIT_OK;
    if (count == 0) {
        fputs(CLI_PROGRAM ": no lessons in ", stderr);
        cli_put_quoted(stderr, lesson_datadir(), 0);
        fputs("/lessons\n", stderr);
    }
    /* The names in one column as wide as the longest (file name less .lesson). */
    int name_width = 0;
    for (size_t i = 0; i < count; i++) {
        const char *slash = strrchr(paths[i], '/');
        size_t len = strlen(slash ? slash + 1 : paths[i]);
        len = len > 7 ? len - 7 : len;
        name_width = (int)len > name_width ? (int)len : name_width;
    }
    for (size_t i = 0; i < count; i++) {
        lesson *l = lesson_parse_file(paths[i], &err);
        if (l == NULL) {
            code = cli_report(&err);
            continue;
        }
        char line[512];
        lesson_list_line(l, name_width, 0, line, sizeof line);
        cli_put_quoted(stdout, line, 0);
        putchar('\n');
        lesson_free(l);
    }
    lesson_paths_free(paths, count);
    int written = cli_stdout_check();
    return code != CLI_EXIT_OK ? code : written;
}

/* ---- --check ------------------------------------------------------------------- */

static void report_problem(void *ctx, const pv_error *problem)
{
    int *code = ctx;
    int c = cli_report(problem);
    if (c > *code)
        *code = c == CLI_EXIT_USAGE ? CLI_EXIT_DATA : c;
}

static int check_one(const char *path)
{
    pv_error err;
    pv_error_clear(&err);
    lesson *l = lesson_parse_file(path, &err);
    if (l == NULL) {
        int code = cli_report(&err);
        return code == CLI_EXIT_USAGE ? CLI_EXIT_DATA : code;
    }
    int code = CLI_EXIT_OK;
    size_t problems = lesson_check(l, report_problem, &code);
    if (problems == 0) {
        cli_put_quoted(stdout, path, 0);
        printf(": ok (%zu pages, %zu demos, %zu questions)\n", l->page_count,
               lesson_count_blocks(l, LESSON_DEMO), lesson_count_blocks(l, LESSON_QUESTION));
    } else if (code == CLI_EXIT_OK)
        code = CLI_EXIT_DATA;
    lesson_free(l);
    return code;
}

static int run_check(int argc, char **argv)
{
    int code = CLI_EXIT_OK;
    if (argc == 0) {
        char **paths;
        size_t count;
        pv_error err;
        pv_error_clear(&err);
        if (lesson_list_paths(&paths, &count, &err) != PV_OK)
            return cli_report(&err);
        if (count == 0)
            code = cli_fail(PV_ERR_DATA, lesson_datadir(), "no lessons to check");
        for (size_t i = 0; i < count && !pool_cancel_requested; i++) {
            int c = check_one(paths[i]);
            if (c > code)
                code = c;
        }
        lesson_paths_free(paths, count);
    } else {
        for (int i = 0; i < argc && !pool_cancel_requested; i++) {
            int c = check_one(argv[i]);
            if (c > code)
                code = c;
        }
    }
    cli_stdout_flush();
    if (pool_cancel_requested)
        return CLI_EXIT_INTERRUPTED;
    return code;
}

/* ---- playing ---------------------------------------------------------------------- */

/* One whole line of stdin, of any length: a line that does not fit in buf is
 * consumed to its end and reported, never split into several answers. */
static lesson_read_status read_answer(void *ctx, const char *prompt, char *buf, size_t size)
{
    bool echo = ctx != NULL;
    cli_put_quoted(stdout, prompt, QUOTE_KEEP_LINES);
    cli_stdout_flush();
    size_t n = 0;
    bool fits = true;
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (n + 1 < size)
            buf[n++] = (char)c;
        else
            fits = false;
    }
    if (c == EOF && n == 0 && fits) {
        fputc('\n', stdout);
        return LESSON_READ_END;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    if (echo) {
        /* piped: show what was answered */
        cli_put_quoted(stdout, buf, 0);
        fputs(fits ? "\n" : "...\n", stdout);
    }
    return fits ? LESSON_READ_LINE : LESSON_READ_TOO_LONG;
}

static int run_text(const lesson *l, const lesson_args *a)
{
    pv_error err;
    pv_error_clear(&err);
    lesson_text_options o = {
        .width = (int)a->width,
        .answers = !a->no_answers,
        .read = a->ask ? read_answer : NULL,
        .read_ctx = a->ask && !cli_is_terminal(stdin) ? (void *)stdin : NULL,
    };
    pv_status status;
    if (a->page > 0)
        status = lesson_print_page(l, (size_t)a->page - 1, &o, lesson_emit_file, stdout, &err);
    else
        status = lesson_print(l, &o, lesson_emit_file, stdout, &err);
    if (status != PV_OK)
        return cli_report(&err);
    return cli_stdout_check();
}

static int run_player(const char *name, const lesson_args *a)
{
    pv_error err;
    pv_error_clear(&err);
    char path[4096];
    if (lesson_find(name, path, sizeof path, &err) != PV_OK)
        return cli_report(&err);
    lesson *l = lesson_parse_file(path, &err);
    if (l == NULL)
        return cli_report(&err);
    int code;
    if (a->page > 0 && (size_t)a->page > l->page_count) {
        code = cli_fail(PV_ERR_USAGE, "--page", "the lesson has %zu pages", l->page_count);
    } else if (a->text || a->ask || a->no_answers || !cli_is_terminal(stdin) ||
               !cli_is_terminal(stdout)) {
        code = run_text(l, a);
    } else {
        lessonview_options o = {
            .color = a->color,
            .present = a->present,
            .large = a->large,
            .first_page = a->page > 0 ? (size_t)a->page - 1 : 0,
        };
        code = lessonview_run(l, &o, &err);
        if (code != CLI_EXIT_OK && err.status != PV_ERR_INTERRUPTED)
            code = cli_report(&err);
    }
    lesson_free(l);
    return code;
}

int cli_lesson_main(int argc, char **argv)
{
    cli_signals_install();
    lesson_args a;
    int code = parse_args(&a, argc, argv);
    if (code >= 0)
        return code;
    int rest = argc - optind;
    char **names = argv + optind;
    if (a.list) {
        if (rest > 0)
            return cli_fail(PV_ERR_USAGE, names[0], "--list takes no lesson name");
        return run_list();
    }
    if (a.check)
        return run_check(rest, names);
    if (rest == 0)
        return cli_fail(PV_ERR_USAGE, "lesson",
                        "give a lesson's name (see '" CLI_PROGRAM " lesson --list')");
    if (rest > 1)
        return cli_fail(PV_ERR_USAGE, names[1], "one lesson at a time");
    return run_player(names[0], &a);
}
