/* main.c - poolviz's entry point: choose the mode, then hand over.
 *
 * The mode is decided from the arguments before anything else happens
 * (no terminal set-up for batch work): a subcommand from the table below,
 * `help`, `--help`, `--version`, or no subcommand at all (the built-in
 * example or a FILE).
 */
#include "config.h"

#include <locale.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/ops.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;      /* arguments and a few words, for `poolviz --help` */
} subcommand;

/* Every subcommand, in the order `poolviz --help` lists them. */
static const subcommand subcommands[] = {
    {"pool", cli_pool_main, "pool [OPTIONS] [FILE|-]   compute a pooling, write the output"},
    {"repl", cli_repl_main, "repl [OPTIONS] [SCRIPT]   the command language, line by line"},
    {"lesson", cli_lesson_main, "lesson [--list | --check FILE... | NAME]   lessons on pooling"},
    {"render", cli_render_main, "render [OPTIONS] [FILE] --frames DIR | --step N -o FILE   slides"},
    {"grad", cli_grad_main, "grad [OPTIONS] [FILE|-] [--dy DY] [-o DX]   the backward pass: dL/dx"},
    {"unpool", cli_unpool_main, "unpool VALUES --indices IDX --output-size HxW   max unpooling"},
    {"bench", cli_bench_main, "bench [OPTIONS] --shape NxCxHxW [--threads T] [--json]   time the kernels"},
};

#define SUBCOMMAND_COUNT (sizeof subcommands / sizeof subcommands[0])

static const subcommand *subcommand_find(const char *name)
{
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
        if (strcmp(subcommands[i].name, name) == 0)
            return &subcommands[i];
    return NULL;
}

static const char *subcommand_closest(const char *name)
{
    const char *names[SUBCOMMAND_COUNT + 2];
    size_t n = 0;
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
        names[n++] = subcommands[i].name;
    names[n++] = "help";
    names[n] = NULL;
    return cli_closest(name, names);
}

/* text on lines of at most width columns, broken at spaces */
static void put_wrapped(FILE *out, const char *text, size_t width)
{
    while (*text != '\0') {
        size_t len = strlen(text), cut = len;
        if (len > width) {
            cut = width;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = width;
        }
        fprintf(out, "%.*s\n", (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

static void usage(FILE *out)
{
    fputs("Usage: " CLI_PROGRAM " [OPTIONS] [FILE]         "
          "step through FILE or a 4x4 example\n",
          out);
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
        fprintf(out, "       " CLI_PROGRAM " %s\n", subcommands[i].usage);
    fputs("       " CLI_PROGRAM " help [SUBCOMMAND]         help on a subcommand\n"
          "       " CLI_PROGRAM " --version                 the version\n"
          "\n",
          out);
    char about[512];
    snprintf(about, sizeof about,
             "poolviz computes the pooling operations of convolutional networks (%s) and "
             "shows how each output value follows from its window.",
             pool_op_name_list());
    put_wrapped(out, about, 78);
    fputs("\n"
          "Example:\n"
          "  " CLI_PROGRAM " pool -m '1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16' --op avg\n"
          "\n"
          "Run '" CLI_PROGRAM " help pool' for every option, 'man poolviz' for the manual.\n",
          out);
}

static int help_command(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2)
        return cli_fail(PV_ERR_USAGE, argv[2], "help takes one subcommand name");
    /* `help help` and `help --help`: the help of help is the usage. */
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    const subcommand *cmd = subcommand_find(argv[1]);
    if (cmd == NULL) {
        const char *guess = subcommand_closest(argv[1]);
        return cli_fail(PV_ERR_USAGE, argv[1], "no such subcommand%s%s%s",
                        guess ? "; did you mean " : "", guess ? guess : "", guess ? "?" : "");
    }
    char help_flag[] = "--help";
    char *help_argv[] = {(char *)cmd->name, help_flag, NULL};
    return cmd->run(2, help_argv);
}

static int run(int argc, char **argv)
{
#ifdef M_MMAP_THRESHOLD
    /* The kernels' per-call scratch blocks (up to a few MiB per thread)
     * would otherwise be mapped and unmapped on every pass, and the page
     * faults of fresh mappings cost more than a second thread gains on a
     * 1 ms pooling pass.  Keep such blocks in the heap instead. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif

    static char program[] = CLI_PROGRAM;
    if (argc < 1)
        return CLI_EXIT_USAGE;
    argv[0] = program;

    if (argc < 2)
        return cli_tui_main(argc, argv);

    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("%s %s\n", CLI_PROGRAM, PACKAGE_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "help") == 0)
        return help_command(argc - 1, argv + 1);

    const subcommand *cmd = subcommand_find(first);
    if (cmd != NULL)
        return cmd->run(argc - 1, argv + 1);

    /* No subcommand: options, "-" or a file name. */
    if (first[0] == '-' || access(first, F_OK) == 0)
        return cli_tui_main(argc, argv);

    const char *guess = subcommand_closest(first);
    if (guess != NULL)
        return cli_fail(PV_ERR_USAGE, first,
                        "no such subcommand or file; did you mean %s?", guess);
    return cli_fail(PV_ERR_USAGE, first,
                    "no such subcommand or file (see '" CLI_PROGRAM " --help')");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    /* Off a terminal, a buffer that holds any help text whole: a write that
     * fails then fails in the final flush, where its errno is still known
     * (stdio forgets the errno of a failure inside a write). */
    static char stdout_buffer[1 << 16];
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    return cli_close_stdout(cli_signal_exit_code(run(argc, argv)));
}
